"""An official listing of deployment prices, rescaled or zeroed, is judged by the bare prices
others state, and a deployment's price of 0 by the source's own price in another deployment.

Fault round 57: Azure's recorded eastus2 listing with every meter's `unitOfMeasure` "1K" turned
"1M", its prices kept (a units change written half-way: 0.0025 per 1M for gpt-4o's 2.50), read
into an empty catalog (accept-new): such a meter, named per 1K ("... Tokens") in "1M", is now
quarantined as its unit ambiguous (spiders/azure.py), and the same prices stated consistently
(every token meter's price a thousandth, its unit kept) are judged as follows. After epoch-1 the
listing fails as rescaled against the catalog; on a first load 952 Azure prices entered verified
by azure at a thousandth of the real ones (gpt-4o-2024-11-20 input, global deployment, 0.0025),
beside LiteLLM's, models.dev's and Portkey's 2.50: Azure states every price for a deployment (a
scope, a region), the others state the model's bare price, and the reference of a price with no
history was asked only for bare fields the source itself states. Now it is asked for the bare
field of each deployment's price (catalog/intake.py `_rescaled_without_history`): the rescaled
blocks are set aside ("moved by a power of ten") and none of their prices enters. Those Azure
prices also set aside 359 right unscoped prices of the secondaries as "a power of ten off every
official scope's price": official prices their own source's judgment sets aside now judge no
other source's (catalog/intake.py `doubted_scopes`, the official sources judged first).

Likewise 30 of the listing's token meters at 0 (retailPrice and unitPrice): on a first load 29
entered verified by azure as free (gpt-5.5's data-zone priority output), beside the model's
other deployments' prices in the same listing; the rule for an official 0 among other sources'
prices looked only at the same field, which no other source states for a deployment
(catalog/intake.py `_zero_beside_others`). A deployment's 0 is now judged by the bare price
others state, and by the source's own price of the field in another deployment.

The variants are made here from the recorded epoch-2 listing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog import store
from catalog.intake import OFF_OFFICIAL_RULE, SLIPPED_RULE, ZERO_BESIDE_RULE
from catalog.tables import catalog_values, quarantine
from tests.worlds import fault_world, quarantined, recorded_text, replayed_run

pytestmark = pytest.mark.integration

EASTUS2 = (
    "https://prices.azure.com/api/retail/prices?api-version=2023-01-01-preview&$filter="
    "serviceName eq 'Foundry Models' and armRegionName eq 'eastus2' and priceType eq "
    "'Consumption'"
)
SOURCES = ["azure", "litellm", "modelsdev", "portkey", "genai-prices"]


def first_load(tmp_path: Path, broken: Callable[[str], str]) -> tuple[str, int]:
    """The catalog URL and run id of a first load (accept-new) of SOURCES from the epoch-2 world
    with Azure's recorded eastus2 listing made `broken`."""
    world = fault_world(tmp_path, {EASTUS2: {"body": broken(recorded_text(EASTUS2))}})
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    return db, replayed_run(db, world, SOURCES, accept_new=True)


def per_1m_unchanged(body: str) -> str:
    """The listing with every "1K" unitOfMeasure written "1M", the prices as they were."""
    doc = json.loads(body)
    for item in doc["Items"]:
        if item["unitOfMeasure"] == "1K":
            item["unitOfMeasure"] = "1M"
    return json.dumps(doc)


def a_thousandth(body: str) -> str:
    """The listing with every token meter's price a thousandth of it, its unit as it was (the
    same prices as `per_1m_unchanged` reads, with nothing in a meter to contradict them)."""
    doc = json.loads(body)
    for item in doc["Items"]:
        if item["unitOfMeasure"] in ("1K", "1M") and item["meterName"].endswith("Tokens"):
            for price in ("retailPrice", "unitPrice"):
                item[price] = float(Decimal(str(item[price])) / 1000)
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("broken", "rule"),
    [
        # a "... Tokens" meter (per 1K) in "1M" states a unit its name contradicts: ambiguous
        (per_1m_unchanged, "unit"),
        (a_thousandth, SLIPPED_RULE),
    ],
)
def test_deployment_prices_a_thousandth_of_the_bare_ones_do_not_enter(
    prefect_api: None, tmp_path: Path, broken: Callable[[str], str], rule: str
) -> None:
    db, run = first_load(tmp_path, broken)
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
            select(func.count()).where(q.last_run_id == run, q.source == "azure", q.rule == rule)
        ).scalar_one()
    assert Decimal("0.0025") not in verified
    assert aside > 500
    # the prices set aside judge no secondary's (359 of theirs were set aside against them)
    assert len(quarantined(db, run, OFF_OFFICIAL_RULE)) < 20


def zeroed(body: str, meters: int = 30) -> str:
    """The listing with its first `meters` token meters (per 1K or 1M) priced 0."""
    doc = json.loads(body)
    token_meters = [i for i in doc["Items"] if i["unitOfMeasure"] in ("1K", "1M")]
    for item in token_meters[:meters]:
        item["retailPrice"] = item["unitPrice"] = 0
    return json.dumps(doc)


def test_deployment_prices_at_zero_beside_other_deployments_do_not_enter(
    prefect_api: None, tmp_path: Path
) -> None:
    db, run = first_load(tmp_path, zeroed)
    c, q = catalog_values.c, quarantine.c
    with store.connect(db).connect() as conn:
        free = conn.execute(
            select(func.count()).where(
                c.valid_to.is_(None),
                c.route == "azure",
                c.verified_by == "azure",
                c.kind == "price",
                c.value == "0",
            )
        ).scalar_one()
        aside = conn.execute(
            select(func.count()).where(
                q.last_run_id == run, q.source == "azure", q.rule == ZERO_BESIDE_RULE
            )
        ).scalar_one()
    # the model's only deployment of the field priced: nothing in the source judges it
    assert free <= 3
    assert aside >= 26
