"""Fetch a URL a stranger chose without letting them aim ratecard at its own network (SSRF).

Only http and https; no credentials in the URL; no numeric host encodings other than a plain
dotted quad (``2130706433``, ``0177.0.0.1``, ``0x7f.1`` and ``127.1`` are what
``socket.inet_aton`` would read as 127.0.0.1, and different parsers disagree about them); no
``localhost`` or single-label names. Every address the name resolves to must be public:
loopback, private, link-local, shared (100.64/10), multicast, reserved, unspecified,
documentation and benchmarking ranges are refused, in IPv4 and IPv6, and so is every IPv6 form
that embeds an IPv4 address (IPv4-mapped, 6to4, Teredo, NAT64). The connection goes to the
vetted address itself (the name is sent only as Host and TLS SNI), so a second resolution cannot
swap in another address, and the peer is checked again once connected. Each redirect (at most
five; one back to a URL the chain already went through is a loop, refused at once, naming the
chain) is vetted the same way before anything is sent to it. The body is capped in size, and
the whole fetch in time by one wall-clock deadline (`FetchPolicy.timeout`) over every hop's
connect, TLS handshake, headers and body: when it passes, a watchdog shuts the connection's
socket down wherever the fetch is blocked, so a server trickling bytes cannot hold it longer
(name resolution, done by the system resolver before connecting, has that resolver's own limits).

``FetchPolicy.allow_hosts`` exempts exact ``host:port`` pairs from the address rule. It exists
for tests that serve recorded pages on loopback; the production path never sets it.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError

from schemas.fetch import chain_text

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

MAX_BYTES = 2_000_000
TIMEOUT = 15.0  # seconds for the whole fetch (connect, headers, body), redirects included
MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
TEXT_TYPES = ("text/", "application/json", "application/xhtml+xml", "application/ld+json")
USER_AGENT = "ratecard-submission-check/0.1 (+https://github.com/ratecard)"

# Ranges with a precise name, checked before the generic properties of `ipaddress`.
_NAMED_RANGES: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(net), label)
    for net, label in (
        ("0.0.0.0/8", "this-network (0.0.0.0/8)"),
        ("100.64.0.0/10", "shared address space (100.64.0.0/10, carrier-grade NAT)"),
        ("169.254.169.254/32", "link-local (cloud metadata service)"),
        ("192.0.0.0/24", "IETF protocol assignments (192.0.0.0/24)"),
        ("192.0.2.0/24", "documentation (192.0.2.0/24)"),
        ("198.51.100.0/24", "documentation (198.51.100.0/24)"),
        ("203.0.113.0/24", "documentation (203.0.113.0/24)"),
        ("198.18.0.0/15", "benchmarking (198.18.0.0/15)"),
        ("192.88.99.0/24", "6to4 relay anycast (192.88.99.0/24)"),
        ("255.255.255.255/32", "broadcast"),
        ("2001:db8::/32", "documentation (2001:db8::/32)"),
        ("2001:2::/48", "benchmarking (2001:2::/48)"),
        ("fec0::/10", "site-local (fec0::/10)"),
        ("fc00::/7", "unique local (fc00::/7, private)"),
        ("2001::/32", "Teredo (2001::/32, embeds an IPv4 address)"),
        ("2002::/16", "6to4 (2002::/16, embeds an IPv4 address)"),
        ("64:ff9b::/96", "NAT64 (64:ff9b::/96, embeds an IPv4 address)"),
        ("64:ff9b:1::/48", "local-use NAT64 (64:ff9b:1::/48)"),
        ("::/96", "IPv4-compatible IPv6 (::/96, deprecated)"),
    )
)
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|\d+", re.IGNORECASE)


class Refused(Exception):
    """The URL may not be fetched. Nothing was sent to the address it names."""


class FetchFailed(Exception):
    """The URL was allowed but could not be fetched (network, status, type, size, time)."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the name resolves to, in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class FetchPolicy:
    """The limits of one fetch: body size in bytes, the whole fetch's seconds, redirects
    followed, the resolver, and the host:port pairs exempt from the address rule (loopback test
    servers only)."""

    max_bytes: int = MAX_BYTES
    timeout: float = TIMEOUT
    max_redirects: int = MAX_REDIRECTS
    resolver: Resolver = system_resolver
    allow_hosts: frozenset[str] = frozenset()  # "host:port" pairs for loopback test servers only


