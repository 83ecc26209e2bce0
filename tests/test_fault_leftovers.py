"""Faults earlier hunts found and left, and ones the sources' public bug reports name for
other readers of the same feeds: each made here from a real recorded response (epoch-2's) and
read through the real reading path (tests/test_fault_kinds' `read`: parser, normalizer,
identity and the Pandera gate), or crawled over loopback HTTP where the response's headers are
the question.

- OpenRouter's `architecture` written as text (or a list, a number) instead of an object: it
  holds the router flag and the outputs, so a router's placeholder prices read as prices.
- An `error` beside a non-empty listing: the source says its answer failed.
- A body in the charset its Content-Type declares, not UTF-8: a legitimate answer failed.
- A model name drawn like another (a Cyrillic letter, an invisible character): a new model.
- A chain of OpenRouter pages that skips one: read as the whole listing.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from catalog import intake
from schemas import vocab
from schemas.fetch import FetchedPage
from schemas.sources import sources
from spiders.crawl import crawl
from spiders.replay import World, serve
from spiders.results import CrawlResult
from tests.test_fault_kinds import OBSERVED, Read, bodies, read, recorded, urls
from tests.worlds import fault_world


def prices_of(found: Read, model: str) -> list[Any]:
    return [o for o in found.valid if o.record == model and o.kind.value == "price"]


def kind_of(found: Read, model: str, kind: str) -> list[Any]:
    return [o for o in found.valid if o.record == model and o.kind.value == kind]


# ------------------------------------------- OpenRouter: an architecture that is no object


def with_architecture(model: str, architecture: Any) -> dict[str, bytes]:
    """Both recorded OpenRouter listings with `model`'s architecture replaced."""
    changed: dict[str, bytes] = {}
    for url, body in bodies("openrouter").items():
        document = json.loads(body)
        for entry in document["data"]:
            if entry["id"] == model:
                entry["architecture"] = architecture
        changed[url] = json.dumps(document).encode()
    return changed


