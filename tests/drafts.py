"""Helpers for parser tests: pick the one draft that states a field, or the one quarantined."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from schemas.fetch import FieldProblem, Normalized, Uninterpretable
from schemas.records import Draft
from schemas.vocab import Component, Kind, Unit


def value(
    found: list[Draft],
    component: Component,
    unit: Unit = Unit.PER_1M_TOKENS,
    kind: Kind = Kind.PRICE,
    **dims: str,
) -> Decimal:
    """The value of the single draft stating this field; fails if none or several do."""
    matches = [
        d
        for d in found
        if (d.kind, d.component, d.unit) == (kind, component, unit) and d.dimensions == dims
    ]
    assert len(matches) == 1, f"{len(matches)} drafts for {component} {unit} {dims}"
    return matches[0].value


def quarantined(found: Normalized, field: str) -> FieldProblem:
    """The single quarantined field named `field`; fails if none or several are."""
    matches = [p for p in found.problems if p.field == field]
    assert len(matches) == 1, f"{len(matches)} problems for {field}: {found.problems}"
    return matches[0]


def rules(found: Normalized) -> dict[str, str]:
    """Each quarantined field's name and the rule it broke."""
    return {p.field: p.rule for p in found.problems}


def problem_rules(
    normalize: Callable[[dict[str, Any]], Normalized], raw: dict[str, Any]
) -> set[str]:
    """The rules a record broke: the record's own (nothing read) or its quarantined fields'."""
    try:
        return {p.rule for p in normalize(raw).problems}
    except Uninterpretable as exc:
        return {exc.rule}
