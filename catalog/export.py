"""Exports of the published catalog: JSON (provenance per value), CSV, and LiteLLM's map format.

Pure: every function takes published values (catalog/reader.py) and returns text or data.

LiteLLM format (`model_prices_and_context_window.json`, its own key names and units), so that
tools reading LiteLLM's file can read ours:

- One entry per key; `litellm_provider` is LiteLLM's name for the route (gemini for google,
  vertex_ai for vertex, vercel_ai_gateway for vercel, ...), else the route itself.
- Keys: the model for openai, `<provider>/<model>` elsewhere. Dimensions LiteLLM writes in the
  key go there: `[azure/]<quality>/<W>-x-<H>/<model>` for image grids; `azure/us|eu/<model>`
  for Azure data zones (a bare `azure/` key is the Global Standard deployment);
  `bedrock/<aws-region>/<model>` and `bedrock/<geo>.<model>` for Bedrock.
- Prices in LiteLLM's units: USD per token (our per-1M value / 10^6), per image, per pixel, per
  second, per character, per query (our per-1K value / 1000), per page. Suffixes:
  `_above_<N>k_tokens`, `_above_1hr` (1-hour cache write), `_batches`, `_flex`, `_priority`.
- Limits: `max_input_tokens`, `max_output_tokens` (and `max_tokens`, LiteLLM's mirror of it),
  `rpm`, `tpm`. Capabilities: `supports_<name>` booleans and `mode`.
- A value LiteLLM's format cannot say (an Azure region other than us/eu, a price stated for no
  scope on Azure, a variant such as OpenRouter's free tier...) is left out and listed, with the
  reason, in the provenance sidecar, which also gives every exported field its provenance.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from catalog.reader import PublishedValue
from schemas.field import Dims
from schemas.records import CatalogValue, decimal_text, time_text
from schemas.vocab import Component, Dim, Kind, Unit

MILLION = Decimal(1_000_000)
THOUSAND = Decimal(1000)
CSV_COLUMNS = (
    "route",
    "model",
    "kind",
    "component",
    "unit",
    "dimensions",
    "value",
    "valid_from",
    "verified_at",
    "verified_by",
    "accepted_source",
    "accepted_by",
    "stated_by",
)
# LiteLLM's provider name for a route where it differs (the inverse of data/aliases/litellm.json).
LITELLM_PROVIDER = {
    "google": "gemini",
    "vertex": "vertex_ai",
    "vercel": "vercel_ai_gateway",
    "fireworks": "fireworks_ai",
    "together": "together_ai",
}
LITELLM_FLAG = {"strict_tools": "bedrock_converse_supports_strict_tools"}
IMAGE_SIZE = re.compile(r"^\d+x\d+$")
AWS_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d+$")
BEDROCK_GEOS = frozenset({"us", "eu", "apac", "jp", "au", "us-gov"})
TOKEN_FIELD = {
    (Component.INPUT, None): "input_cost_per_token",
    (Component.INPUT, "audio"): "input_cost_per_audio_token",
    (Component.INPUT, "image"): "input_cost_per_image_token",
    (Component.INPUT, "video"): "input_cost_per_video_token",
    (Component.OUTPUT, None): "output_cost_per_token",
    (Component.OUTPUT, "audio"): "output_cost_per_audio_token",
    (Component.OUTPUT, "image"): "output_cost_per_image_token",
    (Component.OUTPUT, "video"): "output_cost_per_video_token",
    (Component.REASONING, None): "output_cost_per_reasoning_token",
    (Component.CACHE_READ, None): "cache_read_input_token_cost",
    (Component.CACHE_READ, "audio"): "cache_read_input_audio_token_cost",
    (Component.CACHE_READ, "image"): "cache_read_input_image_token_cost",
    (Component.CACHE_WRITE, None): "cache_creation_input_token_cost",
    (Component.CACHE_WRITE, "audio"): "cache_creation_input_audio_token_cost",
    (Component.CACHE_WRITE, "image"): "cache_creation_input_image_token_cost",
}
SERVICE_SUFFIX = {"batch": "_batches", "flex": "_flex", "priority": "_priority"}
PATH_DIMS = frozenset({Dim.SCOPE.value, Dim.REGION.value, Dim.QUALITY.value, Dim.SIZE.value})


class NotExpressible(ValueError):
    """A value LiteLLM's format has no key or field for."""


