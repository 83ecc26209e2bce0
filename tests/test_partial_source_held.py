"""One failed response of a source with many changes nothing that response stood for: what the
source last stated through that URL is held, its other responses are read.

Portkey answers 46 URLs. After epoch-1 (Portkey failing as recorded then) and epoch-2, epoch-2 is
replayed again with Portkey's openai.json answering HTTP 500 (the other 45 as recorded), so
Portkey is partial and OpenRouter and OpenAI's page answer unchanged. Before, the items Portkey
co-sourced through openai.json lost it from their evidence, items of the unchanged sources
closed as "caused by Portkey's absence" (Portkey, read again, stated their fields), and 21 of
Portkey's own statements through its other URLs were dropped unrecorded: each met what Portkey
stated the run before (all of it held beside what it stated now) as its own statement of the
field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog import queries, store
from catalog.tables import (
    catalog_values,
    interval_ends,
    observations,
    responses,
    review_items,
    stamps,
)
from tests.conftest import WORLDS, copy_catalog, replayed_catalog
from tests.worlds import epoch2_loaded, fault_world, replayed_run, reported

pytestmark = pytest.mark.integration

SOURCES = ["openrouter", "portkey", "openai-page"]
FAILING = "https://configs.portkey.ai/pricing/openai.json"


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The catalog after epoch-1 (accept-new) and epoch-2, and the epoch-2 run's id."""
    base = tmp_path_factory.mktemp("partial") / "catalog.db"
    replayed_run(f"sqlite:///{base}", WORLDS / "epoch-1.json", SOURCES, accept_new=True)
    return base, replayed_run(f"sqlite:///{base}", WORLDS / "epoch-2.json", SOURCES)


def review_state(db: str) -> dict[int, tuple[Any, ...]]:
    """Every review item: id -> (status, fingerprint, sources, changes)."""
    c = review_items.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(select(c.id, c.status, c.fingerprint, c.sources, c.changes))
        return {r.id: (r.status, r.fingerprint, r.sources, r.changes) for r in rows}


def test_one_failed_response_of_a_source_changes_nothing_it_stood_for(
    epoch2: tuple[Path, int], tmp_path: Path
) -> None:
    base, epoch2_run = epoch2
    db = copy_catalog(base, tmp_path / "catalog.db")
    before = review_state(db)
    assert any(s == "open" and "portkey" in sources for s, _, sources, _ in before.values())

    run_id = replayed_run(db, fault_world(tmp_path, {FAILING: {"status": 500}}), SOURCES)

    with store.connect(db).connect() as conn:
        run = queries.get_run(conn, run_id)
        assert run is not None
        portkey = next(s for s in run.sources if s.source == "portkey")
        assert portkey.status.value == "partial" and FAILING in portkey.reason
        # every statement Portkey made in epoch-2 through its other 45 URLs is stated again
        # (its interval ends at this run's response), none left unrecorded
        start, end = responses.alias("start"), responses.alias("end")
        o = observations.c
        restated = (
            select(func.count(), func.count().filter(end.c.run_id == run_id))
            .select_from(observations)
            .join(start, start.c.id == o.response_id)
            .join(interval_ends, interval_ends.c.id == o.end_id)
            .join(end, end.c.id == interval_ends.c.response_id)
            .where(o.source == "portkey", start.c.run_id == epoch2_run, start.c.url != FAILING)
        )
        stated, again = conn.execute(restated).one()
        # nothing of openai.json is stamped for Portkey: its held statements only stand in
        stamped_urls = conn.execute(
            select(func.count())
            .select_from(stamps)
            .where(stamps.c.last_run_id == run_id, stamps.c.source == "portkey")
        ).scalar_one()
    assert stated > 9_000 and again == stated
    assert 0 < stamped_urls == portkey.stamped
    # nothing opened, superseded or closed, and no item's evidence lost Portkey
    assert review_state(db) == before


