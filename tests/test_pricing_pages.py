"""The providers' pricing pages (OpenAI, Anthropic, Gemini, DeepSeek) on their recorded captures."""

from __future__ import annotations

import copy
import re
from collections import Counter
from decimal import Decimal
from functools import cache
from types import ModuleType
from typing import Any

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from catalog.identity import Identity
from schemas.fetch import Uninterpretable, Unparsable
from schemas.records import Draft
from spiders import anthropic_page, deepseek_page, gemini_page, openai_page
from tests.conftest import snapshot
from tests.drafts import quarantined

PAGES = "pricing-pages/"
M = Decimal
OPENAI_URL = "https://platform.openai.com/docs/pricing"
ANTHROPIC_URL = "https://platform.claude.com/docs/en/about-claude/pricing.md"
GEMINI_URL = "https://ai.google.dev/gemini-api/docs/pricing"
DEEPSEEK_URL = "https://api-docs.deepseek.com/quick_start/pricing"

# file -> (module, url, drafts, uninterpretable rows)
RECORDED: dict[str, tuple[ModuleType, str, int, int]] = {
    "openai-pricing.2025-12-17.llmdocs.md": (openai_page, OPENAI_URL, 463, 7),
    "openai-pricing.2025-11-21.md": (openai_page, OPENAI_URL, 399, 10),
    "openai-pricing.2025-10-15.jina-reader.md": (openai_page, OPENAI_URL, 375, 7),
    "anthropic-pricing.2025-12-19.llmdocs.md": (anthropic_page, ANTHROPIC_URL, 74, 0),
    "anthropic-pricing.2025-11-21.md": (anthropic_page, ANTHROPIC_URL, 67, 0),
    "anthropic-models-overview.2025-10-15.jina-reader.md": (anthropic_page, ANTHROPIC_URL, 45, 0),
    "gemini-pricing.2025-11-21.devsite-md.md": (gemini_page, GEMINI_URL, 198, 10),
    "gemini-pricing.2025-10-08.jina-reader.md": (gemini_page, GEMINI_URL, 4, 85),
    "deepseek-pricing.en.2025-12-18.llmdocs.md": (deepseek_page, DEEPSEEK_URL, 6, 0),
    "deepseek-pricing.zh.2025-12-18.llmdocs.md": (deepseek_page, DEEPSEEK_URL, 0, 3),
}


def run(module: ModuleType, body: bytes, url: str) -> tuple[list[Draft], list[Uninterpretable]]:
    drafts: list[Draft] = []
    problems: list[Uninterpretable] = []
    for record in module.parse(body, url).records:
        try:
            found = module.normalize(record)
        except Uninterpretable as exc:
            problems.append(exc)
            continue
        drafts += found
        problems += [
            Uninterpretable(p.record, p.rule, f"{p.field}: {p.detail}") for p in found.problems
        ]
    return drafts, problems


def problems_of(module: ModuleType, record: dict[str, Any]) -> list[Uninterpretable]:
    """The record's problem (nothing read) or its quarantined fields', as (record, rule, detail)."""
    try:
        found = module.normalize(record)
    except Uninterpretable as exc:
        return [exc]
    return [Uninterpretable(p.record, p.rule, f"{p.field}: {p.detail}") for p in found.problems]


@cache
def page(name: str) -> tuple[list[Draft], list[Uninterpretable]]:
    """A recorded page's drafts and problems, read once per test session (drafts are frozen)."""
    module, url, _, _ = RECORDED[name]
    return run(module, snapshot(PAGES + name), url)


def html_of(name: str) -> bytes:
    text = snapshot(PAGES + name).decode("utf-8")
    html: str = MarkdownIt("commonmark").enable("table").render(text)
    return html.encode("utf-8")


def value(drafts: list[Draft], model: str, component: str, unit: str, **dims: str) -> Decimal:
    found = [
        d.value
        for d in drafts
        if d.source_model == model
        and d.component == component
        and d.unit == unit
        and d.dimensions == dims
    ]
    assert len(found) == 1, (model, component, unit, dims, found)
    return found[0]


TOK = "usd_per_1m_tokens"
IMG = "usd_per_image"


