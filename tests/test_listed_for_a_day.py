"""A name an official source listed for a day only is forgotten once its listings leave it out.

Fault round 51: Google's pricing page renamed its gemini-3-pro-preview section to a GA
"gemini-3-pro" for one day. That day the name was an officially listed model, so the
secondaries' "gemini-3-pro" names on other routes mapped to it and opened new-model items; the
page said preview again the next day, but the name stayed known for good (the listings table
keeps every model an official listing ever named) and the items stayed open. A model an
official source's complete listings have left out three times running is no longer known by
that listing (catalog/store.py `officially_listed`); one the catalog holds stays known by its
values.

Google's page and models.dev through the real flow (Scrapy over loopback HTTP, a real Prefect
API, SQLite): epoch-2 into an empty catalog, a day of the renamed page (made here from the
recorded one), then the recorded page day after day. A source confirmed unchanged stands as it
last stated, its names mapped as then, until it is read again (its bytes differ, as models.dev's
do from one day to the next).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.tables import review_items
from tests.conftest import WORLDS
from tests.test_fault_kinds import urls
from tests.worlds import fault_world, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

SOURCES = ["gemini-page", "modelsdev"]


def open_on_ga(db: str) -> list[tuple[str, str]]:
    c = review_items.c
    return review_rows(db, (c.kind, c.route), c.status == "open", c.model == "gemini-3-pro")


def test_a_name_listed_for_a_day_maps_nothing_once_it_is_gone(
    prefect_api: None, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    replayed_run(db, WORLDS / "epoch-2.json", SOURCES, accept_new=True)
    assert open_on_ga(db) == []
    [page] = urls("gemini-page")
    recorded = recorded_text(page)
    renamed = recorded.replace("gemini-3-pro-preview", "gemini-3-pro").replace(
        "Gemini 3 Pro Preview", "Gemini 3 Pro"
    )
    replayed_run(db, fault_world(tmp_path, {page: {"body": renamed}}), SOURCES)
    opened = open_on_ga(db)
    assert {kind for kind, _ in opened} == {"new_model"}
    assert {route for _, route in opened} - {"google"}  # other routes' names mapped to it
    for _ in range(3):  # the page's third complete listing without it
        replayed_run(db, WORLDS / "epoch-2.json", SOURCES)
    # the page's own item closed the first day; models.dev, confirmed unchanged, stands as it
    # last stated, its names mapped as then
    assert open_on_ga(db) == [item for item in opened if item[1] != "google"]
    [catalog] = urls("modelsdev")
    again = fault_world(tmp_path, {catalog: {"body": recorded_text(catalog) + "\n"}})
    replayed_run(db, again, SOURCES)  # models.dev read again: the name maps to nothing now
    assert open_on_ga(db) == []
