"""spiders/azure.py against recorded Azure Retail Prices responses (Foundry Models meters)."""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from catalog.identity import ALIAS_DIR, Identity, general_form
from schemas.fetch import Uninterpretable, Unparsable
from schemas.records import Draft
from schemas.vocab import Component, Unit
from spiders import azure
from spiders.parsing import load_json
from tests.conftest import snapshot

PAGE1 = "azure-retail/foundry-models.eastus2.page1.2026-07-14.json"
MEXICO = "azure-retail/foundry-models.mexicocentral.2026-07-14.json"
MERGED = "azure-retail/foundry-models.eastus2.all-pages-merged.2026-08-14.json"
APRIL_2025 = "azure-retail/cognitive-services.items-effective-2025-04.modelmeters.ndjson"
URL = "https://prices.azure.com/api/retail/prices?api-version=2023-01-01-preview"
PAGE2 = (
    "https://prices.azure.com:443/api/retail/prices?api-version=2023-01-01-preview"
    "&$filter=serviceName%20eq%20%27Foundry%20Models%27%20and%20armRegionName%20eq%20"
    "%27eastus2%27%20and%20priceType%20eq%20%27Consumption%27&$top=0&$skip=1000"
)


@cache
def merged_items() -> tuple[dict[str, Any], ...]:
    return tuple(azure.parse(snapshot(MERGED), URL).records)


@cache
def april_items() -> tuple[dict[str, Any], ...]:
    lines = snapshot(APRIL_2025).splitlines()
    return tuple(load_json(line, APRIL_2025) for line in lines if line.strip())


@cache
def identity() -> Identity:
    return Identity.load()


def item(meter_name: str, items: tuple[dict[str, Any], ...] | None = None) -> dict[str, Any]:
    """A copy of the one recorded item with this meter name (eastus2 merge by default)."""
    found = [i for i in (items or merged_items()) if i["meterName"] == meter_name]
    assert len(found) == 1, f"{meter_name!r}: {len(found)} recorded items"
    return dict(found[0])


def only(meter_name: str) -> Draft:
    drafts = azure.normalize(item(meter_name))
    assert len(drafts) == 1
    return drafts[0]


def canonical(draft: Draft) -> str:
    return identity().candidate(draft.source_model)


def refused(record: dict[str, Any]) -> Uninterpretable:
    with pytest.raises(Uninterpretable) as caught:
        azure.normalize(record)
    return caught.value


# parse


def test_page1_keeps_every_item_and_returns_the_next_page_link() -> None:
    page = azure.parse(snapshot(PAGE1), URL)
    assert len(page.records) == 1000
    assert page.next_urls == [PAGE2]
    assert page.records[0]["meterName"] == "5.4 opt Dz 1M Tokens"


def test_last_page_has_no_next_url() -> None:
    page = azure.parse(snapshot(MEXICO), URL)
    assert [r["meterName"] for r in page.records] == [
        "Mngd H100_80GB Gl",
        "Mngd MI300_192GB Gl",
        "Mngd A100_80GB Gl",
        "Az-GPT-3.5-turbo Tokens",
    ]
    assert page.next_urls == []


def test_merged_pages_parse_with_decimal_prices() -> None:
    records = merged_items()
    assert len(records) == 1520
    assert all(isinstance(r["retailPrice"], Decimal) for r in records)


