"""Checks before writing and the temporary-file-then-rename write every export uses."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from viewer.export.options import ExportError, TargetExists


def make_folder(folder: Path) -> bool:
    """Create `folder` and its parents when missing; True when this call made it."""
    if folder.exists():
        return False
    try:
        folder.mkdir(parents=True)
    except OSError as error:
        raise ExportError(f"could not create folder {folder}: {error.strerror or error}") from None
    return True


def check_folder(folder: Path) -> None:
    if not folder.exists():
        raise ExportError(f"output folder {folder} does not exist")
    if not folder.is_dir():
        raise ExportError(f"{folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"output folder {folder} is not writable")


def check_target(path: Path, overwrite: bool) -> None:
    """Fail before any work if `path` cannot or may not be written."""
    check_folder(path.parent if str(path.parent) else Path("."))
    if path.is_dir():
        raise ExportError(f"{path} is a folder, not a file name")
    if path.exists() and not overwrite:
        raise TargetExists(f"{path} already exists")


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary file beside `path`, renamed onto it only if the block succeeds."""
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.partial{path.suffix}")
    try:
        yield temporary
        os.replace(temporary, path)
    except OSError as error:
        raise ExportError(f"could not write {path}: {error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)


