"""A 200 answer that is not the source's listing is that URL's failure, never a listing.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of
epoch-2 worlds made here from the real recorded responses, after a healthy epoch-2 refresh:
one URL of a source of many URLs answers with a body of another shape (Portkey's own
`general/` model-config file for the same provider, or a rate-limit error object), status 200.
Read as a listing, it would state no price and leave out every model the real file lists:
the source would pass as complete and each of those models would count absent. It is that
URL's failure instead: the source is partial, its other files are applied, no absence counts.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import and_, select

from catalog import store
from catalog.tables import listings, source_runs
from spiders import portkey
from tests.conftest import SNAPSHOTS, WORLDS, copy_catalog, snapshot
from tests.test_fault_table_rows import split_by_banner
from tests.test_unseen_responses import read
from tests.worlds import fault_world, replayed_run

pytestmark = pytest.mark.integration

# Portkey and models.dev, and OpenAI's page: the official source that makes its models known.
SOURCES = ["portkey", "modelsdev", "openai-page"]
PORTKEY_OPENAI = "https://configs.portkey.ai/pricing/openai.json"
PORTKEY_NOMIC = "https://configs.portkey.ai/pricing/nomic.json"
RATE_LIMITED = {"error": {"message": "Rate limit exceeded", "type": "rate_limit", "code": 429}}


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("bodies") / "catalog.db"
    replayed_run(f"sqlite:///{base}", WORLDS / "epoch-2.json", SOURCES, accept_new=True)
    return base


def report(db: str, run_id: int, source: str) -> tuple[str, str]:
    s = source_runs.c
    with store.connect(db).connect() as conn:
        row = conn.execute(
            select(s.status, s.reason).where(and_(s.run_id == run_id, s.source == source))
        ).one()
    return row.status, row.reason


def absent(db: str, source: str) -> list[tuple[str, str]]:
    """(route, model) of the source's listed models with an absence counted."""
    li = listings.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(li.route, li.model).where(li.source == source, li.missing_runs > 0)
        )
        return sorted((r.route, r.model) for r in rows)


def listed(db: str, source: str, route: str) -> int:
    li = listings.c
    with store.connect(db).connect() as conn:
        return len(
            list(conn.execute(select(li.model).where(li.source == source, li.route == route)))
        )


@pytest.mark.parametrize(
    ("url", "answer", "named"),
    [
        # Portkey's model-config file for the same provider: no prices, 166 of its keys (the
        # pricing file has 189: no collapse by count), and not the fine-tuned models
        (
            PORTKEY_OPENAI,
            (SNAPSHOTS / "portkey" / "general" / "openai.json").read_text(),
            "no pricing entries",
        ),
        # a rate limit answered with 200, at a file of two entries (one record of two: no
        # collapse by count either): its reason names the source's own message
        (PORTKEY_NOMIC, json.dumps(RATE_LIMITED), "answered an error, no entries: 429: Rate limit"),
    ],
    ids=["portkey general config", "rate-limit object"],
)
def test_a_portkey_file_of_no_pricing_entries_is_that_urls_failure(
    epoch2: Path, tmp_path: Path, url: str, answer: str, named: str
) -> None:
    db = copy_catalog(epoch2, tmp_path / "catalog.db")
    assert listed(db, "portkey", "openai") > 0 and not absent(db, "portkey")
    world = fault_world(tmp_path, {url: {"body": answer}})
    run_id = replayed_run(db, world, SOURCES)
    status, reason = report(db, run_id, "portkey")
    assert status == "partial", reason
    assert url in reason and named in reason
    assert absent(db, "portkey") == []
    assert report(db, run_id, "openai-page")[0] == "ok"


@pytest.mark.parametrize(
    "path", sorted((SNAPSHOTS / "portkey" / "pricing").glob("*.json")), ids=lambda p: p.name
)
def test_every_recorded_portkey_pricing_file_is_a_listing(path: Path) -> None:
    """The rule refuses no real pricing file (sagemaker.json and segmind.json hold only their
    `default` entry)."""
    page = portkey.parse(path.read_bytes(), f"https://configs.portkey.ai/pricing/{path.name}")
    assert page.records


# --- one provider of a catalog of providers, of another shape -------------------------------

MODELSDEV = "catalogs/models-dev.api.2026-06-13.jq-sorted.json"
GENAI = "genai-prices/v2/data.json"


def modelsdev_with(provider: str, value: Any) -> bytes:
    document = json.loads(snapshot(MODELSDEV))
    if value is DROP:
        del document[provider]["models"]
    else:
        document[provider]["models"] = {} if value is EMPTY else value
    return json.dumps(document).encode()


def genai_with(index: int, value: Any) -> bytes:
    document = json.loads(snapshot(GENAI))
    if value is DROP or value is EMPTY:
        document[index] = {**document[index], "models": None if value is DROP else []}
    else:
        document[index] = value
    return json.dumps(document).encode()


