"""MapRenderer: what a user sees on the map, checked on the pixels of a QImage."""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from factory import EAST, tiny_layers, write_layers, write_tiny
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QTextLayout
from shapely.geometry import LineString

from viewer.cli import EMBEDDED_DATASET
from viewer.io import read_dataset
from viewer.model.dates import from_day, to_day
from viewer.model.names import MAP_LAYERS
from viewer.model.state import Selection
from viewer.render import style
from viewer.render.enlarged_draft import EnlargedDraft
from viewer.render.labels import LabelRequest, place_labels
from viewer.render.layer_cache import LayerCache
from viewer.render.route_marks import DENSE_ROUTES
from viewer.render.prepared import PreparedMap
from viewer.render.overlay import EXPORT, SCREEN, Decorations, OverlayLayout, date_label
from viewer.render.renderer import MapRenderer
from viewer.render.zone_raster import ZoneRaster

BEFORE_CAPTURE = dt.date(2024, 9, 1)     # SAC holds the east zone (estimated)
AFTER_CAPTURE = dt.date(2024, 11, 20)    # KIA took it on 2024-10-19 (confirmed)
KIA, SAC = QColor("#0072B2"), QColor("#D55E00")
NOTHING = Decorations(date=False, legend=False, scale_bar=False, north_arrow=False)


@pytest.fixture
def app(qapp):
    """Fonts need an application; pytest-qt's is a QApplication, so widget tests can follow."""
    return qapp


@pytest.fixture
def renderer(app, dataset):
    return MapRenderer(dataset)


def pixel_of(renderer, view, lon, lat) -> QPointF:
    x, y = renderer.projector.points([lon], [lat])
    px, py = view.to_pixels(x, y)
    return QPointF(float(px[0]), float(py[0]))


def mean_rgb(image: QImage, center: QPointF, half: int = 12) -> np.ndarray:
    """Average colour of a square patch (hatching averages out to its blend)."""
    pixels = [image.pixelColor(int(center.x()) + dx, int(center.y()) + dy)
              for dx in range(-half, half + 1, 3) for dy in range(-half, half + 1, 3)]
    return np.mean([[c.red(), c.green(), c.blue()] for c in pixels], axis=0)


def distance(rgb: np.ndarray, color: QColor) -> float:
    return float(np.linalg.norm(rgb - np.array([color.red(), color.green(), color.blue()])))


def pixels(image: QImage) -> np.ndarray:
    return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.width(), 4)


def ink(image: QImage, rect: QRectF, background: QColor) -> int:
    """Pixels in `rect` that differ clearly from `background`."""
    count = 0
    for x in range(int(rect.left()), int(rect.right()), 2):
        for y in range(int(rect.top()), int(rect.bottom()), 2):
            c = image.pixelColor(x, y)
            if abs(c.red() - background.red()) + abs(c.green() - background.green()) \
                    + abs(c.blue() - background.blue()) > 90:
                count += 1
    return count


def test_projection_is_metric_utm_for_the_data(renderer):
    assert renderer.crs_name == "EPSG:32647"
    extent = renderer.default_extent()
    # 1 degree of longitude at 25 N is about 100 km: the tiny data spans 1 degree.
    assert 95_000 < extent.width / 1.1 < 105_000
    minlon, minlat, maxlon, maxlat = renderer.lonlat_of(extent)
    assert minlon < 97.0 and maxlon > 98.0 and minlat < 25.0 and maxlat > 25.5
    # Drawn with PROJ's faster series near the zone's middle: the zone's own metres
    # to a tenth of a millimetre, there and at its edges.
    lon, lat = np.array([96.0, 97.4, 99.0, 101.9, 93.0]), np.array([24.0, 25.4, 27.0, 20.5, 30.0])
    x, y = renderer.projector.points(lon, lat)
    ex, ey = pyproj.Transformer.from_crs(4326, 32647, always_xy=True).transform(lon, lat)
    assert np.abs(x - ex).max() < 1e-4 and np.abs(y - ey).max() < 1e-4
    assert np.abs(x - ex).max() > 0       # the faster series, not the exact one


def test_zones_simplified_before_projecting_stay_within_their_tolerance_and_box(app):
    """Zones are simplified in lon/lat and only then projected: each level's outline
    is within the level's metres of the projected zone (as GEOS's simplifying of the
    projected zone was), also where a zone's edge runs straight in lon/lat for over a
    degree (a line straight in lon/lat bends away from the projected chord: a level
    was 216 m, 6 px, off such an edge). Each zone's box, made without projecting its
    vertices, still holds all of it."""
    from viewer.render.geometry import LodPaths
    from viewer.render.projection import Projector

    projector = Projector(32647)      # central meridian 99 E
    angles = np.linspace(0, 2 * np.pi, 4001)[:-1]
    wiggle = 1 + 0.08 * np.sin(angles * 37) + 0.03 * np.sin(angles * 301)
    zones = [shapely.Polygon(np.column_stack([lon + r * wiggle * np.cos(angles),
                                              lat + r * wiggle * np.sin(angles)]))
             for lon, lat, r in ((97.4, 25.4, 0.2), (101.9, 20.5, 0.3), (96.0, 27.0, 1.5))]
    zones.append(shapely.segmentize(shapely.box(96.0, 25.0, 97.5, 26.0), 0.005))   # cut along parallels
    exact = projector.geometries(zones)
    paths = LodPaths(np.array(zones, dtype=object), projector=projector)
    true = shapely.bounds(exact)
    assert (paths.bounds[:, :2] <= true[:, :2]).all() and (paths.bounds[:, 2:] >= true[:, 2:]).all()
    # Not much larger: the grid turns from the meridians away from 99 E.
    assert ((paths.bounds[:, 2:] - paths.bounds[:, :2]) < 1.05 * (true[:, 2:] - true[:, :2])).all()
    for metres in (20.0, 125.0, 750.0, 2000.0):
        mpp = metres / 0.6      # the finest view this level is drawn at (MAX_ERROR_PIXELS)
        drawn = [shapely.Polygon([(p.x(), p.y()) for p in paths.path(row, mpp).toFillPolygon()])
                 for row in range(len(zones))]
        assert (shapely.get_num_coordinates(drawn) < shapely.get_num_coordinates(exact)).all()
        # Within the metres, or as far past them as GEOS goes simplifying the projected
        # zone itself (by a tenth, at most, where it moves a ring's first vertex).
        error = shapely.hausdorff_distance(drawn, exact)
        direct = shapely.hausdorff_distance(shapely.simplify(exact, metres, preserve_topology=False), exact)
        assert (error <= 1.01 * np.maximum(metres, direct)).all(), (metres, error)
        assert (error > metres / 4).any()   # not needlessly fine


