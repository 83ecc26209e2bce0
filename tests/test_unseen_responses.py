"""Recorded responses no replay world uses, read through the configured source's real reading
path (parser, normalizer, identity and the Pandera gate of catalog/intake.py) at a URL the source
fetches, without a refresh.

Each one is a body the source could receive there: the same page or API on another date, in
another capture format or language, or a sibling file of the same feed. The question for each:
is it read right (model, unit, component, tier, checked against the file by hand), or does the
source fail, or the record get quarantined, with a clear reason when it truly cannot be read?
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

import pytest

from catalog import intake
from catalog.identity import Identity
from schemas.fetch import FetchedPage, Unparsable
from schemas.records import Observation, Problem
from schemas.sources import sources
from schemas.vocab import Component, Unit
from tests.conftest import SNAPSHOTS, snapshot

OBSERVED = datetime(2026, 8, 20, tzinfo=UTC)
M = Decimal
PAGES = "pricing-pages/"
GENAI = "genai-prices/v2/"
AZURE_APRIL = "azure-retail/cognitive-services.items-effective-2025-04.modelmeters.ndjson"
VERCEL_ENDPOINTS = SNAPSHOTS / "vercel-ai-gateway" / "endpoints.2025-11-18"


@dataclass
class Read:
    """What the reading path made of one body."""

    unparsable: str = ""  # why the body could not be parsed ('' when it was)
    failure: str = ""  # why the source failed ('' when it did not)
    valid: list[Observation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read(source: str, body: bytes, url: str | None = None) -> Read:
    """`body` as `source` receives it at `url` (its first configured URL by default): parsed,
    normalized and validated as a refresh does, with nothing in the catalog before."""
    config = sources()[source]
    url = url or config.urls[0]
    try:
        page = config.parser.parse(body, url)
    except Unparsable as exc:
        return Read(unparsable=str(exc))
    pages = [FetchedPage(url, url, 200, OBSERVED, page.records)]
    drafts, failures = intake.normalize_each({source: pages}, sources())
    if failures:
        return Read(failure=failures[source])
    [found] = intake.validate_each(drafts, Identity.load(), {source: {}})
    return Read(failure=found.failure, valid=found.valid, problems=found.problems)


def stated(
    found: list[Observation],
    model: str,
    component: Component,
    unit: Unit = Unit.PER_1M_TOKENS,
    **dims: str,
) -> Decimal:
    """The one value stated for `model` (the source's own name) and this field."""
    matches = [
        o.value
        for o in found
        if (o.source_model, o.component, o.unit) == (model, component, unit)
        and o.dimensions == dims
    ]
    assert len(matches) == 1, f"{len(matches)} values for {model} {component} {unit} {dims}"
    return matches[0]


# --- OpenAI pricing page, r.jina.ai capture (2025-10-15) ------------------------------------


@cache
def openai_jina() -> Read:
    return read("openai-page", snapshot(PAGES + "openai-pricing.2025-10-15.jina-reader.md"))


def test_openai_jina_capture_reads_every_tier_and_component() -> None:
    found = openai_jina()
    assert not found.failure
    v = found.valid
    batch, flex, priority = "batch", "flex", "priority"
    assert stated(v, "gpt-5", Component.INPUT, service_tier=batch) == M("0.625")
    assert stated(v, "gpt-5", Component.CACHE_READ, service_tier=batch) == M("0.0625")
    assert stated(v, "o4-mini", Component.CACHE_READ, service_tier=flex) == M("0.138")
    assert stated(v, "gpt-4o", Component.CACHE_READ) == M("1.25")
    assert stated(v, "gpt-4o", Component.OUTPUT, service_tier=priority) == M("17.00")
    assert stated(v, "gpt-realtime", Component.CACHE_READ, modality="image") == M("0.50")
    assert stated(v, "gpt-realtime", Component.OUTPUT, modality="audio") == M("64.00")
    assert stated(v, "gpt-4o-mini-tts", Component.OUTPUT, modality="audio") == M("12.00")
    sora = stated(
        v, "sora-2-pro", Component.OUTPUT, Unit.PER_SECOND, modality="video", size="1792x1024"
    )
    assert sora == M("0.50")
    assert stated(v, "whisper", Component.INPUT, Unit.PER_MINUTE, modality="audio") == M("0.006")
    assert stated(v, "tts-hd", Component.INPUT, Unit.PER_CHARACTER) == M("0.00003")
    assert stated(
        v, "gpt-4o-2024-08-06", Component.INPUT, service_tier=batch, variant="fine_tuned"
    ) == M("2.225")
    assert stated(v, "text-embedding-3-large", Component.INPUT, service_tier=batch) == M("0.065")
    image = stated(
        v,
        "gpt-image-1",
        Component.OUTPUT,
        Unit.PER_IMAGE,
        modality="image",
        quality="high",
        size="1024x1536",
    )
    assert image == M("0.25")
    # gpt-5-pro states no cached price in any tier ("-"): none is made up
    assert not [
        o for o in v if o.source_model == "gpt-5-pro" and o.component is Component.CACHE_READ
    ]


def test_openai_jina_capture_reports_the_tool_rows_it_cannot_tie_to_a_model() -> None:
    rules = {p.rule for p in openai_jina().problems}
    assert rules == {"price not tied to a model"}
    assert len(openai_jina().problems) == 7


# --- Anthropic models overview, r.jina.ai capture (its price table) --------------------------


def test_anthropic_models_overview_reads_its_price_table() -> None:
    body = snapshot(PAGES + "anthropic-models-overview.2025-10-15.jina-reader.md")
    found = read("anthropic-page", body)
    assert not found.failure and not found.problems
    v = found.valid
    assert len(v) == 9 * 5
    assert stated(v, "claude-3-5-haiku", Component.CACHE_WRITE, cache_ttl="1h") == M("1.6")
    assert stated(v, "claude-opus-4-1", Component.CACHE_WRITE, cache_ttl="5m") == M("18.75")
    assert stated(v, "claude-opus-4-1", Component.CACHE_READ) == M("1.50")
    assert stated(v, "claude-3-haiku", Component.OUTPUT) == M("1.25")
    assert stated(v, "claude-sonnet-4-5", Component.INPUT) == M("3")


# --- DeepSeek pricing page in Chinese: prices in CNY -----------------------------------------


def test_deepseek_chinese_page_fails_the_source_on_its_yuan_prices() -> None:
    found = read("deepseek-page", snapshot(PAGES + "deepseek-pricing.zh.2025-12-18.llmdocs.md"))
    assert found.failure.startswith("validation collapse")
    assert not found.valid
    assert [p.rule for p in found.problems] == ["not USD"] * 3
    assert {p.detail.split(" in row")[0] for p in found.problems} == {"'0.2元'", "'2元'", "'3元'"}


# --- genai-prices data_slim.json (free models and long texts removed) ------------------------


def test_genai_prices_slim_file_reads_as_the_full_file_less_its_free_models() -> None:
    def facts(found: Read) -> set[tuple[object, ...]]:
        return {
            (o.route, o.source_model, o.component, o.unit, o.dimensions.key, o.value)
            for o in found.valid
        }

    slim = read("genai-prices", snapshot(GENAI + "data_slim.json"))
    full = read("genai-prices", snapshot(GENAI + "data.json"))
    assert not slim.failure and not slim.problems
    assert facts(slim) < facts(full)
    dropped = facts(full) - facts(slim)
    assert {(f[1], f[2]) for f in dropped} == {
        ("ServiceNow-AI/Apriel-1.6-15b-Thinker", Component.CONTEXT_WINDOW),
        ("x-ai/grok-4.1-fast:free", Component.CONTEXT_WINDOW),
    }
    v = slim.valid
    assert stated(v, "claude-sonnet-4-5", Component.INPUT, context_above="200000") == M("6")
    assert stated(v, "claude-sonnet-4-5", Component.CACHE_WRITE, cache_ttl="1h") == M("6")
    assert stated(v, "deepseek-chat", Component.INPUT, time_of_day="peak") == M("0.27")


# --- Portkey general/*.json: model configuration, no prices ---------------------------------


@pytest.mark.parametrize("name", ["openai.json", "anthropic.json", "google.json", "open-ai.json"])
def test_portkey_general_config_at_a_pricing_url_states_no_price(name: str) -> None:
    url = f"https://configs.portkey.ai/pricing/{name}"
    found = read("portkey", snapshot(f"portkey/general/{name}"), url)
    # No entry of it is a pricing entry: the body is no pricing file (that URL fails, so a
    # source of 46 files is partial and counts no absence: tests/test_fault_bodies.py).
    assert found.unparsable == f"{url}: no pricing entries (an error body or another file?)"
    assert not found.valid and not found.problems


# --- Azure Retail Prices, 2025-04 Cognitive Services items (NDJSON, every region) -----------


def test_azure_ndjson_capture_is_not_an_api_body() -> None:
    found = read("azure", snapshot(AZURE_APRIL))
    assert found.unparsable.startswith("azure retail prices: body is not JSON")


# The query the 2025-04 items answer: every region's meters, under the service's name then. At a
# configured URL (one region of 'Foundry Models') they are another query's answer and refused
# (tests/test_azure_query.py).
AZURE_APRIL_QUERY = (
    "https://prices.azure.com/api/retail/prices?api-version=2023-01-01-preview"
    "&$filter=serviceName eq 'Cognitive Services'"
)


def test_azure_2025_items_in_an_api_envelope_read_by_region_and_scope() -> None:
    items = [json.loads(line) for line in snapshot(AZURE_APRIL).splitlines() if line.strip()]
    body = json.dumps(
        {"BillingCurrency": "USD", "Items": items, "NextPageLink": None, "Count": len(items)}
    ).encode()
    found = read("azure", body, AZURE_APRIL_QUERY)
    assert not found.failure
    assert {p.rule for p in found.problems} == {"not a usage price"}
    v = found.valid
    # "gpt 4.1 Inp regnl Tokens", eastus: retailPrice 0.0022 USD per 1K
    regional = stated(v, "Azure OpenAI/gpt 4.1", Component.INPUT, region="eastus", scope="regional")
    assert regional == M("2.2")
    # "gpt 4.1 nano cached Inp glbl Tokens": 0.000025 per 1K, one price wherever it is listed
    assert stated(v, "Azure OpenAI/gpt 4.1 nano", Component.CACHE_READ, scope="global") == M(
        "0.025"
    )
    batch = stated(
        v,
        "Azure OpenAI Reasoning/o4-mini 0416",
        Component.OUTPUT,
        scope="global",
        service_tier="batch",
    )
    assert batch == M("2.2")
    assert stated(
        v, "Azure OpenAI/gpt-image-1", Component.OUTPUT, modality="image", scope="global"
    ) == M("40")
    assert stated(
        v, "Deepseek model family/MAI-DS-R1", Component.OUTPUT, region="westus3", scope="regional"
    ) == M("5.94")


# --- Vercel AI Gateway per-model endpoints responses ----------------------------------------


def test_vercel_endpoints_bodies_are_refused_as_not_the_models_list() -> None:
    bodies = sorted(VERCEL_ENDPOINTS.glob("*/*/endpoints.json"))
    assert len(bodies) == 134
    for path in bodies:
        for source in ("vercel", "openrouter"):
            found = read(source, path.read_bytes())
            assert "expected an object" in found.unparsable, (path, source)
