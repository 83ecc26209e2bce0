"""A unit is a fact the page states, in every place it states one.

Variants of the real recorded pricing pages, made here: a row label, a price or the prose
above a table that states another unit than the rest of the page. What the page states
consistently is read in that unit; where its statements disagree, which price it means is a
guess, so that row is quarantined as unit-ambiguous (never read in the prose's unit).
"""

from __future__ import annotations

import re
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

from schemas.fetch import Unparsable
from schemas.vocab import Kind
from spiders import anthropic_page, deepseek_page, gemini_page, openai_page, openrouter
from tests.conftest import snapshot
from tests.drafts import rules as field_rules
from tests.test_openrouter_parser import AUGUST, record
from tests.test_pricing_pages import (
    ANTHROPIC_URL,
    DEEPSEEK_URL,
    GEMINI_URL,
    OPENAI_URL,
    PAGES,
    html_of,
    run,
)

DEEPSEEK = snapshot("pricing-pages/deepseek-pricing.en.2025-12-18.llmdocs.md")
PROSE = b"The prices listed below are in units of per 1M tokens."
M = Decimal


def prices(body: bytes) -> dict[tuple[str, str], Decimal]:
    drafts, _ = run(deepseek_page, body, DEEPSEEK_URL)
    assert {d.unit.value for d in drafts} <= {"usd_per_1m_tokens"}
    return {(d.source_model, d.component.value): d.value for d in drafts}


def rules(body: bytes) -> dict[str, str]:
    """Each quarantined row's rule, by the row's first text."""
    _, problems = run(deepseek_page, body, DEEPSEEK_URL)
    return {p.record.split(": ", 1)[1]: p.rule for p in problems}


def test_the_recorded_page_states_one_unit_everywhere() -> None:
    assert PROSE in DEEPSEEK and b"1M INPUT TOKENS (CACHE HIT)" in DEEPSEEK
    assert prices(DEEPSEEK)[("deepseek-chat", "cache_read")] == M("0.028")
    assert not rules(DEEPSEEK)


def test_a_row_labelled_in_another_unit_than_the_prose_is_unit_ambiguous() -> None:
    body = DEEPSEEK.replace(b"1M INPUT TOKENS (CACHE HIT)", b"1K INPUT TOKENS (CACHE HIT)")
    read = prices(body)
    # the row's price is not read per 1M (as the prose says) nor per 1K (as its label does)
    assert ("deepseek-chat", "cache_read") not in read
    assert rules(body) == {"PRICING": "unit-ambiguous"}
    # the other rows, which agree with the prose, read as recorded
    assert read[("deepseek-chat", "input")] == M("0.28")
    assert read[("deepseek-reasoner", "output")] == M("0.42")


def test_a_label_ending_in_its_own_per_phrase_states_that_unit() -> None:
    """A fault round wrote the output row's label "OUTPUT TOKENS (per 1K)": its count was read
    from nowhere, the prose's per 1M stood alone, and $0.42 was read per 1M. The label's own
    "per 1K" is a unit it states: against the prose's, the row is unit-ambiguous; under prose
    that says per 1K too, it is read so."""
    body = DEEPSEEK.replace(b"1M OUTPUT TOKENS", b"OUTPUT TOKENS (per 1K)")
    assert ("deepseek-chat", "output") not in prices(body)
    assert rules(body) == {"OUTPUT TOKENS (per 1K)": "unit-ambiguous"}
    assert prices(body)[("deepseek-chat", "input")] == M("0.28")
    agreeing = body.replace(PROSE, PROSE.replace(b"1M", b"1K")).replace(b"1M ", b"1K ")
    assert prices(agreeing)[("deepseek-chat", "output")] == M("420")


def test_prose_in_another_unit_than_every_row_label_is_unit_ambiguous() -> None:
    body = DEEPSEEK.replace(PROSE, PROSE.replace(b"1M", b"1K"))
    assert prices(body) == {}
    assert set(rules(body).values()) == {"unit-ambiguous"} and len(rules(body)) == 3


def test_a_page_stating_per_1k_everywhere_is_read_per_1k() -> None:
    body = DEEPSEEK.replace(b"1M ", b"1K ")
    assert PROSE.replace(b"1M", b"1K") in body
    read = prices(body)
    assert read[("deepseek-chat", "cache_read")] == M("28")
    assert read[("deepseek-reasoner", "output")] == M("420")
    assert not rules(body)


