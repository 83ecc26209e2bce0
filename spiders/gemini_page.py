"""Google's Gemini Developer API pricing page, https://ai.google.dev/gemini-api/docs/pricing
(route `google`).

Recorded as Markdown (Google devsite's own export, or a reader service's); the HTML page reads
the same way through the one table reader (spiders/tables.py).

The page is a section per model: a heading ("Gemini 2.5 Pro"), the model ids as code right below
it (`gemini-2.5-pro`, or several: `imagen-4.0-generate-001`,`imagen-4.0-fast-generate-001`),
then one table per service tier under "Standard" / "Batch" headings (one untitled table for
models with a single tier). Each table's rows are prices ("Input price", "Output price
(including thinking tokens)", "Context caching price", ...) with a Free Tier and a Paid Tier
column; only the Paid Tier column is read (the free tier is a quota, not a price), in the unit
its header states ("Paid Tier, per 1M tokens in USD" / "per Image" / "per second"), or its row's
label ("Input price (per 1M tokens)"); a label in another unit than its column's header is
unit-ambiguous.

A paid cell can state several prices, each qualified by what follows it, or, where the cell
opens with a prompt size and names none after its last price, by what precedes it ("prompts <=
200k tokens: $1.25; prompts > 200k tokens: $2.50"):

- "$1.25, prompts <= 200k tokens $2.50, prompts > 200k tokens" → the base price and
  context_above=200000;
- "$0.30 (text / image / video) $1.00 (audio)" → one price per modality;
- "... $4.50 / 1,000,000 tokens per hour (storage price)" → cache_storage per 1M tokens per hour;
- "$0.039 per image", "$0.134 per 1K/2K image" → output per image (size 1k, 2k as the page
  names them); "1,500 RPD (free), then $35 / 1,000 grounded prompts" → web_search per 1K
  queries (the free allowance is not a price).
- "Not available" is no price; "Free of charge" in the paid column is 0.

Rows: Input/Output price → input/output; Context caching price → cache_read; Context caching
(storage) → cache_storage; Image generation pricing and "<model> image price" (Imagen) → output,
modality image; "<model> video ... price" (Veo) → output, modality video; Grounding with Google
Search → web_search; "Used to improve our products" states no price. Any other row that states a
price (Grounding with Google Maps, Live API, Tuning) is Uninterpretable, as is a price marked
"Coming soon".

A section with several model ids picks the row's model by the word that tells the ids apart
("Imagen 4 Fast image price" → imagen-4.0-fast-generate-001; "Standard" → the id without one).
A section without ids is named by its heading if the heading carries a version ("Gemma 3" →
gemma-3). A section whose heading names a word none of its ids does ("Gemini 2.5 Flash" above
`gemini-2.5-pro`) holds another model's ids: its rows are Uninterpretable ("model unknown").
Rows of a table under no model heading are Uninterpretable ("no model named"), and so
are rows of a model section that holds more than one table without a tier heading: its headings
were lost (a reader-service capture drops most of them), and the table may be another model's;
and so are rows of a model section holding two tables of one tier (a model's heading moved below
its tables, or lost: its tables fall under the model above, whose prices they are not).
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from itertools import pairwise, takewhile
from typing import Any, NamedTuple

from schemas.fetch import MODEL_UNKNOWN_RULE, NO_MODEL_NAMED_RULE, Normalized, Uninterpretable
from schemas.field import Dims
from schemas.records import Draft
from schemas.vocab import Component, Dim, Unit
from spiders._drafts import DraftCollector, collect
from spiders.parsing import Page
from spiders.tables import (
    NOTED_RULE,
    TOKEN_COUNT,
    Price,
    Section,
    Table,
    check_aligned,
    context_above,
    find_prices,
    heading_unit,
    price_tables,
    price_terms,
    record_of,
    rescales,
    stated_unit,
    strip_footnotes,
    token_count,
    unit_of,
    where,
)

ROUTE = "google"
AMBIGUOUS_RULE = "unit-ambiguous"  # catalog/plausibility.py's name for it
TIERS = frozenset({"standard", "batch", "flex", "priority"})
ID = re.compile(r"^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)+$")
ID_SEPARATORS = re.compile(r"[\s,]+")
WORDS = re.compile(r"[a-z0-9.]+")
MODALITIES = ("text", "image", "audio", "video")
PARENTHESES = re.compile(r"\(([^)]*)\)")
ABOVE = re.compile(
    r"prompts?\s*(>=|≥|>|at least|over|above)\s*" + TOKEN_COUNT + r"\s*([km])?", re.I
)
# A qualifier naming a prompt size, and the base one ("prompts <= 200k tokens").
PROMPT_SIZE = re.compile(r"\bprompts?\b.*\d", re.I)
AT_MOST = re.compile(r"prompts?\s*(?:\\?<=|≤|<|up to|under|below)\s*\d", re.I)
SIZES = re.compile(r"\b(\d+k)\b", re.I)
NO_PRICE = frozenset({"", "-", "not available", "n/a"})
FREE = frozenset({"free of charge", "free"})


class Row(NamedTuple):
    """What a row's label prices: its component, and the modality (image, video) where the label
    names one."""

    component: Component
    modality: str | None = None


def parse(body: bytes, url: str) -> Page:
    """Every row of every price table on the Gemini API pricing page (Markdown export or HTML) as
    row records (spiders/tables.py `record_of`, route `google`), each carrying its model section's
    ids (`model_ids`) and the note after them, its service tier heading (`tier`, None for none) and
    how many tables of its section share its tier or have none: a Page of those records, no further
    pages, and the page's heading that names its ids more closely than its own, where one
    does (`closer_heading`). Raises Unparsable for an empty or cut body, or a page with no price
    tables."""
    tables = price_tables(body)
    untiered = Counter(_model_section(t) for t in tables if _table_tier(t) is None)
    per_tier = Counter((_model_section(t), _table_tier(t)) for t in tables)
    headings = {s.title for t in tables if (s := _model_section(t)) is not None}
    records: list[dict[str, Any]] = []
    for table in tables:
        key = _model_section(table)
        ids, note = _models(key)
        heading = key.title if key is not None else ""
        extra: dict[str, Any] = {
            "route": ROUTE,
            "url": url,
            "model_ids": ids,
            "model_note": note,
            "model_heading": heading,
            "closer_heading": _closer_heading(heading, ids, headings),
            "tier": _table_tier(table),
            "untiered_tables": untiered[key],
            "tier_tables": per_tier[key, _table_tier(table)],
        }
        for number, row in enumerate(table.rows):
            records.append(record_of(table, number, row, **extra))
    return Page(records)


def _model_section(table: Table) -> Section | None:
    """The innermost heading above the table that is not a tier heading: the model's section."""
    for section in reversed(table.sections):
        if section.title.strip().casefold() not in TIERS:
            return section
    return None


