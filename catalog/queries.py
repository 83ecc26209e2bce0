"""Read-only views of the catalog for the CLI and the web app: the typed views of
`catalog.views`, each built once from its rows (`.as_json()` is the JSON the API prints)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, Text, case, cast, func, or_, select

from catalog import reader
from catalog.cost import (
    CostError,
    CostEstimate,
    Workload,
    estimate,
    scheduled_notes,
    unknown_target,
)
from catalog.tables import (
    audit_log,
    catalog_values,
    last_stated,
    observations,
    quarantine,
    responses,
    review_items,
    runs,
    source_runs,
    stamps,
    submissions,
)
from catalog.views import (
    AuditEntry,
    Capabilities,
    ChangeSet,
    Confirmation,
    FieldVersion,
    FieldView,
    IndexEntry,
    ModelView,
    QuarantinedRecord,
    QueuePage,
    ReviewDetail,
    ReviewRow,
    ReviewWithChanges,
    ScheduledStatement,
    Statement,
    UncataloguedStatement,
)
from schemas.capabilities import profile
from schemas.field import FieldId, Measure
from schemas.records import (
    CatalogValue,
    FieldChange,
    Observation,
    ReviewKind,
    ReviewStatus,
    Run,
    SourceRun,
    time_text,
)
from schemas.sources import is_official


def _iso(value: datetime | None) -> str | None:
    return time_text(value) if value else None


Latest = dict[tuple[Measure, str], tuple[Observation, str]]


def _latest_observations(conn: Connection, route: str, model: str) -> tuple[Latest, Latest]:
    """Each source's latest statement of each field of (route, model), by (measure, source):
    the Observation it was stored from, and its value's stored text; and apart, each source's
    latest price scheduled after its response's date (catalog/schedule.py), which is no
    statement of today's value (beside the current one, it listed the official source as
    disagreeing with itself) but is shown as scheduled."""
    c, last = observations.c, responses.c
    latest_run = (
        select(c.source, func.max(last.run_id).label("run_id"))
        .select_from(last_stated())
        .where(c.route == route, c.model == model)
        .group_by(c.source)
        .subquery()
    )  # only what each source still stated in its latest run that stated this model
    rows = conn.execute(
        select(observations, last.url, last.landing_url, last.observed_at)
        .select_from(last_stated())
        .join(
            latest_run,
            (latest_run.c.source == c.source) & (latest_run.c.run_id == last.run_id),
        )
        .where(c.route == route, c.model == model)
        .order_by(c.id.desc())
    )
    latest: Latest = {}
    scheduled: Latest = {}
    for r in rows:
        measure = FieldId.from_row(r).measure
        stated = Observation.from_row(r)
        found = scheduled if stated.scheduled else latest
        if (measure, r.source) not in found:
            found[measure, r.source] = (stated, r.value)
    return latest, scheduled


def _statement(obs: Observation, value: str) -> Statement:
    """An observation as `show` cites it; `value` is its stored text (as the source stated it)."""
    return Statement(
        source=obs.source,
        official=is_official(obs.source, obs.route),
        value=value,
        observed_at=_iso(obs.observed_at),
        url=obs.url,
        evidence=obs.evidence,
        source_model=obs.source_model,
    )


def model_view(conn: Connection, route: str, model: str) -> ModelView:
    """Every field of (route, model): value, provenance, who agrees and who does not; its
    history, what sources state that the catalog does not hold, its open review items, and its
    capabilities answered from each source's latest statements (schemas.capabilities.profile)."""
    c = catalog_values.c
    current = conn.execute(
        select(catalog_values)
        .where(c.route == route, c.model == model, c.valid_to.is_(None))
        .order_by(c.kind, c.component, c.unit, c.dimensions)
    ).all()
    history = conn.execute(
        select(catalog_values)
        .where(c.route == route, c.model == model, c.valid_to.is_not(None))
        .order_by(c.valid_to.desc(), c.id.desc())
    ).all()
    latest, scheduled = _latest_observations(conn, route, model)
    statements = {key: _statement(obs, text) for key, (obs, text) in latest.items()}
    confirmations = _confirmations(conn, [r.id for r in current])
    fields = []
    catalogued: set[Measure] = set()
    for r in current:
        measure = FieldId.from_row(r).measure
        catalogued.add(measure)
        stated = [s for (m, _), s in statements.items() if m == measure]
        disagreeing = [s for s in stated if s.value != r.value]
        moved = {s.source for s in disagreeing}  # agreed once; their latest statement differs
        fields.append(
            FieldView(
                **dict(CatalogValue.model_validate(r)),
                corroborated_by=[
                    s
                    for s in confirmations.get(r.id, [])
                    if s.source not in moved
                    and _corroborates(s.source, r.verified_by, r.accepted_source)
                ],
                disagreeing=disagreeing,
            )
        )
    uncatalogued = [
        UncataloguedStatement(
            kind=m.kind, component=m.component, unit=m.unit, dimensions=m.dims, **dict(s)
        )
        for (m, _), s in sorted(statements.items(), key=lambda e: e[0])
        if m not in catalogued
    ]
    return ModelView(
        route=route,
        model=model,
        fields=fields,
        history=[CatalogValue.model_validate(r) for r in history],
        not_in_catalog=uncatalogued,
        open_review_items=list_reviews(conn, status="open", route=route, model=model),
        capabilities=Capabilities.of(profile(obs for obs, _ in latest.values())),
        scheduled=_scheduled_statements(scheduled),
    )


