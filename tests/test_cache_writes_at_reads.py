"""A block of cache writes at their own cache reads' prices is set aside, on a first load too.

Fault round 58, from the price-map reports of cache read and cache write prices mixed up:
OpenRouter's two recorded listings with every model's `input_cache_write` at its
`input_cache_read` price. On a first load (accept-new) 49 cache writes entered verified by
OpenRouter at the read's price (claude-haiku-latest 0.1 for 1.25): no history to judge them by,
and the block rule of prices moved to another field's compares a write with a read of the very
same dimensions only (Anthropic's writes carry a cache lifetime). A route's cache writes each at
its own cache read's price, most of those the source states beside a read, are now set aside
(catalog/intake.py `_cache_writes_at_reads`).

The variant is made here from the recorded epoch-2 listings.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.intake import CACHE_WRITE_AT_READ_RULE
from catalog.tables import catalog_values
from schemas.sources import sources
from tests.worlds import fault_world, quarantined, recorded_text, replayed_run

pytestmark = pytest.mark.integration

LISTINGS = sources()["openrouter"].urls  # its two recorded listings


def writes_at_reads(body: str) -> str:
    """The listing with every cache write at its model's cache read price."""
    doc = json.loads(body)
    for model in doc["data"]:
        pricing = model["pricing"]
        if "input_cache_write" in pricing and "input_cache_read" in pricing:
            pricing["input_cache_write"] = pricing["input_cache_read"]
    return json.dumps(doc)


def verified_cache_prices(db: str) -> dict[str, dict[str, Decimal]]:
    """OpenRouter's cache prices in force verified by OpenRouter, by component, then by model
    and dimensions (a write's cache lifetime left out)."""
    c = catalog_values.c
    found: dict[str, dict[str, Decimal]] = {"cache_read": {}, "cache_write": {}}
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(c.model, c.component, c.dimensions, c.value).where(
                c.valid_to.is_(None),
                c.route == "openrouter",
                c.verified_by == "openrouter",
                c.component.in_(list(found)),
            )
        )
        for row in rows:
            dims = ";".join(d for d in row.dimensions.split(";") if not d.startswith("cache_ttl"))
            found[row.component][f"{row.model} {dims}"] = Decimal(row.value)
    return found


def test_cache_writes_at_their_reads_price_enter_nothing_on_a_first_load(
    prefect_api: None, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    broken = {url: {"body": writes_at_reads(recorded_text(url))} for url in LISTINGS}
    run = replayed_run(db, fault_world(tmp_path, broken), ["openrouter"], accept_new=True)
    prices = verified_cache_prices(db)
    reads = prices["cache_read"]
    at_read = {key for key, value in prices["cache_write"].items() if reads.get(key) == value}
    assert at_read == set()
    aside = quarantined(db, run, CACHE_WRITE_AT_READ_RULE)
    assert len(aside) >= 20
