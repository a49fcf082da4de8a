"""Presenter mode (keys step chapters, the date and view move between them, Esc
leaves) and the Chapters panel (add the view, edit, reorder, delete, undo, save)."""
from __future__ import annotations

import datetime as dt

import pytest
from factory import briefing_layers, tiny_gpkg, write_tiny
from PySide6.QtCore import QModelIndex, Qt
from test_edit_window import open_window

from viewer.io import read_dataset
from viewer.io.store import GpkgStore
from viewer.model import ViewerState
from viewer.model.chapter_edits import EditChapter
from viewer.model.edit_apply import with_changes, without_changes
from viewer.qt import presenter as presenter_module
from viewer.qt.chapters_panel import ChaptersPanel
from viewer.qt.presenter import Presenter
from viewer.render.renderer import MapRenderer


@pytest.fixture
def briefed(tmp_path):
    return write_tiny(tmp_path / "briefed.gpkg", **briefing_layers())


@pytest.fixture
def shown(qtbot, briefed, monkeypatch):
    monkeypatch.setattr(presenter_module, "EASE_SECONDS", 0.2)
    monkeypatch.setattr(presenter_module, "DATE_SECONDS", 0.3)
    data = read_dataset(briefed)
    window = Presenter(MapRenderer(data), data.briefings[0])
    qtbot.addWidget(window)
    window.resize(960, 540)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_keys_step_chapters_and_the_date_runs_to_the_next(qtbot, shown):
    first, second = shown.briefing.chapters
    assert (shown.index, shown.day) == (0, first.date)
    qtbot.keyClick(shown, Qt.Key.Key_PageDown)          # a clicker's "next"
    assert shown.index == 1 and shown.moving
    qtbot.waitUntil(lambda: not shown.moving, timeout=5000)
    assert shown.day == second.date
    assert shown.frames_painted >= 3                      # it moved through frames, not a jump
    qtbot.keyClick(shown, Qt.Key.Key_Right)               # past the last chapter: stays
    assert shown.index == 1 and not shown.moving
    qtbot.keyClick(shown, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: not shown.moving, timeout=5000)
    assert (shown.index, shown.day) == (0, first.date)


def test_a_chapters_caption_waits_for_its_map(qtbot, shown):
    """The new chapter's title and caption stood beside the map of days before its date
    for the seconds of the move."""
    first, second = shown.briefing.chapters
    assert shown.caption_shown() == first.caption
    qtbot.keyClick(shown, Qt.Key.Key_PageDown)
    assert shown.moving and shown.caption_shown().startswith("The map is on its way to ")
    qtbot.waitUntil(lambda: not shown.moving, timeout=5000)
    assert shown.caption_shown() == second.caption


def test_a_chapter_says_who_says_so(qtbot, shown):
    """A chapter's claim stood on the slide with no source named."""
    second = shown.briefing.chapters[1]
    qtbot.keyClick(shown, Qt.Key.Key_PageDown)
    assert shown.sources_line() == ""                    # on the way: not yet its claim
    qtbot.waitUntil(lambda: not shown.moving, timeout=5000)
    assert second.source_ids and shown.sources_line() == "Sources: Outlet A, Outlet B"


def test_escape_leaves_presenter_mode(qtbot, shown):
    with qtbot.waitSignal(shown.closed, timeout=2000):
        qtbot.keyClick(shown, Qt.Key.Key_Escape)
    assert not shown.isVisible()


def test_the_caption_is_drawn_as_plain_text(qtbot, briefed):
    data = read_dataset(briefed)
    layers = briefing_layers()
    assert "<" not in layers["briefing_chapters"]["caption"][0]
    window = Presenter(MapRenderer(data), data.briefings[0])
    qtbot.addWidget(window)
    window.resize(960, 540)
    image = window.grab().toImage()
    column = image.pixelColor(10, 10)
    assert column.name() == "#fbfaf7"                     # the text column beside the map


