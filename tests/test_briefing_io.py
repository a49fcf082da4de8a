"""The optional briefing layers: read, checked cell by cell, kept on writing."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from factory import briefing_layers, tiny_layers, write_layers, write_tiny

from viewer.io import DatasetError, read_dataset
from viewer.io.gpkg_write import write_gpkg
from viewer.model.briefing import find_briefing


def test_a_file_without_briefing_layers_has_no_briefings(dataset):
    assert dataset.briefings == []
    with pytest.raises(KeyError, match="no briefing"):
        find_briefing(dataset.briefings, None)


def test_chapters_are_read_in_position_order(tmp_path):
    data = read_dataset(write_tiny(tmp_path / "b.gpkg", **briefing_layers()))
    briefing = find_briefing(data.briefings, "main")
    assert briefing.title == "The tiny story"
    first, second = briefing.chapters
    assert (first.title, first.date, first.extent, first.layers) == (
        "Before", dt.date(2024, 6, 1), None, None)
    assert second.extent == (97.5, 25.0, 98.0, 25.5)
    assert second.layers == ("base", "control", "places", "labels")
    assert second.source_ids == ("s1", "s2")
    assert second.layer_visibility()["flows"] is False


def test_round_trip_through_the_writer_keeps_chapters_and_extra_columns(tmp_path):
    layers = tiny_layers()
    extra = briefing_layers()
    extra["briefing_chapters"]["speaker_notes"] = ["say this", None]
    layers.update(extra)
    first = read_dataset(write_layers(layers, tmp_path / "a.gpkg"))
    rows = [c.to_row() for c in first.briefings[0].chapters]
    written = dict(tiny_layers(), briefings=extra["briefings"],
                   briefing_chapters=pd.DataFrame(rows))
    write_gpkg(written, tmp_path / "b.gpkg")
    second = read_dataset(tmp_path / "b.gpkg")
    assert second.briefings == first.briefings
    assert dict(second.briefings[0].chapters[1].extra) == {"speaker_notes": "say this"}


@pytest.mark.parametrize("column, value, message", [
    ("date", "2024-13-01", "layer 'briefing_chapters', row b-01, column 'date': '2024-13-01' is not a date"),
    ("extent", "98,25,97,26", "row b-01, column 'extent': '98,25,97,26' is not a box"),
    ("extent", "a,b", "column 'extent': 'a,b' is not four numbers"),
    ("layers", "control;roads", "column 'layers': 'roads' is not a map layer"),
    ("source_ids", "s1;nope", "column 'source_ids': 'nope' is not a known id in layer 'sources'"),
    ("briefing_id", "other", "column 'briefing_id': 'other' is not a known id in layer 'briefings'"),
    ("position", "first", "column 'position': 'first' is not a whole number"),
    ("title", None, "row b-01, column 'title': required value is empty"),
])
def test_a_bad_cell_is_one_line_naming_file_layer_row_and_column(tmp_path, column, value, message):
    extra = briefing_layers()
    chapters = extra["briefing_chapters"].astype(object)
    chapters.loc[0, column] = value
    extra["briefing_chapters"] = chapters
    with pytest.raises(DatasetError) as caught:
        read_dataset(write_tiny(tmp_path / "bad.gpkg", **extra))
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 1
    assert lines[0].startswith("bad.gpkg, ") and message in lines[0]


@pytest.mark.parametrize("day", ["1900-01-01", "2025-01-01"])
def test_a_chapter_outside_the_range_is_a_warning_and_the_file_opens(tmp_path, day):
    """A handout printed "as of 1 Jan 1900" without a word; but a file the app wrote when
    its range ran on to today (past time_end) must still open."""
    extra = briefing_layers()
    chapters = extra["briefing_chapters"].astype(object)
    chapters.loc[0, "date"] = day
    extra["briefing_chapters"] = chapters
    data = read_dataset(write_tiny(tmp_path / "far.gpkg", **extra))
    assert [str(w) for w in data.warnings] == [
        f"warning: far.gpkg, layer 'briefing_chapters', row b-01, column 'date': {day} is "
        "outside the dataset's range (2024-01-01 to 2024-12-31)"]
    assert len(data.briefings[0].chapters) == 2


def test_chapters_on_the_first_and_last_day_of_the_range_open(tmp_path):
    """time_end (2025-01-01) is exclusive: the range's last day is 31 Dec 2024."""
    extra = briefing_layers()
    extra["briefing_chapters"]["date"] = ["2024-01-01", "2024-12-31"]
    data = read_dataset(write_tiny(tmp_path / "edges.gpkg", **extra))
    assert sorted(c.date.isoformat() for c in data.briefings[0].chapters) == ["2024-01-01",
                                                                             "2024-12-31"]


def test_duplicate_chapter_ids_are_named(tmp_path):
    extra = briefing_layers()
    extra["briefing_chapters"].loc[1, "chapter_id"] = "b-01"
    with pytest.raises(DatasetError, match="row b-01, column 'chapter_id': id is used by more"):
        read_dataset(write_tiny(tmp_path / "dup.gpkg", **extra))


def test_a_chapter_without_sources_is_a_warning_and_the_file_opens(tmp_path, capsys):
    """Its claim stood on the slide and the page with no word about who makes it."""
    from viewer.cli import main

    extra = briefing_layers()
    extra["briefing_chapters"]["source_ids"] = [None, "s1"]
    path = write_tiny(tmp_path / "unsourced.gpkg", **extra)
    assert [str(w) for w in read_dataset(path).warnings] == [
        "warning: unsourced.gpkg, layer 'briefing_chapters', row b-01, column 'source_ids': "
        "no sources given for this chapter"]
    assert main(["validate", str(path)]) == 0
    assert "no sources given for this chapter" in capsys.readouterr().out
