"""Format drift and JSON oddities at the aggregator and API sources: keys and shapes the real
sources (or their own packages) write in versions newer than the recordings, and numbers,
literals and headers of other spellings, each made here from a real recorded response and read
through the real reading path (tests/test_fault_kinds' `read`: parser, normalizer, identity
and the Pandera gate), or through the source's normalizer where one record is the question.

The rule: a key that states a price the reader does not know is quarantined by name, never
read as another price and never dropped unreported; the record's other fields are read as
before. A key that only qualifies prices (a start date, a time window, a context tier) is read
or reported, and never lets the prices it qualifies be taken for every date, hour or prompt.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from catalog.compare import Context, compare
from schemas import vocab
from schemas.fetch import FieldProblem
from schemas.records import ReviewKind
from schemas.sources import is_official, sources
from spiders import genai_prices, modelsdev, vercel
from spiders.crawl import crawl
from spiders.replay import World, serve
from tests.conftest import SNAPSHOTS, snapshot
from tests.test_fault_kinds import Read, bodies, healthy, is_price, read, urls, walk
from tests.test_faults_unnamed import stated
from tests.worlds import fault_world

# ------------------------------------------------ LiteLLM: cost keys newer than the recording

LITELLM = urls("litellm")[0]

# (entry, key, value): keys LiteLLM's own schema test lists (output_cost_per_image_above_...,
# _premium_image, _batch_requests) and a LiteLLM-format consumer reads (litellm-rs's
# time_of_use_pricing: peak rates by UTC window), each on an entry of the kind that states it.
NEWER_LITELLM: list[tuple[str, str, Any]] = [
    ("vertex_ai/imagen-3.0-generate-002", "output_cost_per_image_above_1024_and_1024_pixels", 0.06),
    ("vertex_ai/imagen-3.0-generate-001", "output_cost_per_image_premium_image", 0.06),
    ("gpt-4o", "input_cost_per_token_batch_requests", 1.25e-06),
    ("gpt-4o-mini", "inputCostPerTokenAbove128kTokens", 3e-07),  # camelCase, as a converter writes
    (
        "deepseek/deepseek-chat",
        "time_of_use_pricing",
        {
            "timezone": "UTC",
            "peak_windows": [{"weekdays": [1, 2, 3, 4, 5], "start_hour": 0, "end_hour": 16}],
            "peak_rates": {
                "input_cost_per_token": 5.6e-07,
                "output_cost_per_token": 8.4e-07,
                "cache_read_input_token_cost": 5.6e-08,
            },
        },
    ),
]


def of_record(found: Read, record: str) -> Counter[tuple[Any, ...]]:
    return Counter(
        (o.component, o.unit, o.dimensions.key, o.value) for o in found.valid if o.record == record
    )


def test_litellm_keys_newer_than_the_recording_are_named_and_the_entry_read() -> None:
    """Each key is quarantined by name on its entry, which reads as recorded otherwise. The
    time-of-use rates (a key spelled `pricing`, not `cost` or `price`) were read past without a
    word, leaving deepseek-chat's off-peak prices as its price at every hour."""
    document = json.loads(bodies("litellm")[LITELLM])
    for entry, key, value in NEWER_LITELLM:
        document[entry][key] = value
    found = read("litellm", {LITELLM: json.dumps(document).encode()})
    before = healthy("litellm")
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    for entry, key, _ in NEWER_LITELLM:
        assert of_record(found, entry) == of_record(before, entry) != Counter()
        [problem] = [p for p in found.problems if p.record == entry and p not in before.problems]
        assert (problem.field, problem.rule) == (key, "unknown cost field"), problem
    assert len(found.valid) == len(before.valid)


@pytest.mark.parametrize(
    ("entry", "first"),
    [
        ("low/1024-x-1024/gpt-image-1-mini", '"mode": "chat"'),
        ("gpt-4o", '"litellm_provider": "azure"'),
    ],
    ids=["mode", "provider"],
)
def test_a_litellm_word_its_entry_is_read_by_stated_twice_reads_nothing_of_it(
    entry: str, first: str
) -> None:
    """JSON keeps the last of a field stated twice. Of a price that is reported; but a mode or
    a provider stated twice was reported and its last value still read the entry: the image
    model's input_cost_per_image as the generated image's price (by `image_generation`, one of
    two modes), gpt-4o's prices as openai's (one of two routes)."""
    body = bodies("litellm")[LITELLM]
    opening = f'"{entry}": {{'.encode()
    assert body.count(opening) == 1
    found = read("litellm", {LITELLM: body.replace(opening, opening + f"\n{first},".encode())})
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    assert of_record(found, entry) == Counter() != of_record(healthy("litellm"), entry)
    [problem] = [p for p in found.problems if p.record == entry]
    assert problem.rule == "duplicate field" and first.split(":")[0].strip('"') in problem.detail


