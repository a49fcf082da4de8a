"""kill -9 during a save of many edits leaves the file as it was before or after, never between."""
from __future__ import annotations

import datetime as dt
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
NOV_9 = dt.date(2024, 11, 9)

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


# A window on the briefing with one unsaved edit; it says so and waits to be killed.
EDITING_WINDOW = textwrap.dedent("""
    import datetime as dt, sys
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication, QSettings
    from viewer.model.edits import AddSource
    from viewer.qt.application import ViewerApplication
    from viewer.qt.main_window import MainWindow

    app = ViewerApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName(sys.argv[3])
    QCoreApplication.setApplicationName(sys.argv[4])
    window = MainWindow(settings=QSettings(sys.argv[2], QSettings.Format.IniFormat))

    def edit():
        day = dt.date(2024, 11, 9)
        session = window.editing.session
        session.push(AddSource("Frontier", "Killed window's source", day,
                               source_id="s-killed").edit(window.state.dataset, day))
        print("edited", flush=True)

    window.opened.connect(edit)
    window.open_dataset(Path(sys.argv[1]), dt.date(2024, 11, 9))
    app.exec()
""")


def test_a_killed_windows_edits_are_offered_though_another_window_on_the_file_saved(
        qtbot, tmp_path, monkeypatch):
    """Two windows on one file each keep their own journal: the one still running saves;
    the killed one's unsaved edit is still offered at the next start."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QMessageBox

    from test_edit_window import open_window
    from viewer.model.edits import AddSource
    from viewer.qt import edit_session

    asked = []
    monkeypatch.setattr(edit_session, "ask", lambda _parent, title, *_: (
        asked.append(title), QMessageBox.StandardButton.Yes)[1])
    path = tiny_gpkg(tmp_path / "briefing.gpkg")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    killed = subprocess.Popen([sys.executable, "-c", EDITING_WINDOW, str(path), str(tmp_path / "k.ini"),
                               QCoreApplication.organizationName(), QCoreApplication.applicationName()],
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert killed.stdout.readline().strip() == "edited"
        running = open_window(qtbot, tmp_path / "running", path)
        assert asked == []  # a running window's edits are its own
        session = running.editing.session
        session.push(AddSource("Mizzima", "Running window's source", NOV_9,
                               source_id="s-running").edit(running.state.dataset, NOV_9))
        assert session.save()
        os.kill(killed.pid, signal.SIGKILL)
    finally:
        killed.kill()
        killed.wait(timeout=30)
    restarted = open_window(qtbot, tmp_path / "restarted", path)
    assert asked == ["Restore unsaved edits?"]
    assert [e.summary for e in restarted.editing.session.pending()] == \
        ["Add source s-killed: Frontier — Killed window's source"]
    monkeypatch.setattr(edit_session, "ask", lambda *_: QMessageBox.StandardButton.Discard)
