"""Price cells as public scrapers' bug reports show pages writing them, made here from the real
recorded pricing pages: a footnote superscript on a price, a struck-through old price beside the
new one, a range, a bound or an estimate ("from $1.75", "~$1.75"), and the dollar of another
country ("CA$1.75", "$1.75 AUD").

A footnote is no part of the amount; each of the others states no one current USD price, so
its cell is quarantined (never read as the number it contains), with the row's other prices
kept.
"""

from __future__ import annotations

from decimal import Decimal
from types import ModuleType
from typing import NamedTuple

import pytest

from schemas.fetch import Uninterpretable, Unparsable
from schemas.records import Draft
from spiders import anthropic_page, deepseek_page, gemini_page, openai_page
from spiders.tables import NOTED_RULE, SEVERAL_MODELS_RULE, find_prices, parse_price
from tests.conftest import snapshot
from tests.test_fault_units import as_document
from tests.test_pricing_pages import (
    ANTHROPIC_URL,
    DEEPSEEK_URL,
    GEMINI_URL,
    OPENAI_URL,
    PAGES,
    run,
)


class Cell(NamedTuple):
    """One recorded price cell: where it is written, and the field it states."""

    module: ModuleType
    url: str
    file: str
    row: bytes  # the recorded text up to and including the amount (its first occurrence)
    amount: str  # the amount as written there ("$1.75")
    model: str
    component: str
    dims: dict[str, str]
    kept: str  # another component the same row states, read whatever the cell says


CELLS = {
    "openai": Cell(
        openai_page,
        OPENAI_URL,
        "openai-pricing.2025-12-17.llmdocs.md",
        b"| gpt-5.2 | $1.75",
        "$1.75",
        "gpt-5.2",
        "input",
        {},
        "output",
    ),
    "anthropic": Cell(
        anthropic_page,
        ANTHROPIC_URL,
        "anthropic-pricing.2025-12-19.llmdocs.md",
        b"| Claude Opus 4.5   | $5",
        "$5",
        "claude-opus-4-5",
        "input",
        {},
        "output",
    ),
    "gemini": Cell(
        gemini_page,
        GEMINI_URL,
        "gemini-pricing.2025-11-21.devsite-md.md",
        b"| Input price                              | Not available                "
        b"                 | $2.00",
        "$2.00",
        "gemini-3-pro-preview",
        "input",
        {},
        "output",
    ),
    "deepseek": Cell(
        deepseek_page,
        DEEPSEEK_URL,
        "deepseek-pricing.en.2025-12-18.llmdocs.md",
        b"1M INPUT TOKENS (CACHE MISS)| $0.28",
        "$0.28",
        "deepseek-chat",
        "input",
        {},
        "output",
    ),
}


def read(cell: Cell, written: str) -> tuple[list[Draft], list[Uninterpretable]]:
    """The recorded page with the cell's amount written as `written` ({} is the amount)."""
    body = snapshot(PAGES + cell.file)
    assert cell.row in body
    old = cell.row
    new = old[: -len(cell.amount)] + written.format(cell.amount).encode()
    return run(cell.module, body.replace(old, new, 1), cell.url)


def stated(drafts: list[Draft], cell: Cell, component: str) -> list[Decimal]:
    return [
        d.value
        for d in drafts
        if d.source_model == cell.model and d.component == component and d.dimensions == cell.dims
    ]


@pytest.mark.parametrize("source", sorted(CELLS))
def test_the_recorded_cell_reads_as_written(source: str) -> None:
    cell = CELLS[source]
    drafts, _ = read(cell, "{}")
    assert stated(drafts, cell, cell.component) == [Decimal(cell.amount.lstrip("$"))]


@pytest.mark.parametrize("source", sorted(CELLS))
def test_an_amount_in_cents_is_that_many_hundredths_of_a_dollar(source: str) -> None:
    """A fault round (h53): "40¢" on OpenAI's page and "30¢ / MTok" on Anthropic's were
    quarantined as "not a price": a cents sign is money, a hundredth of a dollar."""
    cell = CELLS[source]
    dollars = Decimal(cell.amount.lstrip("$"))
    drafts, _ = read(cell, f"{dollars * 100:f}¢")
    assert stated(drafts, cell, cell.component) == [dollars]


