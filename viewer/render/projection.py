"""Metric map projection: a UTM zone picked from the dataset's centre.

Everything on the map is drawn in projected metres so shapes keep their true
proportions and the scale bar reads in kilometres; lon/lat appears only at the
edges (the command line's --extent and the PNG metadata).
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

from viewer.io import cache

# Base layers are clipped to this many degrees around the data before
# projecting: UTM stays well-behaved near its zone, not across a continent.
BASE_MARGIN_DEGREES = 12.0


@dataclass(frozen=True)
class Extent:
    """An axis-aligned box in projected metres (or degrees, where stated)."""

    xmin: float
    ymin: float
    xmax: float
    ymax: float

    @property
    def width(self) -> float:
        return self.xmax - self.xmin

    @property
    def height(self) -> float:
        return self.ymax - self.ymin

    @property
    def center(self) -> tuple[float, float]:
        return (self.xmin + self.xmax) / 2, (self.ymin + self.ymax) / 2

    def is_empty(self) -> bool:
        return not (self.width > 0 and self.height > 0)

    def padded(self, fraction: float) -> "Extent":
        dx, dy = self.width * fraction, self.height * fraction
        return Extent(self.xmin - dx, self.ymin - dy, self.xmax + dx, self.ymax + dy)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return self.xmin, self.ymin, self.xmax, self.ymax

    @classmethod
    def of_bounds(cls, bounds: np.ndarray) -> "Extent | None":
        """The union of rows of (xmin, ymin, xmax, ymax); None when all are NaN."""
        bounds = np.asarray(bounds, dtype=float).reshape(-1, 4)
        bounds = bounds[~np.isnan(bounds).any(axis=1)]
        if len(bounds) == 0:
            return None
        return cls(bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max())


def _drawn_with(epsg: int) -> pyproj.CRS | int:
    """The UTM zone `epsg` as PROJ's `algo=auto` computes it: the Evenden/Snyder
    series within 3 degrees of the central meridian, where it is within 0.1 mm of
    the Poder/Engsager one used elsewhere (measured: 0.004 mm at Kachin's latitudes,
    0.016 mm at worst, on the equator), and that beyond. A fifth to a third less
    time for the vertices (2.2 M: 0.54-0.57 -> 0.35-0.45 s)."""
    zone, hemisphere = epsg % 100, epsg // 100
    if hemisphere not in (326, 327) or not 1 <= zone <= 60:
        return epsg
    south = " +south" if hemisphere == 327 else ""
    return pyproj.CRS.from_proj4(f"+proj=utm +zone={zone}{south} +datum=WGS84 +units=m +no_defs +algo=auto")


def utm_epsg(lon: float, lat: float) -> int:
    """The EPSG code of the WGS 84 UTM zone holding (lon, lat)."""
    zone = int(math.floor((lon + 180.0) / 6.0)) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


# Fewer vertices than this project faster than a cache entry is read.
CACHED_VERTICES = 200_000
# Vertices projected in one go: bounds the copies pyproj needs (16 MB).
PROJECTED_AT_ONCE = 1 << 20


# `boxes_around`: points sampled along each edge of a lon/lat box, and the share of the
# box's size it is grown by for the bend between them: an edge of L km bends about
# L * L * tan(lat) / 12,700 km between its ends (a 1-degree box at 25 N: ~370 m), a
# fifteenth as much squared between samples (100 km: 0.4 m, 4e-6 of it). Ten times
# that leaves room for boxes of 10 degrees at 60 N; a zone is far smaller.
EDGE_SAMPLES = 16
EDGE_MARGIN = 1e-4
# `lonlat_simplifying`: the stretch and bend are sampled on a grid; between its points
# they are taken to be at most this much larger. The bend is measured on chords of
# BEND_CHORD degrees (it grows with the square of a chord's length).
STRETCH_MARGIN = 1.02
BEND_CHORD = 0.2
# Of a level's error in metres, the share left to the bend of long edges (the rest is
# Douglas-Peucker's own tolerance).
BEND_SHARE = 0.1


@dataclass(frozen=True)
class LonLatSimplifying:
    """Simplifying lon/lat shapes so that, projected, they stay within `metres` of the
    projected shapes. Douglas-Peucker keeps every vertex within `tolerance(metres)`
    degrees of a line straight in lon/lat, which projects within `stretch` times that;
    but the map draws the projected chord, straight in metres, and a long line straight
    in lon/lat bends away from it (a 100 km edge along 25 N by ~90 m). An edge of at most
    `longest_edge(metres)` degrees bends by at most BEND_SHARE of the metres; a shape
    left with a longer one is simplified once projected instead (LodPaths)."""

    stretch: float            # metres per degree, at most, anywhere in the box
    bend: float               # metres per square degree of a chord's length, at most

    def tolerance(self, metres: float) -> float:
        return (1 - BEND_SHARE) * metres / self.stretch if self.stretch > 0 else 0.0

    def longest_edge(self, metres: float) -> float:
        return math.sqrt(BEND_SHARE * metres / self.bend) if self.bend > 0 else math.inf


def _largest(values: np.ndarray) -> float:
    """The largest finite value, or infinity where the projection failed (no simplifying)."""
    finite = values[np.isfinite(values)]
    return float(finite.max()) if len(finite) == len(values) else math.inf


class Projector:
    """Projects lon/lat geometries and points to a UTM zone and back."""

    def __init__(self, epsg: int) -> None:
        self.epsg = epsg
        self.crs = pyproj.CRS.from_epsg(epsg)
        self._forward = pyproj.Transformer.from_crs(4326, _drawn_with(epsg), always_xy=True)
        # What else a cached projection is keyed by, beside its coordinates.
        self._cache_tag = f"{self._forward.definition}|{pyproj.__version__}|{pyproj.proj_version_str}"
        self._inverse = pyproj.Transformer.from_crs(epsg, 4326, always_xy=True)

    @classmethod
    def for_lonlat(cls, lon: float, lat: float) -> "Projector":
        return cls(utm_epsg(lon, lat))

    @property
    def name(self) -> str:
        return f"EPSG:{self.epsg}"

    def geometries(self, geoms: np.ndarray) -> np.ndarray:
        """A projected copy of an array of shapely geometries (vectorised)."""
        return shapely.transform(np.asarray(geoms, dtype=object), self._project_coordinates)

    def _project_coordinates(self, coords: np.ndarray) -> np.ndarray:
        """All vertices at once, written over `coords` (shapely's fresh copy): no
        second array of every vertex. Many vertices (a large briefing) are looked up
        in the user's cache first, by a hash of the coordinates and the target:
        hashing costs about a tenth of projecting, and an unchanged file gives the
        same coordinates (viewer/io/cache.py)."""
        coords = np.ascontiguousarray(coords, dtype=float)
        key = None
        if len(coords) >= CACHED_VERTICES:
            digest = hashlib.blake2b(coords.data, digest_size=20)
            digest.update(self._cache_tag.encode())
            key = digest.hexdigest()
            if cache.load_array_into("projected", key, coords):
                return coords
        for start in range(0, len(coords), PROJECTED_AT_ONCE):
            part = coords[start:start + PROJECTED_AT_ONCE]
            x, y = np.ascontiguousarray(part[:, 0]), np.ascontiguousarray(part[:, 1])
            self._forward.transform(x, y, inplace=True)
            part[:, 0], part[:, 1] = x, y
        if key is not None:
            cache.in_background(cache.store_array, "projected", key, coords, cache.cache_folder())
        return coords

    def boxes_around(self, lonlat_bounds: np.ndarray) -> np.ndarray:
        """(n x 4) a projected box holding each lon/lat box (rows of minlon, minlat,
        maxlon, maxlat; NaN stays NaN): its edges sampled, as they curve, and the
        box grown by what bends between the samples. A shape lies in its lon/lat box,
        so its projection lies in this one; not the tightest box (the grid is turned
        from the meridians: up to ~1% of the box's size larger)."""
        bounds = np.asarray(lonlat_bounds, dtype=float).reshape(-1, 4)
        t = np.linspace(0.0, 1.0, EDGE_SAMPLES)
        minlon, minlat, maxlon, maxlat = (bounds[:, [i]] for i in range(4))
        lons = np.hstack([minlon + (maxlon - minlon) * t, minlon + (maxlon - minlon) * t,
                          np.repeat(minlon, len(t), 1), np.repeat(maxlon, len(t), 1)])
        lats = np.hstack([np.repeat(minlat, len(t), 1), np.repeat(maxlat, len(t), 1),
                          minlat + (maxlat - minlat) * t, minlat + (maxlat - minlat) * t])
        x, y = self.points(lons.ravel(), lats.ravel())
        x, y = x.reshape(lons.shape), y.reshape(lats.shape)
        with np.errstate(invalid="ignore"):
            box = np.column_stack([x.min(1), y.min(1), x.max(1), y.max(1)])
            grow = EDGE_MARGIN * np.maximum(box[:, 2] - box[:, 0], box[:, 3] - box[:, 1])
        box[:, :2] -= grow[:, None]
        box[:, 2:] += grow[:, None]
        return box

    def lonlat_simplifying(self, lonlat_box: tuple[float, float, float, float]) -> LonLatSimplifying:
        """How to simplify lon/lat shapes in the box so that, projected, they stay within
        a number of metres of the projected shapes (see LonLatSimplifying)."""
        minlon, minlat, maxlon, maxlat = lonlat_box
        lon, lat = np.meshgrid(np.linspace(minlon, maxlon, 5), np.linspace(minlat, maxlat, 5))
        lon, lat = lon.ravel(), lat.ravel()
        step = 1e-4
        x, y = self.points(lon, lat)
        xe, ye = self.points(lon + step, lat)
        xn, yn = self.points(lon, lat + step)
        # The largest singular value of the Jacobian (metres per degree, in the worst direction).
        a = ((xe - x) ** 2 + (ye - y) ** 2) / step ** 2
        b = ((xn - x) ** 2 + (yn - y) ** 2) / step ** 2
        c = ((xe - x) * (xn - x) + (ye - y) * (yn - y)) / step ** 2
        stretch = np.sqrt((a + b + np.sqrt((a - b) ** 2 + 4 * c ** 2)) / 2)
        # How far a line straight in lon/lat bends from its projected chord, per square degree
        # of its length: along and across the meridians and both diagonals.
        bends = [self._bend(lon, lat, x, y, dlon * BEND_CHORD, dlat * BEND_CHORD) / BEND_CHORD ** 2
                 for dlon, dlat in ((1, 0), (0, 1), (0.7071, 0.7071), (0.7071, -0.7071))]
        return LonLatSimplifying(_largest(stretch) * STRETCH_MARGIN, _largest(np.concatenate(bends)) * STRETCH_MARGIN)

    def _bend(self, lon: np.ndarray, lat: np.ndarray, mx: np.ndarray, my: np.ndarray,
              dlon: float, dlat: float) -> np.ndarray:
        """Metres between each point's projection (mx, my) and the projected chord of the
        lon/lat line through it from (-dlon/2, -dlat/2) to (+dlon/2, +dlat/2)."""
        ax, ay = self.points(lon - dlon / 2, lat - dlat / 2)
        bx, by = self.points(lon + dlon / 2, lat + dlat / 2)
        return np.abs((bx - ax) * (my - ay) - (by - ay) * (mx - ax)) / np.hypot(bx - ax, by - ay)

    def points(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._forward.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x, float), np.asarray(y, float)

    def extent_from_lonlat(self, minlon: float, minlat: float, maxlon: float,
                           maxlat: float) -> Extent:
        """The projected box holding a lon/lat box (edges densified: they curve)."""
        bounds = self._forward.transform_bounds(minlon, minlat, maxlon, maxlat, densify_pts=21)
        return Extent(*bounds)

    def lonlat_of_extent(self, extent: Extent) -> tuple[float, float, float, float]:
        """(minlon, minlat, maxlon, maxlat) of the lon/lat box holding `extent`."""
        return tuple(self._inverse.transform_bounds(*extent.as_tuple(), densify_pts=21))

    def grid_north_degrees(self, x: float, y: float) -> float:
        """Clockwise angle from grid up to true north at a projected point.

        UTM grid north leans away from true north off the central meridian;
        the north arrow is turned by this much.
        """
        lon, lat = self._inverse.transform(x, y)
        x2, y2 = self._forward.transform(lon, min(lat + 0.05, 89.9))
        return math.degrees(math.atan2(x2 - x, y2 - y))
