"""spiders/genai_prices.py on the recorded genai-prices v2 data.json (commit 47df840)."""

from __future__ import annotations

import copy
from collections import Counter
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from catalog.identity import Identity
from schemas.fetch import Unparsable
from schemas.vocab import Component, Kind, Unit
from spiders import genai_prices
from tests.conftest import snapshot
from tests.drafts import quarantined, value

URL = "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json"
FILE = "genai-prices/v2/data.json"


@cache
def _records() -> dict[str, dict[str, Any]]:
    page = genai_prices.parse(snapshot(FILE), URL)
    return {f"{r['provider']}/{r['model']['id']}": r for r in page.records}


def record(record_id: str) -> dict[str, Any]:
    return copy.deepcopy(_records()[record_id])


def test_parse_gives_one_record_per_provider_model() -> None:
    records = _records()
    assert len(records) == 1466
    assert len({r["provider"] for r in records.values()}) == 36


def test_every_real_record_normalizes_to_the_known_draft_count() -> None:
    per_record = {key: genai_prices.normalize(r) for key, r in _records().items()}
    # every dated price set is stated (73 drafts of sets superseded or scheduled on some day)
    assert sum(len(found) for found in per_record.values()) == 3703
    # free models (`prices: {}`) state no price; 155 of them have no context window either
    assert sum(1 for found in per_record.values() if not found) == 155
    kinds = Counter(d.kind for found in per_record.values() for d in found)
    assert kinds == {Kind.PRICE: 3323, Kind.LIMIT: 380}


def test_openai_gpt_4o() -> None:
    drafts = genai_prices.normalize(record("openai/gpt-4o"))
    assert {(d.route, d.source_model) for d in drafts} == {("openai", "gpt-4o")}
    assert value(drafts, Component.INPUT) == Decimal("2.5")
    assert value(drafts, Component.CACHE_READ) == Decimal("1.25")
    assert value(drafts, Component.OUTPUT) == Decimal("10")
    assert value(drafts, Component.CONTEXT_WINDOW, Unit.TOKENS, Kind.LIMIT) == 128000
    assert [d.evidence for d in drafts if d.component is Component.INPUT] == [
        "prices.input_mtok=2.5"
    ]


def test_start_date_prices_carry_their_start_as_effective_date() -> None:
    o3 = genai_prices.normalize(record("openai/o3"))
    inputs = {d.effective_from: d.value for d in o3 if d.component is Component.INPUT}
    assert inputs == {None: Decimal("10"), date(2025, 6, 10): Decimal("2")}
    # claude-sonnet-5's 2026-09-01 price, stated in the 2026-08-21 file, keeps its start
    sonnet = genai_prices.normalize(record("anthropic/claude-sonnet-5"))
    dated = [d for d in sonnet if d.component is Component.INPUT and d.effective_from]
    assert [(d.value, d.effective_from, d.evidence) for d in dated] == [
        (Decimal("3"), date(2026, 9, 1), "prices[1] (from 2026-09-01).input_mtok=3")
    ]


def test_as_of_picks_the_price_in_force_that_day() -> None:
    sonnet = record("anthropic/claude-sonnet-5")
    before = genai_prices.normalize(sonnet, as_of=date(2026, 8, 21))
    assert value(before, Component.INPUT) == Decimal("2")
    assert value(before, Component.CACHE_WRITE, cache_ttl="1h") == Decimal("4")
    on = genai_prices.normalize(sonnet, as_of=date(2026, 9, 1))
    assert value(on, Component.INPUT) == Decimal("3")
    o3_in_2025_05 = genai_prices.normalize(record("openai/o3"), as_of=date(2025, 5, 1))
    assert value(o3_in_2025_05, Component.INPUT) == Decimal("10")