@pytest.mark.parametrize("count", [b"10K", b"100"])
def test_a_row_label_of_a_count_with_no_unit_is_refused(count: bytes) -> None:
    body = DEEPSEEK.replace(b"1M OUTPUT TOKENS", count + b" OUTPUT TOKENS")
    assert ("deepseek-chat", "output") not in prices(body)
    assert set(rules(body).values()) == {"unknown unit"}


# --- a column the page added ----------------------------------------------------------------

OPENAI = snapshot("pricing-pages/openai-pricing.2025-12-17.llmdocs.md")
ANTHROPIC = snapshot("pricing-pages/anthropic-pricing.2025-12-19.llmdocs.md")


def with_column(body: bytes, header: str, after: int, name: str, price: str) -> bytes:
    """`body` with a column `name` inserted after cell `after` of every table whose header row
    starts with `header` (each row's new cell `price`)."""
    lines, inside = [], False
    for line in body.decode().split("\n"):
        cells = line.split("|")
        if line.startswith(header):
            inside, new = True, f" {name} "
        elif inside and line.startswith("|"):
            new = " --- " if set(cells[1].strip()) <= set("-:") else f" {price} "
        else:
            inside, new = False, None
        if new is not None:
            cells.insert(after + 1, new)
        lines.append("|".join(cells))
    return "\n".join(lines).encode()


def drafts_of(module: ModuleType, body: bytes, url: str) -> dict[tuple[str, str, str], Decimal]:
    drafts, _ = run(module, body, url)
    return {(d.source_model, d.component.value, d.dimensions.key): d.value for d in drafts}


def test_a_column_the_openai_page_added_is_quarantined_and_the_rows_read() -> None:
    body = with_column(OPENAI, "| Model | Input | Cached input | Output |", 3, "Cache write", "$1")
    assert body.count(b"| Cache write |") == 4
    drafts, problems = run(openai_page, body, OPENAI_URL)
    added = [p for p in problems if p.rule == "unknown column"]
    assert added and all("Cache write" in p.detail for p in added)
    # every price the recorded page states is still read, and only those
    assert drafts_of(openai_page, body, OPENAI_URL) == drafts_of(openai_page, OPENAI, OPENAI_URL)
    assert len(drafts) == 463


def test_a_cache_write_of_another_lifetime_is_not_the_default_one() -> None:
    body = with_column(
        ANTHROPIC, "| Model             | Base Input Tokens", 3, "30m Cache Writes", "$4.50 / MTok"
    )
    assert b"| 30m Cache Writes |" in body
    _, problems = run(anthropic_page, body, ANTHROPIC_URL)
    assert {p.rule for p in problems} == {"unknown cache lifetime"}
    # the 5-minute write is read as the page states it, not taken for a conflict with the new one
    recorded = drafts_of(anthropic_page, ANTHROPIC, ANTHROPIC_URL)
    assert drafts_of(anthropic_page, body, ANTHROPIC_URL) == recorded
    assert recorded[("claude-sonnet-4-5", "cache_write", "cache_ttl=5m")] == M("3.75")


# --- an HTML page cut short -----------------------------------------------------------------

HTML_PAGES = [
    (deepseek_page, "deepseek-pricing.en.2025-12-18.llmdocs.md", DEEPSEEK_URL, "$0.42"),
    (openai_page, "openai-pricing.2025-12-17.llmdocs.md", OPENAI_URL, "$0.875"),
    (anthropic_page, "anthropic-pricing.2025-12-19.llmdocs.md", ANTHROPIC_URL, "$6.25"),
]


def as_document(name: str) -> str:
    """The recorded Markdown page as the HTML document its live page is (the one table reader
    reads both alike)."""
    table = html_of(name).decode()
    return f"<!DOCTYPE html><html><head><title>Pricing</title></head><body>{table}</body></html>"


OPENAI_PAGE = "openai-pricing.2025-12-17.llmdocs.md"
IMAGE_TOKENS = "<h3>Image tokens</h3>\n<p>Prices per 1M tokens.</p>\n<table>"


