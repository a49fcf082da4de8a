"""Edits a refused save held back (a colleague saved to the same file meanwhile): once
re-applied and saved, neither the analyst's edits nor the colleague's are lost."""
from __future__ import annotations

import datetime as dt

import pytest

from factory import tiny_gpkg
from test_edit_window import answers, open_window  # noqa: F401 - answers is a fixture
from viewer.io import read_dataset
from viewer.io.store import GpkgStore
from viewer.model.edits import AddEvent

FEB_1, JUN_1 = dt.date(2025, 2, 1), dt.date(2025, 6, 1)


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
