"""What a view shows on a day, without drawing it: the rows that hold and are in
view, the zones and routes the data is silent on, the legend's entries and the
sources behind what is shown. A MapRenderer asks it for every frame; exports ask
it (through the renderer) for their footers and source lists.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np

from viewer import __version__
from viewer.model.dataset import FEATURE_COLUMNS, split_ids
from viewer.model.state import Selection
from viewer.render.layers import Frame, KeptForViews
from viewer.render.legend import LegendContent
from viewer.render.prepared import RECENT_EVENT_DAYS, PreparedMap
from viewer.render.projection import Extent
from viewer.render.route_marks import DENSE_ROUTES
from viewer.render.view import MapView


class ShownRows:
    """Queries over one PreparedMap; keeps only whether the last view was dense."""

    def __init__(self, prepared: PreparedMap) -> None:
        self.prepared = prepared
        self._dense_cache: tuple[Extent, bool] | None = None
        self._kinds = KeptForViews()     # see _place_kinds_in_view
        self._in_view = KeptForViews()   # see _rows_in_view

    def event_range(self, day: int, layers: dict) -> tuple[int, int]:
        """The recent events' span (`EventLayer.rows_in`): equal spans, the same markers."""
        if not layers["events"]:
            return (0, 0)
        return self.prepared.events.known_span(day - RECENT_EVENT_DAYS + 1, day)

    def rows(self, day: int, layers: dict) -> dict[str, np.ndarray]:
        empty = np.array([], dtype=int)
        events = self.prepared.events.rows_in(self.event_range(day, layers))
        return {
            "control": self.prepared.dataset.control_index.indices(day) if layers["control"] else empty,
            "flows": self.prepared.dataset.flow_index.indices(day) if layers["flows"] else empty,
            "events": events,
        }

    def visible_rows(self, view: MapView, day: int, layers: dict,
                     rows: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """`rows` (those of `day`, if given) that touch the view."""
        rows = self.rows(day, layers) if rows is None else rows
        in_view = self._rows_in_view(view)
        box = view.extent.as_tuple()
        return {
            "control": rows["control"][in_view["control"][rows["control"]]],
            "flows": rows["flows"][in_view["flows"][rows["flows"]]],
            "events": rows["events"][_inside(self.prepared.events.x[rows["events"]],
                                             self.prepared.events.y[rows["events"]], box)],
        }

    def _rows_in_view(self, view: MapView) -> dict[str, np.ndarray]:
        """Which rows of control, routes and zones (areas) touch the view, kept per view:
        testing the day's rows' boxes took ~0.15 ms of each frame's legend at 100x."""
        def touching(bounds: np.ndarray) -> np.ndarray:
            mask = np.zeros(len(bounds), dtype=bool)
            mask[_touching(bounds, np.arange(len(bounds)), view.extent.as_tuple())] = True
            return mask

        prepared = self.prepared
        return self._in_view.get(view, lambda: {
            "control": touching(prepared.control.paths.bounds), "flows": touching(prepared.flows.paths.bounds),
            "areas": touching(prepared.areas.paths.bounds)})

    def dense(self, view: MapView) -> bool:
        """Whether this view ever shows more than DENSE_ROUTES routes at once: decided
        per view, not per date, so routes keep their look while scrubbing."""
        if self._dense_cache is None or self._dense_cache[0] != view.extent:
            in_view = _touching(self.prepared.flows.paths.bounds, np.arange(len(self.prepared.flows.ids)),
                                view.extent.as_tuple())
            self._dense_cache = (view.extent, self.prepared.dataset.flow_index.peak_count(in_view) > DENSE_ROUTES)
        return self._dense_cache[1]

    def selected_row(self, selection: Selection | None, day: dt.date) -> tuple[str, int] | None:
        """The selected feature's layer and row on `day`: a zone or route is outlined
        as it is then, a zone no row covers as the no-information shape."""
        if selection is None or selection.layer not in FEATURE_COLUMNS:
            return None
        row = self.prepared.dataset.holding_row(selection.layer, selection.feature_id, day)
        if row is not None:
            return selection.layer, row
        no_info = self.prepared.row_of("areas", selection.feature_id) if selection.layer == "control" else None
        return None if no_info is None else ("areas", no_info)

    def legend_content(self, view: MapView, day: int, layers: dict) -> LegendContent:
        rows = self.rows(day, layers)
        visible = self.visible_rows(view, day, layers, rows)
        # Only with a marker on the map: the entry stood on every map, eight months
        # after the last event too. (Its window's rows are the footer's too: a frame
        # is drawn again when they change, whatever the legend.)
        events = layers["events"] and len(visible["events"]) > 0
        in_view = self._rows_in_view(view)
        zones, routes = self.unknowns(rows, layers)
        return self.prepared.legend_for(
            visible["control"], visible["flows"], events,
            self._place_kinds_in_view(view) if layers["places"] else [], self.dense(view),
            no_info=bool(in_view["areas"][zones].any()),
            unknown_routes=bool(in_view["flows"][routes].any()),
            disputed=layers["base"] and self.prepared.disputed)

    def _place_kinds_in_view(self, view: MapView) -> np.ndarray:
        """A place in view of each kind there, all the legend needs of the places: the
        kinds of all of them took 0.2 ms of each frame's legend at 100x (6,000 places)."""
        return self._kinds.get(view, lambda: self._one_place_of_each_kind(view))

    def _one_place_of_each_kind(self, view: MapView) -> np.ndarray:
        places = self.prepared.places
        rows = places.in_view(Frame.of(view))
        kinds = np.unique(places.kinds[rows].astype(str), return_index=True)[1] if len(rows) else []
        return rows[kinds]

    def unknowns(self, rows: dict[str, np.ndarray], layers: dict) -> tuple[np.ndarray, np.ndarray]:
        """Zones (rows of `areas`) and routes (sample rows of `flows`) the data is silent on."""
        unknowns = self.prepared.unknowns
        zones = (unknowns.zones_without_control(rows["control"]) if layers["control"]
                 else np.array([], dtype=int))
        routes = (unknowns.unknown_route_rows(rows["flows"]) if layers["flows"]
                  else np.array([], dtype=int))
        return zones, routes

    def source_ids(self, view: MapView, day: int, layers: dict) -> list[str]:
        """Ids of the sources behind the control, routes and events in view on `day`."""
        visible = self.visible_rows(view, day, layers)
        ids: list[str] = []
        for layer, rows in (("control", visible["control"]), ("flows", visible["flows"]),
                            ("events", visible["events"])):
            for cell in self.prepared.layers[layer].source_ids[rows]:
                ids += [i for i in split_ids(cell) if i not in ids]
        return ids

    def footer_lines(self, view: MapView, day: int, layers: dict) -> tuple[str, str]:
        visible = self.visible_rows(view, day, layers)
        counts: Counter = Counter()
        for layer in ("control", "flows", "events"):
            for cell in self.prepared.layers[layer].source_ids[visible[layer]]:
                counts.update(self.prepared.outlets.get(i, i) for i in split_ids(cell))
        outlets = ", ".join(f"{name} ({n})" if n > 1 else name for name, n in counts.most_common())
        sources = f"Sources for what is shown: {outlets}" if outlets else "Sources: none for what is shown"
        meta = self.prepared.dataset.meta
        credits = [meta.get("attribution") or "", f"Licence: {meta['license']}" if meta.get("license") else "",
                   f"{self.prepared.projector.crs.name}", f"Kachin Viewer {__version__}"]
        return sources, " · ".join(c for c in credits if c)


def _touching(bounds: np.ndarray, rows: np.ndarray, box: tuple) -> np.ndarray:
    b = bounds[rows]
    xmin, ymin, xmax, ymax = box
    return rows[(b[:, 0] <= xmax) & (b[:, 2] >= xmin) & (b[:, 1] <= ymax) & (b[:, 3] >= ymin)]


def _inside(x: np.ndarray, y: np.ndarray, box: tuple) -> np.ndarray:
    xmin, ymin, xmax, ymax = box
    return (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)
