"""`publish`, `take-offline`, `sync`: a team's briefing in PostGIS, and field copies of it."""
from __future__ import annotations

import argparse
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from viewer.cli.common import CliError, check_gpkg


def database_url(text: str):
    """argparse type: a postgresql://…?schema=NAME address."""
    from viewer.io.pg_url import DatabaseUrl, DatabaseUrlError

    try:
        return DatabaseUrl.parse(text)
    except DatabaseUrlError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _roles(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def add_parsers(commands) -> None:
    publish = commands.add_parser(
        "publish", help="copy a briefing GeoPackage into a PostGIS schema for a team")
    publish.add_argument("path", type=Path, help="the briefing .gpkg")
    publish.add_argument("url", type=database_url,
                         help="postgresql://[user@]host[:port]/db?schema=NAME (password from "
                              "~/.pgpass or PGPASSWORD)")
    publish.add_argument("--force", action="store_true", help="replace the schema if it exists")
    publish.add_argument("--readers", type=_roles, default=(),
                         help="roles that may only read (comma-separated, must exist)")
    publish.add_argument("--editors", type=_roles, default=(),
                         help="roles that may also edit (comma-separated, must exist)")
    publish.set_defaults(run=run_publish)

    offline = commands.add_parser(
        "take-offline", help="write a GeoPackage snapshot of a team database to edit offline")
    offline.add_argument("url", type=database_url)
    offline.add_argument("--out", type=Path, required=True, help="the field copy (.gpkg)")
    offline.add_argument("--force", action="store_true", help="replace --out if it exists")
    offline.set_defaults(run=run_take_offline)

    sync = commands.add_parser(
        "sync", help="send a field copy's offline edits to the team database and update the copy")
    sync.add_argument("path", type=Path, help="the field copy made by take-offline")
    sync.add_argument("url", type=database_url)
    sync.set_defaults(run=run_sync)

    resolve = commands.add_parser(
        "resolve", help="settle a sync conflict kept in a field copy")
    resolve.add_argument("path", type=Path, help="the field copy")
    resolve.add_argument("--edit", type=int, required=True,
                         help="the offline edit's id, as sync listed it")
    resolve.add_argument("--keep", choices=("field", "desk"), required=True,
                         help="field: send the field's version at the next sync; desk: drop it")
    resolve.add_argument("--user", help="who settles it (default: the OS user)")
    resolve.set_defaults(run=run_resolve)


def run_publish(args: argparse.Namespace) -> int:
    from viewer.io.pg_publish import publish

    started = time.perf_counter()
    with database_errors(args.url):
        report = publish(args.path, args.url, force=args.force, readers=args.readers,
                         editors=args.editors)
    print(f"published {args.path} to {args.url}: {report.tables} tables, {report.rows} rows "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


def run_take_offline(args: argparse.Namespace) -> int:
    from viewer.io.offline import take_offline

    if args.out.exists() and not args.force:
        raise CliError(f"{args.out} exists (use --force to replace it)")
    started = time.perf_counter()
    with written_file_errors(args.out), database_errors(args.url):
        position = take_offline(args.url, args.out)
    print(f"wrote {args.out} from {args.url} at edit_log position {position} "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from viewer.io.offline import sync

    started = time.perf_counter()
    with field_copy_errors(args.path), database_errors(args.url):
        report = sync(args.path, args.url)
    numbers = list(dict.fromkeys(c.edit_id for c in report.conflicts))
    print(f"sent {report.sent} offline edit(s) to {args.url}; {report.already_there} were already "
          f"there; {len(numbers)} new conflict(s), {report.unsettled} to settle "
          f"(kachin-viewer resolve); {args.path} is now at edit_log position {report.position} "
          f"({time.perf_counter() - started:.1f} s)")
    if report.kept_aside is not None:
        print(f"{args.path} held changes made outside Kachin Viewer (in QGIS?): they are in no "
              f"edit log, so they were not sent; the copy as it was is kept as {report.kept_aside}")
    for number in numbers:   # one conflict an offline edit, however many rows it met
        rows = [c for c in report.conflicts if c.edit_id == number]
        print(f"conflict {number}: {rows[0].command} by {rows[0].user} at {rows[0].recorded_at} "
              "was not applied:")
        for conflict in rows:
            field, desk = conflict.differences()
            print(f"  {conflict.layer} row {conflict.row_id}:")
            print(f"    field: {field}")
            print(f"    desk:  {desk}" + (f" (by {conflict.desk_user} at {conflict.desk_recorded_at})"
                                          if conflict.desk_user else ""))
    return 0


def run_resolve(args: argparse.Namespace) -> int:
    from viewer.io.offline import resolve
    from viewer.io.store import os_user

    with field_copy_errors(args.path), database_errors(args.path):
        resolve(args.path, args.edit, args.keep, args.user or os_user())
    kept = "the field's version will be sent at the next sync" if args.keep == "field" else \
        "the desk's version stays"
    print(f"conflict {args.edit} settled in {args.path}: {kept}")
    return 0


@contextmanager
def field_copy_errors(path: Path):
    """A field copy that cannot be opened or written as one `error:` line naming it:
    checked before it is opened, and SQLite's and the OS's failures (which name no
    file) prefixed with its name."""
    check_gpkg(path)
    try:
        yield
    except sqlite3.Error as error:
        raise CliError(f"{path}: {error}") from None
    except OSError as error:
        raise CliError(f"{path}: {error.strerror or error}") from None


@contextmanager
def written_file_errors(path: Path):
    """A file that cannot be written (no such folder, no permission) as one `error:` line
    naming it, not a traceback naming a temporary file beside it."""
    try:
        yield
    except OSError as error:
        if error.filename is None:   # not a file's (a connection's): said as such elsewhere
            raise
        raise CliError(f"{path}: cannot be written ({error.strerror or error})") from None


@contextmanager
def database_errors(url):
    """Bad data, refusals, connection failures: one `error:` line naming the database."""
    import psycopg

    from viewer.io import DatasetError
    from viewer.io.offline import SyncError
    from viewer.io.pg_publish import PublishError
    from viewer.io.store import StoreError

    try:
        yield
    except DatasetError as error:
        raise CliError(*error.problems) from None
    except (StoreError, SyncError) as error:  # these name the file or database themselves
        raise CliError(str(error)) from None
    except PublishError as error:
        raise CliError(f"{url}: {error}") from None
    except psycopg.Error as error:
        raise CliError(f"{url}: {url.redacted(str(error).strip().splitlines()[0])}") from None
