"""Opening the same file again does not redo the work that depends only on its
content; a changed, truncated or damaged file or entry is read and checked afresh."""
import json

import numpy as np
import pytest
import shapely

from viewer.io import DatasetError, cache, opened, read_dataset, shapes


def bowtie_layers():
    """The tiny briefing with one self-crossing control polygon (repaired, with a warning)."""
    from factory import tiny_layers

    layers = tiny_layers()
    bowtie = shapely.Polygon([(97.5, 25.2), (97.7, 25.4), (97.7, 25.2), (97.5, 25.4)])
    layers["control"].loc[0, "geometry"] = shapely.MultiPolygon([bowtie])
    return layers


@pytest.fixture
def bowtie_file(tmp_path, monkeypatch):
    """That briefing, counted as large enough to be remembered."""
    from factory import write_layers

    monkeypatch.setattr(opened, "REMEMBERED_BYTES", 0)
    return write_layers(bowtie_layers(), tmp_path / "bowtie.gpkg")


def rewrite(path, layer, column, value):
    """`path` written again with one cell changed (same name, other content)."""
    from factory import write_layers

    layers = bowtie_layers()
    layers[layer].loc[1, column] = value
    path.unlink()
    write_layers(layers, path)


def read_once(path):
    """Read `path` and wait until what it found is stored."""
    first = read_dataset(path)
    cache.finish_writing()
    return first


def forbid_reading_shapes(monkeypatch):
    """Decoding or checking any shape again would fail the test."""
    monkeypatch.setattr(shapes.SharedShapes, "decode", None)
    monkeypatch.setattr(shapes, "_is_valid", None)


def same_dataset(a, b):
    for layer in ("places", "areas", "control", "flows", "events"):
        left, right = getattr(a, layer), getattr(b, layer)
        assert left.drop(columns="geometry").equals(right.drop(columns="geometry"))
        assert list(shapely.to_wkb(left.geometry.array)) == list(shapely.to_wkb(right.geometry.array))
    assert [str(w) for w in a.warnings] == [str(w) for w in b.warnings]
    assert a.sha256 == b.sha256


def test_the_same_file_opened_again_is_not_decoded_or_checked_again(bowtie_file, monkeypatch):
    first = read_once(bowtie_file)
    forbid_reading_shapes(monkeypatch)
    import viewer.io.reader
    monkeypatch.setattr(viewer.io.reader, "check_tables", None)   # nor checked page by page
    monkeypatch.setattr(viewer.io.reader, "check_pages", None)
    again = read_dataset(bowtie_file)
    same_dataset(first, again)
    assert any("invalid polygon" in str(w) for w in again.warnings)   # still reported
    assert again.control.geometry.is_valid.all()                        # and still repaired
    # Rows sharing a shape still share one object (memory, and one projection each).
    assert again.control.geometry.iloc[1] is again.areas.geometry.iloc[
        list(again.areas["area_id"]).index(again.control["area_id"].iloc[1])]


def test_a_changed_file_is_read_afresh(bowtie_file, monkeypatch):
    read_once(bowtie_file)
    rewrite(bowtie_file, "control", "actor_id", "nobody")
    with pytest.raises(DatasetError) as raised:
        read_dataset(bowtie_file)
    assert any(p.layer == "control" and p.column == "actor_id" and "'nobody'" in p.message
               for p in raised.value.problems)


def test_a_file_with_other_content_is_decoded_and_checked_afresh(bowtie_file, monkeypatch):
    first = read_once(bowtie_file)
    forbid_reading_shapes(monkeypatch)
    rewrite(bowtie_file, "control", "note", "moved")
    with pytest.raises(DatasetError, match="not callable"):     # its shapes are decoded afresh
        read_dataset(bowtie_file)
    monkeypatch.undo()
    again = read_dataset(bowtie_file)
    assert again.control.set_index("control_id")["note"].iloc[1] == "moved"
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings]


