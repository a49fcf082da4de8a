"""A scrubbing draft enlarged to the map's size, enlarged again only where it changed.

Enlarging the half-size draft smoothly (632x266 -> 1264x532 in the 100x probe's
window) took 1.4-2 ms of each draft's wall clock, about as long as stroking its
routes: Qt fetches every target pixel bilinearly, on its thread pool. Between two
of the probe's random dates some 24 % of the draft's 16-pixel tiles change
(median), day by day 1.6 %. So the enlarged image is kept, the draft compared with
the one enlarged before, and only the runs of changed tiles enlarged again, each
under a clip rectangle (one clip region of them all cost Qt as much as the whole
image). 100x, renderer only, load ~1.1: day by day 1.45 -> 0.75 ms wall, random
1.45 -> 1.28 ms; the GUI thread now does the work the pool did (clip rectangles this
small stay off the pool), which pays most when other processes hold the cores.
Where the enlargement is exactly twice the draft in device pixels, Qt samples a
target pixel from the same source pixels whatever the clip, so the image is the one
a whole enlargement gives. Elsewhere (an odd-sized map at a pixel ratio of 1.25, 1.5
or 1.75) Qt's fixed-point steps start from the clip and 8,000-19,000 pixels of a
frame came out 1-2 levels off: there the draft is enlarged whole (tests/test_render.py).
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF
from PySide6.QtGui import QImage, QPainter

from viewer.render.view import MapView

TILE = 16          # draft device pixels a side of the tiles compared
# Target pixels past a changed draft pixel's own that it still reaches: sampled
# bilinearly at twice the size, one device pixel, so a logical pixel at any pixel
# ratio from 1 up (none: the test of enlarged drafts fails).
REACH = 1


class EnlargedDraft:
    """One surface's draft enlarged, with what is drawn over it (the place symbols and
    labels, unless a selection goes between), and the draft's pixels it was enlarged from."""

    def __init__(self) -> None:
        self._image: QImage | None = None
        self._source: np.ndarray | None = None
        self._key: tuple | None = None

    def image(self, view: MapView, draft: QImage, over: QImage | None = None) -> QImage:
        """`draft` (of `view.halved()`) enlarged to cover `view`, at the draft's pixel ratio,
        and `over` (as large as the view) drawn over it: drawn again with the changed tiles
        only, it spares a draft a whole blend of the places (100x day by day, with the
        copies: 0.82-1.28 -> 0.65-0.92 ms)."""
        ratio = draft.devicePixelRatio()
        target = _enlarged_rect(view)
        key = (view.width, view.height, ratio, draft.width(), draft.height(), target.getRect(),
               over.cacheKey() if over is not None else None)
        pixels = _pixels(draft)
        if key != self._key:
            self._image = view.new_image(ratio)
            self._source = pixels.copy()
            self._key = key
            self._enlarge(draft, target, over, None)
            return self._image
        changed = _changed_tiles(pixels, self._source)
        if len(changed):
            np.copyto(self._source, pixels)
            exactly_twice = (target.width() * ratio == 2 * draft.width()
                             and target.height() * ratio == 2 * draft.height())
            self._enlarge(draft, target, over,
                          _target_rects(changed, target, draft) if exactly_twice else None)
        return self._image

    def _enlarge(self, draft: QImage, target: QRectF, over: QImage | None, clips: list[QRect] | None) -> None:
        painter = QPainter(self._image)
        try:
            for clip in clips if clips is not None else [None]:
                if clip is not None:
                    painter.setClipRect(clip)
                painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                painter.drawImage(target, draft)
                if over is not None:
                    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
                    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
                    painter.drawImage(QPointF(0, 0), over)
        finally:
            painter.end()


def _enlarged_rect(view: MapView) -> QRectF:
    """Where a draft of `view.halved()` is drawn, enlarged, to cover `view`."""
    draft = view.halved()
    width, height = 2 * draft.width, 2 * draft.height
    return QRectF((view.width - width) / 2, (view.height - height) / 2, width, height)


def _pixels(image: QImage) -> np.ndarray:
    rows = np.frombuffer(image.constBits(), dtype=np.uint32).reshape(image.height(), -1)
    return rows[:, :image.width()]


def _changed_tiles(pixels: np.ndarray, before: np.ndarray) -> np.ndarray:
    """(x0, y0, x1, y1) device pixels of the draft: runs of changed tiles along each row of tiles."""
    height, width = pixels.shape
    changed = (pixels != before).view(np.uint8)
    rows, columns, whole_rows = -(-height // TILE), -(-width // TILE), height // TILE
    # Or-ed down each tile's rows, then across its columns, as bytes (numpy's
    # logical_or.reduceat over the tiles took 0.28 ms, this 0.06).
    in_rows = np.zeros((rows, columns * TILE), dtype=np.uint8)
    np.bitwise_or.reduce(changed[:whole_rows * TILE].reshape(whole_rows, TILE, width), axis=1,
                         out=in_rows[:whole_rows, :width])
    if whole_rows < rows:
        np.bitwise_or.reduce(changed[whole_rows * TILE:], axis=0, out=in_rows[whole_rows, :width])
    tiles = np.zeros((rows, columns + 2), dtype=np.uint8)    # a tile unchanged either side
    np.bitwise_or.reduce(in_rows.reshape(rows, columns, TILE), axis=2, out=tiles[:, 1:-1])
    # Runs along each row of tiles: where a tile's change state flips.
    row, edge = np.divmod(np.flatnonzero(tiles[:, 1:] != tiles[:, :-1]), columns + 1)
    starts, stops, rows_of_runs = edge[0::2], edge[1::2], row[0::2]
    return np.column_stack([starts * TILE, rows_of_runs * TILE, np.minimum(stops * TILE, width),
                            np.minimum((rows_of_runs + 1) * TILE, height)])


def _target_rects(boxes: np.ndarray, target: QRectF, draft: QImage) -> list[QRect]:
    """The logical pixels of the enlarged image that the draft's `boxes` can reach."""
    scale_x = target.width() / draft.width()
    scale_y = target.height() / draft.height()
    rects = []
    for x0, y0, x1, y1 in boxes.tolist():
        left = math.floor(target.x() + x0 * scale_x) - REACH
        top = math.floor(target.y() + y0 * scale_y) - REACH
        right = math.ceil(target.x() + x1 * scale_x) + REACH
        bottom = math.ceil(target.y() + y1 * scale_y) + REACH
        rects.append(QRect(left, top, right - left, bottom - top))
    return rects
