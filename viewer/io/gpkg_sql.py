"""GeoPackage geometry blobs and the SQL functions its R-tree triggers call.

A GeoPackage keeps each feature table's R-tree index consistent with triggers
that call `ST_IsEmpty`, `ST_MinX`, … (GeoPackage 1.3, Annex F.3). GDAL and
QGIS provide those functions; plain `sqlite3` does not, so any insert into a
feature table fails ("no such function") unless they are registered on the
connection, which `register_functions` does with shapely.
"""
from __future__ import annotations

import sqlite3
import struct

import shapely

_SRS_ID = 4326
# Envelope length in bytes for the envelope indicator in the flags byte (bits 1-3).
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def geometry_blob(geometry) -> bytes | None:
    """GeoPackage binary for a shapely geometry in EPSG:4326 (None for none).

    Written as the project's writer does: little endian, an [minx, maxx, miny,
    maxy] envelope except for points, and the empty flag for empty shapes.
    """
    if geometry is None:
        return None
    wkb = shapely.to_wkb(geometry, byte_order=1, output_dimension=2, flavor="iso")
    if geometry.is_empty:
        return b"GP\x00\x11" + struct.pack("<i", _SRS_ID) + wkb
    if geometry.geom_type == "Point":
        return b"GP\x00\x01" + struct.pack("<i", _SRS_ID) + wkb
    minx, miny, maxx, maxy = geometry.bounds
    return (b"GP\x00\x03" + struct.pack("<i", _SRS_ID)
            + struct.pack("<4d", minx, maxx, miny, maxy) + wkb)


def blob_geometry(blob: bytes | None):
    """The shapely geometry in a GeoPackage blob (None for none or an unreadable blob)."""
    if not blob or blob[:2] != b"GP":
        return None
    header = 8 + _ENVELOPE_BYTES.get((blob[3] >> 1) & 0x07, 0)
    try:
        return shapely.from_wkb(bytes(blob[header:]))
    except shapely.errors.GEOSException:
        return None


def _bounds(blob: bytes | None) -> tuple[float, float, float, float] | None:
    geometry = blob_geometry(blob)
    if geometry is None or geometry.is_empty:
        return None
    return geometry.bounds


def _bound(index: int):
    def function(blob):
        bounds = _bounds(blob)
        return None if bounds is None else bounds[index]
    return function


def _is_empty(blob) -> int | None:
    if blob is None:
        return None
    if blob[:2] == b"GP" and blob[3] & 0x10:
        return 1
    geometry = blob_geometry(blob)
    return 1 if geometry is None or geometry.is_empty else 0


def register_functions(connection: sqlite3.Connection) -> None:
    """Make GeoPackage triggers (R-tree upkeep, geometry checks) work on `connection`."""
    for name, function in (("ST_IsEmpty", _is_empty), ("ST_MinX", _bound(0)),
                           ("ST_MinY", _bound(1)), ("ST_MaxX", _bound(2)),
                           ("ST_MaxY", _bound(3))):
        connection.create_function(name, 1, function, deterministic=True)
    connection.create_function(
        "ST_GeometryType", 1,
        lambda blob: (g.geom_type.upper() if (g := blob_geometry(blob)) is not None else None),
        deterministic=True)
    connection.create_function("ST_SRID", 1, _srid, deterministic=True)


def _srid(blob) -> int | None:
    if not blob or blob[:2] != b"GP":
        return None
    return struct.unpack("<i" if blob[3] & 0x01 else ">i", bytes(blob[4:8]))[0]
