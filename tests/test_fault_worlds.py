"""A bad day at a source is a non-event: fault worlds replayed after epoch-2, each on a copy of
the same catalog, through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).

Each world is epoch-2 with one source answering badly, made here from its real recorded
responses: every fault of issue 8 at the sources it can befall (Azure's price API, OpenAI's and
Anthropic's pages, OpenRouter's two listings, LiteLLM's map). The refresh reads the faulty
source, a secondary partner that states values for the faulty source's routes (LiteLLM; for
LiteLLM, OpenRouter, whose values LiteLLM disagrees with) and one healthy bystander (DeepSeek's
page). For every world: the catalog is unchanged, nothing of the faulty response is observed or
stamped, no absence is counted, the fault is named with its reason, every other source does
exactly what it does in a healthy rerun of the same sources, and at most a handful of review
items open.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog import queries, store
from catalog.tables import (
    catalog_values,
    listings,
    observations,
    quarantine,
    responses,
    review_items,
    runs,
    stamps,
)
from schemas.sources import sources as configured_sources
from spiders import settings as spider_settings
from tests.conftest import SNAPSHOTS, WORLDS, copy_catalog
from tests.worlds import fault_world, replayed

pytestmark = pytest.mark.integration

SOURCES = ["azure", "openrouter", "litellm", "openai-page", "anthropic-page", "deepseek-page"]
HEALTHY = "deepseek-page"
HANDFUL = 3
TIMEOUT = 10  # seconds a download may take here (a loaded machine serves a healthy page in 2)

OR_MODELS = "https://openrouter.ai/api/v1/models"
OR_ALL = "https://openrouter.ai/api/v1/models?output_modalities=all"
OR_SIGN_IN = "https://openrouter.ai/sign-in?redirect_url=%2Fapi%2Fv1%2Fmodels"
ELSEWHERE = "https://login.example-sso.net/authorize?next=pricing"
STALE_BY = timedelta(days=45)  # how much older than the recorded answer a stale one is dated


def partner(source: str) -> str:
    """A secondary source stating values for the faulty source's routes (for LiteLLM, the
    official source it disagrees with)."""
    return "openrouter" if source == "litellm" else "litellm"


def recorded() -> dict[str, dict[str, Any]]:
    """epoch-2's answer per URL: the recorded file (absolute) and date."""
    manifest = json.loads((WORLDS / "epoch-2.json").read_text())
    return {
        e["url"]: {**e, "file": (WORLDS / e["file"]).resolve()}
        for e in manifest["responses"]
        if "file" in e
    }


def urls(source: str) -> tuple[str, ...]:
    return configured_sources()[source].urls


def body(url: str) -> str:
    return Path(recorded()[url]["file"]).read_text()


def json_body(url: str, change: Callable[[Any], None]) -> dict[str, Any]:
    document = json.loads(body(url))
    change(document)
    return {"body": json.dumps(document)}


def scaled(value: Any) -> Any:
    """A stated price a million times over (a per-token price read as per-1M), its type kept."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return value
    try:
        price = Decimal(str(value)) * 10**6
    except ArithmeticError:
        return value
    return str(price) if isinstance(value, str) else float(price)


def rescaled(source: str, document: Any) -> None:
    """Every price of the response ×10^6."""
    if source == "openrouter":
        for model in document["data"]:
            pricing = model["pricing"]
            for key in pricing:
                pricing[key] = scaled(pricing[key])
    elif source == "azure":
        for item in document["Items"]:
            item["retailPrice"] = scaled(item["retailPrice"])
            item["unitPrice"] = scaled(item["unitPrice"])
    else:  # litellm
        for entry in document.values():
            for key in entry:
                if "cost_per" in key:
                    entry[key] = scaled(entry[key])


def in_cents(value: Any) -> Any:
    """A stated price a hundred times over (cents written where dollars were), its type kept."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return value
    try:
        price = Decimal(str(value)) * 100
    except ArithmeticError:
        return value
    return str(price) if isinstance(value, str) else float(price)


