"""spiders/openrouter.py on the recorded OpenRouter models listings."""

from __future__ import annotations

import copy
import json
from collections import Counter
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from catalog.identity import Identity
from schemas.fetch import Normalized, Uninterpretable, Unparsable
from schemas.vocab import ROUTER_MODELS, Component, Kind, Unit
from spiders import openrouter
from tests.conftest import ROOT, snapshot
from tests.drafts import quarantined, rules, value

URL = "https://openrouter.ai/api/v1/models"
MAY = "openrouter/models.2026-05-20.json"
AUGUST = "openrouter/models.2026-08-19.json"
AUGUST_ALL = "openrouter/models-output_modalities-all.2026-08-19.json"
ROUTERS = {"openrouter/auto", "openrouter/bodybuilder", "openrouter/free", "openrouter/pareto-code"}
ROUTERS_AUGUST = ROUTERS | {"openrouter/auto-beta", "openrouter/fusion"}
# Each router's `prompt` and `completion`.
ROUTER_PRICES = {"router pseudo-model": 2 * len(ROUTERS)}
ROUTER_PRICES_AUGUST = {"router pseudo-model": 2 * len(ROUTERS_AUGUST)}


@cache
def _records(name: str) -> dict[str, dict[str, Any]]:
    page = openrouter.parse(snapshot(name), URL)
    return {record["id"]: record for record in page.records}


def record(name: str, model_id: str) -> dict[str, Any]:
    return copy.deepcopy(_records(name)[model_id])


def drafts(name: str, model_id: str) -> Normalized:
    return openrouter.normalize(record(name, model_id))


@pytest.mark.parametrize(
    ("name", "models", "drafts_total", "problems"),
    [
        # The two Lyria models' prompt and completion "0": priced per song or clip.
        (MAY, 356, 4208, {**ROUTER_PRICES, "unit-ambiguous": 4}),
        # 64 context tiers (of 40 models), each quarantined alone: 215 prices not read.
        (
            AUGUST,
            414,
            5843,
            {**ROUTER_PRICES_AUGUST, "threshold-ambiguous": 64, "unit-ambiguous": 4},
        ),
        # 28 speech and transcription models: 134 per-token fields of unstated unit, and the
        # Lyria models' 4; 56 zero limits of speech, image and video models; 31 image
        # generators' completion "0".
        (
            AUGUST_ALL,
            549,
            6549,
            {
                **ROUTER_PRICES_AUGUST,
                "threshold-ambiguous": 64,
                "unit-ambiguous": 138,
                "a limit of 0 is unknown": 56,
                openrouter.NO_TEXT_OUTPUT_RULE: 31,
            },
        ),
    ],
)
def test_listing_counts(
    name: str, models: int, drafts_total: int, problems: dict[str, int]
) -> None:
    page = openrouter.parse(snapshot(name), URL)
    assert len(page.records) == models
    assert page.next_urls == []
    total, found = 0, Counter[str]()
    for raw in page.records:
        normalized = openrouter.normalize(raw)
        total += len(normalized)
        found.update(p.rule for p in normalized.problems)
    assert total == drafts_total
    assert found == problems


def test_routers_are_the_ones_openrouter_flags() -> None:
    """schemas/vocab.py ROUTER_MODELS (which LiteLLM's reader uses) is OpenRouter's own flag."""
    flagged = {
        raw["id"]
        for name in (MAY, AUGUST, AUGUST_ALL)
        for raw in _records(name).values()
        if openrouter._router_flags(raw) == {True}
    }
    assert flagged == ROUTERS_AUGUST == ROUTER_MODELS["openrouter"]
    assert "openrouter/owl-alpha" in _records(MAY)  # a stealth model in the namespace: not one
    assert value(drafts(MAY, "openrouter/owl-alpha"), Component.INPUT) == 0


def test_a_router_has_no_price_but_keeps_its_limits() -> None:
    auto = drafts(AUGUST, "openrouter/auto")
    assert [d for d in auto if d.kind is Kind.PRICE] == []
    assert rules(auto) == {
        "pricing.prompt": "router pseudo-model",
        "pricing.completion": "router pseudo-model",
    }
    assert '"-1"' in quarantined(auto, "pricing.prompt").detail
    assert value(auto, Component.CONTEXT_WINDOW, Unit.TOKENS, Kind.LIMIT) == 2000000
    free = drafts(AUGUST, "openrouter/free")  # "0" from a router is not a price either
    assert [d for d in free if d.kind is Kind.PRICE] == []
    assert quarantined(free, "pricing.prompt").rule == "router pseudo-model"
    alias = drafts(AUGUST, "~anthropic/claude-haiku-latest")  # an alias states its target's
    assert value(alias, Component.INPUT) == 1
    assert alias.problems == []