def captioned(caption: str, prose: bool = False, heading: str = "Image tokens") -> bytes:
    """The OpenAI page as an HTML document whose image-token table states its unit in a
    <caption> (empty: none), with or without the section's prose above it."""
    document = as_document(OPENAI_PAGE)
    assert document.count(IMAGE_TOKENS) == 1
    above = "<p>Prices per 1M tokens.</p>\n" if prose else ""
    titled = f"<caption>{caption}</caption>" if caption else ""
    return document.replace(IMAGE_TOKENS, f"<h3>{heading}</h3>\n{above}<table>{titled}").encode()


def image_token_rules(body: bytes) -> dict[str, set[str]]:
    """The rules of the image-token table's quarantined rows, by rule: the models' names."""
    table = {
        r["record"]
        for r in openai_page.parse(body, OPENAI_URL).records
        if r["sections"][-1]["title"].startswith("Image tokens")
    }
    assert len(table) == 6
    _, problems = run(openai_page, body, OPENAI_URL)
    found: dict[str, set[str]] = {}
    for p in problems:
        if p.record in table:
            found.setdefault(p.rule, set()).add(p.record.split(": ", 1)[1])
    return found


IMAGE_MODELS = {
    "gpt-image-1.5",
    "chatgpt-image-latest",
    "gpt-image-1",
    "gpt-image-1-mini",
    "gpt-realtime",
    "gpt-realtime-mini",
}
Priced = tuple[str, str, str, str, Decimal]  # model, component, dimensions, unit, value


def split_image_tokens(body: bytes) -> tuple[dict[tuple[str, str, str], Decimal], set[Priced]]:
    """The page's prices outside the image-token table, and the image-token table's."""
    drafts, _ = run(openai_page, body, OPENAI_URL)
    others: dict[tuple[str, str, str], Decimal] = {}
    image: set[Priced] = set()
    for d in drafts:
        key = (d.source_model, d.component.value, d.dimensions.key)
        if "Image tokens" in d.evidence:
            image.add((*key, d.unit.value, d.value))
        else:
            others[key] = d.value
    return others, image


def test_a_unit_stated_only_in_a_table_caption_is_read_as_a_heading_unit() -> None:
    others, image = split_image_tokens(OPENAI)
    assert ("gpt-image-1", "input", "modality=image", "usd_per_1m_tokens", M("10")) in image
    assert len(image) == 16
    # without the prose and without a caption the table states no unit: nothing read from it
    assert split_image_tokens(captioned("")) == (others, set())
    assert image_token_rules(captioned("")) == {"no unit stated": IMAGE_MODELS}
    # the same unit in the table's caption alone reads every price as recorded
    for caption in ("Prices per 1M tokens", "Image tokens (USD per 1M tokens)"):
        assert split_image_tokens(captioned(caption)) == (others, image), caption
        assert image_token_rules(captioned(caption)) == {}


def test_a_caption_in_another_unit_than_the_prose_or_a_heading_is_unit_ambiguous() -> None:
    others, _ = split_image_tokens(OPENAI)
    for body in (
        captioned("Prices per 1K tokens", prose=True),
        captioned("Prices per 1M tokens", heading="Image tokens (per 1K tokens)"),
    ):
        assert split_image_tokens(body) == (others, set())
        assert image_token_rules(body) == {"unit-ambiguous": IMAGE_MODELS}


def test_a_cell_in_another_count_than_the_caption_is_unit_ambiguous() -> None:
    body = captioned("Prices per 1M tokens").decode()
    cell = body.index("<td>$10.00</td>", body.index("<caption>"))  # gpt-image-1's input
    changed = f"{body[:cell]}<td>$10.00 / 1K tokens</td>{body[cell + 15 :]}".encode()
    others, image = split_image_tokens(OPENAI)
    lost = ("gpt-image-1", "input", "modality=image", "usd_per_1m_tokens", M("10"))
    assert split_image_tokens(changed) == (others, image - {lost})
    assert image_token_rules(changed) == {"unit-ambiguous": {"gpt-image-1"}}


MODEL_HEADER = re.compile(r"<thead>\n<tr>\n<th>Model</th>\n((?:<th>[^<]*</th>\n)+)</tr>\n</thead>")


