"""A source that fails in reading (its statements collapse in validation) is held as a source not
selected is: the others are read, compared and applied exactly as on a run without it.

OpenRouter's and LiteLLM's epoch-1 answers are loaded (accept-new); then epoch-2 is replayed with
OpenRouter's two listings rescaled (every price x10^6, made here from the recorded bodies). Its
statements used to teach identity before validation failed it: OpenRouter's epoch-2 models became
known (it is official for its route), so LiteLLM's names of them mapped where on a run without
OpenRouter they do not, and the run opened items that a run of LiteLLM alone does not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog import queries, store
from catalog.tables import review_items, stamps
from tests.conftest import WORLDS, copy_catalog, replayed_catalog
from tests.test_fault_worlds import json_body, rescaled, urls
from tests.worlds import fault_world, replayed, replayed_run

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def epoch1(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's one catalog of these epoch-1 answers, which the tests copy (conftest's
    `replayed_catalog`; test_cli_web_parity's catalog starts from it)."""
    return replayed_catalog(tmp_path_factory, [("epoch-1", ["openrouter", "litellm"], True)])


def outcome(db: str, run_id: int) -> dict[str, Any]:
    """What a run did beside OpenRouter: the items it opened, LiteLLM's stamps and report."""
    with store.connect(db).connect() as conn:
        opened = conn.execute(
            select(review_items.c.kind, review_items.c.title, review_items.c.fingerprint).where(
                review_items.c.run_id == run_id
            )
        ).all()
        stamped = conn.execute(
            select(stamps.c.value_id, stamps.c.observed_at).where(
                stamps.c.last_run_id == run_id, stamps.c.source == "litellm"
            )
        ).all()
        run = queries.get_run(conn, run_id)
    assert run is not None
    litellm = next(s for s in run.model_dump(mode="json")["sources"] if s["source"] == "litellm")
    return {
        "opened": sorted(tuple(row) for row in opened),
        "stamped": sorted(tuple(row) for row in stamped),
        "litellm": {k: litellm[k] for k in ("status", "observations", "quarantined", "stamped")},
    }


def test_a_source_failing_in_validation_changes_nothing_of_the_others_reading(
    epoch1: Path, tmp_path: Path
) -> None:
    faulty_db = copy_catalog(epoch1, tmp_path / "faulty.db")
    world = fault_world(
        tmp_path,
        {url: json_body(url, lambda d: rescaled("openrouter", d)) for url in urls("openrouter")},
    )
    state = replayed(faulty_db, world, ["openrouter", "litellm"])
    assert state.is_completed(), state.message
    faulty_run = state.result()
    with store.connect(faulty_db).connect() as conn:
        run = queries.get_run(conn, faulty_run)
    assert run is not None
    [openrouter] = [s for s in run.sources if s.source == "openrouter"]
    assert openrouter.status.value == "failed" and "validation collapse" in openrouter.reason
    # the items citing what it last stated (held) are not counted as its: it applied nothing
    assert openrouter.review_items == 0

    held_db = copy_catalog(epoch1, tmp_path / "held.db")
    held_run = replayed_run(held_db, WORLDS / "epoch-2.json", ["litellm"])

    faulty, held = outcome(faulty_db, faulty_run), outcome(held_db, held_run)
    assert faulty["opened"], "LiteLLM's epoch-2 answer opens items on the epoch-1 catalog"
    assert faulty == held