def hundredfold(source: str, document: Any) -> None:
    """Every price x100: nearly all stay inside their unit's band, so only the source's own
    last statements show the slip."""
    for model in document["data"]:
        pricing = model["pricing"]
        for key in pricing:
            pricing[key] = in_cents(pricing[key])


def one_absurd(source: str, document: Any) -> None:
    """One token price at 100 USD per token (10^8 per 1M)."""
    if source == "openrouter":
        next(m for m in document["data"] if m["pricing"].get("prompt") not in (None, "0"))[
            "pricing"
        ]["prompt"] = "100"
    elif source == "azure":
        item = next(
            i
            for i in document["Items"]
            if i["unitOfMeasure"] == "1M" and "Inp" in i["meterName"] and "Glbl" in i["meterName"]
        )
        item["retailPrice"] = item["unitPrice"] = 100_000_000.0
    else:  # litellm
        next(e for e in document.values() if e.get("input_cost_per_token") and "/" not in str(e))[
            "input_cost_per_token"
        ] = 100


def emptied(source: str, document: Any) -> None:
    if source == "openrouter":
        document["data"].clear()
    elif source == "azure":
        document["Items"].clear()
        document["Count"] = 0
    else:  # litellm: only the sample entry every map holds
        for key in [k for k in document if k != "sample_spec"]:
            del document[key]


def without_tables(url: str) -> dict[str, Any]:
    page = body(url)
    return {
        "body": "\n".join(line for line in page.splitlines() if not line.lstrip().startswith("|"))
    }


SIGN_IN = (
    "<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Sign in to continue</h1>"
    "<form method='post' action='/session'><input name='login'>"
    "<input type='password' name='password'><button>Sign in</button></form></body></html>"
)
REDIRECT = {"status": 302, "headers": {"Location": ELSEWHERE}, "body": ""}
Broken = dict[str, dict[str, Any]]


def each_url(source: str, answer: Callable[[str], dict[str, Any]]) -> Broken:
    return {url: answer(url) for url in urls(source)}


def older(url: str) -> dict[str, Any]:
    """The recorded answer, dated before the one the catalog already holds."""
    date = datetime.fromisoformat(recorded()[url]["date"].replace("Z", "+00:00")) - STALE_BY
    return {"date": date.isoformat().replace("+00:00", "Z")}


def stale_dates(url: str) -> tuple[str, str]:
    """The dates a stale answer's reason names: its own and the one the catalog holds."""
    return older(url)["date"][:10], recorded()[url]["date"][:10]


@dataclass
class Fault:
    broken: Callable[[str], Broken]
    status: set[str]  # the faulty source's status
    reason: Callable[[str], tuple[str, ...]]  # what its reason must name
    extra: list[dict[str, Any]] = field(default_factory=list)
    # the URLs whose answers must give no observation (None: all of the source's; the one
    # absurd value's response stays evidence for its other values)
    faulty_urls: Callable[[str], tuple[str, ...]] | None = None


def naming(*words: str) -> Callable[[str], tuple[str, ...]]:
    return lambda source: words


