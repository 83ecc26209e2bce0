"""Decisions on review items: the only way a proposed change reaches the catalog.

A decision is made by a known reviewer, in one transaction, and leaves an audit record (who,
when, through which channel, the item and the catalog values before and after). Approving a
change closes the value in force (valid_to) and opens the proposed one (valid_from = the date
the source stated it), so history is kept; approving a new model or value adds it; approving a
"missing" item closes the model's values; anomalies and unmapped names are acknowledged and
change nothing. A disagreement is sources differing from a value an official source stands
behind (or, on a field with no value, from each other): approving it agrees that the value in
force stands and writes nothing, unless the reviewer explicitly chooses a source
(`use_source`), whose stated value is then written as for a price change. A secondary value
never silently replaces a verified one. An anomaly's value (a tenfold move) is written only
when the reviewer chooses the route's official source that states it (`use_source`), verified:
a real tenfold price cut is otherwise never taken; a secondary's is never. Rejecting records
why. Deciding an item again the same way is a no-op; deciding an item that is no longer open
is refused. The person who submitted a source cannot approve the item it opened, and a
submission whose claims the fetch did not find is approved only with an explicit override and a
reason. A change set (or a selection of it) is decided in one transaction with one audit record
per item (`decide_items`); an undo is a decision of its own (`undo`): the values in force before
come back, history keeps everything, the item reopens.

A decision checks what it replaces inside its transaction: the value in force must still be the
one the item proposed against, closing it must close exactly that row, and the database holds one
value in force per field. Two reviewers approving items for the same field at the same moment:
one wins, the other is refused with "changed meanwhile" (Stale) and nothing of it is written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, Row, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from catalog import queries, store
from catalog.tables import (
    FIELD_COLUMNS,
    audit_log,
    catalog_values,
    inserted_id,
    review_items,
    stamps,
    submissions,
)
from catalog.views import ReviewRow
from review.reviewers import reviewer_exists
from schemas.field import FieldId, Measure
from schemas.records import (
    FieldChange,
    ReviewKind,
    ReviewStatus,
    SourceValue,
    decimal_text,
    time_text,
)
from schemas.sources import SUBMISSION_SOURCE

# Kinds whose approval writes proposed values into the catalog (a disagreement only when the
# reviewer chooses a source's value).
VALUE_KINDS = frozenset(
    {
        ReviewKind.PRICE_CHANGE,
        ReviewKind.NEW_MODEL,
        ReviewKind.NEW_VALUE,
        ReviewKind.SUBMISSION,
    }
)


# The statements a decision runs for each field it writes, built once: a bulk decision writes
# thousands of fields, and building a statement anew for each cost more than running it (a
# profile of 330 items: 3,781 fields, three quarters of the time in SQLAlchemy's construction).
_c = catalog_values.c
_IN_FORCE = select(catalog_values).where(
    *(_c[name] == bindparam(name) for name in FIELD_COLUMNS), _c.valid_to.is_(None)
)
_CLOSE = (
    update(catalog_values)
    .where(_c.id == bindparam("value_id"), _c.valid_to.is_(None))
    .values(valid_to=bindparam("closed_at"))
)
_OPEN = insert(catalog_values)
_STAMP = insert(stamps)
_DECIDE_ITEM = (
    update(review_items)
    .where(
        review_items.c.id == bindparam("item_id"),
        review_items.c.status == ReviewStatus.OPEN.value,
    )
    .values(
        status=bindparam("decided"),
        decided_at=bindparam("decided_on"),
        reviewer=bindparam("decided_by"),
        reason=bindparam("why"),
    )
)


# Told after each item a decision (or its rehearsal) has gone through: (items done, items in all).
Progress = Callable[[int, int], None]


class Verdict(StrEnum):
    """What a decision does to a review item: approve or reject."""

    APPROVE = "approve"
    REJECT = "reject"

    @property
    def status(self) -> ReviewStatus:
        """The item's status once decided so: approved or rejected."""
        return ReviewStatus.APPROVED if self is Verdict.APPROVE else ReviewStatus.REJECTED


class DecisionError(Exception):
    """A decision that was refused; nothing was written. The message says why."""


class NotFound(DecisionError):
    """No review item has that id."""

    pass


class NotOpen(DecisionError):
    """The item is not in the state the decision needs: already decided otherwise, decided
    meanwhile, or (for an undo) not decided at all."""

    pass


class Forbidden(DecisionError):
    """The reviewer may not decide it: no active reviewer of that name, or the person who
    submitted the source approving the item it opened."""

    pass


class BadReason(DecisionError):
    """The reason entered cannot be used: none where the decision needs one (a rejection, an
    undo), or one holding characters that hide text. The reviewer's input, not the item."""


class Unconfirmed(DecisionError):
    """A submitted claim the fetch did not find, approved without an override and a reason."""


class Stale(DecisionError):
    """The catalog changed since the item was proposed: a decision now would overwrite blindly."""


