"""Run every benchmark at one scale; print `name=value` lines and write them as JSON.

    python benchmarks/run.py --scale 100 --json benchmarks/results/scale-100.json

The synthetic dataset for (scale, seed) is generated once by synth.py and
cached. Each measurement runs in a fresh process (benchmarks/probes.py), so
memory and start-up figures are those of a real launch; start-up is timed on
an Xvfb X server (the xcb platform, as users run it), everything else on
Qt's offscreen platform. See benchmarks/README.md for what each key means.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PROBES = HERE / "probes.py"
SYNTH = HERE / "synth.py"
DEFAULT_DATE = "2024-11-20"

# (key, limit, scales it applies to, "max" = value must not exceed limit)
TARGETS = [
    ("scrub_p95_ms", 16.0, (1,)),
    ("scrub_p95_ms", 50.0, (100,)),
    ("query_median_ms", 1.0, (1, 10, 100)),
    ("export_png_median_s", 0.3, (1,)),
    ("export_png_median_s", 1.5, (100,)),
    ("startup_window_s", 2.0, (1,)),
    ("peak_rss_mb", 500.0, (100,)),
    # Half of QGIS 3.22's 0.55 s per 1600x1000 frame at 100x, measured on this machine.
    ("export_png_1600x1000_median_s", 0.275, (100,)),
]


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


# -- the dataset ---------------------------------------------------------------------
def cache_dir() -> Path:
    base = os.environ.get("KACHIN_BENCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "kachin-viewer-bench")
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def dataset_for(scale: int, seed: int) -> Path:
    """The cached synthetic dataset; regenerated when synth.py changes."""
    version = hashlib.sha256(SYNTH.read_bytes()).hexdigest()[:12]
    path = cache_dir() / f"synth-scale{scale}-seed{seed}-{version}.gpkg"
    if not path.exists():
        log(f"generating {path.name} (scale {scale}) …")
        started = time.perf_counter()
        subprocess.run([sys.executable, str(SYNTH), "--scale", str(scale), "--seed", str(seed),
                        "--out", str(path)], check=True, stdout=subprocess.DEVNULL)
        log(f"generated in {time.perf_counter() - started:.1f} s")
    return path


# -- running probes ------------------------------------------------------------------
def compile_bytecode() -> None:
    """The viewer's bytecode, compiled as installing it (or `make`) does: the probes
    must not write it (PYTHONDONTWRITEBYTECODE), nor compile it at every start."""
    import compileall

    compileall.compile_dir(ROOT / "viewer", quiet=1)


def probe_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment: offscreen Qt, settings in a throwaway folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def run_probe(args: list[str], env: dict[str, str], timeout: float = 900) -> dict:
    """Run probes.py with `args`; its last stdout line is a JSON object."""
    load_before = load_average()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(PROBES), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"probe {args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    result = json.loads(lines[-1])
    log(f"probe {args[0]}: {time.perf_counter() - started:.1f} s, "
        f"load average {load_before} -> {load_average()}")
    return result


class Xvfb:
    """A private X server on a free display, stopped by its own pid."""

    def __enter__(self) -> str | None:
        self.server = None
        if not shutil.which("Xvfb"):
            return None
        self.server = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1920x1080x24",
                                        "-nolisten", "tcp"],
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        number = self.server.stdout.readline().decode().strip()
        return f":{number}" if number else None

    def __exit__(self, *_exc) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)


def startup_figures(dataset: Path, launches: int, home: Path) -> dict:
    """Launch to the window's first paint and to the map's, on Xvfb (else offscreen)."""
    with Xvfb() as display:
        extra = {"DISPLAY": display, "QT_QPA_PLATFORM": "xcb"} if display else {}
        window, drawn = [], []
        for i in range(launches):
            launch_home = home / f"launch-{i}"   # no saved window state or last file
            env = probe_env(launch_home, **extra)
            started = time.time()
            marks = run_probe(["first-paint", str(dataset), DEFAULT_DATE], env)
            window.append(marks["window_painted"] - started)
            drawn.append(marks["map_painted"] - started)
    figures = summary_s("startup_window", window)
    figures.update(summary_s("startup_map", drawn))
    figures["startup_platform"] = "xcb (Xvfb)" if display else "offscreen"
    return figures


def cli_export_figures(dataset: Path, launches: int, home: Path) -> dict:
    """`python -m viewer export … --out x.png`: process start to exit, wall clock."""
    env = probe_env(home)
    out = home / "cli-export.png"
    times = []
    for _ in range(launches):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "viewer", "export", "--dataset", str(dataset),
                        "--date", DEFAULT_DATE, "--out", str(out), "--force"],
                       env=env, cwd=ROOT, check=True, capture_output=True, timeout=900)
        times.append(time.perf_counter() - started)
    return summary_s("startup_export", times)


def summary_s(prefix: str, seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {f"{prefix}_s": round(statistics.median(seconds), 3),
            f"{prefix}_p95_s": round(p95, 3), f"{prefix}_n": len(seconds)}


# -- reporting ---------------------------------------------------------------------------
def check_targets(figures: dict, scale: int) -> list[dict]:
    checked = []
    for key, limit, scales in TARGETS:
        if scale in scales and isinstance(figures.get(key), (int, float)):
            checked.append({"key": key, "value": figures[key], "limit": limit,
                            "met": figures[key] <= limit})
    return checked


def git_revision() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "viewer"], cwd=ROOT,
                               text=True, capture_output=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="where to write the figures "
                        "(default benchmarks/results/scale-N-<time>.json)")
    parser.add_argument("--repeat", type=int, default=10,
                        help="repetitions: K PNG exports, 20K scrub dates per pattern, "
                             "100K query dates, K/2 launches (default 10)")
    parser.add_argument("--quick", action="store_true",
                        help="a rough pass: --repeat 3, a 20-frame pack, 2 s of playback")
    parser.add_argument("--only", nargs="+", choices=("load", "window", "export", "startup", "cli"),
                        help="run only these measurements")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else args.repeat
    launches = max(2, (repeat + 1) // 2)
    only = set(args.only or ("load", "window", "export", "startup", "cli"))
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.json or HERE / "results" / f"scale-{args.scale}-{stamp}.json"

    dataset = dataset_for(args.scale, args.seed)
    compile_bytecode()
    meta = {"scale": args.scale, "seed": args.seed, "dataset": str(dataset),
            "dataset_mb": round(dataset.stat().st_size / 1e6, 1), "repeat": repeat,
            "quick": args.quick, "revision": git_revision(), "started": stamp,
            "cpus": os.cpu_count(), "python": platform.python_version(),
            "load_average_start": load_average()}
    figures: dict = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kachin-bench-") as temp:
        home = Path(temp)
        steps = [
            ("load", lambda: run_probe(["load", str(dataset), "--repeat", str(repeat)],
                                       probe_env(home / "load"))),
            ("window", lambda: run_probe(["window", str(dataset), "--repeat", str(repeat),
                                          "--playback-seconds", "2" if args.quick else "5"],
                                         probe_env(home / "window"))),
            ("export", lambda: run_probe(["export", str(dataset), str(_folder(home / "export")),
                                          "--repeat", str(repeat),
                                          "--pack-frames", "20" if args.quick else "100"],
                                         probe_env(home / "export"))),
            ("startup", lambda: startup_figures(dataset, launches, home / "startup")),
            ("cli", lambda: cli_export_figures(dataset, launches, _folder(home / "cli"))),
        ]
        for name, step in steps:
            if name not in only:
                continue
            try:
                figures.update(step())
            except Exception as error:  # noqa: BLE001 — one failed probe must not lose the rest
                figures[f"{name}_error"] = str(error)[-500:]
                log(f"{name} failed: {error}")
            write_results(out, figures, args.scale, meta, started)  # a long run keeps what it has
    targets = write_results(out, figures, args.scale, meta, started)

    for key, value in figures.items():
        print(f"{key}={value}")
    for target in targets:
        print(f"target {target['key']}<={target['limit']}: "
              f"{'met' if target['met'] else 'NOT met'} ({target['value']})")
    log(f"wrote {out} in {meta['wall_s']} s")
    return 0


def write_results(out: Path, figures: dict, scale: int, meta: dict, started: float) -> list[dict]:
    meta["load_average_end"] = load_average()
    meta["wall_s"] = round(time.perf_counter() - started, 1)
    targets = check_targets(figures, scale)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**figures, "targets": targets, "meta": meta}, indent=1) + "\n")
    return targets


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


if __name__ == "__main__":
    raise SystemExit(main())
