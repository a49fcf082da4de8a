"""Day arithmetic and honest date labels.

Dates are handled as integer day numbers (days since 1970-01-01) so interval
tests run as numpy comparisons.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

# A day number later than any real date: stands for an open-ended interval.
OPEN_END = np.iinfo(np.int64).max
# A missing date's day number: before every day. Days before 1970 are negative, so -1
# was 31 Dec 1969 (and a 1965 fact was dropped as undated).
NO_DAY = np.iinfo(np.int64).min
_EPOCH = dt.date(1970, 1, 1)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def to_day(value: dt.date) -> int:
    return (value - _EPOCH).days


def from_day(day: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(day))


def parse_date(value: object) -> dt.date | None:
    """Return a date for an ISO string, date or timestamp; None for a null.

    Raises ValueError for anything else, so the reader can name the cell.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not text.isascii():  # fromisoformat may take '２０２４' for 2024; GDAL and QGIS read NULL
            raise ValueError(f"not a date: {value!r}")
        if len(text) > 10:  # a date-time written where a date belongs: keep the day
            return dt.datetime.fromisoformat(text).date()
        return dt.date.fromisoformat(text)
    raise ValueError(f"not a date: {value!r}")


# The years a dataset's dates may lie in, for reading and for edits alike: what the
# timeline and pandas can hold with room to spare (pandas stops at 1677 and 2262; the
# timeline pads its range). An edit that wrote a date outside made its file unreadable.
EARLIEST, LATEST = dt.date(1700, 1, 1), dt.date(2199, 12, 31)


def checked_date(value: object) -> tuple[dt.date | None, str]:
    """(the date in a cell or None, the problem with it or ""): not a date, or
    outside the years the viewer can draw."""
    try:
        day = parse_date(value)
    except (ValueError, OverflowError):
        return None, f"'{value}' is not a date (YYYY-MM-DD)"
    if day is not None and not EARLIEST <= day <= LATEST:
        return None, f"{day} is outside the years {EARLIEST.year}-{LATEST.year} this viewer can show"
    return day, ""


def days_array(values: pd.Series, *, open_end: bool = False) -> np.ndarray:
    """Day numbers for a column of dates; nulls become OPEN_END or NO_DAY."""
    null = OPEN_END if open_end else NO_DAY
    if values.dtype.kind == "M" and getattr(values.dtype, "tz", None) is None:
        # Dates as the readers give them (datetime64): floored to days in one numpy
        # pass, as Timestamp.date() floors them (100x: 64 ms a read -> under 1 ms).
        stamps = values.to_numpy()
        days = stamps.astype("datetime64[D]").astype(np.int64)
        days[np.isnat(stamps)] = null
        return days
    # Each distinct value parsed once: a layer's rows share a few hundred dates.
    codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    days = [null if parsed is None else to_day(parsed) for parsed in map(parse_date, distinct)]
    return np.array(days + [null], dtype=np.int64)[codes]


def quarter_of(value: dt.date) -> int:
    """1-4: the quarter of the year `value` falls in."""
    return (value.month - 1) // 3 + 1


def format_date(value: dt.date, precision: str = "day") -> str:
    """A label that shows no more precision than the data has."""
    if precision == "year":
        return f"{value.year}"
    if precision == "quarter":
        return f"Q{quarter_of(value)} {value.year}"
    if precision == "month":
        return f"{MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def add_months(value: dt.date, months: int) -> dt.date:
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(value.day, last))



# English month names whatever the system locale (strptime's %b follows the locale Qt sets).
_MONTH_NUMBERS = {name.lower(): i for i, name in enumerate(MONTHS, 1)}
_MONTH_NUMBERS.update({name: i for i, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), 1)}, sept=9)
_NUMERIC_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_WORDED_DATE = re.compile(r"(?:(\d{1,2}) )?([a-z]+)\.?(?: (\d{1,2}))? (\d{4})")


def parse_typed_date(text: str) -> dt.date:
    """A date a person typed: `2025-10-24`, `24 Oct 2025`, `Oct 24 2025`, `Oct 2025`
    or `2025`. A month or a year alone means its first day.

    Raises ValueError, with the forms accepted, for anything else.
    """
    cleaned = " ".join(text.replace(",", " ").lower().split())
    numeric, worded = _NUMERIC_DATE.fullmatch(cleaned), _WORDED_DATE.fullmatch(cleaned)
    try:
        if numeric:
            year, month, day = numeric.groups()
            return dt.date(int(year), int(month or 1), int(day or 1))
        if worded and worded.group(2) in _MONTH_NUMBERS and not (worded.group(1) and worded.group(3)):
            day = worded.group(1) or worded.group(3) or 1
            return dt.date(int(worded.group(4)), _MONTH_NUMBERS[worded.group(2)], int(day))
    except ValueError:
        pass
    raise ValueError(f"'{text.strip()}' is not a date: type 2025-10-24, 24 Oct 2025, Oct 2025 or 2025")


def runs_on_to_today(meta: dict, last: dt.date) -> dt.date:
    """A range's last day: a file that says how current it is (`data_current_to`) runs on
    to today, so today can be shown (as the last known state, marked)."""
    return max(last, dt.date.today()) if meta.get("data_current_to") else last
