"""Export the map: one PNG, a briefing pack of PNGs with an index, or an animation.

Every function renders with `MapRenderer` on a QImage, so it runs off the GUI
thread (a QGuiApplication must exist, for fonts). Files are written to a
temporary name in the target folder and renamed when complete: a failure or
a cancel leaves nothing half-written behind.

Progress callbacks are `progress(text, fraction)`, as in `read_dataset`;
`cancelled()` is polled between frames and ends the export with
`ExportCancelled` after removing what this export wrote.
"""
from __future__ import annotations

import datetime as dt
import html
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

import numpy as np
from PySide6.QtGui import QImage

from viewer import __version__
from viewer.memory import release_free_memory
from viewer.model.dataset import Dataset
from viewer.model.dates import add_months, format_date, parse_date, to_day
from viewer.model.state import MAP_LAYERS
from viewer.render.overlay import EXPORT, date_label
from viewer.render.projection import Extent
from viewer.render.renderer import MapRenderer
from viewer.render.view import MapView

Progress = Callable[[str, float], None]
Cancelled = Callable[[], bool]

REFERENCE_SIZE = (1920, 1080)    # the size at which text is drawn at ui_scale 1
ANIMATION_SUFFIXES = (".gif", ".mp4")


class ExportError(Exception):
    """A problem the user can fix (a folder, a file name); one line."""


class TargetExists(ExportError):
    """The output file is already there and overwriting was not asked for."""


class ExportCancelled(Exception):
    """The user cancelled; files this export wrote were removed."""


@dataclass(frozen=True)
class ExportOptions:
    """What an exported image shows and how big it is.

    `extent` is in the renderer's projected metres, e.g. `MapCanvas.view_extent()`
    (the whole extent is shown, centred); None shows the dataset's default view.
    `layers` maps MAP_LAYERS names to visibility (missing names are shown).
    Text and symbols scale with the pixel size above 1920x1080, so 3840x2160
    looks like a sharper 1920x1080; smaller images keep screen-sized text, as
    the window does, so it stays readable. `dpi` is stored in the PNG for printing.
    """

    width: int = 1920
    height: int = 1080
    dpi: int = 96
    extent: Extent | None = None
    layers: Mapping[str, bool] | None = None
    title: str | None = None

    @property
    def ui_scale(self) -> float:
        scale = min(self.width / REFERENCE_SIZE[0], self.height / REFERENCE_SIZE[1])
        return max(1.0, scale)


@dataclass
class PackResult:
    images: list[Path] = field(default_factory=list)
    index: Path | None = None


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
    return {
        "Title": f"{options.title or dataset.title} — {date_label(day)}",
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
    }


def renderer_layers(options: ExportOptions) -> dict[str, bool]:
    return {name: bool((options.layers or {}).get(name, True)) for name in MAP_LAYERS}


def export_png(dataset: Dataset, day: dt.date, path: str | os.PathLike,
               options: ExportOptions = ExportOptions(), *, overwrite: bool = False,
               renderer: MapRenderer | None = None) -> Path:
    """Write one PNG of the map on `day`; returns its path."""
    path = Path(path)
    check_target(path, overwrite)
    image = render_export(renderer or MapRenderer(dataset), day, options)
    with atomic_target(path) as temporary:
        if not image.save(str(temporary), "PNG"):
            raise ExportError(f"could not write {path}")
    # A one-off export frees a renderer's worth of images: 200 exports in a
    # session grew resident memory by 20% without this, 0.7% with it.
    del image
    release_free_memory()
    return path


