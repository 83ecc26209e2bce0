"""The review queue on the web: server-rendered pages for reviewers and submitters, a JSON API.

Pages: the queue (soonest due first, filterable), an item (current and proposed values side by
side, % change, each source's value, date and link, the evidence, the field's history, approve
and reject forms), a model's catalog entry, the public submission form and each submission's
status page, reviewer sign-in. The JSON API (/api/..., documented at /docs) serves the catalog,
the queue and submissions. Every form carries a CSRF token; Jinja escapes every value; pages
send a Content-Security-Policy without scripts; submissions and failed logins are rate-limited
per client address; request bodies are capped (security.MAX_BODY).
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from catalog import queries, reader, store
from catalog.filters import UnknownFilter
from catalog.views import ReviewDetail
from review import decisions
from review import submissions as submitted
from review.reviewers import session_valid, sign_out, verify_reviewer
from review.sets import field_label
from schemas.records import ReviewKind, ReviewStatus, clock_text, decimal_text
from schemas.vocab import Component, Dim, Unit, unit_label, units_spelled
from webapp.api import (
    ItemId,
    ModelName,
    RouteName,
    SubmissionIn,
    Token,
    api_router,
    engine_of,
    refused_status,
    store_submission,
)
from webapp.pages import pages_router, parse_day
from webapp.security import (
    MAX_BODY,
    BodyLimit,
    HeadAsGet,
    RateLimiter,
    Signer,
    client_address,
    trusted_proxies,
)

HERE = Path(__file__).resolve().parent
CLAIM_ROWS = 4
BLANK_CLAIMS = (Component.INPUT, Component.OUTPUT, Component.CACHE_READ, Component.CACHE_WRITE)
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
DONE = {
    "approved": "Approved: the catalog now holds the proposed values (a disagreement keeps "
    "the value in force unless a source was chosen).",
    "rejected": "Rejected: the catalog is unchanged and the reason is recorded.",
    "undone": "Undone: the values before the decision are back in force; the item is open.",
}
# After a decision the item already had (another reviewer's, or a second click): said with
# the item's status and reviewer, never as if this decision had been made.
UNCHANGED = "unchanged"
log = logging.getLogger("ratecard.web")


def _templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    env.filters.update(
        due=due_label,
        pct=pct_label,
        href=safe_href,
        dims=dims_label,
        day=day_label,
        amount=amount,
        clock=clock_text,
        unit=unit_label,
        units=units_spelled,
    )
    return Jinja2Templates(env=env)


def due_label(due_at: str | None) -> str:
    """'in 5 h' or 'overdue by 2 h': what the 48-hour promise looks like right now."""
    if not due_at:
        return ""
    hours = (datetime.fromisoformat(due_at) - datetime.now(UTC)).total_seconds() / 3600
    return f"in {hours:.0f} h" if hours >= 0 else f"overdue by {-hours:.0f} h"


def pct_label(value: Decimal | None) -> str:
    """A change in percent as the pages show it ('+12.5%'); '' for none."""
    return "" if value is None else f"{value:+.1f}%"


def safe_href(url: str | None) -> str | None:
    """A URL fit for href (http or https only), else None: shown as text, never as a link."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


def amount(value: Decimal | str) -> str:
    """A value as its exact plain text (no exponent), as the JSON states it."""
    return decimal_text(value) if isinstance(value, Decimal) else value


def day_label(when: datetime | str | None) -> str:
    """'2026-08-19': the UTC date of a time (a datetime, or ISO 8601 text as views keep it)."""
    if when is None:
        return ""
    return when[:10] if isinstance(when, str) else when.date().isoformat()


def dims_label(dims: dict[str, str] | None) -> str:
    """Dimensions for people, sorted: 'modality=audio, service_tier=batch' ('' for none)."""
    return ", ".join(f"{k}={v}" for k, v in sorted((dims or {}).items()))