def scheduled_statements(conn: Connection, route: str, model: str) -> list[ScheduledStatement]:
    """Each source's latest price of (route, model) scheduled after its response's date
    (`_latest_observations`), as `show` lists them."""
    return _scheduled_statements(_latest_observations(conn, route, model)[1])


def _scheduled_statements(scheduled: Latest) -> list[ScheduledStatement]:
    return [
        ScheduledStatement(
            kind=m.kind,
            component=m.component,
            unit=m.unit,
            dimensions=m.dims,
            effective_from=obs.effective_from,
            **dict(_statement(obs, text)),
        )
        for (m, _), (obs, text) in sorted(scheduled.items(), key=lambda e: e[0])
        if obs.effective_from is not None
    ]


def model_view_as_of(conn: Connection, view: ModelView, moment: datetime) -> ModelView:
    """The catalog part of a (route, model) view (`model_view`) as it stood at `moment`: the
    values in force then (valid_from ≤ moment < valid_to), each verified and corroborated as of
    then (catalog.reader: the latest official confirmation by `moment`, and each other source's
    latest by then), each with the sources whose latest statement of its field by then gave
    another value (reader.disagreements_as_of), and the history closed by then; capabilities,
    sources' statements and open items stay as they are now, but a price
    scheduled in a response dated after `moment` is left out (nothing anyone had said then,
    as `cost --at` leaves it out of its notes)."""
    values = [*view.fields, *view.history]
    in_force = [
        v for v in values if v.valid_from <= moment and (v.valid_to is None or v.valid_to > moment)
    ]
    stated = reader.statements_as_of(conn, moment, ids=[v.id for v in in_force])
    differing = reader.disagreements_as_of(conn, moment, [v.id for v in in_force])
    fields = []
    for v in in_force:
        verified_at, verified_by = reader.verification(
            v.verified_at, v.verified_by, stated.get(v.id, []), moment
        )
        value = {name: getattr(v, name) for name in CatalogValue.model_fields}
        fields.append(
            FieldView(
                **(value | {"verified_at": verified_at, "verified_by": verified_by}),
                corroborated_by=[
                    Confirmation(
                        source=s.source, official=s.official, observed_at=_iso(s.observed_at)
                    )
                    for s in stated.get(v.id, [])
                    if _corroborates(s.source, verified_by, v.accepted_source)
                ],
                disagreeing=[
                    Statement(
                        **dict(d)
                        | {
                            "official": is_official(d.source, v.route),
                            "observed_at": _iso(d.observed_at),
                        }
                    )
                    for d in differing.get(v.id, [])
                ],
            )
        )
    day = moment.date().isoformat()
    return view.model_copy(
        update={
            "fields": fields,
            "history": [v for v in view.history if v.valid_to is not None and v.valid_to <= moment],
            "scheduled": [
                s for s in view.scheduled if s.observed_at is None or s.observed_at[:10] <= day
            ],
        }
    )


def _corroborates(source: str, verified_by: str | None, accepted_source: str) -> bool:
    """Whether `source` stating a value corroborates it (DESIGN.md: another source's agreement):
    not the official source that verified it, nor, while no official source has, the source
    whose statement let it in (a value LiteLLM alone states is not corroborated by LiteLLM)."""
    return source != verified_by and (verified_by is not None or source != accepted_source)


