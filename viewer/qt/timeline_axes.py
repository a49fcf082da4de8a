"""The timeline's axes, view box and cursor label: dates labelled as years, months
or days by zoom; series values spaced to fit a short plot; panning and zooming in
time only; the cursor's day written beside it."""
from __future__ import annotations

import datetime as dt
import math
from typing import Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

from viewer.model.dates import add_months, format_date, from_day, to_day

AXIS_PEN = "#555555"
TEXT_PEN = "#222222"
VALUE_LABEL_PIXELS = 16  # a series value's label and some air, on its axis
VALUE_LABEL_HEIGHT = 13  # the label alone, as pyqtgraph measures it (0.8 of its 9 pt box)
MONTH_SPACING = 30.44
YEAR_SPACING = 365.25
MIN_LABEL_GAP = 34  # pixels between two tick labels before a coarser level is used


# -- date ticks --------------------------------------------------------------
def _year_label(day: dt.date) -> str:
    return str(day.year)


def _month_year_label(day: dt.date) -> str:
    return format_date(day, "month")


def _month_label(day: dt.date) -> str:
    return format_date(day, "month")[:3]


def _day_label(day: dt.date) -> str:
    return str(day.day)


def _year_starts(first: dt.date, last: dt.date, step: int) -> list[int]:
    return [to_day(dt.date(year, 1, 1)) for year in range(first.year, last.year + 1)
            if year % step == 0 and first <= dt.date(year, 1, 1) <= last]


def _month_starts(first: dt.date, last: dt.date, step: int) -> list[int]:
    days, month = [], dt.date(first.year, first.month, 1)
    while month <= last:
        if month >= first and (month.month - 1) % step == 0:
            days.append(to_day(month))
        month = add_months(month, 1)
    return days


def _day_starts(first: dt.date, last: dt.date, step: int) -> list[int]:
    count = (last - first).days + 1
    days = (first + dt.timedelta(days=i) for i in range(count))
    # Weekly ticks fall on the 1st, 8th, 15th and 22nd, so every month starts afresh.
    return [to_day(d) for d in days if (d.day - 1) % step == 0 and (step == 1 or d.day + step <= 29)]


def date_tick_levels(first: float, last: float, pixels: float):
    """Tick levels `(spacing, day numbers, label)` for a visible range, coarsest first.

    Days when a day is wide enough, then weeks, months, quarters, and years in
    steps of 1, 2, 5, 10…, so labels never crowd whatever the zoom.
    """
    per_day = pixels / max(last - first, 1e-6)
    low = from_day(math.ceil(first))
    high = from_day(math.floor(last))
    if per_day >= MIN_LABEL_GAP * 0.7:
        levels = [(MONTH_SPACING, _month_starts(low, high, 1), _month_year_label),
                  (1.0, _day_starts(low, high, 1), _day_label)]
    elif per_day * 7 >= MIN_LABEL_GAP * 0.7:
        levels = [(MONTH_SPACING, _month_starts(low, high, 1), _month_year_label),
                  (7.0, _day_starts(low, high, 7), _day_label)]
    elif per_day * MONTH_SPACING >= MIN_LABEL_GAP:
        levels = [(YEAR_SPACING, _year_starts(low, high, 1), _year_label),
                  (MONTH_SPACING, _month_starts(low, high, 1), _month_label)]
    elif per_day * 3 * MONTH_SPACING >= MIN_LABEL_GAP:
        levels = [(YEAR_SPACING, _year_starts(low, high, 1), _year_label),
                  (3 * MONTH_SPACING, _month_starts(low, high, 3), _month_label)]
    else:
        step = next((s for s in (1, 2, 5, 10, 20, 50, 100)
                     if per_day * YEAR_SPACING * s >= MIN_LABEL_GAP * 1.3), 200)
        return [(YEAR_SPACING * step, _year_starts(low, high, step), _year_label)]
    (major_spacing, major, major_label), (minor_spacing, minor, minor_label) = levels
    taken = set(major)
    return [(major_spacing, major, major_label),
            (minor_spacing, [d for d in minor if d not in taken], minor_label)]


