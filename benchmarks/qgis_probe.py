"""QGIS 3.22 (PyQGIS, offscreen) doing what `kachin-viewer export` does, for
benchmarks/versus_qgis.py. Run it with the Python that has QGIS (Debian's
python3-qgis: /usr/bin/python3), never with the project's virtualenv:

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 benchmarks/qgis_probe.py DATASET OUT_DIR DATE [DATE ...]

For each date it shows what holds that day, as a user would set it up in
QGIS: control polygons filled by actor with an outline, routes as lines,
places as points labelled by name (QGIS's label engine), projected on the
fly to UTM 47N, at 1600x1000; then renders with QGIS's parallel renderer and
writes a PNG. The last stdout line is JSON: seconds per frame and in all.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()

from qgis.core import (QgsApplication, QgsCategorizedSymbolRenderer,  # noqa: E402
                       QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsFillSymbol,
                       QgsLineSymbol, QgsMapRendererParallelJob, QgsMapSettings,
                       QgsMarkerSymbol, QgsPalLayerSettings, QgsProject, QgsRendererCategory,
                       QgsTextFormat, QgsVectorLayer, QgsVectorLayerSimpleLabeling)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

ACTOR_COLORS = {"KIA": "#0072B2", "SAC": "#D55E00", "BGF": "#E69F00", "MNDAA": "#009E73"}
SIZE = (1600, 1000)


def holding(day: str) -> str:
    return f"valid_from <= '{day}' AND (valid_to IS NULL OR valid_to > '{day}')"


def layer(dataset: Path, name: str) -> QgsVectorLayer:
    found = QgsVectorLayer(f"{dataset}|layername={name}", name, "ogr")
    if not found.isValid():
        raise SystemExit(f"QGIS could not open layer {name} of {dataset}")
    return found


def styled_layers(dataset: Path) -> list[QgsVectorLayer]:
    control = layer(dataset, "control")
    categories = [QgsRendererCategory(actor, QgsFillSymbol.createSimple(
        {"color": ",".join(str(c) for c in QColor(color).getRgb()[:3]) + ",179",
         "outline_color": QColor(color).darker(135).name(),
         "outline_width": "0.26"}), actor) for actor, color in ACTOR_COLORS.items()]
    control.setRenderer(QgsCategorizedSymbolRenderer("actor_id", categories))
    flows = layer(dataset, "flows")
    flows.renderer().setSymbol(QgsLineSymbol.createSimple({"line_color": "#333333",
                                                           "line_width": "0.6"}))
    places = layer(dataset, "places")
    places.renderer().setSymbol(QgsMarkerSymbol.createSimple({"name": "circle", "size": "2",
                                                              "color": "#ffffff",
                                                              "outline_color": "#222222"}))
    labels = QgsPalLayerSettings()
    labels.fieldName = "name"
    text = QgsTextFormat()
    text.setSize(9)
    labels.setFormat(text)
    places.setLabeling(QgsVectorLayerSimpleLabeling(labels))
    places.setLabelsEnabled(True)
    return [places, flows, control]   # top to bottom


def main(argv: list[str]) -> int:
    dataset, out_dir, days = Path(argv[0]), Path(argv[1]), argv[2:]
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    layers = styled_layers(dataset)
    for each in layers:
        QgsProject.instance().addMapLayer(each, False)
    control, flows = layers[2], layers[1]
    utm = QgsCoordinateReferenceSystem("EPSG:32647")
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(utm)
    settings.setOutputSize(QSize(*SIZE))
    settings.setBackgroundColor(QColor("#f4f1ea"))
    to_utm = QgsCoordinateTransform(control.crs(), utm, QgsProject.instance())
    settings.setExtent(to_utm.transformBoundingBox(control.extent()))
    frames = []
    for number, day in enumerate(days, start=1):
        started = time.perf_counter()
        control.setSubsetString(holding(day))
        flows.setSubsetString(holding(day))
        job = QgsMapRendererParallelJob(settings)
        job.start()
        job.waitForFinished()
        job.renderedImage().save(str(out_dir / f"{number:03d}.png"), "PNG")
        frames.append(time.perf_counter() - started)
    total = time.perf_counter() - STARTED
    app.exitQgis()
    print(json.dumps({"frames_s": frames, "in_process_s": total}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