def test_a_click_just_inside_a_long_straight_edge_finds_the_zone_drawn_there(app):
    """Two zones share a 3-degree border along 25.5 N: clicks 10-60 px below it at
    5 m/px, on the southern zone as drawn, picked the northern one (the click was
    tested against the lon/lat shapes, whose border bends from the drawn one)."""
    from viewer.render.geometry import LodPaths, row_under
    from viewer.render.projection import Projector

    projector = Projector(32647)
    south, north = shapely.box(96.0, 24.5, 99.0, 25.5), shapely.box(96.0, 25.5, 99.0, 26.5)
    paths = LodPaths(np.array([south, north], dtype=object), projector=projector)
    (west_x, east_x), (west_y, east_y) = projector.points([96.0, 99.0], [25.5, 25.5])
    x, y = (west_x + east_x) / 2, (west_y + east_y) / 2     # the drawn border's middle
    for metres in (50, 150, 300):
        assert row_under(paths, x, y - metres, np.array([0, 1])) == 0
        assert row_under(paths, x, y + metres, np.array([0, 1])) == 1


def test_control_area_takes_its_actors_colour_after_capture(renderer):
    view = renderer.default_view(960, 540)
    east = pixel_of(renderer, view, 97.62, 25.38)   # inside the east zone, clear of symbols
    before = mean_rgb(renderer.render_image(view, BEFORE_CAPTURE, decorations=NOTHING), east)
    after = mean_rgb(renderer.render_image(view, AFTER_CAPTURE, decorations=NOTHING), east)
    assert distance(after, KIA) < distance(after, SAC)
    assert distance(before, SAC) < distance(before, KIA)
    assert after[2] > after[0] and before[0] > before[2]


def test_confirmed_fill_is_stronger_than_reported(app, tmp_path):
    layers = tiny_layers()
    layers["control"].loc[2, "confidence"] = "reported"
    reported = MapRenderer(read_dataset(write_layers(layers, tmp_path / "reported.gpkg")))
    confirmed = MapRenderer(read_dataset(write_tiny(tmp_path / "confirmed.gpkg")))
    view = confirmed.default_view(960, 540)
    east = pixel_of(confirmed, view, 97.62, 25.38)
    strong = mean_rgb(confirmed.render_image(view, AFTER_CAPTURE, decorations=NOTHING), east)
    light = mean_rgb(reported.render_image(view, AFTER_CAPTURE, decorations=NOTHING), east)
    assert distance(strong, KIA) < distance(light, KIA)


def test_contested_area_shows_both_actors_colours(app, tmp_path):
    layers = tiny_layers()
    layers["control"].loc[2, ["status", "contested_with"]] = ["contested", "SAC"]
    renderer = MapRenderer(read_dataset(write_layers(layers, tmp_path / "contested.gpkg")))
    view = renderer.default_view(960, 540)
    image = renderer.render_image(view, AFTER_CAPTURE, decorations=NOTHING)
    center = pixel_of(renderer, view, 97.62, 25.38)
    colors = [image.pixelColor(int(center.x()) + d, int(center.y())) for d in range(0, 30)]
    assert any(c.blue() > c.red() + 40 for c in colors)     # KIA stripes
    assert any(c.red() > c.blue() + 40 for c in colors)     # SAC stripes


def test_halted_route_carries_a_cross_and_active_route_does_not(renderer):
    view = renderer.default_view(960, 540)
    middle = pixel_of(renderer, view, 97.5, 25.25)
    patch = QRectF(middle.x() - 8, middle.y() - 8, 16, 16)
    active = renderer.render_image(view, BEFORE_CAPTURE, decorations=NOTHING)
    halted = renderer.render_image(view, AFTER_CAPTURE, decorations=NOTHING)

    def reddish(image):
        return sum(1 for x in range(int(patch.left()), int(patch.right()))
                   for y in range(int(patch.top()), int(patch.bottom()))
                   if distance(np.array(image.pixelColor(x, y).getRgb()[:3]), style.HALT_MARK) < 60)

    assert reddish(halted) > 10
    assert reddish(active) == 0


def test_date_label_changes_while_the_map_does_not(renderer):
    """Two dates with the same holding rows differ only inside the date label."""
    view = renderer.default_view(960, 540)
    first = renderer.render_image(view, dt.date(2024, 6, 1), decorations=SCREEN)
    second = renderer.render_image(view, dt.date(2024, 6, 2), decorations=SCREEN)
    a, b = pixels(first), pixels(second)
    ys, xs = np.nonzero((a != b).any(axis=2))
    assert len(xs) > 0
    label = OverlayLayout(view, SCREEN, None).date_rect
    assert label.contains(QRectF(xs.min(), ys.min(), xs.max() - xs.min(), ys.max() - ys.min()))
    assert date_label(dt.date(2024, 11, 20)) == "as of 20 Nov 2024"


def test_export_overlays_are_drawn_in_their_corners(renderer):
    view = renderer.default_view(1920, 1080, 1.0, EXPORT)
    image = renderer.render_image(view, AFTER_CAPTURE, decorations=EXPORT)
    bare = renderer.render_image(view, AFTER_CAPTURE, decorations=NOTHING)
    layout = OverlayLayout(view, EXPORT, renderer.legend_content(view, AFTER_CAPTURE), "t", ("a", "b"))
    for rect in (layout.legend_rect(), layout.scale_rect, layout.north_rect, layout.title_rect,
                 layout.footer_rect):
        assert not rect.isNull()
        assert ink(image, rect, style.PANEL) > 20
    # The legend sits in the top-right corner and the scale bar bottom-left.
    assert layout.legend_rect().right() > 1800 and layout.legend_rect().top() < 150
    assert layout.scale_rect.left() < 50 and layout.scale_rect.bottom() > 900
    assert image != bare


def test_a_one_frame_export_is_the_map_the_window_draws(app, renderer):
    """The command line's one-PNG export paints straight onto its image (no cached
    layer images); what it writes is still the window's map, pixel for pixel."""
    once = MapRenderer(renderer.prepared, one_frame=True)
    view = renderer.default_view(1200, 800, 1.0, EXPORT)
    everything = {name: True for name in ("base", "control", "flows", "places", "labels", "events")}
    for day, layers in ((BEFORE_CAPTURE, everything), (AFTER_CAPTURE, everything),
                        (AFTER_CAPTURE, {**everything, "base": False, "flows": False}),
                        (AFTER_CAPTURE, {**everything, "control": False})):
        drawn = renderer.render_image(view, day, layers, decorations=EXPORT, title="t")
        exported = once.render_image(view, day, layers, decorations=EXPORT, title="t")
        assert np.array_equal(pixels(drawn), pixels(exported)), (day, layers)
    control_cache = once._layer_caches[False][0]
    assert once._frame_cache is None and not once._base_cache and control_cache._drawn is None


