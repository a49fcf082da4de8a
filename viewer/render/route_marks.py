"""How routes and point marks are drawn: route pens, arrow heads and halt crosses, and
the sprites that stamp a mark once drawn (copying a sprite is some 15x faster than drawing it)."""
from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF

from viewer.render import style

# Views where more routes than this are in view at once draw them dense.
DENSE_ROUTES = 300


def unknown_route_pen(s: float) -> QPen:
    return style.cosmetic_pen(style.ROUTE_UNKNOWN, 1.0 * s, dashes=[2, 4])


def route_pens(status: str, width: float, s: float, dense: bool = False,
               confidence: str = "confirmed") -> list[QPen]:
    """Pens drawn in order: a casing that separates the route from any fill, then the line
    in the lightness of its confidence.

    Dense views drop the casing (a hairball of white halos separates nothing)
    and draw routes of unknown volume as hairlines; widths that show a volume
    stay. Qt strokes 1 px lines on a fast path, so a dense view costs a third.
    """
    if dense and width <= style.ROUTE_WIDTH_UNKNOWN * s:
        width = 1.0 * s
    # Opaque: a translucent wide antialiased stroke is some 8x slower to draw.
    casing = [] if dense else [style.cosmetic_pen(QColor(255, 255, 255), width + 2.6 * s)]
    thinnest = 1.0 * s if dense else 1.2 * s
    color = style.ROUTE_CONFIDENCE_COLOR.get(confidence, style.ROUTE)
    if status == "reduced":
        return casing + [style.cosmetic_pen(color, max(width * 0.7, thinnest), dashes=[4, 2.5])]
    if status == "halted":
        line = style.cosmetic_pen(color, max(width * 0.8, thinnest if dense else 1.6 * s),
                                  Qt.PenStyle.DotLine)
        return casing + [line]
    if status == "proposed":
        outer = style.cosmetic_pen(color, width + 2.2 * s, dashes=[6, 2.5, 1.2, 2.5])
        inner = style.cosmetic_pen(QColor("#FFFFFF"), max(width - 0.6 * s, 1.0 * s))
        return [outer, inner]
    return casing + [style.cosmetic_pen(color, width)]


# Arrow heads are sprites turned in steps of 360 / ARROW_DIRECTIONS degrees:
# under 0.3 px off at the corners of the largest head.
ARROW_DIRECTIONS = 72


def arrow_head(painter: QPainter, back: QPointF, tip: QPointF, size: float, hollow: bool,
               scale: float) -> None:
    """One triangle pointing from back to tip (pixels), `size` long, stamped as
    `arrow_head_stamps` stamps it, worked out without numpy: the legend draws a few,
    and numpy's per-call overhead made each take ~0.2 ms (now 7-11 us)."""
    dx, dy = tip.x() - back.x(), tip.y() - back.y()
    if math.hypot(dx, dy) < 1e-6:
        return
    direction = round(math.atan2(dy, dx) / (2 * math.pi) * ARROW_DIRECTIONS) % ARROW_DIRECTIONS
    ratio = painter.device().devicePixelRatioF()
    sprite = _arrow_sprite(round(size * 10), direction, hollow, scale, ratio)
    half = sprite.width() / 2
    # Halves rounded up, as Stamps does: the same head one whole pixel further is
    # the same pixels one pixel further (round() takes halves to even).
    left = math.floor(tip.x() * ratio - half + 0.5) / ratio
    top = math.floor(tip.y() * ratio - half + 0.5) / ratio
    if ratio == 1.0 and painter.transform().isIdentity():
        painter.drawImage(int(left), int(top), sprite)     # as Stamps.paint does
    else:
        painter.drawImage(QPointF(left, top), sprite)


