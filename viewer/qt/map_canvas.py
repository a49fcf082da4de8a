"""The interactive map: the same MapRenderer as every export, on a widget.

Drag to pan, wheel to zoom around the cursor, +/− to zoom, 0 or R to reset,
arrow keys to pan; a click selects what is under the cursor. The canvas only
reads the state (date, layers, selection) and writes the selection on a click.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import (QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QResizeEvent,
                           QWheelEvent)
from PySide6.QtWidgets import QSizePolicy, QWidget

from viewer.model.state import ViewerState
from viewer.render import style
from viewer.render.map_overlay import MapOverlay
from viewer.render.overlay import SCREEN
from viewer.render.projection import Extent
from viewer.render.renderer import MapRenderer
from viewer.render.view import MapView

WHEEL_STEP = 1.25       # zoom factor per wheel notch
KEY_STEP = 1.5          # zoom factor per +/− press
PAN_FRACTION = 0.15     # arrow keys move this share of the view
CLICK_SLOP = 4          # pixels a press may move and still count as a click


class MapCanvas(QWidget):
    """Shows the state's date on the map; clicking selects a feature.

    `view_extent()` returns what is visible in projected metres of
    `renderer.crs_name` (EPSG:32647 for Kachin), the form `ExportOptions.extent`
    takes, so Export PNG… shows what the screen shows.
    """

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        # None until the state has a dataset; then the loader's prepared map.
        self.renderer = MapRenderer(state.dataset) if state.dataset is not None else None
        self._view: MapView | None = None
        self._navigated = False   # until the user pans or zooms, resizing refits the data
        self._press: QPointF | None = None
        self._dragged = False
        self._overlays: dict[str, MapOverlay] = {}
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(False)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setToolTip("Drag to pan, wheel or +/− to zoom, 0 to reset; click for sources")
        # A reload is one `dataset_changed` (the date comes with it).
        state.date_changed.connect(self._repaint)
        state.layers_changed.connect(self._repaint)
        state.selection_changed.connect(self._repaint)
        state.dataset_changed.connect(self._dataset_changed)

    def sizeHint(self) -> QSize:
        return QSize(900, 640)

    # -- the view -------------------------------------------------------------------
    @property
    def view(self) -> MapView:
        if self._view is None or (self._view.width, self._view.height) != (self.width(), self.height()):
            self._view = (self.renderer.default_view(self.width(), self.height()) if self._view is None
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
        self._set_view(self.renderer.default_view(self.width(), self.height()), navigated=False)

    def show_extent(self, extent: Extent) -> None:
        """Fit `extent` (projected metres) into the canvas, as the user would by zooming."""
        self._set_view(MapView.fit(extent, self.width(), self.height()))

    def show_whole_region(self) -> None:
        """Every zone, route and place, not only where the story is."""
        self._set_view(self.renderer.default_view(self.width(), self.height(),
                                                  extent=self.renderer.region_extent()))

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

    # -- state ------------------------------------------------------------------------
    def _repaint(self, *_args) -> None:
        self.update()

    def _dataset_changed(self, dataset) -> None:
        # The same file with rows edited keeps the view; the first dataset has none to keep.
        edited = self.renderer is not None and self.renderer.dataset.path == dataset.path
        self.renderer = MapRenderer(dataset)
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
        try:
            self.renderer.render(painter, self.view, self.state.date, self.state.layers,
                                 self.state.selection, SCREEN,
                                 overlays=list(self._overlays.values()))
        finally:
            painter.end()
        self.renderer.prepared.warm_up_in_background()

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
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return
        delta = event.position() - self._press
        if not self._dragged and delta.manhattanLength() < CLICK_SLOP:
            return
        self._dragged = True
        self._press = event.position()
        self._set_view(self.view.panned(delta.x(), delta.y()))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            return
        if not self._dragged and self.renderer is not None:
            self.state.select(self.renderer.hit_test(self.view, event.position(), self.state.date,
                                                     self.state.layers))
        self._press = None
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
