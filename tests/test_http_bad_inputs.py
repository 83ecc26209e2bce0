"""Bad HTTP inputs, to the JSON API and to the forms, over a real refreshed catalog: each one
answers a 4xx whose text says what was wrong, never a 500, and leaves the database exactly as it
was: SQLite's data_version, read on a connection of the test's own, moves with every commit any
other connection makes, so an unchanged one means nothing at all was written."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog import store
from review.reviewers import add_reviewer
from tests.conftest import copy_catalog
from webapp import create_app
from webapp.security import MAX_BODY

pytestmark = pytest.mark.integration
SECRET = "correct horse battery staple"
GOOD = {
    "route": "openrouter",
    "model": "gpt-5",
    "source_url": "https://openrouter.ai/openai/gpt-5",
    "claims": [{"component": "input", "value": "1.25"}],
}
FORM = {
    "route": "openrouter",
    "model": "gpt-5",
    "source_url": "https://openrouter.ai/openai/gpt-5",
    "component": ["input"],
    "unit": ["usd_per_1m_tokens"],
    "dimensions": [""],
    "value": ["1.25"],
}
HUGE = MAX_BODY + 1
COST = "route=openrouter&model=gpt-5"
NEWLINE = "the path ends in a line break"
SET = f"{2**15 + 1}:openrouter:openrouter:price_change"  # a set of the catalog's second run


def submission(**change: Any) -> dict[str, Any]:
    return {**GOOD, **change}


def claimed(**change: Any) -> dict[str, Any]:
    return {**GOOD, "claims": [{"component": "input", "value": "1.25", **change}]}


def chunks(size: int) -> Iterator[bytes]:
    """A body sent in 1 KiB chunks, without a Content-Length."""
    for _ in range(size // 1024 + 1):
        yield b"x" * 1024


@dataclass(frozen=True)
class Bad:
    """One bad request and what it must answer: its status and a phrase of its message."""

    name: str
    method: str
    path: str
    status: int
    says: str
    json: Any = None
    content: bytes | None = None
    chunked: int = 0  # bytes sent in chunks without a Content-Length
    form: dict[str, Any] | None = None  # form fields; the client's CSRF token is added
    headers: dict[str, str] = field(default_factory=dict)
    signed_in: bool = False  # sent by reviewer alice, signed in


def api(name: str, status: int, says: str, **request: Any) -> Bad:
    """A bad POST /api/submissions."""
    return Bad(name, "POST", "/api/submissions", status, says, **request)


def get(name: str, path: str, status: int, says: str) -> Bad:
    return Bad(name, "GET", path, status, says)


SONNET = "(the catalog calls it claude-sonnet-4-5)"
OPENROUTER_SONNET = "(the catalog calls it openrouter/claude-sonnet-4-5)"
# A source's spelling of a catalog name: the refusal names the catalog's, as the CLI's do (the
# pages and the API said only "nothing known", "no route sells" or "no review item").
SPELLINGS = [
    get("model page by a source's spelling", "/models/claude-sonnet-4.5", 404, SONNET),
    get(  # the page showed the route's regular expression
        "route page by a capitalised route",
        "/models/OpenRouter/claude-sonnet-4-5",
        422,
        "route &#39;OpenRouter&#39;: use lowercase letters, digits",
    ),
    get(
        "route page by a source's spelling",
        "/models/openrouter/anthropic/claude-sonnet-4.5",
        404,
        OPENROUTER_SONNET,
    ),
    get(
        "catalog entry by a source's spelling",
        "/api/catalog/openrouter/anthropic/claude-sonnet-4.5",
        404,
        OPENROUTER_SONNET,
    ),
    get(
        "cost by a source's spelling",
        "/api/cost?route=openrouter&model=anthropic/claude-sonnet-4.5&input_tokens=1"
        "&output_tokens=1",
        422,
        OPENROUTER_SONNET,
    ),
    get("queue by a source's spelling", "/queue?model=anthropic/claude-sonnet-4.5", 422, SONNET),
    get("queue API by a source's spelling", "/api/queue?model=Claude-Sonnet-4.5", 422, SONNET),
    # the catalog's filters said only "no value in force" (ux11)
    get(
        "values by a source's spelling",
        "/api/values?model=anthropic/claude-sonnet-4.5",
        422,
        SONNET,
    ),
    get(
        "values of a route by a source's spelling",
        "/api/values?route=openrouter&model=anthropic/claude-sonnet-4.5",
        422,
        OPENROUTER_SONNET,
    ),
    get(
        "values on a capitalised route",
        "/api/values?route=OpenRouter",
        422,
        "(the catalog calls it openrouter)",
    ),
    get(
        "price history by a source's spelling", "/models/claude-sonnet-4.5/history.svg", 404, SONNET
    ),
    get(
        "models index on a capitalised route",
        "/models?route=OpenRouter",
        422,
        "(the catalog calls it openrouter)",
    ),
]
JSON = {"content-type": "application/json"}
URLENCODED = {"content-type": "application/x-www-form-urlencoded"}
CASES = [
    # The JSON API's one write.
    api("huge JSON body", 413, "byte limit", json=submission(model="x" * HUGE)),
    api("huge chunked JSON body", 413, "byte limit", chunked=HUGE, headers=JSON),
    api("claim 1e400", 422, "out of range", json=claimed(value="1e400")),
    api("claim 1E+10000000", 422, "out of range", json=claimed(value="1E+10000000")),
    api("claim 1e999999999999", 422, "out of range", json=claimed(value="1e999999999999")),
    api(
        "claim as JSON number 1e400",
        422,
        "out of range",
        content=b'{"route": "openrouter", "model": "gpt-5", "source_url": "https://a.example/",'
        b' "claims": [{"component": "input", "value": 1e400}]}',
        headers=JSON,
    ),
    api("claim -0", 422, "negative", json=claimed(value="-0")),
    api("claim with digit separators", 422, "not a plain number", json=claimed(value="1,000")),
    api("claim in Arabic-Indic digits", 422, "not a plain number", json=claimed(value="١٢")),
    api("claim NaN", 422, "not a plain number", json=claimed(value="NaN")),
    api(
        "claim with 13 significant digits",
        422,
        "at most 12 significant digits",
        json=claimed(value="1.234567890123"),
    ),
    api("claim true", 422, "value", json=claimed(value=True)),
    api("route with spaces", 422, "route", json=submission(route="Not A Route!")),
    api("empty model", 422, "model", json=submission(model="")),
    api("model with a NUL", 422, "control characters", json=submission(model="gpt\x005")),
    api("javascript: URL", 422, "full URL", json=submission(source_url="javascript:alert(1)")),
    api(
        "ftp URL",
        422,
        "is not allowed: http or https",
        json=submission(source_url="ftp://example.com/prices"),
    ),
    api(
        "unreadable URL",
        422,
        "not a readable URL",
        json=submission(source_url="http://[::1/prices"),
    ),
    api("unknown component", 422, "component", json=claimed(component="inputs")),
    api("unknown unit", 422, "unit", json=claimed(unit="usd_per_parsec")),
    api(
        "unknown dimension",
        422,
        "claim dimension 'colour' is not one of",
        json=claimed(dimensions={"colour": "blue"}),
    ),
    api("price as a flag", 422, "does not go with component", json=claimed(unit="flag")),
    api(
        "limit in a price unit",
        422,
        "'usd_per_image' does not go with component 'context_window'",
        json=claimed(component="context_window", unit="usd_per_image"),
    ),
    api(
        "unknown service tier",
        422,
        "service_tier='ultra' is not one of",
        json=claimed(dimensions={"service_tier": "ultra"}),
    ),
    api(
        "unknown modality",
        422,
        "modality='smell' is not one of",
        json=claimed(dimensions={"modality": "smell"}),
    ),
    api(
        "URL with a space in its host",
        422,
        "no spaces or characters a URL cannot hold",
        json=submission(source_url="https://exa mple.com/<script>"),
    ),
    api("no claims", 422, "claims", json=submission(claims=[])),
    api(
        "21 claims",
        422,
        "claims",
        json=submission(claims=[{"component": "input", "value": "1"}] * 21),
    ),
    api(
        "plain-text body",
        422,
        "body",
        content=b"route=openrouter",
        headers={"content-type": "text/plain"},
    ),
    api("malformed JSON", 422, "JSON decode error", content=b'{"route": ', headers=JSON),
    api(
        "JSON nested too deep",
        400,
        "error parsing the body",
        content=b"[" * 20_000 + b"]" * 20_000,
        headers=JSON,
    ),
    # The JSON API's reads.
    get("item id not a number", "/api/queue/abc", 422, "valid integer"),
    get("item id 0", "/api/queue/0", 422, "greater than or equal to 1"),
    get(
        "item id beyond any integer column",
        "/api/queue/99999999999999999999",
        422,
        "less than or equal to 2147483647",
    ),
    get("unknown status filter", "/api/queue?status=bogus", 422, "status"),
    get("unknown kind filter", "/api/queue?kind=bogus", 422, "kind"),
    get("limit 0", "/api/queue?limit=0", 422, "limit"),
    get("limit not a number", "/api/queue?limit=all", 422, "limit"),
    get("within_hours NaN", "/api/sla?within_hours=nan", 422, "within_hours"),
    get("within_hours negative", "/api/sla?within_hours=-1", 422, "within_hours"),
    get("route name with spaces", "/api/catalog/Not%20A%20Route/gpt-5", 422, "route"),
    get("model name with a NUL", "/api/catalog/openrouter/gpt%005", 422, "model"),
    get("route filter too long", "/api/catalog?route=" + "a" * 101, 422, "route"),
    get("status token with a NUL", "/api/submissions/abc%00def", 422, "token"),
    get("unknown status token", "/api/submissions/no-such-token", 404, "no such submission"),
    # The forms and pages.
    Bad("huge form", "POST", "/submit", 413, "byte limit", form={**FORM, "model": "x" * HUGE}),
    Bad(
        "huge chunked form", "POST", "/submit", 413, "byte limit", chunked=HUGE, headers=URLENCODED
    ),
    Bad(
        "form claim 1e400",
        "POST",
        "/submit",
        422,
        "out of range",
        form={**FORM, "value": ["1e400"]},
    ),
    Bad(
        "form claim 1e999999999999",
        "POST",
        "/submit",
        422,
        "out of range",
        form={**FORM, "value": ["1e999999999999"]},
    ),
    Bad(
        "form claim with digit separators",
        "POST",
        "/submit",
        422,
        "not a plain number",
        form={**FORM, "value": ["1_000"]},
    ),
    Bad(
        "form route with spaces",
        "POST",
        "/submit",
        422,
        "route",
        form={**FORM, "route": "Not A Route!"},
    ),
    Bad(
        "form ftp URL",
        "POST",
        "/submit",
        422,
        "is not allowed: http or https",
        form={**FORM, "source_url": "ftp://example.com/prices"},
    ),
    Bad(
        "form without its token",
        "POST",
        "/submit",
        403,
        "form token",
        content=b"route=openrouter",
        headers=URLENCODED,
    ),
    get("page item id not a number", "/items/abc", 422, "valid integer"),
    get(
        "page item id beyond any integer column",
        "/items/99999999999999999999",
        422,
        "less than or equal to 2147483647",
    ),
    get("page item that does not exist", "/items/999999", 404, "no review item 999999"),
    get("page filter with a NUL", "/queue?route=open%00router", 422, "route"),
    get("page model name with a NUL", "/models/openrouter/gpt%005", 422, "model"),
    get("page unknown status filter", "/queue?status=bogus", 422, "status: one of open"),
    get(
        "models search with a NUL",
        "/models?q=gpt%005",
        422,
        "q &#39;gpt\\x005&#39;: no control characters",
    ),
    get("models route of 400 characters", f"/models?route={'x' * 400}", 422, "route: String"),
    get(
        "models category with a NUL",
        "/models?category=chat%00",
        422,
        "category &#39;chat\\x00&#39;: no control",
    ),
    get("set page model with a NUL", f"/sets/{SET}?model=gpt%005", 422, "model: at most 300"),
    get("set page model of 400 characters", f"/sets/{SET}?model={'x' * 400}", 422, "model: at"),
    Bad("decision signed out", "POST", "/items/1/approve", 401, "sign in as a reviewer", form={}),
    # Pages and offsets beyond any integer column, filters outside their vocabulary.
    get("queue offset beyond any integer", "/api/queue?offset=" + "9" * 20, 422, "2147483647"),
    get("values offset beyond any integer", "/api/values?offset=" + "9" * 20, 422, "2147483647"),
    get("page queue offset beyond any integer", "/queue?offset=" + "9" * 20, 422, "2147483647"),
    get("page sets offset beyond any integer", "/sets?offset=" + "9" * 20, 422, "2147483647"),
    get("page queue priority 10**20", "/queue?priority=" + "9" * 20, 422, "from 1 to 9"),
    get("queue priority P10", "/api/queue?priority=P10", 422, "P1 to P9, or a number from 1 to 9"),
    get("queue priority 0", "/api/queue?priority=0", 422, "P1 to P9, or a number from 1 to 9"),
    get("values of an unknown kind", "/api/values?kind=prices", 422, "'price', 'limit'"),
    get("sets of an unknown kind", "/api/sets?kind=pricechange", 422, "'price_change'"),
    get("sets page of 0", "/api/sets?limit=0", 422, "greater than or equal to 1"),
    get("sets page of 1001", "/api/sets?limit=1001", 422, "less than or equal to 1000"),
    get("sets offset beyond any integer", "/api/sets?offset=" + "9" * 20, 422, "2147483647"),
    # A filter naming what the list never holds: refused, not an empty list (catalog/filters.py).
    get("models of an unknown category", "/models?category=bogus", 422, "no model in force on"),
    get("models with an unknown capability", "/models?capability=teleport", 422, "pdf_input"),
    get("models on an unknown route", "/models?route=nowhere", 422, "one of: openrouter"),
    get("queue of an unknown route", "/queue?route=nowhere", 422, "no review item names it"),
    get("queue of an unknown source", "/queue?source=bogus", 422, "not a configured source"),
    get("queue of an unknown model", "/queue?model=no-such-model", 422, "no review item is"),
    get("sets page of an unknown source", "/sets?source=bogus", 422, "one of: anthropic-page"),
    get("API queue of an unknown source", "/api/queue?source=bogus", 422, "source 'bogus'"),
    get("API queue of an unknown model", "/api/queue?model=nope", 422, "model 'nope'"),
    get("API sets of an unknown route", "/api/sets?route=nowhere", 422, "route 'nowhere'"),
    get("set page of a model not in it", f"/sets/{SET}?model=nope", 422, "no item of set"),
    get("values on an unknown route", "/api/values?route=nowhere", 422, "route 'nowhere'"),
    get("values of an unknown model", "/api/values?model=nope", 422, "model 'nope': no value"),
    get("catalog of an unknown route", "/api/catalog?route=nowhere", 422, "one of: openrouter"),
    get("API queue of no such set", "/api/queue?set=1:a:b:anomaly", 422, "no such change set"),
    get("API queue of a set with a NUL", "/api/queue?set=1%00", 422, "should match pattern"),
    get("page queue sorted by no column", "/queue?sort=cost", 422, "one of due, priority, id"),
    get(
        "cost of 10**35 tokens",
        f"/api/cost?{COST}&input_tokens={'9' * 35}&output_tokens=1",
        422,
        "input_tokens: Input should be less than or equal to 1000000000000",
    ),
    get(
        "cost of 0 images",
        f"/api/cost?{COST}&input_tokens=1&output_tokens=1&images=high:1024x1024:0",
        422,
        "images: the image count",
    ),
    get(
        "cost of images of no shape",
        f"/api/cost?{COST}&input_tokens=1&output_tokens=1&images=bad",
        422,
        "images: 'bad': use QUALITY:SIZE:N",
    ),
    get(
        "cost in a region of the global deployment",
        f"/api/cost?{COST}&input_tokens=1&output_tokens=1&scope=global&region=eastus2",
        422,
        "region: region 'eastus2': a global deployment has none",
    ),
    # A signed-in reviewer's forms.
    Bad(
        "set preview with an unknown verdict",
        "POST",
        "/sets/1:openrouter:openrouter:price_change/preview",
        422,
        "verdict &#39;accept&#39;: one of",
        form={"verdict": "accept"},
        signed_in=True,
    ),
    Bad(
        "set decision on an item id beyond any integer",
        "POST",
        "/sets/1:openrouter:openrouter:price_change/decide",
        422,
        "an id from 1 to 2147483647",
        form={"verdict": "approve", "item": ["9" * 20]},
        signed_in=True,
    ),
    Bad(
        "set decision on an item id that is no number",
        "POST",
        "/sets/1:openrouter:openrouter:price_change/decide",
        422,
        "item &#39;abc&#39;: Input should be a valid integer",
        form={"verdict": "approve", "item": ["abc"]},
        signed_in=True,
    ),
    Bad(
        "undo of an item id beyond any integer",
        "POST",
        f"/items/{'9' * 20}/undo",
        422,
        "less than or equal to 2147483647",
        form={"reason": "x"},
        signed_in=True,
    ),
    Bad(
        "huge sign-in form",
        "POST",
        "/login",
        413,
        "byte limit",
        form={"name": "alice", "secret": "x" * HUGE},
    ),
    Bad(  # the second component had no value field: it was dropped without a word
        "form rows of unequal fields",
        "POST",
        "/submit",
        422,
        "claims: each row is a component, a unit, dimensions and a value; got 2, 1, 1, 1",
        form={**FORM, "component": ["input", "output"]},
    ),
    Bad(
        "wrong secret",
        "POST",
        "/login",
        401,
        "unknown name or wrong secret",
        form={"name": "alice", "secret": "not the secret at all"},
    ),
    *SPELLINGS,
    # Starlette's route patterns end in `$`, which matches before a final newline: these were
    # answered as gpt-4o and item 1
    get("route page of a name and a newline", "/models/openrouter/gpt-4o%0A", 422, NEWLINE),
    get("catalog entry of a name and a newline", "/api/catalog/openrouter/gpt-4o%0A", 422, NEWLINE),
    get("an item's page and a newline", "/items/1%0A", 422, NEWLINE),
]


@pytest.fixture(scope="module")
def app(refreshed_catalog: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    db = copy_catalog(refreshed_catalog, tmp_path_factory.mktemp("bad") / "catalog.db")
    add_reviewer(store.connect(db), "alice", SECRET)
    return create_app(db, secret_key="test-only-secret", submit_limit=(1000, 3600.0))


@pytest.fixture(scope="module")
def watcher(app: Any) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(app.state.engine.url.database)) as conn:
        yield conn


def data_version(watcher: sqlite3.Connection) -> int:
    return int(watcher.execute("PRAGMA data_version").fetchone()[0])


def send(client: TestClient, case: Bad) -> Any:
    content: Any = case.content
    data = None
    if case.chunked:
        content = chunks(case.chunked)
    if case.signed_in:
        page = client.get("/login").text
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token is not None
        signed = {"name": "alice", "secret": SECRET, "csrf": token[1]}
        assert client.post("/login", data=signed, follow_redirects=False).status_code == 303
    if case.form is not None:
        page = client.get("/submit").text
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token is not None
        data = {**case.form, "csrf": token[1]}
    return client.request(
        case.method, case.path, json=case.json, content=content, data=data, headers=case.headers
    )


def test_there_are_at_least_40_bad_inputs() -> None:
    assert len(CASES) >= 40 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_answers_4xx_and_changes_nothing(
    app: Any, watcher: sqlite3.Connection, case: Bad
) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    before = data_version(watcher)
    response = send(client, case)
    assert (response.status_code, case.says) == (case.status, case.says) and (
        case.says in response.text
    ), response.text[-500:]
    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.text
    assert data_version(watcher) == before


def test_a_good_submission_moves_the_data_version(app: Any, watcher: sqlite3.Connection) -> None:
    """The check above can fail: a write by the app is seen."""
    before = data_version(watcher)
    created = TestClient(app).post("/api/submissions", json=GOOD)
    assert created.status_code == 201 and data_version(watcher) != before


def test_the_last_date_python_holds_is_a_date_like_any_other(app: Any) -> None:
    """?at=9999-12-31 reads the catalog at that day's end, as any other date: not a 500."""
    client = TestClient(app, raise_server_exceptions=False)
    for path in (
        f"/api/cost?{COST}&input_tokens=1&output_tokens=1",
        "/api/values?limit=1",
        "/models",
        "/api/export/csv",
    ):
        response = client.get(f"{path}{'&' if '?' in path else '?'}at=9999-12-31")
        assert response.status_code == 200, (path, response.text[-300:])


