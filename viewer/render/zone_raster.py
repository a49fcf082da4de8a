"""Scrubbing drafts' control zones recoloured from a raster instead of drawn.

A draft redraws the control zones for every date; at 100x that is 2,000 fills
and their outlines, a Qt call each (some 6 ms a draft). Which zones cover a
pixel depends only on the view, so it is worked out once per view: the zones
are split into stacks of non-overlapping zones (geometry.shape_stacks), each stack
rasterised into an image of zone numbers, and the pixels grouped into cells
covered by the same zones (and lying on the same zones' outlines). A date then
only decides each cell's look -- the sorted looks of the rows holding its
zones, as the layer composites them -- and writes the pixels by one lookup
into small tiles of those composited looks (hatching and stripes repeat every
few pixels, so a look's colour at a pixel is its tile's at the pixel's phase).

Overlapping zones blend as in the full map (looks composited in the order the
control layer draws them); outlines are the zones' one-pixel edges in the pen's
colour at OUTLINE_ALPHA, dashed on a fixed pattern where the pen is dashed.
Edges are stepped (no antialiasing), which the draft's smooth enlargement
softens. Only drafts use it: the map drawn once scrubbing stops, and every
export, are drawn by the layer.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QTransform

from viewer.render import style
from viewer.render.layers import ControlLayer, Frame, control_look

# A draft outline's strength: its pixel is two once enlarged, so half as strong keeps
# the full map's ink over a whole view (stronger darkened small zones: the drafts test
# failed at 0.8); zoomed in on large zones, outlines read lighter than the full map's.
OUTLINE_ALPHA = 0.5
# Tiles repeat every so many device pixels at most (else drafts draw zones as before).
MAX_TILE = 128
# Zones piled this deep (boxes overlapping) cost a raster each per view: drafts draw them.
MAX_STACKS = 16
# Draft pixels up to which a raster is built (a 1600x1000 map's draft). It is built
# while the map rests and holds up a click meanwhile: at pixel ratio 2 (112 ms) or in
# a 2560x1400 map (96 ms) for drafts no faster, or 11 ms faster (100x, review s9).
RASTER_PIXELS = 400_000
# Combinations of looks whose tiles a view keeps (1.6 KB each at 100x, ratio 1).
MAX_SLOTS = 4096
_NONE = -1


class ZoneRaster:
    """One view's cells (at one pixel ratio) and the tiles of the looks met so far."""

    def __init__(self, control: ControlLayer, stacks: np.ndarray, frame: Frame, pixel_ratio: float,
                 colors: dict[str, str], tile: int) -> None:
        self.control = control
        self.frame = frame
        self.ratio = pixel_ratio
        self.colors = colors
        self.tile = tile
        self.shape_of_row = control.paths.shape_of_row
        width, height = round(frame.view.width * pixel_ratio), round(frame.view.height * pixel_ratio)
        self.size = (width, height)
        fills = self._rasterised(stacks)                        # (stacks, pixels), shape or -1
        edges = np.where(_edges(fills, width, height), fills, _NONE)
        columns = np.concatenate([fills, edges]).T              # (pixels, 2 x stacks)
        first, self.cell_of_pixel = _distinct_rows(columns)
        self.cell_fills = fills[:, first].T                     # (cells, stacks)
        self.cell_edges = edges[:, first].T
        y, x = np.divmod(np.arange(width * height, dtype=np.int32), width)
        self.phase = (y % tile) * tile + x % tile
        self._slots: dict[int, int] = {0: 0}                   # combination key -> tile slot
        self._tiles = np.zeros((16, tile * tile), dtype=np.uint32)   # slot 0: nothing
        rng = np.random.default_rng(12)
        count = len(control.styles) + 1                          # looks, and "none" (0)
        self._fill_keys = rng.integers(1, 2**63, count, dtype=np.uint64)
        self._edge_keys = rng.integers(1, 2**63, count, dtype=np.uint64)
        self._fill_keys[0] = self._edge_keys[0] = 0
        self._pixels = np.empty(width * height, dtype=np.uint32)
        # The pixels of each cell, cell after cell, and where each cell's start: a date
        # rewrites the cells whose looks changed (5 % of the pixels between random
        # dates at 100x, median), not the whole image.
        cells = len(self.cell_fills)
        # As uint16 where the cells allow: numpy sorts that by radix (100x: 3 ms, not 15).
        numbers = self.cell_of_pixel.astype(np.uint16) if cells <= 2**16 else self.cell_of_pixel
        self._pixels_by_cell = np.argsort(numbers, kind="stable").astype(np.int32)
        self._cell_starts = np.concatenate([[0], np.cumsum(np.bincount(self.cell_of_pixel, minlength=cells))])
        self._keys_written: np.ndarray | None = None      # each cell's key, where all are written
        self.image = QImage(self._pixels.data, width, height, width * 4,
                            QImage.Format.Format_ARGB32_Premultiplied)
        self.image.setDevicePixelRatio(pixel_ratio)

    def _rasterised(self, stacks: np.ndarray) -> np.ndarray:
        """(stacks x pixels) the shape covering each pixel in each stack, or -1: each
        stack's shapes filled without antialiasing, their number as the colour."""
        width, height = self.size
        lod = self.control.paths
        xmin, ymin, xmax, ymax = self.frame.bounds
        b = lod.shape_bounds
        in_view = (b[:, 0] <= xmax) & (b[:, 2] >= xmin) & (b[:, 1] <= ymax) & (b[:, 3] >= ymin)
        layers = []
        for number in range(int(stacks.max(initial=-1)) + 1):
            image = QImage(width, height, QImage.Format.Format_RGB32)
            image.fill(0)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)    # whole numbers only
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setTransform(self.frame.world * QTransform.fromScale(self.ratio, self.ratio))
            shapes = np.flatnonzero(in_view & (stacks == number))
            for shape, path in zip(shapes.tolist(), lod.shape_paths(shapes, self.frame.mpp)):
                painter.setBrush(QColor.fromRgb(shape + 1))
                painter.drawPath(path)
            painter.end()
            bits = np.frombuffer(image.constBits(), dtype=np.uint32).reshape(height, -1)[:, :width]
            layers.append((bits.reshape(-1) & 0xFFFFFF).astype(np.int32) - 1)
        return np.array(layers).reshape(-1, width * height)

    def paint(self, painter: QPainter, rows: np.ndarray) -> None:
        """The zones of `rows` over what the painter holds (device pixels, no transform)."""
        if len(self._slots) > MAX_SLOTS:
            self._slots = {0: 0}
        looks = self._looks_of_shapes(rows)                       # (shapes + 1, most rows a shape)
        fills = looks[self.cell_fills].reshape(len(self.cell_fills), -1)
        edges = looks[self.cell_edges].reshape(len(self.cell_edges), -1)
        keys = self._fill_keys[fills].sum(axis=1) + self._edge_keys[edges].sum(axis=1)
        painter.save()
        painter.resetTransform()
        span = self._span_in_clip(painter)
        whole = span == slice(0, self.size[0] * self.size[1])
        # Tiles and pixels only for the cells whose looks changed since the last whole
        # write, if there was one: day by day 0.3 % of the 3,400 cells at 100x, and finding
        # the distinct looks of all of them took ~0.15 ms a draft (about half change
        # between random dates: no gain there).
        rewrite = whole and self._keys_written is not None
        cells = np.flatnonzero(keys != self._keys_written) if rewrite else np.arange(len(keys))
        distinct, first, inverse = np.unique(keys[cells], return_index=True, return_inverse=True)
        slots = np.array([self._slot(key, fills[cell], edges[cell])
                          for key, cell in zip(distinct.tolist(), cells[first].tolist())], dtype=np.int32)
        # Where each cell's tile starts (int32: the pixel-sized arrays are the cost here).
        tile_of_cell = np.zeros(len(keys), dtype=np.int32)
        tile_of_cell[cells] = slots[inverse.reshape(-1)] * np.int32(self.tile * self.tile)
        if rewrite:
            pixels = self._pixels_of(cells)
            self._pixels[pixels] = self._tiles.reshape(-1)[tile_of_cell[self.cell_of_pixel[pixels]]
                                                           + self.phase[pixels]]
        else:
            np.take(self._tiles.reshape(-1), tile_of_cell[self.cell_of_pixel[span]] + self.phase[span],
                    out=self._pixels[span])
        # A day's patch leaves the rows outside its clip as they were: no longer one date's.
        self._keys_written = keys if whole else None
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        painter.drawImage(0, 0, self.image)
        painter.restore()

    def _pixels_of(self, cells: np.ndarray) -> np.ndarray:
        """The pixels of `cells`."""
        starts = self._cell_starts[cells]
        counts = self._cell_starts[cells + 1] - starts
        offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        return self._pixels_by_cell[np.repeat(starts, counts) + offsets]

    def _span_in_clip(self, painter: QPainter) -> slice:
        """The pixels (whole image rows) the painter's clip can show: a day's patch
        (LayerCache) writes those only; the others keep an older day's, never shown."""
        width, height = self.size
        if not painter.hasClipping():
            return slice(0, width * height)
        box = painter.clipBoundingRect()
        top = min(max(math.floor(box.top() * self.ratio), 0), height)
        bottom = min(max(math.ceil(box.bottom() * self.ratio), top), height)
        return slice(top * width, bottom * width)

    def _looks_of_shapes(self, rows: np.ndarray) -> np.ndarray:
        """Per shape (and a last row for "no shape"), the looks (1 + style number, 0 none)
        of the rows holding it, one column per row holding the same shape."""
        rows = np.asarray(rows, dtype=np.int64)
        shapes = self.shape_of_row[rows]
        order = np.lexsort((self.control.style_of_row[rows], shapes))
        rows, shapes = rows[order], shapes[order]
        starts = np.flatnonzero(np.diff(shapes, prepend=-1) != 0)
        rank = np.arange(len(shapes)) - np.repeat(starts, np.diff(np.append(starts, len(shapes))))
        looks = np.zeros((len(self.control.paths.shapes) + 1, int(rank.max(initial=0)) + 1),
                         dtype=np.int64)
        looks[shapes, rank] = self.control.style_of_row[rows] + 1
        return looks

    def _slot(self, key: int, fills: np.ndarray, edges: np.ndarray) -> int:
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = len(self._slots)
            if slot >= len(self._tiles):
                self._tiles = np.concatenate([self._tiles, np.zeros_like(self._tiles)])
            self._tiles[slot] = self._composited(np.sort(fills[fills > 0]) - 1,
                                                 np.sort(edges[edges > 0]) - 1)
        return slot

    def _composited(self, fills: np.ndarray, edges: np.ndarray) -> np.ndarray:
        """A tile of these looks' fills, then their outlines, in the layer's order."""
        tile = QImage(self.tile, self.tile, QImage.Format.Format_ARGB32_Premultiplied)
        tile.fill(Qt.GlobalColor.transparent)
        painter = QPainter(tile)
        whole = QRect(0, 0, self.tile, self.tile)
        shrink = self.frame.texture_fix * self.frame.world      # the textures' own scale
        fix = shrink * QTransform.fromScale(self.ratio, self.ratio)
        for number in fills.tolist():
            brush, _pen = self._look(number, fix)
            if brush is not None:
                painter.fillRect(whole, brush)
        for number in edges.tolist():
            _brush, pen = self._look(number, fix)
            color = QColor(pen.color())
            color.setAlphaF(OUTLINE_ALPHA)
            brush = QBrush(color) if not pen.dashPattern() else QBrush(_dash_pattern(color))
            painter.fillRect(whole, brush)
        painter.end()
        bits = np.frombuffer(tile.constBits(), dtype=np.uint32).reshape(self.tile, -1)[:, :self.tile]
        return bits.reshape(-1).copy()

    def _look(self, number: int, fix: QTransform) -> tuple:
        actor, second, confidence = self.control.styles[number]
        return control_look(self.colors.get(actor, "#999999"),
                            self.colors.get(second, "#999999") if second else None,
                            confidence, self.frame.scale, fix, self.frame.pattern_scale)


