"""An official statement set aside by validation still states its field's cache lifetime.

Two fault rounds (18, both helpers): OpenRouter's Claude block rescaled tenfold in its main
listing only. Its every Claude price was set aside (stated twice with different values: the
all-modalities listing states the true ones), and rightly; but with them went the cache
lifetimes they state, so the secondaries' cache writes of those models on OpenRouter's route
(without lifetime) were read as fields of their own: new-model items superseded by ones with
an extra field, new-value items on fields the catalog holds under a lifetime, and, the
secondaries' bytes repeating, confirmed so every later day.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of
epoch-2 and a world made here from its recorded OpenRouter listing.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import observations
from tests.conftest import WORLDS
from tests.test_fault_kinds import urls
from tests.worlds import fault_world, recorded_text, replayed_run, reported

pytestmark = pytest.mark.integration

SOURCES = ["openrouter", "genai-prices"]


def tenfold(prices: dict[str, Any]) -> dict[str, Any]:
    """An OpenRouter `pricing` object with every positive price ten times as written."""
    found = {}
    for key, value in prices.items():
        found[key] = value
        if isinstance(value, str) and Decimal(value) > 0:
            found[key] = format(Decimal(value) * 10, "f")
    return found


def cache_writes(db: str, run_id: int) -> set[tuple[str, str, str]]:
    """genai-prices' cache-write statements of Claude models on OpenRouter's route first
    stated in run `run_id`: (model, dimensions, value)."""
    o = observations.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(o.model, o.dimensions, o.value).where(
                o.run_id == run_id,
                o.source == "genai-prices",
                o.route == "openrouter",
                o.component == "cache_write",
                o.model.like("claude%"),
            )
        )
        return {(row.model, row.dimensions, row.value) for row in rows}


def test_a_set_aside_official_cache_write_still_states_its_lifetime(
    prefect_api: None, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    clean = replayed_run(db, WORLDS / "epoch-2.json", SOURCES, accept_new=True)
    healthy = cache_writes(db, clean)
    assert any("cache_ttl=5m" in dims for _, dims, _ in healthy)
    listing = urls("openrouter")[0]
    document = json.loads(recorded_text(listing))
    for model in document["data"]:
        if model["id"].startswith("anthropic/") and model.get("pricing"):
            model["pricing"] = tenfold(model["pricing"])
    prices = urls("genai-prices")[0]  # read again that day (new bytes, the same prices)
    broken = {
        listing: {"body": json.dumps(document)},
        prices: {"body": recorded_text(prices) + "\n"},
    }
    run_id = replayed_run(db, fault_world(tmp_path, broken), SOURCES)
    assert reported(db, run_id)["genai-prices"] == ("ok", "")
    # an observation row starts in a run only for a statement not already stated as it is
    assert not {row for row in cache_writes(db, run_id) if "cache_ttl" not in row[1]}
