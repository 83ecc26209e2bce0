"""A bad day at a source is a non-event: fault worlds replayed after epoch-2, each on a copy of
the same catalog, through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).

Each world is epoch-2 with one source answering badly, made here from its real recorded
responses. The refresh reads the faulty source and one healthy source (DeepSeek's page, which
speaks for a route no faulty source touches). For every world: the catalog is unchanged,
nothing of the faulty response is observed or stamped, no absence is counted, the fault is
named with its reason, the healthy source does exactly what it does in a healthy rerun, and
at most a handful of review items open.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
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
)
from flows.refresh import refresh
from schemas.sources import sources as configured_sources
from spiders import settings as spider_settings
from tests.conftest import SNAPSHOTS, WORLDS, copy_catalog, run_flow
from tests.worlds import fault_world

pytestmark = pytest.mark.integration

SOURCES = ["openrouter", "litellm", "openai-page", "anthropic-page", "deepseek-page"]
HEALTHY = "deepseek-page"
HANDFUL = 3

OR_MODELS = "https://openrouter.ai/api/v1/models"
OR_ALL = "https://openrouter.ai/api/v1/models?output_modalities=all"
LITELLM = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)
OPENAI = "https://platform.openai.com/docs/pricing"
ANTHROPIC = "https://platform.claude.com/docs/en/about-claude/pricing.md"
ELSEWHERE = "https://login.example-sso.net/authorize?next=pricing"
OR_FILES = {
    OR_MODELS: "openrouter/models.2026-08-19.json",
    OR_ALL: "openrouter/models-output_modalities-all.2026-08-19.json",
}


def openrouter_listing(url: str, change: Callable[[list[dict[str, Any]]], None]) -> str:
    listing = json.loads((SNAPSHOTS / OR_FILES[url]).read_text())
    change(listing["data"])
    return json.dumps(listing)


def rescaled(models: list[dict[str, Any]]) -> None:
    """Every price a million times what the API said (a per-token price read as per-1M)."""
    for model in models:
        pricing = model["pricing"]
        for key, value in pricing.items():
            if isinstance(value, str):
                pricing[key] = str(Decimal(value) * 10**6)


def one_absurd(models: list[dict[str, Any]]) -> None:
    """One model's input at 100 USD per token (10^8 per 1M)."""
    next(m for m in models if m["pricing"].get("prompt") not in (None, "0"))["pricing"][
        "prompt"
    ] = "100"


def emptied(models: list[dict[str, Any]]) -> None:
    models.clear()


def without_tables(relative: str) -> str:
    page = (SNAPSHOTS / relative).read_text()
    return "\n".join(line for line in page.splitlines() if not line.lstrip().startswith("|"))


SIGN_IN = (
    "<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Sign in to continue</h1>"
    "<form method='post' action='/session'><input name='login'>"
    "<input type='password' name='password'><button>Sign in</button></form></body></html>"
)
REDIRECT = {"status": 302, "headers": {"Location": ELSEWHERE}, "body": ""}


@dataclass
class Fault:
    source: str
    broken: Callable[[], dict[str, dict[str, Any]]]
    status: set[str]  # the faulty source's status
    reason: tuple[str, ...]  # what its reason must name
    extra: list[dict[str, Any]] = field(default_factory=list)
    # the URLs whose answers must give no observation (None: all of the source's; the one
    # absurd value's response stays evidence for its other values)
    faulty_urls: tuple[str, ...] | None = None


