"""The model: the half-open interval rule, honest date labels, and the one state."""
import datetime as dt
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, strategies as st

from viewer.io import read_dataset
from viewer.model.dates import NO_DAY, OPEN_END, add_months, days_array, format_date, parse_date, to_day
from viewer.model.state import Selection, ViewerState
from viewer.model.temporal import IntervalIndex


def test_interval_holds_from_its_first_day_and_not_on_its_end_day():
    index = IntervalIndex(np.array([10]), np.array([20]))
    assert [bool(index.mask(d)[0]) for d in (9, 10, 19, 20)] == [False, True, True, False]


def test_open_ended_interval_holds_forever_after_its_start():
    index = IntervalIndex(np.array([10]), np.array([OPEN_END]))
    assert not index.mask(9)[0]
    assert index.mask(10**6)[0]


@given(st.integers(-1000, 1000), st.integers(1, 500), st.integers(-2000, 2000))
def test_interval_rule_matches_its_definition(start, length, day):
    index = IntervalIndex(np.array([start]), np.array([start + length]))
    assert bool(index.mask(day)[0]) == (start <= day < start + length)


@given(st.lists(st.none() | st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 12, 31)),
                min_size=1, max_size=20), st.booleans())
def test_a_column_of_dates_is_the_days_of_each_dates_own_day(stamps, open_end):
    """Read dates (datetime64, a time of day kept where a DATETIME had one) fall on the
    day each cell names, before 1970 too; a missing one is open-ended or unknown."""
    import pandas as pd

    column = pd.Series(pd.to_datetime(stamps)).astype("datetime64[ms]")
    null = OPEN_END if open_end else NO_DAY
    expected = [null if cell is pd.NaT else to_day(parse_date(cell)) for cell in column]
    assert days_array(column, open_end=open_end).tolist() == expected
    assert days_array(column.astype(object), open_end=open_end).tolist() == expected


@given(st.lists(st.tuples(st.integers(0, 300), st.integers(1, 100)), min_size=1, max_size=20),
       st.integers(0, 400), st.integers(0, 400))
def test_same_rows_is_true_only_when_nothing_starts_or_ends_between(rows, a, b):
    starts = np.array([s for s, _ in rows])
    index = IntervalIndex(starts, starts + np.array([n for _, n in rows]))
    if index.same_rows(a, b):
        assert np.array_equal(index.mask(a), index.mask(b))


def test_month_precision_dates_are_labelled_as_months():
    day = dt.date(2024, 10, 1)
    assert format_date(day, "month") == "Oct 2024"
    assert format_date(day, "day") == "1 Oct 2024"
    assert format_date(day, "quarter") == "Q4 2024"
    assert format_date(day, "year") == "2024"


def test_adding_a_month_clamps_to_the_last_day():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 12, 15), 1) == dt.date(2025, 1, 15)


@pytest.fixture
def tiny(dataset):
    return dataset


def test_capture_changes_the_holder_on_its_day(tiny):
    before = tiny.control_on(dt.date(2024, 10, 18))
    after = tiny.control_on(dt.date(2024, 10, 19))
    assert before.set_index("area_id").loc["zone-east", "actor_id"] == "SAC"
    assert after.set_index("area_id").loc["zone-east", "actor_id"] == "KIA"


def test_events_up_to_a_day_include_that_day(tiny):
    assert tiny.events_until(dt.date(2024, 10, 19))["event_id"].tolist() == ["e1"]
    # "Oct 2024" (e2) from the month's last day: on the 19th it may not have happened yet.
    assert tiny.events_until(dt.date(2024, 10, 31))["event_id"].tolist() == ["e2", "e1", "e3"]


def test_derived_series_points_are_flagged(tiny):
    points = tiny.series_points(tiny.series_keys()[0])
    assert points["derived"].tolist() == [False, True, False]


def test_snapshot_names_the_sources_of_every_row(tiny):
    state = tiny.snapshot(dt.date(2024, 10, 25)).to_dict(tiny)
    kia = next(r for r in state["control"] if r["actor_id"] == "KIA")
    assert [s["outlet"] for s in kia["sources"]] == ["Outlet A", "Outlet B"]
    assert [f["status"] for f in state["flows"]] == ["halted"]


