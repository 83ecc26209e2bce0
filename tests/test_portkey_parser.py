"""spiders/portkey.py on the recorded Portkey pricing files (Portkey-AI/models f654307, 2026-08-21).

Portkey prices are US cents (per token, per image, per unit): every expected value below is the
file's cents converted by hand (cents/token × 10^4 = USD per 1M tokens; cents ÷ 100 = USD).
"""

from __future__ import annotations

import copy
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from catalog.identity import Identity
from schemas.fetch import ZERO_RATES_RULE, Normalized, Uninterpretable, Unparsable
from schemas.records import Draft
from schemas.vocab import Component, Kind, Unit
from spiders import portkey
from tests.conftest import SNAPSHOTS, snapshot
from tests.drafts import quarantined, rules

PRICING = SNAPSHOTS / "portkey" / "pricing"


def url(provider: str) -> str:
    return f"https://configs.portkey.ai/pricing/{provider}.json"


@cache
def _records(provider: str) -> dict[str, dict[str, Any]]:
    page = portkey.parse(snapshot(f"portkey/pricing/{provider}.json"), url(provider))
    return {r["key"]: r for r in page.records}


def record(provider: str, key: str) -> dict[str, Any]:
    return copy.deepcopy(_records(provider)[key])


def drafts(provider: str, key: str) -> Normalized:
    return portkey.normalize(record(provider, key))


def value(found: list[Draft], component: Component, unit: Unit, **dims: str) -> Decimal:
    matches = [
        d for d in found if (d.component, d.unit) == (component, unit) and d.dimensions == dims
    ]
    assert len(matches) == 1, f"{len(matches)} drafts for {component} {unit} {dims}"
    return matches[0].value


PER_1M = Unit.PER_1M_TOKENS

# (file, records, drafts, uninterpretable records, quarantined fields) on the recorded files.
# The quarantined fields are Portkey's custom_pricing restating a price with another value. The
# uninterpretable records are entries every rate of which is 0 (ZERO_RATES_RULE: deepinfra's
# image models, openrouter.json's routers and ':free' models, text-moderation...).
COUNTS = [
    ("ai21", 14, 26, 0, 0),
    ("anthropic", 34, 233, 0, 0),
    ("anyscale", 18, 34, 0, 0),
    ("azure-ai", 276, 1146, 4, 1),  # dall-e-2 read, its nested gpt-image-1 key quarantined
    ("azure-openai", 172, 816, 4, 0),
    ("bedrock-mantle", 53, 139, 0, 0),
    ("bedrock", 199, 1077, 0, 0),
    ("byteplus", 61, 226, 0, 2),
    ("cerebras", 14, 26, 0, 0),
    ("claude-platform-aws", 14, 91, 0, 0),
    ("cohere", 20, 38, 0, 0),
    ("dashscope", 142, 329, 0, 0),
    ("deepbricks", 42, 114, 0, 0),
    ("deepgram", 9, 22, 0, 0),
    ("deepinfra", 225, 399, 44, 0),
    ("deepseek", 5, 16, 0, 0),
    ("ember-cloud", 8, 21, 0, 0),
    ("fal-ai", 57, 71, 12, 0),
    ("fireworks-ai", 43, 128, 0, 1),
    ("google", 141, 814, 0, 0),
    ("groq", 22, 43, 0, 0),
    ("jina", 11, 20, 0, 0),
    ("lightning-ai", 42, 115, 0, 0),
    ("minimax", 3, 8, 0, 0),
    ("mistral-ai", 57, 112, 0, 0),
    ("monsterapi", 5, 8, 0, 0),
    ("moonshot", 17, 42, 0, 0),
    ("nebius", 34, 66, 0, 0),
    ("nomic", 2, 2, 0, 0),
    ("novita-ai", 63, 141, 0, 0),
    ("openai", 189, 2131, 0, 15),
    ("openrouter", 651, 1612, 77, 0),
    ("oracle", 14, 42, 0, 0),
    ("palm", 3, 4, 0, 0),
    ("perplexity-ai", 29, 77, 0, 0),
    ("predibase", 6, 10, 0, 0),
    ("reka-ai", 8, 14, 0, 0),
    ("sagemaker", 1, 0, 0, 0),
    ("segmind", 1, 0, 0, 0),
    ("stability-ai", 12, 11, 0, 0),
    ("together-ai", 175, 333, 0, 0),
    ("vertex-ai", 172, 1674, 1, 31),
    ("workers-ai", 45, 93, 0, 0),
    ("x-ai", 84, 598, 6, 0),
    ("z-ai", 19, 44, 3, 0),
    ("zhipu", 18, 41, 3, 0),
]