FAILED = {"failed", "broken"}
FAULTS: dict[str, Fault] = {
    "timeout": Fault(
        lambda s: each_url(s, lambda u: {"delay": TIMEOUT * 2}),
        {"failed"},
        naming("DownloadTimeoutError"),
    ),
    "5xx": Fault(lambda s: each_url(s, lambda u: {"status": 503}), {"failed"}, naming("HTTP 503")),
    "429": Fault(
        lambda s: each_url(s, lambda u: {"status": 429, "headers": {"Retry-After": "3600"}}),
        {"failed"},
        lambda s: ("HTTP 429", urls(s)[0]),
    ),
    "truncated body": Fault(
        lambda s: each_url(s, lambda u: {"truncate": len(body(u).encode()) // 3}),
        FAILED,
        naming(),
    ),
    "one of two listings empty": Fault(
        lambda s: {urls(s)[0]: json_body(urls(s)[0], lambda d: emptied(s, d))},
        {"partial", "failed"},
        lambda s: ("empty listing", urls(s)[0]),
        faulty_urls=lambda s: (urls(s)[0],),
    ),
    "every listing empty": Fault(
        lambda s: each_url(s, lambda u: json_body(u, lambda d: emptied(s, d))),
        FAILED,
        lambda s: ("no model entries",) if s == "litellm" else ("empty listing",),
    ),
    "every price x10^6": Fault(
        lambda s: each_url(s, lambda u: json_body(u, lambda d: rescaled(s, d))),
        {"failed"},
        naming("validation collapse"),
    ),
    "every price x100": Fault(
        lambda s: each_url(s, lambda u: json_body(u, lambda d: hundredfold(s, d))),
        {"failed"},
        naming("rescaled listing", "100 times"),
    ),
    "one absurd value": Fault(
        lambda s: {urls(s)[0]: json_body(urls(s)[0], lambda d: one_absurd(s, d))},
        {"ok"},
        naming(),
        faulty_urls=lambda s: (),
    ),
    "sign-in page": Fault(
        lambda s: each_url(
            s, lambda u: {"body": SIGN_IN, "content_type": "text/html; charset=utf-8"}
        ),
        FAILED,
        naming(),
    ),
    "redirect off-domain, page served there": Fault(
        lambda s: each_url(s, lambda u: REDIRECT),
        {"failed"},
        naming("redirected off the source's domains", ELSEWHERE, "login.example-sso.net"),
        extra=[
            {
                "url": ELSEWHERE,
                "status": 200,
                "file": str(SNAPSHOTS / "pricing-pages/anthropic-pricing.2025-12-19.llmdocs.md"),
                "date": "2026-08-20T00:00:00Z",
                "content_type": "text/markdown",
            }
        ],
    ),
    "redirect off-domain, nothing there": Fault(
        lambda s: each_url(s, lambda u: REDIRECT),
        {"failed"},
        naming("redirected off the source's domains", ELSEWHERE),
    ),
    "redirect on-domain to a sign-in page": Fault(
        lambda s: {OR_MODELS: {"status": 302, "headers": {"Location": OR_SIGN_IN}, "body": ""}},
        {"partial"},
        naming(f"{OR_MODELS} (answered from {OR_SIGN_IN})", "body is an HTML page, not JSON"),
        extra=[
            {
                "url": OR_SIGN_IN,
                "status": 200,
                "body": SIGN_IN,
                "date": "2026-08-20T00:00:00Z",
                "content_type": "text/html; charset=utf-8",
            }
        ],
        faulty_urls=lambda s: (OR_MODELS,),
    ),
    "layout change": Fault(
        lambda s: each_url(s, without_tables), FAILED, naming("no price tables")
    ),
    "older than the last response": Fault(
        lambda s: each_url(s, older),
        {"stale", "failed"},
        lambda s: ("stale", *stale_dates(urls(s)[0])),
    ),
}

# Every fault at least once, each source with three or more faults, the faults that depend on
# how a source's body reads (truncated, empty, rescaled, absurd, stale) at several sources; the
# fetch-level ones (timeout, status, redirect) are one code path for every source.
AT = {
    "azure": (
        "5xx",
        "truncated body",
        "one of two listings empty",
        "every price x10^6",
        "older than the last response",
    ),
    "openrouter": (
        "timeout",
        "redirect off-domain, page served there",
        "redirect on-domain to a sign-in page",
        "one of two listings empty",
        "every listing empty",
        "one absurd value",
        "every price x100",
        "older than the last response",
    ),
    "litellm": ("truncated body", "sign-in page", "every price x10^6", "one absurd value"),
    "openai-page": ("429", "sign-in page", "layout change"),
    "anthropic-page": (
        "truncated body",
        "redirect off-domain, nothing there",
        "older than the last response",
    ),
}
CASES = [
    pytest.param(kind, source, id=f"{kind}@{source}")
    for source, kinds in AT.items()
    for kind in kinds
]


def snapshot(db: str) -> dict[str, Any]:
    """What a fault must not change: every catalog value with its provenance, and per source
    its absence counters and when it last listed each model."""
    with store.connect(db).connect() as conn:
        values = conn.execute(select(catalog_values).order_by(catalog_values.c.id)).all()
        counters = conn.execute(
            select(listings).order_by(listings.c.source, listings.c.route, listings.c.model)
        ).all()
    by_source: dict[str, list[tuple[Any, ...]]] = {}
    for c in counters:
        by_source.setdefault(c.source, []).append((c.route, c.model, c.missing_runs))
    seen = {s: [tuple(c) for c in counters if c.source == s] for s in by_source}
    return {"values": [tuple(v) for v in values], "missing": by_source, "last seen": seen}


def fingerprints(db: str, run_id: int) -> set[str]:
    with store.connect(db).connect() as conn:
        return set(
            conn.execute(
                select(review_items.c.fingerprint).where(review_items.c.run_id == run_id)
            ).scalars()
        )


def report(db: str, run_id: int) -> dict[str, dict[str, Any]]:
    with store.connect(db).connect() as conn:
        run = queries.get_run(conn, run_id)
    assert run is not None
    return {s["source"]: s for s in run.model_dump(mode="json")["sources"]}


@dataclass
class Healthy:
    """A healthy rerun of epoch-2 by the same sources, on a copy of the catalog."""

    reports: dict[str, dict[str, Any]]
    after: dict[str, Any]
    opened: set[str]  # the fingerprints of the items it opened


@pytest.fixture(scope="module")
def epoch2(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Callable[[str], Healthy]]:
    """The catalog after epoch-2, and what a healthy rerun of epoch-2 does when the faulty
    source, its partner and the bystander answer as recorded (one rerun per faulty source)."""
    base = tmp_path_factory.mktemp("epoch2") / "catalog.db"
    state = replayed(f"sqlite:///{base}", WORLDS / "epoch-2.json", SOURCES, accept_new=True)
    assert state.is_completed(), state.message
    reruns: dict[str, Healthy] = {}

    def healthy(source: str) -> Healthy:
        if source not in reruns:
            again = copy_catalog(base, base.with_name(f"healthy-{source}.db"))
            rerun = replayed(again, WORLDS / "epoch-2.json", [source, partner(source), HEALTHY])
            assert rerun.is_completed(), rerun.message
            opened = fingerprints(again, rerun.result())
            reruns[source] = Healthy(report(again, rerun.result()), snapshot(again), opened)
        return reruns[source]

    return base, healthy


def comparable(source_run: dict[str, Any]) -> dict[str, Any]:
    return {k: source_run[k] for k in ("status", "observations", "quarantined", "stamped")} | {
        "review_items": source_run["review_items"],
        "reason": source_run["reason"],
    }


@pytest.mark.parametrize(("kind", "source"), CASES)
def test_a_fault_at_one_source_is_a_non_event(
    kind: str,
    source: str,
    epoch2: tuple[Path, Callable[[str], Healthy]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fault = FAULTS[kind]
    base, healthy_rerun = epoch2
    healthy = healthy_rerun(source)
    others = [partner(source), HEALTHY]
    monkeypatch.setattr(spider_settings, "DOWNLOAD_TIMEOUT", TIMEOUT)
    db = copy_catalog(base, tmp_path / "catalog.db")
    before = snapshot(db)
    world = fault_world(tmp_path, fault.broken(source), fault.extra)

    state = replayed(db, world, [source, *others])

    assert state.is_completed(), state.message  # the other sources were applied
    run_id = state.result()
    sources = report(db, run_id)
    faulty = sources[source]
    assert faulty["status"] in fault.status, faulty
    for named in fault.reason(source):
        assert named in faulty["reason"], (named, faulty["reason"])
    for url in urls(source):  # a failure is reported beside its URL, which it does not repeat
        assert len(re.findall(re.escape(url) + r"(?![?&\w])", faulty["reason"])) <= 1, url
    if faulty["status"] not in ("ok", "partial"):
        assert faulty["reason"] and source in state.message
    # every other source does what it did in a healthy run
    for other in others:
        assert comparable(sources[other]) == comparable(healthy.reports[other]), other
    # the catalog is unchanged: values, provenance, verification dates; the faulty source's
    # absence counters (and where it was not applied, when it last listed each model); the
    # other sources' counters as a healthy run leaves them
    after = snapshot(db)
    assert after["values"] == before["values"]
    if faulty["status"] == "ok":  # applied as a whole: its counters move as in a healthy run
        assert after["missing"].get(source) == healthy.after["missing"].get(source)
    else:
        assert after["missing"].get(source) == before["missing"].get(source)
    if faulty["status"] not in ("ok", "partial"):
        assert after["last seen"].get(source) == before["last seen"].get(source)
    for other in others:
        assert after["missing"].get(other) == healthy.after["missing"].get(other), other
    with store.connect(db).connect() as conn:
        observed_urls = set(
            conn.execute(
                select(responses.c.url).where(
                    responses.c.run_id == run_id, responses.c.source == source
                )
            ).scalars()
        )
        quarantined = conn.execute(
            select(quarantine.c.rule, quarantine.c.detail).where(
                quarantine.c.run_id == run_id, quarantine.c.source == source
            )
        ).all()
        too_high = conn.execute(
            select(func.count())
            .select_from(observations)
            .where(observations.c.run_id == run_id, observations.c.value == "100000000")
        ).scalar()
        stamped = conn.execute(
            select(func.count())
            .select_from(stamps)
            .where(stamps.c.run_id == run_id, stamps.c.source == source)
        ).scalar_one()
    # nothing is read or stamped from the faulty response(s)
    faulty_urls = set(urls(source) if fault.faulty_urls is None else fault.faulty_urls(source))
    if faulty["status"] in ("ok", "partial"):
        assert not observed_urls & faulty_urls
    else:
        assert not observed_urls and stamped == 0
        assert faulty["stamped"] == 0 and faulty["observations"] == 0
    assert too_high == 0
    # at most a handful of items open beyond what the healthy run opens
    opened = fingerprints(db, run_id) - healthy.opened
    assert len(opened) <= HANDFUL, titles(db, opened)
    if kind == "one absurd value":
        [rule] = {r for r, d in quarantined if "100000000" in d}
        assert "magnitude" in rule or "out_of_range" in rule
        assert len(opened) == 1, titles(db, opened)


def test_a_stale_answer_is_recorded_with_both_dates(
    epoch2: tuple[Path, Callable[[str], Healthy]], tmp_path: Path
) -> None:
    db = copy_catalog(epoch2[0], tmp_path / "catalog.db")
    world = fault_world(tmp_path, FAULTS["older than the last response"].broken("openrouter"))
    state = replayed(db, world, ["openrouter", HEALTHY])
    with store.connect(db).connect() as conn:
        summary = conn.execute(
            select(runs.c.summary).where(runs.c.id == state.result())
        ).scalar_one()
    stale = [a for a in summary["answers"] if a["source"] == "openrouter"]
    assert {a["url"] for a in stale} == {OR_MODELS, OR_ALL}
    for answer in stale:
        assert answer["fault"] == "stale" and answer["records"] > 0
        assert answer["observed_at"].startswith("2026-07-05")
        assert "2026-08-19" in answer["detail"]


def titles(db: str, opened: set[str]) -> list[str]:
    """Kind, route, model and title of the items with these fingerprints (for a failure)."""
    engine = store.connect(db)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                review_items.c.kind,
                review_items.c.route,
                review_items.c.model,
                review_items.c.title,
            ).where(review_items.c.fingerprint.in_(opened))
        ).all()
    engine.dispose()
    return [" ".join(str(x) for x in r) for r in rows]
