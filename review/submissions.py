"""Sources users submit, and the 48-hour promise they are given.

A submission (route, model, source URL, the values claimed, an optional contact) is stored at
once with ``due_at = submitted_at + 48 h``. Processing fetches the URL through the SSRF-safe
fetcher, looks for each claimed value near the model's name, and opens one review item (kind
``submission``, due when the submission is due) with found / not found per claim and the
snippet. A URL that may not or cannot be fetched still gets its item, saying why: the promise is
a decision by a person, not a successful download.

Claimed values are parsed once, at submission, by `parse_amount` into bounded Decimals (at most
MAX_DIGITS significant digits, leading digit between 10^MIN_EXPONENT and 10^MAX_EXPONENT) and
stored in their canonical plain form, so nothing a submitter types can grow the database or
blow up arithmetic later. Each submission is processed on its own: pending submissions are
fetched concurrently (at most FETCH_WORKERS at once) and recorded one by one; one that cannot be
processed is marked ``failed`` with its reason and the others go on.
"""

from __future__ import annotations

import ipaddress
import math
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, insert, select, update

from catalog import queries
from catalog.compare import fingerprint
from catalog.identity import Identity, names_a_path_step
from catalog.store import item_row
from catalog.tables import catalog_values, inserted_id, review_items, submissions
from review import extract, safefetch, triage
from review.extract import Check, Claim
from schemas.field import ROUTE_NAME, Dims
from schemas.records import (
    FieldChange,
    ReviewItem,
    ReviewKind,
    SourceValue,
    decimal_text,
    percent_change,
)
from schemas.sources import SUBMISSION_SOURCE
from schemas.sources import sources as configured_sources
from schemas.vocab import DIMENSION_VALUES, PRICE_UNITS, Component, Dim, Kind, Unit, component_units

SUBMISSION_DUE = timedelta(hours=48)
MAX_CLAIMS = 20
MAX_DIGITS = 12  # significant digits of a claimed value: a price never needs more
MIN_EXPONENT = -12  # the leading digit of a non-zero value is at least 10^-12 ...
MAX_EXPONENT = 11  # ... and at most 10^11 (values below 10^12)
MAX_VALUE_TEXT = 40  # characters of a claimed value read at all
FETCH_WORKERS = 8  # submissions fetched at once
URL_SCHEMES = ("http", "https")
# ASCII digits only (no other scripts' digits), no sign, no separators; an exponent whose length
# parse_amount checks before any arithmetic.
AMOUNT = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE](?P<exponent>[-+]?[0-9]+))?")
ROUTE = ROUTE_NAME
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Characters RFC 3986 lets no URL hold unencoded: whitespace and <>"{}|\^`.
NOT_IN_URL = re.compile(r"[\s<>\"{}|\\^`]")
# A host name: dot-separated labels of letters (any script, for IDNA names), digits and inner
# hyphens, 1 to 63 characters each, an optional final dot.
HOST_LABEL = r"(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?"
HOST = re.compile(rf"{HOST_LABEL}(?:\.{HOST_LABEL})*\.?")


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
    """The kind a claim's unit makes it: a price unit is a price, `flag` a capability, any other
    a limit. Raises ValueError for a unit the vocabulary does not have."""
    if Unit(unit) in PRICE_UNITS:
        return Kind.PRICE
    return Kind.CAPABILITY if unit == Unit.FLAG.value else Kind.LIMIT


