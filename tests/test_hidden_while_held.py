"""A field an unreadable cell hid stands as its source last stated it while the source is held,
as it does the day the source is read.

OpenAI's page and OpenRouter's listings of epoch-2 are read into an empty catalog under review:
OpenRouter's cache-read prices of OpenAI's models that differ from OpenAI's own open anomalies
(routes that must match). Then OpenAI's page comes with its "Cached input" column renamed
"Cache reads": its cells are quarantined (an unknown column), the fields they stated stand as
last stated, and the anomalies stay. The next day the page's same bytes are confirmed unchanged
while OpenRouter's listing is read again (re-indented, the same statements): the cache reads it
had stated were forgotten, the anomalies closed as no longer raised, and they reopened the next
clean day (fault round 38, F3).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.tables import review_items
from tests.test_fault_worlds import OR_MODELS
from tests.worlds import (
    epoch2_under_review,
    fault_world,
    recorded_text,
    replayed_run,
    reported,
    review_rows,
)

pytestmark = pytest.mark.integration

SOURCES = ["openai-page", "openrouter"]
OPENAI_PAGE = "https://platform.openai.com/docs/pricing"


def test_a_field_a_problem_hid_stands_while_its_source_is_confirmed_unchanged(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_under_review(tmp_path_factory, tmp_path, SOURCES)
    r = review_items.c
    quoted = [
        row.id
        for row in review_rows(db, (r.id, r.title), r.status == "open", r.kind == "anomaly")
        if "cache_read" in row.title and "openai's own price" in row.title
    ]
    assert quoted
    page = recorded_text(OPENAI_PAGE)
    assert page.count("| Cached input |") > 3
    renamed = {OPENAI_PAGE: {"body": page.replace("| Cached input |", "| Cache reads |")}}
    first = replayed_run(db, fault_world(tmp_path, renamed), SOURCES)
    assert reported(db, first)["openai-page"][0] == "ok"
    reindented = {OR_MODELS: {"body": json.dumps(json.loads(recorded_text(OR_MODELS)), indent=1)}}
    second = replayed_run(db, fault_world(tmp_path, {**renamed, **reindented}), SOURCES)
    status, reason = reported(db, second)["openai-page"]
    assert status == "ok" and reason.startswith(f"unchanged since run {first} ")
    still = review_rows(db, (r.id,), r.id.in_(quoted), r.status == "open")
    assert [row.id for row in still] == quoted
