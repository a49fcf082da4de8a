"""Shapes decoded once per distinct WKB, and the checks made once per distinct shape."""
from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely

from viewer.io import cache, opened, star_rings

# Fewer shapes than this are checked faster than a cached verdict is read.
CACHED_VALIDITY_SHAPES = 500
# Polygons of fewer vertices than this are checked when `is_valid` asks, not on a
# thread of their own: starting a thread waits for the interpreter, which the window's
# thread holds at start-up, longer than checking them takes (the embedded briefing's
# eight polygon layers, 28,000 vertices: each checked in 0.2-9 ms).
EARLY_CHECK_VERTICES = 50_000


class SharedShapes:
    """Shapes decoded once per distinct WKB, shared by every row that repeats them.

    Each control period of a zone stores the zone's outline (QGIS's Temporal
    Controller needs a shape on every row), usually the same as in `areas`:
    decoding a repeated shape once keeps one copy in memory, and its validity
    is checked once. Shapely geometries are immutable, so sharing is safe.
    """

    def __init__(self) -> None:
        self._by_digest: dict[bytes, object] = {}
        self._digest_of: dict[int, bytes] = {}     # id(shape) -> its WKB's digest
        # id(shape) -> (shape, verdict); holding the shape keeps its id from being reused.
        self._validity: dict[int, tuple[object, bool]] = {}
        self._finite: dict[int, tuple[object, bool]] = {}
        self._checking: list[tuple[np.ndarray, threading.Thread, list]] = []

    def check_validity_soon(self, geometries: np.ndarray) -> None:
        """Start checking the validity of shapes not checked yet, on a thread: GEOS
        runs without the GIL, so reading and checking the rows go on meanwhile
        (on more than one core); `is_valid` waits for the verdicts. A few shapes
        are left for `is_valid` (EARLY_CHECK_VERTICES)."""
        started = {id(shape) for shapes, _, _ in self._checking for shape in shapes}
        shapes = _distinct_unknown(self._validity, geometries)
        shapes = shapes[[id(shape) not in started for shape in shapes]] if started else shapes
        if shapely.get_num_coordinates(shapes).sum() >= EARLY_CHECK_VERTICES:
            verdicts: list = []

            def check() -> None:
                try:
                    verdicts.append(self._checked_validity(shapes))
                except Exception:  # noqa: BLE001 — `is_valid` checks these again and says why
                    pass

            worker = threading.Thread(target=check, name="kachin-viewer-validity", daemon=True)
            self._checking.append((shapes, worker, verdicts))
            worker.start()

    def _take_verdicts(self) -> None:
        """The verdicts of the checks started early (any shape not given one by an
        early check that failed is checked again by `is_valid`)."""
        while self._checking:
            shapes, worker, verdicts = self._checking.pop()
            worker.join()
            for shape, valid in zip(shapes, verdicts[0].tolist() if verdicts else []):
                self._validity[id(shape)] = (shape, valid)

    def decode(self, wkb: np.ndarray, on_invalid: str = "raise") -> np.ndarray:
        """Geometries for an array of WKB (bytes or memoryviews; None for a null), reusing
        any seen before; WKB that cannot be read raises, or with on_invalid="ignore" gives None."""
        shapes = np.empty(len(wkb), dtype=object)
        new_rows: dict[bytes, list[int]] = {}
        for row, data in enumerate(wkb):
            if data is None:
                continue
            # SHA-256 runs in the CPU's SHA instructions here: 105 MB of control shapes
            # at 100x hash in 0.09 s, against 0.23 s with BLAKE2b.
            digest = hashlib.sha256(data).digest()[:16]
            known = self._by_digest.get(digest)
            if known is None:
                new_rows.setdefault(digest, []).append(row)
            else:
                shapes[row] = known
        if new_rows:
            first = [wkb[rows[0]] for rows in new_rows.values()]
            with _quiet_about_nan():
                decoded = shapely.from_wkb(np.array([bytes(data) for data in first], dtype=object),
                                           on_invalid=on_invalid)
            for (digest, rows), shape in zip(new_rows.items(), decoded):
                if shape is None:
                    continue
                self._by_digest[digest] = shape
                self._digest_of[id(shape)] = digest
                for row in rows:
                    shapes[row] = shape
        return shapes

    def is_valid(self, geometries: np.ndarray) -> np.ndarray:
        """shapely.is_valid for each geometry, computed once per distinct object."""
        self._take_verdicts()
        return self._per_object(self._validity, geometries, self._checked_validity)

    def all_finite(self, geometries: np.ndarray) -> np.ndarray:
        """Whether each geometry's coordinates are all numbers (none NaN or infinite),
        computed once per distinct object."""
        return self._per_object(self._finite, geometries, _all_finite)

    @staticmethod
    def _per_object(known: dict[int, tuple[object, bool]], geometries: np.ndarray,
                    compute: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """`compute` (a verdict per geometry) for the objects `known` lacks; every
        row's verdict from `known` (False for a null)."""
        geometries = np.asarray(geometries, dtype=object)
        distinct = _distinct_unknown(known, geometries)
        if len(distinct):
            for shape, verdict in zip(distinct, compute(distinct).tolist()):
                known[id(shape)] = (shape, verdict)
        return np.array([g is not None and known[id(g)][1] for g in geometries], dtype=bool)

    def _checked_validity(self, shapes: np.ndarray) -> np.ndarray:
        """shapely.is_valid, remembered in the user's cache for many shapes: named by
        the digests of their exact WKB (already taken when decoding), so the same
        bytes get the same verdict and any other bytes are checked afresh."""
        digests = [self._digest_of.get(id(shape)) for shape in shapes]
        if len(shapes) < CACHED_VALIDITY_SHAPES or None in digests:
            return _is_valid(shapes)
        # The checking code is in the key too: the verdicts are the star test's and GEOS's.
        key = hashlib.blake2b(b"".join(digests) + shapely.geos_version_string.encode()
                              + opened.checking_code_digest().encode(), digest_size=20).hexdigest()
        found = cache.load_array("validity", key, (len(shapes),))
        if found is not None and found.dtype == bool:
            return found
        valid = _is_valid(shapes)
        cache.store_array("validity", key, valid)
        return valid


def _is_valid(geometries: np.ndarray) -> np.ndarray:
    """`_valid` on all cores: numpy and GEOS release the GIL, and big layers take seconds."""
    geometries = np.asarray(geometries, dtype=object)
    workers = os.cpu_count() or 1
    if workers == 1 or len(geometries) < 256:
        return _valid(geometries)
    with ThreadPoolExecutor(workers) as pool:
        return np.concatenate(list(pool.map(_valid, np.array_split(geometries, workers))))


def _valid(geometries: np.ndarray) -> np.ndarray:
    """shapely.is_valid, where a polygon the star test proves valid (star_rings.py: 100x,
    2,000 zones, 0.3-0.8 s of CPU against GEOS's 1.4-1.9 s) is not given to GEOS."""
    with _quiet_about_nan():
        valid = star_rings.surely_valid(geometries)
        rest = np.flatnonzero(~valid)
        if len(rest):
            valid[rest] = shapely.is_valid(geometries[rest])
    return valid


def _quiet_about_nan():
    """numpy's warnings about a NaN or infinite vertex, which the row checks name in one
    line ("coordinates are not numbers"): printed around it, they read as a traceback."""
    return np.errstate(invalid="ignore", divide="ignore", over="ignore")


def _all_finite(geometries: np.ndarray) -> np.ndarray:
    """A few shapes' coordinates at a time: not a copy of every vertex at once."""
    finite = np.ones(len(geometries), dtype=bool)
    for start in range(0, len(geometries), 256):
        coords, rows = shapely.get_coordinates(geometries[start:start + 256], return_index=True)
        finite[start + rows[~np.isfinite(coords).all(axis=1)]] = False
    return finite


def _distinct_unknown(known: dict[int, tuple[object, bool]], geometries: np.ndarray) -> np.ndarray:
    """The distinct objects among `geometries` that `known` has no verdict for."""
    unknown = {id(g): g for g in np.asarray(geometries, dtype=object)
               if g is not None and id(g) not in known}
    distinct = np.empty(len(unknown), dtype=object)
    distinct[:] = list(unknown.values())
    return distinct
