"""The crawl a refresh command starts in a child as it begins (spiders/ahead.py): it reads what a
crawl in the flow reads, and whatever it fails of, the flow fetches itself."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.normalize import SourceDrafts, draft_source
from catalog.tables import catalog_values, quarantine, review_items, source_runs
from ratecard.options import INTERRUPT_GRACE
from schemas.fetch import FetchedPage
from schemas.sources import Source
from spiders.ahead import FetchAhead
from spiders.crawl import crawl_all
from spiders.replay import World, serve
from spiders.results import CrawlResult
from tests.conftest import WORLDS, run_flow
from tests.test_interrupt import PROMPTLY, Start, only_progress_and
from tests.test_interrupt import start as start  # the command started as a terminal's job
from tests.worlds import fault_world, in_force, replayed

EPOCH2 = WORLDS / "epoch-2.json"
SOURCES = ["anthropic-page", "deepseek-page", "litellm"]
DEEPSEEK = "https://api-docs.deepseek.com/quick_start/pricing"
OPENROUTER_ALL = "https://openrouter.ai/api/v1/models?output_modalities=all"


def read(result: CrawlResult) -> tuple[object, ...]:
    """What a crawl read, without the moment each response was read."""
    pages = [
        (p.url, p.landing_url, p.status, p.content_hash, p.body, p.records, p.last_modified)
        for p in result.pages
    ]
    return result.source, pages, result.failures


def test_the_crawl_ahead_reads_what_a_crawl_here_reads() -> None:
    with serve(World.load(EPOCH2)) as base:
        here = {r.source: read(r) for r in crawl_all(SOURCES, base)}
    with FetchAhead(SOURCES, EPOCH2) as ahead:
        found = {s: asyncio.run(ahead.result(s)) for s in [*SOURCES, "portkey"]}
    assert ahead.failure == ""
    assert found["portkey"] is None  # not asked of it: the flow crawls it
    assert {s: read(r) for s, r in found.items() if r is not None} == here
    litellm = found["litellm"]
    assert litellm is not None
    assert sum(len(p.records) for p in litellm.pages) > 1000


def test_the_crawl_ahead_imports_what_the_command_imports_wherever_it_is_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command started in a directory of its own Python packages (a Scrapy project's
    `spiders`): the child's `python -m` put that directory first on its path, imported its
    `spiders`, not ratecard's, and every refresh started there fetched everything again, saying
    the crawl ahead gave nothing (it ended with exit 1)."""
    project = tmp_path / "spiders"
    project.mkdir()
    (project / "__init__.py").write_text("")
    monkeypatch.chdir(tmp_path)
    with FetchAhead(["deepseek-page"], EPOCH2) as ahead:
        found = asyncio.run(ahead.result("deepseek-page"))
    assert ahead.failure == ""
    assert found is not None and found.pages


def test_a_crawl_ahead_that_gives_nothing_leaves_the_fetch_to_the_flow(tmp_path: Path) -> None:
    """Its child killed (or failing, or cut short): the run reads every source itself, and says
    once that it does; a source the child was not asked of is crawled here too."""
    from flows.refresh import refresh

    told: list[tuple[str, str]] = []
    values: dict[str, dict[str, dict[str, Decimal]]] = {}
    for name, sources in (("killed", SOURCES), ("partial", SOURCES[:1]), ("none", None)):
        db = f"sqlite:///{tmp_path / name}.db"
        ahead = None if sources is None else FetchAhead(sources, EPOCH2)
        if name == "killed":
            assert ahead is not None
            os.kill(ahead._process.pid, signal.SIGKILL)
        state = run_flow(
            refresh(
                sources=SOURCES,
                replay=str(EPOCH2),
                database=db,
                accept_new=True,
                progress=lambda source, message: told.append((source, message)),
                ahead=ahead,
                return_state=True,
            )
        )
        if ahead is not None:
            ahead.close()
        assert state.is_completed(), state.message
        values[name] = {route: in_force(db, route, "input") for route in ("anthropic", "openai")}
        said = [m for s, m in told if "the crawl started ahead" in m]
        assert said == (
            [
                "the crawl started ahead stopped short (it ended with exit -9): "
                "what it did not send is fetched here"
            ]
            if name == "killed"
            else []
        ), said
        told.clear()
    assert values["killed"] == values["partial"] == values["none"]
    assert len(values["none"]["openai"]) > 50


