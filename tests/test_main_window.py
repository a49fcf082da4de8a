"""The main window: one state behind the map, timeline, details and menus."""
import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFileOpenEvent, QFontMetrics, QImage
from PySide6.QtWidgets import QApplication

from factory import tiny_layers, write_tiny
from test_timeline import drag, lane_y, pixel
from viewer.app import main, startup_dataset
from viewer.model.dates import to_day
from viewer.model.edits import AddSource
from viewer.model.state import Selection
from viewer.qt.dialogs import ProblemDialog, RichTextDialog, SourcesDialog
from viewer.qt.export_dialogs import ExportPackDialog, ExportPngDialog
from viewer.qt.main_window import MainWindow

KIA_BLUE, HALT_RED = "kia", "halt"


@pytest.fixture
def tiny(tiny_gpkg):
    return tiny_gpkg


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def shown_window(qtbot, settings, size=(1400, 900)) -> MainWindow:
    """A window on screen with no dataset yet."""
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    if size:
        window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return window


def open_window(qtbot, settings, path, date=None, size=(1400, 900), ahead=None) -> MainWindow:
    window = shown_window(qtbot, settings, size)
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.open_dataset(path, date, ahead)
    return window


@pytest.fixture
def window(qtbot, settings, tiny):
    pg.setConfigOption("mouseRateLimit", -1)  # synthetic drags move faster than 100 Hz
    yield open_window(qtbot, settings, tiny, dt.date(2024, 6, 1))
    pg.setConfigOption("mouseRateLimit", 100)


def pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).astype(int)


