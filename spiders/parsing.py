"""What every source parser provides, and the helpers they share.

A source module (spiders/<source>.py) has two pure functions:

- ``parse(body: bytes, url: str) -> Page``: the response body into raw records (plain dicts, as
  the source wrote them) and the URLs of further pages to fetch. Raises ``Unparsable`` when the
  body is not what the source sends (not JSON, wrong envelope...).
- ``normalize(record: dict) -> list[Draft]``: one raw record into drafts in the vocabulary of
  schemas/vocab.py, money as Decimal in the canonical unit. Raises ``Uninterpretable`` for a
  record it cannot read (never guesses); the refresh reports it with the record's id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from schemas.fetch import Uninterpretable, Unparsable
from schemas.records import Draft

MILLION = Decimal(1_000_000)


@dataclass
class Page:
    records: list[dict[str, Any]]
    next_urls: list[str] = field(default_factory=list)


def load_json(body: bytes, what: str) -> Any:
    """JSON with every number as Decimal (never binary float)."""
    try:
        return json.loads(body, parse_float=Decimal, parse_int=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Unparsable(f"{what}: body is not JSON ({exc})") from exc


def to_decimal(value: Any, record: str, name: str) -> Decimal:
    """A number or numeric string as Decimal; anything else is Uninterpretable."""
    if isinstance(value, bool) or value is None:
        raise Uninterpretable(record, "not a number", f"{name}={value!r}")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise Uninterpretable(record, "not a number", f"{name}={value!r}") from exc
    if not result.is_finite():
        raise Uninterpretable(record, "not a number", f"{name}={value!r}")
    return result


def unique_drafts(record: str, drafts: list[Draft]) -> list[Draft]:
    """One draft per (kind, component, unit, dimensions); a repeat must state the same value."""
    kept: dict[tuple[str, ...], Draft] = {}
    for draft in drafts:
        key = draft.measure
        prior = kept.setdefault(key, draft)
        if prior.value != draft.value:
            raise Uninterpretable(
                record, "conflicting values", f"{prior.evidence} vs {draft.evidence}"
            )
    return list(kept.values())
