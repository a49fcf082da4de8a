"""The timeline: dragging its cursor, clicking events, zooming, and what it draws."""
import datetime as dt

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from viewer.model.dataset import SeriesKey
from viewer.model.dates import to_day
from viewer.model.state import Selection, ViewerState
from viewer.model.timeline import series_name
from viewer.qt.timeline import Timeline
from viewer.qt.timeline_axes import ValueAxis, date_tick_levels

IMPORTS = SeriesKey("imports", "t_per_month")


@pytest.fixture(autouse=True)
def every_mouse_move():
    # pyqtgraph drops mouse moves closer together than 1/100 s; synthetic drags are faster.
    pg.setConfigOption("mouseRateLimit", -1)
    yield
    pg.setConfigOption("mouseRateLimit", 100)


@pytest.fixture
def timeline(qtbot, state):
    widget = Timeline(state)
    qtbot.addWidget(widget)
    widget.resize(1000, 360)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def pixel(timeline: Timeline, plot: pg.PlotItem, day: float, y: float) -> QPoint:
    """Where a (day, y) point of `plot` is on the timeline's viewport."""
    scene = plot.vb.mapViewToScene(QPointF(day, y))
    return timeline.view.mapFromScene(scene)


def lane_y(timeline: Timeline, category: str) -> float:
    ticks = timeline.lanes.getAxis("left")._tickLevels[0]
    return next(y for y, name in ticks if name == category)


