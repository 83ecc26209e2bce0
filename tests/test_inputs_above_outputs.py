"""A listing whose input and output are swapped on every model enters none of them, first load
or not.

Fault round 55: Vercel's AI Gateway listing with each model's `pricing.input` and
`pricing.output` swapped, read into an empty catalog with --accept-new, entered about 340 token
prices verified by Vercel at the other field's price. The swapped-headings rule judges a first
load by what two other sources state alike, and only LiteLLM and models.dev state Vercel's
prices, seldom alike. Output tokens cost at least what input tokens do for nearly every model
priced, so a route most of whose models state the input above the output is read swapped
whatever else is known (catalog/intake.py `_inputs_above_outputs`): its input and output prices
are set aside, its other fields (context windows, cache reads) kept.

The listing (made here from the recorded one), LiteLLM and models.dev, epoch-2, into an empty
catalog with --accept-new; beside it the recorded listing. Refreshes through the real flow
(Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog import store
from catalog.intake import INPUT_ABOVE_OUTPUT_RULE
from catalog.tables import catalog_values, quarantine
from tests.conftest import WORLDS
from tests.worlds import fault_world, recorded_text, replayed_run

pytestmark = pytest.mark.integration

SOURCES = ["vercel", "litellm", "modelsdev"]
VERCEL = "https://ai-gateway.vercel.sh/v1/models"


def _swapped(body: str) -> tuple[str, int]:
    """The listing with each model's input and output prices swapped, and how many models it
    swapped (those stating both)."""
    listing = json.loads(body)
    swapped = 0
    for model in listing["data"]:
        pricing = model.get("pricing") or {}
        if "input" in pricing and "output" in pricing:
            pricing["input"], pricing["output"] = pricing["output"], pricing["input"]
            swapped += 1
    return json.dumps(listing), swapped


def _counts(db: str, run_id: int) -> tuple[int, int, set[tuple[str, ...]]]:
    """In `db`: how many of Vercel's prices run `run_id` set aside by the rule; how many input
    and output token prices in force Vercel verified; the other fields in force on its route it
    verified (model, kind, component, unit, dimensions, value)."""
    q, c = quarantine.c, catalog_values.c
    verified = (c.route == "vercel") & (c.verified_by == "vercel") & c.valid_to.is_(None)
    token_prices = (c.component.in_(["input", "output"])) & (c.unit == "usd_per_1m_tokens")
    with store.connect(db).connect() as conn:
        set_aside = conn.execute(
            select(func.count())
            .select_from(quarantine)
            .where(q.run_id == run_id, q.source == "vercel", q.rule == INPUT_ABOVE_OUTPUT_RULE)
        ).scalar_one()
        prices = conn.execute(
            select(func.count()).select_from(catalog_values).where(verified & token_prices)
        ).scalar_one()
        others = conn.execute(
            select(c.model, c.kind, c.component, c.unit, c.dimensions, c.value).where(
                verified & ~token_prices
            )
        )
        return set_aside, prices, {tuple(row) for row in others}


def test_a_listing_with_input_and_output_swapped_enters_neither(
    prefect_api: None, tmp_path: Path
) -> None:
    body, swapped = _swapped(recorded_text(VERCEL))
    assert swapped > 100
    world = fault_world(tmp_path, {VERCEL: {"body": body}})
    db = f"sqlite:///{tmp_path / 'swapped.db'}"
    set_aside, prices, others = _counts(db, replayed_run(db, world, SOURCES, accept_new=True))

    control = f"sqlite:///{tmp_path / 'control.db'}"
    control_run = replayed_run(control, WORLDS / "epoch-2.json", SOURCES, accept_new=True)
    control_aside, control_prices, control_others = _counts(control, control_run)

    assert (control_aside, prices) == (0, 0)
    assert set_aside >= 2 * swapped
    assert control_prices >= 2 * swapped
    # The route's other fields enter as on a clean day (and a cache read the clean listing's
    # input contradicts, 0.06 above 0.03, is judged beside no input price: it enters).
    assert len(control_others) > 100
    assert control_others <= others
