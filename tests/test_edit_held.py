"""Edits a refused save held back (a colleague saved to the same file meanwhile): once
re-applied and saved, neither the analyst's edits nor the colleague's are lost."""
from __future__ import annotations

import datetime as dt

import pytest

from factory import tiny_gpkg
from test_edit_window import answers, open_window  # noqa: F401 - answers is a fixture
from viewer.io import read_dataset
from viewer.io.store import GpkgStore
from viewer.model.edit_apply import find_row
from viewer.model.edits import AddEvent, AddSource, CorrectRow, SetControl
from viewer.qt import edit_session

NOV_9, FEB_1, JUN_1 = dt.date(2024, 11, 9), dt.date(2025, 2, 1), dt.date(2025, 6, 1)
JUN_5 = dt.date(2024, 6, 5)


@pytest.fixture
def gpkg(tmp_path):
    return tiny_gpkg(tmp_path / "briefing.gpkg")


def colleague_saves(gpkg, command, day) -> None:
    """Another program (the command line, a colleague's window) saves an edit to the file."""
    store = GpkgStore(gpkg)
    store.apply([command.edit(store.read(), day)], user="colleague")


def refused_save(qtbot, window) -> None:
    with qtbot.waitSignal(window.opened, timeout=30_000):
        assert not window.editing.session.save()


def test_a_reapplied_event_keeps_the_time_range_a_colleagues_later_event_widened(
        qtbot, tmp_path, gpkg, answers):  # noqa: F811
    window = open_window(qtbot, tmp_path, gpkg)
    session = window.editing.session
    session.push(AddEvent("Gate reopens", "trade", ("s1",), FEB_1).edit(window.state.dataset, FEB_1))
    colleague_saves(gpkg, AddEvent("Market clash", "conflict", ("s2",), JUN_1), JUN_1)
    refused_save(qtbot, window)
    dialog = window.editing.show_held()
    dialog.reapply_button.click()
    assert session.save()
    stored = read_dataset(gpkg)
    assert {"Gate reopens", "Market clash"} <= set(stored.events["title"])
    assert stored.meta["time_end"] == "2025-06-02"  # the colleague's June event stays on the timeline


def test_an_event_citing_a_new_source_cites_it_even_when_a_colleague_took_its_id(
        qtbot, tmp_path, gpkg, answers):  # noqa: F811
    """The window and the command line each add a source published the same day: both
    get the id src-2024-11-09. After the refused save the analyst's source and event are
    made again, and the event cites the analyst's source, never the colleague's."""
    window = open_window(qtbot, tmp_path, gpkg)
    session = window.editing.session
    session.push(AddSource("Frontier", "Bridge blown", NOV_9).edit(window.state.dataset, NOV_9))
    [mine] = [c.row_id for c in session.pending()[0].changes]
    session.push(AddEvent("Bridge blown", "conflict", (mine,), NOV_9).edit(window.state.dataset, NOV_9))
    colleague_saves(gpkg, AddSource("Mizzima", "Rice prices", NOV_9), NOV_9)
    assert mine in set(read_dataset(gpkg).sources["source_id"])  # the colleague's row
    refused_save(qtbot, window)
    assert session.held == []
    assert session.save()
    stored = read_dataset(gpkg)
    [event] = stored.events[stored.events["title"] == "Bridge blown"].to_dict("records")
    assert find_row(stored, "sources", event["source_ids"])["title"] == "Bridge blown"
    assert find_row(stored, "sources", mine)["title"] == "Rice prices"  # the colleague's, untouched


