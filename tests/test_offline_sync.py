"""Field copies: publish → take-offline → edit offline → sync, twice; conflicts kept with both sides."""
from __future__ import annotations

import datetime as dt

import pytest
from factory import write_tiny

from viewer.cli import main
from viewer.io import read_dataset
from viewer.io import offline
from viewer.io.offline import read_conflicts, take_offline
from viewer.io.pg_publish import publish
from viewer.io.pg_store import PostgisStore
from viewer.io.pg_url import DatabaseUrl
from viewer.io.store import GpkgStore
from viewer.model.edits import CorrectRow, SetControl

NOV_5 = dt.date(2024, 11, 5)


@pytest.fixture
def desk(pg_database, tmp_path) -> DatabaseUrl:
    url = DatabaseUrl.parse(pg_database + "?schema=tiny")
    publish(write_tiny(tmp_path / "tiny.gpkg"), url)
    return url


def holders(dataset, day):
    rows = dataset.control_on(day)
    return dict(zip(rows["area_id"], rows["actor_id"]))


def edit_offline(path, command, user="field"):
    store = GpkgStore(path)
    store.apply([command.edit(store.read(), NOV_5)], user)


def run(capsys, *args) -> str:
    assert main(list(args)) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def test_round_trip_twice_sends_offline_edits_once_and_brings_desk_edits_in(desk, tmp_path, capsys):
    field = tmp_path / "field.gpkg"
    assert "edit_log position 0" in run(capsys, "take-offline", desk.conninfo + "?schema=tiny",
                                        "--out", str(field))
    edit_offline(field, SetControl("zone-east", "SAC", NOV_5, confidence="reported", sources=("s2",)))
    desk_store = PostgisStore(desk)
    desk_store.apply([CorrectRow("control", "c1", {"note": "from the desk"}, reason="r").edit(
        desk_store.read(), NOV_5)], "alice")

    first = run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    assert "sent 1 offline edit(s)" in first and "0 new conflict(s), 0 to settle" in first
    for dataset in (read_dataset(field), desk_store.read()):
        assert holders(dataset, NOV_5)["zone-east"] == "SAC"
        assert dataset.control.set_index("control_id").loc["c1", "note"] == "from the desk"
    log = [(e.user, e.edit.command) for e in desk_store.log()]
    assert log == [("alice", "correct"), ("field", "set-control")]

    second = run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    assert "sent 0 offline edit(s)" in second and "0 new conflict(s), 0 to settle" in second
    assert [(e.user, e.edit.command) for e in desk_store.log()] == log
    assert holders(read_dataset(field), NOV_5)["zone-east"] == "SAC"


def conflicting_edits(desk, field) -> PostgisStore:
    """The field and the desk both correct c3's note, the field offline."""
    take_offline(desk, field)
    edit_offline(field, CorrectRow("control", "c3", {"note": "seen from the road"}, reason="field"))
    desk_store = PostgisStore(desk)
    desk_store.apply([CorrectRow("control", "c3", {"note": "desk says otherwise"}, reason="r").edit(
        desk_store.read(), NOV_5)], "alice")
    return desk_store


def test_an_offline_edit_that_meets_a_desk_edit_is_listed_with_both_versions(desk, tmp_path, capsys):
    field = tmp_path / "field.gpkg"
    desk_store = conflicting_edits(desk, field)

    out = run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    assert "1 new conflict(s), 1 to settle" in out
    assert "field: note='seen from the road'" in out
    assert "desk:  note='desk says otherwise' (by alice at 20" in out
    assert desk_store.read().control.set_index("control_id").loc["c3", "note"] == "desk says otherwise"
    [conflict] = read_conflicts(field)
    assert conflict.field_version["note"] == "seen from the road"

    again = run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    assert "sent 0 offline edit(s)" in again and "0 new conflict(s), 1 to settle" in again
    assert len(read_conflicts(field)) == 1

    # the analyst keeps the field's version
    assert "settled" in run(capsys, "resolve", str(field), "--edit", str(conflict.edit_id),
                            "--keep", "field")
    assert read_conflicts(field) == []
    run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    assert desk_store.read().control.set_index("control_id").loc["c3", "note"] == "seen from the road"


