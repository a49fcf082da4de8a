"""Several run.py results side by side, as a Markdown table.

    python benchmarks/table.py benchmarks/results/scale-1.json benchmarks/results/scale-100.json
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

# The figures worth a row, in reading order; others are in the JSON.
KEYS = (
    "control_rows", "control_vertices", "rows_held_median",
    "load_s", "peak_rss_load_mb", "query_median_ms", "query_p95_ms", "query_frames_median_ms",
    "window_map_ready_s", "peak_rss_mb",
    "scrub_median_ms", "scrub_p95_ms", "scrub_map_median_ms", "scrub_timeline_median_ms",
    "scrub_sweep_median_ms", "scrub_sweep_p95_ms", "scrub_step_median_ms", "scrub_step_p95_ms",
    "playback_fps", "playback_fps_30",
    "renderer_build_s", "export_png_first_s", "export_png_median_s", "export_png_p95_s",
    "export_png_encode_median_s", "export_png_1600x1000_median_s", "export_pack_per_frame_s",
    "startup_window_s", "startup_map_s", "startup_export_s",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--all", action="store_true", help="every key, not just the main ones")
    args = parser.parse_args(argv)
    runs = [json.loads(path.read_text()) for path in args.files]
    keys = list(KEYS)
    if args.all:
        keys += sorted({k for run in runs for k in run if k not in KEYS and k not in ("targets", "meta")})
    header = [path.stem for path in args.files]
    print("| key | " + " | ".join(header) + " |")
    print("|---|" + "---:|" * len(header))
    for key in keys:
        if any(key in run for run in runs):
            print(f"| {key} | " + " | ".join(str(run.get(key, "")) for run in runs) + " |")
    print("| load average (start → end) | " + " | ".join(
        f"{run['meta']['load_average_start']} → {run['meta']['load_average_end']}" for run in runs) + " |")
    for i, run in enumerate(runs):
        for target in run.get("targets", []):
            verdict = "met" if target["met"] else "NOT met"
            print(f"- {header[i]}: {target['key']} ≤ {target['limit']}: {verdict} ({target['value']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