def grouped(label: str, only: str = "") -> bytes:
    """The OpenAI page as an HTML document whose tables headed "Model" (after the heading
    `only`, if given: that section's table alone) group their price columns under one header
    cell `label` (colspan), "Model" spanning both header rows: a common layout of price tables."""
    document = as_document(OPENAI_PAGE)
    start = document.index(f"<h3>{only}</h3>") if only else 0

    def group(found: re.Match[str]) -> str:
        columns = found[1].count("<th>")
        return (
            f'<thead>\n<tr>\n<th rowspan="2">Model</th>\n<th colspan="{columns}">{label}</th>\n'
            f"</tr>\n<tr>\n{found[1]}</tr>\n</thead>"
        )

    count = 1 if only else 0
    rest = MODEL_HEADER.sub(group, document[start:], count=count)
    assert rest != document[start:]
    return (document[:start] + rest).encode()


def test_a_header_cell_grouping_the_price_columns_labels_them_all() -> None:
    """A fault round: every "Model" table of the page (as HTML) with "Price" spanning its price
    columns read "Price Input", "Price Output"..., columns the page module does not know: 489
    cells quarantined, the official source failed (validation collapse). The columns keep the
    names the last header row gives them; the label groups them."""
    drafts, problems = run(openai_page, grouped("Price"), OPENAI_URL)
    recorded, quarantined = run(openai_page, OPENAI, OPENAI_URL)
    assert drafts == recorded
    assert [str(e) for e in problems] == [str(e) for e in quarantined]


ANTHROPIC_PAGE = "anthropic-pricing.2025-12-19.llmdocs.md"
CACHE_WRITES = "<th>5m Cache Writes</th>\n<th>1h Cache Writes</th>\n"


def test_a_header_cell_naming_its_columns_stays_in_their_names() -> None:
    """A fault round: the Anthropic page (as HTML) with "Cache Writes" spanning "5m" and "1h"
    lost the component once every spanning header cell was taken for a label: 20 official
    cache-write prices quarantined as of unknown columns. A spanning cell that names what its
    columns state (not merely that they are prices) is part of each one's name."""
    document = as_document(ANTHROPIC_PAGE)
    assert document.count(CACHE_WRITES) == 1
    head = document.index("<thead>", document.index("<h2>Model pricing</h2>"))
    end = document.index("</thead>", head)
    header = document[head:end].replace("<th>", '<th rowspan="2">')
    header = header.replace(
        CACHE_WRITES.replace("<th>", '<th rowspan="2">'),
        '<th colspan="2">Cache Writes</th>\n',
    )
    grouped = f"{header}</tr>\n<tr>\n<th>5m</th>\n<th>1h</th>\n"
    body = (document[:head] + grouped + document[end:]).encode()
    drafts, problems = run(anthropic_page, body, ANTHROPIC_URL)
    recorded, quarantined = run(anthropic_page, as_document(ANTHROPIC_PAGE).encode(), ANTHROPIC_URL)
    read = [(d.source_model, d.measure, d.value) for d in drafts]  # its evidence names "5m" anew
    assert read == [(d.source_model, d.measure, d.value) for d in recorded]
    assert problems == quarantined == []


def test_a_unit_in_a_header_group_is_read_as_a_caption_unit() -> None:
    """A group label that states a unit is read as the table's caption is: the same unit as the
    prose reads the table as recorded, another makes its prices unit-ambiguous."""
    others, image = split_image_tokens(OPENAI)
    for label in ("Price per 1M tokens", "USD per 1M tokens", "Pricing ($ per 1M tokens)"):
        same = grouped(label, only="Image tokens")
        assert split_image_tokens(same) == (others, image), label
    other = grouped("Price per 1K tokens", only="Image tokens")
    assert split_image_tokens(other) == (others, set())
    assert image_token_rules(other) == {"unit-ambiguous": IMAGE_MODELS}


@pytest.mark.parametrize(("module", "name", "url", "price"), HTML_PAGES)
def test_an_html_page_cut_inside_a_price_is_a_truncated_body(
    module: ModuleType, name: str, url: str, price: str
) -> None:
    document = as_document(name)
    assert drafts_of(module, document.encode(), url) == drafts_of(
        module, snapshot(PAGES + name), url
    )
    cut = document[: document.index(price) + 4]  # "$0.4" of "$0.42": a price cut short
    with pytest.raises(Unparsable, match="truncated body: it ends inside a table"):
        module.parse(cut.encode(), url)


@pytest.mark.parametrize(("module", "name", "url", "price"), HTML_PAGES)
def test_an_html_document_cut_between_tables_is_a_truncated_body(
    module: ModuleType, name: str, url: str, price: str
) -> None:
    document = as_document(name)
    cut = document[: document.index("</table>") + len("</table>")]  # its first table, whole
    with pytest.raises(Unparsable, match="truncated body: the document ends without its </html>"):
        module.parse(cut.encode(), url)


