"""The polygons' validity check a window's read leaves running while the map is prepared.

Checking the validity of every polygon is the one expensive check (0.4-0.9 s
at 100x on two cores). The window's read of a large file returns its dataset
with that verdict still coming (`Dataset.geometry_check`): every other check
has run, and this one runs on other threads while the window's loader prepares
the map (projecting, on one core), which waits for it before anything is drawn.
All valid, the dataset is exactly what a full read gives; otherwise the loader
reads the file again with every check (repairs and their warnings, or the
refusal naming file, layer, row and column). The command line always reads
with every check.

Nothing is drawn before the verdict: an unchecked polygon tangled enough to be
refused makes GEOS's simplify (a buffer(0) of the crossing rings) or a union of
outlines exhaust any amount of memory.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable

import numpy as np

from viewer.io.shapes import SharedShapes

# One core is left to preparing the map, which runs meanwhile.
THREADS = max(1, (os.cpu_count() or 1) - 1)


class ValidityLater:
    """The verdict on the polygons a read left unchecked; `all_valid()` on any thread."""

    def __init__(self, shapes: SharedShapes, polygons: list[np.ndarray],
                 when_valid: Callable[[], None]) -> None:
        self._shapes = shapes
        self._polygons = polygons     # per layer, the polygons to check
        self._when_valid = when_valid
        self._lock = threading.Lock()
        self._verdict: bool | None = None

    def start(self) -> "ValidityLater":
        """Begin checking on a thread of its own (GEOS runs without the GIL)."""
        threading.Thread(target=self.all_valid, name="kachin-viewer-validity", daemon=True).start()
        return self

    def known(self) -> bool:
        """Whether the verdict is in (no waiting)."""
        return self._verdict is not None

    def all_valid(self) -> bool:
        """Whether every polygon is valid; the first call waits for the check (usually
        under a second), later ones answer at once. A check that fails counts as not
        valid: the full read made then says why."""
        with self._lock:
            if self._verdict is None:
                try:
                    self._verdict = all(bool(self._shapes.is_valid(shapes, THREADS).all())
                                        for shapes in self._polygons)
                except Exception:  # noqa: BLE001 — GEOS raises several types; see above
                    self._verdict = False
                if self._verdict:
                    self._when_valid()
                # The shapes' digests and verdicts are no longer needed.
                self._shapes, self._polygons, self._when_valid = None, [], None
            return self._verdict
