"""Times each stage of a replayed refresh (no Prefect) beside the json parse floor, and prints it.

    uv run python benchmarks/refresh_stages.py [WORLD]   (default: the epoch-2 world)

The stages are the flow's own (flows/refresh.py): each source's normalizer (catalog/intake.py),
identity, provenance and validation source by source, compare and apply in one transaction, with
the cyclic garbage collector paused as the flow pauses it. The world is applied twice to a fresh
SQLite catalog: first with the accept-new policy (every value new), then again (every value
confirmed). The floor is `json.loads` over the same recorded bodies (those that are JSON; the
others are counted apart).

Targets (issue 12): the work after download within 10x the floor (aim 5x); the same world
again at most a tenth of the first.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from catalog import intake, store
from catalog.compare import Comparison, Context, compare
from catalog.identity import Identity
from flows.refresh import collection_paused
from schemas.fetch import FetchedPage
from schemas.sources import is_official, sources
from spiders.crawl import CrawlResult, crawl
from spiders.replay import World, serve

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent


class Laps:
    """Stage times of one pass, printed as they finish."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.seconds: dict[str, float] = {}

    def time(self, stage: str, fn: Callable[[], T]) -> T:
        start = time.perf_counter()
        result = fn()
        self.seconds[stage] = time.perf_counter() - start
        print(f"  {stage:<34} {self.seconds[stage]:8.3f} s")
        return result

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


def json_floor(world: World, results: list[CrawlResult]) -> tuple[float, int, int]:
    """Seconds `json.loads` takes over every recorded body the crawl read that is JSON, how many
    bodies that is, and how many other (HTML) bodies there were."""
    seconds, parsed, other = 0.0, 0, 0
    for result in results:
        for page in result.pages:
            recorded = world.lookup(page.landing_url)
            if recorded is None:
                raise SystemExit(f"{page.landing_url}: not recorded in {world.path}")
            body = recorded.content()
            start = time.perf_counter()
            try:
                json.loads(body)
            except ValueError:
                other += 1
                continue
            seconds += time.perf_counter() - start
            parsed += 1
    return seconds, parsed, other


def one_pass(
    url: str, pages: dict[str, list[FetchedPage]], label: str, world: World, accept_new: bool
) -> Laps:
    """Run the stages after download once, as the flow runs them, into the catalog at `url`."""
    laps = Laps(label)
    print(label)
    engine = store.connect(url)
    configured = sources()
    run_id = store.start_run(
        engine,
        world=str(world.path),
        policy="accept-new" if accept_new else "review",
        now=datetime.now(UTC),
    )
    with collection_paused():
        drafts, failed = laps.time("normalize", lambda: intake.normalize_each(pages, configured))

        def identity_and_validate() -> list[intake.SourceIntake]:
            identity = Identity.load()
            with engine.connect() as conn:
                identity.learn(store.known_models(conn))
            return intake.validate_each(drafts, identity)

        found = laps.time("identity + provenance + validate", identity_and_validate)
        valid = [o for f in found if not f.failure for o in f.valid]
        problems = [p for f in found if not f.failure for p in f.problems]

        def load_and_compare() -> Comparison:
            with engine.connect() as conn:
                current = store.load_catalog(conn)
                listings = store.load_listings(conn)
            complete = frozenset(pages) - set(failed) - {f.source for f in found if f.failure}
            ctx = Context(run_id, datetime.now(UTC), accept_new, is_official, complete)
            return compare(valid, current, listings, problems, ctx)

        comparison = laps.time("load catalog + compare", load_and_compare)
        laps.time(
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
    print(
        f"  {'observations / quarantined':<34} {len(valid):8d} / {len(problems)}"
        f"   stamps {len(comparison.stamps)}, new values {len(comparison.new_values)}, "
        f"items {len(comparison.items)}"
    )
    print(f"  {'work after download':<34} {laps.total:8.3f} s")
    return laps


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

    start = time.perf_counter()
    with serve(world) as base:
        results = asyncio.run(fetch_all(base))
    print(f"{'fetch + parse (Scrapy)':<36} {time.perf_counter() - start:8.3f} s")
    floor, parsed, other = json_floor(world, results)
    print(f"{'json parse floor':<36} {floor:8.3f} s   ({parsed} JSON bodies; {other} others)")
    pages = {r.source: r.pages for r in results if r.pages}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        first = one_pass(url, pages, "first (empty catalog, accept-new)", world, accept_new=True)
        size = Path(f"{tmp}/bench.db").stat().st_size
        again = one_pass(url, pages, "again (same world)", world, accept_new=False)
        grown = Path(f"{tmp}/bench.db").stat().st_size - size
    print(f"{'first / floor':<36} {first.total / floor:8.1f} x")
    print(f"{'again / floor':<36} {again.total / floor:8.1f} x")
    ratio = again.total / first.total
    print(f"{'again / first':<36} {ratio:8.2f}   database grew {grown / 1e6:.1f} MB")
    print(f"{'peak RSS':<36} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.0f} MB")


if __name__ == "__main__":
    main()
