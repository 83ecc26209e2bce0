"""The catalog store: engine, migrations, reads, and the one-transaction apply of a refresh."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import traceback
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from itertools import chain
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from pydantic import TypeAdapter
from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Result,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.sql.dml import Insert, Update

from catalog import compare, reading_code
from catalog.compare import MISSING_AFTER, Comparison, Current, Listing, NewValue
from catalog.tables import (
    FIELD_COLUMNS,
    bodies,
    catalog_values,
    inserted_id,
    interval_ends,
    last_stated,
    listings,
    observations,
    quarantine,
    responses,
    review_items,
    runs,
    source_runs,
    stamps,
)
from catalog.unchanged import PreviousResponse, PreviousRun, Unchanged
from schemas.fetch import FetchedPage
from schemas.field import Dims, FieldId, ListingId, Measure
from schemas.records import (
    FieldChange,
    Observation,
    Problem,
    ReviewItem,
    ReviewKind,
    ReviewStatus,
    SourceStatus,
    decimal_text,
)
from schemas.sources import is_official
from schemas.vocab import Component, Dim, Kind, Unit

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = f"sqlite:///{ROOT / 'data' / 'ratecard.db'}"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Source statuses whose statements a run applied; any other status (failed, broken…) applied none.
APPLIED = (SourceStatus.OK.value, SourceStatus.PARTIAL.value)
ACCEPT_NEW = "policy:accept-new"  # accepted_by of the values the first-load policy let in


def database_url(url: str | None = None) -> str:
    """The catalog's URL: the argument, else RATECARD_DB, else the SQLite file in data/."""
    return url or os.environ.get("RATECARD_DB") or DEFAULT_DB


# Bytes per page of a new SQLite catalog (an existing file keeps the size it was made with). A
# refresh at 10^6 observations writes ~600 MB of rows and rebuilt indexes; pages of 16 KiB hold
# four times the rows of SQLite's default 4 KiB, so a bulk insert and an index build touch a
# quarter of the pages: about 0.8 s of a 15.5 s apply at 10^6 (benchmarks/scale.py).
PAGE_SIZE = 16384


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before WAL: only an empty file takes it
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


# Seconds a server database has to answer a connection (libpq's connect_timeout; a URL that sets
# its own keeps it). Without one a server that accepts and never answers held every command.
CONNECT_TIMEOUT = 10


def _connect_args(url: URL) -> dict[str, Any]:
    """The driver arguments a catalog engine adds to `url`: a connect timeout for PostgreSQL."""
    if url.get_backend_name() != "postgresql" or "connect_timeout" in url.query:
        return {}
    return {"connect_timeout": CONNECT_TIMEOUT}


def connect(url: str | None = None) -> Engine:
    """An engine for the catalog, migrated to the latest schema."""
    url = database_url(url)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args=_connect_args(make_url(url)))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return engine


# A password in a URL that does not parse ("scheme://user:password@host..."), hidden as shown.
_PASSWORD_IN_TEXT = re.compile(r"(://[^:/@]*:).*@")
SECRET_PARAMETERS = ("password", "sslpassword")  # libpq's query parameters that hold secrets
HIDDEN = "***"


def shown_url(url: URL) -> str:
    """`url` as a message shows it: its password hidden, in the URL or as a query parameter."""
    secrets = {key: HIDDEN for key in url.query if key in SECRET_PARAMETERS}
    if not secrets:
        return url.render_as_string(hide_password=True)
    rendered = url.update_query_dict(secrets).render_as_string(hide_password=True)
    return rendered.replace(f"={quote(HIDDEN)}", f"={HIDDEN}")


class CatalogUnavailable(Exception):
    """No usable catalog at a URL. The message is one line: the URL (password hidden) and why."""


SQLITE_MAGIC = b"SQLite format 3\x00"
CATALOG_BACKENDS = ("sqlite", "postgresql")  # what the migrations and queries are written for


def open_catalog(url: str | None = None, *, create: bool = False) -> Engine:
    """An engine for the catalog at `url` (see `database_url`), migrated to the latest schema.

    Without `create` the catalog must already exist and nothing is created: an SQLite path must
    name a file holding a ratecard catalog (an `alembic_version` table), which is checked with a
    plain read before SQLAlchemy opens it, so a mistyped path makes no file or folder and a
    foreign database is neither converted to WAL nor migrated; a server database must accept a
    connection and hold a catalog. With `create` a missing SQLite file (and its folders) or an
    empty server database becomes a new catalog; an existing file must still be one.
    Raises CatalogUnavailable (one line naming the URL and the rule) for a URL that does not
    parse, a database other than SQLite or PostgreSQL, an unknown, missing or asyncio driver,
    an SQLite URL with query arguments, an in-memory database, a directory, a file that is not
    an SQLite database or not a catalog, a server database that holds other tables and no
    catalog, a path that cannot be created, or a connection refused or not answered within
    CONNECT_TIMEOUT seconds.
    """
    text = database_url(url)
    try:
        parsed = make_url(text)
    except (ArgumentError, ValueError):  # ValueError: a port that is no number
        shown_text = _PASSWORD_IN_TEXT.sub(r"\1" + HIDDEN + "@", text)
        raise CatalogUnavailable(
            f"{shown_text!r} is not a database URL (use sqlite:///PATH or postgresql+psycopg://…)"
        ) from None
    shown = shown_url(parsed)
    try:
        dialect = parsed.get_dialect()
    except (NoSuchModuleError, ArgumentError) as exc:
        raise CatalogUnavailable(f"{shown}: unknown database driver ({exc})") from None
    if parsed.get_backend_name() not in CATALOG_BACKENDS or dialect.is_async:
        raise CatalogUnavailable(
            f"{shown}: the catalog is SQLite or PostgreSQL by a driver that is not asyncio "
            "(use sqlite:///PATH or postgresql+psycopg://…)"
        )
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_url(shown, parsed)
        _check_sqlite_file(shown, parsed.database, create=create)
    try:
        engine = create_engine(parsed, connect_args=_connect_args(parsed))
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        raise CatalogUnavailable(f"{shown}: unknown database driver ({exc})") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect() as conn:
            holds_catalog = conn.dialect.has_table(conn, "alembic_version")
        if not (holds_catalog or create):
            raise CatalogUnavailable(f"{shown}: the database holds no ratecard catalog")
        migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise CatalogUnavailable(f"{shown}: cannot use the database: {reason}") from None
    except CatalogUnavailable:
        engine.dispose()
        raise
    except CommandError as exc:  # a revision Alembic does not have: a newer ratecard's catalog
        engine.dispose()
        raise CatalogUnavailable(f"{shown}: {exc}: a catalog from another ratecard") from None
    return engine


def _check_sqlite_url(shown: str, url: URL) -> None:
    """Refuse an SQLite URL with query arguments: pysqlite ignored those it does not take
    (`?mode=ro` opened the catalog for writing, with a SQLAlchemy warning and its source line),
    and those it takes (`timeout`, `isolation_level`, `uri`) would change the connection ratecard
    sets up itself (its busy timeout, its write transactions)."""
    if url.query:
        given = ", ".join(sorted(url.query))
        raise CatalogUnavailable(
            f"{shown}: an SQLite catalog's URL takes no query arguments ({given}): ratecard "
            "sets its connection's options itself; use sqlite:///PATH"
        )


def _check_sqlite_file(shown: str, database: str | None, *, create: bool) -> None:
    """Refuse an SQLite path that is no catalog file; with `create`, make a missing one's folder."""
    if database == ":memory:":  # as typed: SQLAlchemy renders it percent-encoded
        raise CatalogUnavailable(
            "sqlite:///:memory: is a database in memory, gone at exit: give the catalog's file "
            "(sqlite:///PATH)"
        )
    if not database or database.startswith("file:"):
        raise CatalogUnavailable(f"{shown}: give the catalog's file (sqlite:///PATH)")
    path = Path(database)
    if path.is_dir():
        raise CatalogUnavailable(f"{shown}: {path} is a directory, not a catalog file")
    if not path.exists():
        if not create:
            raise CatalogUnavailable(f"{shown}: no catalog at {path} (nothing was created)")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CatalogUnavailable(f"{shown}: {_uncreatable(path.parent, exc)}") from None
        return
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise CatalogUnavailable(f"{shown}: cannot read {path}: {exc.strerror}") from None
    if not header:  # an empty file is an empty SQLite database: a new catalog for `create`
        if create:
            return
        raise CatalogUnavailable(f"{shown}: {path} is an empty file, not a catalog")
    if header != SQLITE_MAGIC:
        raise CatalogUnavailable(f"{shown}: {path} is not an SQLite database")
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as exc:
        raise CatalogUnavailable(f"{shown}: {_unopenable(path, exc)}") from None
    if "alembic_version" not in tables and (tables or not create):
        empty = "" if tables else "an empty one, "
        raise CatalogUnavailable(
            f"{shown}: {path} is an SQLite database, {empty}not a ratecard catalog"
        )


def _unopenable(path: Path, exc: sqlite3.Error) -> str:
    """Why SQLite could not open the catalog file `path`, which reads: its folder not writable
    where SQLite must make the write-ahead log's -wal and -shm files beside it (a catalog on a
    read-only mount or a backup volume said 'cannot read ...: unable to open database file' of
    a file that reads), else SQLite's own word."""
    folder = path.resolve().parent
    if not os.access(folder, os.W_OK) and not path.with_name(path.name + "-shm").exists():
        return (
            f"cannot open {path}: its folder {folder} is not writable, and SQLite makes the "
            "catalog's -wal and -shm files beside it (copy the catalog to a writable folder)"
        )
    return f"cannot read {path}: {exc}"


def _uncreatable(folder: Path, exc: OSError) -> str:
    """Why the catalog's `folder` could not be made: the file standing where a folder must be
    ('cannot create /x/notes.txt/new: /x/notes.txt is a file, not a folder'; the system's own
    word was 'File exists' or 'Not a directory', naming neither file), else the system's."""
    standing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if standing is not None and not standing.is_dir():
        return f"cannot create {folder}: {standing} is a file, not a folder"
    return f"cannot create {folder}: {exc.strerror}"


def _migrations() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def _head() -> str | None:
    """The newest revision in catalog/migrations (read once per process)."""
    return ScriptDirectory.from_config(_migrations()).get_current_head()


MIGRATION_LOCK_KEY = 0x7261746563617267  # PostgreSQL's advisory lock of a catalog's migration


def migrate(engine: Engine) -> None:
    """Upgrade the catalog to the newest revision in catalog/migrations, in one transaction. A
    catalog already there (its alembic_version row) is left as it is without running Alembic's
    upgrade: every connect checks, and most find nothing to do. A catalog is created in an empty
    database only: CatalogUnavailable for one that holds other tables and no catalog (another
    application's; a flow or the web app given its URL wrote the catalog's tables beside them),
    also where those tables come with an Alembic revision of their own (Prefect's database).
    """
    with engine.begin() as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
        if revision == _head():
            return
        if conn.dialect.name == "postgresql":
            # Two first connects to one empty database (two refreshes started at once) both
            # created the tables, and the loser read "duplicate key value violates unique
            # constraint" as an unusable database (fault round 29): one migrates at a time, and
            # the next finds the catalog there.
            conn.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
            revision = MigrationContext.configure(conn).get_current_revision()
            if revision == _head():
                return
        others = sorted(set(inspect(conn).get_table_names()) - {"alembic_version"})
        # Another application's: any table beside no catalog, or its own Alembic revision (a
        # Prefect database) beside no table of ratecard's.
        if others and (revision is None or runs.name not in others):
            shown = shown_url(engine.url)
            held = f"{len(others)} table{'s' if len(others) > 1 else ''} ({', '.join(others[:3])}"
            raise CatalogUnavailable(
                f"{shown}: the database holds {held}{', …' if len(others) > 3 else ''}) and no "
                "ratecard catalog (give an empty database or a catalog)"
            )
        config = _migrations()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


@contextmanager
def write_transaction(engine: Engine, *, rollback: bool = False) -> Iterator[Connection]:
    """One transaction that reads what it is about to replace under the catalog's write lock;
    committed at the end of the block, or rolled back with `rollback` (a rehearsal: a dry run
    that makes every write and keeps none).

    SQLite: BEGIN IMMEDIATE takes the database's write lock before the first read (waiting up
    to busy_timeout for another writer), so what the transaction reads stays true until it
    commits. PostgreSQL: an ordinary transaction; writers that race are stopped by row checks
    (UPDATE … WHERE valid_to IS NULL) and the one-value-in-force index.
    """
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn
        except BaseException as exc:
            transaction.rollback()
            if not isinstance(exc, Exception):
                _release_statements(exc)
            raise
        if rollback:
            transaction.rollback()
        else:
            transaction.commit()


def _release_statements(interruption: BaseException) -> None:
    """Free what the frames an interruption (a signal's KeyboardInterrupt or Prefect's
    TerminationSignal) unwound still hold. Raised inside a statement (SQLite's executemany calls
    back into Python), it makes SQLAlchemy invalidate the connection rather than roll it back,
    and SQLite then keeps the connection, its transaction and so the write lock until the
    statement's cursor is freed: the cursor lives in those frames, which the exception's
    traceback keeps, and the run could not be recorded ended for the busy timeout (fault round
    29: 'database is locked', the run left 'running'). Clearing them (their locals; the
    traceback still names every line) frees it."""
    traceback.clear_frames(interruption.__traceback__)


def world_unfit(world: str) -> str:
    """Why a replayed world's path cannot be a run's `world` ('' when it can): longer than the
    runs.world column, which PostgreSQL enforces (the run would fail as it starts; SQLite
    stores any length)."""
    column = runs.c.world.type
    width = column.length if isinstance(column, String) else None
    if width is None or len(world) <= width:
        return ""
    return f"a path of {len(world)} characters (the catalog records at most {width})"