def test_the_window_lists_a_conflict_with_both_versions_and_settles_it(desk, tmp_path, qtbot):
    from PySide6.QtCore import QSettings

    from test_main_window import open_window
    from viewer.io.offline import sync
    from viewer.qt.conflicts import ConflictsDialog

    field = tmp_path / "field.gpkg"
    conflicting_edits(desk, field)
    sync(field, desk)
    window = open_window(qtbot, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                         field)
    assert window.conflicts_action.isEnabled()
    window.conflicts_action.trigger()
    dialog = window.findChild(ConflictsDialog)
    cells = [dialog.table.item(0, column).text() for column in range(dialog.table.columnCount())]
    assert "note='seen from the road'" in cells[2] and "note='desk says otherwise'" in cells[3]
    assert cells[4].startswith("alice at 20")
    with qtbot.waitSignal(window.opened, timeout=15_000):
        dialog.keep_field.click()
    assert dialog.table.rowCount() == 0 and not window.conflicts_action.isEnabled()
    assert window.state.dataset.control.set_index("control_id").loc["c3", "note"] == \
        "seen from the road"


def test_a_copy_is_not_synced_into_the_same_schema_of_another_database(desk, pg_server, tmp_path,
                                                                      capsys):
    """Its edits would land in the other briefing, and the copy, refreshed from it, could
    never send them where they belong."""
    other = DatabaseUrl.parse(pg_server.url(pg_server.new_database(), schema="tiny"))
    publish(write_tiny(tmp_path / "other.gpkg"), other)
    field = tmp_path / "field.gpkg"
    take_offline(desk, field)
    edit_offline(field, CorrectRow("control", "c3", {"note": "seen in the field"}, reason="r"))
    before = field.read_bytes()
    assert main(["sync", str(field), other.conninfo + "?schema=tiny"]) == 1
    assert "was taken from" in capsys.readouterr().err
    assert field.read_bytes() == before
    assert PostgisStore(other).read().control.set_index("control_id").loc["c3", "note"] != \
        "seen in the field"


def test_an_edit_saved_while_a_copy_is_taken_is_not_taken_for_an_offline_one(desk, tmp_path,
                                                                            monkeypatch):
    """The copy's log holds only what its snapshot holds: alice's correction committed
    between the two reads came back at the next sync as a conflict of her own."""
    from viewer.io import offline

    desk_store = PostgisStore(desk)
    read_log = offline.read_log

    def colleague_saves_first(conn, schema):
        desk_store.apply([CorrectRow("control", "c3", {"note": "desk 1"}, reason="r").edit(
            desk_store.read(), NOV_5)], "alice")
        return read_log(conn, schema)

    monkeypatch.setattr(offline, "read_log", colleague_saves_first)
    field = tmp_path / "field.gpkg"
    position = take_offline(desk, field)
    monkeypatch.setattr(offline, "read_log", read_log)
    assert [e.edit_id for e in GpkgStore(field).log()] == list(range(1, position + 1))
    desk_store.apply([CorrectRow("control", "c3", {"note": "desk 2"}, reason="r").edit(
        desk_store.read(), NOV_5)], "alice")
    report = offline.sync(field, desk)
    assert (report.sent, report.conflicts) == (0, [])
    assert desk_store.read().control.set_index("control_id").loc["c3", "note"] == "desk 2"


def kept_in_the_field(desk, tmp_path, capsys, command, layer: str, row_id: str):
    """The desk as it is after `command` made offline met a desk note on `row_id`, and
    `resolve --keep field` kept the field's version, and the next sync sent it."""
    field = tmp_path / "field.gpkg"
    take_offline(desk, field)
    edit_offline(field, command)
    desk_store = PostgisStore(desk)
    desk_store.apply([CorrectRow(layer, row_id, {"note": "desk note"}, reason="r").edit(
        desk_store.read(), NOV_5)], "alice")
    run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    [edit_id] = {conflict.edit_id for conflict in read_conflicts(field)}
    run(capsys, "resolve", str(field), "--edit", str(edit_id), "--keep", "field")
    run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    return desk_store.read()


def test_keeping_the_fields_version_keeps_its_whole_edit_and_the_desks_other_columns(
        desk, tmp_path, capsys):
    """A holding set offline past the range met a desk note on the row it closes: keeping
    the field's version lost its time_end (the new holding was never shown) and wiped
    the colleague's note, a column the field never touched."""
    now = kept_in_the_field(desk, tmp_path, capsys, SetControl(
        "zone-east", "SAC", dt.date(2025, 2, 1), confidence="reported", sources=("s2",)),
        "control", "c3")
    assert now.last_day == dt.date(2025, 2, 1)
    assert holders(now, dt.date(2025, 2, 1))["zone-east"] == "SAC"
    assert now.control.set_index("control_id").loc["c3", "note"] == "desk note"