@pytest.mark.parametrize(
    ("source", "entry", "opening", "key"),
    [
        ("litellm", "low/1024-x-1024/gpt-image-1-mini", '"{}": {{', "mode"),
        ("litellm", "gpt-4o", '"{}": {{', "input_cost_per_token"),
        ("openrouter", "anthropic/claude-haiku-4.5", '"id": "{}"', "pricing"),
    ],
)
def test_a_key_padded_with_whitespace_means_the_key(
    source: str, entry: str, opening: str, key: str
) -> None:
    """Values were read without the padding around them, keys as written: LiteLLM's `"mode "`
    was no mode, so gpt-image-1-mini's generated-image price was read as an input image price
    without a word; a padded price key was an unknown cost field, a padded `pricing` no
    pricing. A key is read without the whitespace around it, as its value is."""
    url = urls(source)[0]
    body = bodies(source)[url]
    [start] = [m.start() for m in re.finditer(re.escape(opening.format(entry)).encode(), body)]
    at = body.index(f'"{key}"'.encode(), start)
    padded = body[:at] + f'" {key} "'.encode() + body[at + len(key) + 2 :]
    found, before = read(source, {url: padded}), read(source, {url: body})
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    assert of_record(found, entry) == of_record(before, entry) != Counter()
    assert [p for p in found.problems if p.record == entry] == [
        p for p in before.problems if p.record == entry
    ]


# ------------------------------------------- genai-prices: constraints that name their kind


def genai_constraints(change: Any) -> dict[str, bytes]:
    """epoch-2's genai-prices file with every constraint of a conditional price set changed."""
    [(url, body)] = bodies("genai-prices").items()
    document = json.loads(body)
    for provider in document:
        for model in provider["models"]:
            if isinstance(model.get("prices"), list):
                for entry in model["prices"]:
                    if entry.get("constraint"):
                        entry["constraint"] = change(entry["constraint"])
    return {url: json.dumps(document).encode()}


def typed(constraint: dict[str, Any]) -> dict[str, Any]:
    kind = "start_date" if "start_date" in constraint else "time_of_date"
    return {"type": kind, **constraint}


def test_genai_prices_constraints_naming_their_kind_read_as_recorded() -> None:
    """genai-prices' JS package data writes each constraint with its kind (`type: start_date`,
    `type: time_of_date`). Set aside as unknown, the dated sets left the unconstrained ones
    read as current: o3 at its price before 2025-06-10 (input 10 where it is 2), Opus 4.6
    with the long-context tiers it dropped on 2026-03-13; DeepSeek's peak window left its
    off-peak prices as the prices of every hour."""
    found = read("genai-prices", genai_constraints(typed))
    before = healthy("genai-prices")
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    assert stated(found) == stated(before)
    assert Counter(p.rule for p in found.problems) == Counter(p.rule for p in before.problems)


def genai_record(provider: str, model: str) -> dict[str, Any]:
    """One model's record of epoch-2's genai-prices file, as the parser gives it."""
    [(url, body)] = bodies("genai-prices").items()
    [record] = [
        r
        for r in genai_prices.parse(body, url).records
        if r["provider"] == provider and r["model"]["id"] == model
    ]
    return record


@pytest.mark.parametrize(
    "constraint",
    [
        {"type": "service_tier", "tier": "batch"},  # a kind its keys are not, naming no time
        {"service_tier": "batch", "region": "eu"},
        Decimal("20260313"),  # no object at all, stating nothing
        [{"service_tier": "batch"}],
    ],
    ids=["other kind", "request context", "number", "list"],
)
def test_a_genai_prices_constraint_of_no_known_kind_is_that_sets_problem(constraint: Any) -> None:
    """A number or a list where the constraint object was made the whole model unreadable (a
    TypeError); a `type` other than its keys' kind is no kind to guess. A constraint that
    states no date or time applies to some requests only: each is the set's problem alone, as
    any unknown constraint (genai-prices#445), and the unconstrained set is the price."""
    record = genai_record("openai", "o3")
    record["model"]["prices"][1]["constraint"] = constraint
    found = genai_prices.normalize(record)
    assert [(p.field, p.rule) for p in found.problems] == [("prices[1]", "unknown constraint")]
    assert sorted(d.value for d in found if d.component.value == "output") == [Decimal(40)]


