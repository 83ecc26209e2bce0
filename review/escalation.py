"""Escalation: telling someone, through a channel a deployment configures, that review items are
due within 12 hours or overdue.

The channel is a webhook: an http(s) URL from the `webhook_url` argument or the
RATECARD_ESCALATION_WEBHOOK environment variable. Each escalation is one JSON POST:

    {"text": "ratecard: submission #12 due in 6 h: ...", "event": "review.due_soon",
     "item": {"id", "kind", "route", "model", "title", "due_at", "submission", "url"}}

(`text` makes it readable as-is by Slack, Mattermost and Teams incoming webhooks; `url` points at
the item's page when RATECARD_PUBLIC_URL is set). An item is escalated once when it becomes due
soon and once more when it becomes overdue: `review_items.escalated` records the last state sent,
written only after the receiver answered 2xx, so a failed delivery is retried on the next watch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import SplitResult, urlsplit

import requests
from sqlalchemy import Engine, or_, select, update

from catalog.tables import review_items
from schemas.records import ReviewKind, ReviewStatus, time_text

WEBHOOK_ENV = "RATECARD_ESCALATION_WEBHOOK"
PUBLIC_URL_ENV = "RATECARD_PUBLIC_URL"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
TIMEOUT_SECONDS = 10.0
NAMED = 3  # the undelivered items a one-line summary names; the rest are counted


class EscalationError(Exception):
    """A webhook that is not configured properly or did not accept an escalation."""


class Undelivered(EscalationError):
    """Escalations the receiver did not accept; `report` is the sla-watch report that was
    written all the same (its "escalations" name each one, with its error)."""

    def __init__(self, message: str, report: dict[str, Any]) -> None:
        super().__init__(message)
        self.report = report

    def __reduce__(self) -> tuple[Any, ...]:
        return (Undelivered, (str(self), self.report))

    def summary(self) -> str:
        """One line: how many were not delivered, the first NAMED items and their states (the
        rest counted; the run's report lists them all), the first error."""
        failed = self.report.get("escalations", {}).get("failed", [])
        named = ", ".join(f"#{f['id']} ({f['state']})" for f in failed[:NAMED])
        if len(failed) > NAMED:
            named += f" and {len(failed) - NAMED} more"
        first = " ".join(str(failed[0]["error"]).split()) if failed else ""
        return (
            f"{len(failed)} escalations not delivered (sent again on the next run): "
            f"{named}: {first}"
        )


@dataclass(frozen=True)
class Escalation:
    """One item to escalate, and in which state (due_soon or overdue)."""

    item_id: int
    state: str
    kind: str
    route: str
    model: str
    title: str
    due_at: datetime

    @property
    def submission(self) -> bool:
        """Whether the item is a submission's rather than a machine item (the escalation says
        which)."""
        return self.kind == ReviewKind.SUBMISSION.value


def webhook_from_env(explicit: str | None = None) -> str | None:
    """The webhook URL: `explicit`, else RATECARD_ESCALATION_WEBHOOK, else None (not
    configured). Raises EscalationError for a URL that is not http(s) with a host name or
    address and a port in range, or that holds spaces or characters a URL cannot (the rules of a
    submission's source URL): such a URL failed only at the first escalation, or broke
    `urlsplit` itself ('http://[::1/': a traceback)."""
    url = explicit or os.environ.get(WEBHOOK_ENV) or None
    if url is not None:
        _check_url(url)
    return url


def public_url_from_env() -> str | None:
    """The web app's public address (RATECARD_PUBLIC_URL) without a trailing slash, which
    escalations and a submitter's status link start with; None where it is not set. Raises
    EscalationError for an address `webhook_from_env` would refuse, or one with a query or
    fragment (a link built on it would be no page: a fault round set it to 'ratecard.example'
    and every escalation linked 'ratecard.example/items/N')."""
    url = os.environ.get(PUBLIC_URL_ENV) or None
    if url is None:
        return None
    parts = _check_url(url)
    if parts.query or parts.fragment:
        raise EscalationError(f"{url!r}: the web app's address, without a query or fragment")
    return url.rstrip("/")


def _check_url(url: str) -> SplitResult:
    """`url` split, when it is an http(s) URL with a host name or address, a port in range and
    nothing a URL cannot hold; else EscalationError naming it and the rule."""
    from review.submissions import NOT_IN_URL, host_ok

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise EscalationError(f"{url!r}: not a readable URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        raise EscalationError(f"{url!r}: an http(s) URL is required")
    if NOT_IN_URL.search(url):
        raise EscalationError(
            f'{url!r}: no spaces or characters a URL cannot hold (<>"{{}}|\\^`): '
            "percent-encode them"
        )
    if not host_ok(parts.hostname):
        raise EscalationError(f"{url!r}: {parts.hostname!r} is not a host name or address")
    return parts


def pending(engine: Engine, now: datetime, within: timedelta) -> list[Escalation]:
    """Open items due within `within` not yet escalated as due soon, and overdue items not yet
    escalated as overdue, soonest due first."""
    c = review_items.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(c.id, c.kind, c.route, c.model, c.title, c.due_at, c.escalated)
            .where(
                c.status == ReviewStatus.OPEN.value,
                c.due_at <= now + within,
                or_(c.escalated.is_(None), c.escalated != OVERDUE),
            )
            .order_by(c.due_at, c.id)
        ).all()
    out = []
    for r in rows:
        state = OVERDUE if r.due_at <= now else DUE_SOON
        if r.escalated == state:
            continue
        out.append(Escalation(r.id, state, r.kind, r.route, r.model, r.title, r.due_at))
    return out


def message(e: Escalation, now: datetime, public_url: str | None = None) -> dict[str, Any]:
    """The JSON body of one escalation (see the module docstring)."""
    hours = abs((e.due_at - now).total_seconds()) / 3600
    when = f"overdue by {hours:.0f} h" if e.state == OVERDUE else f"due in {hours:.0f} h"
    link = f"{public_url.rstrip('/')}/items/{e.item_id}" if public_url else None
    who = "submission" if e.submission else "machine item"
    return {
        "text": f"ratecard: {who} #{e.item_id} {when}: {e.title}" + (f" {link}" if link else ""),
        "event": f"review.{e.state}",
        "item": {
            "id": e.item_id,
            "kind": e.kind,
            "route": e.route,
            "model": e.model,
            "title": e.title,
            "due_at": time_text(e.due_at),
            "submission": e.submission,
            "url": link,
        },
    }


def escalate(
    engine: Engine,
    webhook_url: str,
    now: datetime,
    within: timedelta,
    *,
    public_url: str | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> dict[str, list[dict[str, Any]]]:
    """POST one message per pending escalation to the webhook; mark each one the receiver
    accepted (2xx) so it is not sent again. Returns {"sent": [...], "failed": [...]}, each entry
    {"id", "state", "kind"} (failed ones with "error"). A receiver that does not answer within
    `timeout` seconds or cannot be reached is sent nothing more this run: the rest fail naming
    the item it did not answer (a fault round: a receiver that took every POST and never
    answered held an hourly run ten seconds per item, 49 minutes for 292 items, silent)."""
    public_url = public_url or public_url_from_env()  # flows/sla.py passes the one it checked
    sent: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    gone = ""  # why the receiver is sent nothing more this run
    with requests.Session() as session:
        for e in pending(engine, now, within):
            entry = {"id": e.item_id, "state": e.state, "kind": e.kind}
            if gone:
                failed.append({**entry, "error": gone})
                continue
            try:
                answer = session.post(
                    webhook_url, json=message(e, now, public_url), timeout=timeout
                )
                answer.raise_for_status()
            except requests.RequestException as exc:
                failed.append({**entry, "error": f"{type(exc).__name__}: {exc}"})
                if isinstance(exc, requests.Timeout | requests.ConnectionError):
                    gone = f"not sent: the webhook did not answer #{e.item_id}"
                continue
            with engine.begin() as conn:
                conn.execute(
                    update(review_items)
                    .where(review_items.c.id == e.item_id)
                    .values(escalated=e.state)
                )
            sent.append(entry)
    return {"sent": sent, "failed": failed}
