"""A route's context windows and output limits swapped are set aside, on a first load too.

Fault round 59, from public reports of a gateway's `context_window` and `max_tokens` exchanged
and of models.dev's `limit.context` and `limit.output` (a context window at a model's output
limit): Vercel's recorded listing with every model's two limits swapped. On a first load
(accept-new) 302 limits entered verified by Vercel (claude-sonnet-4-5's window 64000 for
1000000); after epoch-1, 194 changes to the swapped limits opened, approvable. A few records
of a source state more output tokens than the window (the recorded world: never most of a
route's), so one says nothing; most of a route's records so are a swapped block, set aside
(catalog/intake.py `limits_swapped`).

The variant is made here from the recorded epoch-2 listing.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.intake import LIMITS_SWAPPED_RULE
from catalog.tables import catalog_values, review_items
from schemas.sources import sources
from tests.conftest import WORLDS
from tests.worlds import fault_world, quarantined, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

[LISTING] = sources()["vercel"].urls
LIMITS = ("context_window", "max_output_tokens")


def swapped(body: str) -> str:
    """The listing with each model's context window and most output tokens exchanged."""
    doc = json.loads(body)
    for model in doc["data"]:
        if model.get("context_window") and model.get("max_tokens"):
            model["context_window"], model["max_tokens"] = (
                model["max_tokens"],
                model["context_window"],
            )
    return json.dumps(doc)


def vercel_limits(db: str) -> dict[tuple[str, str], tuple[Decimal, str | None]]:
    """Vercel's token limits in force: (model, component) -> (value, verified by)."""
    c = catalog_values.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(c.model, c.component, c.value, c.verified_by).where(
                c.valid_to.is_(None), c.route == "vercel", c.component.in_(LIMITS)
            )
        )
        return {(r.model, r.component): (Decimal(r.value), r.verified_by) for r in rows}


def outputs_above_windows(db: str) -> list[str]:
    """The models whose output limit in force, verified by Vercel, is above their window in
    force (the recorded listing states one such model)."""
    limits = vercel_limits(db)
    return [
        model
        for (model, component), (value, by) in limits.items()
        if component == "max_output_tokens"
        and by == "vercel"
        and (window := limits.get((model, "context_window"))) is not None
        and value > window[0]
    ]


def test_swapped_limits_enter_nothing_on_a_first_load(prefect_api: None, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    body = swapped(recorded_text(LISTING))
    run = replayed_run(
        db, fault_world(tmp_path, {LISTING: {"body": body}}), ["vercel"], accept_new=True
    )
    assert len(outputs_above_windows(db)) <= 1, outputs_above_windows(db)[:5]
    assert len(quarantined(db, run, LIMITS_SWAPPED_RULE)) >= 100


def test_swapped_limits_propose_no_change_after_epoch1(prefect_api: None, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    replayed_run(db, WORLDS / "epoch-1.json", ["vercel"], accept_new=True)
    before = vercel_limits(db)
    body = swapped(recorded_text(LISTING))
    run = replayed_run(db, fault_world(tmp_path, {LISTING: {"body": body}}), ["vercel"])
    r = review_items.c
    changes = review_rows(db, (r.model, r.title), r.run_id == run, r.kind == "price_change")
    limit_changes = [m for m, t in changes if any(f" {name}:" in t for name in LIMITS)]
    # a model whose two limits are one value reads alike swapped: its real changes stand
    alike = {
        m["id"].rsplit("/", 1)[-1]
        for m in json.loads(recorded_text(LISTING))["data"]
        if m.get("context_window") == m.get("max_tokens")
    }
    assert [m for m in limit_changes if m not in alike] == []
    assert {k: v for k, v in vercel_limits(db).items() if k[0] not in alike} == {
        k: v for k, v in before.items() if k[0] not in alike
    }
