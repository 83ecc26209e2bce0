"""Fault kinds public bug reports describe, each made here from a real recorded response and
read through the configured source's reading path (tests/test_unseen_responses.py's `read`).

Each test names the report. What must follow is the house rule: a field the source states
but does not say how to read is quarantined alone (the record's other fields are read), and
never guessed into a value the catalog would hold as stated.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from schemas.vocab import Component
from tests.conftest import snapshot
from tests.test_unseen_responses import read, stated

OPENROUTER_AUGUST = "openrouter/models.2026-08-19.json"


def openrouter_listing(change: Any = None) -> tuple[dict[str, Any], bytes]:
    """The recorded August listing (changed in place by `change`, if given) and its body."""
    listing = json.loads(snapshot(OPENROUTER_AUGUST))
    if change is not None:
        change(listing)
    return listing, json.dumps(listing).encode()


def tiered(listing: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each model's context tiers (the overrides with min_prompt_tokens)."""
    return {
        m["id"]: tiers
        for m in listing["data"]
        if (tiers := [o for o in m["pricing"].get("overrides", []) if "min_prompt_tokens" in o])
    }


def test_an_openrouter_threshold_of_unstated_side_is_quarantined_alone() -> None:
    """OpenRouter's `min_prompt_tokens` does not say whether a prompt of exactly that size is
    priced at the tier. Its readers take it both ways: NousResearch/hermes-agent#109976 and
    its fix #110016 price the tier once the prompt is above it (`prompt_tokens > threshold`),
    agent-sdk-providers' reader "from min_prompt_tokens upwards"; the values are the vendors'
    thresholds, which start above it (OpenAI's "> 272K"). ratecard read every tier as above
    the number, where Vercel's `min` for the same OpenAI tier reads as from it: one vendor's
    tier at two thresholds. Each tier is now quarantined alone; the base prices are read."""
    listing, body = openrouter_listing()
    tiers = tiered(listing)
    assert sum(len(t) for t in tiers.values()) == 64 and "openai/gpt-5.4" in tiers
    found = read("openrouter", body)
    assert not found.failure, found.failure
    assert not [o for o in found.valid if "context_above" in o.dimensions]
    ambiguous = [p for p in found.problems if p.rule == "threshold-ambiguous"]
    assert len(ambiguous) == 64
    assert {p.record for p in ambiguous} == set(tiers)
    assert all((p.field or "").startswith("pricing.overrides[") for p in ambiguous)
    # the records' other fields are kept: gpt-5.4's base prices as listed
    assert stated(found.valid, "openai/gpt-5.4", Component.INPUT) == Decimal("2.5")
    assert stated(found.valid, "openai/gpt-5.4", Component.OUTPUT) == Decimal("15")


def test_an_openrouter_threshold_written_one_above_is_no_readable_tier_either() -> None:
    """The same tier written as its first priced size (272001, "> 272K" spelled as a
    minimum): neither spelling says which side the source means, so neither is read."""

    def one_above(listing: dict[str, Any]) -> None:
        for model in listing["data"]:
            for override in model["pricing"].get("overrides", []):
                if "min_prompt_tokens" in override:
                    override["min_prompt_tokens"] += 1

    _, body = openrouter_listing(one_above)
    found = read("openrouter", body)
    assert not [o for o in found.valid if "context_above" in o.dimensions]
    details = [p.detail for p in found.problems if p.rule == "threshold-ambiguous"]
    assert len(details) == 64 and any("min_prompt_tokens=272001" in d for d in details)


# --------------------------------------------- genai-prices: conditions this reader does not know

GENAI = "genai-prices/v2/data.json"
MODEL = ("anthropic", "claude-3-5-sonnet")  # flat prices: input 3, output 15, cache...


def genai_with(change: Any) -> tuple[Any, Any]:
    """What the recorded feed reads as, and what it reads as with MODEL changed by `change`."""
    document = json.loads(snapshot(GENAI))
    provider = next(p for p in document if p["id"] == MODEL[0])
    change(next(m for m in provider["models"] if m["id"] == MODEL[1]))
    return read("genai-prices", snapshot(GENAI)), read(
        "genai-prices", json.dumps(document).encode()
    )