def test_a_minus_one_outside_a_router_is_not_a_price() -> None:
    raw = record(AUGUST, "openai/gpt-4o")
    raw["pricing"]["completion"] = "-1"
    found = openrouter.normalize(raw)
    assert quarantined(found, "pricing.completion").rule == "not a price"
    assert value(found, Component.INPUT) == Decimal("2.5")


SPEECH = [
    "openai/whisper-1",
    "openai/whisper-large-v3",
    "nvidia/nemotron-3.5-asr-streaming-multilingual-0.6b",
    "x-ai/grok-stt-1.0",
    "fish-audio/s1",
    "minimax/speech-2.8-hd",
]


@pytest.mark.parametrize("model_id", SPEECH)
def test_speech_prices_in_per_token_fields_are_unit_ambiguous(model_id: str) -> None:
    found = drafts(AUGUST_ALL, model_id)
    assert not [d for d in found if d.unit is Unit.PER_1M_TOKENS]
    assert quarantined(found, "pricing.prompt").rule == "unit-ambiguous"
    assert quarantined(found, "context_length").rule == "a limit of 0 is unknown"
    assert not [d for d in found if d.kind is Kind.LIMIT and d.value == 0]
    # What the record states in its own terms is kept: its modalities.
    assert any(d.dimensions.get("capability", "").startswith("output_") for d in found)


def test_the_unit_rule_follows_stated_modalities_not_names() -> None:
    raw = record(AUGUST_ALL, "openai/whisper-1")
    raw["architecture"]["output_modalities"] = ["text"]
    assert value(openrouter.normalize(raw), Component.INPUT) == 6000
    chat = record(AUGUST, "openai/gpt-4o")
    chat["architecture"]["output_modalities"] = ["text", "speech"]
    found = openrouter.normalize(chat)
    assert quarantined(found, "pricing.prompt").rule == "unit-ambiguous"
    assert not [d for d in found if d.unit is Unit.PER_1M_TOKENS]


def test_gpt_4o_prices_per_million_tokens() -> None:
    found = drafts(AUGUST, "openai/gpt-4o")
    assert {d.route for d in found} == {"openrouter"}
    assert {d.source_model for d in found} == {"openai/gpt-4o"}
    assert value(found, Component.INPUT) == Decimal("2.5")
    assert value(found, Component.OUTPUT) == Decimal("10")
    assert value(found, Component.CACHE_READ) == Decimal("1.25")
    assert value(found, Component.CONTEXT_WINDOW, Unit.TOKENS, Kind.LIMIT) == 128000
    assert value(found, Component.MAX_OUTPUT_TOKENS, Unit.TOKENS, Kind.LIMIT) == 16384
    prices = [d for d in found if d.kind is Kind.PRICE]
    assert len(prices) == 3
    assert any(d.evidence == 'pricing.prompt="0.0000025"' for d in prices)


def test_gpt_4o_capabilities_are_named_after_the_source() -> None:
    found = drafts(AUGUST, "openai/gpt-4o")
    names = {d.dimensions["capability"] for d in found if d.kind is Kind.CAPABILITY}
    assert {"tools", "structured_outputs", "input_image", "input_file", "output_text"} <= names
    assert "temperature" not in names
    assert "output_image" not in names
    assert {d.value for d in found if d.kind is Kind.CAPABILITY} == {Decimal(1)}


def test_free_variant_is_zero_with_variant_dimension() -> None:
    found = drafts(AUGUST, "openai/gpt-oss-20b:free")
    assert {d.source_model for d in found} == {"openai/gpt-oss-20b"}
    assert {d.record for d in found} == {"openai/gpt-oss-20b:free"}
    assert value(found, Component.INPUT, variant="free") == 0
    assert value(found, Component.OUTPUT, variant="free") == 0
    assert value(found, Component.CONTEXT_WINDOW, Unit.TOKENS, Kind.LIMIT, variant="free") == 131072
    assert all(d.dimensions.get("variant") == "free" for d in found)
    paid = drafts(AUGUST, "openai/gpt-oss-20b")
    assert value(paid, Component.OUTPUT) == Decimal("0.13")


def test_batch_variant_is_the_batch_service_tier() -> None:
    found = drafts(AUGUST, "openai/gpt-5.4:batch")
    assert {d.source_model for d in found} == {"openai/gpt-5.4"}
    assert value(found, Component.INPUT, service_tier="batch") == Decimal("1.25")
    assert value(drafts(AUGUST, "openai/gpt-5.4"), Component.INPUT) == Decimal("2.5")


