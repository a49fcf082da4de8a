"""A cheap proof that a polygon is valid, for the many that are star-shaped.

GEOS's validity check nodes every edge against every other: at 100x (2,000 zones,
2.2 million vertices) it took 1.3-1.8 s of CPU at each first reading, a third of a
cold start's work. A polygon with one ring and no holes whose vertices, seen from
their centroid, turn steadily one way, each step less than half a turn and one
whole turn in all, is star-shaped around that point: each edge lies in a wedge of
its own, so no two edges meet but neighbours at their shared vertex, and the ring
is simple, hence a valid polygon. Voronoi-like zones ("the zone nearest a town")
are convex, so star-shaped. Every other polygon, and any where the angles are too
close to call, goes to GEOS as before: this only ever answers "valid".
"""
from __future__ import annotations

import numpy as np
import shapely

POLYGON, MULTIPOLYGON = 3, 6
# Steps whose sine is under this (within ~1e-9 rad of no turn or of half a turn)
# are left to GEOS.
SINE_MARGIN = 1e-9
# A vertex nearer the centre than this share of the ring's size and of its distance
# from the origin is left to GEOS: from so close, rounding could turn a step's sign.
NEAR_CENTRE = 1e-6
# Vertices tested together (see surely_valid).
TESTED_AT_ONCE = 1 << 16


def surely_valid(geometries: np.ndarray) -> np.ndarray:
    """True for each geometry shown valid by the star test, False where GEOS must decide."""
    geometries = np.asarray(geometries, dtype=object)
    sure = np.zeros(len(geometries), dtype=bool)
    candidates = np.flatnonzero(_one_part(geometries))
    # A group of polygons at a time: the copies of their parts and rings and the test's
    # dozen arrays as long as the coordinates are then a few MB, not 300 MB at 100x
    # (2.2 million vertices; read_dataset's peak 199 -> 418 MB all at once).
    counts = shapely.get_num_coordinates(geometries[candidates])
    cuts = np.flatnonzero(np.diff((np.cumsum(counts) - counts) // TESTED_AT_ONCE)) + 1
    for group in np.split(candidates, cuts):
        parts = shapely.get_geometry(geometries[group], 0)
        holeless = shapely.get_num_interior_rings(parts) == 0
        coords, ring_of = shapely.get_coordinates(shapely.get_exterior_ring(parts[holeless]),
                                                  return_index=True)
        sure[group[holeless]] = _star_shaped(coords, ring_of, int(holeless.sum()))
    return sure


def _one_part(geometries: np.ndarray) -> np.ndarray:
    """Polygons, and multipolygons of one polygon, not empty (holes are told later)."""
    kinds = shapely.get_type_id(geometries)
    single = (kinds == POLYGON) | ((kinds == MULTIPOLYGON) & (shapely.get_num_geometries(geometries) == 1))
    return single & ~shapely.is_empty(geometries)


def _star_shaped(coords: np.ndarray, ring_of: np.ndarray, rings: int) -> np.ndarray:
    """Per closed ring (its coordinates in order, the first repeated last; rings one
    after another, none empty): whether it turns steadily around the mean of its
    vertices, once. With cross products, not angles (arctan2 was most of the time):
    every step turns the same way, by more than nothing and less than half a turn,
    and the ring crosses the ray east of the centre exactly once."""
    counts = np.bincount(ring_of, minlength=rings)
    last = np.cumsum(counts) - 1                      # each ring's closing coordinate
    first = last - counts + 1
    once = np.ones(len(coords), dtype=bool)
    once[last] = False                                # vertices once each, for the centre
    vertices = np.maximum(counts - 1, 1)
    cx = np.bincount(ring_of[once], coords[once, 0], minlength=rings) / vertices
    cy = np.bincount(ring_of[once], coords[once, 1], minlength=rings) / vertices
    x, y = coords[:, 0] - cx[ring_of], coords[:, 1] - cy[ring_of]
    radius = np.sqrt(x * x + y * y)
    # Each coordinate and the next: an edge where both are of one ring.
    x0, y0, x1, y1, ring = x[:-1], y[:-1], x[1:], y[1:], ring_of[:-1]
    edge = ring_of[1:] == ring
    cross = x0 * y1 - y0 * x1
    least = SINE_MARGIN * radius[:-1] * radius[1:]
    edges = counts - 1
    all_left = np.bincount(ring, edge & (cross > least), minlength=rings) == edges
    all_right = np.bincount(ring, edge & (cross < -least), minlength=rings) == edges
    # Turning one way in steps under half a turn, a ring goes round once for each
    # time it crosses the ray east of the centre: upwards if anticlockwise.
    up = np.bincount(ring, edge & (y0 < 0) & (y1 >= 0), minlength=rings)
    down = np.bincount(ring, edge & (y0 >= 0) & (y1 < 0), minlength=rings)
    size = np.maximum.reduceat(radius, first) + np.abs(cx) + np.abs(cy)
    nearest = np.minimum.reduceat(radius, first)
    closed = (coords[last] == coords[first]).all(axis=1)
    return ((counts >= 4) & closed & ((all_left & (up == 1)) | (all_right & (down == 1)))
            & (nearest > NEAR_CENTRE * size) & np.isfinite(size))
