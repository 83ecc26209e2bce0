"""One column's prices copied over another's are set aside, among a route's real repricings.

Fault round 58, from the price-map reports of a cache write priced as the input: Vercel's
recorded listing with every cache write at its model's input price (claude-3-7-sonnet 3 for
3.75). Onto an epoch-1 catalog it opened 13 official price changes, approvable (cache_write
3.75 -> 3), where two columns' headings swapped were set aside: the block rule judged the moves
to another field's price against all of the route's moved token prices, and Vercel's real
repricings between the two epochs outnumbered them. A block is now also one column: at least
SWAP_BLOCK models of a route whose prices of one component moved to another field's known
price, most of that component's moved prices (catalog/intake.py `_fields_swapped`).

The variant is made here from the recorded epoch-2 listing.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.intake import FIELDS_SWAPPED_RULE
from catalog.tables import review_items
from tests.conftest import copy_catalog, replayed_catalog
from tests.worlds import (
    fault_world,
    in_force,
    quarantined,
    recorded_text,
    replayed_run,
    review_rows,
)

pytestmark = pytest.mark.integration

LISTING = "https://ai-gateway.vercel.sh/v1/models"


def cache_writes_at_input(body: str) -> str:
    """The listing with every model's cache write at its input price."""
    doc = json.loads(body)
    for model in doc["data"]:
        pricing = model.get("pricing") or {}
        if "input_cache_write" in pricing and "input" in pricing:
            pricing["input_cache_write"] = pricing["input"]
    return json.dumps(doc)


def test_cache_writes_copied_from_the_inputs_propose_no_change(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    loaded = replayed_catalog(tmp_path_factory, [("epoch-1", ["vercel"], True)])
    db = copy_catalog(loaded, tmp_path / "catalog.db")
    before = in_force(db, "vercel", "cache_write")
    assert before["claude-3-7-sonnet "] == Decimal("3.75")
    world = fault_world(
        tmp_path, {LISTING: {"body": cache_writes_at_input(recorded_text(LISTING))}}
    )
    run = replayed_run(db, world, ["vercel"])
    assert in_force(db, "vercel", "cache_write") == before
    i = review_items.c
    changes = review_rows(db, (i.title,), i.run_id == run, i.kind == "price_change")
    assert [title for (title,) in changes if " cache_write" in title] == []
    aside = quarantined(db, run, FIELDS_SWAPPED_RULE)
    assert len(aside) >= 5
