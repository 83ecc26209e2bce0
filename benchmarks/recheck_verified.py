"""Re-check every verified catalog value against the official source's raw response.

Usage: uv run python benchmarks/recheck_verified.py SQLITE_URL WORLD_JSON

Independent of ratecard's parsers: nothing from spiders/ or catalog/normalize is imported. Each
official format has its own small reader below that turns the recorded response (the file the
replay world names for the source's URLs in data/sources.json) into statements keyed by
(raw model, kind, component, unit, dimensions), with values as Decimal in the catalog's units
(USD per 1M tokens, per image, per second, per 1K queries...). Units are converted exactly:
per-token strings times 10^6, Azure "1K" token meters times 1000, "100" image meters / 100.

For each catalog value in force whose `verified_by` is an official source, the raw model names
that source used (`observations.source_model`, the identity the catalog mapped; identity is not
what this re-checks) are looked up among the reader's statements for the same field:
- agrees: a statement for that field states exactly the catalog value;
- contradicts: statements for that field exist and none states the value;
- not located: the reader found no statement for the field (reason: no raw record, or the record
  is there but the reader does not read that field).
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
MILLION = Decimal(1_000_000)
THOUSAND = Decimal(1000)

Dims = tuple[tuple[str, str], ...]
Key = tuple[str, str, str, str, Dims]  # raw model, kind, component, unit, dimensions


def dims_of(text: str) -> Dims:
    """'a=1;b=2' (the catalog's dimension string) → sorted pairs."""
    return tuple(sorted(tuple(p.split("=", 1)) for p in text.split(";") if p))  # type: ignore[misc]


def dims(**pairs: str | None) -> Dims:
    """Dimension pairs from keywords, sorted, those given None left out."""
    return tuple(sorted((k, v) for k, v in pairs.items() if v is not None))


def per_million(text: object) -> Decimal:
    """A per-token price as the source wrote it, per 1M tokens; -1M when it is no number (so it
    contradicts any catalog value). A price of 0 is 0, not unreadable."""
    value = dec(text)
    return (value if value is not None else Decimal(-1)) * MILLION


def dec(text: object) -> Decimal | None:
    """A number as the source wrote it (a JSON string or number's text), or None."""
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@dataclass(frozen=True)
class Statement:
    """One value a response states for a field, in the catalog's unit, and where (URL, record,
    key and the raw text)."""

    value: Decimal
    where: str


@dataclass
class Reading:
    """What one reader took from one source's responses."""

    statements: dict[Key, list[Statement]] = field(default_factory=lambda: defaultdict(list))
    models: set[str] = field(default_factory=set)

    def add(
        self,
        model: str,
        kind: str,
        component: str,
        unit: str,
        d: Dims,
        value: Decimal | None,
        where: str,
    ) -> None:
        """Record that `model` is listed, and, unless `value` is None, that it states `value` (in
        the catalog's unit) for the field (kind, component, unit, dimensions `d`)."""
        self.models.add(model)
        if value is not None:
            self.statements[(model, kind, component, unit, d)].append(Statement(value, where))


# --- OpenRouter models API: pricing strings are USD per single token (PROVENANCE.md) ---------

OPENROUTER_TOKEN_KEYS: dict[str, tuple[str, str | None]] = {
    "prompt": ("input", None),
    "completion": ("output", None),
    "input_cache_read": ("cache_read", None),
    "input_cache_write": ("cache_write", None),
    "internal_reasoning": ("reasoning", None),
    "audio": ("input", "audio"),
    "input_audio_cache": ("cache_read", "audio"),
    "audio_output": ("output", "audio"),
    "image_output": ("output", "image"),
    "image_token": ("output", "image"),
}
ID_SUFFIX_DIMS = {"batch": ("service_tier", "batch")}


def _openrouter_prices(
    r: Reading,
    model: str,
    base: dict[str, str],
    pricing: dict[str, object],
    extra: dict[str, str],
    where: str,
) -> None:
    vendor = model.split("/", 1)[0].lstrip("~")
    for key, raw in pricing.items():
        value = dec(raw)
        if key in OPENROUTER_TOKEN_KEYS and value is not None:
            component, modality = OPENROUTER_TOKEN_KEYS[key]
            d = {**base, **extra, "modality": modality}
            r.add(
                model,
                "price",
                component,
                "usd_per_1m_tokens",
                dims(**d),
                value * MILLION,
                f"{where}.{key}={raw!r}",
            )
            if key == "input_cache_write" and vendor == "anthropic":
                # Anthropic documents a 5-minute default lifetime for an unqualified cache write.
                r.add(
                    model,
                    "price",
                    component,
                    "usd_per_1m_tokens",
                    dims(**d, cache_ttl="5m"),
                    value * MILLION,
                    f"{where}.{key}={raw!r}",
                )
        elif key == "input_cache_write_1h" and value is not None:
            r.add(
                model,
                "price",
                "cache_write",
                "usd_per_1m_tokens",
                dims(**base, **extra, cache_ttl="1h"),
                value * MILLION,
                f"{where}.{key}={raw!r}",
            )
        elif key == "image" and value is not None:
            r.add(
                model,
                "price",
                "input",
                "usd_per_image",
                dims(**base, **extra, modality="image"),
                value,
                f"{where}.{key}={raw!r}",
            )
        elif key == "web_search" and value is not None:
            r.add(
                model,
                "price",
                "web_search",
                "usd_per_1k_queries",
                dims(**base, **extra),
                value * THOUSAND,
                f"{where}.{key}={raw!r}",
            )
        elif key == "request" and value is not None:
            r.add(
                model,
                "price",
                "request",
                "usd_per_request",
                dims(**base, **extra),
                value,
                f"{where}.{key}={raw!r}",
            )


def read_openrouter(bodies: list[tuple[str, bytes]]) -> Reading:
    """OpenRouter's models pages as statements: pricing strings (USD per token) as per 1M tokens,
    image per image, web_search per 1K, request per request, the `:suffix` as service tier or
    variant, context-tier and time-of-day overrides, limits in tokens and capability flags."""
    r = Reading()
    for url, body in bodies:
        for rec in json.loads(body, parse_float=Decimal)["data"]:
            rid: str = rec["id"]
            model, _, suffix = rid.partition(":")
            base: dict[str, str] = {}
            if suffix:
                k, v = ID_SUFFIX_DIMS.get(suffix, ("variant", suffix))
                base[k] = v
            where = f"{url} {rid}"
            pricing = rec.get("pricing") or {}
            _openrouter_prices(
                r,
                model,
                base,
                {k: v for k, v in pricing.items() if k != "overrides"},
                {},
                f"{where} pricing",
            )
            overrides = pricing.get("overrides") or []
            windows = [o for o in overrides if "utc_start" in o]
            if windows:
                prompts = sorted({dec(o.get("prompt")) or Decimal(0) for o in windows})
            for i, o in enumerate(overrides):
                prices = {
                    k: v
                    for k, v in o.items()
                    if k not in ("min_prompt_tokens", "utc_start", "utc_end")
                }
                if "min_prompt_tokens" in o:
                    extra = {"context_above": str(o["min_prompt_tokens"])}
                elif "utc_start" in o and len(prompts) == 2:
                    low = (dec(o.get("prompt")) or Decimal(0)) == prompts[0]
                    extra = {"time_of_day": "off_peak" if low else "peak"}
                else:
                    continue
                _openrouter_prices(r, model, base, prices, extra, f"{where} pricing.overrides[{i}]")
            d = dims(**base)
            if rec.get("context_length") is not None:
                r.add(
                    model,
                    "limit",
                    "context_window",
                    "tokens",
                    d,
                    dec(rec["context_length"]),
                    f"{where} context_length",
                )
            top = rec.get("top_provider") or {}
            if top.get("max_completion_tokens") is not None:
                r.add(
                    model,
                    "limit",
                    "max_output_tokens",
                    "tokens",
                    d,
                    dec(top["max_completion_tokens"]),
                    f"{where} top_provider.max_completion_tokens",
                )
            arch = rec.get("architecture") or {}
            flags = [p for p in rec.get("supported_parameters") or []]
            flags += [f"input_{m}" for m in arch.get("input_modalities") or []]
            flags += [f"output_{m}" for m in arch.get("output_modalities") or []]
            for flag in flags:
                r.add(
                    model,
                    "capability",
                    "supports",
                    "flag",
                    dims(**base, capability=flag),
                    Decimal(1),
                    f"{where} {flag}",
                )
    return r


# --- Vercel AI Gateway models API: token prices USD per single token (PROVENANCE.md) ---------

VERCEL_TOKEN_KEYS = {
    "input": "input",
    "output": "output",
    "input_cache_read": "cache_read",
    "input_cache_write": "cache_write",
}
VERCEL_MODES = {
    "language": "chat",
    "embedding": "embedding",
    "image": "image_generation",
    "video": "video_generation",
}


def read_vercel(bodies: list[tuple[str, bytes]]) -> Reading:
    """Vercel's models listing as statements: token prices (USD per token) as per 1M tokens (an
    image model's output as image tokens), their context tiers and service tiers, web search per
    1K, image prices per image, video per second, limits in tokens, tags and mode."""
    r = Reading()
    for url, body in bodies:
        for rec in json.loads(body, parse_float=Decimal)["data"]:
            model: str = rec["id"]
            where = f"{url} {model}"
            pricing = rec.get("pricing") or {}
            image_model = rec.get("type") == "image"
            for key, component in VERCEL_TOKEN_KEYS.items():
                modality = "image" if image_model and component == "output" else None
                if key in pricing:
                    r.add(
                        model,
                        "price",
                        component,
                        "usd_per_1m_tokens",
                        dims(modality=modality),
                        per_million(pricing[key]),
                        f"{where} pricing.{key}",
                    )
                for i, tier in enumerate(pricing.get(f"{key}_tiers") or []):
                    start = int(tier.get("min") or 0)
                    above = str(start - 1) if start > 0 else None
                    r.add(
                        model,
                        "price",
                        component,
                        "usd_per_1m_tokens",
                        dims(modality=modality, context_above=above),
                        per_million(tier["cost"]),
                        f"{where} pricing.{key}_tiers[{i}]",
                    )
            for tier_name, prices in (pricing.get("service_tiers") or {}).items():
                for key, component in VERCEL_TOKEN_KEYS.items():
                    if key in prices:
                        r.add(
                            model,
                            "price",
                            component,
                            "usd_per_1m_tokens",
                            dims(service_tier=tier_name),
                            per_million(prices[key]),
                            f"{where} pricing.service_tiers.{tier_name}.{key}",
                        )
            if "web_search" in pricing:  # Vercel states web search per 1K queries
                r.add(
                    model,
                    "price",
                    "web_search",
                    "usd_per_1k_queries",
                    (),
                    dec(pricing["web_search"]),
                    f"{where} pricing.web_search",
                )
            if "image" in pricing:
                r.add(
                    model,
                    "price",
                    "output",
                    "usd_per_image",
                    dims(modality="image"),
                    dec(pricing["image"]),
                    f"{where} pricing.image",
                )
            for i, p in enumerate(pricing.get("image_dimension_quality_pricing") or []):
                r.add(
                    model,
                    "price",
                    "output",
                    "usd_per_image",
                    dims(
                        modality="image",
                        quality=p.get("quality"),
                        size=None if p.get("size") == "default" else str(p.get("size")).lower(),
                    ),
                    dec(p.get("cost")),
                    f"{where} pricing.image_dimension_quality_pricing[{i}]",
                )
            for i, p in enumerate(pricing.get("video_duration_pricing") or []):
                r.add(
                    model,
                    "price",
                    "output",
                    "usd_per_second",
                    dims(
                        modality="video",
                        size=p.get("resolution"),
                        quality=p.get("mode"),
                        variant={False: "no_audio", True: "audio"}.get(p["audio"])
                        if "audio" in p
                        else None,
                    ),
                    dec(p.get("cost_per_second")),
                    f"{where} pricing.video_duration_pricing[{i}]",
                )
            for key, component in (
                ("context_window", "context_window"),
                ("max_tokens", "max_output_tokens"),
            ):
                if rec.get(key) is not None:
                    r.add(model, "limit", component, "tokens", (), dec(rec[key]), f"{where} {key}")
            for tag in rec.get("tags") or []:
                r.add(
                    model,
                    "capability",
                    "supports",
                    "flag",
                    dims(capability=tag),
                    Decimal(1),
                    f"{where} tags",
                )
            if rec.get("type") in VERCEL_MODES:
                r.add(
                    model,
                    "capability",
                    "mode",
                    "flag",
                    dims(mode=VERCEL_MODES[rec["type"]]),
                    Decimal(1),
                    f"{where} type",
                )
    return r


# --- Azure Retail Prices: retailPrice is USD per unitOfMeasure; meterName encodes the rest ----

AZ_INPUT = {"inp", "input", "inpt", "in"}
AZ_OUTPUT = {"outp", "out", "opt", "output", "outpt"}
AZ_CACHED = {"cchd", "ccchd", "cached", "cched", "cd", "cache"}
AZ_WRITE = {"wr", "write"}
AZ_SCOPES = {
    "glbl": "global",
    "gl": "global",
    "global": "global",
    "dzone": "data_zone",
    "dz": "data_zone",
    "dzn": "data_zone",
    "datazone": "data_zone",
    "regnl": "regional",
    "rgnl": "regional",
    "regional": "regional",
}
AZ_TIERS = {"batch": "batch", "pp": "priority"}
AZ_MODALITY = {"aud": "audio", "audio": "audio", "img": "image", "txt": "text", "text": "text"}
AZ_FINE_TUNED = {"ft", "finetuned"}
AZ_GRADER = {"grader", "grdr"}
AZ_UNIT_WORDS = {
    "tokens",
    "images",
    "pages",
    "second",
    "unit",
    "search",
    "calls",
    "megapixel",
    "gb",
}
AZ_STRIP = (
    AZ_INPUT
    | AZ_OUTPUT
    | AZ_CACHED
    | AZ_WRITE
    | set(AZ_SCOPES)
    | set(AZ_TIERS)
    | set(AZ_MODALITY)
    | AZ_UNIT_WORDS
    | AZ_FINE_TUNED
    | AZ_GRADER
    | {"std", "1m", "data", "zone", "shortco", "dev", "mdl", "mdel", "model"}
)
AZ_FACTORS = {
    "1K": Decimal(1000),
    "1M": MILLION,
    "100": Decimal(100),
    "1": Decimal(1),
    "1 Hour": Decimal(1),
    "1/Hour": Decimal(1),
    "1 Second": Decimal(1),
}


def az_words(text: str) -> list[str]:
    """The words of a meter name, lowercased, split on spaces, dashes and underscores."""
    return [w for w in re.split(r"[\s\-_]+", text.lower()) if w]


def az_residue(name: str) -> str:
    """The model part of a meter (or of a raw model name): every word that names a direction,
    scope, tier, modality or unit removed ("image" after the first word), the rest joined."""
    words = az_words(name.replace("Data Zone", "datazone").replace("data zone", "datazone"))
    return " ".join(
        w for i, w in enumerate(words) if w not in AZ_STRIP and not (i and w == "image")
    )


def read_azure(bodies: list[tuple[str, bytes]]) -> Reading:
    """Azure Retail Prices pages as statements: each meter's retailPrice per its unitOfMeasure
    converted (tokens per 1M, images, pages, seconds, hours, searches per 1K), with scope, region
    (none for global), tier, modality and fine-tuning or grader variant read from its words; a
    meter it cannot place is only listed."""
    r = Reading()
    for url, body in bodies:
        for item in json.loads(body, parse_float=Decimal)["Items"]:
            meter: str = item["meterName"]
            words = az_words(
                meter.replace("Data Zone", "datazone").replace("data zone", "datazone")
            )
            model = f"{item['productName']}/{az_residue(meter)}"
            where = (
                f"{url} meter {meter!r} ({item['productName']}): "
                f"retailPrice {item['retailPrice']} per {item['unitOfMeasure']}"
            )
            factor = AZ_FACTORS.get(item["unitOfMeasure"])
            price = dec(item["retailPrice"])
            scopes = {AZ_SCOPES[w] for w in words if w in AZ_SCOPES}
            tiers = {AZ_TIERS[w] for w in words if w in AZ_TIERS}
            # The modality is the last modality word: the earlier ones belong to the model's name
            # ("gpt-4o-aud-1217-txt Inp": text input of an audio model); "image" counts after the
            # first word only ("Image 2 img opt" is the image output of the model "Image 2").
            named = [
                AZ_MODALITY.get(w, "image" if w == "image" and i else None)
                for i, w in enumerate(words)
            ]
            modalities = {m for m in named if m is not None}
            modalities = (
                {[m for m in named if m is not None][-1]} - {"text"} if modalities else set()
            )
            if factor is None or price is None or len(scopes) > 1 or len(tiers) > 1:
                r.models.add(model)
                continue
            scope = next(iter(scopes), None)
            region = item["armRegionName"] if scope != "global" else None
            word_set = set(words)
            what = words[-1]
            if word_set & AZ_CACHED and word_set & AZ_WRITE:
                component = "cache_write"
            elif word_set & AZ_CACHED:
                component = "cache_read"
            elif word_set & AZ_INPUT:
                component = "input"
            elif word_set & AZ_OUTPUT or what in {"images", "second"}:
                component = "output"
            elif what == "tokens":  # a token meter naming no direction (embeddings): input
                component = "input"
            elif what == "pages":
                component = "page"
            elif what == "search":
                component = "request"
            else:
                r.models.add(model)
                continue
            if what == "tokens":
                unit, value = "usd_per_1m_tokens", price / factor * MILLION
            elif what == "images":
                unit, value = "usd_per_image", price / factor
                modalities = {"image"}
            elif what == "pages":
                unit, value = "usd_per_page", price / factor
            elif what == "second":
                unit, value = "usd_per_second", price / factor
            elif what == "unit" and item["unitOfMeasure"] in ("1 Hour", "1/Hour"):
                unit, value = "usd_per_hour", price
            elif what == "search":
                unit, value = "usd_per_1k_queries", price / factor * THOUSAND
            else:
                r.models.add(model)
                continue
            variant = None
            if word_set & AZ_GRADER:
                variant = "grader"
            elif word_set & AZ_FINE_TUNED:
                variant = "fine_tuned_developer" if "dev" in word_set else "fine_tuned"
            d = dims(
                scope=scope,
                region=region,
                service_tier=next(iter(tiers), None),
                modality=next(iter(modalities), None),
                variant=variant,
            )
            r.add(model, "price", component, unit, d, value, where)
    return r


# --- Pricing pages (recorded as Markdown): rendered to HTML, read with BeautifulSoup ---------

TIER_LABELS = {"batch": "batch", "flex": "flex", "standard": "standard", "priority": "priority"}
MODALITY_HEADINGS = {"text tokens": None, "image tokens": "image", "audio tokens": "audio"}
DOLLARS = re.compile(r"\$\s*([0-9][0-9,]*(?:\.[0-9]+)?)")


@dataclass(frozen=True)
class Table:
    """One Markdown table: the heading path above it, the paragraph just before it (lowercased),
    the last inline-code paragraph under its h2, its header and its body rows."""

    headings: tuple[str, ...]  # h1..h4 path, text
    label: str  # the paragraph just before the table (a tab label such as "Batch"), lowercased
    code: str  # the last paragraph under the current h2 that is only inline code (a model id)
    header: list[str]
    rows: list[list[str]]


def markdown_tables(body: bytes) -> Iterator[Table]:
    """Every table of a Markdown page, with the headings above it and the paragraph before it."""
    html = MarkdownIt("commonmark").enable("table").render(body.decode("utf-8", "replace"))
    soup = BeautifulSoup(html, "html.parser")
    path: dict[int, str] = {}
    label = code = ""
    for el in soup.find_all(["h1", "h2", "h3", "h4", "p", "table"]):
        assert isinstance(el, Tag)
        if el.name in ("h1", "h2", "h3", "h4"):
            level = int(el.name[1])
            path = {k: v for k, v in path.items() if k < level}
            path[level] = el.get_text(" ", strip=True)
            label = ""
            if level <= 2:
                code = ""
        elif el.name == "p":
            label = el.get_text(" ", strip=True).lower()
            inline = el.find("code")
            if isinstance(inline, Tag) and inline.get_text(strip=True) == el.get_text(strip=True):
                code = inline.get_text(strip=True)
        else:
            header = [c.get_text(" ", strip=True) for c in el.select("thead th")]
            rows = [
                [c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])]
                for tr in el.select("tbody tr")
            ]
            yield Table(tuple(path[k] for k in sorted(path)), label, code, header, rows)


