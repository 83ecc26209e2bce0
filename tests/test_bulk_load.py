"""A large insert into SQLite rebuilds the table's secondary indexes instead of maintaining them
row by row (catalog/store.py `_bulk_load`), on recorded LiteLLM and OpenRouter observations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, select

from catalog import store
from catalog.tables import catalog_values, observations
from tests.observed import LITELLM, OPENROUTER_MAY, observe
from tests.runs import refresh


def _indexes(engine: Engine) -> list[tuple[str, str, str | None]]:
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.exec_driver_sql(
                "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
            )
        ]


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    return seen


def test_a_first_load_rebuilds_the_indexes_and_a_small_refresh_keeps_them(tmp_path: Path) -> None:
    engine = store.connect(f"sqlite:///{tmp_path / 'catalog.db'}")
    schema = _indexes(engine)
    statements = _statements(engine)
    litellm = observe(*LITELLM)
    assert len(litellm) > store.BULK_ROWS

    refresh(engine, litellm, accept_new=True)

    dropped = {s.split('"')[1] for s in statements if s.startswith("DROP INDEX")}
    unique = {name for _, name, sql in schema if sql is None or sql.startswith("CREATE UNIQUE")}
    assert dropped >= {"ix_observations_key", "ix_observations_source_run"}
    assert not dropped & unique  # the invariants (one value in force per field) never go
    assert _indexes(engine) == schema  # created again as they were
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(observations)) == len(litellm)
        in_force = conn.scalar(
            select(func.count())
            .select_from(catalog_values)
            .where(catalog_values.c.valid_to.is_(None))
        )
        assert in_force
        plan = " ".join(
            str(row[-1])
            for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM observations WHERE route = 'openai'"
                " AND model = 'gpt-4o'"
            )
        )
        assert "ix_observations_key" in plan

    statements.clear()
    openrouter = observe(*OPENROUTER_MAY)
    assert len(openrouter) < len(litellm)
    refresh(engine, openrouter)  # fewer rows than the tables hold: the indexes are kept
    assert not [s for s in statements if s.startswith(("DROP INDEX", "CREATE INDEX"))]
    assert _indexes(engine) == schema
    engine.dispose()
