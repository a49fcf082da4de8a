"""Checks the build runs on its own output before writing it."""
from __future__ import annotations

import pandas as pd

from kachin_build.tables import split_ids

SOURCED = ("places", "areas", "control", "flows", "events", "series")
ID_COLUMNS = {"dataset_meta": "key", "sources": "source_id", "actors": "actor_id",
              "places": "place_id", "areas": "area_id", "control": "control_id",
              "control_gaps": "gap_id", "flows": "flow_id", "events": "event_id"}


def check_sources(layers: dict) -> None:
    known = set(layers["sources"]["source_id"])
    for name, df in layers.items():
        if "source_ids" not in df.columns:
            continue
        for v in df["source_ids"]:
            missing = [s for s in split_ids(v) if s not in known]
            if missing or (name in SOURCED and not split_ids(v)):
                raise ValueError(f"{name}: source_ids {v!r} do not resolve ({missing})")


def check_actors(layers: dict) -> None:
    known = set(layers["actors"]["actor_id"])
    used = [a for v in layers["events"]["actor_ids"].dropna() for a in split_ids(v)]
    c = layers["control"]
    used += list(c["actor_id"]) + list(c["contested_with"].dropna())
    unknown = sorted(set(used) - known)
    if unknown:
        raise ValueError(f"unknown actors {unknown}")


def check_periods(df: pd.DataFrame, layer: str, key: str) -> None:
    """Non-empty half-open intervals that never overlap within one `key`."""
    bad = df[df["valid_to"].notna() & (df["valid_to"] <= df["valid_from"])]
    if len(bad):
        raise ValueError(f"{layer}: empty intervals {bad.iloc[:, 0].tolist()}")
    for k, grp in df.groupby(key):
        grp = grp.sort_values("valid_from")
        ends, starts = grp["valid_to"].tolist(), grp["valid_from"].tolist()
        for i in range(1, len(grp)):
            if ends[i - 1] is None or ends[i - 1] > starts[i]:
                raise ValueError(f"{layer}: overlapping rows in {k}")


def check(layers: dict) -> None:
    check_sources(layers)
    check_actors(layers)
    check_periods(layers["control"], "control", "area_id")
    check_periods(layers["flows"], "flows", "route_id")
    # a zone's day is either held by a control row or marked as a gap, never both
    both = pd.concat([layers["control"], layers["control_gaps"]], ignore_index=True)
    check_periods(both, "control and control_gaps", "area_id")
    places = set(layers["places"]["place_id"])
    f = layers["flows"]
    for p in list(f["from_place_id"]) + list(f["to_place_id"]):
        if p not in places:
            raise ValueError(f"flows: unknown place {p}")
    for name, idcol in ID_COLUMNS.items():
        if layers[name][idcol].duplicated().any():
            raise ValueError(f"{name}: duplicate {idcol}")
