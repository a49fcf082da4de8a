"""An unsaved edit against rows a colleague changed meanwhile: does it still fit, and
the same edit made again on the rows as they are now.

A refused save keeps the analyst's edits. Those whose rows are still as the
edit read them (`still_fits`) are re-applied as they are; the others are held
until the analyst re-applies them to the current rows (`rebased`) or discards them.
The time range an added fact widened is widened again from the stored range,
never narrowed back to the edit's (a colleague's later fact may have moved it on).
A cell the edit changes that a colleague changed too, to another value, keeps the
colleague's saved value (`overlaps` names each, with both values, for the analyst):
a held "KIA holds Sinbo until 5 Mar" re-applied over a colleague's "until 1 Mar"
wrote 5 Mar, a holding no source gives, as making the edit afresh would not.
A row an edit adds under an id a colleague has taken meanwhile (ids are made from
the date) gets a free id, and the held edits that change or cite it follow it
(`with_free_ids`); an edit using a row another held edit adds waits for that one.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from viewer.model.changes import INSERT, Edit, RowChange
from viewer.model.dataset import Dataset
from viewer.model.dates import parse_date
from viewer.model.edit_apply import find_row
from viewer.model.edits import TIME_RANGE_KEYS, free_id, taken_ids
from viewer.model.names import split_ids
from viewer.model.schema import ID_COLUMN

# A column named as a layer's id column, or its plural (a ;-list), holds ids of that
# layer: source_ids cites sources, a chapter's briefing_id its briefing.
_CITED_LAYER = {column + plural: layer for layer, column in ID_COLUMN.items()
                if layer != "dataset_meta" for plural in ("", "s")}


def still_fits(dataset: Dataset, edit: Edit) -> bool:
    """True when every row the edit changes is still as it read it (an insert's id still free)."""
    return all(_current(dataset, c) == (None if c.action == INSERT else dict(c.before or {}))
               for c in edit.changes)


@dataclass(frozen=True)
class Overlap:
    """A cell both the edit and a colleague changed, to different values."""
    layer: str
    row_id: str
    column: str
    theirs: object
    mine: object

    def __str__(self) -> str:
        return f"{self.layer} {self.row_id}, {self.column}: {_shown(self.theirs)} (yours: {_shown(self.mine)})"


def overlaps(dataset: Dataset, edit: Edit) -> list[Overlap]:
    """The cells the edit changes that a colleague has changed since, to another value."""
    found = []
    for change in edit.changes:
        current = _current(dataset, change)
        if change.action == INSERT or current is None or _is_time_range(change):
            continue
        for column in change.changed_columns():
            before, mine, theirs = (change.before or {}).get(column), change.after[column], current.get(column)
            if theirs not in (before, mine):
                found.append(Overlap(change.layer, change.row_id, column, theirs, mine))
    return found


def rebased(dataset: Dataset, edit: Edit) -> Edit:
    """The edit's changed columns applied to the rows as they are now, the colleague's
    value kept in each of `overlaps` (still to be checked)."""
    theirs = {(o.layer, o.row_id, o.column) for o in overlaps(dataset, edit)}
    changes = []
    for change in edit.changes:
        current = _current(dataset, change)
        if change.action == INSERT or current is None:
            changes.append(change)
        elif _is_time_range(change):
            changes.extend(_time_range_widened(change, current))
        else:
            after = {**current, **{c: change.after[c] for c in change.changed_columns()
                                   if (change.layer, change.row_id, c) not in theirs}}
            if after != current:
                changes.append(dataclasses.replace(change, before=current, after=after))
    return dataclasses.replace(edit, changes=tuple(changes))


def _is_time_range(change: RowChange) -> bool:
    return change.layer == "dataset_meta" and change.row_id in TIME_RANGE_KEYS


def _shown(value: object) -> str:
    return "(empty)" if value is None or value == "" else str(value)


def _time_range_widened(change: RowChange, current: dict) -> list[RowChange]:
    """The change of a time range key, made on the stored range: the wider of the stored
    day and the edit's; no change when the stored range already reaches the edit's."""
    stored, wanted = parse_date(current.get("value")), parse_date(change.after["value"])
    day = wanted if stored is None else TIME_RANGE_KEYS[change.row_id](stored, wanted)
    if day == stored:
        return []
    return [dataclasses.replace(change, before=current, after={**current, "value": day.isoformat()})]


def added_rows(edit: Edit) -> set[tuple[str, str]]:
    """The (layer, id) of each row the edit adds."""
    return {(c.layer, c.row_id) for c in edit.changes if c.action == INSERT}


def uses_rows(edit: Edit, rows: set[tuple[str, str]]) -> bool:
    """Whether the edit changes one of `rows` ((layer, id) pairs) or cites one."""
    return any((c.layer, c.row_id) in rows or _cited(c.after) & rows for c in edit.changes)


def with_free_ids(dataset: Dataset, edits: list[Edit]) -> list[Edit]:
    """The edits, each row they add under an id now taken in `dataset` given a free id,
    and every change or citation of that row in the edits renamed with it: an event
    citing the analyst's new source must never cite the colleague's of the same id."""
    added = [row for edit in edits for row in sorted(added_rows(edit))]
    renames: dict[tuple[str, str], str] = {}
    for layer, row_id in added:
        stored = taken_ids(dataset, layer)
        if row_id in stored:
            kept = {i for l, i in added if l == layer} | {n for (l, _), n in renames.items() if l == layer}
            renames[(layer, row_id)] = free_id(row_id, stored | kept)
    return [_renamed(edit, renames) for edit in edits] if renames else list(edits)


def _renamed(edit: Edit, renames: dict[tuple[str, str], str]) -> Edit:
    changes = tuple(dataclasses.replace(c, row_id=renames.get((c.layer, c.row_id), c.row_id),
                                        before=_renamed_row(c.before, renames),
                                        after=_renamed_row(c.after, renames))
                    for c in edit.changes)
    summary = edit.summary  # "Add source src-2024-11-09: …" names the new id
    for (_layer, old), new in renames.items():
        summary = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", lambda _: new, summary)
    return dataclasses.replace(edit, summary=summary, changes=changes)


def _renamed_row(row, renames: dict[tuple[str, str], str]) -> dict | None:
    if row is None:
        return None
    return {column: _renamed_ids(value, {old: new for (layer, old), new in renames.items()
                                         if layer == _CITED_LAYER.get(column)})
            for column, value in row.items()}


def _renamed_ids(value: object, names: dict[str, str]) -> object:
    if not names or not isinstance(value, str):
        return value
    return ";".join(names.get(part.strip(), part) for part in value.split(";"))


def _cited(row) -> set[tuple[str, str]]:
    return {(_CITED_LAYER[column], ref) for column, value in (row or {}).items()
            if column in _CITED_LAYER for ref in split_ids(value)}


def _current(dataset: Dataset, change) -> dict | None:
    try:
        return find_row(dataset, change.layer, change.row_id)
    except KeyError:  # a layer the file lacks (created by the edit)
        return None
