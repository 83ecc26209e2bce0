"""One response of a source of several that is a body of another file is refused whole.

Two fault rounds' kinds, OpenRouter alone (epoch-2 into an empty catalog under review twice,
then the broken world), through the real flow (Scrapy over loopback HTTP, a real Prefect API,
SQLite).

A fault round served Vercel's recorded listing at OpenRouter's models URL. The two share their
envelope ({"data": [...]}) and some price keys, so OpenRouter's parser read Vercel's cache and
web-search prices as OpenRouter's own while it quarantined every record's prompt and completion
prices; OpenRouter's other listing (every modality) kept the source's share of quarantined
fields low, and the source read as `ok`: under review, new-model items and price changes citing
OpenRouter as official for values only Vercel states, a "verified by openrouter" stamp on a
model neither of OpenRouter's listings names. A response with more fields quarantined than
prices read is refused whole now (catalog/normalize.py `refused_responses`): the source is
`partial` (no absence counted), its records' problems are quarantined and reported, and the
response opens nothing.

OpenRouter's listing of every modality answering its main listing's bytes (a cache keyed
without the query) read as `ok`: the image, embedding and audio models it alone lists turned
absent, and their new-model items were narrowed. A URL answering the bytes another URL of its
source answers, where the two differed when last applied, is no evidence now (catalog/health.py
`copies`).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog import store
from catalog.normalize import draft_source
from catalog.tables import quarantine, source_runs
from schemas.fetch import FetchedPage
from schemas.sources import sources
from tests.conftest import WORLDS
from tests.test_withdrawn_statement import items
from tests.worlds import (
    epoch2_under_review,
    fault_world,
    recorded_text,
    replayed,
    replayed_run,
    reported,
)

SOURCES = ["openrouter"]
MODELS = "https://openrouter.ai/api/v1/models"
VERCEL = "https://ai-gateway.vercel.sh/v1/models"
EVERY = "https://openrouter.ai/api/v1/models?output_modalities=all"
PORTKEY = "https://configs.portkey.ai/pricing/"


def vercel_as_large() -> str:
    """Vercel's recorded listing with each model listed twice more under ids of its own: as
    many records as OpenRouter's listing usually has (Vercel's 258 at a URL usually answering
    414 is a collapsed listing, refused before it is read: catalog/health.py), and no `created`
    date (Vercel's date its models before the newest OpenRouter listed, and a listing whose
    newest entry is older than the last evidence's is held before it is read: catalog/health.py
    `_listed_before`, tests/test_older_listing.py)."""
    document = json.loads(recorded_text(VERCEL))
    models = [{k: v for k, v in m.items() if k != "created"} for m in document["data"]]
    copies = [{**m, "id": f"{m['id']}-{k}"} for k in (2, 3) for m in models]
    return json.dumps({**document, "data": models + copies})


def fault_day(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, url: str, body: str
) -> tuple[str, int, dict[int, Any]]:
    """OpenRouter alone: epoch-2 into an empty catalog under review twice, then `url`
    answering `body`: the catalog, the fault day's run, and the review items before it."""
    db = epoch2_under_review(tmp_path_factory, tmp_path, SOURCES, days=2)
    before = items(db)
    return db, replayed_run(db, fault_world(tmp_path, {url: {"body": body}}), SOURCES), before