def test_source_records_are_the_same_each_time_and_a_caller_cannot_change_them(tiny):
    """Records are remembered once read (a pack asks for thousands): a caller
    editing the list it got leaves the next caller's untouched."""
    first = tiny.source_records("s1;nowhere;s2")
    assert [r["source_id"] for r in first] == ["s1", "s2"]
    first[0]["outlet"] = "changed"
    assert tiny.source_records("s1")[0]["outlet"] != "changed"
    assert tiny.source_records("s2") == [first[1]]


def test_set_date_clamps_and_emits_once_per_change(tiny):
    state = ViewerState(tiny)
    seen = []
    state.date_changed.connect(seen.append)
    assert state.set_date(dt.date(2024, 10, 19))
    assert not state.set_date(dt.date(2024, 10, 19))
    state.set_date(dt.date(1999, 1, 1))
    assert seen == [dt.date(2024, 10, 19), tiny.time_start]


def test_state_starts_empty_and_a_dataset_arrives_as_one_announcement(tiny):
    state = ViewerState()
    assert state.dataset is None and state.date is None
    assert not state.set_date(dt.date(2024, 10, 19))      # nothing to move yet
    heard = []
    for name in ("dataset_changed", "date_changed", "layers_changed", "series_changed",
                 "selection_changed"):
        getattr(state, name).connect(lambda *_args, signal=name: heard.append(signal))
    series = tiny.series_keys()[-1].name
    state.set_dataset(tiny, dt.date(2024, 10, 19), series=[series, "not in this dataset"])
    assert heard == ["dataset_changed"]
    assert state.date == dt.date(2024, 10, 19)
    assert [key.name for key in state.visible_series] == [series]


def test_a_listener_that_writes_back_the_same_date_does_not_echo(tiny):
    state = ViewerState(tiny)
    calls = []

    def view_echo(date):
        calls.append(date)
        state.set_date(date)

    state.date_changed.connect(view_echo)
    state.set_date(dt.date(2024, 11, 1))
    assert calls == [dt.date(2024, 11, 1)]


def test_selection_is_announced_only_when_it_changes(tiny):
    state = ViewerState(tiny)
    seen = []
    state.selection_changed.connect(seen.append)
    state.select(Selection("control", "zone-east"))
    state.select(Selection("control", "zone-east"))
    assert seen == [Selection("control", "zone-east")]