def one_price(cell: str) -> Decimal | None:
    """The amount of a cell that states exactly one dollar amount, else None."""
    found = DOLLARS.findall(cell)
    return dec(found[0]) if len(found) == 1 else None


def clean_model(cell: str) -> str:
    """A model cell as the API id it names: "(deprecated)" dropped, lowercased, spaces and
    middle dots to hyphens ("GPT Image 1" → gpt-image-1, "DALL·E 3" → dall-e-3)."""
    name = re.sub(r"\s*\(\s*deprecated\s*\)", "", cell).strip().lower()
    return re.sub(r"[\s·]+", "-", name)


def anthropic_id(cell: str) -> str:
    """Anthropic's id for a model name: "Claude Opus 4.5" → claude-opus-4-5; before generation 4
    the version comes first: "Claude Sonnet 3.7" → claude-3-7-sonnet."""
    words = clean_model(cell).split("-")
    if len(words) == 3 and words[0] == "claude" and re.fullmatch(r"[0-9.]+", words[2]):
        version = words[2].replace(".", "-")
        if int(words[2].split(".")[0]) < 4:
            return f"claude-{version}-{words[1]}"
        return f"claude-{words[1]}-{version}"
    return "-".join(words)


OPENAI_COLUMNS = {
    "input": "input",
    "cached input": "cache_read",
    "output": "output",
    "cost": "input",
    "batch cost": "input",
}


