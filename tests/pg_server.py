"""A real PostgreSQL + PostGIS server for the tests that need one (pytest plugin).

`pg_server` (session-scoped) runs Debian's `postgresql-15-postgis-3` in a
temporary folder, listening only on 127.0.0.1 at a free port (and a socket in
that folder), with password (SCRAM) authentication, and stops it at the end.
initdb refuses to run as root, so under root the server runs as the
`postgres` system user with the folder handed to it. Where the server or
PostGIS is not installed, tests that use it are skipped saying so.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER, SUPERUSER_PASSWORD = "kachin_admin", "admin-secret"


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int

    def url(self, database: str = "postgres", user: str = SUPERUSER,
            password: str | None = SUPERUSER_PASSWORD, schema: str | None = None) -> str:
        secret = f":{password}" if password else ""
        query = f"?schema={schema}" if schema else ""
        return f"postgresql://{user}{secret}@{self.host}:{self.port}/{database}{query}"

    def admin(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def new_database(self) -> str:
        """A fresh database with PostGIS, for one test's isolation."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template_postgis')
        return name


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _missing_reason() -> str | None:
    bindir = _bindir()
    if bindir is None:
        return "PostgreSQL is not installed (apt-get install postgresql postgresql-15-postgis-3)"
    version = bindir.parent.name
    if not glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"):
        return f"PostGIS is not installed for PostgreSQL {version} (apt-get install " \
               f"postgresql-{version}-postgis-3)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg 3 is not installed (pip install 'psycopg[binary]')"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Runner:
    """Runs the server's programs as the unprivileged owner of its folder."""

    def __init__(self, bindir: Path, folder: Path) -> None:
        self.bindir = bindir
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
            self.prefix = ["runuser", "-u", "postgres", "--"]

    def run(self, program: str, *args: str) -> None:
        command = [*self.prefix, str(self.bindir / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stderr.strip() or done.stdout.strip()}")


def _start(folder: Path) -> tuple[_Runner, PgServer]:
    runner = _Runner(_bindir(), folder)
    data = folder / "data"
    password_file = folder / "pw"
    password_file.write_text(SUPERUSER_PASSWORD)
    if os.geteuid() == 0:
        shutil.chown(password_file, "postgres", "postgres")
    runner.run("initdb", "-D", str(data), "-U", SUPERUSER, f"--pwfile={password_file}",
               "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8")
    password_file.unlink()
    port = _free_port()
    options = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder}"
               " -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
    runner.run("pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-o", options,
               "-w", "-t", "60", "start")
    server = PgServer("127.0.0.1", port)
    with server.admin() as conn:
        conn.execute("CREATE DATABASE template_postgis")
    with server.admin("template_postgis") as conn:
        conn.execute("CREATE EXTENSION postgis")
    return runner, server


@pytest.fixture(scope="session")
def pg_server():
    reason = _missing_reason()
    if reason:
        pytest.skip(reason)
    # Under root the server runs as `postgres`, which must reach the folder: /tmp, not a
    # TMPDIR that may sit inside root's own (0700) directories.
    folder = Path(tempfile.mkdtemp(prefix="kachin-pg-", dir="/tmp" if os.geteuid() == 0 else None))
    runner = None
    try:
        runner, server = _start(folder)
        yield server
    finally:
        if runner is not None:
            runner.run("pg_ctl", "-D", str(folder / "data"), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_database(pg_server) -> str:
    """The URL (superuser) of a fresh PostGIS database for one test."""
    return pg_server.url(pg_server.new_database())


@pytest.fixture
def team(pg_server, tmp_path):
    """A published tiny briefing with an editor role `analyst` and a reader role `briefer`:
    `team(role)` is the address to log in as that role."""
    from factory import write_tiny

    from viewer.io.pg_publish import publish
    from viewer.io.pg_url import DatabaseUrl

    database = pg_server.new_database()
    with pg_server.admin() as conn:  # roles are server-wide: made once, granted per database
        for role in ("analyst", "briefer"):
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{role}-pw'")
    publish(write_tiny(tmp_path / "tiny.gpkg"), DatabaseUrl.parse(
        pg_server.url(database, schema="tiny")), readers=("briefer",), editors=("analyst",))
    return lambda role: DatabaseUrl.parse(
        pg_server.url(database, user=role, password=f"{role}-pw", schema="tiny"))
