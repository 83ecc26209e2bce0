"""One column of a listing in another unit, on a first load: judged by the same models' field on
other routes, its prices are set aside.

A fault probe: Vercel's recorded listing with every `"web_search": "10"` (its OpenAI and
Anthropic models, USD per 1K searches) written "0.01", the price of one search, entered 40
prices verified into an empty catalog: no official source states a web search price, no other
source states Vercel's route, and the listing's other prices of those models were right, so no
route or namespace block moved. Every other route states those models' web search at 10
(OpenRouter's own listing; Portkey's, LiteLLM's and genai-prices' OpenAI and Anthropic
prices); a column is now a block of its own (of one namespace's ids: the OpenAI ones, the
Anthropic ones), and a price nothing on its route judges is judged by them; the column's
Google prices stay.

Read from the epoch-2 world's recorded Vercel, OpenRouter, Portkey, LiteLLM and genai-prices
responses, as a refresh reads them (parse, normalize, validate, the slip rules).
"""

from __future__ import annotations

from decimal import Decimal

from catalog.health import PriceKey, prices_by_field
from catalog.intake import SLIPPED_RULE, slipped
from schemas.batch import validate
from schemas.vocab import Component
from tests.observed import LITELLM, observe, observe_body
from tests.worlds import recorded_text

VERCEL = "https://ai-gateway.vercel.sh/v1/models"
STATED = '"web_search": "10"'
OTHERS = (
    LITELLM,
    (
        "genai-prices",
        "genai-prices/v2/data.json",
        "2026-08-21T00:00:00+00:00",
        "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json",
    ),
    (
        "openrouter",
        "openrouter/models.2026-08-19.json",
        "2026-08-19T00:00:00+00:00",
        "https://openrouter.ai/api/v1/models",
    ),
    *(
        (
            "portkey",
            f"portkey/pricing/{vendor}.json",
            "2026-08-21T00:00:00+00:00",
            f"https://configs.portkey.ai/pricing/{vendor}.json",
        )
        for vendor in ("openai", "anthropic")
    ),
)


def _slipped_web_search(body: str) -> dict[str, str]:
    """source model -> detail of Vercel's web search prices the slip rules set aside on a
    first load (no history, no catalog), judged by what the other sources state."""
    read = observe_body("vercel", body.encode(), "2026-04-30T00:00:00+00:00", VERCEL)
    valid, problems = validate(read)
    others: dict[str, dict[PriceKey, Decimal]] = {}
    for spec in OTHERS:
        others.setdefault(spec[0], {}).update(prices_by_field(observe(*spec)))
    aside = [o for p in problems if (o := p.observation) is not None]
    return {
        p.observation.source_model: p.detail
        for p in slipped(valid, {}, {}, lambda: others, aside)
        if p.rule == SLIPPED_RULE
        and p.observation is not None
        and p.observation.component is Component.WEB_SEARCH
    }


def test_a_column_in_another_unit_is_set_aside_on_a_first_load() -> None:
    listing = recorded_text(VERCEL)
    assert listing.count(STATED) == 40
    found = _slipped_web_search(listing.replace(STATED, '"web_search": "0.01"'))
    assert len(found) == 40 and all("0.001 times" in detail for detail in found.values())
    assert {model.split("/")[0] for model in found} == {"openai", "anthropic"}
    assert _slipped_web_search(listing) == {}
