"""A briefing pack: numbered PNGs and an index.html of each map's events and sources."""
from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from viewer import __version__
from viewer.export.files import (check_folder, check_target, folder_lock, make_folder,
                                  move_into_place, staging_folder, write_error)
from viewer.export.options import (
    Cancelled,
    ExportError,
    ExportOptions,
    Progress,
    stop_if,
)
from viewer.export.png import (captioned, export_view, png_bytes, render_export, sidecar_path,
                               write_sources_sidecar)
from viewer.model.dataset import Dataset
from viewer.model.dates import format_date, parse_date, to_day
from viewer.model.links import web_link
from viewer.model.periods import date_periods
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
                renderer: MapRenderer | None = None,
                captions: Mapping[dt.date, str] | None = None) -> PackResult:
    """Numbered PNGs, one per date, and `index.html` listing each image's events and
    sources, written as `write_pack` writes every pack. `captions` (e.g.
    `key_event_captions`) are printed on the maps of their dates."""
    out_dir = Path(out_dir)
    dates = sorted(set(dates))
    if not dates:
        raise ExportError("no dates to export")
    renderer = renderer or MapRenderer(dataset)
    frames = [PackFrame(day.isoformat(), format_date(day), day, captioned(options, captions, day))
              for day in dates]

    def index(names: list[Path]) -> str:
        return pack_index_html(renderer, dates, names, export_view(renderer, options), options)

    return write_pack(renderer, frames, out_dir, index, overwrite=overwrite,
                      progress=progress, cancelled=cancelled)


@dataclass(frozen=True)
class PackFrame:
    """One image of a pack: its file-name part, its progress label, what it shows."""

    name: str
    label: str
    day: dt.date
    options: ExportOptions


def write_pack(renderer: MapRenderer, frames: Sequence[PackFrame], out_dir: Path,
               index_page: Callable[[list[Path]], str], *, overwrite: bool = False,
               progress: Progress | None = None, cancelled: Cancelled | None = None) -> PackResult:
    """`frames` as numbered PNGs and the page `index_page(image paths)` as index.html.

    `out_dir` is created when missing (and removed again if the export fails).
    Everything is written into a hidden folder inside `out_dir` and moved into
    place only once complete, the index last: a failure, a cancel or a killed
    process leaves a previous pack as it was. A second export into the same
    folder while one runs is refused.
    """
    created = make_folder(out_dir)
    check_folder(out_dir)
    width = max(2, len(str(len(frames))))
    names = [out_dir / f"{i:0{width}d}_{frame.name}.png" for i, frame in enumerate(frames, 1)]
    index_path = out_dir / "index.html"
    try:
        with folder_lock(out_dir) as locked, staging_folder(out_dir, clean=locked) as staging:
            for path in names + [sidecar_path(name) for name in names] + [index_path]:
                check_target(path, overwrite)
            earlier = _maps_listed(index_path)
            _write_pack(renderer, frames, names, staging, index_page,
                        progress or (lambda _text, _fraction: None), cancelled)
            # A map whose footer had no room for every source has a .sources.txt beside it.
            sidecars = [out_dir / p.name for p in sorted(staging.glob("*.sources.txt"))]
            for path in sidecars + names + [index_path]:
                move_into_place(staging / path.name, path, overwrite)
            for stale in {sidecar_path(name) for name in names} - set(sidecars):
                stale.unlink(missing_ok=True)   # an earlier pack's list beside a map that now fits
            for stale in earlier - set(names):  # of other dates: slides made from the folder took them
                stale.unlink(missing_ok=True)
                sidecar_path(stale).unlink(missing_ok=True)
    except MemoryError:
        _remove_if_created(out_dir, created)
        raise ExportError(f"out of memory while making the pack of {len(frames)} maps; "
                          "try fewer dates or a smaller size") from None
    except BaseException:
        _remove_if_created(out_dir, created)
        raise
    return PackResult(images=names, index=index_path)


