"""The dataset as KML 2.2 for Google Earth: its time slider plays the same story.

Control rows and routes are placemarks with a `TimeSpan` from their validity
period (`begin` = valid_from, `end` = valid_to, the day the next row starts;
no `end` while a row still holds), and a route's days with no row are "status
unknown" placemarks, as the window draws them; events are placemarks with a `TimeStamp` at
their own precision (a month-only event says only the month), or a `TimeSpan`
through the day after their end_date. Styles follow
the actor and status; sources go in the description as escaped text, so no
dataset text is read as markup and no address becomes a link that runs.
"""
from __future__ import annotations

import datetime as dt
import html
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from viewer.export.files import atomic_target, check_target
from viewer.model.dataset import Dataset, plain_records
from viewer.model.dates import format_date, parse_date
from viewer.model.unknowns import GAPS_LAYER, NO_STATUS_NOTE, Unknowns, current_to_text
from viewer.model.zones import UNKNOWN, route_keys, route_names, zone_keys, zone_state

KML_NS = "http://www.opengis.net/kml/2.2"
CONFIDENCE_OPACITY = {"confirmed": 0.7, "reported": 0.45, "claimed": 0.2, "estimated": 0.25}
ROUTE_STYLE = {  # status -> (colour, width in pixels)
    "active": ("#1A1A1A", 4.0), "reduced": ("#5A5A5A", 2.5), "halted": ("#B2182B", 2.5),
    "proposed": ("#9A9A9A", 1.5)}
UNKNOWN_ROUTE = ("#C8C8C8", 1.0)
EVENT_COLOR = "#CC79A7"
NO_CONTROL_COLOR = "#8C8C8C"


def kml_color(hex_rgb: str, opacity: float = 1.0) -> str:
    """KML's aabbggrr from #RRGGBB and an opacity."""
    rgb = hex_rgb.lstrip("#") if re.fullmatch(r"#?[0-9A-Fa-f]{6}", str(hex_rgb)) else "999999"
    return f"{round(opacity * 255):02x}{rgb[4:6]}{rgb[2:4]}{rgb[0:2]}".lower()


def _id(*parts: object) -> str:
    """A style id (an XML NCName) from its parts."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", "-".join(str(p) for p in parts if p))


def _sub(parent: ET.Element, tag: str, text: object = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _NOT_XML.sub("\ufffd", v) for k, v in attributes.items()})
    if text is not None:
        # ElementTree writes a control character as it is, which no XML reader accepts
        # (Google Earth and QGIS refused the whole file): it is shown as U+FFFD.
        element.text = _NOT_XML.sub("\ufffd", str(text))
    return element


# What XML 1.0 cannot hold, even escaped: C0 controls but tab and newlines, lone
# surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def description(dataset: Dataset, lines: list[str], source_ids: object) -> str:
    """HTML for a balloon with every piece of dataset text escaped."""
    parts = [html.escape(line) for line in lines if line]
    sources = dataset.source_records(source_ids)
    if sources:
        parts.append("<b>Sources</b>")
        for s in sources:
            text = " — ".join(str(s[k]) for k in ("outlet", "title", "published", "url") if s.get(k))
            parts.append("• " + html.escape(text))
    return "<br/>".join(parts)


def kml_document(dataset: Dataset) -> ET.ElementTree:
    root = ET.Element("kml", xmlns=KML_NS)
    document = _sub(root, "Document")
    _sub(document, "name", dataset.title)
    _sub(document, "description", description(dataset, [
        dataset.meta.get("description", ""), dataset.meta.get("attribution", ""),
        "Time spans are the rows' validity periods: begin = valid_from, end = the day the "
        "next row starts.",
        *([f"{current_to_text(dataset.data_current_to)}: a span without an end is the last "
           "known state, not known to hold after that day."] if dataset.data_current_to else [])],
        None))
    styles: dict[str, ET.Element] = {}
    folders = [("Control zones", _control_placemarks(dataset, styles)),
               ("No sourced control", _gap_placemarks(dataset, styles)),
               ("Routes", _route_placemarks(dataset, styles)),
               ("No sourced route status", _unknown_route_placemarks(dataset, styles)),
               ("Events", _event_placemarks(dataset, styles))]
    for style in styles.values():
        document.append(style)
    document.append(_dataset_data(dataset))   # KML 2.2 puts ExtendedData after the styles
    for name, placemarks in folders:
        folder = _sub(document, "Folder")
        _sub(folder, "name", name)
        folder.extend(placemarks)
    ET.indent(root)
    return ET.ElementTree(root)


def _dataset_data(dataset: Dataset) -> ET.Element:
    """The data's last date, title and SHA-256 as fields a GIS lists (the description is
    HTML, which QGIS shows raw); a value the dataset does not give says "unknown"."""
    extended = ET.Element("ExtendedData")
    current_to = dataset.data_current_to
    for key, value in (("data_current_to", current_to.isoformat() if current_to else "unknown"),
                       ("title", dataset.title), ("sha256", dataset.sha256 or "unknown")):
        _sub(_sub(extended, "Data", name=key), "value", value)
    return extended


def write_kml(dataset: Dataset, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write the dataset as KML 2.2; the file appears only once complete."""
    path = Path(path)
    check_target(path, overwrite)
    tree = kml_document(dataset)
    with atomic_target(path) as temporary:
        tree.write(temporary, encoding="UTF-8", xml_declaration=True)
    return path


