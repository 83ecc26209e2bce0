"""Azure Retail Prices API, Foundry Models meters (route `azure`).

`GET https://prices.azure.com/api/retail/prices?api-version=2023-01-01-preview&$filter=serviceName
eq 'Foundry Models' and armRegionName eq '<region>' and priceType eq 'Consumption'`. Before the
2025 rename the same meters were served as serviceName 'Cognitive Services'.

Quirks of the source, and how they are read:

- Envelope `{BillingCurrency, CustomerEntityId, CustomerEntityType, Items[<=1000], NextPageLink,
  Count}`; pages are chained by `NextPageLink` (null on the last page). `Count` is the number of
  Items on the page: a body whose Count disagrees is truncated or rebuilt, so Unparsable.
- The API answers its `$filter` exactly: every item of a page states the values the URL's
  `field eq 'value'` clauses ask for (`off_query`). A page holding an item that states another
  (another region's meters, or the pre-rename 'Cognitive Services' ones: a cache or a mirror
  answering another query, or an old copy of every region) is no answer to its URL: Unparsable,
  whatever its other items say.
- Every item is one meter in one region: `retailPrice` USD per `unitOfMeasure`, read by the
  meter's measure word. Tokens: "1K" (older "... Tokens") or "1M" (newer "... 1M Tokens") ->
  usd_per_1m_tokens. Images: "100" (DALL-E 3) or "1K" (Flux) -> usd_per_image, output unless a
  direction says otherwise. Megapixel: "1" -> usd_per_pixel (/10^6). Pages: "1K" ->
  usd_per_page. Search (rerank): "1K" -> usd_per_1k_queries (component request). Second (Sora 2,
  unit "1") and Video ("1 Second") -> usd_per_second, video output. Unit: "1 Hour" or "1/Hour"
  -> usd_per_hour, direction required. The unit is authoritative; a meter whose name carries a
  count ("1M Tokens") in another unit contradicts itself and is reported, as is a token meter
  named without its count ("... Tokens", every one of them "1K" in the recordings) in another
  unit (a meter relabelled "1M" at its per-1K price read 1/1000 of it), and any other unit.
- `meterName` is `skuName` plus a measure word ("Tokens", "1M Tokens", "Images", "Pages",
  "Megapixel", "Search", "Second", "Video", "Unit"...). Everything about the price is encoded in
  `skuName` with inconsistent abbreviations, read token by token (split on spaces and dashes,
  and glued words such as "realtimePrvwAudInp" or "aud1217" split where a part is a known word):
  deployment scope (glbl/Gl/Glb/global, dzone/DZ/Dz/DZn/DataZone/"Data Zone",
  regnl/rgnl/regn/regional; any other word but the first that abbreviates one of the three, its
  first letter and three letters or more in order, as "Globl"), direction
  (Inp/inp/inpt/in/input, Outp/out/opt/outpt/output),
  caching (cached/cchd/cched/ccchd/cd/Cache/Ch; with Wr a cache write), modality
  (txt/text, img/image, aud/audio), tier (Batch, pp = priority processing, Std = standard),
  context (ShortCo = the base tier; LongCo and Grok's trailing "L" are a long-context tier).
- A modality word is a qualifier only where a recognized word or the end follows it
  ("gpt img 1 mini inp txt glbl": txt); otherwise it belongs to the model's name ("gpt img 1
  mini", "gpt rt aud mini") and is that model's modality when no qualifier says otherwise (the
  audio meters of audio models name no modality: "gpt aud mini Inp" is audio input).
- No scope word (legacy, fine-tuning grader, Phi, MAI, Flux 2 meters) does not mean regional:
  such meters are priced like global in some families and like regional in others, so the
  scope is left unstated. The region is `armRegionName` (Dim.REGION) for data-zone, regional
  and unscoped meters, whose prices differ by region; a global deployment is one price wherever
  it is listed (it routes worldwide), so global meters carry no region and compare with what
  other sources say of the global price.
- Fine-tuned deployments (ft/FT/RFT/Finetuned) are the `variant` fine_tuned
  (fine_tuned_developer with "dev"); model-grader meters are the variant grader. Training,
  hosting, provisioned throughput (PTU), managed compute, tool and storage meters are not per-model
  usage prices in the vocabulary: reported as Uninterpretable, as is a meter without a direction
  (except embeddings, input only, and generated images and video, output only).
- The long-context tier's threshold is not in the meter (the vocabulary needs context_above=N):
  reported. Sora 1 meters are priced per duration band ("1-5s"): reported.
- DALL-E 3 meters name a quality (HD/Std) and a resolution class: LowRes is 1024x1024, HighRes
  is 1024x1792 and 1792x1024 (Azure's pricing page); one draft per size.
- `effectiveStartDate` is the day the meter's price takes effect: each draft carries it, and
  one after the response's date is a scheduled price, not the current one (catalog/schedule.py).
  `effectiveEndDate` (on meters being retired or repriced) is the last day it is in force: a
  price that ended before the response's date is reported, not read as current.
- A meter priced in volume tiers is several items, one per `tierMinimumUnits`; the first tier
  starts at 0 like a flat meter, and its price (often 0, a free allowance) is not the meter's:
  every tier of a meter the listing prices in several is reported (`parse` marks them on one
  page, TIERS, and `link_pages` across the pages of one crawl: a meter's 0 tier on one page
  and its next tier on a NextPageLink page), as is an item of a tier above 0.
- `retailPrice` is read; `unitPrice` restates it (equal on every recorded Consumption meter),
  and a row whose two differ contradicts itself: reported.
- Route: every meter is sold by Azure, so every draft has route "azure", including the
  third-party models Azure sells directly (Grok, DeepSeek, Llama, Mistral...).
- The model is what is left of skuName once the recognized words are removed. Many names are
  bare versions that only the product makes unique ("5.4" in "Azure OpenAI GPT5", "4.3" in
  "Azure Grok Models", "Image 2" in both "Azure OpenAI Media" and "MAI Models"), so
  source_model is "<productName>/<name>"; its last segment is the name the alias table
  (data/aliases/azure.json) or the general rule maps.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urljoin, urlsplit

from schemas.fetch import PAGES_SHIFTED_RULE, Normalized, Uninterpretable, Unparsable
from schemas.field import Dims
from schemas.records import Draft
from schemas.vocab import Component, Dim, Unit
from spiders._drafts import collect
from spiders.parsing import (
    MILLION,
    Page,
    load_json,
    refuse_an_answered_error,
    to_decimal,
    without_exponent,
)

ROUTE = "azure"
# The key `parse` adds to an item of a meter priced in several volume tiers (`_with_tiers`):
# no key of the API's (its keys are camelCase words).
TIERS = "ratecard:tierMinimums"
# The key of the record `link_pages` adds beside an item a NextPageLink page repeats from an
# earlier page of the same listing: the page it was first on (1-based).
REPEATED = "ratecard:repeatsPage"
ONE = Decimal(1)
THOUSAND = Decimal(1000)

# Slots a word of skuName can fill.
SCOPE = "scope"
DIRECTION = "direction"
CACHE = "cache"
WRITE = "write"
MODALITY = "modality"
TIER = "tier"
CONTEXT = "context"
VARIANT = "variant"
GRADER = "grader"
DEVELOPER = "developer"
QUALITY = "quality"
SIZE_CLASS = "size_class"
NOT_USAGE = "not_usage"

WORDS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("glbl", "gl", "glb", "global"), (SCOPE, "global")),
    **dict.fromkeys(("dzone", "dz", "dzn", "datazone"), (SCOPE, "data_zone")),
    **dict.fromkeys(("regnl", "rgnl", "regn", "regional"), (SCOPE, "regional")),
    **dict.fromkeys(("inp", "inpt", "in", "input"), (DIRECTION, "input")),
    **dict.fromkeys(("outp", "out", "opt", "outpt", "output"), (DIRECTION, "output")),
    **dict.fromkeys(("cached", "cchd", "cched", "ccchd", "cd", "cache", "ch"), (CACHE, "cache")),
    **dict.fromkeys(("wr", "write"), (WRITE, "write")),
    **dict.fromkeys(("txt", "text"), (MODALITY, "text")),
    **dict.fromkeys(("img", "image"), (MODALITY, "image")),
    **dict.fromkeys(("aud", "audio"), (MODALITY, "audio")),
    "batch": (TIER, "batch"),
    "pp": (TIER, "priority"),
    "shortco": (CONTEXT, "base"),
    **dict.fromkeys(("longco", "l"), (CONTEXT, "long")),
    **dict.fromkeys(("ft", "rft", "finetuned"), (VARIANT, "fine_tuned")),
    **dict.fromkeys(("grader", "grdr"), (GRADER, "grader")),
    **dict.fromkeys(("training", "trng", "tkn"), (NOT_USAGE, "fine-tuning training")),
    **dict.fromkeys(("hosting", "hstng"), (NOT_USAGE, "deployment hosting")),
    "provisioned": (NOT_USAGE, "provisioned throughput"),
    "mngd": (NOT_USAGE, "managed compute"),
}
# Words whose meaning depends on the rest of the meter: "Std" is the standard tier on token
# meters and the standard quality on image meters; the others only qualify next to their partner.
STD = "std"
DEV = "dev"  # "dev ft": the Developer deployment of a fine-tuned model
GRADER_MODEL_WORDS = frozenset({"model", "mdl", "mdel"})  # "model grader", "mdl grdr"
QUALITY_WORDS = {"hd": "hd", STD: "standard"}
# DALL-E 3's resolution classes, as Azure's pricing page lists them.
DALLE3_SIZES = {"lowres": ("1024x1024",), "highres": ("1024x1792", "1792x1024")}
EMBEDDING_WORDS = frozenset({"embedding", "embed"})

# A word, or "Data Zone" (and its shortenings "D-Zone", "Dt Zone") written as two: one word.
TOKEN_PATTERN = re.compile(r"data[\s-]*zone|(?<![^\s-])d[a-z]{0,3}[\s-]+zone\b|[^\s-]+", re.I)
PART_PATTERN = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+(?:\.\d+)?")
DURATION_BAND = re.compile(r"\b\d+-\d+s\b")
MEASURE_PATTERN = re.compile(r"^(?:(\d+)([KM]?)\s+)?(\S.*)$")
COUNT_UNIT = re.compile(r"^(\d+)\s*([KM]?)$")
TIME_UNIT = re.compile(r"^(\d+)\s*[/ ]\s*(Hour|Second)$", re.IGNORECASE)
MULTIPLIERS = {"": ONE, "K": THOUSAND, "M": MILLION}


class Measure(NamedTuple):
    """How a measure word is priced: canonical unit, things per canonical unit, defaults."""

    unit: Unit
    scale: Decimal
    time: str | None  # the unitOfMeasure's time, or None for a count
    default: Component | None = None
    modality: str | None = None
    # How many a meter named without a count is priced per (tokens: the older "... Tokens" meters
    # are per 1K, the newer per 1M are named "... 1M Tokens"); None where no naming says.
    unlabelled: Decimal | None = None

    @property
    def per_image(self) -> bool:
        """Whether the measure prices generated images (usd_per_image): such a meter's words are
        read as an image meter's (quality, resolution class)."""
        return self.unit == Unit.PER_IMAGE


