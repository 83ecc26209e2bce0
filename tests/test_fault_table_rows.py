"""A pricing-table row written with fewer or more cells than its header has columns.

Variants of the real recorded pages, made here: one row of a price table with a cell left out
in the middle (a converter or an editor dropping an empty-looking cell) or one cell too many.
Markdown renderers pad a short row at its end and drop a long row's extra cells, and an HTML
table leaves a short row's last columns empty, so every price after the gap lands under the
next column's heading: "$6 / MTok" (a 1-hour cache write) read as the 5-minute one. Which
column a cell of such a row belongs to is a guess: the row is quarantined with the rule, and
every other row of the page reads as recorded.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from types import ModuleType

import pytest

from schemas.fetch import HEADERLESS_RULE
from schemas.records import Draft
from spiders import anthropic_page, deepseek_page, gemini_page, openai_page
from spiders.tables import MISALIGNED
from tests.conftest import snapshot
from tests.test_fault_kinds import read as read_source
from tests.test_fault_units import as_document
from tests.test_pricing_pages import (
    ANTHROPIC_URL,
    DEEPSEEK_URL,
    GEMINI_URL,
    OPENAI_URL,
    PAGES,
    RECORDED,
    run,
)

Read = dict[tuple[str, str, str, str], Decimal]

# (module, recorded page, url, the row's first cell as written, the cell left out or doubled)
ROWS = {
    "anthropic": (
        anthropic_page,
        "anthropic-pricing.2025-12-19.llmdocs.md",
        ANTHROPIC_URL,
        "Claude Sonnet 4.5",
        2,  # 5m Cache Writes: the 1-hour write would read as the 5-minute one
    ),
    "openai": (
        openai_page,
        "openai-pricing.2025-12-17.llmdocs.md",
        OPENAI_URL,
        "gpt-5.2",
        2,  # Cached input: the output price would read as the cached input one
    ),
    "gemini": (
        gemini_page,
        "gemini-pricing.2025-11-21.devsite-md.md",
        GEMINI_URL,
        "Output price (including thinking tokens)",
        1,  # Free Tier: the paid price would sit under the free tier's heading
    ),
}


def by_record(module: ModuleType, body: bytes, url: str) -> Read:
    drafts, _ = run(module, body, url)
    return {
        (d.record, d.source_model, d.component.value, d.dimensions.key): d.value for d in drafts
    }


def changed(cells: list[str], cell: int, change: str) -> list[str]:
    """`cells` with cell number `cell` (from 0) left out ("drop") or written twice ("double")."""
    if change == "drop":
        return cells[:cell] + cells[cell + 1 :]
    return cells[: cell + 1] + cells[cell:]


def stated(drafts: list[Draft]) -> set[tuple[str, str, str, Decimal]]:
    """What the drafts state: model, component, dimensions and value, whatever record held it."""
    return {(d.source_model, d.component.value, d.dimensions.key, d.value) for d in drafts}


def first_cell(line: str) -> str:
    return line.split("|")[1].strip()


def markdown_row(body: bytes, first: str, change: str, cell: int) -> tuple[bytes, str]:
    """The page with the first table line whose first cell is `first` changed (`changed`), and
    that line as recorded."""
    lines = body.decode().split("\n")
    index = next(
        i for i, line in enumerate(lines) if line.count("|") > 1 and first_cell(line) == first
    )
    pipes = lines[index].split("|")  # "", the cells, "" (the text outside the outer pipes)
    line, lines[index] = lines[index], "|".join([pipes[0], *changed(pipes[1:-1], cell, change), ""])
    return "\n".join(lines).encode(), line


def html_row(name: str, first: str, change: str, cell: int) -> bytes:
    """The recorded page as its HTML document, with the first row whose first cell is `first`
    changed as `markdown_row` changes the Markdown one."""
    document = as_document(name)
    start = document.index(f"<td>{first}</td>")
    end = document.index("</tr>", start)
    cells = re.findall(r"<td[^>]*>.*?</td>", document[start:end], re.S)
    return (document[:start] + "\n".join(changed(cells, cell, change)) + document[end:]).encode()


def check(module: ModuleType, recorded: bytes, broken: bytes, url: str, first: str) -> None:
    healthy = by_record(module, recorded, url)
    drafts, problems = run(module, broken, url)
    [problem] = [p for p in problems if p.rule == MISALIGNED]
    assert first in problem.record and "under a header of" in problem.detail
    lost = {k for k in healthy if k[0] == problem.record}
    assert lost, "the changed row stated prices on the recorded page"
    # the row's prices are read nowhere; every other row reads as recorded
    assert by_record(module, broken, url) == {k: v for k, v in healthy.items() if k not in lost}
    assert not [p for p in problems if p.rule != MISALIGNED and p.record == problem.record]
    assert len(drafts) == len(healthy) - len(lost)


@pytest.mark.parametrize("change", ["drop", "double"])
@pytest.mark.parametrize("source", sorted(ROWS))
def test_a_markdown_row_of_another_width_is_that_rows_problem(source: str, change: str) -> None:
    module, name, url, first, cell = ROWS[source]
    recorded = snapshot(PAGES + name)
    broken, line = markdown_row(recorded, first, change, cell)
    assert broken != recorded and line.encode() in recorded
    check(module, recorded, broken, url, first)


@pytest.mark.parametrize("change", ["drop", "double"])
@pytest.mark.parametrize("source", ["anthropic", "openai"])
def test_an_html_row_of_another_width_is_that_rows_problem(source: str, change: str) -> None:
    module, name, url, first, cell = ROWS[source]
    recorded = as_document(name).encode()
    check(module, recorded, html_row(name, first, change, cell), url, first)


def test_rows_a_converter_wrote_short_of_a_spanned_model_are_still_read() -> None:
    """The recorded image-generation grid: its quality rows were written one cell short (the
    model cell spanned them); they get their model back and are no misaligned rows."""
    body = snapshot(PAGES + "openai-pricing.2025-12-17.llmdocs.md")
    assert b"\n| Medium | $0.034 | $0.05 | $0.05 |\n" in body
    drafts, problems = run(openai_page, body, OPENAI_URL)
    assert not [p for p in problems if p.rule == MISALIGNED]
    medium = [
        d for d in drafts if d.source_model == "gpt-image-1.5" and "medium" in d.dimensions.key
    ]
    assert len(medium) == 3


def test_a_deepseek_price_row_longer_than_its_header_is_that_rows_problem() -> None:
    """The recorded page's price rows are one cell short of its 3-column header (the recorder
    flattened a spanned label and a price spanning both models): "PRICING| 1M INPUT TOKENS
    (CACHE HIT)| $0.028". Had the models two prices, the row has 4 cells; Markdown keeps 3,
    and the one left read as the price of both models (deepseek-reasoner's at deepseek-chat's)."""
    recorded = snapshot(PAGES + "deepseek-pricing.en.2025-12-18.llmdocs.md")
    row = b"PRICING| 1M INPUT TOKENS (CACHE HIT)| $0.028  \n"
    assert row in recorded
    broken = recorded.replace(row, row.replace(b"$0.028", b"$0.028| $0.03"))
    healthy = by_record(deepseek_page, recorded, DEEPSEEK_URL)
    _, problems = run(deepseek_page, broken, DEEPSEEK_URL)
    [problem] = problems
    assert problem.rule == MISALIGNED and "4 cells under a header of 3" in problem.detail
    lost = {k for k in healthy if k[0] == problem.record}
    assert {k[1:3] for k in lost} == {
        ("deepseek-chat", "cache_read"),
        ("deepseek-reasoner", "cache_read"),
    }
    assert by_record(deepseek_page, broken, DEEPSEEK_URL) == {
        k: v for k, v in healthy.items() if k not in lost
    }


@pytest.mark.parametrize("change", ["header", "delimiter"])
def test_a_table_whose_delimiter_row_disagrees_with_its_header_is_reported(change: str) -> None:
    """A header cell left out ("| Model | Input | Output |" over four delimiter cells), or a
    delimiter cell too many: GFM reads such lines as a paragraph, not a table, so the OpenAI
    page's batch prices vanished without a word (the models seemed unpriced there, never
    reported). The lines read as a table again, each row quarantined with the rule (which
    heading each price falls under is unknown); the page's other tables read as recorded."""
    module, name, url = openai_page, "openai-pricing.2025-12-17.llmdocs.md", OPENAI_URL
    recorded = snapshot(PAGES + name)
    header = b"| Model | Input | Cached input | Output |\n| --- | --- | --- | --- |\n"
    assert recorded.count(header) > 1
    if change == "header":
        broken = recorded.replace(
            header, b"| Model | Input | Output |\n| --- | --- | --- | --- |\n", 1
        )
    else:
        broken = recorded.replace(header, header[:-1] + b" --- |\n", 1)
    healthy = by_record(module, recorded, url)
    _, problems = run(module, broken, url)
    misaligned = [p for p in problems if p.rule == MISALIGNED]
    assert misaligned and all("delimiter row states" in p.detail for p in misaligned)
    lost = {k for k in healthy if k[0] in {p.record for p in misaligned}}
    assert len({k[0] for k in lost}) == len(misaligned) >= 10  # the batch table's rows
    assert by_record(module, broken, url) == {k: v for k, v in healthy.items() if k not in lost}


