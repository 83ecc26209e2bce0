"""The `refresh` flow: fetch every source, normalize, validate, compare, apply, report.

Prefect sits at the edge: each stage is a plain function (catalog/, schemas/, spiders/) and the
tasks here only call them. Final state: Completed when at least one source was applied; a source
that failed or broke changed nothing and is named, with its reason, in the state's message, the
run report and the run's status ("degraded" instead of "ok"). Failed when no source could be
applied or the run itself failed.
"""

from __future__ import annotations

import asyncio
import gc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.states import Completed, Failed, State
from prefect.utilities.annotations import quote
from sqlalchemy import Engine

from catalog import store
from catalog.compare import Comparison, Context, compare
from catalog.identity import Identity
from catalog.normalize import SourceDrafts, draft_source, learn_official_models, observations
from schemas.batch import validate
from schemas.records import Observation, Problem, ReviewItem, SourceRun, SourceStatus
from schemas.sources import is_official
from schemas.sources import sources as configured_sources
from spiders.crawl import CrawlResult, crawl
from spiders.replay import World, serve

BROKEN_RATIO = 0.5  # fewer records than this share of the last complete run: layout broke
COLLAPSE_RATIO = 0.5  # more than this share of a source's statements invalid: source fails
REPORTED_PROBLEMS = 200  # listed in the run's artifact; all of them stay in the quarantine table

Listener = Callable[[str, str], None]
listeners: list[Listener] = []  # (source, message) progress callbacks, e.g. the CLI's display


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a stage builds ~10^5 long-lived records: they
    form no cycles, and the collector re-walking them costs a third of the stage (measured)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def emit(source: str, message: str) -> None:
    for listener in listeners:
        listener(source, message)


