"""One spider per source family. Each fetches its source's URLs (following the further pages its
parser names) and yields one item per response: the records its parser read, or why it failed.
Parsing is the plain function spiders.<source>.parse; normalizing happens after the crawl."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import re
import zlib
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, NamedTuple

from scrapy import Request, Spider
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding
from w3lib.url import canonicalize_url

from schemas.fetch import Unparsable, chain_text
from schemas.sources import Source, sources
from spiders.middleware import OffDomain, RedirectLoop, error_reason, redirect_chain
from spiders.parsing import Page

# Further pages one crawl of a source follows at most (Azure's largest listing is a few pages of
# 1,000 items): a chain that keeps naming new pages is a runaway, not a listing.
MAX_FURTHER_PAGES = 500
MAX_REDIRECTS = "max redirections reached"  # Scrapy's RedirectMiddleware, past REDIRECT_MAX_TIMES
# A record's own date further than this past its response's Date is no date it was listed on (a
# clock or a typo in one entry), not counted.
STATED_AHEAD = timedelta(days=1)


def response_date(response: Response) -> datetime:
    """The response's Date header, or the fetch time where none can be read. Every Date header
    is read: one that is no date beside one that is (a proxy's garbled copy: a fault round)
    leaves the date the response states; two dates that differ state none, so the fetch time
    stands, as for no Date at all."""
    dates: set[datetime] = set()
    for header in response.headers.getlist("Date"):
        try:
            dates.add(parsedate_to_datetime(header.decode("latin-1")).astimezone(UTC))
        except (TypeError, ValueError):
            continue
    return dates.pop() if len(dates) == 1 else datetime.now(UTC)


def last_modified(response: Response) -> datetime | None:
    """The latest time the response says its body was its origin's: its Last-Modified header,
    or its Date less the Age a cache states its copy has (RFC 9111: the copy was the origin's
    answer that long before), the earlier of the two (UTC); None where it states neither
    readably (a header that is no date or number, or two that differ, read as `response_date`
    reads Date headers). A cache or a mirror serving an old copy states today's Date beside the
    old copy's Last-Modified, or beside an Age as old as the copy (raw.githubusercontent.com's
    CDN sends Age, not Last-Modified; catalog.health `judge_answer`)."""
    stated = [at for at in (_one_date(response, "Last-Modified"), _cached_at(response)) if at]
    return min(stated) if stated else None


def newest_stated(page: Page, observed_at: datetime, paged: bool) -> datetime | None:
    """The newest date the records of a whole listing in one body state of themselves
    (`Page.stated_dates`: when a model was listed, or its entry last updated), not after the
    response's date but for STATED_AHEAD; None where they state none, or for a page of a paged
    listing (`paged`: which entries a page holds moves as others come and go). An old copy of a
    listing lacks the entries newer than itself (catalog.health `judge_answer`)."""
    if paged:
        return None
    # counted back from each entry's date (at most 2100, parsing.LAST_LISTED): a Date of year
    # 9999 plus a day is past the largest date Python holds
    dated = [at for at in page.stated_dates if at - STATED_AHEAD <= observed_at]
    return max(dated, default=None)


def _one_date(response: Response, name: str) -> datetime | None:
    """The one date the response's `name` headers state (UTC), None for none or two."""
    dates: set[datetime] = set()
    for header in response.headers.getlist(name):
        try:
            dates.add(parsedate_to_datetime(header.decode("latin-1")).astimezone(UTC))
        except (TypeError, ValueError):
            continue
    return dates.pop() if len(dates) == 1 else None


def _cached_at(response: Response) -> datetime | None:
    """When a cache took its copy from the origin: the Date less the Age (seconds) it states,
    None without one Date and one Age that reads as a count of seconds (ASCII digits) and
    leaves a date (an Age of 10^14 seconds reaches before year 1: no copy's date)."""
    date = _one_date(response, "Date")
    ages = {header.decode("latin-1").strip() for header in response.headers.getlist("Age")}
    if date is None or len(ages) != 1:
        return None
    [age] = ages
    if not (age.isascii() and age.isdigit()):
        return None
    try:
        return date - timedelta(seconds=int(age))
    except OverflowError:
        return None