def test_a_response_failing_two_runs_in_a_row_changes_nothing_it_stood_for(
    epoch2: tuple[Path, int], tmp_path: Path
) -> None:
    """A fault round: Portkey's zhipu.json answering 404 three days changed nothing on the
    first, and narrowed three new-model items on the second: what a source states is held from
    its last applied run, and that run (the first day's, partial) stated nothing through the
    failed URL. Each field stands as the source last stated it since its last complete run
    now (catalog/store.py `last_statements`)."""
    base, _ = epoch2
    db = copy_catalog(base, tmp_path / "catalog.db")
    before = review_state(db)
    world = fault_world(tmp_path, {FAILING: {"status": 500}})
    for _ in range(2):
        replayed_run(db, world, SOURCES)
    assert review_state(db) == before


def split_azure(
    tmp_path: Path, page2: dict[str, Any] | None = None, repriced: bool = False
) -> Path:
    """Epoch-2 with Azure's eastus2 listing (1,520 items, one page as recorded) served as two
    pages chained by NextPageLink, as the API pages a longer listing: the first 1,000 items,
    then the rest (or `page2`'s answer instead). The link is the one Azure's recorded epoch-1
    first page names. `repriced`: the first priced meter on the first page states twice its
    price from a later date (2026-08-01)."""
    recorded = {
        world: next(
            e
            for e in json.loads((WORLDS / f"{world}.json").read_text())["responses"]
            if "eastus2" in e["url"]
        )
        for world in ("epoch-1", "epoch-2")
    }
    following = json.loads((WORLDS / recorded["epoch-1"]["file"]).read_bytes())["NextPageLink"]
    entry = recorded["epoch-2"]
    document = json.loads((WORLDS / entry["file"]).read_bytes())
    items = document["Items"]
    if repriced:
        meter = next(i for i in items if i["retailPrice"] > 0)
        meter["retailPrice"] = meter["unitPrice"] = meter["retailPrice"] * 2
        meter["effectiveStartDate"] = "2026-08-01T00:00:00Z"
    first = {**document, "Items": items[:1000], "Count": 1000, "NextPageLink": following}
    rest = {**document, "Items": items[1000:], "Count": len(items) - 1000, "NextPageLink": None}
    served = {k: v for k, v in entry.items() if k != "file"}
    served |= {"url": following, "body": json.dumps(rest)} | (page2 or {})
    return fault_world(tmp_path, {entry["url"]: {"body": json.dumps(first)}}, [served])


