"""Refresh runs' lifecycle in the catalog: one refresh at a time, runs whose process died marked
abandoned, and what earlier runs said about each URL of a source.

One refresh at a time per catalog is an OS-level lock that dies with its holder: a lock file
beside a SQLite catalog while a refresh runs (``<file>.refresh-lock``, flock; removed as it ends),
a session advisory lock on PostgreSQL.
A second refresh refuses at once with a message naming the running one. Whoever holds (or can
take) the lock knows that any run still marked ``running`` has no live process: it is marked
``abandoned`` with when it was found, by the next refresh or by any command that calls `reap`.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import zlib
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, func, select, text, update

from catalog.health import SIZED, Counts, History, PriceKey, canonical
from catalog.store import last_applied_run, shown_url
from catalog.tables import bodies as kept_bodies
from catalog.tables import (
    catalog_values,
    last_stated,
    observations,
    responses,
    runs,
    source_runs,
)
from schemas.fetch import FetchedPage
from schemas.records import SourceStatus
from schemas.vocab import Kind, Unit

ADVISORY_KEY = 0x7261746563617264  # "ratecard": the PostgreSQL advisory lock of refreshes
SCANNED_RUNS = 200  # how far back a URL's answers read whole are looked for
ANSWERED_BODIES = 2  # a URL's last answers whose bodies tell its own (catalog.health `copies`)
# a URL's last answers whose bodies tell whether it swings between two (catalog.health SWINGING)
SWING_ANSWERS = 3


class RefreshRunning(RuntimeError):
    """Another refresh holds this catalog's lock."""


def _lock_path(engine: Engine) -> Path | None:
    """The lock file of a SQLite catalog, beside the file its path resolves to: a symbolic link
    to the catalog (or a path through one) is the same catalog, and two refreshes through two
    names of it ran at once (fault round 29). None for other databases."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(f"{Path(database).resolve()}.refresh-lock")


def _running(engine: Engine) -> str:
    """The running refresh as a person would name it (for the refusal message)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(runs.c.id, runs.c.started_at, runs.c.summary)
            .where(runs.c.status == "running")
            .order_by(runs.c.id.desc())
            .limit(1)
        ).first()
    if row is None:
        path = _lock_path(engine)
        if path is not None:
            holder = path.read_text(errors="replace").strip() if path.exists() else ""
        else:
            holder = _advisory_holder(engine) if engine.dialect.name == "postgresql" else ""
        return "another refresh is starting on this catalog" + (f" ({holder})" if holder else "")
    owner = row.summary or {}
    return (
        f"refresh run {row.id} is running on this catalog (pid {owner.get('pid', '?')} on "
        f"{owner.get('host', '?')}, started {row.started_at.isoformat(timespec='seconds')})"
    )


@contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    """Yields whether the lock was taken (False: someone holds it). The file exists only while
    it is held: its holder removes it before letting go, so no file stays beside the catalog.
    A process that opened the file just before it was removed locks a file no longer at `path`
    and opens it again (the lock is the file at `path`, compared by inode)."""
    while True:
        with path.open("a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                current = path.stat().st_ino
            except FileNotFoundError:
                current = None
            if current != os.fstat(handle.fileno()).st_ino:
                continue  # removed by its last holder after this process opened it
            handle.truncate(0)  # who holds it, for a refusal while no run is recorded yet
            handle.write(f"pid {os.getpid()} on {socket.gethostname()}".encode())
            handle.flush()
            try:
                yield True
            finally:
                path.unlink(missing_ok=True)
                fcntl.flock(handle, fcntl.LOCK_UN)
            return


HOLDER = "ratecard refresh: "  # the lock's session's application_name: this, then who holds it


def _advisory_holder(engine: Engine) -> str:
    """Who holds the refresh lock on PostgreSQL ('pid … on …', as the lock file says beside a
    SQLite catalog): the application_name its session set; '' when none can be read."""
    with engine.connect() as conn:
        name = conn.execute(
            text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
                " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND (l.classid::bigint << 32 | l.objid::bigint) = :k"
            ),
            {"k": ADVISORY_KEY},
        ).scalar()
    return name.removeprefix(HOLDER) if name and name.startswith(HOLDER) else ""


@contextmanager
def _advisory_lock(engine: Engine) -> Iterator[bool]:
    """A session lock on a connection held for the block (it ends with the session). Its holder
    names itself in the session's application_name, for a refusal while no run is recorded."""
    with engine.connect() as conn:
        taken = bool(
            conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
        )
        if taken:
            holder = f"{HOLDER}pid {os.getpid()} on {socket.gethostname()}"
            conn.execute(text("SELECT set_config('application_name', :h, false)"), {"h": holder})
        conn.commit()  # the session lock outlives the transaction that took it
        try:
            yield taken
        finally:
            if taken:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                conn.execute(text("RESET application_name"))
                conn.commit()


