"""Read a briefing from a PostGIS schema into the same `Dataset` a GeoPackage gives.

Tables come back with the column types pyogrio gives for the GeoPackage
(dates as datetime64, integers with gaps as floats, text as str), geometry as
WKB decoded by shapely, and then go through the very checks a file goes
through (`DatasetReader.checked`). The publish bookkeeping (`fid`,
`row_version`) is not part of the dataset.
"""
from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd

from viewer.io.columns import column_series
from viewer.io.pg_publish import VERSION_COLUMN
from viewer.io.pg_url import DatabaseUrl
from viewer.io.reader import DatasetReader, Progress
from viewer.model.dataset import Dataset
from viewer.model.schema import ID_COLUMN

HIDDEN_COLUMNS = ("fid", "geom", VERSION_COLUMN)


def read_database(url: DatabaseUrl, progress: Progress | None = None, conn=None) -> Dataset:
    """Load `url`'s schema; raise DatasetError listing every problem if it has errors.
    `conn` (an open psycopg connection) is used when given, else one is opened."""
    reader = DatabaseReader(url, progress or (lambda _text, _fraction: None))
    if conn is not None:
        return reader.load_from(conn)
    return reader.load()


def list_tables(conn, schema: str) -> list[str]:
    """The schema's tables in the order publish created them."""
    rows = conn.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.oid", [schema])
    return [row[0] for row in rows]


def table_columns(conn, schema: str, table: str) -> list[tuple[str, str]]:
    """(name, type) of each column in order; type as PostgreSQL names it (udt_name)."""
    rows = conn.execute("SELECT column_name, udt_name FROM information_schema.columns"
                        " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                        [schema, table])
    return [(name, kind) for name, kind in rows]


def log_position(conn, schema: str) -> int:
    """The last edit_log entry's id (0 for an empty log): what a snapshot was taken at."""
    from psycopg import sql

    query = sql.SQL("SELECT coalesce(max(fid), 0) FROM {}").format(sql.Identifier(schema, "edit_log"))
    return int(conn.execute(query).fetchone()[0])


class DatabaseReader(DatasetReader):
    def __init__(self, url: DatabaseUrl, progress: Progress) -> None:
        super().__init__(None, progress, name=url.shown)
        self.url = url
        self.conn = None
        self.position = 0  # the edit_log's last id in the snapshot read
        # (layer, row id) -> row_version in the snapshot read (the optimistic check's base).
        self.versions: dict[tuple[str, str], int] = {}

    def load(self) -> Dataset:
        import psycopg

        self.progress("Connecting", 0.0)
        try:
            conn = self.url.connect(connect_timeout=10)
        except psycopg.OperationalError as error:
            self.problem(f"cannot connect: {self.url.redacted(_first_line(error))}")
            return self.checked()
        with conn:
            return self.load_from(conn)

    def load_from(self, conn) -> Dataset:
        self.conn = conn
        with conn.transaction():  # one snapshot of every table
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            names = list_tables(conn, self.url.schema)
            if not names:
                self.problem(f"schema '{self.url.schema}' does not exist or has no tables")
                return self.checked()
            if "edit_log" in names:
                self.position = log_position(conn, self.url.schema)
            self.add_layers(names, self._read_table)
        dataset = self.checked()
        dataset.log_position = self.position
        return dataset

    def _read_table(self, table: str) -> pd.DataFrame | None:
        from psycopg import sql

        columns = table_columns(self.conn, self.url.schema, table)
        kinds = dict(columns)
        shown = [(name, kind) for name, kind in columns if name not in HIDDEN_COLUMNS]
        selected = [sql.Identifier(name) for name, _ in shown]
        has_geometry = kinds.get("geom") == "geometry"
        if has_geometry:
            selected.insert(0, sql.SQL("ST_AsBinary(geom)"))
        versioned = VERSION_COLUMN in kinds and ID_COLUMN.get(table) in kinds
        if versioned:
            selected += [sql.Identifier(ID_COLUMN[table]), sql.Identifier(VERSION_COLUMN)]
        query = sql.SQL("SELECT {} FROM {} ORDER BY fid").format(
            sql.SQL(", ").join(selected) if selected else sql.SQL("fid"),
            sql.Identifier(self.url.schema, table))
        with self.conn.cursor(binary=True) as cursor:
            rows = cursor.execute(query).fetchall()
        values = list(zip(*rows)) if rows else [()] * (len(selected) or 1)
        if versioned:
            self.versions.update({(table, str(i)): v for i, v in zip(values[-2], values[-1])})
        frame = pd.DataFrame({name: column_series(values[index + has_geometry], kind)
                              for index, (name, kind) in enumerate(shown)}, index=range(len(rows)))
        if not has_geometry:
            return frame
        wkb = np.array([bytes(b) if b is not None else None for b in values[0]], dtype=object)
        return self.to_wgs84(table, gpd.GeoDataFrame(frame, geometry=self.shapes.decode(wkb),
                                                     crs=4326))

    def identity(self) -> str:
        """The schema and its edit_log position: a saved edit gives a new identity."""
        text = f"{self.url.saved}#{self.position}"
        return hashlib.sha256(text.encode()).hexdigest()


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
