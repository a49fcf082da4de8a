"""Which dataset text may become a clickable link.

A dataset is untrusted input: an address such as `javascript:…`, ` javascript:…`
(leading space), `data:text/html,…`, `file:…` or a UNC path (`\\\\host\\share`)
must stay text. This one function decides, for the pack's index page and for
every window that shows sources.
"""
from __future__ import annotations

from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")
MAX_LENGTH = 2_048  # longer is no address a source cites (and bloats every page it is in)


def web_link(value: object) -> str | None:
    """The address to link to when `value` is an http(s) URL with a host; None when
    it must be shown as text."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    # Browsers drop tabs and newlines inside addresses ("java\tscript:"); a backslash
    # turns into a path separator. Neither belongs in an address a source cites.
    if not text or len(text) > MAX_LENGTH or any(c.isspace() or not c.isprintable() or c == "\\" for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return None
    return text
