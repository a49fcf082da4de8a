"""`postgresql://user@host:port/db?schema=NAME`: a team dataset's address.

libpq takes the rest of the URL as it is, and finds a password the URL does
not carry in `~/.pgpass` or `PGPASSWORD`; the user, host, port and database
can likewise come from the standard PG* environment variables. A password
never leaves this object in clear: `str()`/`repr()` and `shown` put `***` in
its place, and `saved` (what settings and logs keep) drops it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

SCHEMES = ("postgresql://", "postgres://")
DEFAULT_SCHEMA = "briefing"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class DatabaseUrlError(ValueError):
    """A `postgresql://` address that cannot be used."""


def display_name(location) -> str:
    """A file by its name; a database address whole (its str never shows a password)."""
    text = str(location)
    return text if "://" in text else Path(text).name


def is_database_url(text: object) -> bool:
    return isinstance(text, str) and text.lower().startswith(SCHEMES)


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed address: libpq's part, the schema, and redacted forms to show or keep."""

    conninfo: str = field(repr=False)
    schema: str
    shown: str
    saved: str

    @classmethod
    def parse(cls, text: str) -> "DatabaseUrl":
        if not is_database_url(text):
            raise DatabaseUrlError(f"'{text}' is not a postgresql:// address")
        parts = _split(text)
        query = parse_qsl(parts.query, keep_blank_values=True)
        schemas = [value for key, value in query if key == "schema"]
        schema = schemas[-1] if schemas else DEFAULT_SCHEMA
        rest = [(key, value) for key, value in query if key != "schema"]
        if not _SCHEMA_NAME.match(schema):
            raise DatabaseUrlError(f"schema '{schema}' must be lower-case letters, digits and _ "
                                   "(at most 63), starting with a letter or _")
        conninfo = parts._replace(query=urlencode(rest)).geturl()
        return cls(conninfo, schema, _without_password(parts, query, "***"),
                   _without_password(parts, query, None))

    def __str__(self) -> str:
        return self.shown

    def connect(self, **options):
        """A psycopg connection (libpq's own lookup for whatever the URL leaves out). The
        address goes to libpq as the parts read here, not as text to read again: libpq
        read a password holding '@' as part of the host (and tried to reach it), and
        quoted one with a stray '%' back in its error."""
        import psycopg

        return psycopg.connect(**self.parts(), **options)

    def parts(self) -> dict[str, str]:
        """The address as libpq's keywords (user, password, host, port, dbname, options)."""
        parts = urlsplit(self.conninfo)
        named = {"user": unquote(parts.username or ""), "password": unquote(parts.password or ""),
                 "host": parts.hostname or "", "port": str(parts.port or ""),
                 "dbname": unquote(parts.path.lstrip("/"))}
        named.update(parse_qsl(parts.query, keep_blank_values=True))
        return {key: value for key, value in named.items() if value}

    def redacted(self, text: str) -> str:
        """`text` (a driver's message) with this address's password, as typed or decoded, as ***."""
        typed = urlsplit(self.conninfo).password
        for secret in {typed, unquote(typed or ""), self.parts().get("password")} - {None, ""}:
            text = text.replace(secret, "***")
        return text


# A postgresql:// address's password: after the user's name and ':', up to the address's
# last '@' (a password may hold '@' or '/'), or given as a query parameter.
_PASSWORD_IN_ADDRESS = re.compile(r"(postgres(?:ql)?://[^/@\s:]*:)\S*@", re.IGNORECASE)
_PASSWORD_PARAMETER = re.compile(r"([?&]password=)[^&\s]*", re.IGNORECASE)


def without_passwords(text: str) -> str:
    """`text` with the password of every postgresql:// address in it written as ***."""
    return _PASSWORD_PARAMETER.sub(r"\1***", _PASSWORD_IN_ADDRESS.sub(r"\1***@", text))


def _split(text: str):
    """The address's parts; a port that is not a number, or a host with a lone '[', as a
    DatabaseUrlError naming neither the password nor the text: Python's ValueError went
    out as a traceback (the window said nothing; a remembered one stopped every start)."""
    try:
        parts = urlsplit(text)
        parts.port   # read lazily: checked here, once
    except ValueError as error:
        what = "its port is not a number from 0 to 65535" if "Port" in str(error) else \
            "its host is not written right (an IPv6 host goes in [ ])"
        raise DatabaseUrlError(f"the postgresql:// address cannot be read: {what}") from None
    return parts


def _without_password(parts, query: list[tuple[str, str]], mask: str | None) -> str:
    user = unquote(parts.username or "")
    host = parts.hostname or ""
    if host and ":" in host:
        host = f"[{host}]"  # IPv6
    netloc = host + (f":{parts.port}" if parts.port else "")
    if user or parts.password:
        secret = f":{mask}" if parts.password and mask else ""
        netloc = f"{quote(user, safe='')}{secret}@{netloc}"
    kept = [(k, v) for k, v in query if k.lower() != "password"]
    text = f"postgresql://{netloc}{parts.path}"
    return text + (f"?{urlencode(kept)}" if kept else "")
