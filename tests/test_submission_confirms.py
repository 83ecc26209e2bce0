"""Approving a submission that claims the value in force leaves that value as it was.

Fault round 55: a submission claiming anthropic/claude-sonnet-4-5's input at $3, found on
Anthropic's recorded page, was approved; the catalog's $3, verified by that page, was closed as
in force for no time (valid_to = valid_from) and an unverified $3 accepted from the submission
opened in its place from the page's date: the field lost its verification and its history. A
change proposing the value in force, verified or not stated by an official source, now stands
as it was (review/decisions.py `_confirms_in_force`).

Anthropic's recorded epoch-2 page read into an empty catalog (--accept-new) through the real
flow; the submission fetched from the replay server on loopback (which only tests allow), then
approved.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import catalog_values
from review import decisions
from review import submissions as submitted
from review.reviewers import add_reviewer
from spiders.replay import World, serve
from tests.conftest import WORLDS
from tests.test_submissions import ANTHROPIC, claims, loopback_policy
from tests.worlds import replayed_run

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def replay() -> Iterator[str]:
    with serve(World.load(WORLDS / "epoch-2.json")) as base:
        yield base


def _input_rows(db: str) -> list[Any]:
    """Every value anthropic/claude-sonnet-4-5's standard input price has had in `db`."""
    c = catalog_values.c
    with store.connect(db).connect() as conn:
        query = select(c.id, c.value, c.valid_from, c.valid_to, c.verified_by).where(
            c.route == "anthropic",
            c.model == "claude-sonnet-4-5",
            c.component == "input",
            c.unit == "usd_per_1m_tokens",
            c.dimensions == "",
        )
        return list(conn.execute(query.order_by(c.id)))


def test_a_claim_of_the_verified_value_leaves_it_verified(
    prefect_api: None, replay: str, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    replayed_run(db, WORLDS / "epoch-2.json", ["anthropic-page"], accept_new=True)
    before = _input_rows(db)
    assert [(r.value, r.valid_to, r.verified_by) for r in before] == [("3", None, "anthropic-page")]
    engine = store.connect(db)
    add_reviewer(engine, "alice", "a-long-enough-secret")
    created = submitted.submit(
        engine,
        route="anthropic",
        model="claude-sonnet-4-5",
        source_url=f"{replay}/replay?url={quote(ANTHROPIC, safe='')}",
        claims=claims("input 3"),
    )
    result = submitted.process(engine, created["id"], loopback_policy(replay))
    assert result is not None and (result["found"], result["claims"]) == (1, 1)

    decision = decisions.approve(engine, result["review_item"], reviewer="alice")

    assert (decision.opened, decision.closed) == ([], [])
    assert _input_rows(db) == before
