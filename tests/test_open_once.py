"""An open item is not opened twice; a newer proposal supersedes it; a decided one stays decided.

Catalogs made by the real refresh flow from the recorded epoch-2 world: a refresh of some
sources proposes what a refresh of all of them does (the others held at their last word), so it
opens no part of an item again; and a disagreement or change a reviewer decided is not put in
front of them again while its proposal and every source's value are the same."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from catalog import store
from catalog.tables import review_items, runs
from flows.refresh import refresh
from ratecard.cli import app as cli
from review import decisions
from review.reviewers import add_reviewer
from tests.conftest import SNAPSHOTS, WORLDS, run_flow
from tests.worlds import fault_world, recorded_text

pytestmark = pytest.mark.integration
SECRET = "a-long-secret-123"
AGAINST_CATALOG = ("price_change", "disagreement", "new_value", "new_model")
LITELLM_FILE = "litellm/model_prices_and_context_window.json"
LITELLM_URL = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)


def run(db: str, sources: list[str], *, world: Path = WORLDS / "epoch-2.json", **kw: Any) -> str:
    """Refresh `db` from `sources` of the world through the real flow; its state's message."""
    state = run_flow(
        refresh(sources=sources, replay=str(world), database=db, return_state=True, **kw)
    )
    assert state.is_completed(), state.message
    return str(state.message)


def rows(engine: Engine, **where: Any) -> list[Any]:
    c = review_items.c
    query = select(review_items).order_by(c.id)
    for name, value in where.items():
        query = query.where(c[name] == value)
    with engine.connect() as conn:
        return list(conn.execute(query))


def last_run(engine: Engine) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(runs).order_by(runs.c.id.desc()).limit(1)).one()


def fields_proposed_twice(engine: Engine) -> dict[tuple[str, ...], list[int]]:
    """Each field that more than one open item proposes a value for, with those items."""
    proposing: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for row in rows(engine, status="open"):
        if row.kind not in AGAINST_CATALOG:
            continue
        for change in row.changes:
            dims = json.dumps(change["dimensions"], sort_keys=True)
            field = (row.route, row.model, change["component"], change["unit"], dims)
            proposing[field].append(row.id)
    return {field: ids for field, ids in proposing.items() if len(ids) > 1}


