"""A page whose standard and batch tables swap their tier labels changes no price.

Fault round 52: the Gemini page with every section's "Standard" and "Batch" headings swapped
(tabs rendered in another order than their titles) set its batch prices aside as at their
standard price, but read the batch tables as the standard prices: 30 official -50 % price
changes opened. OpenAI's page with its "Batch" and "Standard" table labels swapped opened 55,
and the batch prices of the models only its Standard table names (audio, search) had no
standard price that day to be judged by: 7 items on them stayed open after the page was right
again, approvable (batch input 0.075 -> 0.15 for gpt-4o-mini-search-preview). A discounted
price is judged against the source's standard price stated that run, else as last known; and
where a route's discounted tier is set aside so, those models' standard prices that stand at
their known price of that tier are set aside too (catalog/intake.py `_standards_at_discount`).

The pages and LiteLLM, epoch-1 (accept-new) then epoch-2 under review, then the two pages
swapped so (made here from the recorded pages), then epoch-2 again; beside it, epoch-2 again
alone. Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import catalog_values, review_items
from schemas.sources import sources as configured_sources
from tests.conftest import WORLDS, copy_catalog
from tests.worlds import epoch2_after_epoch1, fault_world, recorded_text, replayed_run

pytestmark = pytest.mark.integration

SOURCES = ["openai-page", "gemini-page", "litellm"]
OPENAI = "https://platform.openai.com/docs/pricing"
GEMINI = "https://ai.google.dev/gemini-api/docs/pricing"


def _swapped(text: str, first: str, second: str, lines: int) -> str:
    """`text` with each of its first `lines` lines that reads `first` or `second` alone (a
    tier's label or heading) reading the other."""
    out = text.split("\n")
    for k, line in enumerate(out[:lines]):
        if line.strip() in (first, second):
            other = second if line.strip() == first else first
            out[k] = line.replace(line.strip(), other)
    return "\n".join(out)


def _open(db: str) -> set[tuple[Any, ...]]:
    c = review_items.c
    with store.connect(db).connect() as conn:
        return set(
            conn.execute(
                select(c.kind, c.route, c.model, c.fingerprint).where(c.status == "open")
            ).all()
        )


def _opened(db: str, run_id: int) -> list[tuple[Any, ...]]:
    c = review_items.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(select(c.kind, c.title).where(c.run_id == run_id, c.status == "open"))
        return list(rows.all())


def fault_then_clean(
    base: Path, tmp_path: Path, broken: dict[str, dict[str, str]], sources: list[str]
) -> tuple[list[tuple[Any, ...]], set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """A copy of the catalog `base` refreshed on the recorded epoch-2 world with `broken`'s
    bodies, then on the recorded world; beside it a copy refreshed on the recorded world only:
    (the items the broken day opened, as (kind, title); the items open at the end in the first
    copy; those in the second)."""
    db = copy_catalog(base, tmp_path / "swapped.db")
    (tmp_path / "fault").mkdir()
    run_id = replayed_run(db, fault_world(tmp_path / "fault", broken), sources)
    opened = _opened(db, run_id)
    replayed_run(db, WORLDS / "epoch-2.json", sources)
    control = copy_catalog(base, tmp_path / "control.db")
    replayed_run(control, WORLDS / "epoch-2.json", sources)
    return opened, _open(db), _open(control)


@pytest.fixture(scope="module")
def base(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return epoch2_after_epoch1(tmp_path_factory, tmp_path_factory.mktemp("swapped"), SOURCES)


def test_tier_labels_swapped_open_no_price_change(base: Path, tmp_path: Path) -> None:
    gemini = recorded_text(GEMINI)
    assert "### Standard" in gemini and "### Batch" in gemini
    broken = {
        GEMINI: {"body": _swapped(gemini, "### Standard", "### Batch", gemini.count("\n"))},
        OPENAI: {"body": _swapped(recorded_text(OPENAI), "Standard", "Batch", 120)},
    }
    opened, after, clean = fault_then_clean(base, tmp_path, broken, SOURCES)
    assert [title for kind, title in opened if kind != "anomaly"] == []
    assert after == clean


def test_priority_and_standard_labels_swapped_open_no_price_change(
    base: Path, tmp_path: Path
) -> None:
    """Fault round 56: OpenAI's page with its "Standard" and "Priority" labels swapped opened 91
    official price changes to the priority prices (gpt-5 input 1.25 -> 2.50) and 26 new values:
    only the discounted tiers were judged against the standard prices. A premium tier is judged
    the other way (its prices not above the standard ones), and the standard prices that stand
    at their known priority price are set aside with it."""
    openai = recorded_text(OPENAI)
    lines = openai.split("\n")[:120]
    assert lines.count("Standard") == 1 and lines.count("Priority") == 1
    broken = {OPENAI: {"body": _swapped(openai, "Standard", "Priority", 120)}}
    opened, after, clean = fault_then_clean(base, tmp_path, broken, SOURCES)
    assert [title for kind, title in opened if kind == "price_change"] == []
    assert after == clean


def _in_force(db: str, model: str) -> dict[tuple[str, str], tuple[str, str | None]]:
    """`model`'s openai token prices in force in `db`: (component, dimensions) -> (value,
    verified by)."""
    c = catalog_values.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(c.component, c.dimensions, c.value, c.verified_by).where(
                c.route == "openai", c.model == model, c.valid_to.is_(None)
            )
        )
        return {(r.component, r.dimensions): (r.value, r.verified_by) for r in rows}


def test_priority_and_standard_labels_swapped_on_a_first_load_enter_no_standard_price(
    prefect_api: None, tmp_path: Path
) -> None:
    """On an empty catalog (--accept-new) the swapped page's standard prices, at the priority
    prices, have no known priority price to be told by: they entered verified (gpt-5 input at
    2.50). Such a tier's price is then what the other sources state alike (LiteLLM's and
    Portkey's priority prices), and the standard prices at it are set aside."""
    sources = ["openai-page", "litellm", "portkey"]
    broken = {OPENAI: {"body": _swapped(recorded_text(OPENAI), "Standard", "Priority", 120)}}
    (tmp_path / "fault").mkdir()
    db = f"sqlite:///{tmp_path / 'swapped.db'}"
    replayed_run(db, fault_world(tmp_path / "fault", broken), sources, accept_new=True)
    entered = _in_force(db, "gpt-5")
    assert entered.get(("input", "")) != ("2.5", "openai-page")
    assert entered.get(("output", "")) != ("20", "openai-page")
    control = f"sqlite:///{tmp_path / 'control.db'}"
    replayed_run(control, WORLDS / "epoch-2.json", sources, accept_new=True)
    assert _in_force(control, "gpt-5")[("input", "")] == ("1.25", "openai-page")


def test_priority_and_flex_exchanged_on_a_first_load_enter_neither(
    prefect_api: None, tmp_path: Path
) -> None:
    """Fault round 64: Vercel's `service_tiers.priority` and `flex` exchanged on the 8 models
    stating both. The flex half, 8 of its 11 models, was a block at the standard prices and set
    aside; the priority half, 8 of 18, was too few to be one and entered a first load verified
    at half the standard price (gpt-5 priority input 0.625 beside its standard 1.25). The other
    half of a tier block, the same models' prices of another tier on the wrong side of their
    standard price, is set aside too (catalog/intake.py `_beside_a_tier_block`)."""
    url = configured_sources()["vercel"].urls[0]
    document = json.loads(recorded_text(url))
    exchanged = 0
    for model in document["data"]:
        tiers = (model.get("pricing") or {}).get("service_tiers") or {}
        if "priority" in tiers and "flex" in tiers:
            tiers["priority"], tiers["flex"] = tiers["flex"], tiers["priority"]
            exchanged += 1
    assert exchanged == 8
    sources = ["vercel", "litellm"]
    (tmp_path / "fault").mkdir()
    db = f"sqlite:///{tmp_path / 'exchanged.db'}"
    world = fault_world(tmp_path / "fault", {url: {"body": json.dumps(document)}})
    replayed_run(db, world, sources, accept_new=True)
    control = f"sqlite:///{tmp_path / 'control.db'}"
    replayed_run(control, WORLDS / "epoch-2.json", sources, accept_new=True)

    def tiers_in_force(catalog: str) -> dict[tuple[str, str, str], str]:
        c = catalog_values.c
        with store.connect(catalog).connect() as conn:
            rows = conn.execute(
                select(c.model, c.component, c.dimensions, c.value).where(
                    c.route == "vercel", c.valid_to.is_(None), c.dimensions.like("%service_tier%")
                )
            )
            return {(r.model, r.component, r.dimensions): r.value for r in rows}

    entered, clean = tiers_in_force(db), tiers_in_force(control)
    assert entered
    wrong = {field: value for field, value in entered.items() if clean.get(field) != value}
    assert wrong == {}
    assert clean[("gpt-5", "input", "service_tier=priority")] == "2.5"
    assert ("gpt-5", "input", "service_tier=priority") not in entered
