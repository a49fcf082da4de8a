"""Write a briefing dataset as an OGC GeoPackage 1.3 file, deterministically.

The writer uses only :mod:`sqlite3` (no GDAL), so it controls every byte it
writes:

* geometry layers (``GeoDataFrame``) become feature tables in EPSG:4326 with a
  ``geom`` column in GeoPackage binary encoding and an R-tree spatial index
  (the ``gpkg_rtree_index`` extension, as GDAL and QGIS create it);
* plain ``DataFrame`` layers become attribute tables (``data_type
  'attributes'`` in ``gpkg_contents``);
* date columns are declared ``DATE`` (ISO ``YYYY-MM-DD`` text, the GeoPackage
  date encoding), which QGIS's Temporal Controller needs.  A column is a date
  column when its name is one of :data:`DATE_COLUMNS` or when it holds
  ``datetime.date`` / ``datetime64`` values.  Date-time values with a time part
  are declared ``DATETIME`` (``YYYY-MM-DDTHH:MM:SS.SSSZ``, UTC);
* the file is GeoPackage 1.3 (``application_id`` 'GPKG', ``user_version``
  10300);
* output is deterministic: rows are written in the order given, layers in the
  order of the mapping, ``gpkg_contents.last_change`` is a constant, and the
  file is written in one transaction, so the same input gives the same bytes
  with the same SQLite library;
* the write is atomic: the file is built under a temporary name in the target
  folder and moved onto ``path`` with :func:`os.replace`; on any error the
  temporary file is removed.

No Qt imports here: the module is used by the build script and tests too. The
tables every file gets are in gpkg_ddl.py, the encoding of values in gpkg_values.py.
"""

from __future__ import annotations

import os
import re
import sqlite3
import struct
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
import shapely

from viewer.io.atomic import atomic_file
from viewer.io.gpkg_ddl import CORE_DDL, RTREE_TRIGGERS, SRS_ROWS
from viewer.io.gpkg_values import DATE_COLUMNS, convert_column

__all__ = ["write_gpkg", "DATE_COLUMNS", "LAST_CHANGE"]

#: Fixed ``gpkg_contents.last_change`` value, so that rebuilding a dataset does
#: not change its content.
LAST_CHANGE = "2026-01-01T00:00:00.000Z"

