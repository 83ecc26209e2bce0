"""ratecard as a team runs it, on one machine: PostgreSQL, a Prefect server on it, a process work
pool with two workers, the deployments of prefect.yaml, and the web app.

    uv run python -m deploy.stack            # start everything, print the addresses, wait
    uv run python -m deploy.stack --no-schedules   # the same with the scheduler off

Everything listens on loopback ports chosen at start and lives in one temporary folder (the
PostgreSQL cluster, PREFECT_HOME, the logs); Ctrl-C stops every process it started and removes
the folder. PostgreSQL is Debian's (`apt-get install postgresql`); the catalog and Prefect's own
database are two databases of that one cluster. The workers and the web app get the catalog's
URL through RATECARD_DB, so deployed flows write there.

Used by tests/test_stack.py, which deploys, triggers the refresh deployment on a replay world
and watches a worker run it.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POOL = "local-process"
WORKERS = 2
STARTUP_SECONDS = 120


class StackError(RuntimeError):
    """A part of the stack did not start; the message names it and ends with its log."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise StackError("PostgreSQL is not installed: apt-get install -y postgresql")
    return found[-1]


def _as_postgres(args: Sequence[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


def _wait_http(url: str, what: str, log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.5)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise StackError(f"{what} did not answer at {url} within {STARTUP_SECONDS} s\n{tail}")


@dataclass
class Stack:
    """The running stack: its addresses, environment, and the processes to stop."""

    home: Path
    catalog_url: str
    prefect_api: str
    web_url: str
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def prefect(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run a `prefect` command against this stack's server, from the project root."""
        return subprocess.run(
            [str(Path(sys.executable).with_name("prefect")), "--no-prompt", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _spawn(stack: Stack, name: str, args: Sequence[str]) -> subprocess.Popen[bytes]:
    log = open(stack.home / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        list(args), cwd=ROOT, env=stack.env, stdout=log, stderr=subprocess.STDOUT
    )
    stack.processes.append(process)
    return process


def _start_postgres(home: Path) -> tuple[str, str, Path]:
    data = home / "pg"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
        shutil.chown(data, "postgres")
    port = _free_port()
    initdb = [_postgres_bin("initdb"), "-D", str(data), "-U", "ratecard", "--auth=trust"]
    subprocess.run(_as_postgres([*initdb, "-E", "UTF8"]), check=True, capture_output=True)
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1"
    start = [_postgres_bin("pg_ctl"), "-D", str(data), "-l", str(home / "postgres.log")]
    subprocess.run(
        _as_postgres([*start, "-w", "-o", options, "start"]), check=True, capture_output=True
    )
    createdb = [_postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "ratecard"]
    for database in ("prefect", "catalog"):
        subprocess.run(_as_postgres([*createdb, database]), check=True, capture_output=True)
    base = f"ratecard@127.0.0.1:{port}"
    return f"postgresql+asyncpg://{base}/prefect", f"postgresql+psycopg://{base}/catalog", data


def _stop_postgres(data: Path) -> None:
    subprocess.run(
        _as_postgres([_postgres_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
        capture_output=True,
        check=False,
    )


@contextmanager
def running(*, schedules: bool = True, workers: int = WORKERS) -> Iterator[Stack]:
    """Start the whole stack, yield it, and stop everything it started (also on errors)."""
    home = Path(tempfile.mkdtemp(prefix="ratecard-stack-"))
    pg_data: Path | None = None
    stack: Stack | None = None
    try:
        prefect_db, catalog_url, pg_data = _start_postgres(home)
        prefect_port, web_port = _free_port(), _free_port()
        env = {
            **os.environ,
            "PREFECT_HOME": str(home / "prefect"),
            "PREFECT_API_URL": f"http://127.0.0.1:{prefect_port}/api",
            "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "true" if schedules else "false",
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "DO_NOT_TRACK": "1",
            "RATECARD_DB": catalog_url,
            "PWD": str(ROOT),  # prefect.yaml's pull step runs deployed flows from here
        }
        stack = Stack(
            home=home,
            catalog_url=catalog_url,
            prefect_api=env["PREFECT_API_URL"],
            web_url=f"http://127.0.0.1:{web_port}",
            env=env,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        prefect = str(Path(sys.executable).with_name("prefect"))
        server = ["server", "start", "--host", "127.0.0.1", "--port", str(prefect_port)]
        _spawn(stack, "prefect-server", [prefect, *server])
        ratecard = str(Path(sys.executable).with_name("ratecard"))
        _spawn(stack, "web", [ratecard, "serve", "--port", str(web_port)])
        _wait_http(
            f"{stack.prefect_api}/health", "Prefect server", home / "prefect-server.log", deadline
        )
        created = stack.prefect("work-pool", "create", POOL, "--type", "process", "--overwrite")
        if created.returncode:
            raise StackError(f"work pool {POOL}: {created.stderr or created.stdout}")
        for n in range(1, workers + 1):
            worker = ["worker", "start", "--pool", POOL, "--name", f"worker-{n}"]
            _spawn(stack, f"worker-{n}", [prefect, *worker])
        deployed = stack.prefect("deploy", "--all")
        if deployed.returncode:
            raise StackError(f"prefect deploy: {deployed.stderr or deployed.stdout}")
        _wait_http(f"{stack.web_url}/queue", "web app", home / "web.log", deadline)
        yield stack
    finally:
        if stack is not None:
            for process in reversed(stack.processes):
                process.send_signal(signal.SIGTERM)
            for process in stack.processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if pg_data is not None:
            _stop_postgres(pg_data)
        shutil.rmtree(home, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Start the stack (the scheduler off with --no-schedules), print its addresses and wait
    until Ctrl-C; returns 0 then, and 1 with one line on standard error when it cannot start
    (StackError)."""
    parser = argparse.ArgumentParser(prog="python -m deploy.stack", description=__doc__)
    parser.add_argument("--no-schedules", action="store_true", help="start the scheduler off")
    args = parser.parse_args(argv)
    try:
        with running(schedules=not args.no_schedules) as stack:
            print(f"Prefect UI and API  {stack.prefect_api.removesuffix('/api')}")
            print(f"web app             {stack.web_url}")
            print(f"catalog             {stack.catalog_url}")
            print(f"work pool           {POOL} ({WORKERS} process workers)")
            print(f"logs                {stack.home}")
            print("Ctrl-C stops everything.")
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    except StackError as exc:
        print(f"stack: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