FAULTS: dict[str, Fault] = {
    "timeout": Fault(
        "litellm", lambda: {LITELLM: {"delay": 4}}, {"failed"}, ("DownloadTimeoutError",)
    ),
    "5xx": Fault(
        "openrouter",
        lambda: {OR_MODELS: {"status": 503}, OR_ALL: {"status": 502}},
        {"failed"},
        ("HTTP 503", "HTTP 502"),
    ),
    "429": Fault(
        "anthropic-page",
        lambda: {ANTHROPIC: {"status": 429, "headers": {"Retry-After": "3600"}}},
        {"failed"},
        ("HTTP 429", ANTHROPIC),
    ),
    "truncated body": Fault(
        "litellm",
        lambda: {
            LITELLM: {
                "body": (SNAPSHOTS / "litellm/model_prices_and_context_window.json").read_text()[
                    :200_000
                ]
            }
        },
        {"failed"},
        ("unparsable body",),
    ),
    "one of two listings empty": Fault(
        "openrouter",
        lambda: {OR_ALL: {"body": openrouter_listing(OR_ALL, emptied)}},
        {"partial"},
        ("empty listing", OR_ALL),
        faulty_urls=(OR_ALL,),
    ),
    "every listing empty": Fault(
        "openrouter",
        lambda: {url: {"body": openrouter_listing(url, emptied)} for url in OR_FILES},
        {"broken", "failed"},
        ("empty listing",),
    ),
    "every price x10^6": Fault(
        "openrouter",
        lambda: {url: {"body": openrouter_listing(url, rescaled)} for url in OR_FILES},
        {"failed"},
        ("validation collapse",),
    ),
    "one absurd value": Fault(
        "openrouter",
        lambda: {OR_MODELS: {"body": openrouter_listing(OR_MODELS, one_absurd)}},
        {"ok"},
        (),
        faulty_urls=(),
    ),
    "sign-in page": Fault(
        "litellm",
        lambda: {LITELLM: {"body": SIGN_IN, "content_type": "text/html; charset=utf-8"}},
        {"failed"},
        ("unparsable body",),
    ),
    "redirect off-domain, page served there": Fault(
        "anthropic-page",
        lambda: {ANTHROPIC: REDIRECT},
        {"failed"},
        ("redirected off the source's domains", ELSEWHERE, "login.example-sso.net"),
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
        "anthropic-page",
        lambda: {ANTHROPIC: REDIRECT},
        {"failed"},
        ("redirected off the source's domains", ELSEWHERE),
    ),
    "layout change": Fault(
        "openai-page",
        lambda: {
            OPENAI: {"body": without_tables("pricing-pages/openai-pricing.2025-12-17.llmdocs.md")}
        },
        {"failed", "broken"},
        ("no price tables",),
    ),
    "older than the last response": Fault(
        "openrouter",
        lambda: {
            url: {
                "file": str(SNAPSHOTS / "openrouter/models.2026-05-20.json"),
                "date": "2026-05-20T00:00:00Z",
            }
            for url in OR_FILES
        },
        {"stale"},
        ("stale", "2026-05-20", "2026-08-19"),
    ),
}


def refreshed(db: str, world: Path, sources: list[str], *, accept_new: bool = False) -> Any:
    state = run_flow(
        refresh(
            sources=sources,
            replay=str(world),
            database=db,
            accept_new=accept_new,
            return_state=True,
        )
    )
    return state


def snapshot(db: str, faulty: str) -> dict[str, Any]:
    """What a fault must not change: every catalog value with its provenance, every absence
    counter, and when the faulty source last listed each model."""
    with store.connect(db).connect() as conn:
        values = conn.execute(select(catalog_values).order_by(catalog_values.c.id)).all()
        counters = conn.execute(
            select(listings).order_by(listings.c.source, listings.c.route, listings.c.model)
        ).all()
    return {
        "values": [tuple(v) for v in values],
        "missing": [(c.source, c.route, c.model, c.missing_runs) for c in counters],
        "last seen": [tuple(c) for c in counters if c.source == faulty],
    }