def _confirmations(conn: Connection, value_ids: list[int]) -> dict[int, list[Confirmation]]:
    """Each value's confirming sources (stamps), each with its latest statement's date: the
    latest first, then by source, the same on every database (fault round 20: PostgreSQL gave
    the groups in another order than SQLite)."""
    if not value_ids:
        return {}
    c = stamps.c
    rows = conn.execute(
        select(c.value_id, c.source, c.official, func.max(c.observed_at).label("observed_at"))
        .where(c.value_id.in_(value_ids))
        .group_by(c.value_id, c.source, c.official)
    )
    out: dict[int, list[Confirmation]] = {}
    for r in sorted(rows, key=lambda r: r.source):
        observed = r.observed_at if isinstance(r.observed_at, str) else _iso(r.observed_at)
        out.setdefault(r.value_id, []).append(
            Confirmation(source=r.source, official=r.official, observed_at=observed)
        )
    for found in out.values():  # the latest first, then by source: whatever the database's order
        found.sort(key=lambda s: s.observed_at or "", reverse=True)
    return out


def _review(row: Any) -> dict[str, Any]:
    """The arguments of a ReviewRow (and of its subclasses) from a review_items row."""
    return {
        "id": row.id,
        "kind": row.kind,
        "route": row.route,
        "model": row.model,
        "title": row.title,
        "status": row.status,
        "sources": row.sources,
        "created_at": _iso(row.created_at),
        "due_at": _iso(row.due_at),
        "last_seen_at": _iso(row.last_seen_at),
        "run_id": row.run_id,
        "decided_at": _iso(row.decided_at),
        "reviewer": row.reviewer,
        "reason": row.reason,
        "priority": row.priority,
        "set_id": row.set_id,
        "lead_source": row.lead_source,
        "fields": row.fields,
    }


def list_reviews(
    conn: Connection,
    *,
    status: str | None = None,
    kind: str | None = None,
    route: str | None = None,
    model: str | None = None,
    source: str | None = None,
    due_before: datetime | None = None,
    limit: int | None = None,
) -> list[ReviewRow]:
    """Review items matching every given criterion (`source`: items citing it), by due time,
    priority and id, as the web queue sorts them (QUEUE_SORTS); at most `limit`."""
    c = review_items.c
    query = select(review_items).order_by(QUEUE_SORTS["due"], QUEUE_SORTS["priority"], c.id)
    for column, value in ((c.status, status), (c.kind, kind), (c.route, route), (c.model, model)):
        if value:
            query = query.where(column == value)
    if due_before is not None:
        query = query.where(c.due_at <= due_before)
    rows = [ReviewRow(**_review(r)) for r in conn.execute(query)]
    if source:
        rows = [r for r in rows if source in r.sources]
    return rows[:limit] if limit else rows


def get_review(conn: Connection, item_id: int) -> ReviewDetail | None:
    """One review item with its stored changes read back into FieldChange; None if absent."""
    row = conn.execute(select(review_items).where(review_items.c.id == item_id)).first()
    if row is None:
        return None
    return ReviewDetail(**_review(row), changes=row.changes, detail=row.detail)


def due_counts(conn: Connection, now: datetime, within: timedelta) -> dict[str, int]:
    """How many review items are open, how many of those fall due after `now` and within `within`,
    and how many are overdue (due at or before `now`): `{"open", "due_soon", "overdue"}`. Items
    without a due date count only as open."""
    c = review_items.c
    open_ = c.status == ReviewStatus.OPEN.value

    def count(*conditions: Any) -> int:
        return int(conn.execute(select(func.count()).where(open_, *conditions)).scalar() or 0)

    return {
        "open": count(),
        "due_soon": count(c.due_at > now, c.due_at <= now + within),
        "overdue": count(c.due_at <= now),
    }


def list_runs(conn: Connection, limit: int = 20) -> list[Run]:
    """The latest `limit` runs, newest first, each with its sources' parts."""
    rows = conn.execute(select(runs).order_by(runs.c.id.desc()).limit(limit)).all()
    return _with_sources(conn, rows)


