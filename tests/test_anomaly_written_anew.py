"""A source that writes the same values anew (another number format) finds the anomaly items a
reviewer saw, open or decided: how a source writes a number is its noise.

OpenRouter's recorded epoch-2 listings are loaded (accept-new); they open anomaly items for values
set aside (image prices outside their band), whose details quote the listing's price strings as
written ('pricing.image="0.0000001"'). Then the same listings are served with every such string
written in exponent form ("1e-7": the same value), made here from the recorded bodies. The
anomaly items' fingerprints used to take those numbers as written, so the rewrite superseded
each open one and opened it again, and reopened the one a reviewer had rejected.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import quarantine, review_items
from review import decisions
from review.reviewers import add_reviewer
from tests.conftest import WORLDS
from tests.test_fault_worlds import urls
from tests.worlds import epoch2_loaded, fault_world, replayed_run

pytestmark = pytest.mark.integration

SMALL_PRICE = re.compile(r'"(0\.0{4,}[1-9]\d*)"')


def written_anew(body: str) -> str:
    """Every price string below 10^-4 in exponent form ("0.0000001" as "1e-7")."""
    return SMALL_PRICE.sub(lambda m: f'"{Decimal(m[1]):e}"', body)


def anomalies(db: str) -> dict[int, tuple[str, str]]:
    """The anomaly items about values set aside: id -> (status, fingerprint)."""
    c = review_items.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(c.id, c.status, c.fingerprint, c.changes).where(c.kind == "anomaly")
        )
        return {r.id: (r.status, r.fingerprint) for r in rows if not r.changes}


def test_the_same_values_written_anew_find_their_anomaly_items(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", ["openrouter"])
    before = anomalies(db)
    assert len(before) > 10
    engine = store.connect(db)
    add_reviewer(engine, "alice", "correct horse battery staple")
    decisions.reject(engine, next(iter(before)), reviewer="alice", reason="a per-token price")
    before = anomalies(db)

    recorded = {
        e["url"]: (WORLDS / e["file"]).read_text()
        for e in json.loads((WORLDS / "epoch-2.json").read_text())["responses"]
        if e["url"] in urls("openrouter")
    }
    anew = {url: {"body": written_anew(body)} for url, body in recorded.items()}
    assert all(anew[url]["body"] != body for url, body in recorded.items())
    run_id = replayed_run(db, fault_world(tmp_path, anew), ["openrouter"])

    after = anomalies(db)
    with store.connect(db).connect() as conn:
        opened = conn.execute(
            select(review_items.c.id).where(review_items.c.run_id == run_id)
        ).all()
    assert opened == []
    assert after == before  # none superseded, reopened or fingerprinted otherwise
    # what was set aside this run quotes the numbers as written now
    with store.connect(db).connect() as conn:
        quoted = conn.execute(
            select(quarantine.c.detail).where(quarantine.c.last_run_id == run_id)
        ).scalars()
        assert any('="1e-7"' in detail for detail in quoted)
