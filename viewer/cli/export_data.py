"""`kachin-viewer export --kml FILE` and `--geojson FILE --date D`: data for other tools.

KML carries every date (placemarks with time spans, for Google Earth's time
slider); GeoJSON carries what holds on one date, for web maps. Neither needs Qt.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from viewer.cli.common import CliError, in_range, list_written, load

# What only pictures use: given with --kml or --geojson, each was ignored without a word.
IMAGE_OPTIONS = (("--out", "out"), ("--out-dir", "out_dir"), ("--dates", "dates"),
                 ("--every", "every"), ("--from", "start"), ("--to", "end"),
                 ("--key-events", "key_events"), ("--extent", "extent"), ("--layers", "layers"),
                 ("--title", "title"), ("--caption", "caption"), ("--briefing", "briefing"),
                 ("--pdf", "pdf"), ("--width", "width"), ("--height", "height"), ("--dpi", "dpi"),
                 ("--fps", "fps"), ("--min-importance", "min_importance"), ("--paper", "paper"))
SUFFIXES = {"--kml": (".kml",), "--geojson": (".geojson", ".json")}


def run(args: argparse.Namespace) -> int:
    _check(args)
    from viewer.export.geojson import write_geojson
    from viewer.export.kml import write_kml

    dataset = load(args.dataset)

    def write() -> list:
        if args.kml:
            return [write_kml(dataset, args.kml, overwrite=args.force)]
        return [write_geojson(dataset, in_range(dataset, args.date), args.geojson, overwrite=args.force)]

    return list_written(write)


def _check(args: argparse.Namespace) -> None:
    if args.kml and args.geojson:
        raise CliError("give one of --kml or --geojson per export")
    mixed = [flag for flag, name in IMAGE_OPTIONS if getattr(args, name) not in (None, False)]
    if mixed:
        raise CliError(f"{mixed[0]} cannot be used with --kml or --geojson (they write "
                       "one data file, no drawn map)")
    flag, target = ("--kml", args.kml) if args.kml else ("--geojson", args.geojson)
    if target.suffix.lower() not in SUFFIXES[flag]:
        raise CliError(f"{flag} {target.name}: use a file name ending in "
                       f"{' or '.join(SUFFIXES[flag])}")
    if _is_the_dataset(target, args.dataset):
        raise CliError(f"{flag} {target}: that is the dataset being exported; "
                       "choose another file name")
    if args.kml and args.date is not None:
        raise CliError("--kml writes every date (as time spans); leave out --date")
    if args.geojson and args.date is None:
        raise CliError("--geojson needs --date YYYY-MM-DD (what holds on that day)")


def _is_the_dataset(target: Path, dataset) -> bool:
    """Whether writing `target` would replace the dataset's file (under any name: a
    link, a path through ..); --force does not make that wanted."""
    try:
        return isinstance(dataset, Path) and target.samefile(dataset)
    except OSError:  # one of them does not exist: they are not one file
        return False
