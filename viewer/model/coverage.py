"""How much evidence backs each month, where it goes dark, how well each zone is sourced.

A sourced fact is an event, a control row's start or a series value that names
at least one source. A control row starting on the dataset's first day records
the starting state, not a change: it is counted apart (`starting_state`), and so
are its sources (`starting_sources`): they were published when the dataset was
written, years later, and counted in the first month they made it the best
evidenced one. It still keeps that day from being dark. Per month: how many of
each there are and which distinct sources back its events, control changes and
series values. A dark period is a span longer than a threshold with no
sourced fact at all. Per zone: the share of days covered by a control row that
is not `estimated` (and by any control row). The range ends at the dataset's
`data_current_to` when it says one, since nothing after it is known.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from viewer.model.dataset import Dataset, split_ids
from viewer.model.dates import NO_DAY, OPEN_END, days_array, from_day, parse_date, to_day
from viewer.model.zones import control_zones, zone_keys

DARK_DAYS = 60  # default threshold: two months with no sourced fact is worth saying
FACT_KINDS = ("events", "control_changes", "series_values", "starting_state")


@dataclass(frozen=True)
class MonthCoverage:
    month: dt.date                       # the first day of the month
    counts: dict[str, int]               # FACT_KINDS -> sourced facts dated that month
    source_ids: tuple[str, ...]          # distinct sources behind them, earliest fact first

    @property
    def sources(self) -> int:
        return len(self.source_ids)


@dataclass(frozen=True)
class DarkPeriod:
    start: dt.date   # first day with no sourced fact
    end: dt.date     # the next day with one (exclusive), or the range's end

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass(frozen=True)
class ZoneCoverage:
    zone_id: str
    name: str
    share_sourced: float   # days covered by a control row that is not `estimated`
    share_any: float       # days covered by any control row


@dataclass(frozen=True)
class Coverage:
    start: dt.date
    end: dt.date     # exclusive
    dark_days: int
    months: tuple[MonthCoverage, ...]
    dark_periods: tuple[DarkPeriod, ...]
    zones: tuple[ZoneCoverage, ...]
    starting_sources: tuple[str, ...] = ()   # behind the starting state, in no month

    def to_dict(self) -> dict:
        return {
            "from": self.start.isoformat(), "to_exclusive": self.end.isoformat(),
            "dark_threshold_days": self.dark_days,
            "starting_state_source_ids": list(self.starting_sources),
            "months": [{"month": m.month.strftime("%Y-%m"), **m.counts, "sources": m.sources,
                        "source_ids": list(m.source_ids)} for m in self.months],
            "dark_periods": [{"from": p.start.isoformat(), "to_exclusive": p.end.isoformat(),
                              "days": p.days} for p in self.dark_periods],
            "zones": [{"zone_id": z.zone_id, "name": z.name,
                       "share_not_estimated": round(z.share_sourced, 4),
                       "share_any_control": round(z.share_any, 4)} for z in self.zones],
        }


def coverage_range(dataset: Dataset) -> tuple[dt.date, dt.date]:
    """[start, end): the dataset's time range, cut at the day after `data_current_to`."""
    end = dataset.last_day + dt.timedelta(days=1)
    current_to = parse_date(dataset.meta.get("data_current_to"))
    if current_to is not None:
        end = min(end, current_to + dt.timedelta(days=1))
    return dataset.time_start, max(end, dataset.time_start + dt.timedelta(days=1))


def sourced_facts(dataset: Dataset) -> pd.DataFrame:
    """Every sourced fact as (day, kind, source_ids), for months and dark periods."""
    frames = [
        ("events", dataset.events, "date"),
        ("control_changes", dataset.control, "valid_from"),
        ("series_values", dataset.series, "date"),
    ]
    parts = []
    for kind, frame, column in frames:
        ids = frame["source_ids"].map(split_ids) if len(frame) else pd.Series([], dtype=object)
        days = days_array(frame[column])
        kinds = np.full(len(frame), kind, dtype=object)
        if kind == "control_changes":
            kinds[days == to_day(dataset.time_start)] = "starting_state"
        parts.append(pd.DataFrame({"day": days, "kind": kinds, "source_ids": list(ids)}))
    facts = pd.concat(parts, ignore_index=True).sort_values("day", kind="stable")
    return facts[(facts["day"] != NO_DAY) & (facts["source_ids"].map(len) > 0)]


