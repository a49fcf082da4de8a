"""Problems that stop a file from being read at all, found before any layer is read.

Every query here is bounded (a crafted file must not hang the app), and layers
that are views or virtual tables are refused: reading one runs a query the file
wrote.
"""
from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from viewer.io.problems import Problem

SQLITE_MAGIC = b"SQLite format 3\x00"


def check_file(path: Path) -> list[Problem]:
    """Problems that stop a file from being read at all."""
    return check_header(path) or check_structure(path)


def check_header(path: Path) -> list[Problem]:
    """Whether `path` is a readable SQLite file at all (quick: its first 100 bytes)."""
    name = str(path)
    if not path.exists():
        return [Problem(name, "file does not exist")]
    if path.is_dir():
        return [Problem(name, "is a folder, not a GeoPackage file")]
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as error:
        return [Problem(name, f"cannot be read: {error.strerror or error}")]
    if not header:
        return [Problem(name, "is empty (0 bytes), not a GeoPackage")]
    if not header.startswith(SQLITE_MAGIC):
        return [Problem(name, "is not a GeoPackage (not an SQLite database)")]
    return []


def check_structure(path: Path) -> list[Problem]:
    """A GeoPackage's tables, no layer that runs a query, and SQLite's own check of
    every page."""
    return check_pages(path) or check_tables(path)


def check_tables(path: Path) -> list[Problem]:
    """A GeoPackage's tables, and no layer that runs a query when read."""
    return _checked(path, _tables)


def check_pages(path: Path) -> list[Problem]:
    """SQLite's own check of every page (PRAGMA quick_check: about 0.1 s for a 200 MB
    file in the page cache, in SQLite's C code, which lets other threads run)."""
    return _checked(path, _pages)


def _checked(path: Path, check) -> list[Problem]:
    """`check(name, connection)`'s problems, or the one SQLite's failure makes."""
    name = str(path)
    try:
        with closing(open_read_only(path)) as db:
            return check(name, db)
    except sqlite3.DatabaseError as error:
        return [Problem(name, _sqlite_failure(error))]
    except UnicodeDecodeError:  # SQLite's own message quoted damaged schema bytes
        return [Problem(name, "is damaged or truncated (SQLite: its table definitions are garbled)")]


def _tables(name: str, db: sqlite3.Connection) -> list[Problem]:
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    if "gpkg_contents" not in tables:
        return [Problem(name, "is an SQLite database but not a GeoPackage (no gpkg_contents table)")]
    return _unreadable_layers(name, db)


def _pages(name: str, db: sqlite3.Connection) -> list[Problem]:
    verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
    return [] if verdict == "ok" else [Problem(name, f"is damaged or truncated (SQLite: {verdict})")]


# Checking a file's structure stops after this long: a crafted file must not hang the app.
SQLITE_TIME_LIMIT_S = 60.0
LOCK_WAIT_S = 1.0


class UnreadableSideFile(sqlite3.OperationalError):
    """A file SQLite keeps beside the briefing (-wal, -journal) that it cannot use where the
    briefing is: the message says what to do."""


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection whose queries stop after SQLITE_TIME_LIMIT_S.

    A save stopped mid-commit (killed, power cut) leaves a -journal holding the
    file as it was; a read-only connection cannot put it back, so the file is
    opened for writing once, which does.

    A WAL-mode file (QGIS leaves files it edits so) in a folder that cannot be
    written, such as a read-only mount, cannot get its -shm file; it is opened
    as immutable, as nothing can be changing it there, unless its -wal holds
    changes: an immutable read would not see them, so it is refused.
    """
    uri = path.resolve().as_uri()
    try:
        db = _opened(f"{uri}?mode=ro")
    except sqlite3.OperationalError as error:
        if _stopped_save(error, path):
            _roll_back_stopped_save(path)
            db = _opened(f"{uri}?mode=ro")
        elif "unable to open" in str(error) and _is_wal(path):
            wal = wal_file(path)
            if wal.exists() and wal.stat().st_size > 0:
                raise UnreadableSideFile(
                    "has saved changes in its -wal file that cannot be read in a folder that "
                    "cannot be written; copy the file and its -wal to a writable folder") from error
            db = _opened(f"{uri}?mode=ro&immutable=1")
        else:
            raise
    db.text_factory = lambda data: data.decode("utf-8", errors="replace")
    deadline = time.monotonic() + SQLITE_TIME_LIMIT_S
    db.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    return db


def _opened(uri: str) -> sqlite3.Connection:
    """A connection that has read the schema: the first read is where SQLite finds what
    stops it (a -journal to roll back, a -shm it cannot make)."""
    db = sqlite3.connect(uri, uri=True, timeout=LOCK_WAIT_S)
    try:
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.Error:
        db.close()   # not left open on the file (a read-only mount could not be unmounted)
        raise
    return db


# SQLITE_READONLY_ROLLBACK: a -journal a read-only connection cannot roll back. Python
# names it, and gives an error's code, from 3.11; 3.10 has the message alone.
READONLY_ROLLBACK = 776


def _stopped_save(error: sqlite3.OperationalError, path: Path) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code == READONLY_ROLLBACK
    journal = path.with_name(path.name + "-journal")
    return "readonly" in str(error) and journal.exists() and journal.stat().st_size > 0


def _roll_back_stopped_save(path: Path) -> None:
    """Put the file back as it was before a save stopped mid-commit: SQLite does so from
    the -journal on its first read with a connection that may write."""
    journal = path.with_name(path.name + "-journal")
    if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        raise UnreadableSideFile(
            f"has an interrupted save: keep {journal.name} beside it (it puts the file back "
            "as it was) and open the file from a folder that can be written")
    _opened(path.resolve().as_uri()).close()


def wal_file(path: Path) -> Path:
    """Where SQLite keeps the saves of a file in WAL mode until they are written back."""
    return path.with_name(path.name + "-wal")


def _is_wal(path: Path) -> bool:
    with open(path, "rb") as handle:
        header = handle.read(20)
    return header[18:20] == b"\x02\x02"  # file format read/write versions 2: WAL


def _sqlite_failure(error: sqlite3.DatabaseError) -> str:
    text = str(error)
    if isinstance(error, UnreadableSideFile):
        return text
    if "locked" in text or "busy" in text:
        return "is locked by another program; try again when it has saved and closed the file"
    if "interrupted" in text:
        return (f"took over {SQLITE_TIME_LIMIT_S:g} s to check and was stopped "
                "(damaged, or made to hang)")
    return f"is damaged or truncated (SQLite: {text})"


def _unreadable_layers(name: str, db: sqlite3.Connection) -> list[Problem]:
    """Layers that are views or virtual tables: reading one runs a query the file
    wrote, which may never end (a recursive view), so they are refused."""
    rows = db.execute(
        "SELECT c.table_name, m.type, m.sql FROM gpkg_contents c "
        "LEFT JOIN sqlite_master m ON m.name = c.table_name").fetchall()
    problems = []
    for table, kind, sql in rows:
        if kind == "view" or (kind == "table" and str(sql or "").upper().startswith("CREATE VIRTUAL")):
            what = "a view" if kind == "view" else "a virtual table"
            problems.append(Problem(name, f"is {what}, not a table; only tables are read "
                                          "(a view's query could run without end)", str(table)))
    return problems


def has_table(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                      (name,)).fetchone() is not None
