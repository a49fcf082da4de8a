"""Read and validate a briefing GeoPackage into a `Dataset`.

Every problem found is collected (not just the first), each naming the file,
layer, row and column; a file with any error opens nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from viewer.io import gpkg_read, opened
from viewer.io.file_check import check_header, check_structure, open_read_only
from viewer.io.problems import DatasetError, Problem, errors_in
from viewer.io.repair import MAX_CROSSINGS, repair, too_tangled
from viewer.io.shapes import SharedShapes
from viewer.memory import release_free_memory
from viewer.model.schema import (COLOR, DATE_COLUMNS, ENUMS, GEOMETRY_OPTIONAL, GEOMETRY_TYPES,
                              ID_COLUMN, NULLABLE_REQUIRED, REFERENCES, REQUIRED_COLUMNS,
                              SOURCED_LAYERS)
from viewer.model.briefing import briefings_from_frames
from viewer.model.dataset import Dataset, split_ids
from viewer.model.dates import parse_date

Progress = Callable[[str, float], None]
# Dates the timeline and pandas can hold with room to spare (pandas stops at 1677
# and 2262; the timeline pads its range): a file's dates must fall in these years.
EARLIEST, LATEST = dt.date(1700, 1, 1), dt.date(2199, 12, 31)
META_DATES = ("time_start", "time_end", "default_date")


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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Geometry layers are read at least this many rows, about this much WKB, at a time
# (see DatasetReader._read_shapes).
READ_SLICE_ROWS = 500
READ_SLICE_BYTES = 16 << 20


class DatasetReader:
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
        self._bad_text: list[tuple[str, int, str]] = []  # (layer, row position, column)
        self._damaged: list[tuple[str, int, str]] = []   # (layer, row position, why)
        self._digest = ""

    def problem(self, message: str, layer: str | None = None, row: str | None = None,
                column: str | None = None, severity: str = "error") -> None:
        self.problems.append(Problem(self.name, message, layer, row, column, severity))

    # -- the steps --------------------------------------------------------
    def load(self) -> Dataset:
        self.progress("Checking file", 0.0)
        self.problems += check_header(self.path)
        self._stop_on_errors()
        self._digest = file_sha256(self.path)
        key = opened.entry_key(self._digest) if self.path.stat().st_size >= opened.REMEMBERED_BYTES else None
        found = opened.recall(key, self.name) if key else None
        # An entry is only written for bytes that passed every check: the same bytes
        # need not be checked page by page again (100x second open: read 0.71-0.91 -> 0.63-0.75 s).
        if found is not None and self._recall(found):
            return self._dataset()
        self.problems += check_structure(self.path)
        self._stop_on_errors()
        from_file = len(self.problems)
        self._read_layers()
        dataset = self.checked()
        if key:
            opened.remember(key, self.problems[from_file:],
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
        self.frames, self._bad_text = frames, []   # its warnings are among the problems found
        self.problems += found.problems
        return True

    def checked(self) -> Dataset:
        """The dataset from `self.frames`, or DatasetError naming every problem."""
        self._stop_on_errors()
        self.progress("Checking rows", 0.7)
        for layer in REQUIRED_COLUMNS:
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
        for layer, position, column in self._bad_text:
            if layer in self.frames:
                self.problem("text is not valid UTF-8; the unreadable bytes are shown as \ufffd",
                             layer, self.row_ids(layer)[position], column, severity="warning")
        for layer, position, why in self._damaged:
            if layer in self.frames:
                self.problem(f"geometry is damaged: {why}", layer, self.row_ids(layer)[position],
                             "geometry")
        for layer, columns in REQUIRED_COLUMNS.items():
            frame = self.frames.get(layer)
            for column in columns if frame is not None else ():
                if column not in frame.columns:
                    self.problem("required column is missing", layer, column=column)

    def _read_layer(self, db: sqlite3.Connection, layer: gpkg_read.Layer) -> pd.DataFrame | None:
        try:
            frame = self._read_attributes(db, layer)
            if layer.geometry_column is None:
                return frame
            shapes = self._read_shapes(db, layer)
            if "POLYGON" in layer.geometry_type:
                self.shapes.check_validity_soon(shapes)
            if len(shapes) != len(frame):
                raise ValueError(f"{len(shapes)} shapes for {len(frame)} rows")
            crs = gpkg_read.crs_of(db, layer.srs_id)
        except Exception as error:  # noqa: BLE001 — SQLite, the CRS and a damaged file raise several types
            self.problem(f"cannot be read: {error}", layer.table)
            return None
        return self.to_wgs84(layer.table, gpd.GeoDataFrame(frame, geometry=shapes, crs=crs))

    def _read_attributes(self, db: sqlite3.Connection, layer: gpkg_read.Layer) -> pd.DataFrame:
        """The layer's columns; text that is not UTF-8 is read with the bad bytes
        replaced by U+FFFD, and a warning names each such cell."""
        frame, bad = gpkg_read.read_attributes(db, layer)
        self._bad_text += [(layer.table, row, column) for row, column in bad]
        return frame

    def _read_shapes(self, db: sqlite3.Connection, layer: gpkg_read.Layer) -> np.ndarray:
        """The layer's shapes, decoded by `self.shapes` a batch of rows at a time (one
        batch's blobs in memory, not the whole layer's): READ_SLICE_ROWS rows first,
        then about READ_SLICE_BYTES of blobs a batch. A blob that is not a geometry
        is an error naming its row (the row reads as having no shape)."""
        slices, start, rows = [], 0, READ_SLICE_ROWS
        blobs = gpkg_read.geometry_blobs(db, layer)
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
    def row_ids(self, layer: str) -> list[str]:
        if layer not in self._row_ids:
            self._row_ids[layer] = self._name_rows(layer)
        return self._row_ids[layer]

    def _name_rows(self, layer: str) -> list[str]:
        frame = self.frames[layer]
        column = ID_COLUMN.get(layer)
        if column and column in frame.columns:
            values = frame[column].tolist()
            return [str(v) if _present(v) else f"#{i + 1}" for i, v in enumerate(values)]
        if layer == "series" and {"series_id", "date"} <= set(frame.columns):
            return [f"{s}@{_text(d)}" for s, d in zip(frame["series_id"], frame["date"])]
        return [f"#{i + 1}" for i in range(len(frame))]

    def _check_rows(self, layer: str) -> None:
        frame = self.frames.get(layer)
        if frame is None:
            return
        ids = self.row_ids(layer)
        self._check_required_values(layer, frame, ids)
        self._check_unique_ids(layer, frame, ids)
        self._check_dates(layer, frame, ids)
        self._check_enums(layer, frame, ids)
        if layer == "dataset_meta":
            self._check_meta(frame, ids)
        if layer == "actors" and "color" in frame.columns:
            for row, color in zip(ids, frame["color"]):
                if _present(color) and not COLOR.fullmatch(str(color)):
                    self.problem(f"'{color}' is not a colour of the form #RRGGBB",
                                 layer, row, "color")
        if layer == "series" and "value" in frame.columns:
            numbers = pd.to_numeric(frame["value"], errors="coerce")
            for row, value, number in zip(ids, frame["value"], numbers):
                if _present(value) and pd.isna(number):
                    self.problem(f"'{value}' is not a number", layer, row, "value")
        if layer in GEOMETRY_TYPES:
            self._check_geometry(layer, frame, ids)

    def _check_required_values(self, layer: str, frame: pd.DataFrame, ids: list[str]) -> None:
        for column in REQUIRED_COLUMNS[layer]:
            if column not in frame.columns or (layer, column) in NULLABLE_REQUIRED:
                continue
            for position in np.flatnonzero(~_present_mask(frame[column])):
                self.problem("required value is empty", layer, ids[position], column)

    def _check_unique_ids(self, layer: str, frame: pd.DataFrame, ids: list[str]) -> None:
        column = ID_COLUMN.get(layer)
        if not column or column not in frame.columns:
            return
        duplicated = frame[column].duplicated(keep="first") & frame[column].notna()
        for row in np.array(ids, dtype=object)[duplicated.to_numpy()]:
            self.problem("id is used by more than one row", layer, row, column)

    def _check_dates(self, layer: str, frame: pd.DataFrame, ids: list[str]) -> None:
        parsed = {}
        for column in DATE_COLUMNS.get(layer, ()):
            if column not in frame.columns:
                continue
            parsed[column] = self._dates(frame[column], layer, ids, column)
        for start, end in (("valid_from", "valid_to"), ("date", "end_date")):
            if start in parsed and end in parsed:
                strict = start == "valid_from"  # a half-open interval must not be empty
                for row, a, b in zip(ids, parsed[start], parsed[end]):
                    if a and b and (b <= a if strict else b < a):
                        relation = "after" if strict else "on or after"
                        self.problem(f"{b} is not {relation} {start} {a}", layer, row, end)
        self._parsed_dates[layer] = parsed

    def _dates(self, values: pd.Series, layer: str, ids: list[str], column: str) -> list:
        """`_date` of each cell; each distinct value is parsed once (dates repeat:
        every period of a zone starts on a date others share), its problem
        named on every row that holds it."""
        codes, distinct = pd.factorize(values, use_na_sentinel=True)
        found = []
        problems = []
        for value in distinct:
            day, problem = _checked_date(value)
            found.append(day)
            problems.append(problem)
        found.append(None)  # code -1: a null
        for position in np.flatnonzero(codes >= 0):
            if problems[codes[position]]:
                self.problem(problems[codes[position]], layer, ids[position], column)
        return [found[code] for code in codes.tolist()]

    def _date(self, value: object, layer: str, row: str, column: str) -> dt.date | None:
        """The date in a cell, or None (and an error naming the cell) when it is not one
        or lies outside the years the viewer can draw."""
        day, problem = _checked_date(value)
        if problem:
            self.problem(problem, layer, row, column)
        return day

    def _check_meta(self, frame: pd.DataFrame, ids: list[str]) -> None:
        """The dataset's time range and default date: dates, in order, drawable."""
        if "value" not in frame.columns:
            return
        days = {}
        for row, value in zip(ids, frame["value"]):
            if row in META_DATES:
                days[row] = self._date(value, "dataset_meta", row, "value")
        start, end = days.get("time_start"), days.get("time_end")
        if start and end and end < start:
            self.problem(f"time_end {end} is before time_start {start}", "dataset_meta",
                         "time_end", "value")

    def _check_enums(self, layer: str, frame: pd.DataFrame, ids: list[str]) -> None:
        for (enum_layer, column), allowed in ENUMS.items():
            if enum_layer != layer or column not in frame.columns:
                continue
            values = frame[column]
            for position in np.flatnonzero(_present_mask(values) & ~values.isin(allowed).to_numpy()):
                self.problem(f"'{values.iloc[position]}' is not one of {', '.join(allowed)}",
                             layer, ids[position], column)

    def _check_geometry(self, layer: str, frame: pd.DataFrame, ids: list[str]) -> None:
        if not isinstance(frame, gpd.GeoDataFrame):
            if layer not in GEOMETRY_OPTIONAL:
                self.problem("has no geometry column", layer, column="geometry")
            return
        geoms = frame.geometry.array
        missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        allowed = GEOMETRY_TYPES[layer]
        types = shapely.get_type_id(geoms)
        names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                          "MultiLineString", "MultiPolygon", "GeometryCollection"])
        fillable = layer == "control" and "area_id" in frame.columns
        damaged = {position for name, position, _why in self._damaged if name == layer}
        for i in np.flatnonzero(missing):
            if fillable and _present(frame["area_id"].iloc[i]) or i in damaged:
                continue  # drawn with its area's shape; or reported as damaged
            if layer not in GEOMETRY_OPTIONAL:
                self.problem("geometry is empty", layer, ids[i], "geometry")
        for i in np.flatnonzero(~missing):
            if names[types[i]] not in allowed:
                self.problem(f"geometry is {names[types[i]]}, expected {' or '.join(allowed)}",
                             layer, ids[i], "geometry")
        bad = self._check_coordinates(layer, frame, ids, missing)
        if GEOMETRY_TYPES[layer][0] == "Polygon":
            self._repair_polygons(layer, frame, ids, ~missing & ~bad)

    def _check_coordinates(self, layer: str, frame: gpd.GeoDataFrame, ids: list[str],
                           missing: np.ndarray) -> np.ndarray:
        """Rows whose coordinates are off the globe or not numbers; each is an error."""
        geoms = frame.geometry.array
        not_numbers = ~missing & ~self.shapes.all_finite(geoms)
        bounds = shapely.bounds(geoms)
        with np.errstate(invalid="ignore"):
            outside = ~missing & ~not_numbers & ((bounds[:, 0] < -180) | (bounds[:, 2] > 180)
                                                 | (bounds[:, 1] < -90) | (bounds[:, 3] > 90))
        for i in np.flatnonzero(not_numbers):
            self.problem("coordinates are not numbers (NaN or infinite)", layer, ids[i], "geometry")
        for i in np.flatnonzero(outside):
            self.problem("coordinates are outside longitude -180..180 / latitude -90..90",
                         layer, ids[i], "geometry")
        return outside | not_numbers

    def _repair_polygons(self, layer: str, frame: gpd.GeoDataFrame, ids: list[str],
                         candidates: np.ndarray) -> None:
        """Repair the invalid polygons among `candidates` (a warning each); refuse
        those too tangled to repair in bounded time and memory (an error each)."""
        invalid = candidates & ~self.shapes.is_valid(frame.geometry.array)
        for i in np.flatnonzero(invalid):
            shape = frame.geometry.iloc[i]
            if too_tangled(shape):
                invalid[i] = False
                self.problem(f"polygon's edges cross each other more than {MAX_CROSSINGS} times: "
                             "too tangled to repair; simplify or redraw it", layer, ids[i], "geometry")
            else:
                self.problem(f"invalid polygon ({shapely.is_valid_reason(shape)}), repaired",
                             layer, ids[i], "geometry", severity="warning")
        if invalid.any():
            frame.loc[invalid, frame.geometry.name] = repair(frame.geometry.array[invalid])

    def _check_base_layer(self, layer: str) -> None:
        """A base_* layer (any geometry, drawn as background) gets the same coordinate
        checks and polygon repair as the briefing layers."""
        frame = self.frames[layer]
        if not isinstance(frame, gpd.GeoDataFrame):
            return
        geoms = frame.geometry.array
        ids = self.row_ids(layer)
        missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        bad = self._check_coordinates(layer, frame, ids, missing)
        polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
        self._repair_polygons(layer, frame, ids, polygonal & ~missing & ~bad)

    # -- cross-layer checks -----------------------------------------------
    def _known_ids(self, layer: str, column: str) -> set[str]:
        frame = self.frames.get(layer)
        if frame is None or column not in frame.columns:
            return set()
        return {str(v) for v in frame[column] if _present(v)}

    def _check_references(self) -> None:
        for (layer, column), (target, target_column, is_list) in REFERENCES.items():
            self._check_reference(layer, column, self._known_ids(target, target_column),
                                  target, is_list)
        source_ids = self._known_ids("sources", "source_id")
        for layer in SOURCED_LAYERS:
            self._check_reference(layer, "source_ids", source_ids, "sources", True)

    def _check_reference(self, layer: str, column: str, known: set[str], target: str,
                         is_list: bool) -> None:
        frame = self.frames.get(layer)
        if frame is None or column not in frame.columns or target not in self.frames:
            return
        codes, distinct = pd.factorize(frame[column], use_na_sentinel=True)
        # Each distinct cell is split once (a source list repeats on many rows).
        unknown = [[ref for ref in (split_ids(v) if is_list else [str(v)] if _present(v) else [])
                    if ref not in known] for v in distinct]
        ids = self.row_ids(layer)
        for position in np.flatnonzero(codes >= 0):
            for ref in unknown[codes[position]]:
                self.problem(f"'{ref}' is not a known id in layer '{target}'",
                             layer, ids[position], column)

    def _check_control_overlaps(self) -> None:
        frame = self.frames.get("control")
        if frame is None or "area_id" not in frame.columns:
            return
        parsed = self._parsed_dates.get("control", {})
        if "valid_from" not in parsed:
            return
        ids = self.row_ids("control")
        ends = parsed.get("valid_to", [None] * len(frame))
        drawn = _not_retracted(frame)
        rows = sorted((area, start, end or _FAR, row) for area, start, end, row, keep
                      in zip(frame["area_id"], parsed["valid_from"], ends, ids, drawn)
                      if _present(area) and start and keep)
        for (area_a, _, end_a, row_a), (area_b, start_b, _, row_b) in zip(rows, rows[1:]):
            if area_a == area_b and start_b < end_a:
                self.problem(f"period overlaps row {row_a} for area '{area_a}' "
                             f"(one holder per area at a time; use status=contested)",
                             "control", row_b, "valid_from")

    # -- result -----------------------------------------------------------
    def identity(self) -> str:
        """What names this exact content (caches are keyed by it): the file's digest."""
        return self._digest

    def _dataset(self) -> Dataset:
        frames = self.frames
        meta = {str(k): "" if not _present(v) else str(v)
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
            sha256=self.identity(),
        )
        dataset.warnings = [p for p in self.problems if p.severity == "warning"]
        self.progress("Done", 1.0)
        return dataset


