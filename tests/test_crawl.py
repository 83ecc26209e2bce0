"""Spiders over real loopback HTTP: what a source's crawl reports when its host is unreachable."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from scrapy import Request, Spider
from scrapy.crawler import AsyncCrawlerRunner
from twisted.python.failure import Failure

from schemas.sources import sources
from spiders.crawl import crawl, crawl_settings
from spiders.middleware import error_reason
from spiders.replay import World, serve
from tests.conftest import SNAPSHOTS
from tests.worlds import fault_world


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]  # typeshed types the address as Any
        return port


def test_unreachable_host_fails_every_url_at_once_with_the_reason() -> None:
    result = asyncio.run(crawl("portkey", f"http://127.0.0.1:{closed_port()}"))
    assert not result.pages
    assert len(result.failures) == len(sources()["portkey"].urls) == 46
    # robots.txt (or the first requests in flight) meet the refusal; the rest are not attempted
    skipped = [f for f in result.failures if "unreachable earlier in this crawl" in f.reason]
    assert len(skipped) >= 42
    assert all("DownloadConnectionRefusedError" in f.reason for f in result.failures)
    assert all("configs.portkey.ai" in f.reason for f in skipped)


def test_a_host_whose_name_does_not_resolve_is_named_without_object_reprs() -> None:
    """A live crawl, as a refresh without --replay makes it, of a host whose name cannot resolve
    (the .invalid domain never does: RFC 6761): Scrapy's handler states the failure with the
    repr of its TLS context (`ssl:<ssl.SSLContext object at 0x7f…>`), a new address each run.
    The reason names the host, the URL that met the failure first (robots.txt, asked first)
    and the resolver's words, and no object."""
    failures: list[Failure] = []

    class Unresolvable(Spider):
        name = "unresolvable"

        async def start(self) -> AsyncIterator[Request]:
            yield Request("https://ratecard.invalid/prices.json", errback=failures.append)

    async def live() -> None:
        settings = crawl_settings(None)
        settings.set("HTTPCACHE_ENABLED", False)  # a live crawl's cache folder is the cwd's
        await AsyncCrawlerRunner(settings).crawl(Unresolvable)

    asyncio.run(live())
    [failure] = failures
    reason = error_reason(failure.value, failure.getErrorMessage())
    assert reason.startswith(
        "IgnoreRequest: ratecard.invalid unreachable earlier in this crawl"
        " (https://ratecard.invalid/robots.txt): CannotResolveHostError: Cannot connect to host"
        " ratecard.invalid:443 ["
    ), reason
    assert "object at" not in reason and "<" not in reason, reason


def test_redirects_are_followed_and_the_landing_url_kept(tmp_path: Path) -> None:
    listing = (SNAPSHOTS / "openrouter" / "models.2026-08-19.json").resolve()
    moved = "https://openrouter.ai/api/v2/models"
    manifest = {
        "name": "redirect",
        "responses": [
            {"url": "https://openrouter.ai/api/v1/models", "status": 301,
             "headers": {"Location": moved}, "body": "", "date": "2026-08-19T00:00:00Z"},
            {"url": moved, "status": 200, "file": str(listing),
             "date": "2026-08-19T00:00:00Z", "content_type": "application/json"},
        ],
    }  # fmt: skip
    path = tmp_path / "world.json"
    path.write_text(json.dumps(manifest))
    with serve(World.load(path)) as base:
        result = asyncio.run(crawl("openrouter", base))
    [page] = result.pages
    assert (page.url, page.landing_url) == ("https://openrouter.ai/api/v1/models", moved)
    assert page.observed_at == datetime(2026, 8, 19, tzinfo=UTC)
    assert len(page.records) == 414
    [failure] = result.failures  # the ?output_modalities=all listing is not in this world
    assert failure.status == 404 and failure.reason == "HTTP 404"


def test_every_configured_url_lives_on_its_sources_domains() -> None:
    for source in sources().values():
        assert source.domains, source.id
        assert all(source.lives_at(url) for url in source.urls), source.id
    openrouter = sources()["openrouter"]
    assert openrouter.lives_at("https://api.openrouter.ai/v1")
    assert not openrouter.lives_at("https://openrouter.ai.example.net/api/v1/models")
    assert not openrouter.lives_at("https://notopenrouter.ai/api/v1/models")


def test_a_redirect_off_the_sources_domains_is_refused_and_named(tmp_path: Path) -> None:
    """Anthropic's page answering a redirect to a sign-in host that serves the real page: the
    redirect is not followed, and the failure names both URLs."""
    page = "https://platform.claude.com/docs/en/about-claude/pricing.md"
    elsewhere = "https://sso.example-login.net/pricing.md"
    recorded = (SNAPSHOTS / "pricing-pages" / "anthropic-pricing.2025-12-19.llmdocs.md").resolve()
    manifest = {
        "name": "off-domain",
        "responses": [
            {"url": page, "status": 302, "headers": {"Location": elsewhere}, "body": "",
             "date": "2026-08-20T00:00:00Z"},
            {"url": elsewhere, "status": 200, "file": str(recorded),
             "date": "2026-08-20T00:00:00Z", "content_type": "text/markdown"},
        ],
    }  # fmt: skip
    path = tmp_path / "world.json"
    path.write_text(json.dumps(manifest))
    with serve(World.load(path)) as base:
        result = asyncio.run(crawl("anthropic-page", base))
    assert not result.pages
    [failure] = result.failures
    assert failure.url == page and failure.landing_url == elsewhere
    assert "redirected off the source's domains" in failure.reason
    assert elsewhere in failure.reason and page not in failure.reason  # reported beside its URL


def test_an_answer_not_redirected_lands_where_it_was_asked(tmp_path: Path) -> None:
    """Azure's URLs hold spaces and quotes in their filter: Scrapy asks for, and answers from,
    their percent-encoded form, and a failure's reason named the same URL as a redirect ("...
    eq 'eastus2' ... (answered from ...%20eq%20%27eastus2%27...)")."""
    failing, *others = sources()["azure"].urls
    assert " eq '" in failing
    world = fault_world(tmp_path, {failing: {"status": 500, "body": ""}})
    with serve(World.load(world)) as base:
        result = asyncio.run(crawl("azure", base))
    assert [(f.url, f.landing_url, f.reason) for f in result.failures] == [
        (failing, failing, "HTTP 500")
    ]
    assert sorted((p.url, p.landing_url) for p in result.pages) == sorted((u, u) for u in others)
