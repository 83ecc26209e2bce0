"""One failed response of a source with many changes nothing that response stood for: what the
source last stated through that URL is held, its other responses are read.

Portkey answers 46 URLs. After epoch-1 (Portkey failing as recorded then) and epoch-2, epoch-2 is
replayed again with Portkey's openai.json answering HTTP 500 (the other 45 as recorded), so
Portkey is partial and OpenRouter and OpenAI's page answer unchanged. Before, the items Portkey
co-sourced through openai.json lost it from their evidence, items of the unchanged sources
closed as "caused by Portkey's absence" (Portkey, read again, stated their fields), and 21 of
Portkey's own statements through its other URLs were dropped unrecorded: each met what Portkey
stated the run before (all of it held beside what it stated now) as its own statement of the
field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog import queries, store
from catalog.tables import interval_ends, observations, responses, review_items, stamps
from tests.conftest import WORLDS, copy_catalog
from tests.worlds import fault_world, replayed_run

pytestmark = pytest.mark.integration

SOURCES = ["openrouter", "portkey", "openai-page"]
FAILING = "https://configs.portkey.ai/pricing/openai.json"


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The catalog after epoch-1 (accept-new) and epoch-2, and the epoch-2 run's id."""
    base = tmp_path_factory.mktemp("partial") / "catalog.db"
    replayed_run(f"sqlite:///{base}", WORLDS / "epoch-1.json", SOURCES, accept_new=True)
    return base, replayed_run(f"sqlite:///{base}", WORLDS / "epoch-2.json", SOURCES)


def review_state(db: str) -> dict[int, tuple[Any, ...]]:
    """Every review item: id -> (status, fingerprint, sources, changes)."""
    c = review_items.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(select(c.id, c.status, c.fingerprint, c.sources, c.changes))
        return {r.id: (r.status, r.fingerprint, r.sources, r.changes) for r in rows}


def test_one_failed_response_of_a_source_changes_nothing_it_stood_for(
    epoch2: tuple[Path, int], tmp_path: Path
) -> None:
    base, epoch2_run = epoch2
    db = copy_catalog(base, tmp_path / "catalog.db")
    before = review_state(db)
    assert any(s == "open" and "portkey" in sources for s, _, sources, _ in before.values())

    run_id = replayed_run(db, fault_world(tmp_path, {FAILING: {"status": 500}}), SOURCES)

    with store.connect(db).connect() as conn:
        run = queries.get_run(conn, run_id)
        assert run is not None
        portkey = next(s for s in run.sources if s.source == "portkey")
        assert portkey.status.value == "partial" and FAILING in portkey.reason
        # every statement Portkey made in epoch-2 through its other 45 URLs is stated again
        # (its interval ends at this run's response), none left unrecorded
        start, end = responses.alias("start"), responses.alias("end")
        o = observations.c
        restated = (
            select(func.count(), func.count().filter(end.c.run_id == run_id))
            .select_from(observations)
            .join(start, start.c.id == o.response_id)
            .join(interval_ends, interval_ends.c.id == o.end_id)
            .join(end, end.c.id == interval_ends.c.response_id)
            .where(o.source == "portkey", start.c.run_id == epoch2_run, start.c.url != FAILING)
        )
        stated, again = conn.execute(restated).one()
        # nothing of openai.json is stamped for Portkey: its held statements only stand in
        stamped_urls = conn.execute(
            select(func.count())
            .select_from(stamps)
            .where(stamps.c.last_run_id == run_id, stamps.c.source == "portkey")
        ).scalar_one()
    assert stated > 10_000 and again == stated
    assert 0 < stamped_urls == portkey.stamped
    # nothing opened, superseded or closed, and no item's evidence lost Portkey
    assert review_state(db) == before
