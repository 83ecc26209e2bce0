"""OpenRouter's models API: `GET https://openrouter.ai/api/v1/models` (route `openrouter`).

OpenRouter is a gateway: it sells every model it lists, so every draft has route "openrouter" and
source_model is OpenRouter's id (`openai/gpt-4o`) without its `:suffix`.

Quirks of the source, and how they are read:

- Envelope `{"data": [...]}`; since 2026 also `total_count` and `links.next` (null so far, followed
  when set). A configured listing with no next page holding fewer entries than its
  `total_count` is a partial listing: Unparsable; so is a chain of pages whose last one
  leaves its pages short of the total its first page states (that last page fails:
  spiders/spider.py Chain). The default listing holds text-output models only;
  `?output_modalities=all` adds image, embedding, speech and video models, so a model can appear
  in both listings: a record always gives the same drafts in the same order.
- An `error` beside no entries (`{"data": [], "error": {"code", "message"}}`, or no `data` at
  all) is the source's answer that it failed: Unparsable naming its message (one bounded line,
  spiders/parsing.py stated_error), not an empty listing without a word of why.
  An `error` beside entries is the same failure, its entries not read as the listing.
- `pricing` values are strings of USD per single token (x 10^6 -> usd_per_1m_tokens), except
  `image` (USD per input image, as documented), `request` (per request) and `web_search` (per
  search; stored per 1K searches as vendors quote it: "0.01" -> 10).
- Router pseudo-models (`openrouter/auto`, `openrouter/free`...: `architecture.tokenizer`
  "Router" on a model that is not an alias, or listed in schemas/vocab.py ROUTER_MODELS) bill
  the price of the model each call is routed to, so they have no price: each price field is
  quarantined ("router pseudo-model"), whatever it states (`"-1"`, or `"0"` for
  `openrouter/free`); their limits and capabilities are kept. The `~vendor/...-latest` aliases
  (tokenizer Router too, but with an `alias_target`, or before 2026-08 a `~` id) state their
  one target's prices and are read. The tokenizer, the architecture holding it or the alias
  target stated twice with different values (duplicate JSON keys) is reported by name
  ("duplicate field"), and where the
  flag depends on which value is taken, every price field is quarantined with that rule: the
  last one, which JSON keeps, would decide unseen whether the prices are prices. An
  `architecture` stated as something other than an object (text such as `"Router"`, a list)
  states neither the flag nor the outputs: it is reported ("not an object") and every price
  field is quarantined ("architecture unreadable"); an absent or null one is the listing's
  older schema (no flag, outputs from `modality` or tokens). Stealth
  models in OpenRouter's namespace (`openrouter/owl-alpha`) are ordinary models. `"-1"`
  elsewhere is a sentinel, not a price: quarantined. `"0"` (`:free` variants) is a real price.
- Units are facts: the per-token fields (`prompt`, `completion`...) hold per-token prices only
  for models whose `architecture.output_modalities` are all token outputs (TOKEN_OUTPUTS).
  Speech and transcription models carry per-minute, per-second or per-character prices there
  (`openai/whisper-1` "0.006" is $0.006 per minute; `minimax/speech-2.8-hd` per character), in
  a unit OpenRouter does not state: each such field is quarantined as "unit-ambiguous", as is
  each per-token field of a model whose `output_modalities` is not a list of names (`"audio"`,
  null inside it): what its output is metered in is then not stated. Where it is absent (the
  listing's schema before it existed), the outputs are read from `modality`, whose right side
  names them the same way (`"audio->transcription"`); where both are absent, tokens. A
  `completion` of "0" for a model whose `output_modalities` name media only (flux.2-flex, an
  image generator priced by `image_output`; not an embedding model) is no free text output: it
  has none, and `cost` quoted $0 for its output tokens; quarantined ("no text output"). An
  entry every price of which is 0 whose description prices it in dollars (google/lyria-3:
  "Full-length songs are priced at $0.08 per song") is billed in a unit the listing does not
  state: its per-token 0s are "unit-ambiguous", not free (`_priced_in_prose`; a `:free`
  variant's 0s are its price).
- Suffixes are variants: `:free`, `:thinking`... become the `variant` dimension on every draft of
  the record (limits and capabilities too, since a variant's limits can differ); `:batch` is
  OpenRouter's batch pricing and becomes `service_tier=batch`.
- `input_cache_write` is the 5-minute rate where the model also has `input_cache_write_1h`
  (OpenRouter's docs: "for providers with multiple cache TTLs, this is the default (5-minute)
  cache-write rate"); elsewhere it carries no TTL.
- `image_output` is documented as "per output image" but holds per-token rates (gpt-image-1:
  "0.00004", OpenAI's $40 per 1M image output tokens; flux.2-pro "0.00000732421875"): read per
  token. `image_token` ("per image token", direction unstated) equals `image_output` in every
  recorded model and is read as that same statement (one field, both named in the evidence); a
  differing one quarantines that field, and one without `image_output` is quarantined.
- `image` is read as documented, per input image, although Gemini models carry a per-token rate
  there (it equals their `prompt` rate; gemini-embedding-2 "0.00000045" is Google's $0.45 per 1M
  image tokens) while image generators carry per-image rates ("0.01").
- `overrides` with `min_prompt_tokens` are context tiers, and each is quarantined alone
  ("threshold-ambiguous"), the base prices kept: OpenRouter does not say on which side of the
  threshold a prompt of exactly that size is. The name says from it (a minimum: 272000 would
  be context_above 271999, as Vercel's `min` reads), while the values are the vendors'
  thresholds, which start above it (OpenAI's "> 272K", Anthropic's "> 200K", Alibaba's
  "32K < tokens"); readers of the feed take it both ways. Read either way, one prompt size is
  priced at the wrong tier, and the catalog would hold two thresholds for one vendor's tier.
  Overrides with `utc_start`/`utc_end` are time-of-day windows (deepseek-v4-pro: four windows,
  two restating the base prices, two at twice them). As in genai-prices' reading of DeepSeek,
  they are `time_of_day=peak` (the windows above the base, which must all state the same
  prices; their hours are in the evidence) and the base prices `time_of_day=off_peak`. Windows
  that do not read so (a window below the base, peaks that differ, windows mixed with context
  tiers) are each quarantined alone ("time-window override"), and so is each base price a
  window also prices (the hours it applies at are not read: the windows may cover the whole
  day, as deepseek-v4-pro's do); the base prices no window states are read without time of day.
- Every pricing key is read or quarantined by name: an unknown key becomes a field problem
  ("unknown pricing key") and the record's other fields are kept; so does an entry key named
  as a price or a limit but `pricing`, `context_length` and `per_request_limits` ("unknown
  model key": `pricing` renamed). A pricing object without
  `prompt` or `completion` (required by OpenRouter's schema: `{}`, or one renamed) is reported
  as stating no pricing, as a null one is; the prices it does state are read.
- Limits: 0 (`context_length` of speech and video models) is unknown, not a value: quarantined
  ("a limit of 0 is unknown"), no draft. A limit key that no entry of a listing states a value
  of (absent, null or 0 in every one: the key renamed, or null written everywhere) was lost by
  the listing, not by its models (spiders/parsing.py `mark_lost_keys`): each entry's limit is
  quarantined ("the listing states it for no model"), so it stands as last stated (a fault
  round: `context_length` 0, null or renamed in both listings rewrote 116 items without
  OpenRouter's context windows and opened 18 disagreements beside its own proposals).
- `discount` (documented as a fraction the prices are multiplied by (1 - discount)) is accepted
  only when 0: otherwise it and every price beside it are quarantined (unclear whether the
  prices include it, so each price's amount is one of two; the record's limits and
  capabilities are kept).
- Capabilities, kept modest: `capability=<parameter>` for the feature-like supported_parameters
  (FEATURE_PARAMETERS), and `input_<modality>` / `output_<modality>` from `architecture`. Only
  what is listed is stated (value 1); nothing is inferred as unsupported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import urljoin

from schemas.fetch import (
    NO_MODEL_ID_RULE,
    NOT_USD_RULE,
    UNKNOWN_LIMIT,
    Normalized,
    Uninterpretable,
    Unparsable,
)
from schemas.sources import sources
from schemas.vocab import Component, Dim, Kind, Unit
from spiders._drafts import DraftCollector
from spiders.parsing import (
    LOST_KEY,
    MILLION,
    LostKey,
    Page,
    Repeated,
    enclosing_currency,
    foreign_currency,
    is_router_pseudo_model,
    load_json,
    mark_lost_keys,
    refuse_a_foreign_currency,
    refuse_an_answered_error,
    to_decimal,
    unix_date,
)

ROUTE = "openrouter"
SENTINEL = Decimal(-1)
THOUSAND = Decimal(1000)
# The limits an entry states, by their path in it (`_limits`; a listing may lose one:
# spiders/parsing.py `mark_lost_keys`).
LIMIT_PATHS = (("context_length",), ("top_provider", "max_completion_tokens"))

# The keys of an entry that state a price or a limit, each read (spiders/parsing.py
# `unknown_value_keys`: another key so named is quarantined by name).
ENTRY_VALUE_KEYS = frozenset({"context_length", "per_request_limits", "pricing"})


class Rate(NamedTuple):
    """What an OpenRouter `pricing` key prices: component, canonical unit, the factor from USD per
    token (or per image, request or search) to it, and the modality."""

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
# What `pricing` states, by key: an object of another name stating one is a renamed `pricing`.
PRICING_KEYS = frozenset(RATES)

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

# The prices OpenRouter's schema requires of every model (the others are optional): a pricing
# object without them (`{}`, or `prompt` renamed) states no price of the model, as a null one.
REQUIRED_PRICES = ("prompt", "completion")
TIME_WINDOW_KEYS = frozenset({"utc_start", "utc_end"})
ROUTER_TOKENIZER = "Router"
# An architecture stated as text, a list or a number: the router flag and the outputs it holds
# are not stated, so no price of the record can be read as a price in a known unit.
ARCHITECTURE_UNREADABLE = "architecture unreadable"
DUPLICATE_FIELD = "duplicate field"  # a field stated twice differently: spiders/litellm.py's rule
# A context tier's threshold whose side it is on is not stated (see the module's docstring).
THRESHOLD_AMBIGUOUS = "threshold-ambiguous"
# Outputs OpenRouter meters in tokens. A model with any other stated output (speech,
# transcription, video, rerank) is billed per minute, second, character or search, so a price in
# its per-token fields has no stated unit.
TOKEN_OUTPUTS = frozenset({"text", "image", "audio", "embeddings"})
NO_TEXT_OUTPUT_RULE = "no text output"
# A dollar amount in prose and the words around it ("are priced at $0.08 per song").
PROSE_PRICE = re.compile(r"[^.$]{0,40}\$\s?[0-9][0-9.,]*[^.$]{0,30}")


def parse(body: bytes, url: str) -> Page:
    """One page of OpenRouter's models listing: its `data` entries as records, `links.next`
    (resolved against `url`) as the further page, and `total_count` as the listing's stated total.
    Raises Unparsable for a body that is not `{"data": [...]}`, states an error, has a `links` or
    `links.next` that is no object or URL, or is a configured listing with no next page holding
    fewer entries than its total_count."""
    doc = load_json(body, "openrouter models")
    refuse_an_answered_error(doc, f"openrouter models ({url})")
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise Unparsable('openrouter models: expected an object {"data": [...]}')
    refuse_a_foreign_currency(doc, f"openrouter models ({url})")
    records = doc["data"]
    next_urls = _next_urls(doc.get("links"), url)
    total = _stated_total(doc.get("total_count"), url)
    _check_total(total, len(records), url, bool(next_urls))
    mark_lost_keys(records, LIMIT_PATHS)
    dates = [unix_date(r.get("created")) for r in records if isinstance(r, dict)]
    stated = [at for at in dates if at is not None]
    return Page(records=records, next_urls=next_urls, total=total, stated_dates=stated)


def _stated_total(total: Any, url: str) -> int | None:
    """The `total_count` a page states, read as every number is (to_decimal: written as text,
    "400" is the same total); None where it states none, or one that is no whole number (not
    judged)."""
    if total is None:
        return None
    try:
        number = to_decimal(total, url, "total_count")
    except Uninterpretable:
        return None
    return int(number) if number == number.to_integral_value() and number >= 0 else None


def _check_total(total: int | None, count: int, url: str, more: bool) -> None:
    """A listing the source states is `total_count` long: a configured listing URL (a first
    page) with no next page is the whole listing, so one holding fewer entries is a part of it
    (its missing models would count as absent): Unparsable. More entries than the total are
    repeated ones, each field of which validation quarantines if they differ. A page
    reached by a next link is not judged alone (its count is the remainder of a total over all
    pages: spiders/spider.py judges the chain); nor is a page of no entries (an empty
    listing, which catalog/health.py names as such)."""
    if more or total is None:
        return
    if 0 < count < total and url in sources()["openrouter"].urls:
        raise Unparsable(
            f"openrouter models ({url}): total_count={total} but {count} entries and no next "
            "page: a partial listing"
        )


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


def normalize(record: dict[str, Any]) -> Normalized:
    """One model entry as drafts of route `openrouter` (source_model: its id without the `:suffix`,
    which becomes service tier batch or a variant): `pricing` strings of USD per token as per 1M
    tokens, `image` per image, `request` per request, `web_search` per 1K searches; its context and
    output limits in tokens and its capabilities. A router pseudo-model's prices, an unknown or
    non-USD pricing field and a duplicated field are quarantined alone. Raises Uninterpretable for
    an entry without an id or with a malformed `:suffix`; TypeError for an entry that is not an
    object."""
    if not isinstance(record, dict):  # that entry's problem alone (catalog/normalize.py)
        raise TypeError(f"an entry of data is not an object: {str(record)[:80]}")
    model_id = record.get("id")
    if not isinstance(model_id, str) or not model_id.strip():
        raise Uninterpretable(str(model_id), NO_MODEL_ID_RULE, f"id={model_id!r}")
    source_model, dims = _split_variant(model_id)
    out = DraftCollector(model_id, ROUTE, source_model)
    out.quarantine_unknown_keys(record, ENTRY_VALUE_KEYS, PRICING_KEYS)
    architecture = record.get("architecture")
    _repeated_fields(out, record, architecture)
    unreadable = None
    if architecture is None:  # the listing's schema before it existed: no flag, tokens
        architecture = {}
    elif not isinstance(architecture, dict):
        if not isinstance(architecture, Repeated):  # else reported as a duplicate field
            unreadable = _show(architecture)[:80]
            out.quarantine("architecture", "not an object", repr(architecture)[:200])
        architecture = {}
    reading = _price_reading(out, record, architecture, unreadable)
    with out.reading("pricing"):
        if named := enclosing_currency(record):  # the entry's currency qualifies its pricing
            out.quarantine("pricing", NOT_USD_RULE, f"{named}: no price of it is read")
        else:
            _pricing(out, record.get("pricing"), dims, reading)
    _limits(out, record, dims)
    _capabilities(out, record, architecture, dims)
    return out.result()


def names(record: Any) -> list[tuple[str, str]]:
    """The model an entry names (spiders/parsing.py): its id without the `:variant`. Raises
    for an id `normalize` finds malformed."""
    model_id = record.get("id") if isinstance(record, dict) else None
    if not isinstance(model_id, str) or not model_id.strip():
        return []
    return [(ROUTE, _split_variant(model_id)[0])]


def _split_variant(model_id: str) -> tuple[str, dict[str, str]]:
    base, colon, variant = model_id.strip().partition(":")
    if not colon:
        return base, {}
    if not base or not variant or ":" in variant:
        raise Uninterpretable(model_id, "malformed variant", f"id={model_id!r}")
    if variant.strip().casefold() == "batch":  # matched as the name is, whatever its case
        return base, {Dim.SERVICE_TIER: "batch"}
    return base, {Dim.VARIANT: variant}


class _Reading(NamedTuple):
    """Why the record's prices cannot be read as prices, if they cannot: (rule, why) or None
    for the whole price list (a router), and for its per-token fields (their unit)."""

    no_price: tuple[str, str] | None
    no_token_unit: tuple[str, str] | None
    no_text_output: bool = False  # output_modalities name media only: no text, no embeddings


def _price_reading(
    out: DraftCollector,
    record: dict[str, Any],
    architecture: dict[str, Any],
    unreadable: str | None,
) -> _Reading:
    """How the record's prices read. `unreadable`: an architecture stated as something other
    than an object (shown as written), which states neither the router flag nor the outputs."""
    flags = {True} if is_router_pseudo_model(ROUTE, out.source_model) else None
    flags = flags or _router_flags(record)
    no_price: tuple[str, str] | None = None
    if flags == {True}:
        no_price = ("router pseudo-model", "it bills the price of the model each call is routed to")
    elif unreadable is not None:
        no_price = (
            ARCHITECTURE_UNREADABLE,
            f"architecture={unreadable} is not an object: whether the model is a router "
            "pseudo-model (billing the model each call is routed to, with no price of its own) "
            "and what its output is metered in are not stated",
        )
    elif len(flags) > 1:
        no_price = (
            DUPLICATE_FIELD,
            "architecture(.tokenizer) or alias_target stated twice with different values: whether "
            "the model is a router pseudo-model (billing the model each call is routed to, with "
            "no price of its own) depends on which, and is not stated",
        )
    outputs = architecture.get("output_modalities")
    modality = architecture.get("modality")
    if outputs is None and isinstance(modality, str) and "->" in modality:
        outputs = modality.split("->", 1)[1].split("+")  # "audio->transcription"
    no_token_unit: tuple[str, str] | None = None
    named = isinstance(outputs, list) and all(isinstance(o, str) for o in outputs)
    if outputs is not None and not named:
        no_token_unit = (
            "unit-ambiguous",
            f"architecture.output_modalities={outputs!r} is not a list of names: whether the "
            "model's output is metered in tokens is not stated",
        )
    elif untokened := sorted(set(outputs or []) - TOKEN_OUTPUTS):
        no_token_unit = (
            "unit-ambiguous",
            f"a per-token field of a model whose output is {', '.join(untokened)}, which is not "
            "metered in tokens (per minute, second or character): the unit is not stated",
        )
    elif prose := _priced_in_prose(record):
        no_token_unit = (
            "unit-ambiguous",
            f"every price it states is 0, and its description prices it otherwise ({prose!r}): "
            "it is billed in a unit the listing does not state, not free",
        )
    # media generators: embedding models state their output (none) at 0 honestly; outputs
    # that are no names (`[{"type": "text"}]`) name none of them
    no_text = (
        named
        and isinstance(outputs, list)
        and bool(outputs)
        and not {"text", "embeddings"} & set(outputs)
    )
    return _Reading(no_price, no_token_unit, no_text)


def _priced_in_prose(record: dict[str, Any]) -> str:
    """The words of the entry's `description` that price it in dollars ('' where there are
    none), where every price its `pricing` states is 0 and it is no `:free` variant: a model
    billed per song or per clip (google/lyria-3-pro-preview: prompt and completion "0",
    "Full-length songs are priced at $0.08 per song") states 0 in its per-token fields, and
    read as prices they make it free (a public bug report of a model picker reading OpenRouter's
    listing so). A `:free` variant's 0s are its price whatever its description repeats of the
    paid model's; an entry stating any price above 0 states its prices."""
    pricing, description = record.get("pricing"), record.get("description")
    model_id = record.get("id")
    if not (
        isinstance(pricing, dict) and isinstance(description, str) and isinstance(model_id, str)
    ):
        return ""
    if model_id.strip().casefold().endswith(":free"):
        return ""
    stated = [raw for key, raw in pricing.items() if key in RATES]
    try:
        if not stated or any(to_decimal(raw, model_id, "pricing") != 0 for raw in stated):
            return ""
    except Uninterpretable:
        return ""
    priced = PROSE_PRICE.search(description)
    return priced.group(0).strip() if priced else ""


