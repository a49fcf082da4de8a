"""What a save to a GeoPackage moves, to tell whether it was saved to since it was read,
and by whom (its edit log's last entry; a save by QGIS logs nothing)."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from viewer.io.file_check import has_table, open_read_only, wal_file
from viewer.model.schema import EDIT_LOG


def saved_state(path: Path) -> tuple | None:
    """The file's last edit_log id, SQLite's change counter in its header, and the size and
    time of the file and its -wal (a memory stick's coarse clock alone could miss a save);
    None when it cannot be read (gone, or locked mid-save: asked again later)."""
    try:
        with closing(open_read_only(path)) as db:
            last_edit = (db.execute(f"SELECT max(fid) FROM {EDIT_LOG}").fetchone()[0]
                         if has_table(db, EDIT_LOG) else None)
        with open(path, "rb") as handle:
            header = handle.read(100)
        files = [f for f in (path, wal_file(path)) if f.exists()]
        return last_edit, header[24:28], [(f.stat().st_size, f.stat().st_mtime_ns) for f in files]
    except Exception:  # noqa: BLE001 — a damaged file (a header not UTF-8) has no state to compare
        return None


def last_saved_by(path: Path) -> str:
    """"alice at 2026-12-04T18:02:11Z" from the edit log; else that the log names nobody."""
    try:
        with closing(open_read_only(path)) as db:
            if has_table(db, EDIT_LOG):
                last = db.execute(f"SELECT user, recorded_at FROM {EDIT_LOG} "
                                  "ORDER BY fid DESC LIMIT 1").fetchone()
                if last is not None:
                    return f"{last[0]} at {last[1]}"
    except (OSError, sqlite3.Error):
        pass
    return "another program (its edit log names nobody)"
