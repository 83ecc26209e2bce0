"""The catalog on PostgreSQL (Debian's server, started here in a temporary cluster)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from typer.testing import CliRunner

from catalog import queries, reader, runlog, store
from catalog.compare import Context, compare
from catalog.tables import catalog_values, quarantine, review_items, runs
from ratecard.cli import app
from review import triage
from schemas.sources import is_official
from tests.deciding import approve_at_once
from tests.observed import LITELLM, OPENROUTER_AUGUST, observe
from tests.racing import overlapping_loads, proposals_for_one_field, values_in_force
from tests.test_fault_kinds import read, recorded, urls
from tests.test_faults_variants import with_controls
from tests.test_queue_pages import unfound_claim_item

pytestmark = pytest.mark.integration


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail("PostgreSQL is not installed (.ci/run installs Debian's postgresql)")
    return found[-1]


def _as_postgres(args: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _run(args: list[str]) -> None:
    done = subprocess.run(_as_postgres(args), capture_output=True, text=True, check=False)
    if done.returncode:
        pytest.fail(f"{' '.join(args)} failed: {done.stderr or done.stdout}")


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    # Not pytest's tmp_path: its parents are private to root, and the server runs as postgres.
    data = Path(tempfile.mkdtemp(prefix="ratecard-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(
        _as_postgres(
            [_bin("initdb"), "-D", str(data), "-U", "ratecard", "--auth=trust", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    log = Path(data) / "server.log"
    subprocess.run(
        _as_postgres(
            [
                _bin("pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-w",
                "-o",
                f"-p {port} -k {data} -c listen_addresses=127.0.0.1",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://ratecard@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(data, ignore_errors=True)  # ~200 MB a cluster: left, they fill the disk


def test_refresh_results_apply_and_read_back_on_postgres(postgres_url: str) -> None:
    found = observe(*OPENROUTER_AUGUST)
    engine = store.connect(postgres_url)
    assert engine.dialect.name == "postgresql"
    run_id = store.start_run(engine, world=None, policy="accept-new", now=datetime.now(UTC))
    ctx = Context(run_id, datetime.now(UTC), True, is_official, frozenset({"openrouter"}))
    comparison = compare(found, {}, {}, [], ctx)
    store.apply(
        engine,
        run_id,
        valid=found,
        problems=[],
        comparison=comparison,
        source_reports=[],
        now=datetime.now(UTC),
    )
    with engine.connect() as conn:
        current = store.load_catalog(conn)
        verified = conn.execute(
            catalog_values.select().where(
                catalog_values.c.model == "gpt-4o",
                catalog_values.c.component == "input",
                catalog_values.c.dimensions == "",
            )
        ).one()
    assert len(current) == len(comparison.new_values)
    assert verified.value == "2.5"
    assert verified.verified_at == datetime(2026, 8, 19, tzinfo=UTC)
    with engine.connect() as conn:  # read back as of the day: stamps and source runs on PG
        as_of = {
            p.value.id: p for p in reader.published_values(conn, reader.end_of(date(2026, 8, 19)))
        }
    assert as_of[verified.id].verified_at == datetime(2026, 8, 19, tzinfo=UTC)
    assert as_of[verified.id].verified_by == "openrouter"
    again = compare(found, current, {}, [], ctx)
    assert len(again.stamps) == len(comparison.new_values) and not again.new_values


def fresh_database(postgres_url: str, name: str) -> str:
    """A new empty database on the test server; its URL."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


def test_two_reviewers_approving_the_same_field_at_once_on_postgres(postgres_url: str) -> None:
    url = fresh_database(postgres_url, "race")
    field, items, new_field, new_items = proposals_for_one_field(url)
    outcome = approve_at_once(
        url,
        [(items[0], "alice"), (items[1], "bob"), (new_items[0], "alice"), (new_items[1], "bob")],
    )
    for pair in (items, new_items):
        refused = [outcome[i] for i in pair if outcome[i] != "approved"]
        assert len(refused) == 1 and "changed meanwhile" in refused[0], outcome
    assert len(values_in_force(url, field)) == 1
    assert values_in_force(url, new_field) in (["1.25"], ["1.5"])


def test_overlapping_accept_new_loads_put_one_value_in_force_on_postgres(postgres_url: str) -> None:
    let_in, in_force, summary = overlapping_loads(fresh_database(postgres_url, "loads"))
    assert in_force == let_in > 0
    assert len(summary["in_force_meanwhile"]) == let_in


