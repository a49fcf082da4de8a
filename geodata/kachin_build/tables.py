"""Reading the build's inputs: the shared facts, the geodata and the project's own tables."""
from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "geodata" / "src"
FACTS = SRC / "facts"
GEO = SRC / "geo"
TABLES = SRC / "tables"


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV with every cell as text and empty cells as None."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return df.astype(object).where(df != "", None)


def read_table(name: str) -> pd.DataFrame:
    return read_csv(TABLES / name)


def read_geo(name: str) -> gpd.GeoDataFrame:
    g = gpd.read_file(GEO / name, engine="pyogrio")
    if g.crs is None or g.crs.to_epsg() != 4326:
        raise ValueError(f"{name}: expected EPSG:4326")
    return g


def join_ids(ids) -> str:
    """Ids as a `;`-list, first occurrence kept, empties dropped."""
    out: list[str] = []
    for i in ids:
        if i and i not in out:
            out.append(i)
    return ";".join(out)


def split_ids(value) -> list[str]:
    """The ids of a `;`-list cell; empty for None or NaN."""
    return [p for p in value.split(";") if p] if isinstance(value, str) else []


def slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not s:
        raise ValueError(f"cannot slug {name!r}")
    return s


class PlaceNames:
    """Names used by the towns list, events and control rows, resolved to place ids.

    `tables/place_names.csv` lists the names that are not simply the slug of a place's
    own name: other spellings, aliases and names with no coordinate (empty place_id).
    """

    def __init__(self) -> None:
        table = read_table("place_names.csv")
        self.rows = {r.name: r for r in table.itertuples(index=False)}

    def place_id(self, name: str) -> str | None:
        row = self.rows.get(name)
        return row.place_id if row is not None else slug(name)

    def display(self, name: str) -> tuple[str, str | None]:
        """Name and other names for a place made from a town-list row."""
        row = self.rows.get(name)
        if row is not None and row.place_name:
            return row.place_name, row.name_alt
        return name, None