def of_model(found: Any) -> dict[tuple[str, str, str], Decimal]:
    return {
        (o.component.value, o.unit.value, o.dimensions.key): o.value
        for o in found.valid
        if o.record == "/".join(MODEL)
    }


def test_a_genai_prices_set_under_an_unknown_constraint_is_quarantined_alone() -> None:
    """pydantic/genai-prices#445 adds request-context constraints (`{service_tier: batch}`)
    beside `start_date` and time windows in a model's list of conditional prices. One such set
    made the whole model Uninterpretable: its unconstrained prices were lost with it."""

    def batch_set(model: dict[str, Any]) -> None:
        batch = {"input_mtok": 1.5, "output_mtok": 7.5}
        model["prices"] = [
            {"prices": model["prices"]},
            {"constraint": {"service_tier": "batch"}, "prices": batch},
        ]

    healthy, found = genai_with(batch_set)
    assert not found.failure, found.failure
    assert of_model(found) == of_model(healthy) and of_model(healthy)
    [problem] = [p for p in found.problems if p.record == "/".join(MODEL)]
    assert (problem.field, problem.rule) == ("prices[1]", "unknown constraint")
    assert "service_tier" in problem.detail


def test_genai_prices_price_variants_are_reported_not_dropped() -> None:
    """pydantic/genai-prices#547 adds `price_variants` beside `prices` (batch and service-tier
    rates overriding them key by key). Read as an unknown model key, they vanished without a
    word: the batch prices they state were neither read nor reported."""

    def variants(model: dict[str, Any]) -> None:
        model["price_variants"] = [
            {"when": {"service_tier": "batch"}, "prices": {"input_mtok": 1.5}},
            {"when": {"speed": "fast"}, "prices": {"output_mtok": 30}},
        ]

    healthy, found = genai_with(variants)
    assert of_model(found) == of_model(healthy) and of_model(healthy)
    problems = [p for p in found.problems if p.record == "/".join(MODEL)]
    assert [(p.field, p.rule) for p in problems] == [
        ("price_variants[0]", "price variant not read"),
        ("price_variants[1]", "price variant not read"),
    ]
    assert "service_tier" in problems[0].detail and "speed" in problems[1].detail


# ------------------------------------------------------ Portkey: a key the files did not have

PORTKEY = "portkey/pricing/openai.json"
PORTKEY_URL = "https://configs.portkey.ai/pricing/openai.json"


def portkey_with(change: Any) -> tuple[Any, Any]:
    """What openai.json reads as, and what it reads as with gpt-4o's entry changed."""
    document = json.loads(snapshot(PORTKEY))
    change(document["gpt-4o"])
    body = json.dumps(document).encode()
    return read("portkey", snapshot(PORTKEY), PORTKEY_URL), read("portkey", body, PORTKEY_URL)


def gpt_4o(found: Any) -> dict[tuple[str, str, str], Decimal]:
    return {
        (o.component.value, o.unit.value, o.dimensions.key): o.value
        for o in found.valid
        if o.record == "openai/gpt-4o"
    }


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("entry", "price_history"),
        ("pricing_config", "pricing_config.long_context_config"),
    ],
)
def test_a_portkey_key_the_reader_does_not_know_is_quarantined_alone(
    where: str, field: str
) -> None:
    """Portkey adds sections beside the ones it had: `custom_pricing` arrived beside
    `pricing_config` in 2026 (Portkey-AI/models#715, #792), and the recorded azure-ai.json
    nests a whole entry inside dall-e-2's. A key this reader does not know made the whole
    model Uninterpretable (beside pricing_config) or every price of its pricing_config (inside
    it); it alone is now quarantined, by name, and the prices beside it read."""
    new = {"price": 0.0005, "threshold": 272000}

    def added(entry: dict[str, Any]) -> None:
        holder = entry if where == "entry" else entry["pricing_config"]
        holder[field.rsplit(".", 1)[-1]] = new

    healthy, found = portkey_with(added)
    assert not found.failure, found.failure
    assert gpt_4o(found) == gpt_4o(healthy) and gpt_4o(healthy)
    problems = [p for p in found.problems if p.record == "openai/gpt-4o"]
    assert [(p.field, p.rule) for p in problems] == [
        (field, f"unknown {where.replace('entry', 'model')} key")
    ]
