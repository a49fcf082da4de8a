"""Issue 17, items 4-8 and 12-13: crafted and damaged files are refused or read, each
with a line naming what is wrong; nothing hangs, crashes or leaves a traceback.

Anything that could hang runs in a subprocess with a timeout; the tests assert
the timeout was not needed.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from factory import tiny_layers, write_layers, write_tiny
from test_edit_crash import killed_while_saving
from viewer.io import read_dataset, validate

HANG_LIMIT_S = 60  # far above what each check takes; reaching it means a hang


def run_viewer(*args, timeout: float = HANG_LIMIT_S) -> subprocess.CompletedProcess:
    """`kachin-viewer ARGS` in a fresh process; TimeoutExpired (a failure) if it hangs."""
    return subprocess.run([sys.executable, "-m", "viewer", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def run_python(code: str, timeout: float = HANG_LIMIT_S) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def execute(path: Path, *statements: str) -> Path:
    with sqlite3.connect(path) as db:
        for statement in statements:
            db.execute(statement)
    db.close()
    return path


ENDLESS = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x AS fid, 'a' AS name FROM n"


# -- item 4: a view that never ends ----------------------------------------------------
def test_a_view_registered_as_a_layer_is_refused_without_hanging(tmp_path):
    path = execute(write_tiny(tmp_path / "view.gpkg"), f"CREATE VIEW endless AS {ENDLESS}",
                   "INSERT INTO gpkg_contents (table_name, data_type, identifier) "
                   "VALUES ('endless', 'attributes', 'endless')")
    started = time.monotonic()
    result = run_viewer("validate", path)
    assert result.returncode == 1, result.stderr
    assert "layer 'endless': is a view, not a table" in result.stdout
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < HANG_LIMIT_S


def test_a_virtual_table_registered_as_a_layer_is_refused(tmp_path):
    path = execute(write_tiny(tmp_path / "virtual.gpkg"),
                   "CREATE VIRTUAL TABLE shadow USING rtree(id, minx, maxx)",
                   "INSERT INTO gpkg_contents (table_name, data_type, identifier) "
                   "VALUES ('shadow', 'attributes', 'shadow')")
    assert any("layer 'shadow': is a virtual table" in str(p) for p in validate(path))


def test_checking_a_file_stops_at_its_time_limit(tmp_path, monkeypatch):
    from viewer.io import file_check

    path = execute(write_tiny(tmp_path / "contents.gpkg"), "ALTER TABLE gpkg_contents RENAME TO c0",
                   f"CREATE VIEW gpkg_contents AS SELECT * FROM c0 UNION ALL "
                   f"SELECT 'x', 'attributes', 'x', '', NULL, NULL, NULL, NULL, NULL, NULL "
                   f"FROM ({ENDLESS})")
    monkeypatch.setattr(file_check, "SQLITE_TIME_LIMIT_S", 0.5)
    started = time.monotonic()
    problems = validate(path)
    assert time.monotonic() - started < 10
    assert [str(p) for p in problems] == [
        "contents.gpkg: took over 0.5 s to check and was stopped (damaged, or made to hang)"]


def test_a_read_still_running_does_not_keep_the_closed_window_alive(tmp_path):
    """The window closes while the loader thread is stuck reading: the process ends."""
    path = write_tiny(tmp_path / "tiny.gpkg")
    result = run_python(f"""
        import threading
        import viewer.io
        from PySide6.QtCore import QSettings, QTimer
        from viewer.qt.application import ViewerApplication
        from viewer.qt.main_window import MainWindow

        stuck = threading.Event()
        viewer.io.read_dataset = lambda path, progress=None: stuck.wait()
        app = ViewerApplication([])
        window = MainWindow(settings=QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat))
        window.show()
        window.open_dataset({str(path)!r})
        QTimer.singleShot(300, window.close)
        app.exec()
        print("event loop over")
    """)
    assert result.returncode == 0, result.stderr
    assert "event loop over" in result.stdout


# -- item 12: read-only and locked files -----------------------------------------------
@pytest.fixture
def read_only_folder(tmp_path):
    """A folder nobody may write to: a read-only mount when running as root (who may
    write anywhere else), else a folder without write permission. Yields a function
    that copies a file (and its -wal or -journal, if any) in and makes the folder read-only."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    mounted = False

    def put(path: Path) -> Path:
        nonlocal mounted
        if os.geteuid() == 0:
            if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
                              capture_output=True).returncode != 0:
                pytest.skip("cannot mount a read-only folder here")
            mounted = True
            copy_with_side_files(path, folder)
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            copy_with_side_files(path, folder)
            folder.chmod(0o555)
        return folder / path.name

    yield put
    if mounted:
        # A refused file's digest is still being taken on a daemon thread (so that a big
        # file does not hold the refusal up): it keeps the file open a moment longer.
        deadline = time.monotonic() + 10
        while subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            if time.monotonic() > deadline:
                subprocess.run(["umount", "--lazy", str(folder)], check=True)
                break
            time.sleep(0.05)
    folder.chmod(0o755)


