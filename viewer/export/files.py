"""Checks before writing and the temporary-file-then-rename write every export uses."""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from viewer.io.atomic import atomic_file
from viewer.io.atomic import move_into_place as atomic_move
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
def atomic_target(path: Path, *, overwrite: bool = True, size: int | None = None) -> Iterator[Path]:
    """`viewer.io.atomic.atomic_file(path)`, told in an export's terms.

    Without `overwrite`, a file that appeared at `path` meanwhile (another export
    to the same name) is kept and TargetExists raised. A full disk is reported as
    such, with `size` (the bytes being written) when known.
    """
    try:
        with atomic_file(path, overwrite=overwrite) as temporary:
            yield temporary
    except FileExistsError:
        raise TargetExists(f"{path} already exists (written by another export meanwhile?)") from None
    except OSError as error:
        raise write_error(path, error, size) from None


def write_file(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write `data` to `path` through a temporary file beside it."""
    with atomic_target(path, overwrite=overwrite, size=len(data)) as temporary:
        temporary.write_bytes(data)


def move_into_place(source: Path, target: Path, overwrite: bool) -> None:
    """`viewer.io.atomic.move_into_place`, with an existing target told as TargetExists."""
    try:
        atomic_move(source, target, overwrite)
    except FileExistsError:
        raise TargetExists(f"{target} already exists (written by another export meanwhile?)") from None


def write_error(path: Path, error: OSError, size: int | None = None) -> ExportError:
    """One line for a failed write; a full disk says how much room was needed."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        free = shutil.disk_usage(path.parent).free
        room = f"{_megabytes(size)} MB needed, " if size else ""
        return ExportError(f"disk full ({room}{_megabytes(free)} MB free) writing {path}")
    return ExportError(f"could not write {path}: {error.strerror or error}")


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f}"


@contextmanager
def staging_folder(folder: Path, *, clean: bool) -> Iterator[Path]:
    """A hidden temporary folder inside `folder` (same disk: moving out is a rename),
    removed with whatever is left in it. With `clean` (only while `folder_lock`
    holds the folder), leftovers of an export that was killed are removed first."""
    for stale in folder.glob(".kachin-export-*") if clean else ():
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=".kachin-export-", dir=folder))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def folder_lock(folder: Path) -> Iterator[bool]:
    """Only one export writes into `folder` at a time: a second one is refused.

    The lock is the operating system's on the folder itself (no lock file to leave
    behind), released when the export ends or its process dies. Yields whether the
    folder could be locked (not on Windows or a share without locks).
    """
    try:
        import fcntl
    except ImportError:  # Windows: files being written cannot be replaced there anyway
        yield False
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExportError(f"another export is writing into {folder}; "
                              "wait for it to finish") from None
        except OSError:  # a file system without locks (some network shares): write unlocked
            yield False
        else:
            yield True
    finally:
        os.close(handle)
