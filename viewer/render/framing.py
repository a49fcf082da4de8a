"""Where the map's view goes: the story (control zones and routes) or the whole
region, as large as the panels drawn over the map allow; an export's requested
extent exactly between its title block and footer."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QRectF

from viewer.render.overlay import SCREEN, Decorations, OverlayLayout, map_insets
from viewer.render.prepared import DEFAULT_PADDING, PreparedMap
from viewer.render.projection import Extent
from viewer.render.view import MapView


def region_extent(prepared: PreparedMap) -> Extent:
    """Every zone, route and place: the whole region (towns far beyond the story too)."""
    places = prepared.places
    points = np.column_stack([places.x, places.y, places.x, places.y])
    extent = Extent.of_bounds(np.vstack([prepared.control.paths.bounds, prepared.flows.paths.bounds,
                                         points]))
    return prepared.default_extent if extent is None else extent.padded(DEFAULT_PADDING)


def default_view(prepared: PreparedMap, width: int, height: int, ui_scale: float = 1.0,
                 decorations: Decorations = SCREEN, extent: Extent | None = None) -> MapView:
    """`extent` (default: the control zones and routes) as large as the overlays allow.

    A region that passes between the panels (a tall one in a wide window)
    fills the whole height; otherwise it fits in what the panels leave free.
    """
    extent = extent or prepared.default_extent
    probe = MapView(0, 0, 1, width, height, ui_scale)
    layout = OverlayLayout(probe, decorations, prepared.all_legend_content(),
                           prepared.dataset.title, ("",) * 2, prepared.current_to)
    legend_width = layout.steady_legend_width()
    insets = map_insets(layout, legend_width)
    # First the whole height beside the legend, centred, then clear of the panels on
    # the left too (date, scale bar); only if neither fits, below the date and above the bar.
    panels = layout.obstacles(legend_width)
    left_panels = max((r.right() for r in panels if r.right() < width / 2), default=0.0)
    for left in (insets[0], left_panels + layout.margin):
        whole = MapView.fit(extent, width, height, ui_scale,
                            (left, layout.margin, insets[2], layout.margin))
        if not _covers_any(whole, extent, panels):
            return whole
    return MapView.fit(extent, width, height, ui_scale, insets)

def fit_extent(prepared: PreparedMap, extent: Extent, size: tuple[int, int, float],
               decorations: Decorations, title: str | None,
               footer_of: Callable[[MapView], tuple[str, str]]) -> MapView:
    """A view of `size` (width, height, ui scale) showing all of `extent` between the
    title block and the footer, never under them (the footer lists what the view
    shows, `footer_of(view)`, so it is settled twice)."""
    width, height, ui_scale = size
    view = MapView.fit(extent, width, height, ui_scale)
    for _ in range(2):
        footer = footer_of(view) if decorations.footer else ()
        layout = OverlayLayout(view, decorations, None, title or prepared.dataset.title, footer,
                               prepared.current_to)
        top = map_insets(layout, 0)[1]
        floor = layout.footer_rect.top() if not layout.footer_rect.isNull() else height
        view = MapView.fit(extent, width, height, ui_scale,
                           (layout.margin, top, layout.margin, height - floor + layout.margin))
    return view


def _covers_any(view: MapView, extent: Extent, panels: list[QRectF]) -> bool:
    """Whether any panel lies over part of `extent` as `view` shows it."""
    box = view.pixel_rect(*extent.as_tuple())
    return any(panel.intersects(box) for panel in panels)
