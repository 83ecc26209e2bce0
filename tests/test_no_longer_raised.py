"""An anomaly or an unmapped-name item its sources, read in full, no longer raise closes by itself.

A fault round: a day's misprinted price (OpenAI's gpt-4o input at $2,500) was set aside as an
anomaly, and a renamed key in Portkey's DeepSeek prices (deepseek-chat listed as
"deepseek-chat-qzx") opened an unmapped-name item; the next day both sources answered as
recorded, and both items stayed in the queue for good, about statements no source made any
more. Now they close by themselves; while a source that raised one fails, its item stays.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of
epoch-2 and worlds made here from its recorded OpenAI page and Portkey's DeepSeek prices.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog.tables import review_items
from tests.conftest import WORLDS, copy_catalog
from tests.worlds import epoch2_loaded, fault_world, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

SOURCES = ["openai-page", "deepseek-page", "portkey"]
PAGE = "https://platform.openai.com/docs/pricing"
PRICES = "https://configs.portkey.ai/pricing/deepseek.json"
ROW = "| gpt-4o | $2.50 | $1.25 | $10.00 |"  # the standard tier's row, as recorded
NAME = '"deepseek-chat":'


def raised(db: str) -> list[Any]:
    """The anomaly on gpt-4o from OpenAI's page and the unmapped-name items on route deepseek."""
    ri = review_items.c
    found = review_rows(
        db,
        (ri.kind, ri.route, ri.status, ri.reason),
        ((ri.kind == "anomaly") & (ri.route == "openai") & (ri.model == "gpt-4o"))
        | ((ri.kind == "unmapped") & (ri.route == "deepseek")),
    )
    return sorted(found, key=lambda row: row.kind)


