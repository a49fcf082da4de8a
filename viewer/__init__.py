"""Kachin Viewer: an offline timeline-and-map viewer for briefing datasets."""
import os

# numpy's OpenBLAS starts a thread per core as it loads, for matrix algebra this app
# never does, and they spin for work meanwhile: importing numpy, the first thing a
# start-up does, took 0.19-0.33 s with them and 0.12-0.23 s without (2 cores, five
# alternating launches each), and they took CPU from the reading thread. Set before
# numpy loads (every entry point imports this package first); a user's own setting stays.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
