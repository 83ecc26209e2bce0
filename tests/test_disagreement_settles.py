"""A disagreement the official source's absence made closes when it is back.

A fault round: three rows of Azure's eastus2 listing came with `currencyCode: EUR` and were
quarantined, as they should be; one was gpt-4o-mini-realtime-preview's global audio input
meter. Without it, LiteLLM's unscoped audio input price (10, the global meter's) was placed in
no deployment scope, and stood beside Portkey's unscoped 100: a disagreement opened between the
two secondaries. When Azure answered right again, LiteLLM's price went back to the global scope
and the unscoped field held Portkey's alone, but the disagreement stayed open for good (LiteLLM
"stated nothing of the field": an absence, to the rule that closes withdrawn proposals).

After it, Portkey's unscoped 100 alone, no scope's price, is a disagreement with the official
source about the same field (catalog/compare.py: no deployment's price).

A row quarantined no longer does this (what a record's problem hides of an official source's
prices stands as last stated, for the scopes too: test_scopes_held); a row the listing leaves
out for a day still does, and that is the day made here.

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
from tests.worlds import fault_world, recorded_text, replayed_run, review_rows

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


def test_a_disagreement_between_secondaries_closes_once_the_official_scope_is_back(
    prefect_api: None, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    replayed_run(db, WORLDS / "epoch-1.json", SOURCES, accept_new=True)
    replayed_run(db, WORLDS / "epoch-2.json", SOURCES)
    url = eastus2()
    listing = json.loads(recorded_text(url))
    [row] = [item for item in listing["Items"] if item["meterName"] == METER]
    listing["Items"].remove(row)
    listing["Count"] = len(listing["Items"])
    fault_day = replayed_run(
        db, fault_world(tmp_path, {url: {"body": json.dumps(listing)}}), SOURCES
    )
    ri = review_items.c
    where = (ri.kind == "disagreement", ri.route == "azure", ri.model == MODEL)
    [(item_id, status, _)] = review_rows(
        db, (ri.id, ri.status, ri.reason), *where, ri.run_id == fault_day
    )
    assert status == "open"
    again = fault_world(tmp_path, {url: {"body": recorded_text(url) + "\n"}})  # read again
    run_id = replayed_run(db, again, SOURCES)
    [(status, reason)] = review_rows(db, (ri.status, ri.reason), *where, ri.id == item_id)
    assert status == "superseded"
    # LiteLLM's 10 is the global meter's again; Portkey's unscoped 100 alone, no deployment's
    # price, is the official source's disagreement now, about the same field
    assert reason in (
        "superseded by a newer proposal about the same thing",
        "closed by itself: the sources it quotes no longer disagree (litellm, portkey "
        f"answered in full, run {run_id})",
    )
    [(title, sources_cited, detail)] = review_rows(
        db,
        (ri.title, ri.sources, ri.detail),
        *where,
        ri.status == "open",
        ri.slot == review_rows(db, (ri.slot,), ri.id == item_id)[0][0],
    )
    assert sources_cited == ["portkey"], title
    assert detail.startswith("portkey: 100 with no deployment scope"), detail
