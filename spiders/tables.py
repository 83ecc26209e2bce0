"""One table reader for provider pricing pages, whether the body is HTML or Markdown.

A pricing page is read as its tables, each with the context that gives it meaning:

- HTML goes straight to BeautifulSoup. Markdown (a provider's Markdown export, or a crawler's
  conversion of the rendered page) is first rendered to HTML with markdown-it (CommonMark plus
  GFM tables), so both kinds of body run through exactly the same table code. Which one a body
  is, is sniffed from the body (parse() gets no content type).
- For every ``<table>``: its header (``<thead>`` or leading all-``<th>`` rows, else the first
  row), its body rows as cell texts (rowspan/colspan expanded), the heading path (h1..h6) it sits
  under, each heading's lead text, the short text blocks between the previous table or
  heading and the table (tab strips and labels such as "Batch", "Prices per 1M tokens."), and
  its ``<caption>`` ("Prices per 1M tokens"), the table's own title: a unit it states is read
  as a heading's is (`framing_unit`). A header cell spanning columns that the header's last row
  names apart ("Price" over Input, Cached input, Output) labels the group: the columns keep
  their own names, and the label joins the caption.
- A body row that restates the header (a table holding several sub-tables) starts a new header;
  all-empty rows are breaks, and the rows after a break whose header is not restated are flagged
  ``after_break`` (their columns may not mean what the header above says).
- Each row keeps how many cells the source wrote (a Markdown line's own count: the renderer
  pads or cuts it to the header's width). A row of another width than its header
  (`Row.misaligned`) cannot be placed: the page modules quarantine it (`check_aligned`), and
  only it, unless they restore it (a converter's flattened rowspan, `realign`). A Markdown
  table whose delimiter row states another number of columns than its header (which GFM reads
  as a paragraph, its prices gone without a word) is read as a table all of whose rows are
  misaligned.
- An empty heading takes its title from the next text block (crawlers that split "### " from its
  text).
- An empty body, or a page with no tables, is Unparsable; a page whose body is a JavaScript
  application shell says that it needs rendering: an empty shell is never read as "no prices".

Money is read price-parser style from cell text ("$0.875 / MTok", "$2.50", "-", "Free of
charge", "0.2元") into Decimal, with the "per ..." phrase that follows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from bs4 import BeautifulSoup, Tag, UnicodeDammit
from bs4.element import NavigableString, PreformattedString
from markdown_it import MarkdownIt
from markdown_it.rules_block.table import escapedSplit

from schemas.fetch import HEADERLESS_RULE, Uninterpretable, Unparsable, table_record
from schemas.vocab import Unit
from spiders.parsing import MILLION

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
INLINE = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "img",
        "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time",
        "u", "var", "wbr", "br", "svg", "path", "font",
    }
)  # fmt: skip
SKIPPED = frozenset({"script", "style", "template", "noscript", "head", "title", "meta", "link"})
TABLE_PARTS = frozenset({"thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col"})
BREAKS = frozenset({"br", "hr", "p", "div", "li", "ul", "ol", "tr", "td", "th"})

_MARKDOWN = MarkdownIt("commonmark").enable("table")
_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$", re.M)
_ATX_HEADING = re.compile(r"^#{1,6}[ \t]", re.M)
_HTML_BLOCK = re.compile(r"</(table|p|div|h[1-6]|li|td|body)\s*>", re.I)
_DOCUMENT = ("<!doctype html", "<html", "<?xml")
_SPACES = re.compile(r"\s+")
_PIPE = re.compile(r"(?<!\\)\|")
# Characters a page renders as nothing: zero-width spaces and joiners, word joiners, the byte
# order mark, the soft hyphen (a fault round: "$2.\u00ad50" read as $2), directional marks and
# invisible operators. Joined as rendered, "$2.\u00ad50" reads as the $2.50 a reader sees.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


@dataclass(frozen=True)
class Section:
    """A heading and the text blocks directly under it (before a table or a subheading)."""

    level: int
    title: str
    lead: tuple[str, ...] = ()
    index: int = 0  # the heading's position among the page's headings: which section it is


@dataclass(frozen=True)
class Row:
    """One body row of a table: its cell texts (spans expanded), the header in force above it,
    whether an empty row came between them, the label row it sits under, and how many cells the
    source wrote (`width`) and the delimiter row stated (`columns`)."""

    cells: tuple[str, ...]
    header: tuple[str, ...]  # the header in force for this row
    after_break: bool = False  # an empty row came between the header and this row
    group: str = ""  # the last full-width label row above it ("Batch"), if the table has one
    # The cells the source wrote for this row, before a renderer padded or cut it: how it was
    # written, not what it says (a Markdown row and its rendering compare equal).
    width: int = field(default=0, compare=False)
    # The columns the table's Markdown delimiter row stated where they differ from its header's
    # (0: as many): which heading each column falls under is then unknown.
    columns: int = field(default=0, compare=False)

    @property
    def misaligned(self) -> str:
        """Why the row's cells cannot be placed under its header ('' when they can): the
        source wrote fewer or more cells than the header has columns. A Markdown renderer
        pads a short row at its end and drops a long row's extra cells, and an HTML table
        leaves a short row's last columns empty: either way, a cell left out in the middle
        ("| gpt-5 | $1.25 | $10.00 |" under Model | Input | Cached input | Output) moves every
        price after it into the next column's heading, a wrong price read as stated."""
        if self.columns and self.columns != len(self.header):
            return (
                f"the table's delimiter row states {self.columns} columns under a header of "
                f"{len(self.header)}"
            )
        if self.width == len(self.header) or not self.header:
            return ""
        return f"{self.width} cells under a header of {len(self.header)} columns"

    @property
    def text(self) -> str:
        """The row's cells joined by " | ", as evidence and problem details quote it."""
        return " | ".join(self.cells)


@dataclass(frozen=True)
class Table:
    """One table of a page: its position, the heading path above it, the text blocks just before it,
    its header, its body rows and its caption."""

    index: int  # position on the page, from 0
    sections: tuple[Section, ...]  # heading path, outermost first
    labels: tuple[str, ...]  # text blocks between the previous table/heading and this table
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    caption: str = ""  # the table's <caption>, if it has one

    @property
    def titles(self) -> tuple[str, ...]:
        """The headings above the table, outermost first."""
        return tuple(s.title for s in self.sections)

    @property
    def has_money(self) -> bool:
        """Whether any cell of the table states a money amount (`_MONEY`): a price table."""
        return any(_MONEY.search(cell) for row in self.rows for cell in row.cells)


# ---------------------------------------------------------------------------------------------
# Body → HTML → tables


