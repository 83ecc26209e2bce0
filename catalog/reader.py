"""What the published catalog reads: the values in force at a time, each with its verification
as of that time and every source that stated it. Pages, exports and the cost calculator read
the catalog through here (tables: catalog_values, stamps, review_items, source_runs).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    String,
    and_,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
)

from catalog.tables import (
    catalog_values,
    interval_ends,
    observations,
    responses,
    review_items,
    source_runs,
    stamps,
)
from schemas.capabilities import flags_answered
from schemas.field import Dims
from schemas.records import CatalogValue, ReviewStatus, SourceStatus
from schemas.vocab import Kind, Unit


class Statement(BaseModel):
    """One source's latest statement confirming a catalog value, as of the reading time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    official: bool
    observed_at: datetime


class PublishedValue(BaseModel):
    """A catalog value in force at `as_of`, with its verification as of then.

    `verified_at`/`verified_by`: the latest official statement of exactly this value dated at or
    before `as_of` (None: unverified then). `stated_by`: every source whose statement confirmed
    it by then and whose latest statement of its field by then still gives it (`_moved_away`),
    official or secondary, latest first.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: CatalogValue
    as_of: datetime
    verified_at: datetime | None = None
    verified_by: str | None = None
    stated_by: list[Statement] = Field(default_factory=list)

    @property
    def verified(self) -> bool:
        """Whether an official source stated exactly this value at or before `as_of`."""
        return self.verified_at is not None

    def provenance(self) -> str:
        """'verified 2026-08-14 by azure' or 'unverified, stated by litellm, portkey'."""
        if self.verified_at is not None:
            return f"verified {self.verified_at.date().isoformat()} by {self.verified_by}"
        names = sorted({s.source for s in self.stated_by} | {self.value.accepted_source})
        return f"unverified, stated by {', '.join(names)}"


def end_of(day: date) -> datetime:
    """The last instant of a UTC calendar day: 'as of 2026-08-20' includes that whole day.

    Any date Python holds has one, 9999-12-31 too (23:59:59.999999)."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def as_of(day: date | None) -> datetime:
    """The reading time for an optional date: the end of that day, else now (UTC)."""
    return end_of(day) if day is not None else datetime.now(UTC)


def read_when(at: datetime | None) -> str:
    """When the catalog was read, as a message names it: 'now' (None), or 'on YYYY-MM-DD'."""
    return "now" if at is None else f"on {at.astimezone(UTC).date().isoformat()}"


def _in_force(at: datetime) -> Any:
    c = catalog_values.c
    return and_(c.valid_from <= at, or_(c.valid_to.is_(None), c.valid_to > at))


def published_values(
    conn: Connection,
    at: datetime,
    *,
    route: str | None = None,
    model: str | None = None,
    kind: str | None = None,
    verified_only: bool = False,
) -> list[PublishedValue]:
    """Every catalog value in force at `at` (optionally one route, model or kind), ordered by
    route, model, kind, component, unit, dimensions, with verification as of `at`."""
    return list(
        iter_published(conn, at, route=route, model=model, kind=kind, verified_only=verified_only)
    )


def iter_published(
    conn: Connection,
    at: datetime,
    *,
    route: str | None = None,
    model: str | None = None,
    kind: str | None = None,
    verified_only: bool = False,
) -> Iterator[PublishedValue]:
    """`published_values`, one at a time (the whole catalog is ~60k values)."""
    rows = conn.execute(_in_force_query(at, route, model, kind)).all()
    statements = statements_as_of(conn, at, route=route, model=model)
    for row in rows:
        found = _published(row, statements, at)
        if verified_only and found.verified_at is None:
            continue
        yield found


def published_page(
    conn: Connection,
    at: datetime,
    *,
    route: str | None = None,
    model: str | None = None,
    kind: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[int, list[PublishedValue]]:
    """(total, one page) of `published_values`, in its order: values `offset` to
    `offset + limit`, read with SQL's OFFSET and LIMIT, so a page costs its own values and not
    the whole catalog's (~60k)."""
    query = _in_force_query(at, route, model, kind)
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.offset(offset).limit(limit)).all()
    ids = [row.id for row in rows]
    statements = statements_as_of(conn, at, route=route, model=model, ids=ids) if ids else {}
    return int(total), [_published(row, statements, at) for row in rows]


