"""A listing's token limits written in thousands of tokens are not taken as limits.

Fault round 57: OpenRouter's two recorded listings with every `context_length` (the model's and
its top provider's) in thousands of tokens, 131 for 131072, as a units change would write them.
On a first load (accept-new) 493 context windows entered the catalog verified by OpenRouter at
a thousandth of the real ones, beside models.dev's and LiteLLM's windows in tokens; on a catalog
that held the real ones, 279 price-change items proposed 131072 -> 131 tokens, approvable.

Now a token limit proposed a hundredfold or more off the one in force is an anomaly (as a
tenfold price move is: catalog/compare.py `_limit_slipped`), and a source's block of limits
(one component on one route) most of which stand so far off every other source's, against two
other sources at least, is set aside whole (catalog/intake.py `limits_rescaled`): nothing of it
enters, the fields stand as last stated. Read alone, a record's window a hundredfold below
the output limit it states is set aside by the record (`limits_below_output`).

Both variants are made here from the recorded epoch-2 listings.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.intake import (
    LIMIT_BELOW_OUTPUT_RULE,
    LIMITS_RESCALED_RULE,
    limits_rescaled,
    token_limits_by_field,
)
from catalog.plausibility import limit_jumped
from catalog.tables import catalog_values, quarantine, review_items
from schemas.records import Observation
from schemas.sources import sources
from schemas.vocab import Kind, Unit
from tests.test_fault_kinds import healthy
from tests.worlds import (
    epoch2_loaded,
    fault_world,
    in_force,
    recorded_text,
    replayed_run,
    review_rows,
)

pytestmark = pytest.mark.integration

LISTINGS = sources()["openrouter"].urls  # its two recorded listings


def in_thousands(body: str) -> str:
    """The listing with every context length (the model's and its top provider's) in thousands
    of tokens, the fraction dropped (131072 -> 131)."""
    doc = json.loads(body)
    for model in doc["data"]:
        for holder in (model, model.get("top_provider") or {}):
            if isinstance(holder.get("context_length"), int):
                holder["context_length"] //= 1000
    return json.dumps(doc)


def world(tmp_path: Path) -> Path:
    return fault_world(
        tmp_path, {url: {"body": in_thousands(recorded_text(url))} for url in LISTINGS}
    )


def context_windows(db: str, verified_by: str | None = None) -> dict[str, Decimal]:
    """OpenRouter's context windows in force (those `verified_by` verified, if given), by model
    and dimensions."""
    verified = [] if verified_by is None else [catalog_values.c.verified_by == verified_by]
    return in_force(db, "openrouter", "context_window", *verified)


def test_a_hundredfold_move_of_a_token_limit_is_a_slip() -> None:
    assert limit_jumped(Decimal(131072), Decimal(131))
    assert limit_jumped(Decimal(128), Decimal(128000))
    # the recorded world's largest real move, an output limit set to the context window
    assert not limit_jumped(Decimal(4000), Decimal(256000))
    assert not limit_jumped(Decimal(0), Decimal(128000))


def test_limits_in_thousands_propose_no_change(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", ["openrouter"])
    before = context_windows(db)
    assert before["gpt-5 "] == 400000
    run = replayed_run(db, world(tmp_path), ["openrouter"])
    assert context_windows(db) == before
    i = review_items.c
    changes = review_rows(
        db, (i.kind, i.title), i.run_id == run, i.title.contains("context_window")
    )
    assert {kind for kind, _ in changes} == {"anomaly"}
    # gpt-5's window, 400 beside the 128000 output tokens its record states, is set aside by
    # its record (no other source read this run makes a block of the listing's): an anomaly
    [(kind, detail)] = review_rows(db, (i.kind, i.detail), i.run_id == run, i.model == "gpt-5")
    assert kind == "anomaly" and "context_window = 400 tokens" in detail, detail
    assert LIMIT_BELOW_OUTPUT_RULE in detail


def test_limits_in_thousands_enter_nothing_on_a_first_load(
    prefect_api: None, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    sources = ["openrouter", "modelsdev", "litellm", "genai-prices"]
    run = replayed_run(db, world(tmp_path), sources, accept_new=True)
    assert context_windows(db, verified_by="openrouter") == {}
    q = quarantine.c
    with store.connect(db).connect() as conn:
        aside = conn.execute(
            select(q.record).where(q.last_run_id == run, q.rule == LIMITS_RESCALED_RULE)
        ).all()
    assert len(aside) > 400


def test_one_providers_limits_in_thousands_are_set_aside_where_one_other_source_states_them() -> (
    None
):
    """Fault round h50: LiteLLM's `openai` entries with `max_input_tokens`, `max_output_tokens`
    and `max_tokens` in thousands (8 for gpt-4's 8192) entered 96 limits on a first load. Only
    models.dev states those two fields too, and one other source alone never judges a block;
    but genai-prices and models.dev state each model's context window, a thousandfold above
    the limits. A source stating the model's window so far off the limit, the same way as the
    field's other statements, is a second voice; models.dev alone is still none."""
    litellm = sources()["litellm"].urls[0]
    entries = json.loads(recorded_text(litellm))
    openai = {
        k
        for k, e in entries.items()
        if isinstance(e, dict) and e.get("litellm_provider") == "openai"
    }
    valid = healthy("litellm").valid
    others = {s: token_limits_by_field(healthy(s).valid) for s in ("genai-prices", "modelsdev")}
    assert limits_rescaled(valid, lambda: others) == []

    def in_thousands(o: Observation) -> Observation:
        if o.source_model in openai and o.kind is Kind.LIMIT and o.unit is Unit.TOKENS:
            return replace(o, value=Decimal(int(o.value) // 1000))
        return o

    block = [in_thousands(o) for o in valid]
    moved = {  # those of named models (a name that maps to none is no field of the catalog)
        id(o)
        for o, was in zip(block, valid, strict=True)
        if o.model and o.value and o.value != was.value
    }
    assert len(moved) > 90
    aside = limits_rescaled(block, lambda: others)
    assert {id(p.observation) for p in aside} == moved
    assert all(p.rule == LIMITS_RESCALED_RULE for p in aside)
    assert limits_rescaled(block, lambda: {"modelsdev": others["modelsdev"]}) == []
