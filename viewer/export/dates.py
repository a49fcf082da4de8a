"""The dates a pack or an animation shows."""
from __future__ import annotations

import datetime as dt

import numpy as np

from viewer.model.dataset import Dataset, event_importance
from viewer.model.dates import NO_DAY, add_months, format_date, from_day
from viewer.model.periods import column_values
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
    """The days whose maps show the most important events, within the dataset's range."""
    return list(_key_events(dataset, min_importance))


def _key_events(dataset: Dataset, min_importance: int) -> dict[dt.date, list[int]]:
    """Rows of the most important events by the day their map shows: the day they are
    known to have happened by (`Dataset.event_known_days`). An event dated to a month is shown on the
    month's last day (on its first, it had not happened yet); a day's event on its day."""
    known = dataset.event_known_days
    important = (event_importance(dataset.events).to_numpy() >= min_importance) & (known != NO_DAY)
    shown: dict[dt.date, list[int]] = {}
    for row in np.flatnonzero(important):
        day = from_day(int(known[row]))
        if dataset.time_start <= day <= dataset.last_day:
            shown.setdefault(day, []).append(int(row))
    return dict(sorted(shown.items()))


def key_event_captions(dataset: Dataset, min_importance: int = 3) -> dict[dt.date, str]:
    """A slide caption per key-event map: the events' dates, as precise as the data says,
    and their short titles."""
    events = dataset.events
    precisions = [str(p or "day") for p in column_values(events, "date_precision")]
    short = column_values(events, "short_title")
    captions = {}
    for day, rows in _key_events(dataset, min_importance).items():
        dates = [format_date(from_day(int(dataset.event_days[row])), precisions[row]) for row in rows]
        titles = [event_short_title(short[row], events["title"].iloc[row]) for row in rows]
        if len(set(dates)) == 1:
            captions[day] = f"{dates[0]} — {'; '.join(titles)}"
        else:
            captions[day] = "; ".join(f"{date}: {title}" for date, title in zip(dates, titles))
    return captions
