"""A row's history in words: what each logged change did, for the panel and `history`."""
from __future__ import annotations

from viewer.model.changes import INSERT, RETRACT, RowChange

_SHOWN_LENGTH = 60  # long notes are cut in one-line descriptions; --json has them whole


def describe_change(change: RowChange) -> str:
    """`control c3 update: valid_to (empty) → 2024-11-05` and the like, one line."""
    where = f"{change.layer} {change.row_id}"
    if change.action == INSERT:
        return f"{where} added"
    if change.action == RETRACT:
        return f"{where} retracted"
    before, after = change.before or {}, change.after or {}
    parts = [f"{column} {_shown(before.get(column))} → {_shown(after.get(column))}"
             for column in change.changed_columns()]
    return f"{where} changed: " + ("; ".join(parts) or "no values")


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(empty)"
    text = str(value)
    return text if len(text) <= _SHOWN_LENGTH else text[:_SHOWN_LENGTH - 1] + "…"