def quarantined(
    conn: Connection,
    run_id: int,
    *,
    source: str | None = None,
    rule: str | None = None,
    limit: int = 50,
) -> tuple[int, list[QuarantinedRecord]]:
    """What run `run_id` set aside (the rows whose runs span it), by source then record, the
    first `limit` of them, with how many matched: of `source` only, of rules holding the text
    `rule` (case-insensitive) only. Reads the quarantine table (catalog/tables.py)."""
    q = quarantine.c
    where = [q.run_id <= run_id, q.last_run_id >= run_id]
    if source is not None:
        where.append(q.source == source)
    if rule is not None:
        where.append(func.lower(q.rule).contains(rule.lower(), autoescape=True))
    total = conn.execute(select(func.count()).select_from(quarantine).where(*where)).scalar_one()
    rows = conn.execute(
        select(quarantine).where(*where).order_by(q.source, q.record, q.id).limit(limit)
    ).all()
    return total, [
        QuarantinedRecord(
            id=row.id,
            source=row.source,
            record=row.record,
            rule=row.rule,
            detail=row.detail,
            field=_set_aside_field(row.payload or {}),
            value=None if (row.payload or {}).get("value") is None else str(row.payload["value"]),
            first_run=row.run_id,
            last_run=row.last_run_id,
        )
        for row in rows
    ]


def _set_aside_field(payload: Mapping[str, Any]) -> str | None:
    """The field a quarantine row's payload names: a field problem's field as the source names
    it, or a value's component and dimensions ('input [service_tier=batch]'); None for a
    record set aside whole."""
    if payload.get("field"):
        return str(payload["field"])
    if not payload.get("component"):
        return None
    dims = ", ".join(f"{k}={v}" for k, v in sorted((payload.get("dimensions") or {}).items()))
    return f"{payload['component']}{f' [{dims}]' if dims else ''}"


def get_run(conn: Connection, run_id: int) -> Run | None:
    """One run with each source's part; None when the catalog has no such run."""
    rows = conn.execute(select(runs).where(runs.c.id == run_id)).all()
    return _with_sources(conn, rows)[0] if rows else None


def _with_sources(conn: Connection, rows: Sequence[Row[Any]]) -> list[Run]:
    per_source = conn.execute(
        select(source_runs)
        .where(source_runs.c.run_id.in_([r.id for r in rows]))
        .order_by(source_runs.c.source)
    ).all()
    by_run: dict[int, list[SourceRun]] = {}
    for s in per_source:
        by_run.setdefault(s.run_id, []).append(SourceRun.model_validate(s))
    return [
        Run.model_validate(r).model_copy(
            update={
                "sources": by_run.get(r.id, []),
                "decided_before": (r.summary or {}).get("decided_before", 0),
                "stale_items": (r.summary or {}).get("stale_items", 0),
                "reopened_items": (r.summary or {}).get("reopened_items", 0),
            }
        )
        for r in rows
    ]


# --- review queue, submissions and the 48-hour promise (issue 4) ---


def change_field(item: ReviewRow, change: FieldChange) -> FieldId:
    """The catalog field a stored change of a review item is about."""
    return FieldId(item.route, item.model, change.measure)


def field_history(conn: Connection, field_id: FieldId) -> list[FieldVersion]:
    """Every catalog value a field has had, newest first: what a decision replaces and keeps."""
    c = catalog_values.c
    rows = conn.execute(
        select(catalog_values)
        .where(
            c.route == field_id.route,
            c.model == field_id.model,
            c.kind == field_id.kind.value,
            c.component == field_id.component.value,
            c.unit == field_id.unit.value,
            c.dimensions == field_id.dims.key,
        )
        .order_by(c.valid_from.desc(), c.id.desc())
    ).all()
    return [
        FieldVersion(
            id=r.id,
            value=r.value,
            valid_from=_iso(r.valid_from),
            valid_to=_iso(r.valid_to),
            verified_at=_iso(r.verified_at),
            verified_by=r.verified_by,
            accepted_by=r.accepted_by,
            accepted_source=r.accepted_source,
        )
        for r in rows
    ]


def catalog_index(conn: Connection, route: str | None = None) -> list[IndexEntry]:
    """Each (route, model) in the catalog with how many fields it has and how many are verified."""
    c = catalog_values.c
    query = (
        select(
            c.route,
            c.model,
            func.count().label("fields"),
            func.count(c.verified_at).label("verified"),
        )
        .where(c.valid_to.is_(None))
        .group_by(c.route, c.model)
        .order_by(c.route, c.model)
    )
    if route:
        query = query.where(c.route == route)
    return [
        IndexEntry(route=r.route, model=r.model, fields=r.fields, verified=r.verified)
        for r in conn.execute(query)
    ]


def _submission(row: Any, *, private: bool) -> dict[str, Any]:
    data = {
        "id": row.id,
        "route": row.route,
        "model": row.model,
        "source_url": row.source_url,
        "claims": row.claims,
        "submitted_at": _iso(row.submitted_at),
        "due_at": _iso(row.due_at),
        "status": row.status,
        "review_item_id": row.review_item_id,
        "processed_at": _iso(row.processed_at),
        "fetch_status": row.fetch_status,
        "fetch_detail": row.fetch_detail,
        "final_url": row.final_url,
        "observed_at": _iso(row.observed_at),
        "checks": row.checks,
    }
    if private:
        data.update(contact=row.contact, submitter=row.submitter, client_id=row.client_id)
    return data


