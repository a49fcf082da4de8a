"""The timeline: events in lanes by category, numeric series, one date cursor.

The x axis is in day numbers (`viewer.model.dates.to_day`), labelled as dates
by `DateAxis` (viewer/qt/timeline_axes.py). The cursor writes to the state only
from `sigDragged` (a user's drag), never from `sigPositionChanged`, so moving it
to follow the state can never echo back.
"""
from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterator

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QVBoxLayout, QWidget

from viewer.model.dataset import SeriesKey, joined_steps, unit_period
from viewer.model.dates import NO_DAY, add_months, format_date, from_day, to_day
from viewer.model.state import Selection, ViewerState
from viewer.model.timeline import (CATEGORY_ORDER, EventMark, event_marks, focus_period,
                                   lane_order, series_date_precision, series_name, unit_label,
                                   value_text)
from viewer.model.unknowns import current_to_mark, current_to_text
from viewer.qt.cursor_view import CursorView, DateCursor
from viewer.qt.event_labels import EventLabels
from viewer.qt.span_bars import SpanBar, grouped
from viewer.qt.timeline_axes import (TEXT_PEN, DateAxis, DayLabel, TimeViewBox, ValueAxis,
                                     style_axis)

# Okabe–Ito colours (colour-blind safe), one per event category, lanes top to bottom.
CATEGORY_COLORS = dict(zip(CATEGORY_ORDER, ("#D55E00", "#CC79A7", "#009E73", "#0072B2", "#56B4E9",
                                            "#E69F00", "#000000", "#F0E442")))
OTHER_CATEGORY_COLOR = "#999999"
SERIES_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
CURSOR_COLOR = "#C00000"
BEYOND_DATA = QColor(230, 159, 0, 38)  # the days after the latest fact: a pale amber band
LEFT_AXIS_WIDTH = 96
LANE_HEIGHT = 11.5  # pixels per event lane, at least, where the timeline has room
LANE_NAME_PIXELS = 10  # the lanes' names: from the top of a 'd' to the foot of a 'y', 11 px
# Where it has not (a maximised window on a 1366x768 screen, a briefing of many event
# categories), lanes down to this, their names a pixel smaller than the lanes.
MIN_LANE_HEIGHT = 7
SERIES_ROW_HEIGHT = 18  # pixels per series plot (its title and axis come on top), at least
LABEL_STRIP = 1.7  # lanes' worth of space above the top lane, for the cursor's date


