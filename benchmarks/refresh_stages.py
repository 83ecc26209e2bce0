"""Times each stage of a replayed refresh (no Prefect) and prints the figures.

    uv run python benchmarks/refresh_stages.py [WORLD]   (default: the epoch-2 world)

Targets (issue 2): the work after download only a few times what parsing the bodies costs; the
whole replayed refresh a few seconds against a running Prefect server. Issue 12: the same world
refreshed a second time does at most a tenth of the first's work after download (judge, find
unchanged, read, compare, apply as flows/refresh.py orders them) and grows the file < 1 MB.
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

from sqlalchemy import Engine

from catalog import store
from catalog.compare import Comparison, Context, compare
from catalog.identity import Identity
from catalog.normalize import draft_source, learn_official_models, observations
from flows import refresh
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
    same_world_again(world_path.resolve())
    print(f"{'peak RSS':<28} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.0f} MB")


def _file_size(engine: Engine, path: Path) -> int:
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size


def after_download(
    url: str, engine: Engine, results: list[CrawlResult], run_id: int, accept_new: bool
) -> tuple[float, refresh.Stages]:
    """The flow's work after download, stage by stage as flows/refresh.py orders it (its tasks'
    plain functions, the collector paused where the flow pauses it): judge, find unchanged,
    read, compare, apply. Returns (seconds, what the stages produced)."""
    start = time.perf_counter()
    reports, evidence, judged = refresh.judge_sources.fn(url, results)
    confirmed = refresh.find_unchanged.fn(url, evidence, reports)
    to_read = {s: pages for s, pages in evidence.items() if s not in confirmed}
    with refresh.collection_paused():
        batch, comparison = refresh.Batch(), Comparison()
        if any(to_read.values()):
            identity = Identity.load()
            with engine.connect() as conn:
                identity.learn(store.known_models(conn))
            batch = refresh.read_sources.fn(to_read, identity, reports)
            comparison = refresh.compare_catalog.fn(
                url, batch, reports, run_id, accept_new, identity, frozenset(confirmed)
            )
        opened = refresh.apply_changes.fn(
            url, run_id, batch, comparison, reports, evidence, confirmed
        )
    stages = refresh.Stages(reports, batch, comparison, opened, judged, confirmed)
    return time.perf_counter() - start, stages


def same_world_again(world_path: Path) -> None:
    """Issue 12's figures: the same world refreshed a second time, beside its first refresh, as
    the flow runs it: into a fresh catalog (--accept-new first), and after epoch-1 (the
    recorded sequence: epoch-1 accepted, then the world under review, then again)."""
    epoch1 = world_path.parent / "epoch-1.json"
    sequences = {
        "fresh catalog": [(world_path, True), (world_path, False), (world_path, False)],
        "after epoch-1": [(epoch1, True), (world_path, False), (world_path, False)],
    }
    for label, sequence in sequences.items():
        print(f"-- same world again ({label}; flow stages after download)")
        figures = _refreshes(sequence)
        start = 0 if label == "fresh catalog" else 1
        (work1, _), (work2, grown2) = figures[start], figures[start + 1]
        print(f"{'again / first (work)':<28} {work2 / work1:8.3f}   (target at most 0.1)")
        print(f"{'growth of the repeat':<28} {grown2 / 1e6:8.2f} MB (target under 1 MB)")


def _refreshes(sequence: list[tuple[Path, bool]]) -> list[tuple[float, int]]:
    """Each (world, accept new) refreshed in turn into a new catalog: (seconds after download,
    bytes the file grew) for each, printed with the rows the catalog holds after it."""
    selected = list(sources())
    figures: list[tuple[float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "again.db"
        url = f"sqlite:///{path}"
        engine = store.connect(url)
        for world_path, accept_new in sequence:
            with serve(World.load(world_path)) as base:
                results = asyncio.run(_fetch_all(selected, base))
            before = _file_size(engine, path)
            now = datetime.now(UTC)
            policy = "accept-new" if accept_new else "review"
            run_id = store.start_run(engine, world=str(world_path), policy=policy, now=now)
            seconds, stages = after_download(url, engine, results, run_id, accept_new)
            store.finish_run(engine, run_id, status="ok", summary={}, finished_at=now)
            grown = _file_size(engine, path) - before
            figures.append((seconds, grown))
            with engine.connect() as conn:
                counts = [
                    conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
                    for table in ("observations", "stamps", "responses")
                ]
            print(
                f"{f'{world_path.stem} (run {run_id})':<28} {seconds:8.3f} s   grew "
                f"{grown / 1e6:7.2f} MB   unchanged {len(stages.confirmed)}/{len(selected)}   "
                f"observations {counts[0]} stamps {counts[1]} responses {counts[2]}"
            )
        engine.dispose()
    return figures


async def _fetch_all(selected: list[str], base: str) -> list[CrawlResult]:
    return await asyncio.gather(*(crawl(s, base) for s in selected))


if __name__ == "__main__":
    main()
