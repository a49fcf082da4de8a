"""Briefing handouts (PDF) and chapter packs (PNG + index), from the command line."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from factory import briefing_layers, write_tiny
from PIL import Image

from viewer.cli import main

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="pdftotext (poppler-utils, scripts/bootstrap.sh) is missing")


@pytest.fixture
def briefed(qapp, tmp_path) -> Path:
    return write_tiny(tmp_path / "briefed.gpkg", **briefing_layers())


def run_cli(capsys, *args) -> tuple[int, str, str]:
    code = main(["export", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def pdf_text(path: Path) -> list[str]:
    """The text of each page, as a reader's search or copy would find it."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def test_handout_has_a_cover_and_a_page_per_chapter_with_real_text(briefed, tmp_path, capsys):
    pdf = tmp_path / "handout.pdf"
    code, out, err = run_cli(capsys, "--briefing", "--pdf", pdf, "--dataset", briefed)
    assert (code, err) == (0, "")
    assert out.strip() == str(pdf)
    cover, before, after = pdf_text(pdf)
    assert "Tiny test briefing" in cover and "Briefing: The tiny story" in cover
    # The tiny file states no "data current to": its latest fact is named as such.
    assert "Latest fact 22 Oct 2024 (the file states no date its data is current to)" in cover
    assert "Licence: CC0" in cover
    assert "1. Before" in cover and "2. After the capture" in cover
    assert "Before" in before and "as of 1 Jun 2024" in before
    assert "Both zones under the junta." in before
    assert "Easttown zone under KIA, the route halted." in after
    assert "Outlet B — Report two" in after            # the chapter's own sources
    for number, page in enumerate((cover, before, after), 1):
        assert f"Page {number} of 3" in page


def test_a_chapter_past_the_data_says_so_in_the_handout_and_the_pack(qapp, tmp_path, capsys):
    """Past `data_current_to` a chapter's map is the last known state: its heading and the
    cover's contents say so as the map does, in the PDF and the pack's index; the cover's
    span is every chapter's."""
    from factory import tiny_layers

    layers = tiny_layers() | briefing_layers()
    layers["dataset_meta"] = pd.concat([layers["dataset_meta"], pd.DataFrame(
        {"key": ["data_current_to"], "value": ["2024-10-22"]})])
    layers["briefing_chapters"].loc[0, "date"] = "2024-12-01"      # first in the table, last by date
    path = write_tiny(tmp_path / "late.gpkg", **layers)
    pdf = tmp_path / "late.pdf"
    assert run_cli(capsys, "--briefing", "--pdf", pdf, "--dataset", path)[0] == 0
    cover, _before, after = pdf_text(pdf)
    assert "2 chapters, 1 Jun 2024 to 1 Dec 2024" in cover and "Data current to 22 Oct 2024" in cover
    # The contents said only "After the capture — 1 Dec 2024" while its page said this.
    contents = [line for line in cover.splitlines() if "(page" in line]
    assert contents[0].endswith("— as of 1 Jun 2024 (page 2)")
    assert contents[1].endswith("— 1 Dec 2024: last known state (page 3)")
    assert "1 Dec 2024: last known state · Data current to 22 Oct 2024" in after
    assert run_cli(capsys, "--briefing", "--out-dir", tmp_path / "pack", "--dataset", path)[0] == 0
    index = (tmp_path / "pack" / "index.html").read_text()
    assert "1 Dec 2024: last known state" in index and "Data current to 22 Oct 2024" in index


def test_a_caption_too_long_for_its_page_is_cut_with_a_note_and_its_sources_kept(qapp, tmp_path,
                                                                                 capsys):
    """A long caption ran over the footer and off the page, and the chapter's sources
    with it: it is cut at a word, says so, and the sources stay on the page."""
    layers = briefing_layers()
    layers["briefing_chapters"].loc[0, "caption"] = " ".join(
        f"Very long caption sentence {n} about the zone." for n in range(120))
    path = write_tiny(tmp_path / "long.gpkg", **layers)
    pdf = tmp_path / "long.pdf"
    assert run_cli(capsys, "--briefing", "--pdf", pdf, "--dataset", path)[0] == 0
    after = pdf_text(pdf)[2]
    assert "chapter b-01 holds the whole caption" in after
    assert "Outlet B — Report two" in after and "Page 3 of 3" in after
    body, footer = after.rsplit("Tiny test briefing", 1)       # nothing printed over the footer
    assert "Very long caption" not in footer


