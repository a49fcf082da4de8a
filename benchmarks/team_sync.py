"""Timings for a team database: publish, take-offline and sync at a scale, and
pygeodiff's GeoPackage diff of the same field copy for comparison.

Needs a PostgreSQL server with PostGIS and a database the user may create
schemas in:

    python benchmarks/team_sync.py --scale 10 --url postgresql://me@localhost/team [--edits 50]

Prints one line per step (seconds, each timed once in this process).
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.synth import synthetic_layers  # noqa: E402
from viewer.io.gpkg_write import write_gpkg  # noqa: E402
from viewer.io.offline import sync, take_offline  # noqa: E402
from viewer.io.pg_publish import publish  # noqa: E402
from viewer.io.pg_url import DatabaseUrl  # noqa: E402
from viewer.io.store import GpkgStore  # noqa: E402
from viewer.model.edits import CorrectRow  # noqa: E402


def timed(label: str, work):
    started = time.perf_counter()
    result = work()
    print(f"{label:<44} {time.perf_counter() - started:8.2f} s", flush=True)
    return result


def edit_offline(path: Path, count: int) -> None:
    """`count` corrections, each its own edit (as an analyst in the field makes them)."""
    store = GpkgStore(path)
    dataset = store.read()
    ids = list(dataset.control["control_id"][:count])
    edits = [CorrectRow("control", row_id, {"note": f"checked in the field #{n}"},
                        reason="field check").edit(dataset, dt.date(2024, 1, 1))
             for n, row_id in enumerate(ids)]
    store.apply(edits, "field")


def pygeodiff_diff(base: Path, field: Path, folder: Path) -> int:
    import pygeodiff

    geodiff = pygeodiff.GeoDiff()
    changeset = folder / "field.diff"
    geodiff.create_changeset(str(base), str(field), str(changeset))
    return geodiff.changes_count(str(changeset))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--url", required=True, help="postgresql://…/db (schema is bench_N)")
    parser.add_argument("--edits", type=int, default=50)
    args = parser.parse_args(argv)
    url = DatabaseUrl.parse(f"{args.url.split('?')[0]}?schema=bench_{args.scale}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = folder / "synth.gpkg"
        write_gpkg(synthetic_layers(args.scale), source)
        print(f"scale {args.scale}: {source.stat().st_size / 1e6:.1f} MB GeoPackage")
        timed("publish", lambda: publish(source, url, force=True))
        field = folder / "field.gpkg"
        timed("take-offline", lambda: take_offline(url, field))
        base = folder / "base.gpkg"
        shutil.copy(field, base)
        timed(f"{args.edits} edits offline (GpkgStore)", lambda: edit_offline(field, args.edits))
        changes = timed("pygeodiff create_changeset (base vs field)",
                        lambda: pygeodiff_diff(base, field, folder))
        print(f"    pygeodiff found {changes} changed rows")
        report = timed("sync (replay edit_log, refresh the copy)", lambda: sync(field, url))
        print(f"    sent {report.sent}, conflicts {len(report.conflicts)}")
        report = timed("sync again (nothing to send)", lambda: sync(field, url))
        print(f"    sent {report.sent}, conflicts {len(report.conflicts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
