"""Town zones: Voronoi areas around town points, clipped to their state (geometry only)."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from kachin_build.tables import PlaceNames

METRIC_CRS = "EPSG:32647"  # UTM 47N, metres; used for Voronoi and buffers
EQUAL_AREA = "+proj=aea +lat_0=25 +lon_0=97.5 +lat_1=22 +lat_2=28 +datum=WGS84 +units=m +no_defs"
GRID = 1e-5  # output grid in degrees, the same as the source GeoJSON
BORDER_REACH_M = 5_000  # cap on how far a zone may reach past NE's border to hold its town
SHAN_ZONE_RADIUS_M = 40_000  # Shan (North) zones are limited to this radius
SHAN_ZONE_TOWNS = ("Lashio",)  # Shan (North) towns that events name and that get a zone
EXTRA_KACHIN_SEEDS = ("laiza", "mai-ja-yang")  # seeds that are not in the MIMU town list


def to_multi(g):
    if g is None or g.is_empty:
        return g
    if g.geom_type == "Polygon":
        return shapely.MultiPolygon([g])
    if g.geom_type == "MultiPolygon":
        return g
    if g.geom_type == "GeometryCollection":
        polys = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
        return to_multi(shapely.union_all(polys))
    if g.geom_type == "LineString":
        return shapely.MultiLineString([g])
    return g


def on_grid(g):
    return shapely.set_precision(g, GRID)


class Projector:
    def __init__(self):
        self.fwd = Transformer.from_crs(4326, METRIC_CRS, always_xy=True)
        self.inv = Transformer.from_crs(METRIC_CRS, 4326, always_xy=True)
        self.ea = Transformer.from_crs(4326, EQUAL_AREA, always_xy=True)

    @staticmethod
    def _apply(transformer, g):
        return shapely.transform(g, lambda xy: np.column_stack(transformer.transform(xy[:, 0],
                                                                                     xy[:, 1])))

    def to_m(self, g):
        return self._apply(self.fwd, g)

    def to_deg(self, g):
        return self._apply(self.inv, g)

    def area_km2(self, g) -> float:
        return round(self._apply(self.ea, g).area / 1e6, 1)


def voronoi_cells(points_m: list) -> list:
    mp = shapely.MultiPoint(points_m)
    minx, miny, maxx, maxy = mp.bounds
    env = shapely.box(minx - 300_000, miny - 300_000, maxx + 300_000, maxy + 300_000)
    cells = list(shapely.get_parts(shapely.voronoi_polygons(mp, extend_to=env, ordered=True)))
    if len(cells) != len(points_m):
        raise RuntimeError("Voronoi cell count mismatch")
    for p, c in zip(points_m, cells):
        if not c.covers(p):
            raise RuntimeError("Voronoi cell does not hold its seed")
    return cells


def town_seed(t, names: PlaceNames) -> dict:
    return {"town": t.town, "place_id": names.place_id(t.town), "town_mimu": t.town,
            "town_pcode": t.town_pcode, "seed": shapely.Point(float(t.lon), float(t.lat)),
            "seed_source": "MIMU town point (towns_kachin_shan_north.csv)"}


def kachin_towns(towns: pd.DataFrame) -> pd.DataFrame:
    """Kachin town-list rows with a distinct point (township seats win a shared point:
    Nammatee shares Mogaung's)."""
    kt = towns[towns["state"] == "Kachin"].copy()
    kt["seat"] = (kt["is_township_seat"] == "yes").astype(int)
    kt = kt.sort_values(["seat"], ascending=False, kind="stable")
    return kt.drop_duplicates(subset=["lon", "lat"], keep="first")


def zone_town_names(towns: pd.DataFrame) -> set[str]:
    """Town-list names that get a zone (and so a place)."""
    return set(kachin_towns(towns)["town"]) | set(SHAN_ZONE_TOWNS)


def kachin_seeds(towns: pd.DataFrame, places: gpd.GeoDataFrame, names: PlaceNames) -> list:
    """One seed per distinct town point in Kachin, plus Laiza and Mai Ja Yang."""
    seeds = [town_seed(t, names) for t in kachin_towns(towns).itertuples(index=False)]
    pl = places.set_index("place_id")
    for pid in EXTRA_KACHIN_SEEDS:
        row = pl.loc[pid]
        seeds.append({"town": row["name"], "place_id": pid, "town_mimu": None,
                      "town_pcode": None, "seed": row.geometry,
                      "seed_source": "named_places.csv point "
                                     f"({row['coord_source'].split(',')[0]})"})
    seeds.sort(key=lambda s: s["place_id"])
    return seeds


def reach_across_border(zone, cell, points, other_mmr, proj: Projector):
    """Extend `zone` just past the generalised border so it holds each of `points`
    (a disc of radius distance + 1 km, at most BORDER_REACH_M, inside its own cell)."""
    extended = False
    for p in points:
        if zone.covers(p):
            continue
        pm, km = proj.to_m(p), proj.to_m(zone)
        reach = min(pm.distance(km) + 1_000, BORDER_REACH_M)
        disc = proj.to_deg(pm.buffer(reach, quad_segs=16))
        zone = shapely.union_all([zone, disc.intersection(cell).difference(other_mmr)])
        extended = True
    return zone, extended


def kachin_zone_note(label: str, seed_source: str, extended: bool) -> str:
    note = (f"Area nearest to {label} (Voronoi zone of MIMU town points, clipped to "
            f"Kachin State), not a surveyed boundary.")
    if seed_source.startswith("named_places"):
        note += (f" {label} is not in the MIMU town list, so its named-place point was added "
                 "as a seed.")
    if extended:
        note += (" The town point lies just outside Natural Earth's generalised border, so "
                 "the zone is extended across that line, inside its own Voronoi cell, by a "
                 "disc around the town whose radius is the town's distance to the line "
                 "plus 1 km.")
    return note


def kachin_zones(mmr, towns, places, names: PlaceNames, proj: Projector) -> list[dict]:
    kachin = mmr[mmr["name"] == "Kachin"].geometry.iloc[0]
    other_mmr = shapely.union_all(list(mmr[mmr["name"] != "Kachin"].geometry))
    pl = places.set_index("place_id")
    seeds = kachin_seeds(towns, places, names)
    cells_m = voronoi_cells([proj.to_m(s["seed"]) for s in seeds])
    zones = []
    for s, cell_m in zip(seeds, cells_m):
        cell = proj.to_deg(cell_m)
        must_cover = [s["seed"]]
        if s["place_id"] in pl.index:
            must_cover.append(pl.loc[s["place_id"]].geometry)
        zone, extended = reach_across_border(cell.intersection(kachin), cell, must_cover,
                                             other_mmr, proj)
        zone = to_multi(on_grid(zone))
        if not all(zone.covers(p) for p in must_cover):
            raise RuntimeError(f"zone of {s['town']} does not hold its point")
        label = pl["name"].get(s["place_id"], s["town"])
        zones.append({**s, "name": f"{label} zone", "parent_id": "state-kachin",
                      "geometry": zone,
                      "note": kachin_zone_note(label, s["seed_source"], extended)})
    return zones


def shan_zones(mmr, towns, places, names: PlaceNames, proj: Projector) -> list[dict]:
    """Shan (North): Voronoi of its towns (plus Muse), clipped to Shan, 40 km reach."""
    shan = mmr[mmr["name"] == "Shan"].geometry.iloc[0]
    pl = places.set_index("place_id")
    st = towns[towns["state"] == "Shan North"].drop_duplicates(subset=["lon", "lat"])
    seeds = [town_seed(t, names) for t in st.itertuples(index=False)]
    seeds.append({"town": "Muse", "place_id": "muse", "town_mimu": None, "town_pcode": None,
                  "seed": pl.loc["muse"].geometry,
                  "seed_source": "named_places.csv point (Muse is missing from the MIMU list)"})
    zones = []
    for s, cell_m in zip(seeds, voronoi_cells([proj.to_m(s["seed"]) for s in seeds])):
        if s["town"] not in SHAN_ZONE_TOWNS:
            continue
        reach = proj.to_m(s["seed"]).buffer(SHAN_ZONE_RADIUS_M, quad_segs=32)
        zone = to_multi(on_grid(proj.to_deg(cell_m.intersection(reach)).intersection(shan)))
        if not (zone.covers(s["seed"]) and zone.covers(pl.loc[s["place_id"]].geometry)):
            raise RuntimeError(f"zone of {s['town']} does not hold its point")
        label = pl["name"].get(s["place_id"], s["town"])
        zones.append({**s, "name": f"{label} zone", "parent_id": "state-shan",
                      "geometry": zone,
                      "note": f"Area nearest to {label} (Voronoi zone of MIMU town points of "
                              f"Shan State (North), plus Muse), not a surveyed boundary; clipped "
                              f"to Shan State and limited to {SHAN_ZONE_RADIUS_M // 1000} km "
                              f"around the town."})
    return zones


def state_row(area_id: str, name: str, geometry, note: str, proj: Projector) -> dict:
    return {"area_id": area_id, "name": name, "name_alt": None, "kind": "state",
            "parent_id": None, "source_ids": "geo-natural-earth", "note": note, "town": None,
            "town_mimu": None, "town_pcode": None, "place_id": None, "seed_source": None,
            "area_km2": proj.area_km2(geometry), "geometry": to_multi(geometry)}


def build_areas(admin1, towns, places, names: PlaceNames) -> gpd.GeoDataFrame:
    """State polygons and one town zone per distinct town point (see geodata/README.md)."""
    proj = Projector()
    mmr = admin1[admin1["adm0_a3"] == "MMR"]
    rows = [
        state_row("state-kachin", "Kachin State", mmr[mmr["name"] == "Kachin"].geometry.iloc[0],
                  "Natural Earth 1:10m admin-1 polygon (rebuilt from NE boundary lines; see "
                  "geodata/src/PROVENANCE.md)", proj),
        state_row("state-shan", "Shan State", mmr[mmr["name"] == "Shan"].geometry.iloc[0],
                  "Natural Earth 1:10m admin-1 polygon, clipped to the map area (the whole "
                  "state, not only Shan (North))", proj),
    ]
    alt = places.set_index("place_id")["name_alt"]
    for z in (kachin_zones(mmr, towns, places, names, proj)
              + shan_zones(mmr, towns, places, names, proj)):
        src = ["geo-mimu-place-codes", "geo-natural-earth"]
        if "wiki" in z["seed_source"].lower():
            src.append("geo-wikipedia-coords")
        rows.append({
            "area_id": f"zone-{z['place_id']}", "name": z["name"],
            "name_alt": alt.get(z["place_id"]), "kind": "town_zone",
            "parent_id": z["parent_id"], "source_ids": ";".join(src), "note": z["note"],
            "town": z["name"][: -len(" zone")], "town_mimu": z["town_mimu"],
            "town_pcode": z["town_pcode"], "place_id": z["place_id"],
            "seed_source": z["seed_source"], "area_km2": proj.area_km2(z["geometry"]),
            "geometry": z["geometry"],
        })
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=4326)
