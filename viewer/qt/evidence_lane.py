"""The evidence lane under the timeline: how many sources back each month's facts, and
the dark periods where no sourced fact exists at all.

A bar per month (height: distinct sources behind that month's events, control
changes and series values); dark periods shaded and labelled. Hovering a month
lists its sources (plain text: dataset text is never markup). The lane's time
axis follows the timeline's. The counting runs on a worker thread (0.4 s at
100x), so the window answers clicks meanwhile; the bars appear when it is done.
"""
from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QVBoxLayout, QWidget

from viewer.model.coverage import DARK_DAYS, Coverage, MonthCoverage, coverage
from viewer.model.dates import add_months, format_date, to_day
from viewer.model.state import ViewerState
from viewer.qt.dialogs import plain_tooltip
from viewer.qt.loader import Worker

BAR = QColor("#5C7A99")
DARK = QColor(60, 60, 60, 70)
LANE_HEIGHT = 32       # at most: bars of a tenth of the busiest month's still show
MIN_LANE_HEIGHT = 16   # at least, in a window too short for the timeline and the lane
LABEL_ROOM = 7         # pixels above the tallest bar: the top half of the peak's label
LEFT_AXIS_WIDTH = 96   # the timeline's, so both time axes line up
MAX_LISTED = 12        # sources named in a month's tooltip before "and N more"


def month_tooltip(month: MonthCoverage, dataset, starting_sources: tuple[str, ...] = ()) -> str:
    counts = month.counts
    lines = [f"<b>{format_date(month.month, 'month')}</b>: {month.sources} source"
             f"{'' if month.sources == 1 else 's'} behind {counts['events']} events, "
             f"{counts['control_changes']} control changes, {counts['series_values']} series values"
             + (f" (the starting state's {counts['starting_state']} control rows are counted apart)"
                if counts["starting_state"] else "")]
    if counts["starting_state"] and starting_sources:
        lines.append(_starting_sources_line(starting_sources, dataset))
    records = dataset.source_records(";".join(month.source_ids[:MAX_LISTED]))
    lines += [html.escape(f"• {r.get('outlet') or r['source_id']}: {r.get('title') or ''}")
              for r in records]
    if month.sources > MAX_LISTED:
        lines.append(f"… and {month.sources - MAX_LISTED} more")
    return "<br>".join(lines)


def _starting_sources_line(source_ids: tuple[str, ...], dataset) -> str:
    """Who the starting state's rows cite, and where all of them are listed: the tooltip
    said only that they were "counted apart", naming none."""
    outlets = list(dict.fromkeys(str(r.get("outlet") or r["source_id"])
                                 for r in dataset.source_records(";".join(source_ids))))
    named = ", ".join(outlets[:MAX_LISTED]) + (
        f" and {len(outlets) - MAX_LISTED} more" if len(outlets) > MAX_LISTED else "")
    return html.escape(f"Behind the starting state, in no month: {len(source_ids)} sources from "
                       f"{len(outlets)} outlets ({named}); all listed by "
                       "`kachin-viewer coverage --json` (starting_state_source_ids)")


class MonthBar(QGraphicsRectItem):
    def __init__(self, rect: QRectF, brush: QBrush, tooltip: str) -> None:
        super().__init__(rect)
        self.setBrush(brush)
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setToolTip(tooltip)


