"""models.dev `api.json`: the model catalog behind opencode and the AI SDK (an aggregator).

The body is one object `{provider_id: {id, name, npm, api, doc, env, models: {model_id: model}}}`;
one record is one provider's model. The route is the models.dev provider id (`amazon-bedrock`,
`google-vertex`, `openai`...; data/aliases/modelsdev.json maps them).

Quirks:
- `cost` is already USD per 1M tokens: input, output, cache_read, cache_write, reasoning,
  input_audio, output_audio. A model without `cost` (most image and video models) states no price.
- A `cost` (or a mode's) without `input` and `output`, which models.dev's schema requires, is
  reported as stating no pricing; the prices it does state are read.
- `cost.tiers[]` are context tiers `{tier: {type: "context", size}, <cost fields>}`: the prices
  above `size` tokens. `cost.context_over_200k` is a legacy copy the build derives from one
  tier, even a 272k one, so its name can lie: it is ignored where it restates the prices of one
  of `tiers`, and Uninterpretable otherwise (no `tiers`, `tiers: []`, or prices no tier states):
  it then states a long-context price no tier carries, which would vanish unreported while the
  base prices read as the price of every prompt length.
- models.dev drops unknown cost keys silently (its `Cost` schema is not strict, so a misspelled
  `cached_input` vanishes); here an unknown cost, tier, limit or mode key is quarantined by name
  (that field alone; the record's other fields are kept).
- `experimental.modes.<name>.cost` is a mode's price (e.g. `fast`). A mode selected by a
  `service_tier` in the request body (OpenAI's priority processing) becomes that service tier;
  any other (Anthropic's `speed: fast`) becomes the `variant` named after the mode.
- A field of another JSON type is quarantined alone (fault round 62: each raised a TypeError
  or AttributeError that set the whole record aside): `cost.tiers` that is no list (the base
  prices read; the legacy tier, restating none, reported), `experimental.modes` that is no
  object (the `experimental` field), a mode whose `provider` or `provider.body` is no object
  (that mode: which service tier it is sent as is unknown; the other modes read).
- `limit` {context, input, output} are token limits. 0 means unknown at models.dev
  (`gpt-image-1-mini`'s `limit.context = 0`): not a value, so no draft; the field is reported
  as quarantined ("a limit of 0 is unknown"). The booleans tool_call, reasoning, attachment,
  structured_output and temperature and the `modalities` lists are capabilities; a listed
  modality is 1, an unlisted one is not stated. One of those fields stated as anything but a
  boolean (models.dev's schema lets `tool_call` be `{supported, streaming, parallel}`) is
  quarantined by name, never dropped unreported.
- A provider whose `models` is not an object (null, a list, missing) or is an empty one is that
  provider's problem alone (one record, UNLISTED_GROUP_RULE: the listing is partial, its
  models count no absence; a fault round emptied `openai.models`, and the 48 items quoting
  models.dev's OpenAI prices were narrowed as if it had withdrawn every one of them; no
  recorded provider lists none); a body in which no provider has one is no
  models.dev catalog (an error object answered with 200): Unparsable. A top-level `error`
  holding an error envelope (text, or an object with a `message`) beside providers is the
  source saying its answer failed: Unparsable too, naming its message (spiders/parsing.py
  refuse_an_error_key).
- The recorded copy was re-serialized by `jq -S` (keys sorted): the same content as served.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from schemas.fetch import (
    NOT_USD_RULE,
    UNKNOWN_LIMIT,
    UNLISTED_GROUP_RULE,
    Normalized,
    Uninterpretable,
    Unparsable,
)
from schemas.field import Dims
from schemas.vocab import DIMENSION_VALUES, Component, Dim, Kind, Unit
from spiders._drafts import DraftCollector
from spiders.parsing import (
    LOST_KEY,
    LostKey,
    Page,
    calendar_date,
    enclosing_currency,
    foreign_currency,
    load_json,
    mark_lost_keys,
    refuse_a_foreign_currency,
    refuse_an_answered_error,
    refuse_an_error_key,
    to_decimal,
)

# The cost keys models.dev's schema requires of a model's (or a mode's) cost: a cost without
# them (`{}`, or both renamed) states no price though it says it prices the model: reported, and
# the prices it does state are read.
REQUIRED_COST = frozenset({"input", "output"})
# cost key -> (component, modality or None)
COST_FIELDS: dict[str, tuple[Component, str | None]] = {
    "input": (Component.INPUT, None),
    "output": (Component.OUTPUT, None),
    "cache_read": (Component.CACHE_READ, None),
    "cache_write": (Component.CACHE_WRITE, None),
    "reasoning": (Component.REASONING, None),
    "input_audio": (Component.INPUT, "audio"),
    "output_audio": (Component.OUTPUT, "audio"),
}
LEGACY_TIER = "context_over_200k"

LIMITS: dict[str, Component] = {
    "context": Component.CONTEXT_WINDOW,
    "input": Component.MAX_INPUT_TOKENS,
    "output": Component.MAX_OUTPUT_TOKENS,
}

# boolean model field -> capability name
FLAGS: dict[str, str] = {
    "tool_call": "function_calling",
    "reasoning": "reasoning",
    "attachment": "attachment",
    "structured_output": "structured_output",
    "temperature": "temperature",
}

# (direction, modality) -> capability name; LiteLLM's names where it has one
MODALITY_CAPABILITIES: dict[tuple[str, str], str] = {
    ("input", "text"): "text_input",
    ("input", "image"): "vision",
    ("input", "audio"): "audio_input",
    ("input", "video"): "video_input",
    ("input", "pdf"): "pdf_input",
    ("output", "text"): "text_output",
    ("output", "image"): "image_output",
    ("output", "audio"): "audio_output",
    ("output", "video"): "video_output",
    ("output", "pdf"): "pdf_output",
}

# The keys of a model that state a price or a limit, each read (spiders/parsing.py
# `unknown_value_keys`: another key so named, or holding a price object within it, is
# quarantined by name); `experimental` holds its modes' prices (`_modes`).
MODEL_VALUE_KEYS = frozenset({"cost", "limit", "experimental"})
# What those objects state, by key: an object of another name stating one is a renamed one.
VALUE_OBJECT_KEYS = frozenset(COST_FIELDS) | frozenset(LIMITS)


def parse(body: bytes, url: str) -> Page:
    """models.dev's api.json as one record per provider's model: `{"provider": <provider id>, "key":
    <model key>, "model": <model object>}`; a provider without a non-empty `models` object is one
    record with key None that normalize reports. A Page of those records, no further pages. Raises
    Unparsable when the body is not a non-empty JSON object, no provider lists models, or it states
    an error beside its providers."""
    data = load_json(body, url)
    if not isinstance(data, dict) or not data:
        raise Unparsable(f"{url}: expected an object of providers")
    refuse_a_foreign_currency(data, url)
    records: list[dict[str, Any]] = []
    for provider_id, provider in data.items():
        models = provider.get("models") if isinstance(provider, dict) else None
        if not isinstance(models, dict) or not models:
            # That provider's problem alone (a listing entry of another shape, or of none): one
            # record that normalize reports, naming no model; the other providers are read.
            records.append({"provider": provider_id, "key": None, "model": models})
            continue
        # A currency the provider names qualifies its models' prices (`normalize`).
        currency = {"currency": named} if (named := enclosing_currency(provider)) else {}
        records.extend(
            {"provider": provider_id, "key": key, "model": model, **currency}
            for key, model in models.items()
        )
    if all(record["key"] is None for record in records):
        refuse_an_answered_error(data, url, entries=None)
        raise Unparsable(
            f"{url}: no models object in any provider (an error body or another file?)"
        )
    refuse_an_error_key(data, url, sum(record["key"] is not None for record in records))
    mark_lost_keys(records, [("model", "limit")])
    models = (r["model"] for r in records if r["key"] is not None)
    dates = (calendar_date(m.get("last_updated")) for m in models if isinstance(m, dict))
    return Page(records=records, stated_dates=[at for at in dates if at is not None])


def names(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The model a record names (spiders/parsing.py): its provider (the route) and its key in
    the provider's models."""
    provider, key = record.get("provider"), record.get("key")
    return [(provider, key)] if isinstance(provider, str) and isinstance(key, str) else []


