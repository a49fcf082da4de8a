"""MapRenderer: one drawing surface's view of a shared PreparedMap.

Work is split by lifetime:
- per dataset: every geometry projected and turned into paths, once, off the
  GUI thread (prepared.py); shared read-only by the window and every export;
- per surface (this class: the window's map, each export) and per view (pan,
  zoom, resize): base layers drawn into cached images, labels placed;
- per set of holding rows: control (between the base layers) and routes each
  kept as an image (layer_cache.py) that a date change patches where rows
  started or ended; both, the legend and the overlays drawn into a cached
  frame, which a date change that keeps the same rows reuses;
- per date and selection: event markers, the selection and the "as of" label
  are drawn on top of that frame, so clicking redraws no layer.

While the user scrubs, the window asks for drafts: control and routes drawn
at half the pixels each way (some four times less work) and enlarged, from
the same rows in the same looks, with everything else (places, labels,
panels, markers) at full quality. A draft keeps caches of its own, so the
full frame drawn once the dates stop changing is the one an export draws.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QRegion, QTransform

from viewer.model.dataset import Dataset
from viewer.model.dates import from_day, to_day
from viewer.model.state import MAP_LAYERS, Selection
from viewer.model.unknowns import current_to_mark
from viewer.render import framing, style
from viewer.render.layer_cache import LayerCache, reaching_clip
from viewer.render.enlarged_draft import EnlargedDraft
from viewer.render.layers import Frame
from viewer.render.legend import LegendContent
from viewer.render.map_overlay import MapOverlay
from viewer.render.places_image import PlacesImage
from viewer.render.overlay import (EXPORT, SCREEN, Decorations, OverlayLayout, date_label)
from viewer.render.prepared import PreparedMap, prepared_map
from viewer.render.projection import Extent
from viewer.render.shown_rows import ShownRows
from viewer.render.view import MapView
from viewer.render.zone_raster import ZoneRaster, zone_raster_for


# A draft is drawn at half size (MapView.halved): its hatching and dots are the
# full map's, shrunk, so they read the same when the draft is enlarged.
DRAFT_PATTERNS = 0.5
LAYOUTS_KEPT = 16


@dataclass
class _CachedImage:
    key: tuple
    image: QImage
    day: int = 0
    events: tuple[int, int] = (0, 0)
    layout: OverlayLayout | None = None
    selection: tuple[str, int] | None = None     # (layer, row) highlighted in a frame


class MapRenderer:
    """Draws a prepared map for a date onto any QPainter (widget or image).

    Holds one surface's caches, which are not locked: each thread that draws
    makes its own MapRenderer over the same PreparedMap (cheap: no geometry
    is prepared here). Given a Dataset, it uses `prepared_map(dataset)`.
    """

    def __init__(self, prepared: PreparedMap | Dataset, one_frame: bool = False) -> None:
        self.prepared = prepared if isinstance(prepared, PreparedMap) else prepared_map(prepared)
        # A process drawing one frame keeps no image for frames to come: no base
        # images (two full-size images: 100x one-PNG peak 280 -> 268 MB), and the frame
        # and its control layer are painted straight onto the target, not into images
        # copied onto it (both opaque, so the pixels are the same: _paint_control_layer): the
        # drawing's share of the 100x one-PNG peak 261-273 -> 252-260 MB.
        self._one_frame = one_frame
        route_width = float(self.prepared.flows.widths.max(initial=0))
        # (control, routes) images for full frames [False] and for drafts [True].
        # Drafts patch routes under one box (LayerCache); full frames under the changed
        # rows' own boxes, which cut through fewer dashed routes: a dash pattern
        # restarts a fraction of a pixel off where a clip cuts it, and the map shown
        # once scrubbing stops is to be the one exported.
        self._layer_caches = {draft: (
            LayerCache(self.dataset.control_index, self.prepared.control.paths.bounds, lambda s: 4 * s + 1),
            LayerCache(self.dataset.flow_index, self.prepared.flows.paths.bounds,
                       lambda s: (16 + 2 * route_width) * s + 2, one_box=draft))
            for draft in (False, True)}
        self._base_cache: dict[tuple[bool, bool], _CachedImage] = {}   # by (over, draft)
        self._frame_cache: _CachedImage | None = None
        self._painted_layout: OverlayLayout | None = None    # the panels of the frame painted last
        self._draft_kept: QImage | None = None    # the last draft's image, drawn over by the next
        self._enlarged_draft = EnlargedDraft()
        self._panel_images: dict[tuple, QImage] = {}   # drafts' north arrow and scale bar
        # Whether the last render showed the map of the one before (the same rows;
        # at most the selection changed): its time says nothing of a map's cost.
        self.same_map = False
        self._places = PlacesImage(self.prepared)
        self.shown = ShownRows(self.prepared)
        self._label_obstacles_cache: tuple | None = None
        self._layouts: dict[tuple, OverlayLayout] = {}   # the last LAYOUTS_KEPT, oldest first
        self._zone_rasters: tuple | None = None    # (view and pixel ratio, ZoneRaster or None)

    @property
    def dataset(self) -> Dataset:
        return self.prepared.dataset

    @property
    def projector(self):
        return self.prepared.projector

    # -- extents and views ------------------------------------------------------
    @property
    def crs_name(self) -> str:
        return self.projector.name

    def default_extent(self) -> Extent:
        """Control areas and routes with a margin: where the story is."""
        return self.prepared.default_extent

    def extent_from_lonlat(self, minlon: float, minlat: float, maxlon: float, maxlat: float) -> Extent:
        return self.projector.extent_from_lonlat(minlon, minlat, maxlon, maxlat)

    def lonlat_of(self, extent: Extent) -> tuple[float, float, float, float]:
        return self.projector.lonlat_of_extent(extent)

    def region_extent(self) -> Extent:
        return framing.region_extent(self.prepared)

    def default_view(self, width: int, height: int, ui_scale: float = 1.0,
                     decorations: Decorations = SCREEN, extent: Extent | None = None) -> MapView:
        """See `framing.default_view`."""
        return framing.default_view(self.prepared, width, height, ui_scale, decorations, extent)

    def fit_extent(self, extent: Extent, width: int, height: int, ui_scale: float, day: dt.date,
                   layers: dict | None, decorations: Decorations, title: str | None) -> MapView:
        """See `framing.fit_extent`; the footer lists what the view shows on `day`."""
        layers = _all_layers(layers)
        return framing.fit_extent(self.prepared, extent, (width, height, ui_scale), decorations,
                                  title, lambda view: self.shown.footer_lines(view, to_day(day), layers))

    def painted_layout(self) -> OverlayLayout | None:
        """The panels of the frame painted last: where a click on the legend lands."""
        return self._painted_layout

    def painted_labels(self) -> tuple:
        """The place labels (PlacedLabel) of the frame painted last."""
        return self._places.labels

    # -- rendering ----------------------------------------------------------------
    def render_image(self, view: MapView, day: dt.date, layers: dict | None = None,
                     selection: Selection | None = None, decorations: Decorations = EXPORT,
                     title: str | None = None, pixel_ratio: float = 1.0,
                     overlays: Sequence[MapOverlay] = (), draft: bool = False) -> QImage:
        """An opaque image of the map; safe off the GUI thread (QImage, not QPixmap)."""
        image = view.new_image(pixel_ratio)
        painter = QPainter(image)
        try:
            self.render(painter, view, day, layers, selection, decorations, title, overlays, draft)
        finally:
            painter.end()
        return image

    def render(self, painter: QPainter, view: MapView, day: dt.date, layers: dict | None = None,
               selection: Selection | None = None, decorations: Decorations = SCREEN,
               title: str | None = None, overlays: Sequence[MapOverlay] = (),
               draft: bool = False) -> None:
        """Paint the map for `day` over the whole of `view`; a `draft` while scrubbing.

        The cached frame holds everything that changes only with the holding
        rows, the selection included (under the place names, as QGIS draws it);
        `overlays` (compare mode, route crossing), recent-event markers (a
        sliding window) and the date label are drawn on it for each date. A
        `one_frame` renderer paints that frame straight onto `painter` instead.
        """
        layers = _all_layers(layers)
        self.prepared.drawing()
        title = title if title is not None else self.dataset.title
        painter.save()
        painter.setTransform(QTransform())
        if self._one_frame:
            painter.save()
            layout = self._paint_frame(painter, view, to_day(day), layers, decorations, title, draft,
                                       self._shown_selection(to_day(day), layers, selection))
            painter.restore()
        else:
            frame = self._frame_image(view, day, layers, decorations, title,
                                      painter.device().devicePixelRatioF(), draft, selection)
            painter.drawImage(QPointF(0, 0), frame.image)
            layout = frame.layout
        self._painted_layout = layout
        # The label describes what is drawn: in compare mode both dates.
        notes = [overlay.date_note for overlay in overlays if overlay.date_note]
        beyond = self.dataset.beyond_data(day)
        label = " · ".join([date_label(day, beyond), *notes])
        # Overlays and markers, drawn late, must not cover the panels (the mark's only
        # where it is drawn: the compare veil left its empty room undimmed), nor the date
        # label grown for a note.
        panels = layout.obstacles(mark=beyond)
        if notes and not layout.date_rect.isNull():
            panels.append(layout.date_box(label))
        painter.setClipRegion(_outside(view.rect, panels))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for overlay in overlays:
            overlay.paint(painter, Frame.of(view), panels)
        if overlays and (layers["places"] or layers["labels"]):
            footer = self.shown.footer_lines(view, to_day(day), layers) if decorations.footer else ()
            painter.drawImage(QPointF(0, 0), self._places_image(
                view, layers, decorations, title, footer, painter.device().devicePixelRatioF()))
        names = [label.box for label in self.painted_labels()] if overlays else []
        for overlay in overlays:
            overlay.annotate(painter, Frame.of(view), panels, names)
        if layers["events"]:
            span = self.shown.event_range(to_day(day), layers)
            self.prepared.events.paint(painter, Frame.of(view), self.prepared.events.rows_in(span))
        painter.setClipping(False)
        layout.paint_date(painter, label, current_to_mark(self.dataset, day))
        painter.restore()

    def _shown_selection(self, day: int, layers: dict,
                         selection: Selection | None) -> tuple[str, int] | None:
        """The (layer, row) highlighted for `selection`, if it is shown on `day`."""
        if selection is None or not layers.get(selection.layer):
            return None
        selected = self.shown.selected_row(selection, from_day(day))
        if selected is None:
            return None
        layer, row = selected
        rows = self.shown.rows(day, layers)
        rows["areas"] = self.shown.unknowns(rows, layers)[0]     # zones drawn as unknown that day
        if layer in rows and row not in rows[layer]:
            return None
        return layer, row

    def _paint_selection(self, painter: QPainter, view: MapView,
                         shown: tuple[str, int] | None) -> None:
        if shown is not None:
            painter.save()
            self.prepared.layers[shown[0]].paint_selection(painter, Frame.of(view), shown[1])
            painter.restore()

    def _frame_image(self, view: MapView, day: dt.date, layers: dict, decorations: Decorations,
                     title: str, pixel_ratio: float, draft: bool,
                     selection: Selection | None = None) -> _CachedImage:
        """The map without event markers and date label, reused while the same rows
        hold (a new selection draws it again from the layers' cached images)."""
        number = to_day(day)
        # Only an export's footer lists the recent events' sources.
        events = self.shown.event_range(number, layers) if decorations.footer else (0, 0)
        shown = self._shown_selection(number, layers, selection)
        key = (view, pixel_ratio, tuple(sorted(layers.items())), decorations, title, draft)
        cached = self._frame_cache
        self.same_map = (cached is not None and cached.key == key and cached.events == events
                         and self.dataset.control_index.same_rows(cached.day, number)
                         and self.dataset.flow_index.same_rows(cached.day, number))
        if self.same_map and cached.selection == shown:
            return cached
        image = view.image_over(cached.image if cached is not None else None, pixel_ratio)
        self._frame_cache = None     # its image is drawn over: no longer that frame
        painter = QPainter(image)
        try:
            layout = self._paint_frame(painter, view, number, layers, decorations, title, draft,
                                       shown)
        finally:
            painter.end()
        self._frame_cache = _CachedImage(key, image, number, events, layout, shown)
        return self._frame_cache

    def _paint_frame(self, painter: QPainter, view: MapView, day: int, layers: dict,
                     decorations: Decorations, title: str, draft: bool,
                     selection: tuple[str, int] | None) -> OverlayLayout:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        frame = Frame.of(view)
        pixel_ratio = painter.device().devicePixelRatioF()
        footer = self.shown.footer_lines(view, day, layers) if decorations.footer else ()

        def places() -> QImage:
            return self._places_image(view, layers, decorations, title, footer, pixel_ratio)

        # A draft keeps the places over its enlarged layers, unless a selection goes between.
        places_kept = self._keeps_places(draft, selection, layers)
        if draft:
            # The enlarged draft covers the view: a plain copy.
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
            painter.drawImage(QPointF(0, 0), self._enlarged_draft.image(
                view, self._draft_image(view, pixel_ratio, day, layers), places() if places_kept else None))
        else:
            self._paint_thematic(painter, frame, pixel_ratio, day, layers, view, draft=False)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        self._paint_selection(painter, view, selection)   # under the place names
        legend = self.shown.legend_content(view, day, layers) if decorations.legend else None
        layout = self._layout(view, decorations, legend, title, footer)
        if (layers["places"] or layers["labels"]) and not places_kept:
            # Made only now, after the layers: so a one-frame export's peak memory is as it was.
            painter.drawImage(QPointF(0, 0), places())
        layout.paint_static(painter, self.projector.grid_north_degrees(view.center_x, view.center_y),
                            self._panel_images if draft else None)
        return layout

    def warm_up_in_background(self, view: MapView) -> None:
        """See PreparedMap.warm_up_in_background: the level of `view`'s drafts first."""
        self.prepared.warm_up_in_background(view.halved().metres_per_pixel)

    def prepare_drafts(self, view: MapView, day: dt.date, layers: dict | None = None,
                       pixel_ratio: float = 1.0) -> None:
        """Draw `view`'s draft layers for `day` off screen, so a scrub starting from
        here finds their base images, simplification level and marks ready."""
        self._draft_image(view, pixel_ratio, to_day(day), _all_layers(layers))

    def _draft_image(self, view: MapView, pixel_ratio: float, day: int, layers: dict) -> QImage:
        """Base layers, control and routes of `view` at half the pixels each way."""
        small = view.halved()
        image = self._draft_kept = small.image_over(self._draft_kept, pixel_ratio)
        painter = QPainter(image)
        try:
            self._paint_thematic(painter, Frame.of(small, DRAFT_PATTERNS), pixel_ratio, day, layers, view,
                                 draft=True)
        finally:
            painter.end()
        return image

    @staticmethod
    def _keeps_places(draft: bool, selection: Selection | None, layers: dict) -> bool:
        """Whether a draft keeps the places over its enlarged layers: not when a
        selection must go between them (drawn under the place names)."""
        return draft and selection is None and (layers["places"] or layers["labels"])

    def _paint_thematic(self, painter: QPainter, frame: Frame, pixel_ratio: float, day: int, layers: dict,
                        view: MapView, draft: bool) -> None:
        """Base layers, control and routes over the whole of `frame` (composition mode Source)."""
        control_cache, routes_cache = self._layer_caches[draft]
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        look = (layers["base"], layers["control"], draft)
        if self._one_frame:
            painter.save()
            self._paint_control_layer(painter, frame, self.dataset.control_index.indices(day), look)
            painter.restore()
        else:
            # The control layer is opaque (background and base layers included): a plain copy.
            painter.drawImage(QPointF(0, 0), control_cache.image(
                frame, pixel_ratio, look, day, self._paint_control_layer))
        if layers["flows"]:
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
            # Dense or not is decided on the full view, so a draft's routes look the same.
            painter.drawImage(QPointF(0, 0), routes_cache.image(
                frame, pixel_ratio, (self.shown.dense(view), draft), day, self._paint_routes_layer))

    def _layout(self, *what: object) -> OverlayLayout:
        """The panels' layout for (view, decorations, legend, title, footer), made
        again only when one changes: measuring the legend's text costs 1-2 ms a frame
        at 100x. The legend rarely changes from day to day, and jumps between dates
        meet the same few legends again (the window probe's 60 random dates at 100x: 8)."""
        layout = self._layouts.pop(what, None) or OverlayLayout(*what, self.prepared.current_to)
        self._layouts[what] = layout
        if len(self._layouts) > LAYOUTS_KEPT:
            del self._layouts[next(iter(self._layouts))]
        return layout

    def _paint_control_layer(self, painter: QPainter, frame: Frame, rows: np.ndarray, look: tuple) -> None:
        """The control fills between the base layers under and over them; opaque."""
        base, control, draft = look
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        if base:
            painter.drawImage(QPointF(0, 0), self._base_image(frame.view, painter, False, draft))
        else:
            painter.fillRect(frame.view.rect, style.BACKGROUND)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if control:
            # A patch (clipped) draws the zones it can reach, not every zone without control.
            zones = reaching_clip(painter, frame, self.prepared.areas.paths.bounds,
                                  self.prepared.unknowns.zones_without_control(rows),
                                  self._layer_caches[draft][0].margin(frame.scale))
            self.prepared.areas.paint(painter, frame, zones)
            raster = self._zone_raster(frame, painter.device().devicePixelRatioF()) if draft else None
            if raster is not None:
                raster.paint(painter, rows)
            else:
                self.prepared.control.paint(painter, frame, rows, self.prepared.colors)
        if base:
            painter.setTransform(QTransform())
            painter.drawImage(QPointF(0, 0), self._base_image(frame.view, painter, True, draft))

    def _zone_raster(self, frame: Frame, pixel_ratio: float) -> ZoneRaster | None:
        """The drafts' zones for this view, where a raster pays (zone_raster.py); None:
        drafts draw the zones as the full map does."""
        key = (frame.view, pixel_ratio)
        if self._zone_rasters is None or self._zone_rasters[0] != key:
            self._zone_rasters = (key, zone_raster_for(self.prepared.control, self.prepared.colors,
                                                       frame, pixel_ratio))
        return self._zone_rasters[1]

    def _paint_routes_layer(self, painter: QPainter, frame: Frame, rows: np.ndarray, look: tuple) -> None:
        """The routes on a transparent image."""
        dense, draft = look
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.fillRect(frame.view.rect, Qt.GlobalColor.transparent)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # As for zones: a patch draws the faint unknown routes it can reach, not all of them.
        unknown = reaching_clip(painter, frame, self.prepared.flows.paths.bounds,
                                self.prepared.unknowns.unknown_route_rows(rows),
                                self._layer_caches[draft][1].margin(frame.scale))
        self.prepared.flows.paint(painter, frame, rows, dense, unknown)

    def _base_image(self, view: MapView, target: QPainter, over: bool, draft: bool) -> QImage:
        """Base layers under (land, water) or over (boundaries) the control fills."""
        pixel_ratio = target.device().devicePixelRatioF()
        key = (view, pixel_ratio)
        cached = self._base_cache.get((over, draft))
        if cached is not None and cached.key == key:
            return cached.image
        image = view.new_image(pixel_ratio)
        image.fill(Qt.GlobalColor.transparent if over else style.BACKGROUND)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = Frame.of(view, DRAFT_PATTERNS if draft else 1.0)
        for layer in self.prepared.base:
            if layer.style.over_thematic == over:
                layer.paint(painter, frame)
        painter.end()
        if not self._one_frame:
            self._base_cache[(over, draft)] = _CachedImage(key, image)
        return image

    def _places_image(self, view: MapView, layers: dict, decorations: Decorations, title: str,
                      footer: tuple[str, ...], pixel_ratio: float) -> QImage:
        """The place symbols and names (cached per view), clear of the panels."""
        return self._places.image(Frame.of(view), layers,
                                  self._label_obstacles(view, decorations, title, footer), pixel_ratio)

    def _label_obstacles(self, view: MapView, decorations: Decorations, title: str,
                         footer: tuple[str, ...]) -> list[QRectF]:
        """Panels labels keep clear of, with the legend as big as any date makes it:
        labels stay put while scrubbing (as the date label is sized for the widest
        date), and are placed once per view, not whenever the legend grows."""
        key = (view, decorations, title, len(footer))
        if self._label_obstacles_cache is None or self._label_obstacles_cache[0] != key:
            legend = self.prepared.all_legend_content(self.shown.dense(view)) if decorations.legend else None
            layout = OverlayLayout(view, decorations, legend, title, footer, self.prepared.current_to)
            self._label_obstacles_cache = (key, layout.obstacles(layout.steady_legend_width()))
        return self._label_obstacles_cache[1]

    # -- legend and sources ---------------------------------------------------------
    def legend_content(self, view: MapView, day: dt.date, layers: dict | None = None) -> LegendContent:
        """Legend entries for what this view shows on `day`."""
        return self.shown.legend_content(view, to_day(day), _all_layers(layers))

    def visible_source_ids(self, view: MapView, day: dt.date, layers: dict | None = None) -> list[str]:
        """Ids of the sources behind the control, routes and events in view on `day`."""
        return self.shown.source_ids(view, to_day(day), _all_layers(layers))

    # -- hit testing ------------------------------------------------------------------
    def hit_test(self, view: MapView, point: QPointF, day: dt.date,
                 layers: dict | None = None) -> Selection | None:
        """What the user clicked at `point` (pixels): marker, place, route, then area."""
        layers = _all_layers(layers)
        frame = Frame.of(view)
        rows = self.shown.rows(to_day(day), layers)
        hit = None
        if layers["events"]:
            hit = ("events", self.prepared.events.hit(frame, point, rows["events"]))
        if (hit is None or hit[1] is None) and layers["places"]:
            place_rows = self._places.shown_rows(frame)
            hit = ("places", self.prepared.places.hit(frame, point, place_rows))
        x, y = view.to_map(point)
        if (hit is None or hit[1] is None) and layers["flows"]:
            tolerance = (5 + 0.5 * float(self.prepared.flows.widths.max(initial=0))) * view.metres_per_pixel
            hit = ("flows", self.prepared.flows.hit(x, y, rows["flows"], tolerance))
        if (hit is None or hit[1] is None) and layers["control"]:
            hit = ("control", self.prepared.control.hit(x, y, rows["control"]))
        if (hit is None or hit[1] is None) and layers["control"]:
            hit = ("areas", self.prepared.areas.hit(x, y, self.shown.unknowns(rows, layers)[0]))
        if hit is None or hit[1] is None:
            return None
        layer, row = hit
        if layer == "areas":           # a zone no control row covers today: still that zone
            return Selection("control", str(self.prepared.areas.ids[row]))
        return Selection(layer, str(self.dataset.feature_ids[layer][row]))


def _outside(area: QRectF, panels: list[QRectF]) -> QRegion:
    """`area` less the overlay panels: markers drawn late must not cover them."""
    region = QRegion(area.toRect())
    for panel in panels:
        region -= QRegion(panel.toAlignedRect())
    return region


def _all_layers(layers: dict | None) -> dict[str, bool]:
    shown = {name: True for name in MAP_LAYERS}
    shown.update(layers or {})
    return shown
