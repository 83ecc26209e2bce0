"""A per-token rate written in a per-item field is no price of the item (catalog/plausibility.py
rule 7): it is quarantined as unit-ambiguous wherever the band lets it through.

A fault probe, after BerriAI/litellm#31142 (`output_cost_per_image` confused with
`output_cost_per_image_token`): LiteLLM's recorded map with each entry's `output_cost_per_image`
set to its own `output_cost_per_image_token` entered google/gemini-3.1-flash-image at 0.00006 an
image (its right price 0.045) on a first load. OpenRouter's recorded listing already carries
Gemini models' `prompt` rate in their `image` price (below the band's $0.00001, so caught as
implausible); the same copy for Claude Opus, o1-pro and gpt-5.2-pro, whose rates are above it,
entered verified by OpenRouter (claude-opus-4's image input at 0.000015 against LiteLLM's
0.0048).

Read from the epoch-2 world's recorded LiteLLM map and OpenRouter listing, with the variants made
here, as a refresh reads them (parse, normalize, name, plausibility).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from catalog.plausibility import AMBIGUOUS_RULE, PER_ITEM, check
from schemas.records import Observation
from schemas.sources import is_official
from schemas.vocab import Unit
from tests.observed import LITELLM, OPENROUTER_AUGUST, observe, observe_body
from tests.worlds import recorded_text

RULE_WORDS = "a token's rate in a per-item field"


def _token_rate_problems(found: list[Observation]) -> dict[tuple[str, str, str], Decimal]:
    """(route, source model, dimensions) -> value of each per-item price rule 7 sets aside."""
    kept, problems = check(found, is_official)
    aside = [
        o
        for p in problems
        if p.rule == AMBIGUOUS_RULE and RULE_WORDS in p.detail and (o := p.observation)
    ]
    assert all(o.unit in PER_ITEM for o in aside) and not set(aside) & set(kept)
    return {(o.route, o.source_model, o.dimensions.key): o.value for o in aside}


def test_recorded_listings_state_no_token_rate_per_item() -> None:
    assert _token_rate_problems(observe(*LITELLM)) == {}
    assert _token_rate_problems(observe(*OPENROUTER_AUGUST)) == {}


def test_litellm_image_price_at_its_image_token_rate_is_set_aside() -> None:
    entries: dict[str, Any] = json.loads(recorded_text(LITELLM[3]))
    copied = {}
    for key, entry in entries.items():
        rate = entry.get("output_cost_per_image_token") if isinstance(entry, dict) else None
        if rate and entry.get("output_cost_per_image"):
            entry["output_cost_per_image"] = rate
            copied[key] = Decimal(str(rate))
    assert len(copied) >= 5
    found = observe_body("litellm", json.dumps(entries).encode(), LITELLM[2], LITELLM[3])
    aside = _token_rate_problems(found)
    assert {model: value for (_, model, _), value in aside.items()} == copied
    assert aside[("google", "gemini/gemini-3.1-flash-image", "modality=image")] == Decimal(
        "0.00006"
    )
    # the token price the rate was read from stands, and so do the models' per-image inputs
    kept, _ = check(found, is_official)
    stands = {(o.source_model, o.unit, o.value) for o in kept}
    assert ("gemini/gemini-3.1-flash-image", Unit.PER_1M_TOKENS, Decimal(60)) in stands
    assert ("gemini/gemini-3-pro-image", Unit.PER_IMAGE, Decimal("0.0011")) in stands


def test_openrouter_image_price_at_its_prompt_rate_is_set_aside() -> None:
    listing: dict[str, Any] = json.loads(recorded_text(OPENROUTER_AUGUST[3]))
    copied = {}
    for model in listing["data"]:
        pricing = model.get("pricing", {})
        prompt = Decimal(pricing.get("prompt") or 0)
        if Decimal(pricing.get("image") or 0) == 0 and prompt >= Decimal("0.00001"):
            pricing["image"] = pricing["prompt"]
            copied[model["id"]] = prompt
    assert len(copied) >= 10
    found = observe_body(
        "openrouter", json.dumps(listing).encode(), OPENROUTER_AUGUST[2], OPENROUTER_AUGUST[3]
    )
    aside = _token_rate_problems(found)
    # a `:batch` id is its model's batch tier: its image price is set aside as a tier's
    assert len(aside) == len(copied)
    assert {model for _, model, _ in aside} == {model.removesuffix(":batch") for model in copied}
    assert aside[("openrouter", "anthropic/claude-opus-4", "modality=image")] == Decimal("0.000015")
