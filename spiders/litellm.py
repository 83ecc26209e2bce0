"""LiteLLM's price map: `model_prices_and_context_window.json` (secondary for every route).

One JSON object; each key is LiteLLM's lookup id and each value an entry whose
`litellm_provider` is the route (the provider is not derivable from the key). One raw record per
key: ``{"key": <key>, "entry": <value>}``.

Quirks of the source, and how they are read:

- Non-model keys: `sample_spec` (documentation) and `fallback_generalizations` (regex rules,
  since 2026-07) are skipped by name. Any other key whose value is not an entry dict with a
  `litellm_provider` still becomes a record and is Uninterpretable, so a new one gets reported;
  a key `error` holding an error envelope (text, or an object with a `message`) beside the
  entries is the source saying its answer failed: Unparsable, naming its message
  (spiders/parsing.py refuse_an_error_key).
- The words that say what an entry's other fields mean (`litellm_provider`, `mode`,
  `web_search_billing_unit`) are read without the whitespace a hand edit can pad them with, as
  every text value of a JSON source is (spiders/parsing.py `load_json`).
- Duplicate JSON keys (upstream history has hundreds of versions with them; `json.load` silently
  keeps the last): identical repeats are one record; differing repeats become one record per
  occurrence, each Uninterpretable. A field repeated with different values inside an entry is
  quarantined (that field alone; the entry's other fields are read), unless it is one of the
  words the other fields are read by (QUALIFIERS: `litellm_provider` is every price's route,
  `mode` says whether an input image price is the generated image's, `web_search_billing_unit`
  what a search is): then which of its values they mean is unknown, and the entry is
  Uninterpretable rather than read by the value JSON happened to keep last.
- A key whose first path segment is a provider the map names (some entry's `litellm_provider`)
  beside a `litellm_provider` that is neither that provider nor one of its own (`vertex_ai/…`
  under `vertex_ai-anthropic_models` is one) states two routes: `openrouter/openai/gpt-4o`
  under `openai`, the slip BerriAI/litellm#6079 fixed, read OpenRouter's prices as OpenAI's
  (fault round 50). Which one the entry prices is unknown: Uninterpretable ("provider
  contradicts key").
- Cost fields are split by one grammar (COST_FIELD): direction and unit (`input_cost_per_token`,
  `_audio_token`/`_image_token`/`_video_token` give the modality, `_image`, `_pixel`, `_second`,
  `_audio_per_second`, `_video_per_second`, `_character`, `_query` (stored per 1K queries),
  `_request`, `ocr_cost_per_page`, `annotation_cost_per_page` (page, variant=annotation),
  `citation_cost_per_token` (input, variant=citation)), then suffixes:
  `_above_<N>k_tokens` (context_above=N*1000), `_above_1hr` (cache_ttl=1h), `_batches`/`_flex`/
  `_priority` (service tier), `_above_<N>s_interval` and `_1080p` (variant / size). A field with
  "cost", "price" or "pricing" in its name (in any case) that the grammar does not know is
  quarantined by name (that field alone), so new LiteLLM fields are reported, never silently
  dropped (a `time_of_use_pricing` of peak rates, read past, left the base prices as the
  all-day ones).
- `cache_creation_input_token_cost` is cache_ttl=5m only where the entry also states the
  `_above_1hr` write price (Anthropic-style TTL split); elsewhere (OpenAI, DeepSeek, MiniMax,
  Gemini...) LiteLLM states no TTL, so none is given.
- `input_cost_per_token_cache_hit` is a synonym of `cache_read_input_token_cost`: equal values are
  one draft, differing ones quarantine that field (the one duplicate rule, spiders/_drafts.py;
  it also covers `tiered_pricing` against flat keys and `max_tokens` against the limit it
  mirrors). A cache write without lifetime on a route with a documented default lifetime
  (anthropic: 5 minutes) is read with it.
- Router pseudo-models (`openrouter/openrouter/auto`: schemas/vocab.py ROUTER_MODELS, the
  routers OpenRouter flags) have no price: each price is quarantined ("router pseudo-model",
  spiders/_drafts.py), their limits and capabilities are read.
- A limit of 0 is unknown, not a value: quarantined, no draft.
- `tiered_pricing`: `range: [lo, hi]` tiers are context tiers (context_above=lo; the tier from 0
  is the base price), each starting where the one below ends: a gap or an overlap between them
  makes the whole field Uninterpretable; `max_results_range` tiers (search tools) are
  `variant=max-results-lo-hi`.
- Image generation: in an `image_generation` entry with no `output_cost_per_image`, LiteLLM's
  image cost calculator charges `input_cost_per_image` / `input_cost_per_pixel` per generated
  image (e.g. `low/1024-x-1024/gpt-image-1-mini` = 0.005), so they are read as output image
  prices; the `output_cost_per_pixel: 0.0` placeholder beside them is not read (a non-zero one is
  Uninterpretable). Entries such as Gemini image models that state both directions are literal.
- A bare `_cost_per_second` takes the medium of the entry's mode on the side that mode meters:
  audio_transcription input, audio_speech output -> audio; video_generation output -> video.
  A chat model's per-second price (Bedrock's provisioned throughput) and a transcription's
  output seconds meter no medium of their own and are read without one (SECOND_MEDIUM). Any
  other mode, or none, does not say what a second meters: that price alone is quarantined as
  unit-ambiguous, never read as a chat model's.
- `currency`: LiteLLM's prices are USD. An entry whose `currency` names another (after
  trimming, in any case: `usd` is USD) has every price field quarantined alone as "not USD",
  naming the currency; its limits and capabilities are read.
- Key paths carry dimensions (the route is always `litellm_provider`):
  `azure/us/`, `azure/eu/` -> scope=data_zone, region=us|eu; `azure/global/`,
  `azure/global-standard/` -> scope=global; any other `azure/<...>` key states no scope (its
  value is the price of a deployment LiteLLM does not name: Global for most models, Regional for
  o1-mini or gpt-4o-mini; catalog.identity reads it against Azure's official meters);
  `azure_ai/global/` -> scope=global. Bedrock: `bedrock/<aws-region>/` -> scope=regional and
  region; `bedrock/*/` -> no region; `<N>-month-commitment/` (provisioned throughput, per
  second) -> variant; geo prefixes `us.`, `eu.`, `apac.`, `jp.`, `au.`, `us-gov.` ->
  scope=data_zone and region, `global.` -> scope=global. Image paths
  `[azure/]<quality>/<W>-x-<H>/<model>`, `<W>-x-<H>/<model>`, `<W>-x-<H>/<N>-steps/<model>` and
  `max-x-max/...` give quality, size (`1024x1024`, `max`) and variant (`50-steps`).
  source_model is the key without those dimension segments (`azure/us/gpt-4o` -> `azure/gpt-4o`,
  `us.anthropic.claude-x` -> `anthropic.claude-x`); `record` is the full key.
- `search_context_cost_per_query` (dict by `search_context_size_low|medium|high`) is web_search
  per 1K queries with variant=search-context-<size>; under a `web_search_billing_unit` other
  than `per_query` (`per_prompt`: per grounded prompt) that field alone is Uninterpretable.
- Limits: `max_input_tokens`, `max_output_tokens` (float-typed `2000000.0` accepted when
  integral), `rpm`/`tpm` (rate limits). `max_tokens` is LiteLLM's legacy mirror ("set to
  max_output_tokens if provider specifies it, if not to max_input_tokens"): it is checked against
  the field it mirrors, read as max_output_tokens when it differs from max_input_tokens, and not
  read when it stands alone (which of the two it mirrors is then unknown).
- Capabilities: `mode` -> component mode, dimension mode=<value>; `supports_<x>` (and
  `bedrock_converse_supports_strict_tools` -> strict_tools) -> capability=<x>, 1 or 0. Absent
  means unknown: nothing is emitted. A mode whose models return no text (embedding, rerank,
  moderation) beside function calling or tool choice stated true is quarantined alone ("mode
  contradicted by the entry": another entry's mode, the entry's prices and flags a chat
  model's). So is a mode that decides which way `input_cost_per_image`/`_pixel` go (below, Image
  generation) where the entry says otherwise: image_generation beside function calling or no
  image endpoint, chat beside image endpoints only; those prices are quarantined with it.
- Skipped by rule: `*_dbu_cost_per_token` (Databricks DBUs, not USD; the USD price is in the
  plain fields), `provider_specific_entry` and `regional_processing_uplift_multiplier_*`
  (multipliers, not stated prices), `metadata`/`comment`/`source` (notes), and the
  `fireworks-ai-*` / `together-ai-*` keys, which are parameter-size price buckets, not models.
- Not in the vocabulary, so Uninterpretable: `ocr_cost_per_credit` (per credit) and
  `code_interpreter_cost_per_session` (per session).
- Other fields (`deprecation_date`, `supported_*` lists, `output_vector_size`,
  `prompt_cache_min_tokens`, LiteLLM routing flags such as `gemini_native_audio`...) are neither
  prices, limits nor capabilities in the vocabulary and are not read.
- Values are emitted as stated, anomalies included (e.g. the wandb per-token prices that are
  10^5 too high): validation catches them. Int-typed costs (`0`) are read as numbers.
"""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import pairwise
from typing import Any, NamedTuple, TypeGuard