def _router_flags(record: dict[str, Any]) -> set[bool]:
    """OpenRouter's own flag, as each of the values it is read from gives it: tokenizer
    "Router", and not an alias of one model (`alias_target`, or before that field existed, the
    `~` OpenRouter puts before alias ids). One decision, or both where the tokenizer, the
    architecture holding it or the alias target is stated twice with different values
    (parsing.Repeated) and the flag depends on which: JSON's last one would decide it unseen."""
    tilde = str(record.get("id", "")).startswith("~")
    tokenizers = [
        tokenizer
        for architecture in _each_stated(record.get("architecture"))
        for tokenizer in _each_stated(
            architecture.get("tokenizer") if isinstance(architecture, dict) else None
        )
    ]
    return {
        tokenizer == ROUTER_TOKENIZER and not (bool(target) or tilde)
        for tokenizer in tokenizers
        for target in _each_stated(record.get("alias_target"))
    }


def _each_stated(value: Any) -> list[Any]:
    """The values a field states: several where it is stated twice differently (Repeated)."""
    return list(value) if isinstance(value, Repeated) else [value]


def _repeated_fields(out: DraftCollector, record: dict[str, Any], architecture: Any) -> None:
    """Report each field the reader compares rather than parses (`architecture.*`,
    `alias_target`) that the entry states twice with different values (parsing.Repeated), by
    name: JSON keeps the last one, and comparing that would decide what it qualifies unseen."""
    named = [("alias_target", record.get("alias_target")), ("architecture", architecture)]
    if isinstance(architecture, dict):
        named += [(f"architecture.{key}", value) for key, value in architecture.items()]
    for field, value in named:
        if isinstance(value, Repeated):
            detail = f"stated twice with different values: {tuple(value)!r}"[:200]
            out.quarantine(field, DUPLICATE_FIELD, detail)


