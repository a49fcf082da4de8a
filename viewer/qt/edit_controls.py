"""The window's editing gestures: the Edit menu, its forms, Save, history, "as recorded on".

The main window makes one `EditControls`, gives it its menus, calls `opened`
when a dataset is shown and `may_discard` before closing or opening another.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QInputDialog, QLabel, QMenu,
                               QPushButton, QVBoxLayout, QWidget)

from viewer.io.pg_url import display_name
from viewer.model.dates import format_date
from viewer.qt.dialogs import impossible_date_refused, plain_menu_text
from viewer.qt.edit_fields import DateField
from viewer.qt.edit_forms import (ControlForm, CorrectForm, EventForm, RetractForm, RouteForm,
                                  SourceForm)
from viewer.qt.edit_session import EditSession
from viewer.qt.held_edits import HeldEditsDialog
from viewer.qt.history import HistoryDialog, RowHistory


class EditControls(QObject):
    def __init__(self, window, settings) -> None:
        super().__init__(window)
        self.window = window
        self.session = EditSession(window, settings)
        self.session.changed.connect(self._update)
        self.session.copied.connect(lambda path: window.statusBar().showMessage(
            f"Saved as your copy: {path} — your edits go there from now on", 15000))
        self.forms = {}
        self.actions: list[QAction] = []
        self.save_action = self._action("&Save edits", self.save, QKeySequence.StandardKey.Save)
        for form in (SourceForm, EventForm, ControlForm, RouteForm):
            self.forms[form] = self._action(f"{form.title}…", lambda _=False, f=form: self.open_form(f))
        for form in (CorrectForm, RetractForm):
            self.forms[form] = self._action(f"{form.title.replace('a row', 'the selected row')}…",
                                            lambda _=False, f=form: self.open_form(f))
        self.user_action = self._action("Your name in the edit &log…", self.ask_user_name)
        self.history_action = self._action("Edit &history…", self.show_history)
        self.pending_menu = QMenu("Edits not saved", window)
        self.pending_menu.aboutToShow.connect(self._fill_pending_menu)
        self.held_action = self._action("Edits &held back…", self.show_held)
        self.session.held_back.connect(self.show_held)
        self.recorded_action = self._action("As &recorded on…", self.ask_recorded_on)
        self.recorded_label = QPushButton()
        self.recorded_label.setFlat(True)
        self.recorded_label.clicked.connect(lambda: self.session.show_recorded_on(None))
        self.recorded_label.hide()
        self.row_history: RowHistory | None = None
        self._update()

    def _action(self, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.window.addAction(action)
        self.actions.append(action)
        return action

    def fill_menus(self, edit_menu: QMenu, view_menu: QMenu, help_menu: QMenu) -> None:
        for action in (self.session.undo_action, self.session.redo_action):
            self.window.addAction(action)
            edit_menu.addAction(action)
        edit_menu.addMenu(self.pending_menu)
        edit_menu.addAction(self.save_action)
        edit_menu.addAction(self.held_action)
        edit_menu.addSeparator()
        for action in self.forms.values():
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.user_action)
        view_menu.addSeparator()
        view_menu.addAction(self.recorded_action)
        help_menu.addAction(self.history_action)

    # -- the window's hooks -----------------------------------------------------
    def opened(self, state, details_box: QWidget, location=None) -> None:
        if self.row_history is None:
            state.selection_changed.connect(lambda _selection: self._update())
            self.row_history = RowHistory(state, self.session)
            details_box.layout().addWidget(self.row_history)
        self.session.opened(state, location)

    def may_discard(self) -> bool:
        return self.session.may_discard()

    # -- gestures ------------------------------------------------------------------
    def open_form(self, form_class) -> QDialog | None:
        if not self.session.may_edit():
            return None
        form = form_class(self.session, self.window)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.setModal(False)  # the map stays clickable (a place for an event)
        form.show()
        return form

    def save(self) -> None:
        count = len(self.session.pending())
        if self.session.save() and count:
            # Undo stops at a save (the edits are in the file and its log): said here, as
            # an analyst pressing Ctrl+Z after saving saw nothing happen.
            self.window.statusBar().showMessage(
                f"Saved {count} edit(s) to {display_name(self.session.store.location)}; "
                "to change a saved edit, select its row and use Edit ▸ Correct or Retract", 10000)

    def ask_user_name(self) -> None:
        name, ok = QInputDialog.getText(self.window, "Your name in the edit log",
                                        "Name recorded with your edits (empty: your login name):",
                                        text=str(self.session.settings.value("edit/user_name", "")))
        if ok:
            self.session.settings.setValue("edit/user_name", name.strip())

    def show_history(self) -> None:
        dialog = HistoryDialog(self.session, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_held(self) -> HeldEditsDialog:
        dialog = HeldEditsDialog(self.session, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def ask_recorded_on(self) -> None:
        dialog = RecordedOnDialog(self.session.recorded_on or dt.date.today(), self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.session.show_recorded_on(dialog.day.value())

    def _fill_pending_menu(self) -> None:
        self.pending_menu.clear()
        stack = self.session.stack
        for index in range(stack.count()):
            undone = " (undone)" if index >= stack.index() else ""
            action = self.pending_menu.addAction(plain_menu_text(f"{index + 1}. {stack.text(index)}{undone}"))
            action.triggered.connect(lambda _=False, i=index: stack.setIndex(i + 1))
        if self.pending_menu.isEmpty():
            self.pending_menu.addAction("No unsaved edits").setEnabled(False)

    def _update(self) -> None:
        session = self.session
        editing = session.state is not None and session.recorded_on is None
        for action in self.forms.values():
            action.setEnabled(editing)
        selected = editing and session.state.selection is not None
        self.forms[CorrectForm].setEnabled(selected)
        self.forms[RetractForm].setEnabled(selected and session.state.selection.layer
                                           in ("control", "flows", "events"))
        self.save_action.setEnabled(bool(session.pending()))
        self.history_action.setEnabled(session.state is not None)
        # An earlier day shown is not the rows the unsaved edits apply to: undoing one
        # there would lose it, re-applying a held one would make it on the wrong rows.
        now = session.recorded_on is None
        session.undo_action.setEnabled(now and session.stack.canUndo())
        session.redo_action.setEnabled(now and session.stack.canRedo())
        self.pending_menu.menuAction().setEnabled(now)
        self.held_action.setEnabled(now and bool(session.held))
        self.recorded_action.setEnabled(session.state is not None)
        if session.recorded_on is None:
            self.recorded_label.hide()
        else:
            self.recorded_label.setText(f"As recorded on {format_date(session.recorded_on)} "
                                        f"(editing off) — click to return to now")
            self.recorded_label.show()


class RecordedOnDialog(QDialog):
    """Pick a day of recording: the map then shows the briefing as it stood at its end."""

    def __init__(self, day: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("As recorded on")
        self.day = DateField(day)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Show the briefing as it stood at the end of this day of "
                                "recording (edits logged later are left out):"))
        layout.addWidget(self.day)
        layout.addWidget(buttons)

    def accept(self) -> None:
        if not impossible_date_refused(self):   # 2025-02-30: said here, not a traceback
            super().accept()
