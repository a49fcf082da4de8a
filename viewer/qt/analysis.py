"""The window's analysis tools: compare mode and the route-crossing overlay.

Compare mode keeps a second date A (a dashed cursor on the timeline, dragged
to move it); the map shows what changed from A to the shown date B and the
change list names each change. The crossing overlay colours each route by who
holds the ground under it on the shown date, labelled as derived on the map and
in the details panel. Both only read the one ViewerState; A lives here because
no other view needs it.
"""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import replace

import pyqtgraph as pg
from PySide6.QtCore import QDate, QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QMenu, QWidget

from viewer.model.compare import Comparison, compare
from viewer.model.crossing import DERIVED_NOTE, crossing_of
from viewer.model.dates import add_months, format_date, from_day, to_day
from viewer.model.state import Selection, ViewerState
from viewer.qt.compare_panel import ComparePanel
from viewer.qt.dialogs import impossible_date_refused
from viewer.qt.iso_date_edit import IsoDateEdit
from viewer.render.compare_layer import CompareLayer
from viewer.render.crossing_layer import CrossingLayer

COMPARE_CURSOR = "#6A3D9A"


class CompareDateDialog(QDialog):
    """Asks for date A: the one compared with already, else one month before the shown date."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None,
                 date_a: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare with…")
        dataset = state.dataset
        default = date_a or max(add_months(state.date, -1), dataset.time_start)
        self.edit = IsoDateEdit()
        self.edit.setDate(QDate(default.year, default.month, default.day))
        start, end = dataset.time_start, dataset.last_day
        self.edit.setDateRange(QDate(start.year, start.month, start.day),
                               QDate(end.year, end.month, end.day))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(f"Compare {format_date(state.date)} with:", self.edit)
        form.addRow(buttons)

    def accept(self) -> None:
        if not impossible_date_refused(self):
            super().accept()

    def date(self) -> dt.date:
        return self.edit.date().toPython()


class AnalysisTools(QObject):
    """Compare mode and the crossing overlay for one window's map, timeline and details."""

    comparing_changed = Signal(bool)

    def __init__(self, state: ViewerState, map_canvas, timeline, details, parent: QWidget) -> None:
        super().__init__(parent)
        self.state, self.map, self.timeline, self.details = state, map_canvas, timeline, details
        self.window = parent
        self.date_a: dt.date | None = None
        self._compared: Comparison | None = None
        self._crossing: CrossingLayer | None = None
        self.panel = ComparePanel(state)
        self.panel.stop_requested.connect(self.stop_compare)
        self.compare_action = QAction("&Compare with…", parent)
        self.compare_action.setShortcut(QKeySequence("Ctrl+K"))
        self.compare_action.triggered.connect(self.ask_compare)
        self.stop_action = QAction("&Stop comparing", parent)
        self.stop_action.triggered.connect(self.stop_compare)
        self.stop_action.setEnabled(False)
        self.crossing_action = QAction("Whose ground routes &cross (derived)", parent)
        self.crossing_action.setCheckable(True)
        self.crossing_action.toggled.connect(lambda _on: self._refresh())
        self.cursor_a = pg.InfiniteLine(angle=90, movable=True, label="A",
                                        pen=pg.mkPen(COMPARE_CURSOR, width=2, dash=[4, 3]),
                                        labelOpts={"position": 0.95, "color": COMPARE_CURSOR})
        self.cursor_a.setToolTip("Compare date A: drag to move")
        self.cursor_a.setZValue(99)
        self.cursor_a.sigDragged.connect(
            lambda line: self.set_date_a(from_day(round(line.value()))))
        details.add_section(self.crossing_html)
        state.date_changed.connect(lambda _date: self._refresh())
        state.dataset_changed.connect(self._new_dataset)

    def _new_dataset(self, _dataset) -> None:
        self._compared = self._crossing = None
        self.stop_compare()
        self._refresh()

    def fill_menu(self, menu: QMenu) -> None:
        for action in (self.compare_action, self.stop_action, None, self.crossing_action):
            menu.addSeparator() if action is None else menu.addAction(action)

    # -- compare mode -------------------------------------------------------------
    def ask_compare(self) -> None:
        dialog = CompareDateDialog(self.state, self.window, self.date_a)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.set_date_a(dialog.date())

    def set_date_a(self, date_a: dt.date) -> None:
        dataset = self.state.dataset
        date_a = min(max(date_a, dataset.time_start), dataset.last_day)
        starting = self.date_a is None
        self.date_a = date_a
        if starting:
            self.timeline.lanes.addItem(self.cursor_a, ignoreBounds=True)
            self.stop_action.setEnabled(True)
            self.comparing_changed.emit(True)
        self.cursor_a.setValue(to_day(date_a))
        self.cursor_a.label.setFormat(f"A: {format_date(date_a)}")
        self._refresh()

    def stop_compare(self) -> None:
        if self.date_a is None:
            return
        self.date_a = None
        self.timeline.lanes.removeItem(self.cursor_a)
        self.stop_action.setEnabled(False)
        self.comparing_changed.emit(False)
        self._refresh()

    # -- the map and the panels ----------------------------------------------------
    def _refresh(self) -> None:
        if self.state.dataset is None or self.map.renderer is None:
            return   # the state starts empty: nothing to compare yet
        prepared, day = self.map.renderer.prepared, self.state.date
        comparison = self._comparison(day) if self.date_a is not None else None
        self.panel.show_comparison(comparison)
        self.map.set_overlay("compare", CompareLayer(prepared, comparison) if comparison else None)
        if not self.crossing_action.isChecked():
            self._crossing = None
        elif self._crossing is None or not self._same_rows(self._crossing.day, day):
            self._crossing = CrossingLayer(prepared, day)
        self.map.set_overlay("crossing", self._crossing)
        self.details.refresh()

    def _comparison(self, day: dt.date) -> Comparison:
        """A against `day`; reused (with the new date) while no row starts or ends, so
        scrubbing day by day in compare mode does not recompute (0.25 s on the embedded
        briefing)."""
        cached = self._compared
        if (cached is not None and cached.date_a == self.date_a
                and self._same_rows(cached.date_b, day)):
            self._compared = replace(cached, date_b=day)
        else:
            self._compared = compare(self.state.dataset, self.date_a, day)
        return self._compared

    def _same_rows(self, day_a: dt.date, day_b: dt.date) -> bool:
        dataset = self.state.dataset
        return (dataset.control_index.same_rows(to_day(day_a), to_day(day_b))
                and dataset.flow_index.same_rows(to_day(day_a), to_day(day_b)))

    def crossing_html(self, selection: Selection | None) -> str:
        """For a selected route while the overlay is on: the zones it crosses on the shown
        date, with holders and sources; marked as derived."""
        if selection is None or selection.layer != "flows" or not self.crossing_action.isChecked():
            return ""
        dataset = self.state.dataset
        crossing = crossing_of(dataset, selection.feature_id, self.state.date)
        head = (f"<h4>Whose ground it crosses on {html.escape(format_date(self.state.date))}</h4>"
                f"<p class='caveat'>{html.escape(DERIVED_NOTE)}</p>")
        if crossing is None or not crossing.segments:
            return head + "<p class='caveat'>It crosses no control zone on this date.</p>"
        items = []
        for segment in crossing.segments:
            sources = "; ".join(f"{s.get('outlet')}: {s.get('title')}" for r in segment.holding.rows
                                for s in dataset.source_records(r.get("source_ids")))
            items.append(f"<li><b>{html.escape(segment.zone_name)}</b> "
                         f"({segment.length_km:.1f} km): "
                         f"{html.escape(segment.label(dataset))}"
                         + (f"<br><span class='hint'>{html.escape(sources)}</span>" if sources else "")
                         + "</li>")
        return head + f"<ul style='margin-left:-24px'>{''.join(items)}</ul>"
