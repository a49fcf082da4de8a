"""Colours, fonts, pens and fills of the map, in one place.

Thematic colours come from the dataset (actors); everything else is muted so
the actors' fills and the export routes carry the eye. Meaning is never
carried by colour alone: confidence is also fill strength and hatching, a
route's status is also its dash pattern and end mark.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QFont, QImage, QPainter, QPainterPath,
                           QPainterPathStroker, QPen, QPolygonF)

# Latin text in DejaVu Sans; Burmese and Chinese names fall back to Noto.
FONT_FAMILIES = ["DejaVu Sans", "Noto Sans", "Noto Sans Myanmar", "Noto Sans CJK SC"]

# -- base map ---------------------------------------------------------------
BACKGROUND = QColor("#E0E0DC")   # no base data: neutral, so it does not read as sea
LAND = QColor("#ECE9E2")
LAND_FOCUS = QColor("#F7F5F0")   # the country the data is in
LAND_OUTLINE = QColor("#CFC8BE")
ADMIN1 = QColor("#A0968A")
BORDER = QColor("#5E5249")
DISPUTED = QColor("#9C8F84")
WATER = QColor("#BCD6E6")
RIVER = QColor("#8AB6D3")
ROAD = QColor("#C9B8A6")
BASE_LABEL = QColor("#8E857B")
WATER_LABEL = QColor("#4F7FA3")

# -- thematic ---------------------------------------------------------------
TEXT = QColor("#1E1E1E")
HALO = QColor(255, 255, 255, 235)
PANEL = QColor(255, 255, 255, 240)
PANEL_EDGE = QColor("#B5ADA3")
ROUTE = QColor("#1A1A1A")
HALT_MARK = QColor("#B2182B")
EVENT = QColor("#CC79A7")        # Okabe-Ito reddish purple
NO_INFO = QColor("#7A7A7A")      # dots of a zone no source speaks of: no actor's hue
NO_INFO_GROUND = QColor("#FFFFFF")
ROUTE_UNKNOWN = QColor("#A8A8A8")  # a route with no sourced status: faint, no arrow
CURRENT_TO = QColor("#8A4B00")   # the "Data current to" mark: dark amber text
CURRENT_TO_PANEL = QColor("#FFF1D6")
SELECTION = QColor("#000000")
NEUTRAL_SWATCH = QColor("#6B6B6B")

# Fill strength by confidence; hatching marks what is only claimed or estimated.
CONFIDENCE_ORDER = ("confirmed", "reported", "estimated", "claimed")
CONFIDENCE_ALPHA = {"confirmed": 0.70, "reported": 0.38, "estimated": 0.20, "claimed": 0.0}
CONFIDENCE_HATCHED = {"estimated", "claimed"}
CONFIDENCE_LABEL = {
    "confirmed": "Confirmed",
    "reported": "Reported (lighter)",
    "estimated": "Estimated (hatched)",
    "claimed": "Claimed (hatched, no fill)",
}

# A route's confidence is the lightness of its line (colour is never the only cue:
# the legend names it, the details panel states it).
ROUTE_CONFIDENCE_ORDER = ("confirmed", "reported", "claimed", "estimated")
ROUTE_CONFIDENCE_COLOR = {"confirmed": QColor("#1A1A1A"), "reported": QColor("#555555"),
                          "claimed": QColor("#8A8A8A"), "estimated": QColor("#8A8A8A")}
ROUTE_CONFIDENCE_LABEL = {"confirmed": "Confirmed (black)", "reported": "Reported (dark grey)",
                          "claimed": "Claimed (light grey)",
                          "estimated": "Assumed (light grey)"}
NO_INFO_LABEL = "No sourced information (dotted)"
ROUTE_UNKNOWN_LABEL = "Status unknown on this date (faint)"
DISPUTED_LABEL = "Disputed area (cross-hatched)"

FLOW_STATUS_ORDER = ("active", "reduced", "halted", "proposed")
FLOW_STATUS_LABEL = {
    "active": "Active",
    "reduced": "Reduced (dashed)",
    "halted": "Halted (dotted, ✕)",
    "proposed": "Proposed (hollow)",
}
# Route widths in pixels at ui_scale 1: by volume where known, thin where not.
ROUTE_WIDTH_UNKNOWN = 1.6
ROUTE_WIDTH_RANGE = (2.6, 9.0)

PLACE_KIND_ORDER = ("capital", "border_crossing", "mine", "headquarters", "city", "town")
IMPORTANT_PLACE_KINDS = {"capital", "border_crossing", "mine", "headquarters", "city"}
# Places that name an area: a centred label, no symbol.
AREA_NAME_KINDS = {"state", "region", "province", "district", "township", "country", "lake"}
PLACE_KIND_LABEL = {"capital": "State capital", "border_crossing": "Border crossing",
                    "mine": "Mine / mining area", "headquarters": "Headquarters", "city": "City",
                    "town": "Town"}
# Label placement order: crossings and the mining belt win collisions; a state
# capital outranks a headquarters.
PLACE_PRIORITY = {"border_crossing": 100, "capital": 97, "mine": 95, "headquarters": 90,
                  "city": 80, "town": 50, "village": 40, "lake": 35}
PRIORITY_ROUTE_END = 40      # added for places a route starts or ends at (the mining belt)
PROTECTED_PRIORITY = 80      # from cities up, no label may hide a place's symbol
PRIORITY_BASE_LABEL = 5


def font(pixels: float, bold: bool = False, italic: bool = False) -> QFont:
    result = QFont()
    result.setFamilies(FONT_FAMILIES)
    result.setPixelSize(max(1, round(pixels)))
    result.setBold(bold)
    result.setItalic(italic)
    result.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return result


def with_alpha(color: QColor, alpha: float) -> QColor:
    result = QColor(color)
    result.setAlphaF(max(0.0, min(1.0, alpha)))
    return result


def cosmetic_pen(color: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine,
                 dashes: list[float] | None = None) -> QPen:
    """A pen whose width is in pixels whatever the painter's transform.

    Qt strokes antialiased cosmetic lines up to 1 px wide on a fast path,
    some 50x faster than wider ones: lines drawn for every frame stay at 1 px
    (times ui_scale).
    """
    pen = QPen(color, width, style)
    pen.setCosmetic(True)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)  # round-capped dots are some 6x slower
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    if dashes:
        pen.setDashPattern(dashes)
    return pen


@lru_cache(maxsize=256)
def stripe_texture(first: str, second: str | None, alpha: float, scale: float,
                   ground_alpha: float = 0.0) -> QImage:
    """Diagonal stripes: `first` alternating with `second`, or with `first` at
    `ground_alpha` (the stripes then lie over that pale ground, as if drawn on it).

    Built pixel by pixel in numpy so the stripes tile without seams; the
    period scales with ui_scale so hatching reads the same at 1080p and 4K.
    """
    period = max(4, round(10 * scale))
    width = max(2, round(period * 0.42))
    size = period * 4
    y, x = np.mgrid[0:size, 0:size]
    on_first = ((x + y) % period) < width
    rgba = np.zeros((size, size, 4), dtype=np.uint8)
    rgba[on_first] = _premultiplied(QColor(first), alpha + ground_alpha * (1 - alpha))
    rgba[~on_first] = (_premultiplied(QColor(second), alpha) if second is not None
                       else _premultiplied(QColor(first), ground_alpha))
    image = QImage(rgba.data, size, size, size * 4, QImage.Format.Format_RGBA8888_Premultiplied)
    return image.copy()  # own the pixels; the numpy buffer goes away


@lru_cache(maxsize=32)
def pattern_texture(kind: str, color: str, alpha: float, scale: float,
                    ground: str | None = None, ground_alpha: float = 0.0) -> QImage:
    """Dots ("dots": a zone with no sourced information) or crossed lines ("cross":
    a disputed area) in `color` over an optional pale `ground`: patterns no actor,
    confidence class or contested stripe uses."""
    period = max(4, round(8 * scale))
    size = period * 4
    y, x = np.mgrid[0:size, 0:size]
    if kind == "dots":
        r = max(1.0, period * 0.16)
        on = ((x % period - period / 2) ** 2 + (y % period - period / 2) ** 2) <= r * r
    else:
        width = max(1, round(period * 0.18))
        on = (((x + y) % period) < width) | (((x - y) % period) < width)
    rgba = np.zeros((size, size, 4), dtype=np.uint8)
    rgba[on] = _premultiplied(QColor(color), alpha)
    if ground is not None:
        rgba[~on] = _premultiplied(QColor(ground), ground_alpha)
    image = QImage(rgba.data, size, size, size * 4, QImage.Format.Format_RGBA8888_Premultiplied)
    return image.copy()


def _premultiplied(color: QColor, alpha: float) -> tuple[int, int, int, int]:
    a = max(0.0, min(1.0, alpha))
    return (round(color.red() * a), round(color.green() * a), round(color.blue() * a), round(255 * a))


def texture_brush(image: QImage, device_from_world) -> QBrush:
    """A texture brush fixed to pixels even when the painter draws in metres."""
    brush = QBrush(image)
    brush.setTransform(device_from_world)
    return brush


# -- symbols ----------------------------------------------------------------
def place_symbol(painter: QPainter, kind: str, center: QPointF, scale: float) -> None:
    """Draw a place's symbol centred on `center` (pixels)."""
    r = 4.2 * scale
    painter.setPen(QPen(TEXT, 1.2 * scale))
    if kind in ("city", "capital"):
        painter.setBrush(QColor("#FFFFFF"))
        if kind == "capital":  # a second ring: the state capital
            painter.drawEllipse(center, r * 1.65, r * 1.65)
        painter.drawEllipse(center, r * 1.25, r * 1.25)
        painter.setBrush(TEXT)
        painter.drawEllipse(center, r * 0.55, r * 0.55)
    elif kind == "border_crossing":
        painter.setBrush(QColor("#FFFFFF"))
        painter.drawRect(QRectF(center.x() - r, center.y() - r, 2 * r, 2 * r))
        painter.setPen(QPen(TEXT, 1.6 * scale))
        painter.drawLine(QPointF(center.x(), center.y() - r), QPointF(center.x(), center.y() + r))
    elif kind == "mine":
        _draw_mine(painter, center, r * 1.25, scale)
    elif kind == "headquarters":
        painter.setBrush(TEXT)
        painter.drawPolygon(_star(center, r * 1.55, r * 0.65))
    elif kind == "lake":
        return
    elif kind == "town":
        painter.setBrush(TEXT)
        painter.drawEllipse(center, r * 0.7, r * 0.7)
    else:
        painter.setBrush(QColor("#FFFFFF"))
        painter.drawEllipse(center, r * 0.7, r * 0.7)


