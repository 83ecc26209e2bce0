"""Validate, compare and apply at scale: real epoch-2 observations replicated under distinct model
names to 100k, 300k and 1M, each size in its own process (so peak memory is that size's own).

    uv run python benchmarks/scale.py [SIZE ...]      (default: 100000 300000 1000000)

For each size it prints the time of validate, compare and apply into a fresh SQLite catalog for a
first load (the accept-new policy), the same for the same observations again (everything
confirmed), the peak RSS of each (MiB), and at the end time(largest) / time(smallest) against the
size ratio. The first load and the repeat each run in a process of their own, as two refreshes
do (each is a flow run of its own), so each peak is that refresh's own. The stages run as the flow
runs them: with the cyclic garbage collector paused.
"""

from __future__ import annotations

import gc
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from catalog import store
from catalog.compare import Context, compare
from catalog.identity import Identity
from catalog.normalize import draft_source, learn_official_models, observations
from schemas.batch import validate
from schemas.records import Observation
from schemas.sources import is_official, sources
from spiders.crawl import crawl_all
from spiders.replay import World, serve

ROOT = Path(__file__).resolve().parent.parent
WORLD = ROOT.parent / "shared/snapshots/worlds/epoch-2.json"
SIZES = (100_000, 300_000, 1_000_000)


def recorded_observations() -> list[Observation]:
    """The epoch-2 world's observations, fetched and read as a refresh reads them."""
    world = World.load(WORLD.resolve())
    selected = list(sources())

    with serve(world) as base:
        results = crawl_all(selected, base)
    catalog = sources()
    drafts = [draft_source(catalog[r.source], r.pages) for r in results if r.pages]
    identity = Identity.load()
    learn_official_models(identity, drafts)
    return [o for d in drafts for o in observations(d, identity) if o.model]


def replicate(base: list[Observation], size: int) -> list[Observation]:
    """`size` observations: copies of the recorded ones, copy i under model names '<model>~i'."""
    out: list[Observation] = []
    copy = 0
    while len(out) < size:
        suffix = f"~{copy}" if copy else ""
        for obs in base[: size - len(out)]:
            out.append(replace(obs, model=f"{obs.model}{suffix}"))
        copy += 1
    return out


def one_pass(
    engine: Engine, batch: list[Observation], label: str, accept_new: bool
) -> dict[str, float]:
    """Load the catalog, validate, compare and apply one batch; each stage's seconds."""
    timings: dict[str, float] = {}
    now = datetime.now(UTC)
    run_id = store.start_run(engine, world=str(WORLD), policy=label, now=now)
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        timings[f"{label}: {stage}"] = time.perf_counter() - clock
        clock = time.perf_counter()

    with engine.connect() as conn:
        current = store.load_catalog(conn)
        listings = store.load_listings(conn)
    lap("load catalog")
    valid, problems = validate(batch)
    lap("validate")
    ctx = Context(run_id, now, accept_new, is_official, frozenset(sources()))
    comparison = compare(valid, current, listings, problems, ctx)
    lap("compare")
    store.apply(
        engine,
        run_id,
        valid=valid,
        problems=problems,
        comparison=comparison,
        source_reports=[],
        now=now,
    )
    lap("apply")
    return timings


def peak_rss_mb() -> float:
    """This process's peak resident set since it started or since `reset_peak_rss` (VmHWM), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    """Start this process's peak resident set again from what it holds now (Linux clear_refs)."""
    Path("/proc/self/clear_refs").write_text("5")


def run_size(pickled: Path, size: int, database: Path, label: str) -> None:
    """One pass of one size, in this process: the first load into a new catalog at `database`
    ("first", accept-new) or the same observations again into the catalog it left ("again");
    prints its stage times, peak RSS and the database's size."""
    base: list[Observation] = pickle.loads(pickled.read_bytes())
    batch = replicate(base, size)
    del base
    gc.collect()
    reset_peak_rss()
    gc.disable()
    engine = store.connect(f"sqlite:///{database}")
    timings = one_pass(engine, batch, label, accept_new=label == "first")
    peak = peak_rss_mb()
    engine.dispose()
    gc.enable()
    work = sum(v for k, v in timings.items() if "load" not in k)
    for stage, seconds in timings.items():
        print(f"  {stage:<24} {seconds:8.2f} s")
    size_mb = database.stat().st_size / 1e6
    print(f"  {label + ': peak RSS':<24} {peak:8.0f} MiB   database {size_mb:.0f} MB")
    print(f"TOTAL {size} {label} {work:.3f}", flush=True)


def measure(pickled: Path, size: int, tmp: Path) -> float:
    """The first load and the repeat of one size, each in a process of its own; prints both and
    returns the first load's validate + compare + apply seconds."""
    database = tmp / f"scale-{size}.db"
    totals: dict[str, float] = {}
    print(f"size {size:>9,}")
    for label in ("first", "again"):
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(pickled), str(size), str(database), label],
            capture_output=True,
            text=True,
            check=True,
        )
        for line in done.stdout.splitlines():
            if line.startswith("TOTAL "):
                totals[label] = float(line.split()[3])
            else:
                print(line)
    print(
        f"  {'validate+compare+apply':<24} {totals['first']:8.2f} s first, "
        f"{totals['again']:8.2f} s again"
    )
    return totals["first"]


def main(argv: list[str]) -> None:
    """Time validate, compare and apply at each size in `argv` (default SIZES), each in its own
    pair of processes (`--one PICKLE SIZE DATABASE first|again` runs one pass), and print how
    the time grows against the size."""
    if argv[:1] == ["--one"]:
        run_size(Path(argv[1]), int(argv[2]), Path(argv[3]), argv[4])
        return
    sizes = [int(a) for a in argv] or list(SIZES)
    start = time.perf_counter()
    base = recorded_observations()
    print(f"{len(base):,} recorded observations with a model ({time.perf_counter() - start:.1f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        pickled = Path(tmp) / "observations.pickle"
        pickled.write_bytes(pickle.dumps(base))
        totals = {size: measure(pickled, size, Path(tmp)) for size in sizes}
    if len(totals) > 1:
        small, large = min(totals), max(totals)
        print(
            f"time({large:,}) / time({small:,}) = {totals[large] / totals[small]:.1f} "
            f"(size ratio {large / small:.0f})"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
