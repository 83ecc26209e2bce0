"""Fault kinds real price feeds have had, none of them named by an issue, at the sources they can
befall: each made here from epoch-2's real recorded responses and read through the real reading
path (parser, normalizer, identity and the Pandera gate of catalog/intake.py), without a refresh.

For every kind the question is the same: does only that source fail (with its reason), or only
that record or field get quarantined (with its rule), and does no absurd value reach the
observations unflagged? Kinds that concern the crawl (a pagination loop) run the source's spider
on the recorded response and judge its answers with catalog/health.py.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import TextResponse

from catalog import health, intake
from catalog.identity import Identity
from catalog.normalize import TOO_LONG_RULE, UNREADABLE_RULE
from schemas.fetch import FetchedPage, Unparsable
from schemas.records import Observation, Problem, SourceStatus
from schemas.sources import sources
from schemas.vocab import Kind
from spiders.crawl import crawl
from spiders.parsing import OUT_OF_RANGE
from spiders.replay import World, serve
from spiders.results import CrawlResult
from spiders.spider import SPIDERS
from tests.conftest import WORLDS
from tests.worlds import fault_world

OBSERVED = datetime(2026, 8, 20, tzinfo=UTC)
PRICE_KEYS = frozenset({"pricing", "prices", "retailPrice", "unitPrice", "price"})
NOT_PRICES = frozenset({"min_prompt_tokens"})  # numbers under "pricing" that are thresholds
NOT_ENTRIES = frozenset({"sample_spec"})  # LiteLLM's documentation entry
NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")
PAGE_PRICE = re.compile(r"\$\d+(?:\.\d+)?")
HUGE, TINY = "1e999999999", "1e-999999999"
STATED = re.compile(r"1e[-+]?999999999", re.IGNORECASE)  # either, as a source or Decimal writes it
ENDLESS_DIGITS = "0.000001" + "1" * 1_000_000
ONES = re.compile("1{40}")


@cache
def recorded() -> dict[str, Path]:
    """epoch-2's recorded file per URL."""
    manifest = json.loads((WORLDS / "epoch-2.json").read_text())
    return {e["url"]: (WORLDS / e["file"]).resolve() for e in manifest["responses"] if "file" in e}


def urls(source: str) -> tuple[str, ...]:
    return sources()[source].urls


def bodies(source: str) -> dict[str, bytes]:
    return {url: recorded()[url].read_bytes() for url in urls(source)}


