"""A listing older than the one the catalog read is stale, though the catalog never read it: its
newest entry (when a model was listed: OpenRouter's `created`; or its entry last updated:
models.dev's `last_updated`) is older than the newest entry of the URL's last evidence. A cache
or a mirror serving an old copy under today's Date, without validators, otherwise reads as news:
every model listed since counts absent, and every price changed since changes back.

OpenRouter's August listing (epoch-2) is loaded (accept-new). The next day its URL answers
OpenRouter's recorded May listing, dated that day: before, it opened 448 review items (fault
round 54, N2). It is held the first day and read once it lasts.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog import health, store
from catalog.tables import review_items
from spiders import modelsdev
from spiders.parsing import Page, calendar_date, unix_date
from spiders.spider import newest_stated
from tests.conftest import SNAPSHOTS
from tests.worlds import epoch2_loaded, fault_world, recorded_text, replayed, replayed_run, reported

OPENROUTER = "https://openrouter.ai/api/v1/models"
MODELSDEV = "https://models.dev/api.json"


def open_items(db: str) -> int:
    """How many review items of `db` are open."""
    r = review_items.c
    with store.connect(db).connect() as conn:
        return int(conn.execute(select(func.count()).where(r.status == "open")).scalar_one())


@pytest.mark.integration
def test_an_older_listing_never_read_is_stale(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", ["openrouter"])
    loaded = open_items(db)  # the anomalies a first load opens
    may = {"file": str(SNAPSHOTS / "openrouter/models.2026-05-20.json")}
    world = fault_world(tmp_path, {OPENROUTER: {**may, "date": "2026-08-20T00:00:00Z"}})
    held = replayed(db, world, ["openrouter"])
    status, reason = reported(db, held.result(raise_on_failure=False))["openrouter"]
    assert status == "partial"  # its other URL (output_modalities=all) is read
    assert (
        f"{OPENROUTER}: stale (its newest entry dates from 2026-05-12 19:10:11 UTC, before the "
        "newest of 2026-08-14 15:55:10 UTC in the evidence already given: not the listing as the "
        "catalog last read it (an older copy, or another file); read if it lasts)"
    ) in reason
    assert open_items(db) == loaded  # nothing proposed, nothing counted absent
    # The next day the May listing again: it lasted (the newest models retired at once, say),
    # and is read.
    lasted = fault_world(tmp_path, {OPENROUTER: {**may, "date": "2026-08-21T00:00:00Z"}})
    run = replayed_run(db, lasted, ["openrouter"])
    assert reported(db, run)["openrouter"][0] == "ok"
    assert open_items(db) > loaded + 100


def test_a_listing_is_dated_by_its_newest_entry() -> None:
    """models.dev's recorded listing is dated by its newest `last_updated` (2026-06-12); the
    same listing without the entries updated in June, as an older copy of it lacks them, is
    dated by the newest it keeps; entries without a readable date are not counted."""
    body = recorded_text(MODELSDEV)
    assert max(modelsdev.parse(body.encode(), MODELSDEV).stated_dates) == datetime(
        2026, 6, 12, tzinfo=UTC
    )
    older = json.loads(body)
    for provider in older.values():
        models = provider.get("models", {})
        for key in [k for k, m in models.items() if m.get("last_updated", "") >= "2026-06"]:
            del models[key]
    dated = modelsdev.parse(json.dumps(older).encode(), MODELSDEV).stated_dates
    assert max(dated) < datetime(2026, 6, 1, tzinfo=UTC)
    assert calendar_date("2026-06") == datetime(2026, 6, 1, tzinfo=UTC)
    for text in ("2026-13-01", "June 2026", "1970-01-01", 20260612, None):
        assert calendar_date(text) is None
    assert unix_date(1786722910) == datetime(2026, 8, 14, 15, 55, 10, tzinfo=UTC)
    # milliseconds, text, a fraction, a boolean: no date
    for unreadable in (1786722910000, "1786722910", Decimal("1786722910.5"), Decimal("NaN"), True):
        assert unix_date(unreadable) is None


def test_an_older_listing_is_read_once_it_lasts() -> None:
    """Held when its newest entry is older than the last evidence's newest; read when the URL's
    last answer gave the same body or stated the same newest entry, when the body is the
    evidence, when it lists something as new, and when either states no date."""
    fetched = datetime(2026, 8, 20, tzinfo=UTC)
    answer = health.Answer(
        OPENROUTER,
        OPENROUTER,
        200,
        fetched,
        356,
        content_hash="may",
        newest_stated=datetime(2026, 5, 12, tzinfo=UTC),
    )
    history = health.History(
        observed_at=datetime(2026, 8, 19, tzinfo=UTC),
        bodies=("august",),
        evidence_bodies=("august",),
        newest_stated=datetime(2026, 8, 14, tzinfo=UTC),
        last_newest_stated=datetime(2026, 8, 14, tzinfo=UTC),
    )
    assert health.judge_answer(answer, history, True, fetched).fault == health.STALE
    lasted = replace(history, bodies=("may", "august"))
    assert health.judge_answer(answer, lasted, True, fetched).evidence
    same_newest = replace(history, last_newest_stated=answer.newest_stated)
    assert health.judge_answer(answer, same_newest, True, fetched).evidence
    newer = replace(answer, newest_stated=datetime(2026, 8, 15, tzinfo=UTC))
    assert health.judge_answer(newer, history, True, fetched).evidence
    assert health.judge_answer(replace(answer, newest_stated=None), history, True, fetched).evidence
    undated = replace(history, newest_stated=None)
    assert health.judge_answer(answer, undated, True, fetched).evidence


def test_a_listing_is_dated_only_by_entries_not_after_its_response() -> None:
    """An entry dated more than a day past the response's Date (a clock or a typo in one entry)
    does not date the listing; a page of a paged listing is not dated; a Date of year 9999 (a
    day past it is past the largest date Python holds) dates by the entries, raising nothing
    in the spider's callback."""
    page = Page(
        records=[],
        stated_dates=[datetime(2026, 8, 14, tzinfo=UTC), datetime(2099, 1, 1, tzinfo=UTC)],
    )
    fetched = datetime(2026, 8, 19, tzinfo=UTC)
    assert newest_stated(page, fetched, paged=False) == datetime(2026, 8, 14, tzinfo=UTC)
    assert newest_stated(page, fetched, paged=True) is None
    last_day = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert newest_stated(page, last_day, paged=False) == datetime(2099, 1, 1, tzinfo=UTC)