@pytest.fixture(scope="module")
def faulty_day(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An epoch-2 catalog, then a day of a misprinted price and a renamed key."""
    folder = tmp_path_factory.mktemp("raised")
    db = folder / "catalog.db"
    replayed_run(f"sqlite:///{db}", WORLDS / "epoch-2.json", SOURCES, accept_new=True)
    assert raised(f"sqlite:///{db}") == []
    page, prices = recorded_text(PAGE), recorded_text(PRICES)
    assert page.count(ROW) == 1 and prices.count(NAME) == 1
    broken = {
        PAGE: {"body": page.replace(ROW, "| gpt-4o | $2,500.00 | $1.25 | $10.00 |")},
        PRICES: {"body": prices.replace(NAME, '"deepseek-chat-qzx":')},
    }
    replayed_run(f"sqlite:///{db}", fault_world(folder, broken), SOURCES)
    assert [(kind, route, status) for kind, route, status, _ in raised(f"sqlite:///{db}")] == [
        ("anomaly", "openai", "open"),
        ("unmapped", "deepseek", "open"),
    ]
    return db


def test_items_no_longer_raised_close_by_themselves(faulty_day: Path, tmp_path: Path) -> None:
    db = copy_catalog(faulty_day, tmp_path / "recovered.db")
    run_id = replayed_run(db, WORLDS / "epoch-2.json", SOURCES)
    assert raised(db) == [
        (
            "anomaly",
            "openai",
            "superseded",
            f"closed by itself: no longer raised by openai-page (answered in full, run {run_id})",
        ),
        (
            "unmapped",
            "deepseek",
            "superseded",
            f"closed by itself: no longer raised by portkey (answered in full, run {run_id})",
        ),
    ]


def test_an_item_whose_source_fails_stays_open(faulty_day: Path, tmp_path: Path) -> None:
    db = copy_catalog(faulty_day, tmp_path / "failed.db")
    before = raised(db)
    down = {url: {"status": 503, "body": "unavailable"} for url in (PAGE, PRICES)}
    replayed_run(db, fault_world(tmp_path, down), SOURCES)  # deepseek-page still answers
    assert raised(db) == before


GEMINI = "https://ai.google.dev/gemini-api/docs/pricing"
PRO = ("## Gemini 2.5 Pro\n", "## Gemini 2.5 Flash\n")  # the section's heading, the next one's


def test_an_anomaly_on_a_model_with_an_unread_row_closes_once_its_fields_read_again(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """Fault round 11: Gemini 2.5 Pro's tables headed "per 1K tokens" for a day raised
    anomalies on its cache read prices (1000 times the catalog's); the next day the page answered as
    recorded, yet they stayed open for good: the section has a row the page reader does not
    know (its Maps grounding price), read as a record nothing could be read from, and an item
    on a model such a record names was never judged. The fields the anomalies quote are stated
    again: that record hides none of them."""
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", ["gemini-page"])
    page = recorded_text(GEMINI)
    start, end = page.index(PRO[0]), page.index(PRO[1])
    section = page[start:end]
    assert section.count("per 1M tokens in USD") == 2
    assert "| Grounding with Google Maps" in section  # the row read with nothing to read from
    faulty = page[:start] + section.replace("per 1M tokens in USD", "per 1K tokens in USD")
    replayed_run(
        db, fault_world(tmp_path, {GEMINI: {"body": faulty + page[end:]}}), ["gemini-page"]
    )
    ri = review_items.c
    on_pro = (ri.kind == "anomaly") & (ri.model == "gemini-2.5-pro")
    # the anomalies quoting the catalog's price (the cache read prices, whose 1000-fold move the
    # catalog judges); the page's values set aside (validation's magnitude check) are left
    quoting = [
        row for row in review_rows(db, (ri.id, ri.status, ri.changes), on_pro) if row.changes
    ]
    assert len(quoting) >= 2 and {row.status for row in quoting} == {"open"}
    run_id = replayed_run(db, WORLDS / "epoch-2.json", ["gemini-page"])
    ids = {row.id for row in quoting}
    reasons = {row.reason for row in review_rows(db, (ri.id, ri.reason), on_pro) if row.id in ids}
    assert reasons == {
        f"closed by itself: no longer raised by gemini-page (answered in full, run {run_id})"
    }


def test_anomalies_of_values_set_aside_beside_a_standing_unread_row_close_when_not_raised(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """Fault round 49: the values a day's misread Gemini page set aside (validation's checks:
    an anomaly quoting no field of the catalog) stayed open for good once the page answered as
    recorded, because gemini-2.5-pro's section has a row the page reader reads nothing from
    (Maps grounding), every day, the day they were raised too: that row hid nothing of what
    they are about. A record nothing could be read from since before an item was opened leaves
    it to be judged as any other."""
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", ["gemini-page"])
    page = recorded_text(GEMINI)
    start, end = page.index(PRO[0]), page.index(PRO[1])
    section = page[start:end]
    faulty = page[:start] + section.replace("per 1M tokens in USD", "per 1K tokens in USD")
    replayed_run(
        db, fault_world(tmp_path, {GEMINI: {"body": faulty + page[end:]}}), ["gemini-page"]
    )
    ri = review_items.c
    on_pro = (ri.kind == "anomaly") & (ri.model == "gemini-2.5-pro")
    rows = review_rows(db, (ri.id, ri.status, ri.changes), on_pro)
    set_aside = [row for row in rows if not row.changes]
    assert set_aside and {row.status for row in set_aside} == {"open"}
    run_id = replayed_run(db, WORLDS / "epoch-2.json", ["gemini-page"])
    ids = {row.id for row in set_aside}
    after = [row for row in review_rows(db, (ri.id, ri.status, ri.reason), on_pro) if row.id in ids]
    assert {row.reason for row in after} == {
        f"closed by itself: no longer raised by gemini-page (answered in full, run {run_id})"
    }


def test_a_days_slip_on_a_page_with_an_unread_row_closes_beside_unchanged_secondaries(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """Fault round 49: the Gemini page stated gemini-2.5-pro's input at $1.35 for a day (the
    recorded $1.25 the next), and the price change it proposed stayed open for good, quoting
    the page's own $1.35 beside the catalog's 1.25 the page verified again. The page has a row
    of that model it reads nothing from (its Maps grounding price), so the item was judged only
    once every source it cites stated its field again; the secondaries it cites answered
    byte for byte as before ("unchanged since"), confirmed without being read again. A source
    confirmed unchanged restates what it last stated."""
    sources = ["gemini-page", "genai-prices", "modelsdev"]
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", sources)
    page = recorded_text(GEMINI)
    cell = "| $1.25, prompts \\<= 200k tokens $2.50, prompts \\> 200k tokens"
    assert page.index(cell) < page.index(PRO[1])  # gemini-2.5-pro's standard input, first
    slipped = page.replace(cell, cell.replace("$1.25", "$1.35"), 1)
    replayed_run(db, fault_world(tmp_path, {GEMINI: {"body": slipped}}), sources)
    ri = review_items.c
    change = (ri.kind == "price_change") & (ri.model == "gemini-2.5-pro")
    opened = review_rows(db, (ri.id, ri.status, ri.sources), change)
    assert [row.status for row in opened] == ["open"]
    assert {"gemini-page", "genai-prices", "modelsdev"} <= set(opened[0].sources)
    replayed_run(db, WORLDS / "epoch-2.json", sources)
    assert [row.status for row in review_rows(db, (ri.id, ri.status), change)] != ["open"]