def test_rows_added_the_same_day_in_the_field_and_at_the_desk_are_both_kept(desk, tmp_path, capsys):
    """Both events were 'ev-2024-11-05': sync called them one row in conflict, and either
    choice deleted one. A copy's new rows carry its name."""
    from viewer.model.edits import AddEvent

    field = tmp_path / "field.gpkg"
    take_offline(desk, field)
    edit_offline(field, AddEvent("Bridge blown at Easttown", "military", ("s1",), NOV_5))
    desk_store = PostgisStore(desk)
    desk_store.apply([AddEvent("Airstrike on the market", "military", ("s2",), NOV_5).edit(
        desk_store.read(), NOV_5)], "alice")
    out = run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    assert "sent 1 offline edit(s)" in out and "0 new conflict(s)" in out
    titles = set(desk_store.read().events["title"])
    assert {"Bridge blown at Easttown", "Airstrike on the market"} <= titles
    edit_offline(field, AddEvent("Second report", "military", ("s1",), NOV_5))   # the name is kept
    assert run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny").count("0 new conflict(s)")
    assert "Second report" in set(desk_store.read().events["title"])


def test_a_sync_that_stopped_before_its_refresh_is_finished_without_conflicts(desk, tmp_path,
                                                                             monkeypatch, capsys):
    """Two offline edits of one row were sent, then the connection dropped: the next sync
    listed the first as a conflict with the second, and keeping it brought it back."""
    from viewer.io import offline

    field = tmp_path / "field.gpkg"
    take_offline(desk, field)
    for note in ("first look", "second look (final)"):
        edit_offline(field, CorrectRow("control", "c3", {"note": note}, reason="r"))
    taken = offline.take_offline

    def connection_lost(*_args, **_kwargs):
        raise OSError("connection lost")

    monkeypatch.setattr(offline, "take_offline", connection_lost)
    with pytest.raises(OSError):
        offline.sync(field, desk)
    monkeypatch.setattr(offline, "take_offline", taken)
    report = offline.sync(field, desk)
    assert (report.already_there, report.conflicts) == (2, [])
    assert PostgisStore(desk).read().control.set_index("control_id").loc["c3", "note"] == \
        "second look (final)"


def test_an_edit_saved_on_the_copy_during_a_sync_is_kept_and_sent_by_the_next(
        desk, tmp_path, monkeypatch):
    """The field saves an edit on the copy while a sync is sending the earlier ones: the
    refresh that follows must not replace the copy and lose it."""
    field = tmp_path / "field.gpkg"
    take_offline(desk, field)
    edit_offline(field, CorrectRow("control", "c3", {"note": "first look"}, reason="r"))
    taken = offline.take_offline

    def field_saves_meanwhile(*args, **kwargs):
        edit_offline(field, CorrectRow("control", "c1", {"note": "saved during the sync"},
                                       reason="r"))
        return taken(*args, **kwargs)

    monkeypatch.setattr(offline, "take_offline", field_saves_meanwhile)
    with pytest.raises(offline.SyncError, match="changed during the sync.*run sync again"):
        offline.sync(field, desk)
    monkeypatch.setattr(offline, "take_offline", taken)
    notes = read_dataset(field).control.set_index("control_id")["note"]
    assert notes["c1"] == "saved during the sync"
    report = offline.sync(field, desk)
    assert (report.sent, report.already_there, report.conflicts) == (1, 1, [])
    notes = PostgisStore(desk).read().control.set_index("control_id")["note"]
    assert (notes["c3"], notes["c1"]) == ("first look", "saved during the sync")


def shape_of(frame, column, row_id):
    return frame.set_index(column).geometry.loc[row_id]


def test_rows_added_offline_reach_the_desk_with_their_shapes(desk, tmp_path):
    """The copy's log keeps no shapes, so sync sent an event placed offline and a route's
    new period without them: neither showed on the desk's map."""
    from viewer.model.edits import AddEvent, SetRoute

    field = tmp_path / "field.gpkg"
    take_offline(desk, field)
    edit_offline(field, AddEvent("Bridge blown at Easttown", "military", ("s1",), NOV_5,
                                 place_id="east"))
    edit_offline(field, SetRoute("r1", "active", dt.date(2024, 12, 1), sources=("s2",)))
    copy = read_dataset(field)
    offline.sync(field, desk)
    now = PostgisStore(desk).read()
    [event] = copy.events.loc[copy.events["title"] == "Bridge blown at Easttown", "event_id"]
    assert shape_of(now.events, "event_id", event).equals(shape_of(copy.events, "event_id", event))
    [period] = set(now.flows["flow_id"]) - {"f1", "f2"}
    assert shape_of(now.flows, "flow_id", period).equals(shape_of(copy.flows, "flow_id", "f1"))


