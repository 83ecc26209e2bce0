"""The rules every parser reads by: numbers (spiders/parsing.py) and the one draft collector
(spiders/_drafts.py), on values and records from the recorded responses."""

from __future__ import annotations

import copy
import json
import math
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from catalog.normalize import draft_source
from schemas.fetch import FetchedPage
from schemas.field import Dims
from schemas.records import Draft
from schemas.sources import sources
from schemas.vocab import Component, Dim, Kind, Unit
from spiders import openrouter
from spiders._drafts import DraftCollector, collect
from spiders.parsing import (
    load_json,
    to_decimal,
    without_float_noise,
    without_single_precision_noise,
)
from tests.conftest import snapshot
from tests.drafts import quarantined, rules, value

# Files whose numbers (JSON numbers or numeric strings) were written by programs, some from doubles.
WRITTEN = [
    "portkey/pricing/openai.json",
    "portkey/pricing/bedrock.json",
    "portkey/pricing/google.json",
    "litellm/model_prices_and_context_window.json",
    "catalogs/models-dev.api.2026-06-13.jq-sorted.json",
    "openrouter/models-output_modalities-all.2026-08-19.json",
    "genai-prices/v2/data.json",
    "vercel-ai-gateway/models.2026-04.json",
]


def _numbers(node: Any) -> list[Decimal]:
    if isinstance(node, dict):
        return [n for child in node.values() for n in _numbers(child)]
    if isinstance(node, list):
        return [n for child in node for n in _numbers(child)]
    if isinstance(node, Decimal):
        return [node]
    if isinstance(node, str) and node[:1].isdigit():
        try:
            number = Decimal(node)
        except ArithmeticError:
            return []
        return [number] if number.is_finite() else []
    return []


@cache
def recorded_numbers() -> tuple[Decimal, ...]:
    found = {n for name in WRITTEN for n in _numbers(load_json(snapshot(name), name))}
    return tuple(sorted(found))


def digits(number: Decimal) -> int:
    return len(number.normalize().as_tuple().digits)


def test_the_recorded_files_hold_double_noise() -> None:
    noisy = [n for n in recorded_numbers() if digits(n) > 15]
    assert Decimal("0.00007499999999999999") in noisy  # Portkey gpt-5.4-mini, issue 9 row 1
    assert len(noisy) > 50


@given(st.sampled_from(recorded_numbers()))
def test_real_numbers_keep_what_they_state_and_lose_only_noise(written: Decimal) -> None:
    read = without_float_noise(written)
    if digits(written) <= 15 or written == written.to_integral_value():
        assert read == written and str(read) == str(written)  # exactly as written
    else:
        assert digits(read) <= 15
        assert abs(read - written) <= abs(written) * Decimal("5e-15")
    assert without_float_noise(read) == read


@given(
    st.integers(min_value=1, max_value=10**15 - 1),
    st.integers(min_value=-24, max_value=-1),
    st.integers(min_value=-1, max_value=1),
)
def test_a_decimal_printed_from_a_double_reads_back(
    mantissa: int, exponent: int, ulps: int
) -> None:
    """Any decimal of up to 15 digits, through a double (and one double off, as arithmetic leaves
    it: 0.00005999999999999999 for 0.00006), reads back as itself."""
    stated = Decimal(mantissa).scaleb(exponent)
    double = float(stated)
    for _ in range(abs(ulps)):
        double = math.nextafter(double, math.inf if ulps > 0 else -math.inf)
    assert without_float_noise(Decimal(repr(double))) == stated


def test_numeric_strings_and_numbers_read_alike() -> None:
    assert to_decimal("0.00007499999999999999", "r", "f") == Decimal("0.000075")
    assert to_decimal(Decimal("5.999999999999999e-05"), "r", "f") == Decimal("0.00006")
    assert to_decimal("2000000", "r", "f") == 2000000


# ------------------------------------------------------------------ the draft collector

AUGUST = "openrouter/models.2026-08-19.json"
URL = "https://openrouter.ai/api/v1/models"


@cache
def _openrouter() -> dict[str, dict[str, Any]]:
    page = openrouter.parse(snapshot(AUGUST), "https://openrouter.ai/api/v1/models")
    return {r["id"]: r for r in page.records}


def real_drafts(model_id: str) -> list[Draft]:
    return list(openrouter.normalize(copy.deepcopy(_openrouter()[model_id])))


def test_an_identical_repeat_is_one_draft_naming_both_places() -> None:
    drafts = real_drafts("openai/gpt-4o")
    first = next(d for d in drafts if d.component is Component.INPUT)
    again = replace(first, evidence="a second place")
    found = collect("openai/gpt-4o", [*drafts, again])
    assert len(found) == len(drafts)
    assert found.problems == []
    read = next(d for d in found if d.component is Component.INPUT)
    assert read.evidence == "; ".join(sorted([first.evidence, "a second place"]))


def test_a_different_value_quarantines_that_field_alone() -> None:
    drafts = real_drafts("openai/gpt-4o")
    first = next(d for d in drafts if d.component is Component.INPUT)
    other = replace(first, value=first.value * 2, evidence="elsewhere")
    later = replace(first, evidence="a third place")
    found = collect("openai/gpt-4o", [*drafts, other, later])
    assert [d for d in found if d.component is Component.INPUT] == []  # the third is not read
    problem = quarantined(found, "openai/gpt-4o price input usd_per_1m_tokens")
    assert problem.rule == "conflicting values"
    assert first.evidence in problem.detail and "elsewhere" in problem.detail
    assert len(found) == len(drafts) - 1
    assert value(found, Component.OUTPUT) == Decimal("10")


