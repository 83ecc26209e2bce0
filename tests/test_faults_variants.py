"""Broken variants of recorded responses that no earlier fault test made, each made here from
epoch-2's real recorded responses and read through the real reading path (tests/test_fault_kinds'
`read`: parser, normalizer, identity and the Pandera gate), or crawled over loopback HTTP.

Each is a way a real feed goes wrong: a number written with digit separators or in another
script, a page rendered with decimal commas, a listing entry that is null, a model whose name is
blank, a body cut inside a UTF-8 character, a partial (206) answer, a redirect to a relative
location. The question is always the same: is only the faulty field, record or source set
aside, with its rule, and does no wrong value reach the observations?
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog.health import prices_by_field
from catalog.normalize import UNREADABLE_RULE
from ratecard.cli import app
from spiders.crawl import crawl
from spiders.replay import World, serve
from spiders.results import CrawlResult
from spiders.tables import find_prices
from tests.test_fault_kinds import (
    bodies,
    healthy,
    healthy_at,
    json_prices,
    read,
    recorded,
    scaled_by,
    urls,
)
from tests.worlds import fault_world

# --------------------------------------------------- a number no source writes as a number

MODELSDEV_GPT4O = ("openai", "models", "gpt-4o", "cost", "input")
PORTKEY_GPT4O = ("gpt-4o", "pricing_config", "pay_as_you_go", "request_token", "price")


def _at(path: tuple[Any, ...]) -> Callable[[Any], dict[str, Any]]:
    def holder(doc: Any) -> dict[str, Any]:
        for key in path[:-1]:
            doc = doc[key]
        return doc  # type: ignore[no-any-return]

    return holder


# Where one stated price is written otherwise: (URL index, its holder, its key).
ONE_PRICE: dict[str, tuple[str, Callable[[Any], dict[str, Any]], str]] = {
    "modelsdev": (urls("modelsdev")[0], _at(MODELSDEV_GPT4O), MODELSDEV_GPT4O[-1]),
    "portkey": (
        "https://configs.portkey.ai/pricing/openai.json",
        _at(PORTKEY_GPT4O),
        PORTKEY_GPT4O[-1],
    ),
    "openrouter": (
        urls("openrouter")[0],
        lambda doc: next(m for m in doc["data"] if m["id"] == "openai/gpt-4o")["pricing"],
        "prompt",
    ),
    "litellm": (urls("litellm")[0], lambda doc: doc["gpt-4o"], "input_cost_per_token"),
}
# Python's Decimal() reads each of these as a number; JSON and every source write none so.
NOT_NUMBERS = ("1_000", "0.000\u0663", "\u0663")


@pytest.mark.parametrize("written", NOT_NUMBERS)
@pytest.mark.parametrize("source", sorted(ONE_PRICE))
def test_a_price_written_with_separators_or_other_digits_is_not_a_number(
    source: str, written: str
) -> None:
    url, holder_of, key = ONE_PRICE[source]
    document = json.loads(recorded()[url].read_bytes())
    holder_of(document)[key] = written
    answered = {**bodies(source), url: json.dumps(document).encode()}
    found = read(source, answered)
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    [problem] = [p for p in found.problems if written in p.detail]
    assert problem.rule == "not a number", problem
    assert not [o for o in found.valid if written in o.evidence]
    assert len(healthy(source).valid) - len(found.valid) <= 1


# ------------------------------------------------------------ a page with decimal commas

PAGES = ("openai-page", "anthropic-page", "gemini-page", "deepseek-page")
PAGE_AMOUNT = re.compile(rb"\$([0-9]+)\.([0-9]+)")
COMMA_AMOUNT = re.compile(r"\$[0-9]+,[0-9]|ambiguous amount")


@pytest.mark.parametrize("source", PAGES)
def test_a_page_written_with_decimal_commas_states_no_price(source: str) -> None:
    """A page saying "$0,28" (rendered in a locale with a decimal comma) does not state 28:
    read so, every price would be 100 or 1000 times over, and on a first load nothing would
    say so."""
    answered = {u: PAGE_AMOUNT.sub(rb"$\1,\2", b) for u, b in bodies(source).items()}
    found = read(source, answered)
    assert not found.valid, [(o.source_model, o.value, o.evidence) for o in found.valid[:5]]
    # the cells are quarantined (or the page read as stating no price), each naming its cell
    assert found.unparsable or any(COMMA_AMOUNT.search(p.detail) for p in found.problems)


def test_money_commas_read_as_thousands_separators_only() -> None:
    assert [p.amount for p in find_prices("$1,000.50 / 1M tokens")] == [Decimal("1000.50")]
    assert [p.amount for p in find_prices("$5, then $10, per image")] == [Decimal(5), Decimal(10)]
    assert find_prices("$\u0663 per image") == []  # a digit of another script is no amount
    for written in ("$0,28", "$1,25", "$0,028", "$1,0000", "$12,34.5"):
        with pytest.raises(ValueError, match="ambiguous amount"):
            find_prices(f"{written} / 1M tokens")


# ------------------------------------------------------ a body cut inside a UTF-8 character


def cut_in_a_character(body: bytes) -> bytes:
    """The body cut after the first byte of its last multi-byte character before nine tenths
    of it (a transfer or a capture that stopped at a byte count, in prose or in a table)."""
    lead = max(i for i, byte in enumerate(body[: len(body) * 9 // 10]) if byte >= 0xC2)
    return body[: lead + 1]


@pytest.mark.parametrize("source", PAGES)
def test_a_page_cut_inside_a_character_is_a_truncated_body(source: str) -> None:
    """Read with the broken character replaced, the page's first part read as the whole page:
    the models its missing part states vanished without a word."""
    found = read(source, {u: cut_in_a_character(b) for u, b in bodies(source).items()})
    assert found.unparsable and not found.valid
    for reason in found.unparsable:
        assert reason.startswith("truncated body: it ends inside a UTF-8 character"), reason


# ---------------------------------------------------------------- a model of no name


def _renamed(holder: dict[str, Any], old: str, new: str) -> None:
    """`holder` with key `old` renamed `new`, in place and in order."""
    items = list(holder.items())
    holder.clear()
    holder.update((new if key == old else key, value) for key, value in items)


BLANK = "  "
# Where one model's name is written blank, or with a blank part.
UNNAMED: dict[str, tuple[str, Callable[[Any], None]]] = {
    "litellm": (urls("litellm")[0], lambda doc: _renamed(doc, "gpt-4o", BLANK)),
    "modelsdev": (
        urls("modelsdev")[0],
        lambda doc: _renamed(doc["openai"]["models"], "gpt-4o", BLANK),
    ),
    "portkey": (
        "https://configs.portkey.ai/pricing/openai.json",
        lambda doc: _renamed(doc, "gpt-4o", BLANK),
    ),
    "genai-prices": (urls("genai-prices")[0], lambda doc: doc[0]["models"][3].update(id=BLANK)),
    "vercel": (urls("vercel")[0], lambda doc: doc["data"][3].update(id="openai/")),
    "openrouter": (urls("openrouter")[0], lambda doc: doc["data"][3].update(id="/")),
}


def blank_part(name: str | None) -> bool:
    return name is not None and not all(part.strip() for part in name.split("/"))


@pytest.mark.parametrize("source", sorted(UNNAMED))
def test_a_model_named_blank_is_its_records_problem(source: str) -> None:
    """Read as usual, its prices became observations of a model named '  ' (or '', from
    'openai/'), which a first load would enter into the catalog under no name."""
    url, change = UNNAMED[source]
    document = json.loads(recorded()[url].read_bytes())
    change(document)
    found = read(source, {**bodies(source), url: json.dumps(document).encode()})
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    assert not [o for o in found.valid if blank_part(o.source_model) or blank_part(o.model)]
    [problem] = [p for p in found.problems if p.rule == "no model name"]
    assert "blank part" in problem.detail and problem.source == source
    assert 0 <= len(healthy(source).valid) - len(found.valid) <= 40


@pytest.mark.parametrize("name", ["..", "openai/.", "openai/.."])
def test_a_model_named_as_a_path_step_is_its_records_problem(name: str) -> None:
    """Read, LiteLLM's "openai/.." became a model named "..": its web page's link,
    /models/.., is /models/ to every browser (dot segments are resolved, "%2E%2E" too), so
    no page or link of the web app could show it."""
    url = urls("litellm")[0]
    document = json.loads(recorded()[url].read_bytes())
    _renamed(document, "gpt-4o", name)
    found = read("litellm", {**bodies("litellm"), url: json.dumps(document).encode()})
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    step = {".", ".."}
    assert not [o for o in found.valid if (o.source_model or "").split("/")[-1].strip() in step]
    assert not [o for o in found.valid if (o.model or "").strip() in step]
    [problem] = [p for p in found.problems if p.rule == "no model name"]
    assert "path step" in problem.detail and problem.source == "litellm"


# ------------------------------------------------------------ a listing entry that is null

LISTS = {"openrouter": "data", "vercel": "data", "azure": "Items"}


@pytest.mark.parametrize("entry", [None, "gpt-4o", []], ids=["null", "text", "list"])
@pytest.mark.parametrize("source", sorted(LISTS))
def test_an_entry_of_a_listing_that_is_no_object_is_that_entrys_problem(
    source: str, entry: Any
) -> None:
    """One entry of 258 (Vercel) turned null failed the whole response, and with it the only
    URL of an official source, though every other entry read as usual: the entry is set
    aside, named by its place, and the others go on."""
    url = urls(source)[0]
    document = json.loads(recorded()[url].read_bytes())
    entries = document[LISTS[source]]
    replaced = entries[3]
    entries[3] = entry
    found = read(source, {**bodies(source), url: json.dumps(document).encode()})
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    [problem] = [p for p in found.problems if "is not an object" in p.detail]
    assert problem.record == f"record 3 of {url}" and problem.rule == UNREADABLE_RULE
    record = replaced.get("id") or replaced["meterName"]
    kept = [o for o in healthy(source).valid if not o.record.startswith(record)]
    assert len(kept) <= len(found.valid) <= len(healthy(source).valid)


# -------------------------------------------------------------- answers over loopback HTTP

VERCEL = "https://ai-gateway.vercel.sh/v1/models"


def crawled(tmp_path: Path, broken: dict[str, dict[str, Any]], extra: Any = None) -> CrawlResult:
    """Vercel's crawl of epoch-2 with `broken` answers (and `extra` ones) over loopback HTTP."""
    world = World.load(fault_world(tmp_path, broken, extra))
    with serve(world) as base:
        return asyncio.run(asyncio.wait_for(crawl("vercel", base), timeout=60))


