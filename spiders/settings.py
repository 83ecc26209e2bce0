"""Scrapy settings for ratecard's spiders (also the project settings for `scrapy crawl`)."""

from __future__ import annotations

import os

from scrapy.settings.default_settings import RETRY_EXCEPTIONS as SCRAPY_RETRY_EXCEPTIONS

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
# A development lint (does a callback generator `return` a value?) that reads every callback's
# source with inspect on every crawl. It never fired on ratecard's spiders: the suite ran every
# one with it on, warnings as errors, before it was turned off.
WARN_ON_GENERATOR_RETURN_VALUE = False

ROBOTSTXT_OBEY = True
# Polite but not glacial: one-second start (Scrapy's default is 5 s, which makes a 46-file
# source take minutes), at most 15 s between requests to a host that slows down or fails.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 15.0
CONCURRENT_REQUESTS_PER_DOMAIN = 4
RETRY_TIMES = 2
# Scrapy's list less the Twisted HTTP/1.1 handler's TunnelError (a proxy refusing CONNECT): that
# handler needs a reactor, so reactorless crawls never use it (aiohttp serves http and https)
# and the error cannot occur; naming it imported the handler and its TLS stack, whose
# deprecated aliases read the caller's whole stack with inspect (~0.2 s of every refresh).
RETRY_EXCEPTIONS = [
    name
    for name in SCRAPY_RETRY_EXCEPTIONS
    if name != "scrapy.core.downloader.handlers.http11.TunnelError"
]
DOWNLOAD_TIMEOUT = float(os.environ.get("RATECARD_DOWNLOAD_TIMEOUT", "30"))
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"
HTTPCACHE_DIR = os.environ.get("RATECARD_HTTPCACHE", "httpcache")

DOWNLOADER_MIDDLEWARES = {
    "spiders.middleware.ReplayMiddleware": 950,
    # Before the replay rewrite, so it judges the live URL of every request, redirects included.
    "spiders.middleware.SourceDomainMiddleware": 900,
    # Below RetryMiddleware (550) so it sees a failure first: an unreachable host is not retried.
    "spiders.middleware.UnreachableHostMiddleware": 560,
    # Above HttpCompressionMiddleware (590): sees each response before it is decompressed.
    "spiders.middleware.WholeEncodingMiddleware": 595,
}

# Replay mode: every request goes to the loopback replay server; no cache, no throttling.
REPLAY_OVERRIDES = {
    "AUTOTHROTTLE_ENABLED": False,
    "HTTPCACHE_ENABLED": False,
    "RETRY_TIMES": 0,
}
