"""`edit` and `history`: keep a briefing current from scripts, and read what changed.

Each `edit` is checked against the format (the same rules as the reader), then
written in one transaction with one `edit_log` entry; a refused edit prints
one `error:` line, exits 1 and leaves the file byte-identical.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
from contextlib import nullcontext
from pathlib import Path

from viewer.cli.common import (CliError, check_gpkg, dataset_location, load, parse_day,
                               terminal_safe)
from viewer.resources import is_embedded_dataset

EPILOG = """examples, on my.gpkg, a copy of the embedded dataset:
  kachin-viewer edit my.gpkg add-source --outlet Reuters --title "Gate reopens" --published 2026-03-02
  kachin-viewer edit my.gpkg add-event --date 2026-03-02 --title "Mai Ja Yang gate reopens" \\
      --category trade --place mai-ja-yang --sources src-2026-03-02
  kachin-viewer edit my.gpkg set-control --area zone-bhamo --actor KIA --from 2026-03-02 \\
      --confidence reported --sources src-2026-03-02
  kachin-viewer edit my.gpkg set-route --route mai-ja-yang-gate --status active --from 2026-03-02 \\
      --sources src-2026-03-02
  kachin-viewer edit my.gpkg correct --layer events --id EV072 --set title="…" --reason typo
  kachin-viewer edit my.gpkg retract --layer events --id EV072 --reason "single source withdrew it"
  kachin-viewer history my.gpkg --id EV072      # a row's edits: a row id (EV072, ctl-bhamo-4)"""


