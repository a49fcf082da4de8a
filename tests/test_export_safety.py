"""Issue 17, items 9-11 and 15: an export never loses a previous pack, is complete
or absent, refuses a second writer, and says so when the disk is full."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from factory import tiny_layers, write_tiny
from viewer.cli import main
from viewer.export import ExportCancelled, ExportError, ExportOptions, TargetExists, export_pack
from viewer.export import export_png
from viewer.io import read_dataset

SMALL = ExportOptions(width=320, height=200)
DATES = [dt.date(2024, 10, 19), dt.date(2024, 10, 22), dt.date(2024, 11, 1)]
HANG_LIMIT_S = 60


@pytest.fixture
def tiny(tmp_path) -> Path:
    return write_tiny(tmp_path / "tiny.gpkg")


@pytest.fixture(autouse=True)
def fonts(qapp):
    """Rendering needs an application (for fonts); conftest's `dataset` is the tiny briefing."""


def contents(folder: Path) -> dict[str, bytes]:
    """Every file in `folder`, hidden ones included, by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()} | {
        p.name + "/": b"" for p in folder.iterdir() if p.is_dir()}


@pytest.fixture
def old_pack(dataset, tmp_path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "pack"
    export_pack(dataset, DATES, out, SMALL)
    return out, contents(out)


def failing_on_map(monkeypatch, number: int, error: BaseException) -> None:
    from viewer.export import pack

    calls = []
    original = pack.render_export

    def render(*args):
        calls.append(1)
        if len(calls) == number:
            raise error
        return original(*args)
    monkeypatch.setattr(pack, "render_export", render)


def test_a_failed_forced_pack_leaves_the_previous_pack_as_it_was(dataset, old_pack, monkeypatch):
    out, before = old_pack
    failing_on_map(monkeypatch, 3, ExportError("could not draw"))
    with pytest.raises(ExportError):
        export_pack(dataset, DATES, out, ExportOptions(width=400, height=300), overwrite=True)
    assert contents(out) == before


def test_a_cancelled_forced_pack_leaves_the_previous_pack_as_it_was(dataset, old_pack):
    out, before = old_pack
    asked = []
    with pytest.raises(ExportCancelled):
        export_pack(dataset, DATES, out, ExportOptions(width=400, height=300), overwrite=True,
                    cancelled=lambda: asked.append(1) or len(asked) > 2)
    assert contents(out) == before


def test_a_forced_pack_replaces_the_previous_one_whole(dataset, old_pack):
    out, before = old_pack
    export_pack(dataset, DATES, out, ExportOptions(width=400, height=300), overwrite=True)
    after = contents(out)
    assert sorted(after) == sorted(before)
    assert all(after[name] != before[name] for name in after if name.endswith(".png"))


def test_a_killed_pack_export_leaves_no_half_pack(tiny, dataset, tmp_path):
    out = tmp_path / "pack"
    out.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "viewer", "export", "--dataset", str(tiny), "--every", "day",
         "--from", "2024-06-01", "--to", "2024-12-31", "--width", "320", "--height", "200",
         "--out-dir", str(out)], env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + HANG_LIMIT_S
        while len(list(out.rglob("*.png"))) < 5:
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == []
    export_pack(dataset, DATES, out, SMALL)  # the next export clears the killed one's folder
    assert sorted(p.name for p in out.iterdir()) == [
        "01_2024-10-19.png", "02_2024-10-22.png", "03_2024-11-01.png", "index.html"]


def test_a_second_export_into_the_same_folder_is_refused(dataset, tmp_path):
    out = tmp_path / "pack"
    out.mkdir()
    first_running, release = threading.Event(), threading.Event()
    errors = []

    def slow_progress(_text, _fraction):
        first_running.set()
        release.wait(HANG_LIMIT_S)

    def first():
        try:
            export_pack(dataset, DATES, out, SMALL, progress=slow_progress)
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)
    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert first_running.wait(HANG_LIMIT_S)
        with pytest.raises(ExportError, match="another export is writing into"):
            export_pack(dataset, DATES, out, SMALL)
    finally:
        release.set()
        thread.join(HANG_LIMIT_S)
    assert errors == [] and (out / "index.html").is_file()


def test_a_png_that_appears_meanwhile_is_not_replaced_without_force(dataset, tmp_path,
                                                                     monkeypatch):
    from viewer.export import png

    target = tmp_path / "map.png"
    original = png.render_export

    def render_while_another_export_writes(*args):
        target.write_bytes(b"the other export's map")
        return original(*args)
    monkeypatch.setattr(png, "render_export", render_while_another_export_writes)
    with pytest.raises(TargetExists):
        export_png(dataset, DATES[0], target, SMALL)
    assert target.read_bytes() == b"the other export's map"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# -- item 11: a full disk --------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    """A 300 KB file system (a tmpfs; needs root, as CI has)."""
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(folder)],
            capture_output=True).returncode != 0:
        pytest.skip("mounting a small file system needs root")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_says_how_much_room_the_pack_needs(tiny, small_disk, capfd):
    code = main(["export", "--dataset", str(tiny), "--dates", ",".join(map(str, DATES)),
                 "--out-dir", str(small_disk)])
    errors = capfd.readouterr().err
    assert code == 1
    assert errors.startswith("error: disk full (")
    assert " MB needed, " in errors and "libpng" not in errors
    assert list(small_disk.iterdir()) == []


def test_a_full_disk_leaves_no_truncated_handout(qapp, tmp_path, small_disk, capfd):
    """Qt's PDF writer says nothing when the disk fills: a 48 KB start of a 12 MB
    handout was left, with the handout's name printed as done."""
    from factory import briefing_layers

    briefed = write_tiny(tmp_path / "briefed.gpkg", **briefing_layers())
    code = main(["export", "--dataset", str(briefed), "--briefing", "--pdf",
                 str(small_disk / "h.pdf")])
    assert code == 1
    assert capfd.readouterr().err.startswith("error: disk full (")
    assert list(small_disk.iterdir()) == []


