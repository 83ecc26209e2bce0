"""Read-only views of the catalog for the CLI and the web app: plain dicts, JSON-ready."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from catalog.tables import (
    audit_log,
    catalog_values,
    observations,
    responses,
    review_items,
    runs,
    source_runs,
    stamps,
    submissions,
)
from schemas.field import FieldId, Measure
from schemas.records import CatalogValue, FieldChange, ReviewStatus, Run, SourceRun
from schemas.sources import is_official


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _latest_statements(
    conn: Connection, route: str, model: str
) -> dict[tuple[Measure, str], dict[str, Any]]:
    """Each source's latest statement of each field of (route, model), by (measure, source)."""
    c = observations.c
    latest_run = (
        select(c.source, func.max(c.last_run_id).label("run_id"))
        .where(c.route == route, c.model == model)
        .group_by(c.source)
        .subquery()
    )  # only what each source still stated in its latest run that stated this model
    rows = conn.execute(
        select(observations, responses.c.url, responses.c.observed_at)
        .join(responses, responses.c.id == c.last_response_id)
        .join(
            latest_run,
            (latest_run.c.source == c.source) & (latest_run.c.run_id == c.last_run_id),
        )
        .where(c.route == route, c.model == model)
        .order_by(c.id.desc())
    )
    latest: dict[tuple[Measure, str], dict[str, Any]] = {}
    for r in rows:
        latest.setdefault(
            (FieldId.from_row(r).measure, r.source),
            {
                "source": r.source,
                "official": is_official(r.source, r.route),
                "value": r.value,
                "observed_at": _iso(r.observed_at),
                "url": r.url,
                "evidence": r.evidence,
                "source_model": r.source_model,
            },
        )
    return latest


def model_view(conn: Connection, route: str, model: str) -> dict[str, Any]:
    """Every field of (route, model): value, provenance, who agrees and who does not."""
    c = catalog_values.c
    current = conn.execute(
        select(catalog_values)
        .where(c.route == route, c.model == model, c.valid_to.is_(None))
        .order_by(c.kind, c.component, c.unit, c.dimensions)
    ).all()
    history = conn.execute(
        select(catalog_values)
        .where(c.route == route, c.model == model, c.valid_to.is_not(None))
        .order_by(c.valid_to.desc())
    ).all()
    statements = _latest_statements(conn, route, model)
    confirmations = _confirmations(conn, [r.id for r in current])
    fields = []
    catalogued: set[Measure] = set()
    for r in current:
        measure = FieldId.from_row(r).measure
        catalogued.add(measure)
        stated = [s for (m, _), s in statements.items() if m == measure]
        fields.append(
            {
                **CatalogValue.model_validate(r).model_dump(mode="json"),
                "corroborated_by": [
                    s for s in confirmations.get(r.id, []) if s["source"] != r.verified_by
                ],
                "disagreeing": [s for s in stated if s["value"] != r.value],
            }
        )
    uncatalogued = [
        {
            "kind": m.kind.value,
            "component": m.component.value,
            "unit": m.unit.value,
            "dimensions": dict(m.dims),
            **s,
        }
        for (m, _), s in sorted(statements.items())
        if m not in catalogued
    ]
    return {
        "route": route,
        "model": model,
        "fields": fields,
        "history": [CatalogValue.model_validate(r).model_dump(mode="json") for r in history],
        "not_in_catalog": uncatalogued,
        "open_review_items": list_reviews(conn, status="open", route=route, model=model),
    }


