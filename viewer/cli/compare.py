"""`kachin-viewer compare --from A --to B`: the zones that changed hands and the routes
whose status changed between two dates, each with the rows and sources at both ends."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from viewer.cli.common import (EMBEDDED_DATASET, CliError, dataset_location, in_range, load,
                               parse_day, terminal_safe)


def add_parsers(commands) -> None:
    compare = commands.add_parser("compare", help="what changed between two dates",
                                  description=__doc__)
    compare.add_argument("--from", dest="date_a", type=parse_day, required=True,
                         help="the earlier date A (YYYY-MM-DD)")
    compare.add_argument("--to", dest="date_b", type=parse_day, required=True,
                         help="the later date B (YYYY-MM-DD)")
    compare.add_argument("--dataset", type=dataset_location, default=EMBEDDED_DATASET,
                         help="a .gpkg or a postgresql:// address (default: the embedded briefing)")
    compare.add_argument("--json", action="store_true", help="print JSON")
    compare.add_argument("--out", type=Path, help="also write the comparison map as a PNG "
                         "(both dates in its title, the change list in its text metadata)")
    compare.add_argument("--force", action="store_true", help="overwrite an existing --out")
    compare.set_defaults(run=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    from viewer.model.compare import compare

    if args.out is not None and args.out.suffix.lower() != ".png":
        raise CliError(f"--out {args.out.name}: the comparison map is a .png file")
    if args.date_a > args.date_b:
        raise CliError(f"--from {args.date_a} is after --to {args.date_b}: "
                       "--from is the earlier date")
    dataset = load(args.dataset)
    result = compare(dataset, in_range(dataset, args.date_a), in_range(dataset, args.date_b))
    # The map, and the list of sources beside it where its footer had no room for them all.
    written = _write_png(dataset, result, args.out, args.force) if args.out is not None else []
    if args.json:
        report = result.to_dict(dataset)
        for key, path in zip(("png", "sources_list"), written):
            report[key] = str(path)
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print(f"{terminal_safe(dataset.title)} — changes from {args.date_a} to {args.date_b}")
    if note := result.last_known_note(dataset):
        print(f"  ({note})")
    lines = result.lines()
    for line in lines or ["no zone changed hands and no route changed status"]:
        print(f"  {terminal_safe(line)}")
    for path in written:
        print(path)
    return 0


def _write_png(dataset, result, path: Path, force: bool) -> list[Path]:
    from viewer.cli.export import ensure_gui, with_sources_list

    ensure_gui()
    from viewer.export import ExportError, TargetExists
    from viewer.export.compare_png import export_compare_png
    from viewer.render.renderer import MapRenderer

    try:
        return with_sources_list(export_compare_png(MapRenderer(dataset), result, path,
                                                    overwrite=force))
    except TargetExists as error:
        raise CliError(f"{error} (use --force to overwrite)") from None
    except ExportError as error:
        raise CliError(str(error)) from None
