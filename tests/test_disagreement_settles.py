"""A meter the official listing leaves out for a day makes no disagreement between secondaries.

A fault round: three rows of Azure's eastus2 listing came with `currencyCode: EUR` and were
quarantined, as they should be; one was gpt-4o-mini-realtime-preview's global audio input
meter. Without it, LiteLLM's unscoped audio input price (10, the global meter's) was placed in
no deployment scope, and stood beside Portkey's unscoped 100: a disagreement opened between the
two secondaries, and stayed open for good once Azure answered right again (LiteLLM "stated
nothing of the field": an absence, to the rule that closes withdrawn proposals). A row
quarantined no longer does this (what a record's problem hides of an official source's prices
stands as last stated, for the scopes too: test_scopes_held). A row the listing leaves out for
a day did, until the deployment's price in force placed the secondaries' bare prices that equal
it (catalog.identity.OfficialScopes `standing`, fault rounds 44 and 45): that day changes no
item on the model, and neither does the day after.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of
epoch-1 and epoch-2 (the chain the fault round ran on) and worlds made here from epoch-2's
recorded Azure listing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.tables import review_items
from schemas.sources import sources
from tests.conftest import WORLDS
from tests.worlds import epoch2_after_epoch1, fault_world, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

SOURCES = list(sources())
MODEL = "gpt-4o-mini-realtime-preview"
METER = "gpt4omini-rt-aud1217 Inp glbl Tokens"


def eastus2() -> str:
    manifest = json.loads((WORLDS / "epoch-2.json").read_text())
    urls: list[str] = [
        e["url"] for e in manifest["responses"] if "eastus2" in e["url"] and "file" in e
    ]
    [url] = urls
    return url


def test_a_meter_left_out_for_a_day_changes_no_item_on_its_model(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = f"sqlite:///{epoch2_after_epoch1(tmp_path_factory, tmp_path, SOURCES)}"
    ri = review_items.c
    on_model = (ri.kind, ri.route, ri.model, ri.fingerprint)
    where = (ri.route == "azure", ri.model == MODEL, ri.status == "open")
    before = review_rows(db, on_model, *where)
    assert any(kind == "disagreement" for kind, *_ in before)  # Portkey's 100, none's price
    url = eastus2()
    listing = json.loads(recorded_text(url))
    [row] = [item for item in listing["Items"] if item["meterName"] == METER]
    listing["Items"].remove(row)
    listing["Count"] = len(listing["Items"])
    replayed_run(db, fault_world(tmp_path, {url: {"body": json.dumps(listing)}}), SOURCES)
    assert review_rows(db, on_model, *where) == before
    again = fault_world(tmp_path, {url: {"body": recorded_text(url) + "\n"}})  # read again
    replayed_run(db, again, SOURCES)
    assert review_rows(db, on_model, *where) == before