def _models(section: Section | None) -> tuple[list[str], str]:
    """The model ids the first line under a model's heading that opens with ids names, and the
    note written after them ("New" in "`gemini-2.5-flash-preview-09-2025` New"; "" for ids
    alone). A heading names no id: a section without an id line prices no model (its heading
    read as an id named another model: "Gemini 2.5 Flash Preview" for gemini-2.5-flash-preview,
    an older model than the section's gemini-2.5-flash-preview-09-2025)."""
    if section is None:
        return [], ""
    for text in section.lead:
        tokens = [t for t in ID_SEPARATORS.split(text) if t]
        ids = list(takewhile(ID.match, tokens))
        if ids:
            return ids, " ".join(tokens[len(ids) :])
    return [], ""


_HEADING_WORD = re.compile(r"[a-z0-9][a-z0-9.]*")
_LINKING_WORDS = frozenset({"and", "or", "with", "for", "the", "of", "new"})


def _heading_words(heading: str) -> list[str]:
    """A model heading's words that can name a model: a parenthesis ("(Live API)"), a linking
    word ("and") and what is no word (an emoji) name nothing."""
    words = _HEADING_WORD.findall(re.sub(r"\([^)]*\)", " ", heading.casefold()))
    return [word for word in words if word not in _LINKING_WORDS]


