"""Natural Earth base layers, with bulky attribute columns dropped."""
from __future__ import annotations

import geopandas as gpd

from kachin_build.tables import read_geo
from kachin_build.zones import to_multi


def base_layer(name: str, keep: list[str], multi: bool = True) -> gpd.GeoDataFrame:
    g = read_geo(name)
    g = g[keep + ["geometry"]].copy()
    if multi:
        g["geometry"] = [to_multi(x) for x in g.geometry]
    g["source_ids"] = "geo-natural-earth"
    return g


def build_base_layers() -> dict[str, gpd.GeoDataFrame]:
    country_cols = ["adm0_a3", "iso_a3", "name", "name_long", "name_en", "name_zh",
                    "label_x", "label_y", "min_zoom", "scalerank"]
    return {
        "base_countries": base_layer("admin0_countries_ne10m_bbox.geojson", country_cols),
        "base_countries_context": base_layer("admin0_countries_ne10m_whole_simplified.geojson",
                                             country_cols),
        "base_admin1": base_layer("admin1_states_provinces_ne10m_bbox.geojson",
                                  ["adm1_code", "iso_3166_2", "name", "name_en", "name_alt",
                                   "type_en", "admin", "adm0_a3", "name_zh", "latitude",
                                   "longitude"]),
        "base_borders": base_layer("admin0_boundary_lines_ne10m_bbox.geojson",
                                   ["adm0_a3_l", "adm0_a3_r", "name_l", "name_r"]),
        "base_disputed_areas": base_layer("admin0_disputed_areas_ne10m_v4_bbox.geojson",
                                          ["featurecla", "type", "admin", "adm0_a3", "name",
                                           "name_long", "note_brk", "brk_name", "sovereignt"]),
        "base_disputed_lines": base_layer("admin0_disputed_claim_lines_ne10m_v4_bbox.geojson",
                                          ["featurecla", "name", "note", "adm0_left",
                                           "adm0_right"]),
        "base_rivers": base_layer("rivers_lake_centerlines_ne10m_v4_bbox.geojson",
                                  ["name", "name_alt", "name_en", "featurecla", "scalerank",
                                   "min_zoom", "min_label"]),
        "base_lakes": base_layer("lakes_ne10m_v4_bbox.geojson",
                                 ["name", "name_alt", "featurecla", "scalerank", "min_zoom"]),
    }


