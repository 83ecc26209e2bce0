"""A price object that names another currency than the US dollar is read as no prices.

A fault round (9) gave Vercel's openai/gpt-4o `pricing` a `currency: "EUR"` and models.dev's
deepseek-chat `cost` a `currency: "CNY"`: the key was quarantined as unknown, but the prices
beside it were read as dollars (price changes "2.5 -> 2.3 usd_per_1m_tokens" proposed, open
disagreements rewritten to cite "2 USD/1M"). Every price the recorded JSON sources state is in
dollars and none names its currency; one that does qualifies its siblings, so the object is the
record's problem ("not USD", as LiteLLM's entries and Portkey's configs already were), its
other fields kept.

Each case is the recorded epoch-2 response, one entry's price object changed here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from catalog.normalize import draft_source
from schemas.fetch import NOT_USD_RULE, FetchedPage
from schemas.records import Draft, Problem
from schemas.sources import sources
from schemas.vocab import Kind
from tests.worlds import recorded_text

AT = datetime(2026, 8, 21, tzinfo=UTC)


def _listed(key: str) -> Callable[[Any], Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]]:
    """A change to openai/gpt-4o's `pricing` in a listing of `data` entries (Vercel's,
    OpenRouter's): `key` naming the currency given."""

    def naming(currency: Any) -> Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]:
        def change(document: dict[str, Any]) -> tuple[str, dict[str, Any]]:
            [entry] = [e for e in document["data"] if e["id"] == "openai/gpt-4o"]
            entry["pricing"][key] = currency
            return "openai/gpt-4o", entry["pricing"]

        return change

    return naming


def _modelsdev(currency: Any) -> Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]:
    def change(document: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        model = document["deepseek"]["models"]["deepseek-chat"]
        model["cost"]["currency"] = currency
        return "deepseek/deepseek-chat", model["cost"]

    return change


def _portkey(currency: Any) -> Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]:
    def change(document: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        config = document["gpt-4o"]["pricing_config"]
        config["currency"] = currency
        return "openai/gpt-4o", config

    return change


PORTKEY = ("https://configs.portkey.ai/pricing/openai.json", _portkey)
SOURCES = {
    "vercel": ("https://ai-gateway.vercel.sh/v1/models", _listed("currency")),
    "modelsdev": ("https://models.dev/api.json", _modelsdev),
    "openrouter": ("https://openrouter.ai/api/v1/models", _listed("currency_code")),
}


def read(
    source: str, change: Callable[[dict[str, Any]], Any] | None
) -> tuple[list[Draft], list[Problem], str]:
    url, _ = {**SOURCES, "portkey": PORTKEY}[source]
    document = json.loads(recorded_text(url))
    record = change(document)[0] if change else ""
    config = sources()[source]
    records = config.parser.parse(json.dumps(document).encode(), url).records
    batch = draft_source(config, [FetchedPage(url, url, 200, AT, records)])
    return [d for _, d in batch.drafts], batch.problems, record


def _prices_of(drafts: list[Draft], model: str) -> list[Draft]:
    return [d for d in drafts if d.kind is Kind.PRICE and d.record == model]


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("currency", ["EUR", "CNY", 978])
def test_prices_beside_another_currency_are_not_read(source: str, currency: Any) -> None:
    healthy, healthy_problems, _ = read(source, None)
    drafts, problems, record = read(source, SOURCES[source][1](currency))
    priced = _prices_of(healthy, record)
    assert priced  # the entry states prices as recorded
    assert _prices_of(drafts, record) == []
    found = [p for p in problems if p.rule == NOT_USD_RULE]
    assert len(found) == 1 and str(currency) in found[0].detail
    # the record's other fields, and every other record, read as recorded
    assert [d for d in drafts if d not in priced] == [d for d in healthy if d not in priced]
    assert len(problems) == len(healthy_problems) + 1


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_a_currency_named_as_the_dollar_changes_no_price(source: str) -> None:
    healthy, _, _ = read(source, None)
    drafts, problems, _ = read(source, SOURCES[source][1]("USD"))
    assert drafts == healthy
    assert NOT_USD_RULE not in {p.rule for p in problems}


@pytest.mark.parametrize("currency", ["EUR", 978])
def test_a_portkey_config_in_another_currency_reads_none_of_its_prices(currency: Any) -> None:
    """Portkey's configs already refused a currency but "USD" (LiteLLM's entries too): the one
    rule (parsing.foreign_currency) reads them all; the config's prices alone are set aside
    (the model's regional `custom_pricing` beside it is its own config)."""
    healthy, healthy_problems, _ = read("portkey", None)
    drafts, problems, record = read("portkey", _portkey(currency))
    of_config = [d for d in _prices_of(healthy, record) if d.evidence.startswith("pricing_config")]
    assert of_config
    assert not [d for d in drafts if d in of_config]
    # every other record reads as recorded
    assert [d for d in drafts if d.record != record] == [d for d in healthy if d.record != record]
    [found] = [p for p in problems if p.rule == NOT_USD_RULE]
    assert str(currency) in found.detail and len(problems) == len(healthy_problems) + 1
