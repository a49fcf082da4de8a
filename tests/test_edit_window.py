"""Editing in the window: forms, undo and redo, Save, reopen, history, journal, my copy."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox

from factory import tiny_gpkg
from viewer.io import read_dataset, validate
from viewer.io.store import GpkgStore
from viewer.model.edit_apply import find_row
from viewer.model.edits import AddSource, CorrectRow
from viewer.model.state import Selection
from viewer.qt import edit_controls, edit_session
from viewer.qt.edit_forms import ControlForm, CorrectForm, EventForm, RetractForm, SourceForm
from viewer.qt.history import HistoryDialog
from viewer.qt.main_window import MainWindow

NOV_5 = dt.date(2024, 11, 5)
Button = QMessageBox.StandardButton


@pytest.fixture
def gpkg(tmp_path):
    return tiny_gpkg(tmp_path / "briefing.gpkg")


@pytest.fixture
def answers(monkeypatch):
    """The answers the app gets to its questions, in order (then Discard, as windows
    close at the end of a test); each question is recorded."""
    given, asked = [], []

    def answer(_parent, title, _text, _buttons, _default):
        asked.append(title)
        return given.pop(0) if given else Button.Discard

    monkeypatch.setattr(edit_session, "ask", answer)
    return given, asked


def open_window(qtbot, tmp_path, path, date=NOV_5) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.open_dataset(path, date)
    return window


def record(form, **values) -> None:
    fill(form, **values)
    form.accept()


def fill(form, **values) -> None:
    for name, value in values.items():
        widget = form.fields[name]
        if name == "sources":
            for i in range(widget.list.count()):
                item = widget.list.item(i)
                item.setCheckState(item.checkState().Checked if item.data(256) in value
                                   else item.checkState().Unchecked)
        elif hasattr(widget, "set_value"):
            widget.set_value(value)
        else:
            widget.setText(value)


def holder(window, area="zone-east", day=NOV_5) -> str:
    rows = window.state.dataset.control_on(day)
    return rows[rows["area_id"] == area]["actor_id"].iloc[0]


def test_forms_undo_redo_save_reopen_and_history(qtbot, tmp_path, gpkg, answers):
    window = open_window(qtbot, tmp_path, gpkg)
    controls = window.editing
    record(controls.open_form(SourceForm), outlet="Irrawaddy", title="Junta retakes Easttown")
    source_id = controls.session.pending()[-1].changes[0].row_id

    form = controls.open_form(EventForm)
    window.state.select(Selection("places", "east"))  # a click on the place on the map
    assert form.place.value() == "east"
    record(form, title="Junta retakes Easttown", category="control", sources=(source_id,))

    window.state.select(Selection("control", "zone-east"))  # the zone the form opens on
    form = controls.open_form(ControlForm)
    assert form.area.value() == "zone-east"
    record(form, actor="SAC", confidence="reported")  # no source ticked: refused, stays open
    assert form.isVisible() and "source" in form.refusal.text()
    record(form, sources=(source_id,))
    assert len(controls.session.pending()) == 3 and holder(window) == "SAC"

    controls.pending_menu.aboutToShow.emit()  # Edit ▸ Edits not saved
    assert [a.text().split(":")[0] for a in controls.pending_menu.actions()] == \
        [f"1. Add source {source_id}", "2. Add event ev-2024-11-05", "3. Set control of zone-east"]
    window.editing.session.undo_action.trigger()
    assert holder(window) == "KIA" and len(controls.session.pending()) == 2
    window.editing.session.redo_action.trigger()
    assert holder(window) == "SAC"
    controls.save_action.trigger()
    assert controls.session.pending() == []
    assert not window.editing.session.undo_action.isEnabled()     # the save is the limit: said
    assert "to change a saved edit, select its row and use Edit ▸ Correct or Retract" in window.statusBar().currentMessage()
    assert [p for p in validate(gpkg) if p.severity == "error"] == []
    window.close()

    reopened = open_window(qtbot, tmp_path, gpkg)
    assert holder(reopened) == "SAC"
    assert "Junta retakes Easttown" in set(reopened.state.dataset.events["title"])
    assert source_id in set(reopened.state.dataset.sources["source_id"])
    dialog = HistoryDialog(reopened.editing.session)
    assert [dialog.table.item(r, 2).text().split(":")[0] for r in range(3)] == \
        [f"Add source {source_id}", "Add event ev-2024-11-05", "Set control of zone-east"]
    reopened.state.set_date(dt.date(2024, 11, 1))     # c3 holds: its history is shown
    reopened.state.select(Selection("control", "zone-east"))
    history = reopened.editing.row_history
    assert "1 edit(s)" in history.title.text()
    assert "valid_to (empty) → 2024-11-05" in history.list.item(0).text()


def test_row_history_follows_the_row_shown_on_the_date(qtbot, tmp_path, gpkg, answers):
    window = open_window(qtbot, tmp_path, gpkg)
    window.state.set_date(dt.date(2024, 11, 1))
    window.state.select(Selection("control", "zone-east"))      # KIA's row c3 holds
    history = window.editing.row_history
    assert "control c3" in history.title.text()
    window.state.set_date(dt.date(2024, 2, 1))                  # the junta's row c2 then
    assert "control c2" in history.title.text()


def test_row_ids_and_column_names_from_the_file_are_shown_as_plain_text(qtbot, tmp_path, gpkg,
                                                                       answers):
    window = open_window(qtbot, tmp_path, gpkg)
    window.state.select(Selection("events", "e1"))
    form = window.editing.open_form(CorrectForm)
    labels = form.findChildren(QLabel)
    assert labels and all(label.textFormat() == Qt.TextFormat.PlainText for label in labels
                          if "e1" in label.text() or label.text() == "title")


def test_closing_with_unsaved_edits_asks_and_cancel_keeps_the_window(qtbot, tmp_path, gpkg, answers):
    given, asked = answers
    window = open_window(qtbot, tmp_path, gpkg)
    window.state.select(Selection("events", "e2"))
    record(window.editing.open_form(RetractForm), reason="single source withdrew it")
    given.append(Button.Cancel)
    assert not window.close()
    assert asked == ["Unsaved edits"]
    before = gpkg.read_bytes()
    given.append(Button.Discard)
    assert window.close()
    assert gpkg.read_bytes() == before


def test_pending_edits_are_journalled_and_offered_after_a_crash(qtbot, tmp_path, gpkg, answers):
    given, asked = answers
    crashed = open_window(qtbot, tmp_path, gpkg)
    crashed.state.select(Selection("events", "e2"))
    record(crashed.editing.open_form(RetractForm), reason="withdrawn")
    assert "e2" not in set(crashed.state.dataset.events["event_id"])
    # The process dies here: nothing saved, nothing asked, its journal's lock goes stale
    # (tests/test_edit_crash.py kills a real one). The next start offers the edit.
    crashed.editing.session.close_journals()
    given.append(Button.Yes)
    restarted = open_window(qtbot, tmp_path, gpkg)
    assert asked == ["Restore unsaved edits?"]
    assert [e.command for e in restarted.editing.session.pending()] == ["retract"]
    assert "e2" not in set(restarted.state.dataset.events["event_id"])
    assert "e2" in set(read_dataset(gpkg).events["event_id"])  # still unsaved
    given.append(Button.Discard)
    crashed.close()


def test_the_embedded_dataset_is_saved_as_my_copy_before_the_first_edit(
        qtbot, tmp_path, gpkg, answers, monkeypatch):
    given, asked = answers
    monkeypatch.setattr(edit_session, "is_embedded_dataset", lambda path: path == gpkg)
    window = open_window(qtbot, tmp_path, gpkg)
    before = gpkg.read_bytes()
    given.append(Button.Save)
    form = window.editing.open_form(SourceForm)
    assert asked == ["Save as my copy"]
    record(form, outlet="Outlet", title="Title")
    window.editing.save_action.trigger()
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    copy = window.editing.session.store.path
    assert str(copy.parent) == documents and copy.name == "Kachin briefing (my copy).gpkg"
    assert gpkg.read_bytes() == before  # the installed file is untouched
    assert len(read_dataset(copy).sources) == 3
    assert window.settings.value("dataset/last_path") == str(copy.resolve())


def test_a_copy_that_fails_leaves_nothing_and_never_replaces_another(qtbot, tmp_path, gpkg,
                                                                    answers, monkeypatch):
    """A full disk left '.Kachin briefing (my copy).gpkg.part' in Documents, and a copy
    another window made meanwhile under the chosen name was replaced."""
    monkeypatch.setattr(edit_session, "is_embedded_dataset", lambda path: path == gpkg)
    window = open_window(qtbot, tmp_path, gpkg)
    session = window.editing.session
    documents = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation))
    told = []
    monkeypatch.setattr(edit_session, "tell", lambda _parent, title, _text: told.append(title))

    def disk_full(_source, partial):
        Path(partial).write_bytes(b"half a copy")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(edit_session.shutil, "copyfile", disk_full)
    assert session.save_as_my_copy() is None and told == ["Could not save a copy"]
    assert not documents.exists() or list(documents.iterdir()) == []
    monkeypatch.undo()
    monkeypatch.setattr(edit_session, "is_embedded_dataset", lambda path: path == gpkg)
    other = documents / "Kachin briefing (my copy).gpkg"
    real_free_name = edit_session._free_name
    names = iter([other])                       # chosen before the other window's copy appeared
    monkeypatch.setattr(edit_session, "_free_name",
                        lambda folder, name: next(names, None) or real_free_name(folder, name))
    documents.mkdir(parents=True, exist_ok=True)
    other.write_bytes(b"another window's copy")
    copy = session.save_as_my_copy()
    assert other.read_bytes() == b"another window's copy" and copy != other and copy.exists()


def test_as_recorded_on_shows_the_briefing_before_later_edits(qtbot, tmp_path, gpkg, answers):
    window = open_window(qtbot, tmp_path, gpkg)
    record(window.editing.open_form(ControlForm), area="zone-east", actor="SAC",
           confidence="reported", sources=("s1",))
    window.editing.save_action.trigger()
    session = window.editing.session
    session.show_recorded_on(session.saved_log[0].recorded_on - dt.timedelta(days=1))
    assert holder(window) == "KIA"
    assert not window.editing.forms[ControlForm].isEnabled()
    assert window.editing.recorded_label.isVisibleTo(window)
    session.show_recorded_on(None)
    assert holder(window) == "SAC"


def test_an_edit_keeps_the_map_view_and_the_timeline_zoom(qtbot, tmp_path, gpkg, answers):
    window = open_window(qtbot, tmp_path, gpkg)
    window.map.zoom(2.0)
    window.timeline.zoom_to(dt.date(2024, 6, 1), dt.date(2024, 12, 1))    # as View > Year does
    view, span = window.map.view, window.timeline.lanes.viewRange()[0]
    window.state.select(Selection("events", "e2"))
    record(window.editing.open_form(RetractForm), reason="withdrawn")
    assert "e2" not in set(window.state.dataset.events["event_id"])
    assert window.map.view == view
    assert window.timeline.lanes.viewRange()[0] == pytest.approx(span)


def test_the_route_picker_names_each_route_by_its_name_else_its_id():
    """A route with no name in a row reads as its id, never as 'nan'; a row without a
    route_id is its own route, named by its flow_id (as on the map)."""
    import pandas as pd

    from viewer.model.dataset import feature_keys
    from viewer.qt.edit_fields import ids_and_names

    flows = pd.DataFrame({"flow_id": ["f1", "f2", "f3"], "route_id": ["r1", "r1", None],
                          "route_name": ["West-East road", float("nan"), float("nan")]})
    assert ids_and_names(flows, "flow_id", "route_name", keys=feature_keys(flows, "flows")) == [
        ("f3", "f3"), ("r1", "West-East road")]


@pytest.mark.parametrize("typed", ["2025-03-01", "2025-3-1", "20250301", "2025/03/01"])
@pytest.mark.parametrize("select_all", [False, True])
def test_a_date_typed_whole_into_a_date_field_is_that_date(qtbot, typed, select_all):
    """Qt moves on to the month after four year digits, and the '-' typed next moved on
    again: an event typed as 2025-03-01 was recorded on 3 Oct 2025. Typed over the
    whole text (Ctrl+A), the year was kept: 2024-03-01."""
    from PySide6.QtTest import QTest

    from viewer.qt.edit_fields import DateField

    field = DateField(dt.date(2024, 10, 20))
    qtbot.addWidget(field)
    field.show()
    field.setFocus()
    if select_all:
        QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    else:
        field.setSelectedSection(field.Section.YearSection)
    QTest.keyClicks(field, typed)
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert field.value() == dt.date(2025, 3, 1)


@pytest.mark.parametrize("typed", ["2025-02-30", "2025-04-31", "2025-02-29"])
def test_an_impossible_date_typed_into_a_form_is_refused_not_changed(qtbot, tmp_path, gpkg,
                                                                     answers, typed):
    """Qt takes no impossible date: it dropped the digit it could not take, and an event
    typed on 2025-02-30 was recorded on 3 Feb 2025 without a word."""
    from PySide6.QtTest import QTest

    window = open_window(qtbot, tmp_path, gpkg)
    form = EventForm(window.editing.session, window)
    qtbot.addWidget(form)
    fill(form, title="Gate reopens", category="trade", sources=["s1"])
    field = form.fields["date"]
    field.setFocus()
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(field, typed)
    form.accept()
    assert window.editing.session.pending() == []
    assert form.refusal.text() == f"Not recorded — date: '{typed}' is not a date"
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(field, "2025-02-28")
    form.accept()
    assert [e.command for e in window.editing.session.pending()] == ["add-event"]


def test_while_a_recorded_on_day_is_shown_no_unsaved_edit_can_be_undone_or_held_one_reapplied(
        qtbot, tmp_path, gpkg, answers, monkeypatch):
    """Undo there used to revert the day shown and leave the edit on screen, not pending,
    never saved: lost without a question."""
    window = open_window(qtbot, tmp_path, gpkg)
    controls, session = window.editing, window.editing.session
    session.push(CorrectRow("sources", "s1", {"title": "My title"}, reason="typo")
                 .edit(window.state.dataset, NOV_5))
    colleague = GpkgStore(gpkg)  # corrects the same row meanwhile: my edit is held back
    colleague.apply([CorrectRow("sources", "s1", {"title": "Their title"}, reason="typo")
                     .edit(colleague.read(), NOV_5)], user="colleague")
    with qtbot.waitSignal(window.opened, timeout=30_000):
        assert not session.save()
    session.push(CorrectRow("sources", "s2", {"title": "Corrected title"}, reason="typo")
                 .edit(window.state.dataset, NOV_5))
    monkeypatch.setattr(edit_controls.RecordedOnDialog, "exec", lambda dialog: (
        dialog.day.setDate(dt.date(2020, 1, 1)), QDialog.DialogCode.Accepted)[1])
    controls.recorded_action.trigger()  # View ▸ As recorded on… 1 Jan 2020
    blocked = (session.undo_action, session.redo_action, controls.pending_menu.menuAction(),
               controls.held_action)
    assert not any(action.isEnabled() for action in blocked)
    session.undo_action.trigger()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    controls.recorded_label.click()  # back to now
    assert find_row(window.state.dataset, "sources", "s2")["title"] == "Corrected title"
    assert len(session.pending()) == 1 and controls.save_action.isEnabled()
    assert session.undo_action.isEnabled() and controls.held_action.isEnabled()
    assert controls.pending_menu.menuAction().isEnabled()


def test_a_form_opened_before_an_earlier_day_was_shown_records_nothing_there(
        qtbot, tmp_path, gpkg, answers, monkeypatch):
    """Its edit was made on the earlier day's rows and pushed while undo was off."""
    window = open_window(qtbot, tmp_path, gpkg)
    controls = window.editing
    form = controls.open_form(SourceForm)
    monkeypatch.setattr(edit_controls.RecordedOnDialog, "exec", lambda dialog: (
        dialog.day.setDate(dt.date(2020, 1, 1)), QDialog.DialogCode.Accepted)[1])
    controls.recorded_action.trigger()
    record(form, outlet="Irrawaddy", title="Made on an earlier day")
    assert form.isVisible() and "return to now" in form.refusal.text()
    assert controls.session.pending() == []
    controls.recorded_label.click()
    record(form)                                   # back to now: recorded
    assert [e.command for e in controls.session.pending()] == ["add-source"]


