"""Submissions: stored at once with the 48-hour promise, checked against the real recorded page
(served by the replay server on loopback, which only this test allows), turned into review items
saying found / not found per claim with the snippet; unusable URLs still get their item."""

from __future__ import annotations

import getpass
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, insert
from typer.testing import CliRunner

from catalog import queries, store
from catalog.tables import submissions
from ratecard.cli import app
from review import decisions
from review import submissions as submitted
from review.extract import Claim
from review.reviewers import add_reviewer
from review.safefetch import FetchPolicy
from schemas.records import decimal_text, time_text
from spiders.replay import World, serve
from tests.conftest import WORLDS

pytestmark = pytest.mark.integration
ANTHROPIC = "https://platform.claude.com/docs/en/about-claude/pricing.md"
SUBMITTED_AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def replay() -> Iterator[str]:
    with serve(World.load(WORLDS / "epoch-2.json")) as base:
        yield base


def loopback_policy(base: str) -> FetchPolicy:
    """The replay server allowed by this test alone; the production path never sets this."""
    parts = urlsplit(base)
    return FetchPolicy(allow_hosts=frozenset({f"{parts.hostname}:{parts.port}"}), timeout=10)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return store.connect(f"sqlite:///{tmp_path / 'submissions.db'}")


def claims(*texts: str) -> list[Claim]:
    return [submitted.parse_claim_text(t) for t in texts]


def test_an_item_names_the_model_as_the_catalog_does_and_as_submitted(
    engine: Engine, replay: str
) -> None:
    """A model submitted by its vendor path (as OpenRouter writes ids) is the catalog's model of
    that name, which approving writes; the title says so beside what was typed."""
    created = submitted.submit(
        engine,
        route="anthropic",
        model="anthropic/Claude-Sonnet-4-5",
        source_url=f"{replay}/replay?url={quote(ANTHROPIC, safe='')}",
        claims=claims("input 3"),
        contact="me@example.org",
        client_id="web:submitter",
        now=SUBMITTED_AT,
    )
    result = submitted.process(engine, created["id"], loopback_policy(replay))
    assert result is not None and result["found"] == 1
    with engine.connect() as conn:
        item = queries.get_review(conn, result["review_item"])
    assert item is not None and item.model == "claude-sonnet-4-5"
    assert item.title.startswith(
        f"submission #{created['id']}: anthropic/claude-sonnet-4-5 (submitted as "
        "'anthropic/Claude-Sonnet-4-5'): 1 of 1 claimed values found"
    )


def test_recorded_pricing_page_checks_each_claim(engine: Engine, replay: str) -> None:
    url = f"{replay}/replay?url={quote(ANTHROPIC, safe='')}"
    created = submitted.submit(
        engine,
        route="anthropic",
        model="claude-sonnet-4-5",
        source_url=url,
        claims=claims(
            "input 3",
            "output 15.00",
            "cache_read $0.30",
            "input 2.5",
            "input 1.50 usd_per_1m_tokens service_tier=batch",
            "cache_read 3.75",
        ),
        contact="me@example.org",
        client_id="web:submitter",
        now=SUBMITTED_AT,
    )
    assert created["due_at"] == SUBMITTED_AT + timedelta(hours=48)
    assert submitted.pending(engine) == [created["id"]]

    result = submitted.process(engine, created["id"], loopback_policy(replay))

    assert result is not None and result["fetch"] == "fetched"
    assert (result["found"], result["claims"]) == (4, 6)
    with engine.connect() as conn:
        item = queries.get_review(conn, result["review_item"])
        status = queries.submission_status(conn, created["token"])
    assert item is not None and status is not None
    assert item.kind == "submission" and item.status == "open"
    assert item.route == "anthropic" and item.model == "claude-sonnet-4-5"
    assert item.due_at == time_text(SUBMITTED_AT + timedelta(hours=48))
    assert "4 of 6 claimed values found" in item.title
    found = [(c["component"], c["value"], c["dimensions"], c["found"]) for c in status["checks"]]
    assert found == [
        ("input", "3", {}, True),
        ("output", "15", {}, True),
        ("cache_read", "0.3", {}, True),
        ("input", "2.5", {}, False),
        ("input", "1.5", {"service_tier": "batch"}, True),
        ("cache_read", "3.75", {}, False),
    ]
    snippets = [c["snippet"] for c in status["checks"]]
    assert snippets[0].startswith("Claude Sonnet 4.5 | $3 / MTok | $3.75 / MTok")
    assert snippets[4].startswith("Claude Sonnet 4.5 | $1.50 / MTok | $7.50 / MTok")
    assert status["checks"][3]["note"] == "the model is named, but the value is not stated near it"
    assert "NOT FOUND: input 2.5 usd_per_1m_tokens" in item.detail
    # 3.75 is in the row, but in its "5m Cache Writes" column: the reviewer is told so.
    assert snippets[5].startswith("Claude Sonnet 4.5 | $3 / MTok | $3.75 / MTok")
    assert (
        "NOT FOUND: cache_read 3.75 usd_per_1m_tokens (stated as the cache_write "
        "[cache_ttl=5m] price)" in item.detail
    )
    # The evidence is dated by the recorded response, and only found claims cite the page.
    first = item.changes[0]
    assert first.proposed == "3" and first.current is None
    assert first.sources[0].observed_at.isoformat().startswith("2025-12-19")
    assert item.changes[3].sources == []
    assert status["status"] == "open" and "contact" not in status
    assert submitted.pending(engine) == []
    assert submitted.process(engine, created["id"], loopback_policy(replay)) is None


