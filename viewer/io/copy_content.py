"""A field copy's content as one digest, kept in its `sync_origin` table.

`take-offline` stores it; each save through this app updates it, but only when the
copy still held what the digest says: a change made outside the app (in QGIS) is in
no edit log, so `sync` cannot send it and its refresh would lose it. Before
refreshing, `sync` compares, and keeps a copy held that way beside it.
"""
from __future__ import annotations

import hashlib
import sqlite3

# A field copy's own tables: where it came from, and the conflicts its syncs met.
ORIGIN, CONFLICTS = "sync_origin", "sync_conflicts"
KEY = "content"
# Tables the digest leaves out: the log (`store.EDIT_LOG`), and the copy's own.
NOT_CONTENT = ("edit_log", ORIGIN, CONFLICTS)


def content_digest(db: sqlite3.Connection) -> str:
    """A SHA-256 over every data table's rows (shapes included), in id order."""
    digest = hashlib.sha256()
    tables = [name for (name,) in db.execute("SELECT table_name FROM gpkg_contents "
                                             "ORDER BY table_name") if name not in NOT_CONTENT]
    for table in tables:
        digest.update(table.encode() + b"\0")
        for row in db.execute(f'SELECT * FROM "{table.replace(chr(34), chr(34) * 2)}" ORDER BY 1'):
            for value in row:
                digest.update(value if isinstance(value, bytes) else repr(value).encode())
                digest.update(b"\0")
    return digest.hexdigest()


def stored_digest(db: sqlite3.Connection) -> str | None:
    """The digest the copy's origin keeps; None for a file that is no field copy (or a
    copy taken before digests were kept)."""
    try:
        found = db.execute(f"SELECT value FROM {ORIGIN} WHERE key = ?", (KEY,)).fetchone()
    except sqlite3.OperationalError:   # no sync_origin table: not a field copy
        return None
    return found[0] if found else None


def store_digest(db: sqlite3.Connection, digest: str) -> None:
    if db.execute(f"UPDATE {ORIGIN} SET value = ? WHERE key = ?", (digest, KEY)).rowcount == 0:
        db.execute(f"INSERT INTO {ORIGIN} (key, value) VALUES (?, ?)", (KEY, digest))


def changed_outside(db: sqlite3.Connection) -> bool:
    """Whether the copy holds changes no save of this app made (False for other files)."""
    stored = stored_digest(db)
    return stored is not None and stored != content_digest(db)
