"""The web app over a real refreshed catalog, driven in-process: sign-in, CSRF on every form,
decisions from the web leaving audit records, escaping, the JSON API and its OpenAPI document,
the per-client submission limit, whose X-Forwarded-For is believed, the failed-login limit, and
the self-approval rule following the person."""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog import queries, store
from catalog.views import ReviewRow
from review import submissions as submitted
from review.reviewers import add_reviewer
from webapp import create_app
from webapp.security import trusted_proxies

pytestmark = pytest.mark.integration
SECRET = "correct horse battery staple"
PAYLOAD = "<script>window.__pwned=1</script>"


@pytest.fixture
def app(catalog_db: str) -> Any:
    engine = store.connect(catalog_db)
    add_reviewer(engine, "alice", SECRET)
    add_reviewer(engine, "bob", SECRET)
    return create_app(catalog_db, secret_key="test-only-secret", submit_limit=(3, 3600))


def csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match[1]


def login(client: TestClient, name: str) -> None:
    response = client.post(
        "/login",
        data={"name": name, "secret": SECRET, "csrf": csrf(client, "/login"), "next": "/queue"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/queue"


def open_item(app: Any, kind: str = "price_change") -> ReviewRow:
    with app.state.engine.connect() as conn:
        return queries.list_reviews(conn, status="open", kind=kind, route="openrouter")[0]


def test_every_form_needs_a_token_from_the_same_client(app: Any) -> None:
    client, other = TestClient(app), TestClient(app)
    foreign = csrf(other, "/login")
    for data in ({}, {"csrf": "forged"}, {"csrf": foreign}):
        response = client.post("/login", data={"name": "alice", "secret": SECRET, **data})
        assert response.status_code == 403 and "form token" in response.text
    login(client, "alice")
    item = open_item(app)
    refused = client.post(f"/items/{item.id}/approve", data={"csrf": foreign})
    assert refused.status_code == 403
    assert client.post("/submit", data={"route": "x"}).status_code == 403
    assert client.post("/logout", data={}).status_code == 403


def test_decisions_need_a_signed_in_reviewer(app: Any) -> None:
    client = TestClient(app)
    item = open_item(app)
    page = client.get(f"/items/{item.id}")
    assert "Sign in as a reviewer" in page.text and 'id="approve"' not in page.text
    token = csrf(client, "/login")
    response = client.post(f"/items/{item.id}/approve", data={"csrf": token})
    assert response.status_code == 401
    wrong = client.post("/login", data={"name": "alice", "secret": "not the secret", "csrf": token})
    assert wrong.status_code == 401 and "wrong secret" in wrong.text
    forged = TestClient(app, cookies={"rc_session": "alice"})
    assert (
        forged.post(f"/items/{item.id}/approve", data={"csrf": csrf(forged, "/login")}).status_code
        == 401
    )


def test_signing_out_ends_every_copy_of_the_session(app: Any) -> None:
    """A copy of the session cookies kept past a sign-out (another browser, a stolen cookie)
    decides nothing; signing in again starts a session that holds."""
    client = TestClient(app)
    login(client, "alice")
    copy = TestClient(app, cookies=dict(client.cookies))
    item = open_item(app)
    assert '<strong id="who">alice</strong>' in copy.get(f"/items/{item.id}").text
    signed_out = client.post("/logout", data={"csrf": csrf(client, "/queue")})
    assert signed_out.status_code == 200
    refused = copy.post(f"/items/{item.id}/approve", data={"csrf": csrf(copy, "/login")})
    assert refused.status_code == 401
    login(client, "alice")
    token = csrf(client, f"/items/{item.id}")
    approved = client.post(f"/items/{item.id}/approve", data={"csrf": token})
    assert approved.status_code == 200 and "Approved" in approved.text


def test_signing_in_issues_a_new_form_token(app: Any) -> None:
    """The CSRF token was the same before and after a sign-in (bound to the browser only), so
    a token planted or read before the sign-in decided for the reviewer after it. Signing in
    issues new tokens; one given before the sign-in, or in an earlier session, is refused."""
    client = TestClient(app)
    item = open_item(app)
    before = csrf(client, "/submit")
    login(client, "alice")
    first_session = csrf(client, f"/items/{item.id}")
    assert first_session != before
    refused = client.post(f"/items/{item.id}/approve", data={"csrf": before})
    assert refused.status_code == 403 and "form token" in refused.text
    assert open_item(app).id == item.id  # nothing decided
    signed_out = client.post("/logout", data={"csrf": first_session}, follow_redirects=False)
    assert signed_out.status_code == 303
    login(client, "alice")
    refused = client.post(f"/items/{item.id}/approve", data={"csrf": first_session})
    assert refused.status_code == 403
    token = csrf(client, f"/items/{item.id}")
    approved = client.post(
        f"/items/{item.id}/approve", data={"csrf": token}, follow_redirects=False
    )
    assert approved.status_code == 303


def test_web_approve_and_reject_leave_audit_records(app: Any) -> None:
    client = TestClient(app)
    login(client, "alice")
    with app.state.engine.connect() as conn:
        first, second = queries.list_reviews(
            conn, status="open", kind="price_change", route="openrouter", source="openrouter"
        )[:2]
    token = csrf(client, f"/items/{first.id}")
    approved = client.post(
        f"/items/{first.id}/approve",
        data={"csrf": token, "reason": "as OpenRouter lists it"},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    page = client.get(approved.headers["location"])
    assert "Approved: the catalog now holds" in page.text and "in force" in page.text
    # a rejection without a reason is the form's fault (422), not the item's state (409)
    unreasoned = client.post(f"/items/{second.id}/reject", data={"csrf": token, "reason": " "})
    assert unreasoned.status_code == 422 and "a rejection needs a reason" in unreasoned.text
    rejected = client.post(
        f"/items/{second.id}/reject", data={"csrf": token, "reason": "needs a second source"}
    )
    assert rejected.status_code == 200 and "rejected" in rejected.text
    again = client.post(f"/items/{second.id}/approve", data={"csrf": token})
    assert again.status_code == 409 and "no longer open" in again.text
    with app.state.engine.connect() as conn:
        (a,) = queries.audit_entries(conn, target=f"review:{first.id}")
        (r,) = queries.audit_entries(conn, target=f"review:{second.id}")
    assert (a.actor, a.channel, a.action, a.reason) == (
        "alice",
        "web",
        "approve",
        "as OpenRouter lists it",
    )
    assert (r.actor, r.channel, r.action, r.reason) == (
        "alice",
        "web",
        "reject",
        "needs a second source",
    )
    assert a.after["values"] and a.before["values"]


def test_a_reviewer_cannot_approve_what_they_submitted_from_the_web(app: Any) -> None:
    client = TestClient(app)
    login(client, "alice")
    token = csrf(client, "/submit")
    made = client.post(
        "/submit",
        data={
            "csrf": token,
            "route": "openrouter",
            "model": "claude-sonnet-latest",
            "source_url": "http://192.168.0.10/prices",
            "component": ["input"],
            "unit": ["usd_per_1m_tokens"],
            "dimensions": [""],
            "value": ["2.5"],
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    (result,) = submitted.process_pending(app.state.engine)
    refused = client.post(f"/items/{result['review_item']}/approve", data={"csrf": token})
    assert refused.status_code == 403 and "cannot approve" in refused.text
    status_page = client.get(made.headers["location"])
    assert "192.168.0.10 is private" in status_page.text


def test_submitted_values_are_escaped(app: Any) -> None:
    client = TestClient(app)
    made = client.post(
        "/submit",
        data={
            "csrf": csrf(client, "/submit"),
            "route": "openrouter",
            "model": PAYLOAD,
            # a URL cannot hold a raw <, > or " (refused): its payload comes percent-encoded
            "source_url": "https://example.com/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E'",
            "contact": "<b>me</b>",
            "component": ["input", "output"],
            "unit": ["usd_per_1m_tokens", "usd_per_1m_tokens"],
            "dimensions": ["", ""],
            "value": ["1", ""],
        },
    )
    assert made.status_code == 200
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in made.text
    assert PAYLOAD not in made.text and "<script>alert(1)" not in made.text
    assert "alert(1)%3C/script%3E&#39;" in made.text  # the quote that ends it is escaped
    assert "script-src" not in made.headers["content-security-policy"]  # no script may run
    assert "default-src 'none'" in made.headers["content-security-policy"]


def test_submission_form_reports_errors_and_keeps_input(app: Any) -> None:
    client = TestClient(app)
    response = client.post(
        "/submit",
        data={
            "csrf": csrf(client, "/submit"),
            "route": "openrouter",
            "model": "gpt-5",
            "source_url": "https://example.com/p",
            "component": ["input"],
            "unit": ["usd_per_1m_tokens"],
            "dimensions": ["colour=blue"],
            "value": ["1"],
        },
    )
    assert response.status_code == 422 and "dimensions" in response.text
    assert 'value="gpt-5"' in response.text


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"value": [""]}, "claims: fill in the value of at least one claim"),
        ({"contact": "x" * 301}, "contact: String should have at most 300 characters"),
    ],
    ids=["no-claimed-value", "contact-too-long"],
)
def test_a_refused_submission_form_says_why_in_one_line(
    app: Any, fields: dict[str, Any], said: str
) -> None:
    """The form with no claimed value (or a contact over its length) showed pydantic's whole
    report: '1 validation error for SubmissionIn', the error type, the input and a link to
    pydantic's site, where every other refusal of the form is one line naming the field."""
    client = TestClient(app)
    form = {
        "csrf": csrf(client, "/submit"),
        "route": "openrouter",
        "model": "gpt-5",
        "source_url": "https://openrouter.ai/gpt-5",
        "component": ["input"],
        "unit": ["usd_per_1m_tokens"],
        "dimensions": [""],
        "value": ["1"],
        **fields,
    }
    response = client.post("/submit", data=form)
    assert response.status_code == 422
    shown = re.findall(r'<p class="error" role="alert">([^<]*)</p>', response.text)
    assert shown == [said]
    assert 'value="gpt-5"' in response.text  # what the visitor typed is kept


def test_json_submissions_are_rate_limited_per_client(app: Any) -> None:
    client = TestClient(app)
    body = {
        "route": "openrouter",
        "model": "gpt-5",
        "source_url": "https://example.com/p",
        "claims": [{"component": "input", "value": "1.25"}],
        "contact": "a@example.org",
    }
    created = client.post("/api/submissions", json=body)
    assert created.status_code == 201
    data = created.json()
    assert data["status"] == "pending" and data["status_page"].endswith(
        "/submissions/" + data["status_api"].rsplit("/", 1)[1]
    )
    state = client.get(data["status_api"]).json()
    assert state["claims"] == [
        {"component": "input", "unit": "usd_per_1m_tokens", "dimensions": {}, "value": "1.25"}
    ]
    assert "contact" not in state and "client_id" not in state
    as_text = client.post(
        "/api/submissions", content=str(body), headers={"Content-Type": "text/plain"}
    )
    assert as_text.status_code == 422
    assert client.post("/api/submissions", json=body).status_code == 201
    assert client.post("/api/submissions", json=body).status_code == 201
    limited = client.post("/api/submissions", json=body)
    assert limited.status_code == 429
    form = client.post(
        "/submit",
        data={
            "csrf": csrf(client, "/submit"),
            "route": "openrouter",
            "model": "m",
            "source_url": "https://e.com/p",
            "component": ["input"],
            "unit": ["usd_per_1m_tokens"],
            "dimensions": [""],
            "value": ["1"],
        },
    )
    assert form.status_code == 429


def test_a_submission_refused_for_its_content_uses_none_of_the_limit(catalog_db: str) -> None:
    """A fault round (h54): each refused submission (a mistyped claim) counted against the limit,
    so after a few typos the corrected one was refused 429 for an hour. The limit counts what
    was stored: refused tries are told why (422) and the next correct ones are stored."""
    app = create_app(catalog_db, secret_key="test-only-secret", submit_limit=(2, 3600))
    client = TestClient(app)
    body = {
        "route": "openrouter",
        "model": "gpt-5",
        "source_url": "https://openrouter.ai/openai/gpt-5",
        "claims": [{"component": "input", "value": "1.2.5"}],
    }
    refused = [client.post("/api/submissions", json=body).status_code for _ in range(5)]
    assert refused == [422] * 5
    assert [submit_json(client) for _ in range(3)] == [201, 201, 429]


def test_json_api_and_openapi(app: Any) -> None:
    client = TestClient(app)
    catalog = client.get("/api/catalog", params={"route": "openrouter"}).json()
    assert catalog and {"route", "model", "fields", "verified"} <= set(catalog[0])
    entry = client.get(f"/api/catalog/openrouter/{catalog[0]['model']}").json()
    assert entry["fields"]
    queue = client.get("/api/queue", params={"kind": "price_change", "limit": 5}).json()
    assert len(queue) == 5 and [q["due_at"] for q in queue] == sorted(q["due_at"] for q in queue)
    item = client.get(f"/api/queue/{queue[0]['id']}").json()
    assert item["changes"] and item["submission"] is None
    assert client.get("/api/queue/999999").status_code == 404
    assert client.get("/api/catalog/openrouter/no-such-model").status_code == 404
    assert set(client.get("/api/sla").json()["counts"]) == {"open", "due_soon", "overdue"}
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/catalog",
        "/api/queue",
        "/api/queue/{item_id}",
        "/api/submissions",
        "/api/submissions/{token}",
        "/api/sla",
    } <= set(paths)
    assert "/items/{item_id}/approve" not in paths


