"""Replay a recorded world over loopback HTTP.

A world (../shared/snapshots/worlds/*.json) says what every source URL answered at one time. The
server answers ``GET /replay?url=<live URL>`` with the recorded status, headers and body, and the
recorded date as the HTTP ``Date`` header (after ``delay`` seconds, where an entry gives one: a
server too slow to answer; after ``truncate`` bytes of a body whose Content-Length states it
whole, the connection drops); a relative redirect ``Location`` is resolved against the live URL,
as a client resolves it live; a URL the world does not name answers 404. Spiders
reach it through spiders.middleware.ReplayMiddleware, so downloads go through Scrapy's real HTTP
path (redirects, retries, status handling) and only the address differs from live mode.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

SHUTDOWN_POLL = 0.02  # seconds between the serving loop's looks for a shutdown request


@dataclass(frozen=True)
class Recorded:
    """One recorded answer of a world: the live URL, status, date (sent as the Date header),
    headers, and body (inline or in `file`), with an optional delay in seconds and a byte count to
    cut the body at."""

    url: str
    status: int
    date: datetime
    headers: dict[str, str] = field(default_factory=dict)
    file: Path | None = None
    body: bytes = b""
    delay: float = 0.0
    truncate: int | None = None  # send only this many bytes of a body its headers state whole

    def content(self) -> bytes:
        """The recorded body: the file's bytes where it has one, else the inline body."""
        return self.file.read_bytes() if self.file is not None else self.body


@dataclass
class World:
    """A recorded world: its name, its manifest's path, and its answers by live URL
    (percent-decoded)."""

    name: str
    path: Path
    responses: dict[str, Recorded]

    @classmethod
    def load(cls, path: Path) -> World:
        """The world a manifest (worlds/*.json) describes: its `responses` by percent-decoded URL,
        files relative to the manifest, dates in UTC; the name is the manifest's `name` or file
        stem. Raises OSError or ValueError (JSON, a date, a number) for a manifest that cannot be
        read, and KeyError for a response without url, status or date."""
        manifest = json.loads(path.read_text())
        responses: dict[str, Recorded] = {}
        for entry in manifest["responses"]:
            headers = dict(entry.get("headers", {}))
            if "content_type" in entry:
                headers["Content-Type"] = entry["content_type"]
            responses[unquote(entry["url"])] = Recorded(
                url=entry["url"],
                status=int(entry["status"]),
                date=_utc(entry["date"]),
                headers=headers,
                file=(path.parent / entry["file"]).resolve() if "file" in entry else None,
                body=entry.get("body", "").encode(),
                delay=float(entry.get("delay", 0)),
                truncate=int(entry["truncate"]) if "truncate" in entry else None,
            )
        return cls(name=manifest.get("name", path.stem), path=path, responses=responses)

    def lookup(self, url: str) -> Recorded | None:
        """The recorded answer for a live URL (compared percent-decoded), None when the world does
        not name it."""
        return self.responses.get(unquote(url))


def _utc(text: str) -> datetime:
    """A recorded date: ISO 8601, in UTC unless it states its offset ("2026-04-02" is that day's
    midnight UTC; a naive date could not be sent as an HTTP Date, and the answer was lost)."""
    date = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return date if date.tzinfo is not None else date.replace(tzinfo=UTC)


def _handler(world: World) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = parse_qs(urlsplit(self.path).query)
            url = query.get("url", [""])[0]
            recorded = world.lookup(url)
            if recorded is None:
                self._send(404, {"Content-Type": "text/plain"}, b"not in this world", None)
                return
            time.sleep(recorded.delay)
            self._send(
                recorded.status,
                _absolute_location(recorded),
                recorded.content(),
                recorded.date,
                recorded.truncate,
            )

        def _send(
            self,
            status: int,
            headers: dict[str, str],
            body: bytes,
            date: datetime | None,
            truncate: int | None = None,
        ) -> None:
            self.send_response_only(status)
            if date is not None:
                self.send_header("Date", format_datetime(date, usegmt=True))
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            try:
                self.end_headers()
                if truncate is not None:  # the connection drops mid-body
                    self.close_connection = True
                    body = body[:truncate]
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a delayed answer past its timeout)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the refresh reports what each source answered."""

    return Handler


def _absolute_location(recorded: Recorded) -> dict[str, str]:
    """The recorded headers with a relative redirect `Location` made absolute against the live
    URL it answered, as a client resolves it live: sent as recorded, the client would resolve it
    against the loopback server's address, where nothing is recorded."""
    return {
        name: urljoin(recorded.url, value) if name.lower() == "location" else value
        for name, value in recorded.headers.items()
    }


class _ReplayServer(ThreadingHTTPServer):
    """A threading HTTP server whose listen backlog holds every connection a refresh opens at
    once (eleven crawlers, several connections each). socketserver's backlog of 5 let the
    kernel drop the connection attempts beyond it, which the client only retried after TCP's
    one-second retransmission timeout: a stall no live host shows, in about half the replays."""

    request_queue_size = 128


@contextmanager
def serve(world: World) -> Iterator[str]:
    """Serve a world on 127.0.0.1 (a free port) while the block runs; yields its base URL."""
    server = _ReplayServer(("127.0.0.1", 0), _handler(world))
    server.daemon_threads = True
    # shutdown() waits for the serving loop to notice it, which looks once per poll interval:
    # socketserver's 0.5 s default would add a quarter of a second to every replayed refresh.
    thread = threading.Thread(
        target=server.serve_forever, args=(SHUTDOWN_POLL,), name="replay", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
