"""What changed between two dates: zones that changed hands, routes whose status changed.

Each change carries both ends (the state on the earlier and on the later date,
whichever of A and B that is) with the rows and sources behind each, so a
briefer can say why. A change of confidence alone
is not a change of hands; a zone that loses its sourced control "became
unknown" and no actor is said to have lost it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from viewer.model.dataset import Dataset
from viewer.model.dates import format_date
from viewer.model.zones import (
           UNKNOWN,
           RouteState,
           ZoneState,
           control_zones,
           route_names,
           route_states_on,
           zone_states_on,
)

if TYPE_CHECKING:
    from viewer.model.unknowns import Unknowns

# What happened to a zone between A and B.
CHANGED_HANDS = "changed_hands"        # known on both dates, held by someone else on B
BECAME_CONTESTED = "became_contested"  # contested on B (and known on A)
BECAME_UNKNOWN = "became_unknown"      # sourced on A, no sourced control on B
BECAME_KNOWN = "became_known"          # no sourced control on A, sourced on B
CHANGE_KINDS = (CHANGED_HANDS, BECAME_CONTESTED, BECAME_UNKNOWN, BECAME_KNOWN)


@dataclass(frozen=True)
class ZoneChange:
    zone_id: str
    name: str
    kind: str                   # one of CHANGE_KINDS
    gained_by: tuple[str, ...]  # CHANGED_HANDS: the holder on B, if not a holder on A
    lost_by: tuple[str, ...]    # CHANGED_HANDS: holders on A that do not hold on B
    before: ZoneState
    after: ZoneState

    def sentence(self) -> str:
        """One line with actor ids: "Pangwa zone: held by BGF → held by KIA (gained by KIA; …)"."""
        text = f"{self.name}: {self.before.label()} → {self.after.label()}"
        parts = [f"{verb} by {', '.join(actors)}"
                 for verb, actors in (("gained", self.gained_by), ("lost", self.lost_by)) if actors]
        return text + (f" ({'; '.join(parts)})" if parts else "")


@dataclass(frozen=True)
class RouteChange:
    route_id: str
    name: str
    before: RouteState
    after: RouteState

    def sentence(self) -> str:
        return f"{self.name}: {_status_label(self.before)} → {_status_label(self.after)}"


def _status_label(state: RouteState) -> str:
    return "status unknown" if state.status == UNKNOWN else state.status


@dataclass(frozen=True)
class Comparison:
    """Changes from the earlier of A and B to the later: with A after B, a zone the
    earlier date's holder took back was said to be gained by its loser."""

    date_a: dt.date
    date_b: dt.date
    zones: tuple[ZoneChange, ...]
    routes: tuple[RouteChange, ...]

    @property
    def earlier(self) -> dt.date:
        return min(self.date_a, self.date_b)

    @property
    def later(self) -> dt.date:
        return max(self.date_a, self.date_b)

    def span(self) -> str:
        """"1 Sep 2024 → 25 Nov 2024", in time order."""
        return f"{format_date(self.earlier)} → {format_date(self.later)}"

    def last_known_note(self, dataset: Dataset) -> str:
        """Past the data's last date nothing is known to change: "no change" there is
        the last known state, not news."""
        if not dataset.beyond_data(self.later):
            return ""
        return (f"Data current to {format_date(dataset.data_current_to)}: "
                f"{format_date(self.later)} shows the last known state")

    def lines(self) -> list[str]:
        """One sentence per change, zones first; what a list or a PNG's metadata shows."""
        return ([z.sentence() for z in self.zones]
                + [r.sentence() for r in self.routes])

    def to_dict(self, dataset: Dataset) -> dict:
        def end(state: ZoneState | RouteState) -> dict:
            head = ({"state": state.state, "holders": list(state.holders),
                     "label": state.label(dataset), **({"note": state.note} if state.note else {})}
                    if isinstance(state, ZoneState) else {"status": state.status})
            return {**head, "rows": [_with_sources(r, dataset) for r in state.rows]}

        current_to = dataset.data_current_to
        return {
            "dataset": dataset.title,
            "from": self.earlier.isoformat(),
            "to": self.later.isoformat(),
            "data_current_to": current_to.isoformat() if current_to else None,
            "last_known_state": dataset.beyond_data(self.later),
            "zones": [{"zone_id": z.zone_id, "name": z.name, "change": z.kind,
                       "gained_by": list(z.gained_by), "lost_by": list(z.lost_by),
                       "summary": z.sentence(),
                       "from": end(z.before), "to": end(z.after)} for z in self.zones],
            "routes": [{"route_id": r.route_id, "name": r.name, "summary": r.sentence(),
                        "from": end(r.before), "to": end(r.after)} for r in self.routes],
        }


def _with_sources(record: dict, dataset: Dataset) -> dict:
    return {**record, "sources": dataset.source_records(record.get("source_ids"))}


def compare(dataset: Dataset, date_a: dt.date, date_b: dt.date) -> Comparison:
    """The zones and routes whose state on the later of the two dates differs from
    their state on the earlier."""
    from viewer.model.unknowns import Unknowns

    first, last = sorted((date_a, date_b))
    zones, unknowns = control_zones(dataset), Unknowns(dataset)
    before, after = _explained(dataset, unknowns, first), _explained(dataset, unknowns, last)
    zone_changes = tuple(
        _zone_change(key, zones[key].name, before[key], after[key])
        for key in zones if before[key].same_as_key != after[key].same_as_key)
    names = route_names(dataset.flows)
    routes_a, routes_b = route_states_on(dataset, first), route_states_on(dataset, last)
    route_changes = tuple(
        RouteChange(key, names[key], routes_a[key], routes_b[key])
        for key in sorted(routes_a, key=names.get)
        if routes_a[key].status != routes_b[key].status)
    return Comparison(date_a, date_b, zone_changes, route_changes)


def _explained(dataset: Dataset, unknowns: Unknowns, day: dt.date) -> dict[str, ZoneState]:
    """Zone states on `day`, each unknown one with the dataset's note on why."""
    return {key: replace(state, note=unknowns.gap_note(key, day)) if state.state == UNKNOWN
            else state for key, state in zone_states_on(dataset, day).items()}


def _zone_change(key: str, name: str, before: ZoneState, after: ZoneState) -> ZoneChange:
    if after.state == UNKNOWN:
        kind = BECAME_UNKNOWN
    elif before.state == UNKNOWN:
        kind = BECAME_KNOWN
    elif after.state == "contested":
        kind = BECAME_CONTESTED
    else:
        kind = CHANGED_HANDS
    # Only a change between two sourced holders names a gainer and a loser.
    hands = kind == CHANGED_HANDS
    gained = tuple(a for a in after.holders if a not in before.holders) if hands else ()
    lost = tuple(a for a in before.holders if a not in after.holders) if hands else ()
    return ZoneChange(key, name, kind, gained, lost, before, after)