_APPLICATION_ID = 0x47504B47  # 'GPKG'
_USER_VERSION = 10300  # GeoPackage 1.3.0
_GEOM_COL = "geom"
_FID_COL = "fid"

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------
def write_gpkg(
    layers: Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    spatial_index: bool = True,
    descriptions: Mapping[str, str] | None = None,
    last_change: str = LAST_CHANGE,
) -> None:
    """Write ``layers`` (name -> DataFrame/GeoDataFrame) to a GeoPackage at ``path``.

    A ``GeoDataFrame`` becomes a feature table (geometry column ``geom``,
    reprojected to EPSG:4326 if it has another CRS; a missing CRS is taken as
    EPSG:4326); any other ``DataFrame`` becomes an attribute table.  Rows keep
    their order and get ``fid`` 1..n.  ``descriptions`` optionally fills
    ``gpkg_contents.description``.

    Raises ``FileExistsError`` if ``path`` exists and ``overwrite`` is false,
    ``ValueError``/``TypeError`` for layers that cannot be written.  Nothing is
    left behind on failure.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    if not layers:
        raise ValueError("no layers to write")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", last_change):
        raise ValueError(f"last_change must look like {LAST_CHANGE!r}, got {last_change!r}")
    descriptions = dict(descriptions or {})

    # Prepare everything first, so bad input fails before a file is touched.
    prepared = [_prepare_layer(name, df) for name, df in layers.items()]

    with atomic_file(path) as temporary:
        conn = sqlite3.connect(temporary, isolation_level=None)
        try:
            _write_all(conn, prepared, spatial_index, descriptions, last_change)
        finally:
            conn.close()


# --------------------------------------------------------------------------
# preparation (pure Python, no file access)
# --------------------------------------------------------------------------
class _Layer:
    __slots__ = ("name", "columns", "types", "rows", "geom_type", "blobs", "bounds", "bbox")

    def __init__(self, name: str):
        self.name = name
        self.columns: list[str] = []
        self.types: list[str] = []
        self.rows: list[tuple] = []
        self.geom_type: str | None = None  # None -> attribute table
        self.blobs: list[bytes | None] = []
        self.bounds: list[tuple[float, float, float, float] | None] = []
        self.bbox: tuple[float, float, float, float] | None = None


def _prepare_layer(name: str, df: pd.DataFrame) -> _Layer:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"layer name {name!r} is not a plain SQL identifier")
    low = name.lower()
    if low.startswith(("gpkg_", "rtree_", "sqlite_")):
        raise ValueError(f"layer name {name!r} uses a reserved prefix")
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"layer {name!r}: expected a DataFrame, got {type(df).__name__}")

    layer = _Layer(name)
    geom_name = None
    try:  # geopandas is optional for attribute-only use
        import geopandas as gpd  # noqa: PLC0415

        if isinstance(df, gpd.GeoDataFrame):
            geom_name = df.geometry.name
            _prepare_geometry(layer, df)
    except ImportError:  # pragma: no cover
        pass

    seen: set[str] = set()
    for col in df.columns:
        if col == geom_name:
            continue
        if not isinstance(col, str) or not _NAME_RE.match(col):
            raise ValueError(f"layer {name!r}: column name {col!r} is not a plain identifier")
        if col.lower() in (_FID_COL, _GEOM_COL):
            raise ValueError(f"layer {name!r}: column name {col!r} is reserved")
        if col.lower() in seen:
            raise ValueError(f"layer {name!r}: duplicate column {col!r}")
        seen.add(col.lower())
        if str(df[col].dtype) == "geometry":
            raise TypeError(f"layer {name!r}: extra geometry column {col!r} not supported")
        decl, values = convert_column(name, col, df[col])
        layer.columns.append(col)
        layer.types.append(decl)
        if not layer.rows:
            layer.rows = [[v] for v in values]
        else:
            for row, v in zip(layer.rows, values):
                row.append(v)
    if not layer.rows:
        layer.rows = [[] for _ in range(len(df))]
    layer.rows = [tuple(r) for r in layer.rows]
    return layer


def _prepare_geometry(layer: _Layer, gdf) -> None:
    crs = gdf.crs
    if crs is not None and crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    present = ~shapely.is_missing(geoms)
    if shapely.has_z(geoms[present]).any():
        geoms = geoms.copy()
        geoms[present] = shapely.force_2d(geoms[present])
    empty = np.zeros(len(geoms), dtype=bool)
    empty[present] = shapely.is_empty(geoms[present])
    kinds = set(np.unique(shapely.get_type_id(geoms[present & ~empty])).tolist())
    names = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint",
             5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}
    layer.geom_type, promote = _layer_geometry_type({names.get(k, "Geometry") for k in kinds})
    if promote:
        single = present & (shapely.get_type_id(geoms) == promote[0])
        geoms = geoms.copy()
        geoms[single] = [promote[1]([g]) for g in geoms[single]]
    wkb = np.full(len(geoms), None, dtype=object)
    wkb[present] = shapely.to_wkb(geoms[present], byte_order=1, output_dimension=2,
                                  flavor="iso")
    bounds = shapely.bounds(geoms)  # NaN rows for missing / empty geometries
    is_point = shapely.get_type_id(geoms) == 0
    head_plain = b"GP\x00\x01" + struct.pack("<i", 4326)  # no envelope, little endian
    head_empty = b"GP\x00\x11" + struct.pack("<i", 4326)  # empty flag, no envelope
    head_env = b"GP\x00\x03" + struct.pack("<i", 4326)  # envelope [minx,maxx,miny,maxy]
    blobs: list[bytes | None] = []
    boxes: list[tuple[float, float, float, float] | None] = []
    for i in range(len(geoms)):
        if not present[i]:
            blobs.append(None)
            boxes.append(None)
        elif empty[i]:
            blobs.append(head_empty + wkb[i])
            boxes.append(None)
        else:
            minx, miny, maxx, maxy = (float(v) for v in bounds[i])
            if is_point[i]:
                blobs.append(head_plain + wkb[i])  # no envelope for points (as GDAL)
            else:
                blobs.append(head_env + struct.pack("<4d", minx, maxx, miny, maxy) + wkb[i])
            boxes.append((minx, miny, maxx, maxy))
    layer.blobs = blobs
    layer.bounds = boxes
    ok = present & ~empty
    if ok.any():
        b = bounds[ok]
        layer.bbox = (float(b[:, 0].min()), float(b[:, 1].min()),
                      float(b[:, 2].max()), float(b[:, 3].max()))


def _layer_geometry_type(kinds: set[str]):
    """Declared geometry type, and (type id to promote, constructor) for mixed single/multi."""
    multi = {
        "Point": ("MultiPoint", 0, shapely.MultiPoint),
        "LineString": ("MultiLineString", 1, shapely.MultiLineString),
        "Polygon": ("MultiPolygon", 3, shapely.MultiPolygon),
    }
    if not kinds:
        return "GEOMETRY", None
    if len(kinds) == 1 and "Geometry" not in kinds:
        return next(iter(kinds)).upper(), None
    for single, (multi_name, type_id, ctor) in multi.items():
        if kinds == {single, multi_name}:
            return multi_name.upper(), (type_id, ctor)
    return "GEOMETRY", None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _write_all(conn: sqlite3.Connection, prepared: Iterable[_Layer], spatial_index: bool,
               descriptions: Mapping[str, str], last_change: str) -> None:
    cur = conn.cursor()
    cur.execute("PRAGMA page_size = 4096")
    cur.execute("PRAGMA journal_mode = MEMORY")
    cur.execute("PRAGMA synchronous = OFF")
    cur.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
    cur.execute(f"PRAGMA user_version = {_USER_VERSION}")
    cur.execute("BEGIN")
    for ddl in CORE_DDL:
        cur.execute(ddl)
    cur.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", SRS_ROWS)
    for layer in prepared:
        _write_layer(cur, layer, spatial_index, descriptions.get(layer.name, ""), last_change)
    cur.execute("COMMIT")
    # No VACUUM: the file is written in one transaction with no deletes, so it has no free
    # pages, and the same input already gives the same bytes.
    # sanity check of what we promise
    app_id = cur.execute("PRAGMA application_id").fetchone()[0]
    ver = cur.execute("PRAGMA user_version").fetchone()[0]
    if app_id != _APPLICATION_ID or ver != _USER_VERSION:  # pragma: no cover
        raise RuntimeError("GeoPackage header pragmas were not stored")


def _write_layer(cur: sqlite3.Cursor, layer: _Layer, spatial_index: bool,
                 description: str, last_change: str) -> None:
    t = layer.name
    cols_sql = [f"{_q(_FID_COL)} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"]
    if layer.geom_type is not None:
        cols_sql.append(f"{_q(_GEOM_COL)} {layer.geom_type}")
    cols_sql += [f"{_q(c)} {typ}" for c, typ in zip(layer.columns, layer.types)]
    cur.execute(f"CREATE TABLE {_q(t)} (\n  " + ",\n  ".join(cols_sql) + "\n)")

    if layer.geom_type is None:
        cur.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description,"
            " last_change, min_x, min_y, max_x, max_y, srs_id)"
            " VALUES (?, 'attributes', ?, ?, ?, NULL, NULL, NULL, NULL, NULL)",
            (t, t, description, last_change),
        )
    else:
        bbox = layer.bbox or (None, None, None, None)
        cur.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description,"
            " last_change, min_x, min_y, max_x, max_y, srs_id)"
            " VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, 4326)",
            (t, t, description, last_change, *bbox),
        )
        cur.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, 4326, 0, 0)",
            (t, _GEOM_COL, layer.geom_type),
        )

    names = [_FID_COL] + ([_GEOM_COL] if layer.geom_type is not None else []) + layer.columns
    placeholders = ",".join("?" * len(names))
    sql = f"INSERT INTO {_q(t)} ({','.join(_q(n) for n in names)}) VALUES ({placeholders})"
    if layer.geom_type is not None:
        data = ((i + 1, blob, *row) for i, (blob, row) in enumerate(zip(layer.blobs, layer.rows)))
    else:
        data = ((i + 1, *row) for i, row in enumerate(layer.rows))
    cur.executemany(sql, data)

    if layer.geom_type is not None and spatial_index:
        rt = f"rtree_{t}_{_GEOM_COL}"
        cur.execute(f"CREATE VIRTUAL TABLE {_q(rt)} USING rtree(id, minx, maxx, miny, maxy)")
        cur.executemany(
            f"INSERT INTO {_q(rt)} VALUES (?, ?, ?, ?, ?)",
            [(i + 1, b[0], b[2], b[1], b[3]) for i, b in enumerate(layer.bounds) if b is not None],
        )
        for stmt in RTREE_TRIGGERS.format(t=t, c=_GEOM_COL, i=_FID_COL).split("END;"):
            if stmt.strip():
                cur.execute(stmt + "END;")
        cur.execute(
            "INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index',"
            " 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
            (t, _GEOM_COL),
        )
