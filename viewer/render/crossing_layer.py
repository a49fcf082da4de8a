"""Route crossing on the map: each running route drawn in segments coloured by who holds
the zone under each segment on the shown date.

Derived, and the legend says so: a plain intersection of the route lines with the
control zones of that date (viewer.model.crossing). A contested zone's segment
alternates both actors' colours; a zone with no sourced control is grey, dashed.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from viewer.model.crossing import route_crossings
from viewer.model.zones import UNKNOWN, ZoneState
from viewer.render import style
from viewer.render.geometry import painter_paths
from viewer.render.layers import Frame
from viewer.render.map_overlay import paint_legend

NO_CONTROL = QColor("#8C8C8C")
LEGEND_TITLE = "Whose ground the routes cross (derived)"
DERIVED_LEGEND = "Derived: route lines cut by the control zones"


class CrossingLayer:
    """The crossings of one date; `prepared` is the map's prepared layers (projector, dataset)."""

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
            for pen in self._pens(segment.holding, s):
                painter.setPen(pen)
                painter.drawPath(path)
        painter.restore()

    def annotate(self, painter: QPainter, frame: Frame, panels: list[QRectF],
                 names: list[QRectF]) -> None:
        if self.segments:
            paint_legend(painter, frame, self.legend_rows(), LEGEND_TITLE, panels, self._swatch)

    def legend_rows(self) -> list[tuple[object, str]]:
        holders: dict[tuple, str] = {}
        for segment, _ in self.segments:
            holding = segment.holding
            key = (holding.state, holding.holders)
            text = holding.label(self.dataset)
            holders.setdefault(key, text[:1].upper() + text[1:])
        return [(key, text) for key, text in holders.items()] + [(None, DERIVED_LEGEND)]

    def _pens(self, holding: ZoneState, s: float) -> list:
        if holding.state == UNKNOWN:
            return [style.cosmetic_pen(NO_CONTROL, 4 * s, dashes=[1.5, 1.2])]
        first = QColor(self.dataset.actor_color(holding.holders[0]))
        pens = [style.cosmetic_pen(first, 6 * s)]
        if holding.state == "contested" and len(holding.holders) > 1:
            second = QColor(self.dataset.actor_color(holding.holders[1]))
            pens.append(style.cosmetic_pen(second, 6 * s, dashes=[1.5, 1.5]))
        return pens

    def _swatch(self, painter: QPainter, box: QRectF, key: object, frame: Frame) -> None:
        if key is None:
            return
        middle = box.center().y()
        for pen in self._pens(ZoneState(*key), frame.scale * 0.6):
            painter.setPen(pen)
            painter.drawLine(QPointF(box.left(), middle), QPointF(box.right(), middle))
