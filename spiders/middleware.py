"""Downloader middlewares: replay routing, refusing requests off a source's domains, and giving
up on hosts that cannot be reached."""

from __future__ import annotations

import re
import zlib
from urllib.parse import parse_qs, quote, urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError, IgnoreRequest
from scrapy.http import Response
from twisted.internet.error import DNSLookupError
from w3lib.url import canonicalize_url

from schemas.fetch import chain_text

UNREACHABLE = (CannotResolveHostError, DNSLookupError, DownloadConnectionRefusedError)
# An object's default repr inside an error's message, with what names it (`ssl:<ssl.SSLContext
# object at 0x7f…>`, aiohttp's words for the TLS context of a connection that failed).
_OBJECT_REPR = re.compile(r"\s*(?:\w+:)?<[^<>]* object at 0x[0-9a-fA-F]+>")


def error_reason(error: BaseException | None, message: str) -> str:
    """A network error as a failure's reason: its type's name and `message` (the error's own
    text, e.g. Twisted's Failure.getErrorMessage()), less the default reprs of objects it names.
    Such a repr says nothing of the source and its address differs every run: a host whose name
    does not resolve reads `CannotResolveHostError: Cannot connect to host example.com:443
    [Name or service not known]`. `error` is a Failure's value (None only in typing)."""
    return f"{type(error).__name__}: {_OBJECT_REPR.sub('', message)}"


class ReplayMiddleware:
    """Rewrites a live URL to the loopback replay server, keeping the live URL in meta."""

    def __init__(self, base: str) -> None:
        self.base = base

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        """The middleware with the crawl's REPLAY_URL ('' in live mode: no rewriting)."""
        return cls(crawler.settings.get("REPLAY_URL") or "")

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | None:
        """A live request rewritten to `<replay>/replay?url=<live URL>`, the live URL kept as meta
        `live_url`; None (the request as it is) in live mode or once rewritten."""
        if not self.base or request.url.startswith(self.base):
            return None
        meta = {**request.meta, "live_url": request.url}
        return request.replace(
            url=f"{self.base}/replay?url={quote(request.url, safe='')}", meta=meta
        )


def live_url(url: str, replay: str) -> str:
    """The live URL a request URL stands for: a replay server's `<replay>/replay?url=<live>`
    (ReplayMiddleware) is `<live>`; any other URL is itself."""
    if not replay or not url.startswith(f"{replay}/replay?"):
        return url
    return parse_qs(urlsplit(url).query).get("url", [url])[0]


def redirect_chain(request: Request, replay: str) -> list[str]:
    """The live URLs a request's redirects went through, in order, the request's own last:
    Scrapy's `redirect_urls` (the requests before it) and the request itself."""
    hops = [*request.meta.get("redirect_urls", []), request.url]
    return [live_url(url, replay) for url in hops]


class RedirectLoop(IgnoreRequest):
    """A redirect to a URL the request's chain of redirects already went through; `url` is
    where it would have landed, the message names the chain."""

    def __init__(self, url: str, hops: list[str]) -> None:
        super().__init__(f"redirect loop: {chain_text([*hops, url])}")
        self.url = url


