"""File → Sync conflicts…: settle the offline edits `sync` could not apply.

Each conflict shows the row, the field's values and the desk's (with who
changed them when), as plain text. Keep the field's version (recorded as a
new offline edit the next sync sends) or the desk's (the field's is dropped).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel,
                               QMessageBox, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

COLUMNS = ("Edit", "Row", "Field version", "Desk version", "Desk change by")


class ConflictsDialog(QDialog):
    resolved = Signal()  # the copy changed: the window reads it again

    def __init__(self, path: Path, user: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path, self.user = path, user
        self.setWindowTitle("Sync conflicts")
        intro = QLabel("These offline edits met a change made at the desk and were not sent. "
                       "Keep the field's version (sent at the next sync) or the desk's.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,) * 2
                                      + (QHeaderView.ResizeMode.Stretch,) * 3):
            header.setSectionResizeMode(column, mode)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.keep_field = QPushButton("Keep the field's version")
        self.keep_desk = QPushButton("Keep the desk's version")
        for button, keep in ((self.keep_field, "field"), (self.keep_desk, "desk")):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            button.clicked.connect(lambda _checked=False, k=keep: self.settle(k))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.table, buttons):
            layout.addWidget(widget)
        self.resize(900, 360)
        self.fill()

    def fill(self) -> None:
        from viewer.io.offline import read_conflicts

        self.conflicts = read_conflicts(self.path)
        self.table.setRowCount(len(self.conflicts))
        for row, conflict in enumerate(self.conflicts):
            field, desk = conflict.differences()
            cells = (str(conflict.edit_id), f"{conflict.layer} {conflict.row_id}",
                     f"{field}\n({conflict.user}, {conflict.recorded_at})", desk,
                     f"{conflict.desk_user} at {conflict.desk_recorded_at}")
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))  # items are plain text
        self.table.resizeRowsToContents()
        if self.conflicts:
            self.table.selectRow(0)
        for button in (self.keep_field, self.keep_desk):
            button.setEnabled(bool(self.conflicts))

    def settle(self, keep: str) -> None:
        from viewer.io.offline import SyncError, resolve
        from viewer.io.store import StoreError
        from viewer.model.changes import EditRefused

        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        conflict = self.conflicts[rows[0].row()]
        try:
            resolve(self.path, conflict.edit_id, keep, self.user)
        except (SyncError, StoreError, EditRefused) as error:
            QMessageBox.warning(self, "Conflict not settled", str(error))
            return
        self.fill()
        self.resolved.emit()
