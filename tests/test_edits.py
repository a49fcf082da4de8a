"""Edit commands (pure) and the GeoPackage store: what an analyst records, and what is refused."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from factory import tiny_gpkg, write_tiny
from viewer.io import read_dataset, validate
from viewer.io.store import GpkgStore
from viewer.model.edit_apply import as_recorded_on, find_row, with_changes, without_changes
from viewer.model.edits import (AddEvent, AddSource, CorrectRow, EditRefused, Retract, RowChanged,
                                SetControl, SetRoute)

TODAY = dt.date(2024, 11, 1)
NOV_5 = dt.date(2024, 11, 5)


@pytest.fixture
def gpkg(tmp_path):
    return tiny_gpkg(tmp_path / "briefing.gpkg")


@pytest.fixture
def tiny(gpkg):
    return read_dataset(gpkg)


def holders(dataset, day):
    rows = dataset.control_on(day)
    return dict(zip(rows["area_id"], rows["actor_id"]))


def test_set_control_closes_the_holding_row_and_opens_a_new_one(tiny):
    edit = SetControl("zone-east", "SAC", NOV_5, confidence="reported", sources=("s2",)).edit(tiny, TODAY)
    closed, opened = edit.changes
    assert (closed.row_id, closed.action, closed.after["valid_to"]) == ("c3", "update", "2024-11-05")
    assert closed.before["valid_to"] is None  # the earlier row is kept as it was, only closed
    assert (opened.action, opened.after["valid_from"], opened.after["valid_to"]) == \
        ("insert", "2024-11-05", None)
    after = with_changes(tiny, edit.changes)
    assert holders(after, dt.date(2024, 11, 4))["zone-east"] == "KIA"
    assert holders(after, NOV_5)["zone-east"] == "SAC"
    assert holders(without_changes(after, edit.changes), NOV_5)["zone-east"] == "KIA"


def test_new_facts_default_to_the_timeline_date_and_need_a_source(tiny):
    edit = AddEvent("Gate reopens", "trade", ("s1",), place_id="east").edit(tiny, TODAY)
    assert edit.changes[0].after["date"] == "2024-11-01"
    assert edit.changes[0].geometry.x == pytest.approx(97.75)
    with pytest.raises(EditRefused) as refused:
        AddEvent("Unsourced", "trade", ()).edit(tiny, TODAY)
    assert refused.value.field == "source_ids"


@pytest.mark.parametrize("command, field", [
    (SetControl("zone-east", "NOBODY", NOV_5, confidence="reported", sources=("s1",)), "actor_id"),
    (SetControl("zone-east", "SAC", NOV_5, confidence="sure", sources=("s1",)), "confidence"),
    (SetControl("zone-east", "SAC", NOV_5, confidence="reported", sources=("nope",)), "source_ids"),
    (SetControl("zone-nowhere", "SAC", NOV_5, confidence="reported", sources=("s1",)), "area_id"),
    (CorrectRow("control", "c1", {"valid_to": "2023-01-01"}, "typo"), "valid_to"),
    (CorrectRow("control", "c2", {"valid_to": "2024-10-25"}, "later"), "valid_from"),  # two holders
    (CorrectRow("events", "e1", {"title": "x"}), "reason"),
    (Retract("sources", "s1", "wrong"), "layer"),
    (SetRoute("r1", "halted", NOV_5, sources=("s1",), volume=3.0), "volume_unit"),
    (SetRoute("r9", "halted", NOV_5, sources=("s1",)), "route_id"),
    # An infinite volume broke every frame drawing the route; NaN is no volume either.
    (SetRoute("r1", "active", NOV_5, sources=("s1",), volume=float("inf"), unit="t"), "volume"),
    (SetRoute("r1", "active", NOV_5, sources=("s1",), volume=float("nan"), unit="t"), "volume"),
    (CorrectRow("flows", "f1", {"volume": float("-inf")}, "typo"), "volume"),
])
def test_an_edit_that_breaks_the_format_is_refused_naming_the_field(tiny, command, field):
    with pytest.raises(EditRefused) as refused:
        command.edit(tiny, TODAY)
    assert refused.value.field == field
    assert "\n" not in str(refused.value)


def test_a_route_whose_rows_have_no_route_id_is_changed_by_its_flow_id(tmp_path):
    """As the map and `state` name it: a row without route_id is a route of its own,
    named by its flow_id; its new period joins it."""
    from factory import tiny_layers
    from viewer.io.gpkg_write import write_gpkg

    layers = tiny_layers()
    layers["flows"]["route_id"] = None
    write_gpkg(layers, tmp_path / "no-route-ids.gpkg")
    dataset = read_dataset(tmp_path / "no-route-ids.gpkg")
    edit = SetRoute("f2", "active", NOV_5, sources=("s1",)).edit(dataset, TODAY)
    after = with_changes(dataset, edit.changes)
    assert {c.row_id for c in edit.changes if c.action == "update"} == {"f2"}
    new = next(c for c in edit.changes if c.action == "insert")
    assert after.feature_ids["flows"][list(after.flows["flow_id"]).index(new.row_id)] == "f2"


def test_store_writes_edits_in_one_transaction_with_a_log_entry_each(gpkg, tiny):
    source = AddSource("Reuters", "Junta retakes Easttown", dt.date(2024, 11, 6)).edit(tiny, TODAY)
    source_id = source.changes[0].row_id
    tiny = with_changes(tiny, source.changes)
    control = SetControl("zone-east", "SAC", NOV_5, confidence="reported",
                         sources=(source_id,)).edit(tiny, TODAY)
    tiny = with_changes(tiny, control.changes)
    route = SetRoute("r1", "active", NOV_5, sources=(source_id,), volume=12.0, unit="t").edit(tiny, TODAY)
    tiny = with_changes(tiny, route.changes)
    retract = Retract("events", "e2", "no second source").edit(tiny, TODAY)
    entries = GpkgStore(gpkg).apply([source, control, route, retract], user="analyst")

    assert [e.edit.command for e in entries] == ["add-source", "set-control", "set-route", "retract"]
    assert [p for p in validate(gpkg) if p.severity == "error"] == []
    reread = read_dataset(gpkg)
    assert holders(reread, NOV_5)["zone-east"] == "SAC"
    assert reread.flows_on(NOV_5)["status"].tolist() == ["active"]
    assert "e2" not in set(reread.events["event_id"])  # retracted: not drawn
    assert "e2" in set(reread.retracted["events"]["event_id"])  # but still in the file
    history = GpkgStore(gpkg).log(row_id="c3")
    assert [(e.user, e.edit.command) for e in history] == [("analyst", "set-control")]
    with sqlite3.connect(gpkg) as db:  # the spatial index follows the new rows
        assert db.execute("SELECT count(*) FROM rtree_control_geom").fetchone() == \
            db.execute("SELECT count(*) FROM control").fetchone()
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("DELETE FROM edit_log")


def test_a_row_changed_since_it_was_read_refuses_the_whole_batch(gpkg, tiny):
    first = CorrectRow("events", "e1", {"title": "KIA takes Easttown town"}, "typo").edit(tiny, TODAY)
    GpkgStore(gpkg).apply([first], user="a")
    before = gpkg.read_bytes()
    source = AddSource("Outlet", "Title", TODAY).edit(tiny, TODAY)
    stale = CorrectRow("events", "e1", {"summary": "other"}, "more").edit(tiny, TODAY)
    with pytest.raises(RowChanged):
        GpkgStore(gpkg).apply([source, stale], user="b")
    assert gpkg.read_bytes() == before


def test_as_recorded_on_undoes_edits_logged_after_the_day(gpkg, tiny):
    edit = SetControl("zone-east", "SAC", NOV_5, confidence="reported", sources=("s1",)).edit(tiny, TODAY)
    store = GpkgStore(gpkg)
    store.apply([edit], user="a")
    now, log = store.read(), store.log()
    assert holders(now, NOV_5)["zone-east"] == "SAC"
    earlier = as_recorded_on(now, log, log[0].recorded_on - dt.timedelta(days=1))
    assert holders(earlier, NOV_5)["zone-east"] == "KIA"
    assert as_recorded_on(now, log, log[0].recorded_on) is now


def test_a_fact_after_the_time_range_extends_it_so_the_timeline_reaches_it(gpkg, tiny):
    later = dt.date(2025, 3, 2)
    edit = SetControl("zone-east", "SAC", later, confidence="reported", sources=("s1",)).edit(tiny, TODAY)
    assert with_changes(tiny, edit.changes).last_day == later
    GpkgStore(gpkg).apply([edit], user="a")
    reread = read_dataset(gpkg)
    assert reread.last_day == later and reread.meta["time_end"] == "2025-03-03"  # exclusive
    assert holders(reread, later)["zone-east"] == "SAC"
    assert as_recorded_on(reread, GpkgStore(gpkg).log(), dt.date(2000, 1, 1)).last_day == \
        dt.date(2024, 12, 31)


def test_a_fact_before_the_time_range_extends_it_back_so_it_can_be_seen(gpkg, tiny):
    """An event or a holding dated before `time_start` was recorded but outside every
    date the viewer would show."""
    edit = AddEvent("Old report", "trade", ("s1",), dt.date(2023, 6, 1)).edit(tiny, TODAY)
    GpkgStore(gpkg).apply([edit], user="a")
    reread = read_dataset(gpkg)
    assert reread.time_start == dt.date(2023, 6, 1) and reread.last_day == dt.date(2024, 12, 31)
    assert dt.date(2023, 6, 1) in reread.event_dates()


@pytest.mark.parametrize("values, field, why", [
    ({"valid_from": "2024-13-01"}, "valid_from", "'2024-13-01' is not a date (YYYY-MM-DD)"),
    ({"confidnce": "reported"}, "confidnce", "is not a column of layer 'control'"),
    ({"area_id": "zone-east"}, "area_id", "a holding's zone cannot be corrected"),
])
def test_a_correction_that_would_write_nonsense_is_refused_naming_the_column(tiny, values, field, why):
    """A misspelt column was added and nothing corrected; a month 13 ended in a traceback;
    a holding moved to another zone kept the old zone's shape."""
    with pytest.raises(EditRefused) as refused:
        CorrectRow("control", "c1", values, "typo").edit(tiny, TODAY)
    assert refused.value.field == field and why in str(refused.value)