@pytest.mark.parametrize(
    ("url", "status", "why"),
    [
        ("http://10.0.0.1/pricing", "refused", "10.0.0.1 is private"),
        ("http://169.254.169.254/latest/meta-data/", "refused", "cloud metadata"),
        ("http://0x7f.1/", "refused", "non-standard encoding of 127.0.0.1"),
        ("REPLAY/replay?url=https%3A%2F%2Fexample.com%2Fnot-recorded", "failed", "HTTP 404"),
    ],
)
def test_a_url_it_may_not_or_cannot_fetch_still_gets_its_item(
    engine: Engine,
    replay: str,
    url: str,
    status: str,
    why: str,
) -> None:
    created = submitted.submit(
        engine,
        route="anthropic",
        model="claude-haiku-4-5",
        source_url=url.replace("REPLAY", replay),
        claims=claims("input 1"),
        now=SUBMITTED_AT,
    )
    (result,) = submitted.process_pending(engine, loopback_policy(replay))
    assert result["fetch"] == status and why in result["detail"]
    with engine.connect() as conn:
        item = queries.get_review(conn, result["review_item"])
        state = queries.submission_status(conn, created["token"])
    assert item is not None and state is not None
    assert item.due_at == time_text(SUBMITTED_AT + timedelta(hours=48))
    assert f"source {status}" in item.title and why in item.detail
    assert state["checks"][0]["found"] is False and why in state["checks"][0]["note"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("input", "COMPONENT VALUE"),
        ("inputs 3", "claim"),
        ("input three", "not a plain number"),
        ("input -1", "negative numbers"),
        ("input -0", "negative numbers"),
        ("input 1e400", "out of range"),
        ("input 1E+10000000", "out of range"),
        ("input 1e999999999999", "out of range"),
        ("input 1e-400", "out of range"),
        ("input 1e12", "out of range"),
        ("input 1234567.890123", "at most 12 significant digits"),
        ("input NaN", "not a plain number"),
        ("input Infinity", "not a plain number"),
        ("input 1,000", "not a plain number"),
        ("input 1_000", "not a plain number"),
        ("input ３", "not a plain number"),
        ("input ١٫٥", "not a plain number"),
        ("input 0x10", "not a plain number"),
        ("input +3", "not a plain number"),
        ("input 3 usd_per_parsec", "claim"),
        ("input 3 usd_per_1m_tokens colour=blue", "claim dimension 'colour' is not one of: "),
        # the name as written, never Python's dict notation ({'a': 'b=c'})
        ("input 3 usd_per_1m_tokens a=b=c", r"^claim dimension 'a' is not one of: [a-z_, ]+$"),
    ],
)
def test_malformed_claims_are_refused(text: str, error: str) -> None:
    with pytest.raises(submitted.SubmissionError, match=error):
        submitted.parse_claim_text(text)


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("3", "3"),
        ("$0.30", "0.3"),
        ("15.000", "15"),
        ("1.5e-3", "0.0015"),
        ("2E+2", "200"),
        ("0.000", "0"),
        ("0.000000000001", "0.000000000001"),
        ("999999999999", "999999999999"),
    ],
)
def test_claims_are_stored_in_their_canonical_bounded_form(
    engine: Engine, text: str, stored: str
) -> None:
    created = submitted.submit(
        engine,
        route="anthropic",
        model="claude-haiku-4-5",
        source_url="https://example.com/p",
        claims=claims(f"input {text}"),
    )
    with engine.connect() as conn:
        state = queries.submission_status(conn, created["token"])
    assert state is not None and state["claims"][0]["value"] == stored


