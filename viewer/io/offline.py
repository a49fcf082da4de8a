"""Field copies: a GeoPackage snapshot of a team database, and sync back.

`take_offline` writes the schema's tables as a briefing GeoPackage with the
database's `edit_log` entries under their own ids, and a `sync_origin` table
naming the database (never its password) and the log position the copy was
taken at. Edits made on the copy append to its `edit_log` above that
position. `sync` replays those edits into the database, one transaction per
edit, through the same store check as the window (a row must still hold the
values the edit was made from); an edit that meets a desk change is not
applied but listed in the copy's `sync_conflicts` with both versions. Then
the copy is taken afresh, so a second `sync` finds nothing to send; unless an
edit was saved on the copy during the sync: the copy is then kept as it is, and
the next sync sends that edit (the ones already sent are found already there).
"""
from __future__ import annotations

import dataclasses
import json
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from viewer.io.atomic import atomic_file
from viewer.io.copy_content import (CONFLICTS, ORIGIN, changed_outside, content_digest,
                                    store_digest)
from viewer.io.file_check import UnreadableSideFile, open_read_only
from viewer.io.file_state import saved_state
from viewer.io.gpkg_write import write_gpkg
from viewer.io.pg_edit_log import read_log
from viewer.io.pg_read import DatabaseReader
from viewer.io.pg_store import PostgisStore, same_values
from viewer.io.pg_url import DatabaseUrl
from viewer.io.store import (EDIT_LOG, EDIT_LOG_COLUMNS, GpkgStore, ensure_edit_log, log_values,
                             now_utc)
from viewer.model.changes import INSERT, UPDATE, Edit, EditRefused, LogEntry, RowChange, RowChanged
from viewer.model.dataset import Dataset
from viewer.model.edit_apply import find_row, layer_frame, row_position
from viewer.model.edit_check import check_changes

CONFLICT_COLUMNS = ("edit_id", "recorded_at", "user", "command", "summary", "reason", "layer",
                    "row_id", "field_version", "desk_version", "desk_user", "desk_recorded_at",
                    "changes")


class SyncError(Exception):
    """A copy that cannot be synced with this database (one line)."""


@dataclass
class Conflict:
    """An offline edit not applied: the row as the field made it and as the desk has it."""

    edit_id: int
    recorded_at: str
    user: str
    command: str
    summary: str
    reason: str
    layer: str
    row_id: str
    field_version: dict | None
    desk_version: dict | None
    desk_user: str = ""
    desk_recorded_at: str = ""
    changes: str = "[]"

    def differences(self) -> tuple[str, str]:
        """The values that differ, as `column='value'`: the field's, then the desk's."""
        return _changed(self.field_version, self.desk_version), \
            _changed(self.desk_version, self.field_version)

    def row(self) -> tuple:
        values = {**self.__dict__, "field_version": json.dumps(self.field_version, default=str),
                  "desk_version": json.dumps(self.desk_version, default=str)}
        return tuple(values[c] for c in CONFLICT_COLUMNS)


def _changed(mine: dict | None, theirs: dict | None) -> str:
    if mine is None:
        return "(no such row)"
    differing = {k: v for k, v in mine.items() if (theirs or {}).get(k) != v}
    return ", ".join(f"{k}={v!r}" for k, v in differing.items()) or "(same values)"


@dataclass
class SyncReport:
    sent: int = 0
    already_there: int = 0
    conflicts: list[Conflict] = field(default_factory=list)  # new in this sync, a row each
    unsettled: int = 0  # offline edits the copy keeps in conflict, from this sync and earlier ones
    position: int = 0
    kept_aside: Path | None = None  # the copy as it was, when it held changes made elsewhere


