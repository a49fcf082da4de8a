"""Projecting a large briefing's vertices is done once per content, then read from
the user's cache folder; a changed, truncated or damaged entry is never used."""
import numpy as np
import pytest
import shapely

from viewer.io import cache
from viewer.render import projection
from viewer.render.projection import Projector


@pytest.fixture
def projector(monkeypatch):
    monkeypatch.setattr(projection, "CACHED_VERTICES", 10)    # the tiny shapes count as large
    return Projector(32647)


def squares(shift: float = 0.0) -> np.ndarray:
    return shapely.box(np.arange(20) * 0.01 + 97 + shift, 25, np.arange(20) * 0.01 + 97.005 + shift, 25.005)


def entries():
    cache.finish_writing()
    return sorted(cache.cache_folder().glob("projected-*.npy"))


def test_the_same_vertices_are_projected_once(projector, monkeypatch):
    first = projector.geometries(squares())
    assert len(entries()) == 1
    monkeypatch.setattr(projector, "_forward", None)      # projecting again would fail
    again = projector.geometries(squares())
    assert shapely.equals_exact(again, first, tolerance=0).all()


def test_other_vertices_are_projected_afresh(projector):
    projector.geometries(squares())
    moved = projector.geometries(squares(shift=0.5))
    assert len(entries()) == 2
    assert shapely.get_coordinates(moved)[0, 0] > shapely.get_coordinates(projector.geometries(squares()))[0, 0]


def test_a_damaged_entry_is_ignored_and_made_again(projector):
    fresh = projector.geometries(squares())
    (entry,) = entries()
    entry.write_bytes(entry.read_bytes()[:40])            # truncated
    again = projector.geometries(squares())
    assert shapely.equals_exact(again, fresh, tolerance=0).all()
    cache.finish_writing()
    assert np.load(entry, allow_pickle=False).shape == (len(shapely.get_coordinates(squares())), 2)


def test_an_entry_whose_header_asks_for_terabytes_is_ignored_not_allocated():
    """np.load gave the memory a damaged header asked for: a valid file then failed to
    open, "out of memory", every time."""
    import io

    entry = cache.cache_folder() / "validity-k.npy"
    entry.parent.mkdir(parents=True, exist_ok=True)
    damaged = io.BytesIO()
    np.lib.format.write_array_header_1_0(damaged, {"descr": "|b1", "fortran_order": False,
                                                   "shape": (99_999_990_000,)})
    entry.write_bytes(damaged.getvalue() + b"\x01" * 5)
    assert cache.load_array("validity", "k", (99_999_990_000,)) is None
    assert cache.load_array("validity", "k", (5,)) is None
    cache.store_array("validity", "k", np.ones(5, dtype=bool))
    cache.finish_writing()
    assert cache.load_array("validity", "k", (5,)).tolist() == [True] * 5


def test_a_geometry_check_is_remembered_for_the_same_bytes_only(monkeypatch, tmp_path):
    """Invalid polygons are still found and repaired when the verdict comes from the cache."""
    from factory import tiny_layers, write_layers
    from viewer.io import read_dataset, shapes

    monkeypatch.setattr(shapes, "CACHED_VALIDITY_SHAPES", 1)
    layers = tiny_layers()
    bowtie = shapely.Polygon([(97.5, 25.2), (97.7, 25.4), (97.7, 25.2), (97.5, 25.4)])
    layers["control"].loc[0, "geometry"] = shapely.MultiPolygon([bowtie])
    path = write_layers(layers, tmp_path / "bowtie.gpkg")
    first = read_dataset(path)
    assert len(list(cache.cache_folder().glob("validity-*.npy"))) >= 1
    monkeypatch.setattr(shapes, "_is_valid", None)          # checking again would fail
    again = read_dataset(path)
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings]
    assert any("invalid polygon" in str(w) for w in again.warnings)
    assert again.control.geometry.is_valid.all()


def test_a_verdict_remembered_by_other_checking_code_is_not_used(monkeypatch):
    """After an update to the checking code (here: a faulty star test, then the fixed
    one), a self-crossing polygon among many is found invalid, not answered from the
    cache the faulty code filled."""
    from viewer.io import opened, shapes, star_rings

    boxes = [shapely.box(i, 0, i + 0.5, 0.5) for i in range(shapes.CACHED_VALIDITY_SHAPES)]
    bow_tie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    wkb = np.array([shapely.to_wkb(g) for g in boxes + [bow_tie]], dtype=object)
    with monkeypatch.context() as faulty:
        faulty.setattr(star_rings, "surely_valid", lambda g: np.ones(len(g), dtype=bool))
        faulty.setattr(opened, "checking_code_digest", lambda: "the faulty code")
        before = shapes.SharedShapes()
        assert before.is_valid(before.decode(wkb))[-1]
        cache.finish_writing()
    after = shapes.SharedShapes()
    assert not after.is_valid(after.decode(wkb))[-1]
