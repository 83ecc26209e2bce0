"""The `process-submissions` flow: fetch each pending submission's URL safely, check the claimed
values, and open the review item that keeps its 48-hour promise.

Thin on purpose: review/submissions.py does the work. Each submission's fetch is one task, run
concurrently (at most FETCH_WORKERS at once), so a run shows which one failed; the items are then
opened one by one. A URL that may not or cannot be fetched still ends with an item, and a
submission that cannot be processed at all is marked failed with its reason: either way the
others go on.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from catalog import store
from review import submissions as submitted


@task(name="check-submission", cache_policy=NO_CACHE)
def check_submission(submission: submitted.Pending) -> submitted.Outcome:
    """Fetch the submitted URL safely and look for each claim (never raises for a bad URL)."""
    return submitted.examine(
        submission.source_url, submission.model, submission.claims, policy=None
    )


def _report(results: list[dict[str, Any]]) -> str:
    lines = [
        "# ratecard submissions",
        "",
        "| submission | review item | fetch | found | detail |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['submission']} | {r['review_item'] or '-'} | {r['fetch']} "
        f"| {r['found']}/{r['claims']} | {r['detail'].replace('|', '/')} |"
        for r in results
    ]
    return "\n".join(lines if results else [*lines[:2], "No pending submissions."])


@flow(
    name="process-submissions",
    log_prints=True,
    task_runner=ThreadPoolTaskRunner(max_workers=submitted.FETCH_WORKERS),  # type: ignore[arg-type]
)
def process_submissions(database: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Open a review item for every pending submission (soonest due first); each one's failure
    is its own (reported with "fetch": "error"), never the run's. Raises
    store.CatalogUnavailable, creating nothing, when no catalog is at `database`."""
    engine = store.open_catalog(database)  # an existing catalog: a mistyped URL creates none
    waiting = submitted.pending(engine, limit)
    loaded, failed = submitted.load_all(engine, waiting)
    fetches = check_submission.map(loaded)
    recorded = [
        submitted.record(engine, submission, outcome)
        for submission, outcome in zip(loaded, fetches.result(), strict=True)
    ]
    results = submitted.in_order(waiting, [*failed, *recorded])
    create_markdown_artifact(
        key="submissions-report",
        markdown=_report(results),
        description=f"{len(results)} submissions processed",
    )
    return results
