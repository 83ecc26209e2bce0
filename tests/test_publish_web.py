"""The published catalog over HTTP, in-process: the cost API, the paged values API, exports,
the Atom feed of accepted changes (parsed with feedparser), /docs served offline, and
`ratecard publish`'s static files."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import feedparser
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from catalog import queries, reader, store
from ratecard.cli import app as cli
from review import decisions
from tests.conftest import approve_an_openrouter_change, copy_catalog
from tests.published import epoch2_catalog
from webapp import create_app, static_site

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def db(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> str:
    source = epoch2_catalog(tmp_path_factory)
    return copy_catalog(source, tmp_path_factory.mktemp("web") / "catalog.db")


@pytest.fixture(scope="module")
def client(db: str) -> TestClient:
    return TestClient(create_app(db, secret_key="test-only-secret"))


def test_cost_api_prices_the_seed_workload_and_refuses_unknown_prices(client: TestClient) -> None:
    query = "route=azure&model=gpt-image-2&input_tokens=3000&output_tokens=400"
    body = client.get(f"/api/cost?{query}&requests_per_day=5000").json()
    assert (body["per_request"], body["per_day"], body["per_month"]) == (
        "0.019",
        "95",
        "2891.5625",
    )
    assert [line["provenance"] for line in body["lines"]] == [
        "verified 2026-08-14 by azure",
        "unverified, stated by litellm",
    ]
    refused = client.get(f"/api/cost?{query}&cached_tokens=100&cache_write_tokens=10")
    assert refused.status_code == 422
    assert refused.json()["detail"]["component"] == "cache_write"
    images = client.get(
        "/api/cost?route=azure&model=gpt-image-1-mini&input_tokens=0&output_tokens=0"
        "&images=high:1024x1024:3"
    ).json()
    line = images["lines"][0]
    assert (line["price"], line["amount"], line["unit"]) == ("0.03328", "0.09984", "usd_per_image")
    assert line["derived"].startswith("derived: 0.00000003173828125 per pixel")
    bad = client.get(
        "/api/cost?route=azure&model=gpt-image-2&input_tokens=1&output_tokens=1&images=x"
    )
    assert bad.status_code == 422 and "QUALITY:SIZE:N" in bad.text


def test_values_api_pages_through_everything_once(client: TestClient) -> None:
    first = client.get("/api/values?model=gpt-image-1-mini&limit=7").json()
    seen: list[dict[str, Any]] = list(first["values"])
    following = first["next"]
    while following:
        page = client.get(following).json()
        assert page["total"] == first["total"]
        seen.extend(page["values"])
        following = page["next"]
    assert len(seen) == first["total"] > 7
    keys = {(v["route"], v["component"], v["unit"], json.dumps(v["dimensions"])) for v in seen}
    assert len(keys) == len(seen)
    assert all(v["model"] == "gpt-image-1-mini" and "provenance" in v for v in seen)
    verified = client.get("/api/values?model=gpt-image-1-mini&verified_only=true&limit=500")
    assert 0 < verified.json()["total"] < first["total"]
    assert client.get("/api/values?limit=100000").status_code == 422


def test_exports_over_http(client: TestClient) -> None:
    csv_text = client.get("/api/export/csv?verified_only=true").text
    assert csv_text.startswith("route,model,kind,component,unit,dimensions,value,")
    litellm = client.get("/api/export/litellm?verified_only=true").json()
    gpt_image_2 = litellm["azure/global-standard/gpt-image-2"]  # Azure's Global Standard price
    assert gpt_image_2["input_cost_per_token"] == pytest.approx(5e-06)
    assert "output_cost_per_token" not in gpt_image_2  # LiteLLM's word only: not verified
    sidecar = client.get("/api/export/litellm/provenance?verified_only=true").json()
    provenance = sidecar["fields"]["azure/global-standard/gpt-image-2"]["input_cost_per_token"]
    assert provenance["verified_by"] == "azure"
    assert client.get("/api/export/xml").status_code == 404


def test_docs_render_from_the_apps_own_files(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/docs-assets/swagger-ui-bundle.js" in page.text
    assert "http" not in page.text.split("<script", 1)[0].replace("http-equiv", "")
    assert "cdn" not in page.text
    script = client.get("/docs-assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text
    assert client.get("/docs-assets/swagger-ui.css").status_code == 200
    assert client.get("/docs-assets/../__init__.py").status_code == 404
    assert "/api/cost" in client.get("/openapi.json").json()["paths"]


def test_feed_lists_an_approved_change(catalog_db: str) -> None:
    _, item = approve_an_openrouter_change(catalog_db)
    change = item.changes[0]
    client = TestClient(create_app(catalog_db, secret_key="test-only-secret"))
    response = client.get("/feed.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.text)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "ratecard: accepted catalog changes"
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.title.startswith(f"openrouter/{item.model} {change.component.value}")
    assert f"{change.current} → {change.proposed}" in entry.title
    assert entry.link.endswith(f"/models/openrouter/{item.model}")
    assert "Approved by alice: OpenRouter's API states it" in entry.summary


def test_feed_leaves_out_an_approval_that_was_undone(catalog_db: str) -> None:
    """Approved, undone, then rejected: the value the approval opened was never in force (undo
    retracts it), so the feed lists no accepted change, under the later decision's words or any."""
    engine, item = approve_an_openrouter_change(catalog_db)
    client = TestClient(create_app(catalog_db, secret_key="test-only-secret"))
    assert len(feedparser.parse(client.get("/feed.atom").text).entries) == 1
    decisions.undo(engine, item.id, reviewer="alice", reason="approved too soon")
    decisions.reject(engine, item.id, reviewer="alice", reason="not yet")
    feed = feedparser.parse(client.get("/feed.atom").text)
    assert not feed.bozo and feed.entries == []


