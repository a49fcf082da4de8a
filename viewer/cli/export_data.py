"""`kachin-viewer export --kml FILE` and `--geojson FILE --date D`: data for other tools.

KML carries every date (placemarks with time spans, for Google Earth's time
slider); GeoJSON carries what holds on one date, for web maps. Neither needs Qt.
"""
from __future__ import annotations

import argparse
import datetime as dt

from viewer.cli.common import CliError, in_range, list_written, load

IMAGE_OPTIONS = (("--out", "out"), ("--out-dir", "out_dir"), ("--dates", "dates"),
                 ("--every", "every"), ("--key-events", "key_events"))


def run(args: argparse.Namespace, day: dt.date | None) -> int:
    _check(args, day)
    from viewer.export.geojson import write_geojson
    from viewer.export.kml import write_kml

    dataset = load(args.dataset)

    def write() -> list:
        if args.kml:
            return [write_kml(dataset, args.kml, overwrite=args.force)]
        return [write_geojson(dataset, in_range(dataset, day), args.geojson, overwrite=args.force)]

    return list_written(write)


def _check(args: argparse.Namespace, day: dt.date | None) -> None:
    if args.kml and args.geojson:
        raise CliError("give one of --kml or --geojson per export")
    mixed = [flag for flag, name in IMAGE_OPTIONS if getattr(args, name)]
    if mixed:
        raise CliError(f"{mixed[0]} is for images; --kml and --geojson write one data file")
    if args.kml and day is not None:
        raise CliError("--kml writes every date (as time spans); leave out --date")
    if args.geojson and day is None:
        raise CliError("--geojson needs --date YYYY-MM-DD (what holds on that day)")
