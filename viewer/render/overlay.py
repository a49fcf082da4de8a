"""What sits on top of the map: title, "as of" date, legend, scale bar,
north arrow and the sources footer.

The layout is computed before labels are placed, so place names never hide
under a panel; the date label's box is sized for the widest date so it does
not move, or uncover labels, while scrubbing.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (QColor, QFontMetricsF, QImage, QPainter, QPainterPath, QPen, QPolygonF,
                           QTransform)

from viewer.model.dates import format_date
from viewer.render import style
from viewer.render.layers import (DENSE_ROUTES, arrow_head, control_look, halt_cross,
                                  paint_control_shape, route_pens, unknown_route_pen)
from viewer.render.unknown import disputed_look, no_info_look
from viewer.render.view import MapView

ZONE_NOTE = "Areas are zones nearest each town, not surveyed boundaries."
DENSE_NOTE = f"Over {DENSE_ROUTES} routes in view: drawn without white casing."
WIDEST_DATE = "as of 30 Sep 2024"
WIDEST_LAST_KNOWN = "30 Sep 2024: last known state"


@dataclass(frozen=True)
class Decorations:
    """Which overlays to draw. The screen shows fewer than an exported slide."""

    title: bool = False
    date: bool = True
    legend: bool = True
    scale_bar: bool = True
    north_arrow: bool = True
    footer: bool = False


SCREEN = Decorations()
EXPORT = Decorations(title=True, footer=True)
FOOTER_MAX_LINES = 3  # per footer entry (sources; attribution and licence)


@dataclass(frozen=True)
class LegendContent:
    """The legend's entries for one date: only what the map shows."""

    actors: tuple[tuple[str, str], ...] = ()          # (name, colour)
    confidences: tuple[str, ...] = ()
    contested: tuple[str, str] | None = None           # sample colours of a contested pair
    no_info: bool = False                              # zones with no sourced control
    disputed: bool = False                             # a disputed area is drawn
    flow_statuses: tuple[str, ...] = ()
    unknown_routes: bool = False                       # routes with no sourced status
    route_confidences: tuple[str, ...] = ()
    unknown_volume: bool = False
    known_volume: bool = False
    dense_routes: bool = False                         # drawn as route_pens(dense=True)
    place_kinds: tuple[str, ...] = ()
    event_window_days: int = 0                         # 0 when no event markers are shown
    zone_note: bool = False

    def is_empty(self) -> bool:
        return not (self.actors or self.no_info or self.flow_statuses or self.unknown_routes
                    or self.place_kinds or self.event_window_days)


def date_label(day, beyond_data: bool = False) -> str:
    """"as of D", except past the latest fact, where the map cannot claim to know D."""
    return f"{format_date(day)}: last known state" if beyond_data else f"as of {format_date(day)}"


# -- the legend ---------------------------------------------------------------
@dataclass
class _Row:
    kind: str       # heading, actor, confidence, contested, flow, volume, place, event, note
    text: str
    payload: object = None
    height: float = 0.0


# Legend images by (content, scale, width, pixel ratio), least recently used first.
_LEGEND_IMAGES: dict[tuple, QImage] = {}
_LEGEND_LOCK = threading.Lock()
LEGEND_IMAGES_KEPT = 32