def _ids(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def _assignment(text: str) -> tuple[str, str]:
    column, sep, value = text.partition("=")
    if not sep or not column.strip():
        raise argparse.ArgumentTypeError(f"'{text}' is not COLUMN=VALUE")
    return column.strip(), value


def add_parsers(commands) -> None:
    edit = commands.add_parser("edit", help="add or change facts in a briefing GeoPackage",
                               description=__doc__, epilog=EPILOG,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    edit.add_argument("path", type=dataset_location,
                      help="the briefing GeoPackage (or postgresql:// team database) to change")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--user", help="who is editing, for the edit log (default: your OS user name)")
    kinds = edit.add_subparsers(dest="kind", required=True)
    for add in (_add_source, _add_event, _set_control, _set_route, _correct, _retract):
        add(kinds, common)
    edit.set_defaults(run=run_edit)

    history = commands.add_parser("history", help="list the edits recorded in a briefing")
    history.add_argument("path", type=dataset_location, help="a .gpkg or a postgresql:// address")
    history.add_argument("--id", dest="row_id",
                         help="only edits that touched this row id, or any row of this zone "
                              "or route (an area_id or route_id)")
    history.add_argument("--json", action="store_true", help="print JSON")
    history.set_defaults(run=run_history)


def _add_source(kinds, common) -> None:
    parser = kinds.add_parser("add-source", parents=[common], help="a source; prints its source_id")
    parser.add_argument("--outlet", required=True)
    parser.add_argument("--title", required=True)
    parser.add_argument("--published", type=parse_day, required=True)
    for name in ("url", "author", "via", "note"):
        parser.add_argument(f"--{name}")
    parser.set_defaults(layer="sources", make=lambda a: _edits().AddSource(
        a.outlet, a.title, a.published, a.url, a.author, a.via, a.note))


def _add_event(kinds, common) -> None:
    parser = kinds.add_parser("add-event", parents=[common], help="an event; prints its event_id")
    parser.add_argument("--date", type=parse_day, required=True)
    parser.add_argument("--precision", default="day", choices=("day", "month", "year"))
    parser.add_argument("--title", required=True)
    parser.add_argument("--category", required=True)
    parser.add_argument("--place", help="a place_id")
    parser.add_argument("--actors", type=_ids, default=(), help="actor ids, A;B")
    parser.add_argument("--sources", type=_ids, required=True, help="source ids, S1;S2")
    parser.add_argument("--summary")
    parser.add_argument("--confidence")
    parser.add_argument("--importance", type=int, choices=(1, 2, 3))
    parser.set_defaults(layer="events", make=lambda a: _edits().AddEvent(
        a.title, a.category, a.sources, a.date, a.precision, a.summary, a.place, None, a.actors,
        a.confidence, a.importance))


def _set_control(kinds, common) -> None:
    parser = kinds.add_parser("set-control", parents=[common],
                              help="who holds a zone from a date; prints the new control_id")
    parser.add_argument("--area", required=True)
    parser.add_argument("--actor", required=True)
    parser.add_argument("--status", default="held", choices=("held", "contested"))
    parser.add_argument("--contested-with")
    parser.add_argument("--confidence", required=True)
    _period_arguments(parser)
    parser.set_defaults(layer="control", make=lambda a: _edits().SetControl(
        a.area, a.actor, a.start, a.status, a.contested_with, a.confidence, a.sources, a.note))


def _set_route(kinds, common) -> None:
    parser = kinds.add_parser("set-route", parents=[common],
                              help="a route's status from a date; prints the new flow_id")
    parser.add_argument("--route", required=True)
    parser.add_argument("--status", required=True)
    parser.add_argument("--volume", type=float)
    parser.add_argument("--unit")
    parser.add_argument("--confidence")
    _period_arguments(parser)
    parser.set_defaults(layer="flows", make=lambda a: _edits().SetRoute(
        a.route, a.status, a.start, a.sources, a.volume, a.unit, a.confidence, a.note))


def _period_arguments(parser) -> None:
    """What opens a new period (control or route): from when, on whose word, a note."""
    parser.add_argument("--from", dest="start", type=parse_day, required=True)
    parser.add_argument("--sources", type=_ids, required=True)
    parser.add_argument("--note")


def _correct(kinds, common) -> None:
    parser = kinds.add_parser("correct", parents=[common], help="new values for a row, with a reason")
    parser.add_argument("--layer", required=True)
    parser.add_argument("--id", dest="row_id", required=True)
    parser.add_argument("--set", dest="values", type=_assignment, action="append", required=True,
                        metavar="COLUMN=VALUE", help="repeat for several columns; empty VALUE clears")
    parser.add_argument("--reason", required=True)
    parser.set_defaults(make=lambda a: _edits().CorrectRow(
        a.layer, a.row_id, {k: (v or None) for k, v in a.values}, a.reason))


def _retract(kinds, common) -> None:
    parser = kinds.add_parser("retract", parents=[common],
                              help="stop drawing a row; it stays in the file and the history")
    parser.add_argument("--layer", required=True)
    parser.add_argument("--id", dest="row_id", required=True)
    parser.add_argument("--reason", required=True)
    parser.set_defaults(make=lambda a: _edits().Retract(a.layer, a.row_id, a.reason))


def _edits():
    from viewer.model import edits

    return edits


def run_edit(args: argparse.Namespace) -> int:
    from viewer.io.location import store_for
    from viewer.io.store import StoreError, os_user
    from viewer.model.changes import INSERT, EditRefused

    if isinstance(args.path, Path) and is_embedded_dataset(args.path):
        raise CliError(f"{args.path} is the embedded dataset, which is not edited where it is "
                       f"installed; copy it first (cp {args.path} my-briefing.gpkg) and edit the copy")
    dataset = load(args.path)
    try:
        edit = args.make(args).edit(dataset, dataset.default_date)
        store_for(args.path).apply([edit], user=args.user or os_user())
    except EditRefused as refused:
        raise CliError(f"{_edited_where(args)}: edit refused, {refused.field}: "
                       f"{refused.reason}") from None
    except StoreError as error:
        raise CliError(str(error)) from None
    inserted = [c.row_id for c in edit.changes if c.action == INSERT]
    print(inserted[-1] if inserted else edit.changes[-1].row_id)
    return 0


def _edited_where(args: argparse.Namespace) -> str:
    """The file, layer and row (when the command names one: correct, retract) an edit
    was about, as the reader names a cell."""
    from viewer.io.pg_url import display_name

    row = f", row {args.row_id}" if getattr(args, "row_id", None) else ""
    return f"{display_name(args.path)}, layer '{args.layer}'{row}"


def run_history(args: argparse.Namespace) -> int:
    from viewer.cli.team import database_errors
    from viewer.io.location import store_for
    from viewer.model.history import feature_rows

    if isinstance(args.path, Path):
        check_gpkg(args.path)

    # A database's refusal (a wrong password) as one error line, not a traceback.
    with nullcontext() if isinstance(args.path, Path) else database_errors(args.path):
        log = store_for(args.path).log()
        entries = [e for e in log if args.row_id is None or e.touches(args.row_id)]
        if args.row_id and not entries:   # a zone's or a route's id: its rows' edits
            rows = feature_rows(load(args.path), args.row_id)
            entries = [e for e in log if rows & set(e.edit.rows())]
    if args.json:
        print(json.dumps([_entry_json(e) for e in entries], indent=2, ensure_ascii=False))
        return 0
    if not entries:
        print("no recorded edits" + (f" for {args.row_id}" if args.row_id else ""))
    for entry in entries:
        for line in _entry_lines(entry):
            print(line)
    return 0


def _entry_json(entry) -> dict:
    return {"edit_id": entry.edit_id, "recorded_at": entry.recorded_at, "user": entry.user,
            **entry.edit.to_json()}


def _entry_lines(entry) -> list[str]:
    """The entry's header, then one indented line per change. Each line is made
    terminal-safe on its own, so a newline in a title or a user name shows as `\\n`
    inside its line instead of forging one."""
    from viewer.model.history import describe_change

    reason = f" — reason: {entry.edit.reason}" if entry.edit.reason else ""
    header = (f"#{entry.edit_id} {entry.recorded_at[:16].replace('T', ' ')} UTC {entry.user}: "
              f"{entry.edit.summary}{reason}")
    return [terminal_safe(header)] + [f"    {terminal_safe(describe_change(c))}"
                                      for c in entry.edit.changes]


def recorded_on(location, dataset, day: dt.date):
    """`dataset` as it stood at the end of `day`, from its edit log (file or database)."""
    from viewer.io.location import store_for
    from viewer.model.edit_apply import as_recorded_on

    return as_recorded_on(dataset, store_for(location).log(), day)
