"""Invalid polygons opened in the window end as the command line's full read leaves
them: a bow tie repaired with its warning; a polygon too tangled to repair refused
with its file, layer, row and column named, before anything of the file is drawn
(drawn unchecked, GEOS's simplification of it alone exhausts the memory)."""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PySide6.QtCore import QSettings

from factory import tiny_layers, write_tiny
from viewer.io import opened, read_dataset
from viewer.qt.dialogs import ProblemDialog
from viewer.qt.main_window import MainWindow

NOV_5 = dt.date(2024, 11, 5)


@pytest.fixture(autouse=True)
def read_as_large(monkeypatch):
    """Every file counts as large: what its reading found is remembered for the next open."""
    monkeypatch.setattr(opened, "REMEMBERED_BYTES", 0)


def with_control_shape(path, shape):
    control = tiny_layers()["control"]
    control = gpd.GeoDataFrame(control, geometry=[shape] + list(control.geometry[1:]), crs=4326)
    return write_tiny(path, control=control)


def window_on(qtbot, tmp_path) -> MainWindow:
    window = MainWindow(settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_bow_tie_opened_in_the_window_is_repaired_with_its_warning_as_a_full_read(
        qtbot, tmp_path):
    path = with_control_shape(tmp_path / "bow.gpkg",
                              shapely.Polygon([(97.0, 25.0), (97.5, 25.5), (97.5, 25.0), (97.0, 25.5)]))
    window = window_on(qtbot, tmp_path)
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.open_dataset(path, NOV_5)

    dataset = window.state.dataset
    assert [str(w) for w in dataset.warnings] == [
        "warning: bow.gpkg, layer 'control', row c1, column 'geometry': invalid polygon "
        "(Self-intersection[97.25 25.25]), repaired"]
    assert [str(w) for w in dataset.warnings] == [str(w) for w in read_dataset(path).warnings]
    assert dataset.control.set_index("control_id").geometry["c1"].is_valid
    assert window.warnings_button.isVisible() and window.warnings_button.text() == "⚠ 1 warning"


def test_a_tangled_polygon_opened_in_the_window_is_refused_before_anything_is_drawn(
        qtbot, tmp_path):
    tangled = shapely.Polygon(np.random.default_rng(17).uniform((97.0, 25.0), (97.5, 25.5),
                                                                size=(20_000, 2)))
    path = with_control_shape(tmp_path / "tangled.gpkg", tangled)
    window = window_on(qtbot, tmp_path)
    with qtbot.waitSignal(window.loader.failed, timeout=30_000):
        window.open_dataset(path, NOV_5)

    assert ("tangled.gpkg, layer 'control', row c1, column 'geometry': polygon's edges cross "
            "each other more than 5000 times: too tangled to repair; simplify or redraw it"
            in window.findChild(ProblemDialog).lines.toPlainText())
    assert window.state is None and window.stack.currentWidget() is window.start_page
    assert "Could not open tangled.gpkg" in window.start_page.message.text()