class DateAxis(pg.AxisItem):
    """A bottom axis over day numbers, labelled as years, months or days by zoom.

    Kept instead of pyqtgraph's DateAxisItem, which was tried (over day numbers
    x 86400 s, UTC): a one-month view got the ticks "04 09 14 19 24 29" with no
    month or year anywhere on the axis, where this one shows "Oct 2024" and the
    1st, 8th, 15th, 22nd; its multi-year views matched (issue 12).
    """

    def __init__(self) -> None:
        super().__init__("bottom")
        self._labels: dict[float, Callable[[dt.date], str]] = {}

    def tickValues(self, minVal, maxVal, size):  # noqa: N802, N803 (pyqtgraph API)
        levels = date_tick_levels(minVal, maxVal, size)
        self._labels = {spacing: label for spacing, _, label in levels}
        return [(spacing, days) for spacing, days, _ in levels]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph API)
        label = self._labels.get(spacing, _day_label)
        return [label(from_day(round(v))) for v in values]


class ValueAxis(pg.AxisItem):
    """A series plot's value axis: on a short plot (a laptop screen) fewer values
    are labelled, spaced so that their text never runs together."""

    def __init__(self) -> None:
        super().__init__("left")

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802, N803 (pyqtgraph API)
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels:
            return levels
        room = max(size / VALUE_LABEL_PIXELS, 1.0)   # labels that fit, one above the other
        spacing, offset = levels[0]
        for factor in (1, 2, 5, 10, 20, 50):
            if abs(maxVal - minVal) / (spacing * factor) < room:
                break
        return levels if factor == 1 else [(spacing * factor, offset)]

    def tickValues(self, minVal, maxVal, size):  # noqa: N802, N803 (pyqtgraph API)
        """The spaced ticks; where they leave fewer than two labels (a row squeezed to
        its least height: one "10000" over values of 3,326-7,742 could not be read),
        two round values near the row's bottom and top instead."""
        levels = super().tickValues(minVal, maxVal, size)
        labelled = [v for v in (levels[0][1] if levels else []) if minVal <= v <= maxVal]
        if len(labelled) >= 2 or not maxVal > minVal:
            return levels
        return [end_ticks(minVal, maxVal, size)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph API)
        """Values written as the details panel writes them, "14,000": pyqtgraph wrote
        "14000" (and a million as "1e+06"), which read apart from the panel's "9,076.4"."""
        places = max(0, math.ceil(-math.log10(spacing * scale)))
        return [f"{value * scale:,.{places}f}" for value in values]


def end_ticks(low: float, high: float, size: float) -> tuple[float, list[float]]:
    """(spacing, [bottom, top]): round values, in steps of a tenth of the range's order
    of magnitude, just inside each end of [low, high]. Zero when the range spans it:
    the padding below a series of prices dips under zero, and "-5000" would read as
    a value."""
    step = 10.0 ** (math.floor(math.log10(high - low)) - 1)
    bottom, top = math.ceil(low / step) * step, math.floor(high / step) * step
    if low < 0 < high and (top / (high - low)) * size >= VALUE_LABEL_HEIGHT:
        bottom = 0.0   # the labels still stand a label's height apart
    return step, [bottom, top]


class TimeViewBox(pg.ViewBox):
    """A view box that pans and zooms in time only; a click on empty space picks a day."""

    dayClicked = Signal(float)
    wheelZoomed = Signal()

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=True, y=False)

    def mouseClickEvent(self, ev):  # noqa: N802 (pyqtgraph API)
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.dayClicked.emit(self.mapSceneToView(ev.scenePos()).x())
        else:
            super().mouseClickEvent(ev)

    def wheelEvent(self, ev, axis=None):  # noqa: N802 (pyqtgraph API)
        super().wheelEvent(ev, axis)
        self.wheelZoomed.emit()

    def itemBoundsChanged(self, item):  # noqa: N802 (pyqtgraph API)
        # Only the items added without ignoreBounds count in the auto range. pyqtgraph
        # redoes it, and repaints the whole box, when any item moves: the date cursor
        # at every date, in each series plot (whose values are auto-ranged). That
        # repaint was about 0.7 ms of each scrub step at 100x.
        if item in self.addedItems:
            super().itemBoundsChanged(item)


class DayLabel(pg.InfLineLabel):
    """The date cursor's label: `describe(day)` for the day the line is on.

    pyqtgraph's label fills a format string with the line's value; a day number
    needs writing as a date. Written here, as the line moves, the text is laid out
    once a step (a new format after each move laid it out twice: 0.1 ms a scrub step).
    """

    def __init__(self, line: pg.InfiniteLine, describe: Callable[[int], str], **kwds) -> None:
        super().__init__(line, describe, **kwds)

    def valueChanged(self) -> None:  # noqa: N802 (pyqtgraph API)
        if self.isVisible():
            self.setText(self.format(round(self.line.value())))
            self.updatePosition()


def style_axis(axis: pg.AxisItem) -> None:
    axis.setPen(AXIS_PEN)
    axis.setTextPen(TEXT_PEN)