def normalize(record: dict[str, Any]) -> Normalized:
    """One provider's model as drafts (route: the provider id; record `<provider>/<key>`): its
    `cost` and each mode's cost in USD per 1M tokens (context tiers as context_above, modes as
    service tier or variant), its `limit` values in tokens, and its boolean flags and modalities as
    capabilities. An unknown key (a model key named as a price or a limit but `cost` and `limit`:
    UNKNOWN_KEY_RULE), a limit of 0 or a non-boolean flag is quarantined alone. Raises
    Uninterpretable for a record of an unlisted provider (UNLISTED_GROUP_RULE) or a model that is
    not an object."""
    if record["key"] is None:
        written = "an empty `models` object" if record["model"] == {} else "no `models` object"
        raise Uninterpretable(str(record["provider"]), UNLISTED_GROUP_RULE, written)
    record_id = f"{record['provider']}/{record['key']}"
    model = record["model"]
    if not isinstance(model, dict):
        raise Uninterpretable(record_id, "not an object", repr(model)[:80])
    out = DraftCollector(record_id, record["provider"], record["key"])
    out.quarantine_unknown_keys(model, MODEL_VALUE_KEYS, VALUE_OBJECT_KEYS)
    # A currency but the dollar named by the model or its provider qualifies all its costs.
    if named := record.get("currency") or enclosing_currency(model):
        for path in ("cost", "experimental"):
            if path in model:
                out.quarantine(path, NOT_USD_RULE, f"{named}: no price of it is read")
    else:
        if "cost" in model:
            with out.reading("cost"):
                _cost(out, model["cost"], {}, "cost")
        with out.reading("experimental"):
            _modes(out, model.get("experimental", {}))
    with out.reading("limit"):
        _limits(out, model.get("limit", {}))
    _capabilities(out, model)
    return out.result()


