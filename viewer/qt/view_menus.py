"""The View menu's parts that follow the state: layers, series and the legend.

They show what the state and the map show, write the user's choices back, and
remember them in settings for the next session.
"""
from __future__ import annotations

from PySide6.QtCore import QSettings

from viewer.qt.dialogs import plain_menu_text

# A window shorter than this (a laptop's 768 px; 900 px, or 1800 at twice the scale,
# where the legend's two columns covered the eastern zones) opens with the legend
# collapsed to its tab; one click opens it. A choice the user made (collapse,
# expand) is kept whatever the window's size.
SHORT_WINDOW = 960
LAYER_LABELS = {"base": "Base map", "control": "Control areas", "flows": "Export routes",
                "places": "Places", "labels": "Labels", "events": "Events on the map"}


class ViewMenus:
    """Fills and follows `window`'s layers_menu, series_menu, legend_action,
    legend_collapsed_action and legend_corner_menu."""

    def __init__(self, window, settings: QSettings) -> None:
        self.window = window
        self.settings = settings
        self.state = None
        self.map = None

    def attach(self, state, map_canvas) -> None:
        """The window's state and map, made before the first dataset: apply the saved
        layer and legend choices, then follow them (the saved series are applied by
        `ViewerState.set_dataset`; the series menu is filled as it opens)."""
        self.state, self.map = state, map_canvas
        self._apply_saved_layers()
        short = self.window.height() < SHORT_WINDOW
        map_canvas.set_legend(
            legend=self.settings.value("view/legend", True, type=bool),
            legend_corner=str(self.settings.value("view/legend_corner", "top-right")),
            legend_collapsed=self.settings.value("view/legend_collapsed", short, type=bool))
        map_canvas.legend_changed.connect(self._legend_changed)
        state.layers_changed.connect(self._layers_changed)
        state.series_changed.connect(self._series_changed)
        self._check_legend_actions()
        self._fill_layers_menu()
        self._series_menu_lists = False   # the state's dataset's series (filled as it opens)
        state.dataset_changed.connect(self._series_menu_outdated)
        self.window.series_menu.aboutToShow.connect(self._fill_series_menu)

    # -- layers ---------------------------------------------------------------
    def _fill_layers_menu(self) -> None:
        menu = self.window.layers_menu
        menu.clear()
        for name, visible in self.state.layers.items():
            action = menu.addAction(LAYER_LABELS.get(name, name.title()))
            action.setCheckable(True)
            action.setChecked(visible)
            action.setData(name)
            action.triggered.connect(lambda on, n=name: self.state.set_layer_visible(n, on))

    def _layers_changed(self) -> None:
        for action in self.window.layers_menu.actions():
            action.setChecked(self.state.layers.get(action.data(), True))
        hidden = [name for name, visible in self.state.layers.items() if not visible]
        self.settings.setValue("view/hidden_layers", hidden)

    def _apply_saved_layers(self) -> None:
        for name in self.settings.value("view/hidden_layers", [], type=list):
            if name in self.state.layers:
                self.state.set_layer_visible(name, False)

    # -- series ---------------------------------------------------------------
    def _fill_series_menu(self) -> None:
        """The dataset's series, listed as the menu opens: naming them groups every
        series' points (~35 ms of the embedded dataset's start-up before the map)."""
        from viewer.model.timeline import series_name, unit_label

        dataset = self.state.dataset
        if dataset is None or self._series_menu_lists:
            return
        self._series_menu_lists = True
        menu = self.window.series_menu
        menu.clear()
        for key in dataset.series_keys():
            labels = dataset.series_points(key)["label"].astype(str).tolist()
            action = menu.addAction(plain_menu_text(f"{series_name(labels) or key.series_id} [{unit_label(key.unit)}]"))
            action.setCheckable(True)
            action.setChecked(key in self.state.visible_series)
            action.triggered.connect(lambda on, k=key: self.state.set_series_visible(k, on))
            action.setData(key)
        if menu.isEmpty():
            menu.addAction("This dataset has no series").setEnabled(False)

    def _series_menu_outdated(self, _dataset) -> None:
        """Another dataset (or an edit): listed when the menu next opens. No reference to
        it is kept here: a closed briefing's frames (~100 MB at 100x) are let go."""
        self._series_menu_lists = False

    def _series_changed(self) -> None:
        for action in self.window.series_menu.actions():
            if action.data() is not None:
                action.setChecked(action.data() in self.state.visible_series)
        self.settings.setValue("view/series", [key.name for key in self.state.visible_series])

    # -- the legend -------------------------------------------------------------
    def _check_legend_actions(self) -> None:
        decorations = self.map.decorations
        self.window.legend_action.setChecked(decorations.legend)
        self.window.legend_collapsed_action.setChecked(decorations.legend_collapsed)

    def _legend_changed(self) -> None:
        """The user changed the legend: show it in the menu and remember it."""
        self._check_legend_actions()
        decorations = self.map.decorations
        self.settings.setValue("view/legend", decorations.legend)
        self.settings.setValue("view/legend_corner", decorations.legend_corner)
        self.settings.setValue("view/legend_collapsed", decorations.legend_collapsed)

    def fill_legend_corner_menu(self) -> None:
        from viewer.render.overlay import CORNERS

        menu = self.window.legend_corner_menu
        menu.clear()
        for corner in CORNERS:
            action = menu.addAction(corner.replace("-", " ").capitalize())
            action.setCheckable(True)
            action.setChecked(self.map is not None and corner == self.map.decorations.legend_corner)
            action.setEnabled(self.map is not None)
            action.triggered.connect(lambda _on=False, c=corner: self.map.set_legend(legend_corner=c))