# -- files --------------------------------------------------------------------------------
def check_folder(folder: Path) -> None:
    if not folder.exists():
        raise ExportError(f"output folder {folder} does not exist")
    if not folder.is_dir():
        raise ExportError(f"{folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"output folder {folder} is not writable")


def check_target(path: Path, overwrite: bool) -> None:
    """Fail before any work if `path` cannot or may not be written."""
    check_folder(path.parent if str(path.parent) else Path("."))
    if path.is_dir():
        raise ExportError(f"{path} is a folder, not a file name")
    if path.exists() and not overwrite:
        raise TargetExists(f"{path} already exists")


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary file beside `path`, renamed onto it only if the block succeeds."""
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.partial{path.suffix}")
    try:
        yield temporary
        os.replace(temporary, path)
    except OSError as error:
        raise ExportError(f"could not write {path}: {error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)


# -- date series ------------------------------------------------------------------------
def dates_every(start: dt.date, end: dt.date, step: str) -> list[dt.date]:
    """start, start + step, ... up to end inclusive; step is day, week or month."""
    if step not in ("day", "week", "month"):
        raise ValueError(f"unknown step {step!r}")
    dates, n = [], 0
    while True:
        if step == "month":
            day = add_months(start, n)
        else:
            day = start + dt.timedelta(days=n * (7 if step == "week" else 1))
        if day > end:
            return dates
        dates.append(day)
        n += 1


def key_event_dates(dataset: Dataset, min_importance: int = 3) -> list[dt.date]:
    """Dates of the most important events, within the dataset's range."""
    return [d for d in dataset.event_dates(min_importance)
            if dataset.time_start <= d <= dataset.time_end]


# -- briefing pack -------------------------------------------------------------------------
def export_pack(dataset: Dataset, dates: Sequence[dt.date], out_dir: str | os.PathLike,
                options: ExportOptions = ExportOptions(), *, overwrite: bool = False,
                progress: Progress | None = None, cancelled: Cancelled | None = None,
                renderer: MapRenderer | None = None) -> PackResult:
    """Numbered PNGs, one per date, and `index.html` listing each image's events and sources."""
    out_dir = Path(out_dir)
    check_folder(out_dir)
    dates = sorted(set(dates))
    if not dates:
        raise ExportError("no dates to export")
    width = max(2, len(str(len(dates))))
    names = [out_dir / f"{i:0{width}d}_{day.isoformat()}.png" for i, day in enumerate(dates, 1)]
    index_path = out_dir / "index.html"
    for path in names + [index_path]:
        check_target(path, overwrite)
    renderer = renderer or MapRenderer(dataset)
    report = progress or (lambda _text, _fraction: None)
    result = PackResult()
    try:
        for i, (day, path) in enumerate(zip(dates, names)):
            _stop_if(cancelled)
            report(f"Map {i + 1} of {len(dates)}: {format_date(day)}", i / (len(dates) + 1))
            image = render_export(renderer, day, options)
            with atomic_target(path) as temporary:
                if not image.save(str(temporary), "PNG"):
                    raise ExportError(f"could not write {path}")
            result.images.append(path)
        _stop_if(cancelled)
        report("Writing the index", len(dates) / (len(dates) + 1))
        view = export_view(renderer, options)
        page = pack_index_html(renderer, dates, names, view, options)
        with atomic_target(index_path) as temporary:
            temporary.write_text(page, encoding="utf-8")
        result.index = index_path
    except BaseException:
        for path in result.images:
            path.unlink(missing_ok=True)
        raise
    report("Done", 1.0)
    return result


def _stop_if(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise ExportCancelled("export cancelled")


def pack_index_html(renderer: MapRenderer, dates: list[dt.date], images: list[Path],
                    view: MapView, options: ExportOptions) -> str:
    """A self-contained page: each map, the events since the previous map, their sources."""
    dataset = renderer.dataset
    esc = html.escape
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(dataset.title)} — briefing pack</title>",
        "<style>body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1100px;margin:2em auto;"
        "color:#1e1e1e}img{width:100%;border:1px solid #bbb}section{margin-bottom:3em}"
        ".src{color:#555;font-size:90%}.meta{color:#555}</style></head><body>",
        f"<h1>{esc(dataset.title)}</h1>",
        f'<p class="meta">{len(dates)} maps from {esc(format_date(dates[0]))} to '
        f"{esc(format_date(dates[-1]))}. Dataset {esc(dataset.path.name if dataset.path else '')} "
        f"(SHA-256 {esc(dataset.sha256[:16])}…). {esc(dataset.meta.get('attribution', ''))}</p>",
    ]
    previous = None
    for number, (day, image) in enumerate(zip(dates, images), 1):
        parts.append(_pack_section(renderer, number, day, previous, image, view, options))
        previous = day
    parts.append(f'<p class="meta">Made with Kachin Viewer {esc(__version__)}.</p></body></html>')
    return "\n".join(parts)