def _draw_mine(painter: QPainter, center: QPointF, r: float, scale: float) -> None:
    """Crossed picks on a white disc: the usual map sign for a mine."""
    painter.setBrush(QColor("#FFFFFF"))
    painter.setPen(QPen(TEXT, 1.0 * scale))
    painter.drawEllipse(center, r * 1.05, r * 1.05)
    pen = QPen(TEXT, 1.7 * scale)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    d = r * 0.62
    painter.drawLine(QPointF(center.x() - d, center.y() + d), QPointF(center.x() + d, center.y() - d))
    painter.drawLine(QPointF(center.x() - d, center.y() - d), QPointF(center.x() + d, center.y() + d))


def _star(center: QPointF, outer: float, inner: float) -> QPolygonF:
    angles = np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, outer, inner)
    return QPolygonF([QPointF(center.x() + r * np.cos(a), center.y() - r * np.sin(a))
                      for a, r in zip(angles, radii)])


def event_marker(painter: QPainter, center: QPointF, scale: float) -> None:
    """A diamond: events are points in time at a place."""
    r = 5.5 * scale
    diamond = QPolygonF([QPointF(center.x(), center.y() - r), QPointF(center.x() + r, center.y()),
                         QPointF(center.x(), center.y() + r), QPointF(center.x() - r, center.y())])
    painter.setPen(QPen(TEXT, 1.1 * scale))
    painter.setBrush(EVENT)
    painter.drawPolygon(diamond)


