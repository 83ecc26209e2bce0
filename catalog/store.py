"""The catalog store: engine, migrations, reads, and the one-transaction apply of a refresh."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)

from catalog.compare import Comparison, Current, Listing
from catalog.tables import (
    catalog_values,
    listings,
    observations,
    quarantine,
    responses,
    review_items,
    runs,
    source_runs,
    stamps,
)
from schemas.field import FieldId, ListingId
from schemas.records import Observation, Problem, ReviewItem, ReviewStatus, decimal_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = f"sqlite:///{ROOT / 'data' / 'ratecard.db'}"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(url: str | None = None) -> str:
    """The catalog's URL: the argument, else RATECARD_DB, else the SQLite file in data/."""
    return url or os.environ.get("RATECARD_DB") or DEFAULT_DB


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def connect(url: str | None = None) -> Engine:
    """An engine for the catalog, migrated to the latest schema."""
    url = database_url(url)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return engine


def migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def start_run(engine: Engine, *, world: str | None, policy: str, now: datetime) -> int:
    with engine.begin() as conn:
        result = conn.execute(
            insert(runs).values(
                started_at=now, world=world, policy=policy, status="running", summary={}
            )
        )
        return int(result.inserted_primary_key[0])


def finish_run(
    engine: Engine, run_id: int, *, status: str, summary: dict[str, Any], finished_at: datetime
) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(status=status, summary=summary, finished_at=finished_at)
        )


def set_flow_run(engine: Engine, run_id: int, flow_run_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(flow_run_id=flow_run_id))


def load_catalog(conn: Connection) -> dict[FieldId, Current]:
    """Every value in force, by field."""
    c = catalog_values.c
    rows = conn.execute(
        select(c.id, c.route, c.model, c.kind, c.component, c.unit, c.dimensions, c.value).where(
            c.valid_to.is_(None)
        )
    )
    return {FieldId.from_row(r): Current(r.id, Decimal(r.value)) for r in rows}


def load_listings(conn: Connection) -> dict[ListingId, Listing]:
    """How each source's complete listings have shown each model so far."""
    rows = conn.execute(select(listings))
    return {
        ListingId(r.source, r.route, r.model): Listing(r.last_seen_run, r.missing_runs)
        for r in rows
    }


def last_complete_records(engine: Engine, source: str) -> int | None:
    """How many records the source's last complete listing had (for the broken-layout guard)."""
    c = source_runs.c
    with engine.connect() as conn:
        return conn.execute(
            select(c.records)
            .where(c.source == source, c.status == "ok")
            .order_by(c.run_id.desc())
            .limit(1)
        ).scalar()


def known_models(conn: Connection) -> set[str]:
    return set(conn.execute(select(catalog_values.c.model).distinct()).scalars())


def _statement(obs: Observation) -> tuple[str | None, ...]:
    """What an observation states, apart from where and when: one interval row per run of it."""
    return (
        obs.route,
        obs.model,
        obs.source_model,
        obs.kind.value,
        obs.component.value,
        obs.unit.value,
        obs.dimensions.key,
        decimal_text(obs.value),
    )


def _open_intervals(
    conn: Connection, run_id: int, keys: Sequence[tuple[str, str]]
) -> dict[tuple[object, ...], int]:
    """The intervals the previous response of each (source, URL) ended: a repeat extends them.

    Keyed by (source, URL, statement); the value is the observation row's id.
    """
    r = responses.c
    previous = (
        select(func.max(r.id).label("id"), r.source, r.url)
        .where(r.run_id < run_id, r.source.in_({s for s, _ in keys}))
        .group_by(r.source, r.url)
        .subquery()
    )
    o = observations.c
    rows = conn.execute(
        select(
            o.id,
            previous.c.source,
            previous.c.url,
            o.route,
            o.model,
            o.source_model,
            o.kind,
            o.component,
            o.unit,
            o.dimensions,
            o.value,
        ).join(previous, previous.c.id == o.last_response_id)
    )
    wanted = set(keys)
    return {
        (row.source, row.url, *row[3:]): row.id for row in rows if (row.source, row.url) in wanted
    }


