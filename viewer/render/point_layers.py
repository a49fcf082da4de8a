"""The point layers: named places (symbols; labels are placed by the renderer) and
recent events as diamonds."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QTransform

from viewer.render import style
from viewer.render.layers import Frame, KeptForViews, column, text_or
from viewer.render.projection import Projector
from viewer.render.route_marks import mark_stamps, stamp_place_symbols


class PlaceLayer:
    """Named points: symbols by kind; labels are placed by the renderer."""

    def __init__(self, places: gpd.GeoDataFrame, projector: Projector,
                 route_ends: set[str]) -> None:
        points = places.geometry.array
        lon, lat = shapely.get_x(points), shapely.get_y(points)
        self.x, self.y = projector.points(lon, lat)
        self.ids = column(places, "place_id").astype(str)
        self.names = np.array([text_or(n, "") for n in column(places, "name")], dtype=object)
        self.kinds = np.array([text_or(k, "other") for k in column(places, "kind")], dtype=object)
        self.source_ids = column(places, "source_ids")
        self.priority = np.array([style.PLACE_PRIORITY.get(k, 30) for k in self.kinds], float)
        self.priority += np.array([style.PRIORITY_ROUTE_END if p in route_ends else 0
                                   for p in self.ids])

    def xy(self) -> dict[str, tuple[float, float]]:
        return {pid: (x, y) for pid, x, y in zip(self.ids, self.x, self.y) if np.isfinite(x)}

    def in_view(self, frame: Frame) -> np.ndarray:
        px, py = frame.view.to_pixels(self.x, self.y)
        margin = 10 * frame.scale
        inside = ((px >= -margin) & (px <= frame.view.width + margin)
                  & (py >= -margin) & (py <= frame.view.height + margin))
        return np.flatnonzero(inside & np.isfinite(px))

    def paint(self, painter: QPainter, frame: Frame, rows: np.ndarray) -> None:
        """Symbols of `rows`; names of areas (states, lakes) have none."""
        painter.setTransform(QTransform())
        rows = rows[[k not in style.AREA_NAME_KINDS for k in self.kinds[rows]]] if len(rows) else rows
        px, py = frame.view.to_pixels(self.x[rows], self.y[rows])
        # Least important first, so crossings and mines sit on top.
        order = np.argsort(self.priority[rows], kind="stable")
        stamp_place_symbols(painter, self.kinds[rows][order], px[order], py[order], frame.scale)

    def paint_selection(self, painter: QPainter, frame: Frame, row: int) -> None:
        painter.setTransform(QTransform())
        px, py = frame.view.to_pixels(self.x[row], self.y[row])
        _selection_ring(painter, QPointF(float(px), float(py)), 9 * frame.scale)

    def hit(self, frame: Frame, point: QPointF, rows: np.ndarray) -> int | None:
        return _nearest_within(frame, point, self.x[rows], self.y[rows], rows, 8 * frame.scale)


class EventLayer:
    """Recent events as diamonds at their place (their own point, else their place's).

    An event counts from the last day its date may stand for (`known_days`): one dated
    "Oct 2024" is drawn from 31 Oct, when it had happened, not from 1 Oct (a map of
    2 Oct would show what may not have happened yet) nor left off the 31 Oct map its
    key-event caption names. Rows are the dataset's; `known_span` finds them by that day."""

    def __init__(self, events: gpd.GeoDataFrame, projector: Projector,
                 place_xy: dict[str, tuple[float, float]], known_days: np.ndarray) -> None:
        geoms = events.geometry.array
        has_point = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        x, y = projector.points(shapely.get_x(geoms), shapely.get_y(geoms))
        place_ids = column(events, "place_id")
        for i in np.flatnonzero(~has_point):
            x[i], y[i] = place_xy.get(str(place_ids[i]), (np.nan, np.nan))
        self.x, self.y = x, y
        self._by_known = np.argsort(known_days, kind="stable")
        self._known_sorted = np.asarray(known_days)[self._by_known]
        self.ids = column(events, "event_id").astype(str)
        self.source_ids = column(events, "source_ids")
        self._stamps = KeptForViews()     # every row's marker, by (view, pixel ratio)

    def known_span(self, first_day: int, last_day: int) -> tuple[int, int]:
        """The events known first_day..last_day, as a span of `rows_in` (equal spans:
        the same rows)."""
        return (int(np.searchsorted(self._known_sorted, first_day, side="left")),
                int(np.searchsorted(self._known_sorted, last_day, side="right")))

    def rows_in(self, span: tuple[int, int]) -> np.ndarray:
        return self._by_known[span[0]:span[1]]

    def paint(self, painter: QPainter, frame: Frame, rows: np.ndarray) -> None:
        painter.setTransform(QTransform())
        ratio = painter.device().devicePixelRatioF()
        # Every row's marker for this view, once: a date stamps the recent ones.
        stamps = self._stamps.get((frame.view, ratio), lambda: mark_stamps(
            "event", *self._marker_pixels(frame, np.arange(len(self.x))), frame.scale, ratio))
        stamps.paint(painter, rows)

    def paint_selection(self, painter: QPainter, frame: Frame, row: int) -> None:
        if not np.isfinite(self.x[row]):
            return
        painter.setTransform(QTransform())
        px, py = self._marker_pixels(frame, np.array([row]))
        _selection_ring(painter, QPointF(float(px[0]), float(py[0])), 10 * frame.scale)

    def _marker_pixels(self, frame: Frame, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # Markers sit up-right of the point, so the place symbol under them stays visible.
        px, py = frame.view.to_pixels(self.x[rows], self.y[rows])
        offset = 7 * frame.scale
        return px + offset, py - offset

    def hit(self, frame: Frame, point: QPointF, rows: np.ndarray) -> int | None:
        rows = rows[np.isfinite(self.x[rows])]
        px, py = self._marker_pixels(frame, rows)
        distance = np.hypot(px - point.x(), py - point.y())
        if len(rows) == 0 or distance.min() > 8 * frame.scale:
            return None
        # The newest event at that spot is the one drawn on top.
        return int(rows[np.flatnonzero(distance == distance.min())[-1]])


def _nearest_within(frame: Frame, point: QPointF, x: np.ndarray, y: np.ndarray,
                    rows: np.ndarray, radius: float) -> int | None:
    if len(rows) == 0:
        return None
    px, py = frame.view.to_pixels(x, y)
    distance = np.hypot(px - point.x(), py - point.y())
    distance[~np.isfinite(distance)] = np.inf
    best = int(np.argmin(distance))
    return int(rows[best]) if distance[best] <= radius else None


def _selection_ring(painter: QPainter, center: QPointF, radius: float) -> None:
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(QColor("#FFFFFF"), radius * 0.5))
    painter.drawEllipse(center, radius, radius)
    painter.setPen(QPen(style.SELECTION, radius * 0.25))
    painter.drawEllipse(center, radius, radius)