def _placemark(dataset: Dataset, name: str, lines: list[str], record: dict, style: str,
               time: ET.Element, shape) -> ET.Element:
    placemark = ET.Element("Placemark")
    _sub(placemark, "name", name)
    _sub(placemark, "description", description(dataset, lines, record.get("source_ids")))
    placemark.append(time)
    _sub(placemark, "styleUrl", f"#{style}")
    extended = _sub(placemark, "ExtendedData")
    # The note too: QGIS shows these fields, and the description only as raw HTML.
    for key, value in record.items():
        if value is not None:
            _sub(_sub(extended, "Data", name=key), "value", value)
    if shape is not None and not shape.is_empty:
        placemark.append(_geometry(shape))
    return placemark


def _time_span(record: dict) -> ET.Element:
    span = ET.Element("TimeSpan")
    _sub(span, "begin", record["valid_from"])
    if record.get("valid_to"):
        _sub(span, "end", record["valid_to"])
    return span


def _period(dataset: Dataset, record: dict) -> str:
    """The row's validity; with no end, only what is known: that it held to the last
    day the data speaks of ("still holding" claimed more than any source says)."""
    if record.get("valid_to"):
        return f"Valid {record['valid_from']} to {record['valid_to']}"
    known, what = ((dataset.data_current_to, "data current to") if dataset.data_current_to
                   else (dataset.last_day, "last day of the dataset"))
    return f"Valid {record['valid_from']} to at least {format_date(known)} ({what})"


def _control_placemarks(dataset: Dataset, styles: dict) -> list[ET.Element]:
    control = dataset.control
    names = dict(zip(dataset.areas["area_id"], dataset.areas["name"]))
    out = []
    for key, record, shape in zip(zone_keys(control), plain_records(control), control.geometry):
        actor, other = record["actor_id"], record.get("contested_with")
        confidence = record.get("confidence") or "reported"
        style = _id("control", actor, record["status"], other, confidence)
        styles.setdefault(style, _polygon_style(
            style, dataset.actor_color(actor), dataset.actor_color(other or actor),
            CONFIDENCE_OPACITY.get(confidence, 0.4), bool(other)))
        name = f"{names.get(key, key)}: {zone_state([record]).label(dataset)}"
        lines = [_period(dataset, record), f"Confidence: {confidence}", record.get("note") or ""]
        out.append(_placemark(dataset, name, lines, record, style, _time_span(record), shape))
    return out


def _gap_placemarks(dataset: Dataset, styles: dict) -> list[ET.Element]:
    """The dataset's explicit "no sourced control" periods, so a blank is said, not left."""
    gaps = dataset.extra_layers.get(GAPS_LAYER)
    if gaps is None or "area_id" not in gaps.columns:
        return []
    names = dict(zip(dataset.areas["area_id"], dataset.areas["name"]))
    styles.setdefault("no-control", _polygon_style("no-control", NO_CONTROL_COLOR, NO_CONTROL_COLOR,
                                                    0.15, False))
    return [_placemark(dataset, f"{names.get(r['area_id'], r['area_id'])}: no sourced control",
                       [_period(dataset, r), r.get("note") or ""], r, "no-control",
                       _time_span(r), shape)
            for r, shape in zip(plain_records(gaps), gaps.geometry)]


def _route_placemarks(dataset: Dataset, styles: dict) -> list[ET.Element]:
    flows = dataset.flows
    names = route_names(flows)
    out = []
    for key, record, line in zip(route_keys(flows), plain_records(flows), flows.geometry):
        status = record["status"]
        style = _id("route", status)
        styles.setdefault(style, _line_style(style, *ROUTE_STYLE.get(status, UNKNOWN_ROUTE)))
        lines = [_period(dataset, record), f"Commodity: {record.get('commodity')}",
                 f"Confidence: {record.get('confidence') or 'not given'}", record.get("note") or ""]
        out.append(_placemark(dataset, _route_label(names[key], status), lines, record, style,
                              _time_span(record), line))
    return out