def test_one_record_may_state_the_same_field_for_two_models() -> None:
    drafts = real_drafts("openai/gpt-4o")
    twin = [replace(d, source_model="openai/gpt-4o-copy") for d in drafts]
    found = collect("a table row", [*drafts, *twin])
    assert len(found) == 2 * len(drafts) and found.problems == []


def test_a_cache_write_without_lifetime_takes_the_routes_documented_default() -> None:
    drafts = real_drafts("qwen/qwen3-max")  # one cache TTL on OpenRouter: no lifetime stated
    write = next(d for d in drafts if d.component is Component.CACHE_WRITE)
    assert Dim.CACHE_TTL.value not in write.dimensions
    anthropic = replace(write, route="anthropic")
    found = collect("r", [write, anthropic])
    by_route = {d.route: d for d in found}
    assert by_route["openrouter"].dimensions == write.dimensions  # no documented default
    assert by_route["anthropic"].dimensions == {Dim.CACHE_TTL.value: "5m"}
    assert "default cache lifetime, 5m" in by_route["anthropic"].evidence


def test_a_field_read_inside_reading_is_quarantined_alone() -> None:
    raw = copy.deepcopy(_openrouter()["openai/gpt-4o"])
    out = DraftCollector("openai/gpt-4o", "openrouter", "openai/gpt-4o")
    with out.reading("pricing.prompt"):
        to_decimal("twelve", out.record, "pricing.prompt")
    out.add(
        Component.CONTEXT_WINDOW, Unit.TOKENS, Decimal(raw["context_length"]), "c", kind=Kind.LIMIT
    )
    found = out.result()
    assert rules(found) == {"pricing.prompt": "not a number"}
    assert value(found, Component.CONTEXT_WINDOW, Unit.TOKENS, Kind.LIMIT) == 128000
    assert json.dumps([p.record for p in found.problems]) == '["openai/gpt-4o"]'


def test_a_cache_write_beside_a_1h_one_is_the_5_minute_one() -> None:
    drafts = real_drafts("anthropic/claude-sonnet-4.5")  # states both: 5m and 1h
    plain = [
        replace(d, dimensions=Dims.of({k: v for k, v in d.dimensions.items() if k != "cache_ttl"}))
        if d.dimensions.get("cache_ttl") == "5m"
        else d
        for d in drafts
    ]
    assert any(d.component is Component.CACHE_WRITE and not d.dimensions for d in plain)
    found = collect("anthropic/claude-sonnet-4.5", plain)
    assert value(found, Component.CACHE_WRITE, cache_ttl="5m") == Decimal("3.75")
    assert value(found, Component.CACHE_WRITE, cache_ttl="1h") == Decimal("6")
    assert not [d for d in found if d.component is Component.CACHE_WRITE and not d.dimensions]
    alone = [d for d in plain if d.dimensions.get("cache_ttl") != "1h"]
    kept = collect("r", alone)  # without the 1h write, nothing says which lifetime it is
    assert value(kept, Component.CACHE_WRITE) == Decimal("3.75")


def test_the_refresh_reports_each_quarantined_field_with_source_record_and_rule() -> None:
    """catalog/normalize.py: a field problem becomes a run problem naming source, record, field and
    rule; the record's other drafts go on (issue 9 row 2 on the recorded speech model)."""
    listing = "openrouter/models-output_modalities-all.2026-08-19.json"
    page = openrouter.parse(snapshot(listing), "https://openrouter.ai/api/v1/models")
    records = [r for r in page.records if r["id"] in ("openai/whisper-1", "openai/gpt-4o")]
    fetched = FetchedPage(URL, URL, 200, datetime(2026, 8, 19, tzinfo=UTC), records)
    batch = draft_source(sources()["openrouter"], [fetched])
    prompt = next(p for p in batch.problems if p.field == "pricing.prompt")
    assert (prompt.source, prompt.record, prompt.rule) == (
        "openrouter",
        "openai/whisper-1",
        "unit-ambiguous",
    )
    assert prompt.detail.startswith('pricing.prompt: pricing.prompt="0.006"')
    whisper = [d for _, d in batch.drafts if d.source_model == "openai/whisper-1"]
    assert whisper and all(d.kind is Kind.CAPABILITY for d in whisper)
    assert any(d.source_model == "openai/gpt-4o" and d.value == 10 for _, d in batch.drafts)


def test_portkey_single_precision_noise_reads_as_the_decimal_it_stands_for() -> None:
    """Portkey's deepinfra.json writes 0.00000799999993 cents (glm-4.6 cache read) for 0.000008:
    single-precision noise, read away by its stated rule and nothing else."""
    assert without_single_precision_noise(Decimal("0.00000799999993")) == Decimal("0.000008")
    assert without_single_precision_noise(Decimal("0.00001300000002")) == Decimal("0.000013")
    # real numbers with many digits far from a 6-digit decimal are kept as written
    for kept in ("0.000000159263611", "0.0000000020751953125", "1.2345678", "0.000075", "0"):
        assert without_single_precision_noise(Decimal(kept)) == Decimal(kept)


@given(st.sampled_from(recorded_numbers()))
def test_single_precision_rule_moves_real_numbers_by_at_most_its_bound(written: Decimal) -> None:
    read = without_single_precision_noise(without_float_noise(written))
    assert abs(read - written) <= abs(written) * Decimal("5e-8")
    assert without_single_precision_noise(read) == read