@contextmanager
def _try_lock(engine: Engine) -> Iterator[bool]:
    path = _lock_path(engine)
    if path is not None:
        with _file_lock(path) as taken:
            yield taken
    elif engine.dialect.name == "postgresql":
        with _advisory_lock(engine) as taken:
            yield taken
    else:  # an in-memory catalog lives in one process
        yield True


def reap_locked(engine: Engine, now: datetime) -> list[int]:
    """Mark every run still `running` abandoned, at `now`. Only for the holder of the lock (no
    other refresh can be running then). Returns the runs it marked."""
    with engine.begin() as conn:
        found = conn.execute(
            select(runs.c.id, runs.c.summary).where(runs.c.status == "running")
        ).all()
        for run_id, summary in found:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id, runs.c.status == "running")
                .values(
                    status="abandoned",
                    finished_at=now,
                    summary={**(summary or {}), "error": "its process ended before finishing"},
                )
            )
    return [run_id for run_id, _ in found]


def reap(engine: Engine, now: datetime) -> list[int]:
    """Mark runs whose process died abandoned (at `now`), unless a refresh is running now.
    For any command that reads runs; where no run is marked running it only reads (and creates
    no lock file)."""
    with engine.connect() as conn:
        if conn.execute(select(runs.c.id).where(runs.c.status == "running")).first() is None:
            return []
    with _try_lock(engine) as taken:
        return reap_locked(engine, now) if taken else []


# Catalogs whose refresh lock this process took for a refresh it is about to run
# (`held_for_refresh`): key -> whether that refresh's `refresh_lock` is using it now.
_handed: dict[str, bool] = {}


def _lock_key(engine: Engine) -> str:
    path = _lock_path(engine)
    if path is not None:
        return str(path)
    return shown_url(engine.url)


@contextmanager
def held_for_refresh(engine: Engine) -> Iterator[None]:
    """Take this catalog's refresh lock for a refresh this process runs in the block (the
    command line takes it before Prefect starts, so that a second refresh is refused at once
    even while the first is starting); `refresh_lock` in this process takes it over, once at a
    time. Raises RefreshRunning (naming the running refresh) when another refresh holds it."""
    key = _lock_key(engine)
    with _try_lock(engine) as taken:
        if not taken:
            raise RefreshRunning(_running(engine))
        _handed[key] = False
        try:
            yield
        finally:
            del _handed[key]


@contextmanager
def refresh_lock(engine: Engine, now: datetime) -> Iterator[None]:
    """Hold this catalog's refresh lock while the block runs (or use the one this process
    holds for it, see `held_for_refresh`); first mark runs left `running` by dead processes
    abandoned. Raises RefreshRunning (naming the running refresh) at once when another refresh
    holds it."""
    key = _lock_key(engine)
    if _handed.get(key) is False:
        _handed[key] = True
        try:
            reap_locked(engine, now)
            yield
        finally:
            _handed[key] = False
        return
    with _try_lock(engine) as taken:
        if not taken:
            raise RefreshRunning(_running(engine))
        reap_locked(engine, now)
        yield


def values_in_force(engine: Engine) -> int:
    """How many catalog values are in force (the accept-new policy loads an empty catalog only:
    flows/refresh.py)."""
    c = catalog_values.c
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(catalog_values).where(c.valid_to.is_(None))
            ).scalar_one()
        )


def newest_run(engine: Engine) -> int:
    """The id of the newest run on this catalog (0 when none)."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(runs.c.id))).scalar() or 0)


def end_broken_run(engine: Engine, run_id: int, error: str, now: datetime) -> str:
    """End a run that broke off (an exception, an interruption) unless it has ended: `failed`
    with `error` in its summary when its apply did not commit, else the status its applied
    sources give (ok or degraded), `error` noted. The apply is one transaction that writes the
    run's source_runs rows, so their presence says it committed. Returns the run's status."""
    with engine.begin() as conn:
        status, summary = conn.execute(
            select(runs.c.status, runs.c.summary).where(runs.c.id == run_id)
        ).one()
        if status != "running":
            return str(status)
        applied = conn.execute(
            select(source_runs.c.status).where(source_runs.c.run_id == run_id)
        ).scalars()
        statuses = list(applied)
        if statuses:
            usable = (SourceStatus.OK.value, SourceStatus.PARTIAL.value)
            status = "ok" if all(s in usable for s in statuses) else "degraded"
        else:
            status = "failed"
        conn.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(status=status, finished_at=now, summary={**(summary or {}), "error": error})
        )
    return status


def applied(engine: Engine, run_id: int) -> bool:
    """Whether the run's apply committed (its source_runs rows exist)."""
    with engine.connect() as conn:
        found = conn.execute(select(source_runs.c.run_id).where(source_runs.c.run_id == run_id))
        return found.first() is not None


