"""Decisions on review items: the only way a proposed change reaches the catalog.

A decision is made by a known reviewer, in one transaction, and leaves an audit record (who,
when, through which channel, the item and the catalog values before and after). Approving a
change closes the value in force (valid_to) and opens the proposed one (valid_from = the date
the source stated it), so history is kept; approving a new model or value adds it; approving a
"missing" item closes the model's values; anomalies and unmapped names are acknowledged and
change nothing. Rejecting records why. Deciding an item again the same way is a no-op; deciding
an item that is no longer open is refused. The person who submitted a source cannot approve the
item it opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, Row, insert, select, update

from catalog import queries
from catalog.tables import audit_log, catalog_values, review_items, stamps, submissions
from review.reviewers import reviewer_exists
from schemas.field import FieldId
from schemas.records import FieldChange, ReviewKind, ReviewStatus, SourceValue, decimal_text

# Kinds whose approval writes proposed values into the catalog.
VALUE_KINDS = frozenset(
    {
        ReviewKind.PRICE_CHANGE,
        ReviewKind.NEW_MODEL,
        ReviewKind.NEW_VALUE,
        ReviewKind.DISAGREEMENT,
        ReviewKind.SUBMISSION,
    }
)


class Verdict(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"

    @property
    def status(self) -> ReviewStatus:
        return ReviewStatus.APPROVED if self is Verdict.APPROVE else ReviewStatus.REJECTED


class DecisionError(Exception):
    """A decision that was refused; nothing was written. The message says why."""


class NotFound(DecisionError):
    pass


class NotOpen(DecisionError):
    pass


class Forbidden(DecisionError):
    pass


class Stale(DecisionError):
    """The catalog changed since the item was proposed: a decision now would overwrite blindly."""


@dataclass(frozen=True)
class Decision:
    item_id: int
    status: ReviewStatus
    changed: bool  # False: the item already had this decision (an idempotent repeat)
    reviewer: str
    opened: list[dict[str, Any]] = field(default_factory=list)  # catalog values opened
    closed: list[dict[str, Any]] = field(default_factory=list)  # catalog values closed


@dataclass(frozen=True)
class Filter:
    """Which open items a bulk decision covers. At least one criterion is required."""

    kind: str | None = None
    route: str | None = None
    model: str | None = None
    source: str | None = None

    def is_empty(self) -> bool:
        return not (self.kind or self.route or self.model or self.source)


def approve(
    engine: Engine,
    item_id: int,
    *,
    reviewer: str,
    reason: str | None = None,
    channel: str = "cli",
    client_id: str | None = None,
    now: datetime | None = None,
) -> Decision:
    """Approve one item in one transaction."""
    with engine.begin() as conn:
        return _decide(conn, item_id, Verdict.APPROVE, reviewer, reason, channel, client_id, now)


def reject(
    engine: Engine,
    item_id: int,
    *,
    reviewer: str,
    reason: str,
    channel: str = "cli",
    client_id: str | None = None,
    now: datetime | None = None,
) -> Decision:
    """Reject one item in one transaction. A rejection without a reason is refused."""
    with engine.begin() as conn:
        return _decide(conn, item_id, Verdict.REJECT, reviewer, reason, channel, client_id, now)


def matching_open(engine: Engine, which: Filter) -> list[dict[str, Any]]:
    """The open items a bulk decision with this filter would cover (for previews)."""
    with engine.connect() as conn:
        return _matching_open(conn, which)


def decide_many(
    engine: Engine,
    verdict: Verdict,
    which: Filter,
    *,
    reviewer: str,
    reason: str | None = None,
    channel: str = "cli",
    client_id: str | None = None,
    now: datetime | None = None,
) -> list[Decision]:
    """Decide every open item the filter matches, all or nothing: one refusal undoes the lot."""
    if which.is_empty():
        raise DecisionError("a bulk decision needs a filter: kind, route, model or source")
    with engine.begin() as conn:
        items = _matching_open(conn, which)
        return [
            _decide(conn, item["id"], verdict, reviewer, reason, channel, client_id, now)
            for item in items
        ]


def _matching_open(conn: Connection, which: Filter) -> list[dict[str, Any]]:
    return queries.list_reviews(
        conn,
        status=ReviewStatus.OPEN.value,
        kind=which.kind,
        route=which.route,
        model=which.model,
        source=which.source,
    )


def _decide(
    conn: Connection,
    item_id: int,
    verdict: Verdict,
    reviewer: str,
    reason: str | None,
    channel: str,
    client_id: str | None,
    now: datetime | None,
) -> Decision:
    now = now or datetime.now(UTC)
    reason = (reason or "").strip() or None
    if not reviewer_exists(conn, reviewer):
        raise Forbidden(f"no active reviewer named {reviewer!r}")
    if verdict is Verdict.REJECT and not reason:
        raise DecisionError("a rejection needs a reason")
    item = conn.execute(select(review_items).where(review_items.c.id == item_id)).first()
    if item is None:
        raise NotFound(f"no review item {item_id}")
    if item.status == verdict.status.value:
        return Decision(item_id, verdict.status, changed=False, reviewer=item.reviewer or "")
    if item.status != ReviewStatus.OPEN.value:
        raise NotOpen(f"review item {item_id} is {item.status}, no longer open")
    submission = _submission_of(conn, item_id)
    if verdict is Verdict.APPROVE:
        _refuse_own_submission(submission, reviewer, client_id)
        closed, opened = _apply(conn, item, now)
    else:
        closed, opened = [], []
    _close_item(conn, item_id, verdict.status, reviewer, reason, now)
    if submission is not None:
        conn.execute(
            update(submissions)
            .where(submissions.c.id == submission.id)
            .values(status=verdict.status.value)
        )
    conn.execute(
        insert(audit_log).values(
            at=now,
            actor=reviewer,
            channel=channel,
            action=verdict.value,
            target=f"review:{item_id}",
            reason=reason,
            before={"status": item.status, "values": closed},
            after={"status": verdict.status.value, "values": opened},
        )
    )
    return Decision(item_id, verdict.status, True, reviewer, opened=opened, closed=closed)


def _submission_of(conn: Connection, item_id: int) -> Row[Any] | None:
    return conn.execute(select(submissions).where(submissions.c.review_item_id == item_id)).first()


def _refuse_own_submission(
    submission: Row[Any] | None, reviewer: str, client_id: str | None
) -> None:
    if submission is None:
        return
    if submission.submitter == reviewer or (client_id and submission.client_id == client_id):
        raise Forbidden("the person who submitted a source cannot approve the item it opened")


def _close_item(
    conn: Connection,
    item_id: int,
    status: ReviewStatus,
    reviewer: str,
    reason: str | None,
    now: datetime,
) -> None:
    """Record the decision, guarding against a concurrent decision on the same item."""
    c = review_items.c
    result = conn.execute(
        update(review_items)
        .where(c.id == item_id, c.status == ReviewStatus.OPEN.value)
        .values(status=status.value, decided_at=now, reviewer=reviewer, reason=reason)
    )
    if result.rowcount != 1:
        raise NotOpen(f"review item {item_id} was decided meanwhile")


def _apply(
    conn: Connection, item: Row[Any], now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Write what approving the item means for the catalog: (values closed, values opened)."""
    kind = ReviewKind(item.kind)
    if kind is ReviewKind.MISSING:
        return _close_model(conn, item.route, item.model, now), []
    if kind not in VALUE_KINDS:
        return [], []
    changes = [FieldChange.model_validate(c) for c in item.changes or []]
    unproposed = [c for c in changes if c.proposed is None]
    if unproposed or not changes:
        raise DecisionError(
            f"review item {item.id} proposes no value for {len(unproposed) or 'any'} field(s): "
            "reject it, or wait for a source to settle the value"
        )
    closed: list[dict[str, Any]] = []
    opened: list[dict[str, Any]] = []
    for change in changes:
        was, now_value = _apply_change(conn, item, change, now)
        closed.extend(was)
        opened.append(now_value)
    return closed, opened


