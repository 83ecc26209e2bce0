"""One model's section of a pricing page headed in another unit enters nothing on a first load.

A fault probe (h57): the Gemini page's 2.5 Pro section alone headed "Paid Tier, per 1K tokens in
USD" (the amounts as recorded), read into an empty catalog with --accept-new beside LiteLLM,
models.dev and OpenRouter: most of its prices fell to the magnitude check, and the rest entered
verified at a thousand times (cache read 125, batch input 625), while the others state 0.125 and
0.625. A page's table most of whose judged prices stand a thousand times from what the other
sources state is read in another unit, however few models it prices (catalog/intake.py
`_rescaled_tables`, UNIT_EXPONENT): its prices are set aside.

The page (made here from the recorded one) through the real flow (Scrapy over loopback HTTP, a
real Prefect API, SQLite).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.tables import catalog_values
from tests.worlds import fault_world, in_force, recorded_text, replayed_run

pytestmark = pytest.mark.integration

GEMINI = "https://ai.google.dev/gemini-api/docs/pricing"
SOURCES = ["gemini-page", "litellm", "modelsdev", "openrouter"]


def test_a_section_headed_per_1k_enters_nothing_at_a_thousand_times(
    prefect_api: None, tmp_path: Path
) -> None:
    text = recorded_text(GEMINI)
    start = text.index("## Gemini 2.5 Pro\n")
    end = text.index("\n## ", start + 1)
    section = text[start:end].replace("per 1M tokens in USD", "per 1K tokens in USD")
    assert section != text[start:end]
    world = fault_world(tmp_path, {GEMINI: {"body": text[:start] + section + text[end:]}})
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    replayed_run(db, world, SOURCES, accept_new=True)

    c = catalog_values.c
    pro = c.model == "gemini-2.5-pro"
    prices = {
        (component, key): value
        for component in ("input", "output", "cache_read")
        for key, value in in_force(db, "google", component, pro).items()
    }
    assert prices
    assert max(prices.values()) < 100
    verified = [
        in_force(db, "google", k, pro, c.verified_by == "gemini-page")
        for k in ("input", "output", "cache_read")
    ]
    assert not any(verified)
