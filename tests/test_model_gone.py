"""A proposal about a model no source states any more closes by itself.

A fault round: one wrong value in models.dev (claude-sonnet-4-5-20250929's output at $16, its
base claude-sonnet-4-5 at $15) priced the dated snapshot apart from its base, so identity made
it a model of its own and every source's statements of it became a new model, on every route.
The next day models.dev was right, the snapshot folded into its base again, and no source
stated the snapshot as a model: its new-model items stayed open for good, approvable. An item
on a model the catalog holds no value of, none of whose sources (answered in full) states any
field of it now, closes by itself; while such a source fails, it stays.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of
epoch-2 and worlds made here from its recorded models.dev catalog.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog.tables import review_items
from tests.conftest import WORLDS, copy_catalog
from tests.worlds import fault_world, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

SOURCES = ["anthropic-page", "modelsdev"]
CATALOG = "https://models.dev/api.json"
SNAPSHOT = "claude-sonnet-4-5-20250929"


def snapshot_items(db: str) -> list[Any]:
    ri = review_items.c
    return review_rows(
        db, (ri.kind, ri.status, ri.reason), ri.route == "anthropic", ri.model == SNAPSHOT
    )


@pytest.fixture(scope="module")
def split(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An epoch-2 catalog of Anthropic's page and models.dev, then a day of the typo."""
    folder = tmp_path_factory.mktemp("gone")
    db = folder / "catalog.db"
    replayed_run(f"sqlite:///{db}", WORLDS / "epoch-2.json", SOURCES, accept_new=True)
    document = json.loads(recorded_text(CATALOG))
    models = document["anthropic"]["models"]
    assert models[SNAPSHOT]["cost"]["output"] == models["claude-sonnet-4-5"]["cost"]["output"]
    models[SNAPSHOT]["cost"]["output"] = 16
    world = fault_world(folder, {CATALOG: {"body": json.dumps(document)}})
    replayed_run(f"sqlite:///{db}", world, SOURCES)
    assert [(kind, status) for kind, status, _ in snapshot_items(f"sqlite:///{db}")] == [
        ("new_model", "open")
    ]
    return db


def test_a_model_no_source_states_any_more_closes_its_items(split: Path, tmp_path: Path) -> None:
    db = copy_catalog(split, tmp_path / "folded.db")
    corrected = recorded_text(CATALOG) + "\n"  # right again (read: its bytes differ)
    run_id = replayed_run(db, fault_world(tmp_path, {CATALOG: {"body": corrected}}), SOURCES)
    assert snapshot_items(db) == [
        (
            "new_model",
            "superseded",
            f"closed by itself: the model is no longer stated by modelsdev (answered in full, "
            f"run {run_id})",
        )
    ]


def test_while_its_source_fails_the_item_stays(split: Path, tmp_path: Path) -> None:
    db = copy_catalog(split, tmp_path / "failing.db")
    down = {CATALOG: {"status": 503, "body": "unavailable"}}
    replayed_run(db, fault_world(tmp_path, down), SOURCES)  # Anthropic's page still answers
    assert [(kind, status) for kind, status, _ in snapshot_items(db)] == [("new_model", "open")]
