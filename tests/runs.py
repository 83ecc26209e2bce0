"""Refreshes without fetching: recorded observations compared and applied the way the refresh
flow does it (store.load_catalog, store.last_statements for the sources that failed, compare,
store.apply), so tests can stage a healthy day, an outage and a recovery on a real catalog."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from catalog import store
from catalog.compare import Comparison, Context, Current, compare
from schemas.records import Observation, ReviewItem, SourceRun, SourceStatus
from schemas.sources import is_official
from tests.conftest import built_once
from tests.observed import observe


def refresh(
    engine: Engine,
    live: Sequence[Observation],
    *,
    accept_new: bool = False,
    failed: Sequence[str] = (),
    authority: bool = True,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[int, Comparison, list[ReviewItem]]:
    """One refresh in which the sources of `live` answered in full and those in `failed` did
        not. `authority=False` compares the way ratecard did before authority held during outages
        (failed sources held nothing, verified values had no say): what opened the items an
        outage caused in catalogs of that time. `meanwhile` runs between compare and apply (what
    reviewers do while a refresh runs). Returns (run id, the comparison, the items it opened)."""
    now = datetime.now(UTC)
    run_id = store.start_run(engine, world=None, policy="test", now=now)
    answered = Counter(o.source for o in live)
    with engine.connect() as conn:
        current = store.load_catalog(conn)
        listings = store.load_listings(conn)
        unmapped_before = store.unmapped_names(conn)
        held = store.last_statements(conn, failed) if authority else ()
    if not authority:
        current = {k: Current(v.id, v.value) for k, v in current.items()}
    ctx = Context(
        run_id=run_id,
        now=now,
        accept_new=accept_new,
        official=is_official,
        complete_sources=frozenset(answered),
        held=held,
        unmapped_before=unmapped_before,
    )
    comparison = compare(live, current, listings, [], ctx)
    if meanwhile is not None:
        meanwhile()
    reports = [
        SourceRun(source=s, status=SourceStatus.OK, observations=n) for s, n in answered.items()
    ]
    reports += [SourceRun(source=s, status=SourceStatus.FAILED, reason="HTTP 500") for s in failed]
    opened = store.apply(
        engine,
        run_id,
        valid=live,
        problems=[],
        comparison=comparison,
        source_reports=[r.model_dump() for r in reports],
        now=datetime.now(UTC),
    )
    store.finish_run(engine, run_id, status="ok", summary={}, finished_at=datetime.now(UTC))
    return run_id, comparison, opened


def loaded_once(
    tmp_path_factory: pytest.TempPathFactory, *recorded: tuple[str, str, str, str]
) -> Path:
    """The SQLite catalog that `refresh` makes of the observations of the `recorded` responses
    (tests.observed: `observe`'s arguments) loaded together into an empty catalog
    (accept-new), built once for the run (conftest's `built_once`, named by the responses):
    the modules that start from the same load copy it instead of each comparing and applying
    it again. Tests read it or copy it, never write to it."""
    key = hashlib.sha256(json.dumps(recorded).encode()).hexdigest()[:16]

    def build(path: Path) -> None:
        engine = store.connect(f"sqlite:///{path}")
        refresh(engine, [o for response in recorded for o in observe(*response)], accept_new=True)
        engine.dispose()

    return built_once(tmp_path_factory, f"loaded-{key}.db", build)
