"""Races on one SQLite catalog: reviewers deciding at the same moment from two processes, and
two accept-new loads that overlap. One value in force per field, whoever is first."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from catalog import queries, store
from catalog.tables import catalog_values
from review import decisions
from schemas.records import ReviewKind
from tests.deciding import approve_at_once
from tests.racing import (
    Proposals,
    overlapping_loads,
    proposals_for_one_field,
    values_in_force,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def raced(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[int, str], Proposals]:
    """Two pairs of reviewers, each pair approving two items for one field, all four processes
    at the same moment."""
    url = f"sqlite:///{tmp_path_factory.mktemp('race') / 'race.db'}"
    proposals = proposals_for_one_field(url)
    _, items, _, new_items = proposals
    outcome = approve_at_once(
        url,
        [(items[0], "alice"), (items[1], "bob"), (new_items[0], "alice"), (new_items[1], "bob")],
    )
    return url, outcome, proposals


def one_wins(outcome: dict[int, str], items: list[int]) -> bool:
    """One of the items approved, the other refused because the field changed meanwhile."""
    results = [outcome[i] for i in items]
    refused = [r for r in results if r != "approved"]
    return (
        len(refused) == 1 and refused[0].startswith("Stale: ") and "changed meanwhile" in refused[0]
    )


def test_two_reviewers_approving_the_same_field_at_once(
    raced: tuple[str, dict[int, str], Proposals],
) -> None:
    url, outcome, (field, items, _, _) = raced
    assert one_wins(outcome, items), outcome
    assert len(values_in_force(url, field)) == 1


def test_two_reviewers_adding_the_same_new_field_at_once(
    raced: tuple[str, dict[int, str], Proposals],
) -> None:
    url, outcome, (_, _, new_field, new_items) = raced
    assert one_wins(outcome, new_items), outcome
    assert values_in_force(url, new_field) in (["1.25"], ["1.5"])


def test_the_database_refuses_a_second_value_in_force(
    raced: tuple[str, dict[int, str], Proposals],
) -> None:
    url, _, (field, _, _, _) = raced
    engine = store.connect(url)
    row = {
        "route": field.route,
        "model": field.model,
        "kind": field.kind.value,
        "component": field.component.value,
        "unit": field.unit.value,
        "dimensions": field.dims.key,
        "value": "1",
        "accepted_by": "test",
        "accepted_source": "test",
    }
    with pytest.raises(IntegrityError, match="UNIQUE"), engine.begin() as conn:
        conn.execute(insert(catalog_values).values(valid_from=datetime.now(UTC), **row))


def test_overlapping_accept_new_loads_put_one_value_in_force(tmp_path: Path) -> None:
    let_in, in_force, summary = overlapping_loads(f"sqlite:///{tmp_path / 'loads.db'}")
    assert in_force == let_in > 0
    assert len(summary["in_force_meanwhile"]) == let_in


def test_a_submission_of_the_value_an_approval_just_verified_is_stale(tmp_path: Path) -> None:
    """The race's one order, in turn: the price change approved (its value verified), then the
    submission claiming the same new value, proposed against the value before: changed
    meanwhile, refused as stale, not approved as a confirmation of the value in force (a CI run
    saw both approved when the price change won the race)."""
    url = f"sqlite:///{tmp_path / 'race.db'}"
    _, items, _, _ = proposals_for_one_field(url)
    engine = store.connect(url)
    with engine.connect() as conn:
        kinds = {i: queries.get_review(conn, i).kind for i in items}  # type: ignore[union-attr]
    [change] = [i for i in items if kinds[i] != ReviewKind.SUBMISSION]
    [submission] = [i for i in items if kinds[i] == ReviewKind.SUBMISSION]
    assert decisions.approve(engine, change, reviewer="alice").changed
    with pytest.raises(decisions.Stale, match="changed meanwhile"):
        decisions.approve(
            engine, submission, reviewer="bob", override=True, reason="stated at the URL"
        )
