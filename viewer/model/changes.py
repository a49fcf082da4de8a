"""What an edit is made of: row changes, edits, log entries, refusals.

Pure (no Qt, no I/O). A command looks at a `Dataset` and returns an `Edit`: a
list of `RowChange`s that the window applies in memory (and undoes), and a
store (`viewer.io.store`) writes in one transaction with one `edit_log` entry.
A command that would leave the dataset invalid raises `EditRefused` naming the
field and the reason; nothing is changed then.

History is never overwritten: a control or route change closes the row that
holds on the date (`valid_to = D`) and opens a new one (`valid_from = D`); a
retraction only marks a row `retracted` (it stays in the file and the log).

Row values in a `RowChange` are plain JSON values (ISO date strings, numbers,
text, None), never pandas objects, so they can be logged and compared as they
are. Geometry travels only with an insert (`RowChange.geometry`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

import shapely

from viewer.model.dataset import RETRACTABLE_LAYERS


INSERT, UPDATE, RETRACT = "insert", "update", "retract"
ACTIONS = (INSERT, UPDATE, RETRACT)
# Layers whose rows can be retracted (drawn facts); other layers are corrected.
RETRACTABLE = RETRACTABLE_LAYERS
RETRACTED = "retracted"  # the optional BOOLEAN column marking a retracted row


class EditRefused(Exception):
    """An edit that would break the format: `field` and a one-line `reason`."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class RowChanged(EditRefused):
    """A row changed (or appeared) in the store since the edit read it."""


@dataclass(frozen=True)
class RowChange:
    """One row inserted, updated or retracted.

    `before` is the whole row as read (None for an insert); `after` the whole row
    as written (for a retraction: `before` with `retracted` set). A store checks
    that the stored row still equals `before` (the optimistic check) before
    writing `after`. `geometry` (a shapely geometry or None) is set for inserts.
    """

    layer: str
    row_id: str
    action: str
    before: Mapping[str, object] | None
    after: Mapping[str, object] | None
    geometry: object = field(default=None, compare=False)

    def changed_columns(self) -> list[str]:
        """Columns whose value differs between before and after."""
        before, after = self.before or {}, self.after or {}
        return [c for c in after if before.get(c) != after.get(c)]

    def to_json(self, with_geometry: bool = False) -> dict:
        """Plain JSON; `with_geometry` adds the insert's shape as WKB hex (crash journal)."""
        data = {"layer": self.layer, "row_id": self.row_id, "action": self.action,
                "before": dict(self.before) if self.before is not None else None,
                "after": dict(self.after) if self.after is not None else None}
        if with_geometry and self.geometry is not None:
            data["geometry"] = shapely.to_wkb(self.geometry, hex=True)
        return data

    @classmethod
    def from_json(cls, data: Mapping) -> "RowChange":
        geometry = shapely.from_wkb(data["geometry"]) if data.get("geometry") else None
        return cls(data["layer"], data["row_id"], data["action"], data.get("before"),
                   data.get("after"), geometry)


@dataclass(frozen=True)
class Edit:
    """One analyst's edit: one undo step, one transaction, one `edit_log` entry."""

    command: str  # add-source, add-event, set-control, set-route, correct, retract, …
    summary: str  # one line for the Edit menu and the history
    reason: str
    changes: tuple[RowChange, ...]

    def rows(self) -> list[tuple[str, str]]:
        return [(c.layer, c.row_id) for c in self.changes]

    def to_json(self, with_geometry: bool = False) -> dict:
        return {"command": self.command, "summary": self.summary, "reason": self.reason,
                "changes": [c.to_json(with_geometry) for c in self.changes]}

    @classmethod
    def from_json(cls, data: Mapping) -> "Edit":
        return cls(data["command"], data.get("summary") or "", data.get("reason") or "",
                   tuple(RowChange.from_json(c) for c in data["changes"]))


@dataclass(frozen=True)
class LogEntry:
    """One `edit_log` row as read back from a store."""

    edit_id: int
    recorded_at: str  # ISO date-time, UTC
    user: str
    edit: Edit

    @property
    def recorded_on(self) -> dt.date:
        return dt.date.fromisoformat(self.recorded_at[:10])

    def touches(self, row_id: str, layer: str | None = None) -> bool:
        return any(r == row_id and layer in (None, l) for l, r in self.edit.rows())
