"""The details panel: what the clicked thing is, when it held, and who says so.

Text comes from the dataset, which is untrusted: every value is HTML-escaped
before it reaches the browser, links open only when clicked (and only http/https
ones, in the user's browser), and nothing is ever fetched.
"""
from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

import pandas as pd
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from viewer.model.dataset import FEATURE_COLUMNS, Dataset, split_ids
from viewer.model.dates import format_date, from_day, parse_date
from viewer.model.links import web_link
from viewer.model.state import Selection, ViewerState
from viewer.model.timeline import series_date_precision, series_name, unit_label, value_text
from viewer.render.prepared import prepared_map
from viewer.qt.dialogs import open_web_link

PLACEHOLDER = ("<p class='hint'>Click an area, a route, a place or an event to see what it is, "
               "when it held, and its sources.</p>")
JUMP_SCHEME = "day"
STYLE = """
h3 { margin: 0 0 4px 0; }
.hint, .caveat { color: #555555; }
.caveat { font-style: italic; }
td.key { color: #555555; padding-right: 8px; white-space: nowrap; }
.source { margin: 0 0 6px 0; }
"""


def _text(value: object) -> str:
    """Escaped text for a cell; empty for a null."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html.escape(str(value).strip())


def _date(value: object, precision: str = "day") -> str:
    try:
        day = parse_date(value)
    except ValueError:
        return _text(value)
    return format_date(day, precision) if day else ""


def _jump(day: dt.date, text: str) -> str:
    return f"<a href='{JUMP_SCHEME}:{day.isoformat()}'>{text}</a>"


def _series_name(dataset: Dataset, key) -> str:
    """The series as the timeline's legend names it; its id only when no label names it."""
    labels = dataset.series_points(key)["label"].dropna().astype(str).tolist()
    return series_name(labels) or key.series_id


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><td class='key'>{key}</td><td>{value}</td></tr>"
                    for key, value in rows if value)
    return f"<table cellspacing='0' cellpadding='1'>{cells}</table>"


def _period(row: pd.Series) -> str:
    precision = str(row.get("date_precision") or "day")
    start = parse_date(row.get("valid_from"))
    end = parse_date(row.get("valid_to"))
    text = f"from {_jump(start, format_date(start, precision))}" if start else "start unknown"
    if end is None:
        return text + " — ongoing (no end recorded)"
    return text + f" until {_jump(end, format_date(end, precision))}"


def sources_html(dataset: Dataset, source_ids: object) -> str:
    records = dataset.source_records(source_ids)
    if not records:
        return "<p class='caveat'>No sources named.</p>"
    items = []
    for record in records:
        published = _date(record.get("published")) or "date not given"
        author = f" ({_text(record.get('author'))})" if record.get("author") else ""
        link = _address(record.get("url"))
        note = f"<br><span class='hint'>{_text(record.get('note'))}</span>" if record.get("note") else ""
        via = f" <span class='hint'>(read via {_text(record.get('via'))})</span>" if record.get("via") else ""
        items.append(f"<p class='source'><b>{_text(record.get('outlet'))}</b>{via}: "
                     f"{_text(record.get('title'))}{author}, {published}{link}{note}</p>")
    return "".join(items)


def _address(url: object) -> str:
    """A source's address: a link when it is a web address, otherwise plain text."""
    if url is None or not str(url).strip():
        return ""
    link = web_link(url)
    if link is None:
        return f"<br>{_text(url)}"
    return f"<br><a href='{html.escape(link)}'>{html.escape(link)}</a>"


def events_html(events: pd.DataFrame, empty: str) -> str:
    if events.empty:
        return f"<p class='caveat'>{empty}</p>"
    items = []
    for _, event in events.iterrows():
        day = parse_date(event.get("date"))
        label = format_date(day, str(event.get("date_precision") or "day")) if day else "undated"
        title = _text(event.get("title"))
        items.append(f"<li>{_jump(day, label) if day else label}: {title}</li>")
    return f"<ul style='margin-left:-24px'>{''.join(items)}</ul>"


def _section(title: str, body: str) -> str:
    return f"<h4>{title}</h4>{body}"


def _actor(dataset: Dataset, actor_id: object) -> str:
    if not _text(actor_id):
        return ""
    color = html.escape(dataset.actor_color(str(actor_id)))
    swatch = f"<span style='background-color:{color}'>&nbsp;&nbsp;&nbsp;&nbsp;</span>"
    return f"{swatch} {_text(dataset.actor_name(str(actor_id)))}"


def _place_name(dataset: Dataset, place_id: object) -> str:
    names = dict(zip(dataset.places["place_id"], dataset.places["name"]))
    return _text(names.get(place_id, place_id))


def _row(frame: pd.DataFrame, column: str, row_id: str) -> pd.Series | None:
    matches = frame[frame[column].astype(str) == row_id]
    return None if matches.empty else matches.iloc[0]


