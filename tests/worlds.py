"""Replay worlds made in a test from a recorded one: some URLs answer differently (a status, a
body made from the real recorded one, a delay, a redirect), everything else as recorded."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import ColumnElement, select

from catalog import runlog, store
from catalog.tables import catalog_values, quarantine, review_items, source_runs
from spiders.ahead import FetchAhead
from tests.conftest import WORLDS, copy_catalog, replayed_catalog, run_flow


def fault_world(
    tmp_path: Path,
    broken: dict[str, dict[str, Any]],
    extra: list[dict[str, Any]] | None = None,
    base: str = "epoch-2",
) -> Path:
    """`base` with each URL in `broken` answering its override (a "body" replaces the recorded
    file) and the `extra` responses added (e.g. where a redirect leads)."""
    manifest = json.loads((WORLDS / f"{base}.json").read_text())
    for entry in manifest["responses"]:
        if "file" in entry:
            entry["file"] = str((WORLDS / entry["file"]).resolve())
        override = broken.get(entry["url"], {})
        if "body" in override:
            entry.pop("file", None)
        entry.update(override)
    manifest["responses"] += extra or []
    path = tmp_path / "world.json"
    path.write_text(json.dumps(manifest))
    return path


def recorded_text(url: str, base: str = "epoch-2") -> str:
    """The body the `base` world records for `url`, as text (a broken variant starts here)."""
    manifest = json.loads((WORLDS / f"{base}.json").read_text())
    [entry] = [e for e in manifest["responses"] if e["url"] == url and "file" in e]
    return (WORLDS / str(entry["file"])).read_text()


def review_rows(
    db: str, columns: tuple[ColumnElement[Any], ...], *where: ColumnElement[bool]
) -> list[Any]:
    """The `columns` of `db`'s review items that meet every condition of `where`, in the order
    the items were opened (by id)."""
    with store.connect(db).connect() as conn:
        query = select(*columns).where(*where).order_by(review_items.c.id)
        return list(conn.execute(query))


def in_force(
    db: str, route: str, component: str, *where: ColumnElement[bool]
) -> dict[str, Decimal]:
    """`db`'s values in force of `route`'s `component` that meet every condition of `where`,
    by model and dimensions ('MODEL DIMS', the dimensions as stored: 'k=v;k=v', '' for none)."""
    c = catalog_values.c
    wanted = [c.valid_to.is_(None), c.route == route, c.component == component, *where]
    with store.connect(db).connect() as conn:
        rows = conn.execute(select(c.model, c.dimensions, c.value).where(*wanted))
        return {f"{row.model} {row.dimensions}": Decimal(row.value) for row in rows}


def quarantined(db: str, run_id: int, rule: str) -> list[str]:
    """The records of `db`'s quarantine rows under `rule` last seen in run `run_id`."""
    q = quarantine.c
    with store.connect(db).connect() as conn:
        query = select(q.record).where(q.last_run_id == run_id, q.rule == rule)
        return list(conn.scalars(query))


def replayed(
    db: str,
    world: Path,
    sources: list[str],
    *,
    accept_new: bool = False,
    ahead: FetchAhead | None = None,
) -> Any:
    """The real refresh flow of `sources` replaying `world` into `db`: its final state. `ahead`:
    the crawl a command would have started in a child as it began (spiders/ahead.py)."""
    from flows.refresh import refresh

    return run_flow(
        refresh(
            sources=sources,
            replay=str(world),
            database=db,
            accept_new=accept_new,
            ahead=ahead,
            return_state=True,
        )
    )


def replayed_run(db: str, world: Path, sources: list[str], *, accept_new: bool = False) -> int:
    """`replayed`, which must complete: the id of the run it made."""
    state = replayed(db, world, sources, accept_new=accept_new)
    assert state.is_completed(), state.message
    run_id = state.result()
    assert isinstance(run_id, int)
    return run_id


def epoch2_loaded(
    tmp_path_factory: pytest.TempPathFactory, target: Path, sources: list[str]
) -> str:
    """A catalog at `target` that `sources`' epoch-2 answers were loaded into (accept-new); its
    URL. A copy of the one catalog of this refresh the run builds (conftest's
    `replayed_catalog`)."""
    runs = [("epoch-2", sources, True)]
    return copy_catalog(replayed_catalog(tmp_path_factory, runs), target)


def newest_run_id(db: str) -> int:
    """The id of `db`'s newest run: on a copy of a catalog `replayed_catalog` made, the run of
    its last refresh (which completed: the build checks each)."""
    engine = store.connect(db)
    try:
        return runlog.newest_run(engine)
    finally:
        engine.dispose()


def epoch2_under_review(
    tmp_path_factory: pytest.TempPathFactory, folder: Path, sources: list[str], days: int = 1
) -> str:
    """A catalog in `folder` that `sources`' epoch-2 answers were read into under review on
    `days` days in turn (what they state opens new-model items, which stay open); its URL. A
    copy of the one catalog of these refreshes the run builds (conftest's `replayed_catalog`)."""
    runs = [("epoch-2", sources, False)] * days
    return copy_catalog(replayed_catalog(tmp_path_factory, runs), folder / "catalog.db")


def epoch2_after_epoch1(
    tmp_path_factory: pytest.TempPathFactory, folder: Path, sources: list[str]
) -> Path:
    """A catalog in `folder` of `sources`' epoch-1 answers (accept-new), then their epoch-2
    answers (review: the new-model items and changes epoch-2 opens stay open); its path. A copy
    of the one catalog of these refreshes the run builds (conftest's `replayed_catalog`)."""
    base = folder / "catalog.db"
    runs = [("epoch-1", sources, True), ("epoch-2", sources, False)]
    copy_catalog(replayed_catalog(tmp_path_factory, runs), base)
    return base


def reported(db: str, run_id: int) -> dict[str, tuple[str, str]]:
    """Each source's status and reason in run `run_id` of `db`, by source."""
    sr = source_runs.c
    with store.connect(db).connect() as conn:
        found = conn.execute(select(sr.source, sr.status, sr.reason).where(sr.run_id == run_id))
        return {row.source: (row.status, row.reason) for row in found}
