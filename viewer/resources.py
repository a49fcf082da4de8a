"""The app icon and desktop-integration files, found the same way from a checkout,
an editable install and a PyInstaller bundle (which keeps `resources/` beside the
package, just as the checkout does)."""
from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
ICONS = RESOURCES / "icons"
APP_ID = "kachin-viewer"
EMBEDDED_DATASET = RESOURCES.parent / "geodata" / "kachin.gpkg"


def is_embedded_dataset(path) -> bool:
    """True for the built-in briefing, which is not edited where it is installed."""
    try:
        return Path(path).resolve() == EMBEDDED_DATASET.resolve()
    except OSError:
        return False


def icon_path(size: int | None = None) -> Path:
    """The scalable SVG icon, or the PNG rendered at `size` pixels."""
    return ICONS / (f"{APP_ID}.svg" if size is None else f"{APP_ID}-{size}.png")


def icon_sizes() -> list[int]:
    """Pixel sizes that have a rendered PNG (see resources/icons/render_icons.py)."""
    prefix = f"{APP_ID}-"
    return sorted(int(png.stem[len(prefix):]) for png in ICONS.glob(f"{prefix}*.png"))


def app_icon():
    """A QIcon holding every rendered size, so small sizes use the hand-checked PNGs."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for size in icon_sizes():
        icon.addFile(str(icon_path(size)), QSize(size, size))
    return icon