def _in_force_query(
    at: datetime, route: str | None, model: str | None, kind: str | None
) -> Select[Any]:
    """Catalog values in force at `at`, optionally of one route, model or kind, in their order
    (route, model, kind, component, unit, dimensions; id last, so pages never overlap)."""
    c = catalog_values.c
    query = select(catalog_values).where(_in_force(at))
    for column, wanted in ((c.route, route), (c.model, model), (c.kind, kind)):
        if wanted is not None:
            query = query.where(column == wanted)
    return query.order_by(c.route, c.model, c.kind, c.component, c.unit, c.dimensions, c.id)


def _published(row: Any, statements: dict[int, list[Statement]], at: datetime) -> PublishedValue:
    """A value row with its statements and its verification as of `at`."""
    stated = statements.get(row.id, [])
    verified_at, verified_by = verification(row.verified_at, row.verified_by, stated, at)
    return PublishedValue(
        value=CatalogValue.model_validate(row),
        as_of=at,
        verified_at=verified_at,
        verified_by=verified_by,
        stated_by=stated,
    )


def verification(
    verified_at: datetime | None,
    verified_by: str | None,
    stated: list[Statement],
    at: datetime,
) -> tuple[datetime, str] | tuple[None, None]:
    """A value's verification as of `at`: (date, source) of the latest official statement among
    `stated` (its statements as of `at`, `statements_as_of`) or of the value row's own
    verification (`verified_at`, `verified_by`: its latest, which a decision may also have
    set) when that is dated by `at`; (None, None) when it was unverified then."""
    claims = [(s.observed_at, s.source) for s in stated if s.official]
    if verified_at is not None and verified_by is not None and verified_at <= at:
        claims.append((verified_at, verified_by))
    return max(claims, default=(None, None))


# Source statuses whose statements a run applied (store.APPLIED): a run of another status
# (failed, broken, stale) confirmed nothing.
_APPLIED = (SourceStatus.OK.value, SourceStatus.PARTIAL.value)


class _ConfirmedBy:
    """When each source last confirmed a value by a reading time `at`, from its stamp interval.

    A stamp is one interval per (value, source, official): first confirmed at its first date
    (run `run_id`), last at its last date (run `last_run_id`). Its last date when that is by
    `at`; otherwise the source kept confirming the value across `at`, and its confirmation as
    of `at` is the latest date by `at` of that source's applied runs within the interval (the
    runs' observed dates, source_runs), never earlier than the interval's first date."""

    def __init__(self, conn: Connection, at: datetime) -> None:
        r = source_runs.c
        rows = conn.execute(
            select(r.source, r.run_id, r.observed_at)
            .where(r.status.in_(_APPLIED), r.observed_at <= at)
            .order_by(r.source, r.run_id)
        )
        self._runs: dict[str, tuple[list[int], list[datetime]]] = {}
        for row in rows:
            ids, dates = self._runs.setdefault(row.source, ([], []))
            ids.append(row.run_id)
            dates.append(row.observed_at)
        self._at = at
        self._found: dict[tuple[str, int, int], datetime | None] = {}

    def latest(self, stamp: Any) -> datetime:
        """The stamp row's (source, run_id, last_run_id, first_observed_at, observed_at)
        confirmation as of the reading time; the stamp must begin by then."""
        if stamp.observed_at <= self._at:
            return stamp.observed_at  # type: ignore[no-any-return]
        key = (stamp.source, stamp.run_id, stamp.last_run_id)
        if key not in self._found:
            ids, dates = self._runs.get(stamp.source, ([], []))
            within = dates[bisect_left(ids, stamp.run_id) : bisect_right(ids, stamp.last_run_id)]
            self._found[key] = max(within, default=None)
        run_date = self._found[key]
        first: datetime = stamp.first_observed_at
        return first if run_date is None else max(first, run_date)


