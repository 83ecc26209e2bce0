"""The `sla-watch` flow: which open review items are due within 12 hours, and which are overdue.

The 48-hour promise is kept by people; this flow makes its state visible every hour, as a
markdown report and a table artifact in Prefect and in its return value, and escalates each item
due soon and each overdue one through the webhook a deployment configures (`webhook_url`, or
RATECARD_ESCALATION_WEBHOOK; see review/escalation.py). A delivery the receiver refused fails the
flow run after the report is written; the next run retries it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from catalog import queries, store
from review import escalation


def report_markdown(report: dict[str, Any]) -> str:
    """The sla-watch report as Markdown: the counts of open, due-soon and overdue items and of
    submissions not yet fetched, the promise split between submissions and machine items, the
    escalations sent and failed where any were attempted, and the overdue and due-soon items by
    id, due time and title."""
    counts = report["counts"]
    lines = [
        "# ratecard: the 48-hour promise",
        "",
        f"{counts['open']} open, {counts['due_soon']} due within "
        f"{report['within_hours']:g} h, {counts['overdue']} overdue; "
        f"{len(report['pending_submissions'])} submissions not yet fetched.",
    ]
    sub, machine = report["promise"]["submissions"], report["promise"]["machine"]
    lines += [
        "",
        f"Submissions: {sub['due_soon']} due soon, {sub['overdue']} overdue; machine items: "
        f"{machine['due_soon']} due soon, {machine['overdue']} overdue.",
    ]
    sent = report.get("escalations")
    if sent is not None:
        lines += [
            "",
            f"Escalated: {len(sent['sent'])} sent, {len(sent['failed'])} failed"
            + "".join(f"\n- #{f['id']}: {f['error']}" for f in sent["failed"]),
        ]
    for title, items in (("Overdue", report["overdue"]), ("Due soon", report["due_soon"])):
        lines += ["", f"## {title} ({len(items)})", ""]
        lines += [f"- #{i['id']} due {i['due_at'][:16]}: {i['title']}" for i in items] or ["- none"]
    return "\n".join(lines)


def _rows(report: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "state": state,
            "id": str(i["id"]),
            "kind": i["kind"],
            "due_at": i["due_at"],
            "title": i["title"],
        }
        for state in ("overdue", "due_soon")
        for i in report[state]
    ]


@flow(name="sla-watch", log_prints=True)
def sla_watch(
    database: str | None = None, within_hours: float = 12, webhook_url: str | None = None
) -> dict[str, Any]:
    """Report open items due within `within_hours` and overdue, and escalate them through the
    webhook when one is configured; returns the report (with "escalations": {"sent", "failed"}
    when a webhook is configured). Raises escalation.Undelivered, carrying the report, when a
    delivery failed, and store.CatalogUnavailable, creating nothing, when no catalog is at
    `database` (an empty one made there would report nothing due)."""
    now = datetime.now(UTC)
    within = timedelta(hours=within_hours)
    engine = store.open_catalog(database)  # an existing catalog: a mistyped URL creates none
    with engine.connect() as conn:
        report = queries.sla_report(conn, now, within)
    try:
        url = escalation.webhook_from_env(webhook_url)
    except escalation.EscalationError as exc:
        named = "webhook_url" if webhook_url else escalation.WEBHOOK_ENV
        raise escalation.EscalationError(f"{named} {exc}") from None
    if url:
        try:  # the address its escalations link the items' pages at, read once
            public_url = escalation.public_url_from_env()
        except escalation.EscalationError as exc:
            raise escalation.EscalationError(f"{escalation.PUBLIC_URL_ENV} {exc}") from None
        report["escalations"] = escalation.escalate(engine, url, now, within, public_url=public_url)
    create_markdown_artifact(
        key="sla-watch", markdown=report_markdown(report), description="review items near due"
    )
    create_table_artifact(
        key="sla-watch-items",
        table=_rows(report) or [{"state": "none"}],
        description="overdue and due-soon review items",
    )
    failed = report.get("escalations", {}).get("failed")
    if failed:
        raise escalation.Undelivered(
            f"{len(failed)} escalations not delivered: #{failed[0]['id']}: {failed[0]['error']}",
            report,
        )
    return report
