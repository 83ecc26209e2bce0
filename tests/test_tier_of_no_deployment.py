"""A service tier's price a source states of no deployment is judged by its deployments' standard.

Fault round 61, from public reports of LiteLLM's service-tier keys holding another tier's or
the standard prices (truefoundry/models#765: `input_cost_per_token_batches` set to the standard
price, "no discount"; BerriAI/litellm#13810: flex billed at the standard price): LiteLLM's
recorded map with its `_batches` and `_priority` keys exchanged, every batch price a priority
price and every priority price a batch one. Its batch and priority tables are set aside as
restating the standard prices (catalog/intake.py `_discounts_at_standard`), but not for Azure's
models: identity reads LiteLLM's bare `azure/<model>` standard price as the deployment whose
official meter states its value (scope=global), and its tier prices, which no meter states,
keep no scope, so they had no standard price to be judged by. On the epoch-2 catalog, 11
new-value items (azure/gpt-5.6-sol batch input 10, twice its standard 5; azure/o3-pro priority
input 10, half its standard 20) and 12 disagreements with Azure's official batch prices
opened. Such a tier price is now judged by the source's standard prices of the field's
deployments: a discount by the cheapest, a premium by the dearest.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.intake import DISCOUNT_AT_STANDARD_RULE, PREMIUM_AT_STANDARD_RULE
from catalog.tables import review_items
from schemas.sources import sources
from tests.worlds import (
    epoch2_loaded,
    fault_world,
    quarantined,
    recorded_text,
    replayed_run,
    review_rows,
)

pytestmark = pytest.mark.integration

SOURCES = ["azure", "litellm"]
LITELLM = sources()["litellm"].urls[0]


def tiers_exchanged(text: str) -> str:
    """The map with every `_batches` key named `_priority` and every `_priority` key
    `_batches`."""
    swap = {"batches": "priority", "priority": "batches"}
    return re.sub(r'_(batches|priority)"', lambda m: f'_{swap[m.group(1)]}"', text)


def test_azure_tier_prices_of_no_deployment_are_judged_by_the_standard(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", SOURCES)
    world = fault_world(tmp_path, {LITELLM: {"body": tiers_exchanged(recorded_text(LITELLM))}})
    run = replayed_run(db, world, SOURCES)
    i = review_items.c
    proposed = review_rows(
        db,
        (i.kind, i.title),
        i.run_id == run,
        i.route == "azure",
        i.kind.in_(["new_value", "disagreement", "price_change"]),
    )
    assert proposed == []
    assert "azure/gpt-5.6-sol" in quarantined(db, run, DISCOUNT_AT_STANDARD_RULE)
    assert "azure/o3-pro" in quarantined(db, run, PREMIUM_AT_STANDARD_RULE)
