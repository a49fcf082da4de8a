"""A briefing as a PNG pack: one numbered image per chapter and an index page
with each chapter's title, caption and sources (escaped HTML, like the key-event pack)."""
from __future__ import annotations

import dataclasses
import html
import os
from pathlib import Path

from viewer import __version__
from viewer.export.handout import data_current_to
from viewer.export.options import Cancelled, ExportOptions, Progress
from viewer.export.pack import (PackFrame, PackResult, last_known_note, page_head, sources_html,
                                 write_pack)
from viewer.export.png import export_view
from viewer.model.briefing import NO_SOURCES, Briefing, Chapter
from viewer.model.dataset import Dataset
from viewer.model.dates import format_date
from viewer.render.overlay import date_label
from viewer.render.renderer import MapRenderer


def chapter_options(renderer: MapRenderer, chapter: Chapter, options: ExportOptions) -> ExportOptions:
    """`options` (size, dpi) showing what the chapter shows, titled with its title."""
    extent = renderer.extent_from_lonlat(*chapter.extent) if chapter.extent else None
    return dataclasses.replace(options, extent=extent, layers=chapter.layer_visibility(),
                               title=chapter.title)


def export_briefing_pack(dataset: Dataset, briefing: Briefing, out_dir: str | os.PathLike,
                         options: ExportOptions = ExportOptions(), *, overwrite: bool = False,
                         progress: Progress | None = None, cancelled: Cancelled | None = None,
                         renderer: MapRenderer | None = None) -> PackResult:
    """Numbered PNGs, one per chapter in order, and index.html (the folder is
    created when missing)."""
    out_dir = Path(out_dir)
    renderer = renderer or MapRenderer(dataset)
    frames = [PackFrame(_file_part(chapter.chapter_id), chapter.title, chapter.date,
                        chapter_options(renderer, chapter, options))
              for chapter in briefing.chapters]

    def index(names: list[Path]) -> str:
        return briefing_index_html(renderer, briefing, frames, names)

    return write_pack(renderer, frames, out_dir, index, overwrite=overwrite,
                      progress=progress, cancelled=cancelled)


def briefing_index_html(renderer: MapRenderer, briefing: Briefing, frames: list[PackFrame],
                        images: list[Path]) -> str:
    dataset = renderer.dataset
    esc = html.escape
    parts = [
        page_head(f"{esc(dataset.title)} — {esc(briefing.title)}"),
        f"<h1>{esc(dataset.title)}</h1><h2>{esc(briefing.title)}</h2>",
        f'<p class="meta"><b>{esc(data_current_to(dataset))}</b></p>',   # as the handout's cover
        f'<p class="meta">{len(frames)} chapters. Dataset '
        f"{esc(dataset.path.name if dataset.path else '')} (SHA-256 {esc(dataset.sha256[:16])}…). "
        f"{esc(dataset.meta.get('attribution', ''))}</p>",
    ]
    for number, (chapter, frame, image) in enumerate(zip(briefing.chapters, frames, images), 1):
        view = export_view(renderer, frame.options)
        shown = [s for s in renderer.visible_source_ids(view, chapter.date, dict(frame.options.layers or {}))
                 if s not in chapter.source_ids]
        parts += [
            f"<section><h2>{number}. {esc(chapter.title)}</h2>",
            f'<p class="meta">{esc(date_label(chapter.date, dataset.beyond_data(chapter.date)))}</p>',
            *last_known_note(dataset, chapter.date),
            f'<a href="{esc(image.name)}"><img src="{esc(image.name)}" '
            f'alt="{esc(chapter.title)}, {esc(format_date(chapter.date))}"></a>',
            f"<p>{esc(chapter.caption)}</p>",
            f"<h3>Sources for this chapter</h3>{sources_html(dataset, ';'.join(chapter.source_ids))}"
            if chapter.source_ids else f"<h3>{NO_SOURCES}</h3>",
            f"<h3>Sources for what the map shows</h3>{sources_html(dataset, ';'.join(shown))}</section>",
        ]
    parts.append(f'<p class="meta">Made with Kachin Viewer {esc(__version__)}.</p></body></html>')
    return "\n".join(parts)


def _file_part(chapter_id: str) -> str:
    """A chapter id made safe for a file name (ids are the dataset author's text)."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in chapter_id)
    return safe[:60] or "chapter"