# -- one description per layer ---------------------------------------------
def _history(dataset: Dataset, layer: str, rows, current: int | None, say) -> str:
    """Every dated row of a zone or route, oldest first, the one holding now marked."""
    frame = dataset.control if layer == "control" else dataset.flows
    items = []
    for position in rows:
        text = f"{_period(frame.iloc[position])}: {say(frame.iloc[position])}"
        items.append(f"<li><b>▶ now: {text}</b></li>" if position == current else f"<li>{text}</li>")
    return _section("History", f"<ul style='margin-left:-24px'>{''.join(items)}</ul>")


def _row_sources_and_events(dataset: Dataset, row: pd.Series) -> str:
    return (_section("Sources", sources_html(dataset, row.get("source_ids")))
            + _section("Events that changed it",
                       events_html(dataset.events_for_row(row), "No event is linked to this change.")))


def _holder(dataset: Dataset, row: pd.Series) -> str:
    holder = _actor(dataset, row.get("actor_id"))
    if _text(row.get("contested_with")):
        holder += f" vs {_actor(dataset, row.get('contested_with'))}"
    return holder


def _status_of(row: pd.Series) -> str:
    return "Held" if row.get("status") == "held" else "Contested"


def _control(dataset: Dataset, zone: str, day: dt.date) -> str:
    rows = dataset.feature_rows("control", zone)
    current = dataset.holding_row("control", zone, day)
    area = _row(dataset.areas, "area_id", zone)
    name = _text(area["name"]) if area is not None else f"Control area {_text(zone)}"
    caveat = ""
    if area is not None and area.get("kind") == "town_zone":
        caveat = f"<p class='caveat'>A zone nearest {_zone_town(dataset, area)}, not a surveyed boundary.</p>"
    if current is None:
        why = prepared_map(dataset).unknowns.gap_note(zone, day)  # the map's, made once
        now = ("<p><b>No sourced information</b>: no sourced control on this date.</p>"
               + (f"<p class='caveat'>{_text(why)}</p>" if why else ""))
    else:
        row = dataset.control.iloc[current]
        now = _table([(_status_of(row) + " by", _holder(dataset, row)), ("Valid", _period(row)),
                      ("Confidence", _text(row.get("confidence"))), ("Note", _text(row.get("note")))])
        now += _row_sources_and_events(dataset, row)
    say = lambda row: f"{_status_of(row).lower()} by {_holder(dataset, row)} ({_text(row.get('confidence'))})"
    if not len(rows):
        return (f"<h3>{name}</h3>{caveat}{now}"
                "<p class='caveat'>No control is sourced for this zone on any date.</p>")
    return f"<h3>{name}</h3>{caveat}{now}" + _history(dataset, "control", rows, current, say)


def _zone_town(dataset: Dataset, area: pd.Series) -> str:
    if "place_id" in area.index and _text(area.get("place_id")):
        return _place_name(dataset, area["place_id"])
    name = str(area["name"])
    return html.escape(name[:-5] if name.lower().endswith(" zone") else name)


def _flow(dataset: Dataset, route: str, day: dt.date) -> str:
    rows = dataset.feature_rows("flows", route)
    current = dataset.holding_row("flows", route, day)
    latest = dataset.flows.iloc[current if current is not None else rows[-1]]
    name = _text(latest.get("route_name")) or f"Route {_text(route)}"
    ends = f"{_place_name(dataset, latest['from_place_id'])} → {_place_name(dataset, latest['to_place_id'])}"
    if current is None:
        now = _table([("Between", ends)]) + "<p class='caveat'>No sourced status on this date.</p>"
    else:
        volume = (f"{_text(latest.get('volume'))} {_text(latest.get('volume_unit'))}".strip()
                  if _text(latest.get("volume")) else "volume unknown")
        now = _table([("Between", ends), ("Carries", _text(latest.get("commodity"))),
                      ("Status", _text(latest.get("status"))), ("Valid", _period(latest)),
                      ("Volume", volume), ("Confidence", _text(latest.get("confidence"))),
                      ("Note", _text(latest.get("note")))])
        now += _row_sources_and_events(dataset, latest)
    say = lambda row: f"{_text(row.get('status'))} ({_text(row.get('confidence'))})"
    return f"<h3>{name}</h3>{now}" + _history(dataset, "flows", rows, current, say)


def _place(dataset: Dataset, row: pd.Series) -> str:
    alt = f" ({_text(row.get('name_alt'))})" if _text(row.get("name_alt")) else ""
    point = row.geometry
    where = ""
    if point is not None and not point.is_empty:
        where = (f"{abs(point.y):.3f}° {'N' if point.y >= 0 else 'S'}, "
                 f"{abs(point.x):.3f}° {'E' if point.x >= 0 else 'W'}")
    facts = _table([("Kind", _text(row.get("kind")).replace("_", " ")),
                    ("Country", _text(row.get("country"))), ("Coordinates", where),
                    ("Note", _text(row.get("note")))])
    events = dataset.events
    here = events[events["place_id"] == row["place_id"]] if "place_id" in events else events.iloc[:0]
    return (f"<h3>{_text(row['name'])}{alt}</h3>{facts}"
            + _section("Sources", sources_html(dataset, row.get("source_ids")))
            + _section("Events here", events_html(here, "No events at this place.")))


