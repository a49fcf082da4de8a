"""The map's layers: geometry projected and turned into paths once, at load.

Each layer keeps numpy arrays of its rows' attributes next to the paths, so
a date change only selects rows (from the dataset's IntervalIndex) and picks
styles; nothing is projected or converted while scrubbing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QTransform

from viewer.render import style
from viewer.render.geometry import LodPaths, row_under, shape_stacks
from viewer.render.projection import Projector
from viewer.render.unknown import disputed_look
from viewer.render.view import MapView


@dataclass
class Frame:
    """What every layer needs to paint one image."""

    view: MapView
    world: QTransform            # projected metres -> pixels
    texture_fix: QTransform      # keeps texture brushes in pixels under `world`
    pattern_scale: float         # the ui scale textures (hatching, dots) are made at

    @classmethod
    def of(cls, view: MapView, pattern_shrink: float = 1.0) -> "Frame":
        """`pattern_shrink` < 1: textures made at the ui scale of a view that much
        larger and shrunk, so a draft drawn at half size keeps the full map's
        pattern density (half-scale patterns, held at 1 px minimums, are denser)."""
        world = view.transform()
        fix = world.inverted()[0]
        if pattern_shrink != 1.0:
            fix = QTransform.fromScale(pattern_shrink, pattern_shrink) * fix
        return cls(view, world, fix, view.ui_scale / pattern_shrink)

    @property
    def scale(self) -> float:
        return self.view.ui_scale

    @property
    def mpp(self) -> float:
        return self.view.metres_per_pixel

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return self.view.extent.as_tuple()


class KeptForViews:
    """Values worked out for the last two keys: a window's map and its drafts are two
    views, and a scrub switches between them at its first date and once it stops.
    A tuple replaced whole: a thread drawing another view at once only works its
    value out again."""

    def __init__(self) -> None:
        self._kept: tuple = ()

    def get(self, key, make):
        for kept_key, value in self._kept:
            if kept_key == key:
                return value
        value = make()
        self._kept = ((key, value),) + self._kept[:1]
        return value


class MapLayer(Protocol):
    """What the renderer asks of every layer a click can select."""

    ids: np.ndarray           # each row's id (str), as a Selection names it
    source_ids: np.ndarray    # each row's `;`-list of source ids

    def paint_selection(self, painter: QPainter, frame: Frame, row: int) -> None:
        """Highlight `row` on top of the drawn map."""


def column(frame: pd.DataFrame, name: str, default: object = None) -> np.ndarray:
    if name in frame.columns:
        return frame[name].to_numpy(dtype=object)
    return np.full(len(frame), default, dtype=object)


def text_or(value: object, default: str) -> str:
    return value if isinstance(value, str) and value.strip() else default


def numbered(keys: list[tuple]) -> tuple[list[tuple], np.ndarray]:
    """(the distinct keys sorted, each key's number in that list)."""
    distinct = sorted(set(keys))
    number = {key: i for i, key in enumerate(distinct)}
    return distinct, np.array([number[key] for key in keys], dtype=np.int64)


def grouped(numbers: np.ndarray) -> list[tuple[int, list[int]]]:
    """(number, positions holding it, in order) for each number present, smallest first."""
    order = np.argsort(numbers, kind="stable")
    cuts = np.flatnonzero(np.diff(numbers[order])) + 1
    return [(int(numbers[run[0]]), run.tolist()) for run in np.split(order, cuts) if len(run)]


# -- base layers -------------------------------------------------------------
@dataclass(frozen=True)
class BaseStyle:
    kind: str            # land, disputed, water, river, road, admin1, border, claim_line, other
    over_thematic: bool  # drawn above the control fills (boundaries stay visible)
    label_case: str = ""  # "upper" to label features (countries, states) in capitals


BASE_STYLES = (
    ("countr", BaseStyle("land", False, "upper")),
    ("admin1", BaseStyle("admin1", True, "upper")),
    ("disputed_area", BaseStyle("disputed", False)),
    ("disputed", BaseStyle("claim_line", True)),
    ("border", BaseStyle("border", True)),
    ("boundar", BaseStyle("border", True)),
    ("lake", BaseStyle("water", False)),
    ("river", BaseStyle("river", False)),
    ("road", BaseStyle("road", False)),
)


def _clipped(shapes: np.ndarray, clip_box: tuple) -> tuple[np.ndarray, np.ndarray]:
    """The parts of `shapes` inside `clip_box`, and which rows kept any."""
    shapes = shapely.clip_by_rect(np.asarray(shapes, dtype=object), *clip_box)
    kept = ~(shapely.is_missing(shapes) | shapely.is_empty(shapes))
    return np.asarray(shapes[kept], dtype=object), kept


def _inner_boundaries(polygons: np.ndarray) -> np.ndarray:
    """Polygon outlines as one set of lines, shared edges once, without the box
    the source was clipped to (its edges are not boundaries)."""
    polygons = polygons[~(shapely.is_missing(polygons) | shapely.is_empty(polygons))]
    if len(polygons) == 0:
        return np.array([], dtype=object)
    lines = shapely.line_merge(shapely.union_all(shapely.boundary(polygons)))
    clip_edges = shapely.box(*shapely.total_bounds(polygons)).boundary
    return np.array([shapely.difference(lines, shapely.buffer(clip_edges, 1e-6))], dtype=object)


def base_style(name: str, geometry_kind: str) -> BaseStyle:
    for key, found in BASE_STYLES:
        if key in name:
            if found.kind == "claim_line" and geometry_kind == "polygon":
                return BaseStyle("disputed", False)
            return found
    return BaseStyle("other", False)


class BaseLayer:
    """One `base_*` layer, clipped around the data, projected, styled by name."""

    def __init__(self, name: str, frame: gpd.GeoDataFrame, projector: Projector,
                 clip_box: tuple[float, float, float, float], focus_point: tuple[float, float]):
        shapes, kept = _clipped(frame.geometry.array, clip_box)
        types = set(shapely.get_type_id(shapes).tolist())
        self.name = name
        self.geometry_kind = "polygon" if types & {3, 6} else "line" if types & {1, 5} else "point"
        self.style = base_style(name, self.geometry_kind)
        projected = projector.geometries(shapes)
        labelled = bool(self.style.label_case) and self.geometry_kind == "polygon"
        # Coarse copies, only for finding where a name fits in the view.
        self.label_geoms = shapely.simplify(projected, 2000.0) if labelled else projected[:0]
        names = [text_or(n, "") for n in column(frame, "name")[kept]] if labelled else []
        self.names = np.array(names, dtype=object)
        if self.style.kind == "admin1" and self.geometry_kind == "polygon":
            drawn = projector.geometries(_clipped(_inner_boundaries(frame.geometry.array), clip_box)[0])
            self.geometry_kind = "line"
        else:
            drawn = projected
        self.paths = LodPaths(drawn)
        focus = shapely.Point(*projector.points([focus_point[0]], [focus_point[1]]))
        self.focus = (shapely.contains(drawn, focus) if self.style.kind == "land"
                      else np.zeros(len(drawn), bool))

    def paint(self, painter: QPainter, frame: Frame) -> None:
        rows = np.arange(len(self.paths))
        visible = self.paths.visible(rows, frame.mpp, frame.bounds)
        if not visible:
            return
        painter.setTransform(frame.world)
        kind, s = self.style.kind, frame.scale
        if self.geometry_kind == "point":
            return
        if kind == "land":
            # No outline: borders come from their own layer, and a clipped
            # layer's outline would draw its clipping box.
            painter.setPen(Qt.PenStyle.NoPen)
            for row, path in visible:
                painter.setBrush(style.LAND_FOCUS if self.focus[row] else style.LAND)
                painter.drawPath(path)
            return
        pen, brush = self._pen_and_brush(kind, s, frame)
        painter.setPen(pen)
        painter.setBrush(brush if self.geometry_kind == "polygon" else Qt.BrushStyle.NoBrush)
        for _row, path in visible:
            painter.drawPath(path)

    def _pen_and_brush(self, kind: str, s: float, frame: Frame) -> tuple[QPen, QBrush]:
        no_brush = QBrush(Qt.BrushStyle.NoBrush)
        if kind == "water":
            return style.cosmetic_pen(style.RIVER, 0.8 * s), QBrush(style.WATER)
        if kind == "river":
            return style.cosmetic_pen(style.RIVER, 1.0 * s), no_brush
        if kind == "road":
            return style.cosmetic_pen(style.ROAD, 0.9 * s), no_brush
        if kind == "admin1":
            return style.cosmetic_pen(style.ADMIN1, 1.0 * s), no_brush
        if kind == "border":
            return style.cosmetic_pen(style.BORDER, 1.5 * s, dashes=[9, 3, 2, 3]), no_brush
        if kind == "claim_line":
            return style.cosmetic_pen(style.DISPUTED, 1.3 * s, dashes=[4, 3]), no_brush
        if kind == "disputed":
            brush, pen = disputed_look(s, frame.texture_fix, frame.pattern_scale)
            return pen, brush
        return style.cosmetic_pen(style.ADMIN1, 0.8 * s), QBrush(style.with_alpha(style.LAND_OUTLINE, 0.3))

    def label_points(self, frame: Frame) -> list[tuple[str, float, float]]:
        """(name, x, y) in metres for features worth a label in this view."""
        if len(self.label_geoms) == 0:
            return []
        view_box = shapely.box(*frame.bounds)
        named = np.flatnonzero(self.names != "")
        shown = shapely.intersection(self.label_geoms[named], view_box)
        areas = shapely.area(shown)
        # A feature filling less than 4 % of the view would crowd the towns.
        big = areas > 0.04 * shapely.area(view_box)
        points = shapely.point_on_surface(shown[big])
        return [(self.names[named][i].upper(), p.x, p.y)
                for i, p in zip(np.flatnonzero(big), points)]


# -- control -----------------------------------------------------------------
class ControlLayer:
    """Who holds each zone: fills by actor, strength by confidence."""

    def __init__(self, control: gpd.GeoDataFrame, projector: Projector) -> None:
        self.paths = LodPaths(control.geometry.array, projector=projector)   # lon/lat shapes
        self.ids = column(control, "control_id").astype(str)
        self.actors = column(control, "actor_id").astype(str)
        seconds = column(control, "contested_with")
        statuses = column(control, "status")
        self.contested_with = np.array([text_or(s, "") for s in seconds], dtype=object)
        self.confidence = np.array([text_or(c, "confirmed") for c in column(control, "confidence")],
                                   dtype=object)
        self.contested = np.array([s == "contested" for s in statuses], dtype=bool)
        self.source_ids = column(control, "source_ids")
        # Each row's (actor, contested with, confidence): a frame groups rows by it.
        self.styles, self.style_of_row = numbered([(a, w if c else "", k) for a, w, c, k in zip(
            self.actors, self.contested_with, self.contested, self.confidence)])
        # And by what the legend lists: (actor, contested with, contested, confidence).
        self.legend_keys, self.legend_key_of_row = numbered(list(zip(
            self.actors, self.contested_with, self.contested, self.confidence)))
        self.contested_key = np.array([bool(c and w) for _a, w, c, _k in self.legend_keys], dtype=bool)
        self._stacks: np.ndarray | None = None

    def stacks(self) -> np.ndarray:
        """Each distinct shape's stack of shapes that do not overlap (zone_raster.py)."""
        if self._stacks is None:
            self._stacks = shape_stacks(self.paths.shape_bounds)
        return self._stacks

    def paint(self, painter: QPainter, frame: Frame, rows: np.ndarray, colors: dict[str, str]) -> None:
        """All fills, then all outlines, one style at a time.

        Grouping by style sets each brush and pen once; outlines drawn last are
        never covered by a neighbour's fill. A style's outlines are stroked as
        one path (fills are not: Qt fills a path spanning the view in bands).
        """
        painter.setTransform(frame.world)
        rows, paths = self.paths.visible_paths(rows, frame.mpp, frame.bounds)
        # Styles in a fixed order: a clipped redraw of some rows (LayerCache) stacks
        # them as a full redraw does.
        groups = [(self.styles[number], [paths[i] for i in members])
                  for number, members in grouped(self.style_of_row[rows])]
        looks = [self._look(key, colors, frame) for key, _paths in groups]
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(Qt.PenStyle.NoPen)
        for (_key, members), (brush, _pen) in zip(groups, looks):
            if brush is not None:
                painter.setBrush(brush)
                for path in members:
                    painter.drawPath(path)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for (_key, members), (_brush, pen) in zip(groups, looks):
            outlines = QPainterPath()
            for path in members:
                outlines.addPath(path)
            painter.setPen(pen)
            painter.drawPath(outlines)

    def paint_selection(self, painter: QPainter, frame: Frame, row: int) -> None:
        painter.setTransform(frame.world)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        path = self.paths.path(row, frame.mpp)
        painter.setPen(style.cosmetic_pen(QColor("#FFFFFF"), 5.0 * frame.scale))
        painter.drawPath(path)
        painter.setPen(style.cosmetic_pen(style.SELECTION, 2.4 * frame.scale))
        painter.drawPath(path)

    @staticmethod
    def _look(key: tuple, colors: dict[str, str], frame: Frame) -> tuple:
        actor, second, confidence = key
        return control_look(colors.get(actor, "#999999"), colors.get(second, "#999999") if second else None,
                            confidence, frame.scale, frame.texture_fix, frame.pattern_scale)

    def hit(self, x: float, y: float, rows: np.ndarray) -> int | None:
        """The active row whose shape holds (x, y); the last drawn wins."""
        return row_under(self.paths, x, y, rows)


def control_look(color_name: str, second_name: str | None, confidence: str, scale: float,
                 texture_fix: QTransform, pattern_scale: float | None = None) -> tuple[QBrush | None, QPen]:
    """(fill brush, outline pen) of a control row; the legend uses it too.

    Hatching and the pale fill under it are one texture, so each zone is
    filled once. The map fills without antialiasing (Qt's antialiased
    translucent fill is some 10x slower) and hides the stepped edge under an
    antialiased outline.
    """
    color = QColor(color_name)
    alpha = style.CONFIDENCE_ALPHA.get(confidence, 0.7)
    dashed = confidence in style.CONFIDENCE_HATCHED
    pen = style.cosmetic_pen(color.darker(135), 1.0 * scale, dashes=[5, 3] if dashed else None)
    pattern = pattern_scale or scale
    if second_name:
        # Contested: stripes of both actors, as strong as the confidence allows.
        stripes = style.stripe_texture(color.name(), second_name, max(alpha, 0.35), pattern)
        return style.texture_brush(stripes, texture_fix), pen
    if dashed:
        lines = style.stripe_texture(color.name(), None, 0.6, pattern, ground_alpha=alpha)
        return style.texture_brush(lines, texture_fix), pen
    return (QBrush(style.with_alpha(color, alpha)) if alpha > 0 else None), pen


def paint_control_shape(painter: QPainter, path: QPainterPath, look: tuple) -> None:
    """One shape as the control layer draws it (the legend's swatches)."""
    brush, pen = look
    painter.setPen(Qt.PenStyle.NoPen)
    if brush is not None:
        painter.setBrush(brush)
        painter.drawPath(path)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
