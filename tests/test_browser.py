"""`ratecard serve` driven in Debian's headless Chromium (Playwright), over a catalog built by
the real refresh of OpenRouter's recorded worlds: a reviewer signs in, opens the queue, approves
a recorded price change and sees the new value in force and the old one in history; a reviewer
sees the change sets with their counts, opens OpenRouter's price changes of the run, filters
them to one model, approves that set after its preview, finds the new values in force and the
old ones in history, and pages and filters the queue; an anonymous visitor submits a source,
which is fetched from the replay server and checked; a submission whose model name is a script
renders as inert text. Over Azure Retail Prices and LiteLLM's recorded worlds: the run opens no
Azure price change (none of Azure's retail prices changed between the epochs), and a reviewer
approves Azure's new values for one model as a set.

Only loopback is ever contacted: the app, the replay server, and Chromium with its background
networking off.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from urllib.request import urlopen

import pytest

from catalog import queries, store
from review import sets
from review import submissions as submitted
from review.reviewers import add_reviewer
from review.safefetch import FetchPolicy
from schemas.vocab import units_spelled
from spiders.replay import World, serve
from tests.conftest import WORLDS, copy_catalog, replayed_catalog

pytestmark = pytest.mark.integration
CHROMIUM = Path("/usr/bin/chromium")
SECRET = "correct horse battery staple"
PAYLOAD = "<script>window.__pwned=1</script>"
ANTHROPIC = "https://platform.claude.com/docs/en/about-claude/pricing.md"


@dataclass
class Live:
    base: str
    db: str
    replay: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ratecard serve exited with {process.returncode}")
        try:
            with urlopen(f"{base}/api/sla", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("ratecard serve did not start within 30 s")


@contextmanager
def serving(db: str) -> Iterator[str]:
    """`ratecard serve --port P --db DB` in a subprocess; its base URL while it runs."""
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "ratecard"),
        "serve",
        "--port",
        str(port),
        "--db",
        db,
    ]
    env = {**os.environ, "RATECARD_SECRET_KEY": "browser-test-only"}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def live(refreshed_catalog: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """`ratecard serve --port P` on a copy of the refreshed catalog, and the replay server."""
    db = copy_catalog(refreshed_catalog, tmp_path_factory.mktemp("browser") / "catalog.db")
    add_reviewer(store.connect(db), "alice", SECRET)
    with serving(db) as base, serve(World.load(WORLDS / "epoch-2.json")) as replay:
        yield Live(base, db, replay)


@pytest.fixture(scope="module")
def azure_live(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A catalog loaded from Azure Retail Prices and LiteLLM's map as the recorded epoch-1 world
    has them (--accept-new; Azure's page 2 answers 404), then refreshed with epoch-2 (every
    page: the meters of page 2 are new values), served by `ratecard serve`. A copy of the run's
    one catalog of these refreshes (conftest's `replayed_catalog`; test_as_of_verification's and
    test_partial_source_held's are the same)."""
    both = ["azure", "litellm"]
    runs = [("epoch-1", both, True), ("epoch-2", both, False)]
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's loop
        made = pool.submit(replayed_catalog, tmp_path_factory, runs).result()
    db = copy_catalog(made, tmp_path_factory.mktemp("azure") / "catalog.db")
    add_reviewer(store.connect(db), "alice", SECRET)
    with serving(db) as base:
        yield Live(base, db, "")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


def sign_in(page: Any, live: Live) -> None:
    page.goto(f"{live.base}/login")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=secret]", SECRET)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{live.base}/queue")
    assert page.inner_text("#who") == "alice"


def recorded_price_change(db: str) -> dict[str, Any]:
    """The first open OpenRouter price change stated by OpenRouter, as the recorded world has it."""
    with store.connect(db).connect() as conn:
        first = queries.list_reviews(
            conn, status="open", kind="price_change", route="openrouter", source="openrouter"
        )[0]
        item = queries.get_review(conn, first.id)
    assert item is not None
    return item.as_json()


