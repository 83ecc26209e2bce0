"""DeepSeek's pricing page, https://api-docs.deepseek.com/quick_start/pricing (route `deepseek`).

A Docusaurus page with one table: the header names the models (`deepseek-chat`,
`deepseek-reasoner`), the rows give limits, features and, under PRICING, "1M INPUT TOKENS (CACHE
HIT)" / "(CACHE MISS)" / "1M OUTPUT TOKENS" with prices in USD per 1M tokens ("The prices listed
below are in units of per 1M tokens."). Recorded as Markdown by a crawler that flattened the
table: rowspans and colspans are gone, so a price row reads "PRICING | 1M INPUT TOKENS (CACHE HIT)
| $0.028" (one price in a table of two models), and markdown-it reads the wrapper "**" as part of
the first header cell. The HTML page reads through the same table reader (spiders/tables.py),
with spans expanded.

How a row is read:

- Rows without money (base URL, context length, features) state no price: []; but a row whose
  label counts tokens ("1M INPUT TOKENS") and whose cells hold a number written as no money
  ("0.42", "USD 0.28"), or words after that label ("Contact sales", "Free"), is a price row
  read as nothing: "not a price", never dropped; "-" or "N/A" there says there is no price.
- The text before the first price says what it prices: cache hit → cache_read, cache miss →
  input, output → output, input → input; "off-peak" / "peak" → time_of_day. Anything else that
  carries a price is Uninterpretable.
- The prices: one under each model column (a spanned cell expanded, or one cell per model), or a
  single price followed by nothing, which the page states for every model (a cell spanning the
  model columns, flattened by the recorder). Any other layout is Uninterpretable, as is a price
  row written with more cells than the header has columns: Markdown keeps only as many, so a
  second model's price beyond them would be lost and the first read as stated for both. A
  price row without any header (the table split in two by a banner: tables.py `check_headed`)
  names no model column: Uninterpretable, and the listing is incomplete; so is one under a
  header that names a model in two columns (one of them is another model's).
- The unit is what the page states for it: the row's label ("1M INPUT TOKENS"), the price's own
  "per ..." and the prose above the table ("in units of per 1M tokens"). Those stated must agree:
  a label in one unit under prose in another ("1K INPUT TOKENS" below "per 1M tokens") is
  unit-ambiguous, and a count the vocabulary has no unit for ("10K INPUT TOKENS") unknown.
- Prices that are not USD (the Chinese page states CNY, "0.2元") are Uninterpretable: no
  exchange rate is guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from schemas.fetch import Normalized, Uninterpretable
from schemas.field import Dims
from schemas.records import Draft
from schemas.vocab import Component, Dim, Unit
from spiders._drafts import collect
from spiders.parsing import Page
from spiders.tables import (
    NOTED_RULE,
    Price,
    check_headed,
    check_whole,
    find_prices,
    framing_unit,
    heading_unit,
    name_and_note,
    no_price,
    parse_price,
    row_records,
    unit_of,
    where,
)

ROUTE = "deepseek"
MODEL = re.compile(r"^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)+$")
AMBIGUOUS_RULE = "unit-ambiguous"  # catalog/plausibility.py's name for it
# The token count a row's label prices ("1M INPUT TOKENS (CACHE HIT)"): a number, with an
# optional K/M, or a word, before "tokens" (optionally "input"/"output" between).
LABEL_COUNT = re.compile(
    r"(?<![\w.,])(?P<count>\d[\d,.]*\s*[km]?|million|thousand)\s+(?:input\s+|output\s+)?tokens?\b",
    re.I,
)
# A label's "per ..." that is a count alone ("per 1K"), and a label that names tokens.
BARE_COUNT = re.compile(r"\d[\d,.]*\s*[km]?|million|thousand", re.I)
TOKENS = re.compile(r"\btokens?\b", re.I)
OFF_PEAK = re.compile(r"\boff[- ]?peak\b", re.I)
PEAK = re.compile(r"\bpeak\b", re.I)


def parse(body: bytes, url: str) -> Page:
    """Every row of every table on DeepSeek's pricing page (the crawler's flattened Markdown or the
    HTML page) that states money, as row records of the one table reader (spiders/tables.py
    `record_of`, route `deepseek`): a Page of those records, no further pages. Raises Unparsable for
    an empty or cut body, or a page with no price tables."""
    return Page(row_records(body, url, ROUTE))


def names(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The models a row's table prices (spiders/parsing.py): the model columns of its header,
    a note beside a column's model id left out ("deepseek-chat (NEW)")."""
    return [(ROUTE, name) for name, _ in map(_noted_column, record["header"]) if name]


def _noted_column(heading: str) -> tuple[str, str]:
    """A header cell as (the model id it opens with, the note after it): ("", ...) for one that
    names no model."""
    return name_and_note(heading.strip(" *"), MODEL)


