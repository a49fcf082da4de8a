"""Exports: PNG with metadata, briefing packs, animations, and the command line's errors."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from viewer import __version__
from viewer.cli import main
from viewer.export import (ExportCancelled, ExportOptions, TargetExists, dates_every,
                                  export_animation, export_pack, export_png)
from viewer.render.renderer import MapRenderer

DAY = dt.date(2024, 11, 20)
SMALL = ExportOptions(width=640, height=360)


@pytest.fixture(autouse=True)
def app(qapp):
    """Fonts need an application; pytest-qt's is a QApplication, so widget tests can follow."""
    return qapp


@pytest.fixture
def tiny(tiny_gpkg) -> Path:
    return tiny_gpkg


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def run_cli(capsys, *args) -> tuple[int, str, str]:
    try:
        code = main(["export", *map(str, args)])
    except SystemExit as stop:  # an option argparse refuses (a malformed date)
        code = stop.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- one PNG ------------------------------------------------------------------------
def test_the_png_file_holds_every_pixel_of_the_map(dataset, tmp_path):
    """The faster zlib level the PNGs are written at loses nothing."""
    from viewer.export.png import render_export

    out = export_png(dataset, DAY, tmp_path / "map.png", SMALL)
    drawn = render_export(MapRenderer(dataset), DAY, SMALL)
    written = np.asarray(Image.open(out).convert("RGB"))
    rows = np.frombuffer(drawn.constBits(), np.uint8).reshape(drawn.height(), drawn.bytesPerLine())
    expected = rows[:, :4 * drawn.width()].reshape(drawn.height(), drawn.width(), 4)[..., 2::-1]
    assert np.array_equal(written, expected)


def test_png_has_size_dpi_and_metadata(dataset, tmp_path):
    out = export_png(dataset, DAY, tmp_path / "map.png", ExportOptions(width=1280, height=720, dpi=150))
    image = Image.open(out)
    assert image.size == (1280, 720)
    assert image.info["dpi"][0] == pytest.approx(150, abs=0.5)
    text = image.text
    assert text["Date shown"] == "2024-11-20"
    assert text["Dataset"] == "tiny.gpkg"
    assert text["Dataset SHA-256"] == dataset.sha256
    assert text["Software"] == f"Kachin Viewer {__version__}"
    minlon, minlat, maxlon, maxlat = map(float, text["Extent"].split(","))
    assert minlon < 97.0 < 98.0 < maxlon and minlat < 25.0 < 25.5 < maxlat
    assert "as of 20 Nov 2024" in text["Title"]
    assert set(text["Sources"].split(";")) == {"s1", "s2"}


def test_text_stays_readable_at_4k(dataset, tmp_path):
    """A 3840x2160 export is a sharper 1920x1080 one: the same layout, twice the pixels."""
    hd = pixels(export_png(dataset, DAY, tmp_path / "hd.png", ExportOptions(1920, 1080)))
    uhd = pixels(export_png(dataset, DAY, tmp_path / "uhd.png", ExportOptions(3840, 2160)))
    assert uhd.shape == (2160, 3840, 3)
    shrunk = np.asarray(Image.fromarray(uhd).resize((1920, 1080), Image.Resampling.BOX)).astype(int)
    assert np.mean(np.abs(shrunk - hd.astype(int))) < 6


def test_existing_file_is_kept_without_overwrite(dataset, tmp_path):
    target = tmp_path / "map.png"
    target.write_bytes(b"keep me")
    with pytest.raises(TargetExists):
        export_png(dataset, DAY, target, SMALL)
    assert target.read_bytes() == b"keep me"
    export_png(dataset, DAY, target, SMALL, overwrite=True)
    assert Image.open(target).size == (640, 360)