@pytest.mark.parametrize("marker", ["<sup>1</sup>", "<sup>*</sup>", "¹", "†", "^1^", "[1]"])
@pytest.mark.parametrize("source", sorted(CELLS))
def test_a_footnote_on_a_price_is_no_part_of_the_amount(source: str, marker: str) -> None:
    """`$1.75<sup>1</sup>`: the superscript's text joined to the amount read $1.751."""
    cell = CELLS[source]
    drafts, _ = read(cell, "{}" + marker)
    assert stated(drafts, cell, cell.component) == [Decimal(cell.amount.lstrip("$"))]


NOT_ONE_PRICE = {
    "struck through (Markdown)": "~~$9.99~~ {}",
    "struck through (HTML del)": "<del>$9.99</del> {}",
    "struck through (HTML s)": "<s>$9.99</s> {}",
    "struck through alone": "<del>{}</del>",
    "a range (dash)": "{}–9.99",
    "a range (hyphen, two prices)": "{} - $9.99",
    "a range (to)": "{} to $9.99",
    "a lower bound": "from {}",
    "a lower bound (starting at)": "Starting at {}",
    "an upper bound": "up to {}",
    "an estimate": "~{}",
    "a comparison": "< {}",
    "open-ended": "{}+",
    "Canadian dollars": "CA{}",
    "Australian dollars": "A{}",
    "Hong Kong dollars": "HK{}",
    "a currency code after the amount": "{} AUD",
    "a decimal comma after a thousands dot": "{}.000,00",
    "thousands grouped by a space": "{} 000",
    "thousands grouped by a narrow no-break space": "{}\u202f000",
    # a fault round: each read as its digits before the separator ("$1٫25" as $1, "$0·875" as 0)
    "the Arabic decimal separator": "{}\u066b25",
    "a middle dot": "{}\u00b7875",
    "an apostrophe grouping thousands": "{}'250",
    "a typographic apostrophe": "{}\u2019250",
    "an exponent": "{}e-1",
    "a minus sign (U+2212)": "\u2212{}",
    "a hyphen-minus": "-{}",
    # a public report (genai-prices #703): an introductory price read as the plain one
    "an introductory price": "{} (introductory, through Aug 31)",
    "a promotional price": "{} (promo)",
    "a price until a date": "{} (until 2026-09-01)",
    "its terms after another note": "{} (text) (introductory, through Aug 31)",
    "its terms before it": "Introductory: {}",
    "its terms before it in parentheses": "(introductory) {}",
}


@pytest.mark.parametrize("written", list(NOT_ONE_PRICE.values()), ids=list(NOT_ONE_PRICE))
@pytest.mark.parametrize("source", sorted(CELLS))
def test_a_cell_stating_no_one_current_usd_price_is_quarantined(source: str, written: str) -> None:
    assert_quarantined(CELLS[source], written)


def split_amount(cell: Cell) -> tuple[str, str]:
    """The recorded amount's whole part (with its "$") and decimal part ("00" for a whole one)."""
    whole, _, decimals = cell.amount.partition(".")
    return whole, decimals or "00"


# A fault round: each was read as the whole dollars before its decimal part ("$2 .50" as $2)
APART = {
    "a space before the point": "{} .{}",
    "the one-dot leader as the point": "{}\u2024{}",
    "the full-width stop as the point": "{}\uff0e{}",
    "the decimal part superscripted": "{}<sup>.{}</sup>",
    "the cents superscripted": "{}<sup>{}</sup>",
}


@pytest.mark.parametrize("written", list(APART.values()), ids=list(APART))
@pytest.mark.parametrize("source", sorted(CELLS))
def test_an_amount_whose_decimal_part_is_set_apart_is_quarantined(
    source: str, written: str
) -> None:
    cell = CELLS[source]
    assert_quarantined(cell, written.format(*split_amount(cell)))


