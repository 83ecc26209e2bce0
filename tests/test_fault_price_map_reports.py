"""Price-map mistakes public reports describe, each made here from a real recorded response:
what ratecard does with the mistake when an aggregator ships it.

- truefoundry/models#765: a bot sync set o3's batch prices equal to its standard ones (no batch
  discount) in a LiteLLM-format map; an entry stating another model's prices is the alias
  mistake of the same kind. A secondary source's price other than the official one is a
  disagreement the reviewer sees, beside the official value it contradicts.
- A cache read dearer than the input price of the same field (the cache_read_le_input rule) is
  quarantined alone, whichever aggregator states it.
- charmbracelet/catwalk#405: Vercel's gateway listing stated cache read and cache write prices
  swapped. The reads show it (dearer than the input); the cheap writes in their place are set
  aside with them (cache_write_beside_dearer_read), not proposed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from catalog.compare import Context, compare
from catalog.identity import Identity
from catalog.normalize import draft_source, learn_official_models, observations
from schemas.fetch import FetchedPage
from schemas.records import ReviewKind
from schemas.sources import is_official, sources
from tests.observed import world_drafts
from tests.test_fault_kinds import bodies, healthy, read, urls

NOW = datetime(2026, 9, 1, tzinfo=UTC)
LITELLM = urls("litellm")[0]


def litellm_changed(change: Any) -> FetchedPage:
    """epoch-2's LiteLLM map, changed in place by `change`, as one fetched page."""
    document = json.loads(bodies("litellm")[LITELLM])
    change(document)
    records = sources()["litellm"].parser.parse(json.dumps(document).encode(), LITELLM).records
    return FetchedPage(LITELLM, LITELLM, 200, NOW, records)


def no_batch_discount(document: dict[str, Any]) -> None:
    entry = document["gpt-4o"]
    entry["input_cost_per_token_batches"] = entry["input_cost_per_token"]
    entry["output_cost_per_token_batches"] = entry["output_cost_per_token"]


def another_models_prices(document: dict[str, Any]) -> None:
    for key in ("input_cost_per_token", "output_cost_per_token"):
        document["gpt-4o-mini"][key] = document["gpt-4o"][key]


@pytest.mark.parametrize(
    ("change", "model", "kind", "expected"),
    [
        (
            no_batch_discount,
            "gpt-4o",
            ReviewKind.DISAGREEMENT,
            {
                ("input", "service_tier=batch", "1.25", "2.5"),
                ("output", "service_tier=batch", "5", "10"),
            },
        ),
        (
            another_models_prices,
            "gpt-4o-mini",
            ReviewKind.ANOMALY,
            {("input", "", "0.15", "2.5"), ("output", "", "0.6", "10")},
        ),
    ],
    ids=["batch without its discount", "an entry with another model's prices"],
)
def test_a_secondary_price_map_mistake_is_a_disagreement_with_the_official_price(
    change: Any, model: str, kind: ReviewKind, expected: set[tuple[str, str, str, str]]
) -> None:
    """LiteLLM's map with a reported kind of mistake, beside OpenAI's pricing page (official for
    openai): gpt-4o's batch prices set to its standard ones (truefoundry/models#765), or
    gpt-4o-mini's entry stating gpt-4o's prices. On a first load each mistaken price is an
    open item naming both values, and the official value is the one that enters: a
    disagreement, or an anomaly where the mistake is tenfold or more off (gpt-4o's prices are
    about 16 times gpt-4o-mini's: a slip, never a value to take)."""
    batches = [
        world_drafts("openai-page"),
        draft_source(sources()["litellm"], [litellm_changed(change)]),
    ]
    identity = Identity.load()
    learn_official_models(identity, batches)
    found = [o for b in batches for o in observations(b, identity)]
    context = Context(
        run_id=1, now=NOW, accept_new=True, official=is_official, complete_sources=frozenset()
    )
    result = compare(found, {}, {}, [], context)
    said = {
        (c.component.value, c.dimensions.key, c.current, c.proposed)
        for i in result.items
        if (i.kind, i.route, i.model) == (kind, "openai", model)
        for c in i.changes
    }
    assert said == expected
    entered = {
        (n.field.component.value, n.field.measure.dims.key, n.value, n.verified_by)
        for n in result.new_values
        if (n.field.route, n.field.model) == ("openai", model)
    }
    for component, dims, current, _ in expected:
        assert (component, dims, Decimal(current), "openai-page") in entered


def dearer_cache_read(source: str) -> tuple[str, dict[str, bytes]]:
    """`source`'s recorded bodies with gpt-4o's cache read at 25 per 1M tokens (10x its input
    price), and the record that states it."""
    url = urls(source)[0]
    document = json.loads(bodies(source)[url])
    if source == "litellm":
        document["gpt-4o"]["cache_read_input_token_cost"] = 2.5e-05
        record = "gpt-4o"
    else:
        [model] = [
            m for p in document if p["id"] == "openai" for m in p["models"] if m["id"] == "gpt-4o"
        ]
        model["prices"]["cache_read_mtok"] = 25
        record = "openai/gpt-4o"
    return record, {**bodies(source), url: json.dumps(document).encode()}


@pytest.mark.parametrize("source", ["litellm", "genai-prices"])
def test_a_cache_read_dearer_than_its_input_is_quarantined_alone(source: str) -> None:
    record, answered = dearer_cache_read(source)
    found = read(source, answered)
    before = healthy(source)
    assert not found.failure, found.failure
    [problem] = [p for p in found.problems if p not in before.problems]
    assert (problem.record, problem.rule) == (record, "cache_read_le_input")
    mine = [o for o in found.valid if o.record == record]
    assert mine == [
        o
        for o in before.valid
        if o.record == record and (o.component.value, o.dimensions.key) != ("cache_read", "")
    ]


def test_cache_read_and_write_swapped_are_set_aside_together() -> None:
    url = urls("vercel")[0]
    document = json.loads(bodies("vercel")[url])
    for entry in document["data"]:
        pricing = entry.get("pricing") or {}
        for price in ("input_cache_{}", "input_cache_{}_tiers"):
            read_key, write_key = price.format("read"), price.format("write")
            if read_key in pricing and write_key in pricing:
                pricing[read_key], pricing[write_key] = pricing[write_key], pricing[read_key]
    found = read("vercel", {url: json.dumps(document).encode()})
    assert not found.failure, found.failure
    before = healthy("vercel")
    new = [p for p in found.problems if p not in before.problems]
    reads = {
        p.record for p in new if p.observation and p.observation.component.value == "cache_read"
    }
    writes = {
        p.record for p in new if p.observation and p.observation.component.value == "cache_write"
    }
    assert len(reads) >= 10 and writes == reads
    assert {p.rule for p in new if p.record in writes} == {
        "cache_read_le_input",
        "cache_write_beside_dearer_read",
    }
    # the records' other fields stand as read
    kept = {(o.record, o.component.value, o.dimensions.key, o.value) for o in found.valid}
    assert {
        (o.record, o.component.value, o.dimensions.key, o.value)
        for o in before.valid
        if o.record in reads and o.component.value in ("input", "output")
    } <= kept
