"""Soak: 10,000 date changes and 200 exports in one process, memory sampled.

    python benchmarks/soak.py [--dataset PATH] [--changes 10000] [--exports 200] [--json OUT]

The real window is built offscreen; each date change is followed by a
synchronous repaint of the map and timeline, as a user scrubbing would cause.
Resident memory (current RSS, from /proc/self/statm) is sampled along the way;
growth is measured from the end of a warm-up (the first 10% of each phase) to
the end. Target: under 5% growth after warm-up.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_MB


def growth(samples: list[float]) -> float:
    warm = samples[max(1, len(samples) // 10)]
    return 100 * (samples[-1] - warm) / warm


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from viewer.cli import EMBEDDED_DATASET
    from viewer.qt.main_window import MainWindow
    from viewer.export import ExportOptions, export_png

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=EMBEDDED_DATASET)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--exports", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    window = MainWindow(settings=QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
    window.resize(1600, 1000)
    window.show()
    loaded = []
    window.opened.connect(lambda: loaded.append(True))
    window.open_dataset(args.dataset)
    while not loaded:
        app.processEvents()
    app.processEvents()
    state = window.state
    first, span = state.dataset.time_start, (state.dataset.last_day - state.dataset.time_start).days

    scrub_samples, started = [rss_mb()], time.perf_counter()
    for i in range(args.changes):
        # a walk that mixes day steps with jumps, like scrubbing and clicking
        offset = (i * 37) % span if i % 10 == 0 else (state.date - first).days + 1
        state.set_date(first + dt.timedelta(days=offset % span))
        window.repaint()
        app.processEvents()
        if i % max(1, args.changes // 50) == 0:
            scrub_samples.append(rss_mb())
    scrub_samples.append(rss_mb())
    scrub_s = time.perf_counter() - started

    export_samples, started = [rss_mb()], time.perf_counter()
    options = ExportOptions(width=1920, height=1080)
    for i in range(args.exports):
        day = first + dt.timedelta(days=(i * 53) % span)
        export_png(state.dataset, day, folder / "soak.png", options, overwrite=True)
        if i % max(1, args.exports // 40) == 0:
            export_samples.append(rss_mb())
    export_samples.append(rss_mb())
    export_s = time.perf_counter() - started

    figures = {
        "soak_date_changes": args.changes, "soak_exports": args.exports,
        "soak_scrub_seconds": round(scrub_s, 1), "soak_export_seconds": round(export_s, 1),
        "soak_rss_start_mb": round(scrub_samples[0], 1),
        "soak_rss_end_mb": round(export_samples[-1], 1),
        "soak_scrub_growth_pct": round(growth(scrub_samples), 2),
        "soak_export_growth_pct": round(growth(export_samples), 2),
        "soak_total_growth_after_warmup_pct": round(growth(scrub_samples + export_samples), 2),
    }
    for key, value in figures.items():
        print(f"{key}={value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