def read_openai_page(bodies: list[tuple[str, bytes]]) -> Reading:
    """OpenAI's pricing page (Markdown) as statements: the per-1M token prices of each Model
    table by tier label, modality heading and fine-tuning section, and the image grids' prices
    per image by quality and size."""
    r = Reading()
    for url, body in bodies:
        for t in markdown_tables(body):
            where = f"{url} {' > '.join(t.headings)}"
            section = t.headings[-1].lower() if t.headings else ""
            if not t.header or t.header[0].lower() != "model":
                continue
            cols = [h.lower() for h in t.header]
            if "quality" in cols:  # image generation: price per image by quality and size
                model = ""
                for row in t.rows:
                    if row and row[0].lower() == "model":
                        cols = [h.lower() for h in row]
                        continue
                    if len(row) > 1 and DOLLARS.search(row[1]):  # a further quality row
                        rest = row
                    elif len(row) > 1 and row[0]:
                        model, rest = clean_model(row[0]), row[1:]
                    else:
                        continue
                    if not model:
                        continue
                    quality = rest[0].lower()
                    for size, cell in zip(cols[2:], rest[1:], strict=False):
                        r.add(
                            model,
                            "price",
                            "output",
                            "usd_per_image",
                            dims(modality="image", quality=quality, size=size.replace(" ", "")),
                            one_price(cell),
                            f"{where}: {model} {quality} {size}",
                        )
                continue
            tier = TIER_LABELS.get(t.label)
            modality = MODALITY_HEADINGS.get(section)
            variant = "fine_tuned" if "fine-tuning" in section else None
            if "transcription" in " ".join(t.headings).lower() and section == "audio tokens":
                modality = "audio"
            for row in t.rows:
                model = clean_model(row[0])
                r.models.add(model)
                for name, cell in zip(cols[1:], row[1:], strict=False):
                    if name not in OPENAI_COLUMNS:
                        continue
                    row_tier = "batch" if name == "batch cost" else tier
                    r.add(
                        model,
                        "price",
                        OPENAI_COLUMNS[name],
                        "usd_per_1m_tokens",
                        dims(
                            service_tier=None if row_tier == "standard" else row_tier,
                            modality=modality,
                            variant=variant,
                        ),
                        one_price(cell),
                        f"{where} [{t.label}]: {model} | {name} = {cell}",
                    )
    return r