def _apply_change(
    conn: Connection, item: Row[Any], change: FieldChange, now: datetime
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Close the field's value in force (if any) and open the proposed one from its date."""
    field_id = FieldId(item.route, item.model, change.measure)
    key = {
        "route": field_id.route,
        "model": field_id.model,
        "kind": field_id.kind.value,
        "component": field_id.component.value,
        "unit": field_id.unit.value,
        "dimensions": field_id.dims.key,
    }
    c = catalog_values.c
    current = conn.execute(
        select(catalog_values).where(
            *(getattr(c, name) == value for name, value in key.items()), c.valid_to.is_(None)
        )
    ).first()
    _refuse_stale(item.id, change, current)
    assert change.proposed is not None  # _apply refuses items with unproposed fields
    proposed = Decimal(change.proposed)
    stated = _stated_by(change, proposed)
    valid_from = stated[0].observed_at if stated else now
    closed = []
    if current is not None:
        valid_from = max(valid_from, current.valid_from)
        conn.execute(update(catalog_values).where(c.id == current.id).values(valid_to=valid_from))
        closed.append(_value_dict(current._mapping, valid_to=valid_from))
    row = {**key, **_provenance(item, proposed, valid_from, stated)}
    value_id = conn.execute(insert(catalog_values).values(**row)).inserted_primary_key[0]
    _stamp(conn, int(value_id), item.run_id, stated)
    return closed, _value_dict({**row, "id": value_id})


def _provenance(
    item: Row[Any], proposed: Decimal, valid_from: datetime, stated: list[SourceValue]
) -> dict[str, Any]:
    """Who let the value in and who stated it: verified only when an official source did."""
    official = next((s for s in stated if s.official), None)
    chosen = official or (stated[0] if stated else None)
    return {
        "value": decimal_text(proposed),
        "valid_from": valid_from,
        "verified_at": official.observed_at if official else None,
        "verified_by": official.source if official else None,
        "accepted_by": f"review:{item.id}",
        "accepted_source": (chosen.source if chosen else "review")[:50],
        "run_id": item.run_id,
    }


def _refuse_stale(item_id: int, change: FieldChange, current: Row[Any] | None) -> None:
    expected = change.current
    actual = None if current is None else current.value
    if expected is None and actual is None:
        return
    if expected is None or actual is None or Decimal(expected) != Decimal(actual):
        raise Stale(
            f"review item {item_id}: the catalog holds {actual} for {change.component.value}, "
            f"not {expected} as proposed against; a newer item will say what to do"
        )


def _stated_by(change: FieldChange, proposed: Decimal) -> list[SourceValue]:
    """The sources that stated exactly the proposed value, official ones first, latest first."""
    agreeing = [s for s in change.sources if s.value and _same(s.value, proposed)]
    agreeing.sort(key=lambda s: s.observed_at, reverse=True)
    agreeing.sort(key=lambda s: not s.official)
    return agreeing


def _same(text: str, value: Decimal) -> bool:
    try:
        return Decimal(text) == value
    except ArithmeticError:
        return False


def _stamp(
    conn: Connection, value_id: int, run_id: int | None, stated: Sequence[SourceValue]
) -> None:
    """Each source that stated the approved value confirms it (stamps need the run it came in)."""
    if run_id is None or not stated:
        return
    conn.execute(
        insert(stamps),
        [
            {
                "value_id": value_id,
                "run_id": run_id,
                "source": s.source,
                "official": s.official,
                "observed_at": s.observed_at,
            }
            for s in stated
        ],
    )


def _close_model(conn: Connection, route: str, model: str, now: datetime) -> list[dict[str, Any]]:
    c = catalog_values.c
    rows = conn.execute(
        select(catalog_values).where(c.route == route, c.model == model, c.valid_to.is_(None))
    ).all()
    if rows:
        conn.execute(
            update(catalog_values).where(c.id.in_([r.id for r in rows])).values(valid_to=now)
        )
    return [_value_dict(r._mapping, valid_to=now) for r in rows]


def _value_dict(row: Any, **override: Any) -> dict[str, Any]:
    """A catalog value as JSON-ready data for the audit log."""
    data = {**dict(row), **override}
    keep = (
        "id",
        "route",
        "model",
        "kind",
        "component",
        "unit",
        "dimensions",
        "value",
        "valid_from",
        "valid_to",
        "verified_at",
        "verified_by",
        "accepted_by",
        "accepted_source",
    )
    return {
        k: data[k].isoformat() if isinstance(data.get(k), datetime) else data.get(k) for k in keep
    }
