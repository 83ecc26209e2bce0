"""Triage: what each review item is, how urgent it is, when it is due, and which set it joins.

Every open item gets, once (its `priority` is NULL until then):

- a **class** from what it is: a person's submission; an official change of a verified price;
  a disagreement on a verified value; an anomaly; another change an official source states; a
  new model or a model gone missing; a value only secondary sources state; an unmapped name;
- a **priority** (1 = most urgent) from its class in `data/review_policy.json`, one step more
  urgent when it is large (a relative change of 50% or more, or 10 fields or more), never as
  urgent as a submission unless it is one;
- a **due time**: `created_at + due_hours` of its class (a submission keeps the due time it was
  given when submitted: the 48-hour promise counts from then);
- a **change set** (`set_id`): the items a reviewer decides at once, per run x lead source x
  route x kind ("2:azure:azure:price_change"), per model for new models, one set per submission;
- its **lead source**: the official source for the route among those it cites, else the first
  that states a value it proposes (the source that raised it), else the first.

Pure functions (`classify`, `triage`) decide; `assign` writes the result for the items that have
none, inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, Engine, bindparam, select, tuple_, update

from catalog.tables import catalog_values, review_items
from schemas.records import FieldChange, ReviewItem, ReviewKind, ReviewStatus
from schemas.sources import is_official
from schemas.sources import sources as configured_sources

POLICY = Path(__file__).resolve().parent.parent / "data" / "review_policy.json"
LARGE_CHANGE_PCT = 50.0
LARGE_ITEM_FIELDS = 10
SUBMISSION_PRIORITY = 1
KIND_PLURALS = {
    ReviewKind.PRICE_CHANGE.value: "price changes",
    ReviewKind.NEW_MODEL.value: "new models",
    ReviewKind.NEW_VALUE.value: "new values",
    ReviewKind.MISSING.value: "missing models",
    ReviewKind.DISAGREEMENT.value: "disagreements",
    ReviewKind.ANOMALY.value: "anomalies",
    ReviewKind.UNMAPPED.value: "unmapped names",
}


class ClassPolicy(BaseModel):
    """How long a reviewer has for one class of item, and how urgent it is (1 = most)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    due_hours: float = Field(gt=0)
    priority: int = Field(ge=1, le=9)
    why: str


CLASSES = (
    "submission",
    "official_change",
    "verified_disagreement",
    "anomaly",
    "change",
    "new_model",
    "missing",
    "secondary_only",
    "unmapped",
)


@cache
def policy(path: Path = POLICY) -> dict[str, ClassPolicy]:
    """The per-class due times and priorities. Raises ValueError naming the file and the rule
    when a class is missing, unknown or malformed."""
    raw = json.loads(path.read_text())
    missing, unknown = set(CLASSES) - raw.keys(), raw.keys() - set(CLASSES)
    if missing or unknown:
        raise ValueError(
            f"{path}: classes must be exactly {', '.join(CLASSES)} "
            f"(missing {sorted(missing)}, unknown {sorted(unknown)})"
        )
    return {name: ClassPolicy.model_validate(entry) for name, entry in raw.items()}


@dataclass(frozen=True)
class Triage:
    """What triage decides for one item."""

    klass: str
    priority: int
    due_at: datetime
    set_id: str
    lead_source: str
    fields: int


def lead_source(
    route: str,
    cited: Sequence[str],
    changes: Sequence[FieldChange] = (),
    anomaly: bool = False,
) -> str:
    """The source an item is led by: the one official for its route, else the first that states
    a value the item proposes (the source that raised it: a secondary's slip beside others that
    still state the value in force), else the first cited. An `anomaly` the official source
    proposes nothing of (it states the value in force) is led by the secondary source that
    raised it, where one did (a fault round: models.dev's OpenAI costs read per 1K, 11
    anomalies "input: 2.5 -> 0.0025" filed under the OpenAI page, which stated 2.5)."""
    official = [s for s in cited if is_official(s, route)]
    stating = [  # the cited sources' statements of a value the item proposes
        s
        for c in changes
        if c.proposed is not None
        for s in c.sources
        if s.value == c.proposed and s.source in cited
    ]
    proposing = [s.source for s in stating]
    if anomaly and not set(official) & set(proposing):
        secondary = [s.source for s in stating if not s.official]
        if secondary:
            return secondary[0][:50]
    return (official or proposing or list(cited) or ["none"])[0][:50]


def classify(
    kind: ReviewKind, route: str, changes: Sequence[FieldChange], verified: Sequence[bool]
) -> str:
    """The policy class of an item. `verified[i]`: the catalog value in force for changes[i]
    is verified (an official source stated it)."""
    official = any(s.official and is_official(s.source, route) for c in changes for s in c.sources)
    if kind is ReviewKind.SUBMISSION:
        return "submission"
    if kind in (ReviewKind.ANOMALY, ReviewKind.UNMAPPED, ReviewKind.MISSING):
        return kind.value
    if kind is ReviewKind.DISAGREEMENT and any(verified):
        return "verified_disagreement"
    if not official:
        return "secondary_only"
    if kind is ReviewKind.PRICE_CHANGE and any(verified):
        return "official_change"
    return "new_model" if kind is ReviewKind.NEW_MODEL else "change"


