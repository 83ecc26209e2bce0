"""Times each stage of a replayed refresh (no Prefect) and prints the figures.

    uv run python benchmarks/refresh_stages.py [WORLD]   (default: the epoch-2 world)

Targets (issue 2): the work after download only a few times what parsing the bodies costs; the
whole replayed refresh a few seconds against a running Prefect server.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from catalog import store
from catalog.compare import Context, compare
from catalog.identity import Identity
from catalog.normalize import draft_source, learn_official_models, observations
from schemas.batch import validate
from schemas.sources import is_official, sources
from spiders.crawl import CrawlResult, crawl
from spiders.replay import World, serve

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent


def timed(label: str, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = fn()
    print(f"{label:<28} {time.perf_counter() - start:8.3f} s")
    return result


def main() -> None:
    world_path = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else ROOT.parent / "shared/snapshots/worlds/epoch-2.json"
    )
    world = World.load(world_path.resolve())
    selected = list(sources())

    async def fetch_all(base: str) -> list[CrawlResult]:
        return await asyncio.gather(*(crawl(s, base) for s in selected))

    with serve(world) as base:
        results = timed("fetch + parse (Scrapy)", lambda: asyncio.run(fetch_all(base)))
    bodies = sum(len(p.records) for r in results for p in r.pages)
    print(f"{'records':<28} {bodies:8d}")
    catalog = sources()
    parse_time = 0.0
    for r in results:
        for p in r.pages:
            recorded = world.lookup(p.landing_url)
            assert recorded is not None, f"{p.landing_url} is not recorded in {world_path}"
            body = recorded.content()
            start = time.perf_counter()
            catalog[r.source].parser.parse(body, p.landing_url)
            parse_time += time.perf_counter() - start
    print(f"{'parse alone (bodies)':<28} {parse_time:8.3f} s")
    drafts = timed(
        "normalize (drafts)",
        lambda: [draft_source(catalog[r.source], r.pages) for r in results if r.pages],
    )
    identity = Identity.load()
    learn_official_models(identity, drafts)
    found = timed(
        "identity + provenance", lambda: [o for d in drafts for o in observations(d, identity)]
    )
    print(f"{'observations':<28} {len(found):8d}")
    valid, problems = timed("validate (Pandera)", lambda: validate(found))
    print(f"{'quarantined':<28} {len(problems):8d}")
    with tempfile.TemporaryDirectory() as tmp:
        engine = timed("connect + migrate", lambda: store.connect(f"sqlite:///{tmp}/bench.db"))
        run_id = store.start_run(
            engine, world=str(world_path), policy="accept-new", now=datetime.now(UTC)
        )
        ctx = Context(run_id, datetime.now(UTC), True, is_official, frozenset(selected))
        comparison = timed("compare (empty catalog)", lambda: compare(valid, {}, {}, problems, ctx))
        timed(
            "apply (one transaction)",
            lambda: store.apply(
                engine,
                run_id,
                valid=valid,
                problems=problems,
                comparison=comparison,
                source_reports=[],
                now=datetime.now(UTC),
            ),
        )
        with engine.connect() as conn:
            current = timed("load catalog", lambda: store.load_catalog(conn))
            listings = store.load_listings(conn)
        run2 = store.start_run(
            engine, world=str(world_path), policy="review", now=datetime.now(UTC)
        )
        ctx2 = Context(run2, datetime.now(UTC), False, is_official, frozenset(selected))
        again = timed(
            "compare (same world again)", lambda: compare(valid, current, listings, problems, ctx2)
        )
        print(f"{'stamps / items (again)':<28} {len(again.stamps):8d} / {len(again.items)}")
        timed(
            "apply (same world again)",
            lambda: store.apply(
                engine,
                run2,
                valid=valid,
                problems=problems,
                comparison=again,
                source_reports=[],
                now=datetime.now(UTC),
            ),
        )
    print(f"{'peak RSS':<28} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.0f} MB")


if __name__ == "__main__":
    main()
