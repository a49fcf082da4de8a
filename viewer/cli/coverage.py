"""`kachin-viewer coverage`: how many sources back each month, where evidence goes dark,
and per zone the share of days covered by control that is not `estimated`."""
from __future__ import annotations

import argparse
import json

from viewer.cli.common import EMBEDDED_DATASET, CliError, dataset_location, load, terminal_safe


def add_parsers(commands) -> None:
    report = commands.add_parser("coverage", help="sources per month, dark periods, "
                                 "sourced share of each zone's control", description=__doc__)
    report.add_argument("--dataset", type=dataset_location, default=EMBEDDED_DATASET,
                        help="a .gpkg or a postgresql:// address (default: the embedded briefing)")
    report.add_argument("--dark-days", type=int, default=None,
                        help="a span with no sourced fact longer than this is dark (default 60)")
    report.add_argument("--json", action="store_true", help="print JSON")
    report.set_defaults(run=run_coverage)


def run_coverage(args: argparse.Namespace) -> int:
    from viewer.model.coverage import DARK_DAYS, coverage

    dark_days = DARK_DAYS if args.dark_days is None else args.dark_days
    if dark_days < 1:
        raise CliError(f"--dark-days must be at least 1, not {dark_days}")
    dataset = load(args.dataset)
    report = coverage(dataset, dark_days)
    if args.json:
        print(json.dumps({"dataset": dataset.title, **report.to_dict()}, indent=2,
                         ensure_ascii=False))
        return 0
    print(f"{terminal_safe(dataset.title)} — evidence from {report.start} to {report.end} (exclusive)")
    starting = sum(m.counts["starting_state"] for m in report.months)
    if starting:
        print(f"starting state: {starting} control rows from {report.start}, "
              f"{len(report.starting_sources)} sources (counted in no month: "
              f"not as control changes, nor their sources as the month's)")
    print("month     events  control  series  sources")
    for m in report.months:
        c = m.counts
        print(f"{m.month:%Y-%m}  {c['events']:6d}  {c['control_changes']:7d}  "
              f"{c['series_values']:6d}  {m.sources:7d}")
    print(f"dark periods (over {dark_days} days with no sourced fact):")
    for period in report.dark_periods:
        print(f"  {period.start} to {period.end} (exclusive): {period.days} days")
    print("zones: share of days with control that is not estimated (with any control)")
    for zone in report.zones:
        print(f"  {terminal_safe(zone.name)}: {share(zone.share_sourced)} ({share(zone.share_any)})")
    return 0


def share(fraction: float) -> str:
    """A whole percentage that never rounds some to none or most to all (0.4 % printed
    as "0%", 99.6 % as "100%")."""
    if 0 < fraction < 0.005:
        return "<1%"
    if 0.995 <= fraction < 1:
        return ">99%"
    return f"{fraction:.0%}"
