"""A disagreement decided in Debian's headless Chromium (Playwright) against `ratecard serve`,
over OpenRouter's August listing (official) and LiteLLM's map (secondary) loaded together: the
item page offers each source stating a value, defaulting to keeping the value in force; a
reviewer who picks LiteLLM and approves finds LiteLLM's value in force, unverified, and the
verified value no longer in force. An item of another kind offers no such choice.

Only loopback is contacted: the app and Chromium with its background networking off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from catalog import queries, store
from catalog.views import ReviewDetail
from review.reviewers import add_reviewer
from tests.conftest import copy_catalog
from tests.observed import LITELLM, OPENROUTER_AUGUST
from tests.runs import loaded_once
from tests.test_browser import SECRET, Live, serving, sign_in
from tests.test_browser import browser as browser  # the module's Chromium fixture

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def disagreeing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """`ratecard serve` over OpenRouter's and LiteLLM's recorded values loaded together (a copy
    of the run's one such catalog, tests.runs `loaded_once`; test_faults_disagreement's is the
    same)."""
    loaded = loaded_once(tmp_path_factory, OPENROUTER_AUGUST, LITELLM)
    path = tmp_path_factory.mktemp("disagree-browser") / "catalog.db"
    db = copy_catalog(loaded, path)
    engine = store.connect(db)
    add_reviewer(engine, "alice", SECRET)
    engine.dispose()
    with serving(db) as base:
        yield Live(base, db, "")


def open_item(db: str, kind: str) -> ReviewDetail:
    """The first open item of `kind` with one field that LiteLLM states (any item for others)."""
    with store.connect(db).connect() as conn:
        listed = queries.list_reviews(conn, status="open", kind=kind)
        items = [queries.get_review(conn, i.id) for i in listed]
    for item in items:
        if item is None:
            continue
        if kind != "disagreement" or (
            len(item.changes) == 1 and any(s.source == "litellm" for s in item.changes[0].sources)
        ):
            return item
    raise AssertionError(f"the recorded data holds an open {kind} item")


def test_reviewer_takes_litellms_value_for_a_disagreement(disagreeing: Live, browser: Any) -> None:
    live = disagreeing
    item = open_item(live.db, "disagreement")
    change = item.changes[0]
    litellm = next(s.value for s in change.sources if s.source == "litellm")
    page = browser.new_context().new_page()
    sign_in(page, live)

    other = open_item(live.db, "unmapped")
    page.goto(f"{live.base}/items/{other.id}")
    assert page.locator("#approve").count() == 1
    assert page.locator("select[name=use_source]").count() == 0

    page.goto(f"{live.base}/items/{item.id}")
    choice = page.locator("form[action$='/approve'] select[name=use_source]")
    assert choice.input_value() == ""
    assert "value in force" in choice.locator("option:checked").inner_text()
    offered = choice.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert offered[0] == "" and set(offered[1:]) == {s.source for s in change.sources if s.value}
    label = choice.locator("option[value=litellm]").inner_text()
    assert "unverified" in label and litellm in label

    choice.select_option("litellm")
    page.fill("form[action$='/approve'] input[name=reason]", "LiteLLM is right here")
    page.click("#approve")
    page.wait_for_url(f"{live.base}/items/{item.id}?done=approved")
    assert page.inner_text("#status") == "approved"
    rows = page.locator("table.history tbody tr").all_inner_texts()
    assert rows[0].split("\t")[0] == litellm and "in force" in rows[0]
    assert "unverified (litellm)" in rows[0]
    assert all(change.current != r.split("\t")[0] or "in force" not in r for r in rows)

    with page.expect_navigation():
        page.click(f"a[href='/models/{item.route}/{item.model}']")
    fields = page.locator("table.fields tbody tr").all_inner_texts()
    assert any(
        r.startswith(f"{change.component}\t{litellm}\t") and "unverified (litellm)" in r
        for r in fields
    )
