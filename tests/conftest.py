"""Headless Qt for every test, and settings kept out of the user's home."""
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

import pytest  # noqa: E402

from pg_server import pg_database, pg_server, team  # noqa: E402,F401  (fixtures)


@pytest.fixture(scope="session")
def qapp_cls():
    """pytest-qt's application is the app's own class, as `kachin-viewer` starts it."""
    from viewer.qt.application import ViewerApplication

    return ViewerApplication


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, monkeypatch):
    """QSettings and the desktop folders point at a fresh temp directory per test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("HOME", str(home))
    yield home


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """The tiny test briefing (factory.py), read once per test module."""
    from factory import write_tiny
    from viewer.io import read_dataset

    return read_dataset(write_tiny(tmp_path_factory.mktemp("tiny") / "tiny.gpkg"))


@pytest.fixture
def state(dataset):
    """A fresh ViewerState over the tiny briefing for each test."""
    from viewer.model import ViewerState

    return ViewerState(dataset)
