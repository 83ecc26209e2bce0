"""Two columns' headings swapped over their cells change no price.

Fault round 52: Anthropic's page with its model table's "Base Input Tokens" and "Output Tokens"
headings swapped (the cells not) opened 20 official price changes, every Claude model's input
x5 and output /5; OpenAI's page with its Standard table's "Cached input" and "Output" headings
swapped opened 8 (gpt-4o output 10 -> 1.25, o1 60 -> 7.5), the cache reads set aside as dearer
than their input. A block of a route's prices (five models or more, most of its moved prices)
each moved to exactly the known price of another field of the same model is set aside
(catalog/intake.py `_fields_swapped`): anomalies, no price change, and the next day's pages
read as a clean day's.

The pages and LiteLLM, epoch-1 (accept-new) then epoch-2 under review, then the pages swapped
so (made here from the recorded pages), then epoch-2 again; beside it, epoch-2 again alone.
Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_tiers_swapped import fault_then_clean
from tests.worlds import epoch2_after_epoch1, recorded_text

pytestmark = pytest.mark.integration

SOURCES = ["anthropic-page", "openai-page", "litellm"]
ANTHROPIC = "https://platform.claude.com/docs/en/about-claude/pricing.md"
OPENAI = "https://platform.openai.com/docs/pricing"


def _headings_swapped(text: str, header: str, first: str, second: str, nth: int = 0) -> str:
    """`text` with the `nth` table header line that starts with `header` naming `first` where
    it named `second` and the other way round (its cells as they were)."""
    lines = text.split("\n")
    k = [i for i, line in enumerate(lines) if line.startswith(header)][nth]
    lines[k] = lines[k].replace(first, "\0").replace(second, first).replace("\0", second)
    return "\n".join(lines)


@pytest.fixture(scope="module")
def base(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return epoch2_after_epoch1(tmp_path_factory, tmp_path_factory.mktemp("columns"), SOURCES)


def test_headings_swapped_open_no_price_change(base: Path, tmp_path: Path) -> None:
    anthropic = _headings_swapped(
        recorded_text(ANTHROPIC), "| Model ", "Base Input Tokens", "Output Tokens"
    )
    openai = _headings_swapped(
        recorded_text(OPENAI),
        "| Model | Input | Cached input | Output |",
        "Cached input",
        "Output",
        nth=2,  # the Standard table
    )
    broken = {ANTHROPIC: {"body": anthropic}, OPENAI: {"body": openai}}
    opened, after, clean = fault_then_clean(base, tmp_path, broken, SOURCES)
    assert [title for kind, title in opened if kind == "price_change"] == []
    assert after == clean


@pytest.mark.parametrize("lifetime", ["1h", "5m"])
def test_output_and_a_cache_write_headings_swapped_open_no_price_change(
    base: Path, tmp_path: Path, lifetime: str
) -> None:
    """Fault round 64: Anthropic's "Output Tokens" and "1h Cache Writes" headings swapped
    opened 20 approvable price changes (claude-3-7-sonnet output 15 -> 6), the 5m column's 10:
    a cache write states its lifetime and the output none, so the two were never compared."""
    anthropic = _headings_swapped(
        recorded_text(ANTHROPIC), "| Model ", f"{lifetime} Cache Writes", "Output Tokens"
    )
    assert anthropic != recorded_text(ANTHROPIC)
    opened, after, clean = fault_then_clean(
        base, tmp_path, {ANTHROPIC: {"body": anthropic}}, SOURCES
    )
    assert [title for kind, title in opened if kind == "price_change"] == []
    assert after == clean
