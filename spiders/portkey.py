"""Portkey model pricing: `https://configs.portkey.ai/pricing/{provider}.json` (an aggregator).

One file per provider; the provider is only in the URL, so `parse` takes the route from it
(`azure-openai`, `vertex-ai`, `x-ai`...; data/aliases/portkey.json maps them). The body is
`{model_key: {pricing_config, custom_pricing?}}`; one record is one key.

Quirks:
- Every pricing file's entries are `{pricing_config, ...}` objects (its `default` too): a body
  none of whose entries is one (an error object answered with 200, Portkey's `general/` model
  configuration of the same provider) is Unparsable, so that URL fails rather than pass for a
  complete listing of the provider's models with none of them in it. An `error` key holding
  an error envelope beside entries is Unparsable too, naming its message (spiders/parsing.py
  refuse_an_error_key): the source said that answer failed.
- A key the reader does not know, beside `pricing_config` (the recorded azure-ai.json nests a
  whole entry inside dall-e-2's) or inside a `pricing_config`, is quarantined alone by name:
  Portkey adds sections (`custom_pricing` arrived in 2026), and the prices beside it are read.
  An entry with neither `pricing_config` nor `custom_pricing` is Uninterpretable.
- Prices are US CENTS: per token for token rates (`0.00025` = $2.50 per 1M), per image for the
  `image` grid, per unit for most `additional_units`. Every leaf is `{"price": n}`.
- `default` is the provider-wide fallback (zero rates and the `calculate` formula): no model's
  price, so it gives no drafts. An entry every rate of which is 0 restates that fallback: Portkey
  writes it for models it does not price (deepinfra's FLUX and Bria image models, x-ai's
  grok-imagine-image, fal-ai's veo3.1, all sold per image or per second elsewhere) and for free
  ones alike, so the zeros say neither; the record is quarantined (ZERO_RATES_RULE) rather than
  read as a free model, which `cost` would quote at $0. `calculate` (how rates combine) and
  `finetune_config` (training prices) are not prices of the model's use and are not read.
- `pay_as_you_go` is the standard price; `batch_config` the batch tier; `fixed_cost` a fee per
  request (its request and response parts added). `image[quality][size]` is a price per generated
  image; `default` as a quality or size means "not given in the request" and sets no dimension.
- `additional_units` mixes units. Read: web_search (cents per search, stored per 1K; Perplexity's
  web_search_<size>_context as variant=search-context-<size>, LiteLLM's naming), cache_write_1h,
  thinking_token, audio/video/image/embedding tokens, video_seconds and
  video_duration_seconds_<W>_<H> (per second), megapixels, generated_images, and the other tool
  calls (file_search, code_execution, x_search, attachment_search, search, maps,
  enterprise_web_search: cents per call) as tool_call per 1K calls with variant=<unit>.
  Deliberately not read, each for the reason in SKIPPED_UNITS: request defaults that are not
  prices, units Portkey uses with different meanings, ones no component or dimension fits. Any
  other unit is quarantined by name (that field alone; the record's other prices are kept).
- Prices are written from binary doubles (`0.00007499999999999999` cents for gpt-5.4-mini): the
  float noise is read away in cents, the unit Portkey wrote (spiders/parsing.py
  `without_float_noise`), before scaling to dollars, so that is $0.75 per 1M. Some files also
  hold single-precision arithmetic noise (deepinfra.json `0.00000799999993` cents for 0.000008;
  7 numbers in the recorded files), read away in cents by `without_single_precision_noise`.
- `custom_pricing.regions.default.execution_modes.<mode>` restates the prices per service tier
  (standard, batch, flex, priority; Anthropic's `fast` becomes variant=fast), optionally per
  `context_tiers.<name>` with `context_tier_map {threshold: name}` (threshold 0 = no dimension).
  Where it restates a `pricing_config` price, the two must agree or that field is quarantined.
  Other regions are not read: their keys are provider-specific labels (AWS and GCP region names,
  comma-joined region lists, `us`/`eu` data-residency geographies, `global`) whose scope Portkey
  does not document, and Vertex's `default` region is itself priced above its `global` one.
- google.json splits long-context prices into `<id>-lte-<N>k` / `<id>-gt-<N>k` keys, which
  Portkey's gateway uses when the bare id is not listed. `parse` marks such keys with `tier_of`
  (the bare id); they are normalized as that model, the `gt` one with context_above = N×1000.
  Where the bare id is listed, the suffixed keys are kept as their own names.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, NamedTuple

from schemas.fetch import NOT_USD_RULE, ZERO_RATES_RULE, Normalized, Uninterpretable, Unparsable
from schemas.vocab import DIMENSION_VALUES, Component, Dim, Unit
from spiders._drafts import DraftCollector
from spiders.parsing import (
    Page,
    enclosing_currency,
    foreign_currency,
    load_json,
    refuse_a_foreign_currency,
    refuse_an_answered_error,
    refuse_an_error_key,
    to_decimal,
    without_single_precision_noise,
)

MODEL_KEYS = frozenset({"pricing_config", "custom_pricing"})
# Sections of a pricing_config that hold no price of the model's use (how rates combine;
# training prices): left out of what an entry prices.
NOT_USE_PRICES = frozenset({"calculate", "finetune_config"})
URL_PROVIDER = re.compile(r"/pricing/([A-Za-z0-9][A-Za-z0-9._-]*)\.json$")
TIER_SUFFIX = re.compile(r"^(?P<model>.+)-(?P<side>lte|gt)-(?P<thousands>[0-9]{1,9})k$")
TIERED_FILES = frozenset({"google"})
SIZE = re.compile(r"^[0-9]{1,6}x[0-9]{1,6}$")
VIDEO_SECONDS = re.compile(r"^video_duration_seconds_([0-9]{1,6})_([0-9]{1,6})$")

IMAGE: dict[str, str] = {Dim.MODALITY: "image"}
AUDIO: dict[str, str] = {Dim.MODALITY: "audio"}
VIDEO: dict[str, str] = {Dim.MODALITY: "video"}
TEXT: dict[str, str] = {Dim.MODALITY: "text"}


class Rate(NamedTuple):
    """Where a Portkey price key goes: component, canonical unit, dimensions, and the power of ten
    from US cents per source unit to that unit."""

    component: Component
    unit: Unit
    dimensions: dict[str, str]
    scale: int  # power of ten from US cents per source unit to `unit`


def _per_1m(component: Component, dims: dict[str, str] | None = None) -> Rate:
    """A token rate: cents per token × 10^6 / 100 = USD per 1M tokens."""
    return Rate(component, Unit.PER_1M_TOKENS, dims or {}, 4)


TOKEN_RATES: dict[str, Rate] = {
    "request_token": _per_1m(Component.INPUT),
    "response_token": _per_1m(Component.OUTPUT),
    "cache_read_input_token": _per_1m(Component.CACHE_READ),
    "cache_write_input_token": _per_1m(Component.CACHE_WRITE),
    "reasoning_token": _per_1m(Component.REASONING),
    "request_text_token": _per_1m(Component.INPUT, TEXT),
    "response_text_token": _per_1m(Component.OUTPUT, TEXT),
    "cache_read_text_input_token": _per_1m(Component.CACHE_READ, TEXT),
    "cached_text_input_token": _per_1m(Component.CACHE_READ, TEXT),
    "request_audio_token": _per_1m(Component.INPUT, AUDIO),
    "response_audio_token": _per_1m(Component.OUTPUT, AUDIO),
    "cache_read_audio_input_token": _per_1m(Component.CACHE_READ, AUDIO),
    "request_image_token": _per_1m(Component.INPUT, IMAGE),
    "response_image_token": _per_1m(Component.OUTPUT, IMAGE),
    "cache_read_image_input_token": _per_1m(Component.CACHE_READ, IMAGE),
    "cached_image_input_token": _per_1m(Component.CACHE_READ, IMAGE),
}

ADDITIONAL_UNITS: dict[str, Rate] = {
    "web_search": Rate(Component.WEB_SEARCH, Unit.PER_1K_QUERIES, {}, 1),
    **{
        f"web_search_{size}_context": Rate(
            Component.WEB_SEARCH, Unit.PER_1K_QUERIES, {Dim.VARIANT: f"search-context-{size}"}, 1
        )
        for size in ("low", "medium", "high")
    },
    "cache_write_1h": _per_1m(Component.CACHE_WRITE, {Dim.CACHE_TTL: "1h"}),
    "thinking_token": _per_1m(Component.REASONING),
    "request_audio_token": _per_1m(Component.INPUT, AUDIO),
    "response_audio_token": _per_1m(Component.OUTPUT, AUDIO),
    "image_token": _per_1m(Component.OUTPUT, IMAGE),  # Gemini image output: 0.003 = $30/1M
    "output_video_token": _per_1m(Component.OUTPUT, VIDEO),
    "embedding_text_token": _per_1m(Component.INPUT, TEXT),
    "embedding_image_token": _per_1m(Component.INPUT, IMAGE),
    "video_seconds": Rate(Component.OUTPUT, Unit.PER_SECOND, VIDEO, -2),
    "megapixels": Rate(Component.OUTPUT, Unit.PER_PIXEL, IMAGE, -8),
    "generated_images": Rate(Component.OUTPUT, Unit.PER_IMAGE, IMAGE, -2),
}

# Tool calls other than web search, cents per call: tool_call per 1K calls, variant=<unit name>.
TOOL_CALLS = frozenset(
    {
        "file_search",
        "code_execution",
        "x_search",
        "attachment_search",
        "search",
        "maps",
        "enterprise_web_search",
    }
)

SKIPPED_UNITS: dict[str, str] = {
    "routing_units": "Azure model-router units: no component for them",
    "input_image": "per image on Vertex, per token elsewhere: the unit is not stated",
    "image_1k": "an image at a resolution class, not a WxH size",
    "input_video_essential": "video embedding quality levels: no dimension for them",
    "input_video_standard": "video embedding quality levels: no dimension for them",
    "input_video_plus": "video embedding quality levels: no dimension for them",
    "default_duration_seconds": "a request default, not a price",
    "default_sample_count": "a request default, not a price",
    "default_steps": "a request default, not a price",
}

CONFIG_KEYS = frozenset(
    {"pay_as_you_go", "batch_config", "fixed_cost", "currency", "calculate", "finetune_config"}
)
MODE_CONFIG_KEYS = frozenset({"pay_as_you_go"})


def parse(body: bytes, url: str) -> Page:
    """One Portkey pricing file (`…/pricing/<provider>.json`, the provider read from `url`) as one
    record per key: `{"provider", "key", "entry"}`, a google.json long-context key whose bare id is
    not listed marked `tier_of` that id. A Page of those records, no further pages. Raises
    Unparsable for a URL that is not a pricing file's, a body that is not a non-empty JSON object,
    holds no pricing entry, or states an error beside its entries."""
    match = URL_PROVIDER.search(url.split("?", 1)[0])
    if match is None:
        raise Unparsable(f"{url}: not a Portkey pricing URL (…/pricing/<provider>.json)")
    provider = match.group(1)
    data = load_json(body, url)
    if not isinstance(data, dict) or not data:
        raise Unparsable(f"{url}: expected an object of models")
    if not any(_is_entry(entry) for entry in data.values()):
        # An error answered with 200 (`{"error": ...}`) or another file of Portkey's (a
        # `general/` model-config file) is no price listing: read as one, every model of the
        # provider it left out would count absent from a complete listing.
        refuse_an_answered_error(data, url, entries=None)
        raise Unparsable(f"{url}: no pricing entries (an error body or another file?)")
    refuse_an_error_key(data, url, sum(_is_entry(entry) for entry in data.values()))
    refuse_a_foreign_currency(data, url)
    # The file's `default` config is what every entry's falls back on: its currency (the
    # recorded files state "USD" there alone) is the file's.
    default = data.get("default")
    if isinstance(default, dict) and (named := foreign_currency(default.get("pricing_config"))):
        raise Unparsable(
            f"{url}: states its prices in another currency than the US dollar "
            f"(default.pricing_config.{named}, which every entry falls back on): none is read"
        )
    records: list[dict[str, Any]] = []
    for key, entry in data.items():
        record: dict[str, Any] = {"provider": provider, "key": key, "entry": entry}
        suffix = TIER_SUFFIX.match(key) if provider in TIERED_FILES else None
        if suffix and suffix["model"] not in data:
            record["tier_of"] = suffix["model"]
        records.append(record)
    return Page(records=records)


def _is_entry(value: Any) -> bool:
    """Whether a value of the file's object is a Portkey pricing entry (every recorded file's
    `default` is one)."""
    return isinstance(value, dict) and "pricing_config" in value


def names(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The model a record names (spiders/parsing.py): the file's provider (the route) and the
    model its key prices (without a google.json tier suffix); none for the `default` entry."""
    if record.get("key") == "default":
        return []
    return [(record["provider"], _model(record)[0])]