MEASURES: dict[str, Measure] = {
    "tokens": Measure(Unit.PER_1M_TOKENS, MILLION, None, unlabelled=THOUSAND),
    "images": Measure(Unit.PER_IMAGE, ONE, None, Component.OUTPUT, "image"),
    "megapixel": Measure(Unit.PER_PIXEL, ONE / MILLION, None, None, "image"),
    "pages": Measure(Unit.PER_PAGE, ONE, None, Component.PAGE),
    "search": Measure(Unit.PER_1K_QUERIES, THOUSAND, None, Component.REQUEST),
    "second": Measure(Unit.PER_SECOND, ONE, None, Component.OUTPUT, "video"),
    "video": Measure(Unit.PER_SECOND, ONE, "second", Component.OUTPUT, "video"),
    "unit": Measure(Unit.PER_HOUR, ONE, "hour"),
}


@dataclass
class Word:
    """One word of a skuName: its text and span in the name, and the slot (scope, direction, cache,
    modality, tier...) and value it was sorted into; no slot while it is part of the model's
    name."""

    text: str
    start: int
    end: int
    slot: str | None = None
    value: str = ""


@dataclass
class Meter:
    """What skuName says, once its words are sorted into slots."""

    sku: str
    model: str
    values: dict[str, str] = field(default_factory=dict)
    name_modality: str | None = None
    quality: str | None = None
    size_class: str | None = None
    embedding: bool = False


