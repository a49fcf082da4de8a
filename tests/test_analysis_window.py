"""Compare mode, the route-crossing overlay and the evidence lane in the window."""
import datetime as dt

import pytest
from factory import tiny_layers, write_layers
from PySide6.QtCore import QSettings

from test_main_window import KIA_BLUE, open_window, pixels, where
from viewer.model.dates import to_day
from viewer.model.state import Selection
from viewer.qt.evidence_lane import MonthBar, month_tooltip

B = dt.date(2024, 11, 1)


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    layers = tiny_layers()
    layers["sources"].loc[1, "title"] = "<b>bold</b> & <script>x</script>"
    return open_window(qtbot, settings, write_layers(layers, tmp_path / "t.gpkg"), B)


def kia_pixels(window) -> int:
    return int(where(KIA_BLUE, pixels(window.map.grab().toImage())).sum())


def test_compare_mode_lists_the_changes_and_puts_a_second_cursor_on_the_timeline(window):
    tools = window.analysis
    tools.set_date_a(dt.date(2024, 9, 1))
    items = [tools.panel.changes.item(i).text() for i in range(tools.panel.changes.count())]
    assert items == ["Easttown zone: held by SAC → held by KIA (gained by KIA; lost by SAC)",
                     "r1: active → halted"]
    assert window.changes_dock.isVisible()
    assert tools.cursor_a in window.timeline.lanes.items
    assert tools.cursor_a.value() == to_day(dt.date(2024, 9, 1))
    # Both ends' sources are in the tooltip, escaped.
    tooltip = tools.panel.changes.item(0).toolTip()
    assert "Outlet B" in tooltip and "&lt;script&gt;" in tooltip and "<script>" not in tooltip
    tools.stop_compare()
    assert tools.cursor_a not in window.timeline.lanes.items
    assert tools.panel.changes.count() == 0


def test_scrubbing_to_before_a_tells_the_change_in_time_order(window):
    """With A after the shown date, the zone the junta held before was said to be
    'gained by SAC; lost by KIA'."""
    tools = window.analysis
    tools.set_date_a(dt.date(2024, 11, 1))
    window.state.set_date(dt.date(2024, 9, 1))
    items = [tools.panel.changes.item(i).text() for i in range(tools.panel.changes.count())]
    assert items[0] == "Easttown zone: held by SAC → held by KIA (gained by KIA; lost by SAC)"
    assert tools.panel.header.text().startswith("What changed from 1 Sep 2024 (B) to 1 Nov 2024 (A)")
    # Each end of the tooltip names its own letter: the earlier end was called "(A)".
    tooltip = tools.panel.changes.item(0).toolTip()
    assert "On 1 Sep 2024 (B)" in tooltip and "On 1 Nov 2024 (A)" in tooltip


def test_compare_mode_dims_what_did_not_change(window):
    before = kia_pixels(window)
    window.analysis.set_date_a(dt.date(2024, 9, 1))
    window.map.repaint()
    assert kia_pixels(window) > before * 0.8     # the changed (KIA) zone stays strong
    image = pixels(window.map.grab().toImage())
    window.analysis.stop_compare()
    plain = pixels(window.map.grab().toImage())
    assert image.mean() > plain.mean() + 5       # the veil lightens the rest of the map


def test_the_change_list_follows_the_shown_date_and_selects_on_click(window, qtbot):
    tools = window.analysis
    tools.set_date_a(dt.date(2024, 9, 1))
    window.state.set_date(dt.date(2024, 10, 20))   # KIA took the east zone; the route still ran
    assert tools.panel.changes.count() == 1
    tools.panel._clicked(tools.panel.changes.item(0))
    assert window.state.selection == Selection("control", "zone-east")   # the zone, not its row


def test_crossing_overlay_lists_the_zones_a_clicked_route_crosses(window):
    window.analysis.crossing_action.setChecked(True)
    window.state.select(Selection("flows", "r1"))
    text = window.details.browser.toPlainText()
    assert "Derived" in text
    assert "Westtown zone" in text and "Easttown zone" in text
    assert "held by Kachin Independence Army" in text and "Outlet B" in text
    window.analysis.crossing_action.setChecked(False)
    assert "Derived" not in window.details.browser.toPlainText()


def test_crossing_overlay_names_and_draws_an_estimated_holding_as_less_certain(window):
    """The west zone's row is only estimated: the list said "held by Junta" as for the
    confirmed east zone and the map drew both segments solid."""
    from PySide6.QtCore import Qt

    window.analysis.crossing_action.setChecked(True)
    window.state.select(Selection("flows", "r1"))
    text = window.details.browser.toPlainText()
    assert "held by Junta (estimated)" in text
    assert "held by Kachin Independence Army (confirmed)" in text
    layer = window.analysis._crossing
    [(west, _), (east, _)] = layer.segments
    assert [text for _, text in layer.legend_rows()][:2] == [
        "Held by Junta (estimated)", "Held by Kachin Independence Army (confirmed)"]
    estimated, confirmed = (layer._pens(layer._key(s), 1.0)[0] for s in (west, east))
    assert estimated.style() == Qt.PenStyle.CustomDashLine and estimated.color().alphaF() < 1
    assert confirmed.style() == Qt.PenStyle.SolidLine and confirmed.color().alphaF() == 1