LOST_DELIMITERS = [  # the recorded Markdown pages whose tables are written with outer pipes
    "openai-pricing.2025-12-17.llmdocs.md",
    "openai-pricing.2025-11-21.md",
    "anthropic-pricing.2025-12-19.llmdocs.md",
    "gemini-pricing.2025-11-21.devsite-md.md",
]
DELIMITER_LINE = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+[ \t]*\r?\n", re.M)


@pytest.mark.parametrize("name", LOST_DELIMITERS)
def test_tables_that_lost_their_delimiter_rows_read_under_their_headers(name: str) -> None:
    """Every table of a recorded page with its "| --- |" line left out (an editor or converter
    dropping it): GFM reads each as a paragraph. A paragraph whose first line heads the columns
    and states no money is that table: every price reads as recorded, under its heading, and
    no row is reported (a fault round: one OpenAI table without the line left five models
    unknown on every route)."""
    module, url, _, _ = RECORDED[name]
    recorded = snapshot(PAGES + name)
    broken, removed = DELIMITER_LINE.subn("", recorded.decode())
    assert removed >= 6 and not DELIMITER_LINE.search(broken)
    healthy, healthy_problems = run(module, recorded, url)
    drafts, problems = run(module, broken.encode(), url)
    assert len(drafts) == len(healthy)
    assert stated(drafts) == stated(healthy)  # tables without money are no tables now: by price
    assert Counter(p.rule for p in problems) == Counter(p.rule for p in healthy_problems)


