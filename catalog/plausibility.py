"""Units are facts to establish: per-unit plausibility bands, units a model is not metered in,
and one price stated in two time units. Pure (the bands are read from data/).

Seven rules, over one refresh's observations from every source:

1. Bands (data/plausibility_bands.json): a non-zero price outside its unit's band is quarantined
   with IMPLAUSIBLE_RULE ("implausible for unit"): a rescaling slip, not a price. 0 is a price.
2. Metering: a model is not metered in tokens when every source that prices it per minute,
   second, hour, character or generated image states no non-zero per-token price for it (a 0
   per token beside a per-second price is a placeholder: LiteLLM's whisper-large-v3 on
   Scaleway; so is LiteLLM's dall-e-3 output 0 per token beside its per-image grid), and no
   official source prices it per token (whisper-1: $0.006 per minute on OpenAI's page; tts-1:
   per character); and so is a model an official source prices per minute, second, hour or
   character and none per token, whatever a secondary states beside it. Its per-token prices
   (Portkey's `tts-1` "15 per 1M tokens", which is OpenAI's per-1M-character price) have no
   stated unit: quarantined with AMBIGUOUS_RULE ("unit-ambiguous"), never stored per token.
3. Equivalent units: where sources state one field (route, model, component, dimensions) per
   second and per minute or hour, or state it in another time unit than the catalog keeps it
   in, the statements are one price: each is converted into the unit an official source states
   it in (else the catalog's, else the largest stated unit; multiplication by 60 or 3600 is
   exact), so compare judges them as one field. A conversion that does not come out exact in
   Decimal (a division that does not terminate) leaves the statement in its own unit.

4. Modalities of one token price: a non-zero per-1M-token price of a non-text modality below a
   hundredth (MODALITY_FLOOR) of the same source's text price of the same field (route, model,
   component, other dimensions) is no token price: no modality's tokens cost a hundredth of
   text's (recorded ratios run from about 1/8 to 10), while a per-image or per-minute price set
   in a per-1M-tokens column lands there (Google's page: gemini-3-pro-image-preview image input
   "$0.0011" under "per 1M tokens", which its footnote prices per image). Quarantined with
   AMBIGUOUS_RULE.

5. No separate price: a secondary source's cache read or cache write of 0 is a price only beside
   its own input price of 0 (a free model; the same route, model and dimensions, a cache
   lifetime aside). Elsewhere it is no price of its own: secondaries write 0 where a provider
   bills cache writes as input (OpenAI, DeepSeek) or has no cache at all (Portkey's gpt-4o
   cache_write, LiteLLM's gemini-robotics-er cache read), and `cost` would bill those tokens at
   $0; and a day a problem hides the source's input key leaves the same 0 no more a price. No
   official source states such a 0 in the recorded world. Quarantined with
   NO_SEPARATE_PRICE_RULE.
6. No price on the route: where a secondary source prices every model of a route at 0 (every
   price it states there, held statements too), the route sells by plan, trial or local run,
   not per unit: models.dev's coding and token plans (`zai-coding-plan`, `alibaba-token-plan`),
   GitHub Models, LM Studio; LiteLLM's `ollama`. Those zeros are no prices (`cost` would quote
   a subscription at $0 a request). A route a source prices at all keeps its free models' zeros
   (OpenRouter's `:free` twins), and so does a route the catalog prices above 0 for a model
   the source states there (a route priced yesterday and all 0 today is a slip to review, not
   a plan). An official source's 0 is its statement. Quarantined with ZERO_ROUTE_RULE.
7. A per-token rate in a per-item field: a non-zero price per image, request, page, second,
   minute or hour (PER_ITEM) equal to a per-token rate the same source states for the same
   model on the same route (one of its per-1M-token prices divided by 10**6) is that rate
   written in the wrong field, not a price of the item: LiteLLM's `output_cost_per_image` set
   to its `output_cost_per_image_token` (BerriAI/litellm#31142), OpenRouter's `image` holding
   a model's `prompt` rate (its recorded Gemini entries do; the band catches those only below
   $0.00001 an image). No real item is priced at a token's rate (a per-image price at a
   per-token rate of $15 per 1M tokens is 0.000015). Quarantined with AMBIGUOUS_RULE; the
   token price stands.

Errors: a bands file without a band for a price unit, or a bound that is not a decimal, raises
ValueError naming the unit.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, Inexact, InvalidOperation, localcontext
from functools import cache
from pathlib import Path

from catalog.health import PriceKey
from schemas.fetch import NOT_USD_RULE
from schemas.field import Dims
from schemas.records import Observation, Problem
from schemas.vocab import PRICE_UNITS, Component, Dim, Kind, Unit

BANDS_FILE = Path(__file__).resolve().parent.parent / "data" / "plausibility_bands.json"
IMPLAUSIBLE_RULE = "implausible for unit"
AMBIGUOUS_RULE = "unit-ambiguous"
NO_SEPARATE_PRICE_RULE = "no separate price"
ZERO_ROUTE_RULE = "every price of the route zero"
CACHE = frozenset({Component.CACHE_READ, Component.CACHE_WRITE})
NOT_TOKENS = frozenset({Unit.PER_MINUTE, Unit.PER_SECOND, Unit.PER_HOUR, Unit.PER_CHARACTER})
SECONDS: dict[Unit, int] = {Unit.PER_SECOND: 1, Unit.PER_MINUTE: 60, Unit.PER_HOUR: 3600}
# units of one item or span of media or one call (rule 7); not per character or pixel, whose
# real prices are a token's size
PER_ITEM = frozenset(
    {
        Unit.PER_IMAGE,
        Unit.PER_REQUEST,
        Unit.PER_PAGE,
        Unit.PER_1K_QUERIES,
        Unit.PER_SECOND,
        Unit.PER_MINUTE,
        Unit.PER_HOUR,
    }
)
_TIME_UNITS = frozenset(unit.value for unit in SECONDS)
# a price that moves tenfold or more from the one in force is an anomaly (a slip, not a repricing)
JUMP = Decimal(10)
# a token limit that moves this many times or more either way is a unit slip (a context window
# stated in thousands of tokens, 131 for 131072), not a new limit: real moves are within 64-fold
# (the recorded world's largest, an output limit restated as the whole context window)
LIMIT_JUMP = Decimal(100)
MODALITY_FLOOR = Decimal(100)
MODALITY = Dim.MODALITY.value
CACHE_TTL = Dim.CACHE_TTL.value

# Members read once: on Python 3.11 `Kind.PRICE` is a metaclass lookup, ~10x a global's cost,
# and these are asked per observation.
_PRICE = Kind.PRICE
_PER_1M_TOKENS = Unit.PER_1M_TOKENS


@dataclass(frozen=True)
class Band:
    """The plausible range of a non-zero price in one unit, USD, bounds included."""

    low: Decimal
    high: Decimal

    def holds(self, value: Decimal) -> bool:
        """Whether `value` (USD, in the band's unit) is plausible: 0 (a free price) or within the
        bounds."""
        return value == 0 or self.low <= value <= self.high


@cache
def bands(path: Path = BANDS_FILE) -> dict[Unit, Band]:
    """Each price unit's band, from `path` (JSON: unit -> {min, max} as decimal strings)."""
    raw = json.loads(path.read_text())
    found: dict[Unit, Band] = {}
    for unit in sorted(PRICE_UNITS):
        entry = raw.get(unit.value)
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: no band for {unit.value}")
        try:
            found[unit] = Band(Decimal(str(entry["min"])), Decimal(str(entry["max"])))
        except (KeyError, InvalidOperation) as exc:
            raise ValueError(f"{path}: {unit.value}: min and max must be decimals") from exc
    return found


def implausible(value: Decimal, unit: Unit, table: dict[Unit, Band] | None = None) -> bool:
    """True when a price `value` in `unit` is outside that unit's band (rule 1)."""
    band = (table or bands()).get(unit)
    return band is not None and not band.holds(value)


def check(
    observations: Sequence[Observation],
    official: Callable[[str, str], bool],
    held: Sequence[Observation] = (),
    in_force: Mapping[PriceKey, Decimal] | None = None,
    set_aside: Sequence[Problem] = (),
) -> tuple[list[Observation], list[Problem]]:
    """(kept, quarantined) by the module's rules: kept in order, converted where rule 3
    applies; one problem per observation set aside. `official(source, route)` says who speaks
    for a route; `held` (the last statements of sources not read this run) count as what sources
    state, and are neither kept nor quarantined here; `in_force` (the catalog's prices in force,
    catalog.runlog.prices_in_force) gives the unit the catalog keeps a field in (rule 3);
    `set_aside` (what the run set aside before these rules: prices in another currency,
    values validation refused) may hide a route's non-zero prices from rule 6."""
    table = bands()
    official = cache(official)  # asked per price, about a few hundred (source, route) pairs
    untokened = _not_metered_in_tokens((*held, *observations), official)
    text_price = _text_prices((*held, *observations))
    free_input = _free_input((*held, *observations))
    zero_routes = _zero_routes((*held, *observations), official, in_force or {}, set_aside)
    token_rates = _token_rates(observations)
    kept: list[Observation] = []
    problems: list[Problem] = []
    for obs in observations:
        if obs.kind is not _PRICE:
            kept.append(obs)
        elif (band := table.get(obs.unit)) is not None and not band.holds(obs.value):
            band = table[obs.unit]
            detail = f"outside the {obs.unit.value} band {band.low}..{band.high}"
            problems.append(_problem(obs, IMPLAUSIBLE_RULE, detail))
        elif (below := _below_text(obs, text_price)) is not None:
            detail = (
                f"{obs.dimensions.get(MODALITY)} {obs.component.value} {obs.value} per 1M tokens"
                f" is under 1/{MODALITY_FLOOR} of the text price {below}: not a token price"
            )
            problems.append(_problem(obs, AMBIGUOUS_RULE, detail))
        elif (rate := _at_token_rate(obs, token_rates)) is not None:
            detail = (
                f"{obs.value} {obs.unit.value} is the per-token rate of the same model's "
                f"{rate} per 1M tokens at this source: a token's rate in a per-item field"
            )
            problems.append(_problem(obs, AMBIGUOUS_RULE, detail))
        elif obs.value == 0 and (obs.source, obs.route) in zero_routes:
            detail = (
                f"{obs.source} prices every model of {obs.route} at 0: sold by plan, trial or "
                "local run, not per unit"
            )
            problems.append(_problem(obs, ZERO_ROUTE_RULE, detail))
        elif (
            obs.value == 0
            and obs.component in CACHE
            and _cache_key(obs) not in free_input
            and not official(obs.source, obs.route)
        ):
            detail = (
                f"{obs.component.value} 0 where the source prices no free input: no price of its "
                "own (billed as input, or no cache), not free"
            )
            problems.append(_problem(obs, NO_SEPARATE_PRICE_RULE, detail))
        elif obs.unit is _PER_1M_TOKENS and obs.model in untokened:
            units = ", ".join(sorted(u.value for u in untokened[obs.model]))
            detail = f"{obs.model} is priced in {units} and per token by no source that does so"
            problems.append(_problem(obs, AMBIGUOUS_RULE, detail))
        else:
            kept.append(obs)
    return _one_time_unit(kept, official, held, _time_units(in_force or {})), problems


def _cache_key(obs: Observation) -> tuple[object, ...]:
    """A price's field as rule 5 pairs a cache price with its input: source, route, model, unit
    and dimensions without a cache lifetime."""
    dims = obs.dimensions
    if CACHE_TTL in dims:
        dims = Dims.of({k: v for k, v in dims.items() if k != CACHE_TTL})
    return (obs.source, obs.route, obs.model, obs.unit, dims)


def _free_input(observations: Sequence[Observation]) -> set[tuple[object, ...]]:
    """The fields (`_cache_key`) whose input their source prices at 0 this run (held statements
    too): a free model, whose 0 cache price is free as well."""
    return {
        _cache_key(obs)
        for obs in observations
        if obs.kind is _PRICE and obs.component is Component.INPUT and obs.value == 0
    }


def _zero_routes(
    observations: Sequence[Observation],
    official: Callable[[str, str], bool],
    in_force: Mapping[PriceKey, Decimal],
    set_aside: Sequence[Problem] = (),
) -> set[tuple[str, str]]:
    """The (source, route) pairs whose every price (held statements too) is 0, of sources not
    official for the route, none of whose models there the catalog prices above 0 in force
    (`in_force`: PriceKey to value) (rule 6). A route on which a record of the source had a
    non-zero price set aside before (`set_aside`: prices in another currency, NOT_USD_RULE, or
    a non-zero value validation refused) is priced: not judged (fault round 33: a route whose
    one priced model stated CNY made its free model look like a plan). A field no parser could
    read (a null cost) is no sign of a price: the route is judged by what was read (fault round
    34: one null cache write let a coding plan's zeros in as prices)."""
    unknown = {
        (p.source, p.record)
        for p in set_aside
        if p.rule == NOT_USD_RULE
        or (p.observation is not None and p.observation.kind is _PRICE and p.observation.value)
    }
    priced: set[tuple[str, str]] = set()
    stated: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    for obs in observations:
        if obs.kind is _PRICE:
            stated[(obs.source, obs.route)].add(obs.model)
            if obs.value != 0:
                priced.add((obs.source, obs.route))
        if unknown and (obs.source, obs.record) in unknown:
            priced.add((obs.source, obs.route))
    catalogued = {(route, model) for (route, model, *_), value in in_force.items() if value}
    return {
        (source, route)
        for (source, route), models in stated.items()
        if (source, route) not in priced
        and not official(source, route)
        and not any((route, model) in catalogued for model in models)
    }


def _not_tokens(obs: Observation) -> bool:
    """Whether a price meters its model in a unit that is no token: time or characters, or a
    generated image (a per-image input is a vision price beside token prices)."""
    return obs.unit in NOT_TOKENS or (
        obs.unit is Unit.PER_IMAGE and obs.component is Component.OUTPUT
    )


def _not_metered_in_tokens(
    observations: Sequence[Observation], official: Callable[[str, str], bool]
) -> dict[str, set[Unit]]:
    """Models priced in units other than tokens by sources that never price them per token, or
    by an official source per minute, second, hour or character, where no official source
    prices them per token: a secondary's own per-token price of such a model vouches for none
    (a per-image price says nothing so: an image model's text and image tokens are billed per
    token beside its per-image prices, gpt-image-latest; a fault round: LiteLLM's tts-1
    `input_cost_per_character` renamed `input_cost_per_token` put LiteLLM among those pricing
    it per token, and its 15 per 1M tokens, OpenAI's per-1M-character price, entered the
    catalog with Portkey's alike beside OpenAI's own per-character price)."""
    other: dict[str, dict[str, set[Unit]]] = defaultdict(lambda: defaultdict(set))
    for obs in observations:
        if obs.kind is _PRICE and obs.model is not None and _not_tokens(obs):
            other[obs.model][obs.source].add(obs.unit)
    if not other:
        return {}
    per_token: dict[str, set[str]] = defaultdict(set)
    officially_tokens: set[str] = set()
    officially_other = {  # an official source prices them by time or by character
        obs.model
        for obs in observations
        if obs.model in other
        and obs.kind is _PRICE
        and obs.unit in NOT_TOKENS
        and official(obs.source, obs.route)
    }
    for obs in observations:  # the per-token prices of those models
        if (
            obs.model in other
            and obs.unit is _PER_1M_TOKENS
            and obs.kind is _PRICE
            and obs.value != 0  # 0 there is a placeholder
        ):
            per_token[obs.model].add(obs.source)
            if official(obs.source, obs.route):
                officially_tokens.add(obs.model)
    return {
        model: set().union(*by_source.values())
        for model, by_source in other.items()
        if model not in officially_tokens
        and (model in officially_other or not set(by_source) & per_token[model])
    }


def _time_units(in_force: Mapping[PriceKey, Decimal]) -> dict[tuple[object, ...], Unit]:
    """The time unit the catalog keeps each field in (by `_time_field`), of its prices in force."""
    found: dict[tuple[object, ...], Unit] = {}
    for route, model, component, unit, dims in in_force:
        if unit in _TIME_UNITS:
            found[(route, model, Component(component), dims)] = Unit(unit)
    return found


def _one_time_unit(
    observations: list[Observation],
    official: Callable[[str, str], bool],
    held: Sequence[Observation] = (),
    kept_in: Mapping[tuple[object, ...], Unit] | None = None,
) -> list[Observation]:
    """Rule 3: one field's per-second, per-minute and per-hour statements in one unit (`held`
    statements count among them, and are not returned). `kept_in`: the time unit the catalog
    keeps a field in, which counts as stated by an official source where none states the field
    this run (OpenAI's page read without its Whisper row: LiteLLM's per-second price of it is
    still the catalog's per-minute one)."""
    units: dict[tuple[object, ...], set[Unit]] = defaultdict(set)
    for key, unit in (kept_in or {}).items():
        units[key].add(unit)
    official_unit: dict[tuple[object, ...], Unit] = dict(kept_in or {})
    for obs in (*held, *observations):
        if obs.kind is _PRICE and obs.unit in SECONDS:
            key = _time_field(obs)
            units[key].add(obs.unit)
            if official(obs.source, obs.route):
                official_unit[key] = obs.unit
    out: list[Observation] = []
    for obs in observations:
        stated = units.get(_time_field(obs)) if obs.kind is _PRICE and obs.unit in SECONDS else None
        if stated is None or len(stated) < 2:
            out.append(obs)
            continue
        target = official_unit.get(_time_field(obs)) or max(stated, key=SECONDS.__getitem__)
        out.append(_converted(obs, target))
    return out


def _token_field(obs: Observation) -> tuple[object, ...]:
    """(source, route, model, component, dimensions but modality) of a per-1M-token price."""
    dims = obs.dimensions
    if MODALITY in dims:
        dims = Dims.of({k: v for k, v in dims.items() if k != MODALITY})
    return (obs.source, obs.route, obs.model or obs.source_model, obs.component, dims.key)


def _text_prices(observations: Sequence[Observation]) -> dict[tuple[object, ...], Decimal]:
    """Each source's non-zero text price per 1M tokens, by _token_field."""
    return {
        _token_field(o): o.value
        for o in observations
        if o.kind is _PRICE
        and o.unit is _PER_1M_TOKENS
        and o.dimensions.get(MODALITY, "text") == "text"
        and o.value > 0
    }


def _below_text(obs: Observation, text_price: dict[tuple[object, ...], Decimal]) -> Decimal | None:
    """Rule 4: the text price `obs` (a non-text per-1M-token price) is under a hundredth of."""
    if obs.unit is not _PER_1M_TOKENS or obs.value <= 0:
        return None
    if obs.dimensions.get(MODALITY, "text") == "text":
        return None
    text = text_price.get(_token_field(obs))
    return text if text is not None and obs.value * MODALITY_FLOOR < text else None


def _token_rates(
    observations: Sequence[Observation],
) -> dict[tuple[str, str, str], dict[Decimal, Observation]]:
    """Rule 7: by (source, route, model as the source names it), each non-zero per-token rate
    (USD per token) the source states of the model, with the per-1M-token price stating it."""
    rates: dict[tuple[str, str, str], dict[Decimal, Observation]] = defaultdict(dict)
    for o in observations:
        if o.kind is _PRICE and o.unit is _PER_1M_TOKENS and o.value > 0:
            rates[o.source, o.route, o.source_model].setdefault(o.value.scaleb(-6), o)
    return rates


def _at_token_rate(
    obs: Observation, rates: Mapping[tuple[str, str, str], Mapping[Decimal, Observation]]
) -> str | None:
    """Rule 7: the per-1M-token field (of `_token_rates`) whose per-token rate a per-item price
    `obs` equals, as text (its component, dimensions and price), else None."""
    if obs.unit not in PER_ITEM or obs.value <= 0:
        return None
    found = rates.get((obs.source, obs.route, obs.source_model), {}).get(obs.value)
    return None if found is None else f"{found.measure.text()} = {found.value}"


def _time_field(obs: Observation) -> tuple[object, ...]:
    return (obs.route, obs.model or obs.source_model, obs.component, obs.dimensions.key)


def _converted(obs: Observation, target: Unit) -> Observation:
    if obs.unit is target:
        return obs
    factor = Decimal(SECONDS[target]) / Decimal(SECONDS[obs.unit])
    with localcontext() as ctx:
        ctx.traps[Inexact] = True
        try:
            value = obs.value * factor
        except Inexact:
            return obs
    evidence = f"{obs.evidence} (as {target.value}: {obs.value} {obs.unit.value} x {factor})"
    return replace(obs, unit=target, value=value, evidence=evidence)


def _problem(obs: Observation, rule: str, detail: str) -> Problem:
    return Problem(
        source=obs.source,
        record=obs.record or obs.source_model,
        rule=rule,
        detail=f"{obs.measure.text()} {obs.value} {obs.unit.value} ({obs.evidence}): {detail}",
        observation=obs,
        field=f"{obs.source_model} {obs.measure.text()}",
    )


def jumped(current: Decimal, proposed: Decimal) -> bool:
    """Whether a price proposed in place of `current` (the one in force, same unit) moved
    tenfold or more either way (a unit or decimal slip, not a repricing), or to zero from a
    price (a free model's price is stated as such from its first day)."""
    low, high = sorted((current, proposed))
    if low == 0:
        return high != 0 and current != 0
    return high / low >= JUMP


# A move from a price by this factor or more is a slip of unit, never a repricing.
UNIT_SLIP = Decimal(100)


def unit_slipped(current: Decimal, value: Decimal) -> bool:
    """Whether price `value` is at least UNIT_SLIP times `current` or at most its UNIT_SLIP-th
    (per 1K tokens read for per 1M is a thousandfold; 0 and a move to 0 are `jumped`'s to
    judge, not a slip of unit)."""
    if not current or not value:
        return False
    ratio = value / current
    return ratio >= UNIT_SLIP or ratio * UNIT_SLIP <= 1


def limit_jumped(current: Decimal, proposed: Decimal) -> bool:
    """Whether a token limit (a context window, most input or output tokens) proposed in place
    of `current` moved LIMIT_JUMP-fold or more either way: the limit stated in another unit (in
    thousands of tokens), not a new limit. A limit of 0 is never stated (it means unknown)."""
    low, high = sorted((current, proposed))
    return low > 0 and high / low >= LIMIT_JUMP