def _pricing(out: DraftCollector, pricing: Any, dims: dict[str, str], reading: _Reading) -> None:
    if pricing is None:  # every recorded model states its pricing: a null one is reported
        raise Uninterpretable(out.record, "no pricing stated", "pricing is null or absent")
    if not isinstance(pricing, dict):
        raise Uninterpretable(out.record, "pricing is not an object", f"pricing={pricing!r}")
    if named := foreign_currency(pricing):
        out.quarantine("pricing", NOT_USD_RULE, f"pricing.{named}: no price of it is read")
        return
    if missing := [key for key in REQUIRED_PRICES if key not in pricing]:
        out.quarantine(
            "pricing",
            "no pricing stated",
            f"pricing states no {' or '.join(missing)} (every model's, in OpenRouter's schema): "
            f"{pricing!r}"[:200],
        )
    overrides = pricing.get("overrides", [])
    if not isinstance(overrides, list) or not all(isinstance(o, dict) for o in overrides):
        raise Uninterpretable(out.record, "overrides is not a list of objects", repr(overrides))
    two_ttls = any("input_cache_write_1h" in prices for prices in [pricing, *overrides])
    tiers = [(i, o) for i, o in enumerate(overrides) if not _is_window(o)]
    windows = [(i, o) for i, o in enumerate(overrides) if _is_window(o)]
    base_dims, peak, windowed = dict(dims), None, set[str]()
    if windows:
        peak = _peak_window(out, pricing, windows, bool(tiers))
        if peak is not None:
            base_dims[Dim.TIME_OF_DAY] = "off_peak"
        else:
            windowed = _windowed_base(out, pricing, windows)
    sets = _PriceSets(out, reading, two_ttls)
    sets.read(pricing, "pricing", base_dims, {"overrides", *windowed})
    if peak is not None:
        first, window = peak[0]
        note = " (UTC window " + "; ".join(f"overrides[{i}] {_hours(w)}" for i, w in peak) + ")"
        peak_dims = {**dims, Dim.TIME_OF_DAY: "peak"}
        sets.read(window, f"pricing.overrides[{first}]", peak_dims, TIME_WINDOW_KEYS, note)
    for index, override in tiers:
        path = f"pricing.overrides[{index}]"
        with out.reading(path):
            tokens = _min_prompt_tokens(out, override, path)
            raise Uninterpretable(
                out.record,
                THRESHOLD_AMBIGUOUS,
                f"{path}.min_prompt_tokens={tokens}: OpenRouter does not say whether a prompt of "
                f"exactly {tokens} tokens is priced at this tier (the name says from {tokens}, "
                f"the vendors' thresholds it restates start above {tokens})",
            )


