"""Authority on a bad day, on recorded responses: OpenRouter's August listing (official for the
openrouter route), LiteLLM's map and models.dev (secondary everywhere). An official source that
fails leaves its verified values to no secondary; a source that fails changes nothing about open
items; what an outage caused closes itself when the source states the values again; a refresh
never re-opens what a reviewer decided while it ran."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from catalog import store
from catalog.compare import MISSING_AFTER, Comparison, Context, Current, Listing, compare
from catalog.tables import review_items, runs, stamps
from review import decisions
from review.reviewers import add_reviewer
from schemas.field import FieldId, ListingId
from schemas.records import Observation, ReviewKind
from schemas.sources import is_official
from tests.conftest import copy_catalog
from tests.observed import LITELLM, MODELSDEV, OPENROUTER_AUGUST, observe
from tests.runs import refresh

NOW = datetime(2026, 9, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def august() -> list[Observation]:
    return observe(*OPENROUTER_AUGUST)


@pytest.fixture(scope="module")
def litellm() -> list[Observation]:
    return observe(*LITELLM)


@pytest.fixture(scope="module")
def modelsdev() -> list[Observation]:
    return observe(*MODELSDEV)


def context(
    live: set[str],
    *,
    accept_new: bool = False,
    held: tuple[Observation, ...] = (),
    unmapped_since: Sequence[Observation] = (),
) -> Context:
    """A run 3's context; the names of `unmapped_since` that map to no model did not since run 1
    (a source's names unmapped all along hold no absence count)."""
    unmapped: dict[tuple[str, str], set[str]] = {}
    for o in unmapped_since:
        if o.model is None:
            unmapped.setdefault((o.source, o.route), set()).add(o.source_model)
    return Context(
        run_id=3,
        now=NOW,
        accept_new=accept_new,
        official=is_official,
        complete_sources=frozenset(live),
        held=held,
        unmapped_before={key: ((1, frozenset(names)),) for key, names in unmapped.items()},
    )


def verified(found: list[Observation]) -> dict[FieldId, Current]:
    """A catalog holding what the official source stated, verified by it."""
    return {o.field_id(): Current(i, o.value, o.source) for i, o in enumerate(found) if o.model}


def against(result: Comparison, catalog: dict[FieldId, Current]) -> list[ReviewKind]:
    """The kinds of the items that propose something for a field the catalog holds."""
    return [
        item.kind
        for item in result.items
        if any(FieldId(item.route, item.model, c.measure) in catalog for c in item.changes)
    ]


def test_official_source_out_secondaries_propose_nothing_against_its_values(
    august: list[Observation], litellm: list[Observation]
) -> None:
    catalog = verified(august)
    healthy = compare([*august, *litellm], catalog, {}, [], context({"openrouter", "litellm"}))
    outage = compare(litellm, catalog, {}, [], context({"litellm"}, held=tuple(august)))
    assert set(against(outage, catalog)) == {ReviewKind.DISAGREEMENT}
    assert sorted(i.fingerprint for i in outage.items) == sorted(
        i.fingerprint for i in healthy.items
    )
    assert {s.source for s in outage.stamps} == {"litellm"}  # held statements stamp nothing
    # Even with nothing of OpenRouter's at hand, a value it verified gets no proposal from a
    # secondary: what LiteLLM says differently is a disagreement at most.
    bare = compare(litellm, catalog, {}, [], context({"litellm"}))
    assert set(against(bare, catalog)) == {ReviewKind.DISAGREEMENT}
    unverified = {key: Current(c.id, c.value) for key, c in catalog.items()}
    loose = compare(litellm, unverified, {}, [], context({"litellm"}))
    assert ReviewKind.PRICE_CHANGE in against(loose, unverified)


def test_a_run_in_which_every_source_failed_proposes_nothing(
    august: list[Observation], litellm: list[Observation]
) -> None:
    """What the sources last said is held as evidence, never a proposal of its own: with a
    catalog that lacks some of OpenRouter's fields (a reviewer rejected them, say), a run in
    which OpenRouter and LiteLLM both failed opens nothing, though the same statements read
    live propose those fields."""
    catalog = verified(august)
    lacking = dict(list(catalog.items())[::2])
    live = compare([*august, *litellm], lacking, {}, [], context({"openrouter", "litellm"}))
    assert {ReviewKind.NEW_VALUE, ReviewKind.DISAGREEMENT} <= {i.kind for i in live.items}
    failed = compare([], lacking, {}, [], context(set(), held=(*august, *litellm)))
    assert failed.items == [] and failed.stamps == [] and failed.new_values == []
    # Beside a source read this run, the held one is evidence: LiteLLM's items come out whole.
    outage = compare(litellm, lacking, {}, [], context({"litellm"}, held=tuple(august)))
    assert outage.items and all("litellm" in i.sources for i in outage.items)
    assert any("openrouter" in i.sources for i in outage.items)


def test_accept_new_lets_no_secondary_value_in_for_a_failed_official_source(
    august: list[Observation], litellm: list[Observation]
) -> None:
    outage = compare(litellm, {}, {}, [], context({"litellm"}, accept_new=True, held=tuple(august)))
    stated = {o.field_id() for o in august if o.model}
    entered = {n.field for n in outage.new_values}
    assert entered and not entered & stated
    healthy = compare(litellm, {}, {}, [], context({"litellm"}, accept_new=True))
    assert {n.field for n in healthy.new_values} & stated


@pytest.fixture(scope="module")
def healthy_catalog(
    tmp_path_factory: pytest.TempPathFactory,
    august: list[Observation],
    litellm: list[Observation],
    modelsdev: list[Observation],
) -> Path:
    """All three sources loaded (accept-new), then refreshed once more in full (review)."""
    path = tmp_path_factory.mktemp("authority") / "healthy.db"
    engine = store.connect(f"sqlite:///{path}")
    refresh(engine, [*august, *litellm, *modelsdev], accept_new=True)
    refresh(engine, [*august, *litellm, *modelsdev])
    engine.dispose()
    return path


@pytest.fixture
def engine(healthy_catalog: Path, tmp_path: Path) -> Engine:
    return store.connect(copy_catalog(healthy_catalog, tmp_path / "catalog.db"))


def items(engine: Engine) -> dict[int, tuple[str, str, str | None]]:
    """Every review item: id -> (fingerprint, status, reason)."""
    c = review_items.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.id, c.fingerprint, c.status, c.reason))
        return {r.id: (r.fingerprint, r.status, r.reason) for r in rows}


