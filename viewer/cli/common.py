"""What every command shares: the one-line errors, date parsing, loading a dataset."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from viewer.resources import EMBEDDED_DATASET

__all__ = ["EMBEDDED_DATASET", "CliError", "OneLineParser", "parse_day", "load", "in_range"]


class CliError(Exception):
    """A user mistake reported as one `error:` line and a non-zero exit."""


class OneLineParser(argparse.ArgumentParser):
    """Reports a bad command line as one `error:` line (no usage dump), exit 2."""

    def error(self, message: str) -> None:
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def load(path: Path):
    """Read a dataset, turning a bad file into CliError lines."""
    from viewer.io import DatasetError, read_dataset

    try:
        return read_dataset(path)
    except DatasetError as error:
        raise CliError("\n".join(str(p) for p in error.problems)) from None


def in_range(dataset, day: dt.date) -> dt.date:
    if not dataset.time_start <= day <= dataset.time_end:
        raise CliError(f"{day} is outside the dataset's range "
                       f"{dataset.time_start} to {dataset.time_end}")
    return day