def _closer_heading(heading: str, ids: list[str], headings: set[str]) -> str:
    """Another model heading of the page each of whose words one of `ids` names, and more of
    them than `heading` has ('' for none): the id is that section's model, its id line swapped
    or copied into this section ("Gemini 2.5 Flash" above `gemini-2.5-flash-lite`, where the
    page's "Gemini 2.5 Flash-Lite" names it whole). `_unnamed_words` finds the other way round,
    a heading naming a word its ids do not."""
    own = len(_heading_words(heading))
    for model in ids:
        for other in sorted(headings - {heading}):
            words = _heading_words(other)
            if len(words) > own and not _unnamed_words(other, [model]):
                return other
    return ""


def _unnamed_words(heading: str, ids: list[str]) -> list[str]:
    """The words of a model section's heading that none of its ids names ("flash" of "Gemini
    2.5 Flash" above `gemini-2.5-pro`: a fault probe's id line copied from another section put
    Flash's audio and image prices on 2.5 Pro); none for a section without ids. A parenthesis
    ("(Live API)"), a linking word ("and") and what is no word (an emoji) name nothing; a
    version is named by any release of it ("Veo 3" by `veo-3.0-generate-001`), and a word by
    its abbreviation ("Experimental" by `gemini-2.0-flash-thinking-exp-01-21`)."""
    if not ids:
        return []
    named = {part for model in ids for part in re.split(r"[-_]", model.casefold()) if part}
    return [
        word for word in _heading_words(heading) if not any(_names(part, word) for part in named)
    ]


def _names(part: str, word: str) -> bool:
    """Whether an id's part names a heading's word: itself, a release of a version ("3.0" of
    "3"), or an abbreviation of three letters or more ("exp" of "experimental")."""
    return (
        part == word
        or part.startswith(f"{word}.")
        or (len(part) >= 3 and part.isalpha() and word.startswith(part))
    )


TIERS_INVERTED_RULE = "context tiers inverted"
_ABOVE = Dim.CONTEXT_ABOVE.value


def _tiers_inverted(drafts: Normalized) -> str:
    """Why a cell's drafts hold a price for prompts above a size below the price for shorter
    prompts of the same field ('' when they do not): the first such tier, named with both."""
    below: dict[tuple[Component, str], list[Draft]] = {}
    for draft in drafts:
        tierless = draft.dimensions.without(_ABOVE).key
        below.setdefault((draft.component, tierless), []).append(draft)
    for found in below.values():
        ordered = sorted(found, key=lambda d: int(d.dimensions.get(_ABOVE, "0")))
        for shorter, longer in pairwise(ordered):
            if longer.value < shorter.value:
                above = longer.dimensions[_ABOVE]
                return (
                    f"its {longer.component.value} price above {above} tokens, {longer.value}, "
                    f"is below the one for shorter prompts, {shorter.value}: which is the base "
                    "price is a guess"
                )
    return ""


def _table_tier(table: Table) -> str | None:
    for title in reversed(table.titles):
        if title.strip().casefold() in TIERS:
            return title.strip().casefold()
    for label in reversed(table.labels):
        if label.strip().casefold() in TIERS:
            return label.strip().casefold()
    return None


