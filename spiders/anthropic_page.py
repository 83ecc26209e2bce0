"""Anthropic's pricing page (route `anthropic`).

Served as Markdown by Anthropic's own endpoint (https://platform.claude.com/docs/en/about-claude/
pricing.md: MDX tags such as <Note> kept, relative links); the HTML page reads the same way
through the one table reader (spiders/tables.py). The models overview page's price table reads
the same way too. Every row of a table that states money is a record; tables of token counts
(tool use overhead) are not price tables.

How the page is read:

- The model table's columns: "Base Input Tokens" → input; "5m Cache Writes" → cache_write with
  cache_ttl=5m; "1h Cache Writes" → cache_write, cache_ttl=1h; "Cache Hits & Refreshes" →
  cache_read; "Output Tokens" → output. "Batch input" / "Batch output", or any column under a
  heading naming batch ("Batch processing") → service_tier=batch.
  Cells are "$3 / MTok" (USD per 1M tokens); a heading may state the unit instead ("Base Input
  Tokens (per 1K tokens)" over "$0.003"): a cell, or the text around the table, in another unit
  than its heading is unit-ambiguous. A cache write of another lifetime ("30m Cache
  Writes") is no lifetime the vocabulary has: that column is quarantined, never read as the
  lifetime-less (so default, 5-minute) write.
- The long-context table names no model: its models are the ones the text above it names ("When
  using Claude Sonnet 4 or Sonnet 4.5 ..."), its columns are prompt-size tiers ("> 200K input
  tokens" → context_above=200000) and its cells say what they price ("Input: $6 / MTok"). The
  "≤ 200K" column restates the base prices of the model table and is not emitted again (the
  same field would be stated twice); a row whose "≤ 200K" cell states another price than the
  model table's base for a model it names (the two tier headings swapped over their cells, a
  typo) is quarantined whole ("contradicts the model table"): which of its cells is the tier
  is a guess, and the other column read as the tier would enter the base price above 200K. A
  heading that names a prompt size neither way ("200K+ input tokens") is a tier this reader
  cannot place: its cells are quarantined, never read as base prices.
- Model names: "Claude Sonnet 4.5" → claude-sonnet-4-5, "Claude Opus 4.1" → claude-opus-4-1;
  before version 4 the API puts the version first: "Claude Sonnet 3.7" → claude-3-7-sonnet,
  "Claude Haiku 3" → claude-3-haiku. A name without "Claude" ("Opus 4.5") is the same model.
  "(deprecated)" notes are dropped from the name.
- A table without a Model column whose text names no model is Uninterpretable, with the row's
  text; so is a row without any header (a table split in two by a banner: tables.py
  `check_headed`, which also marks the listing incomplete), whatever the text above it names.
  A cell that is not one USD price, or of a column this reader does not know, is quarantined
  by its column alone (with the row's text): the row's other prices are read.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, NamedTuple

from schemas.fetch import NO_MODEL_NAMED_RULE, Normalized, Uninterpretable
from schemas.field import Dims
from schemas.records import Draft
from schemas.vocab import Component, Dim, Unit
from spiders._drafts import DraftCollector
from spiders.parsing import Page
from spiders.tables import (
    NOTED_RULE,
    SEVERAL_MODELS_RULE,
    TOKEN_COUNT,
    Price,
    check_aligned,
    check_headed,
    context_above,
    framing_unit,
    headerless,
    heading_unit,
    joined_names,
    name_and_note,
    parse_price,
    rescales,
    row_records,
    strip_footnotes,
    token_count,
    unit_of,
    where,
)

ROUTE = "anthropic"
AMBIGUOUS_RULE = "unit-ambiguous"  # catalog/plausibility.py's name for it
# "Claude Sonnet 4.5", and the order the page wrote before Claude 4: "Claude 3.5 Haiku"; the
# family's name alone is the same model ("Opus 4.5": a fault round's page shortened its names)
NAME = re.compile(
    r"^(?:claude\s+)?(?:(?P<family>opus|sonnet|haiku)\s+(?P<major>\d+)(?:\.(?P<minor>\d+))?"
    r"|(?P<major2>\d+)(?:\.(?P<minor2>\d+))?\s+(?P<family2>opus|sonnet|haiku))$",
    re.I,
)
MENTION = re.compile(r"\b(?:claude\s+)?(opus|sonnet|haiku)\s+(\d+(?:\.\d+)?)\b", re.I)
PARENTHESES = re.compile(r"\([^)]*\)")
NOT_NAME = re.compile(r"[^a-z0-9.]+")
ABOVE = re.compile(r"(>=|≥|>|at least|over|above|exceed\w*)\s*" + TOKEN_COUNT + r"\s*([km])?", re.I)
# A heading that names a count of tokens, prompts or context: a prompt-size tier of some kind.
SIZED = re.compile(
    r"\d.*\b(?:tokens?|prompts?|context)\b|\b(?:tokens?|prompts?|context)\b.*\d", re.I
)
UP_TO = re.compile(r"(?:≤|<=|<|up to|under|below)\s*\d", re.I)
TTL = re.compile(r"\b(5\s*m|5[- ]?min\w*|1\s*h|1[- ]?hour)\b", re.I)
# Any lifetime a heading names ("30m", "2 hours"): one that is not TTL's is none the
# vocabulary has, and the write is not the lifetime-less (so 5-minute) one either.
LIFETIME = re.compile(r"\b\d+(?:\.\d+)?\s*[- ]?(?:m(?!\s*tok)|min\w*|h|hr|hours?|d|days?)\b", re.I)
BATCH = re.compile(r"\bbatch\b", re.I)


def parse(body: bytes, url: str) -> Page:
    """Every row of every table on Anthropic's pricing page (the Markdown export or the HTML page,
    `url` the address it answered from) that states money, as row records of the one table reader
    (spiders/tables.py `record_of`, route `anthropic`): a Page of those records, no further pages.
    Raises Unparsable for an empty or cut body, or a page with no price tables. A row of the
    long-context table whose "≤ 200K" cell states another base price than the model table
    states for a model it names carries that contradiction (`CONTRADICTS`, see `normalize`)."""
    records = row_records(body, url, ROUTE)
    _mark_contradicted_bases(records)
    return Page(records)


CONTRADICTS = "contradicts"  # a record's key: why its base prices contradict the model table's
CONTRADICTS_RULE = "contradicts the model table"


def _base_prices(record: dict[str, Any]) -> dict[tuple[str, Component], set[tuple[Decimal, str]]]:
    """(model, component) → {(amount, its "per ...")} of the standard, untiered input and output
    prices a row of a table with a Model column states; nothing for any other row, nor for one
    `normalize` refuses whole."""
    found: dict[tuple[str, Component], set[tuple[Decimal, str]]] = {}
    try:  # a row `normalize` refuses whole (misaligned, headerless) states no base price
        check_headed(record)
        check_aligned(record)
    except Uninterpretable:
        return found
    if len(record["header"]) != len(record["cells"]):
        return found
    header = [h.strip() for h in record["header"]]
    lowered = [h.casefold() for h in header]
    if "model" not in lowered or any(BATCH.search(s["title"]) for s in record["sections"]):
        return found
    for heading, cell in zip(lowered, record["cells"], strict=True):
        component = column_component(heading)
        if component not in (Component.INPUT, Component.OUTPUT) or SIZED.search(heading):
            continue
        if "batch" in heading:
            continue
        price = _stated_price(cell)
        if price is None:
            continue
        for model, _ in _models(record):
            found.setdefault((model, component), set()).add((price.amount, price.per))
    return found


def _stated_price(cell: str) -> Price | None:
    """The price a cell states, None for one it states none of or cannot be read as one (a
    cell `normalize` quarantines on its own)."""
    try:
        return parse_price(cell)
    except ValueError:
        return None


def _mark_contradicted_bases(records: list[dict[str, Any]]) -> None:
    """Mark each long-context row (no Model column) whose "≤ 200K" cell ("Input: $3 / MTok")
    states, for a model the text above it names, another price than the model table's base
    price of that component in the same unit: the tier headings swapped over their cells, or a
    typo. Its cells cannot be told apart from each other's tier, so none is read (`normalize`)."""
    bases: dict[tuple[str, Component], set[tuple[Decimal, str]]] = {}
    for record in records:
        for key, prices in _base_prices(record).items():
            bases.setdefault(key, set()).update(prices)
    for record in records:
        if headerless(record) or "model" in [h.strip().casefold() for h in record["header"]]:
            continue
        for heading, cell in zip(record["header"], record["cells"], strict=False):
            if not UP_TO.search(heading) or ABOVE.search(heading):
                continue
            price = _stated_price(cell)
            if price is None:
                continue
            component = column_component(strip_footnotes(cell)[: price.start].casefold())
            if component not in (Component.INPUT, Component.OUTPUT):
                continue
            for model, name in _models(record):
                stated = {
                    amount for amount, per in bases.get((model, component), ()) if per == price.per
                }
                if stated and price.amount not in stated:
                    record[CONTRADICTS] = (
                        f"{heading.strip()}: {cell.strip()!r} for {name}, whose model table "
                        f"states {', '.join(str(a) for a in sorted(stated))}"
                    )