def _confirmations(conn: Connection, value_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    if not value_ids:
        return {}
    c = stamps.c
    rows = conn.execute(
        select(c.value_id, c.source, c.official, func.max(c.observed_at).label("observed_at"))
        .where(c.value_id.in_(value_ids))
        .group_by(c.value_id, c.source, c.official)
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        observed = r.observed_at if isinstance(r.observed_at, str) else _iso(r.observed_at)
        out.setdefault(r.value_id, []).append(
            {"source": r.source, "official": r.official, "observed_at": observed}
        )
    return out


def _review(row: Any) -> dict[str, Any]:
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
) -> list[dict[str, Any]]:
    c = review_items.c
    query = select(review_items).order_by(c.due_at, c.id)
    for column, value in ((c.status, status), (c.kind, kind), (c.route, route), (c.model, model)):
        if value:
            query = query.where(column == value)
    if due_before is not None:
        query = query.where(c.due_at <= due_before)
    rows = [_review(r) for r in conn.execute(query)]
    if source:
        rows = [r for r in rows if source in r["sources"]]
    return rows[:limit] if limit else rows


def get_review(conn: Connection, item_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(review_items).where(review_items.c.id == item_id)).first()
    if row is None:
        return None
    return {**_review(row), "changes": row.changes, "detail": row.detail}


def due_counts(conn: Connection, now: datetime, within: timedelta) -> dict[str, int]:
    c = review_items.c
    open_ = c.status == ReviewStatus.OPEN.value

    def count(*conditions: Any) -> int:
        return int(conn.execute(select(func.count()).where(open_, *conditions)).scalar() or 0)

    return {
        "open": count(),
        "due_soon": count(c.due_at > now, c.due_at <= now + within),
        "overdue": count(c.due_at <= now),
    }


def list_runs(conn: Connection, limit: int = 20) -> list[dict[str, Any]]:
    rows = conn.execute(select(runs).order_by(runs.c.id.desc()).limit(limit)).all()
    per_source = conn.execute(
        select(source_runs)
        .where(source_runs.c.run_id.in_([r.id for r in rows]))
        .order_by(source_runs.c.source)
    ).all()
    by_run: dict[int, list[SourceRun]] = {}
    for s in per_source:
        by_run.setdefault(s.run_id, []).append(SourceRun.model_validate(s))
    return [
        Run.model_validate(r)
        .model_copy(update={"sources": by_run.get(r.id, [])})
        .model_dump(mode="json")
        for r in rows
    ]


# --- review queue, submissions and the 48-hour promise (issue 4) ---


def change_field(item: dict[str, Any], change: dict[str, Any]) -> FieldId:
    """The catalog field a stored change of a review item is about."""
    return FieldId(item["route"], item["model"], FieldChange.model_validate(change).measure)


def field_history(conn: Connection, field_id: FieldId) -> list[dict[str, Any]]:
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
        {
            "id": r.id,
            "value": r.value,
            "valid_from": _iso(r.valid_from),
            "valid_to": _iso(r.valid_to),
            "verified_at": _iso(r.verified_at),
            "verified_by": r.verified_by,
            "accepted_by": r.accepted_by,
            "accepted_source": r.accepted_source,
        }
        for r in rows
    ]


def catalog_index(conn: Connection, route: str | None = None) -> list[dict[str, Any]]:
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
        {"route": r.route, "model": r.model, "fields": r.fields, "verified": r.verified}
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
    data["decision"] = {k: item[k] for k in ("status", "decided_at", "reason")} if item else None
    return data


def submission_for_item(conn: Connection, item_id: int) -> dict[str, Any] | None:
    """The submission behind a review item, with the private fields reviewers need."""
    row = conn.execute(select(submissions).where(submissions.c.review_item_id == item_id)).first()
    return _submission(row, private=True) if row else None


def audit_entries(
    conn: Connection, target: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    c = audit_log.c
    query = select(audit_log).order_by(c.id.desc()).limit(limit)
    if target:
        query = query.where(c.target == target)
    return [
        {
            "id": r.id,
            "at": _iso(r.at),
            "actor": r.actor,
            "channel": r.channel,
            "action": r.action,
            "target": r.target,
            "reason": r.reason,
            "before": r.before,
            "after": r.after,
        }
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
        "overdue": [i for i in soon if i["due_at"] and _after(now, i["due_at"])],
        "due_soon": [i for i in soon if i["due_at"] and not _after(now, i["due_at"])],
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
