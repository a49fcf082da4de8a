"""Render the app icon's PNG sizes from kachin-viewer.svg (reproducible).

Run from anywhere: `python resources/icons/render_icons.py`. Uses Qt's own SVG
renderer, so no extra tool is needed; the PNGs are committed so the app, the
desktop entry and the bundle need no renderer at run time.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICON_DIR = Path(__file__).resolve().parent
SVG = ICON_DIR / "kachin-viewer.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_path(size: int) -> Path:
    return ICON_DIR / f"kachin-viewer-{size}.png"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"error: {SVG} is not a valid SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        target = png_path(size)
        partial = target.with_suffix(".png.part")
        if not render(renderer, size).save(str(partial), "PNG"):
            print(f"error: cannot write {partial}", file=sys.stderr)
            return 1
        os.replace(partial, target)
        print(target.relative_to(ICON_DIR.parent.parent))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