def _is_window(override: dict[str, Any]) -> bool:
    return any(key in override for key in TIME_WINDOW_KEYS)


def _peak_window(
    out: DraftCollector,
    base: dict[str, Any],
    windows: list[tuple[int, dict[str, Any]]],
    with_tiers: bool,
) -> list[tuple[int, dict[str, Any]]] | None:
    """The windows that are the peak, when the windows read as peak and off-peak: each window
    restates the base prices (off-peak) or states prices at least the base ones (peak), all
    peak windows state the same prices, and no context tier is mixed in. Otherwise each window
    is quarantined alone (its prices have no dimension) and None is returned."""
    peak: list[tuple[int, dict[str, Any]]] = []
    readable = not with_tiers
    for index, window in windows:
        steps = [_step(raw, base.get(key)) for key, raw in _window_prices(window).items()]
        if all(step == 0 for step in steps):
            continue  # restates the base (off-peak) prices
        readable = readable and all(step is not None and step >= 0 for step in steps)
        peak.append((index, window))
    readable = readable and bool(peak)
    readable = readable and all(
        _step_all(_window_prices(w), _window_prices(peak[0][1])) for _, w in peak
    )
    if readable:
        return peak
    for index, window in windows:
        out.quarantine(
            f"pricing.overrides[{index}]",
            "time-window override",
            f"{_hours(window)}: prices by UTC time window that do not read as one peak above "
            "the base (off-peak) prices",
        )
    return None