@pytest.mark.parametrize("status", [206, 203])
def test_a_partial_or_proxied_answer_is_no_evidence(tmp_path: Path, status: int) -> None:
    """A 206 (part of the listing: its missing models would count as absent) and a 203 (a
    proxy's transformation of it) were read as the whole listing, the source's own."""
    result = crawled(tmp_path, {VERCEL: {"status": status}})
    assert not result.pages
    [failure] = result.failures
    assert failure.url == VERCEL and failure.status == status
    assert failure.reason == f"HTTP {status}: only a 200 answer is the source's whole response"


def test_a_relative_redirect_is_followed_where_it_leads_live(tmp_path: Path) -> None:
    """A recorded `Location: /v1/models?page=1` was resolved against the replay server, where
    nothing is recorded (HTTP 404), so a source that moved within its domain failed in replay
    while it reads live."""
    moved = f"{VERCEL}?page=1"
    answer = {"status": 301, "headers": {"Location": "/v1/models?page=1"}, "body": ""}
    there = {
        "url": moved,
        "status": 200,
        "file": str(recorded()[VERCEL]),
        "date": "2026-04-02T00:00:00Z",
    }
    result = crawled(tmp_path, {VERCEL: answer}, [there])
    assert not result.failures, result.failures
    [page] = result.pages
    assert (page.url, page.landing_url) == (VERCEL, moved)
    assert len(page.records) == len(json.loads(recorded()[VERCEL].read_bytes())["data"])