ANTHROPIC_COLUMNS: dict[str, tuple[str, dict[str, str]]] = {
    "base input tokens": ("input", {}),
    "5m cache writes": ("cache_write", {"cache_ttl": "5m"}),
    "1h cache writes": ("cache_write", {"cache_ttl": "1h"}),
    "cache hits & refreshes": ("cache_read", {}),
    "output tokens": ("output", {}),
    "batch input": ("input", {"service_tier": "batch"}),
    "batch output": ("output", {"service_tier": "batch"}),
}


def read_anthropic_page(bodies: list[tuple[str, bytes]]) -> Reading:
    """Anthropic's tables state "$X / MTok": USD per 1M tokens."""
    r = Reading()
    for url, body in bodies:
        for t in markdown_tables(body):
            if not t.header or t.header[0].lower() != "model":
                continue
            where = f"{url} {' > '.join(t.headings)}"
            cols = [h.lower() for h in t.header]
            for row in t.rows:
                model = anthropic_id(row[0])
                r.models.add(model)
                for name, cell in zip(cols[1:], row[1:], strict=False):
                    if name in ANTHROPIC_COLUMNS and "/ mtok" in cell.lower():
                        component, extra = ANTHROPIC_COLUMNS[name]
                        r.add(
                            model,
                            "price",
                            component,
                            "usd_per_1m_tokens",
                            dims(**extra),
                            one_price(cell),
                            f"{where}: {model} | {name} = {cell}",
                        )
    return r


