"""spiders.litellm on the two recorded LiteLLM price maps (NEWER 2026-07-18, OLDER 2026-03-03)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from schemas.fetch import Normalized, Uninterpretable, Unparsable
from schemas.records import Draft
from schemas.vocab import DIMENSION_VALUES, Component, Dim, Kind, Unit
from spiders import litellm
from spiders.litellm import MODE_CONTRADICTED_RULE
from spiders.parsing import Page
from tests.conftest import snapshot
from tests.drafts import quarantined, rules

NEWER = "litellm/model_prices_and_context_window.json"
OLDER = "litellm/model_prices_and_context_window.OLDER.json"
URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"


@cache
def page(name: str) -> Page:
    return litellm.parse(snapshot(name), URL)


def record(key: str, name: str = NEWER) -> dict[str, Any]:
    """A deep copy of one real record, safe to mutate in a test."""
    matches = [r for r in page(name).records if r["key"] == key]
    assert len(matches) == 1, key
    return copy.deepcopy(matches[0])


def drafts(key: str, name: str = NEWER) -> Normalized:
    return litellm.normalize(record(key, name))


def pick(
    found: list[Draft], component: Component, unit: Unit, kind: Kind = Kind.PRICE, **dims: str
) -> Decimal:
    """The one value with exactly these component, unit and dimensions."""
    values = [
        d.value
        for d in found
        if (d.kind, d.component, d.unit) == (kind, component, unit) and d.dimensions == dims
    ]
    assert len(values) == 1, (component, unit, dims, values)
    return values[0]


def normalize_all(name: str) -> tuple[list[Draft], dict[str, str]]:
    """Every record's drafts, and the rule of every problem by record (`record: field` for a
    field quarantined alone)."""
    out: list[Draft] = []
    problems: dict[str, str] = {}
    for each in page(name).records:
        try:
            normalized = litellm.normalize(each)
        except Uninterpretable as exc:
            problems[exc.record] = exc.rule
            continue
        out.extend(normalized)
        problems |= {f"{p.record}: {p.field}": p.rule for p in normalized.problems}
    return out, problems


def zero_limits(problems: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in problems.items() if v == "a limit of 0 is unknown"}


# ----------------------------------------------------------------------------- parse


def test_parse_one_record_per_model_key_and_skips_the_documentation_keys() -> None:
    newer, older = page(NEWER), page(OLDER)
    keys = [r["key"] for r in newer.records]
    assert len(keys) == 2966 and len(set(keys)) == 2966
    assert "sample_spec" not in keys and "fallback_generalizations" not in keys
    assert len(older.records) == 2668
    assert newer.next_urls == []
    gpt4o = record("gpt-4o")
    assert gpt4o["entry"]["input_cost_per_token"] == Decimal("2.5e-06")  # Decimal, never float


def test_truncated_body_is_unparsable() -> None:
    body = snapshot(NEWER)
    with pytest.raises(Unparsable):
        litellm.parse(body[: len(body) // 2], URL)


def test_body_that_is_not_an_object_of_entries_is_unparsable() -> None:
    with pytest.raises(Unparsable, match="JSON object"):
        litellm.parse(b"[" + snapshot(NEWER) + b"]", URL)
    only_docs = {"sample_spec": json.loads(snapshot(NEWER))["sample_spec"]}
    with pytest.raises(Unparsable, match="no model entries"):
        litellm.parse(json.dumps(only_docs).encode(), URL)


def _with_repeat(body: bytes, key: str, entry: dict[str, Any]) -> bytes:
    """The real body with `key` stated a second time at the end."""
    return body.rstrip()[:-1] + f',\n    "{key}": {json.dumps(entry)}\n}}\n'.encode()


def test_a_key_repeated_with_a_different_entry_is_reported_not_overwritten() -> None:
    body = snapshot(NEWER)
    entry = json.loads(body)["gpt-4o"]
    changed = {**entry, "input_cost_per_token": 5e-06}
    repeated = [
        r
        for r in litellm.parse(_with_repeat(body, "gpt-4o", changed), URL).records
        if r["key"] == "gpt-4o"
    ]
    assert [r["occurrence"] for r in repeated] == ["1 of 2", "2 of 2"]
    assert repeated[1]["entry"]["input_cost_per_token"] == Decimal("0.000005")
    for each in repeated:
        with pytest.raises(Uninterpretable, match="duplicate key"):
            litellm.normalize(each)
    same = litellm.parse(_with_repeat(body, "gpt-4o", entry), URL).records
    assert [r for r in same if r["key"] == "gpt-4o"] == [record("gpt-4o")]


@pytest.mark.parametrize("name", [NEWER, OLDER])
def test_a_key_naming_another_provider_than_its_entry_is_reported_not_read(name: str) -> None:
    """BerriAI/litellm#6079: `openrouter/<vendor>/*` entries carried the vendor as their
    `litellm_provider`, so OpenRouter's prices read as the vendor's own (fault round 50: some 30
    wrong proposals on vendor routes). A key whose first segment is a provider the map names,
    under a `litellm_provider` that is neither it nor one of its own (`vertex_ai/...` under
    `vertex_ai-anthropic_models`), states two routes: the entry is Uninterpretable. No recorded
    entry is."""
    document = json.loads(snapshot(name))
    assert not [r for r in litellm.parse(snapshot(name), URL).records if "key_provider" in r]
    moved = {
        key: {**entry, "litellm_provider": key.split("/")[1]}
        for key, entry in document.items()
        if key.startswith("openrouter/openai/") and isinstance(entry, dict)
    }
    assert moved
    records = litellm.parse(json.dumps({**document, **moved}).encode(), URL).records
    slipped = [r for r in records if r["key"] in moved]
    assert [r.get("key_provider") for r in slipped] == ["openrouter"] * len(moved)
    for each in slipped:
        assert litellm.names(each) == []
        with pytest.raises(Uninterpretable, match="provider contradicts key") as raised:
            litellm.normalize(each)
        assert "litellm_provider=openai, and the key names the provider openrouter" in str(
            raised.value
        )


def test_a_field_repeated_inside_an_entry_with_different_values_is_reported() -> None:
    body = snapshot(NEWER)
    text = body.replace(
        b'"sambanova/gpt-oss-120b": {',
        b'"sambanova/gpt-oss-120b": {\n        "input_cost_per_token": 3e-06,',
        1,
    )
    bad = [r for r in litellm.parse(text, URL).records if r["key"] == "sambanova/gpt-oss-120b"]
    assert bad[0]["duplicate_fields"] == ["input_cost_per_token"]
    found = litellm.normalize(bad[0])
    assert rules(found) == {"input_cost_per_token": "duplicate field"}
    assert not [d for d in found if d.component is Component.INPUT]
    assert pick(found, Component.OUTPUT, Unit.PER_1M_TOKENS) > 0  # the rest of the entry


# ------------------------------------------------------------------------- normalize


def test_gpt_4o_token_prices_per_1m_with_service_tiers() -> None:
    found = drafts("gpt-4o")
    assert {(d.route, d.source_model, d.record) for d in found} == {("openai", "gpt-4o", "gpt-4o")}
    per_1m = Unit.PER_1M_TOKENS
    assert pick(found, Component.INPUT, per_1m) == Decimal("2.5")
    assert pick(found, Component.OUTPUT, per_1m) == Decimal("10")
    assert pick(found, Component.CACHE_READ, per_1m) == Decimal("1.25")
    assert pick(found, Component.INPUT, per_1m, service_tier="batch") == Decimal("1.25")
    assert pick(found, Component.INPUT, per_1m, service_tier="priority") == Decimal("4.25")
    assert pick(found, Component.OUTPUT, per_1m, service_tier="priority") == Decimal("17")
    priority = next(d for d in found if d.dimensions == {"service_tier": "priority"})
    assert priority.evidence.startswith("gpt-4o: ")


def test_sambanova_gpt_oss_120b_price_changed_between_the_snapshots() -> None:
    newer = pick(drafts("sambanova/gpt-oss-120b"), Component.INPUT, Unit.PER_1M_TOKENS)
    older = pick(drafts("sambanova/gpt-oss-120b", OLDER), Component.INPUT, Unit.PER_1M_TOKENS)
    assert (newer, older) == (Decimal("0.22"), Decimal("3.00"))


def test_wandb_unit_error_is_emitted_as_stated_for_validation_to_catch() -> None:
    found = drafts("wandb/openai/gpt-oss-120b")
    assert pick(found, Component.INPUT, Unit.PER_1M_TOKENS) == Decimal("15000")
    assert pick(found, Component.OUTPUT, Unit.PER_1M_TOKENS) == Decimal("60000")


def test_gpt_image_1_mini_per_image_grid_by_quality_and_size() -> None:
    grid = {}
    for each in page(NEWER).records:
        if each["key"].endswith("/gpt-image-1-mini") and not each["key"].startswith("azure/"):
            for d in litellm.normalize(copy.deepcopy(each)):
                if d.unit == Unit.PER_IMAGE:
                    assert (d.route, d.source_model, d.component) == (
                        "openai",
                        "gpt-image-1-mini",
                        Component.OUTPUT,
                    )
                    assert d.dimensions["modality"] == "image"
                    grid[d.dimensions["quality"], d.dimensions["size"]] = d.value
    assert grid == {
        ("low", "1024x1024"): Decimal("0.005"),
        ("low", "1024x1536"): Decimal("0.006"),
        ("low", "1536x1024"): Decimal("0.006"),
        ("medium", "1024x1024"): Decimal("0.011"),
        ("medium", "1024x1536"): Decimal("0.015"),
        ("medium", "1536x1024"): Decimal("0.015"),
    }  # LiteLLM has no high/*/gpt-image-1-mini for OpenAI


def test_azure_per_pixel_image_price_and_its_zero_placeholder() -> None:
    key = "azure/high/1024-x-1024/gpt-image-1-mini"
    found = drafts(key)
    dims = {"modality": "image", "quality": "high", "size": "1024x1024"}
    assert pick(found, Component.OUTPUT, Unit.PER_PIXEL, Kind.PRICE, **dims) == Decimal(
        "3.173828125e-08"
    )
    assert [d.unit for d in found if d.kind == Kind.PRICE] == [Unit.PER_PIXEL]
    assert {d.source_model for d in found} == {"azure/gpt-image-1-mini"}
    bad = record(key)
    bad["entry"]["output_cost_per_pixel"] = Decimal("1e-08")
    assert rules(litellm.normalize(bad)) == {"output_cost_per_pixel": "conflicting values"}


def test_image_models_stating_both_directions_are_read_literally() -> None:
    found = drafts("gemini-3-pro-image")
    assert pick(found, Component.INPUT, Unit.PER_IMAGE, modality="image") == Decimal("0.0011")
    assert pick(found, Component.OUTPUT, Unit.PER_IMAGE, modality="image") == Decimal("0.134")


def test_context_tier_above_200k_tokens() -> None:
    found = drafts("gemini-2.5-pro")
    per_1m = Unit.PER_1M_TOKENS
    assert pick(found, Component.INPUT, per_1m) == Decimal("1.25")
    assert pick(found, Component.INPUT, per_1m, context_above="200000") == Decimal("2.5")
    assert pick(found, Component.OUTPUT, per_1m, context_above="200000") == Decimal("15")
    # Gemini states no cache TTL split, so its cache write carries no TTL
    assert pick(found, Component.CACHE_WRITE, per_1m, context_above="200000") == Decimal("0.25")


def test_cache_writes_5m_and_1h_only_where_the_entry_splits_them() -> None:
    found = drafts("claude-opus-4-6")
    assert pick(found, Component.CACHE_WRITE, Unit.PER_1M_TOKENS, cache_ttl="5m") == Decimal("6.25")
    assert pick(found, Component.CACHE_WRITE, Unit.PER_1M_TOKENS, cache_ttl="1h") == Decimal("10")
    openai = drafts("gpt-5.6")
    assert pick(openai, Component.CACHE_WRITE, Unit.PER_1M_TOKENS) == Decimal("6.25")
    assert not any("cache_ttl" in d.dimensions for d in openai)


def test_cache_hit_synonym_is_one_cache_read_and_a_disagreement_raises() -> None:
    both = [d for d in drafts("deepseek/deepseek-chat") if d.component == Component.CACHE_READ]
    assert [d.value for d in both] == [Decimal("0.028")]
    only = drafts("deepseek/deepseek-r1")
    assert pick(only, Component.CACHE_READ, Unit.PER_1M_TOKENS) == Decimal("0.14")
    bad = record("deepseek/deepseek-chat")
    bad["entry"]["input_cost_per_token_cache_hit"] = Decimal("3e-08")
    found = litellm.normalize(bad)
    field = "deepseek/deepseek-chat price cache_read usd_per_1m_tokens"
    assert quarantined(found, field).rule == "conflicting values"
    assert not [d for d in found if d.component == Component.CACHE_READ]
    assert pick(found, Component.INPUT, Unit.PER_1M_TOKENS) == Decimal("0.28")


def test_tiered_pricing_ranges_are_context_tiers_and_the_first_is_the_base() -> None:
    found = drafts("dashscope/qwen3-coder-plus")
    per_1m = Unit.PER_1M_TOKENS
    assert pick(found, Component.INPUT, per_1m) == Decimal("1")
    assert pick(found, Component.INPUT, per_1m, context_above="32000") == Decimal("1.8")
    assert pick(found, Component.INPUT, per_1m, context_above="128000") == Decimal("3")
    assert pick(found, Component.OUTPUT, per_1m, context_above="256000") == Decimal("60")
    assert pick(found, Component.CACHE_READ, per_1m, context_above="256000") == Decimal("0.6")
    same = record("dashscope/qwen3-coder-plus")
    same["entry"]["input_cost_per_token"] = Decimal("1e-06")  # the base, stated flat too
    assert len(litellm.normalize(same)) == len(found)
    bad = record("dashscope/qwen3-coder-plus")
    bad["entry"]["input_cost_per_token"] = Decimal("2e-06")
    found = litellm.normalize(bad)
    field = "dashscope/qwen3-coder-plus price input usd_per_1m_tokens"
    assert quarantined(found, field).rule == "conflicting values"
    assert pick(found, Component.INPUT, per_1m, context_above="32000") == Decimal("1.8")


def test_tiered_pricing_by_result_count_for_search_tools() -> None:
    found = drafts("exa_ai/search")
    per_1k = Unit.PER_1K_QUERIES
    assert pick(found, Component.REQUEST, per_1k, variant="max-results-0-25") == Decimal("5")
    assert pick(found, Component.REQUEST, per_1k, variant="max-results-26-100") == Decimal("25")


def test_other_units_per_second_character_page_query_and_search_context() -> None:
    chirp = drafts("vertex_ai/chirp_3")
    assert pick(chirp, Component.INPUT, Unit.PER_SECOND, modality="audio") == Decimal("0.00026667")
    veo = drafts("gemini/veo-3.1-lite-generate-preview")
    assert pick(veo, Component.OUTPUT, Unit.PER_SECOND, modality="video") == Decimal("0.05")
    assert pick(veo, Component.OUTPUT, Unit.PER_SECOND, modality="video", size="1080p") == Decimal(
        "0.08"
    )
    tts = drafts("azure/speech/azure-tts")
    assert pick(tts, Component.INPUT, Unit.PER_CHARACTER) == Decimal("0.000015")
    ocr = drafts("mistral/mistral-ocr-latest")
    assert pick(ocr, Component.PAGE, Unit.PER_PAGE) == Decimal("0.004")
    assert pick(ocr, Component.PAGE, Unit.PER_PAGE, variant="annotation") == Decimal("0.005")
    search = drafts("perplexity/search")
    assert pick(search, Component.REQUEST, Unit.PER_1K_QUERIES) == Decimal("5")
    deep = drafts("perplexity/sonar-deep-research")
    assert pick(deep, Component.REASONING, Unit.PER_1M_TOKENS) == Decimal("3")
    assert pick(deep, Component.INPUT, Unit.PER_1M_TOKENS, variant="citation") == Decimal("2")
    web = {d.dimensions["variant"]: d.value for d in deep if d.component == Component.WEB_SEARCH}
    assert web == {f"search-context-{s}": Decimal("5") for s in ("low", "medium", "high")}
    audio = drafts("gpt-realtime")
    assert pick(audio, Component.INPUT, Unit.PER_1M_TOKENS, modality="audio") > 0


def test_a_per_second_price_under_a_mode_that_names_no_medium_is_unit_ambiguous() -> None:
    veo = record("gemini/veo-3.1-lite-generate-preview")
    for mode in ("music_generation", None):
        changed = copy.deepcopy(veo)
        if mode is None:
            del changed["entry"]["mode"]
        else:
            changed["entry"]["mode"] = mode
        found = litellm.normalize(changed)
        assert rules(found) == {
            "output_cost_per_second": "unit-ambiguous",
            "output_cost_per_second_1080p": "unit-ambiguous",
        }
        assert repr(mode) in quarantined(found, "output_cost_per_second").detail
        assert not [d for d in found if d.unit == Unit.PER_SECOND]
        assert [d.component for d in found if d.kind == Kind.PRICE] == []
    # the modes that say what a second meters read as before: a medium, or none of its own
    commitment = drafts("bedrock/us-east-1/1-month-commitment/anthropic.claude-v1")
    assert commitment.problems == []
    assert {d.dimensions.get("modality") for d in commitment if d.unit == Unit.PER_SECOND} == {None}
    whisper = drafts("whisper-1")
    assert whisper.problems == []
    assert pick(whisper, Component.INPUT, Unit.PER_SECOND, modality="audio") == Decimal("0.0001")
    assert pick(whisper, Component.OUTPUT, Unit.PER_SECOND) == Decimal("0.0001")


def test_a_currency_other_than_usd_quarantines_the_entry_prices_alone() -> None:
    for key in ("gpt-4o", "dashscope/qwen3-coder-plus", "perplexity/sonar-deep-research"):
        as_read = drafts(key)
        for stated in ("USD", " usd ", "Usd"):
            changed = record(key)
            changed["entry"]["currency"] = stated
            assert litellm.normalize(changed) == as_read, stated
        for foreign in ("EUR", "CNY", 840):
            changed = record(key)
            changed["entry"]["currency"] = foreign
            found = litellm.normalize(changed)
            assert not [d for d in found if d.kind == Kind.PRICE], (key, foreign)
            assert found == [d for d in as_read if d.kind != Kind.PRICE]
            priced = {
                name for name in changed["entry"] if "cost" in name or name == "tiered_pricing"
            }
            assert priced
            assert rules(found) == dict.fromkeys(priced, "not USD")
            for name in priced:
                assert f"currency={foreign!r}" in quarantined(found, name).detail


def test_flags_true_false_and_absent() -> None:
    gpt4o = drafts("gpt-4o")
    capabilities = {
        d.dimensions["capability"]: d.value for d in gpt4o if d.component == Component.SUPPORTS
    }
    assert capabilities["vision"] == 1 and capabilities["system_messages"] == 1
    assert "reasoning" not in capabilities  # absent from the entry: unknown, nothing emitted
    assert {d.unit for d in gpt4o if d.kind == Kind.CAPABILITY} == {Unit.FLAG}
    gemma = drafts("gemini/gemma-3-27b-it")
    assert (
        pick(gemma, Component.SUPPORTS, Unit.FLAG, Kind.CAPABILITY, capability="system_messages")
        == 0
    )
    assert pick(gpt4o, Component.MODE, Unit.FLAG, Kind.CAPABILITY, mode="chat") == 1
    bad = record("gpt-4o")
    bad["entry"]["supports_vision"] = "yes"
    assert rules(litellm.normalize(bad)) == {"supports_vision": "flag is not a boolean"}


def test_limits_tokens_float_limits_and_rate_limits() -> None:
    gpt4o = drafts("gpt-4o")
    tokens = Unit.TOKENS
    assert pick(gpt4o, Component.MAX_INPUT_TOKENS, tokens, Kind.LIMIT) == 128000
    assert pick(gpt4o, Component.MAX_OUTPUT_TOKENS, tokens, Kind.LIMIT) == 16384  # max_tokens too
    grok = pick(drafts("xai/grok-4-fast-reasoning"), Component.MAX_INPUT_TOKENS, tokens, Kind.LIMIT)
    assert grok == 2000000 and str(grok) == "2000000"  # 2000000.0 in the file
    flash = drafts("gemini/gemini-2.5-flash")
    assert pick(flash, Component.RATE_RPM, Unit.PER_MINUTE_COUNT, Kind.LIMIT) == 100000
    assert pick(flash, Component.RATE_TPM, Unit.PER_MINUTE_COUNT, Kind.LIMIT) == 8000000
    # max_tokens alone: LiteLLM's legacy mirror of an unknown one of the two limits
    assert not [d for d in drafts("openrouter/gryphe/mythomax-l2-13b") if d.kind == Kind.LIMIT]
    bad = record("gpt-4o")
    bad["entry"]["max_tokens"] = Decimal(4096)
    field = "gpt-4o limit max_output_tokens tokens"
    assert quarantined(litellm.normalize(bad), field).rule == "conflicting values"
    fraction = record("gpt-4o")
    fraction["entry"]["max_input_tokens"] = Decimal("128000.5")
    found = litellm.normalize(fraction)
    assert rules(found) == {"max_input_tokens": "limit is not a whole number"}
    assert pick(found, Component.MAX_OUTPUT_TOKENS, tokens, Kind.LIMIT) == 16384


def test_a_limit_of_zero_is_unknown_not_a_value() -> None:
    found = drafts("vercel_ai_gateway/openai/text-embedding-3-small")
    assert not [d for d in found if d.kind == Kind.LIMIT]
    assert set(rules(found)) == {"max_input_tokens", "max_output_tokens", "max_tokens"}
    assert set(rules(found).values()) == {"a limit of 0 is unknown"}
    assert pick(found, Component.INPUT, Unit.PER_1M_TOKENS) > 0


def test_a_router_pseudo_model_has_no_price() -> None:
    """Issue 9 row 9: LiteLLM's 0 for OpenRouter's router is not a price."""
    found = drafts("openrouter/openrouter/auto")
    assert [d for d in found if d.kind == Kind.PRICE] == []
    assert rules(found) == {
        f"openrouter/openrouter/auto price {side} usd_per_1m_tokens": "router pseudo-model"
        for side in ("input", "output")
    }
    assert (
        "input_cost_per_token=0"
        in quarantined(found, "openrouter/openrouter/auto price input usd_per_1m_tokens").detail
    )
    assert pick(found, Component.MAX_INPUT_TOKENS, Unit.TOKENS, Kind.LIMIT) == 2000000
    assert pick(drafts("openrouter/openai/gpt-4o"), Component.INPUT, Unit.PER_1M_TOKENS) > 0


def test_an_anthropic_cache_write_without_lifetime_is_the_5_minute_one() -> None:
    entry = record("claude-opus-4-6")
    entry["entry"] = {
        k: v
        for k, v in entry["entry"].items()
        if not k.startswith("cache_creation_input_token_cost_above_1hr")
    }
    found = litellm.normalize(entry)
    assert pick(found, Component.CACHE_WRITE, Unit.PER_1M_TOKENS, cache_ttl="5m") == Decimal("6.25")


def test_key_paths_give_scope_region_and_variant() -> None:
    def scopes(key: str) -> tuple[str, dict[str, str]]:
        found = drafts(key)
        (model,) = {d.source_model for d in found}
        (dims,) = {
            tuple(
                sorted(
                    (k, v) for k, v in d.dimensions.items() if k in ("scope", "region", "variant")
                )
            )
            for d in found
            if d.kind == Kind.LIMIT
        }
        return model, dict(dims)

    assert scopes("azure/us/gpt-5.4") == ("azure/gpt-5.4", {"scope": "data_zone", "region": "us"})
    assert scopes("azure/eu/gpt-4o-2024-08-06")[1] == {"scope": "data_zone", "region": "eu"}
    assert scopes("azure/global/gpt-4o-2024-11-20") == (
        "azure/gpt-4o-2024-11-20",
        {"scope": "global"},
    )
    assert scopes("azure/gpt-4o-2024-11-20")[1] == {}  # a bare key names no scope
    assert scopes("us.anthropic.claude-sonnet-4-6") == (
        "anthropic.claude-sonnet-4-6",
        {"scope": "data_zone", "region": "us"},
    )
    assert scopes("global.anthropic.claude-sonnet-4-6")[1] == {"scope": "global"}
    assert scopes("anthropic.claude-sonnet-4-6")[1] == {}
    assert scopes("bedrock/us-east-1/1-month-commitment/anthropic.claude-v1") == (
        "bedrock/anthropic.claude-v1",
        {"scope": "regional", "region": "us-east-1", "variant": "1-month-commitment"},
    )
    commitment = drafts("bedrock/us-east-1/1-month-commitment/anthropic.claude-v1")
    assert pick(
        commitment,
        Component.INPUT,
        Unit.PER_SECOND,
        scope="regional",
        region="us-east-1",
        variant="1-month-commitment",
    ) == Decimal("0.0175")
    steps = drafts("max-x-max/max-steps/stability.stable-diffusion-xl-v0")
    assert {d.dimensions.get("size") for d in steps} == {"max"}
    assert {d.dimensions.get("variant") for d in steps} == {"max-steps"}


def test_price_buckets_are_not_models() -> None:
    assert drafts("fireworks-ai-default") == []
    assert drafts("together-ai-21.1b-41b") == []


def test_unknown_cost_field_and_non_model_values_are_uninterpretable() -> None:
    bad = record("gpt-4o")
    bad["entry"]["output_cost_per_token_turbo"] = Decimal("1e-05")
    found = litellm.normalize(bad)
    problem = quarantined(found, "output_cost_per_token_turbo")
    assert (problem.record, problem.rule) == ("gpt-4o", "unknown cost field")
    assert len(found) == len(drafts("gpt-4o"))
    with pytest.raises(Uninterpretable, match="not a model entry"):
        litellm.normalize({"key": "changelog", "entry": "see https://docs.litellm.ai"})


def test_whole_newer_file_normalizes_with_few_bounded_problems() -> None:
    found, problems = normalize_all(NEWER)
    routers = [f"openrouter/openrouter/{m}" for m in ("auto", "bodybuilder", "free")]
    assert {k: v for k, v in problems.items() if v != "a limit of 0 is unknown"} == {
        "openai/container: code_interpreter_cost_per_session": "unit not in vocabulary",
        "azure/container: code_interpreter_cost_per_session": "unit not in vocabulary",
        "reducto/parse-legacy: ocr_cost_per_credit": "unit not in vocabulary",
        "reducto/parse-v3: ocr_cost_per_credit": "unit not in vocabulary",
        "fireworks_ai/accounts/fireworks/models/": "empty model name",
        **{
            f"{key}: {key} price {side} usd_per_1m_tokens": "router pseudo-model"
            for key in routers
            for side in ("input", "output")
        },
    }
    # 10 Vercel embedding models (3 limits each) and 5 moderation models (output, max_tokens)
    assert len(zero_limits(problems)) == 40
    assert len(found) == 26695
    assert sum(d.kind == Kind.PRICE for d in found) == 8549
    slots = [(d.record, d.kind, d.component, d.unit, tuple(d.dimensions.items())) for d in found]
    assert len(set(slots)) == len(slots)  # no record states one field twice
    for d in found:
        for name, value in d.dimensions.items():
            assert value in DIMENSION_VALUES.get(Dim(name), {value}), (d.record, name, value)


def test_whole_older_file_reports_the_fields_upstream_later_dropped() -> None:
    _, problems = normalize_all(OLDER)
    unknown = {k for k, v in problems.items() if v == "unknown cost field"}
    assert len(unknown) == 13
    premium = "amazon.titan-image-generator-v1: output_cost_per_image_premium_image"
    assert premium in unknown
    audio = "gemini/gemini-3.1-flash-lite-preview: cache_read_input_token_cost_per_audio_token"
    assert audio in unknown
    assert "text-embedding-preview-0409: input_cost_per_token_batch_requests" in unknown


@pytest.mark.parametrize(
    ("key", "mode", "says"),
    [
        # a chat model reading images: its per-image input price read per generated image
        ("openrouter/anthropic/claude-3.7-sonnet", "image_generation", "supports_function_calling"),
        # an image generator: its price per generated image read per image read
        ("dall-e-3", "chat", "images only"),
    ],
)
def test_a_mode_the_entry_contradicts_leaves_its_image_prices_unread(
    key: str, mode: str, says: str
) -> None:
    """A fault round from public reports of LiteLLM entries given another block's `mode`: the
    mode says which way `input_cost_per_image` goes (a generated image or an image read), and
    the entry says otherwise. The mode and that price are quarantined, the rest read as they
    were; no recorded entry of either map is."""
    for name in (NEWER, OLDER):
        _, problems = normalize_all(name)
        assert MODE_CONTRADICTED_RULE not in problems.values(), name
    as_read = drafts(key)
    changed = record(key)
    assert changed["entry"]["mode"] != mode and "input_cost_per_image" in changed["entry"]
    changed["entry"]["mode"] = mode
    found = litellm.normalize(changed)
    assert rules(found) == {
        "mode": MODE_CONTRADICTED_RULE,
        "input_cost_per_image": MODE_CONTRADICTED_RULE,
    }
    assert says in quarantined(found, "input_cost_per_image").detail
    assert found == [
        d for d in as_read if d.component is not Component.MODE and d.unit is not Unit.PER_IMAGE
    ]


def test_a_mode_that_calls_no_functions_beside_function_calling_is_quarantined_alone() -> None:
    """A fault round from public reports of LiteLLM entries given another block's `mode`:
    gpt-4o as "embedding", its chat prices and function calling kept, entered embedding mode in
    place of chat on a first load, and onto a catalog proposed it as a new value. No recorded
    entry of a mode that returns no text states function calling or tool choice."""
    _, problems = normalize_all(NEWER)
    assert MODE_CONTRADICTED_RULE not in problems.values()
    as_read = drafts("gpt-4o")
    for mode in sorted(litellm.NO_CALLS_MODES):
        changed = record("gpt-4o")
        changed["entry"]["mode"] = mode
        found = litellm.normalize(changed)
        assert rules(found) == {"mode": MODE_CONTRADICTED_RULE}
        assert "beside supports_function_calling=true" in quarantined(found, "mode").detail
        assert found == [d for d in as_read if d.component is not Component.MODE]
    embedding = record("text-embedding-3-small")
    assert embedding["entry"]["mode"] == "embedding"
    assert (
        pick(
            litellm.normalize(embedding),
            Component.MODE,
            Unit.FLAG,
            Kind.CAPABILITY,
            mode="embedding",
        )
        == 1
    )
