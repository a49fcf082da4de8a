"""Which part of the map lands on which pixels: centre, scale and size."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QImage, QTransform

from viewer.render.projection import Extent

# Zoom limits in metres per pixel: street level to a continent.
MIN_METRES_PER_PIXEL = 2.0
MAX_METRES_PER_PIXEL = 20_000.0


@dataclass(frozen=True)
class MapView:
    """A view of projected metres onto a `width` x `height` pixel surface.

    `ui_scale` sizes text, symbols and line widths (1.0 on screen; an export
    scales with its pixel size so a 4K image looks like a sharper 1080p one).
    Frozen and hashable: a view is a cache key.
    """

    center_x: float
    center_y: float
    metres_per_pixel: float
    width: int
    height: int
    ui_scale: float = 1.0

    @classmethod
    def fit(cls, extent: Extent, width: int, height: int, ui_scale: float = 1.0,
            insets: tuple[float, float, float, float] = (0, 0, 0, 0)) -> "MapView":
        """The view showing all of `extent` inside the pixels left by `insets`.

        insets = (left, top, right, bottom) pixels kept free for overlays.
        """
        left, top, right, bottom = insets
        free_w = max(width - left - right, width * 0.3)
        free_h = max(height - top - bottom, height * 0.3)
        mpp = max(extent.width / free_w, extent.height / free_h)
        mpp = min(max(mpp, MIN_METRES_PER_PIXEL), MAX_METRES_PER_PIXEL)
        # Centre the extent in the free area, not in the whole surface.
        cx, cy = extent.center
        shift_x = (left - right) / 2 * mpp
        shift_y = (top - bottom) / 2 * mpp
        return cls(cx - shift_x, cy + shift_y, mpp, int(width), int(height), ui_scale)

    # -- geometry ---------------------------------------------------------
    @property
    def extent(self) -> Extent:
        half_w = self.width * self.metres_per_pixel / 2
        half_h = self.height * self.metres_per_pixel / 2
        return Extent(self.center_x - half_w, self.center_y - half_h,
                      self.center_x + half_w, self.center_y + half_h)

    @property
    def rect(self) -> QRectF:
        return QRectF(0, 0, self.width, self.height)

    def transform(self) -> QTransform:
        """Projected metres to pixels (y grows down on screen)."""
        scale = 1.0 / self.metres_per_pixel
        return QTransform(scale, 0, 0, -scale,
                          self.width / 2 - self.center_x * scale,
                          self.height / 2 + self.center_y * scale)

    def to_pixels(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        px = (np.asarray(x, float) - self.center_x) / self.metres_per_pixel + self.width / 2
        py = (self.center_y - np.asarray(y, float)) / self.metres_per_pixel + self.height / 2
        return px, py

    def pixel_rect(self, xmin: float, ymin: float, xmax: float, ymax: float) -> QRectF:
        """A box of projected metres, in pixels."""
        (left, right), (bottom, top) = self.to_pixels([xmin, xmax], [ymin, ymax])
        return QRectF(QPointF(float(left), float(top)), QPointF(float(right), float(bottom)))

    def to_map(self, point: QPointF) -> tuple[float, float]:
        x = self.center_x + (point.x() - self.width / 2) * self.metres_per_pixel
        y = self.center_y - (point.y() - self.height / 2) * self.metres_per_pixel
        return x, y

    # -- navigation -------------------------------------------------------
    def panned(self, dx_pixels: float, dy_pixels: float) -> "MapView":
        """The view after dragging the map by (dx, dy) pixels."""
        return replace(self, center_x=self.center_x - dx_pixels * self.metres_per_pixel,
                       center_y=self.center_y + dy_pixels * self.metres_per_pixel)

    def zoomed(self, factor: float, anchor: QPointF | None = None) -> "MapView":
        """Zoom in by `factor` (>1 zooms in) keeping `anchor` fixed on screen."""
        mpp = self.metres_per_pixel / factor
        mpp = min(max(mpp, MIN_METRES_PER_PIXEL), MAX_METRES_PER_PIXEL)
        if anchor is None:
            return replace(self, metres_per_pixel=mpp)
        ax, ay = self.to_map(anchor)
        ratio = mpp / self.metres_per_pixel
        return replace(self, metres_per_pixel=mpp,
                       center_x=ax + (self.center_x - ax) * ratio,
                       center_y=ay + (self.center_y - ay) * ratio)

    def new_image(self, pixel_ratio: float) -> QImage:
        """An uninitialised image covering the view at `pixel_ratio` device pixels per pixel."""
        image = QImage(round(self.width * pixel_ratio), round(self.height * pixel_ratio),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(pixel_ratio)
        return image

    def image_over(self, kept: QImage | None, pixel_ratio: float) -> QImage:
        """`kept` if it covers the view at `pixel_ratio`, else a new image. Drawing over
        a kept image spares a fresh one's page faults: the first pass over a new
        1600x1000 image cost ~1 ms more than over a used one (each scrubbing frame)."""
        size = (round(self.width * pixel_ratio), round(self.height * pixel_ratio))
        if kept is not None and (kept.width(), kept.height()) == size and kept.devicePixelRatio() == pixel_ratio:
            return kept
        return self.new_image(pixel_ratio)

    def halved(self) -> "MapView":
        """The same centre and scale of features at half the pixels each way (a
        quick draft, shown enlarged): its extent is this one's, or half a pixel
        wider on a side of odd length."""
        return replace(self, metres_per_pixel=self.metres_per_pixel * 2, width=(self.width + 1) // 2,
                       height=(self.height + 1) // 2, ui_scale=self.ui_scale / 2)

    def resized(self, width: int, height: int) -> "MapView":
        """Same centre and scale on a surface of another size."""
        return replace(self, width=int(width), height=int(height))