def read_deepseek_page(bodies: list[tuple[str, bytes]]) -> Reading:
    """DeepSeek's table (flattened by the recorder): one price row per line for every model in the
    MODEL row; the page states "prices listed below are in units of per 1M tokens"."""
    r = Reading()
    rows = {
        "1m input tokens (cache hit)": "cache_read",
        "1m input tokens (cache miss)": "input",
        "1m output tokens": "output",
    }
    for url, body in bodies:
        text = body.decode("utf-8", "replace")
        if "per 1M tokens" not in text:
            continue
        models: list[str] = []
        for line in text.splitlines():
            cells = [c.strip(" *") for c in line.split("|")]
            if cells and cells[0].upper() == "MODEL":
                models = [c for c in cells[1:] if c]
            label = cells[-2].lower() if len(cells) >= 2 else ""
            if label in rows and models:
                for model in models:
                    r.add(
                        model,
                        "price",
                        rows[label],
                        "usd_per_1m_tokens",
                        (),
                        one_price(cells[-1]),
                        f"{url}: {line.strip()}",
                    )
    return r


GEMINI_ROWS = {
    "input price": "input",
    "output price": "output",
    "context caching price": "cache_read",
    "grounding with google search": "web_search",
}
GEMINI_SEGMENT = re.compile(r"\$\s*([0-9][0-9,]*(?:\.[0-9]+)?)([^$]*)")
GEMINI_MODALITIES = ("text", "image", "video", "audio")


