"""Playback: it advances the date, stops at the end unless looping, and steps."""
import datetime as dt

import pytest

from viewer.qt.playback import Playback, advance, next_event_date, previous_event_date

START, END = dt.date(2024, 1, 1), dt.date(2024, 12, 31)  # the tiny dataset's days (time_end is exclusive)


@pytest.fixture
def playback(qtbot, state):
    controller = Playback(state)
    yield controller
    controller.pause()


def test_advance_moves_on_stops_at_the_end_or_loops():
    assert advance(dt.date(2024, 5, 1), 3, START, END, loop=False) == (dt.date(2024, 5, 4), True)
    assert advance(dt.date(2024, 12, 30), 5, START, END, loop=False) == (END, False)
    assert advance(dt.date(2024, 12, 30), 5, START, END, loop=True) == (START, True)


def test_playback_advances_the_date_and_stops_at_the_end(qtbot, state, playback):
    state.set_date(dt.date(2024, 12, 1))
    seen = []
    state.date_changed.connect(seen.append)
    playback.set_speed(90)

    with qtbot.waitSignal(playback.playing_changed, timeout=10_000,
                          check_params_cb=lambda playing: not playing):
        playback.play()
        assert playback.playing

    assert seen == sorted(seen) and len(seen) >= 2
    assert state.date == END
    assert not playback.playing


def test_looping_playback_starts_again_from_the_beginning(qtbot, state, playback):
    state.set_date(dt.date(2024, 12, 20))
    seen = []
    state.date_changed.connect(seen.append)
    playback.set_speed(90)
    playback.set_loop(True)

    playback.play()
    qtbot.waitUntil(lambda: any(day < dt.date(2024, 2, 1) for day in seen), timeout=10_000)

    assert playback.playing
    assert START in seen


def test_play_at_the_end_starts_from_the_beginning(state, playback):
    state.set_date(END)
    playback.play()
    assert state.date == START


def test_stepping_by_day_month_and_event(state, playback):
    state.set_date(dt.date(2024, 1, 31))
    playback.step_months(1)
    assert state.date == dt.date(2024, 2, 29)
    playback.step_days(-1)
    assert state.date == dt.date(2024, 2, 28)

    state.set_date(dt.date(2024, 10, 2))
    playback.next_event()
    assert state.date == dt.date(2024, 10, 19)
    playback.previous_event()
    playback.previous_event()
    assert state.date == dt.date(2024, 10, 1)

    playback.go_to_end()
    assert state.date == END
    playback.next_event()  # nothing after the last event: stay
    assert state.date == END
    playback.go_to_start()
    assert state.date == START


def test_event_neighbours_skip_the_current_date():
    dates = [dt.date(2024, 1, 5), dt.date(2024, 2, 5)]
    assert next_event_date(dates, dt.date(2024, 1, 5)) == dt.date(2024, 2, 5)
    assert previous_event_date(dates, dt.date(2024, 2, 5)) == dt.date(2024, 1, 5)
    assert previous_event_date(dates, dt.date(2024, 1, 5)) is None


def test_playback_runs_between_the_in_and_out_points(qtbot, state, playback):
    state.set_play_range(dt.date(2024, 11, 1), dt.date(2024, 10, 1))     # given backwards
    assert state.play_range == (dt.date(2024, 10, 1), dt.date(2024, 11, 1))
    state.set_date(dt.date(2024, 3, 1))
    playback.set_speed(90)

    with qtbot.waitSignal(playback.playing_changed, timeout=10_000,
                          check_params_cb=lambda playing: not playing):
        playback.play()
        assert state.date == dt.date(2024, 10, 1)                     # from the in point

    assert state.date == dt.date(2024, 11, 1)                         # to the out point
    state.set_play_range(None, None)
    assert state.play_bounds() == (START, END)
