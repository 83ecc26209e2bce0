"""The JSON API: the catalog, the review queue, the 48-hour promise, and submissions.

Reads are public. The one write, POST /api/submissions, accepts only a JSON body (a cross-site
form cannot send one without the browser asking first) and is rate-limited per client address
like the form; a signed-in reviewer's submission is recorded as theirs. Decisions are made on the
pages, by signed-in reviewers, with CSRF tokens. Every path and query parameter is checked
(ids, route and model names, tokens, filters) so a bad one answers 422 saying which and why.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field, StrictFloat, StrictInt, StrictStr
from sqlalchemy import Engine

from catalog import queries, reader
from catalog.filters import check_catalog_name, check_queue_filter
from review import decisions, sets
from review import submissions as submitted
from schemas.records import ReviewKind, ReviewStatus
from schemas.vocab import Component, Unit
from webapp.security import client_address

PRIVATE = ("contact", "submitter", "client_id")
MAX_ID = 2**31 - 1  # the largest id a database integer column holds everywhere
NAME = r"^[^\x00-\x1f\x7f]+$"  # a model name: any printable text
FILTER = r"^[^\x00-\x1f\x7f]*$"  # a filter: printable text, empty for none

ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="A review item's id.")]
RouteName = Annotated[
    str, Path(max_length=100, pattern=f"^{submitted.ROUTE.pattern}$", examples=["openrouter"])
]
ModelName = Annotated[str, Path(max_length=300, pattern=NAME, examples=["gpt-5"])]
Token = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
SetId = Annotated[str, Path(max_length=400, pattern=NAME, description="A change set's id.")]
RouteFilter = Annotated[
    str | None, Query(max_length=100, pattern=f"^({submitted.ROUTE.pattern})?$")
]
TextFilter = Annotated[str | None, Query(max_length=300, pattern=FILTER)]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Rows to skip (0 to 2147483647).")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Rows in a page (1 to 1000).")]

api_router = APIRouter(prefix="/api")


class ClaimIn(BaseModel):
    """One claimed value in a submission: component, unit (usd_per_1m_tokens by default),
    dimensions and the value, best as text so it is read exactly."""

    component: Component
    unit: Unit = Unit.PER_1M_TOKENS
    dimensions: dict[str, str] = Field(default_factory=dict, examples=[{"service_tier": "batch"}])
    value: StrictStr | StrictInt | StrictFloat = Field(
        examples=["3"],
        description="A plain decimal number, best as a string (read exactly, as Decimal): "
        f"ASCII digits, at most {submitted.MAX_DIGITS} significant, from "
        f"1e{submitted.MIN_EXPONENT} to below 1e{submitted.MAX_EXPONENT + 1}, or 0.",
    )


class SubmissionIn(BaseModel):
    """A submission as the API takes it: route, model, the source URL to fetch, one or more
    claims, and an optional contact."""

    route: str = Field(min_length=1, max_length=100, examples=["anthropic"])
    model: str = Field(min_length=1, max_length=300, examples=["claude-sonnet-4-5"])
    source_url: str = Field(
        min_length=1,
        max_length=2000,
        examples=["https://platform.claude.com/docs/en/about-claude/pricing.md"],
    )
    claims: list[ClaimIn] = Field(min_length=1, max_length=submitted.MAX_CLAIMS)
    contact: str | None = Field(default=None, max_length=300)


class SubmissionCreated(BaseModel):
    """A submission stored: its id, status (pending), when its review falls due, and the URLs of
    its status page and status API."""

    id: int
    status: str = "pending"
    due_at: datetime
    status_page: str
    status_api: str


def refused_status(exc: decisions.DecisionError) -> int:
    """The HTTP status of a refused decision: 403 for a reviewer who may not make it, 422 for
    a reason the form gave that cannot be used (none, or hiding text), 409 for an item not in
    the state the decision needs."""
    if isinstance(exc, decisions.Forbidden):
        return 403
    return 422 if isinstance(exc, decisions.BadReason) else 409


def engine_of(request: Request) -> Engine:
    """The catalog engine the app was created over."""
    engine: Engine = request.app.state.engine
    return engine


def store_submission(request: Request, data: SubmissionIn) -> dict[str, Any] | str:
    """Rate-limit, then store. Returns the stored submission, or why it was not stored. The
    limit counts the submissions stored from the client's address: one refused for its own
    content (a mistyped claim) is told why and counts for nothing (a fault round: a submitter's
    corrected tries were refused 429 for an hour after ten typos)."""
    limiter, client = request.app.state.submit_limiter, client_address(request)
    if limiter.full(client):
        raise HTTPException(status_code=429, detail="too many submissions from this address")
    try:
        claims = [submitted.parse_claim(c.model_dump()) for c in data.claims]
        created = submitted.submit(
            engine_of(request),
            route=data.route,
            model=data.model,
            source_url=data.source_url,
            claims=claims,
            contact=data.contact,
            submitter=request.state.reviewer,
            client_id=request.state.client_id,
        )
    except submitted.SubmissionError as exc:
        return str(exc)
    limiter.hit(client)
    return created


@api_router.get("/catalog", tags=["catalog"])
def catalog_index(request: Request, route: RouteFilter = None) -> list[dict[str, Any]]:
    """Every (route, model) in the catalog, with its number of fields and of verified fields.
    A route no value in force is sold on is refused (422), not answered with an empty list."""
    with engine_of(request).connect() as conn:
        found = queries.catalog_index(conn, route)
        if route and not found:
            routes = {e.route for e in queries.catalog_index(conn)}
            check_catalog_name(conn, "route", route, routes, "no value in force is sold there")
    return [entry.as_json() for entry in found]


@api_router.get("/catalog/{route}/{model:path}", tags=["catalog"])
def catalog_entry(
    request: Request,
    route: RouteName,
    model: ModelName,
    at: Annotated[
        date | None,
        Query(description="the values in force at the end of that UTC day, as `show --at`"),
    ] = None,
) -> dict[str, Any]:
    """Every field of (route, model): value, who verified it and when, who agrees, history.
    With `at`, the catalog's values as they stood at the end of that UTC day, verified and
    corroborated as known then (as `ratecard show --at DATE --json` and /models/ROUTE/MODEL?at=
    read them); capabilities, sources' statements and open items as they stand now."""
    with engine_of(request).connect() as conn:
        view = queries.model_view(conn, route, model)
        known = bool(view.fields or view.history or view.not_in_catalog)
        hint = "" if known else queries.spelling_hint(conn, route, model)
        if known and at is not None:
            view = queries.model_view_as_of(conn, view, reader.as_of(at))
    if not known:
        raise HTTPException(status_code=404, detail=f"nothing known about {route}/{model}{hint}")
    return view.as_json()


