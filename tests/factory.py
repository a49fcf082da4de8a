"""Tiny briefing datasets built in tests: two towns, two actors, one route."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import LineString, MultiPolygon, Point, box

WEST = MultiPolygon([box(97.0, 25.0, 97.5, 25.5)])
EAST = MultiPolygon([box(97.5, 25.0, 98.0, 25.5)])


def tiny_layers() -> dict[str, pd.DataFrame]:
    """A valid dataset: KIA takes the east zone on 2024-10-19; a route halts 2024-10-22."""
    meta = pd.DataFrame({"key": ["title", "time_start", "time_end", "default_date",
                                 "schema_version", "attribution", "license"],
                         "value": ["Tiny test briefing", "2024-01-01", "2025-01-01",
                                   "2024-06-01", "1", "Test data", "CC0"]})
    sources = pd.DataFrame({"source_id": ["s1", "s2"], "outlet": ["Outlet A", "Outlet B"],
                            "title": ["Report one", "Report two"], "author": [None, "X"],
                            "published": ["2024-10-20", None], "url": ["https://a.example/1", None],
                            "note": [None, None]})
    actors = pd.DataFrame({"actor_id": ["KIA", "SAC"], "name": ["Kachin Independence Army", "Junta"],
                           "kind": ["armed_group", "government"], "color": ["#0072B2", "#D55E00"],
                           "note": [None, None]})
    places = gpd.GeoDataFrame({"place_id": ["west", "east"], "name": ["Westtown", "Easttown"],
                               "kind": ["town", "border_crossing"], "country": ["MMR", "MMR"],
                               "source_ids": ["s1", "s1"]},
                              geometry=[Point(97.25, 25.25), Point(97.75, 25.25)], crs=4326)
    areas = gpd.GeoDataFrame({"area_id": ["zone-west", "zone-east"],
                              "name": ["Westtown zone", "Easttown zone"],
                              "kind": ["town_zone", "town_zone"], "parent_id": [None, None],
                              "source_ids": ["s1", "s1"]}, geometry=[WEST, EAST], crs=4326)
    control = gpd.GeoDataFrame({
        "control_id": ["c1", "c2", "c3"], "area_id": ["zone-west", "zone-east", "zone-east"],
        "actor_id": ["SAC", "SAC", "KIA"], "status": ["held", "held", "held"],
        "contested_with": [None, None, None],
        "valid_from": ["2024-01-01", "2024-01-01", "2024-10-19"],
        "valid_to": [None, "2024-10-19", None],
        "confidence": ["estimated", "estimated", "confirmed"],
        "source_ids": ["s1", "s1", "s1;s2"], "note": [None, None, None]},
        geometry=[WEST, EAST, EAST], crs=4326)
    flows = gpd.GeoDataFrame({
        "flow_id": ["f1", "f2"], "route_id": ["r1", "r1"],
        "from_place_id": ["west", "west"], "to_place_id": ["east", "east"],
        "commodity": ["rare earths", "rare earths"], "status": ["active", "halted"],
        "valid_from": ["2024-01-01", "2024-10-22"], "valid_to": ["2024-10-22", None],
        "volume": [None, None], "volume_unit": [None, None],
        "source_ids": ["s1", "s2"], "note": [None, None]},
        geometry=[LineString([(97.25, 25.25), (97.75, 25.25)])] * 2, crs=4326)
    events = gpd.GeoDataFrame({
        "event_id": ["e1", "e2", "e3"], "date": ["2024-10-19", "2024-10-01", "2024-10-22"],
        "date_precision": ["day", "month", "day"], "end_date": [None, None, None],
        "title": ["KIA takes Easttown", "Month-only event", "Gate closes"],
        "summary": ["s", "s", "s"], "category": ["control", "trade", "trade"],
        "place_id": ["east", None, "east"], "actor_ids": ["KIA;SAC", "KIA", None],
        "source_ids": ["s1", "s2", "s2"], "confidence": ["confirmed", "reported", "reported"],
        "importance": [3, 1, 2]},
        geometry=[Point(97.75, 25.25), None, Point(97.75, 25.25)], crs=4326)
    series = pd.DataFrame({"series_id": ["imports", "imports", "imports"],
                           "date": ["2024-02-01", "2024-08-01", "2025-01-01"],
                           "value": [100.0, 80.0, 10.0], "unit": ["t_per_month"] * 3,
                           "label": ["Imports"] * 3, "source_ids": ["s1", "s1", "s2"],
                           "note": [None, "DERIVED from s1", None]})
    base = gpd.GeoDataFrame({"name": ["Myanmar"]}, geometry=[box(96.5, 24.5, 98.5, 26.0)], crs=4326)
    return {"dataset_meta": meta, "sources": sources, "actors": actors, "places": places,
            "areas": areas, "control": control, "flows": flows, "events": events,
            "series": series, "base_countries": base}


def write_layers(layers: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write layers as they are (dates as text), so tests can plant any defect."""
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=path.exists())
    return path


def write_tiny(path: Path, **changes) -> Path:
    layers = tiny_layers()
    layers.update(changes)
    return write_layers(layers, path)


def tiny_gpkg(path: Path, **extra: pd.DataFrame) -> Path:
    """The tiny briefing as the project's writer writes it (DATE columns, R-tree
    triggers, a REAL volume column): the file an analyst edits; `extra` layers added."""
    from viewer.io.gpkg_write import write_gpkg

    layers = dict(tiny_layers(), **extra)
    layers["flows"]["volume"] = layers["flows"]["volume"].astype(float)
    write_gpkg(layers, path)
    return path


def briefing_layers() -> dict[str, pd.DataFrame]:
    """A two-chapter briefing over the tiny dataset: before and after KIA takes Easttown."""
    chapters = pd.DataFrame({
        "chapter_id": ["b-01", "b-02"], "briefing_id": ["main", "main"], "position": [2, 1],
        "date": ["2024-10-25", "2024-06-01"],
        "extent": ["97.5,25.0,98.0,25.5", None], "layers": ["base;control;places;labels", None],
        "title": ["After the capture", "Before"],
        "caption": ["Easttown zone under KIA, the route halted.", "Both zones under the junta."],
        "source_ids": ["s1;s2", "s1"], "note": [None, None]})
    briefings = pd.DataFrame({"briefing_id": ["main"], "title": ["The tiny story"], "note": [None]})
    return {"briefing_chapters": chapters, "briefings": briefings}