def test_a_relative_redirect_off_the_domain_is_still_refused(tmp_path: Path) -> None:
    away = {"status": 302, "headers": {"Location": "//login.example-sso.net/x"}, "body": ""}
    [failure] = crawled(tmp_path, {VERCEL: away}).failures
    assert failure.reason.startswith("redirected off the source's domains")
    assert failure.landing_url == "https://login.example-sso.net/x"


def redirect(location: str, url: str = "") -> dict[str, Any]:
    """A recorded 302 to `location` (for `url`, an extra answer, where given)."""
    answer = {"status": 302, "headers": {"Location": location}, "body": ""}
    return {"url": url, **answer, "date": "2026-04-02T00:00:00Z"} if url else answer


def test_a_redirect_loop_is_refused_naming_its_chain(tmp_path: Path) -> None:
    """Vercel's listing redirecting to a page that redirects back: the reason said only
    'IgnoreRequest: max redirections reached' (after 20 hops), not where the chain went."""
    moved = f"{VERCEL}?page=1"
    [failure] = crawled(tmp_path, {VERCEL: redirect(moved)}, [redirect(VERCEL, moved)]).failures
    assert failure.reason == f"redirect loop: {VERCEL} -> {moved} -> {VERCEL}"
    assert (failure.url, failure.landing_url, failure.status) == (VERCEL, VERCEL, 0)
    (tmp_path / "self").mkdir()
    [itself] = crawled(tmp_path / "self", {VERCEL: redirect(VERCEL)}).failures
    assert itself.reason == f"redirect loop: {VERCEL} -> {VERCEL}"


