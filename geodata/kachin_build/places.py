"""Places: the named places, Mandalay, a Kachin State label point and the zone towns."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from kachin_build.tables import GEO, PlaceNames, read_csv, read_geo, read_table, slug
from kachin_build.zones import zone_town_names


def coord_source_ids(coord_source: str) -> str:
    cs = coord_source or ""
    if "mm-geo-coder" in cs:
        return "geo-mimu-place-codes"
    if "GeoNames" in cs:
        return "geo-geonames"
    if "Natural Earth" in cs:
        return "geo-natural-earth"
    if "wiki" in cs.lower():
        return "geo-wikipedia-coords"
    raise ValueError(f"unknown coordinate source: {coord_source!r}")


def place_row(place_id, name, kind, note, source_ids, coord_source, point, name_alt=None,
              country="MMR", town_pcode=None) -> dict:
    return {"place_id": place_id, "name": name, "name_alt": name_alt, "kind": kind,
            "country": country, "note": note, "source_ids": source_ids,
            "coord_source": coord_source, "town_pcode": town_pcode, "geometry": point}


def named_places(names: PlaceNames) -> list[dict]:
    """Every named_places.csv row, except a second spelling of a place that has its own
    row (Hsawlaw is Tsawlaw): one place, the other spelling kept in name_alt."""
    named = read_csv(GEO / "named_places.csv")
    own_ids = {slug(n) for n in named["name"]}
    rows = []
    for r in named.itertuples(index=False):
        pid = names.place_id(r.name)
        if pid != slug(r.name) and pid in own_ids:
            continue
        rows.append(place_row(pid, r.name, r.kind, r.note, coord_source_ids(r.coord_source),
                              r.coord_source, shapely.Point(float(r.lon), float(r.lat)),
                              name_alt=r.name_alt, country=r.country_iso3))
    return rows


def mandalay() -> dict:
    """Named by an event; its coordinate comes from Natural Earth populated places."""
    pp = read_geo("populated_places_ne10m_v4_bbox.geojson")
    m = pp[pp["name"] == "Mandalay"].iloc[0]
    return place_row(
        "mandalay", "Mandalay", "city",
        "Mandalay Region capital, near the epicentre of the March 2025 earthquake",
        "geo-natural-earth",
        "Natural Earth 10m populated places v4.0.0 "
        "(geodata/src/geo/populated_places_ne10m_v4_bbox.geojson), point geometry",
        shapely.Point(m.geometry.x, m.geometry.y))


def kachin_state_point(admin1) -> dict:
    """Events that name only the state sit at its Natural Earth label point."""
    k = admin1[(admin1["adm0_a3"] == "MMR") & (admin1["name"] == "Kachin")].iloc[0]
    return place_row(
        "kachin-state", "Kachin State", "state",
        "Label point of the state; events that name only Kachin State are placed here, "
        "which is not a specific location",
        "geo-natural-earth",
        "Natural Earth admin-1 label point (latitude/longitude fields of "
        "geodata/src/geo/admin1_states_provinces_ne10m_bbox.geojson)",
        shapely.Point(float(k["longitude"]), float(k["latitude"])))


def zone_town(t, names: PlaceNames) -> dict:
    name, alt = names.display(t.town)
    return place_row(
        names.place_id(t.town), name, "town",
        f"Town in {t.township} Township ({t.state}); MIMU town point "
        f"(median of its ward points{'; ' + t.note if t.note else ''})",
        "geo-mimu-place-codes", t.coord_source, shapely.Point(float(t.lon), float(t.lat)),
        name_alt=alt, town_pcode=t.town_pcode)


def build_places(admin1, towns: pd.DataFrame, names: PlaceNames) -> gpd.GeoDataFrame:
    places = pd.DataFrame(named_places(names) + [mandalay(), kachin_state_point(admin1)])
    # MIMU town points: pcodes for matching named places, new rows for other zone towns
    by_id = {pid: i for i, pid in enumerate(places["place_id"])}
    zone_towns = zone_town_names(towns)
    extra = []
    for t in towns.itertuples(index=False):
        pid = names.place_id(t.town)
        if pid in by_id:
            places.loc[by_id[pid], "town_pcode"] = t.town_pcode
        elif t.town in zone_towns:
            extra.append(zone_town(t, names))
    places = pd.concat([places, pd.DataFrame(extra)], ignore_index=True)
    for r in read_table("place_kinds.csv").itertuples(index=False):
        places.loc[places["place_id"] == r.place_id, "kind"] = r.kind
    dup = places["place_id"].duplicated()
    if dup.any():
        raise ValueError(f"duplicate place ids: {places[dup].place_id.tolist()}")
    return gpd.GeoDataFrame(places, geometry="geometry", crs=4326)
