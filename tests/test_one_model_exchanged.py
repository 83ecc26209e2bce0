"""A model's input and output read the wrong way round beside its own ordered tiers.

A fault round: Azure's recorded listing with the three `gpt 4o 1120 Inp` meters' prices
exchanged with the `Outp` ones (global, data zone, regional). A swap was caught only as a block
of several models, so this one model entered a first load verified at input 10 and output 2.5,
and onto the clean epoch-2 catalog it opened six approvable price changes. A provider keeps one
order across its deployments and tiers: the input above the output where the same source states
the pair in order at dimensions differing only in deployment and tier (here its batch meters,
1.25 and 5) is read swapped, and both prices are set aside (FIELDS_SWAPPED_RULE, an anomaly to
review). An exchange back into order is read, and one field moved alone to another's price is
the block rule's to judge.

Read as a refresh reads it (catalog/intake.py `slipped`) from the recorded epoch-2 listing, the
model's prices changed here.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from catalog.health import PriceKey, price_key, prices_by_field
from catalog.intake import FIELDS_SWAPPED_RULE, SLIPPED_RULE, slipped
from schemas.records import Observation
from schemas.sources import sources
from schemas.vocab import Component, Kind, Unit
from tests.test_fault_kinds import healthy

MODEL = "gpt-4o-2024-11-20"


def tokens(o: Observation, component: Component) -> bool:
    """`o` is one of MODEL's token prices of `component` without a batch tier."""
    return (
        o.model == MODEL
        and o.kind is Kind.PRICE
        and o.unit is Unit.PER_1M_TOKENS
        and o.component is component
        and "service_tier" not in o.dimensions.key
    )


def exchanged(valid: list[Observation]) -> tuple[list[Observation], set[int]]:
    """The listing with MODEL's standard input and output prices exchanged at each
    deployment, and the ids of the observations changed."""
    inputs = {o.dimensions.key: o for o in valid if tokens(o, Component.INPUT)}
    outputs = {o.dimensions.key: o for o in valid if tokens(o, Component.OUTPUT)}
    both = sorted(set(inputs) & set(outputs))
    assert len(both) == 3 and any("scope=global" in d for d in both)
    swap = {id(inputs[d]): outputs[d].value for d in both}
    swap.update({id(outputs[d]): inputs[d].value for d in both})
    return [replace(o, value=swap[id(o)]) if id(o) in swap else o for o in valid], set(swap)


@pytest.mark.parametrize("history", [False, True], ids=["first load", "review"])
def test_one_models_standard_meters_exchanged_are_set_aside(history: bool) -> None:
    """The standard meters exchanged beside its batch meters in order (1.25 below 5) read
    swapped, with no history (they entered a first load verified at 10 and 2.5) or with one
    (six approvable price changes)."""
    valid = healthy("azure").valid
    before = prices_by_field(valid) if history else {}
    assert slipped(valid, before, {}, dict) == []
    changed, ids = exchanged(valid)
    aside = slipped(changed, before, {}, dict)
    assert {p.rule for p in aside} == {FIELDS_SWAPPED_RULE}
    assert sorted(price_key(p.observation) for p in aside if p.observation) == sorted(
        price_key(o) for o in valid if id(o) in ids
    )
    assert all("while the source states the two in order at" in p.detail for p in aside)
    standard = [p for p in aside if p.observation and p.observation.value == Decimal("10")]
    assert standard and "service_tier=batch" in standard[0].detail


def test_one_models_input_moved_alone_to_its_output_is_no_exchange() -> None:
    valid = healthy("azure").valid
    before = prices_by_field(valid)
    outputs = {o.dimensions.key: o.value for o in valid if tokens(o, Component.OUTPUT)}
    moved = [
        replace(o, value=outputs[o.dimensions.key])
        if tokens(o, Component.INPUT) and o.dimensions.key in outputs
        else o
        for o in valid
    ]
    assert moved != valid
    assert slipped(moved, before, {}, dict) == []


def test_an_exchange_into_the_usual_order_is_a_correction_and_read() -> None:
    """Recorded: between the epochs LiteLLM and models.dev corrected command-r7b-12-2024's
    input 0.15 and output 0.0375 to 0.0375 and 0.15, and Portkey llama-4-maverick's. Two
    prices exchanged back into the order prices stand in (a cache read below the input, the
    output above it) is read: their price changes are proposed."""
    valid = healthy("azure").valid
    inputs = {o.dimensions.key: o for o in valid if tokens(o, Component.INPUT)}
    outputs = {o.dimensions.key: o for o in valid if tokens(o, Component.OUTPUT)}
    last = prices_by_field(valid)
    for d in set(inputs) & set(outputs):
        last[price_key(inputs[d])], last[price_key(outputs[d])] = (
            outputs[d].value,
            inputs[d].value,
        )
    assert last != prices_by_field(valid)
    assert slipped(valid, last, {}, dict) == []