@dataclass
class Batch:
    valid: list[Observation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # quarantined, each a reviewable anomaly
    rejected: list[Problem] = field(default_factory=list)  # of failed sources: quarantined only

    @property
    def quarantined(self) -> list[Problem]:
        return self.problems + self.rejected


@task(name="fetch-source", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE)
async def fetch_source(source: str, replay_url: str | None) -> CrawlResult:
    emit(source, "fetching")
    result = await crawl(source, replay_url)
    emit(source, f"{result.status.value}: {result.records} records")
    return result


@task(name="normalize", cache_policy=NO_CACHE)
def normalize_sources(results: Sequence[CrawlResult]) -> list[SourceDrafts]:
    catalog = configured_sources()
    return [draft_source(catalog[r.source], r.pages) for r in results if r.pages]


@task(name="validate", cache_policy=NO_CACHE)
def validate_batch(
    drafts: Sequence[SourceDrafts], identity: Identity, reports: dict[str, SourceRun]
) -> Batch:
    """Identity, provenance and the Pandera gate. A source whose batch collapses is failed."""
    learn_official_models(identity, drafts)
    batch = Batch()
    for source_drafts in drafts:
        report = reports[source_drafts.source.id]
        found = observations(source_drafts, identity)
        valid, problems = validate(found)
        problems = source_drafts.problems + problems
        report.observations = len(valid)
        report.quarantined = len(problems)
        # Unreadable records count too: a source whose format changed under the parser reads
        # as nothing valid, and must not pass for a complete listing of nothing.
        stated = len(found) + len(source_drafts.problems)
        if stated and len(valid) < stated * (1 - COLLAPSE_RATIO):
            report.status = SourceStatus.FAILED
            report.reason = f"validation collapse: {stated - len(valid)} of {stated} invalid"
            batch.rejected.extend(problems)  # kept with their reasons, not one item each
            continue
        batch.valid.extend(valid)
        batch.problems.extend(problems)
    return batch


@task(name="compare", cache_policy=NO_CACHE)
def compare_catalog(
    engine_url: str,
    batch: Batch,
    reports: dict[str, SourceRun],
    run_id: int,
    accept_new: bool,
    identity: Identity,
) -> Comparison:
    engine = store.connect(engine_url)
    with engine.connect() as conn:
        current = store.load_catalog(conn)
        listings = store.load_listings(conn)
    complete = frozenset(s for s, r in reports.items() if r.status is SourceStatus.OK)
    ctx = Context(
        run_id=run_id,
        now=datetime.now(UTC),
        accept_new=accept_new,
        official=is_official,
        complete_sources=complete,
        same_price=identity.same_price,
    )
    return compare(batch.valid, current, listings, batch.problems, ctx)


@task(name="apply", cache_policy=NO_CACHE)
def apply_changes(
    engine_url: str,
    run_id: int,
    batch: Batch,
    comparison: Comparison,
    reports: dict[str, SourceRun],
) -> list[ReviewItem]:
    stamped = Counter(s.source for s in comparison.stamps)
    stamped.update(o.source for n in comparison.new_values for o in n.confirmations)
    for source, report in reports.items():
        report.stamped = stamped[source]
    opened = store.apply(
        store.connect(engine_url),
        run_id,
        valid=batch.valid,
        problems=batch.quarantined,
        comparison=comparison,
        source_reports=[r.model_dump() for r in reports.values()],
        now=datetime.now(UTC),
    )
    for report in reports.values():
        report.review_items = sum(report.source in item.sources for item in opened)
    return opened


def _guard_layout(engine: Engine, result: CrawlResult, report: SourceRun) -> None:
    """A source yielding far fewer records than its last complete run is broken this run."""
    if report.status is not SourceStatus.OK:
        return
    last = store.last_complete_records(engine, result.source)
    if last and result.records < last * BROKEN_RATIO:
        report.status = SourceStatus.BROKEN
        report.reason = f"{result.records} records against {last} in the last complete run"
        result.pages.clear()


def _report_markdown(
    run_id: int,
    reports: Sequence[SourceRun],
    opened: Sequence[ReviewItem],
    problems: Sequence[Problem],
) -> str:
    lines = [
        f"# ratecard refresh, run {run_id}",
        "",
        "| source | status | observations | quarantined | stamped | review items | reason |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.source} | {r.status.value} | {r.observations} | {r.quarantined} | {r.stamped} "
        f"| {r.review_items} | {r.reason} |"
        for r in reports
    ]
    kinds = Counter(i.kind.value for i in opened)
    lines += ["", "## Review items opened", ""]
    lines += [f"- {kind}: {count}" for kind, count in sorted(kinds.items())] or ["- none"]
    anomalies = [p for p in problems if p.observation is not None]
    shown = problems[:REPORTED_PROBLEMS]
    lines += ["", f"## Quarantined ({len(problems)}; {len(anomalies)} anomalies)", ""]
    lines += [f"- {p.source} `{p.record}`: {p.rule}: {p.detail}" for p in shown]
    if len(problems) > len(shown):
        lines.append(
            f"- … {len(problems) - len(shown)} more in the quarantine table (run {run_id})"
        )
    return "\n".join(lines)


async def _refresh_stages(
    url: str,
    engine: Engine,
    selected: list[str],
    world: World | None,
    run_id: int,
    accept_new: bool,
) -> tuple[dict[str, SourceRun], Batch, Comparison, list[ReviewItem]]:
    """Fetch, normalize, validate, compare, apply: the refresh between its run's start and end."""
    if world is not None:
        with serve(world) as replay_url:
            results = await asyncio.gather(*(fetch_source(s, replay_url) for s in selected))
    else:
        results = await asyncio.gather(*(fetch_source(s, None) for s in selected))

    reports = {
        r.source: SourceRun(
            source=r.source,
            status=r.status,
            reason=r.reason,
            responses=len(r.pages) + len(r.failures),
            records=r.records,
            observed_at=r.observed_at,
        )
        for r in results
    }
    for result in results:
        _guard_layout(engine, result, reports[result.source])
    emit("*", "normalizing")
    identity = Identity.load()
    with engine.connect() as conn:
        identity.learn(store.known_models(conn))
    # quote(): large payloads pass between tasks as they are; Prefect would otherwise walk every
    # observation looking for futures (tens of seconds for a full refresh).
    with collection_paused():
        drafts = normalize_sources(
            quote([r for r in results if reports[r.source].status is not SourceStatus.FAILED])
        )
        batch = validate_batch(quote(drafts), identity, reports)
        emit("*", "comparing")
        comparison = compare_catalog(
            url, quote(batch), reports, run_id, accept_new, quote(identity)
        )
        emit("*", "applying")
        opened = apply_changes(url, run_id, quote(batch), quote(comparison), reports)
    return reports, batch, comparison, opened


@flow(name="refresh", log_prints=True)
async def refresh(
    sources: list[str] | None = None,
    replay: str | None = None,
    database: str | None = None,
    accept_new: bool = False,
) -> State:
    """Refresh the catalog from `sources` (default: all), optionally replaying a world."""
    logger = get_run_logger()
    url = store.database_url(database)
    engine = store.connect(url)
    selected = sources or list(configured_sources())
    unknown = sorted(set(selected) - set(configured_sources()))
    if unknown:
        return Failed(message=f"unknown sources: {', '.join(unknown)}")
    world = World.load(Path(replay)) if replay else None
    policy = "accept-new" if accept_new else "review"
    run_id = store.start_run(
        engine, world=str(replay) if replay else None, policy=policy, now=datetime.now(UTC)
    )
    flow_run = get_run_context().flow_run  # type: ignore[union-attr]
    if flow_run is not None:
        store.set_flow_run(engine, run_id, str(flow_run.id))

    try:
        reports, batch, comparison, opened = await _refresh_stages(
            url, engine, selected, world, run_id, accept_new
        )
    except BaseException as exc:  # the run's row must not stay "running" (then re-raise)
        store.finish_run(
            engine,
            run_id,
            status="failed",
            summary={"error": f"{type(exc).__name__}: {exc}"},
            finished_at=datetime.now(UTC),
        )
        raise

    ordered = [reports[s] for s in selected]
    failed = [r for r in ordered if r.status in (SourceStatus.FAILED, SourceStatus.BROKEN)]
    status = "degraded" if failed else "ok"
    summary = {
        "sources": [r.model_dump(mode="json") for r in ordered],
        "review_items_opened": len(opened),
        "stamps": len(comparison.stamps),
        "new_values": len(comparison.new_values),
        "quarantined": len(batch.quarantined),
    }
    store.finish_run(engine, run_id, status=status, summary=summary, finished_at=datetime.now(UTC))
    await create_markdown_artifact(
        key="refresh-report",
        markdown=_report_markdown(run_id, ordered, opened, batch.quarantined),
        description=f"ratecard refresh run {run_id}",
    )
    await create_table_artifact(
        key="refresh-sources",
        table=[r.model_dump(mode="json") for r in ordered],
        description=f"per-source results of run {run_id}",
    )
    message = f"run {run_id}: {len(opened)} review items opened"
    if failed:
        names = ", ".join(f"{r.source} ({r.reason})" for r in failed)
        logger.warning("sources failed: %s", names)
        message += f"; {len(failed)} of {len(ordered)} sources failed: {names}"
    if len(failed) == len(ordered):
        return Failed(message=message)
    return Completed(message=message)
