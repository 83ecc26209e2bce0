"""pydantic genai-prices v2 `data.json`: a curated price database (an aggregator).

The body is a list of providers `{id, name, api_pattern, ..., models: [model]}`; one record is
one provider's model. The route is the genai-prices provider id (`aws`, `x-ai`, `google`...;
data/aliases/genai_prices.json maps them).

Quirks:
- Price keys come from genai-prices' unit registry (prices/units.yml): `*_mtok` is USD per 1M
  tokens, `*_kcount` USD per 1000 (searches, requests), `input_mchars` per 1M characters,
  `*_hours` per hour of audio, `input_gpixels` per 10^9 pixels, `input_document_kpages` per 1000
  pages. Citation tokens are output with variant=citation. A key the vocabulary has no place
  for (tool-definition tokens, rerank or code-execution counts...) is quarantined by name (that
  field alone) rather than vanish.
- A price is a number or a cliff-tiered object `{base, tiers: [{start, price}]}`: `base` below
  the first tier, each tier's price for the whole request once input tokens pass `start`
  (`context_above = start`).
- `prices` may instead be a list of conditional price sets `[{constraint?, prices}]` with exactly
  one unconstrained set:
  - `start_date` constraints are price changes: each set's drafts carry its start as their
    `effective_from` (the unconstrained set has none: in force before every start), and the
    evidence names the start date. The normalizer has no clock, so by default it emits every
    set; the refresh keeps, as of the response's date, the set in force and the ones scheduled
    after it (catalog/schedule.py): claude-sonnet-5's 2026-09-01 price in the 2026-08-21 file
    is scheduled, not current. `normalize(record, as_of=date)` emits only the set in force on
    that date.
  - a constraint may also name its kind in a `type` key, as genai-prices' own JS package data
    writes every one (`{type: "start_date", start_date}`, `{type: "time_of_date", start_time,
    end_time}`): a `type` naming the kind its other keys are is read as that kind. Set aside as
    unknown, a dated set left the unconstrained one (o3's price before 2025-06-10, 5x today's)
    read as current, and a time window left the off-peak price read as the all-day one.
  - a set under any other constraint is read by what the constraint states. genai-prices'
    format (data.schema.json, ConditionalPrice) gives a constraint "when those prices should be
    used", its known kinds by date or time of day, the last set whose constraint holds winning.
    - One that states a date or a time (a key or `type` naming one: `start_date`, `end_time`,
      `time_of_day`, `weekdays`, `timezone`..., or an ISO date as a value) makes the price vary
      over time in a way this reader cannot follow: which set is in force now is unknown, so
      every price of the model is quarantined ("price varies by an unread constraint", naming
      the unread sets) beside the set's own "unknown constraint"; the model's other fields are
      read. Set aside alone, an off-peak window of another spelling left DeepSeek's off-peak
      price read as its price at every hour, and a start date of another spelling o3's price
      before 2025-06-10 (5x today's) as current.
    - One that states neither (a request-context filter, `{service_tier: batch}`,
      genai-prices#445; a `type` other than its keys' kind that names no time; a constraint
      that is no object and states nothing) applies to some requests only: that set is
      quarantined alone ("unknown constraint") and the others are read as the price.
  - one `start_time`/`end_time` window beside the unconstrained set is DeepSeek-style time-of-day
    pricing: the window is `time_of_day=peak` and the rest of the day `off_peak`, provided the
    window's prices are at least the others (otherwise the names would be a guess).
- `prices` this reader cannot take apart (above: no object nor a list of sets it reads, a set
  without its `prices` object, a cheaper window) are quarantined as one field, `prices`, and
  none of them is read (a half-read set may be the one in force); the model's context window
  is read (fault round 62: a set without `prices` raised a KeyError that took the whole
  record, its context window with it).
- `price_variants` (prices by how a request was served: batch, service tier, speed, data
  residency; genai-prices#547) are not read: each is quarantined alone with its condition.
- `prices: {}` is a free model (data_slim drops them; genai-prices prices them at nothing): the
  record states no price, so it gives no price drafts, only its context window if any.
- A cache write without lifetime (`cache_write_mtok`: claude-3-haiku) is the route's documented
  default lifetime where it has one (5 minutes for anthropic; spiders/_drafts.py).
- A provider that is no object, has no `models` list or an empty one is that provider's
  problem alone (one record, UNLISTED_GROUP_RULE: the listing is partial, its models count no
  absence; no recorded provider lists none); a body in which no provider has one is
  Unparsable.
- `context_window` is a limit in tokens; 0 is unknown, not a value (quarantined by name). The
  build strips `prices_checked`, so no checked date is available from this file.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, NamedTuple

from schemas.fetch import (
    NO_MODEL_ID_RULE,
    NOT_USD_RULE,
    UNKNOWN_LIMIT,
    UNLISTED_GROUP_RULE,
    Normalized,
    Uninterpretable,
    Unparsable,
)
from schemas.vocab import Component, Dim, Kind, Unit
from spiders._drafts import DraftCollector
from spiders.parsing import (
    Page,
    enclosing_currency,
    foreign_currency,
    load_json,
    to_decimal,
)


class PriceKey(NamedTuple):
    """Where one genai-prices price key goes: component, canonical unit, dimensions (modality,
    variant, cache lifetime) and the power of ten from the key's unit to that unit."""

    component: Component
    unit: Unit
    dimensions: dict[str, str]
    scale: int  # power of ten from the key's unit to `unit`


