"""A briefing dataset held in memory, and the questions asked of it by day."""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from viewer.model.names import split_ids  # noqa: F401 (imported from here too)
from viewer.model.dates import NO_DAY, days_array, from_day, parse_date, runs_on_to_today, to_day
from viewer.model.temporal import IntervalIndex

# Layers whose rows an edit can retract (see viewer.model.changes).
RETRACTABLE_LAYERS = ("control", "flows", "events")
DERIVED_NOTE = re.compile(r"\bderived\b", re.IGNORECASE)
# What a selection names in each layer: a zone (its area), a route, a place or an
# event, whatever row holds on the day; the row's own id when the feature column is empty.
FEATURE_COLUMNS = {"control": ("area_id", "control_id"), "flows": ("route_id", "flow_id"),
                   "places": ("place_id", "place_id"), "events": ("event_id", "event_id")}


# A line may join two points at most this many times the series' own spacing apart.
GAP_FACTOR = 1.5
# The spacing a unit states (a rate per month is a value a month), in days at most.
UNIT_PERIODS = {"per_day": 1, "per_week": 7, "per_month": 31, "mom": 31, "per_quarter": 92,
                "per_year": 366}


def unit_period(unit: str) -> float | None:
    """The days between a series' values its unit states; None where it states none
    (a price, a share, a year-to-date total)."""
    parts = str(unit).lower()
    return next((days for name, days in UNIT_PERIODS.items() if parts.endswith(name)), None)


def joined_steps(days: np.ndarray, period: float | None = None,
                 breaks: np.ndarray = np.empty(0)) -> np.ndarray:
    """For points at sorted `days`, whether a line may join each point to the next.

    A series' own spacing is the median step between its points (weekly quotes: a
    week), or the shorter `period` its unit states (a total per month is a value a
    month: sparse monthly figures have a median step of two months) where the two
    agree within a factor of two (a rate per day reported monthly is a monthly
    series; one per year reported monthly too).
    A step longer than GAP_FACTOR times that is a gap in what is known, and a line
    across it would hide that, so it is left open: a median of two months joined
    December to March across two months without a value. A step over one of
    `breaks` (a derived value, drawn apart) is left open too, so the line does not
    pass by it. The last entry is False (there is no next point).
    """
    days = np.asarray(days, dtype=float)
    steps = np.diff(days)
    joined = np.zeros(len(days), dtype=bool)
    if len(steps):
        median = float(np.median(steps))
        spacing = min(period, median) if period and period >= median / 2 else median
        joined[:-1] = steps <= GAP_FACTOR * max(spacing, 1.0)
        # A break strictly inside a step: the next point's index differs from the break's.
        inside = np.searchsorted(days, breaks, side="right") - 1
        crossed = inside[(inside >= 0) & (inside < len(steps)) & ~np.isin(breaks, days)]
        joined[crossed] = False
    return joined


@dataclass(frozen=True)
class SeriesKey:
    """One plottable line: a series id in one unit (monthly vs annual totals differ)."""

    series_id: str
    unit: str

    @property
    def name(self) -> str:
        return f"{self.series_id} [{self.unit}]"


@dataclass
class DaySnapshot:
    """What holds on one day: the rows a map, a panel or `state --json` shows."""

    date: dt.date
    control: pd.DataFrame
    flows: pd.DataFrame
    events: pd.DataFrame

    def to_dict(self, dataset: "Dataset") -> dict:
        def rows(frame: pd.DataFrame) -> list[dict]:
            out = []
            for record in plain_records(frame):
                record["sources"] = dataset.source_records(record.get("source_ids"))
                out.append(record)
            return out

        return {
            "date": self.date.isoformat(),
            "dataset": dataset.title,
            "control": rows(self.control),
            "flows": rows(self.flows),
            "events": rows(self.events),
        }


