"""Briefings: ordered chapters, each a view of the map (date, extent, layers)
with a title, a caption and the sources behind it.

Stored in the optional layers `briefing_chapters` and `briefings` (see
DATA_SCHEMA.md); pure Python, so the command line, the window and the tests
share one meaning of a chapter.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from viewer.model.state import MAP_LAYERS

CHAPTERS_LAYER = "briefing_chapters"
BRIEFINGS_LAYER = "briefings"
CHAPTER_COLUMNS = ("chapter_id", "briefing_id", "position", "date", "extent", "layers",
                   "title", "caption", "source_ids", "note")
REQUIRED_CHAPTER_COLUMNS = ("chapter_id", "briefing_id", "position", "date", "title")
BRIEFING_COLUMNS = ("briefing_id", "title", "note")

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
    """The briefing named, or the first one; KeyError with a readable message."""
    if not briefings:
        raise KeyError("the dataset has no briefing (no 'briefing_chapters' layer)")
    if briefing_id is None:
        return briefings[0]
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