@dataclass
class Legend:
    """A laid-out legend: rows and their sizes at one ui scale."""

    content: LegendContent
    scale: float
    max_width: float
    rows: list[_Row] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0

    def __post_init__(self) -> None:
        s = self.scale
        self.pad = 10 * s
        self.swatch_w, self.swatch_h = 30 * s, 15 * s
        self.gap = 8 * s
        self.text_font = style.font(13 * s)
        self.head_font = style.font(13 * s, bold=True)
        self.note_font = style.font(12 * s, italic=True)
        self.rows = self._rows()
        self._measure()

    def _rows(self) -> list[_Row]:
        c = self.content
        rows: list[_Row] = []
        if c.actors:
            rows.append(_Row("heading", "Control"))
            rows += [_Row("actor", name, color) for name, color in c.actors]
        if c.contested:
            rows.append(_Row("contested", "Contested (both sides' colours)", c.contested))
        if c.no_info:
            rows.append(_Row("no_info", style.NO_INFO_LABEL))
        if c.confidences:
            rows.append(_Row("heading", "Confidence"))
            rows += [_Row("confidence", style.CONFIDENCE_LABEL.get(k, k), k) for k in c.confidences]
        if c.flow_statuses or c.unknown_routes:
            rows.append(_Row("heading", "Export routes"))
            rows += [_Row("flow", style.FLOW_STATUS_LABEL.get(k, k), k) for k in c.flow_statuses]
            if c.unknown_routes:
                rows.append(_Row("unknown_route", style.ROUTE_UNKNOWN_LABEL))
            if c.known_volume:
                rows.append(_Row("volume", "Width: volume", True))
            if c.unknown_volume:
                rows.append(_Row("volume", "Thin: volume unknown", False))
            if c.dense_routes:
                rows.append(_Row("note", DENSE_NOTE))
        if c.route_confidences:
            rows.append(_Row("heading", "Route confidence"))
            rows += [_Row("route_confidence", style.ROUTE_CONFIDENCE_LABEL.get(k, k), k)
                     for k in c.route_confidences]
        if c.place_kinds or c.event_window_days:
            rows.append(_Row("heading", "Places"))
            rows += [_Row("place", style.PLACE_KIND_LABEL.get(k, k), k) for k in c.place_kinds]
            if c.event_window_days:
                rows.append(_Row("event", f"Event in the last {c.event_window_days} days"))
        if c.disputed:
            rows.append(_Row("disputed", style.DISPUTED_LABEL))
        if c.zone_note:
            rows.append(_Row("note", ZONE_NOTE))
        return rows

    def _measure(self) -> None:
        text_fm, head_fm = QFontMetricsF(self.text_font), QFontMetricsF(self.head_font)
        indent = self.swatch_w + self.gap
        widths = [head_fm.horizontalAdvance(r.text) if r.kind == "heading"
                  else indent + text_fm.horizontalAdvance(r.text)
                  for r in self.rows if r.kind != "note"]
        self.width = min(max(widths, default=0) + 2 * self.pad, self.max_width)
        inner = self.width - 2 * self.pad
        for row in self.rows:
            if row.kind == "heading":
                row.height = head_fm.height() * 1.45
            elif row.kind == "note":
                row.height = _wrapped_height(self.note_font, row.text, inner) + 6 * self.scale
            else:
                # Long names (actors) wrap onto a second line rather than being cut.
                text_height = _wrapped_height(self.text_font, row.text, inner - indent)
                row.height = max(text_height + text_fm.height() * 0.3, self.swatch_h * 1.3)
        self.height = sum(r.height for r in self.rows) + 2 * self.pad

    def paint(self, painter: QPainter, top_left: QPointF) -> None:
        """Drawn once per content and size, then copied: scrubbing repeats a few legends."""
        ratio = painter.device().devicePixelRatioF()
        key = (self.content, self.scale, self.max_width, ratio)
        with _LEGEND_LOCK:                               # exports paint on worker threads
            image = _LEGEND_IMAGES.pop(key, None) or self._image(ratio)
            _LEGEND_IMAGES[key] = image                  # most recently used last
            while len(_LEGEND_IMAGES) > LEGEND_IMAGES_KEPT:
                del _LEGEND_IMAGES[next(iter(_LEGEND_IMAGES))]
        painter.save()
        painter.setTransform(QTransform())
        painter.drawImage(QPointF(round(top_left.x()), round(top_left.y())), image)
        painter.restore()

    def _image(self, ratio: float) -> QImage:
        image = QImage(math.ceil((self.width + 2) * ratio), math.ceil((self.height + 2) * ratio),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self._paint(painter, QPointF(0.5, 0.5))
        painter.end()
        return image

    def _paint(self, painter: QPainter, top_left: QPointF) -> None:
        box = QRectF(top_left.x(), top_left.y(), self.width, self.height)
        _panel(painter, box, self.scale)
        y = box.top() + self.pad
        for row in self.rows:
            self._paint_row(painter, row, QRectF(box.left() + self.pad, y,
                                                 self.width - 2 * self.pad, row.height))
            y += row.height

    def _paint_row(self, painter: QPainter, row: _Row, area: QRectF) -> None:
        s = self.scale
        if row.kind == "heading":
            painter.setFont(self.head_font)
            painter.setPen(style.TEXT)
            painter.drawText(area.adjusted(0, area.height() * 0.25, 0, 0),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), row.text)
            return
        if row.kind == "note":
            painter.setFont(self.note_font)
            painter.setPen(QColor("#444444"))
            painter.drawText(area.adjusted(0, 4 * s, 0, 0), int(Qt.TextFlag.TextWordWrap), row.text)
            return
        swatch = QRectF(area.left(), area.center().y() - self.swatch_h / 2, self.swatch_w, self.swatch_h)
        self._paint_swatch(painter, row, swatch)
        painter.setFont(self.text_font)
        painter.setPen(style.TEXT)
        text_area = area.adjusted(self.swatch_w + self.gap, 0, 0, 0)
        painter.drawText(text_area, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                                        | Qt.TextFlag.TextWordWrap), row.text)

    def _paint_swatch(self, painter: QPainter, row: _Row, swatch: QRectF) -> None:
        s = self.scale
        path = QPainterPath()
        path.addRect(swatch)
        if row.kind == "actor":
            paint_control_shape(painter, path, control_look(row.payload, None, "confirmed", s, QTransform()))
        elif row.kind == "confidence":
            paint_control_shape(painter, path, control_look(style.NEUTRAL_SWATCH.name(), None, row.payload,
                                                   s, QTransform()))
        elif row.kind == "contested":
            first, second = row.payload
            paint_control_shape(painter, path, control_look(first, second, "confirmed", s, QTransform()))
        elif row.kind == "no_info":
            paint_control_shape(painter, path, no_info_look(s, QTransform()))
        elif row.kind == "disputed":
            paint_control_shape(painter, path, disputed_look(s, QTransform()))
        elif row.kind in ("flow", "volume", "route_confidence"):
            self._route_sample(painter, swatch, row)
        elif row.kind == "unknown_route":
            painter.setPen(unknown_route_pen(s))
            painter.drawLine(swatch.left(), swatch.center().y(), swatch.right(), swatch.center().y())
        elif row.kind == "place":
            style.place_symbol(painter, row.payload, swatch.center(), s)
        elif row.kind == "event":
            style.event_marker(painter, swatch.center(), s)

    def _route_sample(self, painter: QPainter, swatch: QRectF, row: _Row) -> None:
        s = self.scale
        status = row.payload if row.kind == "flow" else "active"
        confidence = row.payload if row.kind == "route_confidence" else "confirmed"
        width = (5.0 if row.kind != "volume" or row.payload else style.ROUTE_WIDTH_UNKNOWN) * s
        y = swatch.center().y()
        tip = QPointF(swatch.right(), y)
        line = QPainterPath(QPointF(swatch.left(), y))
        line.lineTo(tip if status == "halted" else QPointF(swatch.right() - 6 * s, y))
        for pen in route_pens(status, width, s, self.content.dense_routes, confidence):
            pen.setCosmetic(False)
            painter.setPen(pen)
            painter.drawPath(line)
        if status == "halted":
            halt_cross(painter, swatch.center(), 4.5 * s)
        else:
            arrow_head(painter, QPointF(swatch.left(), y), tip, 6.0 * s + width * 1.3,
                       hollow=status == "proposed", scale=s)