@api_router.get("/queue", tags=["queue"])
def queue(
    request: Request,
    response: Response,
    status: Annotated[
        str | None, Query(description="open, approved, rejected, superseded, or any")
    ] = "open",
    kind: ReviewKind | None = None,
    route: RouteFilter = None,
    model: TextFilter = None,
    source: TextFilter = None,
    priority: Annotated[
        str | None, Query(max_length=20, description="as the pages show it, P1 to P9, or 1 to 9")
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=300, pattern=FILTER, description="text in the title, route or model"),
    ] = None,
    set_id: Annotated[
        str | None, Query(alias="set", max_length=400, pattern=FILTER, description="one change set")
    ] = None,
    sort: Annotated[str, Query(description=", ".join(queries.QUEUE_SORTS))] = "due",
    desc: bool = False,
    offset: Offset = 0,
    limit: Limit = 200,
) -> list[dict[str, Any]]:
    """Review items, soonest due then most urgent first (or by `sort`), one page at a time.

    The total is in `X-Total-Count`; the next page's URL (same filters, `offset` + `limit`) in
    `Link: <...>; rel="next"` until the last page. Pages never repeat or skip an item while the
    queue does not change."""
    statuses = [s.value for s in ReviewStatus]
    if status not in (None, "", "any", *statuses):
        raise HTTPException(status_code=422, detail=f"status: one of {', '.join(statuses)} or any")
    if sort not in queries.QUEUE_SORTS:
        raise HTTPException(
            status_code=422, detail=f"sort {sort!r}: one of {list(queries.QUEUE_SORTS)}"
        )
    which = queries.QueueFilter(
        status=None if status in (None, "", "any") else status,
        kind=kind.value if kind else None,
        route=route,
        model=model,
        source=source,
        priority=priority_level(priority),
        text=q,
        set_id=set_id,
    )
    with engine_of(request).connect() as conn:
        check_queue_filter(conn, which)
        page = queries.queue_page(
            conn, which, sort=sort, descending=desc, offset=offset, limit=limit
        )
    paged(request, response, page.total, offset, limit)
    return [item.as_json() for item in page.items]