def normalize(record: dict[str, Any]) -> Normalized:
    """One key's entry as drafts (route: the file's provider; record `<provider>/<key>`): its
    `pricing_config` and `custom_pricing` prices, US cents converted to USD in the vocabulary's
    units (per 1M tokens, per image, per second, per 1K queries...), with batch or other service
    tier, context tier and variant. The `default` entry gives no drafts; an unknown key or unit is
    quarantined alone. Raises Uninterpretable for an entry that is not an object, has neither
    `pricing_config` nor `custom_pricing`, or whose every rate is 0 (ZERO_RATES_RULE)."""
    provider, key, entry = record["provider"], record["key"], record["entry"]
    if key == "default":
        return Normalized()
    record_id = f"{provider}/{key}"
    if not isinstance(entry, dict) or not set(entry) & MODEL_KEYS:
        detail = sorted(entry) if isinstance(entry, dict) else repr(entry)[:80]
        raise Uninterpretable(record_id, "unknown model keys", f"{detail}")
    if named := enclosing_currency(entry):  # qualifies every config of the entry
        raise Uninterpretable(record_id, NOT_USD_RULE, f"{named}: no price of it is read")
    if _every_rate_zero(entry):
        raise Uninterpretable(
            record_id,
            ZERO_RATES_RULE,
            "every rate 0, as the file's `default` fallback: Portkey's placeholder for a model "
            "it does not price, and its entry for a free one alike; no price stated",
        )
    model, dims = _model(record)
    out = DraftCollector(record_id, provider, model)
    for unknown in sorted(set(entry) - MODEL_KEYS):  # a key Portkey added: it alone
        out.quarantine(unknown, "unknown model key", f"{unknown}={entry[unknown]!r}"[:160])
    if entry.get("pricing_config") is not None:
        with out.reading("pricing_config"):
            _config(out, entry["pricing_config"], dims, "pricing_config", CONFIG_KEYS)
    if "custom_pricing" in entry:
        with out.reading("custom_pricing"):
            _custom(out, entry["custom_pricing"], dims)
    return out.result()


