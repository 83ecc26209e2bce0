"""The queue at scale over a real refreshed catalog (OpenRouter's recorded epoch-1 → epoch-2),
driven in-process: /api/queue pages through every open item (none twice, none missing), filters
and sorts; the web queue pages and filters by model; a change set is previewed, then decided
exactly as previewed; the promise header counts submissions apart from machine items."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from catalog import queries, store
from catalog.tables import review_items
from review import sets
from review import submissions as submitted
from review.reviewers import add_reviewer
from webapp import create_app
from webapp.queue_pages import SET_PAGE

pytestmark = pytest.mark.integration
SECRET = "correct horse battery staple"
# the refreshed catalog's second run: SQLite run ids start at 32,768 (migration 0010)
EPOCH_2_RUN = 2**15 + 1
PRICE_CHANGES = f"{EPOCH_2_RUN}:openrouter:openrouter:price_change"


@pytest.fixture
def app(catalog_db: str) -> Any:
    add_reviewer(store.connect(catalog_db), "alice", SECRET)
    return create_app(catalog_db, secret_key="test-only-secret")


def open_ids(app: Any, **criteria: Any) -> list[int]:
    with app.state.engine.connect() as conn:
        page = queries.queue_page(conn, queries.QueueFilter(**criteria), limit=100_000)
    return [i.id for i in page.items]


def walk(client: TestClient, url: str) -> tuple[list[int], int]:
    """Follow the API's Link rel=next from `url` to the end: every id seen, and the total."""
    seen: list[int] = []
    total = -1
    next_url: str | None = url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        total = int(response.headers["X-Total-Count"])
        seen += [i["id"] for i in response.json()]
        link = response.headers.get("Link")
        next_url = re.match(r'<([^>]+)>; rel="next"', link)[1] if link else None  # type: ignore[index]
    return seen, total


def test_api_pages_through_every_open_item_once(app: Any) -> None:
    client = TestClient(app)
    expected = open_ids(app)
    assert len(expected) > 200
    for sort in ("due", "priority", "model", "id"):
        seen, total = walk(client, f"/api/queue?limit=97&sort={sort}")
        assert total == len(expected)
        assert len(seen) == len(set(seen)) == len(expected), sort
        assert set(seen) == set(expected)
    by_model, _ = walk(client, "/api/queue?limit=50&sort=model&desc=true")
    models = [m for m in (client.get(f"/api/queue/{i}").json()["model"] for i in by_model[:60])]
    assert models == sorted(models, reverse=True)
    assert client.get("/api/queue?sort=nonsense").status_code == 422


def test_api_filters(app: Any) -> None:
    client = TestClient(app)
    model = client.get("/api/queue?kind=price_change&limit=1").json()[0]["model"]
    for query, criteria in (
        (f"model={model}", {"model": model}),
        ("kind=new_model", {"kind": "new_model"}),
        ("source=openrouter&kind=disagreement", {"source": "openrouter", "kind": "disagreement"}),
        ("priority=2", {"priority": 2}),
        ("priority=P2", {"priority": 2}),  # as the pages show it (it was a 422 here)
        (f"set={PRICE_CHANGES}", {"set_id": PRICE_CHANGES}),
    ):
        seen, total = walk(client, f"/api/queue?limit=1000&{query}")
        assert seen == open_ids(app, **criteria) and total == len(seen), query
    found, _ = walk(client, f"/api/queue?q={model.upper()}")
    assert found and all(model in client.get(f"/api/queue/{i}").json()["title"] for i in found)
    sets = client.get("/api/sets?kind=price_change").json()
    entry = next(s for s in sets if s["id"] == PRICE_CHANGES)
    assert entry["items"] == len(open_ids(app, set_id=PRICE_CHANGES))