def _write_pack(renderer: MapRenderer, frames: Sequence[PackFrame], names: list[Path],
                staging: Path, index_page: Callable[[list[Path]], str], report: Progress,
                cancelled: Cancelled | None) -> None:
    written = 0
    for i, (frame, path) in enumerate(zip(frames, names)):
        stop_if(cancelled)
        report(f"Map {i + 1} of {len(frames)}: {frame.label}", i / (len(frames) + 1))
        image = render_export(renderer, frame.day, frame.options)
        data = png_bytes(image)
        written += len(data)
        try:
            (staging / path.name).write_bytes(data)
            write_sources_sidecar(renderer, frame.day, image, staging / path.name)
        except OSError as error:  # a full disk: the whole pack needs about this much
            raise write_error(path, error, written * len(frames) // (i + 1)) from None
    stop_if(cancelled)
    report("Writing the index", len(frames) / (len(frames) + 1))
    page = index_page(names)
    try:
        (staging / "index.html").write_text(page, encoding="utf-8")
    except OSError as error:
        raise write_error(staging.parent / "index.html", error, written + len(page)) from None
    stop_if(cancelled)
    report("Done", 1.0)


# Marks an index.html as a pack's: a page of the user's own in the folder is not one,
# and the pictures it shows are never taken for an earlier pack's maps.
PACK_GENERATOR = "Kachin Viewer pack"
PACK_MARK = f'<meta name="generator" content="{PACK_GENERATOR}">'
_MAP_NAME = re.compile(r"\d+_[^/\\]+\.png")


class _ImageNames(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.marked = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.marked |= (tag == "meta" and values.get("name") == "generator"
                        and values.get("content") == PACK_GENERATOR)
        if tag == "img" and values.get("src"):
            self.names.append(values["src"])


def _maps_listed(index_path: Path) -> set[Path]:
    """The maps an earlier pack's index shows, beside it in its folder, named as a pack
    names them: only those are ever removed, never another file the folder holds (a
    site's own index.html listed its logo)."""
    if not index_path.is_file():
        return set()
    parser = _ImageNames()
    parser.feed(index_path.read_text(encoding="utf-8", errors="replace"))
    if not parser.marked:
        return set()
    return {index_path.with_name(name) for name in parser.names if _MAP_NAME.fullmatch(name)}


def _remove_if_created(folder: Path, created: bool) -> None:
    if created:
        shutil.rmtree(folder, ignore_errors=True)


def pack_index_html(renderer: MapRenderer, dates: list[dt.date], images: list[Path],
                    view: MapView, options: ExportOptions) -> str:
    """A self-contained page: each map, the events since the previous map, their sources."""
    dataset = renderer.dataset
    esc = html.escape
    parts = [
        page_head(f"{_text(dataset.title)} — briefing pack"),
        f"<h1>{_text(dataset.title)}</h1>",
        f'<p class="meta">{len(dates)} maps from {esc(format_date(dates[0]))} to '
        f"{esc(format_date(dates[-1]))}. Dataset {esc(dataset.path.name if dataset.path else '')} "
        f"(SHA-256 {esc(dataset.sha256[:16])}…). {_text(dataset.meta.get('attribution', ''))}</p>",
    ]
    previous, periods = None, date_periods(dataset.events)
    for number, (day, image) in enumerate(zip(dates, images), 1):
        parts.append(_pack_section(renderer, number, day, previous, image, view, options, periods))
        previous = day
    parts.append(f'<p class="meta">Made with Kachin Viewer {esc(__version__)}.</p></body></html>')
    return "\n".join(parts)


def page_head(title: str) -> str:
    """A pack index's page up to its body: `title` (HTML, escaped already), the style,
    and the mark that makes it a pack's (PACK_MARK)."""
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' + PACK_MARK
            + f"\n<title>{title}</title>\n<style>body{{font-family:'DejaVu Sans',Arial,sans-serif;"
            "max-width:1100px;margin:2em auto;color:#1e1e1e}img{width:100%;border:1px solid #bbb}"
            "section{margin-bottom:3em}.src{color:#555;font-size:90%}.meta{color:#555}"
            "</style></head><body>")


def last_known_note(dataset: Dataset, day: dt.date) -> list[str]:
    """The HTML paragraph a map past the latest fact carries; none before it."""
    if not dataset.beyond_data(day):
        return []
    return [f'<p class="mark"><b>{html.escape(current_to_mark(dataset, day))}</b>: this map shows '
            "the last known state, not what held on this date.</p>"]


def _pack_section(renderer: MapRenderer, number: int, day: dt.date, previous: dt.date | None,
                  image: Path, view: MapView, options: ExportOptions, periods: np.ndarray) -> str:
    esc = html.escape
    dataset = renderer.dataset
    events, undecided = _events_between(dataset, periods, previous, day)
    label = date_label(day, dataset.beyond_data(day))
    lines = [f'<section><h2>Map {number}: {esc(label)}</h2>',
             f'<a href="{esc(image.name)}"><img src="{esc(image.name)}" alt="Map {esc(label)}"></a>']
    lines += last_known_note(dataset, day)
    span = "on this day" if previous is None else f"since the previous map ({format_date(previous)})"
    if len(events):
        lines += [f"<h3>Events {esc(span)}</h3>", _event_list(dataset, events)]
    else:
        lines.append(f"<p>No events recorded {esc(span)}.</p>")
    if len(undecided):
        lines += ["<h3>Events whose day is not known: they may come after this map</h3>",
                  _event_list(dataset, undecided)]
    shown = ";".join(renderer.visible_source_ids(view, day, dict(options.layers or {})))
    lines.append(f"<h3>Sources for what the map shows</h3>{sources_html(dataset, shown)}</section>")
    return "\n".join(lines)


def _event_list(dataset: Dataset, events) -> str:
    items = []
    for _, event in events.iterrows():
        when = format_date(parse_date(event["date"]), str(event.get("date_precision") or "day"))
        items.append(f"<li><b>{html.escape(when)}</b> — {_text(event['title'])}"
                     f"{_summary(event)}{sources_html(dataset, event.get('source_ids'))}</li>")
    return "<ul>" + "\n".join(items) + "</ul>"


def _events_between(dataset: Dataset, periods: np.ndarray, previous: dt.date | None,
                    day: dt.date):
    """The events known to have happened after the previous map and by this one, and
    those whose month (quarter, year) this map falls in, first shown here. An event
    dated "Oct 2024" was listed under a map of 1 Oct, before it happened."""
    first, last = periods[:, 0], periods[:, 1]
    since, until = (to_day(day) if previous is None else to_day(previous) + 1), to_day(day)
    happened = (last >= since) & (last <= until)
    undecided = (first <= until) & (last > until) & ((first >= since) | (previous is None))
    return dataset.events[happened], dataset.events[undecided]


def _summary(event) -> str:
    summary = event.get("summary")
    return f"<br>{_text(summary)}" if isinstance(summary, str) and summary.strip() else ""


# The most of one text (a title, a summary, a source) the index shows: a file of
# megabyte-long strings made a 1.2 GB page before.
MAX_INDEX_TEXT = 2_000


def _text(value: object) -> str:
    """A dataset text for the page: escaped, and cut short with a note when very long."""
    text = str(value)
    if len(text) > MAX_INDEX_TEXT:
        text = (f"{text[:MAX_INDEX_TEXT]}… [{len(text) - MAX_INDEX_TEXT:,} more characters "
                "not shown; see the dataset]")
    return html.escape(text)


def sources_html(dataset: Dataset, source_ids: object) -> str:
    records = dataset.source_records(source_ids)
    if not records:
        return ""
    items = []
    for record in records:
        text = citation(record)
        link = web_link(record.get("url"))
        body = f'<a href="{html.escape(link)}">{_text(text)}</a>' if link else _text(text)
        if record.get("url") and not link:
            body += f" <span class=\"src\">({_text(record['url'])})</span>"
        items.append(f"<li>{body}</li>")
    return '<ul class="src">' + "".join(items) + "</ul>"


def citation(record: dict, with_url: bool = False) -> str:
    """A `sources` record as one line: outlet — title (date) [address]."""
    text = " — ".join(str(record[k]) for k in ("outlet", "title") if record.get(k))
    if record.get("published"):
        text += f" ({format_date(parse_date(record['published']))})"
    if with_url and record.get("url"):
        text += f" {record['url']}"
    return text