def priority_level(priority: str | None) -> int | None:
    """A queue's priority filter as the pages show it ("P2") or as a number ("2"): its level, 1
    to 9; None for none given (absent or empty). Raises HTTPException 422 for any other text."""
    if not priority:
        return None
    number = priority[1:] if priority[:1] in ("P", "p") else priority
    if not (number.isascii() and number.isdigit() and 1 <= int(number) <= 9):
        raise HTTPException(
            status_code=422, detail=f"priority {priority!r}: P1 to P9, or a number from 1 to 9"
        )
    return int(number)


def paged(request: Request, response: Response, total: int, offset: int, limit: int) -> None:
    """A list page's headers: the total in `X-Total-Count`, and while there is more, the next
    page's URL (this one's query with `offset` + `limit`) in `Link: <...>; rel="next"`."""
    response.headers["X-Total-Count"] = str(total)
    if offset + limit < total:
        following = request.url.include_query_params(offset=offset + limit, limit=limit)
        response.headers["Link"] = f'<{following}>; rel="next"'


@api_router.get("/sets", tags=["queue"])
def change_sets(
    request: Request,
    response: Response,
    kind: ReviewKind | None = None,
    route: RouteFilter = None,
    source: TextFilter = None,
    offset: Offset = 0,
    limit: Limit = 200,
) -> list[dict[str, Any]]:
    """The change sets of the open items, soonest due then most urgent first, one page at a
    time: id, label, kind, route, lead source, run, items, fields, earliest due time, most
    urgent priority. `items` and `fields` count the items matching the filter (with `source`,
    those citing it); `set_items` and `set_fields` count the whole set's open items, which is
    what deciding the set covers.

    Paged as /api/queue is: the total in `X-Total-Count`, the next page's URL in
    `Link: <...>; rel="next"` until the last page."""
    which = queries.QueueFilter(kind=kind.value if kind else None, route=route, source=source)
    engine = engine_of(request)
    with engine.connect() as conn:
        check_queue_filter(conn, which)
        total = queries.change_set_totals(conn, which).sets
    paged(request, response, total, offset, limit)
    return sets.list_sets(engine, which, offset=offset, limit=limit)


@api_router.get("/queue/{item_id}", tags=["queue"])
def queue_item(request: Request, item_id: ItemId) -> dict[str, Any]:
    """One review item with its evidence, and the submission behind it (without the contact)."""
    with engine_of(request).connect() as conn:
        item = queries.get_review(conn, item_id)
        submission = queries.submission_for_item(conn, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail=f"no review item {item_id}")
    if submission is not None:
        submission = {k: v for k, v in submission.items() if k not in PRIVATE}
    return {**item.as_json(), "submission": submission}


@api_router.get("/sla", tags=["queue"])
def sla(
    request: Request, within_hours: Annotated[float, Query(gt=0, le=168)] = 12
) -> dict[str, Any]:
    """Open items due within `within_hours`, overdue items, and submissions not yet fetched."""
    with engine_of(request).connect() as conn:
        return queries.sla_report(conn, datetime.now(UTC), timedelta(hours=within_hours))


@api_router.post("/submissions", status_code=201, tags=["submissions"])
def create_submission(request: Request, data: SubmissionIn) -> SubmissionCreated:
    """Submit a source: stored at once, and a reviewer decides within 48 hours."""
    created = store_submission(request, data)
    if isinstance(created, str):
        raise HTTPException(status_code=422, detail=created)
    token = created["token"]
    return SubmissionCreated(
        id=created["id"],
        due_at=created["due_at"],
        status_page=str(request.url_for("submission_page", token=token)),
        status_api=str(request.url_for("submission_status", token=token)),
    )


@api_router.get("/submissions/{token}", tags=["submissions"])
def submission_status(request: Request, token: Token) -> dict[str, Any]:
    """A submission's state for its submitter: the checks of each claim and the decision."""
    with engine_of(request).connect() as conn:
        found = queries.submission_status(conn, token)
    if found is None:
        raise HTTPException(status_code=404, detail="no such submission")
    return found
