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

from viewer.model.dataset import Dataset
from viewer.model.dates import days_array, format_date, to_day
from viewer.model.temporal import IntervalIndex
from viewer.model.zones import control_zones, route_keys, zone_keys

GAPS_LAYER = "control_gaps"
NO_INFO_NOTE = "No source in this dataset says who held this zone on this date."


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
        self._zone_of_row = zone_keys(dataset.control).astype(str).to_numpy()
        gaps = dataset.extra_layers.get(GAPS_LAYER)
        self.gaps = gaps if gaps is not None and "area_id" in gaps.columns else None
        if self.gaps is not None:
            self.gap_index = IntervalIndex(days_array(self.gaps["valid_from"]),
                                           days_array(self.gaps["valid_to"], open_end=True))
        self.route_of_row = route_keys(dataset.flows).astype(str).to_numpy()
        self.routes = list(dict.fromkeys(self.route_of_row))

    # -- zones ----------------------------------------------------------------
    def zones_without_control(self, control_rows: np.ndarray) -> np.ndarray:
        """Rows of `zones` that none of `control_rows` (the rows holding) covers."""
        held = set(self._zone_of_row[control_rows])
        return np.flatnonzero([z not in held for z in self.zone_ids])

    def zones_without_control_on(self, day: dt.date) -> np.ndarray:
        return self.zones_without_control(self.dataset.control_index.indices(to_day(day)))

    def gap_note(self, area_id: str, day: dt.date) -> str:
        """Why a zone has no control on `day`: the gap row's note, else the plain fact."""
        if self.gaps is not None:
            rows = self.gaps.iloc[self.gap_index.indices(to_day(day))]
            rows = rows[rows["area_id"].astype(str) == area_id]
            if len(rows) and isinstance(rows.iloc[0].get("note"), str):
                return rows.iloc[0]["note"]
        return NO_INFO_NOTE

    def history(self, area_id: str) -> pd.DataFrame:
        """The zone's control rows on every date, oldest first."""
        rows = self.dataset.control[self._zone_of_row == area_id]
        return rows.sort_values("valid_from", kind="stable")

    # -- routes ---------------------------------------------------------------
    def routes_without_status(self, flow_rows: np.ndarray) -> list[str]:
        """Routes with no flow row among `flow_rows` (the rows holding on a day)."""
        known = set(self.route_of_row[flow_rows])
        return [r for r in self.routes if r not in known]

    def route_sample_rows(self, routes: list[str]) -> np.ndarray:
        """One row per route (its first), whose line stands for the route."""
        first: dict[str, int] = {}
        for row, route in enumerate(self.route_of_row):
            first.setdefault(route, row)
        return np.array([first[r] for r in routes], dtype=int)

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