@pytest.mark.parametrize("layer, row_id, column", [("events", "e1", "place_id"),
                                                   ("flows", "f1", "to_place_id")])
def test_a_correction_that_would_leave_a_shape_behind_is_refused(tiny, layer, row_id, column):
    """An event's place corrected to Putao was still drawn at Sadung, in QGIS and here."""
    with pytest.raises(EditRefused) as refused:
        CorrectRow(layer, row_id, {column: "west"}, "moved").edit(tiny, TODAY)
    assert refused.value.field == column and "cannot be corrected" in str(refused.value)


def test_a_corrected_date_is_written_as_a_date_in_any_form_a_briefer_types(gpkg, tiny):
    """The basic form 20241201 was kept by SQLite as a number: the file no longer opened."""
    edit = CorrectRow("control", "c1", {"valid_to": "20241201"}, "typo").edit(tiny, TODAY)
    assert edit.changes[0].after["valid_to"] == "2024-12-01"
    GpkgStore(gpkg).apply([edit], user="a")
    with sqlite3.connect(gpkg) as db:
        assert db.execute("SELECT valid_to, typeof(valid_to) FROM control WHERE control_id = 'c1'"
                          ).fetchone() == ("2024-12-01", "text")
    assert read_dataset(gpkg).control.set_index("control_id").loc["c1", "valid_to"].date() == \
        dt.date(2024, 12, 1)


