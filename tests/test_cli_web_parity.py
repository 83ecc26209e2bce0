"""What the CLI and the web app say alike, on catalogs made by real refreshes of the replay worlds:
a set listing filtered by a source says the whole set's size (what a decision covers) beside
the items citing the source; every page's nav links the models list; `show` and `routes` take
`--at` as the pages take `?at=`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from catalog import queries, store
from ratecard.cli import app as cli
from tests.conftest import WORLDS, copy_catalog, run_flow
from webapp import create_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def two_sources(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OpenRouter's API and LiteLLM's map as the recorded epoch-1 world has them (accept-new),
    then refreshed with epoch-2: OpenRouter's price-change set holds items LiteLLM also cites
    and items it does not."""
    from flows.refresh import refresh

    path = tmp_path_factory.mktemp("parity") / "two.db"
    for world, accept_new in (("epoch-1", True), ("epoch-2", False)):
        state = run_flow(
            refresh(
                sources=["openrouter", "litellm"],
                replay=str(WORLDS / f"{world}.json"),
                database=f"sqlite:///{path}",
                accept_new=accept_new,
                return_state=True,
            )
        )
        assert state.is_completed(), state.message
    return path


@pytest.fixture
def two_db(two_sources: Path, tmp_path: Path) -> str:
    return copy_catalog(two_sources, tmp_path / "two.db")


def narrowed_set(db: str, source: str) -> tuple[str, int, int]:
    """A set some but not all of whose open items cite `source`: (id, citing, whole)."""
    with store.connect(db).connect() as conn:
        every = {s.id: s.items for s in queries.change_sets(conn, queries.QueueFilter())}
        citing = queries.change_sets(conn, queries.QueueFilter(source=source))
    found = next((s.id, s.items, every[s.id]) for s in citing if s.items < every[s.id])
    return found


def test_sets_by_source_say_the_whole_set_a_decision_covers(two_db: str) -> None:
    set_id, citing, whole = narrowed_set(two_db, "litellm")
    client = TestClient(create_app(two_db, secret_key="test-only-secret"))
    listed = {s["id"]: s for s in client.get("/api/sets?source=litellm&limit=1000").json()}
    assert (listed[set_id]["items"], listed[set_id]["set_items"]) == (citing, whole)
    page = client.get("/sets?source=litellm")
    assert page.status_code == 200
    row = re.search(rf'href="/sets/{re.escape(set_id)}".*?</tr>', page.text, re.S)
    assert row is not None
    assert f'<td class="items">{whole}</td>' in row[0]
    assert f'<td class="citing">{citing} items' in row[0]
    assert "a decision on a set covers all its open items, whether or not they cite litellm" in (
        page.text
    )
    out = CliRunner().invoke(cli, ["review", "sets", "--source", "litellm", "--db", two_db])
    assert out.exit_code == 0, out.output
    line = next(x for x in out.output.splitlines() if x.startswith(set_id + "\t"))
    assert line.split("\t")[1].startswith(f"{whole} items, ")
    assert line.split("\t")[1].endswith(f" ({citing} cite litellm)")


def nav_links(page: str) -> list[str]:
    """The hrefs of a page's nav, in order."""
    nav = re.search(r"<nav>(.*?)</nav>", page, re.S)
    assert nav is not None, page[:300]
    return re.findall(r'<a [^>]*href="([^"]+)"', nav[1])


def test_every_pages_nav_links_the_models_list(catalog_db: str) -> None:
    """The reviewer's pages linked the queue, the submit form and the API, never /models."""
    client = TestClient(create_app(catalog_db, secret_key="test-only-secret"))
    with store.connect(catalog_db).connect() as conn:
        route, model = next((e.route, e.model) for e in queries.catalog_index(conn))
    pages = ["/queue", "/sets", "/submit", "/login", f"/models/{route}/{model}", "/models"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "/models" in nav_links(response.text), path
    missing = client.get("/items/999999")
    assert missing.status_code == 404 and "/models" in nav_links(missing.text)
