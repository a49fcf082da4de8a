"""Files from the map: one PNG, a briefing pack with an index, an animation,
a PDF handout of a briefing.

Every function renders with the one `MapRenderer` on a QImage, so it runs off
the GUI thread (a QGuiApplication must exist, for fonts). Files are written to
a temporary name beside the target and renamed when complete: a failure or a
cancel leaves nothing half-written behind. Progress callbacks are
`progress(text, fraction)`; `cancelled()` is polled between frames.
"""
from viewer.export.animation import export_animation, rgb_array
from viewer.export.briefing_pack import export_briefing_pack
from viewer.export.dates import dates_every, key_event_captions, key_event_dates
from viewer.export.files import atomic_target, check_folder, check_target
from viewer.export.options import (
           ExportCancelled,
           ExportError,
           ExportOptions,
           TargetExists,
)
from viewer.export.handout import export_handout
from viewer.export.pack import PackResult, export_pack, pack_index_html
from viewer.export.png import (crowding, export_png, png_metadata, render_export, sidecar_path,
                               sources_list_beside)

__all__ = ["export_animation", "rgb_array", "dates_every", "key_event_captions", "key_event_dates",
           "atomic_target", "check_folder", "check_target", "ExportCancelled", "ExportError", "ExportOptions",
           "TargetExists", "PackResult", "export_pack", "pack_index_html", "export_png",
           "png_metadata", "render_export", "export_handout", "export_briefing_pack", "crowding",
           "sidecar_path", "sources_list_beside"]
