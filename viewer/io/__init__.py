"""Reading, validating and writing briefing GeoPackages; no Qt here.

The reader (and geopandas with it) is imported on first use, so what needs
only `viewer.io.atomic` or the problems (desktop integration, the command
line's argument checks) starts without it.
"""
from viewer.io.problems import DatasetError, Problem

__all__ = ["DatasetError", "Problem", "read_dataset", "validate"]


def __getattr__(name: str):
    if name in ("read_dataset", "validate"):
        from viewer.io import reader

        return getattr(reader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
