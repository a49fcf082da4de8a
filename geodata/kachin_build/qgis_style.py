"""The Temporal Controller setup QGIS takes from the file: a `layer_styles` table.

QGIS keeps a layer's styles in a GeoPackage's `layer_styles` table and loads the
row marked `useAsDefault` when it adds the layer. The rows written here carry
only QML's Temporal category, for `control`, `control_gaps` and `flows`: start
and end from expressions, include start, exclude end (the half-open rule).

Why expressions and not "separate fields": QGIS 3.22 compares a DATE field with
the frame's datetime wrongly (`to_date('2024-12-04') < make_datetime(2024,12,4,0,0,0)`
is true), so at 1-day steps each row showed one day before it starts.
`to_datetime()` turns the date into a datetime at midnight, which compares
right. A row with no `valid_to` still holds: its end is the frame's own end
(`@map_end_time`, set while the map is drawn), so it is in every frame after
its start, and QGIS leaves it out when working out the layers' full time range
(which then ends at the last `valid_to`, as with "separate fields").
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from xml.sax.saxutils import quoteattr

from viewer.io.gpkg_write import LAST_CHANGE

LAYERS = ("control", "control_gaps", "flows")
STYLE_NAME = "Temporal Controller (half-open dates)"
START = 'to_datetime("valid_from")'
END = 'coalesce(to_datetime("valid_to"), @map_end_time)'

# The table as QGIS 3.22 creates it (QgsOgrProviderUtils, GeoPackage).
DDL = """CREATE TABLE "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
 "f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256),
 "f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT,
 "useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30),
 "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""


def temporal_qml() -> str:
    """A QML style with only the Temporal category (mode 4: start and end from expressions;
    limitMode 0: include start, exclude end)."""
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            '<qgis version="3.22.16-Białowieża" styleCategories="Temporal">\n'
            f' <temporal enabled="1" mode="4" limitMode="0" accumulate="0"'
            f' startExpression={quoteattr(START)} endExpression={quoteattr(END)}'
            ' startField="valid_from" endField="valid_to" durationField=""'
            ' fixedDuration="0" durationUnit="min">\n'
            '  <fixedRange>\n   <start></start>\n   <end></end>\n  </fixedRange>\n'
            ' </temporal>\n'
            '</qgis>\n')


def write_qgis_styles(path: Path, layers: tuple[str, ...] = LAYERS) -> None:
    """Add the `layer_styles` table (an extra attribute table) with one default style per layer."""
    description = ("Temporal Controller: valid_from <= day < valid_to (to_datetime: "
                   "QGIS 3.22 compares DATE fields with datetimes wrongly)")
    with sqlite3.connect(path) as con:
        con.execute(DDL)
        for name in layers:
            con.execute('INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name,'
                        ' f_geometry_column, styleName, styleQML, styleSLD, useAsDefault,'
                        ' description, owner, ui, update_time)'
                        ' VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)',
                        ("", "", name, "geom", STYLE_NAME, temporal_qml(), "", description, "",
                         "", LAST_CHANGE))
        con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description,"
                    " last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', ?, ?)",
                    ("QGIS default styles (Temporal Controller setup)", LAST_CHANGE))
    con.close()
