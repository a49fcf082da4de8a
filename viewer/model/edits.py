"""Edit commands: what an analyst changes in a briefing, checked against the format.

Pure (no Qt, no I/O). A command looks at a `Dataset` and returns an `Edit` (its
`RowChange`s, see viewer.model.changes) or raises `EditRefused(field, reason)`:

    edit = SetControl("zone-east", "SAC", dt.date(2026, 3, 2), confidence="reported",
                      sources=("s1",)).edit(dataset, on=state.date)

The window applies an edit in memory (`with_changes`) and undoes it
(`without_changes`); a store (viewer.io.store) writes a batch of edits in one
transaction. Dates a command leaves empty are the timeline's date `on`.

History is never overwritten: set-control and set-route close the row that
holds on D (`valid_to = D`) and open a new one from D; a retraction only marks
the row `retracted`.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd
from shapely.geometry import Point

from viewer.model.changes import (ACTIONS, INSERT, RETRACT, RETRACTABLE, RETRACTED, UPDATE, Edit,
                                  EditRefused, LogEntry, RowChange, RowChanged)
from viewer.model.dataset import Dataset, plain_value
from viewer.model.dates import format_date, parse_date, quarter_of
from viewer.model.edit_apply import find_row, id_column, layer_frame
from viewer.model.edit_check import check_changes
from viewer.model.schema import DATE_COLUMNS

__all__ = ["ACTIONS", "INSERT", "UPDATE", "RETRACT", "RETRACTABLE", "RETRACTED",
           "EditRefused", "RowChanged", "RowChange", "Edit", "LogEntry", "EditCommand",
           "AddSource", "AddEvent", "SetControl", "SetRoute", "CorrectRow", "Retract",
           "TIME_RANGE_KEYS", "free_id", "taken_ids"]


class EditCommand:
    """Base of the commands: `edit(dataset, on)` checks and returns an `Edit`."""

    command = ""

    def edit(self, dataset: Dataset, on: dt.date) -> Edit:  # pragma: no cover - abstract
        raise NotImplementedError

    def _checked(self, dataset: Dataset, summary: str, reason: str,
                 changes: list[RowChange]) -> Edit:
        check_changes(dataset, changes)
        return Edit(self.command, summary, reason, tuple(changes))


@dataclass(frozen=True)
class AddSource(EditCommand):
    outlet: str
    title: str
    published: dt.date | None = None
    url: str | None = None
    author: str | None = None
    via: str | None = None
    note: str | None = None
    source_id: str | None = None
    command = "add-source"

    def edit(self, dataset: Dataset, on: dt.date) -> Edit:
        stem = f"src-{(self.published or on).isoformat()}"
        source_id = self.source_id or _new_id(dataset, "sources", stem)
        row = _row(dataset, "sources", source_id=source_id, outlet=self.outlet, title=self.title,
                   author=self.author, published=_iso(self.published), url=self.url,
                   via=self.via, note=self.note)
        return self._checked(dataset, f"Add source {source_id}: {self.outlet} — {self.title}", "",
                             [RowChange("sources", source_id, INSERT, None, row)])


@dataclass(frozen=True)
class AddEvent(EditCommand):
    title: str
    category: str
    sources: tuple[str, ...]
    date: dt.date | None = None
    precision: str = "day"
    summary: str | None = None
    place_id: str | None = None
    location: tuple[float, float] | None = None  # (lon, lat) clicked on the map
    actors: tuple[str, ...] = ()
    confidence: str | None = None
    importance: int | None = None
    end_date: dt.date | None = None
    command = "add-event"

    def edit(self, dataset: Dataset, on: dt.date) -> Edit:
        day = self.date or on
        event_id = _new_id(dataset, "events", f"ev-{_period_key(day, self.precision)}")
        row = _row(dataset, "events", event_id=event_id, date=day.isoformat(),
                   date_precision=self.precision, end_date=_iso(self.end_date), title=self.title,
                   summary=self.summary, category=self.category, place_id=self.place_id,
                   actor_ids=_list(self.actors), source_ids=_list(self.sources),
                   confidence=self.confidence, importance=self.importance)
        change = RowChange("events", event_id, INSERT, None, row, self._point(dataset))
        return self._checked(dataset, f"Add event {event_id}: {self.title} "
                                      f"({format_date(day, self.precision)})", "",
                             [change] + _extend_time(dataset, day, self.end_date or day))

    def _point(self, dataset: Dataset):
        if self.place_id:
            places = dataset.places[dataset.places["place_id"] == self.place_id]
            if len(places) == 0:
                raise EditRefused("place_id", f"'{self.place_id}' is not a known id in layer 'places'")
            return places.geometry.iloc[0]
        return Point(*self.location) if self.location else None


def _period_key(day: dt.date, precision: str) -> str:
    """The event's date in its id, no more precise than the event (an event of "Oct 2024"
    was named ev-2024-10-01 after a day no source gives), and named so that a second
    one's number reads as no date (ev-2024-10-month-2, not ev-2024-10-2: 2 Oct)."""
    if precision == "year":
        return f"{day.year}-year"
    if precision == "quarter":
        return f"{day.year}-Q{quarter_of(day)}"
    return f"{day.isoformat()[:7]}-month" if precision == "month" else day.isoformat()