# -- the command line --------------------------------------------------------------------
def test_cli_png_matches_the_windows_export(dataset, tiny, tmp_path, capsys):
    """Same date, extent, size and layers: the same image from both entry points."""
    code, out, err = run_cli(capsys, "--dataset", tiny, "--date", "2024-11-20", "--out",
                             tmp_path / "cli.png", "--width", 800, "--height", 500,
                             "--extent", "97.1,25.0,97.9,25.5", "--layers", "base,control,flows,places")
    assert code == 0 and out.strip() == str(tmp_path / "cli.png")
    assert err.startswith("warning: at 800x500 the legend covers") and err.count("\n") == 1
    renderer = MapRenderer(dataset)
    options = ExportOptions(width=800, height=500, extent=renderer.extent_from_lonlat(97.1, 25.0, 97.9, 25.5),
                            layers={"base": True, "control": True, "flows": True, "places": True,
                                    "labels": False, "events": False})
    export_png(dataset, DAY, tmp_path / "window.png", options, renderer=renderer)
    assert np.array_equal(pixels(tmp_path / "cli.png"), pixels(tmp_path / "window.png"))


def test_a_whole_map_export_projects_the_simplified_outlines_not_every_vertex(tmp_path, monkeypatch):
    """Zones with thousands of vertices each: a whole-map PNG projects the few percent
    of their vertices it draws, not every one (the time and memory a large briefing's
    first map costs), and draws them where the full outlines are."""
    import shapely
    from factory import tiny_layers, write_tiny
    from shapely.geometry import Point

    from viewer.io import read_dataset
    from viewer.render import projection

    west, east = Point(97.25, 25.25).buffer(0.24, 1000), Point(97.75, 25.25).buffer(0.24, 1000)
    layers = tiny_layers()
    areas, control = layers["areas"], layers["control"]
    path = write_tiny(tmp_path / "dense.gpkg", areas=areas.set_geometry([west, east], crs=4326),
                      control=control.set_geometry([west, east, east], crs=4326))
    projected = []
    project = projection.Projector._project_coordinates

    def counting(projector, coords):
        projected.append(len(coords))
        return project(projector, coords)

    monkeypatch.setattr(projection.Projector, "_project_coordinates", counting)
    dataset = read_dataset(path)
    renderer = MapRenderer(dataset, one_frame=True)
    export_png(dataset, DAY, tmp_path / "map.png", SMALL, renderer=renderer)
    outline_vertices = int(shapely.get_num_coordinates([west, east]).sum())
    assert sum(projected) < outline_vertices / 10
    # The full outline, projected, lies within half a pixel of the drawn one.
    view = renderer.default_view(SMALL.width, SMALL.height)
    drawn = renderer.prepared.control.paths.path(1, view.metres_per_pixel)
    full = renderer.prepared.control.paths.projected([1])[0]
    outline = shapely.Polygon([(p.x(), p.y()) for p in drawn.toFillPolygon()])
    assert shapely.hausdorff_distance(outline.exterior, full.exterior) < 0.6 * view.metres_per_pixel


@pytest.mark.parametrize("args, message", [
    (["--date", "2024-13-01"], "is not a date"),
    (["--date", "2023-01-01"], "outside the dataset's range"),
    (["--dates", "2024-06-01,nope"], "is not a date"),
    # YYYY-MM-DD only, as `state` takes them: a space before the date was stripped here.
    (["--date", " 2024-10-01"], "' 2024-10-01' is not a date (YYYY-MM-DD)"),
    (["--dates", "2024-09-01,20241001"], "'20241001' is not a date (YYYY-MM-DD)"),
    (["--date", "2024-11-20", "--extent", "1,2,3"], "four numbers"),
    (["--date", "2024-11-20", "--layers", "base,roads"], "unknown layer"),
    # Far from the data: a blank map with another place's scale bar, written without a word.
    (["--date", "2024-11-20", "--extent", "0,0,1,1"],
     "--extent 0,0,1,1 holds none of the briefing's zones, routes, places or events"),
    # Only the base map there (the country's far corner): a map of none of the briefing.
    (["--date", "2024-11-20", "--extent", "96.5,24.5,96.6,24.6"],
     "--extent 96.5,24.5,96.6,24.6 holds none of the briefing's"),
    # Given where nothing uses them, each was ignored without a word.
    (["--date", "2024-11-20", "--fps", "5"], "--fps is only used by an animation"),
    (["--date", "2024-11-20", "--min-importance", "1"], "--min-importance is only used by --key-events"),
    (["--date", "2024-11-20", "--paper", "letter"], "--paper is only used by --briefing --pdf"),
    (["--date", "2024-11-20", "--from", "2024-01-01"], "--from is only used by --every"),
    (["--key-events", "--out-dir", "p", "--to", "2024-12-31"], "--to is only used by --every"),
    (["--key-events", "--out-dir", "p", "--caption", "Mine"], "--caption is only used by one image"),
    (["--dates", "2024-10-01,2024-11-01", "--out", "x.gif", "--dpi", "300"], "--dpi is only used by PNG"),
])
def test_cli_rejects_bad_input_with_one_error_line(tiny, tmp_path, capsys, args, message):
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run_cli(capsys, "--dataset", tiny, "--out", out / "map.png", *args)
    assert code != 0
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert "Traceback" not in err
    assert list(out.iterdir()) == []


