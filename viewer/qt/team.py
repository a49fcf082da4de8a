"""A window's link to a team database: refresh when a colleague saves.

`TeamWatch.watch(location, dataset)` is called for every dataset the window
opens. For a `postgresql://` dataset it listens (viewer.qt.live); a save that
moves the edit_log past what the window shows emits `refresh`, which the
window answers by reading the database again at the same date and view. A
file dataset stops any listening.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal


class TeamWatch(QObject):
    refresh = Signal()
    message = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._live = None
        self._url = None  # the DatabaseUrl listened to
        self.position = 0   # the edit_log position of the dataset shown

    def watch(self, location, position: int) -> None:
        """Listen on `location` if it is a database (again only when it changed)."""
        self.position = position
        if isinstance(location, Path):
            self.stop()
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

    def _saved(self, position: int) -> None:
        if position > self.position:
            self.refresh.emit()

    def stop(self) -> None:
        if self._live is not None:
            self._live.close()
            self._live.deleteLater()
        self._live, self._url = None, None
