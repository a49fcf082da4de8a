"""`publish`: a briefing GeoPackage as tables in one PostGIS schema.

Each layer becomes a table of the same name and columns: `fid` (the file's
feature ids) as primary key, geometry `geom` in EPSG:4326 with a GiST index,
DATE columns as `date`, the layer's id column UNIQUE. The fact layers get a
`row_version` that every edit raises (the optimistic-concurrency check), and
the schema always has an `edit_log`. The whole publish is one transaction:
a failure leaves the database as it was.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from viewer.io.gpkg_tables import StoredTable, stored_tables
from viewer.io.pg_edit_log import create_edit_log
from viewer.io.pg_url import DatabaseUrl
from viewer.io.problems import DatasetError, errors_in
from viewer.io.store import EDIT_LOG
from viewer.model.schema import DATE_COLUMNS, ID_COLUMN, REQUIRED_COLUMNS

PG_TYPES = {"DATE": "date", "DATETIME": "timestamptz", "INTEGER": "bigint", "INT": "bigint",
            "BIGINT": "bigint", "SMALLINT": "bigint", "MEDIUMINT": "bigint", "TINYINT": "bigint",
            "REAL": "double precision", "DOUBLE": "double precision", "FLOAT": "double precision",
            "BOOLEAN": "boolean", "BLOB": "bytea"}
VERSIONED_LAYERS = tuple(REQUIRED_COLUMNS)
VERSION_COLUMN = "row_version"
_BUMP = "bump_row_version"  # the trigger function that raises it on every UPDATE
# Optional columns edits write (DATA_SCHEMA.md), made up front: an editor role may add
# rows and change values but not the tables themselves.
EDIT_COLUMNS = {"sources": (("via", "text"),), "control": (("retracted", "boolean"),),
                "flows": (("retracted", "boolean"),), "events": (("retracted", "boolean"),)}


class PublishError(Exception):
    """A publish refused before anything was written (one line to show)."""


@dataclass
class PublishReport:
    schema: str
    tables: int
    rows: int


def publish(path: Path, url: DatabaseUrl, force: bool = False, readers: tuple[str, ...] = (),
            editors: tuple[str, ...] = ()) -> PublishReport:
    """Copy the briefing at `path` into `url`'s schema (replaced only when `force`)."""
    from psycopg import errors

    from viewer.io.reader import validate

    problems = errors_in(validate(path))
    if problems:
        raise DatasetError(problems)
    tables = [t for t in stored_tables(path) if not t.name.startswith(("gpkg_", "rtree_"))]
    try:
        with url.connect() as conn, conn.transaction():
            _require_postgis(conn)
            _fresh_schema(conn, url.schema, force)
            for table in tables:
                _create_table(conn, url.schema, table)
            if not any(t.name == EDIT_LOG for t in tables):
                create_edit_log(conn, url.schema)
            grant(conn, url.schema, readers, write=False)
            grant(conn, url.schema, editors, write=True)
    except errors.UndefinedObject as error:  # a role named in --readers/--editors
        raise PublishError(error.diag.message_primary) from None
    except errors.InsufficientPrivilege as error:
        raise PublishError(f"the database refused: {error.diag.message_primary}") from None
    return PublishReport(url.schema, len(tables), sum(len(t.rows) for t in tables))


def _require_postgis(conn) -> None:
    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
        return
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION postgis")
    except Exception:  # noqa: BLE001 — any failure means the same to the user
        raise PublishError("PostGIS is not installed in this database; its owner can run "
                           "'CREATE EXTENSION postgis'") from None


def _fresh_schema(conn, schema: str, force: bool) -> None:
    from psycopg import sql

    exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]).fetchone()
    if exists and not force:
        raise PublishError(f"schema '{schema}' already exists (use --force to replace it)")
    if exists:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    conn.execute(sql.SQL("CREATE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS "
                         "$$BEGIN NEW.{} := OLD.{} + 1; RETURN NEW; END$$").format(
        sql.Identifier(schema, _BUMP), sql.Identifier(VERSION_COLUMN),
        sql.Identifier(VERSION_COLUMN)))


