"""Ctrl-C during a refresh's start-up, a bulk decision or a publish ends the command with one
line saying what was left as it was, exit 130, no traceback (each ended in silence).

Each command is the installed `ratecard` as a user runs it, its own process in a session of its
own (a terminal's Ctrl-C is SIGINT to the process group), signalled at a point its output, or
the Prefect API it asks, shows. Not tested here, for want of a point to detect: a decision on
one item (it prints nothing before it commits), and a publish interrupted while it puts the new
site up (a few renames, during which webapp.static_site holds the signal).
"""

from __future__ import annotations

import hashlib
import http.server
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from schemas.sources import sources
from tests.conftest import ROOT, WORLDS
from tests.worlds import epoch2_after_epoch1

pytestmark = pytest.mark.integration

PATIENCE = 300  # seconds a command may take to reach the point it is signalled at, loaded
PROMPTLY = 20.0  # seconds from the signal to the command's exit


@pytest.fixture
def catalog(prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> str:
    """A copy of a catalog of every source's epoch-1 answers loaded (accept-new), then epoch-2's
    under review (some 3,900 new-model items open, as a new user's catalog held them), with the
    reviewer alice."""
    from catalog import store
    from review.reviewers import add_reviewer

    url = f"sqlite:///{epoch2_after_epoch1(tmp_path_factory, tmp_path, list(sources()))}"
    engine = store.open_catalog(url)
    add_reviewer(engine, "alice", "correct horse battery staple")
    engine.dispose()
    return url


def started(
    args: list[str], errors: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`ratecard ARGS` started as a terminal starts a job, standard error into `errors`."""
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("ratecard")), *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=errors.open("w"),
        start_new_session=True,
    )


def interrupted_when(
    process: subprocess.Popen[bytes], errors: Path, pattern: str
) -> tuple[int, list[str]]:
    """Ctrl-C once standard error shows `pattern`; the exit code and standard error's lines."""
    deadline = time.monotonic() + PATIENCE
    while re.search(pattern, errors.read_text(), re.MULTILINE) is None:
        assert process.poll() is None, errors.read_text()[-2000:]
        assert time.monotonic() < deadline, errors.read_text()[-2000:]
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)
    return ended(process, errors)


def ended(process: subprocess.Popen[bytes], errors: Path) -> tuple[int, list[str]]:
    try:
        code = process.wait(timeout=PROMPTLY)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        pytest.fail(f"still running {PROMPTLY} s after Ctrl-C: {errors.read_text()[-2000:]}")
    return code, errors.read_text().splitlines()


def decisions_and_open(url: str) -> tuple[int, int, str]:
    """The audit log's rows, the open review items, and SQLite's integrity check."""
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
        audit = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        open_ = conn.execute("SELECT count(*) FROM review_items WHERE status = 'open'").fetchone()
        return audit, open_[0], conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_ctrl_c_in_a_bulk_decision_says_nothing_was_decided(catalog: str, tmp_path: Path) -> None:
    """Signalled once 1000 of its items are written in its one transaction, uncommitted."""
    before = decisions_and_open(catalog)
    errors = tmp_path / "approve.stderr"
    process = started(
        [
            *("review", "approve", "--kind", "new_model", "-r", "alice"),
            *("--yes", "--skip-refused", "--db", catalog),
        ],
        errors,
    )
    code, lines = interrupted_when(process, errors, r"^1000 of \d+ items approved$")
    assert code == 130, lines
    assert lines[-1] == "ratecard review approve: interrupted; nothing decided", lines
    assert all(re.fullmatch(r"\d+ of \d+ items (checked|approved)", line) for line in lines[:-1])
    assert decisions_and_open(catalog) == before


def tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else ""
        for p in sorted(folder.rglob("*"))
    }


def test_ctrl_c_in_a_publish_says_the_old_site_stands(catalog: str, tmp_path: Path) -> None:
    """A site published, then published again (one model fewer) and signalled at its 50th page:
    the first site stands, byte for byte, and the stage folder is gone."""
    site = tmp_path / "site"
    first = subprocess.run(
        [str(Path(sys.executable).with_name("ratecard")), "publish", str(site), "--db", catalog],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    before = tree(site)
    errors = tmp_path / "publish.stderr"
    process = started(["publish", str(site), "--db", catalog], errors)
    code, lines = interrupted_when(process, errors, r"^50 of \d+ model pages$")
    assert code == 130, lines
    assert lines[-1] == (
        f"ratecard publish: interrupted; nothing put up: the site in {site} stands as it was"
    ), lines
    assert tree(site) == before


class _Silent(http.server.BaseHTTPRequestHandler):
    """A Prefect API that takes the health check and answers nothing until told."""

    asked = threading.Event()
    release = threading.Event()

    def do_GET(self) -> None:
        type(self).asked.set()
        type(self).release.wait(30)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def silent_api() -> Iterator[str]:
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Silent) as server:
        _Silent.asked.clear()
        _Silent.release.clear()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
        _Silent.release.set()
        server.shutdown()


def test_ctrl_c_while_a_refresh_starts_up_says_no_run_had_started(
    silent_api: str, tmp_path: Path
) -> None:
    """Signalled while it waits for the Prefect API's health check, before any catalog or run
    (the first seconds of a refresh: it ended with exit 130 and not a word)."""
    errors = tmp_path / "refresh.stderr"
    db = tmp_path / "new" / "catalog.db"
    process = started(
        ["refresh", "--replay", str(WORLDS / "epoch-1.json"), "--db", f"sqlite:///{db}"],
        errors,
        {"PREFECT_API_URL": silent_api},
    )
    assert _Silent.asked.wait(PATIENCE), errors.read_text()
    os.killpg(process.pid, signal.SIGINT)
    code, lines = ended(process, errors)
    assert code == 130, lines
    assert lines == ["ratecard refresh: interrupted; nothing applied (no run had started)"]
    assert not db.parent.exists()
