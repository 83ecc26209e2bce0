"""The published catalog on the web: model pages, the index, the cost API, exports, the JSON
API of values (paged), the Atom feed of accepted changes, and API docs served offline.

    GET /models                       index: search, filters (category, capability, route,
                                      verified only), ?at=DATE
    GET /models/{model}               one model across its routes (?at=DATE, a workload for
                                      the cheapest route); /models/{route}/{model} is app.py's
    GET /models/{model}/history.svg   price history per route (pygal, drawn server-side)
    GET /api/cost                     the cost calculator (catalog/cost.py)
    GET /api/values                   values in force with provenance, paged by offset/limit
    GET /api/export/{json|csv|litellm}, /api/export/litellm/provenance
    GET /feed.atom                    accepted changes (feedgen)
    GET /docs, /docs-assets/{file}    Swagger UI from the swagger-ui-bundle package

Pages are server-rendered without scripts; everything reads catalog/reader.py.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from catalog import queries, reader
from catalog.cost import (
    CostError,
    Workload,
    workload_error,
)
from catalog.export import FORMATS, render, value_record
from catalog.filters import check_catalog_name
from review import submissions as submitted
from schemas.records import time_text
from schemas.vocab import Kind, unit_label, units_spelled
from webapp.api import NAME, ModelName, Offset, TextFilter
from webapp.catalog_view import index_rows, model_view, price_history_svg

pages_router = APIRouter()
MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "litellm": "application/json",
}
DOCS_FILES = frozenset(
    {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "favicon-16x16.png"}
)
PAGE_LIMIT = 500


def _engine(request: Request) -> Any:
    return request.app.state.engine


def _at(at: date | None) -> Any:
    return reader.as_of(at)


def parse_day(text: str) -> date | None:
    """A page's ?at=: empty (a blank form field) is now; else an ISO date, or 422."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(
            status_code=422, detail=f"at={text!r}: use a date, YYYY-MM-DD"
        ) from None


@pages_router.get("/api/cost", tags=["catalog"])
def cost_api(
    request: Request,
    route: Annotated[str, Query(max_length=100, pattern=f"^{submitted.ROUTE.pattern}$")],
    model: Annotated[str, Query(max_length=300, pattern=NAME)],
    input_tokens: Annotated[int, Query(ge=0)],
    output_tokens: Annotated[int, Query(ge=0)],
    cached_tokens: Annotated[int, Query(ge=0)] = 0,
    cache_write_tokens: Annotated[int, Query(ge=0)] = 0,
    cache_ttl: str | None = None,
    images: Annotated[list[str] | None, Query(description="QUALITY:SIZE:N")] = None,
    requests_per_day: Annotated[int | None, Query(ge=0)] = None,
    service_tier: str = "standard",
    scope: str | None = None,
    region: str | None = None,
    variant: Annotated[str | None, Query(max_length=100)] = None,
    at: date | None = None,
) -> dict[str, Any]:
    """What a workload costs on (route, model) as of `at`: per request, per day, per month
    (30.4375 days), USD as exact decimal strings, with every price used and its verification.
    422 names the component whose price the catalog does not state (never assumed 0)."""
    try:
        workload = Workload.from_options(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cached_tokens=cached_tokens,
            cache_write_tokens=cache_write_tokens,
            cache_ttl=cache_ttl,
            images=images or (),
            requests_per_day=requests_per_day,
            service_tier=service_tier,
            scope=scope,
            region=region,
            variant=variant,
        )
    except ValidationError as exc:
        field, rule = workload_error(exc)
        raise HTTPException(status_code=422, detail=f"{field}: {rule}") from None
    except ValueError as exc:  # an `images` text of no QUALITY:SIZE:N shape
        raise HTTPException(status_code=422, detail=f"images: {exc}") from None
    with _engine(request).connect() as conn:
        try:
            return queries.workload_cost(conn, route, model, workload, at).model_dump(mode="json")
        except CostError as exc:
            raise HTTPException(
                status_code=422, detail={"component": exc.component, "refused": str(exc)}
            ) from None