def test_an_ampersand_in_an_edit_shows_in_the_undo_item(qtbot, tmp_path, gpkg, answers):
    """"R&D" was taken for a shortcut mark: the Edit menu said "Undo … RD"."""
    window = open_window(qtbot, tmp_path, gpkg)
    session = window.editing.session
    session.push(AddSource("Frontier", "R&D report", NOV_5).edit(window.state.dataset, NOV_5))
    item = session.undo_action.text()
    assert "R&&D report" in item      # shown as "R&D report": '&&' is a plain '&'


def test_saving_to_a_file_deleted_meanwhile_says_it_is_gone_and_keeps_the_edit(
        qtbot, tmp_path, gpkg, answers, monkeypatch):
    """It said "cannot be written (read-only file or folder)", which sent the analyst
    looking at permissions; nothing may be made in its place (SQLite would make an
    empty file)."""
    window = open_window(qtbot, tmp_path, gpkg)
    session = window.editing.session
    told = []
    monkeypatch.setattr(edit_session, "tell", lambda _parent, _title, text: told.append(text))
    session.push(CorrectRow("sources", "s1", {"title": "My title"}, reason="typo")
                 .edit(window.state.dataset, NOV_5))
    gpkg.rename(tmp_path / "moved.gpkg")
    assert not session.save()
    assert len(told) == 1 and "is no longer there (moved, renamed or deleted" in told[0]
    assert "read-only" not in told[0] and not gpkg.exists()
    assert len(session.pending()) == 1


