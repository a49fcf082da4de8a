"""One measurement per process, for benchmarks/run.py: each prints one JSON object.

    python benchmarks/probes.py load DATASET [--repeat K]
    python benchmarks/probes.py window DATASET [--repeat K] [--playback-seconds S]
    python benchmarks/probes.py export DATASET OUT_DIR [--repeat K] [--pack-frames N]
    python benchmarks/probes.py first-paint DATASET DATE

Nothing here touches the shipping code: paints are counted by event filters
installed from outside, and the app is driven through its public methods.
Memory and start-up probes must run in a fresh process (run.py does that).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATE = "2024-11-20"  # synth.py's default_date
WINDOW_SIZE = (1600, 1000)
EXPORT_SIZE = (1920, 1080)
TICK_S = 0.005               # first-paint: how often the event loop's turns are noted
PEER_SIZE = (1600, 1000)     # the size the QGIS / matplotlib figures were taken at


# -- figures --------------------------------------------------------------------
def peak_rss_mb() -> float:
    """The process's peak resident set so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def summary(prefix: str, seconds: list[float], unit: str = "ms") -> dict[str, float]:
    """median, p95 and max of timings, in ms or s, under `prefix_median_ms`-style keys."""
    import numpy as np

    factor = 1000.0 if unit == "ms" else 1.0
    values = np.asarray(seconds, dtype=float) * factor
    return {f"{prefix}_median_{unit}": round(float(np.median(values)), 3),
            f"{prefix}_p95_{unit}": round(float(np.percentile(values, 95)), 3),
            f"{prefix}_max_{unit}": round(float(values.max()), 3),
            f"{prefix}_n": len(values)}


def spread_dates(dataset, count: int, shuffled: bool = False) -> list[dt.date]:
    """`count` dates evenly over the dataset's range; in a fixed random order if `shuffled`."""
    import numpy as np

    span = (dataset.last_day - dataset.time_start).days
    offsets = np.unique(np.linspace(0, span, count).round().astype(int))
    if shuffled:
        offsets = np.random.default_rng(7).permutation(offsets)
    return [dataset.time_start + dt.timedelta(days=int(d)) for d in offsets]


def control_vertices(dataset) -> int:
    import shapely

    return int(shapely.get_num_coordinates(dataset.control.geometry.array).sum())


# -- load: reading, memory, the date query ------------------------------------------
def probe_load(args) -> dict:
    from viewer.io import read_dataset

    result: dict = {}
    started = time.perf_counter()
    dataset = read_dataset(args.dataset)
    result["load_s"] = round(time.perf_counter() - started, 3)
    result["peak_rss_load_mb"] = round(peak_rss_mb(), 1)
    result["rss_after_load_mb"] = round(current_rss_mb(), 1)
    result["control_rows"] = len(dataset.control)
    result["control_vertices"] = control_vertices(dataset)
    result.update(_query_figures(dataset, 100 * args.repeat))
    return result


