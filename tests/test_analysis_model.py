"""Compare, coverage and route crossing on the tiny briefing (tests/factory.py)."""
import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
from factory import tiny_layers, write_layers

from viewer.io import read_dataset
from viewer.model.compare import (
           BECAME_CONTESTED,
           BECAME_KNOWN,
           BECAME_UNKNOWN,
           CHANGED_HANDS,
           compare,
)
from viewer.model.coverage import coverage, dark_periods
from viewer.model.crossing import DERIVED_NOTE, crossing_of, route_crossings

D = dt.date


def test_compare_names_who_gained_and_lost_each_zone_with_both_ends_sources(dataset):
    result = compare(dataset, D(2024, 9, 1), D(2024, 11, 1))
    [change] = result.zones
    assert (change.zone_id, change.kind, change.gained_by, change.lost_by) == \
        ("zone-east", CHANGED_HANDS, ("KIA",), ("SAC",))
    assert [r["control_id"] for r in change.before.rows] == ["c2"]
    assert [r["control_id"] for r in change.after.rows] == ["c3"]
    as_json = result.to_dict(dataset)["zones"][0]
    assert [s["source_id"] for s in as_json["to"]["rows"][0]["sources"]] == ["s1", "s2"]
    assert as_json["summary"] == ("Easttown zone: held by SAC → held by KIA "
                                  "(gained by KIA; lost by SAC)")


def test_compare_lists_routes_whose_status_changed_and_nothing_else(dataset):
    result = compare(dataset, D(2024, 9, 1), D(2024, 11, 1))
    assert [(r.route_id, r.before.status, r.after.status) for r in result.routes] == \
        [("r1", "active", "halted")]
    assert compare(dataset, D(2024, 2, 1), D(2024, 3, 1)).lines() == []


def test_compare_says_contested_and_unknown_without_inventing_a_loser(tmp_path):
    layers = tiny_layers()
    control = layers["control"]
    control.loc[0, "valid_from"] = "2024-02-01"         # west: sourced from February…
    control.loc[0, "valid_to"] = "2024-06-01"           # …to June, not after
    control.loc[2, "status"] = "contested"              # east: KIA vs SAC from 19 Oct
    control.loc[2, "contested_with"] = "SAC"
    dataset = read_dataset(write_layers(layers, tmp_path / "t.gpkg"))
    changes = {c.zone_id: c for c in compare(dataset, D(2024, 3, 1), D(2024, 11, 1)).zones}
    assert changes["zone-west"].kind == BECAME_UNKNOWN
    assert changes["zone-west"].lost_by == () and changes["zone-west"].after.rows == ()
    assert changes["zone-east"].kind == BECAME_CONTESTED
    assert changes["zone-east"].after.label() == "contested: KIA vs SAC"
    # The dates given the other way round tell the same change, in time order.
    back = {c.zone_id: c for c in compare(dataset, D(2024, 11, 1), D(2024, 3, 1)).zones}
    assert back == changes
    [known] = compare(dataset, D(2024, 1, 15), D(2024, 3, 1)).zones
    assert (known.zone_id, known.kind, known.gained_by) == ("zone-west", BECAME_KNOWN, ())


def test_a_change_of_confidence_alone_is_not_a_change_of_hands(tmp_path):
    layers = tiny_layers()
    control = layers["control"]
    control.loc[0, "valid_to"] = "2024-06-01"
    extra = control.iloc[[0]].assign(control_id="c4", valid_from="2024-06-01", valid_to=None,
                                     confidence="confirmed")
    layers["control"] = gpd.GeoDataFrame(
        pd.concat([control, extra], ignore_index=True), crs=4326)
    dataset = read_dataset(write_layers(layers, tmp_path / "t.gpkg"))
    assert compare(dataset, D(2024, 3, 1), D(2024, 7, 1)).zones == ()


def test_coverage_counts_sourced_facts_per_month_with_their_sources(dataset):
    months = {m.month: m for m in coverage(dataset).months}
    october = months[D(2024, 10, 1)]
    assert october.counts == {"events": 3, "control_changes": 1, "series_values": 0,
                              "starting_state": 0}
    assert october.source_ids == ("s2", "s1")  # the 1 Oct event (s2) comes first
    assert months[D(2024, 8, 1)].counts["series_values"] == 1
    assert months[D(2024, 5, 1)].sources == 0
    assert min(months) == D(2024, 1, 1) and max(months) == D(2024, 12, 1)


def test_the_starting_state_is_not_counted_as_control_changes(dataset):
    """The rows holding on the dataset's first day record where things stood, not a
    change that month; nor are their sources the month's evidence (published years
    later, they made the first month the best evidenced): they are reported apart."""
    report = coverage(dataset)
    january = report.months[0]
    starting = (dataset.control["valid_from"].astype(str) == "2024-01-01").sum()
    assert starting and january.counts["starting_state"] == starting
    assert january.counts["control_changes"] == 0
    assert january.sources == 0 and report.starting_sources == ("s1",)
    assert report.to_dict()["starting_state_source_ids"] == ["s1"]


