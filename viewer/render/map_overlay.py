"""What the renderer asks of a layer drawn over the finished map (compare mode, route
crossing): painted after the cached frame, clipped to stay off the map's panels."""
from __future__ import annotations

from collections.abc import Sequence
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
                 taken: list[QRectF], swatch, names: Sequence[QRectF] = ()) -> None:
    """A small legend in a corner of the map, clear of the panels (see place_legend)."""
    draw_legend(painter, frame, place_legend(painter, frame, rows, title, taken, names), rows, title,
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


# Covering the whole box of a shape the legend is about costs as much as covering this
# many place names (a part of it, that part).
SUBJECT_WEIGHT = 5.0


def place_legend(painter: QPainter, frame: Frame, rows: list[tuple[object, str]], title: str,
                 taken: list[QRectF], names: Sequence[QRectF] = (),
                 subjects: Sequence[QRectF] = ()) -> QRectF:
    """Where a legend of `rows` goes: in the corner of the map where it hides least,
    bottom-left first: each place name it touches counts one, each box of `subjects`
    (what the legend is about: the changed zones) SUBJECT_WEIGHT times the share of
    it covered. At 1366x768 the compare key stood over five towns' names bottom left
    while China's side of the map was nearly empty; moved there without weighing the
    changed zones, it sat against them. Moved up (or down, from a top corner) until it
    clears the footer, the scale bar and the rest of `taken`, to which it is added."""
    margin = 10 * frame.scale
    width, height = _legend_size(painter, frame, rows, title)
    area = frame.view.rect
    placed = [_cleared(box, taken, from_top, margin) for box, from_top in (
        (QRectF(margin, area.bottom() - margin - height, width, height), False),
        (QRectF(area.right() - margin - width, area.bottom() - margin - height, width, height), False),
        (QRectF(margin, margin, width, height), True),
        (QRectF(area.right() - margin - width, margin, width, height), True))]
    inside = [box for box in placed if area.contains(box)]

    def hidden(box: QRectF) -> float:
        return sum(box.intersects(name) for name in names) + SUBJECT_WEIGHT * sum(
            _share(box, subject) for subject in subjects)

    # A map too short for the key anywhere: bottom-left, as high as it goes.
    box = min(inside, key=hidden) if inside else placed[0]
    taken.append(box)
    return box


def _share(box: QRectF, other: QRectF) -> float:
    """How much of `other` `box` covers, 0 to 1."""
    common = box.intersected(other)
    size = other.width() * other.height()
    return common.width() * common.height() / size if size > 0 else float(box.intersects(other))


def _cleared(box: QRectF, taken: list[QRectF], downwards: bool, margin: float) -> QRectF:
    """`box` moved up (or down) until it overlaps none of `taken`."""
    box = QRectF(box)
    while (hit := next((r for r in taken if r.intersects(box)), None)) is not None:
        if downwards:
            box.moveTop(hit.bottom() + margin)
        else:
            box.moveBottom(hit.top() - margin)
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
