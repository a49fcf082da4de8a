"""The main window's menus, toolbar, docks and status bar, built once.

Kept apart from the window's behaviour (viewer/qt/main_window.py), as Qt
Designer keeps a form's widgets apart from its code: the actions here call the
window's methods (open_dataset, export_png, playback...), which MainWindow defines.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from viewer.qt.date_box import DateBox
from viewer.qt.dialogs import plain_label
from viewer.qt.view_menus import ViewMenus

SPEEDS = (1, 7, 30, 90, 365)  # days per second offered in the speed box
DEFAULT_SPEED = 30


class WindowUi(QMainWindow):
    """The window's chrome: actions, menus, the toolbar in the timeline dock, the
    docks and the status bar, built by MainWindow.__init__ in that order."""

    def _action(self, text: str, slot, shortcut=None, icon=None, checkable: bool = False,
                needs_dataset: bool = True) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        action.setEnabled(not needs_dataset)
        if needs_dataset:
            self._dataset_actions.append(action)
        self.addAction(action)  # shortcuts work wherever the focus is in this window
        return action

    def _build_actions(self) -> None:
        pixmap = QStyle.StandardPixmap
        self._dataset_actions: list[QAction] = []
        self.open_action = self._action("&Open dataset…", self.choose_dataset,
                                        QKeySequence.StandardKey.Open, needs_dataset=False)
        self.database_action = self._action("Open &team database…", self.choose_database,
                                            needs_dataset=False)
        self.conflicts_action = self._action("Sync &conflicts…", self.show_conflicts)
        self.embedded_action = self._action("Open the built-in &Kachin briefing",
                                            lambda: self.open_dataset(self.embedded_dataset),
                                            needs_dataset=False)
        self.embedded_action.setEnabled(bool(self.embedded_dataset and
                                             Path(self.embedded_dataset).is_file()))
        self.export_png_action = self._action("&Export PNG…", self.export_png, "Ctrl+E")
        self.export_pack_action = self._action("Export key-event &pack…", self.export_pack)
        self.export_animation_action = self._action("Export &animation…", self.export_animation)
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit,
                                        needs_dataset=False)

        self.play_action = self._action("&Play", lambda: self.playback.toggle(), "Space",
                                        pixmap.SP_MediaPlay)
        self.loop_action = self._action("&Loop", lambda on: self.playback.set_loop(on), "L",
                                        pixmap.SP_BrowserReload, checkable=True)
        self.back_day_action = self._action("Back one &day", lambda: self.playback.step_days(-1),
                                            "Left", pixmap.SP_ArrowLeft)
        self.forward_day_action = self._action("Forward one d&ay", lambda: self.playback.step_days(1),
                                               "Right", pixmap.SP_ArrowRight)
        self.back_month_action = self._action("Back one &month",
                                              lambda: self.playback.step_months(-1), "Ctrl+Left")
        self.forward_month_action = self._action("Forward one mo&nth",
                                                 lambda: self.playback.step_months(1), "Ctrl+Right")
        self.previous_event_action = self._action("&Previous event",
                                                  lambda: self.playback.previous_event(),
                                                  "Shift+Left", pixmap.SP_MediaSeekBackward)
        self.next_event_action = self._action("&Next event", lambda: self.playback.next_event(),
                                              "Shift+Right", pixmap.SP_MediaSeekForward)
        self.start_action = self._action("Go to &start", lambda: self.playback.go_to_start(),
                                         "Home", pixmap.SP_MediaSkipBackward)
        self.end_action = self._action("Go to &end", lambda: self.playback.go_to_end(), "End",
                                       pixmap.SP_MediaSkipForward)

        self.present_action = self._action("&Present briefing", lambda: self.briefing.present(), "F5")
        self.in_point_action = self._action("Set &in point here", lambda: self._set_in_out(first=True), "I")
        self.out_point_action = self._action("Set &out point here", lambda: self._set_in_out(first=False), "O")
        self.clear_points_action = self._action("&Clear in and out points",
                                                lambda: self.state.set_play_range(None, None), "Shift+I")
        self.reset_map_action = self._action("&Reset map view (zones and routes)",
                                             lambda: self.map.reset_view(), "Ctrl+0")
        self.reset_map_action.setIconText("Zones and routes")
        self.region_action = self._action("&Whole region", lambda: self.map.show_whole_region(),
                                          "Ctrl+9")
        self.region_action.setIconText("Whole region")
        self.fit_timeline_action = self._action("&Fit timeline to the dataset",
                                                lambda: self.timeline.fit(), "Ctrl+Shift+0")
        self.fit_timeline_action.setIconText("All")
        self.focus_timeline_action = self._action("Timeline: &focus period",
                                                  lambda: self.timeline.show_focus(), "Ctrl+Shift+1")
        self.year_timeline_action = self._action("Timeline: one &year around the date",
                                                 lambda: self.timeline.show_year(), "Ctrl+Shift+2")
        self.year_timeline_action.setIconText("Year")
        self.legend_action = self._action("&Legend", lambda on: self.map.set_legend(legend=on),
                                          checkable=True)
        self.legend_collapsed_action = self._action(
            "C&ollapse legend", lambda on: self.map.set_legend(legend_collapsed=on), checkable=True)
        self.about_action = self._action("&About Kachin Viewer", self.show_about, needs_dataset=False)
        self.sources_action = self._action("&Data sources and licences", self.show_sources)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        file_menu.addAction(self.database_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addAction(self.embedded_action)
        file_menu.addAction(self.conflicts_action)
        file_menu.addSeparator()
        for action in (self.export_png_action, self.export_pack_action, self.export_animation_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        view_menu = bar.addMenu("&View")
        self.layers_menu = view_menu.addMenu("&Layers")
        self.series_menu = view_menu.addMenu("&Series")
        self.view_menus = ViewMenus(self, self.settings)
        view_menu.addSeparator()
        view_menu.addAction(self.reset_map_action)
        view_menu.addAction(self.region_action)
        view_menu.addSeparator()
        view_menu.addAction(self.legend_action)
        view_menu.addAction(self.legend_collapsed_action)
        self.legend_corner_menu = view_menu.addMenu("Legend &corner")
        self.legend_corner_menu.aboutToShow.connect(self.view_menus.fill_legend_corner_menu)
        view_menu.addSeparator()
        view_menu.addAction(self.focus_timeline_action)
        view_menu.addAction(self.year_timeline_action)
        view_menu.addAction(self.fit_timeline_action)
        view_menu.addAction(self.present_action)
        self.panels_menu = view_menu.addMenu("&Panels")

        play_menu = bar.addMenu("&Playback")
        for action in (self.play_action, self.loop_action, None, self.back_day_action,
                       self.forward_day_action, self.back_month_action, self.forward_month_action,
                       None, self.previous_event_action, self.next_event_action, None,
                       self.start_action, self.end_action, None, self.in_point_action,
                       self.out_point_action, self.clear_points_action):
            play_menu.addSeparator() if action is None else play_menu.addAction(action)

        self.analysis_menu = bar.addMenu("&Analysis")
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)
        help_menu.addAction(self.sources_action)
        self.editing.fill_menus(edit_menu, view_menu, help_menu)

    def _build_docks(self) -> None:
        self.transport = QToolBar("Playback")
        self.transport.setIconSize(self.transport.iconSize() * 0.9)
        # Filled with the window's colour, which is what lies behind it: the date box
        # changes at every scrub step, and an opaque toolbar spares Qt repainting the
        # dock and the window behind the box each time (0.3 ms a step).
        self.transport.setAutoFillBackground(True)
        for action in (self.start_action, self.previous_event_action, self.back_day_action,
                       self.play_action, self.forward_day_action, self.next_event_action,
                       self.end_action):
            self.transport.addAction(action)
        self.transport.addSeparator()
        self.speed_box = QComboBox()
        self.speed_box.setToolTip("Playback speed")
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed} day{'s' if speed > 1 else ''} per second", speed)
        self.speed_box.currentIndexChanged.connect(self._speed_chosen)
        self.transport.addWidget(self.speed_box)
        loop_button = QToolButton()
        loop_button.setDefaultAction(self.loop_action)
        loop_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.transport.addWidget(loop_button)
        self.transport.addSeparator()
        self.transport.addWidget(QLabel(" Date "))
        self.date_edit = DateBox()
        self.date_edit.setEnabled(False)
        self.date_edit.chosen.connect(self._date_typed)
        self.date_edit.refused.connect(lambda reason: self.statusBar().showMessage(reason, 10000))
        self.transport.addWidget(self.date_edit)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.transport.addWidget(spacer)
        self.transport.addWidget(QLabel(" Map "))
        self.transport.addAction(self.reset_map_action)
        self.transport.addAction(self.region_action)
        self.transport.addSeparator()
        self.transport.addWidget(QLabel(" Timeline "))
        for action in (self.focus_timeline_action, self.year_timeline_action, self.fit_timeline_action):
            self.transport.addAction(action)

        self.timeline_box = QWidget()
        timeline_layout = QVBoxLayout(self.timeline_box)
        timeline_layout.setContentsMargins(0, 0, 0, 0)
        timeline_layout.setSpacing(0)
        # At the top while the timeline is being made under it: it does not jump
        # away from a pointer already on its way to the date box.
        timeline_layout.addWidget(self.transport, alignment=Qt.AlignmentFlag.AlignTop)
        self.timeline_dock = self._dock("Timeline", "timeline", self.timeline_box,
                                        Qt.DockWidgetArea.BottomDockWidgetArea)
        self.details_box = QWidget()
        QVBoxLayout(self.details_box).setContentsMargins(0, 0, 0, 0)
        self.details_dock = self._dock("Details", "details", self.details_box,
                                       Qt.DockWidgetArea.RightDockWidgetArea)
        self.chapters_box = QWidget()
        QVBoxLayout(self.chapters_box).setContentsMargins(0, 0, 0, 0)
        self.chapters_dock = self._dock("Chapters", "chapters", self.chapters_box,
                                        Qt.DockWidgetArea.RightDockWidgetArea)
        # A tab beside Details: stacked, the two panels' minimum heights made small windows grow.
        self.tabifyDockWidget(self.details_dock, self.chapters_dock)
        self.details_dock.raise_()
        # Docked only when comparing starts (a tab beside the details): until then it
        # takes no room, so a small window keeps the size it was given.
        self.changes_dock = QDockWidget("Changes (compare)", self)
        self.changes_dock.setObjectName("changes")
        self.changes_dock.hide()

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # saveState/restoreState find docks by name
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.panels_menu.addAction(dock.toggleViewAction())
        return dock

    def _build_status_bar(self) -> None:
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setMaximumWidth(240)
        self.progress_bar.hide()
        self.warnings_button = QPushButton()
        self.warnings_button.setFlat(True)
        self.warnings_button.hide()
        self.warnings_button.clicked.connect(self._show_warnings)
        self.statusBar().addPermanentWidget(self.editing.recorded_label)
        self.settings_note = plain_label()
        self.settings_note.hide()
        self.statusBar().addPermanentWidget(self.settings_note)
        self.statusBar().addPermanentWidget(self.warnings_button)
        self.statusBar().addPermanentWidget(self.progress_bar)

