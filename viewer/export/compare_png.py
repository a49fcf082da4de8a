"""The comparison map as a PNG: date B's map with what changed since date A drawn over
it, both dates in the title, and the change list in the PNG's text metadata."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from viewer.export.files import check_target, write_file
from viewer.export.options import ExportOptions
from viewer.export.png import export_view, png_bytes, png_metadata, write_sources_sidecar
from viewer.model.compare import Comparison
from viewer.render.compare_layer import CompareLayer
from viewer.render.overlay import EXPORT
from viewer.render.projection import Extent
from viewer.render.renderer import MapRenderer
from viewer.render.view import MapView

CHANGE_PADDING = 0.6      # the changes' extent grows by this share on each side
MIN_CHANGE_EXTENT = 150_000  # metres: never zoom in past a 150 km wide view


def compare_title(comparison: Comparison, title: str | None = None) -> str:
    """"What changed, 1 Sep 2024 → 25 Nov 2024" (after the export's own title, if any)."""
    dates = comparison.span()
    return f"{title}: {dates}" if title else f"What changed, {dates}"


def compare_view(renderer: MapRenderer, layer: CompareLayer, options: ExportOptions) -> MapView:
    """The changes with room around them, or the export's own extent or default view."""
    shapes = (list(layer.control.paths.projected([row for row, _ in layer.zones]))
              + [layer.flows.projected[row] for row, _ in layer.routes])
    if options.extent is not None or not shapes:
        return export_view(renderer, options)
    bounds = np.array([shape.bounds for shape in shapes if shape is not None])
    extent = Extent.of_bounds(bounds).padded(CHANGE_PADDING)
    grow = max(0.0, MIN_CHANGE_EXTENT - min(extent.width, extent.height)) / 2
    extent = Extent(extent.xmin - grow, extent.ymin - grow, extent.xmax + grow, extent.ymax + grow)
    return export_view(renderer, ExportOptions(options.width, options.height, options.dpi,
                                               extent, options.layers, options.title))


def render_compare(renderer: MapRenderer, comparison: Comparison,
                   options: ExportOptions) -> QImage:
    layer = CompareLayer(renderer.prepared, comparison)
    view = compare_view(renderer, layer, options)
    title = compare_title(comparison, options.title)
    image = renderer.render_image(view, comparison.date_b, dict(options.layers or {}), None,
                                  EXPORT, title, overlays=[layer])
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    dots_per_metre = round(options.dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    metadata = png_metadata(renderer, view, comparison.date_b, options)
    metadata.update({"Title": f"{renderer.dataset.title} — {title}", "Compared from": comparison.earlier.isoformat(),
                     "Compared to": comparison.later.isoformat(),
                     "Changes": "\n".join(comparison.lines()) or "none"})
    for key, value in metadata.items():
        image.setText(key, value)
    return image


def export_compare_png(renderer: MapRenderer, comparison: Comparison, path: str | os.PathLike,
                       options: ExportOptions = ExportOptions(), *,
                       overwrite: bool = False) -> Path:
    """Write the comparison map; the file appears only once complete."""
    path = Path(path)
    check_target(path, overwrite)
    image = render_compare(renderer, comparison, options)
    write_file(path, png_bytes(image), overwrite=overwrite)
    write_sources_sidecar(renderer, comparison.date_b, image, path)
    return path
