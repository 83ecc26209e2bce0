"""A base price read at its context tier's price proposes no change.

Fault round 58, from the price-map reports of a tiered price (above 200k tokens) applied to the
base price, in two shapes:

- Vercel's recorded listing with every tiered model's flat `input` and `output` at its top
  tier's price, the tier lists left as they were: the tier lists, whose base tier no longer
  agreed with the flat price, were quarantined and the flat prices read, so onto an epoch-1
  catalog 19 official price changes were opened, approvable (claude-sonnet-4 input 3 -> 6). Which
  of the two is the price cannot be told: the flat price is now quarantined beside its tier list
  (spiders/vercel.py `_check_flat`).
- LiteLLM's map with every `input_cost_per_token` and `output_cost_per_token` at its
  `_above_200k_tokens` price: onto an epoch-1 catalog 40 price changes (vertex
  claude-sonnet-4-5 input 3 -> 6). A base price that moved to exactly the known price of its
  own context tier is now judged as one moved to another field's price, and a block of them
  is set aside (catalog/intake.py `_fields_swapped`). Bedrock's two Claude models are too few
  for a route's block: their 24 changes stayed (18 in fault round 60). Most of a response's
  moved prices of fields with a context tier at their tier's price are now a block of the
  whole response (fault round 60): a key read for another is read so for every provider.
- The reverse (fault round 60, from public reports of long-context cache prices left at the
  base's): LiteLLM's map with every `cache_read_input_token_cost_above_200k_tokens` and
  `cache_creation_input_token_cost_above_200k_tokens` at the base price opened 17 price
  changes onto an epoch-1 catalog (anthropic/claude-sonnet-4 cache_read above 200000 tokens
  0.6 -> 0.3). A tier's price moved to exactly its base's known price is one read as the other,
  judged in the same block.

Both variants are made here from the recorded epoch-2 answers.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.intake import FIELDS_SWAPPED_RULE
from catalog.tables import catalog_values, quarantine, review_items
from tests.conftest import copy_catalog, replayed_catalog
from tests.worlds import fault_world, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

VERCEL = "https://ai-gateway.vercel.sh/v1/models"
LITELLM = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)


def vercel_base_at_top_tier(body: str) -> str:
    """The listing with each tiered model's input and output at its top tier's price."""
    doc = json.loads(body)
    for model in doc["data"]:
        pricing = model.get("pricing") or {}
        for component in ("input", "output"):
            if tiers := pricing.get(f"{component}_tiers"):
                pricing[component] = tiers[-1]["cost"]
    return json.dumps(doc)


def litellm_base_at_tier(body: str) -> str:
    """The map with each entry's input and output per token at its above-200k price."""
    doc = json.loads(body)
    for entry in doc.values():
        if not isinstance(entry, dict):
            continue
        for component in ("input", "output"):
            tier = entry.get(f"{component}_cost_per_token_above_200k_tokens")
            if tier is not None and f"{component}_cost_per_token" in entry:
                entry[f"{component}_cost_per_token"] = tier
    return json.dumps(doc)


def base_prices(db: str, route: str) -> dict[str, tuple[Decimal, str | None]]:
    """A route's input and output prices in force without dimensions, by model and component:
    the value and who verified it."""
    c = catalog_values.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(c.model, c.component, c.value, c.verified_by).where(
                c.valid_to.is_(None),
                c.route == route,
                c.component.in_(["input", "output"]),
                c.dimensions == "",
            )
        )
        return {f"{r.model} {r.component}": (Decimal(r.value), r.verified_by) for r in rows}


def price_changes(db: str, run: int) -> set[str]:
    i = review_items.c
    rows = review_rows(db, (i.title,), i.run_id == run, i.kind == "price_change")
    return {title for (title,) in rows}


def set_aside(db: str, run: int, rule: str) -> int:
    q = quarantine.c
    with store.connect(db).connect() as conn:
        return len(conn.execute(select(q.id).where(q.last_run_id == run, q.rule == rule)).all())


