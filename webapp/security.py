"""Who is asking, and may they: client ids, reviewer sessions, CSRF tokens and a rate limit.

Every browser gets a signed client id cookie; it names the client that made a submission (so
its submitter cannot approve it) and every CSRF token is bound to it, so a token lifted from one
browser is worthless in another. A reviewer's session is a separate signed, time-limited cookie
(itsdangerous) holding the reviewer's name and that client id. Cookies are HttpOnly and
SameSite=Lax, and Secure when the app is served over https.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from fastapi import HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

CLIENT_COOKIE = "rc_client"
SESSION_COOKIE = "rc_session"
SESSION_AGE = 12 * 3600  # seconds a login lasts
CSRF_AGE = 12 * 3600
CLIENT_AGE = 365 * 24 * 3600


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
        response.set_cookie(
            CLIENT_COOKIE,
            self._client.dumps(client_id),
            max_age=CLIENT_AGE,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )

    def reviewer(self, request: Request) -> str | None:
        """The signed-in reviewer, if the session is valid and belongs to this client."""
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        try:
            data = self._session.loads(cookie, max_age=SESSION_AGE)
        except BadSignature:
            return None
        if data.get("client") != request.state.client_id:
            return None
        return str(data["reviewer"])

    def start_session(self, response: Response, request: Request, reviewer: str) -> None:
        token = self._session.dumps({"reviewer": reviewer, "client": request.state.client_id})
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=SESSION_AGE,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )

    def end_session(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE)

    def csrf_token(self, request: Request) -> str:
        return self._csrf.dumps(request.state.client_id)

    def check_csrf(self, request: Request, token: str) -> None:
        """Refuse a form post whose token is missing, expired or from another client."""
        try:
            client = self._csrf.loads(token, max_age=CSRF_AGE)
        except BadSignature:
            client = None
        if not token or client != request.state.client_id:
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
        now = time.monotonic()
        with self._lock:
            events = self._events[key]
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True


def client_address(request: Request) -> str:
    """The peer address (behind a proxy, run uvicorn with --proxy-headers to get the client's)."""
    return request.client.host if request.client else "unknown"
