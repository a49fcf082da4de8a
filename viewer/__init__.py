"""Kachin Viewer: an offline timeline-and-map viewer for briefing datasets."""

__version__ = "0.1.0"