def test_a_chapter_past_the_datas_last_date_says_it_shows_the_last_known_state(qtbot, tmp_path):
    """The map's own date label is off in presenter mode, and the strip said only
    "25 Oct 2024" for a chapter past the data's last date."""
    import pandas as pd
    from factory import tiny_layers, write_layers

    layers = tiny_layers()
    layers["dataset_meta"] = pd.concat([layers["dataset_meta"], pd.DataFrame(
        {"key": ["data_current_to"], "value": ["2024-10-20"]})], ignore_index=True)
    data = read_dataset(write_layers({**layers, **briefing_layers()}, tmp_path / "t.gpkg"))
    window = Presenter(MapRenderer(data), data.briefings[0])
    qtbot.addWidget(window)
    window.resize(960, 540)
    assert window.strip_date() == ("1 Jun 2024", "Data current to 20 Oct 2024")
    window.index, window.day = 1, dt.date(2024, 10, 25)
    assert window.strip_date() == ("25 Oct 2024: last known state", "Data current to 20 Oct 2024")
    image = window.grab().toImage()
    strip = [image.pixelColor(x, y).name() for x in range(0, 960, 2) for y in range(500, 540)]
    assert "#fff1d6" in strip        # the strip past the last date, in the mark's amber


def test_a_caption_too_long_for_the_column_is_cut_and_the_legend_kept(qtbot, tmp_path):
    """At its smallest size it still ran on under the strip, and the legend, left a box
    of no height, was not drawn at all."""
    layers = briefing_layers()
    layers["briefing_chapters"].loc[1, "caption"] = " ".join(
        f"Long caption sentence {n} about the zone." for n in range(150))
    data = read_dataset(write_tiny(tmp_path / "long.gpkg", **layers))
    window = Presenter(MapRenderer(data), data.briefings[0])
    qtbot.addWidget(window)
    window.resize(960, 540)
    image = window.grab().toImage()
    column = [image.pixelColor(x, y).name() for x in range(0, 290, 3) for y in range(0, 480, 3)]
    assert column.count("#ffffff") > 500          # the legend's panel, in the text column


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 720)])
def test_a_long_title_gives_way_so_the_caption_keeps_lines(qtbot, monkeypatch, size):
    """A two-line handout title, drawn at a fixed 34 pt, wrapped to six lines and left
    the caption nothing but "… (cut here to fit; …)"."""
    from dataclasses import replace

    from viewer.resources import EMBEDDED_DATASET

    data = read_dataset(EMBEDDED_DATASET)
    briefing = data.briefings[0]
    last = replace(briefing.chapters[-1], title="Where things stand: the KIA holds the mining "
                                                "belt and every border gate")
    window = Presenter(MapRenderer(data), replace(briefing, chapters=(*briefing.chapters[:-1], last)),
                       start=len(briefing.chapters) - 1)
    qtbot.addWidget(window)
    window.resize(*size)
    words = drawn_column(qtbot, monkeypatch, window).replace("\n", " ")
    assert last.title in words                                    # whole, only smaller
    assert last.caption.split(". ")[0] + "." in words             # at least its first sentence


def test_at_1366x768_every_chapter_of_the_briefing_shows_its_whole_caption(qtbot, monkeypatch):
    """At 1366x768 chapter 2's caption was cut between words, "near Pangwa on 15 … (cut
    here …)", losing the date, and later at a sentence end, as were chapters 4, 10 and
    11, beside a legend in one tall column: the legend flows into two columns."""
    from viewer.resources import EMBEDDED_DATASET

    data = read_dataset(EMBEDDED_DATASET)
    for index in range(len(data.briefings[0].chapters)):
        window = Presenter(MapRenderer(data), data.briefings[0], start=index)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        words = drawn_column(qtbot, monkeypatch, window).replace("\n", " ")
        assert window.chapter.caption in words, index + 1
        assert presenter_module.CAPTION_CUT not in words


