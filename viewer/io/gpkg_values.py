"""How a column's values are written to a GeoPackage (viewer/io/gpkg_write.py):
its declared SQLite type (DATE, DATETIME, BOOLEAN, INTEGER, REAL, TEXT, BLOB)
and each value in that type's encoding; a value that does not fit names its
layer, row and column."""
from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
from typing import Any

import numpy as np
import pandas as pd

#: Columns that are always written as DATE (their values must be ISO dates,
#: ``datetime.date`` objects, midnight timestamps or null).
DATE_COLUMNS = frozenset({"valid_from", "valid_to", "date", "end_date", "published"})

_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_null(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, np.datetime64) and np.isnat(v):
        return True
    return False


def convert_column(layer: str, col: str, s: pd.Series) -> tuple[str, list]:
    """Return (declared SQL type, list of Python values ready for sqlite3)."""
    dtype = s.dtype
    where = f"layer {layer!r}, column {col!r}"
    values = s.tolist()
    non_null = [v for v in values if not _is_null(v)]
    date_like = col in DATE_COLUMNS or pd.api.types.is_datetime64_any_dtype(dtype) or (
        non_null and all(isinstance(v, (_dt.date, pd.Timestamp, np.datetime64))
                         for v in non_null)
    )
    if date_like:
        return _convert_dates(where, col, values)
    if pd.api.types.is_bool_dtype(dtype) or (
        non_null and all(isinstance(v, (bool, np.bool_)) for v in non_null)
    ):
        return "BOOLEAN", [None if _is_null(v) else int(bool(v)) for v in values]
    if pd.api.types.is_integer_dtype(dtype) or (
        non_null and all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                         for v in non_null)
    ):
        return "INTEGER", [None if _is_null(v) else int(v) for v in values]
    if pd.api.types.is_float_dtype(dtype) or (
        non_null and all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                         for v in non_null)
    ):
        out = []
        for v in values:
            if _is_null(v):
                out.append(None)
            else:
                f = float(v)
                if math.isinf(f):
                    raise ValueError(f"{where}: infinite value")
                out.append(f)
        return "REAL", out
    if non_null and all(isinstance(v, (bytes, bytearray, memoryview)) for v in non_null):
        return "BLOB", [None if _is_null(v) else bytes(v) for v in values]
    out = []
    for v in values:
        if _is_null(v):
            out.append(None)
        elif isinstance(v, str):
            out.append(v)
        else:
            raise TypeError(f"{where}: cannot store {type(v).__name__} value {v!r}")
    return "TEXT", out


def _convert_dates(where: str, col: str, values: list) -> tuple[str, list]:
    parsed: list[_dt.date | _dt.datetime | None] = []
    has_time = False
    for v in values:
        if _is_null(v):
            parsed.append(None)
            continue
        if isinstance(v, str):
            v = v.strip()
            if v == "":
                parsed.append(None)
                continue
            if not _ISO_DATE_RE.match(v):
                raise ValueError(f"{where}: {v!r} is not an ISO date (YYYY-MM-DD)")
            try:
                parsed.append(_dt.date.fromisoformat(v))
            except ValueError as exc:
                raise ValueError(f"{where}: {v!r} is not a valid date") from exc
            continue
        if isinstance(v, np.datetime64):
            v = pd.Timestamp(v)
        if isinstance(v, _dt.datetime):  # includes pd.Timestamp
            if v.tzinfo is not None:
                v = v.astimezone(_dt.timezone.utc).replace(tzinfo=None)
            if (v.hour, v.minute, v.second, v.microsecond) == (0, 0, 0, 0) and not (
                isinstance(v, pd.Timestamp) and v.nanosecond
            ):
                parsed.append(v.date())
            else:
                has_time = True
                parsed.append(v)
            continue
        if isinstance(v, _dt.date):
            parsed.append(v)
            continue
        raise TypeError(f"{where}: cannot store {type(v).__name__} value {v!r} as a date")
    if has_time:
        if col in DATE_COLUMNS:
            raise ValueError(f"{where}: date column holds values with a time of day")
        out = []
        for p in parsed:
            if p is None:
                out.append(None)
            elif isinstance(p, _dt.datetime):
                out.append(p.strftime("%Y-%m-%dT%H:%M:%S.") + f"{p.microsecond // 1000:03d}Z")
            else:
                out.append(p.strftime("%Y-%m-%dT00:00:00.000Z"))
        return "DATETIME", out
    return "DATE", [None if p is None else p.isoformat() for p in parsed]


# --------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------
