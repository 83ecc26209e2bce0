"""A price written to fewer digits of a figure stated in full is that figure (catalog/figures.py).

Fault round h51: OpenRouter's two recorded listings with every price re-serialized to seven
significant digits in scientific notation ("8.333333e-08" for "0.0000000833333333333333", 1/12
of a dollar per 1M tokens). Onto the clean epoch-2 catalog they opened 42 approvable price
changes of about a ten-millionth (cache_write 0.0833333333333333 -> 0.08333333), and on a first
load 11 disagreements of one figure with itself. Read from the recorded epoch-2 listings,
changed here, as a refresh reads them (tests/test_fault_kinds.py's reading path).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from catalog.figures import fuller_figures, rounded_from
from catalog.health import price_key, prices_by_field
from schemas.vocab import Kind
from tests.test_fault_kinds import bodies, read


@pytest.mark.parametrize(
    ("short", "full", "rounded"),
    [
        ("0.08333333", "0.0833333333333333", True),
        ("14.64844", "14.6484375", True),  # half-even and half-up alike
        ("50.2994", "50.2994011976048", True),  # seven digits written, the trailing 0 dropped
        ("0.0833", "0.0833333", False),  # four digits: a rounding or a repricing?
        ("0.08333334", "0.0833333333333333", False),  # not its rounding
        ("0.0833333333333333", "0.08333333", False),  # the fuller one is no rounding
        ("2.5", "2.50", False),  # one figure
    ],
)
def test_a_rounding_keeps_six_digits_and_rounds_the_full_figure(
    short: str, full: str, rounded: bool
) -> None:
    assert rounded_from(Decimal(short), Decimal(full)) is rounded


def _seven_digits(body: bytes) -> bytes:
    listing = json.loads(body)
    for model in listing["data"]:
        pricing = model.get("pricing") or {}
        for key, value in pricing.items():
            if isinstance(value, str) and value not in ("0", "-1") and Decimal(value) > 0:
                pricing[key] = f"{Decimal(value):.6e}"
    return json.dumps(listing).encode()


def test_a_listing_reserialized_to_seven_digits_states_the_catalogs_figures() -> None:
    clean = read("openrouter", bodies("openrouter"))
    in_force = prices_by_field(clean.valid)
    rounded = read("openrouter", {u: _seven_digits(b) for u, b in bodies("openrouter").items()})
    assert not rounded.failure
    differing = {
        price_key(o)
        for o in rounded.valid
        if o.kind is Kind.PRICE and in_force.get(price_key(o), o.value) != o.value
    }
    assert len(differing) >= 40  # the roundings as stated
    read_as = fuller_figures(rounded.valid, in_force)
    assert [
        o
        for o in read_as
        if o.kind is Kind.PRICE and in_force.get(price_key(o), o.value) != o.value
    ] == []
    changed = [(o, was) for o, was in zip(read_as, rounded.valid, strict=True) if o is not was]
    assert {price_key(o) for o, _ in changed} == differing
    assert all(o.evidence == was.evidence and "e-" in o.evidence for o, was in changed)
    # on a first load the fuller figure another statement of the field gives is the one read
    full = [o for o in clean.valid if price_key(o) in differing]
    first = fuller_figures([*rounded.valid, *full], {})
    assert {o.value for o in first if price_key(o) in differing} == {o.value for o in full}
