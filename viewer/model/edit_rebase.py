"""An unsaved edit against rows a colleague changed meanwhile: does it still fit, and
the same edit made again on the rows as they are now.

A refused save keeps the analyst's edits. Those whose rows are still as the
edit read them (`still_fits`) are re-applied as they are; the others are held
until the analyst re-applies them to the current rows (`rebased`) or discards them.
The time range an added fact widened is widened again from the stored range,
never narrowed back to the edit's (a colleague's later fact may have moved it on).
"""
from __future__ import annotations

import dataclasses

from viewer.model.changes import INSERT, Edit, RowChange
from viewer.model.dataset import Dataset
from viewer.model.dates import parse_date
from viewer.model.edit_apply import find_row
from viewer.model.edits import TIME_RANGE_KEYS


def still_fits(dataset: Dataset, edit: Edit) -> bool:
    """True when every row the edit changes is still as it read it (an insert's id still free)."""
    return all(_current(dataset, c) == (None if c.action == INSERT else dict(c.before or {}))
               for c in edit.changes)


def rebased(dataset: Dataset, edit: Edit) -> Edit:
    """The edit's changed columns applied to the rows as they are now (still to be checked)."""
    changes = []
    for change in edit.changes:
        current = _current(dataset, change)
        if change.action == INSERT or current is None:
            changes.append(change)
        elif change.layer == "dataset_meta" and change.row_id in TIME_RANGE_KEYS:
            changes.extend(_time_range_widened(change, current))
        else:
            after = {**current, **{c: change.after[c] for c in change.changed_columns()}}
            changes.append(dataclasses.replace(change, before=current, after=after))
    return dataclasses.replace(edit, changes=tuple(changes))


def _time_range_widened(change: RowChange, current: dict) -> list[RowChange]:
    """The change of a time range key, made on the stored range: the wider of the stored
    day and the edit's; no change when the stored range already reaches the edit's."""
    stored, wanted = parse_date(current.get("value")), parse_date(change.after["value"])
    day = wanted if stored is None else TIME_RANGE_KEYS[change.row_id](stored, wanted)
    if day == stored:
        return []
    return [dataclasses.replace(change, before=current, after={**current, "value": day.isoformat()})]


def _current(dataset: Dataset, change) -> dict | None:
    try:
        return find_row(dataset, change.layer, change.row_id)
    except KeyError:  # a layer the file lacks (created by the edit)
        return None