def halo_text(painter: QPainter, origin: QPointF, text: str, text_font: QFont,
              color: QColor = TEXT, halo: QColor = HALO, halo_width: float = 3.0) -> None:
    """Text with a white halo, so it reads over any fill."""
    glyphs, outline = _text_outline(text, text_font, halo_width)
    painter.save()
    painter.translate(origin)
    painter.fillPath(outline, halo)
    if color.alpha() < 255:  # the halo band leaves the glyphs' insides bare
        painter.fillPath(glyphs, halo)
    painter.fillPath(glyphs, color)
    painter.restore()


_OUTLINES: dict[tuple, tuple[QPainterPath, QPainterPath]] = {}


def _text_outline(text: str, text_font: QFont, halo_width: float) -> tuple[QPainterPath, QPainterPath]:
    """Glyph path and halo band of a label, made once: stroking text is slow, filling is not.

    The band alone is the halo (the glyphs are filled over it): uniting it with
    the glyphs cost 7 ms a label, 60 ms of the embedded dataset's first frame,
    and changed only the anti-aliased rim of the halo."""
    key = (text, text_font.key(), round(halo_width, 2))
    found = _OUTLINES.get(key)
    if found is None:
        glyphs = QPainterPath()
        glyphs.addText(QPointF(0, 0), text_font, text)
        stroker = QPainterPathStroker()
        stroker.setWidth(halo_width)
        stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        found = (glyphs, stroker.createStroke(glyphs))
        if len(_OUTLINES) > 4000:
            _OUTLINES.clear()
        _OUTLINES[key] = found
    return found