@pages_router.get("/api/values", tags=["catalog"])
def values_api(
    request: Request,
    route: TextFilter = None,
    model: TextFilter = None,
    kind: Kind | None = None,
    verified_only: bool = False,
    at: date | None = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT)] = 100,
) -> dict[str, Any]:
    """Catalog values in force at `at` with provenance per value, `limit` at a time from
    `offset`; `next` is the URL of the following page (None on the last)."""
    wanted = {"route": route, "model": model, "kind": kind.value if kind else None}
    with _engine(request).connect() as conn:
        check_catalog_filter(conn, _at(at), route=route, model=model)
        if verified_only:  # verification is read per value: filter them all, then slice
            found = reader.published_values(conn, _at(at), verified_only=True, **wanted)
            total, page = len(found), found[offset : offset + limit]
        else:
            total, page = reader.published_page(conn, _at(at), offset=offset, limit=limit, **wanted)
    following = None
    if offset + limit < total:
        query = {
            k: v
            for k, v in request.query_params.items()
            if k not in ("offset", "limit") and v is not None
        }
        following = f"/api/values?{urlencode({**query, 'offset': offset + limit, 'limit': limit})}"
    return {
        "total": total,
        "offset": offset,
        "limit": limit,
        "next": following,
        "values": [value_record(p) for p in page],
    }


def check_catalog_filter(
    conn: Any, moment: Any, *, route: str | None = None, model: str | None = None
) -> None:
    """Refuse a route or model filter naming no value in force at `moment` (catalog/filters.py:
    never an empty list). Raises UnknownFilter naming the parameter."""
    if not (route or model):
        return
    pairs = reader.models(conn, moment)
    day = moment.date().isoformat()
    routes = {r for r, _ in pairs}
    check_catalog_name(conn, "route", route, routes, f"no value in force on {day} is sold there")
    why = f"no value in force on {day} is of this model"
    check_catalog_name(conn, "model", model, {m for _, m in pairs}, why, route=route or None)


@pages_router.get("/api/export/{fmt}", tags=["catalog"])
def export_api(
    request: Request, fmt: str, verified_only: bool = False, at: date | None = None
) -> Response:
    """The whole catalog as json (provenance per value), csv, or litellm (LiteLLM's map)."""
    if fmt not in FORMATS:
        raise HTTPException(status_code=404, detail=f"format {fmt!r}: one of {', '.join(FORMATS)}")
    moment = _at(at)
    with _engine(request).connect() as conn:
        values = reader.iter_published(conn, moment, verified_only=verified_only)
        text, _ = render(fmt, values, as_of=time_text(moment), verified_only=verified_only)
    return Response(text, media_type=MEDIA[fmt])


@pages_router.get("/api/export/litellm/provenance", tags=["catalog"])
def litellm_provenance_api(
    request: Request, verified_only: bool = False, at: date | None = None
) -> Response:
    """The LiteLLM export's sidecar: each exported field's provenance and what was left out."""
    moment = _at(at)
    with _engine(request).connect() as conn:
        values = reader.iter_published(conn, moment, verified_only=verified_only)
        _, sidecar = render("litellm", values, as_of=time_text(moment), verified_only=verified_only)
    return Response(sidecar or "{}", media_type="application/json")


@pages_router.get("/feed.atom", include_in_schema=False)
def feed(request: Request) -> Response:
    """Accepted changes as an Atom feed, newest first."""
    from feedgen.feed import FeedGenerator

    base = str(request.base_url).rstrip("/")
    with _engine(request).connect() as conn:
        changes = reader.accepted_changes(conn)
    fg = FeedGenerator()
    fg.id(f"{base}/feed.atom")
    fg.title("ratecard: accepted catalog changes")  # prices, and limits such as context windows
    fg.author(name="ratecard")  # RFC 4287 4.1.1: a feed names its author unless each entry does
    fg.link(href=f"{base}/feed.atom", rel="self")
    fg.link(href=f"{base}/models", rel="alternate")
    fg.updated(changes[0].decided_at if changes else reader.as_of(None))
    for change in reversed(changes):  # feedgen lists the last added first
        v = change.value
        dims = ", ".join(f"{k}={x}" for k, x in sorted(v.dimensions.items()))
        field = f"{v.component.value}{f' [{dims}]' if dims else ''}"
        entry = fg.add_entry()
        entry.id(f"{base}/items/{change.item_id}#value-{v.id}")
        entry.title(
            f"{v.route}/{v.model} {field}: {change.previous or 'new'} → "
            f"{v.model_dump(mode='json')['value']} {unit_label(v.unit.value)}"
        )
        entry.link(href=f"{base}/models/{quote(v.route)}/{quote(v.model)}")
        entry.updated(change.decided_at)
        if change.reviewer:
            entry.author(name=change.reviewer)
        entry.summary(
            f"{units_spelled(change.title)}. Approved by {change.reviewer or 'a reviewer'}"
            f"{f': {change.reason}' if change.reason else ''}; in force from "
            f"{v.valid_from.date().isoformat()}; "
            + (
                f"verified {v.verified_at.date().isoformat()} by {v.verified_by}"
                if v.verified_at
                else f"unverified, stated by {v.accepted_source}"
            )
        )
    return Response(fg.atom_str(pretty=True), media_type="application/atom+xml")


