"""One table of a page in another unit: its prices are set aside, the rest of the page applies.

A page states its unit once per table or section. OpenAI's recorded page says "Prices per 1M
tokens." above its text-token tables; read as "per 1K tokens" (a fault probe), those tables'
prices stood at a thousand times. The fields the catalog held were set aside (the magnitude
check, anomalies against the values in force), but the new models' prices, which nothing of
the source's own history judged, were proposed at a thousand times (gpt-5.2-chat-latest's cache
read 175, LiteLLM's 0.175 beside it in the same item). A table is now one block of the page's
prices, as a route's namespace is of a listing's: where most of the prices of one table a
reference judges stand at one power of ten from it, every price of the table that no history
or value in force judges is set aside.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite): the
recorded epoch-1 world, then epoch-2 with its recorded OpenAI page so rescaled.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from catalog import store
from catalog.intake import SLIPPED_RULE
from catalog.tables import quarantine, review_items
from schemas.fetch import record_table, table_record
from schemas.field import Dims
from schemas.vocab import Kind
from tests.conftest import copy_catalog, replayed_catalog
from tests.observed import observe_body
from tests.worlds import fault_world, recorded_text, replayed_run, reported

pytestmark = pytest.mark.integration

SOURCES = ["openai-page", "litellm"]
PAGE = "https://platform.openai.com/docs/pricing"
STATED = "Prices per 1M tokens."


def _proposed(db: str, run_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, model, change) of each change the items run `run_id` opened propose, the ones
    whose sources include OpenAI's page."""
    ri = review_items.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(select(ri.kind, ri.model, ri.changes).where(ri.run_id == run_id))
        return [
            (row.kind, row.model, change)
            for row in rows
            for change in row.changes
            if any(s["source"] == "openai-page" for s in change["sources"])
        ]


def _recorded_prices(page: str) -> dict[tuple[str, str, str], Decimal]:
    """The recorded page's prices, read as a refresh reads them: (model, component,
    dimensions) -> USD per its unit."""
    found = observe_body("openai-page", page.encode(), "2025-12-17T00:00:00+00:00", PAGE)
    return {
        (o.model or "", o.component.value, o.dimensions.key): o.value
        for o in found
        if o.kind is Kind.PRICE
    }


@pytest.fixture(scope="module")
def rescaled_day(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    """Epoch-1 loaded, then epoch-2 with the page's first unit statement read per 1K."""
    folder = tmp_path_factory.mktemp("table")
    epoch1 = replayed_catalog(tmp_path_factory, [("epoch-1", SOURCES, True)])
    db = copy_catalog(epoch1, folder / "catalog.db")
    page = recorded_text(PAGE)
    assert page.count(STATED) > 1  # the first states the text-token tables' unit
    broken = {PAGE: {"body": page.replace(STATED, "Prices per 1K tokens.", 1)}}
    run_id = replayed_run(db, fault_world(folder, broken), SOURCES)
    return db, run_id


def test_a_table_in_another_unit_proposes_nothing_at_its_scale(
    rescaled_day: tuple[str, int],
) -> None:
    db, run_id = rescaled_day
    assert reported(db, run_id)["openai-page"][0] == "ok"  # the rest of the page applies
    recorded = _recorded_prices(recorded_text(PAGE))
    proposed = _proposed(db, run_id)
    new = [(kind, model, change) for kind, model, change in proposed if kind != "anomaly"]
    assert len(new) > 20  # the image and audio tables' new fields are proposed as stated
    for kind, model, change in new:
        [page] = [s for s in change["sources"] if s["source"] == "openai-page"]
        dims = Dims.of(change["dimensions"]).key
        assert Decimal(page["value"]) == recorded[model, change["component"], dims], (kind, change)
    # the values in force are the catalog's anomalies, at a thousand times
    assert sum(kind == "anomaly" for kind, _, _ in proposed) > 50
    q = quarantine.c
    with store.connect(db).connect() as conn:
        aside = conn.execute(
            select(q.record, q.detail).where(
                q.run_id == run_id, q.source == "openai-page", q.rule == SLIPPED_RULE
            )
        ).all()
    assert any(
        "gpt-5.2-chat-latest" in row.record and "cache_read" in row.detail for row in aside
    ), aside
    assert all("1000 times" in row.detail and "(table " not in row.detail for row in aside)


def test_a_table_record_names_its_table_and_no_other_id_does() -> None:
    assert record_table(table_record(3, 12, "gpt-5.2")) == "table 3"
    for other in ("gpt-5.2", "openai/gpt-4o", "table x row 1: a", "my table 3 row 1: a", ""):
        assert record_table(other) == ""
