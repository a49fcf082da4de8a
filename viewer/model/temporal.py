"""Vectorised half-open interval tests: what holds on day D."""
from __future__ import annotations

import numpy as np

from viewer.model.dates import OPEN_END


class IntervalIndex:
    """Rows with [start, end) day intervals; `end == OPEN_END` never ends.

    A row holds on day D when start <= D and D < end.
    """

    def __init__(self, starts: np.ndarray, ends: np.ndarray) -> None:
        self.starts = np.asarray(starts, dtype=np.int64)
        self.ends = np.asarray(ends, dtype=np.int64)
        # Every day on which the set of holding rows can change, sorted.
        finite_ends = self.ends[self.ends != OPEN_END]
        self.change_days = np.unique(np.concatenate([self.starts, finite_ends]))

    def __len__(self) -> int:
        return len(self.starts)

    def mask(self, day: int) -> np.ndarray:
        return (self.starts <= day) & (day < self.ends)

    def indices(self, day: int) -> np.ndarray:
        return np.flatnonzero(self.mask(day))

    def same_rows(self, day_a: int, day_b: int) -> bool:
        """True when no row starts or ends in between, so nothing to redraw."""
        low, high = min(day_a, day_b), max(day_a, day_b)
        first = np.searchsorted(self.change_days, low, side="right")
        return first >= len(self.change_days) or self.change_days[first] > high

    def peak_count(self, rows: np.ndarray) -> int:
        """The most of `rows` (indices or a boolean mask) holding on any one day."""
        starts, ends = self.starts[rows], self.ends[rows]
        days = np.concatenate([starts, ends])
        steps = np.concatenate([np.ones(len(starts), np.int64), -np.ones(len(ends), np.int64)])
        # Half-open: a row ending on D and one starting on D never overlap, so ends sort first.
        order = np.lexsort((steps, days))
        return int(np.cumsum(steps[order]).max(initial=0))