def test_reviewer_approves_a_recorded_price_change(live: Live, browser: Any) -> None:
    item = recorded_price_change(live.db)
    change = item["changes"][0]
    page = browser.new_context().new_page()
    sign_in(page, live)
    page.select_option("select[name=kind]", "price_change")
    page.fill("input[name=route]", "openrouter")
    with page.expect_navigation():
        page.click("button:has-text('Filter')")
    # the queue writes the stored title's unit as people do: 'USD per 1M tokens'
    page.get_by_role("link", name=units_spelled(item["title"]), exact=True).click()
    page.wait_for_url(f"{live.base}/items/{item['id']}")
    assert page.inner_text(".side-by-side td.current") == change["current"]
    assert page.inner_text(".side-by-side td.proposed") == change["proposed"]
    assert "official" in page.inner_text("table.sources")

    page.fill("form[action$='/approve'] input[name=reason]", "OpenRouter's API states it")
    page.click("#approve")
    page.wait_for_url(f"{live.base}/items/{item['id']}?done=approved")
    assert page.inner_text("#status") == "approved"
    rows = page.locator("table.history tbody tr").all_inner_texts()
    assert rows[0].split("\t")[0] == change["proposed"] and "in force" in rows[0]
    assert rows[1].split("\t")[0] == change["current"] and "2026-08-19" in rows[1]
    assert "alice (web) approve: OpenRouter's API states it" in page.inner_text("section.audit")

    with page.expect_navigation():
        page.click(f"a[href='/models/openrouter/{item['model']}']")
    fields = page.locator("table.fields tbody tr").all_inner_texts()
    history = page.locator("table.history tbody tr").all_inner_texts()
    component = change["component"]
    assert any(
        r.startswith(f"{component}\t{change['proposed']}\t") and f"review:{item['id']}" in r
        for r in fields
    )
    assert any(r.startswith(f"{component}\t{change['current']}\t") for r in history)


def test_anonymous_visitor_submits_a_source_and_a_script_stays_inert(
    live: Live, browser: Any
) -> None:
    visitor = browser.new_context().new_page()
    pricing_page = f"{live.replay}/replay?url={quote(ANTHROPIC, safe='')}"
    submit(visitor, live, "claude-sonnet-4-5", pricing_page, [("input", "3"), ("output", "16")])
    assert visitor.inner_text("#status") == "pending"
    assert "waiting to be fetched" in visitor.inner_text("dl")
    genuine = visitor.url

    submit(visitor, live, PAYLOAD, "http://10.0.0.1/pricing", [("input", "1")])
    assert visitor.inner_text(".submitted-model") == PAYLOAD
    assert visitor.evaluate("typeof window.__pwned") == "undefined"
    assert visitor.locator("script").count() == 0

    replay = urlsplit(live.replay)
    policy = FetchPolicy(allow_hosts=frozenset({f"{replay.hostname}:{replay.port}"}))
    results = submitted.process_pending(store.connect(live.db), policy)
    assert sorted(r["fetch"] for r in results) == ["fetched", "refused"]

    visitor.goto(genuine)
    assert visitor.inner_text("#status") == "open"
    checks = visitor.locator("table.checks tbody tr").all_inner_texts()
    assert "found" in checks[0] and "Claude Sonnet 4.5 | $3 / MTok" in checks[0]
    assert "not found" in checks[1]

    reviewer = browser.new_context().new_page()
    sign_in(reviewer, live)
    reviewer.goto(f"{live.base}/queue?kind=submission")
    reviewer.get_by_role(
        "link", name=f"(submitted as {PAYLOAD!r}): source refused", exact=False
    ).click()
    assert reviewer.inner_text(".submitted-model") == PAYLOAD
    assert PAYLOAD in reviewer.inner_text("#title")
    assert reviewer.evaluate("typeof window.__pwned") == "undefined"
    assert "10.0.0.1 is private" in reviewer.inner_text("section.submission")


def submit(page: Any, live: Live, model: str, url: str, claims: list[tuple[str, str]]) -> None:
    page.goto(f"{live.base}/submit")
    page.fill("input[name=route]", "anthropic")
    page.fill("input[name=model]", model)
    page.fill("input[name=source_url]", url)
    rows = page.locator("table.claims tbody tr")
    for index, (component, value) in enumerate(claims):
        rows.nth(index).locator("select[name=component]").select_option(component)
        rows.nth(index).locator("input[name=value]").fill(value)
    page.click("button:has-text('Submit')")
    page.wait_for_url(f"{live.base}/submissions/*")


