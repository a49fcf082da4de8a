"""kill -9 during a save of many edits leaves the file as it was before or after, never between."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from factory import tiny_gpkg
from viewer.io import read_dataset, validate

EDITS = 300

# Applies EDITS new sources in one batch; after writing every row, and before the
# COMMIT, it says so and holds the transaction open until it is killed.
SAVER = textwrap.dedent(f"""
    import datetime as dt, sys, time
    import viewer.io.store as store
    from viewer.model.edit_apply import with_changes
    from viewer.model.edits import AddSource

    def held_open(self, db, edits, user):
        entries = written(self, db, edits, user)
        if sys.argv[2] == "hold":
            print("written, not committed", flush=True)
            time.sleep(120)
        return entries

    written, store.GpkgStore._write = store.GpkgStore._write, held_open
    target = store.GpkgStore(sys.argv[1])
    dataset, edits = target.read(), []
    for number in range({EDITS}):
        edit = AddSource("Outlet", f"Report {{number}}", dt.date(2024, 11, 1),
                         source_id=f"new-{{number}}").edit(dataset, dt.date(2024, 11, 1))
        dataset = with_changes(dataset, edit.changes)
        edits.append(edit)
    target.apply(edits, user="analyst")
    print("committed", flush=True)
    time.sleep(120)
""")


def start_saver(path: Path, mode: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.Popen([sys.executable, "-c", SAVER, str(path), mode],
                            stdout=subprocess.PIPE, text=True, env=env)


@pytest.mark.parametrize("mode, expected", [("hold", 0), ("commit", EDITS)])
def test_kill_9_during_a_save_leaves_all_or_none_of_the_edits(tmp_path, mode, expected):
    path = tiny_gpkg(tmp_path / "briefing.gpkg")
    saver = start_saver(path, mode)
    try:
        line = saver.stdout.readline().strip()
        assert line == ("written, not committed" if mode == "hold" else "committed")
        os.kill(saver.pid, signal.SIGKILL)
    finally:
        saver.kill()
        saver.wait(timeout=30)
    assert [p for p in validate(path) if p.severity == "error"] == []
    sources = read_dataset(path).sources
    assert sources["source_id"].str.startswith("new-").sum() == expected
    assert len(sources) == 2 + expected