def claim(engine: Engine, run_id: int) -> None:
    """Record which process runs `run_id` (pid and host), so a refusal can name it."""
    with engine.begin() as conn:
        conn.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(summary={"pid": os.getpid(), "host": socket.gethostname()})
        )


def url_history(conn: Connection, source: str) -> dict[str, History]:
    """For each URL of `source`: the date of the newest evidence it gave there (a response of a
    run that applied it), its usual record count (catalog.health `usual_records` of its last
    answers read whole, a URL beginning a chain of pages counting the chain's: fault-free, or
    judged only for their size, but for a fault the URL recovered from, catalog.health
    `Counts`) and that of its fault-free answers alone, and
    the sha256 of the bodies its last SWING_ANSWERS answers gave (any answer with a body,
    a faulty one too: a body that lasts becomes the URL's own; a URL answering two bodies in
    turn swings) and its last ANSWERED_BODIES answers that were evidence gave (catalog.health
    `copies`, `judge_answer`), the Last-Modified its last answer with a body stated, and the
    newest date its records stated of themselves (`Answer.newest_stated`) in its last answer
    that was evidence and stated one, and in its last answer with a body, and where its last
    answer that was evidence landed (a redirect's landing URL)."""
    newest = dict(
        conn.execute(
            select(responses.c.url, func.max(responses.c.observed_at))
            .where(responses.c.source == source)
            .group_by(responses.c.url)
        ).all()
    )
    counts: dict[str, Counts] = {}
    bodies: dict[str, list[str]] = {}
    evidence: dict[str, list[str]] = {}
    returned_as: dict[str, str] = {}
    last_modified: dict[str, datetime | None] = {}
    last_newest: dict[str, datetime | None] = {}
    newest_stated: dict[str, datetime] = {}  # of the URL's last evidence stating one
    landed: dict[str, str] = {}  # where the URL's last evidence landed
    summaries = conn.execute(
        select(runs.c.summary).order_by(runs.c.id.desc()).limit(SCANNED_RUNS)
    ).scalars()
    for summary in summaries:
        for answer in _answers(summary, source):
            fault = answer.get("fault", "")
            if fault in SIZED:
                counts.setdefault(answer["url"], Counts()).add(_listing_records(answer), not fault)
            body = answer.get("content_hash")
            if body and answer["url"] not in bodies:  # the URL's last answer with a body
                returned_as[answer["url"]] = str(answer.get("returned_as") or "")
                last_modified[answer["url"]] = _stated_at(answer, "last_modified")
                last_newest[answer["url"]] = _stated_at(answer, "newest_stated")
            if not fault:
                landed.setdefault(answer["url"], str(answer.get("landing_url") or answer["url"]))
            listed = _stated_at(answer, "newest_stated")
            if listed is not None and not fault:
                newest_stated.setdefault(answer["url"], listed)
            for kept, wanted, most in (
                (bodies, True, SWING_ANSWERS),
                (evidence, not fault, ANSWERED_BODIES),
            ):
                hashed = kept.setdefault(answer["url"], [])
                if body and wanted and len(hashed) < most:
                    hashed.append(body)
    return {
        url: replace(
            counts[url].history() if url in counts else History(),
            observed_at=newest.get(url),
            bodies=tuple(bodies.get(url, ())),
            evidence_bodies=tuple(evidence.get(url, ())),
            returned_as=returned_as.get(url, ""),
            last_modified=last_modified.get(url),
            newest_stated=newest_stated.get(url),
            last_newest_stated=last_newest.get(url),
            landed=landed.get(url, ""),
        )
        for url in newest.keys() | counts.keys() | bodies.keys()
    }


def _stated_at(answer: Mapping[str, Any], key: str) -> datetime | None:
    """A date an answer's summary records under `key` (ISO text), None where it records none."""
    stated = answer.get(key)
    return datetime.fromisoformat(str(stated)) if stated else None


