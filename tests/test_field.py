"""FieldId and Dims: the one name of a catalog field, on values read from recorded responses."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from catalog.tables import FIELD_COLUMNS
from schemas.field import Dims, FieldId, Measure
from schemas.records import Draft, FieldChange
from schemas.vocab import Component, Kind, Unit
from tests.observed import OPENROUTER_AUGUST, observe


def test_dims_are_canonical_whatever_the_order_and_defaults() -> None:
    stated = Dims.of({"service_tier": "Batch ", "modality": "text", "cache_ttl": "5m"})
    assert stated == Dims.of({"cache_ttl": "5m", "service_tier": "batch"})
    assert stated.key == "cache_ttl=5m;service_tier=batch"
    assert Dims.parse(stated.key) == stated and hash(Dims.parse(stated.key)) == hash(stated)
    assert Dims.of({"modality": "text", "service_tier": "standard"}).key == ""


def test_unknown_dimension_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"unknown dimensions \['tier'\]"):
        Dims.of({"tier": "batch"})


def test_records_forbid_unknown_fields() -> None:
    with pytest.raises(TypeError, match="dimenssions"):
        Draft(
            route="openai",
            source_model="gpt-4o",
            component=Component.INPUT,
            unit=Unit.PER_1M_TOKENS,
            value=Decimal("2.5"),
            dimenssions={"service_tier": "batch"},  # type: ignore[call-arg]
        )


@pytest.mark.parametrize(
    ("value", "refusal"),
    [
        (Decimal("NaN"), "finite"),
        (Decimal("-Infinity"), "finite"),
        (2.5, "not float"),
        (True, "not bool"),
        ("2.5 USD", "not a number"),
    ],
)
def test_a_draft_value_is_a_finite_decimal(value: object, refusal: str) -> None:
    with pytest.raises(ValueError, match=refusal):
        Draft(
            route="openai",
            source_model="gpt-4o",
            component=Component.INPUT,
            unit=Unit.PER_1M_TOKENS,
            value=value,  # type: ignore[arg-type]
        )


def test_field_ids_of_recorded_observations_order_like_the_catalog() -> None:
    found = [o for o in observe(*OPENROUTER_AUGUST) if o.model]
    ids = sorted({o.field_id() for o in found})
    as_text = [(f.route, f.model, f.kind, f.component, f.unit, f.dims.key) for f in ids]
    assert as_text == sorted(as_text) and len(ids) > 1000


def test_a_stored_change_reads_back_into_its_field() -> None:
    obs = next(o for o in observe(*OPENROUTER_AUGUST) if o.model and o.dimensions)
    change = FieldChange(
        kind=obs.kind,
        component=obs.component,
        unit=obs.unit,
        dimensions=obs.dimensions,
        current=None,
        proposed=str(obs.value),
    )
    stored = change.model_dump(mode="json")
    assert stored["dimensions"] == dict(obs.dimensions)
    back = FieldChange.model_validate(stored)
    assert FieldId(obs.route, obs.model or "", back.measure) == obs.field_id()
    assert back.measure == Measure(obs.kind, obs.component, obs.unit, obs.dimensions)
    assert back.measure != Measure(Kind.PRICE, Component.INPUT, Unit.PER_1M_TOKENS)


def test_a_field_as_its_columns_reads_back_into_itself() -> None:
    """`stored` gives the catalog's field columns, which `from_row` reads back: every field of
    the recorded August listing, dimensions or none."""
    fields = {o.field_id() for o in observe(*OPENROUTER_AUGUST) if o.model}
    assert any(f.dims for f in fields) and any(not f.dims for f in fields)
    for field in fields:
        columns = field.stored()
        assert tuple(columns) == FIELD_COLUMNS
        assert all(type(text) is str for text in columns.values())
        assert FieldId.from_row(SimpleNamespace(**columns)) == field
