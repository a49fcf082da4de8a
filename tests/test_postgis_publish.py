"""publish → read back: a PostGIS schema holds the same briefing as the GeoPackage."""
from __future__ import annotations

import pandas as pd
import psycopg
import pytest
from factory import write_tiny

from viewer.cli import EMBEDDED_DATASET
from viewer.io import read_dataset
from viewer.io.location import read_location
from viewer.io.pg_publish import EDIT_COLUMNS, PublishError, publish
from viewer.io.pg_url import DatabaseUrl


@pytest.fixture
def cli(capsys):
    """Runs `kachin-viewer ARGS` in this process; returns (exit code, stdout, stderr)."""
    from viewer.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


def same_layers(a, b) -> None:
    """The same rows and values; the database may add the (empty) columns edits write."""
    for layer in ("sources", "actors", "places", "areas", "control", "flows", "events", "series"):
        file_frame, database_frame = getattr(a, layer), getattr(b, layer)
        added = set(database_frame.columns) - set(file_frame.columns)
        assert added <= {c for c, _ in EDIT_COLUMNS.get(layer, ())}
        assert database_frame[sorted(added)].isna().all().all()
        pd.testing.assert_frame_equal(file_frame, database_frame[list(file_frame.columns)])
    assert a.meta == b.meta
    assert list(a.base_layers) == list(b.base_layers)
    for name in a.base_layers:
        pd.testing.assert_frame_equal(a.base_layers[name], b.base_layers[name])


def test_the_embedded_briefing_reads_back_from_postgis_as_from_the_file(pg_database):
    url = DatabaseUrl.parse(pg_database + "?schema=kachin")
    publish(EMBEDDED_DATASET, url)
    same_layers(read_dataset(EMBEDDED_DATASET), read_location(url))


def test_publish_keeps_dates_ids_and_wgs84_in_the_database(pg_database, tmp_path):
    url = DatabaseUrl.parse(pg_database + "?schema=tiny")
    publish(write_tiny(tmp_path / "tiny.gpkg"), url)
    with psycopg.connect(url.conninfo) as conn:
        types = dict(conn.execute("SELECT column_name, data_type FROM information_schema.columns "
                                  "WHERE table_schema = 'tiny' AND table_name = 'control'"))
        srid = conn.execute("SELECT srid FROM geometry_columns WHERE f_table_schema = 'tiny' "
                            "AND f_table_name = 'control'").fetchone()[0]
        ids = [r[0] for r in conn.execute("SELECT control_id FROM tiny.control ORDER BY fid")]
        tables = {r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables "
                                             "WHERE table_schema = 'tiny'")}
    assert types["valid_from"] == types["valid_to"] == "date"
    assert srid == 4326
    assert ids == ["c1", "c2", "c3"]
    assert "edit_log" in tables


def test_publish_refuses_an_existing_schema_without_force(pg_database, tmp_path, cli):
    path = write_tiny(tmp_path / "tiny.gpkg")
    target = pg_database + "?schema=team"
    assert cli("publish", str(path), target)[0] == 0
    code, out, err = cli("publish", str(path), target)
    assert code == 1
    assert "schema 'team' already exists (use --force to replace it)" in err
    assert "admin-secret" not in err + out  # the password is never shown
    code, out, err = cli("publish", str(path), target, "--force")
    assert code == 0, err
    assert "***" in out and "admin-secret" not in out


def test_commands_take_a_database_address_with_the_password_from_the_environment(
        pg_database, tmp_path, cli, monkeypatch):
    url = DatabaseUrl.parse(pg_database + "?schema=tiny")
    publish(write_tiny(tmp_path / "tiny.gpkg"), url)
    without_password = url.saved  # no password in it: libpq takes PGPASSWORD
    code, _out, err = cli("validate", without_password)
    assert code == 1 and "cannot connect" in err + _out
    monkeypatch.setenv("PGPASSWORD", "admin-secret")
    code, out, err = cli("state", "--dataset", without_password, "--date", "2024-11-01", "--json")
    assert code == 0, err
    assert '"actor_id": "KIA"' in out
    assert cli("validate", without_password)[0] == 0


def test_a_database_with_a_broken_row_names_it_as_a_file_would(pg_database, tmp_path, cli):
    url = DatabaseUrl.parse(pg_database + "?schema=tiny")
    publish(write_tiny(tmp_path / "tiny.gpkg"), url)
    with psycopg.connect(url.conninfo, autocommit=True) as conn:
        conn.execute("UPDATE tiny.control SET actor_id = 'NOBODY' WHERE control_id = 'c3'")
    code, out, err = cli("validate", pg_database + "?schema=tiny")
    assert code == 1
    assert "schema=tiny, layer 'control', row c3, column 'actor_id': 'NOBODY' is not a known id" \
        in out
    assert "admin-secret" not in out + err


def test_publish_refuses_a_file_with_errors_and_writes_nothing(pg_database, tmp_path):
    bad = write_tiny(tmp_path / "bad.gpkg", actors=pd.DataFrame({"actor_id": ["KIA"],
                                                                  "name": ["K"], "color": ["red"]}))
    url = DatabaseUrl.parse(pg_database + "?schema=bad")
    with pytest.raises(Exception, match="not a colour"):
        publish(bad, url)
    with psycopg.connect(url.conninfo) as conn:
        assert conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'bad'").fetchone() is None


def test_an_unknown_reader_role_leaves_the_database_as_it_was(pg_database, tmp_path):
    url = DatabaseUrl.parse(pg_database + "?schema=tiny")
    with pytest.raises(PublishError, match="nobody_here"):
        publish(write_tiny(tmp_path / "tiny.gpkg"), url, readers=("nobody_here",))
    with psycopg.connect(url.conninfo) as conn:
        assert conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'tiny'").fetchone() is None