def start_run(engine: Engine, *, world: str | None, policy: str, now: datetime) -> int:
    """Record a run as started at `now` (status "running", an empty summary), with the world it
    replays (None: live) and its policy ("accept-new" or "review"); returns its id. One
    transaction."""
    with engine.begin() as conn:
        result = conn.execute(
            insert(runs).values(
                started_at=now, world=world, policy=policy, status="running", summary={}
            )
        )
        return inserted_id(result)


def finish_run(
    engine: Engine, run_id: int, *, status: str, summary: dict[str, Any], finished_at: datetime
) -> dict[str, Any]:
    """Record the run's end: its status, and `summary` over what the apply noted in the run's
    summary (`apply`: decided_before, stale_items, in_force_meanwhile). Returns the whole."""
    with engine.begin() as conn:
        noted = conn.execute(select(runs.c.summary).where(runs.c.id == run_id)).scalar() or {}
        whole = {**noted, **summary}
        conn.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(status=status, summary=whole, finished_at=finished_at)
        )
    return whole


def set_flow_run(engine: Engine, run_id: int, flow_run_id: str) -> None:
    """Record the Prefect flow run that runs catalog run `run_id`."""
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(flow_run_id=flow_run_id))


def load_catalog(conn: Connection, models: Iterable[str] | None = None) -> dict[FieldId, Current]:
    """Every value in force, by field; only those of `models` (canonical names) when given."""
    c = catalog_values.c
    columns = select(
        c.id, c.route, c.model, c.kind, c.component, c.unit, c.dimensions, c.value, c.verified_by
    ).where(c.valid_to.is_(None))
    if models is None:
        queries = [columns]
    else:
        wanted = sorted(set(models))
        queries = [
            columns.where(c.model.in_(wanted[start : start + 5000]))
            for start in range(0, len(wanted), 5000)
        ]
    # A catalog has few distinct measures, values and routes, and several fields per model:
    # each is built once and shared (at 10^6 fields, a Decimal and a str per row were ~300 MB
    # of a refresh's peak).
    measures: dict[tuple[str, str, str, str], Measure] = {}
    values = _Memo(Decimal)
    names: dict[str, str] = {}
    shared = names.setdefault
    return {
        FieldId(shared(r.route, r.route), shared(r.model, r.model), _measure(r, measures)): Current(
            r.id, values[r.value], r.verified_by and shared(r.verified_by, r.verified_by)
        )
        for query in queries
        for r in _rows(conn.execute(query))
    }


def _rows(result: Result[Any]) -> Iterator[Any]:
    """A result's rows, fetched 10,000 at a time: as fast as one fetchall, without holding a
    million rows in a list at once."""
    for part in result.partitions(10_000):
        yield from part


def _measure(row: Any, measures: dict[tuple[str, str, str, str], Measure]) -> Measure:
    """A row's measure (kind, component, unit, dimensions), each distinct one built once
    (`measures` keeps them by text)."""
    text = (row.kind, row.component, row.unit, row.dimensions)
    measure = measures.get(text)
    if measure is None:
        measure = measures[text] = Measure(
            Kind(row.kind), Component(row.component), Unit(row.unit), Dims.parse(row.dimensions)
        )
    return measure


def last_applied_run(conn: Connection, source: str) -> int | None:
    """The id of the last run that applied `source` (status ok or partial) with at least one
    observation; None when none did. Read from the source_runs table."""
    r = source_runs.c
    found: int | None = conn.execute(
        select(r.run_id)
        .where(r.source == source, r.status.in_(APPLIED), r.observations > 0)
        .order_by(r.run_id.desc())
        .limit(1)
    ).scalar()
    return found


def last_statements(
    conn: Connection,
    sources: Iterable[str],
    models: Collection[str] | None = None,
    *,
    hidden: bool = False,
) -> tuple[Observation, ...]:
    """What each source stated in the last run that applied it (status ok or partial): the
    statements that hold for it while it fails (compare's Context.held); only those of
    `models` (canonical names) when given. A source never applied holds nothing. Where that
    run was partial, each field as the source last stated it since its last complete run (a
    file that failed two runs in a row stands as it last answered, not as nothing: a fault
    round's Portkey zhipu.json answering 404 narrowed three new-model items on its second
    day). `hidden`
    (with `models`): each field of those models as the source last stated it up to that run,
    in that run or before: a field a record's problem hides stands so for as long as the
    problem lasts (the run that held it stated nothing of it). Read from the observations and
    responses tables."""
    held: list[Observation] = []
    chunks: list[list[str] | None] = [None]
    if models is not None:
        names = sorted(models)
        chunks = [names[i : i + 500] for i in range(0, len(names), 500)]
    for source in sorted(set(sources)):
        last = last_applied_run(conn, source)
        if last is None:
            continue
        since = 0 if hidden else _last_complete_run(conn, source, last)
        for chunk in chunks:
            held.extend(_statements_of(conn, source, last, chunk, since=since))
    return tuple(held)


def _last_complete_run(conn: Connection, source: str, last: int) -> int | None:
    """The last run up to `last` that applied `source` whole (status ok): None when that is
    `last` itself (its statements are that run's), 0 when none did (every run up to `last`
    is read). Reads source_runs."""
    r = source_runs.c
    found: int | None = conn.execute(
        select(r.run_id)
        .where(r.source == source, r.status == SourceStatus.OK.value, r.run_id <= last)
        .order_by(r.run_id.desc())
        .limit(1)
    ).scalar()
    return None if found == last else found or 0


def last_set_aside(
    conn: Connection,
    wanted: Mapping[str, Collection[str] | None],
    rules: Collection[str] | None = None,
) -> list[Problem]:
    """The values each source's last applied run set aside (quarantine rows that keep the
    value's observation: a magnitude, a threshold, a slip, a field stated twice) of the models
    `wanted` names for it (canonical names, or the source's own where it maps to none; None:
    every model), by any rule or those of `rules`, as problems. Reads source_runs and
    quarantine."""
    q = quarantine.c
    found: list[Problem] = []
    for source, models in sorted(wanted.items()):
        last = last_applied_run(conn, source)
        if last is None or (models is not None and not models):
            continue
        query = select(q.record, q.rule, q.detail, q.payload).where(
            q.source == source, q.last_run_id == last
        )
        rows = conn.execute(query if rules is None else query.where(q.rule.in_(sorted(rules))))
        for row in rows:
            payload = row.payload if isinstance(row.payload, dict) else {}
            if "value" not in payload:
                continue
            obs = _OBSERVATION.validate_python(payload)
            if models is None or (obs.model or obs.source_model) in models:
                found.append(
                    Problem(
                        source=source,
                        record=row.record,
                        rule=row.rule,
                        detail=row.detail,
                        observation=obs,
                    )
                )
    return found


def _statements_of(
    conn: Connection, source: str, run_id: int, models: list[str] | None, *, since: int | None
) -> list[Observation]:
    """`last_statements` of one source: what it stated in run `run_id` (of `models` when
    given); with `since`, each field as stated in the last run from `since` up to `run_id`
    that stated it."""
    o = observations.c
    query = (
        select(observations, responses.c.run_id.label("stated_in"), responses.c.url)
        .add_columns(responses.c.landing_url, responses.c.observed_at)
        .select_from(last_stated())
        .where(o.source == source)
        .order_by(o.id)
    )
    if models is not None:
        query = query.where(o.model.in_(models))
    if since is None:
        rows = conn.execute(query.where(responses.c.run_id == run_id)).all()
    else:
        rows = conn.execute(query.where(responses.c.run_id.between(since, run_id))).all()
        field = attrgetter("route", "model", "kind", "component", "unit", "dimensions")
        latest: dict[tuple[object, ...], int] = {}
        for row in rows:
            latest[field(row)] = max(latest.get(field(row), 0), row.stated_in)
        rows = [row for row in rows if row.stated_in == latest[field(row)]]
    return [Observation.from_row(row) for row in rows]


def last_applied_responses(conn: Connection, source: str) -> list[FetchedPage] | None:
    """The responses of the last run that applied `source` (see `last_applied_run`), in the order
    they were recorded, each with its body as received (`records` left empty: parsing is the
    source's own). None when the source was never applied or a body is no longer kept (retention)
    or was never hashed. Reads responses and bodies."""
    last = last_applied_run(conn, source)
    if last is None:
        return None
    r, b = responses.c, bodies.c
    rows = conn.execute(
        select(r.url, r.landing_url, r.observed_at, r.content_hash, b.body)
        .outerjoin(bodies, b.content_hash == r.content_hash)
        .where(r.run_id == last, r.source == source)
        .order_by(r.id)
    ).all()
    if not rows or any(row.body is None for row in rows):
        return None
    return [
        FetchedPage(
            url=row.url,
            landing_url=row.landing_url,
            status=200,
            observed_at=row.observed_at,
            records=[],
            content_hash=row.content_hash,
            body=zlib.decompress(row.body),
        )
        for row in rows
    ]


def last_applied_bodies(
    conn: Connection, source: str, larger_than: Mapping[str, int]
) -> dict[str, bytes]:
    """Of the URLs in `larger_than` (URL -> a size in bytes), the body each gave in the last run
    that applied `source` (see `last_applied_run`), where that body is still kept and is larger
    than the size given; by URL. Reads responses and bodies (the sizes first: only the bodies
    asked for are decompressed)."""
    last = last_applied_run(conn, source)
    if last is None or not larger_than:
        return {}
    r, b = responses.c, bodies.c
    sized = conn.execute(
        select(r.url, b.content_hash, b.size)
        .join(bodies, b.content_hash == r.content_hash)
        .where(r.run_id == last, r.source == source, r.url.in_(list(larger_than)))
    ).all()
    wanted = {row.content_hash: row.url for row in sized if row.size > larger_than[row.url]}
    if not wanted:
        return {}
    kept = conn.execute(select(b.content_hash, b.body).where(b.content_hash.in_(list(wanted))))
    return {wanted[row.content_hash]: zlib.decompress(row.body) for row in kept}


def load_listings(conn: Connection) -> dict[ListingId, Listing]:
    """How each source's complete listings have shown each model so far."""
    rows = conn.execute(select(listings))
    return {
        ListingId(r.source, r.route, r.model): Listing(r.last_seen_run, r.missing_runs)
        for r in rows
    }


def unmapped_names(
    conn: Connection,
) -> dict[tuple[str, str], tuple[tuple[int, frozenset[str]], ...]]:
    """The names each (source, route) stated that mapped to no model, as each unmapped-name
    item opened on them recorded them (its detail, a name a line), with the item's run, oldest
    first (compare's Context.unmapped_before)."""
    c = review_items.c
    found: dict[tuple[str, str], list[tuple[int, frozenset[str]]]] = {}
    rows = conn.execute(
        select(c.sources, c.route, c.run_id, c.detail)
        .where(c.kind == ReviewKind.UNMAPPED.value)
        .order_by(c.run_id, c.id)
    )
    for sources, route, run_id, detail in rows:
        names = frozenset(filter(None, (detail or "").split("\n")))
        for source in sources or ():
            found.setdefault((source, route), []).append((run_id, names))
    return {key: tuple(history) for key, history in found.items()}


def catalog_models(conn: Connection) -> set[str]:
    """Canonical models the catalog holds values for (catalog_values)."""
    return set(conn.execute(select(catalog_values.c.model).distinct()).scalars())


def officially_listed(conn: Connection) -> set[str]:
    """Models an official source listed for its own route in a complete listing (the listings
    table, under the name identity gave them that run): what keeps a secondary's names for them
    mapped while that official source is failing. One its complete listings have left out
    MISSING_AFTER times running is gone from them, as a missing item says of one the catalog
    holds: a name an official page listed for a day (a preview renamed GA, then back) no
    longer maps the secondaries' names for good (fault round 51; a model the catalog holds
    stays known by its values)."""
    li = listings.c
    listed = conn.execute(
        select(li.source, li.route, li.model).where(li.missing_runs < MISSING_AFTER).distinct()
    )
    return {r.model for r in listed if is_official(r.source, r.route)}


# The observation columns an insert writes, in the order of _insert_observations' row tuples.
_OBSERVATION_COLUMNS = (
    "run_id",
    "response_id",
    "end_id",
    "source",
    "route",
    "model",
    "source_model",
    "kind",
    "component",
    "unit",
    "dimensions",
    "value",
    "evidence",
    "effective_from",
)


def _open_intervals(
    conn: Connection, run_id: int, keys: Sequence[tuple[str, str]]
) -> dict[tuple[object, ...], tuple[int, str]]:
    """The intervals the previous response of each (source, URL) ended: a repeat extends them.

    Keyed by (source, URL, statement: the observation row's route .. value columns, see
    `_OBSERVATION_COLUMNS`, and its effective date: a price in force and its scheduled twin of
    the same value are two statements); the value is the observation row's id and evidence.
    The rows are found by their source (the index no interval's move rewrites) and the end
    rows of those responses.
    """
    wanted = set(keys)
    r, e = responses.c, interval_ends.c
    url_of = {
        row.id: row.url
        for row in conn.execute(
            select(func.max(r.id).label("id"), r.source, r.url)
            .where(r.run_id < run_id, r.source.in_({s for s, _ in keys}))
            .group_by(r.source, r.url)
        )
        if (row.source, row.url) in wanted
    }
    if not url_of:
        return {}
    ended = sorted(url_of)
    url_of_end: dict[int, str] = {}
    for start in range(0, len(ended), 5000):
        for row in conn.execute(
            select(e.id, e.response_id).where(e.response_id.in_(ended[start : start + 5000]))
        ):
            url_of_end[row.id] = url_of[row.response_id]
    if not url_of_end:
        return {}
    o = observations.c
    statement = (o.route, o.model, o.source_model, o.kind, o.component, o.unit, o.dimensions)
    ends = sorted(url_of_end)
    found: dict[tuple[object, ...], tuple[int, str]] = {}
    # Each distinct text of the keys held once (a driver makes a str per row and column; the
    # keys of 10^6 intervals repeat few routes, measures and values, a model's name per field).
    texts: dict[object, object] = {}
    share = texts.setdefault
    for start in range(0, len(ends), 5000):
        rows = conn.execute(
            select(
                o.id, o.evidence, o.source, o.end_id, *statement, o.value, o.effective_from
            ).where(o.source.in_({s for s, _ in keys}), o.end_id.in_(ends[start : start + 5000]))
        )
        for row in _rows(rows):
            key = (row[2], url_of_end[row[3]], *row[4:])
            found[tuple(map(share, key, key))] = (row[0], row[1])
    return found


