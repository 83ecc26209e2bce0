"""Cache lifetimes across sources (issue 9 build 3, catalog/lifetimes.py): a cache write stated
without lifetime beside the route's per-lifetime ones is one of them, never a third field."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

from catalog.identity import Identity
from catalog.lifetimes import CONFLICT_RULE, LIFETIME_RULE, with_lifetimes
from catalog.normalize import draft_source, learn_official_models, observations
from schemas.fetch import FetchedPage
from schemas.field import Dims
from schemas.records import Observation
from schemas.sources import sources
from schemas.vocab import Component
from tests.conftest import snapshot

RECORDED = {
    "openrouter": (
        "https://openrouter.ai/api/v1/models",
        "openrouter/models.2026-08-19.json",
        datetime(2026, 8, 19, tzinfo=UTC),
    ),
    "genai-prices": (
        "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json",
        "genai-prices/v2/data.json",
        datetime(2026, 8, 21, tzinfo=UTC),
    ),
}


@cache
def _recorded() -> tuple[Observation, ...]:
    batches = []
    for source, (url, relative, at) in RECORDED.items():
        records = sources()[source].parser.parse(snapshot(relative), url).records
        batches.append(draft_source(sources()[source], [FetchedPage(url, url, 200, at, records)]))
    identity = Identity.load()
    learn_official_models(identity, batches)
    return tuple(o for batch in batches for o in observations(batch, identity))


def _writes(
    found: list[Observation] | tuple[Observation, ...], route: str, model: str
) -> set[tuple[str, str, Decimal]]:
    return {
        (o.source, o.dimensions.get("cache_ttl", ""), o.value)
        for o in found
        if (o.route, o.model, o.component) == (route, model, Component.CACHE_WRITE)
        and set(o.dimensions) <= {"cache_ttl"}
    }


def test_recorded_openrouter_cache_write_without_lifetime_is_the_5m_one() -> None:
    found = _recorded()
    assert _writes(found, "openrouter", "claude-haiku-4-5") == {
        ("openrouter", "5m", Decimal("1.25")),
        ("openrouter", "1h", Decimal("2")),
        ("genai-prices", "", Decimal("1.25")),  # a third, TTL-less field today
    }
    kept, problems = with_lifetimes(found)
    assert _writes(kept, "openrouter", "claude-haiku-4-5") == {
        ("openrouter", "5m", Decimal("1.25")),
        ("openrouter", "1h", Decimal("2")),
        ("genai-prices", "5m", Decimal("1.25")),
    }
    # no (route, model) keeps a TTL-less cache write beside a TTL'd one
    with_ttl = {
        (o.route, o.model)
        for o in kept
        if o.component is Component.CACHE_WRITE and "cache_ttl" in o.dimensions
    }
    assert not [
        o
        for o in kept
        if o.component is Component.CACHE_WRITE
        and "cache_ttl" not in o.dimensions
        and (o.route, o.model) in with_ttl
    ]
    assert not problems


def _on_route(found: tuple[Observation, ...], route: str, model: str) -> list[Observation]:
    """The recorded openrouter statements about `model`, moved to a route with no documented
    default lifetime (a variant made here)."""
    return [
        replace(o, route=route)
        for o in found
        if o.route == "openrouter" and o.model == model and o.component is Component.CACHE_WRITE
    ]


def test_variant_on_a_route_without_default_takes_the_lifetime_it_equals() -> None:
    moved = _on_route(_recorded(), "someroute", "claude-haiku-4-5")
    kept, problems = with_lifetimes(moved)
    assert not problems
    assert ("genai-prices", "5m", Decimal("1.25")) in _writes(kept, "someroute", "claude-haiku-4-5")


def test_variant_equal_to_no_lifetime_is_quarantined() -> None:
    moved = _on_route(_recorded(), "someroute", "claude-haiku-4-5")
    odd = [replace(o, value=Decimal("1.5")) if o.source == "genai-prices" else o for o in moved]
    kept, problems = with_lifetimes(odd)
    assert [(p.source, p.rule) for p in problems] == [("genai-prices", LIFETIME_RULE)]
    assert "genai-prices" not in {s for s, _, _ in _writes(kept, "someroute", "claude-haiku-4-5")}


def test_variant_relabelled_write_conflicting_with_the_source_own_is_quarantined() -> None:
    """A source stating the 5m write and a different TTL-less one contradicts itself."""
    found = _recorded()
    own = [
        replace(o, source="genai-prices")
        for o in found
        if (o.source, o.route, o.model) == ("openrouter", "openrouter", "claude-haiku-4-5")
        and o.component is Component.CACHE_WRITE
        and o.dimensions.get("cache_ttl") == "5m"
    ]
    odd = [
        replace(o, value=Decimal("9"))
        for o in found
        if (o.source, o.route, o.model) == ("genai-prices", "openrouter", "claude-haiku-4-5")
        and o.component is Component.CACHE_WRITE
    ]
    _, before = with_lifetimes(found)
    _, problems = with_lifetimes([*found, *own, *odd])
    added = [p for p in problems if p not in before]
    assert [(p.rule, p.observation.value) for p in added if p.observation] == [
        (CONFLICT_RULE, Decimal("9"))
    ]


def test_variant_long_context_write_without_lifetime_takes_the_route_default() -> None:
    """A TTL-less write of a long-context tier (models.dev's openrouter claude-opus-4-6
    context_above=200000 in epoch-2), made here from genai-prices' recorded one: on a route whose
    cache writes have lifetimes it is the documented default's, though no source states the
    tier per lifetime."""
    found = _recorded()
    tier = [
        replace(o, dimensions=Dims.of({"context_above": "200000"}))
        for o in found
        if (o.source, o.route, o.model) == ("genai-prices", "openrouter", "claude-haiku-4-5")
        and o.component is Component.CACHE_WRITE
    ]
    kept, problems = with_lifetimes([*found, *tier])
    assert not problems
    relabelled = [
        o
        for o in kept
        if o.evidence.endswith(
            "(no lifetime stated: openrouter's documented default cache lifetime, 5m)"
        )
        and o.dimensions.get("context_above")
    ]
    assert relabelled
    assert {o.dimensions.key for o in relabelled} == {"cache_ttl=5m;context_above=200000"}