@pytest.fixture(scope="module")
def paged(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Azure's and LiteLLM's epoch-1 loaded (accept-new), then their epoch-2 (Azure's listing
    in one page, as recorded): the run's one catalog of these refreshes, which the tests copy
    (conftest's `replayed_catalog`; test_as_of_verification's is the same)."""
    return replayed_catalog(tmp_path_factory, [("epoch-1", PAGED, True), ("epoch-2", PAGED, False)])


PAGED = ["azure", "litellm"]


def test_a_failed_further_page_changes_nothing_it_stood_for(paged: Path, tmp_path: Path) -> None:
    """The same listing served in two pages, the second answering 500: what that page states
    was recorded under the listing's URL (one page then), which answered, so holding the
    failed URLs' statements held none of it, and the items on its models were proposed again
    without its fields (a new model's item losing some)."""
    db = copy_catalog(paged, tmp_path / "catalog.db")
    before = review_state(db)
    with store.connect(db).connect() as conn:
        values = conn.execute(select(catalog_values).order_by(catalog_values.c.id)).all()

    run_id = replayed_run(db, split_azure(tmp_path, {"status": 500}), PAGED)

    with store.connect(db).connect() as conn:
        run = queries.get_run(conn, run_id)
        assert run is not None
        azure = next(s for s in run.sources if s.source == "azure")
        assert azure.status.value == "partial", azure
        assert conn.execute(select(catalog_values).order_by(catalog_values.c.id)).all() == values
    assert any("azure" in sources for _, _, sources, _ in before.values())
    assert review_state(db) == before


def by_fingerprint(db: str) -> dict[str, tuple[Any, ...]]:
    """Every review item by fingerprint: (kind, route, model, status, sources, changes)."""
    c = review_items.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(c.fingerprint, c.kind, c.route, c.model, c.status, c.sources, c.changes)
        )
        return {r.fingerprint: tuple(r[1:]) for r in rows}


def test_a_price_a_good_page_states_anew_is_not_held_beside_it(paged: Path, tmp_path: Path) -> None:
    """The first page states a meter's price anew (twice it, from a later date) while the second
    page fails: the old statement of that field was held beside the new one (a held field was
    told by its date too), and the item proposing the change cited both."""
    outcome = {}
    for case, page2 in {"failed": {"status": 500}, "answered": None}.items():
        db = copy_catalog(paged, tmp_path / f"{case}.db")
        (tmp_path / case).mkdir()
        replayed_run(db, split_azure(tmp_path / case, page2, repriced=True), PAGED)
        outcome[case] = by_fingerprint(db)
    changed = [
        row for row in outcome["answered"].values() if row[3] == "open" and "azure" in row[4]
    ]
    assert any(c.get("proposed") == "33" for row in changed for c in row[5])
    assert outcome["failed"] == outcome["answered"]


def test_a_failed_listing_leaves_the_other_judged_beside_what_it_stood_for(
    paged: Path, tmp_path: Path
) -> None:
    """Azure's eastus2 listing answering 500 while mexicocentral answers as recorded (four
    meters, none a model's price: each read with a problem, as every day): a fault round found
    the source failed ("validation collapse: 4 of 4 invalid"), the four judged as if they were
    the whole listing. One failed listing of two makes the source partial; what the failed one
    last stated stands beside what was read, as it stands for everything else."""
    eastus2 = next(url for url in WORLD_URLS if "eastus2" in url)
    db = copy_catalog(paged, tmp_path / "catalog.db")
    before = review_state(db)
    with store.connect(db).connect() as conn:
        values = conn.execute(select(catalog_values).order_by(catalog_values.c.id)).all()

    run_id = replayed_run(db, fault_world(tmp_path, {eastus2: {"status": 500}}), PAGED)

    with store.connect(db).connect() as conn:
        run = queries.get_run(conn, run_id)
        assert run is not None
        azure = next(s for s in run.sources if s.source == "azure")
        assert (azure.status.value, azure.reason) == ("partial", f"{eastus2}: HTTP 500")
        assert conn.execute(select(catalog_values).order_by(catalog_values.c.id)).all() == values
    assert review_state(db) == before


def test_a_listing_split_into_pages_otherwise_is_read_whole(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """Azure's eastus2 listing, loaded as recorded (1,520 items in one page), answers the next
    day in two pages (1,000 items, then 520 at the next link), as the API pages a longer
    listing: a helper found its first page judged alone, "collapsed listing (1000 records
    against its usual 1520)", and Azure partial, its values not verified that day. A chain of
    pages is one listing: its records are counted together, so the split listing is read
    whole, and so is the one page the day after."""
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", ["azure"])
    before = review_state(db)
    with store.connect(db).connect() as conn:
        values = conn.execute(select(catalog_values).order_by(catalog_values.c.id)).all()
    days = {"split": split_azure(tmp_path), "one page": WORLDS / "epoch-2.json"}
    for day, world in days.items():
        run_id = replayed_run(db, world, ["azure"])
        assert reported(db, run_id)["azure"] == ("ok", ""), day
    with store.connect(db).connect() as conn:
        assert conn.execute(select(catalog_values).order_by(catalog_values.c.id)).all() == values
    assert review_state(db) == before


WORLD_URLS = [e["url"] for e in json.loads((WORLDS / "epoch-2.json").read_text())["responses"]]