def _insert_observations(conn: Connection, run_id: int, valid: Sequence[Observation]) -> None:
    """Each response once (source, URL, landing URL, date), with its end row; then each
    observation extends the interval its source's previous response of that URL ended (points
    it at this response's end row), or starts a new one there. An interval extended by a
    statement written otherwise (its evidence: a page's section renamed, the value the same)
    takes the latest response's words, so that the evidence an interval shows is what the
    response it ends at says (a fault round: an item quoted the epoch-1 page's text dated as
    the epoch-2 page)."""
    keys = list(dict.fromkeys((o.source, o.url, o.landing_url, o.observed_at) for o in valid))
    if not keys:
        return
    ids = conn.execute(
        insert(responses).returning(responses.c.id, sort_by_parameter_order=True),
        [
            {"run_id": run_id, "source": s, "url": u, "landing_url": lu, "observed_at": at}
            for s, u, lu, at in keys
        ],
    ).scalars()
    response_of = dict(zip(keys, ids, strict=True))
    end_ids = conn.execute(
        insert(interval_ends).returning(interval_ends.c.id, sort_by_parameter_order=True),
        [{"response_id": response_id} for response_id in response_of.values()],
    ).scalars()
    end_of = dict(zip(response_of.values(), end_ids, strict=True))
    open_rows = _open_intervals(conn, run_id, list(dict.fromkeys((s, u) for s, u, _, _ in keys)))
    extended: list[tuple[int, int]] = []
    reworded: list[tuple[int, int, str]] = []
    fresh: list[tuple[object, ...]] = []
    texts = _Texts()
    effective = _binder(conn, observations, "effective_from")  # rows go in ready to bind
    for obs in valid:
        response_id = response_of[(obs.source, obs.url, obs.landing_url, obs.observed_at)]
        text = texts[obs.value]
        row = (
            run_id,
            response_id,
            end_of[response_id],
            obs.source,
            obs.route,
            obs.model,
            obs.source_model,
            _STORED[obs.kind],
            _STORED[obs.component],
            _STORED[obs.unit],
            obs.dimensions.key,
            text,
            obs.evidence,
            effective(obs.effective_from),
        )
        if open_rows:
            found = open_rows.pop((obs.source, obs.url, *row[4:12], obs.effective_from), None)
            if found is not None:
                row_id, said = found
                if said == obs.evidence:
                    extended.append((row_id, end_of[response_id]))
                else:
                    reworded.append((row_id, end_of[response_id], obs.evidence))
                continue
        fresh.append(row)
    _insert_tuples(conn, observations, _OBSERVATION_COLUMNS, fresh, bound={"effective_from"})
    o = observations.c
    if extended:
        _execute_rows(
            conn,
            update(observations).where(o.id == bindparam("oid")).values(end_id=bindparam("end")),
            ("oid", "end"),
            extended,
        )
    if reworded:
        _execute_rows(
            conn,
            update(observations)
            .where(o.id == bindparam("oid"))
            .values(end_id=bindparam("end"), evidence=bindparam("evidence")),
            ("oid", "end", "evidence"),
            reworded,
        )


# Each vocabulary member's stored text as a plain str. A member is its text (StrEnum) but the
# sqlite3 driver binds only an exact str directly: a subclass goes through its adapter look-up,
# about 0.8 s per million rows and column (three such columns in observations and values).
_STORED: dict[Kind | Component | Unit, str] = {
    member: member.value for vocab in (Kind, Component, Unit) for member in vocab
}


class _Texts(dict[Decimal, str]):
    """Each value's stored text (`decimal_text`) by value, formatted once per distinct value (a
    batch states few); zero is formatted each time: -0 equals 0 but is kept as stated."""

    def __missing__(self, value: Decimal) -> str:
        text = decimal_text(value)
        if value:
            self[value] = text
        return text


_CHANGES: TypeAdapter[list[FieldChange]] = TypeAdapter(list[FieldChange])


def item_row(item: ReviewItem, *, changes: bool = True) -> dict[str, Any]:
    """A review item as its review_items row (changes as JSON-ready dicts, one dump per item;
    left out if not `changes`)."""
    row = {
        "kind": item.kind.value,
        "route": item.route,
        "model": item.model,
        "title": item.title,
        "sources": item.sources,
        "detail": item.detail,
        "fingerprint": item.fingerprint,
        "slot": item.slot,
        "status": item.status.value,
        "created_at": item.created_at,
        "due_at": item.due_at,
        "last_seen_at": item.created_at,
        "run_id": item.run_id,
    }
    if changes:
        row["changes"] = _CHANGES.dump_python(item.changes, mode="json")
    return row


def _item_rows(
    items: Sequence[ReviewItem], triaged: Sequence[Mapping[str, Any]] | None
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """Review items (with each one's triage columns, if `triaged`) as review_items rows for
    `_insert_tuples`: (the columns, plain tuples), each item's changes serialized to JSON text
    at once by pydantic (bound as is: `bound`)."""
    rows = [item_row(item, changes=False) for item in items]
    for row, columns in zip(rows, triaged or (), strict=triaged is not None):
        row.update(columns)
    names = (*rows[0], "changes") if rows else ("changes",)
    return names, [
        (*row.values(), _CHANGES.dump_json(item.changes).decode())
        for item, row in zip(items, rows, strict=True)
    ]


def _insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (dicts, all with the same keys) in one executemany (see `_insert_tuples`)."""
    if not rows:
        return
    names = tuple(rows[0])
    _insert_tuples(conn, table, names, [tuple(row[name] for name in names) for row in rows])


def _insert_tuples(
    conn: Connection,
    table: Table,
    names: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    statement: Insert | None = None,
    bound: Collection[str] = (),
) -> None:
    """Insert rows, plain tuples of the columns `names` in that order, in one executemany
    (of `statement`, an INSERT into `table`, e.g. with ON CONFLICT; default a plain INSERT).
    The values of the columns named in `bound` are ready to bind as they are: through their
    type's bind processor already (see `_binder`), or a JSON column's text.

    The statement is compiled once and only the values of columns whose type has a bind
    processor go through it, as SQLAlchemy would do, but without its per-row parameter
    bookkeeping: a refresh writes ~10^5 rows (observations, stamps) and that bookkeeping (and
    a dict per row) was most of the write time. Rows already in the statement's column order
    with every value ready (the row builders of the large tables) are handed to the driver as
    they are.
    """
    if not rows:
        return
    compiled = (statement if statement is not None else insert(table)).compile(
        dialect=conn.dialect, column_keys=list(names)
    )
    processed = {
        index: (process, not isinstance(table.c[name].type, JSON))
        for index, name in enumerate(names)
        if name not in bound
        and (process := table.c[name].type._cached_bind_processor(conn.dialect)) is not None
        and not _binds_as_is(process, rows, index)
    }
    positional = compiled.positiontup is not None  # qmark / format drivers (SQLite)
    order = list(range(len(names)))
    if positional:
        position = {name: index for index, name in enumerate(names)}
        order = [position[name] for name in compiled.positiontup or ()]
    params: Sequence[tuple[Any, ...]] = rows
    if processed:
        # Column by column: each processed column's distinct values (a run's dates are few) go
        # through its processor once; then the columns are zipped back into rows in the
        # statement's order.
        columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
        for index, (process, distinct) in processed.items():
            values = columns[index]
            columns[index] = (
                _processed(process, values) if distinct else [process(v) for v in values]
            )
        params = list(zip(*(columns[i] for i in order), strict=True))
    elif order != list(range(len(names))):
        params = list(map(itemgetter(*order), rows)) if len(order) > 1 else rows
    with _bulk_load(conn, table, len(rows)):
        if positional:
            conn.exec_driver_sql(compiled.string, list(params))
        else:  # pyformat / named drivers (psycopg)
            ordered = [names[i] for i in order]
            conn.exec_driver_sql(
                compiled.string, [dict(zip(ordered, row, strict=True)) for row in params]
            )


# Rows from which an insert into a SQLite table that holds no more rows than it adds rebuilds the
# table's secondary indexes instead of maintaining them row by row (`_bulk_load`). Below it the
# few milliseconds of DDL are not worth saving.
BULK_ROWS = 10_000


@contextmanager
def _bulk_load(conn: Connection, table: Table, adding: int) -> Iterator[None]:
    """Around an insert of `adding` rows into `table`: on SQLite, when they are at least
    BULK_ROWS and at least as many as the table holds (its largest rowid, never less than its
    row count), its non-unique indexes are dropped for the insert and created again after it
    from their own stored SQL, in the caller's transaction.

    A B-tree takes rows in random key order at about 2.4 times the cost of building the index
    from a sort (measured at 10^6 observations: 4.5 s against 1.9 s for the four such indexes of
    observations, catalog_values and stamps). Unique indexes stay: they are the database's
    invariants (one value in force per field) and the ON CONFLICT targets. Readers see the old
    indexes until the commit (WAL); if the insert fails, the caller's transaction rolls back
    and the indexes with it. PostgreSQL keeps its indexes: dropping one there locks the table
    against the catalog's readers for the whole apply."""
    if conn.dialect.name != "sqlite" or adding < BULK_ROWS:
        yield
        return
    held = conn.exec_driver_sql(f'SELECT max(rowid) FROM "{table.name}"').scalar() or 0
    indexes = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %'",
        (table.name,),
    ).all()
    if adding < held or not indexes:
        yield
        return
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        conn.exec_driver_sql(sql)


class _Memo(dict[Any, Any]):
    """A memo of one function's results by argument (a bind processor's by value, Decimal's by
    text): `memo[value]` is `function(value)`, computed the first time that value is asked for
    (in C after that: a dict look-up)."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        super().__init__()
        self._function = function

    def __missing__(self, value: Any) -> Any:
        result = self[value] = self._function(value)
        return result


def _binder(conn: Connection, table: Table, name: str) -> Callable[[Any], Any]:
    """How a value of column `name` of `table` binds on this connection's dialect: its type's
    bind processor (as SQLAlchemy would apply it), each distinct value processed once (a run's
    dates and flags are few); the identity where the type has none. For row builders that hand
    `_insert_tuples` their rows ready (`bound`). Values must hash (dates, flags, not JSON)."""
    process = table.c[name].type._cached_bind_processor(conn.dialect)
    if process is None:
        return _as_is
    return _Memo(process).__getitem__


def _as_is(value: Any) -> Any:
    return value


def _binds_as_is(process: Any, rows: Sequence[tuple[Any, ...]], index: int) -> bool:
    """Whether column `index` of `rows` holds only values its bind processor `process` returns
    unchanged (e.g. a date column that is NULL in every row): then it needs no processing."""
    try:
        distinct = {row[index] for row in rows}
    except TypeError:  # an unhashable value (JSON)
        return False
    return all(process(value) is value for value in distinct)


def _processed(process: Any, values: Sequence[Any]) -> list[Any]:
    """`values` (dates, flags, bytes: never JSON, whose equal values may serialize apart) through
    a bind processor, each distinct value once; one by one if one does not hash."""
    try:
        done = {value: process(value) for value in set(values)}
    except TypeError:  # an unhashable value
        return [process(value) for value in values]
    return [done[value] for value in values]


def _execute_rows(
    conn: Connection, statement: Update, names: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Execute `statement` for each row in one executemany of the driver. Each row is a plain
    tuple binding the statement's bind parameters `names`, in that order (a tuple, not a dict:
    a refresh at 10^6 fields moves as many interval ends and stamps, and a dict per row was
    hundreds of MB of its peak); values go through the parameters' types' bind processors, as
    SQLAlchemy would do, without its per-row bookkeeping (see `_insert_tuples`)."""
    if not rows:
        return
    compiled = statement.compile(dialect=conn.dialect)
    processors = {
        name: process
        for name, bind in compiled.binds.items()
        if (process := bind.type._cached_bind_processor(conn.dialect)) is not None
    }
    positional = compiled.positiontup is not None  # qmark / format drivers (SQLite)
    # the statement's order of its parameters (a name may come twice), else the rows' own
    bound = list(compiled.positiontup or ()) if positional else list(names)
    values: Sequence[tuple[Any, ...]] = rows
    if bound != list(names):
        get = itemgetter(*(names.index(name) for name in bound))
        values = [get(row) for row in rows] if len(bound) > 1 else [(get(row),) for row in rows]
    if processors:
        # Column by column, each distinct value once (a run's dates are few; see _processed).
        columns: list[Sequence[Any]] = list(zip(*values, strict=True))
        for index, name in enumerate(bound):
            if name in processors:
                columns[index] = _processed(processors[name], columns[index])
        values = list(zip(*columns, strict=True))
    if positional:
        conn.exec_driver_sql(compiled.string, list(values))
    else:  # pyformat / named drivers (psycopg)
        conn.exec_driver_sql(
            compiled.string, [dict(zip(bound, row, strict=True)) for row in values]
        )


_OBSERVATION: TypeAdapter[Observation] = TypeAdapter(Observation)


