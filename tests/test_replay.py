"""The replay server answers like the recorded world: bodies byte for byte, status, Date."""

from __future__ import annotations

import socket
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import requests

from spiders import replay
from spiders.replay import World, serve
from tests.conftest import SNAPSHOTS, WORLDS


def get(base: str, url: str) -> requests.Response:
    return requests.get(f"{base}/replay?url={quote(url, safe='')}", timeout=10)


def test_replay_serves_recorded_bodies_with_recorded_dates() -> None:
    world = World.load(WORLDS / "epoch-2.json")
    with serve(world) as base:
        response = get(base, "https://openrouter.ai/api/v1/models")
        missing = get(base, "https://openrouter.ai/api/v1/nothing-here")
    assert response.status_code == 200
    assert response.content == (SNAPSHOTS / "openrouter" / "models.2026-08-19.json").read_bytes()
    assert (
        parsedate_to_datetime(response.headers["Date"]).isoformat() == "2026-08-19T00:00:00+00:00"
    )
    assert response.headers["Content-Type"] == "application/json"
    assert missing.status_code == 404


def test_urls_match_after_decoding_percent_escapes() -> None:
    world = World.load(WORLDS / "epoch-1.json")
    page1 = next(r for r in world.responses.values() if "eastus2" in r.url)
    encoded = page1.url.replace(" ", "%20").replace("'", "%27")
    with serve(world) as base:
        response = get(base, encoded)
    assert response.status_code == 200
    assert response.content == page1.content()


def test_a_refresh_worth_of_connections_waits_for_the_server() -> None:
    """A refresh opens its connections at once (eleven crawlers, several each), before the
    server's thread has accepted any: the listen queue holds them all. socketserver's queue of
    5 had the kernel drop the rest, and their clients retried only after TCP's one-second
    retransmission timeout (a refresh stalled for a second in about half the replays)."""
    world = World.load(WORLDS / "epoch-2.json")
    server = replay._ReplayServer(("127.0.0.1", 0), replay._handler(world))  # accepts nothing
    opened: list[socket.socket] = []
    try:
        for _ in range(64):
            opened.append(
                socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=0.5)
            )
    finally:
        for connection in opened:
            connection.close()
        server.server_close()
    assert len(opened) == 64
