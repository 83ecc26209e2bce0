"""The catalog the publishing tests read: the recorded epoch-2 world refreshed through the real
flow onto an empty catalog with the accept-new policy (every source), as `ratecard refresh
--replay ../shared/snapshots/worlds/epoch-2.json --accept-new` builds it. Built once a run, for
every xdist worker (conftest's built_once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import WORLDS, built_once, run_flow


def epoch2_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite file of the epoch-2 accept-new catalog (needs the prefect_api fixture)."""
    return built_once(tmp_path_factory, "epoch2-accept-new.db", build)


def build(path: Path) -> None:
    """The epoch-2 accept-new catalog at `path`: the real flow over every source; it completes."""
    from flows.refresh import refresh

    state = run_flow(
        refresh(
            replay=str(WORLDS / "epoch-2.json"),
            database=f"sqlite:///{path}",
            accept_new=True,
            return_state=True,
        )
    )
    assert state.is_completed(), state.message
