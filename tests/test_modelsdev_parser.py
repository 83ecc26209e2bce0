"""spiders/modelsdev.py on the recorded models.dev api.json (2026-06-13, keys sorted by jq)."""

from __future__ import annotations

import copy
from collections import Counter
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from catalog.identity import Identity
from schemas.fetch import Unparsable
from schemas.vocab import Component, Kind, Unit
from spiders import modelsdev
from tests.conftest import snapshot
from tests.drafts import quarantined, rules, value

URL = "https://models.dev/api.json"
FILE = "catalogs/models-dev.api.2026-06-13.jq-sorted.json"


@cache
def _records() -> dict[str, dict[str, Any]]:
    page = modelsdev.parse(snapshot(FILE), URL)
    return {f"{r['provider']}/{r['key']}": r for r in page.records}


def record(record_id: str) -> dict[str, Any]:
    return copy.deepcopy(_records()[record_id])


def test_parse_gives_one_record_per_provider_model() -> None:
    records = _records()
    assert len(records) == 5258
    assert len({r["provider"] for r in records.values()}) == 145
    assert modelsdev.parse(snapshot(FILE), URL).next_urls == []


def test_every_real_record_normalizes_to_the_known_draft_count() -> None:
    normalized = [modelsdev.normalize(r) for r in _records().values()]
    drafts = [d for found in normalized for d in found]
    assert len(drafts) == 62662
    kinds = Counter(d.kind for d in drafts)
    assert kinds == {Kind.PRICE: 13487, Kind.LIMIT: 11259, Kind.CAPABILITY: 37916}
    # 226 limits of 0 (unknown at models.dev) are reported, not stored as limits; the router
    # openrouter/free's two prices of 0 are not prices (issue 9 row 9)
    problems = Counter(p.rule for found in normalized for p in found.problems)
    assert problems == {"a limit of 0 is unknown": 226, "router pseudo-model": 2}


def test_a_limit_of_zero_is_unknown_not_a_value() -> None:
    """Issue 9 row 10: gpt-image-1-mini's `limit.context = 0` on openai, vercel and poe."""
    for key in (
        "openai/gpt-image-1-mini",
        "vercel/openai/gpt-image-1-mini",
        "poe/openai/gpt-image-1-mini",
    ):
        found = modelsdev.normalize(record(key))
        assert not [d for d in found if d.kind is Kind.LIMIT and d.value == 0]
        problem = quarantined(found, "limit.context")
        assert (problem.rule, problem.detail) == ("a limit of 0 is unknown", "limit.context=0")
        assert [d for d in found if d.kind is Kind.CAPABILITY]  # the rest of the record is kept


def test_openai_gpt_4o_prices_limits_and_capabilities() -> None:
    drafts = modelsdev.normalize(record("openai/gpt-4o"))
    assert {d.route for d in drafts} == {"openai"}
    assert {d.source_model for d in drafts} == {"gpt-4o"}
    assert value(drafts, Component.INPUT) == Decimal("2.5")
    assert value(drafts, Component.OUTPUT) == Decimal("10")
    assert value(drafts, Component.CACHE_READ) == Decimal("1.25")
    assert value(drafts, Component.CONTEXT_WINDOW, Unit.TOKENS, Kind.LIMIT) == 128000
    assert value(drafts, Component.MAX_OUTPUT_TOKENS, Unit.TOKENS, Kind.LIMIT) == 16384
    flag = Kind.CAPABILITY
    assert value(drafts, Component.SUPPORTS, Unit.FLAG, flag, capability="function_calling") == 1
    assert value(drafts, Component.SUPPORTS, Unit.FLAG, flag, capability="reasoning") == 0
    assert value(drafts, Component.SUPPORTS, Unit.FLAG, flag, capability="vision") == 1
    assert value(drafts, Component.SUPPORTS, Unit.FLAG, flag, capability="pdf_input") == 1
    evidence = [d.evidence for d in drafts if d.component is Component.INPUT]
    assert evidence == ["cost.input=2.5 USD/1M"]


def test_context_tier_and_priority_mode_of_openai_gpt_5_4() -> None:
    drafts = modelsdev.normalize(record("openai/gpt-5.4"))
    assert value(drafts, Component.INPUT) == Decimal("2.5")
    assert value(drafts, Component.INPUT, context_above="272000") == Decimal("5")
    assert value(drafts, Component.OUTPUT, context_above="272000") == Decimal("22.5")
    assert value(drafts, Component.CACHE_READ, context_above="272000") == Decimal("0.5")
    # experimental.modes.fast is sent as service_tier=priority
    assert value(drafts, Component.INPUT, service_tier="priority") == Decimal("5")
    assert value(drafts, Component.OUTPUT, service_tier="priority") == Decimal("30")
    # the legacy context_over_200k copy of the 272k tier is not read a second time
    assert not [d for d in drafts if d.dimensions.get("context_above") == "200000"]


def test_anthropic_fast_mode_is_a_variant() -> None:
    drafts = modelsdev.normalize(record("anthropic/claude-opus-4-6"))
    assert value(drafts, Component.INPUT, variant="fast") == Decimal("30")
    # No lifetime stated: Anthropic's documented default, 5 minutes (issue 9 row 5)
    assert value(drafts, Component.CACHE_WRITE, variant="fast", cache_ttl="5m") == Decimal("37.5")