def provenance(p: PublishedValue) -> dict[str, Any]:
    """Where a value comes from, as of the export: JSON-ready."""
    v = p.value
    return {
        "valid_from": time_text(v.valid_from),
        "verified": p.verified,
        "verified_at": time_text(p.verified_at) if p.verified_at else None,
        "verified_by": p.verified_by,
        "accepted_source": v.accepted_source,
        "accepted_by": v.accepted_by,
        "stated_by": [
            {"source": s.source, "official": s.official, "observed_at": time_text(s.observed_at)}
            for s in p.stated_by
        ],
        "summary": p.provenance(),
    }


def value_record(p: PublishedValue) -> dict[str, Any]:
    """One value with its provenance: the JSON export's and the JSON API's item."""
    return {**_identity(p), "provenance": provenance(p)}


def to_json(values: Iterable[PublishedValue], *, as_of: str, verified_only: bool) -> str:
    """The JSON export: {as_of, verified_only, count, values: [value_record...]}."""
    records = [value_record(p) for p in values]
    document = {
        "as_of": as_of,
        "verified_only": verified_only,
        "units": "USD; token prices per 1M tokens",
        "count": len(records),
        "values": records,
    }
    return json.dumps(document, ensure_ascii=False) + "\n"  # unindented: the C encoder


# What a spreadsheet takes for the start of a formula in a cell: a name a source wrote so
# ("=HYPERLINK(...)", "@SUM(1+1)", "+1+1") would run in the reader's spreadsheet (OWASP's CSV
# injection). Such a text cell is written after a "'", which spreadsheets show as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_START) else text


def to_csv(values: Iterable[PublishedValue]) -> str:
    """The CSV export: one row per value, columns CSV_COLUMNS; dimensions as 'k=v;k=v',
    stated_by as 'source@date;...'. A text cell (a name, dimensions, a source) that begins as a
    formula does (FORMULA_START) is written after a "'"; the value column is a number."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in values:
        v = p.value
        writer.writerow(
            [
                _text_cell(v.route),
                _text_cell(v.model),
                v.kind.value,
                v.component.value,
                v.unit.value,
                _text_cell(v.dimensions.key),
                decimal_text(v.value),
                time_text(v.valid_from),
                time_text(p.verified_at) if p.verified_at else "",
                p.verified_by or "",
                _text_cell(v.accepted_source),
                _text_cell(v.accepted_by),
                _text_cell(
                    ";".join(f"{s.source}@{s.observed_at.date().isoformat()}" for s in p.stated_by)
                ),
            ]
        )
    return out.getvalue()


# ------------------------------------------------------------------------------ LiteLLM


def litellm_provider(route: str) -> str:
    """LiteLLM's name for a route in `litellm_provider` (gemini for google, vertex_ai for vertex,
    vercel_ai_gateway for vercel...: LITELLM_PROVIDER); any other route is its own name."""
    return LITELLM_PROVIDER.get(route, route)


def _deployment(scope: str | None, region: str | None) -> str:
    """A deployment's dimensions as a reason names them: 'scope regional, region eastus2'
    (either left out where it is not stated)."""
    stated = [f"{name} {value}" for name, value in (("scope", scope), ("region", region)) if value]
    return ", ".join(stated)


def litellm_key(route: str, model: str, dims: Mapping[str, str]) -> str:
    """LiteLLM's key for (route, model) and the dimensions its key states. Raises
    NotExpressible for a scope or region LiteLLM's keys cannot say on that route."""
    provider = litellm_provider(route)
    scope, region = dims.get(Dim.SCOPE.value), dims.get(Dim.REGION.value)
    prefix: list[str] = [] if route == "openai" else [provider]
    name = model
    if route == "azure":
        if scope == "data_zone" and region in ("us", "eu"):
            prefix.append(region)
        elif scope == "global" and region is None:
            prefix.append("global-standard")  # a bare azure/ key states no scope (spiders.litellm)
        elif scope is not None or region is not None:
            raise NotExpressible(
                f"Azure deployment ({_deployment(scope, region)}): LiteLLM's azure keys say "
                "Global Standard, data zones us and eu, or no scope (bare) only"
            )
    elif route == "bedrock" and scope is not None:
        if scope == "regional" and region and AWS_REGION.match(region):
            prefix.append(region)
        elif scope == "data_zone" and region in BEDROCK_GEOS:
            name = f"{region}.{model}"
        elif scope == "global" and region is None:
            name = f"global.{model}"
        else:
            raise NotExpressible(f"Bedrock deployment ({_deployment(scope, region)})")
    elif scope is not None or region is not None:
        raise NotExpressible(f"a {scope or region} deployment: LiteLLM's {route} keys have none")
    quality, size = dims.get(Dim.QUALITY.value), dims.get(Dim.SIZE.value)
    if size is not None:
        if size != "max" and not IMAGE_SIZE.match(size):
            raise NotExpressible(f"image size {size}: LiteLLM's keys state W-x-H")
        if quality is not None:
            prefix.append(quality)
        prefix.append("max-x-max" if size == "max" else size.replace("x", "-x-"))
    elif quality is not None:
        raise NotExpressible(f"quality {quality} without a size")
    return "/".join([*prefix, name])