def _problem_payload(problem: Problem) -> dict[str, Any]:
    """What the quarantine row keeps besides the rule: the value set aside, or the field."""
    if problem.observation is not None:
        payload: dict[str, Any] = _OBSERVATION.dump_python(problem.observation, mode="json")
        return payload
    return {"field": problem.field} if problem.field else {}


# Decides, inside the apply's transaction, the triage columns (priority, due_at, set_id,
# lead_source, fields) of each review item it is about to open (review/triage.py's `columns`).
Triage = Callable[[Connection, Sequence[ReviewItem]], Sequence[Mapping[str, Any]]]


def apply(
    engine: Engine,
    run_id: int,
    *,
    valid: Sequence[Observation],
    problems: Iterable[Problem],
    comparison: Comparison,
    source_reports: Sequence[dict[str, Any]],
    now: datetime,
    pages: Mapping[str, Sequence[FetchedPage]] | None = None,
    unchanged: Sequence[Unchanged] = (),
    triage: Triage | None = None,
    naming: Mapping[str, str] | None = None,
) -> list[ReviewItem]:
    """Write one refresh in one transaction. Returns the review items it opened.

    What the comparison proposes is checked again inside the transaction, against what others
    (reviewers, an overlapping refresh) committed since it read the catalog: a new value whose
    field has meanwhile got a value in force is not inserted, and an item whose premise no
    longer holds, or that a reviewer decided while the run ran, is not opened. Both are counted
    in the run's summary ("in_force_meanwhile", "stale_items"), for the run's report.

    `pages` (by source) are the responses read this run: each gets its body's hash, and each
    body is kept once; the `unchanged` sources' values are confirmed (`confirm_unchanged`) in
    the same transaction, and the catalog mark after it all is noted in the run's summary.
    `triage` gives the items it opens their triage columns before they are inserted (see
    `Triage`); without it they go in untriaged (priority NULL) for review/triage.py's `assign`.
    `naming`: how identity named each applied source's statements this run (by source: its
    catalog/normalize.py naming_digest), noted in the summary beside the catalog mark.
    """
    problems = list(problems)
    with write_transaction(engine) as conn:
        _insert_observations(conn, run_id, valid)
        _record_quarantine(conn, run_id, problems)
        in_force_meanwhile = _apply_new_values(conn, run_id, comparison)
        _apply_stamps(conn, run_id, comparison)
        opened, stale, decided, reopened = (
            _apply_items(
                conn,
                run_id,
                comparison.items,
                comparison.held_items,
                valid,
                now,
                triage,
                {r["source"] for r in source_reports if r["status"] == SourceStatus.OK.value},
                comparison.unsure,
                {u.source for u in unchanged},
                comparison.named,
                [p.observation for p in problems if p.observation is not None],
                comparison.listings,
            )
            if comparison.items or valid
            else ([], 0, 0, 0)  # nothing read this run: no item to open, touch or close
        )
        _apply_listings(conn, comparison.listings)
        if in_force_meanwhile or stale or decided or reopened:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    summary={
                        "in_force_meanwhile": [_field_text(f) for f in in_force_meanwhile],
                        "stale_items": stale,
                        "decided_before": decided,
                        "reopened_items": reopened,
                    }
                )
            )
        confirm_unchanged(conn, run_id, unchanged)
        if pages:
            skipped = {u.source for u in unchanged}
            record_pages(conn, run_id, {s: p for s, p in pages.items() if s not in skipped})
            store_bodies(conn, run_id, (p for listed in pages.values() for p in listed))
        read_whole = {r["source"] for r in source_reports if r["status"] == SourceStatus.OK.value}
        note_catalog_mark(
            conn,
            run_id,
            naming or {},
            _problem_named(read_whole - {u.source for u in unchanged}, comparison.named),
        )
        _insert_many(
            conn,
            source_runs,
            [
                {
                    **report,
                    "run_id": run_id,
                    "review_items": review_items_of(report["source"], report["status"], opened),
                }
                for report in source_reports
            ],
        )
    return opened


def review_items_of(source: str, status: str, opened: Sequence[ReviewItem]) -> int:
    """How many of the items a run opened a source's row counts: those citing it, when it was
    applied (`status` in APPLIED); none when it was not, for it only stood in with what it last
    stated (held), and its row would read as if this run's answer had led to them."""
    return sum(source in item.sources for item in opened) if status in APPLIED else 0


def _record_quarantine(conn: Connection, run_id: int, problems: Sequence[Problem]) -> None:
    """Each problem extends the quarantine row its source's previous run left for the same
    record, rule and detail (last_run_id moves), or starts one."""
    if not problems:
        return
    s = source_runs.c
    previous = (
        select(s.source, func.max(s.run_id).label("run_id"))
        .where(s.run_id < run_id, s.source.in_({p.source for p in problems}))
        .group_by(s.source)
        .subquery()
    )
    q = quarantine.c
    open_rows = {
        (row.source, row.record, row.rule, row.detail): row.id
        for row in conn.execute(
            select(q.id, q.source, q.record, q.rule, q.detail).join(
                previous,
                (previous.c.source == q.source) & (previous.c.run_id == q.last_run_id),
            )
        )
    }
    extended: list[int] = []
    fresh: list[dict[str, Any]] = []
    for p in problems:
        row_id = open_rows.pop((p.source, p.record, p.rule, p.detail), None)
        if row_id is not None:
            extended.append(row_id)
            continue
        fresh.append(
            {
                "run_id": run_id,
                "last_run_id": run_id,
                "source": p.source,
                "record": p.record,
                "rule": p.rule,
                "detail": p.detail,
                "payload": _problem_payload(p),
            }
        )
    _insert_many(conn, quarantine, fresh)
    for start in range(0, len(extended), 5000):
        conn.execute(
            update(quarantine)
            .where(q.id.in_(extended[start : start + 5000]))
            .values(last_run_id=run_id)
        )


def _field_text(key: FieldId) -> str:
    dims = f" ({key.dims.text()})" if key.dims else ""
    return f"{key.route}/{key.model} {key.kind.value} {key.component.value}{dims} {key.unit.value}"


def _apply_new_values(conn: Connection, run_id: int, comparison: Comparison) -> list[FieldId]:
    """Insert the values a policy let in, each only where its field has no value in force (the
    one-value-in-force index decides, so an overlapping load cannot double a field); stamp the
    statements that confirmed each. Returns the fields skipped for holding a value meanwhile."""
    if not comparison.new_values:
        return []
    names = (
        *FIELD_COLUMNS,
        *("value", "valid_from", "verified_at", "verified_by", "accepted_by", "accepted_source"),
        "run_id",
    )
    texts = _Texts()
    valid_from = _binder(conn, catalog_values, "valid_from")  # rows go in ready to bind
    verified_at = _binder(conn, catalog_values, "verified_at")
    stored = _STORED.__getitem__
    rows = [
        (
            route,
            model,
            stored(kind),
            stored(component),
            stored(unit),
            dims.key,
            texts[value],
            valid_from(since),
            verified_at(verified),
            verified_by,
            ACCEPT_NEW,
            accepted_source,
            run_id,
        )
        for (
            (route, model, (kind, component, unit, dims)),
            value,
            since,
            accepted_source,
            verified,
            verified_by,
            _,
        ) in comparison.new_values
    ]
    c = catalog_values.c
    before = conn.execute(select(func.coalesce(func.max(c.id), 0))).scalar_one()
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(catalog_values).on_conflict_do_nothing(
        index_elements=list(FIELD_COLUMNS), index_where=c.valid_to.is_(None)
    )
    _insert_tuples(conn, catalog_values, names, rows, statement, {"valid_from", "verified_at"})
    # What this run inserted (it is the one apply of its run): the ids above the highest before
    # the insert that carry this run. When every row went in under consecutive ids, the one
    # executemany gave them in its order (a row's id is the next one when it is inserted); else
    # (a field got a value in force meanwhile) each row is matched by the field's stored text
    # (the rows' first six columns), not RETURNING row by row.
    mine = (c.id > before, c.run_id == run_id, c.valid_to.is_(None), c.accepted_by == ACCEPT_NEW)
    count, first, last = conn.execute(
        select(func.count(), func.min(c.id), func.max(c.id)).where(*mine)
    ).one()
    value_ids: list[int | None]
    if count == len(rows) and last - first + 1 == count:
        value_ids = list(range(first, last + 1))
    else:
        inserted = {
            tuple(r[1:]): r[0]
            for r in _rows(
                conn.execute(select(c.id, *(c[name] for name in FIELD_COLUMNS)).where(*mine))
            )
        }
        value_ids = [inserted.get(row[: len(FIELD_COLUMNS)]) for row in rows]
    _stamp_new_values(conn, run_id, comparison.new_values, value_ids)
    skipped = [
        new.field
        for new, value_id in zip(comparison.new_values, value_ids, strict=True)
        if value_id is None
    ]
    if skipped:
        log.warning(
            "run %s: %d new values not inserted, their fields got a value in force meanwhile",
            run_id,
            len(skipped),
        )
    return skipped


def _apply_stamps(conn: Connection, run_id: int, comparison: Comparison) -> None:
    _record_stamps(
        conn,
        run_id,
        [(s.value_id, s.source, s.official, s.observed_at) for s in comparison.stamps],
    )
    verified = [(s.value_id, s.observed_at, s.source) for s in comparison.stamps if s.official]
    if verified:
        c = catalog_values.c
        _execute_rows(
            conn,
            update(catalog_values)
            .where(c.id == bindparam("vid"))
            .where(c.verified_at.is_(None) | (c.verified_at <= bindparam("at")))
            .values(verified_at=bindparam("at"), verified_by=bindparam("by")),
            ("vid", "at", "by"),
            verified,
        )


_STAMP_KEY, _STAMP_AT = itemgetter(0, 1, 2), itemgetter(3)  # of a confirmation

# The stamp columns an insert writes, in the order of _record_stamps' row tuples (the table's).
_STAMP_COLUMNS = (
    "value_id",
    "run_id",
    "source",
    "official",
    "first_observed_at",
    "observed_at",
    "last_run_id",
)


def _stamp_new_values(
    conn: Connection,
    run_id: int,
    new_values: Sequence[NewValue],
    value_ids: Sequence[int | None],
) -> None:
    """Start a stamp interval of each source that confirmed each new value (NewValue's
    confirmations; official: the source that verified it), the value inserted by this
    transaction under the id in `value_ids` (None: not inserted, nothing stamped). None has a
    stamp yet, so none is looked up or moved (see `_record_stamps`); a source stating the value
    on two URLs confirms it once, at the later date. One row tuple per stamp, built straight
    from the value: a first load at 10^6 values stamps about as many."""
    flag = _binder(conn, stamps, "official")  # rows go in ready to bind
    date = _binder(conn, stamps, "observed_at")  # first_observed_at's type too
    rows: list[tuple[object, ...]] = []
    add = rows.append
    for new, value_id in zip(new_values, value_ids, strict=True):
        if value_id is None:
            continue
        confirmations = new.confirmations
        if len(confirmations) == 1:  # as nearly always
            source = confirmations[0].source
            stated = date(confirmations[0].observed_at)
            add((value_id, run_id, source, flag(source == new.verified_by), stated, stated, run_id))
            continue
        latest: dict[str, datetime] = {}
        for o in confirmations:
            if o.source not in latest or o.observed_at > latest[o.source]:
                latest[o.source] = o.observed_at
        for source, at in latest.items():
            stated = date(at)
            add((value_id, run_id, source, flag(source == new.verified_by), stated, stated, run_id))
    _insert_tuples(
        conn, stamps, _STAMP_COLUMNS, rows, bound={"official", "first_observed_at", "observed_at"}
    )


def _record_stamps(
    conn: Connection, run_id: int, confirmed: Sequence[tuple[int, str, bool, datetime]]
) -> None:
    """Each (value id, source, official, observed at) confirmation: moves the last end of that
    source's stamp interval on the value, or starts one. A source stating a value on two URLs of
    one run confirms it once, at the later date."""
    # Built in C, each key once as nearly always; where a key comes twice, again at its latest.
    latest: dict[tuple[int, str, bool], datetime] = dict(
        zip(map(_STAMP_KEY, confirmed), map(_STAMP_AT, confirmed), strict=True)
    )
    if len(latest) < len(confirmed):
        latest = {}
        for value_id, source, official, at in confirmed:
            key = (value_id, source, official)
            if key not in latest or at > latest[key]:
                latest[key] = at
    if not latest:
        return
    c = stamps.c
    value_ids = sorted({key[0] for key in latest})
    existing: dict[tuple[int, str, bool], int] = {}
    # The stamps of those values, 5,000 values a statement, as plain driver rows (at 10^6 stamps
    # a compiled IN and a named row each were ~3.5 s of the look-up, SQLite's part 0.15 s).
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"  # SQLite; psycopg
    for start in range(0, len(value_ids), 5000):
        chunk = value_ids[start : start + 5000]
        rows = conn.exec_driver_sql(
            "SELECT value_id, source, official, id FROM stamps"
            f" WHERE value_id IN ({', '.join([mark] * len(chunk))})",
            tuple(chunk),
        )
        for value_id, source, official, stamp_id in _rows(rows):
            existing[(value_id, source, bool(official))] = stamp_id
    moved = [(existing[key], at, run_id) for key, at in latest.items() if key in existing]
    flag = _binder(conn, stamps, "official")  # rows go in ready to bind
    date = _binder(conn, stamps, "observed_at")  # first_observed_at's type too
    _insert_tuples(
        conn,
        stamps,
        _STAMP_COLUMNS,
        [
            (value_id, run_id, source, flag(official), stated, stated, run_id)
            for (value_id, source, official), at in latest.items()
            if (value_id, source, official) not in existing
            for stated in [date(at)]
        ],
        bound={"official", "first_observed_at", "observed_at"},
    )
    if moved:
        _execute_rows(
            conn,
            update(stamps)
            .where(c.id == bindparam("sid"), c.observed_at <= bindparam("at"))
            .values(observed_at=bindparam("at"), last_run_id=bindparam("last_run")),
            ("sid", "at", "last_run"),
            moved,
        )


