"""A source read this run that no longer states what an open item cites it for changes that item,
whether the item's other sources are read or held (unchanged): holding an unchanged source is
an economy, and must propose what reading it would.

LiteLLM's and models.dev's epoch-1 answers are loaded (accept-new), then their epoch-2 answers
open new-model items citing both. Then epoch-2 is served again with one such model's entry taken
out of LiteLLM's map (made here from the recorded body), once with models.dev's body as recorded
(confirmed unchanged: held) and once ending in one more newline (the same JSON, read again).
Read again, models.dev's statements make the item anew without LiteLLM and it supersedes the
open one; held, they made an item citing only held statements, which was dropped, and the open
item kept citing LiteLLM for values LiteLLM no longer states.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog import queries, store
from catalog.tables import review_items
from tests.conftest import WORLDS, copy_catalog
from tests.worlds import epoch2_after_epoch1, fault_world, replayed_run

pytestmark = pytest.mark.integration

SOURCES = ["litellm", "modelsdev"]


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return epoch2_after_epoch1(tmp_path_factory, tmp_path_factory.mktemp("withdrawn"), SOURCES)


def recorded(url_part: str) -> dict[str, Any]:
    return recorded_in("epoch-2", url_part)


def recorded_all(world: str, url_part: str) -> dict[str, dict[str, Any]]:
    """Each response of the recorded `world` whose URL holds `url_part`, by URL."""
    responses = json.loads((WORLDS / f"{world}.json").read_text())["responses"]
    return {e["url"]: e for e in responses if url_part in e["url"]}


def recorded_in(world: str, url_part: str) -> dict[str, Any]:
    return next(iter(recorded_all(world, url_part).values()))


def held_and_read(
    base: Path, broken: dict[str, dict[str, Any]], sources: list[str], tmp_path: Path
) -> dict[str, str]:
    """The `broken` world replayed on two copies of `base`: "held" with models.dev's body as
    recorded (confirmed unchanged), "read" with it ending in one more newline (the same JSON,
    read again). The copies' URLs."""
    modelsdev = recorded("models.dev")
    same_json = (WORLDS / modelsdev["file"]).read_text() + "\n"
    dbs = {}
    for case, world in {
        "held": broken,
        "read": {**broken, modelsdev["url"]: {"body": same_json}},
    }.items():
        db = dbs[case] = copy_catalog(base, tmp_path / f"{case}.db")
        (tmp_path / case).mkdir()
        run_id = replayed_run(db, fault_world(tmp_path / case, world), sources)
        with store.connect(db).connect() as conn:
            run = queries.get_run(conn, run_id)
        assert run is not None
        reason = next(s.reason for s in run.sources if s.source == "modelsdev")
        assert reason.startswith("unchanged since") == (case == "held"), (case, reason)
    return dbs


def items(db: str) -> dict[int, tuple[Any, ...]]:
    """Every review item: id -> (kind, route, model, status, fingerprint, sources, changes)."""
    c = review_items.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(c.id, c.kind, c.route, c.model, c.status, c.fingerprint, c.sources, c.changes)
        )
        return {r.id: tuple(r[1:]) for r in rows}


def test_a_withdrawn_statement_changes_its_item_whether_the_others_are_read_or_held(
    epoch2: Path, tmp_path: Path
) -> None:
    before = items(f"sqlite:///{epoch2}")
    both = [
        (item_id, row)
        for item_id, row in before.items()
        if row[0] == "new_model" and row[3] == "open" and row[5] == SOURCES
    ]
    assert both, "epoch-2 opens new-model items that LiteLLM and models.dev both cite"
    item_id, row = both[0]
    names = {s["source_model"] for c in row[6] for s in c["sources"] if s["source"] == "litellm"}
    litellm = recorded("BerriAI")
    document = json.loads((WORLDS / litellm["file"]).read_text())
    for name in names:
        del document[name]
    without = {litellm["url"]: {"body": json.dumps(document)}}

    outcome = {
        case: items(db) for case, db in held_and_read(epoch2, without, SOURCES, tmp_path).items()
    }

    assert outcome["read"][item_id][3] == "superseded"
    assert outcome["held"] == outcome["read"]


@pytest.fixture(scope="module")
def openrouter_epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("withdrawn-openrouter") / "catalog.db"
    replayed_run(f"sqlite:///{base}", WORLDS / "epoch-1.json", OFFICIAL, accept_new=True)
    replayed_run(f"sqlite:///{base}", WORLDS / "epoch-2.json", OFFICIAL)
    return base


OFFICIAL = ["openrouter", "modelsdev"]


def test_an_official_listing_of_another_day_proposes_alike_whether_the_others_are_read_or_held(
    openrouter_epoch2: Path, tmp_path: Path
) -> None:
    """OpenRouter's epoch-2 listings served again without the models its epoch-1 listing did not
    list yet (its older listing, as a fault round served it): models it lists no more leave the
    secondary values of models.dev against the values it verified, as disagreements citing
    models.dev alone, which supersede open items of other kinds on those models. Held,
    models.dev's statements made those items citing only held statements, and only those in
    place of an open item of their own kind were taken (63 missing): the open items stayed,
    citing OpenRouter for what it no longer states. (The older listing itself also states many
    fields twice at different values: quarantined, not withdrawn, those stand as last stated.)"""
    listed = {
        entry["id"]
        for entry in json.loads(
            (WORLDS / recorded_in("epoch-1", "openrouter.ai")["file"]).read_text()
        )["data"]
    }
    served_again = {}
    for url, entry in recorded_all("epoch-2", "openrouter.ai").items():
        document = json.loads((WORLDS / entry["file"]).read_text())
        document["data"] = [e for e in document["data"] if e["id"] in listed]
        served_again[url] = {"body": json.dumps(document), "date": "2026-09-01T00:00:00Z"}
    outcome = {  # by fingerprint: ids follow the order items opened in
        case: {row[4]: row for row in items(db).values()}
        for case, db in held_and_read(openrouter_epoch2, served_again, OFFICIAL, tmp_path).items()
    }
    assert outcome["held"] == outcome["read"]
    assert any(
        row[0] == "disagreement" and row[5] == ["modelsdev"] for row in outcome["read"].values()
    )