@pytest.mark.parametrize(
    ("model", "architecture"),
    [
        ("openrouter/free", "Router"),  # the router's "0" would read as a free price
        ("openrouter/free", ["Router"]),
        ("anthropic/claude-haiku-4.5", "text->text"),  # no flag stated: a router or not?
    ],
    ids=["router as text", "router as a list", "model as text"],
)
def test_an_architecture_that_is_no_object_reads_no_price(
    model: str, architecture: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The architecture holds OpenRouter's router flag (`tokenizer` "Router") and the outputs
    that say whether the per-token fields are per token. Written as text or a list it was
    reported ("not an object") and then read as stating no flag and token outputs:
    `openrouter/free`'s "0" read as a free price (with schemas/vocab.py's table not naming it,
    as for a router newer than the table). Whether any model's prices are its own is then not
    stated: every price of the model is quarantined ("architecture unreadable"); its limits and
    every other model read as recorded."""
    monkeypatch.setitem(vocab.ROUTER_MODELS, "openrouter", frozenset())
    before = read("openrouter", bodies("openrouter"))
    found = read("openrouter", with_architecture(model, architecture))
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    assert prices_of(found, model) == []
    mine = {(p.field, p.rule) for p in found.problems if p.record == model}
    assert ("architecture", "not an object") in mine
    assert ("pricing.prompt", "architecture unreadable") in mine
    assert kind_of(found, model, "limit") == kind_of(before, model, "limit")
    others = [o for o in found.valid if o.record != model]
    assert others == [o for o in before.valid if o.record != model]


def test_an_absent_architecture_is_the_older_schema_and_reads_prices() -> None:
    """An architecture left out (or null) is the listing's schema before it existed: no flag,
    token outputs, as before."""
    model = "anthropic/claude-haiku-4.5"
    before = read("openrouter", bodies("openrouter"))
    found = read("openrouter", with_architecture(model, None))
    assert prices_of(found, model) == prices_of(before, model) != []


# ----------------------------------------------- an error beside a listing that is not empty


@pytest.mark.parametrize("source", ["openrouter", "vercel", "azure"])
def test_an_error_beside_entries_fails_that_url_naming_it(source: str) -> None:
    """`{"data": [...], "error": {"code": 503, "message": ...}}`: the source says its answer
    failed, and the entries beside it were read as the whole listing (every model missing from
    them counted absent, every price confirmed). That URL is unparsable, its reason naming the
    source's message and the entries not read; the source's other URLs read as recorded."""
    url = urls(source)[0]
    document = json.loads(bodies(source)[url])
    entries = "Items" if source == "azure" else "data"
    key = "Error" if source == "azure" else "error"
    document[key] = {"code": 503, "message": "Upstream model registry unavailable"}
    answered = {**bodies(source), url: json.dumps(document).encode()}
    found = read(source, answered)
    [reason] = found.unparsable
    count = len(document[entries])
    assert f"an error beside {count} entries" in reason
    assert "503: Upstream model registry unavailable" in reason and url in reason
    others = {u: b for u, b in bodies(source).items() if u != url}
    if others:
        assert found.valid == read(source, others).valid
    else:
        assert not found.valid


# ------------------------------------------------- a body in the charset its headers declare

VERCEL = urls("vercel")[0]
OPENAI_PAGE = urls("openai-page")[0]


def crawled(tmp_path: Path, source: str, url: str, body: bytes, content_type: str) -> CrawlResult:
    """`source` crawled over loopback HTTP, `url` answering `body` with `content_type`."""
    path = tmp_path / "body"
    path.write_bytes(body)
    override = {"file": str(path), "content_type": content_type}
    world = World.load(fault_world(tmp_path, {url: override}))
    with serve(world) as base:
        return asyncio.run(asyncio.wait_for(crawl(source, base), timeout=60))


def as_cp1252(url: str) -> bytes:
    """The recorded body written in Windows-1252 (what `charset=iso-8859-1` names on the web),
    each character it has none for as JSON's escape of it (in a JSON body, where they are all
    inside strings) or a character reference (in a page)."""
    text = recorded()[url].read_text(encoding="utf-8")
    if url == VERCEL:
        text = "".join(
            c if c.encode("cp1252", errors="ignore") else json.dumps(c)[1:-1] for c in text
        )
    body = text.encode("cp1252", errors="xmlcharrefreplace")
    assert body != text.encode("utf-8")  # the recording has letters beyond ASCII
    return body


@pytest.mark.parametrize("charset", ["iso-8859-1", "windows-1252"])
def test_a_json_body_in_its_declared_charset_is_read(tmp_path: Path, charset: str) -> None:
    """Vercel's recorded listing in Windows-1252, declared so by its Content-Type: it failed
    ("body is not JSON (UnicodeDecodeError...)") and the source with it. It reads as the
    recorded UTF-8 listing, and is kept in UTF-8 (to be parsed again without its headers)."""
    body = as_cp1252(VERCEL)
    result = crawled(tmp_path, "vercel", VERCEL, body, f"application/json; charset={charset}")
    assert not result.failures, result.failures
    [page] = result.pages
    parse = sources()["vercel"].parser.parse
    assert page.records == parse(recorded()[VERCEL].read_bytes(), VERCEL).records
    assert page.body == body.decode("cp1252").encode("utf-8")


def test_an_undeclared_body_that_is_not_utf8_fails_that_url_alone(tmp_path: Path) -> None:
    """The same body without a declared charset is no UTF-8 and states no other: that URL
    fails with one line naming the byte, nothing is read as the listing."""
    result = crawled(tmp_path, "vercel", VERCEL, as_cp1252(VERCEL), "application/json")
    assert not result.pages
    [failure] = result.failures
    assert failure.url == VERCEL and "UnicodeDecodeError" in failure.reason
    assert "\n" not in failure.reason


@pytest.mark.parametrize(
    ("source", "charset"),
    [("deepseek-page", "gb2312"), ("anthropic-page", "euc-kr"), ("anthropic-page", "utf-16le")],
)
def test_a_page_in_its_declared_charset_reads_as_recorded(
    tmp_path: Path, source: str, charset: str
) -> None:
    """A recorded pricing page in another charset its Content-Type declares (each character the
    charset has none for as a character reference). Its charset was guessed from its bytes:
    Anthropic's "≤" of its long-context rows read as other letters, and the page's records
    changed without a word (in UTF-16 no table was found). Read in the declared charset, the
    page's records are the recording's."""
    url = urls(source)[0]
    text = recorded()[url].read_text(encoding="utf-8")
    body = text.encode(charset, errors="xmlcharrefreplace")
    result = crawled(tmp_path, source, url, body, f"text/markdown; charset={charset}")
    assert not result.failures, result.failures
    [page] = result.pages
    parse = sources()[source].parser.parse
    assert page.records == parse(recorded()[url].read_bytes(), url).records


def test_a_utf8_page_cut_inside_a_character_stays_cut_whatever_it_declares(
    tmp_path: Path,
) -> None:
    """A UTF-8 page cut inside its last character, declared iso-8859-1 (a server's default):
    read in the declared charset its last bytes would be two letters and the page whole. It is
    UTF-8 cut short, that URL's failure as a truncated body."""
    body = recorded()[OPENAI_PAGE].read_bytes()
    last = max(i for i, byte in enumerate(body) if byte >= 0xC0)  # a multi-byte start
    content_type = "text/markdown; charset=iso-8859-1"
    result = crawled(tmp_path, "openai-page", OPENAI_PAGE, body[: last + 1], content_type)
    assert not result.pages
    [failure] = result.failures
    assert "truncated body" in failure.reason


# ---------------------------------------------------------- a model name that reads as another

LOOKALIKES = [
    "gpt-4\u043e",  # CYRILLIC SMALL LETTER O
    "gpt\u20114o",  # NON-BREAKING HYPHEN
    "\uff47\uff50\uff54-4o",  # FULLWIDTH "gpt"
    "gpt-4o\u200b",  # ZERO WIDTH SPACE
    "gpt-4o\u0301",  # a combining accent on the o
    "gpt\u20104o",  # HYPHEN (fault round 31: NFKC leaves it)
    "gpt\u22124o",  # MINUS SIGN
    "gpt-4\u0585",  # ARMENIAN SMALL LETTER OH
    "\u0261pt-4o",  # LATIN SMALL LETTER SCRIPT G
]


def with_copy(source: str, name: str) -> tuple[dict[str, bytes], str]:
    """The source's recorded bodies with its gpt-4o entry stated again under `name` (for
    OpenRouter, `openai/<name>`), and the record id the copy is reported under."""
    url = urls(source)[0]
    document = json.loads(bodies(source)[url])
    if source == "litellm":
        document[name] = document["gpt-4o"]
        record = name
    else:
        [entry] = [m for m in document["data"] if m["id"] == "openai/gpt-4o"]
        record = f"openai/{name}"
        document["data"].append({**entry, "id": record})
    return {**bodies(source), url: json.dumps(document).encode()}, record


@pytest.mark.parametrize(
    "name",
    LOOKALIKES,
    ids=["cyrillic", "hyphen", "fullwidth", "zwsp", "mark", "dash", "minus", "armenian", "ipa"],
)
@pytest.mark.parametrize("source", ["openrouter", "litellm"])
def test_a_model_name_that_reads_as_another_is_quarantined(source: str, name: str) -> None:
    """gpt-4o's recorded entry stated again under a name drawn like "gpt-4o" (a Cyrillic о, a
    non-breaking hyphen, fullwidth letters, an invisible space, a combining accent) was read
    as a model of its own: a new model a reviewer cannot tell from gpt-4o, with prices beside
    its own. The copy's values are its record's problem ("lookalike name", naming the
    character); gpt-4o and every other model read as recorded."""
    answered, record = with_copy(source, name)
    found = read(source, answered)
    before = read(source, bodies(source))
    assert not found.failure and not found.unparsable
    assert [o for o in found.valid if o.record == record] == []
    rules = {p.rule for p in found.problems if p.record == record}
    assert rules == {"lookalike name"}, rules
    assert found.valid == before.valid


@pytest.mark.parametrize(
    "name",
    ["gpt\u20114o", "\uff47\uff50\uff54-4o", "gpt-4o\u200b", "gpt-4o\u200b "],
    ids=["hyphen", "fullwidth", "zwsp", "zwsp-space"],
)
@pytest.mark.parametrize("source", ["openrouter", "litellm"])
def test_a_record_renamed_to_a_lookalike_names_the_model_it_reads_as(
    source: str, name: str
) -> None:
    """A fault round renamed OpenRouter's gpt-4o entry itself (no copy beside it) to
    "openai/gpt-4o<U+200B ZERO WIDTH SPACE><space>": quarantined, as it should be, but naming
    no model, so gpt-4o's fields counted as withdrawn that day (a new-value item lost its cache
    read, a disagreement its OpenRouter side). The record names the model it reads as: its
    fields stand as last stated while the name is wrong."""
    url = urls(source)[0]
    document = json.loads(bodies(source)[url])
    if source == "litellm":
        document[name] = document.pop("gpt-4o")
        real, record = "gpt-4o", name.strip()  # record ids are read trimmed
    else:
        [entry] = [m for m in document["data"] if m["id"] == "openai/gpt-4o"]
        entry["id"], real = f"openai/{name}", "openai/gpt-4o"
        record = entry["id"].strip()
    body = json.dumps(document).encode()
    records = sources()[source].parser.parse(body, url).records
    [renamed], _ = intake.normalize_each(
        {source: [FetchedPage(url, url, 200, OBSERVED, records)]}, sources()
    )
    assert {p.rule for p in renamed.problems if p.record == record} == {"lookalike name"}
    assert not [d for _, d in renamed.drafts if d.record == record]
    assert real in {model for _, model in renamed.named}


@pytest.mark.parametrize(
    "name",
    ["\u901a\u4e49\u5343\u95ee", "bj\u00f8rn-7b", "stra\u00dfe-1", "qwen\u301cchat"],
    ids=["chinese", "o-stroke", "sharp-s", "wave-dash"],
)
def test_a_name_in_another_script_is_a_name(name: str) -> None:
    """A model named in Chinese characters alone is not drawn like a Latin name, nor one with a
    letter of a language written in Latin, nor a wave dash: read (fault round 33: the first
    form of the dash and Latin-letter rules refused "bjørn-7b" and "qwen〜chat")."""
    answered, record = with_copy("openrouter", name)
    found = read("openrouter", answered)
    assert [o for o in found.valid if o.record == record] != []
    assert not [p for p in found.problems if p.record == record]


# ------------------------------------------------- OpenRouter: a chain of pages that skips one

OPENROUTER = urls("openrouter")[0]


def paged(skip: bool) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]], int]:
    """OpenRouter's recorded listing served as three pages chained by `links.next` (the first
    at the configured URL, each stating the listing's `total_count`), the first one's link
    naming the third page when `skip`. Returns the world's override of the configured URL,
    the further pages' entries, and the listing's length."""
    document = json.loads(bodies("openrouter")[OPENROUTER])
    entries = document["data"]
    cut = len(entries) // 3
    parts = [entries[:cut], entries[cut : 2 * cut], entries[2 * cut :]]
    further = [f"{OPENROUTER}?offset={cut}", f"{OPENROUTER}?offset={2 * cut}"]
    nexts = [further[1] if skip else further[0], further[1], None]
    pages = [
        {**document, "data": part, "total_count": len(entries), "links": {"next": following}}
        for part, following in zip(parts, nexts, strict=True)
    ]
    manifest = {"status": 200, "date": "2026-08-19T00:00:00Z", "content_type": "application/json"}
    first = {OPENROUTER: {"body": json.dumps(pages[0])}}
    extra = [
        {**manifest, "url": url, "body": json.dumps(page)}
        for url, page in zip(further, pages[1:], strict=True)
    ]
    return first, extra, len(entries)


