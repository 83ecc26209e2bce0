"""A catalog whose database refuses the apply's write ends the run in one line (fault round 29:
a full disk gave four tracebacks and the SQL with its parameters). The refusal here is SQLite's
own: the database may not grow past the pages it holds (max_page_count), as on a full disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from catalog import store
from catalog.tables import catalog_values, runs
from flows import refresh as refresh_flow
from tests.conftest import WORLDS, run_flow

pytestmark = pytest.mark.integration


def test_a_full_catalog_ends_the_run_in_one_line_with_nothing_applied(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    store.connect(db).dispose()
    applying = store.apply

    def on_a_full_disk(engine: Engine, *args: Any, **kwargs: Any) -> Any:
        with engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
        engine.pool.dispose()  # every connection from here on is limited

        @event.listens_for(engine, "connect")
        def limited(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        return applying(engine, *args, **kwargs)

    monkeypatch.setattr(store, "apply", on_a_full_disk)
    state = run_flow(
        refresh_flow.refresh(
            sources=["vercel"],
            replay=str(WORLDS / "epoch-2.json"),
            database=db,
            accept_new=True,
            return_state=True,
        )
    )
    assert state.is_failed()
    run_id = state.result(raise_on_failure=False)
    assert state.message == (
        "the catalog refused the write: database or disk is full; "
        f"nothing applied (run {run_id} recorded failed)"
    )
    with store.connect(db).connect() as conn:
        assert conn.execute(select(runs.c.status).where(runs.c.id == run_id)).scalar() == "failed"
        assert conn.execute(select(func.count()).select_from(catalog_values)).scalar() == 0