def _insert_observations(conn: Connection, run_id: int, valid: Sequence[Observation]) -> None:
    """Each response once (source, URL, landing URL, date); then each observation extends the
    interval its source's previous response of that URL ended, or starts a new one."""
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
    open_rows = _open_intervals(conn, run_id, list(dict.fromkeys((s, u) for s, u, _, _ in keys)))
    extended: list[dict[str, int]] = []
    fresh: list[dict[str, object]] = []
    for obs in valid:
        response_id = response_of[(obs.source, obs.url, obs.landing_url, obs.observed_at)]
        statement = _statement(obs)
        row_id = open_rows.pop((obs.source, obs.url, *statement), None)
        if row_id is not None:
            extended.append({"oid": row_id, "last_run": run_id, "last_response": response_id})
            continue
        route, model, source_model, kind, component, unit, dims, value = statement
        fresh.append(
            {
                "run_id": run_id,
                "response_id": response_id,
                "last_run_id": run_id,
                "last_response_id": response_id,
                "source": obs.source,
                "route": route,
                "model": model,
                "source_model": source_model,
                "kind": kind,
                "component": component,
                "unit": unit,
                "dimensions": dims,
                "value": value,
                "evidence": obs.evidence,
            }
        )
    _insert_many(conn, observations, fresh)
    if extended:
        conn.execute(
            update(observations)
            .where(observations.c.id == bindparam("oid"))
            .values(last_run_id=bindparam("last_run"), last_response_id=bindparam("last_response")),
            extended,
        )


