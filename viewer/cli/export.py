"""`kachin-viewer export`: maps as PNG, briefing packs and animations, headless.

One date and `--out map.png` writes one image. Several dates (`--dates`,
`--every`, `--key-events`) write a briefing pack into `--out-dir`, or an
animation when `--out` ends in .gif or .mp4. No window and no display are
needed: without one, Qt's offscreen platform is used.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from viewer.cli import briefing, export_data
from viewer.cli.common import (EMBEDDED_DATASET, CliError, dataset_location, in_range, list_written,
                               load_soon, parse_day, parse_days)
from viewer.model.names import MAP_LAYERS
from viewer.pyside import skip_pyside_source_scan

EPILOG = """examples:
  kachin-viewer export --date 2024-11-20 --out map.png
  kachin-viewer export --dates 2024-09-01,2024-10-19 --out-dir pack/
  kachin-viewer export --every month --from 2024-06-01 --to 2025-06-01 --out-dir pack/
  kachin-viewer export --key-events --out-dir pack/
  kachin-viewer export --every week --from 2024-09-01 --to 2025-03-01 --out crisis.gif
  kachin-viewer export --kml briefing.kml          # Google Earth, with time spans
  kachin-viewer export --geojson map.geojson --date 2024-11-25   # web maps
  kachin-viewer export --briefing --pdf handout.pdf --paper letter
  kachin-viewer export --briefing --out-dir chapters/"""


def add_parsers(subparsers) -> None:
    export = subparsers.add_parser(
        "export", help="write map PNGs, a briefing pack or an animation (no window needed)",
        description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    which = export.add_argument_group("dates (choose one)")
    which.add_argument("--date", type=parse_day, help="one date, YYYY-MM-DD")
    which.add_argument("--dates", type=parse_days, help="several dates, comma-separated")
    which.add_argument("--every", choices=("day", "week", "month"),
                       help="a date every day/week/month from --from to --to")
    which.add_argument("--from", dest="start", type=parse_day,
                       help="first date for --every (default: dataset start)")
    which.add_argument("--to", dest="end", type=parse_day,
                       help="last date for --every (default: dataset end)")
    which.add_argument("--key-events", action="store_true",
                       help="the dates of the most important events")
    which.add_argument("--min-importance", type=int, choices=(1, 2, 3),
                       help="importance of events for --key-events (default 3, the highest)")
    out = export.add_argument_group("output")
    out.add_argument("--out", type=Path, help="a .png for one date; a .gif or .mp4 animation for several")
    out.add_argument("--out-dir", type=Path, help="folder for a briefing pack (numbered PNGs + index.html)")
    out.add_argument("--force", action="store_true", help="overwrite existing files")
    data = export.add_argument_group("data for other tools (instead of images)")
    data.add_argument("--kml", type=Path, help="control zones, routes and events as KML 2.2 "
                      "with time spans (Google Earth's time slider)")
    data.add_argument("--geojson", type=Path, help="what holds on --date as an RFC 7946 "
                      "FeatureCollection with properties and sources")
    look = export.add_argument_group("map")
    look.add_argument("--dataset", type=dataset_location, default=EMBEDDED_DATASET,
                      help="briefing GeoPackage or postgresql:// address "
                           "(default: the embedded Kachin dataset)")
    look.add_argument("--width", type=int, help="pixels (default 1920)")
    look.add_argument("--height", type=int, help="pixels (default 1080)")
    look.add_argument("--dpi", type=int, help="stored in the PNG for printing (default 96)")
    look.add_argument("--extent", help="minlon,minlat,maxlon,maxlat (default: the dataset's area)")
    look.add_argument("--layers", help=f"comma-separated layers to show, from: {','.join(MAP_LAYERS)}")
    look.add_argument("--title", help="title printed on the map (default: the dataset's)")
    look.add_argument("--caption", help="a caption printed under the date (one image); "
                                        "--key-events frames get each event's date and short title")
    look.add_argument("--fps", type=float, help="animation frames per second (default 2)")
    briefing.add_arguments(export)
    export.set_defaults(run=run_export)


# The options that have a default, and the default. They are left unset by the parser, so
# that one given where nothing uses it is refused rather than ignored without a word.
DEFAULTS = {"width": 1920, "height": 1080, "dpi": 96, "fps": 2.0, "min_importance": 3,
            "paper": "a4"}


def run_export(args: argparse.Namespace) -> int:
    """Check every argument before loading anything, then render."""
    if args.kml or args.geojson:
        return export_data.run(args)
    _check_where_used(args)
    for name, default in DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    options_error = _check_sizes(args)
    if options_error:
        raise CliError(options_error)
    if args.briefing is not None:
        return briefing.run_briefing_export(args, ensure_gui, _stderr_progress)
    if args.pdf is not None:
        raise CliError("--pdf needs --briefing (a handout prints a briefing's chapters)")
    mode = _output_mode(args)
    layers = _parse_layers(args.layers)
    lonlat_box = _parse_extent(args.extent)
    loaded = load_soon(args.dataset)   # read while Qt and the drawing code are set up
    ensure_gui()
    from viewer import export
    from viewer.memory import release_free_memory
    from viewer.render.prepared import PreparedMap
    from viewer.render.renderer import MapRenderer

    dataset = loaded()
    if lonlat_box is not None:
        _check_extent_shows_something(lonlat_box, dataset, args.extent)
    dates = _dates(args, dataset)
    renderer = MapRenderer(PreparedMap(dataset), one_frame=len(dates) == 1)
    release_free_memory()
    options = export.ExportOptions(
        width=args.width, height=args.height, dpi=args.dpi, layers=layers, title=args.title,
        extent=renderer.extent_from_lonlat(*lonlat_box) if lonlat_box else None,
        caption=args.caption)
    captions = export.key_event_captions(dataset, args.min_importance) if args.key_events else None

    def write() -> list[Path]:
        if mode == "png":
            if len(dates) != 1:
                raise CliError("several dates need --out-dir (a briefing pack) or "
                               "--out NAME.gif / NAME.mp4 (an animation)")
            written = with_sources_list(export.export_png(dataset, dates[0], args.out, options,
                                                           overwrite=args.force, renderer=renderer))
            if renderer.painted_layout().caption_cut:
                print(f"warning: the caption was cut to fit {args.width}x{args.height}; the whole "
                      "text is in the PNG's metadata (Caption)", file=sys.stderr)
            if crowded := export.crowding(renderer, dates[0]):
                print(f"warning: {crowded}", file=sys.stderr)
            return written
        if mode == "pack":
            result = export.export_pack(dataset, dates, args.out_dir, options, overwrite=args.force,
                                        progress=_stderr_progress, renderer=renderer,
                                        captions=captions)
            return result.images + [result.index]
        return with_sources_list(export.export_animation(
            dataset, dates, args.out, options, fps=args.fps, overwrite=args.force,
            progress=_stderr_progress, renderer=renderer, captions=captions))

    return list_written(write)


def with_sources_list(path: Path) -> list[Path]:
    """`path`, and the list of sources beside it where its footer had no room for them all."""
    from viewer.export import sources_list_beside

    return [path] + [listed for listed in [sources_list_beside(path)] if listed]


def _check_where_used(args: argparse.Namespace) -> None:
    """Refuse an option given where this export does not use it."""
    animation = args.out is not None and args.out.suffix.lower() in (".gif", ".mp4")
    briefing = args.briefing is not None
    unused = [("--min-importance", args.min_importance, args.key_events, "--key-events"),
              ("--fps", args.fps, animation, "an animation (--out NAME.gif or NAME.mp4)"),
              ("--paper", args.paper, args.pdf is not None, "--briefing --pdf"),
              # (with --briefing, the chapters' own check names these)
              ("--from", args.start, args.every or briefing, "--every"),
              ("--to", args.end, args.every or briefing, "--every"),
              ("--caption", args.caption, briefing or (args.date and not animation
                                                      and args.out_dir is None),
               "one image (--date with --out NAME.png)")]
    unused += [(flag, getattr(args, flag[2:]), args.pdf is None, "maps drawn as images, "
                "not by a handout (--paper sets its size)") for flag in ("--width", "--height")]
    unused.append(("--dpi", args.dpi, args.pdf is None and not animation,
                   "PNG images (stored in each for printing; a handout's is its paper's)"))
    for flag, given, used, by in unused:
        if given is not None and not used:
            raise CliError(f"{flag} is only used by {by}")


def _check_sizes(args: argparse.Namespace) -> str | None:
    if not (16 <= args.width <= 16384 and 16 <= args.height <= 16384):
        return f"--width and --height must be 16..16384 pixels, not {args.width}x{args.height}"
    if not 10 <= args.dpi <= 2400:
        return f"--dpi must be 10..2400, not {args.dpi}"
    if not 0.1 <= args.fps <= 60:
        return f"--fps must be 0.1..60, not {args.fps}"
    return None


def _output_mode(args: argparse.Namespace) -> str:
    """png, pack or animation, from --out / --out-dir."""
    if (args.out is None) == (args.out_dir is None):
        raise CliError("give exactly one of --out FILE or --out-dir FOLDER")
    if args.out_dir is not None:
        return "pack"
    suffix = args.out.suffix.lower()
    if suffix == ".png":
        return "png"
    if suffix in (".gif", ".mp4"):
        if args.date:
            raise CliError("an animation needs several dates (--dates, --every or --key-events)")
        return "animation"
    raise CliError(f"--out {args.out.name}: use a .png, .gif or .mp4 file name")


def _dates(args: argparse.Namespace, dataset) -> list[dt.date]:
    from viewer.export import dates_every, key_event_dates

    chosen = [name for name, given in (("--date", args.date), ("--dates", args.dates),
                                       ("--every", args.every), ("--key-events", args.key_events))
              if given]
    if len(chosen) != 1:
        raise CliError("choose the dates with exactly one of --date, --dates, --every, --key-events")
    if args.date:
        return [in_range(dataset, args.date)]
    if args.dates:
        return [in_range(dataset, day) for day in args.dates]
    if args.every:
        start = args.start or dataset.time_start
        end = args.end or dataset.last_day
        if end < start:
            raise CliError(f"--to {end} is before --from {start}")
        return dates_every(in_range(dataset, start), in_range(dataset, end), args.every)
    dates = key_event_dates(dataset, args.min_importance)
    if not dates:
        raise CliError(f"the dataset has no events of importance {args.min_importance} or more")
    return dates


def _parse_layers(text: str | None) -> dict[str, bool] | None:
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in MAP_LAYERS]
    if unknown:
        raise CliError(f"unknown layer {unknown[0]!r}; layers are {', '.join(MAP_LAYERS)}")
    return {name: name in names for name in MAP_LAYERS}


def _parse_extent(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    from viewer.model.briefing import parse_extent  # pandas: loaded only when a command runs

    try:
        return parse_extent(text)
    except ValueError as error:
        raise CliError(f"--extent {error}") from None


def _check_extent_shows_something(box: tuple[float, float, float, float], dataset,
                                  text: str) -> None:
    """A map of a box holding none of the briefing's zones, routes, places or events is
    blank, or only base map (`--extent 0,0,1,1`, mistyped; southern Thailand from a
    Kachin file), its scale bar and north arrow those of somewhere else: refused."""
    import numpy as np
    import shapely

    frames = [dataset.areas, dataset.control, dataset.flows, dataset.places, dataset.events]
    shapes = np.concatenate([np.asarray(frame.geometry.array, dtype=object) for frame in frames])
    shapes = shapes[~shapely.is_missing(shapes) & ~shapely.is_empty(shapes)]
    if len(shapes) and not shapely.intersects(shapes, shapely.box(*box)).any():
        west, south, east, north = shapely.total_bounds(shapes)
        raise CliError(f"--extent {text} holds none of the briefing's zones, routes, places or "
                       f"events (they lie within {west:.2f},{south:.2f},{east:.2f},{north:.2f})")


def ensure_gui() -> None:
    """A QGuiApplication (fonts need one), offscreen when there is no display."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    skip_pyside_source_scan()   # before QtGui and the drawing code are imported
    from PySide6.QtGui import QGuiApplication

    def quiet(kind, _context, message) -> None:
        # Qt's chatter (fonts, platform) is not the user's business on a command line.
        if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            print(f"error: {message}", file=sys.stderr)

    qInstallMessageHandler(quiet)
    global _APP
    if QGuiApplication.instance() is None:
        _APP = QGuiApplication(["kachin-viewer"])


_APP = None  # the QGuiApplication, kept alive for the command's lifetime


def _stderr_progress(text: str, fraction: float) -> None:
    # Only for a person watching: scripts get a clean stderr (errors only).
    if sys.stderr.isatty():
        print(f"{fraction:4.0%} {text}", file=sys.stderr, flush=True)
