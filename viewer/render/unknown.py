"""Drawing what the data does not say: zones with no sourced control on the shown
date, and the looks the legend shares with them.

A zone with no control row is not left blank (blank reads as "nothing there"):
it gets grey dots on a pale ground and a dotted outline, a look no actor,
confidence class, contested stripe or disputed cross-hatch uses.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPen, QTransform

from viewer.render import style
from viewer.render.geometry import LodPaths, row_under
from viewer.render.projection import Projector


def no_info_look(scale: float, texture_fix: QTransform,
                 pattern_scale: float | None = None) -> tuple[QBrush, QPen]:
    dots = style.pattern_texture("dots", style.NO_INFO.name(), 0.75, pattern_scale or scale,
                                 style.NO_INFO_GROUND.name(), 0.55)
    pen = style.cosmetic_pen(style.NO_INFO, 1.0 * scale, dashes=[1.5, 2.5])
    return style.texture_brush(dots, texture_fix), pen


def disputed_look(scale: float, texture_fix: QTransform,
                  pattern_scale: float | None = None) -> tuple[QBrush, QPen]:
    cross = style.pattern_texture("cross", style.DISPUTED.name(), 0.45, (pattern_scale or scale) * 1.3)
    pen = style.cosmetic_pen(style.DISPUTED, 0.9 * scale, dashes=[4, 3])
    return style.texture_brush(cross, texture_fix), pen


class NoInfoLayer:
    """The zones a dataset tracks control for, drawn where no control row holds."""

    def __init__(self, zones: gpd.GeoDataFrame, projector: Projector) -> None:
        self.paths = LodPaths(zones.geometry.array, projector=projector)   # lon/lat shapes
        self.ids = zones["area_id"].astype(str).to_numpy()
        self.source_ids = (zones["source_ids"].to_numpy(dtype=object) if "source_ids" in zones.columns
                           else np.full(len(zones), None, dtype=object))

    def paint(self, painter: QPainter, frame, rows: np.ndarray) -> None:
        visible = self.paths.visible(rows, frame.mpp, frame.bounds)
        if not visible:
            return
        brush, pen = no_info_look(frame.scale, frame.texture_fix, frame.pattern_scale)
        painter.setTransform(frame.world)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(brush)
        outlines = QPainterPath()
        for _row, path in visible:
            painter.drawPath(path)
            outlines.addPath(path)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(pen)
        painter.drawPath(outlines)

    def paint_selection(self, painter: QPainter, frame, row: int) -> None:
        painter.setTransform(frame.world)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for width, color in ((5.0, style.HALO), (2.4, style.SELECTION)):
            painter.setPen(style.cosmetic_pen(color, width * frame.scale))
            painter.drawPath(self.paths.path(row, frame.mpp))

    def hit(self, x: float, y: float, rows: np.ndarray) -> int | None:
        return row_under(self.paths, x, y, rows)
