"""Where a briefing lives and how edits reach it: one small interface, one GeoPackage store.

A `Store` (GeoPackage here; PostGIS in viewer.io.postgis) does three things:

* `read()` the dataset (validated, as `read_dataset` does);
* `apply(edits, user)`: write a batch of `Edit`s (viewer.model.changes) in ONE
  transaction, with one `edit_log` entry per edit; all or nothing. Each row
  change is checked against the stored row first (optimistic check): an update
  or retraction whose stored row no longer equals `RowChange.before`, or an
  insert whose id is taken, raises `RowChanged` and nothing is written; so does
  a zone that would have two holders on one day once the edits are written
  (checked inside the transaction). The edits' other checks against the format
  are the caller's, done by the model's commands against a dataset read from
  this store (viewer.model.edits);
* `log(row_id=None, layer=None)`: the `edit_log`, oldest first, as `LogEntry`s.

`edit_log` (see docs/DATA_SCHEMA.md) is append-only: triggers refuse UPDATE and
DELETE on it. Who edits is `user`: `--user`, the name set in preferences, or
`os_user()`.
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Callable, Protocol, Sequence

from viewer.io.copy_content import content_digest, store_digest, stored_digest
from viewer.io.file_check import has_table, open_read_only
from viewer.io.gpkg_write import DATE_COLUMNS
from viewer.io.gpkg_sql import geometry_blob, register_functions
from viewer.io.reader import Progress, read_dataset
from viewer.model.changes import INSERT, Edit, LogEntry, RowChange, RowChanged
from viewer.model.dataset import Dataset
from viewer.model.dates import parse_date
from viewer.model.edit_apply import CREATABLE_TABLES, id_column
from viewer.model.edit_check import first_overlap
from viewer.model.schema import EDIT_LOG

EDIT_LOG_COLUMNS = ("recorded_at", "user", "command", "summary", "reason",
                    "layers", "row_ids", "actions", "changes")


class StoreError(Exception):
    """The store cannot be written (read-only, locked, gone): one line saying why."""


class Store(Protocol):
    """What the window, the command line and sync need from where a briefing lives."""

    location: str  # a path or a connection name, for messages

    def read(self, progress: Progress | None = None) -> Dataset: ...

    def apply(self, edits: Sequence[Edit], user: str) -> list[LogEntry]: ...

    def log(self, row_id: str | None = None, layer: str | None = None) -> list[LogEntry]: ...


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def now_utc() -> str:
    """A GeoPackage DATETIME: YYYY-MM-DDTHH:MM:SS.SSSZ."""
    moment = dt.datetime.now(dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def log_entry(edit_id: int, recorded_at: str, user: str, command: str, summary: str,
              reason: str, changes_json: str) -> LogEntry:
    edit = Edit.from_json({"command": command, "summary": summary, "reason": reason,
                           "changes": json.loads(changes_json)})
    return LogEntry(edit_id, recorded_at, user, edit)


def log_values(edit: Edit, user: str, recorded_at: str) -> tuple:
    """An `edit_log` row's values, in EDIT_LOG_COLUMNS order."""
    layers = list(dict.fromkeys(c.layer for c in edit.changes))
    return (recorded_at, user, edit.command, edit.summary, edit.reason, ";".join(layers),
            ";".join(c.row_id for c in edit.changes), ";".join(c.action for c in edit.changes),
            json.dumps([c.to_json() for c in edit.changes], ensure_ascii=False))


