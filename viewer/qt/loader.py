"""Work off the GUI thread: reading a dataset, writing exports.

The window keeps painting and shows progress while a worker thread reads or
renders; results come back to the GUI thread as queued signals.
"""
from __future__ import annotations

import itertools
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from viewer.io.pg_url import display_name
from viewer.memory import release_free_memory

Progress = Callable[[str, float], None]


class _Relay(QObject):
    """Carries every worker thread's reports to the GUI thread: (worker, ticket, what,
    payload). One for the process, made on the GUI thread and never deleted. A thread
    may still report after the window that started it has gone; emitting a signal of
    a QObject that the GUI thread deletes meanwhile crashed the process (SIGSEGV in
    a test that closed a window while its read finished). Qt removes a deleted
    worker's connection itself, so its late reports reach nobody."""

    reported = Signal(int, int, str, object)


_relay: _Relay | None = None
_worker_numbers = itertools.count(1)
# Held while a report is emitted; once the application is quitting, reports stop:
# emitting while the interpreter shut down around still-running daemon threads
# crashed the process at exit now and then (SIGSEGV in emit, 1 run in 8).
_reporting = threading.Lock()
_quitting = False


def _the_relay() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay()
        application = QCoreApplication.instance()
        if application is not None:
            application.aboutToQuit.connect(_stop_reports)
    return _relay


def _stop_reports() -> None:
    """No report is emitted from now on (one being emitted is waited for)."""
    global _quitting
    with _reporting:
        _quitting = True


class Worker(QObject):
    """Runs functions on worker threads; only the latest one started reports.

    `start(work)` calls `work(progress)` on a new thread, where `progress(text,
    fraction)` may be called as often as wanted. Signals, on the GUI thread:
    `progress(text, fraction)`, `finished(result)`, `failed(exception)`.

    Each job gets a fresh Python thread rather than a QThreadPool thread:
    pyproj keeps per-thread state that crashes (SIGSEGV in proj_create) when a
    pooled Qt thread runs Python a second time. A `daemon` worker's threads do not
    keep the process alive once the window has closed (reading can be abandoned;
    writing an export the user asked for is finished). Threads report through the
    process's relay (`_Relay`), never through the worker, which may be gone.
    """

    progress = Signal(str, float)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QObject | None = None, *, daemon: bool = False) -> None:
        super().__init__(parent)
        self._daemon = daemon
        self._number = next(_worker_numbers)
        self._ticket = 0
        _the_relay().reported.connect(self._on_report)

    def start(self, work: Callable[[Progress], object]) -> None:
        self._ticket += 1
        threading.Thread(target=_run, args=(_the_relay(), self._number, self._ticket, work),
                         name=f"kachin-viewer-worker-{self._ticket}", daemon=self._daemon).start()

    @Slot(int, int, str, object)
    def _on_report(self, number: int, ticket: int, what: str, payload: object) -> None:
        if number != self._number or ticket != self._ticket:
            return      # another worker's, or a job started before the latest
        if what == "progress":
            self.progress.emit(*payload)
        elif what == "finished":
            self.finished.emit(payload)
        else:
            self.failed.emit(payload)


def _run(relay: _Relay, number: int, ticket: int, work: Callable[[Progress], object]) -> None:
    """A worker's job, on its own thread; touches only the relay, never the worker."""
    def report(what: str, payload: object) -> None:
        with _reporting:
            if not _quitting:   # quitting: nobody is waiting
                relay.reported.emit(number, ticket, what, payload)

    try:
        result = work(lambda text, fraction: report("progress", (text, fraction)))
    except Exception as error:  # noqa: BLE001 — reported to the GUI, which keeps running
        report("failed", error)
    else:
        report("finished", result)


class DatasetLoader(QObject):
    """Reads datasets on a worker thread; a newer request supersedes an older one.

    Signals: `started(name)`, `progress(text, fraction 0..1)`, `loaded(dataset)`,
    `failed(name, problem lines)`; a name is the path, or a database address
    without its password. `location` is what was last asked for; `reading`,
    whether its read is still under way.
    """

    started = Signal(str)
    progress = Signal(str, float)
    loaded = Signal(object)
    failed = Signal(str, list)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = Worker(self, daemon=True)
        self._worker.progress.connect(self.progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self.location = Path()
        self.reading = False

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
        self.reading = True
        self.started.emit(str(location))
        if ahead is not None and ahead.location == location:
            self._worker.start(lambda progress: _prepared(ahead.result(progress), progress))
        else:
            self._worker.start(lambda progress: _prepared(_read(location, progress), progress))

    def _on_finished(self, dataset) -> None:
        self.reading = False
        self.loaded.emit(dataset)

    def _on_failed(self, error: Exception) -> None:
        from viewer.io import DatasetError

        self.reading = False
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
        from viewer.io.location import parse_location, read_soon

        self.location = parse_location(location)
        self._lock = threading.Lock()
        self._latest: tuple[str, float] | None = None
        self._relay: Progress | None = None
        self._future: Future | None = read_soon(self.location, self._report)

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
