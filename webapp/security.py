"""Who is asking, and may they: client ids, reviewer sessions, CSRF tokens, rate limits, the
client's address and the request body limit.

Every browser gets a signed client id cookie; it names the client that made a submission (so
its submitter cannot approve it) and every CSRF token is bound to it, so a token lifted from one
browser is worthless in another. A reviewer's session is a separate signed, time-limited cookie
(itsdangerous) holding the reviewer's name, that client id, when it started and a random id
given at sign-in; it holds while the reviewer is active and has not signed out since (a copy of
the cookie kept past a sign-out is worthless: review/reviewers.py `session_valid`). CSRF tokens
are bound to the session id too, so signing in issues new ones and a token given before the
sign-in (or in another session) is refused. Cookies are HttpOnly and SameSite=Lax, and Secure
when the app is served over https.

The client's address (the key of the rate limits) is the connecting peer's, unless that peer is
one of the configured proxies (RATECARD_TRUSTED_PROXIES; none by default): only then is
`X-Forwarded-For` read. Request bodies over MAX_BODY bytes are refused with 413, whether they
declare a Content-Length or arrive chunked.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fastapi import HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CLIENT_COOKIE = "rc_client"
SESSION_COOKIE = "rc_session"
SESSION_AGE = 12 * 3600  # seconds a login lasts
CSRF_AGE = 12 * 3600
CLIENT_AGE = 365 * 24 * 3600
MAX_BODY = 64 * 1024  # bytes: a submission of 20 claims needs a few KiB
TRUSTED_PROXIES_ENV = "RATECARD_TRUSTED_PROXIES"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Session:
    """A signed-in reviewer's session: who, and the random id given at sign-in."""

    reviewer: str
    id: str


@dataclass
class Signer:
    """Signs and checks cookies and CSRF tokens with the app's secret key."""

    secret_key: str

    def __post_init__(self) -> None:
        self._client = URLSafeTimedSerializer(self.secret_key, salt="ratecard.client")
        self._session = URLSafeTimedSerializer(self.secret_key, salt="ratecard.session")
        self._csrf = URLSafeTimedSerializer(self.secret_key, salt="ratecard.csrf")

    def client_id(self, request: Request) -> tuple[str, bool]:
        """The request's client id, and whether it is new (and so needs its cookie set)."""
        cookie = request.cookies.get(CLIENT_COOKIE)
        if cookie:
            try:
                return str(self._client.loads(cookie, max_age=CLIENT_AGE)), False
            except BadSignature:
                pass
        return f"web:{secrets.token_urlsafe(16)}", True

    def set_client(self, response: Response, request: Request, client_id: str) -> None:
        """Set the signed client id cookie (HttpOnly, SameSite=Lax, Secure over https)."""
        response.set_cookie(
            CLIENT_COOKIE,
            self._client.dumps(client_id),
            max_age=CLIENT_AGE,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )

    def session(self, request: Request, holds: Callable[[str, float], bool]) -> Session | None:
        """The signed-in reviewer's session, if its cookie is signed, unexpired, belongs to this
        client, has an id, and `holds` (reviewer, the session's start in Unix seconds) says it
        still holds."""
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        try:
            data = self._session.loads(cookie, max_age=SESSION_AGE)
        except BadSignature:
            return None
        if data.get("client") != request.state.client_id:
            return None
        started, session_id = data.get("at"), data.get("id")
        name = str(data["reviewer"])
        if not isinstance(session_id, str) or not session_id:
            return None
        if not isinstance(started, int | float) or not holds(name, float(started)):
            return None
        return Session(reviewer=name, id=session_id)

    def start_session(self, response: Response, request: Request, reviewer: str) -> None:
        """Sign `reviewer` in: a session cookie with a new random id, to which every CSRF token
        given from now on is bound (so no token given before the sign-in is accepted after)."""
        token = self._session.dumps(
            {
                "reviewer": reviewer,
                "client": request.state.client_id,
                "at": time.time(),
                "id": secrets.token_urlsafe(16),
            }
        )
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=SESSION_AGE,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )

    def end_session(self, response: Response) -> None:
        """Delete the session cookie (signing out also records the time: reviewers.sign_out)."""
        response.delete_cookie(SESSION_COOKIE)

    def csrf_token(self, request: Request) -> str:
        """A form token bound to this client and to its session ('' when signed out): a
        sign-in, a sign-out or another sign-in changes the session, and so the token."""
        return self._csrf.dumps([request.state.client_id, request.state.session_id])

    def check_csrf(self, request: Request, token: str) -> None:
        """Refuse a form post whose token is missing, expired, from another client, or given
        under another session (before a sign-in, or in an earlier session)."""
        try:
            bound = self._csrf.loads(token, max_age=CSRF_AGE)
        except BadSignature:
            bound = None
        if not token or bound != [request.state.client_id, request.state.session_id]:
            raise HTTPException(status_code=403, detail="invalid or expired form token: reload")


