"""Control zones and routes as things with a state on a day, for analyses across dates.

A zone is an `areas` row that control is drawn on (or a control row with no
area); on a day it is held, contested, or has no sourced control ("unknown").
A route is a `route_id` of `flows`; on a day it has the statuses of its rows
holding then, or "unknown" when none does. Nothing is guessed for an unknown.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from viewer.model.dataset import Dataset, feature_keys, plain_records

UNKNOWN = "unknown"


def zone_keys(control: pd.DataFrame) -> pd.Series:
    """Each control row's zone: its area_id, else its own control_id."""
    return pd.Series(feature_keys(control, "control"), index=control.index, dtype=object)


def route_keys(flows: pd.DataFrame) -> pd.Series:
    """Each flow row's route: its route_id, else its own flow_id."""
    return pd.Series(feature_keys(flows, "flows"), index=flows.index, dtype=object)


@dataclass(frozen=True)
class Zone:
    zone_id: str
    name: str
    geometry: object  # shapely (Multi)Polygon in EPSG:4326


def control_zones(dataset: Dataset) -> dict[str, Zone]:
    """Every zone control is drawn on: the areas control names, plus every other area
    of the same kinds (a town zone no source speaks of is still a zone), by name."""
    control, areas = dataset.control, dataset.areas
    keys = zone_keys(control)
    named = set(keys)
    kinds = set(areas.loc[areas["area_id"].isin(named), "kind"])
    chosen = areas[areas["area_id"].isin(named) | areas["kind"].isin(kinds)]
    zones = {a: Zone(a, str(n), g) for a, n, g in
             zip(chosen["area_id"], chosen["name"], chosen.geometry)}
    for key, geometry in zip(keys, control.geometry):
        zones.setdefault(key, Zone(key, key, geometry))
    return dict(sorted(zones.items(), key=lambda item: item[1].name))


@dataclass(frozen=True)
class ZoneState:
    """A zone on one day: held, contested or unknown, and the rows that say so."""

    state: str                 # "held", "contested" or UNKNOWN
    holders: tuple[str, ...]   # held: (actor,), contested: (actor, contested_with)
    rows: tuple[dict, ...] = ()
    note: str = ""             # for UNKNOWN: why (the dataset's `control_gaps` note)

    def label(self, dataset: Dataset | None = None) -> str:
        """"held by KIA"; with a dataset, the actors' full names."""
        names = [dataset.actor_name(a) if dataset else a for a in self.holders]
        if self.state == UNKNOWN:
            return "no sourced control"
        if self.state == "contested":
            return "contested: " + " vs ".join(names)
        return "held by " + ", ".join(names)

    @property
    def same_as_key(self) -> tuple:
        """What a change of hands compares (a change of confidence alone is no change)."""
        return self.state, tuple(sorted(self.holders))


NO_CONTROL = ZoneState(UNKNOWN, ())


def zone_states_on(dataset: Dataset, day: dt.date) -> dict[str, ZoneState]:
    """Every zone's state on `day` (zones with no control row are UNKNOWN)."""
    rows = dataset.control_on(day)
    states = {key: NO_CONTROL for key in control_zones(dataset)}
    for key, records in _grouped(zone_keys(rows), plain_records(rows)).items():
        states[key] = zone_state(records)
    return states


def _grouped(keys: pd.Series, records: list[dict]) -> dict[str, list[dict]]:
    """Records by key, in order (one conversion of the frame, not one per group: 30x faster)."""
    groups: dict[str, list[dict]] = {}
    for key, record in zip(keys, records):
        groups.setdefault(key, []).append(record)
    return groups


def zone_state(records: list[dict]) -> ZoneState:
    holders: list[str] = []
    contested = len(records) > 1
    for record in records:
        contested |= record.get("status") == "contested"
        for actor in (record.get("actor_id"), record.get("contested_with")):
            if actor and actor not in holders:
                holders.append(actor)
    contested |= len(holders) > 1
    return ZoneState("contested" if contested else "held", tuple(holders), tuple(records))


@dataclass(frozen=True)
class RouteState:
    """A route on one day: the statuses of its rows then, or UNKNOWN."""

    status: str                # one status, several joined by "/", or UNKNOWN
    rows: tuple[dict, ...] = ()


def route_names(flows: pd.DataFrame) -> dict[str, str]:
    names = flows.get("route_name", pd.Series(index=flows.index, dtype=object))
    keys = route_keys(flows)
    return {k: (str(n) if isinstance(n, str) and n else k) for k, n in zip(keys, names)}


def route_states_on(dataset: Dataset, day: dt.date) -> dict[str, RouteState]:
    """Every route's status on `day` (routes with no row then are UNKNOWN)."""
    rows = dataset.flows_on(day)
    states = {key: RouteState(UNKNOWN) for key in route_keys(dataset.flows)}
    for key, records in _grouped(route_keys(rows), plain_records(rows)).items():
        statuses = sorted({str(r.get("status")) for r in records})
        states[key] = RouteState("/".join(statuses), tuple(records))
    return states