def test_web_queue_pages_sorts_and_filters_by_model(app: Any) -> None:
    client = TestClient(app)
    first = client.get("/queue")
    total = len(open_ids(app))
    assert f"1–200 of {total}" in first.text
    ids = [int(i) for i in re.findall(r'<a href="/items/(\d+)">', first.text)]
    assert ids == open_ids(app)[:200]
    following = re.search(r'<a href="([^"]+)" id="next">', first.text)
    assert following
    second = client.get(following[1].replace("&amp;", "&"))
    assert f"201–{min(400, total)} of {total}" in second.text
    assert [int(i) for i in re.findall(r'<a href="/items/(\d+)">', second.text)] == open_ids(app)[
        200:400
    ]
    # a priority as every page shows it ("P2") filters as the number does
    shown, number = (client.get("/queue", params={"priority": p}) for p in ("P2", "2"))
    assert shown.status_code == number.status_code == 200
    assert (
        re.findall(r'<a href="/items/(\d+)">', shown.text)
        == re.findall(r'<a href="/items/(\d+)">', number.text)
        != []
    )
    model = client.get("/api/queue?kind=new_model&limit=1").json()[0]["model"]
    only = client.get("/queue", params={"model": model})
    cells = re.findall(r'<td class="model">([^<]*)</td>', only.text)
    assert cells and set(cells) == {model}
    by_kind = client.get("/queue?sort=kind&desc=1")
    kinds = re.findall(
        r"<td>(price_change|new_model|new_value|disagreement|anomaly|unmapped|missing)</td>",
        by_kind.text,
    )
    assert kinds == sorted(kinds, reverse=True)
    counts = re.search(r'<p class="counts" id="counts">(.*?)</p>', first.text, re.S)
    assert counts and f"price_change ({len(open_ids(app, kind='price_change'))})" in counts[1]


def test_the_queue_header_counts_submissions_apart(app: Any) -> None:
    engine = app.state.engine
    now = datetime.now(UTC)
    for hours_ago in (42, 50):  # due in 6 hours; overdue by 2
        made = submitted.submit(
            engine,
            route="openrouter",
            model="gpt-5",
            source_url="http://10.0.0.1/pricing",
            claims=[submitted.parse_claim_text("input 1")],
            now=now - timedelta(hours=hours_ago),
        )
        submitted.process(engine, made["id"])
    machine = open_ids(app, kind="price_change")[:3]
    with engine.begin() as conn:
        conn.execute(
            update(review_items)
            .where(review_items.c.id.in_(machine))
            .values(due_at=now - timedelta(hours=1))
        )
    page = TestClient(app).get("/queue").text
    assert re.search(r'id="sub-due-soon">1<', page) and re.search(r'id="sub-overdue"[^>]*>1<', page)
    assert 'id="machine-due-soon">0<' in page and 'id="machine-overdue">3<' in page


def csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match[1]


def test_a_set_is_previewed_then_decided_exactly_as_previewed(app: Any) -> None:
    client = TestClient(app)
    client.post(
        "/login",
        data={"name": "alice", "secret": SECRET, "csrf": csrf(client, "/login")},
    )
    members = open_ids(app, set_id=PRICE_CHANGES)
    page = client.get(f"/sets/{PRICE_CHANGES}")
    assert page.status_code == 200
    assert f"price changes from OpenRouter models API, run {EPOCH_2_RUN}" in page.text
    shown = min(len(members), SET_PAGE)
    on_page = [int(i) for i in re.findall(r'name="item" value="(\d+)"', page.text)]
    assert len(on_page) == len(set(on_page)) == shown and set(on_page) <= set(members)
    assert ('id="more"' in page.text) == (len(members) > SET_PAGE)
    # each field's unit as people write it (the page showed 'input (usd_per_1m_tokens)')
    assert "USD per 1M tokens)</td>" in page.text and "usd_per_1m_tokens" not in page.text
    token = csrf(client, f"/sets/{PRICE_CHANGES}")
    chosen = members[:2]
    preview = client.post(
        f"/sets/{PRICE_CHANGES}/preview",
        data={"csrf": token, "verdict": "approve", "reason": "checked", "item": chosen},
    )
    assert preview.status_code == 200
    assert sorted(int(i) for i in re.findall(r'name="item" value="(\d+)"', preview.text)) == chosen
    assert "USD per 1M tokens)</td>" in preview.text and "usd_per_1m_tokens" not in preview.text
    assert open_ids(app, set_id=PRICE_CHANGES) == members  # a preview decides nothing
    decided = client.post(
        f"/sets/{PRICE_CHANGES}/decide",
        data={"csrf": token, "verdict": "approve", "reason": "checked", "item": chosen},
        follow_redirects=True,
    )
    assert decided.status_code == 200 and "2 items approved." in decided.text
    assert open_ids(app, set_id=PRICE_CHANGES) == [i for i in members if i not in chosen]
    stray = client.post(
        f"/sets/{PRICE_CHANGES}/preview",
        data={"csrf": token, "verdict": "approve", "item": [chosen[0]]},
    )
    assert stray.status_code == 409 and "not open items of set" in stray.text


