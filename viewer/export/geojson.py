"""What holds on one day as a GeoJSON FeatureCollection (RFC 7946) for web maps.

Coordinates are WGS84 longitude, latitude (six decimals, about 10 cm), polygon
rings wound as RFC 7946 asks (exterior counterclockwise), no `crs` member.
Every feature's properties name its layer and carry its row and its sources;
a zone with no control row that day is a feature too, saying so.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import shapely

from viewer.export.files import atomic_target, check_target
from viewer.model.dataset import Dataset, plain_records
from viewer.model.dates import to_day
from viewer.model.unknowns import NO_INFO_NOTE, NO_STATUS_NOTE, Unknowns
from viewer.model.zones import UNKNOWN, control_zones, zone_keys


def feature_collection(dataset: Dataset, day: dt.date) -> dict:
    control = dataset.control_on(day)
    flows = dataset.flows_on(day)
    names = {key: zone.name for key, zone in control_zones(dataset).items()}
    features = []
    for key, record, shape in zip(zone_keys(control), plain_records(control), control.geometry):
        features.append(_feature(shape, {"layer": "control", "zone": names.get(key, key),
                                         "actor_name": dataset.actor_name(record["actor_id"]),
                                         **record}, dataset))
    held = set(zone_keys(control))
    unknowns = Unknowns(dataset)
    for key, zone in control_zones(dataset).items():
        if key not in held:
            # A control_gaps row says why (a placeholder the compilers ask not to draw):
            # its id, reason and note go with the zone.
            gap = unknowns.gap_row(key, day) or {}
            features.append(_feature(zone.geometry, {
                "layer": "control", "zone": zone.name, "area_id": key, "status": UNKNOWN,
                **{k: gap[k] for k in ("gap_id", "reason") if k in gap},
                "note": gap.get("note") or NO_INFO_NOTE,
                "source_ids": gap.get("source_ids")}, dataset))
    for record, line in zip(plain_records(flows), flows.geometry):
        features.append(_feature(line, {"layer": "flows", **record}, dataset))
    # A route no row speaks of on the date is drawn "status unknown", not left out (it
    # vanished from web maps while the window drew it).
    for row in unknowns.unknown_route_rows(dataset.flow_index.indices(to_day(day))):
        route = dataset.flows.iloc[row]
        features.append(_feature(route.geometry, {
            "layer": "flows", "route_id": route["route_id"], "status": UNKNOWN,
            "note": NO_STATUS_NOTE, "source_ids": None}, dataset))
    current_to = dataset.data_current_to
    # Past the latest fact the features are the last known state, and the file says so.
    return {"type": "FeatureCollection", "title": dataset.title, "date": day.isoformat(),
            "data_current_to": current_to.isoformat() if current_to else None,
            "last_known_state": dataset.beyond_data(day),
            "attribution": dataset.meta.get("attribution", ""), "features": features}


def write_geojson(dataset: Dataset, day: dt.date, path: str | os.PathLike, *,
                  overwrite: bool = False) -> Path:
    """Write what holds on `day`; the file appears only once complete."""
    path = Path(path)
    check_target(path, overwrite)
    text = json.dumps(feature_collection(dataset, day), ensure_ascii=False, indent=1)
    with atomic_target(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return path


def _feature(shape, properties: dict, dataset: Dataset) -> dict:
    properties["sources"] = dataset.source_records(properties.get("source_ids"))
    return {"type": "Feature", "geometry": _geometry(shape), "properties": properties}


def _geometry(shape) -> dict | None:
    if shape is None or shape.is_empty:
        return None
    oriented = shapely.orient_polygons(shape, exterior_cw=False)
    return json.loads(shapely.to_geojson(oriented), parse_float=_six)


def _six(text: str) -> float:
    return round(float(text), 6)
