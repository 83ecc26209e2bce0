from __future__ import annotations

import asyncio
import atexit
import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from catalog.views import ReviewDetail

# Prefect: a throwaway home (its own server DB), no telemetry, patience for a slow first start.
# Made here only when none is set, and then removed when this pytest process ends (each xdist
# worker makes its own: ~5 MB each, left behind they pile up in /tmp run after run).
if "PREFECT_HOME" not in os.environ:
    _HOME = tempfile.mkdtemp(prefix="ratecard-prefect-")
    os.environ["PREFECT_HOME"] = _HOME
    atexit.register(shutil.rmtree, _HOME, ignore_errors=True)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT.parent / "shared" / "snapshots"
WORLDS = SNAPSHOTS / "worlds"
# a flow command's progress line on a pipe (ratecard.output.flow_progress): '  26.4s *: run 32769'
PROGRESS = re.compile(r"^\s*\d+\.\ds \S+: ")

T = TypeVar("T")


def run_flow(call: Awaitable[T]) -> T:
    """Run an async flow call to completion and return what it gives (with return_state, its State).

    Prefect types an async flow's call as an Awaitable, while asyncio.run takes a coroutine.
    """

    async def awaited() -> T:
        return await call

    return asyncio.run(awaited())


def snapshot(relative: str) -> bytes:
    """A recorded response from ../shared/snapshots (never copied into this repository)."""
    path = SNAPSHOTS / relative
    if not path.exists():
        pytest.fail(f"recorded snapshot missing: {path} (../shared must sit beside the repo)")
    return path.read_bytes()


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """One Prefect test server for the whole session (its start costs 15-20 s here)."""
    from prefect.testing.utilities import prefect_test_harness

    patience = int(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"])
    with prefect_test_harness(server_startup_timeout=patience):
        yield


@pytest.fixture(scope="session")
def refreshed_catalog(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real catalog: OpenRouter's recorded epoch-1 loaded (accept-new), then epoch-2 refreshed
    through the real flow, which opens its recorded price changes and new models as items.
    Built once for the run (`replayed_catalog`), from the one catalog of OpenRouter's epoch-1
    that the tests starting from it copy too."""
    runs = [("epoch-1", ["openrouter"], True), ("epoch-2", ["openrouter"], False)]
    return replayed_catalog(tmp_path_factory, runs)


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """The SQLite catalog `name`, built by `build(path)` once for the whole run: the pytest-xdist
    workers share the folder above their own temporary folders, and the first to get there builds
    while the others wait on a lock (flock). A catalog costs a real refresh or two, and each
    worker used to build its own. Only a whole file lands at the name (a failed build leaves
    none, and the next asker builds again). Tests read it or copy it, never write to it."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    path = shared / name
    with open(f"{path}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not path.exists():
            building = tmp_path_factory.mktemp("building") / name
            build(building)
            copy_catalog(building, shared / f"{name}.part")
            os.replace(shared / f"{name}.part", path)
    return path


def refresh_in_turn(path: Path, runs: list[tuple[str, list[str], bool]]) -> None:
    """Refreshes the SQLite catalog at `path` through the real flow with each (world under
    WORLDS, sources, accept new) in turn; each run must complete."""
    from flows.refresh import refresh

    for world, sources, accept_new in runs:
        state = run_flow(
            refresh(
                sources=sources,
                replay=str(WORLDS / f"{world}.json"),
                database=f"sqlite:///{path}",
                accept_new=accept_new,
                return_state=True,
            )
        )
        assert state.is_completed(), state.message


def replayed_catalog(
    tmp_path_factory: pytest.TempPathFactory, runs: list[tuple[str, list[str], bool]]
) -> Path:
    """The SQLite catalog `refresh_in_turn` makes of `runs`, built once for the whole run
    (`built_once`, named by the runs): the tests that start from the same refreshes copy it
    (`copy_catalog`) instead of each running them again (needs the prefect_api fixture). Runs
    that continue shorter ones start from a copy of those (itself built once): epoch-1 then
    epoch-2 begins with the catalog epoch-1 alone makes."""
    key = hashlib.sha256(json.dumps(runs).encode()).hexdigest()[:16]

    def build(path: Path) -> None:
        if len(runs) > 1:
            copy_catalog(replayed_catalog(tmp_path_factory, runs[:-1]), path)
        refresh_in_turn(path, runs[-1:])

    return built_once(tmp_path_factory, f"replayed-{key}.db", build)


def copy_catalog(source: Path, target: Path) -> str:
    """A private copy of a catalog (SQLite's backup API reads through the WAL); its URL."""
    with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)
    return f"sqlite:///{target}"


@pytest.fixture
def catalog_db(refreshed_catalog: Path, tmp_path: Path) -> str:
    """A copy of the refreshed catalog for one test to change."""
    return copy_catalog(refreshed_catalog, tmp_path / "catalog.db")


def approve_an_openrouter_change(db: str) -> tuple[Engine, ReviewDetail]:
    """On a copy of the refreshed catalog (`catalog_db`): reviewer alice approves the first open
    OpenRouter price change ("OpenRouter's API states it"). The engine, and the item as it
    stood before the approval (its changes: what the catalog held and what it proposed)."""
    from catalog import queries, store
    from review import decisions
    from review.reviewers import add_reviewer

    engine = store.connect(db)
    add_reviewer(engine, "alice", "correct horse battery staple")
    with engine.connect() as conn:
        item = queries.list_reviews(conn, status="open", kind="price_change", route="openrouter")[0]
        detail = queries.get_review(conn, item.id)
    assert detail is not None
    decisions.approve(engine, item.id, reviewer="alice", reason="OpenRouter's API states it")
    return engine, detail