def test_publish_writes_pages_that_need_no_server(db: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = CliRunner().invoke(
        cli, ["publish", str(site), "--model", "gpt-image-1-mini", "--db", db]
    )
    assert result.exit_code == 0, result.output
    index = (site / "index.html").read_text()
    assert 'href="models/gpt-image-1-mini.html"' in index
    assert 'href="static/style.css"' in index
    page = (site / "models" / "gpt-image-1-mini.html").read_text()
    assert 'href="../static/publish.css"' in page and "<script" not in page
    assert "derived from 0.00000003173828125 per pixel" in page
    for href in ("../static/style.css", "../index.html"):
        assert (site / "models" / href).resolve().exists()
    values = json.loads((site / "catalog.json").read_text())["values"]
    assert any(Decimal(v["value"]) == Decimal("0.036") for v in values)
    assert (site / "model_prices_and_context_window.provenance.json").exists()
    again = CliRunner().invoke(cli, ["publish", str(site), "--model", "gpt-image-2", "--db", db])
    assert again.exit_code == 0, again.output  # a site publish wrote is rewritten
    assert 'href="models/gpt-image-2.html"' in (site / "index.html").read_text()


def test_the_cheapest_route_is_one_whose_prices_are_verified(db: str) -> None:
    """claude-sonnet-4-5: resellers only aggregators price state less than Anthropic's own page;
    the ranking names a route whose every price is verified first, and lists the others after,
    marked unverified."""
    from datetime import UTC, datetime

    from webapp.catalog_view import model_view

    with store.connect(db).connect() as conn:
        view = model_view(conn, "claude-sonnet-4-5", datetime.now(UTC))
    assert view is not None
    priced = view["cheapest"]["priced"]
    verified = [p["verified"] for p in priced]
    assert verified[0] and False in verified
    assert verified == sorted(verified, reverse=True)
    assert any(not p["verified"] and p["per_request"] < priced[0]["per_request"] for p in priced)
    page = TestClient(create_app(db, secret_key="test-only-secret")).get(
        "/models/claude-sonnet-4-5"
    )
    assert "cheapest verified" in page.text and "unverified</span>" in page.text


def test_a_model_pages_submit_link_prefills_the_form(client: TestClient) -> None:
    page = client.get("/models/gpt-image-2").text
    link = re.search(r'href="/submit\?route=([^&"]+)&amp;model=([^"]+)" id="submit-source"', page)
    assert link and link[2] == "gpt-image-2"
    form = client.get(f"/submit?route={link[1]}&model=gpt-image-2").text
    assert f'name="route" value="{link[1]}"' in form
    assert 'name="model" value="gpt-image-2"' in form


def test_get_routes_answer_head(client: TestClient) -> None:
    """HEAD is GET without the body (RFC 9110): pages and the API answer it, not 405."""
    for path in ("/models", "/models/gpt-image-2", "/api/values?limit=1", "/feed.atom"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["content-length"] == str(len(got.content))
    assert client.head("/api/submissions").status_code == 405  # POST only: no GET to mirror


def test_a_model_page_counts_its_routes_and_never_shows_an_empty_ladder(client: TestClient) -> None:
    """'sold by 1 routes' was on every single-route page, and a model no route prices per token
    (an image or speech model) showed the ladder's heading row over an empty table."""
    routes: dict[str, list[str]] = {}
    for entry in client.get("/api/catalog").json():
        routes.setdefault(entry["model"], []).append(entry["route"])
    single = sorted(m for m, r in routes.items() if len(r) == 1)[:3]
    assert single
    for model in [*single, "dall-e-3", "tts-1"]:
        page = client.get(f"/models/{model}")
        assert page.status_code == 200, model
        count = len(routes[model])
        assert f"sold by {count} route{'s' if count > 1 else ''}: " in page.text, model
        ladder = re.search(r'<section class="ladder">(.*?)</section>', page.text, re.S)
        assert ladder, model
        if "<tbody>" in ladder[1]:
            assert re.search(r"<tbody>\s*<tr>", ladder[1]), f"{model}: an empty ladder"
        else:
            assert "No route states a token price" in ladder[1], model


def test_publishing_again_leaves_no_page_the_new_site_does_not_link(
    db: str, tmp_path: Path
) -> None:
    """A site published over an older one held every page of the old one: a model no longer
    published (dropped from --model, or gone from the catalog) kept its page and its old prices
    on the public site, linked from nowhere. Pages are the site's own: whatever else is in the
    folder stays."""
    site = tmp_path / "site"
    first = ["gpt-image-1-mini", "gpt-image-2"]
    result = CliRunner().invoke(
        cli, ["publish", str(site), *(a for m in first for a in ("--model", m)), "--db", db]
    )
    assert result.exit_code == 0, result.output
    assert (site / "models" / "gpt-image-2.html").exists()
    notes = site / "README.txt"
    notes.write_text("the host's own file")
    again = CliRunner().invoke(cli, ["publish", str(site), "--model", first[0], "--db", db])
    assert again.exit_code == 0, again.output
    pages = sorted(p.name for p in (site / "models").iterdir())
    assert pages and all(
        p.startswith(f"{first[0]}.") or p.startswith(f"{first[0]}-") for p in pages
    )
    assert notes.read_text() == "the host's own file"


def test_publishing_again_keeps_the_hosts_files_in_the_sites_folders(
    db: str, tmp_path: Path
) -> None:
    """A new user's session: a second publish replaced the site's models and static folders
    whole, so a favicon or style sheet the host had put in static/, and a robots.txt or a
    folder of its own in models/, were deleted without a word, though the README says the
    files the site does not write stay. Only the old site's pages and charts (models/*.html,
    models/*.svg) go with it."""
    site = tmp_path / "site"
    first = CliRunner().invoke(
        cli, ["publish", str(site), "--model", "gpt-image-2", "--model", "gpt-4o", "--db", db]
    )
    assert first.exit_code == 0, first.output
    mine = {
        "static/favicon.ico": b"icon",
        "static/host.css": b"body {}",
        "models/robots.txt": b"User-agent: *",
        "models/.htaccess": b"Options -Indexes",
        "models/extra/note.txt": b"kept",
    }
    for name, body in mine.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(body)
    again = CliRunner().invoke(cli, ["publish", str(site), "--model", "gpt-image-2", "--db", db])
    assert again.exit_code == 0, again.output
    assert {name: (site / name).read_bytes() for name in mine if (site / name).is_file()} == mine
    assert not [p for p in (site / "models").iterdir() if p.name.startswith("gpt-4o")]
    assert (site / "models" / "gpt-image-2.html").is_file()
    assert not [p for p in site.rglob("*") if p.name.startswith(static_site.STAGE_PREFIX)]


def test_a_publish_stopped_halfway_leaves_the_site_that_was_there(db: str, tmp_path: Path) -> None:
    """A new user's session: `publish` interrupted after 8 s left an index linking 306 pages
    it had not written yet, and none of the exports. The site is written whole beside the
    old one and put up at the end: stopped halfway, the old site is there file for file, and
    nothing of the new one."""
    site = tmp_path / "site"
    first = CliRunner().invoke(cli, ["publish", str(site), "--model", "gpt-image-2", "--db", db])
    assert first.exit_code == 0, first.output

    def files() -> dict[str, bytes]:
        return {
            str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()
        }

    before = files()
    assert "catalog.json" in before and "models/gpt-image-2.html" in before

    def stop(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    engine = store.open_catalog(db)
    with pytest.raises(KeyboardInterrupt):
        static_site.publish(engine, site, reader.as_of(None), None, stop)
    engine.dispose()
    assert files() == before
    assert sorted(p.name for p in site.iterdir()) == sorted({name.split("/")[0] for name in before})
    again = CliRunner().invoke(cli, ["publish", str(site), "--db", db])
    assert again.exit_code == 0, again.output
    index = (site / "index.html").read_text()
    linked = set(re.findall(r'href="(models/[^"#?]+)"', index))
    assert len(linked) > 100 and all((site / html.unescape(link)).is_file() for link in linked)
    assert not [p for p in site.iterdir() if p.name.startswith(static_site.STAGE_PREFIX)]


def test_a_model_pages_modalities_read_the_one_capability_vocabulary(client: TestClient) -> None:
    """Fault round 20 (the read side): /models/MODEL listed only values named like `pdf_input`
    as modalities, so claude-sonnet-4-5, priced for text and flagged for vision on every
    route, read "in pdf, out unknown" while `show` answered text, image and file in; and
    gpt-image-2, priced per image out, had no image output. The page reads the values in force
    as `show` reads statements (schemas/capabilities.py): a flag meaning a modality, a price of
    a modality's tokens or of images out."""
    sonnet = client.get("/models/claude-sonnet-4-5").text
    stated_in = re.search(r'<dd id="modalities-in">(.*?)</dd>', sonnet, re.S)
    assert stated_in is not None
    assert {"text", "image", "file"} <= set(re.findall(r"(\w+) \(", stated_in[1]))
    image = client.get("/models/gpt-image-2").text
    stated_out = re.search(r'<dd id="modalities-out">(.*?)</dd>', image, re.S)
    assert stated_out is not None
    assert "image" in re.findall(r"(\w+) \(", stated_out[1])


def test_who_agrees_reads_latest_first_whatever_the_database(db: str) -> None:
    """Fault round 20 (SQLite beside PostgreSQL): a value's corroborating sources came in the
    order the database grouped them, so `show` and `routes` listed them differently on each.
    They read latest first, then by source; on epoch-2, portkey (2026-08-21) before litellm
    (2026-07-18), which the alphabet orders the other way."""
    with store.connect(db).connect() as conn:
        agreeing = [
            [(s.observed_at, s.source) for s in field.corroborated_by]
            for route, model in (("azure", "gpt-4o-mini"), ("anthropic", "claude-sonnet-4-5"))
            for field in queries.model_view(conn, route, model).fields
        ]
    for found in agreeing:
        by_source = sorted(found, key=lambda s: s[1])
        assert found == sorted(by_source, key=lambda s: s[0] or "", reverse=True)
    assert any(
        [s for _, s in found].index("portkey") < [s for _, s in found].index("litellm")
        for found in agreeing
        if {"portkey", "litellm"} <= {s for _, s in found}
    )


def test_a_model_pages_flags_are_the_ones_show_answers(db: str) -> None:
    """Fault round 21: the cross-route page listed ten flags of its own (response_schema,
    tool_choice, system_messages...), so OpenRouter's `structured_outputs` read unknown there
    while `show` answered structured_output yes, and audio and streaming were never shown. The
    page's flags are the vocabulary's ten, in `show`'s order, and a route whose sources all
    say yes to a flag in `show` says yes on the page."""
    from datetime import UTC, datetime

    from webapp.catalog_view import model_view

    model = "claude-sonnet-4-5"
    with store.connect(db).connect() as conn:
        page = model_view(conn, model, datetime.now(UTC))
        assert page is not None
        routes = sorted({route for row in page["capabilities"] for route in row["routes"]})
        shown = {
            route: queries.model_view(conn, route, model).capabilities.flags for route in routes
        }
    rows = {row["flag"]: row["routes"] for row in page["capabilities"]}
    assert list(rows) == [answer.name for answer in next(iter(shown.values()))]
    agreed = [
        (answer.name, route)
        for route, answers in shown.items()
        for answer in answers
        if answer.value and not answer.disputed
    ]
    assert ("structured_output", "openrouter") in agreed
    for flag, route in agreed:
        assert rows[flag].get(route, {}).get("state") == "yes", (flag, route)


def test_a_value_no_official_source_verified_is_not_corroborated_by_its_own_source(
    db: str,
) -> None:
    """A new user's pass: azure/gpt-image-1-mini's per-pixel prices, let in from LiteLLM alone
    and unverified, read "corroborated by litellm" in `show`: the source a value came from
    agreeing with itself. Corroboration is another source's agreement (DESIGN.md)."""
    with store.connect(db).connect() as conn:
        fields = queries.model_view(conn, "azure", "gpt-image-1-mini").fields
    unverified = [f for f in fields if f.verified_by is None]
    assert any(f.accepted_source == "litellm" for f in unverified)
    for f in unverified:
        assert f.accepted_source not in {s.source for s in f.corroborated_by}


@pytest.mark.parametrize(
    "renamed",
    ["gpt-image-1-mini?x#y", "=HYPERLINK(gpt-image-1-mini)", "通义千问" * 12 + "-mini"],
    ids=["query", "formula", "long"],
)
def test_a_hostile_model_name_is_linked_published_and_exported_as_text(
    db: str, tmp_path: Path, renamed: str
) -> None:
    """Fault round 31: names a source may write (the catalog takes 1 to 300 printable
    characters). The recorded catalog's gpt-image-1-mini renamed: web links quote it (an
    `a?b#c` link opened another page), `publish` writes its page under a file name the file
    system takes (48 Chinese characters failed the whole site, half written), and the CSV
    export writes a formula-like name as text (`=HYPERLINK(...)` ran in a spreadsheet)."""
    copy = copy_catalog(Path(db.removeprefix("sqlite:///")), tmp_path / "catalog.db")
    with store.connect(copy).begin() as conn:
        conn.exec_driver_sql(
            "UPDATE catalog_values SET model = ? WHERE model = 'gpt-image-1-mini'", (renamed,)
        )
    index = TestClient(create_app(copy, secret_key="test-only-secret")).get("/models").text
    assert f'/models/{quote(renamed)}"' in index.replace("&amp;", "&")
    site = tmp_path / "site"
    result = CliRunner().invoke(cli, ["publish", str(site), "--model", renamed, "--db", copy])
    assert result.exit_code == 0, result.output
    [page] = (site / "models").glob("*.html")
    assert f'href="models/{page.name}"' in (site / "index.html").read_text()
    assert renamed in page.read_text() or html.escape(renamed) in page.read_text()
    exported = CliRunner().invoke(cli, ["export", "csv", "--db", copy])
    assert exported.exit_code == 0, exported.output
    table = list(csv.reader(io.StringIO(exported.output)))
    rows = [row for row in table if len(row) > 1 and renamed in row[1]]
    assert rows and {row[1] for row in rows} == {
        f"'{renamed}" if renamed.startswith("=") else renamed
    }


def test_a_price_history_chart_is_the_same_bytes_each_time_and_has_no_script(
    client: TestClient,
) -> None:
    """pygal writes a random id, the day it drew and an inline script into every chart: a site
    published again rewrote every chart of an unchanged history, and the site that has no
    scripts served one in each. The same history draws the same bytes; its style still selects
    the chart by its id."""
    url = "/models/gpt-4o/history.svg?component=input"
    first, second = client.get(url), client.get(url)
    assert first.status_code == 200 and first.headers["content-type"].startswith("image/svg")
    assert first.content == second.content
    svg = first.text
    assert "<script" not in svg and "Generated with pygal" not in svg
    [chart_id] = re.findall(r'<svg [^>]*id="(chart-[0-9a-f-]{36})"', svg)
    assert f"#{chart_id}" in svg  # the style sheet's selectors name the same id