# (provider, model, constraint): a recorded set by date or time of day, its constraint written
# so it still states a date or time (a kind's other spelling, an extra key, a kind without its
# keys, a list) but no longer as the two kinds genai-prices' schema defines.
UNREAD_TIMES: list[tuple[str, str, Any]] = [
    (
        "deepseek",
        "deepseek-chat",
        {"type": "time_of_day", "start_time": "00:30:00Z", "end_time": "16:30:00Z"},
    ),
    (
        "deepseek",
        "deepseek-reasoner",
        {"start_time": "00:30:00Z", "end_time": "16:30:00Z", "timezone": "UTC"},
    ),
    ("deepseek", "deepseek-chat", {"peak_hours": "00:30-16:30"}),
    (
        "openai",
        "o3",
        {"type": "time_of_date", "start_date": "2025-06-10"},
    ),  # a kind its keys are not
    ("openai", "o3", {"type": "service_tier", "start_date": "2025-06-10"}),
    ("openai", "o3", [{"start_date": "2025-06-10"}]),
    ("openai", "o3", {"from": "2025-06-10"}),
]


@pytest.mark.parametrize(("provider", "model", "constraint"), UNREAD_TIMES)
def test_a_genai_prices_set_by_a_time_not_read_leaves_no_price_read_as_every_hours(
    provider: str, model: str, constraint: Any
) -> None:
    """A set whose constraint states a date or a time this reader cannot read may be the one in
    force at any date or hour. Set aside alone, it left the unconstrained set read as the price
    of every hour and date, without a word: DeepSeek's off-peak price as its all-day price, o3's
    price before 2025-06-10 (input 10 where it is 2) as current. Every price of the model is
    quarantined as not the whole story, each by name; the model's other fields are read."""
    record = genai_record(provider, model)
    sets = record["model"]["prices"]
    sets[1]["constraint"] = constraint
    found = genai_prices.normalize(record)
    assert [d for d in found if d.kind.value == "price"] == []
    expected = [("prices[1]", "unknown constraint")] + [
        (f"prices[{index}].{key}", genai_prices.UNREAD_TIME_RULE)
        for index, entry in enumerate(sets)
        for key in entry["prices"]
        if index != 1  # the unread set itself is quarantined whole, by its constraint
    ]
    assert sorted((p.field, p.rule) for p in found.problems) == sorted(expected)
    assert all("prices[1]" in p.detail for p in found.problems)
    limits = [d.value for d in found if d.component.value == "context_window"]
    assert limits == (
        [Decimal(record["model"]["context_window"])] if "context_window" in record["model"] else []
    )


def test_every_genai_prices_set_by_a_time_not_read_is_reported_and_the_rest_read() -> None:
    """Through the whole reading path: each constraint by date or time written with a zone
    beside it (a key genai-prices' kinds do not have) leaves its model's prices quarantined,
    each reported; every other model reads as recorded."""
    found = read("genai-prices", genai_constraints(lambda c: {**c, "timezone": "UTC"}))
    before = healthy("genai-prices")
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    [body] = bodies("genai-prices").values()
    conditional = {
        f"{provider['id']}/{model['id']}"
        for provider in json.loads(body)
        for model in provider["models"]
        if isinstance(model.get("prices"), list)
    }
    assert len(conditional) == 15
    assert not any(o.kind.value == "price" for o in found.valid if o.record in conditional)
    assert [o for o in found.valid if o.record not in conditional] == [
        o for o in before.valid if o.record not in conditional
    ]
    unread = {p.record for p in found.problems if p.rule == genai_prices.UNREAD_TIME_RULE}
    assert unread == conditional


# -------------------------------------------------- models.dev: shapes its schema allows


MODELSDEV = "catalogs/models-dev.api.2026-06-13.jq-sorted.json"


def modelsdev_record(provider: str, key: str) -> dict[str, Any]:
    [record] = [
        r
        for r in modelsdev.parse(snapshot(MODELSDEV), urls("modelsdev")[0]).records
        if (r["provider"], r["key"]) == (provider, key)
    ]
    return record


def problems_of(found: Any) -> dict[str, str]:
    return {p.field: p.rule for p in found.problems if isinstance(p, FieldProblem)}


def drafts_of(found: Any) -> set[tuple[Any, ...]]:
    return {(d.kind, d.component, d.dimensions.key, d.value) for d in found}


