"""The catalog the publishing tests read: the recorded epoch-2 world refreshed through the real
flow onto an empty catalog with the accept-new policy (every source), as `ratecard refresh
--replay ../shared/snapshots/worlds/epoch-2.json --accept-new` builds it. Built once a session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import WORLDS, copy_catalog, run_flow


def epoch2_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite file of the epoch-2 accept-new catalog (needs the prefect_api fixture)."""
    path = tmp_path_factory.getbasetemp() / "epoch2-accept-new.db"
    if path.exists():
        return path
    from flows.refresh import refresh

    building = tmp_path_factory.mktemp("epoch2") / "building.db"
    state = run_flow(
        refresh(
            replay=str(WORLDS / "epoch-2.json"),
            database=f"sqlite:///{building}",
            accept_new=True,
            return_state=True,
        )
    )
    assert state.is_completed(), state.message
    copy_catalog(building, path)  # whole or not at all: a failed build leaves no file here
    return path
