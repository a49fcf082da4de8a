"""`PostgisStore`: a team's briefing in a PostGIS schema, behind the one store interface.

Edits go in as one database transaction per batch. Every fact row carries a
`row_version`: the UPDATE names the version this window read and refuses the
row if another analyst saved it since (optimistic concurrency, checked by the
database itself under the row lock), as well as the values-equal-`before`
check every store makes. A save to a zone's control waits for any other save to
that zone, then checks the zone still has one holder a day (two new periods,
each saved against a zone it read as free, made the schema unreadable).
A refusal says which row, who changed it and when.
A saved batch NOTIFYs the schema's channel, so other open windows refresh.
Rights are the database's: a role without write grants is refused there.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import Sequence

from viewer.io.pg_edit_log import has_log_entry, insert_log_entry, last_change_of, read_log
from viewer.io.pg_read import DatabaseReader, table_columns
from viewer.io.pg_url import DatabaseUrl
from viewer.io.pg_publish import PG_TYPES, VERSION_COLUMN
from viewer.io.reader import Progress
from viewer.io.store import (RowWriter, StoreError, check_one_holder, declared_type,
                              edited_areas, now_utc)
from viewer.model.changes import Edit, LogEntry, RowChange, RowChanged
from viewer.model.dataset import Dataset
from viewer.model.edit_apply import id_column


def channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel on which a schema's saves are announced."""
    return f"kachin_{schema}"


class PostgisStore:
    def __init__(self, url: DatabaseUrl) -> None:
        self.url = url
        self.location = url.shown
        # (layer, row id) -> row_version as last read or written by this store.
        self.versions: dict[tuple[str, str], int] = {}
        self._shared = None  # the connection of an open `session()`

    @contextmanager
    def session(self):
        """Use one connection for every call inside the block (sync's many small edits)."""
        with self.url.connect(autocommit=True) as conn:
            self._shared = conn
            try:
                yield self
            finally:
                self._shared = None

    @contextmanager
    def _connection(self):
        if self._shared is not None:
            yield self._shared
            return
        with self.url.connect(autocommit=True) as conn:
            yield conn

    def read(self, progress: Progress | None = None) -> Dataset:
        reader = DatabaseReader(self.url, progress or (lambda _text, _fraction: None))
        dataset = reader.load()
        self.versions = dict(reader.versions)
        return dataset

    def log(self, row_id: str | None = None, layer: str | None = None) -> list[LogEntry]:
        import psycopg

        try:
            with self._connection() as conn:
                entries = read_log(conn, self.url.schema)
        except psycopg.errors.UndefinedTable:   # said as reading the schema says it
            raise StoreError(f"{self.location}: schema '{self.url.schema}' does not exist or "
                             "has no edit log") from None
        return [e for e in entries if row_id is None or e.touches(row_id, layer)]

    def apply(self, edits: Sequence[Edit], user: str, recorded_at: str | None = None
              ) -> list[LogEntry]:
        """Write `edits` in one transaction (all or none); `recorded_at` keeps the time an
        edit was made elsewhere (an offline copy), else now."""
        import psycopg

        if not edits:
            return []
        written: dict[tuple[str, str], int] = {}
        try:
            with self._connection() as conn, conn.transaction():
                conn.execute("SET LOCAL lock_timeout = '10s'")
                entries = self._write(conn, edits, user, recorded_at or now_utc(), written)
        except psycopg.errors.InsufficientPrivilege as error:
            raise StoreError(f"{self.location}: the database refused the edit "
                             f"({error.diag.message_primary}): this role may only read") from None
        except psycopg.Error as error:
            raise StoreError(f"{self.location}: "
                             f"{self.url.redacted(str(error).strip().splitlines()[0])}") from None
        self.versions.update(written)
        return entries

    def stored_rows(self, changes: Sequence[RowChange]) -> list[dict | None]:
        """The rows the changes name, as the database holds them now (None: no such row)."""
        from psycopg import sql
        from psycopg.rows import dict_row

        rows = []
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
            for change in changes:
                query = sql.SQL("SELECT * FROM {} WHERE {} = %s").format(
                    sql.Identifier(self.url.schema, change.layer),
                    sql.Identifier(id_column(change.layer)))
                rows.append(cursor.execute(query, [change.row_id]).fetchone())
        return rows

    def logged(self, entry: LogEntry) -> bool:
        """Whether the log holds `entry`, as an offline copy recorded it (who, when, what)."""
        with self._connection() as conn:
            return has_log_entry(conn, self.url.schema, entry)

    def last_change(self, layer: str, row_id: str) -> LogEntry | None:
        with self._connection() as conn:
            return last_change_of(conn, self.url.schema, layer, row_id)

    def _write(self, conn, edits: Sequence[Edit], user: str, recorded_at: str,
               written: dict) -> list[LogEntry]:
        entries = []
        writers: dict[str, _RowWriter] = {}
        self._lock_areas(conn, edits)
        for edit in edits:
            for change in edit.changes:
                if change.layer not in writers:
                    writers[change.layer] = _RowWriter(conn, self.url.schema, change.layer,
                                                       self.versions)
                version = writers[change.layer].write(change)
                written[(change.layer, change.row_id)] = version
            edit_id = insert_log_entry(conn, self.url.schema, edit, user, recorded_at)
            entries.append(LogEntry(edit_id, recorded_at, user, edit))
        check_one_holder(edits, lambda area: self._drawn_periods(conn, area))
        conn.execute("SELECT pg_notify(%s, %s)", [channel(self.url.schema), str(entries[-1].edit_id)])
        return entries

    def _lock_areas(self, conn, edits: Sequence[Edit]) -> None:
        """Until the transaction ends, one save at a time per zone: two saves that each add
        a holder (inserts, which lock no existing row) would each see one holder only."""
        for area in edited_areas(edits):
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{self.url.schema}:{area}"])

    def _drawn_periods(self, conn, area: str) -> list[tuple]:
        from psycopg import sql

        query = sql.SQL("SELECT control_id, valid_from, valid_to FROM {} "
                        "WHERE area_id = %s AND coalesce(retracted::int, 0) = 0").format(
            sql.Identifier(self.url.schema, "control"))
        return conn.execute(query, [area]).fetchall()