def _backing_withdrawn(
    open_rows: Sequence[Any], held_items: Sequence[ReviewItem], read: set[str]
) -> list[ReviewItem]:
    """Of the items citing only held statements (compare's Comparison.held_items), those on a
    route and model with an open item (of `open_rows`) citing a source read this run (`read`)
    which they do not: that source no longer states what the open item cites it for, so the
    items the held statements make there are what a run reading every source proposes (an
    unchanged source is held: it must not keep a withdrawn statement on review). The others
    propose nothing: what only held statements state stays as its open item left it."""
    if not held_items or not read:
        return []
    wanted = {(i.route, i.model) for i in held_items}
    cited: dict[tuple[str, str], set[str]] = {}
    for row in open_rows:
        if (row.route, row.model) in wanted:
            cited.setdefault((row.route, row.model), set()).update(
                read.intersection(row.sources or ())
            )
    return [i for i in held_items if cited.get((i.route, i.model), set()) - set(i.sources)]


def _apply_items(
    conn: Connection,
    run_id: int,
    items: Sequence[ReviewItem],
    held_items: Sequence[ReviewItem],
    valid: Sequence[Observation],
    now: datetime,
    triage: Triage | None,
    complete: set[str],
    unsure_named: set[tuple[str, str, str]],
    unchanged: set[str],
    named: set[tuple[str, str, str]],
    set_aside: Sequence[Observation],
    listings: Mapping[ListingId, Listing],
) -> tuple[list[ReviewItem], int, int, int]:
    """Open new items; an identical open item is only touched; an older proposal is superseded;
    items a source's absence opened close once it states their fields again, and so do those
    whose every source answered in full (`complete`: status ok) and restates them otherwise
    (`_withdrawn`; a source confirmed `unchanged` restates what it last stated), unless one of
    them named the item's model in a record nothing could be read from (`unsure_named`: what it
    states there is not read); anomalies and unmapped-name items its sources, read in full, no
    longer raise close too (`_no_longer_raised`), and missing items whose model the complete
    listing that missed it names again (`listings`: the comparison's listing counters this run;
    `_listed_again`). Items whose premise no longer holds, or that a reviewer
    decided while the run ran, are not opened again, and neither is an item a reviewer decided
    before whose proposal and evidence are unchanged (`_decided_alike`) unless a source states
    its proposed value anew (`_stated_anew`), nor one questioning a value a reviewer chose with
    the same evidence (`_chosen_alike`). A field has one open proposal against the catalog: an
    item of a kind that proposes against it (price change, disagreement, new value or model)
    supersedes the open items of those kinds that propose on any of its fields, whatever their
    kind or the other fields grouped with them (`_overlapping`; `set_aside`: the values
    validation set aside this run, which state their model as the `valid` ones do: a source
    read in full that states nothing of a model now holds none of its items open). Items citing
    only held statements are taken where `_backing_withdrawn` says.
    A proposal closed without a reviewer and made again is reopened (`_reopen`), not opened.
    Returns (the items opened, how many were not opened as stale (premise gone, decided
    meanwhile), how many as decided before, how many were reopened)."""
    c = review_items.c
    open_rows = conn.execute(
        select(c.id, c.fingerprint, c.slot, c.kind, c.route, c.model, c.run_id, c.sources).where(
            c.status == ReviewStatus.OPEN.value
        )
    ).all()
    read = {o.source for o in valid}
    items = [*items, *_backing_withdrawn(open_rows, held_items, read)]
    started = conn.execute(select(runs.c.started_at).where(runs.c.id == run_id)).scalar()
    decided_meanwhile = set(
        conn.execute(
            select(c.fingerprint).where(
                c.status.in_(DECIDED),
                c.decided_at >= started,
            )
        ).scalars()
    )
    by_fingerprint = {r.fingerprint: r.id for r in open_rows}
    unmatched = [
        i
        for i in items
        if i.fingerprint not in by_fingerprint and i.fingerprint not in decided_meanwhile
    ]
    in_force = _in_force_values(
        conn, {(i.route, i.model) for i in unmatched if i.kind in AGAINST_CATALOG}
    )
    decided = _decided_alike(conn, unmatched)
    alike = [
        i
        for i in unmatched
        if i.fingerprint in decided and decided[i.fingerprint] == _evidence(i.changes)
    ]
    decided_again = {i.fingerprint for i in alike} - _stated_anew(conn, run_id, alike)
    chosen = _chosen_alike(conn, unmatched)
    by_slot: dict[str, list[int]] = {}
    for r in open_rows:
        by_slot.setdefault(r.slot, []).append(r.id)
    seen: list[int] = []
    superseded: list[int] = []
    fresh: dict[str, ReviewItem] = {}
    standing: list[ReviewItem] = []  # produced again: what the run proposes, opened or touched
    stale = already = 0
    for item in items:
        existing = by_fingerprint.get(item.fingerprint)
        if existing is not None:
            seen.append(existing)
            standing.append(item)
        elif item.fingerprint in decided_meanwhile or not _premise_holds(item, in_force):
            stale += 1
        elif item.fingerprint in chosen or item.fingerprint in decided_again:
            already += 1
        elif item.fingerprint not in fresh:
            superseded.extend(by_slot.get(item.slot, []))
            fresh[item.fingerprint] = item
            standing.append(item)
    produced = {item.fingerprint for item in items}
    waiting = [r for r in open_rows if r.fingerprint not in produced and r.id not in superseded]
    # What a source's absence caused closes as such, before older proposals are superseded.
    restated = _restated_after_absence(conn, run_id, waiting, valid, read)
    proposed_held = {i.fingerprint for i in held_items}
    standing_by_held = [r for r in waiting if r.fingerprint not in proposed_held]
    naming_unsure = _naming(waiting, unsure_named)
    unsure_rows = [r for r in waiting if r.id in naming_unsure]
    unsure = {i for i, _ in restated} | (
        {r.id for r in unsure_rows}
        - _stated_again(conn, unsure_rows, valid, unchanged)
        - _standing_unread(conn, unsure_rows, unsure_named, run_id)
    )
    restated += _withdrawn(
        conn, standing_by_held, complete, unsure, valid, unchanged, _naming(waiting, named), run_id
    )
    restated += _no_longer_raised(conn, standing_by_held, complete, read, unchanged, unsure, run_id)
    restated += _listed_again(waiting, listings, run_id)
    closing = {*superseded, *seen, *(item_id for item_id, _ in restated)}
    silent = (complete - unchanged, chain(valid, set_aside), unsure_named)
    superseded.extend(_overlapping(conn, open_rows, standing, closing, silent))
    reopened = _reopen(conn, fresh, now, triage)
    opened: list[ReviewItem] = []
    if fresh:
        # One executemany, then the ids read back by fingerprint (unique among this run's new
        # items): INSERT .. RETURNING in parameter order is one statement per row on SQLite.
        before = conn.execute(select(func.coalesce(func.max(c.id), 0))).scalar_one()
        items_in = list(fresh.values())
        triaged = triage(conn, items_in) if triage is not None else None
        _insert_tuples(conn, review_items, *_item_rows(items_in, triaged), bound={"changes"})
        ids = {
            key: item_id
            for key, item_id in conn.execute(select(c.fingerprint, c.id).where(c.id > before))
            if key in fresh
        }
        opened = [item.model_copy(update={"id": ids[key]}) for key, item in fresh.items()]
    if seen:
        conn.execute(
            update(review_items)
            .where(c.id.in_(seen), c.status == ReviewStatus.OPEN.value)
            .values(last_seen_at=now)
        )
        _restate_evidence(
            conn,
            {by_fingerprint[i.fingerprint]: i for i in standing if i.fingerprint in by_fingerprint},
        )
    supersede(conn, superseded, now, "superseded by a newer proposal about the same thing")
    for item_id, reason in restated:
        supersede(conn, [item_id], now, reason)
    return opened, stale, already, len(reopened)


def _reopen(
    conn: Connection, fresh: dict[str, ReviewItem], now: datetime, triage: Triage | None
) -> list[ReviewItem]:
    """Reopen, rather than open anew, each of the `fresh` items (by fingerprint; taken out of
    `fresh`) whose latest item of the same fingerprint was closed without a reviewer's decision
    (superseded by a newer proposal, or closed when its sources stopped stating it): the same
    proposal made again, as after a day a source misstated its values. It keeps its id, when
    it was opened, its run and so its due time and change set (a clean week would have kept
    it open throughout), and takes this run's evidence (changes, sources, title, detail) and
    triage. Returns the items reopened, as they now stand (the run reports them apart from
    those it opens: a week with a bad day reports what a clean one does, and the reopening)."""
    c = review_items.c
    latest: dict[str, Any] = {}
    keys = sorted(fresh)
    for start in range(0, len(keys), 500):
        rows = conn.execute(
            select(c.id, c.fingerprint, c.status, c.created_at, c.due_at, c.run_id)
            .where(c.fingerprint.in_(keys[start : start + 500]))
            .order_by(c.id)
        )
        latest.update((row.fingerprint, row) for row in rows)
    again = [
        fresh.pop(key).model_copy(
            update={
                "id": row.id,
                "created_at": row.created_at,
                "due_at": row.due_at,
                "run_id": row.run_id,
            }
        )
        for key, row in latest.items()
        if row.status == ReviewStatus.SUPERSEDED.value
    ]
    if not again:
        return []
    triaged = triage(conn, again) if triage is not None else [{} for _ in again]
    conn.execute(
        update(review_items)
        .where(c.id == bindparam("item_id"))
        .values(
            status=ReviewStatus.OPEN.value,
            decided_at=None,
            reviewer=None,
            reason=None,
            last_seen_at=now,
            changes=bindparam("new_changes"),
            sources=bindparam("new_sources"),
            title=bindparam("new_title"),
            detail=bindparam("new_detail"),
            **{name: bindparam(f"new_{name}") for name in triaged[0]},
        ),
        [
            {
                "item_id": item.id,
                "new_changes": _CHANGES.dump_python(item.changes, mode="json"),
                "new_sources": item.sources,
                "new_title": item.title,
                "new_detail": item.detail,
                **{f"new_{name}": value for name, value in columns.items()},
            }
            for item, columns in zip(again, triaged, strict=True)
        ],
    )
    return again


# The statuses of items a reviewer decided.
DECIDED = (ReviewStatus.APPROVED.value, ReviewStatus.REJECTED.value)


def _number(text: str | None) -> Decimal | str | None:
    """A value as stated in an item, compared as a number where it is one ("6" = "6.0")."""
    if text is None:
        return None
    try:
        return Decimal(text)
    except ArithmeticError:
        return text


def _evidence(changes: Sequence[FieldChange]) -> frozenset[tuple[object, ...]]:
    """What an item's changes say, beyond when the sources said it: per field, the value in
    force it proposes against, the value it proposes, and each source's value. Equal for two
    items exactly when a reviewer deciding one would be looking at the other."""
    return frozenset(
        (
            c.kind,
            c.component,
            c.unit,
            c.dimensions.key,
            _number(c.current),
            _number(c.proposed),
            tuple(sorted(((s.source, _number(s.value)) for s in c.sources), key=str)),
        )
        for c in changes
    )


def stored_field(route: str, model: str, change: Mapping[str, Any]) -> tuple[str, ...]:
    """The field a stored review item's change (one entry of review_items.changes, JSON) is
    about, as text: (route, model, kind, component, unit, dimensions key), the key of
    `_in_force_values` and of a catalog value's columns."""
    dims = Dims.of(change["dimensions"]).key
    return (route, model, change["kind"], change["component"], change["unit"], dims)


def supersede(conn: Connection, item_ids: Sequence[int], now: datetime, reason: str) -> None:
    """Close these review items as superseded at `now`, saying why (in the caller's
    transaction). Nothing when `item_ids` is empty. Only items still open close: one a reviewer
    decided after the caller read it open (a decision committed while a refresh applied, on a
    database that lets the two run at once) keeps its decision."""
    if not item_ids:
        return
    c = review_items.c
    conn.execute(
        update(review_items)
        .where(c.id.in_(item_ids), c.status == ReviewStatus.OPEN.value)
        .values(status=ReviewStatus.SUPERSEDED.value, decided_at=now, reason=reason)
    )


def _restate_evidence(conn: Connection, found: Mapping[int, ReviewItem]) -> None:
    """Open items found again (by id: the item this run proposes alike) whose evidence this run
    differs (`_evidence`: another source now states a value, or a source's value moved beside
    the same proposal) take this run's changes, sources and title, so a reviewer decides on
    what the sources say now and a decision is recognised the next time the same is proposed
    (`_decided_alike`). When the sources said it is not evidence: an item whose only news is
    newer dates is left as it is."""
    c = review_items.c
    ids = sorted(found)
    restated: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):
        for row in conn.execute(select(c.id, c.changes).where(c.id.in_(ids[start : start + 500]))):
            item = found[row.id]
            if _evidence(_CHANGES.validate_python(row.changes or [])) != _evidence(item.changes):
                restated.append(
                    {
                        "item_id": row.id,
                        "new_changes": _CHANGES.dump_python(item.changes, mode="json"),
                        "new_sources": item.sources,
                        "new_title": item.title,
                    }
                )
    if restated:
        conn.execute(
            update(review_items)
            .where(c.id == bindparam("item_id"), c.status == ReviewStatus.OPEN.value)
            .values(
                changes=bindparam("new_changes"),
                sources=bindparam("new_sources"),
                title=bindparam("new_title"),
            ),
            restated,
        )