def arrow_head_stamps(back_x: np.ndarray, back_y: np.ndarray, tip_x: np.ndarray, tip_y: np.ndarray,
                      sizes: np.ndarray, hollow: bool, scale: float, ratio: float) -> Stamps:
    """Triangles pointing from back to tip (pixels), `sizes` long, ready to stamp (at
    pixel ratio `ratio`)."""
    dx, dy = tip_x - back_x, tip_y - back_y
    keep = np.hypot(dx, dy) >= 1e-6
    turns = np.arctan2(dy[keep], dx[keep]) / (2 * math.pi)
    directions = np.round(turns * ARROW_DIRECTIONS).astype(int) % ARROW_DIRECTIONS
    # One sprite per distinct (size, direction): hundreds of heads share a few dozen.
    # Numbered as one integer (tenths of a pixel, direction): unique rows of a pair
    # of columns took some 0.5 ms of each routes layer at 100x.
    tenths = np.round(sizes[keep] * 10).astype(np.int64)
    looks, which = np.unique(tenths * ARROW_DIRECTIONS + directions, return_inverse=True)
    sprites = [_arrow_sprite(tenths, direction, hollow, scale, ratio)
               for tenths, direction in zip((looks // ARROW_DIRECTIONS).tolist(),
                                            (looks % ARROW_DIRECTIONS).tolist())]
    every = np.zeros(len(keep), dtype=np.int64)
    every[keep] = which.reshape(-1)
    # A head's sprite reaches size + 2.5 px from its tip.
    return Stamps(sprites, every, tip_x, tip_y, ratio, reach=sizes + 3, drawable=keep)


def _arrow_sprite(tenths: int, direction: int, hollow: bool, scale: float, ratio: float) -> QImage:
    """The head `tenths` / 10 pixels long, turned to `direction`."""
    size = tenths / 10
    return _sprite(_arrow_head, math.ceil(2 * size) + 4, ratio, size, hollow, direction, scale)


def _arrow_head(painter: QPainter, tip: QPointF, size: float, hollow: bool, direction: int,
                scale: float) -> None:
    angle = direction * 2 * math.pi / ARROW_DIRECTIONS
    ux, uy, half = math.cos(angle), math.sin(angle), size * 0.5
    base = QPointF(tip.x() - ux * size, tip.y() - uy * size)
    # A 1 px cosmetic outline is on Qt's fast path (a 1.2 px one is not).
    painter.setPen(style.cosmetic_pen(QColor("#FFFFFF") if not hollow else style.ROUTE, 1.0 * scale))
    painter.setBrush(QColor("#FFFFFF") if hollow else style.ROUTE)
    painter.drawPolygon(QPolygonF([tip, QPointF(base.x() - uy * half, base.y() + ux * half),
                                   QPointF(base.x() + uy * half, base.y() - ux * half)]))


def halt_cross(painter: QPainter, center: QPointF, r: float) -> None:
    for color, width in ((QColor("#FFFFFF"), r * 0.75), (style.HALT_MARK, r * 0.38)):
        pen = QPen(color, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawLine(QPointF(center.x() - r, center.y() - r), QPointF(center.x() + r, center.y() + r))
        painter.drawLine(QPointF(center.x() - r, center.y() + r), QPointF(center.x() + r, center.y() - r))


# Marks stamped by name: the painting function and the sprite's side per unit of size.
_MARKS = {"halt": (halt_cross, 3.0), "event": (style.event_marker, 14.0)}


@functools.lru_cache(maxsize=1024)
def _sprite(draw: Callable, side: int, ratio: float, *args) -> QImage:
    """`draw(painter, centre, *args)` done once into a `side` pixels square at the
    device's resolution: copying it is some 15x faster than drawing it again."""
    sprite = QImage(round(side * ratio), round(side * ratio), QImage.Format.Format_ARGB32_Premultiplied)
    sprite.setDevicePixelRatio(ratio)
    sprite.fill(Qt.GlobalColor.transparent)
    painter = QPainter(sprite)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    draw(painter, QPointF(side / 2, side / 2), *args)
    painter.end()
    return sprite


class Stamps:
    """Sprites and where each is stamped (centred on x, y pixels, snapped to device pixels),
    worked out once, then stamped for any of them: a layer keeps its rows' marks for a
    view, as sprites and positions took about as long as the copies (~1 ms each for the
    1,000 route ends of a 100x frame)."""

    def __init__(self, sprites: list[QImage], which: np.ndarray, x: np.ndarray, y: np.ndarray,
                 ratio: float, reach: np.ndarray | None = None,
                 drawable: np.ndarray | None = None) -> None:
        """`reach`: how far from (x, y) a mark draws, if less than its sprite's half side;
        `drawable`: which marks have anything to stamp (all with a place)."""
        self.sprites, self.ratio = sprites, ratio
        self.which = np.asarray(which, dtype=np.int64).reshape(-1)
        self.x, self.y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        half = np.array([sprite.width() / 2 for sprite in sprites] or [0.0])[self.which]
        left, top = np.floor(self.x * ratio - half + 0.5) / ratio, np.floor(self.y * ratio - half + 0.5) / ratio
        self.reach = half / ratio + 1 if reach is None else np.minimum(reach, half / ratio + 1)
        self.drawable = np.isfinite(left) & np.isfinite(top)   # nowhere to stamp a point without a place
        if drawable is not None:
            self.drawable &= drawable
        self.left, self.top = np.where(self.drawable, left, 0.0), np.where(self.drawable, top, 0.0)

    @classmethod
    def joined(cls, parts: list[Stamps]) -> Stamps:
        """One after another: the marks of `parts[1]` numbered after those of `parts[0]`…"""
        joined = cls([], np.zeros(0), np.zeros(0), np.zeros(0), parts[0].ratio)
        offsets = np.cumsum([0] + [len(part.sprites) for part in parts[:-1]])
        joined.sprites = [sprite for part in parts for sprite in part.sprites]
        joined.which = np.concatenate([part.which + offset for part, offset in zip(parts, offsets)])
        for name in ("x", "y", "reach", "drawable", "left", "top"):
            setattr(joined, name, np.concatenate([getattr(part, name) for part in parts]))
        return joined

    def __len__(self) -> int:
        return len(self.which)

    def paint(self, painter: QPainter, marks: np.ndarray | None = None) -> None:
        """Stamp `marks` (numbers, in this order; all when None) that the clip can show."""
        marks = np.arange(len(self)) if marks is None else np.asarray(marks, dtype=np.int64)
        marks = marks[self.drawable[marks]]
        marks = marks[in_clip(painter, self.x[marks], self.y[marks], self.reach[marks])]
        sprites, draw = self.sprites, painter.drawImage
        which = self.which[marks].tolist()
        if self.ratio == 1.0 and painter.transform().isIdentity():
            # Whole pixels: the (int, int) form is some 40% cheaper a call (1,000 route
            # ends a frame at 100x), and draws the same pixels.
            for i, at_x, at_y in zip(which, self.left[marks].astype(int).tolist(),
                                     self.top[marks].astype(int).tolist()):
                draw(at_x, at_y, sprites[i])
            return
        for i, at_x, at_y in zip(which, self.left[marks].tolist(), self.top[marks].tolist()):
            draw(QPointF(at_x, at_y), sprites[i])


def in_clip(painter: QPainter, x: np.ndarray, y: np.ndarray, reach: np.ndarray | float) -> np.ndarray:
    """Which marks centred on (x, y) and reaching `reach` pixels from it can draw inside
    the painter's clip: a patch (LayerCache) clips to a few boxes, and stamping the
    1,000 route ends outside them cost some 2.5 ms a patch at 100x."""
    if not painter.hasClipping() or not painter.transform().isIdentity():
        return np.ones(len(x), dtype=bool)
    clip = np.array([(r.left(), r.top(), r.right() + 1, r.bottom() + 1)
                     for r in painter.clipRegion()], dtype=float).reshape(-1, 4)
    x, y, reach = x[:, None], y[:, None], np.reshape(reach, (-1, 1))
    with np.errstate(invalid="ignore"):
        return ((x - reach < clip[None, :, 2]) & (x + reach > clip[None, :, 0])
                & (y - reach < clip[None, :, 3]) & (y + reach > clip[None, :, 1])).any(axis=1)


def stamp_place_symbols(painter: QPainter, kinds: np.ndarray, x: np.ndarray, y: np.ndarray,
                        scale: float) -> None:
    """Each place's symbol (style.place_symbol) centred on (x, y) pixels, in the order
    given: 5,000 places at 100x took 0.3 s drawn one by one, 0.03 s stamped."""
    looks, which = np.unique(np.asarray(kinds, dtype=str), return_inverse=True)
    side = math.ceil(PLACE_SYMBOL_SIDE * scale) + 2
    ratio = painter.device().devicePixelRatioF()
    sprites = [_sprite(_place_symbol, side, ratio, kind, scale) for kind in looks.tolist()]
    Stamps(sprites, which, x, y, ratio).paint(painter)


# The largest symbol (a capital's outer ring, 6.9 units, and its pen) fits in this side.
PLACE_SYMBOL_SIDE = 16.0


def _place_symbol(painter: QPainter, center: QPointF, kind: str, scale: float) -> None:
    style.place_symbol(painter, kind, center, scale)


def mark_stamps(mark: str, x: np.ndarray, y: np.ndarray, size: float, ratio: float) -> Stamps:
    """The named mark of `size` centred on each (x, y) in pixels, ready to stamp."""
    draw, side_per_size = _MARKS[mark]
    sprite = _sprite(draw, math.ceil(side_per_size * size) + 2, ratio, size)
    return Stamps([sprite], np.zeros(len(x), dtype=np.int64), x, y, ratio)