def decode(body: bytes) -> str:
    """The page's text: UTF-8 (a byte order mark dropped), else as bs4 guesses its encoding.

    Unparsable when the body is UTF-8 up to a character its last bytes begin and do not finish:
    the transfer or the capture stopped there, so the rest of the page, and whatever prices
    it stated, is missing (a cut in a table row is `cut_row`'s; this one can be anywhere)."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            raise Unparsable(
                f"truncated body: it ends inside a UTF-8 character ({len(body)} bytes, "
                f"the last {len(body) - exc.start} of them begin one)"
            ) from exc
        return UnicodeDammit(body, is_html=True).unicode_markup or ""


def is_html(text: str) -> bool:
    """Sniff: a document start, or HTML block tags and no Markdown tables or ATX headings."""
    head = text.lstrip()[:200].lower()
    if head.startswith(_DOCUMENT):
        return True
    if _DELIMITER_ROW.search(text) or _ATX_HEADING.search(text):
        return False
    return bool(_HTML_BLOCK.search(text))


def to_html(text: str) -> str:
    """The page as HTML: an HTML body as it is, Markdown rendered, every table row marked with
    the cells its Markdown line wrote (`data-cells`: the renderer pads or cuts a row to its
    header's width, so its own cells no longer tell)."""
    if is_html(text):
        return text
    env: dict[str, Any] = {}
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tokens = _MARKDOWN.parse(text, env)
    if _headerless_rows(tokens, lines):
        tokens = _MARKDOWN.parse("\n".join(lines), env)
    if _wrapped_headers(tokens, lines):
        tokens = _MARKDOWN.parse("\n".join(lines), env)
    columns = _unequal_delimiters(tokens, lines)
    if columns:
        env = {}
        tokens = _MARKDOWN.parse("\n".join(lines), env)
    for token in tokens:
        if token.type == "tr_open" and token.map and token.map[0] < len(lines):
            token.attrSet("data-cells", str(_markdown_cells(lines[token.map[0]])))
        elif token.type == "table_open" and token.map and token.map[0] in columns:
            token.attrSet("data-columns", str(columns[token.map[0]]))
    return str(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, env))


_NOT_TABLES = frozenset({"table_open", "fence", "code_block", "html_block"})


def _headerless_rows(tokens: list[Any], lines: list[str]) -> bool:
    """Table rows written without a header and delimiter row above them (a table split in two
    by a banner or an ad, its second part's rows left bare): GFM reads them as a paragraph, and
    every price in them would vanish without a word. A paragraph all of whose lines are rows
    (they start with a pipe and have two or more) and that states money gets an empty header
    written above it in `lines`, so that its rows read as a table whose columns are unknown:
    the page modules report each such row (no Model column, no paid-tier column...). A
    paragraph that is a whole table without its delimiter row (`_lost_delimiter`) gets the
    delimiter row back under its header instead. Returns whether any was written."""
    written = False
    for token in reversed(tokens):
        if token.type != "paragraph_open" or not token.map:
            continue
        start, end = token.map
        block = lines[start:end]
        rows = [_QUOTE_MARKS.sub("", line).lstrip() for line in block]
        if not rows or not all(r.startswith("|") and _pipes(r) >= 2 for r in rows):
            continue
        if any(_DELIMITER_ROW.match(line) for line in block):  # `_unequal_delimiters`' case
            continue
        if not any(_MONEY.search(line) for line in block):
            continue
        prefix = _QUOTE_MARKS.match(block[0])
        lead = prefix.group(0) if prefix else ""
        width = _markdown_cells(block[0])
        delimiter = lead + "|" + " --- |" * width
        if _lost_delimiter(block):
            lines[start + 1 : start + 1] = [delimiter]
        else:
            lines[start:start] = [lead + "|" + "  |" * width, delimiter]
        written = True
    return written


def _lost_delimiter(block: list[str]) -> bool:
    """Whether rows GFM read as a paragraph are a whole table whose delimiter row was lost (an
    editor or converter dropping the "| --- |" line under the header): the first line states no
    money and heads its columns with text, all but a first one that may be left empty (the
    stub column of "| | Free Tier | Paid Tier |"). Its header then names the columns as it
    does in the table it was, instead of rows read under no heading (a fault round: one OpenAI
    table without the line left five models unknown on every route). Rows whose first line
    states money are a table's second part cut off by a banner, and stay without a header."""
    headings = [cell.strip() for cell in _cells(block[0])]
    return (
        len(block) > 1 and len(headings) > 1 and all(headings[1:]) and not _MONEY.search(block[0])
    )


def _unequal_delimiters(tokens: list[Any], lines: list[str]) -> dict[int, int]:
    """Tables the renderer refused because the delimiter row ("| --- | --- |") states another
    number of columns than the header line above it: GFM then reads the lines as a paragraph,
    and every price in them would vanish without a word. Each such delimiter row is rewritten
    in `lines` to the header's count, so that the lines read as the table they are; returned:
    {header line: the columns its delimiter row stated}, for `Row.misaligned`."""
    covered: set[int] = set()
    for token in tokens:
        if token.type in _NOT_TABLES and token.map:
            covered.update(range(*token.map))
    columns: dict[int, int] = {}
    for index in range(1, len(lines)):
        line, above = lines[index], lines[index - 1]
        if index in covered or index - 1 in covered or not _DELIMITER_ROW.match(line):
            continue
        header, stated = _markdown_cells(above), _markdown_cells(line)
        if _pipes(above) and header and header != stated:
            prefix = _QUOTE_MARKS.match(line)
            lead = prefix.group(0) if prefix else ""
            lines[index] = lead + "|" + " --- |" * header
            columns[index - 1] = stated
    return columns


def _wrapped_headers(tokens: list[Any], lines: list[str]) -> bool:
    """A table's header written on more lines than one (a converter wrapping a long header):
    GFM takes the line right above the delimiter row for the whole header and the lines above
    it for a paragraph, so the table loses the headings written there (its Model column: every
    row a price of no model). A paragraph right above a table, all of whose lines are rows of
    the header's width that state no money, is the header's beginning (`_wraps`): its lines
    are joined into one header line in `lines`, each column's texts in order. Returns whether
    any was."""
    joined = False
    above: tuple[int, int] | None = None
    found: list[tuple[int, int]] = []
    for token in tokens:
        if token.type == "paragraph_open" and token.map:
            above = (token.map[0], token.map[1])
        elif token.type == "table_open" and token.map:
            if above is not None and above[1] == token.map[0]:
                found.append((above[0], token.map[0]))
            above = None
    for start, header in reversed(found):
        block = lines[start : header + 1]
        width = _markdown_cells(lines[header])
        if any(
            not _QUOTE_MARKS.sub("", line).lstrip().startswith("|")
            or _markdown_cells(line) != width
            or _MONEY.search(line)
            for line in block
        ):
            continue
        rows = [[cell.strip() for cell in _cells(line)] for line in block]
        if not _wraps(rows):
            continue
        prefix = _QUOTE_MARKS.match(lines[header])
        lead = prefix.group(0) if prefix else ""
        merged = (" ".join(text for text in column if text) for column in zip(*rows, strict=True))
        lines[start : header + 1] = [lead + "| " + " | ".join(merged) + " |"]
        joined = True
    return joined


