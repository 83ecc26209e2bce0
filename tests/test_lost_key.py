"""A limit a listing states for no model was lost by the listing, not by its models.

Fault round 52: both OpenRouter listings answered with `context_length` null in every entry (or
0, or the key renamed `context_window`), everything else as recorded. Read as every model's
context window gone, 116 new-model and new-value items were rewritten without OpenRouter's
context windows and 18 disagreements opened from models.dev beside OpenRouter's own open
proposals, to be reopened and closed again the next day. Vercel's listing with every
`context_window` and `max_tokens` null did the same (28 items), and models.dev's with every
model's `limit` renamed `limits` rewrote 3,046 items. A key that no record of a listing of
`parsing.LOST_AFTER` records or more states a value of is each record's problem
(spiders/parsing.py `mark_lost_keys`): its field stands as last stated, and the items stay as
they were.

OpenRouter, Vercel and models.dev, epoch-2 into an empty catalog under review, then epoch-2
with one listing broken so (made here from the recorded listings). Refreshes through the real
flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spiders import modelsdev, openrouter, parsing, vercel
from tests.conftest import copy_catalog
from tests.test_withdrawn_statement import items
from tests.worlds import epoch2_under_review, fault_world, recorded_text, replayed_run, reported

pytestmark = pytest.mark.integration

SOURCES = ["openrouter", "vercel", "modelsdev"]
OPENROUTER = (
    "https://openrouter.ai/api/v1/models",
    "https://openrouter.ai/api/v1/models?output_modalities=all",
)
VERCEL = "https://ai-gateway.vercel.sh/v1/models"
MODELSDEV = "https://models.dev/api.json"


def _context_lengths(url: str, written: str) -> str:
    """The recorded OpenRouter listing at `url` with every entry's context_length `written`
    so: null, 0, or its key renamed context_window."""
    listing = json.loads(recorded_text(url))
    for entry in listing["data"]:
        value = entry.pop("context_length", None)
        if written == "renamed":
            entry["context_window"] = value
        else:
            entry["context_length"] = None if written == "null" else 0
    return json.dumps(listing)


def _vercel_limits_null() -> str:
    listing = json.loads(recorded_text(VERCEL))
    for entry in listing["data"]:
        entry.update(context_window=None, max_tokens=None)
    return json.dumps(listing)


def _modelsdev_limit_renamed() -> str:
    document = json.loads(recorded_text(MODELSDEV))
    for provider in document.values():
        for model in provider["models"].values():
            if "limit" in model:
                model["limits"] = model.pop("limit")
    return json.dumps(document)


BROKEN: dict[str, Callable[[], dict[str, str]]] = {
    "openrouter renamed": lambda: {url: _context_lengths(url, "renamed") for url in OPENROUTER},
    "vercel null": lambda: {VERCEL: _vercel_limits_null()},
    "modelsdev renamed": lambda: {MODELSDEV: _modelsdev_limit_renamed()},
}


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lost")
    epoch2_under_review(tmp_path_factory, folder, SOURCES)
    return folder / "catalog.db"


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_limit_no_record_states_changes_no_item(epoch2: Path, tmp_path: Path, case: str) -> None:
    db = copy_catalog(epoch2, tmp_path / "lost.db")
    before = items(db)
    broken = {url: {"body": body} for url, body in BROKEN[case]().items()}
    run_id = replayed_run(db, fault_world(tmp_path, broken), SOURCES)
    assert {s: status for s, (status, _) in reported(db, run_id).items()} == dict.fromkeys(
        SOURCES, "ok"
    )
    assert items(db) == before


def _lost(parser: Any, body: str, url: str) -> set[tuple[str, str]]:
    """The fields a source's reader finds lost in `body` read as its listing: (record, field)."""
    page = parser.parse(body.encode(), url)
    return {
        (p.record, p.field)
        for record in page.records
        for p in parser.normalize(record).problems
        if p.rule == parsing.LOST_KEY
    }


@pytest.mark.parametrize("written", ["null", "0", "renamed"])
def test_only_a_key_no_record_states_is_lost(written: str) -> None:
    """The recorded listings lose no key (many OpenRouter entries state no
    `max_completion_tokens`: none is lost while one does); with no entry stating its context
    length (null, 0 or the key renamed in every one), every entry's is lost, but not in a
    listing too short to tell, nor once one entry states it again. (A refresh of the renamed
    listing, above, keeps every item.)"""
    for parser, url in ((openrouter, OPENROUTER[0]), (vercel, VERCEL), (modelsdev, MODELSDEV)):
        assert _lost(parser, recorded_text(url), url) == set(), url
    lost = json.loads(_context_lengths(OPENROUTER[0], written))["data"]
    assert _lost(openrouter, json.dumps({"data": lost}), OPENROUTER[0]) == {
        (entry["id"], "context_length") for entry in lost
    }
    short = {"data": lost[: parsing.LOST_AFTER - 1]}
    assert _lost(openrouter, json.dumps(short), OPENROUTER[0]) == set()
    lost[0]["context_length"] = 131072
    assert _lost(openrouter, json.dumps({"data": lost}), OPENROUTER[0]) == set()