def parse(body: bytes, url: str) -> Page:
    """One page of the Azure Retail Prices listing (the Foundry Models meters of one region): its
    `Items` as records, the tiered ones marked by `link_pages`, and `NextPageLink` (resolved against
    `url`) as the one further page, none on the last page. Raises Unparsable for a body that is not
    the envelope (no `Items` list, no `NextPageLink` key, a next link that is no URL), whose `Count`
    disagrees with its items, that bills in another currency than USD (`BillingCurrency`: an
    item's `currencyCode` of USD beside it is no more than a contradiction), or that states an
    error."""
    doc = load_json(body, "azure retail prices")
    refuse_an_answered_error(doc, f"azure retail prices ({url})", entries="Items")
    if not isinstance(doc, dict) or not isinstance(doc.get("Items"), list):
        raise Unparsable(f"azure retail prices ({url}): expected an object with an Items list")
    items = doc["Items"]
    billing = doc.get("BillingCurrency", "USD")  # what every price of the body is billed in
    if not isinstance(billing, str) or billing.strip() != "USD":
        billed = json.dumps(billing, default=str)[:40]
        raise Unparsable(f"azure retail prices ({url}): BillingCurrency={billed}, not USD")
    if "Count" in doc and doc["Count"] != len(items):
        count = doc["Count"]  # a number as written; anything else as the JSON value it is
        shown = count if isinstance(count, Decimal) else json.dumps(count, default=str)
        raise Unparsable(f"azure retail prices ({url}): Count={shown} but {len(items)} Items")
    if off := off_query(items, url):
        raise Unparsable(f"azure retail prices ({url}): {off}")
    if "NextPageLink" not in doc:
        raise Unparsable(f"azure retail prices ({url}): no NextPageLink")
    following = doc["NextPageLink"]
    [records] = link_pages([items])
    if following is None:
        return Page(records=records)
    if not isinstance(following, str) or not following.strip():
        raise Unparsable(f"azure retail prices ({url}): NextPageLink={following!r}")
    return Page(records=records, next_urls=[urljoin(url, following.strip())])


