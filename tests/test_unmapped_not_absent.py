"""A model whose names a source renames is not counted absent while the new names map to none.

Fault round 51: Azure renamed a product ("Azure OpenAI GPT5" to "Azure OpenAI GPT-5 Series"),
every meter otherwise as it was. The renamed meters mapped to no model (an unmapped-name item,
as it should be), and Azure's complete listing no longer named 19 models: three days on, 11
missing items proposed closing Azure's own verified prices of models it still sold. An absence
is not counted while the source states, on the route, names that map to no model and did not
when the model was last listed (catalog/compare.py `_absences`).

Azure alone through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite):
epoch-2 into an empty catalog, then three days of the renamed product, made here from the
recorded eastus2 listing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import listings, review_items
from tests.conftest import WORLDS
from tests.test_fault_kinds import urls
from tests.worlds import fault_world, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

SOURCES = ["azure"]
PRODUCT = "Azure OpenAI GPT5"


def test_models_renamed_to_unmapped_names_are_not_absent(prefect_api: None, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    replayed_run(db, WORLDS / "epoch-2.json", SOURCES, accept_new=True)
    [eastus2] = [url for url in urls("azure") if "eastus2" in url]
    listing = json.loads(recorded_text(eastus2))
    renamed = [item for item in listing["Items"] if item["productName"] == PRODUCT]
    assert len(renamed) > 100
    for item in renamed:
        item["productName"] = f"{PRODUCT}-5 Series"
    world = fault_world(tmp_path, {eastus2: {"body": json.dumps(listing)}})
    for _ in range(3):
        replayed_run(db, world, SOURCES)
    c = review_items.c
    kinds = [kind for (kind,) in review_rows(db, (c.kind,), c.status == "open")]
    assert "unmapped" in kinds  # the new names are a reviewer's question
    assert "missing" not in kinds
    li = listings.c
    with store.connect(db).connect() as conn:
        counted = conn.execute(select(li.model).where(li.source == "azure", li.missing_runs > 0))
        assert list(counted) == []