def open_fingerprints(engine: Engine) -> set[str]:
    return {f for f, status, _ in items(engine).values() if status == "open"}


def test_a_failed_secondary_changes_nothing_about_open_items(
    engine: Engine, august: list[Observation], modelsdev: list[Observation]
) -> None:
    before = items(engine)
    assert [s for _, s, _ in before.values()].count("open") > 0
    with engine.connect() as conn:
        current, listings = store.load_catalog(conn), store.load_listings(conn)
    absent = compare([*august, *modelsdev], current, listings, [], context({"openrouter"}))
    assert {i.fingerprint for i in absent.items} - open_fingerprints(engine)  # churn, unheld

    run_id, _, opened = refresh(engine, [*august, *modelsdev], failed=["litellm"])

    assert opened == []
    assert items(engine) == before  # nothing opened, superseded or closed
    with engine.connect() as conn:
        from_litellm = conn.execute(
            select(func.count()).where(stamps.c.run_id == run_id, stamps.c.source == "litellm")
        ).scalar_one()
    assert from_litellm == 0


def test_items_an_official_outage_caused_close_themselves_when_it_returns(
    engine: Engine,
    august: list[Observation],
    litellm: list[Observation],
    modelsdev: list[Observation],
) -> None:
    healthy = open_fingerprints(engine)
    # What OpenRouter's outage opened before authority held: secondary values as price changes
    # against the values OpenRouter verified.
    outage_run, _, caused = refresh(
        engine, [*litellm, *modelsdev], failed=["openrouter"], authority=False
    )
    on_openrouter = [i for i in caused if i.route == "openrouter"]
    assert any(i.kind is ReviewKind.PRICE_CHANGE for i in on_openrouter)

    back_run, _, opened = refresh(engine, [*august, *litellm, *modelsdev])

    after = items(engine)
    for item in on_openrouter:
        assert item.id is not None
        _, status, reason = after[item.id]
        assert status == "superseded"
        assert reason == (
            f"closed by itself: opened while openrouter had failed (run {outage_run}); "
            f"it states these values again (run {back_run})"
        )
    assert opened == [] and open_fingerprints(engine) == healthy


def test_a_refresh_never_reopens_what_was_decided_while_it_ran(
    engine: Engine,
    august: list[Observation],
    litellm: list[Observation],
    modelsdev: list[Observation],
) -> None:
    add_reviewer(engine, "alice", "correct horse battery staple")
    c = review_items.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(c.id, c.fingerprint, c.changes)
            .where(c.status == "open", c.kind == ReviewKind.DISAGREEMENT.value)
            .order_by(c.id)
        ).all()
    rejected, approved = [r for r in rows if all(ch["proposed"] for ch in r.changes)][:2]

    def decide() -> None:
        decisions.reject(engine, rejected.id, reviewer="alice", reason="LiteLLM lags")
        decisions.approve(engine, approved.id, reviewer="alice")

    run_id, comparison, _ = refresh(engine, [*august, *litellm, *modelsdev], meanwhile=decide)

    decided = {rejected.fingerprint, approved.fingerprint}
    assert decided <= {i.fingerprint for i in comparison.items}  # it read the catalog before
    assert not decided & open_fingerprints(engine)
    with engine.connect() as conn:
        summary = conn.execute(select(runs.c.summary).where(runs.c.id == run_id)).scalar_one()
    assert summary["stale_items"] >= 2