def test_counts_cover_every_recorded_file() -> None:
    assert sorted(name for name, *_ in COUNTS) == sorted(p.stem for p in PRICING.glob("*.json"))


@pytest.mark.parametrize(("provider", "records", "expected", "broken", "fields"), COUNTS)
def test_per_file_counts(
    provider: str, records: int, expected: int, broken: int, fields: int
) -> None:
    found, failed, quarantined_fields = 0, 0, 0
    for raw in _records(provider).values():
        try:
            normalized = portkey.normalize(raw)
        except Uninterpretable:
            failed += 1
            continue
        found += len(normalized)
        quarantined_fields += len(normalized.problems)
    assert (len(_records(provider)), found, failed, quarantined_fields) == (
        records,
        expected,
        broken,
        fields,
    )


def test_openai_gpt_4o_cents_become_usd_per_1m() -> None:
    found = drafts("openai", "gpt-4o")
    assert {(d.route, d.source_model, d.kind) for d in found} == {("openai", "gpt-4o", Kind.PRICE)}
    assert value(found, Component.INPUT, PER_1M) == Decimal("2.50")  # 0.00025 cents/token
    assert value(found, Component.OUTPUT, PER_1M) == Decimal("10.00")  # 0.001 cents/token
    assert value(found, Component.CACHE_READ, PER_1M) == Decimal("1.25")
    assert value(found, Component.CACHE_WRITE, PER_1M) == 0
    assert value(found, Component.WEB_SEARCH, Unit.PER_1K_QUERIES) == Decimal("10")  # 1 cent
    tool = value(found, Component.TOOL_CALL, Unit.PER_1K_QUERIES, variant="file_search")
    assert tool == Decimal("2.5")
    assert str(value(found, Component.OUTPUT, PER_1M)) == "10"  # no 1E+1 exponent form
    evidence = [d.evidence for d in found if d.component is Component.INPUT and not d.dimensions]
    # each place the record states it, in one order (sorted)
    assert "pricing_config.pay_as_you_go.request_token=0.00025 US cents" in evidence[0].split("; ")


def test_batch_config_and_execution_modes_are_service_tiers() -> None:
    found = drafts("openai", "gpt-4o")
    assert value(found, Component.INPUT, PER_1M, service_tier="batch") == Decimal("1.25")
    assert value(found, Component.OUTPUT, PER_1M, service_tier="batch") == Decimal("5")
    assert value(found, Component.INPUT, PER_1M, service_tier="priority") == Decimal("4.25")
    assert value(found, Component.OUTPUT, PER_1M, service_tier="priority") == Decimal("17")


def test_image_price_by_quality_and_size() -> None:
    found = drafts("openai", "gpt-image-1")
    image = Unit.PER_IMAGE
    high = value(found, Component.OUTPUT, image, modality="image", quality="high", size="1024x1536")
    assert high == Decimal("0.25")  # 25 cents
    low = value(found, Component.OUTPUT, image, modality="image", quality="low", size="1024x1024")
    assert low == Decimal("0.011")  # 1.1 cents
    # quality and size "default": what Portkey charges when the request names neither
    assert value(found, Component.OUTPUT, image, modality="image") == Decimal("0.167")
    assert value(found, Component.INPUT, PER_1M, modality="image") == Decimal("10")
    assert value(found, Component.OUTPUT, PER_1M, modality="image") == Decimal("40")
    # cached_image_input_token and cache_read_image_input_token state one price
    assert value(found, Component.CACHE_READ, PER_1M, modality="image") == Decimal("2.5")