def _query_figures(dataset, count: int) -> dict:
    """The model's 'what holds on day D': the index alone, and the row frames."""
    from viewer.model.dates import to_day

    dates = spread_dates(dataset, count, shuffled=True)
    index_times, frame_times, held = [], [], []
    for day in dates:
        started = time.perf_counter()
        control = dataset.control_index.indices(to_day(day))
        flows = dataset.flow_index.indices(to_day(day))
        index_times.append(time.perf_counter() - started)
        held.append(len(control) + len(flows))
    for day in dates:
        started = time.perf_counter()
        dataset.control_on(day)
        dataset.flows_on(day)
        frame_times.append(time.perf_counter() - started)
    figures = summary("query", index_times)
    figures.update(summary("query_frames", frame_times))
    figures["rows_held_median"] = int(sorted(held)[len(held) // 2])
    return figures


# -- window: scrubbing and playback in the real main window -------------------------
class PaintCounter:
    """Counts QEvent.Paint per watched widget, from an event filter outside the app."""

    def __init__(self, widgets) -> None:
        from PySide6.QtCore import QEvent, QObject

        counts = self.counts = {id(w): 0 for w in widgets}

        class Filter(QObject):
            def eventFilter(self, watched, event):  # noqa: N802 (Qt API)
                if event.type() == QEvent.Type.Paint and id(watched) in counts:
                    counts[id(watched)] += 1
                return False

        self._filter = Filter()
        for widget in widgets:
            widget.installEventFilter(self._filter)

    def __getitem__(self, widget) -> int:
        return self.counts[id(widget)]


def open_window(dataset_path: Path, date: dt.date, settings_dir: Path):
    """The real MainWindow, opened on `dataset_path` through its loader, shown at WINDOW_SIZE."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from viewer.qt.main_window import MainWindow

    app = QApplication.instance() or QApplication(["benchmark"])
    settings = QSettings(str(settings_dir / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.resize(*WINDOW_SIZE)
    window.show()
    started = time.perf_counter()
    opened = []
    window.opened.connect(lambda: opened.append(time.perf_counter()))
    window.open_dataset(dataset_path, date)
    while not opened:
        app.processEvents()
        time.sleep(0.002)
        if time.perf_counter() - started > 600:
            raise RuntimeError("the dataset did not open within 10 minutes")
    return app, window, opened[0] - started


def probe_window(args) -> dict:
    with tempfile.TemporaryDirectory() as settings_dir:
        app, window, ready = open_window(args.dataset, dt.date.fromisoformat(DEFAULT_DATE),
                                         Path(settings_dir))
        result = {"window_map_ready_s": round(ready, 3), "peak_rss_mb": round(peak_rss_mb(), 1),
                  "rss_after_window_mb": round(current_rss_mb(), 1),
                  "map_width_px": window.map.width(), "map_height_px": window.map.height()}
        dataset = window.state.dataset
        count = 20 * args.repeat
        spread = spread_dates(dataset, count)
        start = dt.date.fromisoformat(DEFAULT_DATE) - dt.timedelta(days=count // 2)
        patterns = {
            "scrub": spread_dates(dataset, count, shuffled=True),   # jumps anywhere
            "scrub_sweep": spread,                                   # a drag across the range
            "scrub_step": [start + dt.timedelta(days=i) for i in range(count)],  # day by day
        }
        for name, dates in patterns.items():
            result.update(scrub(app, window, dates, name))
        # The same jumps and steps with every date drawn in full, as when dates are
        # picked one at a time (the map draws drafts only while dates come quickly).
        from viewer.qt import map_canvas
        quick, map_canvas.SCRUB_GAP_S = getattr(map_canvas, "SCRUB_GAP_S", None), 0.0
        for name in ("scrub", "scrub_step"):
            result.update(scrub(app, window, patterns[name], f"{name}_full"))
        map_canvas.SCRUB_GAP_S = quick
        result["peak_rss_after_scrub_mb"] = round(peak_rss_mb(), 1)
        if args.playback_seconds > 0:
            for speed in (365, 30):
                result.update(playback(app, window, speed, args.playback_seconds))
        window.close()
        return result


def scrub(app, window, dates: list[dt.date], name: str) -> dict:
    """set_date, then the map and the timeline repainted; timed per date.

    Dates follow each other as fast as they are drawn, as in a drag along the
    timeline, so the map shows drafts after the first (MapCanvas); the `_full`
    patterns of probe_window time full frames.

    The map is repainted synchronously (`repaint()`); the timeline is a
    QGraphicsView whose scene queues its updates, so events are processed until
    its viewport has painted. Whatever else the window repaints for the new
    date (date field, details) is painted in the same pass and counted too.
    """
    state, canvas = window.state, window.map
    viewport = window.timeline.view.viewport()
    counter = PaintCounter([canvas, viewport])
    state.set_date(dates[-1] - dt.timedelta(days=1))
    app.processEvents()
    totals, signals, maps, timelines, missed = [], [], [], [], 0
    for day in dates:
        painted = counter[viewport]
        started = time.perf_counter()
        state.set_date(day)
        after_signal = time.perf_counter()
        canvas.repaint()
        after_map = time.perf_counter()
        while counter[viewport] == painted and time.perf_counter() - after_map < 2.0:
            app.processEvents()
        done = time.perf_counter()
        missed += counter[viewport] == painted
        totals.append(done - started)
        signals.append(after_signal - started)
        maps.append(after_map - after_signal)
        timelines.append(done - after_map)
    figures = summary(name, totals)
    figures.update(summary(f"{name}_set_date", signals))
    figures.update(summary(f"{name}_map", maps))
    figures.update(summary(f"{name}_timeline", timelines))
    figures[f"{name}_timeline_not_repainted"] = missed
    return {k: v for k, v in figures.items() if not k.endswith("_n") or k == f"{name}_n"}


def playback(app, window, days_per_second: int, seconds: float) -> dict:
    """The real Playback controller at `days_per_second`, looping; map paints per second."""
    from PySide6.QtCore import QEventLoop, QTimer

    state, canvas, player = window.state, window.map, window.playback
    counter = PaintCounter([canvas])
    shown = []
    listener = lambda day: shown.append(day)  # noqa: E731
    state.date_changed.connect(listener)
    state.set_date(state.dataset.time_start)
    app.processEvents()
    player.set_speed(days_per_second)
    player.set_loop(True)
    before = counter[canvas]
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    shown.clear()
    started = time.perf_counter()
    player.play()
    loop.exec()
    elapsed = time.perf_counter() - started
    player.pause()
    state.date_changed.disconnect(listener)
    suffix = "" if days_per_second == 365 else f"_{days_per_second}"
    return {f"playback_fps{suffix}": round((counter[canvas] - before) / elapsed, 2),
            f"playback_dates_per_s{suffix}": round(len(shown) / elapsed, 2),
            f"playback_speed_days_per_s{suffix}": days_per_second}


# -- export: one PNG, and a briefing pack ---------------------------------------------
def probe_export(args) -> dict:
    from PySide6.QtGui import QGuiApplication

    from viewer.io import read_dataset
    from viewer.export import ExportOptions, export_pack, export_png, render_export
    from viewer.render.renderer import MapRenderer

    app = QGuiApplication.instance() or QGuiApplication(["benchmark"])  # noqa: F841 (fonts)
    dataset = read_dataset(args.dataset)
    started = time.perf_counter()
    renderer = MapRenderer(dataset)
    result = {"renderer_build_s": round(time.perf_counter() - started, 3),
              "peak_rss_renderer_mb": round(peak_rss_mb(), 1)}
    out = Path(args.out_dir)
    options = ExportOptions(*EXPORT_SIZE)
    dates = spread_dates(dataset, args.repeat + 1, shuffled=True)
    started = time.perf_counter()
    export_png(dataset, dt.date.fromisoformat(DEFAULT_DATE), out / "first.png", options,
               overwrite=True, renderer=renderer)
    result["export_png_first_s"] = round(time.perf_counter() - started, 3)
    totals, encodes = [], []
    for i, day in enumerate(dates[: args.repeat]):
        path = out / f"png-{i}.png"
        started = time.perf_counter()
        export_png(dataset, day, path, options, overwrite=True, renderer=renderer)
        totals.append(time.perf_counter() - started)
        image = render_export(renderer, day, options)  # the cached frame: only the encode is timed
        started = time.perf_counter()
        image.save(str(out / "encode.png"), "PNG")
        encodes.append(time.perf_counter() - started)
    result.update(summary("export_png", totals, "s"))
    result.update(summary("export_png_encode", encodes, "s"))
    peer = ExportOptions(*PEER_SIZE)
    peer_times = []
    for i, day in enumerate(dates[: args.repeat]):
        started = time.perf_counter()
        export_png(dataset, day, out / f"peer-{i}.png", peer, overwrite=True, renderer=renderer)
        peer_times.append(time.perf_counter() - started)
    result.update(summary("export_png_1600x1000", peer_times, "s"))
    pack_dir = out / "pack"
    pack_dir.mkdir(exist_ok=True)
    pack_dates = spread_dates(dataset, args.pack_frames)
    started = time.perf_counter()
    export_pack(dataset, pack_dates, pack_dir, options, overwrite=True, renderer=renderer)
    elapsed = time.perf_counter() - started
    result["export_pack_frames"] = len(pack_dates)
    result["export_pack_total_s"] = round(elapsed, 3)
    result["export_pack_per_frame_s"] = round(elapsed / len(pack_dates), 4)
    result["peak_rss_export_mb"] = round(peak_rss_mb(), 1)
    return {k: v for k, v in result.items() if not k.endswith("_n")}


# -- first paint: the app as launched, watched from outside ---------------------------
def probe_first_paint(args) -> None:
    """Run the app's own entry point; print wall-clock times of its first paints, then exit.

    An application-wide event filter sees every Paint event. A zero-delay timer
    armed at the first one fires once that paint pass (every widget painted and
    flushed to the screen) is over: that is when the window is on screen. The
    map is on screen when the window's first `repaint()` of it returns (Qt paints
    and flushes it there; `map_painted`, the timer armed at its first paint, fires
    a few ms later); `opened` once the window says it has built its timeline and
    panels too. From the map on screen to `opened`, a timer ticking every
    TICK_S notes how long the event loop went without running: `longest_wait`,
    the longest a click or key press then waited to be handled.
    The hooks are installed as the window's modules are imported,
    so the app imports and builds everything in its own order.
    """
    marks: dict[str, float] = {}
    ticks: list[float] = []
    timers: list = []          # the ticking timer, kept alive

    def mark(name: str) -> None:
        marks.setdefault(name, time.time())
        if {"map_painted", "opened"} <= marks.keys():
            ticks.append(marks["opened"])
            marks["longest_wait"] = max(b - a for a, b in zip(ticks, ticks[1:]))
            print(json.dumps(marks), flush=True)
            # As a normal exit would: what the window stores once it has opened the
            # file (viewer/io/cache.py) is written, for the next launch ("second open").
            from viewer.io import cache

            cache.finish_writing()
            os._exit(0)

    def tick_from_map_shown() -> None:
        from PySide6.QtCore import QTimer

        ticks.append(marks["map_shown"])
        timer = QTimer(interval=round(TICK_S * 1000))
        timer.timeout.connect(lambda: ticks.append(time.time()))
        timer.start()
        timers.append(timer)

    def watch_paints(app) -> None:
        from PySide6.QtCore import QEvent, QObject, QTimer

        class Watcher(QObject):
            def eventFilter(self, watched, event):  # noqa: N802 (Qt API)
                if event.type() == QEvent.Type.Paint:
                    kind = type(watched).__name__
                    if "window_painted" not in marks and "window_paint" not in marks:
                        marks["window_paint"] = time.time()
                        QTimer.singleShot(0, lambda: mark("window_painted"))
                    if kind == "MapCanvas" and "map_paint" not in marks:
                        marks["map_paint"] = time.time()
                        QTimer.singleShot(0, lambda: mark("map_painted"))
                return False

        app.installEventFilter(Watcher(app))
        QTimer.singleShot(600_000, lambda: (print(json.dumps(marks), flush=True), os._exit(1)))

    def hook_window(window_class) -> None:
        show = window_class.show

        def show_watched(window) -> None:
            from PySide6.QtWidgets import QApplication

            watch_paints(QApplication.instance())
            window.opened.connect(lambda: mark("opened"))
            show(window)

        window_class.show = show_watched

    def hook_map(canvas_class) -> None:
        repaint = canvas_class.repaint

        def repaint_watched(canvas, *args) -> None:
            repaint(canvas, *args)
            if "map_paint" in marks and "map_shown" not in marks:
                # The process's CPU time (all threads) until then: how much work
                # the first map cost, whatever else the machine was doing.
                usage = resource.getrusage(resource.RUSAGE_SELF)
                marks["cpu_to_map_s"] = usage.ru_utime + usage.ru_stime
                mark("map_shown")
                tick_from_map_shown()

        canvas_class.repaint = repaint_watched

    _after_import("viewer.qt.main_window", lambda module: hook_window(module.MainWindow))
    _after_import("viewer.qt.map_canvas", lambda module: hook_map(module.MapCanvas))
    from viewer.app import main

    main([str(args.dataset), "--date", args.date])


def _after_import(name: str, then) -> None:
    """Call `then(module)` once module `name` has been imported by whoever imports it."""
    import importlib.abc
    import importlib.machinery

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, path, target=None):
            if fullname != name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            execute = spec.loader.exec_module

            def exec_module(module) -> None:
                execute(module)
                then(module)

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, Finder())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("load", "window", "export", "first-paint"):
        command = commands.add_parser(name)
        command.add_argument("dataset", type=Path)
        if name == "export":
            command.add_argument("out_dir", type=Path)
            command.add_argument("--pack-frames", type=int, default=100)
        if name == "first-paint":
            command.add_argument("date", nargs="?", default=DEFAULT_DATE)
        command.add_argument("--repeat", type=int, default=10)
        command.add_argument("--playback-seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    if args.command == "first-paint":
        probe_first_paint(args)
        return 1
    probe = {"load": probe_load, "window": probe_window, "export": probe_export}[args.command]
    print(json.dumps(probe(args)), flush=True)
    os._exit(0)  # skip tearing down Qt and a large heap: it is not what is measured


if __name__ == "__main__":
    raise SystemExit(main())
