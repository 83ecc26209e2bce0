"""Context thresholds across sources: a tier whose threshold contradicts the one the route's
own source states is a flag, never a new tier. Pure.

A context tier is a price with `context_above=N`. Sources read N from different places: a
pricing page's table ("prompts > 200k tokens"), a price API's tier field, or only a key's name
(Portkey's `gemini-2.5-pro-gt-128k`, whose 128k contradicts Google's 200k). The same model on the
same route has one set of thresholds, so the rule, per (route, model):

- the reference thresholds are those the route's official sources state for the model; where
  no official source states a tier, those every other source states for it on that route,
  provided at least two other sources state tiers and they agree (one source against one other is
  a disagreement of sources, for compare to report, not a contradiction);
- a source's price whose threshold is not among the reference thresholds is quarantined with
  the rule THRESHOLD_RULE, its observation kept as the evidence: it becomes an anomaly for a
  reviewer, and no field `context_above=N` is made of it, whatever else the source states (fault
  rounds: LiteLLM's `claude-sonnet-4-5` tier keys renamed to 128k beside its dated key's 200k;
  Gemini 1.5's 128k tier keys pasted into a 2.5 record beside its 200k ones; recorded, Portkey's
  gemini-3.1-pro-preview tier above 128k beside its 200k one, where LiteLLM, models.dev and
  genai-prices state 200k alone);
- where the route's official source prices the model with no tier at all, a secondary's tier
  priced exactly as its own price below the threshold is a phantom (a key name's threshold over
  a flat price: Portkey's `gemini-2.0-flash-gt-128k`), quarantined by the same rule. A tier
  priced differently is kept: the official reader may not state every tier (Azure's long-context
  meters name no threshold), and compare reports what it finds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cache

from schemas.field import Dims
from schemas.records import Observation, Problem
from schemas.vocab import Component, Dim, Kind, Unit

THRESHOLD_RULE = "threshold contradicts"

RouteModel = tuple[str, str]
# A measure as plain values (kind, component, unit, dimensions key): equal exactly when the
# Measures are, and hashed without calling the dataclass's methods.
_MeasureKey = tuple[Kind, Component, Unit, str]
_CONTEXT_ABOVE = Dim.CONTEXT_ABOVE.value

# Members read once: on Python 3.11 `Kind.PRICE` is a metaclass lookup, ~10x a global's cost,
# and these are asked per observation.
_PRICE = Kind.PRICE


def contradicting(
    observations: Sequence[Observation],
    official: Callable[[str, str], bool],
    held: Sequence[Observation] = (),
) -> tuple[list[Observation], list[Problem]]:
    """(kept, flagged): the observations in their order without those whose context threshold
    contradicts the reference for their (route, model) (module docstring), and one problem per
    flagged observation. `official(source, route)` says who speaks for a route; `held` (the last
    statements of sources not read this run) count as stated, and are neither kept nor flagged."""
    official = cache(official)  # asked per price, about a few hundred (source, route) pairs
    stated: dict[RouteModel, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    flat: set[RouteModel] = set()  # priced by the route's official source, which states no tier
    # Each source's untiered prices, by (source, (route, model), measure as a _MeasureKey).
    base: dict[tuple[str, RouteModel, _MeasureKey], Decimal] = {}
    for obs in (*held, *observations):
        if obs.model is None or obs.kind is not _PRICE:
            continue
        above = _threshold(obs)
        if above is not None:
            stated[(obs.route, obs.model)][obs.source].add(above)
        else:
            measure = (obs.kind, obs.component, obs.unit, obs.dimensions.key)
            base[(obs.source, (obs.route, obs.model), measure)] = obs.value
            if official(obs.source, obs.route):
                flat.add((obs.route, obs.model))
    kept: list[Observation] = []
    flagged: list[Problem] = []
    for obs in observations:
        above = _threshold(obs) if obs.kind is _PRICE else None
        if above is None or obs.model is None:
            kept.append(obs)
            continue
        key = (obs.route, obs.model)
        by_source = stated[key]
        reference, who = _reference(obs, by_source, official)
        if not reference and _phantom(obs, key, by_source, flat, base, official):
            flagged.append(
                _flag(
                    obs,
                    above,
                    "is priced as below it, and the route's official source states no tier for",
                    key,
                )
            )
            continue
        if not reference or above in reference:
            kept.append(obs)
            continue
        thresholds = ", ".join(str(t) for t in sorted(reference))
        flagged.append(
            _flag(obs, above, f"contradicts the {thresholds} {', '.join(who)} state for", key)
        )
    return kept, flagged


def _flag(obs: Observation, above: int, why: str, key: RouteModel) -> Problem:
    return Problem(
        source=obs.source,
        record=obs.record or obs.source_model,
        rule=THRESHOLD_RULE,
        detail=f"context_above={above} ({obs.evidence}) {why} {key[0]}/{key[1]}",
        observation=obs,
        field=f"{obs.source_model} {obs.measure.text()}",
    )


def _phantom(
    obs: Observation,
    key: RouteModel,
    by_source: dict[str, set[int]],
    flat: set[RouteModel],
    base: dict[tuple[str, RouteModel, _MeasureKey], Decimal],
    official: Callable[[str, str], bool],
) -> bool:
    """A secondary's tier equal to its own untiered price, where the official states no tier."""
    if official(obs.source, obs.route) or key not in flat:
        return False
    if any(official(s, obs.route) for s in by_source):
        return False
    dims = {k: v for k, v in obs.dimensions.items() if k != Dim.CONTEXT_ABOVE.value}
    below = (obs.kind, obs.component, obs.unit, Dims.of(dims).key)
    return base.get((obs.source, key, below)) == obs.value


def _threshold(obs: Observation) -> int | None:
    if obs.kind is not _PRICE:
        return None
    above = obs.dimensions.get(_CONTEXT_ABOVE)
    return int(above) if above is not None and above.isdigit() else None


def _reference(
    obs: Observation, by_source: dict[str, set[int]], official: Callable[[str, str], bool]
) -> tuple[set[int], list[str]]:
    """The thresholds `obs` is judged against, and the sources that state them."""
    if official(obs.source, obs.route):
        return set(), []
    officials = sorted(s for s in by_source if official(s, obs.route))
    if officials:
        return set().union(*(by_source[s] for s in officials)), officials
    others = sorted(s for s in by_source if s != obs.source)
    if len(others) < 2 or len({frozenset(by_source[s]) for s in others}) != 1:
        return set(), []
    return set(by_source[others[0]]), others