def _every_rate_zero(entry: dict[str, Any]) -> bool:
    """Whether an entry states at least one `{"price": n}` for the model's use and every one is
    the number 0 (a price that is no number is no zero: the entry is read and that field alone
    quarantined; values that are no object, such as a currency or a tier's name, hold no price)."""
    prices: list[Any] = []
    sections = [entry[key] for key in sorted(MODEL_KEYS & set(entry))]
    while sections:
        section = sections.pop()
        if not isinstance(section, dict):
            continue
        if set(section) == {"price"}:
            prices.append(section["price"])
            continue
        sections.extend(v for k, v in section.items() if k not in NOT_USE_PRICES)
    return bool(prices) and all(_is_zero(price) for price in prices)


def _is_zero(price: Any) -> bool:
    """Whether a price reads as the number 0 (a JSON number or numeric text, as `_add` reads it)."""
    try:
        return to_decimal(price, "", "price").is_zero()
    except Uninterpretable:
        return False


def _model(record: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The model a key prices, and the context tier a google.json suffix names."""
    suffix = TIER_SUFFIX.match(record["key"]) if "tier_of" in record else None
    if suffix is None:
        return record["key"], {}
    if suffix["side"] == "lte":
        return suffix["model"], {}
    return suffix["model"], {Dim.CONTEXT_ABOVE: str(int(suffix["thousands"]) * 1000)}


def _config(
    out: DraftCollector, config: Any, dims: dict[str, str], path: str, allowed: frozenset[str]
) -> None:
    if not isinstance(config, dict):
        raise Uninterpretable(out.record, "unknown pricing_config key", f"{path}: {config!r}")
    for unknown in sorted(set(config) - allowed):  # a section Portkey added: it alone
        detail = f"{path}.{unknown}={config[unknown]!r}"[:160]
        out.quarantine(f"{path}.{unknown}", "unknown pricing_config key", detail)
    if named := foreign_currency(config):
        raise Uninterpretable(out.record, NOT_USD_RULE, f"{path}.{named}")
    if "pay_as_you_go" in config:
        _rates(out, config["pay_as_you_go"], dims, f"{path}.pay_as_you_go")
    if "batch_config" in config:
        batch = {**dims, Dim.SERVICE_TIER: "batch"}
        _rates(out, config["batch_config"], batch, f"{path}.batch_config")
    if "fixed_cost" in config:
        _fixed(out, config["fixed_cost"], dims, f"{path}.fixed_cost")


def _rates(out: DraftCollector, rates: Any, dims: dict[str, str], path: str) -> None:
    if not isinstance(rates, dict):
        raise Uninterpretable(out.record, "not an object", f"{path}={rates!r}"[:120])
    for key, value in rates.items():
        with out.reading(f"{path}.{key}"):
            if key == "additional_units":
                _additional(out, value, dims, f"{path}.additional_units")
            elif key == "image":
                _images(out, value, dims, f"{path}.image")
            elif key in TOKEN_RATES:
                _add(out, TOKEN_RATES[key], value, dims, f"{path}.{key}")
            else:
                raise Uninterpretable(out.record, "unknown rate", f"{path}.{key}={value!r}"[:120])


def _additional(out: DraftCollector, units: Any, dims: dict[str, str], path: str) -> None:
    if not isinstance(units, dict):
        raise Uninterpretable(out.record, "not an object", f"{path}={units!r}"[:120])
    for name, value in units.items():
        with out.reading(f"{path}.{name}"):
            _additional_unit(out, name, value, dims, path)


def _additional_unit(
    out: DraftCollector, name: str, value: Any, dims: dict[str, str], path: str
) -> None:
    video = VIDEO_SECONDS.match(name)
    if name in ADDITIONAL_UNITS:
        _add(out, ADDITIONAL_UNITS[name], value, dims, f"{path}.{name}")
    elif name in TOOL_CALLS:
        rate = Rate(Component.TOOL_CALL, Unit.PER_1K_QUERIES, {Dim.VARIANT: name}, 1)
        _add(out, rate, value, dims, f"{path}.{name}")
    elif video:
        size: dict[str, str] = {Dim.SIZE: f"{video[1]}x{video[2]}"}
        rate = Rate(Component.OUTPUT, Unit.PER_SECOND, {**VIDEO, **size}, -2)
        _add(out, rate, value, dims, f"{path}.{name}")
    elif name not in SKIPPED_UNITS:
        raise Uninterpretable(out.record, "unknown additional unit", f"{path}.{name}={value!r}")


def _images(out: DraftCollector, grid: Any, dims: dict[str, str], path: str) -> None:
    if not isinstance(grid, dict):
        raise Uninterpretable(out.record, "not an image grid", f"{path}={grid!r}"[:120])
    for quality, sizes in grid.items():
        if not isinstance(sizes, dict):
            raise Uninterpretable(out.record, "not an image grid", f"{path}.{quality}")
        for size, value in sizes.items():
            if size != "default" and not SIZE.match(size):
                raise Uninterpretable(out.record, "not an image size", f"{path}.{quality}.{size}")
            image_dims: dict[str, str] = {
                **({Dim.QUALITY: quality} if quality != "default" else {}),
                **({Dim.SIZE: size} if size != "default" else {}),
            }
            rate = Rate(Component.OUTPUT, Unit.PER_IMAGE, {**IMAGE, **image_dims}, -2)
            _add(out, rate, value, dims, f"{path}.{quality}.{size}")


def _fixed(out: DraftCollector, fixed: Any, dims: dict[str, str], path: str) -> None:
    if not isinstance(fixed, dict) or not fixed or set(fixed) - {"request", "response"}:
        raise Uninterpretable(out.record, "unknown fixed cost", f"{path}={fixed!r}"[:120])
    parts = {part: _cents(out, value, f"{path}.{part}") for part, value in fixed.items()}
    evidence = " + ".join(f"{path}.{part}={cents} US cents" for part, cents in parts.items())
    total = sum(parts.values(), Decimal(0)).scaleb(-2)
    out.add(Component.REQUEST, Unit.PER_REQUEST, total, evidence, dims)


def _custom(out: DraftCollector, custom: Any, dims: dict[str, str]) -> None:
    path = "custom_pricing"
    if not isinstance(custom, dict) or set(custom) - {"regions", "context_tier_map"}:
        raise Uninterpretable(out.record, "unknown custom_pricing shape", repr(custom)[:120])
    tiers = _tier_map(out, custom.get("context_tier_map", {}))
    regions = custom.get("regions", {})
    if not isinstance(regions, dict):
        raise Uninterpretable(out.record, "not regions", f"{path}.regions={regions!r}"[:120])
    default = regions.get("default")
    if default is None:
        return
    modes = default.get("execution_modes") if isinstance(default, dict) else None
    if not isinstance(modes, dict) or set(default) != {"execution_modes"}:
        raise Uninterpretable(out.record, "unknown region shape", f"{path}.regions.default")
    for mode, conf in modes.items():
        mode_path = f"{path}.regions.default.execution_modes.{mode}"
        with out.reading(mode_path):
            mode_dims = {**dims, **_mode_dimensions(out, mode)}
            if isinstance(conf, dict) and set(conf) == {"pricing_config"}:
                _config(out, conf["pricing_config"], mode_dims, mode_path, MODE_CONFIG_KEYS)
            elif isinstance(conf, dict) and set(conf) == {"context_tiers"}:
                _context_tiers(out, conf["context_tiers"], tiers, mode_dims, mode_path)
            else:
                raise Uninterpretable(out.record, "unknown execution mode shape", mode_path)


def _tier_map(out: DraftCollector, tier_map: Any) -> dict[str, int]:
    """`{threshold: name}` → `{name: threshold}`; thresholds are token counts, names text.
    Raises Uninterpretable for a map that is no object, a threshold that is no count, or a
    name that is no text (a list or an object where the name was once raised a TypeError that
    set the whole entry aside; the caller quarantines `custom_pricing` alone)."""
    if not isinstance(tier_map, dict):
        raise Uninterpretable(out.record, "not a context tier map", repr(tier_map)[:120])
    names: dict[str, int] = {}
    for threshold, name in tier_map.items():
        if not str(threshold).isdigit():
            raise Uninterpretable(out.record, "not a token count", f"context_tier_map {threshold}")
        if not isinstance(name, str):
            detail = f"context_tier_map {threshold}={name!r}"[:120]
            raise Uninterpretable(out.record, "not a context tier name", detail)
        names[name] = int(threshold)
    return names


def _context_tiers(
    out: DraftCollector, tiers: Any, names: dict[str, int], dims: dict[str, str], path: str
) -> None:
    if not isinstance(tiers, dict):
        raise Uninterpretable(out.record, "not context tiers", path)
    for name, conf in tiers.items():
        if name not in names:
            raise Uninterpretable(out.record, "context tier not in context_tier_map", name)
        if not isinstance(conf, dict) or set(conf) != {"pricing_config"}:
            raise Uninterpretable(out.record, "unknown context tier shape", f"{path}.{name}")
        above: dict[str, str] = {Dim.CONTEXT_ABOVE: str(names[name])} if names[name] else {}
        tier_path = f"{path}.context_tiers.{name}"
        _config(out, conf["pricing_config"], {**dims, **above}, tier_path, MODE_CONFIG_KEYS)


def _mode_dimensions(out: DraftCollector, mode: str) -> dict[str, str]:
    if mode in DIMENSION_VALUES[Dim.SERVICE_TIER]:
        return {Dim.SERVICE_TIER: mode}
    if mode == "fast":
        return {Dim.VARIANT: "fast"}
    raise Uninterpretable(out.record, "unknown execution mode", mode)


def _cents(out: DraftCollector, leaf: Any, path: str) -> Decimal:
    if not isinstance(leaf, dict) or set(leaf) != {"price"}:
        raise Uninterpretable(out.record, "not a price leaf", f"{path}={leaf!r}"[:120])
    return without_single_precision_noise(to_decimal(leaf["price"], out.record, path))


def _add(out: DraftCollector, rate: Rate, leaf: Any, dims: dict[str, str], path: str) -> None:
    cents = _cents(out, leaf, path)
    evidence = f"{path}={leaf['price']} US cents"
    out.add(
        rate.component, rate.unit, cents.scaleb(rate.scale), evidence, {**rate.dimensions, **dims}
    )