@pytest.mark.parametrize("invisible", ["\u00ad", "\u200b", "\u200e"])
@pytest.mark.parametrize("source", sorted(CELLS))
def test_a_character_rendered_as_nothing_is_no_part_of_the_amount(
    source: str, invisible: str
) -> None:
    """A fault round: "$2.\u00ad50" (a soft hyphen after the point) was read as $2."""
    cell = CELLS[source]
    whole, decimals = split_amount(cell)
    drafts, _ = read(cell, f"{whole}.{invisible}{decimals}")
    assert stated(drafts, cell, cell.component) == [Decimal(f"{whole[1:]}.{decimals}")]


def assert_quarantined(cell: Cell, written: str) -> None:
    """The cell written so (`read`) states no price; a problem says so; the rest still reads."""
    healthy, healthy_problems = read(cell, "{}")
    drafts, problems = read(cell, written)
    assert not stated(drafts, cell, cell.component), written
    assert len(problems) > len(healthy_problems)
    if cell.module in (openai_page, anthropic_page):  # a column is its cell alone: others kept
        assert stated(drafts, cell, cell.kept) == stated(healthy, cell, cell.kept) != []
    if cell.module is deepseek_page:  # one cell, one row: the other rows read
        assert stated(drafts, cell, cell.kept) == stated(healthy, cell, cell.kept) != []


NO_MONEY = {
    "a currency code before the amount": ("USD {}", sorted(CELLS)),
    "the euro's code before the amount": ("EUR {}", sorted(CELLS)),
    # Gemini's cell goes on with more prices ("$2.00, prompts <= 200k tokens $4.00, ..."): a
    # fault round found its first amount written "2.00" or "Free" dropped with no problem
    "no currency at all": ("{}", sorted(CELLS)),
    # fault round 9: DeepSeek's row of one price shared by both models, its price in words,
    # was dropped with no problem reported (the page read ok, its input price gone)
    "words in place of the amount": ("Contact sales", sorted(CELLS)),
    "free in place of the amount": ("Free", ["gemini"]),
    "free in a cell shared by two models": ("Free", ["deepseek"]),
}


@pytest.mark.parametrize(
    ("source", "written"),
    [(source, form) for form, sources in NO_MONEY.values() for source in sources],
)
def test_an_amount_written_as_no_money_is_quarantined_not_dropped(
    source: str, written: str
) -> None:
    """A fault round: DeepSeek's "$0.28" written "USD 0.28" or "0.28", Gemini's "$2.00" written
    "USD 2.00": the page's reader found no money in the cell, and the row was dropped with no
    problem reported (the source read ok, two prices fewer)."""
    cell = CELLS[source]
    healthy, healthy_problems = read(cell, "{}")
    drafts, problems = read(cell, written.format(cell.amount.lstrip("$")).replace("{", "{{"))
    assert not stated(drafts, cell, cell.component), written
    assert len(problems) > len(healthy_problems)
    assert {p.rule for p in problems} - {p.rule for p in healthy_problems} <= {"not a price"}
    assert stated(drafts, cell, cell.kept) == stated(healthy, cell, cell.kept) != []


def test_a_deepseek_header_naming_a_model_twice_prices_neither_column() -> None:
    """A fault round: the header read "deepseek-chat | deepseek-chat"; deepseek-reasoner's
    prices were taken as deepseek-chat's second statement, and deepseek-reasoner dropped out
    with no problem reported. Every price row is quarantined instead."""
    cell = CELLS["deepseek"]
    body = snapshot(PAGES + cell.file)
    named = b"deepseek-chat| deepseek-reasoner"
    assert body.count(named) == 1
    drafts, problems = run(
        deepseek_page, body.replace(named, b"deepseek-chat| deepseek-chat"), cell.url
    )
    assert [d for d in drafts if d.kind == "price"] == []
    assert len([p for p in problems if p.rule == "a model named twice"]) == 3


