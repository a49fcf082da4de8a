"""The one way this program replaces a file: build it beside, then rename.

A user's data is sacred: a failed write must leave the file as it was. Every
writer (GeoPackage edits, exports, desktop integration) writes to a temporary
file in the target's folder, which is flushed to disk and moved onto the
target with os.replace only if everything succeeded; on any error the
temporary file (and any SQLite side file next to it) is removed.

In io, not export: io must not import export, and both write files.
"""
from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Files SQLite may leave beside a database it had open.
_SIDE_FILES = ("-journal", "-wal", "-shm")


@contextmanager
def atomic_file(path: Path, mode: int | None = None, overwrite: bool = True) -> Iterator[Path]:
    """A temporary path beside `path` to write to, moved onto `path` when the block ends
    without error. The temporary name keeps `path`'s suffix (writers pick their format by
    it). `mode` sets the permissions, else the usual ones for a new file (umask). Without
    `overwrite`, a file that appeared at `path` meanwhile is kept: FileExistsError."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".partial{path.suffix}",
                                    dir=folder)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.chmod(temporary, mode if mode is not None else 0o666 & ~_umask())
        move_into_place(temporary, path, overwrite)
    finally:
        for leftover in (temporary, *(Path(f"{temporary}{side}") for side in _SIDE_FILES)):
            leftover.unlink(missing_ok=True)


def move_into_place(source: Path, target: Path, overwrite: bool) -> None:
    """Rename `source` onto `target`; without `overwrite`, never onto an existing file
    (FileExistsError)."""
    if overwrite:
        os.replace(source, target)
        return
    try:
        os.link(source, target)  # fails if `target` exists, with no window between check and write
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links (FAT, exFAT)
        if target.exists():
            raise FileExistsError(errno.EEXIST, "already exists", str(target)) from None
        os.replace(source, target)
    else:
        source.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
