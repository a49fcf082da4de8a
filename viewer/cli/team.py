"""`publish`: put a briefing into a team's PostGIS database."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from viewer.cli.common import CliError


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


def run_publish(args: argparse.Namespace) -> int:
    import psycopg

    from viewer.io import DatasetError
    from viewer.io.pg_publish import PublishError, publish

    started = time.perf_counter()
    try:
        report = publish(args.path, args.url, force=args.force, readers=args.readers,
                         editors=args.editors)
    except DatasetError as error:
        raise CliError("\n".join(str(p) for p in error.problems)) from None
    except PublishError as error:
        raise CliError(f"{args.url}: {error}") from None
    except psycopg.OperationalError as error:
        raise CliError(f"{args.url}: cannot connect: {str(error).strip().splitlines()[0]}") from None
    print(f"published {args.path} to {args.url}: {report.tables} tables, {report.rows} rows "
          f"in {time.perf_counter() - started:.1f} s")
    return 0