@pytest.mark.parametrize(
    "written",
    ["{} (first 1M tokens free)", "{} (50% discount)", "{} (may vary by region)", "{} (text)"],
)
@pytest.mark.parametrize("source", sorted(set(CELLS) - {"anthropic"}))  # its "/ MTok" follows
def test_a_note_that_limits_no_time_is_no_term_of_the_price(source: str, written: str) -> None:
    """An allowance, a standing discount, a note of what is priced: the price is read (a fault
    round: "(50% discount)" on a batch price, "(first 1,500 RPD free)" were quarantined)."""
    cell = CELLS[source]
    drafts, _ = read(cell, written)
    assert stated(drafts, cell, cell.component) == [Decimal(cell.amount.lstrip("$"))]


def test_money_reading_tells_the_price_from_what_surrounds_it() -> None:
    assert [(p.amount, p.currency) for p in find_prices("US$2.50 / 1M tokens")] == [
        (Decimal("2.50"), "USD")
    ]
    assert [p.currency for p in find_prices("$2.50 USD")] == ["USD"]
    assert [p.currency for p in find_prices("CA$2.50")] == ["CA$"]
    assert [p.currency for p in find_prices("$2.50 AUD")] == ["USD AUD"]
    price = parse_price("$0.039 per image^1^")
    assert price is not None and (price.amount, price.per) == (Decimal("0.039"), "image")
    for cell in ("~~$3.00~~ $2.00", "$0.10-0.20", "from $0.10", "≈ $0.10", "$0.10+"):
        with pytest.raises(ValueError):
            parse_price(cell)


# ------------------------------------------------ a tier label renamed or lost above a table


@pytest.mark.parametrize("label", ["Batch API", "Batch (50% off)", ""], ids=["api", "off", "lost"])
def test_a_table_whose_tier_label_is_renamed_or_lost_is_no_standard_price(label: str) -> None:
    """OpenAI's "Text tokens" section: a table per tier, each under its tab's label. The batch
    table's label renamed (or lost) read its rows as standard prices, half the real ones; its
    section's other tables name their tiers, so its own is unknown: its rows are reported and
    every other table reads as recorded."""
    name = "openai-pricing.2025-12-17.llmdocs.md"
    recorded = snapshot(PAGES + name)
    assert recorded.count(b"\n\nBatch\n\n") > 1
    broken = recorded.replace(b"\n\nBatch\n\n", f"\n\n{label}\n\n".encode(), 1)
    healthy, healthy_problems = run(openai_page, recorded, OPENAI_URL)
    drafts, problems = run(openai_page, broken, OPENAI_URL)
    batch = {d for d in healthy if d.record.startswith("table 0 ")}
    assert len(batch) > 40
    assert {(d.source_model, d.component, d.dimensions.key, d.value) for d in drafts} == {
        (d.source_model, d.component, d.dimensions.key, d.value) for d in healthy if d not in batch
    }
    unknown = [p for p in problems if p.rule == "tier unknown"]
    assert len(unknown) == len(problems) - len(healthy_problems) == len({d.record for d in batch})


@pytest.mark.parametrize("heading", [b"### Batch API\n", b"### Batch pricing\n"])
def test_a_gemini_table_whose_tier_heading_is_renamed_is_reported(heading: bytes) -> None:
    """Gemini 3 Pro Preview's "### Batch" renamed: read as the standard tier its table would
    state half the real prices for the Standard table's fields. The renamed heading is read as
    a section of its own that names no model, so its rows are reported and nothing is read
    from them (already so: checked)."""
    name = "gemini-pricing.2025-11-21.devsite-md.md"
    recorded = snapshot(PAGES + name)
    assert b"\n### Batch\n" in recorded
    broken = recorded.replace(b"\n### Batch\n", b"\n" + heading, 1)
    healthy, healthy_problems = run(gemini_page, recorded, GEMINI_URL)
    drafts, problems = run(gemini_page, broken, GEMINI_URL)
    model = "gemini-3-pro-preview"
    batch = {d for d in healthy if d.source_model == model and d.dimensions.get("service_tier")}
    assert batch
    assert set(drafts) == set(healthy) - batch
    assert len(problems) - len(healthy_problems) >= len({d.record for d in batch})


