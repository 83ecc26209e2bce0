"""A secondary that stops stating a model, read in full, leaves one open proposal per field: the
other sources' proposal about the model supersedes the item that cited the secondary too.

LiteLLM's and Portkey's epoch-2 answers are read into an empty catalog under review: each model
both state opens one new-model item, citing both for the fields both state at one value. The
next day LiteLLM's map no longer has the entries that stated some of those models (taken out of
the recorded map). Portkey states them as before and proposes its fields alone; the item citing
LiteLLM stayed open beside it, still quoting LiteLLM's values (fault round 36: 30 fields on 10
models).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from catalog.store import AGAINST_CATALOG_TEXT
from catalog.tables import review_items
from tests.worlds import epoch2_under_review, fault_world, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

SOURCES = ["litellm", "portkey"]
LITELLM = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)
# how many of the models both state lose LiteLLM's entries that stated them (LiteLLM still states
# some of them by other entries: a dated name, another provider's key)
DROPPED = 12


def open_fields(db: str) -> Counter[tuple[str, ...]]:
    """How many open items propose on each field of `db` against the catalog (route, model,
    kind, component, unit, dimensions)."""
    r = review_items.c
    counts: Counter[tuple[str, ...]] = Counter()
    proposing = (r.status == "open", r.kind.in_(AGAINST_CATALOG_TEXT))
    for row in review_rows(db, (r.route, r.model, r.changes), *proposing):
        for change in row.changes:
            dims = json.dumps(change["dimensions"], sort_keys=True)
            counts[
                (row.route, row.model, change["kind"], change["component"], change["unit"], dims)
            ] += 1
    return counts


def test_a_model_a_secondary_no_longer_states_has_one_open_proposal(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_under_review(tmp_path_factory, tmp_path, SOURCES)
    r = review_items.c
    # new-model items with a field both state (the same value: one item proposes it)
    both = [
        row
        for row in review_rows(
            db,
            (r.id, r.route, r.model, r.changes),
            r.status == "open",
            r.kind == "new_model",
        )
        if any([s["source"] for s in change["sources"]] == SOURCES for change in row.changes)
    ]
    dropped = both[:DROPPED]
    # each entry of LiteLLM's map that stated one of their fields (its evidence: "key: field=...")
    keys = {
        s["evidence"].split(": ", 1)[0]
        for row in dropped
        for change in row.changes
        for s in change["sources"]
        if s["source"] == "litellm"
    }
    stated = json.loads(recorded_text(LITELLM))
    assert keys <= set(stated)
    without = {key: entry for key, entry in stated.items() if key not in keys}
    world = fault_world(tmp_path, {LITELLM: {"body": json.dumps(without, indent=4)}})
    run_id = replayed_run(db, world, SOURCES)

    assert max(open_fields(db).values()) == 1
    now = {
        (row.route, row.model): row
        for row in review_rows(
            db, (r.route, r.model, r.sources, r.changes, r.run_id), r.status == "open"
        )
    }
    # the models LiteLLM states nothing of now: Portkey's fields alone, each citing Portkey alone
    gone = [row for row in dropped if "litellm" not in now[row.route, row.model].sources]
    assert len(gone) >= DROPPED // 2
    for row in gone:
        [(status, reason)] = review_rows(db, (r.status, r.reason), r.id == row.id)
        assert (status, reason) == (
            "superseded",
            "superseded by a newer proposal about the same thing",
        )
        item = now[row.route, row.model]
        assert (item.run_id, item.sources) == (run_id, ["portkey"])
        assert 0 < len(item.changes) < len(row.changes)