# ------------------------------------------------------- a table split in two by a banner

BANNER = "Claude Sonnet 4.5 and gpt-5.2 are now available in the Batch API."
SPLITS = {  # (module, page, url, the row the second part starts with)
    "openai": (openai_page, "openai-pricing.2025-12-17.llmdocs.md", OPENAI_URL, "| gpt-5-mini |"),
    "anthropic": (
        anthropic_page,
        "anthropic-pricing.2025-12-19.llmdocs.md",
        ANTHROPIC_URL,
        "| Claude Sonnet 4   |",
    ),
}


def split_by_banner(name: str, row: str, html: bool) -> tuple[str, str, int]:
    """The recorded page (Markdown, or the HTML document it renders to) as recorded and with
    its table split before `row` by a banner paragraph, the rows after it left without a
    header (as a page's ad or notice splits a table in two); and how many rows the second
    part holds."""
    text = snapshot(PAGES + name).decode()
    start = text.index(row)
    count = text[start : text.find("\n\n", start)].count("\n") + 1
    if not html:
        return text, f"{text[:start]}\n{BANNER}\n\n{text[start:]}", count
    document = as_document(name)
    first = document.rindex("<tr>", 0, document.index(f"<td>{row.strip('| ').strip()}</td>"))
    cut = f"</tbody></table>\n<p>{BANNER}</p>\n<table><tbody>\n"
    return document, document[:first] + cut + document[first:], count