def test_a_gemini_model_heading_moved_below_its_tables_prices_no_other_model() -> None:
    """ "## Gemini 3 Pro Image Preview" (with its model id) moved below its two tables: they
    fell under Gemini 3 Pro Preview's section, whose model then stated the image model's image
    prices. That section now holds two tables of each tier: which model each prices is
    unknown, so their rows are reported and no price is read for a model it is not."""
    recorded = snapshot(PAGES + "gemini-pricing.2025-11-21.devsite-md.md")
    start = recorded.index(b"## Gemini 3 Pro Image Preview")
    tables = recorded.index(b"### Standard", start)
    end = recorded.index(b"^\\*^Image input is set", tables)
    moved = recorded[:start] + recorded[tables:end] + recorded[start:tables] + recorded[end:]
    healthy, healthy_problems = run(gemini_page, recorded, GEMINI_URL)
    drafts, problems = run(gemini_page, moved, GEMINI_URL)

    def stated(found: list[Draft]) -> set[tuple[str, str, str, Decimal]]:
        return {(d.source_model, d.component, d.dimensions.key, d.value) for d in found}

    assert stated(drafts) < stated(healthy)
    assert not [d for d in drafts if d.source_model.startswith("gemini-3-pro")]
    unknown = {p.record for p in problems if p.rule == "model unknown"}
    assert len(unknown) >= 8  # the four tables' price rows, each reported
    assert len(problems) > len(healthy_problems)


def test_an_openai_section_heading_moved_below_its_table_lends_it_no_modality() -> None:
    """ "### Audio tokens" (with its "Prices per 1M tokens.") moved below its table: the audio
    table fell under "### Image tokens", and gpt-4o-realtime-preview's $40 audio input was read
    as an image input price. The Image tokens section then holds two tables of one tier: their
    rows are reported, and nothing is read from them."""
    recorded = snapshot(PAGES + "openai-pricing.2025-12-17.llmdocs.md")
    heading = b"### Audio tokens\n\nPrices per 1M tokens.\n\n"
    start = recorded.index(heading)
    end = recorded.index(b"### Video", start)
    table = recorded[start + len(heading) : end]
    moved = recorded[:start] + table + heading + recorded[end:]
    healthy, healthy_problems = run(openai_page, recorded, OPENAI_URL)
    drafts, problems = run(openai_page, moved, OPENAI_URL)

    def stated(found: list[Draft]) -> set[tuple[str, str, str, Decimal]]:
        return {(d.source_model, d.component, d.dimensions.key, d.value) for d in found}

    assert stated(drafts) < stated(healthy)
    sections = ("Pricing > Image tokens ", "Pricing > Audio tokens ")
    assert [d for d in healthy if d.evidence.startswith(sections)]
    assert not [d for d in drafts if d.evidence.startswith(sections)]
    unknown = {p.record for p in problems if p.rule == "section unknown"}
    assert len(unknown) == 6 + 8  # the image and the audio table's rows
    assert len(problems) == len(healthy_problems) + len(unknown)


def test_an_anthropic_batch_table_whose_columns_lose_the_word_stays_batch() -> None:
    """ "| Model | Batch input | Batch output |" written "| Model | Input | Output |" under
    "### Batch processing": its rows read as standard prices, half the real ones (a model only
    the batch table lists was stated at its batch price as its standard one). The heading
    names the tier: the prices read as recorded."""
    recorded = snapshot(PAGES + "anthropic-pricing.2025-12-19.llmdocs.md")
    header = b"| Model             | Batch input      | Batch output    |"
    assert header in recorded
    renamed = recorded.replace(header, b"| Model             | Input      | Output    |", 1)
    only_in_batch = b"| Claude Haiku 3    | $0.25 / MTok "
    assert only_in_batch in renamed
    renamed = renamed.replace(only_in_batch, b"| Claude Haiku 2    | $0.25 / MTok ", 1)
    recorded = recorded.replace(only_in_batch, b"| Claude Haiku 2    | $0.25 / MTok ", 1)
    healthy, _ = run(anthropic_page, recorded, ANTHROPIC_URL)
    drafts, _ = run(anthropic_page, renamed, ANTHROPIC_URL)

    def stated(found: list[Draft]) -> set[tuple[str, str, str, Decimal]]:
        return {(d.source_model, d.component, d.dimensions.key, d.value) for d in found}

    assert stated(drafts) == stated(healthy)
    assert ("claude-3-haiku", "input", "service_tier=batch", Decimal("0.125")) in stated(drafts)


