"""A context tier priced above a few hundred tokens is a threshold in thousands: set aside.

Fault round 59, from public reports of context thresholds and sizes written in thousands
(models.dev's `context_over_200k` at 272K, MiniMax's "512k" never resolved): Vercel's recorded
listing with every tier's `min` in thousands (200 for 200000). On a first load (accept-new) 99
tier prices entered verified by Vercel above 199 tokens (gemini-2.5-pro output 15 above 199),
which a cost estimate applies to every prompt longer than that. A tier's threshold below
MIN_CONTEXT_TIER tokens is now quarantined alone (schemas/batch.py `context_tier_in_tokens`;
the recorded world's smallest is 32000).

The variant is made here from the recorded epoch-2 listing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import catalog_values
from schemas.batch import MIN_CONTEXT_TIER
from schemas.sources import sources
from tests.worlds import fault_world, quarantined, recorded_text, replayed_run

pytestmark = pytest.mark.integration

[LISTING] = sources()["vercel"].urls


def thresholds_in_thousands(body: str) -> tuple[str, int]:
    """The listing with every price tier's `min` in thousands of tokens, and how many moved."""
    doc = json.loads(body)
    moved = 0
    for model in doc["data"]:
        for name, tiers in (model.get("pricing") or {}).items():
            if name.endswith("_tiers") and isinstance(tiers, list):
                for tier in tiers:
                    if tier.get("min"):
                        tier["min"] = int(tier["min"]) // 1000
                        moved += 1
    return json.dumps(doc), moved


def tier_thresholds_in_force(db: str) -> list[int]:
    """The context thresholds of Vercel's prices in force."""
    c = catalog_values.c
    with store.connect(db).connect() as conn:
        dims = conn.scalars(
            select(c.dimensions).where(
                c.valid_to.is_(None), c.route == "vercel", c.dimensions.contains("context_above=")
            )
        )
        return [
            int(part.split("=", 1)[1])
            for d in dims
            for part in d.split(";")
            if part.startswith("context_above=")
        ]


def test_tier_thresholds_in_thousands_enter_nothing_on_a_first_load(
    prefect_api: None, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    body, moved = thresholds_in_thousands(recorded_text(LISTING))
    assert moved >= 50
    run = replayed_run(
        db, fault_world(tmp_path, {LISTING: {"body": body}}), ["vercel"], accept_new=True
    )
    assert [t for t in tier_thresholds_in_force(db) if t < MIN_CONTEXT_TIER] == []
    assert len(quarantined(db, run, "context_tier_in_tokens")) >= 50
