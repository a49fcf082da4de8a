"""`validate` and `state`: check a file, print what holds on a day."""
from __future__ import annotations

import argparse
import json
import sys

from viewer.cli.common import (EMBEDDED_DATASET, dataset_location, in_range, load, parse_day,
                               terminal_safe)
from viewer.cli.edit import recorded_on


def add_parsers(commands) -> None:
    check = commands.add_parser("validate", help="check a briefing GeoPackage against the format")
    check.add_argument("path", type=dataset_location, help="a .gpkg or a postgresql:// address")
    check.set_defaults(run=run_validate)

    state = commands.add_parser("state", help="print what holds on a day")
    state.add_argument("--date", type=parse_day, required=True)
    state.add_argument("--dataset", type=dataset_location, default=EMBEDDED_DATASET,
                       help="a .gpkg or a postgresql:// address (default: the embedded briefing)")
    state.add_argument("--recorded-on", type=parse_day, metavar="D2",
                       help="as the dataset stood at the end of this day of recording (from its edit log)")
    state.add_argument("--json", action="store_true", help="print JSON")
    state.set_defaults(run=run_state)


def run_validate(args: argparse.Namespace) -> int:
    from viewer.io.location import validate_location
    from viewer.io.problems import errors_in

    problems = validate_location(args.path)
    for problem in problems:
        print(terminal_safe(problem))
    name = terminal_safe(args.path)
    if errors_in(problems):
        print(f"{len(errors_in(problems))} error(s) in {name}", file=sys.stderr)
        return 1
    print(f"ok: {name} is a valid briefing dataset")
    return 0


def run_state(args: argparse.Namespace) -> int:
    dataset = load(args.dataset)
    if args.recorded_on:
        dataset = recorded_on(args.dataset, dataset, args.recorded_on)
    snapshot = dataset.snapshot(in_range(dataset, args.date))
    state = snapshot.to_dict(dataset)
    from viewer.model.unknowns import Unknowns  # geopandas: loaded only when a command runs

    state.update(Unknowns(dataset).state_on(args.date))
    if args.json:
        print(json.dumps(state, indent=2, ensure_ascii=False))
        return 0
    lines = [f"{dataset.title} — as of {args.date.isoformat()}"]
    if state["current_to_mark"]:
        lines.append(f"  {state['current_to_mark']}: later dates show the last known state")
    for row in state["control"]:
        holder = row["actor_id"] + (f" vs {row['contested_with']}" if row.get("contested_with") else "")
        lines.append(f"  control {row.get('area_id') or row['control_id']}: {row['status']} by "
                     f"{holder} ({row['confidence']}, from {_start(row)}){_sources(row)}")
    for zone in state["no_sourced_control"]:
        lines.append(f"  control {zone['area_id']}: no sourced information")
    for row in state["flows"]:
        lines.append(f"  route {row.get('route_id') or row['flow_id']}: {row['status']}"
                     f"{_sources(row)}")
    for route in state["routes_status_unknown"]:
        lines.append(f"  route {route}: status unknown")
    lines.append(f"  {len(state['events'])} events up to this date")
    for line in lines:
        print(terminal_safe(line))
    return 0


def _start(row: dict) -> str:
    """A row's first day as the window shows it: a row known only to the month is
    "Jul 2025", never a day no source gives ("2025-07-01")."""
    from viewer.model.dates import format_date, parse_date   # pandas: only when a command runs

    precision = str(row.get("date_precision") or "day")
    start = parse_date(row.get("valid_from"))
    return format_date(start, precision) if start and precision != "day" else str(row["valid_from"])


def _sources(row: dict) -> str:
    """The ids of the sources a fact rests on, to look up with `--json` or in the window."""
    ids = [source["source_id"] for source in row["sources"]]
    return f" — sources: {'; '.join(ids)}" if ids else ""