def test_who_holds_a_zone_and_how_sure_are_chosen_not_taken_from_the_forms_defaults(
        qtbot, tmp_path, gpkg, answers):
    """The form opened on the first actor and "confirmed": with only a source ticked, it
    recorded a confirmed holding by an actor nobody chose."""
    window = open_window(qtbot, tmp_path, gpkg)
    window.state.select(Selection("control", "zone-east"))
    form = window.editing.open_form(ControlForm)
    session = window.editing.session
    record(form, sources=("s1",))
    assert session.pending() == [] and form.refusal.text().startswith("Not recorded — actor_id")
    record(form, actor="SAC")
    assert session.pending() == [] and form.refusal.text().startswith("Not recorded — confidence")
    record(form, confidence="reported")
    [edit] = session.pending()
    inserted = next(c.after for c in edit.changes if c.action == "insert")
    assert (inserted["actor_id"], inserted["confidence"]) == ("SAC", "reported")


def test_a_file_that_cannot_be_written_offers_a_copy_before_the_first_edit(
        qtbot, tmp_path, gpkg, answers, monkeypatch):
    """Nothing was said until Save, after a long event had been typed, and then there was
    no way to keep it but the journal. (Root writes any file: the check is stood in for.)"""
    given, asked = answers
    monkeypatch.setattr(GpkgStore, "writable", lambda store: store.path != gpkg)
    window = open_window(qtbot, tmp_path, gpkg)
    given.append(Button.Save)
    form = window.editing.open_form(SourceForm)
    assert asked == ["Save as my copy"]
    record(form, outlet="Outlet", title="Title")
    window.editing.save_action.trigger()
    copy = window.editing.session.store.path
    assert copy.name == "briefing (my copy).gpkg"
    assert "Title" in set(read_dataset(copy).sources["title"])
    assert "Title" not in set(read_dataset(gpkg).sources["title"])
    other = GpkgStore(copy)   # the copy is the one watched now: a save to it shows
    with qtbot.waitSignal(window.opened, timeout=15_000):
        other.apply([CorrectRow("sources", "s2", {"title": "Theirs"}, reason="typo")
                     .edit(other.read(), NOV_5)], user="bob")
    assert "Theirs" in set(window.state.dataset.sources["title"])