def _windowed_base(
    out: DraftCollector, base: dict[str, Any], windows: list[tuple[int, dict[str, Any]]]
) -> set[str]:
    """The base prices that windows not read as peak and off-peak also price: at which hours
    each applies is not read (the windows may cover the whole day), so each is quarantined
    with them ("time-window override"), and their keys are returned to be left unread. A base
    price no window states is read without time of day; one stated twice differently is read
    (and reported) as every price is."""
    windowed = {key for _, window in windows for key in _window_prices(window)}
    hours = "; ".join(_hours(window) for _, window in windows)
    keys = {key for key in windowed & base.keys() if not isinstance(base[key], Repeated)}
    for key in sorted(keys):
        out.quarantine(
            f"pricing.{key}",
            "time-window override",
            f"pricing.{key}={_show(base[key])}: the price outside UTC windows ({hours}) that do "
            "not read as one peak above it: the hours it applies at are not read"[:200],
        )
    return keys


def _hours(window: dict[str, Any]) -> str:
    return f"utc_start={_show(window.get('utc_start'))} utc_end={_show(window.get('utc_end'))}"


def _window_prices(window: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in window.items() if k not in TIME_WINDOW_KEYS}


def _step(raw: Any, base: Any) -> Decimal | None:
    """How far a window's price is above the base price (None if either is not a number)."""
    try:
        return to_decimal(raw, "", "") - to_decimal(base, "", "")
    except Uninterpretable:
        return None