@pytest.mark.parametrize("html", [False, True], ids=["markdown", "html"])
@pytest.mark.parametrize("source", sorted(SPLITS))
def test_rows_split_from_their_header_by_a_banner_are_each_reported(
    source: str, html: bool
) -> None:
    """A banner between two rows of a table: Markdown reads the rows below it as a paragraph
    (every price in them gone without a word) and HTML takes the first of them for the header
    of a new table (that row's prices gone, the others under price headings). The rows'
    columns are unknown: each is reported (the banner naming a model changes nothing), and
    nothing is read from them."""
    module, name, url, row = SPLITS[source]
    recorded, broken, count = split_by_banner(name, row, html)
    healthy, healthy_problems = run(module, recorded.encode(), url)
    drafts, problems = run(module, broken.encode(), url)
    assert len({p.record for p in problems}) - len({p.record for p in healthy_problems}) == count
    rules = Counter(p.rule for p in problems)
    assert rules - Counter(p.rule for p in healthy_problems) == {HEADERLESS_RULE: count}
    stated = {(d.source_model, d.component, d.dimensions.key, d.value) for d in healthy}
    assert {(d.source_model, d.component, d.dimensions.key, d.value) for d in drafts} < stated


@pytest.mark.parametrize("html", [False, True], ids=["markdown", "html"])
@pytest.mark.parametrize("source", sorted(SPLITS))
def test_rows_split_from_their_header_make_the_listing_incomplete(source: str, html: bool) -> None:
    """The banner's rows name no model they could be read for, so a model listed only there
    would count absent: the page's listing is incomplete, its values still apply. The recorded
    OpenAI page's rows under a header without a Model column (built-in tools, storage: 7 prices
    not tied to a model) leave it complete; so they did before, and so did the split rows."""
    _, name, url, row = SPLITS[source]
    recorded, broken, count = split_by_banner(name, row, html)
    page = f"{source}-page"
    healthy = read_source(page, {url: recorded.encode()})
    assert not healthy.failure and not healthy.incomplete, healthy.incomplete
    untied = [p for p in healthy.problems if p.rule == "price not tied to a model"]
    assert len(untied) == (7 if source == "openai" else 0)
    found = read_source(page, {url: broken.encode()})
    assert not found.failure, found.failure
    assert found.incomplete.startswith(f"listing incomplete: {HEADERLESS_RULE}: {count} rows (")
    assert 0 < len(found.valid) < len(healthy.valid)  # the other rows' values still apply


@pytest.mark.parametrize("split", [1, 3, 5])
def test_a_row_wrapped_onto_a_second_line_is_read_as_one(split: int) -> None:
    """A fault round: Anthropic's Claude Opus 4.5 row written on two lines, the model cell and
    empty cells, then an empty model cell and the prices (or wrapped after its third cell):
    the model read without prices and the prices as a row naming no model, the source `ok`.
    A row that leaves its cells from some column on empty, followed by one that leaves the
    cells before it empty, is one row wrapped: read as the recorded row is."""
    name = "anthropic-pricing.2025-12-19.llmdocs.md"
    recorded = snapshot(PAGES + name).decode()
    line = next(ln for ln in recorded.splitlines() if ln.startswith("| Claude Opus 4.5 "))
    cells = line.strip().strip("|").split("|")
    first = cells[:split] + [" "] * (len(cells) - split)
    rest = [" "] * split + cells[split:]
    wrapped = f"|{'|'.join(first)}|\n|{'|'.join(rest)}|"
    body = recorded.replace(line, wrapped, 1).encode()
    healthy = by_record(anthropic_page, recorded.encode(), ANTHROPIC_URL)
    drafts, problems = run(anthropic_page, body, ANTHROPIC_URL)
    assert not problems
    assert {(d.source_model, d.component.value, d.dimensions.key): d.value for d in drafts} == {
        k[1:]: v for k, v in healthy.items()
    }


def test_a_second_tier_row_under_a_models_row_is_a_row_of_its_own() -> None:
    """Under a row stating values, a row with an empty first cell that states values in the
    same columns is not its continuation (a model's second context tier, written so)."""
    name = "anthropic-pricing.2025-12-19.llmdocs.md"
    recorded = snapshot(PAGES + name).decode()
    line = next(ln for ln in recorded.splitlines() if ln.startswith("| Claude Opus 4.5 "))
    cells = line.strip().strip("|").split("|")
    ditto = "|" + "|".join([" ", *cells[1:]]) + "|"
    body = recorded.replace(line, f"{line}\n{ditto}", 1).encode()
    _, problems = run(anthropic_page, body, ANTHROPIC_URL)
    assert [p.rule for p in problems] == ["no model named"]