def names(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The models a row names (spiders/parsing.py): its Model cell, or the models the text
    above a table without one names."""
    return [(ROUTE, model) for model, _ in _models(record)]


def _models(record: dict[str, Any]) -> list[tuple[str, str]]:
    """(model id, name as the page writes it) of each model a row prices: none for a row
    without a header (`check_headed`: the text above its part of the table is no text of it)."""
    if headerless(record):
        return []
    lowered = [h.strip().casefold() for h in record["header"]]
    if "model" in lowered:
        name = strip_footnotes(record["cells"][lowered.index("model")])
        return [(model_id(part), part) for part in joined_names(name) or [name] if part]
    return _mentioned(record)


def normalize(record: dict[str, Any]) -> Normalized:
    """One table row of the pricing page as drafts (route `anthropic`, USD per 1M tokens unless the
    row's cell, heading or framing text states another unit): one price per readable cell for each
    model the row names (its Model cell, or the models the text above a model-less long-context
    table names), with cache lifetime, batch tier and context tier from the heading. A cell that
    cannot be read is quarantined by its heading alone. Raises Uninterpretable for the whole row
    when it has no header, is misaligned with its header, names no model or several in one cell, or
    carries a note beside the model's name."""
    rid, text = record["record"], record["text"]
    check_headed(record)
    check_aligned(record)
    header = [h.strip() for h in record["header"]]
    models = _models(record)
    if not models:
        raise Uninterpretable(rid, NO_MODEL_NAMED_RULE, text)
    if contradiction := record.get(CONTRADICTS):
        raise Uninterpretable(rid, CONTRADICTS_RULE, f"{contradiction}: {text}")
    lowered = [h.casefold() for h in header]
    if "model" in lowered:
        name = strip_footnotes(record["cells"][lowered.index("model")])
        if joined_names(name):
            raise Uninterpretable(rid, SEVERAL_MODELS_RULE, f"no one model's prices: {text}")
        if note := noted(name):
            raise Uninterpretable(rid, NOTED_RULE, f"{note!r} beside the model's name: {text}")
    out = DraftCollector(rid)
    for heading, cell in zip(header, record["cells"], strict=False):
        if heading.casefold() == "model":
            continue
        # One cell that cannot be read (a column this reader does not know, words where a price
        # goes, another currency, no unit) is quarantined by its heading alone: the columns are
        # read by heading, so the row's other prices still mean what they say.
        with out.reading(heading):
            for column in _columns(record, heading, cell):
                for model, name in models:
                    out.put(_draft(record, column, model, name, heading, cell))
    return out.result()


class _Column(NamedTuple):
    component: Component
    dims: dict[str, str]
    price: Price
    per: str = ""  # the "per ..." its heading ends with ("Base Input Tokens (per 1K tokens)")


def _columns(record: dict[str, Any], heading: str, cell: str) -> list[_Column]:
    """What one cell states: nothing, or one price with its component and dimensions."""
    rid, text = record["record"], record["text"]
    try:
        price = parse_price(cell)
    except ValueError as exc:
        raise Uninterpretable(rid, "not a price", f"{heading}: {cell!r} in row: {text}") from exc
    if price is None:
        return []
    if price.currency != "USD":
        raise Uninterpretable(rid, "not USD", f"{heading}: {cell!r} in row: {text}")
    lowered = heading.casefold()
    dims: dict[str, str] = {}
    if above := ABOVE.search(heading):
        number = token_count(above.group(2), above.group(3))
        dims[Dim.CONTEXT_ABOVE] = context_above(above.group(1), number)
        lowered = strip_footnotes(cell)[: price.start].casefold()
    elif UP_TO.search(heading):
        return []
    elif SIZED.search(heading_unit(heading)[0]):
        # a prompt size this reader cannot place ("200K+ input tokens", "128K-1M context"):
        # read as a column of its own, its cells ("Input: $6 / MTok") would be base prices
        raise Uninterpretable(rid, "context tier unknown", f"{heading}: {cell!r} in row: {text}")
    if "batch" in lowered or any(BATCH.search(s["title"]) for s in record["sections"]):
        # the column ("Batch input") or the section's heading ("Batch processing") says so: a
        # batch table whose columns lost the word would otherwise state standard prices
        dims[Dim.SERVICE_TIER] = "batch"
    component = column_component(lowered)
    if component is None:
        raise Uninterpretable(rid, "unknown column", f"{heading}: {cell!r} in row: {text}")
    if component is Component.CACHE_WRITE and (ttl := TTL.search(lowered)):
        dims[Dim.CACHE_TTL] = "5m" if ttl.group(1).startswith("5") else "1h"
    elif component is Component.CACHE_WRITE and LIFETIME.search(lowered):
        raise Uninterpretable(rid, "unknown cache lifetime", f"{heading}: {cell!r} in row: {text}")
    return [_Column(component, dims, price, heading_unit(heading)[1])]


def column_component(text: str) -> Component | None:
    """The component a lowercased column heading names ("5m cache writes" → cache_write,
    "cache hits & refreshes" → cache_read, "base input tokens" → input), None for none."""
    if "cache write" in text:
        return Component.CACHE_WRITE
    if "cache hit" in text or "cache read" in text:
        return Component.CACHE_READ
    if "input" in text:
        return Component.INPUT
    if "output" in text:
        return Component.OUTPUT
    return None


def _draft(
    record: dict[str, Any], column: _Column, model: str, name: str, heading: str, cell: str
) -> Draft:
    unit, factor = _unit(record, column, heading, cell)
    return Draft(
        route=ROUTE,
        source_model=model,
        component=column.component,
        unit=unit,
        dimensions=Dims.of(column.dims),
        value=column.price.amount * factor,
        evidence=f"{where(record)}: {name} | {heading} = {cell}",
        record=record["record"],
    )


def _unit(record: dict[str, Any], column: _Column, heading: str, cell: str) -> tuple[Unit, Decimal]:
    """The cell's own "per ..." ("$3 / MTok"), else its heading's ("Base Input Tokens (per 1K
    tokens)"), else the text around the table's. A heading's unit is stated for each of its
    cells: a cell in another unit, or prose in another where the cell states none, is
    unit-ambiguous (which one the page means is a guess), as is a cell counting the prose's
    measure in another count ("$5 / 1K tokens" under "Prices per 1M tokens.")."""
    rid, text = record["record"], record["text"]
    where_ = f"{heading}: {cell!r} in row: {text}"
    in_heading = unit_of(column.per) if column.per else None
    if column.per and in_heading is None:
        raise Uninterpretable(rid, "unknown unit", where_)
    if column.price.per:
        stated = unit_of(column.price.per)
        if stated is None:
            raise Uninterpretable(rid, "unknown unit", where_)
        if in_heading is not None and stated != in_heading:
            raise Uninterpretable(rid, AMBIGUOUS_RULE, f"the heading states another unit: {where_}")
        if rescales(stated, _around(record, where_)):
            raise Uninterpretable(rid, AMBIGUOUS_RULE, f"the text states another unit: {where_}")
        return stated
    around = _around(record, where_)
    if in_heading is not None:
        if around is not None and around != in_heading:
            raise Uninterpretable(rid, AMBIGUOUS_RULE, f"the text states another unit: {where_}")
        return in_heading
    if around is None:
        raise Uninterpretable(rid, "no unit stated", where_)
    return around


def _around(record: dict[str, Any], where_: str) -> tuple[Unit, Decimal] | None:
    """The unit the text around the table states (`framing_unit`): unit-ambiguous where its
    prose and headings disagree."""
    try:
        return framing_unit(record)
    except ValueError as exc:
        raise Uninterpretable(record["record"], AMBIGUOUS_RULE, f"{exc}: {where_}") from exc


def _mentioned(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The models the text right above a model-less table names, in order, once each."""
    found: dict[str, str] = {}
    for label in record["labels"]:
        for family, version in MENTION.findall(label):
            name = f"Claude {family.title()} {version}"
            found.setdefault(model_id(name), name)
    return list(found.items())


def model_id(name: str) -> str:
    """The page's model name as the API's id ("Claude Sonnet 4.5" and "Claude 3.5 Haiku" →
    claude-sonnet-4-5, claude-3-5-haiku); the note after a name (`noted`) left out."""
    clean = " ".join(PARENTHESES.sub("", name).split())
    opening, _ = name_and_note(clean, NAME)
    match = NAME.match(opening)
    if match is None:
        return NOT_NAME.sub("-", clean.casefold()).strip("-")
    family = (match["family"] or match["family2"]).lower()
    major, minor = match["major"] or match["major2"], match["minor"] or match["minor2"]
    version = f"{major}-{minor}" if minor else major
    return f"claude-{family}-{version}" if int(major) >= 4 else f"claude-{version}-{family}"


def noted(name: str) -> str:
    """What a Model cell writes after the model's name ("New" in "Claude Opus 4.5 New"), its
    parentheses left out as `model_id` leaves them ("Claude Opus 3 (deprecated)"): "" for a
    name alone or one this page's grammar does not read (`NAME`)."""
    opening, note = name_and_note(" ".join(PARENTHESES.sub("", name).split()), NAME)
    return note if opening else ""
