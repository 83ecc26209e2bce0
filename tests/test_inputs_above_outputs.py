"""A listing, or one route's block of it, read with input and output swapped enters neither,
first load or not.

Fault round 55: Vercel's AI Gateway listing with each model's `pricing.input` and
`pricing.output` swapped, read into an empty catalog with --accept-new, entered about 340 token
prices verified by Vercel at the other field's price. The swapped-headings rule judges a first
load by what two other sources state alike, and only LiteLLM and models.dev state Vercel's
prices, seldom alike. Output tokens cost at least what input tokens do for nearly every model
priced, so a listing most of whose models state the input above the output fails its source
whatever else is known (catalog/intake.py `swapped_listing`), and a route's block so within a
listing is set aside, the source's other routes read (`_inputs_above_outputs`).

Each world is made here from the recorded epoch-2 bodies, read into an empty catalog with
--accept-new beside the recorded world. Refreshes through the real flow (Scrapy over loopback
HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog import store
from catalog.health import prices_by_field
from catalog.intake import FIELDS_SWAPPED_RULE, INPUT_ABOVE_OUTPUT_RULE, ORDER_BLOCK, slipped
from catalog.tables import catalog_values, quarantine
from schemas.records import Observation
from schemas.sources import sources
from tests.conftest import WORLDS
from tests.test_fault_kinds import healthy
from tests.worlds import (
    epoch2_loaded,
    fault_world,
    newest_run_id,
    recorded_text,
    replayed_run,
    reported,
)

pytestmark = pytest.mark.integration

VERCEL = "https://ai-gateway.vercel.sh/v1/models"
LITELLM = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)
TOKEN_PRICES = ("input", "output")


def _vercel_swapped(body: str) -> tuple[str, int]:
    """Vercel's listing with each model's input and output prices swapped, and how many models
    it swapped (those stating both)."""
    listing = json.loads(body)
    swapped = 0
    for model in listing["data"]:
        pricing = model.get("pricing") or {}
        if "input" in pricing and "output" in pricing:
            pricing["input"], pricing["output"] = pricing["output"], pricing["input"]
            swapped += 1
    return json.dumps(listing), swapped


def _litellm_swapped(body: str, provider: str) -> tuple[str, int]:
    """LiteLLM's price map with the standard per-token input and output costs of `provider`'s
    models swapped (their batch, priority and audio keys not), and how many models it
    swapped."""
    prices = json.loads(body)
    swapped = 0
    for entry in prices.values():
        if not isinstance(entry, dict) or entry.get("litellm_provider") != provider:
            continue
        if "input_cost_per_token" in entry and "output_cost_per_token" in entry:
            entry["input_cost_per_token"], entry["output_cost_per_token"] = (
                entry["output_cost_per_token"],
                entry["input_cost_per_token"],
            )
            swapped += 1
    return json.dumps(prices), swapped


def _in_force(db: str, route: str, source: str) -> set[tuple[str, ...]]:
    """The fields in force on `route` in `db` whose value `source` stated (verified it, or its
    statement was accepted): (model, kind, component, unit, dimensions, value)."""
    c = catalog_values.c
    by = (c.verified_by == source) | (c.accepted_source == source)
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(c.model, c.kind, c.component, c.unit, c.dimensions, c.value).where(
                c.route == route, by, c.valid_to.is_(None)
            )
        )
        return {tuple(row) for row in rows}


def _token_prices(fields: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
    return {f for f in fields if f[2] in TOKEN_PRICES and f[3] == "usd_per_1m_tokens"}


def _set_aside(db: str, run_id: int, source: str) -> dict[str, int]:
    """How many of `source`'s prices run `run_id` set aside by the rule, by route."""
    q = quarantine.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(q.payload["route"].as_string(), func.count())
            .where(q.run_id == run_id, q.source == source, q.rule == INPUT_ABOVE_OUTPUT_RULE)
            .group_by(q.payload["route"].as_string())
        )
        return {str(route): int(count) for route, count in rows}


def test_a_listing_read_swapped_fails_its_source(prefect_api: None, tmp_path: Path) -> None:
    sources = ["vercel", "litellm", "modelsdev"]
    body, swapped = _vercel_swapped(recorded_text(VERCEL))
    assert swapped > 100
    db = f"sqlite:///{tmp_path / 'swapped.db'}"
    run_id = replayed_run(
        db, fault_world(tmp_path, {VERCEL: {"body": body}}), sources, accept_new=True
    )
    control = f"sqlite:///{tmp_path / 'control.db'}"
    control_run = replayed_run(control, WORLDS / "epoch-2.json", sources, accept_new=True)

    status, reason = reported(db, run_id)["vercel"]
    assert status == "failed"
    assert reason.startswith("input and output read swapped: ")
    assert _in_force(db, "vercel", "vercel") == set()  # nothing of it enters
    assert reported(control, control_run)["vercel"] == ("ok", "")
    assert len(_token_prices(_in_force(control, "vercel", "vercel"))) >= 2 * swapped
    # the other sources read as on a clean day
    assert {s: v for s, v in reported(db, run_id).items() if s != "vercel"} == {
        s: v for s, v in reported(control, control_run).items() if s != "vercel"
    }


