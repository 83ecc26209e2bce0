"""The two tier headings of Anthropic's long-context table swapped over their cells enter no price.

Fault round 56: the recorded page's long-context table with "≤ 200K input tokens" and "> 200K
input tokens" swapped (the cells not), read into an empty catalog with --accept-new, entered
claude-sonnet-4 and -4-5's long-context input and output at their base prices, verified by
anthropic-page ($3 and $15 above 200K), and opened 8 items against LiteLLM's and the other
sources' $6 and $22.50; after epoch-1 it proposed the drop as 4 price changes. The reader
dropped the "≤ 200K" column unread as a restatement of the model table's base prices, so a
column contradicting that table ($6 for prompts up to 200K beside the table's $3) went unseen.
The page's records now carry the model table's base prices to that row: one whose "≤ 200K"
cell states another price than the table for a model it names is quarantined whole
("contradicts the model table"), as a row whose cells cannot be told apart; the table's base
prices still read.

The page (made here from the recorded one), LiteLLM and models.dev, epoch-2, each into an empty
catalog with --accept-new: the headings swapped, and beside it the page as recorded. Refreshes
through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import catalog_values, quarantine
from spiders import anthropic_page
from spiders.anthropic_page import CONTRADICTS_RULE
from tests.test_fault_units import ANTHROPIC
from tests.test_pricing_pages import ANTHROPIC_URL, run
from tests.worlds import fault_world, recorded_text, replayed_run

pytestmark = pytest.mark.integration

SOURCES = ["anthropic-page", "litellm", "modelsdev"]
HEADINGS = "| ≤ 200K input tokens | > 200K input tokens |"
SWAPPED = "| > 200K input tokens | ≤ 200K input tokens |"
TYPO = ("| Input: $3 / MTok | Input: $6 / MTok |", "| Input: $4 / MTok | Input: $6 / MTok |")


def _sonnet(db: str) -> dict[tuple[str, str, str], str | None]:
    """anthropic/claude-sonnet-4-5's standard input and output prices in force in `db`, base
    and long-context: (component, dimensions) → (value, verified by)."""
    c = catalog_values.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(c.component, c.dimensions, c.value, c.verified_by).where(
                c.route == "anthropic",
                c.model == "claude-sonnet-4-5",
                c.component.in_(["input", "output"]),
                c.dimensions.in_(["", "context_above=200000"]),
                c.valid_to.is_(None),
            )
        )
        return {(r.component, r.dimensions, r.value): r.verified_by for r in rows}


def _rules(db: str, run_id: int) -> set[str]:
    q = quarantine.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(select(q.rule).where(q.run_id == run_id, q.source == "anthropic-page"))
        return {row.rule for row in rows}


@pytest.mark.parametrize("changed", [SWAPPED, "typo"])
def test_a_long_context_row_contradicting_the_model_table_is_quarantined_whole(
    changed: str,
) -> None:
    page = ANTHROPIC.decode()
    assert HEADINGS in page and TYPO[0] in page
    body = page.replace(HEADINGS, SWAPPED) if changed == SWAPPED else page.replace(*TYPO)
    drafts, problems = run(anthropic_page, body.encode(), ANTHROPIC_URL)
    recorded, none = run(anthropic_page, ANTHROPIC, ANTHROPIC_URL)
    assert not none
    # the Input row is set aside whole (its two cells cannot be told apart); the model table's
    # base prices and the Output row (not contradicted when only the input cell is a typo) read
    lost = {("input",)} if changed != SWAPPED else {("input",), ("output",)}
    assert [p.rule for p in problems] == [CONTRADICTS_RULE] * len(lost)
    key = [(d.source_model, d.component.value, d.dimensions.key, d.value) for d in drafts]
    expected = [
        (d.source_model, d.component.value, d.dimensions.key, d.value)
        for d in recorded
        if not ("context_above" in d.dimensions.key and (d.component.value,) in lost)
    ]
    assert key == expected
    assert ("claude-sonnet-4-5", "input", "", Decimal(3)) in key


def test_tier_headings_swapped_on_a_first_load_enter_no_price(
    prefect_api: None, tmp_path: Path
) -> None:
    page = recorded_text(ANTHROPIC_URL)
    assert HEADINGS in page
    world = fault_world(tmp_path, {ANTHROPIC_URL: {"body": page.replace(HEADINGS, SWAPPED)}})
    db = f"sqlite:///{tmp_path / 'swapped.db'}"
    run_id = replayed_run(db, world, SOURCES, accept_new=True)
    entered = _sonnet(db)
    # neither the long-context price at the base price nor a base price at the long-context one
    assert ("input", "context_above=200000", "3") not in entered
    assert ("output", "context_above=200000", "15") not in entered
    assert ("input", "", "3") in entered  # the model table's base prices still read
    assert CONTRADICTS_RULE in _rules(db, run_id)

    control = f"sqlite:///{tmp_path / 'control.db'}"
    replayed_run(control, _plain(tmp_path), SOURCES, accept_new=True)
    assert _sonnet(control) == {
        ("input", "", "3"): "anthropic-page",
        ("output", "", "15"): "anthropic-page",
        ("input", "context_above=200000", "6"): "anthropic-page",
        ("output", "context_above=200000", "22.5"): "anthropic-page",
    }


def _plain(tmp_path: Path) -> Path:
    folder = tmp_path / "plain"
    folder.mkdir()
    return fault_world(folder, {})
