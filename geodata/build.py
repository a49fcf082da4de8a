#!/usr/bin/env python3
"""Build the embedded briefing dataset ``geodata/kachin.gpkg``.

Usage (from the repository root)::

    python geodata/build.py [--out PATH]

Reads only files inside the repository (``geodata/src/...``), needs no network,
and writes the GeoPackage with :func:`viewer.io.gpkg_write.write_gpkg`
(deterministic: building twice gives identical files).  This file holds only the
steps; the data are in ``geodata/src/`` (shared facts in ``facts/``, geodata in
``geo/``, the project's own tables in ``tables/``) and each step lives in
``geodata/kachin_build/``.  Every modelling decision is described in
``geodata/README.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for folder in (REPO, REPO / "geodata"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from kachin_build.base import build_base_layers  # noqa: E402
from kachin_build.briefing import build_briefing  # noqa: E402
from kachin_build.checks import check  # noqa: E402
from kachin_build.control import build_control, build_gaps, control_periods  # noqa: E402
from kachin_build.facts import build_actors, build_events, build_meta, build_series, build_sources  # noqa: E402
from kachin_build.flows import build_flows  # noqa: E402
from kachin_build.places import build_places  # noqa: E402
from kachin_build.qgis_style import write_qgis_styles  # noqa: E402
from kachin_build.tables import FACTS, GEO, PlaceNames, read_csv, read_geo, read_table  # noqa: E402
from kachin_build.zones import build_areas  # noqa: E402

from viewer.io.gpkg_write import write_gpkg  # noqa: E402

DEFAULT_OUT = REPO / "geodata" / "kachin.gpkg"


def build_layers() -> dict:
    """Every layer, in the order written; a new layer is one more step here."""
    names = PlaceNames()
    admin1 = read_geo("admin1_states_provinces_ne10m_bbox.geojson")
    towns = read_csv(GEO / "towns_kachin_shan_north.csv")
    events = read_csv(FACTS / "events.csv")
    places = build_places(admin1, towns, names)
    areas = build_areas(admin1, towns, places, names)
    periods, placeholders = control_periods(events, names)
    control = build_control(areas, periods)
    series = build_series()
    meta = build_meta(events, series, control)
    value = dict(zip(meta["key"], meta["value"]))
    layers = {
        "dataset_meta": meta,
        "sources": build_sources(),
        "actors": build_actors(),
        "places": places,
        "areas": areas,
        "control": control,
        "control_gaps": build_gaps(areas, control, placeholders, value["time_start"],
                                   value["time_end"], value["data_current_to"]),
        "flows": build_flows(places, events),
        "events": build_events(events, places, names),
        "series": series,
        **build_briefing(),
        **build_base_layers(),
    }
    check(layers)
    return layers


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help=f"output GeoPackage (default: {DEFAULT_OUT.relative_to(REPO)})")
    args = ap.parse_args(argv)
    layers = build_layers()
    descriptions = dict(read_table("layer_descriptions.csv").itertuples(index=False))
    write_gpkg(layers, args.out, overwrite=True, descriptions=descriptions)
    write_qgis_styles(args.out)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1e6:.2f} MB)")
    for name, df in layers.items():
        print(f"  {name:24s} {len(df):4d} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
