"""`--install-desktop` / `--uninstall-desktop`: the freedesktop menu entry, icon and
GeoPackage file type, so users start the app and open `.gpkg` briefings by
double-clicking instead of from a terminal. Linux (and other freedesktop) only."""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from viewer.io.atomic import atomic_file
from viewer.resources import APP_ID, RESOURCES, icon_path, icon_sizes

ENTRY_NAME = f"{APP_ID}.desktop"
MIME_PACKAGE = "kachin-viewer-briefing.xml"
# Characters that force quoting of an Exec argument (desktop entry spec, "The Exec key").
EXEC_RESERVED = re.compile(r"[\s\"'\\><~|&;$*?#()`]")
STRING_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"})


def data_home() -> Path:
    configured = os.environ.get("XDG_DATA_HOME", "")
    return Path(configured) if os.path.isabs(configured) else Path.home() / ".local" / "share"


def launch_command() -> tuple[list[str], Path | None]:
    """The command that starts this installation, and the folder it must start in
    when it is an uninstalled checkout (`-m viewer` finds the package only there)."""
    if getattr(sys, "frozen", False):
        return [sys.executable], None
    beside_python = Path(sys.executable).with_name(APP_ID)
    installed = str(beside_python) if beside_python.is_file() else shutil.which(APP_ID)
    if installed:
        return [os.path.abspath(installed)], None
    return [sys.executable, "-m", "viewer"], Path(__file__).resolve().parent.parent


def escape_string(value: str) -> str:
    return value.translate(STRING_ESCAPES)


def exec_arg(arg: str) -> str:
    """One argument of the Exec key: `%` doubled, quoted if it has reserved characters."""
    arg = arg.replace("%", "%%")
    if EXEC_RESERVED.search(arg):
        arg = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
    return escape_string(arg)


def entry_text() -> str:
    command, workdir = launch_command()
    text = (RESOURCES / f"{ENTRY_NAME}.in").read_text(encoding="utf-8")
    text = text.replace("@EXEC@", " ".join(exec_arg(arg) for arg in command))
    text = text.replace("@TRYEXEC@", escape_string(command[0]))
    if workdir:
        text += f"Path={escape_string(str(workdir))}\n"
    return text


def desktop_dir() -> Path:
    """The user's (possibly localised) desktop folder; xdg-user-dir answers $HOME when none is set."""
    try:
        found = subprocess.run(["xdg-user-dir", "DESKTOP"], capture_output=True, text=True,
                               timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    return Path(found) if found and Path(found) != Path.home() else Path.home() / "Desktop"


def write_atomic(target: Path, data: bytes, mode: int = 0o644) -> Path:
    """Write via a temp file in the same folder, so a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(target, mode) as temporary:
        temporary.write_bytes(data)
    return target


def icon_files(home: Path) -> dict[Path, Path]:
    """Where each icon goes in the hicolor theme → the bundled file it copies."""
    apps = [(f"{size}x{size}", icon_path(size)) for size in icon_sizes()] + [("scalable", icon_path())]
    return {home / "icons" / "hicolor" / folder / "apps" / f"{APP_ID}{source.suffix}": source
            for folder, source in apps}


def mark_trusted(launcher: Path) -> None:
    """GNOME runs a desktop launcher only once it is trusted; other desktops need just +x."""
    if shutil.which("gio"):
        subprocess.run(["gio", "set", str(launcher), "metadata::trusted", "true"],
                       capture_output=True, timeout=10, check=False)


def refresh_caches(home: Path) -> None:
    """Let file managers see the new type and its handler now; harmless if the tools are absent."""
    for tool, folder in (("update-mime-database", home / "mime"),
                         ("update-desktop-database", home / "applications")):
        if shutil.which(tool) and folder.is_dir():
            subprocess.run([tool, str(folder)], capture_output=True, timeout=120, check=False)


def install_desktop(on_desktop: bool = False) -> list[Path]:
    """Write the menu entry, icons and MIME type under $XDG_DATA_HOME; return the files written."""
    home = data_home()
    entry = entry_text().encode("utf-8")
    written = [write_atomic(home / "applications" / ENTRY_NAME, entry)]
    written += [write_atomic(target, source.read_bytes()) for target, source in icon_files(home).items()]
    mime = RESOURCES / "mime" / MIME_PACKAGE
    written.append(write_atomic(home / "mime" / "packages" / MIME_PACKAGE, mime.read_bytes()))
    if on_desktop:
        launcher = write_atomic(desktop_dir() / ENTRY_NAME, entry, mode=0o755)
        mark_trusted(launcher)
        written.append(launcher)
    refresh_caches(home)
    return written


def uninstall_desktop() -> list[Path]:
    """Remove everything `install_desktop` may have written (any icon size); return what was removed."""
    home = data_home()
    candidates = [home / "applications" / ENTRY_NAME, home / "mime" / "packages" / MIME_PACKAGE,
                  desktop_dir() / ENTRY_NAME, *(home / "icons" / "hicolor").glob(f"*/apps/{APP_ID}.*")]
    removed = [path for path in candidates if path.is_file()]
    for path in removed:
        path.unlink()
    refresh_caches(home)
    return removed


def desktop_main(argv: list[str]) -> int | None:
    """Handle `--install-desktop [--on-desktop]` and `--uninstall-desktop`; None if neither is given."""
    if not {"--install-desktop", "--uninstall-desktop"} & set(argv):
        return None
    parser = argparse.ArgumentParser(
        prog=APP_ID, description="Add or remove Kachin Viewer's menu entry, icon and .gpkg file type.")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--install-desktop", action="store_true",
                        help="add the app to the applications menu and open .gpkg files with it")
    action.add_argument("--uninstall-desktop", action="store_true",
                        help="remove what --install-desktop added")
    parser.add_argument("--on-desktop", action="store_true", help="also put a launcher on the desktop")
    args = parser.parse_args(argv)
    if sys.platform in ("win32", "darwin"):
        print("error: --install-desktop is for Linux desktops; on Windows and macOS use the "
              "bundle (see packaging/README.md)", file=sys.stderr)
        return 1
    try:
        paths = install_desktop(args.on_desktop) if args.install_desktop else uninstall_desktop()
    except OSError as error:
        print(f"error: {error.filename or 'desktop integration'}: {error.strerror or error}",
              file=sys.stderr)
        return 1
    verb = "installed" if args.install_desktop else "removed"
    for path in paths:
        print(f"{verb} {path}")
    if not paths:
        print("nothing to remove: the desktop entry was not installed")
    return 0