def gemini_statements(component: str, cell: str) -> Iterator[tuple[str, str, Dims, Decimal]]:
    """(component, unit, dimensions, value) for each "$X qualifier" segment of a Paid Tier cell,
    read literally: the column states USD per 1M tokens unless the segment names another unit."""
    segments = [(dec(m.group(1)), m.group(2).lower()) for m in GEMINI_SEGMENT.finditer(cell)]
    for value, tail in segments:
        if value is None:
            continue
        above = re.search(r"prompts\s*\\?>\s*([0-9]+)k", tail)
        context = str(int(above.group(1)) * 1000) if above else None
        if "per hour" in tail and "1,000,000 tokens" in tail:
            yield "cache_storage", "usd_per_1m_tokens_per_hour", (), value
            continue
        if re.search(r"/\s*1,000 (search queries|grounded prompts)", tail):
            yield "web_search", "usd_per_1k_queries", (), value
            continue
        if component == "web_search":
            continue
        if "image" in tail and re.search(r"per ([0-9k/]+ )?image", tail):
            sizes = re.search(r"per ([0-9k/]+) image", tail)
            for size in sizes.group(1).split("/") if sizes else [None]:
                yield component, "usd_per_image", dims(modality="image", size=size), value
            continue
        named = re.search(r"\(([a-z /,]+)\)", tail)
        modalities = [m for m in GEMINI_MODALITIES if named and m in named.group(1)] or ["text"]
        for modality in modalities:
            yield (
                component,
                "usd_per_1m_tokens",
                dims(modality=None if modality == "text" else modality, context_above=context),
                value,
            )


