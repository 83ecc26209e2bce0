"""The `sla-watch` flow: which open review items are due within 12 hours, and which are overdue.

The 48-hour promise is kept by people; this flow makes its state visible every hour, as a
markdown report and a table artifact in Prefect and in its return value.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from catalog import queries, store


def report_markdown(report: dict[str, Any]) -> str:
    counts = report["counts"]
    lines = [
        "# ratecard: the 48-hour promise",
        "",
        f"{counts['open']} open, {counts['due_soon']} due within "
        f"{report['within_hours']:g} h, {counts['overdue']} overdue; "
        f"{len(report['pending_submissions'])} submissions not yet fetched.",
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
def sla_watch(database: str | None = None, within_hours: float = 12) -> dict[str, Any]:
    """Report open items due within `within_hours` and overdue; returns the same report."""
    now = datetime.now(UTC)
    with store.connect(database).connect() as conn:
        report = queries.sla_report(conn, now, timedelta(hours=within_hours))
    create_markdown_artifact(
        key="sla-watch", markdown=report_markdown(report), description="review items near due"
    )
    create_table_artifact(
        key="sla-watch-items",
        table=_rows(report) or [{"state": "none"}],
        description="overdue and due-soon review items",
    )
    return report
