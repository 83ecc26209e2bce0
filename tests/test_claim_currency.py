"""A submitted claim is a USD price: a page that writes the same number as another currency's
money does not confirm it (review/extract.py). Read on real recorded pages a user may submit:
Moonshot's pricing page (CNY, "￥4.00" in each cell), MiniMax's Chinese page (CNY said once in
the column headings, "元/百万 tokens", the cells bare) and its English one (USD)."""

from __future__ import annotations

from decimal import Decimal

from review.extract import Check, Claim, blocks, check_claims
from tests.conftest import SNAPSHOTS

PER_1M = "usd_per_1m_tokens"


def check(page: str, model: str, *claims: Claim) -> list[tuple[bool, str]]:
    body = (SNAPSHOTS / page).read_bytes()
    found: list[Check] = check_claims(
        blocks(body, "text/markdown", f"https://example.org/{page}"), [model], list(claims)
    )
    return [(c.found, c.note) for c in found]


def test_a_price_written_in_yuan_does_not_confirm_a_usd_claim() -> None:
    assert check(
        "moonshot/pricing-chat.2025-12-16.llmdocs.md",
        "kimi-k2-0905-preview",
        Claim("input", PER_1M, {}, Decimal("4.00")),
        Claim("context_window", "tokens", {}, Decimal(262144)),
    ) == [(False, "stated as 4 in CNY, not USD"), (True, "")]


def test_bare_cells_under_a_yuan_heading_do_not_confirm_a_usd_claim() -> None:
    claim = Claim("input", PER_1M, {}, Decimal("2.1"))
    assert check("minimax/pay-as-you-go.zh.2025-12-19.llmdocs.md", "MiniMax-M2", claim) == [
        (False, "stated as 2.1 in CNY, not USD")
    ]


def test_the_same_model_priced_in_dollars_is_found() -> None:
    claims = (
        Claim("input", PER_1M, {}, Decimal("0.3")),
        Claim("input", PER_1M, {}, Decimal("2.1")),
    )
    assert check("minimax/pay-as-you-go.en.2025-12-19.llmdocs.md", "MiniMax-M2", *claims) == [
        (True, ""),
        (False, "the model is named, but the value is not stated near it"),
    ]
