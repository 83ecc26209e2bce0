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


@pytest.mark.parametrize("source", ["gemini-page", "litellm", "anthropic-page", "openrouter"])
def test_recorded_prices_contradict_nothing(source: str) -> None:
    assert contradicted(statements(source)) == set()


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
    source, official, route, name, measure, _ = found[i]
    input_price = inputs[(source, route, name, measure.unit, measure.dims)]
    found[i] = (source, official, route, name, measure, input_price * 10)
    assert contradicted(found) == {i}
    # as dear as its input is no contradiction
    found[i] = (source, official, route, name, measure, input_price)
    assert contradicted(found) == set()
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
