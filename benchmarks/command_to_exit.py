"""Times the replayed epoch-2 refresh from command to exit against a running Prefect server, as a
user types it (`ratecard refresh --replay ...`), and prints where the time went.

    uv run python benchmarks/command_to_exit.py [RUNS] [--slow SECONDS]   (default: 3 runs)

It starts a Prefect server on loopback (unless PREFECT_API_URL names one already running), makes
an epoch-1 catalog once (accept-new), then for each run copies it and times the epoch-2 refresh
into the copy, and the same world again into that catalog. Each refresh is a new process, as
from a shell; the progress lines it prints are timed as they arrive, so the figure splits into
start-up (imports, the flow run's creation), fetching, reading, comparing and applying. The
command starts its download in a child as it begins (spiders/ahead.py): "fetch, judge" is what
is left of the crawl once the flow run has started, and judging the answers.

With `--slow SECONDS`, the epoch-2 world's OpenAI pricing page answers that many seconds late
(the recorded world otherwise), as one source would over a network: each source the crawl ahead
sends meanwhile is read as it arrives (flows/refresh.py `draft_ahead`), so the wait is spent
reading. Its runs are timed the same way, after the loopback ones.

Target (issue 12): the epoch-2 refresh at most 6 s, command to exit.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from ratecard.options import EXIT_OK, EXIT_SOURCES_FAILED

ROOT = Path(__file__).resolve().parent.parent
WORLDS = ROOT.parent / "shared/snapshots/worlds"
SLOW_URL = "https://platform.openai.com/docs/pricing"  # the page `--slow` delays
# progress lines ("*: normalizing") that open each stage after start-up, in the flow's order
STAGES = (
    ("fetch, judge", "*: run "),
    ("read", "*: normalizing"),
    ("compare", "*: comparing"),
    ("apply, report", "*: applying"),
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_healthy(api: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"no Prefect server answered at {api} within {seconds:.0f} s")


def slowed(seconds: float, folder: Path) -> Path:
    """The epoch-2 world with SLOW_URL answering `seconds` late, written into `folder` (its
    recorded files named where they are)."""
    manifest = json.loads((WORLDS / "epoch-2.json").read_text())
    for entry in manifest["responses"]:
        if "file" in entry:
            entry["file"] = str((WORLDS / entry["file"]).resolve())
        if entry["url"] == SLOW_URL:
            entry["delay"] = seconds
    path = folder / "epoch-2-slow.json"
    path.write_text(json.dumps(manifest))
    return path


def refresh(
    world: str | Path, db: Path, env: dict[str, str], *, accept_new: bool = False
) -> dict[str, float]:
    """One `ratecard refresh` process of `world` (a name under WORLDS, or a world's path):
    seconds from its start to each stage's first progress line, and to its exit ('exit')."""
    path = world if isinstance(world, Path) else WORLDS / f"{world}.json"
    command = [str(Path(sys.executable).with_name("ratecard")), "refresh"]
    command += ["--replay", str(path), "--db", f"sqlite:///{db}"]
    if accept_new:
        command.append("--accept-new")
    start = time.perf_counter()
    marks: dict[str, float] = {}
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stderr is not None
        for line in process.stderr:
            for stage, opening in STAGES:
                if opening in line and stage not in marks:
                    marks[stage] = time.perf_counter() - start
    marks["exit"] = time.perf_counter() - start
    # some source failing is expected (epoch-1 has failing ones); the run failing is not
    if process.returncode not in (EXIT_OK, EXIT_SOURCES_FAILED):
        raise SystemExit(f"{' '.join(command)}: exit {process.returncode}")
    return marks


def show(label: str, marks: dict[str, float]) -> None:
    """Print one refresh's line: its total seconds to exit and the seconds of each stage
    (start-up, then each stage whose progress line arrived), from its `marks` (seconds since the
    command started, by stage, and "exit")."""
    names = [stage for stage, _ in STAGES if stage in marks]
    edges = [0.0, *(marks[n] for n in names), marks["exit"]]
    parts = ["start-up", *names]
    split = "  ".join(
        f"{p} {b - a:.1f}" for p, a, b in zip(parts, edges[:-1], edges[1:], strict=True)
    )
    print(f"  {label:<22} {marks['exit']:6.2f} s   ({split})")


def main(argv: list[str]) -> None:
    """Time RUNS (argv[0], default 3) epoch-2 refreshes from command to exit, each into a copy of
    one epoch-1 catalog and then again into it, against the Prefect server PREFECT_API_URL names
    or one started on loopback; print each and the median; with `--slow SECONDS`, as many
    refreshes of the world with SLOW_URL that late (`slowed`). Raises SystemExit when a refresh
    fails."""
    slow = None
    if "--slow" in argv:
        at = argv.index("--slow")
        try:
            slow = float(argv[at + 1])
        except (IndexError, ValueError):
            raise SystemExit("command_to_exit.py: --slow takes a number of seconds") from None
        argv = argv[:at] + argv[at + 2 :]
    runs = int(argv[0]) if argv else 3
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}
    server: subprocess.Popen[bytes] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        if "PREFECT_API_URL" not in env:
            api = f"http://127.0.0.1:{_free_port()}/api"
            env |= {"PREFECT_API_URL": api, "PREFECT_HOME": str(home / "prefect")}
            prefect = str(Path(sys.executable).with_name("prefect"))
            port = api.rsplit(":", 1)[1].removesuffix("/api")
            server = subprocess.Popen(
                [prefect, "server", "start", "--host", "127.0.0.1", "--port", port],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        try:
            _wait_healthy(env["PREFECT_API_URL"])
            epoch1 = home / "epoch-1.db"
            show("epoch-1 (accept-new)", refresh("epoch-1", epoch1, env, accept_new=True))
            totals: list[float] = []
            for run in range(1, runs + 1):
                db = home / f"run-{run}.db"
                shutil.copy(epoch1, db)
                first = refresh("epoch-2", db, env)
                show(f"epoch-2, run {run}", first)
                show("  the same world again", refresh("epoch-2", db, env))
                totals.append(first["exit"])
            print(
                f"epoch-2 on an epoch-1 catalog, command to exit: median "
                f"{statistics.median(totals):.2f} s of {runs} (target at most 6 s)"
            )
            if slow is not None:
                world = slowed(slow, home)
                late: list[float] = []
                for run in range(1, runs + 1):
                    db = home / f"slow-{run}.db"
                    shutil.copy(epoch1, db)
                    marks = refresh(world, db, env)
                    show(f"{slow:g} s late, run {run}", marks)
                    late.append(marks["exit"])
                print(
                    f"the same with {SLOW_URL} {slow:g} s late: median "
                    f"{statistics.median(late):.2f} s of {runs}"
                )
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)


if __name__ == "__main__":
    main(sys.argv[1:])
