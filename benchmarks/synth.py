"""Deterministic synthetic briefing datasets at scale N, in the real format.

Scale 1 has roughly the embedded dataset's counts (about 20 zones with three
control periods each, 60 places, 72 events, 20 flow rows); scale N has N times
as many zones, control rows, places, flows and events. Each zone is a
star-shaped polygon of 500-1,700 vertices (realistic town-zone detail), so at
scale 100 the control layer holds about 6,000 polygons and 6.6 million
vertices, of which about a third hold on any day.

    python benchmarks/synth.py --scale 100 --out /tmp/synth-100.gpkg
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from viewer.io.gpkg_write import write_gpkg  # noqa: E402

START, END = dt.date(2021, 1, 1), dt.date(2026, 1, 1)
ACTORS = [("KIA", "#0072B2"), ("SAC", "#D55E00"), ("BGF", "#E69F00"), ("MNDAA", "#009E73")]
ZONES_PER_SCALE = 20
REGION = (96.0, 23.0, 99.5, 28.0)  # lon/lat box the zones are spread over


def zone_polygon(rng: np.random.Generator, cx: float, cy: float, radius: float) -> MultiPolygon:
    vertices = int(rng.integers(500, 1700))
    angles = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    wobble = 1 + 0.12 * np.sin(angles * rng.integers(3, 9)) + 0.04 * rng.standard_normal(vertices)
    r = radius * np.clip(wobble, 0.7, 1.3)
    return MultiPolygon([Polygon(np.column_stack([cx + r * np.cos(angles), cy + r * np.sin(angles)]))])


def zone_grid(count: int) -> tuple[np.ndarray, np.ndarray, float]:
    side = int(np.ceil(np.sqrt(count)))
    xs = np.linspace(REGION[0], REGION[2], side + 2)[1:-1]
    ys = np.linspace(REGION[1], REGION[3], side + 2)[1:-1]
    gx, gy = np.meshgrid(xs, ys)
    spacing = min((REGION[2] - REGION[0]), (REGION[3] - REGION[1])) / (side + 1)
    return gx.ravel()[:count], gy.ravel()[:count], spacing * 0.45


def day_between(rng: np.random.Generator, low: dt.date, high: dt.date) -> dt.date:
    return low + dt.timedelta(days=int(rng.integers(1, max((high - low).days, 2))))


def synthetic_layers(scale: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_zones = ZONES_PER_SCALE * scale
    xs, ys, radius = zone_grid(n_zones)
    zones = [zone_polygon(rng, x, y, radius) for x, y in zip(xs, ys)]
    area_ids = [f"zone-{i}" for i in range(n_zones)]

    control_rows, control_geoms = [], []
    for i, (area_id, shape) in enumerate(zip(area_ids, zones)):
        first = day_between(rng, dt.date(2023, 1, 1), dt.date(2024, 12, 1))
        second = day_between(rng, first, END)
        periods = [(START, first, "SAC", "estimated"), (first, second, "KIA", "confirmed"),
                   (second, None, ACTORS[i % 4][0], "reported")]
        for k, (start, end, actor, confidence) in enumerate(periods):
            control_rows.append({
                "control_id": f"c{i}-{k}", "area_id": area_id, "actor_id": actor,
                "status": "contested" if k == 2 and i % 5 == 0 else "held",
                "contested_with": "SAC" if k == 2 and i % 5 == 0 else None,
                "valid_from": start, "valid_to": end, "confidence": confidence,
                "source_ids": "syn-1", "note": None})
            control_geoms.append(shape)

    n_places = 60 * scale
    place_x = rng.uniform(REGION[0], REGION[2], n_places)
    place_y = rng.uniform(REGION[1], REGION[3], n_places)
    kinds = np.array(["town", "city", "mine", "border_crossing", "headquarters"])
    places = gpd.GeoDataFrame({
        "place_id": [f"p{i}" for i in range(n_places)],
        "name": [f"Place {i}" for i in range(n_places)],
        "kind": kinds[rng.integers(0, len(kinds), n_places)],
        "country": "MMR", "source_ids": "syn-1"},
        geometry=[Point(x, y) for x, y in zip(place_x, place_y)], crs=4326)

    flow_rows, flow_geoms = [], []
    for r in range(10 * scale):
        a, b = rng.integers(0, n_places, 2)
        halt = day_between(rng, dt.date(2023, 1, 1), END)
        for k, (start, end, status) in enumerate([(START, halt, "active"), (halt, None, "halted")]):
            flow_rows.append({"flow_id": f"f{r}-{k}", "route_id": f"r{r}",
                              "from_place_id": f"p{a}", "to_place_id": f"p{b}",
                              "commodity": "rare earths", "status": status,
                              "valid_from": start, "valid_to": end, "volume": None,
                              "volume_unit": None, "source_ids": "syn-1", "note": None})
            flow_geoms.append(LineString([(place_x[a], place_y[a]), (place_x[b], place_y[b])]))

    n_events = 72 * scale
    event_places = rng.integers(0, n_places, n_events)
    categories = np.array(["control", "military", "trade", "diplomacy", "policy", "market"])
    events = gpd.GeoDataFrame({
        "event_id": [f"e{i}" for i in range(n_events)],
        "date": [day_between(rng, START, END) for _ in range(n_events)],
        "date_precision": np.where(rng.random(n_events) < 0.2, "month", "day"),
        "end_date": None, "title": [f"Event {i}" for i in range(n_events)],
        "summary": "Synthetic event.", "category": categories[rng.integers(0, 6, n_events)],
        "place_id": [f"p{p}" for p in event_places], "actor_ids": "KIA;SAC",
        "source_ids": "syn-1", "confidence": "reported",
        "importance": rng.integers(1, 4, n_events)},
        geometry=[places.geometry.iloc[p] for p in event_places], crs=4326)

    months = pd.date_range(START, END, freq="MS").date
    series = pd.DataFrame({"series_id": "synthetic_imports_t", "date": months,
                           "value": np.round(rng.uniform(100, 3000, len(months)), 1),
                           "unit": "t_per_month", "label": "Synthetic imports",
                           "source_ids": "syn-1", "note": None})
    region = Polygon([(REGION[0] - 1, REGION[1] - 1), (REGION[2] + 1, REGION[1] - 1),
                      (REGION[2] + 1, REGION[3] + 1), (REGION[0] - 1, REGION[3] + 1)])
    return {
        "dataset_meta": pd.DataFrame({"key": ["title", "time_start", "time_end", "default_date",
                                              "schema_version", "license", "attribution"],
                                      "value": [f"Synthetic briefing ×{scale}", START.isoformat(),
                                                END.isoformat(), "2024-11-20", "1",
                                                "CC0", "Synthetic data for benchmarks"]}),
        "sources": pd.DataFrame({"source_id": ["syn-1"], "outlet": ["Synthetic"],
                                 "title": ["Generated by benchmarks/synth.py"],
                                 "published": [None]}),
        "actors": pd.DataFrame({"actor_id": [a for a, _ in ACTORS], "name": [a for a, _ in ACTORS],
                                "color": [c for _, c in ACTORS]}),
        "places": places,
        "areas": gpd.GeoDataFrame({"area_id": area_ids, "name": [f"Zone {i}" for i in range(n_zones)],
                                   "kind": "town_zone", "source_ids": "syn-1"},
                                  geometry=zones, crs=4326),
        "control": gpd.GeoDataFrame(control_rows, geometry=control_geoms, crs=4326),
        "flows": gpd.GeoDataFrame(flow_rows, geometry=flow_geoms, crs=4326),
        "events": events,
        "series": series,
        "base_countries": gpd.GeoDataFrame({"name": ["Region"]}, geometry=[region], crs=4326),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    write_gpkg(synthetic_layers(args.scale, args.seed), args.out, overwrite=True)
    print(f"wrote {args.out} at scale {args.scale}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