def _wraps(rows: list[list[str]]) -> bool:
    """Whether header-wide rows (their cells' texts, the header's last) are one header wrapped
    onto several lines: each line leaves some cell empty and no column is headed on two of
    them (each line holds its part of the headings: "| Model | Input | | |" above "| | |
    Cached input | Output |"), or every line but the header's is full and the header's leaves
    some cell empty (long headings continued on the next line: "| Model | Input | Cached |
    Output |" above "| | | input | |"). A line over a column the header heads too, beside
    empty ones (a caption, a unit: "| | | (per 1M tokens) |" above "| | Free Tier | Paid Tier
    |"), is neither."""
    *first, last = rows
    if all(all(row) for row in first) and not all(last):
        return True
    return all(not all(row) for row in rows) and all(
        sum(1 for text in column if text) <= 1 for column in zip(*rows, strict=True)
    )


_QUOTE_MARKS = re.compile(r"^\s*(?:>\s?)*")


def _cells(line: str) -> list[str]:
    """The cells a GFM table line writes, as the table rule splits it: on unescaped pipes,
    without the empty text outside a leading and a trailing pipe."""
    columns = escapedSplit(_QUOTE_MARKS.sub("", line).strip())
    if columns and columns[0] == "":
        columns.pop(0)
    if columns and columns[-1] == "":
        columns.pop()
    return columns


def _markdown_cells(line: str) -> int:
    """How many cells a GFM table line writes (`_cells`)."""
    return len(_cells(line))


def cut_row(text: str) -> str:
    """The last line of a Markdown body when the body was cut inside a table row ('' if not).

    A body that ends without a line break, on a line right below a table row, ends inside that
    table unless its last line is a whole row: closed by a pipe, with as many (unescaped) pipes
    as the row above it. Anything else is a row cut short, whose last cell may be a price cut
    short ("| gpt-5.2 | $0.875 | $0" of "... | $0.0875 |"): read, it would state a wrong price.
    A page whose rows are not closed by pipes cannot show its last row whole, so it is cut too.
    A last line that begins a row below no row is a table's header cut short, or alone without
    the rows it heads: cut as well (the page went on with that table).
    """
    if not text or text.endswith(("\n", "\r")):
        return ""
    lines = text.split("\n")
    last = lines[-1].rstrip()
    above = lines[-2].rstrip() if len(lines) > 1 else ""
    if not last.strip():
        return ""
    if not _pipes(above):
        return last if last.lstrip().startswith("|") else ""
    whole = last.endswith("|") and _pipes(last) >= _pipes(above)
    return "" if whole else last


# What a page holds that is no markup of its own: comments, and script, style, template and
# noscript contents (an inlined bundle may well spell "<table" in a string).
_NOT_MARKUP = re.compile(
    r"<!--.*?(?:-->|$)|<(script|style|template|noscript)\b.*?(?:</\1\s*>|$)", re.I | re.S
)
_TABLE_OPEN = re.compile(r"<table\b", re.I)
_TABLE_CLOSE = re.compile(r"</table\s*>", re.I)
_DOCUMENT_CLOSE = re.compile(r"</html\s*>", re.I)


def cut_html(text: str) -> str:
    """Why an HTML body was cut short ('' if it was not).

    An HTML parser closes whatever a body leaves open, so a page cut inside a price cell
    ("<td>$0.8" of "<td>$0.875</td>") would read as a whole table stating a wrong price. Cut
    is: a table opened and not closed (more ``<table`` than ``</table>``: the cut is inside
    it), or a document (one that starts with ``<!doctype html`` or ``<html``) without its
    ``</html>``: every table after the cut, and whatever prices they stated, is missing.
    Comments and script, style, template and noscript contents are not counted (a cut inside
    one of them leaves it open to the end, so what follows is not counted either)."""
    markup = _NOT_MARKUP.sub("", text)
    if len(_TABLE_OPEN.findall(markup)) > len(_TABLE_CLOSE.findall(markup)):
        return "it ends inside a table (a <table> without its </table>)"
    starts = markup.lstrip()[:200].lower().startswith(_DOCUMENT[:2])
    if starts and not _DOCUMENT_CLOSE.search(markup):
        return "the document ends without its </html>"
    return ""


def _pipes(line: str) -> int:
    return len(_PIPE.findall(line))


def read_tables(body: bytes) -> list[Table]:
    """Every table of a page, HTML or Markdown. Unparsable if the page has none, if a
    Markdown body was cut inside a table row (`cut_row`), or an HTML one inside a table or
    before its end (`cut_html`): the rest of the page is missing too."""
    text = decode(body)
    if not text.strip():
        raise Unparsable("empty body: no price tables")
    html = is_html(text)
    if not html and (cut := cut_row(text)):
        raise Unparsable(f"truncated body: it ends inside a table row ({cut[-80:]!r})")
    if html and (cut := cut_html(text)):
        raise Unparsable(f"truncated body: {cut} ({text.rstrip()[-80:]!r})")
    soup = BeautifulSoup(to_html(text), "html.parser")
    _mark_inline(soup)
    tables = _walk(soup)
    if not tables:
        raise Unparsable(_no_tables(soup))
    return tables


def price_tables(body: bytes) -> list[Table]:
    """The tables that state money. Unparsable if there are none."""
    tables = [t for t in read_tables(body) if t.has_money]
    if not tables:
        raise Unparsable("no price tables: the page's tables state no prices")
    return tables


def _mark_inline(soup: BeautifulSoup) -> None:
    """Write superscripts and struck-through text as Markdown writes them, so that a cell
    reads alike in both: "<sup>1</sup>" as "^1^" (a footnote marker: joined to the text, "$2.50"
    and "1" would read as $2.501) and "<del>", "<s>", "<strike>" as "~~...~~" (a price no longer
    in force: `find_prices` refuses it)."""
    for tag in soup.find_all("sup"):
        tag.replace_with(f"^{text_of(tag)}^")
    for tag in soup.find_all(["del", "s", "strike"]):
        tag.replace_with(f"~~{text_of(tag)}~~")


def _no_tables(soup: BeautifulSoup) -> str:
    visible = text_of(soup.body or soup)
    if soup.find("script") is not None and len(visible) < 500:
        return "needs rendering: a JavaScript application shell with no price tables"
    return "no price tables on the page"


@dataclass
class _Open:
    level: int
    title: str
    index: int
    lead: list[str] = field(default_factory=list)
    leading: bool = True  # still before its first table or subheading

    def freeze(self) -> Section:
        return Section(self.level, self.title, tuple(self.lead), self.index)


