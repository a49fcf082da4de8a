"""A pyqtgraph view that keeps its picture, bar the date cursors, between dates.

A new date moves only the cursors, yet Qt repainted the strips they left and
reached from every item under them: lane bands, markers, spans, axes and grid,
series, each a pixmap copy or a paint, with pyqtgraph's bounding rects in Python
(2.5-3.5 ms of a scrub step at 100x, load 1-2). Here Qt paints the scene without
the cursors (they are flagged as having no contents, so Qt neither paints them
nor repaints for them) and the view keeps that picture (`_kept`); the view draws
the cursors over whatever it paints. A paint asked only where the cursors were or
are copies the kept picture there; any other is Qt's own, and the kept picture is
painted again there at the cursors' next move, before their repaint is asked (a widget
cannot render itself while it paints; a resize or a hover repaints once, not twice).
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QPainter, QPixmap, QRegion, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

# Qt widens an item's rect by 2 px when it asks a view to repaint it (antialiasing).
UPDATE_MARGIN = 3
NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents


class DateCursor(pg.InfiniteLine):
    """An InfiniteLine drawn by its CursorView: a move or a hover (pen) asks it to repaint."""

    def update(self, *args) -> None:
        super().update(*args)
        self._changed()

    def itemChange(self, change, value):  # noqa: N802 (Qt API)
        result = super().itemChange(change, value)
        if change in (self.GraphicsItemChange.ItemPositionHasChanged,
                      self.GraphicsItemChange.ItemVisibleHasChanged):
            self._changed()
        return result

    def _changed(self) -> None:
        scene = self.scene()
        for view in scene.views() if scene is not None else ():
            if isinstance(view, CursorView):
                view.cursor_changed()


class CursorView(pg.GraphicsLayoutWidget):
    """A GraphicsLayoutWidget whose cursors (DateCursors, with their children) move over a kept picture."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._cursors: list[QGraphicsItem] = []
        self._kept: QPixmap | None = None
        self._kept_transform: QTransform | None = None
        self._stale = QRegion()               # where the kept picture is out of date
        self._painted = QRegion()             # where cursors are on screen
        self._keeping = False                 # painting the kept picture
        self._repaint_pending = False

    def set_cursors(self, cursors: list[QGraphicsItem]) -> None:
        """Draw these items (and their children) over the scene, instead of Qt."""
        self._cursors = list(cursors)
        for item in self._cursor_items():
            item.setFlag(NO_CONTENTS, True)
        self.cursor_changed()

    def cursor_changed(self) -> None:
        """A cursor moved or changed: repaint where the cursors were and are, once
        they have all moved (the lanes' date label follows its line)."""
        if not self._repaint_pending:
            self._repaint_pending = True
            QTimer.singleShot(0, self, self._repaint_cursors)

    def _repaint_cursors(self) -> None:
        self._repaint_pending = False
        self._keep_up_to_date()
        self.viewport().update(self._painted | self._cursors_region())

    # -- painting ----------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._keeping:
            super().paintEvent(event)
            return
        region = event.region()
        cursors = self._cursors_region()
        if self._kept_is_current() and (region - (self._painted | cursors)).isEmpty():
            # Rect by rect: the whole picture clipped to the strips took 0.5-1 ms.
            painter = QPainter(self.viewport())
            ratio = self._kept.devicePixelRatioF()
            for rect in region:
                painter.drawPixmap(QRectF(rect), self._kept, QRectF(rect.x() * ratio, rect.y() * ratio,
                                                            rect.width() * ratio, rect.height() * ratio))
            painter.end()
        else:
            super().paintEvent(event)
            self._stale |= region
        self.scene().prepareForPaint()
        painter = QPainter(self.viewport())
        painter.setClipRegion(region)
        painter.setRenderHints(self.renderHints())
        for cursor in self._cursors:
            self._paint_cursor(painter, cursor)
        painter.end()
        self._painted = (self._painted - region) | cursors

    def _cursor_items(self) -> list[QGraphicsItem]:
        items, todo = [], list(self._cursors)
        while todo:
            item = todo.pop()
            items.append(item)
            todo.extend(item.childItems())
        return items

    def _cursors_region(self) -> QRegion:
        """The viewport pixels the cursors cover, widened as Qt widens a repaint."""
        region = QRegion()
        transform = self.viewportTransform()
        for item in self._cursor_items():
            if item.isVisible() and item.scene() is self.scene():
                rect = item.deviceTransform(transform).mapRect(item.boundingRect()).toAlignedRect()
                region |= rect.adjusted(-UPDATE_MARGIN, -UPDATE_MARGIN, UPDATE_MARGIN, UPDATE_MARGIN)
        return region

    def _kept_fits(self) -> bool:
        """Whether the kept picture is of the viewport as it is: its size, pixel ratio
        and the scene's transform."""
        viewport = self.viewport()
        return (self._kept is not None
                and self._kept.deviceIndependentSize().toSize() == viewport.size()
                and self._kept.devicePixelRatioF() == viewport.devicePixelRatioF()
                and self._kept_transform == self.viewportTransform())

    def _kept_is_current(self) -> bool:
        return self._kept_fits() and self._stale.isEmpty()

    def _keep_up_to_date(self) -> None:
        """The kept picture painted again where it is stale (all of it after a resize)."""
        if self._kept_is_current() or not self.isVisible():
            return
        viewport = self.viewport()
        if not self._kept_fits():
            ratio = viewport.devicePixelRatioF()
            self._kept = QPixmap(viewport.size() * ratio)
            self._kept.setDevicePixelRatio(ratio)
            self._kept_transform = self.viewportTransform()
            self._stale = QRegion(viewport.rect())
        stale, self._stale = self._stale & viewport.rect(), QRegion()
        self._keeping = True
        try:
            viewport.render(self._kept, stale.boundingRect().topLeft(), stale)
        finally:
            self._keeping = False

    def _paint_cursor(self, painter: QPainter, item: QGraphicsItem) -> None:
        """`item` and its children as Qt's scene paints an item: in its device
        transform, clipped to the shape of the nearest parent clipping its children."""
        if not item.isVisible() or item.scene() is not self.scene():
            return
        painter.save()
        parent = item.parentItem()
        while parent is not None:
            if parent.flags() & QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape:
                painter.setTransform(parent.deviceTransform(self.viewportTransform()))
                painter.setClipPath(parent.shape(), Qt.ClipOperation.IntersectClip)
                break
            parent = parent.parentItem()
        painter.setTransform(item.deviceTransform(self.viewportTransform()))
        painter.setOpacity(item.effectiveOpacity())
        option = QStyleOptionGraphicsItem()
        option.exposedRect = item.boundingRect()
        item.paint(painter, option, self.viewport())
        painter.restore()
        for child in sorted(item.childItems(), key=lambda c: c.zValue()):
            self._paint_cursor(painter, child)