def parse_claim(raw: dict[str, Any]) -> Claim:
    """One claimed value, checked against the vocabulary (component, unit, dimensions)."""
    component_text = str(raw.get("component", "")).strip().lower()
    unit_text = str(raw.get("unit") or Unit.PER_1M_TOKENS.value).strip().lower()
    for text, vocabulary, what in (
        (component_text, Component, "component"),
        (unit_text, Unit, "unit"),
    ):
        if text not in {member.value for member in vocabulary}:
            known = ", ".join(member.value for member in vocabulary)
            raise SubmissionError(f"claim {what} {text[:50]!r} is not one of: {known}")
    component, unit = Component(component_text), Unit(unit_text)
    allowed = component_units(component)
    if unit not in allowed:
        raise SubmissionError(
            f"claim unit {unit.value!r} does not go with component {component.value!r}: "
            f"use {', '.join(sorted(allowed))}"
        )
    dims = raw.get("dimensions") or {}
    names = ", ".join(d.value for d in Dim)
    if not isinstance(dims, dict):
        raise SubmissionError(f"claim dimensions: name=value pairs, the names from {names}")
    unknown = sorted(str(k) for k in dims if k not in {d.value for d in Dim})
    if unknown:
        raise SubmissionError(f"claim dimension {unknown[0][:50]!r} is not one of: {names}")
    if any(len(str(v)) > 50 or CONTROL.search(str(v)) for v in dims.values()):
        raise SubmissionError("claim dimension values: at most 50 plain characters")
    for name, value in dims.items():
        _check_dimension(Dim(name), str(value).strip().lower())
    return Claim(component.value, unit.value, dict(Dims.of(dims)), parse_amount(raw.get("value")))


def _check_dimension(name: Dim, value: str) -> None:
    """Refuse a claimed dimension value outside the vocabulary (schemas/vocab.py's
    DIMENSION_VALUES, as `cost --service-tier` does) or a context tier that is no token count."""
    known = DIMENSION_VALUES.get(name)
    if known is not None and value not in known:
        raise SubmissionError(
            f"claim dimension {name.value}={value!r} is not one of: {', '.join(sorted(known))}"
        )
    if name is Dim.CONTEXT_ABOVE and not (value.isascii() and value.isdigit()):
        raise SubmissionError(
            f"claim dimension {name.value}={value!r}: a whole number of tokens, e.g. 200000"
        )


