"""The embedded dataset's briefing: chapters written from the sources.

The text lives in `geodata/src/briefing_chapters.csv` and `geodata/src/briefings.csv`
(one row per chapter / briefing, the columns of the format's optional layers).
"""
from __future__ import annotations

import pandas as pd

from kachin_build.tables import SRC, read_csv


def build_briefing() -> dict[str, pd.DataFrame]:
    chapters = read_csv(SRC / "briefing_chapters.csv")
    chapters["position"] = chapters["position"].astype(int)
    briefings = read_csv(SRC / "briefings.csv")
    unknown = set(chapters["briefing_id"]) - set(briefings["briefing_id"])
    if unknown:
        raise ValueError(f"briefing_chapters: unknown briefing_id {sorted(unknown)}")
    return {"briefings": briefings, "briefing_chapters": chapters}