def test_a_date_corrected_as_2025_3_1_is_taken_as_date_fields_take_it(qtbot, tmp_path, gpkg,
                                                                      answers):
    """The Correct form refused '2025-3-1', which every date field takes."""
    window = open_window(qtbot, tmp_path, gpkg)
    window.state.select(Selection("events", "e1"))
    record(window.editing.open_form(CorrectForm), date="2024-10-9", reason="the source's date")
    [edit] = window.editing.session.pending()
    assert edit.changes[0].after["date"] == "2024-10-09"


def test_a_restored_edit_on_a_row_saved_since_the_crash_is_held_not_shown_over_it(
        qtbot, tmp_path, gpkg, answers, monkeypatch):
    """Restore showed the analyst's title over the colleague's saved since the crash, with
    no word (only the next save found the clash)."""
    given, asked = answers
    told = []
    monkeypatch.setattr(edit_session, "tell", lambda _parent, _title, text: told.append(text))
    crashed = open_window(qtbot, tmp_path, gpkg)
    crashed.editing.session.push(CorrectRow("sources", "s1", {"title": "Mine"}, reason="typo")
                                 .edit(crashed.state.dataset, NOV_5))
    crashed.editing.session.close_journals()          # the process stops here
    colleague = GpkgStore(gpkg)
    colleague.apply([CorrectRow("sources", "s1", {"title": "Theirs"}, reason="typo")
                     .edit(colleague.read(), NOV_5)], user="alice")
    given.append(Button.Yes)
    restarted = open_window(qtbot, tmp_path, gpkg)
    session = restarted.editing.session
    assert asked == ["Restore unsaved edits?"]
    assert session.pending() == [] and [e.command for e in session.held] == ["correct"]
    assert find_row(restarted.state.dataset, "sources", "s1")["title"] == "Theirs"
    assert "held back" in told[-1]
    given.append(Button.Discard)
    crashed.close()