_FAR = pd.Timestamp.max.date()


def _checked_date(value: object) -> tuple[dt.date | None, str]:
    """(the date in a cell or None, the problem with it or ""): not a date, or
    outside the years the viewer can draw."""
    try:
        day = parse_date(value)
    except (ValueError, OverflowError):
        return None, f"'{value}' is not a date (YYYY-MM-DD)"
    if day is not None and not EARLIEST <= day <= LATEST:
        return None, f"{day} is outside the years {EARLIEST.year}-{LATEST.year} this viewer can show"
    return day, ""


def _not_retracted(frame: pd.DataFrame) -> np.ndarray:
    """Rows not marked `retracted` (a retracted row no longer claims its period)."""
    if "retracted" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    return pd.to_numeric(frame["retracted"], errors="coerce").fillna(0).to_numpy() == 0


def _present_mask(values: pd.Series) -> np.ndarray:
    """`_present` of each cell, by column: not null, and not blank text."""
    present = ~values.isna().to_numpy()
    if values.dtype == object:
        blank = values.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
        present &= ~blank
    return present


def _present(value: object) -> bool:
    if value is None or value is pd.NaT:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    return not (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    try:
        parsed = parse_date(value)
    except ValueError:
        return str(value)
    return parsed.isoformat() if parsed else "?"


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