def _walk(soup: BeautifulSoup) -> list[Table]:
    tables: list[Table] = []
    stack: list[_Open] = []
    labels: list[str] = []
    headings = 0
    for element in soup.find_all(True):
        if _skipped(element):
            continue
        if element.name in HEADINGS:
            level = int(element.name[1])
            while stack and stack[-1].level >= level:
                stack.pop()
            for section in stack:
                section.leading = False
            stack.append(_Open(level, text_of(element), headings))
            headings += 1
            labels = []
        elif element.name == "table":
            header, rows, groups = _read_grid(element)
            sections = tuple(s.freeze() for s in stack)
            caption = element.find("caption", recursive=False)
            titled = text_of(caption) if isinstance(caption, Tag) else ""
            # a header's group labels ("Price per 1M tokens") title the table as a caption does
            titled = "; ".join(filter(None, [titled, *groups]))
            tables.append(Table(len(tables), sections, tuple(labels), header, rows, titled))
            labels = []
            for section in stack:
                section.leading = False
        elif _is_text_block(element):
            text = text_of(element)
            if not text:
                continue
            if stack and not stack[-1].title:
                stack[-1].title = text
                continue
            labels.append(text)
            if stack and stack[-1].leading:
                stack[-1].lead.append(text)
    return tables


def _skipped(element: Tag) -> bool:
    for parent in element.parents:
        if parent.name in SKIPPED or parent.name == "table" or parent.name in HEADINGS:
            return True
    return element.name in SKIPPED


def _is_text_block(element: Tag) -> bool:
    if element.name in INLINE or element.name in HEADINGS or element.name in TABLE_PARTS:
        return False
    return all(d.name in INLINE for d in element.descendants if isinstance(d, Tag))


def text_of(element: Tag) -> str:
    """The element's text: inline parts joined as written, block and line breaks as spaces."""
    parts: list[str] = []
    for node in element.descendants:
        if isinstance(node, Tag):
            if node.name in BREAKS:
                parts.append(" ")
        elif _is_text(node):
            parts.append(str(node))
    return _SPACES.sub(" ", _INVISIBLE.sub("", "".join(parts))).strip()


def _is_text(node: object) -> bool:
    return (
        isinstance(node, NavigableString)
        and not isinstance(node, PreformattedString)
        and not any(p.name in SKIPPED for p in node.parents)
    )


def _read_grid(table: Tag) -> tuple[tuple[str, ...], tuple[Row, ...], list[str]]:
    """The table's header, its body rows, and the labels its header rows give groups of
    columns (`_merge_header`)."""
    grid = _expand_spans(table)
    groups: list[str] = []
    stated = str(table.get("data-columns", ""))
    columns = int(stated) if stated.isdigit() else 0
    group = ""
    start = 0
    while start < len(grid) and grid[start][2]:
        group, start = grid[start][0][0], start + 1
    heads = start
    while heads < len(grid) and grid[heads][1] and not grid[heads][2]:
        heads += 1
    if heads == start and heads < len(grid) and not _states_money(grid[heads].cells):
        heads += 1
    if heads == start and heads < len(grid):
        # No header row, and the first row states money: a row of prices, not headings (the
        # second part of a table split by a banner). Its columns are unknown: an empty header.
        first = header = ("",) * len(grid[heads].cells)
    else:
        first, groups = _merge_header([row.cells for row in grid[start:heads]])
        header = first
    rows: list[Row] = []
    after_break = False
    for cells, is_head, spanning, width in grid[heads:]:
        if not any(cells):
            after_break = True
        elif spanning:
            group = cells[0]
        elif is_head or _restates(cells, header):
            header, after_break = cells, False
        else:
            row = Row(cells, header, after_break, group, width, columns)
            if rows and (whole := _continued(rows[-1], row)) is not None:
                rows[-1] = whole
            else:
                rows.append(row)
    return first, tuple(rows), groups


def _continued(above: Row, row: Row) -> Row | None:
    """`above` and `row` as one row where `row` continues it (None where it does not): a row
    wrapped onto a second line by whatever wrote the page (a fault round: Anthropic's
    "| Claude Opus 4.5 | | | | | |" then "| | $5 / MTok | ... |" read as a model without prices
    and prices of no model). `row` continues `above` when, under the same header with no empty
    row between, `above` names its first cell and leaves every cell from some column on empty,
    and `row` leaves every cell before that column empty and states something from it on. A
    row with an empty first cell under one that states values in the same columns (a second
    context tier of the model above) is a row of its own, as before."""
    if row.header is not above.header or row.after_break or row.group != above.group:
        return None
    if not above.cells[0] or row.cells[0] or len(above.cells) != len(row.cells):
        return None
    split = len(above.cells)
    while split > 1 and not above.cells[split - 1]:
        split -= 1
    if split == len(above.cells) or any(row.cells[:split]) or not any(row.cells[split:]):
        return None
    cells = above.cells[:split] + row.cells[split:]
    return Row(
        cells, row.header, above.after_break, row.group, max(above.width, row.width), row.columns
    )


def _states_money(cells: tuple[str, ...]) -> bool:
    return any(_MONEY.search(cell) for cell in cells)


def _restates(cells: tuple[str, ...], header: tuple[str, ...]) -> bool:
    return bool(header and header[0] and cells[0].casefold() == header[0].casefold())


# A header cell over several columns that says only that they are prices ("Price", "Pricing
# (USD per 1M tokens)", "Costs", "USD per 1M tokens"): a label of the group, not a part of each
# column's name.
_MONEY_GROUP = re.compile(r"(?:prices?|pricing|costs?|rates?|fees?|usd|us\$|\$)(?!\w)", re.I)


def _merge_header(rows: list[tuple[str, ...]]) -> tuple[tuple[str, ...], list[str]]:
    """Several header rows as one: each column's texts joined, top down, and the group labels.
    A text an upper row spans over two or more columns that the last header row names apart
    joins each one's name ("Cache Writes" over "5m", "1h": "Cache Writes 5m"), unless it says
    only that they are prices (`_MONEY_GROUP`: "Price" over "Input", "Cached input", "Output"):
    then it labels the group, the columns keep their own names, and the label is returned
    apart, to be read as the table's caption is ("Price per 1M tokens" states a unit)."""
    if not rows:
        return (), []
    width = max(len(r) for r in rows)
    last = rows[-1]
    grouping: set[tuple[int, int]] = set()  # (row, column) of the cells that label a group
    groups: list[str] = []
    for place, row in enumerate(rows[:-1]):
        col = 0
        while col < len(row):
            end = col + 1
            while end < len(row) and row[end] == row[col]:
                end += 1
            below = [last[c] if c < len(last) else "" for c in range(col, end)]
            spans = end - col > 1 and all(below) and len(set(below)) == len(below)
            if spans and _MONEY_GROUP.match(row[col].strip()):
                grouping.update((place, c) for c in range(col, end))
                if row[col] not in groups:
                    groups.append(row[col])
            col = end
    merged: list[str] = []
    for col in range(width):
        parts: list[str] = []
        for place, row in enumerate(rows):
            text = row[col] if col < len(row) else ""
            if text and text not in parts and (place, col) not in grouping:
                parts.append(text)
        merged.append(" ".join(parts))
    return tuple(merged), groups


class _GridRow(NamedTuple):
    cells: tuple[str, ...]
    is_head: bool
    spanning: bool  # one cell spanning several columns
    width: int  # the cells the source wrote (a Markdown line's own count, `data-cells`)


