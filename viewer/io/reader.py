"""Read and validate a briefing GeoPackage into a `Dataset`.

Every problem found is collected (not just the first), each naming the file,
layer, row and column; a file with any error opens nothing. The checks run over
the rows are in viewer/io/row_checks.py.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from concurrent.futures import Future
from contextlib import closing
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from viewer.io import gpkg_read, opened
from viewer.io.file_check import check_header, check_pages, check_tables, open_read_only, wal_file
from viewer.io.file_state import saved_state
from viewer.io.problems import DatasetError, Problem, errors_in
from viewer.io.row_checks import RowChecks, is_present
from viewer.io.shapes import SharedShapes
from viewer.memory import release_free_memory
from viewer.model.schema import CHECKED_COLUMNS, REQUIRED_COLUMNS
from viewer.model.briefing import briefings_from_frames
from viewer.model.dataset import Dataset

Progress = Callable[[str, float], None]


def read_dataset(path: str | os.PathLike, progress: Progress | None = None) -> Dataset:
    """Load `path`; raise DatasetError listing every problem if it has errors."""
    reader = DatasetReader(Path(path), progress or (lambda _text, _fraction: None))
    dataset = reader.load()
    del reader
    # The reader's scratch memory (the blobs read, decoded WKB, the checks' arrays) is
    # free now, but glibc would keep it in its heaps: about 100 MB at 100x.
    release_free_memory()
    return dataset


def validate(path: str | os.PathLike) -> list[Problem]:
    """Every problem in `path`, errors and warnings; empty when clean."""
    try:
        return list(read_dataset(path).warnings)
    except DatasetError as error:
        return error.problems


def _on_a_thread(work: Callable, *args) -> Future:
    """`work(*args)` started on a thread of its own; its result (or exception) in the Future.
    A daemon thread, not a ThreadPoolExecutor's (joined at exit): hashing a refused
    file of gigabytes must not hold up the command or the window closing."""
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(work(*args))
        except BaseException as error:  # noqa: BLE001 — raised again by future.result()
            future.set_exception(error)

    threading.Thread(target=run, name="kachin-viewer-file-check", daemon=True).start()
    return future


def file_digests(path: Path) -> tuple[str, str]:
    """The SHA-256 of the file (the dataset's identity, as `sha256sum` gives it), and of
    the file and its -wal file after it, where it has one: a program editing it in WAL
    mode (QGIS) keeps its saves there until it closes the file, SQLite reads them, and
    what the reading found is stored under that second digest."""
    digest = hashlib.sha256()
    _hash_into(digest, path)
    alone = digest.hexdigest()
    try:
        _hash_into(digest, wal_file(path))
    except FileNotFoundError:
        pass
    return alone, digest.hexdigest()


def _hash_into(digest, path: Path) -> None:
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)


# Geometry layers are read at least this many rows, about this much WKB, at a time
# (see DatasetReader._read_shapes).
READ_SLICE_ROWS = 500
READ_SLICE_BYTES = 16 << 20


class DatasetReader(RowChecks):
    """Reads a GeoPackage's layers into frames, then checks them (`checked`).

    A reader of another store (PostGIS) overrides `load` to fetch the frames
    and runs the same `checked` over them.
    """

    def __init__(self, path: Path | None, progress: Progress, name: str | None = None) -> None:
        self.path = path
        self.name = name or str(path)
        self.progress = progress
        self.problems: list[Problem] = []
        self.frames: dict[str, pd.DataFrame] = {}
        self._row_ids: dict[str, list[str]] = {}
        # Per layer, per date column: the parsed dates. Kept here, not in frame.attrs,
        # which pandas deep-copies into every frame derived from it (each control_on()).
        self._parsed_dates: dict[str, dict[str, list]] = {}
        self.shapes = SharedShapes()
        self._bad_cells: list[tuple[str, gpkg_read.CellProblem]] = []  # (layer, problem)
        self._damaged: list[tuple[str, int, str]] = []   # (layer, row position, why)
        self._digest = ""
        self._file_state = None   # a file's saved state as its read began

    def problem(self, message: str, layer: str | None = None, row: str | None = None,
                column: str | None = None, severity: str = "error") -> None:
        self.problems.append(Problem(self.name, message, layer, row, column, severity))

    # -- the steps --------------------------------------------------------
    def load(self) -> Dataset:
        self.progress("Checking file", 0.0)
        self.problems += check_header(self.path)
        self._stop_on_errors()
        self._file_state = saved_state(self.path)
        # The file's digest and SQLite's check of its pages each read the whole file
        # in C, letting other threads run: they go on beside the reading of the layers
        # (100x: 0.2-0.6 s of the read's own time), unless an entry this file may have
        # is looked up first (keyed by the digest).
        digests = _on_a_thread(file_digests, self.path)
        large = self.path.stat().st_size >= opened.REMEMBERED_BYTES
        place = opened.place_of(self.path) if large else None
        if place is not None and opened.seen_before(place):
            found = opened.recall(opened.entry_key(digests.result()[1]), self.name)
            # An entry is only written for bytes that passed every check: the same bytes
            # need not be checked page by page again (100x second open: read 0.71-0.91 -> 0.63-0.75 s).
            if found is not None and self._recall(found):
                self._digest = digests.result()[0]
                return self._dataset()
        pages = _on_a_thread(check_pages, self.path)
        tables = check_tables(self.path)
        if tables:   # a damaged page, where there is one, is the file's problem rather than what it broke
            self.problems += pages.result() or tables
            self._stop_on_errors()
        from_file = len(self.problems)
        self._read_layers()
        damaged = pages.result()
        if damaged:   # that, not what reading the damaged pages met, is the file's problem
            self.problems[from_file:] = damaged
            self._stop_on_errors()
        self._digest, with_wal = digests.result()
        dataset = self.checked()
        if place:
            opened.remember(place, opened.entry_key(with_wal), self.problems[from_file:],
                            {layer: np.asarray(frame.geometry.array, dtype=object)
                             for layer, frame in self.frames.items()
                             if isinstance(frame, gpd.GeoDataFrame)})
        return dataset

    def _recall(self, found: opened.Remembered) -> bool:
        """Take the shapes and problems of this file's last reading (viewer/io/opened.py)
        and read only its attributes (quick); False if they do not fit the file."""
        try:
            with closing(self._open()) as db:
                layers = gpkg_read.layers(db)
                frames = {}
                for layer in layers:
                    frames[layer.table] = frame = self._read_attributes(db, layer)
                    shapes = found.shapes.get(layer.table)
                    if shapes is not None:
                        if len(shapes) != len(frame):
                            return False
                        frames[layer.table] = gpd.GeoDataFrame(frame, geometry=shapes, crs=4326)
        except Exception:  # noqa: BLE001 — the whole reading below reports it properly
            return False
        if not set(found.shapes) <= set(frames):
            return False
        self.frames, self._bad_cells = frames, []   # its cells' problems are among those found
        self.problems += found.problems
        return True

    def checked(self) -> Dataset:
        """The dataset from `self.frames`, or DatasetError naming every problem."""
        self._stop_on_errors()
        self.progress("Checking rows", 0.7)
        for layer in CHECKED_COLUMNS:   # an optional layer the file lacks is passed over
            self._check_rows(layer)
        for layer in [name for name in self.frames if name.startswith("base_")]:
            self._check_base_layer(layer)
        self._check_references()
        self._check_control_overlaps()
        briefings_from_frames(self.frames, self.problem)  # checked here, read by the Dataset
        self._stop_on_errors()
        self.progress("Preparing", 0.9)
        return self._dataset()

    def _stop_on_errors(self) -> None:
        if errors_in(self.problems):
            raise DatasetError(self.problems)

    def _open(self) -> sqlite3.Connection:
        db = open_read_only(self.path)
        # Reading takes as long as the file is large, and is not stopped after the
        # structure check's time limit: the layers that could run a query the file
        # wrote (views, virtual tables) were refused by that check.
        db.set_progress_handler(None, 0)
        db.text_factory = bytes     # text decoded by gpkg_read, each bad cell named
        # One read transaction: every layer's rows and shapes from the same state of
        # the file, even if another program (QGIS, in WAL mode) saves meanwhile.
        db.execute("BEGIN")
        return db

    def _read_layers(self) -> None:
        try:
            with closing(self._open()) as db:
                listed = {layer.table: layer for layer in gpkg_read.layers(db)}
                self.add_layers(list(listed), lambda name: self._read_layer(db, listed[name]))
        except sqlite3.DatabaseError as error:   # damaged where the layers are listed
            self.problem(f"cannot list layers: {error}")

    def add_layers(self, names: list[str], read: Callable[[str], pd.DataFrame | None]) -> None:
        """Read each layer with `read` (None: it could not be read, a problem is noted),
        then note the required layers and columns that are missing."""
        for layer in REQUIRED_COLUMNS:
            if layer not in names:
                self.problem("required layer is missing", layer)
        for index, layer in enumerate(names):
            self.progress(f"Reading {layer}", 0.05 + 0.6 * index / max(len(names), 1))
            frame = read(layer)
            if frame is not None:
                self.frames[layer] = frame
        for layer, cell in self._bad_cells:
            if layer in self.frames:
                self.problem(cell.message, layer, self.row_ids(layer)[cell.row], cell.column,
                             severity=cell.severity)
        for layer, position, why in self._damaged:
            if layer in self.frames:
                self.problem(f"geometry is damaged: {why}", layer, self.row_ids(layer)[position],
                             "geometry")
        for layer, columns in CHECKED_COLUMNS.items():
            frame = self.frames.get(layer)
            for column in columns if frame is not None else ():
                if column not in frame.columns:
                    self.problem("required column is missing", layer, column=column)

    def _read_layer(self, db: sqlite3.Connection, layer: gpkg_read.Layer) -> pd.DataFrame | None:
        try:
            if layer.geometry_column is None:
                return self._read_attributes(db, layer)
            rows = gpkg_read.LayerRows(db, layer)
            shapes = self._read_shapes(rows.blobs, layer)
            frame = self._attributes(layer, rows.attributes())
            if "POLYGON" in layer.geometry_type:
                self.shapes.check_validity_soon(shapes)
            crs = gpkg_read.crs_of(db, layer.srs_id)
        except Exception as error:  # noqa: BLE001 — SQLite, the CRS and a damaged file raise several types
            self.problem(f"cannot be read: {error}", layer.table)
            return None
        return self.to_wgs84(layer.table, gpd.GeoDataFrame(frame, geometry=shapes, crs=crs))

    def _read_attributes(self, db: sqlite3.Connection, layer: gpkg_read.Layer) -> pd.DataFrame:
        """The layer's columns; a problem names each cell read as missing or with its
        bad bytes replaced (gpkg_read.read_attributes)."""
        return self._attributes(layer, gpkg_read.read_attributes(db, layer))

    def _attributes(self, layer: gpkg_read.Layer,
                    read: tuple[pd.DataFrame, list[gpkg_read.CellProblem]]) -> pd.DataFrame:
        frame, problems = read
        self._bad_cells += [(layer.table, cell) for cell in problems]
        return frame

    def _read_shapes(self, blobs: Callable[[int], list], layer: gpkg_read.Layer) -> np.ndarray:
        """The layer's shapes from `blobs(n)` (the next n geometry blobs), decoded by
        `self.shapes` a batch of rows at a time (one batch's blobs in memory, not the
        whole layer's): READ_SLICE_ROWS rows first, then about READ_SLICE_BYTES of blobs
        a batch. A blob that is not a geometry is an error naming its row (the row
        reads as having no shape)."""
        slices, start, rows = [], 0, READ_SLICE_ROWS
        while batch := blobs(rows):
            wkb = np.empty(len(batch), dtype=object)
            for position, blob in enumerate(batch):
                try:
                    wkb[position] = gpkg_read.wkb_of(blob)
                except gpkg_read.DamagedGeometry as error:
                    self._damaged.append((layer.table, start + position, str(error)))
            shapes = self.shapes.decode(wkb, on_invalid="ignore")
            for position in np.flatnonzero(shapely.is_missing(shapes)):
                if wkb[position] is not None:
                    self._damaged.append((layer.table, start + position, "its WKB cannot be read"))
            slices.append(shapes)
            start += len(batch)
            size = sum(len(data) for data in wkb if data is not None)
            rows = max(READ_SLICE_ROWS, int(READ_SLICE_BYTES * len(batch) / max(size, 1)))
        return np.concatenate(slices) if slices else np.empty(0, dtype=object)

    def to_wgs84(self, layer: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
        if frame.crs is None:
            self.problem("has no coordinate system; read as EPSG:4326 (longitude, latitude)",
                         layer, severity="warning")
            return frame.set_crs(4326, allow_override=True)
        try:
            if frame.crs.to_epsg() == 4326:
                return frame
            converted = frame.to_crs(4326)
        except pyproj.exceptions.ProjError as error:  # srs_id -1, an unknown or broken definition
            self.problem(f"its coordinate system ({frame.crs.name}) cannot be converted to "
                         f"longitude/latitude: {error}", layer, column="geometry")
            return None
        self.problem(f"is in {frame.crs.to_string()}, reprojected to EPSG:4326",
                     layer, severity="warning")
        return converted

    # -- row checks -------------------------------------------------------
    # -- result -----------------------------------------------------------
    def identity(self) -> str:
        """What names this exact content (caches are keyed by it): the file's digest."""
        return self._digest

    def _dataset(self) -> Dataset:
        frames = self.frames
        meta = {str(k): "" if not is_present(v) else str(v)
                for k, v in zip(frames["dataset_meta"]["key"], frames["dataset_meta"]["value"])}
        areas = _geo(frames["areas"])
        control = _fill_area_geometry(_geo(frames["control"]), areas)
        known = set(REQUIRED_COLUMNS)
        dataset = Dataset(
            path=self.path, meta=meta,
            sources=frames["sources"], actors=frames["actors"],
            places=_geo(frames["places"]), areas=areas, control=control,
            flows=_geo(frames["flows"]), events=_geo(frames["events"]),
            series=frames["series"],
            base_layers={k: v for k, v in frames.items()
                         if k.startswith("base_") and isinstance(v, gpd.GeoDataFrame)},
            extra_layers={k: v for k, v in frames.items()
                          if k not in known and not k.startswith("base_")},
            sha256=self.identity(), file_state=self._file_state,
        )
        dataset.warnings = [p for p in self.problems if p.severity == "warning"]
        self.progress("Done", 1.0)
        return dataset


def _geo(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    if isinstance(frame, gpd.GeoDataFrame):
        return frame
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([None] * len(frame), crs=4326),
                            crs=4326)


def _fill_area_geometry(control: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rows that name an area but carry no shape are drawn with the area's shape."""
    if "area_id" not in control.columns or len(control) == 0:
        return control
    empty = control.geometry.isna() | control.geometry.is_empty
    if not empty.any():
        return control
    shapes = dict(zip(areas["area_id"], areas.geometry))
    control = control.copy()
    control.loc[empty, control.geometry.name] = control.loc[empty, "area_id"].map(shapes)
    return control