def statements_as_of(
    conn: Connection,
    at: datetime,
    *,
    route: str | None = None,
    model: str | None = None,
    ids: list[int] | None = None,
) -> dict[int, list[Statement]]:
    """Each catalog value in force at `at` (optionally of one route or model, or of the value
    ids `ids`) by id: the sources that had confirmed it by `at` and whose latest statement of
    its field by then is still that value (`_moved_away`), each with its latest confirmation
    by then (`_ConfirmedBy`), newest first. Reads stamps, observations (and source_runs)."""
    s, c = stamps.c, catalog_values.c
    query = (
        select(s.value_id, s.source, s.official, s.run_id, s.last_run_id)
        .add_columns(s.first_observed_at, s.observed_at)
        .join(catalog_values, c.id == s.value_id)
        .where(s.first_observed_at <= at, _in_force(at))
    )
    if route is not None:
        query = query.where(c.route == route)
    if model is not None:
        query = query.where(c.model == model)
    if ids is not None:
        query = query.where(s.value_id.in_(ids))
    confirmed = _ConfirmedBy(conn, at)
    moved = _moved_away(conn, at, route=route, model=model, ids=ids)
    out: dict[int, list[Statement]] = {}
    for r in conn.execute(query):
        if (r.value_id, r.source) in moved:
            continue
        out.setdefault(r.value_id, []).append(
            Statement(source=r.source, official=r.official, observed_at=confirmed.latest(r))
        )
    for stated in out.values():  # newest first; one date's sources by name (the database
        # returns rows in no set order: PostgreSQL's differs from SQLite's)
        stated.sort(key=lambda st: st.source)
        stated.sort(key=lambda st: st.observed_at, reverse=True)
    return out


def _moved_away(
    conn: Connection,
    at: datetime,
    *,
    route: str | None = None,
    model: str | None = None,
    ids: list[int] | None = None,
) -> set[tuple[int, str]]:
    """(value id, source) of the catalog values in force at `at` (of a route, model or ids)
    whose field the source's latest statement by `at` gives another value: it confirmed the
    value once and states otherwise now, so it no longer stands behind it ("who agrees with a
    value is who agrees now": the exports listed OpenRouter as stating a price it had moved
    from, beside an open item proposing its new one). A source's latest statement of a field is
    its observation interval that began last by `at` (a value it stops stating and states again
    starts a new interval); a price scheduled after `at` states nothing of it yet."""
    query = _differing_as_of(at, route=route, model=model, ids=ids)
    return {(row.id, row.source) for row in conn.execute(query)}


class Differing(BaseModel):
    """A source's latest statement by a reading time of a catalog value's field, at another
    value (`disagreements_as_of`): the value as stored (text), the source's name of the model,
    its evidence, the response's URL, and when the source last stated it by then."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    value: str
    source_model: str
    evidence: str
    url: str
    observed_at: datetime


def disagreements_as_of(
    conn: Connection, at: datetime, ids: list[int]
) -> dict[int, list[Differing]]:
    """Each catalog value of `ids` in force at `at`, by id: the sources whose latest statement
    of its field by `at` (`_moved_away`) gives another value, by source, each dated its latest
    statement by then (`_ConfirmedBy`, from the statement's interval and the source's runs), as
    `show --at` lists them (a fault round: it listed today's disagreements beside a day's
    values). Reads observations, responses and source_runs."""
    last = responses.alias("last_stated")
    query = _differing_as_of(at, ids=ids, last=last)
    confirmed = _ConfirmedBy(conn, at)
    out: dict[int, list[Differing]] = {}
    for row in conn.execute(query):
        out.setdefault(row.id, []).append(
            Differing(
                source=row.source,
                value=row.value,
                source_model=row.source_model,
                evidence=row.evidence,
                url=row.url,
                observed_at=confirmed.latest(row),
            )
        )
    for differing in out.values():  # by source, the same on every database
        differing.sort(key=lambda d: d.source)
    return out


def _differing_as_of(
    at: datetime,
    *,
    route: str | None = None,
    model: str | None = None,
    ids: list[int] | None = None,
    last: FromClause | None = None,
) -> Select[Any]:
    """The query of (catalog value id, source) pairs of `_moved_away`; with `last` (an alias of
    responses), each row also holds the statement's value, source_model, evidence, and the
    interval's first and last runs and dates (run_id, last_run_id, first_observed_at,
    observed_at: what `_ConfirmedBy.latest` reads) and its last response's url."""
    o, first, c = observations.c, responses.alias("first_stated"), catalog_values.c
    field = (o.source, o.route, o.model, o.kind, o.component, o.unit, o.dimensions)
    stated = observations.join(first, first.c.id == o.response_id)
    detail: tuple[Any, ...] = ()
    if last is not None:
        stated = stated.join(interval_ends, interval_ends.c.id == o.end_id).join(
            last, last.c.id == interval_ends.c.response_id
        )
        detail = (
            o.source_model,
            o.evidence,
            first.c.run_id,
            last.c.run_id.label("last_run_id"),
            first.c.observed_at.label("first_observed_at"),
            last.c.observed_at,
            last.c.url,
        )
    ranked = select(
        *field,
        o.value,
        *detail,
        func.row_number()
        .over(partition_by=field, order_by=(first.c.observed_at.desc(), o.id.desc()))
        .label("newest"),
    ).select_from(stated)
    ranked = ranked.where(
        first.c.observed_at <= at,
        o.model.is_not(None),
        or_(o.effective_from.is_(None), o.effective_from <= at.date()),
    )
    if route is not None:
        ranked = ranked.where(o.route == route)
    if model is not None:
        ranked = ranked.where(o.model == model)
    if ids is not None:  # a page's values: only their models' statements (ix_observations_key)
        on_page = select(c.route, c.model).where(c.id.in_(ids))
        ranked = ranked.where(tuple_(o.route, o.model).in_(on_page))
    latest = ranked.subquery()
    shown = [latest.c.value, *(latest.c[column.key] for column in detail)]
    query = (
        select(c.id, latest.c.source, *shown)
        .join(
            latest,
            and_(
                latest.c.route == c.route,
                latest.c.model == c.model,
                latest.c.kind == c.kind,
                latest.c.component == c.component,
                latest.c.unit == c.unit,
                latest.c.dimensions == c.dimensions,
            ),
        )
        .where(latest.c.newest == 1, latest.c.value != c.value, _in_force(at))
    )
    if ids is not None:
        query = query.where(c.id.in_(ids))
    return query