def test_a_two_column_legend_keeps_each_section_under_its_heading(qapp):
    """Split between rows, column 2 began with "Thin: volume unknown", read as a row of
    whatever section it stood beside."""
    from viewer.render.legend import in_two_columns
    from viewer.resources import EMBEDDED_DATASET

    content = MapRenderer(read_dataset(EMBEDDED_DATASET)).prepared.all_legend_content()
    legend = in_two_columns(content, 0.6, 370.0)
    assert len(legend.columns) == 2 and legend.width <= 370.0
    assert all(column[0].kind == "heading" for column in legend.columns)


def test_a_caption_too_long_even_beside_a_two_column_legend_is_cut_after_a_sentence(qtbot, monkeypatch):
    """Cut, it ends at a sentence or clause, not between words (the date of "15 October"
    was lost)."""
    from dataclasses import replace

    from viewer.resources import EMBEDDED_DATASET

    data = read_dataset(EMBEDDED_DATASET)
    briefing = data.briefings[0]
    second = briefing.chapters[1]
    longer = replace(second, caption=f"{second.caption} {second.caption}")
    window = Presenter(MapRenderer(data), replace(briefing, chapters=(briefing.chapters[0], longer,
                                                                      *briefing.chapters[2:])), start=1)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    words = drawn_column(qtbot, monkeypatch, window).replace("\n", " ")
    kept = words[words.index(second.caption[:40]):words.index(presenter_module.CAPTION_CUT)]
    assert kept.endswith((".", ";")) and longer.caption.startswith(kept) and len(kept) > len(second.caption) / 2


class Session:
    """The window's edit session as the panel sees it: undoable edits, saved in one go."""

    def __init__(self, state: ViewerState) -> None:
        self.state, self.done = state, []

    def may_edit(self) -> bool:
        return True

    def push(self, edit) -> None:
        self.done.append(edit)
        self.state.set_dataset(with_changes(self.state.dataset, edit.changes), self.state.date)

    def undo(self) -> None:
        edit = self.done.pop()
        self.state.set_dataset(without_changes(self.state.dataset, edit.changes), self.state.date)


def titles(panel: ChaptersPanel) -> list[str]:
    """As read: without the marks that keep a title's writing direction to itself."""
    return [panel.chapters.item(i).text().replace("\u2068", "").replace("\u2069", "")
            for i in range(panel.chapters.count())]


def test_chapters_panel_add_reorder_edit_delete_undo_and_save(qtbot, briefed):
    state = ViewerState(read_dataset(briefed))
    state.set_date(dt.date(2024, 10, 22))
    state.set_layer_visible("events", False)
    session = Session(state)
    panel = ChaptersPanel(state, session, lambda: (97.1, 25.0, 97.9, 25.5))
    qtbot.addWidget(panel)
    assert titles(panel) == ["1. Before — 1 Jun 2024", "2. After the capture — 25 Oct 2024"]

    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert titles(panel)[2] == "3. Chapter 3: 22 Oct 2024 — 22 Oct 2024"
    added = panel.briefing().chapters[2]
    assert added.extent == (97.1, 25.0, 97.9, 25.5)
    assert "events" not in added.layers

    panel.chapters.setCurrentRow(2)
    panel.title.setText("Gate shut")
    panel.caption.setPlainText("China closes the crossing.")
    panel.sources.setText("s2; s1")
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert panel.briefing().chapters[2].caption == "China closes the crossing."
    assert panel.briefing().chapters[2].source_ids == ("s2", "s1")

    panel.chapters.model().moveRow(QModelIndex(), 2, QModelIndex(), 0)   # a drag to the top
    assert titles(panel)[0] == "1. Gate shut — 22 Oct 2024"

    panel.chapters.setCurrentRow(1)
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert [t.split(". ")[1] for t in titles(panel)] == ["Gate shut — 22 Oct 2024",
                                                         "After the capture — 25 Oct 2024"]
    session.undo()
    assert len(titles(panel)) == 3

    GpkgStore(briefed).apply(session.done, user="tester")
    saved = read_dataset(briefed).briefings[0]
    assert [c.title for c in saved.chapters] == ["Gate shut", "Before", "After the capture"]


