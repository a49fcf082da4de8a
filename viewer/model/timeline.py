"""What the timeline shows, as data: events as marks with their spans, and
series names and units. The widget (viewer/qt/timeline.py) only draws these."""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

import pandas as pd

from viewer.model.dataset import event_importance
from viewer.model.dates import format_date, parse_date, to_day
from viewer.model.periods import column_values, date_periods

# Event categories in lane order, top to bottom; others follow alphabetically.
CATEGORY_ORDER = ("control", "military", "trade", "diplomacy", "policy", "market", "context",
                  "disaster")
UNIT_LABELS = {"pct": "%", "pct_yoy": "% year on year", "t_cumulative_ytd": "t, year to date"}


# -- events ------------------------------------------------------------------
@dataclass(frozen=True)
class EventMark:
    """One event as the timeline draws it."""

    event_id: str
    date: dt.date
    precision: str
    end_date: dt.date | None
    title: str
    category: str
    importance: int
    short_title: str = ""          # the optional `events.short_title` column
    # [first, last + 1) day numbers of the month/quarter/year or the period it is dated to.
    span: tuple[int, int] = (0, 0)

    @property
    def is_span(self) -> bool:
        return self.precision != "day" or self.end_date is not None

    def span_days(self) -> tuple[int, int]:
        return self.span

    def date_label(self) -> str:
        label = format_date(self.date, self.precision)
        if self.end_date is not None:
            label += f" – {format_date(self.end_date, self.precision)}"
        return label

    def tooltip(self) -> str:
        return (f"<b>{html.escape(self.title)}</b><br>{html.escape(self.date_label())}"
                f" · {html.escape(self.category)}")


def event_marks(events: pd.DataFrame) -> list[EventMark]:
    """The dated events of a dataset's `events` layer, oldest first."""
    importance = event_importance(events).clip(1, 3).astype(int)

    marks = []
    # The periods as the map and the key-event maps read them (viewer/model/periods.py).
    for event_id, day, precision, end, title, category, weight, short, (first, last) in zip(
            *(column_values(events, name) for name in ("event_id", "date", "date_precision",
                                                 "end_date", "title", "category")),
            importance.tolist(), column_values(events, "short_title"), date_periods(events).tolist()):
        date = parse_date(day)
        if date is None:
            continue
        end_date = parse_date(end)
        stop = last + 1 if end_date is None else max(last + 1, to_day(end_date) + 1)
        marks.append(EventMark(str(event_id), date, str(precision or "day"), end_date,
                               str(title), str(category), int(weight),
                               short.strip() if isinstance(short, str) else "", (first, stop)))
    return marks


def focus_period(dataset) -> tuple[dt.date, dt.date, str] | None:
    """The dataset's focus preset for the timeline (`dataset_meta` `focus_start` ..
    `focus_end`, else the data's end; named by `focus_label`), None without one."""
    meta = dataset.meta
    try:
        start = parse_date(meta.get("focus_start"))
        end = parse_date(meta.get("focus_end")) or parse_date(meta.get("data_current_to"))
    except ValueError:
        return None
    if start is None:
        return None
    return start, end or dataset.last_day, meta.get("focus_label") or "Focus"


def lane_order(categories) -> list[str]:
    """Known categories in their fixed order, then any others alphabetically."""
    present = set(categories)
    known = [c for c in CATEGORY_ORDER if c in present]
    return known + sorted(present - set(known))


# -- series ------------------------------------------------------------------
def value_text(value: float) -> str:
    """A series value as a reader reads it: 1,234,567 (not 1.23457e+06), 21.9, 0.045."""
    text = f"{value:,.6g}"
    return f"{value:,.0f}" if "e+" in text else text


def unit_label(unit: str) -> str:
    """A readable unit: `t_per_month` → `t/month`, `pct_yoy` → `% year on year`."""
    return UNIT_LABELS.get(unit, unit.replace("_per_", "/").replace("_", " "))


def series_name(labels: list[str]) -> str:
    """A name for a whole series from its points' labels.

    Each label describes one point ("China rare-earth exports, Oct 2023"): the
    name is the comma-separated parts every label shares, or for a lone or
    disagreeing label its first part.
    """
    parts = [label.split(", ") for label in labels]
    shared = []
    for group in zip(*parts):
        if len(set(group)) > 1:
            break
        shared.append(group[0])
    if len(parts) > 1 and shared:
        return ", ".join(shared)
    return parts[-1][0] if parts else ""


def series_date_precision(unit: str, day: dt.date) -> str:
    # Monthly and yearly figures are dated on the first of their period.
    if "per_year" in unit and day.month == 1 and day.day == 1:
        return "year"
    return "month" if day.day == 1 else "day"