def _wrapped_height(text_font, text: str, width: float) -> float:
    box = QFontMetricsF(text_font).boundingRect(QRectF(0, 0, max(width, 1.0), 1e5),
                                                int(Qt.TextFlag.TextWordWrap), text)
    return box.height()


def _panel(painter: QPainter, box: QRectF, scale: float) -> None:
    painter.setPen(QPen(style.PANEL_EDGE, 1.0 * scale))
    painter.setBrush(style.PANEL)
    painter.drawRoundedRect(box, 4 * scale, 4 * scale)


# -- layout -----------------------------------------------------------------------
class OverlayLayout:
    """Where each overlay goes on a view, and how to draw it.

    Title and date top-left, north arrow and legend top-right, scale bar
    bottom-left, footer along the bottom.
    """

    def __init__(self, view: MapView, decorations: Decorations, legend: LegendContent | None,
                 title: str = "", footer_lines: tuple[str, ...] = (), current_to: str = "") -> None:
        """`current_to` ("Data current to D") reserves room under the date for that mark,
        drawn on dates past the data, so labels do not move when it appears."""
        self.view = view
        self.decorations = decorations
        s = self.scale = view.ui_scale
        self.margin = 12 * s
        self.title = title
        self.footer_lines = footer_lines if decorations.footer else ()
        self.title_font = style.font(26 * s, bold=True)
        self.date_font = style.font((22 if decorations.title else 18) * s, bold=True)
        self.footer_font = style.font(11.5 * s)
        self.mark_font = style.font(14 * s, bold=True)
        self.current_to = current_to
        self.footer_rect = self._footer_rect()
        self.title_rect, self.date_rect = self._title_rects()
        self.mark_rect = self._mark_rect()
        self.north_rect = self._north_rect()
        self.legend = self._legend(legend)
        self.scale_rect = self._scale_rect()

    # -- rectangles ---------------------------------------------------------
    def _footer_rect(self) -> QRectF:
        if not self.footer_lines:
            return QRectF()
        fm = QFontMetricsF(self.footer_font)
        width = self.view.width - 2 * self.margin
        # Sources are wrapped, not cut: every outlet behind the map stays listed.
        self.footer_display = [part for line in self.footer_lines
                               for part in wrap_text(line, fm, width, FOOTER_MAX_LINES)]
        height = fm.height() * 1.25 * len(self.footer_display) + 10 * self.scale
        return QRectF(0, self.view.height - height, self.view.width, height)

    def _title_rects(self) -> tuple[QRectF, QRectF]:
        m, pad = self.margin, 8 * self.scale
        top = m
        title_rect = QRectF()
        max_width = self.view.width * 0.55
        if self.decorations.title and self.title:
            fm = QFontMetricsF(self.title_font)
            width = min(fm.horizontalAdvance(self.title), max_width)
            title_rect = QRectF(m, top, width + 2 * pad, fm.height() + pad)
            top = title_rect.bottom()
        date_rect = QRectF()
        if self.decorations.date:
            fm = QFontMetricsF(self.date_font)
            widest = WIDEST_LAST_KNOWN if self.current_to else WIDEST_DATE
            width = max(fm.horizontalAdvance(widest), title_rect.width() - 2 * pad)
            date_rect = QRectF(m, top, width + 2 * pad, fm.height() + pad * (1.5 if title_rect.isNull() else 1))
            if not title_rect.isNull():
                title_rect.setWidth(date_rect.width())
        return title_rect, date_rect

    def _mark_rect(self) -> QRectF:
        if not (self.current_to and self.decorations.date):
            return QRectF()
        fm = QFontMetricsF(self.mark_font)
        pad = 8 * self.scale
        return QRectF(self.margin, self.date_rect.bottom() + 4 * self.scale,
                      fm.horizontalAdvance(self.current_to) + 2 * pad, fm.height() + pad)

    def _north_rect(self) -> QRectF:
        if not self.decorations.north_arrow:
            return QRectF()
        size = 44 * self.scale
        return QRectF(self.view.width - self.margin - size, self.margin, size, size * 1.3)

    def _legend(self, content: LegendContent | None) -> Legend | None:
        """The legend, made smaller (down to 70 %) if the view is too short for it."""
        if not self.decorations.legend or content is None or content.is_empty():
            return None
        top = self.north_rect.bottom() + 6 * self.scale if not self.north_rect.isNull() else self.margin
        bottom = self.footer_rect.top() if not self.footer_rect.isNull() else self.view.height
        room = bottom - top - self.margin
        for shrink in (1.0, 0.85, 0.7):
            scale = self.scale * shrink
            legend = Legend(content, scale, max_width=min(360 * scale, self.view.width * 0.4))
            if legend.height <= room:
                break
        return legend

    def legend_top_left(self) -> QPointF:
        top = (self.north_rect.bottom() + 6 * self.scale) if not self.north_rect.isNull() else self.margin
        return QPointF(self.view.width - self.margin - self.legend.width, top)

    def legend_rect(self) -> QRectF:
        if self.legend is None:
            return QRectF()
        corner = self.legend_top_left()
        return QRectF(corner.x(), corner.y(), self.legend.width, self.legend.height)

    def _scale_rect(self) -> QRectF:
        if not self.decorations.scale_bar:
            return QRectF()
        s = self.scale
        width, height = 190 * s, 38 * s
        bottom = (self.footer_rect.top() if not self.footer_rect.isNull() else self.view.height) - self.margin
        return QRectF(self.margin, bottom - height, width, height)

    def obstacles(self) -> list[QRectF]:
        rects = [self.title_rect, self.date_rect, self.mark_rect, self.north_rect, self.legend_rect(),
                 self.scale_rect, self.footer_rect]
        return [r for r in rects if not r.isNull()]

    # -- painting -------------------------------------------------------------
    def paint_static(self, painter: QPainter, grid_north_degrees: float) -> None:
        """Everything but the date label: it changes with the date, the rest with the rows."""
        painter.setTransform(QTransform())
        if not self.title_rect.isNull():
            self._paint_title(painter)
        if not self.north_rect.isNull():
            _north_arrow(painter, self.north_rect, grid_north_degrees, self.scale)
        if self.legend is not None:
            self.legend.paint(painter, self.legend_top_left())
        if not self.scale_rect.isNull():
            _scale_bar(painter, self.scale_rect, self.view.metres_per_pixel, self.scale)
        if not self.footer_rect.isNull():
            self._paint_footer(painter)

    def _paint_title(self, painter: QPainter) -> None:
        box = self.title_rect.united(self.date_rect) if not self.date_rect.isNull() else self.title_rect
        _panel(painter, box, self.scale)
        pad = 8 * self.scale
        fm = QFontMetricsF(self.title_font)
        text = fm.elidedText(self.title, Qt.TextElideMode.ElideRight, self.title_rect.width() - 2 * pad)
        painter.setFont(self.title_font)
        painter.setPen(style.TEXT)
        painter.drawText(self.title_rect.adjusted(pad, pad * 0.6, -pad, 0),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)

    def paint_date(self, painter: QPainter, text: str, mark: str = "") -> None:
        """The date label, and under it `mark` ("Data current to D") when given."""
        if self.date_rect.isNull():
            return
        if mark and not self.mark_rect.isNull():
            self._paint_mark(painter, mark)
        painter.setTransform(QTransform())
        if self.title_rect.isNull():
            _panel(painter, self.date_rect, self.scale)
        pad = 8 * self.scale
        painter.setFont(self.date_font)
        painter.setPen(style.TEXT)
        painter.drawText(self.date_rect.adjusted(pad, 0, -pad, 0),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)

    def _paint_mark(self, painter: QPainter, mark: str) -> None:
        painter.setTransform(QTransform())
        painter.setPen(QPen(style.CURRENT_TO, 1.2 * self.scale))
        painter.setBrush(style.CURRENT_TO_PANEL)
        painter.drawRoundedRect(self.mark_rect, 4 * self.scale, 4 * self.scale)
        painter.setFont(self.mark_font)
        painter.drawText(self.mark_rect, int(Qt.AlignmentFlag.AlignCenter), mark)

    def _paint_footer(self, painter: QPainter) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 236))
        painter.drawRect(self.footer_rect)
        painter.setPen(QPen(style.PANEL_EDGE, 1.0 * self.scale))
        painter.drawLine(self.footer_rect.topLeft(), self.footer_rect.topRight())
        fm = QFontMetricsF(self.footer_font)
        painter.setFont(self.footer_font)
        painter.setPen(QColor("#333333"))
        pad = self.margin
        y = self.footer_rect.top() + 5 * self.scale
        for line in self.footer_display:
            painter.drawText(QPointF(pad, y + fm.ascent()), line)
            y += fm.height() * 1.25