def test_a_wal_geopackage_on_a_read_only_folder_opens(tmp_path, read_only_folder):
    path = write_tiny(tmp_path / "wal.gpkg")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    db.close()
    assert [p for p in validate(read_only_folder(path)) if p.severity == "error"] == []


def copy_with_side_files(path: Path, folder: Path) -> None:
    for file in [path, *path.parent.glob(path.name + "-wal"),
                 *path.parent.glob(path.name + "-journal")]:
        shutil.copy(file, folder)


def test_a_wal_geopackage_with_unsaved_wal_changes_on_a_read_only_folder_is_refused(
        tmp_path, read_only_folder):
    """Changes QGIS saved to the -wal and not yet into the file cannot be read from a
    read-only folder: the file is refused with a line saying what to do, never shown
    without them."""
    path = write_tiny(tmp_path / "wal.gpkg")
    editor = sqlite3.connect(path)
    assert editor.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    editor.execute("PRAGMA wal_autocheckpoint=0")
    editor.execute("UPDATE actors SET name = 'Edited in QGIS' WHERE actor_id = 'KIA'")
    editor.commit()
    try:
        shown = read_only_folder(path)   # copied while the change is only in the -wal
    finally:
        editor.close()
    errors = [str(p) for p in validate(shown) if p.severity == "error"]
    assert len(errors) == 1 and "-wal" in errors[0] and "writable folder" in errors[0]


def test_a_save_stopped_mid_commit_on_a_read_only_folder_says_to_keep_the_journal(
        tmp_path, read_only_folder):
    """Its -journal puts the file back as it was, which needs a folder that can be written:
    the user is told to keep it, never that the file is damaged (deleting it would be)."""
    path = write_tiny(tmp_path / "stopped.gpkg")
    killed_while_saving(path, "spill")
    errors = [str(p) for p in validate(read_only_folder(path)) if p.severity == "error"]
    assert errors == ["stopped.gpkg: has an interrupted save: keep stopped.gpkg-journal beside "
                      "it (it puts the file back as it was) and open the file from a folder "
                      "that can be written"]


def test_a_file_locked_by_another_program_says_so_quickly(tmp_path):
    path = write_tiny(tmp_path / "locked.gpkg")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        problems = validate(path)
        assert time.monotonic() - started < 4
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert [str(p) for p in problems] == [
        "locked.gpkg: is locked by another program; try again when it has saved and closed the file"]