def test_cli_missing_output_folder(tiny, tmp_path, capsys):
    code, _, err = run_cli(capsys, "--dataset", tiny, "--date", "2024-11-20",
                           "--out", tmp_path / "nowhere" / "map.png")
    assert code == 1 and err == f"error: output folder {tmp_path / 'nowhere'} does not exist\n"


def test_cli_unwritable_output_folder(tiny, tmp_path, capsys):
    if os.geteuid() == 0:
        folder = Path("/proc")          # even root cannot create files there
    else:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
    code, _, err = run_cli(capsys, "--dataset", tiny, "--date", "2024-11-20", "--out", folder / "m.png")
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(("error: could not write", "error: output folder"))
    assert not (folder / "m.png").exists()
    assert not any(p.name.startswith(".m.") for p in folder.iterdir())


def test_cli_output_folder_that_is_a_file(tiny, capsys):
    code, _, err = run_cli(capsys, "--dataset", tiny, "--date", "2024-11-20", "--out", tiny / "m.png")
    assert code == 1 and err == f"error: {tiny} is not a folder\n"


def test_cli_existing_file_needs_force(tiny, tmp_path, capsys):
    target = tmp_path / "map.png"
    target.write_bytes(b"old")
    code, _, err = run_cli(capsys, "--dataset", tiny, "--date", "2024-11-20", "--out", target)
    assert code == 1 and "already exists (use --force to overwrite)" in err
    assert target.read_bytes() == b"old"
    code, _, _ = run_cli(capsys, "--dataset", tiny, "--date", "2024-11-20", "--out", target, "--force",
                         "--width", 320, "--height", 200)
    assert code == 0 and Image.open(target).size == (320, 200)


def test_cli_broken_dataset(tmp_path, capsys):
    broken = tmp_path / "broken.gpkg"
    broken.write_text("not a geopackage")
    code, _, err = run_cli(capsys, "--dataset", broken, "--date", "2024-11-20", "--out", tmp_path / "m.png")
    assert code == 1 and err.startswith("error: broken.gpkg") and "Traceback" not in err
    assert not (tmp_path / "m.png").exists()


def test_cli_exports_headless_without_a_display(tiny, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from viewer.cli import main; sys.exit(main(sys.argv[1:]))",
         "export", "--dataset", str(tiny), "--date", "2024-11-20", "--out", str(tmp_path / "m.png"),
         "--width", "400", "--height", "300"],
        env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # One line, the legend's: Qt says nothing headless.
    assert result.stderr.startswith("warning: at 400x300 the legend covers") and result.stderr.count("\n") == 1
    assert Image.open(tmp_path / "m.png").size == (400, 300)


# -- briefing packs -------------------------------------------------------------------------
def test_pack_has_numbered_images_and_an_index_of_events_and_sources(dataset, tmp_path):
    result = export_pack(dataset, [dt.date(2024, 10, 22), dt.date(2024, 10, 19)], tmp_path, SMALL)
    assert [p.name for p in result.images] == ["01_2024-10-19.png", "02_2024-10-22.png"]
    page = result.index.read_text(encoding="utf-8")
    assert "as of 19 Oct 2024" in page and "as of 22 Oct 2024" in page
    assert "KIA takes Easttown" in page and "Gate closes" in page
    assert "Outlet A" in page and "https://a.example/1" in page
    assert page.index("KIA takes Easttown") < page.index("Gate closes")
    assert Image.open(result.images[0]).text["Date shown"] == "2024-10-19"