def test_one_refresh_at_a_time_and_a_killed_one_abandoned_on_postgres(postgres_url: str) -> None:
    """The refresh lock is PostgreSQL's session advisory lock: held by a live process, it
    refuses a second refresh naming the first; when that process is killed the server ends its
    session, and the next command marks its run abandoned."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from datetime import UTC, datetime\n"
            "from catalog import runlog, store\n"
            "engine = store.connect(sys.argv[1])\n"
            "now = datetime.now(UTC)\n"
            "with runlog.refresh_lock(engine, now):\n"
            "    run_id = store.start_run(engine, world=None, policy='review', now=now)\n"
            "    runlog.claim(engine, run_id)\n"
            "    print(run_id, flush=True)\n"
            "    time.sleep(600)\n",
            postgres_url,
        ],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        text=True,
    )
    engine = store.connect(postgres_url)
    try:
        assert holder.stdout is not None
        run_id = int(holder.stdout.readline())
        assert runlog.reap(engine, datetime.now(UTC)) == []
        refused = pytest.raises(runlog.RefreshRunning, match=f"refresh run {run_id} is running")
        with refused, runlog.refresh_lock(engine, datetime.now(UTC)):
            pass
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    deadline = time.monotonic() + 10  # the server notices the closed connection
    while not (abandoned := runlog.reap(engine, datetime.now(UTC))):
        assert time.monotonic() < deadline, "the killed refresh's lock was never released"
        time.sleep(0.2)
    assert abandoned == [run_id]
    with engine.connect() as conn:
        assert conn.execute(select(runs.c.status).where(runs.c.id == run_id)).scalar() == (
            "abandoned"
        )


def test_the_queue_pages_filters_and_sets_on_postgres(postgres_url: str) -> None:
    """Triage, paging, the source and text filters, sets and the promise's counts in SQL that
    PostgreSQL runs too (LiteLLM's recorded map, reviewed rather than accepted: many items)."""
    found = observe(*LITELLM)
    engine = store.connect(postgres_url)
    now = datetime.now(UTC)
    run_id = store.start_run(engine, world=None, policy="review", now=now)
    with engine.connect() as conn:
        current = store.load_catalog(conn)
    ctx = Context(run_id, now, False, is_official, frozenset({"litellm"}))
    comparison = compare(found, current, {}, [], ctx)
    opened = store.apply(
        engine,
        run_id,
        valid=found,
        problems=[],
        comparison=comparison,
        source_reports=[],
        now=now,
    )
    assert triage.assign_pending(engine) >= len(opened) > 100
    which = queries.QueueFilter(source="litellm")
    with engine.connect() as conn:
        total = queries.queue_page(conn, which, limit=1).total
        seen = [
            i.id
            for offset in range(0, total, 37)
            for i in queries.queue_page(conn, which, sort="model", offset=offset, limit=37).items
        ]
        sets = queries.change_sets(conn, which)
        promise = queries.promise_counts(conn, now, timedelta(hours=12))
        model = conn.execute(select(review_items.c.model).limit(1)).scalar_one()
        searched = queries.queue_page(conn, queries.QueueFilter(text=model.upper())).items
    assert total >= len(opened) and len(seen) == len(set(seen)) == total
    assert sum(s.items for s in sets) == total
    assert promise["machine"]["open"] >= total and promise["submissions"]["open"] == 0
    assert searched and all(
        model.lower() in " ".join((i.route, i.model, i.title)).lower() for i in searched
    )


def test_control_characters_a_source_wrote_are_stored_on_postgres(postgres_url: str) -> None:
    """OpenRouter's listing with a NUL in one model id, a line break in another and a NUL in a
    pricing key (tests/test_faults_variants.py), applied on PostgreSQL: its text refuses NUL,
    so one such name would fail the transaction of the whole run, every source's part."""
    url = urls("openrouter")[0]
    document = json.loads(recorded()[url].read_bytes())
    with_controls(document)
    found = read("openrouter", {url: json.dumps(document).encode()})
    engine = store.connect(fresh_database(postgres_url, "controls"))
    store.open_catalog(engine.url.render_as_string(hide_password=False), create=True).dispose()
    run_id = store.start_run(engine, world=None, policy="accept-new", now=datetime.now(UTC))
    ctx = Context(run_id, datetime.now(UTC), True, is_official, frozenset({"openrouter"}))
    store.apply(
        engine,
        run_id,
        valid=found.valid,
        problems=found.problems,
        comparison=compare(found.valid, {}, {}, [], ctx),
        source_reports=[],
        now=datetime.now(UTC),
    )
    with engine.connect() as conn:
        stored = conn.execute(select(quarantine.c.record).where(quarantine.c.run_id == run_id))
        records = set(stored.scalars())
    assert {p.record for p in found.problems} <= records
    assert any("\\x00" in record for record in records)


def test_a_database_holding_other_tables_is_no_catalog_to_create_on_postgres(
    postgres_url: str,
) -> None:
    """`refresh` creates a catalog in an empty server database only: one that holds another
    application's tables is refused in one line, as a foreign SQLite file is, and gets no
    table of ratecard's (the catalog's tables used to be written beside the other ones); so is
    the engine a deployment's flow or the web app opens (store.connect) on its URL."""
    url = fresh_database(postgres_url, "foreign")
    other = create_engine(url)
    with other.begin() as conn:
        conn.execute(text("CREATE TABLE customers (id integer PRIMARY KEY, name text)"))
    result = CliRunner().invoke(app, ["refresh", "--db", url], prog_name="ratecard")
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        f"ratecard refresh: Invalid value for '--db': {url}: the database holds 1 table "
        "(customers) and no ratecard catalog (give an empty database or a catalog)"
    ]
    with pytest.raises(store.CatalogUnavailable, match=r"holds 1 table \(customers\)"):
        store.connect(url)
    with other.connect() as conn:
        assert inspect(conn).get_table_names() == ["customers"]
    other.dispose()