def test_tiered_prices_are_context_tiers() -> None:
    # claude-opus-4-6 before 2026-03-13: a 200k cliff on every token price
    drafts = genai_prices.normalize(record("anthropic/claude-opus-4-6"), as_of=date(2026, 3, 1))
    assert value(drafts, Component.INPUT) == Decimal("5")
    assert value(drafts, Component.INPUT, context_above="200000") == Decimal("10")
    assert value(drafts, Component.OUTPUT, context_above="200000") == Decimal("37.5")
    write_1h_above = value(drafts, Component.CACHE_WRITE, context_above="200000", cache_ttl="1h")
    assert write_1h_above == Decimal("20")
    assert value(drafts, Component.WEB_SEARCH, Unit.PER_1K_QUERIES) == Decimal("10")
    # from 2026-03-13 the tiers are gone
    now = genai_prices.normalize(record("anthropic/claude-opus-4-6"), as_of=date(2026, 8, 21))
    assert not [d for d in now if "context_above" in d.dimensions]


def test_time_of_day_prices_are_peak_and_off_peak() -> None:
    drafts = genai_prices.normalize(record("deepseek/deepseek-chat"))
    assert value(drafts, Component.INPUT, time_of_day="peak") == Decimal("0.27")
    assert value(drafts, Component.INPUT, time_of_day="off_peak") == Decimal("0.135")
    assert value(drafts, Component.OUTPUT, time_of_day="peak") == Decimal("1.1")
    assert value(drafts, Component.CACHE_READ, time_of_day="off_peak") == Decimal("0.035")


def test_a_cheaper_time_window_is_not_called_peak() -> None:
    """A window cheaper than the rest of the day is no peak: neither set is named peak or
    off-peak, nor read as the all-day price. The `prices` field is quarantined whole; the
    model's context window is read (fault round 62: the whole record was set aside)."""
    broken = record("deepseek/deepseek-chat")
    broken["model"]["prices"][1]["prices"]["input_mtok"] = Decimal("0.1")
    found = genai_prices.normalize(broken)
    assert [(p.field, p.rule) for p in found.problems] == [
        ("prices", "time window is not the peak")
    ]
    assert [d for d in found if d.kind is Kind.PRICE] == []
    assert value(found, Component.CONTEXT_WINDOW, Unit.TOKENS, Kind.LIMIT) == 64000


# Fault round 62: `prices` of another shape, one change at a time on a recorded model with a
# context window. Each left a KeyError, TypeError or record-wide Uninterpretable that set the
# whole record aside, its context window with it.
PRICES_SHAPES: dict[str, tuple[str, Any]] = {
    "set without prices": (
        "deepseek/deepseek-chat",
        lambda p: [p[0], {"constraint": p[1]["constraint"]}],
    ),
    "unconstrained set without prices": ("deepseek/deepseek-chat", lambda p: [{}, p[1]]),
    "set prices a list": (
        "deepseek/deepseek-chat",
        lambda p: [p[0], {**p[1], "prices": [p[1]["prices"]]}],
    ),
    "set prices null": ("deepseek/deepseek-chat", lambda p: [{"prices": None}, p[1]]),
    "set a text": ("deepseek/deepseek-chat", lambda p: [p[0], "00:30-16:30"]),
    "sets null": ("openai/gpt-4o", lambda p: None),
    "sets a text": ("openai/gpt-4o", lambda p: str(p)),
    "sets a number": ("openai/gpt-4o", lambda p: 2.5),
    "sets missing": ("openai/gpt-4o", ...),
    "two unconstrained sets": ("deepseek/deepseek-chat", lambda p: [p[0], p[0]]),
}


@pytest.mark.parametrize("change", sorted(PRICES_SHAPES))
def test_prices_of_another_shape_are_the_prices_fields_problem(change: str) -> None:
    """Prices this reader cannot take apart are the `prices` field's problem alone: quarantined
    (reported), none of the model's prices read (a half-read set could be the one in force, so
    the others are no standard price), its context window read."""
    record_id, respell = PRICES_SHAPES[change]
    broken = record(record_id)
    if respell is ...:
        del broken["model"]["prices"]
    else:
        broken["model"]["prices"] = respell(broken["model"]["prices"])
    found = genai_prices.normalize(broken)
    assert [p.field for p in found.problems] == ["prices"]
    assert [d for d in found if d.kind is Kind.PRICE] == []
    window = broken["model"]["context_window"]
    assert value(found, Component.CONTEXT_WINDOW, Unit.TOKENS, Kind.LIMIT) == window