def _token_keys() -> dict[str, PriceKey]:
    """The registry's token units we have a place for, per modality: input, output, reasoning,
    citation (output, variant=citation, as the LiteLLM reader names citation tokens), cache."""
    keys: dict[str, PriceKey] = {}
    for modality in ("", "text", "audio", "image", "video"):
        dims: dict[str, str] = {Dim.MODALITY: modality} if modality else {}
        part = f"{modality}_" if modality else ""
        per_1m = Unit.PER_1M_TOKENS
        keys[f"input_{part}mtok"] = PriceKey(Component.INPUT, per_1m, dims, 0)
        keys[f"output_{part}mtok"] = PriceKey(Component.OUTPUT, per_1m, dims, 0)
        keys[f"output_{part}reasoning_mtok"] = PriceKey(Component.REASONING, per_1m, dims, 0)
        citation: dict[str, str] = {**dims, Dim.VARIANT: "citation"}
        keys[f"output_{part}citation_mtok"] = PriceKey(Component.OUTPUT, per_1m, citation, 0)
        keys[f"cache_{part}read_mtok"] = PriceKey(Component.CACHE_READ, per_1m, dims, 0)
        keys[f"cache_{part}write_mtok"] = PriceKey(Component.CACHE_WRITE, per_1m, dims, 0)
        for ttl in ("5m", "1h"):
            ttl_dims: dict[str, str] = {**dims, Dim.CACHE_TTL: ttl}
            keys[f"cache_{part}write_{ttl}_mtok"] = PriceKey(
                Component.CACHE_WRITE, per_1m, ttl_dims, 0
            )
    return keys


AUDIO: dict[str, str] = {Dim.MODALITY: "audio"}
PRICE_KEYS: dict[str, PriceKey] = {
    **_token_keys(),
    "web_searches_kcount": PriceKey(Component.WEB_SEARCH, Unit.PER_1K_QUERIES, {}, 0),
    "requests_kcount": PriceKey(Component.REQUEST, Unit.PER_REQUEST, {}, -3),
    "input_mchars": PriceKey(Component.INPUT, Unit.PER_CHARACTER, {}, -6),
    "input_audio_hours": PriceKey(Component.INPUT, Unit.PER_HOUR, AUDIO, 0),
    "output_audio_hours": PriceKey(Component.OUTPUT, Unit.PER_HOUR, AUDIO, 0),
    "input_gpixels": PriceKey(Component.INPUT, Unit.PER_PIXEL, {Dim.MODALITY: "image"}, -9),
    "input_document_kpages": PriceKey(Component.PAGE, Unit.PER_PAGE, {}, -3),
}


