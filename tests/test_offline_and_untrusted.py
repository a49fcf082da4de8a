"""Offline always, and data files are only ever read as data."""
import ast
import datetime as dt
import os
import socket
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from viewer.cli import EMBEDDED_DATASET
from viewer.qt.main_window import MainWindow
from viewer.export import export_pack, export_png

PACKAGE = Path(__file__).resolve().parent.parent / "viewer"


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to open a connection fails the test (and is recorded)."""
    attempts = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise AssertionError(f"network connection attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection",
                        lambda address, *a, **k: refuse(None, address))
    return attempts


def test_start_open_scrub_and_export_open_no_connection(no_network, qtbot, tmp_path):
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    with qtbot.waitSignal(window.opened, timeout=60_000):
        window.open_dataset(EMBEDDED_DATASET, dt.date(2024, 9, 1))
    for day in (dt.date(2024, 10, 19), dt.date(2024, 11, 25), dt.date(2025, 8, 15)):
        window.state.set_date(day)
        window.repaint()
    dataset = window.state.dataset
    png = export_png(dataset, dt.date(2024, 11, 20), tmp_path / "map.png")
    (tmp_path / "pack").mkdir()
    pack = export_pack(dataset, [dt.date(2024, 9, 1), dt.date(2024, 11, 25)], tmp_path / "pack")
    assert png.stat().st_size > 10_000 and len(pack.images) == 2
    assert no_network == []


def test_proj_never_fetches_grids_whatever_the_environment_says():
    """PROJ_NETWORK=ON in a user's environment let PROJ fetch transformation grids."""
    import subprocess
    import sys

    code = "import viewer, pyproj.network; print(pyproj.network.is_network_enabled())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PROJ_NETWORK": "ON",
                              "PYTHONPATH": str(PACKAGE.parent)}).stdout
    assert out.strip() == "False"


def test_the_app_never_imports_a_network_or_code_loading_module():
    """No pickle, eval/exec, QtNetwork, urllib or requests anywhere in the package:
    nothing in a data file can be turned into running code or a fetch."""
    banned_modules = {"pickle", "marshal", "shelve", "urllib.request", "requests", "http.client",
                      "PySide6.QtNetwork", "PySide6.QtWebEngineCore", "dill"}
    banned_calls = {"eval", "exec", "compile", "__import__"}
    found = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                names = [node.func.id] if node.func.id in banned_calls else []
            else:
                continue
            found += [f"{path.name}:{node.lineno} {n}" for n in names
                      if n in banned_modules or n in banned_calls]
    assert found == []