# --- a unit the column heading states ------------------------------------------------------

TOKEN_TABLE = "| Model | Input | Cached input | Output |"


def headed(body: bytes, header: str, suffix: str, scale: Decimal = Decimal(1)) -> bytes:
    """`body` with `suffix` after each price column's heading of the tables whose header row is
    `header`, and each "$x" amount of theirs (no "per" of its own) scaled by `scale`."""
    lines, inside = [], False
    for line in body.decode().split("\n"):
        cells = line.split("|")
        if line.startswith(header):
            inside = True
            cells = cells[:2] + [f" {c.strip()} {suffix} " if c.strip() else c for c in cells[2:]]
        elif inside and line.startswith("|"):
            cells = [
                f" ${Decimal(c.strip()[1:]) * scale:f} " if c.strip().startswith("$") else c
                for c in cells
            ]
        else:
            inside = False
        lines.append("|".join(cells))
    return "\n".join(lines).encode()


def test_openai_columns_stating_their_unit_read_in_it() -> None:
    body = headed(OPENAI, TOKEN_TABLE, "(per 1M tokens)")
    assert b"| Input (per 1M tokens) | Cached input (per 1M tokens) |" in body
    assert drafts_of(openai_page, body, OPENAI_URL) == drafts_of(openai_page, OPENAI, OPENAI_URL)


def test_openai_columns_in_another_unit_than_their_section_are_unit_ambiguous() -> None:
    # the same prices written per 1K tokens in the headings, under "Prices per 1M tokens."
    body = headed(OPENAI, TOKEN_TABLE, "(per 1K tokens)", Decimal("0.001"))
    assert b"| gpt-5.2 | $0.000875 |" in body
    read = drafts_of(openai_page, body, OPENAI_URL)
    assert ("gpt-5.2", "input", "service_tier=standard") not in read
    _, problems = run(openai_page, body, OPENAI_URL)
    assert {p.rule for p in problems} == {"unit-ambiguous", "price not tied to a model"}


def anthropic_input_per_1k(rescale: bool) -> bytes:
    """The recorded page with its model table's "Base Input Tokens" heading stating "(per 1K
    tokens)", and each of that column's "$x / MTok" cells written per 1K ("$0.003") when
    `rescale`, else left as recorded."""
    lines, inside = [], False
    for line in ANTHROPIC.decode().split("\n"):
        cells = line.split("|")
        if line.startswith("| Model ") and "Base Input Tokens" in line:
            inside = True
            cells[2] = " Base Input Tokens (per 1K tokens) "
        elif inside and line.startswith("|"):
            amount = cells[2].strip().removesuffix(" / MTok").removeprefix("$")
            if rescale and amount != cells[2].strip():
                cells[2] = f" ${Decimal(amount) / 1000:f} "
        else:
            inside = False
        lines.append("|".join(cells))
    return "\n".join(lines).encode()


def test_an_anthropic_heading_stating_its_unit_is_read_in_it() -> None:
    body = anthropic_input_per_1k(rescale=True)
    assert b"| Base Input Tokens (per 1K tokens) |" in body and b"| $0.003 |" in body
    read = drafts_of(anthropic_page, body, ANTHROPIC_URL)
    assert read == drafts_of(anthropic_page, ANTHROPIC, ANTHROPIC_URL)
    assert read[("claude-sonnet-4-5", "input", "")] == M("3")


def test_an_anthropic_cell_in_another_unit_than_its_heading_is_unit_ambiguous() -> None:
    body = anthropic_input_per_1k(rescale=False)  # "$3 / MTok" under "(per 1K tokens)"
    read = drafts_of(anthropic_page, body, ANTHROPIC_URL)
    assert ("claude-sonnet-4-5", "input", "") not in read
    assert read[("claude-sonnet-4-5", "output", "")] == M("15")
    _, problems = run(anthropic_page, body, ANTHROPIC_URL)
    assert {p.rule for p in problems} == {"unit-ambiguous"}
    assert len(problems) == sum(
        1 for _, component, dims in read if component == "output" and not dims
    )


GEMINI = snapshot("pricing-pages/gemini-pricing.2025-11-21.devsite-md.md")