_EQ = re.compile(r"\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def query_clauses(url: str) -> dict[str, str]:
    """The `field eq 'value'` clauses of `url`'s OData `$filter` (percent-decoded, '' unquoted),
    by field: {} when the filter is anything but a conjunction of such clauses (an `or`, a
    parenthesis, another operator), which is not judged."""
    filters = [v for k, v in parse_qsl(urlsplit(url).query) if k == "$filter"]
    if len(filters) != 1:
        return {}
    clauses: dict[str, str] = {}
    for part in _AND.split(filters[0].strip()):
        found = _EQ.fullmatch(part)
        if found is None:
            return {}
        clauses[found[1]] = found[2].replace("''", "'")
    return clauses


def off_query(items: list[Any], url: str) -> str:
    """Why the page's `items` are no answer to `url`'s filter ('' when they are): the items (JSON
    objects) that state a field of one of its `eq` clauses with another value (compared
    trimmed and case-folded; an item silent on the field is not judged, nor is a filter that is
    not a conjunction of `eq` clauses), counted, with the first such value of each field."""
    clauses = query_clauses(url)
    off = 0
    stated: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        wrong = {
            key: str(item[key])
            for key, wanted in clauses.items()
            if key in item and str(item[key]).strip().casefold() != wanted.strip().casefold()
        }
        off += bool(wrong)
        for key, value in wrong.items():
            stated.setdefault(key, value)
    if not off:
        return ""
    asked = " and ".join(f"{k} eq {clauses[k]!r}" for k in stated)
    shown = ", ".join(f"{k}={v!r}" for k, v in stated.items())
    return f"another query's answer: {off} of {len(items)} Items are not {asked} (e.g. {shown})"


def link_pages(pages: list[list[Any]]) -> list[list[Any]]:
    """The items of each page, each item of a meter the pages together price in several volume
    tiers (the same meterId, skuId, region and type at several `tierMinimumUnits`, on one page
    or across the NextPageLink pages of one listing) a copy carrying those tiers' minimums under
    TIERS (sorted): its first tier's `tierMinimumUnits` is 0 like a flat meter's, and read
    alone its price (often 0, a free allowance) would be the meter's. An item of one tier is
    as given (so is one `parse` marked, where no page adds a tier to it).

    An item a later page gives again (the same meter, tier and start date as on an earlier
    page) is read as any repeated statement (the same price once, two prices neither), and a
    record naming it and the page it was first on (REPEATED) follows it: `$skip` paging over a
    set that changed between requests shifts items onto the next page, and as many may slip
    past both, so the listing is not complete (PAGES_SHIFTED_RULE)."""
    tiers: dict[tuple[str, ...], set[str]] = {}
    first_page: dict[tuple[str, ...], int] = {}
    repeated: dict[tuple[int, int], int] = {}  # (page, index) -> the page it was first on
    for number, items in enumerate(pages, 1):
        for index, entry in enumerate(items):
            if isinstance(entry, dict):
                minimum = str(entry.get("tierMinimumUnits", 0))
                tiers.setdefault(_meter_key(entry), set()).add(minimum)
                item = (*_meter_key(entry), minimum, str(entry.get("effectiveStartDate")))
                seen = first_page.setdefault(item, number)
                if seen != number:
                    repeated[(number, index)] = seen
    linked: list[list[Any]] = []
    for number, items in enumerate(pages, 1):
        page: list[Any] = []
        for index, entry in enumerate(items):
            minimums = tiers[_meter_key(entry)] if isinstance(entry, dict) else set()
            page.append({**entry, TIERS: sorted(minimums)} if len(minimums) > 1 else entry)
            if (number, index) in repeated:
                named = {k: entry.get(k) for k in ("meterName", "armRegionName")}
                page.append({**named, REPEATED: repeated[(number, index)]})
        linked.append(page)
    return linked


def _meter_key(entry: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(entry.get(k)) for k in ("meterId", "skuId", "armRegionName", "type"))


def normalize(record: dict[str, Any]) -> Normalized:
    """One meter item (one region) as drafts of route `azure`: its `retailPrice` in USD per its
    `unitOfMeasure`, converted to the measure's canonical unit (per 1M tokens, per image, per pixel,
    per page, per 1K queries, per second or per hour), source_model `<productName>/<model>`,
    dimensions from the skuName's words and the region, and `effectiveStartDate` /
    `effectiveEndDate` as each draft's effective_from / effective_until; one draft per size for
    DALL-E 3 resolution classes. Raises Uninterpretable for the whole meter when it is not a USD
    Consumption price of one volume tier, is no per-model usage price (training, hosting, PTU...),
    states two prices, cannot be read, or was given again on a later page (PAGES_SHIFTED_RULE);
    TypeError for an item that is not an object."""
    if not isinstance(record, dict):  # that entry's problem alone (catalog/normalize.py)
        raise TypeError(f"an entry of Items is not an object: {str(record)[:80]}")
    meter_name = _required(record, "meterName", "?")
    region = _text(record, "armRegionName", meter_name)
    record_id = f"{meter_name} [{region}]" if region else meter_name
    if REPEATED in record:
        raise Uninterpretable(
            record_id,
            PAGES_SHIFTED_RULE,
            f"given again after page {record[REPEATED]} of the listing: its pages shifted "
            "while it was paged, and items may have slipped past them",
        )
    _check_offer(record, record_id)
    sku = _required(record, "skuName", record_id)
    if not meter_name.startswith(sku):
        raise Uninterpretable(record_id, "meter name", f"does not extend skuName {sku!r}")
    measure_word = meter_name[len(sku) :].strip()
    measure, label = _measure(measure_word)
    meter = read_sku(sku, record_id, image_meter=measure is not None and measure.per_image)
    if measure is None:
        raise Uninterpretable(
            record_id, "not a usage price", f"measure {measure_word!r} is not a per-model unit"
        )
    unit_of_measure = _required(record, "unitOfMeasure", record_id)
    price = _retail_price(record, record_id)
    quantity = _quantity(unit_of_measure, measure, label, record_id)
    component = _component(meter, measure, record_id)
    product = _text(record, "productName", record_id)
    effective = _effective_date(record, "effectiveStartDate", record_id)
    until = _effective_date(record, "effectiveEndDate", record_id)
    evidence = f"{meter_name} ({product}, {region}): retailPrice {price} USD per {unit_of_measure}"
    drafts = [
        Draft(
            route=ROUTE,
            source_model=f"{product}/{meter.model}" if product else meter.model,
            component=component,
            unit=measure.unit,
            dimensions=Dims.of(dims),
            value=_plain(price / quantity * measure.scale),
            evidence=evidence,
            record=record_id,
            effective_from=effective,
            effective_until=until,
        )
        for dims in _dimension_sets(meter, measure, region, record_id)
    ]
    return collect(record_id, drafts)


def names(record: Any) -> list[tuple[str, str]]:
    """The model a meter prices (spiders/parsing.py), read as `normalize` reads it: what is
    left of skuName once its words are sorted. None for a meter that is not a per-model usage
    price (training, hosting, provisioned throughput...: its measure or a word of its skuName
    says so), which lists no model; raises where `normalize` cannot read the name."""
    if not isinstance(record, dict):
        return []
    meter_name = _required(record, "meterName", "?")
    sku = _required(record, "skuName", meter_name)
    if not meter_name.startswith(sku):
        return []
    measure, _ = _measure(meter_name[len(sku) :].strip())
    if measure is None:
        return []
    meter = read_sku(sku, meter_name, image_meter=measure.per_image)
    product = _text(record, "productName", meter_name)
    return [(ROUTE, f"{product}/{meter.model}" if product else meter.model)]


def _effective_date(record: dict[str, Any], key: str, record_id: str) -> date | None:
    """`effectiveStartDate` (ISO 8601, e.g. `2026-07-01T00:00:00Z`): the day the meter's price
    takes effect; after the response's date it is a scheduled price (catalog/schedule.py).
    `effectiveEndDate` (`2025-08-31T23:59:00Z`): the last day it is in force; before the
    response's date it is an ended price, not a current one (catalog/normalize.py). Absent is
    None; present but not a date is uninterpretable."""
    text = record.get(key)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).date()
    except ValueError as exc:
        raise Uninterpretable(record_id, "not a date", f"{key}={text!r}") from exc