def _expand_spans(table: Tag) -> list[_GridRow]:
    """The table's rows as cell texts with rowspan and colspan repeated into every cell, each
    with whether it is a header row, whether it is one cell spanning several columns, and how
    many cells the source wrote for it."""
    carried: dict[int, tuple[str, int]] = {}  # column -> (text, rows still to fill)
    grid: list[_GridRow] = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells: list[str] = []
        tds = tr.find_all(["td", "th"], recursive=False)
        for td in tds:
            _fill_carried(cells, carried)
            text = text_of(td)
            rowspan = _span(td, "rowspan")
            for _ in range(_span(td, "colspan")):
                if rowspan > 1:
                    carried[len(cells)] = (text, rowspan - 1)
                cells.append(text)
        _fill_carried(cells, carried, to_end=True)
        in_head = tr.find_parent("thead") is not None
        all_th = bool(tds) and all(td.name == "th" for td in tds)
        spanning = len(tds) == 1 and _span(tds[0], "colspan") > 1
        stated = str(tr.get("data-cells", ""))
        width = int(stated) if stated.isdigit() else len(cells)
        grid.append(_GridRow(tuple(cells), in_head or all_th, spanning, width))
    return grid


def _fill_carried(
    cells: list[str], carried: dict[int, tuple[str, int]], to_end: bool = False
) -> None:
    while len(cells) in carried or (to_end and any(c >= len(cells) for c in carried)):
        col = len(cells)
        if col not in carried:
            cells.append("")
            continue
        text, left = carried[col]
        cells.append(text)
        if left > 1:
            carried[col] = (text, left - 1)
        else:
            del carried[col]


def _span(td: Tag, name: str) -> int:
    try:
        return max(1, min(int(str(td.get(name, "1")).strip() or 1), 100))
    except ValueError:
        return 1


def realign(cells: tuple[str, ...], previous: tuple[str, ...], lost: int) -> tuple[str, ...]:
    """A row that lost its first `lost` cells to a rowspan (flattened by a converter, which
    writes the row `lost` cells short: the renderer leaves empty cells at its end): those
    cells again, taken from the row above."""
    return previous[:lost] + cells[: len(cells) - lost]


MISALIGNED = "cells do not line up with the header"


def trailing_empty(cells: tuple[str, ...]) -> int:
    """How many cells at the end of a row are empty: the cells a rowspan flattened by a converter
    took from the row's start (`realign`)."""
    count = 0
    for cell in reversed(cells):
        if cell:
            break
        count += 1
    return count


def check_whole(record: dict[str, Any]) -> None:
    """Raise Uninterpretable (rule MISALIGNED) for a row record the renderer cut: its source
    wrote more cells than the header has columns, and a Markdown table keeps only as many (a
    price in a cell beyond them is lost, and the row would read as stating fewer prices). For
    pages whose short rows are a known flattening (`check_aligned` is for the others)."""
    if record.get("width", 0) > len(record["cells"]):
        raise Uninterpretable(
            record["record"],
            MISALIGNED,
            f"{record['width']} cells under a header of {len(record['header'])} columns, the "
            f"ones beyond it dropped: {record['text']}",
        )


def headerless(record: dict[str, Any]) -> bool:
    """Whether a row record has no header at all: every heading empty, as the reader writes the
    header of rows written without one (`_read_grid`, `_headerless_rows`: a table split in two
    by a banner, its second part's rows left bare). A table whose header names other columns
    than a page module reads (no Model column) has one."""
    return not any(heading.strip() for heading in record["header"])


def check_headed(record: dict[str, Any]) -> None:
    """Raise Uninterpretable (HEADERLESS_RULE) for a row record without a header (`headerless`):
    which column each of its cells is under, and so which model it prices, is unknown. The rule
    also marks the page's listing incomplete (catalog/intake.py), for pages whose rows or
    headers name their models: the model of such a row is not known to be listed."""
    if headerless(record):
        raise Uninterpretable(
            record["record"],
            HEADERLESS_RULE,
            f"no header above it (a table split in two, by a banner or an ad): its columns, and "
            f"the model it prices, are unknown: {record['text']}",
        )


def check_aligned(record: dict[str, Any]) -> None:
    """Raise Uninterpretable (rule MISALIGNED) for a row record whose source wrote fewer or
    more cells than its header has columns (`Row.misaligned`): which column each of its prices
    belongs to is a guess, so the row is that row's problem; the table's other rows are read."""
    if record.get("misaligned"):
        raise Uninterpretable(
            record["record"], MISALIGNED, f"{record['misaligned']}: {record['text']}"
        )


# ---------------------------------------------------------------------------------------------
# Money


