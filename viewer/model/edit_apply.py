"""Apply and revert row changes in memory; the dataset as it stood on a recording day.

The window shows pending edits by applying them to its `Dataset` (undo reverts
them); "as recorded on" reverts every logged edit made after a day. Both build
a new `Dataset`, never change one in place (views may still hold the old one).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Iterable, Mapping, Sequence

import geopandas as gpd
import pandas as pd

from viewer.model.briefing import BRIEFING_COLUMNS, BRIEFINGS_LAYER, CHAPTER_COLUMNS, CHAPTERS_LAYER
from viewer.model.changes import INSERT, LogEntry, RowChange
from viewer.model.dataset import Dataset, plain_value
from viewer.model.schema import DATE_COLUMNS, ID_COLUMN

# Optional attribute tables an edit may create in a file that lacks them, with their columns.
CREATABLE_TABLES = {CHAPTERS_LAYER: CHAPTER_COLUMNS, BRIEFINGS_LAYER: BRIEFING_COLUMNS}

# The layers an edit may touch, as Dataset attributes.
EDITABLE_LAYERS = ("sources", "actors", "places", "areas", "control", "flows", "events")


def id_column(layer: str) -> str:
    """The column holding a row's id in `layer` (format layers, or `<layer>_id` for others)."""
    return ID_COLUMN.get(layer) or f"{layer.rstrip('s')}_id"


def layer_frame(dataset: Dataset, layer: str) -> pd.DataFrame:
    """All rows of a layer, retracted ones included."""
    if layer == "dataset_meta":
        return pd.DataFrame({"key": list(dataset.meta), "value": list(dataset.meta.values())})
    if layer in EDITABLE_LAYERS:
        return dataset.all_rows(layer)
    if layer in dataset.extra_layers:
        return dataset.extra_layers[layer]
    if layer in CREATABLE_TABLES:  # an optional table the first edit creates
        return pd.DataFrame({column: pd.Series(dtype=object) for column in CREATABLE_TABLES[layer]})
    raise KeyError(layer)


def row_position(frame: pd.DataFrame, layer: str, row_id: str) -> int | None:
    column = id_column(layer)
    if column not in frame.columns:
        return None
    hits = (frame[column].astype(str) == str(row_id)).to_numpy().nonzero()[0]
    return int(hits[0]) if len(hits) else None


def row_values(frame: pd.DataFrame, position: int) -> dict[str, object]:
    """One row as plain values (ISO dates, None for empty), without its geometry."""
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    return {column: plain_value(value) for column, value in frame.iloc[position].items()
            if column != geometry}


def find_row(dataset: Dataset, layer: str, row_id: str) -> dict[str, object] | None:
    frame = layer_frame(dataset, layer)
    position = row_position(frame, layer, row_id)
    return None if position is None else row_values(frame, position)


def with_changes(dataset: Dataset, changes: Iterable[RowChange]) -> Dataset:
    """The dataset after `changes` (in order)."""
    frames: dict[str, pd.DataFrame] = {}
    for change in changes:
        frame = frames.get(change.layer)
        frame = layer_frame(dataset, change.layer) if frame is None else frame
        frames[change.layer] = _applied(frame, change)
    return _rebuilt(dataset, frames)


def without_changes(dataset: Dataset, changes: Sequence[RowChange]) -> Dataset:
    """The dataset before `changes` were applied (undo)."""
    return with_changes(dataset, [reverse(c) for c in reversed(changes)])


def reverse(change: RowChange) -> RowChange:
    """The change that undoes `change` (an insert is undone by removing the row)."""
    if change.action == INSERT:
        return RowChange(change.layer, change.row_id, "remove", change.after, None)
    return RowChange(change.layer, change.row_id, change.action, change.after, change.before)


def as_recorded_on(dataset: Dataset, log: Sequence[LogEntry], day: dt.date) -> Dataset:
    """The dataset as it stood at the end of `day` (UTC), reverting later logged edits."""
    later = sorted((e for e in log if e.recorded_on > day), key=lambda e: e.edit_id)
    changes = [c for entry in later for c in entry.edit.changes]
    return without_changes(dataset, changes) if changes else dataset


def _applied(frame: pd.DataFrame, change: RowChange) -> pd.DataFrame:
    position = row_position(frame, change.layer, change.row_id)
    if change.after is None:  # an undone insert: the row goes
        return frame if position is None else frame.drop(frame.index[position]).reset_index(drop=True)
    if position is None:
        return _appended(frame, change)
    frame = frame.copy()
    for column, value in _cells(change.layer, change.after, change.before).items():
        if column not in frame.columns:
            frame[column] = None
        value = _as_held(frame[column], value)
        if _needs_object(frame[column], value):
            frame[column] = frame[column].astype(object)
        frame.iloc[position, frame.columns.get_loc(column)] = value
    return frame


def _appended(frame: pd.DataFrame, change: RowChange) -> pd.DataFrame:
    row = _cells(change.layer, change.after, None)
    if isinstance(frame, gpd.GeoDataFrame):
        data = {k: [v] for k, v in row.items()}
        data[frame.geometry.name] = [change.geometry]
        new = gpd.GeoDataFrame(data, geometry=frame.geometry.name, crs=frame.crs)
    else:
        new = pd.DataFrame({k: [v] for k, v in row.items()})
    return pd.concat([frame, new], ignore_index=True)


def _cells(layer: str, after: Mapping[str, object],
           before: Mapping[str, object] | None) -> dict[str, object]:
    """Frame values for `after`; columns only in `before` become empty again."""
    cells = {column: None for column in (before or {}) if column not in after}
    dates = DATE_COLUMNS.get(layer, ())
    for column, value in after.items():
        if column in dates:
            value = pd.NaT if value is None else pd.Timestamp(str(value))
        cells[column] = value
    return cells


def _as_held(column: pd.Series, value: object) -> object:
    """A date as the column holds dates: as text where the file stores them as TEXT (made
    by another tool), as a reread would; pandas' text columns refuse a Timestamp (a
    correction of any source of such a file failed with a TypeError)."""
    if column.dtype.kind != "M" and (isinstance(value, pd.Timestamp) or value is pd.NaT):
        return None if value is pd.NaT else value.date().isoformat()
    return value


def _needs_object(column: pd.Series, value: object) -> bool:
    """A value the column's dtype cannot hold (text in a numeric column, say)."""
    if value is None or isinstance(value, pd.Timestamp) or value is pd.NaT:
        return False
    kind = column.dtype.kind
    return (kind in "iufb" and not isinstance(value, (int, float, bool))) or kind == "M"


def _rebuilt(dataset: Dataset, frames: Mapping[str, pd.DataFrame]) -> Dataset:
    if not frames:
        return dataset
    core = {k: v for k, v in frames.items() if k in EDITABLE_LAYERS}
    extra = {k: v for k, v in frames.items() if k not in EDITABLE_LAYERS and k != "dataset_meta"}
    retracted = {k: v for k, v in dataset.retracted.items() if k not in core}
    meta = frames.get("dataset_meta")
    meta = dataset.meta if meta is None else dict(zip(meta["key"], meta["value"]))
    return dataclasses.replace(dataset, **core, meta=meta, retracted=retracted,
                               extra_layers={**dataset.extra_layers, **extra})