def test_a_long_caption_without_spaces_is_cut_between_characters_not_dropped(qapp, tmp_path,
                                                                            capsys):
    """Chinese (and Burmese, often) runs without spaces: split at spaces, the whole
    caption was one word, and the page printed the note alone."""
    layers = briefing_layers()
    layers["briefing_chapters"].loc[0, "caption"] = "克钦独立军控制稀土矿区。" * 300
    path = write_tiny(tmp_path / "cjk.gpkg", **layers)
    pdf = tmp_path / "cjk.pdf"
    assert run_cli(capsys, "--briefing", "--pdf", pdf, "--dataset", path)[0] == 0
    after = pdf_text(pdf)[2]
    assert "chapter b-01 holds the whole caption" in after
    assert after.count("克钦") >= 20 and "Page 3 of 3" in after


def test_a_right_to_left_title_keeps_the_date_after_it_in_order(qapp, tmp_path, capsys):
    """The date's day was carried into the Arabic title's run: "RTL 25 — عربي Oct 2024"."""
    layers = briefing_layers()
    layers["briefing_chapters"].loc[0, "title"] = "RTL عربي"
    path = write_tiny(tmp_path / "rtl.gpkg", **layers)
    pdf = tmp_path / "rtl.pdf"
    assert run_cli(capsys, "--briefing", "--pdf", pdf, "--dataset", path)[0] == 0
    [line] = [line for line in pdf_text(pdf)[0].splitlines() if "(page 3)" in line]
    assert line.endswith("25 Oct 2024 (page 3)")


def test_the_map_on_a_chapter_page_is_printed_at_print_resolution(briefed, tmp_path, capsys):
    pdf = tmp_path / "handout.pdf"
    run_cli(capsys, "--briefing", "main", "--pdf", pdf, "--dataset", briefed)
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    maps = {}                                   # page -> (width, x-ppi) of its widest image
    for row in rows:
        maps[row[0]] = max(maps.get(row[0], (0, 0)), (int(row[3]), int(row[12])))
    assert sorted(maps) == ["2", "3"]
    assert all(width >= 1500 and ppi >= 250 for width, ppi in maps.values())


def test_letter_paper(briefed, tmp_path, capsys):
    pdf = tmp_path / "letter.pdf"
    run_cli(capsys, "--briefing", "--pdf", pdf, "--paper", "letter", "--dataset", briefed)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "612 x 792 pts (letter)" in info


@pytest.mark.parametrize("args, message", [
    (["--briefing", "nope", "--pdf", "{tmp}/h.pdf"], "no briefing 'nope' in the dataset (it has: main)"),
    (["--briefing"], "--briefing needs --pdf FILE"),
    (["--briefing", "--pdf", "{tmp}/h.png"], "use a file name ending in .pdf"),
    (["--briefing", "--date", "2024-10-01", "--pdf", "{tmp}/h.pdf"], "--date cannot be used with --briefing"),
    (["--briefing", "--caption", "Mine", "--pdf", "{tmp}/h.pdf"],
     "--caption cannot be used with --briefing"),             # it was ignored without a word
    (["--briefing", "--extent", "97,25,98,26", "--pdf", "{tmp}/h.pdf"],
     "--extent cannot be used with --briefing"),
    (["--pdf", "{tmp}/h.pdf", "--date", "2024-10-01"], "--pdf needs --briefing"),
    (["--briefing", "--pdf", "{tmp}/h.pdf", "--width", "800"],   # a handout's size is its paper's
     "--width is only used by maps drawn as images"),
    (["--briefing", "--pdf", "{tmp}/missing/h.pdf"], "output folder"),
])
def test_bad_handout_requests_are_one_error_line_and_leave_no_pdf(briefed, tmp_path, capsys,
                                                                   args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, _out, err = run_cli(capsys, *args, "--dataset", briefed)
    assert code != 0
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob(".*partial*"))


def test_without_an_id_the_first_briefing_with_chapters_is_used(qapp, tmp_path, capsys):
    """A draft listed first, with no chapters yet, was chosen and refused as empty."""
    layers = briefing_layers()
    layers["briefings"] = pd.DataFrame({"briefing_id": ["draft", "main"],
                                        "title": ["Draft", "The tiny story"], "note": [None, None]})
    pdf = tmp_path / "h.pdf"
    assert run_cli(capsys, "--briefing", "--pdf", pdf,
                   "--dataset", write_tiny(tmp_path / "two.gpkg", **layers))[0] == 0
    assert "Briefing: The tiny story" in pdf_text(pdf)[0]


def test_a_chapter_dated_outside_the_data_is_named_on_stderr(qapp, tmp_path, capsys):
    """Its map (all "no sourced information" before the data begins) was drawn without a
    word; only `validate` said the chapter lay outside the range."""
    layers = briefing_layers()
    layers["briefing_chapters"].loc[1, "date"] = "2019-03-01"
    pdf = tmp_path / "h.pdf"
    code, _out, err = run_cli(capsys, "--briefing", "--pdf", pdf,
                              "--dataset", write_tiny(tmp_path / "early.gpkg", **layers))
    assert code == 0 and pdf.exists()
    assert err.startswith("warning: ") and "row b-02, column 'date': 2019-03-01 is outside" in err


