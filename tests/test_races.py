"""Races on one SQLite catalog: reviewers deciding at the same moment from two processes, and
two accept-new loads that overlap. One value in force per field, whoever is first."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from catalog import store
from catalog.tables import catalog_values
from tests.racing import (
    approve_at_once,
    overlapping_loads,
    proposals_for_one_field,
    values_in_force,
)

pytestmark = pytest.mark.integration


def assert_one_wins(outcome: dict[str, str]) -> None:
    assert list(outcome.values()).count("approved") == 1, outcome
    [refused] = [text for text in outcome.values() if text != "approved"]
    assert refused.startswith("Stale: ") and "changed meanwhile" in refused, refused


def test_two_reviewers_approving_the_same_field_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    field, items, new_field, new_items = proposals_for_one_field(url)
    assert_one_wins(approve_at_once(url, [(items[0], "alice"), (items[1], "bob")]))
    assert len(values_in_force(url, field)) == 1
    assert_one_wins(approve_at_once(url, [(new_items[0], "alice"), (new_items[1], "bob")]))
    assert values_in_force(url, new_field) in (["1.25"], ["1.5"])


def test_the_database_refuses_a_second_value_in_force(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    field, _, _, _ = proposals_for_one_field(url)
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
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(catalog_values).values(valid_from=datetime.now(UTC), **row))


def test_overlapping_accept_new_loads_put_one_value_in_force(tmp_path: Path) -> None:
    let_in, in_force, summary = overlapping_loads(f"sqlite:///{tmp_path / 'loads.db'}")
    assert in_force == let_in > 0
    assert len(summary["in_force_meanwhile"]) == let_in
