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
    with qtbot.waitSignal(window.opened, timeout=15_000):
        save_in_another_process(team("analyst"))
    assert holder(window) == "SAC"
    assert window.state.date == NOV_20
    assert window.map.view_state() == view
    remembered = settings.value("dataset/last_path")
    assert remembered.endswith("/" + url.conninfo.split("/")[-1] + "?schema=tiny")
    settings.sync()
    assert "briefer-pw" not in open(settings.fileName(), encoding="utf-8").read()


def two_analysts(qtbot, tmp_path, team):
    """Alice's and Bob's windows on the same team database, as editors."""
    address = team("analyst").conninfo + "?schema=tiny"
    windows = []
    for name in ("alice", "bob"):
        settings = QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat)
        settings.setValue("edit/user_name", name)
        windows.append(open_window(qtbot, settings, address, NOV_20))
    return windows


def sac_takes_zone_east(window) -> None:
    """An unsaved edit in `window`: SAC holds zone-east from 5 Nov 2024 (closes row c3)."""
    from viewer.model.edits import SetControl

    window.editing.session.push(SetControl("zone-east", "SAC", dt.date(2024, 11, 5),
                                           confidence="reported", sources=("s2",))
                                .edit(window.state.dataset, NOV_20))


def test_the_second_window_to_save_a_row_is_refused_and_shows_the_first_ones_change(
        qtbot, tmp_path, team):
    from PySide6.QtWidgets import QMessageBox

    from viewer.model.edits import SetControl

    alice, bob = two_analysts(qtbot, tmp_path, team)
    nov_9 = dt.date(2024, 11, 9)
    sac_takes_zone_east(alice)
    bob.editing.session.push(SetControl("zone-east", "KIA", nov_9, status="contested",
                                        contested_with="SAC", confidence="claimed",
                                        sources=("s1",)).edit(bob.state.dataset, NOV_20))
    assert alice.editing.session.save()
    qtbot.wait(300)  # bob's window hears the save but keeps his unsaved edit
    assert bob.editing.session.pending()
    with qtbot.waitSignal(bob.opened, timeout=15_000):
        assert not bob.editing.session.save()
    [box] = [b for b in bob.findChildren(QMessageBox) if b.windowTitle() == "Edits not saved"]
    assert "row c3 of 'control' was changed by alice at 20" in box.text()
    assert "Not saved: " in box.text()  # bob's edit, named, to make again
    assert holder(bob) == "SAC"  # bob's window now shows alice's change
    assert [e.user for e in bob.editing.session.store.log()] == ["alice"]  # nothing overwritten
