"""Export routes: directed lines from mine to crossing, styled by status, with their
end marks (arrow heads at the crossing, a cross mid-route where halted)."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QTransform

from viewer.render import style
from viewer.render.geometry import LodPaths
from viewer.render.layers import Frame, KeptForViews, column, grouped, numbered, text_or
from viewer.render.projection import Projector
from viewer.render.route_marks import (Stamps, arrow_head_stamps, mark_stamps, route_pens,
                                      unknown_route_pen)


class FlowLayer:
    """Export routes: directed lines from mine to crossing, styled by status."""

    def __init__(self, flows: gpd.GeoDataFrame, projector: Projector,
                 place_xy: dict[str, tuple[float, float]]) -> None:
        projected = projector.geometries(flows.geometry.array)
        lines = shapely.line_merge(projected)
        from_ids = column(flows, "from_place_id")
        self.projected = np.array([_oriented(line, place_xy.get(str(pid)))
                                   for line, pid in zip(lines, from_ids)], dtype=object)
        self.paths = LodPaths(self.projected)
        self.is_line = shapely.get_type_id(self.projected) == 1   # LineString; None is -1
        self.lengths = shapely.length(self.projected)
        tips = np.full((len(self.projected), 2), np.nan)
        tips[self.is_line] = shapely.get_coordinates(shapely.get_point(self.projected[self.is_line], -1))
        self.tips = tips
        self.ids = column(flows, "flow_id").astype(str)
        self.status = np.array([text_or(s, "active") for s in column(flows, "status")], dtype=object)
        self.confidence = np.array([text_or(c, "confirmed") for c in column(flows, "confidence")],
                                   dtype=object)
        self.source_ids = column(flows, "source_ids")
        self.widths = _route_widths(flows)
        # Routes that look alike are stroked together: each row's look, numbered.
        self.looks, self.look_of_row = numbered(list(zip(self.status, self.confidence, self.widths)))
        self._anchors: tuple | None = None    # see _mark_anchors
        self._end_marks = KeptForViews()      # see _end_mark_stamps
        self.known_volume = ~np.isnan(pd.to_numeric(pd.Series(column(flows, "volume")),
                                                    errors="coerce").to_numpy(dtype=float))

    def paint(self, painter: QPainter, frame: Frame, rows: np.ndarray, dense: bool = False,
              unknown: np.ndarray | None = None) -> None:
        """Routes, then their end marks; `dense` views draw them as `route_pens` says.
        `unknown` rows stand for routes with no sourced status on the date: faint lines."""
        rows, paths = self.paths.visible_paths(rows, frame.mpp, frame.bounds)
        s = frame.scale
        painter.setTransform(frame.world)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if unknown is not None and len(unknown):
            faint = QPainterPath()
            for path in self.paths.visible_paths(unknown, frame.mpp, frame.bounds)[1]:
                faint.addPath(path)
            painter.setPen(unknown_route_pen(s))
            painter.drawPath(faint)
        # Routes that look alike are stroked as one path: a third faster than one
        # stroke per route once hundreds of routes are in view.
        for number, members in grouped(self.look_of_row[rows]):
            status, confidence, width = self.looks[number]
            combined = QPainterPath()
            for i in members:
                combined.addPath(paths[i])
            for pen in route_pens(status, width * s, s, dense, confidence):
                painter.setPen(pen)
                painter.drawPath(combined)
        painter.setTransform(QTransform())
        self._paint_end_marks(painter, frame, rows)

    def paint_selection(self, painter: QPainter, frame: Frame, row: int) -> None:
        """A glow around the route, and the route drawn again over it."""
        path = self.paths.path(row, frame.mpp)
        width = self.widths[row] * frame.scale
        painter.setTransform(frame.world)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(style.cosmetic_pen(QColor("#FFE66B"), width + 9 * frame.scale))
        painter.drawPath(path)
        for pen in route_pens(self.status[row], width, frame.scale, False, self.confidence[row]):
            painter.setPen(pen)
            painter.drawPath(path)
        painter.setTransform(QTransform())
        self._paint_end_marks(painter, frame, np.array([row]))

    def _paint_end_marks(self, painter: QPainter, frame: Frame, rows: np.ndarray) -> None:
        """Halt crosses mid-route, arrow heads at the crossing: every kind of mark
        stamped as a sprite, halt crosses first, then arrow heads, then hollow ones."""
        rows = rows[self.is_line[rows]]
        if len(rows) == 0:
            return
        stamps, mark_of_row, kind_of_mark = self._end_mark_stamps(frame, painter.device().devicePixelRatioF())
        marks = mark_of_row[rows]
        stamps.paint(painter, marks[np.argsort(kind_of_mark[marks], kind="stable")])

    def _end_mark_stamps(self, frame: Frame, ratio: float) -> tuple[Stamps, np.ndarray, np.ndarray]:
        """Every route's end mark in `frame`'s view, with each row's mark and each mark's
        kind (0 halt cross, 1 arrow head, 2 hollow head). Kept per view: working them
        out took ~1 ms of each 100x routes layer (1,000 routes), the same every date."""
        return self._end_marks.get((frame.view, ratio), lambda: self._work_out_end_marks(frame, ratio))

    def _work_out_end_marks(self, frame: Frame, ratio: float) -> tuple[Stamps, np.ndarray, np.ndarray]:
        s = frame.scale
        middle_xy, back_xy = self._mark_anchors(frame.mpp, s)
        lines = np.flatnonzero(self.is_line)
        halted = self.status[lines] == "halted"
        hollow = self.status[lines] == "proposed"
        kinds = [lines[halted], lines[~halted & ~hollow], lines[~halted & hollow]]
        parts = [mark_stamps("halt", *frame.view.to_pixels(middle_xy[kinds[0], 0], middle_xy[kinds[0], 1]),
                             6.5 * s, ratio)]
        for heads, is_hollow in ((kinds[1], False), (kinds[2], True)):
            back_x, back_y = frame.view.to_pixels(back_xy[heads, 0], back_xy[heads, 1])
            tip_x, tip_y = frame.view.to_pixels(self.tips[heads, 0], self.tips[heads, 1])
            parts.append(arrow_head_stamps(back_x, back_y, tip_x, tip_y, self._head_sizes(heads, s),
                                           is_hollow, s, ratio))
        mark_of_row = np.full(len(self.projected), -1, dtype=np.int64)
        mark_of_row[np.concatenate(kinds)] = np.arange(len(lines))
        kind_of_mark = np.repeat(np.arange(3), [len(rows) for rows in kinds])
        return Stamps.joined(parts), mark_of_row, kind_of_mark

    def _head_sizes(self, rows: np.ndarray, s: float) -> np.ndarray:
        """Arrow-head lengths in pixels: the heads drawn and the points they point from agree."""
        return 6.0 * s + self.widths[rows] * s * 1.3

    def _mark_anchors(self, mpp: float, s: float) -> tuple[np.ndarray, np.ndarray]:
        """Every route's middle and the point its arrow head points from (metres, rows x 2),
        for a view of `mpp` metres a pixel at ui scale `s`. Kept for the last view:
        finding them took 2 ms of each routes layer drawn at 100x, the same for every date.
        (One tuple, replaced whole: threads drawing other views at once only recompute.)"""
        anchors = self._anchors
        if anchors is None or anchors[0] != (mpp, s):
            lines = self.projected[self.is_line]
            middle = np.full((len(self.projected), 2), np.nan)
            back = np.full((len(self.projected), 2), np.nan)
            middle[self.is_line] = shapely.get_coordinates(
                shapely.line_interpolate_point(lines, 0.5, normalized=True))
            sizes = self._head_sizes(self.is_line, s)
            back[self.is_line] = shapely.get_coordinates(shapely.line_interpolate_point(
                lines, np.maximum(self.lengths[self.is_line] - sizes * 1.6 * mpp, 0.0)))
            anchors = self._anchors = ((mpp, s), middle, back)
        return anchors[1], anchors[2]

    def hit(self, x: float, y: float, rows: np.ndarray, tolerance: float) -> int | None:
        if len(rows) == 0:
            return None
        distances = shapely.distance(self.projected[rows], shapely.Point(x, y))
        best = int(np.nanargmin(distances)) if not np.all(np.isnan(distances)) else None
        if best is None or distances[best] > tolerance:
            return None
        return int(rows[best])


def _oriented(line, start_xy: tuple[float, float] | None):
    """The line running away from its `from` place (files may store it backwards)."""
    if line is None or shapely.is_empty(line) or start_xy is None or line.geom_type != "LineString":
        return line
    start = shapely.Point(start_xy)
    first, last = shapely.get_point(line, 0), shapely.get_point(line, -1)
    return shapely.reverse(line) if last.distance(start) < first.distance(start) else line


def _route_widths(flows: gpd.GeoDataFrame) -> np.ndarray:
    """Pixel width per route: square-root of volume within its unit, thin if unknown."""
    volume = pd.to_numeric(pd.Series(column(flows, "volume")), errors="coerce").to_numpy(float)
    units = pd.Series(column(flows, "volume_unit")).fillna("").astype(str).to_numpy()
    widths = np.full(len(flows), style.ROUTE_WIDTH_UNKNOWN)
    low, high = style.ROUTE_WIDTH_RANGE
    for unit in np.unique(units):
        in_unit = (units == unit) & ~np.isnan(volume) & (volume > 0)
        if in_unit.any():
            share = np.sqrt(volume[in_unit] / volume[in_unit].max())
            widths[in_unit] = low + (high - low) * share
    return widths