@dataclass(frozen=True)
class Decision:
    """A decision made (or found already made): the item, its status now, whether anything
    changed (False for an idempotent repeat), the reviewer, and the catalog value rows it opened
    and closed."""

    item_id: int
    status: ReviewStatus
    changed: bool  # False: the item already had this decision (an idempotent repeat)
    reviewer: str
    opened: list[dict[str, Any]] = field(default_factory=list)  # catalog values opened
    closed: list[dict[str, Any]] = field(default_factory=list)  # catalog values closed


@dataclass(frozen=True)
class Filter:
    """Which open items a bulk decision covers. At least one criterion is required."""

    kind: str | None = None
    route: str | None = None
    model: str | None = None
    source: str | None = None

    def is_empty(self) -> bool:
        """Whether no criterion is given (a bulk decision refuses to cover every item)."""
        return not (self.kind or self.route or self.model or self.source)


def approve(
    engine: Engine,
    item_id: int,
    *,
    reviewer: str,
    reason: str | None = None,
    channel: str = "cli",
    client_id: str | None = None,
    now: datetime | None = None,
    override: bool = False,
    use_source: str | None = None,
    dry_run: bool = False,
) -> Decision:
    """Approve one item in one transaction. A submission whose claims the fetch did not find
    needs `override` and a reason (Unconfirmed otherwise); `override` on any other item is
    refused (DecisionError). `use_source` (a disagreement; an anomaly, the route's official
    source only): write the value that source stated instead of keeping the value in force.
    `dry_run`: the decision is made and its transaction rolled back, so the Decision says
    exactly what approving would close and open (or raises what it would refuse) and nothing
    is written."""
    with _deciding(engine, dry_run=dry_run) as conn:
        return _decide(
            conn,
            item_id,
            Verdict.APPROVE,
            reviewer,
            reason,
            channel,
            client_id,
            now,
            override,
            use_source,
        )


def reject(
    engine: Engine,
    item_id: int,
    *,
    reviewer: str,
    reason: str,
    channel: str = "cli",
    client_id: str | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
) -> Decision:
    """Reject one item in one transaction. A rejection without a reason is refused.
    `dry_run`: decided and rolled back, as for `approve`."""
    with _deciding(engine, dry_run=dry_run) as conn:
        return _decide(conn, item_id, Verdict.REJECT, reviewer, reason, channel, client_id, now)


DECISION_ACTIONS = (Verdict.APPROVE.value, Verdict.REJECT.value, "undo")  # their audit rows


def newest_audit_row(engine: Engine) -> int:
    """The id of the audit log's newest row (0 for none): a mark from which `decided_since`
    counts the decisions written after it."""
    with engine.connect() as conn:
        newest = conn.execute(select(func.coalesce(func.max(audit_log.c.id), 0))).scalar_one()
    return int(newest)


def decided_since(engine: Engine, mark: int) -> int:
    """How many decisions (approvals, rejections, undos) the audit log records after its row
    `mark`: after an interrupted decision, 0 says its one transaction was not committed."""
    a = audit_log.c
    with engine.connect() as conn:
        found = conn.execute(
            select(func.count()).where(a.id > mark, a.action.in_(DECISION_ACTIONS))
        ).scalar_one()
    return int(found)


def matching_open(engine: Engine, which: Filter) -> list[ReviewRow]:
    """The open items a bulk decision with this filter would cover (for previews)."""
    with engine.connect() as conn:
        return _matching_open(conn, which)