def coverage(dataset: Dataset, dark_days: int = DARK_DAYS) -> Coverage:
    start, end = coverage_range(dataset)
    facts = sourced_facts(dataset)
    facts = facts[(facts["day"] >= to_day(start)) & (facts["day"] < to_day(end))]
    starting = facts["kind"] == "starting_state"
    return Coverage(start, end, dark_days, _months(facts, start, end),
                    dark_periods(facts["day"].to_numpy(), start, end, dark_days),
                    _zone_shares(dataset, start, end), _distinct(facts[starting]))


def _months(facts: pd.DataFrame, start: dt.date, end: dt.date) -> tuple[MonthCoverage, ...]:
    # Each fact's month as a number (numpy's months since 1970), grouped once.
    month_of = facts["day"].to_numpy().astype("datetime64[D]").astype("datetime64[M]").astype(int)
    by_month = {number: facts.iloc[rows] for number, rows in _rows_by(month_of).items()}
    months = []
    month = start.replace(day=1)
    while month < end:
        rows = by_month.get((month.year - 1970) * 12 + month.month - 1, facts.iloc[:0])
        counts = {kind: int((rows["kind"] == kind).sum()) for kind in FACT_KINDS}
        changes = rows[rows["kind"] != "starting_state"]   # its sources are counted apart
        months.append(MonthCoverage(month, counts, _distinct(changes)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return tuple(months)


def _distinct(facts: pd.DataFrame) -> tuple[str, ...]:
    """The facts' distinct source ids, earliest fact first."""
    return tuple(dict.fromkeys(i for cell in facts["source_ids"] for i in cell))


def dark_periods(fact_days: np.ndarray, start: dt.date, end: dt.date,
                 dark_days: int) -> tuple[DarkPeriod, ...]:
    """Spans of more than `dark_days` days in [start, end) with no fact day."""
    days = np.unique(fact_days)
    # A dark span runs from the day after one fact to the next fact (exclusive).
    after_fact = np.concatenate([[to_day(start)], days + 1])
    next_fact = np.concatenate([days, [to_day(end)]])
    long = (next_fact - after_fact) > dark_days
    return tuple(DarkPeriod(from_day(a), from_day(b))
                 for a, b in zip(after_fact[long], next_fact[long]))


def _zone_shares(dataset: Dataset, start: dt.date, end: dt.date) -> tuple[ZoneCoverage, ...]:
    control = dataset.control
    keys = zone_keys(control).to_numpy()
    starts = days_array(control["valid_from"])
    ends = days_array(control["valid_to"], open_end=True)
    estimated = (control["confidence"].astype(str) == "estimated").to_numpy()
    first, stop = to_day(start), to_day(end)
    rows_of = _rows_by(keys)
    out = []
    for key, zone in control_zones(dataset).items():
        mine = np.zeros(len(keys), dtype=bool)
        mine[rows_of.get(key, [])] = True
        total = stop - first
        sourced = _covered_days(starts[mine & ~estimated], ends[mine & ~estimated], first, stop)
        any_row = _covered_days(starts[mine], ends[mine], first, stop)
        out.append(ZoneCoverage(key, zone.name, sourced / total, any_row / total))
    return tuple(out)


def _rows_by(values: np.ndarray) -> dict:
    """The row numbers holding each distinct value."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object))
    order = np.argsort(codes, kind="stable")
    cuts = np.searchsorted(codes[order], np.arange(len(distinct) + 1))
    return {value: order[cuts[i]:cuts[i + 1]] for i, value in enumerate(distinct)}


def _covered_days(starts: np.ndarray, ends: np.ndarray, first: int, stop: int) -> int:
    """Days of [first, stop) inside the union of half-open [start, end) intervals."""
    covered = np.zeros(stop - first, dtype=bool)
    for a, b in zip(starts, ends):
        b = stop if b == OPEN_END else b
        covered[max(a, first) - first:max(min(b, stop), first) - first] = True
    return int(covered.sum())
