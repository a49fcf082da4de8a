"""Compare mode on the map: what changed between date A and date B, the rest dimmed.

Drawn over the map of date B, whose "as of" label names B: each zone that changed
is drawn again at full strength as it is on B (held: its holder's colour;
contested: both actors' stripes; no sourced control: neutral grey; sourced on
one date only: lighter), with a short label telling the change in time order
("Pangwa zone: SAC → KIA", the legend saying who each actor named is); each
route whose status changed is drawn again with its status on B and "active →
halted". With B the later date that is the change's result; with B the earlier
(A after B) it is the state before the change. Everything else lies under a
white veil.
"""
from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QTransform

from viewer.model.compare import (
    BECAME_CONTESTED,
    BECAME_KNOWN,
    BECAME_UNKNOWN,
    CHANGED_HANDS,
    Comparison,
    RouteChange,
    ZoneChange,
)
from viewer.model.dates import format_date
from viewer.model.zones import UNKNOWN
from viewer.render import style
from viewer.render.layers import Frame
from viewer.render.map_overlay import draw_legend, place_legend
from viewer.render.route_marks import route_pens

VEIL = QColor(255, 255, 255, 165)
NAME_STEPS = 3   # a callout is moved down this many of its heights first, to clear names
# … then this many, down or up: further off, its leader line crossed half the map.
AROUND_STEPS = 8
MORE = "+{} more changes: see the change list"   # the panel; a PNG's text metadata
UNKNOWN_FILL = QColor("#BDBDBD")
NEUTRAL = ["#7A7A7A", "#D4D4D4"]   # the key's zone swatches: how a change is drawn, no party's colour
CHANGE_LABEL = {CHANGED_HANDS: "Changed hands (new holder's colour)",
                BECAME_CONTESTED: "Became contested (both actors' stripes)",
                BECAME_UNKNOWN: "Became unknown (no sourced control)",
                BECAME_KNOWN: "Sourced only on the later date (lighter)"}
# With B the earlier date the zones are drawn before their change.
CHANGE_LABEL_BEFORE = {CHANGED_HANDS: "Changed hands (holder before the change)",
                       BECAME_CONTESTED: "Became contested (holder before)",
                       BECAME_UNKNOWN: "Sourced only on the earlier date (lighter)",
                       BECAME_KNOWN: "Became known (no sourced control yet, grey)"}