def price_histories(
    conn: Connection, model: str, routes: Sequence[str], components: Collection[str]
) -> dict[str, list[CatalogValue]]:
    """Every price per 1M tokens of `components` (Component values, e.g. "input") that `model`
    has had on each of `routes`, in force or closed, oldest first, by route (a route with none
    maps to []): what a model's price charts draw, read in one query for all its routes."""
    c = catalog_values.c
    rows = conn.execute(
        select(catalog_values)
        .where(
            c.model == model,
            c.route.in_(list(routes)),
            c.kind == Kind.PRICE.value,
            c.unit == Unit.PER_1M_TOKENS.value,
            c.component.in_(list(components)),
        )
        .order_by(c.route, c.valid_from, c.id)
    )
    held: dict[str, list[CatalogValue]] = {route: [] for route in routes}
    for row in rows:
        held[row.route].append(CatalogValue.model_validate(row))
    return held


def pending(
    conn: Connection, model: str | None = None
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Open review items with their proposed changes (values sources state that the catalog
    has not accepted yet), by (route, model), each in id order: of `model`, or of every model
    when None (a published site reads them once for all its pages)."""
    c = review_items.c
    query = select(review_items).where(c.status == ReviewStatus.OPEN.value).order_by(c.id)
    if model is not None:
        query = query.where(c.model == model)
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in conn.execute(query):
        found.setdefault((r.route, r.model), []).append(
            {"id": r.id, "kind": r.kind, "title": r.title, "changes": r.changes, "due_at": r.due_at}
        )
    return found


def models(conn: Connection, at: datetime, model: str | None = None) -> list[tuple[str, str]]:
    """Every (route, model) with a value in force at `at` (optionally of one model), sorted."""
    c = catalog_values.c
    query = select(c.route, c.model).where(_in_force(at)).distinct().order_by(c.model, c.route)
    if model is not None:
        query = query.where(c.model == model)
    rows = conn.execute(query)
    return [(r.route, r.model) for r in rows]


class AcceptedChange(BaseModel):
    """A value a reviewer accepted: what it replaced (None for a new value), and the decision."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: CatalogValue
    previous: str | None
    item_id: int
    title: str
    decided_at: datetime
    reviewer: str | None
    reason: str | None


def _ever_in_force() -> ColumnElement[bool]:
    """A catalog value that held on some date: not one an undo retracted (valid_to = valid_from,
    review/decisions.py's undo)."""
    c = catalog_values.c
    return or_(c.valid_to.is_(None), c.valid_to > c.valid_from)


def accepted_changes(conn: Connection, limit: int = 100) -> list[AcceptedChange]:
    """The latest values that entered the catalog by a reviewer's decision and were not undone,
    newest first, each with the value it followed (a retracted one is not)."""
    c, r = catalog_values.c, review_items.c
    rows = conn.execute(
        select(catalog_values, r.id.label("item_id"), r.title, r.decided_at, r.reviewer, r.reason)
        .join(review_items, c.accepted_by == literal("review:", String) + cast(r.id, String))
        .where(r.decided_at.is_not(None), _ever_in_force())
        .order_by(r.decided_at.desc(), c.id.desc())
        .limit(limit)
    ).all()
    changes = []
    for row in rows:
        before = conn.execute(
            select(c.value)
            .where(
                c.route == row.route,
                c.model == row.model,
                c.kind == row.kind,
                c.component == row.component,
                c.unit == row.unit,
                c.dimensions == row.dimensions,
                c.id != row.id,
                c.valid_from <= row.valid_from,
                _ever_in_force(),
            )
            .order_by(c.valid_from.desc(), c.id.desc())
            .limit(1)
        ).scalar()
        changes.append(
            AcceptedChange(
                value=CatalogValue.model_validate(row),
                previous=before,
                item_id=row.item_id,
                title=row.title,
                decided_at=row.decided_at,
                reviewer=row.reviewer,
                reason=row.reason,
            )
        )
    return changes


# The text input price an index row shows: the global deployment's, else the unscoped one.
HEADLINE_DIMENSIONS = ("", "scope=global")


class ModelSummary(BaseModel):
    """What the index shows of one (route, model): its modes (category), capability flags
    (1 or 0 as stated, under the raw name and each flag the capability vocabulary reads it as,
    schemas/capabilities.py RAW; absent = unknown), text input price per 1M tokens at the
    standard tier (global deployment or unscoped), and whether an official source verified
    that price."""

    model_config = ConfigDict(extra="forbid")

    route: str
    model: str
    modes: set[str] = Field(default_factory=set)
    flags: dict[str, bool] = Field(default_factory=dict)
    input_price: Decimal | None = None
    input_verified: bool = False
    verified_prices: int = 0


def _officially_confirmed(conn: Connection, at: datetime) -> set[int]:
    """Ids of the prices in force at `at` that an official source had confirmed by `at` (a stamp
    of it begun by then) though their row is not verified by `at` (`verified_at` later, or
    none): `verification` finds them verified as of `at`. Reads stamps and catalog_values."""
    s, c = stamps.c, catalog_values.c
    query = (
        select(s.value_id)
        .join(catalog_values, c.id == s.value_id)
        .where(
            s.official.is_(True),
            s.first_observed_at <= at,
            c.kind == "price",
            _in_force(at),
            or_(c.verified_at.is_(None), c.verified_at > at),
        )
        .distinct()
    )
    return set(conn.execute(query).scalars())


def model_summaries(conn: Connection, at: datetime) -> list[ModelSummary]:
    """Every (route, model) in force at `at`, summarized for the index and the category facts.
    A price is verified as of `at` as `verification` reads it: its row's verification dated by
    `at`, or an official source's confirmation by `at` (a stamp begun by then, whose later
    dates the row's `verified_at` may carry)."""
    c = catalog_values.c
    confirmed = _officially_confirmed(conn, at)
    rows = conn.execute(
        select(c.id, c.route, c.model, c.kind, c.component, c.unit, c.dimensions, c.value)
        .add_columns(c.verified_at)
        .where(_in_force(at))
        .order_by(c.model, c.route)
    )
    found: dict[tuple[str, str], ModelSummary] = {}
    for r in rows:
        summary = found.get((r.route, r.model))
        if summary is None:
            summary = found[(r.route, r.model)] = ModelSummary(route=r.route, model=r.model)
        verified = (r.verified_at is not None and r.verified_at <= at) or r.id in confirmed
        if r.kind == "price" and verified:
            summary.verified_prices += 1
        dims = Dims.parse(r.dimensions)
        if r.component == "mode" and r.value == "1" and "mode" in dims:
            summary.modes.add(dims["mode"])
        elif r.component == "supports" and "capability" in dims:
            name = dims["capability"]
            for flag in flags_answered(name):
                summary.flags[flag] = summary.flags.get(flag, False) or r.value == "1"
        elif (
            (r.component, r.unit, r.kind) == ("input", "usd_per_1m_tokens", "price")
            and r.dimensions in HEADLINE_DIMENSIONS
            and (summary.input_price is None or r.dimensions == "scope=global")
        ):
            summary.input_price = Decimal(r.value)
            summary.input_verified = verified
    return list(found.values())
