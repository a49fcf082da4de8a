"""Edits in a team database: transactions, the optimistic row check, roles, the log."""
from __future__ import annotations

import datetime as dt
import threading

import psycopg
import pytest
from factory import write_tiny

from viewer.io import pg_store
from viewer.io.pg_publish import publish
from viewer.io.pg_store import PostgisStore, channel
from viewer.io.pg_url import DatabaseUrl
from viewer.io.store import StoreError
from viewer.model.edits import CorrectRow, Retract, RowChanged, SetControl

NOV_5 = dt.date(2024, 11, 5)


def holder(url: DatabaseUrl, day: dt.date) -> str:
    rows = PostgisStore(url).read().control_on(day)
    return dict(zip(rows["area_id"], rows["actor_id"]))["zone-east"]


def test_an_analyst_saves_a_control_change_in_one_transaction_with_its_log_entry(team):
    url = team("analyst")
    store = PostgisStore(url)
    dataset = store.read()
    edit = SetControl("zone-east", "SAC", NOV_5, confidence="reported", sources=("s2",)).edit(
        dataset, NOV_5)
    with psycopg.connect(url.conninfo, autocommit=True) as listener:
        listener.execute(f"LISTEN {channel('tiny')}")
        [entry] = store.apply([edit], "alice")
        heard = [n.payload for n in listener.notifies(timeout=5, stop_after=1)]
    assert heard == [str(entry.edit_id)]
    assert holder(url, NOV_5) == "SAC" and holder(url, NOV_5 - dt.timedelta(days=1)) == "KIA"
    [logged] = store.log(row_id="c3")
    assert (logged.user, logged.edit.command) == ("alice", "set-control")


def test_the_second_save_of_the_same_row_is_refused_naming_who_changed_it_and_nothing_is_lost(
        team):
    url = team("analyst")
    alice, bob = PostgisStore(url), PostgisStore(url)
    seen_by_alice, seen_by_bob = alice.read(), bob.read()
    alice.apply([SetControl("zone-east", "SAC", NOV_5, confidence="reported",
                            sources=("s2",)).edit(seen_by_alice, NOV_5)], "alice")
    bobs = SetControl("zone-east", "KIA", dt.date(2024, 11, 9), status="contested",
                      contested_with="SAC", confidence="claimed", sources=("s1",))
    with pytest.raises(RowChanged) as refused:
        bob.apply([bobs.edit(seen_by_bob, NOV_5)], "bob")
    message = str(refused.value)
    assert "row c3 of 'control'" in message and "by alice at 20" in message
    assert holder(url, NOV_5) == "SAC"  # alice's change kept
    assert [e.user for e in bob.log()] == ["alice"]  # bob's refused batch left no trace
    # bob sees alice's change on reading again and can make his edit on top of it.
    bob.apply([bobs.edit(bob.read(), NOV_5)], "bob")
    assert holder(url, dt.date(2024, 11, 10)) == "KIA"


def test_the_row_version_is_checked_in_the_update_itself(team):
    """Values put back as they were still count as a change: the version moved."""
    url = team("analyst")
    alice, bob = PostgisStore(url), PostgisStore(url)
    seen_by_bob = bob.read()
    dataset = alice.read()
    first = CorrectRow("control", "c1", {"note": "checked"}, reason="typo").edit(dataset, NOV_5)
    alice.apply([first], "alice")
    back = CorrectRow("control", "c1", {"note": None}, reason="undo").edit(alice.read(), NOV_5)
    alice.apply([back], "alice")
    with pytest.raises(RowChanged, match="row c1 of 'control' was changed by alice"):
        bob.apply([CorrectRow("control", "c1", {"note": "bob's"}, reason="r").edit(
            seen_by_bob, NOV_5)], "bob")


def test_a_read_only_role_cannot_write_even_with_the_app_checks_bypassed(team):
    url = team("briefer")
    dataset = PostgisStore(url).read()  # reading and exporting work
    assert len(dataset.control) == 3
    with pytest.raises(StoreError, match="this role may only read"):
        PostgisStore(url).apply([CorrectRow("control", "c1", {"note": "x"}, reason="r").edit(
            dataset, NOV_5)], "mallory")
    statements = ["UPDATE tiny.control SET note = 'x'", "DELETE FROM tiny.sources",
                  "INSERT INTO tiny.actors (actor_id, name, color) VALUES ('X', 'X', '#000000')",
                  "INSERT INTO tiny.edit_log (recorded_at, \"user\", command, changes) "
                  "VALUES (now(), 'm', 'c', '[]')", "DROP TABLE tiny.control"]
    for statement in statements:
        with psycopg.connect(url.conninfo) as conn:
            with pytest.raises((psycopg.errors.InsufficientPrivilege,
                                psycopg.errors.DependentObjectsStillExist)):
                conn.execute(statement)
    assert holder(team("analyst"), NOV_5) == "KIA"


def test_the_log_is_append_only_even_for_the_owner(pg_database, tmp_path):
    url = DatabaseUrl.parse(pg_database + "?schema=tiny")
    publish(write_tiny(tmp_path / "tiny.gpkg"), url)
    store = PostgisStore(url)
    store.apply([CorrectRow("control", "c1", {"note": "x"}, reason="r").edit(store.read(), NOV_5)],
                "alice")
    with psycopg.connect(url.conninfo) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("DELETE FROM tiny.edit_log")