def _retail_price(record: dict[str, Any], record_id: str) -> Decimal:
    """`retailPrice`, the meter's pay-as-you-go price. The API states it twice, as
    `retailPrice` and `unitPrice`, equal on every recorded Consumption meter; where a row
    states them differently it contradicts itself (a discounted or another offer's price in
    one of them) and neither is read."""
    price = to_decimal(record.get("retailPrice"), record_id, "retailPrice")
    if "unitPrice" in record:
        unit_price = to_decimal(record["unitPrice"], record_id, "unitPrice")
        if unit_price != price:
            raise Uninterpretable(
                record_id,
                "conflicting values",
                f"retailPrice={price} but unitPrice={unit_price}: which is the price is unknown",
            )
    return price


def _text(record: dict[str, Any], key: str, record_id: str) -> str:
    value = record.get(key, "")
    if not isinstance(value, str):
        raise Uninterpretable(record_id, "not text", f"{key}={value!r}")
    return value.strip()


def _required(record: dict[str, Any], key: str, record_id: str) -> str:
    value = _text(record, key, record_id)
    if not value:
        raise Uninterpretable(record_id, "missing field", f"no {key}")
    return value


def _plain(value: Decimal) -> Decimal:
    """The same number without trailing zeros, and never in exponent form."""
    return without_exponent(value.normalize())


