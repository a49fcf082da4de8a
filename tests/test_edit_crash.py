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
from viewer.io.store import GpkgStore

EDITS = 300

# Applies EDITS new sources in one batch; after writing every row, and before the
# COMMIT, it says so and holds the transaction open until it is killed. "spill" first
# changes more pages than SQLite's cache holds, which go into the file itself (the
# -journal keeps them as they were).
SAVER = textwrap.dedent(f"""
    import datetime as dt, sys, time
    import viewer.io.store as store
    from viewer.model.edit_apply import with_changes
    from viewer.model.edits import AddSource

    def held_open(self, db, edits, user):
        entries = written(self, db, edits, user)
        if sys.argv[2] == "spill":
            db.execute("UPDATE sources SET note = zeroblob(3000000) WHERE source_id = 'new-0'")
        if sys.argv[2] != "commit":
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


def killed_while_saving(path: Path, mode: str) -> None:
    saver = start_saver(path, mode)
    try:
        line = saver.stdout.readline().strip()
        assert line == ("committed" if mode == "commit" else "written, not committed")
        os.kill(saver.pid, signal.SIGKILL)
    finally:
        saver.kill()
        saver.wait(timeout=30)


@pytest.mark.parametrize("mode, expected", [("hold", 0), ("commit", EDITS)])
def test_kill_9_during_a_save_leaves_all_or_none_of_the_edits(tmp_path, mode, expected):
    path = tiny_gpkg(tmp_path / "briefing.gpkg")
    killed_while_saving(path, mode)
    assert [p for p in validate(path) if p.severity == "error"] == []
    sources = read_dataset(path).sources
    assert sources["source_id"].str.startswith("new-").sum() == expected
    assert len(sources) == 2 + expected


def test_a_save_killed_after_writing_into_the_file_opens_as_it_was_not_as_damaged(tmp_path):
    """Killed mid-commit, the file holds part of the save and its -journal the rest as it
    was: the next open puts it back and shows it, and its history, as before the save."""
    path = tiny_gpkg(tmp_path / "briefing.gpkg")
    history = GpkgStore(path).log()
    killed_while_saving(path, "spill")
    assert path.with_name("briefing.gpkg-journal").stat().st_size > 0
    assert [str(p) for p in validate(path) if p.severity == "error"] == []
    assert len(read_dataset(path).sources) == 2
    assert GpkgStore(path).log() == history
    assert not path.with_name("briefing.gpkg-journal").exists()
