"""A GeoPackage's layers read with Python's sqlite3, read-only, not with GDAL.

Kept by hand rather than pyogrio on the read path for memory: importing pyogrio
(GDAL, an 83 MB library) costs 29-31 MB of resident memory before a byte is
read, the largest single item of a command-line export's peak (100x one PNG,
374 MB against QGIS's 289 MB); reading with sqlite3 is no slower (measured:
see docs/session-notes/issue-12-rss.md). The viewer no longer imports pyogrio;
the dataset builder (geodata/kachin_build) and the tests write files with it.

A GeoPackage is SQLite: each layer a table registered in `gpkg_contents`, its
shapes blobs of a small header (GeoPackage 1.x, section 2.1.3) then standard
WKB. Columns come back with the types pyogrio gives (viewer/io/columns.py), the
rows in table order; the file is opened read-only (file_check.open_read_only),
so reading never writes to it, and its queries stop after a time limit.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyproj

from viewer.io.columns import column_series

# Declared GeoPackage column types (section 1.1.1.1.3) as the kinds column_series knows.
KINDS = {"INTEGER": "int8", "INT": "int8", "BIGINT": "int8", "MEDIUMINT": "int8",
         "SMALLINT": "int8", "TINYINT": "int8", "BOOLEAN": "bool", "REAL": "float8",
         "DOUBLE": "float8", "FLOAT": "float8", "DATE": "date", "DATETIME": "timestamptz",
         "BLOB": "bytea"}
# A number column is read as SQLite turns a stored number into the declared type
# (an INTEGER column's 2.7 reads as 2). Text stored there is not turned into 0, as
# GDAL's readers turn it (sqlite3_column_int64 and friends): it is read aside (the
# second expression, NULL for a number) and reported by its cell (`CellProblem`).
CASTS = {"int8": "CAST({0} AS INTEGER)", "bool": "CAST({0} AS INTEGER)", "float8": "CAST({0} AS REAL)"}
NOT_A_NUMBER = "CASE WHEN typeof({0}) IN ('text', 'blob') THEN {0} END"
# In a whole-number column, a number with a fraction is read aside too: SQLite keeps
# 2.5 in an INTEGER column, and the cast (as GDAL's reading) made it 2, a value the
# file does not hold (an event's importance 2.5 read as 2).
NOT_A_WHOLE_NUMBER = ("CASE WHEN typeof({0}) IN ('text', 'blob') "
                      "OR (typeof({0}) = 'real' AND {0} <> CAST({0} AS INTEGER)) THEN {0} END")
NOT_UTF8 = "text is not valid UTF-8; the unreadable bytes are shown as \ufffd"
# Envelope sizes in bytes by the header's envelope indicator (flags bits 1-3).
ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


class DamagedGeometry(ValueError):
    """A blob that is not a GeoPackage geometry."""


@dataclass(frozen=True)
class Layer:
    table: str
    geometry_column: str | None
    srs_id: int | None
    geometry_type: str = ""     # as gpkg_geometry_columns names it: POINT, MULTIPOLYGON...


def layers(db: sqlite3.Connection) -> list[Layer]:
    """Feature layers, then attribute tables, in the order GDAL lists them."""
    features = db.execute(
        "SELECT c.table_name, g.column_name, g.srs_id, g.geometry_type_name FROM gpkg_contents c "
        "JOIN gpkg_geometry_columns g ON g.table_name = c.table_name "
        "WHERE lower(c.data_type) = 'features' ORDER BY c.rowid").fetchall()
    attributes = db.execute("SELECT table_name FROM gpkg_contents "
                            "WHERE lower(data_type) = 'attributes' ORDER BY rowid").fetchall()
    return ([Layer(_text(t), _text(g), s, _text(kind).upper()) for t, g, s, kind in features]
            + [Layer(_text(t), None, None) for (t,) in attributes])


@dataclass(frozen=True)
class CellProblem:
    """A cell read as missing (an error), or read with its bad bytes replaced (a warning)."""
    row: int        # position in table order
    column: str
    message: str
    severity: str = "error"


def read_attributes(db: sqlite3.Connection, layer: Layer) -> tuple[pd.DataFrame, list[CellProblem]]:
    """The layer's columns (not its id or geometry) and the problems of their cells:
    text that is not UTF-8 (read with the bad bytes replaced by U+FFFD), and dates or
    numbers that are not one (read as missing, never as a made-up value)."""
    columns, selected = _selection(db, layer)
    return attributes_frame(columns, db.execute(_query(layer, selected)).fetchall())


class LayerRows:
    """A feature layer's rows read in one pass, in table order: the geometry blobs a
    batch at a time (`blobs(n)`: None for a null, [] at the end), the other columns
    kept as they pass, for `attributes()` once every blob is read.

    One pass, not the columns and then the shapes: GDAL writes the geometry before
    the other columns, and SQLite reaches a column stored after a large blob only by
    walking the blob's overflow pages, so reading them apart walked every shape twice
    (100x control layer: columns 0.035 s, shapes 0.072 s, both at once 0.075 s)."""

    def __init__(self, db: sqlite3.Connection, layer: Layer) -> None:
        self._columns, selected = _selection(db, layer)
        self._cursor = db.execute(_query(layer, [_quoted(layer.geometry_column), *selected]))
        self._rows: list[tuple] = []

    def blobs(self, n: int) -> list:
        batch = self._cursor.fetchmany(max(n, 1))
        self._rows += [row[1:] for row in batch]
        return [row[0] for row in batch]

    def attributes(self) -> tuple[pd.DataFrame, list[CellProblem]]:
        return attributes_frame(self._columns, self._rows)


def _selection(db: sqlite3.Connection, layer: Layer) -> tuple[list[tuple[str, str]], list[str]]:
    """The columns read, as (name, kind), and the expressions selecting them."""
    columns = [(name, KINDS.get(_base_type(kind), "text"))
               for name, kind in _columns(db, layer)]
    selected = []
    for name, kind in columns:
        quoted = _quoted(name)
        if kind in CASTS:
            aside = NOT_A_NUMBER if kind == "float8" else NOT_A_WHOLE_NUMBER
            selected += [CASTS[kind].format(quoted), aside.format(quoted)]
        else:   # dates and blobs as stored: a date column's number is named, not cast
            selected.append(f"CAST({quoted} AS TEXT)" if kind == "text" else quoted)
    return columns, selected


def _query(layer: Layer, selected: list[str]) -> str:
    return f"SELECT {', '.join(selected) or '1'} FROM {_quoted(layer.table)} ORDER BY rowid"


def attributes_frame(columns: list[tuple[str, str]],
                     rows: list[tuple]) -> tuple[pd.DataFrame, list[CellProblem]]:
    """The frame of `columns` from the rows `_selection`'s expressions gave, and the
    problems of its cells."""
    values = iter(list(zip(*rows)) if rows else [()] * (2 * len(columns)))
    problems: list[CellProblem] = []
    frame = {}
    for name, kind in columns:
        cells = next(values)
        if kind in CASTS:
            cells = _numbers(cells, next(values), name, problems)
        elif kind == "text":
            cells = _decoded(cells, name, problems)
        elif kind in ("date", "timestamptz"):
            cells = _dates(_decoded(cells, name, problems), kind, name, problems)
        frame[name] = column_series(cells, kind)
    return pd.DataFrame(frame, index=range(len(rows))), problems


def wkb_of(blob: object) -> memoryview | None:
    """The standard WKB inside a GeoPackage geometry blob; DamagedGeometry if it is not one."""
    if blob is None:
        return None
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP":
        raise DamagedGeometry("not a GeoPackage geometry (no 'GP' header)")
    if blob[2] != 0:
        raise DamagedGeometry(f"GeoPackage geometry version {blob[2]} is not known")
    flags = blob[3]
    if flags & 0b100000:
        raise DamagedGeometry("an extended GeoPackage geometry type is not supported")
    envelope = ENVELOPE_BYTES.get((flags >> 1) & 0b111)
    if envelope is None:
        raise DamagedGeometry("its header names an unknown envelope")
    start = 8 + envelope
    if len(blob) <= start:
        raise DamagedGeometry("it ends inside its header")
    # A view, not a copy: most shapes repeat one already decoded (each control period
    # keeps its zone's outline), and are only hashed (100x: 140 MB not copied).
    return memoryview(blob)[start:]


def crs_of(db: sqlite3.Connection, srs_id: int | None) -> pyproj.CRS | None:
    """The layer's coordinate system from `gpkg_spatial_ref_sys`: by EPSG code where
    it names one, else from its WKT; None for the undefined geographic system (0)."""
    if srs_id is None or srs_id == 0:
        return None
    if srs_id == -1:  # the undefined Cartesian system: GDAL's name for it
        return pyproj.CRS('LOCAL_CS["Undefined Cartesian SRS",UNIT["metre",1]]')
    row = db.execute("SELECT organization, organization_coordsys_id, definition "
                     "FROM gpkg_spatial_ref_sys WHERE srs_id = ?", [srs_id]).fetchone()
    if row is None:
        raise ValueError(f"its coordinate system (srs_id {srs_id}) is not in gpkg_spatial_ref_sys")
    organization, code, definition = (_text(v) if isinstance(v, bytes) else v for v in row)
    if str(organization).upper() == "EPSG" and isinstance(code, int):
        return pyproj.CRS.from_epsg(code)
    return pyproj.CRS.from_wkt(str(definition))


def _columns(db: sqlite3.Connection, layer: Layer) -> list[tuple[str, str]]:
    """(name, declared type) of the columns read: not the integer primary key (the
    feature id, which GDAL does not give as a column) nor the geometry."""
    info = db.execute(f"PRAGMA table_info({_quoted(layer.table)})").fetchall()
    key = [row for row in info if row[5]]
    skipped = {_text(key[0][1]).lower()} if len(key) == 1 and _base_type(_text(key[0][2])) == "INTEGER" else set()
    if layer.geometry_column:
        skipped.add(layer.geometry_column.lower())   # SQLite's names ignore case, as GDAL's do
    return [(_text(row[1]), _text(row[2])) for row in info if _text(row[1]).lower() not in skipped]


def _base_type(declared: str) -> str:
    """'TEXT(20)' -> 'TEXT'."""
    return declared.split("(")[0].strip().upper()


def _decoded(cells: tuple, column: str, problems: list[CellProblem]) -> list:
    try:   # a column of good UTF-8 in one pass (half the time at 100x: 0.16 -> 0.07 s)
        return [cell.decode("utf-8") if isinstance(cell, bytes) else cell for cell in cells]
    except UnicodeDecodeError:
        pass
    out = []
    for row, cell in enumerate(cells):
        if isinstance(cell, bytes):
            try:
                cell = cell.decode("utf-8")
            except UnicodeDecodeError:
                cell = cell.decode("utf-8", errors="replace")
                problems.append(CellProblem(row, column, NOT_UTF8, "warning"))
        out.append(cell)
    return out


def _numbers(cells: tuple, stored: tuple, column: str, problems: list[CellProblem]) -> list:
    """A number column's cells; one holding text, or a fraction in a whole-number column,
    is missing, and a problem unless blank."""
    if not any(value is not None for value in stored):
        return list(cells)
    cells = list(cells)
    for row, value in enumerate(_decoded(stored, column, [])):
        if value is None:
            continue
        cells[row] = None
        if isinstance(value, float):
            problems.append(CellProblem(row, column, f"{value!r} is not a whole number"))
        elif value.strip():
            problems.append(CellProblem(row, column, f"{value!r} is not a number"))
    return cells


def _dates(cells: list, kind: str, column: str, problems: list[CellProblem]) -> pd.Series:
    """Text dates (YYYY-MM-DD; a DATETIME in ISO 8601) as timestamps, read as GDAL
    read them: spaces around ignored, a date-time in a DATE column taken as its
    date. Any other value (text, or a number SQLite let in) is read as missing and
    is a problem naming its cell: a date silently dropped would show a route or a
    holding as open-ended."""
    text = [(cell.strip() or None) if isinstance(cell, str) else None if cell is None else str(cell)
            for cell in cells]
    if kind == "date":
        text = [t[:10] if t and len(t) > 10 and t[10] in "T " else t for t in text]
        parsed = pd.to_datetime(pd.Series(text, dtype=object), errors="coerce", format="%Y-%m-%d")
    else:
        parsed = pd.to_datetime(pd.Series(text, dtype=object), errors="coerce", format="ISO8601",
                                utc=True)
    # pandas reads full-width digits ('２０２４') as a date; GDAL and QGIS read a NULL.
    parsed = parsed.where(np.array([t is None or t.isascii() for t in text], bool))
    unreadable = np.flatnonzero(parsed.isna().to_numpy() & np.array([t is not None for t in text], bool))
    what = "date (YYYY-MM-DD)" if kind == "date" else "date and time"
    problems += [CellProblem(int(row), column, f"{text[row]!r} is not a {what}") for row in unreadable]
    return parsed


def _text(value: object) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
