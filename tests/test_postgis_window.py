"""Two windows' worth of a team: a colleague's save shows in an open window, same date and view."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QSettings

from test_main_window import open_window

NOV_20 = dt.date(2024, 11, 20)


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def holder(window) -> str:
    rows = window.state.dataset.control_on(window.state.date)
    return dict(zip(rows["area_id"], rows["actor_id"]))["zone-east"]


def save_in_another_process(url) -> None:
    """Analyst A, in another process, records that SAC holds zone-east from 5 Nov 2024."""
    script = textwrap.dedent(f"""
        import datetime as dt
        from viewer.io.pg_store import PostgisStore
        from viewer.io.pg_url import DatabaseUrl
        from viewer.model.edits import SetControl
        store = PostgisStore(DatabaseUrl.parse({url.conninfo + '?schema=tiny'!r}))
        day = dt.date(2024, 11, 5)
        edit = SetControl("zone-east", "SAC", day, confidence="reported", sources=("s2",))
        store.apply([edit.edit(store.read(), day)], "analyst-a")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_colleagues_save_shows_without_reopening_at_the_same_date_and_view(
        qtbot, settings, team):
    url = team("briefer")  # a read-only briefer watching the desk's database
    window = open_window(qtbot, settings, url.conninfo + "?schema=tiny", NOV_20)
    assert holder(window) == "KIA"
    window.map.zoom(2.0)
    view = window.map.view_state()
    with qtbot.waitSignal(window.loader.loaded, timeout=15_000):
        save_in_another_process(team("analyst"))
    assert holder(window) == "SAC"
    assert window.state.date == NOV_20
    assert window.map.view_state() == view
    remembered = settings.value("dataset/last_path")
    assert remembered.endswith("/" + url.conninfo.split("/")[-1] + "?schema=tiny")
    settings.sync()
    assert "briefer-pw" not in open(settings.fileName(), encoding="utf-8").read()
