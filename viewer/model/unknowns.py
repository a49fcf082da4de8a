"""What the data does not say on a day: zones with no sourced control, routes with no
sourced status, and dates past the latest fact.

Zones and routes are those of `zones.py` (the analyses use the same ones). A zone
with no control row on a day is "no sourced information", whether or not a
`control_gaps` row (the format's explicit "no sourced control" period) says so; the
gap row only adds why.
"""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

from viewer.model.dataset import Dataset, plain_records
from viewer.model.dates import days_array, format_date, from_day, to_day
from viewer.model.temporal import IntervalIndex
from viewer.model.zones import control_zones

GAPS_LAYER = "control_gaps"
NO_INFO_NOTE = "No source in this dataset says who held this zone on this date."
NO_STATUS_NOTE = "No row in this dataset gives this route's status on these days: status unknown."


def current_to_text(current_to: dt.date) -> str:
    return f"Data current to {format_date(current_to)}"


def current_to_mark(dataset: Dataset, day: dt.date) -> str:
    """"Data current to D" for a date past the dataset's latest fact; empty otherwise."""
    return current_to_text(dataset.data_current_to) if dataset.beyond_data(day) else ""


class Unknowns:
    """Zones and routes by day, where the data is silent."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        zones = control_zones(dataset).values()
        self.zones = gpd.GeoDataFrame(
            {"area_id": [z.zone_id for z in zones], "name": [z.name for z in zones]},
            geometry=[z.geometry for z in zones], crs=4326)
        self.zone_ids = self.zones["area_id"].astype(str).to_numpy()
        self._zone_of_row = dataset.feature_ids["control"]
        # Numbers, not names, so the per-day questions are array lookups (scrubbing asks them).
        number_of_zone = {zone: i for i, zone in enumerate(self.zone_ids)}
        self._zone_number_of_row = np.array([number_of_zone.get(z, -1) for z in self._zone_of_row],
                                            dtype=np.int64)
        gaps = dataset.extra_layers.get(GAPS_LAYER)
        self.gaps = gaps if gaps is not None and "area_id" in gaps.columns else None
        if self.gaps is not None:
            self.gap_index = IntervalIndex(days_array(self.gaps["valid_from"]),
                                           days_array(self.gaps["valid_to"], open_end=True))
        self.route_of_row = dataset.feature_ids["flows"]
        self.routes = list(dict.fromkeys(self.route_of_row))
        number_of_route = {route: i for i, route in enumerate(self.routes)}
        self._route_number_of_row = np.array([number_of_route[r] for r in self.route_of_row],
                                             dtype=np.int64)
        # Every route number occurs, so the i-th first occurrence is route i's.
        self._first_row_of_route = np.unique(self._route_number_of_row, return_index=True)[1]

    # -- zones ----------------------------------------------------------------
    def zones_without_control(self, control_rows: np.ndarray) -> np.ndarray:
        """Rows of `zones` that none of `control_rows` (the rows holding) covers."""
        held = np.zeros(len(self.zone_ids), dtype=bool)
        numbers = self._zone_number_of_row[np.asarray(control_rows, dtype=np.int64)]
        held[numbers[numbers >= 0]] = True
        return np.flatnonzero(~held)

    def zones_without_control_on(self, day: dt.date) -> np.ndarray:
        return self.zones_without_control(self.dataset.control_index.indices(to_day(day)))

    def gap_note(self, area_id: str, day: dt.date) -> str:
        """Why a zone has no control on `day`: the gap row's note, else the plain fact."""
        note = (self.gap_row(area_id, day) or {}).get("note")
        return note if isinstance(note, str) else NO_INFO_NOTE

    def gap_row(self, area_id: str, day: dt.date) -> dict | None:
        """The `control_gaps` row saying a zone has no sourced control on `day`, if any."""
        if self.gaps is None:
            return None
        rows = self.gaps.iloc[self.gap_index.indices(to_day(day))]
        rows = rows[rows["area_id"].astype(str) == area_id]
        return plain_records(rows.drop(columns=rows.geometry.name, errors="ignore"))[0] \
            if len(rows) else None

    def history(self, area_id: str) -> pd.DataFrame:
        """The zone's control rows on every date, oldest first."""
        rows = self.dataset.control[self._zone_of_row == area_id]
        return rows.sort_values("valid_from", kind="stable")

    # -- routes ---------------------------------------------------------------
    def routes_without_status(self, flow_rows: np.ndarray) -> list[str]:
        """Routes with no flow row among `flow_rows` (the rows holding on a day)."""
        return [self.routes[i] for i in self._unknown_route_numbers(flow_rows)]

    def unknown_route_rows(self, flow_rows: np.ndarray) -> np.ndarray:
        """One row (its first) for each route with no row among `flow_rows`: the
        line that stands for the route."""
        return self._first_row_of_route[self._unknown_route_numbers(flow_rows)]

    def unknown_route_spans(self, first: dt.date,
                            last: dt.date) -> list[tuple[int, dt.date, dt.date]]:
        """(the route's first row, begin, end) for each period from `first` to `last`
        (both held) in which no flow row gives the route's status; `end` is the day a
        row starts again (or the day after `last`), as rows' valid_to is."""
        index, stop = self.dataset.flow_index, to_day(last) + 1
        spans = []
        for number, row in enumerate(self._first_row_of_route):
            rows = self._route_number_of_row == number
            spans += [(int(row), from_day(begin), from_day(end)) for begin, end in
                      _uncovered(index.starts[rows], index.ends[rows], to_day(first), stop)]
        return spans

    def _unknown_route_numbers(self, flow_rows: np.ndarray) -> np.ndarray:
        known = np.zeros(len(self.routes), dtype=bool)
        known[self._route_number_of_row[np.asarray(flow_rows, dtype=np.int64)]] = True
        return np.flatnonzero(~known)

    # -- `state --json` ---------------------------------------------------------
    def state_on(self, day: dt.date) -> dict:
        """What is not known on `day`, for the state JSON."""
        current_to = self.dataset.data_current_to
        zones = [{"area_id": self.zone_ids[row], "name": self.zones["name"].iloc[row],
                  "note": self.gap_note(self.zone_ids[row], day)}
                 for row in self.zones_without_control_on(day)]
        flows = self.dataset.flow_index.indices(to_day(day))
        return {"data_current_to": current_to.isoformat() if current_to else None,
                "current_to_mark": current_to_mark(self.dataset, day) or None,
                "no_sourced_control": zones,
                "routes_status_unknown": self.routes_without_status(flows)}


def _uncovered(starts: np.ndarray, ends: np.ndarray, first: int,
               stop: int) -> list[tuple[int, int]]:
    """The [begin, end) day spans within [first, stop) that no [start, end) covers."""
    spans, day = [], first
    for start, end in sorted(zip(starts.tolist(), ends.tolist())):
        if start > day:
            spans.append((day, min(start, stop)))
        day = max(day, end)
    spans.append((day, stop))
    return [(begin, end) for begin, end in spans if begin < end]