_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # UTF-32's begin as UTF-16's
# UTF-16 and UTF-32 text without a byte order mark: its zero bytes make ASCII text valid UTF-8 too.
_WIDE = ("utf-16", "utf-32")
CUT_CHARACTER = "unexpected end of data"  # UnicodeDecodeError.reason: the bytes end mid-character


def readable_body(body: bytes, content_type: bytes | None) -> bytes:
    """The body as the parsers read it (UTF-8, or JSON's other Unicode forms by their byte order
    mark), and as it is stored to be parsed again without its headers.

    A body in the charset its Content-Type declares (`text/html; charset=iso-8859-1`, as w3lib
    and browsers name it: cp1252) that is not UTF-8 is that text, written again in UTF-8: the
    parsers assume UTF-8 and would fail a legitimate page over its first accented letter. Kept
    exactly as received: a body that is UTF-8 (a misdeclared charset would garble every
    non-ASCII name; unless UTF-16 or UTF-32 is declared, whose zero bytes are valid UTF-8 as
    well), starts with a byte order mark (it states its form itself), is UTF-8 cut
    inside its last character (a truncated body: the parsers name the cut; read as cp1252 it
    would pass as whole), declares no charset, one Python does not know, or UTF-8, or does not
    decode in the one it declares: the parser then fails it, that source's URL alone, with one
    reason. A `<meta charset>` in an HTML page is the page parser's (spiders/tables.py)."""
    declared = http_content_type_encoding(content_type.decode("latin-1")) if content_type else None
    if declared is None or codecs.lookup(declared).name == "utf-8" or body.startswith(_BOMS):
        return body
    if not codecs.lookup(declared).name.startswith(_WIDE):
        try:
            body.decode("utf-8")
            return body
        except UnicodeDecodeError as exc:
            if exc.reason == CUT_CHARACTER:
                return body
    try:
        return body.decode(declared).encode("utf-8")
    except UnicodeDecodeError:
        return body


class Chain(NamedTuple):
    """A listing's pages read so far, from the first (configured) URL along its next links:
    the total of entries its first page states the listing holds (None: it states none), and
    the pages and entries read."""

    first: str
    total: int | None
    pages: int = 0
    entries: int = 0

    def short(self, page: Page) -> str:
        """Why the chain, ended at `page` (it names no further page), is a part of the listing
        ('' when it is not, or not yet ended): its pages hold fewer entries than the first one
        stated (a page skipped: a next link past an offset, or one a cache left out). Every
        model on a skipped page would count absent. A single page is its parser's to judge,
        and a chain of no entries is the empty listing catalog/health.py names."""
        if page.next_urls or self.total is None or self.pages < 2:
            return ""
        if 0 < self.entries < self.total:
            return (
                f"partial listing: {self.first} states total_count={self.total}, but its chain "
                f"of {self.pages} pages holds {self.entries} entries"
            )
        return ""