class CompareLayer:
    """The changes of one Comparison, drawn over the prepared map of date B.

    `prepared` is the map's PreparedMap (its `control` and `flows` layers and `dataset`).
    """

    def __init__(self, prepared, comparison: Comparison) -> None:
        self.comparison = comparison
        self.dataset = prepared.dataset
        self.control, self.flows = prepared.control, prepared.flows
        # The map under the layer is of date B: draw each change's end on B, so what is
        # drawn agrees with the map's "as of B" (its A end drew A's holders under B's label).
        self.b_is_later = comparison.date_b >= comparison.date_a
        self.zones = [(row, change) for change in comparison.zones
                      if (row := _first_row(self.on_b(change).rows + self.off_b(change).rows,
                                            "control", prepared)) is not None]
        self.routes = [(row, change) for change in comparison.routes
                       if (row := _first_row(self.on_b(change).rows + self.off_b(change).rows,
                                             "flows", prepared)) is not None]

    def on_b(self, change: ZoneChange | RouteChange):
        """The change's state on the shown date B."""
        return change.after if self.b_is_later else change.before

    def off_b(self, change: ZoneChange | RouteChange):
        return change.before if self.b_is_later else change.after

    def paint(self, painter: QPainter, frame: Frame, panels: list[QRectF]) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setTransform(QTransform())
        painter.fillRect(frame.view.rect, VEIL)
        for row, change in self.zones:
            self._paint_zone(painter, frame, row, change)
        for row, change in self.routes:
            self._paint_route(painter, frame, row, change)
        painter.restore()

    def annotate(self, painter: QPainter, frame: Frame, panels: list[QRectF],
                 names: list[QRectF]) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setTransform(QTransform())
        rows = self.legend_rows()
        # The key is placed first and the callouts keep clear of it: placed after them, it
        # was pushed up past them and off the map (1366x768 window, "Zones and routes").
        # Its room holds a row for the callouts left out, in case some are.
        shapes = self.control.paths.projected([row for row, _ in self.zones])
        key = place_legend(painter, frame, rows + [(None, MORE.format(len(self.zones)))],
                           self.title(), panels, names, _pixel_boxes(frame, shapes))
        unlabelled = sum(not self._label(painter, frame, shape, _zone_text(change), panels, names)
                         for shape, (_row, change) in zip(shapes, self.zones))
        if unlabelled:
            rows.append((None, MORE.format(unlabelled)))
        draw_legend(painter, frame, key, rows, self.title(), self._swatch)
        painter.restore()

    def legend_rows(self) -> list[tuple[object, str]]:
        """(swatch key, text): each kind of change shown, route changes, and the veil."""
        rows = []
        labels = CHANGE_LABEL if self.b_is_later else CHANGE_LABEL_BEFORE
        for kind, label in labels.items():
            count = sum(1 for _, c in self.zones if c.kind == kind)
            if count:
                rows.append((kind, f"{label}: {count}"))
        transitions: dict[str, int] = {}
        for _, change in self.routes:
            text = _route_text(change)
            transitions[text] = transitions.get(text, 0) + 1
        end_on_b = -1 if self.b_is_later else 0   # the swatch: the status drawn, on B
        rows += [(("route", text.split(" → ")[end_on_b]), f"Routes {text}: {n}")
                 for text, n in transitions.items()]
        rows += [(("actor", actor), f"{actor}: {self.dataset.actor_name(actor)}")
                 for actor in self._actors_named() if self.dataset.actor_name(actor) != actor]
        rows.append(("veil", "Unchanged (dimmed)"))
        return rows

    def _actors_named(self) -> list[str]:
        """The actors the zones' labels name, by id (the map's own legend lists only
        those holding on the later date, by full name)."""
        return list(dict.fromkeys(actor for _, change in self.zones
                                  for state in (change.before, change.after)
                                  if state.state != UNKNOWN for actor in state.holders))

    def title(self) -> str:
        """Says the zones are drawn as on B: beside the map's own legend, which of the
        two applied to them was not said."""
        return f"Changes (drawn as on {format_date(self.comparison.date_b)})"   # A: the date label

    @property
    def date_note(self) -> str:
        """Added to the map's date label: the map shows B against A."""
        return f"compared with {format_date(self.comparison.date_a)}"

    def _swatch(self, painter: QPainter, box: QRectF, key: object, frame: Frame) -> None:
        if key is None:   # the callouts left out: no swatch
            return
        if key == "veil":
            painter.fillRect(box, QColor("#E9E6E0"))
            return
        if isinstance(key, tuple) and key[0] == "actor":
            painter.fillRect(box, QColor(self.dataset.actor_color(key[1])))
            return
        if isinstance(key, tuple):
            pens = (route_pens(key[1], 2.5 * frame.scale, frame.scale)
                    if key[1] in style.FLOW_STATUS_ORDER else [_unknown_route_pen(frame)])
            for pen in pens:
                painter.setPen(pen)
                painter.drawLine(QPointF(box.left(), box.center().y()),
                                 QPointF(box.right(), box.center().y()))
            return
        # In neutral greys: in a holder's colour, "Changed hands" read as MNDAA's swatch.
        change = next(c for _, c in self.zones if c.kind == key)
        brush, edge = self._look(change, NEUTRAL, frame, pixels=True)
        painter.setBrush(brush)
        painter.setPen(style.cosmetic_pen(edge, 1.5 * frame.scale, dashes=_dashes(change)))
        painter.drawRect(box)

    # -- zones and routes ---------------------------------------------------
    def _paint_zone(self, painter: QPainter, frame: Frame, row: int, change: ZoneChange) -> None:
        path = self.control.paths.path(row, frame.mpp)
        brush, edge = self.zone_look(change, frame)
        painter.setTransform(frame.world)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(brush)
        painter.drawPath(path)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(style.cosmetic_pen(QColor("#FFFFFF"), 5.0 * frame.scale))
        painter.drawPath(path)
        painter.setPen(style.cosmetic_pen(edge, 2.6 * frame.scale, dashes=_dashes(change)))
        painter.drawPath(path)

    def zone_look(self, change: ZoneChange, frame: Frame) -> tuple[QBrush, QColor]:
        """(fill, outline colour) of a changed zone, in its holders' colours on B."""
        colors = [self.dataset.actor_color(holder) for holder in self.on_b(change).holders]
        return self._look(change, colors, frame)

    def _look(self, change: ZoneChange, colors: list[str], frame: Frame,
              pixels: bool = False) -> tuple[QBrush, QColor]:
        """(fill, outline colour) of a changed zone, its holders on B drawn in `colors`;
        a swatch is drawn in `pixels`, not metres."""
        shown = self.on_b(change)
        color = QColor(colors[0]) if colors else UNKNOWN_FILL
        if shown.state == UNKNOWN:
            return QBrush(style.with_alpha(UNKNOWN_FILL, 0.85)), QColor("#555555")
        if shown.state == "contested" and len(colors) > 1:
            stripes = style.stripe_texture(color.name(), colors[1], 0.85, frame.scale)
            fix = QTransform() if pixels else frame.texture_fix
            return style.texture_brush(stripes, fix), color.darker(150)
        alpha = 0.45 if _dashes(change) else 0.8
        return QBrush(style.with_alpha(color, alpha)), color.darker(150)

    def _paint_route(self, painter: QPainter, frame: Frame, row: int, change: RouteChange) -> None:
        path: QPainterPath = self.flows.paths.path(row, frame.mpp)
        width = self.flows.widths[row] * frame.scale
        painter.setTransform(frame.world)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(style.cosmetic_pen(QColor("#FFFFFF"), width + 7 * frame.scale))
        painter.drawPath(path)
        status = self.on_b(change).status.split("/")[0]
        pens = (route_pens(status, width, frame.scale) if status in style.FLOW_STATUS_ORDER
                else [_unknown_route_pen(frame)])
        for pen in pens:
            painter.setPen(pen)
            painter.drawPath(path)

    def _label(self, painter: QPainter, frame: Frame, shape, text: str,
               taken: list[QRectF], names: list[QRectF]) -> bool:
        """A label inside the zone, or moved down or up past any panel, callout or place
        name it would cover, with a leader line to a point of the zone; False when there is
        no such place near: the change is left to the list. (Moved past every name, 15 of 22
        callouts of a whole-region comparison went off the map's bottom; put over names
        instead, 15 stacked over Myitkyina, Laiza and Bhamo and hid them.)"""
        if shape is None or shapely.is_empty(shape):
            return True   # nothing to point at: the list names it, as it would anyway
        anchor = shapely.point_on_surface(shape)
        x, y = frame.view.to_pixels(shapely.get_x(anchor), shapely.get_y(anchor))
        s = frame.scale
        painter.setFont(style.font(11 * s, bold=True))
        box = QRectF(painter.fontMetrics().boundingRect(text)).adjusted(-4 * s, -2 * s, 4 * s, 2 * s)
        box.moveCenter(QPointF(float(x), float(y)))
        step = box.height() + 2 * s
        # Down first (the leader line then points up at the zone), then either way.
        candidates = [box.translated(0, n * step) for n in range(NAME_STEPS + 1)] + [
            box.translated(0, sign * n * step) for n in range(1, AROUND_STEPS) for sign in (1, -1)]
        box = next((c for c in candidates if frame.view.rect.contains(c) and not any(
            c.intersects(other) for other in taken + names)), None)
        if box is None:
            return False
        taken.append(box)
        point = QPointF(float(x), float(y))
        if not box.contains(point):
            painter.setPen(style.cosmetic_pen(style.TEXT, 1.2 * s))
            painter.drawLine(point, QPointF(box.center().x(), box.top()))   # no dot: a town's
        painter.setPen(style.cosmetic_pen(style.PANEL_EDGE, 1.0))
        painter.setBrush(style.PANEL)
        painter.drawRoundedRect(box, 3 * s, 3 * s)
        painter.setPen(style.TEXT)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        return True


