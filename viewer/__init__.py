"""Kachin Viewer: an offline timeline-and-map viewer for briefing datasets."""
import os

# numpy's OpenBLAS starts a thread per core as it loads, for matrix algebra this app
# never does: importing numpy, the first thing a start-up does, took 0.15-0.32 s with
# it and 0.08-0.17 s without (2 cores, six alternating imports each, load ~2), and its
# CPU (0.19-0.21 -> 0.11-0.17 s) went from the reading thread. Set before numpy loads
# (every entry point imports this package first); a user's own setting stays. Programs
# the app starts (a browser for a source's link) inherit it, which does them no harm.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Offline always: PROJ fetches missing transformation grids from a CDN when its network
# is on (PROJ_NETWORK=ON in a user's environment would do it). Forced off, whatever the
# environment says, before pyproj loads.
os.environ["PROJ_NETWORK"] = "OFF"

__version__ = "0.1.0"
