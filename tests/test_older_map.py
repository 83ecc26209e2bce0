"""An older copy of LiteLLM's map, served as today's, is held as stale as a dated listing's is.

Fault round 61: LiteLLM's map states no date of its entries, so an old copy of it (a lagging
mirror or cache of raw.githubusercontent.com, under today's Date and without validators: the
"older" variant; the recorded NEWER map was itself rebuilt from a mirror that re-fetches it
hourly, shared/snapshots/litellm/PROVENANCE.md) read as news. After the epoch-2 map
(2026-07), its URL answering the recorded March map opened 139 items: 30 price changes back to
March's values (claude-sonnet-4-6 max_input_tokens 1000000 -> 200000; bedrock's us-gov
claude-sonnet-4-5 input 3.6 -> 3.3), 109 new values of entries since removed, all approvable.

The keys name models by their snapshot dates (`gpt-5.5-2026-04-23`,
`claude-opus-4-6-20260205`); no copy naming a model is older than its release, so the newest
of those dates is a date the map states of itself (spiders/parsing.py `named_date`), judged as
OpenRouter's `created` and models.dev's `last_updated` are (catalog/health.py `_listed_before`):
the March map names none newer than 2026-02-23 where the last evidence named 2026-04-23.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import catalog_values, review_items
from schemas.sources import sources
from spiders.parsing import named_date
from tests.conftest import SNAPSHOTS
from tests.worlds import epoch2_loaded, fault_world, replayed, reported, review_rows

pytestmark = pytest.mark.integration

LITELLM = sources()["litellm"].urls[0]
OLDER = SNAPSHOTS / "litellm" / "model_prices_and_context_window.OLDER.json"


def test_a_models_snapshot_date_is_read_from_its_name() -> None:
    assert str(named_date("gpt-5.5-2026-04-23")) == "2026-04-23 00:00:00+00:00"
    assert str(named_date("vertex_ai/claude-sonnet-4-5@20250929")) == "2025-09-29 00:00:00+00:00"
    # four digits name no day; a day that is no date, none
    assert named_date("gpt-4-0613") is None and named_date("mistral-small-2503") is None
    assert named_date("model-20261341") is None


def in_force(db: str) -> set[tuple[str, str, str, str, str]]:
    """Every value in force of `db`: route, model, component, dimensions, value."""
    c = catalog_values.c
    columns = (c.route, c.model, c.component, c.dimensions, c.value)
    with store.connect(db).connect() as conn:
        return {tuple(row) for row in conn.execute(select(*columns).where(c.valid_to.is_(None)))}


def test_an_older_map_under_todays_date_is_held(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", ["litellm"])
    before = in_force(db)
    i = review_items.c
    loaded = review_rows(db, (i.id,))  # the items a first load opens
    older = {"file": str(OLDER), "date": "2026-07-19T00:00:00Z"}
    held = replayed(db, fault_world(tmp_path, {LITELLM: older}), ["litellm"])
    status, reason = reported(db, held.result(raise_on_failure=False))["litellm"]
    assert status == "stale", reason
    assert "its newest entry dates from 2026-02-23, before the newest of 2026-04-23" in reason
    assert review_rows(db, (i.id,)) == loaded  # nothing proposed, nothing counted absent
    assert in_force(db) == before
