"""Issue 17, items 6, 8 and 14: no crash loop from a remembered file, no start
stopped by a bad setting, quiet ends on a closed pipe and on Ctrl+C."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pyqtgraph as pg
from PySide6.QtCore import QSettings

from factory import write_tiny
from viewer.qt.main_window import DEFAULT_SPEED, MainWindow
from viewer.qt.map_canvas import MapCanvas

HANG_LIMIT_S = 60


def ini(tmp_path, text: str = "") -> QSettings:
    path = tmp_path / "settings.ini"
    path.write_text(text)
    return QSettings(str(path), QSettings.Format.IniFormat)


def test_a_file_becomes_last_opened_only_after_the_map_and_timeline_painted(qtbot, tmp_path,
                                                                           monkeypatch):
    painted, remembered = set(), []
    original_map, original_axis = MapCanvas.paintEvent, pg.AxisItem.paint
    monkeypatch.setattr(MapCanvas, "paintEvent", lambda self, event:
                        (painted.add("map"), original_map(self, event))[1])
    monkeypatch.setattr(pg.AxisItem, "paint", lambda self, *args:  # where 0001-01-01 crashed
                        (painted.add("timeline"), original_axis(self, *args))[1])
    original_remember = MainWindow._remember
    monkeypatch.setattr(MainWindow, "_remember", lambda self, path:
                        (remembered.append(set(painted)), original_remember(self, path))[1])
    settings = ini(tmp_path)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    painted.clear()
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.open_dataset(write_tiny(tmp_path / "tiny.gpkg"))
    assert remembered == [{"map", "timeline"}]
    assert settings.value("dataset/last_path").endswith("tiny.gpkg")


def test_unreadable_settings_fall_back_to_defaults_with_a_note(qtbot, tmp_path):
    settings = ini(tmp_path, "[playback]\nspeed=fast\n[window]\ngeometry=garbage\nstate=junk\n")
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    assert window.speed_box.currentData() == DEFAULT_SPEED
    assert window.settings_note.isVisible()
    assert window.settings_note.text() == ("Unreadable settings reset to defaults: "
                                           "window layout, playback speed")


def test_good_settings_leave_no_note(qtbot, tmp_path):
    window = MainWindow(settings=ini(tmp_path, "[playback]\nspeed=7\n"))
    qtbot.addWidget(window)
    window.show()
    assert window.speed_box.currentData() == 7
    assert not window.settings_note.isVisible()


def viewer_process(*args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "viewer", *map(str, args)], text=True,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, **kwargs)


def test_output_into_a_closed_pipe_ends_quietly(tmp_path):
    process = viewer_process("state", "--json", "--date", "2024-11-01", "--dataset",
                             write_tiny(tmp_path / "tiny.gpkg"), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    process.stdout.close()  # `| head` that has read all it wants
    _, errors = process.communicate(timeout=HANG_LIMIT_S)
    assert errors == ""
    assert process.returncode == 141


def test_ctrl_c_in_the_terminal_closes_the_window(tmp_path):
    process = viewer_process(write_tiny(tmp_path / "tiny.gpkg"), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    time.sleep(4)  # the window is up (or nearly: Ctrl+C during start-up must be quiet too)
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=HANG_LIMIT_S)
    assert "Traceback" not in errors
    assert process.returncode in (0, -signal.SIGINT)  # closed, or stopped while starting