def test_a_gemini_row_labelled_in_another_unit_than_its_column_is_unit_ambiguous() -> None:
    recorded = drafts_of(gemini_page, GEMINI, GEMINI_URL)
    body = GEMINI.replace(b"| Input price ", b"| Input price (per 1K tokens) ")
    read = drafts_of(gemini_page, body, GEMINI_URL)
    _, problems = run(gemini_page, body, GEMINI_URL)
    ambiguous = [p for p in problems if p.rule == "unit-ambiguous"]
    assert ambiguous and all("Input price (per 1K tokens)" in p.detail for p in ambiguous)
    # those rows' input prices are not read in the column's unit (per 1M), nor any other
    assert set(read) < set(recorded)
    assert all(recorded[key] == value for key, value in read.items())
    assert {component for _, component, _ in set(recorded) - set(read)} == {"input"}


def test_a_gemini_row_labelled_in_its_columns_unit_reads_as_recorded() -> None:
    body = GEMINI.replace(b"| Input price ", b"| Input price (per 1M tokens) ")
    assert drafts_of(gemini_page, body, GEMINI_URL) == drafts_of(gemini_page, GEMINI, GEMINI_URL)


# --- OpenRouter: a discount the prices may or may not include -------------------------------


@pytest.mark.parametrize("discount", [Decimal("0.25"), "0.25", "half"])
def test_an_openrouter_discount_leaves_the_prices_beside_it_unread(discount: Any) -> None:
    """Its documentation multiplies the stated prices by (1 - discount): whether a listing's
    prices already include it is not stated, so each price is one of two amounts. Only the
    discount field was quarantined, and the undiscounted prices read as the model's."""
    raw = record(AUGUST, "openai/gpt-4o")
    plain = openrouter.normalize(raw)
    raw["pricing"]["discount"] = discount
    found = openrouter.normalize(raw)
    assert not [d for d in found if d.kind is Kind.PRICE]
    priced = {f"pricing.{key}" for key in raw["pricing"] if key not in ("overrides", "discount")}
    found_rules = field_rules(found)
    assert found_rules.pop("pricing.discount") in ("discount", "not a number")  # "half"
    assert found_rules == dict.fromkeys(priced, "discount")
    # its limits and capabilities are read as without the discount
    assert [d for d in found] == [d for d in plain if d.kind is not Kind.PRICE]


# --- a threshold that takes in its own number -------------------------------------------------


@pytest.mark.parametrize(
    ("stated", "above"), [("> 200K", "200000"), ("≥ 200K", "199999"), (">= 200K", "199999")]
)
def test_an_anthropic_long_context_column_reads_its_threshold_as_written(
    stated: str, above: str
) -> None:
    """ "> 200K" prices prompts from 200,001 tokens (above 200000); "≥ 200K" takes in a prompt
    of exactly 200,000, so it is above 199999 (as Vercel's `min: 272000`): read alike, a prompt
    at the threshold is priced at the wrong tier (genai-prices #587, xAI's and OpenAI's
    inclusive thresholds)."""
    body = ANTHROPIC.replace(b"| > 200K input tokens |", f"| {stated} input tokens |".encode())
    read = drafts_of(anthropic_page, body, ANTHROPIC_URL)
    assert read[("claude-sonnet-4-5", "input", f"context_above={above}")] == M("6")


@pytest.mark.parametrize(
    ("stated", "above"), [(rb"\> 200k", "200000"), (b"\xe2\x89\xa5 200k", "199999")]
)
def test_a_gemini_prompt_size_reads_its_threshold_as_written(stated: bytes, above: str) -> None:
    body = GEMINI.replace(rb"prompts \> 200k", b"prompts " + stated)
    tiers = {dims for _, _, dims in drafts_of(gemini_page, body, GEMINI_URL) if "above" in dims}
    assert tiers and all(f"context_above={above}" in dims for dims in tiers)


def test_a_table_spelled_in_a_comment_or_script_is_no_cut() -> None:
    """A whole page whose comments or inlined scripts spell "<table" is read as whole."""
    name, url = "deepseek-pricing.en.2025-12-18.llmdocs.md", DEEPSEEK_URL
    document = as_document(name).replace(
        "<body>", '<body><!-- <table> draft --><script>const t = "<table>";</script>'
    )
    assert drafts_of(deepseek_page, document.encode(), url) == drafts_of(
        deepseek_page, snapshot(PAGES + name), url
    )


