"""Compare a refresh's observations with the catalog: pure, no I/O.

observations × current catalog → stamps (verified / corroborated), values a policy lets in,
review items (price changes, disagreements, new models and values, unmapped names, anomalies,
models missing from complete listings) and listing counters. The catalog never changes here;
catalog/store.py applies the result in one transaction.

Authority holds on a bad day:
- A secondary source never proposes a change to a value an official source verified: where it
  differs, the item is a disagreement, whether or not the official source answered this run.
- A source not read this run (it failed, was not selected, or answered unchanged) is *held*: its
  last applied statements (`Context.held`) stand in for it as evidence, so every item comes out
  as it did when the source last answered (same fingerprints: nothing opened, nothing
  superseded because of its absence). So is what a partial source stated of the fields it
  states nothing of this run (what its responses that gave no evidence stated). Held statements
  never stamp, never count as a listing, never let a value in, and never make an item on their
  own: an item cites a statement read this run (what only held statements state stays as its
  open item left it, unless a source read this run no longer states what that open item cites
  it for: `Comparison.held_items`, which the store then takes as proposed).
"""

from __future__ import annotations

import decimal
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from difflib import get_close_matches
from functools import cache, cached_property
from itertools import chain
from operator import attrgetter, itemgetter
from typing import NamedTuple

from catalog import titles
from catalog.health import AGREEING, power_of_ten
from catalog.plausibility import (
    NO_SEPARATE_PRICE_RULE,
    ZERO_ROUTE_RULE,
    jumped,
    limit_jumped,
    unit_slipped,
)
from schemas.field import Dims, FieldId, ListingId, Measure
from schemas.records import (
    FieldChange,
    Observation,
    Problem,
    ReviewItem,
    ReviewKind,
    SourceValue,
    decimal_text,
    percent_change,
)
from schemas.vocab import Component, Dim, Kind, Unit

REVIEW_DUE = timedelta(hours=48)
MISSING_AFTER = 3  # consecutive complete listings without a model before it becomes an item


@dataclass(frozen=True, slots=True)
class Current:
    """A catalog value in force. Slotted: a refresh holds one per field in force (~10^6 at
    scale), and an instance dict would double each one's size."""

    id: int
    value: Decimal
    verified_by: str | None = None  # the official source that verified it, if one did


class Stamp(NamedTuple):
    """A source confirming the value in force (value_id) at `observed_at`. Immutable; a named
    tuple, since a refresh makes one per confirmed statement (~10^5)."""

    value_id: int
    source: str
    official: bool
    observed_at: datetime


# A named tuple of its fields' values, in order, built as the plain tuple it is: a NamedTuple's
# __new__ is a Python function (~4x the cost), and a first load builds one per field (~10^6).
_FIELD_ID = _NEW_VALUE = tuple.__new__
_JOINED = "\0".join  # a key's texts as one (the enums are str), for sorting keys


class NewValue(NamedTuple):
    """A value a field takes under the accept-new policy. Immutable; a named tuple, since a
    first load makes one per field (~10^5 to 10^6)."""

    field: FieldId
    value: Decimal
    valid_from: datetime
    accepted_source: str
    verified_at: datetime | None
    verified_by: str | None
    confirmations: tuple[Observation, ...]  # who stated the same value: stamped once inserted


@dataclass
class Listing:
    """A (source, route, model) listing's counters: the last run whose complete listing named the
    model, and how many complete listings since have not (MISSING_AFTER opens an item)."""

    last_seen_run: int
    missing_runs: int


@dataclass
class Comparison:
    """What `compare` decided, for catalog/store.py to apply in one transaction: the stamps of
    values confirmed, the new values a policy lets in, the review items to open, each listing's
    counters, and the held items and named or unread models that decide what counts as withdrawn."""

    stamps: list[Stamp] = field(default_factory=list)
    new_values: list[NewValue] = field(default_factory=list)
    items: list[ReviewItem] = field(default_factory=list)
    listings: dict[ListingId, Listing] = field(default_factory=dict)
    # Items citing only held statements: they propose nothing on their own, but do where an
    # open item on their route and model cites a source read this run that they do not
    # (store._backing_withdrawn).
    held_items: list[ReviewItem] = field(default_factory=list)
    # (source, route, model) of the known models a source named this run in a record nothing
    # could be read from: what it states of them is not read (another record naming them, a
    # case-only variant of the name, would speak for them), so its open items there are not
    # taken as withdrawn (store._withdrawn). A field set aside, or a record's field it could not
    # read, is not restated: the item stays for it alone, and the model's other fields count.
    unsure: set[tuple[str, str, str]] = field(default_factory=set)
    # (source, route, model) of the known models a source named this run in any record read with
    # a problem (a field of it may be hidden): a new model is not taken as gone from it.
    named: set[tuple[str, str, str]] = field(default_factory=set)