def _suffixes(dims: dict[str, str]) -> str:
    text = ""
    above = dims.get(Dim.CONTEXT_ABOVE.value)
    if above is not None:
        if int(above) % 1000:
            raise NotExpressible(f"context tier above {above} tokens: LiteLLM states k tokens")
        text += f"_above_{int(above) // 1000}k_tokens"
    tier = dims.get(Dim.SERVICE_TIER.value)
    if tier is not None:
        text += SERVICE_SUFFIX[tier]
    return text


class Entry(NamedTuple):
    """What a LiteLLM entry states besides one field, which changes how LiteLLM reads it."""

    mode: str | None  # the entry's single mode, if any
    hour_write: bool  # it states a 1-hour cache write: its plain cache write is the 5-minute one
    image_literal: bool  # not a generated-image charge entry (no image_generation mode, or it
    # states output_cost_per_image): input_cost_per_image/_pixel are then read literally


def litellm_field(
    p: PublishedValue, entry: Entry
) -> tuple[str, Decimal] | tuple[str, str, Decimal]:
    """A price's LiteLLM field name and value in LiteLLM's unit; for web search by context size
    (`search_context_cost_per_query`), the field, the size key and the value. Raises
    NotExpressible."""
    v = p.value
    dims = {k: x for k, x in v.dimensions.items() if k not in PATH_DIMS}
    modality = dims.pop(Dim.MODALITY.value, None)
    ttl = dims.pop(Dim.CACHE_TTL.value, None)
    variant = dims.pop(Dim.VARIANT.value, None)
    suffix = _suffixes(dims)
    leftover = set(dims) - {Dim.CONTEXT_ABOVE.value, Dim.SERVICE_TIER.value}
    if leftover:
        raise NotExpressible(f"dimensions {sorted(leftover)} have no LiteLLM field")
    if v.unit == Unit.PER_1M_TOKENS:
        if variant == "citation" and v.component == Component.INPUT and modality is None:
            return f"citation_cost_per_token{suffix}", v.value / MILLION
        if variant is not None:
            raise NotExpressible(f"variant {variant}")
        name = TOKEN_FIELD.get((v.component, modality))
        if name is None:
            raise NotExpressible(f"{v.component.value} of {modality} tokens")
        if v.component == Component.CACHE_WRITE:
            if ttl == "1h":
                name += "_above_1hr"
            elif (ttl == "5m") != entry.hour_write:
                raise NotExpressible(
                    "a cache write reads as 5-minute exactly when the entry states a 1-hour one"
                )
        elif ttl is not None:
            raise NotExpressible(f"cache lifetime {ttl} on {v.component.value}")
        return name + suffix, v.value / MILLION
    if ttl is not None:
        raise NotExpressible(f"cache lifetime {ttl} on a {v.unit.value} price")
    if v.unit == Unit.PER_1K_QUERIES and v.component == Component.WEB_SEARCH and not suffix:
        size = (variant or "").removeprefix("search-context-")
        if size not in ("low", "medium", "high") or variant == size:
            raise NotExpressible("web search priced for no search context size")
        return "search_context_cost_per_query", f"search_context_size_{size}", v.value / THOUSAND
    if variant == "annotation" and v.component == Component.PAGE and v.unit == Unit.PER_PAGE:
        return f"annotation_cost_per_page{suffix}", v.value
    if variant is not None:
        raise NotExpressible(f"variant {variant}")
    name = _unit_field(v.component, v.unit, modality, entry.image_literal)
    if name is None:
        raise NotExpressible(f"{v.component.value} {v.unit.value} ({modality or 'no modality'})")
    factor = THOUSAND if v.unit == Unit.PER_1K_QUERIES else Decimal(1)
    return name + suffix, v.value / factor


