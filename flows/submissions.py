"""The `process-submissions` flow: fetch each pending submission's URL safely, check the claimed
values, and open the review item that keeps its 48-hour promise.

Thin on purpose: review/submissions.py does the work; each submission is one task so a run
shows which one failed, and a URL that may not or cannot be fetched still ends with an item.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from catalog import store
from review import submissions as submitted


@task(name="process-submission", cache_policy=NO_CACHE)
def process_submission(database: str, submission_id: int) -> dict[str, Any] | None:
    return submitted.process(store.connect(database), submission_id)


def _report(results: list[dict[str, Any]]) -> str:
    lines = [
        "# ratecard submissions",
        "",
        "| submission | review item | fetch | found | detail |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['submission']} | {r['review_item']} | {r['fetch']} | {r['found']}/{r['claims']} "
        f"| {r['detail'].replace('|', '/')} |"
        for r in results
    ]
    return "\n".join(lines if results else [*lines[:2], "No pending submissions."])


@flow(name="process-submissions", log_prints=True)
def process_submissions(database: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Open a review item for every pending submission (soonest due first)."""
    url = store.database_url(database)
    waiting = submitted.pending(store.connect(url), limit)
    results = [r for r in (process_submission(url, i) for i in waiting) if r]
    create_markdown_artifact(
        key="submissions-report",
        markdown=_report(results),
        description=f"{len(results)} submissions processed",
    )
    return results
