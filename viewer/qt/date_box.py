"""The Date box: type a whole date (`2025-10-24`, `24 Oct 2025`, `Oct 2025`, `2025`)
or pick one from a calendar.

It only reports what the person asked for; the window clamps it to the
dataset's range and says so in the status bar.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (QCalendarWidget, QLineEdit, QMenu, QStyle, QWidget,
                               QWidgetAction)

from viewer.model.dates import parse_typed_date


class DateBox(QLineEdit):
    """A line edit for dates. `chosen` carries a parsed date, `refused` the reason a
    text is not one."""

    chosen = Signal(object)   # dt.date
    refused = Signal(str)
    typing = Signal()         # the box has the keyboard: playback pauses, not to type over

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("Type a date (2025-10-24, 24 Oct 2025, Oct 2025 or 2025) and press Enter")
        self.setPlaceholderText("YYYY-MM-DD")
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("0000-00-00 00 Sep 0000"))
        self.calendar = QCalendarWidget()
        self.calendar.clicked.connect(self._picked)
        menu = QMenu(self)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(self.calendar)
        menu.addAction(holder)
        self._menu = menu
        pick = self.addAction(self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView),
                              QLineEdit.ActionPosition.TrailingPosition)
        pick.setToolTip("Pick a date from a calendar")
        pick.triggered.connect(self._open_calendar)
        self.returnPressed.connect(self._typed)
        self._shown: dt.date | None = None

    def show_date(self, date: dt.date) -> None:
        """Show `date` (the state's); emits nothing, so nothing echoes. The calendar
        takes it when opened, not at every step of a scrub. A date being typed is left
        alone: during playback each frame replaced it halfway through."""
        self._shown = date
        if not (self.hasFocus() and self.isModified()):
            self.setText(date.isoformat())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:   # a date half typed is given up
            self._show_shown()
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.typing.emit()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        """Text typed and not entered would stay beside a map of another date."""
        super().focusOutEvent(event)
        self._show_shown()

    def _show_shown(self) -> None:
        if self._shown is not None:
            self.setText(self._shown.isoformat())

    def set_range(self, first: dt.date, last: dt.date) -> None:
        self.calendar.setDateRange(first, last)

    def _typed(self) -> None:
        try:
            day = parse_typed_date(self.text())
        except ValueError as error:
            self.refused.emit(str(error))
            return
        self.setModified(False)   # entered: the date shown is the one to write here now
        self.chosen.emit(day)

    def _picked(self, day) -> None:
        self._menu.hide()
        self.chosen.emit(day.toPython())

    def _open_calendar(self) -> None:
        if self._shown is not None:
            self.calendar.setSelectedDate(self._shown)
        self._menu.popup(self.mapToGlobal(self.rect().bottomLeft()))
