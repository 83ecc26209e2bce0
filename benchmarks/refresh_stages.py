"""Times each stage of a replayed refresh (no Prefect) beside the json parse floor, and prints it.

    uv run python benchmarks/refresh_stages.py [WORLD]   (default: the epoch-2 world)

The stages are the flow's own (flows/refresh.py's task functions, in its order, with the cyclic
garbage collector paused where the flow pauses it): judge the sources, find the unchanged ones,
read (normalize, identity and provenance, validation, source by source), compare, apply in one
transaction. The floor is `json.loads` over the same recorded bodies (those that are JSON; the
others are counted apart).

Two sequences, each into a new SQLite catalog: the world into a fresh catalog (accept-new) and
then again twice; epoch-1 (accept-new), then the world, then the world again.

Targets (issue 12): the work after download within 10x the floor (aim 5x); the same world
refreshed a second time at most a tenth of the first's work, and the file grows under 1 MB.
"""

from __future__ import annotations

import json
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
from catalog.compare import Comparison
from flows import refresh
from schemas.sources import sources
from spiders.crawl import crawl_all
from spiders.replay import World, serve
from spiders.results import CrawlResult

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent


class Laps:
    """Stage times of one refresh's work after download, printed as they finish."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def time(self, stage: str, fn: Callable[[], T]) -> T:
        """Run `fn`, record and print its seconds as `stage`'s, and return its result."""
        start = time.perf_counter()
        result = fn()
        self.seconds[stage] = time.perf_counter() - start
        print(f"  {stage:<34} {self.seconds[stage]:8.3f} s")
        return result

    @property
    def total(self) -> float:
        """The seconds of every stage timed so far."""
        return sum(self.seconds.values())


def json_floor(world: World, results: list[CrawlResult]) -> tuple[float, int, int]:
    """Seconds `json.loads` takes over every recorded body the crawl read that is JSON, how many
    bodies that is, and how many other (HTML) bodies there were. Measured as the flow runs its
    stages (the cyclic garbage collector paused: with it on, the floor depends on how many
    objects the process already holds), the best of three passes."""
    bodies: list[bytes] = []
    for result in results:
        for page in result.pages:
            recorded = world.lookup(page.landing_url)
            if recorded is None:
                raise SystemExit(f"{page.landing_url}: not recorded in {world.path}")
            bodies.append(recorded.content())
    json_bodies, other = [], 0
    for body in bodies:
        try:
            json.loads(body)
        except ValueError:
            other += 1
        else:
            json_bodies.append(body)
    passes = []
    with refresh.records_released(), refresh.collection_paused():
        for _ in range(3):
            start = time.perf_counter()
            for body in json_bodies:
                json.loads(body)
            passes.append(time.perf_counter() - start)
    return min(passes), len(json_bodies), other


def after_download(
    url: str, engine: Engine, results: list[CrawlResult], run_id: int, accept_new: bool
) -> tuple[Laps, refresh.Stages]:
    """The flow's work after download, stage by stage as flows/refresh.py orders it (its tasks'
    plain functions): judge, find unchanged, read, compare, apply."""
    laps = Laps()
    reports, evidence, judged = laps.time(
        "judge sources", lambda: refresh.judge_sources.fn(url, results)
    )
    confirmed = laps.time(
        "find unchanged", lambda: refresh.find_unchanged.fn(url, evidence, reports)
    )
    if not any(pages for s, pages in evidence.items() if s not in confirmed):
        refresh.settle_unchanged(confirmed, None, print)
    to_read = {s: pages for s, pages in evidence.items() if s not in confirmed}
    with refresh.collection_paused():
        batch, comparison = refresh.Batch(), Comparison()
        if any(to_read.values()):
            identity, held, batch = laps.time(
                "read (context, normalize .. validate)",
                lambda: refresh.read_healthy(
                    engine, reports, confirmed, to_read, evidence, refresh.read_sources.fn
                ),
            )
            comparison = laps.time(
                "load catalog + compare",
                lambda: refresh.compare_catalog.fn(
                    url, batch, reports, run_id, accept_new, identity, frozenset(confirmed), held
                ),
            )
        refresh.report_unchanged(reports, confirmed)
        naming = refresh.naming_to_record(reports, batch, confirmed)
        opened = laps.time(
            "apply (one transaction)",
            lambda: refresh.apply_changes.fn(
                url, run_id, batch, comparison, reports, evidence, confirmed, naming
            ),
        )
    if isinstance(opened, refresh.WriteRefused):
        raise SystemExit(f"the catalog refused the write: {opened.reason}")
    return laps, refresh.Stages(reports, batch, comparison, opened, judged, confirmed)