def _approved(n: int) -> str:
    """The queue's message after a set decision approved n items."""
    return f"{n} item{'' if n == 1 else 's'} approved."


def _field_cell(change: dict[str, Any]) -> str:
    """A field as the model page's first column shows it: `input [scope=global]`."""
    dims: dict[str, str] = change["dimensions"]
    component: str = change["component"]
    shown = ", ".join(f"{k}={v}" for k, v in sorted(dims.items()))
    return component + (f" [{shown}]" if dims else "")


def test_reviewer_approves_official_price_changes_as_a_set_and_pages_the_queue(
    live: Live, browser: Any
) -> None:
    """Issue 10's walk through the queue, on the official price changes the recorded epochs
    really hold: OpenRouter's API restates prices between epoch-1 and epoch-2 (Azure's retail
    prices did not change between them: see the Azure test below)."""
    engine = store.connect(live.db)
    found = [
        s
        for s in sets.list_sets(engine)
        if (s["kind"], s["route"], s["lead_source"]) == ("price_change", "openrouter", "openrouter")
    ]
    assert len(found) == 1, found
    change_set = found[0]
    members = [i.as_json() for i in sets.items(engine, sets.Selection(change_set["id"]))]
    per_model = Counter(i["model"] for i in members)
    model = max(sorted(per_model), key=per_model.__getitem__)
    chosen = [i for i in members if i["model"] == model]
    assert len(chosen) > 1 and len(per_model) > 1

    page = browser.new_context().new_page()
    sign_in(page, live)
    page.click("a:has-text('Change sets')")
    page.wait_for_url(f"{live.base}/sets")
    assert int(page.inner_text("#range").split(" of ")[1]) == len(sets.list_sets(engine))
    page.select_option("select[name=kind]", "price_change")
    with page.expect_navigation():
        page.click("button:has-text('Filter')")
    label = f"openrouter: price changes from OpenRouter models API, run {change_set['run_id']}"
    row = page.locator("table.sets tbody tr", has=page.get_by_role("link", name=label, exact=True))
    assert row.locator("td.items").inner_text() == str(len(members))
    assert row.locator("td.fields").inner_text() == str(sum(len(i["changes"]) for i in members))
    row.get_by_role("link", name=label, exact=True).click()
    assert page.inner_text("#title") == label

    page.select_option("select[name=model]", model)
    with page.expect_navigation():  # a form's GET: read the page it leads to, not this one
        page.click("#filter")
    assert set(page.locator("table.set td.model").all_inner_texts()) == {model}
    page.fill("#reason", "OpenRouter's API states it")
    with page.expect_navigation():
        page.click("#preview-approve")
    previewed = page.locator("table.preview tbody tr").all_inner_texts()
    assert len(previewed) == sum(len(i["changes"]) for i in chosen)
    page.click("#confirm")
    assert page.inner_text("#message") == _approved(len(chosen))

    page.goto(f"{live.base}/models/openrouter/{model}")
    fields = page.locator("table.fields tbody tr").all_inner_texts()
    history = page.locator("table.history tbody tr").all_inner_texts()
    for item in chosen:
        for change in item["changes"]:
            cell = _field_cell(change)
            assert any(
                r.startswith(f"{cell}\t{change['proposed']}\t") and f"review:{item['id']}" in r
                for r in fields
            ), (cell, fields)
            assert any(r.startswith(f"{cell}\t{change['current']}\t") for r in history)

    page.goto(f"{live.base}/queue")
    heading = page.inner_text("#range")
    assert heading.startswith("1–200 of ")
    open_total = int(heading.split(" of ")[1])
    assert open_total > 200
    page.click("#next")
    assert page.inner_text("#range") == f"201–{min(400, open_total)} of {open_total}"
    other = next(i["model"] for i in sets.list_sets(engine) if i["kind"] == "new_model")
    page.fill("input[name=model]", other)
    with page.expect_navigation():
        page.click("button:has-text('Filter')")
    assert page.inner_text("#range").startswith("1–")
    assert set(page.locator("table.queue td.model").all_inner_texts()) == {other}