@dataclass(frozen=True)
class Context:
    """What a comparison is run against: the run's id and time, whether new fields are let in (the
    accept-new first-load policy), which source is official for which route, the sources whose
    listing was complete this run, the vendor routes whose resellers must match their prices, and
    the held statements that stand in for sources (or fields of partial sources) not read this
    run."""

    run_id: int
    now: datetime
    accept_new: bool
    official: Callable[[str, str], bool]  # (source, route) -> is the source official for it
    complete_sources: frozenset[str]  # sources whose listing was complete this run
    same_price: dict[str, tuple[str, ...]] = field(default_factory=dict)  # vendor -> resellers
    # The last applied statements that stand in for what was not read this run
    # (store.last_statements): every statement of a source not read, and those of a `partial`
    # source about the fields it states nothing of this run. A statement is live (in the
    # observations) or held, never both.
    held: tuple[Observation, ...] = ()
    partial: frozenset[str] = frozenset()  # sources read this run, some of whose fields are held
    # What the last applied runs of sources held whole set aside with its value
    # (store.last_set_aside): an official source's field stated unreadably (twice, implausibly)
    # stays unread while it is held (confirmed unchanged, failed, not selected), so the
    # secondaries propose on it no more than on the day it was read (fault round 36: OpenRouter
    # confirmed unchanged beside a LiteLLM read again let 170 disagreements open beside the
    # price changes of fields OpenRouter had stated twice).
    held_set_aside: tuple[Observation, ...] = ()
    # The names each (source, route) stated that mapped to no model, by the run of each earlier
    # unmapped-name item (store.unmapped_names), oldest first: an absence is not counted while
    # the source states names there that mapped to no model when the absent one was last seen.
    unmapped_before: Mapping[tuple[str, str], tuple[tuple[int, frozenset[str]], ...]] = field(
        default_factory=dict
    )

    def unmapped_at(self, source: str, route: str, run_id: int) -> frozenset[str]:
        """The names `source` stated on `route` that mapped to no model as of run `run_id`
        (its newest unmapped-name item opened by then; none without one)."""
        found: frozenset[str] = frozenset()
        for opened, names in self.unmapped_before.get((source, route), ()):
            if opened > run_id:
                break
            found = names
        return found

    @cached_property
    def held_sources(self) -> frozenset[str]:
        """The sources none of whose statements were read this run."""
        return frozenset(o.source for o in self.held) - self.partial

    @cached_property
    def held_ids(self) -> frozenset[int]:
        """The held statements by identity: a partial source's are told from its live ones so."""
        return frozenset(map(id, self.held))

    @cached_property
    def held_of_partial(self) -> frozenset[tuple[object, ...]]:
        """The held statements of partial sources as an item cites them (`_cited`)."""
        return frozenset(
            (o.source, o.source_model, o.url, o.observed_at, o.evidence)
            for o in self.held
            if o.source in self.partial
        )

    def only_held(self, item: ReviewItem) -> bool:
        """Whether every statement `item` cites is held (it then stays as its open item left
        it): all its sources are held, or the statements it cites of partial sources are."""
        sources = set(item.sources)
        if not sources or not sources <= self.held_sources | self.partial:
            return False
        if sources <= self.held_sources:
            return True
        cited = [s for change in item.changes for s in change.sources]
        return bool(cited) and all(
            s.source in self.held_sources or _cited(s) in self.held_of_partial for s in cited
        )


def _cited(value: SourceValue) -> tuple[object, ...]:
    """A statement as an item cites it: its source, name there, URL, date and evidence."""
    return (value.source, value.source_model, value.url, value.observed_at, value.evidence)


