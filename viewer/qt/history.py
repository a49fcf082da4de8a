"""A row's history under the details panel, and the whole edit log (Help menu).

Both list saved edits from the file's `edit_log` and the pending ones (marked
"not saved"), as plain text.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QListWidget, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from viewer.model.history import describe_change

NOT_SAVED = "not saved"


def _when(entry) -> str:
    return f"{entry.recorded_at[:16].replace('T', ' ')} UTC"


def entries_of(session, row_id: str | None = None, layer: str | None = None) -> list[tuple]:
    """(when, who, edit) for saved then pending edits, those touching the row if given."""
    rows = [(_when(e), e.user, e.edit) for e in session.saved_log
            if row_id is None or e.touches(row_id, layer)]
    rows += [(NOT_SAVED, session.user(), edit) for edit in session.pending()
             if row_id is None or (layer, row_id) in edit.rows()]
    return rows


class RowHistory(QWidget):
    """The selected row's edits: who changed what, when, and why."""

    def __init__(self, state, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.session = state, session
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setMaximumHeight(180)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        self._row_id: str | None = None
        state.selection_changed.connect(lambda _selection: self.refresh())
        state.date_changed.connect(self._follow_date)
        session.changed.connect(self.refresh)
        self.refresh()

    def _follow_date(self, _date) -> None:
        """Scrubbing: list again only when another of the feature's rows holds."""
        if self.state.selection is not None and self.state.selected_row_id() != self._row_id:
            self.refresh()

    def refresh(self) -> None:
        selection = self.state.selection
        self.list.clear()
        if selection is None:
            self._row_id = None
            self.hide()
            return
        row_id = self._row_id = self.state.selected_row_id()   # the row shown on the date
        entries = entries_of(self.session, row_id, selection.layer)
        self.title.setText(f"History of {selection.layer} {row_id}: "
                           + (f"{len(entries)} edit(s)" if entries else "as built, never edited"))
        for when, who, edit in entries:
            reason = f" — reason: {edit.reason}" if edit.reason else ""
            lines = [describe_change(c) for c in edit.changes
                     if (c.layer, c.row_id) == (selection.layer, row_id)]
            self.list.addItem(f"{when}, {who}: {edit.summary}{reason}\n  " + "\n  ".join(lines))
        self.list.setVisible(bool(entries))
        self.show()


class HistoryDialog(QDialog):
    """Every edit recorded in the open briefing, oldest first, then the unsaved ones."""

    COLUMNS = ("When", "Who", "Edit", "Reason", "Rows changed")

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit history")
        entries = entries_of(session)
        table = QTableWidget(len(entries), len(self.COLUMNS))
        table.setHorizontalHeaderLabels(self.COLUMNS)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (when, who, edit) in enumerate(entries):
            changes = "\n".join(describe_change(c) for c in edit.changes)
            for column, text in enumerate((when, who, edit.summary, edit.reason, changes)):
                table.setItem(row, column, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.resizeRowsToContents()
        intro = QLabel(f"{len(session.saved_log)} saved edit(s) in "
                       f"{session.store.path.name if session.store else 'this briefing'}"
                       f", {len(session.pending())} not saved yet.")
        intro.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.table = table
        self.resize(980, 520)
