"""The interactive map: the same MapRenderer as every export, on a widget.

Drag to pan, wheel to zoom around the cursor, +/− to zoom, 0 or R to reset,
↑/↓ and Alt+arrow keys to pan (←/→ are the window's: a day back and forward);
a click selects what is under the cursor. The canvas only
reads the state (date, layers, selection) and writes the selection on a click.
The legend is the canvas's own: a click on its header collapses or expands
it, and dragging it moves it to the nearest corner (the map does not pan).
While the user scrubs (dates in quick succession) a slow map is drawn as a
draft (MapRenderer.render); once it stops, the full map, as exported. The
animation is always drawn in full.
"""
from __future__ import annotations

import time
from dataclasses import replace

from PySide6.QtCore import QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QResizeEvent,
                           QWheelEvent)
from PySide6.QtWidgets import QSizePolicy, QWidget

from viewer.model.state import ViewerState
from viewer.render import style
from viewer.render.map_overlay import MapOverlay
from viewer.render.overlay import SCREEN, Decorations
from viewer.render.projection import Extent
from viewer.render.renderer import MapRenderer
from viewer.render.view import MapView

WHEEL_STEP = 1.25       # zoom factor per wheel notch
KEY_STEP = 1.5          # zoom factor per +/− press
PAN_FRACTION = 0.15     # arrow keys move this share of the view
CLICK_SLOP = 4          # pixels a press may move and still count as a click
SCRUB_GAP_S = 0.25      # a date this soon after the last one is part of a scrub: drawn as a draft
DRAFT_AFTER_S = 0.016   # ... where the last full map took longer than a display frame (else no gain)
SETTLE_MS = 200         # the full map once no new date came for this long
PREPARE_MS = 300        # a view the map rests on this long gets its drafts prepared


