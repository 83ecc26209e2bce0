"""A proposal on an unscoped field closes once its sources' prices are placed in the official
deployment scope again.

Fault round 20 (two sources at once, reduced to one): Azure's price API failing on the day
epoch-2 arrives held Azure at its epoch-1 statements, which price none of gpt-4o-mini's
non-batch global input; so the secondaries' unscoped input (0.15) stayed unscoped and proposed
a price change against the unscoped 0.165 LiteLLM's epoch-1 map put in the catalog. The next
day Azure answered, the secondaries' 0.15 was placed in its global scope, as a clean run places
it, and the item stood open for good: its sources stated the model but no longer its field,
which reads as an absence. A clean run (epoch-1, then epoch-2) opens no such item; nor, since
a deployment's price in force places the secondaries' bare prices equal to it (fault rounds 44
and 45), does the day Azure fails. With
LiteLLM's azure block rescaled tenfold the same day (the round's sequence), its unscoped
tenfold prices of models Azure had not priced before proposed new values that stayed open
after both recovered: LiteLLM's corrected prices were placed in Azure's scope.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from catalog.tables import review_items
from tests.conftest import WORLDS, copy_catalog, replayed_catalog
from tests.test_fault_kinds import urls
from tests.worlds import fault_world, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

SOURCES = ["azure", "litellm", "modelsdev", "portkey"]
c = review_items.c


def azure_queue(db: str) -> set[tuple[str, str, str]]:
    """The open items on Azure's route: (kind, model, fields as the title names them)."""
    rows = review_rows(db, (c.kind, c.model, c.title), c.status == "open", c.route == "azure")
    return {(row.kind, row.model, row.title) for row in rows}


def azure_tenfold() -> str:
    """LiteLLM's recorded epoch-2 map with every price of its azure entries ten times as
    written."""
    document: dict[str, Any] = json.loads(recorded_text(urls("litellm")[0]))
    for entry in document.values():
        if isinstance(entry, dict) and entry.get("litellm_provider") == "azure":
            for name, value in entry.items():
                if "cost" in name and isinstance(value, int | float) and value > 0:
                    entry[name] = float(Decimal(str(value)) * 10)
    return json.dumps(document)


def test_an_unscoped_proposal_closes_once_its_prices_are_placed_again(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    loaded = replayed_catalog(tmp_path_factory, [("epoch-1", SOURCES, True)])
    clean = copy_catalog(loaded, tmp_path / "clean.db")
    replayed_run(clean, WORLDS / "epoch-2.json", SOURCES)
    db = copy_catalog(loaded, tmp_path / "catalog.db")
    failing: dict[str, dict[str, Any]] = {
        url: {"status": 500, "body": "Internal Server Error"} for url in urls("azure")
    }
    failing[urls("litellm")[0]] = {"body": azure_tenfold()}
    replayed_run(db, fault_world(tmp_path, failing), SOURCES)
    unscoped = (
        "price_change",
        "gpt-4o-mini",
        "price_change: azure/gpt-4o-mini input: 0.165 → 0.15 usd_per_1m_tokens",
    )
    assert unscoped not in azure_queue(db)  # placed by the global price in force (26b6291)
    replayed_run(db, WORLDS / "epoch-2.json", SOURCES)
    assert unscoped not in azure_queue(db)
    assert azure_queue(db) == azure_queue(clean)
