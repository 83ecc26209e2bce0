"""An unchanged source is held at its last statements only while its names map as they did when
it was last read: another source's statements can make a model known (an official page listing
it), and the same bytes then state that model's values.

LiteLLM's and OpenAI's page's epoch-1 answers are loaded (accept-new). Then OpenAI's epoch-2
page (it lists models the epoch-1 page did not, e.g. gpt-5.2-chat-latest and dall-e-2) is served
beside LiteLLM's epoch-1 map, once as recorded (byte for byte the map of the last run: confirmed
unchanged) and once ending in one more newline (the same JSON, read again). LiteLLM names those
models too; read, its values join the new-model items. Held at its last statements, in which
those names mapped to no known model, the items were opened without them (and unmapped-name
items were not opened): 5 items differed. A run that reads no source after a run that read
another source alone (`--source`) is the same case.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog import queries, store
from catalog.tables import catalog_values, review_items, stamps
from tests.conftest import WORLDS, copy_catalog
from tests.worlds import fault_world, replayed_run

pytestmark = pytest.mark.integration

SOURCES = ["litellm", "openai-page"]


def recorded(world: str, url_part: str) -> dict[str, Any]:
    return next(
        e
        for e in json.loads((WORLDS / f"{world}.json").read_text())["responses"]
        if url_part in e["url"]
    )


@pytest.fixture(scope="module")
def epoch1(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("names") / "catalog.db"
    replayed_run(f"sqlite:///{base}", WORLDS / "epoch-1.json", SOURCES, accept_new=True)
    return base


def new_page(tmp_path: Path, litellm_read: bool) -> Path:
    """Epoch-1 with OpenAI's epoch-2 page; LiteLLM's map as recorded, or (`litellm_read`) with
    one more newline at its end."""
    page = recorded("epoch-2", "platform.openai.com")
    litellm = recorded("epoch-1", "litellm")
    broken = {page["url"]: {"file": str((WORLDS / page["file"]).resolve()), "date": page["date"]}}
    if litellm_read:
        broken[litellm["url"]] = {"body": (WORLDS / litellm["file"]).read_text() + "\n"}
    tmp_path.mkdir()
    return fault_world(tmp_path, broken, base="epoch-1")


def state(db: str) -> tuple[Any, ...]:
    """Every review item (kind, route, model, status, fingerprint, sources, changes), every
    catalog value and every stamp's source and last run, in a fixed order."""
    c, v, s = review_items.c, catalog_values.c, stamps.c
    with store.connect(db).connect() as conn:
        items = conn.execute(
            select(
                c.kind, c.route, c.model, c.status, c.fingerprint, c.sources, c.changes
            ).order_by(c.fingerprint, c.status)
        ).all()
        values = conn.execute(select(catalog_values).order_by(v.id)).all()
        stamped = conn.execute(
            select(s.value_id, s.source, s.official, s.last_run_id).order_by(s.id)
        ).all()
    return tuple(map(tuple, items)), values, stamped


def reason(db: str, run_id: int, source: str) -> str:
    with store.connect(db).connect() as conn:
        run = queries.get_run(conn, run_id)
    assert run is not None
    return next(s.reason for s in run.sources if s.source == source)


def test_an_official_page_listing_new_models_reads_the_unchanged_map_again(
    epoch1: Path, tmp_path: Path
) -> None:
    dbs = {}
    for case in ("held", "read"):
        db = dbs[case] = copy_catalog(epoch1, tmp_path / f"{case}.db")
        run_id = replayed_run(db, new_page(tmp_path / case, case == "read"), SOURCES)
        assert not reason(db, run_id, "litellm").startswith("unchanged since")
    held, read = state(dbs["held"]), state(dbs["read"])
    opened = [item for item in read[0] if "litellm" in item[5] and item[0] == "new_model"]
    assert len(opened) >= 3, opened
    assert held == read


def test_a_run_reading_nothing_after_another_source_was_read_alone(
    epoch1: Path, tmp_path: Path
) -> None:
    """OpenAI's new page is read alone (`--source openai-page`: LiteLLM is held, as it last
    stated). Then both are refreshed on the same world: each repeats its own last answer byte
    for byte, so no source would be read, yet the names LiteLLM's map uses met models the page
    made known since it was read: it is read, as it is when its bytes differ."""
    dbs = {}
    for case in ("held", "read"):
        db = dbs[case] = copy_catalog(epoch1, tmp_path / f"{case}.db")
        replayed_run(db, new_page(tmp_path / f"{case}-alone", False), ["openai-page"])
        run_id = replayed_run(db, new_page(tmp_path / case, case == "read"), SOURCES)
        # the page was read without LiteLLM: LiteLLM's new bytes read, the page is read beside
        # them (catalog/unchanged.py); its repeated ones held, the page's repeat is confirmed
        page = reason(db, run_id, "openai-page")
        assert page.startswith("unchanged since") if case == "held" else page == "", page
        assert not reason(db, run_id, "litellm").startswith("unchanged since")
    assert state(dbs["held"]) == state(dbs["read"])


def test_an_unchanged_map_stays_held_where_its_names_map_alike(
    epoch1: Path, tmp_path: Path
) -> None:
    """The same world twice: the second run reads nothing and confirms both sources."""
    db = copy_catalog(epoch1, tmp_path / "again.db")
    replayed_run(db, new_page(tmp_path / "first", False), SOURCES)
    run_id = replayed_run(db, new_page(tmp_path / "again", False), SOURCES)
    for source in SOURCES:
        assert reason(db, run_id, source).startswith("unchanged since"), source
