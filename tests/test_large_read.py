"""A large file is read in slices, its polygons' validity checked on a thread while
the rest is read: the verdict still stops a bad file before anything is drawn or
written from it, naming the file, layer, row and column; a repairable polygon is
still repaired with a warning, also when the file is opened again."""
import numpy as np
import pytest
import shapely

from viewer.cli import main
from viewer.io import DatasetError, cache, opened, read_dataset, reader


@pytest.fixture(autouse=True)
def read_as_large(monkeypatch):
    """Every file counts as large: sliced reading, early validity, remembered."""
    monkeypatch.setattr(reader, "READ_SLICE_BYTES", 1)
    monkeypatch.setattr(reader, "READ_SLICE_ROWS", 1)
    monkeypatch.setattr(opened, "REMEMBERED_BYTES", 0)


def with_control_shape(tmp_path, name, shape):
    import geopandas as gpd
    from factory import tiny_layers, write_tiny

    control = tiny_layers()["control"]
    control = gpd.GeoDataFrame(control, geometry=[shape] + list(control.geometry[1:]), crs=4326)
    return write_tiny(tmp_path / name, control=control)


def tangled():
    ring = np.random.default_rng(17).uniform((97.0, 25.0), (97.5, 25.5), size=(20_000, 2))
    return shapely.Polygon(ring)


def test_a_tangled_polygon_stops_an_export_with_its_row_named(tmp_path, capsys, qapp):
    path = with_control_shape(tmp_path, "tangled.gpkg", tangled())
    out = tmp_path / "map.png"
    for _attempt in ("first open", "again"):       # an error is never remembered as fine
        code = main(["export", "--dataset", str(path), "--date", "2024-11-20", "--out", str(out)])
        cache.finish_writing()
        err = capsys.readouterr().err
        assert code == 1 and not out.exists()
        assert ("tangled.gpkg, layer 'control', row c1, column 'geometry': polygon's edges "
                "cross each other more than 5000 times: too tangled to repair") in err


def test_a_bow_tie_is_repaired_with_a_warning_on_every_open(tmp_path):
    bow_tie = shapely.Polygon([(97.0, 25.0), (97.5, 25.5), (97.5, 25.0), (97.0, 25.5)])
    path = with_control_shape(tmp_path, "bow.gpkg", bow_tie)
    for _attempt in ("first open", "again"):
        dataset = read_dataset(path)
        cache.finish_writing()
        assert [str(w) for w in dataset.warnings] == [
            "warning: bow.gpkg, layer 'control', row c1, column 'geometry': invalid polygon "
            "(Self-intersection[97.25 25.25]), repaired"]
        assert dataset.control.set_index("control_id").geometry["c1"].is_valid


def test_sliced_reading_gives_what_one_read_gives(tmp_path, monkeypatch, tiny_gpkg):
    sliced = read_dataset(tiny_gpkg)
    monkeypatch.undo()
    whole = read_dataset(tiny_gpkg)
    for layer in ("places", "areas", "control", "flows", "events"):
        a, b = getattr(sliced, layer), getattr(whole, layer)
        assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))
        assert list(shapely.to_wkb(a.geometry.array)) == list(shapely.to_wkb(b.geometry.array))


def test_an_unreadable_file_is_an_error_not_a_stale_entry(tmp_path):
    path = with_control_shape(tmp_path, "box.gpkg", shapely.box(97.0, 25.0, 97.5, 25.5))
    read_dataset(path)
    cache.finish_writing()
    path.write_bytes(path.read_bytes()[:4096])
    with pytest.raises(DatasetError):
        read_dataset(path)