DROP = object()
# a fault round: a provider's models emptied ({} on models.dev, [] on genai-prices) read as a
# provider that had withdrawn every model (48 items narrowed)
EMPTY = object()
SHAPES = [None, [], "openai", DROP, EMPTY]
SHAPE_IDS = ["null", "list", "text", "missing", "empty"]


@cache
def healthy(source: str, path: str) -> Any:
    return read(source, snapshot(path))


@pytest.mark.parametrize("value", SHAPES, ids=SHAPE_IDS)
def test_a_modelsdev_provider_without_models_is_that_providers_problem(value: Any) -> None:
    """One provider of 100 whose `models` is of another shape failed the whole catalog: the
    provider is quarantined by name and every other provider is read as recorded."""
    found = read("modelsdev", modelsdev_with("openai", value))
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    [problem] = [p for p in found.problems if p.rule == "provider without models"]
    assert problem.record == "openai"
    recorded = healthy("modelsdev", MODELSDEV).valid
    kept = [o for o in recorded if o.route != "openai"]
    assert sorted(map(str, found.valid)) == sorted(map(str, kept))
    assert kept and len(kept) < len(recorded)


@pytest.mark.parametrize("value", SHAPES, ids=SHAPE_IDS)
def test_a_genai_prices_provider_without_models_is_that_providers_problem(value: Any) -> None:
    route = json.loads(snapshot(GENAI))[3]["id"]
    found = read("genai-prices", genai_with(3, value))
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    [problem] = [p for p in found.problems if p.rule == "provider without models"]
    assert problem.record in (route, "providers[3]")
    recorded = healthy("genai-prices", GENAI).valid
    kept = [o for o in recorded if o.record.split("/")[0] != route]
    assert sorted(map(str, found.valid)) == sorted(map(str, kept))
    assert kept and len(kept) < len(recorded)


@pytest.mark.parametrize(("source", "path"), [("modelsdev", MODELSDEV), ("genai-prices", GENAI)])
def test_a_catalog_of_no_provider_with_models_is_unparsable(source: str, path: str) -> None:
    assert read(source, json.dumps(RATE_LIMITED).encode()).unparsable
    document = json.loads(snapshot(path))
    if source == "modelsdev":
        broken: Any = {name: {**p, "models": None} for name, p in document.items()}
    else:
        broken = [{**p, "models": None} for p in document]
    found = read(source, json.dumps(broken).encode())
    assert "in any provider" in found.unparsable


MODELSDEV_URL = "https://models.dev/api.json"


def test_a_provider_without_models_makes_the_listing_partial(epoch2: Path, tmp_path: Path) -> None:
    """Through the real flow, after epoch-2: models.dev with its `openai` provider's models
    turned null. The other providers' values apply; the listing is partial, so none of the
    provider's models counts absent (three such runs would have proposed removing them all)."""
    db = copy_catalog(epoch2, tmp_path / "catalog.db")
    assert listed(db, "modelsdev", "openai") > 0
    world = fault_world(
        tmp_path, {MODELSDEV_URL: {"body": modelsdev_with("openai", None).decode()}}
    )
    run_id = replayed_run(db, world, SOURCES)
    status, reason = report(db, run_id, "modelsdev")
    assert status == "partial", reason
    assert reason == "listing incomplete: provider without models: openai"
    assert absent(db, "modelsdev") == []


OPENAI_PAGE = "https://platform.openai.com/docs/pricing"
FIRST_RUN = 2**15  # SQLite run ids start at 32,768 (migration 0010)


def test_rows_split_from_their_header_make_the_page_listing_partial(
    epoch2: Path, tmp_path: Path
) -> None:
    """Through the real flow, after epoch-2: OpenAI's page with its embeddings table split by a
    banner before text-embedding-3-large, the rows below it left without a header. Those two
    models are listed nowhere else on the page: read as a complete listing, each counted absent
    (three such runs open a 'missing' item). The listing is partial instead, its other values
    applied; the recorded page's 7 prices not tied to a model left it complete."""
    db = copy_catalog(epoch2, tmp_path / "catalog.db")
    assert report(db, FIRST_RUN, "openai-page")[0] == "ok"
    assert listed(db, "openai-page", "openai") > 0 and not absent(db, "openai-page")
    _, broken, count = split_by_banner(
        "openai-pricing.2025-12-17.llmdocs.md", "| text-embedding-3-large |", html=False
    )
    assert count == 2
    run_id = replayed_run(db, fault_world(tmp_path, {OPENAI_PAGE: {"body": broken}}), SOURCES)
    status, reason = report(db, run_id, "openai-page")
    assert status == "partial", reason
    assert reason.startswith("listing incomplete: row without its header: 2 rows (table ")
    assert "text-embedding-3-large" in reason
    assert absent(db, "openai-page") == []
