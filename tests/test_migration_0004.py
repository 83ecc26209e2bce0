"""Migration 0004: one value in force per field. Duplicates left by races before it are closed
deterministically (the latest accepted stays) and reported; afterwards the database refuses them."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from catalog import store
from tests.observed import OPENROUTER_AUGUST, observe


def migrate(url: str, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(store.MIGRATIONS))
    with create_engine(url).begin() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)


INSERT = text(
    "INSERT INTO catalog_values (id, route, model, kind, component, unit, dimensions, value, "
    "valid_from, accepted_by, accepted_source) VALUES (:id, :route, :model, :kind, :component, "
    ":unit, :dimensions, :value, :valid_from, 'review:1', :source)"
)


def test_0004_closes_duplicates_in_force_and_then_refuses_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(url, "0003")
    stated = next(o for o in observe(*OPENROUTER_AUGUST) if o.model == "gpt-4o")
    field = {
        "route": stated.route,
        "model": stated.model,
        "kind": stated.kind.value,
        "component": stated.component.value,
        "unit": stated.unit.value,
        "dimensions": stated.dimensions.key,
        "source": stated.source,
    }
    # What two racing approvals left: the same field in force three times.
    doubled = [
        (1, str(stated.value), "2026-08-19 00:00:00.000000"),
        (2, str(stated.value * 2), "2026-08-20 00:00:00.000000"),
        (3, str(stated.value * 3), "2026-08-19 00:00:00.000000"),
    ]
    with create_engine(url).begin() as conn:
        for value_id, value, valid_from in doubled:
            conn.execute(
                INSERT, {**field, "id": value_id, "value": value, "valid_from": valid_from}
            )

    migrate(url, "0004")

    with create_engine(url).connect() as conn:
        values = conn.execute(text("SELECT id, valid_to FROM catalog_values ORDER BY id")).all()
        audit = conn.execute(
            text("SELECT actor, action, target, reason FROM audit_log ORDER BY target")
        ).all()
    assert [(v.id, v.valid_to) for v in values] == [
        (1, "2026-08-20 00:00:00.000000"),
        (2, None),
        (3, "2026-08-20 00:00:00.000000"),
    ]
    assert [(a.actor, a.action, a.target) for a in audit] == [
        ("migration:0004", "close-duplicate", "value:1"),
        ("migration:0004", "close-duplicate", "value:3"),
    ]
    assert all("value 2 " in a.reason for a in audit)
    with pytest.raises(IntegrityError), create_engine(url).begin() as conn:
        conn.execute(INSERT, {**field, "id": 4, "value": "1", "valid_from": doubled[0][2]})
    migrate(url, "0003", down=True)
    with create_engine(url).begin() as conn:
        conn.execute(INSERT, {**field, "id": 4, "value": "1", "valid_from": doubled[0][2]})