def submission_status(conn: Connection, token: str) -> dict[str, Any] | None:
    """What the submitter may see: the submission, its checks and the decision (no contact)."""
    row = conn.execute(select(submissions).where(submissions.c.token == token)).first()
    if row is None:
        return None
    data = _submission(row, private=False)
    item = get_review(conn, row.review_item_id) if row.review_item_id else None
    data["decision"] = (
        {"status": item.status.value, "decided_at": item.decided_at, "reason": item.reason}
        if item
        else None
    )
    return data


def submission_for_item(conn: Connection, item_id: int) -> dict[str, Any] | None:
    """The submission behind a review item, with the private fields reviewers need."""
    row = conn.execute(select(submissions).where(submissions.c.review_item_id == item_id)).first()
    return _submission(row, private=True) if row else None


def audit_entries(
    conn: Connection, target: str | None = None, limit: int = 100
) -> list[AuditEntry]:
    """The latest `limit` audit entries (of `target` only, when given), newest first."""
    c = audit_log.c
    query = select(audit_log).order_by(c.id.desc()).limit(limit)
    if target:
        query = query.where(c.target == target)
    return [
        AuditEntry(
            id=r.id,
            at=_iso(r.at),
            actor=r.actor,
            channel=r.channel,
            action=r.action,
            target=r.target,
            reason=r.reason,
            before=r.before,
            after=r.after,
        )
        for r in conn.execute(query)
    ]


def sla_report(conn: Connection, now: datetime, within: timedelta) -> dict[str, Any]:
    """Open items due within `within` and overdue, and submissions not yet turned into items."""
    soon = list_reviews(conn, status=ReviewStatus.OPEN.value, due_before=now + within)
    c = submissions.c
    waiting = conn.execute(
        select(c.id, c.route, c.model, c.submitted_at, c.due_at)
        .where(c.status == "pending")
        .order_by(c.due_at)
    ).all()
    return {
        "now": _iso(now),
        "within_hours": within.total_seconds() / 3600,
        "counts": due_counts(conn, now, within),
        "promise": promise_counts(conn, now, within),
        "overdue": [i.as_json() for i in soon if _after(now, i.due_at)],
        "due_soon": [i.as_json() for i in soon if not _after(now, i.due_at)],
        "pending_submissions": [
            {
                "id": r.id,
                "route": r.route,
                "model": r.model,
                "submitted_at": _iso(r.submitted_at),
                "due_at": _iso(r.due_at),
                "overdue": r.due_at <= now,
            }
            for r in waiting
        ],
    }


def _after(now: datetime, due_at: str) -> bool:
    """True when the ISO time `due_at` is at or before `now` (the item is overdue)."""
    return datetime.fromisoformat(due_at) <= now


def routes_of(conn: Connection, model: str) -> list[str]:
    """The routes that sell a model in the catalog."""
    c = catalog_values.c
    return list(
        conn.execute(
            select(c.route)
            .where(c.model == model, c.valid_to.is_(None))
            .distinct()
            .order_by(c.route)
        ).scalars()
    )


def canonical_name(conn: Connection, route: str | None, model: str) -> tuple[str, str] | None:
    """The catalog's (route, model) a person's spelling means, by the rules that read sources'
    names (data/aliases, catalog/identity.py: case, a vendor prefix, '4.5' for '4-5', dates):
    e.g. ("openrouter", "anthropic/claude-sonnet-4.5") -> ("openrouter", "claude-sonnet-4-5").
    `route` None: any route. None when the spelling means nothing the catalog holds in force."""
    from catalog.identity import Identity

    c = catalog_values.c
    identity = Identity.load()
    in_force = select(c.model).where(c.valid_to.is_(None)).distinct()
    identity.learn(conn.execute(in_force).scalars())
    found = identity.model(model)
    if found is None:
        return None
    sold_on = routes_of(conn, found)
    if route is None:
        return (sold_on[0], found) if sold_on else None
    canonical_route = identity.route(route)
    return (canonical_route, found) if canonical_route in sold_on else None


