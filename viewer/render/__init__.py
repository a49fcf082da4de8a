"""Drawing the map: one renderer for the window and for every export.

- `renderer.MapRenderer`: draws a dataset's map for a date on any QPainter.

Files made from the map live in `viewer.export`, commands in `viewer.cli`.
Nothing is imported here, so `kachin-viewer state` and `validate` never load Qt.
"""
