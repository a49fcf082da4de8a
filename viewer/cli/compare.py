"""`kachin-viewer compare --from A --to B`: the zones that changed hands and the routes
whose status changed between two dates, each with the rows and sources at both ends."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from viewer.cli.common import EMBEDDED_DATASET, in_range, load, parse_day


def add_parsers(commands) -> None:
    compare = commands.add_parser("compare", help="what changed between two dates",
                                  description=__doc__)
    compare.add_argument("--from", dest="date_a", type=parse_day, required=True,
                         help="the earlier date A (YYYY-MM-DD)")
    compare.add_argument("--to", dest="date_b", type=parse_day, required=True,
                         help="the later date B (YYYY-MM-DD)")
    compare.add_argument("--dataset", type=Path, default=EMBEDDED_DATASET)
    compare.add_argument("--json", action="store_true", help="print JSON")
    compare.set_defaults(run=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    from viewer.model.compare import compare

    dataset = load(args.dataset)
    result = compare(dataset, in_range(dataset, args.date_a), in_range(dataset, args.date_b))
    if args.json:
        print(json.dumps(result.to_dict(dataset), indent=2, ensure_ascii=False))
        return 0
    print(f"{dataset.title} — changes from {args.date_a} to {args.date_b}")
    lines = result.lines()
    for line in lines or ["no zone changed hands and no route changed status"]:
        print(f"  {line}")
    return 0
