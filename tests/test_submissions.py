"""Submissions: stored at once with the 48-hour promise, checked against the real recorded page
(served by the replay server on loopback, which only this test allows), turned into review items
saying found / not found per claim with the snippet; unusable URLs still get their item."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import Engine

from catalog import queries, store
from review import submissions as submitted
from review.safefetch import FetchPolicy
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


def claims(*texts: str) -> list[submitted.Claim]:
    return [submitted.parse_claim_text(t) for t in texts]


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
        ),
        contact="me@example.org",
        client_id="web:submitter",
        now=SUBMITTED_AT,
    )
    assert created["due_at"] == SUBMITTED_AT + timedelta(hours=48)
    assert submitted.pending(engine) == [created["id"]]

    result = submitted.process(engine, created["id"], loopback_policy(replay))

    assert result is not None and result["fetch"] == "fetched"
    assert (result["found"], result["claims"]) == (4, 5)
    with engine.connect() as conn:
        item = queries.get_review(conn, result["review_item"])
        status = queries.submission_status(conn, created["token"])
    assert item is not None and status is not None
    assert item["kind"] == "submission" and item["status"] == "open"
    assert item["route"] == "anthropic" and item["model"] == "claude-sonnet-4-5"
    assert item["due_at"] == (SUBMITTED_AT + timedelta(hours=48)).isoformat()
    assert "4 of 5 claimed values found" in item["title"]
    found = [(c["component"], c["value"], c["dimensions"], c["found"]) for c in status["checks"]]
    assert found == [
        ("input", "3", {}, True),
        ("output", "15", {}, True),
        ("cache_read", "0.3", {}, True),
        ("input", "2.5", {}, False),
        ("input", "1.5", {"service_tier": "batch"}, True),
    ]
    snippets = [c["snippet"] for c in status["checks"]]
    assert snippets[0].startswith("Claude Sonnet 4.5 | $3 / MTok | $3.75 / MTok")
    assert snippets[4].startswith("Claude Sonnet 4.5 | $1.50 / MTok | $7.50 / MTok")
    assert status["checks"][3]["note"] == "the model is named, but the value is not stated near it"
    assert "NOT FOUND: input 2.5 usd_per_1m_tokens" in item["detail"]
    # The evidence is dated by the recorded response, and only found claims cite the page.
    first = item["changes"][0]
    assert first["proposed"] == "3" and first["current"] is None
    assert first["sources"][0]["observed_at"].startswith("2025-12-19")
    assert item["changes"][3]["sources"] == []
    assert status["status"] == "open" and "contact" not in status
    assert submitted.pending(engine) == []
    assert submitted.process(engine, created["id"], loopback_policy(replay)) is None


@pytest.mark.parametrize(
    ("url", "status", "why"),
    [
        ("http://10.0.0.1/pricing", "refused", "10.0.0.1 is private"),
        ("ftp://example.com/prices", "refused", "scheme 'ftp' is not allowed"),
        ("http://0x7f.1/", "refused", "non-standard encoding of 127.0.0.1"),
        ("REPLAY/replay?url=https%3A%2F%2Fexample.com%2Fnot-recorded", "failed", "HTTP 404"),
    ],
)
def test_a_url_it_may_not_or_cannot_fetch_still_gets_its_item(
    engine,
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
    assert item["due_at"] == (SUBMITTED_AT + timedelta(hours=48)).isoformat()
    assert f"source {status}" in item["title"] and why in item["detail"]
    assert state["checks"][0]["found"] is False and why in state["checks"][0]["note"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("input", "COMPONENT VALUE"),
        ("inputs 3", "claim"),
        ("input three", "not a number"),
        ("input -1", "non-negative"),
        ("input 3 usd_per_parsec", "claim"),
        ("input 3 usd_per_1m_tokens colour=blue", "dimensions"),
    ],
)
def test_malformed_claims_are_refused(text: str, error: str) -> None:
    with pytest.raises(submitted.SubmissionError, match=error):
        submitted.parse_claim_text(text)


def test_malformed_submissions_are_refused(engine: Engine) -> None:
    good = {
        "route": "anthropic",
        "model": "m",
        "source_url": "https://example.com/p",
        "claims": claims("input 3"),
    }
    for change, error in (
        ({"route": "Not A Route!"}, "route"),
        ({"model": " "}, "model is required"),
        ({"source_url": "example.com/pricing"}, "full URL"),
        ({"claims": []}, "between 1 and 20"),
        ({"model": "bad\x00name"}, "control characters"),
    ):
        with pytest.raises(submitted.SubmissionError, match=error):
            submitted.submit(engine, **{**good, **change})