class GpkgStore:
    """A briefing GeoPackage file, edited in place with sqlite3 transactions."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.location = str(self.path)

    def read(self, progress: Progress | None = None) -> Dataset:
        return read_dataset(self.path, progress)

    def log(self, row_id: str | None = None, layer: str | None = None) -> list[LogEntry]:
        with closing(open_read_only(self.path)) as db:
            if not has_table(db, EDIT_LOG):
                return []
            rows = db.execute("SELECT fid, recorded_at, user, command, summary, reason, changes "
                              f"FROM {EDIT_LOG} ORDER BY fid").fetchall()
        entries = [log_entry(*row) for row in rows]
        return [e for e in entries if row_id is None or e.touches(row_id, layer)]

    def writable(self) -> bool:
        """Whether a save can write the file (and its journal, beside it)."""
        return os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)

    def apply(self, edits: Sequence[Edit], user: str) -> list[LogEntry]:
        if not edits:
            return []
        if not self.path.is_file():   # sqlite3 would make a new, empty file there
            raise StoreError(f"{self.path} is no longer there (moved, renamed or deleted since "
                             "it was opened); the edits are kept: put the file back and save again")
        if not self.writable():
            raise StoreError(f"{self.path} cannot be written (read-only file or folder)")
        db = sqlite3.connect(self.path, isolation_level=None, timeout=10)
        try:
            register_functions(db)
            db.execute("PRAGMA synchronous = FULL")
            db.execute("BEGIN IMMEDIATE")
            try:
                entries = self._write(db, edits, user)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:   # SQLite itself rolled back a COMMIT that failed (disk full)
                    db.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: {error}") from None
        finally:
            db.close()
        return entries

    # -- inside the transaction -------------------------------------------
    def _write(self, db: sqlite3.Connection, edits: Sequence[Edit], user: str) -> list[LogEntry]:
        # A field copy's digest follows this app's saves, but not over changes made
        # elsewhere: sync must still see those (it keeps the copy before refreshing).
        stored = stored_digest(db)
        follow_digest = stored is not None and stored == content_digest(db)
        ensure_edit_log(db)
        recorded_at = now_utc()
        entries = []
        for edit in edits:
            for change in edit.changes:
                _ensure_table(db, change.layer)
                _TableWriter(db, change.layer).write(change)
            values = log_values(edit, user, recorded_at)
            cursor = db.execute(f"INSERT INTO {EDIT_LOG} ({', '.join(EDIT_LOG_COLUMNS)}) "
                                f"VALUES ({', '.join('?' * len(values))})", values)
            entries.append(LogEntry(cursor.lastrowid, recorded_at, user, edit))
        check_one_holder(edits, lambda area: _drawn_periods(db, area))
        db.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name IN "
                   f"({', '.join('?' * len(_touched(edits)))})", (recorded_at, *_touched(edits)))
        if follow_digest:
            store_digest(db, content_digest(db))
        return entries


class RowWriter:
    """The check every store makes before writing a row change (optimistic): an insert's
    id must be free, an updated row must still hold the `before` values it was read with.
    A store's writer supplies `_stored`, `_same`, `_insert`, `_update` and the refusals."""

    layer = ""

    def write(self, change: RowChange):
        stored = self._stored(change.row_id)
        if change.action == INSERT:
            if stored is not None:
                raise self._taken(change.row_id)
            return self._insert(change)
        if stored is None or not self._same(stored, change.before or {}):
            raise self._refusal(change.row_id)
        return self._update(change, stored)

    def _taken(self, row_id: str) -> RowChanged:
        return RowChanged("id", f"'{row_id}' was added to '{self.layer}' "
                                f"{self._changed_by(row_id)} since it was read")

    def _refusal(self, row_id: str) -> RowChanged:
        return RowChanged("id", f"row {row_id} of '{self.layer}' was changed "
                                f"{self._changed_by(row_id)} since it was read")

    def _changed_by(self, row_id: str) -> str:
        return "by someone else"


class _TableWriter(RowWriter):
    """Writes one row change into one feature or attribute table."""

    def _changed_by(self, row_id: str) -> str:
        """Who changed the row last, as the file's edit log says (QGIS logs nothing)."""
        if has_table(self.db, EDIT_LOG):
            rows = self.db.execute(f"SELECT fid, recorded_at, user, command, summary, reason, changes "
                                   f"FROM {EDIT_LOG} WHERE ';' || row_ids || ';' LIKE ? "
                                   "ORDER BY fid DESC", [f"%;{row_id};%"]).fetchall()
            last = next((e for e in map(lambda row: log_entry(*row), rows)
                         if e.touches(row_id, self.layer)), None)
            if last is not None:
                return f"by {last.user} at {last.recorded_at}"
        return "by another program (no edit log entry names it)"

    def __init__(self, db: sqlite3.Connection, layer: str) -> None:
        self.db, self.layer, self.table = db, layer, _quote(layer)
        info = db.execute(f"PRAGMA table_info({self.table})").fetchall()
        if not info:
            raise RowChanged("layer", f"'{layer}' is not a table of this file")
        self.types = {row[1]: (row[2] or "").upper() for row in info}
        found = db.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?",
                           (layer,)).fetchone()
        self.geometry_column = found[0] if found else None
        self.key = id_column(layer)

    def _stored(self, row_id: str) -> dict | None:
        cursor = self.db.execute(f"SELECT * FROM {self.table} WHERE {_quote(self.key)} = ?",
                                 (row_id,))
        row = cursor.fetchone()
        return None if row is None else dict(zip([d[0] for d in cursor.description], row))

    def _same(self, stored: dict, before: dict) -> bool:
        for column, value in before.items():
            have = stored.get(column)
            if "DATE" in self.types.get(column, ""):
                have, value = _day(have), _day(value)
            if have != value and not (have in (None, "") and value in (None, "")):
                return False
        return True

    def _insert(self, change: RowChange) -> None:
        row = dict(change.after or {})
        self._add_columns(row)
        if self.geometry_column:
            row[self.geometry_column] = geometry_blob(change.geometry)
            self._extend_extent(change.geometry)
        names = ", ".join(_quote(c) for c in row)
        self.db.execute(f"INSERT INTO {self.table} ({names}) VALUES "
                        f"({', '.join('?' * len(row))})", tuple(row.values()))

    def _update(self, change: RowChange, _stored: dict) -> None:
        after = dict(change.after or {})
        for column in change.before or {}:
            after.setdefault(column, None)
        changed = {c: v for c, v in after.items() if (change.before or {}).get(c) != v}
        if not changed:
            return
        self._add_columns(changed)
        assignments = ", ".join(f"{_quote(c)} = ?" for c in changed)
        self.db.execute(f"UPDATE {self.table} SET {assignments} WHERE {_quote(self.key)} = ?",
                        (*changed.values(), change.row_id))

    def _add_columns(self, row: dict) -> None:
        """Columns an edit brings (`retracted`, `via`, …) join the table, typed."""
        for column, value in row.items():
            if column not in self.types:
                declared = declared_type(column, value)
                self.db.execute(f"ALTER TABLE {self.table} ADD COLUMN {_quote(column)} {declared}")
                self.types[column] = declared

    def _extend_extent(self, geometry) -> None:
        if geometry is None or geometry.is_empty:
            return
        minx, miny, maxx, maxy = geometry.bounds
        self.db.execute("UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?), ?), "
                        "min_y = min(coalesce(min_y, ?), ?), max_x = max(coalesce(max_x, ?), ?), "
                        "max_y = max(coalesce(max_y, ?), ?) WHERE table_name = ?",
                        (minx, minx, miny, miny, maxx, maxx, maxy, maxy, self.layer))