from schemas.fetch import (
    NOT_USD_RULE,
    UNKNOWN_KEY_RULE,
    UNKNOWN_LIMIT,
    Normalized,
    Uninterpretable,
    Unparsable,
)
from schemas.vocab import Component, Dim, Kind, Unit
from spiders._drafts import DraftCollector
from spiders.parsing import (
    MILLION,
    NOT_WHOLE_LIMIT,
    Page,
    Repeated,
    foreign_currency,
    held_value_key,
    key_shown,
    load_json,
    named_date,
    refuse_a_foreign_currency,
    refuse_an_answered_error,
    refuse_an_error_key,
    to_decimal,
    unknown_value_keys,
)

NON_MODEL_KEYS = frozenset({"sample_spec", "fallback_generalizations"})
BUCKET_KEY = re.compile(r"^(?:fireworks|together)-ai-")
ONE = Decimal(1)
THOUSAND = Decimal(1000)
FLAG_VALUE = {True: ONE, False: Decimal(0)}
FLAG_TEXT = {True: "true", False: "false"}

COST_FIELD = re.compile(
    r"^(?:(?P<dir>input|output)_cost_per_(?P<per>token|audio_token|image_token|video_token"
    r"|reasoning_token|audio_per_second|video_per_second|second|character|image|pixel|query"
    r"|request)"
    r"|(?P<cache>cache_read|cache_creation)_input(?:_(?P<cache_mod>audio|image))?_token_cost"
    r"|(?P<page>ocr|annotation)_cost_per_page"
    r"|(?P<citation>citation)_cost_per_token)"
    r"(?P<suffixes>(?:_above_[0-9]{1,9}k_tokens|_above_1hr|_above_[0-9]{1,9}s_interval|_1080p"
    r"|_priority|_flex|_batches|_cache_hit)*)$"
)
SUFFIX = re.compile(
    r"_above_(?P<context>[0-9]{1,9})k_tokens|(?P<ttl>_above_1hr)"
    r"|_above_(?P<interval>[0-9]{1,9})s_interval|(?P<p1080>_1080p)|_(?P<tier>priority|flex|batches)|(?P<hit>_cache_hit)"
)
SERVICE_TIERS = {"priority": "priority", "flex": "flex", "batches": "batch"}