def typed_into_a_date_field(qtbot, start: dt.date, keys: list[str], date_range=None):
    """A date field at `start`, Ctrl+A, then `keys` typed ("BS": Backspace), as a person does."""
    from PySide6.QtTest import QTest

    from viewer.qt.edit_fields import DateField

    field = DateField(start)
    if date_range:
        field.setDateRange(*date_range)
    qtbot.addWidget(field)
    field.show()
    field.setFocus()
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    for key in keys:
        if key == "BS":
            QTest.keyClick(field, Qt.Key.Key_Backspace)
        else:
            QTest.keyClicks(field, key)
    return field


@pytest.mark.parametrize("keys, shown", [
    (["2025-03-01", "BS", "5"], dt.date(2025, 3, 5)),     # Backspace and a new last digit
    (["2025-03-15", "BS", "6"], dt.date(2025, 3, 16)),    # the date shown is the one recorded
    (["2025-03-01", "BS", "BS", "11"], dt.date(2025, 3, 11)),
    (["20250301"], dt.date(2025, 3, 1)),
    (["2025/3/1"], dt.date(2025, 3, 1)),
])
def test_a_date_typed_and_mended_by_hand_is_that_date(qtbot, keys, shown):
    """Backspace and retype was refused as "'2025-03-15' is not a date" (the digits typed
    before the Backspace were still counted)."""
    assert typed_into_a_date_field(qtbot, dt.date(2024, 10, 20), keys).value() == shown