def test_an_event_dated_to_a_month_is_listed_once_known_to_have_happened(dataset, tmp_path):
    """"Month-only event" (Oct 2024) was listed under a map of 1 Oct as on that day."""
    result = export_pack(dataset, [dt.date(2024, 10, 1), dt.date(2024, 10, 25),
                                   dt.date(2024, 11, 5)], tmp_path, SMALL)
    sections = result.index.read_text(encoding="utf-8").split("<section>")[1:]
    first, second, third = (s.split("Events whose day is not known") for s in sections)
    assert "Month-only event" not in first[0] and "Month-only event" in first[1]
    assert "Month-only event" not in "".join(second)
    assert "Month-only event" in third[0] and len(third) == 1


def test_an_event_of_known_start_is_listed_when_it_began_not_when_it_ended(tmp_path):
    """A siege from 22 Oct to 30 Nov was listed under the 25 Oct map as one whose day is
    not known, and as happened only under the first map after it ended."""
    from factory import tiny_layers, write_layers

    from viewer.io import read_dataset

    layers = tiny_layers()
    layers["events"].loc[2, "end_date"] = "2024-11-30"           # "Gate closes", 22 Oct
    dataset = read_dataset(write_layers(layers, tmp_path / "t.gpkg"))
    result = export_pack(dataset, [dt.date(2024, 10, 1), dt.date(2024, 10, 25)],
                         tmp_path / "pack", SMALL)
    second = result.index.read_text(encoding="utf-8").split("<section>")[2]
    assert "Gate closes" in second and "day is not known" not in second


def test_a_pack_made_again_leaves_no_list_of_sources_beside_a_map_that_now_lists_them(dataset, tmp_path):
    days = [dt.date(2024, 10, 19), dt.date(2024, 10, 22)]
    first = export_pack(dataset, days, tmp_path, SMALL)
    stale = first.images[0].with_name(first.images[0].stem + ".sources.txt")
    stale.write_text("an earlier pack's list of sources", encoding="utf-8")
    with pytest.raises(TargetExists):
        export_pack(dataset, days, tmp_path, SMALL)            # nothing replaced unasked
    export_pack(dataset, days, tmp_path, SMALL, overwrite=True)
    assert not stale.exists()                                   # this map's footer lists them all


def test_a_pack_made_again_with_fewer_dates_leaves_no_map_of_the_earlier_dates(dataset, tmp_path):
    """The earlier pack's later maps stayed in the folder: slides made from it showed
    dates the new pack does not."""
    export_pack(dataset, [dt.date(2024, 6, 1), dt.date(2024, 10, 19), dt.date(2024, 10, 22)],
                tmp_path, SMALL)
    (tmp_path / "03_notes.png").write_bytes(b"the analyst's own picture")
    export_pack(dataset, [dt.date(2024, 10, 19)], tmp_path, SMALL, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "01_2024-10-19.png", "03_notes.png", "index.html"]


def test_a_pack_forced_into_a_folder_with_a_page_of_its_own_removes_none_of_its_pictures(
        dataset, tmp_path):
    """A site's own index.html listed its logo: forcing a pack there deleted the logo."""
    (tmp_path / "index.html").write_text('<img src="logo.png"><img src="01_team.png">')
    for name in ("logo.png", "01_team.png"):
        (tmp_path / name).write_bytes(b"the site's own picture")
    export_pack(dataset, [dt.date(2024, 10, 19)], tmp_path, SMALL, overwrite=True)
    assert {"logo.png", "01_team.png"} <= {p.name for p in tmp_path.iterdir()}


