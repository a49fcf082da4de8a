"""Greedy label placement: most important first, never overlapping.

Places are taken in order of priority. A place whose symbol would sit under
a label already placed is left out altogether (it reappears when zoomed
in); otherwise its symbol is kept and its label tries a few spots
around it (right, left, above, below, then the diagonals), taking the first
whose box overlaps nothing placed so far and no symbol still to come. Only
when there is no such spot may a label cover the symbol of a minor place
still to come (which is then left out); the symbols of `protected` places
are never covered. A label with no free spot is skipped, not squeezed in.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF

# Where a label may sit relative to its point, tried in this order.
OFFSETS = ("right", "left", "above", "below", "above-right", "below-right",
           "above-left", "below-left")
# Area names (states, lakes) sit on their point, or a line or two above or below it.
CENTERED_OFFSETS = ("center", "center-up", "center-down", "center-up-2", "center-down-2")
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
    symbol: QRectF | None = None  # the place's symbol box; None for area names
    row: int = -1            # the place's row, reported back when it is left out
    protected: bool = False  # no other label may cover this place's symbol


@dataclass(frozen=True)
class PlacedLabel:
    text: str
    origin: QPointF          # baseline start, for QPainterPath.addText
    box: QRectF
    font: QFont
    color: QColor
    centered: bool


class _BoxIndex:
    """Boxes bucketed by grid cell, so an overlap test looks at neighbours only."""

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

    def remove(self, box: QRectF) -> None:
        for key in self._keys(box):
            self._cells[key] = [b for b in self._cells.get(key, ()) if b is not box]


def place_labels(requests: list[LabelRequest], bounds: QRectF,
                 obstacles: list[QRectF]) -> tuple[list[PlacedLabel], set[int]]:
    """Labels inside `bounds` that touch no other label, symbol or obstacle
    (overlay panels), and the rows of places left out for lack of room.
    """
    taken, symbols = _BoxIndex(), _BoxIndex()
    for box in obstacles:
        taken.add(box)
    to_come, protected = _BoxIndex(), _BoxIndex()
    for request in requests:
        if request.symbol is not None:
            to_come.add(request.symbol)
            if request.protected:
                protected.add(request.symbol)
    placed, left_out = [], set()
    metrics: dict[str, QFontMetricsF] = {}
    for request in sorted(requests, key=lambda r: -r.priority):
        if request.symbol is not None:
            to_come.remove(request.symbol)
            protected.remove(request.symbol)
            # Two symbols may touch; a symbol under a label may not.
            if taken.overlaps(request.symbol):
                left_out.add(request.row)
                continue
            symbols.add(request.symbol)
        fm = metrics.get(request.font.key()) or metrics.setdefault(request.font.key(),
                                                                   QFontMetricsF(request.font))
        spot = (_first_free_spot(request, fm, bounds, (taken, symbols, to_come))
                or _first_free_spot(request, fm, bounds, (taken, symbols, protected)))
        if spot is not None:
            origin, box = spot
            taken.add(box)
            placed.append(PlacedLabel(request.text, origin, box, request.font, request.color,
                                      request.centered))
    return placed, left_out


def _first_free_spot(request: LabelRequest, fm: QFontMetricsF, bounds: QRectF,
                     avoid: tuple[_BoxIndex, ...]) -> tuple[QPointF, QRectF] | None:
    width = fm.horizontalAdvance(request.text)
    ascent, descent = fm.ascent(), fm.descent()
    height = ascent + descent
    pad = 1.5
    candidates = CENTERED_OFFSETS if request.centered else OFFSETS
    for where in candidates:
        left, top = _box_corner(where, request, width, height)
        box = QRectF(left - pad, top - pad, width + 2 * pad, height + 2 * pad)
        if bounds.contains(box) and not any(index.overlaps(box) for index in avoid):
            return QPointF(left, top + ascent), box
    return None


def _box_corner(where: str, r: LabelRequest, width: float, height: float) -> tuple[float, float]:
    """Top-left corner of a `width` x `height` box placed `where` around the point."""
    gap = r.gap
    diagonal = gap  # clear of the symbol's box on both axes
    if where.startswith("center"):
        lines = {"center": 0, "center-up": -1, "center-down": 1, "center-up-2": -2,
                 "center-down-2": 2}[where]
        return r.x - width / 2, r.y - height / 2 + lines * height * 1.1
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
