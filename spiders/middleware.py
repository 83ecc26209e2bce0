"""Send every request to the replay server when one is configured (REPLAY_URL)."""

from __future__ import annotations

from urllib.parse import quote

from scrapy import Request, Spider
from scrapy.crawler import Crawler


class ReplayMiddleware:
    """Rewrites a live URL to the loopback replay server, keeping the live URL in meta."""

    def __init__(self, base: str) -> None:
        self.base = base

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        return cls(crawler.settings.get("REPLAY_URL") or "")

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | None:
        if not self.base or request.url.startswith(self.base):
            return None
        meta = {**request.meta, "live_url": request.url}
        return request.replace(
            url=f"{self.base}/replay?url={quote(request.url, safe='')}", meta=meta
        )