@pytest.mark.parametrize(
    "tiers",
    [[], "another tier"],
    ids=["tiers empty", "a tier it does not restate"],
)
def test_a_modelsdev_legacy_tier_no_tier_restates_is_reported(tiers: Any) -> None:
    """`context_over_200k` is ignored as the copy of a tier the build derives it from; beside
    `tiers: []`, or beside tiers none of which states its prices, it states a long-context
    price no tier carries, and vanished unreported while the base prices read as the price
    of every prompt length."""
    record = modelsdev_record("302ai", "claude-opus-4-7")
    cost = record["model"]["cost"]
    recorded = modelsdev.normalize(record)
    if tiers == "another tier":
        cost["tiers"][0] = {**cost["tiers"][0], "input": Decimal(12)}
    else:
        cost["tiers"] = tiers
    found = modelsdev.normalize(record)
    assert problems_of(found)["cost.context_over_200k"] == "context tier without its size"
    base = {d for d in drafts_of(recorded) if "context_above" not in d[2]}
    assert base and base <= drafts_of(found)
    assert "cost.context_over_200k" not in problems_of(recorded)


def test_a_modelsdev_flag_stated_as_an_object_is_reported() -> None:
    """models.dev's schema lets `tool_call` be `{supported, streaming, parallel}`: a flag that
    is no boolean was passed over without a word."""
    record = modelsdev_record("openai", "gpt-4o")
    record["model"]["tool_call"] = {"supported": True, "streaming": True, "parallel": True}
    found = modelsdev.normalize(record)
    assert problems_of(found) == {"tool_call": "flag is not a boolean"}
    recorded = drafts_of(modelsdev.normalize(modelsdev_record("openai", "gpt-4o")))
    assert drafts_of(found) == {d for d in recorded if "function_calling" not in d[2]}


@pytest.mark.parametrize(
    "cost",
    [{}, {"prompt": Decimal("2.5"), "completion": Decimal(10)}, {"cache_read": Decimal("1.25")}],
    ids=["empty", "both renamed", "input and output missing"],
)
def test_a_modelsdev_cost_without_input_and_output_is_reported(cost: dict[str, Any]) -> None:
    """models.dev's schema requires `input` and `output` of every cost: a cost without them
    states no price for a model it says it prices, and passed without a word (OpenRouter's
    pricing of the same shape is reported as 'no pricing stated'). The record's other fields and
    the prices the cost does state are read."""
    record = modelsdev_record("openai", "gpt-4o")
    record["model"]["cost"] = cost
    found = modelsdev.normalize(record)
    assert problems_of(found).get("cost") == "no pricing stated"
    recorded = drafts_of(modelsdev.normalize(modelsdev_record("openai", "gpt-4o")))
    assert {d for d in recorded if d[0].value != "price"} <= drafts_of(found)
    assert {d[1].value for d in drafts_of(found) if d[0].value == "price"} == (
        {"cache_read"} if cost.keys() == {"cache_read"} else set()
    )


# ----------------------------------------------------- numbers written in another spelling


def as_text(value: Any) -> Any:
    """A JSON number as text in exponent notation with a capital E (0.0000025 -> "2.5E-06")."""
    return repr(value).upper() if isinstance(value, float) else str(value)


def as_number(value: Any) -> Any:
    """A price written as text as a JSON number (an int where it is whole)."""
    number = float(value)
    return int(number) if number.is_integer() else number


LABELS = frozenset({"size"})  # text under a price key that names, not prices (Vercel's "512")


def respelled(body: bytes, respell: Any) -> bytes:
    """The body with every price (tests/test_fault_kinds' `is_price`) written `respell(price)`."""

    def each(leaf: Any, path: tuple[Any, ...]) -> Any:
        return respell(leaf) if is_price(leaf, path) and path[-1] not in LABELS else leaf

    return json.dumps(walk(json.loads(body), each)).encode()


@pytest.mark.parametrize(
    ("source", "respell"),
    [("genai-prices", as_text), ("openrouter", as_number), ("vercel", as_number)],
)
def test_every_price_in_another_json_spelling_reads_as_recorded(source: str, respell: Any) -> None:
    """A source that writes prices as numbers writing them as text ("2.5E-06"), and one that
    writes text writing numbers (2.5e-06, 0 for "0"): the same prices, read the same."""
    answered = {url: respelled(body, respell) for url, body in bodies(source).items()}
    found = read(source, answered)
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    assert stated(found) == stated(healthy(source))
    # and the values set aside are the same anomalies: a reviewer's decision on one still holds
    # (their details quote the values as written: "1e-7" one day, 1e-07 the next)
    assert anomalies(found) == anomalies(healthy(source))


