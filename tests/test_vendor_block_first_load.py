"""One vendor's block of a reseller's listing rescaled, read into an empty catalog.

A fault round: OpenRouter's 28 `anthropic/` ids with every price x1000 (per-1K prices written
where per-token ones were), both of its listings, on a first load. With nothing in force, its
prices were judged against what at least two other sources state alike, and only 16 of its
fields had that: all of them Anthropic's models. So 16 of 16 had moved, the whole listing (414
models) failed as rescaled, and with it every model only OpenRouter names: about 12,000 values
of four healthy sources on 1,600 other routes did not enter. Where the others do not settle a
reseller's field, its vendor's own price does (data/aliases/same_price.json: OpenRouter passes
Anthropic's, OpenAI's, Google's and DeepSeek's list prices through): the reference spans every
vendor. The block is then one namespace of the route moved: each of its prices is set aside,
batch and 1-hour cache writes too, which no reference states; the rest of the listing is read.

Read as a refresh reads it (catalog/intake.py: normalize, identity, validation and the rules
across sources, every source at once) from the recorded epoch-2 responses, changed here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache, partial
from typing import Any

from catalog import intake
from catalog.identity import Identity
from catalog.intake import SLIPPED_RULE, SourceIntake
from schemas.fetch import FetchedPage
from schemas.sources import sources
from schemas.vocab import Kind
from tests.test_fault_kinds import OBSERVED, bodies, scaled_by

# OpenRouter, the vendors' own pages, and the secondaries that state OpenRouter's fields
SOURCES = [
    "openrouter",
    "anthropic-page",
    "openai-page",
    "gemini-page",
    "deepseek-page",
    "litellm",
    "modelsdev",
    "portkey",
    "genai-prices",
]
VENDOR = "anthropic/"


def read_together(answered: dict[str, dict[str, bytes]]) -> dict[str, SourceIntake]:
    """Each source's intake when the sources' bodies (`answered`: by source, by URL) are read
    in one run into an empty catalog."""
    pages = {
        source: [
            FetchedPage(url, url, 200, OBSERVED, sources()[source].parser.parse(body, url).records)
            for url, body in by_url.items()
        ]
        for source, by_url in answered.items()
    }
    drafts, failures = intake.normalize_each(pages, sources())
    assert not failures, failures
    return {found.source: found for found in intake.validate_each(drafts, Identity.load())}


def vendor_scaled(body: bytes, factor: str, prefix: str) -> bytes:
    """An OpenRouter listing with every price of the ids under `prefix` times `factor`."""
    change = scaled_by(factor)
    document = json.loads(body)
    for model in document["data"]:
        if model["id"].startswith(prefix):
            model["pricing"] = {
                key: change(value) if _priced(value) else value
                for key, value in model["pricing"].items()
            }
    return json.dumps(document).encode()


def _priced(value: Any) -> bool:
    return isinstance(value, str) and value not in ("", "0", "-1") and Decimal(value) > 0


@cache
def clean_openrouter() -> SourceIntake:
    """OpenRouter's intake when the recorded bodies are read together into an empty catalog."""
    return read_together({source: bodies(source) for source in SOURCES})["openrouter"]


def with_openrouter(change: Callable[[bytes], bytes]) -> dict[str, SourceIntake]:
    answered = {source: bodies(source) for source in SOURCES}
    answered["openrouter"] = {url: change(body) for url, body in answered["openrouter"].items()}
    return read_together(answered)


def test_one_vendors_block_x1000_on_a_first_load_is_set_aside_and_the_listing_read() -> None:
    clean = clean_openrouter()
    assert not clean.failure
    found = with_openrouter(partial(vendor_scaled, factor="1000", prefix=VENDOR))
    openrouter = found["openrouter"]
    assert not openrouter.failure, openrouter.failure
    block = [o for o in clean.valid if o.source_model.startswith(VENDOR)]
    assert len({o.model for o in block}) >= 15
    # no price of the block is read at a thousandfold, batch and cache writes included
    read = {(o.record, o.measure): o.value for o in openrouter.valid}
    moved = [
        o
        for o in block
        if o.kind is Kind.PRICE and o.value and read.get((o.record, o.measure)) == o.value * 1000
    ]
    assert moved == []
    aside = [p for p in openrouter.problems if p.rule == SLIPPED_RULE and p.observation]
    assert {p.observation.source_model for p in aside if p.observation} <= {
        o.source_model for o in block
    }
    assert any("service_tier=batch" in p.detail for p in aside)
    # every other vendor's ids read as on the clean day
    rest = [o for o in clean.valid if not o.source_model.startswith(VENDOR)]
    assert [o for o in openrouter.valid if not o.source_model.startswith(VENDOR)] == rest
    for source in SOURCES[1:]:
        assert not found[source].failure, (source, found[source].failure)


def test_the_whole_listing_x1000_on_a_first_load_is_still_a_rescaled_listing() -> None:
    """The vendors' prices judge the whole listing too: every id's prices x1000 fails it."""
    found = with_openrouter(partial(vendor_scaled, factor="1000", prefix=""))["openrouter"]
    assert found.failure.startswith("rescaled listing: "), found.failure
    assert found.valid == []


def test_a_vendors_own_page_rescaled_judges_no_resellers_right_prices() -> None:
    """Anthropic's page with every price x10 read beside OpenRouter and the other vendors'
    pages alone: nothing states the page's prices alike, so nothing can tell it is the one
    wrong, and its word alone does not set OpenRouter's right `anthropic/` block aside (a
    vendor's price judges a reseller's field only where another source states it too)."""
    officials = ["openrouter", "anthropic-page", "openai-page", "gemini-page", "deepseek-page"]
    answered = {source: bodies(source) for source in officials}
    clean = read_together(answered)["openrouter"]
    answered["anthropic-page"] = {
        url: re.sub(rb"\$(\d+(?:\.\d+)?)", lambda m: b"$%s" % _tenfold(m[1]), body)
        for url, body in answered["anthropic-page"].items()
    }
    found = read_together(answered)
    priced = [o for o in found["anthropic-page"].valid if o.kind is Kind.PRICE and o.value]
    assert priced and all(o.value >= Decimal("0.3") for o in priced)  # x10: 0.03 is no price
    assert found["openrouter"].valid == clean.valid
    assert not [p for p in found["openrouter"].problems if p.rule == SLIPPED_RULE]


def _tenfold(written: bytes) -> bytes:
    return format(Decimal(written.decode()) * 10, "f").encode()
