"""The window's briefing tools: the Chapters dock and presenter mode (F5).

Kept out of the main window, which only places the dock, adds the action to
its View menu and hands over the state, the map and the edit session when a
dataset opens.
"""
from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QVBoxLayout, QWidget

from viewer.model.briefing import Chapter, find_briefing
from viewer.model.state import MAP_LAYERS
from viewer.qt.chapters_panel import ChaptersPanel
from viewer.qt.presenter import Presenter


class BriefingControls:
    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.box = QWidget()
        QVBoxLayout(self.box).setContentsMargins(0, 0, 0, 0)
        self.panel: ChaptersPanel | None = None
        self.presenter: Presenter | None = None
        self.state = self.map = None
        self.present_action = QAction("&Present briefing", window)
        self.present_action.setShortcut(QKeySequence("F5"))
        self.present_action.setToolTip("The briefing's chapters full screen; Esc leaves")
        self.present_action.triggered.connect(lambda: self.present(self._start_index()))
        self.present_action.setEnabled(False)
        window.addAction(self.present_action)

    def opened(self, state, map_canvas, session) -> None:
        """A dataset is shown: a panel over its state, edits going to `session`."""
        self.state, self.map = state, map_canvas
        if self.panel is not None:
            self.panel.deleteLater()
        self.panel = ChaptersPanel(state, session, self._visible_box)
        self.panel.present_requested.connect(self.present)
        self.panel.view_requested.connect(self.show_chapter)
        self.box.layout().addWidget(self.panel)
        state.dataset_changed.connect(lambda _dataset: self._enable())
        self._enable()

    def _enable(self) -> None:
        self.present_action.setEnabled(any(b.chapters for b in self.state.dataset.briefings))

    def _visible_box(self) -> tuple[float, float, float, float]:
        return self.map.renderer.lonlat_of(self.map.view_extent())

    def _start_index(self) -> int:
        return max(self.panel.chapters.currentRow(), 0) if self.panel else 0

    def show_chapter(self, chapter: Chapter) -> None:
        """The chapter's date, layers and extent in the window."""
        visible = chapter.layer_visibility() or {name: True for name in MAP_LAYERS}
        for name, shown in visible.items():
            self.state.set_layer_visible(name, shown)
        self.state.set_date(chapter.date)
        if chapter.extent is None:
            self.map.reset_view()
        else:
            self.map.show_extent(self.map.renderer.extent_from_lonlat(*chapter.extent))

    def present(self, index: int = 0) -> None:
        """Full screen from chapter `index` of the briefing shown in the panel."""
        briefing = self.panel.briefing() if self.panel else None
        if briefing is None or not briefing.chapters:
            return
        briefing = find_briefing(self.state.dataset.briefings, briefing.briefing_id)
        # Its own caches over the map's prepared shapes: the window's frames stay valid.
        self.presenter = Presenter(self.map.renderer.for_another_thread(), briefing, index)
        self.presenter.closed.connect(self._presenter_closed)
        self.presenter.showFullScreen()

    def _presenter_closed(self) -> None:
        chapter = self.presenter.chapter
        self.presenter.deleteLater()
        self.presenter = None
        self.show_chapter(chapter)   # the window carries on where the briefing stopped
        self.window.activateWindow()
