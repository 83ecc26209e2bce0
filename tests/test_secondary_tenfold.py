"""A secondary's price tenfold off a value an official source vouches for is an anomaly.

A fault round (18): LiteLLM's Anthropic entries at 100 times their prices (one provider's block
rescaled, the rest of the map as recorded). Where the catalog's price came from LiteLLM itself
the move was an anomaly; where Anthropic's page states the field, it opened plain
disagreements, which a reviewer can settle by taking the secondary's value (`--use-source`):
Claude 3 Haiku's input at $25. A price moved tenfold or to zero is a slip whoever states it.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of
epoch-2 and a world made here from its recorded LiteLLM map.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import review_items
from tests.test_fault_kinds import urls
from tests.worlds import epoch2_loaded, fault_world, recorded_text, replayed_run, reported

pytestmark = pytest.mark.integration

SOURCES = ["anthropic-page", "litellm"]


def test_a_secondary_price_a_hundredfold_off_the_official_one_is_an_anomaly(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", SOURCES)
    url = urls("litellm")[0]
    document = json.loads(recorded_text(url))
    rescaled = 0
    for entry in document.values():
        if isinstance(entry, dict) and entry.get("litellm_provider") == "anthropic":
            for key, value in entry.items():
                if "cost" in key and isinstance(value, int | float) and value > 0:
                    entry[key] = float(Decimal(str(value)) * 100)
                    rescaled += 1
    assert rescaled > 50
    run_id = replayed_run(db, fault_world(tmp_path, {url: {"body": json.dumps(document)}}), SOURCES)
    assert reported(db, run_id)["litellm"][0] == "ok"  # one provider's block: no rescaled map
    ri = review_items.c
    with store.connect(db).connect() as conn:
        opened = Counter(
            conn.execute(
                select(ri.kind).where(ri.run_id == run_id, ri.route == "anthropic")
            ).scalars()
        )
    assert opened["anomaly"] > 0 and opened["disagreement"] == 0, opened
