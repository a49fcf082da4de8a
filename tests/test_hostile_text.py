"""Issue 17, items 1-3: dataset text never acts as a link, as markup or on a terminal."""
from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pandas as pd
import pytest
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtWidgets import QLabel, QMessageBox

from factory import tiny_layers, write_tiny
from viewer.cli import main
from viewer.export import ExportOptions, export_pack
from viewer.io import read_dataset
from viewer.model.links import web_link
from viewer.qt.details_panel import sources_html

MARKUP = '<b style=color:red>SECURITY ALERT</b><img src="/some/local/file.png">'
HOSTILE_URLS = ["javascript:alert(7)", " javascript:alert(7)", "JavaScript:alert(7)",
                "data:text/html,<script>alert(7)</script>", "\\\\host\\share\\x.html",
                "file:///etc/passwd", "java\tscript:alert(7)", "vbscript:msgbox(7)"]


def hostile_sources(url: str):
    sources = tiny_layers()["sources"]
    sources.loc[0, "url"] = url
    return sources


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_only_web_addresses_become_links(url):
    assert web_link(url) is None
    assert web_link(" HTTPS://a.example/x ") == "HTTPS://a.example/x"


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_pack_index_shows_a_hostile_source_address_as_text(qapp, tmp_path, url):
    dataset = read_dataset(write_tiny(tmp_path / "t.gpkg", sources=hostile_sources(url)))
    out = tmp_path / "pack"
    out.mkdir()
    page = export_pack(dataset, [dt.date(2024, 10, 19)], out,
                       ExportOptions(width=320, height=200)).index.read_text()
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs and all(h.endswith(".png") for h in hrefs), hrefs
    assert "<script" not in page


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_details_panel_shows_a_hostile_source_address_as_text(tmp_path, url):
    dataset = read_dataset(write_tiny(tmp_path / "t.gpkg", sources=hostile_sources(url)))
    shown = sources_html(dataset, "s1")
    assert "href" not in shown
    assert "<script" not in shown


def test_a_hostile_link_is_never_opened(monkeypatch):
    from viewer.qt import dialogs

    opened = []
    monkeypatch.setattr(dialogs.QDesktopServices, "openUrl", opened.append)
    for url in HOSTILE_URLS:
        dialogs.open_web_link(QUrl(url.strip()))
    dialogs.open_web_link(QUrl("https://a.example/1"))
    assert [u.toString() for u in opened] == ["https://a.example/1"]


# -- item 2: markup in the window --------------------------------------------------------
def markup_dataset(tmp_path, name: str = "t.gpkg"):
    layers = tiny_layers()
    layers["dataset_meta"].loc[0, "value"] = MARKUP
    layers["series"]["unit"] = "<b>t</b>"
    return write_tiny(tmp_path / name, dataset_meta=layers["dataset_meta"],
                      series=layers["series"])


def labels_showing(widget, text: str) -> list[QLabel]:
    return [label for label in widget.findChildren(QLabel) if text in label.text()]


def test_problem_dialog_and_start_page_show_titles_and_file_names_as_text(qtbot, tmp_path):
    from viewer.qt.dialogs import ProblemDialog
    from viewer.qt.main_window import MainWindow

    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    hostile_name = tmp_path / f"{MARKUP.replace('/', '_')}.gpkg"
    hostile_name.write_bytes(b"not a geopackage")
    with qtbot.waitSignal(window.loader.failed, timeout=30_000):
        window.open_dataset(hostile_name)
    dialog = window.findChild(ProblemDialog)
    shown = labels_showing(window, "SECURITY ALERT")  # the start page's and the dialog's
    assert window.start_page.message in shown and labels_showing(dialog, "SECURITY ALERT")
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in shown)
    dialog.close()

    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.open_dataset(markup_dataset(tmp_path))
    with qtbot.waitSignal(window.loader.failed, timeout=30_000):
        window.open_dataset(hostile_name)  # "… could not be opened; TITLE stays open"
    dialog = [d for d in window.findChildren(ProblemDialog) if d.isVisible()][-1]
    intro = labels_showing(dialog, "stays open")
    assert intro and intro[0].textFormat() == Qt.TextFormat.PlainText
    assert MARKUP in intro[0].text()


def test_timeline_shows_a_series_unit_as_text(qtbot, tmp_path):
    from viewer.model import ViewerState
    from viewer.qt.timeline import Timeline

    state = ViewerState(read_dataset(markup_dataset(tmp_path)))
    for key in state.dataset.series_keys():
        state.set_series_visible(key, True)
    timeline = Timeline(state)
    qtbot.addWidget(timeline)
    title = timeline.series_plots[0].titleLabel.item
    assert "&lt;b&gt;t" in title.toHtml()


