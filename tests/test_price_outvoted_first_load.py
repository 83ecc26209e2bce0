"""A first load's price a hundredfold or more off what at least two other sources state alike
does not enter, verified or not (catalog/compare.py `_outvoted`, as a token limit in thousands).

Fault round 64: OpenRouter's `openai/gpt-4o` prompt written a thousandth of its per-token price
("0.0000000025" for "0.0000025") in both its listings, read into an empty catalog (accept-new):
openrouter/gpt-4o input entered verified by openrouter at 0.0025 per 1M tokens beside
genai-prices', LiteLLM's, models.dev's and Portkey's 2.5 for the same route and OpenAI's own
2.5, and `ratecard cost` priced it so. A tenfold difference is not enough: the secondaries lag
an official cut of ten (DeepSeek's cache read 0.028, two of them at 0.0028, enters as
recorded). The variant is made here from the recorded listings; refreshes through the real
flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.tables import catalog_values, review_items
from schemas.sources import sources as configured_sources
from tests.conftest import WORLDS
from tests.worlds import fault_world, in_force, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

SOURCES = ["openrouter", "openai-page", "genai-prices", "litellm", "modelsdev", "portkey"]


def a_thousandth_of_gpt_4o_input(url: str) -> str:
    document = json.loads(recorded_text(url))
    [entry] = [m for m in document["data"] if m["id"] == "openai/gpt-4o"]
    entry["pricing"]["prompt"] = str(Decimal(entry["pricing"]["prompt"]) / 1000)
    return json.dumps(document)


def test_an_official_price_a_thousandth_of_what_four_others_state_does_not_enter(
    prefect_api: None, tmp_path: Path
) -> None:
    listings = configured_sources()["openrouter"].urls
    assert len(listings) == 2
    broken = {url: {"body": a_thousandth_of_gpt_4o_input(url)} for url in listings}
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    replayed_run(db, fault_world(tmp_path, broken), SOURCES, accept_new=True)
    inputs = in_force(db, "openrouter", "input", catalog_values.c.model == "gpt-4o")
    assert "gpt-4o " not in inputs, inputs  # neither its 0.0025 nor another source's 2.5
    assert in_force(db, "openrouter", "output", catalog_values.c.model == "gpt-4o")[
        "gpt-4o "
    ] == Decimal(10)
    titles = review_rows(
        db,
        (review_items.c.title,),
        review_items.c.route == "openrouter",
        review_items.c.model == "gpt-4o",
    )
    assert "anomaly: openrouter/gpt-4o input: 0.0025 → 2.5 usd_per_1m_tokens" in [
        t for (t,) in titles
    ]

    clean = f"sqlite:///{tmp_path / 'clean.db'}"
    replayed_run(clean, WORLDS / "epoch-2.json", ["deepseek-page", *SOURCES], accept_new=True)
    clean_inputs = in_force(clean, "openrouter", "input", catalog_values.c.model == "gpt-4o")
    assert clean_inputs["gpt-4o "] == Decimal("2.5")
    reads = in_force(clean, "deepseek", "cache_read", catalog_values.c.model == "deepseek-chat")
    assert reads["deepseek-chat "] == Decimal("0.028")  # ten times what two others state
