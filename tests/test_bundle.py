"""The self-contained bundle: PyInstaller builds it from packaging/kachin-viewer.spec, and
its command exports a briefing PNG on a machine with no Python on the path.

Slow (a full PyInstaller build, about a minute on two cores); `.ci/run` runs it."""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "kachin-viewer.spec"
COMMAND = "kachin-viewer.exe" if sys.platform == "win32" else "kachin-viewer"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Iterator[Path]:
    """The built bundle folder (removed afterwards: it is ~380 MB); its command is
    `<bundle>/kachin-viewer`."""
    build = tmp_path_factory.mktemp("pyinstaller")
    result = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(build / "dist"), "--workpath", str(build / "work"), str(SPEC)],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-4000:]
    folder = build / "dist" / "kachin-viewer"
    assert (folder / COMMAND).is_file()
    yield folder
    shutil.rmtree(build, ignore_errors=True)


@pytest.fixture
def bare_env(tmp_path) -> dict[str, str]:
    """A user's session with no Python anywhere: PATH holds only an empty folder, and no
    PYTHONPATH, PYTHONHOME or VIRTUAL_ENV; no display either (exports are headless)."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    (tmp_path / "home").mkdir()
    env = {"HOME": str(tmp_path / "home"), "PATH": str(empty), "LANG": "C.UTF-8",
           "XDG_DATA_HOME": str(tmp_path / "home" / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "home" / "config")}
    if sys.platform == "win32":
        env["SYSTEMROOT"] = os.environ["SYSTEMROOT"]
    return env


def run(bundle: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(bundle / COMMAND), *args], env=env, cwd=env["HOME"],
                          capture_output=True, text=True, timeout=300)


def test_bundle_exports_a_png_without_python(bundle, bare_env, tmp_path):
    assert shutil.which("python3", path=bare_env["PATH"]) is None
    out = tmp_path / "briefing.png"

    result = run(bundle, bare_env, "export", "--date", "2024-11-20", "--out", str(out),
                 "--width", "1280", "--height", "720")

    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert not image.isNull(), f"{out} is not a readable PNG"
    assert (image.width(), image.height()) == (1280, 720)
    colours = {image.pixel(x, y) for x in range(0, 1280, 16) for y in range(0, 720, 16)}
    assert len(colours) > 20, "the exported map is (nearly) blank"


def test_bundle_reads_the_embedded_dataset_with_its_own_gdal_and_proj(bundle, bare_env):
    embedded = next(bundle.rglob("geodata/kachin.gpkg"))

    check = run(bundle, bare_env, "validate", str(embedded))
    state = run(bundle, bare_env, "state", "--date", "2024-11-20", "--json")

    assert check.returncode == 0 and check.stdout.strip().endswith("is a valid briefing dataset"), \
        check.stdout + check.stderr
    assert state.returncode == 0, state.stderr
    snapshot = json.loads(state.stdout)
    assert snapshot["control"] and snapshot["flows"], "nothing holds on 2024-11-20"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freedesktop entries are Linux-only")
def test_bundle_installs_a_desktop_entry_that_starts_the_bundle(bundle, bare_env):
    result = run(bundle, bare_env, "--install-desktop")

    assert result.returncode == 0, result.stderr
    entry = Path(bare_env["XDG_DATA_HOME"]) / "applications" / "kachin-viewer.desktop"
    exec_line = next(line for line in entry.read_text().splitlines() if line.startswith("Exec="))
    assert shlex.split(exec_line[len("Exec="):]) == [str(bundle / COMMAND), "%f"]
    icon = Path(bare_env["XDG_DATA_HOME"]) / "icons" / "hicolor" / "48x48" / "apps" / "kachin-viewer.png"
    assert icon.is_file()


def test_bundle_carries_the_licences_of_what_it_ships(bundle):
    licences = next(bundle.rglob("licenses"))
    assert (licences / "qt" / "LGPL-3.0.txt").is_file()
    assert (licences / "data" / "README.md").is_file()
    assert list(bundle.rglob("pyogrio-*.dist-info/licenses/LICENSE"))