class PriceSet(NamedTuple):
    """One set of a model's prices to read: the prices object, the dimensions it adds (a time-of-day
    window), where it sits (for evidence), and the `start_date` it takes effect on, if a constraint
    states one."""

    prices: Any
    dimensions: dict[str, str]
    label: str  # where the set sits, for evidence
    effective_from: date | None = None  # its `start_date` constraint, if any


def parse(body: bytes, url: str) -> Page:
    """genai-prices' data.json (a list of providers) as one record per provider's model:
    `{"provider": <provider id>, "model": <model object>}`; a provider without a non-empty `models`
    list is one record `{"provider", "model": None, "unread": ...}` that normalize reports. A Page
    of those records, no further pages. Raises Unparsable when the body is not a non-empty JSON list
    or no provider lists models."""
    data = load_json(body, url)
    if not isinstance(data, list) or not data:
        raise Unparsable(f"{url}: expected a list of providers")
    records: list[dict[str, Any]] = []
    for index, provider in enumerate(data):
        models = provider.get("models") if isinstance(provider, dict) else None
        if not isinstance(models, list) or not models:
            # That provider's problem alone (a listing entry of another shape): one record
            # that normalize reports, naming no model; the other providers are read.
            named = provider.get("id") if isinstance(provider, dict) else None
            name = named if isinstance(named, str) else f"providers[{index}]"
            unread = "an empty `models` list" if models == [] else str(provider)[:80]
            records.append({"provider": name, "model": None, "unread": unread})
            continue
        # A currency the provider names qualifies its models' prices (`normalize`).
        currency = {"currency": named} if (named := enclosing_currency(provider)) else {}
        records.extend({"provider": provider.get("id"), "model": m, **currency} for m in models)
    if all("unread" in record for record in records):
        raise Unparsable(f"{url}: no models list in any provider (an error body or another file?)")
    return Page(records=records)


