"""The dates a pack or an animation shows."""
from __future__ import annotations

import datetime as dt

from viewer.model.dataset import Dataset
from viewer.model.dates import add_months


# -- date series ------------------------------------------------------------------------
def dates_every(start: dt.date, end: dt.date, step: str) -> list[dt.date]:
    """start, start + step, ... up to end inclusive; step is day, week or month."""
    if step not in ("day", "week", "month"):
        raise ValueError(f"unknown step {step!r}")
    dates, n = [], 0
    while True:
        if step == "month":
            day = add_months(start, n)
        else:
            day = start + dt.timedelta(days=n * (7 if step == "week" else 1))
        if day > end:
            return dates
        dates.append(day)
        n += 1


def key_event_dates(dataset: Dataset, min_importance: int = 3) -> list[dt.date]:
    """Dates of the most important events, within the dataset's range."""
    return [d for d in dataset.event_dates(min_importance)
            if dataset.time_start <= d <= dataset.time_end]