def _pack_section(renderer: MapRenderer, number: int, day: dt.date, previous: dt.date | None,
                  image: Path, view: MapView, options: ExportOptions) -> str:
    esc = html.escape
    dataset = renderer.dataset
    events = _events_between(dataset, previous, day)
    lines = [f'<section><h2>Map {number}: {esc(date_label(day))}</h2>',
             f'<a href="{esc(image.name)}"><img src="{esc(image.name)}" alt="Map {esc(date_label(day))}"></a>']
    span = "on this day" if previous is None else f"since the previous map ({format_date(previous)})"
    if len(events):
        lines.append(f"<h3>Events {esc(span)}</h3><ul>")
        for _, event in events.iterrows():
            when = format_date(parse_date(event["date"]), str(event.get("date_precision") or "day"))
            lines.append(f"<li><b>{esc(when)}</b> — {esc(str(event['title']))}"
                         f"{_summary(event)}{_sources_html(dataset, event.get('source_ids'))}</li>")
        lines.append("</ul>")
    else:
        lines.append(f"<p>No events recorded {esc(span)}.</p>")
    shown = ";".join(renderer.visible_source_ids(view, day, dict(options.layers or {})))
    lines.append(f"<h3>Sources for what the map shows</h3>{_sources_html(dataset, shown)}</section>")
    return "\n".join(lines)


def _events_between(dataset: Dataset, previous: dt.date | None, day: dt.date):
    days = dataset.event_days
    first = to_day(day) if previous is None else to_day(previous) + 1
    return dataset.events[(days >= first) & (days <= to_day(day))]


def _summary(event) -> str:
    summary = event.get("summary")
    return f"<br>{html.escape(str(summary))}" if isinstance(summary, str) and summary.strip() else ""


def _sources_html(dataset: Dataset, source_ids: object) -> str:
    records = dataset.source_records(source_ids)
    if not records:
        return ""
    items = []
    for record in records:
        text = " — ".join(str(record[k]) for k in ("outlet", "title") if record.get(k))
        if record.get("published"):
            text += f" ({format_date(parse_date(record['published']))})"
        link = record.get("url")
        body = (f'<a href="{html.escape(str(link))}">{html.escape(text)}</a>' if link
                else html.escape(text))
        items.append(f"<li>{body}</li>")
    return '<ul class="src">' + "".join(items) + "</ul>"


# -- animation -------------------------------------------------------------------------------
def export_animation(dataset: Dataset, dates: Sequence[dt.date], path: str | os.PathLike,
                     options: ExportOptions = ExportOptions(), *, fps: float = 2.0,
                     overwrite: bool = False, progress: Progress | None = None,
                     cancelled: Cancelled | None = None,
                     renderer: MapRenderer | None = None) -> Path:
    """A GIF or MP4 (by the file's suffix) with one frame per date, each labelled with its date."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in ANIMATION_SUFFIXES:
        raise ExportError(f"{path.name}: an animation must end in .gif or .mp4")
    check_target(path, overwrite)
    dates = sorted(set(dates))
    if not dates:
        raise ExportError("no dates to export")
    renderer = renderer or MapRenderer(dataset)
    report = progress or (lambda _text, _fraction: None)

    def frames() -> Iterator[np.ndarray]:
        for i, day in enumerate(dates):
            _stop_if(cancelled)
            report(f"Frame {i + 1} of {len(dates)}: {format_date(day)}", i / len(dates))
            yield rgb_array(render_export(renderer, day, options))

    with atomic_target(path) as temporary:
        if suffix == ".gif":
            _write_gif(temporary, frames(), fps)
        else:
            _write_mp4(temporary, frames(), fps)
    report("Done", 1.0)
    return path


def rgb_array(image: QImage) -> np.ndarray:
    """An (h, w, 3) uint8 copy of a QImage's pixels."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(rgb.constBits(), dtype=np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    return rows[:, : rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3).copy()


def _write_gif(path: Path, frames: Iterator[np.ndarray], fps: float) -> None:
    from PIL import Image

    # Maps have few colours: an adaptive palette per frame, no dithering, keeps lines crisp.
    images = [Image.fromarray(frame).quantize(256, method=Image.Quantize.FASTOCTREE,
                                              dither=Image.Dither.NONE) for frame in frames]
    images[0].save(path, format="GIF", save_all=True, append_images=images[1:],
                   duration=round(1000 / fps), loop=0)


def _write_mp4(path: Path, frames: Iterator[np.ndarray], fps: float) -> None:
    try:
        import imageio.v2 as imageio
        import imageio_ffmpeg  # noqa: F401  (the encoder; optional extra "video")
    except ImportError:
        raise ExportError("MP4 needs the imageio-ffmpeg package; export a .gif instead") from None
    writer = imageio.get_writer(path, format="FFMPEG", fps=fps, codec="libx264", quality=8,
                                pixelformat="yuv420p", macro_block_size=2,
                                ffmpeg_log_level="error")
    try:
        for frame in frames:
            writer.append_data(frame[: frame.shape[0] // 2 * 2, : frame.shape[1] // 2 * 2])
    finally:
        writer.close()
