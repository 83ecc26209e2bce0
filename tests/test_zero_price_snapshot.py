"""A price stated at $0 prices no snapshot apart, and the day after reads as before.

A fault round priced OpenRouter's gpt-4o-mini at $0 (a public report: paid models listed at
$0.00). Its snapshot gpt-4o-mini-2024-07-18, stated at the real prices beside it, was taken as
priced apart from its base, so it became a model of its own on every route: OpenAI's page's
rows of it opened a new-model item too, and, the model now listed by an official source, it
stayed apart after OpenRouter recovered. A price that moved tenfold or to zero from the
catalog's price of its field teaches identity nothing now (catalog/normalize.py), and what
official sources listed before keeps a model known without holding a snapshot apart
(Identity.learn_listed).

OpenAI's page and OpenRouter, epoch-1 (accept-new: the catalog prices gpt-4o-mini) then epoch-2
under review, then epoch-2 with the $0 entry (made here from the recorded listing), then
epoch-2 again. Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API,
SQLite).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import WORLDS, copy_catalog
from tests.test_withdrawn_statement import items
from tests.worlds import epoch2_after_epoch1, fault_world, recorded_text, replayed_run, reported

pytestmark = pytest.mark.integration

SOURCES = ["openai-page", "openrouter"]
LISTING = "https://openrouter.ai/api/v1/models"


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return epoch2_after_epoch1(tmp_path_factory, tmp_path_factory.mktemp("zero"), SOURCES)


def test_a_price_stated_at_zero_prices_no_snapshot_apart_and_recovery_is_read(
    epoch2: Path, tmp_path: Path
) -> None:
    db = copy_catalog(epoch2, tmp_path / "zero.db")
    before = items(db)
    listing = json.loads(recorded_text(LISTING))
    [model] = [m for m in listing["data"] if m["id"] == "openai/gpt-4o-mini"]
    assert any(m["id"] == "openai/gpt-4o-mini-2024-07-18" for m in listing["data"])
    model["pricing"].update(prompt="0", completion="0", input_cache_read="0")
    zero = fault_world(tmp_path, {LISTING: {"body": json.dumps(listing)}})
    run_id = replayed_run(db, zero, SOURCES)
    assert reported(db, run_id)["openrouter"][0] == "ok"
    opened = {i: row for i, row in items(db).items() if i not in before}
    assert {(kind, route, model) for kind, route, model, *_ in opened.values()} == {
        ("anomaly", "openrouter", "gpt-4o-mini")
    }
    assert {i: row for i, row in items(db).items() if i in before} == before

    recovered = replayed_run(db, WORLDS / "epoch-2.json", SOURCES)
    assert reported(db, recovered)["openrouter"] == ("ok", "")
    assert {i: row for i, row in items(db).items() if row[3] == "open"} == {
        i: row for i, row in before.items() if row[3] == "open"
    }
