"""What a review item's title says of a field no catalog value holds: what its sources state."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from schemas.records import FieldChange


def stated(change: FieldChange) -> str:
    """The sources' values of one field, grouped by value (smallest first), e.g.
    'openrouter 0.75 vs litellm, modelsdev 0.8'; '' when no source is cited."""
    by_value: dict[str, list[str]] = defaultdict(list)
    for source in change.sources:
        by_value[source.value].append(source.source)
    return " vs ".join(
        f"{', '.join(sorted(set(names)))} {value}"
        for value, names in sorted(by_value.items(), key=lambda item: Decimal(item[0]))
    )
