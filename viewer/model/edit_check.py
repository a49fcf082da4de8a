"""Check row changes against the format, with the reader's rules (viewer.model.schema).

The reader checks a whole file at once (vectorised); an edit touches a few rows,
so these checks look at those rows only, in the dataset as it would be after
the edit: required values, dates and intervals, allowed values, colours,
references (sources included), geometry type, and one holder per zone a day.
The first problem found is raised as `EditRefused(field, reason)`.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Mapping, Sequence

import pandas as pd
import shapely

from viewer.model.changes import INSERT, RETRACTED, EditRefused, RowChange
from viewer.model.dataset import Dataset, split_ids
from viewer.model.dates import checked_date, parse_date
from viewer.model.edit_apply import layer_frame, row_position, with_changes
from viewer.model.schema import (CHECKED_COLUMNS, CHECKED_DATE_COLUMNS, COLOR, ENUMS,
                                 GEOMETRY_OPTIONAL, GEOMETRY_TYPES, META_DATES, NULLABLE_REQUIRED,
                                 REFERENCES, SOURCED_LAYERS, importance_problem)


def check_changes(dataset: Dataset, changes: Sequence[RowChange]) -> Dataset:
    """Raise EditRefused if `changes` would break the format; else the dataset after them."""
    for change in changes:
        _check_target(dataset, change)
    after = with_changes(dataset, changes)
    for change in changes:
        if change.after is not None and not change.after.get(RETRACTED):
            _check_row(after, change.layer, change.after)
        if change.action == INSERT:
            _check_geometry(change)
    _check_one_holder(after, changes)
    return after


def _check_target(dataset: Dataset, change: RowChange) -> None:
    try:
        frame = layer_frame(dataset, change.layer)
    except KeyError:
        raise EditRefused("layer", f"'{change.layer}' is not a layer of this dataset") from None
    exists = row_position(frame, change.layer, change.row_id) is not None
    if change.action == INSERT and exists:
        raise EditRefused("id", f"'{change.row_id}' is already used in layer '{change.layer}'")
    if change.action != INSERT and not exists:
        raise EditRefused("id", f"'{change.row_id}' is not a row of layer '{change.layer}'")


def _check_row(dataset: Dataset, layer: str, row: Mapping[str, object]) -> None:
    if layer in SOURCED_LAYERS and not split_ids(row.get("source_ids")):
        raise EditRefused("source_ids", "every fact needs at least one source")
    for column in CHECKED_COLUMNS.get(layer, ()):
        if (layer, column) not in NULLABLE_REQUIRED and not _present(row.get(column)):
            raise EditRefused(column, "required value is empty")
    dates = {}
    for column in CHECKED_DATE_COLUMNS.get(layer, ()):
        # The reader's own bounds: a year 0001 was written, and the file then refused to open.
        dates[column], problem = checked_date(row.get(column))
        if problem:
            raise EditRefused(column, problem)
    if layer == "dataset_meta" and row.get("key") in META_DATES:
        problem = checked_date(row.get("value"))[1]
        if problem:
            raise EditRefused(str(row["key"]), problem)
    _check_interval(dates)
    for column, value in row.items():   # SQLite keeps an infinity; no map can draw one
        if isinstance(value, float) and math.isinf(value):
            raise EditRefused(column, f"{value} is not a finite number")
    for (enum_layer, column), allowed in ENUMS.items():
        value = row.get(column)
        if enum_layer == layer and _present(value) and value not in allowed:
            raise EditRefused(column, f"'{value}' is not one of {', '.join(allowed)}")
    if layer == "actors" and not COLOR.fullmatch(str(row.get("color") or "")):
        raise EditRefused("color", f"'{row.get('color')}' is not a colour of the form #RRGGBB")
    if layer == "events" and _present(row.get("importance")):
        problem = importance_problem(row["importance"])
        if problem:
            raise EditRefused("importance", problem)
    _check_references(dataset, layer, row)


def _check_interval(dates: Mapping[str, object]) -> None:
    start, end = dates.get("valid_from"), dates.get("valid_to")
    if start and end and end <= start:
        raise EditRefused("valid_to", f"{end} is not after valid_from {start}")
    start, end = dates.get("date"), dates.get("end_date")
    if start and end and end < start:
        raise EditRefused("end_date", f"{end} is before date {start}")


def _check_references(dataset: Dataset, layer: str, row: Mapping[str, object]) -> None:
    for (ref_layer, column), (target, target_column, is_list) in REFERENCES.items():
        if ref_layer == layer:
            _check_known(dataset, column, row.get(column), target, target_column, is_list)
    if layer in SOURCED_LAYERS:
        _check_known(dataset, "source_ids", row.get("source_ids"), "sources", "source_id", True)


def _check_known(dataset: Dataset, column: str, value: object, target: str,
                 target_column: str, is_list: bool) -> None:
    refs = split_ids(value) if is_list else ([str(value)] if _present(value) else [])
    known = set(layer_frame(dataset, target)[target_column].astype(str))
    for ref in refs:
        if ref not in known:
            raise EditRefused(column, f"'{ref}' is not a known id in layer '{target}'")


def _check_geometry(change: RowChange) -> None:
    geometry = change.geometry
    if geometry is None or shapely.is_empty(geometry):
        if change.layer not in GEOMETRY_OPTIONAL and change.layer in GEOMETRY_TYPES:
            raise EditRefused("geometry", "geometry is empty")
        return
    allowed = GEOMETRY_TYPES.get(change.layer, ())
    if allowed and geometry.geom_type.removeprefix("Multi") not in allowed:
        raise EditRefused("geometry", f"geometry is {geometry.geom_type}, "
                                      f"expected {' or '.join(allowed)}")


def _check_one_holder(dataset: Dataset, changes: Sequence[RowChange]) -> None:
    """No two drawn control rows for one zone overlap (use status=contested instead)."""
    areas = {str(c.after.get("area_id")) for c in changes
             if c.layer == "control" and c.after and _present(c.after.get("area_id"))}
    control = dataset.control  # retracted rows are set aside, so they never clash
    for area in areas:
        rows = control[control["area_id"].astype(str) == area]
        clash = first_overlap(zip(rows["control_id"], rows["valid_from"], rows["valid_to"]))
        if clash:
            raise EditRefused("valid_from", f"row {clash[1]} overlaps row {clash[0]} for area "
                                            f"'{area}' (one holder per area at a time; "
                                            f"use status=contested)")


def first_overlap(periods) -> tuple[str, str] | None:
    """The first two of (row id, valid_from, valid_to) periods that share a day, if any."""
    spans = sorted((parse_date(start), parse_date(end) or dt.date.max, str(row))
                   for row, start, end in periods)
    for (_, end_a, id_a), (start_b, _, id_b) in zip(spans, spans[1:]):
        if start_b < end_a:
            return id_a, id_b
    return None


def _present(value: object) -> bool:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return False
    return not (isinstance(value, str) and not value.strip())
