"""The dates a pack or an animation shows."""
from __future__ import annotations

import datetime as dt

from viewer.model.dataset import Dataset, event_importance
from viewer.model.dates import add_months, format_date, to_day
from viewer.model.text import event_short_title


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
            if dataset.time_start <= d <= dataset.last_day]




def key_event_captions(dataset: Dataset, min_importance: int = 3) -> dict[dt.date, str]:
    """A slide caption per key-event date: the date and the events' short titles."""
    importance = event_importance(dataset.events).to_numpy()
    captions = {}
    for day in key_event_dates(dataset, min_importance):
        rows = dataset.events[(dataset.event_days == to_day(day)) & (importance >= min_importance)]
        titles = [event_short_title(own, title)
                  for own, title in zip(rows.get("short_title", [None] * len(rows)), rows["title"])]
        captions[day] = f"{format_date(day)} — {'; '.join(titles)}"
    return captions
