"""The change list beside the map in compare mode.

One line per zone that changed hands and per route whose status changed between
date A and the shown date B; hovering a line shows the rows and sources at both
ends (escaped: dataset text is never markup); clicking selects the row on the map.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from viewer.model.compare import Comparison, RouteChange, ZoneChange
from viewer.model.dataset import Dataset
from viewer.model.dates import format_date
from viewer.model.state import Selection, ViewerState
from viewer.model.zones import ZoneState


def end_html(dataset: Dataset, title: str, rows: tuple[dict, ...], id_column: str,
             note: str = "") -> str:
    """One end of a change: its rows (period, confidence) and their sources, escaped."""
    if not rows:
        return (f"<b>{html.escape(title)}</b>: no row holds (nothing sourced)"
                + (f"<br>{html.escape(note)}" if note else ""))
    parts = [f"<b>{html.escape(title)}</b>"]
    for row in rows:
        parts.append(f"{html.escape(str(row.get(id_column)))}: {html.escape(str(row.get('status')))}, "
                     f"{html.escape(str(row.get('valid_from')))} to "
                     f"{html.escape(str(row.get('valid_to') or 'ongoing'))}, "
                     f"{html.escape(str(row.get('confidence') or 'confidence not given'))}")
        for source in dataset.source_records(row.get("source_ids")):
            parts.append("&nbsp;&nbsp;• " + html.escape(
                f"{source.get('outlet')}: {source.get('title')} ({source.get('published') or 'undated'})"))
    return "<br>".join(parts)


class ComparePanel(QWidget):
    """Lists a Comparison's changes; `stop_requested` when the user ends compare mode."""

    stop_requested = Signal()

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.header = QLabel("Not comparing. Use Analysis ▸ Compare with… to pick a date.")
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setWordWrap(True)
        self.changes = QListWidget()
        self.changes.setWordWrap(True)
        self.changes.itemClicked.connect(self._clicked)
        self.stop = QPushButton("Stop comparing")
        self.stop.clicked.connect(self.stop_requested)
        self.stop.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.changes)
        layout.addWidget(self.stop)

    def show_comparison(self, comparison: Comparison | None) -> None:
        self.changes.clear()
        self.stop.setEnabled(comparison is not None)
        if comparison is None:
            self.header.setText("Not comparing. Use Analysis ▸ Compare with… to pick a date.")
            return
        dataset = self.state.dataset
        a, b = format_date(comparison.earlier), format_date(comparison.later)
        first, last = ("A", "B") if comparison.date_a <= comparison.date_b else ("B", "A")
        count = len(comparison.zones) + len(comparison.routes)
        note = comparison.last_known_note(dataset)
        self.header.setText(f"What changed from {a} ({first}) to {b} ({last}): {count} change"
                            f"{'' if count == 1 else 's'}. {note + '. ' if note else ''}"
                            "Hover for rows and sources; click to select on the map.")
        for change in comparison.zones:
            self._add(change.sentence(),
                      self._tooltip(dataset, change, f"{a} ({first})", f"{b} ({last})", "control_id"),
                      Selection("control", change.zone_id))
        for change in comparison.routes:
            self._add(change.sentence(),
                      self._tooltip(dataset, change, f"{a} ({first})", f"{b} ({last})", "flow_id"),
                      Selection("flows", change.route_id))
        if count == 0:
            self.changes.addItem("No zone changed hands and no route changed status.")

    def _add(self, text: str, tooltip: str, selection: Selection | None) -> None:
        item = QListWidgetItem(text)
        item.setToolTip(tooltip)
        item.setData(Qt.ItemDataRole.UserRole, selection)
        self.changes.addItem(item)

    @staticmethod
    def _tooltip(dataset: Dataset, change: ZoneChange | RouteChange, earlier: str, later: str,
                 id_column: str) -> str:
        """Both ends in time order, each named by its date and its letter (A may be later)."""
        return "<br><br>".join(
            end_html(dataset, f"On {day}", end.rows, id_column,
                     end.note if isinstance(end, ZoneState) else "")
            for day, end in ((earlier, change.before), (later, change.after)))

    def _clicked(self, item: QListWidgetItem) -> None:
        selection = item.data(Qt.ItemDataRole.UserRole)
        if selection is not None:
            self.state.select(selection)