def spelling_hint(conn: Connection, route: str | None, model: str | None) -> str:
    """' (the catalog calls it …)' when a route and/or model the catalog does not hold is another
    spelling of one it does (`canonical_name`: case, a vendor prefix, '4.5' for '4-5';
    a route alone: its alias or case), naming ROUTE/MODEL, the model or the route as given;
    '' when it is no spelling of a catalog name, or is the catalog's own."""
    from catalog.identity import Identity

    if model is None:
        if route is None:
            return ""
        meant_route = Identity.load().route(route)
        held = select(catalog_values.c.route).where(catalog_values.c.route == meant_route)
        known = meant_route != route and conn.execute(held.limit(1)).first() is not None
        return f" (the catalog calls it {meant_route})" if known else ""
    meant = canonical_name(conn, route, model)
    if meant is None or meant == (route or meant[0], model):
        return ""
    return f" (the catalog calls it {meant[1] if route is None else '/'.join(meant)})"


def open_missing(conn: Connection, route: str, model: str) -> list[str]:
    """Each open `missing` review item on (route, model) as a note for a reader of its prices:
    its title and id, e.g. 'missing: openrouter/gpt-4o absent from 3 consecutive complete
    listings of openrouter (review item #412, open)'. Fault round 32 (D9): `cost` quoted a
    price verified by a source that had stopped listing the model, with no word of it."""
    c = review_items.c
    rows = conn.execute(
        select(c.id, c.title)
        .where(
            c.kind == ReviewKind.MISSING.value,
            c.status == ReviewStatus.OPEN.value,
            c.route == route,
            c.model == model,
        )
        .order_by(c.id)
    ).all()
    return [f"{row.title} (review item #{row.id}, open)" for row in rows]


def workload_cost(
    conn: Connection, route: str, model: str, workload: Workload, day: date | None
) -> CostEstimate:
    """What `workload` costs on `route`/`model` with the catalog's prices in force at the end of
    `day` (None: now): catalog/cost.py `estimate`, its notes followed by one for each scheduled
    price of a field it priced (`scheduled_notes`) and, read now, each open `missing` item of
    the model (`open_missing`). The cost command and /api/cost both answer with it.

    Raises CostError: the model or route is unknown that day (its rule followed by a
    `spelling_hint`, when it is another spelling of a catalog name), or a price the workload
    needs is not stated."""
    moment = reader.as_of(day)
    asked = moment if day is not None else None  # the date a refusal names; None is now
    values = reader.published_values(conn, moment, route=route, model=model)
    if not values:
        routes = [r for r, _ in reader.models(conn, moment, model)]
        unknown = unknown_target(route, model, routes, asked)
        if unknown is not None:
            hint = spelling_hint(conn, route, model)
            raise CostError(unknown.component, f"{unknown.rule}{hint}")
    result = estimate(values, workload, route=route, model=model, at=asked)
    scheduled = scheduled_notes(result.lines, scheduled_statements(conn, route, model), asked)
    missing = open_missing(conn, route, model) if day is None else []
    return result.model_copy(update={"notes": [*result.notes, *scheduled, *missing]})


# --- the queue at scale: pages, filters, sorting, counts and change sets (issue 10) ---

_items = review_items.c
# The columns the queue can sort by (?sort=NAME, ?desc=1); every order ends with due, priority, id
# so that offset paging is stable: no item twice, none missing.
QUEUE_SORTS: dict[str, Any] = {
    "due": _items.due_at,
    "priority": func.coalesce(_items.priority, 99),
    "id": _items.id,
    "kind": _items.kind,
    "route": _items.route,
    "model": _items.model,
    "title": _items.title,
    "status": _items.status,
    "created": _items.created_at,
    "source": _items.lead_source,
    "set": _items.set_id,
    "fields": _items.fields,
}


_SEPARATORS = re.compile(r"[\s._-]+")


def search_key(text: str) -> str:
    """A name or search text as the searches (the models index, the queue's text) compare them:
    lower case, each run of spaces, dots, underscores and hyphens one hyphen, so 'Claude Sonnet
    4.5' and the source spelling 'claude-sonnet-4.5' find claude-sonnet-4-5, 'gpt 4.1' gpt-4.1."""
    return _SEPARATORS.sub("-", text.strip().lower())


def _searched(column: Any) -> Any:
    """`column` in SQL as search_key reads text: lower case, a space, dot or underscore a hyphen."""
    lowered = func.lower(column)
    for separator in (" ", ".", "_"):
        lowered = func.replace(lowered, separator, "-")
    return lowered


