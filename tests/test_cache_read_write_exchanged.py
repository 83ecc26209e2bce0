"""A cache read exchanged with its cache write proposes no change.

Fault round 60, from the price-map reports of a source's cache read and write prices swapped:
OpenRouter's recorded listings with every model's `input_cache_read` and `input_cache_write`
exchanged. The Claude models' reads stand above their input and were set aside with their
writes (schemas/batch.py), and the block of Gemini writes moved to their reads' known prices was
set aside as columns copied (catalog/intake.py `_fields_swapped`); but the reads moved to the
writes' known prices were judged alone against the route's real cache-read repricings between
the epochs, and onto an epoch-1 catalog they opened 15 official price changes a reviewer could
approve (gemini-2.5-flash cache_read 0.03 -> 0.0833). A price moved to exactly the known price
of a field that is itself set aside in a block for having moved to this one's is the other
half of the exchange, and is set aside with it.

The variant is made here from the recorded epoch-2 listings.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.intake import FIELDS_SWAPPED_RULE
from catalog.tables import catalog_values, review_items
from schemas.sources import sources
from tests.conftest import copy_catalog, replayed_catalog
from tests.worlds import fault_world, quarantined, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

LISTINGS = sources()["openrouter"].urls  # its two recorded listings
CACHE = ("cache_read", "cache_write")
CHANGE = re.compile(r"/([^ ]+) (cache_read|cache_write): ([\d.]+) → ([\d.]+) usd_per_1m_tokens$")


def exchanged(body: str) -> str:
    """The listing with each model's cache read and cache write prices exchanged."""
    doc = json.loads(body)
    for model in doc["data"]:
        pricing = model.get("pricing") or {}
        if "input_cache_read" in pricing and "input_cache_write" in pricing:
            pricing["input_cache_read"], pricing["input_cache_write"] = (
                pricing["input_cache_write"],
                pricing["input_cache_read"],
            )
    return json.dumps(doc)


def cache_prices(db: str) -> dict[tuple[str, str], Decimal]:
    """OpenRouter's undimensioned cache prices in force: (model, component) -> value."""
    c = catalog_values.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(c.model, c.component, c.value).where(
                c.valid_to.is_(None),
                c.route == "openrouter",
                c.component.in_(CACHE),
                c.dimensions == "",
            )
        )
        return {(r.model, r.component): Decimal(r.value) for r in rows}


def test_cache_reads_exchanged_with_writes_propose_no_change(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    loaded = replayed_catalog(tmp_path_factory, [("epoch-1", ["openrouter"], True)])
    db = copy_catalog(loaded, tmp_path / "catalog.db")
    before = cache_prices(db)
    assert before[("gemini-2.5-flash", "cache_read")] == Decimal("0.03")
    broken = {url: {"body": exchanged(recorded_text(url))} for url in LISTINGS}
    run = replayed_run(db, fault_world(tmp_path, broken), ["openrouter"])
    i = review_items.c
    changes = review_rows(db, (i.title,), i.run_id == run, i.kind == "price_change")
    # a change to exactly the price the catalog held for the model's other cache field
    to_other = [
        title
        for (title,) in changes
        if (moved := CHANGE.search(title)) is not None
        and before.get((moved[1], CACHE[moved[2] == "cache_read"])) == Decimal(moved[4])
    ]
    assert to_other == [], (len(to_other), to_other[:5])
    assert len(quarantined(db, run, FIELDS_SWAPPED_RULE)) >= 10
