"""Ctrl-C and a lost server end a refresh at once, in one line, with the catalog consistent;
a second refresh is refused at once, even while the first is starting up.

Each refresh is the real `ratecard refresh` command as a user types it: its own process in a
session of its own (as a terminal's foreground job, so that a Ctrl-C is SIGINT to the whole
process group), no PREFECT_API_URL (Prefect's temporary server, a child of the command),
replaying epoch-2 for one source onto a new catalog.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

import pytest
from sqlalchemy import func, select

from catalog import store
from catalog.tables import catalog_values, runs
from ratecard.options import INTERRUPT_GRACE
from tests.conftest import PROGRESS, ROOT, WORLDS
from tests.worlds import fault_world

pytestmark = pytest.mark.integration

STARTUP = 240  # seconds a refresh may take to start its run on a loaded machine
PROMPTLY = 8.0  # seconds from the signal (or the server's end) to the command's exit
DEEPSEEK = "https://api-docs.deepseek.com/quick_start/pricing"  # deepseek-page's one URL


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


# `ratecard refresh` of one small source into an empty catalog: the command `start` runs unless
# told another (the command's name, then its arguments after --db)
REFRESH = (
    "refresh",
    *("--replay", str(WORLDS / "epoch-2.json"), "--source", "deepseek-page"),
    "--accept-new",
)


class Start(Protocol):
    def __call__(
        self,
        db: str,
        name: str,
        command: Sequence[str] = REFRESH,
        *,
        settings: Mapping[str, str] | None = None,
    ) -> Refresh: ...


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Start]:
    """start(db, name, command=REFRESH, settings=None) -> Refresh: `ratecard COMMAND --db DB
    ARGS` with the temporary server, started as a terminal starts a job (with `settings`, those
    environment variables too), its standard error in the file `name`.stderr. Every process
    still alive at the test's end is killed."""
    started: list[Refresh] = []
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}

    def refresh(
        db: str,
        name: str,
        command: Sequence[str] = REFRESH,
        *,
        settings: Mapping[str, str] | None = None,
    ) -> Refresh:
        # a PREFECT_HOME each: two temporary servers creating one database at once collide
        env["PREFECT_HOME"] = str(tmp_path / f"{name}-prefect")
        errors = (tmp_path / f"{name}.stderr").open("w+")
        ratecard = str(Path(sys.executable).with_name("ratecard"))
        process = subprocess.Popen(
            [ratecard, command[0], "--db", db, *command[1:]],
            cwd=ROOT,
            env={**env, **(settings or {})},
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
    for pid in servers_of(tmp_path):
        os.kill(pid, signal.SIGKILL)


def servers_of(tmp_path: Path) -> list[int]:
    """The live processes (Prefect's temporary servers) whose PREFECT_HOME is under tmp_path."""
    marker = f"PREFECT_HOME={tmp_path}/".encode()
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


def children_servers(tmp_path: Path, parent: int) -> list[int]:
    """The temporary servers that `parent` started."""
    found = []
    for pid in servers_of(tmp_path):
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


def test_ctrl_c_and_a_lost_server_end_a_refresh_at_once_and_a_second_one_is_refused_at_once(
    start: Start, tmp_path: Path
) -> None:
    """Two refreshes start side by side (their start-ups overlap: the test pays for one): one
    is sent a terminal's Ctrl-C once its run has started, the other loses its server then; a
    third, on the first's catalog during the first's start-up, is refused."""
    db, other = (f"sqlite:///{tmp_path / name}" for name in ("catalog.db", "other.db"))
    # The one that loses its server waits for a source that answers late: its run cannot end
    # and apply before the server's end is seen (in a CI run on a loaded machine the run went
    # from 'run N' to applying in 0.3 s, before the server was found and killed).
    slow = fault_world(tmp_path, {DEEPSEEK: {"delay": 600}})
    interrupted = start(db, "interrupted")
    lost = start(
        other,
        "lost",
        ("refresh", "--replay", str(slow), *REFRESH[3:]),
        settings={"RATECARD_DOWNLOAD_TIMEOUT": "900"},
    )
    interrupted.wait_for(r"starting the flow run")
    assert run_rows(db) == [], "the first has not started its run yet: it is starting up"
    second = start(db, "second")
    code, _ = second.ended(timeout=STARTUP)
    assert code == 2, second.stderr()
    assert second.stderr().strip() == (
        "ratecard refresh: refused: another refresh is starting on this catalog "
        f"(pid {interrupted.process.pid} on {socket.gethostname()})"
    )

    refreshes = {"interrupted": interrupted, "lost": lost}
    signalled: dict[str, tuple[int, float]] = {}  # its run, when it was signalled
    took: dict[str, float] = {}  # from the signal to its exit
    again: list[float] = []  # when the interrupted one was sent Ctrl-C again until it ended
    deadline = time.monotonic() + STARTUP
    while len(took) < len(refreshes):
        assert time.monotonic() < deadline, {k: r.stderr()[-1000:] for k, r in refreshes.items()}
        for name, refresh in refreshes.items():
            if name in signalled:
                if name not in took and refresh.process.poll() is not None:
                    took[name] = time.monotonic() - signalled[name][1]
                elif name == "interrupted" and name not in took:
                    # Ctrl-C pressed again and again until the command ends: one landing as its
                    # exit stopped the temporary server printed Prefect's exit handler's traceback.
                    # From the first press on (waiting for its last line first raced the exit).
                    again.append(time.monotonic())
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(refresh.process.pid, signal.SIGINT)
                continue
            found = re.search(r"\*: run (\d+)$", refresh.stderr(), re.MULTILINE)
            if found is None:
                assert refresh.process.poll() is None, refresh.stderr()[-2000:]
                continue
            if name == "interrupted":
                os.killpg(refresh.process.pid, signal.SIGINT)  # Ctrl-C in the terminal
            else:
                servers = children_servers(tmp_path, refresh.process.pid)
                assert len(servers) == 1
                os.kill(servers[0], signal.SIGKILL)
            signalled[name] = (int(found[1]), time.monotonic())
        time.sleep(0.02)

    run_id = signalled["interrupted"][0]
    assert again, "the interrupted refresh ended at once: no second Ctrl-C was sent"
    assert interrupted.process.returncode == 130, interrupted.stderr()
    assert took["interrupted"] < min(PROMPTLY, INTERRUPT_GRACE), (took, interrupted.stderr())
    only_progress_and(
        interrupted.stderr(),
        f"ratecard refresh: interrupted; nothing applied (run {run_id} recorded failed)",
    )
    assert run_rows(db) == [(run_id, "failed")]
    assert values(db) == 0

    run_id = signalled["lost"][0]
    assert lost.process.returncode == 2, lost.stderr()
    assert took["lost"] < PROMPTLY, (took, lost.stderr())
    last = lost.stderr().strip().splitlines()[-1]
    assert last == (
        f"ratecard refresh: Prefect's temporary server ended (exit -9); nothing applied "
        f"(run {run_id} recorded failed)"
    ), lost.stderr()[-3000:]
    assert "Traceback" not in lost.stderr()
    assert run_rows(other) == [(run_id, "failed")]

    deadline = time.monotonic() + 10  # the servers the commands started end with them
    while servers_of(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert servers_of(tmp_path) == []


@pytest.mark.parametrize("command", ["sla-watch", "process-submissions"])
def test_ctrl_c_while_a_flow_command_starts_its_server_ends_it_at_once_in_one_line(
    command: str, start: Start, tmp_path: Path
) -> None:
    """`sla-watch` and `process-submissions` start as `refresh` does: a progress line at once
    (they said nothing for 13-26 s), Prefect's temporary server in a session of its own, and
    a terminal's Ctrl-C while it starts ends the command within seconds in one line, exit 130,
    the server gone with it (the server got the Ctrl-C too and printed 'Aborted!'; the command
    took up to 12 s to end)."""
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    store.open_catalog(db, create=True).dispose()
    job = start(db, command, (command,))
    process = job.process
    job.wait_for(r"^\s*\d+\.\ds \*: starting the flow run \(Prefect\)$")
    deadline = time.monotonic() + STARTUP
    while not children_servers(tmp_path, process.pid):
        assert process.poll() is None, job.stderr()[-2000:]
        assert time.monotonic() < deadline, job.stderr()[-2000:]
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal
    code, took = job.ended(timeout=STARTUP)
    assert code == 130, job.stderr()
    assert took < PROMPTLY, (took, job.stderr())
    only_progress_and(
        job.stderr(), f"ratecard {command}: interrupted; nothing done (no run had started)"
    )
    deadline = time.monotonic() + 10  # the server the command started ends with it
    while servers_of(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert servers_of(tmp_path) == []


# `ratecard` whose report of its run sends the command SIGTERM as it starts printing: a signal
# landing between the flow's end and the report's last line, as `kill` sends it
def python_c(script: str, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -c SCRIPT ARGS...` run from the project root with no input, its output captured."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=STARTUP,
    )


REPORT_SIGNALLED = """
import os, signal, sys
from ratecard import cli_catalog
printed = cli_catalog._print_run
def signalled(run):
    os.kill(os.getpid(), signal.SIGTERM)
    printed(run)
cli_catalog._print_run = signalled
from ratecard.cli import app
sys.argv[0] = "ratecard"
app()
"""


def test_a_signal_while_the_report_is_printed_ends_in_the_one_line(tmp_path: Path) -> None:
    """The flow ended and applied; a signal then, while the command reads and prints its run's
    report, ends it as any other does: its one line (the run had applied), exit 130. It fell
    outside the command's handling: SIGTERM killed it without a word (exit -15), and Ctrl-C
    said 'nothing applied (no run had started)' of a run that had applied."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    done = python_c(REPORT_SIGNALLED, [REFRESH[0], "--db", db, *REFRESH[1:]], env)
    assert done.returncode == 130, done.stderr[-3000:]
    [(run_id, status)] = run_rows(db)
    assert status == "ok"
    only_progress_and(
        done.stderr,
        f"ratecard refresh: interrupted; run {run_id} had applied everything (one transaction)"
        " and is recorded ok",
    )
    assert values(db) > 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_while_the_command_loads_ends_it_in_one_line(
    signum: signal.Signals, tmp_path: Path
) -> None:
    """A fault round (h54): Ctrl-C in the first tenths of a second of any command (its imports)
    printed a 15-line traceback of the import it landed in, and SIGTERM ended a read command
    with no word: from its first instant the console script ends in one line, exit 130."""
    ratecard = str(Path(sys.executable).with_name("ratecard"))
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    process = subprocess.Popen(
        [ratecard, "runs", "--db", f"sqlite:///{tmp_path / 'none.db'}"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    # once the console script catches SIGTERM (its first statement), while its modules load
    deadline = time.monotonic() + STARTUP
    while not catches(process.pid, signal.SIGTERM):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.001)
    os.killpg(process.pid, signum)
    _, errors = process.communicate(timeout=STARTUP)
    assert process.returncode == 130, errors
    assert errors.decode().strip() in {
        "ratecard: interrupted; nothing done (it had not started)",
        "ratecard runs: interrupted; nothing done (it had not started)",
    }, errors
    assert not (tmp_path / "none.db").exists()


EXIT_SIGNALLED = """
import atexit, os, signal, sys, time
def signalled():
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.05)
atexit.register(signalled)
sys.argv[0] = "ratecard"
from ratecard.main import main
main()
"""


def test_a_signal_once_the_command_has_ended_leaves_its_exit_as_it_was(tmp_path: Path) -> None:
    """A signal while the process exits, its command done (here in an exit handler): the
    command's own exit code and lines stand. SIGTERM in those tenths after `cost` printed its
    answer killed the process (exit -15, no word; Python puts the default action back as it
    finalizes), and in an exit handler it printed a KeyboardInterrupt traceback."""
    db = f"sqlite:///{tmp_path / 'none.db'}"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    done = python_c(EXIT_SIGNALLED, ["runs", "--db", db], env)
    assert done.returncode == 2, done.stderr  # no catalog there: the command's own refusal
    assert done.stderr.startswith("ratecard runs: ") and done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "none.db").exists()


def catches(pid: int, signum: signal.Signals) -> bool:
    """Whether process `pid` has a handler of its own for `signum` (/proc's SigCgt mask)."""
    status = Path(f"/proc/{pid}/status").read_text()
    [mask] = [line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")]
    return bool(int(mask, 16) & (1 << (signum - 1)))