def test_azure_meters_first_read_in_epoch_2_are_a_new_value_set_a_reviewer_approves(
    azure_live: Live, browser: Any
) -> None:
    """Azure's epoch-2 answer restates every meter of epoch-1 at the same price and effective
    date; it adds the meters of page 2, which epoch-1 never read (404). So the run opens no
    Azure price-change set: its Global o1-mini prices (1.1 input, 0.55 cache read, in force
    since 2025-04-01) are new values beside LiteLLM's bare azure/o1-mini, which states the
    Regional meter's 1.21 and 0.605. Approving Azure's set for o1-mini puts the Global prices in
    force and leaves the Regional ones as they were: nothing of o1-mini goes to history."""
    engine = store.connect(azure_live.db)
    every = sets.list_sets(engine)
    assert not [
        s
        for s in every
        if (s["kind"], s["route"], s["lead_source"]) == ("price_change", "azure", "azure")
    ]
    [change_set] = [
        s
        for s in every
        if (s["kind"], s["route"], s["lead_source"]) == ("new_value", "azure", "azure")
    ]
    members = [i.as_json() for i in sets.items(engine, sets.Selection(change_set["id"]))]
    model = "o1-mini"
    chosen = [i for i in members if i["model"] == model]
    assert chosen and len({i["model"] for i in members}) > 1

    page = browser.new_context().new_page()
    sign_in(page, azure_live)
    page.click("a:has-text('Change sets')")
    page.wait_for_url(f"{azure_live.base}/sets")
    assert int(page.inner_text("#range").split(" of ")[1]) == len(every)
    page.select_option("select[name=kind]", "price_change")
    with page.expect_navigation():
        page.click("button:has-text('Filter')")
    assert "Azure Retail Prices" not in page.inner_text("table.sets tbody")
    page.select_option("select[name=kind]", "new_value")
    with page.expect_navigation():
        page.click("button:has-text('Filter')")
    title = "Azure Retail Prices (Foundry Models)"
    label = f"azure: new values from {title}, run {change_set['run_id']}"
    row = page.locator("table.sets tbody tr", has=page.get_by_role("link", name=label, exact=True))
    assert row.locator("td.items").inner_text() == str(len(members))
    assert row.locator("td.fields").inner_text() == str(sum(len(i["changes"]) for i in members))
    row.get_by_role("link", name=label, exact=True).click()
    assert page.inner_text("#title") == label

    page.select_option("select[name=model]", model)
    with page.expect_navigation():  # a form's GET: read the page it leads to, not this one
        page.click("#filter")
    assert set(page.locator("table.set td.model").all_inner_texts()) == {model}
    page.fill("#reason", "Azure Retail Prices states it")
    with page.expect_navigation():
        page.click("#preview-approve")
    previewed = page.locator("table.preview tbody tr").all_inner_texts()
    assert len(previewed) == sum(len(i["changes"]) for i in chosen)
    page.click("#confirm")
    assert page.inner_text("#message") == _approved(len(chosen))

    page.goto(f"{azure_live.base}/models/azure/{model}")
    fields = page.locator("table.fields tbody tr").all_inner_texts()
    proposed = {
        (_field_cell(change), change["proposed"]): item["id"]
        for item in chosen
        for change in item["changes"]
    }
    assert {("input [scope=global]", "1.1"), ("cache_read [scope=global]", "0.55")} <= set(proposed)
    for (cell, value), item_id in proposed.items():
        assert any(
            r.startswith(f"{cell}\t{value}\t") and f"review:{item_id}" in r for r in fields
        ), (cell, fields)
    # LiteLLM's bare o1-mini prices confirm the eastus2 Regional meters' own fields
    for cell, value in (
        ("input [region=eastus2, scope=regional]", "1.21"),
        ("cache_read [region=eastus2, scope=regional]", "0.605"),
    ):
        assert any(r.startswith(f"{cell}\t{value}\t") and "litellm" in r for r in fields), cell
    assert page.locator("table.history tbody tr").all_inner_texts() == ["No earlier values."]