def test_legend_lists_only_what_the_date_shows(renderer):
    view = renderer.default_view(960, 540)
    early = renderer.legend_content(view, dt.date(2024, 6, 1))
    late = renderer.legend_content(view, AFTER_CAPTURE)
    assert [name for name, _ in early.actors] == ["Junta"]
    assert [name for name, _ in late.actors] == ["Kachin Independence Army", "Junta"]
    assert early.flow_statuses == ("active",) and late.flow_statuses == ("halted",)
    assert "confirmed" in late.confidences and early.confidences == ("estimated",)
    assert late.zone_note
    # The recent-event marker's entry only where one is drawn (the 19 Oct event, 30 days).
    assert renderer.legend_content(view, dt.date(2024, 10, 25)).event_window_days == 30
    assert early.event_window_days == 0
    assert renderer.legend_content(view, dt.date(2024, 12, 31)).event_window_days == 0


def test_hidden_layers_are_not_drawn(renderer):
    view = renderer.default_view(960, 540)
    east = pixel_of(renderer, view, 97.62, 25.38)
    hidden = renderer.render_image(view, AFTER_CAPTURE, {"control": False}, decorations=NOTHING)
    assert distance(mean_rgb(hidden, east), KIA) > 120


def test_selected_area_is_outlined(renderer):
    view = renderer.default_view(960, 540)
    plain = renderer.render_image(view, AFTER_CAPTURE, decorations=NOTHING)
    chosen = renderer.render_image(view, AFTER_CAPTURE, selection=Selection("control", "zone-east"),
                                   decorations=NOTHING)
    edge = pixel_of(renderer, view, 98.0, 25.38)              # the east zone's east edge

    def darkest(image):
        return min(image.pixelColor(int(edge.x()) + dx, int(edge.y())).lightness() for dx in range(-2, 3))

    assert darkest(chosen) < 30 < 60 < darkest(plain)
    # The selection is drawn over the cached map: clearing it gives the plain map back.
    assert renderer.render_image(view, AFTER_CAPTURE, decorations=NOTHING) == plain


def test_selection_of_a_feature_not_shown_that_day_draws_nothing(renderer):
    view = renderer.default_view(960, 540)
    day = dt.date(2020, 1, 1)
    plain = renderer.render_image(view, day, decorations=NOTHING)
    assert renderer.render_image(view, day, selection=Selection("control", "c3"),
                                 decorations=NOTHING) == plain


def test_hit_test_finds_place_route_area_and_nothing(renderer):
    view = renderer.default_view(960, 540)
    hit = lambda lon, lat: renderer.hit_test(view, pixel_of(renderer, view, lon, lat), AFTER_CAPTURE)
    assert hit(97.75, 25.25) == Selection("places", "east")
    assert hit(97.4, 25.25) == Selection("flows", "r1")
    assert hit(97.62, 25.4) == Selection("control", "zone-east")
    assert hit(96.8, 25.9) is None
    assert renderer.hit_test(view, pixel_of(renderer, view, 97.62, 25.4), BEFORE_CAPTURE) \
        == Selection("control", "zone-east")


def test_recent_event_marker_can_be_clicked(renderer):
    view = renderer.default_view(960, 540)
    place = pixel_of(renderer, view, 97.75, 25.25)
    marker = QPointF(place.x() + 7, place.y() - 7)      # markers sit up-right of the place
    assert renderer.hit_test(view, marker, dt.date(2024, 10, 25)) == Selection("events", "e3")
    assert renderer.hit_test(view, marker, dt.date(2025, 1, 1)) != Selection("events", "e3")


