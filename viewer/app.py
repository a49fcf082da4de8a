"""The entry point: `kachin-viewer [PATH] [--date YYYY-MM-DD]` opens the window.

`validate`, `state`, `export` and `--version` go to the command line without
starting a GUI; `--install-desktop` / `--uninstall-desktop` to the desktop
integration. The file is read on a thread from the moment the data libraries
are imported, while Qt is imported and the window is built (ReadAhead).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import signal
import sys
from pathlib import Path

from viewer import cli
from viewer.cli.common import OneLineParser, dataset_location, parse_day
from viewer.cli.main import SUBCOMMANDS
from viewer.pyside import skip_pyside_source_scan

ORGANISATION = "KachinViewer"
APPLICATION = "Kachin Viewer"


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="kachin-viewer",
        description="Open the Kachin Viewer window. Command-line tools: "
                    f"kachin-viewer {{{','.join(SUBCOMMANDS)}}} --help",
        epilog="Desktop integration: --install-desktop [--on-desktop] adds a launcher and the "
               "GeoPackage file type to your applications menu; --uninstall-desktop removes them.")
    parser.add_argument("path", nargs="?", type=dataset_location,
                        help="a briefing dataset (.gpkg) or a team database "
                             "(postgresql://user@host/db?schema=NAME) to open; default: the last "
                             "one opened, or the built-in Kachin briefing")
    parser.add_argument("--date", type=parse_day, help="start at this date (YYYY-MM-DD)")
    return parser


def _same_place(a, b: str) -> bool:
    """Whether location `a` is the remembered `b` (a file path or a saved address)."""
    if not isinstance(a, Path):
        return a.saved == b
    try:
        return a.resolve() == Path(b).resolve()
    except OSError:
        return False


def _remembered(last_path: str):
    """The dataset opened last, if it can still be opened; None else. An address that
    cannot be read (a hand-edited setting) is let go: it stopped every start."""
    # Imported here: viewer.io loads geopandas, which the first paint must not wait for.
    from viewer.io.pg_url import DatabaseUrl, DatabaseUrlError, is_database_url

    if last_path and is_database_url(last_path):
        try:
            return DatabaseUrl.parse(last_path)
        except DatabaseUrlError:
            return None
    return Path(last_path) if last_path and Path(last_path).is_file() else None


def startup_dataset(path, date: dt.date | None, last_path: str,
                    last_date: str) -> tuple[object, dt.date | None]:
    """Which dataset to open (a Path or DatabaseUrl) and at which date: the one asked
    for, else the last one (at its last date), else the built-in briefing; None when
    there is nothing."""
    if path is None:
        path = _remembered(last_path) or (
            cli.EMBEDDED_DATASET if cli.EMBEDDED_DATASET.is_file() else None)
        if path is None:
            return None, None
    if date is None and last_path and last_date and _same_place(path, last_path):
        try:
            date = dt.date.fromisoformat(last_date)
        except ValueError:
            date = None  # a hand-edited setting: fall back to the dataset's default date
    return path, date


def import_data_libraries() -> None:
    """geopandas and the reader, imported first: the file's read (ReadAhead) can
    start as soon as they are in, while Qt is imported. The map cannot be drawn
    without them, so the window waits no longer."""
    import viewer.io.reader  # noqa: F401


def run_gui(args: argparse.Namespace) -> int:
    import_data_libraries()
    from PySide6.QtCore import QCoreApplication, QSettings

    skip_pyside_source_scan()

    from viewer.qt.loader import ReadAhead

    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APPLICATION)
    settings = QSettings()
    path, date = startup_dataset(args.path, args.date, str(settings.value("dataset/last_path", "")),
                                 str(settings.value("dataset/last_date", "")))
    # The file is read while the widgets are imported and the window is built.
    ahead = ReadAhead(path) if path is not None else None
    from PySide6.QtWidgets import QApplication

    from viewer.qt.application import ViewerApplication
    from viewer.qt.main_window import MainWindow
    from viewer.resources import APP_ID, app_icon

    app = QApplication.instance() or ViewerApplication([sys.argv[0]])
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    window = MainWindow(embedded_dataset=cli.EMBEDDED_DATASET, settings=settings)
    window.show()
    gc.freeze()   # what was imported stays; later collections need not scan it
    gc.enable()
    _quit_on_ctrl_c(app)
    if path is not None:
        window.open_dataset(path, date, ahead)
    del ahead   # the loader has it; this frame lives as long as the app
    return app.exec()


def _quit_on_ctrl_c(app) -> None:
    """Ctrl+C in the terminal closes the window (which saves its settings) and quits.

    Python runs a signal handler only when it next runs Python code, which Qt's
    event loop may not do for a long time: a timer gives it a moment every 200 ms.
    """
    from PySide6.QtCore import QTimer

    signal.signal(signal.SIGINT, lambda _signum, _frame: (app.closeAllWindows(), app.quit()))
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(200)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    from viewer.desktop import desktop_main

    handled = desktop_main(argv)
    if handled is not None:
        return handled
    if argv and (argv[0] in SUBCOMMANDS or argv[0].startswith("--version")):
        return cli.main(argv, own_process=True)
    # Importing the data libraries and Qt makes some 500,000 objects and almost no
    # garbage: the collector, which would scan them again and again, rests until
    # the window is shown (0.07-0.15 s less CPU over the start-up's imports).
    gc.disable()
    try:
        args = build_parser().parse_args(argv)
        # Until the window is up, Ctrl+C ends the process at once, as for any program
        # (no KeyboardInterrupt traceback out of an import); then it closes the window.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        return run_gui(args)
    finally:
        gc.enable()   # run_gui enables it once the window is shown; this is for the ways out
