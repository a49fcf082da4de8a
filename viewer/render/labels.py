"""Greedy label placement: most important first, never overlapping.

Places are taken in order of priority. A place whose symbol would sit under
a label already placed is left out altogether (it reappears when zoomed
in); otherwise its symbol is kept and its label tries a few spots
around it (right, left, above, below, then the diagonals), taking the first
whose box overlaps nothing placed so far and no symbol still to come. Only
when there is no such spot may a label cover the symbol of a minor place
still to come (which is then left out); the symbols of `protected` places
are never covered. A label with no free spot is skipped, not squeezed in.

A label must also read as its own place's name: its box is nearer its own
point than any other place's symbol by a clear margin, so Lweje's name never
sits against Bhamo's symbol.
"""
from __future__ import annotations

import math
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
        return any(box.intersects(other) for other in self.nearby(box))

    def nearby(self, box: QRectF):
        """Boxes in the grid cells `box` touches (each may come more than once)."""
        for key in self._keys(box):
            yield from self._cells.get(key, ())

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
    taken, symbols, claimed = _BoxIndex(), _BoxIndex(), _BoxIndex()
    for box in obstacles:
        taken.add(box)
    crowded = _crowded_out(requests)
    left_out = {r.row for r in requests if id(r) in crowded}
    requests = [r for r in requests if id(r) not in crowded]
    to_come, protected = _BoxIndex(), _BoxIndex()
    for request in requests:
        if request.symbol is not None:
            to_come.add(request.symbol)
            if request.protected:
                protected.add(request.symbol)
    placed = []
    metrics: dict[str, QFontMetricsF] = {}
    for request in sorted(requests, key=lambda r: -r.priority):
        if request.symbol is not None:
            to_come.remove(request.symbol)
            protected.remove(request.symbol)
            # Two symbols may touch; a symbol under a label, or so near one that the
            # label would read as its name, may not.
            if taken.overlaps(request.symbol) or claimed.overlaps(_dot(request)):
                left_out.add(request.row)
                continue
            symbols.add(request.symbol)
        fm = metrics.get(request.font.key()) or metrics.setdefault(request.font.key(),
                                                                   QFontMetricsF(request.font))
        near = (symbols, protected)  # symbols drawn, or sure to be: a label must read apart
        spot = (_first_free_spot(request, fm, bounds, (taken, symbols, to_come), near)
                or _first_free_spot(request, fm, bounds, (taken, symbols, protected), near))
        if spot is not None:
            origin, box = spot
            taken.add(box)
            if request.symbol is not None:
                limit = _ownership_limit(box, request)
                claimed.add(box.adjusted(-limit, -limit, limit, limit))
            placed.append(PlacedLabel(request.text, origin, box, request.font, request.color,
                                      request.centered))
    return placed, left_out


def _crowded_out(requests: list[LabelRequest]) -> set[int]:
    """Places whose point lies within twice the label gap of a more important
    place's point: at this zoom the two would read as one symbol (Waingmaw across
    the river from Myitkyina), so the lesser is left out until zoomed in. Protected
    places are never left out."""
    kept, out = _BoxIndex(), set()
    for request in sorted(requests, key=lambda r: -r.priority):
        if request.symbol is None:
            continue
        reach = 2 * request.gap
        near = QRectF(request.x - reach, request.y - reach, 2 * reach, 2 * reach)
        if not request.protected and any(
                math.hypot(other.center().x() - request.x, other.center().y() - request.y) < reach
                for other in kept.nearby(near)):
            out.add(id(request))
        else:
            kept.add(request.symbol)
    return out


def _first_free_spot(request: LabelRequest, fm: QFontMetricsF, bounds: QRectF,
                     avoid: tuple[_BoxIndex, ...],
                     near: tuple[_BoxIndex, ...]) -> tuple[QPointF, QRectF] | None:
    width = fm.horizontalAdvance(request.text)
    ascent, descent = fm.ascent(), fm.descent()
    height = ascent + descent
    pad = 1.5
    candidates = CENTERED_OFFSETS if request.centered else OFFSETS
    for where in candidates:
        left, top = _box_corner(where, request, width, height)
        box = QRectF(left - pad, top - pad, width + 2 * pad, height + 2 * pad)
        if (bounds.contains(box) and not any(index.overlaps(box) for index in avoid)
                and _reads_as_own(box, request, near)):
            return QPointF(left, top + ascent), box
    return None


def _distance(box: QRectF, x: float, y: float) -> float:
    dx = max(box.left() - x, 0.0, x - box.right())
    dy = max(box.top() - y, 0.0, y - box.bottom())
    return math.hypot(dx, dy)


def _dot(request: LabelRequest) -> QRectF:
    return QRectF(request.x - 0.5, request.y - 0.5, 1.0, 1.0)


def _ownership_limit(box: QRectF, request: LabelRequest) -> float:
    """How near another symbol may not come to a label: its own point's distance
    plus half the label's gap."""
    return _distance(box, request.x, request.y) + request.gap * 0.5


def _reads_as_own(box: QRectF, request: LabelRequest, near: tuple[_BoxIndex, ...]) -> bool:
    """True when none of the symbols in `near` is within the ownership limit of the
    label, its own excepted (symbols still to come that would be are left out)."""
    if request.symbol is None:
        return True
    limit = _ownership_limit(box, request)
    reach = box.adjusted(-limit, -limit, limit, limit)
    for index in near:
        for other in index.nearby(reach):
            if other is not request.symbol:
                center = other.center()
                if _distance(box, center.x(), center.y()) < limit:
                    return False
    return True


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
