"""A date field that records the date typed, or says why it cannot.

Qt's QDateEdit takes a date one part at a time and never shows a date it cannot
take: after four year digits it moves on to the month, and the '-' typed next
moved on again ("2025-03-01" became 2025-10-03); typed over a selection of more
than one part (Ctrl+A), the old year was kept; a digit that would make an
impossible or out-of-range date at that moment is dropped or changed
("2025-02-30" became 3 Feb, "2025-04-31" 30 Apr, and "2021-03-15" typed over a
2025 date kept 2025: its 2021-01-15 on the way lay before the range).

So what is typed into the field from the moment it gets the keys (or from
Ctrl+A), digits and separators only, is kept; when the field is left, or its
value asked for, a whole date typed so is the field's if it is one and in range,
and the reason it is not otherwise (`typed_problem`); a date pasted whole is
taken as typed. Any other key (Backspace, arrows), a click in the text or a
change the keys did not make ends that: the field's own date stands, as shown.
"""
from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFocusEvent, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QDateEdit, QWidget

from viewer.model.dates import parse_typed_date

# A whole date as typed: 2025-03-01, 2025-3-1, 2025/3/1, 20250301.
WHOLE_DATE = re.compile(r"(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})")
SEPARATORS = ("-", "/", ".")


class IsoDateEdit(QDateEdit):
    """A date field showing YYYY-MM-DD (unambiguous in any locale), with a calendar."""

    PARTS = ((5, QDateEdit.Section.YearSection), (8, QDateEdit.Section.MonthSection),
             (11, QDateEdit.Section.DaySection))   # where each part of yyyy-MM-dd ends

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setCalendarPopup(True)
        self._moved_on = False
        self._typed: str | None = None     # digits and separators typed; None: not followed
        self._typed_shows = ""             # the field's text after the last of them
        self._problem: str | None = None   # why the date typed is not the field's
        self._in_key = False
        self.dateChanged.connect(self._set_elsewhere)
        # A day picked in the calendar, even the one shown, replaces what was typed.
        self.calendarWidget().clicked.connect(lambda _day: self._set_elsewhere())
        self.lineEdit().installEventFilter(self)

    # -- typing -------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        chord = event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                     | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier)
        typed = bool(text) and text.isprintable() and not chord   # a character typed, not a shortcut
        if event.matches(QKeySequence.StandardKey.SelectAll):
            self._begin()
        elif event.matches(QKeySequence.StandardKey.Paste):
            self._paste()
            return
        elif typed:   # digits, separators, and "20 Mar 2025" alike
            self._forget_problem()
        elif event.key() not in _QUIET_KEYS:
            self._typed = None    # Backspace, arrows: the field's own date stands
            self._forget_problem()
        if self._moved_on and text in SEPARATORS:
            # Qt moved on to the next part itself: the separator typed for that move is it.
            self._moved_on = False
            self._follow(text)
            return
        line = self.lineEdit()
        if text.isdigit() and len(line.selectedText()) > 4:   # more than one part
            start = line.selectionStart()
            self.setSelectedSection(next(part for end, part in self.PARTS if start < end))
        section = self.currentSectionIndex()
        self._in_key = True
        try:
            super().keyPressEvent(event)
        finally:
            self._in_key = False
        if typed:
            self._follow(text)
        self._moved_on = text.isdigit() and self.currentSectionIndex() != section

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 (Qt API): Tab, Shift+Tab
        """Tab between the parts: a separator in what is typed. A Tab typed for the move
        Qt made itself after a part's last digit is that move (it skipped the month)."""
        if self._in_key:   # a separator typed: Qt moves on by itself, the key is followed
            return super().focusNextPrevChild(next)
        if next and self._moved_on:
            self._moved_on = False
            self._follow("-")
            return True
        section = self.currentSectionIndex()
        moved = super().focusNextPrevChild(next)
        if self.currentSectionIndex() != section:
            if next:
                self._follow("-")
            else:
                self._typed = None   # back to an earlier part: Qt's part by part from here
        return moved

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        # A click in the text puts the cursor in a part: what is typed then is Qt's, part
        # by part, and digits it drops there must not make a date ("2024", a click in the
        # month, "25" recorded 2024-02-05 beside a field showing 2024-05-20).
        if watched is self.lineEdit() and event.type() == QEvent.Type.MouseButtonPress:
            self._typed = None
            self._forget_problem()
        return super().eventFilter(watched, event)

    def _paste(self) -> None:
        """A date pasted whole is taken as typed whole: Qt made 2025-02-28 of a pasted
        2025-02-30, and ignored a pasted 20250301."""
        pasted = QGuiApplication.clipboard().text().strip()
        self._forget_problem()
        self._typed, self._typed_shows = pasted, self.lineEdit().text()
        if WHOLE_DATE.fullmatch(pasted) is None:
            self._typed = None
            self._refuse(f"'{pasted[:40]}' is not a date")

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._begin()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._settle()   # left: the date typed is the field's now, or its problem is kept
        super().focusOutEvent(event)

    def _begin(self) -> None:
        self._typed, self._typed_shows = "", self.lineEdit().text()

    def _follow(self, text: str) -> None:
        if self._typed is not None:
            self._typed += text
            self._typed_shows = self.lineEdit().text()

    def _set_elsewhere(self) -> None:
        """The date was set by the calendar or the program: nothing typed stands."""
        if not self._in_key:
            self._typed = None
            self._forget_problem()

    # -- the date typed -------------------------------------------------------------
    def typed_problem(self) -> str | None:
        """Settle the date typed (see the module); why it is not the field's, if it is not."""
        self._settle()
        if self._problem is None and not self.hasAcceptableInput():
            # A part emptied ("2025-03-"): the date Qt keeps is not the one shown.
            self._refuse(f"'{self.lineEdit().text()}' is not a whole date")
        return self._problem

    def _settle(self) -> None:
        typed, self._typed = self._typed, None
        if not typed or self.lineEdit().text() != self._typed_shows:
            return   # nothing typed whole here, or the text changed otherwise: as shown
        whole = WHOLE_DATE.fullmatch(typed)
        if whole is None and not any(c.isalpha() or c.isspace() for c in typed):
            if sum(typed.count(s) for s in SEPARATORS) >= 2 or len(typed) > 10:
                self._refuse(f"'{typed}' is not a date")
            return
        try:
            day = dt.date(*map(int, whole.groups())) if whole else _worded_date(typed)
        except ValueError:
            hint = "" if whole else ": type 2025-10-24 or 24 Oct 2025"
            self._refuse(f"'{typed}' is not a date{hint}")
            return
        first, last = self.minimumDate().toPython(), self.maximumDate().toPython()
        if not first <= day <= last:
            self._refuse(f"'{typed}' is outside {first.isoformat()} to {last.isoformat()}")
        elif day != self.date().toPython():
            self.setDate(day)   # the one typed, whatever Qt made of it on the way

    def _refuse(self, problem: str) -> None:
        self._problem = problem
        self.lineEdit().setStyleSheet("color: #b00020;")
        self.lineEdit().setToolTip(problem)

    def _forget_problem(self) -> None:
        if self._problem:
            self._problem = None
            self.lineEdit().setStyleSheet("")
            self.lineEdit().setToolTip("")


def _worded_date(typed: str) -> dt.date:
    """"24 Oct 2025" or "Oct 24, 2025", as the Date box takes it; a day must be given (a
    form's date is a day: "Oct 2025" would be its first, which nobody typed)."""
    if len(re.findall(r"\d+", typed)) < 2:
        raise ValueError(typed)
    return parse_typed_date(typed)


# Keys that type nothing and change nothing: they do not end the typing followed.
_QUIET_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta,
               Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab,
               Qt.Key.Key_CapsLock}
