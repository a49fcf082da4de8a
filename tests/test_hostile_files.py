"""Issue 17, items 4-8 and 12-13: crafted and damaged files are refused or read, each
with a line naming what is wrong; nothing hangs, crashes or leaves a traceback.

Anything that could hang runs in a subprocess with a timeout; the tests assert
the timeout was not needed.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from factory import tiny_layers, write_tiny
from viewer.io import validate

HANG_LIMIT_S = 60  # far above what each check takes; reaching it means a hang


def run_viewer(*args, timeout: float = HANG_LIMIT_S) -> subprocess.CompletedProcess:
    """`kachin-viewer ARGS` in a fresh process; TimeoutExpired (a failure) if it hangs."""
    return subprocess.run([sys.executable, "-m", "viewer", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def run_python(code: str, timeout: float = HANG_LIMIT_S) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def execute(path: Path, *statements: str) -> Path:
    with sqlite3.connect(path) as db:
        for statement in statements:
            db.execute(statement)
    db.close()
    return path


ENDLESS = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x AS fid, 'a' AS name FROM n"


# -- item 4: a view that never ends ----------------------------------------------------
def test_a_view_registered_as_a_layer_is_refused_without_hanging(tmp_path):
    path = execute(write_tiny(tmp_path / "view.gpkg"), f"CREATE VIEW endless AS {ENDLESS}",
                   "INSERT INTO gpkg_contents (table_name, data_type, identifier) "
                   "VALUES ('endless', 'attributes', 'endless')")
    started = time.monotonic()
    result = run_viewer("validate", path)
    assert result.returncode == 1, result.stderr
    assert "layer 'endless': is a view, not a table" in result.stdout
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < HANG_LIMIT_S


def test_a_virtual_table_registered_as_a_layer_is_refused(tmp_path):
    path = execute(write_tiny(tmp_path / "virtual.gpkg"),
                   "CREATE VIRTUAL TABLE shadow USING rtree(id, minx, maxx)",
                   "INSERT INTO gpkg_contents (table_name, data_type, identifier) "
                   "VALUES ('shadow', 'attributes', 'shadow')")
    assert any("layer 'shadow': is a virtual table" in str(p) for p in validate(path))


def test_checking_a_file_stops_at_its_time_limit(tmp_path, monkeypatch):
    from viewer.io import reader

    path = execute(write_tiny(tmp_path / "contents.gpkg"), "ALTER TABLE gpkg_contents RENAME TO c0",
                   f"CREATE VIEW gpkg_contents AS SELECT * FROM c0 UNION ALL "
                   f"SELECT 'x', 'attributes', 'x', '', NULL, NULL, NULL, NULL, NULL, NULL "
                   f"FROM ({ENDLESS})")
    monkeypatch.setattr(reader, "SQLITE_TIME_LIMIT_S", 0.5)
    started = time.monotonic()
    problems = validate(path)
    assert time.monotonic() - started < 10
    assert [str(p) for p in problems] == [
        "contents.gpkg: took over 0.5 s to check and was stopped (damaged, or made to hang)"]


def test_a_read_still_running_does_not_keep_the_closed_window_alive(tmp_path):
    """The window closes while the loader thread is stuck reading: the process ends."""
    path = write_tiny(tmp_path / "tiny.gpkg")
    result = run_python(f"""
        import threading
        import viewer.io
        from PySide6.QtCore import QSettings, QTimer
        from viewer.qt.application import ViewerApplication
        from viewer.qt.main_window import MainWindow

        stuck = threading.Event()
        viewer.io.read_dataset = lambda path, progress=None: stuck.wait()
        app = ViewerApplication([])
        window = MainWindow(settings=QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat))
        window.show()
        window.open_dataset({str(path)!r})
        QTimer.singleShot(300, window.close)
        app.exec()
        print("event loop over")
    """)
    assert result.returncode == 0, result.stderr
    assert "event loop over" in result.stdout


# -- item 12: read-only and locked files -----------------------------------------------
@pytest.fixture
def read_only_folder(tmp_path):
    """A folder nobody may write to: a read-only mount when running as root (who may
    write anywhere else), else a folder without write permission. Yields a function
    that copies a file in and makes the folder read-only."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    mounted = False

    def put(path: Path) -> Path:
        nonlocal mounted
        if os.geteuid() == 0:
            if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
                              capture_output=True).returncode != 0:
                pytest.skip("cannot mount a read-only folder here")
            mounted = True
            shutil.copy(path, folder)
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            shutil.copy(path, folder)
            folder.chmod(0o555)
        return folder / path.name

    yield put
    if mounted:
        subprocess.run(["umount", str(folder)], check=True)
    folder.chmod(0o755)


def test_a_wal_geopackage_on_a_read_only_folder_opens(tmp_path, read_only_folder):
    path = write_tiny(tmp_path / "wal.gpkg")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    db.close()
    assert [p for p in validate(read_only_folder(path)) if p.severity == "error"] == []


def test_a_file_locked_by_another_program_says_so_quickly(tmp_path):
    path = write_tiny(tmp_path / "locked.gpkg")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        problems = validate(path)
        assert time.monotonic() - started < 4
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert [str(p) for p in problems] == [
        "locked.gpkg: is locked by another program; try again when it has saved and closed the file"]
