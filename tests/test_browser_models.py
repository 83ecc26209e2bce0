"""The model pages in Debian's headless Chromium (Playwright) over the recorded epoch-2 catalog:
the index finds gpt-image-1-mini by search; its page shows the routes side by side with their
verified dates, OpenAI's 9-cell per-image grid as a grid, Azure's per-image prices derived from
its per-pixel values and marked derived, the cheapest route, the ten flags and the modalities;
screenshots of its page and of gpt-image-2's; and `ratecard publish`'s pages open from the
folder with no server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ratecard.cli import app as cli
from tests.conftest import copy_catalog
from tests.published import epoch2_catalog
from tests.test_browser import CHROMIUM, _free_port, _wait_until_up

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def site(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`ratecard serve` over a copy of the epoch-2 catalog: (base URL, database URL)."""
    db = copy_catalog(
        epoch2_catalog(tmp_path_factory), tmp_path_factory.mktemp("models") / "catalog.db"
    )
    port = _free_port()
    command = [str(Path(sys.executable).parent / "ratecard"), "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--db", db],
        env={**os.environ, "RATECARD_SECRET_KEY": "browser-test-only"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base, db
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, with its background networking off."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


def test_search_finds_gpt_image_1_mini_and_its_page_tells_everything(
    site: tuple[str, str], browser: Any, tmp_path: Path
) -> None:
    base, _ = site
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(f"{base}/models")
    page.fill("input[name=q]", "gpt-image-1-mini")
    page.click("button:has-text('Search')")
    page.wait_for_url("**/models?q=gpt-image-1-mini*")
    links = page.locator("a.model-link").all_inner_texts()
    assert "gpt-image-1-mini" in links
    page.get_by_role("link", name="gpt-image-1-mini", exact=True).click()
    page.wait_for_url(f"{base}/models/gpt-image-1-mini")
    assert page.locator("script").count() == 0

    routes = page.locator("table.ladder thead th.route").all_inner_texts()
    assert {"openai", "azure", "vercel", "openrouter"} <= set(routes)
    ladder = page.inner_text("table.ladder")
    for dated in (
        "verified 2025-12-17 by openai-page",
        "verified 2026-08-14 by azure",
        "verified 2026-04-02 by vercel",
        "verified 2026-08-19 by openrouter",
    ):
        assert dated in ladder

    grid = page.locator("#grid-openai table.image-grid")
    assert grid.locator("thead th").all_inner_texts()[1:] == ["1024x1024", "1024x1536", "1536x1024"]
    assert grid.locator("tbody th").all_inner_texts() == ["low", "medium", "high"]
    cells = grid.locator("tbody td")
    assert cells.count() == 9
    assert cells.nth(8).locator(".price").inner_text() == "0.052"

    azure = page.locator("#grid-azure table.image-grid tbody td")
    assert azure.count() == 9
    assert azure.locator(".price.derived").count() == 9
    assert "derived from 0.00000003173828125 per pixel" in azure.nth(6).inner_text()
    assert azure.nth(6).locator(".price").inner_text() == "0.03328"

    cheapest = page.locator("table.cheapest tr.cheapest-route").inner_text()
    assert "cheapest" in cheapest
    flags = page.locator("table.flags tbody th").all_inner_texts()
    assert len(flags) == 10 and "vision" in flags and "pdf_input" in flags
    assert "unknown" in page.inner_text("table.flags")
    assert "text" in page.inner_text("#modalities-in")
    assert "image" in page.inner_text("#modalities-out")
    assert page.get_attribute("#submit-source", "href") == (
        "/submit?route=azure&model=gpt-image-1-mini"
    )
    shot = tmp_path / "gpt-image-1-mini.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000

    page.goto(f"{base}/models/gpt-image-2")
    assert page.inner_text("#model") == "gpt-image-2"
    assert "azure" in page.locator("table.ladder thead th.route").all_inner_texts()
    other = tmp_path / "gpt-image-2.png"
    page.screenshot(path=str(other), full_page=True)
    assert other.stat().st_size > 50_000


def test_published_pages_open_from_the_folder(
    site: tuple[str, str], browser: Any, tmp_path: Path
) -> None:
    _, db = site
    folder = tmp_path / "site"
    result = CliRunner().invoke(
        cli, ["publish", str(folder), "--model", "gpt-image-1-mini", "--db", db]
    )
    assert result.exit_code == 0, result.output
    page = browser.new_context(offline=True).new_page()
    page.goto((folder / "index.html").as_uri())
    page.click("a.model-link:has-text('gpt-image-1-mini')")
    page.wait_for_load_state("load")  # the stylesheet too, not only the document (a CI run
    # read the header's colour before the sheet was applied)
    assert page.url.endswith("/models/gpt-image-1-mini.html")
    assert page.locator("#grid-openai table.image-grid tbody td").count() == 9
    css = page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")
    assert css == "rgb(31, 42, 68)"  # the stylesheet loaded from the folder