class Per(NamedTuple):
    """What LiteLLM's `_cost_per_<per>` means: canonical unit, factor to it, and modality."""

    unit: Unit
    factor: Decimal
    modality: str | None = None


PER: dict[str, Per] = {
    "token": Per(Unit.PER_1M_TOKENS, MILLION),
    "reasoning_token": Per(Unit.PER_1M_TOKENS, MILLION),
    "audio_token": Per(Unit.PER_1M_TOKENS, MILLION, "audio"),
    "image_token": Per(Unit.PER_1M_TOKENS, MILLION, "image"),
    "video_token": Per(Unit.PER_1M_TOKENS, MILLION, "video"),
    "second": Per(Unit.PER_SECOND, ONE),
    "audio_per_second": Per(Unit.PER_SECOND, ONE, "audio"),
    "video_per_second": Per(Unit.PER_SECOND, ONE, "video"),
    "character": Per(Unit.PER_CHARACTER, ONE),
    "image": Per(Unit.PER_IMAGE, ONE, "image"),
    "pixel": Per(Unit.PER_PIXEL, ONE, "image"),
    "query": Per(Unit.PER_1K_QUERIES, THOUSAND),
    "request": Per(Unit.PER_REQUEST, ONE),
}
INPUT_ONLY = frozenset({"query", "request"})
# What a bare per-second price meters, by mode and direction: the medium, or None where the
# mode bills seconds of no medium of its own (a chat model's provisioned throughput, Bedrock's
# `<N>-month-commitment/` keys; the seconds of audio a transcription is billed for on its text
# output side). A (mode, direction) not here leaves the unit a guess (unit-ambiguous).
SECOND_MEDIUM: dict[tuple[str, str], str | None] = {
    ("audio_transcription", "input"): "audio",
    ("audio_transcription", "output"): None,
    ("audio_speech", "output"): "audio",
    ("video_generation", "output"): "video",
    ("chat", "input"): None,
    ("chat", "output"): None,
}
AMBIGUOUS_RULE = "unit-ambiguous"  # catalog/plausibility.py's name for it
SEARCH_SIZES = {
    "search_context_size_low": "low",
    "search_context_size_medium": "medium",
    "search_context_size_high": "high",
}
LIMITS: dict[str, tuple[Component, Unit]] = {
    "max_input_tokens": (Component.MAX_INPUT_TOKENS, Unit.TOKENS),
    "max_output_tokens": (Component.MAX_OUTPUT_TOKENS, Unit.TOKENS),
    "rpm": (Component.RATE_RPM, Unit.PER_MINUTE_COUNT),
    "tpm": (Component.RATE_TPM, Unit.PER_MINUTE_COUNT),
}
FLAG_ALIASES = {"bedrock_converse_supports_strict_tools": "strict_tools"}
# Fields read elsewhere in normalize, or skipped by the rules in the module docstring.
# The words an entry's other fields are read by (module docstring): stated twice differently,
# they leave every field read by them of unknown meaning.
QUALIFIERS = frozenset({"litellm_provider", "mode", "web_search_billing_unit"})
NOT_READ = frozenset(
    {
        "litellm_provider",
        "currency",
        "max_tokens",
        "web_search_billing_unit",
        "input_dbu_cost_per_token",
        "output_dbu_cost_per_token",
        "provider_specific_entry",
        "regional_processing_uplift_multiplier_us",
        "regional_processing_uplift_multiplier_eu",
        "metadata",
        "comment",
        "source",
    }
)
# Fields of token counts an entry states that are no limit of the vocabulary's (a prompt cache's
# minimum, a tool prompt's length, a rerank query's or a document chunk's size): left unread.
# Any other field named as a price or a limit that no rule reads is quarantined by name
# (spiders/parsing.py `unknown_value_keys`: `max_input_tokens` renamed `context_window` went
# unread without a word).
LIMITS_NOT_READ = frozenset(
    {
        "max_query_tokens",
        "max_tokens_per_document_chunk",
        "prompt_cache_min_tokens",
        "tool_use_system_prompt_tokens",
    }
)
NOT_IN_VOCABULARY = {
    "ocr_cost_per_credit": "per credit",
    "code_interpreter_cost_per_session": "per session",
}

AZURE_ZONES = frozenset({"us", "eu"})
AZURE_GLOBAL = frozenset({"global", "global-standard"})
AWS_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-[0-9]{1,3}$")
COMMITMENT = re.compile(r"^[0-9]{1,3}-month-commitment$")
BEDROCK_GEO = re.compile(r"^(?P<geo>us-gov|us|eu|apac|jp|au|global)\.(?P<model>.+)$")
QUALITIES = frozenset({"low", "medium", "high", "standard", "hd"})
SIZE = re.compile(r"^(?P<w>[0-9]{1,6}|max)-x-(?P<h>[0-9]{1,6}|max)$")
STEPS = re.compile(r"^(?:[0-9]{1,6}|max)-steps$")


# ---------------------------------------------------------------------------- parse


def _record(key: str, value: Any) -> dict[str, Any]:
    """One model entry; a field it repeats with different values (parsing.Repeated) is named in
    `duplicate_fields` and holds the last value it was given, as JSON would have it."""
    record: dict[str, Any] = {"key": key, "entry": value}
    if isinstance(value, dict):
        repeated = sorted(k for k, v in value.items() if isinstance(v, Repeated))
        if repeated:
            record["entry"] = {k: v[-1] if isinstance(v, Repeated) else v for k, v in value.items()}
            record["duplicate_fields"] = repeated
    return record


