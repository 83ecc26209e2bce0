"""Catalogs staged for races: two open items proposing one field, overlapping accept-new loads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from catalog import queries, store
from catalog.compare import Context, compare
from catalog.tables import catalog_values, runs
from review import submissions as submitted
from review.reviewers import add_reviewer
from schemas.field import FieldId, Measure
from schemas.sources import is_official
from schemas.vocab import Component, Kind, Unit
from tests.observed import OPENROUTER_AUGUST, OPENROUTER_MAY, observe
from tests.runs import refresh

SECRET = "correct horse battery staple"


Proposals = tuple[FieldId, list[int], FieldId, list[int]]


def proposals_for_one_field(url: str) -> Proposals:
    """A real catalog (OpenRouter's recorded May listing loaded, its August listing refreshed)
    with reviewers alice and bob, and two pairs of open items that propose the same field:
    a price change the refresh opened and a user's submission claiming the same new price;
    two submissions claiming a value for a field that holds none yet.
    Returns (field, its two item ids, new field, its two item ids)."""
    engine = store.connect(url)
    refresh(engine, observe(*OPENROUTER_MAY), accept_new=True)
    refresh(engine, observe(*OPENROUTER_AUGUST))
    for name in ("alice", "bob"):
        add_reviewer(engine, name, SECRET)
    with engine.connect() as conn:
        listed = queries.list_reviews(
            conn, status="open", kind="price_change", route="openrouter", source="openrouter"
        )
        items = [queries.get_review(conn, i.id) for i in listed]
        in_force = store.load_catalog(conn)
    cache_write = Measure(Kind.PRICE, Component.CACHE_WRITE, Unit.PER_1M_TOKENS)
    item, change = next(
        (i, c)
        for i in items
        if i is not None and FieldId(i.route, i.model, cache_write) not in in_force
        for c in i.changes
        if not c.dimensions and c.unit == Unit.PER_1M_TOKENS
    )
    field = queries.change_field(item, change)
    new_field = FieldId(item.route, item.model, cache_write)
    claims = [f"{change.component.value} {change.proposed}", "cache_write 1.25", "cache_write 1.5"]
    for claim in claims:
        submitted.submit(
            engine,
            route=item.route,
            model=item.model,
            source_url="http://10.0.0.1/pricing",  # refused by the safe fetcher: no network
            claims=[submitted.parse_claim_text(claim)],
        )
    opened = [r["review_item"] for r in submitted.process_pending(engine)]
    engine.dispose()
    return field, [item.id, opened[0]], new_field, opened[1:]


def values_in_force(url: str, field: FieldId) -> list[str]:
    c = catalog_values.c
    engine = store.connect(url)
    with engine.connect() as conn:
        values = conn.execute(
            select(c.value).where(
                c.route == field.route,
                c.model == field.model,
                c.kind == field.kind.value,
                c.component == field.component.value,
                c.unit == field.unit.value,
                c.dimensions == field.dims.key,
                c.valid_to.is_(None),
            )
        ).scalars()
        found = list(values)
    engine.dispose()
    return found


def overlapping_loads(url: str) -> tuple[int, int, dict[str, Any]]:
    """Two --accept-new loads of OpenRouter's August listing that both read the empty catalog
    before either applies. Returns (fields the first let in, values in force after both, the
    second run's summary)."""
    engine = store.connect(url)
    found = observe(*OPENROUTER_AUGUST)
    now = datetime.now(UTC)
    loads = []
    for _ in range(2):
        run_id = store.start_run(engine, world=None, policy="accept-new", now=now)
        ctx = Context(run_id, now, True, is_official, frozenset({"openrouter"}))
        loads.append((run_id, compare(found, {}, {}, [], ctx)))
    for run_id, comparison in loads:
        store.apply(
            engine,
            run_id,
            valid=found,
            problems=[],
            comparison=comparison,
            source_reports=[],
            now=datetime.now(UTC),
        )
    c = catalog_values.c
    with engine.connect() as conn:
        in_force = conn.execute(select(func.count()).where(c.valid_to.is_(None))).scalar_one()
        summary = conn.execute(select(runs.c.summary).where(runs.c.id == loads[1][0])).scalar_one()
    engine.dispose()
    return len(loads[0][1].new_values), in_force, summary