@pytest.fixture(scope="module")
def openai_12() -> list[Draft]:
    return page("openai-pricing.2025-12-17.llmdocs.md")[0]


# --- every recorded page: counts, the HTML path, one field once ------------------------------


@pytest.mark.parametrize("name", list(RECORDED))
def test_recorded_page_counts(name: str) -> None:
    _, _, drafts, problems = RECORDED[name]
    got, bad = page(name)
    assert (len(got), len(bad)) == (drafts, problems)
    assert all(isinstance(d.value, Decimal) for d in got)


@pytest.mark.parametrize("name", list(RECORDED))
def test_html_and_markdown_run_through_the_same_table_code(name: str) -> None:
    module, url, _, _ = RECORDED[name]
    from_markdown = page(name)
    from_html = run(module, html_of(name), url)
    assert from_html[0] == from_markdown[0]
    assert [str(e) for e in from_html[1]] == [str(e) for e in from_markdown[1]]


@pytest.mark.parametrize("name", list(RECORDED))
def test_a_page_states_each_field_once(name: str) -> None:
    drafts, _ = page(name)
    keys = Counter(
        (d.route, d.source_model, d.component, d.unit, tuple(sorted(d.dimensions.items())))
        for d in drafts
    )
    assert [k for k, n in keys.items() if n > 1] == []


# --- OpenAI --------------------------------------------------------------------------------


def test_openai_gpt_image_1_mini_text_and_image_tokens(openai_12: list[Draft]) -> None:
    model = "gpt-image-1-mini"
    assert value(openai_12, model, "input", TOK) == M("2.00")
    assert value(openai_12, model, "cache_read", TOK) == M("0.20")
    assert value(openai_12, model, "input", TOK, modality="image") == M("2.50")
    assert value(openai_12, model, "cache_read", TOK, modality="image") == M("0.25")
    assert value(openai_12, model, "output", TOK, modality="image") == M("8.00")
    assert not [
        d
        for d in openai_12
        if d.source_model == model and d.dimensions == {} and d.component == "output"
    ]


def test_openai_gpt_image_1_mini_per_image_grid(openai_12: list[Draft]) -> None:
    grid = {
        "low": ("0.005", "0.006", "0.006"),
        "medium": ("0.011", "0.015", "0.015"),
        "high": ("0.036", "0.052", "0.052"),
    }
    sizes = ("1024x1024", "1024x1536", "1536x1024")
    for quality, prices in grid.items():
        for size, price in zip(sizes, prices, strict=True):
            got = value(
                openai_12,
                "gpt-image-1-mini",
                "output",
                IMG,
                modality="image",
                quality=quality,
                size=size,
            )
            assert got == M(price)
    images = [d for d in openai_12 if d.source_model == "gpt-image-1-mini" and d.unit == IMG]
    assert len(images) == 9


def test_openai_gpt_4o_tiers(openai_12: list[Draft]) -> None:
    assert value(openai_12, "gpt-4o", "input", TOK) == M("2.50")
    assert value(openai_12, "gpt-4o", "output", TOK) == M("10.00")
    assert value(openai_12, "gpt-4o", "cache_read", TOK) == M("1.25")
    assert value(openai_12, "gpt-4o", "input", TOK, service_tier="batch") == M("1.25")
    assert value(openai_12, "gpt-4o", "output", TOK, service_tier="batch") == M("5.00")
    assert value(openai_12, "gpt-4o", "input", TOK, service_tier="priority") == M("4.25")
    assert value(openai_12, "gpt-5.2", "cache_read", TOK, service_tier="flex") == M("0.0875")
    batch = next(
        d
        for d in openai_12
        if d.source_model == "gpt-4o"
        and d.dimensions == {"service_tier": "batch"}
        and d.component == "input"
    )
    assert batch.evidence == "Pricing > Text tokens [Batch]: gpt-4o | Input = $1.25"
    assert batch.route == "openai"


