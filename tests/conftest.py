"""Headless Qt for every test, and settings kept out of the user's home."""
import hashlib
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

import pytest  # noqa: E402

from pg_server import pg_database, pg_server, team  # noqa: E402,F401  (fixtures)


EMBEDDED_DATASET = Path(__file__).parents[1] / "geodata" / "kachin.gpkg"


@pytest.fixture(scope="session", autouse=True)
def embedded_dataset_untouched():
    """No test may change the committed dataset (tests read it; edits go to copies)."""
    before = hashlib.sha256(EMBEDDED_DATASET.read_bytes()).hexdigest()
    yield
    after = hashlib.sha256(EMBEDDED_DATASET.read_bytes()).hexdigest()
    assert after == before, "a test changed geodata/kachin.gpkg"


@pytest.fixture(scope="session")
def qapp_cls():
    """pytest-qt's application is the app's own class, as `kachin-viewer` starts it."""
    from viewer.qt.application import ViewerApplication

    return ViewerApplication


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, monkeypatch):
    """QSettings, the desktop and cache folders point at a fresh temp directory per test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("HOME", str(home))
    yield home


@pytest.fixture(scope="session")
def tiny_gpkg(tmp_path_factory) -> Path:
    """The tiny test briefing (factory.py), written once per run: tests only read it."""
    from factory import write_tiny

    return write_tiny(tmp_path_factory.mktemp("tiny") / "tiny.gpkg")


@pytest.fixture(scope="session")
def dataset(tiny_gpkg):
    """The tiny briefing, read once per run; tests only read it."""
    from viewer.io import read_dataset

    return read_dataset(tiny_gpkg)


@pytest.fixture
def state(dataset):
    """A fresh ViewerState over the tiny briefing for each test."""
    from viewer.model import ViewerState

    return ViewerState(dataset)