def _check_offer(record: dict[str, Any], record_id: str) -> None:
    # read trimmed, as every text field is (the API has padded its text with whitespace)
    currency = _text(record, "currencyCode", record_id)
    if currency != "USD":
        raise Uninterpretable(record_id, "currency", f"currencyCode={currency!r}, not USD")
    price_type = _text(record, "type", record_id)
    if price_type != "Consumption":
        raise Uninterpretable(record_id, "price type", f"type={price_type!r}, not Consumption")
    tier_minimum = to_decimal(record.get("tierMinimumUnits", 0), record_id, "tierMinimumUnits")
    if record.get(TIERS):
        raise Uninterpretable(
            record_id,
            "volume tier",
            f"tierMinimumUnits={tier_minimum}: one tier of a meter the page prices in tiers "
            f"from {', '.join(record[TIERS])} units",
        )
    if tier_minimum != 0:
        raise Uninterpretable(
            record_id, "volume tier", f"tierMinimumUnits={tier_minimum}: a volume-tiered price"
        )


def read_sku(sku: str, record_id: str, image_meter: bool = False) -> Meter:
    """Sort the words of a skuName into slots; what is left is the model's name."""
    if DURATION_BAND.search(sku):
        raise Uninterpretable(
            record_id, "duration band", f"{sku!r}: priced per video duration band"
        )
    words = _words(sku)
    _resolve_conditional(words, image_meter)
    _resolve_scope_spellings(words)
    _resolve_modality(words)
    values: dict[str, str] = {}
    for word in words:
        if word.slot is None or word.slot in (QUALITY, SIZE_CLASS):
            continue
        known = values.setdefault(word.slot, word.value)
        if known != word.value:
            raise Uninterpretable(
                record_id, f"conflicting {word.slot}", f"{sku!r}: {known} and {word.value}"
            )
    if NOT_USAGE in values:
        raise Uninterpretable(record_id, "not a usage price", f"{sku!r}: {values[NOT_USAGE]} meter")
    if values.get(CONTEXT) == "long":
        raise Uninterpretable(
            record_id,
            "context tier threshold",
            f"{sku!r}: a long-context tier whose threshold the meter does not state",
        )
    name_words = [word for word in words if word.slot is None]
    if not name_words:
        raise Uninterpretable(record_id, "no model name", f"{sku!r}")
    return Meter(
        sku=sku,
        model=_rebuild(sku, name_words),
        values=values,
        name_modality=_name_modality(words, sku, record_id),
        quality=_single(words, QUALITY, sku, record_id),
        size_class=_single(words, SIZE_CLASS, sku, record_id),
        embedding=any(word.text.lower() in EMBEDDING_WORDS for word in name_words),
    )


