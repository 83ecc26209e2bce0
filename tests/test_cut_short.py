"""A page cut short at a line break is no evidence; a page that loses a few rows at its end is.

A transfer that stops at a line break leaves a Markdown page that parses: every table before
the cut whole, every model after it missing. OpenAI's page cut at the line break before 60% of
its bytes read as a complete listing of 116 of its 195 records: new-model items narrowed or
closed for the models past the cut, disagreements quoted from what was left. A body that is the
first bytes of the one the same URL gave in the source's last applied run, and at most
`health.CUT_SHARE` of it, is cut short now (catalog/health.py): the source is broken that day and
changes nothing. The same page with its last two rows dropped (an edit: a page retiring its last
models loses a small part of its end) reads as any answer. So is a JSON document holding the
first records of the one the URL gave, closed so that it parses (fault round 52: LiteLLM's map
ending after three quarters of its entries, a quarter too few for a collapsed listing, was read
whole, and some 200 items were narrowed, closed and opened again the next day).

OpenAI's page and LiteLLM (who state the same models), epoch-2 into an empty catalog under
review, then epoch-2 with the page cut or trimmed (made here from the recorded page). Refreshes
through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog import health
from tests.conftest import copy_catalog
from tests.test_withdrawn_statement import items
from tests.worlds import epoch2_under_review, fault_world, recorded_text, replayed_run, reported

pytestmark = pytest.mark.integration

SOURCES = ["openai-page", "litellm"]
PAGE = "https://platform.openai.com/docs/pricing"
LAST_ROWS = "| davinci-002 | $2.00 | $2.00 |\n| babbage-002 | $0.40 | $0.40 |"
MAP = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"


def _first_entries(share: float) -> str:
    """LiteLLM's recorded map holding only its first `share` of entries, closed so it parses."""
    document = json.loads(recorded_text(MAP))
    keys = list(document)
    return json.dumps({key: document[key] for key in keys[: int(len(keys) * share)]}, indent=4)


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cut")
    epoch2_under_review(tmp_path_factory, folder, SOURCES)
    return folder / "catalog.db"


def test_a_page_cut_at_a_line_break_changes_nothing(epoch2: Path, tmp_path: Path) -> None:
    db = copy_catalog(epoch2, tmp_path / "cut.db")
    before = items(db)
    page = recorded_text(PAGE)
    cut = page[: page.rindex("\n", 0, len(page) * 6 // 10) + 1]
    assert cut.endswith("|\n")  # after a whole table row: the tables before it read whole
    run_id = replayed_run(db, fault_world(tmp_path, {PAGE: {"body": cut}}), SOURCES)
    status, reason = reported(db, run_id)["openai-page"]
    assert status == "broken"
    whole = len(page.encode())
    assert reason == (
        f"{PAGE}: cut short (its {len(cut.encode())} bytes are the first of the {whole} "
        "it answered when last applied)"
    )
    assert items(db) == before


def test_a_page_that_drops_its_last_rows_is_read(epoch2: Path, tmp_path: Path) -> None:
    db = copy_catalog(epoch2, tmp_path / "trimmed.db")
    page = recorded_text(PAGE)
    assert page.endswith(LAST_ROWS)
    trimmed = page.removesuffix(LAST_ROWS).rstrip("\n")
    assert len(trimmed) > len(page) * health.CUT_SHARE and page.startswith(trimmed)
    run_id = replayed_run(db, fault_world(tmp_path, {PAGE: {"body": trimmed}}), SOURCES)
    assert reported(db, run_id)["openai-page"] == ("ok", "")


def test_a_json_map_closed_after_its_first_entries_changes_nothing(
    epoch2: Path, tmp_path: Path
) -> None:
    db = copy_catalog(epoch2, tmp_path / "closed.db")
    before = items(db)
    closed = _first_entries(0.75)
    run_id = replayed_run(db, fault_world(tmp_path, {MAP: {"body": closed}}), SOURCES)
    status, reason = reported(db, run_id)["litellm"]
    assert status == "broken"
    whole = len(recorded_text(MAP).encode())
    assert reason == (
        f"{MAP}: cut short (its {len(closed.encode())} bytes hold the first records of the "
        f"{whole} it answered when last applied, closed so that they parse)"
    )
    assert items(db) == before


def test_only_a_documents_first_records_are_its_start() -> None:
    """Its first entries closed are a cut; its last entries, or its first with one value
    changed, are another document (an edit), and so is the whole map written otherwise."""
    whole = recorded_text(MAP).encode()
    assert health.closed_early(_first_entries(0.75).encode(), whole)
    document = json.loads(whole)
    keys = list(document)
    tail = {key: document[key] for key in keys[len(keys) // 4 :]}
    assert not health.closed_early(json.dumps(tail).encode(), whole)
    edited = json.loads(_first_entries(0.75))
    edited[keys[0]] = {**edited[keys[0]], "max_tokens": 1}
    assert not health.closed_early(json.dumps(edited).encode(), whole)
    assert not health.closed_early(json.dumps(document).encode(), whole)