def _unit_field(
    component: Component, unit: Unit, modality: str | None, image_literal: bool
) -> str | None:
    direction = {Component.INPUT: "input", Component.OUTPUT: "output"}.get(component)
    if unit in (Unit.PER_IMAGE, Unit.PER_PIXEL) and modality == "image" and direction:
        per = "image" if unit == Unit.PER_IMAGE else "pixel"
        if direction == "output" and unit == Unit.PER_PIXEL and not image_literal:
            return "input_cost_per_pixel"  # LiteLLM's generated-image charge in such entries
        if direction == "input" and not image_literal:
            return None  # it would read back as the generated-image price
        return f"{direction}_cost_per_{per}"
    if unit == Unit.PER_SECOND and direction:
        if modality in ("audio", "video"):
            return f"{direction}_cost_per_{modality}_per_second"
        return None if modality else f"{direction}_cost_per_second"
    if unit == Unit.PER_CHARACTER and direction and modality is None:
        return f"{direction}_cost_per_character"
    if component == Component.REQUEST and modality is None:
        return {
            Unit.PER_1K_QUERIES: "input_cost_per_query",
            Unit.PER_REQUEST: "input_cost_per_request",
        }.get(unit)
    if component == Component.PAGE and unit == Unit.PER_PAGE:
        return "ocr_cost_per_page"
    return None


LIMIT_FIELD = {
    Component.MAX_INPUT_TOKENS: "max_input_tokens",
    Component.MAX_OUTPUT_TOKENS: "max_output_tokens",
    Component.RATE_RPM: "rpm",
    Component.RATE_TPM: "tpm",
}