class SourceSpider(Spider):
    """One source's crawl. Only a 200 answer is read (`_not_whole`). Every URL is requested once
    per crawl: a further page a response names that this crawl already requested (Azure's
    `NextPageLink` or OpenRouter's `links.next` naming its own page or an earlier one), or one
    past MAX_FURTHER_PAGES, is not requested again but answered as a failure of that URL naming
    the page that named it ("pagination loop", "page cap"): the chain is broken, so the listing
    is incomplete, and the crawl ends. So is a further page whose records are those of a page
    this crawl already read ("repeated page": a server answering its first page again under
    the next page's URL would otherwise pass for a whole listing of half the records)."""

    source_id: ClassVar[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requested: set[str] = set()  # canonical URLs this crawl requested
        self.further = 0  # further pages requested
        self.read_pages: dict[str, str] = {}  # digest of a paged listing's records -> its URL

    @property
    def source(self) -> Source:
        """The configured source this spider crawls (data/sources.json)."""
        return sources()[self.source_id]

    async def start(self) -> AsyncIterator[Request]:
        """One request per URL the source configures, in order."""
        for url in self.source.urls:
            yield self._request(url)

    def _request(self, url: str) -> Request:
        self.requested.add(canonicalize_url(url))
        return Request(
            url,
            callback=self.parse,
            errback=self.failed,
            meta={"requested_url": url},
            dont_filter=True,
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[dict[str, Any] | Request]:
        """One response of the source: yields one item dict (url, landing_url, status,
        observed_at: the Date header or else the fetch time, last_modified: its Last-Modified
        header or None, newest_stated: `newest_stated` of its records, records: the parser's Page
        records, content_hash: the body's sha256 in hex, body, listing_url: for a further page
        the configured URL whose next links led to it, else ''), then a request for each
        further page the parser names. A failure item (url, landing_url, status, error) stands
        instead of the page for an answer other than 200, a body the parser raises Unparsable
        on ("unparsable body") or anything else on ("parser error"), a chain short of its
        stated total, or a repeated page; and one for each further page refused (pagination
        loop, page cap)."""
        requested = response.meta["requested_url"]
        landing = landed(requested, response.meta.get("live_url", response.url))
        if response.status != 200:
            yield self._failure(requested, landing, response.status, self._not_whole(response))
            return
        body = readable_body(response.body, response.headers.get("Content-Type"))
        try:
            page = self.source.parser.parse(body, landing)
        except Unparsable as exc:
            reason = f"unparsable body: {_unnamed(str(exc), landing)}"
            yield self._failure(requested, landing, response.status, reason)
            return
        except Exception as exc:  # a parser bug must fail this source loudly, not the crawl
            reason = f"parser error: {type(exc).__name__}: {exc}"
            yield self._failure(requested, landing, response.status, reason)
            return
        chain = response.meta.get("chain") or Chain(requested, page.total)
        chain = chain._replace(entries=chain.entries + len(page.records), pages=chain.pages + 1)
        if short := chain.short(page):
            yield self._failure(requested, landing, response.status, short)
            return
        if repeated := self._repeated(response, page.records, page.next_urls, requested):
            yield self._failure(requested, landing, response.status, repeated)
            return
        observed_at = response_date(response)
        paged = bool(page.next_urls or response.meta.get("chain"))
        yield {
            "url": requested,
            "landing_url": landing,
            "status": response.status,
            "observed_at": observed_at,
            "last_modified": last_modified(response),
            "newest_stated": newest_stated(page, observed_at, paged),
            "records": page.records,
            "content_hash": hashlib.sha256(body).hexdigest(),
            "body": body,
            "listing_url": chain.first if chain.first != requested else "",
        }
        for url in page.next_urls:
            refused = self._refused(url)
            if refused:
                yield self._failure(url, url, 0, f"{refused}: {landing} names {url}")
                continue
            self.further += 1
            request = self._request(url)
            request.meta["chain"] = chain
            yield request

    @staticmethod
    def _not_whole(response: Response) -> str:
        """Why a 2xx answer other than 200 is no evidence: a 206 is part of the resource (read
        whole, a cut listing would count its missing models absent), a 203 what a proxy made
        of it (not the source's word), 201, 202, 204 and 205 no representation of it at all."""
        return f"HTTP {response.status}: only a 200 answer is the source's whole response"

    def _repeated(
        self, response: Response, records: list[Any], next_urls: Sequence[str], url: str
    ) -> str:
        """Why a page of a paged listing is no evidence ('' when it is): its records are those
        of a page this crawl already read. Only pages of a chain (a further page, or one naming
        further pages) are compared, by a digest of their records as parsed."""
        if not records or not (next_urls or response.meta.get("chain")):
            return ""
        digest = hashlib.sha256(repr(records).encode()).hexdigest()
        earlier = self.read_pages.setdefault(digest, url)
        if earlier == url:
            return ""
        return f"repeated page: its {len(records)} records are those of {earlier}"

    def _refused(self, url: str) -> str:
        """Why a further page is not requested ('' when it is)."""
        if canonicalize_url(url) in self.requested:
            return "pagination loop: a page already requested in this crawl"
        if self.further >= MAX_FURTHER_PAGES:
            return f"page cap: more than {MAX_FURTHER_PAGES} further pages"
        return ""

    def failed(self, failure: Failure) -> Iterator[dict[str, Any]]:
        """The errback of every request: yields one failure item `{url, landing_url, status, error}`
        naming why (an HTTP status, a refused redirect or off-domain page, too many redirects with
        their chain, or the network error), status 0 where nothing answered."""
        request = failure.request  # type: ignore[attr-defined]
        url = request.meta.get("requested_url", request.url)
        landing = landed(url, request.meta.get("live_url", url))
        error = failure.value
        if isinstance(error, HttpError):
            response = error.response
            reason = f"HTTP {response.status}"
            status = response.status
        elif isinstance(error, OffDomain | RedirectLoop):
            reason, status, landing = str(error), 0, error.url
        elif isinstance(error, IgnoreRequest) and str(error) == MAX_REDIRECTS:
            hops = redirect_chain(request, self.settings.get("REPLAY_URL") or "")
            reason, status, landing = f"{MAX_REDIRECTS}: {chain_text(hops)}", 0, hops[-1]
        elif said := _over_size_limit(error, failure.getErrorMessage()):
            reason, status = said, 0
        elif _undecodable(error):
            # Scrapy decodes a body by its Content-Encoding before the parser sees it
            said = error_reason(error, failure.getErrorMessage())
            reason, status = f"a body not encoded as its Content-Encoding says ({said})", 0
        else:
            reason, status = error_reason(error, failure.getErrorMessage()), 0
        yield self._failure(url, landing, status, reason)

    @staticmethod
    def _failure(url: str, landing: str, status: int, reason: str) -> dict[str, Any]:
        return {"url": url, "landing_url": landing, "status": status, "error": reason}


# Scrapy's messages for a body over DOWNLOAD_MAXSIZE: as it decompresses one (IgnoreRequest),
# and as a response states or sends more than the limit (DownloadCancelledError). Both name the
# request, the loopback replay URL in a replayed run.
_DECOMPRESSED_OVER = re.compile(
    r"\((\d+) B compressed, (\d+) B decompressed so far\) exceeded DOWNLOAD_MAXSIZE \((\d+) B\)"
)
_RECEIVED_OVER = re.compile(r"(Expected to receive|Received) (\d+) bytes .*max size \((\d+)\)")


def _over_size_limit(error: BaseException | None, message: str) -> str:
    """A body over the download size limit (settings.DOWNLOAD_MAXSIZE) as a failure's reason,
    in bytes, without the request Scrapy names ('' for any other error): a gzip bomb read
    'IgnoreRequest: Ignored response <200 http://127.0.0.1:40669/replay?url=...> because its
    body (334900 B compressed, 67174400 B decompressed so far) exceeded DOWNLOAD_MAXSIZE'."""
    if not isinstance(error, IgnoreRequest | DownloadCancelledError):
        return ""
    if found := _DECOMPRESSED_OVER.search(message):
        packed, unpacked, limit = (int(n) for n in found.groups())
        return (
            f"body over the download size limit ({limit:,} bytes): {packed:,} bytes compressed "
            f"decompressed past {unpacked:,}"
        )
    if found := _RECEIVED_OVER.search(message):
        how, size, limit = found[1], int(found[2]), int(found[3])
        said = "its Content-Length states" if how.startswith("Expected") else "received"
        return f"body over the download size limit ({limit:,} bytes): {said} {size:,} bytes"
    return ""


# The libraries Scrapy decodes brotli and zstd bodies with (optional: named, not imported).
_DECODERS = frozenset({"brotli", "brotlicffi", "zstandard", "zstd"})


def _undecodable(error: BaseException | None) -> bool:
    """Whether `error` is a body's decoding by its Content-Encoding failing (gzip, deflate,
    brotli, zstd)."""
    module = type(error).__module__.split(".")[0].lstrip("_")
    return isinstance(error, gzip.BadGzipFile | zlib.error | EOFError) or module in _DECODERS


def _unnamed(message: str, url: str) -> str:
    """A parser's message without the URL it names ("URL: ..." or "... (URL): ..."): a failure
    is reported beside its URL already, and a parser that names it wrote it twice in one line
    (Azure's ~170-character URL among them)."""
    return message.replace(f"{url}: ", "", 1).replace(f" ({url})", "", 1)


def landed(requested: str, landing: str) -> str:
    """The URL that answered `requested`: `landing` where a redirect led elsewhere, else
    `requested` as the source's configuration writes it (Scrapy asks for, and answers from,
    its percent-encoded form: Azure's filter "serviceName eq 'Foundry Models'" came back as
    "serviceName%20eq%20%27Foundry%20Models%27", and reasons named it as a redirect)."""
    return requested if canonicalize_url(landing) == canonicalize_url(requested) else landing


class LiteLLMSpider(SourceSpider):
    """The crawl of LiteLLM's price map (source `litellm`)."""

    name = source_id = "litellm"


class OpenRouterSpider(SourceSpider):
    """The crawl of OpenRouter's models API (source `openrouter`), following `links.next`."""

    name = source_id = "openrouter"


class AzureSpider(SourceSpider):
    """The crawl of the Azure Retail Prices API's Foundry Models meters (source `azure`), following
    `NextPageLink`."""

    name = source_id = "azure"


class VercelSpider(SourceSpider):
    """The crawl of Vercel AI Gateway's models API (source `vercel`)."""

    name = source_id = "vercel"


class ModelsDevSpider(SourceSpider):
    """The crawl of models.dev's api.json (source `modelsdev`)."""

    name = source_id = "modelsdev"


class GenaiPricesSpider(SourceSpider):
    """The crawl of pydantic genai-prices' data.json (source `genai-prices`)."""

    name = source_id = "genai-prices"


class PortkeySpider(SourceSpider):
    """The crawl of Portkey's pricing files, one per provider (source `portkey`)."""

    name = source_id = "portkey"


class OpenAIPageSpider(SourceSpider):
    """The crawl of OpenAI's pricing page (source `openai-page`)."""

    name = source_id = "openai-page"


class AnthropicPageSpider(SourceSpider):
    """The crawl of Anthropic's pricing page (source `anthropic-page`)."""

    name = source_id = "anthropic-page"


class GeminiPageSpider(SourceSpider):
    """The crawl of the Gemini API pricing page (source `gemini-page`)."""

    name = source_id = "gemini-page"


class DeepSeekPageSpider(SourceSpider):
    """The crawl of DeepSeek's API pricing page (source `deepseek-page`)."""

    name = source_id = "deepseek-page"


SPIDERS: dict[str, type[SourceSpider]] = {
    cls.source_id: cls
    for cls in (
        LiteLLMSpider,
        OpenRouterSpider,
        AzureSpider,
        VercelSpider,
        ModelsDevSpider,
        GenaiPricesSpider,
        PortkeySpider,
        OpenAIPageSpider,
        AnthropicPageSpider,
        GeminiPageSpider,
        DeepSeekPageSpider,
    )
}
