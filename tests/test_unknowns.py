"""What the data does not say, shown as such: zones with no sourced control, routes
with no sourced status, dates past the latest fact, gaps in series, labels that
read as their own place's. Checked on the embedded Kachin dataset and on tiny ones."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
import shapely
from factory import tiny_layers, write_layers
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage

from viewer.cli import EMBEDDED_DATASET, main
from viewer.export.options import ExportOptions
from viewer.export.png import export_png
from viewer.io import read_dataset
from viewer.model.dataset import joined_steps, unit_period
from viewer.model.dates import to_day
from viewer.model.state import Selection
from viewer.qt.details_panel import describe
from viewer.render import style
from viewer.render.layers import Frame
from viewer.render.overlay import EXPORT, SCREEN, date_label
from viewer.render.places_image import PlacesImage
from viewer.render.renderer import MapRenderer

AFTER_DATA = dt.date(2026, 11, 30)
IN_DATA = dt.date(2025, 6, 1)
MAP_ONLY = {"places": False, "labels": False, "events": False}


@pytest.fixture(scope="module")
def kachin():
    return read_dataset(EMBEDDED_DATASET)


@pytest.fixture(scope="module")
def kachin_renderer(kachin, qapp):
    return MapRenderer(kachin)


def inside(dataset, area_id: str) -> tuple[float, float]:
    """A point well inside a zone, away from its edges."""
    zone = dataset.areas.set_index("area_id").loc[area_id].geometry
    point = zone.buffer(-0.05).representative_point()
    return point.x, point.y


def state_json(capsys, day: str) -> dict:
    assert main(["state", "--date", day, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def pixel_of(renderer, view, lon, lat) -> QPointF:
    x, y = renderer.projector.points([lon], [lat])
    px, py = view.to_pixels(x, y)
    return QPointF(float(px[0]), float(py[0]))


def patch(image: QImage, center: QPointF, half: int = 10) -> np.ndarray:
    return np.array([[image.pixelColor(int(center.x()) + dx, int(center.y()) + dy).getRgb()[:3]
                      for dx in range(-half, half + 1)] for dy in range(-half, half + 1)], float)


# -- the date past the data ------------------------------------------------------
def test_state_json_after_the_data_carries_the_mark(capsys):
    late = state_json(capsys, "2026-11-30")
    assert late["data_current_to"] == "2026-03-16"
    assert late["current_to_mark"] == "Data current to 16 Mar 2026"
    assert late["control"]                      # the last known state is still shown
    early = state_json(capsys, "2025-06-01")
    assert early["current_to_mark"] is None


def test_png_after_the_data_carries_the_mark_in_its_text_metadata(kachin, kachin_renderer,
                                                                   tmp_path):
    options = ExportOptions(width=800, height=500)
    late = QImage(str(export_png(kachin, AFTER_DATA, tmp_path / "late.png", options,
                                 renderer=kachin_renderer)))
    assert late.text("Data current to") == "2026-03-16"
    assert late.text("Current to mark").startswith("Data current to 16 Mar 2026")
    assert "last known state" in late.text("Title")
    early = QImage(str(export_png(kachin, IN_DATA, tmp_path / "early.png", options,
                                  renderer=kachin_renderer)))
    assert early.text("Current to mark") == ""
    assert "as of 1 Jun 2025" in early.text("Title")


def test_map_draws_the_mark_only_after_the_data(kachin_renderer):
    view = kachin_renderer.default_view(1200, 800, 1.0, SCREEN)
    late = kachin_renderer.render_image(view, AFTER_DATA, decorations=SCREEN)
    same_rows = kachin_renderer.render_image(view, dt.date(2026, 3, 16), decorations=SCREEN)
    layout = kachin_renderer._frame_cache.layout
    box = layout.mark_rect
    assert not box.isNull()
    amber = np.array(style.CURRENT_TO_PANEL.getRgb()[:3], float)
    centre = QPointF(box.left() + 4, box.center().y())
    assert np.abs(patch(late, centre, 2) - amber).sum(axis=2).min() < 10
    assert np.abs(patch(same_rows, centre, 2) - amber).sum(axis=2).min() > 10


def test_timeline_runs_to_today_and_its_cursor_says_how_current(kachin, qtbot):
    from viewer.model.state import ViewerState
    from viewer.qt.timeline import Timeline

    assert kachin.last_day >= dt.date.today()
    state = ViewerState(kachin)
    timeline = Timeline(state)
    qtbot.addWidget(timeline)
    assert state.set_date(AFTER_DATA)
    assert "Data current to 16 Mar 2026" in timeline._cursor_label.toPlainText()
    state.set_date(IN_DATA)
    assert "Data current to" not in timeline._cursor_label.toPlainText()


# -- zones with no sourced control ----------------------------------------------
def test_zone_with_no_control_is_drawn_neutral_and_listed_in_the_legend(kachin_renderer):
    view = kachin_renderer.default_view(1400, 1000, 1.0, SCREEN)
    at = pixel_of(kachin_renderer, view, *inside(kachin_renderer.dataset, "zone-hopin"))
    shown = patch(kachin_renderer.render_image(view, IN_DATA, MAP_ONLY, decorations=SCREEN), at)
    hidden = patch(kachin_renderer.render_image(view, IN_DATA, {**MAP_ONLY, "control": False},
                                                decorations=SCREEN), at)
    dots = np.array(style.NO_INFO.getRgb()[:3], float)
    assert np.abs(shown - dots).sum(axis=2).min() < 60       # grey dots are there
    assert np.abs(hidden - dots).sum(axis=2).min() > 60      # and are not the base map
    spread = shown.max(axis=2) - shown.min(axis=2)
    assert np.median(spread) < 15            # grey, no actor's hue (rivers show through)
    legend = kachin_renderer.legend_content(view, IN_DATA)
    assert legend.no_info and legend.disputed


def test_clicking_a_zone_with_no_control_says_so(kachin, kachin_renderer):
    view = kachin_renderer.default_view(1400, 1000, 1.0, SCREEN)
    at = pixel_of(kachin_renderer, view, *inside(kachin, "zone-hopin"))
    hit = kachin_renderer.hit_test(view, at, IN_DATA, MAP_ONLY)
    assert hit == Selection("control", "zone-hopin")   # the zone, whatever holds today
    text = describe(kachin, hit, IN_DATA)
    assert "No sourced information" in text
    assert "No control is sourced for this zone on any date" in text


def test_a_zone_silent_on_some_dates_lists_its_history_on_others(tmp_path, qapp):
    layers = tiny_layers()
    layers["control"].loc[0, "valid_to"] = "2024-06-01"   # the west zone goes silent
    dataset = read_dataset(write_layers(layers, tmp_path / "t.gpkg"))
    text = describe(dataset, Selection("control", "zone-west"), dt.date(2024, 8, 1))
    assert "No sourced information" in text and "Junta" in text and "1 Jun 2024" in text


# -- routes ------------------------------------------------------------------------
def test_route_with_no_status_is_drawn_faint_not_dropped(kachin, kachin_renderer, capsys):
    day = dt.date(2026, 1, 10)           # Mai Ja Yang's gate is not in the reopening report
    assert "mai-ja-yang-gate" in state_json(capsys, day.isoformat())["routes_status_unknown"]
    view = kachin_renderer.default_view(1400, 1000, 1.0, EXPORT)
    row = list(kachin_renderer.prepared.flows.ids).index("mai-ja-yang-gate-1")
    middle = shapely.line_interpolate_point(kachin_renderer.prepared.flows.projected[row], 0.5,
                                            normalized=True)
    px, py = view.to_pixels(np.array([middle.x]), np.array([middle.y]))
    at = QPointF(float(px[0]), float(py[0]))
    faint = np.array(style.ROUTE_UNKNOWN.getRgb()[:3], float)
    drawn = patch(kachin_renderer.render_image(view, day, MAP_ONLY), at, 3)
    off = patch(kachin_renderer.render_image(view, day, {**MAP_ONLY, "flows": False}), at, 3)
    assert np.abs(drawn - faint).sum(axis=2).min() < 40
    assert np.abs(drawn - off).sum() > 0
    legend = kachin_renderer.legend_content(view, day)
    assert legend.unknown_routes and "reported" in legend.route_confidences


def test_route_confidence_sets_the_lightness_of_its_line(kachin_renderer):
    confirmed, estimated = (style.ROUTE_CONFIDENCE_COLOR[c] for c in ("confirmed", "estimated"))
    assert confirmed.lightness() + 60 < estimated.lightness()
    legend = kachin_renderer.legend_content(kachin_renderer.default_view(1400, 1000),
                                            dt.date(2023, 6, 1))
    assert "estimated" in legend.route_confidences


# -- series gaps ---------------------------------------------------------------------
def test_series_line_is_not_drawn_across_a_gap_longer_than_its_spacing():
    monthly = np.array([0, 31, 59, 90, 455, 486], float)   # a year missing in the middle
    assert joined_steps(monthly).tolist() == [True, True, True, False, True, False]
    assert joined_steps(np.array([5.0])).tolist() == [False]


def test_a_rate_per_month_is_never_joined_across_a_month_without_a_value(kachin):
    """Sparse monthly figures have a median step of two months: the line ran from
    Dec 2024 to Mar 2025 straight through two months of no data."""
    assert unit_period("t_per_month") == 31 and unit_period("USD_per_year") == 366
    assert unit_period("CNY_per_kg") is None and unit_period("t_cumulative_ytd") is None
    key = next(k for k in kachin.series_keys() if k.series_id == "china_re_exports_t")
    points = kachin.series_points(key)
    days = points.loc[~points["derived"], "day"].to_numpy(float)
    joined = joined_steps(days, unit_period(key.unit))[:-1]
    assert joined.any() and (np.diff(days)[joined] <= 31 * 1.5).all()
    assert joined_steps(days)[:-1][np.diff(days) > 60].any()   # the median alone joined some


def test_a_line_is_not_drawn_past_a_derived_value():
    monthly = np.array([0, 31, 92, 123], float)
    assert joined_steps(monthly, 31, breaks=np.array([61.0])).tolist() == [True, False, True, False]
    assert joined_steps(np.array([0, 31, 62], float), 31, breaks=np.array([31.0])).tolist() == \
        [True, True, False]                               # a derived value on a reported day
    assert joined_steps(np.array([0, 31, 62], float), 31, breaks=np.array([40.0])).tolist() == \
        [True, False, False]


def test_a_rate_per_day_or_per_year_reported_monthly_is_a_monthly_series():
    monthly = np.array([0, 31, 59, 90, 610], float)       # then 17 months without a value
    assert joined_steps(monthly, unit_period("trucks_per_day")).tolist() == \
        [True, True, True, False, False]
    assert joined_steps(monthly, unit_period("USD_per_year")).tolist() == \
        [True, True, True, False, False]


def test_terbium_line_has_no_segment_over_a_long_gap(kachin):
    key = next(k for k in kachin.series_keys() if k.series_id == "terbium_oxide_cny_per_kg")
    points = kachin.series_points(key)
    days = points.loc[~points["derived"], "day"].to_numpy(float)
    joined = joined_steps(days)
    steps = np.diff(days)
    assert joined.any()
    assert (steps[joined[:-1]] <= 1.5 * np.median(steps)).all()
    assert not joined[:-1][steps > 365].any()                # Jan 2022 -> May 2024 stays open


# -- labels and sources ------------------------------------------------------------------
@pytest.mark.parametrize("size, decorations", [((1266, 552), SCREEN), ((960, 540), SCREEN),
                                               ((1920, 1080), EXPORT)])
def test_myitkyina_is_labelled_beside_its_own_symbol_at_the_default_view(kachin_renderer, size,
                                                                         decorations):
    from viewer.render.labels import place_labels

    view = kachin_renderer.default_view(*size, 1.0, decorations)
    frame = Frame.of(view)
    layers = {k: True for k in ("base", "control", "flows", "places", "labels", "events")}
    requests = PlacesImage(kachin_renderer.prepared).label_requests(frame, kachin_renderer.prepared.places.in_view(frame), layers)
    placed, hidden = place_labels(requests, view.rect, [])
    label = next(p for p in placed if p.text == "Myitkyina")
    own = next(r for r in requests if r.text == "Myitkyina")
    drawn = [r for r in requests if r.symbol is not None and r is not own and r.row not in hidden]

    def gap(r):
        box = label.box
        return np.hypot(max(box.left() - r.x, 0, r.x - box.right()),
                        max(box.top() - r.y, 0, r.y - box.bottom()))
    assert all(gap(r) > gap(own) for r in drawn)
    assert style.PLACE_PRIORITY["capital"] > style.PLACE_PRIORITY["headquarters"]


def test_details_show_outlet_and_via_and_footer_lists_outlets_once(kachin, kachin_renderer):
    event_id, via = _event_citing_a_copy(kachin)
    text = describe(kachin, Selection("events", event_id), IN_DATA)
    assert f"read via {via}" in text.replace("&#x27;", "'")
    view = kachin_renderer.default_view(1600, 900, 1.0, EXPORT)
    sources, _credits = kachin_renderer.shown.footer_lines(view, to_day(IN_DATA), {k: True for k in (
        "base", "control", "flows", "places", "labels", "events")})
    outlets = sources.split(": ", 1)[1].split(", ")
    names = [o.rsplit(" (", 1)[0] for o in outlets]
    assert len(names) == len(set(names))
    assert not any(ext in sources for ext in (".txt", ".csv", ".gpkg", "seed-"))


def _event_citing_a_copy(dataset) -> tuple[str, str]:
    """An event whose first source was read at a copy, and that copy's site."""
    via = dict(zip(dataset.sources["source_id"], dataset.sources["via"]))
    for event_id, ids in zip(dataset.events["event_id"], dataset.events["source_ids"]):
        first = str(ids).split(";")[0]
        if isinstance(via.get(first), str):
            return str(event_id), via[first]
    raise AssertionError("no event cites a source read at a copy")


def test_the_date_box_fits_the_widest_month_past_the_data(kachin_renderer):
    """It was measured on "30 Sep": "31 May 2026: last known state" touched its edge."""
    from PySide6.QtGui import QFontMetricsF

    view = kachin_renderer.default_view(1366, 700)
    day = dt.date(2026, 5, 31)
    kachin_renderer.render_image(view, day, decorations=SCREEN)   # the window: no title above
    layout = kachin_renderer.painted_layout()
    text = date_label(day, kachin_renderer.dataset.beyond_data(day))
    assert text == "31 May 2026: last known state"
    padding = 2 * 8 * layout.scale     # the box's own, either side of its text
    assert layout.date_rect.width() >= QFontMetricsF(layout.date_font).horizontalAdvance(text) + padding