def test_malformed_submissions_are_refused(engine: Engine) -> None:
    good: dict[str, Any] = {
        "route": "anthropic",
        "model": "m",
        "source_url": "https://example.com/p",
        "claims": claims("input 3"),
    }
    for change, error in (
        ({"route": "Not A Route!"}, "route"),
        ({"model": " "}, "model is required"),
        ({"source_url": "example.com/pricing"}, "full URL"),
        ({"source_url": "ftp://example.com/prices"}, "scheme 'ftp' is not allowed"),
        ({"source_url": "gopher://example.com/"}, "scheme 'gopher' is not allowed"),
        ({"source_url": "http://example.com:99999/"}, "not a readable URL"),
        ({"source_url": "https://user:pw@example.com/p"}, "no user name or password"),
        ({"source_url": "https://token@example.com/p"}, "no user name or password"),
        ({"claims": []}, "between 1 and 20"),
        ({"model": "bad\x00name"}, "control characters"),
        # a model named so has a web page no link reaches: browsers resolve /models/.. to /
        ({"model": ".."}, "path step"),
        ({"model": "openai/."}, "path step"),
    ):
        with pytest.raises(submitted.SubmissionError, match=error):
            submitted.submit(engine, **{**good, **change})


def test_an_absurd_claim_fails_alone_and_a_real_one_gets_its_item(
    engine: Engine, replay: str
) -> None:
    """`1e400` is refused at submission; a row stored before claims were bounded is reported
    as failed on itself, and the real price submitted beside it still gets its review item."""
    page = f"{replay}/replay?url={quote(ANTHROPIC, safe='')}"
    with pytest.raises(submitted.SubmissionError, match="out of range"):
        submitted.submit(
            engine,
            route="anthropic",
            model="claude-sonnet-4-5",
            source_url=page,
            claims=claims("input 1e400"),
        )
    with engine.begin() as conn:
        legacy_key = conn.execute(
            insert(submissions).values(
                token="legacy-unbounded-claim",
                route="anthropic",
                model="claude-sonnet-4-5",
                source_url=page,
                claims=[{"component": "input", "unit": "usd_per_1m_tokens", "value": "1e400"}],
                client_id="cli",
                submitted_at=SUBMITTED_AT - timedelta(hours=1),
                due_at=SUBMITTED_AT + timedelta(hours=47),
                status="pending",
                checks=[],
            )
        ).inserted_primary_key
    assert legacy_key is not None
    legacy = legacy_key[0]
    real = submitted.submit(
        engine,
        route="anthropic",
        model="claude-sonnet-4-5",
        source_url=page,
        claims=claims("input 3"),
        now=SUBMITTED_AT,
    )

    failed, opened = submitted.process_pending(engine, loopback_policy(replay))

    assert failed["submission"] == legacy and failed["review_item"] is None
    assert failed["fetch"] == "error" and "out of range" in failed["detail"]
    assert opened["submission"] == real["id"] and opened["review_item"] is not None
    assert (opened["fetch"], opened["found"]) == ("fetched", 1)
    with engine.connect() as conn:
        broken = queries.submission_status(conn, "legacy-unbounded-claim")
        kept = queries.submission_status(conn, real["token"])
    assert broken is not None and broken["status"] == "failed"
    assert "out of range" in broken["fetch_detail"]
    assert kept is not None and kept["status"] == "open" and kept["checks"][0]["found"]
    assert submitted.process_pending(engine, loopback_policy(replay)) == []