@pytest.mark.parametrize("heading", ["200K+ input tokens", "Prompts longer than 200K tokens"])
def test_an_anthropic_long_context_column_it_cannot_place_is_no_base_price(heading: str) -> None:
    """The long-context table names no model and its cells say what they price ("Output:
    $22.50 / MTok"): under a tier heading the reader cannot place, the heading's "input" made
    every cell a base input price ($6 and $22.50 beside the real $3)."""
    body = ANTHROPIC.replace(b"| > 200K input tokens |", f"| {heading} |".encode())
    read = drafts_of(anthropic_page, body, ANTHROPIC_URL)
    recorded = drafts_of(anthropic_page, ANTHROPIC, ANTHROPIC_URL)
    assert read == {k: v for k, v in recorded.items() if "context_above" not in k[2]}
    assert read[("claude-sonnet-4-5", "input", "")] == M("3")
    _, problems = run(anthropic_page, body, ANTHROPIC_URL)
    assert {p.rule for p in problems} == {"context tier unknown"}


@pytest.mark.parametrize("qualifier", [b"prompts 200k+", b"prompts longer than 200k"])
def test_a_gemini_price_for_a_prompt_size_it_cannot_place_is_quarantined_alone(
    qualifier: bytes,
) -> None:
    """ "$1.25, prompts <= 200k tokens $2.50, prompts 200k+": the second price read without a
    tier was a second base price, and both were lost as conflicting; now only it is set aside."""
    body = GEMINI.replace(rb"prompts \> 200k", qualifier)
    read = drafts_of(gemini_page, body, GEMINI_URL)
    recorded = drafts_of(gemini_page, GEMINI, GEMINI_URL)
    assert read == {k: v for k, v in recorded.items() if "context_above" not in k[2]}
    assert read[("gemini-2.5-pro", "input", "")] == M("1.25")
    _, problems = run(gemini_page, body, GEMINI_URL)
    assert {p.rule for p in problems} - {"unknown row", "not in effect"} == {"context tier unknown"}


# ------------------------------------- a cell counting the stated measure in another count


@pytest.mark.parametrize(
    ("module", "name", "url", "old", "new", "model"),
    [
        (
            openai_page,
            "openai-pricing.2025-12-17.llmdocs.md",
            OPENAI_URL,
            b"| gpt-5.2 | $1.75 |",
            b"| gpt-5.2 | $1.75 / 1K tokens |",
            "gpt-5.2",
        ),
        (
            gemini_page,
            "gemini-pricing.2025-11-21.devsite-md.md",
            GEMINI_URL,
            b"| $2.00, prompts \\<= 200k tokens $4.00, prompts \\> 200k tokens ",
            b"| $2.00 / 1K tokens ",
            "gemini-3-pro-preview",
        ),
        (
            anthropic_page,
            "anthropic-pricing.2025-12-19.llmdocs.md",
            ANTHROPIC_URL,
            b"across different usage tiers:\n",
            b"across different usage tiers. Prices per 1M tokens.\n",
            "claude-opus-4-5",
        ),
    ],
    ids=["openai", "gemini", "anthropic"],
)
def test_a_cell_in_another_count_than_the_stated_unit_is_unit_ambiguous(
    module: ModuleType, name: str, url: str, old: bytes, new: bytes, model: str
) -> None:
    """ "$1.75 / 1K tokens" in a section of "Prices per 1M tokens.": read in the cell's unit
    the price is 1000 times the section's; the page states both, so it is neither."""
    body = snapshot(PAGES + name)
    assert old in body
    body = body.replace(old, new, 1)
    if module is anthropic_page:  # the cell, under the prose now stating per 1M tokens
        cell = b"| Claude Opus 4.5   | $5 / MTok "
        body = body.replace(cell, b"| Claude Opus 4.5   | $5 / 1K tokens ", 1)
    drafts, problems = run(module, body, url)
    base = {d.component.value for d in drafts if d.source_model == model and not d.dimensions}
    assert "input" not in base
    assert any(p.rule == "unit-ambiguous" for p in problems)
    assert "output" in base  # the row's other prices are kept


# ---------------------------------------------------- a unit stated in a heading above a table