def item_row(item: ReviewItem) -> dict[str, Any]:
    return {
        "kind": item.kind.value,
        "route": item.route,
        "model": item.model,
        "title": item.title,
        "changes": [c.model_dump(mode="json") for c in item.changes],
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


def _insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (all with the same keys) in one executemany.

    The statement is compiled once and each value goes through its column type's bind
    processor, as SQLAlchemy would do, but without its per-row parameter bookkeeping: a refresh
    writes ~200k rows (observations, stamps) and that bookkeeping was most of the write time.
    """
    if not rows:
        return
    names = list(rows[0])
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=names)
    processors = [(name, table.c[name].type._cached_bind_processor(conn.dialect)) for name in names]
    params = [
        {name: process(row[name]) if process else row[name] for name, process in processors}
        for row in rows
    ]
    if compiled.positiontup is not None:  # qmark / format drivers (SQLite): positional
        order = list(compiled.positiontup)
        conn.exec_driver_sql(compiled.string, [tuple(p[k] for k in order) for p in params])
    else:  # pyformat / named drivers (psycopg)
        conn.exec_driver_sql(compiled.string, params)


def _problem_payload(problem: Problem) -> dict[str, Any]:
    """What the quarantine row keeps besides the rule: the value set aside, or the field."""
    if problem.observation is not None:
        return problem.observation.model_dump(mode="json")
    return {"field": problem.field} if problem.field else {}


def apply(
    engine: Engine,
    run_id: int,
    *,
    valid: Sequence[Observation],
    problems: Iterable[Problem],
    comparison: Comparison,
    source_reports: Sequence[dict[str, Any]],
    now: datetime,
) -> list[ReviewItem]:
    """Write one refresh in one transaction. Returns the review items it opened."""
    with engine.begin() as conn:
        _insert_observations(conn, run_id, valid)
        _record_quarantine(conn, run_id, list(problems))
        _apply_new_values(conn, run_id, comparison)
        _apply_stamps(conn, run_id, comparison)
        opened = _apply_items(conn, comparison.items, now)
        _apply_listings(conn, comparison.listings)
        _insert_many(
            conn,
            source_runs,
            [
                {
                    **report,
                    "run_id": run_id,
                    "review_items": sum(report["source"] in i.sources for i in opened),
                }
                for report in source_reports
            ],
        )
    return opened


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


def _apply_new_values(conn: Connection, run_id: int, comparison: Comparison) -> None:
    if not comparison.new_values:
        return
    rows = [
        {
            "route": new.field.route,
            "model": new.field.model,
            "kind": new.field.kind.value,
            "component": new.field.component.value,
            "unit": new.field.unit.value,
            "dimensions": new.field.dims.key,
            "value": decimal_text(new.value),
            "valid_from": new.valid_from,
            "verified_at": new.verified_at,
            "verified_by": new.verified_by,
            "accepted_by": "policy:accept-new",
            "accepted_source": new.accepted_source,
            "run_id": run_id,
        }
        for new in comparison.new_values
    ]
    ids = conn.execute(
        insert(catalog_values).returning(catalog_values.c.id, sort_by_parameter_order=True), rows
    ).scalars()
    _record_stamps(
        conn,
        run_id,
        [
            (value_id, o.source, o.source == new.verified_by, o.observed_at)
            for value_id, new in zip(ids, comparison.new_values, strict=True)
            for o in new.confirmations
        ],
    )


def _apply_stamps(conn: Connection, run_id: int, comparison: Comparison) -> None:
    _record_stamps(
        conn,
        run_id,
        [(s.value_id, s.source, s.official, s.observed_at) for s in comparison.stamps],
    )
    verified = [
        {"vid": s.value_id, "at": s.observed_at, "by": s.source}
        for s in comparison.stamps
        if s.official
    ]
    if verified:
        c = catalog_values.c
        conn.execute(
            update(catalog_values)
            .where(c.id == bindparam("vid"))
            .where(c.verified_at.is_(None) | (c.verified_at <= bindparam("at")))
            .values(verified_at=bindparam("at"), verified_by=bindparam("by")),
            verified,
        )


def _record_stamps(
    conn: Connection, run_id: int, confirmed: Sequence[tuple[int, str, bool, datetime]]
) -> None:
    """Each (value id, source, official, observed at) confirmation: moves the last end of that
    source's stamp interval on the value, or starts one. A source stating a value on two URLs of
    one run confirms it once, at the later date."""
    latest: dict[tuple[int, str, bool], datetime] = {}
    for value_id, source, official, at in confirmed:
        key = (value_id, source, official)
        if key not in latest or at > latest[key]:
            latest[key] = at
    if not latest:
        return
    c = stamps.c
    value_ids = sorted({key[0] for key in latest})
    existing: dict[tuple[int, str, bool], int] = {}
    for start in range(0, len(value_ids), 5000):
        chunk = value_ids[start : start + 5000]
        for row in conn.execute(
            select(c.id, c.value_id, c.source, c.official).where(c.value_id.in_(chunk))
        ):
            existing[(row.value_id, row.source, bool(row.official))] = row.id
    moved = [
        {"sid": existing[key], "at": at, "last_run": run_id}
        for key, at in latest.items()
        if key in existing
    ]
    _insert_many(
        conn,
        stamps,
        [
            {
                "value_id": value_id,
                "run_id": run_id,
                "last_run_id": run_id,
                "source": source,
                "official": official,
                "first_observed_at": at,
                "observed_at": at,
            }
            for (value_id, source, official), at in latest.items()
            if (value_id, source, official) not in existing
        ],
    )
    if moved:
        conn.execute(
            update(stamps)
            .where(c.id == bindparam("sid"), c.observed_at <= bindparam("at"))
            .values(observed_at=bindparam("at"), last_run_id=bindparam("last_run")),
            moved,
        )


def _apply_items(conn: Connection, items: Sequence[ReviewItem], now: datetime) -> list[ReviewItem]:
    """Open new items; an identical open item is only touched; an older proposal is superseded."""
    c = review_items.c
    open_rows = conn.execute(
        select(c.id, c.fingerprint, c.slot).where(c.status == ReviewStatus.OPEN.value)
    ).all()
    by_fingerprint = {r.fingerprint: r.id for r in open_rows}
    by_slot: dict[str, list[int]] = {}
    for r in open_rows:
        by_slot.setdefault(r.slot, []).append(r.id)
    seen: list[int] = []
    superseded: list[int] = []
    fresh: dict[str, ReviewItem] = {}
    for item in items:
        existing = by_fingerprint.get(item.fingerprint)
        if existing is not None:
            seen.append(existing)
        elif item.fingerprint not in fresh:
            superseded.extend(by_slot.get(item.slot, []))
            fresh[item.fingerprint] = item
    opened: list[ReviewItem] = []
    if fresh:
        ids = conn.execute(
            insert(review_items).returning(review_items.c.id, sort_by_parameter_order=True),
            [item_row(item) for item in fresh.values()],
        ).scalars()
        opened = [
            item.model_copy(update={"id": item_id})
            for item_id, item in zip(ids, fresh.values(), strict=True)
        ]
    if seen:
        conn.execute(update(review_items).where(c.id.in_(seen)).values(last_seen_at=now))
    if superseded:
        conn.execute(
            update(review_items)
            .where(c.id.in_(superseded))
            .values(
                status=ReviewStatus.SUPERSEDED.value,
                decided_at=now,
                reason="superseded by a newer proposal about the same thing",
            )
        )
    return opened


def _apply_listings(conn: Connection, updates: dict[ListingId, Listing]) -> None:
    if not updates:
        return
    existing = set(load_listings(conn))
    fresh = [{**key._asdict(), **vars(v)} for key, v in updates.items() if key not in existing]
    changed = [
        {
            "s": key.source,
            "r": key.route,
            "m": key.model,
            "seen": v.last_seen_run,
            "missing": v.missing_runs,
        }
        for key, v in updates.items()
        if key in existing
    ]
    _insert_many(conn, listings, fresh)
    if changed:
        c = listings.c
        conn.execute(
            update(listings)
            .where(c.source == bindparam("s"))
            .where(c.route == bindparam("r"))
            .where(c.model == bindparam("m"))
            .values(last_seen_run=bindparam("seen"), missing_runs=bindparam("missing")),
            changed,
        )
