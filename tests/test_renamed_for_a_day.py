"""What a source stated for a day under a name written otherwise leaves nothing behind once it
writes the name right again, though a record of the model is read with a problem every day.

Fault round 39: OpenRouter's ids upper-cased for a day ("google/GEMINI-3.1-PRO-PREVIEW:BATCH")
read the batch prices as fields of another variant. The next clean day, OpenRouter named
gemini-3.1-pro-preview in a record read with a problem (its image price is implausible for its
unit, as on every day): the fields it states nothing of now were taken for fields the problem
hid, and the day's misread fields stood as last stated, so the 49-field proposal and the
anomaly quoting them stayed open after two clean days. A problem hides what its records stated
under the names they give, not what another spelling of the name stated.

OpenRouter's epoch-2 listings into an empty catalog under review; then the same listings with
that model's batch id written "google/GEMINI-3.1-PRO-PREVIEW:BATCHED" (a suffix no source
uses: its prices become fields of a variant of their own); then epoch-2 again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.tables import review_items
from tests.conftest import WORLDS
from tests.test_fault_worlds import OR_ALL, OR_MODELS
from tests.worlds import (
    epoch2_under_review,
    fault_world,
    recorded_text,
    replayed_run,
    reported,
    review_rows,
)

pytestmark = pytest.mark.integration

SOURCES = ["openrouter"]
MODEL = "gemini-3.1-pro-preview"
BATCH_ID = '"google/gemini-3.1-pro-preview:batch"'


def open_items(db: str) -> set[tuple[str, str]]:
    """(kind, fingerprint) of the open items about the model on OpenRouter's route."""
    r = review_items.c
    rows = review_rows(
        db, (r.kind, r.fingerprint), r.status == "open", r.model == MODEL, r.route == "openrouter"
    )
    return {(row.kind, row.fingerprint) for row in rows}


def test_fields_read_under_a_misspelt_name_do_not_outlast_it(
    prefect_api: None, tmp_path: Path
) -> None:
    db = epoch2_under_review(tmp_path, SOURCES)
    before = open_items(db)
    assert "anomaly" in {kind for kind, _ in before}  # a record of it read with a problem
    renamed = {}
    for url in (OR_MODELS, OR_ALL):
        body = recorded_text(url)
        assert body.count(BATCH_ID) == 1
        renamed[url] = {"body": body.replace(BATCH_ID, '"google/GEMINI-3.1-PRO-PREVIEW:BATCHED"')}
    fault = replayed_run(db, fault_world(tmp_path, renamed), SOURCES)
    assert reported(db, fault)["openrouter"][0] == "ok"
    assert open_items(db) != before  # the misread fields were proposed
    clean = replayed_run(db, WORLDS / "epoch-2.json", SOURCES)
    assert reported(db, clean)["openrouter"] == ("ok", "")
    assert open_items(db) == before