def test_an_upper_case_batch_suffix_is_the_batch_service_tier() -> None:
    """A fault round: the id upper-cased ("GEMINI-3.1-PRO-PREVIEW:BATCH") had its name folded to
    the known model's but its suffix read as a variant "batch", a product no source states."""
    shouted = record(AUGUST, "openai/gpt-5.4:batch")
    shouted["id"] = "openai/GPT-5.4:BATCH"
    found = openrouter.normalize(shouted)
    assert value(found, Component.INPUT, service_tier="batch") == Decimal("1.25")
    assert not any("variant" in d.dimensions for d in found)


def test_router_sentinel_gives_no_price_but_keeps_the_model() -> None:
    raw = record(AUGUST, "openrouter/auto")
    assert raw["pricing"] == {"prompt": "-1", "completion": "-1"}
    found = openrouter.normalize(raw)
    assert [d for d in found if d.kind is Kind.PRICE] == []
    assert value(found, Component.CONTEXT_WINDOW, Unit.TOKENS, Kind.LIMIT) == 2000000
    assert any(d.kind is Kind.CAPABILITY for d in found)


def test_context_tier_overrides_are_threshold_ambiguous() -> None:
    """Each tier is quarantined alone (whether its threshold takes in a prompt of exactly
    that size is not stated); the base prices and cache lifetimes are read."""
    found = drafts(AUGUST, "anthropic/claude-sonnet-4.5")
    assert value(found, Component.INPUT) == Decimal("3")
    assert not [d for d in found if "context_above" in d.dimensions]
    assert rules(found) == {"pricing.overrides[0]": "threshold-ambiguous"}
    # Anthropic has two cache TTLs: input_cache_write is the 5-minute rate.
    assert value(found, Component.CACHE_WRITE, cache_ttl="5m") == Decimal("3.75")
    assert value(found, Component.CACHE_WRITE, cache_ttl="1h") == Decimal("6")
    qwen = drafts(AUGUST, "qwen/qwen3-max")
    assert rules(qwen) == {f"pricing.overrides[{i}]": "threshold-ambiguous" for i in (0, 1)}
    # One TTL only: the cache write carries none.
    assert value(qwen, Component.CACHE_WRITE) == Decimal("0.975")


def test_time_window_overrides_are_peak_and_off_peak() -> None:
    found = drafts(AUGUST, "deepseek/deepseek-v4-pro")
    assert found.problems == []
    assert value(found, Component.INPUT, time_of_day="off_peak") == Decimal("0.66")
    assert value(found, Component.INPUT, time_of_day="peak") == Decimal("1.32")
    assert value(found, Component.CACHE_READ, time_of_day="peak") == Decimal("0.044")
    assert value(found, Component.OUTPUT, time_of_day="peak") == Decimal("3.96")
    assert value(found, Component.CONTEXT_WINDOW, Unit.TOKENS, Kind.LIMIT) == 1048576
    peak = [d for d in found if d.dimensions.get("time_of_day") == "peak"]
    assert all("utc_start=100 utc_end=400" in d.evidence for d in peak)


def test_an_unreadable_time_window_is_quarantined_with_the_base_prices_it_prices() -> None:
    """The windows cover the whole day: the base prices are the off-peak ones, not prices at
    every hour, so each the windows also price is quarantined with them; the limits are read."""
    raw = record(AUGUST, "deepseek/deepseek-v4-pro")
    raw["pricing"]["overrides"][1]["prompt"] = "0.0000001"  # a window below the base prices
    raw["pricing"]["web_search"] = "0.01"  # a base price no window states: read as stated
    found = openrouter.normalize(raw)
    windowed = {"pricing.prompt", "pricing.completion", "pricing.input_cache_read"}
    assert set(rules(found)) == {f"pricing.overrides[{i}]" for i in range(4)} | windowed
    assert set(rules(found).values()) == {"time-window override"}
    prices = [d for d in found if d.kind is Kind.PRICE]
    assert [(d.component, d.value, d.dimensions) for d in prices] == [
        (Component.WEB_SEARCH, Decimal(10), {})
    ]
    assert value(found, Component.MAX_OUTPUT_TOKENS, Unit.TOKENS, Kind.LIMIT) == 384000