@pytest.mark.parametrize(
    ("workload", "said"),
    [
        (
            f"input_tokens={10**13}&output_tokens=1",
            "input_tokens: Input should be less than or equal to 1000000000000",
        ),
        (
            "input_tokens=1&output_tokens=1&images=high:1024x1024:0",
            "images: the image count: Input should be greater than or equal to 1",
        ),
        # below zero, or no whole number, was a whole-page 422 (FastAPI's JSON), the page lost
        ("input_tokens=-1", "input_tokens: Input should be greater than or equal to 0"),
        (
            "input_tokens=1&output_tokens=1.5",
            "output_tokens: Input should be a valid integer, unable to parse string as an integer",
        ),
    ],
    ids=["tokens", "images", "negative", "fraction"],
)
def test_a_model_pages_workload_out_of_range_is_one_line(
    app: Any, workload: str, said: str
) -> None:
    """The page's cheapest-route form with 10^13 input tokens (or 0 images) showed pydantic's
    whole report ('1 validation error for Workload', the error type, the input and a link to
    pydantic's site) where /api/cost says 'input_tokens: …' in one line."""
    client = TestClient(app)
    page = client.get(f"/models/gpt-5?{workload}")
    assert page.status_code == 200
    shown = re.findall(r'<p class="error">([^<]*)</p>', page.text)
    assert shown == [said]
