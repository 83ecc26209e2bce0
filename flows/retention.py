"""The `retention` flow: drop raw response bodies and quarantined rows past the retention
policy (data/retention.json), in one transaction (catalog/retention.py decides and drops), and
report what it dropped and kept as a Prefect artifact. Catalog values and their history, review
items and the audit log are never touched."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from catalog import retention, store


def report_markdown(summary: dict[str, Any]) -> str:
    """The retention report as Markdown: what was (or, in a dry run, would be) dropped and kept
    in all, in MB and rows, and a table of each source's runs kept, bodies and quarantined rows
    dropped and quarantined rows kept. `summary` is retention.run's result (Plan.summary with
    `dry_run`)."""
    verb = "would drop" if summary["dry_run"] else "dropped"
    lines = [
        "# ratecard retention",
        "",
        f"{verb} {summary['bodies_dropped']} bodies ({summary['bytes_dropped'] / 1e6:.2f} MB) "
        f"and {summary['quarantine_dropped']} quarantined rows; kept {summary['bodies_kept']} "
        f"bodies ({summary['bodies_kept_for_accepted_values']} for accepted values).",
        "",
        "| source | runs kept | bodies dropped | quarantined dropped | quarantined kept |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {s} | {p['runs_kept']} of {p['runs']} | {p['bodies_dropped']} "
        f"| {p['quarantine_dropped']} | {p['quarantine_kept']} |"
        for s, p in summary["sources"].items()
    ]
    return "\n".join(lines)


@flow(name="retention", log_prints=True)
def retention_flow(database: str | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Apply the retention policy to the catalog at `database` (default: RATECARD_DB or
    data/ratecard.db); returns what was dropped and kept (catalog.retention.Plan.summary).
    Raises store.CatalogUnavailable, creating nothing, when no catalog is there."""
    policy = retention.Policy.load()
    decided = retention.run(
        store.open_catalog(database), policy, datetime.now(UTC), dry_run=dry_run
    )
    summary = {"dry_run": dry_run, **decided.summary()}
    create_markdown_artifact(
        key="retention", markdown=report_markdown(summary), description="ratecard retention"
    )
    return summary
