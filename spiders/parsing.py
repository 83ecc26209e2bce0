"""What every source parser provides, and the helpers they share.

A source module (spiders/<source>.py) has two pure functions:

- ``parse(body: bytes, url: str) -> Page``: the response body into raw records (plain dicts, as
  the source wrote them) and the URLs of further pages to fetch. Raises ``Unparsable`` when the
  body is not what the source sends (not JSON, wrong envelope...).
- ``normalize(record: dict) -> Normalized``: one raw record into drafts in the vocabulary of
  schemas/vocab.py, money as Decimal in the canonical unit, collected by spiders/_drafts.py's
  DraftCollector (one duplicate rule for every source). A field it cannot read is quarantined
  alone (``Normalized.problems``: record, field, rule) and the record's other fields are kept;
  ``Uninterpretable`` is raised only when nothing of the record can be read (no model id, not an
  entry). It never guesses; the refresh reports both with the record's id.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any

from schemas.fetch import Uninterpretable, Unparsable
from schemas.vocab import ROUTER_MODELS

MILLION = Decimal(1_000_000)
DOUBLE_DIGITS = 15  # DBL_DIG: every decimal of up to 15 significant digits survives a double
_DOUBLE = Context(prec=DOUBLE_DIGITS, rounding=ROUND_HALF_EVEN)
UNKNOWN_LIMIT = "a limit of 0 is unknown"


@dataclass
class Page:
    records: list[dict[str, Any]]
    next_urls: list[str] = field(default_factory=list)


def load_json(body: bytes, what: str) -> Any:
    """JSON with every number as Decimal, exactly as written (never binary float)."""
    try:
        return json.loads(body, parse_float=Decimal, parse_int=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Unparsable(f"{what}: body is not JSON ({exc})") from exc


def without_float_noise(written: Decimal) -> Decimal:
    """The decimal a number written from a binary double stands for.

    Sources that compute prices in binary floating point write doubles' digits:
    Portkey's `0.00007499999999999999` cents is the double nearest 0.000075, printed with 16
    digits. The rule: a number written with more than 15 significant digits (DBL_DIG, the most
    a double carries faithfully) is rounded to 15 significant digits (half-even) and trailing
    zeros dropped, if that decimal's nearest double is the written number's nearest double or
    one of its two neighbours (one rounding step of arithmetic, as in 0.1 + 0.2 =
    0.30000000000000004). Otherwise the written number is kept exactly.

    Bound: the result differs from the written number by at most 2 units in the last place of
    its double (|change| <= 2**-51 * |value|, about 4.4e-16 relative). Nothing else changes: a
    number written with up to 15 significant digits, an integer, zero, or a number whose digits
    beyond the 15th are not a double's rounding error (further than one double away) is
    returned as written. Apply it to the number in the unit the source wrote, before scaling.
    """
    _, digits, exponent = written.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0 or len(digits) <= DOUBLE_DIGITS:
        return written
    nearest = float(written)
    if nearest == 0 or not math.isfinite(nearest):
        return written
    rounded = _DOUBLE.plus(written).normalize()
    if abs(float(rounded) - nearest) <= math.ulp(nearest):
        return rounded
    return written


def to_decimal(value: Any, record: str, name: str) -> Decimal:
    """A JSON number or numeric string as Decimal, float noise read away (without_float_noise).

    Raises Uninterpretable (rule "not a number") for anything else: bool, None, text, NaN, inf.
    """
    if isinstance(value, bool) or value is None:
        raise Uninterpretable(record, "not a number", f"{name}={value!r}")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise Uninterpretable(record, "not a number", f"{name}={value!r}") from exc
    if not result.is_finite():
        raise Uninterpretable(record, "not a number", f"{name}={value!r}")
    return without_float_noise(result)


def is_router_pseudo_model(route: str, vendor_model: str) -> bool:
    """Whether `vendor_model` (a `vendor/model` id, without any route prefix a source adds) is a
    router of gateway `route` (schemas/vocab.py ROUTER_MODELS): it has no price of its own."""
    return vendor_model in ROUTER_MODELS.get(route, frozenset())