def zone_raster_for(control: ControlLayer, colors: dict, frame: Frame,
                    pixel_ratio: float) -> ZoneRaster | None:
    """The drafts' zones of `frame` as a raster, where one pays: None at another pixel
    ratio than 1, in a larger draft than RASTER_PIXELS, with no zones, where the looks
    do not repeat on a small tile or the zones pile up in MAX_STACKS stacks or more."""
    if pixel_ratio != 1 or frame.view.width * frame.view.height > RASTER_PIXELS:
        return None
    tile = tile_period(frame, pixel_ratio)
    stacks = control.stacks() if tile is not None else np.empty(0, dtype=int)
    if not 0 < len(stacks) or stacks.max() >= MAX_STACKS:
        return None
    return ZoneRaster(control, stacks, frame, pixel_ratio, colors, tile)


def tile_period(frame: Frame, pixel_ratio: float) -> int | None:
    """Device pixels after which every control look repeats (its textures' tiles,
    shrunk as the frame shrinks them), or None if that is not a whole, small number."""
    shrink = (frame.texture_fix * frame.world).m11() * pixel_ratio
    period = 4                                  # the dashed outline's pattern
    for texture in (style.stripe_texture("#000000", None, 0.5, frame.pattern_scale),):
        side = texture.width() * shrink
        if abs(side - round(side)) > 1e-6:
            return None
        period = math.lcm(period, round(side))
    return period if period <= MAX_TILE else None