def test_text_typed_for_a_chapter_is_never_thrown_away(qtbot, briefed):
    """Typed and not applied, a caption was replaced by the next chapter's when another
    chapter was chosen, and by the chapter's own when any other edit was made."""
    state = ViewerState(read_dataset(briefed))
    session = Session(state)
    panel = ChaptersPanel(state, session, lambda: (97.1, 25.0, 97.9, 25.5))
    qtbot.addWidget(panel)
    panel.chapters.setCurrentRow(0)
    panel.caption.setPlainText("Typed, not applied.")
    panel.chapters.setCurrentRow(1)                        # another chapter chosen: applied
    assert panel.briefing().chapters[0].caption == "Typed, not applied."
    assert panel.caption.toPlainText() == panel.briefing().chapters[1].caption
    panel.title.setText("Typed title")
    first = panel.briefing().chapters[0]
    session.push(EditChapter(first.chapter_id, {"title": "Renamed"}).edit(state.dataset,
                                                                         state.date))
    assert panel.title.text() == "Typed title"             # another edit meanwhile: kept
    assert panel.briefing().chapters[1].title != "Typed title"
    panel.apply_unapplied_text()                           # what the window does on closing
    assert panel.briefing().chapters[1].title == "Typed title"
    assert len(session.done) == 3


def test_an_undone_caption_does_not_come_back_when_another_chapter_is_chosen(qtbot, briefed):
    """The fields still held the undone caption, which counted as typed: choosing another
    chapter pushed it again, and the redo history was lost."""
    state = ViewerState(read_dataset(briefed))
    session = Session(state)
    panel = ChaptersPanel(state, session, lambda: (97.1, 25.0, 97.9, 25.5))
    qtbot.addWidget(panel)
    panel.chapters.setCurrentRow(0)
    before = panel.briefing().chapters[0].caption
    panel.caption.setPlainText("Applied, then undone.")
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    session.undo()
    assert panel.caption.toPlainText() == before
    panel.chapters.setCurrentRow(1)
    assert session.done == [] and panel.briefing().chapters[0].caption == before


def test_text_typed_where_edits_are_off_stays_with_its_chapter(qtbot, briefed):
    """As recorded on an earlier day no edit is made: choosing another chapter lost the
    typed text without a word."""
    state = ViewerState(read_dataset(briefed))
    session = Session(state)
    session.may_edit = lambda: False
    panel = ChaptersPanel(state, session, lambda: (97.1, 25.0, 97.9, 25.5))
    qtbot.addWidget(panel)
    panel.chapters.setCurrentRow(0)
    panel.caption.setPlainText("Typed where edits are off.")
    panel.chapters.setCurrentRow(1)
    assert panel.chapters.currentRow() == 0
    assert panel.caption.toPlainText() == "Typed where edits are off."
    assert "Not changed" in panel.message.text()


def test_a_refused_chapter_edit_says_why_and_changes_nothing(qtbot, briefed):
    state = ViewerState(read_dataset(briefed))
    panel = ChaptersPanel(state, Session(state), lambda: (97.1, 25.0, 97.9, 25.5))
    qtbot.addWidget(panel)
    panel.chapters.setCurrentRow(0)
    panel.sources.setText("s1;nope")
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert "source_ids: 'nope' is not a known id in layer 'sources'" in panel.message.text()
    panel.title.setText("   ")
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert "title: required value is empty" in panel.message.text()
    assert panel.briefing().chapters[0].title == "Before"