def take_offline(url: DatabaseUrl, out: Path, conflicts: list[Conflict] = (),
                 copy: str | None = None, read_as: tuple | None = None) -> int:
    """Write the snapshot to `out` (atomically); the log position it was taken at. `copy`
    names the copy (kept when a sync refreshes it; a new copy gets a name of its own):
    rows added in it take ids with the name, so a row the desk or another copy added
    the same day is not taken for the same row (one overwrote the other). `read_as`: the
    `saved_state` a sync read the copy in; if it was saved to since, it is kept (SyncError)."""
    reader = DatabaseReader(url, lambda _text, _fraction: None)
    with url.connect() as conn:
        reader.load_from(conn)
        # Only what the snapshot holds: an entry a colleague committed since would be
        # taken for an offline edit by the next sync.
        log = [entry for entry in read_log(conn, url.schema) if entry.edit_id <= reader.position]
    layers = {name: frame for name, frame in reader.frames.items() if name != EDIT_LOG}
    layers[ORIGIN] = pd.DataFrame({"key": ["database", "schema", "log_position", "copy"],
                                   "value": [url.saved, url.schema, str(reader.position),
                                             copy or f"f{secrets.token_hex(3)}"]})
    layers[CONFLICTS] = pd.DataFrame([c.row() for c in conflicts], columns=list(CONFLICT_COLUMNS),
                                     dtype=object)
    with atomic_file(out.resolve()) as temporary:
        write_gpkg(layers, temporary, overwrite=True)
        _write_log(temporary, log)
        with closing(sqlite3.connect(temporary)) as db, db:
            store_digest(db, content_digest(db))
        # Last, just before the copy is replaced: an edit saved on it since would be lost.
        if read_as is not None and saved_state(out) != read_as:
            raise SyncError(f"{out} changed during the sync (an edit was saved on it), so it "
                            "was kept as it is, not refreshed; run sync again to send that edit")
    return reader.position


def _write_log(path: Path, log: list[LogEntry]) -> None:
    """The database's entries under their own ids: local edits then follow above them."""
    with sqlite3.connect(path) as db:
        ensure_edit_log(db)
        names = ", ".join(_quoted(("fid",) + EDIT_LOG_COLUMNS))
        db.executemany(f"INSERT INTO {EDIT_LOG} ({names}) "
                       f"VALUES ({', '.join('?' * (len(EDIT_LOG_COLUMNS) + 1))})",
                       [(e.edit_id, *log_values(e.edit, e.user, e.recorded_at)) for e in log])


def _database_of(saved: str) -> tuple[str, str, str]:
    """(host, port, database) of an address as `DatabaseUrl.saved` keeps it."""
    parts = DatabaseUrl.parse(saved).parts()
    return parts.get("host", ""), parts.get("port", ""), parts.get("dbname", "")


def origin_of(path: Path) -> dict[str, str]:
    try:
        with closing(open_read_only(path)) as db:
            return dict(db.execute(f"SELECT key, value FROM {ORIGIN}").fetchall())
    except UnreadableSideFile as error:
        raise SyncError(f"{path} {error}") from None
    except sqlite3.Error:
        raise SyncError(f"{path} is not a field copy (made by take-offline)") from None


def sync(path: Path, url: DatabaseUrl) -> SyncReport:
    """Send the copy's offline edits to the database, then refresh the copy."""
    origin = origin_of(path)
    if origin.get("schema") != url.schema:
        raise SyncError(f"{path} was taken from schema '{origin.get('schema')}', "
                        f"not '{url.schema}'")
    if origin.get("database") and _database_of(origin["database"]) != _database_of(url.saved):
        # The same schema in another database is another briefing: its edits would land
        # there, and the copy, refreshed from it, could never send them where they belong.
        raise SyncError(f"{path} was taken from {origin['database']}, not {url.saved}")
    position = int(origin.get("log_position", "0"))
    report = SyncReport()
    read_as = saved_state(path)
    copy = GpkgStore(path)
    offline = _with_shapes(copy.read(), [e for e in copy.log() if e.edit_id > position])
    # Each row as the copy's offline edits left it last: a sync that stopped before its
    # refresh sent them all, and an earlier edit of a row a later one changed again is
    # then there as the later one left it (it came back as a conflict, and keeping it
    # brought the older value back).
    last_made = {(c.layer, c.row_id): c.after for entry in offline for c in entry.edit.changes}
    with PostgisStore(url).session() as store:
        for entry in offline:
            _replay(store, entry, report, last_made)
    earlier = read_conflicts(path)
    kept = numbered_apart(earlier + report.conflicts)
    report.conflicts = kept[len(earlier):]
    report.unsettled = len({c.edit_id for c in kept})
    report.kept_aside = _keep_aside_if_changed_outside(path)
    report.position = take_offline(url, path, kept, origin.get("copy"), read_as)
    return report


