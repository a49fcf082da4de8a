"""Briefings: ordered chapters, each a view of the map (date, extent, layers)
with a title, a caption and the sources behind it.

Stored in the optional layers `briefing_chapters` and `briefings` (see
DATA_SCHEMA.md). Pure Python: the reader checks the layers with
`briefings_from_frames` (each bad cell named by layer, row and column), and a
`Dataset` builds its briefings with the same function, so the command line,
the window and the tests share one meaning of a chapter.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Callable

import pandas as pd

from viewer.model.names import MAP_LAYERS, split_ids
from viewer.model.dates import checked_date, parse_date, runs_on_to_today

CHAPTERS_LAYER = "briefing_chapters"
BRIEFINGS_LAYER = "briefings"
CHAPTER_COLUMNS = ("chapter_id", "briefing_id", "position", "date", "extent", "layers",
                   "title", "caption", "source_ids", "note")
REQUIRED_CHAPTER_COLUMNS = ("chapter_id", "briefing_id", "position", "date", "title")
BRIEFING_COLUMNS = ("briefing_id", "title", "note")
RETRACTED = "retracted"   # a deleted chapter: kept in the file for the history, not shown
# Said where a chapter's sources would be: a claim on a slide or page names who makes it.
NO_SOURCES = "No sources given for this chapter"

LonLatBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Chapter:
    """One view of a briefing. `extent` None means the dataset's default view;
    `layers` None means every map layer."""

    chapter_id: str
    briefing_id: str
    position: int
    date: dt.date
    title: str
    caption: str = ""
    extent: LonLatBox | None = None
    layers: tuple[str, ...] | None = None
    source_ids: tuple[str, ...] = ()
    note: str = ""
    # Columns of the row this chapter does not know, kept when it is saved back.
    extra: tuple[tuple[str, object], ...] = ()

    def layer_visibility(self) -> dict[str, bool] | None:
        if self.layers is None:
            return None
        return {name: name in self.layers for name in MAP_LAYERS}

    def to_row(self) -> dict[str, object]:
        """The chapter as a `briefing_chapters` row (text cells as stored)."""
        row = dict(self.extra)
        row.update({
            "chapter_id": self.chapter_id, "briefing_id": self.briefing_id,
            "position": self.position, "date": self.date.isoformat(),
            "extent": format_extent(self.extent), "layers": format_layers(self.layers),
            "title": self.title, "caption": self.caption or None,
            "source_ids": ";".join(self.source_ids) or None, "note": self.note or None,
        })
        return row


@dataclass(frozen=True)
class Briefing:
    briefing_id: str
    title: str
    chapters: tuple[Chapter, ...] = field(default_factory=tuple)

    def in_order(self) -> "Briefing":
        ordered = sorted(self.chapters, key=lambda c: (c.position, c.chapter_id))
        return replace(self, chapters=tuple(ordered))


def parse_extent(text: object) -> LonLatBox | None:
    """`minlon,minlat,maxlon,maxlat` as four floats; None for an empty cell.

    Raises ValueError naming what is wrong."""
    if text is None or (isinstance(text, float) and text != text) or not str(text).strip():
        return None
    parts = str(text).split(",")
    try:
        minlon, minlat, maxlon, maxlat = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"'{text}' is not four numbers minlon,minlat,maxlon,maxlat") from None
    if not (-180 <= minlon < maxlon <= 180 and -90 <= minlat < maxlat <= 90):
        raise ValueError(f"'{text}' is not a box (minlon < maxlon, minlat < maxlat, "
                         "within -180..180 / -90..90)")
    return minlon, minlat, maxlon, maxlat


def format_extent(box: LonLatBox | None) -> str | None:
    # Five decimals are about a metre: enough for a view, short enough to read.
    return None if box is None else ",".join(f"{v:.5f}" for v in box)


def parse_layers(text: object) -> tuple[str, ...] | None:
    """The `;`-list of visible map layers; None (all) for an empty cell.

    Raises ValueError for a name that is not a map layer."""
    if not isinstance(text, str) or not text.strip():
        return None
    names = tuple(p.strip() for p in text.replace(",", ";").split(";") if p.strip())
    unknown = [n for n in names if n not in MAP_LAYERS]
    if unknown:
        raise ValueError(f"'{unknown[0]}' is not a map layer (one of {', '.join(MAP_LAYERS)})")
    return names


def format_layers(layers: tuple[str, ...] | None) -> str | None:
    return None if layers is None else ";".join(layers)


def visible_layers(visibility: dict[str, bool]) -> tuple[str, ...] | None:
    """The chapter form of a window's layer switches: None when all are on."""
    shown = tuple(name for name in MAP_LAYERS if visibility.get(name, True))
    return None if len(shown) == len(MAP_LAYERS) else shown


