"""Check that QGIS opens a briefing file unchanged and filters it by date.

Runs with Debian's QGIS Python (`apt-get install python3-qgis`), not the
project's venv:

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 geodata/qgis_check.py geodata/kachin.gpkg 2024-11-01

The first argument may also be a team database published by `kachin-viewer
publish` (`postgresql://user:password@host:port/db?schema=NAME`): QGIS then
opens the schema's tables with its PostgreSQL provider.

For each of `control` and `flows` it sets up the Temporal Controller the way a
QGIS user would ("separate fields for start and end", include start, exclude
end — the half-open rule) and prints what holds on the day.
"""
import datetime as dt
import sys
from urllib.parse import parse_qs, unquote, urlsplit

from qgis.core import (Qgis, QgsApplication, QgsDataSourceUri, QgsDateTimeRange,
                       QgsFeatureRequest, QgsVectorLayer, QgsVectorLayerTemporalContext,
                       QgsVectorLayerTemporalProperties)
from qgis.PyQt.QtCore import QDate, QDateTime, QTime, QVariant


def open_layer(source: str, layer_name: str, geometry: str = "geom") -> QgsVectorLayer:
    """A layer of a GeoPackage file, or a table of a PostGIS schema (`geometry`: its
    geometry column, "" for an attribute table)."""
    if not source.startswith(("postgresql://", "postgres://")):
        return QgsVectorLayer(f"{source}|layername={layer_name}", layer_name, "ogr")
    parts = urlsplit(source)
    uri = QgsDataSourceUri()
    uri.setConnection(parts.hostname or "", str(parts.port or 5432), parts.path.lstrip("/"),
                      unquote(parts.username or ""), unquote(parts.password or ""))
    schema = parse_qs(parts.query).get("schema", ["briefing"])[0]
    uri.setDataSource(schema, layer_name, geometry, "", "fid")
    return QgsVectorLayer(uri.uri(False), layer_name, "postgres")


def rows_on(source: str, layer_name: str, key: str, value: str, day: dt.date) -> list[tuple]:
    layer = open_layer(source, layer_name)
    assert layer.isValid(), f"QGIS cannot open layer {layer_name}"
    types = {f.name(): f.type() for f in layer.fields()}
    assert types["valid_from"] == types["valid_to"] == QVariant.Date, types
    props = layer.temporalProperties()
    props.setIsActive(True)
    props.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields)
    props.setStartField("valid_from")
    props.setEndField("valid_to")
    props.setLimitMode(Qgis.VectorTemporalLimitMode.IncludeBeginExcludeEnd)
    start = QDateTime(QDate(day.year, day.month, day.day), QTime(0, 0))
    context = QgsVectorLayerTemporalContext()
    context.setLayer(layer)
    expression = props.createFilterString(context, QgsDateTimeRange(start, start.addSecs(1)))
    features = layer.getFeatures(QgsFeatureRequest().setFilterExpression(expression))
    return sorted((f[key], f[value]) for f in features)


def main() -> None:
    path, day = sys.argv[1], dt.date.fromisoformat(sys.argv[2])
    app = QgsApplication([], False)
    app.initQgis()
    for layer, key, value in (("control", "area_id", "actor_id"), ("control_gaps", "area_id", "reason"),
                              ("flows", "route_id", "status")):
        print(f"{layer} on {day}:")
        for row in rows_on(path, layer, key, value, day):
            print("   ", *row)
    print_chapters(path)
    app.exitQgis()


def print_chapters(path: str) -> None:
    """The optional briefing tables as QGIS reads them (plain attribute tables)."""
    layer = open_layer(path, "briefing_chapters", geometry="")
    if not layer.isValid():
        return  # the tables are optional
    assert layer.fields().field("date").type() == QVariant.Date
    print(f"briefing_chapters ({layer.featureCount()} rows), by position:")
    for feature in sorted(layer.getFeatures(), key=lambda f: (f["briefing_id"], f["position"])):
        print("   ", feature["position"], feature["date"].toString("yyyy-MM-dd"), feature["title"])


if __name__ == "__main__":
    main()