def test_a_correction_of_a_held_new_event_waits_for_it_and_never_lands_on_a_colleagues_event(
        qtbot, tmp_path, gpkg, answers, monkeypatch):  # noqa: F811
    """Both add an event on 1 June 2025 (id ev-2025-06-01); the analyst then corrects
    the title of theirs. Their event is held (the colleague moved the time range on), so
    re-applying the correction first must not touch the colleague's event of that id."""
    told = []
    monkeypatch.setattr(edit_session, "tell", lambda _parent, _title, text: told.append(text))
    window = open_window(qtbot, tmp_path, gpkg)
    session = window.editing.session
    session.push(AddEvent("Gate reopns", "trade", ("s1",), JUN_1).edit(window.state.dataset, JUN_1))
    [mine] = [c.row_id for c in session.pending()[0].changes if c.layer == "events"]
    session.push(CorrectRow("events", mine, {"title": "Gate reopens"}, reason="typo")
                 .edit(window.state.dataset, JUN_1))
    colleague_saves(gpkg, AddEvent("Market clash", "conflict", ("s2",), JUN_1), JUN_1)
    refused_save(qtbot, window)
    assert [e.command for e in session.held] == ["add-event", "correct"]
    dialog = window.editing.show_held()
    dialog.list.setCurrentRow(1)
    dialog.reapply_button.click()  # the correction first: it waits for the event
    assert [e.command for e in session.held] == ["add-event", "correct"]
    assert "Re-apply that first" in told[-1] and "Add event" in told[-1]
    assert find_row(window.state.dataset, "events", mine)["title"] == "Market clash"
    dialog.reapply_button.click()  # the event
    dialog.reapply_button.click()  # then its correction
    assert session.held == [] and session.save()
    titles = set(read_dataset(gpkg).events["title"])
    assert {"Gate reopens", "Market clash"} <= titles and "Gate reopns" not in titles


def test_a_reapplied_holding_keeps_the_end_a_colleague_gave_the_row_it_closes(
        qtbot, tmp_path, gpkg, answers, monkeypatch):  # noqa: F811
    """Setting KIA in Westtown from 5 June closes SAC's row on 5 June. A colleague had
    ended that row on 1 June meanwhile: re-applying wrote 5 June over it, a holding no
    source gives, and the held-edits list never showed the colleague's value."""
    told = []
    monkeypatch.setattr(edit_session, "tell", lambda _parent, title, text: told.append(text))
    window = open_window(qtbot, tmp_path, gpkg)
    session = window.editing.session
    session.push(SetControl("zone-west", "KIA", JUN_5, confidence="reported", sources=("s1",))
                 .edit(window.state.dataset, JUN_5))
    colleague_saves(gpkg, CorrectRow("control", "c1", {"valid_to": "2024-06-01"},
                                     reason="the source says 1 June"), JUN_5)
    refused_save(qtbot, window)
    dialog = window.editing.show_held()
    both = "control c1, valid_to: 2024-06-01 (yours: 2024-06-05)"
    assert both in dialog.list.item(0).text()
    dialog.reapply_button.click()
    assert session.held == [] and both in told[-1]
    assert session.save()
    stored = read_dataset(gpkg)
    assert find_row(stored, "control", "c1")["valid_to"] == "2024-06-01"
    [kia] = [row for row in stored.control.to_dict("records")
             if row["area_id"] == "zone-west" and row["actor_id"] == "KIA"]
    assert str(kia["valid_from"])[:10] == "2024-06-05"


@pytest.mark.parametrize("theirs, said", [
    # Every cell it changed a colleague changed too: re-applying made an edit of no change,
    # which a save wrote to the log as an edit and Undo listed.
    ("Theirs", "events e1, title: Theirs (yours: Mine)"),
    # The colleague made the same change: "other values in every cell" over an empty list.
    ("Mine", "a colleague has saved the same values"),
])
def test_a_held_edit_with_nothing_left_to_change_is_let_go_saying_why(
        qtbot, tmp_path, gpkg, answers, monkeypatch, theirs, said):  # noqa: F811
    told = []
    monkeypatch.setattr(edit_session, "tell", lambda _parent, _title, text: told.append(text))
    window = open_window(qtbot, tmp_path, gpkg)
    session = window.editing.session
    session.push(CorrectRow("events", "e1", {"title": "Mine"}, reason="typo")
                 .edit(window.state.dataset, JUN_5))
    colleague_saves(gpkg, CorrectRow("events", "e1", {"title": theirs}, reason="typo"), JUN_5)
    refused_save(qtbot, window)
    assert session.held    # the row changed since it was read
    window.editing.show_held().reapply_button.click()
    assert session.held == [] and session.pending() == []
    assert said in told[-1]