def decide_many(
    engine: Engine,
    verdict: Verdict,
    which: Filter,
    *,
    reviewer: str,
    reason: str | None = None,
    channel: str = "cli",
    client_id: str | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> list[Decision]:
    """Decide every open item the filter matches, all or nothing: any refusal undoes the lot,
    and the DecisionError raised names how many and which items were refused (`refusing`).
    `progress` is told after each item."""
    if which.is_empty():
        raise DecisionError("a bulk decision needs a filter: kind, route, model or source")
    with _deciding(engine) as conn:
        ids = [item.id for item in _matching_open(conn, which)]
        decided = _decide_each(
            conn, ids, verdict, reviewer, reason, channel, client_id, now, progress=progress
        )
        return _all_or_nothing(decided, len(ids))


def refusals(
    engine: Engine,
    verdict: Verdict,
    item_ids: Sequence[int],
    *,
    reviewer: str,
    reason: str | None = None,
    client_id: str | None = None,
    override: bool = False,
    progress: Progress | None = None,
) -> dict[int, DecisionError]:
    """What deciding these items together would refuse, by item id, found by rehearsing the
    decision (`decide_items`' transaction, rolled back; each item under a savepoint of its own,
    so every refusal is found, not only the first). Empty when the decision would be made: a
    preview says what a decision does, and that it would not be made (a disagreement on a field
    holding no value to keep, a submission its fetch did not confirm, a decided item). A
    refusal of the decision as a whole (no such reviewer, a rejection without a reason) is no
    item's: the decision says it when made. `progress` is told after each item."""
    if not item_ids:
        return {}
    with _deciding(engine, dry_run=True) as conn:
        try:
            _checked_decision(conn, verdict, reviewer, reason)
        except DecisionError:
            return {}  # no item's refusal: the decision itself is refused when made
        return _decide_each(
            conn,
            item_ids,
            verdict,
            reviewer,
            reason,
            "cli",
            client_id,
            None,
            override,
            None,
            progress,
        )[1]


def refusing(refused: dict[int, DecisionError], total: int) -> DecisionError:
    """One refusal for a decision on `total` items of which `refused` (by id) were refused:
    the first one's words, and with more items, how many and which were refused (nothing of
    the decision is made). Of the first refusal's class (a Forbidden stays one)."""
    first = refused[min(refused)]
    if total == 1:
        return first
    ids = sorted(refused)
    named = ", ".join(f"#{i}" for i in ids[:10]) + (", …" if len(ids) > 10 else "")
    return type(first)(
        f"{first}; nothing was decided: {len(ids)} of {total} items refused ({named})"
    )


def _all_or_nothing(
    decided: tuple[list[Decision], dict[int, DecisionError]], total: int
) -> list[Decision]:
    """What `_decide_each` did with `total` items, all or nothing: the decisions made, or the
    one refusal (`refusing`) naming every refused item (the caller's transaction undoes the
    rest)."""
    made, refused = decided
    if refused:
        raise refusing(refused, total)
    return made


def _decide_each(
    conn: Connection,
    item_ids: Sequence[int],
    verdict: Verdict,
    reviewer: str,
    reason: str | None,
    channel: str,
    client_id: str | None,
    now: datetime | None,
    override: bool = False,
    use_source: str | None = None,
    progress: Progress | None = None,
) -> tuple[list[Decision], dict[int, DecisionError]]:
    """Decide each item in turn in the caller's transaction, each under a savepoint: the
    decisions made, and each refused item's refusal (its writes undone). The caller refuses the
    lot when any was refused. A refusal of the decision as a whole (`_checked_decision`) is
    raised once, before any item. `progress` is told after each item, decided or refused."""
    _checked_decision(conn, verdict, reviewer, reason)
    made: list[Decision] = []
    refused: dict[int, DecisionError] = {}
    for item_id in item_ids:
        try:
            with conn.begin_nested():
                made.append(
                    _decide(
                        conn,
                        item_id,
                        verdict,
                        reviewer,
                        reason,
                        channel,
                        client_id,
                        now,
                        override,
                        use_source,
                    )
                )
        except IntegrityError as exc:
            if not _second_in_force(exc):
                raise
            refused[item_id] = Stale(f"review item {item_id}: {SECOND_IN_FORCE}")
        except DecisionError as exc:
            refused[item_id] = exc
        if progress is not None:
            progress(len(made) + len(refused), len(item_ids))
    return made, refused


@contextmanager
def _deciding(engine: Engine, *, dry_run: bool = False) -> Iterator[Connection]:
    """The decision's one transaction (holding SQLite's write lock from its first read); a
    write the database refuses as a second value in force is a decision that lost a race.
    `dry_run`: the same transaction, rolled back at its end whatever it wrote."""
    try:
        if dry_run:
            with store.write_transaction(engine, rollback=True) as conn:
                yield conn
        else:
            with store.write_transaction(engine) as conn:
                yield conn
    except IntegrityError as exc:
        if not _second_in_force(exc):
            raise
        raise Stale(SECOND_IN_FORCE) from exc


SECOND_IN_FORCE = (
    "changed meanwhile: another decision put a value in force for this field first; "
    "nothing was written"
)


def _second_in_force(exc: IntegrityError) -> bool:
    """Whether the database refused a second value in force (SQLite names the index's columns,
    PostgreSQL the index)."""
    text = str(exc.orig)
    return "uq_catalog_in_force" in text or "catalog_values.route" in text


def _matching_open(conn: Connection, which: Filter) -> list[ReviewRow]:
    return queries.list_reviews(
        conn,
        status=ReviewStatus.OPEN.value,
        kind=which.kind,
        route=which.route,
        model=which.model,
        source=which.source,
    )


def checked_reason(reason: str | None) -> str:
    """A decision's reason, stripped, its line breaks as "\n" ('' for none). Raises
    DecisionError for one holding a control character other than a tab or a line break
    (PostgreSQL's text refuses a NUL: the decision would fail in the database instead of being
    refused), a carriage return alone, or a character that moves or hides text as a terminal
    shows it (Unicode's C1 controls, among them the 8-bit CSI U+009B and NEL U+0085; the
    format characters, direction overrides and zero-width ones; the line and paragraph
    separators): a fault round wrote a reason whose second line read as another reviewer's
    audit entry, and one that reversed the text after it."""
    text = (reason or "").strip().replace("\r\n", "\n")
    if any(_hides_text(c) for c in text):
        raise BadReason("a reason cannot hold control characters: retype it")
    return text


def _hides_text(char: str) -> bool:
    """Whether `char` is a control or format character but a tab or a line feed."""
    return char not in "\t\n" and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def _decide(
    conn: Connection,
    item_id: int,
    verdict: Verdict,
    reviewer: str,
    reason: str | None,
    channel: str,
    client_id: str | None,
    now: datetime | None,
    override: bool = False,
    use_source: str | None = None,
) -> Decision:
    now = now or datetime.now(UTC)
    reason = _checked_decision(conn, verdict, reviewer, reason)
    item = conn.execute(select(review_items).where(review_items.c.id == item_id)).first()
    if item is None:
        raise NotFound(f"no review item {item_id}")
    if item.status == verdict.status.value:
        if verdict is Verdict.APPROVE and item.kind == ReviewKind.DISAGREEMENT.value:
            _refuse_other_choice(conn, item_id, use_source)
        return Decision(item_id, verdict.status, changed=False, reviewer=item.reviewer or "")
    if item.status != ReviewStatus.OPEN.value:
        raise NotOpen(f"review item {item_id} is {item.status}, no longer open")
    submission = _submission_of(conn, item_id)
    if verdict is Verdict.APPROVE:
        if override and submission is None:  # nothing to override: no claim went unfound
            raise DecisionError(
                f"review item {item_id} is of kind {item.kind}: an override applies to "
                "submissions only"
            )
        _refuse_own_submission(submission, reviewer, client_id)
        _refuse_unconfirmed(submission, item_id, override, reason)
        closed, opened = _apply(conn, item, now, use_source)
    else:
        closed, opened = [], []
    _close_item(conn, item_id, verdict.status, reviewer, reason, now)
    if submission is not None:
        conn.execute(
            update(submissions)
            .where(submissions.c.id == submission.id)
            .values(status=verdict.status.value)
        )
    conn.execute(
        insert(audit_log).values(
            at=now,
            actor=reviewer,
            channel=channel,
            action=verdict.value,
            target=f"review:{item_id}",
            reason=reason,
            before={"status": item.status, "values": closed},
            after={"status": verdict.status.value, "values": opened},
        )
    )
    return Decision(item_id, verdict.status, True, reviewer, opened=opened, closed=closed)


def _checked_decision(
    conn: Connection, verdict: Verdict, reviewer: str, reason: str | None
) -> str | None:
    """The decision's reason (stripped; None for none), after the checks of the decision as a
    whole, whatever items it covers: an active reviewer (Forbidden), a reason without control
    characters, and one for a rejection (DecisionError)."""
    checked = checked_reason(reason) or None
    if not reviewer_exists(conn, reviewer):
        raise Forbidden(f"no active reviewer named {reviewer!r}")
    if verdict is Verdict.REJECT and not checked:
        raise BadReason("a rejection needs a reason")
    return checked


def _refuse_other_choice(conn: Connection, item_id: int, use_source: str | None) -> None:
    """A repeat of an approved disagreement's approval is a no-op only when it asks for what the
    approval did (the same source's value, or the value in force kept): asking for another
    source's value is refused (DecisionError), as that would need the approval undone first.
    The approval's choice is read from its audit record (the values it opened)."""
    approval = conn.execute(
        select(audit_log.c.after)
        .where(audit_log.c.target == f"review:{item_id}", audit_log.c.action == "approve")
        .order_by(audit_log.c.id.desc())
        .limit(1)
    ).scalar()
    if approval is None:  # decided before the audit kept its values: nothing to compare
        return
    taken = {value.get("accepted_source") for value in approval.get("values", [])}
    chosen = taken.pop() if len(taken) == 1 else None
    if chosen == use_source:
        return
    how = f"with {chosen}'s value" if chosen else "keeping the value in force"
    asked = f"{use_source}'s value" if use_source else "the value in force kept"
    raise DecisionError(
        f"review item {item_id} was approved {how}; to take {asked} instead, undo the "
        "approval first"
    )


def _submission_of(conn: Connection, item_id: int) -> Row[Any] | None:
    return conn.execute(select(submissions).where(submissions.c.review_item_id == item_id)).first()


def _refuse_own_submission(
    submission: Row[Any] | None, reviewer: str, client_id: str | None
) -> None:
    if submission is None:
        return
    rule = "whoever submitted a source cannot approve the item it opened"
    if submission.submitter == reviewer:
        raise Forbidden(f"{reviewer} submitted its source: {rule}")
    if client_id and submission.client_id == client_id:
        account = client_id.removeprefix("cli:")
        where = f"the OS account {account}" if account != client_id else "this browser"
        raise Forbidden(f"its source was submitted from {where}: {rule}")


def unconfirmed_claims(fetch_status: str | None, checks: Sequence[dict[str, Any]]) -> list[str]:
    """What the fetch of a submission did not confirm: the source itself when it was refused or
    failed, else each claim it did not find ("input 3 usd_per_1m_tokens")."""
    if fetch_status != "fetched":
        return [f"the source ({fetch_status or 'not fetched'})"]
    return [f"{c['component']} {c['value']} {c['unit']}" for c in checks if not c.get("found")]


def _refuse_unconfirmed(
    submission: Row[Any] | None, item_id: int, override: bool, reason: str | None
) -> None:
    if submission is None:
        return
    missing = unconfirmed_claims(submission.fetch_status, submission.checks or [])
    if missing and not (override and reason):
        raise Unconfirmed(
            f"review item {item_id}: the fetch did not find {', '.join(missing)}; approving "
            "it needs an explicit override and a reason saying where the value is stated"
        )


def _close_item(
    conn: Connection,
    item_id: int,
    status: ReviewStatus,
    reviewer: str,
    reason: str | None,
    now: datetime,
) -> None:
    """Record the decision, guarding against a concurrent decision on the same item."""
    result = conn.execute(
        _DECIDE_ITEM,
        {
            "item_id": item_id,
            "decided": status.value,
            "decided_on": now,
            "decided_by": reviewer,
            "why": reason,
        },
    )
    if result.rowcount != 1:
        raise NotOpen(f"review item {item_id} was decided meanwhile")


def _apply(
    conn: Connection, item: Row[Any], now: datetime, use_source: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Write what approving the item means for the catalog: (values closed, values opened)."""
    kind = ReviewKind(item.kind)
    changes = [FieldChange.model_validate(c) for c in item.changes or []]
    if use_source is not None:
        if kind is ReviewKind.ANOMALY:
            _refuse_unofficial(item, changes, use_source)
        elif kind is not ReviewKind.DISAGREEMENT:
            raise DecisionError(
                f"review item {item.id} is of kind {kind.value}: choosing a source's value applies "
                "to disagreements and anomalies only"
            )
        changes = [_chosen(item.id, change, use_source) for change in changes]
    elif kind is ReviewKind.DISAGREEMENT:
        return _keep_in_force(conn, item, changes)
    if kind is ReviewKind.MISSING:
        return _close_model(conn, item.route, item.model, now), []
    if kind not in VALUE_KINDS and use_source is None:
        return [], []
    unproposed = [c for c in changes if c.proposed is None]
    if unproposed or not changes:
        raise DecisionError(
            f"review item {item.id} proposes no value for {len(unproposed) or 'any'} field(s): "
            "reject it, or wait for a source to settle the value"
        )
    _refuse_two_values_of_a_field(item.id, changes)
    closed: list[dict[str, Any]] = []
    opened: list[dict[str, Any]] = []
    for change in changes:
        if use_source is not None and _holds_already(conn, item, change):
            continue  # the chosen source states the value in force: it stands, untouched
        if use_source is None and _confirms_in_force(conn, item, change):
            continue  # a proposal of the value in force, which it would only strip of its stamps
        was, now_value = _apply_change(conn, item, change, now, use_source)
        closed.extend(was)
        opened.append(now_value)
    return closed, opened


def _holds_already(conn: Connection, item: Row[Any], change: FieldChange) -> bool:
    """Whether the change's field holds its proposed value in force already (a source chosen
    for a disagreement that states the value in force): closing it to open the same value
    would split its history for nothing."""
    current = _in_force(conn, FieldId(item.route, item.model, change.measure))
    return (
        current is not None
        and change.proposed is not None
        and Decimal(current.value) == Decimal(change.proposed)
    )


def _refuse_two_values_of_a_field(item_id: int, changes: Sequence[FieldChange]) -> None:
    """Refuse (DecisionError, naming the field and its values) an item proposing two values of
    one field: no one approval can write both (a fault round: a submission claiming input at
    $3 and at $3.50, approved with an override, wrote them in the claims' order and left the
    last in force). The same value proposed twice is one value."""
    proposed: dict[Measure, set[Decimal]] = {}
    for change in changes:
        assert change.proposed is not None  # _apply refuses items with unproposed fields
        proposed.setdefault(change.measure, set()).add(Decimal(change.proposed))
    for measure, values in proposed.items():
        if len(values) > 1:
            said = " and ".join(decimal_text(v) for v in sorted(values))
            raise DecisionError(
                f"review item {item_id} proposes {measure.text()} at {said} "
                f"{measure.unit.value}: one value per field; reject it"
            )


def _confirms_in_force(conn: Connection, item: Row[Any], change: FieldChange) -> bool:
    """Whether approving the change would replace the field's value in force by the same value
    and add no verification to it (a change proposed against another value is refused as stale,
    `_refuse_stale`): the value in force is verified already, or no official
    source states the proposed value in the item. Such a value stands, untouched (a fault
    round: approving a submission that claimed anthropic/claude-sonnet-4-5's input at $3, its
    value in force verified by Anthropic's page, closed that value as in force for no time and
    opened an unverified copy from the submission: the field lost its verification, and its
    history from the page's date on named the submission)."""
    if not _holds_already(conn, item, change):
        return False
    current = _in_force(conn, FieldId(item.route, item.model, change.measure))
    assert current is not None and change.proposed is not None  # _holds_already says so
    # proposed against another value, now replaced by this one: changed meanwhile, refused as
    # any stale change is (two reviewers approving the same field at once: one wins)
    _refuse_stale(item.id, change, current)
    stated = _stated_by(change, Decimal(change.proposed))
    return current.verified_by is not None or not any(s.official for s in stated)


def _keep_in_force(
    conn: Connection, item: Row[Any], changes: Sequence[FieldChange]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Approving a disagreement without choosing a source: the value in force stands. Refused
    where a field holds no value (there is nothing to keep: choose a source or reject) or the
    value in force is no longer the one the sources disagreed with (Stale)."""
    for change in changes:
        current = _in_force(conn, FieldId(item.route, item.model, change.measure))
        if current is None and change.current is None:
            raise DecisionError(
                f"review item {item.id}: {change.component.value} holds no value to keep; "
                "choose the source whose value to use, or reject it"
            )
        _refuse_stale(item.id, change, current)
    return [], []


def _refuse_unofficial(item: Row[Any], changes: Sequence[FieldChange], source: str) -> None:
    """An anomaly's value is taken only from the route's official source (a tenfold move it
    states, which a reviewer checked): DecisionError when `source` is not official in every
    field of the item, or states a field at more than one value there (a per-pixel anomaly
    cites the per-pixel price beside the per-image one: which is the field's is not said). A
    secondary's tenfold value beside an official one is a slip, never a value to take."""
    if not changes or not all(official_value(change, source) for change in changes):
        raise DecisionError(
            f"review item {item.id} is an anomaly: only the official source of {item.route} "
            f"can be taken, and {source!r} is not one stating one value of every field of it"
        )


def official_value(change: FieldChange, source: str) -> str | None:
    """The one value `source`, official for the change's route, states of the change's field
    in it; None where it is not official there or states none or several."""
    stated = {s.value for s in change.sources if s.source == source and s.official and s.value}
    return stated.pop() if len(stated) == 1 else None


def _chosen(item_id: int, change: FieldChange, source: str) -> FieldChange:
    """The change with the value `source` stated as the proposal (DecisionError if it stated
    none for this field)."""
    stated = [s for s in change.sources if s.source == source and s.value]
    if not stated:
        named = ", ".join(sorted({s.source for s in change.sources if s.value}))
        raise DecisionError(
            f"review item {item_id}: {source!r} states no value for {change.component.value} "
            f"(sources stating one: {named or 'none'})"
        )
    latest = max(stated, key=lambda s: s.observed_at)
    return change.model_copy(update={"proposed": latest.value})


def _in_force(conn: Connection, field_id: FieldId) -> Row[Any] | None:
    return conn.execute(_IN_FORCE, field_id.stored()).first()


def _apply_change(
    conn: Connection,
    item: Row[Any],
    change: FieldChange,
    now: datetime,
    use_source: str | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Close the field's value in force (if any) and open the proposed one from its date
    (`use_source`: the source whose value the reviewer chose, its accepted source)."""
    key = FieldId(item.route, item.model, change.measure).stored()
    current = conn.execute(_IN_FORCE, key).first()
    _refuse_stale(item.id, change, current)
    assert change.proposed is not None  # _apply refuses items with unproposed fields
    proposed = Decimal(change.proposed)
    stated = _stated_by(change, proposed)
    accepted = _accepted(stated, use_source)
    valid_from = accepted.observed_at if accepted else now
    closed = []
    if current is not None:
        valid_from = max(valid_from, current.valid_from)
        replaced = conn.execute(_CLOSE, {"value_id": current.id, "closed_at": valid_from})
        if replaced.rowcount != 1:
            raise Stale(
                f"review item {item.id}: changed meanwhile: the value in force for "
                f"{change.component.value} was replaced by another decision; nothing was written"
            )
        closed.append(_value_dict(current._mapping, valid_to=valid_from))
    row = {**key, **_provenance(item, proposed, valid_from, stated, use_source)}
    value_id = inserted_id(conn.execute(_OPEN, row))
    _stamp(conn, value_id, item.run_id, stated)
    return closed, _value_dict({**row, "id": value_id})


def _provenance(
    item: Row[Any],
    proposed: Decimal,
    valid_from: datetime,
    stated: list[SourceValue],
    use_source: str | None = None,
) -> dict[str, Any]:
    """Who let the value in and who stated it: verified only when an official source did. The
    accepted source is the one the reviewer chose (`use_source`), else the official stater,
    else the latest; where none states it, a submission's claim its URL did not show (approved
    with an override) is the submission's ('unverified, stated by submission': it read
    'stated by review', a source there is none of)."""
    official = next((s for s in stated if s.official), None)
    chosen = _accepted(stated, use_source)
    unstated = SUBMISSION_SOURCE if item.kind == ReviewKind.SUBMISSION else "review"
    return {
        "value": decimal_text(proposed),
        "valid_from": valid_from,
        "verified_at": official.observed_at if official else None,
        "verified_by": official.source if official else None,
        "accepted_by": f"review:{item.id}",
        "accepted_source": (chosen.source if chosen else unstated)[:50],
        "run_id": item.run_id,
    }


def _accepted(stated: list[SourceValue], use_source: str | None) -> SourceValue | None:
    """The statement a value is accepted from (its accepted source, and its date the value's
    valid_from): the source the reviewer chose, else the official stater, else the latest
    (`stated` as `_stated_by` orders it); None when no source stated it."""
    named = next((s for s in stated if s.source == use_source), None)
    return named or (stated[0] if stated else None)


def _refuse_stale(item_id: int, change: FieldChange, current: Row[Any] | None) -> None:
    expected = change.current
    actual = None if current is None else current.value
    if expected is None and actual is None:
        return
    if expected is None or actual is None or Decimal(expected) != Decimal(actual):
        raise Stale(
            f"review item {item_id}: changed meanwhile: the catalog holds {actual} for "
            f"{change.component.value}, not {expected} as proposed against; a newer item will "
            "say what to do"
        )


def _stated_by(change: FieldChange, proposed: Decimal) -> list[SourceValue]:
    """The sources that stated exactly the proposed value, official ones first, latest first."""
    agreeing = [s for s in change.sources if s.value and _same(s.value, proposed)]
    agreeing.sort(key=lambda s: s.observed_at, reverse=True)
    agreeing.sort(key=lambda s: not s.official)
    return agreeing


def _same(text: str, value: Decimal) -> bool:
    try:
        return Decimal(text) == value
    except ArithmeticError:
        return False


def _stamp(
    conn: Connection, value_id: int, run_id: int | None, stated: Sequence[SourceValue]
) -> None:
    """Each source that stated the approved value confirms it (stamps need the run it came in)."""
    if run_id is None or not stated:
        return
    conn.execute(
        _STAMP,
        [
            {
                "value_id": value_id,
                "run_id": run_id,
                "source": s.source,
                "official": s.official,
                "observed_at": s.observed_at,
            }
            for s in stated
        ],
    )


def _close_model(conn: Connection, route: str, model: str, now: datetime) -> list[dict[str, Any]]:
    c = catalog_values.c
    rows = conn.execute(
        select(catalog_values).where(c.route == route, c.model == model, c.valid_to.is_(None))
    ).all()
    if rows:
        conn.execute(
            update(catalog_values).where(c.id.in_([r.id for r in rows])).values(valid_to=now)
        )
    return [_value_dict(r._mapping, valid_to=now) for r in rows]


def _value_dict(row: Any, **override: Any) -> dict[str, Any]:
    """A catalog value as JSON-ready data for the audit log."""
    data = {**dict(row), **override}
    keep = (
        "id",
        "route",
        "model",
        "kind",
        "component",
        "unit",
        "dimensions",
        "value",
        "valid_from",
        "valid_to",
        "verified_at",
        "verified_by",
        "accepted_by",
        "accepted_source",
    )
    return {
        k: time_text(data[k]) if isinstance(data.get(k), datetime) else data.get(k) for k in keep
    }


def decide_items(
    engine: Engine,
    verdict: Verdict,
    item_ids: Sequence[int],
    *,
    reviewer: str,
    reason: str | None = None,
    channel: str = "cli",
    client_id: str | None = None,
    now: datetime | None = None,
    override: bool = False,
    use_source: str | None = None,
    progress: Progress | None = None,
) -> list[Decision]:
    """Decide exactly these items (a change set, or the rows a reviewer selected in it) in one
    transaction, one audit record per item: any refusal undoes the lot, and the DecisionError
    raised names how many and which items were refused (`refusing`). `use_source`: as for
    `approve`. `progress` is told after each item."""
    if not item_ids:
        raise DecisionError("no items to decide: the set (or the selection) is empty")
    with _deciding(engine) as conn:
        return _all_or_nothing(
            _decide_each(
                conn,
                item_ids,
                verdict,
                reviewer,
                reason,
                channel,
                client_id,
                now,
                override,
                use_source,
                progress,
            ),
            len(item_ids),
        )


def undo(
    engine: Engine,
    item_id: int,
    *,
    reviewer: str,
    reason: str,
    channel: str = "cli",
    now: datetime | None = None,
) -> Decision:
    """Undo the decision on an approved or rejected item, as a decision of its own (one
    transaction, an audit record `undo`): the catalog's history reads as if the decision had
    not been made. Each value its approval opened is retracted (its row kept, its validity
    closed where it began: no date is answered with it any more), each value it closed is in
    force again in its own row (its dates, stamps and corroborations with it), and the item is
    open again; the audit log keeps what was decided and undone, and when. Refused without a
    reason, for an item never decided, when a value it opened is no longer the one in force
    (a later decision would be overwritten), or when an item opened since stays open about the
    same thing (`_open_on_its_fields`): a field has one open proposal (a fault round: a rejected
    fault-day item undone after the true value was proposed again stood open beside it, and
    approving it put the fault's value in force)."""
    now = now or datetime.now(UTC)
    reason = checked_reason(reason)
    with _deciding(engine) as conn:
        if not reviewer_exists(conn, reviewer):
            raise Forbidden(f"no active reviewer named {reviewer!r}")
        if not reason:
            raise BadReason("an undo needs a reason")
        item = conn.execute(select(review_items).where(review_items.c.id == item_id)).first()
        if item is None:
            raise NotFound(f"no review item {item_id}")
        if item.status not in (ReviewStatus.APPROVED.value, ReviewStatus.REJECTED.value):
            raise NotOpen(f"review item {item_id} is {item.status}: there is no decision to undo")
        last = conn.execute(
            select(audit_log)
            .where(
                audit_log.c.target == f"review:{item_id}",
                audit_log.c.action.in_([Verdict.APPROVE.value, Verdict.REJECT.value]),
            )
            .order_by(audit_log.c.id.desc())
        ).first()
        opened = last.after.get("values", []) if last else []
        closed = last.before.get("values", []) if last else []
        retired = _retire(conn, item_id, opened)
        restored = [_restore(conn, value, item_id) for value in closed]
        _supersede_proposals_on(conn, item_id, retired, now)
        c = review_items.c
        later = _open_on_its_fields(conn, item)
        if later is not None:
            raise Stale(
                f"review item {item_id} cannot be open again: review item {later}, opened "
                "since, proposes on the same fields; decide that one"
            )
        reopened = conn.execute(
            update(review_items)
            .where(c.id == item_id, c.status == item.status)
            .values(status=ReviewStatus.OPEN.value, decided_at=None, reviewer=None, reason=None)
        )
        if reopened.rowcount != 1:
            raise NotOpen(f"review item {item_id} was decided meanwhile")
        conn.execute(
            update(submissions)
            .where(submissions.c.review_item_id == item_id)
            .values(status=ReviewStatus.OPEN.value)
        )
        conn.execute(
            insert(audit_log).values(
                at=now,
                actor=reviewer,
                channel=channel,
                action="undo",
                target=f"review:{item_id}",
                reason=reason,
                before={"status": item.status, "values": retired},
                after={"status": ReviewStatus.OPEN.value, "values": restored},
            )
        )
    return Decision(item_id, ReviewStatus.OPEN, True, reviewer, opened=restored, closed=retired)


def _open_on_its_fields(conn: Connection, item: Any) -> int | None:
    """The id of an open item other than `item` (a review_items row) about the same thing: of
    its slot, or, for an item that proposes against the catalog, one of those kinds proposing
    on any of its fields, whatever its kind or the fields grouped with it (as a refresh
    supersedes, catalog/store.py `_overlapping`); None when there is none."""
    c = review_items.c
    others = conn.execute(
        select(c.id, c.slot, c.kind, c.changes).where(
            c.status == ReviewStatus.OPEN.value,
            c.id != item.id,
            c.route == item.route,
            c.model == item.model,
        )
    )
    fields = {store.stored_field(item.route, item.model, ch) for ch in item.changes or []}
    proposing = item.kind in store.AGAINST_CATALOG_TEXT
    for row in others:
        if row.slot == item.slot:
            return int(row.id)
        if (
            proposing
            and row.kind in store.AGAINST_CATALOG_TEXT
            and any(
                store.stored_field(item.route, item.model, ch) in fields for ch in row.changes or []
            )
        ):
            return int(row.id)
    return None


def _supersede_proposals_on(
    conn: Connection, item_id: int, retired: list[dict[str, Any]], now: datetime
) -> None:
    """The open items that propose on a field whose value an undo retracted were proposals
    against that value: superseded (the undone item, open again, is the field's one open
    proposal; the next refresh proposes against the value in force again)."""
    fields = {
        (v["route"], v["model"], v["kind"], v["component"], v["unit"], v["dimensions"])
        for v in retired
    }
    if not fields:
        return
    c = review_items.c
    candidates = conn.execute(
        select(c.id, c.route, c.model, c.changes).where(
            c.status == ReviewStatus.OPEN.value,
            c.id != item_id,
            c.kind.in_(store.AGAINST_CATALOG_TEXT),
            c.model.in_({f[1] for f in fields}),
        )
    )
    stale = [
        row.id
        for row in candidates
        if any(
            store.stored_field(row.route, row.model, change) in fields
            for change in row.changes or []
        )
    ]
    store.supersede(conn, stale, now, f"proposed against a value undone with review item {item_id}")


def _retire(conn: Connection, item_id: int, opened: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Retract the values a decision opened (valid_to = valid_from: in force on no date); each
    must still be the one in force."""
    c = catalog_values.c
    retired = []
    for value in opened:
        row = conn.execute(select(catalog_values).where(c.id == value["id"])).first()
        if row is None or row.valid_to is not None:
            raise Stale(
                f"review item {item_id}: the value {value['value']} it let in for "
                f"{value['component']} is no longer in force; undo the later decision first"
            )
        conn.execute(update(catalog_values).where(c.id == row.id).values(valid_to=row.valid_from))
        retired.append(_value_dict(row._mapping, valid_to=row.valid_from))
    return retired


def _restore(conn: Connection, value: dict[str, Any], item_id: int) -> dict[str, Any]:
    """Put a value a decision closed back in force: its own row, open again (as if never
    closed), so its dates, stamps and corroborations stay its own."""
    c = catalog_values.c
    reopened = conn.execute(
        update(catalog_values)
        .where(c.id == value["id"], c.valid_to.is_not(None))
        .values(valid_to=None)
    )
    if reopened.rowcount != 1:
        raise Stale(
            f"review item {item_id}: the value {value['value']} it replaced for "
            f"{value['component']} is no longer the one it closed; nothing was written"
        )
    row = conn.execute(select(catalog_values).where(c.id == value["id"])).one()
    return _value_dict(row._mapping)
