"""Approving a submission that claims the value in force leaves that value as it was; one that
claims a field at two values is refused.

Fault round 55: a submission claiming anthropic/claude-sonnet-4-5's input at $3, found on
Anthropic's recorded page, was approved; the catalog's $3, verified by that page, was closed as
in force for no time (valid_to = valid_from) and an unverified $3 accepted from the submission
opened in its place from the page's date: the field lost its verification and its history. A
change proposing the value in force, verified or not stated by an official source, now stands
as it was (review/decisions.py `_confirms_in_force`). A submission claiming input at $3 and
at $3.50, approved with an override, wrote both in the claims' order and left $3.50 in force; it
is now refused whole, naming the field and its two values (`_refuse_two_values_of_a_field`).

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
from review.decisions import DecisionError
from review.reviewers import add_reviewer
from spiders.replay import World, serve
from tests.conftest import WORLDS, copy_catalog
from tests.test_submissions import ANTHROPIC, claims, loopback_policy
from tests.worlds import replayed_run

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def replay() -> Iterator[str]:
    with serve(World.load(WORLDS / "epoch-2.json")) as base:
        yield base


@pytest.fixture(scope="module")
def verified(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalog of Anthropic's recorded epoch-2 page, read in with --accept-new (its values
    verified by anthropic-page), and a reviewer; its path."""
    path = tmp_path_factory.mktemp("confirms") / "catalog.db"
    db = f"sqlite:///{path}"
    replayed_run(db, WORLDS / "epoch-2.json", ["anthropic-page"], accept_new=True)
    add_reviewer(store.connect(db), "alice", "a-long-enough-secret")
    return path


def _submitted(db: str, replay: str, *texts: str) -> int:
    """The review item of a submission of `texts` about anthropic/claude-sonnet-4-5, citing
    Anthropic's recorded page (fetched from the replay server)."""
    engine = store.connect(db)
    created = submitted.submit(
        engine,
        route="anthropic",
        model="claude-sonnet-4-5",
        source_url=f"{replay}/replay?url={quote(ANTHROPIC, safe='')}",
        claims=claims(*texts),
    )
    result = submitted.process(engine, created["id"], loopback_policy(replay))
    assert result is not None
    return int(result["review_item"])


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
    verified: Path, replay: str, tmp_path: Path
) -> None:
    db = copy_catalog(verified, tmp_path / "catalog.db")
    before = _input_rows(db)
    assert [(r.value, r.valid_to, r.verified_by) for r in before] == [("3", None, "anthropic-page")]
    item = _submitted(db, replay, "input 3")

    decision = decisions.approve(store.connect(db), item, reviewer="alice")

    assert (decision.opened, decision.closed) == ([], [])
    assert _input_rows(db) == before


def test_a_field_claimed_at_two_values_is_refused_whole(
    verified: Path, replay: str, tmp_path: Path
) -> None:
    db = copy_catalog(verified, tmp_path / "catalog.db")
    before = _input_rows(db)
    item = _submitted(db, replay, "input 3", "input 3.5")

    with pytest.raises(DecisionError, match=r"input at 3 and 3\.5 usd_per_1m_tokens"):
        decisions.approve(
            store.connect(db), item, reviewer="alice", override=True, reason="both claimed"
        )

    assert _input_rows(db) == before
