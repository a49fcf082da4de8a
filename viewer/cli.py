"""The command line: `validate`, `state` and `export` need no window or display."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from viewer import __version__

EMBEDDED_DATASET = Path(__file__).resolve().parent.parent / "geodata" / "kachin.gpkg"
SUBCOMMANDS = ("validate", "state", "export")


class CliError(Exception):
    """A user mistake reported as one `error:` line and a non-zero exit."""


class OneLineParser(argparse.ArgumentParser):
    """Reports a bad command line as one `error:` line (no usage dump), exit 2."""

    def error(self, message: str) -> None:
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def load(path: Path):
    """Read a dataset, turning a bad file into CliError lines."""
    from viewer.io import DatasetError, read_dataset

    try:
        return read_dataset(path)
    except DatasetError as error:
        raise CliError("\n".join(str(p) for p in error.problems)) from None


def in_range(dataset, day: dt.date) -> dt.date:
    if not dataset.time_start <= day <= dataset.time_end:
        raise CliError(f"{day} is outside the dataset's range "
                       f"{dataset.time_start} to {dataset.time_end}")
    return day


def run_validate(args: argparse.Namespace) -> int:
    from viewer.io import validate
    from viewer.io.problems import errors_in

    problems = validate(args.path)
    for problem in problems:
        print(problem)
    if errors_in(problems):
        print(f"{len(errors_in(problems))} error(s) in {args.path}", file=sys.stderr)
        return 1
    print(f"ok: {args.path} is a valid briefing dataset")
    return 0


def run_state(args: argparse.Namespace) -> int:
    dataset = load(args.dataset)
    snapshot = dataset.snapshot(in_range(dataset, args.date))
    state = snapshot.to_dict(dataset)
    if args.json:
        print(json.dumps(state, indent=2, ensure_ascii=False))
        return 0
    print(f"{dataset.title} — as of {args.date.isoformat()}")
    for row in state["control"]:
        holder = row["actor_id"] + (f" vs {row['contested_with']}" if row.get("contested_with") else "")
        print(f"  control {row.get('area_id') or row['control_id']}: {row['status']} by {holder} "
              f"({row['confidence']}, from {row['valid_from']})")
    for row in state["flows"]:
        print(f"  route {row.get('route_id') or row['flow_id']}: {row['status']}")
    print(f"  {len(state['events'])} events up to this date")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="kachin-viewer", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("validate", help="check a briefing GeoPackage against the format")
    check.add_argument("path", type=Path)
    check.set_defaults(run=run_validate)

    state = commands.add_parser("state", help="print what holds on a day")
    state.add_argument("--date", type=parse_day, required=True)
    state.add_argument("--dataset", type=Path, default=EMBEDDED_DATASET)
    state.add_argument("--json", action="store_true", help="print JSON")
    state.set_defaults(run=run_state)

    from viewer.render.export_cli import add_export_parser

    add_export_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CliError as error:
        for line in str(error).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
