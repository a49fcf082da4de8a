"""Drawing the map: one renderer for the window and for every export.

- `renderer.MapRenderer`: draws a dataset's map for a date on any QPainter.
- `export`: PNG, briefing pack and animation files (usable from a worker thread).
- `export_cli`: the `kachin-viewer export` command.

Nothing is imported here, so `kachin-viewer state` and `validate` never load Qt.
"""
