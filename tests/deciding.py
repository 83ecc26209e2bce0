"""Reviewers deciding at the same moment from separate processes (spawned interpreters, each
with its own connection to the same catalog), released together by a barrier. Kept apart from
the other test helpers so that each spawned process imports only what deciding needs."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from catalog import queries, store
from review import decisions
from schemas.records import ReviewKind

TIMEOUT = 120  # seconds for every process to decide


def _approve(
    url: str, item_id: int, reviewer: str, barrier: Barrier, results: Queue[tuple[int, str]]
) -> None:
    engine = store.connect(url)
    with engine.connect() as conn:
        item = queries.get_review(conn, item_id)
    barrier.wait(TIMEOUT)
    try:
        decisions.approve(  # submissions the fetch could not confirm need the override
            engine,
            item_id,
            reviewer=reviewer,
            channel="web",
            override=item is not None and item.kind == ReviewKind.SUBMISSION,
            reason="the value is stated at the submitted URL",
        )
        results.put((item_id, "approved"))
    except decisions.DecisionError as exc:
        results.put((item_id, f"{type(exc).__name__}: {exc}"))
    finally:
        engine.dispose()


def approve_at_once(url: str, approvals: Sequence[tuple[int, str]]) -> dict[int, str]:
    """Each (item id, reviewer) approved in its own process, all at the same moment.
    Returns item id -> "approved" or the refusal ("Stale: … changed meanwhile …")."""
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(len(approvals))
    results: Queue[tuple[int, str]] = spawn.Queue()
    processes = [
        spawn.Process(target=_approve, args=(url, item_id, reviewer, barrier, results))
        for item_id, reviewer in approvals
    ]
    for process in processes:
        process.start()
    outcome = dict(results.get(timeout=TIMEOUT) for _ in processes)
    for process in processes:
        process.join(TIMEOUT)
        if process.exitcode != 0:
            raise RuntimeError(f"a deciding process ended with exit code {process.exitcode}")
    return outcome