def create_app(
    database: str | None = None,
    *,
    secret_key: str | None = None,
    submit_limit: tuple[int, float] = (10, 3600.0),
    login_limit: tuple[int, float] = (10, 900.0),
    max_body: int = MAX_BODY,
    proxies: Iterable[str] | None = None,
) -> FastAPI:
    """The app over the catalog at `database`. Without a secret key (RATECARD_SECRET_KEY), one is
    made per process: sessions then end when the server restarts. `submit_limit` is (submissions,
    seconds) and `login_limit` (failed sign-ins, seconds) per client address; `max_body` caps
    request bodies (bytes); `proxies` lists the addresses or networks whose X-Forwarded-For is
    believed (default: RATECARD_TRUSTED_PROXIES, else none)."""
    key = secret_key or os.environ.get("RATECARD_SECRET_KEY")
    if not key:
        log.warning("RATECARD_SECRET_KEY is not set: sessions last until this server stops")
        key = secrets.token_urlsafe(32)
    app = FastAPI(
        title="ratecard",
        description="AI model prices that say where they were read, when, and who agrees; "
        "the review queue and submissions.",
        version="0.1.0",
        docs_url=None,  # webapp/pages.py serves /docs with Swagger UI's files from a package
        redoc_url=None,
        dependencies=[Depends(no_final_line_break)],
    )
    app.state.engine = store.connect(database)
    app.state.signer = Signer(key)
    app.state.templates = _templates()
    app.state.submit_limiter = RateLimiter(*submit_limit)
    app.state.login_limiter = RateLimiter(*login_limit)
    app.state.trusted_proxies = trusted_proxies(proxies)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api_router)
    app.add_middleware(BodyLimit, max_bytes=max_body)  # inside `identify`: its errors pass as-is
    app.include_router(pages_router)  # published catalog: models, cost, exports, feed, docs
    _middleware(app)
    _pages(app)
    app.add_middleware(HeadAsGet)  # outermost: every GET route answers HEAD
    return app


def no_final_line_break(request: Request) -> None:
    """Refuse (422) a request whose path, decoded, ends in a line break. Starlette's route
    patterns end in `$`, which also matches before a final newline: '/models/openai/gpt-4o%0A'
    matched with the model 'gpt-4o' and was answered as that model (a fault round). A control
    character anywhere else stays in its parameter, whose check names it."""
    if request.scope["path"].endswith("\n"):
        raise HTTPException(
            status_code=422,
            detail="the path ends in a line break: no route, model, id or token ends in one",
        )


def _names_the_client(request: Request, response: Response) -> bool:
    """Whether a response needs the client id cookie: a page (its forms' CSRF tokens are bound
    to the id) or a request that writes (a submission records its client, so its submitter
    cannot approve it). Read-only answers (the JSON API, exports, the feed, static files) set
    none: every API GET set one, a cookie a script or cache had no use for."""
    writes = request.method not in ("GET", "HEAD", "OPTIONS")
    return writes or response.headers.get("content-type", "").startswith("text/html")


