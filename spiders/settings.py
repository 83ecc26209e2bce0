"""Scrapy settings for ratecard's spiders (also the project settings for `scrapy crawl`)."""

from __future__ import annotations

import os

BOT_NAME = "ratecard"
SPIDER_MODULES = ["spiders.spider"]
USER_AGENT = "ratecard/0.1 (+price catalog verification; polite, cached)"

# Safety: no telnet console, no remote-control HTTP server executing Python (on by default in 2.19).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Run in-process on the asyncio loop without a Twisted reactor: restartable, no logging stall.
TWISTED_REACTOR_ENABLED = False
LOG_INSTALL_ROOT_HANDLER = False
LOG_LEVEL = "WARNING"

ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
CONCURRENT_REQUESTS_PER_DOMAIN = 4
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = float(os.environ.get("RATECARD_DOWNLOAD_TIMEOUT", "60"))
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"
HTTPCACHE_DIR = os.environ.get("RATECARD_HTTPCACHE", "httpcache")

DOWNLOADER_MIDDLEWARES = {"spiders.middleware.ReplayMiddleware": 950}

# Replay mode: every request goes to the loopback replay server; no cache, no throttling.
REPLAY_OVERRIDES = {
    "AUTOTHROTTLE_ENABLED": False,
    "HTTPCACHE_ENABLED": False,
    "RETRY_TIMES": 0,
}
