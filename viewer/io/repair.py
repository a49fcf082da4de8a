"""Invalid polygons: which can be repaired cheaply, and the repair.

`shapely.make_valid` nodes every crossing of a polygon's edges with every other:
a ring of 20,000 random vertices has tens of millions of crossings and exhausts
any amount of memory. Edge crossings are counted first, a few edges at a time
so the count itself stays small, and a polygon with more than MAX_CROSSINGS is
refused (its row named) instead of repaired. A real-world shape that went wrong
(a bow tie, a ring touching itself) has a handful.
"""
from __future__ import annotations

import numpy as np
import shapely

MAX_CROSSINGS = 5_000
# Edges tested per query: few at first (on a tangled ring each edge crosses
# thousands), more once the shape proves tidy (fewer calls on a long coastline).
_FIRST_QUERY, _MAX_QUERY = 4, 4096


def too_tangled(shape: object, limit: int = MAX_CROSSINGS) -> bool:
    """Whether `shape`'s edges cross each other more than `limit` times."""
    edges = _edges(shape)
    tree = shapely.STRtree(edges)
    crossings, start, size = 0, 0, _FIRST_QUERY
    while start < len(edges):
        batch = edges[start:start + size]
        pairs = tree.query(batch, predicate="intersects").shape[1]
        # Every edge meets itself and its two neighbours; each crossing is found twice.
        crossings += max(pairs - 3 * len(batch), 0) / 2
        if crossings > limit:
            return True
        start, size = start + size, min(size * 2, _MAX_QUERY)
    return False


def repair(shapes: np.ndarray) -> np.ndarray:
    """Valid polygons for invalid ones ("structure" keeps them polygonal: no stray lines)."""
    return shapely.make_valid(shapes, method="structure", keep_collapsed=False)


def _edges(shape: object) -> np.ndarray:
    lines = shapely.get_parts(shapely.boundary(shape))
    pieces = []
    for line in lines:
        coords = shapely.get_coordinates(line)
        if len(coords) > 1:
            pieces.append(shapely.linestrings(np.stack([coords[:-1], coords[1:]], axis=1)))
    return np.concatenate(pieces) if pieces else np.empty(0, dtype=object)
