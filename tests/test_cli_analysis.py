"""`compare` and `coverage` on the embedded Kachin briefing, with known answers."""
import json

from viewer.cli import main

CHINA_GATES = {"pangwa-gate", "kanpiketi-houqiao", "laiza-gate", "mai-ja-yang-gate"}


def run_json(argv, capsys) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_mining_belt_passes_to_the_kia_in_autumn_2024(capsys):
    result = run_json(["compare", "--from", "2024-09-01", "--to", "2024-11-25"], capsys)
    zones = {z["zone_id"]: z for z in result["zones"]}
    for zone in ("zone-chipwe", "zone-pangwa"):
        change = zones[zone]
        assert change["change"] == "changed_hands"
        assert change["gained_by"] == ["KIA"] and change["lost_by"][0] in ("SAC", "BGF")
        # Both ends carry their rows and sources.
        for end in (change["from"], change["to"]):
            assert end["rows"] and all(row["sources"] for row in end["rows"])


def test_the_routes_through_the_china_gates_become_halted(capsys):
    result = run_json(["compare", "--from", "2024-09-01", "--to", "2024-11-25"], capsys)
    routes = {r["route_id"]: r for r in result["routes"]}
    assert CHINA_GATES <= set(routes)
    for route_id in CHINA_GATES:
        assert routes[route_id]["to"]["status"] == "halted"
        assert routes[route_id]["from"]["status"] != "halted"


def test_compare_prints_one_line_per_change(capsys):
    assert main(["compare", "--from", "2024-09-01", "--to", "2024-11-25"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("changes from 2024-09-01 to 2024-11-25")
    assert any(line.strip().startswith("Pangwa zone:") and "gained by KIA" in line for line in out)


def test_coverage_reports_months_dark_periods_and_zones(capsys):
    report = run_json(["coverage"], capsys)
    months = {m["month"]: m for m in report["months"]}
    assert months["2021-02"]["month"] == report["months"][0]["month"]
    # October 2024, the KIA's offensive and the gates' closure, is well sourced.
    october = months["2024-10"]
    assert october["events"] >= 3 and october["sources"] >= 5
    assert all(m["sources"] == len(m["source_ids"]) for m in report["months"])
    # The starting state's sources (published 2023-2026) are not Feb 2021's evidence:
    # counted there, they made it the best-evidenced month (52) and every crisis month
    # a sliver of the evidence lane.
    assert months["2021-02"]["sources"] == 5 and len(report["starting_state_source_ids"]) == 49
    assert max(report["months"], key=lambda m: m["sources"])["month"] == "2025-04"
    assert report["dark_periods"] and all(p["days"] > 60 for p in report["dark_periods"])
    zones = {z["zone_id"]: z for z in report["zones"]}
    # Laiza, the KIA's headquarters, is sourced for the whole range; some zones only in part.
    assert zones["zone-laiza"]["share_not_estimated"] == 1
    assert any(0 < z["share_not_estimated"] < 1 for z in zones.values())
    assert all(z["share_not_estimated"] <= z["share_any_control"] for z in zones.values())


def test_a_longer_dark_threshold_finds_fewer_dark_periods(capsys):
    short = run_json(["coverage", "--dark-days", "30"], capsys)["dark_periods"]
    long = run_json(["coverage", "--dark-days", "180"], capsys)["dark_periods"]
    assert len(long) < len(short) and all(p["days"] > 180 for p in long)


def test_compare_outside_the_range_is_one_error_line(capsys):
    assert main(["compare", "--from", "2019-01-01", "--to", "2024-11-25"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "outside the dataset's range" in err[0]


def test_compare_with_from_after_to_is_refused_not_told_backwards(capsys):
    """It printed "Chipwe zone: held by KIA → held by SAC (gained by SAC; lost by KIA)"."""
    assert main(["compare", "--from", "2024-12-01", "--to", "2024-09-01"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is after --to" in err[0]


def test_compare_past_the_data_says_it_shows_the_last_known_state(capsys):
    """"No zone changed hands" past 16 Mar 2026 is what is known, not news."""
    result = run_json(["compare", "--from", "2026-03-01", "--to", "2026-12-01"], capsys)
    assert (result["data_current_to"], result["last_known_state"]) == ("2026-03-16", True)
    assert main(["compare", "--from", "2026-03-01", "--to", "2026-12-01"]) == 0
    out = capsys.readouterr().out
    assert "Data current to 16 Mar 2026: 1 Dec 2026 shows the last known state" in out


def test_a_share_of_a_few_days_is_never_printed_as_none_or_all():
    from viewer.cli.coverage import share

    assert [share(x) for x in (0, 0.004, 0.42, 0.996, 1)] == ["0%", "<1%", "42%", ">99%", "100%"]