def reordered(node: Any, rows: bool) -> Any:
    """The JSON document with every object's keys listed in reverse (and, if `rows`, every
    array's items too)."""
    if isinstance(node, dict):
        return {key: reordered(node[key], rows) for key in reversed(list(node))}
    if isinstance(node, list):
        return [reordered(item, rows) for item in (reversed(node) if rows else node)]
    return node


@pytest.mark.parametrize(
    ("source", "rows"),
    [
        *((s, False) for s in ("litellm", "modelsdev", "portkey", "openrouter", "vercel")),
        *((s, False) for s in ("genai-prices", "azure")),
        # arrays of records (not LiteLLM's tier lists, whose order is the tiers')
        *((s, True) for s in ("openrouter", "vercel", "genai-prices", "azure", "modelsdev")),
    ],
)
def test_a_source_listing_the_same_in_another_order_reads_the_same(source: str, rows: bool) -> None:
    """JSON objects are unordered: the same document with its keys (or its records) in another
    order states the same values of the same models, and raises the same anomalies. Portkey's
    deepbricks lists claude-3.5-sonnet twice at two prices: whichever came last decided whether
    claude-3-5-sonnet-20240620 was priced apart from it (a model of its own on every route, or
    folded into its base); and a value two records state alike was quoted as the first listed."""
    answered = {
        url: json.dumps(reordered(json.loads(body), rows)).encode()
        for url, body in bodies(source).items()
    }
    found = read(source, answered)
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    assert stated(found) == stated(healthy(source))
    assert anomalies(found) == anomalies(healthy(source))


def anomalies(found: Read) -> set[str]:
    """The fingerprints of the anomaly items the comparison raises from what was set aside."""
    ctx = Context(1, datetime(2026, 8, 19, tzinfo=UTC), False, is_official, frozenset())
    items = compare(found.valid, {}, {}, found.problems, ctx).items
    return {item.fingerprint for item in items if item.kind is ReviewKind.ANOMALY}


@pytest.mark.parametrize("change", ["empty", "renamed"])
def test_an_openrouter_pricing_without_its_required_prices_is_reported(change: str) -> None:
    """`pricing: {}` (or `prompt` and `completion` renamed `input` and `output`) is a model
    listed with none of the two prices OpenRouter's schema requires: as a null pricing, it is
    reported, where `{}` passed as a model of no price without a word."""
    url = urls("openrouter")[0]
    document = json.loads(bodies("openrouter")[url])
    model = next(m for m in document["data"] if m["id"] == "openai/gpt-4o")
    pricing = model["pricing"]
    if change == "empty":
        model["pricing"] = {}
    else:
        pricing["input"], pricing["output"] = pricing.pop("prompt"), pricing.pop("completion")
    found = read("openrouter", {url: json.dumps(document).encode()})
    problems = {p.field: p.rule for p in found.problems if p.record == "openai/gpt-4o"}
    assert problems["pricing"] == "no pricing stated"
    if change == "renamed":
        assert problems["pricing.input"] == problems["pricing.output"] == "unknown pricing key"
    assert not [
        o
        for o in found.valid
        if o.record == "openai/gpt-4o" and o.component.value in ("input", "output")
    ]
    assert [o for o in found.valid if o.record == "openai/gpt-4o" and o.kind.value == "limit"]


FRACTIONAL_LIMITS: dict[str, tuple[str, Any]] = {
    "openrouter": ("anthropic/claude-haiku-4.5", lambda m: m.update(context_length=200000.5)),
    "vercel": ("openai/gpt-4o", lambda m: m.update(context_window=128000.5)),
}


@pytest.mark.parametrize("source", sorted(FRACTIONAL_LIMITS))
def test_a_limit_that_is_no_whole_number_is_quarantined_alone(source: str) -> None:
    """A context window of 200000.5 tokens counts nothing: LiteLLM's reader refused one, the
    others stored it as stated. Whichever source states it, that field is quarantined."""
    url = urls(source)[0]
    record, change = FRACTIONAL_LIMITS[source]
    document = json.loads(bodies(source)[url])
    change(next(m for m in document["data"] if m["id"] == record))
    found, before = (
        read(source, {url: json.dumps(document).encode()}),
        read(source, {url: bodies(source)[url]}),
    )
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    lost = of_record(before, record) - of_record(found, record)
    assert [component.value for component, *_ in lost] == ["context_window"]
    assert of_record(found, record) - of_record(before, record) == Counter()
    [problem] = [p for p in found.problems if p not in before.problems]
    assert (problem.record, problem.rule) == (record, "limit is not a whole number")


