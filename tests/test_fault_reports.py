"""Fault kinds taken from public bug reports about the feeds ratecard reads (none named by an
issue of ours), each made here from epoch-2's real recorded responses and read through the real
reading path (tests/test_fault_kinds' `read`: parser, normalizer, identity and the Pandera gate).

- LiteLLM's legacy `max_tokens` (or the `max_input_tokens` it mirrors) stated as null or as
  text: a limit field, yet the whole entry's prices were dropped with it.
- LiteLLM's `web_search_billing_unit: "per_prompt"` (Gemini 2.x grounding, BerriAI/litellm#36397
  and #31363): it says how one field is billed, yet the whole entry was dropped.
- Azure's `effectiveEndDate` (a retired or repriced meter; the 2025-04 capture has such rows;
  prices filtered by their validity window in IBM-Cloud/infracost-cloud-pricing-api#55): a price
  that ended before the response's date was read as current.
- One Azure meter's old and new rows on two pages (rows of one price "with different prices",
  opencost/opencost#4013): judged apart, both were current and set each other aside.
- Azure's `unitPrice` differing from `retailPrice` (two fields of one row compared as if one,
  LeanerCloud/CUDly#1934): one was read, the other ignored.
- models.dev's `modalities.input` of another shape (null, a text, a list holding an object): a
  capability list, yet a null or an object in it dropped every price of the model.
- OpenRouter's `architecture.output_modalities` written as a text (`"transcription"`) instead
  of a list: the field that says a model is metered per second, not per token, was unreadable,
  and the per-token fields were read as token prices.
- Vercel's context tiers (and LiteLLM's `tiered_pricing` ranges) that do not tile the prompt
  lengths (a tier ending before the next one starts, one that never ends below another or
  starts before it ends, an end at or below the start): the tier below was read as the price
  of the lengths no tier states.
- An OpenRouter listing holding fewer entries than its `total_count`, with no next page (a
  partial result: the rest of its models would have counted as absent).
- A LiteLLM entry written in another unit (per 1K where per token belongs, BerriAI/litellm#38167:
  watsonx/bigscience/mt0-xxl-13b at 0.0005 and 0.002 per token for $1.80 per 1M): its output
  was out of range, its input, $500 per 1M, was read as a price.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from catalog.normalize import ENDED_RULE
from schemas.records import Observation
from tests.test_fault_kinds import OBSERVED, Read, healthy, read, recorded, urls

# ------------------------------------------------------------- LiteLLM: one field, one problem

LITELLM = urls("litellm")[0]
# An entry with max_output_tokens (max_tokens mirrors it) and one without (max_tokens mirrors
# max_input_tokens): both ways emit_limits reads the legacy field.
MIRRORS_OUTPUT, MIRRORS_INPUT = "gpt-4o", "amazon.titan-embed-text-v2:0"


def litellm_with(key: str, changes: dict[str, Any]) -> Read:
    document = json.loads(recorded()[LITELLM].read_bytes())
    document[key].update(changes)
    return read("litellm", {LITELLM: json.dumps(document).encode()})


def of(found: list[Observation], record: str) -> list[Observation]:
    return [o for o in found if o.record == record]


@pytest.mark.parametrize(
    ("key", "name", "written"),
    [
        (MIRRORS_OUTPUT, "max_tokens", None),
        (MIRRORS_OUTPUT, "max_tokens", "8k"),
        (MIRRORS_INPUT, "max_tokens", None),
        (MIRRORS_INPUT, "max_input_tokens", None),
        (MIRRORS_INPUT, "max_input_tokens", "8k"),
    ],
)
def test_an_unreadable_litellm_limit_is_quarantined_alone(
    key: str, name: str, written: Any
) -> None:
    """The legacy max_tokens (and the input limit it may mirror) were read outside a field's
    quarantine: one null or '8k' there dropped every price of the entry."""
    found = litellm_with(key, {name: written})
    assert not found.failure, found.failure
    [problem] = [p for p in found.problems if p.record == key]
    assert problem.field == name and problem.rule == "not a number", problem
    before = of(healthy("litellm").valid, key)
    after = of(found.valid, key)
    prices = [o for o in before if o.kind.value == "price"]
    assert prices and set(prices) <= set(after)
    assert len(before) - len(after) <= 1  # at most the one limit it states
    assert not [o for o in after if name in o.evidence]


def test_a_search_price_billed_per_prompt_is_quarantined_alone() -> None:
    """`web_search_billing_unit: "per_prompt"` made the whole entry Uninterpretable; it says
    how one field is billed (once per grounded prompt, not per query)."""
    key = "gemini/gemini-2.0-flash"
    found = litellm_with(key, {"web_search_billing_unit": "per_prompt"})
    [problem] = [p for p in found.problems if p.record == key]
    assert problem.field == "search_context_cost_per_query", problem
    assert "per_prompt" in problem.detail
    before = of(healthy("litellm").valid, key)
    after = of(found.valid, key)
    searches = [o for o in before if o.component.value == "web_search"]
    assert len(searches) == 3  # low, medium, high
    assert set(after) == set(before) - set(searches)


# --------------------------------------------------------- Azure: a price that ended, twice stated

AZURE = urls("azure")[0]
METER = "5.4 opt Dz 1M Tokens"  # a real token meter of the eastus2 listing
RECORD = f"{METER} [eastus2]"


def azure_with(change: Any, extra: list[dict[str, Any]] | None = None) -> Read:
    """The eastus2 listing with METER's row changed; `extra` rows as the page after it."""
    document = json.loads(recorded()[AZURE].read_bytes())
    row = next(i for i in document["Items"] if i["meterName"] == METER)
    change(row)
    answered = {AZURE: json.dumps(document).encode()}
    if extra is not None:
        page = {"BillingCurrency": "USD", "Items": extra, "NextPageLink": None}
        answered[f"{AZURE}&$skip=1000"] = json.dumps({**page, "Count": len(extra)}).encode()
    return read("azure", answered)