def test_the_store_refuses_a_second_holder_that_appeared_since_the_edit_was_checked(gpkg, tiny):
    # Before 2024 zone-west has no row: each edit only inserts, so no stored row differs
    # from what was read; the zone's periods would overlap, and the store says so. (The
    # range starts earlier: an edit before it would move time_start, a row both change.)
    with sqlite3.connect(gpkg) as db:
        db.execute("UPDATE dataset_meta SET value = '2023-01-01' WHERE key = 'time_start'")
    tiny = read_dataset(gpkg)
    mine = SetControl("zone-west", "KIA", dt.date(2023, 6, 1), confidence="reported",
                      sources=("s1",)).edit(tiny, TODAY)
    theirs = SetControl("zone-west", "SAC", dt.date(2023, 9, 1), confidence="reported",
                        sources=("s2",)).edit(tiny, TODAY)
    GpkgStore(gpkg).apply([theirs], user="colleague")
    before = gpkg.read_bytes()
    with pytest.raises(RowChanged, match="overlaps"):
        GpkgStore(gpkg).apply([mine], user="me")
    assert gpkg.read_bytes() == before


def test_a_save_the_disk_refuses_says_so_and_leaves_the_file_as_it_was(gpkg, tiny, monkeypatch):
    """SQLite rolls back a COMMIT that finds the disk full itself: rolling back again
    hid why ("cannot rollback - no transaction is active")."""
    from viewer.io.store import StoreError

    def full_disk(self, db, edits, user):
        db.execute("ROLLBACK")            # as SQLite does when the COMMIT's write fails
        raise sqlite3.OperationalError("database or disk is full")

    before = gpkg.read_bytes()
    monkeypatch.setattr(GpkgStore, "_write", full_disk)
    edit = SetControl("zone-east", "SAC", NOV_5, confidence="reported", sources=("s1",)).edit(tiny, TODAY)
    with pytest.raises(StoreError, match="database or disk is full"):
        GpkgStore(gpkg).apply([edit], user="a")
    assert gpkg.read_bytes() == before