def test_one_models_input_slipped_above_its_output_is_set_aside_alone() -> None:
    """MODEL's standard input meters x10 (25 above the output's 10, beside its batch meters in
    order) onto the listing's last statement: the output stands at its known price, so the
    input alone is set aside as a slip and the output is read (both were set aside as a swap)."""
    valid = healthy("azure").valid
    moved = [replace(o, value=o.value * 10) if tokens(o, Component.INPUT) else o for o in valid]
    inputs = {id(o) for o in moved if tokens(o, Component.INPUT)}
    assert len(inputs) == 3
    aside = slipped(moved, prices_by_field(valid), {}, dict)
    assert {id(p.observation) for p in aside} == inputs
    assert {p.rule for p in aside} == {SLIPPED_RULE}
    assert all("on the wrong side of its output" in p.detail for p in aside)


def test_an_input_slipped_above_its_output_on_a_first_load_leaves_the_output_read() -> None:
    """A fault round: OpenRouter's claude-sonnet-4.5 input x10 ($30 above its $15 output, its
    :batch variant in order) into an empty catalog took the right output out with it. The
    output is what the other sources state alike of the route: the input alone is set aside."""
    valid = healthy("openrouter").valid
    others = {s: prices_by_field(healthy(s).valid) for s in ("litellm", "portkey", "modelsdev")}
    slipped_id = "anthropic/claude-sonnet-4.5"

    def standard(o: Observation, component: Component) -> bool:
        return (
            o.source_model == slipped_id
            and o.kind is Kind.PRICE
            and o.component is component
            and o.dimensions.key == ""
        )

    moved = [replace(o, value=o.value * 10) if standard(o, Component.INPUT) else o for o in valid]
    [output] = [o for o in moved if standard(o, Component.OUTPUT)]
    [input_] = [o for o in moved if standard(o, Component.INPUT)]
    assert input_.value > output.value
    aside = {id(p.observation): p for p in slipped(moved, {}, {}, lambda: others)}
    assert aside[id(input_)].rule == SLIPPED_RULE
    assert id(output) not in aside


def _first_load_others(source: str) -> dict[str, dict[PriceKey, Decimal]]:
    """What every other source states of the recorded epoch-2 world, by field."""
    return {s: prices_by_field(healthy(s).valid) for s in sources() if s != source}


def _standard(o: Observation, source_model: str, component: Component) -> bool:
    return (
        o.source_model == source_model
        and o.kind is Kind.PRICE
        and o.component is component
        and o.dimensions.key == ""
    )


def test_an_input_slipped_above_its_output_with_no_tier_beside_it_is_set_aside_alone() -> None:
    """A fault round (h55): OpenRouter's mistral-large input x10 ($20 above its $6 output), no
    tier of it stated in order beside it, entered an empty catalog verified. Its output stands
    at the one price the other sources state of it, its input moved past it: the input alone
    is set aside as a slip. (Here gpt-5.1-codex, whose names the sources read alone share.)"""
    valid = healthy("openrouter").valid
    slipped_id = "openai/gpt-5.1-codex"
    moved = [
        replace(o, value=o.value * 10) if _standard(o, slipped_id, Component.INPUT) else o
        for o in valid
    ]
    [input_] = [o for o in moved if _standard(o, slipped_id, Component.INPUT)]
    [output] = [o for o in moved if _standard(o, slipped_id, Component.OUTPUT)]
    assert input_.value > output.value
    others = _first_load_others("openrouter")
    aside = {id(p.observation): p for p in slipped(moved, {}, {}, lambda: others)}
    assert aside[id(input_)].rule == SLIPPED_RULE
    assert id(output) not in aside


def test_one_models_input_and_output_exchanged_against_their_order_elsewhere() -> None:
    """A fault round (h55): Vercel's llama-4-maverick alone with input and output exchanged
    ($1.15 above $0.35) entered an empty catalog verified; no other source states Vercel's
    prices of it, and none states them exchanged exactly, but every other route prices its
    input below its output. Both are set aside, read swapped."""
    valid = healthy("vercel").valid
    model = "meta/llama-4-maverick"
    pair = {
        c: next(o.value for o in valid if _standard(o, model, c))
        for c in (Component.INPUT, Component.OUTPUT)
    }
    other = {Component.INPUT: Component.OUTPUT, Component.OUTPUT: Component.INPUT}
    exchanged = [
        replace(o, value=pair[other[o.component]])
        if o.component in other and _standard(o, model, o.component)
        else o
        for o in valid
    ]
    changed = {id(o) for o, was in zip(exchanged, valid, strict=True) if o.value != was.value}
    assert len(changed) == 2
    others = _first_load_others("vercel")
    assert not [p for p in slipped(valid, {}, {}, lambda: others) if p.rule == FIELDS_SWAPPED_RULE]
    aside = {id(p.observation) for p in slipped(exchanged, {}, {}, lambda: others)}
    assert changed <= aside
