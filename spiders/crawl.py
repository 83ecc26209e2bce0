"""Run a source's spider in this process (Scrapy's reactorless AsyncCrawlerRunner, awaited on
the caller's asyncio loop): restartable, so a long-lived Prefect process can refresh repeatedly.

A crawl reports what each URL answered: the records read from a response, or why there is none
(network, HTTP status, unparsable body, a redirect off the source's domains). Whether those
answers make the source complete is decided after the crawl (catalog/health.py)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import AsyncCrawlerRunner
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from schemas.fetch import FetchedPage
from spiders import settings as project_settings
from spiders.results import CrawlResult, FetchFailure
from spiders.spider import SPIDERS

# Failures reach the run report as items; Scrapy's own chatter (e.g. that its aiohttp handler is
# experimental) would only clutter the refresh's output.
logging.getLogger("scrapy").setLevel(logging.ERROR)


def crawl_settings(replay_url: str | None) -> Settings:
    """The Scrapy settings of one crawl: the project's (spiders/settings.py), and with a
    `replay_url` that URL as REPLAY_URL plus REPLAY_OVERRIDES (no cache, no throttling, no retries),
    so every request goes to the loopback replay server."""
    settings = get_project_settings()
    settings.setmodule(project_settings, priority="project")
    if replay_url:
        settings.update({"REPLAY_URL": replay_url, **project_settings.REPLAY_OVERRIDES})
    return settings


async def crawl(source: str, replay_url: str | None = None) -> CrawlResult:
    """Fetch one source (every page it names) and return what each response said."""
    result = CrawlResult(source)

    def collect(item: dict[str, Any], **_: Any) -> None:
        if "error" in item:
            result.failures.append(
                FetchFailure(item["url"], item["landing_url"], item["status"], item["error"])
            )
        else:
            result.pages.append(
                FetchedPage(
                    url=item["url"],
                    landing_url=item["landing_url"],
                    status=item["status"],
                    observed_at=item["observed_at"],
                    records=item["records"],
                    content_hash=item.get("content_hash", ""),
                    body=item.get("body", b""),
                    last_modified=item.get("last_modified"),
                    newest_stated=item.get("newest_stated"),
                    listing_url=item.get("listing_url", ""),
                )
            )

    runner = AsyncCrawlerRunner(crawl_settings(replay_url))
    crawler = runner.create_crawler(SPIDERS[source])
    crawler.signals.connect(collect, signal=signals.item_scraped, weak=False)
    await runner.crawl(crawler)
    # Responses arrive in any order; a refresh must not depend on it (which of two equal
    # statements is kept, which conflicting row is named first).
    result.pages.sort(key=lambda p: (p.url, p.landing_url))
    result.failures.sort(key=lambda f: f.url)
    return result


def crawl_all(sources: list[str], replay_url: str | None = None) -> list[CrawlResult]:
    """Crawl `sources` concurrently on a new event loop (for scripts; the refresh flow gathers
    `crawl` on its own loop): their results, in the order given. The results leave the loop
    by a list, not as the main task's result: asyncio.run, restoring the SIGINT handler, formats
    a repr of its main task, result included (~0.8 s for every record of a world)."""
    results: list[CrawlResult] = []

    async def gather() -> None:
        results.extend(await asyncio.gather(*(crawl(s, replay_url) for s in sources)))

    asyncio.run(gather())
    return results