def test_openai_dall_e_sub_tables_audio_video_and_other_units(openai_12: list[Draft]) -> None:
    hd = value(
        openai_12, "dall-e-3", "output", IMG, modality="image", quality="hd", size="1024x1792"
    )
    assert hd == M("0.12")
    assert value(
        openai_12, "dall-e-2", "output", IMG, modality="image", quality="standard", size="256x256"
    ) == M("0.016")
    assert value(openai_12, "gpt-realtime", "input", TOK, modality="audio") == M("32.00")
    assert value(openai_12, "gpt-4o-mini-tts", "output", TOK, modality="audio") == M("12.00")
    assert value(
        openai_12, "sora-2-pro", "output", "usd_per_second", modality="video", size="1792x1024"
    ) == M("0.50")
    assert value(openai_12, "whisper", "input", "usd_per_minute", modality="audio") == M("0.006")
    assert value(openai_12, "tts-hd", "input", "usd_per_character") == M("0.00003")
    assert value(openai_12, "text-embedding-3-large", "input", TOK, service_tier="batch") == M(
        "0.065"
    )


def test_openai_fine_tuned_prices_are_a_variant_never_the_base_model(
    openai_12: list[Draft],
) -> None:
    assert value(openai_12, "gpt-4o-2024-08-06", "input", TOK, variant="fine_tuned") == M("3.75")
    assert value(
        openai_12,
        "o4-mini-2025-04-16",
        "output",
        TOK,
        service_tier="batch",
        variant="fine_tuned_data_sharing",
    ) == M("4.00")
    # gpt-3.5-turbo: $3.00 fine-tuned, $0.50 as a legacy model
    assert value(openai_12, "gpt-3.5-turbo", "input", TOK, variant="fine_tuned") == M("3.00")
    assert value(openai_12, "gpt-3.5-turbo", "input", TOK) == M("0.50")


def test_openai_a_full_width_label_row_names_the_tier() -> None:
    record = first_record("openai-pricing.2025-12-17.llmdocs.md", "gpt-4o | $2.50")
    assert {d.dimensions.get("service_tier") for d in openai_page.normalize(record)} == {None}
    record["group"] = "Batch"
    assert {d.dimensions["service_tier"] for d in openai_page.normalize(record)} == {"batch"}


def test_openai_tools_are_reported_with_their_text() -> None:
    _, problems = page("openai-pricing.2025-12-17.llmdocs.md")
    assert {e.rule for e in problems} == {"price not tied to a model"}
    search = next(e for e in problems if "Web search (all models)" in e.detail)
    assert "$10.00 / 1k calls" in search.detail


def test_openai_2025_11_21_empty_headings_and_lost_sub_headers() -> None:
    drafts, problems = page("openai-pricing.2025-11-21.md")
    assert value(drafts, "gpt-5.1", "input", TOK) == M("1.25")
    assert value(drafts, "gpt-image-1-mini", "output", TOK, modality="image") == M("8.00")
    assert value(
        drafts,
        "gpt-image-1-mini",
        "output",
        IMG,
        modality="image",
        quality="high",
        size="1536x1024",
    ) == M("0.052")
    lost = [e for e in problems if e.rule == "columns unknown"]
    assert [e.record for e in lost] == [
        "table 14 row 6: DALL·E 3",
        "table 14 row 7: DALL·E 3",
        "table 14 row 8: DALL·E 2",
    ]
    assert "DALL·E 3 | Standard | $0.04 | $0.08 | $0.08" in lost[0].detail
    assert not [d for d in drafts if d.source_model.startswith("dall-e")]


def test_openai_2025_10_15_reader_capture() -> None:
    drafts, _ = page("openai-pricing.2025-10-15.jina-reader.md")
    assert value(drafts, "gpt-5", "input", TOK) == M("1.25")
    assert value(drafts, "gpt-5", "output", TOK, service_tier="flex") == M("5.00")
    assert value(
        drafts, "dall-e-3", "output", IMG, modality="image", quality="standard", size="1792x1024"
    ) == M("0.08")
    assert not [d for d in drafts if d.source_model == "gpt-5.1"]


# --- Anthropic -----------------------------------------------------------------------------