@pytest.mark.parametrize("skip", [False, True], ids=["whole chain", "a page skipped"])
def test_a_chain_of_pages_short_of_its_total_is_a_partial_listing(
    tmp_path: Path, skip: bool
) -> None:
    """OpenRouter states `total_count` beside `links.next`. A chain whose first page's link
    skips the second page ended on the third with a third of the models missing, each page read
    and the listing taken as whole (a lone page short of its total was already refused, a
    chain was not judged): every model on the skipped page would count absent. The chain's
    last page is its failure, naming the total and the entries the chain holds; the pages before
    it are read. Whole, the three pages read every recorded entry."""
    first, extra, total = paged(skip)
    world = World.load(fault_world(tmp_path, first, extra))
    with serve(world) as base:
        result = asyncio.run(asyncio.wait_for(crawl("openrouter", base), timeout=60))
    listing = [
        p for p in result.pages if p.url.startswith(OPENROUTER) and p.url != urls("openrouter")[1]
    ]
    read_entries = sum(len(p.records) for p in listing)
    if not skip:
        assert not result.failures, result.failures
        assert read_entries == total
        return
    [failure] = result.failures
    assert failure.url == extra[-1]["url"]
    assert f"total_count={total}" in failure.reason and "partial listing" in failure.reason
    assert f"chain of 2 pages holds {total - total // 3} entries" in failure.reason
    assert read_entries == total // 3