class _RowWriter(RowWriter):
    """Writes row changes into one table of the schema, under a row lock; `write`
    returns the row's new row_version."""

    def __init__(self, conn, schema: str, layer: str, versions: dict) -> None:
        from psycopg import sql

        self.conn, self.schema, self.layer, self.versions = conn, schema, layer, versions
        self.table = sql.Identifier(schema, layer)
        self.types = dict(table_columns(conn, schema, layer))
        if not self.types:
            raise RowChanged("layer", f"'{layer}' is not a table of this database")
        self.key = id_column(layer)
        self.geometry_type = conn.execute(
            "SELECT type FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = %s",
            [schema, layer]).fetchone()

    def _same(self, stored: dict, before: dict) -> bool:
        return same_values(stored, before)

    def _changed_by(self, row_id: str) -> str:
        last = last_change_of(self.conn, self.schema, self.layer, row_id)
        return f"by {last.user} at {last.recorded_at}" if last else "by someone else"

    def _stored(self, row_id: str) -> dict | None:
        from psycopg import sql
        from psycopg.rows import dict_row

        query = sql.SQL("SELECT * FROM {} WHERE {} = %s FOR UPDATE").format(
            self.table, sql.Identifier(self.key))
        with self.conn.cursor(row_factory=dict_row) as cursor:
            return cursor.execute(query, [row_id]).fetchone()

    def _insert(self, change: RowChange) -> int:
        from psycopg import sql

        self._add_columns(change.after or {})
        row = {c: self._value(c, v) for c, v in (change.after or {}).items()}
        names = [sql.Identifier(c) for c in row]
        values = [sql.Placeholder()] * len(row)
        params = list(row.values())
        if self.geometry_type and change.geometry is not None:
            import shapely

            shape = sql.SQL("ST_GeomFromWKB(%s, 4326)")
            if self.geometry_type[0].startswith("MULTI"):
                shape = sql.SQL("ST_Multi({})").format(shape)
            names.append(sql.Identifier("geom"))
            values.append(shape)
            params.append(shapely.to_wkb(change.geometry))
        self.conn.execute(sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            self.table, sql.SQL(", ").join(names), sql.SQL(", ").join(values)), params)
        return 1  # a new row's version

    def _update(self, change: RowChange, stored: dict) -> int:
        """Under the version this store read (else the one just locked); the new version."""
        from psycopg import sql

        expected = self.versions.get((self.layer, change.row_id), stored.get(VERSION_COLUMN))

        before = change.before or {}
        after = {c: v for c, v in (change.after or {}).items() if before.get(c) != v}
        self._add_columns(after)
        assignments = [sql.SQL("{} = %s").format(sql.Identifier(c)) for c in after]
        assignments.append(sql.SQL("{0} = {0} + 1").format(sql.Identifier(VERSION_COLUMN)))
        query = sql.SQL("UPDATE {} SET {} WHERE {} = %s AND {} = %s RETURNING {}").format(
            self.table, sql.SQL(", ").join(assignments), sql.Identifier(self.key),
            sql.Identifier(VERSION_COLUMN), sql.Identifier(VERSION_COLUMN))
        params = [self._value(c, v) for c, v in after.items()] + [change.row_id, expected]
        updated = self.conn.execute(query, params).fetchone()
        if updated is None:  # saved by someone else after this window read it
            raise self._refusal(change.row_id)
        return updated[0]

    def _add_columns(self, row: dict) -> None:
        """A column an edit brings (`via`, …) joins the table; only its owner may do that."""
        from psycopg import sql

        for column, value in row.items():
            if column not in self.types:
                kind = PG_TYPES.get(declared_type(column, value), "text")
                self.conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                    self.table, sql.Identifier(column), sql.SQL(kind)))
                self.types = dict(table_columns(self.conn, self.schema, self.layer))

    def _value(self, column: str, value: object) -> object:
        """A logged plain value as the column's type wants it."""
        kind = self.types.get(column, "")
        if value is None or value == "":
            return None if kind != "text" else value
        if kind == "bool":
            return bool(value)
        if kind == "date":
            return dt.date.fromisoformat(str(value)[:10])
        if kind in ("int8", "int4", "int2"):
            return int(value)
        if kind in ("float8", "float4"):
            return float(value)
        return value if kind != "text" else str(value)


def plain(value: object) -> object:
    """A stored value as the log writes it, for comparing: dates ISO, flags and numbers as floats."""
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    if isinstance(value, (bool, int, float)):
        return float(value)
    return None if value == "" else value


def plain_row(row: dict, columns: list[str]) -> dict:
    """A stored row's `columns` as plain values (ISO dates), to show beside a logged row."""
    return {c: row[c].isoformat() if isinstance(row.get(c), dt.date) else row.get(c)
            for c in columns if c in row}


def same_values(stored: dict, expected: dict) -> bool:
    """Whether the stored row holds every value of `expected` (a RowChange's before/after)."""
    return all(plain(stored.get(column)) == plain(value) for column, value in expected.items())