def test_labels_never_overlap_and_keep_important_symbols(app):
    font = style.font(14)
    crowd = [LabelRequest(f"Place {i}", 100 + (i % 6) * 14, 100 + (i // 6) * 9, priority=i, font=font,
                          color=style.TEXT, gap=7.5,
                          symbol=QRectF(94 + (i % 6) * 14, 94 + (i // 6) * 9, 12, 12),
                          row=i, protected=i >= 30)
             for i in range(36)]
    placed, left_out = place_labels(crowd, QRectF(0, 0, 400, 300), [QRectF(0, 0, 400, 40)])
    boxes = [p.box for p in placed]
    assert len(placed) >= 4
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert not any(box.intersects(QRectF(0, 0, 400, 40)) for box in boxes)
    assert not left_out & set(range(30, 36))          # protected places are never dropped
    kept = [r for r in crowd if r.row not in left_out]
    assert not any(box.intersects(r.symbol) for box in boxes for r in kept)


def test_a_protected_place_near_a_corner_of_an_earlier_label_is_kept(app):
    """Bhamo vanished from 1366x768 maps on some dates: Lweje's label, placed first and
    clear of Bhamo by the reading rule (distance from the label), still claimed the
    square around itself, whose corner held Bhamo's point."""
    font = style.font(14)
    metrics = QFontMetricsF(font)
    gap, pad = 7.5, 1.5     # a 12 px symbol, its label clear of it
    right = 100 + gap + metrics.horizontalAdvance("Lweje") + pad     # its label's box, right
    bottom = 100 + (metrics.ascent() + metrics.descent()) / 2 + pad
    bhamo = (right + 7.2, bottom + 7.2)   # 10.2 px from the box, Lweje 6 px: reads as its own

    def place(text, x, y, priority):
        return LabelRequest(text, x, y, priority=priority, font=font, color=style.TEXT, gap=gap,
                            symbol=QRectF(x - 6, y - 6, 12, 12), row=priority, protected=True)

    placed, left_out = place_labels([place("Lweje", 100, 100, 100), place("Bhamo", *bhamo, 80)],
                                    QRectF(0, 0, 400, 300), [])
    assert left_out == set() and {p.text for p in placed} == {"Lweje", "Bhamo"}


def test_labels_of_the_default_view_include_the_key_places(app, tmp_path):
    layers = tiny_layers()
    renderer = MapRenderer(read_dataset(write_layers(layers, tmp_path / "t.gpkg")))
    view = renderer.default_view(1920, 1080, 1.0, EXPORT)
    image = renderer.render_image(view, AFTER_CAPTURE)
    for lon in (97.25, 97.75):
        place = pixel_of(renderer, view, lon, 25.25)
        text_area = QRectF(place.x() + 8, place.y() - 10, 60, 20)
        assert ink(image, text_area, QColor("#FFFFFF")) > 5


def test_burmese_and_chinese_names_use_fonts_that_have_the_script(app):
    layout = QTextLayout("မြစ်ကြီးနား 密支那", style.font(16))
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    families = {run.rawFont().familyName() for run in layout.glyphRuns()}
    assert any("Myanmar" in f for f in families)
    assert any("CJK" in f for f in families)


def test_text_scales_with_export_size(renderer):
    small = OverlayLayout(renderer.default_view(1920, 1080, 1.0, EXPORT), EXPORT, None, "Title")
    large = OverlayLayout(renderer.default_view(3840, 2160, 2.0, EXPORT), EXPORT, None, "Title")
    assert large.date_rect.height() == pytest.approx(2 * small.date_rect.height(), rel=0.1)
    assert QFont(large.date_font).pixelSize() == 2 * QFont(small.date_font).pixelSize()


def test_a_zone_with_no_shape_of_its_own_uses_its_area(app, tmp_path):
    layers = tiny_layers()
    control = layers["control"]
    layers["control"] = gpd.GeoDataFrame(control.drop(columns="geometry"),
                                         geometry=[None, None, None], crs=4326)
    renderer = MapRenderer(read_dataset(write_layers(layers, tmp_path / "noshape.gpkg")))
    view = renderer.default_view(960, 540)
    east = pixel_of(renderer, view, 97.62, 25.38)
    after = mean_rgb(renderer.render_image(view, AFTER_CAPTURE, decorations=NOTHING), east)
    assert distance(after, KIA) < distance(after, SAC)
    assert renderer.prepared.control.paths.bounds[2][0] == pytest.approx(renderer.projector.points(
        [EAST.bounds[0]], [EAST.bounds[1]])[0][0], abs=200)


def test_event_markers_follow_the_date_over_a_cached_map(renderer):
    """Markers show events of the last 30 days even while the map itself is reused."""
    view = renderer.default_view(960, 540)
    place = pixel_of(renderer, view, 97.75, 25.25)
    marker = (int(place.x() + 7), int(place.y() - 7))

    def marker_color(day):
        return renderer.render_image(view, day, decorations=SCREEN).pixelColor(*marker)

    assert distance(np.array(marker_color(dt.date(2024, 10, 25)).getRgb()[:3]), style.EVENT) < 40
    assert distance(np.array(marker_color(dt.date(2024, 12, 25)).getRgb()[:3]), style.EVENT) > 100
    assert distance(np.array(marker_color(dt.date(2024, 11, 10)).getRgb()[:3]), style.EVENT) < 40


def _with_crowded_corner(tmp_path, crowd: int):
    """The tiny dataset plus `crowd` short active routes packed in its north-west corner."""
    layers = tiny_layers()
    flows = layers["flows"]
    extra = gpd.GeoDataFrame({
        "flow_id": [f"crowd{i}" for i in range(crowd)], "route_id": [f"rc{i}" for i in range(crowd)],
        "from_place_id": "west", "to_place_id": "east", "commodity": "rare earths",
        "status": "active", "valid_from": "2024-01-01", "valid_to": None, "volume": None,
        "volume_unit": None, "source_ids": "s1", "note": None},
        geometry=[LineString([(97.02, 25.44 + i * 1e-4), (97.06, 25.44 + i * 1e-4)])
                  for i in range(crowd)], crs=4326)
    layers["flows"] = gpd.GeoDataFrame(pd.concat([flows, extra], ignore_index=True), crs=4326)
    return MapRenderer(read_dataset(write_layers(layers, tmp_path / "crowded.gpkg")))


def _white_pixels_beside_route(renderer, view) -> int:
    """Pure white next to the halted route's dots, in the east zone: its casing."""
    image = renderer.render_image(view, AFTER_CAPTURE, decorations=NOTHING)
    on_route = pixel_of(renderer, view, 97.65, 25.25)
    return sum(1 for dx in range(-20, 21) for dy in range(-4, 5)
               if image.pixelColor(int(on_route.x()) + dx, int(on_route.y()) + dy).lightness() >= 250)


def test_a_view_crowded_with_routes_draws_them_without_casing_and_says_so(app, tmp_path):
    """Over DENSE_ROUTES routes in view: no white casings, and the legend notes it.
    Zooming in past the crowd brings the casings back; scrubbing never changes the look."""
    renderer = _with_crowded_corner(tmp_path, DENSE_ROUTES + 1)
    crowded = renderer.default_view(960, 540)
    assert renderer.legend_content(crowded, AFTER_CAPTURE).dense_routes
    assert renderer.legend_content(crowded, dt.date(2024, 2, 1)).dense_routes
    assert _white_pixels_beside_route(renderer, crowded) == 0
    zoomed = crowded.zoomed(4.0, pixel_of(renderer, crowded, 97.65, 25.25))
    assert not renderer.legend_content(zoomed, AFTER_CAPTURE).dense_routes
    assert _white_pixels_beside_route(renderer, zoomed) > 20


def test_a_view_with_few_routes_keeps_their_casing(app, tmp_path):
    renderer = _with_crowded_corner(tmp_path, DENSE_ROUTES - 1)
    view = renderer.default_view(960, 540)
    assert not renderer.legend_content(view, AFTER_CAPTURE).dense_routes
    assert _white_pixels_beside_route(renderer, view) > 20


def assert_alike(image: QImage, fresh: QImage, share: float, context) -> None:
    """The same to the eye: at most a few levels of antialiasing apart, on under
    `share` of the pixels."""
    difference = np.abs(pixels(image).astype(int) - pixels(fresh))
    assert difference.max() <= 8, context
    assert (difference > 0).any(axis=2).mean() < share, context


@pytest.mark.parametrize("pixel_ratio", [1.0, 2.0])
def test_scrubbing_redraws_only_what_changed_and_matches_a_fresh_map(app, monkeypatch, pixel_ratio):
    """Day by day over the Kachin story, the map a scrubbing renderer patches up
    (only where rows started or ended) is a freshly drawn one, to within a few
    levels of antialiasing on a few edge pixels; on high-DPI screens too."""
    dataset = read_dataset(EMBEDDED_DATASET)
    scrubbing = MapRenderer(dataset)
    view = scrubbing.default_view(1000, 700)
    clipped = []
    draw = LayerCache._draw
    monkeypatch.setattr(LayerCache, "_draw", lambda self, drawn, frame, rows, clip, paint: (
        clipped.append(clip is not None), draw(self, drawn, frame, rows, clip, paint)))
    selection = Selection("control", str(dataset.feature_ids["control"][0]))
    for day in [dt.date(2024, 9, 25) + dt.timedelta(days=i) for i in range(0, 70, 3)]:
        patched = scrubbing.render_image(view, day, selection=selection, decorations=SCREEN,
                                         pixel_ratio=pixel_ratio)
        fresh = MapRenderer(dataset).render_image(view, day, selection=selection, decorations=SCREEN,
                                                  pixel_ratio=pixel_ratio)
        assert_alike(patched, fresh, 0.001, day)
    assert clipped.count(True) >= 5


def synthetic_dataset(tmp_path, scale: int, edit=lambda layers: None):
    """The benchmarks' synthetic briefing (benchmarks/synth.py) at `scale`, its layers
    changed by `edit` before it is written."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "synth", Path(__file__).resolve().parent.parent / "benchmarks" / "synth.py")
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    layers = synth.synthetic_layers(scale)
    edit(layers)
    synth.write_gpkg(layers, tmp_path / "synth.gpkg", overwrite=True)
    return read_dataset(tmp_path / "synth.gpkg")


def test_a_level_simplified_on_two_threads_draws_what_one_thread_draws(app, monkeypatch, tmp_path):
    """A whole-map level a frame waits for is simplified in halves on two threads:
    the map is the one a single thread draws, to the pixel."""
    import threading

    from viewer.render import geometry

    dataset = synthetic_dataset(tmp_path, 1)
    view = MapRenderer(dataset).default_view(800, 560)
    monkeypatch.setattr(geometry, "SPLIT_SIMPLIFYING", False)
    one = MapRenderer(PreparedMap(dataset)).render_image(view, AFTER_CAPTURE, decorations=NOTHING)
    threads = set()
    simplify = shapely.simplify
    monkeypatch.setattr(shapely, "simplify", lambda *args, **kwargs: (
        threads.add(threading.current_thread().name), simplify(*args, **kwargs))[1])
    monkeypatch.setattr(geometry, "SPLIT_SIMPLIFYING", True)
    monkeypatch.setattr(geometry, "SPLIT_FROM_VERTICES", 1)
    prepared = PreparedMap(dataset)
    two = MapRenderer(prepared).render_image(view, AFTER_CAPTURE, decorations=NOTHING)
    assert any(name.startswith("kachin-viewer-simplifying") for name in threads)
    assert np.array_equal(pixels(one), pixels(two))
    # A warm-up (no frame waiting) takes no second thread from the frames being drawn.
    threads.clear()
    prepared.control.paths.warm_level(view.metres_per_pixel * 3)
    assert threads and not any(name.startswith("kachin-viewer-simplifying") for name in threads)


def test_day_by_day_over_converging_routes_a_patched_draft_is_a_fresh_one(app, monkeypatch, tmp_path):
    """Routes converging on a few crossings (the benchmarks' synthetic briefing):
    scrubbing day by day, a draft's routes image is patched under one box around
    each change, and every day's draft is a freshly drawn one to the eye: at most
    a few levels of antialiasing apart, on under 2 % of the pixels shown (dashed
    and dotted routes restart their pattern where the clip cuts them, a fraction
    of a pixel off: 0.5-0.8 % of a full frame's pixels here, under a patch of
    several boxes too; a draft is shown enlarged, each of its pixels as four)."""
    dataset = synthetic_dataset(tmp_path, 2)
    scrubbing = MapRenderer(dataset)
    view = scrubbing.default_view(800, 560)
    route_patches = []
    draw = LayerCache._draw
    monkeypatch.setattr(LayerCache, "_draw", lambda self, drawn, frame, rows, clip, paint: (
        route_patches.append(clip.rectCount()) if self.one_box and clip is not None else None,
        draw(self, drawn, frame, rows, clip, paint)))
    starts = sorted({dt.date.fromisoformat(str(d)[:10]) for d in dataset.flows["valid_from"]})[5:13]
    for day in [d + dt.timedelta(days=step) for d in starts for step in (-1, 0)]:   # each a route starting
        patched = scrubbing.render_image(view, day, decorations=NOTHING, draft=True)
        fresh = MapRenderer(dataset).render_image(view, day, decorations=NOTHING, draft=True)
        assert_alike(patched, fresh, 0.02, day)
    assert len(route_patches) >= 3 and set(route_patches) == {1}


def test_route_ends_event_markers_and_legend_follow_the_view(renderer, dataset):
    """Route ends, event markers and the places the legend lists are worked out once a
    view: one map zoomed to each town in turn, and drawn at another pixel ratio, draws
    what a map prepared afresh draws (layers keep their marks, shared by every surface)."""
    whole = renderer.default_view(960, 540)
    east = whole.zoomed(4.0, pixel_of(renderer, whole, 97.75, 25.25))
    west = whole.zoomed(4.0, pixel_of(renderer, whole, 97.25, 25.25))
    active, halted = dt.date(2024, 10, 20), AFTER_CAPTURE     # the route's arrow head, then its cross
    assert renderer.legend_content(east, active).place_kinds == ("border_crossing",)
    assert renderer.legend_content(west, active).place_kinds == ("town",)
    for view, day, ratio in ((whole, active, 1.0), (east, active, 1.0), (west, halted, 1.0),
                             (west, halted, 2.0), (east, halted, 2.0), (east, halted, 1.0),
                             (whole, active, 2.0)):
        drawn = renderer.render_image(view, day, decorations=SCREEN, pixel_ratio=ratio)
        fresh = MapRenderer(PreparedMap(dataset)).render_image(view, day, decorations=SCREEN,
                                                               pixel_ratio=ratio)
        assert np.array_equal(pixels(drawn), pixels(fresh)), (view, day, ratio)


def test_a_drafts_panels_are_the_full_maps(renderer, dataset):
    """A draft's north arrow and scale bar are copied from images: on each date and zoom
    its panels (legend, date, north arrow, scale bar) are the full map's, to what the
    map under their translucent white shows, and a click finds the legend where the
    draft drew it."""
    view = renderer.default_view(960, 540)
    for shown, day in ((view, BEFORE_CAPTURE), (view, AFTER_CAPTURE), (view.zoomed(3.0), AFTER_CAPTURE)):
        draft_image = renderer.render_image(shown, day, decorations=SCREEN, draft=True)
        layout = renderer.painted_layout()
        full_renderer = MapRenderer(PreparedMap(dataset))
        full_image = full_renderer.render_image(shown, day, decorations=SCREEN)
        draft, full = pixels(draft_image).astype(int), pixels(full_image).astype(int)
        assert layout.legend_rect() == full_renderer.painted_layout().legend_rect()
        assert len(layout.obstacles()) == 4
        for panel in layout.obstacles():
            box = panel.adjusted(5, 5, -5, -5).toAlignedRect()     # inside the rounded corners
            rows, columns = slice(box.top(), box.bottom() + 1), slice(box.left(), box.right() + 1)
            assert np.abs(draft[rows, columns] - full[rows, columns]).max() <= 20, (day, panel)


@pytest.mark.parametrize("ratio, ui_scale", [(1.25, 1.0), (1.5, 1.0), (1.75, 1.0), (2.0, 1.0), (1.0, 1.5)])
def test_a_drafts_north_arrow_and_scale_bar_are_the_full_maps_at_any_desktop_scaling(
        renderer, dataset, ratio, ui_scale):
    """Fractional desktop scaling (125-175 %) puts the panels between device pixels: the
    draft's copies of the north arrow and scale bar must not be resampled there (they
    blurred while scrubbing, then jumped back sharp)."""
    view = renderer.default_view(961, 541, ui_scale=ui_scale)
    draft_image = renderer.render_image(view, AFTER_CAPTURE, decorations=SCREEN, pixel_ratio=ratio, draft=True)
    layout = renderer.painted_layout()
    full_image = MapRenderer(PreparedMap(dataset)).render_image(view, AFTER_CAPTURE, decorations=SCREEN,
                                                                pixel_ratio=ratio)
    draft, full = pixels(draft_image).astype(int), pixels(full_image).astype(int)
    for panel in (layout.north_rect, layout.scale_rect):
        box = panel.adjusted(5, 5, -5, -5)
        rows = slice(int(box.top() * ratio), int(box.bottom() * ratio))
        columns = slice(int(box.left() * ratio), int(box.right() * ratio))
        assert np.abs(draft[rows, columns] - full[rows, columns]).max() <= 20, (ratio, panel)


def test_a_drafts_zones_rewritten_where_their_looks_changed_are_a_fresh_drafts(app, monkeypatch, tmp_path):
    """A draft's zones (ZoneRaster) are rewritten only in the cells whose looks changed
    since the date drawn before: over jumps, days patched one by one and jumps again,
    every draft is the one a fresh renderer draws."""
    dataset = synthetic_dataset(tmp_path, 2)
    scrubbing = MapRenderer(dataset)
    view = scrubbing.default_view(800, 560)
    layers = {"flows": False, "places": False, "labels": False, "events": False}
    rewritten = []
    pixels_of = ZoneRaster._pixels_of
    monkeypatch.setattr(ZoneRaster, "_pixels_of", lambda self, cells: (
        rewritten.append(len(cells)), pixels_of(self, cells))[1])
    change = int(dataset.control_index.change_days[len(dataset.control_index.change_days) // 2])
    days = [change - 400, change + 300, change - 400, change - 1, change, change + 1, change + 300, change - 400]
    for day in days:
        drafted = scrubbing.render_image(view, from_day(day), layers=layers, decorations=NOTHING, draft=True)
        fresh = MapRenderer(dataset).render_image(view, from_day(day), layers=layers, decorations=NOTHING,
                                                  draft=True)
        assert_alike(drafted, fresh, 0.001, from_day(day))
    assert scrubbing._zone_rasters[1] is not None
    assert len(rewritten) >= 3 and min(rewritten) > 0      # some cells, not all, rewritten


@pytest.mark.parametrize("pixel_ratio, size, zoom", [
    (1.0, (800, 560), 1), (2.0, (801, 561), 1), (1.0, (801, 561), 3),
    (1.25, (801, 561), 1), (1.5, (800, 560), 3), (2.0, (800, 560), 3)])
def test_a_draft_enlarged_again_only_where_it_changed_is_the_whole_draft_enlarged(app, monkeypatch, tmp_path,
                                                                                  pixel_ratio, size, zoom):
    """While scrubbing, the enlarged draft (with the places over it) is enlarged again only
    where the draft changed since the date drawn before: over jumps, days one by one and
    jumps again, a route selected and let go on the way, the view panned and the labels
    turned off and on, in maps of even and odd size, zoomed in so that zones cross every
    edge, at whole and fractional pixel ratios, every draft is, to the pixel, the draft
    enlarged whole with the places drawn over it afterwards (as before drafts kept them)."""
    dataset = synthetic_dataset(tmp_path, 2)
    scrubbing, whole = MapRenderer(dataset), MapRenderer(dataset)
    monkeypatch.setattr(whole, "_keeps_places", lambda *args: False)
    view = scrubbing.default_view(*size).zoomed(zoom)
    partly = []
    enlarge = EnlargedDraft._enlarge
    monkeypatch.setattr(EnlargedDraft, "_enlarge", lambda self, draft, target, over, clips: (
        partly.append(clips is not None), enlarge(self, draft, target, over, clips))[1])
    first, last = to_day(dataset.time_start), to_day(dataset.last_day)
    jumps = np.random.default_rng(5).integers(first, last, 8).tolist()
    for step, day in enumerate(jumps[:4] + list(range(jumps[4], jumps[4] + 5)) + jumps[5:]):
        rows = dataset.flow_index.indices(day)
        # Drawn under the places: selected, a route takes them out of the kept image.
        selection = Selection("flows", str(dataset.feature_ids["flows"][rows[0]])) if step in (2, 6) else None
        layers = {name: not (name == "labels" and step in (10, 11)) for name in MAP_LAYERS}
        if step == 8:
            view = view.panned(7, -5)
        drafts = [renderer.render_image(view, from_day(day), layers, selection=selection,
                                        pixel_ratio=pixel_ratio, draft=True)
                  for renderer in (scrubbing, whole)]
        whole._enlarged_draft = EnlargedDraft()        # nothing kept: enlarged whole
        assert np.array_equal(*map(pixels, drafts)), (from_day(day), step)
    if pixel_ratio in (1.0, 2.0):
        assert partly.count(True) >= 3     # enlarged again in part, not only whole


def test_a_legend_laid_out_from_kept_text_measures_is_as_big_as_one_measured_afresh(renderer, monkeypatch):
    """Legends keep their texts' measures (scrubbing to a date whose legend differs lays
    one out again): at every width and ui scale, narrow ones wrapping the note and long
    names, a legend is as wide and tall, row by row, as one whose texts are measured afresh."""
    from viewer.render import legend

    content = renderer.prepared.all_legend_content()

    def sizes() -> list:
        built = [legend.Legend(content, scale, max_width=width * scale, header=True)
                 for scale in (1.0, 1.5) for width in (360, 200, 120)]
        return [(each.width, each.height, [row.height for row in each.rows]) for each in built]

    sizes()
    from_kept = sizes()
    monkeypatch.setattr(legend._Metrics, "_kept", {})
    monkeypatch.setattr(legend._Metrics, "KEPT", 0)      # every text measured again
    assert from_kept == sizes()
    assert len({height for _width, height, _rows in from_kept}) > 2     # some wrap, some do not


def test_a_legend_looks_the_same_whichever_legends_were_drawn_before_it(renderer, monkeypatch):
    """Legends are put together from rows drawn before (scrubbing meets a new legend on
    many dates): after legends that list other entries, in other places, column widths
    and pixel ratios, a legend's pixels are those of the same legend drawn afresh."""
    import dataclasses

    from PySide6.QtGui import QPainter

    from viewer.render import legend

    full = dataclasses.replace(renderer.prepared.all_legend_content(), unknown_volume=True,
                               contested=("#0072B2", "#D55E00"))
    others = [dataclasses.replace(full, actors=full.actors[1:], no_info=False, contested=full.contested[::-1]),
              dataclasses.replace(full, confidences=(), flow_statuses=full.flow_statuses[:1]),
              dataclasses.replace(full, place_kinds=full.place_kinds[::-1], zone_note=False),
              dataclasses.replace(full, dense_routes=not full.dense_routes)]
    sizes = [(width, ratio) for width in (360, 150) for ratio in (1.0, 1.25, 2.0)]

    def drawn(content: legend.LegendContent, width: float, ratio: float) -> np.ndarray:
        image = QImage(round(400 * ratio), round(900 * ratio), QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(0)
        painter = QPainter(image)
        legend.Legend(content, 1.0, max_width=width, header=True).paint(painter, QPointF(3, 7))
        painter.end()
        return pixels(image).copy()

    def nothing_kept() -> None:
        monkeypatch.setattr(legend, "_LEGEND_IMAGES", legend._KeptImages(1 << 30))
        monkeypatch.setattr(legend, "_ROW_IMAGES", legend._KeptImages(1 << 30))

    afresh = []
    for size in sizes:
        nothing_kept()
        afresh.append(drawn(full, *size))
    nothing_kept()
    for content in others:
        for size in sizes:
            drawn(content, *size)
    monkeypatch.setattr(legend, "_LEGEND_IMAGES", legend._KeptImages(1 << 30))   # put together again, from kept rows
    rows_drawn = len(legend._ROW_IMAGES)
    assert [np.array_equal(drawn(full, *size), image) for size, image in zip(sizes, afresh)] == [True] * len(sizes)
    assert len(legend._ROW_IMAGES) == rows_drawn          # every row came from the others'
    assert afresh[0].any() and afresh[0].shape == afresh[3].shape and not np.array_equal(afresh[0], afresh[3])


@pytest.mark.parametrize("scale, pixel_ratio", [(1.0, 1.0), (1.5, 2.0), (3.2, 1.0), (4.0, 2.0)])
def test_a_legend_row_copied_from_its_image_is_the_row_drawn_in_place(renderer, monkeypatch, scale, pixel_ratio):
    """Everything a legend row draws, past its area too (an italic note's first glyph, a
    swatch's outline), is in the image it is copied from, at screen and handout scales:
    the copy covers the same pixels, with as much ink, as the row drawn in place (to
    within antialiasing and a dash pattern's phase)."""
    import dataclasses

    from PySide6.QtGui import QPainter

    from viewer.render import legend

    monkeypatch.setattr(legend, "_ROW_IMAGES", legend._KeptImages(1 << 30))
    content = dataclasses.replace(renderer.prepared.all_legend_content(), unknown_volume=True, zone_note=True)
    laid_out = legend.Legend(content, scale, max_width=360 * scale)

    def alpha(paint) -> np.ndarray:
        image = QImage(round(1600 * pixel_ratio), round(400 * scale * pixel_ratio), QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(pixel_ratio)
        image.fill(0)
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        paint(painter)
        painter.end()
        return pixels(image)[:, :, 3].astype(int)

    def inked_box(ink: np.ndarray) -> np.ndarray:
        rows, columns = np.nonzero(ink > 8)
        return np.array([rows.min(), columns.min(), rows.max(), columns.max()])

    for row in laid_out.rows:
        area = QRectF(40, 40, laid_out.column_width, row.height)
        in_place = alpha(lambda painter: laid_out._paint_row(painter, row, area))
        copied = alpha(lambda painter: laid_out._copy_row(painter, row, area))
        assert np.abs(inked_box(copied) - inked_box(in_place)).max() <= 1, row.text
        assert abs(copied.sum() - in_place.sum()) <= 0.02 * in_place.sum(), row.text


@pytest.mark.parametrize("pixel_ratio", [1.0, 1.25, 2.0])
def test_the_legends_arrow_heads_are_the_maps(app, pixel_ratio):
    """The legend draws its route samples' arrow heads one at a time (arrow_head); the
    map stamps its routes' heads by the thousand (arrow_head_stamps). In every direction,
    at fractional positions, sizes and pixel ratios, filled and hollow, moved or not,
    one head drawn alone is the head the map stamps, to the pixel."""
    import math

    from PySide6.QtGui import QPainter

    from viewer.render.route_marks import arrow_head, arrow_head_stamps

    def drawn(paint, shift: float) -> np.ndarray:
        image = QImage(round(60 * pixel_ratio), round(60 * pixel_ratio), QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(pixel_ratio)
        image.fill(0)
        painter = QPainter(image)
        painter.translate(shift, 0)
        paint(painter)
        painter.end()
        return pixels(image).copy()

    for turn in np.linspace(0, 1, 37):
        for size, hollow, shift in ((7.3, False, 0.0), (12.55, True, 0.0), (9.0, False, 3.5)):
            back = QPointF(30.3, 29.7)
            tip = QPointF(back.x() + 15 * math.cos(2 * math.pi * turn), back.y() + 15 * math.sin(2 * math.pi * turn))
            alone = drawn(lambda painter: arrow_head(painter, back, tip, size, hollow, 1.0), shift)
            stamped = drawn(lambda painter: arrow_head_stamps(
                np.array([back.x()]), np.array([back.y()]), np.array([tip.x()]), np.array([tip.y()]),
                np.array([size]), hollow, 1.0, pixel_ratio).paint(painter), shift)
            assert alone.any() and np.array_equal(alone, stamped), (turn, size, hollow, shift)


def test_the_legend_follows_the_date_while_scrubbing(renderer, dataset):
    """The panels' layout is reused while the legend stays the same: scrubbing to a
    date whose legend differs, and back, draws what a fresh map draws."""
    view = renderer.default_view(960, 540)
    assert renderer.legend_content(view, BEFORE_CAPTURE) != renderer.legend_content(view, AFTER_CAPTURE)
    for day in (BEFORE_CAPTURE, AFTER_CAPTURE, BEFORE_CAPTURE):
        scrubbed = renderer.render_image(view, day, decorations=SCREEN)
        fresh = MapRenderer(dataset).render_image(view, day, decorations=SCREEN)
        assert np.array_equal(pixels(scrubbed), pixels(fresh)), day


def test_a_scrubbing_draft_shows_every_zone_in_its_holders_colours(app):
    """While the user scrubs, the map may be drawn at half the pixels and enlarged,
    but every zone keeps the look of the row holding it that day: no other holder's
    colour, no blank where the data has a holder, and a zone no row covers keeps
    the pale dots of "no sourced information"."""
    dataset = read_dataset(EMBEDDED_DATASET)
    scrubbing = MapRenderer(dataset)
    view = scrubbing.default_view(1000, 700)
    control = scrubbing.prepared.control
    kia_to_sac = distance(np.array([KIA.red(), KIA.green(), KIA.blue()], float), SAC)
    checked = 0
    for day in (BEFORE_CAPTURE, AFTER_CAPTURE, dt.date(2025, 3, 1)):
        draft = scrubbing.render_image(view, day, decorations=NOTHING, draft=True)
        full = MapRenderer(dataset).render_image(view, day, decorations=NOTHING)
        rows = dataset.control_index.indices(to_day(day))
        silent = scrubbing.prepared.unknowns.zones_without_control(rows)    # dotted, as "no information"
        zones = np.concatenate([control.paths.projected(rows), scrubbing.prepared.areas.paths.projected(silent)])
        inside = shapely.point_on_surface(zones)
        for x, y in zip(*view.to_pixels(shapely.get_x(inside), shapely.get_y(inside))):
            if 8 <= x < view.width - 8 and 8 <= y < view.height - 8:
                center = QPointF(float(x), float(y))
                shown = mean_rgb(draft, center, 6)
                assert np.linalg.norm(shown - mean_rgb(full, center, 6)) < kia_to_sac / 8, (day, x, y)
                checked += 1
    assert checked >= 30


def test_a_draft_blends_overlapping_zones_as_the_full_map_does(app, tmp_path):
    """Drafts recolour the zones from a raster of the view: where zones overlap (the
    synthetic briefing's do, and here each zone overlaps a copy of its neighbour moved
    onto it), the draft shows the blend of both holders the full map shows, not the
    topmost one alone."""
    def overlapping(layers):
        control, areas = layers["control"], layers["areas"]
        for frame, key in ((control, "area_id"), (areas, "area_id")):
            number = frame[key].str.removeprefix("zone-").astype(int)
            moved = frame.geometry.translate(xoff=-0.2)    # half onto the zone west of it
            frame.geometry = np.where(number % 2 == 1, moved, frame.geometry)

    dataset = synthetic_dataset(tmp_path, 3, overlapping)
    scrubbing = MapRenderer(dataset)
    view = scrubbing.default_view(900, 700)
    layers = {"places": False, "labels": False, "flows": False, "events": False}
    day = dt.date(2024, 6, 1)
    draft = scrubbing.render_image(view, day, layers, decorations=NOTHING, draft=True)
    full = MapRenderer(dataset).render_image(view, day, layers, decorations=NOTHING)
    control = scrubbing.prepared.control
    rows = dataset.control_index.indices(to_day(day))
    shapes = control.paths.projected(rows)
    left, right = shapely.STRtree(shapes).query(shapes, predicate="intersects")
    pairs = left < right
    overlaps = shapely.intersection(shapes[left[pairs]], shapes[right[pairs]])
    cores = shapely.buffer(overlaps, -7 * view.metres_per_pixel)    # 7 px inside each overlap
    cores = cores[~shapely.is_empty(cores)]
    inside = shapely.point_on_surface(cores)
    assert len(cores) >= 10
    kia_to_sac = distance(np.array([KIA.red(), KIA.green(), KIA.blue()], float), SAC)
    checked = 0
    for x, y in zip(*view.to_pixels(shapely.get_x(inside), shapely.get_y(inside))):
        if 8 <= x < view.width - 8 and 8 <= y < view.height - 8:
            center = QPointF(float(x), float(y))
            assert np.linalg.norm(mean_rgb(draft, center, 6) - mean_rgb(full, center, 6)) < kia_to_sac / 8, (x, y)
            checked += 1
    assert checked >= 10


def test_the_map_drawn_once_scrubbing_stops_is_the_exported_one(app):
    """Drafts keep caches of their own: the full map drawn after them is a fresh
    renderer's (what an export draws), and so is the one before them; a draft is
    the same to the eye whether its images were prepared while the map rested or
    not (its routes are patched under one box: see the converging-routes test)."""
    dataset = read_dataset(EMBEDDED_DATASET)
    scrubbing = MapRenderer(dataset)
    view = scrubbing.default_view(1000, 700)
    first = scrubbing.render_image(view, BEFORE_CAPTURE, decorations=SCREEN)
    scrubbing.prepare_drafts(view, BEFORE_CAPTURE)      # as the window does once the map rests
    for day in (BEFORE_CAPTURE, BEFORE_CAPTURE + dt.timedelta(days=1), dt.date(2023, 5, 1), AFTER_CAPTURE):
        draft = scrubbing.render_image(view, day, decorations=SCREEN, draft=True)
    settled = scrubbing.render_image(view, AFTER_CAPTURE, decorations=SCREEN)
    for image, day in ((first, BEFORE_CAPTURE), (settled, AFTER_CAPTURE)):
        assert np.array_equal(pixels(image), pixels(MapRenderer(dataset).render_image(
            view, day, decorations=SCREEN))), day
    unprepared = MapRenderer(dataset).render_image(view, AFTER_CAPTURE, decorations=SCREEN, draft=True)
    assert_alike(draft, unprepared, 0.02, AFTER_CAPTURE)
    assert not np.array_equal(pixels(draft), pixels(settled))   # it was a draft


def test_a_selected_zone_is_outlined_under_the_names_of_places(app):
    """Clicking a town's zone must not strike through the town's name (as in QGIS,
    labels sit above the selection); the outline still shows around the zone."""
    dataset = read_dataset(EMBEDDED_DATASET)
    renderer = MapRenderer(dataset)
    view = renderer.default_view(1264, 552)
    day = dt.date(2025, 3, 15)
    plain = renderer.render_image(view, day, decorations=NOTHING)
    label = next(placed for placed in renderer.painted_labels() if placed.text == "Myitkyina")
    chosen = renderer.render_image(view, day, decorations=NOTHING,
                                   selection=Selection("control", "zone-myitkyina"))

    unlabelled = renderer.render_image(view, day, decorations=NOTHING,
                                       layers={"labels": False})
    box = label.box.toAlignedRect()
    inside = (slice(box.top(), box.bottom() + 1), slice(box.left(), box.right() + 1))

    def differ(a, b, by):
        return np.abs(pixels(a).astype(int) - pixels(b).astype(int)).max(axis=2)[inside] > by

    lettering = differ(plain, unlabelled, 60)      # the name's glyphs and the halo around them
    struck = differ(chosen, plain, 24) & lettering
    changed = np.abs(pixels(chosen).astype(int) - pixels(plain).astype(int)).max(axis=2) > 24
    assert changed.sum() > 300                     # the zone is outlined ...
    assert lettering.sum() > 200
    # ... but not across its town's name: at most the halo's soft rim shows it
    # (4 of 815 pixels; 44 with the outline drawn over the names).
    assert struck.sum() < 0.01 * lettering.sum()


def test_a_briefing_without_control_zones_still_draws_its_drafts(app, tmp_path):
    """A briefing being built (places, routes and events, no zones yet) is scrubbed
    like any other: its drafts are drawn, and show what its full map shows."""
    layers = tiny_layers()
    layers["control"] = layers["control"].iloc[0:0]
    dataset = read_dataset(write_layers(layers, tmp_path / "nozones.gpkg"))
    view = MapRenderer(dataset).default_view(800, 600)
    day = dt.date(2024, 11, 5)
    draft = MapRenderer(dataset).render_image(view, day, draft=True)
    full = MapRenderer(dataset).render_image(view, day)
    assert mean_rgb(draft, QPointF(400, 300), 200) == pytest.approx(mean_rgb(full, QPointF(400, 300), 200),
                                                                     abs=6)


def test_an_event_dated_to_a_month_is_marked_from_the_months_last_day(app, tmp_path):
    """Its marker showed from the 1st (on a map of 2 Oct, for an event that may not have
    happened yet) and was off the 31 Oct map whose key-event caption names it."""
    from shapely.geometry import Point

    layers = tiny_layers()
    events = layers["events"].iloc[[1]].copy()            # "Month-only event", Oct 2024
    events["place_id"] = "west"
    layers["events"] = gpd.GeoDataFrame(events, geometry=[Point(97.25, 25.25)], crs=4326)
    renderer = MapRenderer(read_dataset(write_layers(layers, tmp_path / "m.gpkg")))
    view = renderer.default_view(960, 540)

    def marked(day: dt.date) -> bool:
        return renderer.legend_content(view, day).event_window_days > 0

    assert not marked(dt.date(2024, 10, 2)) and marked(dt.date(2024, 10, 31))
    assert marked(dt.date(2024, 11, 29)) and not marked(dt.date(2024, 11, 30))
