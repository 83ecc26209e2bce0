"""Two prices of one model exchanged are set aside, block or none.

A fault round: Azure's recorded listing with the three `gpt 4o 1120 Inp` meters' prices
exchanged with the `Outp` ones (global, data zone, regional). A copied or swapped column was
caught only as a block of at least SWAP_BLOCK models, so onto the clean epoch-2 catalog this
one model opened six ordinary price changes a reviewer could approve (input 2.5 -> 10 beside
output 10 -> 2.5), with no anomaly. Two fields of one model each moved to exactly the other's
known price are exchanged (no repricing swaps two prices): both are set aside
(FIELDS_SWAPPED_RULE, an anomaly to review) and stand as last stated. One field moved alone to
another's price is still the block rule's to judge.

Read as a refresh reads it (catalog/intake.py `slipped`) from the recorded epoch-2 listing, the
model's prices changed here.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from catalog.health import price_key, prices_by_field
from catalog.intake import FIELDS_SWAPPED_RULE, slipped
from schemas.records import Observation
from schemas.vocab import Component, Kind, Unit
from tests.test_fault_kinds import healthy

MODEL = "gpt-4o-2024-11-20"


def tokens(o: Observation, component: Component, batch: bool = False) -> bool:
    """`o` is one of MODEL's token prices of `component`, of the batch tier too if `batch`."""
    return (
        o.model == MODEL
        and o.kind is Kind.PRICE
        and o.unit is Unit.PER_1M_TOKENS
        and o.component is component
        and (batch or "service_tier" not in o.dimensions.key)
    )


def exchanged(valid: list[Observation], batch: bool) -> tuple[list[Observation], set[int]]:
    """The listing with MODEL's input and output prices exchanged at each deployment (and
    batch tier if `batch`), and the ids of the observations changed."""
    inputs = {o.dimensions.key: o for o in valid if tokens(o, Component.INPUT, batch)}
    outputs = {o.dimensions.key: o for o in valid if tokens(o, Component.OUTPUT, batch)}
    both = sorted(set(inputs) & set(outputs))
    assert len(both) == (5 if batch else 3) and any("scope=global" in d for d in both)
    swap = {id(inputs[d]): outputs[d].value for d in both}
    swap.update({id(outputs[d]): inputs[d].value for d in both})
    return [replace(o, value=swap[id(o)]) if id(o) in swap else o for o in valid], set(swap)


def test_one_models_input_and_output_exchanged_are_set_aside() -> None:
    """Every one of its deployments' and tiers' meters exchanged: the source states no pair
    in order, and its last statements tell the exchange."""
    valid = healthy("azure").valid
    before = prices_by_field(valid)
    assert slipped(valid, before, {}, dict) == []
    changed, ids = exchanged(valid, batch=True)
    aside = slipped(changed, before, {}, dict)
    assert {p.rule for p in aside} == {FIELDS_SWAPPED_RULE}
    assert sorted(price_key(p.observation) for p in aside if p.observation) == sorted(
        price_key(o) for o in valid if id(o) in ids
    )
    assert all("(the two exchanged)" in p.detail for p in aside)


def test_one_models_standard_meters_exchanged_on_a_first_load_are_set_aside() -> None:
    """With no history: the standard meters exchanged beside its batch meters in order (1.25
    below 5) read swapped, and entered a first load verified at 10 and 2.5."""
    valid = healthy("azure").valid
    assert slipped(valid, {}, {}, dict) == []
    changed, ids = exchanged(valid, batch=False)
    aside = slipped(changed, {}, {}, dict)
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
