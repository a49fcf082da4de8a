"""Editing in the window: the undo stack, Save, the crash journal and "as recorded on".

Each analyst's edit (a `viewer.model.edits` command, checked) becomes one
`QUndoCommand`; redo applies its row changes to the shown dataset, undo reverts
them. Save writes every pending edit through the store in one transaction
(with an `edit_log` entry each) and clears the stack: saved edits are history,
changed afterwards by a correction or a retraction. Pending edits are written
to this window's journal as they are made, so a killed session offers them on the next
start (a team database's too, keyed by its password-less address); a window on the
same briefing never touches another's journal. A save refused
because a colleague changed a row keeps every edit: after the window reloads,
those whose rows are untouched are made again as unsaved edits; the others are
held (journalled) until the analyst re-applies or discards each (`held`).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Qt, Signal
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QMessageBox, QWidget

from viewer.io.pg_url import display_name
from viewer.io.atomic import atomic_file
from viewer.io.store import GpkgStore, StoreError, os_user
from viewer.model.changes import Edit, EditRefused, LogEntry, RowChanged
from viewer.model.edit_apply import as_recorded_on, with_changes, without_changes
from viewer.model.edit_check import check_changes
from viewer.model.edit_rebase import (added_rows, overlaps, rebased, still_fits, uses_rows,
                                      with_free_ids)
from viewer.qt.dialogs import plain_menu_text
from viewer.qt.edit_journal import Journal, SessionJournals, dataset_key
from viewer.resources import is_embedded_dataset

COPY_NAME = "Kachin briefing (my copy)"


def ask(parent: QWidget, title: str, text: str, buttons, default):
    """One question in a message box (tests replace this function to answer it)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(default)
    return box.exec()