_AMOUNT = r"[0-9](?:[0-9,]*[0-9])?(?:\.[0-9]+)?|\.[0-9]+"
# Commas in an amount group its digits by thousands ("$1,000.50"); any other comma ("$0,28",
# "$1,25", "$0,028": a decimal comma, as a page rendered in another locale writes it) is
# ambiguous.
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_MONEY = re.compile(
    rf"(?P<sym>\$|€|£|¥|￥)\s?(?P<a1>{_AMOUNT})"
    rf"|(?P<a2>{_AMOUNT})\s?(?P<word>元|USD|CNY|RMB|EUR|¢)"
)
_PER = re.compile(r"^\s*(?:/|per\b)\s*(?P<per>[^+;$()]*)", re.I)
# Footnote markers: pandoc and HTML superscripts (text_of writes <sup>1</sup> as "^1^"), "[1]",
# "[*]", asterisks, and superscript digits and daggers written as characters ("$2.50¹").
_FOOTNOTES = re.compile(
    r"\^[^^]*\^|\[\d+\]|\[\*+\]|\*+|[\u00b9\u00b2\u00b3\u2070-\u2079\u2020\u2021]+"
)
# What makes an amount something else than the price: struck through (text_of writes <del>,
# <s> and <strike> as Markdown's "~~...~~": a price no longer in force), a bound or an
# estimate before it ("from $0.10", "up to", "~$0.10", "< $0.01"), a range after it ("$0.10 -
# 0.20", "$0.10 to $0.20") or a "+" glued to it ("$0.10+"), letters glued before its "$" (the
# dollar of another country: "CA$", "A$", "HK$"; "US$" is USD) and a currency code after it
# ("$2.50 AUD").
_STRUCK = re.compile(r"~~.*?~~", re.S)
_BOUND = re.compile(
    r"(?:\bfrom|\bstart(?:s|ing)?\s+at|\bup\s+to|\bas\s+(?:low|high)\s+as|\bapprox\w*\.?"
    r"|\babout|\baround|~|≈|<=?|>=?|≤|≥)\s*$",
    re.I,
)
_RANGE = re.compile(r"^\s*(?:[-–—]|to\b)\s*(?:[A-Za-z]{0,3}\$|€|£|¥|￥)?\s*[0-9.]|^\+", re.I)
_GLUED_LETTERS = re.compile(r"([A-Za-z]+)$")
# Digits that go on right after an amount: "$1.234,56" (a decimal comma after a dot grouping
# thousands: 1234.56, not 1.234), "$1.234.567", "$1 750" and "$1\u202f750" (thousands grouped
# by a space or a narrow no-break space), other scripts' and countries' separators ("$1٫25" with
# the Arabic decimal separator, "$0·875", "$1'250" and "$1’250"), or an exponent ("$2.8e-1"):
# read, the amount would be its first part.
# A fault round: a decimal part set apart from its amount ("$2 .50", "$8\u202400" with the
# one-dot leader, "$2\uff0e50" with the full-width stop, "$2<sup>.50</sup>", "$8<sup>00</sup>":
# `strip_footnotes` keeps a superscript that goes on with an amount, after "\u2038") was read as
# the whole dollars before it.
_MORE_DIGITS = re.compile(
    r"[.,'\u066b\u066c\u00b7\u2019\u02bc\u2024\u2027\uff0c\uff0e][0-9]|[eE][-+]?[0-9]"
    r"|[ \u00a0\u2009\u202f][0-9]{3}(?![0-9])"
    r"|[ \u00a0\u2009\u202f]?[.,\u2024\u2027\uff0c\uff0e][0-9]|\u2038"
)
_DIGITS = re.compile(r"[0-9.,]*")
# A superscript that goes on with a whole amount: a decimal part ("$2^.50^") or cents in two
# digits or more ("$8^00^"), not a footnote's number ("$5^1^").
_SUPERSCRIPT_CENTS = re.compile(
    r"((?:\$|€|£|¥|￥)\s?[0-9][0-9,]*\.?)"
    r"\^\s*([.,\u2024\u2027\uff0c\uff0e]\s*[0-9]+|[0-9]{2,})\s*\^"
)
# A minus sign glued before an amount, itself after a space or the cell's start ("-$1.25",
# "−$1.25" with U+2212; not a range's "$1-$2"): no price is negative, and dropping the sign
# would read the amount as one.
_MINUS_BEFORE = re.compile(r"(?:^|[\s(:])[-\u2212\ufe63\uff0d]$")
_CODE_AFTER = re.compile(r"^\s?([A-Z]{3})\b")
_CODE_BEFORE = re.compile(rf"\b(?:USD|EUR|GBP|CNY|RMB|JPY)\s?(?:{_AMOUNT})(?![0-9A-Za-z])")
_NONE = frozenset({"", "-", "–", "—", "n/a", "na", "not available", "not supported"})
_FREE = frozenset({"free", "free of charge"})
_CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "￥": "CNY"}
_CURRENCIES.update({"元": "CNY", "USD": "USD", "CNY": "CNY", "RMB": "CNY", "EUR": "EUR"})
_CENTS = "¢"  # an amount in US cents ("40¢ / MTok"): a hundredth of a dollar, exact in Decimal
_CURRENCIES[_CENTS] = "USD"


@dataclass(frozen=True)
class Price:
    """One money amount found in a cell: the amount as written, its currency ("USD", "CNY", "CA$",
    "USD AUD" where a code after it differs), the "per ..." phrase after it, and its span in the
    text searched."""

    amount: Decimal
    currency: str
    per: str  # the "per ..." phrase after the amount, lowercased ("mtok", "1k calls"), or ""
    start: int = 0
    end: int = 0


def strip_footnotes(text: str) -> str:
    """`text` without footnote markers (`_FOOTNOTES`) and characters rendered as nothing
    (`_INVISIBLE`). A superscript that goes on with a whole
    amount (`_SUPERSCRIPT_CENTS`: "$8<sup>00</sup>") is no footnote: it stays, after a caret
    ("$8\u203800"), for `find_prices` to refuse (its digits go on past the amount)."""
    text = _SUPERSCRIPT_CENTS.sub("\\1\u2038\\2", _INVISIBLE.sub("", text))
    return _SPACES.sub(" ", _FOOTNOTES.sub("", text)).strip()


def find_prices(text: str) -> list[Price]:
    """Every money amount in the text, in order, each with the per-phrase that follows it
    (ASCII digits; commas only as thousands separators, `_GROUPED`; an amount in cents, "40¢",
    in dollars: 0.40).

    Raises ValueError for an amount with any other comma ("$0,28"): a decimal comma or a
    thousands one, it cannot be told which, so its cell is quarantined, never read as 28; for
    one whose digits go on past it ("$1.234,56", "$1 750", "$1٫25": `_MORE_DIGITS`); for one
    with a minus sign before it ("−$1.25"); and for one that
    is no current price (struck through, a bound or an estimate, a range: `_STRUCK`, `_BOUND`,
    `_RANGE`). Letters glued before a "$" ("CA$") or a currency code after the amount ("$2.50
    AUD") make its currency that one. Raises ValueError too for an amount with a currency code
    before it and no symbol ("USD 0.28", `_CODE_BEFORE`): no amount a page states is dropped
    for being written otherwise than this reader finds money (the cell is quarantined)."""
    if code_before := _CODE_BEFORE.search(text):
        raise ValueError(f"an amount written {code_before.group(0)!r}: its currency before it")
    prices: list[Price] = []
    struck = [m.span() for m in _STRUCK.finditer(text)]
    for match in _MONEY.finditer(text):
        raw = match.group("a1") or match.group("a2")
        symbol = match.group("sym") or match.group("word")
        if "," in raw and _GROUPED.fullmatch(raw) is None:
            raise ValueError(f"ambiguous amount {raw!r}: its commas do not group thousands")
        if more := _MORE_DIGITS.match(text, match.end()):
            rest = _DIGITS.match(text, more.end())
            written = text[match.start() : rest.end() if rest else more.end()]
            raise ValueError(f"ambiguous amount {written!r}: its digits go on past it")
        try:
            amount = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            continue
        if symbol == _CENTS:
            amount = amount.scaleb(-2)
        before, after = text[: match.start()], text[match.end() :]
        written = match.group(0)
        if any(start <= match.start() < end for start, end in struck):
            raise ValueError(f"struck-through price {written!r}: no longer in force")
        if _BOUND.search(before):
            raise ValueError(f"a bound or an estimate, not a price: {text!r}")
        if _RANGE.match(after):
            raise ValueError(f"a range of prices, not a price: {text!r}")
        if _MINUS_BEFORE.search(before):
            raise ValueError(f"a negative amount, not a price: {text!r}")
        currency = _CURRENCIES[symbol]
        glued = _GLUED_LETTERS.search(before) if symbol == "$" else None
        if glued and glued.group(1).upper() != "US":
            currency = f"{glued.group(1).upper()}$"
        if (code := _CODE_AFTER.match(after)) and code.group(1) != currency:
            currency = f"{currency} {code.group(1)}"
        per = _PER.match(after)
        phrase = _SPACES.sub(" ", per.group("per")).strip().lower() if per else ""
        prices.append(Price(amount, currency, phrase, match.start(), match.end()))
    return prices


# What joins two models' names in one Model cell ("gpt-4.1-mini / gpt-4.1-nano", "Claude Opus 4
# and Opus 4.1"): no recorded page writes one, and no model name holds one.
_JOINED = re.compile(r"\s*/\s*|\s+[&+]\s+|\s*,\s*|\s+(?:or|and)\s+", re.I)
SEVERAL_MODELS_RULE = "names several models"


