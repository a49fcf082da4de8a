"""`kachin-viewer edit`, `history` and `state --recorded-on`: the round trip a script makes."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from factory import tiny_gpkg
from viewer.cli.main import main
from viewer.io import validate
from viewer.resources import EMBEDDED_DATASET


@pytest.fixture
def gpkg(tmp_path):
    return tiny_gpkg(tmp_path / "briefing.gpkg")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def state_on(capsys, gpkg, day, *extra) -> dict:
    code, out, _ = run(capsys, "state", "--dataset", gpkg, "--date", day, "--json", *extra)
    assert code == 0
    return json.loads(out)


def log_rows(gpkg) -> int:
    with sqlite3.connect(gpkg) as db:
        return db.execute("SELECT count(*) FROM edit_log").fetchone()[0]


def test_cli_round_trip_each_edit_one_transaction_and_one_log_entry(gpkg, capsys):
    code, source_id, _ = run(capsys, "edit", gpkg, "add-source", "--outlet", "Irrawaddy",
                             "--title", "Junta retakes Easttown", "--published", "2024-11-06",
                             "--url", "https://example.org/1", "--via", "a colleague", "--user", "mai")
    assert code == 0 and source_id == "src-2024-11-06"
    steps = [
        ("add-event", "--date", "2024-11-05", "--title", "Junta retakes Easttown", "--category",
         "control", "--place", "east", "--actors", "SAC;KIA", "--sources", source_id,
         "--importance", "3"),
        ("set-control", "--area", "zone-east", "--actor", "SAC", "--from", "2024-11-05",
         "--confidence", "reported", "--sources", source_id),
        ("set-route", "--route", "r1", "--status", "reduced", "--from", "2024-11-05",
         "--sources", source_id, "--volume", "40", "--unit", "t_per_month"),
        ("retract", "--layer", "events", "--id", "e2", "--reason", "no second source"),
    ]
    for count, step in enumerate(steps, start=2):
        code, printed, err = run(capsys, "edit", gpkg, *step, "--user", "mai")
        assert (code, err) == (0, "")
        assert printed
        assert log_rows(gpkg) == count  # one entry per edit
    assert [p for p in validate(gpkg) if p.severity == "error"] == []

    after = state_on(capsys, gpkg, "2024-11-10")
    east = [r for r in after["control"] if r["area_id"] == "zone-east"]
    assert [(r["actor_id"], r["valid_from"]) for r in east] == [("SAC", "2024-11-05")]
    assert east[0]["sources"][0]["outlet"] == "Irrawaddy"
    assert [(r["status"], r["volume"]) for r in after["flows"]] == [("reduced", 40.0)]
    assert "e2" not in {e["event_id"] for e in after["events"]}

    code, out, _ = run(capsys, "history", gpkg, "--json")
    history = json.loads(out)
    assert [h["command"] for h in history] == ["add-source", "add-event", "set-control",
                                               "set-route", "retract"]
    assert {h["user"] for h in history} == {"mai"}
    assert history[-1]["reason"] == "no second source"
    code, out, _ = run(capsys, "history", gpkg, "--id", "c3")
    assert "set-control" not in out and "Set control of zone-east" in out
    assert "valid_to (empty) → 2024-11-05" in out

    yesterday = (dt.date.fromisoformat(history[0]["recorded_at"][:10]) - dt.timedelta(days=1))
    before = state_on(capsys, gpkg, "2024-11-10", "--recorded-on", yesterday.isoformat())
    assert [r["actor_id"] for r in before["control"] if r["area_id"] == "zone-east"] == ["KIA"]
    assert "e2" in {e["event_id"] for e in before["events"]}


@pytest.mark.parametrize("step, message", [
    (("set-control", "--area", "zone-east", "--actor", "NOBODY", "--from", "2024-11-05",
      "--confidence", "reported", "--sources", "s1"), "actor_id: 'NOBODY' is not a known id"),
    (("correct", "--layer", "control", "--id", "c2", "--set", "valid_to=2024-10-25",
      "--reason", "r"), "overlaps row"),  # two holders of one zone on one day
    (("add-event", "--date", "2024-11-05", "--title", "T", "--category", "c", "--sources", "nope"),
     "source_ids"),
    (("retract", "--layer", "events", "--id", "e404", "--reason", "r"), "'e404' is not a row"),
    (("correct", "--layer", "control", "--id", "c3", "--set", "valid_to=2024-01-01",
      "--reason", "r"), "valid_to: 2024-01-01 is not after valid_from"),
    # Dates the reader refuses: each was written, and the file no longer opened.
    (("add-source", "--outlet", "X", "--title", "Y", "--published", "0001-01-01"),
     "published: 0001-01-01 is outside the years 1700-2199"),
    (("add-event", "--date", "2199-12-31", "--title", "Far", "--category", "trade",
      "--sources", "s1"), "time_end: 2200-01-01 is outside the years 1700-2199"),
])
def test_a_refused_edit_prints_one_error_line_and_leaves_the_file_byte_identical(gpkg, capsys,
                                                                                step, message):
    before = gpkg.read_bytes()
    code, out, err = run(capsys, "edit", gpkg, *step)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and "\n" not in err and message in err
    assert gpkg.read_bytes() == before
    assert sorted(p.name for p in gpkg.parent.iterdir()) == [gpkg.name]  # no journal left


@pytest.mark.parametrize("step, where", [
    (("correct", "--layer", "sources", "--id", "s1", "--set", "published=2024-02-30",
      "--reason", "r"), "layer 'sources', row s1: edit refused, published: '2024-02-30' is not"),
    (("add-event", "--date", "2024-11-05", "--title", "T", "--category", "c", "--sources", "nope"),
     "layer 'events': edit refused, source_ids:"),
])
def test_a_refused_edit_names_the_file_layer_row_and_column(gpkg, capsys, step, where):
    """It said only "error: edit refused, published: …", not where."""
    code, _, err = run(capsys, "edit", gpkg, *step)
    assert code == 1 and err.startswith(f"error: {gpkg.name}, {where}")


def test_editing_the_embedded_dataset_is_refused_with_how_to_copy_it(capsys):
    before = EMBEDDED_DATASET.read_bytes()
    code, _, err = run(capsys, "edit", EMBEDDED_DATASET, "retract", "--layer", "events",
                       "--id", "EV001", "--reason", "r")
    assert code == 1 and "copy it first" in err
    assert EMBEDDED_DATASET.read_bytes() == before


def test_history_of_an_unedited_file_says_so(gpkg, capsys):
    assert run(capsys, "history", gpkg) == (0, "no recorded edits", "")


def test_history_of_a_zone_lists_the_edits_of_its_rows(gpkg, capsys):
    """`history --id zone-east` found nothing: --id matched row ids (c3, ctl-…) only."""
    assert run(capsys, "edit", gpkg, "set-control", "--area", "zone-east", "--actor", "SAC",
               "--from", "2024-11-05", "--confidence", "reported", "--sources", "s1")[0] == 0
    assert run(capsys, "edit", gpkg, "add-source", "--outlet", "X", "--title", "Y",
               "--published", "2024-11-06")[0] == 0
    code, out, _ = run(capsys, "history", gpkg, "--id", "zone-east")
    assert code == 0 and "Set control of zone-east" in out and "Add source" not in out
    assert run(capsys, "history", gpkg, "--id", "zone-nowhere")[1] == \
        "no recorded edits for zone-nowhere"


def test_history_and_errors_show_a_newline_in_dataset_text_inside_its_own_line(gpkg, capsys):
    """A title and a --user carrying a newline forged `ok:` and `error:` lines."""
    forged_ok = "ok: briefing.gpkg is a valid briefing dataset"
    code, _, _ = run(capsys, "edit", gpkg, "add-source", "--outlet", "R", "--title",
                     f"Gate\n{forged_ok}", "--published", "2024-11-06", "--user", "ann\nerror: forged")
    assert code == 0
    code, out, _ = run(capsys, "history", gpkg)
    assert code == 0 and len(out.splitlines()) == 2  # the entry's header and its one change
    assert "ann\\nerror: forged" in out and f"Gate\\n{forged_ok}" in out

    code, _, err = run(capsys, "edit", gpkg, "retract", "--layer", "events", "--id",
                       f"e9\n{forged_ok}", "--reason", "r")
    assert code == 1 and len(err.splitlines()) == 1 and f"e9\\n{forged_ok}" in err


def test_the_edit_commands_examples_work_on_a_copy_of_the_embedded_dataset(tmp_path, capsys,
                                                                           monkeypatch):
    """They named a place and a route the dataset does not have (kambaiti), and
    `history --id zone-bhamo` printed nothing: it takes a row id."""
    import shlex

    from viewer.cli.edit import EPILOG

    monkeypatch.chdir(tmp_path)
    (tmp_path / "my.gpkg").write_bytes(EMBEDDED_DATASET.read_bytes())
    examples = EPILOG.replace("\\\n", " ").splitlines()[1:]
    for example in examples:
        argv = shlex.split(example, comments=True)
        assert argv[0] == "kachin-viewer"
        code, out, err = run(capsys, *argv[1:])
        assert (code, err) == (0, ""), example
        assert out and not out.startswith("no recorded edits"), example