def returned_bodies(
    conn: Connection, source: str, pages: Sequence[FetchedPage]
) -> dict[str, tuple[datetime, str]]:
    """Of `source`'s `pages` this run, the URLs returning to an earlier body (catalog.health
    RETURNED): the body of an earlier response of the URL that was evidence (a responses row),
    the URL's latest such response having given another; each with the date of the latest
    response that gave it and the sha256 of the body's canonical form (a return written
    otherwise the next day lasts as one byte for byte does). The body is the earlier one byte
    for byte, or written otherwise (`health.canonical`: re-indented, its keys in another order,
    a newline added) where it is one of the URL's RETURN_CANDIDATES latest earlier bodies still
    kept (bodies table). A URL never read, or last read before bodies were hashed, returns to
    nothing, and so does one whose latest response gave this body written otherwise (a fault
    probe: models.dev's body with a byte-order mark one day, then without it, was held as
    "returned to an earlier body", its verifications not renewed). Reads responses and
    bodies."""
    r = responses.c
    wanted = {p.url: p for p in pages if p.content_hash}
    if not wanted:
        return {}
    latest = (
        select(func.max(r.id))
        .where(r.source == source, r.url.in_(wanted))
        .group_by(r.url)
        .scalar_subquery()
    )
    last_body = dict(conn.execute(select(r.url, r.content_hash).where(r.id.in_(latest))).all())
    changed = {
        url: page
        for url, page in wanted.items()
        if last_body.get(url) not in (None, page.content_hash)
    }
    if not changed:
        return {}
    given: dict[str, dict[str, datetime]] = {url: {} for url in changed}
    for url, body, at in conn.execute(
        select(r.url, r.content_hash, func.max(r.observed_at))
        .where(r.source == source, r.url.in_(changed), r.content_hash.is_not(None))
        .group_by(r.url, r.content_hash)
    ):
        if body != last_body[url]:
            given[url][body] = at
    found: dict[str, tuple[datetime, str]] = {}
    for url, page in changed.items():
        earlier = given[url]
        if not earlier:
            continue
        mine = canonical(page.body)
        at = earlier.get(page.content_hash) or _given_otherwise(conn, mine, earlier)
        # read only for a return: the URL's last answer being this body written otherwise
        if at is not None and _kept_canonical(conn, last_body[url]) != mine:
            found[url] = (at, hashlib.sha256(mine).hexdigest())
    return found


RETURN_CANDIDATES = 5  # a URL's latest earlier bodies a body written otherwise is compared with


def _kept_canonical(conn: Connection, content_hash: str | None) -> bytes | None:
    """The canonical form (`health.canonical`) of the kept body of sha256 `content_hash`; None
    where no body of it is kept."""
    kept = conn.execute(
        select(kept_bodies.c.body).where(kept_bodies.c.content_hash == content_hash)
    ).scalar()
    return None if kept is None else canonical(zlib.decompress(kept))


def _given_otherwise(
    conn: Connection, mine: bytes, earlier: Mapping[str, datetime]
) -> datetime | None:
    """The date of the latest of `earlier` (sha256 -> date a URL last gave it), of its
    RETURN_CANDIDATES latest, whose kept body's canonical form is `mine` (a body's
    `health.canonical`); None where none is."""
    latest = sorted(earlier, key=earlier.__getitem__, reverse=True)[:RETURN_CANDIDATES]
    kept = dict(
        conn.execute(
            select(kept_bodies.c.content_hash, kept_bodies.c.body).where(
                kept_bodies.c.content_hash.in_(latest)
            )
        ).all()
    )
    for content_hash in latest:
        if content_hash in kept and canonical(zlib.decompress(kept[content_hash])) == mine:
            return earlier[content_hash]
    return None


def repeating(conn: Connection, answered: Mapping[str, Mapping[str, str]]) -> set[str]:
    """The sources of `answered` (source -> URL -> sha256 of the body it answered this run)
    whose answers repeat, URL for URL, the bodies their latest run's summary records them
    answering: whatever that run made of them, reading them again makes the same (a page
    that collapses in validation every day answers in full at fetch every day). Reads runs."""
    wanted = {source for source, bodies in answered.items() if bodies}
    last: dict[str, dict[str, str]] = {}
    summaries = conn.execute(
        select(runs.c.summary).order_by(runs.c.id.desc()).limit(SCANNED_RUNS)
    ).scalars()
    for summary in summaries:
        for source in wanted - last.keys():
            if gave := _answers(summary, source):
                last[source] = {a["url"]: a.get("content_hash") or "" for a in gave}
        if last.keys() >= wanted:
            break
    return {source for source in wanted if last.get(source) == dict(answered[source])}


def _listing_records(answer: Mapping[str, Any]) -> int:
    """An answer's records as its run summary holds them (catalog.health `Verdict.summary`):
    those of the chain of pages it began where it began one ("listed"), else its own."""
    listed = answer.get("listed")
    return int(answer["records"] if listed is None else listed)