def test_anthropic_sonnet_4_5_model_table() -> None:
    drafts, _ = page("anthropic-pricing.2025-12-19.llmdocs.md")
    model = "claude-sonnet-4-5"
    assert value(drafts, model, "input", TOK) == M("3")
    assert value(drafts, model, "cache_write", TOK, cache_ttl="5m") == M("3.75")
    assert value(drafts, model, "cache_write", TOK, cache_ttl="1h") == M("6")
    assert value(drafts, model, "cache_read", TOK) == M("0.30")
    assert value(drafts, model, "output", TOK) == M("15")
    assert value(drafts, model, "input", TOK, service_tier="batch") == M("1.50")
    assert value(drafts, "claude-opus-4-1", "output", TOK) == M("75")
    assert value(drafts, "claude-opus-4-5", "input", TOK) == M("5")
    assert value(drafts, "claude-3-haiku", "cache_read", TOK) == M("0.03")
    assert value(drafts, "claude-3-7-sonnet", "output", TOK, service_tier="batch") == M("7.50")


def test_anthropic_long_context_is_read_for_the_models_the_text_names() -> None:
    drafts, _ = page("anthropic-pricing.2025-12-19.llmdocs.md")
    long = [d for d in drafts if "context_above" in d.dimensions]
    assert {d.source_model for d in long} == {"claude-sonnet-4", "claude-sonnet-4-5"}
    assert value(drafts, "claude-sonnet-4-5", "input", TOK, context_above="200000") == M("6")
    assert value(drafts, "claude-sonnet-4", "output", TOK, context_above="200000") == M("22.50")


def test_anthropic_2025_11_21_has_no_opus_4_5_yet() -> None:
    drafts, _ = page("anthropic-pricing.2025-11-21.md")
    assert value(drafts, "claude-sonnet-4-5", "cache_write", TOK, cache_ttl="1h") == M("6")
    assert not [d for d in drafts if d.source_model == "claude-opus-4-5"]


def test_anthropic_models_overview_price_table() -> None:
    drafts, _ = page("anthropic-models-overview.2025-10-15.jina-reader.md")
    assert value(drafts, "claude-3-5-sonnet", "input", TOK) == M("3")
    assert value(drafts, "claude-3-5-haiku", "cache_write", TOK, cache_ttl="5m") == M("1")


def test_anthropic_model_names() -> None:
    assert anthropic_page.model_id("Claude Sonnet 4.5") == "claude-sonnet-4-5"
    assert anthropic_page.model_id("Claude Opus 4.1") == "claude-opus-4-1"
    assert anthropic_page.model_id("Claude Sonnet 3.7 (deprecated)") == "claude-3-7-sonnet"
    assert anthropic_page.model_id("Claude Haiku 3") == "claude-3-haiku"


def test_anthropic_names_written_without_claude_are_the_same_models() -> None:
    """Fault round 45: every row's "Claude " left out of Anthropic's page ("| Opus 4.5 |")
    opened ten new models on the official route (anthropic/opus-4.5...), and the real ones went
    unverified for the day. A family's name alone names the same model: read as recorded."""
    name = "anthropic-pricing.2025-12-19.llmdocs.md"
    recorded = snapshot(PAGES + name).decode()
    shortened = recorded.replace("| Claude ", "| ")
    assert shortened.count("\n| ") > 30 and "| Opus 4.5 " in shortened
    drafts, problems = run(anthropic_page, shortened.encode(), ANTHROPIC_URL)
    healthy, healthy_problems = page(name)

    def read(found: list[Draft]) -> set[tuple[object, ...]]:
        return {(d.source_model, d.component, d.dimensions.key, d.value) for d in found}

    assert read(drafts) == read(healthy)
    assert [p.rule for p in problems] == [p.rule for p in healthy_problems]
    assert anthropic_page.model_id("Haiku 3.5") == anthropic_page.model_id("Claude Haiku 3.5")


# --- Gemini --------------------------------------------------------------------------------


def test_gemini_2_5_pro_prompt_size_tiers() -> None:
    drafts, _ = page("gemini-pricing.2025-11-21.devsite-md.md")
    pro = "gemini-2.5-pro"
    assert value(drafts, pro, "input", TOK) == M("1.25")
    assert value(drafts, pro, "input", TOK, context_above="200000") == M("2.50")
    assert value(drafts, pro, "output", TOK, context_above="200000") == M("15.00")
    assert value(drafts, pro, "cache_read", TOK, context_above="200000") == M("0.25")
    assert value(drafts, pro, "cache_storage", "usd_per_1m_tokens_per_hour") == M("4.50")
    assert value(drafts, pro, "input", TOK, service_tier="batch", context_above="200000") == M(
        "1.25"
    )
    assert value(drafts, pro, "web_search", "usd_per_1k_queries") == M("35")