def test_a_dataset_without_briefings_says_so(qapp, tmp_path, capsys):
    code, _out, err = run_cli(capsys, "--briefing", "--pdf", tmp_path / "h.pdf",
                              "--dataset", write_tiny(tmp_path / "plain.gpkg"))
    assert code == 1 and "has no briefing" in err
    assert not (tmp_path / "h.pdf").exists()


def test_a_failed_handout_leaves_no_partial_pdf(briefed, tmp_path, monkeypatch):
    from viewer.export import handout
    from viewer.io import read_dataset

    data = read_dataset(briefed)
    calls = []

    def fail_on_second_page(*args):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("disk gone")
        return original(*args)

    original = handout._chapter_page
    monkeypatch.setattr(handout, "_chapter_page", fail_on_second_page)
    with pytest.raises(RuntimeError):
        handout.export_handout(data, data.briefings[0], tmp_path / "h.pdf")
    assert [p.name for p in tmp_path.iterdir()] == ["briefed.gpkg"]


def test_briefing_pack_has_a_numbered_png_per_chapter_and_an_index(briefed, tmp_path, capsys):
    out = tmp_path / "pack"
    out.mkdir()
    code, printed, err = run_cli(capsys, "--briefing", "--out-dir", out, "--dataset", briefed,
                                 "--width", "640", "--height", "360")
    assert (code, err) == (0, "")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["01_b-02.png", "02_b-01.png", "index.html"]
    assert Image.open(out / "01_b-02.png").size == (640, 360)
    page = (out / "index.html").read_text()
    assert page.index("1. Before") < page.index("2. After the capture")
    assert "Easttown zone under KIA, the route halted." in page
    assert "Report two" in page
    assert len(printed.splitlines()) == 3


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_every_page_lists_the_maps_sources_above_an_unbroken_footer(qapp, tmp_path, capsys, paper):
    """On letter paper the legend, taller than the room kept for it, pushed "Gates reopened"'s
    list off the page: its heading stood alone and "54 sources in the dataset's sources
    layer." was printed over the footer's "Data current to 16 Mar 2026"."""
    from viewer.resources import EMBEDDED_DATASET

    pdf = tmp_path / "handout.pdf"
    assert run_cli(capsys, "--briefing", "--pdf", pdf, "--paper", paper,
                   "--dataset", EMBEDDED_DATASET)[0] == 0
    pages = pdf_text(pdf)
    for number, page in enumerate(pages[1:], 2):
        lines = [line for line in page.splitlines() if line.strip()]
        assert "Data current to 16 Mar 2026" in lines[-1] and f"Page {number} of 12" in lines[-1]
        heading = next(n for n, line in enumerate(lines) if "Sources for what the map shows" in line)
        listed = " ".join(lines[heading + 1:-1])
        assert ": " in listed and "sources in the dataset's sources layer." not in listed, number


def test_a_chapter_without_sources_says_so_in_the_handout_and_the_pack(qapp, tmp_path, capsys):
    """Its claim was printed with no word about sources."""
    layers = briefing_layers()
    layers["briefing_chapters"]["source_ids"] = [None, "s1"]
    path = write_tiny(tmp_path / "unsourced.gpkg", **layers)
    pdf = tmp_path / "handout.pdf"
    assert run_cli(capsys, "--briefing", "--pdf", pdf, "--dataset", path)[0] == 0
    after = pdf_text(pdf)[2]
    assert "After the capture" in after and "No sources given for this chapter" in after
    assert run_cli(capsys, "--briefing", "--out-dir", tmp_path / "pack", "--dataset", path,
                   "--width", "640", "--height", "360")[0] == 0
    page = (tmp_path / "pack" / "index.html").read_text()
    assert page.count("No sources given for this chapter") == 1


def test_the_pack_index_says_how_current_the_data_is(qapp, tmp_path, capsys):
    """Only the PDF said "Data current to"; the pack's index, shown to the same readers,
    never did."""
    from factory import tiny_layers

    layers = tiny_layers()
    layers["dataset_meta"] = pd.concat([layers["dataset_meta"], pd.DataFrame(
        {"key": ["data_current_to"], "value": ["2024-10-20"]})], ignore_index=True)
    path = write_tiny(tmp_path / "current.gpkg", **{**layers, **briefing_layers()})
    assert run_cli(capsys, "--briefing", "--out-dir", tmp_path / "pack", "--dataset", path,
                   "--width", "640", "--height", "360")[0] == 0
    page = (tmp_path / "pack" / "index.html").read_text()
    assert page.index("Data current to 20 Oct 2024") < page.index("<section>")