def send_mouse(widget, kind, pos: QPoint, button, buttons) -> None:
    event = QMouseEvent(kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def drag(widget, start: QPoint, end: QPoint, steps: int = 12) -> None:
    left = Qt.MouseButton.LeftButton
    send_mouse(widget, QMouseEvent.Type.MouseMove, start, Qt.MouseButton.NoButton,
               Qt.MouseButton.NoButton)
    send_mouse(widget, QMouseEvent.Type.MouseButtonPress, start, left, left)
    for i in range(1, steps + 1):
        point = start + (end - start) * (i / steps)
        send_mouse(widget, QMouseEvent.Type.MouseMove, point, Qt.MouseButton.NoButton, left)
    send_mouse(widget, QMouseEvent.Type.MouseButtonRelease, end, left, Qt.MouseButton.NoButton)


def click(widget, pos: QPoint) -> None:
    left = Qt.MouseButton.LeftButton
    send_mouse(widget, QMouseEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton,
               Qt.MouseButton.NoButton)
    send_mouse(widget, QMouseEvent.Type.MouseButtonPress, pos, left, left)
    send_mouse(widget, QMouseEvent.Type.MouseButtonRelease, pos, left, Qt.MouseButton.NoButton)


def test_dragging_the_cursor_sets_the_date(timeline, state):
    state.set_date(dt.date(2024, 6, 1))
    y = lane_y(timeline, "trade")
    start = pixel(timeline, timeline.lanes, to_day(dt.date(2024, 6, 1)), y)
    end = pixel(timeline, timeline.lanes, to_day(dt.date(2024, 11, 15)), y)

    drag(timeline.view.viewport(), start, end)

    assert abs((state.date - dt.date(2024, 11, 15)).days) <= 2
    assert timeline.cursor.value() == to_day(state.date)


def test_a_date_set_in_the_model_moves_every_cursor_and_writes_nothing_back(timeline, state,
                                                                            monkeypatch):
    writes = []
    original = state.set_date
    monkeypatch.setattr(state, "set_date", lambda day: writes.append(day) or original(day))
    announced = []
    state.date_changed.connect(announced.append)

    ViewerState.set_date(state, dt.date(2024, 10, 19))  # the model itself, not a view

    assert announced == [dt.date(2024, 10, 19)]
    assert writes == []
    assert {line.value() for line in timeline.cursors} == {to_day(dt.date(2024, 10, 19))}


def test_clicking_an_event_jumps_to_its_date_and_selects_it(timeline, state):
    where = pixel(timeline, timeline.lanes, to_day(dt.date(2024, 10, 19)), lane_y(timeline, "control"))

    click(timeline.view.viewport(), where)

    assert state.date == dt.date(2024, 10, 19)
    assert state.selection == Selection("events", "e1")


def test_clicking_a_month_precision_event_selects_it_at_the_first_of_its_month(timeline, state):
    where = pixel(timeline, timeline.lanes, to_day(dt.date(2024, 10, 8)), lane_y(timeline, "trade"))

    click(timeline.view.viewport(), where)

    assert state.selection == Selection("events", "e2")
    assert state.date == dt.date(2024, 10, 1)


def test_clicking_a_series_value_unselects_the_route_the_panel_no_longer_shows(timeline, state,
                                                                            qtbot):
    """The panel showed the value, but the route stayed highlighted on the map and the
    panel's footer still gave the route's history."""
    from viewer.qt.details_panel import DetailsPanel

    panel = DetailsPanel(state)
    qtbot.addWidget(panel)
    timeline.series_value_clicked.connect(panel.show_series_value)
    state.select(Selection("flows", "r1"))
    [plot] = timeline.series_plots
    click(timeline.view.viewport(), pixel(timeline, plot, to_day(dt.date(2024, 8, 1)), 80.0))

    assert state.selection is None                   # nothing highlighted, no route's history
    assert "Imports" in panel.browser.toPlainText()  # the value, not the hint for no selection


@pytest.mark.parametrize("day, days_off, lanes_off", [
    (dt.date(2024, 10, 8), 0, 0.5),     # half a lane above the bar (between it and the lane above)
    (dt.date(2024, 10, 8), 0, -0.45),   # almost half a lane below it (the lanes end at -0.5)
    (dt.date(2024, 11, 1), 0.4, 0),     # a few pixels after its month ends, in its lane
])
def test_clicking_beside_a_bar_picks_that_day_and_selects_nothing(timeline, state, day, days_off,
                                                                  lanes_off):
    # Zoomed in, a day is some 10 px wide and a lane 30 px tall: the bar's outline,
    # 1.5 px on screen, must not make it clickable most of a day or a lane away.
    timeline.lanes.setXRange(to_day(dt.date(2024, 9, 1)), to_day(dt.date(2024, 12, 1)), padding=0)
    where = pixel(timeline, timeline.lanes, to_day(day) + days_off,
                  lane_y(timeline, "trade") + lanes_off)

    click(timeline.view.viewport(), where)

    assert state.date == day
    assert state.selection is None


def test_a_month_precision_event_is_drawn_as_a_bar_over_its_whole_month(timeline, state):
    timeline.lanes.setXRange(to_day(dt.date(2024, 9, 1)), to_day(dt.date(2024, 12, 1)), padding=0)
    state.set_date(dt.date(2024, 12, 1))  # keep the cursor out of the way
    timeline.event_labels.hide()           # and the labels: this is about the bar
    image = timeline.view.grab().toImage()
    y = lane_y(timeline, "trade")

    def colour(day: dt.date) -> QColor:
        return image.pixelColor(pixel(timeline, timeline.lanes, to_day(day), y))

    inside = [colour(dt.date(2024, 10, d)) for d in (3, 10, 16, 28)]
    outside = [colour(dt.date(2024, 9, 20)), colour(dt.date(2024, 11, 10))]
    assert all(c.green() > c.red() + 40 for c in inside)  # translucent Okabe–Ito green
    assert all(abs(c.green() - c.red()) < 10 for c in outside)  # grey lane band


def test_derived_points_are_hollow_and_sourced_points_filled(timeline, state):
    plot = timeline.series_plots[0]
    state.set_date(dt.date(2024, 1, 1))
    image = timeline.view.grab().toImage()

    derived = image.pixelColor(pixel(timeline, plot, to_day(dt.date(2024, 8, 1)), 80))
    sourced = image.pixelColor(pixel(timeline, plot, to_day(dt.date(2024, 2, 1)), 100))

    assert derived.lightness() > 230  # white centre
    assert sourced.blue() > 150 and sourced.red() < 60  # filled blue


def test_each_visible_series_unit_gets_a_plot_labelled_with_its_unit(timeline, state):
    [plot] = timeline.series_plots
    assert plot.titleLabel.text.startswith("<b>t/month</b>")   # heads its title, whatever its height

    state.set_series_visible(IMPORTS, False)
    assert timeline.series_plots == []

    state.set_series_visible(IMPORTS, True)
    assert len(timeline.series_plots) == 1


def test_the_wheel_zooms_time_and_not_the_lanes(timeline, qtbot):
    (left, right), lanes_before = timeline.lanes.viewRange()
    centre = pixel(timeline, timeline.lanes, (left + right) / 2, lane_y(timeline, "trade"))
    wheel = QWheelEvent(QPointF(centre), QPointF(timeline.view.mapToGlobal(centre)), QPoint(0, 0),
                        QPoint(0, 240), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(timeline.view.viewport(), wheel)

    (new_left, new_right), lanes_after = timeline.lanes.viewRange()
    assert new_right - new_left < 0.9 * (right - left)
    assert lanes_after == pytest.approx(lanes_before)


@pytest.mark.parametrize("low, high, labels", [
    (320.26, 10747.74, ["1,000", "10,000"]), # the embedded exports row at 1366x768
    (-5915.71, 19255.71, ["0", "19,000"]),   # the prices row: no "-5000" for its padding
])
def test_a_series_row_at_its_least_height_labels_two_values_apart(qapp, low, high, labels):
    """At 1366x768 each series row is 19 px: its axis showed one tick, "10000" over
    values of 3,326-7,742 and "0" on the CNY/kg row, and no value could be read."""
    axis, size = ValueAxis(), 19
    [(spacing, values)] = axis.tickValues(low, high, size)
    assert axis.tickStrings(values, 1, spacing) == labels
    bottom, top = ((v - low) / (high - low) * size for v in values)
    assert top - bottom >= 13      # pixels: a 9 pt label's height; the two do not overlap
    roomy = axis.tickValues(low, high, 200)[0][1]      # a taller row keeps its own ticks
    assert len([v for v in roomy if low <= v <= high]) >= 2


def test_date_labels_show_years_when_zoomed_out_and_days_when_zoomed_in():
    years = date_tick_levels(to_day(dt.date(2021, 1, 1)), to_day(dt.date(2026, 1, 1)), 600)
    assert years[0][1][:2] == [to_day(dt.date(2021, 1, 1)), to_day(dt.date(2022, 1, 1))]
    assert years[0][2](dt.date(2021, 1, 1)) == "2021"

    days = date_tick_levels(to_day(dt.date(2024, 10, 1)), to_day(dt.date(2024, 10, 31)), 1200)
    (_, months, month_label), (_, day_ticks, day_label) = days
    assert month_label(dt.date(2024, 10, 1)) == "Oct 2024"
    assert to_day(dt.date(2024, 10, 19)) in day_ticks and day_label(dt.date(2024, 10, 19)) == "19"


def test_a_series_is_named_by_what_its_point_labels_share():
    assert series_name(["Terbium oxide, China market, Oct 2021",
                        "Terbium oxide, China market, May 2024"]) == "Terbium oxide, China market"
    assert series_name(["China rare-earth exports, 2024 total"]) == "China rare-earth exports"


def test_lanes_fit_after_switching_datasets(timeline, state, tmp_path):
    from factory import tiny_layers, write_tiny
    from viewer.io import read_dataset
    from viewer.qt.timeline import LABEL_STRIP

    events = tiny_layers()["events"]
    events["category"] = "control"                                  # one lane, not two
    original = state.dataset
    state.set_dataset(read_dataset(write_tiny(tmp_path / "one.gpkg", events=events)))
    state.set_dataset(original)

    _, (bottom, top) = timeline.lanes.viewRange()
    assert (bottom, top) == pytest.approx((-0.5, 2 - 0.5 + LABEL_STRIP))  # both lanes whole
    timeline.lanes.setYRange(0, 0.5, padding=0)
    timeline.fit()                                              # "Fit all" puts them back
    assert timeline.lanes.viewRange()[1] == pytest.approx([-0.5, 2 - 0.5 + LABEL_STRIP])


def test_timeline_labels_important_events_without_overlap(qtbot):
    from viewer.cli.common import EMBEDDED_DATASET
    from viewer.io import read_dataset

    state = ViewerState(read_dataset(EMBEDDED_DATASET))
    timeline = Timeline(state)
    qtbot.addWidget(timeline)
    timeline.resize(1300, 300)
    timeline.show()
    qtbot.waitExposed(timeline)
    timeline.show_focus()                                      # the crisis: Sep 2024 on
    timeline.view.grab()

    placed = timeline.event_labels.placed()
    texts = [text for _, text in placed]
    assert "KIA storms Chipwe" in texts and "Kanpiketi falls" in texts
    boxes = [box for box, _ in placed]
    assert all(not a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert all(len(text) <= 32 for text in texts)
    # importance 3 first: any 3 left out was crowded out by another 3
    by_text = {c.text: c for c in timeline.event_labels._candidates}
    assert by_text[texts[0]].importance == 3



def test_a_label_is_left_out_only_where_it_would_touch_one_placed_before_it():
    """Crowded lanes (closer together than a label is tall, as at 100x): each label is
    kept exactly when it clears every label kept before it by the gap (QRectF's test)."""
    import random

    from PySide6.QtCore import QRectF

    from viewer.qt.event_labels import LABEL_GAP, choose_labels

    pick = random.Random(3)
    boxes = [(pick.uniform(0, 900), 8.0 * pick.randrange(12), pick.uniform(20, 90), 13.0)
             for _ in range(3000)]
    chosen = set(choose_labels(boxes))
    kept: list[QRectF] = []
    for index, box in enumerate(boxes):
        clear = not any(QRectF(*box).intersects(other) for other in kept)
        assert (index in chosen) == clear
        if clear:
            kept.append(QRectF(*box).adjusted(-LABEL_GAP, 0, LABEL_GAP, 0))
    assert 50 < len(kept) < len(boxes)

def test_zoom_presets_keep_the_cursor_in_view(timeline, state):
    state.set_date(dt.date(2024, 10, 19))
    timeline.show_year()
    (left, right), _ = timeline.lanes.viewRange()
    assert 350 <= right - left <= 390 and left < to_day(state.date) < right

    timeline.lanes.setXRange(to_day(dt.date(2024, 1, 1)), to_day(dt.date(2024, 2, 1)), padding=0)
    timeline.zoom_to(dt.date(2024, 3, 1), dt.date(2024, 6, 1))      # the cursor lies after it
    (left, right), _ = timeline.lanes.viewRange()
    assert left <= to_day(dt.date(2024, 3, 1)) and right > to_day(state.date)

    timeline.lanes.setXRange(to_day(dt.date(2024, 10, 1)), to_day(dt.date(2024, 11, 1)), padding=0)
    wheel_at = pixel(timeline, timeline.lanes, to_day(dt.date(2024, 10, 2)), lane_y(timeline, "trade"))
    for _ in range(6):                     # zoom in hard about a point far from the cursor
        event = QWheelEvent(QPointF(wheel_at), QPointF(timeline.view.viewport().mapToGlobal(wheel_at)),
                            QPoint(0, 0), QPoint(0, 240), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(timeline.view.viewport(), event)
    (left, right), _ = timeline.lanes.viewRange()
    assert left <= to_day(state.date) <= right



def on_screen(timeline: Timeline) -> QImage:
    """The timeline's viewport as last painted on screen (not painted again for this)."""
    viewport = timeline.view.viewport()
    window = QApplication.primaryScreen().grabWindow(timeline.window().winId()).toImage()
    return window.copy(QRect(viewport.mapTo(timeline.window(), QPoint(0, 0)), viewport.size()))


def red_columns(image: QImage, y: int) -> list[int]:
    return [x for x in range(image.width()) if image.pixelColor(x, y).name() == "#c00000"]


def test_scrubbing_leaves_no_trail_of_cursors_and_shows_what_a_whole_repaint_shows(timeline, state,
                                                                                  qtbot):
    # The view keeps its picture without the cursors and repaints only where they were
    # and are: every old cursor and date label must be gone from the screen.
    viewport = timeline.view.viewport()
    y = pixel(timeline, timeline.lanes, 0, lane_y(timeline, "trade")).y()
    for day in (dt.date(2024, 6, 1), dt.date(2021, 3, 1), dt.date(2025, 12, 20), dt.date(2023, 1, 9),
                dt.date(2024, 6, 2)):
        state.set_date(day)
        qtbot.wait(100)
        shown = on_screen(timeline)
        assert shown == viewport.grab().toImage().convertToFormat(shown.format())
        cursor_x = pixel(timeline, timeline.lanes, to_day(state.date), 0).x()
        assert red_columns(shown, y) and all(abs(x - cursor_x) <= 2 for x in red_columns(shown, y))


def test_the_cursor_thickens_under_the_mouse(timeline, state, qtbot):
    state.set_date(dt.date(2024, 6, 1))
    qtbot.wait(50)
    y = pixel(timeline, timeline.lanes, 0, lane_y(timeline, "trade")).y()
    before = len(red_columns(on_screen(timeline), y))
    timeline.cursor.setMouseHover(True)
    qtbot.waitUntil(lambda: len(red_columns(on_screen(timeline), y)) > before)
    timeline.cursor.setMouseHover(False)
    qtbot.waitUntil(lambda: len(red_columns(on_screen(timeline), y)) == before)


def test_in_and_out_points_set_on_the_cursors_day_show_at_once(timeline, state, qtbot):
    # A change under the cursor alone, as narrow as it: not taken for the cursor's own.
    state.set_date(dt.date(2024, 6, 1))
    qtbot.wait(100)
    state.set_play_range(dt.date(2024, 6, 1), dt.date(2024, 6, 1))
    qtbot.wait(100)
    shown = on_screen(timeline)
    assert shown == timeline.view.viewport().grab().toImage().convertToFormat(shown.format())


def test_a_series_row_dragged_past_the_lanes_limit_stays_on_their_dates(timeline, state):
    """Dragged in the series row, the lanes stopped at their limit and the row went on:
    its points stood under other dates than the axis said."""
    assert timeline.series_plots
    plot = timeline.series_plots[0]
    state.set_date(dt.date(2024, 1, 5))
    rect = plot.vb.sceneBoundingRect()
    start = timeline.view.mapFromScene(QPointF(rect.left() + rect.width() * 0.8, rect.center().y()))
    end = timeline.view.mapFromScene(QPointF(rect.left() + rect.width() * 0.05, rect.center().y()))
    for _ in range(3):                   # far past the end of the data
        drag(timeline.view.viewport(), start, end)
    assert plot.vb.viewRange()[0] == pytest.approx(timeline.lanes.vb.viewRange()[0])


def test_an_events_span_is_the_period_its_date_stands_for():
    """The timeline's bars and the map's markers read a month-, quarter- or year-dated
    event's days by one rule (viewer/model/periods.py); an end date lengthens the bar."""
    import pandas as pd

    from viewer.model.timeline import event_marks

    events = pd.DataFrame({"event_id": ["d", "m", "q", "y", "e"], "title": ["t"] * 5,
                           "date": ["2024-11-20", "2024-11-01", "2024-11-01", "2024-01-01", "2024-11-01"],
                           "date_precision": ["day", "month", "quarter", "year", "month"],
                           "end_date": [None, None, None, None, "2025-01-15"],
                           "category": ["trade"] * 5, "importance": [1] * 5})
    spans = {m.event_id: m.span_days() for m in event_marks(events)}

    def day(year: int, month: int, number: int) -> int:
        return to_day(dt.date(year, month, number))

    assert spans == {"d": (day(2024, 11, 20), day(2024, 11, 21)),
                     "m": (day(2024, 11, 1), day(2024, 12, 1)),
                     "q": (day(2024, 10, 1), day(2025, 1, 1)),
                     "y": (day(2024, 1, 1), day(2025, 1, 1)),
                     "e": (day(2024, 11, 1), day(2025, 1, 16))}


def test_series_values_on_an_axis_are_written_with_thousands_separators(qapp):
    """The axis wrote "14000" (and a million "1e+06") beside the panel's "9,076.4"."""
    axis = ValueAxis()
    assert axis.tickStrings([0, 14_000, 1_000_000], 1, 2_000) == ["0", "14,000", "1,000,000"]
    assert axis.tickStrings([0.5, 1.5], 1, 0.5) == ["0.5", "1.5"]