def test_models_an_official_source_listed_stay_known_while_it_fails(
    tmp_path: Path, august: list[Observation], modelsdev: list[Observation]
) -> None:
    """Names are mapped with the models official sources list (catalog/identity.py): those it
    listed in its last complete listing stay known while it fails, values or not."""
    engine = store.connect(f"sqlite:///{tmp_path / 'review.db'}")
    refresh(engine, [*august, *modelsdev])  # review policy: new models are items, no values
    with engine.connect() as conn:
        known = store.catalog_models(conn) | store.officially_listed(conn)
        assert store.load_catalog(conn) == {}
    assert {o.model for o in august if o.model} <= known
    secondary_only = {o.model for o in modelsdev if o.model} - {o.model for o in august}
    assert secondary_only and not secondary_only & known


def test_a_secondary_absence_opens_no_missing_item_on_what_the_official_source_states(
    august: list[Observation], litellm: list[Observation]
) -> None:
    """LiteLLM's complete map lacks, a third time running, a model of the openrouter route that
    OpenRouter (official there) states this run: the absence is counted, and no item proposes
    closing values OpenRouter stands behind. Where OpenRouter does not state it either (its
    own listing lacks it too), LiteLLM's third absence opens the item."""
    both = {o.model for o in august if o.model} & {
        o.model for o in litellm if o.model and o.route == "openrouter"
    }
    model = sorted(both)[0]
    listing = ListingId("litellm", "openrouter", model)
    listings = {listing: Listing(last_seen_run=1, missing_runs=MISSING_AFTER - 1)}
    without = [o for o in litellm if not (o.route == "openrouter" and o.model == model)]
    live = context({"openrouter", "litellm"}, unmapped_since=litellm)

    stated = compare([*august, *without], {}, listings, [], live)
    assert stated.listings[listing].missing_runs == MISSING_AFTER
    assert not [i for i in stated.items if i.kind is ReviewKind.MISSING]

    unstated = [o for o in august if o.model != model]
    held = {o.field_id(): Current(i, o.value) for i, o in enumerate(august) if o.model == model}
    alone = compare([*unstated, *without], held, listings, [], live)
    assert [(i.kind, i.route, i.model) for i in alone.items if i.kind is ReviewKind.MISSING] == [
        (ReviewKind.MISSING, "openrouter", model)
    ]


def test_a_secondary_absence_opens_no_missing_item_on_what_another_secondary_states(
    litellm: list[Observation], modelsdev: list[Observation]
) -> None:
    """Fault round 35: LiteLLM's third absence proposed closing the values of a model Portkey
    (the source they were accepted from) still stated every day. On a route no official source
    reads here, a model LiteLLM and models.dev both state: LiteLLM's complete map lacking it a
    third time opens no item while models.dev states it, and opens one once neither does."""
    both = {(o.route, o.model) for o in litellm if o.model} & {
        (o.route, o.model) for o in modelsdev if o.model and not is_official(o.source, o.route)
    }
    route, model = sorted(both)[0]
    listing = ListingId("litellm", route, model)
    listings = {listing: Listing(last_seen_run=1, missing_runs=MISSING_AFTER - 1)}
    held = {
        o.field_id(): Current(i, o.value)
        for i, o in enumerate(modelsdev)
        if (o.route, o.model) == (route, model)
    }
    without = [o for o in litellm if (o.route, o.model) != (route, model)]
    live = context({"litellm", "modelsdev"}, unmapped_since=litellm)

    stated = compare([*without, *modelsdev], held, listings, [], live)
    assert stated.listings[listing].missing_runs == MISSING_AFTER
    assert not [i for i in stated.items if i.kind is ReviewKind.MISSING]

    unstated = [o for o in modelsdev if (o.route, o.model) != (route, model)]
    alone = compare([*without, *unstated], held, listings, [], live)
    assert [(i.kind, i.route, i.model) for i in alone.items if i.kind is ReviewKind.MISSING] == [
        (ReviewKind.MISSING, route, model)
    ]
    # Fault round 51: the model's records renamed to a name that maps to no model, new on the
    # route since it was last listed: it may be the model, so its absence is not counted.
    renamed = [
        replace(o, model=None, source_model=f"{o.source_model}-renamed")
        for o in litellm
        if (o.route, o.model) == (route, model)
    ]
    unsure = compare([*without, *renamed, *unstated], held, listings, [], live)
    assert listing not in unsure.listings  # its counter stands as it was
    assert not [i for i in unsure.items if i.kind is ReviewKind.MISSING]