def test_a_routes_block_read_swapped_is_set_aside(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    body, swapped = _litellm_swapped(recorded_text(LITELLM), "openai")
    assert swapped > 100
    db = f"sqlite:///{tmp_path / 'swapped.db'}"
    run_id = replayed_run(
        db, fault_world(tmp_path, {LITELLM: {"body": body}}), ["litellm"], accept_new=True
    )
    control = epoch2_loaded(tmp_path_factory, tmp_path / "control.db", ["litellm"])
    control_run = newest_run_id(control)

    assert reported(db, run_id)["litellm"][0] == "ok"  # most of its listing is right
    assert _set_aside(control, control_run, "litellm") == {}
    aside = _set_aside(db, run_id, "litellm")
    assert list(aside) == ["openai"]
    assert aside["openai"] >= swapped
    swapped_openai = _in_force(db, "openai", "litellm")
    clean_openai = _in_force(control, "openai", "litellm")
    standard = {f for f in _token_prices(clean_openai) if f[4] == ""}  # the block swapped
    assert len(standard) > 50
    assert {f for f in _token_prices(swapped_openai) if f[4] == ""} == set()
    # the block's other fields, the route's other blocks (batch, priority, audio: their keys
    # not swapped) and every other route, as on a clean day; but a price above a context
    # length is judged against the standard one (tiers rise), and beside the swapped standard
    # price some are quarantined
    kept = clean_openai - standard
    assert swapped_openai <= kept
    assert {f for f in kept - swapped_openai if not f[4].startswith("context_above=")} == set()
    assert _in_force(db, "anthropic", "litellm") == _in_force(control, "anthropic", "litellm")


def _namespace_exchanged(valid: list[Observation], models: int | None) -> list[Observation]:
    """OpenRouter's observations with the input and output token prices of its first `models`
    `anthropic/` ids (all, for None) exchanged, at each set of dimensions: prompt and
    completion swapped in one vendor's block of its listing."""
    ids = sorted({o.source_model for o in valid if o.source_model.startswith("anthropic/")})
    chosen = set(ids if models is None else ids[:models])
    pairs: dict[tuple[str, str], dict[str, Decimal]] = {}
    for o in valid:
        if o.source_model in chosen and o.component.value in TOKEN_PRICES:
            pairs.setdefault((o.source_model, o.dimensions.key), {})[o.component.value] = o.value
    other = {"input": "output", "output": "input"}
    exchanged = []
    for o in valid:
        both = pairs.get((o.source_model, o.dimensions.key), {})
        if o.source_model in chosen and len(both) == 2 and o.component.value in TOKEN_PRICES:
            o = replace(o, value=both[other[o.component.value]])
        exchanged.append(o)
    return exchanged


def test_one_vendors_ids_read_swapped_are_set_aside_on_a_first_load() -> None:
    """Fault round h50: OpenRouter's 28 `anthropic/` ids with prompt and completion exchanged
    entered 56 prices verified on a first load (claude-sonnet-4-5 input 15, output 3): a tenth
    of its route, no block of it, and with nothing in force the swapped-columns rule had only
    the other sources' rare agreement to go by. A route's ids of one namespace most of whose
    models state the input above the output are a block read swapped; a few of them are not."""
    valid = healthy("openrouter").valid
    assert not [p for p in slipped(valid, {}, {}, dict) if p.rule == INPUT_ABOVE_OUTPUT_RULE]
    block = _namespace_exchanged(valid, None)
    aside = [p for p in slipped(block, {}, {}, dict) if p.rule == INPUT_ABOVE_OUTPUT_RULE]
    moved = {id(o) for o, was in zip(block, valid, strict=True) if o.value != was.value}
    assert len(moved) >= 50
    assert {id(p.observation) for p in aside} >= moved
    assert {p.observation.source_model for p in aside if p.observation} <= {
        o.source_model for o in valid if o.source_model.startswith("anthropic/")
    }
    assert "of the 17 openrouter anthropic/ models it prices both of state input" in aside[0].detail
    few = _namespace_exchanged(valid, 5)
    assert not [p for p in slipped(few, {}, {}, dict) if p.rule == INPUT_ABOVE_OUTPUT_RULE]


def test_a_few_ids_read_swapped_against_their_price_elsewhere_are_set_aside() -> None:
    """Fault round h50: Vercel's `anthropic/` ids with input and output exchanged, too few for
    a block, entered claude-3-opus verified at input $75 and output $15 on a first load (and
    three models so). A model's input above its output, each exactly its other field's price
    on other routes, where nothing of its route judges the two, is read swapped: both prices
    are set aside, whichever rule finds them; the recorded listing loses none so. (In the flow
    validation quarantined five of the 13 models' swapped rows, "base tier differs from flat
    price", leaving eight: a block needs ten. Here eight ids are exchanged.)"""
    valid = healthy("vercel").valid
    others = {s: prices_by_field(healthy(s).valid) for s in sources() if s != "vercel"}
    assert not [p for p in slipped(valid, {}, {}, lambda: others) if p.rule == FIELDS_SWAPPED_RULE]
    few = _namespace_exchanged(valid, ORDER_BLOCK - 2)
    moved = {id(o) for o, was in zip(few, valid, strict=True) if o.value != was.value}
    assert len(moved) >= 2 * (ORDER_BLOCK - 2)
    aside = {id(p.observation) for p in slipped(few, {}, {}, lambda: others)}
    assert moved <= aside