def read_gemini_page(bodies: list[tuple[str, bytes]]) -> Reading:
    """Google's per-model sections: an h2 per model, its id in a code paragraph, then "Standard"
    and "Batch" tables whose Paid Tier column is "per 1M tokens in USD"."""
    r = Reading()
    for url, body in bodies:
        for t in markdown_tables(body):
            paid = [i for i, h in enumerate(t.header) if h.lower().startswith("paid tier")]
            if not t.code or not paid or "per 1m tokens" not in t.header[paid[0]].lower():
                continue
            tier = "batch" if t.headings and t.headings[-1].lower() == "batch" else None
            where = f"{url} {' > '.join(t.headings)}"
            r.models.add(t.code)
            for row in t.rows:
                label = re.sub(r"\s*\(.*\)$", "", row[0]).strip().lower()
                if label not in GEMINI_ROWS or len(row) <= paid[0]:
                    continue
                cell = row[paid[0]]
                for component, unit, d, value in gemini_statements(GEMINI_ROWS[label], cell):
                    if tier:
                        d = tuple(sorted((*d, ("service_tier", tier))))
                    r.add(
                        t.code,
                        "price",
                        component,
                        unit,
                        d,
                        value,
                        f"{where}: {t.code} | {row[0]} | {cell}",
                    )
    return r


READERS = {
    "gemini-page": read_gemini_page,
    "openrouter": read_openrouter,
    "vercel": read_vercel,
    "azure": read_azure,
    "openai-page": read_openai_page,
    "anthropic-page": read_anthropic_page,
    "deepseek-page": read_deepseek_page,
}


@dataclass(frozen=True)
class Verdict:
    """The re-check of one verified catalog value: its id, official source, field, value, the
    outcome (agrees, contradicts or not_located) and why."""

    value_id: int  # catalog_values.id
    source: str
    field: str
    value: Decimal
    outcome: str  # agrees | contradicts | not_located
    reason: str  # for not_located: why; for contradicts: what the response states, and where


@dataclass
class Report:
    """Every verdict, and per source how many verified dates match the response's date."""

    verdicts: list[Verdict]
    dates: Counter[tuple[str, str]]  # (source, "same" | "differs"): verified date vs response date

    def count(self, outcome: str, source: str | None = None) -> int:
        """How many verdicts have `outcome` (of `source` only, when given)."""
        return sum(
            1
            for v in self.verdicts
            if v.outcome == outcome and (source is None or v.source == source)
        )


def official_bodies(world_path: Path) -> dict[str, tuple[list[tuple[str, bytes]], set[str]]]:
    """For each official source in data/sources.json: (url, body) of its world responses, and
    the response dates (YYYY-MM-DD)."""
    world = json.loads(world_path.read_text())
    sources = json.loads((ROOT / "data" / "sources.json").read_text())
    out: dict[str, tuple[list[tuple[str, bytes]], set[str]]] = {}
    for name, spec in sources.items():
        if not spec["official_for"]:
            continue
        bodies, dates = [], set()
        for resp in world["responses"]:
            if resp["url"] in spec["urls"] and resp.get("status") == 200 and resp.get("file"):
                bodies.append((resp["url"], (world_path.parent / resp["file"]).read_bytes()))
                dates.add(str(resp.get("date", ""))[:10])
        out[name] = (bodies, dates)
    return out


