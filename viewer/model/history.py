"""A row's history in words: what each logged change did, for the panel and `history`;
and the rows of a zone or a route, whose history is theirs together."""
from __future__ import annotations

from viewer.model.changes import INSERT, RETRACT, RowChange
from viewer.model.dataset import FEATURE_COLUMNS, Dataset, feature_keys

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


def feature_rows(dataset: Dataset, feature_id: str) -> set[tuple[str, str]]:
    """(layer, row id) of every row of the zone or route `feature_id`, retracted ones
    too: a zone's history is its control rows' (`history --id zone-bhamo` found none)."""
    rows = set()
    for layer in ("control", "flows"):
        frame = dataset.all_rows(layer)
        ids = frame[FEATURE_COLUMNS[layer][1]].astype(str).to_numpy()
        rows |= {(layer, row_id) for row_id in ids[feature_keys(frame, layer) == feature_id]}
    return rows
