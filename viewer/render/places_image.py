"""Place symbols and their labels, drawn on an image of their own.

Placing labels is the slow part of a first frame (0.3-0.5 s for 6,000 places
at 100x), so the image is made again only when the view, the layers shown or
the panels the labels keep clear of change, never for a new date.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter

from viewer.render import style
from viewer.render.labels import LabelRequest, PlacedLabel, place_labels
from viewer.render.layers import Frame
from viewer.render.prepared import PreparedMap


@dataclass
class _Placed:
    key: tuple
    image: QImage
    hidden: set[int] = field(default_factory=set)     # places left out for lack of room
    labels: tuple[PlacedLabel, ...] = ()              # the place labels drawn


class PlacesImage:
    """One drawing surface's place symbols and labels (not shared between threads)."""

    def __init__(self, prepared: PreparedMap) -> None:
        self.prepared = prepared
        self._placed: _Placed | None = None

    @property
    def labels(self) -> tuple[PlacedLabel, ...]:
        """The labels of the image made last."""
        return self._placed.labels if self._placed is not None else ()

    def shown_rows(self, frame: Frame) -> np.ndarray:
        """The places in view whose symbols are drawn (not left out for lack of room)."""
        rows = self.prepared.places.in_view(frame)
        placed = self._placed
        if placed is not None and placed.key[0] == frame.view:
            rows = np.array([r for r in rows if r not in placed.hidden], dtype=int)
        return rows

    def image(self, frame: Frame, layers: dict, obstacles: list[QRectF], pixel_ratio: float) -> QImage:
        """Place symbols and all labels, redone only when the view or the panels move."""
        key = (frame.view, pixel_ratio, layers["places"], layers["labels"], layers["base"],
               tuple((r.x(), r.y(), r.width(), r.height()) for r in obstacles))
        if self._placed is not None and self._placed.key == key:
            return self._placed.image
        rows = self.prepared.places.in_view(frame) if layers["places"] else np.array([], dtype=int)
        placed, hidden = [], set()
        if layers["labels"]:
            placed, hidden = place_labels(self.label_requests(frame, rows, layers),
                                          frame.view.rect.adjusted(2, 2, -2, -2), obstacles)
        image = frame.view.new_image(pixel_ratio)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.prepared.places.paint(painter, frame, np.array([r for r in rows if r not in hidden], dtype=int))
        for label in placed:
            style.halo_text(painter, label.origin, label.text, label.font, label.color,
                            halo_width=3.2 * frame.scale)
        painter.end()
        self._placed = _Placed(key, image, hidden, tuple(placed))
        return image

    def label_requests(self, frame: Frame, place_rows: np.ndarray, layers: dict) -> list[LabelRequest]:
        """What asks for a label: the places in `place_rows`, and the names of base areas."""
        s = frame.scale
        requests = []
        px, py = frame.view.to_pixels(self.prepared.places.x[place_rows], self.prepared.places.y[place_rows])
        symbol_r = 6.0 * s
        # One font of each kind, shared: a QFont a place was ~15 us each (6,000 at 100x).
        fonts = {important: style.font((15 if important else 13.5) * s, bold=important)
                 for important in (False, True)}
        for i, row in enumerate(place_rows):
            name, kind = self.prepared.places.names[row], self.prepared.places.kinds[row]
            x, y = float(px[i]), float(py[i])
            symbol = None if kind in style.AREA_NAME_KINDS else QRectF(x - symbol_r, y - symbol_r,
                                                                       2 * symbol_r, 2 * symbol_r)
            if not name:
                continue
            if symbol is None:
                requests.append(_area_name_request(name, kind, x, y, s))
            else:
                important = kind in style.IMPORTANT_PLACE_KINDS
                requests.append(LabelRequest(
                    name, x, y, self.prepared.places.priority[row],
                    fonts[important], style.TEXT,
                    7.5 * s, symbol=symbol, row=int(row),
                    protected=self.prepared.places.priority[row] >= style.PROTECTED_PRIORITY))
        if layers["base"]:
            named = {r.text.upper() for r in requests}
            for layer in self.prepared.base:
                for name, x, y in layer.label_points(frame):
                    if any(known.startswith(name) for known in named):
                        continue  # one label per country or state
                    named.add(name)
                    bx, by = frame.view.to_pixels(x, y)
                    requests.append(_area_name_request(name, "region", float(bx), float(by), s))
        return requests


def _area_name_request(name: str, kind: str, x: float, y: float, scale: float) -> LabelRequest:
    """A state, country or lake name: centred on its point, grey capitals or blue italics."""
    if kind == "lake":
        return LabelRequest(name, x, y, style.PLACE_PRIORITY["lake"], style.font(12.5 * scale, italic=True),
                            style.WATER_LABEL, 0, centered=True)
    text_font = style.font(12.5 * scale, bold=True)
    text_font.setLetterSpacing(text_font.SpacingType.PercentageSpacing, 118)
    return LabelRequest(name.upper(), x, y, style.PRIORITY_BASE_LABEL, text_font, style.BASE_LABEL, 0,
                        centered=True)
