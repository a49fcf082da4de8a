"""The edit forms: add a source or an event, change control or a route, correct, retract.

Each form builds one command of viewer.model.edits and asks it for an `Edit`
against the shown dataset at the timeline's date. A refusal is shown in the
form in one line (field and reason), with the field marked; the form stays
open. A recorded edit goes on the session's undo stack.
"""
from __future__ import annotations

import re

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QSpinBox, QVBoxLayout, QWidget)

from viewer.model import edits
from viewer.model.changes import EditRefused
from viewer.model.edit_apply import find_row, id_column
from viewer.model.schema import CHECKED_DATE_COLUMNS, ENUMS
from viewer.qt.dialogs import plain_label
from viewer.qt.edit_fields import (Choice, DateField, SourcePicker, ids_and_names, text_or_none)

# Form fields named after the format's columns, so a refusal can mark its field.
_FIELD_OF_COLUMN = {"source_ids": "sources", "actor_id": "actor", "area_id": "area",
                    "valid_from": "date", "date": "date", "place_id": "place",
                    "actor_ids": "actors", "route_id": "route", "volume_unit": "unit"}


class EditForm(QDialog):
    """A form with a refusal line and Record/Cancel; subclasses add fields and `command()`."""

    title = ""

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.state = session, session.state
        self.setWindowTitle(self.title)
        self.setMinimumWidth(520)  # room for titles, addresses and source lines
        self.fields: dict[str, QWidget] = {}
        self._generation = session.generation   # the briefing as read when the form opened
        self.form = QFormLayout()
        self.refusal = QLabel()
        self.refusal.setTextFormat(Qt.TextFormat.PlainText)
        self.refusal.setWordWrap(True)
        self.refusal.setStyleSheet("color: #b00020;")
        self.refusal.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Record")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.refusal)
        layout.addWidget(buttons)
        self.build()

    def add(self, name: str, label: str, widget: QWidget) -> QWidget:
        self.fields[name] = widget
        widget.setObjectName(name)   # a refusal from the widget itself names its field
        self.form.addRow(plain_label(label), widget)
        return widget

    def line(self, name: str, label: str, text: str = "") -> QLineEdit:
        return self.add(name, label, QLineEdit(text))

    def sources(self) -> SourcePicker:
        picker = self.add("sources", "Sources", SourcePicker(self.state.dataset.sources))
        picker.new_source_asked.connect(self._new_source)
        return picker

    def enum(self, name: str, label: str, layer: str, column: str, optional: bool = False,
             prompt: str | None = None) -> Choice:
        return self.add(name, label, Choice([(v, v) for v in ENUMS[(layer, column)]], optional,
                                            prompt=prompt))

    def build(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def command(self) -> edits.EditCommand:  # pragma: no cover - abstract
        raise NotImplementedError

    def accept(self) -> None:
        if self.session.generation != self._generation:
            self.show_refusal("form", "the briefing was read again while this form was open "
                              "(saved elsewhere): close the form and open it again, to edit "
                              "the rows as they are saved now")
            return
        try:
            self.session.push(self.command().edit(self.state.dataset, self.state.date))
        except EditRefused as refused:
            self.show_refusal(refused.field, refused.reason)
            return
        except ValueError as error:  # a number field that is not a number
            self.show_refusal("value", str(error))
            return
        super().accept()

    def show_refusal(self, field: str, reason: str) -> None:
        self.refusal.setText(f"Not recorded — {field}: {reason}")
        self.refusal.show()
        for widget in self.fields.values():
            widget.setStyleSheet("")
        marked = self.fields.get(_FIELD_OF_COLUMN.get(field, field))
        if marked is not None:
            marked.setStyleSheet("border: 1px solid #b00020;")
            marked.setFocus()

    def _new_source(self) -> None:
        form = SourceForm(self.session, self)
        if form.exec() == QDialog.DialogCode.Accepted:
            new_id = self.session.pending()[-1].changes[0].row_id
            picker = self.fields["sources"]
            picker.set_sources(self.state.dataset.sources, ticked=(new_id,))


class SourceForm(EditForm):
    title = "Add a source"

    def build(self) -> None:
        self.outlet = self.line("outlet", "Outlet")
        self.headline = self.line("title", "Title")
        self.published = self.add("published", "Published", DateField(self.state.date))
        self.url = self.line("url", "Address (URL)")
        self.author = self.line("author", "Author")
        self.via = self.line("via", "Found via")
        self.note = self.line("note", "Note")

    def command(self):
        return edits.AddSource(self.outlet.text().strip(), self.headline.text().strip(),
                               self.published.value(), text_or_none(self.url),
                               text_or_none(self.author), text_or_none(self.via),
                               text_or_none(self.note))


class EventForm(EditForm):
    title = "Add an event"

    def build(self) -> None:
        dataset = self.state.dataset
        self.date = self.add("date", "Date", DateField(self.state.date))
        self.precision = self.add("date_precision", "Precision",
                                  Choice([(p, p) for p in ("day", "month", "year")]))
        self.headline = self.line("title", "Title")
        self.summary = self.add("summary", "Summary", QPlainTextEdit())
        self.summary.setFixedHeight(70)
        categories = sorted({str(c) for c in dataset.events["category"].dropna()})
        self.category = self.add("category", "Category", Choice([(c, c) for c in categories],
                                                                editable=True))
        self.place = self.add("place", "Place", Choice(ids_and_names(dataset.places, "place_id", "name"),
                                                       optional=True))
        self.form.addRow("", QLabel("…or click a place on the map."))
        self.actors = self.line("actors", "Actors (ids, A;B)")
        self.confidence = self.enum("confidence", "Confidence", "events", "confidence", optional=True)
        self.importance = self.add("importance", "Importance", QSpinBox())
        self.importance.setRange(1, 3)
        self.sources()
        self.state.selection_changed.connect(self._picked_on_map)
        self.finished.connect(lambda _: self.state.selection_changed.disconnect(self._picked_on_map))

    def _picked_on_map(self, selection) -> None:
        if selection is not None and selection.layer == "places":
            self.place.set_value(selection.feature_id)

    def command(self):
        actors = tuple(a.strip() for a in self.actors.text().split(";") if a.strip())
        return edits.AddEvent(self.headline.text().strip(), self.category.value() or "",
                              self.fields["sources"].value(), self.date.value(),
                              self.precision.value(), self.summary.toPlainText().strip() or None,
                              self.place.value(), None, actors, self.confidence.value(),
                              self.importance.value())


class ControlForm(EditForm):
    title = "Change who holds a zone"

    def build(self) -> None:
        dataset = self.state.dataset
        actors = ids_and_names(dataset.actors, "actor_id", "name")
        self.area = self.add("area", "Zone", Choice(ids_and_names(dataset.areas, "area_id", "name")))
        self.area.set_value(_selected_value(self.state, "control", "area_id"))
        self.date = self.add("date", "From", DateField(self.state.date))
        self.actor = self.add("actor", "Held by", Choice(actors, prompt="(choose who holds it)"))
        self.status = self.enum("status", "Status", "control", "status")
        self.contested = self.add("contested_with", "Contested with", Choice(actors, optional=True))
        self.confidence = self.enum("confidence", "Confidence", "control", "confidence",
                                    prompt="(choose how sure the sources are)")
        self.sources()
        self.note = self.line("note", "Note")

    def command(self):
        return edits.SetControl(self.area.value(), self.actor.value(), self.date.value(),
                                self.status.value(), self.contested.value(), self.confidence.value(),
                                self.fields["sources"].value(), text_or_none(self.note))


class RouteForm(EditForm):
    title = "Change a route's status"

    def build(self) -> None:
        dataset = self.state.dataset
        self.route = self.add("route", "Route", Choice(ids_and_names(
            dataset.flows, "flow_id", "route_name", keys=dataset.feature_ids["flows"])))
        self.route.set_value(_selected_value(self.state, "flows", "route_id")
                             or _selected_value(self.state, "flows", "flow_id"))
        self.date = self.add("date", "From", DateField(self.state.date))
        self.status = self.enum("status", "Status", "flows", "status")
        self.volume = self.line("volume", "Volume (if a source gives one)")
        self.unit = self.line("unit", "Unit of the volume")
        self.confidence = self.enum("confidence", "Confidence", "control", "confidence", optional=True)
        self.sources()
        self.note = self.line("note", "Note")

    def command(self):
        volume = self.volume.text().strip()
        return edits.SetRoute(self.route.value(), self.status.value(), self.date.value(),
                              self.fields["sources"].value(), float(volume) if volume else None,
                              text_or_none(self.unit), self.confidence.value(),
                              text_or_none(self.note))


class CorrectForm(EditForm):
    """New values for the selected row's columns (not its id or shape), with a reason."""

    title = "Correct a row"

    def build(self) -> None:
        self.layer, self.row_id = self.state.selection.layer, self.state.selected_row_id()
        self.before = find_row(self.state.dataset, self.layer, self.row_id) or {}
        self.form.addRow("Row", plain_label(f"{self.layer} {self.row_id}"))
        self.values: dict[str, QLineEdit] = {}
        for column, value in self.before.items():
            if column not in (id_column(self.layer), edits.RETRACTED):
                self.values[column] = self.line(column, column, "" if value is None else str(value))
        self.reason = self.line("reason", "Reason")

    def command(self):
        changed = {}
        for column, line in self.values.items():
            old, text = self.before.get(column), line.text().strip()
            if text != ("" if old is None else str(old)):
                changed[column] = _typed(text, old, column in CHECKED_DATE_COLUMNS.get(self.layer, ()))
        return edits.CorrectRow(self.layer, self.row_id, changed, self.reason.text().strip())


class RetractForm(EditForm):
    title = "Retract a row"

    def build(self) -> None:
        self.layer, self.row_id = self.state.selection.layer, self.state.selected_row_id()
        self.form.addRow("Row", plain_label(f"{self.layer} {self.row_id}"))
        self.form.addRow("", QLabel("It stays in the file and in the history, but is no longer drawn."))
        self.reason = self.line("reason", "Reason")

    def command(self):
        return edits.Retract(self.layer, self.row_id, self.reason.text().strip())


def _selected_value(state, layer: str, column: str) -> str | None:
    """A column of the selected row, when a row of `layer` is selected (to preset a form)."""
    selection = state.selection
    if selection is None or selection.layer != layer:
        return None
    row = find_row(state.dataset, layer, state.selected_row_id()) or {}
    value = row.get(column)
    return None if value is None or pd.isna(value) else str(value)


def _typed(text: str, old: object, date: bool = False) -> object:
    """A corrected value typed like the old one (numbers stay numbers; a date typed
    2025-3-1, as date fields take it, is 2025-03-01); empty clears."""
    if not text:
        return None
    short_date = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) if date else None
    if short_date:
        year, month, day = short_date.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    if isinstance(old, (int, float)) and not isinstance(old, bool):
        number = float(text)
        return int(number) if isinstance(old, int) and number.is_integer() else number
    return text
