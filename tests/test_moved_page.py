"""A page answered from another page of the provider is no complete listing of the configured
one (catalog/health.py MOVED).

A fault probe: OpenAI's pricing page URL redirected (301, on OpenAI's own domains) to its
marketing page, https://openai.com/api/pricing/, which served a real capture of that page. It was
read as the configured page's whole listing: 371 verifications renewed from it, 13 models only
the docs page lists counted absent each day, and on the third day 13 removal items proposed
gpt-5.2, gpt-5.1 and others gone, though nothing said so. Held instead, naming where it
answered from; the next day the page answers at its own URL again and is read.

Through the real flow, on the epoch-2 world's recorded OpenAI page and the recorded capture of
OpenAI's marketing pricing page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import review_items
from tests.conftest import SNAPSHOTS
from tests.worlds import epoch2_loaded, fault_world, replayed, replayed_run, reported

OPENAI = "https://platform.openai.com/docs/pricing"
MARKETING = "https://openai.com/api/pricing/"
CAPTURE = SNAPSHOTS / "pricing-pages" / "openai-pricing.2025-10-15.jina-reader.md"


def _items(db: str) -> int:
    with store.connect(db).connect() as conn:
        return len(conn.execute(select(review_items.c.id)).all())


def test_a_redirect_to_another_page_is_held(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", ["openai-page"])
    before = _items(db)
    moved = {"status": 301, "headers": {"Location": MARKETING}, "body": ""}
    marketing = {
        "url": MARKETING,
        "status": 200,
        "file": str(CAPTURE),
        "date": "2025-12-18T00:00:00Z",
        "content_type": "text/markdown; charset=utf-8",
    }
    for day in (18, 19, 20):
        marketing["date"] = f"2025-12-{day}T00:00:00Z"
        world = fault_world(tmp_path, {OPENAI: moved}, [marketing])
        held = replayed(db, world, ["openai-page"])
        status, reason = reported(db, held.result(raise_on_failure=False))["openai-page"]
        assert status == "failed"
        assert reason == (
            f"{OPENAI} (answered from {MARKETING}): answered from another page "
            f"(its evidence came from {OPENAI}; held until it lasts there)"
        )
    assert _items(db) == before  # nothing proposed, nothing counted absent
    back = {"date": "2025-12-21T00:00:00Z"}
    run = replayed_run(db, fault_world(tmp_path, {OPENAI: back}), ["openai-page"])
    assert reported(db, run)["openai-page"][0] == "ok"
    assert _items(db) == before
