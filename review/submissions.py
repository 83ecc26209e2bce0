"""Sources users submit, and the 48-hour promise they are given.

A submission (route, model, source URL, the values claimed, an optional contact) is stored at
once with ``due_at = submitted_at + 48 h``. Processing fetches the URL through the SSRF-safe
fetcher, looks for each claimed value near the model's name, and opens one review item (kind
``submission``, due when the submission is due) with found / not found per claim and the
snippet. A URL that may not or cannot be fetched still gets its item, saying why: the promise is
a decision by a person, not a successful download.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, insert, select, update

from catalog.compare import fingerprint, pct_change
from catalog.identity import Identity
from catalog.store import item_row
from catalog.tables import catalog_values, review_items, submissions
from review import extract, safefetch
from review.extract import Check, Claim
from schemas.field import Dims
from schemas.records import (
    FieldChange,
    ReviewItem,
    ReviewKind,
    SourceValue,
    decimal_text,
)
from schemas.sources import sources as configured_sources
from schemas.vocab import PRICE_UNITS, Component, Dim, Kind, Unit

SUBMISSION_DUE = timedelta(hours=48)
MAX_CLAIMS = 20
ROUTE = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SubmissionError(ValueError):
    """The submission is not well-formed; the message says which part and why."""


@dataclass(frozen=True)
class Outcome:
    """What fetching and reading the submitted URL came to."""

    status: str  # fetched, refused, failed
    detail: str
    checks: list[Check]
    final_url: str | None = None
    observed_at: datetime | None = None


def claim_kind(unit: str) -> Kind:
    if Unit(unit) in PRICE_UNITS:
        return Kind.PRICE
    return Kind.CAPABILITY if unit == Unit.FLAG.value else Kind.LIMIT


def parse_claim(raw: dict[str, Any]) -> Claim:
    """One claimed value, checked against the vocabulary (component, unit, dimensions)."""
    try:
        component = Component(str(raw.get("component", "")).strip().lower())
        unit = Unit(str(raw.get("unit") or Unit.PER_1M_TOKENS.value).strip().lower())
    except ValueError as exc:
        raise SubmissionError(f"claim {raw!r}: {exc}") from exc
    dims = raw.get("dimensions") or {}
    if not isinstance(dims, dict) or any(k not in {d.value for d in Dim} for k in dims):
        raise SubmissionError(
            f"claim dimensions {dims!r}: use names from {', '.join(d.value for d in Dim)}"
        )
    if any(len(str(v)) > 50 or CONTROL.search(str(v)) for v in dims.values()):
        raise SubmissionError("claim dimension values: at most 50 plain characters")
    text = str(raw.get("value", "")).strip().lstrip("$").strip()
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise SubmissionError(f"claimed value {text!r} is not a number") from exc
    if not value.is_finite() or value < 0 or len(text) > 30:
        raise SubmissionError(f"claimed value {text!r}: a plain non-negative number")
    return Claim(component.value, unit.value, dict(Dims.of(dims)), value)


def parse_claim_text(text: str) -> Claim:
    """A claim written as 'COMPONENT VALUE [UNIT] [DIM=VALUE ...]' (the CLI's form)."""
    parts = text.split()
    if len(parts) < 2:
        raise SubmissionError(f"claim {text!r}: use COMPONENT VALUE [UNIT] [DIM=VALUE ...]")
    component, value, *rest = parts
    unit = rest.pop(0) if rest and "=" not in rest[0] else Unit.PER_1M_TOKENS.value
    dims = dict(part.split("=", 1) for part in rest if "=" in part)
    if len(dims) != len(rest):
        raise SubmissionError(f"claim {text!r}: dimensions are written DIM=VALUE")
    return parse_claim({"component": component, "unit": unit, "dimensions": dims, "value": value})


def _clean(label: str, text: str | None, limit: int, *, required: bool = True) -> str | None:
    value = (text or "").strip()
    if not value:
        if required:
            raise SubmissionError(f"{label} is required")
        return None
    if len(value) > limit or CONTROL.search(value):
        raise SubmissionError(f"{label}: at most {limit} characters, no control characters")
    return value


def submit(
    engine: Engine,
    *,
    route: str,
    model: str,
    source_url: str,
    claims: list[Claim],
    contact: str | None = None,
    submitter: str | None = None,
    client_id: str = "cli",
    now: datetime | None = None,
) -> dict[str, Any]:
    """Store a submission at once; returns its id, status token and due time."""
    route_text = (_clean("route", route, 100) or "").lower()
    if not ROUTE.fullmatch(route_text):
        raise SubmissionError("route: lowercase letters, digits, '.', '_' or '-'")
    url = _clean("source URL", source_url, 2000) or ""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise SubmissionError("source URL: a full URL, e.g. https://example.com/pricing")
    if not 1 <= len(claims) <= MAX_CLAIMS:
        raise SubmissionError(f"claim between 1 and {MAX_CLAIMS} values")
    now = now or datetime.now(UTC)
    row = {
        "token": secrets.token_urlsafe(24),
        "route": route_text,
        "model": _clean("model", model, 300),
        "source_url": url,
        "claims": [claim_json(c) for c in claims],
        "contact": _clean("contact", contact, 300, required=False),
        "submitter": submitter,
        "client_id": client_id[:100],
        "submitted_at": now,
        "due_at": now + SUBMISSION_DUE,
        "status": "pending",
        "checks": [],
    }
    with engine.begin() as conn:
        submission_id = conn.execute(insert(submissions).values(**row)).inserted_primary_key[0]
    return {"id": int(submission_id), "token": row["token"], "due_at": row["due_at"]}


def claim_json(claim: Claim) -> dict[str, Any]:
    return {
        "component": claim.component,
        "unit": claim.unit,
        "dimensions": claim.dimensions,
        "value": decimal_text(claim.value),
    }


def pending(engine: Engine, limit: int = 100) -> list[int]:
    """Submissions waiting to be fetched, the soonest due first."""
    c = submissions.c
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(c.id).where(c.status == "pending").order_by(c.due_at, c.id).limit(limit)
            ).scalars()
        )