# -- item 5: a polygon too tangled to repair --------------------------------------------
def test_a_tangled_polygon_is_refused_in_bounded_time_and_memory(tmp_path):
    """20,000 random vertices: make_valid would node tens of millions of crossings."""
    import numpy as np
    import geopandas as gpd
    from shapely.geometry import Polygon

    control = tiny_layers()["control"]
    ring = np.random.default_rng(17).uniform((97.0, 25.0), (97.5, 25.5), size=(20_000, 2))
    control = gpd.GeoDataFrame(control, geometry=[Polygon(ring)] + list(control.geometry[1:]),
                               crs=4326)
    path = write_tiny(tmp_path / "tangled.gpkg", control=control)
    result = run_python(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # 3 GB, not 24
        from viewer.io import validate
        for problem in validate({str(path)!r}):
            print(problem)
    """)
    assert result.returncode == 0, result.stderr[-2000:]
    assert ("tangled.gpkg, layer 'control', row c1, column 'geometry': polygon's edges cross "
            "each other more than 5000 times: too tangled to repair") in result.stdout


def test_a_bow_tie_polygon_is_still_repaired_with_a_warning(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Polygon

    control = tiny_layers()["control"]
    bow_tie = Polygon([(97.0, 25.0), (97.5, 25.5), (97.5, 25.0), (97.0, 25.5)])
    control = gpd.GeoDataFrame(control, geometry=[bow_tie] + list(control.geometry[1:]), crs=4326)
    problems = validate(write_tiny(tmp_path / "bow.gpkg", control=control))
    assert [p.severity for p in problems] == ["warning"]
    assert "row c1, column 'geometry': invalid polygon (Self-intersection" in str(problems[0])


# -- items 6 and 7: dataset_meta dates ------------------------------------------------
@pytest.mark.parametrize("key, value, message", [
    ("time_start", "0001-01-01", "0001-01-01 is outside the years 1700-2199 this viewer can show"),
    ("time_end", "9999-01-01", "9999-01-01 is outside the years 1700-2199 this viewer can show"),
    ("time_start", "soon", "'soon' is not a date (YYYY-MM-DD)"),
    ("default_date", "2024-02-30", "'2024-02-30' is not a date (YYYY-MM-DD)"),
    ("time_end", "2023-01-01", "time_end 2023-01-01 is before time_start 2024-01-01"),
])
def test_bad_dataset_dates_are_refused_naming_the_row(tmp_path, key, value, message):
    meta = tiny_layers()["dataset_meta"]
    meta.loc[meta["key"] == key, "value"] = value
    problems = validate(write_tiny(tmp_path / "meta.gpkg", dataset_meta=meta))
    assert [str(p) for p in problems] == [
        f"meta.gpkg, layer 'dataset_meta', row {key}, column 'value': {message}"]


@pytest.mark.parametrize("values, key, message", [
    ({"data_current_to": "2026-02-30"}, "data_current_to", "'2026-02-30' is not a date (YYYY-MM-DD)"),
    ({"data_current_to": "2000-01-01"}, "data_current_to",
     "data_current_to 2000-01-01 is before time_start 2024-01-01"),
    ({"focus_start": "autumn"}, "focus_start", "'autumn' is not a date (YYYY-MM-DD)"),
    ({"focus_start": "2024-09-01", "focus_end": "2024-08-01"}, "focus_end",
     "focus_end 2024-08-01 is before focus_start 2024-09-01"),
])
def test_bad_optional_dataset_dates_are_refused_naming_the_row(tmp_path, values, key, message):
    """data_current_to and the focus period were dropped without a word when not dates (the
    'Data current to' mark vanished), and believed when before time_start (the whole
    timeline shaded as past the data)."""
    meta = tiny_layers()["dataset_meta"]
    meta = pd.concat([meta, pd.DataFrame({"key": list(values), "value": list(values.values())})],
                     ignore_index=True)
    problems = validate(write_tiny(tmp_path / "meta.gpkg", dataset_meta=meta))
    assert [str(p) for p in problems] == [
        f"meta.gpkg, layer 'dataset_meta', row {key}, column 'value': {message}"]


def test_a_missing_title_licence_or_range_is_a_warning_saying_what_is_shown_instead(tmp_path):
    """The format lists them; a file without them opened and exported without a word (a PNG
    titled by the file's name, crediting no one, its range ending today)."""
    meta = tiny_layers()["dataset_meta"]
    meta = meta[~meta["key"].isin(["title", "license", "time_end"])]
    path = write_tiny(tmp_path / "bare.gpkg", dataset_meta=meta)
    assert [str(p) for p in read_dataset(path).warnings] == [
        f"warning: bare.gpkg, layer 'dataset_meta', row {key}, column 'value': no {key} is given: {said}"
        for key, said in (("title", "the file's name is shown as its title"),
                          ("time_end", "the range ends at the latest dated fact (or today)"),
                          ("license", "maps and handouts give no licence"))]


def test_data_current_to_past_the_time_range_is_a_warning(tmp_path):
    """Facts current to a day the timeline never reaches: the range hides what is known."""
    meta = tiny_layers()["dataset_meta"]
    end = meta.loc[meta["key"] == "time_end", "value"].iloc[0]
    meta = pd.concat([meta, pd.DataFrame({"key": ["data_current_to"], "value": [end]})],
                     ignore_index=True)
    path = write_tiny(tmp_path / "late.gpkg", dataset_meta=meta)
    assert [str(p) for p in read_dataset(path).warnings] == [
        f"warning: late.gpkg, layer 'dataset_meta', row data_current_to, column 'value': "
        f"data_current_to {end} is not inside the time range (time_end {end} is the day after "
        "its last): the timeline ends before the facts do"]


@pytest.mark.parametrize("version", ["2", "one"])
def test_a_schema_version_other_than_1_opens_with_a_warning(tmp_path, version):
    meta = tiny_layers()["dataset_meta"]
    meta.loc[meta["key"] == "schema_version", "value"] = version
    path = write_tiny(tmp_path / "later.gpkg", dataset_meta=meta)
    assert [str(p) for p in read_dataset(path).warnings] == [
        f"warning: later.gpkg, layer 'dataset_meta', row schema_version, column 'value': "
        f"schema_version '{version}' is not 1, the version this viewer reads: what a later "
        "version added may not be shown"]


def test_row_dates_outside_the_drawable_years_are_refused(tmp_path):
    events = tiny_layers()["events"]
    events.loc[1, "date"] = "0001-01-01"
    problems = validate(write_tiny(tmp_path / "old.gpkg", events=events))
    assert [str(p) for p in problems] == [
        "old.gpkg, layer 'events', row e2, column 'date': "
        "0001-01-01 is outside the years 1700-2199 this viewer can show"]


# -- item 7: files that validated and then failed ------------------------------------
def test_a_self_intersecting_base_polygon_is_repaired_and_drawn(qapp, tmp_path):
    import geopandas as gpd
    from shapely.geometry import Polygon

    from viewer.export import ExportOptions, render_export
    from viewer.io import read_dataset
    from viewer.render.renderer import MapRenderer

    bow_tie = Polygon([(96.5, 24.5), (98.5, 26.0), (98.5, 24.5), (96.5, 26.0)])
    base = gpd.GeoDataFrame({"name": ["Myanmar"]}, geometry=[bow_tie], crs=4326)
    dataset = read_dataset(write_tiny(tmp_path / "base.gpkg", base_countries=base))
    assert [str(p) for p in dataset.warnings] == [
        "warning: base.gpkg, layer 'base_countries', row #1, column 'geometry': "
        "invalid polygon (Self-intersection[97.5 25.25]), repaired"]
    image = render_export(MapRenderer(dataset), dataset.default_date,
                          ExportOptions(width=320, height=200))
    assert not image.isNull()


def test_a_layer_in_an_unusable_coordinate_system_is_named(tmp_path):
    path = execute(write_tiny(tmp_path / "srs.gpkg"),
                   "UPDATE gpkg_geometry_columns SET srs_id = -1 WHERE table_name = 'places'",
                   "UPDATE gpkg_contents SET srs_id = -1 WHERE table_name = 'places'")
    problems = [str(p) for p in validate(path)]
    assert len(problems) == 1
    assert problems[0].startswith("srs.gpkg, layer 'places', column 'geometry': its coordinate "
                                  "system (Undefined Cartesian SRS) cannot be converted")


def test_nan_coordinates_are_named(tmp_path):
    import geopandas as gpd
    from shapely.geometry import LineString, Point

    layers = tiny_layers()
    places = layers["places"].copy()
    places.geometry = [Point(float("nan"), 25.25), places.geometry[1]]
    flows = layers["flows"].copy()
    flows.geometry = [LineString([(97.25, 25.25), (float("nan"), 25.5), (97.75, 25.25)]),
                      flows.geometry[1]]
    problems = [str(p) for p in validate(write_tiny(tmp_path / "nan.gpkg", places=places,
                                                    flows=gpd.GeoDataFrame(flows, crs=4326)))]
    assert problems == [
        "nan.gpkg, layer 'places', row west, column 'geometry': coordinates are not numbers (NaN or infinite)",
        "nan.gpkg, layer 'flows', row f1, column 'geometry': coordinates are not numbers (NaN or infinite)"]


def test_a_nan_vertex_in_a_polygon_is_one_line_and_no_warning(tmp_path):
    """numpy's RuntimeWarnings, with the code lines that raised them, were printed around
    the one problem line (star test, WKB reading): on a terminal, a traceback."""
    import geopandas as gpd
    from shapely.geometry import Polygon

    layers = tiny_layers()
    areas = layers["areas"].copy()
    areas.geometry = [Polygon([(97.0, 25.0), (float("inf"), 25.0), (97.5, 25.5)]),
                      areas.geometry[1]]
    path = write_layers({**layers, "areas": gpd.GeoDataFrame(areas, crs=4326)}, tmp_path / "inf.gpkg")
    run = subprocess.run([sys.executable, "-m", "viewer", "validate", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "Warning" not in run.stderr + run.stdout
    assert "row zone-west, column 'geometry': coordinates are not numbers (NaN or infinite)" in run.stdout


def test_bit_flipped_files_end_in_problem_lines_or_draw(qapp, tmp_path):
    """40 copies of a good file with 4 random bits flipped each: every one is either
    refused with problem lines or reads and draws; none ends in a traceback."""
    import random

    from viewer.export import ExportOptions, render_export
    from viewer.io import read_dataset
    from viewer.io.problems import errors_in
    from viewer.render.renderer import MapRenderer

    good = write_tiny(tmp_path / "good.gpkg").read_bytes()
    for seed in (68, 111, 191, *range(37)):  # the first three once ended in UnicodeDecodeError
        data = bytearray(good)
        rng = random.Random(seed)
        for _ in range(4):
            data[rng.randrange(100, len(data))] ^= 1 << rng.randrange(8)
        path = tmp_path / f"flipped-{seed}.gpkg"
        path.write_bytes(bytes(data))
        problems = validate(path)
        assert all(str(p).startswith(path.name) for p in problems)
        if not errors_in(problems):
            dataset = read_dataset(path)
            render_export(MapRenderer(dataset), dataset.default_date,
                          ExportOptions(width=160, height=100))


# -- geometry blobs the reader (viewer/io/gpkg_read.py) cannot read --------------------
def with_blob(path: Path, blob: bytes) -> Path:
    """The control row c1's geometry replaced by `blob` (the R-tree's triggers need
    SpatiaLite's functions: stand-ins here)."""
    with sqlite3.connect(path) as db:
        for name in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
            db.create_function(name, 1, lambda _geometry: 0)
        db.execute("UPDATE control SET geom = ? WHERE control_id = 'c1'", [blob])
    db.close()
    return path


@pytest.mark.parametrize("blob, why", [
    (b"not a geometry at all", "not a GeoPackage geometry (no 'GP' header)"),
    (b"GP\x00\x0e\xe6\x10\x00\x00" + b"\x00" * 8, "its header names an unknown envelope"),
    (b"GP\x00\x01\xe6\x10\x00\x00\x01\x03\x00\x00", "its WKB cannot be read"),
])
def test_a_damaged_geometry_is_named_by_layer_row_and_column(tmp_path, blob, why):
    path = with_blob(write_tiny(tmp_path / "blob.gpkg"), blob)
    problems = [str(p) for p in validate(path)]
    assert problems == [f"blob.gpkg, layer 'control', row c1, column 'geometry': geometry is damaged: {why}"]
    result = run_viewer("export", "--dataset", path, "--date", "2024-11-20", "--out", tmp_path / "m.png")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "row c1, column 'geometry': geometry is damaged" in result.stderr
    assert not (tmp_path / "m.png").exists()


def test_reading_a_file_never_writes_to_it(tmp_path):
    """The reader opens the file read-only: not a byte, not its time, no side files."""
    from viewer.io import read_dataset

    path = write_tiny(tmp_path / "kept.gpkg")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    read_dataset(path)
    validate(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.gpkg"]


# -- item 13: text that is not UTF-8 ---------------------------------------------------
def test_a_byte_that_is_not_utf8_is_replaced_and_its_cell_named(tmp_path):
    from viewer.io import read_dataset

    path = execute(write_tiny(tmp_path / "latin.gpkg"),
                   "UPDATE sources SET note = CAST(X'4B6163686966E9206E6F7465' AS TEXT), "
                   "title = 'Café ဗမာ' WHERE source_id = 's2'")
    dataset = read_dataset(path)
    assert [str(p) for p in dataset.warnings] == [
        "warning: latin.gpkg, layer 'sources', row s2, column 'note': "
        "text is not valid UTF-8; the unreadable bytes are shown as \ufffd"]
    assert dataset.sources["note"].tolist()[1] == "Kachif\ufffd note"
    assert dataset.sources["title"].tolist()[1] == "Café ဗမာ"


# -- item 15: colours ------------------------------------------------------------------
def test_a_colour_with_a_trailing_newline_is_refused(tmp_path):
    actors = tiny_layers()["actors"]
    actors.loc[0, "color"] = "#0072B2\n"
    problems = [str(p) for p in validate(write_tiny(tmp_path / "nl.gpkg", actors=actors))]
    assert problems == ["nl.gpkg, layer 'actors', row KIA, column 'color': "
                        "'#0072B2\n' is not a colour of the form #RRGGBB"]


def edited_outside_gdal(path: Path, *statements: str) -> Path:
    """`statements` run by plain SQLite, as another program might: without GDAL's
    spatial functions, so the spatial index's triggers are dropped first."""
    with sqlite3.connect(path) as db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            db.execute(f'DROP TRIGGER "{name}"')
    return execute(path, *statements)


def test_dates_are_read_as_gdal_read_them_and_a_bad_one_is_named(tmp_path):
    """A date-time or padded date in a DATE column keeps its date (as GDAL read it);
    an impossible date stops the file with its layer, column and row, never dropped
    silently (a route whose end vanished would show as still running)."""
    import datetime as dt

    from factory import tiny_gpkg
    from viewer.io import DatasetError, read_dataset

    path = edited_outside_gdal(tiny_gpkg(tmp_path / "dates.gpkg"),
                   "UPDATE flows SET valid_to = '2024-10-22T00:00:00Z' WHERE flow_id = 'f1'",
                   "UPDATE events SET end_date = ' 2024-10-25' WHERE event_id = 'e1'")
    dataset = read_dataset(path)
    flows, events = dataset.flows.set_index("flow_id"), dataset.events.set_index("event_id")
    assert flows.loc["f1", "valid_to"].date() == dt.date(2024, 10, 22)
    assert events.loc["e1", "end_date"].date() == dt.date(2024, 10, 25)

    bad = edited_outside_gdal(tiny_gpkg(tmp_path / "bad-date.gpkg"),
                  "UPDATE flows SET valid_to = '2024-02-30' WHERE flow_id = 'f1'",
                  "UPDATE flows SET valid_from = 20241001 WHERE flow_id = 'f2'",
                  "UPDATE events SET end_date = 2024.1030 WHERE event_id = 'e1'")
    with pytest.raises(DatasetError) as raised:
        read_dataset(bad)
    lines = [str(p) for p in raised.value.problems]
    # A number SQLite let into a DATE column is no date either: never an open end.
    for line in ("bad-date.gpkg, layer 'flows', row f1, column 'valid_to': '2024-02-30' is not a date (YYYY-MM-DD)",
                 "bad-date.gpkg, layer 'flows', row f2, column 'valid_from': '20241001' is not a date (YYYY-MM-DD)",
                 "bad-date.gpkg, layer 'events', row e1, column 'end_date': '2024.103' is not a date (YYYY-MM-DD)"):
        assert line in lines


def test_text_in_a_number_column_is_named_never_read_as_zero(tmp_path):
    """SQLite keeps text in a REAL or INTEGER column; GDAL read it as 0, a made-up value
    on the chart. It is named by its cell and read as missing; a blank cell is missing.
    An infinity is named too: a route's width drawn from one broke every frame."""
    from factory import tiny_gpkg
    from viewer.io import DatasetError, read_dataset

    path = edited_outside_gdal(tiny_gpkg(tmp_path / "text.gpkg"),
                   "UPDATE flows SET volume = 'lots' WHERE flow_id = 'f1'",
                   "UPDATE events SET importance = 'high' WHERE event_id = 'e1'")
    with pytest.raises(DatasetError) as raised:
        read_dataset(path)
    lines = [str(p) for p in raised.value.problems]
    assert "text.gpkg, layer 'flows', row f1, column 'volume': 'lots' is not a number" in lines

    infinite = edited_outside_gdal(tiny_gpkg(tmp_path / "inf.gpkg"),
                       "UPDATE flows SET volume = 9e999 WHERE flow_id = 'f2'")   # SQLite keeps it
    with pytest.raises(DatasetError) as raised:
        read_dataset(infinite)
    assert [str(p) for p in raised.value.problems if "finite" in str(p)] == [
        "inf.gpkg, layer 'flows', row f2, column 'volume': inf is not a finite number"]
    assert "text.gpkg, layer 'events', row e1, column 'importance': 'high' is not a number" in lines

    blank = edited_outside_gdal(tiny_gpkg(tmp_path / "blank.gpkg"),
                    "UPDATE flows SET volume = '  ' WHERE flow_id = 'f1'")
    volume = read_dataset(blank).flows.set_index("flow_id").loc["f1", "volume"]
    assert np.isnan(volume)      # unknown, not 0


def test_a_fraction_in_a_whole_number_column_is_named_never_cut(tmp_path):
    """SQLite keeps 2.5 in an INTEGER column; read through a cast (as GDAL reads it) an
    event's importance became 2, a value the file does not hold. A whole number stored
    as a real (2.0) is that number."""
    from factory import tiny_gpkg
    from viewer.io import DatasetError, read_dataset

    path = edited_outside_gdal(tiny_gpkg(tmp_path / "half.gpkg"),
                               "UPDATE events SET importance = 2.5 WHERE event_id = 'e1'")
    with pytest.raises(DatasetError) as raised:
        read_dataset(path)
    assert "half.gpkg, layer 'events', row e1, column 'importance': 2.5 is not a whole number" in [
        str(p) for p in raised.value.problems]

    whole = edited_outside_gdal(tiny_gpkg(tmp_path / "whole.gpkg"),
                                "UPDATE events SET importance = 2.0 WHERE event_id = 'e1'")
    assert read_dataset(whole).events.set_index("event_id").loc["e1", "importance"] == 2


def test_a_geometry_column_named_in_another_case_is_still_the_geometry(tmp_path):
    from factory import tiny_gpkg
    from viewer.io import read_dataset

    path = tiny_gpkg(tmp_path / "case.gpkg")
    with sqlite3.connect(path) as db:
        column = db.execute("SELECT column_name FROM gpkg_geometry_columns "
                            "WHERE table_name = 'control'").fetchone()[0]
        db.execute("UPDATE gpkg_geometry_columns SET column_name = ? WHERE table_name = 'control'",
                   [column.upper()])
    dataset = read_dataset(path)
    assert column.upper() not in dataset.control.columns and column not in dataset.control.columns
    assert dataset.control.geometry.notna().all() and not dataset.warnings


def test_a_file_slower_to_read_than_the_checks_time_limit_is_still_read(tmp_path, monkeypatch):
    """The time limit guards the structure check against crafted files; reading a
    large file on a slow machine may take longer and must not be cut short."""
    import viewer.io.file_check
    import viewer.io.reader
    from viewer.io import read_dataset

    path = execute(write_tiny(tmp_path / "slow.gpkg"),   # a table long enough to be timed
                   "CREATE TABLE bulk (fid INTEGER PRIMARY KEY, note TEXT)",
                   "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
                   "INSERT INTO bulk (note) SELECT 'row ' || i FROM n",
                   "INSERT INTO gpkg_contents (table_name, data_type, identifier) "
                   "VALUES ('bulk', 'attributes', 'bulk')")
    monkeypatch.setattr(viewer.io.reader, "check_tables", lambda _path: [])
    monkeypatch.setattr(viewer.io.reader, "check_pages", lambda _path: [])
    monkeypatch.setattr(viewer.io.file_check, "SQLITE_TIME_LIMIT_S", -1.0)   # always over
    dataset = read_dataset(path)
    assert len(dataset.extra_layers["bulk"]) == 20000