def names(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The model a record names (spiders/parsing.py): its provider's id (the route) and its id."""
    provider, model = record.get("provider"), record.get("model")
    if not isinstance(provider, str) or not isinstance(model, dict):
        return []
    model_id = model.get("id")
    return [(provider, model_id)] if isinstance(model_id, str) else []


def normalize(record: dict[str, Any], as_of: date | None = None) -> Normalized:
    """One provider's model as drafts (route: the provider id; record `<provider>/<model id>`): its
    prices in USD in the vocabulary's units (per 1M tokens, per 1K queries, per character, per hour,
    per pixel, per page), scheduled sets with their effective_from (only the set in force on `as_of`
    when given), and its context window in tokens. A price key, constraint or price variant it
    cannot read is quarantined alone; so are prices that are no object or a list of conditional
    sets it can read (none or two unconstrained, an entry that is no set or states no `prices`
    object, dates mixed with time windows, a date that is none, a cheaper time window): the
    `prices` field as a whole, the context window still read. Raises Uninterpretable for a
    record of an unlisted provider (UNLISTED_GROUP_RULE) or a model without an id."""
    if "unread" in record:
        raise Uninterpretable(record["provider"], UNLISTED_GROUP_RULE, record["unread"])
    model = record["model"]
    if not isinstance(model, dict) or not isinstance(model.get("id"), str):
        raise Uninterpretable(f"{record['provider']}/?", NO_MODEL_ID_RULE, repr(model)[:80])
    out = DraftCollector(f"{record['provider']}/{model['id']}", record["provider"], model["id"])
    if named := record.get("currency") or enclosing_currency(model):
        # a currency but the dollar named by the model or its provider qualifies all its prices
        for path in ("prices", "price_variants"):
            if path in model:
                out.quarantine(path, NOT_USD_RULE, f"{named}: no price of it is read")
    else:
        _read_prices(out, model.get("prices"), as_of)
        _price_variants(out, model.get("price_variants"))
    if model.get("context_window") is not None:
        with out.reading("context_window"):
            window = to_decimal(model["context_window"], out.record, "context_window")
            evidence = f"context_window={model['context_window']}"
            if window == 0:
                raise Uninterpretable(out.record, UNKNOWN_LIMIT, evidence)
            out.add(Component.CONTEXT_WINDOW, Unit.TOKENS, window, evidence, kind=Kind.LIMIT)
    return out.result()


def _price_variants(out: DraftCollector, variants: Any) -> None:
    """`price_variants` (genai-prices#547: `[{when: {service_tier | speed | inference_geo...},
    prices}]`, each overriding the model's prices key by key for requests served so) are not
    read: how a `when` maps onto the vocabulary's dimensions is not settled upstream. Each is
    quarantined alone, with its condition, rather than vanish with the prices it states."""
    if variants is None:
        return
    if not isinstance(variants, list):
        out.quarantine("price_variants", "price variant not read", repr(variants)[:120])
        return
    for index, variant in enumerate(variants):
        when = variant.get("when") if isinstance(variant, dict) else variant
        out.quarantine(f"price_variants[{index}]", "price variant not read", f"when={when!r}")


def _read_prices(out: DraftCollector, prices: Any, as_of: date | None) -> None:
    """Read a model's `prices` (an object, or a list of conditional sets: module docstring) into
    `out`. Prices this reader cannot take apart (no object nor a list of sets it can read, a set
    without a `prices` object, a time window cheaper than the rest of the day) are the `prices`
    field's problem alone: quarantined whole, with the rule, before any of them is read, since
    a set half understood may be the one in force and the others are then no standard price;
    the model's other fields (its context window) are read."""
    try:
        sets = _price_sets(out, prices, as_of)
        for price_set in sets:
            if not isinstance(price_set.prices, dict):
                raise Uninterpretable(
                    out.record, "no prices", f"{price_set.label}={price_set.prices!r}"[:120]
                )
    except Uninterpretable as exc:
        out.quarantine("prices", exc.rule, exc.detail)
        return
    for price_set in sets:
        _prices(out, price_set)


def _price_sets(out: DraftCollector, prices: Any, as_of: date | None) -> list[PriceSet]:
    record_id = out.record
    if isinstance(prices, dict):
        return [PriceSet(prices, {}, "prices")]
    if not isinstance(prices, list) or not prices:
        raise Uninterpretable(record_id, "no prices", f"prices={prices!r}"[:120])
    default: PriceSet | None = None
    dated: list[tuple[date, PriceSet]] = []
    windows: list[PriceSet] = []
    unread_times: list[str] = []  # sets under a constraint by time this reader cannot read
    for index, entry in enumerate(prices):
        if not isinstance(entry, dict) or set(entry) - {"constraint", "prices"}:
            raise Uninterpretable(record_id, "not a conditional price", repr(entry)[:120])
        constraint = entry.get("constraint")
        label = f"prices[{index}]"
        kind = _constraint_kind(constraint)
        if constraint is None:
            if default is not None:
                raise Uninterpretable(record_id, "two unconstrained price sets", label)
            default = PriceSet(entry.get("prices"), {}, label)
        elif kind == START_DATE:
            start = _date(record_id, constraint["start_date"])
            dated.append(
                (start, PriceSet(entry.get("prices"), {}, f"{label} (from {start})", start))
            )
        elif kind == TIME_OF_DAY:
            window = f"{constraint['start_time']}-{constraint['end_time']}"
            windows.append(PriceSet(entry.get("prices"), {}, f"{label} ({window})"))
        else:  # a condition this reader does not know (genai-prices#445): that set alone
            out.quarantine(label, "unknown constraint", f"{label}: {constraint!r}"[:200])
            if _states_time(constraint):
                unread_times.append(label)
    if default is None:
        raise Uninterpretable(record_id, "no unconstrained price set", f"{len(prices)} sets")
    if unread_times:
        _not_the_whole_story(out, [default, *(s for _, s in dated), *windows], unread_times)
        return []
    if windows:
        if dated or len(windows) > 1:
            raise Uninterpretable(record_id, "mixed conditional prices", "dates and time windows")
        return _time_of_day(record_id, default, windows[0])
    if as_of is None:
        return [default, *(s for _, s in sorted(dated, key=lambda pair: pair[0]))]
    return [_in_force(default, dated, as_of)]


START_DATE, TIME_OF_DAY = "start_date", "time_of_date"
# The keys of each kind of constraint this reader knows, by the name genai-prices gives the kind.
CONSTRAINT_KEYS: dict[str, frozenset[str]] = {
    START_DATE: frozenset({"start_date"}),
    TIME_OF_DAY: frozenset({"start_time", "end_time"}),
}


def _constraint_kind(constraint: Any) -> str | None:
    """The kind of a set's constraint (START_DATE or TIME_OF_DAY), or None for a constraint of
    no kind this reader knows: not an object, other keys, or a `type` other than the kind its
    keys are (module docstring)."""
    if not isinstance(constraint, dict):
        return None
    keys = constraint.keys() - {"type"}
    kind = next((name for name, known in CONSTRAINT_KEYS.items() if keys == known), None)
    if "type" in constraint and constraint["type"] != kind:
        return None
    return kind


# Words of a key or kind that state a date or a time of day (genai-prices' time kinds' keys and
# names, and the words a schedule is written in): a constraint stating one varies the price over
# time (module docstring).
TIME_WORDS = frozenset(
    {"date", "dates", "time", "times", "day", "days", "hour", "hours", "weekday", "weekdays"}
    | {"timezone", "tz", "month", "months", "week", "weeks", "peak"}
)
UNREAD_TIME_RULE = "price varies by an unread constraint"


def _states_time(constraint: Any) -> bool:
    """Whether a constraint (any JSON shape) states a date or a time of day: a key, or a `type`
    naming a kind, made of TIME_WORDS (`start_date`, `time_of_date`, `end_time`...), or an ISO
    date as a value; lists and nested objects are read through."""
    if isinstance(constraint, list):
        return any(_states_time(item) for item in constraint)
    if isinstance(constraint, dict):
        named = [*constraint, constraint.get("type")]
        return any(_time_name(name) for name in named) or any(
            _states_time(value) for value in constraint.values()
        )
    if isinstance(constraint, str):
        try:
            date.fromisoformat(constraint)
        except ValueError:
            return False
        return True
    return False


def _time_name(name: Any) -> bool:
    """Whether a key or kind name has a time word (`start_date`, `timeOfDay`, `peak-hours`)."""
    if not isinstance(name, str):
        return False
    words = re.split(r"[^a-z]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower())
    return not TIME_WORDS.isdisjoint(words)


def _not_the_whole_story(out: DraftCollector, sets: list[PriceSet], unread: list[str]) -> None:
    """Quarantine every price of the read sets: an unread set by time may be the one in force at
    any date or hour, so none of them is the model's price for certain (module docstring)."""
    detail = f"{', '.join(unread)} set by a date or time not read"
    for price_set in sets:
        if not isinstance(price_set.prices, dict):
            out.quarantine(price_set.label, UNREAD_TIME_RULE, detail)
            continue
        for key in price_set.prices:
            out.quarantine(f"{price_set.label}.{key}", UNREAD_TIME_RULE, detail)


def _date(record_id: str, text: Any) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError as exc:
        raise Uninterpretable(record_id, "not a date", f"start_date={text!r}") from exc


def _in_force(
    default: PriceSet, dated: list[tuple[date, PriceSet]], as_of: date | None
) -> PriceSet:
    """The latest-starting set (on or before `as_of` if given); the unconstrained one is oldest."""
    candidates = [(start, s) for start, s in dated if as_of is None or start <= as_of]
    return max(candidates, key=lambda pair: pair[0])[1] if candidates else default


def _time_of_day(record_id: str, default: PriceSet, window: PriceSet) -> list[PriceSet]:
    if not isinstance(default.prices, dict) or not isinstance(window.prices, dict):
        raise Uninterpretable(record_id, "not a price object", "time-of-day prices")
    for key, peak in window.prices.items():
        off_peak: Any = default.prices.get(key)
        if not _at_least(peak, off_peak):
            raise Uninterpretable(
                record_id,
                "time window is not the peak",
                f"{window.label}.{key}={peak!r} vs {default.label}.{key}={off_peak!r}",
            )
    return [
        PriceSet(default.prices, {Dim.TIME_OF_DAY: "off_peak"}, default.label),
        PriceSet(window.prices, {Dim.TIME_OF_DAY: "peak"}, window.label),
    ]


def _at_least(peak: Any, off_peak: Any) -> bool:
    """Whether a window's price is a number at least the other one, each read as every price
    is (to_decimal: a number written as text too, as `_add` reads it); False where either is no
    number (a tiered price, a missing key)."""
    try:
        return to_decimal(peak, "", "") >= to_decimal(off_peak, "", "")
    except Uninterpretable:
        return False


def _prices(out: DraftCollector, price_set: PriceSet) -> None:
    if named := foreign_currency(price_set.prices):  # qualifies every price of the set
        out.quarantine(
            price_set.label, NOT_USD_RULE, f"{price_set.label}.{named}: no price of it is read"
        )
        return
    for key, value in price_set.prices.items():
        path = f"{price_set.label}.{key}"
        with out.reading(path):
            spec = PRICE_KEYS.get(key)
            if spec is None:
                raise Uninterpretable(out.record, "unknown price key", f"{path}={value!r}"[:120])
            dims = {**spec.dimensions, **price_set.dimensions}
            start = price_set.effective_from
            if isinstance(value, dict):
                _tiered(out, spec, value, dims, path, start)
            else:
                _add(out, spec, value, dims, path, start)


def _tiered(
    out: DraftCollector,
    spec: PriceKey,
    value: dict[str, Any],
    dims: dict[str, str],
    path: str,
    start_date: date | None,
) -> None:
    if set(value) != {"base", "tiers"} or not isinstance(value["tiers"], list):
        raise Uninterpretable(out.record, "not a tiered price", f"{path}={value!r}"[:160])
    _add(out, spec, value["base"], dims, f"{path}.base", start_date)
    for index, tier in enumerate(value["tiers"]):
        if not isinstance(tier, dict) or set(tier) != {"start", "price"}:
            raise Uninterpretable(out.record, "not a price tier", f"{path}.tiers[{index}]")
        start = to_decimal(tier["start"], out.record, f"{path}.tiers[{index}].start")
        if start != start.to_integral_value() or start <= 0:
            raise Uninterpretable(out.record, "not a token count", f"{path} start={start}")
        tier_dims = {**dims, Dim.CONTEXT_ABOVE: str(int(start))}
        tier_path = f"{path}.tiers[{index}] (from {int(start)})"
        _add(out, spec, tier["price"], tier_dims, tier_path, start_date)


def _add(
    out: DraftCollector,
    spec: PriceKey,
    raw: Any,
    dims: dict[str, str],
    path: str,
    start_date: date | None,
) -> None:
    amount = to_decimal(raw, out.record, path).scaleb(spec.scale)
    out.add(spec.component, spec.unit, amount, f"{path}={raw}", dims, effective_from=start_date)