def _unknown_route_placemarks(dataset: Dataset, styles: dict) -> list[ET.Element]:
    """A route over the days of the dataset's range no flow row covers, "status unknown"
    as the window draws it (Google Earth's slider made the routes vanish then)."""
    flows = dataset.flows
    names, keys = route_names(flows), route_keys(flows)
    styles.setdefault("route-unknown", _line_style("route-unknown", *UNKNOWN_ROUTE))
    out = []
    for row, begin, end in Unknowns(dataset).unknown_route_spans(dataset.time_start,
                                                                  dataset.last_day):
        key = keys.iloc[row]
        record = {"route_id": key, "status": UNKNOWN, "valid_from": begin.isoformat(),
                  "valid_to": end.isoformat(), "note": NO_STATUS_NOTE}
        out.append(_placemark(dataset, f"{names[key]}: status unknown",
                              [f"Status unknown {begin} to {end}", NO_STATUS_NOTE], record,
                              "route-unknown", _time_span(record), flows.geometry.iloc[row]))
    return out


def _route_label(name: str, status: str) -> str:
    """The route's name and status, the status said once: a name may lead with it
    ("Proposed: Kachin rare earths to India", as the embedded briefing once named it)."""
    return name if name.lower().startswith(f"{str(status).lower()}:") else f"{name}: {status}"


def _event_placemarks(dataset: Dataset, styles: dict) -> list[ET.Element]:
    events = dataset.events
    style = ET.Element("Style", id="event")
    _sub(_sub(style, "IconStyle"), "color", kml_color(EVENT_COLOR))
    styles["event"] = style
    out = []
    for record, point in zip(plain_records(events), events.geometry):
        out.append(_placemark(dataset, record["title"], [record.get("summary") or ""],
                              record, "event", _event_time(record), point))
    return out


def _event_time(record: dict) -> ET.Element:
    """A TimeStamp for a dated event; a TimeSpan for one with an end_date, so it shows
    on the slider through its last day (a stamp showed a year-long fall for one month)."""
    begin = _when(record["date"], record.get("date_precision"))
    end = parse_date(record.get("end_date"))
    if end is None:
        stamp = ET.Element("TimeStamp")
        _sub(stamp, "when", begin)
        return stamp
    span = ET.Element("TimeSpan")
    _sub(span, "begin", begin)
    # The day after end_date, as for rows: the span ends where end_date stops holding.
    _sub(span, "end", (end + dt.timedelta(days=1)).isoformat())
    return span


def _when(date: str, precision: str | None) -> str:
    """A KML `when` no more precise than the event: 2024, 2024-10 or 2024-10-19."""
    day = parse_date(date)
    if precision == "year":
        return f"{day.year:04d}"
    if precision in ("month", "quarter"):
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _polygon_style(style_id: str, fill: str, edge: str, opacity: float,
                   contested: bool) -> ET.Element:
    style = ET.Element("Style", id=style_id)
    line = _sub(style, "LineStyle")
    _sub(line, "color", kml_color(edge))
    _sub(line, "width", 3 if contested else 1.5)
    poly = _sub(style, "PolyStyle")
    _sub(poly, "color", kml_color(fill, opacity))
    return style


def _line_style(style_id: str, color: str, width: float) -> ET.Element:
    style = ET.Element("Style", id=style_id)
    line = _sub(style, "LineStyle")
    _sub(line, "color", kml_color(color))
    _sub(line, "width", width)
    return style


def _geometry(shape) -> ET.Element:
    kind = shape.geom_type
    if kind == "Point":
        point = ET.Element("Point")
        _sub(point, "coordinates", _coordinates(shape.coords))
        return point
    if kind == "LineString":
        line = ET.Element("LineString")
        _sub(line, "tessellate", 1)
        _sub(line, "coordinates", _coordinates(shape.coords))
        return line
    if kind == "Polygon":
        polygon = ET.Element("Polygon")
        for tag, rings in (("outerBoundaryIs", [shape.exterior]),
                           ("innerBoundaryIs", list(shape.interiors))):
            for ring in rings:
                linear = _sub(_sub(polygon, tag), "LinearRing")
                _sub(linear, "coordinates", _coordinates(ring.coords))
        return polygon
    multi = ET.Element("MultiGeometry")
    multi.extend(_geometry(part) for part in shape.geoms)
    return multi


def _coordinates(coords) -> str:
    return " ".join(f"{x:.6f},{y:.6f}" for x, y, *_ in coords)

