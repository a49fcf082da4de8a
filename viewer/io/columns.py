"""Columns with the types pyogrio gives for a GeoPackage (dates as datetime64,
integers with gaps as floats, text as str), from plain Python values: the
PostGIS reader and the GeoPackage reader (gpkg_read.py) give the checks the
same frames a GDAL read gave."""
from __future__ import annotations

import numpy as np
import pandas as pd


def column_series(values, kind: str) -> pd.Series:
    """A column of `kind` (PostgreSQL's udt_name: int8, bool, float8, date, timestamptz,
    bytea; anything else is text) as pyogrio reads the same GeoPackage column. Dates
    may come already parsed (a datetime Series): they are not parsed again."""
    if kind == "date":
        return pd.Series(pd.to_datetime(values), dtype="datetime64[ms]")
    if kind == "timestamptz":
        return pd.Series(pd.to_datetime(values, utc=True)).astype("datetime64[ms, UTC]")
    values = list(values)
    has_null = any(v is None for v in values)
    if kind in ("int8", "int4", "int2"):
        return pd.Series(values, dtype="float64" if has_null else "int64")
    if kind == "bool":
        return pd.Series([np.nan if v is None else float(v) for v in values] if has_null
                         else values, dtype="float64" if has_null else "bool")
    if kind in ("float8", "float4", "numeric"):
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    if kind == "bytea":
        return pd.Series([bytes(v) if v is not None else None for v in values], dtype=object)
    if values and not has_null or any(v is not None for v in values):
        return pd.Series(values, dtype="str")
    return pd.Series(values, dtype=object)  # pyogrio's type for a text column with no value
