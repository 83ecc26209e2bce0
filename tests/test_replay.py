"""The replay server answers like the recorded world: bodies byte for byte, status, Date."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from urllib.parse import quote

import requests

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
