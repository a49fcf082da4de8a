"""Work that depends only on a file's content, kept between sessions in the
user's cache folder (`$XDG_CACHE_HOME/kachin-viewer`, else ~/.cache/kachin-viewer).

Entries are numpy arrays stored with np.save and read with allow_pickle=False:
plain numbers, nothing in them can run. Each is named by a hash of everything
it was computed from, so a changed or truncated file gives other inputs and
another name: a stale entry is never used. One that cannot be read, or has
the wrong shape, is ignored and made again; one that cannot be written is no
error. The newest few entries of each kind are kept.
"""
from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from viewer.io.atomic import atomic_file

KEEP = 8


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kachin-viewer"


def load_array(kind: str, key: str, shape: tuple[int, ...]) -> np.ndarray | None:
    """The array stored under `kind` and `key` if it has `shape`, else None. Its header
    is checked against the file's size before anything is read: np.load gave the memory
    a damaged header asked for (64 TiB: a valid file then failed to open, "out of
    memory", every time)."""
    with _entry(kind, key) as header:
        if header is None:
            return None
        handle, found, fortran, dtype, left = header
        if found != shape or dtype.hasobject or left != dtype.itemsize * math.prod(shape):
            return None
        array = np.fromfile(handle, dtype=dtype, count=math.prod(shape))
        return array.reshape(shape, order="F" if fortran else "C") if array.nbytes == left else None


def load_array_into(kind: str, key: str, out: np.ndarray) -> bool:
    """Read the array stored under `kind` and `key` into `out` (C-ordered), without a
    second copy in memory; False, `out` untouched, if it is missing or does not fit.
    (`out` is written only once the entry is known to hold exactly its bytes.)"""
    with _entry(kind, key) as header:
        if header is None:
            return False
        handle, shape, fortran, dtype, left = header
        if shape != out.shape or fortran or dtype != out.dtype or left != out.nbytes:
            return False
        return handle.readinto(memoryview(out).cast("B")) == out.nbytes


@contextmanager
def _entry(kind: str, key: str):
    """(the open file after its header, shape, Fortran order, dtype, bytes left), or None
    for an entry that is missing or whose header cannot be read."""
    try:
        handle = open(cache_folder() / f"{kind}-{key}.npy", "rb")
    except OSError:
        yield None
        return
    with handle:
        try:
            read_header = _HEADER_READERS.get(np.lib.format.read_magic(handle))
            header = read_header(handle) if read_header else None
            left = os.fstat(handle.fileno()).st_size - handle.tell()
        except (OSError, ValueError):
            header = None
        yield None if header is None else (handle, *header, left)


_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}


def store_array(kind: str, key: str, array: np.ndarray, folder: Path | None = None) -> None:
    """Store `array` in `folder`, by default the cache folder."""
    _store(folder or cache_folder(), kind, key, ".npy",
           lambda handle: np.save(handle, array, allow_pickle=False))


def store_bytes_in_parts(kind: str, key: str, parts: Iterable[bytes], folder: Path | None = None) -> None:
    """Store as a uint8 array the concatenation of `parts`, written as they come: the
    whole is never in memory at once (shapes' WKB: 35 MB at 100x). Its size, known
    at the end, is then written into the header, whose length numpy keeps the same
    for any size (room for the shape to grow)."""
    def write(handle) -> None:
        def header(size: int) -> None:
            np.lib.format.write_array_header_1_0(handle, {"descr": "|u1", "fortran_order": False,
                                                          "shape": (size,)})

        header(0)
        start = handle.tell()
        for part in parts:
            handle.write(part)
        size = handle.tell() - start
        handle.seek(0)
        header(size)
        if handle.tell() != start:
            raise ValueError("the array's header changed length")  # the entry is not kept

    _store(folder or cache_folder(), kind, key, ".npy", write)


def store_text(kind: str, key: str, text: str, folder: Path | None = None) -> None:
    """Plain text (read back with Path.read_text) under `kind` and `key`."""
    _store(folder or cache_folder(), kind, key, ".json",
           lambda handle: handle.write(text.encode("utf-8")))


def in_background(store: Callable, *args) -> None:
    """Call `store(*args)` on a thread of its own: writing tens of MB overlaps what
    the caller does next. Not a daemon: a command that ends meanwhile still
    finishes the entry (an unfinished one is never seen: files are moved into place)."""
    writer = threading.Thread(target=store, args=args, name="kachin-viewer-cache", daemon=False)
    _writers.append(writer)
    writer.start()


def finish_writing() -> None:
    """Wait until every entry being stored in the background is written."""
    while _writers:
        _writers.pop().join()


_writers: list[threading.Thread] = []


def _store(folder: Path, kind: str, key: str, suffix: str, write) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_file(folder / f"{kind}-{key}{suffix}", mode=0o600) as temporary:
            with open(temporary, "wb") as handle:
                write(handle)
        entries = sorted(folder.glob(f"{kind}-*{suffix}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in entries[KEEP:]:
            stale.unlink(missing_ok=True)
    except (OSError, ValueError):   # not written (atomic_file removed the part written): no error
        pass