def test_keeping_the_fields_new_row_keeps_its_shape(desk, tmp_path, capsys):
    """A route's new period set offline met a desk note on the period it closes: kept by
    `resolve --keep field`, it reached the desk without its line."""
    from viewer.model.edits import SetRoute

    now = kept_in_the_field(desk, tmp_path, capsys,
                            SetRoute("r1", "active", dt.date(2024, 12, 1), sources=("s2",)),
                            "flows", "f2")
    [period] = set(now.flows["flow_id"]) - {"f1", "f2"}
    assert shape_of(now.flows, "flow_id", period).equals(shape_of(now.flows, "flow_id", "f1"))
    assert now.flows.set_index("flow_id").loc["f2", "note"] == "desk note"


@pytest.mark.parametrize("name, make, message", [
    ("missing.gpkg", lambda path: None, "file does not exist"),
    ("text.gpkg", lambda path: path.write_text("notes"), "is not a GeoPackage"),
    ("folder.gpkg", lambda path: path.mkdir(), "is a folder"),
])
@pytest.mark.parametrize("command", [["sync", "FILE", "postgresql://u@127.0.0.1:1/db?schema=team"],
                                     ["resolve", "FILE", "--edit", "1", "--keep", "field"]])
def test_a_field_copy_that_is_no_geopackage_is_one_error_line_naming_it(
        command, name, make, message, tmp_path, capsys):
    """Each printed a Python traceback (FileNotFoundError, sqlite3.DatabaseError)."""
    path = tmp_path / name
    make(path)
    assert main([str(path) if part == "FILE" else part for part in command]) == 1
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert captured.out == "" and line.startswith(f"error: {name}: {message}")


def test_keeping_the_fields_version_of_a_row_the_desk_deleted_brings_it_back_whole(
        desk, tmp_path, capsys):
    """Deleted at the desk (in QGIS), a row corrected in the field came back as its
    changed column alone: no id, no date; the copy no longer opened and every sync failed."""
    import psycopg

    field = tmp_path / "field.gpkg"
    take_offline(desk, field)
    edit_offline(field, CorrectRow("events", "e1", {"title": "Seen from the road"}, reason="r"))
    with psycopg.connect(**desk.parts(), autocommit=True) as conn:
        conn.execute("DELETE FROM tiny.events WHERE event_id = 'e1'")
    run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    [edit_id] = {conflict.edit_id for conflict in read_conflicts(field)}
    run(capsys, "resolve", str(field), "--edit", str(edit_id), "--keep", "field")
    copy = read_dataset(field).events.set_index("event_id")
    assert copy.loc["e1", "title"] == "Seen from the road"
    assert str(copy.loc["e1", "date"])[:10] == "2024-10-19"      # the whole row, not one column
    run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    assert PostgisStore(desk).read().events.set_index("event_id").loc["e1", "title"] == \
        "Seen from the road"


def test_a_change_made_to_a_copy_outside_the_app_is_kept_aside_not_lost(desk, tmp_path, capsys):
    """Edited in QGIS, a copy's changes are in no edit log: sync sent nothing, then its
    refresh replaced them without a word."""
    import sqlite3

    field = tmp_path / "field.gpkg"
    take_offline(desk, field)
    edit_offline(field, CorrectRow("control", "c3", {"note": "logged here"}, reason="r"))
    assert "changed outside" not in run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    with sqlite3.connect(field) as db:                       # as QGIS would save it
        db.execute("UPDATE sources SET title = 'Edited in QGIS' WHERE source_id = 's1'")
    edit_offline(field, CorrectRow("control", "c3", {"note": "logged after"}, reason="r"))
    out = run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    [aside] = tmp_path.glob("field.changed-outside-*.gpkg")
    assert str(aside) in out
    assert read_dataset(aside).sources.set_index("source_id").loc["s1", "title"] == "Edited in QGIS"
    assert PostgisStore(desk).read().control.set_index("control_id").loc["c3", "note"] == \
        "logged after"