def find_briefing(briefings: list[Briefing], briefing_id: str | None) -> Briefing:
    """The briefing named, or the first one with chapters (else the first: a draft listed
    first was chosen and refused as empty); KeyError with a readable message."""
    if not briefings:
        raise KeyError("the dataset has no briefing (no 'briefing_chapters' layer)")
    if briefing_id is None:
        return next((b for b in briefings if b.chapters), briefings[0])
    for briefing in briefings:
        if briefing.briefing_id == briefing_id:
            return briefing
    known = ", ".join(b.briefing_id for b in briefings)
    raise KeyError(f"no briefing '{briefing_id}' in the dataset (it has: {known})")


def new_chapter_id(existing: set[str], briefing_id: str) -> str:
    number = 1
    while f"{briefing_id}-{number:02d}" in existing:
        number += 1
    return f"{briefing_id}-{number:02d}"


# problem(message, layer, row, column)
# report(message, layer, row, column, severity="error"), as the reader's `problem`.
Report = Callable[..., None]


def briefings_from_frames(frames: dict[str, pd.DataFrame], report: Report,
                          span: tuple[dt.date, dt.date] | None = None) -> list[Briefing]:
    """The briefings in `frames` (layer name -> rows), in file order; each bad cell
    goes to `report(message, layer, row, column)` and its chapter is left out. A chapter
    dated outside `span` ([first, last] days; default the file's time range) is reported
    with severity="warning" and kept: a file the app wrote when its range ran on to
    today must still open. Retracted chapter rows (an edit's delete) are skipped."""
    chapters_frame = frames.get(CHAPTERS_LAYER)
    titles = _briefing_titles(frames.get(BRIEFINGS_LAYER), report)
    if chapters_frame is None:
        return [Briefing(bid, title) for bid, title in titles.items()]
    missing = [c for c in REQUIRED_CHAPTER_COLUMNS if c not in chapters_frame.columns]
    for column in missing:
        report("required column is missing", CHAPTERS_LAYER, None, column)
    if missing:
        return []
    known_sources = {str(s) for s in frames["sources"]["source_id"]} if "sources" in frames else set()
    span = span or _time_range(frames.get("dataset_meta"))
    chapters = _chapters(chapters_frame, titles, known_sources, span, report)
    order = list(titles) + [c.briefing_id for c in chapters if c.briefing_id not in titles]
    grouped = {bid: [] for bid in dict.fromkeys(order)}
    for chapter in chapters:
        grouped[chapter.briefing_id].append(chapter)
    return [Briefing(bid, titles.get(bid, bid), tuple(items)).in_order()
            for bid, items in grouped.items()]


def _briefing_titles(frame: pd.DataFrame | None, report: Report) -> dict[str, str]:
    if frame is None:
        return {}
    if "briefing_id" not in frame.columns:
        report("required column is missing", BRIEFINGS_LAYER, None, "briefing_id")
        return {}
    titles: dict[str, str] = {}
    for index, row in enumerate(frame.to_dict("records")):
        bid = _text(row.get("briefing_id"))
        if not bid:
            report("required value is empty", BRIEFINGS_LAYER, f"#{index + 1}", "briefing_id")
        elif bid in titles:
            report("id is used by more than one row", BRIEFINGS_LAYER, bid, "briefing_id")
        else:
            titles[bid] = _text(row.get("title")) or bid
    return titles


