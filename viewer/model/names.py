"""Names the format and the views share: id lists as the format writes them, and
the map's layers. Their own module, so that what the dataset imports (briefing)
can use them without an import cycle through the dataset and the state."""
from __future__ import annotations

MAP_LAYERS = ("base", "control", "flows", "places", "labels", "events")


def split_ids(value: object) -> list[str]:
    """The ids in a `;`-separated list cell; an empty list for a null."""
    if not isinstance(value, str):
        return []
    return [part.strip() for part in value.split(";") if part.strip()]
