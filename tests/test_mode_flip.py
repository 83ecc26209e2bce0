"""A record whose only problem is a limit written as 0 hides nothing of its model.

Fault round 45 (F9): Vercel's listing giving openai/gpt-image-1-mini `type: "language"` for a
day (and gpt-4o-mini `"image"`) opened new-model and new-value items proposing mode=chat. The
next day Vercel gave the recorded types again, but gpt-image-1-mini's record carries an
unrelated problem every day (its context window of 0, "a limit of 0 is unknown"), so every field
Vercel stated nothing of stood as last stated: mode=chat and the text output stood beside what
it stated again, and the day's item stayed open for good in place of the clean week's. A limit
written as 0 is a placeholder that states no value and hides none: such a record does not name
its model with a problem.

Vercel's epoch-2 answer is read into an empty catalog under review, then the type-flipped
answer (made here from the recorded one), then the recorded answer again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.tables import review_items
from tests.worlds import epoch2_under_review, fault_world, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

SOURCES = ["vercel"]
VERCEL = "https://ai-gateway.vercel.sh/v1/models"
FLIPPED = {"openai/gpt-image-1-mini": "language", "openai/gpt-4o-mini": "image"}


def test_a_type_stated_for_a_day_stands_no_more_once_the_source_is_right_again(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_under_review(tmp_path_factory, tmp_path, SOURCES)
    r = review_items.c
    columns = (r.kind, r.route, r.model, r.fingerprint)
    clean = set(review_rows(db, columns, r.status == "open"))
    document = json.loads(recorded_text(VERCEL))
    models = [m for m in document["data"] if m["id"] in FLIPPED]
    assert len(models) == 2 and {m["type"] for m in models} == {"image", "language"}
    for model in models:
        model["type"] = FLIPPED[model["id"]]
    replayed_run(db, fault_world(tmp_path, {VERCEL: {"body": json.dumps(document)}}), SOURCES)
    flipped = set(review_rows(db, columns, r.status == "open"))
    assert {row[2] for row in flipped - clean} == {"gpt-image-1-mini", "gpt-4o-mini"}
    replayed_run(db, fault_world(tmp_path, {}), SOURCES)
    assert set(review_rows(db, columns, r.status == "open")) == clean