def _step_all(prices: dict[str, Any], others: dict[str, Any]) -> bool:
    """Whether two windows state the same prices."""
    return prices.keys() == others.keys() and all(
        _step(raw, others[key]) == 0 for key, raw in prices.items()
    )


def _min_prompt_tokens(out: DraftCollector, override: dict[str, Any], path: str) -> str:
    if "min_prompt_tokens" not in override:
        raise Uninterpretable(out.record, "override without min_prompt_tokens", repr(override))
    tokens = to_decimal(override["min_prompt_tokens"], out.record, f"{path}.min_prompt_tokens")
    if tokens <= 0 or tokens != tokens.to_integral_value():
        raise Uninterpretable(
            out.record, "bad min_prompt_tokens", f"{path}.min_prompt_tokens={tokens}"
        )
    return str(int(tokens))


class _PriceSets(NamedTuple):
    out: DraftCollector
    reading: _Reading
    two_ttls: bool

    def read(
        self,
        prices: dict[str, Any],
        path: str,
        dims: dict[str, str],
        control: Iterable[str],
        note: str = "",
    ) -> None:
        """Every key of one price set, each read or quarantined by name; `note` ends evidence.

        A `discount` other than 0 leaves every price of the set of unknown amount (the stated
        price, or that times 1 - discount): each is quarantined with the discount named."""
        discounted = self._discount(prices, path)
        for key in sorted(prices):
            if key not in control:
                with self.out.reading(f"{path}.{key}"):
                    if discounted and key != "discount":
                        raise Uninterpretable(
                            self.out.record,
                            "discount",
                            f"{path}.{key}={_show(prices[key])}: {discounted}",
                        )
                    self._price(prices, key, f"{path}.{key}", dims, note)

    def _discount(self, prices: dict[str, Any], path: str) -> str:
        """Why a set's prices are of unknown amount because of its `discount` ('' if not)."""
        if "discount" not in prices:
            return ""
        try:
            if to_decimal(prices["discount"], self.out.record, f"{path}.discount") == 0:
                return ""
        except Uninterpretable:
            pass
        return (
            f"{path}.discount={_show(prices['discount'])}: unclear whether the stated prices "
            "already include it"
        )

    def _price(
        self, prices: dict[str, Any], key: str, name: str, dims: dict[str, str], note: str
    ) -> None:
        out, raw = self.out, prices[key]
        if key == "discount":
            if to_decimal(raw, out.record, name) != 0:
                raise Uninterpretable(
                    out.record,
                    "discount",
                    f"{name}={_show(raw)}: unclear whether the stated prices already include it",
                )
            return
        rate = RATES.get("image_output" if key == "image_token" else key)
        if rate is None:
            raise Uninterpretable(out.record, "unknown pricing key", f"{name}={_show(raw)}")
        if key == "image_token" and "image_output" not in prices:
            raise Uninterpretable(
                out.record,
                "image_token direction unknown",
                f"{name}={_show(raw)} and no image_output it could restate",
            )
        value = to_decimal(raw, out.record, name)
        if self.reading.no_price is not None:
            rule, why = self.reading.no_price
            raise Uninterpretable(out.record, rule, f"{name}={_show(raw)}: {why}")
        if value == SENTINEL:
            raise Uninterpretable(
                out.record, "not a price", f"{name}={_show(raw)}: the -1 sentinel"
            )
        if rate.unit is Unit.PER_1M_TOKENS and self.reading.no_token_unit is not None:
            rule, why = self.reading.no_token_unit
            raise Uninterpretable(out.record, rule, f"{name}={_show(raw)}: {why}")
        if key == "completion" and value == 0 and self.reading.no_text_output:
            raise Uninterpretable(
                out.record,
                NO_TEXT_OUTPUT_RULE,
                f"{name}={_show(raw)}: the model's output_modalities name no text, so a 0 per "
                "text token is no price (its output is priced per image or media token)",
            )
        rate_dims = dict(dims)
        if rate.modality:
            rate_dims[Dim.MODALITY] = rate.modality
        if key == "input_cache_write_1h":
            rate_dims[Dim.CACHE_TTL] = "1h"
        elif key == "input_cache_write" and self.two_ttls:
            rate_dims[Dim.CACHE_TTL] = "5m"
        evidence = f"{name}={_show(raw)}{note}"
        out.add(rate.component, rate.unit, value * rate.factor, evidence, rate_dims)


