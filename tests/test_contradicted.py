"""Prices their name's other prices contradict teach identity nothing (catalog/normalize.py
`contradicted`), judged as validation's checks across rows judge them: a cache read dearer than
its input, a price above N tokens cheaper than a lower tier's.

On the statements of recorded epoch-2 responses (Gemini's pricing page states tiers above
200,000 tokens; LiteLLM's map states cache reads beside inputs), each changed here so that one
price breaks the rule.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.identity import Identity, Statement
from catalog.normalize import _statements, contradicted
from schemas.vocab import Component, Dim
from tests.observed import world_drafts

ABOVE = Dim.CONTEXT_ABOVE.value


def statements(source: str) -> list[Statement]:
    return list(_statements(Identity.load(), [world_drafts(source)]))


@pytest.mark.parametrize("source", ["gemini-page", "anthropic-page", "openrouter"])
def test_recorded_prices_contradict_nothing(source: str) -> None:
    assert contradicted(statements(source)) == set()


def test_litellm_recorded_claude_3_opus_cache_writes_contradict_each_other() -> None:
    """LiteLLM's recorded map states claude-3-opus's 1-hour cache write at $6 per 1M tokens,
    below its 5-minute $18.75 (Anthropic prices the 1-hour write at twice the input, $30):
    which of the two is wrong cannot be told from the map, so neither teaches identity."""
    found = statements("litellm")
    assert {
        (found[i][2], found[i][3], found[i][4].dims.get(Dim.CACHE_TTL.value), found[i][5])
        for i in contradicted(found)
    } == {
        ("anthropic", "claude-3-opus-20240229", "5m", Decimal("18.75")),
        ("anthropic", "claude-3-opus-20240229", "1h", Decimal(6)),
    }


def test_a_tier_cheaper_than_the_one_below_it() -> None:
    found = statements("gemini-page")
    tiered = [i for i, s in enumerate(found) if ABOVE in s[4].dims]
    assert tiered
    i = tiered[0]
    source, official, route, name, measure, value = found[i]
    lower = [
        s[5]
        for s in found
        if s[:4] == found[i][:4]
        and s[4].component is measure.component
        and s[4].unit is measure.unit
        and ABOVE not in s[4].dims
    ]
    assert lower and max(lower) < value
    found[i] = (source, official, route, name, measure, min(lower) / 2)
    assert contradicted(found) == {i}


def test_a_cache_read_dearer_than_its_input() -> None:
    found = statements("litellm")
    inputs = {
        (s[0], s[2], s[3], s[4].unit, s[4].dims): s[5]
        for s in found
        if s[4].component is Component.INPUT
    }
    reads = [
        i
        for i, s in enumerate(found)
        if s[4].component is Component.CACHE_READ
        and (s[0], s[2], s[3], s[4].unit, s[4].dims) in inputs
    ]
    assert len(reads) > 100
    i = reads[0]
    recorded = contradicted(found)
    source, official, route, name, measure, _ = found[i]
    input_price = inputs[(source, route, name, measure.unit, measure.dims)]
    found[i] = (source, official, route, name, measure, input_price * 10)
    assert contradicted(found) == {i, *recorded}
    # as dear as its input is no contradiction
    found[i] = (source, official, route, name, measure, input_price)
    assert contradicted(found) == recorded
    assert input_price > Decimal(0)


def test_the_cache_writes_beside_a_cache_read_dearer_than_its_input() -> None:
    """Validation sets aside a cache read dearer than its input with the cache writes of its
    key (a source swapping cache read and write, charmbracelet/catwalk#405); identity learns
    from none of them either. On Anthropic's page, one model's cache read made dearer."""
    found = statements("anthropic-page")

    def key(s: Statement) -> tuple[object, ...]:
        dims = {d: v for d, v in s[4].dims.items() if d != Dim.CACHE_TTL.value}
        return (s[0], s[2], s[3], s[4].unit, tuple(sorted(dims.items())))

    inputs = {key(s): s[5] for s in found if s[4].component is Component.INPUT}
    [i, *_] = [
        i
        for i, s in enumerate(found)
        if s[4].component is Component.CACHE_READ and key(s) in inputs
    ]
    writes = {
        j
        for j, s in enumerate(found)
        if s[4].component is Component.CACHE_WRITE and key(s) == key(found[i])
    }
    assert len(writes) == 2  # its 5-minute and 1-hour cache writes
    source, official, route, name, measure, _ = found[i]
    found[i] = (source, official, route, name, measure, inputs[key(found[i])] * 2)
    assert contradicted(found) == {i, *writes}


def test_a_1_hour_cache_write_below_the_5_minute_one() -> None:
    """Fault round 50: Anthropic's page with its "5m" and "1h" cache-write headings swapped.
    One model's two writes swapped here: both contradict each other."""
    found = statements("anthropic-page")
    by_lifetime = {
        s[4].dims.get(Dim.CACHE_TTL.value): i
        for i, s in enumerate(found)
        if s[3] == found[0][3]
        and s[4].component is Component.CACHE_WRITE
        and not s[4].dims.get(ABOVE)
    }
    short, long = by_lifetime["5m"], by_lifetime["1h"]
    assert found[short][5] < found[long][5]
    found[short], found[long] = (
        (*found[short][:5], found[long][5]),
        (*found[long][:5], found[short][5]),
    )
    assert contradicted(found) == {short, long}
