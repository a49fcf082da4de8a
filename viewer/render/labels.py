"""Greedy label placement: most important first, never overlapping.

Each label tries a few spots around its point (right, left, above, below,
then the diagonals) and takes the first whose box overlaps nothing placed
so far; a label with no free spot is skipped, not squeezed in.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF

# Where a label may sit relative to its point, tried in this order.
OFFSETS = ("right", "left", "above", "below", "above-right", "below-right",
           "above-left", "below-left")
CELL = 64.0  # pixels per grid cell of the overlap index


@dataclass(frozen=True)
class LabelRequest:
    text: str
    x: float                 # the labelled point, pixels
    y: float
    priority: float
    font: QFont
    color: QColor
    gap: float               # clearance from the point (the symbol's radius)
    centered: bool = False   # area names sit on their point, not beside it


@dataclass(frozen=True)
class PlacedLabel:
    text: str
    origin: QPointF          # baseline start, for QPainterPath.addText
    box: QRectF
    font: QFont
    color: QColor
    centered: bool


class _BoxIndex:
    """Placed boxes bucketed by grid cell, so an overlap test looks at neighbours only."""

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], list[QRectF]] = {}

    def _keys(self, box: QRectF):
        for cx in range(int(box.left() // CELL), int(box.right() // CELL) + 1):
            for cy in range(int(box.top() // CELL), int(box.bottom() // CELL) + 1):
                yield cx, cy

    def overlaps(self, box: QRectF) -> bool:
        return any(box.intersects(other) for key in self._keys(box)
                   for other in self._cells.get(key, ()))

    def add(self, box: QRectF) -> None:
        for key in self._keys(box):
            self._cells.setdefault(key, []).append(box)


def place_labels(requests: list[LabelRequest], bounds: QRectF,
                 obstacles: list[QRectF]) -> list[PlacedLabel]:
    """Labels that fit inside `bounds` without touching each other or `obstacles`.

    Obstacles are overlay panels and symbols; a label never hides a symbol.
    """
    taken = _BoxIndex()
    for box in obstacles:
        taken.add(box)
    placed = []
    metrics: dict[str, QFontMetricsF] = {}
    for request in sorted(requests, key=lambda r: -r.priority):
        fm = metrics.get(request.font.key()) or metrics.setdefault(request.font.key(),
                                                                   QFontMetricsF(request.font))
        spot = _first_free_spot(request, fm, bounds, taken)
        if spot is not None:
            origin, box = spot
            taken.add(box)
            placed.append(PlacedLabel(request.text, origin, box, request.font, request.color,
                                      request.centered))
    return placed


def _first_free_spot(request: LabelRequest, fm: QFontMetricsF, bounds: QRectF,
                     taken: _BoxIndex) -> tuple[QPointF, QRectF] | None:
    width = fm.horizontalAdvance(request.text)
    ascent, descent = fm.ascent(), fm.descent()
    height = ascent + descent
    pad = 1.5
    candidates = ("center",) if request.centered else OFFSETS
    for where in candidates:
        left, top = _box_corner(where, request, width, height)
        box = QRectF(left - pad, top - pad, width + 2 * pad, height + 2 * pad)
        if bounds.contains(box) and not taken.overlaps(box):
            return QPointF(left, top + ascent), box
    return None


def _box_corner(where: str, r: LabelRequest, width: float, height: float) -> tuple[float, float]:
    """Top-left corner of a `width` x `height` box placed `where` around the point."""
    gap = r.gap
    diagonal = gap * 0.75
    if where == "center":
        return r.x - width / 2, r.y - height / 2
    if where == "right":
        return r.x + gap, r.y - height / 2
    if where == "left":
        return r.x - gap - width, r.y - height / 2
    if where == "above":
        return r.x - width / 2, r.y - gap - height
    if where == "below":
        return r.x - width / 2, r.y + gap
    if where == "above-right":
        return r.x + diagonal, r.y - diagonal - height
    if where == "below-right":
        return r.x + diagonal, r.y + diagonal
    if where == "above-left":
        return r.x - diagonal - width, r.y - diagonal - height
    return r.x - diagonal - width, r.y + diagonal
