"""The queue a person can work: paged, filtered and sortable queue; change sets decided at once
after a preview; undo. Registered by webapp.app (`register(app)`).

Pages:
- /queue: 200 items a page (?offset=), filters (kind, route, model, source, status, priority,
  text), sort by any column (?sort=, ?desc=1), counts per kind, and the promise in the header:
  due-soon and overdue submissions apart from machine-made items.
- /sets: the change sets of the open items with their items and fields, 200 a page.
- /sets/{id}: one table of the set's fields (route, model, field, current, proposed, change %,
  each source's value and date, evidence on demand), filtered by model; a form decides the whole
  (filtered) set or the selected rows, with a reason, after a preview (/sets/{id}/preview) that
  lists exactly the fields the decision changes; the confirmation decides exactly those items.
  A refused decision (a rejection without a reason, …) shows its preview again as entered, a
  refused preview the set with the ticked rows still ticked, each with the one-line refusal.
- /items/{id}/undo: undo a decision (a decision of its own, with a reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from catalog import queries
from catalog.filters import check_known, check_queue_filter
from catalog.views import ReviewWithChanges
from review import decisions, sets
from schemas.records import ReviewKind, ReviewStatus
from webapp.api import MAX_ID, ItemId, SetId, engine_of, priority_level, refused_status

PAGE = 200
SET_PAGE = 100
SETS_PAGE = 200
DUE_SOON = timedelta(hours=12)
# A page's ?offset=: from 0 to the largest integer column; anything else is refused (422).
PageOffset = Annotated[int, Query(ge=0, le=MAX_ID)]
QUEUE_COLUMNS = (
    ("id", "#"),
    ("due", "Due"),
    ("priority", "Priority"),
    ("kind", "Kind"),
    ("route", "Route"),
    ("model", "Model"),
    ("title", "Item"),
    ("source", "Source"),
    ("fields", "Fields"),
    ("status", "Status"),
)


def queue_filter(
    *,
    status: str | None,
    kind: str | None = None,
    route: str | None = None,
    model: str | None = None,
    source: str | None = None,
    priority: str | None = None,
    q: str | None = None,
) -> queries.QueueFilter:
    """The queue's query parameters as a filter; 'any' status matches every status. Raises
    HTTPException 422 naming a status or kind not in the vocabulary, a filter with control
    characters or over 300 characters, or a priority that is neither P1..P9 nor 1..9."""
    statuses = [s.value for s in ReviewStatus]
    if status not in (None, "", "any", *statuses):
        raise HTTPException(status_code=422, detail=f"status: one of {', '.join(statuses)} or any")
    kinds = [k.value for k in ReviewKind]
    if kind and kind not in kinds:
        raise HTTPException(status_code=422, detail=f"kind: one of {', '.join(kinds)}")
    for name, text in (("route", route), ("model", model), ("source", source), ("q", q)):
        check_filter_text(name, text)
    return queries.QueueFilter(
        status=None if status in (None, "", "any") else status,
        kind=kind or None,
        route=route or None,
        model=model or None,
        source=source or None,
        priority=priority_level(priority),
        text=q or None,
    )


def check_filter_text(name: str, text: str | None) -> None:
    """A text filter (route, model, source, search) as the pages take it: at most 300 printable
    characters. Raises HTTPException 422 naming the parameter."""
    if text and (len(text) > 300 or any(ord(c) < 32 or ord(c) == 127 for c in text)):
        raise HTTPException(status_code=422, detail=f"{name}: at most 300 printable characters")


def checked_verdict(verdict: str, items: list[int]) -> decisions.Verdict:
    """A set form's verdict and ticked item ids, or HTTPException 422 naming the bad one."""
    choices = [v.value for v in decisions.Verdict]
    if verdict not in choices:
        raise HTTPException(status_code=422, detail=f"verdict {verdict!r}: one of {choices}")
    wrong = next((i for i in items if not 1 <= i <= MAX_ID), None)
    if wrong is not None:
        raise HTTPException(status_code=422, detail=f"item {wrong}: an id from 1 to {MAX_ID}")
    return decisions.Verdict(verdict)