def test_vercel_flat_prices_at_their_top_tier_propose_no_change(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    loaded = replayed_catalog(tmp_path_factory, [("epoch-1", ["vercel"], True)])
    db = copy_catalog(loaded, tmp_path / "catalog.db")
    assert base_prices(db, "vercel")["claude-sonnet-4 input"][0] == 3
    body = vercel_base_at_top_tier(recorded_text(VERCEL))
    run = replayed_run(db, fault_world(tmp_path, {VERCEL: {"body": body}}), ["vercel"])
    assert base_prices(db, "vercel")["claude-sonnet-4 input"][0] == 3
    changes = price_changes(db, run)
    assert "price_change: vercel/claude-sonnet-4 input: 3 → 6 usd_per_1m_tokens" not in changes
    assert "price_change: vercel/gemini-2.5-pro output: 10 → 15 usd_per_1m_tokens" not in changes
    assert set_aside(db, run, "base tier differs from flat price") >= 50


def test_vercel_flat_prices_at_their_top_tier_enter_nothing_on_a_first_load(
    prefect_api: None, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    body = vercel_base_at_top_tier(recorded_text(VERCEL))
    replayed_run(db, fault_world(tmp_path, {VERCEL: {"body": body}}), ["vercel"], accept_new=True)
    prices = base_prices(db, "vercel")
    assert "claude-sonnet-4 input" not in prices
    assert "gemini-2.5-pro output" not in prices
    assert prices["gpt-4o input"] == (Decimal("2.5"), "vercel")  # a model without tiers


def test_litellm_base_prices_at_their_tier_propose_no_change(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    loaded = replayed_catalog(tmp_path_factory, [("epoch-1", ["litellm"], True)])
    db = copy_catalog(loaded, tmp_path / "catalog.db")
    assert base_prices(db, "vertex")["claude-sonnet-4-5 input"][0] == 3
    body = litellm_base_at_tier(recorded_text(LITELLM))
    run = replayed_run(db, fault_world(tmp_path, {LITELLM: {"body": body}}), ["litellm"])
    assert base_prices(db, "vertex")["claude-sonnet-4-5 input"][0] == 3
    changes = price_changes(db, run)
    assert "price_change: vertex/claude-sonnet-4-5 input: 3 → 6 usd_per_1m_tokens" not in changes
    assert set_aside(db, run, FIELDS_SWAPPED_RULE) >= 20


def test_litellm_base_prices_at_their_tier_on_a_small_route_propose_no_change(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    loaded = replayed_catalog(tmp_path_factory, [("epoch-1", ["litellm"], True)])
    db = copy_catalog(loaded, tmp_path / "catalog.db")
    recorded = recorded_text(LITELLM)
    # the prices above 200k tokens the recorded map states for Bedrock's entries, per 1M
    tier_prices = {
        Decimal(str(entry[f"{component}_cost_per_token_above_200k_tokens"])) * 1_000_000
        for key, entry in json.loads(recorded).items()
        if isinstance(entry, dict) and entry.get("litellm_provider") == "bedrock"
        for component in ("input", "output")
        if f"{component}_cost_per_token_above_200k_tokens" in entry
    }
    assert tier_prices
    body = litellm_base_at_tier(recorded)
    run = replayed_run(db, fault_world(tmp_path, {LITELLM: {"body": body}}), ["litellm"])
    at_tier = [
        title
        for title in price_changes(db, run)
        if title.startswith("price_change: bedrock/")
        and Decimal(title.rsplit(" → ", 1)[1].split()[0]) in tier_prices
    ]
    assert at_tier == [], at_tier[:5]


def litellm_cache_tiers_at_base(body: str) -> str:
    """The map with each entry's cache prices above 200k tokens at its base cache prices."""
    doc = json.loads(body)
    for entry in doc.values():
        if not isinstance(entry, dict):
            continue
        for base in ("cache_read_input_token_cost", "cache_creation_input_token_cost"):
            if f"{base}_above_200k_tokens" in entry and base in entry:
                entry[f"{base}_above_200k_tokens"] = entry[base]
    return json.dumps(doc)


def test_litellm_cache_tiers_at_their_base_propose_no_change(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    loaded = replayed_catalog(tmp_path_factory, [("epoch-1", ["litellm"], True)])
    db = copy_catalog(loaded, tmp_path / "catalog.db")
    body = litellm_cache_tiers_at_base(recorded_text(LITELLM))
    run = replayed_run(db, fault_world(tmp_path, {LITELLM: {"body": body}}), ["litellm"])
    tiers = [
        title
        for title in price_changes(db, run)
        if " cache_" in title and "context_above=" in title
    ]
    assert tiers == [], tiers[:5]
    assert set_aside(db, run, FIELDS_SWAPPED_RULE) >= 20
