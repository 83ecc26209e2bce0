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
from schemas.fetch import NOT_USD_RULE, FetchedPage, Unparsable
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


def _genai(currency: Any) -> Callable[[list[dict[str, Any]]], tuple[str, dict[str, Any]]]:
    """A fault round: genai-prices' DeepSeek prices given `"currency": "CNY"` were read as
    dollars (the key quarantined as an unknown price key, the prices beside it kept)."""

    def change(document: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
        [provider] = [p for p in document if p["id"] == "deepseek"]
        model = next(m for m in provider["models"] if isinstance(m.get("prices"), dict))
        model["prices"]["currency"] = currency
        return f"deepseek/{model['id']}", model["prices"]

    return change


PORTKEY = ("https://configs.portkey.ai/pricing/openai.json", _portkey)
GENAI = "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json"
# source: (URL, the change naming a currency given on one entry's price object)
SOURCES: dict[str, tuple[str, Callable[[Any], Callable[[Any], Any]]]] = {
    "vercel": ("https://ai-gateway.vercel.sh/v1/models", _listed("currency")),
    "modelsdev": ("https://models.dev/api.json", _modelsdev),
    "openrouter": ("https://openrouter.ai/api/v1/models", _listed("currency_code")),
    "genai-prices": (GENAI, _genai),
}


def read(
    source: str, change: Callable[[Any], Any] | None
) -> tuple[list[Draft], list[Problem], Any]:
    """The source's recorded epoch-2 response with `change` made to its document: its drafts,
    its problems, and what `change` returned (the record it changed, first of a pair, or the
    records)."""
    url, _ = {**SOURCES, "portkey": PORTKEY}[source]
    document = json.loads(recorded_text(url))
    changed = change(document) if change else ""
    config = sources()[source]
    records = config.parser.parse(json.dumps(document).encode(), url).records
    batch = draft_source(config, [FetchedPage(url, url, 200, AT, records)])
    record = changed[0] if isinstance(changed, tuple) else changed
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
@pytest.mark.parametrize("dollar", ["USD", "usd", "US$", None])
def test_a_currency_named_as_the_dollar_changes_no_price(source: str, dollar: Any) -> None:
    """The dollar however written, and a null currency (a fault round: `"currency": null`
    quarantined 86 of genai-prices' prices as another currency's), change no price."""
    healthy, _, _ = read(source, None)
    drafts, problems, _ = read(source, SOURCES[source][1](dollar))
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


def _provider(source: str, level: str) -> Callable[[Any], list[str]]:
    """A change naming a currency on DeepSeek's provider object (models.dev's, genai-prices') or
    on one of its models (`level`): the records whose prices it qualifies."""

    def change(document: Any) -> list[str]:
        if source == "modelsdev":
            provider, models = document["deepseek"], document["deepseek"]["models"]
            keys = list(models)
        else:
            [provider] = [p for p in document if p["id"] == "deepseek"]
            models = {m["id"]: m for m in provider["models"]}
            keys = list(models)
        if level == "provider":
            provider["currency"] = "CNY"
            return [f"deepseek/{key}" for key in keys]
        models[keys[0]]["currency"] = "CNY"
        return [f"deepseek/{keys[0]}"]

    return change


def _entry(source: str) -> Callable[[Any], list[str]]:
    """A change naming a currency on one entry beside its prices (OpenRouter's and Vercel's
    openai/gpt-4o, Portkey's gpt-4o): the record it qualifies."""

    def change(document: Any) -> list[str]:
        if source == "portkey":
            document["gpt-4o"]["currency"] = "EUR"
            return ["openai/gpt-4o"]
        [entry] = [e for e in document["data"] if e["id"] == "openai/gpt-4o"]
        entry["currency"] = "EUR"
        return ["openai/gpt-4o"]

    return change


@pytest.mark.parametrize(
    ("source", "change"),
    [
        ("modelsdev", _provider("modelsdev", "provider")),
        ("modelsdev", _provider("modelsdev", "model")),
        ("genai-prices", _provider("genai-prices", "provider")),
        ("genai-prices", _provider("genai-prices", "model")),
        ("openrouter", _entry("openrouter")),
        ("vercel", _entry("vercel")),
        ("portkey", _entry("portkey")),
    ],
    ids=[
        "modelsdev-provider",
        "modelsdev-model",
        "genai-provider",
        "genai-model",
        "openrouter-entry",
        "vercel-entry",
        "portkey-entry",
    ],
)
def test_a_currency_named_by_what_holds_the_prices_qualifies_them(
    source: str, change: Callable[[Any], list[str]]
) -> None:
    """A fault round: `"currency": "CNY"` on genai-prices' or models.dev's DeepSeek provider
    was read by neither (every price read as dollars, nothing reported), and Portkey took one
    beside a file's entries for a model. A currency named by the object that holds a price
    object (a model, an entry, a provider of models) qualifies every price within it."""
    healthy, _, _ = read(source, None)
    drafts, problems, records = read(source, change)
    assert all(_prices_of(healthy, record) for record in records)
    assert not [d for d in drafts if d.kind is Kind.PRICE and d.record in records]
    noted = {p.record for p in problems if p.rule == NOT_USD_RULE}
    assert noted == set(records)
    # everything but those prices reads as recorded (a model's limits among it)
    assert drafts == [d for d in healthy if not (d.kind is Kind.PRICE and d.record in records)]


TOP = {
    "litellm": (sources()["litellm"].urls[0], "EUR"),
    "portkey": (PORTKEY[0], "EUR"),
    "openrouter": (SOURCES["openrouter"][0], "EUR"),
    "vercel": (SOURCES["vercel"][0], "EUR"),
    "modelsdev": (SOURCES["modelsdev"][0], "CNY"),
}


@pytest.mark.parametrize("source", sorted(TOP))
def test_a_body_naming_another_currency_is_read_as_no_prices(source: str) -> None:
    """A currency named at the top of a body (a listing's envelope, a file or map of models)
    qualifies every price in it: the body is unparsable, naming the currency, so its URL fails
    (as an error body does) and no price of it is read as dollars."""
    url, currency = TOP[source]
    document = json.loads(recorded_text(url))
    document["currency"] = currency
    with pytest.raises(Unparsable) as refused:
        sources()[source].parser.parse(json.dumps(document).encode(), url)
    assert f"currency={currency!r}" in str(refused.value)
    document["currency"] = "USD"
    assert sources()[source].parser.parse(json.dumps(document).encode(), url).records


@pytest.mark.parametrize("source", ["openrouter", "vercel"])
def test_a_listing_whose_metadata_names_another_currency_is_read_as_no_prices(source: str) -> None:
    """Fault round 42: `"meta": {"currency": "EUR"}` beside an envelope's `data` list was read
    past, every price taken for dollars. An object beside the listed entries is the listing's
    own: a currency it names qualifies every price of the body, as one at the top does."""
    url, currency = TOP[source]
    document = json.loads(recorded_text(url))
    document["meta"] = {"currency": currency, "generated": "2026-08-21"}
    with pytest.raises(Unparsable) as refused:
        sources()[source].parser.parse(json.dumps(document).encode(), url)
    assert f"meta.currency={currency!r}" in str(refused.value)
    for other_words in ({"currency": "USD"}, {"currency": ""}, {"currency_format": "symbol"}):
        document["meta"] = other_words  # a regression round: these failed the URL
        assert sources()[source].parser.parse(json.dumps(document).encode(), url).records


@pytest.mark.parametrize("currency", ["EUR", "CNY"])
def test_a_portkey_file_whose_default_names_another_currency_is_read_as_no_prices(
    currency: str,
) -> None:
    """A fault round: a Portkey file's `default` config (where every recorded file states its
    currency, "USD", and every entry's config falls back on) naming EUR was read as dollars,
    nothing reported. It is the file's currency: the body is unparsable, naming it."""
    url = PORTKEY[0]
    document = json.loads(recorded_text(url))
    assert document["default"]["pricing_config"]["currency"] == "USD"
    document["default"]["pricing_config"]["currency"] = currency
    with pytest.raises(Unparsable) as refused:
        sources()["portkey"].parser.parse(json.dumps(document).encode(), url)
    assert f"default.pricing_config.currency={currency!r}" in str(refused.value)