def test_a_base_price_stated_twice_leaks_no_off_peak_price_as_the_price() -> None:
    model = "deepseek/deepseek-v4-pro"
    """A fault round's duplicate key (`prompt` twice, the second x10) made the windows
    unreadable (the base prompt is no number): the off-peak output and cache read then entered
    as the model's prices at every hour, and OpenRouter, official for its route, proposed them
    over the catalog's. Each is quarantined; the doubled key is reported as not a number."""
    text = snapshot(AUGUST).decode()
    start = text.index('"id": "deepseek/deepseek-v4-pro"')
    base = text.index('"prompt": "0.00000066"', start)
    text = f'{text[:base]}"prompt": "0.00000066", "prompt": "0.0000066"{text[base + 22 :]}'
    [raw] = [r for r in openrouter.parse(text.encode(), URL).records if r["id"] == model]
    found = openrouter.normalize(raw)
    assert not [d for d in found if d.kind is Kind.PRICE]
    assert rules(found)["pricing.prompt"] == "not a number"
    assert rules(found)["pricing.completion"] == "time-window override"


def test_price_change_between_may_and_august() -> None:
    may = drafts(MAY, "deepseek/deepseek-chat")
    august = drafts(AUGUST, "deepseek/deepseek-chat")
    assert value(may, Component.INPUT) == Decimal("0.32")
    assert value(august, Component.INPUT) == Decimal("0.2574")
    assert value(may, Component.OUTPUT) == Decimal("0.89")
    assert value(august, Component.OUTPUT) == Decimal("1.0287")


def test_modalities_units_and_web_search() -> None:
    image = drafts(AUGUST_ALL, "openai/gpt-image-1")
    assert value(image, Component.OUTPUT, modality="image") == Decimal("40")
    assert value(image, Component.OUTPUT) == Decimal("10")
    assert value(image, Component.WEB_SEARCH, Unit.PER_1K_QUERIES) == Decimal("10")
    audio = drafts(AUGUST, "openai/gpt-audio")
    assert value(audio, Component.INPUT, modality="audio") == Decimal("32")
    assert value(audio, Component.OUTPUT, modality="audio") == Decimal("64")
    gemini = drafts(AUGUST, "google/gemini-2.5-pro")
    assert value(gemini, Component.INPUT, Unit.PER_IMAGE, modality="image") == Decimal("0.00000125")
    assert value(gemini, Component.CACHE_READ, modality="audio") == Decimal("0.125")
    assert value(gemini, Component.REASONING) == Decimal("10")
    assert value(gemini, Component.WEB_SEARCH, Unit.PER_1K_QUERIES) == Decimal("14")


def test_image_token_is_read_only_as_the_image_output_rate() -> None:
    raw = record(AUGUST_ALL, "bytedance-seed/seedream-4.5")
    found = openrouter.normalize(raw)
    rate = Decimal(raw["pricing"]["image_output"]) * 1_000_000
    assert value(found, Component.OUTPUT, modality="image") == rate
    assert "pricing.image_token=" in next(
        d.evidence for d in found if d.dimensions.get("modality") == "image"
    )
    raw["pricing"]["image_token"] = "0.000001"
    field = f"{raw['id']} price output usd_per_1m_tokens [modality=image]"
    assert quarantined(openrouter.normalize(raw), field).rule == "conflicting values"
    del raw["pricing"]["image_output"]
    found = openrouter.normalize(raw)
    assert quarantined(found, "pricing.image_token").rule == "image_token direction unknown"
    assert found.problems[0].record == raw["id"]


def test_links_next_is_followed_when_set() -> None:
    doc = json.loads(snapshot(AUGUST))
    assert doc["links"] == {"next": None}
    doc["links"]["next"] = "/api/v1/models?offset=414"
    page = openrouter.parse(json.dumps(doc).encode(), URL)
    assert page.next_urls == ["https://openrouter.ai/api/v1/models?offset=414"]
    assert len(page.records) == 414


def test_truncated_body_is_unparsable() -> None:
    body = snapshot(AUGUST)
    with pytest.raises(Unparsable):
        openrouter.parse(body[: len(body) // 2], URL)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda doc: doc["data"],
        lambda doc: {"models": doc["data"]},
        lambda doc: {**doc, "links": {"next": 2}},
    ],
    ids=["bare-list", "no-data", "next-not-url"],
)
def test_wrong_envelope_is_unparsable(mutate: Any) -> None:
    doc = json.loads(snapshot(AUGUST))
    with pytest.raises(Unparsable):
        openrouter.parse(json.dumps(mutate(doc)).encode(), URL)


def test_unknown_pricing_key_is_uninterpretable() -> None:
    raw = record(AUGUST, "openai/gpt-4o")
    raw["pricing"]["video_output"] = "0.00001"
    found = openrouter.normalize(raw)
    assert quarantined(found, "pricing.video_output").rule == "unknown pricing key"
    assert value(found, Component.INPUT) == Decimal("2.5")


