"""A save refused because a colleague changed a row keeps every one of the analyst's edits."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QMessageBox

from test_postgis_window import sac_takes_zone_east, two_analysts
from viewer.model.edit_apply import find_row
from viewer.model.edits import AddSource, CorrectRow, SetControl
from viewer.qt import edit_session

NOV_9, NOV_20 = dt.date(2024, 11, 9), dt.date(2024, 11, 20)


@pytest.fixture(autouse=True)
def discard_when_asked(monkeypatch):
    """Windows close at the end with unsaved edits: the question is answered Discard."""
    monkeypatch.setattr(edit_session, "ask", lambda *_: QMessageBox.StandardButton.Discard)


def journal_texts(kind: str) -> list[str]:
    folder = Path(QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation)) / "journal"
    return [p.read_text(encoding="utf-8") for p in folder.glob(f"{kind}-*.json")]


def bob_adds_a_source_and_notes_zone_east(bob) -> None:
    """A new source (no row of Alice's) and a note on c3, the row Alice's save ends."""
    session = bob.editing.session
    session.push(AddSource("Irrawaddy", "Bhamo road reopens", NOV_9,
                           source_id="s-bob").edit(bob.state.dataset, NOV_20))
    session.push(CorrectRow("control", "c3", {"note": "bob: seen from the road"},
                            reason="field call").edit(bob.state.dataset, NOV_20))


def test_after_a_refused_save_the_untouched_edit_stays_pending_and_saves_next_time(
        qtbot, tmp_path, team):
    alice, bob = two_analysts(qtbot, tmp_path, team)
    session = bob.editing.session
    sac_takes_zone_east(alice)
    bob_adds_a_source_and_notes_zone_east(bob)
    pending = journal_texts("pending")  # unsaved team-database edits: each window's own journal
    assert len(pending) == 2 and any("Bhamo road reopens" in text for text in pending)
    assert not any("analyst-pw" in text for text in pending)
    assert alice.editing.session.save()
    with qtbot.waitSignal(bob.opened, timeout=15_000):
        assert not session.save()
    assert [e.command for e in session.pending()] == ["add-source"]  # made again, unsaved
    assert find_row(bob.state.dataset, "control", "c3")["valid_to"] == "2024-11-05"  # alice's
    assert session.save()
    stored = session.store.read()
    assert find_row(stored, "sources", "s-bob")["title"] == "Bhamo road reopens"
    assert [e.user for e in session.store.log()] == ["alice", "bob"]


def test_edits_made_again_after_a_refused_save_survive_a_colleagues_next_save_arriving_at_once(
        qtbot, tmp_path, team):
    """The reload after a refused save shows the stored briefing; were the team watch's
    next refresh to come in before the window finished opening it, the edits made
    again on top of it must still be there (a second reload would have dropped them)."""
    from PySide6.QtCore import QTimer

    alice, bob = two_analysts(qtbot, tmp_path, team)
    session = bob.editing.session
    sac_takes_zone_east(alice)
    bob_adds_a_source_and_notes_zone_east(bob)
    assert alice.editing.session.save()
    bob.loader.loaded.connect(lambda _dataset: QTimer.singleShot(0, bob.refresh_dataset))
    with qtbot.waitSignal(bob.opened, timeout=15_000):
        assert not session.save()
    assert [e.command for e in session.pending()] == ["add-source"]


def test_an_edit_on_a_row_a_colleague_changed_is_held_until_reapplied_or_discarded(
        qtbot, tmp_path, team):
    alice, bob = two_analysts(qtbot, tmp_path, team)
    session = bob.editing.session
    sac_takes_zone_east(alice)
    session.push(CorrectRow("control", "c3", {"note": "bob: seen from the road"},
                            reason="field call").edit(bob.state.dataset, NOV_20))
    session.push(SetControl("zone-east", "KIA", NOV_9, status="contested", contested_with="SAC",
                            confidence="claimed", sources=("s1",)).edit(bob.state.dataset, NOV_20))
    assert alice.editing.session.save()
    with qtbot.waitSignal(bob.opened, timeout=15_000):
        assert not session.save()
    assert not session.pending()
    assert [e.command for e in session.held] == ["correct", "set-control"]  # not dropped
    [held] = journal_texts("held")  # and they survive a crash
    assert "bob: seen from the road" in held and "analyst-pw" not in held
    dialog = bob.editing.show_held()
    assert [dialog.list.item(i).text().split(" — ")[0] for i in range(dialog.list.count())] \
        == [e.summary for e in session.held]
    dialog.list.setCurrentRow(0)
    dialog.reapply_button.click()  # bob's note, on the row as alice left it
    assert [e.command for e in session.pending()] == ["correct"]
    dialog.list.setCurrentRow(0)
    dialog.reapply_button.click()  # a second holder of zone-east from 9 Nov: refused, kept
    assert [e.command for e in session.held] == ["set-control"]
    dialog.discard_button.click()  # only an explicit discard drops it
    assert session.held == [] and journal_texts("held") == []
    assert session.save()
    row = find_row(session.store.read(), "control", "c3")
    assert (row["note"], row["valid_to"]) == ("bob: seen from the road", "2024-11-05")



def test_a_second_refused_save_adds_to_the_edits_held_back_and_loses_none(qtbot, tmp_path, team):
    """Edits still held from a first refused save stay held (and journalled) when a
    later save is refused too: the new ones join them."""
    alice, bob = two_analysts(qtbot, tmp_path, team)
    session = bob.editing.session

    def bob_notes_and_is_refused(row: str, note: str) -> None:
        session.push(CorrectRow("control", row, {"note": f"bob: {note}"},
                                reason="field call").edit(bob.state.dataset, NOV_20))
        assert alice.editing.session.save()
        with qtbot.waitSignal(bob.opened, timeout=15_000):
            assert not session.save()

    sac_takes_zone_east(alice)                 # ends c3
    bob_notes_and_is_refused("c3", "seen from the road")
    alice.editing.session.push(CorrectRow("control", "c1", {"note": "alice: by boat"},
                                          reason="call").edit(alice.state.dataset, NOV_20))
    bob_notes_and_is_refused("c1", "seen from the river")
    assert [e.rows() for e in session.held] == [[("control", "c3")], [("control", "c1")]]
    [held] = journal_texts("held")
    assert "seen from the road" in held and "seen from the river" in held
