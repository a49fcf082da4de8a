"""Layers copied from the shared facts and the project's tables: sources, actors,
events, series and dataset_meta."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from kachin_build.tables import FACTS, PlaceNames, read_csv, read_table

# Units whose points are changes or running totals, not levels; a line of them is not
# what a reader first wants to see, so they are not picked as default series.
NOT_DEFAULT_UNITS = ("pct_yoy", "pct_mom", "t_cumulative_ytd", "USD_cumulative_ytd")


def build_sources() -> pd.DataFrame:
    """Every sources.csv row plus the rows for the geodata itself (tables/geo_sources.csv)."""
    src = read_csv(FACTS / "sources.csv")
    geo = read_table("geo_sources.csv")[list(src.columns)]
    out = pd.concat([src, geo], ignore_index=True)
    if out["source_id"].duplicated().any():
        raise ValueError("duplicate source ids")
    return out


def build_actors() -> pd.DataFrame:
    return read_table("actors.csv")


def build_events(events: pd.DataFrame, places: gpd.GeoDataFrame,
                 names: PlaceNames) -> gpd.GeoDataFrame:
    pts = dict(zip(places["place_id"], places.geometry))
    rows = []
    for r in events.itertuples(index=False):
        pid = names.place_id(r.place) if r.place else None
        if pid is not None and pid not in pts:
            raise ValueError(f"{r.event_id}: place {r.place!r} has no place row")
        rows.append({
            "event_id": r.event_id, "date": r.date, "date_precision": r.date_precision,
            "end_date": r.end_date, "title": r.title, "summary": r.summary,
            "category": r.category, "place_id": pid, "place_name": r.place,
            "actor_ids": r.actors, "source_ids": r.source_ids, "confidence": r.confidence,
            "importance": int(r.importance), "geometry": pts[pid] if pid else None,
        })
    df = pd.DataFrame(rows)
    df["importance"] = df["importance"].astype("int64")
    return gpd.GeoDataFrame(df, geometry="geometry", crs=4326)


def build_series() -> pd.DataFrame:
    s = read_csv(FACTS / "series.csv")
    s["value"] = s["value"].astype(float)
    # The facts README: a number worked out by the compilers says DERIVED in its note.
    # The row's value is derived when the note starts so or says the value is ("value is
    # the DERIVED midpoint" of an SMM price range: 17 rows were flagged as reported); a
    # reported value whose note mentions a side calculation ("Cross-check (DERIVED)") is not.
    s["derived"] = s["note"].fillna("").str.contains(
        r"^\s*DERIVED|\bvalue is the DERIVED\b", case=False, regex=True).astype("int64")
    return s


def default_series(series: pd.DataFrame, since: str, count: int = 3) -> str:
    """The `count` series (id and unit) with the most sourced (not derived) points from
    `since` on, levels only; ties go to the series id in alphabetical order."""
    s = series[(series["derived"] == 0) & (series["date"] >= since)
               & ~series["unit"].isin(NOT_DEFAULT_UNITS)]
    counts = s.groupby(["series_id", "unit"]).size().reset_index(name="n")
    counts = counts.sort_values(["n", "series_id", "unit"], ascending=[False, True, True])
    return ";".join(f"{r.series_id} [{r.unit}]" for r in counts.head(count).itertuples())


def data_current_to(events: pd.DataFrame, series: pd.DataFrame,
                    control: pd.DataFrame) -> str:
    """The latest date any fact speaks of (event, series value or control boundary)."""
    dates = pd.concat([events["date"], events["end_date"], series["date"],
                       control["valid_from"], control["valid_to"]]).dropna()
    return max(dates)


def build_meta(events, series, control) -> pd.DataFrame:
    meta = read_table("dataset_meta.csv")
    current = data_current_to(events, series, control)
    time_start = meta.set_index("key").loc["time_start", "value"]
    extra = [
        ("data_current_to", current),
        ("data_current_to_note",
         "The latest date any event, series value or control period in this file speaks of. "
         "Nothing later was found; dates after it show the last known state."),
        ("default_series", default_series(series, time_start)),
        ("default_series_note",
         "The three series with the most sourced (not derived) points since time_start, "
         "counting levels only (not changes or year-to-date totals)."),
    ]
    return pd.concat([meta, pd.DataFrame(extra, columns=["key", "value"])], ignore_index=True)
