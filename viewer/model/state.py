"""The one state every view reads: the current date, layers, series, selection."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from psygnal import Signal

from viewer.model.dataset import FEATURE_COLUMNS, Dataset, SeriesKey, split_ids
from viewer.model.dates import to_day
from viewer.model.names import MAP_LAYERS



@dataclass(frozen=True)
class Selection:
    """What the user clicked: a zone, route, place or event, not one dated row.

    `feature_id` is, by layer: control -> the zone's `area_id`, flows -> the
    `route_id`, places -> `place_id`, events -> `event_id` (a row's own id when
    it names no area or route; see `Dataset.feature_rows`). Views ask the
    dataset which of the feature's rows holds on the current date.
    """

    layer: str
    feature_id: str


def default_series(dataset: Dataset, count: int = 2) -> list[SeriesKey]:
    """The series the dataset suggests (`default_series` in dataset_meta, a `;`-list
    of `series_id [unit]`), else the ones with the most points in its time range."""
    keys = dataset.series_keys()
    suggested = [k for k in keys if k.name in split_ids(dataset.meta.get("default_series"))]
    if suggested:
        return suggested
    start, end = to_day(dataset.time_start), to_day(dataset.last_day)
    in_range = {}
    for key in keys:
        days = dataset.series_points(key)["day"]
        in_range[key] = int(((days >= start) & (days <= end)).sum())
    ranked = sorted(keys, key=in_range.get, reverse=True)
    return [k for k in ranked[:count] if in_range[k] > 0]


class ViewerState:
    """Owns the current date and what is shown; emits only on real change.

    It can start empty (no dataset): views are built once over it and take
    every dataset from `dataset_changed`. `set_date` is the only writer of the
    date: it clamps to the dataset's range and returns early when the date is
    unchanged, so views that both write and listen can never echo.

    Signals are psygnal's (as napari's models use): no Qt here, callbacks held
    weakly where they are bound methods, and a wrong callback signature is
    refused at `connect` rather than at the first emit.
    """

    date_changed = Signal(object)        # the new date
    dataset_changed = Signal(object)     # the new dataset; date, series and selection are new too
    layers_changed = Signal()
    series_changed = Signal()
    selection_changed = Signal(object)   # the new Selection or None
    play_range_changed = Signal(object)  # the new (in, out) dates or None

    def __init__(self, dataset: Dataset | None = None) -> None:
        self.layers = {name: True for name in MAP_LAYERS}
        self.dataset: Dataset | None = None
        self._date: dt.date | None = None
        self.visible_series: list[SeriesKey] = []
        self.selection: Selection | None = None
        self.play_range: tuple[dt.date, dt.date] | None = None   # in and out points
        if dataset is not None:
            self._install(dataset, None, ())

    def _install(self, dataset: Dataset, date: dt.date | None, series: Iterable[str]) -> None:
        self.dataset = dataset
        self._date = self._clamp(date) if date is not None else dataset.default_date
        keys = dataset.series_keys()
        chosen = [key for key in keys if key.name in set(series)]
        self.visible_series = chosen or default_series(dataset)
        self.selection = None
        self.play_range = None

    # -- dataset ----------------------------------------------------------
    def set_dataset(self, dataset: Dataset, date: dt.date | None = None,
                    series: Iterable[str] = ()) -> None:
        """Show `dataset` at `date` (clamped; else its default date), with the series
        named in `series` where it has any of them (else its suggestion), nothing
        selected and no in and out points. Announced once, as `dataset_changed`: views rebuild once."""
        self._install(dataset, date, series)
        self.dataset_changed.emit(dataset)

    def update_dataset(self, dataset: Dataset) -> None:
        """The same briefing with edits applied or undone: date, layers, series and
        selection stay; views redraw it (the map keeps its view of the same file)."""
        self.dataset = dataset
        self.dataset_changed.emit(dataset)
        self.date_changed.emit(self._date)
        self.selection_changed.emit(self.selection)

    # -- date -------------------------------------------------------------
    @property
    def date(self) -> dt.date | None:
        """The date shown; None while there is no dataset."""
        return self._date

    def _clamp(self, date: dt.date) -> dt.date:
        return min(max(date, self.dataset.time_start), self.dataset.last_day)

    def set_date(self, date: dt.date) -> bool:
        """Move to `date` (clamped); True when it changed and was announced."""
        if self.dataset is None:
            return False
        date = self._clamp(date)
        if date == self._date:
            return False
        self._date = date
        self.date_changed.emit(date)
        return True

    # -- in and out points: the range playback and exports run over ------
    def set_play_range(self, first: dt.date | None, last: dt.date | None) -> None:
        """Play and export from `first` to `last` (clamped, in order); None, None clears."""
        if first is None or last is None:
            chosen = None
        else:
            first, last = sorted((self._clamp(first), self._clamp(last)))
            chosen = (first, last) if first < last else None
        if chosen != self.play_range:
            self.play_range = chosen
            self.play_range_changed.emit(chosen)

    def play_bounds(self) -> tuple[dt.date, dt.date]:
        """The in and out points, else the dataset's whole range."""
        return self.play_range or (self.dataset.time_start, self.dataset.last_day)

    # -- layers, series, selection ----------------------------------------
    def set_layer_visible(self, name: str, visible: bool) -> None:
        if self.layers.get(name) == visible:
            return
        self.layers[name] = visible
        self.layers_changed.emit()

    def set_series_visible(self, key: SeriesKey, visible: bool) -> None:
        if (key in self.visible_series) == visible:
            return
        if visible:
            self.visible_series.append(key)
        else:
            self.visible_series.remove(key)
        self.series_changed.emit()

    def selected_row_id(self) -> str | None:
        """The dated row behind the selection on the current date (what an edit corrects):
        a zone's or route's row holding then, else its latest; a place's or event's own id
        (and the selected id itself when the dataset has no row of it: an edit refuses it)."""
        selection = self.selection
        if selection is None or selection.layer not in FEATURE_COLUMNS:
            return None
        row = self.dataset.holding_row(selection.layer, selection.feature_id, self._date)
        if row is None:
            rows = self.dataset.feature_rows(selection.layer, selection.feature_id)
            if not len(rows):
                return selection.feature_id
            row = int(rows[-1])
        return self.dataset.row_id(selection.layer, row)

    def select(self, selection: Selection | None) -> None:
        if selection == self.selection:
            return
        self.selection = selection
        self.selection_changed.emit(selection)