def test_audio_prices_carry_the_modality_in_every_tier() -> None:
    drafts = modelsdev.normalize(record("aihubmix/doubao-seed-2-0-lite-260428"))
    assert value(drafts, Component.INPUT, modality="audio") == Decimal("1.269")
    assert value(drafts, Component.INPUT, modality="audio", context_above="32000") == Decimal(
        "1.902"
    )
    assert value(drafts, Component.INPUT, context_above="128000") == Decimal("0.25")


def test_truncated_body_is_unparsable() -> None:
    body = snapshot(FILE)
    with pytest.raises(Unparsable):
        modelsdev.parse(body[: len(body) // 2], URL)


def test_a_body_without_models_is_unparsable() -> None:
    with pytest.raises(Unparsable, match="no models object"):
        modelsdev.parse(b'{"openai": {"id": "openai"}}', URL)


def test_unknown_cost_key_is_uninterpretable_not_dropped() -> None:
    broken = record("openai/gpt-4o")
    broken["model"]["cost"]["cached_input"] = broken["model"]["cost"].pop("cache_read")
    found = modelsdev.normalize(broken)
    problem = quarantined(found, "cost.cached_input")
    assert (problem.record, problem.rule) == ("openai/gpt-4o", "unknown cost key")
    assert value(found, Component.INPUT) == Decimal("2.5")


def test_legacy_tier_without_tiers_is_uninterpretable() -> None:
    broken = record("openai/gpt-5.4")
    del broken["model"]["cost"]["tiers"]
    found = modelsdev.normalize(broken)
    assert rules(found) == {"cost.context_over_200k": "context tier without its size"}
    assert not [d for d in found if "context_above" in d.dimensions]


def test_unknown_tier_type_is_uninterpretable() -> None:
    broken = record("openai/gpt-5.4")
    broken["model"]["cost"]["tiers"][0]["tier"]["type"] = "requests"
    found = modelsdev.normalize(broken)
    assert rules(found) == {"cost.tiers[0]": "unknown tier type"}
    assert value(found, Component.INPUT) > 0


def test_routes_map_to_canonical_ids() -> None:
    identity = Identity.load()
    assert identity.route("amazon-bedrock") == "bedrock"
    assert identity.route("google-vertex") == "vertex"
    assert identity.route("openai") == "openai"


# Fault round 62: one field of openai/gpt-5.4 (context tiers, a priority mode, limits, flags)
# at a time in another JSON type. Each raised a TypeError or AttributeError that set the whole
# record aside ("record of an unexpected shape"), its 21 statements with it.
SHAPES: dict[str, tuple[Any, str, set[str]]] = {
    # change, the recorded statements it takes (by evidence), the fields quarantined
    "tiers a number": (
        lambda m: m["cost"].update(tiers=272000),
        "cost.tiers",
        {"cost.tiers", "cost.context_over_200k"},  # the legacy tier restates no tier now
    ),
    "tiers true": (
        lambda m: m["cost"].update(tiers=True),
        "cost.tiers",
        {"cost.tiers", "cost.context_over_200k"},
    ),
    "modes a list": (
        lambda m: m["experimental"].update(modes=list(m["experimental"]["modes"].values())),
        "experimental.",
        {"experimental"},
    ),
    "modes null": (
        lambda m: m["experimental"].update(modes=None),
        "experimental.",
        {"experimental"},
    ),
    "modes a text": (
        lambda m: m["experimental"].update(modes="fast"),
        "experimental.",
        {"experimental"},
    ),
    "provider a list": (
        lambda m: m["experimental"]["modes"]["fast"].update(
            provider=[m["experimental"]["modes"]["fast"]["provider"]]
        ),
        "experimental.modes.fast.",
        {"experimental.modes.fast"},
    ),
    "provider a text": (
        lambda m: m["experimental"]["modes"]["fast"].update(provider="priority"),
        "experimental.modes.fast.",
        {"experimental.modes.fast"},
    ),
    "service tier an object": (
        lambda m: m["experimental"]["modes"]["fast"]["provider"]["body"].update(
            service_tier={"type": "priority"}
        ),
        "experimental.modes.fast.",
        {"experimental.modes.fast"},
    ),
    "service tier a list": (
        lambda m: m["experimental"]["modes"]["fast"]["provider"]["body"].update(
            service_tier=["priority"]
        ),
        "experimental.modes.fast.",
        {"experimental.modes.fast"},
    ),
    "provider body a list": (
        lambda m: m["experimental"]["modes"]["fast"]["provider"].update(
            body=[m["experimental"]["modes"]["fast"]["provider"]["body"]]
        ),
        "experimental.modes.fast.",
        {"experimental.modes.fast"},
    ),
}


@pytest.mark.parametrize("change", sorted(SHAPES))
def test_a_field_of_another_type_is_quarantined_alone(change: str) -> None:
    """A cost's tiers or a mode of another JSON type is that field's problem: quarantined and
    reported, the record's other statements (base prices, other modes, limits, capabilities)
    read as recorded. A mode whose provider is no object is not read as a variant: which
    service tier it is sent as is unknown."""
    respell, taken, fields = SHAPES[change]
    recorded = modelsdev.normalize(record("openai/gpt-5.4"))
    broken = record("openai/gpt-5.4")
    respell(broken["model"])
    found = modelsdev.normalize(broken)
    assert {p.field for p in found.problems} == fields
    kept = {
        (d.component, d.dimensions.key, d.value)
        for d in recorded
        if not d.evidence.startswith(taken)
    }
    assert {(d.component, d.dimensions.key, d.value) for d in found} == kept
    assert len(kept) < len(list(recorded))