def report(db: str, run_id: int) -> dict[str, dict[str, Any]]:
    with store.connect(db).connect() as conn:
        run = queries.get_run(conn, run_id)
    assert run is not None
    return {s["source"]: s for s in run.model_dump(mode="json")["sources"]}


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The catalog after epoch-2, and what a healthy rerun of epoch-2 does for each source."""
    base = tmp_path_factory.mktemp("epoch2") / "catalog.db"
    state = refreshed(f"sqlite:///{base}", WORLDS / "epoch-2.json", SOURCES, accept_new=True)
    assert state.is_completed(), state.message
    again = copy_catalog(base, base.with_name("healthy.db"))
    healthy = refreshed(again, WORLDS / "epoch-2.json", [HEALTHY])
    assert healthy.is_completed(), healthy.message
    return {"path": base, "healthy": report(again, healthy.result())}


def comparable(source_run: dict[str, Any]) -> dict[str, Any]:
    return {k: source_run[k] for k in ("status", "observations", "quarantined", "stamped")} | {
        "review_items": source_run["review_items"],
        "reason": source_run["reason"],
    }


@pytest.mark.parametrize("kind", list(FAULTS))
def test_a_fault_at_one_source_is_a_non_event(
    kind: str, epoch2: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fault = FAULTS[kind]
    monkeypatch.setattr(spider_settings, "DOWNLOAD_TIMEOUT", 2)
    db = copy_catalog(epoch2["path"], tmp_path / "catalog.db")
    before = snapshot(db, fault.source)
    world = fault_world(tmp_path, fault.broken(), fault.extra)

    state = refreshed(db, world, [fault.source, HEALTHY])

    assert state.is_completed(), state.message  # the healthy source was applied
    run_id = state.result()
    sources = report(db, run_id)
    faulty, healthy = sources[fault.source], sources[HEALTHY]
    assert faulty["status"] in fault.status, faulty
    for named in fault.reason:
        assert named in faulty["reason"], (named, faulty["reason"])
    if faulty["status"] not in ("ok", "partial"):
        assert fault.source in state.message
    # every other source does what it did in a healthy run
    assert comparable(healthy) == comparable(epoch2["healthy"][HEALTHY])
    # the catalog is unchanged (values, provenance, verification dates, absence counters; and
    # where the faulty source was not applied, when it last listed each model)
    after = snapshot(db, fault.source)
    if faulty["status"] == "ok":
        after["last seen"] = before["last seen"]
    assert after == before
    with store.connect(db).connect() as conn:
        observed_urls = set(
            conn.execute(
                select(responses.c.url).where(
                    responses.c.run_id == run_id, responses.c.source == fault.source
                )
            ).scalars()
        )
        opened = conn.execute(
            select(func.count()).select_from(review_items).where(review_items.c.run_id == run_id)
        ).scalar_one()
        quarantined = conn.execute(
            select(quarantine.c.rule, quarantine.c.detail).where(
                quarantine.c.run_id == run_id, quarantine.c.source == fault.source
            )
        ).all()
        too_high = conn.execute(
            select(func.count())
            .select_from(observations)
            .where(observations.c.run_id == run_id, observations.c.value == "100000000")
        ).scalar()
    # nothing is read from the faulty response(s)
    listed = configured_sources()[fault.source].urls
    faulty_urls = set(listed if fault.faulty_urls is None else fault.faulty_urls)
    if faulty["status"] in ("ok", "partial"):
        assert not observed_urls & faulty_urls
    else:
        assert not observed_urls and faulty["stamped"] == 0 and faulty["observations"] == 0
    assert too_high == 0
    assert opened <= HANDFUL
    if kind == "one absurd value":
        [rule] = [r for r, d in quarantined if "100000000" in d]
        assert "magnitude" in rule or "out_of_range" in rule
        assert opened == 1


def test_a_stale_answer_is_recorded_with_both_dates(epoch2: dict[str, Any], tmp_path: Path) -> None:
    db = copy_catalog(epoch2["path"], tmp_path / "catalog.db")
    world = fault_world(tmp_path, FAULTS["older than the last response"].broken())
    state = refreshed(db, world, ["openrouter", HEALTHY])
    with store.connect(db).connect() as conn:
        summary = conn.execute(
            select(runs.c.summary).where(runs.c.id == state.result())
        ).scalar_one()
    stale = [a for a in summary["answers"] if a["source"] == "openrouter"]
    assert {a["url"] for a in stale} == set(OR_FILES)
    for answer in stale:
        assert answer["fault"] == "stale" and answer["records"] > 0
        assert answer["observed_at"].startswith("2026-05-20")
        assert "2026-08-19" in answer["detail"]
