"""What the renderer asks of a layer drawn over the finished map (compare mode, route
crossing): painted after the cached frame, clipped to stay off the map's panels."""
from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter

from viewer.render import style
from viewer.render.layers import Frame


class MapOverlay(Protocol):
    date_note: str   # what the map's date label adds while it is drawn ("" for nothing)

    def paint(self, painter: QPainter, frame: Frame, panels: list[QRectF]) -> None:
        """Draw its shapes over the map's layers, under the place names (which are drawn
        again over them: a changed zone redrawn over Hopin's name hid it)."""

    def annotate(self, painter: QPainter, frame: Frame, panels: list[QRectF],
                 names: list[QRectF]) -> None:
        """Draw its labels and legend over the place names; `panels` are the boxes to keep
        clear of (title, legend, …): an overlay adds the boxes it draws, so the next one
        keeps clear of them too. Labels keep clear of the place `names` too (callouts hid
        the names of the towns they were about)."""


def paint_legend(painter: QPainter, frame: Frame, rows: list[tuple[object, str]], title: str,
                 taken: list[QRectF], swatch) -> None:
    """A small legend above the map's bottom-left panel (the scale bar), clear of the others."""
    draw_legend(painter, frame, place_legend(painter, frame, rows, title, taken), rows, title,
                swatch)


def _legend_size(painter: QPainter, frame: Frame, rows: list[tuple[object, str]],
                 title: str) -> tuple[float, float]:
    s = frame.scale
    margin, line, side = 10 * s, 18 * s, 14 * s
    painter.setFont(style.font(12 * s, bold=True))
    title_width = painter.fontMetrics().horizontalAdvance(title) + 2 * margin
    painter.setFont(style.font(11 * s))
    # As wide as the title too: a title wider than every row wrapped under the first row.
    width = max(max(painter.fontMetrics().horizontalAdvance(text) for _, text in rows)
                + side + 3 * margin, title_width)
    return width, line * (len(rows) + 1) + margin


def place_legend(painter: QPainter, frame: Frame, rows: list[tuple[object, str]], title: str,
                 taken: list[QRectF]) -> QRectF:
    """Where a legend of `rows` goes: up from the bottom-left corner until it clears the
    footer, the scale bar and the rest of `taken`; added to `taken`."""
    margin = 10 * frame.scale
    width, height = _legend_size(painter, frame, rows, title)
    box = QRectF(margin, frame.view.rect.bottom() - margin - height, width, height)
    while (hit := next((r for r in taken if r.intersects(box)), None)) is not None:
        box.moveBottom(hit.top() - margin)
    taken.append(box)
    return box


def draw_legend(painter: QPainter, frame: Frame, room: QRectF, rows: list[tuple[object, str]],
                title: str, swatch) -> None:
    """The legend of `rows` at the bottom-left of `room` (placed for as many rows or more)."""
    s = frame.scale
    margin, line, side = 10 * s, 18 * s, 14 * s
    width, height = _legend_size(painter, frame, rows, title)
    box = QRectF(room.left(), room.bottom() - height, width, height)
    x, y = box.left(), box.top()
    painter.setPen(style.cosmetic_pen(style.PANEL_EDGE, 1.0))
    painter.setBrush(style.PANEL)
    painter.drawRoundedRect(box, 4 * s, 4 * s)
    painter.setPen(style.TEXT)
    painter.setFont(style.font(12 * s, bold=True))
    painter.drawText(QRectF(x + margin, y + margin / 2, width, line),
                     Qt.AlignmentFlag.AlignVCenter, title)
    painter.setFont(style.font(11 * s))
    for i, (key, text) in enumerate(rows, start=1):
        top = y + margin / 2 + i * line
        painter.save()
        swatch(painter, QRectF(x + margin, top + 2 * s, side, side - 4 * s), key, frame)
        painter.restore()
        painter.setPen(style.TEXT)
        painter.drawText(QRectF(x + 2 * margin + side, top, width, line),
                         Qt.AlignmentFlag.AlignVCenter, text)
