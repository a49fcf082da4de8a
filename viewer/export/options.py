"""What an export shows, its errors, and its progress and cancel callbacks."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from viewer.render.projection import Extent

Progress = Callable[[str, float], None]
Cancelled = Callable[[], bool]

REFERENCE_SIZE = (1920, 1080)    # the size at which text is drawn at ui_scale 1
ANIMATION_SUFFIXES = (".gif", ".mp4")


class ExportError(Exception):
    """A problem the user can fix (a folder, a file name); one line."""


class TargetExists(ExportError):
    """The output file is already there and overwriting was not asked for."""


class ExportCancelled(Exception):
    """The user cancelled; files this export wrote were removed."""


@dataclass(frozen=True)
class ExportOptions:
    """What an exported image shows and how big it is.

    `extent` is in the renderer's projected metres, e.g. `MapCanvas.view_extent()`
    (the whole extent is shown, centred, between the title block and the footer,
    never under them); None shows the dataset's default view.
    `layers` maps MAP_LAYERS names to visibility (missing names are shown).
    Text and symbols scale with the pixel size above 1920x1080, so 3840x2160
    looks like a sharper 1920x1080; smaller images keep screen-sized text, as
    the window does, so it stays readable. `dpi` is stored in the PNG for printing.
    """

    width: int = 1920
    height: int = 1080
    dpi: int = 96
    extent: Extent | None = None
    layers: Mapping[str, bool] | None = None
    title: str | None = None
    caption: str | None = None     # printed under the date, e.g. a key event's date and title
    # Where a footer with no room for every source says they are listed (None: a PNG's
    # text metadata and .sources.txt file).
    sources_elsewhere: str | None = None

    @property
    def ui_scale(self) -> float:
        scale = min(self.width / REFERENCE_SIZE[0], self.height / REFERENCE_SIZE[1])
        return max(1.0, scale)



def stop_if(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise ExportCancelled("export cancelled")
