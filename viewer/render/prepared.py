"""The prepared map: everything drawing needs that depends only on the dataset.

Projecting every vertex and turning geometry into paths is the costly part of
showing a dataset, and it does not change while the file does not. It is done
once, off the GUI thread (the loader calls `prepared_map` on its worker), and
the result is only read afterwards: the window's map and every export share
one `PreparedMap`, each drawing through a `MapRenderer` of its own (which
holds that surface's image caches).
"""
from __future__ import annotations

import threading
import time

import numpy as np
import shapely

from viewer.model.dataset import Dataset
from viewer.model.unknowns import Unknowns, current_to_text
from viewer.render import style
from viewer.render.flow_layer import FlowLayer
from viewer.render.layers import BaseLayer, ControlLayer, MapLayer
from viewer.render.overlay import LegendContent
from viewer.render.point_layers import EventLayer, PlaceLayer
from viewer.render.projection import BASE_MARGIN_DEGREES, Extent, Projector
from viewer.render.unknown import NoInfoLayer

# Event markers show what happened in this many days up to the shown date.
RECENT_EVENT_DAYS = 30
DEFAULT_PADDING = 0.05
# The background warm-up waits until no frame was drawn for this long.
WARM_UP_QUIET_S = 0.1


class PreparedMap:
    """A dataset's layers projected and turned into paths; read-only once built."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        data_box = _data_lonlat_box(dataset)
        self.center = ((data_box[0] + data_box[2]) / 2, (data_box[1] + data_box[3]) / 2)
        self.projector = Projector.for_lonlat(*self.center)
        self.places = PlaceLayer(dataset.places, self.projector, _route_ends(dataset))
        place_xy = self.places.xy()
        self.control = ControlLayer(dataset.control, self.projector)
        self.unknowns = Unknowns(dataset)
        current_to = dataset.data_current_to
        self.current_to = current_to_text(current_to) if current_to else ""
        self.areas = NoInfoLayer(self.unknowns.zones, self.projector)  # zones with no control row
        self.flows = FlowLayer(dataset.flows, self.projector, place_xy)
        self.events = EventLayer(dataset.events, self.projector, place_xy, dataset.event_known_days)
        clip = (self.center[0] - BASE_MARGIN_DEGREES, self.center[1] - BASE_MARGIN_DEGREES,
                self.center[0] + BASE_MARGIN_DEGREES, self.center[1] + BASE_MARGIN_DEGREES)
        self.base = [BaseLayer(name, frame, self.projector, clip, self.center)
                     for name, frame in sorted(dataset.base_layers.items(), key=_base_order)]
        # The layers a click can select, by the name a Selection carries.
        self.layers: dict[str, MapLayer] = {"control": self.control, "areas": self.areas,
                                            "flows": self.flows, "places": self.places,
                                            "events": self.events}
        self._row_of = {name: {rid: i for i, rid in enumerate(layer.ids)}
                        for name, layer in self.layers.items()}
        self.default_extent = self._content_extent()
        self.disputed = any(layer.style.kind == "disputed" for layer in self.base)
        zone_kinds = dataset.areas["kind"].astype(str) if "kind" in dataset.areas.columns else []
        self.zones = any("zone" in k for k in zone_kinds)
        sources = dataset.sources
        self.outlets = dict(zip(sources["source_id"].astype(str),
                                sources["outlet"].fillna(sources["source_id"]).astype(str)))
        self.colors = dict(zip(dataset.actors["actor_id"], dataset.actors["color"]))
        # In the file's order, for the legend: the column read from the frame took ~0.1 ms a frame.
        self.actor_ids = tuple(dataset.actors["actor_id"])
        self._warming = False
        self._drawn_at = float("-inf")   # time.monotonic() of the last frame drawn

    def drawing(self) -> None:
        """A frame is being drawn: the warm-up waits until frames stop coming."""
        self._drawn_at = time.monotonic()

    def warm_up_in_background(self, first_metres_per_pixel: float) -> None:
        """Once the first frame is drawn: build, on a thread of its own, the
        simplified paths other whole-map zooms will need (the first frame built
        only its own level), so zooming out later does not stall.

        The level drawn at `first_metres_per_pixel` (the scrubbing drafts') comes
        first; the others only while no frame is being drawn: the thread shares the
        interpreter lock with the GUI, and scrubbed frames drawn beside it took
        half as long again (100x, the first second after opening)."""
        with _last_lock:
            if self._warming:
                return
            self._warming = True
        paths = [self.control.paths, self.flows.paths] + [layer.paths for layer in self.base]

        def warm_up() -> None:
            for each in paths:
                each.warm_level(first_metres_per_pixel)
            for each in paths:
                each.warm_up(self._wait_while_drawing)

        threading.Thread(target=warm_up, daemon=True, name="kachin-viewer-warm-up").start()

    def _wait_while_drawing(self) -> None:
        while time.monotonic() - self._drawn_at < WARM_UP_QUIET_S:
            time.sleep(WARM_UP_QUIET_S / 2)

    def row_of(self, layer: str, row_id: str) -> int | None:
        """The row of `row_id` in a selectable layer, None if there is none."""
        return self._row_of.get(layer, {}).get(str(row_id))

    def _content_extent(self) -> Extent:
        """Control areas and routes with a margin (where the story is), else places,
        else base layers, else a 100 km box around the zone's centre."""
        for bounds in (np.vstack([self.control.paths.bounds, self.flows.paths.bounds]),
                       np.column_stack([self.places.x, self.places.y, self.places.x, self.places.y]),
                       np.vstack([layer.paths.bounds for layer in self.base] or [np.full((1, 4), np.nan)])):
            extent = Extent.of_bounds(bounds)
            if extent is not None and not extent.is_empty():
                return extent.padded(DEFAULT_PADDING)
        x, y = self.projector.points([self.center[0]], [self.center[1]])
        return Extent(x[0] - 50_000, y[0] - 50_000, x[0] + 50_000, y[0] + 50_000)

    # -- legend ------------------------------------------------------------------
    def all_legend_content(self, dense: bool = False) -> LegendContent:
        """The legend as big as any date makes it."""
        return self.legend_for(np.arange(len(self.control.ids)), np.arange(len(self.flows.ids)),
                               len(self.events.ids) > 0, np.arange(len(self.places.ids)), dense,
                               no_info=len(self.areas.ids) > 0, unknown_routes=len(self.flows.ids) > 0,
                               disputed=self.disputed)

    def legend_for(self, control_rows, flow_rows, events: bool, place_rows, dense: bool,
                   no_info: bool = False, unknown_routes: bool = False,
                   disputed: bool = False) -> LegendContent:
        """Legend entries for these rows being shown."""
        dataset = self.dataset
        control, flows = self.control, self.flows
        control_rows = np.asarray(control_rows, dtype=int)
        flow_rows = np.asarray(flow_rows, dtype=int)
        # Through the rows' numbered keys: a few dozen distinct keys, not thousands of rows.
        keys = [control.legend_keys[k] for k in np.unique(control.legend_key_of_row[control_rows])]
        held = {actor for actor, _second, _contested, _confidence in keys}
        held |= {second for _actor, second, _contested, _confidence in keys}
        actors = tuple((dataset.actor_name(a), dataset.actor_color(a))
                       for a in self.actor_ids if a in held)
        contested_rows = control_rows[control.contested_key[control.legend_key_of_row[control_rows]]]
        contested = None
        if len(contested_rows):
            row = contested_rows[0]
            contested = (dataset.actor_color(control.actors[row]),
                         dataset.actor_color(control.contested_with[row]))
        confidences = {confidence for _actor, _second, _contested, confidence in keys}
        looks = [flows.looks[k] for k in np.unique(flows.look_of_row[flow_rows])]
        statuses = {status for status, _confidence, _width in looks}
        route_confidences = {confidence for _status, confidence, _width in looks}
        known = flows.known_volume[flow_rows]
        kinds = set(self.places.kinds[np.asarray(place_rows, dtype=int)])
        return LegendContent(
            actors=actors,
            confidences=tuple(c for c in style.CONFIDENCE_ORDER if c in confidences),
            contested=contested,
            no_info=no_info,
            disputed=disputed,
            flow_statuses=tuple(s for s in style.FLOW_STATUS_ORDER if s in statuses),
            unknown_routes=unknown_routes,
            route_confidences=tuple(c for c in style.ROUTE_CONFIDENCE_ORDER if c in route_confidences),
            unknown_volume=bool(len(known) and not known.all()),
            known_volume=bool(known.any()),
            dense_routes=dense and len(flow_rows) > 0,
            place_kinds=tuple(k for k in style.PLACE_KIND_ORDER if k in kinds),
            event_window_days=RECENT_EVENT_DAYS if events else 0,
            zone_note=self.zones and len(control_rows) > 0,
        )


# The last dataset prepared: the loader prepares a dataset on its worker and the
# window's map picks it up here. One is enough (a window shows one dataset) and
# keeps a replaced dataset's paths from staying alive.
_last: PreparedMap | None = None
_last_lock = threading.Lock()


def prepared_map(dataset: Dataset) -> PreparedMap:
    """The dataset's PreparedMap: the one made last if it is this dataset's, else a new one."""
    global _last
    with _last_lock:
        if _last is None or _last.dataset is not dataset:
            _last = PreparedMap(dataset)
        return _last


def _route_ends(dataset: Dataset) -> set[str]:
    flows = dataset.flows
    ends = set()
    for column in ("from_place_id", "to_place_id"):
        if column in flows.columns:
            ends |= {str(v) for v in flows[column].dropna()}
    return ends


def _base_order(item) -> int:
    """Draw context (whole-country) layers first, then land, water, then lines."""
    name = item[0]
    if any(word in name for word in ("context", "whole", "simplified")):
        return -1
    for rank, key in enumerate(("countr", "disputed_area", "lake", "river", "road", "admin1",
                                "disputed", "border", "boundar")):
        if key in name:
            return rank
    return 4


def _data_lonlat_box(dataset: Dataset) -> tuple[float, float, float, float]:
    """Lon/lat bounds of control and routes, else places, else base layers."""
    candidates = [np.vstack([shapely.bounds(dataset.control.geometry.array),
                             shapely.bounds(dataset.flows.geometry.array)]),
                  shapely.bounds(dataset.places.geometry.array)]
    candidates += [shapely.bounds(frame.geometry.array) for frame in dataset.base_layers.values()]
    for bounds in candidates:
        extent = Extent.of_bounds(bounds)
        if extent is not None:
            return extent.as_tuple()
    return (0.0, 0.0, 0.0, 0.0)