@dataclass(frozen=True)
class QueueFilter:
    """Which review items a queue page, count or set view covers. Empty criteria match all;
    `source` matches items citing that source; `text` searches title, route and model as the
    models index searches names (search_key)."""

    status: str | None = ReviewStatus.OPEN.value
    kind: str | None = None
    route: str | None = None
    model: str | None = None
    source: str | None = None
    priority: int | None = None
    text: str | None = None
    set_id: str | None = None

    def where(self) -> list[Any]:
        """The filter's SQL conditions on review_items, to be ANDed (an empty list matches every
        item): each criterion given as an equality, `source` as a quoted name within the item's
        sources, `text` as a substring of title, model or route as search_key reads both."""
        c = _items
        conditions: list[Any] = []
        for column, value in (
            (c.status, self.status),
            (c.kind, self.kind),
            (c.route, self.route),
            (c.model, self.model),
            (c.priority, self.priority),
            (c.set_id, self.set_id),
        ):
            if value is not None and value != "":
                conditions.append(column == value)
        if self.source:
            conditions.append(cast(c.sources, Text).contains(f'"{self.source}"', autoescape=True))
        if self.text:
            needle = search_key(self.text)
            conditions.append(
                or_(
                    *(
                        _searched(column).contains(needle, autoescape=True)
                        for column in (c.title, c.model, c.route)
                    )
                )
            )
        return conditions


@dataclass(frozen=True)
class SetTotals:
    """How many change sets, open items and fields a set listing covers in all (every page)."""

    sets: int
    items: int
    fields: int
    set_items: int
    set_fields: int


def queue_routes(conn: Connection) -> list[str]:
    """Every route a review item names, whatever its status (what a route filter may ask)."""
    c = _items
    return list(conn.execute(select(c.route).distinct().order_by(c.route)).scalars())


def queue_has_model(conn: Connection, model: str) -> bool:
    """Whether any review item, whatever its status, is about `model` (exactly)."""
    found = conn.execute(select(_items.id).where(_items.model == model).limit(1)).first()
    return found is not None