def test_the_crawl_ahead_dies_with_the_command() -> None:
    """However the command's process ends (SIGKILL here: nothing of it runs after), its child
    ends with it, not crawling on."""
    program = (
        "import sys, time; from pathlib import Path; from spiders.ahead import FetchAhead; "
        f"a = FetchAhead([], Path({str(EPOCH2)!r})); print(a._process.pid, flush=True); "
        "time.sleep(60)"
    )
    command = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True)
    assert command.stdout is not None
    child = int(command.stdout.readline())
    assert Path(f"/proc/{child}").exists()
    command.kill()
    command.wait()
    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, ended and not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_wait_for_the_crawl_ahead_ends_when_it_is_cancelled() -> None:
    """A fetch task waiting for the child is cancelled (a signal, a timeout) while the child
    still crawls: the wait ends then, not when the child does, and closing kills the child."""

    async def wait_briefly(ahead: FetchAhead) -> None:
        await asyncio.wait_for(ahead.result("litellm"), timeout=0.05)

    with FetchAhead(SOURCES, EPOCH2) as ahead:
        try:
            asyncio.run(wait_briefly(ahead))
        except TimeoutError:
            pass
        else:
            raise AssertionError("the child ended within 0.05 s of starting")
        assert ahead._process.poll() is None  # still crawling: the wait did not wait for it
    assert ahead._process.returncode == -signal.SIGKILL


@pytest.mark.integration
def test_a_sigterm_while_the_fetch_waits_for_the_crawl_ahead_ends_the_command_in_one_line(
    start: Start, tmp_path: Path
) -> None:
    """SIGTERM to the command alone (as `kill` sends it) while its fetch waits for the child,
    its event loop idle between polls: it ends at once, in its one line, exit 130, and its child
    ends with it. Prefect's flow engine had put its own SIGTERM handler in place of the
    command's: its TerminationSignal, raised in the loop's wait, left asyncio.run past every
    handler (a traceback, exit 1), or was reported as the flow's failure ('Task run is not
    set', exit 2)."""
    # The child crawls until the signal, however long the temporary server takes to start on a
    # loaded machine (20 s of delay were over before the fetch began in a CI run beside other
    # work: no child was left to wait for).
    slow = fault_world(tmp_path, {DEEPSEEK: {"delay": 600}})
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    command = ("refresh", "--replay", str(slow), "--source", "deepseek-page", "--accept-new")
    refresh = start(db, "terminated", command, settings={"RATECARD_DOWNLOAD_TIMEOUT": "900"})
    run_id = int(refresh.wait_for(r"\*: run (\d+)$")[1])
    refresh.wait_for(r"deepseek-page: fetching$")
    [child] = children_of(refresh.process.pid)
    time.sleep(0.5)  # the fetch waits for the child, which still crawls
    assert alive(child)
    os.kill(refresh.process.pid, signal.SIGTERM)
    code, took = refresh.ended(timeout=INTERRUPT_GRACE + 5)
    assert code == 130, refresh.stderr()[-3000:]
    assert took < PROMPTLY, took
    only_progress_and(
        refresh.stderr(),
        f"ratecard refresh: interrupted; nothing applied (run {run_id} recorded failed)",
    )
    assert not alive(child)