def normalize(record: dict[str, Any]) -> Normalized:
    """One row's Paid Tier cell as drafts of route `google`: each price it states, qualified by what
    follows it (prompt size, modality, storage, image size), for the model its section and label
    name, in the unit its column heading or its label states, with the table's service tier. "Not
    available" is no drafts; a row of no known label that states no price is none either. A later
    price of the cell that cannot be read is quarantined alone. Raises Uninterpretable for the whole
    row when it is misaligned, has no paid-tier column, an unknown label beside a price, no one
    model, a note beside the model's id, a heading naming another model than its ids, an unknown
    tier (its section has several untiered tables or
    two of one tier), a unit that is missing or disagrees with its column's, or a first price it
    cannot read (not USD, marked coming soon, with terms beside it)."""
    rid, text = record["record"], record["text"]
    check_aligned(record)
    header = [h.casefold() for h in record["header"]]
    paid = next((i for i, h in enumerate(header) if h.startswith("paid")), None)
    if paid is None or paid >= len(record["cells"]):
        raise Uninterpretable(rid, "no paid-tier column", text)
    label = strip_footnotes(record["cells"][0])
    cell = strip_footnotes(record["cells"][paid])
    if cell.casefold() in NO_PRICE:
        return Normalized()
    try:
        find_prices(cell)
    except ValueError as exc:  # struck through, a range, a bound, a decimal comma
        raise Uninterpretable(rid, "not a price", f"{exc}: {text}") from exc
    row = _row(label)
    if row is None:
        if not find_prices(cell) and cell.casefold() not in FREE:
            return Normalized()
        raise Uninterpretable(rid, "unknown row", text)
    model = _model(record, label)
    if model is None:
        raise Uninterpretable(rid, NO_MODEL_NAMED_RULE, f"{where(record)}: {text}")
    if note := record.get("model_note"):
        raise Uninterpretable(rid, NOTED_RULE, f"{note!r} beside the model's id: {text}")
    heading = record.get("model_heading", "")
    if unnamed := _unnamed_words(heading, record["model_ids"]):
        raise Uninterpretable(
            rid,
            MODEL_UNKNOWN_RULE,
            f"the heading {heading!r} names {', '.join(unnamed)}, which its ids "
            f"{', '.join(record['model_ids'])} do not: another model's: {text}",
        )
    if closer := record.get("closer_heading"):
        raise Uninterpretable(
            rid,
            MODEL_UNKNOWN_RULE,
            f"its ids {', '.join(record['model_ids'])} are named whole by the heading "
            f"{closer!r}, more closely than by their own, {heading!r}: another model's: {text}",
        )
    if record["tier"] is None and record["untiered_tables"] > 1:
        raise Uninterpretable(
            rid, "tier unknown", f"{where(record)} has several tables without a tier: {text}"
        )
    if record.get("tier_tables", 1) > 1:
        raise Uninterpretable(
            rid,
            MODEL_UNKNOWN_RULE,
            f"{where(record)} has {record['tier_tables']} tables of the {record['tier']} tier: "
            f"one is another model's, its heading moved or lost: {text}",
        )
    unit = _unit(rid, record["header"][paid], label, text)
    context = _Context(record, model, label, row, unit, record["tier"] or "standard")
    return context.drafts(cell)


def _unit(rid: str, heading: str, label: str, text: str) -> tuple[Unit, Decimal]:
    """The unit of a row's paid-tier prices: what the column's heading states ("Paid Tier, per
    1M tokens in USD"), or the row's label ("Input price (per 1M tokens)"). Where both state
    one they must agree: a label in another unit than its column says two prices, and which
    the page means is a guess (unit-ambiguous)."""
    in_heading = stated_unit([heading])
    _, per = heading_unit(label)
    in_label = unit_of(per) if per else None
    if per and in_label is None:
        raise Uninterpretable(rid, "unknown unit", f"{label}: {text}")
    if in_heading is not None and in_label is not None and in_heading != in_label:
        raise Uninterpretable(rid, AMBIGUOUS_RULE, f"{heading} / {label}: {text}")
    found = in_label or in_heading
    if found is None:
        raise Uninterpretable(rid, "no unit stated", f"{heading}: {text}")
    return found