def _decided_alike(
    conn: Connection, items: Sequence[ReviewItem]
) -> dict[str, frozenset[tuple[object, ...]]]:
    """The evidence (`_evidence`) of the latest item a reviewer decided (approved or rejected)
    for each fingerprint among `items`: an item whose evidence is that one's is a decision
    already made (an approved disagreement: the value in force stands; a rejected change: it
    was refused) and is not opened again; once any value differs (a source moved, the value in
    force changed) it is a new question. Superseded items were never decided: they count not."""
    wanted = {i.fingerprint for i in items}
    if not wanted:
        return {}
    c = review_items.c
    latest: dict[str, int] = {}
    rows = conn.execute(
        select(c.fingerprint, c.id).where(c.status.in_(DECIDED)).order_by(c.decided_at, c.id)
    )
    for fingerprint, item_id in rows:
        if fingerprint in wanted:
            latest[fingerprint] = item_id
    found: dict[str, frozenset[tuple[object, ...]]] = {}
    ids = sorted(latest.values())
    for start in range(0, len(ids), 500):
        for row in conn.execute(
            select(c.fingerprint, c.changes).where(c.id.in_(ids[start : start + 500]))
        ):
            changes = [FieldChange.model_validate(change) for change in row.changes or []]
            found[row.fingerprint] = _evidence(changes)
    return found


def _stated_anew(conn: Connection, run_id: int, items: Sequence[ReviewItem]) -> set[str]:
    """The fingerprints of `items` some source of which states a proposed value anew this run:
    its statement of that value starts an interval this run (the observation row's run is this
    one), so it had stopped stating it since the item a reviewer decided alike (fault round 50:
    an official page's one-day misprint rejected, the page right the next day, the same price
    stated again on later days and left in silence as "decided before"). A source stating it
    without a break since the decision (read again, or confirmed unchanged) is the evidence
    decided on. Only this run's observations of the items' models are read."""
    proposing = {
        (
            s.source,
            i.route,
            i.model,
            c.kind.value,
            c.component.value,
            c.unit.value,
            c.dimensions.key,
            _number(s.value),
        ): i.fingerprint
        for i in items
        for c in i.changes
        for s in c.sources
        if c.proposed is not None and _number(s.value) == _number(c.proposed)
    }
    if not proposing:
        return set()
    o = observations.c
    rows = conn.execute(
        select(o.source, o.route, o.model, o.kind, o.component, o.unit, o.dimensions, o.value)
        .where(o.run_id == run_id, o.source.in_({key[0] for key in proposing}))
        .where(o.model.in_({key[2] for key in proposing}))
    )
    return {
        proposing[key]
        for *statement, value in rows
        if (key := (*statement, _number(value))) in proposing
    }


def _sources_said(sources: Iterable[Any]) -> tuple[tuple[str, object], ...]:
    """Each source's value for a field, as a decision saw it (a stored item's JSON or a
    SourceValue), comparable across the two."""
    pairs = (
        (s["source"], s["value"]) if isinstance(s, Mapping) else (s.source, s.value)
        for s in sources
    )
    return tuple(sorted(((name, _number(value)) for name, value in pairs), key=str))


def _chosen_alike(conn: Connection, items: Sequence[ReviewItem]) -> set[str]:
    """The fingerprints of `items` (of the kinds proposing against the catalog, citing no
    official source) each of whose fields holds a value a reviewer's approval put in force
    (accepted_by 'review:N') from an item citing, for that field, exactly the sources and values
    this one cites. The reviewer chose that value over the other sources' with this evidence in
    front of them (a disagreement approved with --use-source, a change approved over a source
    stating another value): the same evidence again is a decision already made, whatever kind
    of item it now makes (the value in force moved, so `_decided_alike`'s evidence differs).
    Once a source's value differs it is a new question; an undone decision leaves no value in
    force to stand on. An official source stating another value than the one chosen is always
    put to a reviewer again: it is the route's own word."""
    wanted = [
        i
        for i in items
        if i.kind in AGAINST_CATALOG
        and i.changes
        and not any(s.official for ch in i.changes for s in ch.sources)
    ]
    if not wanted:
        return set()
    pairs = {(i.route, i.model) for i in wanted}
    v = catalog_values.c
    by_field: dict[tuple[str, ...], int] = {}
    rows = conn.execute(
        select(v.route, v.model, v.kind, v.component, v.unit, v.dimensions, v.accepted_by).where(
            v.valid_to.is_(None), v.accepted_by.like("review:%")
        )
    )
    for route, model, kind, component, unit, dims, accepted_by in rows:
        number = accepted_by.removeprefix("review:")
        if (route, model) in pairs and number.isdigit():
            key = Dims.parse(dims).key
            by_field[(route, model, kind, component, unit, key)] = int(number)
    if not by_field:
        return set()
    c = review_items.c
    seen: dict[tuple[int, tuple[str, ...]], tuple[tuple[str, object], ...]] = {}
    ids = sorted(set(by_field.values()))
    for start in range(0, len(ids), 500):
        for row in conn.execute(
            select(c.id, c.route, c.model, c.changes).where(
                c.id.in_(ids[start : start + 500]), c.status == ReviewStatus.APPROVED.value
            )
        ):
            for change in row.changes or []:
                field = stored_field(row.route, row.model, change)
                seen[(row.id, field)] = _sources_said(change["sources"])
    found: set[str] = set()
    for item in wanted:
        fields = [
            ((item.route, item.model, ch.kind, ch.component, ch.unit, ch.dimensions.key), ch)
            for ch in item.changes
        ]
        if all(
            field in by_field
            and seen.get((by_field[field], field)) == _sources_said(change.sources)
            for field, change in fields
        ):
            found.add(item.fingerprint)
    return found


def _overlapping(
    conn: Connection,
    open_rows: Sequence[Any],
    standing: Sequence[ReviewItem],
    closing: set[int],
    silent: tuple[set[str], Iterable[Observation], set[tuple[str, str, str]]],
) -> list[int]:
    """The open items of the kinds that propose against the catalog that propose on a field a
    `standing` item (one this run proposes: opened or found open) proposes on, but are not that
    item nor already `closing`: older proposals about the same field, grouped with other fields
    (a model's new fields, fewer or more of them) or of another kind (a disagreement that the
    official source now states as a price change). A proposal supersedes an older one on a field
    only when it cites, for that field, every source the older one cites, but those that said
    nothing of the model this run having answered in full (`silent`: the sources that answered
    in full, read again; the statements read this run, kept or set aside, looked through only
    for models where a standing item meets an older one; the (source, route, model) named in
    records nothing could be read from): one made without a source's word (while it failed,
    before it was held) replaces nothing it said; that item closes itself when the source is back
    (`_restated_after_absence`). A secondary that dropped a model from a listing it gave in full
    has no word left on it, and the other sources' proposal stands alone (fault round 36: the
    item that cited it stayed open beside the new one). Only the open items of models a
    standing item is about are read."""
    mine = [i for i in standing if i.kind in AGAINST_CATALOG]
    others = [r for r in open_rows if r.kind in AGAINST_CATALOG_TEXT and r.id not in closing]
    crowded = {(i.route, i.model) for i in mine} & {(r.route, r.model) for r in others}
    if not crowded:
        return []
    answered, read, unreadable = silent
    stating = unreadable | {
        (o.source, o.route, str(o.model)) for o in read if (o.route, o.model) in crowded
    }
    # field -> (fingerprint, sources cited for the field) of each standing item proposing on it
    proposing: dict[tuple[str, ...], list[tuple[str, set[str]]]] = {}
    for i in mine:
        if (i.route, i.model) in crowded:
            for ch in i.changes:
                field = (i.route, i.model, ch.kind, ch.component, ch.unit, ch.dimensions.key)
                cited = {s.source for s in ch.sources}
                proposing.setdefault(field, []).append((i.fingerprint, cited))
    candidates = [r for r in others if (r.route, r.model) in crowded]
    c = review_items.c
    older: list[int] = []
    ids = [r.id for r in candidates]
    fingerprints = {r.id: r.fingerprint for r in candidates}
    for start in range(0, len(ids), 500):
        for row in conn.execute(
            select(c.id, c.route, c.model, c.changes).where(c.id.in_(ids[start : start + 500]))
        ):
            gone = {s for s in answered if (s, row.route, row.model) not in stating}
            for change in row.changes or []:
                stored = stored_field(row.route, row.model, change)
                cited = {s["source"] for s in change["sources"]} - gone
                if any(
                    fingerprint != fingerprints[row.id] and cited <= newer
                    for fingerprint, newer in proposing.get(stored, [])
                ):
                    older.append(row.id)
                    break
    return older


# Kinds whose changes name the catalog value they propose against (None: the field holds none).
AGAINST_CATALOG = frozenset(
    {
        ReviewKind.PRICE_CHANGE,
        ReviewKind.DISAGREEMENT,
        ReviewKind.NEW_VALUE,
        ReviewKind.NEW_MODEL,
    }
)
AGAINST_CATALOG_TEXT = frozenset(kind.value for kind in AGAINST_CATALOG)


