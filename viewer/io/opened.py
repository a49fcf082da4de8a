"""What reading and checking a file found, kept for the next time the same file opens.

The work that depends only on a file's content (decoding its shapes, checking
every row and every polygon, repairing the invalid ones) is not redone when
the same content is opened again. An entry is named by the SHA-256 of the
whole file (computed anyway: it is the dataset's identity) and of the code
that checks it, so a changed or truncated file, or another version of the
checks, is read and checked afresh.

An entry is data only, in the user's cache folder (viewer/io/cache.py): the
problems found, as JSON text, and every distinct shape (after repair) as WKB
bytes in numpy arrays read with allow_pickle=False. Nothing in it can run.
An entry that cannot be read or does not fit the file is ignored.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from viewer import __version__
from viewer.io import cache
from viewer.io.file_check import wal_file
from viewer.io.problems import Problem

# Smaller files are read and checked faster than an entry is written.
REMEMBERED_BYTES = 4 << 20
_PROBLEM_FIELDS = ("message", "layer", "row", "column", "severity")


@dataclass
class Remembered:
    """A file's problems (all warnings) and each geometry layer's shapes."""

    problems: list[Problem]
    shapes: dict[str, np.ndarray]    # layer -> a shapely geometry (or None) per row


def entry_key(file_digest: str) -> str:
    """The file's content and the checking code, together."""
    digest = hashlib.sha256(f"{file_digest}|{checking_code_digest()}|{shapely.geos_version_string}".encode())
    return digest.hexdigest()[:40]


