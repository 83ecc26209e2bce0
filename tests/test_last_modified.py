"""A body whose Last-Modified is before the evidence its URL already gave is older news: a cache
or a mirror serving an old copy states today's Date beside the copy's own Last-Modified (or,
as raw.githubusercontent.com's CDN does, beside an Age as old as the copy). It is stale the
first run it comes (never evidence, never absence), and read once it lasts.

OpenAI's epoch-2 page (dated 2025-12-17) is loaded (accept-new). Then the page answers dated
the next day with `Last-Modified: 2025-11-01` and gpt-4o's input at $5.00 (an old copy this
catalog never read, so no earlier body to return to): the Date alone made it evidence, and it
opened an official price change (fault round 53).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.http import Response
from sqlalchemy import select

from catalog import health, store
from catalog.tables import review_items
from spiders.spider import last_modified
from tests.worlds import epoch2_loaded, fault_world, recorded_text, replayed, replayed_run, reported

pytestmark = pytest.mark.integration

OPENAI = "https://platform.openai.com/docs/pricing"


def open_items(db: str) -> list[tuple[str, str]]:
    """The (kind, model) of `db`'s open review items."""
    r = review_items.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(select(r.kind, r.model).where(r.status == "open")).all()
    return [(row.kind, row.model) for row in rows]


def test_an_old_copy_by_its_last_modified_is_stale(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", ["openai-page"])
    body = recorded_text(OPENAI).replace("$2.50", "$5.00", 1)
    old_copy = {
        "body": body,
        "date": "2025-12-18T00:00:00Z",
        "headers": {"Last-Modified": "Sat, 01 Nov 2025 00:00:00 GMT"},
    }
    held = replayed(db, fault_world(tmp_path, {OPENAI: old_copy}), ["openai-page"])
    status, reason = reported(db, held.result(raise_on_failure=False))["openai-page"]
    assert status == "stale"
    assert reason == (
        f"{OPENAI}: stale (its copy dates from 2025-11-01 (Last-Modified, or Date less Age), "
        "before the evidence of 2025-12-17 already given; read if it lasts)"
    )
    assert open_items(db) == []  # nothing proposed, nothing counted absent
    # The next day, under the same Last-Modified, bytes that differ again (a token in the
    # page): the old copy lasted, and is read.
    again = {**old_copy, "body": body + "\n", "date": "2025-12-19T00:00:00Z"}
    run = replayed_run(db, fault_world(tmp_path, {OPENAI: again}), ["openai-page"])
    assert reported(db, run)["openai-page"][0] == "ok"
    assert ("price_change", "gpt-4o-2024-05-13") in open_items(db)


def test_an_old_copy_is_read_once_it_lasts() -> None:
    """The URL's last answer gave the same body, or stated the same Last-Modified: read (a page
    changed just before the last answer, which a cache still served, is read a day late, never
    held for good); so is the body already evidence, and one modified after it."""
    before = datetime(2025, 12, 17, tzinfo=UTC)
    answer = health.Answer(
        OPENAI,
        OPENAI,
        200,
        datetime(2025, 12, 18, tzinfo=UTC),
        459,
        content_hash="new",
        last_modified=datetime(2025, 11, 1, tzinfo=UTC),
    )
    history = health.History(observed_at=before, bodies=("old",), evidence_bodies=("old",))
    assert health.judge_answer(answer, history, True, before).fault == health.STALE
    lasted = replace(history, bodies=("new", "old"))
    assert health.judge_answer(answer, lasted, True, before).evidence
    unchanged = replace(history, bodies=("new",), evidence_bodies=("new",))
    assert health.judge_answer(answer, unchanged, True, before).evidence
    same_stamp = replace(history, last_modified=datetime(2025, 11, 1, tzinfo=UTC))
    assert health.judge_answer(answer, same_stamp, True, before).evidence
    modified_since = replace(answer, last_modified=datetime(2025, 12, 17, 12, tzinfo=UTC))
    assert health.judge_answer(modified_since, history, True, before).evidence
    assert health.judge_answer(replace(answer, last_modified=None), history, True, before).evidence


def test_an_age_dates_a_cached_copy() -> None:
    """The Date less the Age a cache states its copy has is when the copy was the origin's; the
    earlier of it and Last-Modified is the one judged; an Age that is no count of seconds, or two
    that differ, states nothing."""

    def judged(headers: dict[str, list[str]]) -> datetime | None:
        return last_modified(Response(OPENAI, headers=headers))

    date = ["Fri, 19 Dec 2025 00:00:00 GMT"]
    assert judged({"Date": date, "Age": ["86400"]}) == datetime(2025, 12, 18, tzinfo=UTC)
    stamp = ["Sat, 01 Nov 2025 00:00:00 GMT"]
    assert judged({"Date": date, "Age": ["86400"], "Last-Modified": stamp}) == datetime(
        2025, 11, 1, tzinfo=UTC
    )
    assert judged({"Date": date, "Age": ["a day"]}) is None
    assert judged({"Date": date, "Age": ["99999999999999"]}) is None  # before year 1: no date
    assert judged({"Date": date, "Age": ["60", "86400"]}) is None
    assert judged({"Age": ["86400"]}) is None  # no Date to count back from
    assert judged({"Date": date}) is None
