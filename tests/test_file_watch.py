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
    with qtbot.assertNotEmitted(window.opened, wait=2_000):   # read once, not twice
        pass


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


def test_a_form_open_while_the_file_is_read_again_records_nothing_over_the_new_rows(
        qtbot, tmp_path, gpkg, answers):  # noqa: F811
    """The form, opened on the rows as they were, recorded over the colleague's title the
    window had just read (a save then wrote it: nothing held, nobody asked)."""
    from viewer.model.state import Selection
    from viewer.qt.edit_forms import CorrectForm

    window = open_window(qtbot, tmp_path, gpkg)
    window.state.select(Selection("events", "e1"))
    form = window.editing.open_form(CorrectForm)
    form.values["title"].setText("Mine")
    form.reason.setText("typo")
    colleague = GpkgStore(gpkg)
    with qtbot.waitSignal(window.opened, timeout=15_000):
        colleague.apply([CorrectRow("events", "e1", {"title": "Theirs"}, reason="typo")
                         .edit(colleague.read(), NOV_5)], user="alice")
    form.accept()
    assert window.editing.session.pending() == []
    assert "read again while this form was open" in form.refusal.text()


def test_a_save_put_off_by_unsaved_edits_is_shown_after_the_windows_own_save(
        qtbot, tmp_path, gpkg, answers):  # noqa: F811
    """"Save to see both": after the save the window went on drawing the old holder (its
    own save's state, which held the colleague's too, was taken as its own)."""
    window = open_window(qtbot, tmp_path, gpkg)
    session = window.editing.session
    session.push(CorrectRow("sources", "s1", {"title": "Mine"}, reason="typo")
                 .edit(window.state.dataset, NOV_5))
    colleague = GpkgStore(gpkg)
    colleague.apply([SetControl("zone-east", "SAC", dt.date(2024, 11, 1), confidence="reported",
                                sources=("s1",)).edit(colleague.read(), NOV_5)], user="alice")
    qtbot.waitUntil(lambda: "save to see both" in window.statusBar().currentMessage(),
                    timeout=15_000)
    assert "saved by alice at" in window.statusBar().currentMessage()   # who, while put off
    assert holder(window) == "KIA"
    with qtbot.waitSignal(window.opened, timeout=15_000):
        assert session.save()
    assert holder(window) == "SAC"


def test_a_save_made_while_the_file_was_read_is_shown(qtbot, tmp_path, gpkg, answers,  # noqa: F811
                                                      monkeypatch):
    """The watch began from the file as it was once read, so a save made during the read
    counted as seen."""
    from viewer.io import file_state, reader

    before = file_state.saved_state(gpkg)
    colleague = GpkgStore(gpkg)
    colleague.apply([SetControl("zone-east", "SAC", dt.date(2024, 11, 1), confidence="reported",
                                sources=("s1",)).edit(colleague.read(), NOV_5)], user="alice")
    monkeypatch.setattr(reader, "saved_state", lambda _path: before)  # the read began before it
    window = open_window(qtbot, tmp_path, gpkg)
    monkeypatch.undo()
    qtbot.waitUntil(lambda: "saved by alice" in window.statusBar().currentMessage(),
                    timeout=15_000)


def test_an_earlier_day_shown_is_kept_until_the_analyst_returns_to_now(
        qtbot, tmp_path, gpkg, answers):  # noqa: F811
    window = open_window(qtbot, tmp_path, gpkg)
    session = window.editing.session
    session.show_recorded_on(dt.date(2000, 1, 1))
    colleague = GpkgStore(gpkg)
    colleague.apply([SetControl("zone-east", "SAC", dt.date(2024, 11, 1), confidence="reported",
                                sources=("s1",)).edit(colleague.read(), NOV_5)], user="alice")
    qtbot.waitUntil(lambda: "return to now" in window.statusBar().currentMessage(),
                    timeout=15_000)
    assert session.recorded_on == dt.date(2000, 1, 1)
    with qtbot.waitSignal(window.opened, timeout=15_000):
        session.show_recorded_on(None)
    assert holder(window) == "SAC" and session.recorded_on is None
