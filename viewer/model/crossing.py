"""Whose ground a route crosses on a day: the route line cut by the control zones.

Derived, not sourced: a plain intersection of two sourced layers (the route's
line and the zones' control rows on that day). Each segment keeps the control
row and sources of the zone it lies in; a part in a zone with no control row is
"no sourced control"; a part outside every zone (across the border) is left out.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from viewer.model.dataset import Dataset, plain_records
from viewer.model.zones import (
           NO_CONTROL,
           ZoneState,
           control_zones,
           route_keys,
           route_names,
           zone_keys,
           zone_state,
)

DERIVED_NOTE = ("Derived: the route line cut by the control zones on this date "
                "(an intersection of two sourced layers, not a sourced fact).")
_GEOD = Geod(ellps="WGS84")
# Most to least certain, as the map's legend orders them (viewer.render.style).
CERTAINTY = ("confirmed", "reported", "estimated", "claimed")


@dataclass(frozen=True)
class CrossingSegment:
    zone_id: str
    zone_name: str
    holding: ZoneState          # the zone's state on the day, with its control row(s)
    geometry: BaseGeometry      # the part of the route inside the zone, EPSG:4326
    start: float                # where it starts along the route, 0..1
    length_km: float

    @property
    def confidence(self) -> str | None:
        """The least certain of its control rows' confidences (a contested zone is only
        as sure as its weaker row); None with no row or none given."""
        given = [r.get("confidence") for r in self.holding.rows
                 if r.get("confidence") in CERTAINTY]
        return max(given, key=CERTAINTY.index, default=None)

    def label(self, dataset: Dataset | None = None) -> str:
        """"held by KIA (estimated)": the holding with the confidence behind it."""
        text = self.holding.label(dataset)
        return f"{text} ({self.confidence})" if self.confidence else text


@dataclass(frozen=True)
class RouteCrossing:
    route_id: str
    name: str
    status: str
    segments: tuple[CrossingSegment, ...]
    length_km: float

    def to_dict(self, dataset: Dataset) -> dict:
        return {"route_id": self.route_id, "name": self.name, "status": self.status,
                "derived": DERIVED_NOTE, "length_km": round(self.length_km, 1),
                "segments": [_segment_dict(s, dataset) for s in self.segments]}


def _segment_dict(segment: CrossingSegment, dataset: Dataset) -> dict:
    rows = segment.holding.rows
    return {"zone_id": segment.zone_id, "zone": segment.zone_name,
            "state": segment.holding.state, "holders": list(segment.holding.holders),
            "label": segment.holding.label(dataset),
            "control_ids": [r.get("control_id") for r in rows],
            "confidence": [r.get("confidence") for r in rows],
            "sources": [s for r in rows for s in dataset.source_records(r.get("source_ids"))],
            "length_km": round(segment.length_km, 1)}


def route_crossings(dataset: Dataset, day: dt.date) -> tuple[RouteCrossing, ...]:
    """Every route running on `day`, cut by the zones and who holds them that day."""
    flows = dataset.flows_on(day)
    if flows.empty:
        return ()
    pieces = _zone_pieces(dataset, day)
    tree = shapely.STRtree([geometry for _, _, _, geometry in pieces])
    names = route_names(dataset.flows)
    out = []
    for key, status, line in zip(route_keys(flows), flows["status"], flows.geometry):
        if line is None or line.is_empty:
            continue
        segments = [_segment(line, pieces[i]) for i in tree.query(line, "intersects")]
        segments = sorted((s for s in segments if s.length_km > 0), key=lambda s: s.start)
        out.append(RouteCrossing(key, names[key], str(status), tuple(segments),
                                 _GEOD.geometry_length(line) / 1000))
    return tuple(out)


def crossing_of(dataset: Dataset, route_id: str, day: dt.date) -> RouteCrossing | None:
    """One route's crossing on `day`, or None when it does not run then."""
    return next((c for c in route_crossings(dataset, day) if c.route_id == route_id), None)


def _zone_pieces(dataset: Dataset, day: dt.date) -> list[tuple]:
    """(zone_id, zone name, state, shape) for every control row on `day`, and each zone
    with none (its whole area, as no sourced control)."""
    zones = control_zones(dataset)
    rows = dataset.control_on(day)
    pieces = []
    for key, record, geometry in zip(zone_keys(rows), plain_records(rows), rows.geometry):
        zone = zones.get(key)
        pieces.append((key, zone.name if zone else key, zone_state([record]), geometry))
    held = set(zone_keys(rows))
    pieces += [(key, zone.name, NO_CONTROL, zone.geometry)
               for key, zone in zones.items() if key not in held]
    return pieces


def _segment(line: BaseGeometry, piece: tuple) -> CrossingSegment:
    key, name, state, shape = piece
    part = shapely.intersection(line, shape)
    lines = [g for g in shapely.get_parts(part) if g.geom_type == "LineString"]
    if not lines:
        return CrossingSegment(key, name, state, part, 0.0, 0.0)
    merged = shapely.line_merge(shapely.MultiLineString(lines)) if len(lines) > 1 else lines[0]
    start = min(line.project(shapely.get_point(g, 0), normalized=True) for g in lines)
    return CrossingSegment(key, name, state, merged, start,
                           _GEOD.geometry_length(merged) / 1000)

