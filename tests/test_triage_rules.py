"""Triage's rules as properties over any item: only a submission is P1, and it keeps the due time
of the promise; every other item is due `due_hours` of its class after it was created, one step
more urgent when large; sets group by run, lead source, route and kind (new models by model)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from catalog import store
from catalog.tables import review_items
from review import triage
from schemas.records import FieldChange, ReviewKind, ReviewStatus, SourceValue

CREATED = datetime(2026, 8, 20, tzinfo=UTC)
PROMISED = CREATED + timedelta(hours=5)


def change(pct: float | None, official: bool) -> FieldChange:
    return FieldChange.model_validate(
        {
            "kind": "price",
            "component": "input",
            "unit": "usd_per_1m_tokens",
            "dimensions": {},
            "current": "1",
            "proposed": "2",
            "pct_change": pct,
            "sources": [
                SourceValue(
                    source="azure" if official else "litellm",
                    official=official,
                    value="2",
                    observed_at=CREATED,
                    url="https://prices.azure.com/api/retail/prices",
                    evidence="x",
                ).model_dump()
            ],
        }
    )


@given(
    kind=st.sampled_from(list(ReviewKind)),
    pcts=st.lists(st.one_of(st.none(), st.floats(-100, 10_000)), max_size=14),
    official=st.booleans(),
    verified=st.booleans(),
    run=st.one_of(st.none(), st.integers(1, 50)),
)
def test_priority_due_time_and_set_follow_the_policy(
    kind: ReviewKind, pcts: list[float | None], official: bool, verified: bool, run: int | None
) -> None:
    changes = [change(p, official) for p in pcts]
    item = SimpleNamespace(
        id=7,
        kind=kind.value,
        route="azure",
        model="o1-mini",
        run_id=run,
        created_at=CREATED,
        due_at=PROMISED,
        sources=["litellm", "azure"] if official else ["litellm"],
    )
    done = triage.triage(item, changes, [verified] * len(changes))
    rule = triage.policy()[done.klass]
    if kind is ReviewKind.SUBMISSION:
        assert done.priority == 1 and done.due_at == PROMISED
        assert done.set_id == "submission:7"
        return
    assert 2 <= done.priority <= rule.priority
    large = len(changes) >= 10 or any(p is not None and abs(p) >= 50 for p in pcts)
    assert done.priority == max(2, rule.priority - large)
    assert done.due_at == CREATED + timedelta(hours=rule.due_hours)
    assert done.lead_source == ("azure" if official else "litellm")
    expected_set = f"{run if run is not None else 'none'}:{done.lead_source}:azure:{kind.value}"
    if kind is ReviewKind.NEW_MODEL:
        expected_set += ":o1-mini"
    assert done.set_id == expected_set
    if kind is ReviewKind.PRICE_CHANGE and official and verified and changes:
        assert done.klass == "official_change"  # (a change names its fields: none, no source)
    if not official and kind in (ReviewKind.PRICE_CHANGE, ReviewKind.NEW_VALUE):
        assert done.klass == "secondary_only"


def test_items_a_refresh_opened_are_triaged_as_if_read_back(catalog_db: str) -> None:
    """The refresh triages the items it opened from memory; triaging the same items read back
    from review_items (and their changes parsed again) writes exactly the same columns."""
    engine = store.connect(catalog_db)
    c = review_items.c
    columns = (c.id, c.priority, c.due_at, c.set_id, c.lead_source, c.fields)
    opened = select(*columns).where(c.status == ReviewStatus.OPEN.value).order_by(c.id)
    with engine.begin() as conn:
        from_memory = conn.execute(opened).all()
        conn.execute(update(review_items).values(priority=None))
    assert len(from_memory) > 100 and all(row.priority is not None for row in from_memory)
    assert triage.assign_pending(engine) == len(from_memory)
    with engine.connect() as conn:
        assert conn.execute(opened).all() == from_memory
