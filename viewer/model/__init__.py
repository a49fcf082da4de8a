"""The pure-Python core: datasets, temporal queries and the one viewer state.

Nothing in this package imports Qt (a test enforces it), so the model runs and
is tested without a display.
"""
from viewer.model.dataset import Dataset, DaySnapshot
from viewer.model.state import ViewerState

__all__ = ["Dataset", "DaySnapshot", "ViewerState"]