@pytest.mark.parametrize("start, typed", [(dt.date(2024, 8, 15), "2025-01-15"),
                                          (dt.date(2025, 1, 15), "2021-03-15")])
def test_a_date_in_range_typed_whole_is_recorded_whatever_qt_made_of_it_on_the_way(
        qtbot, start, typed):
    """The date between the old and the typed one (2025-08-15, 2021-01-15) lay outside the
    range: Qt kept the old year, and 2024-01-15 or 2025-03-15 was recorded, unflagged."""
    field = typed_into_a_date_field(qtbot, start, [typed],
                                    (dt.date(2021, 2, 1), dt.date(2025, 6, 30)))
    assert field.value() == dt.date.fromisoformat(typed)


@pytest.mark.parametrize("keys, problem", [
    (["2024-03-121"], "'2024-03-121' is not a date"),     # one digit too many
    (["2025-03-1", "BS"], "'2025-03-' is not a whole date"),   # a part emptied
])
def test_a_date_typed_that_is_not_one_is_refused_never_recorded_as_another(qtbot, keys, problem):
    """The first rewrite of the field recorded 03-21 for 2024-03-121 and the old day for a
    day emptied: dates the field did not show."""
    from viewer.model.changes import EditRefused

    field = typed_into_a_date_field(qtbot, dt.date(2024, 10, 20), keys)
    with pytest.raises(EditRefused, match=problem):
        field.value()