def pg_type(layer: str, column: str, declared: str) -> str:
    """The PostgreSQL type: `date` for the format's date columns (even where a file
    declared TEXT), else by the declared SQLite type."""
    if column in DATE_COLUMNS.get(layer, ()):
        return "date"
    return PG_TYPES.get(declared.split("(")[0].strip(), "text")


def _create_table(conn, schema: str, table: StoredTable) -> None:
    from psycopg import sql

    name = sql.Identifier(schema, table.name)
    if table.name == EDIT_LOG:  # its own definition (append-only), then the file's entries
        create_edit_log(conn, schema)
        _copy_rows(conn, name, table)
        _advance_ids(conn, schema, table.name)
        return
    parts = [sql.SQL("fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")]
    if table.geometry_type:
        parts.append(sql.SQL("geom geometry({}, 4326)").format(sql.SQL(table.geometry_type)))
    parts += [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(pg_type(table.name, c, t)))
              for c, t in zip(table.columns, table.types)]
    parts += [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t))
              for c, t in EDIT_COLUMNS.get(table.name, ()) if c not in table.columns]
    if table.name in VERSIONED_LAYERS:
        parts.append(sql.SQL("{} integer NOT NULL DEFAULT 1").format(sql.Identifier(VERSION_COLUMN)))
    id_column = ID_COLUMN.get(table.name)
    if id_column in table.columns:
        parts.append(sql.SQL("UNIQUE ({})").format(sql.Identifier(id_column)))
    conn.execute(sql.SQL("CREATE TABLE {} ({})").format(name, sql.SQL(", ").join(parts)))
    if table.name in VERSIONED_LAYERS:  # an edit made outside the app (psql, QGIS) counts too
        conn.execute(sql.SQL("CREATE TRIGGER {} BEFORE UPDATE ON {} FOR EACH ROW "
                             "EXECUTE FUNCTION {}()").format(
            sql.Identifier(VERSION_COLUMN), name, sql.Identifier(schema, _BUMP)))
    _copy_rows(conn, name, table)
    if table.geometry_type:
        conn.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(name))
    _advance_ids(conn, schema, table.name)


def _advance_ids(conn, schema: str, table: str) -> None:
    """New rows get fids above the copied ones."""
    from psycopg import sql

    conn.execute(sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'fid'), "
                         "greatest((SELECT max(fid) FROM {}), 1))")
                 .format(sql.Literal(f'"{schema}"."{table}"'), sql.Identifier(schema, table)))


def _copy_rows(conn, name, table: StoredTable) -> None:
    from psycopg import sql

    columns = ["fid"] + (["geom"] if table.geometry_type else []) + table.columns
    shapes = _ewkb_hex(table) if table.geometry_type else None
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        name, sql.SQL(", ").join(map(sql.Identifier, columns)))
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for index, (fid, row) in enumerate(zip(table.fids, table.rows)):
            copy.write_row((fid, shapes[index], *row) if shapes is not None else (fid, *row))


def _ewkb_hex(table: StoredTable) -> list[str | None]:
    """Each row's shape as hex EWKB with SRID 4326 (reprojected if the file used another)."""
    shapes = np.array(table.shapes, dtype=object)
    if table.srs_id not in (4326, 0, -1, None):
        from pyproj import Transformer

        transform = Transformer.from_crs(table.srs_id, 4326, always_xy=True).transform
        shapes = shapely.transform(shapes, lambda xy: np.column_stack(transform(xy[:, 0], xy[:, 1])))
    shapes = shapely.set_srid(shapes, 4326)
    return list(shapely.to_wkb(shapes, hex=True, include_srid=True, flavor="extended"))


def grant(conn, schema: str, roles: tuple[str, ...], write: bool) -> None:
    """Readers may read every table; editors may also add and change rows and append
    to the log (never rewrite or delete it). The database enforces both."""
    from psycopg import sql

    for role in roles:
        who, where = sql.Identifier(role), sql.Identifier(schema)
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(where, who))
        conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(where, who))
        if write:
            conn.execute(sql.SQL("GRANT INSERT, UPDATE ON ALL TABLES IN SCHEMA {} TO {}")
                         .format(where, who))
            conn.execute(sql.SQL("REVOKE UPDATE ON {} FROM {}")
                         .format(sql.Identifier(schema, "edit_log"), who))
            conn.execute(sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {}")
                         .format(where, who))
