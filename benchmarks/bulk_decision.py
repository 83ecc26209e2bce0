"""Times bulk decisions on the review queue a real bad day leaves, and prints them.

    uv run python benchmarks/bulk_decision.py [SETS]   (default: the 3 largest filters)

It refreshes epoch-1 (accept-new) and then epoch-2 (review) into a new SQLite catalog, as the
flow's stages do (benchmarks/refresh_stages.py), adds a reviewer, and for the filters (kind and
route) matching the most open items, times what `ratecard review approve --kind K --route R`
does: the preview that finds every item the decision would refuse (rehearsed and rolled back),
then the decision itself in one transaction, which holds the catalog's write lock throughout.
Each filter is decided on a fresh copy of the catalog.

No target in an issue; a decision holds the lock a refresh's apply waits for (10 s at most).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.refresh_stages import after_download
from catalog import store
from catalog.tables import review_items
from review import decisions
from review.reviewers import add_reviewer
from schemas.sources import sources
from spiders.crawl import crawl_all
from spiders.replay import World, serve

WORLDS = Path(__file__).resolve().parent.parent.parent / "shared/snapshots/worlds"
REVIEWER = "bench"


def bad_day_catalog(path: Path) -> None:
    """epoch-1 accepted as new, then epoch-2 for review, into a new SQLite catalog at `path`."""
    url = f"sqlite:///{path}"
    engine = store.connect(url)
    for world, accept_new in (("epoch-1", True), ("epoch-2", False)):
        with serve(World.load(WORLDS / f"{world}.json")) as base:
            results = crawl_all(list(sources()), base)
        now = datetime.now(UTC)
        run_id = store.start_run(engine, world=world, policy="bench", now=now)
        after_download(url, engine, results, run_id, accept_new)
        store.finish_run(engine, run_id, status="ok", summary={}, finished_at=now)
    add_reviewer(engine, REVIEWER, "a-bench-secret-1")
    engine.dispose()


def largest_filters(path: Path, count: int) -> list[tuple[str, str, int]]:
    """The `count` (kind, route) pairs with the most open items: (kind, route, items)."""
    engine = store.connect(f"sqlite:///{path}")
    c = review_items.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(c.kind, c.route, func.count())
            .where(c.status == "open")
            .group_by(c.kind, c.route)
            .order_by(func.count().desc())
            .limit(count)
        ).all()
    engine.dispose()
    return [(kind, route, items) for kind, route, items in rows]


def main(argv: list[str]) -> None:
    """Build the bad day's catalog, then time the preview and the decision of the largest
    filters (argv[0] of them, default 3), each on its own copy, and print them."""
    count = int(argv[0]) if argv else 3
    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp) / "bad-day.db"
        start = time.perf_counter()
        bad_day_catalog(built)
        print(f"{'catalog (epoch-1, then epoch-2)':<40} {time.perf_counter() - start:8.1f} s")
        for kind, route, items in largest_filters(built, count):
            copy = Path(tmp) / "decide.db"
            shutil.copy(built, copy)
            engine = store.connect(f"sqlite:///{copy}")
            which = decisions.Filter(kind=kind, route=route)
            ids = [item.id for item in decisions.matching_open(engine, which)]
            start = time.perf_counter()
            refused = decisions.refusals(engine, decisions.Verdict.APPROVE, ids, reviewer=REVIEWER)
            preview = time.perf_counter() - start
            start = time.perf_counter()
            made = (
                decisions.decide_many(engine, decisions.Verdict.APPROVE, which, reviewer=REVIEWER)
                if not refused
                else []
            )
            decided = time.perf_counter() - start
            fields = sum(len(d.opened) + len(d.closed) for d in made)
            print(
                f"approve --kind {kind} --route {route}: {items} items, {fields} values written,"
                f" {len(refused)} refused: preview {preview:.2f} s, decision {decided:.2f} s"
                f" ({1000 * decided / max(len(made), 1):.1f} ms an item)"
            )
            engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
