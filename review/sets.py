"""Change sets: the review items a reviewer decides at once, previewed field by field.

A set is what review/triage.py put together (per run x lead source x route x kind, per model for
new models, one per submission). A selection narrows a set to one model or to chosen items;
`preview` lists exactly the catalog fields a decision on it would change, and `decide` decides
exactly those items in one transaction with one audit record per item (review/decisions.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from catalog import queries
from catalog.views import ChangeSet, ReviewWithChanges
from review import decisions
from review.triage import set_label
from schemas.records import FieldChange, ReviewKind, ReviewStatus

# What approving an item of these kinds does, where it writes no value (a disagreement's
# approval agrees that the value in force stands; choosing a source's value instead is a
# decision on one item: `review approve ID --use-source`).
NO_VALUE_EFFECT = {
    ReviewKind.DISAGREEMENT.value: "the value in force stands; the catalog is unchanged",
    ReviewKind.ANOMALY.value: "acknowledged; the catalog is unchanged",
    ReviewKind.UNMAPPED.value: "acknowledged; the catalog is unchanged",
    ReviewKind.MISSING.value: "closes every value of the model in force",
}


class SetError(decisions.DecisionError):
    """A set or selection that cannot be decided; nothing was written."""


@dataclass(frozen=True)
class Selection:
    """Which open items of a set: all of them, one model's, or exactly `item_ids`."""

    set_id: str
    model: str | None = None
    item_ids: tuple[int, ...] = ()

    def filter(self) -> queries.QueueFilter:
        """The queue filter of the selection's open items: its set, and its model where one is
        given (the `item_ids` are checked apart)."""
        return queries.QueueFilter(
            status=ReviewStatus.OPEN.value, set_id=self.set_id, model=self.model or None
        )


def well_formed(set_id: str) -> bool:
    """Whether `set_id` has the shape triage gives set ids (triage.set_id_of):
    'submission:ITEM', or 'RUN:LEAD:ROUTE:KIND' with ':MODEL' after it for new models (RUN a
    number or 'none', KIND a review kind). Says nothing of whether such a set exists."""
    parts = set_id.split(":")
    if parts[0] == ReviewKind.SUBMISSION.value:
        return len(parts) == 2 and parts[1].isascii() and parts[1].isdigit()
    if len(parts) < 4 or not (parts[0] == "none" or (parts[0].isascii() and parts[0].isdigit())):
        return False
    if not parts[1] or not parts[2] or parts[3] not in {k.value for k in ReviewKind}:
        return False
    with_model = parts[3] == ReviewKind.NEW_MODEL.value
    return len(parts) > 4 and all(parts[4:]) if with_model else len(parts) == 4


def describe(found: ChangeSet) -> str:
    """A set's name for people (see triage.set_label)."""
    return set_label(found.kind, found.route, found.lead_source, found.run_id, found.model)


def list_sets(
    engine: Engine,
    which: queries.QueueFilter | None = None,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The change sets of the open items (or of `which`), each with its label and counts,
    soonest due first: `limit` of them from `offset` (every one without a limit)."""
    with engine.connect() as conn:
        found = queries.change_sets(
            conn, which or queries.QueueFilter(), offset=offset, limit=limit
        )
    return [{**s.as_json(), "label": describe(s)} for s in found]


def get_set(engine: Engine, set_id: str) -> dict[str, Any] | None:
    """One set's summary over all its items, open or decided; None when there is no such set."""
    with engine.connect() as conn:
        found = queries.change_sets(conn, queries.QueueFilter(status=None, set_id=set_id))
        if not found:
            return None
        open_ = queries.change_sets(conn, queries.QueueFilter(set_id=set_id))
        models = queries.set_models(conn, queries.QueueFilter(set_id=set_id))
    summary = found[0]
    return {
        **summary.as_json(),
        "label": describe(summary),
        "open_items": open_[0].items if open_ else 0,
        "open_fields": open_[0].fields if open_ else 0,
        "open_models": models,
    }


def items(engine: Engine, selection: Selection) -> list[ReviewWithChanges]:
    """The open items a selection covers, with their changes, by route, model and id.

    Raises SetError when chosen items are not open items of the set."""
    with engine.connect() as conn:
        found = queries.items_with_changes(conn, selection.filter())
    if not selection.item_ids:
        return found
    chosen = set(selection.item_ids)
    picked = [i for i in found if i.id in chosen]
    stray = chosen - {i.id for i in picked}
    if stray:
        raise SetError(
            f"items {', '.join(f'#{i}' for i in sorted(stray))} are not open items of set "
            f"{selection.set_id}{f' for model {selection.model}' if selection.model else ''}"
        )
    return picked


def field_label(change: FieldChange) -> str:
    """'output [service_tier=batch] (usd_per_1m_tokens)': a field of a model, for people."""
    dims = ", ".join(f"{k}={v}" for k, v in change.dimensions.items())
    return f"{change.component.value}{f' [{dims}]' if dims else ''} ({change.unit.value})"


def preview(
    found: Sequence[ReviewWithChanges], refused: Mapping[int, Exception] | None = None
) -> list[dict[str, Any]]:
    """Exactly what approving these items changes, one row per catalog field: item, route,
    model, field, current, proposed, change % (or, for items without values, the effect), and
    `refused`: why the decision would refuse the item (`decisions.refusals`), else None; a
    refused item's effect says so instead of what approving it would do."""
    refused = refused or {}
    rows = []
    for item in found:
        why = str(refused[item.id]) if item.id in refused else None
        for row in _rows(item):
            effect = f"refused: {why}" if why else row["effect"]
            rows.append({**row, "effect": effect, "refused": why})
    return rows


WHOLE_ITEM = "(whole item)"  # a preview row of an item whose approval writes no value


def _rows(item: ReviewWithChanges) -> list[dict[str, Any]]:
    """The preview rows of one item: one per field, or one for the whole item where its
    approval writes no value (NO_VALUE_EFFECT)."""
    named = {"item": item.id, "route": item.route, "model": item.model}
    if item.kind in NO_VALUE_EFFECT:
        return [
            {
                **named,
                "field": WHOLE_ITEM,
                "current": None,
                "proposed": None,
                "pct_change": None,
                "effect": NO_VALUE_EFFECT[item.kind],
            }
        ]
    return [
        {
            **named,
            "field": field_label(change),
            "current": change.current,
            "proposed": change.proposed,
            "pct_change": change.pct_change,
            "effect": "changes" if change.current is not None else "adds",
        }
        for change in item.changes
    ]


def decide(
    engine: Engine,
    verdict: decisions.Verdict,
    selection: Selection,
    *,
    reviewer: str,
    reason: str | None = None,
    channel: str = "cli",
    client_id: str | None = None,
    override: bool = False,
    progress: decisions.Progress | None = None,
) -> list[decisions.Decision]:
    """Decide the open items of a selection in one transaction, one audit record per item;
    `progress` is told after each item."""
    found = items(engine, selection)
    if not found:
        raise SetError(f"set {selection.set_id} has no open items to decide")
    return decisions.decide_items(
        engine,
        verdict,
        [i.id for i in found],
        reviewer=reviewer,
        reason=reason,
        channel=channel,
        client_id=client_id,
        override=override,
        progress=progress,
    )
