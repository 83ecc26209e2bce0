"""Spiders over real loopback HTTP: what a source's crawl reports when its host is unreachable."""

from __future__ import annotations

import asyncio
import socket

from spiders.crawl import crawl
from spiders.sources import sources


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_host_fails_every_url_at_once_with_the_reason() -> None:
    result = asyncio.run(crawl("portkey", f"http://127.0.0.1:{closed_port()}"))
    assert result.status.value == "failed" and not result.pages
    assert len(result.failures) == len(sources()["portkey"].urls) == 46
    # robots.txt (or the first requests in flight) meet the refusal; the rest are not attempted
    skipped = [f for f in result.failures if "unreachable earlier in this crawl" in f.reason]
    assert len(skipped) >= 42
    assert "DownloadConnectionRefusedError" in result.reason
    assert "configs.portkey.ai" in result.reason
