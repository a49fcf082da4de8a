"""A GIF or MP4 with one frame per date."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import numpy as np
from PySide6.QtGui import QImage

from viewer.export.files import atomic_target, check_target
from viewer.export.options import (
    ANIMATION_SUFFIXES,
    Cancelled,
    ExportError,
    ExportOptions,
    Progress,
    stop_if,
)
from viewer.export.png import captioned, footer_overflowed, render_export, write_sidecar
from viewer.model.dataset import Dataset
from viewer.model.dates import format_date
from viewer.render.overlay import date_label
from viewer.render.renderer import MapRenderer

# An animation has no text metadata: a frame whose footer has no room for every
# source points to the list written beside the file.
SOURCES_ELSEWHERE = ("More sources than fit here: every one is listed in the .sources.txt "
                     "file beside this animation.")


def export_animation(dataset: Dataset, dates: Sequence[dt.date], path: str | os.PathLike,
                     options: ExportOptions = ExportOptions(), *, fps: float = 2.0,
                     overwrite: bool = False, progress: Progress | None = None,
                     cancelled: Cancelled | None = None,
                     renderer: MapRenderer | None = None,
                     captions: Mapping[dt.date, str] | None = None) -> Path:
    """A GIF or MP4 (by the file's suffix) with one frame per date, each labelled with its date
    (and its caption, when `captions` has one for it). The sources of frames whose footer
    had no room for all of them are listed in a .sources.txt file beside it."""
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
    options = replace(options, sources_elsewhere=SOURCES_ELSEWHERE)
    overflowed: list[str] = []     # each such frame's date and sources

    def frames() -> Iterator[np.ndarray]:
        for i, day in enumerate(dates):
            stop_if(cancelled)
            report(f"Frame {i + 1} of {len(dates)}: {format_date(day)}", i / len(dates))
            image = render_export(renderer, day, captioned(options, captions, day))
            if footer_overflowed(renderer):
                overflowed.append(f"{date_label(day, dataset.beyond_data(day))}:\n"
                                  f"{image.text('Sources (full)')}")
            yield rgb_array(image)

    with atomic_target(path, overwrite=overwrite) as temporary:
        if suffix == ".gif":
            _write_gif(temporary, frames(), fps)
        else:
            _write_mp4(temporary, frames(), fps)
    write_sidecar(path, f"Sources for {path.name} ({dataset.title}), in each frame whose footer "
                        "had no room for all of them.\n\n" + "\n\n".join(overflowed) + "\n"
                  if overflowed else "")
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