def usual_source_records(conn: Connection, source: str) -> History:
    """The source's usual record count across its URLs, and that of its fault-free runs alone
    (catalog.health `History`, without a date): catalog.health `usual_records` of the
    totals of its last runs whose every answer was read whole (fault-free, or judged only for
    its size: a total that lasts becomes usual, where the last complete run's count never moved
    while the source was broken, and a page that really halved was refused for good; one the
    source recovered from is left out, catalog.health `Counts`). Reads runs."""
    totals = Counts()
    summaries = conn.execute(
        select(runs.c.summary).order_by(runs.c.id.desc()).limit(SCANNED_RUNS)
    ).scalars()
    for summary in summaries:
        answers = _answers(summary, source)
        if answers and all(a.get("fault", "") in SIZED for a in answers):
            fault_free = not any(a.get("fault") for a in answers)
            totals.add(sum(int(a["records"]) for a in answers), fault_free)
            if totals.full:
                break
    return totals.history()


def usual_statements(conn: Connection, sources: Collection[str]) -> dict[str, int]:
    """Each source's usual count of valid statements: the median of the counts its last
    USUAL_ANSWERS runs that read it whole recorded (the run summary's "statements", kept for a
    source whose statements collapsed too: a count that lasts becomes usual from its third
    day, and one the source recovered from is left out, catalog.health `Counts`), the higher
    of the middle two of two counts (a source that grew, and then lost what it gained and
    more, is judged against what it had grown to), of each of `sources`. Reads runs, newest
    first, until each of them has its counts."""
    counts = {source: Counts() for source in sources}
    summaries = conn.execute(
        select(runs.c.summary).order_by(runs.c.id.desc()).limit(SCANNED_RUNS)
    ).scalars()
    for summary in summaries:
        if not isinstance(summary, dict):
            continue
        ok = {
            s.get("source")
            for s in summary.get("sources", [])
            if isinstance(s, dict) and s.get("status") == SourceStatus.OK.value
        }
        for source, count in (summary.get("statements") or {}).items():
            if source in counts and isinstance(count, int):
                counts[source].add(count, source in ok)
        if all(usual.full for usual in counts.values()):
            break
    return {
        source: sorted(usual.kept)[len(usual.kept) // 2]
        for source, usual in counts.items()
        if usual.kept
    }


def prices_in_force(conn: Connection) -> dict[PriceKey, Decimal]:
    """The catalog's prices in force by field (catalog.health.PriceKey): what a source's prices
    are judged against for a rescaled listing besides its own last ones (catalog.health
    `reference_for`). Read from the catalog_values table."""
    c = catalog_values.c
    rows = conn.execute(
        select(c.route, c.model, c.component, c.unit, c.dimensions, c.value).where(
            c.valid_to.is_(None), c.kind == Kind.PRICE.value
        )
    )
    return {
        (route, model, component, unit, dims): Decimal(value)
        for route, model, component, unit, dims, value in rows
    }


def last_prices(conn: Connection, source: str) -> dict[PriceKey, Decimal]:
    """The prices `source` stated in the last run that applied it (ok or partial), by field
    (catalog.health.PriceKey; the source's own name where no model is known). Empty when it
    was never applied. Read from the source_runs and observations tables."""
    return _last_stated(conn, source, observations.c.kind == Kind.PRICE.value)


def last_limits(conn: Connection, source: str) -> dict[PriceKey, Decimal]:
    """The token limits `source` stated in the last run that applied it, by field, as
    `last_prices`: what a block of its limits moved onto another limit's value is judged
    against (catalog.intake `limits_at_another`: a move is the source's own, never a
    difference from another source's value in force)."""
    o = observations.c
    return _last_stated(conn, source, o.kind == Kind.LIMIT.value, o.unit == Unit.TOKENS.value)


def _last_stated(
    conn: Connection, source: str, *where: ColumnElement[bool]
) -> dict[PriceKey, Decimal]:
    o = observations.c
    last = last_applied_run(conn, source)
    if last is None:
        return {}
    rows = conn.execute(
        select(o.route, o.model, o.source_model, o.component, o.unit, o.dimensions, o.value)
        .select_from(last_stated())
        .where(responses.c.run_id == last, o.source == source, *where)
    )
    return {
        (row.route, row.model or row.source_model, row.component, row.unit, row.dimensions): (
            Decimal(row.value)
        )
        for row in rows
    }


def _answers(summary: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(summary, dict):
        return []
    return [a for a in summary.get("answers", []) if a.get("source") == source]
