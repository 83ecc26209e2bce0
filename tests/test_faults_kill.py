"""Runs end, and a killed refresh costs nothing: 20 `kill -9` at random points of a real refresh.

Each refresh is the real `ratecard refresh` command in its own process (Scrapy over loopback
HTTP, the session's Prefect API, SQLite), replaying epoch-2 for a few sources onto a catalog
that holds their epoch-1 values. The processes are forked from one that has done the imports
(tests/zygote.py), so each begins its run at once instead of after ~5 s of imports; from the fork
on each is a refresh process of its own. Once its run is in the catalog it is sent SIGKILL after a
delay a seeded RNG draws across the duration of an uninterrupted run (process start-up, the
same for every refresh, is waited out so that every kill lands in the run): fetching, reading,
comparing, applying and reporting alike. After each kill the next command (`ratecard runs`)
finds no run `running`: the killed one is abandoned with when, or (killed after it finished)
ended, and then the next kills go to a fresh copy of the epoch-1 catalog, since a refresh of a
world the catalog already holds is over too soon to land a kill in. Then uninterrupted
refreshes leave catalog values and open review items equal to those of a copy of the same
catalog that had only uninterrupted refreshes of the same world.

Both sides are refreshed to where another refresh of the same world changes nothing: a kill that
lands after a run's apply committed leaves a legitimate complete listing behind, and listings
count towards "missing" items (catalog/compare.py's MISSING_AFTER), so one catalog may have seen
more complete listings than the other; after MISSING_AFTER refreshes each has seen enough.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from catalog import store
from catalog.compare import MISSING_AFTER
from catalog.tables import catalog_values, review_items, runs
from ratecard.cli import app
from tests.conftest import ROOT, WORLDS, copy_catalog

pytestmark = pytest.mark.integration

SOURCES = ("anthropic-page", "openai-page", "vercel")
KILLS = 20
SEED = 8
STARTUP = 300  # seconds a refresh may take to start its run on a loaded machine


def command(db: str, world: str, *extra: str) -> list[str]:
    """The arguments of `ratecard` for one refresh."""
    sources = [arg for source in SOURCES for arg in ("--source", source)]
    return ["refresh", "--replay", str(WORLDS / world), "--db", db, *sources, *extra]


class Zygote:
    """tests/zygote.py in a process of its own: runs each command in a forked child."""

    def __init__(self, output: Path) -> None:
        from prefect.settings import PREFECT_API_URL

        url = PREFECT_API_URL.value()
        assert url, "the prefect_api fixture sets the API URL"
        self.output = output
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.zygote"],
            cwd=ROOT,
            env={**os.environ, "PREFECT_API_URL": url},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def _answer(self) -> dict[str, int]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, f"the zygote ended (exit {self.process.wait()})"
        answer: dict[str, int] = json.loads(line)
        return answer

    def start(self, argv: list[str]) -> int:
        """The pid of a new child running `ratecard ARGV...`."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"argv": argv, "output": str(self.output)}) + "\n")
        self.process.stdin.flush()
        return self._answer()["pid"]

    def ended(self) -> int:
        """The exit code of the child last started, once it has ended (minus its signal)."""
        return self._answer()["status"]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def zygote(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zygote]:
    forks = Zygote(tmp_path_factory.mktemp("zygote") / "output.txt")
    yield forks
    forks.close()


def refreshed(zygote: Zygote, db: str, world: str, *extra: str) -> float:
    """Run one refresh to its end; how long its run took (seconds, started to finished)."""
    zygote.start(command(db, world, *extra))
    status = zygote.ended()
    assert status == 0, zygote.output.read_text()[-3000:]
    newest = runs_after(db)[0]
    started, finished = (datetime.fromisoformat(newest[k]) for k in ("started_at", "finished_at"))
    return (finished - started).total_seconds()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def newest_run(db: str) -> int:
    engine = store.connect(db)
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(runs.c.id))).scalar()
    engine.dispose()
    return int(newest or 0)


def wait_for_run(db: str, after: int, pid: int) -> None:
    """Until the refresh has its run in the catalog (or has ended)."""
    deadline = time.monotonic() + STARTUP
    while newest_run(db) <= after and alive(pid):
        assert time.monotonic() < deadline, "the refresh did not start its run"
        time.sleep(0.05)


def state(db: str) -> dict[str, Any]:
    """Catalog values and open review items, without ids, runs and wall-clock columns."""
    v, r = catalog_values.c, review_items.c
    kept = (v.route, v.model, v.kind, v.component, v.unit, v.dimensions, v.value)
    provenance = (v.valid_from, v.valid_to, v.verified_at, v.verified_by, v.accepted_by)
    engine = store.connect(db)
    with engine.connect() as conn:
        values = conn.execute(select(*kept, *provenance, v.accepted_source)).all()
        items = conn.execute(
            select(
                r.kind, r.route, r.model, r.title, r.changes, r.sources, r.detail, r.fingerprint
            ).where(r.status == "open")
        ).all()
    engine.dispose()
    return {
        "values": sorted(map(repr, values)),
        "open items": sorted(json.dumps(list(i), sort_keys=True, default=str) for i in items),
    }


def runs_after(db: str) -> list[dict[str, Any]]:
    """What the next command (`ratecard runs --json`) reports about every run."""
    result = CliRunner().invoke(app, ["runs", "--db", db, "--limit", "100", "--json"])
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.output)
    return found


@pytest.fixture(scope="module")
def epoch1(zygote: Zygote, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kills") / "epoch-1.db"
    refreshed(zygote, f"sqlite:///{path}", "epoch-1.json", "--accept-new")
    return path


def test_twenty_kills_leave_no_run_running_and_a_rerun_converges(
    zygote: Zygote, epoch1: Path, tmp_path: Path
) -> None:
    reference = copy_catalog(epoch1, tmp_path / "reference.db")
    duration = refreshed(zygote, reference, "epoch-2.json")
    for _ in range(MISSING_AFTER - 1):
        refreshed(zygote, reference, "epoch-2.json")
    db = copy_catalog(epoch1, tmp_path / "killed-0.db")
    rng = random.Random(SEED)
    killed_at, abandoned = [], 0
    for kill in range(1, KILLS + 1):
        delay = rng.uniform(0, duration)
        last = newest_run(db)
        pid = zygote.start(command(db, "epoch-2.json"))
        wait_for_run(db, last, pid)
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):  # it may have ended on its own
            os.kill(pid, signal.SIGKILL)
        zygote.ended()
        killed_at.append(delay)
        found = runs_after(db)
        assert [r["id"] for r in found if r["status"] == "running"] == [], (delay, found[:3])
        for run in found:
            if run["status"] == "abandoned":
                assert run["finished_at"] is not None
                assert datetime.fromisoformat(run["finished_at"]) >= datetime.fromisoformat(
                    run["started_at"]
                )
        this_run = [r["status"] for r in found if r["id"] > last]
        abandoned += this_run == ["abandoned"]
        if this_run != ["abandoned"]:
            # The run ended before its kill: the catalog now holds epoch-2, and a refresh of the
            # same world again confirms it in a fraction of the time, too short to land a kill
            # in; the next kills fall on a fresh copy of the epoch-1 catalog.
            db = copy_catalog(epoch1, tmp_path / f"killed-{kill}.db")
    assert abandoned >= KILLS // 2, f"few kills landed inside a run: {sorted(killed_at)}"

    for _ in range(MISSING_AFTER):
        refreshed(zygote, db, "epoch-2.json")

    assert runs_after(db)[0]["status"] in ("ok", "degraded")
    assert state(db) == state(reference)
