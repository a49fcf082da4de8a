"""The embedded dataset's briefing: a story of 8-12 sourced chapters, read by the viewer."""
from __future__ import annotations

import datetime as dt

import pytest

from viewer.io import read_dataset
from viewer.model.briefing import find_briefing
from viewer.resources import EMBEDDED_DATASET


@pytest.fixture(scope="module")
def briefing():
    return find_briefing(read_dataset(EMBEDDED_DATASET).briefings, "kachin")


def test_the_embedded_briefing_tells_the_story_in_order(briefing):
    assert 8 <= len(briefing.chapters) <= 12
    dates = [c.date for c in briefing.chapters]
    assert dates == sorted(dates)
    assert dates[0] < dt.date(2024, 10, 1) and dates[-1] == dt.date(2026, 3, 16)
    titles = " / ".join(c.title for c in briefing.chapters)
    for moment in ("Chipwe and Pangwa", "China shuts the gates", "Kanpiketi", "Bhamo",
                   "ultimatum", "Gates reopened", "Myitkyina", "Where things stand"):
        assert moment in titles


def test_every_chapter_has_a_caption_and_sources(briefing):
    for chapter in briefing.chapters:
        assert len(chapter.caption) > 120, chapter.chapter_id
        assert chapter.source_ids, chapter.chapter_id   # the reader checked they exist
