"""Reading a dataset off the GUI thread, so the window paints and reports progress."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Relay(QObject):
    """Carries a job's results from the worker thread to the GUI thread (queued)."""

    progress = Signal(int, str, float)
    loaded = Signal(int, object)
    failed = Signal(int, list)


class _LoadJob(QRunnable):
    def __init__(self, ticket: int, path: Path, relay: _Relay) -> None:
        super().__init__()
        self.ticket = ticket
        self.path = path
        self.relay = relay

    def run(self) -> None:
        # Imported here: the reader pulls in geopandas, which the first paint must not wait for.
        from viewer.io import DatasetError, read_dataset

        try:
            dataset = read_dataset(self.path, progress=lambda text, fraction:
                                   self.relay.progress.emit(self.ticket, text, fraction))
        except DatasetError as error:
            errors = [p for p in error.problems if p.severity == "error"]
            warnings = [p for p in error.problems if p.severity != "error"]
            self.relay.failed.emit(self.ticket, [str(p) for p in errors + warnings])
        except Exception as error:  # noqa: BLE001 — any crash in a reader must leave the app running
            self.relay.failed.emit(self.ticket, [f"{self.path.name}: could not be opened "
                                                 f"({type(error).__name__}: {error})"])
        else:
            self.relay.loaded.emit(self.ticket, dataset)


class DatasetLoader(QObject):
    """Loads one dataset at a time in a worker thread; only the latest request reports.

    Signals: `started(path)`, `progress(text, fraction 0..1)`, `loaded(dataset)`,
    `failed(path, problem lines)`.
    """

    started = Signal(str)
    progress = Signal(str, float)
    loaded = Signal(object)
    failed = Signal(str, list)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.progress.connect(self._on_progress)
        self._relay.loaded.connect(self._on_loaded)
        self._relay.failed.connect(self._on_failed)
        self._ticket = 0
        self._paths: dict[int, Path] = {}

    @property
    def busy(self) -> bool:
        return bool(self._paths)

    def load(self, path: str | Path) -> None:
        self._ticket += 1
        path = Path(path)
        self._paths[self._ticket] = path
        self.started.emit(str(path))
        self._pool.start(_LoadJob(self._ticket, path, self._relay))

    def wait(self) -> None:
        """Block until every started job has finished (used when the app quits)."""
        self._pool.waitForDone()

    def _is_latest(self, ticket: int) -> bool:
        return ticket == self._ticket

    @Slot(int, str, float)
    def _on_progress(self, ticket: int, text: str, fraction: float) -> None:
        if self._is_latest(ticket):
            self.progress.emit(text, fraction)

    @Slot(int, object)
    def _on_loaded(self, ticket: int, dataset: object) -> None:
        self._paths.pop(ticket, None)
        if self._is_latest(ticket):
            self.loaded.emit(dataset)

    @Slot(int, list)
    def _on_failed(self, ticket: int, problems: list) -> None:
        path = self._paths.pop(ticket, None)
        if self._is_latest(ticket):
            self.failed.emit(str(path), problems)
