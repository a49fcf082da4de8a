"""Short titles beside the timeline's most important events.

Importance 3 events are labelled first, then importance 2 as room allows; a
label that would overlap one already placed is left out (hovering the event
still shows its whole title). Placement is done in pixels, once per zoom and
size, and the labels are kept as a pixmap, so moving the date cursor costs
nothing here.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QTransform
from PySide6.QtWidgets import QGraphicsItem

from viewer.model.dates import to_day
from viewer.model.text import event_short_title

LABELLED_IMPORTANCE = 2     # and above
LABEL_PIXELS = 11           # font size
LABEL_GAP = 3               # pixels between a marker and its label, and between labels
LABEL_HALO = QColor(255, 255, 255, 230)
LABEL_COLOR = QColor("#222222")
# Where the halo is drawn around a label: about 1.5 px all round, as a 3 px stroke was.
HALO_OFFSETS = tuple(QPointF(x, y) for x, y in ((-1, -1), (0, -1.5), (1, -1), (-1.5, 0), (1.5, 0),
                                                 (-1, 1), (0, 1.5), (1, 1)))


@dataclass(frozen=True)
class LabelCandidate:
    """An event that may get a label: where it is (day, lane) and what it says."""

    day: float
    lane: float
    text: str
    importance: int
    marker_radius: float


def choose_labels(boxes: list[tuple[float, float, float, float]]) -> list[int]:
    """Indices of `boxes` (left, top, width, height; most important first) that overlap
    no box taken before them (as QRectF.intersects for boxes of some width, as labels
    are), taken boxes widened by LABEL_GAP.

    The labels of a lane share their top and height: a row's taken boxes are kept as
    intervals sorted along it (they never nest), so a box is tested against one
    neighbour in each row that reaches its height, found by bisection, not against
    every box near it. At 100x (4,800 candidates) a placement took 0.2-0.3 s in
    each of the timeline's first paints, and again at every zoom step."""
    rows = {(top, height) for _, top, _, height in boxes}
    taken: dict[tuple[float, float], tuple[list[float], list[float]]] = {row: ([], []) for row in rows}
    reaching = {row: [taken[other] for other in rows
                      if row[0] < other[0] + other[1] and other[0] < row[0] + row[1]]
                for row in rows}
    chosen = []
    for index, (left, top, width, height) in enumerate(boxes):
        right = left + width
        if any(_overlaps(lefts, rights, left, right) for lefts, rights in reaching[top, height]):
            continue
        lefts, rights = taken[top, height]
        at = bisect.bisect_left(lefts, left - LABEL_GAP)
        lefts.insert(at, left - LABEL_GAP)
        rights.insert(at, (left - LABEL_GAP) + (width + 2 * LABEL_GAP))   # as QRectF.adjusted
        chosen.append(index)
    return chosen


def _overlaps(lefts: list[float], rights: list[float], left: float, right: float) -> bool:
    """Whether [left, right) meets one of the sorted intervals: the first ending after
    `left` is the only one that can."""
    first = bisect.bisect_right(rights, left)
    return first < len(lefts) and lefts[first] < right


class EventLabels(pg.GraphicsObject):
    """The labels, as one item in the lanes' view box."""

    def __init__(self) -> None:
        super().__init__()
        self.font = QFont()
        self.font.setPixelSize(LABEL_PIXELS)
        self._metrics = QFontMetricsF(self.font)
        self._candidates: list[LabelCandidate] = []
        self._columns = (np.empty(0),) * 4   # day, lane, marker radius, width per candidate
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
        self._columns = tuple(np.array(values, dtype=float) for values in (
            [c.day for c in self._candidates], [c.lane for c in self._candidates],
            [c.marker_radius for c in self._candidates],
            [self._metrics.horizontalAdvance(c.text) + 4 for c in self._candidates]))
        days, lanes = (column if len(column) else np.zeros(1) for column in self._columns[:2])
        # Generous: labels reach past their events to the right.
        self._bounds = QRectF(days.min() - 1, lanes.min() - 1, days.max() - days.min() + 400,
                              lanes.max() - lanes.min() + 2)
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
        painter.setFont(self.font)
        for box, text in self._placed:
            # Text with a white halo, no box: markers under a label stay visible. The
            # halo is the text drawn white around it, from Qt's glyph cache: 0.12 ms a
            # label, where filling a stroked outline of the glyphs took 1.2 ms (126
            # labels at 100x: 15 ms a paint, not 150). The timeline is never exported.
            origin = QPointF(box.left() + 2, box.center().y() + self._metrics.ascent() / 2 - 1)
            painter.setPen(LABEL_HALO)
            for offset in HALO_OFFSETS:
                painter.drawText(origin + offset, text)
            painter.setPen(LABEL_COLOR)
            painter.drawText(origin, text)
        painter.restore()

    def _place(self, to_device: QTransform) -> list[tuple[QRectF, str]]:
        """The labels that fit, in device pixels: the candidates on screen mapped all
        at once (as QTransform.map does, term for term), then chosen in order."""
        height = self._metrics.height()
        view = self.getViewBox()
        (left, right), _ = view.viewRange() if view is not None else ((-1e9, 1e9), None)
        days, lanes, radii, widths = self._columns
        shown = np.flatnonzero((left <= days) & (days <= right))   # off screen: not placed
        x = to_device.m11() * days[shown] + to_device.m21() * lanes[shown] + to_device.dx()
        y = to_device.m12() * days[shown] + to_device.m22() * lanes[shown] + to_device.dy()
        boxes = list(zip((x + radii[shown] + LABEL_GAP).tolist(), (y - height / 2).tolist(),
                         widths[shown].tolist(), [height] * len(shown)))
        return [(QRectF(*boxes[i]), self._candidates[shown[i]].text) for i in choose_labels(boxes)]