def test_a_refresh_still_starting_is_named_by_pid_and_host_on_postgres(postgres_url: str) -> None:
    """While the first refresh starts up (its lock taken, no run recorded yet) a second one is
    refused naming its process, as the lock file does beside a SQLite catalog: on PostgreSQL
    the refusal said only 'another refresh is starting on this catalog'."""
    url = fresh_database(postgres_url, "starting")
    store.open_catalog(url, create=True).dispose()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from catalog import runlog, store\n"
            "with runlog.held_for_refresh(store.connect(sys.argv[1])):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(600)\n",
            url,
        ],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        text=True,
    )
    engine = store.connect(url)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        named = f"another refresh is starting on this catalog (pid {holder.pid} on "
        with (
            pytest.raises(runlog.RefreshRunning) as refused,
            runlog.refresh_lock(engine, datetime.now(UTC)),
        ):
            pass
        assert str(refused.value).startswith(named), refused.value
        assert str(refused.value).endswith(f"{socket.gethostname()})"), refused.value
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        engine.dispose()


def test_a_nul_in_a_page_path_query_or_form_is_a_4xx_on_postgres(postgres_url: str) -> None:
    """PostgreSQL refuses a NUL in a text value where SQLite stores it, so a NUL in a page's path
    or query, a sign-in name or a decision's reason reached the database and answered 500
    there. Each is refused first: 422 naming the parameter (as the JSON API does), a failed
    sign-in, a refused decision that keeps the form."""
    import re

    from fastapi.testclient import TestClient

    from review.reviewers import add_reviewer
    from webapp import create_app

    engine = store.connect(fresh_database(postgres_url, "web_nul"))
    app = create_app(engine.url.render_as_string(hide_password=False), secret_key="test-only")
    client = TestClient(app, raise_server_exceptions=False)
    for path in (
        "/sets/1%00",
        "/models/gpt%004o",
        "/models/gpt%004o/history.svg",
        "/submissions/ab%00",
        "/api/cost?route=openrouter&model=gpt%004o&input_tokens=1&output_tokens=1",
    ):
        response = client.get(path)
        assert response.status_code == 422, (path, response.status_code)
        said = (
            "String should match pattern" if path.startswith("/api/") else "no control characters"
        )
        assert said in response.text, path

    def token(path: str) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
        assert found, path
        return found[1]

    add_reviewer(engine, "alice", "correct horse battery staple")
    nul_name = {"csrf": token("/login"), "name": "al\x00ice", "secret": "x"}
    refused = client.post("/login", data=nul_name)
    assert refused.status_code == 401 and "unknown name or wrong secret" in refused.text
    signed = {"csrf": token("/login"), "name": "alice", "secret": "correct horse battery staple"}
    assert client.post("/login", data=signed, follow_redirects=False).status_code == 303
    item = unfound_claim_item(engine, model="gpt-4o")
    for action in ("reject", "approve"):
        form = {"csrf": token(f"/items/{item}"), "reason": "see\x00page", "override": "true"}
        response = client.post(f"/items/{item}/{action}", data=form)
        assert response.status_code == 422, (action, response.status_code)
        assert "control character" in response.text


def test_first_connects_at_once_to_an_empty_database_migrate_once(postgres_url: str) -> None:
    """Fault round 29: two refreshes started at once into an empty database both created the
    catalog's tables, and the loser said the database could not be used ("duplicate key value
    violates unique constraint"). One migrates at a time; the others find the catalog there."""
    url = fresh_database(postgres_url, "first_connects")
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def connect() -> None:
        start.wait()
        try:
            store.connect(url).dispose()
        except BaseException as exc:  # collected, then asserted
            failures.append(exc)

    threads = [threading.Thread(target=connect, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not [thread for thread in threads if thread.is_alive()]  # none waits on another
    assert failures == []
    with create_engine(url).connect() as conn:
        assert "runs" in inspect(conn).get_table_names()