def test_export_failure_message_shows_file_names_as_text(qtbot, state, monkeypatch):
    from viewer.export import ExportError
    from viewer.qt.export_dialogs import ExportPngDialog

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    dialog = ExportPngDialog(state, None, None)
    qtbot.addWidget(dialog)
    dialog.worker.failed.emit(ExportError(f"could not write {MARKUP}.png"))
    assert shown and shown[0].textFormat() == Qt.TextFormat.PlainText
    assert MARKUP in shown[0].text()


@pytest.mark.parametrize("form", ["CorrectForm", "RetractForm"])
def test_edit_forms_show_a_row_id_as_text(qtbot, state, form):
    from viewer.model.state import Selection
    from viewer.qt import edit_forms

    state.select(Selection("control", MARKUP))
    dialog = getattr(edit_forms, form)(SimpleNamespace(state=state, generation=0))
    qtbot.addWidget(dialog)
    shown = labels_showing(dialog, "SECURITY ALERT")
    assert shown and all(label.textFormat() == Qt.TextFormat.PlainText for label in shown)


def shown_as_text(tooltip: str) -> bool:
    """A tooltip with MARKUP shows its characters (Qt guesses rich text otherwise)."""
    return tooltip.startswith("<qt>") and "&lt;b style=color:red&gt;" in tooltip


def test_tooltips_show_source_titles_file_names_and_captions_as_text(qtbot, tmp_path):
    from factory import briefing_layers
    from viewer.model import ViewerState
    from viewer.qt.chapters_panel import ChaptersPanel
    from viewer.qt.dialogs import SourcesDialog
    from viewer.qt.main_window import MainWindow

    layers = tiny_layers() | briefing_layers()
    layers["sources"].loc[0, "title"] = MARKUP
    layers["briefing_chapters"].loc[0, "caption"] = MARKUP
    dataset = read_dataset(write_tiny(tmp_path / "t.gpkg", **layers))
    sources = SourcesDialog(dataset)
    qtbot.addWidget(sources)
    tips = [sources.table.item(row, 1).toolTip() for row in range(sources.table.rowCount())]
    assert any(shown_as_text(tip) for tip in tips)

    panel = ChaptersPanel(ViewerState(dataset), SimpleNamespace(may_edit=lambda: False),
                          lambda: (97.1, 25.0, 97.9, 25.5))
    qtbot.addWidget(panel)
    tips = [panel.chapters.item(row).toolTip() for row in range(panel.chapters.count())]
    assert any(shown_as_text(tip) for tip in tips)

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("dataset/recent", [f"/tmp/R&D {MARKUP.replace('/', '_')}.gpkg"])
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window._fill_recent_menu()
    recent = window.recent_menu.actions()[0]
    assert shown_as_text(recent.toolTip()) and recent.text().startswith("&1 R&&D ")


def test_the_timelines_focus_button_shows_the_files_label_as_text(qtbot, tmp_path):
    """The focus preset's label is the file's text: its tooltip is no markup (an <img>
    there loaded a local file on hover) and its '&' no keyboard shortcut."""
    from viewer.qt.main_window import MainWindow

    layers = tiny_layers()
    meta = layers["dataset_meta"]
    layers["dataset_meta"] = pd.concat([meta, pd.DataFrame({"key": ["focus_start", "focus_label"],
                                                            "value": ["2024-09-01", "R&D " + MARKUP]})])
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.open_dataset(write_tiny(tmp_path / "focus.gpkg", dataset_meta=layers["dataset_meta"]))
    action = window.focus_timeline_action
    assert shown_as_text(action.toolTip()) and "R&amp;D" in action.toolTip()
    assert action.iconText() == "R&&D " + MARKUP       # Qt shows "&&" as one "&"


# -- item 3: terminals -------------------------------------------------------------------
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\nok: forged.gpkg is a valid briefing dataset\r\u202e"


def test_validate_and_state_print_control_characters_escaped(tmp_path, capsys):
    layers = tiny_layers()
    layers["dataset_meta"].loc[0, "value"] = "Title" + ESCAPES
    layers["actors"].loc[0, "color"] = "#00" + ESCAPES
    broken = write_tiny(tmp_path / "broken.gpkg", dataset_meta=layers["dataset_meta"],
                        actors=layers["actors"])
    assert main(["validate", str(broken)]) == 1
    out = capsys.readouterr()
    layers = tiny_layers()
    layers["dataset_meta"].loc[0, "value"] = "Title" + ESCAPES
    fine = write_tiny(tmp_path / "fine.gpkg", dataset_meta=layers["dataset_meta"])
    printed = []
    for command in (["state", "--date", "2024-11-01"], ["compare", "--from", "2024-06-01",
                    "--to", "2024-11-01"], ["coverage"]):
        assert main([*command, "--dataset", str(fine)]) == 0
        printed.append(capsys.readouterr().out)
    for text in [out.out + out.err] + printed:
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", text)
        assert not any(line.startswith("ok:") for line in text.splitlines())
        assert "\\x1b]0;pwned\\x07" in text