def test_truncated_body_is_unparsable() -> None:
    body = snapshot(PAGE1)
    with pytest.raises(Unparsable):
        azure.parse(body[: len(body) // 2], URL)


def test_body_without_items_is_unparsable() -> None:
    doc = json.loads(snapshot(MEXICO))
    doc["items"] = doc.pop("Items")
    with pytest.raises(Unparsable, match="Items"):
        azure.parse(json.dumps(doc).encode(), URL)


def test_count_that_disagrees_with_items_is_unparsable() -> None:
    doc = json.loads(snapshot(MEXICO))
    doc["Items"].pop()
    with pytest.raises(Unparsable, match="Count=4"):
        azure.parse(json.dumps(doc).encode(), URL)


@pytest.mark.parametrize("billed", ["EUR", "usd", None, 978])
def test_a_body_billed_in_another_currency_is_unparsable(billed: object) -> None:
    """Its items still say USD (a fault probe): which the prices are in is a contradiction, not
    a fact, so none is read (the recorded bodies bill in USD)."""
    doc = json.loads(snapshot(MEXICO))
    assert doc["BillingCurrency"] == "USD" and azure.parse(snapshot(MEXICO), URL).records
    doc["BillingCurrency"] = billed
    assert {item["currencyCode"] for item in doc["Items"]} == {"USD"}
    with pytest.raises(Unparsable, match=r"BillingCurrency=.*, not USD"):
        azure.parse(json.dumps(doc).encode(), URL)


def test_body_without_next_page_link_is_unparsable() -> None:
    doc = json.loads(snapshot(MEXICO))
    del doc["NextPageLink"]
    with pytest.raises(Unparsable, match="NextPageLink"):
        azure.parse(json.dumps(doc).encode(), URL)


# normalize: the gpt-image-1-mini meters ("gpt img 1 mini ...", 1K unit)


def test_gpt_image_1_mini_text_input() -> None:
    draft = only("gpt img 1 mini inp txt glbl Tokens")
    assert draft.route == "azure"
    assert draft.source_model == "Azure OpenAI Media/gpt img 1 mini"
    assert canonical(draft) == "gpt-image-1-mini"
    assert draft.component == Component.INPUT
    assert draft.unit == Unit.PER_1M_TOKENS
    assert draft.value == Decimal("2")
    assert draft.dimensions == {"scope": "global"}  # text: the default
    assert "0.002 USD per 1K" in draft.evidence


def test_gpt_image_1_mini_cached_text_and_image_output() -> None:
    cached = only("gpt img 1 mini inp cchd txt glbl Tokens")
    assert (cached.component, cached.value) == (Component.CACHE_READ, Decimal("0.2"))
    assert cached.dimensions == {"scope": "global"}
    output = only("gpt img 1 mini out img glbl Tokens")
    assert (output.component, output.value) == (Component.OUTPUT, Decimal("8"))
    assert output.dimensions == {"modality": "image", "scope": "global"}
    image_input = only("gpt img 1 mini inp img dzone Tokens")
    assert image_input.value == Decimal("2.75")
    assert image_input.dimensions["scope"] == "data_zone"
    assert {canonical(cached), canonical(output), canonical(image_input)} == {"gpt-image-1-mini"}


def test_one_million_token_meter_is_already_per_1m() -> None:
    page = azure.parse(snapshot(PAGE1), URL)
    (draft,) = azure.normalize(page.records[0])
    assert draft.source_model == "Azure OpenAI GPT5/5.4"
    assert canonical(draft) == "gpt-5.4"
    assert (draft.component, draft.unit) == (Component.OUTPUT, Unit.PER_1M_TOKENS)
    assert draft.value == Decimal("16.5")
    assert draft.dimensions == {"scope": "data_zone", "region": "eastus2"}


def test_dall_e_3_hundred_image_meter_is_per_image_for_each_size() -> None:
    drafts = azure.normalize(item("Image-Dall-E-3 HD HighRes-regnl EP Images"))
    assert [d.dimensions["size"] for d in drafts] == ["1024x1792", "1792x1024"]
    for draft in drafts:
        assert canonical(draft) == "dall-e-3"
        assert (draft.component, draft.unit) == (Component.OUTPUT, Unit.PER_IMAGE)
        assert draft.value == Decimal("0.132")  # 13.2 USD per 100 images
        assert draft.dimensions["quality"] == "hd"
        assert draft.dimensions["scope"] == "regional"
    standard = only("Image-Dall-E-3 Std LowRes-regnl EP Images")
    assert standard.value == Decimal("0.044")
    assert (standard.dimensions["quality"], standard.dimensions["size"]) == (
        "standard",
        "1024x1024",
    )


def test_thousand_image_meter_is_per_image() -> None:
    draft = only("Flux 1.1 Pro glbl Images")
    assert canonical(draft) == "flux-1.1-pro"
    assert (draft.unit, draft.value) == (Unit.PER_IMAGE, Decimal("0.04"))


def test_mexicocentral_items_are_all_reported() -> None:
    rules = []
    for record in azure.parse(snapshot(MEXICO), URL).records:
        with pytest.raises(Uninterpretable) as caught:
            azure.normalize(record)
        assert record["meterName"] in caught.value.record
        rules.append(caught.value.rule)
    assert rules == ["not a usage price"] * 3 + ["no direction"]


def test_mutated_unit_of_measure_is_uninterpretable() -> None:
    record = item("gpt img 1 mini inp txt glbl Tokens")
    record["unitOfMeasure"] = "1/Day"
    error = refused(record)
    assert (error.rule, error.record) == (
        "unknown unit",
        "gpt img 1 mini inp txt glbl Tokens [eastus2]",
    )


def test_one_million_meter_in_another_unit_is_uninterpretable() -> None:
    record = item("5.4 opt Gl 1M Tokens")
    record["unitOfMeasure"] = "1K"
    assert refused(record).rule == "unit"


@pytest.mark.parametrize("unit", ["1M", "1", "100"])
def test_a_meter_named_without_its_count_in_another_unit_than_1k_is_uninterpretable(
    unit: str,
) -> None:
    """Every recorded "... Tokens" meter is per 1K, every "... 1M Tokens" one per 1M: an older
    meter relabelled "1M" at its per-1K price (a fault round: gpt-4o's global batch input then
    entered a first load verified at 0.00125 per 1M tokens, 1/1000 of its price) states a unit
    its own name contradicts, and is quarantined as such."""
    record = item("gpt 4o 1120 Batch Inp glbl Tokens")
    assert record["unitOfMeasure"] == "1K"
    assert only("gpt 4o 1120 Batch Inp glbl Tokens").value == Decimal("1.25")
    record["unitOfMeasure"] = unit
    error = refused(record)
    assert (error.rule, error.record) == ("unit", "gpt 4o 1120 Batch Inp glbl Tokens [eastus2]")
    assert "the unit is ambiguous" in str(error)


def test_every_recorded_token_meter_states_the_unit_its_name_says() -> None:
    """The rule above refuses no recorded meter: each token meter of the eastus2 merge and of
    the April 2025 listing reads as it did."""
    for items in (merged_items(), april_items()):
        tokens = [i for i in items if i["meterName"].endswith("Tokens")]
        assert tokens
        for record in tokens:
            try:
                azure.normalize(dict(record))
            except Uninterpretable as error:
                assert error.rule != "unit", (record["meterName"], str(error))


def test_tokens_priced_per_hour_are_uninterpretable() -> None:
    record = item("gpt 4.1 Inp glbl Tokens")
    record["unitOfMeasure"] = "1 Hour"
    assert refused(record).rule == "unit"


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("currencyCode", "EUR", "currency"),
        ("type", "Reservation", "price type"),
        ("tierMinimumUnits", Decimal(100), "volume tier"),
        ("retailPrice", None, "not a number"),
        ("skuName", "gpt img 1 mini out img", "meter name"),
    ],
)
def test_mutated_offer_fields_are_uninterpretable(field: str, value: Any, rule: str) -> None:
    record = item("gpt img 1 mini inp txt glbl Tokens")
    record[field] = value
    assert refused(record).rule == rule


