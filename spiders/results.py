"""What a crawl reports (spiders/crawl.py), in a module of its own that imports no Scrapy: a
refresh command's process unpickles the results its child crawled (spiders/ahead.py) without
loading Scrapy unless it crawls something itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.fetch import FetchedPage


@dataclass
class FetchFailure:
    """A URL of the crawl that gave no records: the URL requested, where it landed, the HTTP status
    (0 for no answer: network, refused redirect, page cap) and why."""

    url: str
    landing_url: str
    status: int
    reason: str


@dataclass
class CrawlResult:
    """What one crawl of `source` read: a FetchedPage per response read (sorted by URL) and a
    FetchFailure per URL that gave no records (sorted by URL)."""

    source: str
    pages: list[FetchedPage] = field(default_factory=list)
    failures: list[FetchFailure] = field(default_factory=list)
