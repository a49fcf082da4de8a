"""The real app, as a user starts it, on a real X server (Xvfb, the xcb platform)."""
import os
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from factory import write_tiny

pytestmark = pytest.mark.xvfb
ROOT = Path(__file__).resolve().parent.parent
WAIT = 90  # seconds the app may take to start on a loaded machine


def read_xwd(data: bytes) -> np.ndarray:
    """The pixels of an `xwd` dump (ZPixmap, 24 or 32 bits per pixel) as (h, w, 3) RGB."""
    header = struct.unpack(">25I", data[:100])
    header_size, width, height = header[0], header[4], header[5]
    byte_order, bits_per_pixel, bytes_per_line, colours = header[7], header[11], header[12], header[19]
    if bits_per_pixel not in (24, 32):
        raise ValueError(f"xwd with {bits_per_pixel} bits per pixel is not supported")
    start = header_size + colours * 12
    rows = np.frombuffer(data, np.uint8, bytes_per_line * height, start).reshape(height, -1)
    step = bits_per_pixel // 8
    pixels = rows[:, : width * step].reshape(height, width, step)
    # Masks are red 0xff0000, green 0x00ff00, blue 0x0000ff; LSB-first stores B, G, R.
    return pixels[..., 2::-1] if byte_order == 0 else pixels[..., step - 3:]


@pytest.fixture
def display():
    if not shutil.which("Xvfb") or not shutil.which("xwd"):
        pytest.skip("Xvfb and xwd (x11-apps) are needed")
    server = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1600x1000x24",
                               "-nolisten", "tcp"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    number = server.stdout.readline().decode().strip()  # Xvfb picks a free display and says which
    yield f":{number}"
    server.terminate()
    server.wait(timeout=30)


def screenshot(display: str) -> np.ndarray:
    dump = subprocess.run(["xwd", "-root", "-silent", "-display", display], capture_output=True,
                          check=True, timeout=30).stdout
    return read_xwd(dump)


def kia_blue(rgb: np.ndarray) -> int:
    r, b = rgb[..., 0].astype(int), rgb[..., 2].astype(int)
    return int(((b - r > 90) & (b > 150)).sum())


def test_the_app_starts_on_xcb_paints_the_map_and_keeps_running(display, tmp_path):
    dataset = write_tiny(tmp_path / "tiny.gpkg")
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    app = subprocess.Popen([sys.executable, "-m", "viewer", str(dataset), "--date", "2024-11-01"],
                           cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        found = subprocess.run(["xdotool", "search", "--sync", "--name", "Tiny test briefing"],
                               env=env, capture_output=True, text=True, timeout=WAIT)
        assert found.stdout.strip(), "no window titled by the dataset appeared"
        deadline = time.monotonic() + WAIT
        image = screenshot(display)
        while kia_blue(image) < 2000 and time.monotonic() < deadline:
            time.sleep(0.5)  # the title is set before the map's first paint
            image = screenshot(display)
        Image.fromarray(np.ascontiguousarray(image)).save(tmp_path / "screenshot.png")

        assert app.poll() is None, app.stdout.read().decode()
        assert len(np.unique(image.reshape(-1, 3), axis=0)) > 200  # not a blank or flat screen
        assert kia_blue(image) >= 2000  # KIA's area on 1 Nov 2024 is drawn
    finally:
        app.terminate()
        app.wait(timeout=30)



def test_each_redo_key_is_given_once_on_a_linux_desktop(display, tmp_path):
    """On xcb the platform's Redo key is Ctrl+Shift+Z, which the window gave Redo a second
    time: a key given twice is "ambiguous" to Qt, which then runs neither, so Ctrl+Shift+Z
    redid nothing and an analyst who then saved lost the edit they believed was back."""
    script = ("import sys\n"
              "from PySide6.QtCore import QSettings\n"
              "from PySide6.QtWidgets import QApplication\n"
              "from viewer.qt.main_window import MainWindow\n"
              "app = QApplication([])\n"
              "window = MainWindow(settings=QSettings(sys.argv[1], QSettings.Format.IniFormat))\n"
              "print(*[key.toString() for key in window.editing.session.redo_action.shortcuts()],"
              " sep='\\n')\n")
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "settings.ini")], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=WAIT)
    keys = run.stdout.splitlines()
    assert run.returncode == 0, run.stderr
    assert len(keys) == len(set(keys)) and {"Ctrl+Shift+Z", "Ctrl+Y"} <= set(keys), keys
