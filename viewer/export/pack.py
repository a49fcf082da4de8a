"""A briefing pack: numbered PNGs and an index.html of each map's events and sources."""
from __future__ import annotations

import datetime as dt
import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from viewer import __version__
from viewer.export.files import atomic_target, check_folder, check_target, make_folder
from viewer.export.options import (
    Cancelled,
    ExportError,
    ExportOptions,
    Progress,
    stop_if,
)
from viewer.export.png import export_view, render_export
from viewer.model.dataset import Dataset
from viewer.model.dates import format_date, parse_date, to_day
from viewer.model.links import web_link
from viewer.model.unknowns import current_to_mark
from viewer.render.overlay import date_label
from viewer.render.renderer import MapRenderer
from viewer.render.view import MapView


@dataclass
class PackResult:
    images: list[Path] = field(default_factory=list)
    index: Path | None = None




# -- briefing pack -------------------------------------------------------------------------
def export_pack(dataset: Dataset, dates: Sequence[dt.date], out_dir: str | os.PathLike,
                options: ExportOptions = ExportOptions(), *, overwrite: bool = False,
                progress: Progress | None = None, cancelled: Cancelled | None = None,
                renderer: MapRenderer | None = None) -> PackResult:
    """Numbered PNGs, one per date, and `index.html` listing each image's events and sources.

    `out_dir` is created when missing (and removed again if the export fails)."""
    out_dir = Path(out_dir)
    dates = sorted(set(dates))
    if not dates:
        raise ExportError("no dates to export")
    created = make_folder(out_dir)
    check_folder(out_dir)
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
            stop_if(cancelled)
            report(f"Map {i + 1} of {len(dates)}: {format_date(day)}", i / (len(dates) + 1))
            image = render_export(renderer, day, options)
            with atomic_target(path) as temporary:
                if not image.save(str(temporary), "PNG"):
                    raise ExportError(f"could not write {path}")
            result.images.append(path)
        stop_if(cancelled)
        report("Writing the index", len(dates) / (len(dates) + 1))
        view = export_view(renderer, options)
        page = pack_index_html(renderer, dates, names, view, options)
        with atomic_target(index_path) as temporary:
            temporary.write_text(page, encoding="utf-8")
        result.index = index_path
    except BaseException:
        for path in result.images:
            path.unlink(missing_ok=True)
        if created:
            out_dir.rmdir()
        raise
    report("Done", 1.0)
    return result




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
    label = date_label(day, dataset.beyond_data(day))
    lines = [f'<section><h2>Map {number}: {esc(label)}</h2>',
             f'<a href="{esc(image.name)}"><img src="{esc(image.name)}" alt="Map {esc(label)}"></a>']
    if dataset.beyond_data(day):
        lines.append(f'<p class="mark"><b>{esc(current_to_mark(dataset, day))}</b>: this map shows '
                     "the last known state, not what held on this date.</p>")
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
        link = web_link(record.get("url"))
        body = (f'<a href="{html.escape(link)}">{html.escape(text)}</a>' if link
                else html.escape(text))
        if record.get("url") and not link:
            body += f" <span class=\"src\">({html.escape(str(record['url']))})</span>"
        items.append(f"<li>{body}</li>")
    return '<ul class="src">' + "".join(items) + "</ul>"


# -- animation -------------------------------------------------------------------------------