def test_a_runaway_chain_of_redirects_is_refused_naming_its_ends(tmp_path: Path) -> None:
    """A chain of new URLs past Scrapy's 20 redirects: its first and last hops are named."""
    pages = [f"{VERCEL}?page={n}" for n in range(1, 23)]
    extra = [redirect(after, here) for here, after in pairwise(pages)]
    [failure] = crawled(tmp_path, {VERCEL: redirect(pages[0])}, extra).failures
    chain = [VERCEL, *pages[:20]]
    assert failure.reason == (
        f"max redirections reached: {' -> '.join(chain[:3])} -> ... -> "
        f"{' -> '.join(chain[-2:])} (21 URLs)"
    )
    assert (failure.url, failure.landing_url) == (VERCEL, pages[19])


# ------------------------------------------------------- one response of many rescaled

PORTKEY_OPENAI = "https://configs.portkey.ai/pricing/openai.json"


@pytest.mark.parametrize("factor", ["1000", "0.001"])
def test_one_response_of_many_in_another_unit_is_a_rescaled_listing(factor: str) -> None:
    """Portkey's openai.json alone x1000 or /1000 (per-1K prices where per-token ones were, or
    the reverse) is a few percent of Portkey's prices: judged over the whole source, no common
    factor; against that file's own last prices, every one moved by it."""
    before = prices_by_field(healthy("portkey").valid)
    answered = {
        **bodies("portkey"),
        PORTKEY_OPENAI: json_prices(bodies("portkey")[PORTKEY_OPENAI], scaled_by(factor)),
    }
    found = read("portkey", answered, before)
    assert found.failure.startswith("rescaled listing"), found.failure
    assert f"are {Decimal(factor):f} times" in found.failure
    assert found.failure.endswith(f"(the response of {PORTKEY_OPENAI})")
    assert not found.valid


# ------------------------------------------------------------- a catalog URL of another kind


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("mysql://root@localhost/ratecard", "the catalog is SQLite or PostgreSQL"),
        ("oracle://scott@localhost/xe", "the catalog is SQLite or PostgreSQL"),
        ("postgresql+pg8000://me@localhost/ratecard", "unknown database driver"),
        ("postgresql+asyncpg://me@localhost/ratecard", "the catalog is SQLite or PostgreSQL"),
    ],
)
def test_a_catalog_url_ratecard_cannot_use_is_one_line(url: str, rule: str) -> None:
    """A database SQLAlchemy knows but whose driver is not installed (MySQLdb, oracledb)
    ended `ratecard runs` in a traceback; an asyncio driver in a coroutine warning."""
    result = CliRunner().invoke(app, ["runs", "--db", url], prog_name="ratecard", env={})
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"ratecard runs: Invalid value for '--db': {url}: {rule}"), line


# --------------------------------------------------- control characters in names and keys


def with_controls(doc: Any) -> tuple[str, str]:
    """OpenRouter's listing with one model id holding a NUL, another a line break, and a
    third's pricing key a NUL ("\\u0000" and "\\n" are valid JSON escapes); their ids."""
    nul, broken, keyed = doc["data"][3], doc["data"][6], doc["data"][8]
    nul["id"] += "\u0000x"
    broken["id"] = broken["id"].replace("/", "/\n", 1)
    keyed["pricing"]["prompt\u0000"] = keyed["pricing"]["prompt"]
    return nul["id"], broken["id"]


