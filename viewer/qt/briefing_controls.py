"""The window's briefing tools: the Chapters dock and presenter mode (F5).

Kept out of the main window, which only places the dock, adds the F5 action
to its View menu and hands over the state, the map and the edit session once
the first dataset is shown.
"""
from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QWidget

from viewer.model.briefing import Chapter
from viewer.model.state import MAP_LAYERS
from viewer.qt.chapters_panel import ChaptersPanel
from viewer.qt.presenter import Presenter
from viewer.render.renderer import MapRenderer


class BriefingControls:
    """The Chapters panel in `box` over `state`, edits going to `session`, and
    presenting (the window's F5 action calls `present`)."""

    def __init__(self, window: QMainWindow, box: QWidget, state, map_canvas, session) -> None:
        self.window, self.state, self.map = window, state, map_canvas
        self.presenter: Presenter | None = None
        self.panel = ChaptersPanel(state, session, self._visible_box)
        self.panel.present_requested.connect(self.present)
        self.panel.view_requested.connect(self.show_chapter)
        box.layout().addWidget(self.panel)

    def _visible_box(self) -> tuple[float, float, float, float]:
        return self.map.renderer.lonlat_of(self.map.view_extent())

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

    def present(self, index: int | None = None) -> None:
        """Full screen from chapter `index` (default: the one selected in the panel)."""
        briefing = self.panel.briefing()
        if briefing is None or not briefing.chapters:
            self.window.statusBar().showMessage(
                "This dataset has no briefing yet: add views in the Chapters panel first", 10000)
            return
        if index is None:
            index = max(self.panel.chapters.currentRow(), 0)
        # Its own caches over the map's prepared shapes: the window's frames stay valid.
        self.presenter = Presenter(MapRenderer(self.map.renderer.prepared), briefing, index)
        self.presenter.closed.connect(self._presenter_closed)
        # The window's screen, sized first: without a window manager (a kiosk, Xvfb)
        # showFullScreen alone leaves a small window.
        self.presenter.setGeometry(self.window.screen().geometry())
        self.presenter.showFullScreen()
        self.presenter.activateWindow()

    def _presenter_closed(self) -> None:
        chapter = self.presenter.chapter
        self.presenter.deleteLater()
        self.presenter = None
        self.show_chapter(chapter)   # the window carries on where the briefing stopped
        self.window.activateWindow()
