"""A limit an OpenRouter listing states for no model was lost by the listing, not its models.

Fault round 52: both OpenRouter listings answered with `context_length` null in every entry (or
0, or the key renamed `context_window`), everything else as recorded. Read as every model's
context window gone, 116 new-model and new-value items were rewritten without OpenRouter's
context windows and 18 disagreements opened from models.dev beside OpenRouter's own open
proposals, to be reopened and closed again the next day. A limit that no entry of a listing of
`openrouter.LOST_AFTER` entries or more states a value of is each entry's problem
(spiders/openrouter.py `_mark_lost_limits`): it stands as last stated, and the items stay as
they were.

OpenRouter and models.dev, epoch-2 into an empty catalog under review, then epoch-2 with both
OpenRouter listings broken so (made here from the recorded listings). Refreshes through the
real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from spiders import openrouter
from tests.conftest import copy_catalog
from tests.test_withdrawn_statement import items
from tests.worlds import epoch2_under_review, fault_world, recorded_text, replayed_run, reported

pytestmark = pytest.mark.integration

SOURCES = ["openrouter", "modelsdev"]
LISTINGS = (
    "https://openrouter.ai/api/v1/models",
    "https://openrouter.ai/api/v1/models?output_modalities=all",
)


def _every_entry(url: str, written: str) -> str:
    """The recorded listing at `url` with every entry's context_length `written` so: null, 0,
    or its key renamed context_window."""
    listing = json.loads(recorded_text(url))
    for entry in listing["data"]:
        value = entry.pop("context_length", None)
        if written == "renamed":
            entry["context_window"] = value
        else:
            entry["context_length"] = None if written == "null" else 0
    return json.dumps(listing)


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lost")
    epoch2_under_review(folder, SOURCES)
    return folder / "catalog.db"


@pytest.mark.parametrize("written", ["null", "0", "renamed"])
def test_a_limit_no_entry_states_changes_no_item(
    epoch2: Path, tmp_path: Path, written: str
) -> None:
    db = copy_catalog(epoch2, tmp_path / "lost.db")
    before = items(db)
    broken = {url: {"body": _every_entry(url, written)} for url in LISTINGS}
    run_id = replayed_run(db, fault_world(tmp_path, broken), SOURCES)
    assert reported(db, run_id)["openrouter"] == ("ok", "")
    assert items(db) == before


def _problems(entries: list[Any]) -> set[tuple[str, str]]:
    """The limits OpenRouter's reader finds lost in `entries` read as one listing: (entry,
    field)."""
    page = openrouter.parse(json.dumps({"data": entries}).encode(), LISTINGS[0])
    return {
        (p.record, p.field)
        for record in page.records
        for p in openrouter.normalize(record).problems
        if p.rule == openrouter.LOST_LIMIT
    }


def test_only_a_limit_no_entry_states_is_lost() -> None:
    """The recorded listing loses no limit (many entries state no `max_completion_tokens`, none
    is lost while one does); with no entry stating its context length, every entry's is lost;
    with one entry stating it again, the others state none, as recorded entries do."""
    entries = json.loads(recorded_text(LISTINGS[0]))["data"]
    assert _problems(entries) == set()
    lost = json.loads(_every_entry(LISTINGS[0], "null"))["data"]
    assert _problems(lost) == {(entry["id"], "context_length") for entry in lost}
    assert _problems(lost[: openrouter.LOST_AFTER - 1]) == set()  # too few to tell
    lost[0]["context_length"] = entries[0]["context_length"]
    assert _problems(lost) == set()
