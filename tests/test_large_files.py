"""Large files load off the GUI thread: the window keeps handling events meanwhile."""
import datetime as dt
import resource

import geopandas as gpd
import numpy as np
import pandas as pd
from PySide6.QtCore import QSettings, QTimer
from shapely.geometry import MultiPolygon, Point, Polygon

from factory import tiny_layers
from viewer.io.gpkg_write import write_gpkg
from viewer.qt.main_window import MainWindow

MILLION = 1_000_000
ROWS = 100_000


def heavy_layers() -> dict[str, pd.DataFrame]:
    layers = tiny_layers()
    angles = np.linspace(0, 2 * np.pi, MILLION, endpoint=False)
    radius = 0.2 * (1 + 0.05 * np.sin(angles * 400))
    ring = np.column_stack([97.75 + radius * np.cos(angles), 25.25 + radius * np.sin(angles)])
    huge = MultiPolygon([Polygon(ring)])
    for name in ("areas", "control"):
        frame = layers[name]
        layers[name] = gpd.GeoDataFrame(frame.drop(columns="geometry"), crs=4326,
                                        geometry=[huge if a == "zone-east" else g for a, g
                                                  in zip(frame["area_id"], frame.geometry)])
    days = pd.date_range("2024-01-01", "2024-12-31", periods=ROWS).date
    layers["events"] = gpd.GeoDataFrame({
        "event_id": [f"e{i}" for i in range(ROWS)], "date": days, "date_precision": "day",
        "title": [f"Event {i}" for i in range(ROWS)], "category": "trade",
        "source_ids": "s1", "importance": 1 + np.arange(ROWS) % 3},
        geometry=[Point(97.25, 25.25)] * ROWS, crs=4326)
    return layers


def test_a_million_vertex_polygon_and_100k_rows_load_while_the_window_responds(qtbot, tmp_path):
    path = tmp_path / "heavy.gpkg"
    write_gpkg(heavy_layers(), path)
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    ticks, progress = [], []
    heartbeat = QTimer(interval=10, timeout=lambda: ticks.append(1))
    window.loader.progress.connect(lambda *args: progress.append(args))
    heartbeat.start()
    with qtbot.waitSignal(window.opened, timeout=120_000):
        window.open_dataset(path, dt.date(2024, 11, 1))
    heartbeat.stop()
    assert len(ticks) >= 5, "the GUI thread was blocked while the file loaded"
    assert len(progress) >= 3, "loading showed no progress"
    assert len(window.state.dataset.events) == ROWS
    window.state.set_date(dt.date(2024, 12, 1))
    window.repaint()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < 3000