def _cost(out: DraftCollector, cost: Any, dims: dict[str, str], path: str) -> None:
    if not isinstance(cost, dict):
        raise Uninterpretable(out.record, "not an object", f"{path}={cost!r}")
    if named := foreign_currency(cost):
        out.quarantine(path, NOT_USD_RULE, f"{path}.{named}: no price of it is read")
        return
    if not cost.keys() >= REQUIRED_COST:
        out.quarantine(
            path,
            "no pricing stated",
            f"{path} lacks {' and '.join(sorted(REQUIRED_COST - cost.keys()))}, which models.dev's"
            f" schema requires of every cost: {cost!r}"[:200],
        )
    tiers = cost.get("tiers")
    if LEGACY_TIER in cost and not _restates_a_tier(cost[LEGACY_TIER], tiers):
        out.quarantine(
            f"{path}.{LEGACY_TIER}",
            "context tier without its size",
            f"a legacy tier that restates none of tiers: {cost[LEGACY_TIER]!r}"[:200]
            if tiers
            else "a legacy tier and no tiers",
        )
    for key, value in cost.items():
        with out.reading(f"{path}.{key}"):
            if key in COST_FIELDS:
                _price(out, key, value, dims, f"{path}.{key}")
            elif key not in ("tiers", LEGACY_TIER):
                raise Uninterpretable(out.record, "unknown cost key", f"{path}.{key}={value!r}")
    if tiers is not None and not isinstance(tiers, list):
        out.quarantine(f"{path}.tiers", "not a list of tiers", f"{path}.tiers={tiers!r}"[:160])
        tiers = None
    for index, tier in enumerate(tiers or []):
        with out.reading(f"{path}.tiers[{index}]"):
            _tier(out, tier, dims, f"{path}.tiers[{index}]")


def _restates_a_tier(legacy: Any, tiers: Any) -> bool:
    """Whether the legacy `context_over_200k` prices are those of one of `tiers` (as the build
    derives them), so that reading it would state that tier's prices a second time."""
    return isinstance(tiers, list) and any(
        isinstance(tier, dict) and {k: v for k, v in tier.items() if k != "tier"} == legacy
        for tier in tiers
    )


def _tier(out: DraftCollector, tier: Any, dims: dict[str, str], path: str) -> None:
    if not isinstance(tier, dict) or not isinstance(tier.get("tier"), dict):
        raise Uninterpretable(out.record, "not a tier", f"{path}={tier!r}")
    kind, size = tier["tier"].get("type"), tier["tier"].get("size")
    if kind != "context" or set(tier["tier"]) != {"type", "size"}:
        raise Uninterpretable(out.record, "unknown tier type", f"{path}.tier={tier['tier']!r}")
    above = to_decimal(size, out.record, f"{path}.tier.size")
    if above != above.to_integral_value() or above <= 0:
        raise Uninterpretable(out.record, "not a token count", f"{path}.tier.size={size!r}")
    tier_dims = {**dims, Dim.CONTEXT_ABOVE: str(int(above))}
    for key, value in tier.items():
        with out.reading(f"{path}.{key}"):
            if key in COST_FIELDS:
                _price(out, key, value, tier_dims, f"{path}.{key} (above {int(above)})")
            elif key != "tier":
                raise Uninterpretable(out.record, "unknown cost key", f"{path}.{key}={value!r}")


def _price(out: DraftCollector, key: str, value: Any, dims: dict[str, str], path: str) -> None:
    component, modality = COST_FIELDS[key]
    field_dims = {**dims, Dim.MODALITY: modality} if modality else dims
    amount = to_decimal(value, out.record, path)
    out.add(component, Unit.PER_1M_TOKENS, amount, f"{path}={value} USD/1M", field_dims)


