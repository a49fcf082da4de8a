"""A crash or a full disk mid-write never leaves a half-written file behind."""
import datetime as dt
from pathlib import Path

import pytest

from factory import tiny_layers
from viewer.io import gpkg_write
from viewer.io.gpkg_write import write_gpkg
from viewer.export import ExportError, export_png


def disk_full_after_partial_write(path, data):
    with open(path, "wb") as handle:
        handle.write(data[:100])
    raise OSError(28, "No space left on device")


def test_png_export_failing_mid_write_keeps_the_old_file_and_leaves_no_temp(qapp, dataset,
                                                                          tmp_path, monkeypatch):
    target = tmp_path / "map.png"
    target.write_bytes(b"the previous export")
    monkeypatch.setattr(Path, "write_bytes", disk_full_after_partial_write)
    with pytest.raises(ExportError, match=r"^disk full \([\d.]+ MB needed"):
        export_png(dataset, dt.date(2024, 11, 1), target, overwrite=True)
    assert target.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png"]


def test_geopackage_write_failing_mid_write_leaves_nothing(tmp_path, monkeypatch):
    calls = []
    real = gpkg_write._write_layer

    def crash_on_third_layer(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(gpkg_write, "_write_layer", crash_on_third_layer)
    with pytest.raises(OSError):
        write_gpkg(tiny_layers(), tmp_path / "briefing.gpkg")
    assert list(tmp_path.iterdir()) == []