def edited_areas(edits: Sequence[Edit]) -> list[str]:
    """The zones whose control rows the edits write, sorted (locks are taken in this order,
    so two saves never wait on each other's)."""
    return sorted({c.after.get("area_id") for e in edits for c in e.changes
                   if c.layer == "control" and c.after and c.after.get("area_id")})


def check_one_holder(edits: Sequence[Edit], drawn_periods: Callable[[str], list]) -> None:
    """Inside the transaction: the zones the edits touched still have one holder a day,
    whatever another writer did since the edits were checked. `drawn_periods(area)`: the
    (control_id, valid_from, valid_to) of the zone's rows not retracted, as stored now."""
    for area in edited_areas(edits):
        clash = first_overlap(drawn_periods(area))
        if clash:
            raise RowChanged("valid_from", f"row {clash[1]} overlaps row {clash[0]} for area "
                                           f"'{area}' as saved now (changed since it was read)")


def _drawn_periods(db: sqlite3.Connection, area: str) -> list[tuple]:
    columns = {row[1] for row in db.execute('PRAGMA table_info("control")')}
    drawn = " AND coalesce(retracted, 0) = 0" if "retracted" in columns else ""
    return db.execute("SELECT control_id, valid_from, valid_to FROM control "
                      f"WHERE area_id = ?{drawn}", (area,)).fetchall()


def declared_type(column: str, value: object) -> str:
    if column in DATE_COLUMNS:
        return "DATE"
    if column == "retracted" or isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "INTEGER"
    return "REAL" if isinstance(value, float) else "TEXT"


def ensure_edit_log(db: sqlite3.Connection) -> None:
    if has_table(db, EDIT_LOG):
        return
    db.execute(f"""CREATE TABLE {EDIT_LOG} (
  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  recorded_at DATETIME NOT NULL, user TEXT NOT NULL, command TEXT NOT NULL,
  summary TEXT, reason TEXT, layers TEXT, row_ids TEXT, actions TEXT, changes TEXT NOT NULL)""")
    for verb in ("UPDATE", "DELETE"):
        db.execute(f"CREATE TRIGGER {EDIT_LOG}_no_{verb.lower()} BEFORE {verb} ON {EDIT_LOG} "
                   f"BEGIN SELECT RAISE(ABORT, '{EDIT_LOG} is append-only'); END")
    db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
               "last_change) VALUES (?, 'attributes', ?, ?, ?)",
               (EDIT_LOG, EDIT_LOG, "Every edit made to this briefing (append-only)", now_utc()))


def _ensure_table(db: sqlite3.Connection, layer: str) -> None:
    """An optional attribute table (briefing chapters) made by its first edit."""
    if layer not in CREATABLE_TABLES or has_table(db, layer):
        return
    columns = ", ".join(f"{_quote(c)} {declared_type(c, 1 if c == 'position' else '')}"
                        for c in CREATABLE_TABLES[layer])
    db.execute(f"CREATE TABLE {_quote(layer)} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
               f"{columns})")
    db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, last_change) "
               "VALUES (?, 'attributes', ?, ?)", (layer, layer, now_utc()))


def _touched(edits: Sequence[Edit]) -> list[str]:
    return list(dict.fromkeys([c.layer for e in edits for c in e.changes] + [EDIT_LOG]))


def _day(value: object) -> object:
    try:
        return parse_date(value)
    except ValueError:
        return value


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
