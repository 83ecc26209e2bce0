"""The one table reader (spiders/tables.py) on the recorded pricing pages, Markdown and HTML."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt

from schemas.fetch import Unparsable
from schemas.vocab import Unit
from spiders.tables import (
    find_prices,
    is_html,
    parse_price,
    price_tables,
    read_tables,
    stated_unit,
    unit_of,
)
from tests.conftest import snapshot

PAGES = "pricing-pages/"
RECORDED = [
    "openai-pricing.2025-12-17.llmdocs.md",
    "openai-pricing.2025-11-21.md",
    "openai-pricing.2025-10-15.jina-reader.md",
    "anthropic-pricing.2025-12-19.llmdocs.md",
    "anthropic-pricing.2025-11-21.md",
    "anthropic-models-overview.2025-10-15.jina-reader.md",
    "gemini-pricing.2025-11-21.devsite-md.md",
    "gemini-pricing.2025-10-08.jina-reader.md",
    "deepseek-pricing.en.2025-12-18.llmdocs.md",
    "deepseek-pricing.zh.2025-12-18.llmdocs.md",
]


def rendered(name: str) -> bytes:
    """A recorded Markdown page rendered to HTML, as a live HTML page would be read."""
    text = snapshot(PAGES + name).decode("utf-8")
    html: str = MarkdownIt("commonmark").enable("table").render(text)
    return html.encode("utf-8")


@pytest.mark.parametrize("name", RECORDED)
def test_markdown_and_its_html_give_the_same_tables(name: str) -> None:
    markdown = snapshot(PAGES + name)
    assert not is_html(markdown.decode("utf-8"))
    assert is_html(rendered(name).decode("utf-8"))
    assert read_tables(rendered(name)) == read_tables(markdown)


def test_headings_labels_and_tab_strips_frame_each_table() -> None:
    tables = read_tables(snapshot(PAGES + "openai-pricing.2025-12-17.llmdocs.md"))
    batch, flex = tables[0], tables[1]
    assert batch.titles == ("Pricing", "Text tokens")
    assert batch.labels == ("Prices per 1M tokens.", "BatchFlexStandardPriority", "Batch")
    assert batch.sections[-1].lead == batch.labels
    assert flex.labels == ("Flex",)
    assert batch.header == ("Model", "Input", "Cached input", "Output")
    assert batch.rows[0].cells == ("gpt-5.2", "$0.875", "$0.0875", "$7.00")
    assert len(batch.rows) == 23
    transcription = next(t for t in tables if t.titles[-1] == "Audio tokens" and len(t.titles) > 2)
    assert transcription.titles == (
        "Pricing",
        "Transcription and speech generation",
        "Audio tokens",
    )


def test_an_empty_heading_takes_its_title_from_the_next_text() -> None:
    tables = read_tables(snapshot(PAGES + "openai-pricing.2025-11-21.md"))
    assert tables[0].titles == ("Pricing OpenAI", "Text tokens")
    assert tables[0].labels == ("Prices per 1M tokens.", "Batch")
    assert [t.titles[-1] for t in tables[4:7]] == ["Image tokens", "Audio tokens", "Video"]


def test_a_restated_header_starts_a_sub_table_and_a_lost_one_flags_the_rows() -> None:
    grid = read_tables(snapshot(PAGES + "openai-pricing.2025-12-17.llmdocs.md"))[14]
    dalle3 = next(r for r in grid.rows if r.cells[0] == "DALL·E 3")
    assert grid.header[2:] == ("1024 x 1024", "1024 x 1536", "1536 x 1024")
    assert dalle3.header[2:] == ("1024 x 1024", "1024 x 1792", "1792 x 1024")
    assert not any(r.after_break for r in grid.rows)

    lost = read_tables(snapshot(PAGES + "openai-pricing.2025-11-21.md"))[14]
    flagged = [r.cells[0] for r in lost.rows if r.after_break]
    assert flagged == ["DALL·E 3", "HD", "DALL·E 2"]
    assert lost.rows[-1].header == lost.header  # the header above: not what these columns are


def test_rowspan_and_colspan_are_expanded_into_every_cell() -> None:
    # The live page spans "GPT Image 1 Mini" over its three quality rows; the recorder flattened
    # that. Restore the span in the rendered page and read it back.
    soup = BeautifulSoup(rendered("openai-pricing.2025-12-17.llmdocs.md"), "html.parser")
    body = soup.find_all("table")[14].find("tbody")
    assert isinstance(body, Tag)
    rows = body.find_all("tr")
    start = next(
        i
        for i, tr in enumerate(rows)
        if tr.td is not None and tr.td.get_text() == "GPT Image 1 Mini"
    )
    first = rows[start].td
    assert isinstance(first, Tag)
    first["rowspan"] = "3"
    for tr in rows[start + 1 : start + 3]:
        tr.find_all("td")[-1].decompose()
    head = soup.find_all("table")[0].find("thead")
    assert isinstance(head, Tag) and isinstance(head.tr, Tag)
    header = head.tr
    header.find_all("th")[1]["colspan"] = "2"
    header.find_all("th")[2].decompose()
    tables = read_tables(str(soup).encode())
    mini = [r.cells for r in tables[14].rows if r.cells[0] == "GPT Image 1 Mini"]
    assert mini == [
        ("GPT Image 1 Mini", "Low", "$0.005", "$0.006", "$0.006"),
        ("GPT Image 1 Mini", "Medium", "$0.011", "$0.015", "$0.015"),
        ("GPT Image 1 Mini", "High", "$0.036", "$0.052", "$0.052"),
    ]
    assert tables[0].header == ("Model", "Input", "Input", "Output")


def test_a_full_width_row_is_a_group_label_for_the_rows_below() -> None:
    soup = BeautifulSoup(rendered("openai-pricing.2025-12-17.llmdocs.md"), "html.parser")
    flex = soup.find_all("table")[1].find("tbody")
    assert isinstance(flex, Tag)
    label = soup.new_tag("tr")
    cell = soup.new_tag("th", colspan="4")
    cell.string = "Flex"
    label.append(cell)
    flex.insert(0, label)
    rows = read_tables(str(soup).encode())[1].rows
    assert {r.group for r in rows} == {"Flex"}
    assert rows[0].cells == ("gpt-5.2", "$0.875", "$0.0875", "$7.00")


def test_tables_without_money_are_not_price_tables() -> None:
    tables = read_tables(snapshot(PAGES + "anthropic-pricing.2025-12-19.llmdocs.md"))
    assert [t.has_money for t in tables] == [True, True, True, False, False, False]
    assert tables[3].header == ("Model", "Tool choice", "Tool use system prompt token count")
    assert len(price_tables(snapshot(PAGES + "anthropic-pricing.2025-12-19.llmdocs.md"))) == 3


def test_an_empty_body_is_unparsable() -> None:
    with pytest.raises(Unparsable, match="empty body"):
        read_tables(b"")
    with pytest.raises(Unparsable, match="empty body"):
        read_tables(b"  \n\n")


def test_a_javascript_application_shell_needs_rendering() -> None:
    shell = b'<html><body><div id="root"></div><script src=app.js></script></body></html>'
    with pytest.raises(Unparsable, match="needs rendering"):
        read_tables(shell)


def test_a_page_cut_before_its_table_has_no_price_tables() -> None:
    body = snapshot(PAGES + "deepseek-pricing.en.2025-12-18.llmdocs.md")
    cut = body[: body.index(b"## Model Details")]
    with pytest.raises(Unparsable, match="no price tables"):
        read_tables(cut)


def test_a_page_whose_tables_state_no_money_has_no_price_tables() -> None:
    body = snapshot(PAGES + "anthropic-pricing.2025-12-19.llmdocs.md")
    tools = body[body.index(b"### Tool use pricing") : body.index(b"## Agent use case")]
    assert len(read_tables(tools)) == 3
    with pytest.raises(Unparsable, match="no price tables"):
        price_tables(tools)


@pytest.mark.parametrize(
    ("cell", "amount", "currency", "per"),
    [
        ("$0.875 / MTok", "0.875", "USD", "mtok"),
        ("$2.50", "2.50", "USD", ""),
        ("Free of charge", "0", "USD", ""),
        (
            "$10.00 / 1k calls + search content tokens billed at model rates",
            "10.00",
            "USD",
            "1k calls",
        ),
        ("$0.039 per image*", "0.039", "USD", "image"),
        (
            "$4.50 / 1,000,000 tokens per hour (storage price)",
            "4.50",
            "USD",
            "1,000,000 tokens per hour",
        ),
        ("0.2元", "0.2", "CNY", ""),
        ("$0.0011 (image)^\\*^", "0.0011", "USD", ""),
    ],
)
def test_one_price_in_a_cell(cell: str, amount: str, currency: str, per: str) -> None:
    price = parse_price(cell)
    assert price is not None
    assert (price.amount, price.currency, price.per) == (Decimal(amount), currency, per)
    assert isinstance(price.amount, Decimal)


@pytest.mark.parametrize("cell", ["-", "", "Not available", "—"])
def test_a_cell_without_a_price(cell: str) -> None:
    assert parse_price(cell) is None


@pytest.mark.parametrize("cell", ["call us", "$1.25, prompts <= 200k tokens $2.50, prompts > 200k"])
def test_a_cell_that_is_not_one_price_raises(cell: str) -> None:
    with pytest.raises(ValueError, match="not one price"):
        parse_price(cell)


def test_several_prices_in_a_cell_keep_their_order_and_positions() -> None:
    cell = "$0.20, prompts <= 200k tokens $0.40, prompts > 200k $4.50 / 1,000,000 tokens per hour"
    prices = find_prices(cell)
    assert [p.amount for p in prices] == [Decimal("0.20"), Decimal("0.40"), Decimal("4.50")]
    assert cell[prices[1].start : prices[1].end] == "$0.40"


@pytest.mark.parametrize(
    ("phrase", "unit", "factor"),
    [
        ("mtok", Unit.PER_1M_TOKENS, "1"),
        ("1m characters", Unit.PER_CHARACTER, "0.000001"),
        ("1,000 grounded prompts", Unit.PER_1K_QUERIES, "1"),
        ("1k/2k image", Unit.PER_IMAGE, "1"),
        ("minute", Unit.PER_MINUTE, "1"),
        ("1,000,000 tokens per hour", Unit.PER_1M_TOKENS_PER_HOUR, "1"),
        ("1k tokens", Unit.PER_1M_TOKENS, "1000"),
        ("1 million tokens", Unit.PER_1M_TOKENS, "1"),
        ("1m input tokens", Unit.PER_1M_TOKENS, "1"),
        ("1,000 output tokens", Unit.PER_1M_TOKENS, "1000"),
        ("1 thousand characters", Unit.PER_CHARACTER, "0.001"),
    ],
)
def test_per_phrases_map_to_canonical_units(phrase: str, unit: Unit, factor: str) -> None:
    assert unit_of(phrase) == (unit, Decimal(factor))


def test_an_unknown_per_phrase_has_no_unit() -> None:
    assert unit_of("gb per day") is None
    assert unit_of("container") is None


def test_prose_states_the_unit() -> None:
    assert stated_unit(["Prices per 1M tokens."]) == (Unit.PER_1M_TOKENS, Decimal(1))
    assert stated_unit(["Paid Tier, per Image in USD"]) == (Unit.PER_IMAGE, Decimal(1))
    deepseek = "The prices listed below are in units of per 1M tokens. A token, the smallest unit"
    assert stated_unit([deepseek]) == (Unit.PER_1M_TOKENS, Decimal(1))
    assert stated_unit(["Our most balanced multimodal model."]) is None
