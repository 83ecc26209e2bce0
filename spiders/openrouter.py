"""OpenRouter's models API: `GET https://openrouter.ai/api/v1/models` (route `openrouter`).

OpenRouter is a gateway: it sells every model it lists, so every draft has route "openrouter" and
source_model is OpenRouter's id (`openai/gpt-4o`) without its `:suffix`.

Quirks of the source, and how they are read:

- Envelope `{"data": [...]}`; since 2026 also `total_count` and `links.next` (null so far, followed
  when set). The default listing holds text-output models only; `?output_modalities=all` adds
  image, embedding, speech and video models, so a model can appear in both listings: a record
  always gives the same drafts in the same order.
- `pricing` values are strings of USD per single token (x 10^6 -> usd_per_1m_tokens), except
  `image` (USD per input image, as documented), `request` (per request) and `web_search` (per
  search; stored per 1K searches as vendors quote it: "0.01" -> 10).
- `"-1"` is a sentinel, not a price (router pseudo-models such as `openrouter/auto`: the price is
  that of whatever model is routed to): that component gets no draft, but the model's limits and
  capabilities are still emitted, so it is not lost. `"0"` (`:free` variants) is a real price.
- Suffixes are variants: `:free`, `:thinking`... become the `variant` dimension on every draft of
  the record (limits and capabilities too, since a variant's limits can differ); `:batch` is
  OpenRouter's batch pricing and becomes `service_tier=batch`.
- `input_cache_write` is the 5-minute rate where the model also has `input_cache_write_1h`
  (OpenRouter's docs: "for providers with multiple cache TTLs, this is the default (5-minute)
  cache-write rate"); elsewhere it carries no TTL.
- `image_output` is documented as "per output image" but holds per-token rates (gpt-image-1:
  "0.00004", OpenAI's $40 per 1M image output tokens; flux.2-pro "0.00000732421875"): read per
  token. `image_token` ("per image token", direction unstated) equals `image_output` in every
  recorded model and is read as that same statement; a differing one is Uninterpretable.
- `image` is read as documented, per input image, although Gemini models carry a per-token rate
  there (it equals their `prompt` rate; gemini-embedding-2 "0.00000045" is Google's $0.45 per 1M
  image tokens) while image generators carry per-image rates ("0.01").
- `overrides` with `min_prompt_tokens` are context tiers (context_above=min_prompt_tokens);
  overrides with `utc_start`/`utc_end` are time-of-day windows (deepseek-v4-pro) that the
  vocabulary cannot name: Uninterpretable.
- `discount` (documented as a fraction the prices are multiplied by (1 - discount)) is accepted
  only when 0: otherwise it is unclear whether the stated prices include it.
- Capabilities, kept modest: `capability=<parameter>` for the feature-like supported_parameters
  (FEATURE_PARAMETERS), and `input_<modality>` / `output_<modality>` from `architecture`. Only
  what is listed is stated (value 1); nothing is inferred as unsupported.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import urljoin

from schemas.fetch import Uninterpretable, Unparsable
from schemas.records import Draft
from schemas.vocab import Component, Dim, Kind, Unit
from spiders.parsing import MILLION, Page, load_json, to_decimal, unique_drafts

ROUTE = "openrouter"
SENTINEL = Decimal(-1)
THOUSAND = Decimal(1000)


class Rate(NamedTuple):
    component: Component
    unit: Unit
    factor: Decimal
    modality: str | None = None


RATES: dict[str, Rate] = {
    "prompt": Rate(Component.INPUT, Unit.PER_1M_TOKENS, MILLION),
    "completion": Rate(Component.OUTPUT, Unit.PER_1M_TOKENS, MILLION),
    "input_cache_read": Rate(Component.CACHE_READ, Unit.PER_1M_TOKENS, MILLION),
    "input_cache_write": Rate(Component.CACHE_WRITE, Unit.PER_1M_TOKENS, MILLION),
    "input_cache_write_1h": Rate(Component.CACHE_WRITE, Unit.PER_1M_TOKENS, MILLION),
    "internal_reasoning": Rate(Component.REASONING, Unit.PER_1M_TOKENS, MILLION),
    "audio": Rate(Component.INPUT, Unit.PER_1M_TOKENS, MILLION, "audio"),
    "audio_output": Rate(Component.OUTPUT, Unit.PER_1M_TOKENS, MILLION, "audio"),
    "input_audio_cache": Rate(Component.CACHE_READ, Unit.PER_1M_TOKENS, MILLION, "audio"),
    "image_output": Rate(Component.OUTPUT, Unit.PER_1M_TOKENS, MILLION, "image"),
    "image": Rate(Component.INPUT, Unit.PER_IMAGE, Decimal(1), "image"),
    "request": Rate(Component.REQUEST, Unit.PER_REQUEST, Decimal(1)),
    "web_search": Rate(Component.WEB_SEARCH, Unit.PER_1K_QUERIES, THOUSAND),
}

# supported_parameters that name a feature (sampling knobs such as temperature are left out).
FEATURE_PARAMETERS = frozenset(
    {
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "structured_outputs",
        "response_format",
        "reasoning",
        "include_reasoning",
        "reasoning_effort",
        "web_search_options",
        "logprobs",
    }
)

TIME_WINDOW_KEYS = ("utc_start", "utc_end")


def parse(body: bytes, url: str) -> Page:
    doc = load_json(body, "openrouter models")
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise Unparsable('openrouter models: expected an object {"data": [...]}')
    records = doc["data"]
    if not all(isinstance(record, dict) for record in records):
        raise Unparsable("openrouter models: an entry of data is not an object")
    return Page(records=records, next_urls=_next_urls(doc.get("links"), url))


def _next_urls(links: Any, url: str) -> list[str]:
    if links is None:
        return []
    if not isinstance(links, dict):
        raise Unparsable(f"openrouter models: links is not an object: {links!r}")
    following = links.get("next")
    if following is None:
        return []
    if not isinstance(following, str) or not following.strip():
        raise Unparsable(f"openrouter models: links.next is not a URL: {following!r}")
    return [urljoin(url, following.strip())]


def normalize(record: dict[str, Any]) -> list[Draft]:
    model_id = record.get("id")
    if not isinstance(model_id, str) or not model_id.strip():
        raise Uninterpretable(str(model_id), "no model id", f"id={model_id!r}")
    source_model, dims = _split_variant(model_id)
    context = _Context(model_id, source_model)
    drafts = [
        *_pricing(context, record.get("pricing"), dims),
        *_limits(context, record, dims),
        *_capabilities(context, record, dims),
    ]
    return unique_drafts(model_id, drafts)


class _Context(NamedTuple):
    record: str
    source_model: str

    def draft(self, **fields: Any) -> Draft:
        return Draft(route=ROUTE, source_model=self.source_model, record=self.record, **fields)


def _split_variant(model_id: str) -> tuple[str, dict[str, str]]:
    base, colon, variant = model_id.strip().partition(":")
    if not colon:
        return base, {}
    if not base or not variant or ":" in variant:
        raise Uninterpretable(model_id, "malformed variant", f"id={model_id!r}")
    if variant == "batch":
        return base, {Dim.SERVICE_TIER: "batch"}
    return base, {Dim.VARIANT: variant}


def _pricing(context: _Context, pricing: Any, dims: dict[str, str]) -> list[Draft]:
    if pricing is None:
        return []
    if not isinstance(pricing, dict):
        raise Uninterpretable(context.record, "pricing is not an object", f"pricing={pricing!r}")
    overrides = pricing.get("overrides", [])
    if not isinstance(overrides, list) or not all(isinstance(o, dict) for o in overrides):
        raise Uninterpretable(context.record, "overrides is not a list of objects", repr(overrides))
    two_ttls = any("input_cache_write_1h" in prices for prices in [pricing, *overrides])
    drafts = _price_set(context, pricing, "pricing", dims, two_ttls, control={"overrides"})
    for index, override in enumerate(overrides):
        path = f"pricing.overrides[{index}]"
        tier_dims = {**dims, Dim.CONTEXT_ABOVE: _context_above(context, override, path)}
        drafts += _price_set(
            context, override, path, tier_dims, two_ttls, control={"min_prompt_tokens"}
        )
    return drafts


def _context_above(context: _Context, override: dict[str, Any], path: str) -> str:
    window = {key: _show(override[key]) for key in TIME_WINDOW_KEYS if key in override}
    if window:
        raise Uninterpretable(
            context.record,
            "time-window override",
            f"{path} {window}: prices by UTC time window have no dimension in the vocabulary",
        )
    if "min_prompt_tokens" not in override:
        raise Uninterpretable(context.record, "override without min_prompt_tokens", repr(override))
    tokens = to_decimal(override["min_prompt_tokens"], context.record, f"{path}.min_prompt_tokens")
    if tokens <= 0 or tokens != tokens.to_integral_value():
        raise Uninterpretable(
            context.record, "bad min_prompt_tokens", f"{path}.min_prompt_tokens={tokens}"
        )
    return str(int(tokens))


def _price_set(
    context: _Context,
    prices: dict[str, Any],
    path: str,
    dims: dict[str, str],
    two_ttls: bool,
    control: set[str],
) -> list[Draft]:
    drafts: list[Draft] = []
    for key in sorted(prices):
        raw = prices[key]
        name = f"{path}.{key}"
        if key in control:
            continue
        if key == "discount":
            _check_discount(context, raw, name)
            continue
        if key == "image_token":
            _check_image_token(context, prices, name)
            continue
        rate = RATES.get(key)
        if rate is None:
            raise Uninterpretable(context.record, "unknown pricing key", f"{name}={_show(raw)}")
        value = to_decimal(raw, context.record, name)
        if value == SENTINEL:
            continue
        rate_dims = dict(dims)
        if rate.modality:
            rate_dims[Dim.MODALITY] = rate.modality
        if key == "input_cache_write_1h":
            rate_dims[Dim.CACHE_TTL] = "1h"
        elif key == "input_cache_write" and two_ttls:
            rate_dims[Dim.CACHE_TTL] = "5m"
        drafts.append(
            context.draft(
                component=rate.component,
                unit=rate.unit,
                dimensions=rate_dims,
                value=value * rate.factor,
                evidence=f"{name}={_show(raw)}",
            )
        )
    return drafts


def _check_discount(context: _Context, raw: Any, name: str) -> None:
    if to_decimal(raw, context.record, name) != 0:
        raise Uninterpretable(
            context.record,
            "discount",
            f"{name}={_show(raw)}: unclear whether the stated prices already include it",
        )


def _check_image_token(context: _Context, prices: dict[str, Any], name: str) -> None:
    token = to_decimal(prices["image_token"], context.record, name)
    output = prices.get("image_output")
    if output is None or to_decimal(output, context.record, "image_output") != token:
        raise Uninterpretable(
            context.record,
            "image_token direction unknown",
            f"{name}={_show(prices['image_token'])} differs from image_output={_show(output)}",
        )


def _limits(context: _Context, record: dict[str, Any], dims: dict[str, str]) -> list[Draft]:
    top = record.get("top_provider") or {}
    if not isinstance(top, dict):
        raise Uninterpretable(context.record, "top_provider is not an object", repr(top))
    fields = (
        ("context_length", record.get("context_length"), Component.CONTEXT_WINDOW),
        (
            "top_provider.max_completion_tokens",
            top.get("max_completion_tokens"),
            Component.MAX_OUTPUT_TOKENS,
        ),
    )
    return [
        context.draft(
            kind=Kind.LIMIT,
            component=component,
            unit=Unit.TOKENS,
            dimensions=dims,
            value=to_decimal(raw, context.record, name),
            evidence=f"{name}={_show(raw)}",
        )
        for name, raw, component in fields
        if raw is not None
    ]


def _capabilities(context: _Context, record: dict[str, Any], dims: dict[str, str]) -> list[Draft]:
    architecture = record.get("architecture") or {}
    if not isinstance(architecture, dict):
        raise Uninterpretable(context.record, "architecture is not an object", repr(architecture))
    named: dict[str, str] = {}
    for parameter in _strings(context, record, "supported_parameters"):
        if parameter in FEATURE_PARAMETERS:
            named[parameter] = f'supported_parameters contains "{parameter}"'
    for direction in ("input", "output"):
        field = f"{direction}_modalities"
        for modality in _strings(context, architecture, field):
            named[f"{direction}_{modality}"] = f'architecture.{field} contains "{modality}"'
    return [
        context.draft(
            kind=Kind.CAPABILITY,
            component=Component.SUPPORTS,
            unit=Unit.FLAG,
            dimensions={**dims, Dim.CAPABILITY: name},
            value=Decimal(1),
            evidence=evidence,
        )
        for name, evidence in sorted(named.items())
    ]


def _strings(context: _Context, holder: dict[str, Any], field: str) -> list[str]:
    values = holder.get(field) or []
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise Uninterpretable(context.record, f"{field} is not a list of names", repr(values))
    return values


def _show(raw: Any) -> str:
    return f'"{raw}"' if isinstance(raw, str) else str(raw)