def names(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The model a row prices (spiders/parsing.py), read from its section and label as
    `normalize` reads it; none where they name no one model."""
    model = _model(record, strip_footnotes(record["cells"][0]))
    return [(ROUTE, model)] if model else []


def _row(label: str) -> Row | None:
    text = label.casefold()
    if text.startswith("input price"):
        return Row(Component.INPUT)
    if text.startswith("output price"):
        return Row(Component.OUTPUT)
    if text.startswith("context caching price"):
        return Row(Component.CACHE_READ)
    if text.startswith("context caching (storage)"):
        return Row(Component.CACHE_STORAGE)
    if text.startswith("image generation pric"):
        return Row(Component.OUTPUT, "image")
    if text.startswith("grounding with google search"):
        return Row(Component.WEB_SEARCH)
    if text.endswith("image price"):
        return Row(Component.OUTPUT, "image")
    if "video" in text and "price" in text:
        return Row(Component.OUTPUT, "video")
    return None


def _model(record: dict[str, Any], label: str) -> str | None:
    ids: list[str] = record["model_ids"]
    if not ids:
        return None
    if len(ids) == 1:
        return ids[0]
    words = set(WORDS.findall(label.casefold()))
    parts = [set(i.split("-")) for i in ids]
    common = set.intersection(*parts)
    named = [i for i, p in zip(ids, parts, strict=True) if (p - common) & words]
    if len(named) == 1:
        return named[0]
    base = [i for i, p in zip(ids, parts, strict=True) if not p - common]
    if not named and "standard" in words and len(base) == 1:
        return base[0]
    return None


class _Context:
    """What every price in one row shares, and how one cell's prices become drafts."""

    def __init__(
        self,
        record: dict[str, Any],
        model: str,
        label: str,
        row: Row,
        unit: tuple[Unit, Decimal],
        tier: str,
    ) -> None:
        self.record = record
        self.model = model
        self.label = label
        self.row = row
        self.unit = unit
        self.tier = tier

    def fail(self, rule: str, detail: str) -> Uninterpretable:
        return Uninterpretable(self.record["record"], rule, f"{detail}: {self.record['text']}")

    def drafts(self, cell: str) -> Normalized:
        """The cell's prices. One qualified by a prompt size this reader cannot place
        ("$2.50, prompts 200k+") is quarantined alone: read without a tier it would be a
        second base price, and the cell's base price (its first) is kept. A prompt size whose
        amount is no money ("Free, prompts <= 200k tokens $4.00, prompts > 200k tokens", or
        "2.00, ...") is quarantined alone too, the other tiers read (a fault round: it was
        dropped with no problem reported, the page `ok`). A cell whose price for longer prompts
        is below its price for shorter ones ("$2.50, prompts <= 200k tokens; $1.25, prompts >
        200k tokens") is read as nothing (TIERS_INVERTED_RULE, the whole row): which of its
        numbers is the base price is a guess (a fault probe: the tier was set aside and the base
        price, the long prompts' one, proposed as a change and entered verified on a first
        load)."""
        prices = find_prices(cell)
        if not prices:
            if cell.casefold() in FREE:
                return collect(
                    self.record["record"], self._drafts(Price(Decimal(0), "USD", ""), "", cell)
                )
            raise self.fail("not a price", repr(cell))
        if "coming soon" in cell.casefold():
            raise self.fail("not in effect", "a price marked coming soon")
        read = self._prices(prices, cell)
        if inverted := _tiers_inverted(read):
            raise self.fail(TIERS_INVERTED_RULE, inverted)
        return read

    def _prices(self, prices: list[Price], cell: str) -> Normalized:
        """The drafts of a cell's prices (`drafts`), each prompt size's with its tier."""
        out = DraftCollector(self.record["record"])
        lead = cell[: prices[0].start].strip(" ,;")
        if PROMPT_SIZE.search(lead) and not PROMPT_SIZE.search(cell[prices[-1].end :]):
            return self._sizes_first(prices, cell)
        if PROMPT_SIZE.search(lead):  # a prompt size's price written as no money: its tier
            with out.reading(f"{self.label} [{lead}]"):
                raise self.fail("not a price", f"{lead!r} states no price for its prompt size")
        for index, (price, nxt) in enumerate(zip(prices, [*prices[1:], None], strict=True)):
            qualifier = cell[price.end : nxt.start if nxt else len(cell)]
            if index == 0:
                drafts = self._drafts(price, qualifier, cell)
            else:
                with out.reading(f"{self.label} [{cell[price.start : price.end]}]"):
                    if PROMPT_SIZE.search(qualifier) and not (
                        ABOVE.search(qualifier) or AT_MOST.search(qualifier)
                    ):
                        raise self.fail("context tier unknown", repr(cell))
                    drafts = self._drafts(price, qualifier, cell)
            for draft in drafts:
                out.put(draft)
        return out.result()

    def _sizes_first(self, prices: list[Price], cell: str) -> Normalized:
        """A cell that names each prompt size before its price ("prompts <= 200k tokens: $1.25;
        prompts > 200k tokens: $2.50"): each price is qualified by the text since the price
        before it. A price with no prompt size before it is one of no tier, qualified by what
        follows it (the storage price after the tiers: "... $4.50 / 1,000,000 tokens per hour
        (storage price)"), unless that names a prompt size: then it, or one whose prompt size
        this reader cannot place, is quarantined alone, the others read."""
        out = DraftCollector(self.record["record"])
        since = [0, *(price.end for price in prices[:-1])]
        until = [*(price.start for price in prices[1:]), len(cell)]
        for price, start, end in zip(prices, since, until, strict=True):
            qualifier = cell[start : price.start]
            with out.reading(f"{self.label} [{cell[price.start : price.end]}]"):
                if not PROMPT_SIZE.search(qualifier):
                    qualifier = cell[price.end : end]
                    if PROMPT_SIZE.search(qualifier):
                        raise self.fail("context tier unknown", repr(cell))
                elif not (ABOVE.search(qualifier) or AT_MOST.search(qualifier)):
                    raise self.fail("context tier unknown", repr(cell))
                for draft in self._drafts(price, qualifier, cell):
                    out.put(draft)
        return out.result()

    def _drafts(self, price: Price, qualifier: str, cell: str) -> list[Draft]:
        if price.currency != "USD":
            raise self.fail("not USD", repr(cell))
        lowered = qualifier.casefold()
        if terms := price_terms(cell[: price.start], qualifier):
            raise self.fail("not a price", f"a price with its terms beside it: {terms!r}")
        if "input:" in lowered or "output:" in lowered:
            raise self.fail("several components in one price", repr(cell))
        component = self.row.component
        unit, factor = self.unit
        if price.per:
            stated = unit_of(price.per)
            if stated is None:
                raise self.fail("unknown unit", repr(cell))
            if rescales(stated, self.unit):
                raise self.fail(AMBIGUOUS_RULE, f"{cell!r} counts in another unit than its column")
            unit, factor = stated
        if unit is Unit.PER_1M_TOKENS_PER_HOUR or "storage" in lowered:
            if component not in (Component.CACHE_READ, Component.CACHE_STORAGE):
                raise self.fail("storage price in a row that is not caching", repr(cell))
            component, unit = Component.CACHE_STORAGE, Unit.PER_1M_TOKENS_PER_HOUR
        dims: dict[str, str] = {Dim.SERVICE_TIER: self.tier}
        if above := ABOVE.search(qualifier):
            number = token_count(above.group(2), above.group(3))
            dims[Dim.CONTEXT_ABOVE] = context_above(above.group(1), number)
        modalities = self._modalities(qualifier, unit)
        sizes = [s.lower() for s in SIZES.findall(price.per)] if unit is Unit.PER_IMAGE else []
        evidence = f"{where(self.record)}: {self.model} | {self.label} | {cell}"
        return [
            Draft(
                route=ROUTE,
                source_model=self.model,
                component=component,
                unit=unit,
                dimensions=Dims.of(_with(dims, modality, size)),
                value=price.amount * factor,
                evidence=evidence,
                record=self.record["record"],
            )
            for modality in modalities
            for size in sizes or [None]
        ]

    def _modalities(self, qualifier: str, unit: Unit) -> list[str | None]:
        named: list[str] = []
        for inside in PARENTHESES.findall(qualifier):
            named += [m for m in MODALITIES if m in WORDS.findall(inside.casefold())]
        if named:
            return list(dict.fromkeys(named))
        if self.row.modality:
            return [self.row.modality]
        if unit is Unit.PER_IMAGE and self.row.component is Component.OUTPUT:
            return ["image"]
        return [None]


def _with(dims: dict[str, str], modality: str | None, size: str | None) -> dict[str, str]:
    out = dict(dims)
    if modality:
        out[Dim.MODALITY] = modality
    if size:
        out[Dim.SIZE] = size
    return out
