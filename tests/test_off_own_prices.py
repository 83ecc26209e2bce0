"""A token price a power of ten off the same model's prices its source states beside it.

Fault round h51, each on a first load:
- Azure's six `gpt 4o 1120` input and output meters (global, data zone, regional) relabelled
  "1M Tokens" at their per-1K prices, as newer meters are named: they entered verified at
  0.0025 and 0.01, beside their own batch meters at 1.25 and 5, and set aside LiteLLM's and
  Portkey's right prices as a power of ten off every official scope's. A discounted tier is never
  above its standard price (at most 1.47 times it in the recorded world), so a batch price ten
  times the standard one puts both in doubt: both are set aside, and so is the model's standard
  price at its deployments without a batch meter, at about the doubted one.
- LiteLLM's `output_cost_per_reasoning_token` x1000: gemini-2.5-flash-lite's reasoning price
  entered at 400 beside its output price of 0.4. Reasoning tokens are billed as output (the
  recorded ratios are 0.38 to 5): a reasoning price tenfold off its output price is set aside.

Read as a refresh reads a source (normalize, identity, validation and its own rules: the
reading path of tests/test_fault_kinds.py) from the recorded epoch-2 bodies, changed here.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

from catalog.intake import DISCOUNT_OFF_STANDARD_RULE, REASONING_OFF_OUTPUT_RULE
from schemas.vocab import Component, Kind, Unit
from tests.test_fault_kinds import bodies, read

MODEL = "gpt-4o-2024-11-20"
METERS = re.compile(r"^gpt 4o 1120 (Inp|Outp) (glbl|regnl|Data Zone) Tokens$")


def relabelled(body: bytes) -> tuple[bytes, int]:
    """An Azure Retail Prices page with the METERS named "... 1M Tokens" and measured per "1M",
    their prices left per 1K; and how many it relabelled."""
    page = json.loads(body)
    count = 0
    for item in page.get("Items", []):
        if METERS.match(item["meterName"]):
            item["unitOfMeasure"] = "1M"
            item["meterName"] = item["meterName"].replace(" Tokens", " 1M Tokens")
            count += 1
    return json.dumps(page).encode(), count


def test_meters_relabelled_per_1m_beside_their_batch_meters_enter_nothing() -> None:
    clean = read("azure", bodies("azure"))
    assert not clean.failure
    assert not [p for p in clean.problems if p.rule == DISCOUNT_OFF_STANDARD_RULE]
    answered, count = {}, 0
    for url, body in bodies("azure").items():
        answered[url], n = relabelled(body)
        count += n
    assert count == 6
    found = read("azure", answered)
    assert not found.failure
    aside = [p.observation for p in found.problems if p.rule == DISCOUNT_OFF_STANDARD_RULE]
    standard = {
        (o.component, o.dimensions.key): o.value
        for o in aside
        if o and o.component in (Component.INPUT, Component.OUTPUT)
        if "service_tier" not in o.dimensions
    }
    assert len(standard) == 6 and all(v < Decimal("0.02") for v in standard.values())
    assert any(o and o.dimensions.get("service_tier") == "batch" for o in aside)
    assert {o.model for o in aside if o} == {MODEL}
    read_in = [
        o
        for o in found.valid
        if o.model == MODEL and o.kind is Kind.PRICE and o.component is Component.INPUT
    ]
    assert not [o for o in read_in if o.unit is Unit.PER_1M_TOKENS and o.value < Decimal("0.1")]


def test_a_reasoning_price_a_thousand_times_its_output_is_set_aside() -> None:
    url, body = next(iter(bodies("litellm").items()))
    clean = read("litellm", {url: body})
    assert not [p for p in clean.problems if p.rule == REASONING_OFF_OUTPUT_RULE]
    entries = json.loads(body)
    scaled = 0
    for entry in entries.values():
        if isinstance(entry, dict) and "output_cost_per_reasoning_token" in entry:
            entry["output_cost_per_reasoning_token"] *= 1000
            scaled += 1
    assert scaled > 10
    found = read("litellm", {url: json.dumps(entries).encode()})
    aside = [p.observation for p in found.problems if p.rule == REASONING_OFF_OUTPUT_RULE]
    assert aside and all(o and o.component is Component.REASONING for o in aside)
    outputs = {
        (o.route, o.source_model, o.dimensions.key): o.value
        for o in found.valid
        if o.component is Component.OUTPUT and o.unit is Unit.PER_1M_TOKENS
    }
    off = [
        o
        for o in found.valid
        if o.component is Component.REASONING
        and (output := outputs.get((o.route, o.source_model, o.dimensions.key)))
        and o.value >= 10 * output
    ]
    assert off == []
    flash = [o for o in aside if o and o.source_model == "gemini-2.5-flash-lite"]
    assert flash and flash[0].value == 1000 * Decimal("0.4")


def test_a_standard_price_typed_tenfold_beside_its_batch_price_enters_nothing() -> None:
    """OpenAI's page with gpt-4o's Standard output typed $100.00 (its Batch row $5.00 left):
    the page's figure entered a first load verified, and the gateways' right $10 were the
    anomalies (routes that must match)."""
    url, body = next(iter(bodies("openai-page").items()))
    row = b"| gpt-4o | $2.50 | $1.25 | $10.00 |"
    assert row in body
    found = read(
        "openai-page", {url: body.replace(row, b"| gpt-4o | $2.50 | $1.25 | $100.00 |", 1)}
    )
    assert not found.failure
    aside = {
        (o.component, o.dimensions.get("service_tier"), o.value)
        for p in found.problems
        if p.rule == DISCOUNT_OFF_STANDARD_RULE and (o := p.observation) and o.model == "gpt-4o"
    }
    assert aside == {
        (Component.OUTPUT, None, Decimal(100)),
        (Component.OUTPUT, "batch", Decimal(5)),
    }
    clean = read("openai-page", {url: body})
    assert not [p for p in clean.problems if p.rule == DISCOUNT_OFF_STANDARD_RULE]