def test_a_dated_set_without_prices_leaves_no_older_price_read_as_current() -> None:
    """o3's 2025-06-10 set without its `prices`: the unconstrained set (input 10, 5x today's)
    is not read as current, nor as the price before that date; the `prices` field is reported."""
    broken = record("openai/o3")
    del broken["model"]["prices"][1]["prices"]
    found = genai_prices.normalize(broken)
    assert [(p.field, p.rule) for p in found.problems] == [("prices", "no prices")]
    assert list(found) == []


def test_kcount_units_reasoning_and_citation_tokens() -> None:
    deep = genai_prices.normalize(record("perplexity/sonar-deep-research"))
    assert value(deep, Component.OUTPUT, variant="citation") == Decimal("2")
    assert value(deep, Component.REASONING) == Decimal("3")
    assert value(deep, Component.WEB_SEARCH, Unit.PER_1K_QUERIES) == Decimal("5")
    sonar = genai_prices.normalize(record("perplexity/sonar-pro"))
    assert value(sonar, Component.REQUEST, Unit.PER_REQUEST) == Decimal("0.014")  # $14 per 1000


def test_truncated_body_is_unparsable() -> None:
    body = snapshot(FILE)
    with pytest.raises(Unparsable):
        genai_prices.parse(body[:-100], URL)


def test_an_object_body_is_unparsable() -> None:
    with pytest.raises(Unparsable, match="list of providers"):
        genai_prices.parse(b'{"providers": []}', URL)


def test_unknown_price_key_is_uninterpretable() -> None:
    broken = record("openai/gpt-4o")
    broken["model"]["prices"]["rerank_searches_kcount"] = Decimal("2")
    found = genai_prices.normalize(broken)
    problem = quarantined(found, "prices.rerank_searches_kcount")
    assert (problem.record, problem.rule) == ("openai/gpt-4o", "unknown price key")
    assert value(found, Component.INPUT) == Decimal("2.5")


def test_a_cache_write_without_lifetime_is_the_routes_default() -> None:
    """Issue 9 row 5: claude-3-haiku's TTL-less cache write is Anthropic's 5-minute one."""
    found = genai_prices.normalize(record("anthropic/claude-3-haiku"))
    writes = {d.dimensions["cache_ttl"]: d for d in found if d.component is Component.CACHE_WRITE}
    assert {ttl: d.value for ttl, d in writes.items()} == {
        "5m": Decimal("0.3"),
        "1h": Decimal("0.5"),
    }
    assert "no lifetime stated: anthropic's default cache lifetime, 5m" in writes["5m"].evidence
    # On a route without a documented default, the write beside the 1-hour one is the 5-minute
    # one; alone, it keeps no lifetime.
    other = record("anthropic/claude-3-haiku")
    other["provider"] = "x-ai"
    found = genai_prices.normalize(other)
    assert value(found, Component.CACHE_WRITE, cache_ttl="5m") == Decimal("0.3")
    del other["model"]["prices"]["cache_write_1h_mtok"]
    assert value(genai_prices.normalize(other), Component.CACHE_WRITE) == Decimal("0.3")


def test_a_set_under_an_unknown_constraint_is_quarantined_alone() -> None:
    broken = record("openai/o3")
    broken["model"]["prices"][1]["constraint"] = {"region": "eu"}
    found = genai_prices.normalize(broken)
    assert [(p.field, p.rule) for p in found.problems] == [("prices[1]", "unknown constraint")]
    # the unconstrained set is read, the eu one nowhere
    assert sorted(d.value for d in found if d.component is Component.OUTPUT) == [Decimal(40)]


def test_routes_map_to_canonical_ids() -> None:
    identity = Identity.load()
    assert identity.route("aws") == "bedrock"
    assert identity.route("x-ai") == "xai"