def triage(item: Any, changes: Sequence[FieldChange], verified: Sequence[bool]) -> Triage:
    """Class, priority, due time, set and lead source of one review_items row."""
    kind = ReviewKind(item.kind)
    klass = classify(kind, item.route, changes, verified)
    rule = policy()[klass]
    largest = max((abs(c.pct_change) for c in changes if c.pct_change is not None), default=0)
    large = largest >= LARGE_CHANGE_PCT or len(changes) >= LARGE_ITEM_FIELDS
    floor = SUBMISSION_PRIORITY if klass == "submission" else SUBMISSION_PRIORITY + 1
    priority = max(floor, rule.priority - 1 if large else rule.priority)
    due_at = item.created_at + timedelta(hours=rule.due_hours)
    if klass == "submission":
        due_at = item.due_at  # the promise counts from submission, not from the fetch
    lead = lead_source(item.route, item.sources or [], changes, kind is ReviewKind.ANOMALY)
    return Triage(
        klass=klass,
        priority=priority,
        due_at=due_at,
        set_id=set_id_of(kind, item.id, item.run_id, lead, item.route, item.model),
        lead_source=lead,
        fields=len(changes),
    )


def set_id_of(
    kind: ReviewKind, item_id: int, run_id: int | None, lead: str, route: str, model: str
) -> str:
    """The change set an item belongs to (see the module docstring)."""
    if kind is ReviewKind.SUBMISSION:
        return f"submission:{item_id}"
    base = f"{run_id if run_id is not None else 'none'}:{lead}:{route}:{kind.value}"
    return f"{base}:{model}" if kind is ReviewKind.NEW_MODEL else base


def set_label(kind: str, route: str, lead: str, run_id: int | None, model: str | None) -> str:
    """A set's name for people: 'azure: price changes from Azure Retail Prices, run 2'."""
    if kind == ReviewKind.SUBMISSION:
        return f"{route}/{model}: submission"
    known = configured_sources().get(lead)
    title = known.title if known else lead
    what = KIND_PLURALS.get(kind, kind)
    if kind == ReviewKind.NEW_MODEL and model:
        what = f"new model {model}"
    when = f", run {run_id}" if run_id is not None else ""
    return f"{route}: {what} from {title}{when}"


def assign(conn: Connection, item_ids: Sequence[int] | None = None) -> int:
    """Triage the open items not yet triaged (or only `item_ids`), in the caller's transaction
    (a refresh triages the items it opens before inserting them: `columns`). Reads the catalog
    values in force (for "verified"); writes priority, due_at, set_id, lead_source and fields.
    Returns how many items it triaged."""
    c = review_items.c
    query = select(c.id).where(c.priority.is_(None), c.status == ReviewStatus.OPEN.value)
    if item_ids is not None:
        query = query.where(c.id.in_(list(item_ids)))
    pending = set(conn.execute(query).scalars())
    if not pending:
        return 0
    items: list[tuple[Any, list[FieldChange]]] = []
    unread = sorted(pending)
    for start in range(0, len(unread), 500):
        for r in conn.execute(select(review_items).where(c.id.in_(unread[start : start + 500]))):
            items.append((r, [FieldChange.model_validate(ch) for ch in r.changes or []]))
    updates = [
        {"item": item.id, **row}
        for (item, _), row in zip(items, _columns(conn, items), strict=True)
    ]
    conn.execute(
        update(review_items)
        .where(c.id == bindparam("item"))
        .values(
            priority=bindparam("priority"),
            due_at=bindparam("due_at"),
            set_id=bindparam("set_id"),
            lead_source=bindparam("lead_source"),
            fields=bindparam("fields"),
        ),
        updates,
    )
    return len(updates)


def columns(conn: Connection, items: Sequence[ReviewItem]) -> list[dict[str, Any]]:
    """The triage columns (priority, due_at, set_id, lead_source, fields) of each of `items`,
    review items a refresh is about to open (never submissions: their set is their id), read
    against the catalog as the caller's transaction sees it. For `store.apply`'s `triage`: the
    items go in triaged, in the refresh's one transaction."""
    if any(item.kind is ReviewKind.SUBMISSION for item in items):
        raise ValueError("a submission is triaged once it has its id (triage.assign)")
    return _columns(conn, [(item, item.changes) for item in items])


def _columns(
    conn: Connection, items: Sequence[tuple[Any, list[FieldChange]]]
) -> list[dict[str, Any]]:
    """Each (item or review_items row, its changes)'s triage columns."""
    verified = _verified(conn, [(item.route, item.model) for item, _ in items])
    out = []
    for item, changes in items:
        flags = [
            verified.get((item.route, item.model, *_measure_text(ch)), False) for ch in changes
        ]
        t = triage(item, changes, flags)
        out.append(
            {
                "priority": t.priority,
                "due_at": t.due_at,
                "set_id": t.set_id,
                "lead_source": t.lead_source,
                "fields": t.fields,
            }
        )
    return out


def _measure_text(change: FieldChange) -> tuple[str, str, str, str]:
    """A change's measure as catalog_values stores it: kind, component, unit, dimensions. The
    enums are StrEnums: each member hashes and compares as its stored text (no `.value`, a
    Python-level lookup, ~10^5 times after a large refresh)."""
    return change.kind, change.component, change.unit, change.dimensions.key


def _verified(
    conn: Connection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str, str, str, str, str], bool]:
    """Whether the value in force of each field of these (route, model)s is verified, keyed by
    the field as stored (route, model, kind, component, unit, dimensions)."""
    c = catalog_values.c
    out: dict[tuple[str, str, str, str, str, str], bool] = {}
    unique = sorted(set(keys))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        rows = conn.execute(
            select(
                c.route, c.model, c.kind, c.component, c.unit, c.dimensions, c.verified_at
            ).where(c.valid_to.is_(None), tuple_(c.route, c.model).in_(chunk))
        )
        for route, model, kind, component, unit, dimensions, verified_at in rows:
            out[(route, model, kind, component, unit, dimensions)] = verified_at is not None
    return out


def assign_pending(engine: Engine) -> int:
    """Triage every open item not yet triaged, in one transaction."""
    with engine.begin() as conn:
        return assign(conn)
