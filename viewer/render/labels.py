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


# Boxes inside the placement are plain (x, y, width, height) tuples of floats:
# a test through QRectF is a call into Qt from Python, some 10x slower. The
# helpers below compute edges as QRectF does (right = x + width), so the
# placement is the same to the last bit.
Box = tuple[float, float, float, float]


def _box(rect: QRectF) -> Box:
    return (rect.x(), rect.y(), rect.width(), rect.height())


def _contains(outer: Box, inner: Box) -> bool:
    """As QRectF.contains(QRectF)."""
    return (outer[0] <= inner[0] and inner[0] + inner[2] <= outer[0] + outer[2]
            and outer[1] <= inner[1] and inner[1] + inner[3] <= outer[1] + outer[3])


def _grown(box: Box, by: float) -> Box:
    """As QRectF.adjusted(-by, -by, by, by)."""
    return (box[0] - by, box[1] - by, box[2] + by + by, box[3] + by + by)


def _center(box: Box) -> tuple[float, float]:
    return box[0] + box[2] / 2, box[1] + box[3] / 2


class _BoxIndex:
    """Boxes bucketed by grid cell, so an overlap test looks at neighbours only.

    A cell keeps its boxes by identity, in the order added: removing one is a
    lookup, not a rebuilt list (at 100x, 6,000 places crowded into the first view's
    cells, the rebuilt lists were 0.4 s of placing their labels)."""

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], dict[int, Box]] = {}

    @staticmethod
    def _keys(box: Box):
        x_cells = range(int(box[0] // CELL), int((box[0] + box[2]) // CELL) + 1)
        y_cells = range(int(box[1] // CELL), int((box[1] + box[3]) // CELL) + 1)
        return [(cx, cy) for cx in x_cells for cy in y_cells]

    def overlaps(self, box: Box) -> bool:
        # As QRectF.intersects (touching edges do not overlap), inlined: the innermost loop.
        x, y, w, h = box
        cells = self._cells
        for cx in range(int(x // CELL), int((x + w) // CELL) + 1):
            for cy in range(int(y // CELL), int((y + h) // CELL) + 1):
                for ox, oy, ow, oh in cells.get((cx, cy), _EMPTY).values():
                    if x < ox + ow and ox < x + w and y < oy + oh and oy < y + h:
                        return True
        return False

    def nearby(self, box: Box):
        """Boxes in the grid cells `box` touches (each may come more than once)."""
        for key in self._keys(box):
            yield from self._cells.get(key, _EMPTY).values()

    def add(self, box: Box) -> None:
        for key in self._keys(box):
            self._cells.setdefault(key, {})[id(box)] = box

    def remove(self, box: Box) -> None:
        for key in self._keys(box):
            self._cells.get(key, {}).pop(id(box), None)


_EMPTY: dict[int, Box] = {}


def place_labels(requests: list[LabelRequest], bounds: QRectF,
                 obstacles: list[QRectF]) -> tuple[list[PlacedLabel], set[int]]:
    """Labels inside `bounds` that touch no other label, symbol or obstacle
    (overlay panels), and the rows of places left out for lack of room.
    """
    taken, symbols, claimed = _BoxIndex(), _BoxIndex(), _BoxIndex()
    for box in obstacles:
        if not box.isEmpty():   # as QRectF.intersects: an empty box overlaps nothing
            taken.add(_box(box))
    # Each symbol as one tuple object: the indexes remove and skip it by identity.
    symbol_of = {id(r): _box(r.symbol) for r in requests if r.symbol is not None}
    crowded = _crowded_out(requests, symbol_of)
    left_out = {r.row for r in requests if id(r) in crowded}
    requests = [r for r in requests if id(r) not in crowded]
    to_come, protected = _BoxIndex(), _BoxIndex()
    for request in requests:
        if request.symbol is not None:
            to_come.add(symbol_of[id(request)])
            if request.protected:
                protected.add(symbol_of[id(request)])
    placed = []
    metrics: dict[int, QFontMetricsF] = {}
    area = _box(bounds)
    for request in sorted(requests, key=lambda r: -r.priority):
        symbol = symbol_of.get(id(request))
        if symbol is not None:
            to_come.remove(symbol)
            protected.remove(symbol)
            # Two symbols may touch; a symbol under a label, or so near one that the
            # label would read as its name, may not. A protected place is never that
            # near (every label was kept clear of it, `_reads_as_own`); the claimed
            # squares' corners reach further, and dropped Bhamo beside Lweje's name.
            if taken.overlaps(symbol) or (not request.protected
                                          and claimed.overlaps(_dot(request))):
                left_out.add(request.row)
                continue
            symbols.add(symbol)
        # By the font object (shared by most requests): its key() is a call into Qt.
        fm = metrics.get(id(request.font)) or metrics.setdefault(id(request.font),
                                                                 QFontMetricsF(request.font))
        spot = _first_free_spot(request, symbol, fm, area, taken, symbols, to_come, protected)
        if spot is not None:
            origin, box = spot
            taken.add(box)
            if symbol is not None:
                claimed.add(_grown(box, _ownership_limit(box, request)))
            placed.append(PlacedLabel(request.text, origin, QRectF(*box), request.font, request.color,
                                      request.centered))
    return placed, left_out


def _crowded_out(requests: list[LabelRequest], symbol_of: dict[int, Box]) -> set[int]:
    """Places whose point lies within twice the label gap of a more important
    place's point: at this zoom the two would read as one symbol (Waingmaw across
    the river from Myitkyina), so the lesser is left out until zoomed in. Protected
    places are never left out."""
    kept, out = _BoxIndex(), set()
    for request in sorted(requests, key=lambda r: -r.priority):
        if request.symbol is None:
            continue
        reach = 2 * request.gap
        near = (request.x - reach, request.y - reach, 2 * reach, 2 * reach)
        if not request.protected and any(
                math.hypot(cx - request.x, cy - request.y) < reach
                for cx, cy in map(_center, kept.nearby(near))):
            out.add(id(request))
        else:
            kept.add(symbol_of[id(request)])
    return out


def _first_free_spot(request: LabelRequest, symbol: Box | None, fm: QFontMetricsF, bounds: Box,
                     taken: _BoxIndex, symbols: _BoxIndex, to_come: _BoxIndex,
                     protected: _BoxIndex) -> tuple[QPointF, Box] | None:
    """The first spot clear of labels, panels and every symbol, drawn or still to
    come; failing that, the first clear of all but minor symbols still to come.
    Either way the label must read as its own (symbols drawn or protected)."""
    width = fm.horizontalAdvance(request.text)
    ascent, descent = fm.ascent(), fm.descent()
    height = ascent + descent
    pad = 1.5
    near = (symbols, protected)
    fallback = None
    for where in (CENTERED_OFFSETS if request.centered else OFFSETS):
        left, top = _box_corner(where, request, width, height)
        box = (left - pad, top - pad, width + 2 * pad, height + 2 * pad)
        # Symbols first: in a crowded view most spots cover one (at 100x, 40,000 of
        # 46,000), and the labels need not then be looked through.
        if (not _contains(bounds, box) or symbols.overlaps(box) or taken.overlaps(box)
                or not _reads_as_own(box, request, symbol, near)):
            continue
        if not to_come.overlaps(box):
            return QPointF(left, top + ascent), box
        if fallback is None and not protected.overlaps(box):
            fallback = QPointF(left, top + ascent), box
    return fallback


def _distance(box: Box, x: float, y: float) -> float:
    dx = max(box[0] - x, 0.0, x - (box[0] + box[2]))
    dy = max(box[1] - y, 0.0, y - (box[1] + box[3]))
    return math.hypot(dx, dy)


def _dot(request: LabelRequest) -> Box:
    return (request.x - 0.5, request.y - 0.5, 1.0, 1.0)


def _ownership_limit(box: Box, request: LabelRequest) -> float:
    """How near another symbol may not come to a label: its own point's distance
    plus half the label's gap."""
    return _distance(box, request.x, request.y) + request.gap * 0.5


def _reads_as_own(box: Box, request: LabelRequest, symbol: Box | None,
                  near: tuple[_BoxIndex, ...]) -> bool:
    """True when none of the symbols in `near` is within the ownership limit of the
    label, its own (`symbol`) excepted (symbols still to come that would be are left out)."""
    if symbol is None:
        return True
    limit = _ownership_limit(box, request)
    reach = _grown(box, limit)
    for index in near:
        for other in index.nearby(reach):
            if other is not symbol and _distance(box, *_center(other)) < limit:
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
