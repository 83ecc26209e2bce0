"""An official source's rows hidden by a problem still state its thresholds to the other sources.

A fault round put a badge beside Gemini 2.5 Pro's id line ("`gemini-2.5-pro` New"): the
section's rows were quarantined ("words beside the model name"), as they should be, and the
model's fields stood as last stated in the catalog's comparison. But the rules across sources
read only what was stated this run: Portkey's `gemini-2.5-pro-gt-128k` prices, whose 128k
contradicts the page's 200k, met no official threshold that day; its anomaly closed and its
seven prices joined the model's new-model item (17 fields widened to 24), on a day Portkey was
read (its answer not byte for byte its last: here its Google prices written with another
indentation, the same statements). The official statements a problem hides now stand, as last
stated, for the rules across sources too: the fault day changes no item.

Gemini's page and Portkey, epoch-2 into an empty catalog under review (what they state opens
new-model items), then epoch-2 with the badge and Portkey's Google prices re-indented (both made
here from the recorded bodies), then epoch-2 again. Refreshes through the real flow (Scrapy over
loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.tables import review_items
from tests.conftest import WORLDS
from tests.test_withdrawn_statement import items
from tests.worlds import (
    epoch2_under_review,
    fault_world,
    recorded_text,
    replayed_run,
    reported,
    review_rows,
)

pytestmark = pytest.mark.integration

SOURCES = ["gemini-page", "portkey"]
GEMINI = "https://ai.google.dev/gemini-api/docs/pricing"
PORTKEY = "https://configs.portkey.ai/pricing/google.json"
ID_LINE = "*`gemini-2.5-pro`*\n"


def test_a_hidden_official_row_still_states_its_threshold_to_the_others(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_under_review(tmp_path_factory, tmp_path, SOURCES)
    ri = review_items.c
    contradicted = (ri.kind == "anomaly") & (ri.model == "gemini-2.5-pro") & (ri.status == "open")
    [anomaly] = review_rows(db, (ri.id, ri.detail), contradicted)
    assert "contradicts the 200000 gemini-page state" in anomaly.detail
    before = items(db)
    page = recorded_text(GEMINI)
    assert page.count(ID_LINE) == 1
    badged = page.replace(ID_LINE, "*`gemini-2.5-pro`* New\n")
    reindented = json.dumps(json.loads(recorded_text(PORTKEY)), indent=1)
    assert reindented != recorded_text(PORTKEY)
    broken = {GEMINI: {"body": badged}, PORTKEY: {"body": reindented}}
    run_id = replayed_run(db, fault_world(tmp_path, broken), SOURCES)
    reasons = {source: reason for source, (_, reason) in reported(db, run_id).items()}
    assert reasons == {"gemini-page": "", "portkey": ""}  # both read, neither confirmed unchanged
    assert items(db) == before
    replayed_run(db, WORLDS / "epoch-2.json", SOURCES)
    assert items(db) == before