def test_pending_submissions_are_fetched_concurrently(engine: Engine) -> None:
    """A server that answers only once three requests are in flight at the same time: fetched
    one after another, every fetch would fail; fetched together, every claim is found."""
    recorded = World.load(WORLDS / "epoch-2.json").lookup(ANTHROPIC)
    assert recorded is not None
    body = recorded.content()
    content_type = recorded.headers["Content-Type"]
    together = threading.Barrier(3, timeout=5)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                together.wait()
            except threading.BrokenBarrierError:
                self.send_error(503, "requests did not arrive together")
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for claim in ("input 3", "output 15", "cache_read 0.30"):
            submitted.submit(
                engine,
                route="anthropic",
                model="claude-sonnet-4-5",
                source_url=f"{base}/pricing.md",
                claims=claims(claim),
            )
        results = submitted.process_pending(engine, loopback_policy(base), workers=3)
    finally:
        server.shutdown()
        server.server_close()
    assert [(r["fetch"], r["found"]) for r in results] == [("fetched", 1)] * 3


def test_the_cli_refuses_an_absurd_claim_in_one_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    refused = CliRunner().invoke(
        app,
        ["submit", "openrouter", "gpt-5", "https://openrouter.ai/x", "-c", "input 1e999999999999"],
        env={"RATECARD_DB": db},
        catch_exceptions=False,
    )
    assert refused.exit_code == 2 and "Traceback" not in refused.output  # a bad argument
    assert " ".join(refused.output.split()).endswith(  # one line, however wide the terminal
        " submit: Invalid value for '--claim': claimed value '1e999999999999': out of range "
        "(0, or from 1e-12 to below 1e12)"
    )
    assert len(refused.output.strip().splitlines()) == 1


def test_a_refused_approval_of_ones_own_submission_says_whose_it_is(catalog_db: str) -> None:
    """Reviewer alice, at the terminal of the OS account that submitted a source without --as,
    was told 'the person who submitted a source cannot approve the item it opened': alice
    submitted nothing, and the line did not say the account was the submitter. It names it;
    a reviewer who submitted with --as is named."""
    engine = store.connect(catalog_db)
    for name in ("alice", "bob"):
        add_reviewer(engine, name, "correct horse battery staple")
    runner = CliRunner()
    source = ("openrouter", "claude-3-haiku", "http://10.0.0.1/p", "-c", "input 0.25")
    for who in ([], ["--as", "bob"]):
        made = runner.invoke(app, ["submit", *source, *who, "--db", catalog_db])
        assert made.exit_code == 0, made.output
    items = [str(result["review_item"]) for result in submitted.process_pending(engine)]
    decide = ["-r", "alice", "--override", "--reason", "on the page", "--db", catalog_db]
    refused = runner.invoke(app, ["review", "approve", items[0], *decide], prog_name="ratecard")
    assert refused.exit_code == 1
    account = getpass.getuser()
    assert refused.output.strip().splitlines()[-1] == (
        "ratecard review approve: refused: its source was submitted from the OS account "
        f"{account}: whoever submitted a source cannot approve the item it opened"
    )
    with pytest.raises(decisions.Forbidden, match=r"^bob submitted its source: whoever"):
        decisions.approve(
            engine, int(items[1]), reviewer="bob", channel="web", override=True, reason="seen"
        )


def test_the_local_operator_cannot_approve_what_they_submitted_from_the_cli(
    tmp_path: Path,
) -> None:
    """The CLI trusts the local operator: the OS account that submitted (with or without --as)
    is refused as its approver, from the CLI, however the item is named (its id, its change set,
    a filter); another reviewer, on the web, may approve. `approve --set submission:ID` passed no
    operator and approved it."""
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = store.connect(db)
    add_reviewer(engine, "alice", "correct horse battery staple")
    runner = CliRunner()
    made = runner.invoke(
        app,
        [
            *("submit", "openrouter", "gpt-5", "http://10.0.0.1/p", "-c", "input 1.25"),
            *("--db", db, "--json"),
        ],
    )
    assert made.exit_code == 0, made.output
    due = json.loads(made.stdout)["due_at"]  # ISO 8601, as every --json listing gives times
    assert datetime.fromisoformat(due).tzinfo is not None and due[10] == "T", due
    (result,) = submitted.process_pending(engine)
    item = str(result["review_item"])
    shown = runner.invoke(app, ["review", "show", item, "--db", db])
    assert shown.exit_code == 0 and "None" not in shown.output  # no run, no value in force
    assert "submitted" in shown.output and "input: none → 1.25" in shown.output
    for named in ([item], ["--set", f"submission:{item}"], ["--kind", "submission"]):
        refused = runner.invoke(
            app,
            [
                "review",
                "approve",
                *named,
                "-r",
                "alice",
                "--override",
                "--reason",
                "on the page",
                "--yes",
                "--db",
                db,
            ],
        )
        assert refused.exit_code == 1 and "cannot approve" in refused.output, named
    assert decisions.approve(  # the fetch was refused: approving needs an override and a reason
        engine,
        int(item),
        reviewer="alice",
        channel="web",
        client_id="web:someone-else",
        override=True,
        reason="stated on the provider's page",
    ).changed


