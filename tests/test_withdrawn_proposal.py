"""An open item its sources, read in full, no longer propose closes by itself.

A fault round: one faulty response of an official source (a price misprinted for a day) opened
a price change; the next day the source stated the catalog's value again, read in full, and
the item stayed open, approvable, on a statement no source made any more. Now it closes by
itself, and an item citing a source that was not read in full (failed) stays as it is.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of
epoch-2 and worlds made here from OpenAI's recorded pricing page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import review_items
from tests.conftest import WORLDS, copy_catalog
from tests.worlds import epoch2_loaded, fault_world, recorded_text, replayed, replayed_run

pytestmark = pytest.mark.integration

PAGE = "https://platform.openai.com/docs/pricing"
ROW = "| gpt-4o | $2.50 | $1.25 | $10.00 |"  # the standard tier's row, as recorded
MISPRINTED = "| gpt-4o | $2.75 | $1.25 | $10.00 |"


def recorded_page() -> str:
    text = recorded_text(PAGE)
    assert text.count(ROW) == 1
    return text


def items_on_gpt4o(db: str) -> list[Any]:
    ri = review_items.c
    with store.connect(db).connect() as conn:
        return list(
            conn.execute(
                select(ri.id, ri.kind, ri.status, ri.reason).where(
                    ri.route == "openai", ri.model == "gpt-4o", ri.kind == "price_change"
                )
            )
        )


@pytest.fixture(scope="module")
def misprinted(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An epoch-2 catalog of OpenAI's page, then a day its gpt-4o input read $2.75."""
    folder = tmp_path_factory.mktemp("misprint")
    db = folder / "catalog.db"
    epoch2_loaded(tmp_path_factory, db, ["openai-page"])
    body = recorded_page().replace(ROW, MISPRINTED)
    replayed_run(f"sqlite:///{db}", fault_world(folder, {PAGE: {"body": body}}), ["openai-page"])
    [(_, _, status, _)] = items_on_gpt4o(f"sqlite:///{db}")
    assert status == "open"
    return db


def test_a_price_change_its_source_no_longer_states_closes_by_itself(
    misprinted: Path, tmp_path: Path
) -> None:
    db = copy_catalog(misprinted, tmp_path / "corrected.db")
    run_id = replayed_run(db, WORLDS / "epoch-2.json", ["openai-page"])
    [(_, _, status, reason)] = items_on_gpt4o(db)
    assert status == "superseded"
    assert reason == (
        f"closed by itself: what it proposes is no longer stated by openai-page (answered in "
        f"full, run {run_id})"
    )


def test_an_item_whose_source_fails_stays_open(misprinted: Path, tmp_path: Path) -> None:
    db = copy_catalog(misprinted, tmp_path / "failed.db")
    world = fault_world(tmp_path, {PAGE: {"status": 503, "body": "unavailable"}})
    replayed(db, world, ["openai-page"])  # every source selected failed: the run fails
    [(_, _, status, _)] = items_on_gpt4o(db)
    assert status == "open"


def test_an_item_whose_field_its_source_could_not_read_stays_open(
    misprinted: Path, tmp_path: Path
) -> None:
    """The page answered in full, but gpt-4o's input cell reads as no price ("$2,50": a comma
    that groups no thousands): what the source states there is not all read, so its item is
    not taken as withdrawn."""
    db = copy_catalog(misprinted, tmp_path / "unreadable.db")
    body = recorded_page().replace(ROW, "| gpt-4o | $2,50 | $1.25 | $10.00 |")
    replayed_run(db, fault_world(tmp_path, {PAGE: {"body": body}}), ["openai-page"])
    [(_, _, status, _)] = items_on_gpt4o(db)
    assert status == "open"


def test_an_item_whose_field_its_source_leaves_out_stays_open(
    misprinted: Path, tmp_path: Path
) -> None:
    """The page answered in full without gpt-4o's standard row: a field its source states
    nothing of now is an absence, not a correction (a model's absence waits for three complete
    listings), so the item stays open, with its id and due date."""
    db = copy_catalog(misprinted, tmp_path / "absent.db")
    before = items_on_gpt4o(db)
    body = recorded_page().replace(ROW + "\n", "")
    replayed_run(db, fault_world(tmp_path, {PAGE: {"body": body}}), ["openai-page"])
    assert items_on_gpt4o(db) == before