# the token vocabulary


def test_audio_models_name_their_audio_meters_by_the_model_alone() -> None:
    audio = only("gpt aud mini Inp glbl Tokens")
    text = only("gpt aud mini txt Inp glbl Tokens")
    assert audio.source_model == text.source_model == "Azure OpenAI Media/gpt aud mini"
    assert canonical(audio) == "gpt-audio-mini"
    assert (audio.value, audio.dimensions.get("modality")) == (Decimal("10"), "audio")
    assert (text.value, text.dimensions.get("modality")) == (Decimal("0.6"), None)


def test_glued_realtime_words_are_split() -> None:
    draft = only("gpt4o realtimePrvwAudInp DataZone Tokens")
    assert draft.source_model == "Azure OpenAI/gpt4o realtimePrvw"
    assert canonical(draft) == "gpt-4o-realtime-preview-2024-10-01"
    assert draft.component == Component.INPUT
    assert draft.value == Decimal("110")
    assert draft.dimensions == {"modality": "audio", "scope": "data_zone", "region": "eastus2"}


def test_realtime_mini_modality_inside_the_name() -> None:
    draft = only("gpt4omini-rt-aud1217 cchd Inp DZn Tokens")
    assert canonical(draft) == "gpt-4o-mini-realtime-preview-2024-12-17"
    assert draft.component == Component.CACHE_READ
    assert draft.value == Decimal("0.33")
    assert draft.dimensions == {"modality": "audio", "scope": "data_zone", "region": "eastus2"}