class OffDomain(IgnoreRequest):
    """A request (a redirect, a further page) to a host outside the source's domains; `url`
    is where it would have landed."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(message)
        self.url = url


class SourceDomainMiddleware:
    """Refuses any request to a host outside the crawling source's configured domains: a
    redirect to another registrable domain is never followed, so what is served there is never
    taken for the source's word. So is a request over plain http where the source is asked
    over https (a redirect from https to http, a further page an https source names at an
    http URL): over http anyone between could write the answer. The refusal is the failure of
    the URL first requested and names where it led. A redirect back to a URL its chain already
    went through is a loop, refused at once naming the chain (RedirectLoop)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.replay = crawler.settings.get("REPLAY_URL") or ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceDomainMiddleware:
        """The middleware of `crawler`, whose spider's source it judges requests by."""
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Nothing for a request the source may make. Raises RedirectLoop for a redirect to a URL
        its chain already went through, and OffDomain for a request off the source's domains or over
        http where the source is asked over https."""
        source = getattr(self.crawler.spider, "source", None)
        # A redirect copies the meta of the request it answers: only a request already sent to
        # the replay server has its own live URL there.
        replayed = self.replay and request.url.startswith(self.replay)
        live = request.meta.get("live_url", request.url) if replayed else request.url
        first = request.meta.get("requested_url", live)
        if not replayed and request.meta.get("redirect_urls"):
            hops = [live_url(url, self.replay) for url in request.meta["redirect_urls"]]
            if canonicalize_url(live) in {canonicalize_url(url) for url in hops}:
                raise RedirectLoop(live, hops)
        if source is not None and _scheme(live) == "http":
            if _scheme(first) == "https":
                raise OffDomain(live, f"redirected from https to http, to {live}")
            if all(_scheme(url) == "https" for url in source.urls):
                raise OffDomain(live, f"a further page over http: {live} (the source is https)")
        if source is None or source.lives_at(live):
            return
        # a further page a listing names (no redirect: it is its own first URL) is no redirect
        # the URL asked is the failure's own (reported beside it): only where it led is named
        how = f"redirected off the source's domains, to {live}"
        if not request.meta.get("redirect_urls") and first == live:
            how = f"a further page off the source's domains: {live}"
        raise OffDomain(
            live, f"{how} ({urlsplit(live).hostname} is not within {', '.join(source.domains)})"
        )


class UnreachableHostMiddleware:
    """Once a host's name does not resolve or it refuses connections, the rest of this crawl's
    requests to it fail at once with that reason instead of each waiting out retries and
    throttling (a 46-file source would otherwise take minutes to report an outage)."""

    def __init__(self) -> None:
        self.down: dict[str, str] = {}

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Raises IgnoreRequest, naming the earlier failure and the URL it met (often the
        host's robots.txt, asked first), for a request to a host found unreachable earlier in
        this crawl."""
        host = _host(request)
        if host in self.down:
            raise IgnoreRequest(f"{host} unreachable earlier in this crawl {self.down[host]}")

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Response | Request | None:
        """Records the request's host as down when the exception says it cannot be reached (name not
        resolved, connection refused); returns None so the failure goes on as it is."""
        if isinstance(exception, UNREACHABLE):
            url = request.meta.get("live_url", request.url)
            self.down[_host(request)] = f"({url}): {error_reason(exception, str(exception))}"
        return None


def _scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()


def _host(request: Request) -> str:
    url: str = request.meta.get("live_url", request.url)
    return urlsplit(url).netloc


class CutEncoding(IgnoreRequest):
    """A compressed body whose stream ends before its end-of-stream marker."""


class WholeEncodingMiddleware:
    """Refuses a gzip- or deflate-encoded body cut short (CutEncoding): Scrapy's decompression
    returns whatever a cut stream holds (its gunzip is "resilient"), so a listing or a page cut
    mid-transfer at a line boundary read as the whole response (a fault round: Gemini's page
    read ok with a quarter of its models missing, their absence counted). Placed after
    HttpCompressionMiddleware (590) in the download order, so it sees the body as encoded."""

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        """The response as it is. Raises CutEncoding when its last Content-Encoding is gzip or
        deflate and the compressed stream ends before its end-of-stream marker."""
        encodings = response.headers.getlist("Content-Encoding")
        last = encodings[-1].strip().lower() if encodings else b""
        if (
            last in (b"gzip", b"x-gzip", b"deflate")
            and response.body
            and not _whole(response.body, gzip=last != b"deflate")
        ):
            raise CutEncoding(
                f"the {last.decode()}-encoded body ends before its stream does: a cut response"
            )
        return response


def _whole(body: bytes, *, gzip: bool) -> bool:
    """Whether `body` is compressed streams each of which reaches its end (gzip members; a
    deflate body with or without its zlib header). A body that is not such a stream at all is
    left to the decompression to judge (its error names it)."""
    data = body
    while data:
        window = 47 if gzip else (15 if data[:1] == b"\x78" else -15)
        stream = zlib.decompressobj(window)
        try:
            stream.decompress(data)
        except zlib.error:
            return True
        if not stream.eof:
            return False
        data = stream.unused_data.lstrip(b"\x00")
    return True
