"""A date field that records the date typed, or says why it cannot.

Qt's QDateEdit takes a date one part at a time and never shows a date it cannot
take: after four year digits it moves on to the month, and the '-' typed next
moved on again ("2025-03-01" became 2025-10-03); typed over a selection of more
than one part (Ctrl+A), the old year was kept; a digit that would make an
impossible or out-of-range date at that moment is dropped or changed
("2025-02-30" became 3 Feb, "2025-04-31" 30 Apr, and "2021-03-15" typed over a
2025 date kept 2025, its 2021-01-15 on the way lying before the range). So the
digits typed into each part are kept, and the date they make is settled when
the field's value is asked for: that date if it is one and in range, else the
reason it is not (`typed_problem`), never another date.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QDateEdit, QWidget

YEAR, MONTH, DAY = (QDateEdit.Section.YearSection, QDateEdit.Section.MonthSection,
                    QDateEdit.Section.DaySection)


class IsoDateEdit(QDateEdit):
    """A date field showing YYYY-MM-DD (unambiguous in any locale), with a calendar."""

    SEPARATORS = ("-", "/", ".")
    PARTS = ((5, YEAR), (8, MONTH), (11, DAY))   # where each part of yyyy-MM-dd ends
    WIDTHS = {YEAR: 4, MONTH: 2, DAY: 2}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setCalendarPopup(True)
        self._moved_on = False
        self._typed: dict[QDateEdit.Section, str] = {}   # digits typed into each part
        self._typing_in = None                           # the part typed into last
        self._in_key = False
        self.dateChanged.connect(self._set_elsewhere)

    # -- typing -------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._moved_on and event.text() in self.SEPARATORS:
            self._moved_on = False
            return
        if event.matches(QKeySequence.StandardKey.SelectAll):
            self._forget_typing()   # a new date is typed over the whole
        line = self.lineEdit()
        if event.text().isdigit() and len(line.selectedText()) > 4:   # more than one part
            start = line.selectionStart()
            self.setSelectedSection(next(part for end, part in self.PARTS if start < end))
        section, part = self.currentSectionIndex(), self.currentSection()
        if event.text().isdigit():
            digits = self._typed.get(part, "") if part == self._typing_in else ""
            self._typed[part] = (digits + event.text())[-self.WIDTHS[part]:]
            self._typing_in = part
        elif event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self._typed.pop(part, None)   # typed again from here
            self._typing_in = None
        self._in_key = True
        try:
            super().keyPressEvent(event)
        finally:
            self._in_key = False
        self._moved_on = event.text().isdigit() and self.currentSectionIndex() != section

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._forget_typing()
        super().focusInEvent(event)

    def _set_elsewhere(self) -> None:
        """The date was set by the calendar or the program: nothing typed stands."""
        if not self._in_key:
            self._forget_typing()

    def _forget_typing(self) -> None:
        self._typed.clear()
        self._typing_in = None

    # -- the date typed -------------------------------------------------------------
    def typed_problem(self) -> str | None:
        """The date typed becomes the field's if it is a date in range; else why not."""
        if not self._typed:
            return None
        shown = self.date().toPython()
        parts = [int(self._typed[part]) if part in self._typed else int(value)
                 for part, value in ((YEAR, shown.year), (MONTH, shown.month), (DAY, shown.day))]
        text = f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}"
        try:
            typed = dt.date(*parts)
        except ValueError:
            return f"'{text}' is not a date"
        first, last = self.minimumDate().toPython(), self.maximumDate().toPython()
        if not first <= typed <= last:
            return f"'{text}' is outside {first.isoformat()} to {last.isoformat()}"
        self.setDate(typed)   # the one typed, whatever Qt made of it on the way
        return None
