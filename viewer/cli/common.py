"""What every command shares: the one-line errors, date parsing, loading a dataset."""
from __future__ import annotations

import argparse
import datetime as dt
import re
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Callable

from viewer.resources import EMBEDDED_DATASET

__all__ = ["EMBEDDED_DATASET", "CliError", "OneLineParser", "parse_day", "parse_days",
           "dataset_location",
           "check_gpkg", "load", "load_soon", "in_range", "terminal_safe", "list_written"]

# Control characters (escape sequences that clear or retitle a terminal, newlines that
# forge an `ok:` line) and the bidirectional overrides that reorder what is shown.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_YYYY_MM_DD = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")


def terminal_safe(text: object) -> str:
    """`text` with every control character written as an escape (`\\x1b`, `\\n`), so
    dataset text printed to a terminal is only ever text."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


class CliError(Exception):
    """A user mistake reported as one `error:` line per argument (usually one) and a
    non-zero exit. Each line is printed terminal-safe: a newline in the dataset text
    it quotes shows as `\\n` and cannot start a line of its own."""

    def __init__(self, *lines: object) -> None:
        super().__init__(*lines)
        self.lines = [str(line) for line in lines]


class OneLineParser(argparse.ArgumentParser):
    """Reports a bad command line as one `error:` line (no usage dump), exit 2."""

    def error(self, message: str) -> None:
        from viewer.io.pg_url import without_passwords

        # argparse quotes what it refused: an address given in the wrong place, password too.
        self.exit(2, f"error: {terminal_safe(without_passwords(message))} "
                     f"(see '{self.prog} --help')\n")


def parse_day(text: str) -> dt.date:
    """argparse type of every command's date options: YYYY-MM-DD and nothing else, as
    the help says (fromisoformat alone also takes 20241001 and 2024-W40-1)."""
    if _YYYY_MM_DD.fullmatch(text):
        with suppress(ValueError):   # 2024-02-30
            return dt.date.fromisoformat(text)
    raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)")


def parse_days(text: str) -> list[dt.date]:
    """argparse type of a comma-separated list of dates."""
    return [parse_day(part) for part in text.split(",")]


def dataset_location(text: str):
    """argparse type for a dataset: a GeoPackage path or a postgresql:// address."""
    from viewer.io.location import parse_location
    from viewer.io.pg_url import DatabaseUrlError

    try:
        return parse_location(text)
    except DatabaseUrlError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def check_gpkg(path: Path) -> None:
    """A missing file, a folder or a file that is no GeoPackage as an `error:` line
    naming it, before a command hands it to SQLite (which fails with a traceback)."""
    from viewer.io.file_check import check_file

    problems = check_file(path)
    if problems:
        raise CliError(*problems)


def load(location):
    """Read a dataset (a path or a DatabaseUrl), turning a bad one into CliError lines."""
    from viewer.io.location import read_location

    with _problems_as_lines():
        return read_location(location)


def load_soon(location) -> Callable[[], object]:
    """`load(location)` started now on a thread of its own, while the caller sets up
    what drawing needs (the reader touches no Qt); the function returned waits for the
    dataset. The data libraries are imported here first, as the window does: two
    threads importing them at once would race PySide6's scan of new modules."""
    from viewer.io.location import read_soon

    reading = read_soon(location)

    def loaded():
        with _problems_as_lines():
            return reading.result()

    return loaded


@contextmanager
def _problems_as_lines():
    """A DatasetError as one `error:` line per problem."""
    from viewer.io import DatasetError

    try:
        yield
    except DatasetError as error:
        raise CliError(*error.problems) from None


def in_range(dataset, day: dt.date) -> dt.date:
    if not dataset.time_start <= day <= dataset.last_day:
        raise CliError(f"{day} is outside the dataset's range "
                       f"{dataset.time_start} to {dataset.last_day}")
    return day


# The files the running command has written whole: a Ctrl+C after them stops nothing
# (main says so rather than a bare "interrupted" over a whole handout).
WRITTEN: list[Path] = []


def list_written(write: Callable[[], list[Path]]) -> int:
    """Run an export, print the files it wrote one per line; its errors become CliError."""
    from viewer.export import ExportError, TargetExists

    try:
        written = write()
        WRITTEN[:] = written
    except TargetExists as error:
        raise CliError(f"{error} (use --force to overwrite)") from None
    except ExportError as error:
        raise CliError(str(error)) from None
    for path in written:
        print(path)
    return 0