def _keep_aside_if_changed_outside(path: Path) -> Path | None:
    """A copy holding changes no save of this app made (in QGIS: in no edit log, so not
    sent) is copied beside itself before the refresh would replace it: they were lost.
    Copied through SQLite's backup, so what QGIS left in a -wal file comes along."""
    with closing(open_read_only(path)) as db:
        if not changed_outside(db):
            return None
        aside = path.with_name(f"{path.stem}.changed-outside-{now_utc()[:19].replace(':', '')}"
                               f"{path.suffix}")
        with atomic_file(aside, overwrite=False) as temporary, \
                closing(sqlite3.connect(temporary)) as target:
            db.backup(target)
    return aside


def _with_shapes(copy: Dataset, entries: list[LogEntry]) -> list[LogEntry]:
    """The entries with each inserted row's shape as the copy holds it: a log keeps no
    shapes, and a route's new period sent without its line made the desk unreadable."""
    def shaped(change: RowChange) -> RowChange:
        if change.action != INSERT or change.geometry is not None:
            return change
        return dataclasses.replace(change, geometry=_shape(copy, change.layer, change.row_id))

    return [dataclasses.replace(entry, edit=dataclasses.replace(
        entry.edit, changes=tuple(shaped(c) for c in entry.edit.changes))) for entry in entries]


def _shape(dataset: Dataset, layer: str, row_id: str):
    frame = layer_frame(dataset, layer)
    position = row_position(frame, layer, row_id)
    if position is None or not isinstance(frame, gpd.GeoDataFrame):
        return None
    return frame.geometry.iloc[position]


def numbered_apart(conflicts: list[Conflict]) -> list[Conflict]:
    """The conflicts, each offline edit's rows under a number of their own, the first
    to hold a number keeping it. A conflict takes its offline edit's id in the copy, but
    a refreshed copy numbers the edits made next from its new position: one made after
    a sync could take the number of a conflict kept from that sync, and settling either
    settled both (the other dropped unsent). A later edit meeting a number taken gets
    the next one free."""
    numbers: dict[tuple, int] = {}
    taken: set[int] = set()
    highest = max((c.edit_id for c in conflicts), default=0)
    numbered = []
    for conflict in conflicts:
        edit = _offline_edit(conflict)
        if edit not in numbers:
            number = conflict.edit_id
            if number in taken:
                number = highest = max(highest, *taken) + 1
            numbers[edit] = number
            taken.add(number)
        numbered.append(dataclasses.replace(conflict, edit_id=numbers[edit]))
    return numbered


def _offline_edit(conflict: Conflict) -> tuple:
    """What tells the offline edit a conflict comes from apart from any other."""
    return conflict.edit_id, conflict.recorded_at, conflict.user, conflict.changes


def _replay(store: PostgisStore, entry: LogEntry, report: SyncReport,
            last_made: dict[tuple[str, str], dict | None]) -> None:
    if store.logged(entry):
        # Sent by an earlier sync that stopped before the refresh, and changed at the
        # desk since: the desk's later value is not a conflict with it.
        report.already_there += 1
        return
    try:
        store.apply([entry.edit], entry.user, recorded_at=entry.recorded_at)
        report.sent += 1
        return
    except RowChanged:
        pass
    stored = store.stored_rows(entry.edit.changes)
    if all(row is not None and (same_values(row, c.after or {})
                                or same_values(row, last_made[(c.layer, c.row_id)] or {}))
           for c, row in zip(entry.edit.changes, stored)):
        report.already_there += 1  # sent by an earlier sync that stopped before the refresh
        return
    for change, row in zip(entry.edit.changes, stored):
        if row is not None and same_values(row, change.after or {}):
            continue
        if change.before is not None and row is not None and same_values(row, change.before):
            continue
        last = store.last_change(change.layer, change.row_id)
        report.conflicts.append(Conflict(
            entry.edit_id, entry.recorded_at, entry.user, entry.edit.command, entry.edit.summary,
            entry.edit.reason, change.layer, change.row_id, change.after,
            _visible(row, change.after), last.user if last else "",
            last.recorded_at if last else "",
            json.dumps([c.to_json(with_geometry=True) for c in entry.edit.changes],
                       ensure_ascii=False)))