def day(offset: int) -> str:
    """A date as Azure writes one (`2025-08-31T23:59:00Z`), `offset` days from the response's."""
    return (OBSERVED + timedelta(days=offset)).strftime("%Y-%m-%dT23:59:00Z")


def meter_row() -> dict[str, Any]:
    document = json.loads(recorded()[AZURE].read_bytes())
    return next(i for i in document["Items"] if i["meterName"] == METER)


def test_an_azure_price_that_ended_is_not_read_as_current() -> None:
    found = azure_with(lambda row: row.update(effectiveEndDate=day(-1)))
    assert not found.failure, found.failure
    assert not of(found.valid, RECORD)
    [problem] = [p for p in found.problems if p.record == RECORD]
    assert (
        problem.rule == ENDED_RULE and str((OBSERVED - timedelta(days=1)).date()) in problem.detail
    )
    assert len(healthy("azure").valid) - len(found.valid) == 1


def test_an_azure_price_that_ends_later_is_current() -> None:
    found = azure_with(lambda row: row.update(effectiveEndDate=day(0)))
    assert [o.value for o in of(found.valid, RECORD)] == [
        o.value for o in of(healthy("azure").valid, RECORD)
    ]
    assert not [p for p in found.problems if p.record == RECORD]


def test_an_ended_row_on_another_page_leaves_the_current_price_alone() -> None:
    """The meter's old row (its price until the repricing) on the next page: read as current
    too, the two prices of one field set each other aside and the meter had none."""
    old = {
        **meter_row(),
        "retailPrice": 20.0,
        "unitPrice": 20.0,
        "effectiveStartDate": "2025-04-01T00:00:00Z",
        "effectiveEndDate": day(-30),
    }
    found = azure_with(lambda row: None, [old])
    assert [o.value for o in of(found.valid, RECORD)] == [
        o.value for o in of(healthy("azure").valid, RECORD)
    ]
    assert [p.rule for p in found.problems if p.record == RECORD] == [ENDED_RULE]


def test_a_meters_older_row_on_another_page_is_superseded_as_on_one_page() -> None:
    """Without an end date, the older row is superseded by the meter's later one (the schedule
    rule of one record); on two pages each was judged apart, both read as current, and the two
    prices of one field set each other aside (pagination keeps no meter's rows together)."""
    old = {**meter_row(), "retailPrice": 20.0, "unitPrice": 20.0}
    old["effectiveStartDate"] = "2025-04-01T00:00:00Z"
    found = azure_with(lambda row: None, [old])
    stated = [o.value for o in of(found.valid, RECORD)]
    assert stated == [o.value for o in of(healthy("azure").valid, RECORD)]
    assert not [p for p in found.problems if p.record == RECORD]


def test_an_azure_row_whose_unit_price_differs_is_quarantined() -> None:
    found = azure_with(lambda row: row.update(unitPrice=row["retailPrice"] / 2))
    assert not found.failure, found.failure
    assert not of(found.valid, RECORD)
    [problem] = [p for p in found.problems if p.record == RECORD]
    assert problem.rule == "conflicting values" and "unitPrice" in problem.detail
    assert len(healthy("azure").valid) - len(found.valid) == 1