def _dashes(change: ZoneChange) -> list[float] | None:
    """A zone sourced on one date only: drawn lighter, its outline broken."""
    return [4, 3] if change.kind in (BECAME_UNKNOWN, BECAME_KNOWN) else None


def _unknown_route_pen(frame: Frame):
    return style.cosmetic_pen(QColor("#9A9A9A"), 1.5 * frame.scale, dashes=[2, 3])


def _first_row(rows: tuple[dict, ...], layer: str, prepared) -> int | None:
    """The prepared layer's row of the first of `rows` (control or flows rows) it has."""
    id_column = "control_id" if layer == "control" else "flow_id"
    return next((row for r in rows if r.get(id_column) is not None
                 and (row := prepared.row_of(layer, r[id_column])) is not None), None)


def _zone_text(change: ZoneChange) -> str:
    def holders(state) -> str:
        return "unknown" if state.state == UNKNOWN else " vs ".join(state.holders)

    return f"{change.name}: {holders(change.before)} → {holders(change.after)}"


def _route_text(change: RouteChange) -> str:
    def status(state) -> str:
        return "unknown" if state.status == UNKNOWN else state.status

    return f"{status(change.before)} → {status(change.after)}"


def _pixel_boxes(frame: Frame, shapes: np.ndarray) -> list[QRectF]:
    """Each shape's box on the map, in pixels."""
    return [frame.view.pixel_rect(*box) for box in shapely.bounds(shapes).tolist()
            if box[0] == box[0]]    # not NaN: a shape