class EvidenceLane(QWidget):
    """Sources per month and dark periods, under (and x-linked to) `timeline_plot`."""

    def __init__(self, state: ViewerState, timeline_plot: pg.PlotItem,
                 dark_days: int = DARK_DAYS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.dark_days = dark_days
        self.view = pg.PlotWidget(background="w")
        self.plot = self.view.getPlotItem()
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.hideAxis("bottom")
        left = self.plot.getAxis("left")
        left.setWidth(LEFT_AXIS_WIDTH)
        # One tick, at the busiest month, read across ("52 sources"): a rotated axis
        # title and numbers every 20 need twice the lane's height to be read.
        self.plot.layout.setContentsMargins(1, LABEL_ROOM, 1, 1)
        self.plot.setXLink(timeline_plot)
        self._timeline_plot = timeline_plot
        self.setMinimumHeight(MIN_LANE_HEIGHT)
        self.setMaximumHeight(LANE_HEIGHT)
        self._tooltip = ("Sources behind each month's facts; shaded: dark periods "
                         f"(over {dark_days} days with no sourced fact)")
        self.view.setToolTip(self._tooltip)
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#C00000", width=1.5))
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self._items: list = []
        self.report: Coverage | None = None
        self._counting = Worker(self, daemon=True)     # only the latest dataset's count shows
        self._counting.finished.connect(self._show_report)
        self._counting.failed.connect(self._count_failed)
        self._when_shown: list[Callable[[], None]] = []
        self._counting_done = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        state.dataset_changed.connect(self._show_dataset)
        state.date_changed.connect(self._show_date)
        if state.dataset is not None:   # the state starts empty; a dataset arrives later
            self._show_dataset(state.dataset)

    def when_shown(self, then: Callable[[], None]) -> None:
        """Call `then` once the shown dataset's bars are drawn (now, if they are), or
        those of a dataset shown after it (an edit's)."""
        if self._counting_done:
            then()
        else:
            self._when_shown.append(then)

    def _show_dataset(self, dataset) -> None:
        # The last bars stay until the new count replaces them (an edit does not blink
        # the lane); a call waiting for bars waits for these.
        self.report = None
        self._counting_done = False
        dark_days = self.dark_days
        self._counting.start(lambda _progress: coverage(dataset, dark_days))

    def _show_report(self, report: Coverage) -> None:
        for item in self._items:
            self.plot.removeItem(item)
        self.view.setToolTip(self._tooltip)
        self.report = report
        dataset = self.state.dataset
        peak = max((m.sources for m in report.months), default=0)
        self.plot.getAxis("left").setTicks(
            [[(peak, f"{peak} source{'' if peak == 1 else 's'}")] if peak else []])
        peak = peak or 1
        self._items = [self._bar(m, dataset) for m in report.months if m.sources]
        self._items += [self._dark(p.start, p.end, peak) for p in report.dark_periods]
        for item in self._items:
            self.plot.addItem(item)
        self.plot.setYRange(0, peak * 1.05, padding=0)
        # The timeline's x limits too: dragged past them, the lane went on alone.
        x_min, x_max = self._timeline_plot.getViewBox().state["limits"]["xLimits"]
        self.plot.setLimits(yMin=0, yMax=peak * 1.05, xMin=x_min, xMax=x_max)
        self._show_date(self.state.date)
        self._counted()

    def _count_failed(self, error: Exception) -> None:
        self.view.setToolTip(plain_tooltip(f"Sources per month could not be counted: {error}"))
        self._counted()

    def _counted(self) -> None:
        self._counting_done = True
        waiting, self._when_shown = self._when_shown, []
        for then in waiting:
            then()

    def _bar(self, month: MonthCoverage, dataset) -> MonthBar:
        first, last = to_day(month.month), to_day(add_months(month.month, 1))
        rect = QRectF(first + 2, 0, last - first - 4, month.sources)
        return MonthBar(rect, QBrush(BAR), month_tooltip(month, dataset, self.report.starting_sources))

    def _dark(self, start: dt.date, end: dt.date, peak: int) -> MonthBar:
        days = (end - start).days
        tooltip = (f"<b>Dark period</b>: {format_date(start)} – "
                   f"{format_date(end - dt.timedelta(days=1))}, {days} days with no sourced fact")
        bar = MonthBar(QRectF(to_day(start), 0, days, peak * 1.05),
                       QBrush(DARK, Qt.BrushStyle.BDiagPattern), tooltip)
        bar.setZValue(-5)
        return bar

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(super().sizeHint().width(), LANE_HEIGHT)

    def _show_date(self, date: dt.date) -> None:
        self.cursor.setValue(to_day(date))
