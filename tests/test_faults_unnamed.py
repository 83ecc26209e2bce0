"""Fault kinds no issue names, found by hunting through the kinds public bug reports of the
sources' projects describe (negative, string and sentinel prices, keys renamed, counts of
another type, listings of an older day), each made here from a real recorded response and
read through the real reading path (tests/test_fault_kinds' `read`: parser, normalizer,
identity and the Pandera gate).

The rule is the house rule: a value that cannot be read is quarantined alone, and a value the
source states well is kept, whatever its neighbours state.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import catalog_values, review_items
from schemas.records import Observation
from spiders.crawl import crawl
from spiders.replay import World, serve
from spiders.results import CrawlResult
from spiders.settings import DOWNLOAD_MAXSIZE
from tests.conftest import WORLDS
from tests.test_fault_kinds import Read, bodies, healthy, read, urls
from tests.worlds import epoch2_loaded, fault_world, recorded_text, replayed, replayed_run

OPENROUTER = urls("openrouter")[0]


def measure(o: Observation) -> tuple[Any, ...]:
    """The field an observation states a value for (the source's record aside)."""
    return (o.route, o.model, o.kind, o.component, o.unit, o.dimensions.key, o.scheduled)


def stated(found: Read) -> Counter[tuple[Any, ...]]:
    """Every valid value a read gives, with the field it is for."""
    return Counter((*measure(o), o.value) for o in found.valid)


def listed_twice(component: str) -> tuple[str, str]:
    """Two ids of the recorded OpenRouter listing for one model, stating the same prices and
    limits: the one the healthy read keeps `component` from, and the one whose statements it
    read as the same (identical statements of one field are read once)."""
    listing = json.loads(bodies("openrouter")[OPENROUTER])["data"]
    found = healthy("openrouter").valid
    read_from = {o.record for o in found}
    for o in found:
        if o.component.value != component or not o.record.startswith("openai/"):
            continue
        kept = next(m for m in listing if m["id"] == o.record)
        for m in listing:
            alike = (m["pricing"], m["context_length"]) == (kept["pricing"], kept["context_length"])
            family = m["id"].split("-")[0] == o.record.split("-")[0]
            if alike and family and m["id"] not in read_from:
                return o.record, m["id"]
    raise AssertionError(f"no OpenRouter model listed twice alike for {component}")


def openrouter_record(record: str, change: Callable[[dict[str, Any]], None]) -> dict[str, bytes]:
    """epoch-2's OpenRouter answers with the model listed as `record` changed by `change`."""
    answered = bodies("openrouter")
    document = json.loads(answered[OPENROUTER])
    change(next(m for m in document["data"] if m["id"] == record))
    return {**answered, OPENROUTER: json.dumps(document).encode()}


def negative_price(model: dict[str, Any]) -> None:
    model["pricing"]["prompt"] = "-" + model["pricing"]["prompt"]


def negative_context(model: dict[str, Any]) -> None:
    model["context_length"] = -1


@pytest.mark.parametrize(
    ("change", "component"),
    [(negative_price, "input"), (negative_context, "context_window")],
)
def test_a_value_failing_its_own_check_takes_no_twin_with_it(
    change: Callable[[dict[str, Any]], None], component: str
) -> None:
    """Two OpenRouter ids for one model (openai/gpt-4o and its dated id) state its input
    price and context window alike. One of them negative (a sign slip; OpenRouter writes "-1"
    for a price it cannot state) was quarantined, and with it its twin's value, which is
    right: the negative row still counted in the check that a field is stated once, and the
    input in the check that a cache read is no dearer than input, so the twin's input and
    its cache read were quarantined as "stated twice differently" and "dearer than input".
    A value that fails its own check is set aside before the checks across rows."""
    twin, broken = listed_twice(component)
    found = read("openrouter", openrouter_record(broken, change))
    assert not found.failure and not found.unparsable
    [problem] = [p for p in found.problems if p.record == broken and "= -" in p.detail]
    assert problem.rule == "greater_than_or_equal_to(0)", problem
    assert [p for p in found.problems if p.record == twin] == []
    # the twin's values are read as in the healthy read, the broken id's other ones too
    healthy_twin = {measure(o): o.value for o in healthy("openrouter").valid if o.record == twin}
    assert {measure(o): o.value for o in found.valid if o.record == twin} == healthy_twin
    assert len(found.valid) == len(healthy("openrouter").valid)


# --------------------------------------------------- Azure fields padded with whitespace

AZURE_EASTUS2 = next(u for u in urls("azure") if "eastus2" in u)


def padded(keys: tuple[str, ...]) -> dict[str, bytes]:
    """epoch-2's Azure answers with every item's `keys` padded with a space on both sides."""
    answered = bodies("azure")
    document = json.loads(answered[AZURE_EASTUS2])
    for item in document["Items"]:
        for key in keys:
            item[key] = f" {item[key]} "
    return {**answered, AZURE_EASTUS2: json.dumps(document).encode()}


@pytest.mark.parametrize(
    "keys",
    [("currencyCode",), ("type",), ("currencyCode", "type", "unitOfMeasure", "meterName")],
)
def test_azure_text_padded_with_whitespace_reads_as_written_without_it(
    keys: tuple[str, ...],
) -> None:
    """The Retail Prices API has served its text fields padded with whitespace
    (infracost/cloud-pricing-api#105 trims them). ratecard trimmed the unit, the meter and
    the SKU but compared `currencyCode` and `type` untrimmed: "USD " was refused as not USD,
    " Consumption" as another price type, every item of the region's listing quarantined and
    the source failed as a validation collapse. Every text field is read trimmed."""
    found = read("azure", padded(keys))
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    assert stated(found) == stated(healthy("azure"))
    assert Counter(p.rule for p in found.problems) == Counter(
        p.rule for p in healthy("azure").problems
    )


# ------------------------------------------- LiteLLM's words padded with whitespace

LITELLM = urls("litellm")[0]


@pytest.mark.parametrize("key", ["mode", "litellm_provider"])
def test_a_litellm_word_padded_with_whitespace_means_what_it_says(key: str) -> None:
    """A hand-edited map with `"mode": "image_generation "` or `"litellm_provider":
    "anthropic "` (the padding Azure's API served, infracost/cloud-pricing-api#105): the
    word was compared as written, so an image model's per-pixel price was read as an input
    price, a transcription's per-second price lost its medium, Anthropic's cache writes lost
    their 5-minute lifetime, and OpenRouter's router pseudo-models were read as free, all as
    valid values. The map's words are read trimmed, as every other reader reads its text."""
    answered = bodies("litellm")
    document = json.loads(answered[LITELLM])
    for entry in document.values():
        if isinstance(entry.get(key), str):
            entry[key] = f"{entry[key]} "
    found = read("litellm", {**answered, LITELLM: json.dumps(document).encode()})
    assert not found.failure and not found.unparsable
    assert stated(found) == stated(healthy("litellm"))
    assert Counter(p.rule for p in found.problems) == Counter(
        p.rule for p in healthy("litellm").problems
    )


@pytest.mark.parametrize(("count", "shown"), [("1520", '"1520"'), (None, "null"), (True, "true")])
def test_an_azure_count_of_another_type_is_named_as_written(count: Any, shown: str) -> None:
    """A page whose `Count` is no number fails that URL (Count states how many Items the page
    holds; one that cannot be compared vouches for nothing), and its reason said "Count=1520
    but 1520 Items": the string was shown as the number it is not."""
    answered = bodies("azure")
    document = json.loads(answered[AZURE_EASTUS2])
    items = len(document["Items"])
    document["Count"] = count
    found = read("azure", {**answered, AZURE_EASTUS2: json.dumps(document).encode()})
    [reason] = found.unparsable
    assert f"Count={shown} but {items} Items" in reason


# ------------------------------------------- every JSON source's text padded with whitespace

JSON_SOURCES = ("litellm", "openrouter", "vercel", "modelsdev", "genai-prices", "portkey", "azure")


def padded_text(node: Any) -> Any:
    """`node` with every text value and every text item of a list padded with a space."""
    if isinstance(node, dict):
        return {key: padded_text(value) for key, value in node.items()}
    if isinstance(node, list):
        return [f" {item} " if isinstance(item, str) else padded_text(item) for item in node]
    return f" {node} " if isinstance(node, str) else node


@pytest.mark.parametrize("source", JSON_SOURCES)
def test_every_text_value_padded_with_whitespace_reads_as_without_it(source: str) -> None:
    """Each JSON source's every text value padded (" language ", " text ", " 0.0000025 "):
    Vercel's model types were unknown and the source failed as a validation collapse,
    OpenRouter's and models.dev's modalities were no modality (per-token prices of 1,272
    OpenRouter models unit-ambiguous, 5,338 models.dev flags unknown), LiteLLM's modes and
    providers read other prices than stated. The words are read without the padding."""
    answered = {
        url: json.dumps(padded_text(json.loads(body))).encode()
        for url, body in bodies(source).items()
    }
    found = read(source, answered)
    assert not found.failure and not found.unparsable, found.failure or found.unparsable
    assert stated(found) == stated(healthy(source))
    assert Counter(p.rule for p in found.problems) == Counter(
        p.rule for p in healthy(source).problems
    )


# --------------------------------------------------------- a redirect from https to http

VERCEL = urls("vercel")[0]


def vercel_crawl(tmp_path: Path, broken: dict[str, dict[str, Any]], extra: Any) -> CrawlResult:
    """Vercel's crawl of epoch-2 with `broken` answers (and `extra` ones) over loopback HTTP."""
    world = World.load(fault_world(tmp_path, broken, extra))
    with serve(world) as base:
        return asyncio.run(asyncio.wait_for(crawl("vercel", base), timeout=60))


@pytest.mark.parametrize(("encoding", "error"), [("gzip", "BadGzipFile"), ("br", "brotli")])
def test_a_body_not_encoded_as_declared_says_so(tmp_path: Path, encoding: str, error: str) -> None:
    """Fault rounds: Vercel's recorded listing served plain with `Content-Encoding: gzip` (or
    `br`): the reason was the decoder's bare error ("BadGzipFile: Not a gzipped file (b'{\\n')",
    "error: brotli: decoder failed")."""
    body = recorded_text(VERCEL)
    declared = {VERCEL: {"body": body, "headers": {"Content-Encoding": encoding}}}
    result = vercel_crawl(tmp_path, declared, [])
    assert not result.pages
    [failure] = result.failures
    assert failure.reason.startswith("a body not encoded as its Content-Encoding says (")
    assert error in failure.reason


def test_a_body_over_the_size_limit_as_it_decompresses_says_so_in_bytes(tmp_path: Path) -> None:
    """A fault round (h53): Vercel's recorded listing gzip-encoded with a run of spaces inside,
    a few hundred kilobytes that decompress past the 64 MiB download limit (a gzip bomb). The
    source failed alone, as it should, but its reason was Scrapy's, naming the loopback replay
    URL ("IgnoreRequest: Ignored response <200 http://127.0.0.1:40669/replay?url=...>")."""
    body = recorded_text(VERCEL).encode()
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip member
    spaces = b" " * (1 << 20)
    packed = [packer.compress(body[:-1]), *(packer.compress(spaces) for _ in range(66))]
    bomb = tmp_path / "models.json.gz"
    bomb.write_bytes(b"".join([*packed, packer.compress(body[-1:]), packer.flush()]))
    declared = {VERCEL: {"file": str(bomb), "headers": {"Content-Encoding": "gzip"}}}
    result = vercel_crawl(tmp_path, declared, [])
    assert not result.pages
    [failure] = result.failures
    limit = f"{DOWNLOAD_MAXSIZE:,}"
    assert failure.reason.startswith(f"body over the download size limit ({limit} bytes): ")
    assert f"{bomb.stat().st_size:,} bytes compressed" in failure.reason
    assert "127.0.0.1" not in failure.reason and "Ignored" not in failure.reason


def test_a_redirect_from_https_to_http_is_no_evidence(tmp_path: Path) -> None:
    """Vercel's models URL answering 301 to the same URL over plain http, which serves the
    recorded listing: the listing was read as the source's word, though over http anyone
    between could have written it (the domain check looks at the host alone). A source asked
    over https is read only over https."""
    plain = VERCEL.replace("https://", "http://", 1)
    recorded = json.loads((WORLDS / "epoch-2.json").read_text())["responses"]
    there = {**next(e for e in recorded if e["url"] == VERCEL), "url": plain}
    there["file"] = str((WORLDS / there["file"]).resolve())
    moved = {"status": 301, "headers": {"Location": plain}, "body": ""}
    result = vercel_crawl(tmp_path, {VERCEL: moved}, [there])
    assert not result.pages
    [failure] = result.failures
    assert failure.url == VERCEL and failure.landing_url == plain
    assert failure.reason == f"redirected from https to http, to {plain}"


def test_a_further_page_named_at_an_http_url_is_not_fetched(tmp_path: Path) -> None:
    """Azure's recorded first page with its NextPageLink moved to plain http: the next page
    would have been read over http and its prices taken as the source's. It is refused, and
    the first page (read over https) is kept."""
    recorded = json.loads((WORLDS / "epoch-1.json").read_text())["responses"]
    first = next(e for e in recorded if "eastus2" in e["url"])
    document = json.loads((WORLDS / first["file"]).read_bytes())
    following = document["NextPageLink"].replace("https://", "http://", 1)
    document["NextPageLink"] = following
    # what would answer there: the region's other recorded page (its last: NextPageLink null)
    there = next(e for e in recorded if "mexicocentral" in e["url"])
    served = {**there, "url": following, "file": str((WORLDS / there["file"]).resolve())}
    broken = {first["url"]: {"body": json.dumps(document)}}
    world = World.load(fault_world(tmp_path, broken, [served], base="epoch-1"))
    with serve(world) as base:
        result = asyncio.run(asyncio.wait_for(crawl("azure", base), timeout=60))
    assert [p.url for p in result.pages if "eastus2" in p.url] == [first["url"]]
    [failure] = [f for f in result.failures if "eastus2" in f.url]
    assert failure.reason.startswith(f"a further page over http: {following}")


# ------------------------------------------- an older recording answered with a new date


@pytest.mark.integration
def test_an_older_recording_dated_anew_is_held_then_proposes_its_values_back_and_no_absence(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """LiteLLM's map as recorded in March (epoch-1) served again after July's was applied,
    with a date after it (a mirror or a revert serving old content). The snapshot dates its
    keys name say it is old (none newer than 2026-02-23, where July's named 2026-04-23: fault
    round 61, tests/test_older_map.py): held the first day, nothing proposed. If it lasts, it
    is read, and what it proposes is honest: its prices as price changes back for review, the
    catalog unchanged, and no model it lacks opens a "missing" item (an absence counts once
    per complete listing; an item takes MISSING_AFTER of them)."""
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", ["litellm"])
    with store.connect(db).connect() as conn:
        before = conn.execute(select(catalog_values).order_by(catalog_values.c.id)).all()
        opened = len(conn.execute(select(review_items.c.id)).all())
    older = next(
        e
        for e in json.loads((WORLDS / "epoch-1.json").read_text())["responses"]
        if e["url"] == LITELLM
    )
    march = str((WORLDS / older["file"]).resolve())
    first = {"file": march, "date": "2026-09-01T00:00:00Z"}
    held = replayed(db, fault_world(tmp_path, {LITELLM: first}), ["litellm"])
    assert held.is_failed()  # its one source stale, nothing applied
    with store.connect(db).connect() as conn:
        assert len(conn.execute(select(review_items.c.id)).all()) == opened
    answer = {"file": march, "date": "2026-09-02T00:00:00Z"}
    run_id = replayed_run(db, fault_world(tmp_path, {LITELLM: answer}), ["litellm"])
    with store.connect(db).connect() as conn:
        kinds = Counter(
            conn.execute(
                select(review_items.c.kind).where(review_items.c.run_id == run_id)
            ).scalars()
        )
        after = conn.execute(select(catalog_values).order_by(catalog_values.c.id)).all()
    assert kinds["price_change"] > 0 and kinds["missing"] == 0, kinds
    assert after == before
