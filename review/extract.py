"""Read a fetched page as text and look for claimed values near a model's name. Pure, no I/O.

A page becomes *blocks*: for HTML and Markdown (rendered with markdown-it, then read with
BeautifulSoup) one block per line of text, a table row being one line with its cells joined by
" | "; for JSON one block per object (and per key holding an object), so a value is "near" a
name when they sit in the same record. A claim is found when a block naming the model (or, for
a heading-like line without numbers, the few lines under it) states the claimed value as a
number: "$2.00", "2", "2.0" and "2e0" are all Decimal 2. A token price claimed per 1M tokens is
also found when the page states it per 1K tokens or per token, and the note says so.

A table row is read cell by cell where its header says what a column prices (`column_of`:
"Input", "Cached input", "5m Cache Writes", "Batch output", "Prompt caching Write"), or, where
the header names no component, where the row's label does ("Output price"): a number there
confirms only a claim of that component, and of the service tier or cache lifetime the heading
names (or the tier the label right above the table names: "Batch", "Priority"). Found only in
another component's (or tier's) place, the claim is not found and the note says what the page
stated the value as ("stated as the output price"). In prose, a dollar amount the words next
to it name ("$15/MTok output", "Output: $15") is read as that component's, the same way. JSON,
other numbers of prose and tables whose headings name no component are read as before. A
table that names the model in its header (the models as columns, the components as rows) is
read in the model's column.

Claims are in USD. A number the page writes as another currency's money ("￥4.00", "€2",
"CA$1", "2元", "4.00 CNY") does not state the claim, and neither does a bare number on a page
whose money is written only in other currencies (a table headed "元/百万 tokens" with cells
"2.1"): the note names the currency instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from catalog.identity import general_form
from schemas.field import Dims
from schemas.records import decimal_text
from schemas.vocab import DIMENSION_DEFAULTS, PRICE_UNITS, Dim, Unit
from spiders.anthropic_page import ABOVE, BATCH, TTL, UP_TO, column_component
from spiders.openai_page import COLUMNS, TIERS
from spiders.tables import heading_unit, strip_footnotes

MAX_BLOCK = 4000  # a JSON record longer than this is not "near" anything
FOLLOWING_LINES = 5  # lines read under a heading that names the model
SNIPPET = 300

_NUMBER = re.compile(
    r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])|(?<![\w.])\.\d+"
)
_SEPARATOR = r"[\s\-_.:/]*"
# Money of a currency other than USD, written just before a number ("￥", "€", "CA$", "RMB ")
# or just after it ("元", " CNY"); "$", "US$" and "USD" are the claim's own currency.
_SYMBOLS = {"€": "EUR", "£": "GBP", "¥": "CNY", "￥": "CNY", "元": "CNY", "₹": "INR", "₩": "KRW"}
_CODES = r"CNY|RMB|EUR|GBP|JPY|INR|KRW|AUD|CAD|HKD|SGD|CHF"
_FOREIGN_BEFORE = re.compile(
    rf"(?:(?P<sym>[€£¥￥₹₩])|(?<![A-Za-z])(?P<dollar>(?!US\$)[A-Z]{{1,3}}\$)|\b(?P<code>{_CODES}))\s?$"
)
_FOREIGN_AFTER = re.compile(rf"^\s?(?:(?P<sym>元)|(?P<code>{_CODES})\b)")
_USD = re.compile(r"\$|\bUSD\b")
_ANY_FOREIGN = re.compile(rf"[€£¥￥元₹₩]|(?<![A-Za-z])(?!US\$)[A-Z]{{1,3}}\$|\b(?:{_CODES})\b")
# The words that name what a dollar amount of prose prices, right after it ("$15/MTok output",
# "$3 per million input tokens") or right before it ("Output: $15", "cache writes at $3.75").
_WORD = r"(?P<word>cached input|cache (?:read|write|hit)s?|input|output)"
_DOLLAR_BEFORE = re.compile(r"(?<![A-Za-z])(?:US)?\$\s?$")
_WORD_AFTER = re.compile(
    rf"\s*(?:(?:/|per)\s*(?:1M|M|million|1K|K|thousand)?\s*(?:MTok|tok(?:en)?s?)?\s*)?{_WORD}\b",
    re.IGNORECASE,
)
_WORD_BEFORE = re.compile(
    rf"\b{_WORD}(?:\s+(?:tokens?|price))?\s*(?::|=|-|–|—|\bat\b|\bof\b|\bis\b)?\s*(?:US)?\$\s?$",
    re.IGNORECASE,
)
_ROW_MARK = "\x00"
_MARKED = re.compile(r"\x00(\d+)\x00")
_CACHING = re.compile(r"\bcach(?:ing|ed)\b", re.IGNORECASE)
_COMPONENT_WORDS = re.compile(r"input|output|cach", re.IGNORECASE)


class Row(str):
    """A block that is a table row: its text (cells joined by " | ") with its cells, the
    header in force for it (() when the table has no header row) and the service tier the
    label right above its table names ("Batch", "Standard": openai_page's TIERS; '' if none)."""

    cells: tuple[str, ...]
    header: tuple[str, ...]
    tier: str

    def __new__(cls, cells: tuple[str, ...], header: tuple[str, ...], tier: str = "") -> Row:
        """A row of `cells` (their text joined by " | ", whitespace runs made one space) under
        `header`, below a table labelled `tier` ('' when none)."""
        row = super().__new__(cls, re.sub(r"\s+", " ", " | ".join(cells)).strip())
        row.cells = cells
        row.header = header
        row.tier = tier
        return row


@dataclass(frozen=True)
class Column:
    """What a column heading says its numbers price: a component and the dimensions it names."""

    component: str
    dimensions: dict[str, str]

    def label(self) -> str:
        """As a claim's label writes it: dimensions at their default value left out."""
        stated = Dims.of(self.dimensions).items()
        dims = ", ".join(f"{k}={v}" for k, v in sorted(stated))
        return f"{self.component}{f' [{dims}]' if dims else ''}"

    def states(self, claim: Claim) -> bool:
        """Whether a number in this column can be the claim's: the same component, and each
        dimension the heading names equal to the claim's (its default when the claim states
        none: a "Batch input" column is no standard-tier input)."""
        if claim.component != self.component:
            return False
        for name, value in self.dimensions.items():
            claimed = claim.dimensions.get(name)
            if claimed is None:
                default = DIMENSION_DEFAULTS.get(Dim(name))
                if default is None:
                    continue
                claimed = default
            if claimed != value:
                return False
        return True


def column_of(heading: str) -> Column | None:
    """The component and dimensions a table's column (or a transposed table's row label)
    names, in the words of the official page readers: "Cached input" (spiders/openai_page.py
    COLUMNS), "Base Input Tokens", "5m Cache Writes", "Cache Hits & Refreshes", "Batch input"
    (spiders/anthropic_page.py), "Prompt caching Write". None where the heading names no
    component ("Price", "Paid Tier") or a prompt-size tier ("> 200K input tokens", whose cells
    say what they price): then the column says nothing about what its numbers are."""
    name = heading_unit(strip_footnotes(heading))[0].casefold()
    if not _COMPONENT_WORDS.search(name) or ABOVE.search(name) or UP_TO.search(name):
        return None
    dims: dict[str, str] = {}
    known = COLUMNS.get(name)
    if known is not None:
        component = known.component
    else:
        found = column_component(_CACHING.sub("cache", name))
        if found is None:
            return None
        component = found
    if (known is not None and known.tier) or BATCH.search(name):
        dims[Dim.SERVICE_TIER.value] = "batch"
    if component.value == "cache_write" and (ttl := TTL.search(name)):
        dims[Dim.CACHE_TTL.value] = "5m" if ttl.group(1).startswith("5") else "1h"
    return Column(component.value, dims)


@dataclass(frozen=True)
class Claim:
    """One claimed value: component, unit, dimensions and the value as Decimal in that unit (USD
    for a price)."""

    component: str
    unit: str
    dimensions: dict[str, str]
    value: Decimal

    def label(self) -> str:
        """For people: `input [service_tier=batch] 3 usd_per_1m_tokens`."""
        dims = ", ".join(f"{k}={v}" for k, v in sorted(self.dimensions.items()))
        return (
            f"{self.component}{f' [{dims}]' if dims else ''} {decimal_text(self.value)} {self.unit}"
        )


@dataclass(frozen=True)
class Check:
    """What the page says about one claim."""

    claim: Claim
    found: bool
    snippet: str
    note: str

    def as_json(self) -> dict[str, Any]:
        """The check as a submission's stored outcome writes it (JSON): the claim's component,
        unit, dimensions and value (exact text), whether it was found, the snippet and the note."""
        return {
            "component": self.claim.component,
            "unit": self.claim.unit,
            "dimensions": self.claim.dimensions,
            "value": decimal_text(self.claim.value),
            "found": self.found,
            "snippet": self.snippet,
            "note": self.note,
        }


def page_format(content_type: str, url: str) -> str:
    """html, markdown or json, from the content type (and the URL for plain text)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return "html"
    if kind.endswith("json"):
        return "json"
    if kind in ("text/markdown", "text/x-markdown") or url.split("?")[0].endswith(".md"):
        return "markdown"
    return "text"


def blocks(body: bytes, content_type: str, url: str) -> list[str]:
    """The page as blocks of text in which a value is near a name."""
    text = _decode(body, content_type)
    fmt = page_format(content_type, url)
    if fmt == "json" or (fmt == "text" and text.lstrip()[:1] in ("{", "[")):
        try:
            return list(_json_blocks(json.loads(text)))
        except ValueError:
            pass
    if fmt == "html":
        return _html_lines(text)
    html = MarkdownIt("commonmark").enable("table").render(text)
    return _html_lines(html)


def _decode(body: bytes, content_type: str) -> str:
    match = re.search(r"charset=([\w-]+)", content_type, re.IGNORECASE)
    try:
        return body.decode(match[1] if match else "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _html_lines(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "svg"]):
        tag.decompose()
    rows: list[Row] = []
    for table in soup.find_all("table"):
        header: tuple[str, ...] = ()
        above = table.find_previous(string=lambda text: bool(text.strip()))
        tier = str(above).strip().casefold() if above is not None else ""
        tier = tier if tier in TIERS else ""
        for number, tr in enumerate(table.find_all("tr")):
            cells = tuple(c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"]))
            heads = tr.find_parent("thead") is not None or all(
                c.name == "th" for c in tr.find_all(["th", "td"])
            )
            rows.append(Row(cells, header, tier))
            if number == 0 and heads:
                header = cells
            tr.replace_with(soup.new_string(f"\n{_ROW_MARK}{len(rows) - 1}{_ROW_MARK}\n"))
    text = soup.get_text("\n")
    lines: list[str] = []
    for raw in text.splitlines():
        line = re.sub(r"\s+", " ", raw).strip()
        if marked := _MARKED.fullmatch(line):
            row = rows[int(marked[1])]
            line = row if row else ""
        if line:
            lines.append(line)
    return lines


def _json_blocks(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        whole = json.dumps(data, ensure_ascii=False)
        if len(whole) <= MAX_BLOCK:
            yield whole
        for key, value in data.items():
            if isinstance(value, dict | list):
                keyed = (
                    f"{json.dumps(key, ensure_ascii=False)}: "
                    f"{json.dumps(value, ensure_ascii=False)}"
                )
                if len(keyed) <= MAX_BLOCK:
                    yield keyed
            yield from _json_blocks(value)
    elif isinstance(data, list):
        for value in data:
            yield from _json_blocks(value)


def name_pattern(name: str) -> re.Pattern[str] | None:
    """A pattern for a model name however a page spells it: "claude-sonnet-4-5" finds
    "Claude Sonnet 4.5", and "claude-sonnet-4" does not find "Claude Sonnet 4.5"."""
    tokens = re.findall(r"[a-z]+|\d+", name.lower())
    if not tokens:
        return None
    body = _SEPARATOR.join(re.escape(t) for t in tokens)
    return re.compile(rf"(?<![a-z0-9]){body}(?![\-_.]?[a-z0-9])", re.IGNORECASE)


def name_patterns(*names: str) -> list[re.Pattern[str]]:
    """Patterns for each distinct spelling: as submitted, without a vendor prefix, canonical."""
    spellings = dict.fromkeys(s for n in names if n for s in (n, general_form(n)))
    return [p for p in (name_pattern(s) for s in spellings) if p is not None]


def equivalents(claim: Claim) -> list[tuple[Decimal, str]]:
    """The numbers a page may write for the claimed value, with how it wrote it."""
    values = [(claim.value, "")]
    if claim.unit == Unit.PER_1M_TOKENS.value:
        values += [
            (claim.value / 1000, "stated per 1K tokens"),
            (claim.value / 1_000_000, "stated per token"),
        ]
    return values


def numbers(text: str) -> list[Decimal]:
    """Every number written in `text` (thousands commas dropped, decimals and exponents read), as
    Decimal, in order; a number glued to a letter, digit or dot ("gpt-4o") is not one."""
    found = []
    for match in _NUMBER.finditer(text):
        try:
            found.append(Decimal(match[0].replace(",", "")))
        except InvalidOperation:
            continue
    return found


def amounts(text: str) -> list[tuple[Decimal, str]]:
    """Each number in the text with the currency written at it when that is not USD ("CNY"
    for "￥4.00" and "2元", "CA$" for "CA$1"), else ""."""
    found = []
    for match in _NUMBER.finditer(text):
        try:
            number = Decimal(match[0].replace(",", ""))
        except InvalidOperation:
            continue
        at = _FOREIGN_BEFORE.search(
            text, max(0, match.start() - 8), match.start()
        ) or _FOREIGN_AFTER.match(text, match.end())
        found.append((number, _currency(at[0].strip()) if at else ""))
    return found


def _currency(written: str) -> str:
    written = written.strip()
    if written in _SYMBOLS:
        return _SYMBOLS[written]
    return "CNY" if written == "RMB" else written


def page_currency(page: list[str]) -> str:
    """The currencies a page writes its money in when none of it is USD (", "-joined, e.g.
    "CNY"), else "": on such a page a bare number is not a USD price."""
    text = "\n".join(page)
    if _USD.search(text):
        return ""
    return ", ".join(sorted({_currency(m[0]) for m in _ANY_FOREIGN.finditer(text)}))


def check_claims(page: list[str], names: list[str], claims: list[Claim]) -> list[Check]:
    """For each claim: is its value stated near the model's name, and where. A price claim
    (USD) is not found in a number written as another currency's money, nor in a bare number on
    a page whose money is all in other currencies (`page_currency`). Where a table's heading
    says what a column prices (`column_of`), a number in it states only that component (and
    the dimensions the heading names): the note then says what the claimed value was stated
    as instead ("stated as the output price"). A table whose header names the model (the
    models as columns, the components as rows) is read in the model's column."""
    patterns = name_patterns(*names)
    windows = _innermost(list(_windows(page, patterns)))
    currency = page_currency(page)
    return [_check(claim, windows, currency) for claim in claims]


# A place a number is read from, with what its column says it prices (None: nothing said).
Spot = tuple[str, Column | None]


def _innermost(windows: list[tuple[str, list[Spot]]]) -> list[tuple[str, list[Spot]]]:
    """Drop a window that contains another: a JSON array naming many models is not "near" the
    model just because one of its records is, and a heading's section yields to its own row."""
    shown = [w[0] for w in windows]
    return [w for w in windows if not any(o != w[0] and o in w[0] for o in shown)]


def _blank(text: str, patterns: list[re.Pattern[str]]) -> str:
    """The text with each spelling of the model's name blanked out (its digits are no value)."""
    spans = [m.span() for p in patterns for m in p.finditer(text)]
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _spots(line: str, patterns: list[re.Pattern[str]]) -> list[Spot]:
    """Where a line's numbers are read: each cell of a table row under its column heading (or,
    where the heading names no component, under the row's label: "Output price | Free of
    charge | $10.00" under "| Free Tier | Paid Tier"), or the whole line."""
    if isinstance(line, Row) and len(line.header) == len(line.cells):
        label = line.cells[0] if line.cells and not numbers(line.cells[0]) else ""
        in_row = column_of(label) if label else None
        return [
            (_blank(cell, patterns), _tiered(column_of(heading) or in_row, line.tier))
            for cell, heading in zip(line.cells, line.header, strict=True)
        ]
    return _prose_spots(_blank(line, patterns))


def _prose_spots(text: str) -> list[Spot]:
    """A line of prose: each dollar amount the words right after it ("$15/MTok output", "$3
    per million input tokens") or right before it ("Output: $15") say the component of, on its
    own, with that component (`column_of`); the rest of the line as it is. A bare number is
    never labelled so (its words may count tokens: "200,000 input tokens")."""
    labelled: list[Spot] = []
    rest = text
    for match in _NUMBER.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        if not _DOLLAR_BEFORE.search(before):
            continue
        word = _WORD_AFTER.match(text, match.end()) or _WORD_BEFORE.search(before)
        column = column_of(word["word"]) if word else None
        if column is None:
            continue
        labelled.append((f"${match[0]}", column))
        rest = rest[: match.start()] + " " * (match.end() - match.start()) + rest[match.end() :]
    return [(rest, None), *labelled]


def _tiered(column: Column | None, tier: str) -> Column | None:
    """The column with the service tier its table's label names, where its heading names none."""
    if column is None or not tier or Dim.SERVICE_TIER.value in column.dimensions:
        return column
    return Column(column.component, {**column.dimensions, Dim.SERVICE_TIER.value: tier})


def _windows(page: list[str], patterns: list[re.Pattern[str]]) -> Iterator[tuple[str, list[Spot]]]:
    """(text as shown, places to read numbers from) for each place the model is named."""
    for index, line in enumerate(page):
        if not any(p.search(line) for p in patterns):
            if isinstance(line, Row) and (spots := _transposed(line, patterns)):
                yield " ⏎ ".join([" | ".join(line.header), line]), spots
            continue
        if numbers(_blank(line, patterns)) or index + 1 >= len(page):
            yield line, _spots(line, patterns)
            continue
        following = page[index + 1 : index + 1 + FOLLOWING_LINES]
        spots = [s for part in [line, *following] for s in _spots(part, patterns)]
        yield " ⏎ ".join([line, *following]), spots


def _transposed(row: Row, patterns: list[re.Pattern[str]]) -> list[Spot]:
    """A row of a table whose header names the model in a column (not the first): the
    number in the model's column, what it prices said by the row's label (the cells before
    it). A row stating one number in its last written cell, its other model columns empty or
    labels, states it for every model column (a cell spanning them, flattened by a converter:
    "1M INPUT TOKENS (CACHE MISS) | $0.28 |" under "MODEL | deepseek-chat | deepseek-reasoner")."""
    named = [
        i for i, heading in enumerate(row.header) if i and any(p.search(heading) for p in patterns)
    ]
    if not named or len(row.header) != len(row.cells):
        return []
    column = named[0]
    read = column
    if not numbers(row.cells[column]):
        written = [i for i, cell in enumerate(row.cells) if cell]
        priced = [i for i in written if numbers(row.cells[i])]
        if len(priced) != 1 or priced[0] != written[-1] or priced[0] == 0:
            return []
        read = priced[0]
    label = " ".join(cell for cell in row.cells[:read] if not numbers(cell))
    return [(row.cells[read], column_of(label))]


def _check(claim: Claim, windows: list[tuple[str, list[Spot]]], page_money: str) -> Check:
    if not windows:
        return Check(claim, False, "", "the page does not name the model")
    priced = claim.unit in PRICE_UNITS
    foreign: Check | None = None
    elsewhere: Check | None = None
    for shown, spots in windows:
        stated = [(amounts(readable), column) for readable, column in spots]
        for value, how in equivalents(claim):
            for numbers_at, column in stated:
                for number, written_in in numbers_at:
                    if number != value:
                        continue
                    if column is not None and not column.states(claim):
                        elsewhere = elsewhere or Check(
                            claim,
                            False,
                            _trim(shown, value),
                            f"stated as the {column.label()} price" + (f", {how}" if how else ""),
                        )
                        continue
                    currency = (written_in or page_money) if priced else ""
                    if not currency:
                        return Check(claim, True, _trim(shown, value), how)
                    foreign = foreign or Check(
                        claim,
                        False,
                        _trim(shown, value),
                        f"stated as {decimal_text(number)} in {currency}, not USD",
                    )
    if foreign is not None:
        return foreign
    if elsewhere is not None:
        return elsewhere
    return Check(
        claim,
        False,
        _trim(windows[0][0], None),
        "the model is named, but the value is not stated near it",
    )


def _trim(text: str, value: Decimal | None) -> str:
    """At most SNIPPET characters, centred on the stated value when there is one."""
    if len(text) <= SNIPPET:
        return text
    centre = 0
    if value is not None:
        for match in _NUMBER.finditer(text):
            try:
                if Decimal(match[0].replace(",", "")) == value:
                    centre = match.start()
                    break
            except InvalidOperation:
                continue
    start = max(0, min(centre - SNIPPET // 2, len(text) - SNIPPET))
    return (
        ("…" if start else "")
        + text[start : start + SNIPPET]
        + ("…" if start + SNIPPET < len(text) else "")
    )