def test_context_tiers_from_custom_pricing() -> None:
    found = drafts("openai", "gpt-5.4")
    assert value(found, Component.INPUT, PER_1M) == Decimal("2.5")
    assert value(found, Component.INPUT, PER_1M, context_above="272000") == Decimal("5")
    above = {"context_above": "272000", "service_tier": "batch"}
    assert value(found, Component.OUTPUT, PER_1M, **above) == Decimal("11.25")


def test_google_tier_keys_fold_into_the_bare_model() -> None:
    low = drafts("google", "gemini-2.5-pro-lte-128k")
    high = drafts("google", "gemini-2.5-pro-gt-128k")
    assert {d.source_model for d in low + high} == {"gemini-2.5-pro"}
    assert value(low, Component.INPUT, PER_1M) == Decimal("1.25")
    assert value(high, Component.INPUT, PER_1M, context_above="128000") == Decimal("2.5")
    # where the bare id is listed too, the suffixed keys keep their own names
    assert {d.source_model for d in drafts("google", "gemini-2.0-flash-lite-lte-128k")} == {
        "gemini-2.0-flash-lite-lte-128k"
    }


def test_additional_units() -> None:
    anthropic = drafts("anthropic", "claude-opus-4-6")
    assert value(anthropic, Component.CACHE_WRITE, PER_1M, cache_ttl="1h") == Decimal("10")
    assert value(anthropic, Component.INPUT, PER_1M, variant="fast") == Decimal("30")
    sora = drafts("azure-openai", "sora-2")
    per_second = value(sora, Component.OUTPUT, Unit.PER_SECOND, modality="video", size="720x1280")
    assert per_second == Decimal("0.10")
    flux = drafts("together-ai", "black-forest-labs/FLUX.1-pro")
    assert value(flux, Component.OUTPUT, Unit.PER_PIXEL, modality="image") == Decimal("5E-10")
    perplexity = drafts("perplexity-ai", "sonar-reasoning")
    low = value(perplexity, Component.WEB_SEARCH, Unit.PER_1K_QUERIES, variant="search-context-low")
    assert low == Decimal("5")


def test_fixed_cost_is_a_price_per_request() -> None:
    found = drafts("perplexity-ai", "pplx-7b-online")
    assert value(found, Component.REQUEST, Unit.PER_REQUEST) == Decimal("0.005")


def test_default_entry_states_no_price() -> None:
    assert drafts("openai", "default") == []


def test_float_noise_is_read_away_in_cents_before_scaling() -> None:
    """Issue 9 row 1: gpt-5.4-mini's 0.00007499999999999999 cents per token is $0.75 per 1M."""
    found = drafts("openai", "gpt-5.4-mini")
    assert value(found, Component.INPUT, PER_1M) == Decimal("0.75")
    written = record("openai", "gpt-5.4-mini")["entry"]["pricing_config"]["pay_as_you_go"]
    assert str(written["request_token"]["price"]) == "0.00007499999999999999"
    # Noise on the other side of the value, in a variant without the custom_pricing copy.
    variant = record("openai", "gpt-5.4-mini")
    del variant["entry"]["custom_pricing"]
    rates = variant["entry"]["pricing_config"]["pay_as_you_go"]
    rates["request_token"]["price"] = Decimal("0.00007500000000000001")
    assert value(portkey.normalize(variant), Component.INPUT, PER_1M) == Decimal("0.75")
    # A price written with up to 15 significant digits is kept exactly.
    rates["request_token"]["price"] = Decimal("0.0000751234567890123")
    found = portkey.normalize(variant)
    assert value(found, Component.INPUT, PER_1M) == Decimal("0.751234567890123")


