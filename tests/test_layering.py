"""The package layering holds: app -> cli | qt -> export -> render -> io -> model.

The contracts live in pyproject.toml ([tool.importlinter]); a change that
makes the model import Qt, or the renderer import a widget, fails here.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept(monkeypatch, capsys):
    from importlinter.cli import lint_imports

    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out


def test_drawing_and_exports_load_no_widgets():
    """What import-linter cannot name (a Qt sub-module): render and export run
    without QtWidgets, as the command line's exports do."""
    script = (
        "import importlib, pkgutil, sys, viewer.render, viewer.export\n"
        "for package in (viewer.render, viewer.export):\n"
        "    for module in pkgutil.iter_modules(package.__path__, package.__name__ + '.'):\n"
        "        importlib.import_module(module.name)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6.QtWidgets', 'pyqtgraph'))))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_reading_and_exporting_a_map_load_no_gdal(tiny_gpkg, tmp_path):
    """GeoPackages are read with sqlite3 (viewer/io/gpkg_read.py): a command-line
    export never loads pyogrio and GDAL (29-31 MB of its peak memory)."""
    script = (
        "import sys\n"
        "from viewer.cli.main import main\n"
        f"code = main(['export', '--dataset', {str(tiny_gpkg)!r}, '--date', '2024-11-20',\n"
        f"             '--out', {str(tmp_path / 'map.png')!r}, '--width', '320', '--height', '200'])\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in ('pyogrio', 'fiona', 'osgeo')))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == "0 []"
    assert (tmp_path / "map.png").is_file()