def queue_page(
    conn: Connection,
    which: QueueFilter,
    *,
    sort: str = "due",
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> QueuePage:
    """One page of the queue: its items, the total matching, offset, limit and sort.

    Sorted by `sort` (a QUEUE_SORTS name; ValueError otherwise), then due time, priority and id,
    so consecutive pages never repeat or skip an item while the queue is unchanged."""
    if sort not in QUEUE_SORTS:
        raise ValueError(f"sort {sort!r}: one of {', '.join(QUEUE_SORTS)}")
    conditions = which.where()
    key = QUEUE_SORTS[sort]
    tail = [QUEUE_SORTS["due"], QUEUE_SORTS["priority"], _items.id]
    order = [key.desc() if descending else key] + [k for k in tail if k is not key]
    total = conn.execute(select(func.count()).select_from(review_items).where(*conditions))
    rows = conn.execute(
        select(review_items).where(*conditions).order_by(*order).offset(offset).limit(limit)
    )
    return QueuePage(
        items=[ReviewRow(**_review(r)) for r in rows],
        total=int(total.scalar() or 0),
        offset=offset,
        limit=limit,
        sort=sort,
    )


def queue_counts(conn: Connection, which: QueueFilter) -> dict[str, int]:
    """How many items per kind the filter matches (the kind criterion itself left out)."""
    conditions = QueueFilter(**{**vars(which), "kind": None}).where()
    rows = conn.execute(
        select(_items.kind, func.count())
        .where(*conditions)
        .group_by(_items.kind)
        .order_by(_items.kind)
    )
    return {kind: int(n) for kind, n in rows}


def change_sets(
    conn: Connection, which: QueueFilter, *, offset: int = 0, limit: int | None = None
) -> list[ChangeSet]:
    """The change sets among the items the filter matches, soonest due first (then most urgent,
    then by id, so consecutive pages never repeat or skip a set while the queue is unchanged):
    per set its id, kind, route, lead source, run, model (new-model and submission sets), how
    many items and fields, the earliest due time and the most urgent priority. `limit` sets
    from `offset`; every one without a limit."""
    c = _items
    query = (
        select(
            c.set_id,
            func.min(c.kind).label("kind"),
            func.min(c.route).label("route"),
            func.min(c.lead_source).label("lead_source"),
            func.min(c.run_id).label("run_id"),
            func.min(c.model).label("model"),
            func.count(func.distinct(c.model)).label("models"),
            func.count().label("items"),
            func.coalesce(func.sum(c.fields), 0).label("fields"),
            func.min(c.due_at).label("due_at"),
            func.min(c.priority).label("priority"),
        )
        .where(c.set_id.is_not(None), *which.where())
        .group_by(c.set_id)
        .order_by(func.min(c.due_at), func.min(c.priority), c.set_id)
        .offset(offset)
    )
    rows = list(conn.execute(query if limit is None else query.limit(limit)))
    whole = _whole_sets(conn, which, [r.set_id for r in rows])
    return [
        ChangeSet(
            id=r.set_id,
            kind=r.kind,
            route=r.route,
            lead_source=r.lead_source,
            run_id=r.run_id,
            model=r.model if r.models == 1 else None,
            models=int(r.models),
            items=int(r.items),
            fields=int(r.fields),
            set_items=whole.get(r.set_id, (int(r.items), int(r.fields)))[0],
            set_fields=whole.get(r.set_id, (int(r.items), int(r.fields)))[1],
            due_at=_iso(r.due_at),
            priority=r.priority,
        )
        for r in rows
    ]


def _narrows(which: QueueFilter) -> bool:
    """Whether the filter can keep some items of a set and not others (a set's items share
    its kind, route and run; they differ in model, priority, the sources they cite and text)."""
    return bool(which.source or which.model or which.text or which.priority is not None)


def _whole_sets(
    conn: Connection, which: QueueFilter, set_ids: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """Per set id, (items, fields) of every item of the set with the filter's status; {} when the
    filter cannot narrow a set (its counts are the whole sets')."""
    if not set_ids or not _narrows(which):
        return {}
    c = _items
    status = QueueFilter(status=which.status).where()
    rows = conn.execute(
        select(c.set_id, func.count(), func.coalesce(func.sum(c.fields), 0))
        .where(c.set_id.in_(list(set_ids)), *status)
        .group_by(c.set_id)
    )
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def change_set_totals(conn: Connection, which: QueueFilter) -> SetTotals:
    """How many change sets, items and fields the filter matches (the items of some set), and
    how many items and fields those sets hold in all with the filter's status (`set_items`,
    `set_fields`: what deciding every one of them covers)."""
    c = _items
    row = conn.execute(
        select(
            func.count(func.distinct(c.set_id)),
            func.count(),
            func.coalesce(func.sum(c.fields), 0),
        ).where(c.set_id.is_not(None), *which.where())
    ).one()
    sets, items, fields = int(row[0]), int(row[1]), int(row[2])
    if not _narrows(which):
        return SetTotals(sets, items, fields, items, fields)
    matched = select(c.set_id).where(c.set_id.is_not(None), *which.where()).distinct()
    whole = conn.execute(
        select(func.count(), func.coalesce(func.sum(c.fields), 0)).where(
            c.set_id.in_(matched), *QueueFilter(status=which.status).where()
        )
    ).one()
    return SetTotals(sets, items, fields, int(whole[0]), int(whole[1]))


def set_models(conn: Connection, which: QueueFilter) -> list[str]:
    """The models among the items the filter matches (a set page's model filter)."""
    c = _items
    return list(
        conn.execute(select(c.model).where(*which.where()).distinct().order_by(c.model)).scalars()
    )


def items_with_changes(
    conn: Connection, which: QueueFilter, *, offset: int = 0, limit: int | None = None
) -> list[ReviewWithChanges]:
    """The items the filter matches with their changes, by route, model and id (a set's table)."""
    c = _items
    query = (
        select(review_items).where(*which.where()).order_by(c.route, c.model, c.id).offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [ReviewWithChanges(**_review(r), changes=r.changes) for r in conn.execute(query)]


def promise_counts(conn: Connection, now: datetime, within: timedelta) -> dict[str, dict[str, int]]:
    """Open, due-soon and overdue counts for people's submissions apart from machine items."""
    c = _items
    is_submission = c.kind == "submission"
    soon = (c.due_at > now) & (c.due_at <= now + within)
    late = c.due_at <= now
    rows = conn.execute(
        select(
            case((is_submission, "submissions"), else_="machine").label("who"),
            func.count().label("open"),
            func.sum(case((soon, 1), else_=0)).label("due_soon"),
            func.sum(case((late, 1), else_=0)).label("overdue"),
        )
        .where(c.status == ReviewStatus.OPEN.value)
        .group_by("who")
    )
    out = {who: {"open": 0, "due_soon": 0, "overdue": 0} for who in ("submissions", "machine")}
    for r in rows:
        out[r.who] = {"open": int(r.open), "due_soon": int(r.due_soon), "overdue": int(r.overdue)}
    return out
