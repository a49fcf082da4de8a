"""A GeoPackage's tables as they are stored: declared column types and raw values.

Publishing copies a briefing file into PostGIS value for value, so it reads
the file with sqlite3 (what was written, not what a reader makes of it).
Geometry comes out as shapely shapes, in the layer's own coordinate system.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from viewer.io.gpkg_sql import blob_geometry

@dataclass
class StoredTable:
    name: str
    columns: list[str]        # without fid and geometry
    types: list[str]          # declared SQLite types, upper case
    rows: list[tuple]         # values in `columns` order
    geometry_type: str | None = None   # e.g. MULTIPOLYGON; None for an attribute table
    srs_id: int | None = None
    shapes: list | None = None
    fids: list[int] | None = None


def stored_tables(path: Path) -> list[StoredTable]:
    """Every layer listed in gpkg_contents, in the file's order, with its rows by fid."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        contents = db.execute("SELECT table_name FROM gpkg_contents ORDER BY rowid").fetchall()
        geometry = {row[0]: row[1:] for row in db.execute(
            "SELECT table_name, column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns")}
        return [_table(db, name, geometry.get(name)) for (name,) in contents]


def _table(db: sqlite3.Connection, name: str, geometry: tuple | None) -> StoredTable:
    info = db.execute(f'PRAGMA table_info("{name}")').fetchall()
    key = next((row[1] for row in info if row[5]), None)
    geom_column = geometry[0] if geometry else None
    columns = [row[1] for row in info if row[1] not in (key, geom_column)]
    types = [row[2].upper() for row in info if row[1] not in (key, geom_column)]
    selected = [f'"{c}"' for c in columns]
    if geom_column:
        selected.insert(0, f'"{geom_column}"')
    selected.insert(0, f'"{key}"' if key else "rowid")
    rows = db.execute(f'SELECT {", ".join(selected)} FROM "{name}" ORDER BY 1').fetchall()
    table = StoredTable(name, columns, types, [], fids=[row[0] for row in rows])
    if geom_column:
        table.geometry_type, table.srs_id = geometry[1].upper(), geometry[2]
        table.shapes = [blob_geometry(row[1]) for row in rows]
        table.rows = [row[2:] for row in rows]
    else:
        table.rows = [row[1:] for row in rows]
    return table

