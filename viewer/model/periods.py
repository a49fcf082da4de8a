"""The days an event's date may stand for, and the day it is known to have happened by.

An event dated to a month (quarter, year) may have happened on any day of it: it is
known to have happened by the period's last day, or by the data's last date where
that falls inside the period. Maps mark it from then, key-event maps show it then,
and `state` counts it from then.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from viewer.model.dates import NO_DAY, days_array


def date_periods(events: pd.DataFrame) -> np.ndarray:
    """The first and last day (inclusive) each event's date may stand for: its month,
    quarter or year, or the day itself (not its end date: an event of known start
    is known to have begun), rows in order; NO_DAY for both of an undated one. In numpy
    months: a map's events are found by it when a dataset is opened (7,200 events at
    100x took 41 ms one by one)."""
    days = days_array(events["date"])
    precisions = np.array([str(p or "day") for p in column_values(events, "date_precision")], dtype=object)
    periods = np.full((len(days), 2), NO_DAY, dtype=np.int64)
    dated = days != NO_DAY
    day, precision = days[dated].astype("datetime64[D]"), precisions[dated]
    month = day.astype("datetime64[M]").astype(np.int64)      # months since January 1970
    first_month = np.select([precision == "quarter", precision == "year"],
                            [month // 3 * 3, month // 12 * 12], month)
    length = np.select([precision == "month", precision == "quarter", precision == "year"],
                       [1, 3, 12], 0)
    first = np.where(length > 0, first_month.astype("datetime64[M]").astype("datetime64[D]"), day)
    after = (first_month + length).astype("datetime64[M]").astype("datetime64[D]")
    last = np.where(length > 0, after - np.timedelta64(1, "D"), day)
    periods[dated, 0], periods[dated, 1] = first.astype(np.int64), last.astype(np.int64)
    return periods


def known_days(events: pd.DataFrame, cap_day: int) -> np.ndarray:
    """The day each event is known to have happened by: the last day its date may stand
    for, or `cap_day` (the data's last date) where that falls inside the period (a month
    still running, or cut by `data_current_to` or the range's end: its key-event map lay
    there, and the marker came after it); NO_DAY for an undated one."""
    periods = date_periods(events)
    known = np.maximum(np.minimum(periods[:, 1], cap_day), periods[:, 0])
    known[periods[:, 0] == NO_DAY] = NO_DAY
    return known


def column_values(frame: pd.DataFrame, name: str) -> list:
    # Whole columns, not rows: iterrows made a Series per event (1.4 s at 7,200).
    return frame[name].tolist() if name in frame.columns else [None] * len(frame)
