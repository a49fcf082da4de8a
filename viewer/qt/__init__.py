"""Widgets and the main window: the timeline, playback, details panel, dialogs.

Views take the one `ViewerState` in their constructor, connect to its signals
and read from it; only user gestures write to it.
"""