def unfound_claim_item(engine: Any, model: str = "gpt-5") -> int:
    """The review item of a submitted claim (openrouter `model` input 1) its source cannot
    confirm (the URL is a private address nothing fetches): its id."""
    made = submitted.submit(
        engine,
        route="openrouter",
        model=model,
        source_url="http://10.0.0.1/pricing",
        claims=[submitted.parse_claim_text("input 1")],
    )
    processed = submitted.process(engine, made["id"])
    assert processed is not None
    item: int = processed["review_item"]
    return item


def test_web_override_for_an_unfound_claim_and_undo(app: Any) -> None:
    engine = app.state.engine
    item = unfound_claim_item(engine)
    client = TestClient(app)
    client.post("/login", data={"name": "alice", "secret": SECRET, "csrf": csrf(client, "/login")})
    page = client.get(f"/items/{item}")
    assert (
        'id="override"' in page.text and "the fetch did not find the source (refused)" in page.text
    )
    token = csrf(client, f"/items/{item}")
    refused = client.post(f"/items/{item}/approve", data={"csrf": token, "reason": "on the page"})
    assert refused.status_code == 409 and "needs an explicit override and a reason" in refused.text
    approved = client.post(
        f"/items/{item}/approve",
        data={"csrf": token, "reason": "the provider's page says 1", "override": "true"},
        follow_redirects=True,
    )
    assert approved.status_code == 200 and 'id="status">approved<' in approved.text
    undone = client.post(
        f"/items/{item}/undo",
        data={"csrf": token, "reason": "approved too soon"},
        follow_redirects=True,
    )
    assert undone.status_code == 200 and 'id="status">open<' in undone.text
    assert "alice (web) undo: approved too soon" in undone.text


def link(page: str, anchor: str) -> str | None:
    """The href of the link with id `anchor` on `page`, unescaped, or None."""
    found = re.search(rf'<a href="([^"]+)" id="{anchor}">', page)
    return html.unescape(found[1]) if found else None


def test_a_page_past_the_end_says_so_and_links_to_the_last_page(app: Any) -> None:
    """A stale or typed offset past the end (the queue shrank while a reviewer worked) names
    where the list ends and links back to its last page, on the queue, the sets and a set."""
    client = TestClient(app)
    total = len(open_ids(app))
    past = client.get("/queue?sort=model&desc=1&offset=99999")
    assert past.status_code == 200
    assert re.search(r'id="range">([^<]*)<', past.text)[1] == f"nothing past {total} of {total}"  # type: ignore[index]
    previous = link(past.text, "previous")
    assert previous and "sort=model" in previous and "desc=1" in previous
    last_page = client.get(previous)
    shown = [int(i) for i in re.findall(r'<a href="/items/(\d+)">', last_page.text)]
    assert shown and len(shown) == total - (total - 1) // 200 * 200
    assert link(last_page.text, "next") is None

    sets_total = int(client.get("/api/sets").headers["X-Total-Count"])
    past_sets = client.get("/sets?kind=&offset=99999")
    assert f"nothing past {sets_total} of {sets_total}" in past_sets.text
    back = link(past_sets.text, "previous")
    assert back and set_rows(client.get(back).text) == sets_total - (sets_total - 1) // 200 * 200
    assert link(client.get("/sets?offset=200").text, "previous") == "/sets"

    members = len(open_ids(app, set_id=PRICE_CHANGES))
    past_set = client.get(f"/sets/{PRICE_CHANGES}?offset=99999")
    assert "No open items" not in past_set.text
    assert f"nothing past {members} of {members}" in past_set.text
    back = link(past_set.text, "previous")
    assert back
    rows = re.findall(r'name="item" value="(\d+)"', client.get(back).text)
    assert len(rows) == members - (members - 1) // SET_PAGE * SET_PAGE


def set_rows(page: str) -> int:
    return len(re.findall(r'<a href="/sets/[^"]+">', page.split('<table class="sets">')[1]))


def test_the_filter_form_keeps_a_descending_sort(app: Any) -> None:
    """Filtering a queue sorted descending keeps it descending (the form carried the column
    only, so the first filter flipped the order)."""
    page = TestClient(app).get("/queue?sort=model&desc=1").text
    form = re.search(r'<form method="get" action="/queue" class="filters">(.*?)</form>', page, re.S)
    assert form and '<input type="hidden" name="desc" value="1">' in form[1]
    ascending = TestClient(app).get("/queue?sort=model").text
    plain = re.search(r'class="filters">(.*?)</form>', ascending, re.S)
    assert plain and 'name="desc"' not in plain[1]


