"""One record's drafts, collected so that a field is stated once.

Aggregator files often state one price in two places (Portkey's `pay_as_you_go` and its
`custom_pricing` copy, two spellings of the same key). The same value twice is one draft whose
evidence names both places; two different values for one field are Uninterpretable: the record
contradicts itself and the normalizer does not pick one.

"The same value" allows for binary-float noise: these JSON files are written from doubles, exact to
15 significant digits, so Portkey's `5.999999999999999e-05` and `6e-05` are one value (the shorter
text is kept). Anything further apart is a conflict.
"""

from __future__ import annotations

from decimal import Context, Decimal

from schemas.fetch import Uninterpretable
from schemas.field import Dims
from schemas.records import Draft
from schemas.vocab import Component, Kind, Unit

FieldKey = tuple[Kind, Component, Unit, Dims]
DOUBLE = Context(prec=15)


def same_number(a: Decimal, b: Decimal) -> bool:
    """Equal, or equal once rounded to the 15 significant digits a double carries."""
    return a == b or DOUBLE.plus(a) == DOUBLE.plus(b)


def plain(value: Decimal) -> Decimal:
    """Without a positive exponent: `scaleb` turns 0.001 cents into 1E+1, stored as 10."""
    exponent = value.as_tuple().exponent
    return value.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else value


def _shorter(a: Decimal, b: Decimal) -> Decimal:
    return min((a, b), key=lambda v: len(v.normalize().as_tuple().digits))


class DraftCollector:
    """The drafts of one record (one route, one source model)."""

    def __init__(self, record: str, route: str, source_model: str) -> None:
        self.record = record
        self.route = route
        self.source_model = source_model
        self._values: dict[FieldKey, tuple[Decimal, list[str]]] = {}

    def add(
        self,
        component: Component,
        unit: Unit,
        value: Decimal,
        evidence: str,
        dimensions: dict[str, str] | None = None,
        kind: Kind = Kind.PRICE,
    ) -> None:
        value = plain(value)
        dims = Dims.of(dimensions)
        key: FieldKey = (kind, component, unit, dims)
        if key not in self._values:
            self._values[key] = (value, [evidence])
            return
        known, evidences = self._values[key]
        if not same_number(known, value):
            raise Uninterpretable(
                self.record,
                "conflicting values",
                f"{component.value}/{unit.value} [{dims.key}]: {evidences[0]} vs {evidence}",
            )
        self._values[key] = (_shorter(known, value), [*evidences, evidence])

    def drafts(self) -> list[Draft]:
        return [
            Draft(
                route=self.route,
                source_model=self.source_model,
                kind=kind,
                component=component,
                unit=unit,
                dimensions=dict(dims),
                value=value,
                evidence="; ".join(evidences),
                record=self.record,
            )
            for (kind, component, unit, dims), (value, evidences) in self._values.items()
        ]