@dataclass(frozen=True)
class Target:
    """A URL that passed every check, with the one address it will be fetched from."""

    url: str
    scheme: str
    host: str
    port: int
    address: str
    path: str
    allowed_by_policy: bool = False

    @property
    def host_header(self) -> str:
        """The Host header for the target: its host (IPv6 in brackets), with the port unless it
        is the scheme's default."""
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


@dataclass(frozen=True)
class Fetched:
    """A page fetched: the URL asked and the one that answered, status (2xx), content type, the
    body (at most the policy's bytes), the response's Date (None when absent or unreadable) and
    the redirects followed."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    date: datetime | None
    redirects: tuple[str, ...] = field(default_factory=tuple)


def parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """Read `host` the way socket.inet_aton does: 1-4 parts, each decimal, 0-octal or 0x-hex,
    the last part filling the remaining bytes. None when it is not such a number."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        number = _parse_part(part)
        if number is None:
            return None
        numbers.append(number)
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (4 - len(leading)):
        return None
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _parse_part(part: str) -> int | None:
    text = part.lower()
    try:
        if text.startswith("0x"):
            return int(text[2:] or "0", 16)
        if len(text) > 1 and text.startswith("0"):
            return int(text[1:], 8)
        return int(text, 10) if text.isdigit() else None
    except ValueError:
        return None


