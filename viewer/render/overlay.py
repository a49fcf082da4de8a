"""What sits on top of the map: title, "as of" date, legend, scale bar,
north arrow and the sources footer.

The layout is computed before labels are placed, so place names never hide
under a panel; the date label's box is sized for the widest date so it does
not move, or uncover labels, while scrubbing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen, QPolygonF, QTransform

from viewer.model.dates import MONTHS, format_date
from viewer.render import style
from viewer.render.legend import MAX_COLUMNS, Legend, LegendContent
from viewer.render.legend import panel as _panel
from viewer.render.view import MapView

CORNERS = ("top-right", "top-left", "bottom-left", "bottom-right")
# The date label's box fits its widest month, so it does not change size while scrubbing
# ("30 Sep" alone was measured: "31 May …: last known state" touched the box's edge).
DATE_LABELS = ("as of 30 {} 2024", "30 {} 2024: last known state")
_WIDEST_DATES: dict[tuple[str, str], float] = {}


def _widest_date(font: QFont, label: str) -> float:
    """`label`'s widest month in `font`, measured once: a layout is made again whenever
    the legend changes while scrubbing, and twelve measures took 0.1 ms."""
    key = (font.key(), label)
    if key not in _WIDEST_DATES:
        metrics = QFontMetricsF(font)
        _WIDEST_DATES[key] = max(metrics.horizontalAdvance(label.format(m)) for m in MONTHS)
    return _WIDEST_DATES[key]


@dataclass(frozen=True)
class Decorations:
    """Which overlays to draw. The screen shows fewer than an exported slide."""

    title: bool = False
    date: bool = True
    legend: bool = True
    scale_bar: bool = True
    north_arrow: bool = True
    footer: bool = False
    caption: str = ""                    # a slide's caption under the date (an export's)
    legend_corner: str = "top-right"     # one of CORNERS
    legend_header: bool = True           # the screen's "Legend ▾" that collapses it
    legend_collapsed: bool = False
    # What a footer with no room for every source says (where they are all listed).
    sources_elsewhere: str = ""


SOURCES_ELSEWHERE = ("More sources than fit here: every one is listed in this image's text "
                     "metadata and in the .sources.txt file beside it.")
SCREEN = Decorations()
EXPORT = Decorations(title=True, footer=True, legend_header=False,   # always the whole legend
                     sources_elsewhere=SOURCES_ELSEWHERE)
FOOTER_MAX_LINES = 3  # of sources in a footer
CAPTION_MAX_LINES = 2


def date_label(day, beyond_data: bool = False) -> str:
    """"as of D", except past the latest fact, where the map cannot claim to know D."""
    return f"{format_date(day)}: last known state" if beyond_data else f"as of {format_date(day)}"


# How many of a surface's drafted north arrow and scale bar images are kept (paint_static).
PANEL_IMAGES_KEPT = 16


# -- layout -----------------------------------------------------------------------
class OverlayLayout:
    """Where each overlay goes on a view, and how to draw it.

    Title and date top-left, north arrow top-right, scale bar bottom-left,
    footer along the bottom; the legend in the corner `decorations` names.
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
        self.caption_font = style.font(18 * s, bold=True)
        self.caption_rect = self._caption_rect()
        self.north_rect = self._north_rect()
        self.scale_rect = self._scale_rect()
        self.legend = self._legend(legend)

    # -- rectangles ---------------------------------------------------------
    def _footer_rect(self) -> QRectF:
        self.footer_overflow = False
        if not self.footer_lines:
            return QRectF()
        fm = QFontMetricsF(self.footer_font)
        width = self.view.width - 2 * self.margin
        # Never cut: sources that do not fit in FOOTER_MAX_LINES are listed elsewhere, and
        # it says so. The credits (attribution, licence) are whole on every image: an
        # animation's frame has nowhere else to carry them, and cut they made the footer
        # claim sources listed elsewhere where there were none.
        sources, *credits = self.footer_lines
        self.footer_display = wrap_text(sources, fm, width, 10**6)
        if len(self.footer_display) > FOOTER_MAX_LINES:
            self.footer_overflow = True
            self.footer_display = (wrap_text(sources, fm, width, FOOTER_MAX_LINES - 1)
                                   + wrap_text(self.decorations.sources_elsewhere, fm, width, 2))
        for line in credits:
            self.footer_display += wrap_text(line, fm, width, 10**6)
        height = fm.height() * 1.25 * len(self.footer_display) + 10 * self.scale
        return QRectF(0, self.view.height - height, self.view.width, height)

    def _caption_rect(self) -> QRectF:
        if not self.decorations.caption:
            return QRectF()
        fm = QFontMetricsF(self.caption_font)
        pad = 8 * self.scale
        self.caption_lines = wrap_text(self.decorations.caption, fm, self.view.width * 0.55,
                                       CAPTION_MAX_LINES)
        above = max(r.bottom() for r in (self.title_rect, self.date_rect, self.mark_rect)
                    if not r.isNull()) if self.decorations.date or self.decorations.title else 0
        width = max(fm.horizontalAdvance(line) for line in self.caption_lines)
        return QRectF(self.margin, max(above, self.margin) + 4 * self.scale, width + 2 * pad,
                      fm.height() * len(self.caption_lines) + pad)

    @property
    def caption_cut(self) -> bool:
        """Whether the caption did not fit its lines and was cut ("…")."""
        caption = self.decorations.caption
        return bool(caption) and bool(self.caption_lines) and self.caption_lines[-1].endswith("…") \
            and not caption.rstrip().endswith("…")

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
            widest = _widest_date(self.date_font, DATE_LABELS[1 if self.current_to else 0])
            width = max(widest, title_rect.width() - 2 * pad)
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
        """The legend in its corner: one column, made smaller (to 70 %) if the corner
        is too short, then two smaller columns, then more. Never cut; kept narrow
        enough to leave most of the map free."""
        if not self.decorations.legend or content is None or content.is_empty():
            return None
        top, bottom = self._legend_span()
        for shrink, columns in ((1.0, 1), (0.85, 1), (0.7, 1), (0.7, 2), (0.6, 2), (0.6, MAX_COLUMNS)):
            legend = self._sized_legend(content, self.scale * shrink, bottom - top, columns)
            if legend.fits():
                break
        return legend

    def _sized_legend(self, content: LegendContent, scale: float, max_height: float,
                      columns: int) -> Legend:
        d = self.decorations
        return Legend(content, scale, max_width=min(360 * scale, self.view.width * 0.4),
                      max_height=max_height, header=d.legend_header,
                      collapsed=d.legend_collapsed and d.legend_header, max_columns=columns)

    def _legend_span(self) -> tuple[float, float]:
        """The top and bottom the legend's corner leaves it, clear of the other panels."""
        corner, gap = self.decorations.legend_corner, 6 * self.scale
        beside_date = next((r for r in (self.caption_rect, self.mark_rect, self.date_rect)
                            if not r.isNull()), QRectF())
        # On the left the date block is above and the scale bar below; on the right the
        # north arrow is above: a tall legend in either corner of a side stays between them.
        on_left = corner.endswith("left")
        above = beside_date if on_left else self.north_rect
        top = above.bottom() + gap if not above.isNull() else self.margin
        below = self.scale_rect if on_left else QRectF()
        floor = self.footer_rect.top() if not self.footer_rect.isNull() else self.view.height
        bottom = (below.top() - gap) if not below.isNull() else floor - self.margin
        return top, bottom

    def legend_top_left(self) -> QPointF:
        corner = self.decorations.legend_corner
        top, bottom = self._legend_span()
        x = self.margin if corner.endswith("left") else self.view.width - self.margin - self.legend.width
        y = top if corner.startswith("top") else bottom - self.legend.height
        return QPointF(x, y)

    def legend_rect(self) -> QRectF:
        if self.legend is None:
            return QRectF()
        corner = self.legend_top_left()
        return QRectF(corner.x(), corner.y(), self.legend.width, self.legend.height)

    def covered_by_legend(self, mark: bool) -> list[str]:
        """The panels a reader needs that the legend lies over (a small image has no room
        for both: at 640x360 it covered the caption, the date and the scale bar); `mark`,
        whether the "Data current to" mark is drawn (its room is kept on every date)."""
        legend = self.legend_rect()
        panels = (("the title", self.title_rect), ("the date", self.date_rect),
                  ("the caption", self.caption_rect),
                  ("the data-current mark", self.mark_rect if mark else QRectF()),
                  ("the scale bar", self.scale_rect), ("the sources", self.footer_rect))
        return [name for name, rect in panels
                if not legend.isNull() and not rect.isNull() and legend.intersects(rect)]

    def legend_header_rect(self) -> QRectF:
        """Where a click collapses or expands the legend."""
        if self.legend is None or not self.legend.header:
            return QRectF()
        return self.legend.header_rect(self.legend_top_left())

    def _scale_rect(self) -> QRectF:
        if not self.decorations.scale_bar:
            return QRectF()
        s = self.scale
        width, height = 190 * s, 38 * s
        bottom = (self.footer_rect.top() if not self.footer_rect.isNull() else self.view.height) - self.margin
        return QRectF(self.margin, bottom - height, width, height)

    def obstacles(self, legend_width: float | None = None, mark: bool = True) -> list[QRectF]:
        """The panels' rectangles; the legend's made `legend_width` wide from its side
        (a legend flowed into columns may cover the map's edge, not its middle; a
        shrunken one keeps room for another date's wider legend). The "Data current
        to" mark's room is kept on every date (labels do not jump when it shows),
        unless `mark` is False: what is drawn over the map then fills it."""
        legend = self.legend_rect()
        if legend_width is not None and not legend.isNull():
            if self.decorations.legend_corner.endswith("left"):
                legend.setWidth(legend_width)
            else:
                legend.setLeft(legend.right() - legend_width)
        rects = [self.title_rect, self.date_rect, self.mark_rect if mark else QRectF(),
                 self.caption_rect, self.north_rect, legend, self.scale_rect, self.footer_rect]
        return [r for r in rects if not r.isNull()]

    def steady_legend_width(self) -> float:
        """What the map keeps clear for the legend on any date: at most 30 % of the view.

        `self.legend` holds every date's entries, so it may have shrunk to fit its corner;
        a date with fewer entries keeps full size and is wider. The clearance is the wider
        of the two, so no label is drawn under the legend of any one date (Kunming was)."""
        if self.legend is None:
            return 0.0
        full_size = self._sized_legend(self.legend.content, self.scale, math.inf, columns=1)
        return min(max(self.legend.width, full_size.width), 0.3 * self.view.width)

    # -- painting -------------------------------------------------------------
    def paint_static(self, painter: QPainter, grid_north_degrees: float,
                     kept: dict[tuple, QImage] | None = None) -> None:
        """Everything but the date label: it changes with the date, the rest with the rows.
        `kept` (drafts: one drawing surface's images, least recently used first): the
        north arrow and scale bar are copied from images of them kept there, across
        layouts (0.75 ms drawn, 0.1 ms copied, a 100x frame); drawn through
        an image they may differ from the ones drawn in place by a level here and there,
        so a full frame (what is exported) draws them."""
        painter.setTransform(QTransform())
        if not self.title_rect.isNull():
            self._paint_title(painter)
        if not self.caption_rect.isNull():
            self._paint_caption(painter)
        self._paint_panel(painter, self.north_rect, grid_north_degrees, kept,
                          lambda target, box: _north_arrow(target, box, grid_north_degrees, self.scale))
        if self.legend is not None:
            self.legend.paint(painter, self.legend_top_left())
        self._paint_panel(painter, self.scale_rect, self.view.metres_per_pixel, kept,
                          lambda target, box: _scale_bar(target, box, self.view.metres_per_pixel, self.scale))
        if not self.footer_rect.isNull():
            self._paint_footer(painter)

    def _paint_panel(self, painter: QPainter, box: QRectF, key, kept: dict | None, draw) -> None:
        """`draw(painter, box)`, or with `kept` the image of it kept there for the box, `key`
        (what else it is drawn from) and the scale: kept across layouts, as a date whose
        legend differs (a new layout) drew the arrow and bar again (~0.4 ms, 100x)."""
        if box.isNull():
            return
        if kept is None:
            draw(painter, box)
            return
        ratio = painter.device().devicePixelRatioF()
        # The image's corner on a device pixel, at 125 % or 150 % too: anywhere else Qt
        # resamples it, and the arrow and the bar's numbers blur (review s10).
        left = (math.floor(box.left() * ratio) - 1) / ratio
        top = (math.floor(box.top() * ratio) - 1) / ratio
        name = (box.getRect(), key, self.scale, ratio, int(painter.renderHints().value))
        image = kept.pop(name, None)
        if image is None:
            image = QImage(math.ceil((box.right() - left) * ratio) + 2, math.ceil((box.bottom() - top) * ratio) + 2,
                           QImage.Format.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(ratio)
            image.fill(Qt.GlobalColor.transparent)
            target = QPainter(image)
            target.setRenderHints(painter.renderHints())
            target.translate(-left, -top)
            draw(target, box)
            target.end()
        kept[name] = image                  # most recently used last
        while len(kept) > PANEL_IMAGES_KEPT:
            del kept[next(iter(kept))]
        painter.drawImage(QPointF(left, top), image)

    def _paint_caption(self, painter: QPainter) -> None:
        _panel(painter, self.caption_rect, self.scale)
        fm = QFontMetricsF(self.caption_font)
        painter.setFont(self.caption_font)
        painter.setPen(style.TEXT)
        pad = 8 * self.scale
        y = self.caption_rect.top() + pad / 2
        for line in self.caption_lines:
            painter.drawText(QPointF(self.caption_rect.left() + pad, y + fm.ascent()), line)
            y += fm.height()

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
        pad = 8 * self.scale
        box = self.date_box(text)
        if self.title_rect.isNull() or box.width() > self.date_rect.width():
            _panel(painter, box, self.scale)
        painter.setFont(self.date_font)
        painter.setPen(style.TEXT)
        painter.drawText(box.adjusted(pad, 0, -pad, 0),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)

    def date_box(self, text: str) -> QRectF:
        """The date label's panel for `text`: wider than the room sized for a date when
        the text is ("… · compared with D")."""
        box = QRectF(self.date_rect)
        width = QFontMetricsF(self.date_font).horizontalAdvance(text) + 16 * self.scale
        box.setWidth(max(box.width(), width))
        return box

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
    top = max(layout.date_rect.bottom(), layout.title_rect.bottom(), layout.mark_rect.bottom(),
              layout.caption_rect.bottom(), 0) + m
    on_left = layout.decorations.legend_corner.endswith("left")
    right = legend_width + 2 * m if legend_width and not on_left else m
    left = legend_width + 2 * m if legend_width and on_left else m
    bottom = layout.view.height - (layout.scale_rect.top() if not layout.scale_rect.isNull()
                                   else layout.view.height) + m
    return left, top, right, bottom


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
