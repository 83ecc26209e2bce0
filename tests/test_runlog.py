"""Runs end: one refresh at a time per catalog, and a run whose process died is marked abandoned
by the next refresh or command that finds it (real processes, real SIGKILL, real SQLite)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner

from catalog import queries, runlog, store
from catalog.tables import runs, source_runs
from flows.refresh import refresh
from ratecard.cli import app
from tests.conftest import ROOT, WORLDS, run_flow
from tests.worlds import replayed

HOLDER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from catalog import runlog, store
    engine = store.connect(sys.argv[1])
    with runlog.refresh_lock(engine, datetime.now(UTC)):
        run_id = store.start_run(engine, world=None, policy="review", now=datetime.now(UTC))
        runlog.claim(engine, run_id)
        print(run_id, flush=True)
        time.sleep(600)
    """
)


def status(db: str, run_id: int) -> dict[str, object]:
    with store.connect(db).connect() as conn:
        run = queries.get_run(conn, run_id)
    assert run is not None
    return run.model_dump(mode="json")


def test_a_killed_refresh_is_marked_abandoned_by_the_next_command(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    engine = store.connect(db)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, db], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        run_id = int(holder.stdout.readline())
        # while its process lives, the run is running and no command may call it abandoned
        assert runlog.reap(engine, datetime.now(UTC)) == []
        assert status(db, run_id)["status"] == "running"
        refused = pytest.raises(runlog.RefreshRunning, match=f"refresh run {run_id} is running")
        with refused, runlog.refresh_lock(engine, datetime.now(UTC)):
            pass
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    found_at = datetime.now(UTC)
    assert runlog.reap(engine, found_at) == [run_id]
    run = status(db, run_id)
    assert run["status"] == "abandoned"
    assert datetime.fromisoformat(str(run["finished_at"])) >= found_at.replace(microsecond=0)
    assert runlog.reap(engine, datetime.now(UTC)) == []


def test_reading_runs_of_a_catalog_never_refreshed_creates_no_lock_file(tmp_path: Path) -> None:
    engine = store.connect(f"sqlite:///{tmp_path / 'catalog.db'}")
    assert runlog.reap(engine, datetime.now(UTC)) == []
    assert not (tmp_path / "catalog.db.refresh-lock").exists()


def test_the_lock_file_lives_while_a_refresh_holds_it(tmp_path: Path) -> None:
    engine = store.connect(f"sqlite:///{tmp_path / 'catalog.db'}")
    lock = tmp_path / "catalog.db.refresh-lock"
    lock.write_text("pid 1 on a machine whose refresh was killed")  # left by a killed holder
    with runlog.refresh_lock(engine, datetime.now(UTC)):
        assert lock.read_text() == f"pid {os.getpid()} on {socket.gethostname()}"
        refused = pytest.raises(runlog.RefreshRunning, match="another refresh is starting")
        with refused, runlog.refresh_lock(engine, datetime.now(UTC)):
            pass
    assert not lock.exists()
    with runlog.refresh_lock(engine, datetime.now(UTC)):  # and it can be taken again
        assert lock.exists()
    assert not lock.exists()


def test_a_link_to_the_catalog_is_the_same_catalog_to_lock(tmp_path: Path) -> None:
    # fault round 29: a refresh through a symbolic link to the catalog ran beside one through
    # its own name, and the later one applied over the first's result
    engine = store.connect(f"sqlite:///{tmp_path / 'catalog.db'}")
    (tmp_path / "link.db").symlink_to(tmp_path / "catalog.db")
    linked = store.connect(f"sqlite:///{tmp_path / 'link.db'}")
    with runlog.refresh_lock(engine, datetime.now(UTC)):
        refused = pytest.raises(runlog.RefreshRunning, match="another refresh is starting")
        with refused, runlog.refresh_lock(linked, datetime.now(UTC)):
            pass
    assert not (tmp_path / "link.db.refresh-lock").exists()


