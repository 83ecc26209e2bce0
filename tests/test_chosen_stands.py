"""A value a reviewer chose over the others stands while the sources say what they said.

Recorded data: LiteLLM's map and models.dev's api.json (both secondary) loaded together with
accept-new: where they state different values for a field, the catalog holds none and a
`disagreement` item cites both. A reviewer approves it taking one source's value
(`--use-source`). The next refresh, every source stating exactly what it stated, opened a
`price_change` from the chosen value to the other source's: the question the reviewer had just
answered, asked again. README: an item a reviewer decided is not opened again while every
source's value is the same; once one differs it is a new question.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from catalog import queries, store
from catalog.tables import catalog_values, runs
from catalog.views import ReviewDetail
from review import decisions
from review.reviewers import add_reviewer
from schemas.records import Observation
from tests.conftest import copy_catalog
from tests.observed import LITELLM, MODELSDEV, observe
from tests.runs import loaded_once, refresh

SECRET = "correct horse battery staple"


@pytest.fixture(scope="module")
def live() -> list[Observation]:
    return [*observe(*LITELLM), *observe(*MODELSDEV)]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`live` loaded (a copy of the run's one such catalog, tests.runs `loaded_once`;
    test_refusals_previewed starts from the same) and alice."""
    path = tmp_path_factory.mktemp("chosen") / "catalog.db"
    engine = store.connect(copy_catalog(loaded_once(tmp_path_factory, LITELLM, MODELSDEV), path))
    add_reviewer(engine, "alice", SECRET)
    engine.dispose()
    return path


def between_sources(db: str) -> ReviewDetail:
    """An open disagreement between LiteLLM and models.dev on a price the catalog holds none of,
    each stating one value."""
    with store.connect(db).connect() as conn:
        for row in queries.list_reviews(conn, status="open", kind="disagreement"):
            item = queries.get_review(conn, row.id)
            if item is None or len(item.changes) != 1:
                continue
            change = item.changes[0]
            said = {s.source: s.value for s in change.sources}
            if (
                change.current is None
                and change.unit.value == "usd_per_1m_tokens"
                and sorted(said) == ["litellm", "modelsdev"]
                and len(change.sources) == 2
            ):
                return item
    raise AssertionError("the recorded maps disagree on a price the catalog holds none of")


def opened_on(db: str, item: ReviewDetail, after: int) -> list[tuple[str, str]]:
    """(kind, title) of each item about the item's field opened after item `after`."""
    component = item.changes[0].component.value
    with store.connect(db).connect() as conn:
        listed = queries.list_reviews(conn, status=None, route=item.route, model=item.model)
        found = [queries.get_review(conn, i.id) for i in listed if i.id > after]
    return [
        (i.kind.value, i.title)
        for i in found
        if i is not None and any(c.component.value == component for c in i.changes)
    ]


def last_item(db: str) -> int:
    with store.connect(db).connect() as conn:
        return max(i.id for i in queries.list_reviews(conn, status=None))


def in_force(db: str, item: ReviewDetail) -> str:
    change = item.changes[0]
    c = catalog_values.c
    with store.connect(db).connect() as conn:
        return str(
            conn.execute(
                select(c.value).where(
                    c.route == item.route,
                    c.model == item.model,
                    c.component == change.component,
                    c.dimensions == queries.change_field(item, change).dims.key,
                    c.valid_to.is_(None),
                )
            ).scalar_one()
        )


def test_the_same_sources_again_do_not_reopen_a_reviewers_choice(
    loaded: Path, tmp_path: Path, live: list[Observation]
) -> None:
    db = copy_catalog(loaded, tmp_path / "catalog.db")
    item = between_sources(db)
    chosen = next(s for s in item.changes[0].sources if s.source == "modelsdev")
    decisions.approve(
        store.connect(db),
        item.id,
        reviewer="alice",
        use_source="modelsdev",
        reason="models.dev has the provider's price",
    )
    assert in_force(db, item) == chosen.value
    engine = store.connect(db)
    before = last_item(db)
    run_id, _, _ = refresh(engine, live)
    assert opened_on(db, item, before) == []  # the question answered is not asked again
    with engine.connect() as conn:
        summary = conn.execute(select(runs.c.summary).where(runs.c.id == run_id)).scalar_one()
    assert summary["decided_before"] >= 1
    assert in_force(db, item) == chosen.value

    # LiteLLM moves (to neither value stated before): a new question, against the value chosen
    field = item.changes[0]
    moved = [
        replace(o, value=o.value * 3)
        if o.source == "litellm"
        and (o.route, o.model, o.component, o.dimensions.key)
        == (item.route, item.model, field.component, field.dimensions.key)
        else o
        for o in live
    ]
    assert moved != live
    before = last_item(db)
    refresh(engine, moved)
    [(kind, title)] = opened_on(db, item, before)
    assert kind in {"price_change", "disagreement"} and str(chosen.value) in title


def test_choosing_the_source_that_states_the_value_in_force_writes_nothing(
    loaded: Path, tmp_path: Path
) -> None:
    """A disagreement approved with --use-source naming the source whose value is the one in
    force closed that value and opened the same one, splitting the field's history for nothing.
    Here the field took models.dev's value meanwhile (another reviewer's decision)."""
    db = copy_catalog(loaded, tmp_path / "catalog.db")
    item = between_sources(db)
    change = item.changes[0]
    chosen = next(s for s in change.sources if s.source == "modelsdev")
    field = queries.change_field(item, change)
    engine = store.connect(db)
    with engine.begin() as conn:
        conn.execute(
            insert(catalog_values).values(
                route=field.route,
                model=field.model,
                kind=field.kind.value,
                component=field.component.value,
                unit=field.unit.value,
                dimensions=field.dims.key,
                value=chosen.value,
                valid_from=chosen.observed_at,
                accepted_by="review:another",
                accepted_source="modelsdev",
            )
        )
    with engine.connect() as conn:
        before = [h.as_json() for h in queries.field_history(conn, field)]
    decision = decisions.approve(
        engine, item.id, reviewer="alice", use_source="modelsdev", reason="as in force"
    )
    assert decision.changed and (decision.closed, decision.opened) == ([], [])
    with engine.connect() as conn:
        assert [h.as_json() for h in queries.field_history(conn, field)] == before
    assert in_force(db, item) == chosen.value