# --------------------------------------------------- one mistyped price in a record


def test_one_mistyped_price_leaves_its_records_other_prices() -> None:
    """One field at 100 USD per token (10^8 per 1M) beside prices of a few dollars per 1M is one
    mistyped field, not a record in another unit: only it is set aside."""
    key = "gpt-4.1-mini"
    document = json.loads(recorded()[LITELLM].read_bytes())
    document[key]["input_cost_per_token"] = 100
    found = read("litellm", {LITELLM: json.dumps(document).encode()})
    assert [p.rule for p in found.problems if p.record == key] == ["magnitude"]
    assert len(of(found.valid, key)) == len(of(healthy("litellm").valid, key)) - 1


def test_a_field_of_another_modality_is_not_judged_by_the_out_of_range_one() -> None:
    """Portkey's openai/gpt-4o-transcribe: its audio input field (a per-minute price in a
    per-token field, $6,000 per 1M) is out of range; its text prices are OpenAI's own."""
    found = healthy("portkey")
    key = "openai/gpt-4o-transcribe"
    assert [p.rule for p in found.problems if p.record == key] == ["magnitude"]
    text = {o.component.value: o.value for o in of(found.valid, key) if not o.dimensions}
    assert text["input"] == Decimal("2.5") and text["output"] == 10


# ------------------------------------------------------- models.dev: a capability list, no more

MODELSDEV = urls("modelsdev")[0]


@pytest.mark.parametrize(
    "written", [None, "text", [{"type": "text"}]], ids=["null", "text", "object"]
)
def test_a_modalities_list_of_another_shape_is_quarantined_alone(written: Any) -> None:
    document = json.loads(recorded()[MODELSDEV].read_bytes())
    document["openai"]["models"]["gpt-4o"]["modalities"]["input"] = written
    found = read("modelsdev", {MODELSDEV: json.dumps(document).encode()})
    assert not found.failure, found.failure
    [problem] = [p for p in found.problems if p.field == "modalities.input"]
    assert problem.record == "openai/gpt-4o" and problem.rule == "not a list of names"
    before = [o for o in healthy("modelsdev").valid if o.record == problem.record]
    after = [o for o in found.valid if o.record == problem.record]
    assert {o for o in before if o.kind.value == "price"} <= set(after)
    lost = set(before) - set(after)
    assert lost and all(o.evidence.startswith("modalities.input lists") for o in lost)


# ------------------------------------------------------ OpenRouter: what says the unit, unreadable

OPENROUTER_ALL = urls("openrouter")[1]
TRANSCRIBER = "mistralai/voxtral-small-24b-2507-stt"  # prompt "0.00005": per second of audio


@pytest.mark.parametrize(
    "written", ["transcription", ["transcription", None], "absent"], ids=["text", "null", "absent"]
)
def test_an_unreadable_output_modalities_leaves_the_token_unit_unstated(written: Any) -> None:
    document = json.loads(recorded()[OPENROUTER_ALL].read_bytes())
    model = next(m for m in document["data"] if m["id"] == TRANSCRIBER)
    if written == "absent":  # as OpenRouter's schema had it: only "modality" names the outputs
        del model["architecture"]["output_modalities"]
    else:
        model["architecture"]["output_modalities"] = written
    found = read("openrouter", {OPENROUTER_ALL: json.dumps(document).encode()})
    assert not found.failure, found.failure
    assert not [o for o in of(found.valid, TRANSCRIBER) if o.kind.value == "price"]
    rules = {p.field: p.rule for p in found.problems if p.record == TRANSCRIBER}
    assert rules["pricing.prompt"] == "unit-ambiguous"


# ------------------------------------------------------------ Vercel: tiers that leave a gap

VERCEL = urls("vercel")[0]
TIERED = "alibaba/qwen3-coder"  # input_tiers: [0, 32001) 1.5, [32001, 128001) 2.7, 128001+ 4.5