def test_gemini_prompt_sizes_written_before_their_prices_qualify_those_prices() -> None:
    """Fault round 49: the same tiered cells laid out as many pages write them, each prompt
    size before its price ("prompts <= 200k tokens: $1.25; prompts > 200k tokens: $2.50"),
    were read with each price qualified by what follows it: the upper tier's price became the
    base (8 official price changes of +50 to +100 %) and the base price a tier below it. A cell
    that opens with a prompt size and ends with a price reads each size as its price's: the
    same values as the recorded layout."""
    name = "gemini-pricing.2025-11-21.devsite-md.md"
    recorded = snapshot(PAGES + name).decode()
    cell = re.compile(
        r"(\$[\d.]+), (prompts \\<= 200k tokens) (\$[\d.]+), (prompts \\> 200k)( tokens)?"
    )
    relaid, cells = cell.subn(lambda m: f"{m[2]}: {m[1]}; {m[4]} tokens: {m[3]}", recorded)
    assert cells >= 10
    drafts, problems = run(gemini_page, relaid.encode(), GEMINI_URL)
    healthy, healthy_problems = page(name)

    def read(found: list[Draft]) -> set[tuple[object, ...]]:
        return {(d.source_model, d.component, d.unit, d.dimensions.key, d.value) for d in found}

    assert read(drafts) == read(healthy)
    assert sorted(p.rule for p in problems) == sorted(p.rule for p in healthy_problems)


def test_gemini_modalities_images_and_video() -> None:
    drafts, _ = page("gemini-pricing.2025-11-21.devsite-md.md")
    assert value(drafts, "gemini-2.5-flash", "input", TOK, modality="audio") == M("1.00")
    assert value(drafts, "gemini-2.5-flash", "input", TOK, modality="video") == M("0.30")
    assert value(drafts, "gemini-2.0-flash", "output", IMG, modality="image") == M("0.039")
    assert value(
        drafts, "gemini-3-pro-image-preview", "output", IMG, modality="image", size="4k"
    ) == M("0.24")
    assert value(drafts, "imagen-4.0-fast-generate-001", "output", IMG, modality="image") == M(
        "0.02"
    )
    assert value(drafts, "imagen-4.0-generate-001", "output", IMG, modality="image") == M("0.04")
    assert value(
        drafts, "veo-3.1-fast-generate-preview", "output", "usd_per_second", modality="video"
    ) == M("0.15")
    assert value(drafts, "gemini-embedding-001", "input", TOK, service_tier="batch") == M("0.075")


def test_gemini_rows_it_cannot_read_are_reported() -> None:
    _, problems = page("gemini-pricing.2025-11-21.devsite-md.md")
    rules = Counter(e.rule for e in problems)
    assert rules == {"unknown row": 8, "not in effect": 2}
    soon = next(e for e in problems if e.rule == "not in effect")
    assert "(Coming soon) $14 / 1,000 search queries" in soon.detail


def test_a_gemini_heading_above_another_models_ids_is_no_model_of_its_own() -> None:
    """A fault probe: the Gemini 2.5 Flash section's id line copied from 2.5 Pro's. The prices
    both state were quarantined as stated twice, and Flash's others (audio, image and video
    input) were proposed as 2.5 Pro's, then stood against OpenRouter's right ones. The heading
    names what the ids do not ("flash"): no row of the section is read."""
    name = "gemini-pricing.2025-11-21.devsite-md.md"
    recorded = snapshot(PAGES + name)
    start = recorded.index(b"## Gemini 2.5 Flash\n")
    end = recorded.index(b"## Gemini 2.5 Flash Preview\n", start)
    section = recorded[start:end].replace(b"*`gemini-2.5-flash`*", b"*`gemini-2.5-pro`*")
    assert section != recorded[start:end]
    drafts, problems = run(gemini_page, recorded[:start] + section + recorded[end:], GEMINI_URL)
    healthy, _ = page(name)
    pro = [d for d in healthy if d.source_model == "gemini-2.5-pro"]
    assert [d for d in drafts if d.source_model == "gemini-2.5-pro"] == pro
    assert not [d for d in drafts if d.source_model == "gemini-2.5-flash"]
    moved = [e for e in problems if e.rule == "model unknown"]
    assert moved and all("'Gemini 2.5 Flash' names flash" in e.detail for e in moved)


