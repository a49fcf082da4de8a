"""Playback and stepping through time: a controller holding one QTimer.

The arithmetic (`advance`, `next_event_date`, `previous_event_date`) is plain
Python; the controller only adds the clock. Each tick advances by the time that
really elapsed × the speed, and the next tick is armed only after the state
(and so the map) has been updated, so frames the canvas cannot keep up with are
dropped instead of piling up.
"""
from __future__ import annotations

import bisect
import datetime as dt
import time

from PySide6.QtCore import QObject, QTimer, Signal

from viewer.model.dates import add_months
from viewer.model.state import ViewerState

TICK_MS = 40


def advance(date: dt.date, days: int, start: dt.date, end: dt.date,
            loop: bool) -> tuple[dt.date, bool]:
    """The date `days` after `date`, and whether playback goes on.

    Past `end` it stops at `end`, or with `loop` starts again from `start`.
    """
    moved = date + dt.timedelta(days=days)
    if moved <= end:
        return moved, True
    if loop:
        return start, True
    return end, False


def next_event_date(dates: list[dt.date], date: dt.date) -> dt.date | None:
    index = bisect.bisect_right(dates, date)
    return dates[index] if index < len(dates) else None


def previous_event_date(dates: list[dt.date], date: dt.date) -> dt.date | None:
    index = bisect.bisect_left(dates, date)
    return dates[index - 1] if index > 0 else None


class Playback(QObject):
    """Plays the state's date forward and steps it by day, month or event."""

    playing_changed = Signal(bool)

    def __init__(self, state: ViewerState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.speed = 1.0  # days per second
        self.loop = False
        self.playing = False
        self._last_tick = 0.0
        self._carry = 0.0  # the fraction of a day not shown yet
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        state.dataset_changed.connect(lambda _dataset: self.pause())

    # -- playing ----------------------------------------------------------
    def set_speed(self, days_per_second: float) -> None:
        self.speed = days_per_second

    def set_loop(self, loop: bool) -> None:
        self.loop = loop

    def play(self) -> None:
        if self.playing:
            return
        start, end = self.state.play_bounds()
        if not start <= self.state.date < end:
            self.state.set_date(start)  # play (again) from the in point
        self.playing = True
        self._last_tick = time.monotonic()
        self._carry = 0.0
        self._timer.start()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if not self.playing:
            return
        self.playing = False
        self._timer.stop()
        self.playing_changed.emit(False)

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def _tick(self) -> None:
        now = time.monotonic()
        self._carry += (now - self._last_tick) * self.speed
        self._last_tick = now
        days = int(self._carry)
        self._carry -= days
        start, end = self.state.play_bounds()
        date, going_on = advance(self.state.date, days, start, end, self.loop)
        self.state.set_date(date)
        if not self.playing:  # paused by a listener while the new date was shown
            return
        if going_on:
            self._timer.start()
        else:
            self.pause()

    # -- stepping (also while playing: playback goes on from the new date) --
    def step_days(self, days: int) -> None:
        self.state.set_date(self.state.date + dt.timedelta(days=days))

    def step_months(self, months: int) -> None:
        self.state.set_date(add_months(self.state.date, months))

    def next_event(self) -> None:
        self._go(next_event_date(self.state.dataset.event_dates(), self.state.date))

    def previous_event(self) -> None:
        self._go(previous_event_date(self.state.dataset.event_dates(), self.state.date))

    def go_to_start(self) -> None:
        self.state.set_date(self.state.dataset.time_start)

    def go_to_end(self) -> None:
        self.state.set_date(self.state.dataset.last_day)

    def _go(self, date: dt.date | None) -> None:
        if date is not None:
            self.state.set_date(date)
