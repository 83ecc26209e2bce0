"""spiders/vercel.py on the recorded Vercel AI Gateway models listings."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from catalog.identity import Identity
from schemas.fetch import Normalized, Unparsable
from schemas.records import Draft
from schemas.vocab import Component, Kind, Unit
from spiders import vercel
from tests.conftest import ROOT, snapshot
from tests.drafts import problem_rules, quarantined, rules, value

URL = "https://ai-gateway.vercel.sh/v1/models"
NOVEMBER = "vercel-ai-gateway/models.2025-11-18.json"
APRIL = "vercel-ai-gateway/models.2026-04.json"
KLING_V3 = {"klingai/kling-v3.0-i2v", "klingai/kling-v3.0-t2v"}


@cache
def _records(name: str) -> dict[str, dict[str, Any]]:
    page = vercel.parse(snapshot(name), URL)
    return {record["id"]: record for record in page.records}


def record(name: str, model_id: str) -> dict[str, Any]:
    return copy.deepcopy(_records(name)[model_id])


def drafts(name: str, model_id: str) -> Normalized:
    return vercel.normalize(record(name, model_id))


def count(found: list[Draft], component: Component) -> int:
    return sum(1 for d in found if d.kind is Kind.PRICE and d.component is component)


@pytest.mark.parametrize(
    ("name", "models", "drafts_total", "zero_limits", "conflicted"),
    [(NOVEMBER, 144, 1030, 34, set()), (APRIL, 258, 2055, 121, KLING_V3)],
)
def test_listing_counts(
    name: str, models: int, drafts_total: int, zero_limits: int, conflicted: set[str]
) -> None:
    page = vercel.parse(snapshot(name), URL)
    assert len(page.records) == models
    assert page.next_urls == []
    total, zeros, conflicts = 0, 0, set()
    for raw in page.records:
        normalized = vercel.normalize(raw)
        total += len(normalized)
        zeros += sum(p.rule == "a limit of 0 is unknown" for p in normalized.problems)
        conflicts |= {p.record for p in normalized.problems if p.rule == "conflicting values"}
    assert total == drafts_total
    assert (zeros, conflicts) == (zero_limits, conflicted)


def test_gpt_image_1_mini_text_input_and_image_output_tokens() -> None:
    found = drafts(APRIL, "openai/gpt-image-1-mini")
    assert {(d.route, d.source_model) for d in found} == {("vercel", "openai/gpt-image-1-mini")}
    assert value(found, Component.INPUT) == Decimal("2.00")
    assert value(found, Component.OUTPUT, modality="image") == Decimal("8.00")
    assert value(found, Component.CACHE_READ) == Decimal("0.20")
    assert count(found, Component.OUTPUT) == 1
    assert value(found, Component.MODE, Unit.FLAG, Kind.CAPABILITY, mode="image_generation") == 1
    # context_window and max_tokens are 0 here: a placeholder, not a limit.
    assert [d for d in found if d.kind is Kind.LIMIT] == []
    assert rules(found) == {
        "context_window": "a limit of 0 is unknown",
        "max_tokens": "a limit of 0 is unknown",
    }


def test_gpt_4o_november_prices_and_limits() -> None:
    found = drafts(NOVEMBER, "openai/gpt-4o")
    assert value(found, Component.INPUT) == Decimal("2.5")
    assert value(found, Component.OUTPUT) == Decimal("10")
    assert value(found, Component.CACHE_READ) == Decimal("1.25")
    assert value(found, Component.CACHE_WRITE) == 0
    assert value(found, Component.CONTEXT_WINDOW, Unit.TOKENS, Kind.LIMIT) == 128000
    assert value(found, Component.MAX_OUTPUT_TOKENS, Unit.TOKENS, Kind.LIMIT) == 16384
    assert value(found, Component.MODE, Unit.FLAG, Kind.CAPABILITY, mode="chat") == 1
    assert value(found, Component.SUPPORTS, Unit.FLAG, Kind.CAPABILITY, capability="tool-use") == 1


def test_context_tiers_above_the_last_untiered_token() -> None:
    found = drafts(APRIL, "anthropic/claude-sonnet-4.5")
    assert value(found, Component.INPUT) == Decimal("3")
    assert value(found, Component.INPUT, context_above="200000") == Decimal("6")
    assert value(found, Component.OUTPUT, context_above="200000") == Decimal("22.5")
    assert value(found, Component.CACHE_WRITE, context_above="200000") == Decimal("7.5")
    # The base tier (min 0) is the flat price, not repeated; the cache-read tier the source
    # lists twice with the same cost is one draft.
    assert count(found, Component.INPUT) == 2
    assert count(found, Component.CACHE_READ) == 2
    assert value(found, Component.CACHE_READ, context_above="200000") == Decimal("0.6")


def test_multi_tier_and_overlapping_tiers() -> None:
    qwen = drafts(APRIL, "alibaba/qwen3-coder-plus")
    assert value(qwen, Component.OUTPUT, context_above="32000") == Decimal("9")
    assert value(qwen, Component.OUTPUT, context_above="128000") == Decimal("15")
    assert value(qwen, Component.OUTPUT, context_above="256000") == Decimal("60")
    assert count(qwen, Component.OUTPUT) == 4
    gpt = drafts(APRIL, "openai/gpt-5.4")
    assert value(gpt, Component.INPUT, context_above="271999") == Decimal("5")


def test_service_tiers_and_web_search() -> None:
    found = drafts(APRIL, "openai/gpt-5")
    assert value(found, Component.INPUT, service_tier="priority") == Decimal("2.5")
    assert value(found, Component.INPUT, service_tier="flex") == Decimal("0.625")
    assert value(found, Component.CACHE_READ, service_tier="flex") == Decimal("0.0625")
    assert value(found, Component.WEB_SEARCH, Unit.PER_1K_QUERIES) == Decimal("10")
    gemini = drafts(APRIL, "google/gemini-2.5-pro")
    assert value(gemini, Component.WEB_SEARCH, Unit.PER_1K_QUERIES) == Decimal("35")


def test_image_prices_per_image() -> None:
    flux = drafts(APRIL, "bfl/flux-pro-1.1")
    assert value(flux, Component.OUTPUT, Unit.PER_IMAGE, modality="image") == Decimal("0.04")
    gemini = drafts(APRIL, "google/gemini-3.1-flash-image-preview")
    assert value(gemini, Component.OUTPUT, Unit.PER_IMAGE, modality="image", size="1k") == Decimal(
        "0.067"
    )
    assert value(gemini, Component.OUTPUT, Unit.PER_IMAGE, modality="image", size="4k") == Decimal(
        "0.151"
    )
    assert value(gemini, Component.OUTPUT, Unit.PER_IMAGE, modality="image") == Decimal("0.067")
    assert value(gemini, Component.OUTPUT) == Decimal("3")


def test_video_prices_per_second() -> None:
    veo = drafts(APRIL, "google/veo-3.1-generate-001")
    assert value(
        veo, Component.OUTPUT, Unit.PER_SECOND, modality="video", size="4k", variant="audio"
    ) == Decimal("0.6")
    assert value(
        veo, Component.OUTPUT, Unit.PER_SECOND, modality="video", size="720p", variant="no_audio"
    ) == Decimal("0.2")
    kling = drafts(APRIL, "klingai/kling-v2.6-t2v")
    assert value(kling, Component.OUTPUT, Unit.PER_SECOND, modality="video", quality="std") == (
        Decimal("0.042")
    )


def test_two_costs_for_one_video_option_quarantine_that_option_alone() -> None:
    found = drafts(APRIL, "klingai/kling-v3.0-t2v")
    conflicted = {p.field for p in found.problems if p.rule == "conflicting values"}
    assert conflicted == {
        "klingai/kling-v3.0-t2v price output usd_per_second "
        f"[modality=video;quality={mode};variant=audio]"
        for mode in ("std", "pro")
    }
    assert (
        value(
            found,
            Component.OUTPUT,
            Unit.PER_SECOND,
            modality="video",
            quality="std",
            variant="no_audio",
        )
        > 0
    )


def test_embedding_and_empty_pricing() -> None:
    embedding = drafts(APRIL, "openai/text-embedding-3-small")
    assert value(embedding, Component.INPUT) == Decimal("0.02")
    assert value(embedding, Component.MODE, Unit.FLAG, Kind.CAPABILITY, mode="embedding") == 1
    sonar = drafts(APRIL, "perplexity/sonar")
    assert [d for d in sonar if d.kind is Kind.PRICE] == []
    assert value(sonar, Component.CONTEXT_WINDOW, Unit.TOKENS, Kind.LIMIT) == 127000


def test_truncated_body_is_unparsable() -> None:
    body = snapshot(APRIL)
    with pytest.raises(Unparsable):
        vercel.parse(body[:-10], URL)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda doc: doc["data"],
        lambda doc: {**doc, "object": "model"},
        lambda doc: {**doc, "data": {"openai/gpt-4o": doc["data"][0]}},
    ],
    ids=["bare-list", "not-a-list-object", "data-not-list"],
)
def test_wrong_envelope_is_unparsable(mutate: Any) -> None:
    doc = json.loads(snapshot(APRIL))
    with pytest.raises(Unparsable):
        vercel.parse(json.dumps(mutate(doc)).encode(), URL)


def test_unknown_pricing_key_is_uninterpretable() -> None:
    raw = record(APRIL, "openai/gpt-4o")
    raw["pricing"]["audio_output"] = "0.00008"
    found = vercel.normalize(raw)
    problem = quarantined(found, "pricing.audio_output")
    assert (problem.rule, problem.record) == ("unknown pricing key", "openai/gpt-4o")
    assert value(found, Component.INPUT) == Decimal("2.5")


def test_base_tier_disagreeing_with_flat_price_is_uninterpretable() -> None:
    raw = record(APRIL, "google/gemini-2.5-pro")
    raw["pricing"]["input_tiers"][0]["cost"] = "0.000002"
    found = vercel.normalize(raw)
    assert quarantined(found, "pricing.input_tiers").rule == "base tier differs from flat price"
    assert value(found, Component.OUTPUT) > 0


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (
            lambda raw: raw["pricing"]["service_tiers"].update(turbo={"input": "0.00001"}),
            "unknown service tier",
        ),
        (
            lambda raw: raw["pricing"]["service_tiers"]["priority"].update(input_audio="1"),
            "unknown pricing key",
        ),
        (lambda raw: raw["pricing"].update(input="free"), "not a number"),
    ],
    ids=["service-tier", "service-tier-key", "price-text"],
)
def test_uninterpretable_variants_of_a_real_record(change: Any, rule: str) -> None:
    raw = record(APRIL, "openai/gpt-5")
    change(raw)
    assert problem_rules(vercel.normalize, raw) == {rule}


@pytest.mark.parametrize(
    "model_type", ["reranking", None, ["language"], {"name": "language"}, 1], ids=repr
)
def test_a_type_of_no_known_mode_takes_the_pricing_not_the_entry(model_type: Any) -> None:
    """Fault round 62: gpt-5's `type` of no known mode set the whole entry aside (a list or an
    object raised a TypeError). The type says the medium of its prices (an image model's
    output tokens are image tokens), so `pricing` is quarantined as unit-ambiguous beside the
    type, both reported; the context window, max tokens and tags are read as recorded."""
    recorded = vercel.normalize(record(APRIL, "openai/gpt-5"))
    raw = record(APRIL, "openai/gpt-5")
    raw["type"] = model_type
    found = vercel.normalize(raw)
    assert {p.field: p.rule for p in found.problems} == {
        "type": "unknown model type",
        "pricing": "unit-ambiguous",
    }
    kept = [
        d
        for d in recorded
        if d.kind is Kind.LIMIT or (d.kind is Kind.CAPABILITY and d.component is not Component.MODE)
    ]
    assert kept and list(found) == kept


def test_model_aliases_name_recorded_models_only() -> None:
    table = json.loads((ROOT / "data" / "aliases" / "vercel.json").read_text())
    recorded = set(_records(NOVEMBER)) | set(_records(APRIL))
    assert set(table["models"]) <= recorded
    assert Identity.load().candidate("anthropic/claude-haiku-4.5") == "claude-haiku-4-5"


def test_a_first_tier_without_its_min_starts_at_zero() -> None:
    """A bug report (models.dev#3155: Vercel's live catalog left `min` out of a model's first
    `input_cache_read_tiers` entry) and a fault round: every first tier written so was
    quarantined ("missing ['min']"), each model's context tiers unread with the source ok.
    The first tier's `min` is 0 when it is left out; every tier list reads as recorded."""
    records = _records(APRIL)
    tiered = [
        model_id
        for model_id, entry in records.items()
        if any(isinstance(v, list) for v in (entry.get("pricing") or {}).values())
    ]
    assert len(tiered) > 10
    for model_id in tiered:
        entry = copy.deepcopy(records[model_id])
        for key, tiers in entry["pricing"].items():
            if key.endswith("_tiers") and isinstance(tiers, list) and tiers[0].get("min") == 0:
                del tiers[0]["min"]
        recorded = vercel.normalize(records[model_id])
        read = vercel.normalize(entry)
        assert rules(read) == rules(recorded), model_id
        assert {(d.component, d.dimensions.key, d.value) for d in read} == {
            (d.component, d.dimensions.key, d.value) for d in recorded
        }, model_id
