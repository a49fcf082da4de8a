"""Route crossing on the map: each running route drawn in segments coloured by who holds
the zone under each segment on the shown date.

Derived, and the legend says so: a plain intersection of the route lines with the
control zones of that date (viewer.model.crossing). A contested zone's segment
alternates both actors' colours; a zone with no sourced control is grey, dashed.
A segment is as strong as the zone's confidence, as a zone's fill is on the map:
lighter when not confirmed, and broken (the line's hatching) when only estimated
or claimed.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from viewer.model.crossing import route_crossings
from viewer.model.zones import UNKNOWN
from viewer.render import style
from viewer.render.geometry import painter_paths
from viewer.render.layers import Frame
from viewer.render.map_overlay import paint_legend

NO_CONTROL = QColor("#8C8C8C")
LEGEND_TITLE = "Whose ground the routes cross (derived)"
DERIVED_LEGEND = "Derived: route lines cut by the control zones"
LESS_CERTAIN_ALPHA = 0.55   # reported, estimated or claimed: lighter than confirmed
HATCH_DASHES = [2.0, 1.0]   # estimated or claimed: broken, the white casing in the gaps


class CrossingLayer:
    """The crossings of one date; `prepared` is the map's prepared layers (projector, dataset)."""

    date_note = ""   # drawn for the shown date: the date label says all

    def __init__(self, prepared, day: dt.date) -> None:
        dataset = prepared.dataset
        self.day = day
        self.dataset = dataset
        self.crossings = route_crossings(dataset, day)
        segments = [s for c in self.crossings for s in c.segments]
        projected = prepared.projector.geometries(np.array([s.geometry for s in segments],
                                                           dtype=object))
        self.segments = list(zip(segments, painter_paths(projected)))

    def paint(self, painter: QPainter, frame: Frame, panels: list[QRectF]) -> None:
        if not self.segments:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setTransform(frame.world)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        s = frame.scale
        for segment, path in self.segments:
            painter.setPen(style.cosmetic_pen(QColor("#FFFFFF"), 9 * s))
            painter.drawPath(path)
            for pen in self._pens(self._key(segment), s):
                painter.setPen(pen)
                painter.drawPath(path)
        painter.restore()

    def annotate(self, painter: QPainter, frame: Frame, panels: list[QRectF],
                 names: list[QRectF]) -> None:
        if self.segments:
            paint_legend(painter, frame, self.legend_rows(), LEGEND_TITLE, panels, self._swatch, names)

    def legend_rows(self) -> list[tuple[object, str]]:
        holders: dict[tuple, str] = {}
        for segment, _ in self.segments:
            text = segment.label(self.dataset)
            holders.setdefault(self._key(segment), text[:1].upper() + text[1:])
        return [(key, text) for key, text in holders.items()] + [(None, DERIVED_LEGEND)]

    @staticmethod
    def _key(segment) -> tuple:
        """What a segment is drawn by: (state, holders, confidence)."""
        return segment.holding.state, segment.holding.holders, segment.confidence

    def _pens(self, key: tuple, s: float) -> list:
        state, holders, confidence = key
        if state == UNKNOWN:
            return [style.cosmetic_pen(NO_CONTROL, 4 * s, dashes=[1.5, 1.2])]
        alpha = 1.0 if confidence in ("confirmed", None) else LESS_CERTAIN_ALPHA
        dashes = HATCH_DASHES if confidence in style.CONFIDENCE_HATCHED else None
        first = style.with_alpha(QColor(self.dataset.actor_color(holders[0])), alpha)
        pens = [style.cosmetic_pen(first, 6 * s, dashes=dashes)]
        if state == "contested" and len(holders) > 1:
            second = style.with_alpha(QColor(self.dataset.actor_color(holders[1])), alpha)
            pens.append(style.cosmetic_pen(second, 6 * s, dashes=[1.5, 1.5]))
        return pens

    def _swatch(self, painter: QPainter, box: QRectF, key: object, frame: Frame) -> None:
        if key is None:
            return
        middle = box.center().y()
        for pen in self._pens(key, frame.scale * 0.6):
            painter.setPen(pen)
            painter.drawLine(QPointF(box.left(), middle), QPointF(box.right(), middle))