def test_in_the_window_chapters_are_undoable_edits_saved_to_the_file_and_f5_presents(
        qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(presenter_module, "EASE_SECONDS", 0.1)
    monkeypatch.setattr(presenter_module, "DATE_SECONDS", 0.1)
    path = tiny_gpkg(tmp_path / "briefed.gpkg", **briefing_layers())
    window = open_window(qtbot, tmp_path, path, dt.date(2024, 10, 22))
    panel, session = window.briefing.panel, window.editing.session
    assert panel.chapters.count() == 2
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.chapters.count() == 3
    session.stack.undo()
    assert panel.chapters.count() == 2
    session.stack.redo()
    assert session.save()
    saved = read_dataset(path).briefings[0].chapters
    assert [c.date for c in saved][-1] == dt.date(2024, 10, 22)

    panel.chapters.setCurrentRow(1)
    window.present_action.trigger()
    shown = window.briefing.presenter
    qtbot.waitExposed(shown)
    assert shown.index == 1 and shown.isFullScreen()
    qtbot.keyClick(shown, Qt.Key.Key_Space)
    assert shown.index == 2                   # not the window's Space (play) shortcut
    qtbot.waitUntil(lambda: not shown.moving, timeout=5000)
    qtbot.keyClick(shown, Qt.Key.Key_Escape)
    assert window.briefing.presenter is None
    assert window.state.date == dt.date(2024, 10, 22)   # the window carries on at the last chapter


def test_the_chapters_panel_names_each_source_of_a_chapter(qtbot, briefed):
    """Sources were shown as raw ids only."""
    state = ViewerState(read_dataset(briefed))
    panel = ChaptersPanel(state, None, lambda: None)
    qtbot.addWidget(panel)
    panel.sources.setText("s1;nope")
    assert panel.sources_named.text() == "s1 — Outlet A: Report one\nnope: not a source of this briefing"
    assert panel.sources_named.textFormat() == Qt.TextFormat.PlainText



def drawn_column(qtbot, monkeypatch, window: Presenter) -> str:
    """The words painted in the text column, as the audience reads them."""
    texts = []
    draw = presenter_module._text
    monkeypatch.setattr(presenter_module, "_text",
                        lambda painter, text, box, flags: texts.append(text) or draw(painter, text, box, flags))
    window.grab()
    return "\n".join(texts)


def test_every_outlet_of_a_chapter_is_on_its_slide(qtbot, monkeypatch):
    """The one-line sources list was cut with "…" on 9 of the 11 embedded slides:
    chapter 3's hid Reuters."""
    from viewer.resources import EMBEDDED_DATASET

    data = read_dataset(EMBEDDED_DATASET)
    window = Presenter(MapRenderer(data), data.briefings[0], start=2)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    words = drawn_column(qtbot, monkeypatch, window)
    outlets = {str(r.get("outlet")) for r in data.source_records(";".join(window.chapter.source_ids))}
    assert "Reuters" in outlets
    for outlet in outlets:
        assert outlet in words.replace("\n", " ")
    assert "Re…" not in words


def test_a_chapter_without_sources_says_so_on_its_slide(qtbot, monkeypatch, tmp_path):
    """Its claim stood on the slide with no word about sources."""
    layers = briefing_layers()
    layers["briefing_chapters"]["source_ids"] = [None, "s1"]
    data = read_dataset(write_tiny(tmp_path / "unsourced.gpkg", **layers))
    window = Presenter(MapRenderer(data), data.briefings[0], start=1)
    qtbot.addWidget(window)
    window.resize(960, 540)
    assert not window.chapter.source_ids
    assert "No sources given for this chapter" in drawn_column(qtbot, monkeypatch, window)


def test_the_strip_always_says_how_current_the_data_is(qtbot):
    """The presenter never said how current the data was on a chapter before its last date."""
    from viewer.resources import EMBEDDED_DATASET

    data = read_dataset(EMBEDDED_DATASET)
    window = Presenter(MapRenderer(data), data.briefings[0])
    qtbot.addWidget(window)
    assert window.strip_date() == ("1 Sep 2024", "Data current to 16 Mar 2026")
