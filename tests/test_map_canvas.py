"""MapCanvas: the interactive map over a real ViewerState, driven like a user would."""
from __future__ import annotations

import datetime as dt

import pytest
from factory import write_tiny
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage

from viewer.io import read_dataset
from viewer.model.state import Selection, ViewerState
from viewer.qt import map_canvas
from viewer.qt.map_canvas import MapCanvas
from viewer.export import ExportOptions, export_png
from viewer.render.overlay import SCREEN
from viewer.render.renderer import MapRenderer

AFTER_CAPTURE = dt.date(2024, 11, 20)
BEFORE_CAPTURE = dt.date(2024, 9, 1)


@pytest.fixture
def state(dataset):
    return ViewerState(dataset)


@pytest.fixture
def canvas(qtbot, state):
    widget = MapCanvas(state)
    widget.resize(900, 600)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def screen(canvas: MapCanvas) -> QImage:
    return canvas.grab().toImage()


def at(canvas: MapCanvas, lon: float, lat: float) -> QPoint:
    x, y = canvas.renderer.projector.points([lon], [lat])
    px, py = canvas.view.to_pixels(x, y)
    return QPoint(round(float(px[0])), round(float(py[0])))


def is_blue(color: QColor) -> bool:
    return color.blue() > color.red() + 40


def test_canvas_paints_the_shared_renderer_output(canvas, state):
    shown = screen(canvas).convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    rendered = canvas.renderer.render_image(canvas.view, state.date, state.layers, state.selection,
                                            SCREEN, pixel_ratio=shown.devicePixelRatio())
    assert shown == rendered


def test_date_change_repaints_the_control_area(qtbot, canvas, state):
    zone = at(canvas, 97.62, 25.38)
    state.set_date(BEFORE_CAPTURE)
    qtbot.waitUntil(lambda: not is_blue(screen(canvas).pixelColor(zone)))
    state.set_date(AFTER_CAPTURE)
    qtbot.waitUntil(lambda: is_blue(screen(canvas).pixelColor(zone)))


def test_hiding_a_layer_repaints(qtbot, canvas, state):
    state.set_date(AFTER_CAPTURE)
    zone = at(canvas, 97.62, 25.38)
    assert is_blue(screen(canvas).pixelColor(zone))
    state.set_layer_visible("control", False)
    qtbot.waitUntil(lambda: not is_blue(screen(canvas).pixelColor(zone)))


def test_wheel_zooms_around_the_cursor(qtbot, canvas):
    cursor = QPointF(300, 250)
    before = canvas.view.to_map(cursor)
    scale = canvas.view.metres_per_pixel
    qtbot.wait(1)
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication
    event = QWheelEvent(cursor, canvas.mapToGlobal(cursor), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(canvas, event)
    assert canvas.view.metres_per_pixel == pytest.approx(scale / 1.25 ** 2)
    assert canvas.view.to_map(cursor) == pytest.approx(before)


def test_drag_pans_the_map_with_the_mouse(qtbot, canvas):
    press, release = QPoint(400, 300), QPoint(460, 340)
    grabbed = canvas.view.to_map(QPointF(press))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=press)
    qtbot.mouseMove(canvas, QPoint(430, 320))
    qtbot.mouseMove(canvas, release)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=release)
    assert canvas.view.to_map(QPointF(release)) == pytest.approx(grabbed)


def test_keys_zoom_and_reset(qtbot, canvas):
    home = canvas.view
    qtbot.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.view.metres_per_pixel < home.metres_per_pixel
    qtbot.keyClick(canvas, Qt.Key.Key_Minus)
    qtbot.keyClick(canvas, Qt.Key.Key_Minus)
    assert canvas.view.metres_per_pixel > home.metres_per_pixel
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_0)
    assert canvas.view == home
    canvas.zoom(3.0)
    canvas.reset_view()
    assert canvas.view == home


def test_click_selects_place_route_and_area_and_escape_clears(qtbot, canvas, state):
    state.set_date(AFTER_CAPTURE)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=at(canvas, 97.75, 25.25))
    assert state.selection == Selection("places", "east")
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=at(canvas, 97.4, 25.25))
    assert state.selection == Selection("flows", "r1")
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=at(canvas, 97.62, 25.42))
    assert state.selection == Selection("control", "zone-east")
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert state.selection is None


def test_selection_from_elsewhere_is_highlighted(qtbot, canvas, state):
    state.set_date(AFTER_CAPTURE)
    edge = at(canvas, 98.0, 25.38)

    def darkest_near_edge() -> int:
        image = screen(canvas)
        return min(image.pixelColor(edge.x() + dx, edge.y()).lightness() for dx in range(-2, 3))

    before = darkest_near_edge()
    state.select(Selection("control", "zone-east"))
    qtbot.waitUntil(lambda: darkest_near_edge() < 30)
    assert before > 60


def test_view_extent_is_what_the_export_shows(canvas, state, tmp_path):
    canvas.zoom(1.7, QPointF(300, 300))
    extent = canvas.view_extent()
    assert extent.width / extent.height == pytest.approx(canvas.width() / canvas.height())
    options = ExportOptions(width=canvas.width(), height=canvas.height(), extent=extent)
    path = export_png(state.dataset, AFTER_CAPTURE, tmp_path / "view.png", options)
    from PIL import Image
    minlon, minlat, maxlon, maxlat = map(float, Image.open(path).text["Extent"].split(","))
    lonlat = canvas.renderer.lonlat_of(extent)
    # All of the screen's area is in the export, clear of its title and footer (so the
    # image reaches a little further than the screen does).
    assert minlon <= lonlat[0] + 1e-4 and minlat <= lonlat[1] + 1e-4
    assert maxlon >= lonlat[2] - 1e-4 and maxlat >= lonlat[3] - 1e-4


