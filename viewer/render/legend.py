"""The map legend: what it lists (`LegendContent`), how it is laid out, and drawn.

The content is a flat list of rows (headings, swatches, notes), so a new kind
of entry slots in as one more row. A legend never cuts a row: when the room is
too short it flows into columns, and only then shrinks. On screen it has a
header that collapses it to a small tab; exports always show it whole.
"""
from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QTransform,
)

from viewer.render import style
from viewer.render.layers import control_look, paint_control_shape
from viewer.render.route_marks import (
    DENSE_ROUTES,
    arrow_head,
    halt_cross,
    route_pens,
    unknown_route_pen,
)
from viewer.render.unknown import disputed_look, no_info_look

ZONE_NOTE = "Areas are zones nearest each town, not surveyed boundaries."
DENSE_NOTE = f"Over {DENSE_ROUTES} routes in view: drawn without white casing."
HEADER = "Legend"
MAX_COLUMNS = 4
PAD, COLUMN_GAP = 10, 16   # pixels at scale 1: round the rows, between columns


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


@dataclass
class _Row:
    kind: str       # heading, actor, confidence, contested, flow, volume, place, event, note
    text: str
    payload: object = None
    height: float = 0.0


class _KeptImages:
    """Images by key, most recently used last, within `budget` bytes. Callers hold
    _LEGEND_LOCK: exports paint legends on worker threads."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._images: dict[tuple, QImage] = {}
        self._bytes = 0

    def get(self, key: tuple, make: Callable[[], QImage]) -> QImage:
        image = self._images.pop(key, None)
        if image is None:
            image = make()
            self._bytes += image.sizeInBytes()
        self._images[key] = image
        while self._bytes > self.budget and len(self._images) > 1:
            self._bytes -= self._images.pop(next(iter(self._images))).sizeInBytes()
        return image

    def __len__(self) -> int:
        return len(self._images)


_LEGEND_LOCK = threading.Lock()
# Whole legends by (content, scale, layout, pixel ratio): scrubbing repeats a few.
_LEGEND_IMAGES = _KeptImages(24 << 20)
# Their rows by look, size, scale and pixel ratio: a legend not kept is put together
# from rows drawn before. Drawing all its rows afresh took 4-6 ms (100x, random dates:
# a third of the slowest dates); putting it together, 0.3-1 ms.
_ROW_IMAGES = _KeptImages(16 << 20)
# Device pixels kept around a row's area in its image are ROW_MARGIN + ceil(scale x pixel
# ratio): an italic note's first glyph and a swatch's outline reach past the area by
# about scale x ratio.
ROW_MARGIN = 2
# Rows whose sample is drawn as route_pens draws a dense view's routes.
ROUTE_SAMPLES = ("flow", "volume", "route_confidence")


@dataclass
class Legend:
    """A laid-out legend at one ui scale: rows in as many columns as `max_height` needs.

    `header` adds a "Legend" title with a collapse mark (the screen's);
    `collapsed` shows only that header.
    """

    content: LegendContent
    scale: float
    max_width: float
    max_height: float = math.inf
    header: bool = False
    collapsed: bool = False
    max_columns: int = MAX_COLUMNS
    whole_sections: bool = False      # a column breaks only before a heading
    rows: list[_Row] = field(default_factory=list)
    columns: list[list[_Row]] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0

    def __post_init__(self) -> None:
        s = self.scale
        self.pad = PAD * s
        self.swatch_w, self.swatch_h = 30 * s, 15 * s
        self.gap = 8 * s
        self.column_gap = COLUMN_GAP * s
        self.text_font = style.font(13 * s)
        self.head_font = style.font(13 * s, bold=True)
        self.note_font = style.font(12 * s, italic=True)
        self.text_metrics, self.head_metrics, self.note_metrics = (
            _Metrics(self.text_font), _Metrics(self.head_font), _Metrics(self.note_font))
        self.header_height = self.head_metrics.height() * 1.5 if self.header else 0.0
        self.rows = [] if self.collapsed else self._rows()
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

    # -- layout -------------------------------------------------------------
    def _measure(self) -> None:
        header_width = self.head_metrics.advance(HEADER + "  ▾") if self.header else 0.0
        indent = self.swatch_w + self.gap
        widths = [self.head_metrics.advance(r.text) if r.kind == "heading"
                  else indent + self.text_metrics.advance(r.text)
                  for r in self.rows if r.kind != "note"]
        column_width = min(max(widths + [header_width], default=0), self.max_width - 2 * self.pad)
        for row in self.rows:
            row.height = self._row_height(row, column_width)
        room = self.max_height - 2 * self.pad - self.header_height
        self.columns = (_flow_into_columns(self.rows, room, self.max_columns, self.whole_sections)
                        if self.rows else [])
        count = max(len(self.columns), 1)
        self.column_width = column_width
        self.width = count * column_width + (count - 1) * self.column_gap + 2 * self.pad
        tallest = max((sum(r.height for r in column) for column in self.columns), default=0.0)
        self.height = tallest + self.header_height + (2 * self.pad if self.rows else self.pad)

    def _row_height(self, row: _Row, width: float) -> float:
        if row.kind == "heading":
            return self.head_metrics.height() * 1.45
        if row.kind == "note":
            return self.note_metrics.wrapped_height(row.text, width) + 6 * self.scale
        # Long names (actors) wrap onto a second line rather than being cut.
        text_height = self.text_metrics.wrapped_height(row.text, width - self.swatch_w - self.gap)
        return max(text_height + self.text_metrics.height() * 0.3, self.swatch_h * 1.3)

    def fits(self) -> bool:
        return self.height <= self.max_height + 0.5

    def header_rect(self, top_left: QPointF) -> QRectF:
        """Where a click collapses or expands the legend (empty without a header)."""
        return QRectF(top_left.x(), top_left.y(), self.width, self.header_height + self.pad / 2)

    # -- painting -----------------------------------------------------------
    def paint(self, painter: QPainter, top_left: QPointF) -> None:
        """Drawn once per content and size, then copied: scrubbing repeats a few legends."""
        ratio = painter.device().devicePixelRatioF()
        key = (self.content, self.scale, self.max_width, self.max_height, self.header,
               self.collapsed, self.max_columns, ratio)
        with _LEGEND_LOCK:
            image = _LEGEND_IMAGES.get(key, lambda: self._image(ratio))
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
        panel(painter, box, self.scale)
        if self.header:
            painter.setFont(self.head_font)
            painter.setPen(style.TEXT)
            mark = "▸" if self.collapsed else "▾"
            painter.drawText(QRectF(box.left() + self.pad, box.top() + self.pad / 2,
                                    self.width - 2 * self.pad, self.header_height),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             f"{HEADER}  {mark}")
        for number, column in enumerate(self.columns):
            x = box.left() + self.pad + number * (self.column_width + self.column_gap)
            y = box.top() + self.pad + self.header_height
            for row in column:
                self._copy_row(painter, row, QRectF(x, y, self.column_width, row.height))
                y += row.height

    def _copy_row(self, painter: QPainter, row: _Row, area: QRectF) -> None:
        """`row` drawn in `area`, copied from an image of it drawn before: placed on the
        nearest whole device pixel (at most half a pixel from where it belongs) and,
        where its text does not wrap, as wide as its text whatever the column's width,
        so a row is drawn once for all the legends it appears in."""
        ratio = painter.device().devicePixelRatioF()
        margin = ROW_MARGIN + math.ceil(self.scale * ratio)
        left, top = round(area.left() * ratio), round(area.top() * ratio)
        one_line = self._one_line_width(row)
        wraps = row.kind == "note" or one_line > area.width()     # notes always may
        width = area.width() if wraps else one_line
        key = (row.kind, row.text, row.payload, row.height, width, self.scale, ratio,
               self.content.dense_routes if row.kind in ROUTE_SAMPLES else None)
        image = _ROW_IMAGES.get(key, lambda: self._row_image(row, width, ratio, margin))
        painter.drawImage(QPointF((left - margin) / ratio, (top - margin) / ratio), image)

    def _one_line_width(self, row: _Row) -> float:
        """The row's width with its text on one line, a little over, so that Qt's
        wrapping, measuring the same, never wraps it."""
        if row.kind == "heading":
            return math.ceil(self.head_metrics.advance(row.text)) + 2.0
        return self.swatch_w + self.gap + math.ceil(self.text_metrics.advance(row.text)) + 2.0

    def _row_image(self, row: _Row, width: float, ratio: float, margin: int) -> QImage:
        image = QImage(math.ceil(width * ratio) + 2 * margin + 1, math.ceil(row.height * ratio) + 2 * margin + 1,
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self._paint_row(painter, row, QRectF(margin / ratio, margin / ratio, width, row.height))
        painter.end()
        return image

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
        # Patterns start at the swatch's corner: a row looks the same wherever it is
        # drawn, and is copied from one image into every legend (_copy_row).
        fix = QTransform.fromTranslate(swatch.left(), swatch.top())
        if row.kind == "actor":
            paint_control_shape(painter, path, control_look(row.payload, None, "confirmed", s, fix))
        elif row.kind == "confidence":
            paint_control_shape(painter, path, control_look(style.NEUTRAL_SWATCH.name(), None, row.payload,
                                                   s, fix))
        elif row.kind == "contested":
            first, second = row.payload
            paint_control_shape(painter, path, control_look(first, second, "confirmed", s, fix))
        elif row.kind == "no_info":
            paint_control_shape(painter, path, no_info_look(s, fix))
        elif row.kind == "disputed":
            paint_control_shape(painter, path, disputed_look(s, fix))
        elif row.kind in ROUTE_SAMPLES:
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


@functools.lru_cache(maxsize=32)
def in_two_columns(content: LegendContent, scale: float, width: float) -> Legend | None:
    """The legend in two columns side by side within `width` (long names wrapping in
    the narrower column), each section whole in one of them (rows split from their
    heading read as another section's), as short as that allows; None when it has
    too few sections to split. Beside a slide's caption it takes about half a
    column's height."""
    pad, gap = PAD * scale, COLUMN_GAP * scale
    per_column = (width - gap + 2 * pad) / 2   # a Legend's max_width caps each column
    one = Legend(content, scale, max_width=per_column)
    low, high = (one.height - 2 * pad) / 2, one.height - 2 * pad
    best = None
    for _ in range(10):     # the shortest room that flows into two columns, to ~0.1%
        room = (low + high) / 2
        legend = Legend(content, scale, max_width=per_column, max_height=room + 2 * pad, max_columns=2,
                        whole_sections=True)
        if len(legend.columns) == 2:
            best, high = legend, room
        else:
            low = room
    return best


def _flow_into_columns(rows: list[_Row], room: float, max_columns: int,
                       whole_sections: bool = False) -> list[list[_Row]]:
    """The fewest columns, each filled up to `room`, when `max_columns` are enough;
    else one column (too tall: the caller tries a smaller legend)."""
    columns = _fill(rows, room, whole_sections)
    return columns if len(columns) <= max_columns else [list(rows)]


def _fill(rows: list[_Row], room: float, whole_sections: bool = False) -> list[list[_Row]]:
    """Rows in order into columns no taller than `room`; a heading never ends a column.
    With `whole_sections`, a column ends only before a heading (a section taller than
    `room` has a column of its own)."""
    pieces: list[list[_Row]] = []
    for row in rows:
        if not pieces or not whole_sections or row.kind == "heading":
            pieces.append([])
        pieces[-1].append(row)
    columns: list[list[_Row]] = [[]]
    height = 0.0
    for i, piece in enumerate(pieces):
        size = sum(r.height for r in piece)
        follower = 0.0
        if not whole_sections and piece[0].kind == "heading" and i + 1 < len(pieces):
            follower = pieces[i + 1][0].height
        if columns[-1] and height + size + follower > room + 0.5:
            columns.append([])
            height = 0.0
        columns[-1] += piece
        height += size
    return columns


class _Metrics:
    """A font's measures of texts, kept by font, text and wrapping width: a date whose
    legend differs from the last ones is laid out again, and its rows' texts (a small
    vocabulary: actors, statuses, kinds) were measured again each time (100x, 14
    legends: 1.5 ms a layout, 0.5 with the measures kept). Shared by every renderer,
    exports' threads included: it holds plain numbers, each the same whichever thread
    measured it, and is only read and written a key at a time (atomic under the GIL)."""

    _kept: dict[tuple, float] = {}
    KEPT = 4096

    def __init__(self, font: QFont) -> None:
        self.font = font
        self.key = font.key()     # 2.5 us a call: once per font and legend, not per text

    def height(self) -> float:
        return self._measure(None, None)

    def advance(self, text: str) -> float:
        return self._measure(text, None)

    def wrapped_height(self, text: str, width: float) -> float:
        """The height of `text` word-wrapped to `width`."""
        return self._measure(text, width)

    def _measure(self, text: str | None, width: float | None) -> float:
        key = (self.key, text, width)
        value = self._kept.get(key)
        if value is None:
            metrics = QFontMetricsF(self.font)
            if text is None:
                value = metrics.height()
            elif width is None:
                value = metrics.horizontalAdvance(text)
            else:
                value = metrics.boundingRect(QRectF(0, 0, max(width, 1.0), 1e5),
                                             int(Qt.TextFlag.TextWordWrap), text).height()
            if len(self._kept) >= self.KEPT:
                self._kept.clear()
            self._kept[key] = value
        return value


def panel(painter: QPainter, box: QRectF, scale: float) -> None:
    """The white rounded box behind every overlay."""
    painter.setPen(QPen(style.PANEL_EDGE, 1.0 * scale))
    painter.setBrush(style.PANEL)
    painter.drawRoundedRect(box, 4 * scale, 4 * scale)
