"""A model a complete listing leaves out three times running becomes a missing item; when that
listing names it again, the item closes by itself.

Fault round 50: OpenRouter's listings left out gpt-4o-mini (with its `:batch` and dated ids) for
three days and named it again on the fourth. The missing item opened on the third day, as it
should, and stayed open once the model was back: approving it would have closed the values of
a model OpenRouter sells that day, and `cost` went on noting it as missing.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of
epoch-2's recorded OpenRouter listings and worlds made here from them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.tables import review_items
from tests.conftest import WORLDS
from tests.worlds import epoch2_loaded, fault_world, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

SOURCES = ["openrouter"]
LISTINGS = (
    "https://openrouter.ai/api/v1/models",
    "https://openrouter.ai/api/v1/models?output_modalities=all",
)
LEFT_OUT = {"openai/gpt-4o-mini", "openai/gpt-4o-mini:batch", "openai/gpt-4o-mini-2024-07-18"}


def missing_items(db: str) -> list[tuple[str, str, str | None]]:
    ri = review_items.c
    return review_rows(db, (ri.model, ri.status, ri.reason), ri.kind == "missing")


def test_a_model_listed_again_closes_its_missing_item(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", SOURCES)
    broken = {}
    for url in LISTINGS:
        listing = json.loads(recorded_text(url))
        kept = [m for m in listing["data"] if m["id"] not in LEFT_OUT]
        assert len(listing["data"]) - len(kept) == len(LEFT_OUT)
        broken[url] = {"body": json.dumps({**listing, "data": kept, "total_count": len(kept)})}
    without = fault_world(tmp_path, broken)
    for _ in range(3):
        replayed_run(db, without, SOURCES)
    assert missing_items(db) == [("gpt-4o-mini", "open", None)]

    run_id = replayed_run(db, WORLDS / "epoch-2.json", SOURCES)
    assert missing_items(db) == [
        (
            "gpt-4o-mini",
            "superseded",
            f"closed by itself: the complete listing of openrouter names openrouter/gpt-4o-mini "
            f"again (run {run_id})",
        )
    ]
