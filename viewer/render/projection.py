"""Metric map projection: a UTM zone picked from the dataset's centre.

Everything on the map is drawn in projected metres so shapes keep their true
proportions and the scale bar reads in kilometres; lon/lat appears only at the
edges (the command line's --extent and the PNG metadata).
"""
from __future__ import annotations

import hashlib
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

from viewer.io import cache
from viewer.memory import release_free_memory

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


def _into(project, group: np.ndarray) -> np.ndarray:
    """`group` projected over itself, and the pages its lon/lat shapes held handed
    back: they were made by the reading thread, whose malloc heap the projecting
    threads do not reuse (the preparing's peak at 100x, without: ~270 MB; with: ~210)."""
    group[:] = project(group)
    release_free_memory()
    return group


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
# Threads projecting at once, each a group of at least CACHED_VERTICES (so that
# every group is still looked up in the cache).
PROJECTING_THREADS = min(2, os.cpu_count() or 1)


class Projector:
    """Projects lon/lat geometries and points to a UTM zone and back."""

    def __init__(self, epsg: int) -> None:
        self.epsg = epsg
        self.crs = pyproj.CRS.from_epsg(epsg)
        self._forward = pyproj.Transformer.from_crs(4326, _drawn_with(epsg), always_xy=True)
        # What else a cached projection is keyed by, beside its coordinates.
        self._cache_tag = f"{self._forward.definition}|{pyproj.__version__}|{pyproj.proj_version_str}"
        self._inverse = pyproj.Transformer.from_crs(epsg, 4326, always_xy=True)
        # id(lon/lat shape) -> (that shape, its projection), or a shape projected in
        # place (replace_with_projection) -> (itself, itself): layers that draw the same
        # shapes (control and the no-information zones share the areas' outlines)
        # project them once. Holding the shape keeps its id from being reused.
        self._projected: dict[int, tuple[object, object]] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_lonlat(cls, lon: float, lat: float) -> "Projector":
        return cls(utm_epsg(lon, lat))

    @property
    def name(self) -> str:
        return f"EPSG:{self.epsg}"

    def geometries(self, geoms: np.ndarray, remember: bool = False) -> np.ndarray:
        """A projected copy of an array of shapely geometries (vectorised). With
        `remember`, the projections are kept, and a shape projected before with
        `remember` is not projected again (for the dataset's own shapes, which
        live as long as the projector; not for passing ones)."""
        geoms = np.asarray(geoms, dtype=object)
        if not remember:
            return shapely.transform(geoms, self._project_coordinates)
        with self._lock:
            new = {id(g): g for g in geoms if g is not None and id(g) not in self._projected}
            if new:
                shapes = np.empty(len(new), dtype=object)
                shapes[:] = list(new.values())
                projected = self._in_groups(shapes)
                self._projected.update((id(a), (a, b)) for a, b in zip(shapes, projected))
            out = np.empty(len(geoms), dtype=object)
            out[:] = [None if g is None else self._projected[id(g)][1] for g in geoms]
        return out

    def replace_with_projection(self, shapes: np.ndarray) -> None:
        """Project distinct `shapes` where they are, a group at a time, each group's
        lon/lat shapes let go of as soon as it is projected: a process that only
        draws, holding them nowhere else, never has both sets of shapes at once
        (100x: 52 MB). The projections are remembered as their own: passed to
        `geometries(remember=True)`, they come back as they are."""
        with self._lock:
            self._in_groups(shapes, in_place=True)
            self._projected.update((id(shape), (shape, shape)) for shape in shapes if shape is not None)

    def _in_groups(self, shapes: np.ndarray, in_place: bool = False) -> np.ndarray:
        """shapely.transform groups of shapes of at most about PROJECTED_AT_ONCE vertices:
        the copy of the vertices it projects is one group's (16 MB), not every shape's
        (35 MB at 100x, on top of both sets of shapes). Each group is one entry in the
        cache. Groups are projected on PROJECTING_THREADS at once (pyproj's Transformer
        is thread-safe since 3.1): shapely, pyproj and the hashing let go of the
        interpreter, and at start-up the window's thread waits for the map."""
        counts = shapely.get_num_coordinates(shapes)
        total = int(counts.sum())
        threads = max(1, min(PROJECTING_THREADS, total // CACHED_VERTICES))
        # Whole multiples of the threads, so that none is left projecting a group alone.
        group_count = max(1, -(-total // PROJECTED_AT_ONCE))
        group_count = -(-group_count // threads) * threads
        before = np.cumsum(counts) - counts
        size = -(-total // group_count) if total else 1
        groups = np.split(shapes, np.flatnonzero(np.diff(before // size)) + 1)
        project = partial(shapely.transform, transformation=self._project_coordinates)
        if in_place:   # each group is a view of `shapes`
            project = partial(_into, project)
        if threads == 1 or len(groups) == 1:
            return np.concatenate([project(group) for group in groups])
        with ThreadPoolExecutor(threads, thread_name_prefix="kachin-viewer-projecting") as pool:
            return np.concatenate(list(pool.map(project, groups)))

    def forget_remembered(self) -> None:
        """Let go of the shapes kept by `geometries(remember=True)` (both sides)."""
        with self._lock:
            self._projected.clear()

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