def _event(dataset: Dataset, row: pd.Series) -> str:
    precision = str(row.get("date_precision") or "day")
    day = parse_date(row.get("date"))
    when = _jump(day, format_date(day, precision)) if day else "undated"
    if _text(row.get("end_date")):
        when += f" – {_date(row.get('end_date'), precision)}"
    actors = ", ".join(_actor(dataset, a) for a in split_ids(row.get("actor_ids")))
    place = _place_name(dataset, row.get("place_id")) if _text(row.get("place_id")) else ""
    facts = _table([("Date", when), ("Category", _text(row.get("category"))), ("Place", place),
                    ("Actors", actors), ("Confidence", _text(row.get("confidence")))])
    summary = f"<p>{_text(row.get('summary'))}</p>" if _text(row.get("summary")) else ""
    return (f"<h3>{_text(row['title'])}</h3>{facts}{summary}"
            + _section("Sources", sources_html(dataset, row.get("source_ids"))))


ROW_DESCRIBERS = {"places": (lambda d: d.places, _place), "events": (lambda d: d.events, _event)}
FEATURE_DESCRIBERS = {"control": _control, "flows": _flow}


def describe(dataset: Dataset, selection: Selection | None, day: dt.date) -> str:
    """The panel's HTML for a selection on `day`; a hint when nothing is selected."""
    if selection is None or selection.layer not in FEATURE_COLUMNS:
        return PLACEHOLDER
    known_zone = selection.layer == "control" and _row(dataset.areas, "area_id", selection.feature_id) is not None
    if not (known_zone or len(dataset.feature_rows(selection.layer, selection.feature_id))):
        return f"<p class='caveat'>{_text(selection.feature_id)} is not in this dataset.</p>"
    if selection.layer in FEATURE_DESCRIBERS:
        return FEATURE_DESCRIBERS[selection.layer](dataset, selection.feature_id, day)
    frame_of, describer = ROW_DESCRIBERS[selection.layer]
    return describer(dataset, _row(frame_of(dataset), FEATURE_COLUMNS[selection.layer][1], selection.feature_id))


class DetailsPanel(QWidget):
    """Shows the state's selection; clicking a date in it moves the state's date."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.document().setDefaultStyleSheet(STYLE)
        self.browser.anchorClicked.connect(self._follow)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self._sections: list[Callable[[Selection | None], str]] = []
        self._shown: tuple | None = None
        state.selection_changed.connect(self._show)
        state.date_changed.connect(self._show)
        state.dataset_changed.connect(self._show)
        self._show()

    def add_section(self, section: Callable[[Selection | None], str]) -> None:
        """Append `section(selection)` (escaped HTML, or "") to every description."""
        self._sections.append(section)

    def refresh(self) -> None:
        """Describe again if a section's content changed."""
        self._show()

    def _show(self, *_args) -> None:
        """Describe the selection as it is on the state's date; rewritten only when
        the selection, or the row holding for it, changed (scrubbing stays cheap)."""
        state, selection = self.state, self.state.selection
        if state.dataset is None:
            self.browser.setHtml(PLACEHOLDER)
            return
        holding = (state.dataset.holding_row(selection.layer, selection.feature_id, state.date)
                   if selection is not None and selection.layer in FEATURE_DESCRIBERS else None)
        # In a gap the dataset may say why for that date: then each date is described.
        in_gap = holding is None and selection is not None and selection.layer == "control"
        extra = "".join(section(selection) for section in self._sections)
        key = (id(state.dataset), selection, holding, state.date if in_gap else None, extra)
        if key == self._shown:
            return
        self._shown = key
        self.browser.setHtml(describe(state.dataset, selection, state.date) + extra)

    def show_series_value(self, key, point) -> None:
        """A value of a series (a point clicked on the timeline): what it is, whether it was
        worked out, and its sources in full (the tooltip named their outlets only). Kept
        until the date, the selection or the file changes."""
        self._shown = None
        day = from_day(point.day)
        # The header gives the date as the Date row does, at the data's precision: the
        # point's label ("a week in late Nov 2024") said more than its date (Nov 2024) held.
        when = format_date(day, series_date_precision(key.unit, day))
        name = _series_name(self.state.dataset, key)
        facts = _table([("Value", f"{value_text(point.value)} {_text(unit_label(key.unit))}"),
                        ("Date", _jump(day, when)),
                        ("Series", f"{_text(name)} <span class='hint'>({_text(key.series_id)})</span>"),
                        ("Label", _text(point.label))])
        derived = ("<p class='caveat'>Derived: worked out from other figures, not reported "
                   "as such.</p>" if point.derived else "")
        note = f"<p>{_text(point.note)}</p>" if isinstance(point.note, str) and point.note.strip() else ""
        self.browser.setHtml(f"<h3>{_text(name)}, {when}</h3>{facts}{derived}{note}"
                             + _section("Sources", sources_html(self.state.dataset, point.source_ids)))

    def _follow(self, url: QUrl) -> None:
        if url.scheme() == JUMP_SCHEME:
            self.state.set_date(dt.date.fromisoformat(url.path()))
        else:
            open_web_link(url)
