"""The SSRF-safe fetcher refuses every unsafe form with a reason, before any connection.

No test here sends a byte to a non-loopback address: names resolve through a fake resolver,
literal addresses are refused before connecting, and a spy on urllib3's socket factory fails
the test if a connection to anything but the allow-listed loopback server is even attempted.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import urllib3.util.connection

from review import safefetch
from review.safefetch import FetchFailed, FetchPolicy, Refused

pytestmark = pytest.mark.integration
FAKE_DNS = {
    "internal.example.com": ["10.0.0.5"],
    "rebind.example.com": ["93.184.215.14", "127.0.0.1"],
    "metadata.example.com": ["169.254.169.254"],
    "v6private.example.com": ["fd00::1"],
    "shared.example.com": ["100.100.100.100"],
    "public.example.com": ["93.184.215.14"],
}


def fake_resolver(host: str, port: int) -> list[str]:
    if host not in FAKE_DNS:
        raise AssertionError(f"the test tried to resolve {host!r} for real")
    return FAKE_DNS[host]


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every address urllib3 opens a socket to; anything but loopback fails the test."""
    opened: list[tuple[str, int]] = []
    real = urllib3.util.connection.create_connection

    def spy(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        opened.append(address)
        assert ipaddress.ip_address(address[0]).is_loopback, f"connection to {address}"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", spy)
    return opened


UNSAFE = [
    ("http://127.0.0.1/", "loopback"),
    ("http://127.5.6.7:8080/x", "loopback"),
    ("http://10.0.0.1/", "private"),
    ("http://172.16.5.4/", "private"),
    ("http://192.168.1.1/admin", "private"),
    ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
    ("http://169.254.1.1/", "link-local"),
    ("http://100.64.0.1/", "shared address space"),
    ("http://224.0.0.1/", "multicast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://255.255.255.255/", "broadcast"),
    ("http://192.0.2.1/", "documentation"),
    ("http://198.18.0.1/", "benchmarking"),
    ("http://[::1]/", "loopback"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fe80::1%25eth0]/", "link-local"),
    ("http://[fc00::1]/", "unique local"),
    ("http://[fd12:3456::1]/", "unique local"),
    ("http://[::]/", "unspecified"),
    ("http://[ff02::1]/", "multicast"),
    ("http://[::ffff:127.0.0.1]/", "IPv4-mapped IPv6 of 127.0.0.1: loopback"),
    ("http://[::ffff:10.0.0.1]/", "IPv4-mapped IPv6 of 10.0.0.1: private"),
    ("http://[::ffff:169.254.169.254]/", "IPv4-mapped IPv6 of 169.254.169.254"),
    ("http://[2002:7f00:1::]/", "6to4"),
    ("http://[64:ff9b::7f00:1]/", "NAT64"),
    ("http://2130706433/", "non-standard encoding of 127.0.0.1 (loopback)"),
    ("http://0177.0.0.1/", "non-standard encoding of 127.0.0.1 (loopback)"),
    ("http://0x7f.0.0.1/", "non-standard encoding of 127.0.0.1 (loopback)"),
    ("http://0x7f000001/", "non-standard encoding of 127.0.0.1 (loopback)"),
    ("http://017700000001/", "non-standard encoding of 127.0.0.1 (loopback)"),
    ("http://127.1/", "non-standard encoding of 127.0.0.1 (loopback)"),
    ("http://10.1/", "non-standard encoding of 10.0.0.1 (private)"),
    ("http://0/", "non-standard encoding of 0.0.0.0"),
    ("http://0xa9fea9fe/", "non-standard encoding of 169.254.169.254"),
    ("http://1.2.3/", "non-standard encoding of 1.2.0.3"),
    ("http://0x7f.0x0.0x0.0x1/", "non-standard encoding of 127.0.0.1 (loopback)"),
    ("http://\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11/", "127.0.0.1 is loopback"),
    ("http://127.0.0.1./", "127.0.0.1 is loopback"),
    ("http://[::127.0.0.1]/", "IPv4-compatible"),
    ("http://localhost/", "names this machine"),
    ("http://LOCALHOST./", "names this machine"),
    ("http://api.localhost:8080/", "names this machine"),
    ("http://intranet/", "single-label host"),
    ("http://internal.example.com/", "resolves to 10.0.0.5, which is private"),
    ("http://rebind.example.com/", "resolves to 127.0.0.1, which is loopback"),
    ("http://metadata.example.com/", "cloud metadata"),
    ("http://v6private.example.com/", "unique local"),
    ("http://shared.example.com/", "shared address space"),
    ("ftp://example.com/prices.csv", "scheme 'ftp' is not allowed"),
    ("file:///etc/passwd", "scheme 'file' is not allowed"),
    ("gopher://example.com:70/_GET", "scheme 'gopher' is not allowed"),
    ("javascript:alert(1)", "scheme 'javascript' is not allowed"),
    ("dict://example.com:11211/stat", "scheme 'dict' is not allowed"),
    ("http://user:secret@example.com/", "credentials"),
    ("http://user@example.com/", "credentials"),
    ("https://example.com@127.0.0.1/", "credentials"),
    ("http:///nohost", "names no host"),
]


@pytest.mark.parametrize(("url", "reason"), UNSAFE, ids=[u for u, _ in UNSAFE])
def test_unsafe_url_refused_with_reason(
    url: str, reason: str, connections: list[tuple[str, int]]
) -> None:
    with pytest.raises(Refused) as refused:
        safefetch.fetch(url, FetchPolicy(resolver=fake_resolver))
    assert reason in str(refused.value)
    assert connections == []


def test_there_are_at_least_25_unsafe_forms() -> None:
    assert len(UNSAFE) >= 25


@pytest.mark.parametrize(
    "host",
    [
        "2130706433",
        "0177.0.0.1",
        "0x7f.0.0.1",
        "127.1",
        "0x7f.1",
        "10.1",
        "1.2.3",
        "017700000001",
        "8.8.8.8",
        "0",
    ],
)
def test_numeric_hosts_read_like_inet_aton(host: str) -> None:
    expected = socket.inet_ntoa(socket.inet_aton(host))
    assert str(safefetch.parse_ipv4_loose(host)) == expected


def test_public_address_passes_the_check() -> None:
    target = safefetch.vet(
        "https://public.example.com/pricing?x=1", FetchPolicy(resolver=fake_resolver)
    )
    assert (target.address, target.host, target.port, target.path) == (
        "93.184.215.14",
        "public.example.com",
        443,
        "/pricing?x=1",
    )
    assert safefetch.address_problem(ipaddress.ip_address("2606:4700::1111")) is None


class _Server:
    """A loopback server whose handler is set per test."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.requests: list[str] = []
        outer = self

        class Recording(handler):  # type: ignore[misc,valid-type]
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                super().do_GET()

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Recording)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def policy(self) -> FetchPolicy:
        return FetchPolicy(
            resolver=fake_resolver,
            allow_hosts=frozenset({f"127.0.0.1:{self.port}"}),
            timeout=5.0,
            max_bytes=10_000,
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _redirecting(location_for: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path in location_for:
                self.send_response(302)
                self.send_header("Location", location_for[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = (
                b"<html><body><table><tr><td>Model X</td><td>$2.00</td></tr></table></body></html>"
            )
            if self.path == "/big":
                body = b"x" * 20_000
            self.send_response_only(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Date", "Tue, 18 Aug 2026 10:00:00 GMT")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def server() -> Iterator[_Server]:
    running = _Server(
        _redirecting(
            {
                "/to-private": "http://10.0.0.1/",
                "/to-metadata": "http://169.254.169.254/latest/meta-data/iam/",
                "/to-mapped": "http://[::ffff:127.0.0.1]/",
                "/to-name": "http://internal.example.com/",
                "/to-file": "file:///etc/passwd",
                "/hop": "/page",
                "/loop": "/loop",
                "/there": "/back",
                "/back": "/there",
                **{f"/chain{n}": f"/chain{n + 1}" for n in range(7)},
            }
        )
    )
    yield running
    running.close()


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/to-private", "redirect 1 to http://10.0.0.1/ refused: 10.0.0.1 is private"),
        ("/to-metadata", "cloud metadata"),
        ("/to-mapped", "IPv4-mapped"),
        ("/to-name", "resolves to 10.0.0.5, which is private"),
        ("/to-file", "scheme 'file' is not allowed"),
    ],
)
def test_redirect_into_private_space_refused_before_connecting(
    server: _Server, connections: list[tuple[str, int]], path: str, reason: str
) -> None:
    with pytest.raises(Refused) as refused:
        safefetch.fetch(f"http://127.0.0.1:{server.port}{path}", server.policy)
    assert reason in str(refused.value)
    assert connections == [("127.0.0.1", server.port)]  # only the allow-listed server was asked
    assert server.requests == [path]


def test_allowed_loopback_fetch_follows_a_safe_redirect(
    server: _Server, connections: list[tuple[str, int]]
) -> None:
    page = safefetch.fetch(f"http://127.0.0.1:{server.port}/hop", server.policy)
    assert page.status == 200 and b"$2.00" in page.body
    assert page.redirects == (f"http://127.0.0.1:{server.port}/page",)
    assert page.date is not None and page.date.isoformat() == "2026-08-18T10:00:00+00:00"


def test_redirect_limit(server: _Server) -> None:
    base = f"http://127.0.0.1:{server.port}"
    with pytest.raises(FetchFailed) as failed:
        safefetch.fetch(f"{base}/chain0", server.policy)
    hops = " -> ".join(f"{base}/chain{n}" for n in (0, 1, 2))
    assert str(failed.value) == (
        f"more than 5 redirects: {hops} -> ... -> {base}/chain5 -> {base}/chain6 (7 URLs)"
    )
    assert len(server.requests) == 6


@pytest.mark.parametrize(("path", "hops"), [("/loop", ["/loop"]), ("/there", ["/there", "/back"])])
def test_a_redirect_loop_is_refused_at_once_naming_its_chain(
    server: _Server, path: str, hops: list[str]
) -> None:
    """A redirect back to a URL already visited was followed to the limit and refused as 'more
    than 5 redirects', naming no URL."""
    base = f"http://127.0.0.1:{server.port}"
    with pytest.raises(FetchFailed) as failed:
        safefetch.fetch(f"{base}{path}", server.policy)
    chain = " -> ".join(f"{base}{hop}" for hop in [*hops, path])
    assert str(failed.value) == f"redirect loop: {chain}"
    assert server.requests == hops


def test_size_cap(server: _Server) -> None:
    with pytest.raises(FetchFailed, match="over the 10000-byte limit"):
        safefetch.fetch(f"http://127.0.0.1:{server.port}/big", server.policy)


def test_time_cap(server: _Server) -> None:
    policy = FetchPolicy(resolver=fake_resolver, timeout=0.0, allow_hosts=server.policy.allow_hosts)
    with pytest.raises(FetchFailed, match="time limit"):
        safefetch.fetch(f"http://127.0.0.1:{server.port}/page", policy)


def test_loopback_is_refused_unless_the_test_allows_it(server: _Server) -> None:
    with pytest.raises(Refused, match="loopback"):
        safefetch.fetch(f"http://127.0.0.1:{server.port}/page", FetchPolicy(resolver=fake_resolver))
    assert server.requests == []


def test_connect_time_check_refuses_a_peer_that_is_not_public(
    server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the vetted address ever to lead elsewhere, the connected peer is checked again."""
    checked = safefetch.Target(
        url=f"http://public.example.com:{server.port}/page",
        scheme="http",
        host="public.example.com",
        port=server.port,
        address="127.0.0.1",
        path="/page",
    )
    monkeypatch.setattr(safefetch, "vet", lambda url, policy: checked)
    with pytest.raises(Refused, match=r"connected peer 127\.0\.0\.1 is loopback"):
        safefetch.fetch(checked.url, FetchPolicy(resolver=fake_resolver))
    assert server.requests == []


def _trickling(body: bytes, *, headers_too: bool, length: bool) -> type[BaseHTTPRequestHandler]:
    """A server that sends 5 bytes a second: of its headers, or of its body."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            if length:
                head += b"Content-Length: %d\r\n" % len(body)
            head += b"Connection: close\r\n\r\n"
            slow = head + body if headers_too else body
            if not headers_too:
                self.wfile.write(head)
            try:
                for start in range(0, len(slow), 5):
                    self.wfile.write(slow[start : start + 5])
                    self.wfile.flush()
                    time.sleep(1.0)
            except OSError:
                return

    return Handler


@pytest.mark.parametrize(
    ("headers_too", "length"),
    [(True, True), (False, True), (False, False)],
    ids=["trickled headers", "trickled body", "trickled body without length"],
)
def test_one_deadline_over_connect_headers_and_body(headers_too: bool, length: bool) -> None:
    """5 bytes a second never trips a per-read timeout; the fetch's one deadline cuts it."""
    body = b"<html><body><table><tr><td>Model X</td><td>$2.00</td></tr></table></body></html>"
    server = _Server(_trickling(body, headers_too=headers_too, length=length))
    policy = FetchPolicy(
        resolver=fake_resolver,
        allow_hosts=frozenset({f"127.0.0.1:{server.port}"}),
        timeout=1.5,
    )
    started = time.monotonic()
    try:
        with pytest.raises(FetchFailed, match=r"time limit of 1\.5 s reached"):
            safefetch.fetch(f"http://127.0.0.1:{server.port}/slow", policy)
    finally:
        server.close()
    assert time.monotonic() - started < 3.0