def _modes(out: DraftCollector, experimental: Any) -> None:
    if not isinstance(experimental, dict) or set(experimental) - {"modes"}:
        raise Uninterpretable(out.record, "unknown experimental key", repr(experimental)[:120])
    modes = experimental.get("modes", {})
    if not isinstance(modes, dict):
        raise Uninterpretable(out.record, "not an object", f"experimental.modes={modes!r}"[:120])
    for name, mode in modes.items():
        path = f"experimental.modes.{name}"
        with out.reading(path):  # one mode of another shape is that mode's problem alone
            if not isinstance(mode, dict) or set(mode) - {"cost", "provider"}:
                raise Uninterpretable(out.record, "unknown mode shape", f"{path}={mode!r}"[:160])
            if "cost" in mode:
                dims = _mode_dimensions(out, name, mode, path)
                _cost(out, mode["cost"], dims, f"{path}.cost")


def _mode_dimensions(
    out: DraftCollector, name: str, mode: dict[str, Any], path: str
) -> dict[str, str]:
    """A mode's dimensions: the service tier its `provider.body.service_tier` sends where the
    vocabulary has it, else a variant named as the mode. Raises Uninterpretable when `provider`
    or its `body` is no object, or the body's `service_tier` is no text: which tier the mode is
    sent as is then unknown."""
    provider = mode.get("provider") or {}
    body = provider.get("body") or {} if isinstance(provider, dict) else None
    if not isinstance(body, dict):
        raise Uninterpretable(out.record, "not an object", f"{path}.provider={provider!r}"[:160])
    tier = body.get("service_tier")
    if tier is not None and not isinstance(tier, str):
        detail = f"{path}.provider.body.service_tier={tier!r}"[:160]
        raise Uninterpretable(out.record, "not a text", detail)
    if tier in DIMENSION_VALUES[Dim.SERVICE_TIER]:
        return {Dim.SERVICE_TIER: tier}
    return {Dim.VARIANT: name}


def _limits(out: DraftCollector, limits: Any) -> None:
    if isinstance(limits, LostKey):  # no model of the listing states limits: the key was lost
        raise Uninterpretable(out.record, LOST_KEY, limits.detail())
    if not isinstance(limits, dict):
        raise Uninterpretable(out.record, "not an object", f"limit={limits!r}")
    for key, value in limits.items():
        with out.reading(f"limit.{key}"):
            if key not in LIMITS:
                raise Uninterpretable(out.record, "unknown limit key", f"limit.{key}={value!r}")
            amount = to_decimal(value, out.record, f"limit.{key}")
            if amount == 0:
                raise Uninterpretable(out.record, UNKNOWN_LIMIT, f"limit.{key}={value}")
            out.add(LIMITS[key], Unit.TOKENS, amount, f"limit.{key}={value}", kind=Kind.LIMIT)


def _capabilities(out: DraftCollector, model: dict[str, Any]) -> None:
    for key, name in FLAGS.items():
        value = model.get(key)
        if isinstance(value, bool):
            _flag(out, name, int(value), f"{key}={str(value).lower()}")
        elif key in model:  # models.dev's schema lets tool_call be an object: not read, reported
            out.quarantine(key, "flag is not a boolean", f"{key}={value!r}"[:200])
    modalities = model.get("modalities") or {}
    if not isinstance(modalities, dict):
        out.quarantine("modalities", "not an object", repr(modalities))
        return
    for direction in ("input", "output"):
        listed = modalities.get(direction, [])
        if not isinstance(listed, list) or not all(isinstance(m, str) for m in listed):
            # that list alone (a null, a text, a list holding an object): not the record's
            out.quarantine(f"modalities.{direction}", "not a list of names", repr(listed)[:200])
            continue
        for modality in listed:
            capability = MODALITY_CAPABILITIES.get((direction, modality))
            if capability is None:
                out.quarantine(f"modalities.{direction}", "unknown modality", repr(modality))
                continue
            _flag(out, capability, 1, f"modalities.{direction} lists {modality}")


_FLAG_VALUES = {0: Decimal(0), 1: Decimal(1)}
# What `_flag` states, read once: on Python 3.11 each `Kind.CAPABILITY` is a metaclass lookup
# (~10x a global's cost), and a record states ~7 flags (~38,000 a refresh). The dimensions of
# each capability the module names, canonical already (`Dims.of` returns a Dims as it is).
_SUPPORTS, _FLAG, _CAPABILITY = Component.SUPPORTS, Unit.FLAG, Kind.CAPABILITY
_CAPABILITY_DIMS = {
    name: Dims.of({Dim.CAPABILITY: name})
    for name in (*FLAGS.values(), *MODALITY_CAPABILITIES.values())
}


def _flag(out: DraftCollector, name: str, value: int, evidence: str) -> None:
    out.add(
        _SUPPORTS,
        _FLAG,
        _FLAG_VALUES[value],
        evidence,
        _CAPABILITY_DIMS[name],
        kind=_CAPABILITY,
    )