def tell(parent: QWidget, title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.open()


def _redo_keys() -> list[QKeySequence]:
    """The platform's Redo keys, with Ctrl+Shift+Z and Ctrl+Y, each once: a key given twice
    is an "ambiguous shortcut" Qt gives to neither (Ctrl+Shift+Z redid nothing on Linux)."""
    keys = [*QKeySequence.keyBindings(QKeySequence.StandardKey.Redo),
            QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")]
    return list({key.toString(): key for key in keys if not key.isEmpty()}.values())


class _UndoableEdit(QUndoCommand):
    def __init__(self, session: "EditSession", edit: Edit) -> None:
        super().__init__(plain_menu_text(edit.summary))   # the Undo and Redo items' text
        self.session, self.edit = session, edit

    def redo(self) -> None:
        self.session.show(with_changes(self.session.state.dataset, self.edit.changes))

    def undo(self) -> None:
        self.session.show(without_changes(self.session.state.dataset, self.edit.changes))


class EditSession(QObject):
    """Pending edits of the open briefing, and the store they are saved to."""

    changed = Signal()  # pending edits, the saved log or the recorded-on day changed
    stale = Signal()  # a save was refused: the rows changed where they are stored
    held_back = Signal()  # after a refused save, some edits met a colleague's change
    copied = Signal(Path)  # the embedded briefing was saved as the user's copy
    saved = Signal()  # this window's edits were written where the briefing is stored

    def __init__(self, window: QWidget, settings: QSettings) -> None:
        super().__init__(window)
        self.window, self.settings = window, settings
        self.state = None
        self.store = None  # a GpkgStore or PostgisStore (viewer.io.location.store_for)
        self.saved_log: list[LogEntry] = []
        self.recorded_on: dt.date | None = None
        self._current = None  # the briefing as it is now, while an earlier day is shown
        self._journals: SessionJournals | None = None
        self.journal: Journal | None = None
        self.held: list[Edit] = []  # edits a refused save kept, for the analyst to settle
        self._held_journal: Journal | None = None
        self._retry_held = False  # re-apply the held edits that still fit at the next open
        # How many times a briefing was read: a form opened before a read (a save elsewhere
        # shown) holds the rows as they were, and would record over the new ones.
        self.generation = 0
        self.stack = QUndoStack(self)
        self.stack.indexChanged.connect(self._pending_changed)
        self.undo_action = self.stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(_redo_keys())

    # -- what is open ---------------------------------------------------------
    def opened(self, state, location=None) -> None:
        """A dataset was opened (or reopened) from `location` (a path or a database address;
        default the dataset's file): start with no pending edits; offer a journal."""
        from viewer.io.location import store_for

        self.generation += 1
        path = state.dataset.path
        location = location if location is not None else path
        if self.pending() and self.edits_go_to(location):
            # The same briefing read again (a colleague saved, or a refused save's
            # reload) while edits were made: they are made again on the new rows
            # where they still fit, as after a refused save, not dropped.
            self._hold(self.held + self.pending())
            self._retry_held = True
        self.state = state
        self.stack.clear()
        self.recorded_on, self._current = None, None
        self.store = store_for(location) if location else None
        self.saved_log = self.store.log() if self.store else []
        self._start_journals(location)
        self._adopt_orphans()
        self._reapply_held()
        self.changed.emit()

    def edits_go_to(self, location) -> bool:
        """Whether `location` names the briefing the edits are made to (read again, say)."""
        from viewer.io.location import store_for

        return bool(location) and self.store is not None and _same_store(store_for(location), self.store)

    def pending(self) -> list[Edit]:
        return [self.stack.command(i).edit for i in range(self.stack.index())]

    def user(self) -> str:
        return str(self.settings.value("edit/user_name", "") or "") or os_user()

    def show(self, dataset) -> None:
        self.state.update_dataset(dataset)

    # -- making edits ---------------------------------------------------------
    def may_edit(self) -> bool:
        """True when edits can be made here; the built-in briefing is first saved as a copy."""
        if self.state is None or self.store is None or self.recorded_on is not None:
            return False
        if not isinstance(self.store, GpkgStore):
            return True
        if is_embedded_dataset(self.store.path):
            why = "The built-in briefing is not changed where it is installed."
        elif not self.store.writable():   # said before the analyst types, not at Save
            why = f"{self.store.path.name} cannot be written here (a read-only file or folder)."
        else:
            return True
        answer = ask(self.window, "Save as my copy",
                     f"{why} Save a copy in your Documents folder, open it, and record your "
                     "edits there?", QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                     QMessageBox.StandardButton.Save)
        return answer == QMessageBox.StandardButton.Save and self.save_as_my_copy() is not None

    def push(self, edit: Edit) -> None:
        if self.recorded_on is not None:   # a form opened before: made on an earlier day's rows
            raise EditRefused("date", f"the briefing as recorded on {self.recorded_on} is shown; "
                                      "return to now to record an edit")
        self.stack.push(_UndoableEdit(self, edit))

    def save_as_my_copy(self) -> Path | None:
        folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation))
        name = COPY_NAME if is_embedded_dataset(self.store.path) else f"{self.store.path.stem} (my copy)"
        target = _free_name(folder, name)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Nothing left behind if the copy fails (a part file was), and a file of that
            # name made meanwhile (another window's copy) is never replaced.
            with atomic_file(target, overwrite=False) as partial:
                shutil.copyfile(self.store.path, partial)
        except FileExistsError:
            return self.save_as_my_copy()
        except OSError as error:
            tell(self.window, "Could not save a copy", f"{target}: {error.strerror or error}")
            return None
        self.store = GpkgStore(target)
        self._start_journals(target)
        self.state.update_dataset(dataclasses.replace(self.state.dataset, path=target))
        self.copied.emit(target)
        self.changed.emit()
        return target

    # -- saving ---------------------------------------------------------------
    def save(self) -> bool:
        """Write the pending edits in one transaction; False (and nothing written) on failure."""
        edits = self.pending()
        if not edits:
            return True
        try:
            self.store.apply(edits, user=self.user())
        except RowChanged as error:
            tell(self.window, "Edits not saved", f"Nothing was written: {error}\n\nNot saved: "
                 + "; ".join(e.summary for e in edits) + ". The window now shows the briefing "
                 "as it is stored. Your edits are kept: those on rows nobody else changed stay "
                 "unsaved on top of it; the others are under Edit ▸ Edits held back, to "
                 "re-apply or discard.")
            # Journalled before the stack (and its journal) is cleared; beside any still held.
            self._hold(self.held + edits)
            self._retry_held = True
            self.stack.clear()
            self.stale.emit()
            return False
        except (EditRefused, StoreError) as error:
            tell(self.window, "Edits not saved", f"Nothing was written: {error}")
            return False
        self.stack.clear()
        self.saved_log = self.store.log()
        self.saved.emit()
        self.changed.emit()
        return True

    def may_discard(self) -> bool:
        """Ask before pending edits are lost (closing, opening another file)."""
        if not self.pending():
            return True
        buttons = QMessageBox.StandardButton
        answer = ask(self.window, "Unsaved edits",
                     f"{len(self.pending())} edit(s) to {display_name(self.store.location)} "
                     f"are not saved. "
                     f"Save them first?", buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save)
        if answer == buttons.Save:
            return self.save()
        if answer == buttons.Discard:
            self.stack.clear()
            if self.journal is not None:
                self.journal.clear()
            return True
        return False

    # -- an earlier day of recording -------------------------------------------
    def show_recorded_on(self, day: dt.date | None) -> None:
        """Show the briefing as it stood at the end of `day`; None returns to now."""
        if self._current is None:
            self._current = self.state.dataset
        if day is None:
            current, self._current = self._current, None
            self.recorded_on = None
            self.show(current)
        else:
            saved = without_changes(self._current, [c for e in self.pending() for c in e.changes])
            self.recorded_on = day
            self.show(as_recorded_on(saved, self.saved_log, day))
        self.changed.emit()

    # -- edits held back by a refused save ----------------------------------------
    def reapply_held(self, edit: Edit) -> None:
        """Make a held edit again on the rows as they are now; it stays held if refused."""
        position = next(i for i, held in enumerate(self.held) if held is edit)
        self._hold(with_free_ids(self.state.dataset, self.held))
        edit = self.held[position]
        adder = next((other for other in self.held
                      if other is not edit and uses_rows(edit, added_rows(other))), None)
        if adder is not None:
            tell(self.window, "Edit not re-applied", f"'{edit.summary}' still held: it uses a "
                 f"row that '{adder.summary}' adds, which is held too. Re-apply that first.")
            return
        again, kept = rebased(self.state.dataset, edit), overlaps(self.state.dataset, edit)
        if not again.changes:   # a colleague's values in every cell: an empty edit in the log
            self.discard_held(edit)
            theirs = ("other values in every cell it changes; theirs are kept:\n"
                      + "\n".join(f"• {overlap}" for overlap in kept)) if kept else "the same values"
            tell(self.window, "Nothing to re-apply", f"'{edit.summary}': a colleague has saved {theirs}")
            return
        try:
            check_changes(self.state.dataset, again.changes)
        except EditRefused as refused:
            tell(self.window, "Edit not re-applied", f"'{edit.summary}' still held: {refused}")
            return
        self.push(again)
        self.discard_held(edit)
        if kept:
            tell(self.window, "Colleague's values kept", f"'{edit.summary}' is re-applied, but "
                 "where a colleague changed the same cell since, their saved value is kept:\n"
                 + "\n".join(f"• {overlap}" for overlap in kept)
                 + "\nCorrect the row if yours should stand.")

    def discard_held(self, edit: Edit) -> None:
        self._hold([held for held in self.held if held is not edit])

    def _hold(self, edits: list[Edit]) -> None:
        self.held = list(edits)
        if self._held_journal is not None:
            self._held_journal.write(self.held)
        self.changed.emit()

    def _reapply_held(self) -> None:
        """After a refused save's reload: edits whose rows nobody changed become pending again."""
        if not self._retry_held:
            return
        self._retry_held = False
        self._hold_back(self._made_again(self.held))

    def _made_again(self, edits: list[Edit]) -> list[Edit]:
        """Edits whose rows are as they read them are made again (pending); the others,
        with every edit that uses a row one of them adds, are returned to be held."""
        kept, waiting = [], set()  # rows the kept edits add: an edit using one waits too
        for edit in with_free_ids(self.state.dataset, edits):
            if (not uses_rows(edit, waiting) and still_fits(self.state.dataset, edit)
                    and _fits(self.state.dataset, edit)):
                self.push(edit)
            else:
                kept.append(edit)
                waiting |= added_rows(edit)
        return kept

    def _hold_back(self, edits: list[Edit], held_before: list[Edit] = ()) -> None:
        """Hold `edits` beside `held_before`, in one write of the held journal (two let a
        crash between them lose the edits held before)."""
        self._hold([*held_before, *edits])
        if edits:
            self.held_back.emit()

    # -- the crash journal ----------------------------------------------------
    def _start_journals(self, location) -> None:
        """This window's journals of `location`: kept when it is read again, else new ones."""
        if self._journals is None or not location or self._journals.dataset_key != dataset_key(location):
            self.close_journals()
            self._journals = SessionJournals.start(location) if location else None
        self.journal = self._journals.pending if self._journals else None
        self._held_journal = self._journals.held if self._journals else None
        self.held = self._held_journal.read() if self._held_journal else []

    def close_journals(self) -> None:
        """The window closes: its journals (held edits) are left for the next window to adopt."""
        if self._journals is not None:
            self._journals.release()
            self._journals = None

    def _pending_changed(self, _index: int) -> None:
        if self.journal is not None:
            self.journal.write(self.pending())
        self.changed.emit()

    def _adopt_orphans(self) -> None:
        """Journals of windows on this briefing that stopped: their held edits join this
        window's, their unsaved ones are offered; then the files are theirs no longer."""
        for orphan in self._journals.orphans() if self._journals else []:
            self._hold(self.held + orphan.held.read())
            orphan.held.clear()
            self._offer_journal(orphan.pending.read())
            orphan.pending.clear()
            orphan.release()

    def _offer_journal(self, edits: list[Edit]) -> None:
        if not edits:
            return
        answer = ask(self.window, "Restore unsaved edits?",
                     f"{len(edits)} edit(s) to {display_name(self.store.location)} were not "
                     f"saved when the app last stopped. Restore them (they stay unsaved until "
                     f"you save)?",
                     QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard,
                     QMessageBox.StandardButton.Yes)
        if answer != QMessageBox.StandardButton.Yes:
            return
        # A colleague may have saved to their rows since the app stopped: those are held,
        # not shown over the colleague's values (the save would have refused them anyway).
        held = self._made_again(edits)
        self._hold_back(held, self.held)
        if held:
            tell(self.window, "Some edits were held back",
                 f"{len(held)} restored edit(s) meet rows saved since the app stopped, from "
                 f"'{held[0].summary}': they are under Edit ▸ Edits held back, to re-apply to "
                 "the rows as they are now or to discard.")


def _fits(dataset, edit: Edit) -> bool:
    try:
        check_changes(dataset, edit.changes)
    except EditRefused:
        return False
    return True


def _same_store(a, b) -> bool:
    """Whether two stores write to one place: a file however its path is spelled."""
    if isinstance(a, GpkgStore) and isinstance(b, GpkgStore):
        return a.path.resolve() == b.path.resolve()
    return a.location == b.location


def _free_name(folder: Path, stem: str) -> Path:
    candidate, number = folder / f"{stem}.gpkg", 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{stem} {number}.gpkg"
    return candidate