def where(kind: str, rgb: np.ndarray) -> np.ndarray:
    """Pixels of KIA's blue fill, or of the red ✕ that marks a halted route."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    if kind == KIA_BLUE:
        return (b - r > 90) & (b > 150)
    return (r > 150) & (g < 70) & (b < 90)


def map_pixels(window: MainWindow) -> np.ndarray:
    QApplication.processEvents()
    return pixels(window.map.grab().toImage())


def test_the_window_is_titled_by_its_dataset_and_shows_the_requested_date(window):
    assert window.windowTitle() == "Tiny test briefing — Kachin Viewer"
    assert window.state.date == dt.date(2024, 6, 1)
    assert window.date_edit.text() == "2024-06-01"


def test_dragging_the_timeline_cursor_redraws_control_areas_and_routes(window):
    before = map_pixels(window)
    timeline = window.timeline
    y = lane_y(timeline, "trade")
    start = pixel(timeline, timeline.lanes, timeline.cursor.value(), y)
    end = pixel(timeline, timeline.lanes, (dt.date(2024, 11, 10) - dt.date(1970, 1, 1)).days, y)

    drag(timeline.view.viewport(), start, end)

    after = map_pixels(window)
    assert window.state.date > dt.date(2024, 10, 22)
    assert where(KIA_BLUE, before).sum() == 0 and where(KIA_BLUE, after).sum() > 5000
    assert where(HALT_RED, before).sum() == 0 and where(HALT_RED, after).sum() > 10


def test_clicking_an_area_on_the_map_shows_its_sources(window, qtbot):
    window.state.set_date(dt.date(2024, 11, 1))
    blue = np.argwhere(where(KIA_BLUE, map_pixels(window)))
    y, x = blue[len(blue) // 3]

    qtbot.mouseClick(window.map, Qt.MouseButton.LeftButton, pos=QPoint(int(x), int(y)))

    assert window.state.selection == Selection("control", "zone-east")
    text = window.details.browser.toPlainText()
    assert "Easttown zone" in text and "Kachin Independence Army" in text
    assert "Outlet A: Report one" in text and "https://a.example/1" in text


def test_details_panel_follows_home_key(window, qtbot):
    window.state.set_date(dt.date(2024, 11, 20))
    blue = np.argwhere(where(KIA_BLUE, map_pixels(window)))
    y, x = blue[len(blue) // 3]
    qtbot.mouseClick(window.map, Qt.MouseButton.LeftButton, pos=QPoint(int(x), int(y)))
    assert "Kachin Independence Army" in window.details.browser.toPlainText().split("History")[0]

    qtbot.keyClick(window.map, Qt.Key.Key_Home)

    assert window.state.date == dt.date(2024, 1, 1)
    now = window.details.browser.toPlainText().split("History")[0]
    assert "Junta" in now and "Kachin Independence Army" not in now


def test_on_the_map_left_and_right_step_the_date_and_with_alt_pan(window, qtbot):
    """The window's ←/→ (a day) took the keys the map said would pan it: left and right
    could not be panned from the keyboard at all."""
    window.state.set_date(dt.date(2024, 6, 10))
    view = window.map.view
    qtbot.keyClick(window.map, Qt.Key.Key_Left)
    assert window.state.date == dt.date(2024, 6, 9) and window.map.view == view
    qtbot.keyClick(window.map, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.state.date == dt.date(2024, 6, 9) and window.map.view != view


def test_a_typed_date_jumps_there(window, qtbot):
    window.date_edit.setFocus()
    window.date_edit.selectAll()
    qtbot.keyClicks(window.date_edit, "2024-10-25")
    qtbot.keyClick(window.date_edit, Qt.Key.Key_Return)

    assert window.state.date == dt.date(2024, 10, 25)
    assert window.timeline.cursor.value() == (dt.date(2024, 10, 25) - dt.date(1970, 1, 1)).days


@pytest.mark.parametrize("focus", ["map", "timeline"])
def test_playback_keys_work_wherever_the_focus_is(window, qtbot, focus):
    widget = window.map if focus == "map" else window.timeline.view
    window.activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)

    def press(key, modifier=Qt.KeyboardModifier.NoModifier):
        qtbot.keyClick(widget, key, modifier)
        return window.state.date

    assert press(Qt.Key.Key_Right) == dt.date(2024, 6, 2)
    assert press(Qt.Key.Key_Left) == dt.date(2024, 6, 1)
    assert press(Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier) == dt.date(2024, 10, 1)
    assert press(Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier) == dt.date(2024, 10, 19)
    assert press(Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier) == dt.date(2024, 10, 1)
    assert press(Qt.Key.Key_End) == dt.date(2024, 12, 31)  # time_end (2025-01-01) is exclusive
    assert press(Qt.Key.Key_Home) == dt.date(2024, 1, 1)
    press(Qt.Key.Key_Space)
    assert window.playback.playing and window.play_action.text() == "&Pause"
    press(Qt.Key.Key_Space)
    assert not window.playback.playing


def test_a_broken_file_lists_every_problem_and_keeps_the_open_dataset(window, qtbot, tmp_path):
    actors = tiny_layers()["actors"]
    actors.loc[0, "color"] = "blue"
    broken = write_tiny(tmp_path / "broken.gpkg", actors=actors)
    dataset = window.state.dataset

    with qtbot.waitSignal(window.loader.failed, timeout=30_000):
        window.open_dataset(broken)

    dialog = window.findChild(ProblemDialog)
    assert dialog.isVisible()
    assert "broken.gpkg, layer 'actors', row KIA, column 'color'" in dialog.lines.toPlainText()
    assert window.state.dataset is dataset
    assert window.windowTitle() == "Tiny test briefing — Kachin Viewer"


def test_dropping_a_gpkg_on_the_window_opens_it(window, qtbot, tmp_path):
    meta = tiny_layers()["dataset_meta"]
    meta.loc[meta["key"] == "title", "value"] = "Dropped briefing"
    dropped = write_tiny(tmp_path / "dropped.gpkg", dataset_meta=meta)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(dropped))])
    centre = window.rect().center()
    enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, data,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()

    with qtbot.waitSignal(window.opened, timeout=30_000):
        QApplication.sendEvent(window, QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, data,
                                                  Qt.MouseButton.LeftButton,
                                                  Qt.KeyboardModifier.NoModifier))

    assert window.windowTitle() == "Dropped briefing — Kachin Viewer"


def test_a_file_the_desktop_hands_the_application_opens(window, qtbot, tmp_path):
    """macOS Finder: a double-clicked .gpkg arrives as a FileOpen event."""
    meta = tiny_layers()["dataset_meta"]
    meta.loc[meta["key"] == "title", "value"] = "Finder briefing"
    handed = write_tiny(tmp_path / "handed.gpkg", dataset_meta=meta)
    with qtbot.waitSignal(window.opened, timeout=30_000):
        QApplication.sendEvent(QApplication.instance(), QFileOpenEvent(str(handed)))
    assert window.windowTitle() == "Finder briefing — Kachin Viewer"


def test_view_menus_switch_layers_and_series(window):
    control = next(a for a in window.layers_menu.actions() if a.text() == "Control areas")
    control.trigger()
    assert window.state.layers["control"] is False

    window.series_menu.aboutToShow.emit()   # as when the user opens it
    imports = window.series_menu.actions()[0]
    assert imports.text() == "Imports [t/month]" and imports.isChecked()
    imports.trigger()
    assert window.state.visible_series == [] and window.timeline.series_plots == []


def test_a_briefing_left_for_another_is_let_go_once_its_series_were_listed(window, qtbot, tiny, tmp_path):
    """The Series menu lists the briefing shown; it keeps no hold on one closed (at
    100x a briefing's frames and shapes are ~100 MB)."""
    import gc
    import weakref

    window.series_menu.aboutToShow.emit()            # the analyst once opened the menu
    first = weakref.ref(window.state.dataset)
    meta = tiny_layers()["dataset_meta"]
    meta.loc[meta["key"] == "title", "value"] = "Another briefing"
    other = write_tiny(tmp_path / "other.gpkg", dataset_meta=meta)
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.open_dataset(other, dt.date(2024, 6, 1))
    gc.collect()
    assert first() is None
    window.series_menu.aboutToShow.emit()
    assert window.series_menu.actions()[0].text() == "Imports [t/month]"


def test_an_address_with_a_bad_port_is_one_line_and_a_remembered_one_is_let_go(capsys):
    """Python's ValueError went out as a traceback: the window said nothing, a remembered
    address stopped every start, and the command line quoted the password."""
    from viewer.cli import EMBEDDED_DATASET

    bad = "postgresql://me:s3cret@desk:5432x/briefing"
    assert startup_dataset(None, None, bad, "2024-10-25") == (EMBEDDED_DATASET, None)
    with pytest.raises(SystemExit) as stopped:      # argparse's one line, exit 2
        main(["validate", bad])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "port is not a number" in err and "s3cret" not in err


def test_a_briefing_opened_through_a_link_is_remembered_by_the_link(qtbot, settings, tiny,
                                                                    tmp_path):
    """latest.gpkg, made to point at a newer version, reopened the older one."""
    latest = tmp_path / "latest.gpkg"
    latest.symlink_to(tiny)
    open_window(qtbot, settings, latest).close()
    assert settings.value("dataset/last_path") == str(latest)
    assert settings.value("dataset/recent", type=list)[0] == str(latest)


def test_layout_dataset_date_and_choices_are_remembered(qtbot, settings, tiny, window):
    window.state.set_date(dt.date(2024, 10, 25))
    window.layers_menu.actions()[1].trigger()  # hide control areas
    window.resize(720, 600)  # within the offscreen screen, 800 x 800 (above the docks' minimum)
    window.close()

    path, date = startup_dataset(None, None, settings.value("dataset/last_path"),
                                 settings.value("dataset/last_date"))
    assert (path, date) == (tiny.resolve(), dt.date(2024, 10, 25))
    assert settings.value("dataset/recent", type=list) == [str(tiny.resolve())]

    again = open_window(qtbot, settings, path, date, size=None)
    assert again.state.date == dt.date(2024, 10, 25)
    assert again.state.layers["control"] is False
    assert (again.width(), again.height()) == (720, 600)


def test_help_dialogs_name_versions_licences_and_every_source(window):
    window.about_action.trigger()
    about = window.findChild(RichTextDialog).browser.toPlainText()
    assert "Kachin Viewer 0.1.0" in about and "Natural Earth" in about and "CC0" in about

    window.sources_action.trigger()
    table = window.findChild(SourcesDialog).table
    cells = {table.item(r, c).text() for r in range(table.rowCount()) for c in range(4)}
    assert table.rowCount() == 2 and {"Outlet A", "Report one", "https://a.example/1"} <= cells


def export_png_from_the_window(window, qtbot, path) -> None:
    """File > Export PNG… at 800 x 600 into `path`, as a user fills the dialog."""
    window.export_png_action.trigger()
    dialog = window.findChild(ExportPngDialog)
    dialog.path.edit.setText(str(path))
    dialog.options_box.width_box.setValue(800)
    dialog.options_box.height_box.setValue(600)
    with qtbot.waitSignal(dialog.exported, timeout=60_000):
        dialog.export_button.click()


def test_export_png_writes_the_map_at_the_chosen_size(window, qtbot, tmp_path):
    export_png_from_the_window(window, qtbot, tmp_path / "map.png")

    image = QImage(str(tmp_path / "map.png"))
    assert (image.width(), image.height()) == (800, 600)
    assert "Saved" in window.statusBar().currentMessage()


def test_pack_export_defaults_to_a_new_folder_named_after_dataset_and_dates(window, qtbot, tmp_path):
    QSettings().setValue("export/folder", str(tmp_path))  # where the dialogs keep it
    window.export_pack_action.trigger()
    dialog = window.findChild(ExportPackDialog)
    folder = dialog.path.path()
    assert folder == tmp_path / "tiny-test-briefing-2024-10-19"  # the one key event
    dialog.dates.regular.setChecked(True)
    assert dialog.path.path() == tmp_path / "tiny-test-briefing-2024-01-01-to-2024-12-01"
    dialog.options_box.width_box.setValue(320)
    dialog.options_box.height_box.setValue(200)

    with qtbot.waitSignal(dialog.exported, timeout=60_000):
        dialog.export_button.click()

    assert (dialog.path.path() / "index.html").is_file()
    assert QSettings().value("export/folder") == str(tmp_path)


def test_subcommands_and_version_go_to_the_command_line_without_a_window(tiny, capsys):
    assert main(["validate", str(tiny)]) == 0
    assert "is a valid briefing dataset" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and "0.1.0" in capsys.readouterr().out


def _command_line_commands() -> list[str]:
    from viewer.cli.main import build_parser

    return list(build_parser()._subparsers._group_actions[0].choices)  # argparse keeps them only here


def test_the_window_knows_the_command_line_commands_by_name_and_order():
    # A stale name would send a file of that name to the command line, not the
    # window; the order is that of the window's --help.
    from viewer.cli.main import SUBCOMMANDS

    assert list(SUBCOMMANDS) == _command_line_commands()


@pytest.mark.parametrize("command", _command_line_commands())
def test_every_command_of_the_command_line_gets_there_not_to_the_window(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert f"usage: kachin-viewer {command} " in capsys.readouterr().out


def type_date(window, qtbot, text: str) -> None:
    """As a person does: click the Date box, select all, type, press Enter."""
    qtbot.mouseClick(window.date_edit, Qt.MouseButton.LeftButton)
    window.date_edit.selectAll()
    qtbot.keyClicks(window.date_edit, text)
    qtbot.keyClick(window.date_edit, Qt.Key.Key_Return)


@pytest.mark.parametrize("typed, shown", [("2024-12-31", dt.date(2024, 12, 31)),
                                           ("31 Dec 2024", dt.date(2024, 12, 31)),
                                           ("Oct 2024", dt.date(2024, 10, 1)),
                                           ("2024", dt.date(2024, 1, 1))])
def test_typed_date_keeps_year(window, qtbot, typed, shown):
    window.state.set_date(dt.date(2024, 6, 1))
    type_date(window, qtbot, typed)

    assert window.state.date == shown
    assert window.date_edit.text() == shown.isoformat()


def test_a_date_being_typed_is_not_overwritten_and_escape_gives_it_up(window, qtbot):
    """During playback each frame replaced the text halfway through a typed date, and
    Escape or leaving the box kept a half-typed date beside a map of another."""
    box = window.date_edit
    window.activateWindow()
    window.playback.toggle()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert not window.playback.playing              # clicked into to type: it pauses
    box.selectAll()
    qtbot.keyClicks(box, "2024-10")
    window.state.set_date(dt.date(2024, 6, 2))          # a playback frame meanwhile
    assert box.text() == "2024-10"
    qtbot.keyClicks(box, "-19")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.state.date == dt.date(2024, 10, 19) and box.text() == "2024-10-19"
    qtbot.keyClicks(box, "x")
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert box.text() == "2024-10-19"
    box.setFocus()                          # back into the box (Return gave the map the keys)
    qtbot.keyClicks(box, "junk")
    window.map.setFocus()
    assert box.text() == "2024-10-19"


def test_the_date_box_calendar_opens_on_the_date_shown(window):
    window.state.set_date(dt.date(2024, 10, 19))
    pick = window.date_edit.actions()[0]   # the calendar button in the box

    pick.trigger()

    calendar = window.date_edit.calendar
    assert calendar.selectedDate().toPython() == dt.date(2024, 10, 19)
    dataset = window.state.dataset   # days outside the briefing cannot be picked
    assert (calendar.minimumDate().toPython(), calendar.maximumDate().toPython()) == \
        (dataset.time_start, dataset.last_day)
    calendar.parentWidget().hide()


def test_typed_date_out_of_range_goes_to_the_nearest_end_and_says_so(window, qtbot):
    type_date(window, qtbot, "2030-05-01")

    assert window.state.date == dt.date(2024, 12, 31)   # time_end 2025-01-01 is exclusive
    assert "after the dataset's last day" in window.statusBar().currentMessage()
    type_date(window, qtbot, "next tuesday")
    assert window.state.date == dt.date(2024, 12, 31)
    assert "not a date" in window.statusBar().currentMessage()


def test_small_screen_gives_the_map_most_of_the_height(qtbot, settings):
    from viewer.cli.common import EMBEDDED_DATASET

    window = open_window(qtbot, settings, EMBEDDED_DATASET, size=(1366, 768))
    qtbot.wait(50)
    lanes = len(window.timeline.lanes.getAxis("left")._tickLevels[0])

    assert window.map.height() >= 0.5 * window.height()
    # the timeline shrinks to fit: every lane and series plot still shown whole, the
    # lanes far enough apart that their names do not overlap
    axis = window.timeline.lanes.getAxis("left")
    names = QFontMetrics(axis.style["tickFont"]).tightBoundingRect(
        "".join(name for _row, name in axis._tickLevels[0]))
    pitch = abs(window.timeline.lanes.vb.mapViewToScene(QPointF(0, 1)).y()
                - window.timeline.lanes.vb.mapViewToScene(QPointF(0, 0)).y())
    assert pitch >= names.height()
    assert window.timeline.series_plots and all(p.vb.height() >= 18 for p in window.timeline.series_plots)
    bottom = window.timeline.mapTo(window, QPoint(0, window.timeline.height())).y()
    assert bottom <= window.statusBar().y() + 1
    view = window.timeline.view                                 # nor its date axis
    assert view.ci.geometry().height() <= view.viewport().height() + 1
    label = window.timeline._cursor_label                       # the cursor's date sits
    label_bottom = label.mapRectToScene(label.boundingRect()).bottom()   # above the top lane
    top_lane = window.timeline.lanes.vb.mapViewToScene(QPointF(0, lanes - 0.5)).y()
    assert label_bottom <= top_lane + 1
    for plot in window.timeline.series_plots:                   # short plots: values
        axis, (low, high) = plot.getAxis("left"), plot.vb.viewRange()[1]   # labelled apart
        spacing = axis.tickSpacing(low, high, axis.height())[0][0]
        assert (high - low) / spacing * 14 <= axis.height()


def briefing_of_many_lanes(tmp_path) -> Path:
    """The embedded briefing with its events in 14 categories (the format names none)."""
    from viewer.cli.common import EMBEDDED_DATASET

    path = tmp_path / "many-lanes.gpkg"
    shutil.copy(EMBEDDED_DATASET, path)
    db = sqlite3.connect(path)
    for name in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        db.create_function(name, 1, lambda _geometry: 0)     # named by the file's triggers
    db.execute("UPDATE events SET category = 'cat' || (rowid % 14)")
    db.commit()
    db.close()
    return path


@pytest.mark.parametrize("size, lanes", [((1366, 705), 8), ((1366, 768), 14)])
def test_the_timeline_fits_a_maximised_laptop_window_whole(qtbot, settings, tmp_path, size, lanes):
    """A 1366x768 screen gives a maximised window about 705 px; a briefing may have more
    event categories than Kachin's 8: the lanes come closer, their names smaller, and
    the date axis and every series plot stay on screen."""
    from viewer.cli.common import EMBEDDED_DATASET

    window = open_window(qtbot, settings, briefing_of_many_lanes(tmp_path) if lanes == 14
                         else EMBEDDED_DATASET, size=size)
    qtbot.wait(50)
    timeline = window.timeline
    axis = timeline.lanes.getAxis("left")
    assert len(axis._tickLevels[0]) == lanes
    assert timeline.view.ci.geometry().height() <= timeline.view.viewport().height() + 1
    names = QFontMetrics(axis.style["tickFont"]).tightBoundingRect(
        "".join(name for _row, name in axis._tickLevels[0]))
    pitch = abs(timeline.lanes.vb.mapViewToScene(QPointF(0, 1)).y()
                - timeline.lanes.vb.mapViewToScene(QPointF(0, 0)).y())
    assert pitch >= names.height() - 1                       # the names at most touch
    assert window.map.height() >= 0.5 * window.height()


@pytest.mark.parametrize("size, many", [((1366, 768), True), ((1366, 705), False)])
def test_the_timeline_fits_again_when_another_briefing_or_the_same_one_is_read(
        qtbot, settings, tmp_path, size, many):
    """Not only on a resize: opening a briefing of more categories, or reading the same
    one again (as after an edit), keeps the date axis and the series plots on screen."""
    from viewer.cli.common import EMBEDDED_DATASET

    window = open_window(qtbot, settings, EMBEDDED_DATASET, size=size)
    qtbot.wait(50)
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.open_dataset(briefing_of_many_lanes(tmp_path) if many else EMBEDDED_DATASET)
    qtbot.wait(50)
    view = window.timeline.view
    assert view.ci.geometry().height() <= view.viewport().height() + 1


@pytest.mark.parametrize("size", [(1600, 1000), (1366, 768)])
def test_the_evidence_lane_opens_tall_enough_to_read_its_bars(qtbot, settings, size):
    from viewer.cli.common import EMBEDDED_DATASET

    window = open_window(qtbot, settings, EMBEDDED_DATASET, size=size)
    qtbot.wait(50)
    lane = window.evidence_lane
    peak = max(m.sources for m in lane.report.months)

    def screen_y(sources: float) -> float:
        return lane.plot.vb.mapViewToScene(QPointF(0, sources)).y()

    # The busiest month's bar, inside the lane's view: a tenth of it is still 2 px.
    assert screen_y(0) - screen_y(peak) >= 20
    assert 0 <= screen_y(peak) and screen_y(0) <= lane.view.viewport().height()
    assert window.map.height() >= 0.5 * window.height()


def test_default_view_frames_control_zones_and_routes(qtbot, settings):
    from viewer.cli.common import EMBEDDED_DATASET

    window = open_window(qtbot, settings, EMBEDDED_DATASET, size=(1366, 768))
    qtbot.wait(50)
    story, shown = window.map.renderer.default_extent(), window.map.view_extent()

    assert shown.xmin <= story.xmin and shown.xmax >= story.xmax
    assert shown.ymin <= story.ymin and shown.ymax >= story.ymax
    assert shown.height <= 1.1 * story.height              # the story fills the map's height
    assert window.map.height() >= 0.5 * window.height()

    window.region_action.trigger()                          # the whole region: one click
    region = window.map.view_extent()
    minlon, minlat, maxlon, maxlat = window.map.renderer.lonlat_of(region)
    assert region.height > shown.height and region.width > shown.width
    assert minlon < 91.77 and maxlon > 102.68 and minlat < 21.98 and maxlat > 27.72  # every place
    window.reset_map_action.trigger()
    assert window.map.view_extent() == shown


def test_legend_hidden_from_view_menu_is_remembered(qtbot, settings, tiny, window):
    window.legend_action.trigger()
    assert not window.map.decorations.legend and not window.legend_action.isChecked()
    collapsed = not window.map.decorations.legend_collapsed
    window.legend_collapsed_action.trigger()
    window.close()

    again = open_window(qtbot, settings, tiny)
    assert not again.map.decorations.legend and not again.legend_action.isChecked()
    assert again.map.decorations.legend_collapsed == collapsed
    again.legend_action.trigger()
    assert again.map.decorations.legend


def test_a_laptop_window_opens_with_the_legend_collapsed_unless_chosen(qtbot, settings, tiny):
    laptop = open_window(qtbot, settings, tiny, size=(1366, 768))
    assert laptop.map.decorations.legend_collapsed and laptop.legend_collapsed_action.isChecked()
    laptop.legend_collapsed_action.trigger()                     # the user opens it
    laptop.close()

    again = open_window(qtbot, settings, tiny, size=(1366, 768))
    assert not again.map.decorations.legend_collapsed            # their choice is kept
    settings.clear()
    desktop = open_window(qtbot, settings, tiny, size=(1600, 1000))
    assert not desktop.map.decorations.legend_collapsed
    desktop.close()
    settings.clear()   # 900 px tall (or 1800 at twice the scale): the legend covered the zones
    short = open_window(qtbot, settings, tiny, size=(1600, 900))
    assert short.map.decorations.legend_collapsed


def test_export_keeps_a_complete_legend_when_the_screen_legend_is_collapsed(window, qtbot, tmp_path):
    from viewer.export import ExportOptions, export_png

    window.legend_collapsed_action.trigger()
    window.map.set_legend(legend_corner="bottom-left")
    export_png_from_the_window(window, qtbot, tmp_path / "map.png")

    alone = export_png(window.state.dataset, window.state.date, tmp_path / "alone.png",
                       ExportOptions(800, 600, extent=window.map.view_extent()))
    assert QImage(str(tmp_path / "map.png")) == QImage(str(alone))


def test_in_and_out_points_bound_the_animation_export(window, qtbot):
    from viewer.qt.export_dialogs import ExportAnimationDialog

    window.state.set_date(dt.date(2024, 9, 1))
    qtbot.keyClick(window.map, Qt.Key.Key_I)
    window.state.set_date(dt.date(2024, 12, 1))
    qtbot.keyClick(window.map, Qt.Key.Key_O)
    assert window.state.play_range == (dt.date(2024, 9, 1), dt.date(2024, 12, 1))
    assert window.timeline.play_range.isVisible()
    assert window.timeline.play_range.getRegion() == (19967, 20058)

    window.export_animation_action.trigger()
    dialog = window.findChild(ExportAnimationDialog)
    assert dialog.dates.dates()[0] == dt.date(2024, 9, 1)
    assert dialog.dates.dates()[-1] == dt.date(2024, 12, 1)
    dialog.reject()
    qtbot.keyClick(window.map, Qt.Key.Key_I, Qt.KeyboardModifier.ShiftModifier)
    assert window.state.play_range is None and not window.timeline.play_range.isVisible()


def test_the_map_is_drawn_before_the_timeline_and_panels_are_built(qtbot, settings, tiny):
    """Start-up shows the map as soon as the dataset is read; the timeline follows."""
    from PySide6.QtCore import QEvent, QObject

    window = shown_window(qtbot, settings)
    seen = []

    class FirstMapPaint(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 (Qt API)
            if (event.type() == QEvent.Type.Paint and watched is window.map
                    and window.state.dataset is not None and not seen):
                seen.append(window.timeline)
            return False

    watcher = FirstMapPaint()
    QApplication.instance().installEventFilter(watcher)
    try:
        with qtbot.waitSignal(window.opened, timeout=30_000):
            window.open_dataset(tiny, dt.date(2024, 6, 1))
    finally:
        QApplication.instance().removeEventFilter(watcher)
    assert seen == [None]                      # drawn while the timeline was still to come
    qtbot.waitUntil(lambda: window.timeline.isVisible())


def test_the_start_page_progress_bar_fits_its_text(qtbot, settings):
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    page = window.start_page
    page.show_loading("kachin.gpkg")
    page.show_progress("Reading base_admin1", 0.29)
    text = page.progress.text()
    assert "Reading base_admin1" in text
    assert page.progress.width() >= page.progress.fontMetrics().horizontalAdvance(text) + 40


def test_the_timeline_opens_on_the_whole_time_range(qtbot, settings):
    """The window builds the timeline after the map and only then gives it its full
    width: the dataset's whole period stays in view (scrubbing never scrolls it)."""
    from viewer.cli.common import EMBEDDED_DATASET
    from viewer.model.dates import to_day

    window = open_window(qtbot, settings, EMBEDDED_DATASET)
    dataset = window.state.dataset
    (left, right), _ = window.timeline.lanes.viewRange()
    assert left <= to_day(dataset.time_start) and right >= to_day(dataset.last_day)
    window.timeline.zoom_to(dt.date(2024, 10, 1), dt.date(2024, 11, 1))   # the user's zoom
    width = window.timeline.lanes.vb.width()
    window.resize(1100, 900)
    qtbot.waitUntil(lambda: window.timeline.lanes.vb.width() < width)
    (left, right), _ = window.timeline.lanes.viewRange()
    assert right - left < 400


def test_playback_in_the_window_shows_every_date_in_full(qtbot, monkeypatch, window):
    from viewer.qt import map_canvas

    monkeypatch.setattr(map_canvas, "SCRUB_GAP_S", 60.0)   # every date "quick"
    monkeypatch.setattr(map_canvas, "DRAFT_AFTER_S", 0.0)  # every map "slow"
    drafts = []
    window.state.date_changed.connect(lambda _day: drafts.append(window.map.showing_draft()))
    window.playback.play()
    qtbot.waitUntil(lambda: len(drafts) >= 3, timeout=10_000)
    window.playback.pause()
    assert not any(drafts)


def test_a_second_file_asked_for_while_the_first_map_is_drawn_does_not_take_its_edits(
        qtbot, settings, tiny, tmp_path):
    """Opening B just as A's map appears (A's panels still being made): B opens, and
    whenever a file is announced as opened its edits go to that file, not the other;
    B ends up remembered as the last file."""
    import shutil

    other = Path(shutil.copy(tiny, tmp_path / "other.gpkg"))
    window = shown_window(qtbot, settings, size=None)
    asked, opened = [], []

    def ask_for_other(_dataset):
        if not asked:
            asked.append(True)
            window.open_dataset(other)

    window.loader.loaded.connect(ask_for_other)   # runs right after the window's own _loaded
    window.opened.connect(lambda: opened.append(
        (window.state.dataset.path.resolve(), window.editing.session.store.path.resolve())))
    window.open_dataset(tiny, dt.date(2024, 6, 1))
    qtbot.waitUntil(lambda: bool(opened) and opened[-1][0] == other.resolve(), timeout=30_000)
    assert all(shown == edited for shown, edited in opened)
    assert Path(settings.value("dataset/last_path")) == other.resolve()


def test_the_map_answers_clicks_and_dates_while_the_panels_are_being_made(qtbot, settings, tiny):
    """Once the first map is on screen the window takes a click and a typed date
    at once, not after the timeline and panels are made; the panels made after
    show the zone clicked, on the date typed, and the date box stays where it was."""
    from PySide6.QtCore import QTimer

    window = shown_window(qtbot, settings)
    handled, date_box_at = [], []

    def click_and_type():
        blue = np.argwhere(where(KIA_BLUE, pixels(window.map.grab().toImage())))
        y, x = blue[len(blue) // 3]
        qtbot.mouseClick(window.map, Qt.MouseButton.LeftButton, pos=QPoint(int(x), int(y)))
        window.date_edit.setFocus()
        window.date_edit.selectAll()
        qtbot.keyClicks(window.date_edit, "2024-11-20")
        qtbot.keyClick(window.date_edit, Qt.Key.Key_Return)
        handled.append((window.state.selection, window.state.date, window.timeline is None))
        date_box_at.append(window.date_edit.mapTo(window, QPoint(0, 0)))

    # The map's first paint is done when the window's own _loaded returns.
    window.loader.loaded.connect(lambda _dataset: QTimer.singleShot(0, click_and_type))
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.open_dataset(tiny, dt.date(2024, 11, 1))
    assert handled == [(Selection("control", "zone-east"), dt.date(2024, 11, 20), True)]
    assert window.date_edit.mapTo(window, QPoint(0, 0)) == date_box_at[0]   # it did not jump
    assert "Easttown zone" in window.details.browser.toPlainText()
    assert window.timeline.cursor.value() == to_day(dt.date(2024, 11, 20))


def test_a_file_read_ahead_at_start_up_opens_as_if_read_by_the_window(qtbot, settings, tiny):
    """Start-up reads the file while the window is built; the window shows that read."""
    from viewer.qt.loader import ReadAhead

    ahead = ReadAhead(tiny)
    window = open_window(qtbot, settings, ahead.location, dt.date(2024, 6, 1), ahead=ahead)
    read_by_window = open_window(qtbot, settings, tiny, dt.date(2024, 6, 1))

    assert window.windowTitle() == "Tiny test briefing — Kachin Viewer"
    assert window.state.date == dt.date(2024, 6, 1)
    shown = map_pixels(window)
    assert len(np.unique(shown.reshape(-1, 3), axis=0)) > 50       # a map, not a blank
    assert np.array_equal(shown, map_pixels(read_by_window))


def test_a_broken_file_read_ahead_is_reported_like_any_other(qtbot, settings, tmp_path):
    from viewer.qt.loader import ReadAhead

    actors = tiny_layers()["actors"]
    actors.loc[0, "color"] = "blue"
    broken = write_tiny(tmp_path / "broken.gpkg", actors=actors)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.loader.failed, timeout=30_000):
        window.open_dataset(broken, None, ReadAhead(broken))

    assert "broken.gpkg, layer 'actors', row KIA, column 'color'" in \
        window.findChild(ProblemDialog).lines.toPlainText()
    assert window.state is None           # nothing was opened; the start page stays


def test_a_read_ahead_of_another_file_is_not_shown(qtbot, settings, tiny, tmp_path):
    """Asked for one file while another was read ahead: the one asked for opens."""
    from viewer.qt.loader import ReadAhead

    meta = tiny_layers()["dataset_meta"]
    meta.loc[meta["key"] == "title", "value"] = "The other briefing"
    other = write_tiny(tmp_path / "other.gpkg", dataset_meta=meta)
    window = open_window(qtbot, settings, other, ahead=ReadAhead(tiny))

    assert window.windowTitle() == "The other briefing — Kachin Viewer"


def test_a_dataset_read_ahead_is_let_go_of_once_another_is_open(qtbot, settings, tiny, tmp_path):
    """Start-up's read must not keep the first briefing in memory for the session."""
    import gc
    import weakref

    from viewer.qt.loader import ReadAhead

    ahead = ReadAhead(tiny)                 # kept, as the start-up code's frame keeps it
    window = open_window(qtbot, settings, ahead.location, dt.date(2024, 6, 1), ahead=ahead)
    first = weakref.ref(window.state.dataset)
    meta = tiny_layers()["dataset_meta"]
    meta.loc[meta["key"] == "title", "value"] = "The next briefing"
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.open_dataset(write_tiny(tmp_path / "next.gpkg", dataset_meta=meta))
    gc.unfreeze()
    gc.collect()

    assert window.windowTitle() == "The next briefing — Kachin Viewer"
    assert first() is None


def test_sync_conflicts_stays_off_for_a_file_with_no_conflicts(qtbot, settings, tiny):
    window = open_window(qtbot, settings, tiny, dt.date(2024, 6, 1))
    assert window.state.dataset.extra_layers.get("sync_conflicts") is None
    assert not window.conflicts_action.isEnabled()


def _with_focus(tiny, tmp_path) -> Path:
    path = Path(shutil.copy(tiny, tmp_path / "focus.gpkg"))
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO dataset_meta (key, value) VALUES ('focus_start', '2024-09-01')")
    return path


def test_the_focus_button_is_offered_once_the_timeline_it_moves_is_made(qtbot, settings, tiny, tmp_path):
    """Pressed while the panels are being made, it is not yet enabled (nothing fails);
    once they are, it is."""
    path = _with_focus(tiny, tmp_path)
    window = shown_window(qtbot, settings)
    seen = []

    def press_focus():
        button = window.transport.widgetForAction(window.focus_timeline_action)
        seen.append((window.timeline is None, window.focus_timeline_action.isEnabled()))
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    window.loader.loaded.connect(lambda _dataset: QTimer.singleShot(0, press_focus))
    with qtbot.capture_exceptions() as exceptions:
        with qtbot.waitSignal(window.opened, timeout=30_000):
            window.open_dataset(path, dt.date(2024, 11, 1))
    assert seen == [(True, False)] and not exceptions
    assert window.focus_timeline_action.isEnabled()


def test_an_edit_made_while_the_file_is_read_again_is_kept(qtbot, settings, tiny, tmp_path, monkeypatch):
    """As when a colleague saves to a team database: the window reads it again
    (refresh_dataset); an edit the analyst makes meanwhile must not vanish."""
    path = Path(shutil.copy(tiny, tmp_path / "mine.gpkg"))
    window = open_window(qtbot, settings, path, dt.date(2024, 6, 1))
    session = window.editing.session
    window.refresh_dataset()
    session.push(AddSource("Irrawaddy", "Bhamo road reopens", dt.date(2024, 6, 1),
                           source_id="s-mine").edit(window.state.dataset, dt.date(2024, 6, 1)))
    assert len(session.pending()) == 1
    with qtbot.waitSignal(window.opened, timeout=30_000):
        pass
    assert len(session.pending()) == 1 and len(session.journal.read()) == 1
    from PySide6.QtWidgets import QMessageBox

    from viewer.qt import edit_session
    monkeypatch.setattr(edit_session, "ask", lambda *_: QMessageBox.StandardButton.Discard)


def test_my_copy_made_while_the_window_finishes_opening_stays_the_last_file(
        qtbot, settings, tiny, tmp_path, monkeypatch):
    """The built-in briefing is saved as the user's copy at the first edit; asked for
    while the panels are still being made, the copy must be what opens next time."""
    from PySide6.QtWidgets import QMessageBox

    from viewer.qt import edit_session

    builtin = Path(shutil.copy(tiny, tmp_path / "builtin.gpkg"))
    monkeypatch.setattr(edit_session, "is_embedded_dataset", lambda path: Path(path) == builtin)
    monkeypatch.setattr(edit_session, "ask", lambda *_: QMessageBox.StandardButton.Save)
    window = shown_window(qtbot, settings)
    made = []
    window.loader.loaded.connect(lambda _d: QTimer.singleShot(
        0, lambda: made.append((window.timeline is None, window.editing.session.may_edit()))))
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.open_dataset(builtin, dt.date(2024, 6, 1))
    copy = window.editing.session.store.path
    assert made == [(True, True)] and copy != builtin
    assert settings.value("dataset/last_path") == str(copy.resolve())


def test_a_date_typed_while_the_window_finishes_opening_keeps_the_keyboard(qtbot, settings, tiny):
    """The README: 'the map already takes clicks and typed dates'. A person who
    clicks the date box as soon as the map shows and types keeps typing there."""
    from PySide6.QtWidgets import QApplication

    window = shown_window(qtbot, settings)
    focus = []

    def start_typing():
        window.activateWindow()
        window.date_edit.setFocus()
        window.date_edit.selectAll()
        qtbot.keyClicks(window.date_edit, "2024-1")
        focus.append(QApplication.focusWidget() is window.date_edit)

    window.loader.loaded.connect(lambda _d: QTimer.singleShot(0, start_typing))
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.open_dataset(tiny, dt.date(2024, 6, 1))
    focus.append(QApplication.focusWidget() is window.date_edit)
    assert focus == [True, True]


def test_a_colleagues_save_after_a_failed_open_reads_the_briefing_shown(window, qtbot, tmp_path):
    """A file that could not be opened is not what a later refresh reads: the
    briefing on screen is, even if that file has since become readable."""
    later = tmp_path / "later.gpkg"
    with qtbot.waitSignal(window.loader.failed, timeout=30_000):
        window.open_dataset(later)
    meta = tiny_layers()["dataset_meta"]
    meta.loc[meta["key"] == "title", "value"] = "Another briefing"
    write_tiny(later, dataset_meta=meta)
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.team.refresh.emit("")
    assert window.windowTitle() == "Tiny test briefing — Kachin Viewer"


def test_a_refresh_after_edits_went_to_my_copy_reads_the_copy(
        qtbot, settings, tiny, tmp_path, monkeypatch):
    """Once the built-in briefing is edited as the user's copy, the window reads the
    copy again, not the built-in file (which would take the edits back to it)."""
    from PySide6.QtWidgets import QMessageBox

    from viewer.qt import edit_session

    builtin = Path(shutil.copy(tiny, tmp_path / "builtin.gpkg"))
    monkeypatch.setattr(edit_session, "is_embedded_dataset", lambda path: Path(path) == builtin)
    monkeypatch.setattr(edit_session, "ask", lambda *_: QMessageBox.StandardButton.Save)
    window = open_window(qtbot, settings, builtin, dt.date(2024, 6, 1))
    assert window.editing.session.may_edit()
    copy = window.editing.session.store.path
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.team.refresh.emit("")
    assert window.state.dataset.path == copy and window.editing.session.store.path == copy


@pytest.mark.parametrize("answer", ["Cancel", "Save"])
def test_an_edit_made_while_another_file_is_read_is_asked_about_before_that_file_shows(
        qtbot, settings, tiny, tmp_path, monkeypatch, answer):
    """Opening another file asks about unsaved edits; one made while that file is
    being read is asked about when it arrives: kept with its briefing on Cancel,
    written on Save. It never vanishes unasked."""
    from PySide6.QtWidgets import QMessageBox

    from viewer.io.reader import read_dataset
    from viewer.qt import edit_session

    asked = []
    monkeypatch.setattr(edit_session, "ask", lambda _window, title, *_: (
        asked.append(title), getattr(QMessageBox.StandardButton, answer))[1])
    mine = Path(shutil.copy(tiny, tmp_path / "mine.gpkg"))
    meta = tiny_layers()["dataset_meta"]
    meta.loc[meta["key"] == "title", "value"] = "Another briefing"
    other = write_tiny(tmp_path / "other.gpkg", dataset_meta=meta)
    window = open_window(qtbot, settings, mine, dt.date(2024, 6, 1))
    session = window.editing.session
    window.loader.started.connect(lambda _name: session.push(AddSource(
        "Irrawaddy", "Bhamo road reopens", dt.date(2024, 6, 1), source_id="s-mine")
        .edit(window.state.dataset, dt.date(2024, 6, 1))))
    with qtbot.waitSignal(window.loader.loaded, timeout=30_000):
        window.open_dataset(other)
    qtbot.wait(100)
    assert asked == ["Unsaved edits"]
    if answer == "Cancel":
        assert window.windowTitle() == "Tiny test briefing — Kachin Viewer"
        assert len(session.pending()) == 1
    else:
        qtbot.waitUntil(lambda: window.windowTitle() == "Another briefing — Kachin Viewer")
        assert "s-mine" in set(read_dataset(mine).sources["source_id"])


def test_a_colleagues_save_while_another_file_is_read_does_not_stop_it_opening(
        qtbot, settings, tiny, tmp_path):
    """The team watch hears a colleague's save to the briefing shown while the file the
    analyst asked for is read: that file still opens (it replaces the briefing)."""
    meta = tiny_layers()["dataset_meta"]
    meta.loc[meta["key"] == "title", "value"] = "Another briefing"
    other = write_tiny(tmp_path / "other.gpkg", dataset_meta=meta)
    window = open_window(qtbot, settings, tiny, dt.date(2024, 6, 1))
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.open_dataset(other)
        window.team.refresh.emit("")
    qtbot.wait(300)
    assert window.windowTitle() == "Another briefing — Kachin Viewer"


def test_cancel_about_edits_made_while_another_file_is_read_lets_the_shown_one_finish_opening(
        qtbot, settings, tiny, tmp_path, monkeypatch):
    """The other file arrives while the briefing shown is still being opened, and the
    analyst keeps their edits (Cancel): the briefing shown is still made whole."""
    from PySide6.QtWidgets import QMessageBox

    from viewer.qt import edit_session
    from viewer.qt.loader import _prepared, _read

    monkeypatch.setattr(edit_session, "ask", lambda *_: QMessageBox.StandardButton.Cancel)
    mine = Path(shutil.copy(tiny, tmp_path / "mine.gpkg"))
    other = write_tiny(tmp_path / "other.gpkg")
    other_read = _prepared(_read(other, lambda *_: None), lambda *_: None)
    window = shown_window(qtbot, settings)
    with qtbot.waitSignal(window.loader.loaded, timeout=30_000):
        window.open_dataset(mine, dt.date(2024, 6, 1))
    assert window.timeline is None                        # still opening
    window.loader.location = other                        # as if asked for, and read:
    window.editing.session.push(AddSource("Irrawaddy", "Bhamo road reopens", dt.date(2024, 6, 1),
                                          source_id="s-mine").edit(window.state.dataset, dt.date(2024, 6, 1)))
    with qtbot.waitSignal(window.opened, timeout=30_000):
        window.loader.loaded.emit(other_read)
    assert len(window.editing.session.pending()) == 1
    assert window.timeline_box.layout().indexOf(window.timeline) >= 0 and window.playback is not None


def test_the_same_file_read_again_under_another_spelling_keeps_the_edits_made_meanwhile(
        qtbot, settings, tiny, tmp_path, monkeypatch):
    from viewer.qt import edit_session

    asked = []
    monkeypatch.setattr(edit_session, "ask", lambda *args: asked.append(args[1]))
    path = Path(shutil.copy(tiny, tmp_path / "mine.gpkg"))
    window = open_window(qtbot, settings, path, dt.date(2024, 6, 1))
    session = window.editing.session
    (tmp_path / "sub").mkdir()
    window.loader.load(tmp_path / "sub" / ".." / "mine.gpkg")
    session.push(AddSource("Irrawaddy", "Bhamo road reopens", dt.date(2024, 6, 1),
                           source_id="s-mine").edit(window.state.dataset, dt.date(2024, 6, 1)))
    with qtbot.waitSignal(window.opened, timeout=30_000):
        pass
    assert asked == [] and len(session.pending()) == 1


def test_a_series_value_clicked_shows_its_sources_in_the_details_tab(window, qtbot):
    """A click on a value only moved the date; its sources were named by outlet in a
    tooltip, with no title or address, and the Details tab could stay behind Chapters."""
    from test_timeline import click

    window.chapters_dock.raise_()
    timeline = window.timeline
    [plot] = timeline.series_plots
    where = pixel(timeline, plot, to_day(dt.date(2024, 8, 1)), 80.0)
    # The hover's tip, asked as pyqtgraph asks it (by keyword: a renamed argument broke it).
    [tips] = [item for item in plot.items
              if isinstance(item, pg.ScatterPlotItem) and item.opts.get("tip") is not None
              and len(item.points()) and item.points()[0].data() is not None]
    spot = next(s for s in tips.points() if s.pos().x() == to_day(dt.date(2024, 8, 1)))
    tip = tips.opts["tip"](x=spot.pos().x(), y=spot.pos().y(), data=spot.data())
    assert "Imports" in tip and "Sources: Outlet A" in tip
    click(timeline.view.viewport(), where)
    assert window.state.date == dt.date(2024, 8, 31)   # August's figure: known at its end
    text = window.details.browser.toPlainText()
    assert "Imports" in text and "80" in text and "Derived" in text
    assert "Report one" in text and "https://a.example/1" in text   # s1 in full
    assert not window.details_dock.visibleRegion().isEmpty()


def test_after_a_date_is_entered_the_keys_drive_the_map_again_and_an_old_refusal_goes(
        window, qtbot):
    """Space and the arrows went into the Date box after Return (nothing played or moved),
    and "'2025-02-30' is not a date" stayed in the status bar beside later good dates."""
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    type_date(window, qtbot, "2024-02-30")
    assert "not a date" in window.statusBar().currentMessage()
    type_date(window, qtbot, "2024-10-19")
    assert window.state.date == dt.date(2024, 10, 19)
    assert "not a date" not in window.statusBar().currentMessage()
    assert QApplication.focusWidget() is window.map
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert window.state.date == dt.date(2024, 10, 20)
