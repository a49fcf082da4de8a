"""QGIS (Debian's python3-qgis) opens an edited briefing and its Temporal Controller agrees
with `state` on a date after the edit."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from viewer.cli.main import main
from viewer.resources import EMBEDDED_DATASET

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = "/usr/bin/python3"
EDIT_DAY, CHECK_DAY = "2026-03-02", "2026-03-10"


def qgis_missing() -> str | None:
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} is not installed"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True)
    if probe.returncode:
        return "QGIS's Python (Debian package python3-qgis) is not installed: " \
               "scripts/bootstrap.sh installs it where apt-get can"
    return None


def qgis_rows(path: Path, day: str) -> dict[str, list[tuple[str, str]]]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([SYSTEM_PYTHON, str(ROOT / "geodata" / "qgis_check.py"), str(path), day],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    rows: dict[str, list] = {}
    for line in result.stdout.splitlines():
        if line.endswith(":"):
            layer = rows.setdefault(line.split(" on ")[0], [])
        elif line.strip():
            layer.append(tuple(line.split()[:2]))
    return rows


@pytest.mark.skipif(qgis_missing() is not None, reason=str(qgis_missing()))
def test_qgis_opens_an_edited_file_and_agrees_with_state_after_the_edit(tmp_path, capsys):
    path = tmp_path / "my-briefing.gpkg"
    shutil.copyfile(EMBEDDED_DATASET, path)
    assert main(["edit", str(path), "add-source", "--outlet", "Irrawaddy", "--title",
                 "KIA takes Bhamo", "--published", EDIT_DAY]) == 0
    source = capsys.readouterr().out.strip()
    assert main(["edit", str(path), "set-control", "--area", "zone-bhamo", "--actor", "KIA",
                 "--from", EDIT_DAY, "--confidence", "reported", "--sources", source]) == 0
    assert main(["edit", str(path), "set-route", "--route", "pangwa-gate", "--status", "halted",
                 "--from", EDIT_DAY, "--sources", source]) == 0
    capsys.readouterr()
    assert main(["state", "--dataset", str(path), "--date", CHECK_DAY, "--json"]) == 0
    state = json.loads(capsys.readouterr().out)

    seen = qgis_rows(path, CHECK_DAY)
    assert ("zone-bhamo", "KIA") in seen["control"]
    assert sorted(seen["control"]) == sorted((r["area_id"], r["actor_id"]) for r in state["control"])
    assert sorted(seen["flows"]) == sorted((r["route_id"], r["status"]) for r in state["flows"])