def test_no_recorded_portkey_price_keeps_double_noise() -> None:
    """No value carries more significant digits than a double holds (0.7499999999999999 did)."""
    noisy = [
        (provider, d.source_model, d.value)
        for provider, *_ in COUNTS
        for raw in _records(provider).values()
        for d in _normalized(raw)
        if len(d.value.normalize().as_tuple().digits) > 15
    ]
    assert noisy == []


def _normalized(raw: dict[str, Any]) -> list[Draft]:
    try:
        return portkey.normalize(raw)
    except Uninterpretable:
        return []


def test_a_repeat_is_one_value_and_a_real_conflict_quarantines_that_field() -> None:
    # gpt-4o-mini: 0.00006 in pay_as_you_go, 5.999999999999999e-05 in custom_pricing
    found = drafts("openai", "gpt-4o-mini")
    assert value(found, Component.OUTPUT, PER_1M) == Decimal("0.6")
    output = next(d for d in found if d.component is Component.OUTPUT and not d.dimensions)
    assert "custom_pricing" in output.evidence and "pay_as_you_go" in output.evidence
    # o1-mini-2024-09-12: 0.0003 in pay_as_you_go, 0.00011 in custom_pricing
    found = drafts("openai", "o1-mini-2024-09-12")
    problems = rules(found)
    assert set(problems.values()) == {"conflicting values"}
    assert "o1-mini-2024-09-12 price input usd_per_1m_tokens" in problems
    assert value(found, Component.OUTPUT, PER_1M, service_tier="batch") > 0  # the rest is kept


def test_a_real_record_with_a_nested_model_quarantines_that_key_alone() -> None:
    # azure-ai.json nests a "gpt-image-1" entry inside "dall-e-2": that key is quarantined
    # (its prices are no dall-e-2 price, nor read as gpt-image-1's), dall-e-2's own are read
    found = drafts("azure-ai", "dall-e-2")
    assert rules(found) == {"gpt-image-1": "unknown model key"}
    assert sorted({d.value for d in found}) == [Decimal("0.016"), Decimal("0.018"), Decimal("0.02")]


@pytest.mark.parametrize(
    ("provider", "key"),
    [
        ("deepinfra", "black-forest-labs/FLUX-2-pro"),  # $0.03 per image on fal-ai
        ("x-ai", "grok-imagine-image"),  # sold per image
        ("fal-ai", "fal-ai/veo3.1"),  # sold per second of video
        ("z-ai", "glm-4.5-flash"),  # free, and written alike
    ],
)
def test_an_entry_of_zero_rates_alone_states_no_price(provider: str, key: str) -> None:
    # Portkey writes its `default` fallback's zeros for models it does not price: no $0 price
    with pytest.raises(Uninterpretable) as placeholder:
        drafts(provider, key)
    assert placeholder.value.rule == ZERO_RATES_RULE
    assert placeholder.value.record == f"{provider}/{key}"


def test_zero_rates_beside_a_price_are_read_and_a_zero_not_a_number_is_quarantined() -> None:
    # text-embedding-3-small prices its input and states 0 for output (it has none): both read
    found = drafts("azure-openai", "text-embedding-3-small")
    assert value(found, Component.OUTPUT, PER_1M) == 0
    assert value(found, Component.INPUT, PER_1M) > 0
    # a zero written as numeric text is a zero; one that is no number is no zero: the entry is
    # read and that field alone quarantined
    text = record("deepinfra", "black-forest-labs/FLUX-2-pro")
    text["entry"]["pricing_config"]["pay_as_you_go"]["response_token"]["price"] = "0.0"
    with pytest.raises(Uninterpretable, match=ZERO_RATES_RULE):
        portkey.normalize(text)
    broken = record("deepinfra", "black-forest-labs/FLUX-2-pro")
    broken["entry"]["pricing_config"]["pay_as_you_go"]["response_token"]["price"] = "free"
    found = portkey.normalize(broken)
    assert value(found, Component.INPUT, PER_1M) == 0
    assert set(rules(found).values()) == {"not a number"}