def _visible(row: dict | None, like: dict | None) -> dict | None:
    """The desk's row, in the columns the field's version has."""
    if row is None:
        return None
    from viewer.io.pg_store import plain_row

    return plain_row(row, list(like or row))


def read_conflicts(path: Path) -> list[Conflict]:
    with closing(open_read_only(path)) as db:
        try:
            rows = db.execute(f"SELECT {', '.join(_quoted(CONFLICT_COLUMNS))} "
                              f"FROM {CONFLICTS} ORDER BY fid").fetchall()
        except sqlite3.OperationalError:  # a copy with no conflicts table
            return []
    conflicts = []
    for row in rows:
        values = dict(zip(CONFLICT_COLUMNS, row))
        values["field_version"] = json.loads(values["field_version"] or "null")
        values["desk_version"] = json.loads(values["desk_version"] or "null")
        conflicts.append(Conflict(**values))
    return conflicts


def _quoted(names) -> list[str]:
    return ['"' + name.replace('"', '""') + '"' for name in names]


def resolve(path: Path, edit_id: int, keep: str, user: str) -> None:
    """Settle the conflict of offline edit `edit_id`: keep the "desk" version (drop the
    field's) or the "field" version (recorded on the copy as a new edit the next sync
    sends, made from the desk's values so it passes the row check)."""
    chosen = [c for c in read_conflicts(path) if c.edit_id == edit_id]
    if not chosen:
        raise SyncError(f"{path} has no conflict for offline edit {edit_id}")
    if len({_offline_edit(c) for c in chosen}) > 1:   # numbered before they were kept apart
        raise SyncError(f"{path}: conflict {edit_id} names more than one offline edit; sync the "
                        "copy once and each is listed under a number of its own")
    if keep == "field":
        store = GpkgStore(path)
        dataset = store.read()
        conflicting = {(c.layer, c.row_id) for c in chosen}
        changes = []
        # The whole offline edit, not only its conflicting rows (a holding's time_end was
        # lost), each row taking only the columns the field changed: the desk's changes
        # to its other columns stay (a colleague's note was wiped).
        for made in [RowChange.from_json(c) for c in json.loads(chosen[0].changes)]:
            current = find_row(dataset, made.layer, made.row_id)
            if (made.layer, made.row_id) not in conflicting and (
                    current is None or not same_values(current, made.before or {})
                    or same_values(current, made.after or {})):
                continue          # already so at the desk, or another row since: not the field's
            changed = {k: v for k, v in (made.after or {}).items()
                       if made.before is None or (made.before or {}).get(k) != v}
            # A row gone from the desk (deleted there, in QGIS) comes back whole, as the
            # field has it: its changed columns alone made a row of no id and no date.
            changes.append(RowChange(made.layer, made.row_id, INSERT, None, dict(made.after or {}),
                                     made.geometry) if current is None else
                           RowChange(made.layer, made.row_id, UPDATE, current,
                                     {**current, **changed}))
        summary = f"Keep the field's version: {chosen[0].summary}"
        try:   # checked as any edit is: an invalid row would stop every later sync
            check_changes(dataset, changes)
        except EditRefused as refused:
            raise SyncError(f"{path}: the field's version of offline edit {edit_id} cannot be "
                            f"kept: {refused.field}: {refused.reason}") from None
        store.apply([Edit("resolve", summary, f"sync conflict: {chosen[0].reason}",
                          tuple(changes))], user)
    with sqlite3.connect(path) as db:
        db.execute(f"DELETE FROM {CONFLICTS} WHERE edit_id = ?", (edit_id,))