@dataclass(frozen=True)
class SetControl(EditCommand):
    """Who holds a zone from a date: closes the holding row at D, opens a new one."""

    area_id: str
    actor_id: str
    from_date: dt.date | None = None
    status: str = "held"
    contested_with: str | None = None
    confidence: str = ""
    sources: tuple[str, ...] = ()
    note: str | None = None
    command = "set-control"

    def edit(self, dataset: Dataset, on: dt.date) -> Edit:
        day = self.from_date or on
        if self.contested_with and self.status != "contested":
            # "held by KIA" with a rival: state read "KIA vs SAC", the map plain KIA.
            raise EditRefused("contested_with", "a holder contested with another needs status "
                                                "contested")
        areas = dataset.areas[dataset.areas["area_id"] == self.area_id]
        if len(areas) == 0:
            raise EditRefused("area_id", f"'{self.area_id}' is not a known id in layer 'areas'")
        rows = dataset.control[dataset.control["area_id"] == self.area_id]
        closed, end = _close_holding(dataset, "control", rows, day)
        closed += self._gap_closed(dataset, day)
        control_id = _new_id(dataset, "control", f"ctl-{self.area_id}-{day.isoformat()}")
        row = _row(dataset, "control", control_id=control_id, area_id=self.area_id,
                   actor_id=self.actor_id, status=self.status, contested_with=self.contested_with,
                   valid_from=day.isoformat(), valid_to=end, confidence=self.confidence,
                   source_ids=_list(self.sources), note=self.note)
        # An actor nobody chose is no holder: the checks refuse the empty cell by its column.
        holder = (self.actor_id or "") + (f" vs {self.contested_with}" if self.contested_with else "")
        summary = f"Set control of {self.area_id}: {self.status} by {holder} from {day}"
        new = RowChange("control", control_id, INSERT, None, row, areas.geometry.iloc[0])
        return self._checked(dataset, summary, "", closed + [new] + _extend_time(dataset, day))

    def _gap_closed(self, dataset: Dataset, day: dt.date) -> list[RowChange]:
        """The zone's "no sourced control" period holding on `day`, closed there: a day is
        covered by a holding or a gap, never both (QGIS drew the zone twice)."""
        gaps = dataset.extra_layers.get("control_gaps")
        if gaps is None or not {"area_id", "gap_id"} <= set(gaps.columns):
            return []
        return _close_holding(dataset, "control_gaps", gaps[gaps["area_id"] == self.area_id], day)[0]


# Columns of a route period that belong to the period (its status and evidence),
# not to the route; a new period copies every other column from the route.
_PERIOD_COLUMNS = {"flow_id", "status", "valid_from", "valid_to", "volume", "volume_unit",
                   "source_ids", "note", "confidence", "event_ids", "date_precision", RETRACTED}


