"""Short forms of dataset text for crowded places: timeline labels, slide captions."""
from __future__ import annotations

import re

SHORT_TITLE_LIMIT = 32
_CLAUSE = re.compile(r"[,;:]\s| [—–-] ")


def short_title(title: object, limit: int = SHORT_TITLE_LIMIT) -> str:
    """A title short enough for a label: its first clause when that says enough
    ("KIA seizes Pangwa, heart of the belt" -> "KIA seizes Pangwa"), then cut at a
    word and marked with "…" if still longer than `limit` characters."""
    text = " ".join(str(title or "").split())
    head = _CLAUSE.split(text, maxsplit=1)[0]
    if len(head) >= 12:
        text = head
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(",;:-–— ") + "…"


def event_short_title(own_short_title: object, title: object) -> str:
    """An event's name on a timeline label or a slide caption: the short title the
    dataset gives it (the optional `events.short_title`), else its title shortened."""
    own = " ".join(str(own_short_title).split()) if isinstance(own_short_title, str) else ""
    return short_title(own or title)


def isolated(text: object) -> str:
    """Dataset text set among other text, its direction kept to itself (Unicode first
    strong isolate): an Arabic or Hebrew title carried the date after it into its own
    right-to-left run ("4. RTL 20 — عربي Oct 2024")."""
    return f"\u2068{text}\u2069"