HEADINGS = {  # (module, page, url, heading as recorded, model whose input the table prices)
    "openai": (
        openai_page,
        "openai-pricing.2025-12-17.llmdocs.md",
        OPENAI_URL,
        b"### Text tokens\n",
        "gpt-5.2",
    ),
    "anthropic": (
        anthropic_page,
        "anthropic-pricing.2025-12-19.llmdocs.md",
        ANTHROPIC_URL,
        b"## Model pricing\n",
        "claude-opus-4-5",
    ),
    "deepseek": (
        deepseek_page,
        "deepseek-pricing.en.2025-12-18.llmdocs.md",
        DEEPSEEK_URL,
        b"## Model Details\xe2\x80\x8b\n",
        "deepseek-chat",
    ),
}
PROSE_UNITS = {  # the prose each page states its unit in, and that prose per 1K tokens
    "openai": (b"Prices per 1M tokens.", b"Prices per 1K tokens."),
    "anthropic": (
        b"across different usage tiers:",
        b"across different usage tiers. Prices per 1K tokens.",
    ),
    "deepseek": (PROSE, PROSE.replace(b"1M", b"1K")),
}


def _base_input(module: ModuleType, body: bytes, url: str, model: str) -> list[Decimal]:
    drafts, _ = run(module, body, url)
    return [
        d.value
        for d in drafts
        if d.source_model == model and d.component.value == "input" and not d.dimensions
    ]


@pytest.mark.parametrize("source", sorted(HEADINGS))
def test_a_heading_stating_another_unit_than_the_prose_is_unit_ambiguous(source: str) -> None:
    """ "### Text tokens (per 1M tokens)" over "Prices per 1K tokens.": the heading's unit was
    never read, so the prose's was taken; the page states two units, so the rows are neither."""
    module, name, url, heading, model = HEADINGS[source]
    recorded = snapshot(PAGES + name)
    prose, per_1k = PROSE_UNITS[source]
    assert heading in recorded and prose in recorded
    titled = heading.replace(b"\n", b" (per 1M tokens)\n")
    healthy = _base_input(module, recorded, url, model)
    assert len(healthy) == 1
    body = recorded.replace(prose, per_1k, 1).replace(heading, titled, 1)
    assert _base_input(module, body, url, model) == []
    _, problems = run(module, body, url)
    assert any(p.rule == "unit-ambiguous" and "heading" in p.detail for p in problems)
    # the heading alone, in the prose's own unit, reads as recorded
    body = recorded.replace(heading, titled, 1)
    assert _base_input(module, body, url, model) == healthy


def stamped(body: bytes, stamp: str) -> bytes:
    """`body` with every "$x" cell of every table ending in `stamp` (a page template writing
    one unit on every cell, whatever its column or section says)."""
    lines = []
    for line in body.decode().split("\n"):
        if line.startswith("|"):
            cells = line.split("|")
            line = "|".join(
                f"{cell.rstrip()} {stamp} " if cell.strip().startswith("$") else cell
                for cell in cells
            )
        lines.append(line)
    return "\n".join(lines).encode()


def test_an_openai_cell_in_another_unit_than_its_column_name_says_is_unit_ambiguous() -> None:
    """Every cell stamped "/ 1M": the video prices under "Price per second" (and "Prices per
    second.") were read as 0.1 per 1M tokens, and the image prices under a size column (and
    "Prices per image.") likewise; the secondaries' unit-ambiguous zeros for them then
    became proposals (fault round 38, F1). The token prices, per 1M tokens, read as before."""
    body = stamped(OPENAI, "/ 1M")
    assert b"| sora-2 | Portrait: 720x1280 Landscape: 1280x720 | $0.10 / 1M |" in body
    drafts, problems = run(openai_page, body, OPENAI_URL)
    # no video price, and no price of an image size (gpt-image's token prices are per 1M)
    assert not [
        d
        for d in drafts
        if d.source_model.startswith(("sora", "dall-e")) or "size=" in d.dimensions.key
    ]
    ambiguous = {p.record.split(": ")[-1] for p in problems if p.rule == "unit-ambiguous"}
    assert {"sora-2", "sora-2-pro", "DALL·E 3"} <= ambiguous
    tokens = {
        k: v for k, v in drafts_of(openai_page, OPENAI, OPENAI_URL).items() if "gpt-5" in k[0]
    }
    assert tokens.items() <= drafts_of(openai_page, body, OPENAI_URL).items()