HEADERS = {  # (module, page, url, a header line as recorded, with footnotes on its headings)
    "openai": (
        openai_page,
        "openai-pricing.2025-12-17.llmdocs.md",
        OPENAI_URL,
        b"| Model | Input | Cached input | Output |",
        b"| Model | Input\xc2\xb9 | Cached input [1] | Output<sup>*</sup> |",
    ),
    "anthropic": (
        anthropic_page,
        "anthropic-pricing.2025-12-19.llmdocs.md",
        ANTHROPIC_URL,
        b"| Model             | Base Input Tokens | 5m Cache Writes | 1h Cache Writes |",
        b"| Model             | Base Input Tokens\xc2\xb9 | 5m Cache Writes [1] | 1h Cache "
        b"Writes<sup>*</sup> |",
    ),
}


@pytest.mark.parametrize("source", sorted(HEADERS))
def test_footnotes_on_column_headings_leave_the_columns_as_they_are(source: str) -> None:
    """ "Input¹", "Cached input [1]", "Output<sup>*</sup>": the OpenAI columns were unknown
    columns (every cell of them quarantined); a heading is read without its footnotes."""
    module, name, url, header, noted = HEADERS[source]
    recorded = snapshot(PAGES + name)
    assert header in recorded
    healthy, healthy_problems = run(module, recorded, url)
    drafts, problems = run(module, recorded.replace(header, noted, 1), url)

    def stated(found: list[Draft]) -> set[tuple[str, str, str, Decimal]]:
        return {(d.source_model, d.component, d.dimensions.key, d.value) for d in found}

    assert stated(drafts) == stated(healthy)
    assert len(problems) == len(healthy_problems)


CONSENT = (
    "<h1>We value your privacy</h1><p>We use cookies to improve your experience. Choose which "
    "cookies you allow; you can change this at any time. {filler}</p>"
    "<table><tr><th>Cookie</th><th>Purpose</th><th>Duration</th></tr>"
    "<tr><td>__cf_bm</td><td>Bot management</td><td>30 minutes</td></tr>"
    "<tr><td>_ga</td><td>Analytics</td><td>2 years</td></tr></table>"
    "<button>Accept all</button><button>Reject all</button>"
)


@pytest.mark.parametrize("source", sorted(CELLS))
def test_a_consent_wall_answered_200_is_no_page_of_prices(source: str) -> None:
    """The real page's document with its body replaced by a cookie-consent wall (a cookie
    table, more than a shell's text, no script): the page states no price, so the body is
    Unparsable (the source fails itself), never read as a page that lists no models
    (checked: a regression test)."""
    cell = CELLS[source]
    document = as_document(cell.file)
    body = document[: document.index("<body>") + len("<body>")]
    wall = CONSENT.format(filler="Strictly necessary cookies are always on. " * 20)
    with pytest.raises(Unparsable, match="no price"):
        cell.module.parse(f"{body}{wall}</body></html>".encode(), cell.url)


# A prompt-size threshold as pages write it: (module, url, file, the recorded text of it).
THRESHOLDS = {
    "gemini": (gemini_page, GEMINI_URL, "gemini-pricing.2025-11-21.devsite-md.md", b"\\> 200k"),
    "anthropic": (
        anthropic_page,
        ANTHROPIC_URL,
        "anthropic-pricing.2025-12-19.llmdocs.md",
        b"| > 200K input tokens |",
    ),
}


def tiered(drafts: list[Draft]) -> set[tuple[str, str, str, Decimal]]:
    """Each price a context tier states: (model, component, dimensions, value)."""
    return {
        (d.source_model, d.component.value, d.dimensions.key, d.value)
        for d in drafts
        if "context_above" in d.dimensions.key
    }