def test_gemini_reader_capture_lost_its_model_headings() -> None:
    drafts, problems = page("gemini-pricing.2025-10-08.jina-reader.md")
    assert {d.source_model for d in drafts} == {"gemini-2.5-computer-use-preview-10-2025"}
    assert Counter(e.rule for e in problems) == {
        "no model named": 80,
        "unknown row": 3,
        "tier unknown": 2,
    }
    veo = [e for e in problems if e.rule == "tier unknown"]
    assert "Veo 3 Fast video with audio price (default) | Not available | $0.15" in veo[1].detail


# --- DeepSeek ------------------------------------------------------------------------------


def test_deepseek_cache_hit_and_miss() -> None:
    drafts, _ = page("deepseek-pricing.en.2025-12-18.llmdocs.md")
    for model in ("deepseek-chat", "deepseek-reasoner"):
        assert value(drafts, model, "cache_read", TOK) == M("0.028")
        assert value(drafts, model, "input", TOK) == M("0.28")
        assert value(drafts, model, "output", TOK) == M("0.42")


def test_deepseek_prices_under_each_model_column() -> None:
    # The live table spans each price over the model columns: read with the span expanded.
    soup = BeautifulSoup(html_of("deepseek-pricing.en.2025-12-18.llmdocs.md"), "html.parser")
    for tr in soup.find_all("tr"):
        cells = tr.find_all("td")
        if cells and cells[-1].get_text() == "" and cells[-2].get_text().startswith("$"):
            cells[-2]["colspan"] = "2"
            cells[-1].decompose()
    drafts, problems = run(deepseek_page, str(soup).encode(), DEEPSEEK_URL)
    assert (len(drafts), problems) == (6, [])
    assert value(drafts, "deepseek-reasoner", "input", TOK) == M("0.28")


def test_deepseek_chinese_page_states_cny_and_is_not_converted() -> None:
    drafts, problems = page("deepseek-pricing.zh.2025-12-18.llmdocs.md")
    assert drafts == []
    assert [e.rule for e in problems] == ["not USD"] * 3
    assert "0.2元" in problems[0].detail


def test_deepseek_off_peak_rows_are_a_time_of_day() -> None:
    record = first_record("deepseek-pricing.en.2025-12-18.llmdocs.md", "1M OUTPUT")
    assert [d.dimensions for d in deepseek_page.normalize(record)] == [{}, {}]
    record["cells"][0] = "1M OUTPUT TOKENS (OFF-PEAK)"
    drafts = deepseek_page.normalize(record)
    assert [d.dimensions for d in drafts] == [{"time_of_day": "off_peak"}] * 2
    assert [d.value for d in drafts] == [M("0.42")] * 2


# --- faults --------------------------------------------------------------------------------


@pytest.mark.parametrize("module", [openai_page, anthropic_page, gemini_page, deepseek_page])
def test_an_empty_body_or_an_application_shell_is_unparsable(module: ModuleType) -> None:
    with pytest.raises(Unparsable, match="empty body"):
        module.parse(b"", "https://example.com/pricing")
    shell = b'<html><body><div id="root"></div><script src=app.js></script></body></html>'
    with pytest.raises(Unparsable, match="needs rendering"):
        module.parse(shell, "https://example.com/pricing")


def test_a_truncated_page_reads_only_what_arrived() -> None:
    body = snapshot(PAGES + "openai-pricing.2025-12-17.llmdocs.md")
    cut = body[: body.index(b"### Image tokens")]
    drafts, _ = run(openai_page, cut, OPENAI_URL)
    assert {d.dimensions.get("modality") for d in drafts} == {None}
    with pytest.raises(Unparsable):
        openai_page.parse(body[: body.index(b"| Model |")], OPENAI_URL)