def joined_names(cell: str) -> list[str]:
    """The names a Model cell joins ("a / b", "a, b", "a or b", "a & b"), footnotes left out;
    [] when it names one. Such a row's prices are no one model's: its reader quarantines it,
    and each name it joins counts as named (its fields stand as last stated)."""
    parts = [part for part in _JOINED.split(strip_footnotes(cell)) if part.strip()]
    return parts if len(parts) > 1 else []


# A fault round: a note or badge written beside a model's name ("Claude Opus 4.5 New", "gpt-5.2
# New", "deepseek-chat (NEW)", "`gemini-2.5-flash-preview-09-2025` New", "Claude Sonnet 4.5 ⭐")
# was read into the name: a new model proposed, other sources' names mapped to it.
NOTED_RULE = "words beside the model name"


def name_and_note(text: str, name: re.Pattern[str]) -> tuple[str, str]:
    """`text` (a Model cell or heading, footnotes left out) as (the model name it opens with,
    the note written after it): the longest run of its leading words that `name` matches in
    full, and the rest, stripped ("" when the name is all of it). ("", text) when no leading
    words are a name. A row whose name carries a note is its reader's NOTED_RULE problem:
    whether the note qualifies the prices ("Batch", "Thinking") or only badges the name
    ("New"), the reader cannot tell; the name counts as named (its fields stand as last
    stated)."""
    words = text.split()
    for end in range(len(words), 0, -1):
        if name.fullmatch(" ".join(words[:end])):
            return " ".join(words[:end]), " ".join(words[end:])
    return "", text


def no_price(text: str) -> bool:
    """Whether a cell says there is no price ("-", "N/A", "Not available"): `parse_price`'s
    None."""
    return strip_footnotes(text).casefold() in _NONE


# Words that limit a price's terms to a time ("introductory", "until Aug 31", "(promo)",
# "through 2026-09-01"), written before the amount or after it: a price that holds only for a
# while is not the price in force as such. An allowance ("1,500 RPD free, then $35") or a
# standing discount ("(50% discount)" in a batch table) limits nothing in time.
_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april"
    r"|june|july|august|september|october|november|december)"
)
_TERMS = re.compile(
    r"\b(?:until|till|through|thru|ends?|ending|expires?|expiring|starting|effective"
    r"|introductory|intro|promo(?:tional)?|launch|limited[- ]time|trial|temporary|sale)\b"
    rf"|\b{_MONTH}\.?\s+[0-9]{{1,2}}\b|\b[0-9]{{1,2}}\s+{_MONTH}\b"
    r"|(?<![\w-])20[0-9]{2}(?:-[0-9]{2}-[0-9]{2})?(?![\w-])",
    re.I,
)


def parse_price(text: str) -> Price | None:
    """A cell that states one price, or nothing ("-", "Not available"). Free is zero.

    Raises ValueError for a cell that states something else (several prices, words), and for a
    price with words before or after it that limit it to a time (`price_terms`): an
    introductory or promotional price is not the price in force as such (a public report: a
    page's introductory price read as the plain one)."""
    cell = strip_footnotes(text)
    if no_price(cell):
        return None
    if cell.casefold() in _FREE:
        return Price(Decimal(0), "USD", "")
    prices = find_prices(cell)
    if len(prices) != 1:
        raise ValueError(f"not one price: {text!r}")
    if terms := price_terms(cell[: prices[0].start], cell[prices[0].end :]):
        raise ValueError(f"a price with its terms beside it: {terms!r}")
    return prices[0]


def price_terms(before: str, after: str) -> str:
    """The words (`_TERMS`) in the text `before` or `after` a price that limit it to a time:
    "Introductory:", "(introductory, through Aug 31)", "(until 2026-09-01)"; "" when there are
    none (a note of what is priced, "(image)", a label, "Input:")."""
    found = _TERMS.search(before) or _TERMS.search(after)
    return found.group(0) if found else ""


# ---------------------------------------------------------------------------------------------
# Units: the phrases pages use after "per" / "/"

_M = r"(1m|1,000,000|1000000|million|one million|1 million)"
_K = r"(1k|1,000|1000|thousand|one thousand|1 thousand)"
# "per 1M input tokens": the direction the column already gives, said again
_TOKENS = r"(?:(?:input|output|prompt|completion) )?tokens?"
_QUERIES = r"(calls|searches|requests|queries|search queries|grounded prompts)"
_UNIT_PATTERNS: list[tuple[re.Pattern[str], Unit, Decimal]] = [
    (re.compile(rf"^{_M} {_TOKENS} per hour"), Unit.PER_1M_TOKENS_PER_HOUR, Decimal(1)),
    (re.compile(rf"^(mtok|{_M} {_TOKENS}|1m)$"), Unit.PER_1M_TOKENS, Decimal(1)),
    (re.compile(rf"^{_K} {_TOKENS}$"), Unit.PER_1M_TOKENS, Decimal(1000)),
    (re.compile(r"^tokens?$"), Unit.PER_1M_TOKENS, MILLION),
    (re.compile(rf"^{_M} characters?$"), Unit.PER_CHARACTER, 1 / MILLION),
    (re.compile(rf"^{_K} characters?$"), Unit.PER_CHARACTER, Decimal("0.001")),
    (re.compile(r"^characters?$"), Unit.PER_CHARACTER, Decimal(1)),
    (re.compile(rf"^{_K} {_QUERIES}$"), Unit.PER_1K_QUERIES, Decimal(1)),
    (re.compile(r"^(call|search|request|query|grounded prompt)$"), Unit.PER_REQUEST, Decimal(1)),
    (re.compile(r"^(\S+ )?(image|output image)$"), Unit.PER_IMAGE, Decimal(1)),
    (re.compile(r"^(second|sec|s)$"), Unit.PER_SECOND, Decimal(1)),
    (re.compile(r"^(minute|min)$"), Unit.PER_MINUTE, Decimal(1)),
    (re.compile(r"^(hour|hr|h)$"), Unit.PER_HOUR, Decimal(1)),
    (re.compile(r"^page$"), Unit.PER_PAGE, Decimal(1)),
]


def unit_of(per: str) -> tuple[Unit, Decimal] | None:
    """The canonical unit of a per-phrase and the factor that converts an amount into it."""
    phrase = _SPACES.sub(" ", per.strip().lower().rstrip(".*"))
    for pattern, unit, factor in _UNIT_PATTERNS:
        if pattern.search(phrase):
            return unit, factor
    return None


_HEADING_UNIT = re.compile(
    r"^(?P<name>.*?)\s*(?:\(\s*(?:\$|usd)?\s*(?:/|\bper\b)\s*(?P<inner>[^()]+?)\s*\)"
    r"|(?:/|\bper\b)\s*(?P<outer>[^()/]+?))\s*$",
    re.I,
)


