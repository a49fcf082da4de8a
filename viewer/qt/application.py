"""The application object: a QApplication that also passes on the files the
desktop hands it."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QApplication


class ViewerApplication(QApplication):
    """macOS Finder opens a double-clicked document by sending the running
    application a FileOpen event, not a command-line argument: it comes out
    as `file_open_requested(path)`."""

    file_open_requested = Signal(str)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and event.file():
            self.file_open_requested.emit(event.file())
            return True
        return super().event(event)