@pytest.mark.parametrize("grouping", [",", "\u00a0", "\u202f", " "])
@pytest.mark.parametrize("source", sorted(THRESHOLDS))
def test_a_threshold_with_grouped_thousands_reads_as_the_count(source: str, grouping: str) -> None:
    """A fault round: "prompts > 200,000 tokens" was read as above 200 tokens (the count
    stopped at the comma): long-context prices proposed for every prompt over 200 tokens."""
    module, url, file, recorded = THRESHOLDS[source]
    body = snapshot(PAGES + file)
    healthy, _ = run(module, body, url)
    written = recorded.replace(b"200k", f"200{grouping}000".encode()).replace(
        b"200K", f"200{grouping}000".encode()
    )
    drafts, _ = run(module, body.replace(recorded, written), url)
    assert tiered(drafts) == tiered(healthy) != set()


@pytest.mark.parametrize("cut", ["200,00", "200\u066b5K", "200.000,5"])
@pytest.mark.parametrize("source", sorted(THRESHOLDS))
def test_a_threshold_not_read_whole_is_quarantined(source: str, cut: str) -> None:
    """A count followed by another separator and digits is no count this reads: its tier's
    prices are quarantined ("context tier unknown"), never read above the digits before it."""
    module, url, file, recorded = THRESHOLDS[source]
    body = snapshot(PAGES + file)
    healthy, healthy_problems = run(module, body, url)
    written = recorded.replace(b"200k", cut.encode()).replace(b"200K", cut.encode())
    drafts, problems = run(module, body.replace(recorded, written), url)
    assert not tiered(drafts) - tiered(healthy)
    assert len(problems) > len(healthy_problems)


JOINED = {
    "openai": (b"| gpt-4.1-mini ", b"| gpt-4.1-mini / gpt-4.1-nano ", "gpt-4.1-mini-gpt-4.1-nano"),
    "anthropic": (
        b"| Claude Opus 4.5 ",
        b"| Claude Opus 4.5 and Opus 4.1 ",
        "claude-opus-4-5-and-opus-4-1",
    ),
}


@pytest.mark.parametrize("source", sorted(JOINED))
def test_a_model_cell_naming_two_models_prices_neither(source: str) -> None:
    """Fault round 9: OpenAI's gpt-4.1-mini row renamed "gpt-4.1-mini / gpt-4.1-nano" (same
    cells) was read as one model, "gpt-4.1-mini-gpt-4.1-nano", and proposed as a new model. A
    Model cell that joins names prices no one model: the row is quarantined, and each name it
    joins counts as named (its fields stand as last stated)."""
    cell = CELLS[source]
    recorded, joined, made_up = JOINED[source]
    body = snapshot(PAGES + cell.file)
    healthy, healthy_problems = run(cell.module, body, cell.url)
    changed = body.replace(recorded, joined)
    assert changed.count(joined) == body.count(recorded) > 0
    drafts, problems = run(cell.module, changed, cell.url)
    assert made_up not in {d.source_model for d in drafts}
    assert {d.source_model for d in drafts} <= {d.source_model for d in healthy}
    several = [p for p in problems if p.rule == SEVERAL_MODELS_RULE]
    assert 0 < len(several) <= body.count(recorded)  # (one mention may be in another table)
    assert SEVERAL_MODELS_RULE not in {p.rule for p in healthy_problems}
    name = joined.decode().strip("| ")
    rows = [r for r in cell.module.parse(changed, cell.url).records if name in r["text"]]
    assert rows and all(len(cell.module.names(r)) == 2 for r in rows)


# (recorded text naming the model, the same with a note beside the name, the model's id)
NOTED = {
    "openai new": ("openai", b"| gpt-5.2 ", b"| gpt-5.2 New ", "gpt-5.2"),
    "openai deprecated": ("openai", b"| gpt-5.2 ", b"| gpt-5.2 (deprecated) ", "gpt-5.2"),
    "anthropic new": ("anthropic", b"| Claude Opus 4.5 ", b"| Claude Opus 4.5 New ", ""),
    "anthropic star": ("anthropic", b"| Claude Opus 4.5 ", "| Claude Opus 4.5 ⭐ ".encode(), ""),
    "anthropic dash": (
        "anthropic",
        b"| Claude Opus 4.5 ",
        "| Claude Opus 4.5 — Latest ".encode(),
        "",
    ),
    "anthropic bracket": ("anthropic", b"| Claude Opus 4.5 ", b"| Claude Opus 4.5 [legacy] ", ""),
    "anthropic escaped pipe": (
        "anthropic",
        b"| Claude Opus 4.5 ",
        b"| Claude Opus 4.5 \\| legacy ",
        "",
    ),
    "deepseek": ("deepseek", b"|  deepseek-chat|", b"|  deepseek-chat (NEW)|", "deepseek-chat"),
    "gemini": (
        "gemini",
        b"*`gemini-3-pro-preview`*",
        b"*`gemini-3-pro-preview`* New",
        "gemini-3-pro-preview",
    ),
}