def _limits(out: DraftCollector, record: dict[str, Any], dims: dict[str, str]) -> None:
    top = record.get("top_provider") or {}
    if not isinstance(top, dict):
        out.quarantine("top_provider", "not an object", repr(top))
        top = {}
    fields = (
        ("context_length", record.get("context_length"), Component.CONTEXT_WINDOW),
        (
            "top_provider.max_completion_tokens",
            top.get("max_completion_tokens"),
            Component.MAX_OUTPUT_TOKENS,
        ),
    )
    for name, raw, component in fields:
        if raw is None:
            continue
        if isinstance(raw, LostKey):
            out.quarantine(name, LOST_KEY, raw.detail())
            continue
        with out.reading(name):
            value = to_decimal(raw, out.record, name)
            if value == 0:
                raise Uninterpretable(out.record, UNKNOWN_LIMIT, f"{name}={_show(raw)}")
            out.add(component, Unit.TOKENS, value, f"{name}={_show(raw)}", dims, kind=Kind.LIMIT)


def _capabilities(
    out: DraftCollector, record: dict[str, Any], architecture: dict[str, Any], dims: dict[str, str]
) -> None:
    named: dict[str, str] = {}
    for parameter in _strings(out, record, "supported_parameters"):
        if parameter in FEATURE_PARAMETERS:
            named[parameter] = f'supported_parameters contains "{parameter}"'
    for direction in ("input", "output"):
        field = f"{direction}_modalities"
        for modality in _strings(out, architecture, field):
            named[f"{direction}_{modality}"] = f'architecture.{field} contains "{modality}"'
    for name, evidence in sorted(named.items()):
        out.add(
            Component.SUPPORTS,
            Unit.FLAG,
            Decimal(1),
            evidence,
            {**dims, Dim.CAPABILITY: name},
            kind=Kind.CAPABILITY,
        )


def _strings(out: DraftCollector, holder: dict[str, Any], field: str) -> list[str]:
    values = holder.get(field) or []
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        out.quarantine(field, "not a list of names", repr(values))
        return []
    return values


def _show(raw: Any) -> str:
    return f'"{raw}"' if isinstance(raw, str) else str(raw)