def test_new_dataset_resets_the_view(qtbot, canvas, state, tmp_path):
    canvas.zoom(4.0)
    zoomed = canvas.view.metres_per_pixel
    state.set_dataset(read_dataset(write_tiny(tmp_path / "other.gpkg")), AFTER_CAPTURE)
    assert canvas.view.metres_per_pixel > zoomed
    qtbot.waitUntil(lambda: is_blue(screen(canvas).pixelColor(at(canvas, 97.62, 25.38))))


def test_resize_refits_until_the_user_moves_the_map(qtbot, canvas):
    canvas.resize(1200, 800)
    qtbot.waitUntil(lambda: canvas.view.width == 1200)
    assert canvas.view == canvas.renderer.default_view(1200, 800)
    canvas.zoom(2.0)
    scale = canvas.view.metres_per_pixel
    canvas.resize(1000, 700)
    qtbot.waitUntil(lambda: canvas.view.width == 1000)
    assert canvas.view.metres_per_pixel == scale


# -- the legend ----------------------------------------------------------------------
def legend_rect(canvas: MapCanvas):
    screen(canvas)  # painted: the layout is the one on screen
    return canvas.renderer.painted_layout().legend_rect()


def test_legend_collapses_and_expands_on_click(qtbot, canvas):
    whole = legend_rect(canvas)
    header = canvas.renderer.painted_layout().legend_header_rect().center().toPoint()

    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=header)

    collapsed = legend_rect(canvas)
    assert canvas.decorations.legend_collapsed and canvas.state.selection is None
    assert collapsed.height() < 40 and collapsed.height() < whole.height() / 3
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=collapsed.center().toPoint())
    assert legend_rect(canvas) == whole


def test_dragging_the_legend_moves_it_to_a_corner_without_panning_the_map(qtbot, canvas):
    view = canvas.view
    start = legend_rect(canvas).center().toPoint()

    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 11):
        qtbot.mouseMove(canvas, start + (QPoint(40, 560) - start) * step / 10)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(40, 560))

    assert canvas.view == view                                  # the map did not pan
    assert canvas.decorations.legend_corner == "bottom-left"
    moved = legend_rect(canvas)
    assert moved.left() < 30 and moved.bottom() > 500


def test_legend_never_cut_wraps_into_columns(qapp, state):
    from viewer.render.overlay import OverlayLayout
    from viewer.render.renderer import MapRenderer
    from viewer.render.view import MapView

    renderer = MapRenderer(state.dataset)
    content = renderer.prepared.all_legend_content()
    for height in (600, 300, 200):
        view = MapView(0, 0, 100, 900, height)
        layout = OverlayLayout(view, SCREEN, content)
        rect, rows = layout.legend_rect(), layout.legend.rows
        assert 0 <= rect.top() and rect.bottom() <= height           # nothing below the edge
        assert sum(len(column) for column in layout.legend.columns) == len(rows)
        assert rows[-1].kind == "note"                                 # the caveat is in it
    assert len(layout.legend.columns) > 1                               # short: in columns


def test_legend_in_any_corner_stays_clear_of_the_date_and_the_scale_bar(qapp, state):
    from dataclasses import replace

    from viewer.render.overlay import CORNERS, OverlayLayout
    from viewer.render.renderer import MapRenderer
    from viewer.render.view import MapView

    content = MapRenderer(state.dataset).prepared.all_legend_content()
    for corner in CORNERS:
        layout = OverlayLayout(MapView(0, 0, 100, 900, 300), replace(SCREEN, legend_corner=corner),
                               content)
        legend = layout.legend_rect()
        assert not legend.intersects(layout.date_rect), corner
        assert not legend.intersects(layout.scale_rect), corner
        assert not legend.intersects(layout.north_rect), corner



def test_scrubbing_shows_drafts_then_the_exported_map(qtbot, monkeypatch, canvas, state):
    """Dates in quick succession are drawn as drafts (where a full map is slow to
    draw), still in the holders' colours; once they stop, the map is the full one
    an export draws."""
    monkeypatch.setattr(map_canvas, "SCRUB_GAP_S", 60.0)   # however slow the machine
    monkeypatch.setattr(map_canvas, "DRAFT_AFTER_S", 0.0)   # however small the map
    state.set_date(BEFORE_CAPTURE)
    state.set_date(AFTER_CAPTURE)
    assert canvas.showing_draft()
    assert is_blue(screen(canvas).pixelColor(at(canvas, 97.62, 25.38)))   # KIA's, drafted
    qtbot.waitUntil(lambda: not canvas.showing_draft())
    shown = screen(canvas).convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    exported = MapRenderer(canvas.renderer.prepared).render_image(
        canvas.view, AFTER_CAPTURE, state.layers, state.selection, SCREEN,
        pixel_ratio=shown.devicePixelRatio())
    assert shown == exported


def test_the_animation_is_drawn_in_full_never_as_a_draft(qtbot, monkeypatch, canvas, state):
    """Playback is what a briefer shows an audience: each date in full, however
    quickly dates come; scrubbing by hand may draft."""
    monkeypatch.setattr(map_canvas, "SCRUB_GAP_S", 60.0)
    monkeypatch.setattr(map_canvas, "DRAFT_AFTER_S", 0.0)
    canvas.set_playing(True)
    state.set_date(BEFORE_CAPTURE)
    state.set_date(AFTER_CAPTURE)
    assert not canvas.showing_draft()
    canvas.set_playing(False)
    state.set_date(BEFORE_CAPTURE)
    assert canvas.showing_draft()