def test_evidence_lane_shows_sources_per_month_and_dark_periods(window):
    lane = window.evidence_lane
    bars = [i for i in lane.plot.items if isinstance(i, MonthBar)]
    tips = [bar.toolTip() for bar in bars]
    october = [t for t in tips if t.startswith("<b>Oct 2024</b>")]
    assert october and "2 sources behind 3 events, 1 control changes" in october[0]
    assert "&lt;script&gt;" in october[0] and "<script>" not in october[0]
    assert any(t.startswith("<b>Dark period</b>: 2 Feb 2024") for t in tips)
    window.state.set_date(dt.date(2024, 7, 1))
    assert lane.cursor.value() == to_day(dt.date(2024, 7, 1))


def test_month_tooltip_names_at_most_a_dozen_sources(window):
    month = window.evidence_lane.report.months[9]
    assert month_tooltip(month, window.state.dataset).count("•") == month.sources


def test_scrubbing_in_compare_mode_reuses_the_comparison_while_no_row_changes(window):
    tools = window.analysis
    tools.set_date_a(dt.date(2024, 9, 1))
    first = tools._compared
    window.state.set_date(dt.date(2024, 11, 2))      # no row starts or ends in between
    assert tools._compared.zones is first.zones
    assert "to 2 Nov 2024 (B)" in tools.panel.header.text()
    window.state.set_date(dt.date(2024, 10, 20))     # the route's halt (22 Oct) is undone
    assert len(tools._compared.routes) == 0


def test_compare_with_an_impossible_typed_date_says_so_instead_of_comparing_another(
        window, qtbot, monkeypatch):
    """"2024-02-30" typed as date A compared with 3 Feb (Qt drops a digit it cannot take)."""
    from test_edit_window import accepted_after_typing

    from viewer.qt.analysis import CompareDateDialog

    dialog = CompareDateDialog(window.state, window)
    qtbot.addWidget(dialog)
    told = accepted_after_typing(monkeypatch, dialog, dialog.edit, "2024-02-30")
    assert told == ["'2024-02-30' is not a date"] and dialog.result() != dialog.DialogCode.Accepted
    accepted_after_typing(monkeypatch, dialog, dialog.edit, "2024-02-29")
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.date() == dt.date(2024, 2, 29)


def test_the_first_months_bar_names_the_starting_states_sources(qtbot, tmp_path):
    """Its tooltip said the starting state's 28 control rows "and their sources are
    counted apart", naming no source and no place where they are listed."""
    from viewer.resources import EMBEDDED_DATASET

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    lane = open_window(qtbot, settings, EMBEDDED_DATASET).evidence_lane
    qtbot.waitUntil(lambda: lane.report is not None, timeout=30_000)
    [tip] = [i.toolTip() for i in lane.plot.items
             if isinstance(i, MonthBar) and i.toolTip().startswith("<b>Feb 2021</b>")]
    assert "the starting state's 28 control rows are counted apart" in tip
    assert f"{len(lane.report.starting_sources)} sources from " in tip
    assert "The Irrawaddy" in tip and "Radio Free Asia" in tip
    assert "kachin-viewer coverage --json" in tip


def test_the_compare_dialog_opens_at_the_date_already_compared_with(window, qtbot, monkeypatch):
    """In compare mode, Ctrl+K offered one month before the shown date, not the date A the
    map was being compared with."""
    from PySide6.QtWidgets import QDialog

    from viewer.qt.analysis import CompareDateDialog

    offered = []

    def exec_(dialog):
        offered.append(dialog.date())
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(CompareDateDialog, "exec", exec_)
    window.analysis.ask_compare()
    window.analysis.set_date_a(dt.date(2024, 3, 1))
    window.analysis.ask_compare()
    assert offered == [dt.date(2024, 10, 1), dt.date(2024, 3, 1)]


def test_in_compare_mode_the_maps_date_label_names_both_dates(window, monkeypatch):
    """The label said only "as of 1 Nov 2024" over a map of the changes since 1 Sep."""
    from viewer.render.overlay import OverlayLayout

    said = []
    paint_date = OverlayLayout.paint_date
    monkeypatch.setattr(OverlayLayout, "paint_date",
                        lambda self, painter, text, mark="": said.append(text)
                        or paint_date(self, painter, text, mark))
    window.analysis.set_date_a(dt.date(2024, 9, 1))
    window.map.repaint()
    assert said[-1] == "as of 1 Nov 2024 · compared with 1 Sep 2024"
    window.analysis.stop_compare()
    window.map.repaint()
    assert said[-1] == "as of 1 Nov 2024"
