"""Hear a save to the open GeoPackage made elsewhere (another window, QGIS, the command line).

Qt's QFileSystemWatcher reports each write; a save's burst (its transaction, its journal
or -wal) counts once the file has been quiet for QUIET_MS. The file's saved state is
compared with the one this window last read or saved: only a change made elsewhere
emits `changed` (who made it, from the file's edit log).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from viewer.io.file_check import wal_file
from viewer.io.file_state import last_saved_by, saved_state

QUIET_MS = 600


class FileUpdates(QObject):
    changed = Signal(str)   # who saved, for the window to say

    def __init__(self, path: Path, read_state: tuple | None, parent: QObject | None = None) -> None:
        """`read_state`: the file's state when the window's read of it began: a save made
        while it was read is answered too."""
        super().__init__(parent)
        self.path = path
        self._known = read_state
        self._watcher = QFileSystemWatcher(self)
        self._quiet = QTimer(self, singleShot=True, interval=QUIET_MS)
        self._quiet.timeout.connect(self._settled)
        self._watcher.fileChanged.connect(lambda _path: self._quiet.start())
        # A file in WAL mode (QGIS leaves files it edits so) takes saves in its -wal, which
        # a save creates: the folder is watched for it.
        self._watcher.directoryChanged.connect(lambda _path: self._watch())
        self._watcher.addPath(str(path.parent))
        self._watch()
        self._quiet.start()   # saved since the read began?

    def seen_here(self) -> None:
        """This window saved: the file's new state is its own."""
        self._known = saved_state(self.path)

    def _watch(self) -> None:
        """Watch the file and its -wal where they exist (a file replaced by a rename is
        no longer watched: it is watched again)."""
        watched = set(self._watcher.files())
        fresh = [str(f) for f in (self.path, wal_file(self.path)) if f.exists() and str(f) not in watched]
        if fresh:
            self._watcher.addPaths(fresh)
            self._quiet.start()

    def _settled(self) -> None:
        self._watch()
        state = saved_state(self.path)
        if state is not None and state != self._known:
            self._known = state
            self.changed.emit(last_saved_by(self.path))
