"""Edit commands for briefing chapters: add a view, change its text, move it, delete it.

They make `Edit`s like the other commands (viewer.model.edits), so the window's
undo stack and the store's one-transaction save handle chapters the same way.
Each edit is checked twice: by the format's row rules, then by reading the
briefing layers back as the reader would (a bad date, extent or source refuses
the edit, naming the column).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

from viewer.model.briefing import (BRIEFINGS_LAYER, CHAPTERS_LAYER, RETRACTED, Briefing, Chapter,
                                   LonLatBox, briefings_from_frames, new_chapter_id)
from viewer.model.changes import INSERT, RETRACT, UPDATE, Edit, EditRefused, RowChange
from viewer.model.dataset import Dataset
from viewer.model.edit_apply import find_row, layer_frame
from viewer.model.edit_check import check_changes
from viewer.model.edits import EditCommand

# What a chapter's text may be changed to: title, caption and the sources behind it.
EDITABLE_COLUMNS = ("title", "caption", "source_ids", "note")


class _ChapterCommand(EditCommand):
    def _checked(self, dataset: Dataset, summary: str, reason: str,
                 changes: list[RowChange]) -> Edit:
        after = check_changes(dataset, changes)

        edited = {c.row_id for c in changes if c.layer == CHAPTERS_LAYER}

        def refuse(message: str, _layer: str, row: str | None, column: str | None,
                   severity: str = "error") -> None:
            # A warning about this edit's chapters too (not written); another chapter's, saved
            # before (a file may hold one), does not stop every chapter edit. A chapter with
            # no sources yet is one being written ("Add view" comes before its sources):
            # the page and slide say so, and validate warns.
            drafting = severity == "warning" and column == "source_ids"
            if severity != "warning" or (row in edited and not drafting):
                raise EditRefused(column or "chapter", message)

        # A chapter of a day the window offers (it runs on to today past the data's date).
        briefings_from_frames(dict(after.extra_layers, sources=after.sources), refuse,
                              span=(after.time_start, after.last_day))
        return Edit(self.command, summary, reason, tuple(changes))


@dataclass(frozen=True)
class AddChapter(_ChapterCommand):
    """A view (date, extent, layers) as the last chapter of a briefing (made if new)."""

    briefing_id: str
    title: str
    date: dt.date
    extent: LonLatBox | None = None
    layers: tuple[str, ...] | None = None
    caption: str = ""
    source_ids: tuple[str, ...] = ()
    briefing_title: str = ""
    command = "add-chapter"

    def edit(self, dataset: Dataset, on: dt.date) -> Edit:
        if not self.title.strip():
            raise EditRefused("title", "a chapter needs a title")
        taken = set(layer_frame(dataset, CHAPTERS_LAYER)["chapter_id"].astype(str))
        chapter_id = new_chapter_id(taken, self.briefing_id)
        briefing = _briefing(dataset, self.briefing_id)
        position = max((c.position for c in briefing.chapters), default=0) + 1 if briefing else 1
        chapter = Chapter(chapter_id, self.briefing_id, position, self.date, self.title.strip(),
                          self.caption, self.extent, self.layers, self.source_ids)
        changes = [RowChange(CHAPTERS_LAYER, chapter_id, INSERT, None, chapter.to_row())]
        titles = layer_frame(dataset, BRIEFINGS_LAYER)
        if self.briefing_id not in set(titles["briefing_id"].astype(str)):
            row = {"briefing_id": self.briefing_id, "title": self.briefing_title or self.briefing_id}
            changes.insert(0, RowChange(BRIEFINGS_LAYER, self.briefing_id, INSERT, None, row))
        return self._checked(dataset, f"Add chapter {chapter_id}: {chapter.title}", "", changes)


@dataclass(frozen=True)
class EditChapter(_ChapterCommand):
    """New text for a chapter: any of title, caption, source_ids, note."""

    chapter_id: str
    values: Mapping[str, object] = field(default_factory=dict)
    command = "edit-chapter"

    def edit(self, dataset: Dataset, on: dt.date) -> Edit:
        unknown = [c for c in self.values if c not in EDITABLE_COLUMNS]
        if unknown:
            raise EditRefused(unknown[0], f"not a chapter text ({', '.join(EDITABLE_COLUMNS)})")
        before = _chapter_row(dataset, self.chapter_id)
        after = {**before, **{k: (str(v).strip() or None) if v is not None else None
                              for k, v in self.values.items()}}
        if after == before:
            raise EditRefused("values", "the edit changes nothing")
        change = RowChange(CHAPTERS_LAYER, self.chapter_id, UPDATE, before, after)
        return self._checked(dataset, f"Edit chapter {self.chapter_id}: "
                             f"{', '.join(change.changed_columns())}", "", [change])


@dataclass(frozen=True)
class MoveChapter(_ChapterCommand):
    """Put a chapter at `index` (0 = first) of its briefing; positions become 1..n."""

    chapter_id: str
    index: int
    command = "move-chapter"

    def edit(self, dataset: Dataset, on: dt.date) -> Edit:
        chapter = _chapter(dataset, self.chapter_id)
        order = [c for c in _briefing(dataset, chapter.briefing_id).chapters
                 if c.chapter_id != self.chapter_id]
        order.insert(max(0, min(self.index, len(order))), chapter)
        changes = []
        for position, moved in enumerate(order, 1):
            if moved.position != position:
                before = _chapter_row(dataset, moved.chapter_id)
                changes.append(RowChange(CHAPTERS_LAYER, moved.chapter_id, UPDATE, before,
                                         {**before, "position": position}))
        if not changes:
            raise EditRefused("position", "the chapter is already there")
        return self._checked(dataset, f"Move chapter {self.chapter_id} to place {self.index + 1}",
                             "", changes)


@dataclass(frozen=True)
class DeleteChapter(_ChapterCommand):
    """A chapter taken out of its briefing: kept in the file (marked retracted) for the history."""

    chapter_id: str
    command = "delete-chapter"

    def edit(self, dataset: Dataset, on: dt.date) -> Edit:
        chapter = _chapter(dataset, self.chapter_id)
        before = _chapter_row(dataset, self.chapter_id)
        change = RowChange(CHAPTERS_LAYER, self.chapter_id, RETRACT, before, {**before, RETRACTED: 1})
        return self._checked(dataset, f"Delete chapter {self.chapter_id}: {chapter.title}", "",
                             [change])


def _briefing(dataset: Dataset, briefing_id: str) -> Briefing | None:
    return next((b for b in dataset.briefings if b.briefing_id == briefing_id), None)


def _chapter(dataset: Dataset, chapter_id: str) -> Chapter:
    for briefing in dataset.briefings:
        for chapter in briefing.chapters:
            if chapter.chapter_id == chapter_id:
                return chapter
    raise EditRefused("chapter_id", f"'{chapter_id}' is not a chapter of this dataset")


def _chapter_row(dataset: Dataset, chapter_id: str) -> dict[str, object]:
    _chapter(dataset, chapter_id)  # refuses deleted or unknown chapters
    return find_row(dataset, CHAPTERS_LAYER, chapter_id)