class MapCanvas(QWidget):
    """Shows the state's date on the map; clicking selects a feature.

    `view_extent()` returns what is visible in projected metres of
    `renderer.crs_name` (EPSG:32647 for Kachin), the form `ExportOptions.extent`
    takes, so Export PNG… shows what the screen shows.
    """

    legend_changed = Signal()   # shown, corner or collapsed: the window remembers them

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        # None until the state has a dataset; then the loader's prepared map.
        self.renderer = MapRenderer(state.dataset) if state.dataset is not None else None
        self.decorations: Decorations = SCREEN
        self._moving_legend = False
        self._view: MapView | None = None
        self._navigated = False   # until the user pans or zooms, resizing refits the data
        self._press: QPointF | None = None
        self._dragged = False
        self._overlays: dict[str, MapOverlay] = {}
        self._draft = False
        self._playing = False
        self._last_date_change = float("-inf")
        self._full_paint_s = 0.0
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS, timeout=self._settled)
        self._drafts_ready_for: MapView | None = None   # the view whose drafts are prepared
        self._prepare = QTimer(self, singleShot=True, interval=PREPARE_MS, timeout=self._prepare_drafts)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(False)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setToolTip("Drag to pan, wheel or +/− to zoom, 0 to reset; click for sources")
        # A reload is one `dataset_changed` (the date comes with it).
        state.date_changed.connect(self._date_changed)
        state.layers_changed.connect(self._repaint)
        state.selection_changed.connect(self._repaint)
        state.dataset_changed.connect(self._dataset_changed)

    def sizeHint(self) -> QSize:
        return QSize(900, 640)

    # -- the view -------------------------------------------------------------------
    @property
    def view(self) -> MapView:
        if self._view is None or (self._view.width, self._view.height) != (self.width(), self.height()):
            self._view = (self._default_view() if self._view is None
                          else self._view.resized(self.width(), self.height()))
        return self._view

    def view_extent(self) -> Extent:
        """The visible area, in projected metres (see the class docstring)."""
        return self.view.extent

    def view_state(self) -> tuple[MapView, bool]:
        """What the user is looking at, for `restore_view` after the data is read again."""
        return self.view, self._navigated

    def restore_view(self, view_state: tuple[MapView, bool]) -> None:
        view, navigated = view_state
        self._set_view(view.resized(self.width(), self.height()), navigated)

    def reset_view(self) -> None:
        """Back to the dataset's default extent."""
        self._set_view(self._default_view(), navigated=False)

    def show_extent(self, extent: Extent) -> None:
        """Fit `extent` (projected metres) into the canvas, as the user would by zooming."""
        self._set_view(MapView.fit(extent, self.width(), self.height()))

    def show_whole_region(self) -> None:
        """Every zone, route and place, not only where the story is."""
        self._set_view(self._default_view(self.renderer.region_extent()))

    def _default_view(self, extent: Extent | None = None) -> MapView:
        return self.renderer.default_view(self.width(), self.height(), decorations=self.decorations,
                                          extent=extent)

    def zoom(self, factor: float, anchor: QPointF | None = None) -> None:
        self._set_view(self.view.zoomed(factor, anchor))

    def _set_view(self, view: MapView, navigated: bool = True) -> None:
        self._navigated = navigated
        if view != self._view:
            self._view = view
            self.update()

    def set_overlay(self, name: str, overlay: MapOverlay | None) -> None:
        """Draw `overlay` over the map (compare mode, route crossing); None removes it."""
        if overlay is None:
            self._overlays.pop(name, None)
        else:
            self._overlays[name] = overlay
        self.update()

    # -- the legend -------------------------------------------------------------------
    def set_legend(self, **changes) -> None:
        """Change the legend's `legend` (shown), `legend_corner` or `legend_collapsed`."""
        decorations = replace(self.decorations, **changes)
        if decorations != self.decorations:
            self.decorations = decorations
            self.update()
            self.legend_changed.emit()

    def _legend_hit(self, point: QPointF) -> str | None:
        """"header" or "body" when `point` is on the legend as last painted."""
        layout = self.renderer.painted_layout() if self.renderer is not None else None
        if layout is None or layout.view != self._view or not layout.legend_rect().contains(point):
            return None
        return "header" if layout.legend_header_rect().contains(point) else "body"

    def _nearest_corner(self, point: QPointF) -> str:
        vertical = "top" if point.y() < self.height() / 2 else "bottom"
        return f"{vertical}-{'left' if point.x() < self.width() / 2 else 'right'}"

    # -- state ------------------------------------------------------------------------
    def _repaint(self, *_args) -> None:
        self._draft = False
        self.update()

    def set_playing(self, playing: bool) -> None:
        """While the animation plays every date is drawn in full: it is what a
        briefer shows an audience, and a draft's softer outlines would be seen."""
        self._playing = playing

    def _date_changed(self, *_args) -> None:
        now = time.monotonic()
        self._draft = (not self._playing and now - self._last_date_change < SCRUB_GAP_S
                       and self._full_paint_s > DRAFT_AFTER_S)
        self._last_date_change = now
        if self._draft:
            self._settle.start()
        self.update()

    def _settled(self) -> None:
        if self._draft:
            self._draft = False
            self.update()

    def showing_draft(self) -> bool:
        """Whether the map shown (or about to be) is a scrubbing draft."""
        return self._draft

    def _dataset_changed(self, dataset) -> None:
        # The same file with rows edited keeps the view; the first dataset has none to keep.
        edited = self.renderer is not None and self.renderer.dataset.path == dataset.path
        self.renderer = MapRenderer(dataset)
        self._draft = False
        self._drafts_ready_for = None
        if not edited:
            self._view = None
            self._navigated = False
        self.update()

    # -- painting ---------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self.renderer is None:
            painter.fillRect(self.rect(), style.BACKGROUND)
            painter.end()
            return
        started = time.perf_counter()
        try:
            self.renderer.render(painter, self.view, self.state.date, self.state.layers,
                                 self.state.selection, self.decorations,
                                 overlays=list(self._overlays.values()), draft=self._draft)
        finally:
            painter.end()
        # A paint of the map drawn before (the same rows hold; a click may have
        # changed the selection) says nothing of how long the map takes: the first
        # date of a scrub would not be a draft.
        if not self._draft and not self.renderer.same_map:
            self._full_paint_s = time.perf_counter() - started
        self.renderer.warm_up_in_background(self.view)
        if self._drafts_ready_for != self.view and self._full_paint_s > DRAFT_AFTER_S:
            self._prepare.start()   # again: only a view the map rests on

    def _prepare_drafts(self) -> None:
        """The drafts' base images, simplification level and marks for the view the
        map rests on, drawn while idle: the first draft of a scrub would draw them."""
        if self.renderer is not None and self._press is None and self._drafts_ready_for != self.view:
            self._drafts_ready_for = self.view
            self.renderer.prepare_drafts(self.view, self.state.date, self.state.layers,
                                         self.devicePixelRatioF())

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Until the user moves the map, it keeps showing the whole default
        # extent; after that a resize keeps their centre and scale.
        if not self._navigated:
            self._view = None
        super().resizeEvent(event)

    # -- mouse ---------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position()
            self._dragged = False
            self._moving_legend = self._legend_hit(event.position()) is not None
            self.setCursor(Qt.CursorShape.SizeAllCursor if self._moving_legend
                           else Qt.CursorShape.ClosedHandCursor)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return
        delta = event.position() - self._press
        if not self._dragged and delta.manhattanLength() < CLICK_SLOP:
            return
        self._dragged = True
        if self._moving_legend:
            return  # the legend lands in a corner on release; the map stays put
        self._press = event.position()
        self._set_view(self.view.panned(delta.x(), delta.y()))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            return
        position = event.position()
        if self._moving_legend and self._dragged:
            self.set_legend(legend_corner=self._nearest_corner(position))
        elif self._moving_legend:
            if self._legend_hit(position) == "header":
                self.set_legend(legend_collapsed=not self.decorations.legend_collapsed)
        elif not self._dragged and self.renderer is not None:
            self.state.select(self.renderer.hit_test(self.view, position, self.state.date,
                                                     self.state.layers))
        self._press = None
        self._moving_legend = False
        self.setCursor(Qt.CursorShape.OpenHandCursor)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.zoom(2.0, event.position())

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps == 0:
            steps = event.pixelDelta().y() / 50.0
        if steps:
            self.zoom(WHEEL_STEP ** steps, event.position())
        event.accept()

    # -- keys ------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        center = QPointF(self.width() / 2, self.height() / 2)
        pan = {Qt.Key.Key_Left: (1, 0), Qt.Key.Key_Right: (-1, 0),
               Qt.Key.Key_Up: (0, 1), Qt.Key.Key_Down: (0, -1)}
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(KEY_STEP, center)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom(1 / KEY_STEP, center)
        elif key in (Qt.Key.Key_0, Qt.Key.Key_R):
            self.reset_view()
        elif key in pan:
            dx, dy = pan[key]
            self._set_view(self.view.panned(dx * self.width() * PAN_FRACTION,
                                            dy * self.height() * PAN_FRACTION))
        elif key == Qt.Key.Key_Escape:
            self.state.select(None)
        else:
            super().keyPressEvent(event)
