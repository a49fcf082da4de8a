"""One exported map image: the view, the pixels and the PNG text metadata."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage

from viewer import __version__
from viewer.export.files import check_target, write_file
from viewer.export.options import ExportError, ExportOptions
from viewer.memory import release_free_memory
from viewer.model.dataset import Dataset
from viewer.model.state import MAP_LAYERS
from viewer.model.unknowns import current_to_mark
from viewer.render.overlay import EXPORT, date_label
from viewer.render.renderer import MapRenderer
from viewer.render.view import MapView


# -- one image ------------------------------------------------------------------------
def export_view(renderer: MapRenderer, options: ExportOptions) -> MapView:
    """The view an export draws: the given extent, else the default view."""
    if options.extent is not None:
        return MapView.fit(options.extent, options.width, options.height, options.ui_scale)
    return renderer.default_view(options.width, options.height, options.ui_scale, EXPORT)


def render_export(renderer: MapRenderer, day: dt.date, options: ExportOptions) -> QImage:
    """The exported image for `day`, with PNG text metadata and DPI set."""
    view = export_view(renderer, options)
    image = renderer.render_image(view, day, dict(options.layers or {}), None, EXPORT,
                                  options.title).convertToFormat(QImage.Format.Format_RGB32)
    dots_per_metre = round(options.dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    for key, value in png_metadata(renderer, view, day, options).items():
        image.setText(key, value)
    return image


def png_metadata(renderer: MapRenderer, view: MapView, day: dt.date,
                 options: ExportOptions) -> dict[str, str]:
    dataset = renderer.dataset
    minlon, minlat, maxlon, maxlat = renderer.lonlat_of(view.extent)
    shown = [name for name, on in renderer_layers(options).items() if on]
    current = {}
    if dataset.data_current_to is not None:
        current["Data current to"] = dataset.data_current_to.isoformat()
    if dataset.beyond_data(day):
        current["Current to mark"] = (f"{current_to_mark(dataset, day)}: the map shows the last "
                                      "known state, not what held on the date shown")
    return {
        "Title": f"{options.title or dataset.title} — {date_label(day, dataset.beyond_data(day))}",
        "Date shown": day.isoformat(),
        "Dataset": dataset.path.name if dataset.path else dataset.title,
        "Dataset SHA-256": dataset.sha256,
        "Extent": f"{minlon:.5f},{minlat:.5f},{maxlon:.5f},{maxlat:.5f}",
        "Extent CRS": "EPSG:4326 (minlon,minlat,maxlon,maxlat)",
        "Projected extent": ",".join(f"{v:.1f}" for v in view.extent.as_tuple()),
        "Projection": renderer.crs_name,
        "Layers": ",".join(shown),
        "Sources": ";".join(renderer.visible_source_ids(view, day, dict(options.layers or {}))),
        "Copyright": dataset.meta.get("attribution", ""),
        "Software": f"Kachin Viewer {__version__}",
        **current,
    }


def png_bytes(image: QImage) -> bytes:
    """`image` encoded as PNG in memory: the file is then written by Python, which
    reports a full disk as such (Qt's writer only prints a libpng error)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ExportError(f"could not encode a {image.width()} x {image.height()} PNG")
    return bytes(data)


def renderer_layers(options: ExportOptions) -> dict[str, bool]:
    return {name: bool((options.layers or {}).get(name, True)) for name in MAP_LAYERS}


def export_png(dataset: Dataset, day: dt.date, path: str | os.PathLike,
               options: ExportOptions = ExportOptions(), *, overwrite: bool = False,
               renderer: MapRenderer | None = None) -> Path:
    """Write one PNG of the map on `day`; returns its path."""
    path = Path(path)
    check_target(path, overwrite)
    image = render_export(renderer or MapRenderer(dataset), day, options)
    write_file(path, png_bytes(image), overwrite=overwrite)
    # A one-off export frees a renderer's worth of images: 200 exports in a
    # session grew resident memory by 20% without this, 0.7% with it.
    del image
    release_free_memory()
    return path


