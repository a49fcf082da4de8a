"""`kachin-viewer state` on the embedded dataset, and one-line command-line errors."""
import json

import pytest

from viewer.cli import main


def state_on(day: str, capsys) -> dict:
    assert main(["state", "--date", day, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def holder(state: dict, area_id: str) -> str | None:
    rows = [r for r in state["control"] if r["area_id"] == area_id]
    return rows[0]["actor_id"] if rows else None


def test_pangwa_changes_hands_with_the_kia_offensive(capsys):
    assert holder(state_on("2024-09-01", capsys), "zone-pangwa") != "KIA"
    assert holder(state_on("2024-11-01", capsys), "zone-pangwa") == "KIA"


def test_routes_through_the_chinese_gates_are_halted_after_the_closure(capsys):
    flows = state_on("2024-10-25", capsys)["flows"]
    china_routes = [f for f in flows if f["status"] != "proposed"]
    assert china_routes and all(f["status"] == "halted" for f in china_routes)


def test_every_row_in_the_state_carries_its_sources(capsys):
    state = state_on("2024-11-25", capsys)
    for row in state["control"] + state["flows"] + state["events"]:
        assert row["sources"], row
        assert all(s["outlet"] for s in row["sources"])


def test_the_text_state_names_each_facts_sources(capsys):
    """README: "what holds on a day, with sources"; only --json named them."""
    assert main(["state", "--date", "2024-11-25"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert ("  control zone-bhamo: held by SAC (confirmed, from 2021-02-01) — sources: "
            "thestar-2025-09-14; wiki-battle-of-bhamo") in lines
    facts = [line for line in lines if line.startswith(("  control", "  route"))
             and "no sourced information" not in line and "status unknown" not in line]
    assert facts and all(" — sources: " in line for line in facts)


def test_a_month_precision_row_starts_in_its_month_not_on_a_day(capsys):
    """ctl-lonton-3 is known to the month: the text said "from 2025-07-01" where the
    window says "from Jul 2025"."""
    assert main(["state", "--date", "2025-09-01"]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines()
              if line.startswith("  control zone-lonton:")]
    assert "(reported, from Jul 2025)" in line


def test_bhamo_is_contested_during_the_battle(capsys):
    rows = [r for r in state_on("2025-02-15", capsys)["control"] if r["area_id"] == "zone-bhamo"]
    assert [(r["status"], r["actor_id"], r["contested_with"]) for r in rows] == \
        [("contested", "SAC", "KIA")]


@pytest.mark.parametrize("argv, message", [
    (["state", "--date", "2024-13-01"], "error: argument --date: '2024-13-01' is not a date"),
    # The documented YYYY-MM-DD only: fromisoformat alone takes these too.
    (["state", "--date", "20241001"], "error: argument --date: '20241001' is not a date"),
    (["state", "--date", "2024-W40-1"], "error: argument --date: '2024-W40-1' is not a date"),
    (["state", "--date", "2024-10-01", "--recorded-on", "20241001"],
     "error: argument --recorded-on: '20241001' is not a date"),
    (["state", "--date", "2030-01-01"], "error: 2030-01-01 is outside the dataset's range"),
    (["state"], "error: the following arguments are required: --date"),
    (["validate"], "error: the following arguments are required: path"),
])
def test_a_bad_command_line_is_one_error_line(argv, message, capsys):
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and len(err) == 1 and err[0].startswith(message)


def test_the_files_time_end_is_exclusive(tiny_gpkg, capsys):
    """The format's time_end (2025-01-01 in the tiny file) is the first day after the
    range: its map is not offered as a day of the data, the day before is."""
    assert main(["state", "--dataset", str(tiny_gpkg), "--date", "2024-12-31"]) == 0
    capsys.readouterr()
    assert main(["state", "--dataset", str(tiny_gpkg), "--date", "2025-01-01"]) != 0
    assert capsys.readouterr().err.strip() == (
        "error: 2025-01-01 is outside the dataset's range 2024-01-01 to 2024-12-31")
