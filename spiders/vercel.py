"""Vercel AI Gateway's models API: `GET https://ai-gateway.vercel.sh/v1/models` (route `vercel`).

Vercel is a gateway: it sells every model it lists, so every draft has route "vercel" and
source_model is Vercel's id (`openai/gpt-4o`).

Quirks of the source, and how they are read:

- Envelope `{"object": "list", "data": [...]}`, one page, no pagination.
- An `error` beside no entries (`{"data": [], "error": {"message"}}`, or no `data` at all) is
  the source's answer that it failed: Unparsable naming its message (one bounded line,
  spiders/parsing.py stated_error), not an empty listing without a word of why.
  An `error` beside entries is the same failure, its entries not read as the listing.
- `pricing.input`, `output`, `input_cache_read`, `input_cache_write` are strings of USD per
  single token (x 10^6 -> usd_per_1m_tokens). For `type: "image"` models (gpt-image-1...) the
  `output` tokens are image tokens (gpt-image-1-mini "0.000008" is OpenAI's $8 per 1M image output
  tokens; its `input` and `input_cache_read` are the text rates, $2 and $0.20): their output
  carries modality=image. `input_cache_write` states no TTL and gets none.
- `*_tiers` lists `[{cost, min, max?}]` (the first tier's `min` may be left out: 0) are
  context tiers over half-open ranges [min, max): the
  base tier ends at `max: 200001` where the next starts at `min: 200001`, i.e. above 200,000
  tokens. A tier is stated as context_above=min-1 (the base tier, min 0, is the flat price and is
  not repeated; it must agree with it: where they differ, which of the two is the price cannot
  be told, and the flat price and the tier list are each quarantined, a fault round's flat
  prices at their top tier's price having opened official price changes). gpt-5.4 and grok-4
  start their upper tier at `min: 272000` / `128000` while the base tier runs to 272001 /
  128001: read as stated, above 271999 / 127999.
  A tier repeated with the same cost (claude-sonnet-4.5's cache read) is one statement; two
  different costs for one tier quarantine that tier (spiders/_drafts.py). Tiers that leave a
  gap (one's `max` below the next one's `min`), or a tier without `max` below another, make the
  whole tier list uninterpretable: the lengths between would be read at the tier below.
- `service_tiers` `{priority|flex: {input, output, input_cache_read...}}` -> service_tier.
- `web_search` is USD per 1K searches ("10" for OpenAI and Anthropic, "14"/"35" for Google: the
  vendors' per-1K prices) -> usd_per_1k_queries as is.
- `image` is a flat USD per generated image (bfl/flux-pro-1.1 "0.04") -> output, modality image.
  `image_dimension_quality_pricing` `[{size, cost}]` gives it by size (`1K`, `2K`, `512`...; size
  `default` is the price at the model's default size and carries no size dimension).
- `video_duration_pricing` `[{resolution | mode, audio?, cost_per_second}]` -> output, modality
  video, usd_per_second; resolution (`720p`) as `size`, mode (Kling's `std`/`pro`) as `quality`,
  and `audio` true/false as variant `audio`/`no_audio` (the vocabulary has no closer terms).
  kling-v3.0 lists two costs for the same (audio, mode): that field is quarantined.
- `context_window` and `max_tokens` are 0 on image, video and embedding models: a placeholder for
  "not stated", not a limit of zero tokens, so no draft; reported as quarantined ("a limit of 0
  is unknown").
- Every pricing key is read or quarantined by name (an unknown key is a field problem; the
  record's other fields are kept), and so is an entry key named as a price or a limit but
  `pricing`, `context_window` and `max_tokens` ("unknown model key": `pricing` renamed).
- `type` (language, embedding, image, video) is stated as the mode capability (chat, embedding,
  image_generation, video_generation); each of `tags` (tool-use, vision, reasoning...) as
  capability=<tag>. The type says the medium of the prices too (an image model's output tokens
  are image tokens): a type of no known mode, or not text, is quarantined with `pricing`
  ("unit-ambiguous"), and the limits and tags are read (fault round 62: the whole entry was
  set aside, and a list or an object as type raised a TypeError).
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Any, NamedTuple

from schemas.fetch import (
    NO_MODEL_ID_RULE,
    NOT_USD_RULE,
    UNKNOWN_LIMIT,
    Normalized,
    Uninterpretable,
    Unparsable,
)
from schemas.records import Draft
from schemas.vocab import DIMENSION_VALUES, Component, Dim, Kind, Unit
from spiders._drafts import DraftCollector
from spiders.parsing import (
    LOST_KEY,
    MILLION,
    LostKey,
    Page,
    enclosing_currency,
    foreign_currency,
    load_json,
    mark_lost_keys,
    refuse_a_foreign_currency,
    refuse_an_answered_error,
    to_decimal,
)

ROUTE = "vercel"

TOKEN_PRICES: dict[str, Component] = {
    "input": Component.INPUT,
    "output": Component.OUTPUT,
    "input_cache_read": Component.CACHE_READ,
    "input_cache_write": Component.CACHE_WRITE,
}
TIER_SUFFIX = "_tiers"

# Prices stated as is, in their own unit: per 1K searches, per generated image.
FLAT_PRICES: dict[str, tuple[Component, Unit, dict[str, str]]] = {
    "web_search": (Component.WEB_SEARCH, Unit.PER_1K_QUERIES, {}),
    "image": (Component.OUTPUT, Unit.PER_IMAGE, {Dim.MODALITY: "image"}),
}

MODES: dict[str, str] = {
    "language": "chat",
    "embedding": "embedding",
    "image": "image_generation",
    "video": "video_generation",
}

# The modality of each token component where it is not text.
TOKEN_MODALITY: dict[str, dict[Component, str]] = {"image": {Component.OUTPUT: "image"}}

LIMIT_FIELDS: dict[str, Component] = {
    "context_window": Component.CONTEXT_WINDOW,
    "max_tokens": Component.MAX_OUTPUT_TOKENS,
}
AMBIGUOUS_RULE = "unit-ambiguous"  # catalog/plausibility.py's name for it
DEFAULT_SIZE = "default"
AUDIO_VARIANTS = {True: "audio", False: "no_audio"}

# The keys of an entry that state a price or a limit, each read (spiders/parsing.py
# `unknown_value_keys`: another key so named is quarantined by name).
ENTRY_VALUE_KEYS = frozenset({"context_window", "max_tokens", "pricing"})
# What `pricing` states, by key: an object of another name stating one is a renamed `pricing`.
PRICING_KEYS = frozenset(TOKEN_PRICES) | frozenset(FLAT_PRICES)


def parse(body: bytes, url: str) -> Page:
    """Vercel AI Gateway's models listing: its `data` entries as records, a Page with no further
    pages. Raises Unparsable for a body that is not `{"object": "list", "data": [...]}` or that
    states an error."""
    doc = load_json(body, "vercel models")
    refuse_an_answered_error(doc, f"vercel models ({url})")
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise Unparsable('vercel models: expected an object {"object": "list", "data": [...]}')
    if doc.get("object", "list") != "list":
        raise Unparsable(f"vercel models: object is {doc.get('object')!r}, not 'list'")
    refuse_a_foreign_currency(doc, f"vercel models ({url})")
    records = doc["data"]
    mark_lost_keys(records, [(field,) for field in LIMIT_FIELDS])
    return Page(records=records)


class _Context(NamedTuple):
    record: str
    modalities: dict[Component, str]

    def draft(self, **fields: Any) -> Draft:
        return Draft(route=ROUTE, source_model=self.record, record=self.record, **fields)

    def price(
        self, component: Component, unit: Unit, dims: dict[str, str], value: Decimal, evidence: str
    ) -> Draft:
        return self.draft(
            component=component, unit=unit, dimensions=dims, value=value, evidence=evidence
        )


def normalize(record: dict[str, Any]) -> Normalized:
    """One model entry as drafts of route `vercel` (source_model: its id): `pricing` strings of USD
    per token as per 1M tokens (context tiers as context_above, service tiers), web search per 1K
    queries, images per image and video per second, its context window and max output in tokens, and
    capabilities from its type and tags. An unreadable, non-USD or unknown pricing key and a limit
    of 0 are quarantined alone; a type of no known mode (of any JSON type) is quarantined with the
    pricing whose medium it would say (unit-ambiguous), its limits and tags read. Raises
    Uninterpretable for an entry without an id; TypeError for an entry that is not an object."""
    if not isinstance(record, dict):  # that entry's problem alone (catalog/normalize.py)
        raise TypeError(f"an entry of data is not an object: {str(record)[:80]}")
    model_id = record.get("id")
    if not isinstance(model_id, str) or not model_id.strip():
        raise Uninterpretable(str(model_id), NO_MODEL_ID_RULE, f"id={model_id!r}")
    model_type = record.get("type")
    mode = MODES.get(model_type) if isinstance(model_type, str) else None
    modalities = TOKEN_MODALITY.get(model_type, {}) if isinstance(model_type, str) else {}
    context = _Context(model_id.strip(), modalities)
    out = DraftCollector(context.record)
    out.quarantine_unknown_keys(record, ENTRY_VALUE_KEYS, PRICING_KEYS)
    pricing = record.get("pricing")
    if mode is None:  # the type says the medium its prices are per (module docstring)
        out.quarantine("type", "unknown model type", f"type={model_type!r}"[:120])
        if pricing is not None:
            detail = f"type={model_type!r} unknown: the medium of its prices is not stated"
            out.quarantine("pricing", AMBIGUOUS_RULE, detail[:160])
    elif pricing is not None and not isinstance(pricing, dict):
        out.quarantine("pricing", "pricing is not an object", repr(pricing))
    elif pricing is not None and (named := enclosing_currency(record)):  # qualifies pricing
        out.quarantine("pricing", NOT_USD_RULE, f"{named}: no price of it is read")
    elif named := foreign_currency(pricing):
        out.quarantine("pricing", NOT_USD_RULE, f"pricing.{named}: no price of it is read")
    elif pricing is not None:
        for key in sorted(pricing):
            with out.reading(f"pricing.{key}"):
                for draft in _price_key(context, key, pricing):
                    out.put(draft)
    for field in LIMIT_FIELDS:
        with out.reading(field):
            for draft in _limit(context, record, field):
                out.put(draft)
    with out.reading("tags"):
        for draft in _capabilities(context, record, mode):
            out.put(draft)
    return out.result()


def names(record: Any) -> list[tuple[str, str]]:
    """The model an entry names (spiders/parsing.py): its id."""
    model_id = record.get("id") if isinstance(record, dict) else None
    if not isinstance(model_id, str) or not model_id.strip():
        return []
    return [(ROUTE, model_id.strip())]


def _price_key(context: _Context, key: str, pricing: dict[str, Any]) -> list[Draft]:
    raw = pricing[key]
    if key in TOKEN_PRICES:
        _check_flat(context, key, raw, pricing.get(f"{key}{TIER_SUFFIX}"))
        return [_token_price(context, key, raw, f"pricing.{key}", {})]
    if key.endswith(TIER_SUFFIX) and key.removesuffix(TIER_SUFFIX) in TOKEN_PRICES:
        return _context_tiers(context, key, raw, pricing)
    if key == "service_tiers":
        return _service_tiers(context, raw)
    if key in FLAT_PRICES:
        return [_flat_price(context, key, raw)]
    if key == "image_dimension_quality_pricing":
        return _image_sizes(context, raw)
    if key == "video_duration_pricing":
        return _video_seconds(context, raw)
    raise Uninterpretable(context.record, "unknown pricing key", f"pricing.{key}={_show(raw)}")


def _flat_price(context: _Context, key: str, raw: Any) -> Draft:
    component, unit, dims = FLAT_PRICES[key]
    name = f"pricing.{key}"
    value = to_decimal(raw, context.record, name)
    return context.price(component, unit, dims, value, _evidence(name, raw))


def _token_price(
    context: _Context,
    key: str,
    raw: Any,
    name: str,
    dims: dict[str, str],
    evidence: str | None = None,
) -> Draft:
    component = TOKEN_PRICES[key]
    modality = context.modalities.get(component)
    value = to_decimal(raw, context.record, name) * MILLION
    token_dims = {**dims, Dim.MODALITY: modality} if modality else dims
    shown = evidence or _evidence(name, raw)
    return context.price(component, Unit.PER_1M_TOKENS, token_dims, value, shown)


def _context_tiers(context: _Context, key: str, tiers: Any, pricing: dict[str, Any]) -> list[Draft]:
    flat_key = key.removesuffix(TIER_SUFFIX)
    drafts: list[Draft] = []
    spans: list[tuple[Decimal, Decimal | None, str]] = []
    for index, tier in enumerate(_objects(context, tiers, f"pricing.{key}")):
        name = f"pricing.{key}[{index}]"
        # the first tier's `min` may be left out: it starts at 0 (a bug report: models.dev#3155)
        required = {"cost", "min"} if index else {"cost"}
        _only_keys(context, tier, name, required=required, optional={"min", "max"})
        written = tier.get("min", 0)
        low = to_decimal(written, context.record, f"{name}.min")
        if low < 0 or low != low.to_integral_value():
            raise Uninterpretable(context.record, "bad tier bound", f"{name}.min={_show(written)}")
        spans.append((low, _tier_end(context, tier, name, low), name))
        cost = f"{name}.cost"
        evidence = f"{cost}={_show(tier['cost'])} (min={written})"
        if low == 0:
            _check_base(context, tier["cost"], pricing.get(flat_key), cost, flat_key)
            if flat_key in pricing:
                continue
            drafts.append(_token_price(context, flat_key, tier["cost"], cost, {}, evidence))
        else:
            above: dict[str, str] = {Dim.CONTEXT_ABOVE: str(int(low) - 1)}
            drafts.append(_token_price(context, flat_key, tier["cost"], cost, above, evidence))
    _check_spans(context, sorted(spans, key=lambda span: span[0]))
    return drafts


def _tier_end(context: _Context, tier: dict[str, Any], name: str, low: Decimal) -> Decimal | None:
    """A tier's `max` (its range is [min, max)), None when it runs to the end; a range that
    holds no token is no tier."""
    if "max" not in tier:
        return None
    high = to_decimal(tier["max"], context.record, f"{name}.max")
    if high <= low or high != high.to_integral_value():
        raise Uninterpretable(
            context.record, "bad tier bound", f"{name}.max={_show(tier['max'])} (min={low})"
        )
    return high


def _check_spans(context: _Context, spans: list[tuple[Decimal, Decimal | None, str]]) -> None:
    """Context tiers are read as each priced from its `min` until the next one starts, so
    they must leave no prompt length unpriced: a tier that ends (`max`) before the next one
    starts leaves the lengths between to no tier (read as stated, they would fall to the tier
    below), and one that never ends below another tier's start overlaps all above it. Either
    way the whole tier list is Uninterpretable. An overlap of a few tokens is read as stated
    (gpt-5.4's base tier ends at 272001 where the next starts at 272000)."""
    for (low, high, name), (following, _, after) in pairwise(spans):
        if high is None and following > low:  # the same tier stated twice is one statement
            raise Uninterpretable(
                context.record,
                "overlapping tiers",
                f"{name} (min={low}) has no max, below {after} (min={following})",
            )
        if high is not None and following > high:
            raise Uninterpretable(
                context.record,
                "tiers leave a gap",
                f"{name} ends at max={high} but {after} starts at min={following}: prompts "
                "of the lengths between are priced by no tier",
            )


def _check_flat(context: _Context, key: str, flat: Any, tiers: Any) -> None:
    """A flat token price beside a tier list whose base tier (min 0, or left out on the first)
    states another price is uninterpretable, as that tier list is (`_check_base`): which of
    the two is the price cannot be told (a flat price at the top tier's price read as the base
    price). A tier list of another shape is that list's problem, not the flat price's."""
    if not isinstance(tiers, list):
        return
    for index, tier in enumerate(tiers):
        if (
            isinstance(tier, dict)
            and "cost" in tier
            and tier.get("min", 0 if index == 0 else None) == 0
        ):
            name = f"pricing.{key}{TIER_SUFFIX}[{index}].cost"
            try:
                to_decimal(tier["cost"], context.record, name)
            except Uninterpretable:
                return  # the tier list's own problem
            _check_base(context, tier["cost"], flat, name, key)


def _check_base(context: _Context, cost: Any, flat: Any, name: str, flat_key: str) -> None:
    if flat is None:
        return
    if to_decimal(cost, context.record, name) != to_decimal(flat, context.record, flat_key):
        raise Uninterpretable(
            context.record,
            "base tier differs from flat price",
            f"{name}={_show(cost)} but pricing.{flat_key}={_show(flat)}",
        )


def _service_tiers(context: _Context, tiers: Any) -> list[Draft]:
    if not isinstance(tiers, dict):
        raise Uninterpretable(context.record, "service_tiers is not an object", repr(tiers))
    drafts: list[Draft] = []
    for tier in sorted(tiers):
        prices = tiers[tier]
        name = f"pricing.service_tiers.{tier}"
        if tier not in DIMENSION_VALUES[Dim.SERVICE_TIER] or tier == "standard":
            raise Uninterpretable(context.record, "unknown service tier", name)
        if not isinstance(prices, dict):
            raise Uninterpretable(context.record, "service tier is not an object", name)
        for key in sorted(prices):
            if key not in TOKEN_PRICES:
                raise Uninterpretable(context.record, "unknown pricing key", f"{name}.{key}")
            dims: dict[str, str] = {Dim.SERVICE_TIER: tier}
            drafts.append(_token_price(context, key, prices[key], f"{name}.{key}", dims))
    return drafts


def _image_sizes(context: _Context, entries: Any) -> list[Draft]:
    drafts: list[Draft] = []
    path = "pricing.image_dimension_quality_pricing"
    for index, entry in enumerate(_objects(context, entries, path)):
        name = f"{path}[{index}]"
        _only_keys(context, entry, name, required={"cost", "size"}, optional={"quality"})
        dims: dict[str, str] = {Dim.MODALITY: "image"}
        if entry["size"] != DEFAULT_SIZE:
            dims[Dim.SIZE] = _label(context, entry, "size", name)
        if "quality" in entry:
            dims[Dim.QUALITY] = _label(context, entry, "quality", name)
        value = to_decimal(entry["cost"], context.record, f"{name}.cost")
        evidence = f"{name}: size={_show(entry['size'])} cost={_show(entry['cost'])}"
        drafts.append(context.price(Component.OUTPUT, Unit.PER_IMAGE, dims, value, evidence))
    return drafts


def _video_seconds(context: _Context, entries: Any) -> list[Draft]:
    drafts: list[Draft] = []
    path = "pricing.video_duration_pricing"
    for index, entry in enumerate(_objects(context, entries, path)):
        name = f"{path}[{index}]"
        _only_keys(
            context,
            entry,
            name,
            required={"cost_per_second"},
            optional={"resolution", "mode", "audio"},
        )
        dims: dict[str, str] = {Dim.MODALITY: "video"}
        if "resolution" in entry:
            dims[Dim.SIZE] = _label(context, entry, "resolution", name)
        if "mode" in entry:
            dims[Dim.QUALITY] = _label(context, entry, "mode", name)
        if "audio" in entry:
            if not isinstance(entry["audio"], bool):
                raise Uninterpretable(context.record, "audio is not true/false", f"{name}.audio")
            dims[Dim.VARIANT] = AUDIO_VARIANTS[entry["audio"]]
        value = to_decimal(entry["cost_per_second"], context.record, f"{name}.cost_per_second")
        shown = " ".join(f"{k}={_show(v)}" for k, v in entry.items())
        drafts.append(
            context.price(Component.OUTPUT, Unit.PER_SECOND, dims, value, f"{name}: {shown}")
        )
    return drafts


def _limit(context: _Context, record: dict[str, Any], field: str) -> list[Draft]:
    raw = record.get(field)
    if raw is None:
        return []
    if isinstance(raw, LostKey):
        raise Uninterpretable(context.record, LOST_KEY, raw.detail())
    value = to_decimal(raw, context.record, field)
    if value == 0:
        raise Uninterpretable(context.record, UNKNOWN_LIMIT, _evidence(field, raw))
    return [
        context.draft(
            kind=Kind.LIMIT,
            component=LIMIT_FIELDS[field],
            unit=Unit.TOKENS,
            value=value,
            evidence=_evidence(field, raw),
        )
    ]


def _capabilities(context: _Context, record: dict[str, Any], mode: str | None) -> list[Draft]:
    """The mode its type names (none for a type of no known mode) and a flag per tag. Raises
    Uninterpretable for tags that are no list of names."""
    drafts: list[Draft] = []
    if mode is not None:
        drafts.append(
            context.draft(
                kind=Kind.CAPABILITY,
                component=Component.MODE,
                unit=Unit.FLAG,
                dimensions={Dim.MODE: mode},
                value=Decimal(1),
                evidence=_evidence("type", record["type"]),
            )
        )
    tags = record.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) and tag for tag in tags):
        raise Uninterpretable(context.record, "tags is not a list of names", repr(tags))
    for tag in sorted(set(tags)):
        drafts.append(
            context.draft(
                kind=Kind.CAPABILITY,
                component=Component.SUPPORTS,
                unit=Unit.FLAG,
                dimensions={Dim.CAPABILITY: tag},
                value=Decimal(1),
                evidence=f'tags contains "{tag}"',
            )
        )
    return drafts


def _objects(context: _Context, entries: Any, name: str) -> list[dict[str, Any]]:
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise Uninterpretable(context.record, "not a list of objects", f"{name}={entries!r}")
    return entries


def _only_keys(
    context: _Context, entry: dict[str, Any], name: str, required: set[str], optional: set[str]
) -> None:
    missing = required - entry.keys()
    unknown = entry.keys() - required - optional
    if missing or unknown:
        raise Uninterpretable(
            context.record,
            "unexpected pricing entry",
            f"{name}={entry!r}: missing {sorted(missing)}, unknown {sorted(unknown)}",
        )


def _label(context: _Context, entry: dict[str, Any], key: str, name: str) -> str:
    value = entry[key]
    if not isinstance(value, str) or not value.strip():
        raise Uninterpretable(context.record, f"{key} is not a name", f"{name}.{key}={value!r}")
    return value.strip()


def _evidence(name: str, raw: Any) -> str:
    return f"{name}={_show(raw)}"


def _show(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return f'"{raw}"' if isinstance(raw, str) else str(raw)
