"""A free variant's price and its paid model's price do not leak into each other.

Fault round 58, from the price-map reports of a `:free` model's price and its paid model's
mixed up: OpenRouter's two recorded listings with every `:free` twin listed at its paid model's
prices. On a first load (accept-new) the twins' 28 prices entered verified by OpenRouter at the
paid prices (glm-5.2:free input 0.476 for 0); onto an epoch-1 catalog 10 price changes proposed
the twins' 0 -> the paid price, approvable. A price under the free variant above 0 is now
quarantined alone (schemas/batch.py `free_variant_at_zero`).

The reverse, every paid model that has a `:free` twin listed at 0 like its twin: on a first
load 6 of its prices entered verified at 0 (laguna-s-2.1 input 0 for 0.09), as only models.dev
states them beside OpenRouter (one other source: too few to judge by). A paid model's 0 beside
the source's own free twin of the field is now set aside as a paid model written as free
(catalog/intake.py `_zero_beside_others`).

Both variants are made here from the recorded epoch-2 listings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog import store
from catalog.intake import ZERO_BESIDE_RULE
from catalog.tables import catalog_values, review_items
from schemas.sources import sources
from tests.conftest import copy_catalog, replayed_catalog
from tests.worlds import fault_world, quarantined, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

LISTINGS = sources()["openrouter"].urls  # its two recorded listings
FREE = ":free"


def free_twins_at_paid_prices(doc: dict[str, Any]) -> None:
    """Each `:free` twin of the listing takes its paid model's pricing."""
    paid = {m["id"]: m["pricing"] for m in doc["data"] if not m["id"].endswith(FREE)}
    for model in doc["data"]:
        if model["id"].endswith(FREE) and model["id"].removesuffix(FREE) in paid:
            model["pricing"] = dict(paid[model["id"].removesuffix(FREE)])


def paid_models_at_free_prices(doc: dict[str, Any]) -> None:
    """Each paid model with a `:free` twin in the listing is priced 0 for input and output."""
    twins = {m["id"].removesuffix(FREE) for m in doc["data"] if m["id"].endswith(FREE)}
    for model in doc["data"]:
        if model["id"] in twins:
            model["pricing"].update(prompt="0", completion="0")


def world(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    broken = {}
    for url in LISTINGS:
        doc = json.loads(recorded_text(url))
        change(doc)
        broken[url] = {"body": json.dumps(doc)}
    return fault_world(tmp_path, broken)


def prices_in_force(db: str, free: bool) -> dict[str, Decimal]:
    """OpenRouter's token prices in force verified by OpenRouter, of the free variants or of
    the models without one, by model, component and dimensions."""
    c = catalog_values.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(c.model, c.component, c.dimensions, c.value).where(
                c.valid_to.is_(None),
                c.route == "openrouter",
                c.kind == "price",
                c.verified_by == "openrouter",
                c.unit == "usd_per_1m_tokens",
            )
        )
        return {
            f"{row.model} {row.component} {row.dimensions}": Decimal(row.value)
            for row in rows
            if ("variant=free" in row.dimensions) == free
        }


def test_free_twins_at_paid_prices_enter_nothing_on_a_first_load(
    prefect_api: None, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    sources = ["openrouter", "modelsdev", "genai-prices", "portkey"]
    run = replayed_run(db, world(tmp_path, free_twins_at_paid_prices), sources, accept_new=True)
    assert {k: v for k, v in prices_in_force(db, free=True).items() if v != 0} == {}
    assert len(quarantined(db, run, "free_variant_at_zero")) >= 20


def test_free_twins_at_paid_prices_propose_no_change(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    loaded = replayed_catalog(tmp_path_factory, [("epoch-1", ["openrouter"], True)])
    db = copy_catalog(loaded, tmp_path / "catalog.db")
    before = prices_in_force(db, free=True)
    assert before and set(before.values()) == {Decimal(0)}
    run = replayed_run(db, world(tmp_path, free_twins_at_paid_prices), ["openrouter"])
    assert prices_in_force(db, free=True) == before
    i = review_items.c
    changes = review_rows(db, (i.title,), i.run_id == run, i.kind == "price_change")
    prices = [title for (title,) in changes if "(variant=free)" in title and "usd_per" in title]
    assert prices == []


def test_paid_models_at_their_free_twins_price_enter_not_as_free(
    prefect_api: None, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    sources = ["openrouter", "modelsdev", "genai-prices", "portkey"]
    run = replayed_run(db, world(tmp_path, paid_models_at_free_prices), sources, accept_new=True)
    twins = {key.split()[0] for key in prices_in_force(db, free=True)}
    zeros = {
        key: value
        for key, value in prices_in_force(db, free=False).items()
        if key.split()[0] in twins and key.split()[1] in ("input", "output") and value == 0
    }
    assert zeros == {}
    assert len(quarantined(db, run, ZERO_BESIDE_RULE)) >= 20
