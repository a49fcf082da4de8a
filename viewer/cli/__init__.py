"""The command line (`kachin-viewer validate|state|export …`); no window or display needed."""
from viewer.cli.common import EMBEDDED_DATASET
from viewer.cli.main import main

__all__ = ["EMBEDDED_DATASET", "main"]