def test_facts_before_1970_are_counted_and_31_december_1969_is_a_day(tmp_path):
    """Day -1 stood for "no date": a fact of 31 Dec 1969 was dropped as undated, and
    a history reaching back to the 1960s lost every fact before 1970 from coverage."""
    layers = tiny_layers()
    meta = layers["dataset_meta"]
    meta.loc[meta["key"] == "time_start", "value"] = "1965-01-01"
    events = layers["events"]
    layers["events"] = gpd.GeoDataFrame(pd.concat([events, events.iloc[[0]].assign(
        event_id="e0", date="1969-12-31", title="KIA founded earlier")], ignore_index=True),
        crs=4326)
    dataset = read_dataset(write_layers(layers, tmp_path / "t.gpkg"))
    months = {m.month: m for m in coverage(dataset).months}
    assert months[D(1969, 12, 1)].counts["events"] == 1
    assert D(1969, 12, 31) in dataset.event_dates()


def test_dark_periods_are_spans_longer_than_the_threshold_without_a_fact(dataset):
    report = coverage(dataset, dark_days=60)
    # Facts: 1 Jan (control), 1 Feb and 1 Aug (series), 1, 19 and 22 Oct; the range ends 1 Jan 2025.
    # 2 Aug - 30 Sep is exactly 60 days: not longer than the threshold.
    assert [(p.start, p.end) for p in report.dark_periods] == [
        (D(2024, 2, 2), D(2024, 8, 1)), (D(2024, 10, 23), D(2025, 1, 1))]
    assert report.dark_periods[0].days == 181
    assert dark_periods(np.array([]), D(2024, 1, 1), D(2024, 1, 31), 60) == ()


def test_zone_share_counts_only_rows_that_are_not_estimated(dataset):
    zones = {z.zone_id: z for z in coverage(dataset).zones}
    assert zones["zone-west"].share_sourced == 0 and zones["zone-west"].share_any == 1
    # East: confirmed from 19 Oct 2024 to the end (1 Jan 2025) = 74 of 366 days.
    assert abs(zones["zone-east"].share_sourced - 74 / 366) < 1e-9


def test_coverage_stops_at_data_current_to(tmp_path):
    layers = tiny_layers()
    meta = layers["dataset_meta"]
    layers["dataset_meta"] = pd.concat(
        [meta, meta.iloc[[0]].assign(key="data_current_to", value="2024-10-22")])
    report = coverage(read_dataset(write_layers(layers, tmp_path / "t.gpkg")))
    assert report.end == D(2024, 10, 23) and report.months[-1].month == D(2024, 10, 1)
    assert report.dark_periods[-1].end <= D(2024, 10, 23)


def test_route_crossing_splits_the_route_by_the_zones_and_their_holders(dataset):
    [crossing] = route_crossings(dataset, D(2024, 11, 1))
    assert [(s.zone_id, s.holding.label()) for s in crossing.segments] == \
        [("zone-west", "held by SAC"), ("zone-east", "held by KIA")]
    west, east = crossing.segments
    assert west.start == 0 and abs(east.start - 0.5) < 1e-9
    assert abs(west.length_km + east.length_km - crossing.length_km) < 0.01
    assert [r["control_id"] for r in east.holding.rows] == ["c3"]
    # Each segment says how sure its zone's row is (c1 is estimated, c3 confirmed).
    assert [s.label() for s in crossing.segments] == ["held by SAC (estimated)",
                                                      "held by KIA (confirmed)"]
    as_json = crossing.to_dict(dataset)
    assert as_json["derived"] == DERIVED_NOTE
    assert [s["source_id"] for s in as_json["segments"][1]["sources"]] == ["s1", "s2"]


def test_route_crossing_marks_ground_with_no_sourced_control(tmp_path):
    layers = tiny_layers()
    layers["control"] = layers["control"].iloc[[0]]  # only the west zone has control
    dataset = read_dataset(write_layers(layers, tmp_path / "t.gpkg"))
    crossing = crossing_of(dataset, "r1", D(2024, 3, 1))
    assert [s.holding.label() for s in crossing.segments] == ["held by SAC", "no sourced control"]
    assert crossing_of(dataset, "nope", D(2024, 3, 1)) is None



def test_an_unknown_end_says_why_from_the_datasets_gap_row(tmp_path):
    layers = tiny_layers()
    layers["control"].loc[0, "valid_to"] = "2024-06-01"
    layers["control_gaps"] = gpd.GeoDataFrame(
        {"gap_id": ["g1"], "area_id": ["zone-west"], "valid_from": ["2024-06-01"],
         "valid_to": [None], "reason": ["no_source"], "source_ids": [None],
         "note": ["No source after the June offensive says who holds Westtown."]},
        geometry=[layers["areas"].geometry.iloc[0]], crs=4326)
    dataset = read_dataset(write_layers(layers, tmp_path / "t.gpkg"))
    change = compare(dataset, D(2024, 3, 1), D(2024, 7, 1)).to_dict(dataset)["zones"][0]
    assert change["change"] == BECAME_UNKNOWN and change["to"]["rows"] == []
    assert change["to"]["note"] == "No source after the June offensive says who holds Westtown."
    assert "note" not in change["from"]


def test_a_row_belongs_to_the_same_zone_and_route_in_every_view():
    """Selection, compare, coverage and crossing all name a row's zone by one rule:
    its area_id trimmed (a number read as text), else its own id."""
    from viewer.model.dataset import feature_keys
    from viewer.model.zones import route_keys, zone_keys

    control = pd.DataFrame({"control_id": ["c1", "c2", "c3"], "area_id": [" Z1 ", None, 7]})
    flows = pd.DataFrame({"flow_id": ["f1", "f2"], "route_id": ["R1 ", ""]})
    assert list(zone_keys(control)) == list(feature_keys(control, "control")) == ["Z1", "c2", "7"]
    assert list(route_keys(flows)) == list(feature_keys(flows, "flows")) == ["R1", "f2"]