def _time_range(meta: pd.DataFrame | None) -> tuple[dt.date | None, dt.date | None]:
    """The dataset's first and last day (the format's time_end is exclusive), from its
    dataset_meta rows; None for a bound it lacks or that is not a date (the reader names it)."""
    if meta is None or not {"key", "value"} <= set(meta.columns):
        return None, None
    values = dict(zip(meta["key"], meta["value"]))
    end = checked_date(values.get("time_end"))[0]
    last = runs_on_to_today(values, end - dt.timedelta(days=1)) if end else None
    return checked_date(values.get("time_start"))[0], last   # the window's days, as Dataset.last_day


def _chapters(frame: pd.DataFrame, titles: dict[str, str], known_sources: set[str],
              span: tuple[dt.date | None, dt.date | None], report: Report) -> list[Chapter]:
    extra_columns = [c for c in frame.columns if c not in CHAPTER_COLUMNS and c not in ("geometry", RETRACTED)]
    seen: set[str] = set()
    chapters = []
    for index, row in enumerate(frame.to_dict("records")):
        if _text(row.get(RETRACTED)) not in ("", "0", "0.0", "False"):
            continue
        name = _text(row.get("chapter_id")) or f"#{index + 1}"
        chapter = _chapter(row, name, titles, known_sources, span, report)
        if name in seen:
            report("id is used by more than one row", CHAPTERS_LAYER, name, "chapter_id")
            chapter = None
        seen.add(name)
        if chapter is not None:
            extra = tuple((c, row[c]) for c in extra_columns if _text(row.get(c)))
            chapters.append(Chapter(**chapter, extra=extra))
    return chapters


def _chapter(row: dict, name: str, titles: dict[str, str], known_sources: set[str],
             span: tuple[dt.date | None, dt.date | None], report: Report) -> dict | None:
    """The chapter's fields, or None after reporting each bad cell."""
    def bad(message: str, column: str) -> None:
        report(message, CHAPTERS_LAYER, name, column)
        fields["ok"] = False

    fields: dict = {"ok": True}
    for column in REQUIRED_CHAPTER_COLUMNS:
        if not _text(row.get(column)):
            bad("required value is empty", column)
    briefing_id = _text(row.get("briefing_id"))
    if briefing_id and titles and briefing_id not in titles:
        bad(f"'{briefing_id}' is not a known id in layer '{BRIEFINGS_LAYER}'", "briefing_id")
    position = pd.to_numeric(pd.Series([row.get("position")]), errors="coerce").iloc[0]
    if _text(row.get("position")) and (pd.isna(position) or position != int(position)):
        bad(f"'{row.get('position')}' is not a whole number", "position")
    date = _parsed(parse_date, row.get("date"), "date", bad,
                   lambda v: f"'{v}' is not a date (YYYY-MM-DD)")
    first, last = span
    if date and (first and date < first or last and date > last):
        # A handout printed "as of 1 Jan 1900" for a map of a day the dataset says nothing of.
        report(f"{date} is outside the dataset's range ({first or '…'} to {last or '…'})",
               CHAPTERS_LAYER, name, "date", severity="warning")
    extent = _parsed(parse_extent, row.get("extent"), "extent", bad, None)
    layers = _parsed(parse_layers, row.get("layers"), "layers", bad, None)
    source_ids = tuple(split_ids(row.get("source_ids")))
    if not source_ids:   # kept (it opens and shows), but its claim names no one
        report(NO_SOURCES.lower(), CHAPTERS_LAYER, name, "source_ids", severity="warning")
    for source_id in source_ids:
        if source_id not in known_sources:
            bad(f"'{source_id}' is not a known id in layer 'sources'", "source_ids")
    if not fields["ok"]:
        return None
    return dict(chapter_id=name, briefing_id=briefing_id, position=int(position), date=date,
                title=_text(row.get("title")), caption=_text(row.get("caption")),
                extent=extent, layers=layers, source_ids=source_ids, note=_text(row.get("note")))


def _parsed(parse, value: object, column: str, bad, message):
    try:
        return parse(value)
    except ValueError as error:
        bad(message(value) if message else str(error), column)
        return None


def _text(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()

