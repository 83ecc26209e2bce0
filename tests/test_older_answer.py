"""An older answer served again with a fresh date is stale; the answer it replaced, given again
after a day whose differing values were set aside, is read; a price stated at $0 prices no
snapshot apart.

A cache or mirror behind its origin can serve a URL's earlier body under a Date set anew: a fault
round gave OpenAI's November page and OpenRouter's May listing, each dated as the epoch-2 day,
to a catalog that had read both and then their epoch-2 answers. Both read as news: the page's
and listing's older prices re-quoted every open item of their models. A body byte-identical to
an earlier answer of its URL in a run that applied the source, where the last applied answer
was another, is stale now (catalog/health.py, store.answered_before): it changes nothing, and
its reason names the date of the answer it repeats. Not so an answer from before a day whose
differing values were all set aside (its last applied answer stated nothing it did not: the
day after a fault, the source's own answer again).

A fault round priced OpenRouter's gpt-4o-mini at $0 (a public report: paid models listed at
$0.00). Its snapshot gpt-4o-mini-2024-07-18, stated at the real prices beside it, was taken as
priced apart from its base, so it became a model of its own on every route: OpenAI's page's
rows of it too opened a new-model item, and, the model now listed by an official source, it
stayed apart after OpenRouter recovered. A price that moved tenfold or to zero from the
catalog's price of its field teaches identity nothing now (catalog/normalize.py), and what
official sources listed before keeps a model known without holding a snapshot apart
(Identity.learn_listed).

OpenAI's page and OpenRouter (whose second URL, the listing of every modality, answers as
recorded), epoch-1 (accept-new) then epoch-2 under review, then the epoch-2 world with the two
older bodies (the recorded epoch-1 ones), then epoch-2 again. Refreshes through the real flow
(Scrapy over loopback HTTP, a real Prefect API, SQLite).
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
PAGE = "https://platform.openai.com/docs/pricing"
LISTING = "https://openrouter.ai/api/v1/models"


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return epoch2_after_epoch1(tmp_path_factory.mktemp("older"), SOURCES)


def test_an_older_answer_dated_anew_changes_nothing(epoch2: Path, tmp_path: Path) -> None:
    db = copy_catalog(epoch2, tmp_path / "older.db")
    before = items(db)
    older = {url: {"body": recorded_text(url, "epoch-1")} for url in (PAGE, LISTING)}
    assert all(o["body"] != recorded_text(url) for url, o in older.items())
    run_id = replayed_run(db, fault_world(tmp_path, older), SOURCES)
    assert reported(db, run_id) == {
        "openai-page": (
            "stale",
            f"{PAGE}: stale (the same bytes as its answer of 2025-11-21T00:00:00+00:00, older"
            " than the evidence of 2025-12-17T00:00:00+00:00 already given)",
        ),
        "openrouter": (
            "partial",
            f"{LISTING}: stale (the same bytes as its answer of 2026-05-20T00:00:00+00:00, older"
            " than the evidence of 2026-08-19T00:00:00+00:00 already given)",
        ),
    }
    assert items(db) == before

    recovered = replayed_run(db, WORLDS / "epoch-2.json", SOURCES)
    assert {s: status for s, (status, _) in reported(db, recovered).items()} == {
        "openai-page": "ok",
        "openrouter": "ok",
    }
    assert items(db) == before


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