def wrap_text(text: str, fm: QFontMetricsF, width: float, max_lines: int) -> list[str]:
    """Greedy word wrap to `width`; the last allowed line is elided if text remains."""
    lines, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if fm.horizontalAdvance(candidate) <= width or not current:
            current = candidate
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines - 1:
            rest = text[sum(len(line) + 1 for line in lines):]
            return lines + [fm.elidedText(rest, Qt.TextElideMode.ElideRight, width)]
    return lines + [current]


def map_insets(layout: OverlayLayout, legend_width: float) -> tuple[float, float, float, float]:
    """Pixels to keep free around the map content so overlays do not cover it."""
    m = layout.margin
    top = max(layout.date_rect.bottom(), layout.title_rect.bottom(), layout.mark_rect.bottom(), 0) + m
    right = legend_width + 2 * m if legend_width else m
    bottom = layout.view.height - (layout.scale_rect.top() if not layout.scale_rect.isNull()
                                   else layout.view.height) + m
    return m, top, right, bottom


def nice_distance(metres: float) -> float:
    """The largest 1, 2 or 5 x 10^n metres not above `metres`."""
    if metres <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(metres))
    for step in (5, 2, 1):
        if step * power <= metres:
            return step * power
    return power


def _scale_bar(painter: QPainter, box: QRectF, metres_per_pixel: float, s: float) -> None:
    """A four-segment bar in kilometres (projected metres are true metres within 0.1 %)."""
    max_bar = box.width() - 24 * s
    metres = nice_distance(max_bar * metres_per_pixel)
    bar = metres / metres_per_pixel
    _panel(painter, box, s)
    left, y = box.left() + 10 * s, box.bottom() - 12 * s
    height = 5 * s
    segment = bar / 4
    for i in range(4):
        painter.setPen(QPen(style.TEXT, 1.0 * s))
        painter.setBrush(style.TEXT if i % 2 == 0 else QColor("#FFFFFF"))
        painter.drawRect(QRectF(left + i * segment, y - height, segment, height))
    font = style.font(11.5 * s)
    painter.setFont(font)
    painter.setPen(style.TEXT)
    fm = QFontMetricsF(font)
    for value, x in ((0, left), (metres / 2, left + bar / 2), (metres, left + bar)):
        text = _km(value) + (" km" if value == metres else "")
        width = fm.horizontalAdvance(text)
        tx = x - (fm.horizontalAdvance(_km(value)) / 2)
        painter.drawText(QPointF(min(tx, box.right() - width - 4 * s), y - height - 4 * s), text)


