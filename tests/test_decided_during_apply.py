"""A refresh's apply closes only items still open (fault round 29): on PostgreSQL a reviewer's
decision can commit after the apply read the open items, and the apply's supersede overwrote it
(62 approvals read back as superseded, by a reason the reviewer never gave)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import review_items
from schemas.records import ReviewStatus
from tests.conftest import approve_an_openrouter_change

pytestmark = pytest.mark.integration


def test_superseding_an_item_decided_meanwhile_keeps_the_decision(catalog_db: str) -> None:
    engine, approved = approve_an_openrouter_change(catalog_db)
    c = review_items.c
    with engine.connect() as conn:
        still_open = conn.execute(
            select(c.id).where(c.status == ReviewStatus.OPEN.value).order_by(c.id).limit(1)
        ).scalar_one()
    # the apply read both open before alice's approval committed, and supersedes both
    with engine.begin() as conn:
        store.supersede(
            conn,
            [approved.id, still_open],
            datetime.now(UTC),
            "superseded by a newer proposal about the same thing",
        )
    with engine.connect() as conn:
        rows = {
            r.id: r
            for r in conn.execute(
                select(c.id, c.status, c.reviewer).where(c.id.in_([approved.id, still_open]))
            )
        }
    assert (rows[approved.id].status, rows[approved.id].reviewer) == ("approved", "alice")
    assert rows[still_open].status == ReviewStatus.SUPERSEDED.value