def _file_size(engine: Engine, path: Path) -> int:
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size


def refreshes(sequence: list[tuple[Path, bool]], floor: float) -> list[tuple[float, int]]:
    """Each (world, accept new) refreshed in turn into a new catalog: (seconds after download,
    bytes the file grew) for each, printed stage by stage with the rows the catalog holds."""
    selected = list(sources())
    figures: list[tuple[float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        url = f"sqlite:///{path}"
        engine = store.connect(url)
        for world_path, accept_new in sequence:
            with serve(World.load(world_path)) as base:
                results = crawl_all(selected, base)
            before = _file_size(engine, path)
            now = datetime.now(UTC)
            policy = "accept-new" if accept_new else "review"
            run_id = store.start_run(engine, world=str(world_path), policy=policy, now=now)
            print(f"{world_path.stem}, run {run_id} ({policy})")
            with refresh.records_released():  # as the flow ends each run
                laps, stages = after_download(url, engine, results, run_id, accept_new)
            store.finish_run(engine, run_id, status="ok", summary={}, finished_at=now)
            grown = _file_size(engine, path) - before
            figures.append((laps.total, grown))
            with engine.connect() as conn:
                counts = [
                    conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
                    for table in ("observations", "stamps", "responses")
                ]
            print(
                f"  {'work after download':<34} {laps.total:8.3f} s"
                f" = {laps.total / floor:.1f}x floor"
                f"   grew {grown / 1e6:.2f} MB   unchanged {len(stages.confirmed)}/{len(selected)}"
                f"   observations {counts[0]} stamps {counts[1]} responses {counts[2]}"
            )
        engine.dispose()
    return figures


def main() -> None:
    """Replay the world (argv[1], default epoch-2) through every source's crawl, time the json
    parse floor, then the two refresh sequences stage by stage, and print each against its target
    and the peak RSS."""
    world_path = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else ROOT.parent / "shared/snapshots/worlds/epoch-2.json"
    ).resolve()
    world = World.load(world_path)
    start = time.perf_counter()
    with serve(world) as base:
        results = crawl_all(list(sources()), base)
    print(f"{'fetch + parse (Scrapy)':<36} {time.perf_counter() - start:8.3f} s")
    floor, parsed, other = json_floor(world, results)
    print(f"{'json parse floor':<36} {floor:8.3f} s   ({parsed} JSON bodies; {other} others)")
    epoch1 = world_path.parent / "epoch-1.json"
    sequences = {
        "fresh catalog": ([(world_path, True), (world_path, False), (world_path, False)], 0),
        "after epoch-1": ([(epoch1, True), (world_path, False), (world_path, False)], 1),
    }
    for label, (sequence, first) in sequences.items():
        print(f"-- {label}")
        figures = refreshes(sequence, floor)
        (work1, _), (work2, grown2) = figures[first], figures[first + 1]
        print(f"{'first / floor':<36} {work1 / floor:8.1f} x   (target at most 10)")
        print(f"{'again / first (work)':<36} {work2 / work1:8.3f}   (target at most 0.1)")
        print(f"{'growth of the repeat':<36} {grown2 / 1e6:8.2f} MB (target under 1 MB)")
    print(f"{'peak RSS':<36} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.0f} MB")


if __name__ == "__main__":
    main()