def _km(metres: float) -> str:
    km = metres / 1000
    return f"{km:g}" if km >= 1 else f"{km:.1f}".rstrip("0").rstrip(".")


def _north_arrow(painter: QPainter, box: QRectF, degrees: float, s: float) -> None:
    """An arrow to true north, turned by the grid's convergence at the view centre."""
    _panel(painter, box, s)
    center = QPointF(box.center().x(), box.top() + box.height() * 0.58)
    length = box.width() * 0.34
    painter.save()
    painter.translate(center)
    painter.rotate(degrees)
    tip, tail = QPointF(0, -length), QPointF(0, length * 0.75)
    painter.setPen(QPen(style.TEXT, 1.0 * s))
    painter.setBrush(style.TEXT)
    painter.drawPolygon(QPolygonF([tip, QPointF(length * 0.42, length * 0.45), QPointF(0, length * 0.12)]))
    painter.setBrush(QColor("#FFFFFF"))
    painter.drawPolygon(QPolygonF([tip, QPointF(-length * 0.42, length * 0.45), QPointF(0, length * 0.12)]))
    painter.drawLine(QLineF(QPointF(0, length * 0.12), tail))
    painter.restore()
    font = style.font(12 * s, bold=True)
    painter.setFont(font)
    painter.setPen(style.TEXT)
    painter.drawText(QRectF(box.left(), box.top() + 1 * s, box.width(), 15 * s),
                     int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), "N")
