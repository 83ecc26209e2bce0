"""The vocabulary every source is normalized into: kinds, components, units and dimensions.

One model of dimensions serves every source (DESIGN.md, "component and dimensions"): a value is
identified by (route, model, kind, component, unit, dimensions), never by a suffixed field name.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum


class Kind(StrEnum):
    """What sort of value an observation states."""

    PRICE = "price"  # money, in USD per `unit`
    LIMIT = "limit"  # a count, e.g. max input tokens
    CAPABILITY = "capability"  # 1 (supported) or 0 (explicitly not supported); absent = unknown


class Component(StrEnum):
    """What a price (or limit) is for. Modality, tier, TTL... are dimensions, not components."""

    INPUT = "input"
    OUTPUT = "output"
    CACHE_READ = "cache_read"
    CACHE_WRITE = "cache_write"
    CACHE_STORAGE = "cache_storage"
    REASONING = "reasoning"
    REQUEST = "request"
    WEB_SEARCH = "web_search"
    TOOL_CALL = "tool_call"
    PAGE = "page"
    # limits
    CONTEXT_WINDOW = "context_window"
    MAX_INPUT_TOKENS = "max_input_tokens"
    MAX_OUTPUT_TOKENS = "max_output_tokens"
    RATE_RPM = "rate_rpm"
    RATE_TPM = "rate_tpm"
    # capability: the capability's name is the `capability` dimension
    SUPPORTS = "supports"
    MODE = "mode"


class Unit(StrEnum):
    """Canonical units. Money is USD; token prices are per 1M tokens (the seeds' convention)."""

    PER_1M_TOKENS = "usd_per_1m_tokens"
    PER_IMAGE = "usd_per_image"
    PER_PIXEL = "usd_per_pixel"
    PER_SECOND = "usd_per_second"
    PER_MINUTE = "usd_per_minute"
    PER_HOUR = "usd_per_hour"
    PER_CHARACTER = "usd_per_character"
    PER_REQUEST = "usd_per_request"
    PER_1K_QUERIES = "usd_per_1k_queries"
    PER_PAGE = "usd_per_page"
    PER_1M_TOKENS_PER_HOUR = "usd_per_1m_tokens_per_hour"  # cache storage
    TOKENS = "tokens"  # limits
    PER_MINUTE_COUNT = "per_minute"  # rate limits
    FLAG = "flag"  # capabilities: 1 or 0


PRICE_UNITS = frozenset(u for u in Unit if u.value.startswith("usd_"))


def unit_label(unit: str) -> str:
    """'usd_per_1m_tokens' → 'USD per 1M tokens': a unit as people write it (the stored token
    stays the unit's name in JSON, exports, the database and a `--claim`)."""
    words = unit.removeprefix("usd_").replace("_", " ").replace("1m", "1M").replace("1k", "1K")
    return f"USD {words}" if unit.startswith("usd_") else words


# A price unit's token inside a stored text (a review item's title), longest first.
_UNIT_TOKENS = re.compile(
    r"(?<![\w])("
    + "|".join(sorted((re.escape(u.value) for u in PRICE_UNITS), key=len, reverse=True))
    + r")(?![\w])"
)


def units_spelled(text: str) -> str:
    """`text` with each price unit's token written as people write it: a review item's stored
    title 'input: 0.28 → 0.14 usd_per_1m_tokens' read 'input: 0.28 → 0.14 USD per 1M tokens',
    as `cost`, `routes` and the model pages give the unit. The stored title is unchanged."""
    return _UNIT_TOKENS.sub(lambda m: unit_label(m[1]), text)


LIMIT_UNITS: dict[str, frozenset[Unit]] = {
    "context_window": frozenset({Unit.TOKENS}),
    "max_input_tokens": frozenset({Unit.TOKENS}),
    "max_output_tokens": frozenset({Unit.TOKENS}),
    "rate_rpm": frozenset({Unit.PER_MINUTE_COUNT}),
    "rate_tpm": frozenset({Unit.PER_MINUTE_COUNT}),
    "supports": frozenset({Unit.FLAG}),
    "mode": frozenset({Unit.FLAG}),
}


def component_units(component: Component) -> frozenset[Unit]:
    """The units a value of `component` can be stated in: a limit's count (tokens, per minute),
    a capability's flag, and any price unit for a priced component (input, output, cache...)."""
    return LIMIT_UNITS.get(component.value, PRICE_UNITS)


# Above this a value is an anomaly, not a price (a per-token price read as per-1M is 10^6 too high).
MAGNITUDE_LIMITS: dict[Unit, Decimal] = {
    Unit.PER_1M_TOKENS: Decimal(1000),
    Unit.PER_IMAGE: Decimal(100),
    Unit.PER_PIXEL: Decimal("0.001"),
    Unit.PER_SECOND: Decimal(100),
    Unit.PER_MINUTE: Decimal(1000),
    Unit.PER_HOUR: Decimal(10000),
    Unit.PER_CHARACTER: Decimal("0.01"),
    Unit.PER_REQUEST: Decimal(100),
    Unit.PER_1K_QUERIES: Decimal(1000),
    Unit.PER_PAGE: Decimal(10),
    Unit.PER_1M_TOKENS_PER_HOUR: Decimal(1000),
}


class Dim(StrEnum):
    """Dimension names. Values are short lowercase strings."""

    MODALITY = "modality"  # text | image | audio | video
    SERVICE_TIER = "service_tier"  # standard | batch | flex | priority
    CONTEXT_ABOVE = "context_above"  # integer tokens, e.g. "200000": the price above N tokens
    CACHE_TTL = "cache_ttl"  # 5m | 1h
    SCOPE = "scope"  # global | data_zone | regional
    REGION = "region"  # e.g. eastus2
    QUALITY = "quality"  # low | medium | high | standard | hd
    SIZE = "size"  # WxH, e.g. 1024x1024
    TIME_OF_DAY = "time_of_day"  # peak | off_peak
    CAPABILITY = "capability"  # for Kind.CAPABILITY: vision, function_calling, ...
    MODE = "mode"  # for Component.MODE: chat, embedding, image_generation, ...
    VARIANT = "variant"  # e.g. free (OpenRouter ":free")


DIMENSION_VALUES: dict[Dim, frozenset[str]] = {
    Dim.MODALITY: frozenset({"text", "image", "audio", "video"}),
    Dim.SERVICE_TIER: frozenset({"standard", "batch", "flex", "priority"}),
    Dim.CACHE_TTL: frozenset({"5m", "1h"}),
    Dim.SCOPE: frozenset({"global", "data_zone", "regional"}),
    Dim.TIME_OF_DAY: frozenset({"peak", "off_peak"}),
}

# Dimensions at their default value are left out, so every source says "text input, standard
# tier" the same way: by saying nothing.
DIMENSION_DEFAULTS: dict[Dim, str] = {
    Dim.MODALITY: "text",
    Dim.SERVICE_TIER: "standard",
}

# The cache lifetime a route's cache-write price has when a source states the price without one:
# the route's documented default. Anthropic: "by default, the cache has a 5-minute lifetime"
# (prompt caching docs; the 1-hour cache is opted into per request and priced apart). A cache
# write without lifetime on any other route keeps no `cache_ttl`: nothing documents one.
CACHE_TTL_DEFAULTS: dict[str, str] = {
    "anthropic": "5m",
}

# The documented default cache lifetime on routes that resell models whose cache writes are priced
# per lifetime (Anthropic's Claude: a 5-minute and a 1-hour write). Applied after identity, and
# only to a (route, model) for which some source states a cache write with a lifetime
# (catalog/lifetimes.py): a route-wide default would mislabel models whose caches have other
# lifetimes (Gemini's explicit cache defaults to 1 hour). Documented defaults: Amazon Bedrock
# prompt caching, "a cache checkpoint has a 5-minute TTL by default"; Vertex AI's Claude models,
# the Anthropic API's `cache_control` (5 minutes unless `ttl: "1h"`); OpenRouter passes
# `cache_control` to the provider, whose default applies (5 minutes for Anthropic models).
RESOLD_CACHE_TTL_DEFAULTS: dict[str, str] = {
    "anthropic": "5m",
    "bedrock": "5m",
    "vertex": "5m",
    "openrouter": "5m",
}

# Router pseudo-models: a gateway's models that send each call to another model and bill that
# model's price (`openrouter/auto`, `openrouter/free`...), so they have no price of their own.
# OpenRouter flags them in its own listing (`architecture.tokenizer` "Router", not an alias);
# this table carries that to the sources that do not (LiteLLM's `openrouter/openrouter/auto`).
# tests/test_openrouter_parser.py checks it against the flags in the recorded listings.
ROUTER_MODELS: dict[str, frozenset[str]] = {
    "openrouter": frozenset(
        {
            "openrouter/auto",
            "openrouter/auto-beta",
            "openrouter/bodybuilder",
            "openrouter/free",
            "openrouter/fusion",
            "openrouter/pareto-code",
        }
    ),
}