def test_control_characters_in_names_and_keys_reach_no_stored_text() -> None:
    """A model id with a NUL or a line break was a valid observation under that name (no
    command can name it; PostgreSQL's text refuses NUL, failing the whole run's transaction,
    every source's part with it), and a NUL in a key reached a quarantined field's text."""
    url = urls("openrouter")[0]
    document = json.loads(recorded()[url].read_bytes())
    ids = with_controls(document)
    found = read("openrouter", {url: json.dumps(document).encode()})
    assert not found.failure, found.failure
    for obs in found.valid:
        for text in (obs.route, obs.source_model, obs.model or "", obs.dimensions.key):
            assert not re.search(r"[\x00-\x1f]", text), text
        assert "\x00" not in obs.evidence + obs.record
    for problem in found.problems:
        assert "\x00" not in problem.record + problem.detail + (problem.field or ""), problem
    rules: dict[str, set[str]] = {}
    for problem in found.problems:  # a record's own problem beside its quarantined fields'
        rules.setdefault(problem.record, set()).add(problem.rule)
    assert "no model name" in rules[ids[0].replace("\x00", "\\x00")] & rules[ids[1]]
    assert len(healthy_at("openrouter", url)) - len(found.valid) <= 80  # those two models


def test_a_recorded_date_without_a_time_zone_is_utc(tmp_path: Path) -> None:
    """A world dating an answer "2026-04-02" (a day, no offset) lost that answer: the replay
    server could not write a naive date as an HTTP Date and dropped the connection."""
    result = crawled(tmp_path, {VERCEL: {"date": "2026-04-02"}})
    assert not result.failures, result.failures
    [page] = result.pages
    assert page.observed_at == datetime(2026, 4, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("second", "dated"),
    [
        ("not a date", True),
        ("Thu, 02 Apr 2026 00:00:00 GMT", True),
        ("Sun, 01 Mar 2026 00:00:00 GMT", False),
    ],
    ids=["garbled", "the same date", "another date"],
)
def test_a_second_date_header_beside_the_recorded_one(
    tmp_path: Path, second: str, dated: bool
) -> None:
    """A fault round: a second Date header that is no date (a proxy's garbled copy) beside the
    recorded one dated the answer at the fetch time, and the next day's true answer read as
    older than it (stale). Two headers that state one date date it; two dates that differ
    state none (the fetch time stands, as for no Date)."""
    answer = {"date": "2026-04-02T00:00:00Z", "headers": {"Date": second}}
    started = datetime.now(UTC)
    [page] = crawled(tmp_path, {VERCEL: answer}).pages
    if dated:
        assert page.observed_at == datetime(2026, 4, 2, tzinfo=UTC)
    else:
        assert page.observed_at >= started


@pytest.mark.parametrize("source", sorted(LISTS))
def test_a_listing_of_no_objects_fails_its_source(source: str) -> None:
    """Every entry null (a body of another shape): nothing is read, so the source fails."""
    url = urls(source)[0]
    document = json.loads(recorded()[url].read_bytes())
    document[LISTS[source]] = [None] * len(document[LISTS[source]])
    found = read(source, {url: json.dumps(document).encode()})
    assert found.failure.startswith("validation collapse") and not found.valid


@pytest.mark.parametrize("cut", [0, 1], ids=["whole", "cut"])
def test_a_gzip_encoded_listing_cut_short_is_no_evidence(tmp_path: Path, cut: int) -> None:
    """Fault round 11: a gzip-encoded body cut mid-transfer (the stream without its last block
    and trailer) was decompressed as far as it went and read as the whole response: a listing
    with models missing, their absence counted. The same body whole reads as recorded."""
    recorded_body = recorded()[VERCEL].read_bytes()
    document = json.loads(recorded_body)
    # cut where what it decompresses to still reads (a listing of half the models): the stream
    # flushed up to there, then nothing more (no last block, no trailer)
    half = json.dumps({**document, "data": document["data"][: len(document["data"]) // 2]})
    stream = zlib.compressobj(wbits=31)
    encoded = stream.compress(half.encode()) + stream.flush(zlib.Z_FULL_FLUSH)
    body = tmp_path / "vercel.json.gz"
    body.write_bytes(encoded if cut else gzip.compress(recorded_body))
    answer = {
        "file": str(body),
        "headers": {"Content-Encoding": "gzip", "Content-Type": "application/json"},
    }
    result = crawled(tmp_path, {VERCEL: answer})
    if not cut:
        [page] = result.pages
        assert len(page.records) == len(json.loads(recorded_body)["data"])
        return
    assert not result.pages
    [failure] = result.failures
    assert failure.reason == (
        "CutEncoding: the gzip-encoded body ends before its stream does: a cut response"
    )
