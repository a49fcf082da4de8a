"""Time from launch to the window being mapped (xdotool --onlyvisible) under Xvfb, then
grab it with xwd and save a PNG so the paint can be inspected. Usage:
  python first_paint.py DISPLAY OUT.png -- command args..."""
import os, subprocess, sys, time
import numpy as np
from PIL import Image

display, out = sys.argv[1], sys.argv[2]
cmd = sys.argv[sys.argv.index("--") + 1:]
env = dict(os.environ, DISPLAY=display)
env.pop("QT_QPA_PLATFORM", None)
t0 = time.perf_counter()
proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wid = None
while time.perf_counter() - t0 < 30:
    r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Kachin Viewer"],
                       env=env, capture_output=True, text=True)
    if r.stdout.strip():
        wid = r.stdout.split()[0]; break
    time.sleep(0.01)
mapped = time.perf_counter() - t0
print(f"mapped after {mapped:.2f} s" if wid else "never mapped")
def grab_array():
    raw = subprocess.run(["xwd", "-silent", "-id", wid, "-display", display], capture_output=True).stdout
    h = np.frombuffer(raw[:100], ">u4")
    header, ncolors, width, height, bpl = h[0], h[19], h[4], h[5], h[12]
    data = np.frombuffer(raw[header + 12 * ncolors:], np.uint8)[: bpl * height].reshape(height, bpl)
    return data[:, : width * 4].reshape(height, width, 4)[:, :, [2, 1, 0]]
if wid:
    while time.perf_counter() - t0 < 30:
        px = grab_array()
        if len(np.unique(px[::8, ::8].reshape(-1, 3), axis=0)) > 8:
            break
    painted = time.perf_counter() - t0
    print(f"painted after {painted:.2f} s (first non-blank grab)")
    Image.fromarray(px.copy()).save(out.replace(".png", "-first-paint.png"))
    while time.perf_counter() - t0 < 30:
        px = grab_array()
        if len(np.unique(px[40:400:4, 0:900:4].reshape(-1, 3), axis=0)) > 60:
            break
    print(f"map drawn after {time.perf_counter() - t0:.2f} s")
    Image.fromarray(px.copy()).save(out)
proc.terminate()
try: proc.wait(5)
except subprocess.TimeoutExpired: proc.kill()
print(proc.stderr.read().decode()[-1500:])
