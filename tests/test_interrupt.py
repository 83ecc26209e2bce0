"""Ctrl-C and a lost server end a refresh at once, in one line, with the catalog consistent;
a second refresh is refused at once, even while the first is starting up.

Each refresh is the real `ratecard refresh` command as a user types it: its own process in a
session of its own (as a terminal's foreground job, so that a Ctrl-C is SIGINT to the whole
process group), no PREFECT_API_URL (Prefect's temporary server, a child of the command),
replaying epoch-2 for one source onto a new catalog. The two tests share one PREFECT_HOME so
that only the first pays for creating the server's database.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import func, select

from catalog import store
from catalog.tables import catalog_values, runs
from ratecard.options import INTERRUPT_GRACE
from tests.conftest import ROOT, WORLDS

pytestmark = pytest.mark.integration

STARTUP = 240  # seconds a refresh may take to start its run on a loaded machine
PROMPTLY = 8.0  # seconds from the signal (or the server's end) to the command's exit
PROGRESS = re.compile(r"^\s*\d+\.\ds \S+: ")  # a progress line on a pipe (cli_catalog._run_flow)


@dataclass
class Refresh:
    process: subprocess.Popen[bytes]
    errors: IO[str]

    def stderr(self) -> str:
        self.errors.seek(0)
        return self.errors.read()

    def wait_for(self, pattern: str) -> re.Match[str]:
        """Until its standard error shows `pattern` (a regular expression)."""
        deadline = time.monotonic() + STARTUP
        while (found := re.search(pattern, self.stderr(), re.MULTILINE)) is None:
            assert self.process.poll() is None, f"it ended: {self.stderr()[-2000:]}"
            assert time.monotonic() < deadline, f"no {pattern!r}: {self.stderr()[-2000:]}"
            time.sleep(0.05)
        return found

    def ended(self, timeout: float) -> tuple[int, float]:
        """Its exit code and how long it took to end from now."""
        start = time.monotonic()
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            pytest.fail(f"still running after {timeout} s: {self.stderr()[-3000:]}")
        return code, time.monotonic() - start


Start = Callable[[str, str], Refresh]  # (catalog URL, name of its stderr file)


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prefect-home")


@pytest.fixture
def start(prefect_home: Path, tmp_path: Path) -> Iterator[Start]:
    """start(db, name) -> Refresh: `ratecard refresh` with the temporary server, started as a
    terminal starts a job. Every process still alive at the test's end is killed."""
    started: list[Refresh] = []
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(prefect_home)

    def refresh(db: str, name: str) -> Refresh:
        errors = (tmp_path / f"{name}.stderr").open("w+")
        process = subprocess.Popen(
            [
                *(str(Path(sys.executable).with_name("ratecard")), "refresh", "--db", db),
                *("--replay", str(WORLDS / "epoch-2.json"), "--source", "deepseek-page"),
                "--accept-new",
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )
        started.append(Refresh(process, errors))
        return started[-1]

    yield refresh
    for refresh_ in started:
        if refresh_.process.poll() is None:
            os.killpg(refresh_.process.pid, signal.SIGKILL)
            refresh_.process.wait()
        refresh_.errors.close()
    for pid in servers_of(prefect_home):
        os.kill(pid, signal.SIGKILL)


def servers_of(prefect_home: Path) -> list[int]:
    """The live processes (Prefect's temporary servers) whose PREFECT_HOME is this one."""
    marker = f"PREFECT_HOME={prefect_home}\0".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in environ and b"uvicorn" in (entry / "cmdline").read_bytes() and state != "Z":
            found.append(int(entry.name))
    return found


def children_servers(prefect_home: Path, parent: int) -> list[int]:
    """The temporary servers that `parent` started."""
    found = []
    for pid in servers_of(prefect_home):
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        if int(stat[1]) == parent:
            found.append(pid)
    return found


def only_progress_and(stderr: str, last: str) -> None:
    """Standard error is the progress lines, then `last`: no traceback, no Prefect log."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines[-1] == last, stderr[-3000:]
    assert [line for line in lines[:-1] if not PROGRESS.match(line)] == [], stderr[-3000:]


def run_rows(db: str) -> list[tuple[int, str]]:
    engine = store.connect(db)
    with engine.connect() as conn:
        found = [(int(r.id), str(r.status)) for r in conn.execute(select(runs.c.id, runs.c.status))]
    engine.dispose()
    return found


def values(db: str) -> int:
    engine = store.connect(db)
    with engine.connect() as conn:
        count = int(conn.execute(select(func.count()).select_from(catalog_values)).scalar() or 0)
    engine.dispose()
    return count


def test_a_second_refresh_during_start_up_is_refused_and_ctrl_c_ends_the_first_in_one_line(
    start: Start, prefect_home: Path, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    first = start(db, "first")
    first.wait_for(r"starting the flow run")
    assert run_rows(db) == [], "the first has not started its run yet: it is starting up"
    second = start(db, "second")
    code, took = second.ended(timeout=STARTUP)
    assert code == 2, second.stderr()
    assert second.stderr().strip() == (
        "ratecard: refused: another refresh is starting on this catalog"
    )

    run_id = int(first.wait_for(r"\*: run (\d+)$")[1])
    os.killpg(first.process.pid, signal.SIGINT)  # Ctrl-C in the terminal
    code, took = first.ended(timeout=60)
    assert code == 130, first.stderr()
    assert took < min(PROMPTLY, INTERRUPT_GRACE), (took, first.stderr())
    only_progress_and(
        first.stderr(),
        f"ratecard refresh: interrupted; nothing applied (run {run_id} recorded failed)",
    )
    assert run_rows(db) == [(run_id, "failed")]
    assert values(db) == 0
    deadline = time.monotonic() + 10  # the server the command started is stopped with it
    while servers_of(prefect_home) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert servers_of(prefect_home) == []


def test_a_refresh_whose_temporary_server_dies_ends_at_once_in_one_line(
    start: Start, prefect_home: Path, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    refresh = start(db, "lost")
    run_id = int(refresh.wait_for(r"\*: run (\d+)$")[1])
    servers = children_servers(prefect_home, refresh.process.pid)
    assert len(servers) == 1
    os.kill(servers[0], signal.SIGKILL)
    code, took = refresh.ended(timeout=60)
    assert code == 2, refresh.stderr()
    assert took < PROMPTLY, (took, refresh.stderr())
    last = refresh.stderr().strip().splitlines()[-1]
    assert last == (
        f"ratecard refresh: Prefect's temporary server ended (exit -9); nothing applied "
        f"(run {run_id} recorded failed)"
    ), refresh.stderr()[-3000:]
    assert "Traceback" not in refresh.stderr()
    assert run_rows(db) == [(run_id, "failed")]