def test_batch_and_priority_tiers() -> None:
    batch = only("5.4 Batch inp Gl 1M Tokens")
    priority = only("5.4 pp inp Gl 1M Tokens")
    assert (batch.dimensions["service_tier"], batch.value) == ("batch", Decimal("1.25"))
    assert (priority.dimensions["service_tier"], priority.value) == ("priority", Decimal("5"))


def test_cache_write_and_standard_tier() -> None:
    draft = only("5.6 sol ShortCo Cd Wr Std Gl 1M Tokens")
    assert canonical(draft) == "gpt-5.6-sol"
    assert (draft.component, draft.value) == (Component.CACHE_WRITE, Decimal("6.25"))
    assert draft.dimensions == {"scope": "global"}


def test_long_context_tier_without_threshold_is_reported() -> None:
    error = refused(item("5.4 longco inp Gl 1M Tokens"))
    assert error.rule == "context tier threshold"
    base = only("5.5 ShortCo inp Gl 1M Tokens")
    assert (canonical(base), base.value) == ("gpt-5.5", Decimal("5"))
    assert "context_above" not in base.dimensions
    assert refused(item("4.3 Inp Glbl L Tokens")).rule == "context tier threshold"


def test_fine_tuned_and_grader_meters_are_variants() -> None:
    tuned = only("gpt-4.1-ft input regional Tokens")
    assert canonical(tuned) == "gpt-4.1"
    assert tuned.dimensions == {"variant": "fine_tuned", "scope": "regional", "region": "eastus2"}
    developer = only("gpt 4o dev ft inpt glbl Tokens")
    assert developer.dimensions["variant"] == "fine_tuned_developer"
    grader = only("o4-mini-ft model grader cchd inp Tokens")
    assert (canonical(grader), grader.component) == ("o4-mini", Component.CACHE_READ)
    assert grader.dimensions == {"variant": "grader", "region": "eastus2"}  # no scope stated


@pytest.mark.parametrize(
    ("meter_name", "rule"),
    [
        ("gpt-4.1 FT Training global Tokens", "not a usage price"),
        ("gpt-4.1-ft hosting global Unit", "not a usage price"),
        ("Phi-4-FT Deployment Hosting Unit", "not a usage price"),
        ("Code-Interpreter-global Session", "not a usage price"),
        ("Sora 720p 1-5s glbl Video", "duration band"),
        ("Flux 2 Pro MP Megapixel", "no direction"),
        ("MAI o Tokens", "no direction"),
    ],
)
def test_meters_that_are_reported(meter_name: str, rule: str) -> None:
    assert refused(item(meter_name)).rule == rule


def test_embedding_pages_searches_and_seconds() -> None:
    embedding = only("text-embedding-3-large-glbl Tokens")
    assert (embedding.component, embedding.value) == (Component.INPUT, Decimal("0.13"))
    pages = only("OCR 4 glbl Pages")
    assert (pages.component, pages.unit, pages.value) == (
        Component.PAGE,
        Unit.PER_PAGE,
        Decimal("0.004"),
    )
    rerank = only("Rerank v4 Pro Glbl Search")
    assert (rerank.unit, rerank.value) == (Unit.PER_1K_QUERIES, Decimal("2.5"))
    sora = only("Sora 2 pro glbl Second")
    assert canonical(sora) == "sora-2-pro"
    assert (sora.component, sora.unit, sora.value) == (
        Component.OUTPUT,
        Unit.PER_SECOND,
        Decimal("0.3"),
    )
    assert sora.dimensions["modality"] == "video"


