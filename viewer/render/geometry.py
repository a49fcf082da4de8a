"""Shapely geometries to QPainterPaths, built once at load, with levels of detail.

A path is built by streaming a binary QPainterPath record through
QDataStream: one numpy write per geometry instead of a Python call per vertex
(6.6 M vertices convert in well under a second).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely
from PySide6.QtCore import QByteArray, QDataStream
from PySide6.QtGui import QPainterPath

from viewer.render.projection import Extent, LonLatSimplifying, Projector

# QPainterPath's stream format: int32 count, then (int32 type, f64 x, f64 y)
# per element, then int32 fill rule; big-endian, as QDataStream writes.
_ELEMENT = np.dtype([("type", ">i4"), ("x", ">f8"), ("y", ">f8")])
_MOVE_TO, _LINE_TO = 0, 1
_ODD_EVEN_FILL = np.array([0], dtype=">i4").tobytes()

# Simplification tolerances in metres; the renderer picks the coarsest one
# below MAX_ERROR_PIXELS, so simplifying never shows. Steps of at most 1.7 from
# 300 m, where whole-map views fall: a step of 2.5 (300 -> 750) left the 100x
# benchmark's default view drawing 196,000 vertices where 56,000 do (control
# 26 -> 12 ms a frame).
LOD_TOLERANCES = (0.0, 20.0, 50.0, 125.0, 300.0, 500.0, 750.0, 1200.0, 2000.0)
MAX_ERROR_PIXELS = 0.6


def painter_paths(geoms: np.ndarray) -> list[QPainterPath]:
    """One path per geometry: each polygon ring or line part is a subpath.

    Polygons fill with the odd-even rule, so holes stay holes.
    """
    geoms = np.asarray(geoms, dtype=object)
    coords, starts, owner_of_point = _subpath_coordinates(geoms)
    records = np.empty(len(coords), dtype=_ELEMENT)
    records["x"] = coords[:, 0]
    records["y"] = coords[:, 1]
    records["type"] = _LINE_TO
    records["type"][starts] = _MOVE_TO
    # Points are grouped by owner in order, so each geometry is one slice.
    cuts = np.searchsorted(owner_of_point, np.arange(len(geoms) + 1))
    return [_stream_path(records[cuts[i]:cuts[i + 1]]) for i in range(len(geoms))]


def _subpath_coordinates(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All vertices, the index where each ring/line starts, and each vertex's geometry."""
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    polygonal = shapely.get_type_id(parts) == 3
    rings, ring_part = shapely.get_rings(parts[polygonal], return_index=True)
    lines = parts[~polygonal]
    pieces = np.concatenate([rings, lines])
    piece_owner = np.concatenate([part_owner[polygonal][ring_part], part_owner[~polygonal]])
    order = np.argsort(piece_owner, kind="stable")
    pieces, piece_owner = pieces[order], piece_owner[order]
    coords, coord_piece = shapely.get_coordinates(pieces, return_index=True)
    starts = np.flatnonzero(np.diff(coord_piece, prepend=-1) != 0)
    return coords, starts, piece_owner[coord_piece]


def _stream_path(records: np.ndarray) -> QPainterPath:
    # Kept instead of pyqtgraph's arrayToQPath (the same technique): measured on
    # 2,000 paths of 500 vertices it was no faster (0.53-0.58 s against 0.43-0.66 s,
    # on a loaded machine), and importing pyqtgraph loads QtWidgets and costs over a
    # second in an export process; render imports no widgets (pyproject.toml).
    path = QPainterPath()
    if len(records):
        data = np.array([len(records)], dtype=">i4").tobytes() + records.tobytes() + _ODD_EVEN_FILL
        QDataStream(QByteArray(data)) >> path
    return path


# A level built for a frame waiting for it is simplified in halves, one on a thread of
# its own, from this many vertices (100x whole-map level, 2.2 M: 0.24 -> 0.13 s).
SPLIT_FROM_VERTICES = 200_000
SPLIT_SIMPLIFYING = (os.cpu_count() or 1) > 1
# Levels from this many metres up are the ones a whole-map view uses; `warm_up`
# builds them after the first frame (which needs only one of them). Finer levels
# hold most of the vertices and serve zoomed-in views of few shapes: each shape's
# is built when a view first needs it.
WARM_FROM = 100.0
# Shapes built per hold of the lock while warming up: a paint waiting for the
# lock waits for one chunk, not for a whole level.
WARM_CHUNK = 256


