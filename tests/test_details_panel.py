"""The details panel: what a clicked thing is, when it held, and its sources."""
import datetime as dt

import pytest
from PySide6.QtCore import QUrl

from factory import tiny_layers, write_tiny
from viewer.io import read_dataset
from viewer.model.state import Selection, ViewerState
from viewer.qt import dialogs
from viewer.qt.details_panel import DetailsPanel


@pytest.fixture
def panel(qtbot, state):
    widget = DetailsPanel(state)
    qtbot.addWidget(widget)
    return widget


def shown(panel: DetailsPanel) -> str:
    return panel.browser.toPlainText()


def test_a_control_area_shows_holder_period_confidence_sources_and_events(panel, state):
    state.set_date(dt.date(2024, 11, 1))
    state.select(Selection("control", "zone-east"))

    text = shown(panel)
    assert "Easttown zone" in text
    assert "A zone nearest Easttown, not a surveyed boundary." in text
    assert "Held by" in text and "Kachin Independence Army" in text
    assert "from 19 Oct 2024 — ongoing (no end recorded)" in text
    assert "confirmed" in text
    assert "Outlet A: Report one, 20 Oct 2024" in text and "https://a.example/1" in text
    assert "Outlet B: Report two (X), date not given" in text
    assert "19 Oct 2024: KIA takes Easttown" in text


def test_a_route_shows_its_ends_status_period_and_unknown_volume(panel, state):
    state.set_date(dt.date(2024, 11, 1))
    state.select(Selection("flows", "r1"))

    text = shown(panel)
    assert "Route r1" in text and "Westtown → Easttown" in text
    assert "halted" in text
    assert "from 22 Oct 2024 — ongoing" in text
    assert "volume unknown" in text
    assert "22 Oct 2024: Gate closes" in text


def test_a_month_precision_event_is_dated_by_its_month_only(panel, state):
    state.select(Selection("events", "e2"))

    text = shown(panel)
    assert "Month-only event" in text
    assert "Oct 2024" in text and "1 Oct 2024" not in text
    assert "Outlet B" in text


def test_a_place_shows_kind_coordinates_and_its_events(panel, state):
    state.select(Selection("places", "east"))

    text = shown(panel)
    assert "Easttown" in text and "border crossing" in text
    assert "25.250° N, 97.750° E" in text
    assert "KIA takes Easttown" in text and "Gate closes" in text


def test_nothing_selected_shows_a_hint_and_an_unknown_id_says_so(panel, state):
    assert "Click an area" in shown(panel)
    state.select(Selection("control", "nope"))
    assert "nope is not in this dataset" in shown(panel)


def test_text_from_the_dataset_is_shown_as_text_not_markup(qtbot, tmp_path):
    events = tiny_layers()["events"]
    events.loc[0, "title"] = "<b>bold</b><img src='https://tracker.example/x.png'>"
    state = ViewerState(read_dataset(write_tiny(tmp_path / "html.gpkg", events=events)))
    panel = DetailsPanel(state)
    qtbot.addWidget(panel)

    state.select(Selection("events", "e1"))

    assert "<b>bold</b><img src='https://tracker.example/x.png'>" in shown(panel)


def test_dates_in_the_panel_jump_and_web_links_open_only_in_the_browser(panel, state, monkeypatch):
    opened = []
    monkeypatch.setattr(dialogs.QDesktopServices, "openUrl", opened.append)  # one opener for every window
    state.select(Selection("control", "zone-east"))

    panel.browser.anchorClicked.emit(QUrl("day:2024-10-19"))
    panel.browser.anchorClicked.emit(QUrl("https://a.example/1"))
    panel.browser.anchorClicked.emit(QUrl("file:///etc/passwd"))

    assert state.date == dt.date(2024, 10, 19)
    assert opened == [QUrl("https://a.example/1")]


def test_details_panel_follows_the_date(panel, state):
    state.set_date(dt.date(2024, 11, 1))
    state.select(Selection("control", "zone-east"))
    assert "Held by" in shown(panel) and "Kachin Independence Army" in shown(panel).split("History")[0]

    state.set_date(dt.date(2024, 6, 1))

    now, history = shown(panel).split("History")
    assert "Junta" in now and "Kachin Independence Army" not in now
    assert "from 1 Jan 2024 until 19 Oct 2024" in now
    # the whole history, oldest first, the row holding now marked
    assert history.index("Junta") < history.index("Kachin Independence Army")
    assert "▶ now: from 1 Jan 2024 until 19 Oct 2024: held by" in history


def test_details_panel_says_when_no_sourced_control_holds(qtbot, tmp_path):
    control = tiny_layers()["control"]
    control.loc[1, "valid_from"] = "2024-03-01"      # nothing sourced for the east zone before March
    state = ViewerState(read_dataset(write_tiny(tmp_path / "gap.gpkg", control=control)))
    panel = DetailsPanel(state)
    qtbot.addWidget(panel)
    state.set_date(dt.date(2024, 11, 1))
    state.select(Selection("control", "zone-east"))

    state.set_date(dt.date(2024, 2, 1))

    now, history = shown(panel).split("History")
    assert "No sourced information: no sourced control on this date." in now and "Held by" not in now
    assert "▶" not in history and history.count("held by") == 2


def test_a_route_is_described_as_it_is_on_the_date(panel, state):
    state.select(Selection("flows", "r1"))
    state.set_date(dt.date(2024, 6, 1))
    assert "active" in shown(panel).split("History")[0]
    state.set_date(dt.date(2024, 11, 1))
    assert "halted" in shown(panel).split("History")[0]


def test_a_series_value_is_named_by_its_label_and_dated_as_precisely_as_its_data(qtbot):
    """The Series row read `dysprosium_oxide_cny_per_kg`, and the header said "a week in
    late Nov 2024" over a Date row of "Nov 2024"."""
    from viewer.model.dataset import SeriesKey
    from viewer.resources import EMBEDDED_DATASET

    state = ViewerState(read_dataset(EMBEDDED_DATASET))
    panel = DetailsPanel(state)
    qtbot.addWidget(panel)
    key = SeriesKey("dysprosium_oxide_cny_per_kg", "CNY_per_kg")
    points = state.dataset.series_points(key)
    point = next(points[points["label"].str.contains("late Nov 2024")].itertuples())

    panel.show_series_value(key, point)

    header, *cells = shown(panel).splitlines()
    assert header == "Dysprosium oxide, Nov 2024"
    rows = dict(zip(cells[0:-1:2], cells[1::2]))
    assert rows["Date"] == "Nov 2024"
    assert rows["Series"] == "Dysprosium oxide (dysprosium_oxide_cny_per_kg)"
