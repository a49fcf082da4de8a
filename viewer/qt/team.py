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
        self._waiting = ""  # what to say of a save not shown yet (the window put it off)

    def watch(self, location, position: int, file_state: tuple | None = None) -> None:
        """Listen on `location` if it is a database (again only when it changed); watch it
        if it is a file (`file_state`: its state when the read shown began)."""
        self.position = position
        self._waiting = ""
        if isinstance(location, Path):
            self.stop()
            self._watch_file(location, file_state)
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

    def _watch_file(self, path: Path, file_state: tuple | None) -> None:
        from viewer.qt.file_watch import FileUpdates

        self._file = FileUpdates(path, file_state, self)
        self._file.changed.connect(self._file_saved)

    def _file_saved(self, by: str) -> None:
        self._ask(f"{self._file.path.name} was saved by {by}")

    def _saved(self, position: int) -> None:
        if position > self.position:
            self._ask("A colleague saved to the team database")

    def _ask(self, note: str) -> None:
        self._waiting = note
        self.refresh.emit(note)

    def reading(self) -> None:
        """The window is reading the briefing again: a save that waited is being shown
        (the edits' reset as it opens asked again, and every save was read twice)."""
        self._waiting = ""

    def retry(self) -> None:
        """Ask again for a save the window put off showing (unsaved edits, an earlier day
        shown); a read of the briefing (`watch`) settles it."""
        if self._waiting:
            self.refresh.emit(self._waiting)

    def saved_here(self) -> None:
        """This window saved the file shown: not a change to answer, unless one made
        elsewhere waits to be shown (the save's state holds it too): then read it now."""
        if self._waiting:
            self.retry()
        elif self._file is not None:
            self._file.seen_here()

    def stop(self) -> None:
        if self._live is not None:
            self._live.close()
            self._live.deleteLater()
        if self._file is not None:
            self._file.changed.disconnect()   # a report already on its way is not answered
            self._file.deleteLater()
        self._live, self._url, self._file = None, None, None