# -- item 15: huge strings -------------------------------------------------------------
def test_the_pack_index_cuts_huge_texts_short(qapp, tmp_path):
    layers = tiny_layers()
    layers["events"].loc[0, "title"] = "A" * 1_000_000
    layers["sources"].loc[0, "title"] = "B" * 1_000_000
    layers["sources"].loc[0, "url"] = "https://a.example/" + "c" * 1_000_000
    dataset = read_dataset(write_tiny(tmp_path / "huge.gpkg", events=layers["events"],
                                      sources=layers["sources"]))
    result = export_pack(dataset, DATES, tmp_path / "pack", SMALL)
    page = result.index.read_text()
    assert len(page) < 100_000
    assert "A" * 2_000 + "… [998,000 more characters not shown; see the dataset]" in page


def test_running_out_of_memory_is_one_error_line(dataset, tmp_path, monkeypatch):
    failing_on_map(monkeypatch, 2, MemoryError())
    with pytest.raises(ExportError, match="^out of memory while making the pack of 3 maps"):
        export_pack(dataset, DATES, tmp_path / "pack", SMALL)
    assert not (tmp_path / "pack").exists()


@pytest.mark.slow
def test_ctrl_c_during_a_handout_ends_with_130_and_leaves_nothing(tmp_path):
    """One time in eight the process crashed (exit -11) as the interrupted drawing's Qt
    objects were freed."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    for delay in (1.5, 2.0, 2.5, 3.0, 3.5):
        process = subprocess.Popen([sys.executable, "-m", "viewer", "export", "--briefing", "--pdf",
                                    str(tmp_path / "h.pdf")], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        err = process.communicate(timeout=60)[1]
        pdf = tmp_path / "h.pdf"
        # It had finished first; or it had, and Ctrl+C came as Python was shutting down,
        # which restores the default handler (-2): the handout is whole all the same.
        # Or Ctrl+C came once it was whole, and the message says so.
        if process.returncode == 0 or (process.returncode == -signal.SIGINT and pdf.exists()) \
                or err.strip().endswith(f"error: interrupted after {pdf} had been written (whole; kept)"):
            assert list(tmp_path.iterdir()) == [pdf] and pdf.read_bytes().rstrip().endswith(b"%%EOF")
            pdf.unlink()
            continue
        assert process.returncode == 130 and err.strip().endswith("error: interrupted")
        assert list(tmp_path.iterdir()) == []
