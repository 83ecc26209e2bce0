"""Reports across sources: where a secondary source disagrees with the official one."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from catalog.tables import last_stated, observations, responses
from schemas.field import FieldId
from schemas.records import time_text
from schemas.sources import sources
from schemas.vocab import Kind


def _latest_prices(
    conn: Connection, source: str, routes: set[str] | None = None
) -> dict[FieldId, dict[str, Any]]:
    """A source's price statements from the latest run that applied it, by field."""
    c, last = observations.c, responses.c
    latest = conn.execute(
        select(func.max(last.run_id)).select_from(last_stated()).where(c.source == source)
    ).scalar()
    if latest is None:
        return {}
    query = (
        select(observations, last.url, last.observed_at)
        .select_from(last_stated())
        .where(
            c.source == source,
            last.run_id == latest,
            c.kind == Kind.PRICE.value,
            c.model.is_not(None),
        )
    )
    if routes is not None:
        query = query.where(c.route.in_(routes))
    return {
        FieldId.from_row(r): {
            "value": r.value,
            "source_model": r.source_model,
            "observed_at": time_text(r.observed_at),
            "url": r.url,
        }
        for r in conn.execute(query)
    }


def disagreements(conn: Connection, source: str) -> dict[str, Any]:
    """For a secondary source: its entries (route, model) that an official source also prices,
    and those where any price differs, each with both values."""
    stated = _latest_prices(conn, source)
    official_for: dict[str, list[str]] = defaultdict(list)
    for other in sources().values():
        if other.id != source:
            for route in other.official_for:
                official_for[route].append(other.id)
    routes = {key.route for key in stated} & set(official_for)
    official: dict[FieldId, tuple[str, dict[str, Any]]] = {}
    for route in routes:
        for official_source in official_for[route]:
            for key, value in _latest_prices(conn, official_source, {route}).items():
                official[key] = (official_source, value)
    comparable: set[tuple[str, str]] = set()
    differing: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for key, mine in sorted(stated.items()):
        if key not in official:
            continue
        comparable.add((key.route, key.model))
        official_source, theirs = official[key]
        if Decimal(mine["value"]) != Decimal(theirs["value"]):
            differing[(key.route, key.model)].append(
                {
                    "component": key.component.value,
                    "unit": key.unit.value,
                    "dimensions": dict(key.dims),
                    source: mine,
                    "official": {"source": official_source, **theirs},
                }
            )
    by_route = {
        route: {
            "comparable": sum(r == route for r, _ in comparable),
            "disagreeing": sum(r == route for r, _ in differing),
        }
        for route in sorted({r for r, _ in comparable})
    }
    return {
        "source": source,
        "comparable_entries": len(comparable),
        "disagreeing_entries": len(differing),
        "by_route": by_route,
        "entries": [
            {"route": route, "model": model, "fields": fields}
            for (route, model), fields in sorted(differing.items())
        ],
    }
