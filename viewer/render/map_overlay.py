"""What the renderer asks of a layer drawn over the finished map (compare mode, route
crossing): painted after the cached frame, clipped to stay off the map's panels."""
from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from viewer.render.layers import Frame


class MapOverlay(Protocol):
    def paint(self, painter: QPainter, frame: Frame, panels: list[QRectF]) -> None:
        """Draw over the map; `panels` are the title, legend and other boxes to keep clear of."""