@dataclass
class Read:
    """What the reading path made of a source's bodies."""

    unparsable: list[str] = field(default_factory=list)  # one reason per body not parsed
    failure: str = ""  # why the source failed in reading ('' when it did not)
    valid: list[Observation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    incomplete: str = ""  # why its listing is incomplete though its values apply


def read(
    source: str,
    answered: dict[str, bytes],
    before: dict[health.PriceKey, Decimal] | None = None,
) -> Read:
    """Parse every body, then normalize and validate the source as a refresh does (`before`:
    its prices in its last applied run)."""
    out = Read()
    pages: list[FetchedPage] = []
    for url, body in answered.items():
        try:
            page = sources()[source].parser.parse(body, url)
        except Unparsable as exc:
            out.unparsable.append(str(exc))
            continue
        pages.append(FetchedPage(url, url, 200, OBSERVED, page.records))
    if not pages:
        return out
    drafts, failures = intake.normalize_each({source: pages}, sources())
    if failures:
        out.failure = failures[source]
        return out
    [found] = intake.validate_each(drafts, Identity.load(), {source: before or {}})
    out.failure, out.valid, out.problems = found.failure, found.valid, found.problems
    out.incomplete = found.incomplete
    return out


@cache
def healthy(source: str) -> Read:
    return read(source, bodies(source))


# ------------------------------------------------------------------------------ body makers


def walk(
    node: Any, change: Callable[[Any, tuple[Any, ...]], Any], path: tuple[Any, ...] = ()
) -> Any:
    """`node` with every leaf replaced by change(leaf, path)."""
    if isinstance(node, dict):
        return {k: walk(v, change, (*path, k)) for k, v in node.items()}
    if isinstance(node, list):
        return [walk(v, change, (*path, i)) for i, v in enumerate(node)]
    return change(node, path)


def is_price(leaf: Any, path: tuple[Any, ...]) -> bool:
    """A stated price: a number (or numeric string) under a price key of any recorded source."""
    number = (isinstance(leaf, (int, float)) and not isinstance(leaf, bool)) or (
        isinstance(leaf, str) and NUMBER.match(leaf) is not None
    )
    named = any(isinstance(p, str) and (p in PRICE_KEYS or "cost_per" in p) for p in path)
    return number and named and path[-1] not in NOT_PRICES and not NOT_ENTRIES & set(path)


def json_prices(body: bytes, change: Callable[[Any], Any], first_only: bool = False) -> bytes:
    """The body with its prices changed (the first only, or every one), as JSON text."""
    done: list[bool] = []

    def each(leaf: Any, path: tuple[Any, ...]) -> Any:
        if not is_price(leaf, path) or (first_only and done):
            return leaf
        done.append(True)
        return change(leaf)

    return json.dumps(walk(json.loads(body), each)).encode()


def one_price_written(literal: str) -> Callable[[bytes], bytes]:
    """The first price written as the JSON number `literal` (a string where the source writes
    prices as strings)."""

    def made(body: bytes) -> bytes:
        marked = json_prices(body, lambda v: "@@" if isinstance(v, str) else "@@@", True)
        return marked.replace(b'"@@@"', literal.encode()).replace(b'"@@"', f'"{literal}"'.encode())

    return made


def every_price_zero(body: bytes) -> bytes:
    if body.lstrip().startswith((b"{", b"[")):
        return json_prices(body, lambda v: "0" if isinstance(v, str) else 0)
    return PAGE_PRICE.sub("$0", body.decode()).encode()


def cut_in_a_row(body: bytes) -> bytes:
    """The page cut two characters after the `$` of a price cell halfway down the page (a
    transfer or an export that stopped mid-row)."""
    text = body.decode()
    cells = [m.start() for m in PAGE_PRICE.finditer(text) if "|" in _line_at(text, m.start())]
    return text[: cells[len(cells) // 2] + 2].encode()


def cut_in_a_header(body: bytes) -> bytes:
    """The page cut two characters into the header row of its middle table written with leading
    pipes (the first row of a table, below a heading or a blank line: no row above it shows how
    many cells it has)."""
    text = body.decode()
    lines = text.split("\n")
    starts = [
        sum(len(line) + 1 for line in lines[:at])
        for at in range(1, len(lines))
        if lines[at].lstrip().startswith("|") and "|" not in lines[at - 1]
    ]
    return text[: starts[len(starts) // 2] + 2].encode()


def _line_at(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start : end if end >= 0 else len(text)]


def nested(body: bytes) -> bytes:
    return b"[" * 200_000 + b"]" * 200_000


# ------------------------------------------------------------------------------ fault kinds


@dataclass(frozen=True)
class Kind_:
    """A fault kind: how the body is made from the recorded one, and what must follow."""

    make: Callable[[bytes], bytes]
    check: Callable[[str, Read], None]
    every_url: bool = True  # else only the source's first URL answers so


def fails_unparsable(*words: str) -> Callable[[str, Read], None]:
    def check(source: str, found: Read) -> None:
        assert found.unparsable, found.failure or f"{len(found.valid)} observations"
        for reason in found.unparsable:
            assert all(w in reason for w in words), reason
        assert not found.valid

    return check


def fails_reading(*words: str) -> Callable[[str, Read], None]:
    def check(source: str, found: Read) -> None:
        assert found.failure, f"{source} read as usable: {len(found.valid)} observations"
        assert all(w in found.failure for w in words), found.failure
        assert not found.valid

    return check


def one_field_out_of_range(stated: re.Pattern[str]) -> Callable[[str, Read], None]:
    """The source reads as it does healthy, but for the one field written `stated`,
    quarantined by rule."""

    def check(source: str, found: Read) -> None:
        assert not found.failure and not found.unparsable, found.failure or found.unparsable
        [problem] = [p for p in found.problems if p.rule == OUT_OF_RANGE]
        assert stated.search(problem.detail), problem
        assert problem.record
        lost = len(healthy(source).valid) - len(found.valid)
        assert 0 <= lost <= 1, lost
        assert not [o for o in found.valid if stated.search(o.evidence)]

    return check


KINDS: dict[str, Kind_] = {
    "JSON nested deeper than the decoder's limit": Kind_(
        nested, fails_unparsable("not JSON", "RecursionError")
    ),
    "one price written 1e999999999": Kind_(
        one_price_written(HUGE), one_field_out_of_range(STATED), every_url=False
    ),
    "one price written 1e-999999999": Kind_(
        one_price_written(TINY), one_field_out_of_range(STATED), every_url=False
    ),
    "one price written with a million digits": Kind_(
        one_price_written(ENDLESS_DIGITS), one_field_out_of_range(ONES), every_url=False
    ),
    "every price 0": Kind_(every_price_zero, fails_reading("zeroed listing")),
    "page cut inside a table row": Kind_(cut_in_a_row, fails_unparsable("truncated", "row")),
    "page cut inside a table's header row": Kind_(
        cut_in_a_header, fails_unparsable("truncated", "row")
    ),
    # Already handled: kept so that they stay so.
    "byte order mark before the body": Kind_(
        lambda b: b"\xef\xbb\xbf" + b, lambda s, f: _as_healthy(s, f)
    ),
    "body in UTF-16": Kind_(lambda b: b.decode().encode("utf-16"), lambda s, f: _as_healthy(s, f)),
    "JSON error object with status 200": Kind_(
        lambda b: b'{"error": {"message": "Rate limit exceeded", "code": 429}}',
        fails_unparsable(),
    ),
    "every price NaN": Kind_(
        lambda b: json_prices(b, lambda v: "NaN" if isinstance(v, str) else float("nan")),
        fails_reading("validation collapse"),
    ),
}


def _as_healthy(source: str, found: Read) -> None:
    assert not found.failure and not found.unparsable
    assert len(found.valid) == len(healthy(source).valid)


AT = {
    "JSON nested deeper than the decoder's limit": ("openrouter", "azure", "litellm", "vercel"),
    "one price written 1e999999999": ("openrouter", "vercel", "genai-prices", "litellm"),
    "one price written 1e-999999999": ("openrouter", "vercel", "genai-prices"),
    "one price written with a million digits": ("openrouter", "vercel", "genai-prices"),
    "every price 0": ("openrouter", "vercel", "azure", "genai-prices", "anthropic-page"),
    "page cut inside a table row": (
        "openai-page",
        "anthropic-page",
        "gemini-page",
        "deepseek-page",
    ),
    # DeepSeek's rows open with no pipe: a header cut short reads as a line of prose.
    "page cut inside a table's header row": ("openai-page", "anthropic-page", "gemini-page"),
    "byte order mark before the body": ("openrouter", "anthropic-page"),
    "body in UTF-16": ("vercel", "deepseek-page"),
    "JSON error object with status 200": ("openrouter", "vercel", "azure", "genai-prices"),
    "every price NaN": ("openrouter", "vercel", "genai-prices"),
}
CASES = [pytest.param(kind, s, id=f"{kind}@{s}") for kind, at in AT.items() for s in at]


@pytest.mark.parametrize(("kind", "source"), CASES)
def test_a_fault_kind_stays_with_its_source(kind: str, source: str) -> None:
    fault = KINDS[kind]
    answered = bodies(source)
    broken = {
        url: fault.make(body) if fault.every_url or index == 0 else body
        for index, (url, body) in enumerate(answered.items())
    }
    fault.check(source, read(source, broken))


# --------------------------------------------------------------- a record of another shape


def _genai_model(document: Any, model: str) -> dict[str, Any]:
    return next(m for p in document for m in p["models"] if m["id"] == model)


def test_a_vercel_type_of_another_shape_is_that_fields_problem() -> None:
    """openai/gpt-4o's `type` turned into an object (`{"name": "language"}`) raised a TypeError
    that set the whole entry aside as a record of an unexpected shape (fault round 62; the
    record's problem, never the source's, is covered by test_health's normalizer bug and
    test_faults_variants' entry that is no object). The type is quarantined with the pricing
    whose medium it would say (unit-ambiguous); the entry's limits and tags, and every other
    entry, read as before."""
    record = "openai/gpt-4o"
    [(url, body)] = bodies("vercel").items()
    document = json.loads(body)
    entry = next(m for m in document["data"] if m["id"] == record)
    entry["type"] = {"name": entry["type"]}
    found = read("vercel", {url: json.dumps(document).encode()})
    assert not found.failure, found.failure
    assert not [p for p in found.problems if p.rule == UNREADABLE_RULE]
    assert {(p.field, p.rule) for p in found.problems if p.record == record} == {
        ("type", "unknown model type"),
        ("pricing", "unit-ambiguous"),
    }
    before = healthy("vercel")
    assert [o for o in found.valid if o.record != record] == [
        o for o in before.valid if o.record != record
    ]
    read_now = [o for o in found.valid if o.record == record]
    assert read_now and all(o.kind is not Kind.PRICE for o in read_now)
    assert {o.kind for o in read_now} == {Kind.LIMIT, Kind.CAPABILITY}


def test_a_genai_prices_set_without_prices_is_the_prices_fields_problem() -> None:
    """Apriel's free `prices: {}` made a list of that object: a set stating no `prices` (a
    KeyError) set the whole record aside, its context window with it (fault round 62). The
    `prices` field is quarantined alone and reported; the context window is read, and every
    other record reads as before."""
    record = "ServiceNow-AI/Apriel-1.6-15b-Thinker"
    [(url, body)] = bodies("genai-prices").items()
    document = json.loads(body)
    entry = _genai_model(document, record)
    entry["prices"] = [entry["prices"]]
    found = read("genai-prices", {url: json.dumps(document).encode()})
    assert not found.failure, found.failure
    assert not [p for p in found.problems if p.rule == UNREADABLE_RULE]
    [problem] = [p for p in found.problems if p.record.endswith(record)]
    assert (problem.field, problem.rule) == ("prices", "no prices")
    before = healthy("genai-prices")
    assert found.valid == before.valid
    assert [o.component.value for o in found.valid if o.record.endswith(record)] == [
        "context_window"
    ]


def test_a_litellm_mode_of_another_shape_is_that_fields_problem() -> None:
    """`azure/whisper-1`'s mode turned into a list: the mode is quarantined alone, and so are
    the per-second prices whose medium it would say (unit-ambiguous); the entry's other
    statements and every other entry read as before (the list once raised a TypeError that
    set the whole entry aside)."""
    [(url, body)] = bodies("litellm").items()
    document = json.loads(body)
    document["azure/whisper-1"]["mode"] = ["audio_transcription"]
    found = read("litellm", {url: json.dumps(document).encode()})
    assert not found.failure, found.failure
    mine = {p.field: p.rule for p in found.problems if p.record == "azure/whisper-1"}
    assert mine == {
        "mode": "mode is not a name",
        "input_cost_per_second": "unit-ambiguous",
        "output_cost_per_second": "unit-ambiguous",
    }
    before = healthy("litellm")
    lost = [o for o in before.valid if o.record == "azure/whisper-1" and o not in found.valid]
    assert {(o.kind.value, o.component.value) for o in lost} == {
        ("capability", "mode"),
        ("price", "input"),
        ("price", "output"),
    }
    assert len(before.valid) - len(found.valid) == len(lost)


@pytest.mark.parametrize("stated", ["null", "absent"])
def test_an_openrouter_model_without_pricing_is_reported_not_dropped(stated: str) -> None:
    url, body = next(iter(bodies("openrouter").items()))
    document = json.loads(body)
    model = document["data"][3]
    if stated == "null":
        model["pricing"] = None
    else:
        del model["pricing"]
    found = read("openrouter", {url: json.dumps(document).encode()})
    assert not found.failure, found.failure
    [problem] = [p for p in found.problems if p.rule == "no pricing stated"]
    assert problem.record == model["id"] and problem.field == "pricing"
    assert not [o for o in found.valid if o.kind is Kind.PRICE and o.record == model["id"]]
    others = [o for o in found.valid if o.record != model["id"]]
    assert len(others) == len([o for o in healthy_at("openrouter", url) if o.record != model["id"]])


def healthy_at(source: str, url: str) -> list[Observation]:
    """What the source's recorded body of `url` alone reads as."""
    return read(source, {url: bodies(source)[url]}).valid


# ------------------------------------------------------------------------ a pagination loop


def crawl_once(source: str, url: str, body: bytes) -> list[dict[str, Any] | Request]:
    """What the source's spider yields for the response to its configured `url`."""
    spider = SPIDERS[source]()
    start = spider._request(url)
    response = TextResponse(url=url, body=body, request=start, encoding="utf-8")
    return list(spider.parse(response))


LOOPS: dict[str, Callable[[dict[str, Any], str], None]] = {
    "azure": lambda doc, url: doc.update(NextPageLink=url),
    "openrouter": lambda doc, url: doc.update(links={"next": url}),
}


@pytest.mark.parametrize("source", sorted(LOOPS))
def test_a_page_naming_itself_as_the_next_is_not_fetched_again(source: str) -> None:
    url = urls(source)[-1]
    document = json.loads(recorded()[url].read_bytes())
    LOOPS[source](document, url)
    out = crawl_once(source, url, json.dumps(document).encode())
    assert not [o for o in out if isinstance(o, Request)], "the same page requested again"
    [page] = [o for o in out if isinstance(o, dict) and "records" in o]
    [failure] = [o for o in out if isinstance(o, dict) and "error" in o]
    assert failure["error"].startswith("pagination loop") and url in failure["error"]
    judged = health.source_health(
        [
            health.Answer(url, url, 200, OBSERVED, len(page["records"])),
            health.Answer(failure["url"], failure["landing_url"], 0, None, 0, failure["error"]),
        ],
        [url],
        {},
        health.History(),
        OBSERVED,
    )
    assert judged.status is SourceStatus.PARTIAL and "pagination loop" in judged.reason


def crawl_azure_naming_next(tmp_path: Path, link: str) -> CrawlResult:
    """Azure's recorded listings crawled over loopback HTTP, the last one's NextPageLink made
    `link`."""
    url = urls("azure")[-1]
    document = json.loads(recorded()[url].read_bytes())
    document["NextPageLink"] = link
    world = World.load(fault_world(tmp_path, {url: {"body": json.dumps(document)}}))
    with serve(world) as base:
        return asyncio.run(asyncio.wait_for(crawl("azure", base), timeout=60))


def test_a_pagination_loop_over_http_ends_the_crawl(tmp_path: Path) -> None:
    """Azure's Mexico Central listing naming itself as its next page, served over loopback
    HTTP: the crawl ends (it looped for ever), with the page read once and the loop named."""
    url = urls("azure")[-1]
    result = crawl_azure_naming_next(tmp_path, url)
    assert sorted(p.url for p in result.pages) == sorted(urls("azure"))
    [failure] = result.failures
    assert failure.reason.startswith("pagination loop") and failure.url == url


def test_a_next_page_repeating_the_first_is_no_page_of_the_listing(tmp_path: Path) -> None:
    """A fault round: Azure's listing answered as two pages, the second (its NextPageLink's URL)
    repeating the first page's records: it read as a whole listing of half the meters, and the
    secondaries proposed on the fields of the meters it left out. The repeated page is now a
    failure of its URL, naming the page it repeats, and the source is partial."""
    url = urls("azure")[-1]
    document = json.loads(recorded()[url].read_bytes())
    items = document["Items"]
    assert len(items) > 2
    first = {**document, "Items": items[: len(items) // 2], "Count": len(items) // 2}
    repeat = {**first, "NextPageLink": None}
    first["NextPageLink"] = f"{url}&$skip={len(items) // 2}"
    extra = [
        {
            "url": first["NextPageLink"],
            "status": 200,
            "date": "2026-08-14T00:00:00Z",
            "content_type": "application/json",
            "body": json.dumps(repeat),
        }
    ]
    world = World.load(fault_world(tmp_path, {url: {"body": json.dumps(first)}}, extra))
    with serve(world) as base:
        result = asyncio.run(asyncio.wait_for(crawl("azure", base), timeout=60))
    assert sorted(p.url for p in result.pages) == sorted(urls("azure"))
    [failure] = result.failures
    assert failure.url == first["NextPageLink"]
    assert failure.reason == f"repeated page: its {len(items) // 2} records are those of {url}"
    judged = health.source_health(
        [
            *(
                health.Answer(p.url, p.landing_url, 200, OBSERVED, len(p.records))
                for p in result.pages
            ),
            health.Answer(failure.url, failure.landing_url, 0, None, 0, failure.reason),
        ],
        urls("azure"),
        {},
        health.History(),
        OBSERVED,
    )
    assert judged.status is SourceStatus.PARTIAL and "repeated page" in judged.reason


def test_azure_pages_naming_each_other_stop_at_the_first_repeat() -> None:
    """Two listing URLs whose pages name each other: each is fetched once."""
    first, second = urls("azure")
    spider = SPIDERS["azure"]()
    requests = [spider._request(first), spider._request(second)]
    yielded: list[Any] = []
    for url, request, other in zip((first, second), requests, (second, first), strict=True):
        document = json.loads(recorded()[url].read_bytes())
        document["NextPageLink"] = other
        body = json.dumps(document).encode()
        response = TextResponse(url=request.url, body=body, request=request, encoding="utf-8")
        yielded += spider.parse(response)
    assert not [o for o in yielded if isinstance(o, Request)]
    assert len([o for o in yielded if isinstance(o, dict) and "error" in o]) == 2


def test_zeroed_listing_rule_counts_valid_prices() -> None:
    """A tenth of prices at 0 (recorded sources have up to 9%) is a listing; most is not."""
    assert health.validation_collapse({"price": 10}, {"price": 10}, zero_prices=1) == ""
    assert health.validation_collapse({"price": 10}, {"price": 10}, zero_prices=5) == ""
    assert "6 of 10 prices are 0" in health.validation_collapse(
        {"price": 10}, {"price": 10}, zero_prices=6
    )
    assert health.validation_collapse({"limit": 4}, {"limit": 4}, zero_prices=0) == ""
    recorded_zeros = [o for o in healthy("openrouter").valid if o.kind is Kind.PRICE]
    assert any(o.value == Decimal(0) for o in recorded_zeros)  # free variants stay a listing
    assert not healthy("openrouter").failure


# ------------------------------------------------------------------ a listing in another unit


def scaled_by(factor: str) -> Callable[[Any], Any]:
    def change(value: Any) -> Any:
        price = Decimal(str(value)) * Decimal(factor)
        return str(price) if isinstance(value, str) else float(price)

    return change


RESCALED = [
    pytest.param(source, factor, id=f"x{factor}@{source}")
    for source, factor in (
        ("openrouter", "1000"),  # per-1K prices where per-token ones were (x1000 per 1M)
        ("vercel", "1000"),
        ("litellm", "1000"),
        ("openrouter", "0.01"),  # cents read as dollars
    )
]


@pytest.mark.parametrize(("source", "factor"), RESCALED)
def test_every_price_moved_by_one_power_of_ten_is_a_rescaled_listing(
    source: str, factor: str
) -> None:
    """Most of these prices stay inside their unit's band, so validation alone lets them
    through (a price change per model); against the source's own last prices they are one
    slip of unit."""
    before = health.prices_by_field(healthy(source).valid)
    answered = {u: json_prices(b, scaled_by(factor)) for u, b in bodies(source).items()}
    assert not read(source, answered).failure  # without its history: no collapse
    found = read(source, answered, before)
    assert found.failure.startswith("rescaled listing"), found.failure
    assert f"are {Decimal(factor):f} times" in found.failure
    assert not found.valid


def epoch1(source: str) -> dict[str, bytes]:
    manifest = json.loads((WORLDS / "epoch-1.json").read_text())
    files = {e["url"]: WORLDS / e["file"] for e in manifest["responses"] if "file" in e}
    return {url: files[url].read_bytes() for url in urls(source) if url in files}


@pytest.mark.parametrize("source", ["openrouter", "azure", "openai-page"])
def test_real_price_changes_between_epochs_are_no_rescaling(source: str) -> None:
    """epoch-1 to epoch-2 as recorded (new models, real price changes) reads as usual."""
    before = health.prices_by_field(read(source, epoch1(source)).valid)
    found = read(source, bodies(source), before)
    assert not found.failure and len(found.valid) == len(healthy(source).valid)
    assert len(set(before) & set(health.prices_by_field(found.valid))) > 50


# ------------------------------------------------------------------------ an endless name

ENDLESS = "x" * 1_000_000
WIDTHS = {"route": 100, "model": 300}  # catalog/tables.py: observations and review items
LONG_NAMES: dict[str, Callable[[Any], None]] = {
    # OpenRouter: one model's id a million characters long
    "openrouter": lambda doc: doc["data"][5].update(id=f"vendor/{ENDLESS}"),
    # LiteLLM: one entry's provider (its route) a million characters long
    "litellm": lambda doc: doc["gpt-4o"].update(litellm_provider=ENDLESS),
}


@pytest.mark.parametrize("source", sorted(LONG_NAMES))
def test_a_name_longer_than_the_catalog_keeps_is_its_records_problem(source: str) -> None:
    """Neither an observation nor a quarantined one (which opens an anomaly item) carries a
    name wider than the catalog's columns: PostgreSQL would refuse it and fail the run."""
    url = urls(source)[0]
    document = json.loads(recorded()[url].read_bytes())
    LONG_NAMES[source](document)
    found = read(source, {url: json.dumps(document).encode()})
    assert not found.failure, found.failure
    stated = [*found.valid, *(p.observation for p in found.problems if p.observation)]
    for obs in stated:
        assert len(obs.route) <= WIDTHS["route"], obs.route[:80]
        assert len(obs.model or obs.source_model) <= WIDTHS["model"], obs.source_model[:80]
    assert [p for p in found.problems if p.rule == TOO_LONG_RULE]


# ------------------------------------------------------------------ a key stated twice


def _openrouter_price(doc: Any) -> tuple[dict[str, Any], str, Any, str]:
    model = next(m for m in doc["data"] if m["id"] == "openai/gpt-4o")
    return model["pricing"], "prompt", "0.000009", "openai/gpt-4o"


def _portkey_model(doc: Any) -> tuple[dict[str, Any], str, Any, str]:
    key = next(k for k in doc if k != "default")
    return doc, key, {"pricing_config": None}, key


def _genai_price(doc: Any) -> tuple[dict[str, Any], str, Any, str]:
    model = doc[0]["models"][0]
    return model["prices"], "input_mtok", 99, model["id"]


def _modelsdev_model(doc: Any) -> tuple[dict[str, Any], str, Any, str]:
    models = doc["openai"]["models"]
    other = json.loads(json.dumps(models["gpt-4o"]))
    other["cost"]["input"] = 3
    return models, "gpt-4o", other, "openai/gpt-4o"


# Where a key is stated a second time, with another value: (object, key, value, record).
TWICE: dict[str, Callable[[Any], tuple[dict[str, Any], str, Any, str]]] = {
    "openrouter": _openrouter_price,  # one price field of a model
    "portkey": _portkey_model,  # a model of a provider's file
    "genai-prices": _genai_price,  # one price field of a model
    "modelsdev": _modelsdev_model,  # a model of a provider
}


@pytest.mark.parametrize("source", sorted(TWICE))
def test_a_key_stated_twice_differently_is_quarantined_not_dropped(source: str) -> None:
    """JSON keeps the last of a repeated key: the other value vanished without a word."""
    url = urls(source)[0]
    document = json.loads(recorded()[url].read_bytes())
    holder, key, value, record = TWICE[source](document)
    holder["@@twice@@"] = value
    body = json.dumps(document).replace('"@@twice@@"', json.dumps(key)).encode()
    found = read(source, {url: body})
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    [problem] = [p for p in found.problems if "repeated key" in p.detail]
    assert problem.record.endswith(record), problem
    assert "2 different values" in problem.detail
