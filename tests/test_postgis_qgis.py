"""QGIS opens a published schema and its Temporal Controller agrees with `state`."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from viewer.cli import EMBEDDED_DATASET
from viewer.io import read_dataset
from viewer.io.pg_publish import publish
from viewer.io.pg_url import DatabaseUrl

QGIS_PYTHON = "/usr/bin/python3"
CHECK = Path(__file__).parents[1] / "geodata" / "qgis_check.py"


def qgis_missing() -> str | None:
    if not shutil.which(QGIS_PYTHON):
        return "no system Python for QGIS"
    found = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True)
    return None if found.returncode == 0 else "QGIS is not installed (apt-get install python3-qgis)"


def test_qgis_opens_the_published_tables_and_filters_them_as_state_does(pg_database):
    reason = qgis_missing()
    if reason:
        pytest.skip(reason)
    url = DatabaseUrl.parse(pg_database + "?schema=kachin")
    publish(EMBEDDED_DATASET, url)
    day = dt.date(2024, 11, 20)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run([QGIS_PYTHON, str(CHECK), pg_database + "?schema=kachin", day.isoformat()],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    sections = qgis_sections(done.stdout)
    expected = read_dataset(EMBEDDED_DATASET)
    holders = sorted(zip(expected.control_on(day)["area_id"], expected.control_on(day)["actor_id"]))
    routes = sorted(zip(expected.flows_on(day)["route_id"], expected.flows_on(day)["status"]))
    assert sections["control"] == holders and holders
    assert sections["flows"] == routes and routes


def qgis_sections(text: str) -> dict[str, list[tuple[str, ...]]]:
    """qgis_check's output: 'LAYER on DATE:' then one indented 'KEY VALUE' line per row."""
    sections: dict[str, list[tuple[str, ...]]] = {}
    for line in text.splitlines():
        if line and not line.startswith(" "):
            current = sections.setdefault(line.split(" on ")[0], [])
        elif line.strip():
            current.append(tuple(line.split(maxsplit=1)))
    return sections
