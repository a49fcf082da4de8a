"""The main window: the map in the middle, the timeline below, details at the side.

The window owns the one `ViewerState` (made when the first dataset arrives),
hands it to each view, and keeps its settings; its menus, toolbar and docks
are built by viewer/qt/window_ui.py, and datasets are opened by
viewer/qt/window_opening.py. Views
never talk to each other; the window only reads the state to update its title,
date field and menus, and writes to it from menu and toolbar gestures.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QStackedWidget, QStyle

from viewer.io.pg_url import display_name
from viewer.model.dates import format_date
from viewer.qt.application import ViewerApplication
from viewer.qt.dialogs import (
    ProblemDialog,
    RichTextDialog,
    SourcesDialog,
    about_html,
    plain_menu_text,
    plain_tooltip,
)
from viewer.qt.edit_controls import EditControls
from viewer.qt.export_dialogs import (
    ExportAnimationDialog,
    ExportPackDialog,
    ExportPngDialog,
)
from viewer.qt.loader import DatasetLoader
from viewer.qt.start_page import StartPage
from viewer.qt.team import TeamWatch
from viewer.qt.window_opening import WindowOpening
from viewer.qt.window_ui import DEFAULT_SPEED

APP_TITLE = "Kachin Viewer"
# Of the window's height, until the user moves the split: at 768 px just enough for
# the timeline's lanes and plots at their minimum heights and the evidence lane's.
TIMELINE_SHARE = 0.415
TIMELINE_MAX_HEIGHT = 410


class MainWindow(WindowOpening):
    """The application window. Call `open_dataset(path)` to load a briefing;
    `opened` is emitted once it is shown, map, timeline and panels."""

    def __init__(self, embedded_dataset: Path | None = None,
                 settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.embedded_dataset = embedded_dataset
        self.state = None
        self.map = None
        self.timeline = None
        self.details = None
        self.analysis = None
        self.evidence_lane = None
        self.playback = None
        self.briefing = None
        self._panels_to_build: Iterator[None] | None = None   # see WindowOpening._opening_pieces
        self._opening: Iterator[None] | None = None
        self._pending_date: dt.date | None = None
        # Where the briefing shown lives (its copy, once edits went to one); the
        # loader's `location` is only the last place asked for, which may have failed.
        self.shown_location = None
        self.loader = DatasetLoader(self)
        self.loader.started.connect(self._loading_started)
        self.loader.progress.connect(self._loading_progress)
        self.loader.loaded.connect(self._loaded)
        self.loader.failed.connect(self._failed)
        self.team = TeamWatch(self)
        self.team.refresh.connect(self.refresh_dataset)
        self.team.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._keep_view = None
        self._refresh_note = ""   # said once a briefing read again is shown

        self.setWindowTitle(APP_TITLE)
        self.setAcceptDrops(True)
        application = QApplication.instance()
        if isinstance(application, ViewerApplication):
            application.file_open_requested.connect(self.open_dataset)
        self._build_actions()
        self.editing = EditControls(self, self.settings)
        self.editing.session.saved.connect(self.team.saved_here)
        # A save made elsewhere that was put off (unsaved edits, an earlier day shown).
        self.editing.session.changed.connect(self.team.retry)
        self.editing.session.copied.connect(self._shown_from_copy)
        self.editing.session.stale.connect(self.refresh_dataset)  # show the change that won
        self._build_menus()
        self._build_docks()
        self._build_status_bar()
        self.start_page = StartPage(self.open_action, self.embedded_action)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.start_page)
        self.setCentralWidget(self.stack)
        self._restore_window()

    # -- the views, made once, when the first dataset is here -------------
    def _build_map(self) -> None:
        """The state and the map, made when the first dataset is here."""
        # Imported only now: these pull in geopandas, which the first paint of the
        # window must not wait for.
        from viewer.model.state import ViewerState
        from viewer.qt.map_canvas import MapCanvas

        self.state = state = ViewerState()
        self.map = MapCanvas(state)
        self.view_menus.attach(state, self.map)
        self.stack.addWidget(self.map)
        state.dataset_changed.connect(self._show_dataset)
        state.date_changed.connect(self._show_date)
        state.selection_changed.connect(self._selection_changed)
        self.date_edit.setEnabled(True)
        if self.settings.value("window/state") is None:
            # Now that the window has its real size, and before the map is first drawn:
            # the map and the timeline's dock keep their sizes while the timeline is made.
            self._fit_timeline_dock()

    def _panel_pieces(self) -> Iterator[None]:
        """The timeline, panels and playback, made once the first map is on screen, a
        piece at a time (see WindowOpening._open_next_piece): the map answers clicks and
        keys between pieces. Each view reads the state as it is when it is made."""
        # Imported only now: pyqtgraph, which the first map need not wait for.
        from viewer.qt.timeline import Timeline
        yield
        state = self.state
        self.timeline = Timeline(state, shown_later=True)
        yield
        yield from self.timeline.dataset_pieces()   # off screen: no paint sees it half made
        self.timeline_box.layout().addWidget(self.timeline)
        yield
        from viewer.qt.details_panel import DetailsPanel

        self.details = DetailsPanel(state)
        self.details_box.layout().insertWidget(0, self.details)   # over the row history
        # What was clicked is described where it is seen: the Details tab comes to the
        # front (it stayed behind Chapters, and a click seemed to do nothing).
        self.timeline.series_value_clicked.connect(self.details.show_series_value)
        self.timeline.series_value_clicked.connect(self.details_dock.raise_)
        yield
        self._build_analysis(state)
        yield
        from viewer.qt.briefing_controls import BriefingControls
        from viewer.qt.playback import Playback

        self.playback = Playback(state, self)
        # Clicked into to type a date: each frame while playing replaced the box's text and
        # its selection, and the date typed was appended to another.
        self.date_edit.typing.connect(self.playback.pause)
        self.briefing = BriefingControls(self, self.chapters_box, state, self.map,
                                         self.editing.session)
        self.playback.playing_changed.connect(self._show_playing)
        self.playback.playing_changed.connect(self.map.set_playing)
        self.playback.set_speed(self.speed_box.currentData())
        self.playback.set_loop(self.loop_action.isChecked())
        self._enable_dataset_actions()

    def _build_analysis(self, state) -> None:
        """Compare mode, the crossing overlay and the evidence lane (viewer/qt/analysis.py)."""
        from viewer.qt.analysis import AnalysisTools
        from viewer.qt.evidence_lane import EvidenceLane

        self.analysis = AnalysisTools(state, self.map, self.timeline, self.details, self)
        self.analysis.fill_menu(self.analysis_menu)
        self.analysis.comparing_changed.connect(lambda on: on and self._show_changes())
        self.changes_dock.setWidget(self.analysis.panel)
        self.evidence_lane = EvidenceLane(state, self.timeline.lanes)
        # Stretching (up to its maximum), the lane is the first to give way when the dock
        # is short (Qt: a stretching widget's hint counts as its minimum), before the
        # timeline's lanes and plots (its hint: all of them whole).
        self.timeline_box.layout().addWidget(self.evidence_lane, stretch=1)

    def _show_changes(self) -> None:
        if self.dockWidgetArea(self.changes_dock) == Qt.DockWidgetArea.NoDockWidgetArea:
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.changes_dock)
            self.tabifyDockWidget(self.details_dock, self.changes_dock)
            self.panels_menu.addAction(self.changes_dock.toggleViewAction())
        self.changes_dock.show()
        self.changes_dock.raise_()

    def _show_dataset(self, dataset) -> None:
        from viewer.model.timeline import focus_period

        self.setWindowTitle(f"{dataset.title} — {APP_TITLE}")
        focus = focus_period(dataset)
        self._enable_dataset_actions()
        self.focus_timeline_action.setIconText(plain_menu_text(focus[2]) if focus else "Focus")
        if focus:   # the label is the file's text: never markup
            self.focus_timeline_action.setToolTip(plain_tooltip(
                f"{focus[2]}: {format_date(focus[0], 'month')} – {format_date(focus[1], 'month')}"))
        self.date_edit.set_range(dataset.time_start, dataset.last_day)
        count = len(dataset.warnings)
        self.warnings_button.setText(f"⚠ {count} warning{'s' if count != 1 else ''}")
        self.warnings_button.setVisible(count > 0)
        self._show_date(self.state.date)

    def _enable_dataset_actions(self) -> None:
        """The actions that need a dataset, once the panels they drive are made; Sync
        conflicts and the focus period only where this dataset has them."""
        from viewer.model.timeline import focus_period

        ready = self.state is not None and self.state.dataset is not None and self.playback is not None
        for action in self._dataset_actions:
            action.setEnabled(ready)
        if ready:
            dataset = self.state.dataset
            conflicts = dataset.extra_layers.get("sync_conflicts")
            self.conflicts_action.setEnabled(conflicts is not None and len(conflicts) > 0)
            self.focus_timeline_action.setEnabled(focus_period(dataset) is not None)

    def _show_date(self, date: dt.date) -> None:
        self.date_edit.show_date(date)

    def _show_playing(self, playing: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play_action.setIcon(self.style().standardIcon(icon))
        self.play_action.setText("&Pause" if playing else "&Play")

    def _selection_changed(self, selection) -> None:
        if selection is not None:
            self.details_dock.show()  # a click asks for details, even if the panel was closed
            self.details_dock.raise_()   # in front of Chapters: a click seemed to do nothing

    def _date_typed(self, date: dt.date) -> None:
        """Go to a typed date; one outside the dataset goes to the nearest end, and says so.
        The keys go back to the map (Space played, arrows stepped: they went into the box)."""
        dataset = self.state.dataset
        self.statusBar().clearMessage()   # a refusal of a date typed before
        if date < dataset.time_start:
            self.statusBar().showMessage(f"{format_date(date)} is before the dataset's first day: "
                                         f"showing {format_date(dataset.time_start)}", 10000)
        elif date > dataset.last_day:
            self.statusBar().showMessage(f"{format_date(date)} is after the dataset's last day: "
                                         f"showing {format_date(dataset.last_day)}", 10000)
        self.state.set_date(date)
        self.date_edit.show_date(self.state.date)  # the clamped date, even when unchanged
        self.map.setFocus()

    def _set_in_out(self, first: bool) -> None:
        """The in (or out) point at the current date; the other stays, or is the dataset's end."""
        start, end = self.state.play_bounds()
        if first:
            self.state.set_play_range(self.state.date, end)
        else:
            self.state.set_play_range(start, self.state.date)

    def _speed_chosen(self) -> None:
        if self.playback is not None:
            self.playback.set_speed(self.speed_box.currentData())

    # -- exports and help -------------------------------------------------
    def export_png(self) -> None:
        self._open_export(ExportPngDialog(self.state, self.map.renderer, self.map.view_extent(), self))

    def export_pack(self) -> None:
        self._open_export(ExportPackDialog(self.state, self.map.renderer, self.map.view_extent(), self))

    def export_animation(self) -> None:
        self._open_export(ExportAnimationDialog(self.state, self.map.renderer, self.map.view_extent(), self))

    def _open_export(self, dialog) -> None:
        dialog.exported.connect(lambda message: self.statusBar().showMessage(message, 10000))
        self._open_dialog(dialog)

    @staticmethod
    def _open_dialog(dialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_conflicts(self) -> None:
        """The field copy's sync conflicts, to settle one by one."""
        from viewer.io.store import os_user
        from viewer.qt.conflicts import ConflictsDialog

        dialog = ConflictsDialog(Path(self.shown_location), os_user(), self)
        dialog.resolved.connect(self.refresh_dataset)
        self._open_dialog(dialog)

    def show_about(self) -> None:
        dataset = self.state.dataset if self.state else None
        self._open_dialog(RichTextDialog("About Kachin Viewer", about_html(dataset), self))

    def show_sources(self) -> None:
        self._open_dialog(SourcesDialog(self.state.dataset, self))

    def _show_warnings(self) -> None:
        dataset = self.state.dataset
        self._open_dialog(ProblemDialog(
            f"Warnings in {display_name(self.shown_location)}",
            "The dataset opened; these rows were repaired or reprojected on reading.",
            [str(p) for p in dataset.warnings], self))

    # -- window settings --------------------------------------------------
    def _restore_window(self) -> None:
        """Window layout and playback choices from the settings; a value that cannot
        be read (a hand edit, another version) falls back to its default, and the
        status bar says which."""
        unreadable = []
        if not self._restore_layout():
            if self.settings.value("window/geometry") is not None:
                unreadable.append("window layout")
            screen = self.screen().availableGeometry()
            self.resize(min(1600, screen.width()), min(1000, screen.height()))
            self._fit_timeline_dock()
            self.resizeDocks([self.details_dock], [330], Qt.Orientation.Horizontal)
        speed = self.settings.value("playback/speed", DEFAULT_SPEED)
        index = self.speed_box.findData(int(speed) if str(speed).isdigit() else None)
        if index < 0:
            unreadable.append("playback speed")
            index = self.speed_box.findData(DEFAULT_SPEED)
        self.speed_box.setCurrentIndex(index)
        self.loop_action.setChecked(self.settings.value("playback/loop", False, type=bool))
        self.settings_note.setText(f"Unreadable settings reset to defaults: {', '.join(unreadable)}")
        self.settings_note.setVisible(bool(unreadable))

    def _restore_layout(self) -> bool:
        geometry, state = self.settings.value("window/geometry"), self.settings.value("window/state")
        try:
            return (geometry is not None and self.restoreGeometry(geometry)
                    and (state is None or self.restoreState(state)))
        except TypeError:  # a value that is not a saved layout at all
            return False

    def _fit_timeline_dock(self) -> None:
        """The default split: the map gets most of the height, on a laptop too."""
        height = min(round(self.height() * TIMELINE_SHARE), TIMELINE_MAX_HEIGHT)
        self.resizeDocks([self.timeline_dock], [height], Qt.Orientation.Vertical)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self.briefing is not None:
            self.briefing.panel.apply_unapplied_text()
        if not self.editing.may_discard():
            event.ignore()
            return
        self.editing.session.close_journals()
        if self.playback is not None:
            self.playback.pause()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("playback/speed", self.speed_box.currentData())
        self.settings.setValue("playback/loop", self.loop_action.isChecked())
        if self.state is not None and self.state.date is not None:
            self.settings.setValue("dataset/last_date", self.state.date.isoformat())
        super().closeEvent(event)
