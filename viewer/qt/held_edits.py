"""Edit ▸ Edits held back: edits a refused save kept because a colleague changed their rows.

Each is listed (plain text) with what it changes; the analyst re-applies it to
the rows as they are now (checked again; it becomes an unsaved edit) or
discards it explicitly. Nothing leaves the list otherwise.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QVBoxLayout)

from viewer.model.edit_rebase import overlaps


class HeldEditsDialog(QDialog):
    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Edits held back")
        intro = QLabel("A colleague changed the rows these edits read before you saved. "
                       "Re-apply one to the rows as they are now (where you both changed a "
                       "cell, the colleague's saved value is kept), or discard it.")
        intro.setWordWrap(True)
        self.list = QListWidget()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.reapply_button = QPushButton("Re-apply to the current rows")
        self.discard_button = QPushButton("Discard this edit")
        for button in (self.reapply_button, self.discard_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.reapply_button.clicked.connect(lambda: self._settle(session.reapply_held))
        self.discard_button.clicked.connect(lambda: self._settle(session.discard_held))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.list, buttons):
            layout.addWidget(widget)
        session.changed.connect(self._fill)
        self._fill()

    def _fill(self) -> None:
        self.list.clear()
        for edit in self.session.held:
            rows = ", ".join(f"{layer} {row_id}" for layer, row_id in edit.rows())
            both = [f"\n    changed by a colleague too, kept as saved: {overlap}"
                    for overlap in overlaps(self.session.state.dataset, edit)]
            self.list.addItem(QListWidgetItem(f"{edit.summary} — {rows}{''.join(both)}"))  # plain text
        self.list.setCurrentRow(0)
        for button in (self.reapply_button, self.discard_button):
            button.setEnabled(bool(self.session.held))

    def _settle(self, action) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.session.held):
            action(self.session.held[row])
