"""The `refresh` flow: fetch every source, judge its health, normalize and validate it, compare,
apply, report.

Prefect sits at the edge: each stage is a plain function (spiders/ fetches, catalog/health.py
judges each source's answers and renders the report, catalog/intake.py reads each source under
its own boundary, catalog/compare.py compares, catalog/store.py applies in one transaction) and
this module only orders them. A source whose every response repeats its previous complete one
byte for byte (catalog/unchanged.py decides) is not read again: it is reported ok, "unchanged
since run N (date)", held at its last statements while the others are compared, and its values
are confirmed at apply in one statement per table (store.confirm_unchanged). One refresh at a
time per catalog (catalog/runlog.py): a second refuses at once, naming the running one. Progress
reaches a caller through the `progress` argument, (source, message) at a time.

Final state: Completed when at least one source was applied; a source that failed, broke or
answered stale news changed nothing and is named, with its reason, in the state's message, the
run report and the run's status ("degraded" instead of "ok"). Failed when no source could be
applied, the run itself failed, or another refresh was running. The state's data is this run's
id (None when refused), so a caller reports on its own run, never merely the newest one.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence, Set
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.context import SyncClientContext, get_run_context
from prefect.states import Completed, Failed
from prefect.utilities.annotations import quote
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from catalog import (
    figures,
    health,
    intake,
    lifetimes,
    plausibility,
    reading_code,
    runlog,
    schedule,
    store,
    thresholds,
    unchanged,
)
from catalog.compare import Comparison, Context, compare
from catalog.identity import Identity, Statement
from catalog.normalize import SourceDrafts, draft_source, naming_digest
from review import triage
from schemas.fetch import FetchedPage
from schemas.field import Measure
from schemas.interrupts import interrupt_in
from schemas.records import Observation, Problem, ReviewItem, SourceRun, SourceStatus
from schemas.sources import is_official
from schemas.sources import sources as configured_sources
from schemas.vocab import Dim
from spiders.ahead import FetchAhead
from spiders.replay import World, serve
from spiders.results import CrawlResult

Progress = Callable[[str, str], None]  # (source, or "*" for the run; message)


def _quiet(source: str, message: str) -> None:
    """No one listening."""


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a stage builds ~10^5 long-lived records: they
    form no cycles, and the collector re-walking them costs a third of the stage (measured).
    What the stage built stays out of later collections (frozen) until `records_released`:
    one full collection over an epoch-2 refresh's ~900,000 objects took 0.6-1 s, and the
    collector ran one soon after the stages, and Python another at exit."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


@contextmanager
def records_released() -> Iterator[None]:
    """Around a refresh: what its stages froze (`collection_paused`) is collectable again at
    its end, when the records themselves are gone (a process that runs refreshes repeatedly,
    a served deployment, keeps no cycle of one run's objects out of collection)."""
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def catalog_engine(url: str) -> Iterator[Engine]:
    """The catalog's engine for one task or the flow, disposed at the block's end: its pooled
    connections close there (on SQLite the last one out checkpoints the WAL and removes the -wal
    and -shm files), not whenever a collection happens to reach the engine."""
    engine = store.connect(url)
    try:
        yield engine
    finally:
        engine.dispose()


@dataclass
class Batch:
    """What reading the sources gave this run: the valid observations, the problems quarantined
    (as reviewable anomalies) and those of failed sources (quarantined only), the models named by
    records read with a problem or unread, how identity named each source's statements, and each
    source's count of valid statements."""

    valid: list[Observation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # quarantined, each a reviewable anomaly
    rejected: list[Problem] = field(default_factory=list)  # of failed sources: quarantined only
    # (source, route, model) its records read with a problem name (catalog/intake.py), and those
    # records nothing could be read from name (`unread`)
    named: set[tuple[str, str, str]] = field(default_factory=set)
    unread: set[tuple[str, str, str]] = field(default_factory=set)
    # each source read or confirmed unchanged: how identity named its statements this run
    # (catalog/normalize.py's naming_digest)
    naming: dict[str, str] = field(default_factory=dict)
    # each source read whole (status ok): how many valid statements it read (health
    # `statements_collapse`; the run summary keeps them for runlog.usual_statements)
    statements: dict[str, int] = field(default_factory=dict)

    @property
    def quarantined(self) -> list[Problem]:
        """Every problem to store in quarantine: the reviewable ones, then the failed sources'."""
        return self.problems + self.rejected


@task(name="fetch-source", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE)
async def fetch_source(
    source: str, replay_url: str | None, ahead: FetchAhead | None = None
) -> CrawlResult:
    """Crawl one source (every page it names), through the loopback replay server at `replay_url`
    when given: a CrawlResult of the pages read and the URLs that failed. With `ahead` (the
    command's crawl started in a child as it began, spiders/ahead.py), its result for the
    source when it has one; a source it has nothing of is crawled here."""
    if ahead is not None and (fetched := await ahead.result(source)) is not None:
        return fetched
    from spiders.crawl import crawl  # Scrapy loads only for a crawl in this process

    return await crawl(source, replay_url)


def answers(
    result: CrawlResult,
    before: Mapping[str, bytes] | None = None,
    history: Mapping[str, health.History] | None = None,
    returned: Mapping[str, tuple[datetime, str]] | None = None,
) -> list[health.Answer]:
    """What each URL of a crawl answered, for the health rules; `before`: the bodies the URLs
    gave in the source's last applied run (store.last_applied_bodies), for `health.cut_short`
    and `health.closed_early`;
    `history`: each URL's (runlog.url_history), for `health.copies`; `returned`: the URLs
    returning to an earlier body, with its date and canonical hash (runlog.returned_bodies)."""
    before = before or {}
    returned = returned or {}
    hashes = {p.url: p.content_hash for p in result.pages}
    copied = health.copies(hashes, history or {}, _written_alike(result))
    chains = _chains(result.pages)
    # Each URL whose body is its last applied one cut short: True where cut at a record
    # boundary and closed (health.closed_early), False where its first bytes (health.cut_short).
    cut: dict[str, bool] = {}
    for p in result.pages:
        if p.url in before and health.cut_short(p.body, before[p.url]):
            cut[p.url] = False
        elif p.url in before and health.closed_early(p.body, before[p.url]):
            cut[p.url] = True
    return [
        health.Answer(
            p.url,
            p.landing_url,
            p.status,
            p.observed_at,
            len(p.records),
            size=len(p.body),
            cut_of=len(before[p.url]) if p.url in cut else 0,
            closed=cut.get(p.url, False),
            copy_of=copied.get(p.url, ""),
            copy_rewritten=p.url in copied and hashes[copied[p.url]] != p.content_hash,
            content_hash=p.content_hash,
            returned_from=returned[p.url][0] if p.url in returned else None,
            returned_as=returned[p.url][1] if p.url in returned else "",
            last_modified=p.last_modified,
            newest_stated=p.newest_stated,
            repeats=health.repeats(p.records)
            if (h := (history or {}).get(p.url))
            and h.off(chains.get(p.url, len(p.records)), listing=True) == health.SWOLLEN
            else 0,
            listed=chains.get(p.url),
        )
        for p in result.pages
    ] + [
        health.Answer(f.url, f.landing_url, f.status, None, 0, error=f.reason)
        for f in result.failures
    ]


def _chains(pages: Sequence[FetchedPage]) -> dict[str, int]:
    """The records of each chain of pages a crawl read, by the URL that began it (a configured
    URL whose next links led to further pages this run, `FetchedPage.listing_url`): its own
    and its further pages' together."""
    further: dict[str, int] = {}
    for p in pages:
        if p.listing_url:
            further[p.listing_url] = further.get(p.listing_url, 0) + len(p.records)
    return {p.url: len(p.records) + further[p.url] for p in pages if p.url in further}


def _written_alike(result: CrawlResult) -> Callable[[str, str], bool]:
    """Whether two URLs of a crawl answered one body written otherwise (health.canonical), as
    health.copies asks: only bodies of as many records are compared, each made canonical once."""
    pages = {p.url: p for p in result.pages}
    made: dict[str, str] = {}

    def canonical(url: str) -> str:
        if url not in made:
            made[url] = hashlib.sha256(health.canonical(pages[url].body)).hexdigest()
        return made[url]

    def alike(url: str, other: str) -> bool:
        return len(pages[url].records) == len(pages[other].records) and canonical(url) == canonical(
            other
        )

    return alike


@task(name="judge-sources", cache_policy=NO_CACHE)
def judge_sources(
    url: str, results: Sequence[CrawlResult]
) -> tuple[dict[str, SourceRun], dict[str, list[FetchedPage]], list[dict[str, object]]]:
    """Each source's health: its report, the pages that are evidence, and every answer judged
    (recorded in the run's summary: stale answers with both dates, faults with their reasons)."""
    configured = configured_sources()
    now = datetime.now(UTC)
    reports: dict[str, SourceRun] = {}
    evidence: dict[str, list[FetchedPage]] = {}
    judged: list[dict[str, object]] = []
    with catalog_engine(url) as engine, engine.connect() as conn:
        histories = {r.source: runlog.url_history(conn, r.source) for r in results}
        usual = {r.source: runlog.usual_source_records(conn, r.source) for r in results}
        # the last applied bodies that a shorter body this run may be the start of
        before = {
            r.source: store.last_applied_bodies(
                conn, r.source, {p.url: int(len(p.body) / health.CUT_SHARE) for p in r.pages}
            )
            for r in results
        }
        returned = {r.source: runlog.returned_bodies(conn, r.source, r.pages) for r in results}
    for result in results:
        verdict = health.source_health(
            answers(
                result, before[result.source], histories[result.source], returned[result.source]
            ),
            configured[result.source].urls,
            histories[result.source],
            usual[result.source],
            now,
        )
        usable = verdict.evidence_urls
        evidence[result.source] = [p for p in result.pages if p.url in usable]
        reports[result.source] = SourceRun(
            source=result.source,
            status=verdict.status,
            reason=verdict.reason,
            # what answered and was read, as the progress line counts it: a failed fetch is
            # no response (it was counted as one here, and as failed there)
            responses=len(result.pages),
            records=sum(len(p.records) for p in evidence[result.source]),
            observed_at=max((p.observed_at for p in evidence[result.source]), default=None),
        )
        judged += [v.summary(result.source) for v in verdict.verdicts]
    return reports, evidence, judged


@task(name="find-unchanged", cache_policy=NO_CACHE)
def find_unchanged(
    url: str, evidence: dict[str, list[FetchedPage]], reports: dict[str, SourceRun]
) -> dict[str, unchanged.Unchanged]:
    """The sources whose every response repeats, byte for byte, their previous complete one
    (catalog/unchanged.py decides): their values are confirmed at apply instead of being read
    again, unless reading finds their names map otherwise now (`settle_unchanged`)."""
    # Answering in full at fetch; a source repeating the bodies of its last run makes of them
    # what it made then, so it is no source back in full (catalog/unchanged.py `decide`).
    in_full = {source for source, report in reports.items() if report.status is SourceStatus.OK}
    answered = {s: {p.url: p.content_hash for p in evidence.get(s, [])} for s in in_full}
    with catalog_engine(url) as engine, engine.connect() as conn:
        previous = store.previous_runs(conn, reports)
        mark = store.catalog_mark(conn)
        in_full -= runlog.repeating(conn, answered)
    found: dict[str, unchanged.Unchanged] = {}
    for source, report in reports.items():
        decided = unchanged.decide(
            source,
            report.status,
            [
                unchanged.Answer(p.url, p.landing_url, p.content_hash, p.observed_at)
                for p in evidence.get(source, [])
            ],
            previous.get(source),
            mark,
            reading_code.fingerprint(),
            in_full,
        )
        if not isinstance(decided, str):
            found[source] = decided
    return found


def settle_unchanged(
    confirmed: dict[str, unchanged.Unchanged],
    naming: Mapping[str, str] | None,
    told: Progress,
) -> list[str]:
    """Take out of `confirmed` (and return) the sources whose names map otherwise now than when
    they were last read (catalog/unchanged.py's named_otherwise; `naming`: this run's naming
    digests, None when no source is read): they are read instead, each told why."""
    shifted = []
    for source, decided in list(confirmed.items()):
        why = unchanged.named_otherwise(decided, naming)
        if why is not None:
            del confirmed[source]
            shifted.append(source)
            told(source, f"{why}: read again")
    return shifted


def report_unchanged(
    reports: dict[str, SourceRun], confirmed: Mapping[str, unchanged.Unchanged]
) -> None:
    """Report each confirmed source ok, "unchanged since …", with the counts of the run its
    responses repeat."""
    for source, decided in confirmed.items():
        report, before = reports[source], decided.previous
        report.reason = decided.reason
        report.observations = before.observations
        report.quarantined = before.quarantined
        report.stamped = before.stamped


def naming_to_record(
    reports: Mapping[str, SourceRun],
    batch: Batch,
    confirmed: Mapping[str, unchanged.Unchanged],
) -> dict[str, str]:
    """How identity named each source this run applies, for the run's summary: a source read,
    as this run's reading named it; a confirmed one, so, or as its previous run did when this
    run read no source (`settle_unchanged` found nothing for identity to learn anew)."""
    naming = {
        source: digest
        for source, digest in batch.naming.items()
        if source in confirmed or (source in reports and reports[source].status in store.APPLIED)
    }
    for source, decided in confirmed.items():
        if source not in naming and decided.previous.naming is not None:
            naming[source] = decided.previous.naming
    return naming


@dataclass
class Recalled:
    """What one refresh's readings take from the catalog and its stored bodies, kept from one
    reading to the next (`read_healthy` reads again while a source fails anew, and nothing is
    written in between): each source's last statements (store.last_statements), its stored
    responses but those of the URLs answered this run (`_stored_responses`, by source and those
    URLs), and what normalizing the responses a source teaches from gave (`learned`: by source,
    the ids of the pages normalized, then their drafts or why they could not be read). A day
    on which sources fail is read twice or more; each reading recalled all of it again."""

    statements: dict[str, tuple[Observation, ...]] = field(default_factory=dict)
    stored: dict[tuple[str, frozenset[str]], list[FetchedPage] | None] = field(default_factory=dict)
    learned: dict[str, tuple[tuple[int, ...], SourceDrafts | str]] = field(default_factory=dict)

    def last_statements(
        self, conn: Connection, sources: Collection[str]
    ) -> tuple[Observation, ...]:
        """store.last_statements of `sources`, in its order (by source name)."""
        for source in sources:
            if source not in self.statements:
                self.statements[source] = store.last_statements(conn, [source])
        return tuple(o for source in sorted(set(sources)) for o in self.statements[source])

    def stored_responses(
        self, conn: Connection, source: str, answered: Set[str]
    ) -> list[FetchedPage] | None:
        """`_stored_responses` of `source` but the URLs `answered`."""
        key = (source, frozenset(answered))
        if key not in self.stored:
            self.stored[key] = _stored_responses(conn, source, answered)
        return self.stored[key]

    def normalized(
        self, pages: Mapping[str, Sequence[FetchedPage]]
    ) -> tuple[list[SourceDrafts], set[str]]:
        """intake.normalize_each of `pages` (by source): the drafts of the sources that could be
        read, and the sources that could not."""
        for source, found in pages.items():
            known = self.learned.get(source)
            if known is None or known[0] != _ids(found):
                drafts, failures = intake.normalize_each({source: found}, configured_sources())
                self.learned[source] = (_ids(found), drafts[0] if drafts else failures[source])
        read = {source: self.learned[source][1] for source in pages}
        drafted = [batch for batch in read.values() if isinstance(batch, SourceDrafts)]
        return drafted, {source for source, batch in read.items() if isinstance(batch, str)}


@dataclass(frozen=True)
class DraftedAhead:
    """A source's drafts normalized as its crawl's result arrived, while the command waited for
    the other sources' (`draft_ahead`): of exactly `pages`, read with `others_stand` as
    `draft_source` takes it. The read takes them where its evidence is those very pages and the
    source's report says the same of its other responses (`taken`)."""

    pages: tuple[FetchedPage, ...]
    others_stand: bool
    drafts: SourceDrafts

    def taken(self, evidence: Sequence[FetchedPage], report: SourceRun) -> bool:
        """Whether these drafts are those reading `evidence` under `report` would make: the same
        page objects in the same order (the health rules keep or leave out pages, never copy
        them), and a partial source's reading for a partial source."""
        partial = report.status is SourceStatus.PARTIAL
        same = len(evidence) == len(self.pages) and all(
            page is made for page, made in zip(evidence, self.pages, strict=True)
        )
        return same and self.others_stand == partial


def draft_ahead(engine: Engine, result: CrawlResult) -> DraftedAhead | None:
    """`result`'s source normalized now, before its health is judged (catalog/normalize.py
    `draft_source`, a pure function of the pages): the command's crawl started ahead hands
    the sources over one by one, and what arrives first is read while the last still crawls.
    None, and nothing done, for a source whose every body repeats its last run's (runlog
    `repeating`: it is likely confirmed unchanged, never read) or that answered nothing, and
    for one whose normalizer raises (the read normalizes it again under its boundary, which
    names the error) or whose last run the catalog cannot be asked about (a database error here
    fails no fetch: the read goes on as without this). A response that failed leaves its others
    read as a partial source's."""
    hashes = {p.url: p.content_hash for p in result.pages}
    if not hashes:
        return None
    try:
        with engine.connect() as conn:
            if runlog.repeating(conn, {result.source: hashes}):
                return None
    except SQLAlchemyError:  # judging reads the catalog next, and says why it cannot
        return None
    others_stand = bool(result.failures)
    source = configured_sources()[result.source]
    try:
        drafts = draft_source(source, result.pages, others_stand)
    except Exception:
        return None
    return DraftedAhead(tuple(result.pages), others_stand, drafts)


def _ids(pages: Sequence[FetchedPage]) -> tuple[int, ...]:
    """The pages by identity: the same stored responses, or the same confirmed ones, recalled."""
    return tuple(map(id, pages))


@dataclass
class Reading:
    """What reading needs from the catalog (`reading_context`), for `read_sources`.

    `identity`: the alias tables, the catalog's models and the official statements of the
    sources not read whose responses are not at hand. `held`: the last statements standing in
    for what is not read this run (`standing_in`), which the rules across sources count as
    stated. `before`: each source to read's prices in its last applied run, and `in_force`:
    the catalog's prices in force (a listing rescaled from either fails). `learn_pages`:
    responses of sources not read this run (confirmed unchanged, or the stored ones of a failed
    source's last applied run, or of a partial source's URLs that gave no evidence), normalized
    only so that identity learns from their statements as on a run that read them (one whose
    normalizer fails teaches its held statements instead). `behind`:
    a partial source's last statements made through URLs that did answer (what a further page
    that failed stated is recorded under its listing's URL): identity learns those of fields
    this run's responses state nothing of, as on a day the whole listing answered."""

    identity: Identity
    held: tuple[Observation, ...]
    before: dict[str, dict[health.PriceKey, Decimal]]
    learn_pages: dict[str, Sequence[FetchedPage]]
    behind: tuple[Observation, ...] = ()
    in_force: dict[health.PriceKey, Decimal] = field(default_factory=dict)
    # each source's usual count of valid statements (runlog.usual_statements)
    usual_statements: dict[str, int] = field(default_factory=dict)
    # each source's last statement of every field of the models given, by source (store
    # last_statements, hidden): what a record's problem hides from identity this run
    last_hidden: Callable[[Mapping[str, set[str]]], tuple[Observation, ...]] | None = None
    # each source's values its last applied run set aside, of the models given, by source
    # (store.last_set_aside): what stays set aside while a record's problem hides its field
    last_set_aside: Callable[[Mapping[str, set[str]]], list[Problem]] | None = None
    # what the sources given stated in the last run that applied each (store.last_statements):
    # what an official source refused in validation stands at for the rules across sources
    last_statements: Callable[[Collection[str]], tuple[Observation, ...]] | None = None
    # what this refresh's readings recalled so far (the learn_pages' drafts among it)
    recalled: Recalled = field(default_factory=Recalled)
    # each source's token limits as it last stated them (runlog.last_limits): a block of its
    # limits moved onto another limit's value is judged against them (intake.limits_at_another)
    last_limits: dict[str, dict[health.PriceKey, Decimal]] = field(default_factory=dict)
    # each source's prices its last applied run set aside by a rule judged in context
    # (store.last_set_aside, intake.RESTATED_RULES): set aside again where restated alike
    last_judged: dict[str, list[Problem]] = field(default_factory=dict)


@task(name="read-sources", cache_policy=NO_CACHE)
def read_sources(
    evidence: Mapping[str, Sequence[FetchedPage]],
    reading: Reading,
    reports: dict[str, SourceRun],
    drafted: dict[str, SourceDrafts] | None = None,
) -> Batch:
    """Normalize, map and validate each source under its own boundary (catalog/intake.py); a
    source that fails there is reported failed and applies nothing. `reading`: what reading
    needs from the catalog (`Reading`; its identity learns here). `drafted`: each source's
    drafts by id, from an earlier reading of the same pages or made as the crawl started ahead
    sent them (`draft_ahead`; normalizing does not depend on identity); the sources normalized
    here are added to it."""
    identity, held = reading.identity, reading.held
    pages = {s: answered for s, answered in evidence.items() if answered}
    drafted = {} if drafted is None else drafted
    fresh, failures = intake.normalize_each(
        {s: answered for s, answered in pages.items() if s not in drafted},
        configured_sources(),
        {s for s in pages if reports[s].status is SourceStatus.PARTIAL},
    )
    drafted.update((batch.source.id, batch) for batch in fresh)
    drafts = [drafted[s] for s in pages if s in drafted]
    learned, unreadable = reading.recalled.normalized(reading.learn_pages)
    identity.learn_official(_statements([o for o in held if o.source in unreadable]))
    identity.learn_official(_statements(_unstated_behind(reading.behind, drafts, identity)))
    identity.learn_official(
        _statements(
            _unstated_behind(_partial_in_drafts(drafts, reports, reading), drafts, identity)
        )
    )
    # What a record's problem hides of an official source's statements stands as last stated,
    # for identity and for the rules across sources (a secondary's tier is judged against the
    # official thresholds the hidden rows stated, not against none).
    hidden = _unstated_behind(_officially_hidden(drafts, reading), drafts, identity)
    identity.learn_official(_statements(hidden))
    for source, reason in failures.items():
        reports[source].status, reports[source].reason = SourceStatus.FAILED, reason
    batch = Batch()
    unanswered: dict[str, list[Observation]] = {}
    for o in held:  # a partial source's statements through the URLs that gave no evidence
        if o.source in reports and reports[o.source].status is SourceStatus.PARTIAL:
            unanswered.setdefault(o.source, []).append(o)
    read = intake.validate_each(
        drafts,
        identity,
        reading.before,
        learned,
        reading.in_force,
        unanswered,
        last_limits=reading.last_limits,
        last_judged=reading.last_judged,
    )
    refused: list[str] = []  # sources read, then failed or broken here: nothing of them applies
    for found in read:
        report = reports[found.source]
        report.observations = len(found.valid)
        report.quarantined = len(found.problems) + len(found.rejected)
        if found.failure:  # what health already found wrong (a partial source) stays named
            reason = f"{report.reason}; {found.failure}" if report.reason else found.failure
            report.status, report.reason = SourceStatus.FAILED, reason
            batch.rejected.extend(found.problems)  # kept with their reasons, not one item each
            refused.append(found.source)
            continue
        if report.status is SourceStatus.OK and not found.incomplete:
            batch.statements[found.source] = len(found.valid)
            usual = reading.usual_statements.get(found.source)
            if collapsed := health.statements_collapse(len(found.valid), usual):
                report.status, report.reason = SourceStatus.BROKEN, collapsed
                report.observations = 0  # none applied: the count is in the reason
                batch.rejected.extend(found.problems)
                refused.append(found.source)
                continue
        if found.incomplete:
            # its values apply; no absence is counted (compare reads only ok sources' listings)
            reason = f"{report.reason}; {found.incomplete}" if report.reason else found.incomplete
            if report.status is SourceStatus.OK:
                report.status = SourceStatus.PARTIAL
            report.reason = reason
        batch.valid.extend(found.valid)
        batch.problems.extend(found.problems)
        batch.rejected.extend(found.rejected)
        batch.named.update((found.source, route, model) for route, model in found.named)
        batch.unread.update((found.source, route, model) for route, model in found.unread)
    batch.naming = {d.source.id: naming_digest(d, identity) for d in [*drafts, *learned]}
    # A price written to fewer digits of a figure stated in full is that figure (catalog/figures).
    batch.valid = figures.fuller_figures(batch.valid, reading.in_force)
    # Across sources: a cache write without lifetime beside the route's per-lifetime ones is one
    # of them; a context tier whose threshold contradicts the route's own is a flag.
    # Units are facts: prices outside their unit's band, or per token for a model not metered
    # in tokens, are set aside; one price in two time units is one field.
    standing = (*held, *hidden, *_refused_officially(refused, reading))
    # An official statement validation set aside (stated twice, out of its band) still states
    # its field's cache lifetime and tier threshold, as a hidden one does: its value is in
    # doubt, not its field (a fault round: OpenRouter's Claude block rescaled in one of its
    # two listings left the secondaries' cache writes of those models without a lifetime, a
    # field of their own, on that day and every day their bytes repeated).
    stating = (*standing, *_set_aside_officially(batch.problems))
    batch.valid, unstated = lifetimes.with_lifetimes(batch.valid, stating)
    batch.valid, contradictions = thresholds.contradicting(batch.valid, is_official, stating)
    batch.valid, implausible = plausibility.check(
        batch.valid, is_official, standing, reading.in_force, batch.problems
    )
    for problem in unstated + contradictions + implausible:
        batch.problems.append(problem)
        reports[problem.source].quarantined += 1
    batch.problems.extend(_set_aside_behind(drafts, batch, reports, reading))
    return batch


@task(name="compare", cache_policy=NO_CACHE)
def compare_catalog(
    engine_url: str,
    batch: Batch,
    reports: dict[str, SourceRun],
    run_id: int,
    accept_new: bool,
    identity: Identity,
    confirmed: frozenset[str] = frozenset(),
    last: Sequence[Observation] | None = None,
) -> Comparison:
    """Compare the sources read this run with the catalog. Every source not read this run (not
    selected, failed, or `confirmed` unchanged) is held at its last statements: items come out
    as when it last answered, whichever sources a run selects (`--source azure` alone proposes
    what a refresh of every source does, so it finds the same items open and opens no part of
    them again), and a held source neither stamps nor counts listings here (an unchanged
    source's confirmation does that at apply). So is a partial source at what it stated of the
    fields it states nothing of this run (`unstated`). `last`: the statements standing in that
    the caller already read (`standing_in`); the held sources' found there are used, the other
    held sources' (one that failed in reading) read here. What a held source's last applied run
    set aside with its value stays set aside (compare's Context.held_set_aside)."""
    holding = {s for s, r in reports.items() if r.status not in store.APPLIED or s in confirmed}
    holding.update(s for s in configured_sources() if s not in reports)
    partial = {
        s for s, r in reports.items() if r.status is SourceStatus.PARTIAL and s not in confirmed
    }
    held = [o for o in last or () if o.source in holding]
    # A source read in full that named a model in a record read with a problem states what it
    # could be read to state of it: a field of that model it states nothing of now was hidden by
    # the problem, not withdrawn (a renamed key, a cell of another shape), so it too stands as
    # last stated, as a partial source's do, and items do not churn for it.
    unsure = {
        (s, route, model)
        for s, route, model in batch.named
        if s in reports and reports[s].status is SourceStatus.OK and s not in confirmed
    }
    with catalog_engine(engine_url) as engine, engine.connect() as conn:
        current = store.load_catalog(conn)
        listings = store.load_listings(conn)
        unmapped_before = store.unmapped_names(conn)
        held.extend(store.last_statements(conn, holding - {o.source for o in held}))
        held_set_aside = [
            p.observation
            for p in store.last_set_aside(conn, dict.fromkeys(_speaking(holding)))
            if p.observation is not None
        ]
        held.extend(unstated(store.last_statements(conn, partial), batch))
        held.extend(_hidden_while_held(conn, holding, held))
        if unsure:
            hidden = store.last_statements(
                conn, {s for s, _, _ in unsure}, {m for _, _, m in unsure}, hidden=True
            )
            hidden_by_problems = unstated(
                [o for o in hidden if (o.source, o.route, o.model) in unsure], batch
            )
            held.extend(hidden_by_problems)
            partial.update(o.source for o in hidden_by_problems)
    complete = frozenset(
        s for s, r in reports.items() if r.status is SourceStatus.OK and s not in confirmed
    )
    ctx = Context(
        run_id=run_id,
        now=datetime.now(UTC),
        accept_new=accept_new,
        official=is_official,
        complete_sources=complete,
        same_price=identity.same_price,
        held=tuple(schedule.current(held)),
        partial=frozenset(partial),
        held_set_aside=tuple(held_set_aside),
        unmapped_before=unmapped_before,
    )
    # A scheduled price (catalog/schedule.py) is recorded with the batch but compared from its date.
    return compare(
        schedule.current(batch.valid),
        current,
        listings,
        batch.problems,
        ctx,
        batch.named,
        batch.unread,
    )


@dataclass(frozen=True)
class WriteRefused:
    """The catalog's database refused the apply's write (its disk full, the write lock held by
    another writer past the busy timeout, a read-only file): the transaction rolled back,
    nothing applied. `reason` is the database's own one line."""

    reason: str


def _refusal(exc: OperationalError) -> str:
    """The database's own first line of why it refused ("database or disk is full"), without
    the statement and parameters SQLAlchemy adds."""
    lines = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
    return lines[0] if lines else type(exc.orig).__name__


class CatalogRefusedWrite(Exception):
    """Raised in the flow for a WriteRefused apply: the run ends failed with one line."""


@task(name="apply", cache_policy=NO_CACHE)
def apply_changes(
    engine_url: str,
    run_id: int,
    batch: Batch,
    comparison: Comparison,
    reports: dict[str, SourceRun],
    evidence: dict[str, list[FetchedPage]],
    confirmed: dict[str, unchanged.Unchanged],
    naming: dict[str, str] | None = None,
) -> list[ReviewItem] | WriteRefused:
    """Apply the run to the catalog at `engine_url` in one transaction (catalog/store.py
    `apply`): the valid observations, the quarantine, the comparison's stamps, new values and
    items, the responses read of the applied sources, and the unchanged sources confirmed. Sets
    each source report's count of values stamped and the review items it opened; returns the
    items opened, or WriteRefused when the database refused the write (returned, not raised:
    the task ends, and the run with one line rather than Prefect's tracebacks and SQL)."""
    stamped = Counter(s.source for s in comparison.stamps)
    stamped.update(o.source for n in comparison.new_values for o in n.confirmations)
    for source, report in reports.items():
        if source not in confirmed:
            report.stamped = stamped[source]
    with catalog_engine(engine_url) as engine:
        try:
            opened = store.apply(
                engine,
                run_id,
                valid=batch.valid,
                problems=batch.quarantined,
                comparison=comparison,
                source_reports=[r.model_dump() for r in reports.values()],
                now=datetime.now(UTC),
                pages={
                    s: pages for s, pages in evidence.items() if reports[s].status in store.APPLIED
                },
                unchanged=list(confirmed.values()),
                triage=triage.columns,
                naming=naming,
            )
        except OperationalError as exc:
            return WriteRefused(_refusal(exc))
    for report in reports.values():
        report.review_items = store.review_items_of(report.source, report.status.value, opened)
    return opened


Reader = Callable[
    [Mapping[str, Sequence[FetchedPage]], Reading, dict[str, SourceRun], dict[str, SourceDrafts]],
    Batch,
]


def _read_task(
    to_read: Mapping[str, Sequence[FetchedPage]],
    reading: Reading,
    reports: dict[str, SourceRun],
    drafted: dict[str, SourceDrafts],
) -> Batch:
    """The read-sources task, its large arguments passed as they are (quote: Prefect would walk
    every observation looking for futures)."""
    batch: Batch = read_sources(quote(to_read), quote(reading), reports, quote(drafted))  # type: ignore[call-overload]
    return batch


def read_healthy(
    engine: Engine,
    reports: dict[str, SourceRun],
    confirmed: dict[str, unchanged.Unchanged],
    to_read: Mapping[str, Sequence[FetchedPage]],
    evidence: Mapping[str, Sequence[FetchedPage]],
    read_with: Reader | None = None,
    told: Progress = _quiet,
    drafted_ahead: Mapping[str, DraftedAhead] | None = None,
) -> tuple[Identity, tuple[Observation, ...], Batch]:
    """Read the sources to read (`reading_context`, then `read_with`: the read-sources task, or
    its plain function for a caller outside a flow): (the identity they were read with, the held
    statements of the sources not read, the batch).

    A source that fails in reading (its normalizer breaks, its statements collapse in
    validation, its listing is rescaled) can only fail itself. What it stated this run taught
    identity beside the others' statements (its official models known, its dated ids priced
    apart), so the others are read again without it, from their reports as health left them,
    with identity taught by its last applied statements as on a day it did not answer, until
    no source fails anew. A failed source keeps the report and the quarantined statements of
    the reading that failed it.

    A `confirmed` (unchanged) source whose names the final identity maps otherwise than when it
    was last read is taken out of `confirmed` and read with the others (`settle_unchanged`):
    its last statements no longer stand for what its bytes state.

    `drafted_ahead`: sources normalized as their crawl's result arrived (`draft_ahead`), taken
    where their evidence and report are those the drafts were made of (`DraftedAhead.taken`)."""
    read = dict(to_read)
    as_judged = {source: reports[source].model_copy() for source in read}
    rejected: list[Problem] = []
    # each normalized once: a second reading redoes the rest
    drafted: dict[str, SourceDrafts] = {
        source: made.drafts
        for source, made in (drafted_ahead or {}).items()
        if source in read and made.taken(read[source], reports[source])
    }
    recalled = Recalled()
    while True:
        reading = reading_context(engine, reports, confirmed, read, evidence, recalled)
        batch = (read_with or _read_task)(read, reading, reports, drafted)
        failed = {
            source
            for source in read
            if reports[source].status is SourceStatus.FAILED
            and as_judged[source].status is not SourceStatus.FAILED
        }
        rejected += [p for p in batch.rejected if p.source in failed]
        read = {source: pages for source, pages in read.items() if source not in failed}
        # What identity learned is final once no source fails anew; with none left to read, it
        # learns nothing a later run than a confirmed source's last did not (named_otherwise).
        shifted: list[str] = []
        if not failed:
            shifted = settle_unchanged(confirmed, batch.naming, told)
        elif not any(read.values()):
            shifted = settle_unchanged(confirmed, None, told)
        if not failed and not shifted:
            batch.rejected = rejected + batch.rejected
            return reading.identity, reading.held, batch
        for source in shifted:
            read[source] = evidence[source]
            as_judged[source] = reports[source].model_copy()
        for source in read:  # read again from what health found
            reports[source] = as_judged[source].model_copy()
        if not any(read.values()):
            reading = reading_context(engine, reports, confirmed, read, evidence, recalled)
            return reading.identity, reading.held, Batch(rejected=rejected)


def _statements(held: Sequence[Observation]) -> Iterator[Statement]:
    """Held observations as the statements identity learns from: those in force on their
    response's date (a scheduled price states nothing of that day, catalog.normalize)."""
    for o in held:
        if not o.scheduled:
            official = is_official(o.source, o.route)
            yield o.source, official, o.route, o.source_model, o.measure, o.value


def reading_context(
    engine: Engine,
    reports: Mapping[str, SourceRun],
    confirmed: Mapping[str, unchanged.Unchanged],
    to_read: Mapping[str, Sequence[FetchedPage]],
    evidence: Mapping[str, Sequence[FetchedPage]],
    recalled: Recalled | None = None,
) -> Reading:
    """What reading the sources `to_read` needs from the catalog (`Reading`); `recalled`: what
    an earlier reading of the same refresh recalled (`Recalled`), added to here."""
    recalled = Recalled() if recalled is None else recalled
    identity = Identity.load()
    with engine.connect() as conn:
        identity.learn(store.catalog_models(conn))
        identity.learn_listed(store.officially_listed(conn))
        # A source not read this run (not selected, failed, partial, or unchanged) still
        # teaches what it last stated (its models, dated ids, official scopes): others' names
        # map as on a full, healthy day (`--source litellm` alone maps LiteLLM's names of
        # Azure's models as a refresh of every source does), and stay so when what a source
        # did answer then collapses in validation. It teaches from the responses that run read
        # (read_sources normalizes them: an unchanged source's in hand, a failed one's stored
        # bodies), as that run learned: its stored observations lack what it quarantined, and a
        # dated id priced apart only there would map otherwise. Its held statements teach only
        # when those bodies are gone (retention) or no longer parse. So does a partial source
        # for the URLs that gave no evidence this run (its other responses are read).
        short = [
            s
            for s in configured_sources()
            if s not in reports or reports[s].status is not SourceStatus.OK or s in confirmed
        ]
        last = recalled.last_statements(conn, short)
        held = standing_in(last, reports, to_read)
        standing = set(map(id, held))
        partial = {s for s, r in reports.items() if r.status is SourceStatus.PARTIAL}
        behind = tuple(o for o in last if o.source in partial and id(o) not in standing)
        pages: dict[str, Sequence[FetchedPage]] = {s: evidence[s] for s in confirmed}
        for source in short:
            if source not in confirmed:
                answered = {p.url for p in to_read.get(source, ())}
                stored = recalled.stored_responses(conn, source, answered)
                if stored:
                    pages[source] = stored
        identity.learn_official(_statements([o for o in held if o.source not in pages]))
        before = {s: runlog.last_prices(conn, s) for s in to_read}
        in_force = runlog.prices_in_force(conn)
        limits = {s: runlog.last_limits(conn, s) for s in to_read}
        judged: dict[str, list[Problem]] = defaultdict(list)
        for problem in store.last_set_aside(conn, dict.fromkeys(to_read), intake.RESTATED_RULES):
            judged[problem.source].append(problem)
        usual = runlog.usual_statements(conn, to_read)
    return Reading(
        identity,
        held,
        before,
        pages,
        behind,
        in_force,
        usual,
        lambda wanted: _last_hidden(engine, wanted),
        lambda wanted: _last_set_aside(engine, wanted),
        lambda sources: _last_statements(engine, sources),
        recalled,
        limits,
        dict(judged),
    )


def _speaking(selected: Iterable[str]) -> list[str]:
    """The sources of `selected` official for some route (data/sources.json)."""
    configured = configured_sources()
    return [s for s in selected if s in configured and configured[s].official_for]


def _last_set_aside(engine: Engine, wanted: Mapping[str, set[str]]) -> list[Problem]:
    with engine.connect() as conn:
        return store.last_set_aside(conn, wanted)


def _set_aside_behind(
    drafts: Sequence[SourceDrafts],
    batch: Batch,
    reports: Mapping[str, SourceRun],
    reading: Reading,
) -> list[Problem]:
    """The values a source read in full set aside in its last applied run, of fields of models
    it named this run in a record read with a problem (`SourceDrafts.named`, known to identity
    or not) and states nothing of now (neither a value nor a value set aside): the problem hides
    the field, so what was set aside of it stays so, as a value stated stands as last stated
    (compare's `unsure`), and the anomaly that reports it keeps its lines (a fault round: a key
    LiteLLM renamed hid every input price, and fourteen anomalies lost their input line)."""
    if reading.last_set_aside is None:
        return []
    identity = reading.identity
    wanted: dict[str, set[str]] = {}
    for found in drafts:
        source = found.source.id
        if found.named and reports[source].status is SourceStatus.OK:
            models = wanted.setdefault(source, set())
            models.update(identity.model(name) or name for _, name in found.named)
    if not wanted:
        return []
    behind = [(p, p.observation) for p in reading.last_set_aside(wanted) if p.observation]
    if not behind:
        return []
    # only statements of the same model or name can state one of these fields
    of_model = {o.model or o.source_model for _, o in behind}
    of_name = {o.source_model for _, o in behind}
    now = [o for o in batch.valid if o.source in wanted]
    now += [p.observation for p in batch.problems if p.observation and p.source in wanted]
    stated = {
        key
        for o in now
        if (o.model or o.source_model) in of_model or o.source_model in of_name
        for key in _of(o)
    }
    return [p for p, o in behind if stated.isdisjoint(_of(o))]


def _hidden_while_held(
    conn: Connection, holding: Set[str], held: Sequence[Observation]
) -> list[Observation]:
    """What the `holding` sources last stated of the fields problems hid the last time each was
    read in full (the models its records read with a problem named then,
    store.last_problem_named), beside what they stand at (`held`): a field an unreadable cell
    hid stands as last stated while its source is held, as it does the day the source is read
    (a fault round: OpenAI's page, its "Cached input" column renamed, confirmed unchanged the
    next day; the cache reads it had stated before were forgotten, and the anomalies that
    quoted them closed, to reopen the next clean day)."""
    named = store.last_problem_named(conn, holding)
    if not named:
        return []
    hidden = store.last_statements(
        conn, {s for s, _, _ in named}, {m for _, _, m in named}, hidden=True
    )
    standing = {key for o in held for key in _of(o)}
    return [
        o for o in hidden if (o.source, o.route, o.model) in named and standing.isdisjoint(_of(o))
    ]


def _last_statements(engine: Engine, sources: Collection[str]) -> tuple[Observation, ...]:
    """What each of `sources` stated in the last run that applied it (store.last_statements)."""
    with engine.connect() as conn:
        return store.last_statements(conn, sources)


def _refused_officially(sources: Collection[str], reading: Reading) -> tuple[Observation, ...]:
    """What the official sources among `sources` (read this run, then failed in validation or
    broken by collapsed statements: nothing of them applies) last stated on the routes they
    speak for. It stands for the rules across sources, as what a source that did not answer
    last stated stands there: a secondary's context tier is judged against the official
    thresholds, its cache write given the official lifetimes (a fault round: the Gemini page
    broken by its tier headings swapped let Portkey's 128k tiers of Gemini models through,
    rewriting 28 items with 100 values Google's 200k thresholds contradict)."""
    speaking = _speaking(sources)
    if not speaking or reading.last_statements is None:
        return ()
    return tuple(o for o in reading.last_statements(speaking) if is_official(o.source, o.route))


def _last_hidden(engine: Engine, wanted: Mapping[str, set[str]]) -> tuple[Observation, ...]:
    """Each source's last statement of every field of the models `wanted` names for it."""
    with engine.connect() as conn:
        return tuple(
            o
            for source, models in wanted.items()
            for o in store.last_statements(conn, [source], models, hidden=True)
        )


def _set_aside_officially(problems: Sequence[Problem]) -> list[Observation]:
    """The statements of sources on the routes they speak for among `problems` (those set
    aside with their observation)."""
    return [
        p.observation
        for p in problems
        if p.observation is not None
        and p.observation.model is not None
        and is_official(p.observation.source, p.observation.route)
    ]


def _officially_hidden(drafts: Sequence[SourceDrafts], reading: Reading) -> list[Observation]:
    """What official sources last stated of the models their records read with a problem this
    run name, on the routes they speak for (`Reading.last_hidden`): the fields those problems
    hide (an Azure meter quarantined for its currency or its tiers) teach identity as last
    stated, as a failed source's do, so the scopes its price placed secondaries' unscoped
    prices in stay where they were."""
    identity = reading.identity
    wanted: dict[str, set[str]] = {}
    for batch in drafts:
        for route, name in batch.named:
            if batch.source.is_official(identity.route(route)):
                wanted.setdefault(batch.source.id, set()).add(identity.model(name) or name)
    if not wanted or reading.last_hidden is None:
        return []
    return [o for o in reading.last_hidden(wanted) if is_official(o.source, o.route)]


def _partial_in_drafts(
    drafts: Sequence[SourceDrafts], reports: Mapping[str, SourceRun], reading: Reading
) -> tuple[Observation, ...]:
    """The last statements (store.last_statements) of each source every response of which was
    evidence but whose drafts make its listing incomplete (`intake.unlisted`: records a paged
    listing gave on two pages, rows cut from their header, a group of models it could not name;
    or a response refused whole): the source is partial from its drafts on, as one with a
    failed URL is from its health, so what it last stated of the fields it states nothing of now
    teaches identity as `Reading.behind` does (a fault round: Azure's second page repeating
    the first's meters left the meters it used to give unstated, and the secondaries' bare
    prices those meters' deployments place proposed new unscoped fields of Azure's models)."""
    late = [
        d.source.id
        for d in drafts
        if reports[d.source.id].status is SourceStatus.OK
        and (d.refused or intake.unlisted(d.problems))
    ]
    if not late or reading.last_statements is None:
        return ()
    return reading.last_statements(late)


def _unstated_behind(
    behind: Sequence[Observation], drafts: Sequence[SourceDrafts], identity: Identity
) -> list[Observation]:
    """Of a partial source's last statements through URLs that answered (`Reading.behind`),
    those of fields (route, name at the source, measure) its drafts this run state nothing of."""
    sources = {o.source for o in behind}
    if not sources:
        return []
    stated = {
        (batch.source.id, identity.route(draft.route), draft.source_model, draft.measure)
        for batch in drafts
        if batch.source.id in sources
        for _, draft in batch.drafts
    }
    return [o for o in behind if (o.source, o.route, o.source_model, o.measure) not in stated]


def standing_in(
    held: Sequence[Observation],
    reports: Mapping[str, SourceRun],
    to_read: Mapping[str, Sequence[FetchedPage]],
) -> tuple[Observation, ...]:
    """Of the last applied statements `held` (store.last_statements), those that stand in for
    what is not read this run: every statement of a source with no response to read, and of a
    partial source those it made through the URLs that gave no evidence this run (failed or
    stale responses: its other URLs are read). What a source read this run stated before is
    otherwise no evidence beside what it states now."""
    answered = {s: {p.url for p in pages} for s, pages in to_read.items() if pages}
    return tuple(
        o
        for o in held
        if o.source not in answered
        or (reports[o.source].status is SourceStatus.PARTIAL and o.url not in answered[o.source])
    )


def unstated(last: Sequence[Observation], batch: Batch) -> list[Observation]:
    """Of partial sources' last applied statements `last` (store.last_statements), those of the
    fields each states no valid value of this run (`batch.valid`, `_of`): what the responses
    that gave no evidence stated (a failed URL, a further page of a listing that failed, a
    stale response), whichever of its URLs a statement was recorded under (what two of a
    source's responses state is recorded under the first), and what a value validation set
    aside stood for (a cache read dearer than its input, a field stated twice: quarantined, not
    withdrawn). A partial listing counts no absence, so a field it does not state now stands
    as it last stated it. A secondary's price stated now in a deployment scope (placed there
    by the official scope it matches, catalog/normalize.py) states the unscoped field it was
    last stated as too: the same statement, placed once the official source prices that scope
    (a fault round: Azure failing for a day left portkey's unscoped price unplaced; the next
    day, portkey named the model in a record read with a problem, and its unscoped statement
    of the day before stood beside the placed one, proposing a price change a clean run never
    made)."""
    sources = {o.source for o in last}
    if not sources:
        return []
    stated = {key for o in batch.valid if o.source in sources for key in _of(o)}
    stated.update(
        key
        for o in batch.valid
        if o.source in sources and Dim.SCOPE in o.dimensions and not is_official(o.source, o.route)
        for key in _of(o, o.measure._replace(dims=o.dimensions.without(Dim.SCOPE)))
    )
    return [o for o in last if stated.isdisjoint(_of(o))]


def _of(
    o: Observation, measure: Measure | None = None
) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """What a statement is of, two ways: its source, route, model (its name at the source when
    it maps to none) and measure (its own, or `measure`); and the same by its name at the
    source. Any date: a price stated again from another date, under another name of the same
    model (a renamed product) or for a name now mapped otherwise is the same field stated now."""
    measure = measure or o.measure
    return (
        (o.source, o.route, "model", o.model or o.source_model, measure),
        (o.source, o.route, "name", o.source_model, measure),
    )


def _stored_responses(
    conn: Connection, source: str, answered: Set[str] = frozenset()
) -> list[FetchedPage] | None:
    """The responses of `source`'s last applied run but those of the URLs `answered` this run,
    parsed again from their stored bodies by its parser; None when a body is gone or no longer
    parses."""
    stored = store.last_applied_responses(conn, source)
    if stored is None:
        return None
    stored = [page for page in stored if page.url not in answered]
    parser = configured_sources()[source].parser
    try:
        for page in stored:
            page.records = parser.parse(page.body, page.landing_url).records
    except Exception:  # a body this code no longer reads: the held statements teach instead
        return None
    return stored


@dataclass
class Stages:
    """What a refresh's stages produced between its run's start and end: each source's report,
    the batch read, the comparison, the review items opened, each answer's verdict as the run
    summary records it, and the sources confirmed unchanged."""

    reports: dict[str, SourceRun]
    batch: Batch
    comparison: Comparison
    opened: list[ReviewItem]
    answers: list[dict[str, object]]
    confirmed: dict[str, unchanged.Unchanged] = field(default_factory=dict)


async def _refresh_stages(
    url: str,
    engine: Engine,
    selected: list[str],
    world: World | None,
    run_id: int,
    accept_new: bool,
    progress: Progress,
    ahead: FetchAhead | None = None,
) -> Stages:
    """Fetch, judge, read, compare, apply: the refresh between its run's start and end. `ahead`:
    the crawl the command started as it began (`fetch_source`)."""
    told_ahead: list[str] = []  # the crawl started ahead failing is said once
    drafted_ahead: dict[str, DraftedAhead] = {}  # read as the crawl started ahead sent them

    async def fetch(source: str, replay_url: str | None) -> CrawlResult:
        progress(source, "fetching")
        result = await fetch_source(source, replay_url, ahead)
        if ahead is not None and ahead.failure and source in ahead.missed and not told_ahead:
            told_ahead.append(source)
            progress(
                "*",
                f"the crawl started ahead stopped short ({ahead.failure}): "
                "what it did not send is fetched here",
            )
        answered = len(result.pages)
        progress(
            source,
            f"{answered} response{'' if answered == 1 else 's'}, {len(result.failures)} failed",
        )
        # read now (its progress line said first), while the child brings the others' results
        made = (
            draft_ahead(engine, result)
            if ahead is not None and source not in ahead.missed
            else None
        )
        if made is not None:
            drafted_ahead[source] = made
        return result

    # The fetch builds every response's records (~10^5 dicts and Decimals, no cycles): the
    # collector re-walking them as they arrive cost ~0.15 s of a replayed refresh's fetch.
    with collection_paused():
        if world is not None:
            with serve(world) as replay_url:
                results = await asyncio.gather(*(fetch(s, replay_url) for s in selected))
        else:
            results = await asyncio.gather(*(fetch(s, None) for s in selected))

    # The stages after the fetch are synchronous tasks: each would open a Prefect client of its
    # own (an HTTP client, with a TLS context loaded from the CA bundle: ~25 ms apiece) unless
    # one is open in this context, so one is opened for all of them.
    with SyncClientContext.get_or_create():
        return _read_compare_apply(
            url, engine, results, run_id, accept_new, progress, drafted_ahead
        )


def _read_compare_apply(
    url: str,
    engine: Engine,
    results: list[CrawlResult],
    run_id: int,
    accept_new: bool,
    progress: Progress,
    drafted_ahead: Mapping[str, DraftedAhead],
) -> Stages:
    """Judge, read, compare, apply: the synchronous stages after the fetch. `drafted_ahead`: the
    sources normalized as the crawl started ahead sent them (`draft_ahead`)."""
    reports, evidence, judged = judge_sources(url, quote(results))
    confirmed = find_unchanged(url, quote(evidence), reports)  # type: ignore[call-overload]
    for source, decided in confirmed.items():
        progress(source, decided.reason)
    if not any(pages for s, pages in evidence.items() if s not in confirmed):
        settle_unchanged(confirmed, None, progress)  # no source read: identity learns nothing new
    to_read = {s: pages for s, pages in evidence.items() if s not in confirmed}
    # quote(): large payloads pass between tasks as they are; Prefect would otherwise walk every
    # observation looking for futures (tens of seconds for a full refresh). Prefect's Task
    # signature does not accept quote[T] for T, hence the ignores.
    with collection_paused():
        batch, comparison = Batch(), Comparison()
        if any(to_read.values()):
            progress("*", "normalizing")
            identity, held, batch = read_healthy(
                engine,
                reports,
                confirmed,
                to_read,
                evidence,
                told=progress,
                drafted_ahead=drafted_ahead,
            )
            progress("*", "comparing")
            comparison = compare_catalog(  # type: ignore[call-overload]
                url,
                quote(batch),
                reports,
                run_id,
                accept_new,
                quote(identity),
                frozenset(confirmed),
                quote(held),
            )
        report_unchanged(reports, confirmed)
        progress("*", "applying")
        opened = apply_changes(  # type: ignore[call-overload]
            url,
            run_id,
            quote(batch),
            quote(comparison),
            reports,
            quote(evidence),
            quote(confirmed),
            naming_to_record(reports, batch, confirmed),
        )
    if isinstance(opened, WriteRefused):
        raise CatalogRefusedWrite(opened.reason)
    return Stages(reports, batch, comparison, opened, judged, confirmed)


@flow(name="refresh", log_prints=True)
async def refresh(
    sources: list[str] | None = None,
    replay: str | None = None,
    database: str | None = None,
    accept_new: bool = False,
    progress: Progress | None = None,
    ahead: FetchAhead | None = None,
) -> State:
    """Refresh the catalog from `sources` (default: all), optionally replaying a world.

    `progress`, when given, is called with (source, message) as the run goes ("*" for the run
    as a whole). `ahead`, when given, is the crawl of the same sources and world the command
    started in a child process as it began (spiders/ahead.py): the fetch takes what it read
    and crawls here only what it lacks. The returned state's data is the run's id, None when
    no run was started (an unknown source, or another refresh running on this catalog).
    """
    logger = get_run_logger()
    tell = progress or _quiet
    url = store.database_url(database)
    with catalog_engine(url) as engine:
        selected = sources or list(configured_sources())
        unknown = sorted(set(selected) - set(configured_sources()))
        if unknown:
            return Failed(message=f"unknown sources: {', '.join(unknown)}", data=None)
        world = World.load(Path(replay)) if replay else None
        if world is not None and (unfit := store.world_unfit(str(world.path))):
            return Failed(message=f"replay: {world.path}: {unfit}", data=None)
        held = runlog.values_in_force(engine) if accept_new else 0
        if held:
            # Values let in beside the open items about them would decide those items without
            # a reviewer: on a catalog in use, what is new goes to review.
            accept_new = False
            said = (
                f"accept-new loads an empty catalog only: this one holds {held:,} values in "
                "force, so what is new goes to review"
            )
            if progress is None:  # a deployment's run: its log says it
                logger.warning(said)
            else:  # the command's progress lines say it (once, not also as a Prefect log line)
                tell("*", said)
        try:
            with runlog.refresh_lock(engine, datetime.now(UTC)), records_released():
                return await _locked_refresh(
                    url, engine, selected, world, accept_new, tell, logger, ahead
                )
        except runlog.RefreshRunning as exc:
            return Failed(message=f"refused: {exc}", data=None)
        except OperationalError as exc:  # locked past the busy timeout as the run starts or ends
            return Failed(message=f"the catalog refused the write: {_refusal(exc)}", data=None)


async def _locked_refresh(
    url: str,
    engine: Engine,
    selected: list[str],
    world: World | None,
    accept_new: bool,
    progress: Progress,
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger],
    ahead: FetchAhead | None = None,
) -> State:
    policy = "accept-new" if accept_new else "review"
    run_id = store.start_run(
        engine, world=str(world.path) if world else None, policy=policy, now=datetime.now(UTC)
    )
    runlog.claim(engine, run_id)
    flow_run = get_run_context().flow_run  # type: ignore[union-attr]
    if flow_run is not None:
        store.set_flow_run(engine, run_id, str(flow_run.id))
    progress("*", f"run {run_id}")

    try:
        stages = await _refresh_stages(
            url, engine, selected, world, run_id, accept_new, progress, ahead
        )
    except CatalogRefusedWrite as exc:  # one line, no traceback: the database said why
        status = runlog.end_broken_run(engine, run_id, str(exc), datetime.now(UTC))
        return Failed(
            message=f"the catalog refused the write: {exc}; nothing applied "
            f"(run {run_id} recorded {status})",
            data=run_id,
        )
    except BaseException as exc:  # the run's row must not stay "running" (then re-raise)
        # An interruption can land after the apply committed (while Prefect reports the task):
        # the run then ends as its applied sources say, not failed.
        error = "interrupted" if interrupt_in(exc) else f"{type(exc).__name__}: {exc}"
        runlog.end_broken_run(engine, run_id, error, datetime.now(UTC))
        raise

    ordered = [stages.reports[s] for s in selected]
    failed = health.unusable(ordered)
    summary = {
        "sources": [r.model_dump(mode="json") for r in ordered],
        "answers": stages.answers,
        "review_items_opened": len(stages.opened),
        "stamps": len(stages.comparison.stamps),
        "new_values": len(stages.comparison.new_values),
        "quarantined": len(stages.batch.quarantined),
        "unchanged": {s: u.reason for s, u in stages.confirmed.items()},
        "statements": stages.batch.statements,
    }
    status = health.run_status(ordered)
    noted = store.finish_run(
        engine, run_id, status=status, summary=summary, finished_at=datetime.now(UTC)
    )
    await acreate_markdown_artifact(
        key="refresh-report",
        markdown=health.report_markdown(run_id, ordered, stages.opened, stages.batch.quarantined),
        description=f"ratecard refresh run {run_id}",
    )
    await acreate_table_artifact(
        key="refresh-sources",
        table=[r.model_dump(mode="json") for r in ordered],
        description=f"per-source results of run {run_id}",
    )
    opened = len(stages.opened)
    message = f"run {run_id}: {opened} review item{'' if opened == 1 else 's'} opened"
    decided = noted.get("decided_before", 0)
    if decided:  # a reviewer's decisions stand: say so, not only that nothing was opened
        message += f", {decided} not opened again (decided before on the same evidence)"
    reopened = noted.get("reopened_items", 0)
    if reopened:  # the same proposals, back after a day that closed them: not new items
        message += f", {reopened} reopened (closed without a decision, proposed again)"
    if failed:
        names = ", ".join(f"{r.source} ({r.status.value}: {r.reason})" for r in failed)
        logger.warning("sources not applied: %s", names)
        message += f"; {len(failed)} of {len(ordered)} sources failed: {names}"
    if len(failed) == len(ordered):
        return Failed(message=message, data=run_id)
    return Completed(message=message, data=run_id)