def recall(key: str, name: str) -> Remembered | None:
    """The entry under `key` (its problems named as file `name`), or None."""
    try:
        text = (cache.cache_folder() / f"opened-{key}.json").read_text(encoding="utf-8")
        entry = json.loads(text)
        problems = [Problem(name, **dict(zip(_PROBLEM_FIELDS, fields)))
                    for fields in entry["problems"]]
        layers = {str(layer): int(rows) for layer, rows in entry["layers"].items()}
        shapes = _load_shapes(key, entry["wkb_bytes"], entry["shapes"], sum(layers.values()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, shapely.errors.GEOSException):
        return None
    if shapes is None or any(not isinstance(getattr(p, f), (str, type(None)))
                             for p in problems for f in _PROBLEM_FIELDS):
        return None
    cuts = np.cumsum([0, *layers.values()])
    return Remembered(problems, {layer: shapes[cuts[i]:cuts[i + 1]]
                                 for i, layer in enumerate(layers)})


def place_of(path: Path) -> str | None:
    """What names the file at `path` as it is now: its place, and its size and time of
    change and its -wal file's (saves QGIS keeps there leave the file itself as it
    was); None if it cannot be told (the file is gone)."""
    wal = wal_file(path)
    try:
        states = [path.stat()] + ([wal.stat()] if wal.exists() else [])
        parts = [str(path.resolve())] + [f"{state.st_size}|{state.st_mtime_ns}" for state in states]
    except OSError:
        return None
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def seen_before(place: str) -> bool:
    """Whether an entry was stored for the file at `place` (see `place_of`): only then is
    the file's digest, the entry's key, looked up before reading. A file changed
    without changing its size and time is still told apart by its digest."""
    return (cache.cache_folder() / f"seen-opened-{place}.json").is_file()


def remember(place: str, key: str, problems: list[Problem], shapes: dict[str, np.ndarray]) -> None:
    """Store an entry for the file at `place` (in the background: viewer/io/cache.py).
    The entry takes `shapes` over: the dict is emptied once its shapes are being
    written, and each is let go of once written (`_store`)."""
    cache.in_background(_store, cache.cache_folder(), key, problems, shapes, place)


def _store(folder: Path, key: str, problems: list[Problem], shapes: dict[str, np.ndarray],
           place_key: str) -> None:
    layers = {layer: len(s) for layer, s in shapes.items()}
    rows = np.concatenate([np.asarray(s, dtype=object) for s in shapes.values()] or [np.empty(0, object)])
    shapes.clear()
    ids = np.fromiter((id(g) for g in rows), dtype=np.int64, count=len(rows))
    _, first, index = np.unique(ids, return_index=True, return_inverse=True)
    distinct = rows[first]
    del rows
    index = index.reshape(-1).astype(np.int64)
    missing = np.array([g is None for g in distinct], dtype=bool)
    index[missing[index]] = -1
    renumber = np.cumsum(~missing) - 1
    index[index >= 0] = renumber[index[index >= 0]]
    present = distinct[~missing]
    del distinct
    # A chunk at a time, straight into the file (never every shape's WKB in memory:
    # 35 MB at 100x, beside the map being prepared), noting each one's length. Each
    # chunk's shapes are let go of once written: this is then not what keeps them
    # alive in a process that has let go of them itself (a command-line export).
    written: list[int] = []

    def wkb_parts():
        for part in _chunks(present):
            blobs = shapely.to_wkb(part)
            part[:] = None
            written.extend(len(blob) for blob in blobs)
            yield from blobs

    cache.store_bytes_in_parts("opened-wkb", key, wkb_parts(), folder)
    lengths = np.array(written, dtype=np.int64)
    size = int(lengths.sum())
    cache.store_array("opened-shapes", key, np.concatenate([lengths, index]), folder)
    entry = {"problems": [[getattr(p, f) for f in _PROBLEM_FIELDS] for p in problems],
             "layers": layers,
             "wkb_bytes": size, "shapes": len(present)}
    cache.store_text("opened", key, json.dumps(entry), folder)   # it makes the entry whole
    cache.store_text("seen-opened", place_key, "", folder)   # its name is what counts


def _load_shapes(key: str, wkb_bytes: int, count: int, rows: int) -> np.ndarray | None:
    """Each row's shape (rows sharing one share the object), or None if the arrays
    are missing or do not fit each other."""
    wkb = cache.load_array("opened-wkb", key, (int(wkb_bytes),))
    numbers = cache.load_array("opened-shapes", key, (int(count) + int(rows),))
    if wkb is None or numbers is None or wkb.dtype != np.uint8 or numbers.dtype != np.int64:
        return None
    lengths, index = numbers[:count], numbers[count:]
    if (lengths < 0).any() or lengths.sum() != len(wkb) or ((index < -1) | (index >= count)).any():
        return None
    starts = np.concatenate([[0], np.cumsum(lengths)]).tolist()
    distinct = np.empty(count + 1, dtype=object)    # the last, None, for index -1
    for part in _chunks(np.arange(count)):
        blobs = np.array([wkb[starts[i]:starts[i + 1]].tobytes() for i in part.tolist()], dtype=object)
        distinct[part] = shapely.from_wkb(blobs, on_invalid="raise")
    return distinct[index]


def _chunks(items: np.ndarray, size: int = 256):
    return (items[start:start + size] for start in range(0, len(items), size))


_code: str | None = None
# The code whose verdict an entry keeps: the reader, its repairs, the format's rules.
_CHECKING_CODE = ("io/reader.py", "io/gpkg_read.py", "io/columns.py", "io/shapes.py", "io/star_rings.py",
                  "io/repair.py", "io/row_checks.py", "io/file_check.py", "io/opened.py",
                  "model/schema.py", "model/briefing.py", "model/dates.py")


def checking_code_digest() -> str:
    """The checking code's own digest: a change to any check makes every entry stale.
    (A frozen bundle has no sources to read: its version stands for its code.)"""
    global _code
    if _code is None:
        package = Path(__file__).resolve().parents[1]
        digest = hashlib.sha256(__version__.encode())
        for name in _CHECKING_CODE:
            try:
                digest.update((package / name).read_bytes())
            except OSError:
                pass
        _code = digest.hexdigest()
    return _code
