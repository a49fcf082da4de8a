"""Export routes (schematic lines between places) and their status periods, from
`tables/routes.csv` and `tables/flows.csv`."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kachin_build.tables import join_ids, read_table, split_ids
from kachin_build.zones import on_grid

GEOMETRY_NOTE = "schematic: straight segments between places, not the road"
NO_VOLUME = " No source gives a volume for this route, so volume is empty."


def build_flows(places: gpd.GeoDataFrame, events: pd.DataFrame) -> gpd.GeoDataFrame:
    ev_src = {r.event_id: split_ids(r.source_ids) for r in events.itertuples(index=False)}
    pts = dict(zip(places["place_id"], places.geometry))
    routes = read_table("routes.csv").set_index("route_id")
    rows, counters = [], {}
    for f in read_table("flows.csv").itertuples(index=False):
        route = routes.loc[f.route_id]
        stops = split_ids(route.place_ids)
        counters[f.route_id] = counters.get(f.route_id, 0) + 1
        evs = split_ids(f.event_ids)
        rows.append({
            "flow_id": f"{f.route_id}-{counters[f.route_id]}", "route_id": f.route_id,
            "route_name": route["name"], "from_place_id": stops[0], "to_place_id": stops[-1],
            "via_place_ids": route.place_ids, "commodity": "rare earths", "status": f.status,
            "valid_from": f.valid_from, "valid_to": f.valid_to, "volume": np.nan,
            "volume_unit": None, "confidence": f.confidence,
            "source_ids": join_ids(s for e in evs for s in ev_src[e]),
            "event_ids": f.event_ids, "date_precision": f.date_precision,
            "note": f.note + " Route: " + route.note + NO_VOLUME,
            "geometry_note": GEOMETRY_NOTE,
            "geometry": on_grid(shapely.LineString([pts[p] for p in stops])),
        })
    df = pd.DataFrame(rows)
    df["volume"] = df["volume"].astype(float)
    df = df.sort_values(["route_id", "valid_from"], kind="stable").reset_index(drop=True)
    return gpd.GeoDataFrame(df, geometry="geometry", crs=4326)