def parse_amount(value: object) -> Decimal:
    """A claimed value as a bounded Decimal, in canonical form (trailing zeros dropped).

    Accepts text such as "3", "$0.30", "1.5e-3" (ASCII digits, an optional leading "$", an
    optional exponent), or a JSON number. Refuses, with SubmissionError saying why: signs (so
    "-1" and "-0"), digit separators ("1,000", "1_000"), other scripts' digits, NaN and
    Infinity, more than MAX_DIGITS significant digits, and non-zero values whose leading digit
    lies outside 10^MIN_EXPONENT .. 10^MAX_EXPONENT ("1e400", "1E+10000000"). The text is
    checked before any arithmetic, so no input costs more than MAX_VALUE_TEXT characters' work.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise SubmissionError(f"claimed value {value!r}: a number, e.g. 3 or 0.075")
    if isinstance(value, int) and value.bit_length() > 64:
        raise SubmissionError("claimed value: too large to be a price")
    if isinstance(value, float) and not math.isfinite(value):
        raise SubmissionError("claimed value: a JSON number out of range (or NaN)")
    text = (value if isinstance(value, str) else repr(value)).strip()
    text = text.removeprefix("$").strip()
    shown = repr(text if len(text) <= MAX_VALUE_TEXT else text[:MAX_VALUE_TEXT] + "…")
    if not text:
        raise SubmissionError("claimed value is missing")
    if text.startswith("-"):
        raise SubmissionError(f"claimed value {shown}: negative numbers (and -0) are not prices")
    match = AMOUNT.fullmatch(text) if len(text) <= MAX_VALUE_TEXT else None
    if match is None:
        raise SubmissionError(
            f"claimed value {shown} is not a plain number: write ASCII digits with an optional "
            "decimal point and exponent, e.g. 3, 0.075 or 1.5e-3 (no sign, digit separators, "
            "NaN or Infinity)"
        )
    out_of_range = SubmissionError(
        f"claimed value {shown}: out of range (0, or from 1e{MIN_EXPONENT} to below "
        f"1e{MAX_EXPONENT + 1})"
    )
    if len((match["exponent"] or "").lstrip("+-").lstrip("0")) > 4:
        raise out_of_range
    amount = Decimal(text)
    if amount.is_zero():
        return Decimal(0)
    _, digits, exponent = amount.as_tuple()
    significant = "".join(map(str, digits)).rstrip("0")
    exponent = int(exponent) + len(digits) - len(significant)
    if len(significant) > MAX_DIGITS:
        raise SubmissionError(f"claimed value {shown}: at most {MAX_DIGITS} significant digits")
    if not MIN_EXPONENT <= amount.adjusted() <= MAX_EXPONENT:
        raise out_of_range
    return Decimal((0, tuple(int(d) for d in significant), exponent))


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


def host_ok(host: str) -> bool:
    """Whether `host` (urlsplit's hostname, brackets removed) is an IP address or a host name."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return len(host) <= 253 and HOST.fullmatch(host) is not None
    return True


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
    """Store a submission at once; returns its id, status token and due time.

    Raises SubmissionError naming the part and the rule: a route outside ROUTE, a model or
    contact too long or with control characters, a source URL that is not a full http(s) URL
    or that holds a user name or password,
    not 1..MAX_CLAIMS claims, a claimed value outside `parse_amount`'s bounds (every claim is
    stored in its canonical bounded form, whoever built it), or a model written as another
    spelling of one the catalog holds (the refusal names the catalog's).
    """
    route_text = (_clean("route", route, 100) or "").lower()
    if not ROUTE.fullmatch(route_text):
        raise SubmissionError("route: lowercase letters, digits, '.', '_' or '-'")
    url = _clean("source URL", source_url, 2000) or ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise SubmissionError(f"source URL: not a readable URL ({exc})") from exc
    if not parts.scheme or not parts.netloc or port == 0:
        raise SubmissionError("source URL: a full URL, e.g. https://example.com/pricing")
    if parts.scheme.lower() not in URL_SCHEMES:
        raise SubmissionError(f"source URL: scheme {parts.scheme!r} is not allowed: http or https")
    if parts.username is not None or parts.password is not None:
        # the fetch refuses them anyway, and stored they would show on the public status page
        raise SubmissionError("source URL: no user name or password in it (user:pw@host)")
    if NOT_IN_URL.search(url):
        raise SubmissionError(
            'source URL: no spaces or characters a URL cannot hold (<>"{}|\\^`): '
            "percent-encode them"
        )
    if not host_ok(parts.hostname or ""):
        raise SubmissionError(f"source URL: {parts.hostname!r} is not a host name or address")
    if not 1 <= len(claims) <= MAX_CLAIMS:
        raise SubmissionError(f"claim between 1 and {MAX_CLAIMS} values")
    claims = [replace(c, value=parse_amount(str(c.value))) for c in claims]
    model_text = _clean("model", model, 300) or ""
    if names_a_path_step(model_text):
        raise SubmissionError(
            f"model {model_text!r}: '.' and '..' are path steps every browser resolves, so no "
            "page could show the model: give its name"
        )
    now = now or datetime.now(UTC)
    row = {
        "token": secrets.token_urlsafe(24),
        "route": route_text,
        "model": model_text,
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
        # Another spelling of a model the catalog holds ('4.5' for '4-5', case, a vendor prefix)
        # is that model: stored as written, the submission would be about a model of no values.
        hint = queries.spelling_hint(conn, route_text, model_text)
        if hint:
            raise SubmissionError(
                f"model: {route_text}/{model_text} is not in the catalog{hint}; submit it "
                "under the catalog's name"
            )
        submission_id = inserted_id(conn.execute(insert(submissions).values(**row)))
    return {"id": submission_id, "token": row["token"], "due_at": row["due_at"]}


def attribute_to_reviewer(engine: Engine, client_id: str, reviewer: str) -> int:
    """Record `reviewer` as the submitter of every submission the client `client_id` made
    without one (it submitted signed out, then signed in as that reviewer): the self-approval
    rule follows the person to any other browser or the CLI. Returns how many were attributed."""
    c = submissions.c
    with engine.begin() as conn:
        done = conn.execute(
            update(submissions)
            .where(c.client_id == client_id, c.submitter.is_(None))
            .values(submitter=reviewer)
        )
    return int(done.rowcount)


def claim_json(claim: Claim) -> dict[str, Any]:
    """A claim as JSON: component, unit, dimensions and the value as its exact text."""
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


@dataclass(frozen=True)
class Pending:
    """A pending submission as stored, its claims read back into bounded Decimals."""

    id: int
    route: str
    model: str
    source_url: str
    claims: list[Claim]
    submitted_at: datetime
    due_at: datetime


def load(engine: Engine, submission_id: int) -> Pending | None:
    """The submission when it is still pending, else None. Raises SubmissionError when a stored
    claim is unreadable (a row written before claims were bounded)."""
    with engine.connect() as conn:
        row = conn.execute(select(submissions).where(submissions.c.id == submission_id)).first()
    if row is None or row.status != "pending":
        return None
    return Pending(
        id=row.id,
        route=row.route,
        model=row.model,
        source_url=row.source_url,
        claims=[parse_claim(c) for c in row.claims],
        submitted_at=row.submitted_at,
        due_at=row.due_at,
    )


def process_pending(
    engine: Engine,
    policy: safefetch.FetchPolicy | None = None,
    limit: int = 100,
    workers: int = FETCH_WORKERS,
) -> list[dict[str, Any]]:
    """Process up to `limit` pending submissions, soonest due first, each on its own.

    URLs are fetched concurrently (at most `workers` at once); results are recorded one by one
    and returned in due order. A submission that fails is marked failed with its reason and
    reported in the list ("fetch": "error"); the others go on.
    """
    waiting = pending(engine, limit)
    loaded, failed = load_all(engine, waiting)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        outcomes = pool.map(lambda s: examine(s.source_url, s.model, s.claims, policy), loaded)
        recorded = [record(engine, s, o) for s, o in zip(loaded, outcomes, strict=True)]
    return in_order(waiting, [*failed, *recorded])


def load_all(
    engine: Engine, submission_ids: list[int]
) -> tuple[list[Pending], list[dict[str, Any]]]:
    """The submissions still pending, ready to fetch, and the reports of those that could not
    even be read back (each already marked failed with its reason)."""
    loaded: list[Pending] = []
    failed: list[dict[str, Any]] = []
    for submission_id in submission_ids:
        try:
            found = load(engine, submission_id)
        except Exception as exc:  # one unreadable submission fails itself, never the run
            failed.append(_failed(engine, submission_id, exc))
            continue
        if found is not None:
            loaded.append(found)
    return loaded, failed


def in_order(
    submission_ids: list[int], results: list[dict[str, Any] | None]
) -> list[dict[str, Any]]:
    """The reports in the order of `submission_ids` (due order), leaving out the Nones."""
    by_id = {r["submission"]: r for r in results if r}
    return [by_id[i] for i in submission_ids if i in by_id]


def process(
    engine: Engine,
    submission_id: int,
    policy: safefetch.FetchPolicy | None = None,
    now: datetime | None = None,
) -> dict[str, Any] | None:
    """Fetch, check and open the review item of one pending submission (None if not pending).
    Never raises: a failure is recorded on the submission and reported ("fetch": "error")."""
    try:
        found = load(engine, submission_id)
    except Exception as exc:  # an unreadable stored submission fails itself
        return _failed(engine, submission_id, exc, now)
    if found is None:
        return None
    return record(engine, found, examine(found.source_url, found.model, found.claims, policy), now)


def record(
    engine: Engine, submission: Pending, outcome: Outcome, now: datetime | None = None
) -> dict[str, Any] | None:
    """Open the submission's review item from what the fetch found (None when another run
    processed it meanwhile). Never raises: a failure is recorded on the submission instead."""
    now = now or datetime.now(UTC)
    try:
        item_id = _open_item(engine, submission, outcome, now)
    except _AlreadyTaken:
        return None
    except Exception as exc:  # e.g. a database error: this submission fails, not the run
        return _failed(engine, submission.id, exc, now, claims=len(submission.claims))
    return {
        "submission": submission.id,
        "review_item": item_id,
        "fetch": outcome.status,
        "found": sum(c.found for c in outcome.checks),
        "claims": len(submission.claims),
        "detail": outcome.detail,
    }


def _failed(
    engine: Engine,
    submission_id: int,
    exc: Exception,
    now: datetime | None = None,
    claims: int = 0,
) -> dict[str, Any]:
    """Mark a pending submission failed with the reason, and report it."""
    reason = f"not processed: {type(exc).__name__}: {exc}"[:1000]
    with engine.begin() as conn:
        conn.execute(
            update(submissions)
            .where(submissions.c.id == submission_id, submissions.c.status == "pending")
            .values(
                status="failed",
                processed_at=now or datetime.now(UTC),
                fetch_status="error",
                fetch_detail=reason,
            )
        )
    return {
        "submission": submission_id,
        "review_item": None,
        "fetch": "error",
        "found": 0,
        "claims": claims,
        "detail": reason,
    }


class _AlreadyTaken(Exception):
    """Another run processed the submission meanwhile: this run's item is rolled back."""


def _open_item(engine: Engine, row: Pending, outcome: Outcome, now: datetime) -> int:
    """The review item and the submission's new state, in one transaction."""
    with engine.begin() as conn:
        currents = _currents(conn, row.route, row.model, row.claims)
        item = _item(row, row.claims, outcome, currents, now)
        inserted = conn.execute(insert(review_items).values(**item_row(item)))
        item_id = inserted_id(inserted)
        triage.assign(conn, [item_id])
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
    except Exception as exc:  # whatever the URL provokes fails this submission's fetch only
        return _unchecked("failed", f"could not fetch: {type(exc).__name__}: {exc}", claims)
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
    row: Pending, claims: list[Claim], outcome: Outcome, currents: list[str | None], now: datetime
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
    model = _canonical_model(row.model)
    # the catalog's name of the model, which approving writes; the submitted one where it differs
    named = model if model == row.model else f"{model} (submitted as {row.model!r})"
    return ReviewItem(
        kind=ReviewKind.SUBMISSION,
        route=row.route,
        model=model,
        title=f"submission #{row.id}: {row.route}/{named}: {what}",
        changes=changes,
        detail=_detail(row, outcome),
        fingerprint=fingerprint("submission", row.id),
        slot=fingerprint("submission", row.id),
        created_at=now,
        due_at=row.due_at,
        sources=[official or SUBMISSION_SOURCE],
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
            source=official or SUBMISSION_SOURCE,
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
        pct_change=percent_change(Decimal(current) if current else None, claim.value),
        sources=stated if check.found else [],
    )


def _detail(row: Pending, outcome: Outcome) -> str:
    lines = [f"Source: {row.source_url}", f"Fetch: {outcome.status}: {outcome.detail}"]
    for check in outcome.checks:
        mark = "found" if check.found else "NOT FOUND"
        # A claim not found where a snippet is shown says why beside it ("stated as the
        # output price", "stated as 4 in CNY, not USD"); without one, on its own line below.
        note = f" ({check.note})" if check.note and (check.found or check.snippet) else ""
        lines.append(f"- {mark}: {check.claim.label()}{note}")
        if check.snippet:
            lines.append(f"    {check.snippet}")
        elif not check.found and outcome.status == "fetched":
            lines.append(f"    {check.note}")
    return "\n".join(lines)
