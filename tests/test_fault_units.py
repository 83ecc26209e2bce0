"""A unit is a fact the page states, in every place it states one.

Variants of the real recorded pricing pages, made here: a row label, a price or the prose
above a table that states another unit than the rest of the page. What the page states
consistently is read in that unit; where its statements disagree, which price it means is a
guess, so that row is quarantined as unit-ambiguous (never read in the prose's unit).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from spiders import deepseek_page
from tests.conftest import snapshot
from tests.test_pricing_pages import DEEPSEEK_URL, run

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