HEADERS = {
    "anthropic": (anthropic_page, "anthropic-pricing.2025-12-19.llmdocs.md", ANTHROPIC_URL),
    "openai": (openai_page, "openai-pricing.2025-12-17.llmdocs.md", OPENAI_URL),
}


def _split_at(cells: list[str], split: int) -> tuple[list[str], list[str]]:
    """The headings before column `split` on the first line, the rest on the second."""
    return cells[:split] + [" "] * (len(cells) - split), [" "] * split + cells[split:]


def _continued(cells: list[str], _: int) -> tuple[list[str], list[str]]:
    """Each heading's first word on the first line, the rest of it on the second."""
    words = [cell.split(maxsplit=1) for cell in cells]
    return [w[0] for w in words], [w[1] if len(w) > 1 else " " for w in words]


WRAPS = {"split": _split_at, "continued": _continued}


@pytest.mark.parametrize("source", sorted(HEADERS))
@pytest.mark.parametrize(("wrap", "split"), [("split", 1), ("split", 2), ("continued", 0)])
def test_a_header_wrapped_onto_a_second_line_is_read_as_one(
    source: str, wrap: str, split: int
) -> None:
    """A fault round: OpenAI's Standard text-token header written on two lines ("| Model |
    Input | | |" above "| | | Cached input | Output |"): GFM took the second line for the
    header, the table lost its Model column and each of its rows was a price of no model, the
    page `ok`. A regression round: the usual wrap, each long heading continued on the next line
    ("| Model | Input | Cached | Output |" above "| | | input | |"), the same. A paragraph of
    header-wide rows so written right above a table is the header's first line: read as
    recorded."""
    module, name, url = HEADERS[source]
    recorded = snapshot(PAGES + name).decode()
    line = max(
        (ln for ln in recorded.splitlines() if re.match(r"\| *Model *\|", ln)),
        key=lambda ln: ln.count("|"),
    )
    cells = line.strip().strip("|").split("|")
    first, rest = WRAPS[wrap](cells, split)
    assert any(text.strip() for text in rest) and any(not text.strip() for text in rest)
    wrapped = f"|{'|'.join(first)}|\n|{'|'.join(rest)}|"
    _reads_as_recorded(module, recorded, recorded.replace(line, wrapped, 1), url)


def _reads_as_recorded(module: ModuleType, recorded: str, changed: str, url: str) -> None:
    """The page `changed` from `recorded` states what the recorded one does, and its problems
    are of the same rules."""
    drafts, problems = run(module, changed.encode(), url)
    _, recorded_problems = run(module, recorded.encode(), url)
    assert [p.rule for p in problems] == [p.rule for p in recorded_problems]
    assert {(d.source_model, d.component.value, d.dimensions.key): d.value for d in drafts} == {
        k[1:]: v for k, v in by_record(module, recorded.encode(), url).items()
    }


def test_a_caption_line_over_a_headed_column_is_no_part_of_the_header() -> None:
    """A regression round: a pipe line right above Gemini's first price table, over the column
    its header calls the paid tier ("| | | (per 1M tokens) |"), was joined into the header, and
    the table's rows were quarantined for want of a paid-tier column. A line over a column the
    header heads too is a caption, not the header's first line: the page reads as recorded."""
    name = "gemini-pricing.2025-11-21.devsite-md.md"
    recorded = snapshot(PAGES + name).decode()
    header = next(ln for ln in recorded.splitlines() if ln.startswith("|") and "Free Tier" in ln)
    caption = "| " + " | ".join(["", "", "(per 1M tokens)"]) + " |"
    assert header.count("|") == caption.count("|")
    changed = recorded.replace(header, f"{caption}\n{header}", 1)
    _reads_as_recorded(gemini_page, recorded, changed, GEMINI_URL)
