"""The pure-Python core: datasets, temporal queries and the one viewer state.

Nothing in this package imports Qt (a test enforces it), so the model runs and
is tested without a display. The names below load on first use (PEP 562), so
importing a light module such as `viewer.model.names` does not pull in
geopandas: the window's start and `--help` stay free of it.
"""
from importlib import import_module

_HOMES = {"Dataset": "viewer.model.dataset", "DaySnapshot": "viewer.model.dataset",
          "ViewerState": "viewer.model.state"}

__all__ = list(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'viewer.model' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
