"""The crash journals: a window's pending edits of one briefing, rewritten after every edit or undo.

One small JSON file per window session and briefing (named by a hash of its path,
or of a team database's password-less address, and the session's id) in the app's
data folder, replaced atomically, so a killed process leaves either the previous
list or the new one. Save, Discard and "Discard" on restore remove it. A second
list ("held") keeps edits a save refused because a colleague changed their rows,
until the analyst re-applies or discards each.

Two windows on one briefing each have their own journals: one saving never
overwrites or removes the other's. A lock file per session (QLockFile records the
process, so a killed one's lock is stale) tells a running window's journals from
those of one that stopped; a window opening the briefing adopts the latter.
"""
from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path

from PySide6.QtCore import QLockFile, QStandardPaths

from viewer.model.changes import Edit

KINDS = ("pending", "held")


class Journal:
    def __init__(self, file: Path, dataset_key: str) -> None:
        self.file, self.dataset_key = file, dataset_key

    def write(self, edits: list[Edit]) -> None:
        if not edits:
            self.clear()
            return
        data = {"dataset": self.dataset_key,
                "edits": [edit.to_json(with_geometry=True) for edit in edits]}
        self.file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.file.with_suffix(".part")
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(self.file)

    def read(self) -> list[Edit]:
        """The journalled edits; none when there is no journal or it cannot be read."""
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            if data.get("dataset") != self.dataset_key:
                return []
            return [Edit.from_json(edit) for edit in data["edits"]]
        except (OSError, ValueError, KeyError, TypeError):
            return []

    def clear(self) -> None:
        self.file.unlink(missing_ok=True)


def dataset_key(location) -> str:
    """A file's resolved path, or a DatabaseUrl's `saved` form (never a password)."""
    return getattr(location, "saved", None) or str(Path(location).resolve())


class SessionJournals:
    """One window session's pending and held journals of one briefing, locked while it has them."""

    def __init__(self, key: str, session: str, lock: QLockFile) -> None:
        self.dataset_key, self.session, self._lock = key, session, lock
        self.pending, self.held = (Journal(_file(kind, key, session), key) for kind in KINDS)

    @classmethod
    def start(cls, location) -> "SessionJournals":
        """New journals of `location` for this window."""
        return cls._locked(dataset_key(location), uuid.uuid4().hex[:12])

    @classmethod
    def _locked(cls, key: str, session: str) -> "SessionJournals | None":
        """The session's journals, or None when a running window holds them."""
        lock_file = _file("session", key, session).with_suffix(".lock")
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        lock = QLockFile(str(lock_file))
        lock.setStaleLockTime(0)  # stale only once its process is gone, however long that ran
        return cls(key, session, lock) if lock.tryLock(0) else None

    def orphans(self) -> list["SessionJournals"]:
        """The journals of this briefing left by windows no longer running, now this
        window's to adopt (then to `release`)."""
        name = _name(self.dataset_key)
        sessions = {file.stem.removeprefix(f"{kind}-{name}").lstrip("-")  # "": an older version's
                    for kind in KINDS for file in _folder().glob(f"{kind}-{name}*.json")}
        found = (self._locked(self.dataset_key, s) for s in sorted(sessions - {self.session}))
        return [journals for journals in found if journals is not None]

    def release(self) -> None:
        self._lock.unlock()


def _folder() -> Path:
    return Path(QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation)) / "journal"


def _name(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def _file(kind: str, key: str, session: str) -> Path:
    """The session's file of `kind`; a journal of an older version has no session."""
    name = _name(key)
    return _folder() / (f"{kind}-{name}-{session}.json" if session else f"{kind}-{name}.json")