@pytest.mark.integration
def test_a_second_refresh_refuses_naming_the_running_one(prefect_api: None, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    engine = store.connect(db)
    with runlog.refresh_lock(engine, datetime.now(UTC)):
        running = store.start_run(engine, world=None, policy="review", now=datetime.now(UTC))
        runlog.claim(engine, running)
        state = run_flow(
            refresh(
                sources=["deepseek-page"],
                replay=str(WORLDS / "epoch-2.json"),
                database=db,
                return_state=True,
            )
        )
        assert state.is_failed()
        assert f"refresh run {running} is running" in str(state.message)
        assert f"pid {os.getpid()}" in str(state.message)
        assert state.result(raise_on_failure=False) is None
        cli = CliRunner().invoke(
            app,
            [
                "refresh",
                "--source",
                "deepseek-page",
                "--db",
                db,
                "--replay",
                str(WORLDS / "epoch-2.json"),
            ],
            prog_name="ratecard",
        )
        assert cli.exit_code == 2
        # refused at once, in one line on standard error, before any flow run starts
        assert cli.stderr.strip() == f"ratecard refresh: refused: {runlog._running(engine)}"
        assert cli.stdout == ""
        assert f"run {running} (review)" not in cli.output  # it reports its own run, none here
    # the holder is gone without finishing its run: the next refresh marks it abandoned
    state = run_flow(
        refresh(
            sources=["deepseek-page"],
            replay=str(WORLDS / "epoch-2.json"),
            database=db,
            accept_new=True,
            return_state=True,
        )
    )
    assert state.is_completed(), state.message
    own = state.result()  # the flow returns its final State, whose data is the run's id
    assert isinstance(own, int)
    assert own != running
    assert status(db, running)["status"] == "abandoned"
    assert status(db, own)["status"] == "ok"


def test_a_run_broken_off_after_its_apply_committed_ends_as_its_sources_say(
    tmp_path: Path,
) -> None:
    """An interruption can land after the apply's transaction committed (while Prefect reports
    the task): the run then applied everything, and is not recorded failed."""
    engine = store.connect(f"sqlite:///{tmp_path / 'catalog.db'}")
    now = datetime.now(UTC)
    applied, broken, done = (
        store.start_run(engine, world=None, policy="review", now=now) for _ in range(3)
    )
    with engine.begin() as conn:  # what store.apply writes last, in its one transaction
        conn.execute(
            insert(source_runs),
            [
                {"run_id": applied, "source": "azure", "status": "ok"},
                {"run_id": applied, "source": "litellm", "status": "failed"},
            ],
        )
    store.finish_run(engine, done, status="ok", summary={}, finished_at=now)

    assert runlog.end_broken_run(engine, applied, "interrupted", now) == "degraded"
    assert runlog.end_broken_run(engine, broken, "interrupted", now) == "failed"
    assert runlog.end_broken_run(engine, done, "interrupted", now) == "ok"  # it had ended
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    recorded = [status(db, r)["status"] for r in (applied, broken, done)]
    assert recorded == ["degraded", "failed", "ok"]
    assert runlog.applied(engine, applied) and not runlog.applied(engine, broken)


def test_the_lock_the_command_takes_before_prefect_starts_is_handed_to_its_flow_run(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    engine = store.connect(db)
    with runlog.held_for_refresh(engine):
        # another process (a second refresh) is refused while the command starts up
        other = subprocess.run(
            [sys.executable, "-c", HOLDER, db], cwd=ROOT, capture_output=True, text=True
        )
        starting = f"another refresh is starting on this catalog (pid {os.getpid()} on "
        assert f"RefreshRunning: {starting}" in other.stderr
        flow_run = runlog.refresh_lock(store.connect(db), datetime.now(UTC))
        again = runlog.refresh_lock(engine, datetime.now(UTC))
        with flow_run, pytest.raises(runlog.RefreshRunning), again:
            pass  # handed over to one refresh at a time
    with runlog.refresh_lock(engine, datetime.now(UTC)):  # released with the command
        pass


@pytest.mark.integration
def test_a_ctrl_c_prefect_turned_into_its_own_error_is_recorded_as_an_interruption(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C landing while Prefect's task engine creates a task run reaches the flow as
    "ValueError: Task run is not set", the KeyboardInterrupt its context: the run is recorded
    as interrupted, not as Prefect's error (as the command's own last line says)."""

    def interrupted_in_prefect(*args: object, **kwargs: object) -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ValueError("Task run is not set") from None

    def compared_after_an_error(*args: object, **kwargs: object) -> None:
        raise ValueError("the comparison broke")

    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    recorded: list[tuple[str, dict[str, str]]] = []
    for stage in (interrupted_in_prefect, compared_after_an_error):
        monkeypatch.setattr("flows.refresh.compare", stage)
        state = replayed(db, WORLDS / "epoch-2.json", ["deepseek-page"], accept_new=True)
        assert state.is_failed()
        with store.connect(db).connect() as conn:
            last = select(runs.c.status, runs.c.summary).order_by(runs.c.id.desc()).limit(1)
            recorded.append(tuple(conn.execute(last).one()))
    assert [(status, summary["error"]) for status, summary in recorded] == [
        ("failed", "interrupted"),
        ("failed", "ValueError: the comparison broke"),
    ]