@dataclass(frozen=True)
class SetRoute(EditCommand):
    """A route's status from a date: closes the holding period at D, opens a new one."""

    route_id: str
    status: str
    from_date: dt.date | None = None
    sources: tuple[str, ...] = ()
    volume: float | None = None
    unit: str | None = None
    confidence: str | None = None
    note: str | None = None
    command = "set-route"

    def edit(self, dataset: Dataset, on: dt.date) -> Edit:
        day = self.from_date or on
        flows = dataset.flows
        # By the one rule for a row's route: its route_id, else its own flow_id.
        rows = flows[dataset.feature_ids["flows"] == self.route_id]
        if len(rows) == 0:
            raise EditRefused("route_id", f"'{self.route_id}' is not a route of this dataset")
        if self.volume is not None and not math.isfinite(self.volume):
            raise EditRefused("volume", f"{self.volume} is not a finite number")
        if self.volume is not None and not self.unit:
            raise EditRefused("volume_unit", "a volume needs its unit")
        closed, end = _close_holding(dataset, "flows", rows, day)
        rows = rows.iloc[rows["valid_from"].map(parse_date).argsort(kind="stable")]
        starts = rows["valid_from"].map(parse_date)  # the route as it last was before D
        template = rows[starts <= day].iloc[-1:] if (starts <= day).any() else rows.iloc[:1]
        route = {k: plain_value(v) for k, v in template.iloc[0].items()
                 if k not in _PERIOD_COLUMNS and k != flows.geometry.name}
        if "route_id" in flows.columns:   # the new period joins the route even where its rows had no route_id
            route["route_id"] = self.route_id
        flow_id = _new_id(dataset, "flows", f"{self.route_id}-{day.isoformat()}")
        row = _row(dataset, "flows", **route, flow_id=flow_id, status=self.status,
                   valid_from=day.isoformat(), valid_to=end, volume=self.volume,
                   volume_unit=self.unit, confidence=self.confidence,
                   source_ids=_list(self.sources), note=self.note)
        new = RowChange("flows", flow_id, INSERT, None, row, template.geometry.iloc[0])
        return self._checked(dataset, f"Set route {self.route_id}: {self.status} from {day}", "",
                             closed + [new] + _extend_time(dataset, day))


@dataclass(frozen=True)
class CorrectRow(EditCommand):
    """A typo, a better date, an extra source: new values for some columns, with a reason."""

    layer: str
    row_id: str
    values: Mapping[str, object] = field(default_factory=dict)
    reason: str = ""
    command = "correct"

    def edit(self, dataset: Dataset, on: dt.date) -> Edit:
        before = _existing(dataset, self.layer, self.row_id, self.reason, "correction")
        for column in self.values:
            if column in (id_column(self.layer), "geometry", "geom", "fid", RETRACTED):
                raise EditRefused(column, "cannot be corrected (retract the row and add a new one)")
            if column not in before:   # a misspelt column would be added, and nothing corrected
                raise EditRefused(column, f"is not a column of layer '{self.layer}'")
            if (self.layer, column) in _SHAPED_BY:   # the shape would stay where it was
                raise EditRefused(column, _SHAPED_BY[(self.layer, column)])
        after = {**before, **{k: _corrected_value(self.layer, k, v) for k, v in self.values.items()}}
        if after == before:
            raise EditRefused("values", "the correction changes nothing")
        change = RowChange(self.layer, self.row_id, UPDATE, before, after)
        columns = ", ".join(change.changed_columns())
        return self._checked(dataset, f"Correct {self.layer} {self.row_id}: {columns}",
                             self.reason, [change])


# Columns a row's shape follows: corrected alone, the shape would stay where it was (an
# event moved to Putao was still drawn at Sadung, in QGIS and here).
_SHAPED_BY = {
    ("control", "area_id"): "a holding's zone cannot be corrected (retract the row and set "
                            "control of the other zone)",
    ("events", "place_id"): "an event's place cannot be corrected (retract it and add it again "
                            "at the other place)",
    ("flows", "from_place_id"): "a route's ends cannot be corrected (its line would stay)",
    ("flows", "to_place_id"): "a route's ends cannot be corrected (its line would stay)",
}


def _corrected_value(layer: str, column: str, value: object) -> object:
    """A date column's value as the format writes it (YYYY-MM-DD; a time of day or the
    basic form 20241201 taken as its day), or refused: SQLite kept 20241201 as a number,
    which no reader takes for a date, and a month 13 ended in a traceback."""
    if column not in DATE_COLUMNS.get(layer, ()):
        return value
    try:
        day = parse_date(value)
    except (ValueError, OverflowError):
        raise EditRefused(column, f"'{value}' is not a date (YYYY-MM-DD)") from None
    return _iso(day)


@dataclass(frozen=True)
class Retract(EditCommand):
    """A row that should not have been recorded: kept in the file, no longer drawn."""

    layer: str
    row_id: str
    reason: str = ""
    command = "retract"

    def edit(self, dataset: Dataset, on: dt.date) -> Edit:
        if self.layer not in RETRACTABLE:
            raise EditRefused("layer", f"only rows of {', '.join(RETRACTABLE)} can be retracted "
                                       f"(correct a row of '{self.layer}' instead)")
        before = _existing(dataset, self.layer, self.row_id, self.reason, "retraction")
        change = RowChange(self.layer, self.row_id, RETRACT, before, {**before, RETRACTED: 1})
        return self._checked(dataset, f"Retract {self.layer} {self.row_id}", self.reason, [change])