def test_discount_only_when_zero() -> None:
    raw = record(AUGUST, "openai/gpt-4o")
    plain = openrouter.normalize(raw)
    raw["pricing"]["discount"] = 0
    assert openrouter.normalize(raw) == plain
    raw["pricing"]["discount"] = Decimal("0.1")
    assert quarantined(openrouter.normalize(raw), "pricing.discount").rule == "discount"


def test_record_without_id_is_uninterpretable() -> None:
    raw = record(AUGUST, "openai/gpt-4o")
    del raw["id"]
    with pytest.raises(Uninterpretable) as caught:
        openrouter.normalize(raw)
    assert caught.value.rule == "no model id"


def test_both_listings_give_identical_drafts_for_shared_models() -> None:
    default, everything = _records(AUGUST), _records(AUGUST_ALL)
    assert set(default) <= set(everything)
    for model_id in sorted(default):
        assert openrouter.normalize(default[model_id]) == openrouter.normalize(everything[model_id])


def test_model_aliases_name_recorded_models_only() -> None:
    table = json.loads((ROOT / "data" / "aliases" / "openrouter.json").read_text())
    recorded = {model_id.split(":")[0] for name in (MAY, AUGUST_ALL) for model_id in _records(name)}
    assert set(table["models"]) <= recorded
    identity = Identity.load()
    assert identity.candidate("anthropic/claude-3.5-sonnet") == "claude-3-5-sonnet"
    assert identity.candidate("anthropic/claude-sonnet-4.5") == "claude-sonnet-4-5"
    assert identity.candidate("openai/gpt-4o") == "gpt-4o"


def test_an_image_generators_zero_completion_is_no_free_text_output() -> None:
    """Fault round 30: flux.2-flex (output_modalities ["image"]) states completion "0" beside its
    image_output price, and `cost` quoted $0 verified for its output tokens. That 0 is
    quarantined; its image output price is read; an embedding model's 0 output stays a price."""
    flux = drafts(AUGUST_ALL, "black-forest-labs/flux.2-flex")
    assert quarantined(flux, "pricing.completion").rule == openrouter.NO_TEXT_OUTPUT_RULE
    assert value(flux, Component.OUTPUT, modality="image") > 0
    assert value(flux, Component.INPUT) == 0  # its prompt tokens: stated free
    voyage = drafts(AUGUST_ALL, "voyageai/voyage-code-4")
    assert value(voyage, Component.OUTPUT) == 0
    assert not voyage.problems


def test_zero_prices_of_a_model_its_description_prices_are_no_prices() -> None:
    """google/lyria-3-pro-preview states prompt and completion "0" and "Full-length songs are
    priced at $0.08 per song": billed per song, not free (a public bug report: a model picker
    showed it `free`). Its 0s are unit-ambiguous; its limits and capabilities are read. An
    entry whose description prices it but that states a price above 0 (gpt-audio-mini), a
    `:free` variant with its paid model's description, and a 0-priced model whose description
    names no price (the stealth openrouter/owl-alpha) are read as stated."""
    for name in (MAY, AUGUST, AUGUST_ALL):
        found = drafts(name, "google/lyria-3-pro-preview")
        assert not [d for d in found if d.kind is Kind.PRICE]
        problem = quarantined(found, "pricing.prompt")
        assert problem.rule == "unit-ambiguous"
        assert "'Full-length songs are priced at $0.08 per song'" in problem.detail
        assert value(found, Component.CONTEXT_WINDOW, Unit.TOKENS, Kind.LIMIT) == 1048576
    clip = quarantined(drafts(AUGUST, "google/lyria-3-clip-preview"), "pricing.completion")
    assert "$0.04 per clip" in clip.detail
    assert value(drafts(AUGUST, "openai/gpt-audio-mini"), Component.INPUT) == Decimal("0.6")
    assert value(drafts(MAY, "openrouter/owl-alpha"), Component.INPUT) == 0
    free = record(AUGUST, "openai/gpt-oss-20b:free")
    free["description"] = record(AUGUST, "google/lyria-3-pro-preview")["description"]
    assert value(openrouter.normalize(free), Component.OUTPUT, variant="free") == 0
    # the same model priced above 0 anywhere states its prices: its 0s are read
    priced = record(AUGUST, "google/lyria-3-pro-preview")
    priced["pricing"]["request"] = "0.08"
    found = openrouter.normalize(priced)
    assert value(found, Component.INPUT) == 0
    assert value(found, Component.REQUEST, Unit.PER_REQUEST) == Decimal("0.08")