def _words(sku: str) -> list[Word]:
    words: list[Word] = []
    for match in TOKEN_PATTERN.finditer(sku):
        text = match.group()
        key = re.sub(r"[\s-]", "", text.lower())
        parts = list(PART_PATTERN.finditer(text))
        glued = "".join(part.group() for part in parts) == text and len(parts) > 1
        if key not in WORDS and glued and any(p.group().lower() in WORDS for p in parts):
            base = match.start()
            words += [_word(p.group(), base + p.start(), base + p.end()) for p in parts]
        else:
            words.append(_word(text, match.start(), match.end(), key))
    return words


def _word(text: str, start: int, end: int, key: str | None = None) -> Word:
    slot, value = WORDS.get(key or text.lower(), (None, ""))
    return Word(text, start, end, slot, value)


def _resolve_conditional(words: list[Word], image_meter: bool) -> None:
    """Words that qualify only next to a partner, or mean something else on image meters."""
    fine_tuned = any(word.slot == VARIANT for word in words)
    grader = any(word.slot == GRADER for word in words)
    for word in words:
        key = word.text.lower()
        if image_meter and key in QUALITY_WORDS:
            word.slot, word.value = QUALITY, QUALITY_WORDS[key]
        elif image_meter and key in DALLE3_SIZES:
            word.slot, word.value = SIZE_CLASS, key
        elif key == STD:
            word.slot, word.value = TIER, "standard"
        elif key == DEV and fine_tuned:
            word.slot, word.value = DEVELOPER, "developer"
        elif key in GRADER_MODEL_WORDS and grader:
            word.slot, word.value = GRADER, "grader"


def _resolve_modality(words: list[Word]) -> None:
    """A modality word followed by a name word belongs to the name ("gpt aud mini")."""
    for index, word in enumerate(words):
        if word.slot != MODALITY:
            continue
        following = words[index + 1] if index + 1 < len(words) else None
        if following is not None and following.slot in (None, MODALITY):
            word.slot = None


# The scope words as Azure spells them in full: a new abbreviation of one is read as it
# (`_resolve_scope_spellings`).
SCOPE_WORDS = {"global": "global", "datazone": "data_zone", "regional": "regional"}
SPELLING_LETTERS = 3  # the fewest letters a new abbreviation of a scope word is read from


def _resolve_scope_spellings(words: list[Word]) -> None:
    """A word no slot takes, not the first (a model's name begins the meter), that abbreviates
    a scope word as Azure abbreviates them (its first letter, then others of the word in order,
    at least SPELLING_LETTERS letters: "Globl", "gbl", "rgnal", "Dtzn") is that scope. Azure
    spells each scope many ways (glbl, Gl, Glb, global; the module docstring) and adds
    spellings: read as a model's name, "gpt-4o-mini-0718-Outp-Globl" made 96 models of 292
    global meters in a fault round, and the real models' global prices vanished for the day."""
    for word in words[1:]:
        if word.slot is not None:
            continue
        text = re.sub(r"[\s-]", "", word.text.lower())
        if len(text) < SPELLING_LETTERS or not text.isalpha():
            continue
        for full, scope in SCOPE_WORDS.items():
            if text[0] == full[0] and _abbreviates(text, full):
                word.slot, word.value = SCOPE, scope
                break


def _abbreviates(short: str, full: str) -> bool:
    """Whether `short`'s letters appear in `full` in the same order."""
    letters = iter(full)
    return all(letter in letters for letter in short)


def _name_modality(words: list[Word], sku: str, record_id: str) -> str | None:
    found = {WORDS[w.text.lower()][1] for w in words if w.slot is None and _is_modality(w)}
    if len(found) > 1:
        raise Uninterpretable(record_id, "ambiguous modality", f"{sku!r}: {sorted(found)}")
    return found.pop() if found else None


def _is_modality(word: Word) -> bool:
    return WORDS.get(word.text.lower(), (None, ""))[0] == MODALITY


