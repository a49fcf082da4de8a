"""One exported map image: the view, the pixels and the PNG text metadata."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path
from typing import Mapping

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF
from PySide6.QtGui import QImage

from viewer import __version__
from viewer.export.files import check_target, write_file
from viewer.export.options import ExportError, ExportOptions
from viewer.memory import release_free_memory
from viewer.model.dataset import Dataset
from viewer.model.state import MAP_LAYERS
from viewer.model.unknowns import current_to_mark
from viewer.render.overlay import EXPORT, Decorations, date_label
from viewer.render.renderer import MapRenderer
from viewer.render.view import MapView


# -- one image ------------------------------------------------------------------------
def captioned(options: ExportOptions, captions: Mapping[dt.date, str] | None,
              day: dt.date) -> ExportOptions:
    """`options` with the caption for `day`, if `captions` has one."""
    caption = (captions or {}).get(day)
    return replace(options, caption=caption) if caption else options


def export_decorations(options: ExportOptions) -> Decorations:
    return replace(EXPORT, caption=options.caption or "",
                   sources_elsewhere=options.sources_elsewhere or EXPORT.sources_elsewhere)


def export_view(renderer: MapRenderer, options: ExportOptions, day: dt.date | None = None) -> MapView:
    """The view an export draws: the given extent (clear of title and footer on `day`),
    else the default view."""
    if options.extent is not None:
        return renderer.fit_extent(options.extent, options.width, options.height, options.ui_scale,
                                   day or renderer.dataset.default_date, dict(options.layers or {}),
                                   export_decorations(options), options.title)
    return renderer.default_view(options.width, options.height, options.ui_scale,
                                 export_decorations(options))


def render_export(renderer: MapRenderer, day: dt.date, options: ExportOptions) -> QImage:
    """The exported image for `day`, with PNG text metadata and DPI set."""
    view = export_view(renderer, options, day)
    image = renderer.render_image(view, day, dict(options.layers or {}), None,
                                  export_decorations(options), options.title)
    # In place (the map is opaque): no second full-size image (6.4 MB at 1600 x 1000).
    image.convertTo(QImage.Format.Format_RGB32)
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
    source_ids = renderer.visible_source_ids(view, day, dict(options.layers or {}))
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
        "Sources": ";".join(source_ids),
        "Sources (full)": sources_text(dataset, source_ids),
        **({"Caption": options.caption} if options.caption else {}),
        "Copyright": dataset.meta.get("attribution", ""),
        "Software": f"Kachin Viewer {__version__}",
        **current,
    }


# Qt's PNG "quality" sets zlib's level: 60 is level 3. On 1600 x 1000 maps it
# encodes in 76 ms where the default (level 6) takes 117 ms, and the files come
# out smaller (671 KiB against 750 KiB); PNG is lossless at every level.
PNG_QUALITY = 60


def png_bytes(image: QImage) -> bytes:
    """`image` encoded as PNG in memory: the file is then written by Python, which
    reports a full disk as such (Qt's writer only prints a libpng error)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG", PNG_QUALITY):
        raise ExportError(f"could not encode a {image.width()} x {image.height()} PNG")
    return bytes(data)


def sources_text(dataset: Dataset, source_ids: list[str]) -> str:
    """Each source, one a line: outlet — title (date) address."""
    lines = []
    for record in dataset.source_records(";".join(source_ids)):
        text = " — ".join(str(record[k]) for k in ("outlet", "title") if record.get(k))
        if record.get("published"):
            text += f" ({record['published']})"
        lines.append(f"{text} {record.get('url') or ''}".strip())
    return "\n".join(lines)


def sidecar_path(image: Path) -> Path:
    return image.with_name(image.stem + ".sources.txt")


def sources_list_beside(image: Path) -> Path | None:
    """The list of sources written beside `image` (its footer had no room for them all)."""
    path = sidecar_path(image)
    return path if path.exists() else None


# A legend over more than this share of the zones and routes shown hides the story.
LEGEND_COVERS_STORY = 0.1


def crowding(renderer: MapRenderer, day: dt.date) -> str:
    """What the legend of the image drawn last (of `day`) hides, as one sentence; "" when
    nothing: the panels it lies over, and the share of the zones and routes it covers
    when that is more than LEGEND_COVERS_STORY."""
    layout = renderer.painted_layout()
    if layout is None or layout.legend_rect().isNull():
        return ""
    hidden, view = layout.covered_by_legend(renderer.dataset.beyond_data(day)), layout.view
    story = renderer.default_extent().as_tuple()
    left, top = view.to_pixels(story[0], story[3])
    right, bottom = view.to_pixels(story[2], story[1])
    shown = QRectF(QPointF(left, top), QPointF(right, bottom)) & view.rect
    covered = shown & layout.legend_rect()
    if not shown.isEmpty() and covered.width() * covered.height() > \
            LEGEND_COVERS_STORY * shown.width() * shown.height():
        share = covered.width() * covered.height() / (shown.width() * shown.height())
        hidden.append(f"{share:.0%} of the zones and routes")
    if not hidden:
        return ""
    return (f"at {view.width}x{view.height} the legend covers {_listed(hidden)}; a larger "
            "image has room for both")


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def footer_overflowed(renderer: MapRenderer) -> bool:
    """Whether the footer of the image drawn last had no room for every source."""
    layout = renderer.painted_layout()
    return layout is not None and layout.footer_overflow


def write_sources_sidecar(renderer: MapRenderer, day: dt.date, image: QImage,
                          image_path: Path) -> Path | None:
    """When the image's footer could not list every source, list them (its "Sources
    (full)" text) beside it, and remove a list left there by an earlier export."""
    if not footer_overflowed(renderer):
        return write_sidecar(image_path, "")
    return write_sidecar(image_path, f"Sources for {image_path.name} ({renderer.dataset.title}, "
                                     f"{date_label(day)}); the image's footer had no room for "
                                     f"all of them.\n\n{image.text('Sources (full)')}\n")


def write_sidecar(image_path: Path, text: str) -> Path | None:
    """`text` in the .sources.txt file beside `image_path`; none there (one an earlier
    export left removed) when `text` is empty."""
    path = sidecar_path(image_path)
    if not text:
        path.unlink(missing_ok=True)
        return None
    write_file(path, text.encode("utf-8"))
    return path


def renderer_layers(options: ExportOptions) -> dict[str, bool]:
    return {name: bool((options.layers or {}).get(name, True)) for name in MAP_LAYERS}


def export_png(dataset: Dataset, day: dt.date, path: str | os.PathLike,
               options: ExportOptions = ExportOptions(), *, overwrite: bool = False,
               renderer: MapRenderer | None = None) -> Path:
    """Write one PNG of the map on `day`; returns its path."""
    path = Path(path)
    check_target(path, overwrite)
    renderer = renderer or MapRenderer(dataset)
    image = render_export(renderer, day, options)
    write_file(path, png_bytes(image), overwrite=overwrite)
    write_sources_sidecar(renderer, day, image, path)
    # A one-off export frees a renderer's worth of images: 200 exports in a
    # session grew resident memory by 20% without this, 0.7% with it.
    del image
    release_free_memory()
    return path