def test_an_openrouter_total_written_as_text_still_shows_a_partial_listing() -> None:
    """`total_count` written as text ("414", as every OpenRouter price is written) was no
    total to judge: half the listing read as the whole, its other half absent."""
    url = urls("openrouter")[0]
    document = json.loads(bodies("openrouter")[url])
    total = len(document["data"])
    document["total_count"] = str(total)
    del document["data"][total // 2 :]
    found = read("openrouter", {url: json.dumps(document).encode()})
    [reason] = found.unparsable
    assert f"total_count={total} but {total // 2} entries" in reason and "partial listing" in reason


@pytest.mark.parametrize("literal", ["Infinity", "-Infinity", "-0"])
@pytest.mark.parametrize("source", ["litellm", "vercel"])
def test_a_price_written_as_a_non_finite_or_negative_zero_literal(
    source: str, literal: str
) -> None:
    """Python's json reads `Infinity` (as it reads NaN): one such price is that field's
    problem alone. `-0` is zero, as JSON means it: read as 0, not as a sign slip."""
    url = urls(source)[0]
    document = json.loads(bodies(source)[url])
    if source == "litellm":
        holder, key, record = document["gpt-4o"], "output_cost_per_token_batches", "gpt-4o"
    else:
        entry = next(m for m in document["data"] if m["id"] == "openai/gpt-4o")
        holder, key, record = entry["pricing"], "input_cache_read", "openai/gpt-4o"
    holder[key] = "@@"
    written = literal if source == "litellm" else f'"{literal}"'  # Vercel writes prices as text
    marked = json.dumps(document).replace('"@@"', written)
    found = read(source, {**bodies(source), url: marked.encode()})
    before = healthy(source)
    assert not found.failure and not found.unparsable
    lost = of_record(before, record) - of_record(found, record)
    gained = of_record(found, record) - of_record(before, record)
    if literal == "-0":
        assert [v for *_, v in gained] == [Decimal(0)] and len(lost) == 1
        return
    assert not gained and len(lost) == 1
    [problem] = [p for p in found.problems if p not in before.problems]
    assert (problem.record, problem.rule) == (record, "not a number")
    assert "inf" in problem.detail.lower()


# ------------------------------------------------ headers that say another type or charset


@pytest.mark.parametrize(
    "content_type",
    ["text/html; charset=iso-8859-1", "text/plain", "application/octet-stream"],
)
def test_a_json_body_served_under_another_content_type_reads_as_recorded(
    tmp_path: Path, content_type: str
) -> None:
    """The body is JSON whatever the header says (RFC 8259: JSON text is UTF-8): Vercel's
    listing served as Latin-1 HTML over loopback HTTP gives the recorded records."""
    url = urls("vercel")[0]
    world = World.load(fault_world(tmp_path, {url: {"content_type": content_type}}))
    with serve(world) as base:
        result = asyncio.run(asyncio.wait_for(crawl("vercel", base), timeout=60))
    assert not result.failures
    [page] = result.pages
    assert page.records == vercel.parse(bodies("vercel")[url], url).records


def test_an_html_page_served_as_json_is_that_urls_failure(tmp_path: Path) -> None:
    """The other way round: a page (DeepSeek's recorded pricing page, as its docs site serves
    it) answered at Vercel's models URL under `application/json` is no listing, whatever the
    header says."""
    url = urls("vercel")[0]
    page = str(SNAPSHOTS / "pricing-pages" / "deepseek-pricing.en.2025-12-18.llmdocs.md")
    override = {"file": page, "content_type": "application/json"}
    world = World.load(fault_world(tmp_path, {url: override}))
    with serve(world) as base:
        result = asyncio.run(asyncio.wait_for(crawl("vercel", base), timeout=60))
    assert not result.pages
    [failure] = result.failures
    assert failure.reason.startswith("unparsable body: vercel models: body is not JSON")


# The top-level shape each source sends, and one it does not: an object's values in a list, a
# list in an object.
@pytest.mark.parametrize("source", ["litellm", "openrouter", "vercel", "modelsdev", "portkey"])
def test_a_body_of_another_top_level_shape_is_unparsable(source: str) -> None:
    url = urls(source)[0]
    document = json.loads(bodies(source)[url])
    found = read(source, {url: json.dumps(list(document.values())).encode()})
    assert found.unparsable and not found.valid, found.failure or len(found.valid)


def test_a_genai_prices_body_of_an_object_is_unparsable() -> None:
    [(url, body)] = bodies("genai-prices").items()
    found = read("genai-prices", {url: json.dumps({"providers": json.loads(body)}).encode()})
    assert found.unparsable and not found.valid


# ------------------------------------ OpenRouter, Vercel: an error inside an empty envelope

# What a gateway's error says, as it might be written: padded, over lines, longer than a reason
# line holds.
GATEWAY_ERROR = "  Upstream\tmodel registry unavailable,\n please retry.  " + "x" * 400


def errored(source: str, url: str, error: Any) -> bytes:
    """The source's recorded body of `url` with no entries and `error` beside them."""
    document = json.loads(bodies(source)[url])
    document["data"] = []
    document["error"] = error
    return json.dumps(document).encode()


@pytest.mark.parametrize("source", ["openrouter", "vercel"])
def test_an_error_inside_an_empty_envelope_is_named_in_the_one_line_reason(
    source: str, tmp_path: Path
) -> None:
    """`{"data": [], "error": {"message": ...}}` failed the source as an "empty listing" without
    a word of what the source said. Its own message (whitespace and lines made one space,
    bounded) is the URL's reason, through the real download path; the other URLs read on."""
    url = urls(source)[0]
    body = errored(source, url, {"code": 503, "message": GATEWAY_ERROR})
    world = World.load(fault_world(tmp_path, {url: {"body": body.decode()}}))
    with serve(world) as base:
        result = asyncio.run(asyncio.wait_for(crawl(source, base), timeout=60))
    assert {page.url for page in result.pages} == set(urls(source)) - {url}
    [failure] = result.failures
    assert failure.url == url
    assert "503: Upstream model registry unavailable, please retry. xxx" in failure.reason
    assert "\n" not in failure.reason and "\t" not in failure.reason
    assert failure.reason.endswith("...") and len(failure.reason) < 400


@pytest.mark.parametrize(
    ("error", "named"),
    [
        (
            {"message": "  Rate limit exceeded  "},
            "answered an error, no entries: Rate limit exceeded",
        ),
        ("Service Unavailable", "answered an error, no entries: Service Unavailable"),
        ({"type": "internal_error"}, "{'type': 'internal_error'}"),
    ],
    ids=["message", "text", "no message"],
)
@pytest.mark.parametrize("source", ["openrouter", "vercel"])
def test_each_spelling_of_an_envelopes_error_is_named(source: str, error: Any, named: str) -> None:
    url = urls(source)[0]
    found = read(source, {url: errored(source, url, error)})
    [reason] = found.unparsable
    assert named in reason and url in reason


@pytest.mark.parametrize("source", ["openrouter", "vercel"])
def test_an_error_stating_nothing_is_no_error(source: str) -> None:
    """An `error` of null, an empty object or text states nothing: beside the recorded entries
    the listing reads as recorded, beside none it is the empty listing catalog/health.py names."""
    url = urls(source)[0]
    nothing: list[Any] = [None, {}, ""]
    for empty in nothing:
        document = json.loads(bodies(source)[url])
        document["error"] = empty
        found = read(source, {**bodies(source), url: json.dumps(document).encode()})
        assert stated(found) == stated(healthy(source))
        assert sources()[source].parser.parse(errored(source, url, empty), url).records == []


# ------------------------------------------- OpenRouter: the router flag's field stated twice


def tokenizer_twice(model: str, first: str) -> dict[str, bytes]:
    """Both recorded OpenRouter listings with `model`'s architecture stating `"tokenizer":
    first` before the tokenizer it states (duplicate JSON keys: JSON keeps the last one)."""
    changed: dict[str, bytes] = {}
    for url, body in bodies("openrouter").items():
        start = body.index(f'"id": "{model}"'.encode())
        at = body.index(b'"tokenizer": ', start)
        following = body.find(b'"id": ', start + 1)
        assert following == -1 or at < following  # the tokenizer of that model's architecture
        changed[url] = body[:at] + f'"tokenizer": "{first}", '.encode() + body[at:]
    return changed


def architecture_twice(model: str) -> dict[str, bytes]:
    """Both recorded OpenRouter listings with `model` stating its architecture twice: first a
    copy whose tokenizer is "GPT", then the recorded one."""
    changed: dict[str, bytes] = {}
    for url, body in bodies("openrouter").items():
        [entry] = [m for m in json.loads(body)["data"] if m["id"] == model]
        start = body.index(f'"id": "{model}"'.encode())
        at = body.index(b'"architecture": ', start)
        following = body.find(b'"id": ', start + 1)
        assert following == -1 or at < following
        copy = json.dumps({**entry["architecture"], "tokenizer": "GPT"})
        changed[url] = body[:at] + f'"architecture": {copy}, '.encode() + body[at:]
    return changed


def test_an_architecture_stated_twice_is_reported_not_decided_by_the_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same one level up: the whole architecture object stated twice, one copy flagging a
    router and one not, was an architecture "not an object" read as no flag at all."""
    monkeypatch.setitem(vocab.ROUTER_MODELS, "openrouter", frozenset())
    model = "openrouter/free"
    found = read("openrouter", architecture_twice(model))
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    mine = {(p.field, p.rule) for p in found.problems if p.record == model}
    assert ("architecture", "duplicate field") in mine
    assert {
        ("pricing.prompt", "duplicate field"),
        ("pricing.completion", "duplicate field"),
    } <= mine
    assert prices_of(found, model) == []


def prices_of(found: Read, model: str) -> list[Any]:
    return [o for o in found.valid if o.record == model and o.kind.value == "price"]


@pytest.mark.parametrize(
    ("model", "first", "table", "price_rule"),
    [
        # a router newer than schemas/vocab.py's table: OpenRouter's flag alone says it is one
        ("openrouter/free", "GPT", False, "duplicate field"),
        ("openrouter/free", "GPT", True, "router pseudo-model"),  # the table still says so
        ("anthropic/claude-haiku-4.5", "Router", True, "duplicate field"),
        ("~anthropic/claude-haiku-latest", "Claude", True, None),  # an alias either way
    ],
    ids=["router not in the table", "router in the table", "model", "alias"],
)
def test_a_tokenizer_stated_twice_is_reported_not_decided_by_the_last(
    model: str, first: str, table: bool, price_rule: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`architecture.tokenizer` "Router" is OpenRouter's flag that a model bills the model each
    call is routed to. Stated twice with different values, it was compared as one value,
    matched neither, and lost the flag without a word: `openrouter/free`'s "0" read as a free
    price. The field is reported by name; where the flag depends on which value is taken, every
    price field is quarantined as a duplicate field; the limits are read as recorded."""
    if not table:
        monkeypatch.setitem(vocab.ROUTER_MODELS, "openrouter", frozenset())
    found = read("openrouter", tokenizer_twice(model, first))
    before = read("openrouter", bodies("openrouter"))
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    mine = [p for p in found.problems if p.record == model]
    assert ("architecture.tokenizer", "duplicate field") in {(p.field, p.rule) for p in mine}
    if price_rule is None:
        assert prices_of(found, model) == prices_of(before, model) != []
    else:
        assert prices_of(found, model) == []
        priced = {p.field for p in mine if p.rule == price_rule}
        assert {"pricing.prompt", "pricing.completion"} <= priced
    limits = [o for o in found.valid if o.record == model and o.kind.value == "limit"]
    assert limits == [o for o in before.valid if o.record == model and o.kind.value == "limit"]
    others = [o for o in found.valid if o.record != model]
    assert others == [o for o in before.valid if o.record != model]


def emptied_with_error(source: str, document: Any) -> Any:
    """A recorded body of `source` with its entries removed and an error stated beside what
    is left, in the casing the source's kind of API writes one."""
    if source == "azure":
        document.update(Items=[], Count=0)
        document["Error"] = {"Code": "ServiceUnavailable", "Message": GATEWAY_ERROR}
        return document
    kept = {k: v for k, v in document.items() if k == "sample_spec"}  # LiteLLM's documentation
    return {**kept, "error": {"code": 503, "message": GATEWAY_ERROR}}


@pytest.mark.parametrize("source", ["litellm", "modelsdev", "portkey", "azure"])
def test_an_error_body_at_another_source_names_its_message(source: str) -> None:
    """The same at the sources whose body is an object of entries (or Azure's Items page): a
    body of no entries but an error failed as "an error body or another file?" (or "expected
    an object with an Items list"), without what the source said."""
    url = urls(source)[0]
    document = emptied_with_error(source, json.loads(bodies(source)[url]))
    found = read(source, {url: json.dumps(document).encode()})
    [reason] = found.unparsable
    code = "ServiceUnavailable" if source == "azure" else "503"
    assert f"{code}: Upstream model registry unavailable, please retry. xxx" in reason
    assert url in reason and "\n" not in reason and reason.endswith("...")