def normalize(record: dict[str, Any]) -> Normalized:
    """One table row as drafts of route `deepseek`: the price under each model column of the header
    (or one price stated for every model), its component (input, cache_read, output) and time of day
    from the row's label, in the unit the label, the price and the prose above the table agree on
    (per 1M tokens on the recorded page). A row stating no money is no drafts. Raises
    Uninterpretable for the whole row: a price row without money or a readable price, without a
    header or model columns, written wider than its header, with a note beside a model's id or a
    model named twice, of an unknown label, with prices that do not line up with the model columns,
    in several or disagreeing units, or not in USD."""
    rid, text = record["record"], record["text"]
    cells: list[str] = record["cells"]
    try:
        first = next((i for i, cell in enumerate(cells) if find_prices(cell)), None)
    except ValueError as exc:  # struck through, a range, a bound, a decimal comma
        raise Uninterpretable(rid, "not a price", f"{exc}: {text}") from exc
    if first is None:
        counted = [i for i, cell in enumerate(cells) if _label_count(cell)]
        stated = [cell for cell in cells[counted[-1] + 1 :] if cell] if counted else []
        if (stated and not all(map(no_price, stated))) or (
            _label_count(" ".join(cells))
            and any(any(c.isdigit() for c in cell) for cell in cells if not _label_count(cell))
        ):
            raise Uninterpretable(rid, "not a price", f"a price row without money in it: {text}")
        return Normalized()
    check_headed(record)
    check_whole(record)
    header = [h.strip(" *") for h in record["header"]]
    if notes := [note for name, note in map(_noted_column, header) if name and note]:
        raise Uninterpretable(rid, NOTED_RULE, f"{notes[0]!r} beside a model column's id: {text}")
    models = [i for i, name in enumerate(header) if MODEL.match(name)]
    if not models:
        raise Uninterpretable(rid, "no model columns", f"header {header}: {text}")
    named = [header[i] for i in models]
    if len(set(named)) < len(named):  # one column is another model's, its name miswritten
        raise Uninterpretable(rid, "a model named twice", f"header {header}: {text}")
    label = " ".join(cell for cell in cells[:first] if cell)
    prices = _prices(record, cells, first, models)
    component = _component(label)
    if component is None:
        raise Uninterpretable(rid, "unknown row", text)
    units = {_unit(record, label, price) for _, price in prices}
    if len(units) != 1:
        raise Uninterpretable(
            rid, AMBIGUOUS_RULE, f"the row's prices in {len(units)} units: {text}"
        )
    unit, factor = units.pop()
    dims: dict[str, str] = {Dim.TIME_OF_DAY: tod} if (tod := _time_of_day(label)) else {}
    drafts: list[Draft] = []
    for column, price in prices:
        drafts.append(
            Draft(
                route=ROUTE,
                source_model=header[column],
                component=component,
                unit=unit,
                dimensions=Dims.of(dims),
                value=price.amount * factor,
                evidence=f"{where(record)}: {header[column]} | {text}",
                record=rid,
            )
        )
    return collect(rid, drafts)


def _prices(
    record: dict[str, Any], cells: list[str], first: int, models: list[int]
) -> list[tuple[int, Price]]:
    """(model column, price) pairs: one per model column, or one price stated for all."""
    rid, text = record["record"], record["text"]
    read: dict[int, Price] = {}
    for index, cell in enumerate(cells[first:], start=first):
        if not cell:
            continue
        try:
            price = parse_price(cell)
        except ValueError as exc:
            raise Uninterpretable(rid, "not a price", f"{cell!r} in row: {text}") from exc
        if price is not None and price.currency != "USD":
            raise Uninterpretable(rid, "not USD", f"{cell!r} in row: {text}")
        if price is not None:
            read[index] = price
    if set(read) == set(models):
        return sorted(read.items())
    stated = [cell for cell in cells[first:] if cell]
    if len(read) == 1 and len(stated) == 1:
        price = next(iter(read.values()))
        return [(column, price) for column in models]
    raise Uninterpretable(rid, "prices do not line up with the model columns", text)


def _component(label: str) -> Component | None:
    text = label.casefold()
    if "cache hit" in text:
        return Component.CACHE_READ
    if "cache miss" in text or "input" in text:
        return Component.INPUT
    if "output" in text:
        return Component.OUTPUT
    return None


def _unit(record: dict[str, Any], label: str, price: Price) -> tuple[Unit, Decimal]:
    """The unit of one price, from every place the page states one: the row's label ("1M
    INPUT TOKENS"), the price's own "per ..." ("$0.28 / 1M tokens") and the prose above the
    table ("The prices listed below are in units of per 1M tokens."). Each that is stated
    must be readable and all must agree: a label or price in one unit under prose in another
    ("1K INPUT TOKENS" below "per 1M tokens") says two different prices, and which one the
    page means is a guess (AMBIGUOUS_RULE); none stated is "no unit stated"."""
    rid, text = record["record"], record["text"]
    stated: dict[str, tuple[Unit, Decimal]] = {}
    for where_, phrase in (("label", _label_count(label)), ("price", price.per)):
        if phrase:
            read = unit_of(phrase)
            if read is None:
                raise Uninterpretable(rid, "unknown unit", f"{where_} {phrase!r} in row: {text}")
            stated[where_] = read
    try:
        prose = framing_unit(record)
    except ValueError as exc:
        raise Uninterpretable(rid, AMBIGUOUS_RULE, f"{exc}: {text}") from exc
    if prose:
        stated["prose"] = prose
    if not stated:
        raise Uninterpretable(rid, "no unit stated", text)
    if len(set(stated.values())) > 1:
        detail = ", ".join(f"{k}: {u.value} x{f}" for k, (u, f) in stated.items())
        raise Uninterpretable(rid, AMBIGUOUS_RULE, f"units disagree ({detail}): {text}")
    return next(iter(stated.values()))


def _label_count(label: str) -> str:
    """The unit phrase a row's label states ('' when it states none): a count before
    "tokens" ("1M INPUT TOKENS" -> "1M tokens"), or the "per ..." the label ends with ("OUTPUT
    TOKENS (per 1K)" -> "1k tokens": a bare count counts the tokens the label names; any other
    per-phrase as written, for `_unit` to read or report)."""
    found = LABEL_COUNT.search(label)
    if found:
        return f"{found['count']} tokens"
    _, per = heading_unit(label)
    if per and BARE_COUNT.fullmatch(per) and TOKENS.search(label):
        return f"{per} tokens"
    return per


def _time_of_day(label: str) -> str | None:
    if OFF_PEAK.search(label):
        return "off_peak"
    if PEAK.search(label):
        return "peak"
    return None