def _middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def identify(request: Request, call_next: Any) -> Response:
        """Give every client a signed id, find the reviewer, and add the security headers."""
        signer: Signer = app.state.signer
        client_id, new = signer.client_id(request)
        request.state.client_id = client_id
        session = signer.session(request, partial(session_valid, app.state.engine))
        request.state.reviewer = session.reviewer if session else None
        request.state.session_id = session.id if session else ""
        response: Response = await call_next(request)
        if new and _names_the_client(request, response):
            signer.set_client(response, request, client_id)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if not request.url.path.startswith(("/docs", "/redoc")):
            response.headers["Content-Security-Policy"] = CSP
            response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def errors(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return await http_exception_handler(request, exc)
        return render(
            request,
            "error.html",
            {"status": exc.status_code, "detail": exc.detail},
            status=exc.status_code,
        )

    @app.exception_handler(UnknownFilter)
    async def unknown_filter(request: Request, exc: UnknownFilter) -> Response:
        """A filter naming what the list never holds (catalog/filters.py): 422 saying so, as
        JSON under /api, else the error page."""
        refused = HTTPException(status_code=422, detail=str(exc))
        if request.url.path.startswith("/api/"):
            return await http_exception_handler(request, refused)
        return render(request, "error.html", {"status": 422, "detail": str(exc)}, status=422)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        """A bad path, query or form parameter: the API answers FastAPI's JSON, a page an
        error page naming each parameter and its rule (422 either way)."""
        if request.url.path.startswith("/api/"):
            return await request_validation_exception_handler(request, exc)
        return render(
            request,
            "error.html",
            {"status": 422, "detail": invalid_detail(exc)},
            status=422,
        )


def invalid_detail(exc: RequestValidationError) -> str:
    """'item_id: Input should be a valid integer, …': each refused parameter and its rule."""
    return field_rules(exc.errors())


def field_rules(errors: Iterable[Any]) -> str:
    """Pydantic's errors on one line: 'contact: String should have at most 300 characters',
    each refused field (the last part of its location) and its rule, joined by '; '. A value
    its pattern refused is quoted with the rule in words ("route 'OpenRouter': use lowercase
    letters, …"), never the regular expression."""
    return "; ".join(_field_rule(error) for error in errors)


def _field_rule(error: Any) -> str:
    # the field's name, not a list item's position ("item 'abc'", not "0")
    location = error.get("loc") or ()
    names = [part for part in location if isinstance(part, str)]
    name = names[-1] if names else "request"
    if location and isinstance(location[-1], int):
        name = f"{name} {error.get('input')!r}"
    if error.get("type") == "string_pattern_mismatch":
        pattern = str((error.get("ctx") or {}).get("pattern", ""))
        rule = (
            "use lowercase letters, digits, '.', '_' or '-'"
            if submitted.ROUTE.pattern in pattern
            else "no control characters"
        )
        return f"{name} {error.get('input')!r}: {rule}"
    return f"{name}: {str(error.get('msg', 'invalid')).removeprefix('Value error, ')}"


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """The template `name` rendered with `context` and HTTP `status`, plus the signed-in reviewer
    (None when signed out) and a CSRF token for its forms."""
    app = request.app
    templates: Jinja2Templates = app.state.templates
    return templates.TemplateResponse(
        request,
        name,
        {
            **context,
            "reviewer": request.state.reviewer,
            "csrf": app.state.signer.csrf_token(request),
        },
        status_code=status,
    )


def require_reviewer(request: Request) -> str:
    """The signed-in reviewer's name. Raises HTTPException 401 when no reviewer is signed in."""
    if not request.state.reviewer:
        raise HTTPException(status_code=401, detail="sign in as a reviewer first")
    return str(request.state.reviewer)


def _pages(app: FastAPI) -> None:
    from webapp import queue_pages

    queue_pages.register(app)
    _queue_pages(app)
    _decision_pages(app)
    _login_pages(app)
    _submission_pages(app)


def _queue_pages(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/queue", status_code=303)

    @app.get("/items/{item_id}", response_class=HTMLResponse, include_in_schema=False)
    def item_page(request: Request, item_id: ItemId, done: str | None = None) -> Response:
        return _item_response(request, item_id, message=DONE.get(done or ""), done=done)

    @app.get("/models/{route}/{model:path}", response_class=HTMLResponse, include_in_schema=False)
    def model_page(request: Request, route: RouteName, model: ModelName, at: str = "") -> Response:
        day = parse_day(at)
        with engine_of(request).connect() as conn:
            view = queries.model_view(conn, route, model)
            known = bool(view.fields or view.history or view.open_review_items)
            hint = "" if known else queries.spelling_hint(conn, route, model)
            if known and day is not None:
                view = queries.model_view_as_of(conn, view, reader.as_of(day))
        if not known:
            raise HTTPException(
                status_code=404, detail=f"nothing known about {route}/{model}{hint}"
            )
        return render(request, "model.html", {"view": view, "at": day.isoformat() if day else ""})


def _item_response(
    request: Request,
    item_id: int,
    *,
    message: str | None = None,
    error: str | None = None,
    status: int = 200,
    done: str | None = None,
    entered: dict[str, Any] | None = None,
) -> Response:
    """An item's page; after a refused decision, `entered` is what the reviewer entered on its
    form (verdict: approve, reject or undo; reason; override; use_source), shown again."""
    with engine_of(request).connect() as conn:
        item = queries.get_review(conn, item_id)
        if item is None:
            raise HTTPException(status_code=404, detail=f"no review item {item_id}")
        if done == UNCHANGED and item.status != ReviewStatus.OPEN.value:
            message = f"Already {item.status} by {item.reviewer}: nothing changed."
        histories = [
            queries.field_history(conn, queries.change_field(item, c)) for c in item.changes
        ]
        submission = queries.submission_for_item(conn, item_id)
        audit = queries.audit_entries(conn, target=f"review:{item_id}")
    return render(
        request,
        "item.html",
        {
            "item": item,
            "source_choices": source_choices(item),
            "changes": list(zip(item.changes, histories, strict=True)),
            "submission": submission,
            "unconfirmed": (
                decisions.unconfirmed_claims(submission["fetch_status"], submission["checks"])
                if submission
                else []
            ),
            "audit": audit,
            "message": message,
            "error": error,
            "entered": {"verdict": "", "reason": "", "override": False, "use_source": ""}
            | (entered or {}),
        },
        status=status,
    )


def source_choices(item: ReviewDetail) -> list[tuple[str, str, bool]]:
    """The sources a reviewer may take the value of (`use_source`), as (source, 'its latest
    value per field', whether it is official: the value is then verified): for a disagreement,
    those stating a value for every field of the item; for an anomaly, the route's official
    source among them where it states one value of each (a tenfold move it states); empty for
    any other kind of item."""
    anomaly = item.kind == ReviewKind.ANOMALY.value
    if not (anomaly or item.kind == ReviewKind.DISAGREEMENT.value) or not item.changes:
        return []
    stating = [
        {
            s.source
            for s in change.sources
            if s.value and (not anomaly or decisions.official_value(change, s.source))
        }
        for change in item.changes
    ]
    official = {s.source for change in item.changes for s in change.sources if s.official}
    choices = []
    for source in sorted(set.intersection(*stating)):
        latest = [
            max(
                (s for s in change.sources if s.source == source and s.value),
                key=lambda s: s.observed_at,
            ).value
            for change in item.changes
        ]
        if len(item.changes) == 1:
            stated = latest[0]
        else:
            fields = zip(item.changes, latest, strict=True)
            stated = "; ".join(f"{field_label(c)}: {v}" for c, v in fields)
        choices.append((source, stated, source in official))
    return choices


def _decision_pages(app: FastAPI) -> None:
    @app.post("/items/{item_id}/approve", include_in_schema=False)
    def approve(
        request: Request,
        item_id: ItemId,
        csrf: Annotated[str, Form()] = "",
        reason: Annotated[str, Form()] = "",
        override: Annotated[bool, Form()] = False,
        use_source: Annotated[str, Form(max_length=50)] = "",
    ) -> Response:
        return _decide(
            request, item_id, decisions.Verdict.APPROVE, csrf, reason, override, use_source
        )

    @app.post("/items/{item_id}/reject", include_in_schema=False)
    def reject(
        request: Request,
        item_id: ItemId,
        csrf: Annotated[str, Form()] = "",
        reason: Annotated[str, Form()] = "",
    ) -> Response:
        return _decide(request, item_id, decisions.Verdict.REJECT, csrf, reason)


def _decide(
    request: Request,
    item_id: int,
    verdict: decisions.Verdict,
    csrf: str,
    reason: str,
    override: bool = False,
    use_source: str = "",
) -> Response:
    reviewer = require_reviewer(request)
    request.app.state.signer.check_csrf(request, csrf)
    try:
        made = decisions.decide_items(
            engine_of(request),
            verdict,
            [item_id],
            reviewer=reviewer,
            reason=reason,
            channel="web",
            client_id=request.state.client_id,
            override=override,
            use_source=use_source or None,
        )
    except decisions.NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except decisions.DecisionError as exc:
        code = refused_status(exc)
        entered = {
            "verdict": verdict.value,
            "reason": reason,
            "override": override,
            "use_source": use_source,
        }
        return _item_response(request, item_id, error=str(exc), status=code, entered=entered)
    done = verdict.status.value if all(d.changed for d in made) else UNCHANGED
    return RedirectResponse(f"/items/{item_id}?done={done}", status_code=303)


def printable(text: str) -> bool:
    """Whether `text` holds no control character (PostgreSQL's text refuses a NUL outright)."""
    return not any(ord(c) < 32 or ord(c) == 127 for c in text)


def _local_path(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/queue"


def _login_pages(app: FastAPI) -> None:
    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request, next: str | None = None) -> Response:
        return render(request, "login.html", {"next": _local_path(next), "error": None})

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request,
        name: Annotated[str, Form()] = "",
        secret: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/queue",
    ) -> Response:
        request.app.state.signer.check_csrf(request, csrf)
        limiter: RateLimiter = request.app.state.login_limiter
        address = client_address(request)
        if limiter.full(address):
            raise HTTPException(status_code=429, detail="too many failed sign-ins: wait a while")
        if not (printable(name) and verify_reviewer(engine_of(request), name.strip(), secret)):
            limiter.hit(address)
            return render(
                request,
                "login.html",
                {"next": _local_path(next), "error": "unknown name or wrong secret"},
                status=401,
            )
        submitted.attribute_to_reviewer(engine_of(request), request.state.client_id, name.strip())
        response = RedirectResponse(_local_path(next), status_code=303)
        request.app.state.signer.start_session(response, request, name.strip())
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        request.app.state.signer.check_csrf(request, csrf)
        if request.state.reviewer is not None:  # every copy of the session ends, not this one
            sign_out(engine_of(request), request.state.reviewer, datetime.now(UTC))
        response = RedirectResponse("/queue", status_code=303)
        request.app.state.signer.end_session(response)
        return response


def _submission_pages(app: FastAPI) -> None:
    @app.get("/submit", response_class=HTMLResponse, include_in_schema=False)
    def submit_form(request: Request, route: str = "", model: str = "") -> Response:
        return _submit_form(request, {"route": route, "model": model}, None)  # model pages link

    @app.post("/submit", include_in_schema=False)
    def submit(
        request: Request,
        csrf: Annotated[str, Form()] = "",
        route: Annotated[str, Form()] = "",
        model: Annotated[str, Form()] = "",
        source_url: Annotated[str, Form()] = "",
        contact: Annotated[str, Form()] = "",
        component: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
        unit: Annotated[list[str], Form()] = [],  # noqa: B006
        dimensions: Annotated[list[str], Form()] = [],  # noqa: B006
        value: Annotated[list[str], Form()] = [],  # noqa: B006
    ) -> Response:
        request.app.state.signer.check_csrf(request, csrf)
        form = {
            "route": route,
            "model": model,
            "source_url": source_url,
            "contact": contact,
            "claims": list(zip(component, unit, dimensions, value, strict=False)),
        }
        counts = [len(component), len(unit), len(dimensions), len(value)]
        if len(set(counts)) > 1:  # not the form's rows: a claim would be lost without a word
            refused = (
                "claims: each row is a component, a unit, dimensions and a value; got "
                + ", ".join(map(str, counts))
            )
            return _submit_form(request, form, refused, status=422)
        try:
            data = _submission_from_form(form)
        except ValidationError as exc:  # a field over its length: the field and its rule
            return _submit_form(request, form, field_rules(exc.errors()), status=422)
        except ValueError as exc:  # SubmissionError: a claim, a dimension, the URL
            return _submit_form(request, form, str(exc), status=422)
        created = store_submission(request, data)
        if isinstance(created, str):
            return _submit_form(request, form, created, status=422)
        return RedirectResponse(f"/submissions/{created['token']}", status_code=303)

    @app.get("/submissions/{token}", response_class=HTMLResponse, include_in_schema=False)
    def submission_page(request: Request, token: Token) -> Response:
        with engine_of(request).connect() as conn:
            found = queries.submission_status(conn, token)
        if found is None:
            raise HTTPException(status_code=404, detail="no such submission")
        return render(request, "submission.html", {"submission": found})


def _submission_from_form(form: dict[str, Any]) -> SubmissionIn:
    """The form's fields as the API's submission; claim rows without a value are left out.
    Raises SubmissionError for a claim it cannot read or none at all, and pydantic's
    ValidationError for a field the API refuses."""
    claims = [
        submitted.parse_claim({"component": c, "unit": u, "value": v, "dimensions": parse_dims(d)})
        for c, u, d, v in form["claims"]
        if v.strip()
    ]
    if not claims:
        raise submitted.SubmissionError("claims: fill in the value of at least one claim")
    return SubmissionIn.model_validate(
        {
            "route": form["route"],
            "model": form["model"],
            "source_url": form["source_url"],
            "contact": form["contact"] or None,
            "claims": [submitted.claim_json(c) for c in claims],
        }
    )


def _submit_form(
    request: Request, form: dict[str, Any], error: str | None, status: int = 200
) -> Response:
    claims = list(form.get("claims") or [])
    blank = [(c.value, Unit.PER_1M_TOKENS.value, "", "") for c in BLANK_CLAIMS]
    claims += blank[len(claims) : CLAIM_ROWS]
    return render(
        request,
        "submit.html",
        {
            "form": form,
            "claims": claims,
            "error": error,
            "components": [c.value for c in Component],
            "units": [u.value for u in Unit],
            "dims": [d.value for d in Dim],
        },
        status=status,
    )


def parse_dims(text: str) -> dict[str, str]:
    """'service_tier=batch, cache_ttl=1h' → {"service_tier": "batch", "cache_ttl": "1h"}."""
    pairs = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if any("=" not in p for p in pairs):
        raise submitted.SubmissionError(f"dimensions {text!r}: write NAME=VALUE, comma-separated")
    return {k.strip(): v.strip() for k, v in (p.split("=", 1) for p in pairs)}
