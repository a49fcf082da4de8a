"""A save to the open file made elsewhere shows in the window; the window's own does not reload it."""
from __future__ import annotations

import datetime as dt

import pytest

from factory import tiny_gpkg
from test_edit_window import answers, open_window  # noqa: F401 - answers is a fixture
from viewer.io.store import GpkgStore
from viewer.model.edits import CorrectRow, SetControl

NOV_5 = dt.date(2024, 11, 5)


@pytest.fixture
def gpkg(tmp_path):
    return tiny_gpkg(tmp_path / "briefing.gpkg")


def holder(window, zone: str = "zone-east") -> str:
    rows = window.state.dataset.control_index.indices((window.state.date - dt.date(1970, 1, 1)).days)
    control = window.state.dataset.control.iloc[rows]
    return control.loc[control["area_id"] == zone, "actor_id"].iloc[0]


def test_a_save_made_elsewhere_shows_at_the_same_date_and_says_who(qtbot, tmp_path, gpkg,
                                                                   answers):  # noqa: F811
    """A second window (or QGIS, or the command line) saved: the first kept drawing the
    old holder of the zone until it tried to save itself."""
    window = open_window(qtbot, tmp_path, gpkg)
    assert holder(window) == "KIA"
    colleague = GpkgStore(gpkg)
    with qtbot.waitSignal(window.opened, timeout=15_000):
        colleague.apply([SetControl("zone-east", "SAC", dt.date(2024, 11, 1), confidence="reported",
                                    sources=("s1",)).edit(colleague.read(), NOV_5)], user="alice")
    assert window.state.date == NOV_5 and holder(window) == "SAC"
    assert "saved by alice at" in window.statusBar().currentMessage()


def test_the_windows_own_save_does_not_read_the_file_again(qtbot, tmp_path, gpkg,
                                                           answers):  # noqa: F811
    window = open_window(qtbot, tmp_path, gpkg)
    session = window.editing.session
    session.push(CorrectRow("sources", "s1", {"title": "Mine"}, reason="typo")
                 .edit(window.state.dataset, NOV_5))
    shown = window.state.dataset
    assert session.save()
    with qtbot.assertNotEmitted(window.opened, wait=2_000):
        pass
    assert window.state.dataset is shown
