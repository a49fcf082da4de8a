"""Reading, validating and writing briefing GeoPackages; no Qt here."""
from viewer.io.problems import DatasetError, Problem
from viewer.io.reader import read_dataset, validate

__all__ = ["DatasetError", "Problem", "read_dataset", "validate"]