@given(st.one_of(st.text(max_size=60), st.decimals(allow_nan=True).map(str), st.floats()))
def test_any_claimed_value_is_refused_in_words_or_stored_bounded(value: str | float) -> None:
    """Whatever is typed, the answer is a SubmissionError or a bounded Decimal whose canonical
    text reads back as itself."""
    try:
        amount = submitted.parse_amount(value)
    except submitted.SubmissionError:
        return
    text = decimal_text(amount)
    assert submitted.parse_amount(text) == amount and len(text) <= 30
    assert amount.is_zero() or (
        submitted.MIN_EXPONENT <= amount.adjusted() <= submitted.MAX_EXPONENT
    )


@pytest.mark.parametrize("public", [None, "https://prices.example.com/"])
def test_submit_prints_a_status_page_link_a_person_can_open(
    catalog_db: str, public: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`submit` printed 'status page /submissions/TOKEN': a path, no link. It is the page's
    whole address: RATECARD_PUBLIC_URL's where it is set (as escalations link), else where
    `ratecard serve` answers by default; and that path is the submission's page there."""
    from fastapi.testclient import TestClient

    from webapp import create_app

    if public is None:
        monkeypatch.delenv("RATECARD_PUBLIC_URL", raising=False)
    else:
        monkeypatch.setenv("RATECARD_PUBLIC_URL", public)
    source = ("openrouter", "claude-3-haiku", "https://openrouter.ai/p", "-c", "input 0.25")
    made = CliRunner().invoke(app, ["submit", *source, "--db", catalog_db])
    assert made.exit_code == 0, made.output
    link = made.stdout.rstrip("\n").rsplit("; status page ", 1)[1]
    site = "http://127.0.0.1:8000" if public is None else public.rstrip("/")
    assert link.startswith(f"{site}/submissions/"), link
    as_json = CliRunner().invoke(app, ["submit", *source, "--json", "--db", catalog_db])
    record = json.loads(as_json.stdout)
    assert record["status_page"] == f"{site}/submissions/{record['token']}"
    page = TestClient(create_app(catalog_db)).get(urlsplit(link).path)
    assert page.status_code == 200 and "claude-3-haiku" in page.text


@pytest.mark.parametrize(
    ("public", "rule"),
    [
        ("ratecard.example", "an http(s) URL is required"),
        ("https://prices.example.com/?lang=en", "without a query or fragment"),
        ("https://prices.example.com/#items", "without a query or fragment"),
        ("http://[::1", "not a readable URL"),
        ("https://prices exam.ple/", "no spaces or characters"),
    ],
)
def test_a_public_address_that_is_no_web_apps_is_refused_before_anything_is_stored(
    catalog_db: str, public: str, rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault round (h54): RATECARD_PUBLIC_URL was taken as it was, so `submit` stored the
    submission and printed 'status page ratecard.example/submissions/TOKEN', and every
    escalation linked the same. Such an address is refused naming the variable and its rule,
    exit 2, no traceback: `submit` stores nothing, and `sla-watch` with a webhook sends nothing."""
    monkeypatch.setenv("RATECARD_PUBLIC_URL", public)
    engine = store.open_catalog(catalog_db)
    with engine.connect() as conn:
        before = conn.execute(submissions.select()).all()
    source = ("openrouter", "claude-3-haiku", "https://openrouter.ai/p", "-c", "input 0.25")
    for args in (
        ["submit", *source, "--db", catalog_db],
        ["sla-watch", "--webhook", "http://127.0.0.1:9/hook", "--db", catalog_db],
    ):
        refused = CliRunner().invoke(app, args)
        assert refused.exit_code == 2, refused.output
        assert "'RATECARD_PUBLIC_URL'" in refused.output and rule in refused.output
        assert "Traceback" not in refused.output
    with engine.connect() as conn:
        assert conn.execute(submissions.select()).all() == before
    engine.dispose()
