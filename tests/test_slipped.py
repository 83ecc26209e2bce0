"""One provider block of a listing rescaled: its prices of fields the catalog does not price yet
are set aside, not proposed.

A fault round multiplied every `cost` under models.dev's `deepseek` provider by 1000: the source
read ok (one provider's prices are no rescaled listing), the open new-model items on
deepseek-v4-flash and deepseek-v4-pro, which LiteLLM and models.dev stated alike, were replaced
by items without the prices ("closed by itself: what it proposes is no longer stated"), and
disagreements opened presenting the misprints as models.dev's word ("litellm 0.14 vs modelsdev
140"). A price that moved by a power of ten from the source's own last statement while another
source still states that statement is a slip: set aside (an anomaly to review), its field
standing as last stated.

genai-prices, LiteLLM and models.dev: epoch-1 (accept-new), epoch-2 (the new-model items
open), then epoch-2 with models.dev's DeepSeek prices x1000 (made here from the recorded body),
through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite). genai-prices
answers the same bytes again: confirmed unchanged, it still states the last value.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog import store
from catalog.health import price_key, prices_by_field
from catalog.intake import (
    DISCOUNT_AT_STANDARD_RULE,
    FIELDS_SWAPPED_RULE,
    SLIPPED_RULE,
    ZERO_BESIDE_RULE,
    slipped,
)
from catalog.plausibility import implausible
from catalog.tables import catalog_values, quarantine
from schemas.batch import validate
from schemas.records import Observation, Problem
from schemas.sources import sources
from schemas.vocab import Dim, Kind, Unit
from tests.conftest import WORLDS, copy_catalog
from tests.test_fault_kinds import bodies, healthy, read, urls
from tests.test_vendor_block_first_load import SOURCES as BLOCK_SOURCES
from tests.test_vendor_block_first_load import read_together
from tests.test_withdrawn_statement import items, recorded
from tests.worlds import epoch2_after_epoch1, fault_world, recorded_text, replayed_run

pytestmark = pytest.mark.integration

SOURCES = ["genai-prices", "litellm", "modelsdev"]


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return epoch2_after_epoch1(tmp_path_factory, tmp_path_factory.mktemp("slipped"), SOURCES)


def times_1000(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: times_1000(value) for key, value in node.items()}
    if isinstance(node, list):
        return [times_1000(value) for value in node]
    if isinstance(node, Decimal):
        return node * 1000
    return node


def test_one_provider_block_rescaled_proposes_nothing_and_narrows_nothing(
    epoch2: Path, tmp_path: Path
) -> None:
    db = copy_catalog(epoch2, tmp_path / "catalog.db")
    before = items(db)
    on_deepseek = [
        row for row in before.values() if row[1] == "deepseek" and row[3] == "open" and row[6]
    ]
    assert on_deepseek  # new-model items quoting both sources' DeepSeek prices
    listing = recorded("models.dev")
    document = json.loads((WORLDS / listing["file"]).read_text(), parse_float=Decimal)
    for model in document["deepseek"]["models"].values():
        if "cost" in model:
            model["cost"] = times_1000(model["cost"])
    body = json.dumps(document, default=float)  # each Decimal a JSON number
    run_id = replayed_run(db, fault_world(tmp_path, {listing["url"]: {"body": body}}), SOURCES)
    after = items(db)
    assert {i: after[i] for i in before} == before  # nothing superseded, narrowed or closed
    opened = [row for i, row in after.items() if i not in before]
    assert opened and {row[0] for row in opened} == {"anomaly"}
    q = quarantine.c
    with store.connect(db).connect() as conn:
        set_aside = conn.execute(
            select(q.payload).where(
                q.run_id == run_id, q.source == "modelsdev", q.rule == SLIPPED_RULE
            )
        ).scalars()
        fields = {
            (value["source_model"], value["component"], Decimal(value["value"]))
            for value in set_aside
        }
    # each value set aside alone, kept as read
    assert {("deepseek-v4-flash", "input", 140), ("deepseek-v4-pro", "output", 870)} <= fields


def test_one_block_of_a_listing_rescaled_is_set_aside_though_no_other_source_states_it() -> None:
    """A fault round: LiteLLM's every `bedrock/` price x1000, fields no other source states,
    was read: new-model items proposed 41 prices at a thousand times (glm-5 input 1000), since a
    slip was set aside only where another source still stated the old value. Most of one
    route's prices moved by one power of ten from the source's own last statements, across at
    least five models, is a block rescaled: each is set aside. A few models moved so (a source
    correcting its own error) are not."""
    valid = healthy("litellm").valid
    before = prices_by_field(valid)

    def scaled(models: set[str] | None) -> list[Observation]:
        return [
            replace(o, value=o.value * 1000)
            if o.route == "bedrock"
            and o.kind is Kind.PRICE
            and (models is None or o.model in models)
            else o
            for o in valid
        ]

    block = scaled(None)
    aside = slipped(block, before, {}, dict)
    moved = [
        o
        for o, was in zip(block, valid, strict=True)
        if o.value != was.value and not implausible(o.value, o.unit) and not o.scheduled
    ]
    assert moved and {id(p.observation) for p in aside} == {id(o) for o in moved}
    assert all(p.rule == SLIPPED_RULE and p.source == "litellm" for p in aside)
    assert "1000 times its last statement" in aside[0].detail
    assert "as most of its bedrock prices moved (one block of its listing rescaled)" in (
        aside[0].detail
    )
    few = {o.model for o in valid if o.route == "bedrock" and o.model}
    assert slipped(scaled(set(sorted(few)[:2])), before, {}, dict) == []


def test_one_namespace_of_a_gateway_rescaled_is_a_block_of_its_route() -> None:
    """Fault round 50: OpenRouter's `anthropic/` prices x1000, a small share of its one route,
    were no block of it: the fields the catalog prices were anomalies, but those only OpenRouter
    states (its batch prices of models under review) passed into new-model items at a thousand
    times. Most of the prices of one namespace of a route's ids moved by one power of ten from
    the source's own last statements, across at least five models, is a block rescaled; a few
    of its models moved so are not. Judged as a refresh judges it (round 51): after validation,
    which sets most of the block aside as above $1,000 per 1M (magnitude), those count too."""
    valid = healthy("openrouter").valid
    before = prices_by_field(valid)

    def scaled(models: set[str] | None) -> list[Observation]:
        """The block's prices written per 1K tokens: its listing's token prices (the 1-hour
        cache write is ratecard's reading of another field, and a web search is no token)."""
        return [
            replace(o, value=o.value * 1000)
            if o.source_model.startswith("anthropic/")
            and o.kind is Kind.PRICE
            and o.unit is Unit.PER_1M_TOKENS
            and o.dimensions.get(Dim.CACHE_TTL.value) != "1h"
            and (models is None or o.model in models)
            else o
            for o in valid
        ]

    def judged(observations: list[Observation]) -> tuple[list[Observation], list[Problem]]:
        kept, problems = validate(observations)
        aside = [p.observation for p in problems if p.observation is not None]
        return kept, slipped(kept, before, {}, dict, set_aside=aside)

    kept, aside = judged(scaled(None))
    moved = [
        o
        for o in kept
        if o.source_model.startswith("anthropic/") and o.value != before.get(price_key(o), o.value)
    ]
    prices = [o for o in valid if o.kind is Kind.PRICE and o.value]
    assert moved and len(moved) < len(prices) / 5  # no block of the whole route
    assert {id(p.observation) for p in aside} >= {
        id(o) for o in moved if not implausible(o.value, o.unit) and not o.scheduled
    }
    assert "as most of its openrouter prices of anthropic/ ids moved" in aside[0].detail
    few = {o.model for o in valid if o.source_model.startswith("anthropic/") and o.model}
    assert judged(scaled(set(sorted(few)[:2])))[1] == []


# LiteLLM's recorded map states this model's input and output the wrong way round (1.41 and
# 0.35, Portkey's 0.35 and 1.41): read without a history, its pair is set aside as read swapped
# (catalog/intake.py `_exchanged_beside_elsewhere`), whatever else the map states.
MAVERICK = "azure_ai/Llama-4-Maverick-17B-128E-Instruct-FP8"


def recorded_swap(problems: list[Problem]) -> bool:
    """Whether `problems` are the recorded map's one swapped pair and nothing else."""
    return len(problems) == 2 and all(
        p.record == MAVERICK and p.rule == FIELDS_SWAPPED_RULE for p in problems
    )


def test_a_block_rescaled_on_a_first_read_is_set_aside_by_the_other_sources() -> None:
    """Fault round 45: the same LiteLLM block x1000 loaded into an empty catalog, where the
    source has no statement of its own to be judged by: its bare bedrock prices, which Portkey,
    models.dev and genai-prices state, became disagreements, but its regional and data-zone
    ones, stated by it alone, went in as 170 values at a thousand times. Where most of the
    prices of a route the source has no history on stand at one power of ten from what the
    other sources state alike, every price of that block they do not confirm is set aside; the
    recorded listing read first sets nothing aside but its one swapped pair."""
    valid = healthy("litellm").valid
    others = {
        s: prices_by_field(healthy(s).valid) for s in ("genai-prices", "modelsdev", "portkey")
    }
    assert recorded_swap(slipped(valid, {}, {}, lambda: others))
    block = [
        replace(o, value=o.value * 1000) if o.route == "bedrock" and o.kind is Kind.PRICE else o
        for o in valid
    ]
    aside = [p for p in slipped(block, {}, {}, lambda: others) if p.record != MAVERICK]
    doubted = {
        id(o)
        for o in block
        if o.route == "bedrock"
        and o.kind is Kind.PRICE
        and o.value
        and not o.scheduled
        and not implausible(o.value, o.unit)
    }
    assert len(doubted) > 100 and {id(p.observation) for p in aside} == doubted
    assert all(p.rule == SLIPPED_RULE for p in aside)
    assert "stand at 1000 times what others state (one block of its listing" in aside[0].detail
    unscoped = {o.dimensions.get("scope") for o in (p.observation for p in aside) if o}
    assert {None, "data_zone"} <= unscoped  # stated by others, and by LiteLLM alone


def test_a_rescaled_block_of_deployments_is_set_aside_beside_right_bare_prices() -> None:
    """A regression round: only LiteLLM's cross-region bedrock keys (data zone and global
    profiles, which no other source states) x1000 loaded into an empty catalog went in as 97
    values, since no reference priced them; and a block set aside on a first read was proposed
    the next day, its route now having a history. A deployment's price is judged by the same
    model's bare price where nothing else prices it (a premium is a tenth or so, never a power
    of ten), and a field is judged so until the source has a history of it."""
    valid = healthy("litellm").valid
    others = {
        s: prices_by_field(healthy(s).valid) for s in ("genai-prices", "modelsdev", "portkey")
    }

    def profile(o: Observation) -> bool:
        return (
            o.route == "bedrock"
            and o.kind is Kind.PRICE
            and o.dimensions.get("scope") in ("data_zone", "global")
        )

    block = [replace(o, value=o.value * 1000) if profile(o) else o for o in valid]
    aside = [p for p in slipped(block, {}, {}, lambda: others) if p.record != MAVERICK]
    assert len(aside) > 100 and all(profile(p.observation) for p in aside if p.observation)
    assert all(p.rule == SLIPPED_RULE for p in aside)
    kept = {id(p.observation) for p in aside}
    applied = prices_by_field(o for o in block if id(o) not in kept)  # the first day's history
    again = [p for p in slipped(block, applied, {}, lambda: others) if p.record != MAVERICK]
    assert {price_key(p.observation) for p in again if p.observation} == {
        price_key(p.observation) for p in aside if p.observation
    }


def test_an_official_zero_beside_the_others_prices_is_set_aside(
    prefect_api: None, tmp_path: Path
) -> None:
    """Fault round 48 (a bug report: models.dev#701, a paid model listed at the price of its
    free twin): OpenRouter's glm-5.2, gpt-oss-20b and two gemma models at "0" in both its
    listings proposed 0 as the new models' prices, which a first load takes in, while
    genai-prices and Portkey priced them. A route's official price of 0 of a field the catalog
    holds no value of, where two other sources state a price and none states 0, is set aside:
    on a first load of every source, none of those zeros is in the catalog."""
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    free = {"openai/gpt-oss-20b", "google/gemma-4-31b-it", "z-ai/glm-5.2"}
    broken: dict[str, dict[str, Any]] = {}
    for url in urls("openrouter"):
        document = json.loads(recorded_text(url))
        for entry in document["data"]:
            if entry["id"] in free:
                entry["pricing"] = {k: "0" for k, v in entry["pricing"].items() if v != "-1"}
        broken[url] = {"body": json.dumps(document)}
    replayed_run(db, fault_world(tmp_path, broken), list(sources()), accept_new=True)
    c = catalog_values.c
    with store.connect(db).connect() as conn:
        zeros = conn.execute(
            select(c.model, c.component).where(
                c.route == "openrouter",
                c.model.in_(["glm-5.2", "gpt-oss-20b", "gemma-4-31b-it"]),
                c.component.in_(["input", "output"]),  # the fields two others state
                c.dimensions == "",  # their :free twins' zeros are right
                c.value == "0",
                c.valid_to.is_(None),
            )
        ).all()
        aside = conn.execute(
            select(quarantine.c.detail).where(quarantine.c.rule == ZERO_BESIDE_RULE)
        ).all()
    assert zeros == [] and len(aside) >= 6, (zeros, len(aside))


ANTHROPIC = "https://platform.claude.com/docs/en/about-claude/pricing.md"
IO = ("input", "output")


def test_a_batch_table_restating_the_standard_prices_is_set_aside() -> None:
    """Fault round 49: Anthropic's Batch table with each model's standard input and output in
    place of its batch prices (a copy slip) proposed 18 official +100 % price changes, and set
    OpenRouter's right batch prices aside as off the official ones. A route's discounted prices
    mostly at their standard price are set aside, the page's other prices read as recorded;
    no recorded source states such a block."""
    lines = recorded_text(ANTHROPIC).split("\n")
    header = next(i for i, line in enumerate(lines) if "Batch input" in line)
    standard: dict[str, tuple[str, str]] = {}
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| Claude") and len(cells) == 6:
            standard[cells[0]] = (cells[1], cells[5])  # base input, output
    rows = range(header + 2, next(i for i in range(header + 2, len(lines)) if not lines[i]))
    for i in rows:
        model = lines[i].strip("|").split("|")[0].strip()
        lines[i] = f"| {model} | {standard[model][0]} | {standard[model][1]} |"
    assert len(rows) >= 5
    slipped_day = read("anthropic-page", {ANTHROPIC: "\n".join(lines).encode()})
    aside = [p for p in slipped_day.problems if p.rule == DISCOUNT_AT_STANDARD_RULE]
    assert len(aside) == 2 * len(rows)
    assert all(p.observation and p.observation.dimensions.get("service_tier") for p in aside)
    kept = {(o.source_model, o.component, o.dimensions.key, o.value) for o in slipped_day.valid}
    recorded_day = healthy("anthropic-page")
    assert kept == {
        (o.source_model, o.component, o.dimensions.key, o.value)
        for o in recorded_day.valid
        if "service_tier=batch" not in o.dimensions.key or o.component.value not in IO
    }
    for name in sources():
        assert not [p for p in healthy(name).problems if p.rule == DISCOUNT_AT_STANDARD_RULE]


def _bedrock_per_1k(body: bytes) -> bytes:
    """LiteLLM's price map with every cost of its `bedrock` provider's entries a thousandth (a
    per-token price read as per 1K tokens); its other Bedrock APIs' entries (`bedrock_converse`)
    as recorded."""
    entries = json.loads(body)
    for entry in entries.values():
        if isinstance(entry, dict) and entry.get("litellm_provider") == "bedrock":
            for key, value in entry.items():
                if (
                    "cost" in key
                    and isinstance(value, (int, float))
                    and not isinstance(value, bool)
                ):
                    entry[key] = value / 1000
    return json.dumps(entries).encode()


def test_a_blocks_lone_prices_a_power_of_ten_off_the_model_elsewhere_are_set_aside() -> None:
    """Fault round h50: LiteLLM's `bedrock` provider /1000 loaded into an empty catalog. Most of
    the block was set aside, but its other Bedrock APIs' entries, right, share its deployments,
    so most of those deployments' prices did not move, and 46 prices only LiteLLM states
    entered at a thousandth (claude-3-7-sonnet's input 0.0036, its price on every other route
    3). A price no other source states, at the power of ten a block of its route moved by from
    the model's price on every other route, is set aside with the block. Read as a refresh
    reads every source at once (catalog/intake.py), from the recorded epoch-2 responses."""
    answered = {source: bodies(source) for source in BLOCK_SOURCES}
    clean = read_together(answered)["litellm"]
    assert not [p for p in clean.problems if p.rule == SLIPPED_RULE]
    answered["litellm"] = {url: _bedrock_per_1k(body) for url, body in answered["litellm"].items()}
    found = read_together(answered)["litellm"]
    elsewhere = [
        p.observation
        for p in found.problems
        if p.rule == SLIPPED_RULE and "the model's price on every other route" in p.detail
    ]
    assert len(elsewhere) >= 30
    assert {o.route for o in elsewhere if o} == {"bedrock"}
    sonnet = {o.component.value for o in elsewhere if o and o.model == "claude-3-7-sonnet"}
    assert {"input", "output"} <= sonnet
    was = {(o.record, o.measure): o.value for o in clean.valid}
    assert not [o for o in elsewhere if o and was.get((o.record, o.measure)) != o.value * 1000]
