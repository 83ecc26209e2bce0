"""What a reader of the published catalog meets, on the real refreshed catalog (OpenRouter's
recorded epoch-1, then epoch-2): the Atom feed of accepted changes validates as Atom (RFC 4287),
the index as of a day says of each price what every other reading of that day says, and the
catalog API answers `?at=` as `show --at --json` does."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from catalog import reader, store
from ratecard.cli import app as cli
from tests.conftest import approve_an_openrouter_change, copy_catalog
from webapp import create_app

pytestmark = pytest.mark.integration

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_feed_names_its_authors(catalog_db: str) -> None:
    """RFC 4287 4.1.1: a feed holds an atom:author unless every entry does. The feed had none
    anywhere (feedparser does not check; the W3C validator refuses it: 'Missing feed element:
    author'); now the feed names ratecard and each entry the reviewer who approved it."""
    approve_an_openrouter_change(catalog_db)
    client = TestClient(create_app(catalog_db, secret_key="test-only-secret"))
    feed = ET.fromstring(client.get("/feed.atom").content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "ratecard"
    assert entries[0].findtext(f"{ATOM}author/{ATOM}name") == "alice"


def test_the_index_as_of_a_day_says_verified_as_show_does(
    refreshed_catalog: Path, tmp_path: Path
) -> None:
    """OpenRouter stated claude-3-haiku's input price, 0.25, on 2026-05-20 (epoch-1) and again on
    2026-08-19 (epoch-2): as of 2026-06-01 it is verified 2026-05-20, as `show --at`, the
    values API and the exports say. /models?at=2026-06-01 marked them '(unverified)' and its
    'verified prices only' left the model out: the index read only each row's latest
    verification (2026-08-19, after the day). Every headline price of the index agrees."""
    db = copy_catalog(refreshed_catalog, tmp_path / "catalog.db")
    at = reader.end_of(date(2026, 6, 1))
    with store.connect(db).connect() as conn:
        published = {
            (v.value.route, v.value.model, v.value.dimensions.key): v.verified_at is not None
            for v in reader.published_values(conn, at, kind="price")
            if (v.value.component.value, v.value.unit.value) == ("input", "usd_per_1m_tokens")
        }
        summaries = reader.model_summaries(conn, at)
    checked = 0
    for s in summaries:
        if s.input_price is None:
            continue
        dims = "scope=global" if (s.route, s.model, "scope=global") in published else ""
        assert s.input_verified == published[(s.route, s.model, dims)], (s.route, s.model)
        checked += 1
    assert checked > 100
    page = TestClient(create_app(db, secret_key="test-only-secret")).get(
        "/models?at=2026-06-01&verified_only=true&q=claude-3-haiku"
    )
    assert page.status_code == 200
    row = page.text.split(">claude-3-haiku<", 1)[1].split("</tr>", 1)[0]
    assert "0.25 on openrouter" in row and "unverified" not in row


def test_the_catalog_api_reads_a_past_day_as_show_does(catalog_db: str) -> None:
    """An approved OpenRouter price change (in force from 2026-08-19): on 2026-06-01 the value
    before it was in force. `show --at 2026-06-01 --json` says so; /api/catalog/ROUTE/MODEL
    ?at=2026-06-01 ignored `at` and answered today's value (and a bad date went unnoticed).
    Now both answer alike."""
    _, item = approve_an_openrouter_change(catalog_db)
    change = item.changes[0]
    client = TestClient(create_app(catalog_db, secret_key="test-only-secret"))
    path = f"/api/catalog/openrouter/{item.model}"
    api = client.get(f"{path}?at=2026-06-01").json()
    shown = CliRunner().invoke(
        cli,
        ["show", f"openrouter/{item.model}", "--at", "2026-06-01", "--json", "--db", catalog_db],
    )
    assert shown.exit_code == 0, shown.output
    assert api == json.loads(shown.output)

    def plain(fields: list[dict[str, Any]]) -> list[Decimal]:
        return [
            Decimal(f["value"])
            for f in fields
            if f["component"] == change.component.value and not f["dimensions"]
        ]

    assert plain(api["fields"]) == [Decimal(str(change.current))]
    assert plain(client.get(path).json()["fields"]) == [Decimal(str(change.proposed))]
    assert client.get(f"{path}?at=2026-13-01").status_code == 422


def test_the_index_as_of_a_day_links_each_model_on_that_day(catalog_db: str) -> None:
    """/models?at=2026-06-01 lists each model's prices of that day, but its links opened the
    model pages as of now (/models/MODEL), where an approved change since shows another price
    than the row the reader clicked. They keep the day, as a model page's route links do."""
    client = TestClient(create_app(catalog_db, secret_key="test-only-secret"))
    index = client.get("/models?at=2026-06-01&q=claude-3-haiku").text
    assert 'href="/models/claude-3-haiku?at=2026-06-01"' in index
    assert 'href="/models/claude-3-haiku"' not in index
    page = client.get("/models/claude-3-haiku?at=2026-06-01").text
    assert 'href="/models/openrouter/claude-3-haiku?at=2026-06-01"' in page
    now = client.get("/models?q=claude-3-haiku").text
    assert 'href="/models/claude-3-haiku"' in now


def test_the_index_search_reads_spaces_and_dots_as_a_names_hyphens(catalog_db: str) -> None:
    """The index search was a substring of the catalog's name: 'Claude 3 Haiku' (the vendor's
    spelling) found nothing, nor 'gpt 4.1' gpt-4.1. Spaces, dots, underscores
    and hyphens now match one another; the exact name still finds the model."""
    client = TestClient(create_app(catalog_db, secret_key="test-only-secret"))
    links = 'href="/models/claude-3-haiku"'
    for q in ("claude-3-haiku", "Claude 3 Haiku", "claude 3.haiku", " CLAUDE_3-haiku "):
        assert links in client.get("/models", params={"q": q}).text, q
    with store.connect(catalog_db).connect() as conn:
        dotted = sorted({s.model for s in reader.model_summaries(conn, reader.as_of(None))})
    model = next(m for m in dotted if "." in m)
    spaced = client.get("/models", params={"q": model.replace(".", " ").replace("-", " ")})
    assert f'href="/models/{model}"' in spaced.text, model


def test_the_queue_search_reads_a_name_as_the_index_search_does(catalog_db: str) -> None:
    """The queue's search was a substring of titles, models and routes as stored: the model
    the index finds by 'claude 3 haiku' had no item in the queue searched the same way. Both
    searches now read spaces, dots, underscores and hyphens alike (queries.search_key)."""
    client = TestClient(create_app(catalog_db, secret_key="test-only-secret"))
    listed = client.get("/api/queue", params={"status": "any", "limit": 1000}).json()
    model = next(i["model"] for i in listed if i["model"].count("-") >= 2)
    spaced = model.replace("-", " ").title()

    def found(q: str) -> tuple[int, list[int]]:
        page = client.get("/api/queue", params={"status": "any", "q": q, "limit": 1000})
        assert page.status_code == 200, page.text
        return int(page.headers["X-Total-Count"]), [i["id"] for i in page.json()]

    exact = found(model)
    assert exact[0] > 0
    assert found(spaced) == exact, (model, spaced)
    assert f'href="/models/{model}"' in client.get("/models", params={"q": spaced}).text


@pytest.mark.parametrize("group", [[], ["review"], ["report"], ["reviewer"]])
def test_help_lists_each_command_with_its_whole_summary(group: list[str]) -> None:
    """`ratecard --help | cat` cut each command's summary with '...' at the width less the names
    ('show  Every field of a (route, model): value,...'), at any width. Each summary is now
    the first sentence of the command's help, folded onto more lines, never cut."""
    shown = CliRunner().invoke(cli, [*group, "--help"], terminal_width=60)
    assert shown.exit_code == 0, shown.output
    listed = shown.output.split("Commands:", 1)[1]
    assert "..." not in listed
    assert all(len(line) <= 60 for line in listed.splitlines())
    if not group:
        assert "refuses when a needed price is unknown." in " ".join(listed.split())