def desk_note(desk_store, row_id: str, note: str) -> None:
    desk_store.apply([CorrectRow("control", row_id, {"note": note}, reason="r").edit(
        desk_store.read(), NOV_5)], "alice")


def test_each_offline_edit_in_conflict_keeps_a_number_of_its_own(desk, tmp_path, capsys):
    """A refreshed copy numbers its next edits from the new position: an edit made after
    a sync took the number of a conflict kept from it, and settling one dropped the
    other unsent."""
    field, desk_store = tmp_path / "field.gpkg", PostgisStore(desk)
    take_offline(desk, field)
    for note in ("first look", "second look"):
        edit_offline(field, CorrectRow("control", "c3", {"note": note}, reason="r"))
    desk_note(desk_store, "c3", "desk says otherwise")
    run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    desk_note(desk_store, "c1", "desk on c1")
    edit_offline(field, CorrectRow("control", "c1", {"note": "field on c1"}, reason="r"))
    out = run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    assert "1 new conflict(s), 3 to settle" in out
    numbers = {c.row_id if c.row_id == "c1" else c.field_version["note"]: c.edit_id
               for c in read_conflicts(field)}
    assert len(set(numbers.values())) == 3
    assert f"conflict {numbers['c1']}: correct by field" in out

    run(capsys, "resolve", str(field), "--edit", str(numbers["second look"]), "--keep", "desk")
    assert [c.row_id for c in read_conflicts(field)].count("c1") == 1     # still to settle
    run(capsys, "resolve", str(field), "--edit", str(numbers["c1"]), "--keep", "field")
    run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    assert desk_store.read().control.set_index("control_id").loc["c1", "note"] == "field on c1"


def test_an_edit_a_stopped_sync_sent_is_not_a_conflict_with_a_later_desk_change(desk, tmp_path):
    """The sync stopped after the edit reached the desk; alice then corrected the row. The
    next sync called the field's edit a conflict, and keeping it undid her correction."""
    field, desk_store = tmp_path / "field.gpkg", PostgisStore(desk)
    position = take_offline(desk, field)
    edit_offline(field, CorrectRow("control", "c3", {"note": "field 70"}, reason="r"))
    [entry] = [e for e in GpkgStore(field).log() if e.edit_id > position]
    desk_store.apply([entry.edit], entry.user, recorded_at=entry.recorded_at)   # sent; no refresh
    desk_note(desk_store, "c3", "alice fixed the field's note")
    report = offline.sync(field, desk)
    assert (report.already_there, report.conflicts) == (1, [])
    assert desk_store.read().control.set_index("control_id").loc["c3", "note"] == \
        "alice fixed the field's note"


def test_an_offline_edit_of_several_rows_is_one_conflict(desk, tmp_path, capsys):
    field, desk_store = tmp_path / "field.gpkg", PostgisStore(desk)
    take_offline(desk, field)
    edit_offline(field, SetControl("zone-east", "SAC", dt.date(2024, 11, 20), confidence="reported",
                                   sources=("s2",)))
    desk_store.apply([SetControl("zone-east", "SAC", dt.date(2024, 11, 10), confidence="reported",
                                 sources=("s2",)).edit(desk_store.read(), NOV_5)], "alice")
    out = run(capsys, "sync", str(field), desk.conninfo + "?schema=tiny")
    assert "1 new conflict(s), 1 to settle" in out and out.count("conflict ") == 1
    assert len(read_conflicts(field)) >= 2 and "(by someone at ?)" not in out


def test_a_copy_that_cannot_be_written_is_one_line_naming_it(desk, tmp_path, capsys):
    out = tmp_path / "no such folder" / "field.gpkg"
    assert main(["take-offline", desk.conninfo + "?schema=tiny", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {out}: cannot be written")


@pytest.mark.parametrize("address, shown", [
    ("postgresql://alice:alice-pw@127.0.0.1:5/team?schema=k", "postgresql://alice:***@127.0.0.1"),
    ("postgresql://alice:alice/pw@127.0.0.1:5/team?schema=k", "postgresql://alice:***@127.0.0.1"),
    ("postgresql://alice@127.0.0.1:5/team?schema=k&password=alice-pw", "schema=k&password=***")])
def test_a_password_given_in_the_wrong_place_is_not_printed(capsys, address, shown):
    with pytest.raises(SystemExit):
        main(["state", "--date", "2025-01-01", address])
    err = capsys.readouterr().err
    assert shown in err and "alice-pw" not in err and "alice/pw" not in err
