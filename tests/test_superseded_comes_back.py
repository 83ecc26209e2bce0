"""A proposal a fault day superseded, proposed again after recovery, is the same review item.

Fault round 18 (a reviewer's bad week): Vercel's alibaba/* block answered ten times its prices
for one day. Its new-model items were superseded by items proposing the tenfold prices; the
next day, the listing back as recorded, the true prices were proposed again as new items (new
ids, their 48 hours restarted), where a clean week had kept the first items open throughout.
(A block moved by a power of ten is now set aside as rescaled, fault round 50; a block at three
times its prices, no unit slip, still supersedes the items for the day.)

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import review_items, runs
from tests.conftest import WORLDS
from tests.test_fault_kinds import urls
from tests.worlds import epoch2_after_epoch1, fault_world, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

SOURCES = ["vercel"]
c = review_items.c


def alibaba_threefold() -> str:
    """Vercel's recorded epoch-2 listing with every alibaba/* price three times as written."""
    document = json.loads(recorded_text(urls("vercel")[0]))
    for model in document["data"]:
        if model["id"].startswith("alibaba/"):
            prices = model.get("pricing") or {}
            for key, value in prices.items():
                if isinstance(value, str) and Decimal(value) > 0:
                    prices[key] = format(Decimal(value) * 3, "f")
    return json.dumps(document)


def test_a_proposal_superseded_on_a_fault_day_reopens_as_itself(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = f"sqlite:///{epoch2_after_epoch1(tmp_path_factory, tmp_path, SOURCES)}"
    columns = (c.id, c.fingerprint, c.created_at, c.due_at, c.status)
    before = {r.fingerprint: r for r in review_rows(db, columns, c.status == "open")}
    broken = {urls("vercel")[0]: {"body": alibaba_threefold()}}
    replayed_run(db, fault_world(tmp_path, broken), SOURCES)
    gone = {r.fingerprint for r in review_rows(db, columns, c.status == "open")}
    superseded = {f for f in before if f not in gone}
    assert superseded, "the fault day superseded none of epoch-2's items"
    recovered = replayed_run(db, WORLDS / "epoch-2.json", SOURCES)
    after = {r.fingerprint: r for r in review_rows(db, columns, c.status == "open")}
    assert set(before) <= set(after)
    for fingerprint, row in before.items():
        again = after[fingerprint]
        assert (again.id, again.created_at, again.due_at) == (row.id, row.created_at, row.due_at)
    assert len(review_rows(db, columns, c.fingerprint.in_(superseded))) == len(superseded)
    with store.connect(db).connect() as conn:
        summary = conn.execute(select(runs.c.summary).where(runs.c.id == recovered)).scalar_one()
    assert summary["reopened_items"] == len(superseded)  # reported apart from items opened
