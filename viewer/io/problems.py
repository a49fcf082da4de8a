"""Problems found in a briefing file, each reported as one line."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file; `severity` is "error" or "warning".

    Errors stop the file from opening; warnings (a repaired polygon, a
    reprojected layer) are shown but the file opens.
    """

    file: str
    message: str
    layer: str | None = None
    row: str | None = None
    column: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        # A file by its name; a database address (already without its password) whole.
        where = [self.file if "://" in self.file else Path(self.file).name]
        if self.layer is not None:
            where.append(f"layer '{self.layer}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{', '.join(where)}: {self.message}"


class DatasetError(Exception):
    """A file that cannot be opened; `problems` holds every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors or problems))


def errors_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]
