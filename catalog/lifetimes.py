"""Cache lifetimes across sources: one field per real price. Pure.

A cache write is priced per lifetime where the model's cache has lifetimes (a 5-minute and a
1-hour write for Claude). A source that states such a price without a lifetime (models.dev,
genai-prices, LiteLLM on resold routes) states one of those fields, not a third one. After
identity, per (route, model) for which some source states a cache write with a lifetime:

- a cache write without lifetime is the route's documented default lifetime
  (schemas/vocab.py RESOLD_CACHE_TTL_DEFAULTS), whatever its other dimensions (a long-context
  tier's write included: the lifetime is the cache's, not the tier's);
- on a route with no documented default, it is the lifetime whose price it equals among those
  the sources state for that field (same other dimensions), if exactly one; a field no source
  states per lifetime is left as it is; otherwise it is quarantined with
  LIFETIME_RULE (which lifetime it prices is not stated), its observation kept as evidence;
- relabelled, it may meet the same source's own statement of that field: the same value is one
  statement; a different value quarantines it ("conflicting values", as a record that states a
  field twice).

A (route, model) for which no source states a lifetime keeps its cache writes as they are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from schemas.field import Dims, Measure
from schemas.records import Observation, Problem
from schemas.vocab import RESOLD_CACHE_TTL_DEFAULTS, Component, Dim

LIFETIME_RULE = "cache lifetime unstated"
CONFLICT_RULE = "conflicting values"

Field = tuple[str, str, Measure]  # (route, model, measure)

# Members read once: on Python 3.11 `Kind.PRICE` is a metaclass lookup, ~10x a global's cost,
# and these are asked per observation.
_CACHE_WRITE = Component.CACHE_WRITE


def with_lifetimes(
    observations: Sequence[Observation], held: Sequence[Observation] = ()
) -> tuple[list[Observation], list[Problem]]:
    """(kept, quarantined): the observations in their order, each lifetime-less cache write of a
    (route, model) whose writes have lifetimes relabelled with one (module docstring), and one
    problem per cache write that could not be given one or that conflicts once relabelled.
    `held` are the last statements standing in for what is not read this run: they count as
    what the route states (a source can only fail itself), but are neither kept nor quarantined
    here, and are not what a source states this run (a relabelled write equal to its own held
    one is still kept: a partial source holds only its failed URLs' statements)."""
    ttl = Dim.CACHE_TTL.value
    lifetimes: dict[Field, dict[str, set[Decimal]]] = defaultdict(lambda: defaultdict(set))
    # each source's statement of a field this run, per effective date (a scheduled price is
    # another one)
    stated: dict[tuple[object, ...], Decimal] = {}
    priced_per_lifetime: set[tuple[str, str]] = set()  # (route, model)
    for live, statements in ((False, held), (True, observations)):
        for obs in statements:
            if _cache_write(obs) and ttl in obs.dimensions:
                bare = _without_ttl(obs.measure)
                lifetimes[(obs.route, obs.model or "", bare)][obs.dimensions[ttl]].add(obs.value)
                if live:
                    stated[_statement(obs, obs.measure)] = obs.value
                priced_per_lifetime.add((obs.route, obs.model or ""))
    kept: list[Observation] = []
    problems: list[Problem] = []
    for obs in observations:
        if not _cache_write(obs) or ttl in obs.dimensions or obs.model is None:
            kept.append(obs)
            continue
        by_lifetime = lifetimes.get((obs.route, obs.model, obs.measure), {})
        lifetime = RESOLD_CACHE_TTL_DEFAULTS.get(obs.route)
        if (obs.route, obs.model) not in priced_per_lifetime or (
            lifetime is None and not by_lifetime
        ):
            kept.append(obs)
            continue
        how = f"{obs.route}'s documented default cache lifetime"
        if lifetime is None:
            equal = [t for t, values in by_lifetime.items() if obs.value in values]
            if len(equal) != 1:
                problems.append(_problem(obs, LIFETIME_RULE, _stated(by_lifetime)))
                continue
            lifetime, how = equal[0], "the lifetime whose price it equals"
        relabelled = _relabel(obs, lifetime, how)
        own = stated.get(_statement(obs, relabelled.measure))
        if own is None:
            stated[_statement(obs, relabelled.measure)] = obs.value
            kept.append(relabelled)
        elif own != obs.value:
            detail = f"{lifetime} write {own} and no-lifetime write {obs.value}"
            problems.append(_problem(obs, CONFLICT_RULE, detail))
    return kept, problems


def _statement(obs: Observation, measure: Measure) -> tuple[object, ...]:
    return (obs.source, obs.route, obs.model or "", measure, obs.effective_from)


def _cache_write(obs: Observation) -> bool:
    return obs.component is _CACHE_WRITE


def _without_ttl(measure: Measure) -> Measure:
    dims = {k: v for k, v in measure.dims.items() if k != Dim.CACHE_TTL.value}
    return Measure(measure.kind, measure.component, measure.unit, Dims.of(dims))


def _relabel(obs: Observation, lifetime: str, how: str) -> Observation:
    dims = Dims.of({**obs.dimensions, Dim.CACHE_TTL.value: lifetime})
    evidence = f"{obs.evidence} (no lifetime stated: {how}, {lifetime})"
    return replace(obs, dimensions=dims, evidence=evidence)


def _stated(by_lifetime: dict[str, set[Decimal]]) -> str:
    return "; ".join(
        f"{t}: {', '.join(str(v) for v in sorted(values))}"
        for t, values in sorted(by_lifetime.items())
    )


def _problem(obs: Observation, rule: str, detail: str) -> Problem:
    what = f"{obs.route}/{obs.model} {obs.measure.text()} {obs.value}"
    return Problem(
        source=obs.source,
        record=obs.record or obs.source_model,
        rule=rule,
        detail=f"{what} ({obs.evidence}): {detail}",
        observation=obs,
        field=f"{obs.source_model} {obs.measure.text()}",
    )