def test_deciding_again_what_another_reviewer_decided_says_nothing_changed(app: Any) -> None:
    """Two reviewers on the same item page: the second approval changes nothing and says so,
    naming who decided, instead of thanking the second reviewer for an approval."""
    add_reviewer(app.state.engine, "bob", SECRET)
    item = open_ids(app, kind="price_change")[0]
    alice, bob = TestClient(app), TestClient(app)
    for name, client in (("alice", alice), ("bob", bob)):
        client.post("/login", data={"name": name, "secret": SECRET, "csrf": csrf(client, "/login")})
    tokens = {name: csrf(c, f"/items/{item}") for name, c in (("alice", alice), ("bob", bob))}
    first = alice.post(
        f"/items/{item}/approve", data={"csrf": tokens["alice"]}, follow_redirects=True
    )
    assert "Approved: the catalog now holds" in first.text
    again = bob.post(f"/items/{item}/approve", data={"csrf": tokens["bob"]}, follow_redirects=True)
    assert again.status_code == 200
    assert "Approved: the catalog now holds" not in again.text
    assert "Already approved by alice: nothing changed." in again.text


def test_signing_in_from_a_filtered_set_page_comes_back_to_it(app: Any) -> None:
    """The set page's sign-in link kept the set but dropped its model filter, so a reviewer
    came back to the whole set after signing in."""
    client = TestClient(app)
    model = client.get(f"/api/queue?set={PRICE_CHANGES}&limit=1").json()[0]["model"]
    page = client.get(f"/sets/{PRICE_CHANGES}", params={"model": model}).text
    sign_in = re.search(r'<a href="(/login\?next=[^"]+)">Sign in as a reviewer</a>', page)
    assert sign_in
    form = client.get(html.unescape(sign_in[1])).text
    back = re.search(r'name="next" value="([^"]+)"', form)
    assert back
    signed = client.post(
        "/login",
        data={
            "name": "alice",
            "secret": SECRET,
            "csrf": csrf(client, "/login"),
            "next": html.unescape(back[1]),
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == f"/sets/{PRICE_CHANGES}?model={model}"


def test_api_sets_pages_like_the_queue(app: Any) -> None:
    """/api/sets answered every set at once (about 1.4 MB on an epoch-2 catalog): it pages as
    /api/queue does (offset, limit ≤ 1000, X-Total-Count, Link rel=next), no set twice or
    missing, and a bad page argument is a 422 naming it."""
    client = TestClient(app)
    every = [s["id"] for s in sets.list_sets(app.state.engine)]
    assert len(every) > 200
    first = client.get("/api/sets")
    assert first.status_code == 200 and len(first.json()) == 200
    assert int(first.headers["X-Total-Count"]) == len(every)
    seen: list[str] = []
    next_url: str | None = "/api/sets?limit=37"
    while next_url:
        page = client.get(next_url)
        assert page.status_code == 200 and int(page.headers["X-Total-Count"]) == len(every)
        seen += [s["id"] for s in page.json()]
        link = page.headers.get("Link")
        next_url = re.match(r'<([^>]+)>; rel="next"', link)[1] if link else None  # type: ignore[index]
    assert seen == every
    kinds = client.get("/api/sets?kind=new_model&limit=5&offset=3")
    expected = [s["id"] for s in sets.list_sets(app.state.engine) if s["kind"] == "new_model"]
    assert [s["id"] for s in kinds.json()] == expected[3:8]
    assert "kind=new_model" in kinds.headers["Link"] and "offset=8" in kinds.headers["Link"]
    for query, parameter, rule in (
        ("limit=0", "limit", "greater than or equal to 1"),
        ("limit=1001", "limit", "less than or equal to 1000"),
        ("offset=-1", "offset", "greater than or equal to 0"),
        ("offset=" + "9" * 20, "offset", "less than or equal to 2147483647"),
        ("limit=ten", "limit", "valid integer"),
    ):
        refused = client.get(f"/api/sets?{query}")
        assert refused.status_code == 422, query
        [error] = refused.json()["detail"]
        assert error["loc"] == ["query", parameter] and rule in error["msg"], query


def sign_in(client: TestClient) -> None:
    signed = client.post(
        "/login",
        data={"name": "alice", "secret": SECRET, "csrf": csrf(client, "/login")},
        follow_redirects=False,
    )
    assert signed.status_code == 303


def first_rows(client: TestClient) -> list[int]:
    """The item ids of the rows on the first page of the price-change set, as shown."""
    page = client.get(f"/sets/{PRICE_CHANGES}").text
    return [int(i) for i in re.findall(r'name="item" value="(\d+)"', page)]


def ticked(page: str) -> list[int]:
    """The item ids a set form carries: hidden fields, or checkboxes ticked."""
    hidden = re.findall(r'<input type="hidden" name="item" value="(\d+)">', page)
    checked = re.findall(r'name="item" value="(\d+)" checked>', page)
    return sorted(int(i) for i in hidden + checked)


def test_a_rejection_refused_for_want_of_a_reason_keeps_what_the_reviewer_entered(
    app: Any,
) -> None:
    """Rejecting ticked rows of a set without a reason showed the whole set again, every tick
    lost. The refusal shows the same decision again (the ticked items, the verdict, the model
    filter) with one line saying a reason is needed; nothing is decided."""
    client = TestClient(app)
    sign_in(client)
    members = open_ids(app, set_id=PRICE_CHANGES)
    chosen = sorted(first_rows(client)[1:4])
    token = csrf(client, f"/sets/{PRICE_CHANGES}")
    form = {"csrf": token, "verdict": "reject", "reason": "  ", "item": chosen}
    preview = client.post(f"/sets/{PRICE_CHANGES}/preview", data=form)
    assert preview.status_code == 200 and ticked(preview.text) == chosen
    refused = client.post(f"/sets/{PRICE_CHANGES}/decide", data=form)
    assert refused.status_code == 422
    assert re.findall(r'class="error"[^>]*>([^<]*)<', refused.text) == [
        "a rejection needs a reason"
    ]
    assert ticked(refused.text) == chosen
    assert '<input type="hidden" name="verdict" value="reject">' in refused.text
    assert open_ids(app, set_id=PRICE_CHANGES) == members
    decided = client.post(
        f"/sets/{PRICE_CHANGES}/decide",
        data={**form, "reason": "the provider has not changed it"},
        follow_redirects=True,
    )
    assert decided.status_code == 200 and "3 items rejected." in decided.text
    assert open_ids(app, set_id=PRICE_CHANGES) == [i for i in members if i not in chosen]


def test_a_preview_refused_for_a_decided_row_keeps_the_other_ticks_and_the_reason(
    app: Any,
) -> None:
    """A preview refused because a ticked row was decided meanwhile shows the set again with
    the rows still open ticked, and the reason as typed."""
    client = TestClient(app)
    sign_in(client)
    rows = first_rows(client)
    token = csrf(client, f"/sets/{PRICE_CHANGES}")
    gone = client.post(
        f"/sets/{PRICE_CHANGES}/decide",
        data={"csrf": token, "verdict": "approve", "item": [rows[0]]},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    form = {"csrf": token, "verdict": "approve", "reason": "as listed", "item": rows[:3]}
    refused = client.post(f"/sets/{PRICE_CHANGES}/preview", data=form)
    assert refused.status_code == 409 and "not open items of set" in refused.text
    assert ticked(refused.text) == sorted(rows[1:3])
    assert 'id="reason" value="as listed"' in refused.text


def test_an_item_decision_refused_keeps_the_override_and_reason(app: Any) -> None:
    """An approval of an unconfirmed claim refused for want of a reason showed the item again
    with the override unticked; a reason typed without the override was lost."""
    engine = app.state.engine
    item = unfound_claim_item(engine)
    client = TestClient(app)
    sign_in(client)
    token = csrf(client, f"/items/{item}")
    no_reason = client.post(f"/items/{item}/approve", data={"csrf": token, "override": "true"})
    assert no_reason.status_code == 409 and "needs an explicit override and a reason" in (
        no_reason.text
    )
    assert 'id="override" checked>' in no_reason.text
    no_override = client.post(f"/items/{item}/approve", data={"csrf": token, "reason": "p. 3"})
    assert no_override.status_code == 409 and 'maxlength="1000" value="p. 3"' in no_override.text
    assert 'id="override">' in no_override.text


def test_a_known_filter_matching_nothing_is_an_honest_empty_list(app: Any) -> None:
    """The other side of refusing unknown filter values: a route the queue knows, with no item
    of the status asked, is an empty page, not a refusal."""
    client = TestClient(app)
    page = client.get("/queue", params={"route": "openrouter", "status": "rejected"})
    assert page.status_code == 200 and 'id="range">0–0 of 0<' in page.text
    api = client.get("/api/sets", params={"route": "openrouter", "kind": "missing"})
    assert api.status_code == 200 and api.json() == [] and api.headers["X-Total-Count"] == "0"
