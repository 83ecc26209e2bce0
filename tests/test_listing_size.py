"""A listing far larger than usual is no evidence, and one odd day does not change what is usual.

A fault round served Vercel's listing with every model copied nine times under new ids
("claude-3-haiku-1" ... "-9"): read as 2,580 models, it opened about 2,300 new-model items, and
the padded ids that happened to be real names ("gpt-5" + "-6") made LiteLLM's names of them
known models. Worse, the padded answer became the "last complete response" the next day's
true listing was judged against: 258 records against 2,580, a collapsed listing, refused every
day after. A listing URL is now judged against its usual count (the median of its last three
answers read whole, catalog/health.py), and more than twice that count is a swollen listing.

Vercel and LiteLLM, epoch-2 into an empty catalog under review, then epoch-2 with Vercel's
listing padded tenfold (made here from the recorded body), then epoch-2 again. Refreshes through
the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import WORLDS
from tests.test_faults_kill import newest_run
from tests.test_withdrawn_statement import items
from tests.worlds import (
    epoch2_under_review,
    fault_world,
    recorded_text,
    replayed,
    replayed_run,
    reported,
)

pytestmark = pytest.mark.integration

SOURCES = ["vercel", "litellm"]
VERCEL = "https://ai-gateway.vercel.sh/v1/models"
OPENROUTER = "https://openrouter.ai/api/v1/models"


def test_a_padded_listing_changes_nothing_and_the_next_true_one_is_read(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_under_review(tmp_path_factory, tmp_path, SOURCES)
    before = items(db)
    document = json.loads(recorded_text(VERCEL))
    models = document["data"]
    padded = models + [{**m, "id": f"{m['id']}-{k}"} for k in range(1, 10) for m in models]
    body = json.dumps({**document, "data": padded})
    run_id = replayed_run(db, fault_world(tmp_path, {VERCEL: {"body": body}}), SOURCES)
    assert reported(db, run_id)["vercel"] == (
        "broken",
        f"{VERCEL}: swollen listing ({len(padded)} records against its usual {len(models)})",
    )
    assert items(db) == before
    run_id = replayed_run(db, WORLDS / "epoch-2.json", SOURCES)
    assert reported(db, run_id)["vercel"] == ("ok", "")
    assert items(db) == before


def test_a_listing_that_repeats_its_records_says_so(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """A fault round served a page with every row twice: its reason said "swollen listing (390
    records against its usual 176)" and not why. Vercel's recorded listing with each model
    three times, as recorded: the reason counts the records that repeat another."""
    db = epoch2_under_review(tmp_path_factory, tmp_path, SOURCES)
    before = items(db)
    document = json.loads(recorded_text(VERCEL))
    models = document["data"]
    body = json.dumps({**document, "data": models * 3})
    run_id = replayed_run(db, fault_world(tmp_path, {VERCEL: {"body": body}}), SOURCES)
    assert reported(db, run_id)["vercel"] == (
        "broken",
        f"{VERCEL}: swollen listing ({3 * len(models)} records against its usual {len(models)};"
        f" {2 * len(models)} of them repeat another of its records)",
    )
    assert items(db) == before


def test_a_listing_back_at_its_count_after_two_cut_days_is_read(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """A fault round: Vercel's listing cut to a third two days, then whole, then cut again. The
    whole listing read as swollen against the collapsed count (the median of the last three
    was the cut one), and the next cut listing was read: 149 items. A count at the usual of
    the fault-free answers is evidence (catalog/health.py `History.off`), and the cut listing
    after it is still collapsed."""
    sources = ["vercel"]
    db = epoch2_under_review(tmp_path_factory, tmp_path, sources, days=3)
    before = items(db)
    listing = json.loads(recorded_text(VERCEL))
    listing["data"] = listing["data"][::3]  # a third of it, not its start (that is cut short)
    cut = fault_world(tmp_path, {VERCEL: {"body": json.dumps(listing)}})
    statuses = []
    for day in (cut, cut, WORLDS / "epoch-2.json", cut):
        replayed(db, day, sources)
        statuses.append(reported(db, newest_run(db))["vercel"])
    assert [status for status, _ in statuses] == ["broken", "broken", "ok", "broken"], statuses
    assert statuses[3][1] == f"{VERCEL}: collapsed listing (86 records against its usual 258)"
    assert items(db) == before


def test_listings_halved_with_their_counts_adjusted_change_nothing(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """Fault round 51: both OpenRouter listings answered their first half of the models, each
    with `total_count` adjusted, so each looked complete: OpenRouter read ok, about 176 items
    were rewritten without its statements, and three days on 177 missing items proposed
    closing models it still sells. A whole listing that lost a third of its usual records at
    once (and at least 25) is collapsed: no evidence, the source held at what it last stated."""
    sources = ["openrouter"]
    db = epoch2_under_review(tmp_path_factory, tmp_path, sources)
    before = items(db)
    halved = {}
    for url in (OPENROUTER, f"{OPENROUTER}?output_modalities=all"):
        listing = json.loads(recorded_text(url))
        kept = listing["data"][: len(listing["data"]) // 2]
        halved[url] = {"body": json.dumps({**listing, "data": kept, "total_count": len(kept)})}
    replayed(db, fault_world(tmp_path, halved), sources)  # its one source failed: the run too
    status, reason = reported(db, newest_run(db))["openrouter"]
    assert status == "broken", (status, reason)
    assert reason.startswith("collapsed listing for 2 of 2 URLs"), reason
    assert items(db) == before