@pytest.mark.parametrize("case", sorted(NOTED))
def test_a_note_beside_a_model_name_prices_no_model(case: str) -> None:
    """Fault round 11: a badge beside a model's name ("Claude Opus 4.5 New", "gpt-5.2 New",
    "deepseek-chat (NEW)", a Gemini id line "`gemini-3-pro-preview` New") was read into the
    name (claude-opus-4.5-new proposed as a new model; other sources' names mapped to a made-up
    one) or dropped its column without a word (DeepSeek: the page read ok, three prices fewer).
    Whether a note qualifies the prices or only badges the name the reader cannot tell: the
    rows are quarantined, and the name counts as named (its fields stand as last stated)."""
    source, recorded, noted, model = NOTED[case]
    cell = CELLS[source]
    model = model or cell.model
    body = snapshot(PAGES + cell.file)
    healthy, healthy_problems = run(cell.module, body, cell.url)
    changed = body.replace(recorded, noted)
    assert changed.count(noted) == body.count(recorded) > 0
    drafts, problems = run(cell.module, changed, cell.url)
    assert model in {d.source_model for d in healthy}
    assert {d.source_model for d in drafts} < {d.source_model for d in healthy}
    assert {p.rule for p in problems} - {p.rule for p in healthy_problems} == {NOTED_RULE}
    records = cell.module.parse(changed, cell.url).records
    priced = {r["record"] for r in records} & {p.record for p in problems if p.rule == NOTED_RULE}
    assert all(
        (cell.module.ROUTE, model) in cell.module.names(r) for r in records if r["record"] in priced
    )


def test_a_gemini_section_without_its_id_line_names_no_model_from_its_heading() -> None:
    """Fault round 11: the id line under "Gemini 2.5 Flash Preview" written otherwise made the
    heading the id: gemini-2.5-flash-preview (another, older model) was proposed with the
    prices of gemini-2.5-flash-preview-09-2025."""
    cell = CELLS["gemini"]
    body = snapshot(PAGES + cell.file)
    line = b"*`gemini-2.5-flash-preview-09-2025`*\n"
    assert body.count(line) == 1
    healthy, _ = run(cell.module, body, cell.url)
    drafts, problems = run(cell.module, body.replace(line, b""), cell.url)
    assert {d.source_model for d in drafts} == {d.source_model for d in healthy} - {
        "gemini-2.5-flash-preview-09-2025"
    }
    assert "gemini-2.5-flash-preview" not in {d.source_model for d in drafts}
    assert any(p.rule == "no model named" for p in problems)


def test_an_anthropic_name_in_the_order_older_pages_wrote_is_the_same_model() -> None:
    """ "Claude 3.5 Haiku" (Anthropic's order before Claude 4) was read as claude-3.5-haiku, a
    model of its own, and other sources' names followed it; it is claude-3-5-haiku, as "Claude
    Haiku 3.5" is."""
    cell = CELLS["anthropic"]
    body = snapshot(PAGES + cell.file)
    healthy, _ = run(cell.module, body, cell.url)
    drafts, _ = run(cell.module, body.replace(b"Claude Haiku 3.5", b"Claude 3.5 Haiku"), cell.url)
    assert "claude-3-5-haiku" in {d.source_model for d in healthy}
    assert {(d.source_model, d.component, d.dimensions, d.value) for d in drafts} == {
        (d.source_model, d.component, d.dimensions, d.value) for d in healthy
    }