def test_model_and_io_import_no_qt():
    code = ("import sys, viewer.model, viewer.io, viewer.io.reader; "
            "print([m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_interval_query_answers_over_many_rows():
    starts = np.arange(100_000)
    index = IntervalIndex(starts, starts + 10)
    assert index.indices(to_day(dt.date(1970, 1, 1)) + 50).tolist() == list(range(41, 51))


def test_default_series_are_the_datasets_suggestion_else_the_best_covered(tmp_path):
    from factory import tiny_layers, write_layers
    layers = tiny_layers()
    plain = ViewerState(read_dataset(write_layers(layers, tmp_path / "plain.gpkg")))
    assert [k.name for k in plain.visible_series] == ["imports [t_per_month]"]
    layers["dataset_meta"].loc[len(layers["dataset_meta"])] = ["default_series", "none [x]"]
    unknown = ViewerState(read_dataset(write_layers(layers, tmp_path / "unknown.gpkg")))
    assert [k.name for k in unknown.visible_series] == ["imports [t_per_month]"]


def test_dates_with_trailing_text_are_rejected_but_date_times_keep_their_day():
    from viewer.model.dates import parse_date
    assert parse_date("2024-10-19T00:00:00") == dt.date(2024, 10, 19)
    assert parse_date(" 2024-10-19 ") == dt.date(2024, 10, 19)
    with pytest.raises(ValueError):
        parse_date("2024-10-19 or so")
    with pytest.raises(ValueError):
        parse_date("2024-10-19xyz")


def test_peak_count_is_the_most_rows_holding_on_one_day():
    """Half-open: a row ending on a day and one starting that day never hold together."""
    index = IntervalIndex(np.array([0, 10, 5, 30]), np.array([10, 20, 15, OPEN_END]))
    assert index.peak_count(np.array([True, True, False, False])) == 1
    assert index.peak_count(np.array([True, True, True, False])) == 2
    assert index.peak_count(np.ones(4, bool)) == 2
    assert index.peak_count(np.zeros(4, bool)) == 0


def test_typed_dates_in_every_form_a_briefer_writes():
    from viewer.model.dates import parse_typed_date

    assert parse_typed_date("2025-10-24") == dt.date(2025, 10, 24)
    assert parse_typed_date(" 24 Oct 2025 ") == dt.date(2025, 10, 24)
    assert parse_typed_date("October 24, 2025") == dt.date(2025, 10, 24)
    assert parse_typed_date("Oct 2025") == dt.date(2025, 10, 1)
    assert parse_typed_date("2025") == dt.date(2025, 1, 1)
    for wrong in ("2025-13-01", "31 Feb 2025", "soon", ""):
        with pytest.raises(ValueError, match="is not a date"):
            parse_typed_date(wrong)


def test_an_event_is_named_the_same_on_the_timeline_and_on_a_slide_caption():
    """One rule: the dataset's own short title (spaces tidied), else the title shortened."""
    from viewer.model.text import event_short_title, short_title

    long_title = "KIA seizes Pangwa, heart of the rare-earth mining belt, after a week of fighting"
    assert event_short_title("  KIA takes\tPangwa ", long_title) == "KIA takes Pangwa"
    assert event_short_title(None, long_title) == short_title(long_title) == "KIA seizes Pangwa"
    assert event_short_title(float("nan"), long_title) == "KIA seizes Pangwa"   # an empty cell
    assert event_short_title("   ", long_title) == "KIA seizes Pangwa"


def test_a_briefing_without_event_importance_steps_and_packs_every_event(tmp_path):
    """`importance` is optional: without it every event counts as 1 (Next event, the
    key-event pack and its captions crashed on the missing column)."""
    from factory import tiny_layers, write_tiny
    from viewer.export.dates import key_event_captions

    events = tiny_layers()["events"].drop(columns="importance")
    dataset = read_dataset(write_tiny(tmp_path / "plain.gpkg", events=events))
    assert dataset.event_dates() == sorted({parse_date(day) for day in dataset.events["date"]})
    assert key_event_captions(dataset, min_importance=1)
    assert dataset.event_dates(min_importance=2) == []


def test_a_key_event_dated_to_a_month_is_shown_at_its_end_and_captioned_by_month(dataset):
    """Its slide was the map of the month's first day, captioned "1 Oct 2024" (a day no
    source gives) and drawn before the event had happened."""
    from viewer.export.dates import key_event_captions, key_event_dates

    assert key_event_dates(dataset, min_importance=1) == [
        dt.date(2024, 10, 19), dt.date(2024, 10, 22), dt.date(2024, 10, 31)]
    captions = key_event_captions(dataset, min_importance=1)
    assert captions[dt.date(2024, 10, 31)] == "Oct 2024 — Month-only event"
    assert captions[dt.date(2024, 10, 19)] == "19 Oct 2024 — KIA takes Easttown"


def test_a_month_event_cut_by_the_ranges_end_is_shown_on_its_map(tmp_path):
    """The range ends 20 Oct: the "Oct 2024" key-event map lay there, and its marker, from
    31 Oct, was not on it."""
    import pandas as pd
    from factory import tiny_layers, write_layers

    from viewer.export.dates import key_event_captions

    layers = tiny_layers()
    meta = layers["dataset_meta"]
    meta.loc[meta["key"] == "time_end", "value"] = "2024-10-21"
    layers["dataset_meta"] = pd.DataFrame(meta)
    dataset = read_dataset(write_layers(layers, tmp_path / "cut.gpkg"))
    month_event = dataset.events.index[dataset.events["event_id"] == "e2"][0]
    assert dataset.event_known_days[month_event] == to_day(dt.date(2024, 10, 20))
    assert key_event_captions(dataset, min_importance=1)[dt.date(2024, 10, 20)].startswith("Oct 2024")



@pytest.mark.parametrize("value, text", [(1_234_567.0, "1,234,567"), (21.9, "21.9"),
                                         (0.045, "0.045"), (4_210.0, "4,210")])
def test_series_values_read_as_numbers_not_exponents(value, text):
    """1,234,567 t read "1.23457e+06" in the Details panel and the tooltip."""
    from viewer.model.timeline import value_text

    assert value_text(value) == text
