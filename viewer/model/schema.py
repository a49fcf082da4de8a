"""The briefing format, version 1 (see DATA_SCHEMA.md), as data the reader and the edit
commands both check against (pure data, so the model can use it without the io layer)."""
from __future__ import annotations

import re

# The format version this viewer reads (dataset_meta `schema_version`).
SCHEMA_VERSION = "1"

# Required columns of each required layer, in the order the format lists them.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "dataset_meta": ("key", "value"),
    "sources": ("source_id", "outlet", "title", "published"),
    "actors": ("actor_id", "name", "color"),
    "places": ("place_id", "name", "kind"),
    "areas": ("area_id", "name", "kind"),
    "control": ("control_id", "actor_id", "status", "valid_from", "confidence", "source_ids"),
    "flows": ("flow_id", "from_place_id", "to_place_id", "commodity", "status",
              "valid_from", "source_ids"),
    "events": ("event_id", "date", "date_precision", "title", "category", "source_ids"),
    "series": ("series_id", "date", "value", "unit", "label", "source_ids"),
}

# Optional layers (a file without them is valid) the reader checks, where a file has them,
# as it checks the required ones. Kept out of REQUIRED_COLUMNS and DATE_COLUMNS, which also
# say which layers the writer and the publisher treat as the format's, and how.
OPTIONAL_REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "control_gaps": ("gap_id", "area_id", "valid_from"),
}
# Required columns of every layer checked: the required layers', then the optional ones'.
CHECKED_COLUMNS = {**REQUIRED_COLUMNS, **OPTIONAL_REQUIRED_COLUMNS}

# Required columns whose cells may still be empty (many sources show no date).
NULLABLE_REQUIRED = {("sources", "published")}

# The column that names a row in messages; series rows are named by id and date.
ID_COLUMN = {
    "dataset_meta": "key",
    "sources": "source_id",
    "actors": "actor_id",
    "places": "place_id",
    "areas": "area_id",
    "control": "control_id",
    "flows": "flow_id",
    "events": "event_id",
    "control_gaps": "gap_id",
    "briefing_chapters": "chapter_id",
    "briefings": "briefing_id",
}

GEOMETRY_TYPES: dict[str, tuple[str, ...]] = {
    "places": ("Point",),
    "areas": ("Polygon", "MultiPolygon"),
    "control": ("Polygon", "MultiPolygon"),
    "flows": ("LineString", "MultiLineString"),
    "events": ("Point",),
}
# Layers whose rows may have no geometry (an event with no single place).
GEOMETRY_OPTIONAL = {"events"}
# The dataset_meta keys whose value is a date the reader (and an edit) checks.
META_DATES = ("time_start", "time_end", "default_date", "data_current_to", "focus_start",
              "focus_end")
# Pairs of those dates (earlier, later) that must not run backwards.
META_DATE_ORDER = (("time_start", "time_end"), ("time_start", "data_current_to"),
                   ("focus_start", "focus_end"))

ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("control", "status"): ("held", "contested"),
    ("control", "confidence"): ("confirmed", "reported", "claimed", "estimated"),
    ("flows", "status"): ("active", "reduced", "halted", "proposed"),
    ("events", "date_precision"): ("day", "month", "quarter", "year"),
    ("events", "confidence"): ("confirmed", "reported", "claimed", "estimated"),
    ("control_gaps", "reason"): ("no_source", "placeholder"),
}

DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "sources": ("published",),
    "control": ("valid_from", "valid_to"),
    "flows": ("valid_from", "valid_to"),
    "events": ("date", "end_date"),
    "series": ("date",),
}
# Date columns of every layer checked (see OPTIONAL_REQUIRED_COLUMNS).
CHECKED_DATE_COLUMNS = {**DATE_COLUMNS, "control_gaps": ("valid_from", "valid_to")}

# (layer, column) -> (layer it points to, that layer's id column, holds a ;-list)
REFERENCES: dict[tuple[str, str], tuple[str, str, bool]] = {
    ("control", "actor_id"): ("actors", "actor_id", False),
    ("control", "contested_with"): ("actors", "actor_id", False),
    ("control", "area_id"): ("areas", "area_id", False),
    ("areas", "parent_id"): ("areas", "area_id", False),
    ("flows", "from_place_id"): ("places", "place_id", False),
    ("flows", "to_place_id"): ("places", "place_id", False),
    ("events", "place_id"): ("places", "place_id", False),
    ("events", "actor_ids"): ("actors", "actor_id", True),
    ("control_gaps", "area_id"): ("areas", "area_id", False),
    # Not a SOURCED_LAYER: a gap may have no source (that is what it says), but those it names exist.
    ("control_gaps", "source_ids"): ("sources", "source_id", True),
}
SOURCED_LAYERS = ("places", "areas", "control", "flows", "events", "series")
EDIT_LOG = "edit_log"   # every saved edit, one row each (see DATA_SCHEMA.md)

COLOR = re.compile(r"#[0-9A-Fa-f]{6}")  # used with fullmatch: "$" would let "\n" through


def importance_problem(value: object) -> str:
    """What is wrong with a present `events.importance`, or "": the key-event packs rank by
    it, so only a whole 1, 2 or 3 (3.0 from a REAL column) is one. Reader and edits alike."""
    if str(value) in ("1", "2", "3", "1.0", "2.0", "3.0"):
        return ""
    return f"'{value}' is not 1, 2 or 3"