def test_queue_filters_and_sign_in_redirects_stay_on_site(app: Any) -> None:
    client = TestClient(app)
    page = client.get("/queue", params={"kind": "anomaly", "route": "openrouter"})
    assert page.status_code == 200 and "anomaly" in page.text and "price_change:" not in page.text
    response = client.post(
        "/login",
        data={
            "name": "alice",
            "secret": SECRET,
            "csrf": csrf(client, "/login"),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/queue"


def submit_json(client: TestClient, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    body = {
        "route": "openrouter",
        "model": "gpt-5",
        "source_url": "https://openrouter.ai/openai/gpt-5",
        "claims": [{"component": "input", "value": "1.25"}],
    }
    status: int = client.post("/api/submissions", json=body, headers=headers).status_code
    return status


def test_forwarded_for_is_ignored_unless_the_peer_is_a_configured_proxy(catalog_db: str) -> None:
    """By default no proxy is trusted: a client on loopback naming a new address in each request
    still meets its own limit."""
    app = create_app(catalog_db, secret_key="test-only-secret", submit_limit=(2, 3600))
    client = TestClient(app, client=("127.0.0.1", 50000))
    statuses = [submit_json(client, f"203.0.113.{n}") for n in range(3)]
    assert statuses == [201, 201, 429]


def test_forwarded_for_from_a_configured_proxy_names_the_client(catalog_db: str) -> None:
    app = create_app(
        catalog_db,
        secret_key="test-only-secret",
        submit_limit=(1, 3600),
        proxies=["10.0.0.0/8"],
    )
    proxy = TestClient(app, client=("10.0.0.2", 50000))
    # Each client is the rightmost address no trusted proxy added; what it wrote itself is not.
    assert submit_json(proxy, "198.51.100.7") == 201
    assert submit_json(proxy, "6.6.6.6, 198.51.100.7") == 429
    assert submit_json(proxy, "198.51.100.8, 10.0.0.3") == 201
    assert submit_json(proxy) == 201  # the proxy itself, with no header, is a client too
    outsider = TestClient(app, client=("192.0.2.50", 50000))
    assert submit_json(outsider, "198.51.100.9") == 201
    assert submit_json(outsider, "198.51.100.10") == 429  # not a proxy: its header is ignored


def test_trusted_proxies_are_addresses_or_networks() -> None:
    assert trusted_proxies(["127.0.0.1", " 10.0.0.0/8 ", "", "::1"]) == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    )
    assert trusted_proxies([]) == ()
    with pytest.raises(ValueError, match=r"trusted proxy 'proxy\.local'"):
        trusted_proxies(["proxy.local"])


def test_the_login_limit_counts_failed_sign_ins_only(catalog_db: str) -> None:
    engine = store.connect(catalog_db)
    add_reviewer(engine, "alice", SECRET)
    app = create_app(catalog_db, secret_key="test-only-secret", login_limit=(2, 900))
    client = TestClient(app)
    for _ in range(4):
        login(client, "alice")

    def attempt(secret: str) -> int:
        form = {"name": "alice", "secret": secret, "csrf": csrf(client, "/login")}
        status: int = client.post("/login", data=form, follow_redirects=False).status_code
        return status

    assert [attempt("wrong secret, long enough"), attempt("also wrong, long enough")] == [401, 401]
    assert attempt(SECRET) == 429


def test_a_reviewer_who_submitted_signed_out_cannot_approve_it_from_another_browser(
    app: Any,
) -> None:
    """The rule follows the person: the browser that submitted signs in as alice, so the
    submission is hers, wherever she tries to approve it."""
    submitting = TestClient(app)
    made = submitting.post(
        "/submit",
        data={
            "csrf": csrf(submitting, "/submit"),
            "route": "openrouter",
            "model": "claude-sonnet-latest",
            "source_url": "http://192.168.0.10/prices",
            "component": ["input"],
            "unit": ["usd_per_1m_tokens"],
            "dimensions": [""],
            "value": ["2.5"],
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    login(submitting, "alice")
    (result,) = submitted.process_pending(app.state.engine)
    elsewhere = TestClient(app)
    login(elsewhere, "alice")
    token = csrf(elsewhere, f"/items/{result['review_item']}")
    refused = elsewhere.post(f"/items/{result['review_item']}/approve", data={"csrf": token})
    assert refused.status_code == 403 and "cannot approve" in refused.text
    login(other := TestClient(app), "bob")
    token = csrf(other, f"/items/{result['review_item']}")
    approved = other.post(
        f"/items/{result['review_item']}/approve",
        data={"csrf": token, "override": "true", "reason": "stated on the provider's page"},
        follow_redirects=False,
    )
    assert approved.status_code == 303


def catalog_cells(client: TestClient, url: str) -> dict[str, str]:
    """The '(route, model)' page's catalog table as {field label: value shown}."""
    response = client.get(url)
    assert response.status_code == 200, response.text
    return dict(
        re.findall(r'<tr>\s*<td>([^<]*)</td>\s*<td class="value">([^<]*)</td>', response.text)
    )


def test_route_model_page_shows_the_catalog_as_of_a_date(app: Any) -> None:
    """/models/ROUTE/MODEL?at=DAY shows the values in force at the end of DAY (as
    /models/MODEL?at= does): after an approved price change, the day before it took effect
    shows the value it replaced; before anything was catalogued, nothing; a blank date is now;
    a malformed date is refused with an HTML 422 naming the format."""
    client = TestClient(app)
    login(client, "alice")
    with app.state.engine.connect() as conn:
        listed = queries.list_reviews(conn, status="open", kind="price_change", route="openrouter")
        items = [queries.get_review(conn, i.id) for i in listed]
    item = next(i for i in items if i and len(i.changes) == 1 and not i.changes[0].dimensions)
    change = item.changes[0]
    field = str(change.component)
    page = f"/models/{item.route}/{item.model}"
    approved = client.post(
        f"/items/{item.id}/approve",
        data={"csrf": csrf(client, f"/items/{item.id}")},
        follow_redirects=False,
    )
    assert approved.status_code == 303, approved.text
    with app.state.engine.connect() as conn:
        view = queries.model_view(conn, item.route, item.model)
    (new,) = [f for f in view.fields if f.component == change.component and not f.dimensions]
    before = (new.valid_from - timedelta(days=1)).date().isoformat()
    now = catalog_cells(client, page)
    assert Decimal(now[field]) == Decimal(str(change.proposed))
    then = catalog_cells(client, f"{page}?at={before}")
    assert Decimal(then[field]) == Decimal(str(change.current))
    assert "as of" in client.get(f"{page}?at={before}").text
    assert catalog_cells(client, f"{page}?at=") == now
    assert catalog_cells(client, f"{page}?at=1999-12-31") == {}
    for bad in ("garbage", "2026-02-30"):
        refused = client.get(f"{page}?at={bad}")
        assert refused.status_code == 422 and "YYYY-MM-DD" in refused.text
        assert refused.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/items/abc", "item_id: Input should be a valid integer"),
        ("/items/0", "item_id: Input should be greater than or equal to 1"),
        ("/queue?offset=-1", "offset: Input should be greater than or equal to 0"),
        ("/queue?offset=ten", "offset: Input should be a valid integer"),
        ("/sets?offset=-1", "offset: Input should be greater than or equal to 0"),
    ],
)
def test_pages_answer_a_bad_parameter_with_an_html_error_page(
    app: Any, path: str, says: str
) -> None:
    """A page's bad path or query parameter (a negative offset too) is a 422 error page in
    HTML naming the parameter and its rule; the JSON API keeps answering JSON."""
    client = TestClient(app)
    response = client.get(path)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert says in response.text and "<h1>422</h1>" in response.text
    api = client.get("/api/queue/abc")
    assert api.status_code == 422 and api.headers["content-type"] == "application/json"
    assert api.json()["detail"][0]["loc"] == ["path", "item_id"]


def test_a_read_only_answer_sets_no_cookie(app: Any) -> None:
    """Every API GET set the client id cookie, which only a page's forms (their CSRF tokens are
    bound to it) and a submission (it names its client) need: a script reading the JSON, an
    export or the feed got a cookie it had no use for, and a shared cache a reason not to keep
    the answer. A page still sets it, and a JSON submission."""
    for path in ("/api/values?limit=1", "/api/catalog", "/api/sets?limit=1", "/feed.atom"):
        client = TestClient(app)
        for read in (client.get(path), client.head(path)):
            assert read.status_code == 200, (path, read.text)
            assert "set-cookie" not in read.headers, (path, read.headers)
    page = TestClient(app).get("/login")
    assert "set-cookie" in page.headers
    body = {
        "route": "openrouter",
        "model": "gpt-5",
        "source_url": "https://example.com/p",
        "claims": [{"component": "input", "value": "1.25"}],
    }
    created = TestClient(app).post("/api/submissions", json=body)
    assert created.status_code == 201 and "set-cookie" in created.headers
