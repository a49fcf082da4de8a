"""Input widgets the edit forms share: id choosers, a date field, a source picker.

Every text from the dataset is shown as plain text (item texts, never markup).
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from viewer.model.changes import EditRefused
from viewer.qt.iso_date_edit import IsoDateEdit

NONE = "(none)"


class Choice(QComboBox):
    """Pick one id from (id, label) pairs; `optional` adds "(none)"; `prompt`, a first item
    that is no value (a required choice the analyst must make: left as it opened, the first
    actor and "confirmed" were recorded as claims); `editable` allows new text."""

    def __init__(self, pairs, optional: bool = False, editable: bool = False,
                 parent: QWidget | None = None, prompt: str | None = None) -> None:
        super().__init__(parent)
        self.setEditable(editable)
        if optional or prompt:
            self.addItem(prompt or NONE, None)
        for value, label in pairs:
            self.addItem(label if label == value else f"{label} ({value})", value)
        self.setMaxVisibleItems(20)

    def value(self) -> str | None:
        if self.isEditable():  # free text (a new category); its items' labels are their ids
            return self.currentText().strip() or None
        return self.currentData()

    def set_value(self, value: str | None) -> None:
        index = self.findData(value)
        if index >= 0:
            self.setCurrentIndex(index)
        elif self.isEditable() and value:
            self.setEditText(value)


def ids_and_names(frame, id_column: str, name_column: str | None = None,
                  keys=None) -> list[tuple[str, str]]:
    """(id, label) pairs by label: each id once, labelled by the last name a row gives it,
    else by the id (a missing name is not shown as 'nan'). `keys`: each row's id, where
    it is not the id column's (a route's: its route_id, else its flow_id)."""
    names = frame[name_column] if name_column in frame.columns else frame[id_column]
    labels: dict[str, str] = {}
    for key, name in zip(frame[id_column] if keys is None else keys, names):
        if not (isinstance(key, str) and key.strip()):
            continue
        if isinstance(name, str) and name.strip():
            labels[key] = name
        else:
            labels.setdefault(key, key)
    return sorted(labels.items(), key=lambda pair: pair[1].lower())


class DateField(IsoDateEdit):
    """A date with a calendar; starts at the timeline's date."""

    def __init__(self, day: dt.date, optional: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.optional = optional
        if optional:
            self.setSpecialValueText("(no date)")
            self.setMinimumDate(QDate(1900, 1, 1))
        self.setDate(QDate(day.year, day.month, day.day))

    def value(self) -> dt.date | None:
        problem = self.typed_problem()   # the date typed is settled here, or refused
        if problem:
            raise EditRefused(self.objectName() or "date", problem)
        if self.optional and self.date() == self.minimumDate():
            return None
        return self.date().toPython()


class SourcePicker(QWidget):
    """Tick the sources that back a fact; filter by text; add a new source on the spot."""

    new_source_asked = Signal()

    def __init__(self, sources, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter sources…")
        self.filter.textChanged.connect(self._filter)
        self.list = QListWidget()
        self.list.setMinimumHeight(120)
        add = QPushButton("New source…")
        add.clicked.connect(self.new_source_asked)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(add)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.list)
        self.set_sources(sources)

    def set_sources(self, sources, ticked: tuple[str, ...] = ()) -> None:
        ticked = set(ticked) | set(self.value())
        self.list.clear()
        for row in sources.sort_values("source_id").itertuples():
            item = QListWidgetItem(f"{row.source_id} — {row.outlet}: {row.title}")
            item.setData(Qt.ItemDataRole.UserRole, row.source_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if row.source_id in ticked
                               else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self._filter(self.filter.text())

    def value(self) -> tuple[str, ...]:
        items = (self.list.item(i) for i in range(self.list.count()))
        return tuple(item.data(Qt.ItemDataRole.UserRole) for item in items
                     if item.checkState() == Qt.CheckState.Checked)

    def _filter(self, text: str) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(text) and text.lower() not in item.text().lower())


def text_or_none(line: QLineEdit) -> str | None:
    return line.text().strip() or None