@pytest.mark.parametrize(
    ("tier", "change", "rule"),
    [
        (1, {"min": 100000}, "tiers leave a gap"),
        (1, {"max": 32001}, "bad tier bound"),
        (0, {"max": 0}, "bad tier bound"),
    ],
    ids=["gap", "empty range", "max below min"],
)
def test_vercel_tiers_that_do_not_tile_the_prompt_are_quarantined(
    tier: int, change: dict[str, Any], rule: str
) -> None:
    """Read as stated, qwen3-coder's input above 32,000 tokens was priced at the base 1.5 up to
    the tier starting at 100,000, a price Vercel states for no length there."""
    document = json.loads(recorded()[VERCEL].read_bytes())
    model = next(m for m in document["data"] if m["id"] == TIERED)
    model["pricing"]["input_tiers"][tier].update(change)
    found = read("vercel", {VERCEL: json.dumps(document).encode()})
    assert not found.failure, found.failure
    [problem] = [p for p in found.problems if p.record == TIERED]
    assert (problem.field, problem.rule) == ("pricing.input_tiers", rule), problem
    tiers = [o for o in of(found.valid, TIERED) if "context_above" in o.dimensions]
    assert {o.component.value for o in tiers} == {"cache_read", "output"}  # its other tiers
    flat = [o for o in of(found.valid, TIERED) if o.component.value == "input" and not o.dimensions]
    assert [o.value for o in flat] == [Decimal("1.5")]


def test_vercel_tiers_without_an_end_below_another_are_quarantined() -> None:
    document = json.loads(recorded()[VERCEL].read_bytes())
    model = next(m for m in document["data"] if m["id"] == TIERED)
    del model["pricing"]["input_tiers"][1]["max"]
    found = read("vercel", {VERCEL: json.dumps(document).encode()})
    [problem] = [p for p in found.problems if p.record == TIERED]
    assert problem.rule == "overlapping tiers" and "min=128001" in problem.detail


def test_a_listing_without_output_modalities_reads_as_with_them() -> None:
    """OpenRouter's schema before `output_modalities`: `modality` ("audio->transcription")
    names the same outputs, so every model's prices read the same, each in its unit."""
    document = json.loads(recorded()[OPENROUTER_ALL].read_bytes())
    for model in document["data"]:
        del model["architecture"]["output_modalities"]
    found = read("openrouter", {OPENROUTER_ALL: json.dumps(document).encode()})
    healthy_all = read("openrouter", {OPENROUTER_ALL: recorded()[OPENROUTER_ALL].read_bytes()})
    prices = {o for o in found.valid if o.kind.value == "price"}
    assert prices == {o for o in healthy_all.valid if o.kind.value == "price"}
    ambiguous = [p for p in healthy_all.problems if p.rule == "unit-ambiguous"]
    assert ambiguous and len(ambiguous) == len(
        [p for p in found.problems if p.rule == "unit-ambiguous"]
    )


# ------------------------------------------------ OpenRouter: a listing shorter than it says

OPENROUTER = urls("openrouter")[0]


def test_an_openrouter_listing_shorter_than_its_total_is_a_partial_listing() -> None:
    """Half the entries of a listing that says it holds 414, and names no next page: read as
    whole, the other half of its models would count as absent from OpenRouter."""
    document = json.loads(recorded()[OPENROUTER].read_bytes())
    total = len(document["data"])
    assert document["total_count"] == total
    del document["data"][total // 2 :]
    found = read("openrouter", {OPENROUTER: json.dumps(document).encode()})
    [reason] = found.unparsable
    assert f"total_count={total} but {total // 2} entries" in reason and "partial listing" in reason
    assert not found.valid
    # a page reached by a next link holds the rest of a total over all pages: not judged alone
    later = read("openrouter", {f"{OPENROUTER}?offset=207": json.dumps(document).encode()})
    assert not later.unparsable and later.valid


@pytest.mark.parametrize(
    ("span", "rule"),
    [
        ([64000, 128000], "tiers leave a gap"),
        ([16000, 128000], "overlapping tiers"),
        ([32000, 32000], "bad tier bound"),
    ],
    ids=["gap", "overlap", "empty range"],
)
def test_litellm_context_tiers_that_do_not_tile_the_prompt_are_quarantined(
    span: list[int], rule: str
) -> None:
    """The same rule as Vercel's tiers, on LiteLLM's `tiered_pricing` ranges."""
    key = "dashscope/qwen3-max-preview"  # ranges [0, 32000], [32000, 128000], [128000, 252000]
    document = json.loads(recorded()[LITELLM].read_bytes())
    document[key]["tiered_pricing"][1]["range"] = span
    found = read("litellm", {LITELLM: json.dumps(document).encode()})
    assert not found.failure, found.failure
    [problem] = [p for p in found.problems if p.record == key]
    assert (problem.field, problem.rule) == ("tiered_pricing", rule), problem
    assert not [o for o in of(found.valid, key) if "context_above" in o.dimensions]
    assert len(of(found.valid, key)) < len(of(healthy("litellm").valid, key))
    assert [o for o in of(found.valid, key) if o.kind.value == "limit"]  # the rest is read