@dataclass
class RateLimiter:
    """At most `limit` events per `window` seconds per key (the client's address).

    In memory and per process: enough for one server; a fleet would put this in a shared store.
    """

    limit: int
    window: float
    _events: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, key: str) -> bool:
        """Record an event for `key`; False when it is over the limit (and is not recorded)."""
        with self._lock:
            events = self._recent(key)
            if len(events) >= self.limit:
                return False
            events.append(time.monotonic())
            return True

    def full(self, key: str) -> bool:
        """True when `key` has used up its events in the window (records nothing)."""
        with self._lock:
            return len(self._recent(key)) >= self.limit

    def _recent(self, key: str) -> deque[float]:
        events = self._events[key]
        while events and events[0] <= time.monotonic() - self.window:
            events.popleft()
        return events


def trusted_proxies(configured: Iterable[str] | None = None) -> tuple[Network, ...]:
    """The proxies whose X-Forwarded-For is believed: `configured`, else the comma-separated
    addresses or networks in RATECARD_TRUSTED_PROXIES; none by default. Raises ValueError
    naming an entry that is not an address or network."""
    if configured is None:
        configured = os.environ.get(TRUSTED_PROXIES_ENV, "").split(",")
    networks = []
    for entry in (e.strip() for e in configured):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(f"trusted proxy {entry!r}: not an address or network") from exc
    return tuple(networks)


def client_address(request: Request) -> str:
    """The client's address: the connecting peer's, unless the peer is a trusted proxy; then the
    rightmost X-Forwarded-For address that is not itself a trusted proxy (each proxy appends
    the address it heard from, so only entries added by trusted proxies can be believed)."""
    peer = request.client.host if request.client else "unknown"
    proxies: tuple[Network, ...] = request.app.state.trusted_proxies
    if not _is_proxy(peer, proxies):
        return peer
    forwarded = [
        a.strip() for h in request.headers.getlist("x-forwarded-for") for a in h.split(",")
    ]
    for address in reversed([a for a in forwarded if a]):
        if not _is_proxy(address, proxies):
            return address[:100]
    return peer


def _is_proxy(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


class BodyTooLarge(StarletteHTTPException):
    """A request body over the app's limit (413)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(status_code=413, detail=f"request body over the {max_bytes}-byte limit")


class BodyLimit:
    """ASGI middleware refusing request bodies over `max_bytes` with 413.

    A declared Content-Length over the limit is refused before a byte of the body is read; a
    chunked body is counted as it arrives and refused once it passes the limit. The refusal is
    raised where the app reads the body, so it answers like any other HTTP error (JSON under
    /api, a page elsewhere).
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, its body read through a counter that raises BodyTooLarge (413)
        when a declared or received length passes the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        too_large = declared.isdigit() and int(declared) > self.max_bytes
        received = 0

        async def limited() -> Message:
            nonlocal received
            if too_large:
                raise BodyTooLarge(self.max_bytes)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited, send)


class HeadAsGet:
    """ASGI middleware answering HEAD on every GET route: the request goes on as a GET and its
    answer's headers are sent without the body (RFC 9110: HEAD is GET without content).
    FastAPI routes declared with GET answer HEAD with 405 otherwise."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass a HEAD request on as a GET, sending its answer's headers and an empty body; any
        other request passes unchanged."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
