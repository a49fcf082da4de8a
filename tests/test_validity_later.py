"""A large file's polygons are checked while the window prepares its map, not while it
is read (issue 12): the read returns before the verdict; nothing is drawn, edited or
exported before it; a file with an invalid polygon ends as a full read leaves it
(repaired with its warning, or refused naming file, layer, row and column)."""
from __future__ import annotations

import datetime as dt
import threading

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PySide6.QtCore import QSettings

from factory import tiny_layers, write_tiny
from viewer.io import DatasetError, cache, opened, read_dataset, reader
from viewer.io.validity_later import ValidityLater
from viewer.qt.dialogs import ProblemDialog
from viewer.qt.main_window import MainWindow

NOV_5 = dt.date(2024, 11, 5)
BOW_TIE = shapely.Polygon([(97.0, 25.0), (97.5, 25.5), (97.5, 25.0), (97.0, 25.5)])
BOW_TIE_WARNING = ("warning: bow.gpkg, layer 'control', row c1, column 'geometry': invalid "
                   "polygon (Self-intersection[97.25 25.25]), repaired")
TANGLED_ERROR = ("tangled.gpkg, layer 'control', row c1, column 'geometry': polygon's edges "
                 "cross each other more than 5000 times: too tangled to repair; simplify or redraw it")


@pytest.fixture(autouse=True)
def read_as_large(monkeypatch):
    """Every file counts as large: its polygons' verdict comes later, its reading is remembered."""
    monkeypatch.setattr(reader, "VALIDITY_LATER_BYTES", 0)
    monkeypatch.setattr(opened, "REMEMBERED_BYTES", 0)


@pytest.fixture
def held_verdict(monkeypatch):
    """Verdicts wait until the test sets the event it returns (30 s at most)."""
    release = threading.Event()
    all_valid = ValidityLater.all_valid

    def held(check):
        release.wait(30)
        return all_valid(check)

    monkeypatch.setattr(ValidityLater, "all_valid", held)
    yield release
    release.set()


def with_control_shape(path, shape):
    control = tiny_layers()["control"]
    control = gpd.GeoDataFrame(control, geometry=[shape] + list(control.geometry[1:]), crs=4326)
    return write_tiny(path, control=control)


def tangled() -> shapely.Polygon:
    return shapely.Polygon(np.random.default_rng(17).uniform((97.0, 25.0), (97.5, 25.5),
                                                             size=(20_000, 2)))


def window_on(qtbot, tmp_path) -> MainWindow:
    window = MainWindow(settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


# -- the reader ------------------------------------------------------------------------
def test_a_valid_file_read_with_the_verdict_later_is_what_a_full_read_gives(tiny_gpkg):
    later = read_dataset(tiny_gpkg, validity_later=True)
    full = read_dataset(tiny_gpkg)
    assert later.geometry_check is not None and full.geometry_check is None
    assert later.geometry_check.all_valid()
    assert later.warnings == full.warnings
    for layer in ("areas", "control", "places"):
        assert shapely.equals_exact(getattr(later, layer).geometry.array, getattr(full, layer).geometry.array, 0).all()


def test_a_bow_tie_read_with_the_verdict_later_is_not_remembered_as_fine(tmp_path):
    path = with_control_shape(tmp_path / "bow.gpkg", BOW_TIE)
    later = read_dataset(path, validity_later=True)
    assert not later.geometry_check.all_valid()
    cache.finish_writing()
    for _attempt in ("first full read", "again, from what it remembered"):
        full = read_dataset(path)
        cache.finish_writing()
        assert [str(w) for w in full.warnings] == [BOW_TIE_WARNING]
        assert full.control.set_index("control_id").geometry["c1"].is_valid


def test_a_refused_file_read_with_the_verdict_later_names_every_problem_as_a_full_read(tmp_path):
    actors = tiny_layers()["actors"]
    actors.loc[0, "color"] = "blue"
    control = tiny_layers()["control"]
    control = gpd.GeoDataFrame(control, geometry=[tangled()] + list(control.geometry[1:]), crs=4326)
    path = write_tiny(tmp_path / "tangled.gpkg", actors=actors, control=control)
    problems = {}
    for later in (True, False):
        with pytest.raises(DatasetError) as refused:
            read_dataset(path, validity_later=later)
        problems[later] = [str(p) for p in refused.value.problems]
    assert problems[True] == problems[False]
    assert TANGLED_ERROR in problems[True]


# -- the window ------------------------------------------------------------------------
def test_the_read_returns_before_the_verdict_and_the_window_shows_nothing_until_it(
        qtbot, tmp_path, tiny_gpkg, held_verdict):
    dataset = read_dataset(tiny_gpkg, validity_later=True)
    assert not dataset.geometry_check.known()            # the read did not wait for it
    window = window_on(qtbot, tmp_path)
    window.open_dataset(tiny_gpkg, NOV_5)
    qtbot.wait(500)
    assert window.state is None and window.stack.currentWidget() is window.start_page
    with qtbot.waitSignal(window.opened, timeout=30_000):
        held_verdict.set()
    assert window.state.dataset.geometry_check is None   # every check has run
    assert window.state.dataset.warnings == [] and not window.warnings_button.isVisible()


def test_a_bow_tie_opened_in_the_window_is_repaired_with_its_warning_as_a_full_read(
        qtbot, tmp_path):
    path = with_control_shape(tmp_path / "bow.gpkg", BOW_TIE)
    window = window_on(qtbot, tmp_path)
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.open_dataset(path, NOV_5)

    dataset = window.state.dataset
    assert [str(w) for w in dataset.warnings] == [BOW_TIE_WARNING]
    assert [str(w) for w in dataset.warnings] == [str(w) for w in read_dataset(path).warnings]
    assert dataset.control.set_index("control_id").geometry["c1"].is_valid
    assert window.warnings_button.isVisible() and window.warnings_button.text() == "⚠ 1 warning"


def test_a_tangled_polygon_opened_in_the_window_is_refused_before_anything_is_drawn(
        qtbot, tmp_path):
    """Drawn unchecked, its simplification alone would exhaust the memory."""
    path = with_control_shape(tmp_path / "tangled.gpkg", tangled())
    window = window_on(qtbot, tmp_path)
    with qtbot.waitSignal(window.loader.failed, timeout=30_000):
        window.open_dataset(path, NOV_5)

    assert TANGLED_ERROR in window.findChild(ProblemDialog).lines.toPlainText()
    assert window.state is None and window.stack.currentWidget() is window.start_page
    assert "Could not open tangled.gpkg" in window.start_page.message.text()