def distinct_objects(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct geometry objects, index into them for each row).

    The reader gives rows with identical shapes one shared object (a zone's
    control periods): paths and projections are made once per object.
    """
    geoms = np.asarray(geoms, dtype=object)
    ids = np.fromiter((id(g) for g in geoms), dtype=np.int64, count=len(geoms))
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    # In the order rows first name them, not by memory address: the same file then
    # gives the same vertices in the same order, which the projection cache is keyed by.
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return geoms[first[order]], rank[inverse.reshape(-1)]


class LodPaths:
    """Paths for rows of geometries at several simplification tolerances.

    `bounds` (n x 4, projected metres) lets the renderer skip rows outside
    the view with one numpy test. Rows sharing a geometry object share paths.

    Given a `projector`, the geometries are lon/lat and each level is simplified
    before it is projected: a whole-map level keeps a few percent of the vertices,
    and only those are projected. The zones' outlines (nearly all of a briefing's
    vertices) are then never projected whole before the first frame (100x: 2.2
    million vertices, 0.2 s on two cores, and a second copy of every shape).
    """

    def __init__(self, geoms: np.ndarray, tolerances: tuple[float, ...] = LOD_TOLERANCES,
                 projector: Projector | None = None) -> None:
        geoms = np.asarray(geoms, dtype=object)
        self.tolerances = tolerances
        self._shapes, self._shape_of_row = distinct_objects(geoms)
        self._projector = projector
        self._simplifying: LonLatSimplifying | None = None
        self._projections: dict[int, object] = {}   # shape -> its projection, as asked for
        if projector is None:
            self.bounds = shapely.bounds(geoms)
        else:
            lonlat = shapely.bounds(self._shapes)
            self.bounds = projector.boxes_around(lonlat)[self._shape_of_row]
            box = Extent.of_bounds(lonlat)   # None: no shape to simplify
            self._simplifying = projector.lonlat_simplifying(box.as_tuple()) if box else None
        self._first_row_of_shape = np.zeros(len(self._shapes), dtype=np.int64)
        self._first_row_of_shape[self._shape_of_row[::-1]] = np.arange(len(geoms))[::-1]
        self._lock = threading.Lock()
        # Every level is built per shape when first drawn (or warmed up).
        self._levels: list[list] = [[None] * len(self._shapes) for _ in tolerances]
        self._built = [0] * len(tolerances)      # shapes with a path, per level

    def warm_up(self, pause: Callable[[], None] = lambda: None) -> None:
        """Build the whole-map levels not built yet (call off the GUI thread),
        calling `pause()` before each chunk."""
        for level, tolerance in enumerate(self.tolerances):
            if tolerance >= WARM_FROM:
                self._warm_level(level, pause)

    def warm_level(self, metres_per_pixel: float) -> None:
        """Build the level a view of `metres_per_pixel` draws (call off the GUI thread)."""
        self._warm_level(self._level_for(metres_per_pixel), lambda: None)

    def _warm_level(self, level: int, pause: Callable[[], None]) -> None:
        for start in range(0, len(self._shapes), WARM_CHUNK):
            pause()
            self._paths(level, np.arange(start, min(start + WARM_CHUNK, len(self._shapes))), False)

    def __len__(self) -> int:
        return len(self.bounds)

    def _level_for(self, metres_per_pixel: float) -> int:
        """The coarsest level whose error stays under MAX_ERROR_PIXELS."""
        usable = [i for i, t in enumerate(self.tolerances) if t <= metres_per_pixel * MAX_ERROR_PIXELS]
        return usable[-1] if usable else 0

    def _paths(self, level: int, shapes: np.ndarray, waited_for: bool = True) -> list[QPainterPath]:
        """The level's paths, those of `shapes` built if they are not yet; `waited_for`:
        a frame waits for them (not a warm-up)."""
        paths = self._levels[level]
        if self._built[level] == len(paths):
            return paths      # looking for missing shapes took 0.13 ms a layer drawn at 100x
        missing = [shape for shape in np.unique(shapes) if paths[shape] is None]
        if missing:
            # Shared by the window and exports on other threads: one builds a level at a time.
            with self._lock:
                self._build(level, [shape for shape in missing if paths[shape] is None], waited_for)
        return paths

    def _build(self, level: int, missing: list[int], waited_for: bool) -> None:
        paths = self._levels[level]
        if missing:
            built = painter_paths(self._level_shapes(level, missing, waited_for))
            for shape, path in zip(missing, built):
                paths[shape] = path
            self._built[level] += len(missing)

    def _level_shapes(self, level: int, shapes: list[int], waited_for: bool) -> np.ndarray:
        """The shapes as the level draws them, projected: with a projector, simplified in
        lon/lat (see LonLatSimplifying) and then projected, except those left with an
        edge too long (the vertices it skips lie along a line straight in lon/lat, which
        bends away from the drawn chord), which are projected whole and simplified then."""
        metres, geoms = self.tolerances[level], self._shapes[shapes]
        if metres <= 0:
            return self._projected(geoms)
        if self._projector is None:
            return _simplified(geoms, metres, waited_for)
        if self._simplifying is None:
            return self._projected(geoms)
        degrees, longest = self._simplifying.tolerance(metres), self._simplifying.longest_edge(metres)
        if not degrees > 0:
            return self._projected(geoms)   # the projection failed somewhere in the box
        simple = _simplified(geoms, degrees, waited_for)
        drawn = self._projected(simple)
        bent = _edges_longer_than(simple, longest)
        if bent.any():
            drawn[bent] = _simplified(self._projected(geoms[bent]), metres)
        return drawn

    def _projected(self, geoms: np.ndarray) -> np.ndarray:
        return geoms if self._projector is None else self._projector.geometries(geoms)

    def projected(self, rows) -> np.ndarray:
        """The rows' shapes in projected metres, every vertex, as level 0 draws them
        (for what needs the shape itself: a click, a label's point on a zone, a
        comparison's box). Each is projected once, when first asked for."""
        shapes = self._shape_of_row[np.asarray(rows, dtype=np.int64)].tolist()
        new = [shape for shape in dict.fromkeys(shapes) if shape not in self._projections]
        if new:
            self._projections.update(zip(new, self._projected(self._shapes[new])))
        out = np.empty(len(shapes), dtype=object)
        out[:] = [self._projections[shape] for shape in shapes]
        return out

    @property
    def shape_of_row(self) -> np.ndarray:
        """Each row's distinct shape (rows sharing a geometry object share one)."""
        return self._shape_of_row

    @property
    def shapes(self) -> np.ndarray:
        """The distinct shapes (geometry objects), in the order rows first name them."""
        return self._shapes

    @property
    def shape_bounds(self) -> np.ndarray:
        """(shapes x 4) each distinct shape's bounds, projected metres."""
        return self.bounds[self._first_row_of_shape]

    def shape_paths(self, shapes: np.ndarray, metres_per_pixel: float) -> list[QPainterPath]:
        """The paths of these distinct shapes at the level for `metres_per_pixel`."""
        paths = self._paths(self._level_for(metres_per_pixel), shapes)
        return [paths[shape] for shape in np.asarray(shapes).tolist()]

    def path(self, row: int, metres_per_pixel: float) -> QPainterPath:
        shape = self._shape_of_row[row]
        return self._paths(self._level_for(metres_per_pixel), np.array([shape]))[shape]

    def visible(self, rows: np.ndarray, metres_per_pixel: float, view_bounds: tuple) -> list:
        """(row, path) for the given rows whose bounds touch the view."""
        rows, paths = self.visible_paths(rows, metres_per_pixel, view_bounds)
        return list(zip(rows.tolist(), paths))

    def visible_paths(self, rows: np.ndarray, metres_per_pixel: float,
                      view_bounds: tuple) -> tuple[np.ndarray, list[QPainterPath]]:
        """The given rows whose bounds touch the view, and their paths."""
        xmin, ymin, xmax, ymax = view_bounds
        b = self.bounds[rows]
        inside = (b[:, 0] <= xmax) & (b[:, 2] >= xmin) & (b[:, 1] <= ymax) & (b[:, 3] >= ymin)
        rows = np.asarray(rows, dtype=np.int64)[inside]
        shapes = self._shape_of_row[rows]
        paths = self._paths(self._level_for(metres_per_pixel), shapes)
        return rows, [paths[shape] for shape in shapes.tolist()]


def shape_stacks(bounds: np.ndarray) -> np.ndarray:
    """Each shape's stack number: shapes of one stack have boxes that do not overlap
    (they may touch), given greedily in order, so most shapes fall in the first
    stacks. Boxes, not shapes: testing the shapes took 0.44 s at 100x, this 30 ms."""
    boxes = shapely.box(*np.nan_to_num(bounds).T)
    tree = shapely.STRtree(boxes)
    left, right = tree.query(boxes, predicate="overlaps")
    contained = tree.query(boxes, predicate="contains")
    left, right = np.concatenate([left, contained[0]]), np.concatenate([right, contained[1]])
    neighbours: dict[int, set[int]] = {}
    for a, b in zip(left.tolist(), right.tolist()):
        if a != b:
            neighbours.setdefault(max(a, b), set()).add(min(a, b))
    stack = np.zeros(len(bounds), dtype=np.int64)
    for shape in range(len(bounds)):
        taken = {int(stack[other]) for other in neighbours.get(shape, ())}
        stack[shape] = next(n for n in range(len(taken) + 1) if n not in taken)
    return stack


def _simplified(geoms: np.ndarray, tolerance: float, split: bool = False) -> np.ndarray:
    """Plain Douglas-Peucker (no topology preservation, some 30x faster): its
    slivers or crossings are under a pixel wherever a level is used. A shape
    smaller than the tolerance collapses; it is kept as it was. `split`: many
    vertices are simplified in halves at once, the second on a thread of its own
    (GEOS lets go of the interpreter), for a frame that waits for them."""
    counts = shapely.get_num_coordinates(geoms)
    if split and SPLIT_SIMPLIFYING and counts.sum() >= SPLIT_FROM_VERTICES:
        cut = int(np.searchsorted(np.cumsum(counts), counts.sum() / 2)) + 1
        with ThreadPoolExecutor(1, thread_name_prefix="kachin-viewer-simplifying") as pool:
            second = pool.submit(_simplified, geoms[cut:], tolerance)
            return np.concatenate([_simplified(geoms[:cut], tolerance), second.result()])
    simple = shapely.simplify(geoms, tolerance, preserve_topology=False)
    collapsed = shapely.is_empty(simple) & ~shapely.is_empty(geoms)
    simple[collapsed] = geoms[collapsed]
    return simple


def _edges_longer_than(geoms: np.ndarray, length: float) -> np.ndarray:
    """Whether each geometry has an edge longer than `length` (in its own units)."""
    long = np.zeros(len(geoms), dtype=bool)
    bounds = shapely.bounds(geoms)
    # Only a geometry whose box's diagonal is longer can have one (100x: none at the whole-map levels).
    wide = np.flatnonzero(np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) > length)
    if len(wide):
        long[wide] = _edges_longer_than_all(geoms[wide], length)
    return long


def _edges_longer_than_all(geoms: np.ndarray, length: float) -> np.ndarray:
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    line = shapely.get_type_id(parts) == 1
    lines = np.concatenate([rings, parts[line]])
    line_of = np.concatenate([part_of[ring_of], part_of[line]])
    coords, vertex_of = shapely.get_coordinates(lines, return_index=True)
    same = vertex_of[1:] == vertex_of[:-1]
    steps = np.hypot(*np.diff(coords, axis=0).T)
    long = np.zeros(len(geoms), dtype=bool)
    long[line_of[vertex_of[1:][same & (steps > length)]]] = True
    return long


def row_under(paths: LodPaths, x: float, y: float, rows: np.ndarray) -> int | None:
    """Of `rows`, the last whose shape, as drawn, holds the projected point (x, y): its
    projected shape, not the lon/lat one (a line straight in lon/lat bends from the
    drawn one: clicks 20-110 m inside a zone's long edge picked its neighbour)."""
    rows = np.unique(np.asarray(rows, dtype=np.int64))
    b = paths.bounds[rows]
    near = rows[(b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3])]
    if not len(near):
        return None
    found = near[shapely.intersects(paths.projected(near), shapely.Point(x, y))]
    return int(found[-1]) if len(found) else None
