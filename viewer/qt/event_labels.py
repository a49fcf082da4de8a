"""Short titles beside the timeline's most important events.

Importance 3 events are labelled first, then importance 2 as room allows; a
label that would overlap one already placed is left out (hovering the event
still shows its whole title). Placement is done in pixels, once per zoom and
size, and the labels are kept as a pixmap, so moving the date cursor costs
nothing here.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import QGraphicsItem

from viewer.model.dates import to_day
from viewer.model.text import event_short_title

LABELLED_IMPORTANCE = 2     # and above
LABEL_PIXELS = 11           # font size
LABEL_GAP = 3               # pixels between a marker and its label, and between labels
LABEL_HALO = QColor(255, 255, 255, 230)


@dataclass(frozen=True)
class LabelCandidate:
    """An event that may get a label: where it is (day, lane) and what it says."""

    day: float
    lane: float
    text: str
    importance: int
    marker_radius: float


def choose_labels(boxes: list[QRectF], order: list[int]) -> list[int]:
    """Indices of `boxes` (taken in `order`, most important first) that overlap no box
    taken before them. Boxes are kept in bands of their height, so each is compared
    only with its neighbours (screen space bounds how many are taken)."""
    bands: dict[int, list[QRectF]] = {}
    chosen = []
    for index in order:
        box = boxes[index]
        band = int(box.center().y() // max(box.height(), 1.0))
        near = [other for b in (band - 1, band, band + 1) for other in bands.get(b, ())]
        if not any(box.intersects(other) for other in near):
            bands.setdefault(band, []).append(box.adjusted(-LABEL_GAP, 0, LABEL_GAP, 0))
            chosen.append(index)
    return chosen


class EventLabels(pg.GraphicsObject):
    """The labels, as one item in the lanes' view box."""

    def __init__(self) -> None:
        super().__init__()
        self.font = QFont()
        self.font.setPixelSize(LABEL_PIXELS)
        self._metrics = QFontMetricsF(self.font)
        self._candidates: list[LabelCandidate] = []
        self._widths: list[float] = []
        self._bounds = QRectF()
        self._placed: list[tuple[QRectF, str]] = []
        self._placed_for: tuple | None = None
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(5)  # over the markers, under the cursor

    def set_events(self, marks, lane_of: dict[str, int]) -> None:
        """Label candidates from the timeline's `EventMark`s, most important first."""
        self.prepareGeometryChange()
        chosen = [m for m in marks if m.importance >= LABELLED_IMPORTANCE]
        chosen.sort(key=lambda m: (-m.importance, m.date))
        self._candidates = [LabelCandidate(
            float(m.span_days()[1] if m.is_span else to_day(m.date)), float(lane_of[m.event_id]),
            event_short_title(m.short_title, m.title), m.importance, (5 + 2.5 * m.importance) / 2)
            for m in chosen]
        self._widths = [self._metrics.horizontalAdvance(c.text) + 4 for c in self._candidates]
        days = [c.day for c in self._candidates] or [0.0]
        lanes = [c.lane for c in self._candidates] or [0.0]
        # Generous: labels reach past their events to the right.
        self._bounds = QRectF(min(days) - 1, min(lanes) - 1, max(days) - min(days) + 400,
                              max(lanes) - min(lanes) + 2)
        self._placed_for = None
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt API)
        return self._bounds

    def placed(self) -> list[tuple[QRectF, str]]:
        """The labels drawn at the last paint: (box in device pixels, text)."""
        return list(self._placed)

    def paint(self, painter: QPainter, *_args) -> None:
        to_device = painter.transform()
        key = (to_device.m11(), to_device.m22(), to_device.dx(), to_device.dy())
        if key != self._placed_for:
            self._placed = self._place(to_device)
            self._placed_for = key
        painter.save()
        painter.setTransform(QTransform())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for box, text in self._placed:
            # Text with a white halo, no box: markers under a label stay visible.
            path = QPainterPath()
            path.addText(QPointF(box.left() + 2, box.center().y() + self._metrics.ascent() / 2 - 1),
                         self.font, text)
            painter.strokePath(path, QPen(LABEL_HALO, 3))
            painter.fillPath(path, QColor("#222222"))
        painter.restore()

    def _place(self, to_device: QTransform) -> list[tuple[QRectF, str]]:
        height = self._metrics.height()
        view = self.getViewBox()
        (left, right), _ = view.viewRange() if view is not None else ((-1e9, 1e9), None)
        boxes, shown = [], []
        for candidate, width in zip(self._candidates, self._widths):
            if not left <= candidate.day <= right:   # off screen: not worth placing
                continue
            shown.append(candidate)
            at = to_device.map(QPointF(candidate.day, candidate.lane))
            start = at.x() + candidate.marker_radius + LABEL_GAP
            boxes.append(QRectF(start, at.y() - height / 2, width, height))
        chosen = choose_labels(boxes, list(range(len(boxes))))
        return [(boxes[i], shown[i].text) for i in chosen]
