"""Work off the GUI thread: reading a dataset, writing exports.

The window keeps painting and shows progress while a worker thread reads or
renders; results come back to the GUI thread as queued signals.
"""
from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal, Slot

from viewer.io.pg_url import display_name
from viewer.memory import release_free_memory

Progress = Callable[[str, float], None]


class Worker(QObject):
    """Runs functions on worker threads; only the latest one started reports.

    `start(work)` calls `work(progress)` on a new thread, where `progress(text,
    fraction)` may be called as often as wanted. Signals, on the GUI thread:
    `progress(text, fraction)`, `finished(result)`, `failed(exception)`.

    Each job gets a fresh Python thread rather than a QThreadPool thread:
    pyproj keeps per-thread state that crashes (SIGSEGV in proj_create) when a
    pooled Qt thread runs Python a second time. A `daemon` worker's threads do not
    keep the process alive once the window has closed (reading can be abandoned;
    writing an export the user asked for is finished).
    """

    progress = Signal(str, float)
    finished = Signal(object)
    failed = Signal(object)
    # Emitted on the worker thread; queued to the GUI thread, where stale tickets are dropped.
    _progressed = Signal(int, str, float)
    _finished = Signal(int, object)
    _failed = Signal(int, object)

    def __init__(self, parent: QObject | None = None, *, daemon: bool = False) -> None:
        super().__init__(parent)
        self._daemon = daemon
        self._progressed.connect(self._on_progress)
        self._finished.connect(self._on_finished)
        self._failed.connect(self._on_failed)
        self._ticket = 0

    def start(self, work: Callable[[Progress], object]) -> None:
        self._ticket += 1
        threading.Thread(target=self._run, args=(self._ticket, work),
                         name=f"kachin-viewer-worker-{self._ticket}", daemon=self._daemon).start()

    def _run(self, ticket: int, work: Callable[[Progress], object]) -> None:
        try:
            result = work(lambda text, fraction: self._report(self._progressed, ticket, text, fraction))
        except Exception as error:  # noqa: BLE001 — reported to the GUI, which keeps running
            self._report(self._failed, ticket, error)
        else:
            self._report(self._finished, ticket, result)

    @staticmethod
    def _report(signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the window closed while the job ran: nobody is waiting
            pass

    @Slot(int, str, float)
    def _on_progress(self, ticket: int, text: str, fraction: float) -> None:
        if ticket == self._ticket:
            self.progress.emit(text, fraction)

    @Slot(int, object)
    def _on_finished(self, ticket: int, result: object) -> None:
        if ticket == self._ticket:
            self.finished.emit(result)

    @Slot(int, object)
    def _on_failed(self, ticket: int, error: object) -> None:
        if ticket == self._ticket:
            self.failed.emit(error)


class DatasetLoader(QObject):
    """Reads datasets on a worker thread; a newer request supersedes an older one.

    Signals: `started(name)`, `progress(text, fraction 0..1)`, `loaded(dataset)`,
    `failed(name, problem lines)`; a name is the path, or a database address
    without its password. `location` is what was last asked for.
    """

    started = Signal(str)
    progress = Signal(str, float)
    loaded = Signal(object)
    failed = Signal(str, list)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = Worker(self, daemon=True)
        self._worker.progress.connect(self.progress)
        self._worker.finished.connect(self.loaded)
        self._worker.failed.connect(self._on_failed)
        self.location = Path()

    def load(self, location, ahead: ReadAhead | None = None) -> None:
        """Read a path or postgresql:// address (str, Path or DatabaseUrl); `ahead`,
        a read of the same location already under way, is waited for instead."""
        from viewer.io.location import parse_location
        from viewer.io.pg_url import DatabaseUrlError

        try:
            self.location = location = parse_location(location)
        except DatabaseUrlError as error:
            self.failed.emit("database address", [str(error)])
            return
        self.started.emit(str(location))
        if ahead is not None and ahead.location == location:
            self._worker.start(lambda progress: _prepared(ahead.result(progress), progress))
        else:
            self._worker.start(lambda progress: _prepared(_read(location, progress), progress))

    def _on_failed(self, error: Exception) -> None:
        from viewer.io import DatasetError

        if isinstance(error, DatasetError):
            errors = [p for p in error.problems if p.severity == "error"]
            lines = [str(p) for p in errors + [p for p in error.problems if p not in errors]]
        else:
            lines = [f"{display_name(self.location)}: could not be opened "
                     f"({type(error).__name__}: {error})"]
        self.failed.emit(str(self.location), lines)


class ReadAhead:
    """A dataset read started before the window exists, on a thread of its own.

    At start-up the data libraries are imported first; reading the file then
    overlaps importing Qt's widgets and building the window. It only reads:
    preparing the map touches Qt, whose types are made on first use, which is
    not safe while another thread imports Qt (an AttributeError now and then).
    `result(progress)` relays the progress made so far and to come, and waits
    for the dataset.
    """

    def __init__(self, location) -> None:
        from viewer.io.location import parse_location

        self.location = parse_location(location)
        self._future: Future = Future()
        self._lock = threading.Lock()
        self._latest: tuple[str, float] | None = None
        self._relay: Progress | None = None
        threading.Thread(target=self._run, args=(self._future,), name="kachin-viewer-read-ahead",
                         daemon=True).start()

    def _run(self, future: Future) -> None:
        try:
            future.set_result(_read(self.location, self._report))
        except Exception as error:  # noqa: BLE001 — raised again in result(), on the loader's thread
            future.set_exception(error)

    def _report(self, text: str, fraction: float) -> None:
        with self._lock:   # relayed under the lock: in order, never an older step last
            self._latest = (text, fraction)
            if self._relay is not None:
                self._relay(text, fraction)

    def result(self, progress: Progress):
        """The dataset (or the read's exception), once; then let go of, so that a
        dataset closed later, or a failed read's frames, are not kept alive."""
        with self._lock:
            self._relay = progress
            if self._latest is not None:
                progress(*self._latest)
        future, self._future = self._future, None
        return future.result()


def _read(location, progress: Progress):
    # Imported here: the reader pulls in geopandas, which the first paint must not wait for.
    from viewer.io.location import read_location

    return read_location(location, progress=progress)


def _prepared(dataset, progress: Progress):
    from viewer.render.prepared import prepared_map

    # Projecting and building paths here, not on the GUI thread: the window's
    # map and its exports then share this one prepared map.
    progress("Preparing the map", 0.95)
    prepared_map(dataset)
    # The reader's scratch memory was freed in a worker thread's own malloc
    # arena, which the GUI thread never reuses: about 100 MB at 6 million
    # vertices would otherwise stay resident for the session.
    release_free_memory()
    return dataset
