"""A price validation sets aside teaches identity nothing.

A fault round, on LiteLLM's known bug (prices 100,000 times too high for months): one entry,
gpt-4o-mini's input at 100,000 times its price, was quarantined as it should be, but identity
had already learned from it that LiteLLM prices the snapshot gpt-4o-mini-2024-07-18 apart from
gpt-4o-mini: the snapshot became a model of its own on every route, and new-model items opened
on it citing the other sources, which outlived the day. A price outside its unit's band (what
validation sets aside as implausible) is no evidence that a snapshot is priced apart.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of
epoch-2 and a world made here from its recorded LiteLLM map.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.tables import review_items
from tests.worlds import epoch2_loaded, fault_world, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

SOURCES = ["openai-page", "litellm", "modelsdev"]
LITELLM = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)
SNAPSHOT = "gpt-4o-mini-2024-07-18"


def test_a_price_set_aside_splits_no_snapshot(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", SOURCES)
    ri = review_items.c
    before = review_rows(db, (ri.id,), ri.status == "open")
    document = json.loads(recorded_text(LITELLM))
    entry = document["gpt-4o-mini"]
    assert entry["input_cost_per_token"] == document[SNAPSHOT]["input_cost_per_token"]
    entry["input_cost_per_token"] *= 100_000
    replayed_run(db, fault_world(tmp_path, {LITELLM: {"body": json.dumps(document)}}), SOURCES)
    opened = review_rows(db, (ri.kind, ri.route, ri.model), ri.status == "open")
    assert not [row for row in opened if row[2] == SNAPSHOT]
    # what the day opens is the anomaly about the value set aside, nothing else
    kinds = {kind for kind, _, _ in opened[len(before) :]}
    assert kinds == {"anomaly"}, opened[len(before) :]
