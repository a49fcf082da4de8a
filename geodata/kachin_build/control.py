"""Control periods of the town zones, and the explicit "no sourced control" gaps.

Control comes from the shared `control_baseline.csv` (sourced periods per town); zones it
does not cover take the project's event-based periods in `tables/control_events.csv`
(Lashio), whose event ids also link baseline rows to the events behind them.  Every
town zone then has, for every day of the dataset's range, either a control row or a
`control_gaps` row: unknown stays unknown, and says so.
"""
from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd

from kachin_build.tables import FACTS, PlaceNames, join_ids, read_csv, read_table, split_ids

CONTESTED_WITH = re.compile(r"^\s*contested_with=([A-Za-z]+)\s*;\s*")
PLACEHOLDER = "NOTHING FOUND"  # the facts' mark on a row that must not be drawn as control
ALIAS_NOTE = " The facts list the same period under the spelling {alias}."


def baseline_rows(names: PlaceNames) -> tuple[list[dict], list[dict]]:
    """Baseline periods as control rows, and placeholder rows (kept as gaps)."""
    rows, placeholders = [], []
    for r in read_csv(FACTS / "control_baseline.csv").itertuples(index=False):
        note = r.note or ""
        match = CONTESTED_WITH.match(note)
        row = {"zone": names.place_id(r.town), "town": r.town, "actor_id": r.actor,
               "status": r.status, "contested_with": match.group(1) if match else None,
               "valid_from": r.valid_from, "valid_to": r.valid_to,
               "confidence": r.confidence, "source_ids": r.source_ids,
               "note": note[match.end():] if match else note,
               "date_precision": r.date_precision}
        (placeholders if note.startswith(PLACEHOLDER) else rows).append(row)
    return merge_spellings(rows), placeholders


def merge_spellings(rows: list[dict]) -> list[dict]:
    """One row per zone and period when a town is listed under two spellings."""
    kept: dict[tuple, dict] = {}
    for row in rows:
        key = (row["zone"], row["actor_id"], row["status"], row["valid_from"], row["valid_to"])
        first = kept.get(key)
        if first is None:
            kept[key] = dict(row)
            continue
        first["source_ids"] = join_ids(split_ids(first["source_ids"])
                                       + split_ids(row["source_ids"]))
        first["note"] += ALIAS_NOTE.format(alias=row["town"])
    return list(kept.values())


def event_rows(events: pd.DataFrame) -> list[dict]:
    ev_src = {r.event_id: split_ids(r.source_ids) for r in events.itertuples(index=False)}
    rows = []
    for r in read_table("control_events.csv").itertuples(index=False):
        evs = split_ids(r.event_ids)
        rows.append({"zone": r.zone, "actor_id": r.actor, "status": r.status,
                     "contested_with": r.contested_with, "valid_from": r.valid_from,
                     "valid_to": r.valid_to, "confidence": r.confidence,
                     "source_ids": join_ids(s for e in evs for s in ev_src[e]),
                     "note": r.note, "date_precision": r.date_precision,
                     "event_ids": r.event_ids})
    return rows


def link_events(rows: list[dict], encoded: list[dict]) -> None:
    """Give a baseline row the event ids of the event-based row that starts the same
    period (same zone, holder, status and first day)."""
    by_start = {(e["zone"], e["actor_id"], e["status"], e["valid_from"]): e["event_ids"]
                for e in encoded}
    for row in rows:
        row["event_ids"] = by_start.get(
            (row["zone"], row["actor_id"], row["status"], row["valid_from"]))


def control_periods(events: pd.DataFrame, names: PlaceNames) -> tuple[list[dict], list[dict]]:
    rows, placeholders = baseline_rows(names)
    encoded = event_rows(events)
    link_events(rows, encoded)
    covered = {r["zone"] for r in rows} | {p["zone"] for p in placeholders}
    rows += [e for e in encoded if e["zone"] not in covered]
    return rows, placeholders


def build_control(areas: gpd.GeoDataFrame, rows: list[dict]) -> gpd.GeoDataFrame:
    geom = dict(zip(areas["area_id"], areas.geometry))
    out, counters = [], {}
    for r in sorted(rows, key=lambda r: (r["zone"], r["valid_from"])):
        area_id = f"zone-{r['zone']}"
        if area_id not in geom:
            raise ValueError(f"control row for unknown zone {r['zone']}")
        counters[area_id] = counters.get(area_id, 0) + 1
        out.append({
            "control_id": f"ctl-{r['zone']}-{counters[area_id]}", "area_id": area_id,
            "actor_id": r["actor_id"], "status": r["status"],
            "contested_with": r["contested_with"], "valid_from": r["valid_from"],
            "valid_to": r["valid_to"], "confidence": r["confidence"],
            "source_ids": r["source_ids"], "note": r["note"], "event_ids": r["event_ids"],
            "date_precision": r["date_precision"], "geometry": geom[area_id]})
    df = pd.DataFrame(out).sort_values(["area_id", "valid_from"], kind="stable")
    return gpd.GeoDataFrame(df.reset_index(drop=True), geometry="geometry", crs=4326)


def uncovered(spans: list[tuple[str, str | None]], start: str, end: str):
    """The parts of [start, end) that no half-open span covers, as (from, to) pairs; a
    gap that runs to `end` has `to` None (open, like an open control period)."""
    day, gaps = start, []
    for vf, vt in sorted(spans):
        if vf > day:
            gaps.append((day, vf))
        day = max(day, vt or end)
    if day < end:
        gaps.append((day, None))
    return gaps


def gap_note(town: str, placeholder: dict | None, current_to: str) -> str:
    if placeholder is not None:
        return ("The facts hold only a placeholder for this town and ask that it not be "
                "coloured as control: " + placeholder["note"])
    return (f"No source in the compiled facts (current to {current_to}) says who held "
            f"{town} on these dates, so the zone is shown as having no sourced control.")


def build_gaps(areas: gpd.GeoDataFrame, control: gpd.GeoDataFrame, placeholders: list[dict],
               start: str, end: str, current_to: str) -> gpd.GeoDataFrame:
    """One row per town zone and span of days with no control row."""
    held = {p["zone"]: p for p in placeholders}
    rows = []
    for z in areas[areas["kind"] == "town_zone"].itertuples(index=False):
        rows_of_zone = control[control["area_id"] == z.area_id]
        spans = [(vf, vt if isinstance(vt, str) else None)
                 for vf, vt in zip(rows_of_zone["valid_from"], rows_of_zone["valid_to"])]
        for i, (vf, vt) in enumerate(uncovered(spans, start, end), start=1):
            placeholder = held.get(z.place_id)
            rows.append({
                "gap_id": f"gap-{z.place_id}-{i}", "area_id": z.area_id,
                "valid_from": vf, "valid_to": vt,
                "reason": "placeholder" if placeholder else "no_source",
                "source_ids": placeholder["source_ids"] if placeholder else None,
                "note": gap_note(z.town, placeholder, current_to), "geometry": z.geometry})
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=4326)