def test_setting_control_of_a_zone_with_no_sourced_control_closes_its_gap(tmp_path):
    """The "no sourced control" period stayed open beside the new holding: QGIS's
    Temporal Controller drew the zone twice, the format says never both."""
    import shutil

    from viewer.cli import EMBEDDED_DATASET
    from viewer.model.edits import SetControl

    path = tmp_path / "kachin.gpkg"
    shutil.copyfile(EMBEDDED_DATASET, path)
    dataset = read_dataset(path)
    day = dt.date(2026, 3, 2)
    GpkgStore(path).apply([SetControl("zone-pannandin", "KIA", day, confidence="reported",
                                      sources=(dataset.sources["source_id"].iloc[0],))
                           .edit(dataset, day)], user="a")
    gaps = read_dataset(path).extra_layers["control_gaps"].set_index("gap_id")
    assert gaps.loc["gap-pannandin-1", "valid_to"].date() == day


def test_edits_apply_to_a_file_that_stores_its_dates_as_text(tmp_path):
    """A GeoPackage made by another tool keeps dates in TEXT columns: correcting any of its
    sources failed with a TypeError (a date put into pandas' text column)."""
    path = write_tiny(tmp_path / "text-dates.gpkg")
    dataset = read_dataset(path)
    assert dataset.sources["published"].dtype.kind != "M"
    edits = [CorrectRow("sources", "s1", {"title": "Corrected"}, reason="typo").edit(dataset, TODAY)]
    dataset = with_changes(dataset, edits[0].changes)
    edits.append(SetControl("zone-east", "SAC", dt.date(2024, 11, 5), confidence="reported",
                            sources=("s1",)).edit(dataset, TODAY))
    dataset = with_changes(dataset, edits[1].changes)
    assert find_row(dataset, "sources", "s1")["title"] == "Corrected"
    GpkgStore(path).apply(edits, user="a")
    assert holders(read_dataset(path), dt.date(2024, 11, 6))["zone-east"] == "SAC"


def test_a_refused_save_names_who_changed_the_row_and_when(gpkg, tiny):
    """It said "changed since it was read; reopen the file and edit again" while the
    window kept the edits and reloaded itself: who changed it is in the file's log."""

    stale = CorrectRow("sources", "s1", {"title": "Mine"}, reason="typo").edit(tiny, TODAY)
    GpkgStore(gpkg).apply([CorrectRow("sources", "s1", {"title": "Alice's"}, reason="typo")
                           .edit(tiny, TODAY)], user="alice")
    with pytest.raises(RowChanged, match=r"row s1 of 'sources' was changed by alice at 20\d\d-") as refused:
        GpkgStore(gpkg).apply([stale], user="bob")
    assert "reopen" not in str(refused.value)


def test_a_rival_without_status_contested_is_refused(tiny):
    """'held' with a contested_with: state read "KIA vs SAC", compare "became contested"
    and the map a plain KIA holding, from one row."""
    with pytest.raises(EditRefused) as refused:
        SetControl("zone-east", "KIA", dt.date(2024, 11, 5), contested_with="SAC",
                   confidence="reported", sources=("s1",)).edit(tiny, TODAY)
    assert refused.value.field == "contested_with"


@pytest.mark.parametrize("precision, event_id, said, second", [
    ("day", "ev-2024-10-17", "(17 Oct 2024)", "ev-2024-10-17-2"),
    ("month", "ev-2024-10-month", "(Oct 2024)", "ev-2024-10-month-2"),
    ("quarter", "ev-2024-Q4", "(Q4 2024)", "ev-2024-Q4-2"),
    ("year", "ev-2024-year", "(2024)", "ev-2024-year-2")])
def test_an_event_known_to_a_month_is_named_without_a_day(tiny, precision, event_id, said, second):
    """An event of "Oct 2024" was named ev-2024-10-01 and logged "(2024-10-01)": a day no
    source gives, in its id and in the history; a second one's number must not read as
    a day either (ev-2024-10-2)."""
    add = AddEvent("Gate reopens", "trade", ("s1",), dt.date(2024, 10, 17), precision=precision)
    edit = add.edit(tiny, TODAY)
    assert edit.changes[0].row_id == event_id
    assert edit.summary == f"Add event {event_id}: Gate reopens {said}"
    assert add.edit(with_changes(tiny, edit.changes), TODAY).changes[0].row_id == second