def to_litellm(values: Iterable[PublishedValue]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The LiteLLM-format map and its provenance sidecar.

    Returns (map, sidecar): map is {key: entry} with Decimal values in LiteLLM's units; sidecar
    is {"fields": {key: {field: provenance}}, "left_out": [{route, model, component, unit,
    dimensions, value, reason}], "unpriced": {key: [keys of the same model that carry prices]}}.
    `unpriced` names every entry without a price (limits, capabilities or mode only): a tool
    reading LiteLLM's map may take a missing price for zero, and a bare `azure/` key is such an
    entry when Azure states the model's prices per deployment (under the scoped keys listed).
    """
    by_model: dict[tuple[str, str], list[PublishedValue]] = {}
    for p in values:
        by_model.setdefault((p.value.route, p.value.model), []).append(p)
    entries: dict[str, dict[str, Any]] = {}
    fields: dict[str, dict[str, Any]] = {}
    left_out: list[dict[str, Any]] = []
    unpriced: dict[str, list[str]] = {}
    for (route, model), group in by_model.items():
        keys: set[str] = set()  # the entries this model's values went into
        priced: set[str] = set()  # those of them with a price
        key_dims = [_key_dims(p) for p in group]
        same: dict[Dims, list[CatalogValue]] = {}  # the group's values by the dims of their key
        modes: dict[Dims, list[str]] = {}
        for p, dims in zip(group, key_dims, strict=True):
            same.setdefault(dims, []).append(p.value)
            if p.value.component == Component.MODE and p.value.value == 1:
                modes.setdefault(dims, []).append(p.value.dimensions.get(Dim.MODE.value, ""))
        stated = {dims: _entry(values, modes.get(dims, [])) for dims, values in same.items()}
        for p, dims in zip(group, key_dims, strict=True):
            try:
                written = litellm_key(route, model, dims)
                _add(entries, fields, p, written, dims, stated[dims], group)
            except NotExpressible as exc:
                left_out.append({**_identity(p), "reason": str(exc)})
            else:
                keys.add(written)
                if p.value.kind == Kind.PRICE:
                    priced.add(written)
        with_prices = sorted(keys & priced)
        unpriced.update((k, with_prices) for k in sorted(keys - priced))
    return entries, {"fields": fields, "left_out": left_out, "unpriced": unpriced}


def _identity(p: PublishedValue) -> dict[str, Any]:
    v = p.value
    return {
        "route": v.route,
        "model": v.model,
        "kind": v.kind.value,
        "component": v.component.value,
        "unit": v.unit.value,
        "dimensions": v.dimensions,
        "value": decimal_text(v.value),
    }


def _entry(same: list[CatalogValue], modes: list[str]) -> Entry:
    """The Entry of a LiteLLM key whose values are `same` (a model's values on one route with
    the dimensions of that key, `_key_dims`), of which `modes` are its stated modes."""
    mode = modes[0] if len(modes) == 1 else None
    return Entry(
        mode=mode,
        hour_write=any(
            v.component == Component.CACHE_WRITE and v.dimensions.get(Dim.CACHE_TTL.value) == "1h"
            for v in same
        ),
        image_literal=mode != "image_generation"
        or any(v.component == Component.OUTPUT and v.unit == Unit.PER_IMAGE for v in same),
    )


def _dearer_lower_tier(p: PublishedValue, group: list[PublishedValue]) -> Decimal | None:
    """For a price above a context size (`context_above`), the highest price of the same field
    at a lower tier (the field with no context dimension: tier 0) where it is above `p`'s, else
    None. The catalog holds each field as its own source states it, so a model's base price and
    its tier may come from two sources that disagree; one LiteLLM entry states them together."""
    v = p.value
    above = _context_above(v.dimensions)
    if not above:
        return None
    rest = v.dimensions.without(Dim.CONTEXT_ABOVE)
    lower = [
        q.value.value
        for q in group
        if q.value.kind == Kind.PRICE
        and (q.value.component, q.value.unit) == (v.component, v.unit)
        and _context_above(q.value.dimensions) < above
        and q.value.dimensions.without(Dim.CONTEXT_ABOVE) == rest
    ]
    top = max(lower, default=None)
    return top if top is not None and top > v.value else None


def _context_above(dims: Mapping[str, str]) -> int:
    """The context size a price is charged above (tokens); 0 where it states none."""
    stated = dims.get(Dim.CONTEXT_ABOVE.value, "0")
    return int(stated) if stated.isdigit() else 0


def _key_dims(p: PublishedValue) -> Dims:
    return Dims.of({k: x for k, x in p.value.dimensions.items() if k in PATH_DIMS})


def _add(
    entries: dict[str, dict[str, Any]],
    fields: dict[str, dict[str, Any]],
    p: PublishedValue,
    key: str,
    key_dims: Dims,
    stated: Entry,
    group: list[PublishedValue],
) -> None:
    """Write `p` into the entry `key` (LiteLLM's key of its route, model and `key_dims`) as its
    field; `stated` is what that entry states besides (`_entry`). Raises NotExpressible."""
    v = p.value
    route, mode = v.route, stated.mode
    named: tuple[str, Decimal | bool] | tuple[str, str, Decimal]
    if v.kind == Kind.PRICE:
        lower = _dearer_lower_tier(p, group)
        if lower is not None:
            raise NotExpressible(
                f"a context tier priced below a lower tier of its field ({decimal_text(lower)}): "
                "LiteLLM's readers take a field's tiers as rising"
            )
        named = litellm_field(p, stated)
    elif v.kind == Kind.LIMIT and v.component in LIMIT_FIELD and v.dimensions == key_dims:
        named = (LIMIT_FIELD[v.component], v.value)
    elif v.component == Component.SUPPORTS and set(v.dimensions) - set(key_dims) == {
        Dim.CAPABILITY.value
    }:
        capability = v.dimensions[Dim.CAPABILITY.value]
        named = (LITELLM_FLAG.get(capability, f"supports_{capability}"), v.value == 1)
    elif v.component == Component.MODE and set(v.dimensions) - set(key_dims) == {Dim.MODE.value}:
        if mode is None or v.value != 1:
            raise NotExpressible("LiteLLM states one mode per entry")
        # Written into the entry of its key, made here if no other field of it made it yet.
        entries.setdefault(key, {"litellm_provider": litellm_provider(route)})["mode"] = mode
        fields.setdefault(key, {})["mode"] = provenance(p)
        return
    else:
        raise NotExpressible(f"{v.kind.value} {v.component.value} has no LiteLLM field")
    entry = entries.setdefault(key, {"litellm_provider": litellm_provider(route)})
    if mode is not None:
        entry["mode"] = mode
    amount: Decimal | bool
    if len(named) == 3:
        name, size_key, amount = named
        entry.setdefault(name, {})[size_key] = amount
        fields.setdefault(key, {})[f"{name}.{size_key}"] = provenance(p)
    else:
        name, amount = named
        entry[name] = amount
        fields.setdefault(key, {})[name] = provenance(p)
        if name == "max_output_tokens":
            entry["max_tokens"] = amount


def dumps_litellm(data: Any) -> str:
    """JSON text with every Decimal written as an exact JSON number (never via float)."""
    return _encode(data, 0) + "\n"


def _encode(data: Any, depth: int) -> str:
    pad, inner = "    " * depth, "    " * (depth + 1)
    if isinstance(data, dict):
        if not data:
            return "{}"
        items = [f"{inner}{json.dumps(str(k))}: {_encode(v, depth + 1)}" for k, v in data.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(data, bool) or data is None or isinstance(data, str | int):
        return json.dumps(data)
    if isinstance(data, Decimal):
        return _number(data)
    if isinstance(data, list):
        return "[" + ", ".join(_encode(v, depth + 1) for v in data) + "]"
    raise TypeError(f"cannot write {type(data).__name__} as JSON")


def _number(value: Decimal) -> str:
    """An exact JSON number: integers plain, fractions in LiteLLM's style (2.5e-06)."""
    if value == value.to_integral_value():
        return str(int(value))
    text = format(value.normalize(), "e") if abs(value) < Decimal("0.0001") else None
    if text is not None:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent):+03d}"
    return decimal_text(value)


FORMATS = ("json", "csv", "litellm")


def render(
    fmt: str, values: Iterable[PublishedValue], *, as_of: str, verified_only: bool
) -> tuple[str, str | None]:
    """The export `fmt` (json, csv or litellm) as text, and for litellm its provenance sidecar
    (JSON text; None for the others). Raises ValueError naming an unknown format."""
    if fmt == "json":
        return to_json(values, as_of=as_of, verified_only=verified_only), None
    if fmt == "csv":
        return to_csv(values), None
    if fmt == "litellm":
        entries, sidecar = to_litellm(values)
        sidecar = {"as_of": as_of, "verified_only": verified_only, **sidecar}
        return dumps_litellm(entries), json.dumps(sidecar, ensure_ascii=False) + "\n"
    raise ValueError(f"export format {fmt!r}: one of {', '.join(FORMATS)}")