@pytest.fixture(scope="module")
def partial(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """epoch-2 read by Azure and LiteLLM into an empty catalog under the review policy (a model
    both state is one item with the fields of both), a reviewer's approval of one LiteLLM-only
    new model (the catalog changed: Azure's unchanged answers are read again, not confirmed),
    then the same world refreshed for Azure alone."""
    db = f"sqlite:///{tmp_path_factory.mktemp('partial') / 'ratecard.db'}"
    run(db, ["azure", "litellm"])
    engine = store.connect(db)
    before = {r.id: r for r in rows(engine)}
    add_reviewer(engine, "alice", SECRET)
    litellm_only = next(
        r
        for r in before.values()
        if r.kind == "new_model" and r.sources == ["litellm"] and r.route == "openai"
    )
    decisions.approve(engine, litellm_only.id, reviewer="alice")
    run(db, ["azure"])
    return {"engine": engine, "before": before, "after": {r.id: r for r in rows(engine)}}


def test_a_refresh_of_some_sources_opens_no_part_of_an_open_item_again(
    partial: dict[str, Any],
) -> None:
    before, after = partial["before"], partial["after"]
    grouped = [
        r for r in before.values() if r.route == "azure" and {"azure", "litellm"} <= set(r.sources)
    ]
    assert grouped, "items with the fields of both sources (e.g. azure/codex-mini-latest)"
    opened = [r for item_id, r in after.items() if item_id not in before]
    assert opened == []
    assert [r.id for r in after.values() if r.status == "superseded"] == []
    assert all(after[r.id].status == "open" for r in grouped)
    assert all(after[r.id].last_seen_at > r.last_seen_at for r in grouped)
    assert fields_proposed_twice(partial["engine"]) == {}


def test_a_newer_proposal_on_a_field_supersedes_an_older_one_of_another_kind(
    prefect_api: None, tmp_path: Path
) -> None:
    """epoch-1: LiteLLM disagrees with Vercel's own price of some models (disagreements);
    epoch-2: Vercel itself states LiteLLM's value (price changes). The price change is the
    proposal about those fields now: the disagreement is superseded, not left open beside it."""
    db = f"sqlite:///{tmp_path / 'ratecard.db'}"
    run(db, ["vercel", "litellm"], world=WORLDS / "epoch-1.json", accept_new=True)
    engine = store.connect(db)
    first = {r.id: r for r in rows(engine, status="open", kind="disagreement", route="vercel")}
    run(db, ["vercel", "litellm"])
    after = {r.id: r for r in rows(engine)}
    changes = [r for r in after.values() if r.id not in first and r.kind == "price_change"]
    overtaken = {
        r.id
        for r in first.values()
        for p in changes
        if (p.route, p.model) == (r.route, r.model)
        and {(c["component"], c["unit"]) for c in p.changes}
        & {(c["component"], c["unit"]) for c in r.changes}
    }
    assert overtaken, "vercel/gemini-2.0-flash: LiteLLM's 0.15 in epoch-1, Vercel's in epoch-2"
    assert {after[i].status for i in overtaken} == {"superseded"}
    assert fields_proposed_twice(engine) == {}


@pytest.fixture(scope="module")
def decided(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """epoch-2 read by OpenRouter and LiteLLM into an empty catalog (accept-new): LiteLLM
    disagrees with some of OpenRouter's own prices. One disagreement approved (OpenRouter's
    value stands), one rejected, one approved with LiteLLM's value (the catalog changed, so the
    sources are read and compared again), then the same world refreshed."""
    db = f"sqlite:///{tmp_path_factory.mktemp('decided') / 'ratecard.db'}"
    sources = ["openrouter", "litellm"]
    run(db, sources, accept_new=True)
    engine = store.connect(db)
    add_reviewer(engine, "alice", SECRET)
    disagreements = [
        r
        for r in rows(engine, status="open", kind="disagreement")
        if len(r.changes) == 1
        and r.changes[0]["current"] is not None
        and r.changes[0]["component"] in ("input", "output")
    ]
    approved, rejected, taken = disagreements[:3]
    decisions.approve(engine, approved.id, reviewer="alice")
    decisions.reject(engine, rejected.id, reviewer="alice", reason="LiteLLM's copy is wrong")
    decisions.approve(engine, taken.id, reviewer="alice", use_source="litellm", reason="x")
    before = {r.id for r in rows(engine)}
    message = run(db, sources)
    return {
        "message": message,
        "db": db,
        "engine": engine,
        "sources": sources,
        "approved": approved,
        "rejected": rejected,
        "opened": [r for r in rows(engine) if r.id not in before],
        "summary": last_run(engine).summary,
    }


def test_a_decided_disagreement_is_not_opened_again_while_nothing_changed(
    decided: dict[str, Any],
) -> None:
    again = {decided["approved"].fingerprint, decided["rejected"].fingerprint}
    assert [r.title for r in decided["opened"] if r.fingerprint in again] == []
    assert decided["summary"]["decided_before"] >= 2
    # the refresh says so: 'run N: 1 review item opened, 2 not opened again (decided before…)'
    again_said = f", {decided['summary']['decided_before']} not opened again (decided before"
    assert again_said in decided["message"], decided["message"]
    # and `runs` says it after the fact (its title, and --json)
    listed = CliRunner().invoke(cli, ["runs", "--limit", "1", "--db", decided["db"]])
    assert listed.exit_code == 0, listed.output
    assert f"items {decided['summary']['decided_before']} not opened again" in listed.output
    as_json = CliRunner().invoke(cli, ["runs", "--limit", "1", "--json", "--db", decided["db"]])
    assert json.loads(as_json.output)[0]["decided_before"] == decided["summary"]["decided_before"]
    # The change the reviewer made is a new question: OpenRouter states another value.
    assert decided["opened"], "the value LiteLLM's choice put in force differs from OpenRouter's"


def test_a_decided_disagreement_opens_again_once_a_source_states_another_value(
    decided: dict[str, Any], tmp_path: Path
) -> None:
    """The rejected disagreement's LiteLLM value moves (a world made in the test from the
    recorded one): a question the reviewer has not seen."""
    rejected = decided["rejected"]
    [change] = rejected.changes
    [stated] = [s for s in change["sources"] if s["source"] == "litellm"]
    document = json.loads((SNAPSHOTS / LITELLM_FILE).read_text())
    entry = document[stated["source_model"]]
    moved = [
        key
        for key, value in entry.items()
        if key.endswith("_cost") or "_cost_per_" in key
        if isinstance(value, float) and Decimal(str(value)) * 1_000_000 == Decimal(stated["value"])
    ]
    assert moved, (stated["source_model"], stated["value"])
    for key in moved:
        entry[key] *= 2
    world = fault_world(tmp_path, {LITELLM_URL: {"body": json.dumps(document)}})
    engine = decided["engine"]
    before = {r.id for r in rows(engine)}
    run(decided["db"], decided["sources"], world=world)
    opened = [r for r in rows(engine) if r.id not in before]
    assert rejected.fingerprint not in {r.fingerprint for r in opened}  # another proposal now
    field = (change["component"], change["unit"], change["dimensions"])
    reopened = [
        r
        for r in opened
        if (r.route, r.model) == (rejected.route, rejected.model)
        and any((c["component"], c["unit"], c["dimensions"]) == field for c in r.changes)
    ]
    assert [r.kind for r in reopened] == ["disagreement"]
    [now] = reopened[0].changes
    assert now["current"] == change["current"]
    assert Decimal(now["proposed"]) == 2 * Decimal(change["proposed"])


@pytest.fixture(scope="module")
def restated(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """epoch-1 read by Anthropic's page and three secondaries into an empty catalog
    (accept-new): LiteLLM disagrees with some of the page's prices. Then epoch-2 (review): more
    secondaries state LiteLLM's values beside the same proposals."""
    db = f"sqlite:///{tmp_path_factory.mktemp('restated') / 'ratecard.db'}"
    sources = ["anthropic-page", "litellm", "genai-prices", "portkey"]
    run(db, sources, world=WORLDS / "epoch-1.json", accept_new=True)
    engine = store.connect(db)
    before = {r.id: r for r in rows(engine, status="open")}
    run(db, sources)
    return {"db": db, "engine": engine, "sources": sources, "before": before}


def test_an_open_item_found_again_shows_what_the_sources_say_now(
    restated: dict[str, Any],
) -> None:
    """The reviewer decides on this run's evidence, not the first run's: an open item proposed
    alike again takes the sources that now state its values; once decided, the same proposal
    with the same evidence is not put in front of them again."""
    engine, before = restated["engine"], restated["before"]
    after = {r.id: r for r in rows(engine)}
    grown = [
        after[i]
        for i, r in before.items()
        if after[i].status == "open" and set(after[i].sources) > set(r.sources)
    ]
    assert grown, "anthropic/claude-3-haiku: genai-prices and portkey join LiteLLM in epoch-2"
    item = grown[0]
    stating = {s["source"] for c in item.changes for s in c["sources"]}
    assert stating == set(item.sources) > set(before[item.id].sources)
    add_reviewer(engine, "alice", SECRET)
    decisions.approve(engine, item.id, reviewer="alice")
    # A new model let in too: the catalog changed, so the next run reads every source again.
    new_model = next(r for r in rows(engine, status="open", kind="new_model"))
    decisions.approve(engine, new_model.id, reviewer="alice")
    known = {r.id for r in rows(engine)}
    run(restated["db"], restated["sources"])
    again = [r for r in rows(engine) if r.id not in known and r.fingerprint == item.fingerprint]
    assert again == [] and last_run(engine).summary["decided_before"] >= 1


OPENAI_PAGE = "https://platform.openai.com/docs/pricing"


def _gpt5_input_slipped(page: str) -> str:
    """The recorded OpenAI page with gpt-5's Standard input written $1.35 (it says $1.25)."""
    lines = page.split("\n")
    tables = [k for k, line in enumerate(lines) if line.startswith("| Model | Input | Cached")]
    standard = tables[2]  # Batch, Flex, Standard, Priority: the page's third such table
    [row] = [k for k in range(standard, len(lines)) if lines[k].startswith("| gpt-5 |")][:1]
    assert "$1.25" in lines[row]
    lines[row] = lines[row].replace("$1.25", "$1.35", 1)
    return "\n".join(lines)


def test_a_rejected_official_change_stated_anew_is_asked_again(
    prefect_api: None, tmp_path: Path
) -> None:
    """Fault round 50: a reviewer rejected the OpenAI page's one-day misprint (gpt-5 input
    $1.35); the page was right the next day, and when it stated $1.35 again later the refresh
    said "not opened again (decided before on the same evidence)", leaving the official price
    in silence. The page stating it without a break since the rejection is that evidence (not
    opened again); the page stating it again after a day it did not is a new question."""
    db = f"sqlite:///{tmp_path / 'ratecard.db'}"
    sources = ["openai-page"]
    run(db, sources, accept_new=True)
    engine = store.connect(db)
    add_reviewer(engine, "alice", SECRET)
    recorded = recorded_text(OPENAI_PAGE)
    slipped = _gpt5_input_slipped(recorded)

    def day(name: str, body: str) -> None:
        folder = tmp_path / name
        folder.mkdir()
        run(db, sources, world=fault_world(folder, {OPENAI_PAGE: {"body": body}}))

    def gpt5_input_changes() -> list[Any]:
        return [
            r
            for r in rows(engine, kind="price_change", model="gpt-5")
            if [(c["component"], c["proposed"]) for c in r.changes] == [("input", "1.35")]
        ]

    day("slip", slipped)
    [item] = gpt5_input_changes()
    decisions.reject(engine, item.id, reviewer="alice", reason="a misprint")
    day("slip-kept", slipped + "\n")  # the same statement, without a break: decided
    assert [r.status for r in gpt5_input_changes()] == ["rejected"]
    assert last_run(engine).summary["decided_before"] == 1
    day("right", recorded + "\n")
    day("slip-again", slipped + "\n\n")
    assert [r.status for r in gpt5_input_changes()] == ["rejected", "open"]