def _existing(dataset: Dataset, layer: str, row_id: str, reason: str, what: str) -> dict:
    if not reason.strip():
        raise EditRefused("reason", f"a {what} needs a reason")
    try:
        before = find_row(dataset, layer, row_id)
    except KeyError:
        raise EditRefused("layer", f"'{layer}' is not a layer of this dataset") from None
    if before is None:
        raise EditRefused("id", f"'{row_id}' is not a row of layer '{layer}'")
    if before.get(RETRACTED):
        raise EditRefused("id", f"row {row_id} of layer '{layer}' is retracted")
    return before


def _close_holding(dataset: Dataset, layer: str, rows: pd.DataFrame,
                   day: dt.date) -> tuple[list[RowChange], str | None]:
    """Close the row of `rows` holding on `day`; return that change and where the new row ends.

    The new row ends where the closed one did (so gaps stay gaps) or, when none
    holds, where the next row starts (so periods never overlap).
    """
    starts = rows["valid_from"].map(parse_date)
    ends = rows["valid_to"].map(parse_date)
    holding = [(s, e, i) for s, e, i in zip(starts, ends, rows[id_column(layer)])
               if s <= day and (e is None or day < e)]
    if not holding:
        later = [s for s in starts if s > day]
        return [], (min(later).isoformat() if later else None)
    start, end, row_id = holding[0]
    if start == day:
        raise EditRefused("valid_from", f"row {row_id} already starts on {day}; "
                                        f"correct that row instead")
    before = find_row(dataset, layer, str(row_id))
    closed = RowChange(layer, str(row_id), UPDATE, before, {**before, "valid_to": day.isoformat()})
    return [closed], (end.isoformat() if end else None)


# The dataset_meta keys of the time range a new fact widens, each with the one of two
# days that is the wider range.
TIME_RANGE_KEYS = {"time_start": min, "time_end": max, "data_current_to": max}


def _extend_time(dataset: Dataset, first: dt.date, last: dt.date | None = None) -> list[RowChange]:
    """A fact recorded outside the dataset's time range widens it so the timeline
    reaches it: `time_start` back to its first day, `time_end` past its last (kept
    exclusive: the day after), and `data_current_to` (the latest fact) up to it. Keys
    the file does not have are left out."""
    last = last or first
    wanted = {"time_start": first, "time_end": last + dt.timedelta(days=1), "data_current_to": last}
    changes = []
    for key, new in wanted.items():
        old = dataset.meta.get(key)
        if old and TIME_RANGE_KEYS[key](new, parse_date(old)) != parse_date(old):
            changes.append(RowChange("dataset_meta", key, UPDATE, {"key": key, "value": old},
                                     {"key": key, "value": new.isoformat()}))
    return changes


def _row(dataset: Dataset, layer: str, **values) -> dict[str, object]:
    """A new row: every given value, leaving out empty ones for columns the file lacks."""
    columns = set(layer_frame(dataset, layer).columns)
    return {k: v for k, v in values.items() if v is not None or k in columns}


def _new_id(dataset: Dataset, layer: str, stem: str) -> str:
    """A row id from `stem`, unused here; in a field copy, with the copy's name: the desk
    or another copy may add a row under the same stem meanwhile (viewer/io/offline.py)."""
    origin = dataset.extra_layers.get("sync_origin")
    if origin is not None and {"key", "value"} <= set(origin.columns):
        copy = dict(zip(origin["key"], origin["value"])).get("copy")
        stem = f"{stem}-{copy}" if isinstance(copy, str) and copy else stem
    return free_id(stem, taken_ids(dataset, layer))


def taken_ids(dataset: Dataset, layer: str) -> set[str]:
    """The row ids `layer` holds (none for a layer the file lacks: an edit creates it)."""
    try:
        return set(layer_frame(dataset, layer)[id_column(layer)].astype(str))
    except KeyError:
        return set()


def free_id(stem: str, taken: set[str]) -> str:
    """`stem`, else `stem-2`, `stem-3`…: the first not in `taken`."""
    candidate, number = stem, 1
    while candidate in taken:
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def _list(ids) -> str | None:
    return ";".join(str(i).strip() for i in ids if str(i).strip()) or None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