def test_a_change_made_outside_the_app_also_refuses_a_stale_save(team):
    """An editor changing a row in psql or QGIS raises its version as the app does (here
    changed and put back, so only the version tells)."""
    url = team("analyst")
    store = PostgisStore(url)
    seen = store.read()
    with psycopg.connect(url.conninfo, autocommit=True) as conn:
        conn.execute("UPDATE tiny.control SET note = 'edited in QGIS' WHERE control_id = 'c2'")
        conn.execute("UPDATE tiny.control SET note = NULL WHERE control_id = 'c2'")
    with pytest.raises(RowChanged, match="row c2 of 'control' was changed by someone else"):
        store.apply([CorrectRow("control", "c2", {"confidence": "reported"}, reason="r").edit(
            seen, NOV_5)], "alice")


def test_edit_and_history_on_the_command_line_take_a_database_address(team, capsys):
    from viewer.cli import main

    address = team("analyst").conninfo + "?schema=tiny"
    assert main(["edit", address, "set-control", "--area", "zone-east", "--actor", "SAC",
                 "--from", "2024-11-05", "--confidence", "reported", "--sources", "s2",
                 "--user", "carol"]) == 0
    assert main(["history", address, "--id", "c3"]) == 0
    out = capsys.readouterr().out
    assert "carol" in out and "analyst-pw" not in out
    assert holder(team("briefer"), NOV_5) == "SAC"


def test_history_of_a_schema_that_does_not_exist_says_so(team, capsys):
    """It quoted PostgreSQL's 'relation "nosuch.edit_log" does not exist'."""
    from viewer.cli import main

    assert main(["history", team("analyst").conninfo + "?schema=nosuch"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "schema 'nosuch' does not exist or has no edit log" in err
    assert "analyst-pw" not in err


def test_a_password_libpq_would_read_otherwise_is_used_as_typed_and_never_shown(team, capsys):
    """The address reaches libpq as its parts: a password holding '@' made libpq look for
    a host 'ssw0rd@127.0.0.1', and one with a stray '%' was quoted back in its error. A
    refused one is one error line (`history` printed a traceback)."""
    from urllib.parse import urlsplit

    from viewer.cli import main
    from viewer.io.pg_url import DatabaseUrl

    good = urlsplit(team("analyst").conninfo)
    for password in ("p@ssw0rd", "se%zzcret"):
        address = f"postgresql://analyst:{password}@{good.hostname}:{good.port}{good.path}?schema=tiny"
        assert DatabaseUrl.parse(address).parts()["host"] == good.hostname
        assert main(["history", address]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and password not in err and "password authentication failed" in err


def zone_west_emptied(url: DatabaseUrl) -> None:
    """Zone-west without a holder: its one control row retracted."""
    store = PostgisStore(url)
    store.apply([Retract("control", "c1", "wrong").edit(store.read(), NOV_5)], "setup")


def holding_zone_west(actor: str, start: dt.date, dataset):
    return SetControl("zone-west", actor, start, confidence="reported",
                      sources=("s1",)).edit(dataset, start)


def test_a_second_holder_added_since_reading_is_refused_and_the_team_can_still_read(team):
    url = team("analyst")
    zone_west_emptied(url)
    alice, bob = PostgisStore(url), PostgisStore(url)
    seen_by_alice, seen_by_bob = alice.read(), bob.read()
    alice.apply([holding_zone_west("KIA", dt.date(2024, 3, 1), seen_by_alice)], "alice")
    with pytest.raises(RowChanged, match="for area 'zone-west'"):
        bob.apply([holding_zone_west("SAC", dt.date(2024, 5, 1), seen_by_bob)], "bob")
    rows = PostgisStore(url).read().control_on(dt.date(2024, 6, 1))  # no DatasetError
    assert rows[rows.area_id == "zone-west"]["actor_id"].tolist() == ["KIA"]


def test_two_holders_saved_at_the_same_moment_the_second_waits_and_is_refused(
        team, monkeypatch):
    """Bob saves after Alice's save checked the zone and before it ended: he must wait for
    it, then see her holder, not commit his own beside it (neither check saw the other)."""
    url = team("analyst")
    zone_west_emptied(url)
    alice, bob = PostgisStore(url), PostgisStore(url)
    seen_by_alice, seen_by_bob = alice.read(), bob.read()
    bobs_save: list[object] = []

    def save_bobs():
        try:
            bob.apply([holding_zone_west("SAC", dt.date(2024, 5, 1), seen_by_bob)], "bob")
            bobs_save.append("saved")
        except RowChanged as refusal:
            bobs_save.append(refusal)

    bob_thread = threading.Thread(target=save_bobs)
    checked = pg_store.check_one_holder

    def bob_saves_after_alices_check(*args):
        checked(*args)
        monkeypatch.setattr(pg_store, "check_one_holder", checked)
        bob_thread.start()
        bob_thread.join(timeout=2)  # he cannot finish while Alice's save is open

    monkeypatch.setattr(pg_store, "check_one_holder", bob_saves_after_alices_check)
    alice.apply([holding_zone_west("KIA", dt.date(2024, 3, 1), seen_by_alice)], "alice")
    bob_thread.join(timeout=20)
    assert isinstance(bobs_save[0], RowChanged)
    rows = PostgisStore(url).read().control_on(dt.date(2024, 6, 1))
    assert rows[rows.area_id == "zone-west"]["actor_id"].tolist() == ["KIA"]