def _is_entry(value: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and isinstance(value.get("litellm_provider"), str)


def parse(body: bytes, url: str) -> Page:
    """LiteLLM's `model_prices_and_context_window.json` as one record per key (`{"key", "entry"}`,
    with `duplicate_fields` naming the fields an entry repeats differently, `occurrence` on each
    of a key's differing repeats, and `key_provider` naming the provider a key's first segment
    names where the entry's `litellm_provider` is another's), the non-model keys skipped: a Page
    of those records, no further pages. Raises Unparsable when the body is not a JSON object,
    holds no model entry, or states an error beside its entries."""
    data = load_json(body, url)
    if not isinstance(data, dict):
        raise Unparsable(f"{url}: expected a JSON object of model entries")
    refuse_a_foreign_currency(data, url)
    records: list[dict[str, Any]] = []
    for key, value in data.items():
        if key in NON_MODEL_KEYS:
            continue
        occurrences = list(value) if isinstance(value, Repeated) else [value]
        for index, each in enumerate(occurrences, 1):
            record = _record(key, each)
            if len(occurrences) > 1:
                record["occurrence"] = f"{index} of {len(occurrences)}"
            records.append(record)
    providers = {r["entry"]["litellm_provider"] for r in records if _is_entry(r["entry"])}
    for record in records:
        named, slash, _ = record["key"].partition("/")
        entry = record["entry"]
        if (
            slash
            and named in providers
            and _is_entry(entry)
            and not entry["litellm_provider"].startswith(named)
        ):
            record["key_provider"] = named
    if not any(_is_entry(r["entry"]) for r in records):
        refuse_an_answered_error(data, url, entries=None)
        raise Unparsable(f"{url}: no model entries (an error body or another file?)")
    refuse_an_error_key(data, url, sum(_is_entry(r["entry"]) for r in records))
    # the map states no date of its entries; the snapshot dates of the models its keys name are
    # days no copy naming them is older than (a mirror's or a cache's old copy: spiders/spider.py
    # `newest_stated`)
    dates = (named_date(r["key"]) for r in records if _is_entry(r["entry"]))
    return Page(records=records, stated_dates=[at for at in dates if at is not None])


# ------------------------------------------------------------------------ normalize


class Emitter:
    """The drafts of one entry, with the dimensions its key's path states, collected by the one
    duplicate rule (spiders/_drafts.py)."""

    def __init__(self, key: str, route: str, source_model: str, dims: dict[str, str]) -> None:
        self.key = key
        self.route = route
        self.source_model = source_model
        self.dims = dims
        self.collector = DraftCollector(key, route, source_model)

    def add(
        self,
        kind: Kind,
        component: Component,
        unit: Unit,
        dims: dict[str, str],
        value: Decimal,
        evidence: str,
    ) -> None:
        """One value of the entry's model, `value` already in `unit`: the key's path dimensions
        merged with `dims` (two values for one dimension raise Uninterpretable), the key before the
        evidence."""
        self.collector.add(
            component,
            unit,
            value,
            f"{self.key}: {evidence}",
            merge_dims(self.key, self.dims, dims),
            kind=kind,
        )

    def price(
        self, component: Component, unit: Unit, dims: dict[str, str], value: Decimal, evidence: str
    ) -> None:
        """One price of the entry's model (`add` of kind price)."""
        self.add(Kind.PRICE, component, unit, dims, value, evidence)


def merge_dims(key: str, *parts: dict[str, str]) -> dict[str, str]:
    """The union of dimension sets; one dimension with two values is Uninterpretable."""
    merged: dict[str, str] = {}
    for part in parts:
        if not merged:
            merged = dict(part)
            continue
        for name, value in part.items():
            if merged.setdefault(name, value) != value:
                raise Uninterpretable(key, "two values for one dimension", f"{name}: {part}")
    return merged


def key_dimensions(key: str, provider: str) -> tuple[str, dict[str, str]]:
    """The model part of a key (source_model) and the dimensions its path states."""
    segments = key.split("/")
    dims: dict[str, str] = {}
    kept: list[str] = []
    index = 0
    if segments[0] == "azure" and len(segments) > 2 and segments[1] in AZURE_ZONES:
        dims |= {Dim.SCOPE: "data_zone", Dim.REGION: segments[1]}
        kept, index = ["azure"], 2
    elif segments[0] in ("azure", "azure_ai") and len(segments) > 2 and segments[1] in AZURE_GLOBAL:
        dims[Dim.SCOPE] = "global"
        kept, index = [segments[0]], 2
    elif segments[0] == "bedrock" and len(segments) > 2:
        kept, index = ["bedrock"], 1
        if AWS_REGION.match(segments[1]):
            dims |= {Dim.SCOPE: "regional", Dim.REGION: segments[1]}
            index = 2
        elif segments[1] == "*":
            index = 2
        if COMMITMENT.match(segments[index]):
            dims[Dim.VARIANT] = segments[index]
            index += 1
    path = segments[index:-1]
    for position, segment in enumerate(path):
        following = path[position + 1] if position + 1 < len(path) else ""
        size = SIZE.match(segment)
        if size:
            both_max = size["w"] == size["h"] == "max"
            dims[Dim.SIZE] = "max" if both_max else f"{size['w']}x{size['h']}"
        elif STEPS.match(segment):
            dims[Dim.VARIANT] = segment
        elif segment in QUALITIES and SIZE.match(following):
            dims[Dim.QUALITY] = segment
        else:
            kept.append(segment)
    model = segments[-1]
    geo = BEDROCK_GEO.match(model) if provider.startswith("bedrock") else None
    if geo:
        model = geo["model"]
        if geo["geo"] == "global":
            dims = merge_dims(key, dims, {Dim.SCOPE: "global"})
        else:
            dims = merge_dims(key, dims, {Dim.SCOPE: "data_zone", Dim.REGION: geo["geo"]})
    if not model:
        raise Uninterpretable(key, "empty model name", f"key {key!r} ends with '/'")
    return "/".join([*kept, model]), dims


def read_limit(key: str, name: str, raw: Any) -> Decimal:
    """A limit field as a whole number of tokens or requests. Raises Uninterpretable
    (NOT_WHOLE_LIMIT) for a negative or fractional one, or for anything to_decimal cannot read."""
    value = to_decimal(raw, key, name)
    if value != value.to_integral_value() or value < 0:
        raise Uninterpretable(key, NOT_WHOLE_LIMIT, f"{name}={raw}")
    return Decimal(int(value))


class Suffixes(NamedTuple):
    """What a cost field's suffixes say: the dimensions they add (context tier, service tier,
    interval, 1080p), and whether the field is a cache read or the 1-hour cache write."""

    dims: dict[str, str]
    cache_hit: bool  # `_cache_hit`: the field is a cache read
    one_hour: bool  # `_above_1hr`: the cache write with the 1-hour TTL


def emit_cost(
    out: Emitter,
    entry: dict[str, Any],
    name: str,
    raw: Any,
    where: str = "",
    tier_dims: dict[str, str] | None = None,
) -> None:
    """One cost field (`name`, value `raw`) into a price draft, by the COST_FIELD grammar."""
    key = out.key
    match = COST_FIELD.match(name)
    if match is None:
        raise Uninterpretable(key, "unknown cost field", f"{where}{name}={raw}")
    suffixes = read_suffixes(key, name, match)
    dims: dict[str, str] = dict(tier_dims or {})
    component, unit, factor = _base(key, entry, name, match, dims)
    if suffixes.cache_hit:
        component = Component.CACHE_READ
    if suffixes.one_hour:
        dims[Dim.CACHE_TTL] = "1h"
    elif match["cache"] == "cache_creation" and _splits_ttl(entry):
        dims[Dim.CACHE_TTL] = "5m"
    value = to_decimal(raw, key, name) * factor
    out.price(component, unit, merge_dims(key, dims, suffixes.dims), value, f"{where}{name}={raw}")


def read_suffixes(key: str, name: str, match: re.Match[str]) -> Suffixes:
    """The suffixes of a cost field (`match` of COST_FIELD on `name`) read. Raises Uninterpretable
    ("unknown cost field") for a suffix repeated or on a base it does not fit: `_cache_hit` other
    than on input per token and alone, `_above_1hr` off a cache write, an interval or `_1080p` off a
    per-second price."""
    found: dict[str, str] = {}
    for suffix in SUFFIX.finditer(match["suffixes"]):
        kind = next(group for group, text in suffix.groupdict().items() if text)
        if kind in found:
            raise Uninterpretable(key, "repeated cost suffix", name)
        found[kind] = suffix[kind]
    if "hit" in found and (len(found) > 1 or match["per"] != "token" or match["dir"] != "input"):
        raise Uninterpretable(key, "unknown cost field", f"{name}: _cache_hit on another base")
    if "ttl" in found and match["cache"] != "cache_creation":
        raise Uninterpretable(key, "unknown cost field", f"{name}: _above_1hr off cache writes")
    if ("interval" in found or "p1080" in found) and not (match["per"] or "").endswith("second"):
        raise Uninterpretable(key, "unknown cost field", f"{name}: a per-second suffix")
    dims: dict[str, str] = {}
    if "context" in found:
        dims[Dim.CONTEXT_ABOVE] = str(int(found["context"]) * 1000)
    if "tier" in found:
        dims[Dim.SERVICE_TIER] = SERVICE_TIERS[found["tier"]]
    if "interval" in found:
        dims[Dim.VARIANT] = f"above-{found['interval']}s-interval"
    if "p1080" in found:
        dims[Dim.SIZE] = "1080p"
    return Suffixes(dims, "hit" in found, "ttl" in found)


def _base(
    key: str, entry: dict[str, Any], name: str, match: re.Match[str], dims: dict[str, str]
) -> tuple[Component, Unit, Decimal]:
    """Component, unit and factor of the field's base; its modality or variant into `dims`."""
    if match["cache"]:
        if match["cache_mod"]:
            dims[Dim.MODALITY] = match["cache_mod"]
        component = (
            Component.CACHE_READ if match["cache"] == "cache_read" else Component.CACHE_WRITE
        )
        return component, Unit.PER_1M_TOKENS, MILLION
    if match["page"]:
        if match["page"] == "annotation":
            dims[Dim.VARIANT] = "annotation"
        return Component.PAGE, Unit.PER_PAGE, ONE
    if match["citation"]:
        dims[Dim.VARIANT] = "citation"
        return Component.INPUT, Unit.PER_1M_TOKENS, MILLION
    direction, per = match["dir"], match["per"]
    spec = PER[per]
    if per in INPUT_ONLY:
        if direction != "input":
            raise Uninterpretable(key, "unknown cost field", f"{name}: output per {per}")
        return Component.REQUEST, spec.unit, spec.factor
    if per == "reasoning_token":
        if direction != "output":
            raise Uninterpretable(key, "unknown cost field", f"{name}: input reasoning")
        return Component.REASONING, spec.unit, spec.factor
    modality = spec.modality
    if per == "second":
        mode: Any = entry.get("mode")
        if not isinstance(mode, str) or (mode, direction) not in SECOND_MEDIUM:
            raise Uninterpretable(
                key,
                AMBIGUOUS_RULE,
                f"{name}: mode={mode!r} does not say what a {direction} second meters",
            )
        modality = SECOND_MEDIUM[(mode, direction)]
    if modality:
        dims[Dim.MODALITY] = modality
    if direction == "input" and per in ("image", "pixel") and _charges_generated_image(entry):
        return Component.OUTPUT, spec.unit, spec.factor
    return (Component.INPUT if direction == "input" else Component.OUTPUT), spec.unit, spec.factor


def _splits_ttl(entry: dict[str, Any]) -> bool:
    return any(name.startswith("cache_creation_input_token_cost_above_1hr") for name in entry)


def _charges_generated_image(entry: dict[str, Any]) -> bool:
    """LiteLLM's image cost calculator charges input_cost_per_image/_pixel per generated image."""
    return entry.get("mode") == "image_generation" and "output_cost_per_image" not in entry


def emit_search_context(out: Emitter, raw: Any, billing_unit: Any) -> None:
    """`search_context_cost_per_query`, USD per search query by context size, read only where
    `web_search_billing_unit` is `per_query` (its default): LiteLLM's Gemini 2.x entries bill it
    `per_prompt` (once per grounded prompt, however many queries it ran), a unit the
    vocabulary's per-1K-queries price does not state, so this field alone is Uninterpretable
    and the entry's other prices are read."""
    name = "search_context_cost_per_query"
    if billing_unit != "per_query":
        raise Uninterpretable(
            out.key,
            "unknown web search billing unit",
            f"{name} is billed web_search_billing_unit={billing_unit!r}, not per query",
        )
    if not isinstance(raw, dict) or not raw or set(raw) - set(SEARCH_SIZES):
        raise Uninterpretable(out.key, "unknown search context sizes", f"{name}={raw}")
    for size_key, value in raw.items():
        out.price(
            Component.WEB_SEARCH,
            Unit.PER_1K_QUERIES,
            {Dim.VARIANT: f"search-context-{SEARCH_SIZES[size_key]}"},
            to_decimal(value, out.key, f"{name}.{size_key}") * THOUSAND,
            f"{name}.{size_key}={value}",
        )


def emit_tiers(out: Emitter, entry: dict[str, Any], raw: Any) -> None:
    """An entry's `tiered_pricing` list as prices per tier: context tiers (`range`) as
    context_above, search tiers (`max_results_range`) as a max-results variant. Raises
    Uninterpretable for the whole field when it is no non-empty list of tier objects, a tier states
    no price or a suffixed one, or the context ranges leave a gap or overlap."""
    if not isinstance(raw, list) or not raw:
        raise Uninterpretable(out.key, "unknown tiered_pricing shape", f"tiered_pricing={raw}")
    _check_context_ranges(out.key, raw)
    for index, tier in enumerate(raw):
        where = f"tiered_pricing[{index}]."
        if not isinstance(tier, dict):
            raise Uninterpretable(out.key, "unknown tiered_pricing shape", f"{where}: {tier}")
        tier_dims = _tier_dims(out.key, where, tier)
        prices = {k: v for k, v in tier.items() if k not in ("range", "max_results_range")}
        if not prices:
            raise Uninterpretable(out.key, "unknown tiered_pricing shape", f"{where}: no price")
        for name, value in prices.items():
            match = COST_FIELD.match(name)
            if match and match["suffixes"]:
                raise Uninterpretable(out.key, "tier field with its own tier", f"{where}{name}")
            emit_cost(out, entry, name, value, where, tier_dims)


def _check_context_ranges(key: str, tiers: list[Any]) -> None:
    """Context tiers (`range: [lo, hi]`) must cover the prompt lengths they span: each starts
    where the one below ends (LiteLLM writes `[0, 32000], [32000, 128000]`). One starting
    after the one below ends leaves the lengths between to no tier (read as stated, they would
    fall to the tier below), one starting before it ends prices them twice, and a range that
    ends at or before its start holds none: the whole tiered_pricing is Uninterpretable.
    Other tiers (search `max_results_range`) and malformed ranges are judged by _tier_dims."""
    spans: list[tuple[Decimal, Decimal, int]] = []
    for index, tier in enumerate(tiers):
        span = tier.get("range") if isinstance(tier, dict) else None
        if not isinstance(span, list) or len(span) != 2:
            continue
        low, high = (read_limit(key, f"tiered_pricing[{index}].range", side) for side in span)
        if high <= low:
            raise Uninterpretable(
                key, "bad tier bound", f"tiered_pricing[{index}].range={span}: holds no length"
            )
        spans.append((low, high, index))
    spans.sort()
    for (_, high, index), (low, _, following) in pairwise(spans):
        if low != high:
            rule = "tiers leave a gap" if low > high else "overlapping tiers"
            raise Uninterpretable(
                key,
                rule,
                f"tiered_pricing[{index}] ends at {high} but tiered_pricing[{following}] starts "
                f"at {low}",
            )


def _tier_dims(key: str, where: str, tier: dict[str, Any]) -> dict[str, str]:
    for bound in ("range", "max_results_range"):
        span = tier.get(bound)
        if span is None:
            continue
        if not isinstance(span, list) or len(span) != 2:
            raise Uninterpretable(key, "unknown tiered_pricing shape", f"{where}{bound}={span}")
        low, high = (read_limit(key, f"{where}{bound}", side) for side in span)
        if bound == "max_results_range":
            return {Dim.VARIANT: f"max-results-{low}-{high}"}
        return {Dim.CONTEXT_ABOVE: str(low)} if low else {}
    raise Uninterpretable(key, "unknown tiered_pricing shape", f"{where}: no range in {tier}")


def emit_limits(out: Emitter, entry: dict[str, Any]) -> None:
    """The entry's limits (`max_input_tokens`, `max_output_tokens`, `rpm`, `tpm`, and the legacy
    `max_tokens` where it mirrors max_output_tokens) as limit drafts in tokens or per minute; each
    one that is 0 (unknown) or no whole number is quarantined alone."""
    for name, (component, unit) in LIMITS.items():
        if name in entry:
            with out.collector.reading(name):
                value = read_limit(out.key, name, entry[name])
                if value == 0:
                    raise Uninterpretable(out.key, UNKNOWN_LIMIT, f"{name}={entry[name]}")
                out.add(Kind.LIMIT, component, unit, {}, value, f"{name}={entry[name]}")
    if "max_tokens" in entry:
        with out.collector.reading("max_tokens"):
            _emit_legacy_max_tokens(out, entry)


def _emit_legacy_max_tokens(out: Emitter, entry: dict[str, Any]) -> None:
    """`max_tokens`, LiteLLM's legacy mirror (module docstring): Uninterpretable when it, or
    the input limit it would mirror, is no whole number (that field alone is quarantined)."""
    legacy = read_limit(out.key, "max_tokens", entry["max_tokens"])
    if "max_output_tokens" not in entry:
        if "max_input_tokens" not in entry:
            return  # a mirror of an unknown one of the two
        mirrored = _limit_or_none(out.key, entry["max_input_tokens"])
        if mirrored is None or mirrored == legacy:
            return  # the input limit again, or one of a limit that is itself unreadable
    evidence = f"max_tokens={entry['max_tokens']}"
    if legacy == 0:
        raise Uninterpretable(out.key, UNKNOWN_LIMIT, evidence)
    out.add(Kind.LIMIT, Component.MAX_OUTPUT_TOKENS, Unit.TOKENS, {}, legacy, evidence)


def _limit_or_none(key: str, raw: Any) -> Decimal | None:
    """`max_input_tokens` as a whole number, or None where it is none (quarantined on its own
    by emit_limits)."""
    try:
        return read_limit(key, "max_input_tokens", raw)
    except Uninterpretable:
        return None


def emit_capability(out: Emitter, name: str, raw: Any) -> None:
    """A `supports_<x>` flag (or an alias) as capability `<x>`, 1 for true and 0 for false. Raises
    Uninterpretable when the value is not a boolean."""
    capability = FLAG_ALIASES.get(name) or name.removeprefix("supports_")
    if not isinstance(raw, bool):
        raise Uninterpretable(out.key, "flag is not a boolean", f"{name}={raw!r}")
    out.add(
        Kind.CAPABILITY,
        Component.SUPPORTS,
        Unit.FLAG,
        {Dim.CAPABILITY: capability},
        FLAG_VALUE[raw],
        f"{name}={FLAG_TEXT[raw]}",
    )


def _is_flag(name: str) -> bool:
    return name.startswith("supports_") or name in FLAG_ALIASES


def _read_at_top(name: str) -> bool:
    """Whether an entry's field of this name is one read as a price or a limit (a cost field by
    the COST_FIELD grammar, or a limit)."""
    return name in LIMITS or COST_FIELD.match(name) is not None


def _looks_like_cost(name: str) -> bool:
    """Whether a field's name says it states a price: `cost`, `price` or `pricing` in it, in
    any case (the LiteLLM-format `time_of_use_pricing` peak rates, `tiered_pricing`; a
    camelCase `inputCostPerToken` a converter wrote)."""
    lowered = name.lower()
    return "cost" in lowered or "pric" in lowered


def not_usd(entry: dict[str, Any]) -> str | None:
    """What an entry's `currency` states when it is not USD (None where it is, or is absent):
    its prices are in a currency ratecard does not store (module docstring)."""
    return foreign_currency(entry) or None


def _is_price_field(name: str) -> bool:
    return name == "tiered_pricing" or _looks_like_cost(name)


# Modes whose models return no text, so call no functions (in the two recorded maps none of
# their 138 and 154 entries supports function calling or tool choice); such a mode beside either
# is another entry's mode (a fault round from public reports: LiteLLM's gpt-4o given
# "embedding", its chat prices and function calling kept, entered embedding mode in place of
# chat).
NO_CALLS_MODES = frozenset({"embedding", "rerank", "moderation"})
MODE_CONTRADICTED_RULE = "mode contradicted by the entry"
_CALLS = ("supports_function_calling", "supports_tool_choice")


# The endpoints that make or change images, as an entry's `supported_endpoints` name them.
IMAGE_ENDPOINTS = frozenset({"/v1/images/generations", "/v1/images/edits", "/v1/images/variations"})
TEXT_MODES = frozenset({"chat", "responses", "completion"})
# The prices whose reading turns on the mode: per generated image, or per image read as input.
IMAGE_INPUT_PRICES = ("input_cost_per_image", "input_cost_per_pixel")


def _image_reading_contradicted(entry: dict[str, Any]) -> str:
    """Why the entry's mode cannot say how its `input_cost_per_image`/`_pixel` are read ('' where
    it can): an image_generation entry charging them per generated image
    (`_charges_generated_image`) that calls functions or serves no image endpoint, or a text
    mode's entry whose endpoints all make images. A fault round from public reports of entries
    given another block's mode: claude-3.7-sonnet as image_generation proposed its $0.0048 per
    image read as the price of a generated image; dall-e-3 as chat its $0.04 per generated image
    as the price of an image read. No recorded entry states either."""
    mode = entry.get("mode")
    listed = entry.get("supported_endpoints")
    endpoints = {e for e in listed if isinstance(e, str)} if isinstance(listed, list) else set()
    if _charges_generated_image(entry):
        if calls := _calls_functions(entry):
            return f"mode=image_generation beside {calls}=true: a model that calls functions"
        if endpoints and not endpoints & IMAGE_ENDPOINTS:
            return f"mode=image_generation beside supported_endpoints {sorted(endpoints)}"
    elif mode in TEXT_MODES and endpoints and endpoints <= IMAGE_ENDPOINTS:
        return f"mode={mode} beside supported_endpoints {sorted(endpoints)}: images only"
    return ""


def _calls_functions(entry: dict[str, Any]) -> str:
    """The first of an entry's flags saying it calls functions that it states true ('' for
    none)."""
    return next((flag for flag in _CALLS if entry.get(flag) is True), "")


def emit_field(out: Emitter, entry: dict[str, Any], name: str, raw: Any) -> None:
    """One field of an entry into drafts by its name: a capability flag, the mode, the search
    context prices, the tiered prices or a cost field; limits and the fields NOT_READ are read
    elsewhere or not at all. Raises Uninterpretable (that field alone, under `reading`) for a price
    of a non-USD entry, a unit not in the vocabulary, an unknown cost field, or a value that cannot
    be read, or a field named as a price or a limit that no rule reads (UNKNOWN_KEY_RULE), and
    for a field NOT_READ holding, in its objects and lists, a field an entry states at its top
    level (`_read_at_top`: an entry's cost fields moved into its `provider_specific_entry` were
    dropped without a word)."""
    if name in NOT_READ:
        if (held := held_value_key(raw, _read_at_top)) is not None:
            detail = f"{key_shown(name, raw)} (holds {held}, a field of the entry itself)"
            raise Uninterpretable(out.key, UNKNOWN_KEY_RULE, detail)
        return
    if name in LIMITS:
        return
    currency = not_usd(entry)
    if currency is not None and _is_price_field(name):
        raise Uninterpretable(out.key, NOT_USD_RULE, f"{name}={raw} stated in {currency}")
    if name in NOT_IN_VOCABULARY:
        raise Uninterpretable(
            out.key, "unit not in vocabulary", f"{name}={raw} is priced {NOT_IN_VOCABULARY[name]}"
        )
    if _is_flag(name):
        emit_capability(out, name, raw)
    elif name == "mode":
        if not isinstance(raw, str) or not raw:
            raise Uninterpretable(out.key, "mode is not a name", f"mode={raw!r}")
        if raw in NO_CALLS_MODES and (calls := _calls_functions(entry)):
            raise Uninterpretable(
                out.key,
                MODE_CONTRADICTED_RULE,
                f"mode={raw} beside {calls}=true: a model of that mode calls no functions",
            )
        if contradicted := _image_reading_contradicted(entry):
            raise Uninterpretable(out.key, MODE_CONTRADICTED_RULE, contradicted)
        out.add(Kind.CAPABILITY, Component.MODE, Unit.FLAG, {Dim.MODE: raw}, ONE, f"mode={raw}")
    elif name == "search_context_cost_per_query":
        emit_search_context(out, raw, entry.get("web_search_billing_unit", "per_query"))
    elif name == "tiered_pricing":
        emit_tiers(out, entry, raw)
    elif _looks_like_cost(name):
        if name.startswith(IMAGE_INPUT_PRICES) and (why := _image_reading_contradicted(entry)):
            # which way the price goes is a guess: unit-ambiguous, the other prices read
            raise Uninterpretable(out.key, MODE_CONTRADICTED_RULE, f"{name}={raw}: {why}")
        if name.startswith("output_cost_per_pixel") and _charges_generated_image(entry):
            if to_decimal(raw, out.key, name) != 0:
                raise Uninterpretable(
                    out.key,
                    "conflicting values",
                    f"{name}={raw} beside input_cost_per_pixel, the generated-image price",
                )
            return  # LiteLLM's placeholder: its image cost calculator does not read it
        emit_cost(out, entry, name, raw)
    elif unknown_value_keys({name: raw}, LIMITS_NOT_READ):
        raise Uninterpretable(out.key, UNKNOWN_KEY_RULE, key_shown(name, raw))


def names(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The model an entry names (spiders/parsing.py): its provider (the route) and the model
    part of its key; none for what is not a model entry or is a parameter-size price bucket."""
    key, entry = record.get("key"), record.get("entry")
    if not isinstance(key, str) or not _is_entry(entry) or BUCKET_KEY.match(key):
        return []
    if "litellm_provider" in record.get("duplicate_fields", []) or "key_provider" in record:
        return []  # its route is one of two
    provider = entry["litellm_provider"]
    return [(provider, key_dimensions(key, provider)[0])]


def normalize(record: dict[str, Any]) -> Normalized:
    """One key's entry as drafts: its route (`litellm_provider`), the model and dimensions its key's
    path states, every cost field as a price in the vocabulary's units (per 1M tokens, per image,
    per second...), its limits and its capabilities. A parameter-size price bucket gives no drafts;
    a field that cannot be read, or that the entry repeats with different values, is quarantined
    alone. Raises Uninterpretable for the whole entry when it is one of a key's differing repeats,
    is no model entry, repeats a word its other fields are read by (QUALIFIERS), has a key that
    names another provider (`key_provider`, set by `parse`), or has a key whose model part is
    empty."""
    key = str(record.get("key", ""))
    entry = record.get("entry")
    if "occurrence" in record:
        raise Uninterpretable(
            key,
            "duplicate key",
            f"occurrence {record['occurrence']} of a key the file states with different entries",
        )
    if not _is_entry(entry):
        raise Uninterpretable(key, "not a model entry", f"{str(entry)[:200]}")
    if BUCKET_KEY.match(key):
        return Normalized()  # a parameter-size price bucket, not a model (module docstring)
    if "key_provider" in record:
        raise Uninterpretable(
            key,
            "provider contradicts key",
            f"litellm_provider={entry['litellm_provider']}, and the key names the provider "
            f"{record['key_provider']}",
        )
    repeated = set(record.get("duplicate_fields", []))
    if repeated & QUALIFIERS:
        raise Uninterpretable(
            key,
            "duplicate field",
            f"{', '.join(sorted(repeated & QUALIFIERS))} stated twice with different values: "
            "the entry's other fields are read by it",
        )
    provider = entry["litellm_provider"]
    source_model, dims = key_dimensions(key, provider)
    out = Emitter(key, provider, source_model, dims)
    for name in sorted(repeated):
        out.collector.quarantine(name, "duplicate field", "stated twice with different values")
    for name, raw in entry.items():
        if name not in repeated:
            with out.collector.reading(name):
                emit_field(out, entry, name, raw)
    emit_limits(out, {k: v for k, v in entry.items() if k not in repeated})
    return out.collector.result()
