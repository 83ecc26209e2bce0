"""An official listing of deployment prices rescaled is judged by the bare prices others state.

Fault round 57: Azure's recorded eastus2 listing with every meter's `unitOfMeasure` "1K" turned
"1M", its prices kept (a units change written half-way: 0.0025 per 1M for gpt-4o's 2.50), read
into an empty catalog (accept-new). After epoch-1 the listing fails as rescaled against the
catalog; on a first load 952 Azure prices entered verified by azure at a thousandth of the real
ones (gpt-4o-2024-11-20 input, global deployment, 0.0025), beside LiteLLM's, models.dev's and
Portkey's 2.50: Azure states every price for a deployment (a scope, a region), the others
state the model's bare price, and the reference of a price with no history was asked only for
bare fields the source itself states. Now it is asked for the bare field of each deployment's
price (catalog/intake.py `_rescaled_without_history`): the rescaled blocks are set aside
("moved by a power of ten") and none of their prices enters.

The variant is made here from the recorded epoch-2 listing.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog import store
from catalog.intake import SLIPPED_RULE
from catalog.tables import catalog_values, quarantine
from tests.worlds import fault_world, recorded_text, replayed_run

pytestmark = pytest.mark.integration

EASTUS2 = (
    "https://prices.azure.com/api/retail/prices?api-version=2023-01-01-preview&$filter="
    "serviceName eq 'Foundry Models' and armRegionName eq 'eastus2' and priceType eq "
    "'Consumption'"
)
SOURCES = ["azure", "litellm", "modelsdev", "portkey", "genai-prices"]


def per_1m_unchanged(body: str) -> str:
    """The listing with every "1K" unitOfMeasure written "1M", the prices as they were."""
    doc = json.loads(body)
    for item in doc["Items"]:
        if item["unitOfMeasure"] == "1K":
            item["unitOfMeasure"] = "1M"
    return json.dumps(doc)


def test_deployment_prices_a_thousandth_of_the_bare_ones_do_not_enter(
    prefect_api: None, tmp_path: Path
) -> None:
    world = fault_world(tmp_path, {EASTUS2: {"body": per_1m_unchanged(recorded_text(EASTUS2))}})
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    run = replayed_run(db, world, SOURCES, accept_new=True)
    c, q = catalog_values.c, quarantine.c
    with store.connect(db).connect() as conn:
        verified = {
            Decimal(value)
            for (value,) in conn.execute(
                select(c.value).where(
                    c.valid_to.is_(None),
                    c.route == "azure",
                    c.model == "gpt-4o-2024-11-20",
                    c.component == "input",
                    c.verified_by == "azure",
                )
            )
        }
        aside = conn.execute(
            select(func.count()).where(
                q.last_run_id == run, q.source == "azure", q.rule == SLIPPED_RULE
            )
        ).scalar_one()
    assert Decimal("0.0025") not in verified
    assert aside > 500