def _dash_pattern(color: QColor) -> QImage:
    """Every other pair of pixels, along rows and columns: a dashed line's look on
    an edge of any direction."""
    image = QImage(4, 4, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    for y in range(4):
        for x in range(4):
            if (x // 2 + y // 2) % 2 == 0:
                image.setPixelColor(x, y, color)
    return image


def _edges(fills: np.ndarray, width: int, height: int) -> np.ndarray:
    """Pixels on a shape's edge, per stack: where the next pixel right or down holds
    another shape (the first of two touching shapes keeps the edge) or where a shape
    starts after none."""
    grid = fills.reshape(len(fills), height, width)
    edge = np.zeros_like(grid, dtype=bool)
    for axis in (1, 2):
        here = [slice(None)] * 3
        after = [slice(None)] * 3
        here[axis], after[axis] = slice(0, -1), slice(1, None)
        a, b = grid[tuple(here)], grid[tuple(after)]
        differ = a != b
        edge[tuple(here)] |= differ & (a != _NONE)
        edge[tuple(after)] |= differ & (a == _NONE)
    return edge.reshape(len(fills), -1)


def _distinct_rows(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first pixel of each distinct row, each pixel's row number), by a 64-bit hash."""
    rng = np.random.default_rng(7)
    weights = rng.integers(1, 2**63, columns.shape[1], dtype=np.uint64)
    with np.errstate(over="ignore"):
        keys = ((columns.astype(np.int64) + 1).astype(np.uint64) * weights).sum(axis=1)
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1).astype(np.int32)
