"""A window's link to a team database: refresh when a colleague saves.

`TeamWatch.watch(location, dataset)` is called for every dataset the window
opens. For a `postgresql://` dataset it listens (viewer.qt.live); a save that
moves the edit_log past what the window shows emits `refresh`, which the
window answers by reading the database again at the same date and view. For a
file it watches the file (viewer.qt.file_watch): a save made elsewhere (another
window, QGIS, the command line) is answered alike; the second window on a file
drew the old holder of a zone until it tried to save.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal


class TeamWatch(QObject):
    refresh = Signal(str)   # read it again; what to say once it is shown
    message = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._live = None
        self._url = None  # the DatabaseUrl listened to
        self._file = None  # the FileUpdates of the file shown
        self.position = 0   # the edit_log position of the dataset shown

    def watch(self, location, position: int) -> None:
        """Listen on `location` if it is a database (again only when it changed); watch it
        if it is a file."""
        self.position = position
        if isinstance(location, Path):
            self.stop()
            self._watch_file(location)
            return
        if location == self._url and self._live is not None:
            return
        self.stop()
        from viewer.qt.live import LiveUpdates

        try:
            self._live = LiveUpdates(location, self)
        except Exception as error:  # noqa: BLE001 — no live refresh, the window goes on
            self.message.emit(f"Live refresh is off: {str(error).strip().splitlines()[0]}")
            return
        self._url = location
        self._live.saved.connect(self._saved)
        self._live.lost.connect(lambda why: self.message.emit(f"Live refresh stopped: {why}"))

    def _watch_file(self, path: Path) -> None:
        from viewer.qt.file_watch import FileUpdates

        self._file = FileUpdates(path, self)
        self._file.changed.connect(self._file_saved)

    def _file_saved(self, by: str) -> None:
        self.refresh.emit(f"{self._file.path.name} was saved by {by}: shown as saved")

    def saved_here(self) -> None:
        """This window saved the file shown: not a change to answer."""
        if self._file is not None:
            self._file.seen_here()

    def _saved(self, position: int) -> None:
        if position > self.position:
            self.refresh.emit("A colleague saved to the team database: shown as saved")

    def stop(self) -> None:
        if self._live is not None:
            self._live.close()
            self._live.deleteLater()
        if self._file is not None:
            self._file.changed.disconnect()   # a report already on its way is not answered
            self._file.deleteLater()
        self._live, self._url, self._file = None, None, None