def first_record(name: str, text: str) -> dict[str, Any]:
    module, url, _, _ = RECORDED[name]
    records = module.parse(snapshot(PAGES + name), url).records
    return copy.deepcopy(next(r for r in records if r["text"].startswith(text)))


@pytest.mark.parametrize(
    ("module", "name", "row"),
    [
        (openai_page, "openai-pricing.2025-12-17.llmdocs.md", "gpt-4o |"),
        (anthropic_page, "anthropic-pricing.2025-12-19.llmdocs.md", "Claude Sonnet 4.5 |"),
        (gemini_page, "gemini-pricing.2025-11-21.devsite-md.md", "Input price |"),
        (deepseek_page, "deepseek-pricing.en.2025-12-18.llmdocs.md", "1M OUTPUT"),
    ],
)
def test_an_uninterpretable_cell_is_reported_with_the_row_text(
    module: ModuleType, name: str, row: str
) -> None:
    record = first_record(name, row)
    assert module.normalize(record)
    record["cells"][-1] = "$1.00 or $2.00, call us"
    (problem,) = problems_of(module, record)
    assert record["cells"][0] in problem.detail  # names the row
    assert problem.record == record["record"]


def test_an_unknown_priced_column_is_quarantined_alone() -> None:
    record = first_record("openai-pricing.2025-12-17.llmdocs.md", "gpt-4o | $2.50")
    record["header"][2] = "Cache storage"
    found = openai_page.normalize(record)
    assert quarantined(found, "Cache storage").rule == "unknown column"
    # the columns are read by heading: the others still mean what they say
    assert value(found, "gpt-4o", "input", "usd_per_1m_tokens") == Decimal("2.50")
    assert value(found, "gpt-4o", "output", "usd_per_1m_tokens") == Decimal("10.00")


def test_a_field_stated_twice_with_two_values_is_quarantined_alone() -> None:
    record = first_record("openai-pricing.2025-12-17.llmdocs.md", "gpt-4o | $2.50")
    record["header"][2] = "Input"
    found = openai_page.normalize(record)
    field = "gpt-4o price input usd_per_1m_tokens"
    assert quarantined(found, field).rule == "conflicting values"
    assert value(found, "gpt-4o", "output", "usd_per_1m_tokens") == Decimal("10.00")
    record["cells"][2] = record["cells"][1]  # the same value twice is one statement
    found = openai_page.normalize(record)
    assert found.problems == []
    assert value(found, "gpt-4o", "input", "usd_per_1m_tokens") == Decimal("2.50")


def test_an_anthropic_table_without_a_named_model_is_uninterpretable() -> None:
    record = first_record("anthropic-pricing.2025-12-19.llmdocs.md", "Input: $3 / MTok")
    assert len(anthropic_page.normalize(record)) == 2
    record["labels"] = ["Long context rates apply to requests above 200K tokens:"]
    with pytest.raises(Uninterpretable, match="no model named"):
        anthropic_page.normalize(record)


# --- names ---------------------------------------------------------------------------------


def test_page_names_map_to_canonical_models() -> None:
    identity = Identity.load()
    assert identity.candidate("whisper") == "whisper-1"
    assert identity.candidate("tts-hd") == "tts-1-hd"
    drafts = (
        page("openai-pricing.2025-12-17.llmdocs.md")[0]
        + page("anthropic-pricing.2025-12-19.llmdocs.md")[0]
        + page("gemini-pricing.2025-11-21.devsite-md.md")[0]
        + page("deepseek-pricing.en.2025-12-18.llmdocs.md")[0]
    )
    names = {identity.candidate(d.source_model) for d in drafts}
    assert {
        "gpt-image-1-mini",
        "dall-e-3",
        "claude-sonnet-4-5",
        "claude-opus-4-1",
        "gemini-2.5-pro",
        "deepseek-chat",
        "deepseek-reasoner",
    } <= names
    assert {identity.route(d.route) for d in drafts} == {
        "openai",
        "anthropic",
        "google",
        "deepseek",
    }
