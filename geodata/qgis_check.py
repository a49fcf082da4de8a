"""Check that QGIS opens a briefing file unchanged and filters it by date.

Runs with Debian's QGIS Python (`apt-get install python3-qgis`), not the
project's venv:

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 geodata/qgis_check.py geodata/kachin.gpkg 2024-11-01

The first argument may also be a team database published by `kachin-viewer
publish` (`postgresql://user:password@host:port/db?schema=NAME`): QGIS then
opens the schema's tables with its PostgreSQL provider.

For each of `control`, `control_gaps` and `flows` it takes the Temporal
Controller setup QGIS loads from the file's default style (`layer_styles`,
written by geodata/build.py: start and end from expressions), or, for a source
with none, sets it up the way a QGIS user would ("separate fields for start
and end", include start, exclude end — the half-open rule), and prints what
holds on the day: the rows in the frame the Controller shows when stepping by 1 day (from
midnight on the day to midnight the next). It then checks the 1-day frame
starting on every date a row of those layers starts or ends, and on the day
before each, against the half-open rule (`valid_from <= D`, and `valid_to`
NULL or `D < valid_to`) read from the rows' own dates, and exits non-zero
naming each date that disagrees.
"""
import datetime as dt
import sys
from urllib.parse import parse_qs, unquote, urlsplit

from qgis.core import (Qgis, QgsApplication, QgsDataSourceUri, QgsDateTimeRange, QgsExpressionContext,
                       QgsExpressionContextUtils, QgsFeatureRequest, QgsMapSettings, QgsVectorLayer,
                       QgsVectorLayerTemporalContext, QgsVectorLayerTemporalProperties)
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


def temporal_layer(source: str, layer_name: str) -> QgsVectorLayer:
    """The layer with its Temporal Controller set up as QGIS opens it: from the file's
    default style (its `layer_styles` table, loaded as QGIS's "Add layer" does), or, with
    none, the way a QGIS user would."""
    layer = open_layer(source, layer_name)
    assert layer.isValid(), f"QGIS cannot open layer {layer_name}"
    types = {f.name(): f.type() for f in layer.fields()}
    assert types["valid_from"] == types["valid_to"] == QVariant.Date, types
    layer.loadDefaultStyle()
    props = layer.temporalProperties()
    if props.isActive():
        return layer
    props.setIsActive(True)
    props.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields)
    props.setStartField("valid_from")
    props.setEndField("valid_to")
    props.setLimitMode(Qgis.VectorTemporalLimitMode.IncludeBeginExcludeEnd)
    return layer


def day_frame(day: dt.date) -> QgsDateTimeRange:
    """The Temporal Controller's frame for `day` at 1-day steps: [midnight, next midnight)."""
    start = QDateTime(QDate(day.year, day.month, day.day), QTime(0, 0))
    return QgsDateTimeRange(start, start.addDays(1), True, False)


def in_frame(layer: QgsVectorLayer, day: dt.date) -> set[int]:
    """The ids of the features QGIS shows in the 1-day frame starting on `day`."""
    context = QgsVectorLayerTemporalContext()
    context.setLayer(layer)
    expression = layer.temporalProperties().createFilterString(context, day_frame(day))
    # evaluated as when the map is drawn: with the map's variables (@map_end_time is the frame's end)
    settings = QgsMapSettings()
    settings.setDestinationCrs(layer.crs())
    settings.setIsTemporal(True)
    settings.setTemporalRange(day_frame(day))
    variables = QgsExpressionContext()
    variables.appendScope(QgsExpressionContextUtils.mapSettingsScope(settings))
    request = QgsFeatureRequest().setFilterExpression(expression)
    request.setExpressionContext(variables)
    return {f.id() for f in layer.getFeatures(request)}


def rows_on(source: str, layer_name: str, key: str, value: str, day: dt.date) -> list[tuple]:
    layer = temporal_layer(source, layer_name)
    ids = in_frame(layer, day)
    return sorted((f[key], f[value]) for f in layer.getFeatures() if f.id() in ids)


def to_date(value) -> dt.date | None:
    return value.toPyDate() if isinstance(value, QDate) and value.isValid() else None


def change_date_errors(source: str, layer_name: str, key: str) -> tuple[int, list[str]]:
    """Every date a row of the layer starts or ends, and the day before: the 1-day frame
    starting at midnight on it against the half-open rule on the rows' own dates. The
    number of dates checked, and one line per date that disagrees."""
    layer = temporal_layer(source, layer_name)
    spans = {f.id(): (f[key], to_date(f["valid_from"]), to_date(f["valid_to"]))
             for f in layer.getFeatures()}
    changes = {d for _, start, end in spans.values() for d in (start, end) if d}
    dates = sorted(changes | {d - dt.timedelta(days=1) for d in changes})
    errors = []
    for day in dates:
        expected = {i for i, (_, start, end) in spans.items()
                    if start <= day and (end is None or day < end)}
        shown = in_frame(layer, day)
        if shown != expected:
            extra = sorted(f"{spans[i][0]} (from {spans[i][1]})" for i in shown - expected)
            missing = sorted(f"{spans[i][0]} (from {spans[i][1]})" for i in expected - shown)
            errors.append(f"{layer_name} on {day} (1-day frame): shown but not holding {extra}, "
                          f"holding but not shown {missing}")
    return len(dates), errors


def main() -> None:
    path, day = sys.argv[1], dt.date.fromisoformat(sys.argv[2])
    app = QgsApplication([], False)
    app.initQgis()
    layers = (("control", "area_id", "actor_id"), ("control_gaps", "area_id", "reason"),
              ("flows", "route_id", "status"))
    for layer, key, value in layers:
        print(f"{layer} on {day}:")
        for row in rows_on(path, layer, key, value, day):
            print("   ", *row)
    print_chapters(path)
    errors = []
    for layer, key, _ in layers:
        checked, wrong = change_date_errors(path, layer, key)
        errors += wrong
        print(f"{layer}: 1-day frames on {checked} dates (change dates and the days before), {len(wrong)} wrong", file=sys.stderr)
    app.exitQgis()
    if errors:
        sys.exit("QGIS's Temporal Controller disagrees with the half-open rule:\n" + "\n".join(errors))


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
