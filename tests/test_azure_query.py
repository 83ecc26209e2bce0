"""An Azure Retail Prices page is the answer to its URL's `$filter` (`serviceName eq 'Foundry
Models' and armRegionName eq '<region>' and priceType eq 'Consumption'`): one whose items state
another region or another service name answers another query (a cache or a mirror keyed without
the filter, an old copy of every region) and is refused whole, not read as the region's meters.

Fault round 54: eastus2's URL answered the recorded 2025-04 Cognitive Services meters of 38
regions (the pre-rename service name) in today's envelope; read as eastus2's listing, it opened
110 review items and rewrote the secondaries' proposals of the Azure route."""

from __future__ import annotations

import json
from typing import Any

from spiders import azure
from tests.conftest import snapshot
from tests.test_fault_kinds import bodies, healthy, healthy_at, read, urls

OLD_METERS = "azure-retail/cognitive-services.items-effective-2025-04.modelmeters.ndjson"


def eastus2() -> str:
    """The configured URL of Azure's eastus2 listing."""
    [url] = [u for u in urls("azure") if "'eastus2'" in u]
    return url


def answered_with(items: list[dict[str, Any]]) -> dict[str, bytes]:
    """Azure's recorded bodies, eastus2's envelope holding `items` (its Count adjusted)."""
    answered = bodies("azure")
    document = json.loads(answered[eastus2()])
    document["Items"], document["Count"] = items, len(items)
    return {**answered, eastus2(): json.dumps(document).encode()}


def test_an_old_copy_of_every_region_is_no_answer_to_one_region() -> None:
    """The 2025-04 meters of every region, under serviceName 'Cognitive Services', at
    eastus2's URL: the page is refused, naming what it states; mexicocentral reads as before."""
    old = [json.loads(line) for line in snapshot(OLD_METERS).decode().splitlines() if line]
    found = read("azure", answered_with(old))
    [reason] = found.unparsable
    assert eastus2() in reason
    assert f"another query's answer: {len(old)} of {len(old)} Items are not" in reason
    assert "serviceName='Cognitive Services'" in reason
    [mexico] = [u for u in urls("azure") if u != eastus2()]
    assert found.valid == healthy_at("azure", mexico)


def test_one_item_of_another_region_refuses_the_page() -> None:
    """The recorded eastus2 listing with one meter stating westeurope: no answer to eastus2's
    query, though every other item is its own."""
    items = json.loads(bodies("azure")[eastus2()])["Items"]
    items[7] = {**items[7], "armRegionName": "westeurope"}
    [reason] = read("azure", answered_with(items)).unparsable
    assert "1 of" in reason and "armRegionName eq 'eastus2'" in reason
    assert "armRegionName='westeurope'" in reason


def test_the_recorded_pages_answer_their_query() -> None:
    """The recorded bodies read as before, and the filter is read from a NextPageLink's
    percent-encoded query as from the configured URL's (a further page is judged alike)."""
    assert not healthy("azure").unparsable
    wanted = {"serviceName": "Foundry Models", "armRegionName": "eastus2"}
    assert azure.query_clauses(eastus2()) == {**wanted, "priceType": "Consumption"}
    encoded = eastus2().replace(" ", "%20").replace("'", "%27") + "&$top=0&$skip=1000"
    assert azure.query_clauses(encoded) == azure.query_clauses(eastus2())
    # a filter that is not a conjunction of eq clauses is not judged
    assert azure.query_clauses(eastus2().replace(" and armRegion", " or armRegion")) == {}