def heading_unit(heading: str) -> tuple[str, str]:
    """A column heading's name and the "per ..." phrase it ends with, lowercased ('' when it
    ends with none): "Input (per 1K tokens)" → ("Input", "1k tokens"), "Output / MTok" →
    ("Output", "mtok"), "Cached input ($/1M tokens)" → ("Cached input", "1m tokens")."""
    match = _HEADING_UNIT.match(heading.strip())
    if match is None or not match["name"]:
        return heading.strip(), ""
    per = match["inner"] or match["outer"] or ""
    return match["name"].strip(), _SPACES.sub(" ", per).strip().lower()


INCLUSIVE = frozenset({">=", "≥", "at least", "from"})


# A count of tokens as a page writes it, for a threshold's pattern: digits grouped in thousands
# ("200,000", "200 000" with a space of any width) or plain ("200", "1.5" before a K or M), and
# never a number cut short: followed by another separator and a digit ("200,00", "1٫5") it is
# no count this reads, so the threshold is not read (its cell or column is quarantined). ASCII
# digits only, at most twelve (a fault round: another script's digits were read as a count, and a
# run of 5,000 digits failed the whole row at Python's int-to-text limit).
TOKEN_COUNT = (
    r"([0-9]{1,3}(?:[,\u00a0\u2009\u202f ][0-9]{3}){1,4}|[0-9]{1,12}(?:\.[0-9]{1,6})?)"
    r"(?!\d|[^\s\w)]\d)"
)
_GROUPING = re.compile(r"[,\u00a0\u2009\u202f ]")
MULTIPLIERS = {"k": 1_000, "m": 1_000_000, "": 1}


def token_count(written: str, multiplier: str | None) -> Decimal:
    """The count a TOKEN_COUNT match and its optional K or M state ("200,000" → 200000, "1.5",
    "m" → 1500000)."""
    return Decimal(_GROUPING.sub("", written)) * MULTIPLIERS[(multiplier or "").lower()]


def context_above(operator: str, count: Decimal) -> str:
    """The context_above a prompt-size threshold states: "> 200K" (or over, above, exceeds) is
    above 200000; "≥ 200K" (>=, at least, from) takes in 200000 itself, so it is above 199999
    (as Vercel's `min: 272000` reads). Reading both alike prices a prompt of exactly the
    threshold at the wrong tier."""
    above = count - 1 if operator.strip().casefold() in INCLUSIVE else count
    return str(int(above))


def rescales(stated: tuple[Unit, Decimal], around: tuple[Unit, Decimal] | None) -> bool:
    """Whether a price's own unit counts the same measure as the unit stated around it in
    another count ("/ 1K tokens" under "Prices per 1M tokens."): the two say prices a thousand
    times apart, and which one the page means is a guess. A price in another measure ("/
    minute" under "per 1M tokens") says what it prices, and contradicts nothing."""
    return around is not None and stated[0] == around[0] and stated[1] != around[1]


_STATED_UNIT = re.compile(r"\b(?:prices?|costs?|tier)\b[^.]*?\bper (.+?)(?: in usd)?\.?$", re.I)


def stated_unit(texts: list[str] | tuple[str, ...]) -> tuple[Unit, Decimal] | None:
    """The unit a page states for its prices in prose: "Prices per 1M tokens.", "Paid Tier, per
    Image in USD", "The prices listed below are in units of per 1M tokens."."""
    for text in texts:
        for sentence in re.split(r"(?<=\.)\s+", text):
            match = _STATED_UNIT.search(sentence.strip())
            if match and (unit := unit_of(match.group(1))):
                return unit
    return None


# ---------------------------------------------------------------------------------------------
# Raw records: one per table row, as plain data


def record_of(
    table: Table, number: int, row: Row, cells: tuple[str, ...] | None = None, **extra: Any
) -> dict[str, Any]:
    """A row as a raw record: plain JSON-able data carrying everything its meaning depends on.
    `cells` replaces the row's cells when the page module restored them (`text` stays as read):
    a restored row is aligned with its header; any other row carries `Row.misaligned`."""
    read = row.cells if cells is None else cells
    return {
        "record": table_record(table.index, number, read[0] if read else ""),
        "sections": [
            {"level": s.level, "title": s.title, "lead": list(s.lead), "index": s.index}
            for s in table.sections
        ],
        "labels": list(table.labels),
        "header": list(row.header),
        "cells": list(read),
        "text": row.text,
        "after_break": row.after_break,
        "group": row.group,
        "misaligned": row.misaligned if cells is None else "",
        "width": row.width,
        **({"caption": table.caption} if table.caption else {}),
        **extra,
    }


def row_records(body: bytes, url: str, route: str) -> list[dict[str, Any]]:
    """Every row of every price table as a raw record (pages whose rows stand on their own)."""
    return [
        record_of(table, number, row, route=route, url=url)
        for table in price_tables(body)
        for number, row in enumerate(table.rows)
    ]


def titles(record: dict[str, Any]) -> list[str]:
    """The heading titles above a row record's table, outermost first."""
    return [s["title"] for s in record["sections"]]


def context_texts(record: dict[str, Any]) -> list[str]:
    """The text that frames a row, nearest first: its group label, the table's labels, then the
    lead text of each heading from the innermost out."""
    texts = [record["group"]] if record.get("group") else []
    texts += reversed(record["labels"])
    for section in reversed(record["sections"]):
        texts += section["lead"]
    return texts


def framing_unit(record: dict[str, Any]) -> tuple[Unit, Decimal] | None:
    """The unit the text framing a row states for its prices: the prose around it
    (`stated_unit` of `context_texts`: "Prices per 1M tokens."), the table's caption, read as a
    heading ("Prices per 1M tokens", "Standard (USD per 1M tokens)") or else as prose, and the
    nearest heading above it that ends with one ("Text tokens (per 1K tokens)", "Image
    generation / image"). None where none states one. Raises ValueError where they state
    different units: which the page means is a guess (its callers quarantine the row as
    unit-ambiguous)."""
    stated: dict[str, tuple[Unit, Decimal]] = {}
    if caption := record.get("caption", ""):
        _, per = heading_unit(caption)
        in_caption = (unit_of(per) if per else None) or stated_unit([caption])
        if in_caption is not None:
            stated[f"caption {caption!r}"] = in_caption
    for title in reversed(titles(record)):
        _, per = heading_unit(title)
        if per and (unit := unit_of(per)) is not None:
            stated[f"heading {title!r}"] = unit
            break
    if (prose := stated_unit(context_texts(record))) is not None:
        stated["the prose"] = prose
    if len(set(stated.values())) > 1:
        said = ", ".join(
            f"{where_}: {unit.value} x{factor}" for where_, (unit, factor) in stated.items()
        )
        raise ValueError(f"the text around the table states different units ({said})")
    return next(iter(stated.values()), None)


def where(record: dict[str, Any]) -> str:
    """A short locator for evidence: the heading path and the nearest label."""
    path = " > ".join(t for t in titles(record) if t)
    label = record.get("group") or (record["labels"][-1] if record["labels"] else "")
    short = label if len(label) <= 40 else ""
    return f"{path} [{short}]" if short else path