@pytest.mark.parametrize("source", ["litellm", "modelsdev", "portkey"])
def test_an_error_key_beside_named_entries_fails_that_url(source: str) -> None:
    """The same at the sources whose body is an object of entries keyed by name: a key
    `error` holding `{"code", "message"}` beside the entries was one odd record ("not a model
    entry", "provider without models", "unknown model keys") and every entry beside it was read
    as the listing. That URL is unparsable, naming the message; the source's other URLs read."""
    url = urls(source)[0]
    document = json.loads(bodies(source)[url])
    document["error"] = {"code": 503, "message": "Upstream model registry unavailable"}
    found = read(source, {**bodies(source), url: json.dumps(document).encode()})
    [reason] = found.unparsable
    assert "an error beside" in reason and "503: Upstream model registry unavailable" in reason
    others = {u: b for u, b in bodies(source).items() if u != url}
    assert found.valid == (read(source, others).valid if others else [])


def test_an_entry_named_error_is_an_entry() -> None:
    """A LiteLLM key `error` holding an entry's shape (no message) is read as the entry it is."""
    url = urls("litellm")[0]
    document = json.loads(bodies("litellm")[url])
    document["error"] = document["gpt-4o"]
    found = read("litellm", {url: json.dumps(document).encode()})
    assert not found.unparsable and [o for o in found.valid if o.record == "error"] != []
