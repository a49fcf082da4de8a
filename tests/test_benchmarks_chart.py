"""The growth chart (benchmarks/growth_chart.py) drawn from a versus_qgis.py JSON."""
import importlib.util
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage


@pytest.fixture(scope="module")
def growth_chart():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "growth_chart.py"
    spec = importlib.util.spec_from_file_location("growth_chart", path)
    module = sys.modules["growth_chart"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    del sys.modules["growth_chart"]


def side(one_s: float, rss: float, twenty_s: float) -> dict:
    return {"one_png": {"s": one_s, "peak_rss_mb": rss}, "twenty_png": {"s": twenty_s}}


def viewer(one_s: float, open_s: float, scrub_ms: float) -> dict:
    opened = {"s": open_s, "window_s": open_s / 2, "opened_s": open_s * 1.5, "longest_wait_s": 0.2}
    return {**side(one_s, 180.0, 3.0), "first_open": opened, "second_open": {**opened, "s": open_s * 0.8},
            "scrub": {"scrub_p95_ms": scrub_ms, "scrub_step_p95_ms": scrub_ms / 2}}


RESULTS = {
    "started": "20261203-160457", "load_average_start": 0.6, "qgis_skipped": None, "cpus": 2,
    "load_average_end": 1.1,
    "scales": {
        "embedded": {"dataset": "kachin.gpkg", "viewer": viewer(1.0, 1.1, 20.0), "qgis": side(1.8, 235.0, 4.7)},
        "1": {"dataset": "s1.gpkg", "viewer": viewer(1.1, 1.1, 19.0), "qgis": side(1.2, 236.0, 6.9)},
        "10": {"dataset": "s10.gpkg", "viewer": viewer(2.0, 1.6, 18.0),
               "qgis_error": "QGIS crashed"},
        "100": {"dataset": "s100.gpkg", "viewer": viewer(4.3, 4.1, 37.0), "qgis": side(7.3, 284.0, 106.0)},
    },
}


def test_the_growth_chart_has_a_panel_per_figure_with_qgis_beside_the_viewer_and_the_targets(
        qapp, growth_chart, tmp_path):
    out = tmp_path / "growth.png"
    panels = growth_chart.draw_growth(RESULTS, out)

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 1000)    # readable on a slide
    assert [p.title for p in panels] == [
        "One PNG, from process start", "Peak RSS of that process", "20 PNGs at 20 dates, one process",
        "Window start-up to map on screen", "Longest a click waits while opening",
        "Scrub p95, set date to map repainted"]
    one_png = panels[0]
    assert one_png.values["viewer"] == {"embedded": 1.0, "1": 1.1, "10": 2.0, "100": 4.3}
    # QGIS failed at 10x: its curve has no point there, and the heading says why
    assert one_png.values["QGIS 3.22"] == {"embedded": 1.8, "1": 1.2, "100": 7.3}
    assert "QGIS failed at 10×" in growth_chart.missing_note(RESULTS)
    twenty = panels[2]
    assert twenty.log and not panels[1].log       # 3 s to 106 s spans decades; RSS does not
    assert twenty.targets == [("100", pytest.approx(106.0 / 3), "QGIS's / 3")]
    assert panels[3].targets == [("embedded", 1.0, ""), ("100", 1.5, "")]
    assert panels[5].targets == [("100", 16.0, "")]

    title, machine = growth_chart.run_heading(RESULTS, None)
    assert "3 Dec 2026 16:04" in title and "from 1× to 10× to 100×" in title
    assert machine.startswith("commit not recorded") and "2 cpus" in machine and "1.1 at end" in machine
    assert "Python" not in machine     # a run that did not record its interpreter
    _, machine = growth_chart.run_heading({**RESULTS, "python": "Python 3.11.2 (/usr/bin/python3.11)"}, None)
    assert "Python 3.11.2 (/usr/bin/python3.11)" in machine
    colours = {QColor(image.pixel(x, y)).name() for x in range(0, 1600, 2) for y in range(100, 950, 2)}
    assert {"#1f5fbf", "#d9640f", "#7a3b9c"} <= colours    # viewer, QGIS and second-series colours drawn
