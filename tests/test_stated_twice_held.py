"""An official source's field stated unreadably (twice, with two values) proposes nothing from the
secondaries, in force or not, on the day it is read and while its source is held after.

OpenRouter's and LiteLLM's epoch-1 answers are loaded (accept-new), then their epoch-2 answers
(review: OpenRouter's new prices are proposed as price changes). Then OpenRouter's models listing
answers its epoch-1 file under epoch-2's date beside its epoch-2 listing of every modality: a
model both list at two prices is stated twice, and set aside. The secondaries' price of such a
field opened a disagreement beside the price change OpenRouter had proposed (fault round 36), and
more of them on the next days, when OpenRouter's same bytes were confirmed unchanged and its
set-aside statements were forgotten.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog import store
from catalog.tables import review_items
from tests.test_fault_worlds import OR_MODELS
from tests.worlds import epoch2_after_epoch1, fault_world, recorded_text, replayed_run, reported

pytestmark = pytest.mark.integration

SOURCES = ["openrouter", "litellm"]
LITELLM = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)


def opened(db: str, run_id: int) -> dict[str, int]:
    """The items run `run_id` of `db` opened, counted by kind."""
    r = review_items.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(r.kind, func.count()).where(r.run_id == run_id).group_by(r.kind)
        ).all()
    return {kind: count for kind, count in rows}


def test_secondaries_propose_nothing_on_an_official_field_stated_twice(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = f"sqlite:///{epoch2_after_epoch1(tmp_path_factory, tmp_path, SOURCES)}"
    fresh = "2026-08-19T00:00:00Z"  # epoch-2's date: an old copy served as today's
    overrides: dict[str, dict[str, Any]] = {
        OR_MODELS: {"body": recorded_text(OR_MODELS, "epoch-1"), "date": fresh}
    }
    world = fault_world(tmp_path, overrides)
    days = [replayed_run(db, world, SOURCES) for _ in range(2)]
    # the third day LiteLLM's map comes re-indented (other bytes, the same statements): it is
    # read again beside OpenRouter's same bytes, confirmed unchanged
    reindented = json.dumps(json.loads(recorded_text(LITELLM)), indent=1)
    overrides[LITELLM] = {"body": reindented}
    days.append(replayed_run(db, fault_world(tmp_path, overrides), SOURCES))
    # held the first day (a return to an earlier body), read the second, unchanged the third
    assert [reported(db, day)["openrouter"][0] for day in days] == ["partial", "ok", "ok"]
    assert "unchanged since" in reported(db, days[2])["openrouter"][1]
    read = opened(db, days[1])
    assert read.get("anomaly", 0) > 0  # the fields stated twice, reported
    assert "disagreement" not in read
    assert reported(db, days[2])["litellm"] == ("ok", "")
    assert opened(db, days[2]) == {}