# -- the widget ----------------------------------------------------------------
class Timeline(QWidget):
    """Event lanes above one plot per unit of the visible series, with a shared date cursor.

    Signals: `series_value_clicked(SeriesKey, point)`: a series' value was clicked (the
    date moves to it too), for its sources to be shown."""

    series_value_clicked = Signal(object, object)

    def __init__(self, state: ViewerState, parent: QWidget | None = None, *,
                 shown_later: bool = False) -> None:
        """`shown_later`: the state's dataset is shown by `dataset_pieces`, not here."""
        super().__init__(parent)
        self.state = state
        self._shown_path = None  # the file shown: a new file fits the timeline, an edit keeps it
        self.view = CursorView()
        self.view.setBackground("w")
        self.view.ci.setSpacing(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

        self._x_limits: dict = {}   # the lanes' x limits, every row's too
        self.lanes = self._new_plot(row=0)
        self._lane_font = QFont()
        self._lane_font.setPixelSize(LANE_NAME_PIXELS)
        self.lanes.getAxis("left").setTickFont(self._lane_font)
        self.event_points = pg.ScatterPlotItem(hoverable=True, tip=self._event_tip,
                                               hoverPen=pg.mkPen("#000000", width=2))
        self.event_points.sigClicked.connect(self._event_points_clicked)
        # Thousands of markers: kept as a pixmap, so moving the cursor over
        # them copies it instead of drawing every marker again.
        self.event_points.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.lanes.addItem(self.event_points)
        self.event_labels = EventLabels()
        self.lanes.addItem(self.event_labels)
        # In and out points: a band the user can drag; playback and exports run inside it.
        self.play_range = pg.LinearRegionItem(brush=pg.mkBrush(192, 0, 0, 28),
                                              pen=pg.mkPen(CURSOR_COLOR, width=1, style=Qt.PenStyle.DashLine))
        self.play_range.setZValue(-5)
        self.play_range.setToolTip("In and out points: playback and exports run between them")
        self.play_range.sigRegionChangeFinished.connect(self._play_range_dragged)
        self.lanes.addItem(self.play_range, ignoreBounds=True)
        self.play_range.hide()
        self._selected_ring = pg.ScatterPlotItem(pen=pg.mkPen("#000000", width=2.5),
                                                 brush=None, size=24)
        self.lanes.addItem(self._selected_ring)
        self.cursors: list[pg.InfiniteLine] = []
        self.cursor = self._add_cursor(self.lanes)
        self._cursor_label = DayLabel(self.cursor, self._cursor_text, position=0.99,
                                      anchors=[(0, 0), (1, 0)], color=CURSOR_COLOR,
                                      fill=pg.mkBrush(255, 255, 255, 220))
        self.view.set_cursors(self.cursors)   # the label too
        self._marks: list[EventMark] = []
        self._spans: list[SpanBar] = []
        self._span_boxes: list[QGraphicsRectItem] = []
        self._lane_bands: list[QGraphicsRectItem] = []
        self._beyond_band: QGraphicsRectItem | None = None
        self._lane_of: dict[str, int] = {}
        self._lane_count = 1
        self._lane_pitch = LANE_HEIGHT
        self._lanes_top = 0.5 + LABEL_STRIP
        self.lanes.vb.sigResized.connect(self._resized)
        # Whether the whole time range is shown (fit) and stays so when the widget grows:
        # the window builds the timeline before giving it its size.
        self._whole_range = False
        self.lanes.vb.sigRangeChangedManually.connect(self._range_moved)
        self.series_plots: list[pg.PlotItem] = []

        state.dataset_changed.connect(self._show_dataset)
        state.series_changed.connect(self._show_series)
        state.date_changed.connect(self._show_date)
        state.selection_changed.connect(self._show_selection)
        state.play_range_changed.connect(self._show_play_range)
        if state.dataset is not None and not shown_later:
            self._show_dataset(state.dataset)

    # -- building ---------------------------------------------------------
    def _new_plot(self, row: int) -> pg.PlotItem:
        box = TimeViewBox()
        box.dayClicked.connect(self._day_clicked)
        # Zooming about the mouse may push the cursor out: slide back to keep it in view.
        box.wheelZoomed.connect(lambda: self._keep_visible(to_day(self.state.date)))
        plot = self.view.addPlot(row=row, col=0, viewBox=box,
                                 axisItems={"bottom": DateAxis(), "left": ValueAxis()})
        plot.hideButtons()
        plot.showGrid(x=True, alpha=0.12)
        plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
        for side in ("left", "bottom"):
            style_axis(plot.getAxis(side))
            # The grid is the axis's: kept as a pixmap, so the moving cursor copies it.
            plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        if row > 0:
            # The lanes' limits too: a series row dragged past them went on alone, and
            # its points stood under other dates than the axis's. Set before the link:
            # set after, the new row's clamped range (its 14 days at least) zoomed the lanes.
            plot.setLimits(**self._x_limits)
            plot.setXLink(self.lanes)
        return plot

    def _add_cursor(self, plot: pg.PlotItem) -> pg.InfiniteLine:
        line = DateCursor(angle=90, movable=True, pen=pg.mkPen(CURSOR_COLOR, width=2),
                          hoverPen=pg.mkPen(CURSOR_COLOR, width=4))
        line.setZValue(100)
        line.setToolTip("Current date: drag to move")
        line.sigDragged.connect(self._cursor_dragged)
        line.sigPositionChangeFinished.connect(lambda _line: self._show_date(self.state.date))
        plot.addItem(line, ignoreBounds=True)
        self.cursors.append(line)
        self.view.set_cursors(self.cursors)
        return line

    def _day_range(self) -> tuple[int, int, float]:
        """The dataset's first and last day numbers, and a margin to show around them."""
        dataset = self.state.dataset
        first, last = to_day(dataset.time_start), to_day(dataset.last_day)
        return first, last, max((last - first) * 0.02, 3)

    def dataset_pieces(self) -> Iterator[None]:
        """Show the state's dataset a piece at a time, the event loop running between
        pieces (the window's opening: at 100x the whole took 0.3-0.5 s). Meant for a
        timeline not yet on screen, which no paint sees half made."""
        return self._showing(self.state.dataset)

    def _show_dataset(self, dataset) -> None:
        for _ in self._showing(dataset):
            pass

    def _showing(self, dataset) -> Iterator[None]:
        first, last, margin = self._day_range()
        self.cursor.setBounds((first, last))
        self._x_limits = dict(xMin=first - margin * 4, xMax=last + margin * 4, minXRange=14)
        self.lanes.setLimits(**self._x_limits)
        row_of = self._show_lanes(dataset)
        yield
        if self.state.dataset is not dataset:
            return    # another dataset came meanwhile, and was shown whole
        self._show_event_items(row_of)
        yield
        if self.state.dataset is not dataset:
            return
        self._show_beyond_data(dataset)
        self._show_series()
        if dataset.path != self._shown_path:  # an edit of the same file keeps the user's zoom
            self.fit()
        self._shown_path = dataset.path
        self._show_date(self.state.date)
        self._cursor_label.valueChanged()  # on the same day, this dataset's mark may differ
        self._show_selection(self.state.selection)
        self._show_play_range(self.state.play_range)

    def _show_lanes(self, dataset) -> dict[str, int]:
        """The dataset's events, their labels and their lanes: each category's row
        (top first)."""
        for item in self._span_boxes + self._lane_bands:
            self.lanes.removeItem(item)
        self._span_boxes = []
        self._marks = event_marks(dataset.events)
        lanes = lane_order(m.category for m in self._marks) or ["events"]
        row_of = {category: len(lanes) - 1 - i for i, category in enumerate(lanes)}
        self._lane_of = {m.event_id: row_of[m.category] for m in self._marks}
        self._add_lane_bands(len(lanes))
        self.event_labels.set_events(self._marks, self._lane_of)
        return row_of

    def _show_event_items(self, row_of: dict[str, int]) -> None:
        """The events' markers and period bars in their lanes."""
        lanes = list(row_of)
        points = [m for m in self._marks if not m.is_span]
        brushes = {c: pg.mkBrush(CATEGORY_COLORS.get(c, OTHER_CATEGORY_COLOR)) for c in lanes}
        self.event_points.setData(
            x=[to_day(m.date) for m in points], y=[row_of[m.category] for m in points],
            size=[5 + 2.5 * m.importance for m in points], data=points,
            # One brush per category, shared: a brush object per point costs pyqtgraph
            # some 17 kB each (about 100 MB for 6,000 events).
            brush=[brushes[m.category] for m in points],
            pen=pg.mkPen("#333333", width=0.8))
        self._spans = [SpanBar(m, row_of[m.category],
                               CATEGORY_COLORS.get(m.category, OTHER_CATEGORY_COLOR), self._open_event)
                       for m in self._marks if m.is_span]
        self._span_boxes = grouped(self._spans)
        for box in self._span_boxes:
            self.lanes.addItem(box)
        self.lanes.getAxis("left").setTicks([[(row_of[c], c) for c in lanes], []])
        self._lane_count = len(lanes)
        self._fit_lanes()
        self._set_lane_pitch(self._lane_pitch)
        self.view.ci.layout.setRowStretchFactor(0, len(lanes))

    def _show_beyond_data(self, dataset) -> None:
        """Shade the days after the latest fact, titled "Data current to D"."""
        if self._beyond_band is not None:
            self.lanes.removeItem(self._beyond_band)
            self._beyond_band = None
        current_to = dataset.data_current_to
        if current_to is None:
            return
        start = to_day(current_to) + 0.5
        band = QGraphicsRectItem(QRectF(start, -0.5, 1e6, 1e3))
        band.setBrush(BEYOND_DATA)
        band.setPen(QPen(Qt.PenStyle.NoPen))
        band.setZValue(-9)
        band.setToolTip(f"{current_to_text(current_to)}: "
                        "dates from here on show the last known state")
        self.lanes.addItem(band, ignoreBounds=True)
        self._beyond_band = band

    def _add_lane_bands(self, count: int) -> None:
        far = 1e6  # wider than any dataset's day range, so bands never end on screen
        self._lane_bands = []
        for lane in range(0, count, 2):
            band = QGraphicsRectItem(QRectF(-far, lane - 0.5, 2 * far, 1.0))
            band.setBrush(QColor(0, 0, 0, 10))
            band.setPen(QPen(Qt.PenStyle.NoPen))
            band.setZValue(-10)
            self.lanes.addItem(band, ignoreBounds=True)
            self._lane_bands.append(band)

    def _show_series(self) -> None:
        for plot in self.series_plots:
            self.view.removeItem(plot)
        self.series_plots = []
        self.cursors = [self.cursor]
        self.view.set_cursors(self.cursors)
        first, last, _ = self._day_range()
        present = set(self.state.dataset.series_keys())
        shown = [key for key in self.state.visible_series if key in present]
        units: dict[str, list[SeriesKey]] = {}
        for key in shown:
            units.setdefault(key.unit, []).append(key)
        for row, (unit, keys) in enumerate(units.items(), start=1):
            plot = self._new_plot(row)
            plot.getAxis("left").setStyle(maxTextLevel=0)  # short plots: label major ticks only
            plot.setAutoVisible(y=True)
            plot.enableAutoRange(y=True)
            titles = [self._plot_series(plot, key, SERIES_COLORS[shown.index(key) % len(SERIES_COLORS)])
                      for key in keys]
            # The unit heads the row's title, not a label up the axis: a plot squeezed
            # to its minimum (a laptop screen) is shorter than the word, which then sat
            # beside the next plot's unit (pyqtgraph titles are HTML: escaped).
            plot.setTitle(f"<b>{html.escape(unit_label(unit))}</b>&nbsp;&nbsp;&nbsp;"
                          + "&nbsp;&nbsp;&nbsp;".join(titles), size="8pt", justify="left",
                          color=TEXT_PEN)
            # pyqtgraph gives a title 30 px; its one line of 8 pt needs its own height,
            # without the text's margins: at 1366x768 the two rows' 26 px spare go to
            # the event lanes.
            plot.titleLabel.item.document().setDocumentMargin(0)
            title_height = math.ceil(plot.titleLabel.item.boundingRect().height())
            plot.titleLabel.setMaximumHeight(title_height)
            plot.layout.setRowFixedHeight(0, title_height)
            self._add_cursor(plot).setBounds((first, last))
            plot.vb.setMinimumHeight(SERIES_ROW_HEIGHT)  # the title and axis come on top
            self.view.ci.layout.setRowStretchFactor(row, 4)
            self.series_plots.append(plot)
        for plot in [self.lanes] + self.series_plots:
            plot.showAxis("bottom", plot is ([self.lanes] + self.series_plots)[-1])
        self.updateGeometry()   # other rows, another sizeHint
        self._fit_lane_pitch_soon()
        self._show_date(self.state.date)

    def _plot_series(self, plot: pg.PlotItem, key: SeriesKey, color: str) -> str:
        """Draw one series; return its entry for the row's title (a key, in HTML)."""
        points = self.state.dataset.series_points(key)
        points = points[(points["day"] != NO_DAY) & points["value"].notna()]
        name = html.escape(series_name(points["label"].astype(str).tolist()) or key.series_id)
        derived = points["derived"].to_numpy(dtype=bool)
        sourced = points[~derived]
        # The line joins reported values only, never across a gap longer than the
        # series' own spacing nor past a derived value; derived ones stand apart, hollow.
        days = sourced["day"].to_numpy(float)
        joined = joined_steps(days, unit_period(key.unit), points["day"][derived].to_numpy(float))
        sourced_line = pg.PlotDataItem(days, sourced["value"].to_numpy(float),
                                       connect=joined.astype(np.int32),
                                       pen=pg.mkPen(color, width=2), symbol="o", symbolSize=7,
                                       symbolBrush=color, symbolPen=pg.mkPen(color))
        derived_marks = pg.PlotDataItem(points["day"][derived].to_numpy(float),
                                        points["value"][derived].to_numpy(float), pen=None,
                                        symbol="o", symbolSize=8, symbolBrush=pg.mkBrush("w"),
                                        symbolPen=pg.mkPen(color, width=2))
        plot.addItem(sourced_line)
        plot.addItem(derived_marks)
        tips = pg.ScatterPlotItem(points["day"].to_numpy(float), points["value"].to_numpy(float),
                                  data=list(points.itertuples()),
                                  size=12, pen=None, brush=pg.mkBrush(0, 0, 0, 0), hoverable=True,
                                  hoverPen=pg.mkPen(color, width=2),
                                  tip=lambda x, y, data: self._series_tip(key, data))
        tips.sigClicked.connect(lambda _item, spots, _ev: self._series_clicked(key, spots[0]))
        plot.addItem(tips)
        # Kept as pixmaps, as the event markers are: the cursor moving over them copies them.
        for item in (sourced_line.curve, sourced_line.scatter, derived_marks.scatter, tips):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        entry = f"<span style='color:{color}'>━●</span> {name}"
        first, last, _ = self._day_range()
        if not points["day"].between(first, last).any():
            entry += " <i>(no values in this dataset's period)</i>"
        if derived.any():
            entry += f" <span style='color:{color}'>○</span> derived (worked out, not reported)"
        return entry

    def _series_clicked(self, key: SeriesKey, spot) -> None:
        day = from_day(int(spot.pos().x()))
        months = {"month": 1, "year": 12}.get(series_date_precision(key.unit, day), 0)
        if months:   # a month's (a year's) figure: known at its end, as month-dated events are
            day = add_months(day.replace(day=1), months) - dt.timedelta(days=1)
        # The details panel shows the value now: a route or zone selected before stayed
        # highlighted on the map, its history under the value, as if the value were its.
        self.state.select(None)
        self._day_clicked(to_day(day))
        self.series_value_clicked.emit(key, spot.data())

    def _series_tip(self, key: SeriesKey, point) -> str:
        day = from_day(point.day)
        names = ", ".join(s["outlet"] or s["source_id"] for s in
                          self.state.dataset.source_records(point.source_ids))
        lines = [f"<b>{html.escape(str(point.label))}</b>",
                 f"{value_text(point.value)} {html.escape(unit_label(key.unit))}"
                 f" · {format_date(day, series_date_precision(key.unit, day))}"
                 + (" · <i>derived</i>" if point.derived else ""),
                 f"Sources: {html.escape(names or 'none named')}"]
        if isinstance(point.note, str) and point.note.strip():
            lines.append(html.escape(point.note))
        return "<br>".join(lines)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        # Every lane and series plot whole (the plots' minimum), not QGraphicsView's
        # 480 px: the dock, never that tall, took 480 for what the timeline needs and
        # left the evidence lane under it 1-3 px. Given more room, the timeline grows.
        plots = self.view.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize)
        return QSize(super().sizeHint().width(), math.ceil(plots.height()))

    # -- reading the state ------------------------------------------------
    def _show_date(self, date: dt.date) -> None:
        day = to_day(date)
        for line in self.cursors:
            line.setValue(day)  # the lanes' line rewrites its label
        self._keep_visible(day)

    def _cursor_text(self, day: int) -> str:
        if self.state.dataset is None:
            return ""
        date = from_day(day)
        mark = current_to_mark(self.state.dataset, date)
        return format_date(date) + (f" · {mark}" if mark else "")

    def _keep_visible(self, day: int) -> None:
        (left, right), _ = self.lanes.viewRange()
        if left <= day <= right:
            return
        width = right - left
        shift = day - right + 0.1 * width if day > right else day - left - 0.1 * width
        self._range_moved()
        self.lanes.setXRange(left + shift, right + shift, padding=0)

    def _range_moved(self, *_args) -> None:
        self._whole_range = False

    def _show_play_range(self, play_range) -> None:
        self.play_range.setVisible(play_range is not None)
        if play_range is not None:
            self.play_range.blockSignals(True)   # following the state: nothing to write back
            self.play_range.setRegion((to_day(play_range[0]), to_day(play_range[1])))
            self.play_range.blockSignals(False)

    def _play_range_dragged(self) -> None:
        first, last = self.play_range.getRegion()
        self.state.set_play_range(from_day(round(first)), from_day(round(last)))

    def _show_selection(self, selection: Selection | None) -> None:
        chosen = selection.feature_id if selection and selection.layer == "events" else None
        for bar in self._spans:
            bar.set_selected(bar.mark.event_id == chosen)
        ring = [m for m in self._marks if m.event_id == chosen and not m.is_span]
        self._selected_ring.setData(x=[to_day(m.date) for m in ring],
                                    y=[self._lane_of[m.event_id] for m in ring])

    def show_focus(self) -> None:
        period = focus_period(self.state.dataset)
        if period is not None:
            self.zoom_to(period[0], period[1])

    def show_year(self) -> None:
        """A year around the current date."""
        self.zoom_to(add_months(self.state.date, -6), add_months(self.state.date, 6))

    def zoom_to(self, first: dt.date, last: dt.date) -> None:
        """Show `first`..`last`, widened to the date cursor if it lies outside."""
        cursor = to_day(self.state.date)
        low, high = min(to_day(first), cursor), max(to_day(last), cursor)
        margin = max((high - low) * 0.02, 2)
        self._range_moved()
        self.lanes.setXRange(low - margin, high + margin, padding=0)

    def fit(self) -> None:
        """Show the dataset's whole time range and every lane."""
        first, last, margin = self._day_range()
        self.lanes.setXRange(first - margin, last + margin, padding=0)
        self._whole_range = True
        self._fit_lanes()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._fit_lane_pitch_soon()

    def _fit_lane_pitch_soon(self) -> None:
        """`_fit_lane_pitch` once the plots are laid out: after a resize, and after the
        lanes or the series plots change (another briefing, an edit, a series shown)."""
        QTimer.singleShot(0, self, self._fit_lane_pitch)

    def _fit_lane_pitch(self) -> None:
        """LANE_HEIGHT a lane where the timeline has room for it and all under the lanes at
        their least; else what room there is, down to MIN_LANE_HEIGHT: the date axis and
        the series plots stay on screen."""
        spare = sum(plot.vb.height() - plot.vb.minimumHeight() for plot in self.series_plots)
        others = self.view.ci.geometry().height() - self.lanes.vb.height() - spare
        room = (self.view.viewport().height() - others - self._cursor_label_height()) / self._lane_count
        self._set_lane_pitch(min(LANE_HEIGHT, max(MIN_LANE_HEIGHT, math.floor(room * 2) / 2)))
        # The plots laid out again in the view (a layout grown past it stays so otherwise).
        self.lanes.layout.invalidate()
        self.view.ci.layout.invalidate()
        self.view.ci.setGeometry(QRectF(self.view.viewport().rect()))

    def _set_lane_pitch(self, pitch: float) -> None:
        """Lanes at least `pitch` apart below the cursor's date (see _fit_lanes), their
        names a pixel less where that is under their usual size."""
        self._lane_pitch = pitch
        self.lanes.vb.setMinimumHeight(pitch * self._lane_count + self._cursor_label_height())
        name_pixels = min(LANE_NAME_PIXELS, math.floor(pitch) - 1)
        if self._lane_font.pixelSize() != name_pixels:
            self._lane_font.setPixelSize(name_pixels)
            self.lanes.getAxis("left").setTickFont(self._lane_font)

    def _resized(self, *_args) -> None:
        # pyqtgraph narrows the range when a view box grows; a scrub would then
        # scroll it (and place every event label again, 0.2 s at 100x).
        if self._whole_range and self.state.dataset is not None:
            first, last, margin = self._day_range()
            self.lanes.setXRange(first - margin, last + margin, padding=0)
        self._fit_lanes()

    def _fit_lanes(self, *_args) -> None:
        """Every lane, and above them a strip for the cursor's date: in lanes, more of
        them when the lanes are short, so that the date never covers the top lane's labels."""
        count, height = self._lane_count, self.lanes.vb.height()
        label = self._cursor_label_height()
        strip = LABEL_STRIP
        if height > label:
            strip = max(strip, label * count / (height - label))
        self._lanes_top = count - 0.5 + strip
        # Limits first: the previous dataset's would clamp a taller range (its top lane cut).
        self.lanes.setLimits(yMin=-0.5, yMax=self._lanes_top)
        self.lanes.setYRange(-0.5, self._lanes_top, padding=0)

    def _cursor_label_height(self) -> float:
        """Pixels the cursor's date takes above the top lane, with 2 px to spare."""
        return self._cursor_label.boundingRect().height() + 2

    # -- user gestures (the only writes) ----------------------------------
    def _cursor_dragged(self, line: pg.InfiniteLine) -> None:
        self.state.set_date(from_day(round(line.value())))

    def _day_clicked(self, x: float) -> None:
        self.state.set_date(from_day(round(x)))

    def _event_points_clicked(self, _item, spots, _ev) -> None:
        if len(spots):
            self._open_event(spots[0].data())

    def _open_event(self, mark: EventMark) -> None:
        self.state.select(Selection("events", mark.event_id))
        self.state.set_date(mark.date)

    @staticmethod
    def _event_tip(x, y, data) -> str:
        return data.tooltip()