@pytest.mark.integration
def test_a_body_of_another_file_at_one_listing_url_is_refused_whole(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db, run_id, before = fault_day(tmp_path_factory, tmp_path, MODELS, vercel_as_large())

    status, reason = reported(db, run_id)["openrouter"]
    assert status == "partial"
    assert re.fullmatch(
        rf"validation collapse: \d+ fields quarantined against \d+ valid prices "
        rf"\(the response of {re.escape(MODELS)}\)",
        reason,
    ), reason
    assert items(db) == before  # nothing proposed, nothing superseded
    with store.connect(db).connect() as conn:
        kept = conn.execute(
            select(func.count()).where(
                quarantine.c.last_run_id == run_id, quarantine.c.source == "openrouter"
            )
        ).scalar_one()
        counted = conn.execute(
            select(source_runs.c.quarantined).where(
                source_runs.c.run_id == run_id, source_runs.c.source == "openrouter"
            )
        ).scalar_one()
    assert kept > 781  # the refused response's problems are reported beside the other's
    assert counted == kept  # and counted in the source's report


@pytest.mark.integration
def test_a_listing_url_answering_its_siblings_bytes_is_no_evidence(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db, run_id, before = fault_day(tmp_path_factory, tmp_path, EVERY, recorded_text(MODELS))

    assert reported(db, run_id)["openrouter"] == (
        "partial",
        f"{EVERY}: another URL's body (the same bytes as {MODELS})",
    )
    assert items(db) == before


def portkey_page(url: str, body: str) -> FetchedPage:
    parsed = sources()["portkey"].parser.parse(body.encode(), url)
    return FetchedPage(url, url, 200, datetime(2026, 8, 19, tzinfo=UTC), parsed.records)


@pytest.mark.parametrize("broken", [1, 2])
def test_one_records_fields_never_refuse_its_response(broken: int) -> None:
    """A fault round: Portkey's nomic.json (one model) with both prices turned into objects
    made the whole 46-file source partial ("2 fields quarantined against 0 valid prices"):
    one record's fields are quarantined alone, its response read."""
    nomic = "https://configs.portkey.ai/pricing/nomic.json"
    document = json.loads(recorded_text(nomic))
    pay = document["nomic-embed-text-v1"]["pricing_config"]["pay_as_you_go"]
    for price in ("request_token", "response_token")[:broken]:
        pay[price]["price"] = {"value": pay[price]["price"], "unit": "token"}
    other = "https://configs.portkey.ai/pricing/groq.json"
    pages = [portkey_page(nomic, json.dumps(document)), portkey_page(other, recorded_text(other))]
    drafted = draft_source(sources()["portkey"], pages)
    assert not drafted.refused
    assert len([p for p in drafted.problems if p.field is not None]) == broken


def _zeroed(document: dict[str, Any]) -> int:
    """Every price of a Portkey document set to 0 (in place); how many prices that was."""
    count = 0
    sections: list[Any] = list(document.values())
    while sections:
        section = sections.pop()
        if isinstance(section, dict) and set(section) == {"price"}:
            section["price"], count = 0, count + 1
        elif isinstance(section, dict):
            sections.extend(section.values())
    return count


def test_a_zeroed_file_of_a_source_of_several_is_refused_not_read_as_placeholders() -> None:
    """Fault round 30: Portkey's openai.json with every price 0 read as 188 records of the
    fallback's zeros ("every rate zero"), counted neither as zero prices nor as quarantined
    fields: the source was ok and its old openai values stood with no word of why."""
    openai, other = PORTKEY + "openai.json", PORTKEY + "groq.json"
    document = json.loads(recorded_text(openai))
    assert _zeroed(document) > 1000
    pages = [portkey_page(openai, json.dumps(document)), portkey_page(other, recorded_text(other))]
    drafted = draft_source(sources()["portkey"], pages)
    assert set(drafted.refused) == {openai}
    assert drafted.refused[openai].startswith("validation collapse: 188 of 188 records state")
    # the recorded files, whose zero-rate entries are a fifth of a file at most, are read
    deepinfra = PORTKEY + "deepinfra.json"
    pages = [portkey_page(url, recorded_text(url)) for url in (openai, deepinfra, other)]
    assert not draft_source(sources()["portkey"], pages).refused


@pytest.mark.integration
def test_two_files_swapping_bytes_two_days_change_nothing(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """Fault rounds: Portkey's anthropic.json and nebius.json (34 models each, so no count
    rule sees it) answering each other's bytes read as two providers' new models; once
    refused, a second day of it was read (the swapped bytes were each URL's last two
    answers', so its own), and the recorded files the day after were refused as each other's.
    A URL's own body is the one its last answer that was evidence gave."""
    sources = ["portkey"]
    db = epoch2_under_review(tmp_path_factory, tmp_path, sources, days=2)
    before = items(db)
    first, second = PORTKEY + "anthropic.json", PORTKEY + "nebius.json"
    swapped = fault_world(
        tmp_path,
        {first: {"body": recorded_text(second)}, second: {"body": recorded_text(first)}},
    )
    days = (swapped, swapped, WORLDS / "epoch-2.json")
    statuses = [reported(db, replayed_run(db, day, sources))["portkey"][0] for day in days]
    assert statuses == ["partial", "partial", "ok"]
    assert items(db) == before


@pytest.mark.integration
def test_another_files_body_written_otherwise_is_still_its_body(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """A fault round: Portkey's openai.json answering azure-openai.json's file re-indented (a
    mirror that rewrites what it serves) was read as OpenAI's prices: 102 items opened, 5
    still open after the clean day; its exact bytes were refused. One body written otherwise
    (health.canonical, as a return to an earlier body is judged) is that URL's body too."""
    sources = ["portkey"]
    db = epoch2_under_review(tmp_path_factory, tmp_path, sources, days=2)
    before = items(db)
    donor, at = PORTKEY + "azure-openai.json", PORTKEY + "openai.json"
    rewritten = json.dumps(json.loads(recorded_text(donor)), indent=1)
    assert rewritten != recorded_text(donor)

    run_id = replayed_run(db, fault_world(tmp_path, {at: {"body": rewritten}}), sources)

    assert reported(db, run_id)["portkey"] == (
        "partial",
        f"{at}: another URL's body (the same body, written otherwise, as {donor})",
    )
    assert items(db) == before


@pytest.mark.integration
def test_another_files_body_beside_a_failed_listing_is_refused_too(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """Vercel's listing at OpenRouter's models URL the day its other listing answers 500: the
    one response read is refused as it is beside a read one, and the source fails, though
    what the failed listing last stated is counted beside it in judging the source whole (a
    partial source's collapse, catalog/intake.py): nothing is read from another file's body."""
    db = epoch2_under_review(tmp_path_factory, tmp_path, SOURCES, days=2)
    before = items(db)
    world = fault_world(tmp_path, {MODELS: {"body": vercel_as_large()}, EVERY: {"status": 500}})

    state = replayed(db, world, SOURCES)

    assert state.is_failed()  # its one source failed
    run_id = state.result(raise_on_failure=False)

    status, reason = reported(db, run_id)["openrouter"]
    assert status == "failed"
    assert reason.startswith(f"{EVERY}: HTTP 500; validation collapse: ")
    assert reason.endswith(f"valid prices (the response of {MODELS})")
    assert items(db) == before
