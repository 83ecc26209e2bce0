"""A block of token limits moved onto another limit's value proposes no change.

Fault round 60, from the price-map reports of one key's values copied over another's: LiteLLM's
recorded map with every entry's `max_input_tokens` at its `max_output_tokens`. Onto an
epoch-1 catalog it opened 592 limit changes a reviewer could approve (anthropic/claude-3-opus
max_input_tokens 200000 -> 4096): most of those fields no other source states, so the rule
that a value only secondary sources vouch for moves only with more sources stating the new
value than the old did not hold them. Limits alike are common in the real map (LiteLLM states
every deepinfra model's input and output limits as one), so the response alone says nothing;
most of a source's moved limits of one component landing on another limit's value is a block
copied, set aside (catalog/intake.py `limits_at_another`).

The variant is made here from the recorded epoch-2 map.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.intake import LIMITS_AT_ANOTHER_RULE, SWAP_BLOCK
from catalog.tables import catalog_values, review_items
from tests.conftest import copy_catalog, replayed_catalog
from tests.worlds import fault_world, quarantined, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

LITELLM = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)
CHANGE = re.compile(r" max_input_tokens(?: \([^)]*\))?: (\d+) → (\d+) tokens")


def input_limits_at_outputs(body: str) -> str:
    """The map with each entry's most input tokens at its most output tokens."""
    doc = json.loads(body)
    for entry in doc.values():
        if (
            isinstance(entry, dict)
            and entry.get("max_input_tokens")
            and entry.get("max_output_tokens")
        ):
            entry["max_input_tokens"] = entry["max_output_tokens"]
    return json.dumps(doc)


def output_limits(db: str) -> dict[tuple[str, str], set[Decimal]]:
    """Every model's most output tokens in force, by (route, model)."""
    c = catalog_values.c
    found: dict[tuple[str, str], set[Decimal]] = {}
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(c.route, c.model, c.value).where(
                c.valid_to.is_(None), c.component == "max_output_tokens"
            )
        )
        for route, model, value in rows:
            found.setdefault((route, model), set()).add(Decimal(value))
    return found


def test_input_limits_copied_from_outputs_propose_no_change(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    loaded = replayed_catalog(tmp_path_factory, [("epoch-1", ["litellm"], True)])
    db = copy_catalog(loaded, tmp_path / "catalog.db")
    body = input_limits_at_outputs(recorded_text(LITELLM))
    run = replayed_run(db, fault_world(tmp_path, {LITELLM: {"body": body}}), ["litellm"])
    outputs = output_limits(db)
    r = review_items.c
    changes = review_rows(
        db, (r.route, r.model, r.title), r.run_id == run, r.kind == "price_change"
    )
    at_output = [
        title
        for route, model, title in changes
        if (moved := CHANGE.search(title)) is not None
        and Decimal(moved.group(2)) in outputs.get((route, model), set())
    ]
    assert at_output == [], (len(at_output), at_output[:5])
    assert len(quarantined(db, run, LIMITS_AT_ANOTHER_RULE)) >= 100


def test_limits_restated_beside_another_sources_value_in_force_are_no_move(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """A move is the source's own: LiteLLM states each deepinfra model's input and output limits
    as one (8 such output limits in force after the recorded epoch-2 map). Where the catalog
    holds another value of them (here a tenth of LiteLLM's, as another source's accepted value
    would be), the same map read again (its JSON written anew, so that it is read) moved
    nothing. Judged against the catalog's values, all 8 were set aside on every read as 'at
    another limit's value', and LiteLLM's limits there could never count for a change."""
    loaded = replayed_catalog(tmp_path_factory, [("epoch-2", ["litellm"], True)])
    db = copy_catalog(loaded, tmp_path / "catalog.db")
    c = catalog_values.c
    with store.connect(db).begin() as conn:
        rows = conn.execute(
            select(c.id, c.value).where(
                c.valid_to.is_(None), c.route == "deepinfra", c.component == "max_output_tokens"
            )
        ).all()
        for row_id, value in rows:
            tenth = str(Decimal(value) // 10)
            conn.execute(catalog_values.update().where(c.id == row_id).values(value=tenth))
    assert len(rows) >= SWAP_BLOCK  # a block's size: enough to be judged one
    body = json.dumps(json.loads(recorded_text(LITELLM)))
    run = replayed_run(db, fault_world(tmp_path, {LITELLM: {"body": body}}), ["litellm"])
    assert quarantined(db, run, LIMITS_AT_ANOTHER_RULE) == []