def address_problem(ip: IPAddress) -> str | None:
    """Why fetching from this address is refused, or None when it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ipaddress.IPv6Address(ip.compressed.split("%")[0])  # drop any zone id
        mapped = ip.ipv4_mapped
        if mapped is not None:
            inner = address_problem(mapped) or "an IPv4 address in IPv6 clothing"
            return f"IPv4-mapped IPv6 of {mapped}: {inner}"
    if ip.is_unspecified:
        return "unspecified address"
    if ip.is_loopback:
        return "loopback"
    for network, label in _NAMED_RANGES:
        if ip.version == network.version and ip in network:
            return label
    for predicate, label in (
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_reserved", "reserved"),
        ("is_private", "private"),
    ):
        if getattr(ip, predicate):
            return label
    if not ip.is_global:
        return "not globally routable"
    return None


def vet(url: str, policy: FetchPolicy) -> Target:
    """Check a URL and resolve it to one vetted address, or raise Refused saying why."""
    if len(url) > 2000:
        raise Refused("URL longer than 2000 characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise Refused(f"malformed URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused(f"scheme {scheme or '(none)'!r} is not allowed: only http and https")
    if "@" in parts.netloc or parts.username or parts.password:
        raise Refused("credentials in the URL are not allowed")
    host = _host(parts.hostname)
    port = port or (443 if scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    allowed = f"{host}:{port}" in policy.allow_hosts
    literal = _literal_address(host)
    addresses = [str(literal)] if literal is not None else _resolve(host, port, policy.resolver)
    if not allowed:
        _refuse_private(host, addresses, literal=literal is not None)
    return Target(url, scheme, host, port, addresses[0], path, allowed_by_policy=allowed)


def _host(hostname: str | None) -> str:
    if not hostname:
        raise Refused("the URL names no host")
    host = hostname.rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as exc:
        raise Refused(f"host {hostname!r} is not a valid name") from exc
    if host == "localhost" or host.endswith(".localhost"):
        raise Refused(f"host {host!r} names this machine (loopback)")
    return host


def _literal_address(host: str) -> IPAddress | None:
    """The address a host written as a number stands for; refuses every non-canonical spelling."""
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError as exc:
            raise Refused(f"host {host!r} is not a valid IPv6 address") from exc
    labels = host.split(".")
    if not _NUMERIC_LABEL.fullmatch(labels[-1]):
        if len(labels) < 2:
            raise Refused(f"single-label host {host!r} resolves through local search domains")
        return None
    loose = parse_ipv4_loose(host)
    if loose is None:
        raise Refused(f"host {host!r} is a malformed numeric address")
    if str(loose) != host:
        problem = address_problem(loose)
        what = f" ({problem})" if problem else ""
        raise Refused(f"numeric host {host!r} is a non-standard encoding of {loose}{what}")
    return loose


def _resolve(host: str, port: int, resolver: Resolver) -> list[str]:
    try:
        addresses = resolver(host, port)
    except OSError as exc:
        raise FetchFailed(f"cannot resolve {host!r}: {exc}") from exc
    if not addresses:
        raise FetchFailed(f"{host!r} resolves to no address")
    return addresses


def _refuse_private(host: str, addresses: list[str], *, literal: bool) -> None:
    for text in addresses:
        try:
            ip = ipaddress.ip_address(text.split("%")[0])
        except ValueError as exc:
            raise Refused(f"{host!r} resolves to an unreadable address {text!r}") from exc
        problem = address_problem(ip)
        if problem:
            subject = f"{host} is" if literal else f"{host!r} resolves to {text}, which is"
            raise Refused(f"{subject} {problem}")


class Watchdog:
    """One fetch's wall-clock deadline: when it passes, every socket the fetch opened is shut
    down, so whatever call is blocked on it (connect, TLS, headers, body) returns at once.

    Each socket is watched through a duplicate of its descriptor, closed only here, so a shut
    down never reaches a descriptor the system has since given to someone else.
    """

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        """Watch `sock` (through a duplicate of its descriptor) until released: shut down at once
        if the deadline has already passed, else when it passes."""
        duplicate = sock.dup()
        with self._lock:
            self._sockets.append(duplicate)
            if self.expired:
                _shut(duplicate)

    def remaining(self) -> float:
        """Seconds left; FetchFailed once none are."""
        left = self.deadline - time.monotonic()
        if left <= 0 or self.expired:
            raise FetchFailed("time limit reached")
        return left

    def release(self) -> None:
        """Forget the sockets watched so far (their connections are about to be closed)."""
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def stop(self) -> None:
        """Cancel the deadline and forget every watched socket (the fetch is over)."""
        self._timer.cancel()
        self.release()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        return


def fetch(url: str, policy: FetchPolicy | None = None) -> Fetched:
    """GET the URL under the policy: every hop vetted before any byte is sent to it, the whole
    fetch (every hop's connect, headers and body) within `policy.timeout` seconds.

    Raises Refused (nothing sent to the address) or FetchFailed (network, status, content type,
    size, time; the message says which)."""
    policy = policy or FetchPolicy()
    watchdog = Watchdog(policy.timeout)
    try:
        return _fetch(url, policy, watchdog)
    except (FetchFailed, HTTPError, OSError) as exc:
        if watchdog.expired:
            raise FetchFailed(
                f"time limit of {policy.timeout:g} s reached (connect, headers and body)"
            ) from exc
        if isinstance(exc, FetchFailed):
            raise
        raise FetchFailed(f"cannot fetch {url}: {exc}") from exc
    finally:
        watchdog.stop()


def _fetch(url: str, policy: FetchPolicy, watchdog: Watchdog) -> Fetched:
    redirects: list[str] = []
    current = url
    while True:
        target = _vet_hop(current, redirects, policy)
        response, pool = _open(target, watchdog)
        try:
            location = response.headers.get("Location")
            if response.status not in REDIRECTS or not location:
                page = _finish(url, target, response, redirects, policy)
                if watchdog.expired:  # a body cut short by the deadline is no page
                    raise FetchFailed("time limit reached")
                return page
            following = urljoin(current, location)
            if following in (url, *redirects):
                raise FetchFailed(f"redirect loop: {chain_text([url, *redirects, following])}")
            if len(redirects) >= policy.max_redirects:
                hops = chain_text([url, *redirects, following])
                raise FetchFailed(f"more than {policy.max_redirects} redirects: {hops}")
            current = following
            redirects.append(current)
        finally:
            watchdog.release()
            response.release_conn()
            pool.close()


def _vet_hop(url: str, redirects: list[str], policy: FetchPolicy) -> Target:
    try:
        return vet(url, policy)
    except Refused as exc:
        if redirects:
            raise Refused(f"redirect {len(redirects)} to {url} refused: {exc}") from exc
        raise


def _finish(
    url: str,
    target: Target,
    response: Any,
    redirects: list[str],
    policy: FetchPolicy,
) -> Fetched:
    if not 200 <= response.status < 300:
        raise FetchFailed(f"HTTP {response.status} from {target.url}")
    content_type = response.headers.get("Content-Type", "").strip()
    if not content_type.lower().startswith(TEXT_TYPES) and "+json" not in content_type.lower():
        raise FetchFailed(f"content type {content_type or '(none)'!r} is not text")
    try:
        body = _read(response, policy.max_bytes)
    except (HTTPError, OSError) as exc:
        raise FetchFailed(f"reading {target.url} failed: {exc}") from exc
    return Fetched(
        url=url,
        final_url=target.url,
        status=response.status,
        content_type=content_type,
        body=body,
        date=_date(response.headers.get("Date")),
        redirects=tuple(redirects),
    )


def _open(target: Target, watchdog: Watchdog) -> tuple[Any, urllib3.HTTPConnectionPool]:
    """Connect to the vetted address itself, naming the host only in Host and SNI."""
    left = watchdog.remaining()
    pool = _pool(target, urllib3.Timeout(connect=left, read=left), watchdog)
    try:
        response = pool.urlopen(
            "GET",
            target.path,
            headers={
                "Host": target.host_header,
                "User-Agent": USER_AGENT,
                "Accept": "text/html, text/markdown, application/json, text/plain;q=0.8",
                "Accept-Encoding": "identity",
            },
            redirect=False,
            retries=False,
            preload_content=False,
            decode_content=True,
            assert_same_host=False,
        )
    except HTTPError as exc:
        pool.close()
        raise FetchFailed(f"cannot fetch {target.url}: {exc}") from exc
    except BaseException:
        pool.close()
        raise
    return response, pool


def _pool(
    target: Target, timeout: urllib3.Timeout, watchdog: Watchdog
) -> urllib3.HTTPConnectionPool:
    checked = not target.allowed_by_policy
    if target.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            assert_hostname=target.host,
            server_hostname=target.host,
        )
        pool.ConnectionCls = _checked(HTTPSConnection, checked, watchdog)
    else:
        pool = urllib3.HTTPConnectionPool(
            target.address, target.port, timeout=timeout, retries=False
        )
        pool.ConnectionCls = _checked(HTTPConnection, checked, watchdog)
    return pool


def _checked(base: type[HTTPConnection], checked: bool, watchdog: Watchdog) -> type[HTTPConnection]:
    """A connection class that checks the peer's address once the socket is connected, and puts
    the socket under the fetch's watchdog."""

    class CheckedConnection(base):  # type: ignore[valid-type,misc]
        def _new_conn(self) -> socket.socket:
            sock: socket.socket = super()._new_conn()
            peer = ipaddress.ip_address(str(sock.getpeername()[0]).split("%")[0])
            problem = address_problem(peer) if checked else None
            if problem:
                sock.close()
                raise Refused(f"connected peer {peer} is {problem}")
            watchdog.watch(sock)
            return sock

    return CheckedConnection


def _read(response: Any, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchFailed(f"body of {declared} bytes is over the {max_bytes}-byte limit")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.stream(65536, decode_content=True):
        size += len(chunk)
        if size > max_bytes:
            raise FetchFailed(f"body over the {max_bytes}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _date(header: str | None) -> datetime | None:
    if not header:
        return None
    try:
        parsed = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
