"""One price written to fewer digits: the same figure, not a new price.

A source may write a price it stated in full (OpenRouter's 1/12 of a dollar per 1M tokens,
0.0833333333333333) to fewer digits another day or beside another source's full figure
(0.08333333: a listing re-serialized in scientific notation, "8.333333e-08" per token). Read
as stated, each such rounding was a price change to approve (a fault round: 42 items of about
one ten-millionth onto the clean catalog) and, on a first load, a disagreement between two
sources stating one figure. As binary-float artefacts are a source's noise and not a price
(spiders/parsing.py), so is a figure's rounding: a price with at least MIN_DIGITS significant
digits that is another statement of its field rounded at its own last digit (half-even or
half-up) is read as that fuller figure: the catalog's value in force where it is one, else the
fullest stated this run. Its evidence keeps what the source wrote. A figure of fewer digits
(0.0833 for 0.0833333) says too little to tell a rounding from a repricing, and stays as
stated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from catalog.health import PriceKey, price_key
from schemas.records import Observation
from schemas.vocab import Kind

# The significant digits a figure keeps, at least, to be read as a fuller one rounded: six leave
# a relative difference under one in 200,000, below any repricing (a figure written to seven,
# "5.029940e-05", keeps six once its trailing zero is dropped).
MIN_DIGITS = 6


def digits(value: Decimal) -> int:
    """How many significant digits `value` is written with (trailing zeros not counted)."""
    return len(value.normalize().as_tuple().digits)


def rounded_from(short: Decimal, full: Decimal) -> bool:
    """Whether `short` is `full` written to fewer digits: `full` has digits beyond `short`'s
    last, and rounded there (half-even or half-up) it is `short`, which keeps at least
    MIN_DIGITS significant digits."""
    written = short.normalize()
    exponent = written.as_tuple().exponent
    if not isinstance(exponent, int) or digits(written) < MIN_DIGITS or short == full:
        return False
    beyond = full.normalize().as_tuple().exponent
    if not isinstance(beyond, int) or beyond >= exponent:  # no digit beyond short's last
        return False
    step = Decimal(1).scaleb(exponent)
    return any(full.quantize(step, rounding=mode) == written for mode in _ROUNDINGS)


_ROUNDINGS = (ROUND_HALF_EVEN, ROUND_HALF_UP)


def fuller_figures(
    valid: Sequence[Observation], in_force: Mapping[PriceKey, Decimal]
) -> list[Observation]:
    """`valid` (every source's observations this run) with each price that is another
    statement of its field (another source's or observation's this run, or the catalog's
    value in force, `in_force`) written to fewer digits read as that fuller figure: the value
    in force where it is one, else the fullest stated; and a fuller figure of the value in force
    as that value (the catalog holds it rounded: nothing changed). Only prices of MIN_DIGITS
    digits or more are looked at (a rounding keeps that many, and its full figure more).
    Returns a new list, in order; observations not read otherwise are the same objects."""
    long = [  # as written first (cheaper): trailing zeros only add to that count
        (i, o)
        for i, o in enumerate(valid)
        if o.kind is Kind.PRICE
        and o.value
        and len(o.value.as_tuple().digits) >= MIN_DIGITS
        and digits(o.value) >= MIN_DIGITS
    ]
    if not long:
        return list(valid)
    stated: dict[PriceKey, set[Decimal]] = defaultdict(set)
    keys: dict[int, PriceKey] = {}
    for i, o in long:
        keys[i] = key = price_key(o)
        stated[key].add(o.value)
    out = list(valid)
    for i, o in long:
        key = keys[i]
        held = in_force.get(key)
        if held is not None and rounded_from(held, o.value):  # the catalog holds it rounded
            out[i] = replace(o, value=held)
            continue
        figures = stated[key] | ({held} if held is not None else set())
        if len(figures) < 2:
            continue
        fuller = [f for f in figures if rounded_from(o.value, f)]
        if fuller:
            out[i] = replace(o, value=held if held in fuller else max(fuller, key=digits))
    return out
