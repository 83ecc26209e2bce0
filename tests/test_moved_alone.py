"""One secondary source moving a value the others still state moves nothing in force.

Fault round 58, from the price-map reports of a cache write priced as the input: LiteLLM's
recorded map with every Anthropic model's `cache_creation_input_token_cost` at its input price
(claude-opus-4-6 cache write 5 for 6.25). Onto an epoch-1 catalog, where only secondary sources
state these prices, it opened price changes proposing LiteLLM's value while models.dev and
Portkey still stated the value in force: approved, one aggregator's slip would have been
written over two sources' agreement. A value no official source vouches for now moves by a
price change only when more of its sources state the new value than still state the one in
force; otherwise the sources disagree (catalog/compare.py `_compare_current`), and approving
the disagreement leaves the value in force.

The variant is made here from the recorded epoch-2 map.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import quarantine, review_items
from review import decisions
from review.reviewers import add_reviewer
from tests.conftest import copy_catalog, replayed_catalog
from tests.worlds import fault_world, in_force, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

# the sources of an epoch-1 catalog another fault test builds too (one build serves both)
SOURCES = ["azure", "litellm", "modelsdev", "portkey"]
LITELLM = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)


def anthropic_cache_writes(body: str, moved: Callable[[dict[str, Any]], float]) -> str:
    """The map with every Anthropic entry's cache write `moved(entry)`."""
    doc = json.loads(body)
    for entry in doc.values():
        anthropic = isinstance(entry, dict) and entry.get("litellm_provider") == "anthropic"
        if anthropic and {"cache_creation_input_token_cost", "input_cost_per_token"} <= set(entry):
            entry["cache_creation_input_token_cost"] = moved(entry)
    return json.dumps(doc)


MOVES: dict[str, Callable[[dict[str, Any]], float]] = {
    # the reports' fault: the cache write at the input price (opus-4-6: 5 for 6.25)
    "at its input price": lambda entry: entry["input_cost_per_token"],
    # the same moved to no other column's price (opus-4-6: 5.625)
    "a tenth off": lambda entry: entry["cache_creation_input_token_cost"] * 0.9,
}


@pytest.mark.parametrize("move", sorted(MOVES))
def test_one_aggregator_moving_alone_leaves_the_value_in_force(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, move: str
) -> None:
    """Each of the map's Anthropic cache writes at its input price is that column copied over
    another (catalog/intake.py `_fields_swapped`, across the cache lifetime the input does not
    state): set aside, an anomaly, and nothing proposes LiteLLM's value. Moved to no other
    column's price, they open disagreements whose approval writes nothing."""
    loaded = replayed_catalog(tmp_path_factory, [("epoch-1", SOURCES, True)])
    db = copy_catalog(loaded, tmp_path / "catalog.db")
    before = in_force(db, "anthropic", "cache_write")
    assert before["claude-opus-4-6 cache_ttl=5m"] == Decimal("6.25")
    broken = anthropic_cache_writes(recorded_text(LITELLM), MOVES[move])
    run = replayed_run(db, fault_world(tmp_path, {LITELLM: {"body": broken}}), SOURCES)
    i = review_items.c
    field = "anthropic/claude-opus-4-6 cache_write (cache_ttl=5m): "
    opened = review_rows(db, (i.id, i.kind, i.title), i.run_id == run, i.title.contains(field))
    if move == "at its input price":
        assert opened == []
        assert any("at another field's price" in rule for rule in set_aside(db, run))
        assert in_force(db, "anthropic", "cache_write") == before
        return
    assert [(kind, title.split(": ", 1)[1]) for _, kind, title in opened] == [
        ("disagreement", f"{field}6.25 → 5.625 usd_per_1m_tokens")
    ]
    ((moved, _, _),) = opened
    engine = store.connect(db)
    add_reviewer(engine, "alice", "correct horse battery staple")
    decisions.approve(engine, moved, reviewer="alice", reason="two sources agree")
    assert in_force(db, "anthropic", "cache_write") == before


def set_aside(db: str, run: int) -> set[str]:
    """The rules of LiteLLM's quarantine rows about claude-opus-4-6 last seen in run `run`."""
    q = quarantine.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(q.rule).where(
                q.last_run_id == run, q.source == "litellm", q.record.contains("claude-opus-4-6")
            )
        )
        return set(rows.scalars())
