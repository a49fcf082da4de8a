"""A thematic layer kept as an image and moved from day to day by redrawing
only where rows started or ended.

Scrubbing day by day changes a handful of the thousands of rows that hold,
so the cost follows the rows that change, not the rows that hold. The result
is a full redraw's, to within antialiasing rounding on a few edge pixels: the
changed rows' pixels are cleared under a clip and every holding row that can
reach them is drawn again, in the order a full redraw draws them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage, QPainter, QRegion

from viewer.model.temporal import IntervalIndex
from viewer.render.layers import Frame

# When the changed rows cover more than this share of the view, or more boxes
# than this (Qt clips to a many-box region slowly), the layer is drawn whole.
FULL_REDRAW_SHARE = 0.35
MAX_DIRTY_BOXES = 24

# paint(painter, frame, rows, look): the layer's background, then `rows` as
# `look` says, honouring any clip already set on the painter.
PaintRows = Callable[[QPainter, Frame, np.ndarray, tuple], None]


@dataclass
class _Drawn:
    key: tuple          # (view, pixel ratio, look)
    image: QImage
    day: int

    @property
    def look(self) -> tuple:
        return self.key[-1]


class LayerCache:
    """One layer's image for one view, style key and day.

    `bounds` (rows x 4, projected metres) are the rows' shapes; `margin`
    gives how many pixels, at a ui scale, their drawing reaches past them
    (outline, casing, end marks). A `one_box` layer patches under one rectangle
    around the changed rows: its long lines, stroked under a clip region of
    several rectangles, cost Qt two to three times as much (100x routes, day by
    day: the slowest patch 13 -> 6 ms, all of them 180 -> 110 ms over 60 days).
    The painting function comes with each call,
    so the cache holds no reference back to its renderer (no cycle keeping a
    worker's images alive until the collector runs).
    """

    def __init__(self, index: IntervalIndex, bounds: np.ndarray,
                 margin: Callable[[float], float], one_box: bool = False) -> None:
        self.index = index
        self.bounds = bounds
        self.margin = margin
        self.one_box = one_box
        self._drawn: _Drawn | None = None

    def image(self, frame: Frame, pixel_ratio: float, look: tuple, day: int,
              paint: PaintRows) -> QImage:
        """The layer on `day`; `look` holds whatever else changes how it is drawn."""
        key = (frame.view, pixel_ratio, look)
        drawn = self._drawn
        if drawn is None or drawn.key != key:
            image = frame.view.new_image(pixel_ratio)
            drawn = _Drawn(key, image, day)
            self._draw(drawn, frame, self.index.indices(day), None, paint)
            self._drawn = drawn
        elif not self.index.same_rows(drawn.day, day):
            self._redraw_changes(drawn, frame, day, paint)
        return self._drawn.image

    def _redraw_changes(self, drawn: _Drawn, frame: Frame, day: int, paint: PaintRows) -> None:
        holds = self.index.mask(day)
        changed = np.flatnonzero(self.index.mask(drawn.day) ^ holds)
        holding = np.flatnonzero(holds)
        dirty = self._dirty_boxes(frame, changed)
        if dirty is not None and len(dirty) == 0:      # every change is off view
            drawn.day = day
            return
        if dirty is not None and self.one_box:
            dirty = np.concatenate([dirty[:, :2].min(axis=0), dirty[:, 2:].max(axis=0)])[None, :]
        view_area = frame.view.width * frame.view.height
        if dirty is None or _area(dirty) > FULL_REDRAW_SHARE * view_area:
            self._draw(drawn, frame, holding, None, paint)
        else:
            region = QRegion()
            for x0, y0, x1, y1 in dirty.tolist():
                region += QRegion(QRect(x0, y0, x1 - x0, y1 - y0))
            near = overlapping(self._pixel_boxes(frame, holding), dirty)
            self._draw(drawn, frame, holding[near], region, paint)
        drawn.day = day

    def _dirty_boxes(self, frame: Frame, changed: np.ndarray) -> np.ndarray | None:
        """The pixel boxes of the changed rows in view, None if too many to patch. A row
        ending where the next starts on the same shape (a zone changing hands, a
        route's status) is one box, not two; rows off view (empty boxes at its edge)
        have none."""
        if len(changed) > 2 * MAX_DIRTY_BOXES:
            return None
        boxes = self._pixel_boxes(frame, changed)
        boxes = np.unique(boxes[(boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])], axis=0)
        return boxes if len(boxes) <= MAX_DIRTY_BOXES else None

    def _draw(self, drawn: _Drawn, frame: Frame, rows: np.ndarray, clip: QRegion | None,
              paint: PaintRows) -> None:
        painter = QPainter(drawn.image)
        try:
            if clip is not None:
                painter.setClipRegion(clip)
            paint(painter, frame, rows, drawn.look)
        finally:
            painter.end()

    def _pixel_boxes(self, frame: Frame, rows: np.ndarray) -> np.ndarray:
        return pixel_boxes(frame, self.bounds[rows], self.margin(frame.scale))


def pixel_boxes(frame: Frame, bounds: np.ndarray, pad: float) -> np.ndarray:
    """Whole-pixel boxes (x0, y0, x1, y1) around shapes of `bounds` (projected metres)
    drawn reaching `pad` pixels past them, inside the view."""
    left, top = frame.view.to_pixels(bounds[:, 0], bounds[:, 3])
    right, bottom = frame.view.to_pixels(bounds[:, 2], bounds[:, 1])
    boxes = np.column_stack([left - pad, top - pad, right + pad, bottom + pad])
    boxes = np.nan_to_num(boxes, nan=-1.0)        # rows without a shape reach nothing
    boxes[:, :2] = np.floor(boxes[:, :2])
    boxes[:, 2:] = np.ceil(boxes[:, 2:])
    limits = np.array([frame.view.width, frame.view.height] * 2)
    return np.clip(boxes, 0, limits).astype(int)    # off-view rows: empty boxes


def reaching_clip(painter: QPainter, frame: Frame, bounds: np.ndarray, rows: np.ndarray,
                  pad: float) -> np.ndarray:
    """The `rows` (of shapes with `bounds`) that can draw inside the painter's clip:
    all of them when it has none. Call before any transform is set."""
    if not painter.hasClipping():
        return rows
    clip = np.array([(r.left(), r.top(), r.right() + 1, r.bottom() + 1)
                     for r in painter.clipRegion()], dtype=int).reshape(-1, 4)
    return rows[overlapping(pixel_boxes(frame, bounds[rows], pad), clip)]


def _area(boxes: np.ndarray) -> int:
    """Summed box areas: an upper bound on their union, enough to decide."""
    return int(((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])).sum())


def overlapping(boxes: np.ndarray, dirty: np.ndarray) -> np.ndarray:
    """Which of `boxes` overlap any of the `dirty` boxes."""
    if len(dirty) == 0:
        return np.zeros(len(boxes), dtype=bool)
    overlap = ((boxes[:, None, 0] < dirty[None, :, 2]) & (boxes[:, None, 2] > dirty[None, :, 0])
               & (boxes[:, None, 1] < dirty[None, :, 3]) & (boxes[:, None, 3] > dirty[None, :, 1]))
    return overlap.any(axis=1)