def _link(path: str, params: dict[str, Any]) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "", False, 0)}
    return f"{path}?{urlencode(kept)}" if kept else path


def pager(path: str, params: dict[str, Any], offset: int, total: int, size: int) -> dict[str, Any]:
    """Where a page of `size` rows from `offset` stands in a list of `total`: `range`
    ('1–200 of 6496', or 'nothing past 6496 of 6496' for an offset past the end, as a stale
    link or a shrunk queue gives), and links to the `next` and `previous` pages (None when
    there is none); past the end, `previous` is the list's last page."""
    if offset < total or not total:
        shown = f"{offset + 1 if total else 0}–{min(offset + size, total)} of {total}"
    else:
        shown = f"nothing past {total} of {total}"
    last_page = max(total - 1, 0) // size * size
    return {
        "range": shown,
        "next": _link(path, {**params, "offset": offset + size}) if offset + size < total else None,
        "previous": _link(path, {**params, "offset": max(min(offset - size, last_page), 0)})
        if offset
        else None,
    }


def set_href(set_id: str) -> str:
    """The path of a change set's page, its id percent-encoded (':' kept)."""
    return f"/sets/{quote(set_id, safe=':')}"


def register(app: FastAPI) -> None:
    """Add the queue, set and undo pages to the app."""
    from webapp.app import _item_response, render, require_reviewer

    templates = app.state.templates.env
    templates.filters["set_href"] = set_href

    @app.get("/queue", response_class=HTMLResponse, include_in_schema=False)
    def queue(
        request: Request,
        kind: str | None = None,
        route: str | None = None,
        model: str | None = None,
        source: str | None = None,
        priority: str | None = None,
        q: str | None = None,
        status: str = ReviewStatus.OPEN.value,
        sort: str = "due",
        desc: bool = False,
        offset: PageOffset = 0,
    ) -> Response:
        which = queue_filter(
            status=status,
            kind=kind,
            route=route,
            model=model,
            source=source,
            priority=priority,
            q=q,
        )
        if sort not in queries.QUEUE_SORTS:
            raise HTTPException(
                status_code=422, detail=f"sort {sort!r}: one of {', '.join(queries.QUEUE_SORTS)}"
            )
        now = datetime.now(UTC)
        with engine_of(request).connect() as conn:
            check_queue_filter(conn, which)
            page = queries.queue_page(conn, which, sort=sort, descending=desc, offset=offset)
            counts = queries.queue_counts(conn, which)
            promise = queries.promise_counts(conn, now, DUE_SOON)
        params = {
            "kind": kind,
            "route": route,
            "model": model,
            "source": source,
            "priority": priority,
            "q": q,
            "status": status,
            "sort": sort,
            "desc": int(desc),
        }
        return render(
            request,
            "queue.html",
            {
                "items": page.items,
                "page": pager("/queue", params, offset, page.total, PAGE),
                "sorts": [
                    (
                        name,
                        label,
                        _link(
                            "/queue",
                            {**params, "sort": name, "desc": int(sort == name and not desc)},
                        ),
                    )
                    for name, label in QUEUE_COLUMNS
                ],
                "sort": sort,
                "desc": desc,
                "filters": params,
                "counts": counts,
                "kind_links": {
                    k: _link("/queue", {**params, "kind": k, "sort": sort}) for k in counts
                },
                "promise": promise,
                "kinds": [k.value for k in ReviewKind],
                "statuses": [s.value for s in ReviewStatus],
            },
        )

    @app.get("/sets", response_class=HTMLResponse, include_in_schema=False)
    def set_list(
        request: Request,
        kind: str | None = None,
        route: str | None = None,
        source: str | None = None,
        offset: PageOffset = 0,
    ) -> Response:
        which = queue_filter(status="open", kind=kind, route=route, source=source)
        engine = engine_of(request)
        with engine.connect() as conn:
            check_queue_filter(conn, which)
            totals = queries.change_set_totals(conn, which)
        found = sets.list_sets(engine, which, offset=offset, limit=SETS_PAGE)
        params = {"kind": kind, "route": route, "source": source}
        return render(
            request,
            "sets.html",
            {
                "sets": found,
                "total": totals.sets,
                "page": pager("/sets", params, offset, totals.sets, SETS_PAGE),
                "filters": params,
                "kinds": [k.value for k in ReviewKind],
                "items": totals.items,
                "fields": totals.fields,
                "set_items": totals.set_items,
                "set_fields": totals.set_fields,
            },
        )

    @app.get("/sets/{set_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def set_page(
        request: Request,
        set_id: SetId,
        model: str | None = None,
        offset: PageOffset = 0,
        done: str | None = None,
        n: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    ) -> Response:
        check_filter_text("model", model)
        if model:
            with engine_of(request).connect() as conn:
                every = queries.QueueFilter(status=None, set_id=set_id)
                known = queries.set_models(conn, every)
            if known:  # a set that does not exist is a 404 below
                check_known("model", model, known, f"no item of set {set_id} is about it")
        return _set_response(request, set_id, model or None, offset, done=done, n=n)

    def _set_response(
        request: Request,
        set_id: str,
        model: str | None,
        offset: int,
        *,
        done: str | None = None,
        n: int = 0,
        error: str | None = None,
        status: int = 200,
        entered: Entered | None = None,
    ) -> Response:
        """The set's page; after a refused form, `entered` is what the reviewer entered (rows
        ticked, reason, override), shown again as entered beside the `error`."""
        engine = engine_of(request)
        summary = sets.get_set(engine, set_id)
        if summary is None:
            raise HTTPException(status_code=404, detail=f"no change set {set_id}")
        which = sets.Selection(set_id=set_id, model=model).filter()
        with engine.connect() as conn:
            found = queries.items_with_changes(conn, which, offset=offset, limit=SET_PAGE)
            matching = queries.queue_page(conn, which, limit=1).total
        message = None
        if done in ("approved", "rejected"):
            message = f"{n} item{'' if n == 1 else 's'} {done}."
        return render(
            request,
            "set.html",
            {
                "set": summary,
                "model": model,
                "rows": [(item, _rows(item)) for item in found],
                "matching": matching,
                "page": pager(set_href(set_id), {"model": model}, offset, matching, SET_PAGE),
                "message": message,
                "error": error,
                "entered": entered or Entered(),
            },
            status=status,
        )

    def _preview_response(
        request: Request,
        set_id: str,
        entered: Entered,
        reviewer: str,
        *,
        error: str | None = None,
        status: int = 200,
    ) -> Response:
        """The preview of deciding `entered.items` of the set (every open one for the model when
        none is ticked), with the reason and override as entered, each item the decision would
        refuse (rehearsed as `reviewer`) marked with why and the refusal said above the table;
        the set's page with the `error` instead when they cannot be decided (no longer open, or
        none left)."""
        selection = sets.Selection(
            set_id=set_id, model=entered.model or None, item_ids=entered.items
        )
        try:
            found = sets.items(engine_of(request), selection)
            if not found:
                raise sets.SetError("nothing to decide: no open items match")
        except decisions.DecisionError as exc:
            return _set_response(
                request,
                set_id,
                entered.model or None,
                0,
                error=str(exc),
                status=409,
                entered=entered,
            )
        refused = decisions.refusals(
            engine_of(request),
            decisions.Verdict(entered.verdict),
            [i.id for i in found],
            reviewer=reviewer,
            reason=entered.reason,
            client_id=request.state.client_id,
            override=entered.override,
        )
        rows = sets.preview(found, refused)
        if refused and error is None:
            error = str(decisions.refusing(refused, len(found)))
        return render(
            request,
            "set_preview.html",
            {
                "set": sets.get_set(engine_of(request), set_id),
                "verdict": entered.verdict,
                "reason": entered.reason,
                "model": entered.model,
                "override": entered.override,
                "items": [i.id for i in found],
                "rows": rows,
                "changing": len(changing_rows(found, rows)),
                "refused": len(refused),
                "error": error,
            },
            status=status,
        )

    @app.post("/sets/{set_id:path}/preview", include_in_schema=False)
    def set_preview(
        request: Request,
        set_id: SetId,
        csrf: Annotated[str, Form()] = "",
        verdict: Annotated[str, Form()] = "approve",
        reason: Annotated[str, Form()] = "",
        model: Annotated[str, Form()] = "",
        override: Annotated[bool, Form()] = False,
        item: Annotated[list[int], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    ) -> Response:
        reviewer = require_reviewer(request)
        request.app.state.signer.check_csrf(request, csrf)
        chosen = checked_verdict(verdict, item)
        check_filter_text("model", model)
        entered = Entered(chosen.value, reason, model, override, tuple(item))
        return _preview_response(request, set_id, entered, reviewer)

    @app.post("/sets/{set_id:path}/decide", include_in_schema=False)
    def set_decide(
        request: Request,
        set_id: SetId,
        csrf: Annotated[str, Form()] = "",
        verdict: Annotated[str, Form()] = "approve",
        reason: Annotated[str, Form()] = "",
        model: Annotated[str, Form()] = "",
        override: Annotated[bool, Form()] = False,
        item: Annotated[list[int], Form()] = [],  # noqa: B006
    ) -> Response:
        reviewer = require_reviewer(request)
        request.app.state.signer.check_csrf(request, csrf)
        chosen = checked_verdict(verdict, item)
        check_filter_text("model", model)
        entered = Entered(chosen.value, reason, model, override, tuple(item))
        if not item:
            return _set_response(
                request,
                set_id,
                model or None,
                0,
                error="preview first: no items",
                status=409,
                entered=entered,
            )
        try:
            made = sets.decide(
                engine_of(request),
                chosen,
                sets.Selection(set_id=set_id, item_ids=tuple(item)),
                reviewer=reviewer,
                reason=reason,
                channel="web",
                client_id=request.state.client_id,
                override=override,
            )
        except decisions.DecisionError as exc:  # e.g. a rejection without a reason
            return _preview_response(
                request, set_id, entered, reviewer, error=str(exc), status=refused_status(exc)
            )
        back = _link(
            set_href(set_id),
            {"model": model, "done": chosen.status.value, "n": len(made)},
        )
        return RedirectResponse(back, status_code=303)

    @app.post("/items/{item_id}/undo", include_in_schema=False)
    def undo(
        request: Request,
        item_id: ItemId,
        csrf: Annotated[str, Form()] = "",
        reason: Annotated[str, Form()] = "",
    ) -> Response:
        reviewer = require_reviewer(request)
        request.app.state.signer.check_csrf(request, csrf)
        try:
            decisions.undo(
                engine_of(request), item_id, reviewer=reviewer, reason=reason, channel="web"
            )
        except decisions.NotFound as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        except decisions.DecisionError as exc:
            entered = {"verdict": "undo", "reason": reason}
            status = refused_status(exc)
            return _item_response(request, item_id, error=str(exc), status=status, entered=entered)
        return RedirectResponse(f"/items/{item_id}?done=undone", status_code=303)


@dataclass(frozen=True)
class Entered:
    """What a reviewer entered on a set's decision form: verdict, reason, model filter,
    override, and the ticked item ids; kept to be shown again when the form is refused."""

    verdict: str = decisions.Verdict.APPROVE.value
    reason: str = ""
    model: str = ""
    override: bool = False
    items: tuple[int, ...] = ()


def changing_rows(
    found: list[ReviewWithChanges], rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The preview rows (`sets.preview`) whose approval changes the catalog: a field with a
    current or proposed value, or a missing model's values closed, of an item the decision
    would not refuse. A disagreement, anomaly or unmapped item changes nothing (the value in
    force stands)."""
    closes = {i.id for i in found if i.kind == ReviewKind.MISSING.value}
    return [
        r
        for r in rows
        if not r.get("refused")
        and (r["current"] is not None or r["proposed"] is not None or r["item"] in closes)
    ]


def _rows(item: ReviewWithChanges) -> list[dict[str, Any]]:
    """One table row per field of an item (one row for items without fields)."""
    if not item.changes:
        return [
            {
                "field": "(whole item)",
                "change": None,
                "effect": sets.NO_VALUE_EFFECT.get(item.kind, ""),
            }
        ]
    return [
        {"field": sets.field_label(change), "change": change, "effect": ""}
        for change in item.changes
    ]
