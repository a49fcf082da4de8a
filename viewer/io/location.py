"""Where a dataset lives: a GeoPackage path or a `postgresql://` address.

Every command and the window take either; these two functions are the only
place that tells them apart.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import Future
from pathlib import Path

from viewer.io.pg_url import DatabaseUrl, is_database_url
from viewer.io.problems import DatasetError, Problem
from viewer.io.reader import Progress, read_dataset, validate
from viewer.model.dataset import Dataset

Location = Path | DatabaseUrl


def parse_location(text: str | os.PathLike | DatabaseUrl) -> Location:
    """A DatabaseUrl for a postgresql:// address (DatabaseUrlError if malformed), else a Path."""
    if isinstance(text, (Path, DatabaseUrl)):
        return text
    return DatabaseUrl.parse(text) if is_database_url(str(text)) else Path(text)


def read_location(location: Location, progress: Progress | None = None) -> Dataset:
    """The validated dataset at `location` (DatasetError naming every problem)."""
    if isinstance(location, DatabaseUrl):
        from viewer.io.pg_read import read_database

        return read_database(location, progress)
    return read_dataset(location, progress)


def read_soon(location: Location, progress: Progress | None = None) -> Future:
    """`read_location` started now on a thread of its own, while the caller goes on
    (importing Qt, building the window); the dataset, or what the read raised, in the
    Future. A daemon thread: a read nobody waits for any more does not hold up an exit."""
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(read_location(location, progress))
        except BaseException as error:  # noqa: BLE001 — raised again by future.result(): never left waiting
            future.set_exception(error)

    threading.Thread(target=run, name="kachin-viewer-read", daemon=True).start()
    return future


def store_for(location: Location):
    """The store that reads and writes edits where the dataset lives."""
    if isinstance(location, DatabaseUrl):
        from viewer.io.pg_store import PostgisStore

        return PostgisStore(location)
    from viewer.io.store import GpkgStore

    return GpkgStore(location)


def validate_location(location: Location) -> list[Problem]:
    """Every problem at `location`, errors and warnings; empty when clean."""
    if not isinstance(location, DatabaseUrl):
        return validate(location)
    try:
        return list(read_location(location).warnings)
    except DatasetError as error:
        return error.problems
