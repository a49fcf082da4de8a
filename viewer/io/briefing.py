"""Read and check the optional `briefing_chapters` and `briefings` layers.

A file without them opens as before. A file with them has every cell checked:
each problem names the file, layer, row and column, like the other layers.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd

from viewer.model.briefing import (BRIEFINGS_LAYER, CHAPTER_COLUMNS,
                                   CHAPTERS_LAYER, REQUIRED_CHAPTER_COLUMNS, Briefing, Chapter,
                                   parse_extent, parse_layers)
from viewer.model.dataset import split_ids
from viewer.model.dates import parse_date

# problem(message, layer, row, column)
Report = Callable[[str, str, "str | None", "str | None"], None]


def read_briefings(frames: dict[str, pd.DataFrame], report: Report) -> list[Briefing]:
    """The briefings in `frames`, ordered by first appearance; problems go to `report`."""
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
    chapters = _chapters(chapters_frame, titles, known_sources, report)
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


def _chapters(frame: pd.DataFrame, titles: dict[str, str], known_sources: set[str],
              report: Report) -> list[Chapter]:
    extra_columns = [c for c in frame.columns if c not in CHAPTER_COLUMNS and c != "geometry"]
    seen: set[str] = set()
    chapters = []
    for index, row in enumerate(frame.to_dict("records")):
        name = _text(row.get("chapter_id")) or f"#{index + 1}"
        chapter = _chapter(row, name, titles, known_sources, report)
        if name in seen:
            report("id is used by more than one row", CHAPTERS_LAYER, name, "chapter_id")
            chapter = None
        seen.add(name)
        if chapter is not None:
            extra = tuple((c, row[c]) for c in extra_columns if _text(row.get(c)))
            chapters.append(Chapter(**chapter, extra=extra))
    return chapters


def _chapter(row: dict, name: str, titles: dict[str, str], known_sources: set[str],
             report: Report) -> dict | None:
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
    extent = _parsed(parse_extent, row.get("extent"), "extent", bad, None)
    layers = _parsed(parse_layers, row.get("layers"), "layers", bad, None)
    source_ids = tuple(split_ids(row.get("source_ids")))
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