def test_unknown_additional_unit_is_uninterpretable() -> None:
    broken = record("openai", "gpt-4o")
    units = broken["entry"]["pricing_config"]["pay_as_you_go"]["additional_units"]
    units["per_minute_surcharge"] = units.pop("web_search")
    found = portkey.normalize(broken)
    field = "pricing_config.pay_as_you_go.additional_units.per_minute_surcharge"
    problem = quarantined(found, field)
    assert (problem.record, problem.rule) == ("openai/gpt-4o", "unknown additional unit")
    assert value(found, Component.INPUT, PER_1M) == Decimal("2.50")


def test_unknown_execution_mode_is_uninterpretable() -> None:
    broken = record("openai", "gpt-4o")
    modes = broken["entry"]["custom_pricing"]["regions"]["default"]["execution_modes"]
    modes["turbo"] = modes.pop("priority")
    found = portkey.normalize(broken)
    field = "custom_pricing.regions.default.execution_modes.turbo"
    assert quarantined(found, field).rule == "unknown execution mode"
    assert value(found, Component.INPUT, PER_1M, service_tier="batch") > 0


@pytest.mark.parametrize("name", [["gt-272k"], {"name": "gt-272k"}], ids=["list", "object"])
def test_a_context_tier_name_of_another_type_is_custom_pricings_problem(name: Any) -> None:
    """Fault round 62: gpt-5.4's `context_tier_map` naming its 272k tier by a list or an object
    raised a TypeError (unhashable) that set the whole entry aside, its 42 statements with it.
    The tiers it names cannot be placed: `custom_pricing` is quarantined alone, and the
    `pricing_config` prices (the values its standard tier below 272k restates) are read."""
    recorded = portkey.normalize(record("openai", "gpt-5.4"))
    broken = record("openai", "gpt-5.4")
    broken["entry"]["custom_pricing"]["context_tier_map"]["272000"] = name
    found = portkey.normalize(broken)
    assert rules(found) == {"custom_pricing": "not a context tier name"}
    assert all(d.evidence.startswith("pricing_config.") for d in found)
    standard = ".execution_modes.standard.context_tiers.lte-272k."
    kept = {(d.component, d.dimensions.key, d.value) for d in recorded if standard in d.evidence}
    assert len(kept) == 5
    assert {(d.component, d.dimensions.key, d.value) for d in found} == kept


def test_truncated_body_is_unparsable() -> None:
    body = snapshot("portkey/pricing/openai.json")
    with pytest.raises(Unparsable):
        portkey.parse(body[: len(body) - 10], url("openai"))


def test_the_provider_must_be_in_the_url() -> None:
    with pytest.raises(Unparsable, match="not a Portkey pricing URL"):
        portkey.parse(snapshot("portkey/pricing/openai.json"), "https://configs.portkey.ai/")


def test_routes_come_from_the_url_and_map_to_canonical_ids() -> None:
    assert {d.route for d in drafts("vertex-ai", "gemini-2.5-flash")} == {"vertex-ai"}
    identity = Identity.load()
    assert identity.route("azure-openai") == "azure"
    assert identity.route("vertex-ai") == "vertex"
    assert identity.route("x-ai") == "xai"
    assert identity.route("together-ai") == "together"


def test_a_router_pseudo_model_has_no_price() -> None:
    """Issue 9 row 9: Portkey's 0 for openrouter/auto is not a price (its zero rates alone are
    the fallback's placeholder; any rate it states is a router's, no model's)."""
    with pytest.raises(Uninterpretable, match=ZERO_RATES_RULE):
        drafts("openrouter", "openrouter/auto")
    priced = record("openrouter", "openrouter/auto")
    rates = priced["entry"]["pricing_config"]["pay_as_you_go"]
    rates["request_text_token"]["price"] = Decimal("1e-4")
    found = portkey.normalize(priced)
    assert [d for d in found if d.kind is Kind.PRICE] == []
    assert set(rules(found).values()) == {"router pseudo-model"}
    assert "openrouter/auto price input usd_per_1m_tokens" in rules(found)
