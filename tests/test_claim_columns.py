"""A number confirms a claim only where the page says it is that claim's price: in a table
whose heading names each column's component (review/extract.py `column_of`, in the official
readers' words), a value in another component's column, or another service tier's, is not the
claimed one, and the note says what the page stated it as. A table that names its models in
its header (DeepSeek's) is read in the model's column. Read on real recorded pricing pages:
Anthropic's (epoch-2), MiniMax's English page, DeepSeek's English page, OpenAI's (epoch-2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from review.extract import Claim, blocks, check_claims
from tests.conftest import SNAPSHOTS

ANTHROPIC = "pricing-pages/anthropic-pricing.2025-12-19.llmdocs.md"
MINIMAX = "minimax/pay-as-you-go.en.2025-12-19.llmdocs.md"
DEEPSEEK = "pricing-pages/deepseek-pricing.en.2025-12-18.llmdocs.md"
OPENAI = "pricing-pages/openai-pricing.2025-12-17.llmdocs.md"


def check(page: str, model: str, text: str) -> tuple[bool, str, str]:
    """(found, note, snippet) for one claim written 'COMPONENT VALUE [DIM=VALUE ...]'."""
    component, value, *dims = text.split()
    claim = Claim(component, "usd_per_1m_tokens", dict(d.split("=") for d in dims), Decimal(value))
    body = (SNAPSHOTS / page).read_bytes()
    page_blocks = blocks(body, "text/markdown", f"https://example.org/{page}")
    (checked,) = check_claims(page_blocks, [model], [claim])
    return checked.found, checked.note, checked.snippet


@pytest.mark.parametrize(
    ("page", "model", "claim", "note"),
    [
        # Claude Haiku 4.5 | $1 | $1.25 (5m write) | $2 (1h write) | $0.10 | $5; batch $0.50 | $2.50
        (ANTHROPIC, "claude-haiku-4-5", "cache_write 1", "stated as the input price"),
        (
            ANTHROPIC,
            "claude-haiku-4-5",
            "cache_read 1.25",
            "stated as the cache_write [cache_ttl=5m] price",
        ),
        (
            ANTHROPIC,
            "claude-haiku-4-5",
            "cache_write 2 cache_ttl=5m",
            "stated as the cache_write [cache_ttl=1h] price",
        ),
        (
            ANTHROPIC,
            "claude-haiku-4-5",
            "input 0.5",
            "stated as the input [service_tier=batch] price",
        ),
        (ANTHROPIC, "claude-haiku-4-5", "output 1", "stated as the input price"),
        # prose: "Using Claude Sonnet 4.5 at $3/MTok input, $15/MTok output, ..."; its table
        # row states $15 as the output price too
        (ANTHROPIC, "claude-sonnet-4-5", "input 15", "stated as the output price"),
        # MiniMax-M2 | $0.3 | $1.2 | Prompt caching Read $0.03 | Prompt caching Write $0.375
        (MINIMAX, "MiniMax-M2", "cache_write 0.03", "stated as the cache_read price"),
        (MINIMAX, "MiniMax-M2", "output 0.3", "stated as the input price"),
        # gpt-5 | $1.25 | $0.125 | $10.00 under Input | Cached input | Output
        (OPENAI, "gpt-5", "output 1.25", "stated as the input price"),
        # 1M INPUT TOKENS (CACHE HIT) $0.028, under MODEL | deepseek-chat | deepseek-reasoner
        (DEEPSEEK, "deepseek-reasoner", "input 0.028", "stated as the cache_read price"),
    ],
)
def test_a_value_in_another_components_column_does_not_confirm_a_claim(
    page: str, model: str, claim: str, note: str
) -> None:
    found, said, _ = check(page, model, claim)
    assert (found, said) == (False, note)


@pytest.mark.parametrize(
    ("page", "model", "claim"),
    [
        (ANTHROPIC, "claude-haiku-4-5", "input 1"),
        (ANTHROPIC, "claude-haiku-4-5", "cache_write 1.25 cache_ttl=5m"),
        (ANTHROPIC, "claude-haiku-4-5", "cache_write 2 cache_ttl=1h"),
        (ANTHROPIC, "claude-haiku-4-5", "cache_read 0.1"),
        (ANTHROPIC, "claude-haiku-4-5", "input 0.5 service_tier=batch"),
        (ANTHROPIC, "claude-haiku-4-5", "output 2.5 service_tier=batch"),
        (MINIMAX, "MiniMax-M2", "cache_read 0.03"),
        (MINIMAX, "MiniMax-M2", "cache_write 0.375"),
        (OPENAI, "gpt-5", "cache_read 0.125"),
    ],
)
def test_a_value_in_its_own_column_is_found(page: str, model: str, claim: str) -> None:
    assert check(page, model, claim)[:2] == (True, "")


@pytest.mark.parametrize("model", ["deepseek-chat", "deepseek-reasoner"])
@pytest.mark.parametrize(
    ("claim", "row"),
    [
        ("input 0.28", "1M INPUT TOKENS (CACHE MISS) | $0.28"),
        ("cache_read 0.028", "1M INPUT TOKENS (CACHE HIT) | $0.028"),
        ("output 0.42", "1M OUTPUT TOKENS | $0.42"),
    ],
)
def test_a_table_naming_its_models_in_the_header_is_read_in_the_models_column(
    model: str, claim: str, row: str
) -> None:
    """DeepSeek's table: models as columns, components as rows, each price written once for
    both models (a spanning cell the recorder flattened): every true price is found, and the
    snippet shows the header naming the model above the row."""
    found, note, snippet = check(DEEPSEEK, model, claim)
    assert (found, note) == (True, "")
    assert snippet.startswith("**MODEL | deepseek-chat | deepseek-reasoner ⏎ ")
    assert row in snippet


@pytest.mark.parametrize(
    ("claim", "found", "note"),
    [
        ("input 10", False, "stated as the output price"),
        ("output 1.25", False, "stated as the input price"),
        ("input 1.25", True, ""),
        ("output 10", True, ""),
    ],
)
def test_a_row_label_names_the_component_where_the_columns_do_not(
    claim: str, found: bool, note: str
) -> None:
    """Gemini's tables head their columns "Free Tier | Paid Tier" and name the component in
    each row's label ("Input price", "Output price"): the label says what the row's numbers
    price."""
    page = "pricing-pages/gemini-pricing.2025-10-08.jina-reader.md"
    assert check(page, "gemini-2.5-computer-use-preview-10-2025", claim)[:2] == (found, note)


@pytest.mark.parametrize(
    ("claim", "found", "note"),
    [
        ("input 0.625", False, "stated as the input [service_tier=batch] price"),
        (
            "input 1.25 service_tier=batch",
            False,
            "stated as the input price",
        ),
        (
            "output 20 service_tier=flex",
            False,
            "stated as the output [service_tier=priority] price",
        ),
        ("input 0.625 service_tier=batch", True, ""),
        ("output 5 service_tier=flex", True, ""),
        ("input 1.25", True, ""),
    ],
)
def test_the_label_above_a_table_names_its_service_tier(claim: str, found: bool, note: str) -> None:
    """OpenAI's page heads each tier's table with its label ("Batch", "Flex", "Standard",
    "Priority"; openai_page's TIERS) over the same Input | Cached input | Output columns: a
    value in another tier's table does not confirm the claim."""
    assert check(OPENAI, "gpt-5", claim)[:2] == (found, note)
