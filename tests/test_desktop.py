"""`--install-desktop`: the menu entry, icons and .gpkg file type a user double-clicks.

conftest points HOME and XDG_DATA_HOME at a fresh temp folder for every test."""
from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from factory import write_tiny
from viewer import desktop
from viewer.desktop import desktop_main, install_desktop, uninstall_desktop

GPKG_TYPE = "application/geopackage+sqlite3"


def data_home() -> Path:
    return Path(os.environ["XDG_DATA_HOME"])


def entry_path() -> Path:
    return data_home() / "applications" / "kachin-viewer.desktop"


def read_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def validate(path: Path) -> subprocess.CompletedProcess:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
    return subprocess.run([tool, str(path)], capture_output=True, text=True)


def test_install_adds_menu_entry_icons_and_file_type():
    written = install_desktop()
    assert entry_path() in written
    assert all(path.is_file() for path in written)
    icons = data_home() / "icons" / "hicolor"
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        png = QImage(str(icons / f"{size}x{size}" / "apps" / "kachin-viewer.png"))
        assert (png.width(), png.height()) == (size, size)
    assert (icons / "scalable" / "apps" / "kachin-viewer.svg").is_file()
    assert (data_home() / "mime" / "packages" / "kachin-viewer-briefing.xml").is_file()

    entry = read_entry(entry_path())
    assert entry["Name"] == "Kachin Viewer"
    assert entry["Icon"] == "kachin-viewer"
    assert entry["Terminal"] == "false"
    assert GPKG_TYPE in entry["MimeType"].split(";")
    command = shlex.split(entry["Exec"])
    assert Path(command[0]).is_absolute() and os.access(command[0], os.X_OK)
    assert command[-1] == "%f"  # the double-clicked file is passed to the app


def test_menu_entry_passes_desktop_file_validate():
    install_desktop()
    result = validate(entry_path())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout + result.stderr


def test_entry_for_a_command_in_a_folder_with_spaces_is_quoted(tmp_path, monkeypatch):
    folder = tmp_path / "My Apps (x86)"
    folder.mkdir()
    command = folder / "kachin-viewer"
    command.write_text("#!/bin/sh\n")
    command.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(folder / "python"))

    install_desktop()

    entry = read_entry(entry_path())
    assert shlex.split(entry["Exec"]) == [str(command), "%f"]
    assert entry["TryExec"] == str(command)
    assert "Path" not in entry  # the installed command needs no working folder
    result = validate(entry_path())
    assert result.returncode == 0, result.stdout + result.stderr


def test_bundle_entry_starts_the_bundle_itself(tmp_path, monkeypatch):
    bundle_command = tmp_path / "kachin-viewer" / "kachin-viewer"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(bundle_command))

    install_desktop()

    assert shlex.split(read_entry(entry_path())["Exec"]) == [str(bundle_command), "%f"]


@pytest.mark.skipif(shutil.which("update-mime-database") is None,
                    reason="update-mime-database is not installed (apt-get install shared-mime-info)")
def test_briefing_files_are_recognised_as_geopackages_after_install(tmp_path):
    briefing = write_tiny(tmp_path / "briefing.gpkg")
    renamed = tmp_path / "briefing.download"
    shutil.copy(briefing, renamed)
    install_desktop()

    # A fresh process, as a file manager would be: Qt reads the MIME folders once.
    probe = ("import sys; from PySide6.QtCore import QMimeDatabase; db = QMimeDatabase(); "
             "print(*(db.mimeTypeForFile(p).name() for p in sys.argv[1:]))")
    result = subprocess.run([sys.executable, "-c", probe, str(briefing), str(renamed)],
                            capture_output=True, text=True, env=os.environ.copy(), timeout=60)
    assert result.stdout.split() == [GPKG_TYPE, GPKG_TYPE], result.stderr

    if shutil.which("update-desktop-database"):
        handlers = (data_home() / "applications" / "mimeinfo.cache").read_text()
        assert f"{GPKG_TYPE}=kachin-viewer.desktop;" in handlers


def test_on_desktop_adds_an_executable_launcher():
    written = install_desktop(on_desktop=True)
    launcher = Path.home() / "Desktop" / "kachin-viewer.desktop"
    assert launcher in written
    assert os.access(launcher, os.X_OK)
    assert launcher.read_text() == entry_path().read_text()


def test_uninstall_removes_everything_install_added():
    written = install_desktop(on_desktop=True)

    removed = uninstall_desktop()

    assert sorted(removed) == sorted(written)
    assert not any(path.exists() for path in written)
    assert uninstall_desktop() == []


def test_flags_are_handled_and_other_arguments_left_alone(capsys):
    assert desktop_main(["validate", "x.gpkg"]) is None
    assert desktop_main([]) is None

    assert desktop_main(["--install-desktop"]) == 0
    assert str(entry_path()) in capsys.readouterr().out
    assert desktop_main(["--uninstall-desktop"]) == 0
    assert f"removed {entry_path()}" in capsys.readouterr().out
    assert not entry_path().exists()


def test_failed_install_reports_one_line_and_leaves_no_temp_file(capsys):
    entry_path().mkdir(parents=True)  # something in the way that cannot be replaced by a file

    assert desktop_main(["--install-desktop"]) == 1

    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1
    assert sorted(p.name for p in entry_path().parent.iterdir()) == ["kachin-viewer.desktop"]


def test_exec_arguments_follow_the_desktop_entry_quoting_rules():
    assert desktop.exec_arg("/usr/bin/kachin-viewer") == "/usr/bin/kachin-viewer"
    assert desktop.exec_arg("/opt/a b/kv") == '"/opt/a b/kv"'
    assert desktop.exec_arg("/opt/100%/kv") == "/opt/100%%/kv"
    # `$` is escaped inside the quotes, then the backslash is escaped as a string value.
    assert desktop.exec_arg("/opt/$HOME/kv") == '"/opt/\\\\$HOME/kv"'