def test_a_date_typed_is_the_fields_once_it_is_left(qtbot):
    """Left and come back to, the field forgot what was typed and recorded Qt's 2025-03-15
    for a typed 2021-03-15 (its 2021-01-15 on the way lay before the range)."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

    from viewer.qt.edit_fields import DateField

    form = QWidget()
    field, other = DateField(dt.date(2025, 1, 15)), QLineEdit()
    field.setDateRange(dt.date(2021, 2, 1), dt.date(2025, 6, 30))
    layout = QVBoxLayout(form)
    layout.addWidget(field)
    layout.addWidget(other)
    qtbot.addWidget(form)
    form.show()
    field.setFocus()
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(field, "2021-03-15")
    other.setFocus()
    field.setFocus()
    assert field.value() == dt.date(2021, 3, 15) and field.text() == "2021-03-15"



def test_digits_typed_after_a_click_in_the_field_never_make_a_date_it_does_not_show(qtbot):
    """'2024', a click in the month, '25': the field showed 2024-05-20 and recorded
    2024-02-05, the digits typed read as one date."""
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    from viewer.qt.edit_fields import DateField

    field = DateField(dt.date(2024, 11, 20))
    qtbot.addWidget(field)
    field.show()
    line = field.lineEdit()
    metrics = line.fontMetrics()
    year_x = line.cursorRect().left() + metrics.horizontalAdvance("20")
    month_x = line.cursorRect().left() + metrics.horizontalAdvance("2024-0")
    QTest.mouseClick(line, Qt.MouseButton.LeftButton, pos=QPoint(year_x, line.height() // 2))
    QTest.keyClicks(field, "2024")
    QTest.mouseClick(line, Qt.MouseButton.LeftButton, pos=QPoint(month_x, line.height() // 2))
    QTest.keyClicks(field, "25")
    shown = dt.date.fromisoformat(field.text())
    assert field.value() == shown


@pytest.mark.parametrize("pasted, expected", [("2025-03-01", dt.date(2025, 3, 1)),
                                              ("20250301", dt.date(2025, 3, 1)),
                                              ("2025-02-30", "'2025-02-30' is not a date")])
def test_a_date_pasted_whole_is_taken_as_typed(qtbot, pasted, expected):
    """Qt made 2025-02-28 of a pasted 2025-02-30 and ignored a pasted 20250301."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest

    from viewer.model.changes import EditRefused

    QGuiApplication.clipboard().setText(pasted)
    field = typed_into_a_date_field(qtbot, dt.date(2025, 1, 15), [])
    QTest.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    if isinstance(expected, dt.date):
        assert field.value() == expected
    else:
        with pytest.raises(EditRefused, match=expected):
            field.value()


@pytest.mark.parametrize("keys", [["2021", "\t", "03", "\t", "15"], ["2021", "\t", "3", "\t", "15"]])
def test_tab_between_the_parts_of_a_date_typed(qtbot, keys):
    """Qt moves on to the month after four year digits: a Tab typed for that move skipped
    the month, and the 03 went into the day."""
    from PySide6.QtTest import QTest

    field = typed_into_a_date_field(qtbot, dt.date(2025, 1, 20), [])
    for key in keys:
        if key == "\t":
            QTest.keyClick(field, Qt.Key.Key_Tab)
        else:
            QTest.keyClicks(field, key)
    assert field.value() == dt.date(2021, 3, 15)


def accepted_after_typing(monkeypatch, dialog, field, typed: str) -> list[str]:
    """Ctrl+A and `typed` into a dialog's date field, then OK; what the dialog told."""
    from PySide6.QtTest import QTest

    from viewer.qt import dialogs

    told = []
    monkeypatch.setattr(dialogs, "plain_message", lambda _parent, _icon, _title, text: told.append(text))
    field.setFocus()
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(field, typed)
    dialog.accept()
    return told


def test_as_recorded_on_with_an_impossible_date_says_so(qtbot, monkeypatch):
    """A date Qt could not take raised out of the dialog's OK (a traceback, no word)."""
    from viewer.qt.edit_controls import RecordedOnDialog

    dialog = RecordedOnDialog(dt.date(2025, 1, 20))
    qtbot.addWidget(dialog)
    told = accepted_after_typing(monkeypatch, dialog, dialog.day, "2025-02-30")
    assert told == ["'2025-02-30' is not a date"] and dialog.result() != dialog.DialogCode.Accepted


@pytest.mark.parametrize("typed, expected", [("20 Mar 2025", dt.date(2025, 3, 20)),
                                             ("Nov 1, 2024", dt.date(2024, 11, 1)),
                                             ("3 Mar 2025", dt.date(2025, 3, 3)),
                                             ("Oct 2025", "'Oct 2025' is not a date"),
                                             ("01/11/2024", "'01/11/2024' is not a date")])
def test_a_date_typed_in_words_is_that_date_or_refused(qtbot, typed, expected):
    """"20 Mar 2025" typed into an event's Date field was recorded as 2020-02-05 (the
    digits went into the parts one by one), "01/11/2024" as 2024-11-20."""
    from viewer.model.changes import EditRefused

    field = typed_into_a_date_field(qtbot, dt.date(2024, 11, 20), [typed])
    if isinstance(expected, dt.date):
        assert field.value() == expected
    else:
        with pytest.raises(EditRefused, match=expected):
            field.value()
