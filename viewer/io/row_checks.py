"""The checks a reader runs over every row it read (`RowChecks`, a part of
`DatasetReader`): required values, unique ids, dates, enumerations, geometry,
references between layers and overlapping holdings. Each problem names the
file, layer, row and column.
"""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from viewer.io.repair import MAX_CROSSINGS, repair, too_tangled
from viewer.model.dataset import split_ids
from viewer.model.dates import checked_date, parse_date
from viewer.model.schema import (CHECKED_COLUMNS, CHECKED_DATE_COLUMNS, COLOR, ENUMS,
                                 GEOMETRY_OPTIONAL, GEOMETRY_TYPES, ID_COLUMN, META_DATE_ORDER,
                                 META_DATES, NULLABLE_REQUIRED, REFERENCES, SCHEMA_VERSION,
                                 SOURCED_LAYERS, importance_problem)


# The dataset_meta keys the format lists that change what is shown when missing, and
# what is shown instead (a file without them opened without a word: a PNG titled by the
# file's name, crediting no one).
META_NEEDED = {"title": "the file's name is shown as its title",
               "time_start": "the range starts at the earliest dated fact",
               "time_end": "the range ends at the latest dated fact (or today)",
               "license": "maps and handouts give no licence",
               "attribution": "maps and handouts credit no one",
               "schema_version": f"read as version {SCHEMA_VERSION}"}


