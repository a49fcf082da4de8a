"""Opening datasets in the main window: the file and database choosers, the
background load and its progress, showing what was read (map first, then the
panels), failures, the recent list and files dropped on the window.

A base of MainWindow (viewer/qt/main_window.py), which builds the views
(`_build_map`, `_panel_pieces`) and holds the state they share.
"""
from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog

from viewer.io.file_state import saved_state
from viewer.io.pg_url import display_name
from viewer.qt.dialogs import ProblemDialog, plain_menu_text, plain_tooltip
from viewer.qt.loader import ReadAhead
from viewer.qt.window_ui import WindowUi

MAX_RECENT = 8
_DONE = object()    # what next() returns for an opening with no pieces left
# A piece runs on a timer, not as a posted event: posted at once, it ran in the same
# pass as the paint the piece before it asked for, and a click waited for both.
PIECE_DELAY_MS = 1


class WindowOpening(WindowUi):
    """How the window opens a dataset; `opened` once it is shown, map, timeline and panels."""

    opened = Signal()

    # -- opening datasets -------------------------------------------------
    def choose_dataset(self) -> None:
        folder = str(self.state.dataset.path.parent) if self.state and self.state.dataset.path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open dataset", folder,
                                              "Briefing datasets (*.gpkg);;All files (*)")
        if path:
            self.open_dataset(path)

    def choose_database(self) -> None:
        text, ok = QInputDialog.getText(
            self, "Open team database", "postgresql://user@host:port/database?schema=NAME\n"
            "(the password comes from ~/.pgpass or PGPASSWORD; one typed here is not kept)")
        if ok and text.strip():
            self.open_dataset(text.strip())

    def open_dataset(self, path, date: dt.date | None = None, ahead: ReadAhead | None = None) -> None:
        """Load `path` (a file or a postgresql:// address) in the background; on success
        show it at `date` (or its default). `ahead`: its read, already started."""
        if not self.editing.may_discard():
            return
        self._pending_date = date
        self._keep_view = None
        self.loader.load(path, ahead)

    def refresh_dataset(self, note: str = "") -> None:
        """Read the open briefing again (saved elsewhere), at the same date and view; `note`
        is said once it is shown."""
        if self.state is None:
            return
        if self.loader.reading:
            # Another file the user asked for is on its way (it replaces this one), or this
            # one is being read again already: that read shows the save, said as it was asked.
            return
        saved = note or "The briefing was saved elsewhere"   # who saved, where it is known
        if self.editing.session.pending():  # theirs shows after this window's save
            self.statusBar().showMessage(f"{saved}; your unsaved edits are kept (save to see "
                                         "both)", 10000)
            return
        if self.editing.session.recorded_on is not None:
            self.statusBar().showMessage(f"{saved}: shown when you return to now from the "
                                         "earlier day shown", 10000)
            return
        self._pending_date = self.state.date
        self._keep_view = self.map.view_state()
        self._refresh_note = f"{note}: shown as saved" if note else ""
        self.team.reading()   # what waited is being read: not asked for again meanwhile
        self.loader.load(self.shown_location)

    def _loading_started(self, path: str) -> None:
        self.statusBar().showMessage(f"Opening {path}…")
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        if self.state is None:
            self.start_page.show_loading(path)

    def _loading_progress(self, text: str, fraction: float) -> None:
        self.progress_bar.setValue(round(fraction * 100))
        self.start_page.show_progress(text, fraction)

    def _loaded(self, dataset) -> None:
        self.progress_bar.hide()
        if not self._may_replace_edits():   # asked first: on Cancel the shown one finishes opening
            return
        self._opening = None    # the last dataset's opening, if unfinished, is dropped
        gc.unfreeze()  # the previous dataset's objects may be collected again
        first = self.state is None
        if first:
            self._build_map()
        # One announcement: every view rebuilds once, with the series chosen
        # last time where this dataset has any of them.
        self.state.set_dataset(dataset, self._pending_date,
                               self.settings.value("view/series", [], type=list))
        self.stack.setCurrentWidget(self.map)
        if self._keep_view is not None:
            self.map.restore_view(self._keep_view)
        self._keep_view = None
        if first:
            # The map on screen first; the timeline and the panels are made after
            # it (embedded dataset: map drawn 0.4 s sooner, 100x: 1 s).
            self.stack.layout().activate()
            self.map.setFocus()   # now: a date box the user clicks meanwhile keeps the keys
            self.map.repaint()
            self._panels_to_build = self._panel_pieces()
        # The place just read (the latest asked for: an older read's result is dropped).
        location = self.shown_location = self.loader.location
        # Edits and the team watch are bound to what is shown at once: a refresh
        # let in before them would reload again and drop the edits a refused save
        # had just made again.
        self.editing.opened(self.state, self.details_box, location)
        self.team.watch(location, dataset.log_position, dataset.file_state)
        opening = self._opening = self._opening_pieces(dataset, location, self.editing.session.store)
        QTimer.singleShot(PIECE_DELAY_MS, self, lambda: self._open_next_piece(opening))

    def _may_replace_edits(self) -> bool:
        """Edits made while another briefing was read are asked about once it is in, as
        when it was asked for. On Cancel (or a failed save) they stay, with their
        briefing, and the one read is not shown."""
        session = self.editing.session
        if not session.pending() or session.edits_go_to(self.loader.location):
            return True
        if self.editing.may_discard():
            return True
        self.statusBar().showMessage(f"{display_name(self.loader.location)} was not opened: "
                                     "your unsaved edits stay with the briefing shown", 10000)
        return False

    def _open_next_piece(self, opening: Iterator[None]) -> None:
        """One piece of `opening`, then back to the event loop for the next, so the
        map takes clicks and dates meanwhile: made in one go, the panels and the
        rest kept a click waiting 0.7 s (embedded dataset) to 1.3 s (100x). An
        opening another one replaced is dropped."""
        if opening is self._opening and next(opening, _DONE) is not _DONE:
            QTimer.singleShot(PIECE_DELAY_MS, self, lambda: self._open_next_piece(opening))

    def _opening_pieces(self, dataset, location, bound_to) -> Iterator[None]:
        """The rest of opening `dataset`, read from `location` (edits bound to the
        store `bound_to`), once its map is shown, in pieces; ends with `opened` once
        the evidence lane is drawn too."""
        # The panels' pieces, advanced by whichever opening is current: one that
        # replaced this one finishes them (not `yield from`: dropping this
        # opening would close them).
        while self._panels_to_build is not None:
            if next(self._panels_to_build, _DONE) is _DONE:
                self._panels_to_build = None
            else:
                yield
        # The dataset, paths and views live as long as they are shown: keep the
        # collector from rescanning them (a full pass took 70 ms mid-scrub at 100x).
        gc.collect()
        gc.freeze()
        yield
        # Draw the map and the timeline once before the file becomes "last opened":
        # one whose drawing crashes must not be reopened at every later start.
        self.map.grab()
        self.timeline.grab()
        yield
        # Unless edits went to a copy meanwhile (the built-in briefing is edited as
        # the user's copy): the copy is remembered, and its message stays.
        if self.editing.session.store is bound_to:
            self._remember(location)
            message, self._refresh_note = self._refresh_note or f"Opened {location}", ""
            if dataset.warnings:
                message += f" with {len(dataset.warnings)} warning(s)"
            self.statusBar().showMessage(message, 8000)
        self.evidence_lane.when_shown(self.opened.emit)

    def _failed(self, path: str, lines: list[str]) -> None:
        self.progress_bar.hide()
        name = display_name(path)
        if self.state is None:
            self.start_page.show_idle(f"Could not open {name}. Open another dataset.")
            intro = f"{name} could not be opened. Nothing was opened."
        else:
            intro = (f"{name} could not be opened; {self.state.dataset.title} stays open.")
        self.statusBar().showMessage(f"Could not open {name}", 8000)
        self._open_dialog(ProblemDialog(f"Could not open {name}", intro, lines, self))

    def _shown_from_copy(self, copy: Path) -> None:
        """Edits went to the user's copy of the briefing: it is read again (and watched)
        from now on."""
        self.shown_location = copy
        self.team.watch(copy, self.state.dataset.log_position, saved_state(copy))
        self._remember(copy)

    def _remember(self, location) -> None:
        """A file by its full path as opened, a link not followed (a `latest.gpkg` made to
        point at a newer version reopened the older); a database by its address without
        the password."""
        text = os.path.abspath(location) if isinstance(location, Path) else location.saved
        recent = [text] + [p for p in self.recent_files() if p != text]
        self.settings.setValue("dataset/recent", recent[:MAX_RECENT])
        self.settings.setValue("dataset/last_path", text)

    def recent_files(self) -> list[str]:
        return [str(p) for p in self.settings.value("dataset/recent", [], type=list)]

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for number, path in enumerate(self.recent_files(), start=1):
            action = self.recent_menu.addAction(f"&{number} {plain_menu_text(display_name(path))}")
            action.setToolTip(plain_tooltip(path))
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_dataset(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("No recent datasets").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", lambda: self.settings.remove("dataset/recent"))

    # -- drag and drop ----------------------------------------------------
    @staticmethod
    def _dropped_dataset(event) -> str | None:
        for url in event.mimeData().urls():
            if url.isLocalFile() and url.toLocalFile().lower().endswith(".gpkg"):
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._dropped_dataset(event):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt API)
        path = self._dropped_dataset(event)
        if path:
            event.acceptProposedAction()
            self.open_dataset(path)