def test_cli_every_month_and_key_events(tiny, tmp_path, capsys):
    months = tmp_path / "months"
    months.mkdir()
    code, out, _ = run_cli(capsys, "--dataset", tiny, "--every", "month", "--from", "2024-08-15",
                           "--to", "2024-11-15", "--out-dir", months, "--width", 320, "--height", 200)
    assert code == 0
    assert sorted(p.name for p in months.iterdir()) == [
        "01_2024-08-15.png", "02_2024-09-15.png", "03_2024-10-15.png", "04_2024-11-15.png", "index.html"]
    keys = tmp_path / "keys"
    keys.mkdir()
    code, out, _ = run_cli(capsys, "--dataset", tiny, "--key-events", "--out-dir", keys,
                           "--width", 320, "--height", 200)
    assert code == 0 and sorted(p.name for p in keys.iterdir()) == ["01_2024-10-19.png", "index.html"]


def test_out_dir_is_created_when_missing(tiny, tmp_path, capsys):
    pack = tmp_path / "briefings" / "pack"
    code, out, err = run_cli(capsys, "--dataset", tiny, "--key-events", "--out-dir", pack,
                             "--width", 320, "--height", 200)
    assert (code, err) == (0, "")
    assert sorted(p.name for p in pack.iterdir()) == ["01_2024-10-19.png", "index.html"]


def test_a_cancelled_pack_removes_the_folder_it_created(dataset, tmp_path):
    with pytest.raises(ExportCancelled):
        export_pack(dataset, [dt.date(2024, 6, 1)], tmp_path / "new", SMALL, cancelled=lambda: True)
    assert not (tmp_path / "new").exists()


def test_cancelled_pack_leaves_no_files(dataset, tmp_path):
    calls = []

    def cancel_after_first_image() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(ExportCancelled):
        export_pack(dataset, dates_every(dt.date(2024, 6, 1), dt.date(2024, 9, 1), "month"), tmp_path,
                    SMALL, cancelled=cancel_after_first_image)
    assert list(tmp_path.glob("*.png")) == [] and not (tmp_path / "index.html").exists()
    assert list(tmp_path.iterdir()) == []


