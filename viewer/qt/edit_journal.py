"""The crash journal: pending edits of one briefing, rewritten after every edit or undo.

One small JSON file per briefing (named by a hash of its path, or of a team
database's password-less address) in the app's data folder, replaced
atomically, so a killed process leaves either the previous list or the new one.
Save, Discard and "Discard" on restore remove it. A second list ("held") keeps
edits a save refused because a colleague changed their rows, until the analyst
re-applies or discards each.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from viewer.model.changes import Edit


class Journal:
    def __init__(self, file: Path, dataset_key: str) -> None:
        self.file, self.dataset_key = file, dataset_key

    @classmethod
    def for_dataset(cls, location, kind: str = "pending") -> "Journal":
        """The journal of a file path or a DatabaseUrl (keyed by `saved`: never a password)."""
        folder = Path(QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.AppDataLocation)) / "journal"
        key = getattr(location, "saved", None) or str(Path(location).resolve())
        name = hashlib.sha256(key.encode()).hexdigest()[:20]
        return cls(folder / f"{kind}-{name}.json", key)

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