def _single(words: list[Word], slot: str, sku: str, record_id: str) -> str | None:
    found = {word.value for word in words if word.slot == slot}
    if len(found) > 1:
        raise Uninterpretable(record_id, f"conflicting {slot}", f"{sku!r}: {sorted(found)}")
    return found.pop() if found else None


def _rebuild(sku: str, name_words: list[Word]) -> str:
    """The name words with their own separators; a gap where words were removed becomes one."""
    text = name_words[0].text
    for previous, word in pairwise(name_words):
        gap = sku[previous.end : word.start]
        if gap.strip(" -") == "":
            text += gap
        else:
            text += "-" if set(re.findall(r"[\s-]", gap)) == {"-"} else " "
        text += word.text
    return text


def _measure(measure_word: str) -> tuple[Measure | None, Decimal | None]:
    """The measure a meter name ends with, and the count it may be labelled with ("1M")."""
    match = MEASURE_PATTERN.match(measure_word)
    if match is None:
        return None, None
    count, multiplier, word = match.groups()
    label = Decimal(count) * MULTIPLIERS[multiplier] if count else None
    return MEASURES.get(word.lower()), label


def _quantity(
    unit_of_measure: str, measure: Measure, label: Decimal | None, record_id: str
) -> Decimal:
    """How many of the measured thing (tokens, images, hours...) one unitOfMeasure is."""
    count = COUNT_UNIT.match(unit_of_measure)
    timed = TIME_UNIT.match(unit_of_measure)
    if count:
        amount, time = Decimal(count.group(1)) * MULTIPLIERS[count.group(2)], None
    elif timed:
        amount, time = Decimal(timed.group(1)), timed.group(2).lower()
    else:
        raise Uninterpretable(record_id, "unknown unit", f"unitOfMeasure={unit_of_measure!r}")
    if time != measure.time or amount <= 0 or label not in (None, amount):
        raise Uninterpretable(
            record_id, "unit", f"unitOfMeasure={unit_of_measure!r} does not fit the meter name"
        )
    if label is None and measure.unlabelled not in (None, amount):
        raise Uninterpretable(
            record_id,
            "unit",
            f"unitOfMeasure={unit_of_measure!r} does not fit a meter named without its count "
            f"(such meters are per {measure.unlabelled:,}): the unit is ambiguous",
        )
    return amount


def _component(meter: Meter, measure: Measure, record_id: str) -> Component:
    direction = meter.values.get(DIRECTION)
    if CACHE in meter.values:
        if direction == "output":
            raise Uninterpretable(record_id, "conflicting direction", "a cached output meter")
        return Component.CACHE_WRITE if WRITE in meter.values else Component.CACHE_READ
    if WRITE in meter.values:
        raise Uninterpretable(record_id, "write without cache", f"{meter.sku!r}")
    if direction is not None:
        return Component.INPUT if direction == "input" else Component.OUTPUT
    if measure.default is not None:
        return measure.default
    if measure.unit == Unit.PER_1M_TOKENS and meter.embedding:
        return Component.INPUT
    raise Uninterpretable(record_id, "no direction", f"{meter.sku!r} says neither input nor output")


def _variant(values: dict[str, str]) -> str | None:
    if GRADER in values:
        return "grader"
    if VARIANT not in values:
        return None
    return "fine_tuned_developer" if DEVELOPER in values else "fine_tuned"


def _dimension_sets(
    meter: Meter, measure: Measure, region: str, record_id: str
) -> list[dict[str, str]]:
    dims: dict[str, str] = {}
    for slot, dim in ((SCOPE, Dim.SCOPE), (TIER, Dim.SERVICE_TIER)):
        if slot in meter.values:
            dims[dim] = meter.values[slot]
    variant = _variant(meter.values)
    if variant:
        dims[Dim.VARIANT] = variant
    modality = meter.values.get(MODALITY) or meter.name_modality or measure.modality
    if modality:
        dims[Dim.MODALITY] = modality
    if region and dims.get(Dim.SCOPE) != "global":
        dims[Dim.REGION] = region
    if meter.quality:
        dims[Dim.QUALITY] = meter.quality
    if meter.size_class is None:
        return [dims]
    if "dall-e-3" not in re.sub(r"\s+", "-", meter.model.lower()):
        raise Uninterpretable(
            record_id, "resolution class", f"{meter.size_class!r} names no known sizes here"
        )
    return [{**dims, Dim.SIZE: size} for size in DALLE3_SIZES[meter.size_class]]