class RowChecks:
    """The row checks of `DatasetReader` (viewer/io/reader.py), which holds the
    frames, the rows' parsed dates and `problem()`."""

    def row_ids(self, layer: str) -> list[str]:
        if layer not in self._row_ids:
            self._row_ids[layer] = self._name_rows(layer)
        return self._row_ids[layer]

    def _name_rows(self, layer: str) -> list[str]:
        frame = self.frames[layer]
        column = ID_COLUMN.get(layer)
        if column and column in frame.columns:
            values = frame[column].tolist()
            return [str(v) if is_present(v) else f"#{i + 1}" for i, v in enumerate(values)]
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
        self._check_finite(layer, frame, ids)
        if layer == "dataset_meta":
            self._check_meta(frame, ids)
        if layer == "actors" and "color" in frame.columns:
            for row, color in zip(ids, frame["color"]):
                if is_present(color) and not COLOR.fullmatch(str(color)):
                    self.problem(f"'{color}' is not a colour of the form #RRGGBB",
                                 layer, row, "color")
        if layer == "events" and "importance" in frame.columns:
            self._check_importance(frame["importance"], ids)
        if layer == "series" and "value" in frame.columns:
            numbers = pd.to_numeric(frame["value"], errors="coerce")
            for row, value, number in zip(ids, frame["value"], numbers):
                if is_present(value) and pd.isna(number):
                    self.problem(f"'{value}' is not a number", layer, row, "value")
        if layer in GEOMETRY_TYPES:
            self._check_geometry(layer, frame, ids)

    def _check_importance(self, values: pd.Series, ids: list[str]) -> None:
        """An importance the key-event packs would rank by (99, 2.7) though no edit may write it."""
        for row, value in zip(ids, values):
            problem = is_present(value) and importance_problem(value)
            if problem:
                self.problem(problem, "events", row, "importance")

    def _check_finite(self, layer: str, frame: pd.DataFrame, ids: list[str]) -> None:
        """SQLite keeps an infinity in a REAL column (a volume, a series value); no map or
        chart can draw one (a route's width from it broke every frame showing it)."""
        for column in frame.columns:
            if frame[column].dtype.kind == "f":
                for position in np.flatnonzero(np.isinf(frame[column].to_numpy())):
                    self.problem(f"{frame[column].iloc[position]} is not a finite number",
                                 layer, ids[position], column)

    def _check_required_values(self, layer: str, frame: pd.DataFrame, ids: list[str]) -> None:
        for column in CHECKED_COLUMNS[layer]:
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
        for column in CHECKED_DATE_COLUMNS.get(layer, ()):
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
            day, problem = checked_date(value)
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
        day, problem = checked_date(value)
        if problem:
            self.problem(problem, layer, row, column)
        return day

    def _check_meta(self, frame: pd.DataFrame, ids: list[str]) -> None:
        """The dataset's dates (its time range, default date, data_current_to and focus
        period): dates, in order, drawable. A bad one was dropped unsaid: the 'Data current
        to' mark vanished, or one before time_start shaded the whole timeline."""
        if "value" not in frame.columns:
            return
        days = {}
        for row, value in zip(ids, frame["value"]):
            if row in META_DATES:
                days[row] = self._date(value, "dataset_meta", row, "value")
        given = {row for row, value in zip(ids, frame["value"]) if is_present(value) and str(value).strip()}
        for key, instead in META_NEEDED.items():
            if key not in given:
                self.problem(f"no {key} is given: {instead}", "dataset_meta", key, "value",
                             severity="warning")
        for first, then in META_DATE_ORDER:
            start, end = days.get(first), days.get(then)
            if start and end and end < start:
                self.problem(f"{then} {end} is before {first} {start}", "dataset_meta",
                             then, "value")
        current_to, end = days.get("data_current_to"), days.get("time_end")
        if current_to and end and current_to >= end:   # time_end is the first day after the range
            self.problem(f"data_current_to {current_to} is not inside the time range (time_end "
                         f"{end} is the day after its last): the timeline ends before the facts do",
                         "dataset_meta", "data_current_to", "value", severity="warning")
        self._check_schema_version(dict(zip(ids, frame["value"])).get("schema_version"))

    def _check_schema_version(self, version: object) -> None:
        """A warning, not an error: a later version's file still opens, without what it added."""
        if is_present(version) and str(version).strip() != SCHEMA_VERSION:
            self.problem(f"schema_version '{version}' is not {SCHEMA_VERSION}, the version this "
                         "viewer reads: what a later version added may not be shown",
                         "dataset_meta", "schema_version", "value", severity="warning")

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
            if fillable and is_present(frame["area_id"].iloc[i]) or i in damaged:
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
        return {str(v) for v in frame[column] if is_present(v)}

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
        unknown = [[ref for ref in (split_ids(v) if is_list else [str(v)] if is_present(v) else [])
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
                      if is_present(area) and start and keep)
        for (area_a, _, end_a, row_a), (area_b, start_b, _, row_b) in zip(rows, rows[1:]):
            if area_a == area_b and start_b < end_a:
                self.problem(f"period overlaps row {row_a} for area '{area_a}' "
                             f"(one holder per area at a time; use status=contested)",
                             "control", row_b, "valid_from")
        self._check_gaps_against(rows)

    def _check_gaps_against(self, holdings: list[tuple]) -> None:
        """A `control_gaps` period says no source names a holder: the format allows it on
        no day a control row holds (a file made in QGIS may have both; QGIS would draw the
        zone twice, this viewer only as held). A warning: what the map shows is decided."""
        frame = self.frames.get("control_gaps")
        if frame is None or not {"area_id", "valid_from"} <= set(frame.columns):
            return
        ids = self.row_ids("control_gaps")
        parsed = self._parsed_dates["control_gaps"]   # by _check_dates, which named bad ones
        starts, ends = parsed["valid_from"], parsed.get("valid_to", [None] * len(frame))
        by_area: dict[str, list[tuple]] = {}
        for area, start, end, row in holdings:
            by_area.setdefault(str(area).strip(), []).append((start, end, row))
        for area, start, end, row in zip(frame["area_id"], starts, ends, ids):
            if not (is_present(area) and start):
                continue
            clash = next((held for held in by_area.get(str(area).strip(), ())
                          if held[0] < (end or _FAR) and start < held[1]), None)
            if clash is not None:
                self.problem(f"this 'no sourced control' period overlaps control row {clash[2]} "
                             f"for area '{area}' (a day is either held or a gap, never both)",
                             "control_gaps", row, "valid_from", severity="warning")


_FAR = pd.Timestamp.max.date()


def _not_retracted(frame: pd.DataFrame) -> np.ndarray:
    """Rows not marked `retracted` (a retracted row no longer claims its period)."""
    if "retracted" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    return pd.to_numeric(frame["retracted"], errors="coerce").fillna(0).to_numpy() == 0


def _present_mask(values: pd.Series) -> np.ndarray:
    """`is_present` of each cell, by column: not null, and not blank text. Text columns
    are read as pandas' string dtype, not object (pandas 3): both are looked through."""
    present = ~values.isna().to_numpy()
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
        present &= ~np.fromiter((isinstance(v, str) and not v.strip() for v in values.to_numpy(object)),
                                dtype=bool, count=len(values))
    return present


def _text(value: object) -> str:
    try:
        parsed = parse_date(value)
    except ValueError:
        return str(value)
    return parsed.isoformat() if parsed else "?"


def is_present(value: object) -> bool:
    """Not null, and not blank text."""
    if value is None or value is pd.NaT:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    return not (isinstance(value, str) and not value.strip())
