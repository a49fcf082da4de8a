"""Chapter edits: checked like every edit, undone in memory, saved by the store."""
from __future__ import annotations

import datetime as dt

import pytest
from factory import briefing_layers, write_tiny

from viewer.io import read_dataset
from viewer.io.store import GpkgStore
from viewer.model.chapter_edits import AddChapter, DeleteChapter, EditChapter, MoveChapter
from viewer.model.changes import EditRefused
from viewer.model.edit_apply import with_changes, without_changes

DAY = dt.date(2024, 10, 25)


def titles(dataset, briefing_id="main"):
    briefing = next(b for b in dataset.briefings if b.briefing_id == briefing_id)
    return [c.title for c in briefing.chapters]


@pytest.fixture
def briefed(tmp_path):
    return write_tiny(tmp_path / "briefed.gpkg", **briefing_layers())


def test_add_move_edit_delete_and_undo_in_memory(briefed):
    data = read_dataset(briefed)
    added = AddChapter("main", "Gate shut", DAY, (97.0, 25.0, 98.0, 25.5), ("base", "flows"),
                       "The route halts.", ("s2",)).edit(data, DAY)
    step1 = with_changes(data, added.changes)
    assert titles(step1) == ["Before", "After the capture", "Gate shut"]
    new = step1.briefings[0].chapters[-1]
    assert (new.date, new.extent, new.layers, new.source_ids) == (
        DAY, (97.0, 25.0, 98.0, 25.5), ("base", "flows"), ("s2",))
    moved = MoveChapter(new.chapter_id, 0).edit(step1, DAY)
    step2 = with_changes(step1, moved.changes)
    assert titles(step2) == ["Gate shut", "Before", "After the capture"]
    renamed = EditChapter("b-01", {"title": "After", "caption": "New words."}).edit(step2, DAY)
    step3 = with_changes(step2, renamed.changes)
    assert titles(step3) == ["Gate shut", "Before", "After"]
    deleted = DeleteChapter("b-02").edit(step3, DAY)
    step4 = with_changes(step3, deleted.changes)
    assert titles(step4) == ["Gate shut", "After"]
    undone = without_changes(step4, deleted.changes)
    assert titles(undone) == ["Gate shut", "Before", "After"]
    assert titles(without_changes(step2, moved.changes)) == titles(step1)


@pytest.mark.parametrize("command, field", [
    (lambda: AddChapter("main", "x", DAY, source_ids=("nope",)), "source_ids"),
    (lambda: AddChapter("main", "  ", DAY), "title"),
    (lambda: AddChapter("main", "x", dt.date(1900, 1, 1)), "date"),   # outside the dataset's range
    (lambda: EditChapter("b-01", {"date": "2024-01-01"}), "date"),
    (lambda: EditChapter("gone", {"title": "x"}), "chapter_id"),
    (lambda: MoveChapter("b-02", 0), "position"),
])
def test_bad_chapter_edits_are_refused_naming_the_field(briefed, command, field):
    with pytest.raises(EditRefused) as refused:
        command().edit(read_dataset(briefed), DAY)
    assert refused.value.field == field


def test_saved_chapters_are_in_the_file_with_an_edit_log(briefed):
    data = read_dataset(briefed)
    moved = MoveChapter("b-01", 0).edit(data, DAY)
    GpkgStore(briefed).apply([moved], user="tester")
    reread = read_dataset(briefed)
    assert titles(reread) == ["After the capture", "Before"]
    assert [e.edit.command for e in GpkgStore(briefed).log()] == ["move-chapter"]


def test_the_first_chapter_creates_the_tables_in_a_file_without_them(tmp_path):
    path = write_tiny(tmp_path / "plain.gpkg")
    data = read_dataset(path)
    assert data.briefings == []
    edit = AddChapter("plain", "First view", DAY, briefing_title="My briefing").edit(data, DAY)
    GpkgStore(path).apply([edit], user="tester")
    reread = read_dataset(path)
    assert reread.briefings[0].title == "My briefing"
    assert titles(reread, "plain") == ["First view"]


def test_a_chapter_of_a_day_the_window_offers_past_time_end_is_recorded(tmp_path):
    """With data_current_to the window runs on to today, past time_end: a chapter of a
    day it showed was refused (and a file holding one no longer opened)."""
    import pandas as pd
    from factory import tiny_layers

    extra = briefing_layers()
    meta = tiny_layers()["dataset_meta"]
    meta = pd.concat([meta, pd.DataFrame({"key": ["data_current_to"], "value": ["2024-12-01"]})],
                     ignore_index=True)
    data = read_dataset(write_tiny(tmp_path / "on.gpkg", dataset_meta=meta, **extra))
    today = dt.date.today()
    assert data.last_day >= today > dt.date(2025, 1, 1)
    edit = AddChapter("main", "Where it stands today", today, source_ids=("s1",)).edit(data, today)
    GpkgStore(tmp_path / "on.gpkg").apply([edit], user="a")
    reread = read_dataset(tmp_path / "on.gpkg")
    assert "Where it stands today" in titles(reread) and reread.warnings == []   # one range


def test_a_chapter_outside_the_range_saved_before_does_not_stop_other_chapter_edits(tmp_path):
    extra = briefing_layers()
    extra["briefing_chapters"]["date"] = ["2023-06-01", "2024-10-19"]   # the first is outside
    data = read_dataset(write_tiny(tmp_path / "old.gpkg", **extra))
    assert data.warnings
    edit = EditChapter("b-02", {"title": "Renamed"}).edit(data, DAY)
    assert "Renamed" in titles(with_changes(data, edit.changes))


def test_a_view_added_before_its_sources_are_named_is_kept(tmp_path):
    """"Add view" comes before the chapter's sources: its no-sources warning must not
    refuse the edit, as a warning about an edited chapter does."""
    data = read_dataset(write_tiny(tmp_path / "draft.gpkg", **briefing_layers()))
    edit = AddChapter("main", "A draft", dt.date(2024, 7, 1)).edit(data, dt.date(2024, 7, 1))
    GpkgStore(tmp_path / "draft.gpkg").apply([edit], user="a")
    assert "A draft" in titles(read_dataset(tmp_path / "draft.gpkg"))