def recheck(database: str, world_path: Path) -> Report:
    """Re-check the verified values of the catalog at `database` (sqlite:///PATH) against the
    official responses of the replay world at `world_path`."""
    path = database.removeprefix("sqlite:///")
    if database == path or not Path(path).exists():
        raise SystemExit(f"recheck: {database}: not an existing SQLite catalog (sqlite:///PATH)")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    values = con.execute(
        "select id, route, model, kind, component, unit, dimensions, value, verified_by, "
        "verified_at from catalog_values where verified_by is not null and valid_to is null"
    ).fetchall()
    raw_names: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for row in con.execute(
        "select source, route, model, kind, component, unit, dimensions, source_model "
        "from observations where source_model is not null"
    ):
        raw_names[tuple(row[:7])].add(row[7])
    con.close()
    responses = official_bodies(world_path)
    readings = {
        name: READERS[name](bodies) for name, (bodies, _) in responses.items() if name in READERS
    }
    verdicts: list[Verdict] = []
    dates: Counter[tuple[str, str]] = Counter()
    for (
        value_id,
        route,
        model,
        kind,
        component,
        unit,
        dimensions,
        value,
        source,
        verified_at,
    ) in values:
        label = f"{route}/{model} {kind} {component} [{dimensions}] {unit}"
        catalog_value = Decimal(value)
        day = str(verified_at)[:10]
        dates[(source, "same" if day in responses.get(source, ([], set()))[1] else "differs")] += 1
        reading = readings.get(source)
        if reading is None:
            verdicts.append(
                Verdict(
                    value_id,
                    source,
                    label,
                    catalog_value,
                    "not_located",
                    "no independent reader for this source",
                )
            )
            continue
        names = raw_names.get((source, route, model, kind, component, unit, dimensions), set())
        d = dims_of(dimensions)
        found: list[Statement] = []
        for name in names:
            raw = (
                f"{name.split('/', 1)[0]}/{az_residue(name.split('/', 1)[1])}"
                if source == "azure"
                else name
            )
            found += reading.statements.get((raw, kind, component, unit, d), [])
        if any(s.value == catalog_value for s in found):
            verdicts.append(
                Verdict(value_id, source, label, catalog_value, "agrees", found[0].where)
            )
        elif found:
            stated = "; ".join(f"{s.value.normalize():f} at {s.where}" for s in found)
            verdicts.append(Verdict(value_id, source, label, catalog_value, "contradicts", stated))
        elif not names:
            verdicts.append(
                Verdict(
                    value_id,
                    source,
                    label,
                    catalog_value,
                    "not_located",
                    "no observation names the raw record",
                )
            )
        elif not any(
            (f"{n.split('/', 1)[0]}/{az_residue(n.split('/', 1)[1])}" if source == "azure" else n)
            in reading.models
            for n in names
        ):
            verdicts.append(
                Verdict(
                    value_id,
                    source,
                    label,
                    catalog_value,
                    "not_located",
                    "raw record not found by the reader",
                )
            )
        else:
            verdicts.append(
                Verdict(
                    value_id,
                    source,
                    label,
                    catalog_value,
                    "not_located",
                    f"record found, field not read ({kind} {component} {unit} [{dimensions}])",
                )
            )
    return Report(verdicts, dates)


def main(argv: list[str]) -> int:
    """Re-check the catalog SQLITE_URL against the world WORLD_JSON (`argv`) and print the counts
    per source, the contradictions and the values not located by reason. Returns 0, 2 for bad
    arguments or a missing world file, 1 for input that cannot be read."""
    if len(argv) != 2:
        print("usage: recheck_verified.py SQLITE_URL WORLD_JSON", file=sys.stderr)
        return 2
    world = Path(argv[1])
    if not world.is_file():
        print(f"recheck: {world}: no such world file", file=sys.stderr)
        return 2
    try:
        report = recheck(argv[0], world)
    except (OSError, ValueError, KeyError, sqlite3.Error) as error:
        print(f"recheck: {argv[0]} / {world}: unreadable input ({error!r})", file=sys.stderr)
        return 1
    sources = sorted({v.source for v in report.verdicts})
    print(f"{'source':<16}{'verified':>9}{'agrees':>8}{'contra':>8}{'not-loc':>9}{'date=resp':>10}")
    for s in sources:
        n = sum(1 for v in report.verdicts if v.source == s)
        print(
            f"{s:<16}{n:>9}{report.count('agrees', s):>8}{report.count('contradicts', s):>8}"
            f"{report.count('not_located', s):>9}{report.dates[(s, 'same')]:>10}"
        )
    total = len(report.verdicts)
    nl = report.count("not_located")
    print(
        f"{'total':<16}{total:>9}{report.count('agrees'):>8}{report.count('contradicts'):>8}"
        f"{nl:>9}   not-located share {nl / total:.2%}"
        if total
        else "no verified values"
    )
    print("\ncontradictions:")
    for v in report.verdicts:
        if v.outcome == "contradicts":
            print(f"  {v.field}: catalog {v.value} / response states {v.reason}")
    print("\nnot located, by source and reason:")
    reasons = Counter(
        (v.source, re.sub(r" \(.*\)$", "", v.reason))
        for v in report.verdicts
        if v.outcome == "not_located"
    )
    for (s, reason), n in sorted(reasons.items()):
        examples = [
            v.field
            for v in report.verdicts
            if v.outcome == "not_located" and v.source == s and v.reason.startswith(reason)
        ][:3]
        print(f"  {s}: {reason}: {n}  e.g. {'; '.join(examples)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