def _in_force_values(
    conn: Connection, models: set[tuple[str, str]]
) -> dict[tuple[str, ...], Decimal]:
    """The value in force of each field of `models` ((route, canonical model) pairs), read
    in-transaction, by the field's text (route, model, kind, component, unit, dimensions key).
    Only the columns a premise compares are read: a first load checks the premise of an item on
    every new model. The pairs are joined to the values in force 2,000 at a time, as a VALUES
    list the driver binds (one index look-up per pair, where a filter on the model alone read
    every value in force, and SQLAlchemy's own VALUES construct compiled a parameter object per
    value)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"  # SQLite; psycopg
    pairs = sorted(models)
    keys: dict[str, str] = {}  # stored dimension text -> its canonical key (a catalog has few)
    found: dict[tuple[str, ...], Decimal] = {}
    for start in range(0, len(pairs), 2000):
        chunk = pairs[start : start + 2000]
        listed = ", ".join([f"({mark}, {mark})"] * len(chunk))
        rows = conn.exec_driver_sql(
            f"WITH wanted (route, model) AS (VALUES {listed})"
            " SELECT v.route, v.model, v.kind, v.component, v.unit, v.dimensions, v.value"
            " FROM wanted JOIN catalog_values v ON v.route = wanted.route"
            " AND v.model = wanted.model WHERE v.valid_to IS NULL",
            tuple(chain.from_iterable(chunk)),
        )
        for route, model, kind, component, unit, dims, value in _rows(rows):
            key = keys.get(dims)
            if key is None:
                key = keys[dims] = Dims.parse(dims).key
            found[(route, model, kind, component, unit, key)] = Decimal(value)
    return found


def _premise_holds(item: ReviewItem, in_force: dict[tuple[str, ...], Decimal]) -> bool:
    """Whether each field still holds the value the item proposes against (read in-transaction:
    a reviewer may have changed it since the comparison read the catalog)."""
    if item.kind not in AGAINST_CATALOG:
        return True
    for change in item.changes:
        field = (item.route, item.model, change.kind, change.component, change.unit)
        held = in_force.get((*field, change.dimensions.key))
        against = None if change.current is None else Decimal(change.current)
        if held != against:
            return False
    return True


def _restated_after_absence(
    conn: Connection,
    run_id: int,
    waiting: Sequence[Any],
    valid: Sequence[Observation],
    read: set[str],
) -> list[tuple[int, str]]:
    """Open items, not proposed again by this run, that were opened while a source had failed
    and whose fields that source states again in this run: what its absence caused. An item
    citing no source read this run (`read`) is not proposed only because its sources are held
    (compare keeps it as it stands): it stays. Returns (item id, the reason it closes itself)."""
    waiting = [r for r in waiting if read.intersection(r.sources or ())]
    item_runs = {r.run_id for r in waiting if r.run_id is not None}
    if not item_runs:
        return []
    s = source_runs.c
    failed: dict[int, set[str]] = {}
    for row in conn.execute(
        select(s.run_id, s.source).where(s.run_id.in_(item_runs), s.status.not_in(APPLIED))
    ):
        failed.setdefault(row.run_id, set()).add(row.source)
    # only (source, route, model) an item's absentee could restate: its fields are among them
    wanted = {(src, r.route, r.model) for r in waiting for src in failed.get(r.run_id, ())}
    restated = {
        (o.source, o.field_id())
        for o in valid
        if o.model is not None and (o.source, o.route, o.model) in wanted
    }
    if not restated:
        return []
    c = review_items.c
    absent_ids = [r.id for r in waiting if failed.get(r.run_id)]
    changes: dict[int, Any] = {}
    for start in range(0, len(absent_ids), 5000):
        chunk = absent_ids[start : start + 5000]
        for row in conn.execute(select(c.id, c.changes).where(c.id.in_(chunk))):
            changes[row.id] = row.changes
    closing: list[tuple[int, str]] = []
    for row in waiting:
        absent = failed.get(row.run_id)
        if not absent:
            continue
        fields = [
            FieldId(row.route, row.model, FieldChange.model_validate(change).measure)
            for change in changes[row.id] or []
        ]
        back = sorted(src for src in absent if any((src, f) in restated for f in fields))
        if back:
            closing.append(
                (
                    row.id,
                    f"closed by itself: opened while {', '.join(back)} had failed (run "
                    f"{row.run_id}); it states these values again (run {run_id})",
                )
            )
    return closing


def _withdrawn(
    conn: Connection,
    waiting: Sequence[Any],
    complete: set[str],
    closing: set[int],
    valid: Sequence[Observation],
    unchanged: set[str],
    named: set[int],
    run_id: int,
) -> list[tuple[int, str]]:
    """Open items of a kind sources propose against the catalog (AGAINST_CATALOG: while its
    sources go on stating it, a refresh produces the item again), proposed again neither by
    this run's statements nor by the held ones (`waiting`), every source of which answered in
    full this run (`complete`: status ok) and states each of the item's fields again, read this
    run (`valid`) or, for a source confirmed `unchanged` (its bytes those of its last complete
    answer), as it last stated them, some with another value than the item quotes (a faulty
    official page corrected while the secondaries it quoted beside stay as they were): those
    sources no longer state what it proposes (a misprinted price corrected, input and output
    swapped back), so it closes by itself rather than stay approvable on a statement that is
    gone. A field a source
    states nothing of now is an absence, not a correction: the item stays, as does one citing
    a source that did not answer in full (failed, stale, partial); but a disagreement one of
    whose sources, stating the model, states nothing of its field now holds one value or none
    and no disagreement: it closes (unless a source named the model in a record read with a
    problem, `named`). So does an item each source stating what it proposes now states only
    in a deployment scope, field by field (a secondary's unscoped price placed in the scope
    the official source prices it in, once that source answers after a day it failed, or its
    rescaled value corrected and placed): no source proposes it on its field now. An item on
    a model the catalog holds no value of, no source it cites states any field of now, is
    about a model gone from them all (a dated snapshot one source's typo priced apart, folded
    into its base again: its new-model items and disagreements): it closes by itself, unless
    one of them named the model in a record read with a problem (`named`: item ids). A
    catalogued model gone is an absence the listings count (a missing item). `closing`: items
    already closing, or not to be judged so. Returns (item id, the reason it closes itself)."""
    candidates = _answered(waiting, AGAINST_CATALOG_TEXT, complete, closing)
    if not candidates:
        return []
    wanted = {(src, row.route, row.model) for row in candidates for src in row.sources}
    repeated = last_statements(
        conn, {s for s, _, _ in wanted} & unchanged, {m for _, _, m in wanted}
    )
    now: dict[tuple[str, FieldId], Decimal] = {
        (o.source, o.field_id()): o.value
        for o in (*valid, *repeated)
        if o.model is not None and (o.source, o.route, o.model) in wanted
    }
    stating = {(source, field.route, field.model) for source, field in now}
    scoped: dict[tuple[str, tuple[str, ...]], list[Dims]] = {}
    for source, field in now:
        scoped.setdefault((source, _without_dims(field)), []).append(field.dims)
    changes = _changes_of(conn, [row.id for row in candidates])
    closed: list[tuple[int, str]] = []
    for row in candidates:
        stated = [FieldChange.model_validate(change) for change in changes[row.id] or []]
        quoted = [
            (FieldId(row.route, row.model, change.measure), said.source, said.value)
            for change in stated
            for said in change.sources
            if said.source in row.sources
        ]
        restated = [now.get((source, field)) for field, source, _ in quoted]
        sources = ", ".join(sorted(row.sources))
        if (
            quoted
            and row.id not in named
            and not any((s, row.route, row.model) in stating for s in row.sources)
            and not _catalogued(conn, row.route, row.model)
        ):
            closed.append(
                (
                    row.id,
                    f"closed by itself: the model is no longer stated by {sources} (answered "
                    f"in full, run {run_id})",
                )
            )
            continue
        if (
            row.kind == ReviewKind.DISAGREEMENT.value
            and row.id not in named  # a field a record read with a problem left out stays
            and None in restated
            and len({value for value in restated if value is not None}) < 2
            and all((s, row.route, row.model) in stating for s in row.sources)
        ):
            # a source it quotes states the model but no longer this field (a secondary's price
            # placed in a deployment scope again once the official source prices that scope):
            # one value or none is left of the field, and no disagreement
            closed.append(
                (
                    row.id,
                    f"closed by itself: the sources it quotes no longer disagree ({sources} "
                    f"answered in full, run {run_id})",
                )
            )
            continue
        proposing = [
            (FieldId(row.route, row.model, change.measure), said.source)
            for change in stated
            if (proposed := _number(change.proposed)) is not None
            for said in change.sources
            if said.source in row.sources and _number(said.value) == proposed
        ]
        if proposing and all(
            (source, field) not in now
            and _placed(field, scoped.get((source, _without_dims(field)), ()))
            for field, source in proposing
        ):
            # every source that states what it proposes states it now only in a deployment
            # scope (a secondary's unscoped price placed again in the scope the official source
            # prices it in, once that source answers after a day it failed)
            proposers = ", ".join(sorted({source for _, source in proposing}))
            closed.append(
                (
                    row.id,
                    f"closed by itself: {proposers} state what it proposes only in a deployment "
                    f"scope now (answered in full, run {run_id})",
                )
            )
            continue
        if not quoted or None in restated:
            continue
        if any(
            again != Decimal(said) for again, (_, _, said) in zip(restated, quoted, strict=True)
        ):
            closed.append(
                (
                    row.id,
                    f"closed by itself: what it proposes is no longer stated by {sources} "
                    f"(answered in full, run {run_id})",
                )
            )
    return closed


def _placed(field: FieldId, found: Iterable[Dims]) -> bool:
    """Whether a source's statements of the field's measure (`found`: their dimensions) state
    it in a deployment (a scope, a region or both), the field naming none and otherwise the
    same: the field's price placed in that scope and, where one region's meter alone states
    it, that region, or in the region of a meter of no scope (catalog/normalize.py, by the
    official meter its value matches: a fault day's rescaled value, corrected, is placed where
    the true one is), not another price (a batch or flex tier)."""
    if Dim.SCOPE in field.dims or Dim.REGION in field.dims:
        return False
    return any(
        (Dim.SCOPE in dims or Dim.REGION in dims) and dims.without_deployment() == field.dims
        for dims in found
    )


def _without_dims(field: FieldId) -> tuple[str, ...]:
    """A field without its dimensions: (route, model, kind, component, unit)."""
    return field.route, field.model, field.kind, field.component, field.unit


def _catalogued(conn: Connection, route: str, model: str) -> bool:
    """Whether the catalog holds a value of (route, model), in force or not."""
    c = catalog_values.c
    found = conn.execute(select(c.id).where(c.route == route, c.model == model).limit(1))
    return found.first() is not None


def _stated_again(
    conn: Connection, rows: Sequence[Any], valid: Sequence[Observation], unchanged: set[str]
) -> set[int]:
    """The ids of the item rows quoting fields (their changes) each of which every source of the
    row states again this run (`valid`), a source confirmed `unchanged` restating what it last
    stated. A record of the model read with nothing to read from it (an unknown row beside the
    model's prices) hides none of those fields: they are stated, so the item is judged as any
    other (a fault round: anomalies a day's misread Gemini prices raised never closed,
    gemini-2.5-pro having a row the page reader does not know; round 49: a day's slipped price
    on that page stayed proposed for good, its secondaries answering unchanged)."""
    if not rows:
        return set()
    wanted = {(row.route, row.model) for row in rows}
    stated = {
        (o.source, o.field_id())
        for o in valid
        if o.model is not None and (o.route, o.model) in wanted
    }
    again: set[int] = set()
    by_id = {row.id: row for row in rows}
    for row_id, changes in _changes_of(conn, list(by_id)).items():
        row = by_id[row_id]
        fields = [
            FieldId(row.route, row.model, FieldChange.model_validate(c).measure)
            for c in changes or []
        ]
        if fields and all(s in unchanged or (s, f) in stated for s in row.sources for f in fields):
            again.add(row_id)
    return again


def _standing_unread(
    conn: Connection, rows: Sequence[Any], unread: set[tuple[str, str, str]], run_id: int
) -> set[int]:
    """The ids of the item rows (of `rows`, about models a source named this run in a record
    nothing could be read from: `unread`, (source, route, model)) each such source of which
    read nothing from its records this run only where it read nothing already when the item
    was opened: every record it set aside whole this run (a quarantine row with no field and no
    value) was set aside so since that run or before, without a break. Such a record stood
    unread beside the model's prices then too (the Gemini page's Maps grounding row), so it
    hides nothing of what the item is about, and the item is judged as any other (fault round
    49: the values a day's misread Gemini cells set aside stayed anomalies for good)."""
    if not rows:
        return set()
    sources = {source for source, _, _ in unread}
    q = quarantine.c
    began: dict[str, int] = {}  # each source's latest first run of a record set aside whole
    for source, first, payload in conn.execute(
        select(q.source, q.run_id, q.payload).where(q.last_run_id == run_id, q.source.in_(sources))
    ):
        if not payload:
            began[source] = max(began.get(source, first), first)
    return {
        row.id
        for row in rows
        if all(
            began.get(source, run_id) <= row.run_id
            for source in row.sources or ()
            if (source, row.route, row.model) in unread
        )
    }


def _naming(rows: Sequence[Any], named: set[tuple[str, str, str]]) -> set[int]:
    """The ids of the item rows one of whose sources names its route and model in `named`
    ((source, route, model) named in records read with a problem)."""
    return {r.id for r in rows if any((s, r.route, r.model) in named for s in r.sources or ())}


def _answered(
    waiting: Sequence[Any], kinds: frozenset[str], complete: set[str], closing: set[int]
) -> list[Any]:
    """The open item rows of `kinds` not in `closing` every source of which answered in full
    (`complete`): those a run can judge withdrawn or no longer raised."""
    return [
        row
        for row in waiting
        if row.kind in kinds
        and row.id not in closing
        and row.sources
        and complete.issuperset(row.sources)
    ]


def _changes_of(conn: Connection, ids: Sequence[int]) -> dict[int, Any]:
    """Each item's stored changes (its JSON: a list of FieldChange dicts), by id."""
    c = review_items.c
    return {
        found.id: found.changes
        for start in range(0, len(ids), 5000)
        for found in conn.execute(
            select(c.id, c.changes).where(c.id.in_(ids[start : start + 5000]))
        )
    }


# Kinds of items a source's statements raise rather than propose (a value set aside, names that
# map to no model): while those statements stand, a refresh raises the item again.
RAISED_TEXT = frozenset((ReviewKind.ANOMALY.value, ReviewKind.UNMAPPED.value))


def _listed_again(
    waiting: Sequence[Any], listings: Mapping[ListingId, Listing], run_id: int
) -> list[tuple[int, str]]:
    """Open missing items (`waiting`: not raised again this run) whose model the source that
    missed it names again in a complete listing this run (`listings`: the run's listing
    counters, by (source, route, model); one seen this run is reset to no missing runs): the
    absence they were opened on has ended (a model delisted for some days and listed
    again), so they close by themselves rather than stay approvable, closing the values of a
    model the listing sells again (fault round 50). Returns (item id, the reason it closes
    itself)."""
    closed: list[tuple[int, str]] = []
    for row in waiting:
        if row.kind != ReviewKind.MISSING.value:
            continue
        again = sorted(
            s
            for s in row.sources
            if (seen := listings.get(ListingId(s, row.route, row.model))) is not None
            and seen.last_seen_run == run_id
            and not seen.missing_runs
        )
        if again:
            closed.append(
                (
                    row.id,
                    f"closed by itself: the complete listing of {', '.join(again)} names "
                    f"{row.route}/{row.model} again (run {run_id})",
                )
            )
    return closed


def _no_longer_raised(
    conn: Connection,
    waiting: Sequence[Any],
    complete: set[str],
    read: set[str],
    unchanged: set[str],
    closing: set[int],
    run_id: int,
) -> list[tuple[int, str]]:
    """Open anomalies and unmapped-name items (RAISED_TEXT) this run raised neither from what it
    read nor from held statements (`waiting`), every source of which answered in full
    (`complete`: status ok) and was read this run (`read`): the statements that raised them are
    gone (a value back in its range, a name mapped again or no longer listed: a renamed key put
    back), so they close by themselves rather than wait in the queue for nothing. An anomaly
    quoting statements (its field changes: a reseller's price against the vendor's, a price
    against the catalog's) is raised from held statements too, so there a source confirmed
    `unchanged` counts as read (a faulty official page corrected beside an unchanged reseller);
    one a source's own records raised (values set aside, unmapped names) is raised again only
    where that source is read. An item citing a source not read in full (failed, stale,
    partial) stays, and so does one in `closing` (already closing, or about a model a source
    named in a record nothing could be read from). Returns (item id, the reason it closes
    itself)."""
    candidates = [
        row
        for row in _answered(waiting, RAISED_TEXT, complete, closing)
        if (read | unchanged).issuperset(row.sources)
    ]
    unread = [row.id for row in candidates if not read.issuperset(row.sources)]
    quoting = {item_id for item_id, changes in _changes_of(conn, unread).items() if changes}
    return [
        (
            row.id,
            f"closed by itself: no longer raised by {', '.join(sorted(row.sources))} "
            f"(answered in full, run {run_id})",
        )
        for row in candidates
        if read.issuperset(row.sources) or row.id in quoting
    ]


def _apply_listings(conn: Connection, updates: dict[ListingId, Listing]) -> None:
    if not updates:
        return
    li = listings.c
    # (source, route, model) as plain tuples, which ListingId (a named tuple) equals
    existing = {tuple(row) for row in conn.execute(select(li.source, li.route, li.model))}
    fresh = [
        (*key, v.last_seen_run, v.missing_runs) for key, v in updates.items() if key not in existing
    ]
    changed = [
        (key.source, key.route, key.model, v.last_seen_run, v.missing_runs)
        for key, v in updates.items()
        if key in existing
    ]
    names = ("source", "route", "model", "last_seen_run", "missing_runs")
    _insert_tuples(conn, listings, names, fresh)
    if changed:
        _execute_rows(
            conn,
            update(listings)
            .where(li.source == bindparam("s"))
            .where(li.route == bindparam("r"))
            .where(li.model == bindparam("m"))
            .values(last_seen_run=bindparam("seen"), missing_runs=bindparam("missing")),
            ("s", "r", "m", "seen", "missing"),
            changed,
        )


def catalog_mark(conn: Connection) -> tuple[int, int]:
    """(highest catalog value id, values in force): any value opened or closed changes it."""
    c = catalog_values.c
    row = conn.execute(
        select(
            select(func.coalesce(func.max(c.id), 0)).scalar_subquery(),
            select(func.count()).where(c.valid_to.is_(None)).scalar_subquery(),
        )
    ).one()
    return int(row[0]), int(row[1])


def _scheduled_from(conn: Connection, source: str, response_ids: Sequence[int]) -> frozenset[date]:
    """The dates the statements of `source` standing at the responses `response_ids` (their
    intervals ending there) take effect from, where later than that response's date: prices
    still scheduled then (catalog/schedule.py)."""
    if not response_ids:
        return frozenset()
    o, e, r = observations.c, interval_ends.c, responses.c
    return frozenset(
        conn.execute(
            select(o.effective_from)
            .distinct()
            .join(interval_ends, e.id == o.end_id)
            .join(responses, r.id == e.response_id)
            .where(
                o.source == source,
                e.response_id.in_(response_ids),
                o.effective_from.is_not(None),
                o.effective_from > func.date(r.observed_at),
            )
        ).scalars()
    )


def previous_runs(conn: Connection, sources: Iterable[str]) -> dict[str, PreviousRun]:
    """Each source's previous run as catalog/unchanged.py judges it: the status and counts of its
    latest source_runs row, that run's responses of it by URL (with the first response of each
    unbroken line of identical bodies), the catalog mark the run left, how its names were named
    then, whether a later run applied any source's values, the sources that answered in full
    in that run, the source's listing counters, and the dates its prices still scheduled then
    take effect from. A source never run is absent. Reads source_runs, responses, runs,
    listings, observations."""
    s, r, li = source_runs.c, responses.c, listings.c
    since = responses.alias("since")
    since_run = runs.alias("since_run")
    last_applied = conn.execute(select(func.max(s.run_id)).where(s.status.in_(APPLIED))).scalar()
    found: dict[str, PreviousRun] = {}
    for source in sorted(set(sources)):
        last = conn.execute(
            select(s.run_id, s.status, s.records, s.observations, s.quarantined, s.stamped)
            .where(s.source == source)
            .order_by(s.run_id.desc())
            .limit(1)
        ).first()
        if last is None:
            continue
        rows = conn.execute(
            select(r.id, r.url, r.content_hash, r.observed_at, since.c.id.label("since_id"))
            .add_columns(since.c.run_id.label("since_run"), since_run.c.started_at)
            .join(since, since.c.id == func.coalesce(r.same_as_id, r.id))
            .join(since_run, since_run.c.id == since.c.run_id)
            .where(r.run_id == last.run_id, r.source == source)
        ).all()
        summary = conn.execute(select(runs.c.summary).where(runs.c.id == last.run_id)).scalar()
        mark = (summary or {}).get("catalog_mark")
        code = (summary or {}).get("reading_code")
        naming = ((summary or {}).get("naming") or {}).get(source)
        missing = conn.execute(
            select(li.missing_runs).where(li.source == source, li.missing_runs > 0).distinct()
        ).scalars()
        by_url = {
            row.url: PreviousResponse(
                response_id=row.id,
                content_hash=row.content_hash,
                observed_at=row.observed_at,
                since_id=row.since_id,
                since_run=row.since_run,
                since_at=row.started_at,
            )
            for row in rows
        }
        found[source] = PreviousRun(
            scheduled_from=_scheduled_from(conn, source, [row.id for row in rows]),
            run_id=last.run_id,
            # two responses of one URL in one run: no single response to repeat
            status=last.status if len(by_url) == len(rows) else "repeated a URL",
            responses=by_url,
            records=last.records,
            observations=last.observations,
            quarantined=last.quarantined,
            stamped=last.stamped,
            catalog_mark=(int(mark[0]), int(mark[1])) if mark else None,
            missing_runs=tuple(missing),
            reading_code=code if isinstance(code, str) else None,
            naming=naming if isinstance(naming, str) else None,
            applied_after=(last_applied or 0) > last.run_id,
            in_full=frozenset(
                conn.execute(
                    select(s.source).where(
                        s.run_id == last.run_id, s.status == SourceStatus.OK.value
                    )
                ).scalars()
            ),
        )
    return found


def confirm_unchanged(conn: Connection, run_id: int, unchanged: Sequence[Unchanged]) -> None:
    """Confirm unchanged sources' values (catalog/unchanged.py decided them) without reading
    them again, inside the caller's transaction: one response row per URL (its hash, unchanged
    since its line's first response), then one statement per table for all of them: the end row
    of each previous response (the observation intervals it ended) moves to this run's response
    of the same URL; their stamps of the previous run on values still in force move to
    this run (each previous date to this run's date of the same URLs); an official source's
    verified date follows; their quarantine rows and listing counters carry on as a complete
    listing's would."""
    if not unchanged:
        return
    answers = [(u, url) for u in unchanged for url in sorted(u.answers)]
    ids = conn.execute(
        insert(responses).returning(responses.c.id, sort_by_parameter_order=True),
        [
            {
                "run_id": run_id,
                "source": u.source,
                "url": url,
                "landing_url": u.answers[url].landing_url,
                "observed_at": u.answers[url].observed_at,
                "content_hash": u.answers[url].content_hash,
                "same_as_id": u.repeats[url].since_id,
            }
            for u, url in answers
        ],
    ).scalars()
    e = interval_ends.c
    conn.execute(
        update(interval_ends)
        .where(e.response_id == bindparam("previous"))
        .values(response_id=bindparam("repeat")),
        [
            {"previous": u.repeats[url].response_id, "repeat": new}
            for (u, url), new in zip(answers, ids, strict=True)
        ],
    )
    each = [{"src": u.source, "prev": u.previous.run_id} for u in unchanged]
    st, cv = stamps.c, catalog_values.c
    conn.execute(
        update(stamps)
        .where(
            st.source == bindparam("src"),
            st.last_run_id == bindparam("prev"),
            st.observed_at == bindparam("before"),
            select(cv.id).where(cv.id == st.value_id, cv.valid_to.is_(None)).exists(),
        )
        .values(observed_at=bindparam("now_at"), last_run_id=run_id),
        [
            {"src": u.source, "prev": u.previous.run_id, "before": old, "now_at": new}
            for u in unchanged
            for old, new in u.dates.items()
        ],
    )
    latest = (
        select(st.value_id, func.max(st.observed_at).label("at"))
        .where(st.source == bindparam("src"), st.official.is_(True), st.last_run_id == run_id)
        .group_by(st.value_id)
        .subquery()
    )
    conn.execute(
        update(catalog_values)
        .where(
            cv.id == latest.c.value_id,
            cv.valid_to.is_(None),
            cv.verified_at.is_(None) | (cv.verified_at <= latest.c.at),
        )
        .values(verified_at=latest.c.at, verified_by=bindparam("src")),
        [{"src": u.source} for u in unchanged],
    )
    q, li = quarantine.c, listings.c
    conn.execute(
        update(quarantine)
        .where(q.source == bindparam("src"), q.last_run_id == bindparam("prev"))
        .values(last_run_id=run_id),
        each,
    )
    conn.execute(
        update(listings)
        .where(li.source == bindparam("src"), li.missing_runs > 0)
        .values(missing_runs=li.missing_runs + 1),
        [{"src": u.source} for u in unchanged],
    )
    conn.execute(
        update(listings)
        .where(li.source == bindparam("src"), li.last_seen_run == bindparam("prev"))
        .values(last_seen_run=run_id),
        each,
    )


def record_pages(conn: Connection, run_id: int, pages: Mapping[str, Sequence[FetchedPage]]) -> None:
    """Each response a source read the normal way this run, by source: its responses row (made
    here when no observation made it) gets its body's hash and, where the body is the one the
    same URL gave last time, the first response of that line (`same_as_id`)."""
    pairs = {(s, p.url) for s, listed in pages.items() for p in listed}
    if not pairs:
        return
    r = responses.c
    last = (
        select(func.max(r.id).label("id"))
        .where(r.run_id < run_id, r.source.in_({s for s, _ in pairs}))
        .group_by(r.source, r.url)
        .subquery()
    )
    before = {
        (row.source, row.url): (row.content_hash, row.same_as_id or row.id)
        for row in conn.execute(
            select(r.id, r.source, r.url, r.content_hash, r.same_as_id).join(
                last, last.c.id == r.id
            )
        )
    }
    mine = {
        (row.source, row.url, row.landing_url, row.observed_at): row.id
        for row in conn.execute(
            select(r.id, r.source, r.url, r.landing_url, r.observed_at).where(r.run_id == run_id)
        )
    }
    fresh: list[dict[str, Any]] = []
    hashed: list[dict[str, Any]] = []
    for source, listed in pages.items():
        for page in listed:
            previous = before.get((source, page.url))
            same_as = (
                previous[1]
                if previous and page.content_hash and previous[0] == page.content_hash
                else None
            )
            row_id = mine.get((source, page.url, page.landing_url, page.observed_at))
            if row_id is not None:
                hashed.append({"rid": row_id, "hash": page.content_hash or None, "same": same_as})
                continue
            fresh.append(
                {
                    "run_id": run_id,
                    "source": source,
                    "url": page.url,
                    "landing_url": page.landing_url,
                    "observed_at": page.observed_at,
                    "content_hash": page.content_hash or None,
                    "same_as_id": same_as,
                }
            )
    _insert_many(conn, responses, fresh)
    if hashed:
        conn.execute(
            update(responses)
            .where(r.id == bindparam("rid"))
            .values(content_hash=bindparam("hash"), same_as_id=bindparam("same")),
            hashed,
        )


def store_bodies(conn: Connection, run_id: int, pages: Iterable[FetchedPage]) -> None:
    """Keep each body not yet stored, once per sha256, zlib-compressed (bodies table)."""
    new = {p.content_hash: p.body for p in pages if p.content_hash}
    if not new:
        return
    b = bodies.c
    held: set[str] = set()
    hashes = sorted(new)
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        held.update(conn.execute(select(b.content_hash).where(b.content_hash.in_(chunk))).scalars())
    _insert_many(
        conn,
        bodies,
        [
            {
                "content_hash": h,
                "size": len(body),
                "body": zlib.compress(body, 6),
                "first_run_id": run_id,
            }
            for h, body in new.items()
            if h not in held
        ],
    )


def note_catalog_mark(
    conn: Connection,
    run_id: int,
    naming: Mapping[str, str],
    problem_named: Mapping[str, list[list[str]]] | None = None,
) -> None:
    """Record in the run's summary the catalog mark its apply left, the fingerprint of the
    code that read its sources and how identity named each source's statements (`naming`, by
    source: catalog/unchanged.py reads them to know whether the catalog, the reading of the same
    bytes, or the names they map to changed since), and `problem_named` (`_problem_named`)
    where given."""
    summary = conn.execute(select(runs.c.summary).where(runs.c.id == run_id)).scalar() or {}
    conn.execute(
        update(runs)
        .where(runs.c.id == run_id)
        .values(
            summary={
                **summary,
                "catalog_mark": list(catalog_mark(conn)),
                "reading_code": reading_code.fingerprint(),
                "naming": dict(naming),
                **({PROBLEM_NAMED: dict(problem_named)} if problem_named else {}),
            }
        )
    )


PROBLEM_NAMED = "problem_named"  # the run summary's key of `_problem_named`
PROBLEM_NAMED_RUNS = 200  # how far back `last_problem_named` looks


def _problem_named(read: set[str], named: set[tuple[str, str, str]]) -> dict[str, list[list[str]]]:
    """For each source `read` in full this run, the (route, model) its records read with a
    problem named (`named`: (source, route, model)), none included: what the run's summary
    keeps (`note_catalog_mark`) for `last_problem_named` while the source is held."""
    return {
        source: sorted([route, model] for s, route, model in named if s == source)
        for source in sorted(read)
    }


def last_problem_named(conn: Connection, sources: Collection[str]) -> set[tuple[str, str, str]]:
    """(source, route, model) that each of `sources`' records named in the last run that read
    it in full (`_problem_named`; of the last PROBLEM_NAMED_RUNS runs): the models whose fields
    such a problem hid stand as last stated while the source is held (confirmed unchanged,
    failed), as they do the day it is read. Reads runs' summaries."""
    wanted, found = set(sources), set[tuple[str, str, str]]()
    if not wanted:
        return found
    summaries = conn.execute(
        select(runs.c.summary).order_by(runs.c.id.desc()).limit(PROBLEM_NAMED_RUNS)
    ).scalars()
    for summary in summaries:
        noted = summary.get(PROBLEM_NAMED, {}) if isinstance(summary, dict) else {}
        for source in wanted & noted.keys():
            found.update((source, route, model) for route, model in noted[source])
        wanted -= noted.keys()
        if not wanted:
            break
    return found


def refingerprint_anomalies(conn: Connection) -> None:
    """Fingerprint each stored anomaly item about values set aside (no changes, one source) as
    the comparison now does (compare.anomaly_identity, from its stored detail): for a migration
    that changes how a detail's text is read."""
    ri = review_items.c
    rows = conn.execute(
        select(ri.id, ri.route, ri.model, ri.sources, ri.changes, ri.detail, ri.fingerprint).where(
            ri.kind == ReviewKind.ANOMALY.value
        )
    ).all()
    updates = [
        {"item": row.id, "new": new}
        for row in rows
        if not row.changes
        and len(row.sources or ()) == 1
        and (
            new := compare.fingerprint(
                ReviewKind.ANOMALY.value,
                row.route,
                row.model,
                compare.anomaly_identity(row.sources[0], row.detail),
            )
        )
        != row.fingerprint
    ]
    if updates:
        conn.execute(
            update(review_items)
            .where(ri.id == bindparam("item"))
            .values(fingerprint=bindparam("new")),
            updates,
        )