def children_of(parent: int) -> list[int]:
    """The running `python -m spiders.ahead` children of `parent`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or not alive(int(entry.name)):
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if ppid == parent and b"spiders.ahead" in command:
            found.append(int(entry.name))
    return found


@pytest.mark.integration
def test_a_refused_live_refresh_has_requested_nothing_of_the_sources(tmp_path: Path) -> None:
    """A live refresh refused while it checks the Prefect API it was given (one that answers its
    health check with an error, 3 s late): 'nothing started', and no request reached a source.
    Its crawl ahead, started before the check, had sent them all (here to a proxy standing in
    for the internet) before the command refused."""
    proxied: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/api/health"):  # the Prefect API, late and failing
                time.sleep(3)
            else:  # a source's URL, through the proxy
                proxied.append(self.requestline)
            self.send_error(503)

        def do_CONNECT(self) -> None:  # a source's https URL, through the proxy
            proxied.append(self.requestline)
            self.send_error(502)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{server.server_address[1]}"
    env = {
        **os.environ,
        "PREFECT_API_URL": f"{address}/api",
        **{name: address for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")},
        "no_proxy": "127.0.0.1",
    }
    ratecard = str(Path(sys.executable).with_name("ratecard"))
    try:
        done = subprocess.run(
            [ratecard, "refresh", "--db", f"sqlite:///{tmp_path / 'catalog.db'}"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().endswith("; nothing started"), done.stderr
    assert proxied == []


def test_each_source_is_at_hand_once_the_child_sent_it(tmp_path: Path) -> None:
    """A source whose crawl ended is taken while another still crawls (its progress line is
    not held back by the slowest source); the child killed then, what it sent stands and the
    other is missed, for the flow to crawl itself."""
    slow = fault_world(tmp_path, {DEEPSEEK: {"delay": 20}})

    async def anthropic_then_deepseek(ahead: FetchAhead) -> tuple[object, object]:
        first = await ahead.result("anthropic-page")
        assert ahead._process.poll() is None  # deepseek's answer is 20 s away
        os.kill(ahead._process.pid, signal.SIGKILL)
        return first, await ahead.result("deepseek-page")

    with FetchAhead(["anthropic-page", "deepseek-page"], slow) as ahead:
        anthropic, deepseek = asyncio.run(anthropic_then_deepseek(ahead))
    assert isinstance(anthropic, CrawlResult) and anthropic.pages
    assert deepseek is None
    assert ahead.failure == "it ended with exit -9"
    assert ahead.missed == ["deepseek-page"]


def catalog_of(db: str) -> dict[str, list[tuple[object, ...]]]:
    """What a refresh left in `db`, without ids and times: the values in force, the review items
    (kind, route, model, fingerprint), the quarantine (source, record, rule, detail) and each
    source's report (status, reason, counts)."""
    v, r, q, s = catalog_values.c, review_items.c, quarantine.c, source_runs.c
    queries = {
        "values": select(v.route, v.model, v.kind, v.component, v.unit, v.dimensions, v.value)
        .where(v.valid_to.is_(None))
        .order_by(v.route, v.model, v.kind, v.component, v.unit, v.dimensions),
        "items": select(r.kind, r.route, r.model, r.fingerprint).order_by(r.fingerprint),
        "quarantine": select(q.source, q.record, q.rule, q.detail).order_by(
            q.source, q.record, q.rule, q.detail
        ),
        "reports": select(s.source, s.status, s.reason, s.observations, s.quarantined).order_by(
            s.source
        ),
    }
    engine = store.connect(db)
    try:
        with engine.connect() as conn:
            return {name: [tuple(row) for row in conn.execute(q)] for name, q in queries.items()}
    finally:
        engine.dispose()


def test_what_the_crawl_ahead_sends_first_is_read_as_it_arrives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each source the child sends is normalized as it arrives, while the others still crawl
    (flows/refresh.py `draft_ahead`); the read takes those drafts and normalizes none of them
    again, and the catalog is, row for row, the one a refresh reading after the fetch makes.
    So for a partial source (one of OpenRouter's two listings failing: its other responses are
    read as those of a source whose failed ones stand as last stated)."""
    normalized: list[str] = []

    def counted(source: Source, pages: list[FetchedPage], others_stand: bool) -> SourceDrafts:
        normalized.append(source.id)
        return draft_source(source, pages, others_stand)

    monkeypatch.setattr("catalog.intake.draft_source", counted)  # the read's, not the ahead's
    sources = [*SOURCES, "openrouter"]
    world = fault_world(tmp_path, {OPENROUTER_ALL: {"status": 500}})
    found: dict[str, dict[str, list[tuple[object, ...]]]] = {}
    for name in ("ahead", "after"):
        db = f"sqlite:///{tmp_path / name}.db"
        ahead = FetchAhead(sources, world) if name == "ahead" else None
        with ahead or contextlib.nullcontext():
            state = replayed(db, world, sources, accept_new=True, ahead=ahead)
        assert state.is_completed(), state.message
        found[name] = catalog_of(db)
        read_after, normalized[:] = sorted(normalized), []
        assert read_after == ([] if name == "ahead" else sorted(sources)), read_after
    assert found["ahead"] == found["after"]
    reports = {row[0]: row[1] for row in found["ahead"]["reports"]}
    assert reports["openrouter"] == "partial", reports
    assert len(found["ahead"]["values"]) > 1000


def test_a_catalog_that_cannot_be_asked_leaves_a_source_to_the_read(tmp_path: Path) -> None:
    """Whether a source's bodies repeat its last run is asked of the catalog before it is read
    ahead; a catalog that cannot answer (here no database at all) makes no draft and fails no
    fetch: judging reads the catalog next and says why. A catalog that answers gets its drafts."""
    from sqlalchemy import create_engine

    from flows.refresh import draft_ahead

    with serve(World.load(EPOCH2)) as base:
        [result] = crawl_all(["deepseek-page"], base)
    not_a_catalog = tmp_path / "notes.db"
    not_a_catalog.write_text("a file of notes, no database\n")
    engine = create_engine(f"sqlite:///{not_a_catalog}")
    try:
        assert draft_ahead(engine, result) is None
    finally:
        engine.dispose()
    catalog = store.connect(f"sqlite:///{tmp_path / 'catalog.db'}")
    try:
        made = draft_ahead(catalog, result)
    finally:
        catalog.dispose()
    assert made is not None and made.drafts.drafts
    assert made.pages == tuple(result.pages) and not made.others_stand