def process_pending(
    engine: Engine, policy: safefetch.FetchPolicy | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    return [r for r in (process(engine, i, policy) for i in pending(engine, limit)) if r]


def process(
    engine: Engine,
    submission_id: int,
    policy: safefetch.FetchPolicy | None = None,
    now: datetime | None = None,
) -> dict[str, Any] | None:
    """Fetch, check and open the review item of one pending submission (None if not pending)."""
    with engine.connect() as conn:
        row = conn.execute(select(submissions).where(submissions.c.id == submission_id)).first()
    if row is None or row.status != "pending":
        return None
    claims = [parse_claim(c) for c in row.claims]
    outcome = examine(row.source_url, row.model, claims, policy)
    now = now or datetime.now(UTC)
    try:
        item_id = _open_item(engine, row, claims, outcome, now)
    except _AlreadyTaken:
        return None
    found = sum(c.found for c in outcome.checks)
    return {
        "submission": row.id,
        "review_item": item_id,
        "fetch": outcome.status,
        "found": found,
        "claims": len(claims),
        "detail": outcome.detail,
    }


class _AlreadyTaken(Exception):
    """Another run processed the submission meanwhile: this run's item is rolled back."""


def _open_item(
    engine: Engine, row: Any, claims: list[Claim], outcome: Outcome, now: datetime
) -> int:
    """The review item and the submission's new state, in one transaction."""
    with engine.begin() as conn:
        item = _item(row, claims, outcome, _currents(conn, row.route, row.model, claims), now)
        inserted = conn.execute(insert(review_items).values(**item_row(item)))
        item_id = int(inserted.inserted_primary_key[0])
        done = conn.execute(
            update(submissions)
            .where(submissions.c.id == row.id, submissions.c.status == "pending")
            .values(
                status="open",
                review_item_id=item_id,
                processed_at=now,
                fetch_status=outcome.status,
                fetch_detail=outcome.detail,
                final_url=outcome.final_url,
                observed_at=outcome.observed_at,
                checks=[c.as_json() for c in outcome.checks],
            )
        )
        if done.rowcount != 1:
            raise _AlreadyTaken
    return item_id


def examine(
    url: str, model: str, claims: list[Claim], policy: safefetch.FetchPolicy | None = None
) -> Outcome:
    """Fetch the URL safely and check each claim against it; never raises for a bad URL."""
    try:
        page = safefetch.fetch(url, policy)
    except safefetch.Refused as exc:
        return _unchecked("refused", f"not fetched: {exc}", claims)
    except safefetch.FetchFailed as exc:
        return _unchecked("failed", f"could not fetch: {exc}", claims)
    try:
        text = extract.blocks(page.body, page.content_type, page.final_url)
    except Exception as exc:  # a page no reader understands is a reason, not a crash
        return _unchecked("failed", f"could not read the page: {exc}", claims)
    checks = extract.check_claims(text, [model, _canonical_model(model)], claims)
    via = f" via {len(page.redirects)} redirect(s)" if page.redirects else ""
    return Outcome(
        status="fetched",
        detail=f"HTTP {page.status}, {len(page.body)} bytes of {page.content_type}{via}",
        checks=checks,
        final_url=page.final_url,
        observed_at=page.date,
    )


def _unchecked(status: str, reason: str, claims: list[Claim]) -> Outcome:
    return Outcome(status, reason, [Check(c, False, "", reason) for c in claims])


@cache
def _identity() -> Identity:
    return Identity.load()


def _canonical_model(model: str) -> str:
    return _identity().candidate(model)


def _currents(conn: Any, route: str, model: str, claims: list[Claim]) -> list[str | None]:
    """The catalog's value in force for each claimed field (None where it has none)."""
    c = catalog_values.c
    canonical = _canonical_model(model)
    return [
        conn.execute(
            select(c.value).where(
                c.route == route,
                c.model == canonical,
                c.kind == claim_kind(claim.unit).value,
                c.component == claim.component,
                c.unit == claim.unit,
                c.dimensions == Dims.of(claim.dimensions).key,
                c.valid_to.is_(None),
            )
        ).scalar()
        for claim in claims
    ]


def official_source(url: str, route: str) -> str | None:
    """The configured source this URL is, when that source is official for the route."""
    for source in configured_sources().values():
        if url in source.urls and source.is_official(route):
            return source.id
    return None


def _item(
    row: Any, claims: list[Claim], outcome: Outcome, currents: list[str | None], now: datetime
) -> ReviewItem:
    url = outcome.final_url or row.source_url
    official = official_source(url, row.route)
    changes = [
        _change(check, current, url, official, outcome, row.submitted_at)
        for check, current in zip(outcome.checks, currents, strict=True)
    ]
    found = sum(c.found for c in outcome.checks)
    what = (
        f"{found} of {len(claims)} claimed values found"
        if outcome.status == "fetched"
        else f"source {outcome.status}"
    )
    return ReviewItem(
        kind=ReviewKind.SUBMISSION,
        route=row.route,
        model=_canonical_model(row.model),
        title=f"submission #{row.id}: {row.route}/{row.model}: {what}",
        changes=changes,
        detail=_detail(row, outcome),
        fingerprint=fingerprint("submission", row.id),
        slot=fingerprint("submission", row.id),
        created_at=now,
        due_at=row.due_at,
        sources=[official or "submission"],
    )


def _change(
    check: Check,
    current: str | None,
    url: str,
    official: str | None,
    outcome: Outcome,
    submitted_at: datetime,
) -> FieldChange:
    claim = check.claim
    stated = [
        SourceValue(
            source=official or "submission",
            official=official is not None,
            value=decimal_text(claim.value),
            observed_at=outcome.observed_at or submitted_at,
            url=url,
            evidence=check.snippet,
        )
    ]
    return FieldChange(
        kind=claim_kind(claim.unit),
        component=Component(claim.component),
        unit=Unit(claim.unit),
        dimensions=claim.dimensions,
        current=current,
        proposed=decimal_text(claim.value),
        pct_change=pct_change(Decimal(current) if current else None, claim.value),
        sources=stated if check.found else [],
    )


def _detail(row: Any, outcome: Outcome) -> str:
    lines = [f"Source: {row.source_url}", f"Fetch: {outcome.status}: {outcome.detail}"]
    for check in outcome.checks:
        mark = "found" if check.found else "NOT FOUND"
        note = f" ({check.note})" if check.note and check.found else ""
        lines.append(f"- {mark}: {check.claim.label()}{note}")
        if check.snippet:
            lines.append(f"    {check.snippet}")
        elif not check.found and outcome.status == "fetched":
            lines.append(f"    {check.note}")
    return "\n".join(lines)