def fingerprint(*parts: object) -> str:
    """The sha256 (hex) of `parts` as sorted JSON (anything not JSON written by str): the same parts
    give the same text on every run, which is how a review item's fingerprint (what it proposes) and
    slot (what it is about) find it again."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def compare(
    observations: Iterable[Observation],
    catalog: dict[FieldId, Current],
    listings: dict[ListingId, Listing],
    problems: Iterable[Problem],
    ctx: Context,
    named: Iterable[tuple[str, str, str]] = (),
    unread: Iterable[tuple[str, str, str]] = (),
) -> Comparison:
    """Compare this run's observations (and the held statements of sources that failed) with
    the catalog in force. Observations: values in canonical units (Decimal), each naming its
    source, route and field; catalog: the value in force per field; listings: each source's
    complete-listing counters. Pure: reads and writes nothing.

    A model a complete listing names is listed (no absence counted) whether or not a value of
    it could be read: named by an observation, by a value set aside (a problem's observation),
    or by a record read with a problem (`named`: (source, route, model), from
    catalog/intake.py's SourceIntake.named). A source can only fail itself: what it sent and
    ratecard could not read never proposes its removal. `unread`: those of `named` a record
    nothing could be read from names (Comparison.unsure)."""
    result = Comparison()
    # Who is official is asked ~10^5 times about a few hundred (source, route) pairs.
    ctx = replace(ctx, official=cache(ctx.official))
    groups: dict[_Key, list[Observation]] = {}
    unmapped: dict[tuple[str, str], set[str]] = defaultdict(set)
    complete = ctx.complete_sources
    statements = list(chain(observations, ctx.held))
    for obs in statements:
        model = obs.model
        if model is None:
            unmapped[(obs.source, obs.route)].add(obs.source_model)
            continue
        key = (obs.route, model, obs.kind, obs.component, obs.unit, obs.dimensions.key)
        group = groups.get(key)
        if group is None:
            groups[key] = [obs]
        else:
            group.append(obs)
    # (source, route, model) of complete listings: each distinct one found in C, then filtered
    listed_by = {
        listed
        for listed in set(
            zip(
                *(map(attrgetter(n), statements) for n in ("source", "route", "model")), strict=True
            )
        )
        if listed[0] in complete and listed[2] is not None
    }
    problems = list(problems)
    named = list(named)
    listed_by.update(_named(problems, named, complete))
    result.unsure = set(unread)
    result.named = set(named)

    in_force = {_key(k): current for k, current in catalog.items()}
    new_fields: NewFields = defaultdict(list)
    official = ctx.official
    field_id = _field_ids()
    # Keys sort as their fields do (the enums are str, compared as their values).
    alone = ctx.accept_new and not ctx.held
    measures: dict[tuple[object, ...], Measure] = {}  # by a key's measure part (key[2:])
    # Sorted as tuples are, by their texts joined with NUL (below every other character, so a
    # text sorts before those it begins: the same order); one string compare a pair instead of
    # field by field, about half the sort's time at 10^6 fields.
    # Fields whose official statement this run was set aside (stated twice, implausible): the
    # source that speaks for the route did state them, unreadably, so what other sources state
    # of such a field, in force or not, proposes nothing there that day (authority does not
    # lapse; fault round 36: OpenRouter stating a model twice let the secondaries' price open a
    # disagreement beside the price change it had proposed); the set-aside statement is
    # reported as an anomaly, and stays set aside while its source is held (ctx.held_set_aside).
    # A deployment's statement set aside, or moved tenfold from its value in force (an
    # anomaly), leaves unplaced the secondaries' bare prices that meter would have placed in it:
    # what they state with no deployment that day is compared with nothing, in force or not
    # (fault round 35: Azure's global gpt-4o-mini input listed twice, or relabelled per 1M,
    # made models.dev's and Portkey's 0.15 a proposed unscoped field beside the global one, or
    # a price change of the unscoped field an earlier day left).
    unread_official: set[_Key] = set()
    scoped, unplaced = _officially_scoped(groups, official, in_force)
    vendors_of: dict[str, list[str]] = defaultdict(list)  # reseller route -> vendor routes
    for vendor, resellers in ctx.same_price.items():
        for reseller in resellers:
            vendors_of[reseller].append(vendor)
    for o in chain((p.observation for p in problems), ctx.held_set_aside):
        if o is None or o.model is None or not official(o.source, o.route):
            continue
        stated = (o.route, o.model, o.kind, o.component, o.unit)
        unread_official.add((*stated, o.dimensions.key))
        if _DEPLOYMENT.intersection(o.dimensions):
            unplaced.add((*stated, o.dimensions.without_deployment().key))
    unread_fields = unplaced | unread_official
    # Each key beside its group (not looked up again: a miss in memory per field, in key order).
    for _, key, group in sorted(zip(map(_JOINED, groups), groups, groups.values(), strict=True)):
        if unread_fields and key in unread_fields and not _officials(group, ctx):
            continue
        current = in_force.get(key) if in_force else None  # none in force on a first load
        if current is not None:
            _compare_current(group, current, ctx, result, field_id)
            continue
        if key[0] in vendors_of and _off_its_vendor(key, group, groups, vendors_of[key[0]], ctx):
            continue  # `_same_price` raises it as an anomaly
        if scoped and (by_scope := scoped.get(key)) and _off_every_scope(group, by_scope, ctx):
            _unscoped_disagreement(group, by_scope, field_id(group[0]), ctx, result)
            continue
        if alone and len(group) == 1:  # most fields of a first load: one source states them
            measure = measures.get(key[2:])
            if measure is None:
                measure = measures[key[2:]] = group[0].measure
            _accept_alone(group[0], _FIELD_ID(FieldId, (key[0], key[1], measure)), ctx, result)
            continue
        officials = [o for o in group if official(o.source, o.route)]
        if _proposal(group, officials) is None:
            # Sources disagree and none speaks for the route: nothing to propose, whatever the
            # policy, until a reviewer settles it.
            change = _change(field_id(group[0]), None, None, group, ctx)
            result.items.append(_item(ReviewKind.DISAGREEMENT, key[0], key[1], [change], ctx))
        elif ctx.accept_new:
            _accept_new(group, officials, ctx, result, field_id)
        else:
            new_fields[(key[0], key[1])].append((field_id(group[0]), group))

    if new_fields:  # the catalog's models matter only to fields it lacks
        _rescaled_models(new_fields, groups, in_force, ctx, result)
        _new_fields(new_fields, groups, catalog, ctx, result)

    for (source, route), names in sorted(unmapped.items()):
        names_listed = sorted(names)
        result.items.append(
            _item(
                ReviewKind.UNMAPPED,
                route,
                "(unmapped)",
                [],
                ctx,
                title=(
                    f"1 {source} name for route {route} maps to no known model"
                    if len(names_listed) == 1
                    else f"{len(names_listed)} {source} names for route {route} map to no "
                    "known model"
                ),
                detail="\n".join(names_listed),
                source=source,
                identity=(source, names_listed),
            )
        )
    _anomalies(problems, ctx, result)
    _pixel_consistency(groups, ctx, result)
    _same_price(groups, in_force, ctx, result, field_id)
    _absences(listed_by, listings, ctx, result, groups, in_force, unmapped)
    if ctx.held:
        # What only held statements state is what their sources said when they last answered:
        # it stands in as evidence beside a statement read this run, never proposes anything on
        # its own (a run in which every source failed opens, touches and supersedes nothing).
        items, result.items = result.items, []
        for item in items:
            (result.held_items if ctx.only_held(item) else result.items).append(item)
    return result


def _named(
    problems: Iterable[Problem],
    named: Iterable[tuple[str, str, str]],
    complete: frozenset[str],
) -> set[tuple[str, str, str]]:
    """(source, route, model) of the known models the `complete` listings name without a value
    read: each value set aside (a problem with its observation), each record read with a
    problem."""
    found = {listed for listed in named if listed[0] in complete}
    for problem in problems:
        obs = problem.observation
        if obs is not None and obs.model is not None and obs.source in complete:
            found.add((obs.source, obs.route, obs.model))
    return found


def _new_fields(
    new_fields: NewFields,
    groups: dict[_Key, list[Observation]],
    catalog: dict[FieldId, Current],
    ctx: Context,
    result: Comparison,
) -> None:
    """One item per (route, model) with fields the catalog lacks: new values of a catalogued
    model, else a new model (naming, where an official complete listing states it, the similar
    catalogued models no longer listed: a rename)."""
    catalogued_models = {(k.route, k.model) for k in catalog}
    listed = {(k[0], k[1]) for k in groups}
    vanished: dict[str, list[str]] = defaultdict(list)
    for route, model in sorted(catalogued_models - listed):
        vanished[route].append(model)
    for (route, model), fields in sorted(new_fields.items()):
        kind = ReviewKind.NEW_VALUE if (route, model) in catalogued_models else ReviewKind.NEW_MODEL
        changes = [
            _change(key, None, _proposal(group, _officials(group, ctx)), group, ctx)
            for key, group in fields
        ]
        detail = ""
        if kind is ReviewKind.NEW_MODEL and _listed_by_complete_official(fields, ctx):
            similar = get_close_matches(model, vanished.get(route, []), n=3, cutoff=0.75)
            if similar:
                detail = "possibly renamed: no longer listed: " + ", ".join(similar)
        result.items.append(_item(kind, route, model, changes, ctx, detail=detail))


# A field as plain values, in the catalog's order of fields (FieldId's own): route, model, kind,
# component, unit and the dimensions' text key. Equal exactly when the fields are equal, and
# hashed without calling the dataclasses' methods.
_Key = tuple[str, str, Kind, Component, Unit, str]
# The fields the catalog lacks, by (route, model): each field with the statements of it.
NewFields = dict[tuple[str, str], list[tuple[FieldId, list[Observation]]]]


def _key(field_id: FieldId) -> _Key:
    m = field_id.measure
    return (field_id.route, field_id.model, m.kind, m.component, m.unit, m.dims.key)


def _field_ids() -> Callable[[Observation], FieldId]:
    """`Observation.field_id`, sharing one Measure among the observations that state the same
    kind, component, unit and dimensions objects (a refresh states a few hundred measures)."""
    measures: dict[tuple[int, int, int, int], Measure] = {}

    def field_id(obs: Observation) -> FieldId:
        if obs.model is None:
            return obs.field_id()  # raises: no field without a model
        # By identity: the cached Measure holds these very objects, so no id is reused.
        parts = (id(obs.kind), id(obs.component), id(obs.unit), id(obs.dimensions))
        measure = measures.get(parts)
        if measure is None:
            measure = measures[parts] = obs.measure
        return FieldId(obs.route, obs.model, measure)

    return field_id


def _officials(group: list[Observation], ctx: Context) -> list[Observation]:
    return [o for o in group if ctx.official(o.source, o.route)]


def _listed_by_complete_official(
    fields: list[tuple[FieldId, list[Observation]]], ctx: Context
) -> bool:
    return any(
        ctx.official(o.source, o.route) and o.source in ctx.complete_sources
        for _, group in fields
        for o in group
    )


def _sources(group: Iterable[Observation], ctx: Context) -> list[dict[str, object]]:
    """Each observation of `group` as a SourceValue's fields, by source."""
    return [
        {
            "source": o.source,
            "official": ctx.official(o.source, o.route),
            "value": decimal_text(o.value),
            "observed_at": o.observed_at,
            "url": o.url,
            "evidence": o.evidence,
            "source_model": o.source_model,
        }
        for o in sorted(group, key=lambda o: o.source)
    ]


def _change(
    key: FieldId,
    current: Decimal | None,
    proposed: Decimal | None,
    group: list[Observation],
    ctx: Context,
) -> FieldChange:
    # One validation of the change with its sources' fields (in pydantic's core) costs about
    # half as much as building each SourceValue first: a large refresh makes ~10^5 of them.
    return FieldChange.model_validate(
        {
            "kind": key.kind,
            "component": key.component,
            "unit": key.unit,
            "dimensions": key.dims,
            "current": None if current is None else decimal_text(current),
            "proposed": None if proposed is None else decimal_text(proposed),
            "pct_change": percent_change(current, proposed),
            "sources": _sources(group, ctx),
        }
    )


def _item(
    kind: ReviewKind,
    route: str,
    model: str,
    changes: list[FieldChange],
    ctx: Context,
    *,
    title: str = "",
    detail: str = "",
    source: str | None = None,
    identity: object = None,
) -> ReviewItem:
    """A review item. Its fingerprint says what it proposes, so a repeat run finds it open; its
    slot says what it is about (route, model, fields, and the source for items about one
    source's statements), so a newer proposal about the same thing supersedes it."""
    fields = [(c.kind, c.component, c.unit, dict(c.dimensions)) for c in changes]
    proposal = identity
    if proposal is None:
        proposal = [(c.kind, c.component, c.unit, dict(c.dimensions), c.proposed) for c in changes]
    return ReviewItem(
        kind=kind,
        route=route,
        model=model,
        title=title or _title(kind, route, model, changes),
        changes=changes,
        detail=detail,
        fingerprint=fingerprint(kind.value, route, model, proposal),
        slot=fingerprint(kind.value, route, model, source, fields),
        created_at=ctx.now,
        due_at=ctx.now + REVIEW_DUE,
        run_id=ctx.run_id,
        sources=sorted(
            {s.source for c in changes for s in c.sources} | ({source} if source else set())
        ),
    )


NO_VALUE = "none"  # what a title says of a field's value where it holds (or proposes) none


def _title(kind: ReviewKind, route: str, model: str, changes: list[FieldChange]) -> str:
    if len(changes) == 1:
        c = changes[0]
        what = c.measure.text()
        if c.current is None and c.proposed is None and c.sources:
            return f"{kind.value}: {route}/{model} {what}: {titles.stated(c)} {c.unit.value}"
        current, proposed = (NO_VALUE if v is None else v for v in (c.current, c.proposed))
        return f"{kind.value}: {route}/{model} {what}: {current} → {proposed} {c.unit.value}"
    return f"{kind.value}: {route}/{model}: {len(changes)} fields"


def _proposal(group: list[Observation], officials: list[Observation]) -> Decimal | None:
    """The value a new field would take: the official source's (the first of `officials`, the
    group's observations from sources official for the route), else the one all agree on."""
    if officials:
        return officials[0].value
    if len(group) == 1:
        return group[0].value
    values = {o.value for o in group}
    return values.pop() if len(values) == 1 else None


def _compare_current(
    group: list[Observation],
    current: Current,
    ctx: Context,
    result: Comparison,
    field_id: Callable[[Observation], FieldId],
) -> None:
    differing: list[Observation] = []
    held = ctx.held_ids
    official = ctx.official
    stamps = result.stamps
    value = current.value
    for obs in group:
        if obs.value != value:
            differing.append(obs)
        elif id(obs) not in held:
            stamps.append(
                Stamp(current.id, obs.source, official(obs.source, obs.route), obs.observed_at)
            )
    if not differing:
        return
    key = field_id(group[0])
    official_diff = [o for o in differing if official(o.source, o.route)]
    official_agrees = any(official(o.source, o.route) for o in group if o not in differing)
    if official_diff:
        kind, proposed = ReviewKind.PRICE_CHANGE, official_diff[0].value
    else:
        # Secondary sources alone: a change to a value nobody official vouches for, else (an
        # official source states or once verified the value in force) a disagreement at most;
        # so is a value no more sources state than still state the value in force (one
        # aggregator's slip while the others keep the value: approving a change would write it).
        proposed = _most_stated(differing)
        kept = len({o.source for o in group if o.value == value})
        backed = len({o.source for o in differing if o.value == proposed})
        authority = official_agrees or current.verified_by is not None
        outvoted = kept >= backed
        kind = ReviewKind.DISAGREEMENT if authority or outvoted else ReviewKind.PRICE_CHANGE
    kind = _slipped(kind, key, current.value, proposed)
    change = _change(key, current.value, proposed, group, ctx)
    result.items.append(_item(kind, key.route, key.model, [change], ctx))


def _rescaled_models(
    new_fields: NewFields,
    groups: Mapping[_Key, list[Observation]],
    in_force: Mapping[_Key, Current],
    ctx: Context,
    result: Comparison,
) -> None:
    """A source two or more of whose prices of a model moved from the catalog's by one and the
    same power of ten has restated those in another unit (Azure meters whose unitOfMeasure
    changed, their prices not rescaled): the moves are anomalies, and so is its price of a
    field of that model the catalog lacks that stands at that same power of ten from a catalog
    value of the model's same component and unit (the same slip), which would otherwise be
    proposed. Each such field becomes an anomaly item (approving one writes nothing) and
    leaves `new_fields`; where the source is official for the route, no other source's value
    is proposed for it either (authority does not lapse). Asked only about models with an
    anomaly item this run."""
    suspects = {
        (item.route, item.model) for item in result.items if item.kind is ReviewKind.ANOMALY
    } & new_fields.keys()
    if not suspects:
        return
    moves: dict[tuple[str, str, str], Counter[int]] = defaultdict(Counter)
    siblings: dict[tuple[str, str, Component, Unit], set[Decimal]] = defaultdict(set)
    for key, current in in_force.items():
        if (key[0], key[1]) in suspects and key[2] is Kind.PRICE:
            siblings[(key[0], key[1], key[3], key[4])].add(current.value)
            if current.value == 0:
                continue
            for obs in groups.get(key, ()):  # held ones too: an unchanged source slips still
                ratio = obs.value / current.value
                moves[(obs.source, key[0], key[1])][power_of_ten(ratio)] += 1
    for (source, route, model), counted in sorted(moves.items()):
        exponent, moved = max(
            ((e, n) for e, n in counted.items() if e), default=(0, 0), key=itemgetter(1)
        )
        if moved < 2:
            continue
        factor = Decimal(10) ** exponent
        kept: list[tuple[FieldId, list[Observation]]] = []
        for stated, group in new_fields.get((route, model), []):
            mine = [o for o in group if o.source == source]
            values = siblings[(route, model, stated.measure.component, stated.measure.unit)]
            if not mine or mine[0].value / factor not in values:
                kept.append((stated, group))
                continue
            change = _change(stated, None, mine[0].value, group, ctx)
            title = (
                f"anomaly: {route}/{model} {stated.measure.text()}: {source} states it at "
                f"{factor:f} times a catalog price of the model, as it does {moved} prices the "
                "catalog holds"
            )
            result.items.append(_item(ReviewKind.ANOMALY, route, model, [change], ctx, title=title))
            others = [o for o in group if o.source != source]
            if others and not ctx.official(source, route):
                kept.append((stated, others))
        if kept:
            new_fields[(route, model)] = kept
        else:
            new_fields.pop((route, model), None)


# How far a price stated with no deployment scope may be from every scope's price the route's
# official source states of the field and still be one deployment's: Azure's own scopes of one
# model differ by about a tenth (a data zone or region against the global list price).
OFF_SCOPES = Decimal("1.5")


def _officially_scoped(
    groups: Mapping[_Key, list[Observation]],
    official: Callable[[str, str], bool],
    in_force: Mapping[_Key, Current],
) -> tuple[dict[_Key, dict[str, set[Decimal]]], set[_Key]]:
    """The prices a route's official source states by deployment (Azure's meters, by scope or
    region or both: this run's and held statements), by the field stated with no scope or
    region: {key without scope and region: {"region=... scope=...": prices}}, empty where no
    official source states a deployment (fault round 34: Azure prices phi-4-multimodal-instruct
    in its eastus2 meter alone, with no scope); and the keys without deployment of the fields
    whose official price by deployment moved tenfold or more off the value in force
    (`jumped`: a unit slip, an anomaly), where the secondaries' bare prices that meter places
    are unplaced this run. One pass over the fields."""
    scoped: dict[_Key, dict[str, set[Decimal]]] = {}
    jumped_from: set[_Key] = set()
    for key, group in groups.items():
        if key[2] is not Kind.PRICE or ("scope=" not in key[5] and "region=" not in key[5]):
            continue
        prices = {o.value for o in group if official(o.source, o.route) and not o.scheduled}
        if not prices:
            continue
        dims = Dims.parse(key[5])
        bare = (*key[:5], dims.without_deployment().key)
        deployment = " ".join(f"{k}={v}" for k, v in dims.items() if k in _DEPLOYMENT)
        scoped.setdefault(bare, {}).setdefault(deployment, set()).update(prices)
        current = in_force.get(key) if in_force else None
        if current is not None and any(jumped(current.value, p) for p in prices):
            jumped_from.add(bare)
    return scoped, jumped_from


_DEPLOYMENT = frozenset({Dim.SCOPE.value, Dim.REGION.value})


def _off_every_scope(
    group: list[Observation], by_scope: Mapping[str, set[Decimal]], ctx: Context
) -> bool:
    """Whether a field stated with no deployment, which the route's official source prices by
    deployment (`by_scope`: scope, region or both), is stated by secondaries only, each at a
    price OFF_SCOPES or more away from every deployment's price (either way, or zero beside a
    price): no deployment of the model is priced so."""
    prices = [p for found in by_scope.values() for p in found]
    for obs in group:
        if ctx.official(obs.source, obs.route) or obs.scheduled:
            return False
        for price in prices:
            low, high = sorted((price, obs.value))
            if (high == 0) if low == 0 else high / low < OFF_SCOPES:
                return False
    return True


def _unscoped_disagreement(
    group: list[Observation],
    by_scope: Mapping[str, set[Decimal]],
    key: FieldId,
    ctx: Context,
    result: Comparison,
) -> None:
    """A disagreement with the route's official source, whatever the policy: secondaries state
    a price with no deployment scope that no scope's price comes near (fault round 32:
    models.dev's Azure gpt-4 at GPT-4-32K's 60 beside Azure's regional 30, Portkey's Azure
    gpt-5.6-luna at OpenAI's 0.2 beside Azure's 1). A first load lets it in no more than a later
    day does (where `cost` would quote it for a model Azure prices only by region); a reviewer
    may take it (the proposed value, where the secondaries state one: secondaries that disagree
    among themselves propose nothing, as elsewhere; fault round 34)."""
    values = {o.value for o in group}
    proposed = next(iter(values)) if len(values) == 1 else None
    stating = sorted({(o.source, decimal_text(o.value)) for o in group})
    said = "; ".join(f"{source}: {value}" for source, value in stating)
    stated = "; ".join(
        f"{deployment} {', '.join(decimal_text(p) for p in sorted(prices))}"
        for deployment, prices in sorted(by_scope.items())
    )
    detail = (
        f"{said} with no deployment scope; the route's official source prices it by "
        f"deployment: {stated}"
    )
    change = _change(key, None, proposed, group, ctx)
    # The title names what the secondaries state, not the official prices, which the detail
    # gives: the same question keeps its title whichever of the official meters a day answers.
    title = (
        f"{ReviewKind.DISAGREEMENT.value}: {key.route}/{key.model} {key.measure.text()}: "
        f"{', '.join(f'{source} {value}' for source, value in stating)} {key.unit.value} "
        "with no deployment vs every deployment's official price"
    )
    result.items.append(
        _item(
            ReviewKind.DISAGREEMENT, key.route, key.model, [change], ctx, title=title, detail=detail
        )
    )


def _most_stated(group: list[Observation]) -> Decimal:
    """The value most sources state (ties: the smallest), the same whichever order they came in."""
    counts = Counter(o.value for o in group)
    return min(counts, key=lambda value: (-counts[value], value))


def _accept_new(
    group: list[Observation],
    officials: list[Observation],
    ctx: Context,
    result: Comparison,
    field_id: Callable[[Observation], FieldId],
) -> None:
    """The explicit first-load policy: official values enter verified, secondary ones unverified.
    `officials`: the group's observations from sources official for the route, in its order.

    Held statements let nothing in, and where the held one is an official source's, no secondary
    value enters in its place either: the field waits for the official source to answer."""
    key = field_id(group[0])
    held = ctx.held_ids
    if held:
        if any(id(o) in held and ctx.official(o.source, o.route) for o in group):
            return
        group = [o for o in group if id(o) not in held]
        if not group:
            return
        officials = [o for o in officials if id(o) not in held]
    if officials:
        chosen = officials[0]
        verified_at, verified_by = chosen.observed_at, chosen.source
    else:
        chosen = group[0] if len(group) == 1 else min(group, key=_source)
        verified_at, verified_by = None, None
    value = chosen.value
    if len(group) == 1:
        agreeing: tuple[Observation, ...] = (chosen,)
        disagreeing = []
    else:
        agreeing = tuple(o for o in group if o.value == value)
        disagreeing = [o for o in group if o.value != value]
    proposed = _most_stated(disagreeing) if disagreeing else value
    if not _outvoted(key, value, proposed, disagreeing):
        result.new_values.append(
            NewValue(
                key, value, chosen.observed_at, chosen.source, verified_at, verified_by, agreeing
            )
        )
    if disagreeing:
        kind = _slipped(ReviewKind.DISAGREEMENT, key, value, proposed)
        change = _change(key, value, proposed, group, ctx)
        result.items.append(_item(kind, key.route, key.model, [change], ctx))


def _slipped(kind: ReviewKind, key: FieldId, current: Decimal, proposed: Decimal) -> ReviewKind:
    """ANOMALY for a price proposed tenfold off `current` or at zero from it (catalog.plausibility
    `jumped`), whoever states it, else `kind`: a slip, not a price to take. A secondary's too,
    where an official source vouches for the value (a fault round: LiteLLM's Anthropic entries
    at 100 times their prices opened 32 disagreements a reviewer could take its value from), on
    a first load as on any later day (the same question is the same item)."""
    if key.kind is Kind.PRICE and jumped(current, proposed):
        return ReviewKind.ANOMALY
    if _limit_slipped(key, current, proposed):
        return ReviewKind.ANOMALY
    return kind


def _limit_slipped(key: FieldId, current: Decimal, proposed: Decimal) -> bool:
    """Whether a token limit is proposed LIMIT_JUMP-fold or more off `current` (catalog.plausibility
    `limit_jumped`): a limit stated in thousands of tokens (a fault round: OpenRouter's context
    lengths /1000 proposed 279 changes such as 131072 -> 131 tokens a reviewer could approve)."""
    return key.kind is Kind.LIMIT and key.unit is Unit.TOKENS and limit_jumped(current, proposed)


def _outvoted(
    key: FieldId, value: Decimal, proposed: Decimal, disagreeing: list[Observation]
) -> bool:
    """Whether a first load's `value` is a slip off the `proposed` value, which at least
    AGREEING other sources state alike: a token limit LIMIT_JUMP-fold off it (a fault round:
    OpenRouter's context lengths in thousands entered verified, 493 of them, beside models.dev's
    and LiteLLM's limits in tokens), or a price a hundredfold or more off it (catalog.plausibility
    `unit_slipped`: a fault round, OpenRouter's gpt-4o input written a thousandth of its
    per-token price entered verified at 0.0025 per 1M tokens beside four sources' and OpenAI's
    own 2.5). Tenfold is not enough: the secondaries lag an official cut of ten (DeepSeek's cache
    read 0.028, which two of them state at 0.0028). It does not enter, verified or not; the
    anomaly item shows every source's value."""
    slipped = _limit_slipped(key, value, proposed) or (
        key.kind is Kind.PRICE and unit_slipped(proposed, value)
    )
    return slipped and len({o.source for o in disagreeing if o.value == proposed}) >= AGREEING


def _accept_alone(obs: Observation, field: FieldId, ctx: Context, result: Comparison) -> None:
    """What _accept_new does with a field (`field`) only `obs` states, no source being held: its
    value enters, verified when its source is official for the route."""
    source, at = obs.source, obs.observed_at
    verified_at, verified_by = (at, source) if ctx.official(source, obs.route) else (None, None)
    result.new_values.append(
        _NEW_VALUE(NewValue, (field, obs.value, at, source, verified_at, verified_by, (obs,)))
    )


def _source(obs: Observation) -> str:
    return obs.source


# Rules whose values are set aside as no price at all, with nothing for a reviewer to decide:
# reported in the quarantine, not raised as anomalies (a secondary's 0 cache write beside its
# input price is how it writes "billed as input", ~330 models in the recorded world; a plan's
# route priced all at 0, ~480 values of models.dev).
NOT_REVIEWED = frozenset({NO_SEPARATE_PRICE_RULE, ZERO_ROUTE_RULE})


def _anomalies(problems: Iterable[Problem], ctx: Context, result: Comparison) -> None:
    """Values validation set aside: one anomaly item per (source, route, model) with the rules
    (NOT_REVIEWED rules aside)."""
    grouped: dict[tuple[str, str, str], list[Problem]] = defaultdict(list)
    for problem in problems:
        obs = problem.observation
        if obs is None or problem.rule in NOT_REVIEWED:
            continue  # no observation, or no price at all: reported, nothing to review
        grouped[(problem.source, obs.route, obs.model or obs.source_model)].append(problem)
    for (source, route, model), found in sorted(grouped.items()):
        lines = sorted({f"{p.rule}: {p.detail}" for p in found})
        detail = "\n".join(lines)
        result.items.append(
            _item(
                ReviewKind.ANOMALY,
                route,
                model,
                [],
                ctx,
                title=f"anomaly: {route}/{model} from {source}: {found[0].rule}"
                + (f" (+{len(lines) - 1} more)" if len(lines) > 1 else ""),
                detail=detail,
                source=source,
                identity=anomaly_identity(source, detail),
            )
        )


# A number written in a text (not a part of a name: "gpt-4o", "v1.2"), as a source writes it:
# bare, or quoted whole (a JSON string: OpenRouter's `pricing.image="3e-7"`, a number in another
# version of the same source). The quotes are the source's spelling, not the value.
_NUMBER = re.compile(r"""(?<![\w.])(["']?)(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\1(?![\w.])""")
_EXPONENT_SHOWN = 30  # a number further from 1 than 10^30 is left as written


# A double's faithful decimal digits (DBL_DIG): digits past them in a number written with a
# fraction are a double's noise, read away as spiders/parsing.py `without_float_noise` reads
# them away from the values themselves.
_DOUBLE = decimal.Context(prec=15, rounding=ROUND_HALF_EVEN)


def _canonical_number(found: re.Match[str]) -> str:
    value = Decimal(found[2])
    _, digits, exponent = value.as_tuple()
    if isinstance(exponent, int) and exponent < 0 and len(digits) > _DOUBLE.prec:
        value = _DOUBLE.plus(value)
    value = value.normalize()
    if abs(value.adjusted()) > _EXPONENT_SHOWN:
        return found[2]
    return format(value, "f")


def anomaly_identity(source: str, detail: str) -> tuple[str, list[str]]:
    """What an anomaly item about values validation set aside proposes (its fingerprint's
    part): the source and the detail's lines, each number in them written one way ("5e-06",
    "0.0000050", "0.000005" and the JSON string "5E-6" alike, and "5.000000000000001e-06", a
    double's noise in its last place, as the value it stands for), and the places a value is stated
    (in parentheses, "a; b") as a set. How a source writes a number, or the order it lists the
    places in, is its noise: the same values set aside for the same rules, written anew, find
    the item a reviewer saw (open or decided). `detail`: the item's detail as stored (its lines
    joined by newlines)."""
    lines = _NUMBER.sub(_canonical_number, detail).split("\n")
    return source, sorted(_PLACES.sub(_places_sorted, line) for line in lines)


# The places a value is stated, in parentheses and joined by "; " (spiders/_drafts.py merges
# them sorted; items stored before listed them in the source's order): one set of places.
_PLACES = re.compile(r"\(([^()]*; [^()]*)\)")


def _places_sorted(found: re.Match[str]) -> str:
    return "(" + "; ".join(sorted(found[1].split("; "))) + ")"


# Members read once: on Python 3.11 `Unit.PER_IMAGE` is a metaclass lookup, ~10x a global's
# cost, and these are asked of every field a run states (~10^5 to 10^6).
_PER_IMAGE, _PER_PIXEL = Unit.PER_IMAGE, Unit.PER_PIXEL


def _pixel_consistency(
    groups: dict[_Key, list[Observation]], ctx: Context, result: Comparison
) -> None:
    """Where a source gives both, its per-image price must be its per-pixel price × pixels."""
    per_image: dict[tuple[str, _Key], Observation] = {}
    per_pixel: list[tuple[_Key, list[Observation]]] = []
    for k, group in groups.items():
        if k[4] is _PER_IMAGE:
            for o in group:
                per_image[(o.source, (*k[:4], _PER_PIXEL, k[5]))] = o
        elif k[4] is _PER_PIXEL:
            per_pixel.append((k, group))
    for key, group in per_pixel if per_image else ():
        for pixel in group:
            image = per_image.get((pixel.source, key))
            size = pixel.dimensions.get("size", "")
            width, _, height = size.partition("x")
            if image is None or not (width.isdigit() and height.isdigit()):
                continue
            implied = pixel.value * int(width) * int(height)
            if implied.quantize(image.value) == image.value:
                continue
            change = _change(image.field_id(), image.value, implied, [pixel, image], ctx)
            route, model = key[0], key[1]
            result.items.append(
                _item(
                    ReviewKind.ANOMALY,
                    route,
                    model,
                    [change],
                    ctx,
                    title=f"anomaly: {route}/{model} {pixel.source}: "
                    f"per-pixel price × {size} "
                    f"= {decimal_text(implied)}, per-image price {decimal_text(image.value)}",
                    source=pixel.source,
                )
            )


def _off_its_vendor(
    key: _Key,
    group: list[Observation],
    groups: dict[_Key, list[Observation]],
    vendors: list[str],
    ctx: Context,
) -> bool:
    """Whether the official statement of a price in `group` (a field `key` no value is in force
    of) is 0, or a hundredfold or more off (catalog.plausibility `unit_slipped`), beside the
    official price of the same field by a vendor whose price its route must match (`vendors`:
    same_price.json), this run: a reseller's price written wrong, which enters or is proposed
    neither way (a fault round: OpenRouter's gpt-4o at $0, its cache read, which only Portkey
    states beside it, entered a first load verified at 0 beside OpenAI's own 1.25).
    `_same_price` raises it as an anomaly. Only where another source states the reseller's
    field near the vendor's price (not a hundredfold off it): a vendor's own slip (its page
    read a thousandth) judges no reseller's right price. Less than a hundredfold is the
    reseller's statement, entered as read and raised so (OpenRouter's gpt-audio-mini audio input
    0.6 beside OpenAI's 10)."""
    if key[2] is not Kind.PRICE:
        return False
    stated = next((o for o in group if ctx.official(o.source, o.route)), None)
    if stated is None:
        return False
    for vendor in vendors:
        said = groups.get((vendor, *key[1:]), ())
        own = next((o for o in said if ctx.official(o.source, o.route)), None)
        if own is None or not own.value:
            continue
        slipped = not stated.value or unit_slipped(own.value, stated.value)
        # another source of the route near the vendor's price: the vendor's is no slip of its own
        beside = any(
            o is not stated and o.value and not unit_slipped(own.value, o.value) for o in group
        )
        if slipped and beside:
            return True
    return False


def _same_price(
    groups: dict[_Key, list[Observation]],
    in_force: dict[_Key, Current],
    ctx: Context,
    result: Comparison,
    field_id: Callable[[Observation], FieldId],
) -> None:
    """A reseller's official price for a vendor's model must be the vendor's official price.
    The vendor's statement is compared only where it is the value in force (or the field holds
    none yet): one that differs is a price change or a slip under review, and set beside the
    resellers' prices it would accuse their right prices (fault rounds: the Anthropic page's
    input read as $0 opened an item saying OpenRouter's $3 must be $0; OpenAI's page with its
    Standard and Batch labels swapped, 134 such items). A reseller's statement that slipped
    from its value in force (`_slipped`: tenfold off, or to zero) is raised as its own anomaly
    and compared with nothing. Nor is an official statement of a field no value is in force
    of that the other sources outvote (`_outvoted`: a fault round, the Anthropic page's Haiku
    4.5 row read a thousandth, set aside, opened items saying OpenRouter's and Vercel's right
    $1 must be $0.001)."""

    def official(key: _Key, pending: bool) -> Observation | None:
        group = groups.get(key, [])
        stated = next((o for o in group if ctx.official(o.source, o.route)), None)
        current = in_force.get(key)
        if stated is not None and current is None:
            # a first load's official slip the others outvote enters neither way (`_outvoted`),
            # and judges no other route's price
            others = [o for o in group if o is not stated]
            field = field_id(stated)
            if any(_outvoted(field, stated.value, o.value, others) for o in others):
                return None
        if stated is None or current is None or current.value == stated.value:
            return stated
        return stated if pending and not jumped(current.value, stated.value) else None

    if not ctx.same_price:
        return
    vendors = [k for k in groups if k[0] in ctx.same_price and k[2] is Kind.PRICE]
    for key in sorted(vendors):
        vendor = official(key, pending=False)
        if vendor is None:
            continue
        vendor_field = field_id(groups[key][0])
        for reseller_route in ctx.same_price[key[0]]:
            reseller = official((reseller_route, *key[1:]), pending=True)
            if reseller is None or reseller.value == vendor.value:
                continue
            reseller_key = vendor_field.on(reseller_route)
            change = _change(reseller_key, vendor.value, reseller.value, [vendor, reseller], ctx)
            result.items.append(
                _item(
                    ReviewKind.ANOMALY,
                    reseller_route,
                    key[1],
                    [change],
                    ctx,
                    title=f"anomaly: {reseller_route}/{key[1]} {change.measure.text()}: "
                    f"{reseller.source} says {decimal_text(reseller.value)}, {key[0]}'s own "
                    f"price is {decimal_text(vendor.value)} (routes that must match)",
                )
            )


def _absences(
    seen: set[tuple[str, str, str]],
    listings: dict[ListingId, Listing],
    ctx: Context,
    result: Comparison,
    groups: Mapping[_Key, list[Observation]],
    in_force: Mapping[_Key, Current],
    unmapped: Mapping[tuple[str, str], set[str]],
) -> None:
    """Count models absent from complete listings; the third consecutive absence opens an item,
    on a model the catalog holds a value of on the route (`in_force`): approving it closes
    those values, and on a model the catalog holds nothing of it would decide nothing (fault
    round 35: a dated id priced apart for a day, folded into its base the next, left listing
    counters under its own name that its sources' unchanged listings no longer named; three
    days on, items no reviewer could act on opened, and stayed).
    `seen`: (source, route, model) of every model a complete listing named this run, whether
    or not a value of it could be read (as ListingId compares); `groups`: this run's statements
    (and the held ones) by field.

    A secondary source's absence opens no item on a model that another source states this run
    (read, or held while it fails) or names in its complete listing: approving it would close
    values that source stands behind; what a source official for the route stands behind is
    not a secondary source's to remove (authority), and one secondary's silence does not
    outweigh another's word (fault round 35: LiteLLM's absence proposed closing nine values of
    openai/o1-preview accepted from Portkey, which stated them every day). The absences are
    counted all the same.

    Nor is an absence counted (the counter stands) while the source states names on the route
    that map to no model (`unmapped`: this run's, by source and route) and did not map to none
    when the model was last listed (Context.unmapped_at): the model may be one of them, renamed
    (fault round 51: Azure's "Azure OpenAI GPT5" product renamed "... GPT-5 Series" left 19
    models' meters unmapped, and three days on 11 missing items proposed closing Azure's own
    verified prices of models it still sold). Names mapping to no model all along do not hold
    the count."""
    stated_by: dict[tuple[str, str], set[str]] | None = None
    catalogued: set[tuple[str, str]] | None = None
    for listed in seen:
        result.listings[ListingId(*listed)] = Listing(last_seen_run=ctx.run_id, missing_runs=0)
    for key, listing in listings.items():
        source, route, model = key.source, key.route, key.model
        if key in seen or source not in ctx.complete_sources:
            continue
        if unmapped.get((source, route), set()) - ctx.unmapped_at(
            source, route, listing.last_seen_run
        ):
            continue  # one of the names new to mapping to nothing may be the model's
        missing = listing.missing_runs + 1
        result.listings[key] = Listing(last_seen_run=listing.last_seen_run, missing_runs=missing)
        if missing != MISSING_AFTER:
            continue
        if catalogued is None:
            catalogued = {(field[0], field[1]) for field in in_force}
        if (route, model) not in catalogued:
            continue
        if not ctx.official(source, route):
            if stated_by is None:
                stated_by = _stated_by(groups, seen)
            if stated_by.get((route, model), set()) - {source}:
                continue
        result.items.append(
            _item(
                ReviewKind.MISSING,
                route,
                model,
                [],
                ctx,
                title=f"missing: {route}/{model} absent from {MISSING_AFTER} consecutive "
                f"complete listings of {source}",
                source=source,
                identity=(source, listing.last_seen_run),
            )
        )


def _stated_by(
    groups: Mapping[_Key, list[Observation]], seen: set[tuple[str, str, str]]
) -> dict[tuple[str, str], set[str]]:
    """The sources that state each (route, model) this run (a statement read or held) or name
    it in a complete listing."""
    stated: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key, group in groups.items():
        stated[(key[0], key[1])].update(o.source for o in group)
    for source, route, model in seen:
        stated[(route, model)].add(source)
    return stated