@pages_router.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI over /openapi.json, its assets served from this app (no CDN)."""
    from fastapi.openapi.docs import get_swagger_ui_html

    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title=f"{request.app.title} API",
        swagger_js_url="/docs-assets/swagger-ui-bundle.js",
        swagger_css_url="/docs-assets/swagger-ui.css",
        swagger_favicon_url="/docs-assets/favicon-32x32.png",
    )


@pages_router.get("/docs-assets/{name}", include_in_schema=False)
def docs_asset(name: str) -> FileResponse:
    """One Swagger UI asset (DOCS_FILES) from the installed swagger-ui-bundle. Raises
    HTTPException 404 for any other name."""
    from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

    if name not in DOCS_FILES:
        raise HTTPException(status_code=404, detail=f"no docs asset {name}")
    return FileResponse(str(swagger_ui_path / name))


@pages_router.get("/models", response_class=HTMLResponse, include_in_schema=False)
def index(
    request: Request,
    q: TextFilter = None,
    category: TextFilter = None,
    capability: TextFilter = None,
    route: TextFilter = None,
    verified_only: bool = False,
    at: str = "",
) -> Response:
    """The models index page as of `at` (YYYY-MM-DD; empty: now), filtered by text, category,
    capability, route and verification. Raises HTTPException 422 for an `at` that is no date."""
    day = parse_day(at)
    with _engine(request).connect() as conn:
        view = index_rows(
            conn,
            _at(day),
            q=q or "",
            category=category or "",
            capability=capability or "",
            route=route or "",
            verified_only=verified_only,
        )
    context = {
        **view,
        "filters": {
            "q": q or "",
            "category": category or "",
            "capability": capability or "",
            "route": route or "",
            "verified_only": verified_only,
            "at": day.isoformat() if day else "",  # the form's value, and each model link's
        },
        "root": "/",
        "ext": "",
        "static": False,
    }
    return _page(request, "models_index.html", context)


@pages_router.get("/models/{model}/history.svg", include_in_schema=False)
def history_svg(request: Request, model: ModelName, component: str = "input") -> Response:
    """The SVG chart of `model`'s text `component` price per 1M tokens over time, one line per
    route. Raises HTTPException 404, with a spelling hint, where there is no such history."""
    with _engine(request).connect() as conn:
        svg = price_history_svg(conn, model, component)
        hint = queries.spelling_hint(conn, None, model) if svg is None else ""
    if svg is None:
        raise HTTPException(
            status_code=404, detail=f"no {component} price history for {model}{hint}"
        )
    return Response(svg, media_type="image/svg+xml")


@pages_router.get("/models/{model}", response_class=HTMLResponse, include_in_schema=False)
def model_page(
    request: Request,
    model: ModelName,
    at: str = "",
    input_tokens: str = "",
    output_tokens: str = "",
    images: str = "",
) -> Response:
    """The page of `model`: its routes, prices, capabilities and the cheapest route for the
    stated workload (tokens in and out, images), as of `at`. A workload the form cannot price
    (-1 tokens, 'abc', 10^13) is said on the page beside the form, as the images' are: the
    counts are text here, checked by the Workload (a whole-page 422 for -1 lost the page).
    Raises HTTPException 404, with a spelling hint, where no route sells it, and 422 for an
    `at` that is no date."""
    day = parse_day(at)
    with _engine(request).connect() as conn:
        view = model_view(
            conn,
            model,
            _at(day),
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            images=images,
        )
        hint = queries.spelling_hint(conn, None, model) if view is None else ""
    if view is None:
        when = f" on {day.isoformat()}" if day is not None else ""  # as `routes --at` says it
        raise HTTPException(
            status_code=404, detail=f"no route sells {model} in the catalog{when}{hint}"
        )
    context = {**view, "at": at, "root": "/", "ext": "", "static": False}
    return _page(request, "model_routes.html", context)


def _page(request: Request, name: str, context: dict[str, Any]) -> Response:
    """The template `name` rendered with `context` by the app's Jinja environment."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context)