def test_no_scope_word_leaves_scope_unstated() -> None:
    draft = only("Phi-4-Input Tokens")
    assert draft.dimensions == {"region": "eastus2"}
    assert draft.value == Decimal("0.125")


def test_product_disambiguates_bare_names() -> None:
    openai = only("Image 2 img opt Gl 1M Tokens")
    mai = only("Image 2 Output glbl Tokens")
    assert (canonical(openai), openai.value) == ("gpt-image-2", Decimal("30"))
    assert (canonical(mai), mai.value) == ("mai-image-2", Decimal("33"))
    assert mai.dimensions["modality"] == "image"


# whole recorded responses


def test_merged_eastus2_counts_and_reasons() -> None:
    drafts: list[Draft] = []
    rules: Counter[str] = Counter()
    for record in merged_items():
        try:
            drafts += azure.normalize(record)
        except Uninterpretable as error:
            rules[error.rule] += 1
    assert len(merged_items()) - sum(rules.values()) == 1277
    assert rules == {
        "not a usage price": 104,
        "context tier threshold": 62,
        "no direction": 47,
        "duration band": 30,
    }
    keys = Counter(
        (canonical(d), d.component, d.unit, tuple(sorted(d.dimensions.items()))) for d in drafts
    )
    assert [key for key, count in keys.items() if count > 1] == []


def test_april_2025_items_from_every_region() -> None:
    rules: Counter[str] = Counter()
    normalized = 0
    for record in april_items():
        try:
            normalized += len(azure.normalize(record)) > 0
        except Uninterpretable as error:
            rules[error.rule] += 1
    assert (len(april_items()), normalized) == (1944, 1683)
    assert rules == {"not a usage price": 261}


def test_april_2025_gpt_image_1_launch_meters_keep_their_region() -> None:
    drafts = [
        draft
        for record in april_items()
        if record["meterName"] == "gpt-image-1-inp-img-rgnl Tokens"
        for draft in azure.normalize(record)
    ]
    prices = {d.dimensions["region"]: d.value for d in drafts}
    assert prices["northcentralus"] == Decimal("11")
    assert prices["swedencentral"] == Decimal("12.1")
    assert {canonical(d) for d in drafts} == {"gpt-image-1"}
    assert {d.dimensions["modality"] for d in drafts} == {"image"}


def test_alias_table_targets_are_canonical_ids() -> None:
    table = json.loads((ALIAS_DIR / "azure.json").read_text())
    assert set(table) == {"routes", "models"}
    for key, target in table["models"].items():
        assert key == key.lower()
        assert target == general_form(target)


@pytest.mark.parametrize(
    ("written", "respelt"),
    [
        ("glbl", "Globl"),
        ("glbl", "gbl"),
        ("regnl", "rgnal"),
        ("DZone", "Dtzn"),
        ("DZone", "D-Zone"),
        ("DZone", "Dt Zone"),
    ],
)
def test_a_new_spelling_of_a_scope_word_is_that_scope(written: str, respelt: str) -> None:
    """Fault round 45: Azure writing 'Globl' for 'glbl' in 292 eastus2 meters made 96 new
    models ('gpt-4o-mini-globl') and left the real models without their global prices. A word
    after the meter's qualifiers that abbreviates a scope word (its first letter, the others
    in order) is that scope: every recorded meter re-spelt reads as written."""
    pattern = re.compile(rf"(?<![A-Za-z]){written}(?![A-Za-z])")
    meters = {i["skuName"] for i in merged_items() if pattern.search(i["skuName"])}
    assert len(meters) > 20
    for sku in meters:
        assert _read(pattern.sub(respelt, sku)) == _read(sku), sku


def _read(sku: str) -> tuple[str, dict[str, str]]:
    """What a skuName says: its model and slots, or the rule that refuses it."""
    try:
        meter = azure.read_sku(sku, "meter")
    except Uninterpretable as exc:
        return exc.rule, {}
    return meter.model, meter.values
