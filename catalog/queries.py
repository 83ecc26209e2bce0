"""Read-only views of the catalog for the CLI and the web app: plain dicts, JSON-ready."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from catalog.tables import (
    catalog_values,
    observations,
    review_items,
    runs,
    source_runs,
    stamps,
)
from schemas.records import ReviewStatus, parse_dimensions_key
from spiders.sources import is_official


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _field(row: Any) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "component": row.component,
        "unit": row.unit,
        "dimensions": parse_dimensions_key(row.dimensions),
    }


def _latest_statements(conn: Connection, route: str, model: str) -> dict[tuple[str, ...], dict]:
    """Each source's latest statement of each field of (route, model)."""
    c = observations.c
    rows = conn.execute(
        select(observations).where(c.route == route, c.model == model).order_by(c.id.desc())
    )
    latest: dict[tuple[str, ...], dict[str, Any]] = {}
    for r in rows:
        key = (r.kind, r.component, r.unit, r.dimensions, r.source)
        latest.setdefault(
            key,
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
    catalogued = set()
    for r in current:
        catalogued.add((r.kind, r.component, r.unit, r.dimensions))
        stated = [
            s for k, s in statements.items() if k[:4] == (r.kind, r.component, r.unit, r.dimensions)
        ]
        fields.append(
            {
                **_field(r),
                "id": r.id,
                "value": r.value,
                "valid_from": _iso(r.valid_from),
                "verified_at": _iso(r.verified_at),
                "verified_by": r.verified_by,
                "accepted_by": r.accepted_by,
                "accepted_source": r.accepted_source,
                "corroborated_by": [
                    s for s in confirmations.get(r.id, []) if s["source"] != r.verified_by
                ],
                "disagreeing": [s for s in stated if s["value"] != r.value],
            }
        )
    uncatalogued = [
        {
            "kind": k[0],
            "component": k[1],
            "unit": k[2],
            "dimensions": parse_dimensions_key(k[3]),
            **s,
        }
        for k, s in sorted(statements.items())
        if k[:4] not in catalogued
    ]
    return {
        "route": route,
        "model": model,
        "fields": fields,
        "history": [
            {
                **_field(r),
                "value": r.value,
                "valid_from": _iso(r.valid_from),
                "valid_to": _iso(r.valid_to),
                "accepted_by": r.accepted_by,
            }
            for r in history
        ],
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
        select(source_runs).where(source_runs.c.run_id.in_([r.id for r in rows]))
    ).all()
    by_run: dict[int, list[dict[str, Any]]] = {}
    for s in per_source:
        by_run.setdefault(s.run_id, []).append(
            {
                "source": s.source,
                "status": s.status,
                "reason": s.reason,
                "responses": s.responses,
                "records": s.records,
                "observations": s.observations,
                "quarantined": s.quarantined,
                "stamped": s.stamped,
                "review_items": s.review_items,
                "observed_at": _iso(s.observed_at),
            }
        )
    return [
        {
            "id": r.id,
            "started_at": _iso(r.started_at),
            "finished_at": _iso(r.finished_at),
            "world": r.world,
            "policy": r.policy,
            "status": r.status,
            "flow_run_id": r.flow_run_id,
            "sources": sorted(by_run.get(r.id, []), key=lambda s: s["source"]),
        }
        for r in rows
    ]


def routes_of(conn: Connection, model: str) -> list[str]:
    """The routes that sell a model in the catalog."""
    c = catalog_values.c
    return list(
        conn.execute(
            select(c.route).where(c.model == model, c.valid_to.is_(None)).distinct().order_by(c.route)
        ).scalars()
    )