def test_pack_reports_progress(dataset, tmp_path):
    seen = []
    export_pack(dataset, [dt.date(2024, 6, 1), dt.date(2024, 7, 1)], tmp_path, SMALL,
                progress=lambda text, fraction: seen.append((text, fraction)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert "Map 1 of 2" in seen[0][0]


# -- animations ----------------------------------------------------------------------------------
def test_gif_has_a_frame_per_date_each_labelled(dataset, tmp_path):
    dates = [dt.date(2024, 10, 1), dt.date(2024, 10, 20), dt.date(2024, 11, 20)]
    path = export_animation(dataset, dates, tmp_path / "a.gif", SMALL, fps=4)
    gif = Image.open(path)
    assert gif.n_frames == 3 and gif.info["duration"] == 250
    frames = []
    for i in range(3):
        gif.seek(i)
        frames.append(np.asarray(gif.convert("RGB")).astype(int))
    # The date label (top-left) differs on every frame.
    corner = [f[:60, :260] for f in frames]
    assert all(np.abs(a - b).sum() > 0 for a, b in zip(corner, corner[1:]))


def test_mp4_animation(dataset, tmp_path):
    pytest.importorskip("imageio_ffmpeg")
    import imageio.v2 as imageio

    path = export_animation(dataset, [dt.date(2024, 10, 1), dt.date(2024, 11, 20)], tmp_path / "a.mp4",
                            SMALL, fps=2)
    reader = imageio.get_reader(path)
    assert reader.count_frames() == 2
    assert reader.get_data(0).shape == (360, 640, 3)
    reader.close()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_animation_needs_several_dates(tiny, tmp_path, capsys):
    code, _, err = run_cli(capsys, "--dataset", tiny, "--date", "2024-11-20", "--out", tmp_path / "a.gif")
    assert code == 1 and "needs several dates" in err
    code, out, _ = run_cli(capsys, "--dataset", tiny, "--dates", "2024-10-01,2024-11-20",
                           "--out", tmp_path / "a.gif", "--width", 320, "--height", 200)
    assert code == 0 and Image.open(tmp_path / "a.gif").n_frames == 2


def test_pack_renders_on_a_worker_thread(dataset, tmp_path):
    """The window runs exports off the GUI thread: QImage rendering must work there."""
    import threading

    results, errors = [], []

    renderer = MapRenderer(dataset)
    renderer.render_image(renderer.default_view(640, 360), DAY)    # the window's canvas at work

    def work() -> None:
        try:
            results.append(export_pack(dataset, [dt.date(2024, 10, 19)], tmp_path, SMALL,
                                       renderer=MapRenderer(renderer.prepared)))
        except Exception as error:  # reported below, on the test's thread
            errors.append(error)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=120)
    assert errors == [] and len(results) == 1
    assert Image.open(results[0].images[0]).size == (640, 360)


# -- slide-ready exports ----------------------------------------------------------------
def caption_panel_pixels(path: Path) -> np.ndarray:
    """The strip under the title block, where a caption goes."""
    return pixels(path)[90:170, 12:400]


def test_key_event_frames_carry_date_and_short_title(tiny, tmp_path, capsys):
    code, out, _ = run_cli(capsys, "--dataset", tiny, "--key-events", "--out-dir", tmp_path / "keys",
                           "--width", 1280, "--height", 720)
    assert code == 0
    image = Image.open(tmp_path / "keys" / "01_2024-10-19.png")
    assert image.text["Caption"] == "19 Oct 2024 — KIA takes Easttown"
    plain = tmp_path / "plain.png"
    run_cli(capsys, "--dataset", tiny, "--date", "2024-10-19", "--out", plain, "--width", 1280,
            "--height", 720)
    assert "Caption" not in Image.open(plain).text
    assert (caption_panel_pixels(tmp_path / "keys" / "01_2024-10-19.png")
            != caption_panel_pixels(plain)).any()


def test_a_caption_cut_to_fit_says_so(tiny, tmp_path, capsys):
    """It was cut to two lines, exit 0 and not a word: the slide lost its point."""
    out = tmp_path / "slide.png"
    long = " ".join(["Shipments stalled as the KIA taxed the mines and Beijing shut the gates"] * 4)
    code, _, err = run_cli(capsys, "--dataset", tiny, "--date", "2024-11-20", "--out", out,
                           "--caption", long, "--width", 1280, "--height", 720)
    assert code == 0 and err == ("warning: the caption was cut to fit 1280x720; the whole text "
                                 "is in the PNG's metadata (Caption)\n")
    assert Image.open(out).text["Caption"] == long


def test_snapshot_caption_from_the_command_line(tiny, tmp_path, capsys):
    out = tmp_path / "slide.png"
    code, _, err = run_cli(capsys, "--dataset", tiny, "--date", "2024-11-20", "--out", out,
                           "--caption", "Easttown after the KIA took it", "--width", 1280, "--height", 720)
    assert (code, err) == (0, "")
    assert Image.open(out).text["Caption"] == "Easttown after the KIA took it"


def many_sources_dataset(tmp_path: Path) -> Path:
    import pandas as pd
    from factory import tiny_layers, write_tiny

    layers = tiny_layers()
    extra = pd.DataFrame({"source_id": [f"x{i}" for i in range(60)],
                          "outlet": [f"Regional Observer Number {i} Weekly" for i in range(60)],
                          "title": [f"Report {i}" for i in range(60)], "author": None,
                          "published": "2024-10-20", "url": None, "note": None})
    layers["sources"] = pd.concat([layers["sources"], extra], ignore_index=True)
    layers["control"].loc[:, "source_ids"] = ";".join(extra["source_id"])
    return write_tiny(tmp_path / "many.gpkg", **{k: v for k, v in layers.items()
                                                  if k in ("sources", "control")})


def test_footer_never_cut_at_1280x720(tmp_path, capsys, app):
    dataset = many_sources_dataset(tmp_path)
    out = tmp_path / "slide.png"
    code, printed, _ = run_cli(capsys, "--dataset", dataset, "--date", "2024-11-20", "--out", out,
                               "--width", 1280, "--height", 720)
    sidecar = tmp_path / "slide.sources.txt"
    assert code == 0 and printed.split() == [str(out), str(sidecar)]
    listed = sidecar.read_text(encoding="utf-8")
    assert all(f"Regional Observer Number {i} Weekly — Report {i}" in listed for i in range(60))
    assert "Regional Observer Number 59 Weekly" in Image.open(out).text["Sources (full)"]
    from viewer.export.png import render_export
    from viewer.io import read_dataset

    renderer = MapRenderer(read_dataset(dataset))
    render_export(renderer, DAY, ExportOptions(1280, 720))
    layout = renderer.painted_layout()
    assert layout.footer_overflow and "sources.txt" in " ".join(layout.footer_display)
    assert layout.footer_rect.bottom() <= 720 and layout.footer_rect.top() > 360   # whole, not huge

    run_cli(capsys, "--dataset", dataset, "--date", "2024-11-20", "--out", out, "--force",
            "--layers", "base,places")                       # nothing sourced shown: no list
    assert not sidecar.exists()


def test_a_small_image_says_what_its_legend_covers(tiny, tmp_path, capsys):
    """At 640x360 the legend lay over the caption, the date and the scale bar, and the
    PNG was written without a word."""
    out = tmp_path / "small.png"
    code, _, err = run_cli(capsys, "--dataset", tiny, "--date", "2024-11-20", "--out", out,
                           "--width", 640, "--height", 360, "--caption", "Easttown after the KIA took it")
    assert code == 0 and out.exists()
    assert err.startswith("warning: at 640x360 the legend covers ") and "the caption" in err
    code, _, err = run_cli(capsys, "--dataset", tiny, "--date", "2024-11-20", "--out", out, "--force",
                           "--caption", "Easttown after the KIA took it")
    assert (code, err) == (0, "")
    # The embedded briefing keeps room for its "Data current to" mark, drawn only past it.
    for day, said in (("2024-11-20", False), ("2026-06-01", True)):
        code, _, err = run_cli(capsys, "--date", day, "--out", out, "--force", "--width", 640,
                               "--height", 360)
        assert code == 0 and ("the data-current mark" in err) == said, err


def test_a_long_licence_is_whole_and_never_claims_sources_listed_elsewhere(tmp_path, capsys):
    """At 640x360 the embedded briefing's licence ran past three lines: it was cut, the
    footer said more sources were listed elsewhere (there were none) and an empty
    .sources.txt was written beside the image."""
    out = tmp_path / "base.png"
    code, printed, _ = run_cli(capsys, "--date", "2024-11-20", "--layers", "base", "--out", out,
                               "--width", 640, "--height", 360)
    assert code == 0 and printed.split() == [str(out)] and not (tmp_path / "base.sources.txt").exists()
    from viewer.export.png import render_export
    from viewer.io import read_dataset
    from viewer.cli.common import EMBEDDED_DATASET

    renderer = MapRenderer(read_dataset(EMBEDDED_DATASET))
    render_export(renderer, DAY, ExportOptions(640, 360, layers={"control": False, "flows": False,
                                                                 "places": False, "events": False}))
    footer = " ".join(renderer.painted_layout().footer_display)
    assert "More sources" not in footer and footer.endswith(f"Kachin Viewer {__version__}")


def test_an_animation_with_too_many_sources_lists_them_beside_it(tmp_path, capsys, app):
    """A GIF's footer pointed to the image's metadata and a .sources.txt file, neither of
    which an animation had: every frame's sources were named nowhere."""
    dataset = many_sources_dataset(tmp_path)
    out = tmp_path / "story.gif"
    code, printed, _ = run_cli(capsys, "--dataset", dataset, "--dates", "2024-10-10,2024-11-20",
                               "--out", out, "--width", 1280, "--height", 720)
    listed = tmp_path / "story.sources.txt"
    assert code == 0 and printed.split() == [str(out), str(listed)]
    text = listed.read_text(encoding="utf-8")
    assert "as of 20 Nov 2024:" in text
    assert all(f"Regional Observer Number {i} Weekly — Report {i}" in text for i in range(60))
    from viewer.export.animation import SOURCES_ELSEWHERE
    from viewer.export.png import render_export
    from viewer.io import read_dataset

    renderer = MapRenderer(read_dataset(dataset))
    render_export(renderer, DAY, ExportOptions(1280, 720, sources_elsewhere=SOURCES_ELSEWHERE))
    footer = " ".join(renderer.painted_layout().footer_display)
    assert "beside this animation" in footer and "metadata" not in footer

    run_cli(capsys, "--dataset", dataset, "--dates", "2024-10-10,2024-11-20", "--out", out,
            "--force", "--layers", "base,places")             # nothing sourced shown: no list
    assert not listed.exists()


def test_a_comparison_map_with_too_many_sources_lists_them_beside_it(tmp_path, capsys, app):
    """Its footer said the sources were in a .sources.txt file beside it; none was written."""
    out = tmp_path / "changes.png"
    assert main(["compare", "--dataset", str(many_sources_dataset(tmp_path)), "--from", "2024-10-10",
                 "--to", "2024-11-20", "--out", str(out)]) == 0
    listed = tmp_path / "changes.sources.txt"
    assert capsys.readouterr().out.split()[-2:] == [str(out), str(listed)]
    assert "Regional Observer Number 59 Weekly — Report 59" in listed.read_text(encoding="utf-8")


def test_extent_is_exactly_the_map_area_never_under_title_or_footer(dataset, tmp_path):
    from viewer.export.png import export_view

    renderer = MapRenderer(dataset)
    extent = renderer.extent_from_lonlat(97.0, 25.0, 98.0, 25.5)       # wide and short
    options = ExportOptions(1280, 720, extent=extent)
    view = export_view(renderer, options, DAY)
    (left, right), (bottom, top) = view.to_pixels([extent.xmin, extent.xmax], [extent.ymin, extent.ymax])
    export_png(dataset, DAY, tmp_path / "m.png", options, renderer=renderer)
    layout = renderer.painted_layout()
    assert top >= layout.date_rect.bottom() and bottom <= layout.footer_rect.top()
    assert left >= 0 and right <= 1280
    assert round(right - left) == 1280 - 2 * layout.margin or round(bottom - top) == round(
        layout.footer_rect.top() - layout.margin - max(layout.date_rect.bottom(), layout.title_rect.bottom())
        - layout.margin)


def test_no_place_label_is_drawn_under_the_legend_or_caption_of_any_key_event_frame():
    """A slide at 1280x720: the legend of each date (one column at full size when its
    entries are few) and the caption cover no place name; Kunming was half under the
    legend on 19 Oct 2024."""
    from viewer.export.png import render_export
    from viewer.io import read_dataset

    embedded = read_dataset(Path(__file__).parents[1] / "geodata" / "kachin.gpkg")
    renderer = MapRenderer(embedded)
    for day in ("2021-02-01", "2024-10-19", "2024-11-20", "2025-10-24", "2026-02-20", "2026-11-30"):
        caption = f"{day}: " + "a briefer's long caption that wraps onto several lines " * 3
        render_export(renderer, dt.date.fromisoformat(day), ExportOptions(1280, 720, caption=caption))
        layout = renderer.painted_layout()
        panels = (layout.legend_rect(), layout.caption_rect)
        kept_clear = layout.obstacles()   # what labels and overlays keep clear of, on any view
        assert all(panel in kept_clear for panel in (layout.caption_rect, layout.mark_rect)
                   if not panel.isNull()), day
        labels = renderer.painted_labels()
        assert labels and not [label.text for label in labels
                               if any(label.box.intersects(panel) for panel in panels)], day



def test_ctrl_c_once_the_files_are_whole_says_they_stay(tiny, tmp_path, capsys, monkeypatch):
    """Ctrl+C as the written file was being named said only "interrupted" (exit 130) over
    a whole PNG, as if nothing had been written."""
    from viewer.cli import common

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(common, "print", interrupted, raising=False)
    out = tmp_path / "m.png"
    code, _, err = run_cli(capsys, "--dataset", tiny, "--date", "2024-11-20", "--out", out)
    assert code == 130 and Image.open(out).size == (1920, 1080)
    assert err == f"error: interrupted after {out} had been written (whole; kept)\n"