def test_a_file_changed_keeping_its_size_and_time_is_still_read_afresh(bowtie_file):
    """The file's place, size and time only say whether to look for an entry before
    reading; what it holds is told by its digest."""
    import os

    read_once(bowtie_file)
    before = bowtie_file.stat()
    rewrite(bowtie_file, "control", "actor_id", "nobody")
    assert bowtie_file.stat().st_size == before.st_size
    os.utime(bowtie_file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert opened.seen_before(opened.place_of(bowtie_file))
    with pytest.raises(DatasetError) as raised:
        read_dataset(bowtie_file)
    assert any(p.column == "actor_id" and "'nobody'" in p.message for p in raised.value.problems)


def test_a_copy_of_a_file_opened_before_is_read_whole_and_gives_the_same_briefing(bowtie_file):
    """No entry is looked for under a place never opened: the copy is read and checked."""
    first = read_once(bowtie_file)
    copy = bowtie_file.with_name("copy.gpkg")
    copy.write_bytes(bowtie_file.read_bytes())
    assert not opened.seen_before(opened.place_of(copy))
    again = read_once(copy)
    assert again.sha256 == first.sha256
    assert list(shapely.to_wkb(again.control.geometry.array)) == list(shapely.to_wkb(first.control.geometry.array))
    assert [(w.message, w.layer, w.row) for w in again.warnings] == [
        (w.message, w.layer, w.row) for w in first.warnings]
    assert opened.seen_before(opened.place_of(copy))


def test_a_save_another_program_keeps_in_the_wal_file_is_not_hidden_by_the_cache(bowtie_file):
    """QGIS edits a GeoPackage in WAL mode: until it closes the file, its saves are in
    the -wal file and the file itself keeps its bytes, size and time. The briefing
    opened again shows the saved shape, not the one stored from before the save."""
    import sqlite3

    qgis = sqlite3.connect(bowtie_file)             # another program, keeping the file open
    qgis.execute("PRAGMA journal_mode=WAL").fetchall()
    qgis.create_function("ST_IsEmpty", 1, lambda blob: 0)     # its R-tree triggers' functions
    for name in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        qgis.create_function(name, 1, lambda blob: 97.5)
    first = read_once(bowtie_file)
    before = first.control.set_index("control_id").geometry["c1"]
    column = qgis.execute("SELECT column_name FROM gpkg_geometry_columns "
                          "WHERE table_name = 'control'").fetchone()[0]
    qgis.execute(f"UPDATE control SET {column} = (SELECT {column} FROM control WHERE control_id = 'c3') "
                 "WHERE control_id = 'c1'")
    qgis.commit()
    try:
        assert bowtie_file.with_name(bowtie_file.name + "-wal").stat().st_size > 0
        now = read_dataset(bowtie_file).control.set_index("control_id").geometry
        assert not shapely.equals(before, now["c3"])
        assert shapely.equals(now["c1"], now["c3"])
    finally:
        qgis.close()


def test_the_datasets_sha256_is_the_files_own_with_a_wal_beside_it(bowtie_file):
    """The SHA-256 printed on every export can be checked against the .gpkg with
    sha256sum, even while QGIS keeps a -wal file beside it."""
    import hashlib
    import sqlite3

    qgis = sqlite3.connect(bowtie_file)             # QGIS has the file open, in WAL mode
    qgis.execute("PRAGMA journal_mode=WAL").fetchall()
    qgis.execute("CREATE TABLE qgis_scratch (x)")   # a save, written back: the -wal keeps its frames
    qgis.commit()
    qgis.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    try:
        assert bowtie_file.with_name(bowtie_file.name + "-wal").stat().st_size > 0
        assert read_dataset(bowtie_file).sha256 == hashlib.sha256(bowtie_file.read_bytes()).hexdigest()
    finally:
        qgis.close()


def test_a_truncated_file_is_not_served_from_the_cache(bowtie_file, monkeypatch):
    read_once(bowtie_file)
    data = bowtie_file.read_bytes()
    bowtie_file.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError):
        read_dataset(bowtie_file)


@pytest.mark.parametrize("damage", ["json", "wkb", "numbers"])
def test_a_damaged_entry_is_ignored(bowtie_file, monkeypatch, damage):
    first = read_once(bowtie_file)
    folder = cache.cache_folder()
    if damage == "json":
        (entry,) = folder.glob("opened-*.json")
        entry.write_text(json.dumps({"problems": [[1, 2, 3, 4, 5]], "layers": {}}))
    else:
        (entry,) = folder.glob(f"opened-{'wkb' if damage == 'wkb' else 'shapes'}-*.npy")
        array = np.load(entry, allow_pickle=False)
        array[: len(array) // 2] = 7
        np.save(entry, array, allow_pickle=False)
    same_dataset(first, read_dataset(bowtie_file))


def test_an_entry_is_plain_data(bowtie_file, monkeypatch):
    read_once(bowtie_file)
    folder = cache.cache_folder()
    for entry in folder.glob("opened-*.npy"):
        assert np.load(entry, allow_pickle=False).dtype in (np.uint8, np.int64)
    (entry,) = folder.glob("opened-*.json")
    assert set(json.loads(entry.read_text())) == {"problems", "layers", "wkb_bytes", "shapes"}


def test_an_entry_being_written_lets_go_of_the_shapes_it_has_written(monkeypatch):
    """Writing a file's shapes into its entry holds each chunk only until it is written:
    a command-line export, which lets go of them itself as it projects them, then
    never has every lon/lat shape and its projection at once. The entry still gives
    every shape back."""
    import weakref

    def outlines():
        return shapely.buffer(shapely.points(np.arange(700.0) * 0.01 + 97, np.full(700, 25.0)), 0.004)

    refs = []
    alive_per_chunk = []
    to_wkb = shapely.to_wkb
    monkeypatch.setattr(shapely, "to_wkb", lambda part: (
        alive_per_chunk.append(sum(ref() is not None for ref in refs)), to_wkb(part))[1])

    def given():
        shapes = outlines()
        refs.extend(weakref.ref(shape) for shape in shapes)
        return {"areas": shapes}      # held by the entry being written alone

    opened._store(cache.cache_folder(), "k" * 40, [], given(), "place")
    assert alive_per_chunk[0] == 700 and alive_per_chunk == sorted(alive_per_chunk, reverse=True)
    assert len(set(alive_per_chunk)) == len(alive_per_chunk) >= 3
    found = opened.recall("k" * 40, "f.gpkg")
    assert shapely.equals_exact(found.shapes["areas"], outlines(), tolerance=0).all()


def test_the_same_file_opened_again_finds_its_projection(bowtie_file, monkeypatch, qapp):
    """Shapes come back in the same order on every open (not by memory address), so
    the projected vertices are found in the cache instead of projected again."""
    from viewer.render import projection
    from viewer.render.prepared import PreparedMap

    monkeypatch.setattr(projection, "CACHED_VERTICES", 1)     # the tiny shapes count as large

    def projected_entries():
        cache.finish_writing()
        return sorted(cache.cache_folder().glob("projected-*.npy"))

    PreparedMap(read_once(bowtie_file))                  # from the file
    PreparedMap(read_dataset(bowtie_file))               # from the remembered shapes
    made = projected_entries()
    PreparedMap(read_dataset(bowtie_file))
    assert projected_entries() == made
