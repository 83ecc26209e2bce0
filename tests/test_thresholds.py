"""Context thresholds across sources (issue 9 row 4, catalog/thresholds.py): a threshold that
contradicts the one the route's official source states is flagged, never a new tier."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from functools import cache

from catalog.identity import Identity
from catalog.normalize import draft_source, learn_official_models, observations
from catalog.thresholds import THRESHOLD_RULE, contradicting
from schemas.fetch import FetchedPage
from schemas.records import Observation
from schemas.sources import is_official, sources
from tests.conftest import snapshot

PORTKEY_URL = "https://configs.portkey.ai/pricing/google.json"
PORTKEY_FILE = "portkey/pricing/google.json"
GEMINI_URL = "https://ai.google.dev/gemini-api/docs/pricing"
GEMINI_FILE = "pricing-pages/gemini-pricing.2025-11-21.devsite-md.md"
AT = datetime(2026, 8, 21, tzinfo=UTC)


def _observe(body: bytes) -> list[Observation]:
    """Portkey's google.json (as `body`) and Google's recorded pricing page, read together."""
    pages = {
        "portkey": (PORTKEY_URL, body),
        "gemini-page": (GEMINI_URL, snapshot(GEMINI_FILE)),
    }
    batches = []
    for source, (url, raw) in pages.items():
        records = sources()[source].parser.parse(raw, url).records
        page = FetchedPage(url, url, 200, AT, records)
        batches.append(draft_source(sources()[source], [page]))
    identity = Identity.load()
    learn_official_models(identity, batches)
    return [o for batch in batches for o in observations(batch, identity)]


@cache
def _recorded() -> list[Observation]:
    return _observe(snapshot(PORTKEY_FILE))


def _tiers(found: list[Observation], source: str, model: str) -> set[str]:
    return {
        o.dimensions["context_above"]
        for o in found
        if (o.source, o.route, o.model) == (source, "google", model)
        and "context_above" in o.dimensions
    }


def test_recorded_gemini_2_5_pro_128k_key_contradicts_google_200k() -> None:
    found = _recorded()
    assert _tiers(found, "portkey", "gemini-2.5-pro") == {"128000"}
    assert _tiers(found, "gemini-page", "gemini-2.5-pro") == {"200000"}
    kept, flagged = contradicting(found, is_official)
    assert _tiers(kept, "portkey", "gemini-2.5-pro") == set()  # no phantom 128k tier
    assert _tiers(kept, "gemini-page", "gemini-2.5-pro") == {"200000"}
    pro = [p for p in flagged if p.observation and p.observation.model == "gemini-2.5-pro"]
    assert len(pro) == 7  # input, output, cache read, web search x2, batch input and output
    assert {p.rule for p in pro} == {THRESHOLD_RULE}
    assert all("contradicts the 200000 gemini-page state" in p.detail for p in pro)
    # every flag is Portkey's, on Google's route; no official value is ever flagged
    assert Counter((p.source, p.observation.route) for p in flagged if p.observation) == {
        ("portkey", "google"): len(flagged)
    }
    assert len(kept) + len(flagged) == len(found)


def test_recorded_flat_price_with_a_named_tier_is_a_phantom() -> None:
    """gemini-2.0-flash: Google states one price; Portkey's -gt-128k key repeats it as a tier."""
    kept, flagged = contradicting(_recorded(), is_official)
    assert _tiers(kept, "portkey", "gemini-2.0-flash") == set()
    flash = [p for p in flagged if p.observation and p.observation.model == "gemini-2.0-flash"]
    assert flash and all("states no tier" in p.detail for p in flash)


def test_variant_threshold_that_agrees_is_a_tier() -> None:
    """The same file with gemini-2.5-pro's keys renamed to 200k: Portkey's tier then agrees."""
    data = json.loads(snapshot(PORTKEY_FILE))
    renamed = {
        key.replace("gemini-2.5-pro-gt-128k", "gemini-2.5-pro-gt-200k").replace(
            "gemini-2.5-pro-lte-128k", "gemini-2.5-pro-lte-200k"
        ): value
        for key, value in data.items()
    }
    kept, flagged = contradicting(_observe(json.dumps(renamed).encode()), is_official)
    assert _tiers(kept, "portkey", "gemini-2.5-pro") == {"200000"}
    assert not [p for p in flagged if p.observation and p.observation.model == "gemini-2.5-pro"]


def test_variant_without_an_official_threshold_keeps_a_priced_tier() -> None:
    """With Google's page saying nothing of gemini-2.5-pro, a tier priced apart stands."""
    found = [
        o for o in _recorded() if not (o.source == "gemini-page" and o.model == "gemini-2.5-pro")
    ]
    kept, _ = contradicting(found, is_official)
    assert _tiers(kept, "portkey", "gemini-2.5-pro") == {"128000"}