def feature_keys(frame: pd.DataFrame, layer: str) -> np.ndarray:
    """Each row's feature in a selectable `layer` (FEATURE_COLUMNS): a control row's zone
    (its area_id, trimmed), a flow row's route (route_id), else the row's own id. The
    one rule for which zone or route a row belongs to."""
    feature_column, row_column = FEATURE_COLUMNS[layer]
    ids = frame[row_column].astype(str).to_numpy(dtype=object)
    if feature_column == row_column or feature_column not in frame.columns:
        return ids
    named = np.array(["" if pd.isna(v) else str(v).strip() for v in frame[feature_column]],
                     dtype=object)
    return np.where(named != "", named, ids)


def event_importance(events: pd.DataFrame) -> pd.Series:
    """Each event's importance (1-3); 1 where the file gives none (the column is optional)."""
    column = events.get("importance", pd.Series(1, index=events.index))
    return pd.to_numeric(column, errors="coerce").fillna(1)


def plain_records(frame: pd.DataFrame) -> list[dict]:
    columns = [c for c in frame.columns if c != "geometry"]
    records = []
    for values in frame[columns].itertuples(index=False, name=None):
        records.append({c: plain_value(v) for c, v in zip(columns, values)})
    return records


def plain_value(value: object) -> object:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.date)):
        return parse_date(value).isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass
class Dataset:
    """Every layer of a briefing GeoPackage, validated, in EPSG:4326."""

    path: Path | None
    meta: dict[str, str]
    sources: pd.DataFrame
    actors: pd.DataFrame
    places: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    control: gpd.GeoDataFrame
    flows: gpd.GeoDataFrame
    events: gpd.GeoDataFrame
    series: pd.DataFrame
    base_layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    extra_layers: dict[str, pd.DataFrame] = field(default_factory=dict)
    sha256: str = ""
    # The edit_log's last id when a team database was read (0 for a file): live refresh
    # compares it with a colleague's save.
    log_position: int = 0
    # A file's saved state when its read began (viewer.io.file_state): a save made while
    # it was read is one the window has not shown.
    file_state: tuple | None = None
    # Problems that did not stop the file opening (repaired or reprojected rows).
    warnings: list = field(default_factory=list)
    # Rows marked `retracted` (an optional column): kept for the history, never drawn.
    retracted: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._set_aside_retracted()
        self.control_index = IntervalIndex(
            days_array(self.control["valid_from"]),
            days_array(self.control["valid_to"], open_end=True),
        )
        self.flow_index = IntervalIndex(
            days_array(self.flows["valid_from"]),
            days_array(self.flows["valid_to"], open_end=True),
        )
        self.event_days = days_array(self.events["date"])
        order = np.argsort(self.event_days, kind="stable")
        self.events = self.events.iloc[order].reset_index(drop=True)
        self.event_days = self.event_days[order]
        self.feature_ids = {layer: feature_keys(frame, layer)
                            for layer, frame in self._selectable().items()}
        self._sources_by_id = self.sources.set_index("source_id", drop=False)
        self._source_record_of: dict[str, dict | None] = {}  # filled as records are asked for
        self._actor_colors = dict(zip(self.actors["actor_id"], self.actors["color"]))
        self._actor_names = dict(zip(self.actors["actor_id"], self.actors["name"]))

    def _set_aside_retracted(self) -> None:
        """Move retracted rows of the drawn layers out of the frames into `retracted`."""
        self.retracted = dict(self.retracted)  # dataclasses.replace shares the old dict
        for layer in RETRACTABLE_LAYERS:
            frame = self.all_rows(layer)
            self.retracted.pop(layer, None)
            marked = np.zeros(len(frame), dtype=bool)
            if "retracted" in frame.columns:
                marked = pd.to_numeric(frame["retracted"], errors="coerce").fillna(0).to_numpy() != 0
            if marked.any():
                self.retracted[layer] = frame[marked]
                frame = frame[~marked].reset_index(drop=True)
            setattr(self, layer, frame)

    def all_rows(self, layer: str) -> pd.DataFrame:
        """Every row of a layer, retracted ones included (last)."""
        frame = getattr(self, layer)
        extra = self.retracted.get(layer)
        if extra is None or len(extra) == 0:
            return frame
        return pd.concat([frame, extra], ignore_index=True)

    # -- metadata ---------------------------------------------------------
    @property
    def title(self) -> str:
        return self.meta.get("title") or (self.path.stem if self.path else "Untitled dataset")

    @property
    def time_start(self) -> dt.date:
        start = parse_date(self.meta.get("time_start"))
        return start or self._data_day_range()[0]

    @property
    def last_day(self) -> dt.date:
        """The last day the dataset's range holds: the day before its `time_end` (which
        the format makes exclusive), else the latest dated fact's. A file that says how
        current it is runs on to today, so today can be shown (as the last known state,
        marked)."""
        end = parse_date(self.meta.get("time_end"))
        last = max(end - dt.timedelta(days=1), self.time_start) if end else self._data_day_range()[1]
        return runs_on_to_today(self.meta, last)

    @property
    def data_current_to(self) -> dt.date | None:
        """The latest date the file's facts speak of (`dataset_meta.data_current_to`)."""
        try:
            return parse_date(self.meta.get("data_current_to"))
        except ValueError:
            return None

    def beyond_data(self, day: dt.date) -> bool:
        """Whether `day` is past the latest fact: the map then shows the last known state."""
        return self.data_current_to is not None and day > self.data_current_to

    @property
    def default_date(self) -> dt.date:
        default = parse_date(self.meta.get("default_date")) or self.last_day
        return min(max(default, self.time_start), self.last_day)

    def _data_day_range(self) -> tuple[dt.date, dt.date]:
        days = np.concatenate([self.control_index.starts, self.flow_index.starts, self.event_days])
        days = days[days != NO_DAY]
        if len(days) == 0:
            today = dt.date.today()
            return today, today
        return from_day(days.min()), from_day(days.max())

    @functools.cached_property
    def briefings(self) -> list:
        """The file's briefings (viewer.model.briefing.Briefing), in file order,
        from its `briefing_chapters` and `briefings` layers (the reader checked them)."""
        from viewer.model.briefing import briefings_from_frames  # it imports this module

        frames = dict(self.extra_layers, sources=self.sources)
        return briefings_from_frames(frames, lambda *_problem, **_severity: None)

    # -- lookups ----------------------------------------------------------
    def actor_color(self, actor_id: str) -> str:
        return self._actor_colors.get(actor_id, "#999999")

    def actor_name(self, actor_id: str) -> str:
        return self._actor_names.get(actor_id, actor_id)

    def source_records(self, source_ids: object) -> list[dict]:
        """The `sources` rows named in a `;`-list, in the order named."""
        records = []
        for source_id in split_ids(source_ids):
            if source_id not in self._source_record_of:
                # A pandas row lookup costs ~0.25 ms: a 20-map pack asks for thousands.
                self._source_record_of[source_id] = self._read_source_record(source_id)
            record = self._source_record_of[source_id]
            if record is not None:
                records.append(dict(record))
        return records

    def _read_source_record(self, source_id: str) -> dict | None:
        if source_id not in self._sources_by_id.index:
            return None
        row = self._sources_by_id.loc[source_id]
        return {k: plain_value(row.get(k)) for k in
                ("source_id", "outlet", "via", "title", "author", "published", "url", "note")
                if k in row.index}

    # -- what holds on a day ----------------------------------------------
    def control_on(self, day: dt.date) -> gpd.GeoDataFrame:
        return self.control.iloc[self.control_index.indices(to_day(day))]

    def flows_on(self, day: dt.date) -> gpd.GeoDataFrame:
        return self.flows.iloc[self.flow_index.indices(to_day(day))]

    def events_until(self, day: dt.date) -> gpd.GeoDataFrame:
        """The events known to have happened by `day` (one dated "Oct 2024" from 31 Oct:
        counted from the 1st, it stood among the events up to 2 Oct)."""
        return self.events[self.event_known_days <= to_day(day)]

    @functools.cached_property
    def event_known_days(self) -> np.ndarray:
        """Each event's day it is known to have happened by (viewer.model.periods)."""
        from viewer.model.periods import known_days

        return known_days(self.events, to_day(self.data_current_to or self.last_day))

    def snapshot(self, day: dt.date) -> DaySnapshot:
        return DaySnapshot(day, self.control_on(day), self.flows_on(day), self.events_until(day))

    def event_dates(self, min_importance: int = 1) -> list[dt.date]:
        """Distinct event dates, oldest first, for stepping and key-event packs."""
        important = event_importance(self.events).to_numpy() >= min_importance
        days = self.event_days[important & (self.event_days != NO_DAY)]
        return [from_day(d) for d in np.unique(days)]

    def events_for_row(self, row: pd.Series) -> pd.DataFrame:
        """The events that started or ended a control or flow row."""
        named = split_ids(row.get("event_ids"))
        if named:
            return self.events[self.events["event_id"].isin(named)]
        start, end = parse_date(row.get("valid_from")), parse_date(row.get("valid_to"))
        dates = {d for d in (start, end) if d is not None}
        event_dates = self.events["date"].map(parse_date)
        return self.events[event_dates.isin(dates)]

    # -- features: a zone, route, place or event over time ----------------
    def feature_rows(self, layer: str, feature_id: str) -> np.ndarray:
        """Row positions of one feature in `layer`, oldest first."""
        rows = np.flatnonzero(self.feature_ids[layer] == feature_id)
        index = self._indexes().get(layer)
        return rows if index is None else rows[np.argsort(index.starts[rows], kind="stable")]

    def holding_row(self, layer: str, feature_id: str, day: dt.date) -> int | None:
        """The row of a zone or route that holds on `day` (the first if several);
        None when none does. Places and events hold always."""
        rows = self.feature_rows(layer, feature_id)
        index = self._indexes().get(layer)
        if index is not None:
            rows = rows[index.mask(to_day(day))[rows]]
        return int(rows[0]) if len(rows) else None

    def row_id(self, layer: str, row: int) -> str:
        """A selectable layer's row's own id (control_id, flow_id, place_id, event_id)."""
        return str(self._selectable()[layer][FEATURE_COLUMNS[layer][1]].iloc[row])

    def _selectable(self) -> dict[str, pd.DataFrame]:
        return {"control": self.control, "flows": self.flows, "places": self.places,
                "events": self.events}

    def _indexes(self) -> dict[str, IntervalIndex]:
        return {"control": self.control_index, "flows": self.flow_index}

    # -- series -----------------------------------------------------------
    def series_keys(self) -> list[SeriesKey]:
        pairs = self.series[["series_id", "unit"]].drop_duplicates()
        return [SeriesKey(s, u) for s, u in pairs.itertuples(index=False, name=None)]

    def series_points(self, key: SeriesKey) -> pd.DataFrame:
        """Points of one series in one unit, by date, with a `derived` flag (shared:
        do not modify it)."""
        found = self._series_points.get(key)
        return found if found is not None else self.series.iloc[0:0].assign(day=[], derived=[])

    @functools.cached_property
    def _series_points(self) -> dict[SeriesKey, pd.DataFrame]:
        """Every series' points, worked out in one pass: the menu, the timeline and
        the default choice each asked for every series (0.1 s at start-up)."""
        rows = self.series.copy()
        rows["day"] = days_array(rows["date"])
        rows["value"] = pd.to_numeric(rows["value"], errors="coerce")
        rows["derived"] = self._derived_flags(rows)
        rows = rows.sort_values("day", kind="stable")
        return {SeriesKey(series_id, unit): points
                for (series_id, unit), points in rows.groupby(["series_id", "unit"], sort=False)}

    @staticmethod
    def _derived_flags(rows: pd.DataFrame) -> np.ndarray:
        if "derived" in rows.columns:
            return pd.to_numeric(rows["derived"], errors="coerce").fillna(0).to_numpy() > 0
        notes = rows.get("note", pd.Series([""] * len(rows), index=rows.index)).fillna("")
        return notes.astype(str).str.contains(DERIVED_NOTE).to_numpy()
