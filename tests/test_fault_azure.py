"""Azure Retail Prices answers as the API can write them, made here from the real recorded eastus2
listing or epoch-2's: a meter priced in volume tiers (a free first tier, then a paid one), a
NextPageLink leading off the API's host."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from schemas.fetch import Uninterpretable
from schemas.records import Draft
from spiders import azure
from tests.conftest import snapshot
from tests.test_azure_parser import MERGED, URL
from tests.test_fault_kinds import bodies, crawl_azure_naming_next, healthy, urls
from tests.test_fault_kinds import read as read_source

METER = "gpt img 1 mini inp txt glbl Tokens"


def read(doc: dict[str, Any]) -> tuple[list[Draft], list[Uninterpretable]]:
    """Every item of the listing `doc` through azure.parse and azure.normalize."""
    body = json.dumps(doc).encode()
    drafts: list[Draft] = []
    problems: list[Uninterpretable] = []
    for record in azure.parse(body, URL).records:
        try:
            drafts += azure.normalize(record)
        except Uninterpretable as exc:
            problems.append(exc)
    return drafts, problems


def listing() -> dict[str, Any]:
    """The recorded listing as plain JSON (numbers as the file writes them, read back as written:
    every recorded price has a shortest repr)."""
    doc = json.loads(snapshot(MERGED))
    assert isinstance(doc, dict)
    return doc


def test_a_meter_priced_in_volume_tiers_states_no_one_price() -> None:
    """A free first tier ("tierMinimumUnits": 0, "retailPrice": 0) and a paid one from 1000
    units: the first tier alone read as the meter's price would make the model free."""
    healthy, healthy_problems = read(listing())
    doc = listing()
    items = doc["Items"]
    [first] = [i for i in items if i["meterName"] == METER]
    paid = {**first, "tierMinimumUnits": 1000}
    first["retailPrice"] = first["unitPrice"] = 0
    items.insert(items.index(first) + 1, paid)
    doc["Count"] = len(items)
    drafts, problems = read(doc)
    assert not [d for d in drafts if d.record.startswith(METER)]
    tiered = [p for p in problems if p.record.startswith(METER)]
    assert [p.rule for p in tiered] == ["volume tier", "volume tier"]
    assert "0, 1000" in tiered[0].detail
    assert len(drafts) == len(healthy) - 1  # every other meter read as before
    assert len(problems) == len(healthy_problems) + 2


def test_volume_tiers_split_across_pages_state_no_one_price() -> None:
    """The same free first tier on the recorded first page and its paid tier on a further
    NextPageLink page: each page alone holds one tier of the meter, so the free one was read as
    the meter's price (the model free) while the paid one was reported."""
    first, *_ = urls("azure")
    answered = bodies("azure")
    document = json.loads(answered[first])
    [free] = [i for i in document["Items"] if i["meterName"] == METER]
    paid = {**free, "tierMinimumUnits": 1000}
    free["retailPrice"] = free["unitPrice"] = 0
    further = f"{first}&$skip=9000"
    page = {"BillingCurrency": "USD", "Items": [paid], "NextPageLink": None, "Count": 1}
    found = read_source(
        "azure",
        {**answered, first: json.dumps(document).encode(), further: json.dumps(page).encode()},
    )
    assert not found.failure and not found.unparsable
    assert not [o for o in found.valid if o.evidence.startswith(METER)]
    tiered = [p for p in found.problems if p.record.startswith(METER)]
    assert [p.rule for p in tiered] == ["volume tier", "volume tier"]
    assert all("from 0, 1000 units" in p.detail for p in tiered)
    before = healthy("azure")
    others = [o for o in found.valid if not o.evidence.startswith(METER)]
    assert others == [o for o in before.valid if not o.evidence.startswith(METER)]


def test_meters_of_one_tier_each_are_read_as_recorded() -> None:
    """The same meter in another region, or another meter, is no second tier."""
    doc = listing()
    items = doc["Items"]
    [first] = [i for i in items if i["meterName"] == METER]
    items.append({**first, "armRegionName": "westus", "retailPrice": 0.003})
    items[-1]["unitPrice"] = items[-1]["retailPrice"]
    doc["Count"] = len(items)
    drafts, _ = read(doc)
    assert sorted(d.value for d in drafts if d.record.startswith(METER)) == [
        Decimal(2),
        Decimal(3),
    ]


def test_a_next_page_link_off_the_api_host_is_not_fetched(tmp_path: Path) -> None:
    """A listing whose NextPageLink leads to another host (one that merely starts like the
    API's): the crawl reads the page and refuses the link, naming it, over loopback HTTP."""
    elsewhere = "https://prices.azure.com.example.net/api/retail/prices?$skip=1000"
    result = crawl_azure_naming_next(tmp_path, elsewhere)
    assert sorted(p.url for p in result.pages) == sorted(urls("azure"))
    [failure] = result.failures
    assert failure.url == elsewhere
    # a fault round: the reason read "redirected off the source's domains: X led to X"
    assert failure.reason.startswith(f"a further page off the source's domains: {elsewhere} (")


@pytest.mark.parametrize("price", ["same", "other"])
def test_an_item_repeated_on_a_further_page_is_one_statement_or_a_conflict(price: str) -> None:
    """A meter of the first page listed again on a further page (a listing that shifted while
    it was paged): the same price is one statement; another price for the same field is no
    price of either (both set aside by the rule), and every other meter reads as before. The
    listing is incomplete either way (a fault round: a listing paged while it shifted by ten
    meters repeated ten and lost ten, and read as complete, narrowing items of the lost ones)."""
    first, *_ = urls("azure")
    answered = bodies("azure")
    document = json.loads(answered[first])
    repeated = dict(next(i for i in document["Items"] if i["meterName"] == METER))
    if price == "other":
        repeated["retailPrice"] = repeated["unitPrice"] = repeated["retailPrice"] * 2
    further = f"{first}&$skip=9000"
    page = {"BillingCurrency": "USD", "Items": [repeated], "NextPageLink": None, "Count": 1}
    found = read_source("azure", {**answered, further: json.dumps(page).encode()})
    before = healthy("azure")
    assert not found.failure and not found.unparsable
    where = f"{METER} [{repeated['armRegionName']}]"
    assert found.incomplete == f"listing incomplete: pages overlap: 1 given on two pages ({where})"
    mine = [o for o in found.valid if o.evidence.startswith(METER)]
    others = [o for o in found.valid if not o.evidence.startswith(METER)]
    assert len(others) == len([o for o in before.valid if not o.evidence.startswith(METER)])
    if price == "same":
        assert [o.value for o in mine] == [o.value for o in before.valid if o in mine] != []
    else:
        assert mine == []
        assert len(found.problems) >= len(before.problems) + 2
