"""Compare a refresh's observations with the catalog: pure, no I/O.

observations × current catalog → stamps (verified / corroborated), values a policy lets in,
review items (price changes, disagreements, new models and values, unmapped names, anomalies,
models missing from complete listings) and listing counters. The catalog never changes here;
catalog/store.py applies the result in one transaction.

Authority holds on a bad day:
- A secondary source never proposes a change to a value an official source verified: where it
  differs, the item is a disagreement, whether or not the official source answered this run.
- A source that failed this run is *held*: its last applied statements (`Context.held`) stand in
  for it as evidence, so every item comes out as it did when the source last answered (same
  fingerprints: nothing opened, nothing superseded because of its absence). Held statements
  never stamp, never count as a listing and never let a value in.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from difflib import get_close_matches
from functools import cached_property
from itertools import chain

from catalog import titles
from schemas.field import FieldId, ListingId, Measure
from schemas.records import (
    FieldChange,
    Observation,
    Problem,
    ReviewItem,
    ReviewKind,
    SourceValue,
    decimal_text,
)
from schemas.vocab import Kind, Unit

REVIEW_DUE = timedelta(hours=48)
JUMP = Decimal(10)  # a price that moves more than 10x since the accepted one is an anomaly
MISSING_AFTER = 3  # consecutive complete listings without a model before it becomes an item


@dataclass(frozen=True)
class Current:
    """A catalog value in force."""

    id: int
    value: Decimal
    verified_by: str | None = None  # the official source that verified it, if one did


@dataclass(frozen=True)
class Stamp:
    value_id: int
    source: str
    official: bool
    observed_at: datetime


@dataclass(frozen=True)
class NewValue:
    field: FieldId
    value: Decimal
    valid_from: datetime
    accepted_source: str
    verified_at: datetime | None
    verified_by: str | None
    confirmations: tuple[Observation, ...]  # who stated the same value: stamped once inserted


@dataclass
class Listing:
    last_seen_run: int
    missing_runs: int


@dataclass
class Comparison:
    stamps: list[Stamp] = field(default_factory=list)
    new_values: list[NewValue] = field(default_factory=list)
    items: list[ReviewItem] = field(default_factory=list)
    listings: dict[ListingId, Listing] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    run_id: int
    now: datetime
    accept_new: bool
    official: Callable[[str, str], bool]  # (source, route) -> is the source official for it
    complete_sources: frozenset[str]  # sources whose listing was complete this run
    same_price: dict[str, tuple[str, ...]] = field(default_factory=dict)  # vendor -> resellers
    # The last applied statements of the sources that failed this run (store.last_statements);
    # a source is either live (in the observations) or held, never both.
    held: tuple[Observation, ...] = ()

    @cached_property
    def held_sources(self) -> frozenset[str]:
        return frozenset(o.source for o in self.held)


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def field_order(key: FieldId) -> tuple[str, ...]:
    """The catalog's order of fields (FieldId's own), as plain text that sorts without calling
    the dataclasses' comparisons: route, model, kind, component, unit, dimensions key."""
    m = key.measure
    return (key.route, key.model, m.kind.value, m.component.value, m.unit.value, m.dims.key)


def pct_change(current: Decimal | None, proposed: Decimal | None) -> float | None:
    if current is None or proposed is None or current == 0:
        return None
    return float((proposed - current) / current * 100)


def compare(
    observations: Iterable[Observation],
    catalog: dict[FieldId, Current],
    listings: dict[ListingId, Listing],
    problems: Iterable[Problem],
    ctx: Context,
) -> Comparison:
    """Compare this run's observations (and the held statements of sources that failed) with
    the catalog in force. Observations: values in canonical units (Decimal), each naming its
    source, route and field; catalog: the value in force per field; listings: each source's
    complete-listing counters. Pure: reads and writes nothing."""
    result = Comparison()
    by_key: dict[FieldId, list[Observation]] = defaultdict(list)
    unmapped: dict[tuple[str, str], set[str]] = defaultdict(set)
    for obs in chain(observations, ctx.held):
        if obs.model is None:
            unmapped[(obs.source, obs.route)].add(obs.source_model)
        else:
            by_key[obs.field_id()].append(obs)

    catalogued_models = {(k.route, k.model) for k in catalog}
    new_fields: dict[tuple[str, str], list[tuple[FieldId, list[Observation]]]] = defaultdict(list)
    for key, group in sorted(by_key.items(), key=lambda item: field_order(item[0])):
        current = catalog.get(key)
        if current is not None:
            _compare_current(key, group, current, ctx, result)
        elif _proposal(group, ctx) is None:
            # Sources disagree and none speaks for the route: nothing to propose, whatever the
            # policy, until a reviewer settles it.
            change = _change(key, None, None, group, ctx)
            result.items.append(_item(ReviewKind.DISAGREEMENT, key.route, key.model, [change], ctx))
        elif ctx.accept_new:
            _accept_new(key, group, ctx, result)
        else:
            new_fields[(key.route, key.model)].append((key, group))

    listed = {(k.route, k.model) for k in by_key}
    vanished: dict[str, list[str]] = defaultdict(list)
    for route, model in sorted(catalogued_models - listed):
        vanished[route].append(model)
    for (route, model), fields in sorted(new_fields.items()):
        kind = ReviewKind.NEW_VALUE if (route, model) in catalogued_models else ReviewKind.NEW_MODEL
        changes = [_change(key, None, _proposal(group, ctx), group, ctx) for key, group in fields]
        detail = ""
        if kind is ReviewKind.NEW_MODEL and _listed_by_complete_official(fields, ctx):
            similar = get_close_matches(model, vanished.get(route, []), n=3, cutoff=0.75)
            if similar:
                detail = "possibly renamed: no longer listed: " + ", ".join(similar)
        result.items.append(_item(kind, route, model, changes, ctx, detail=detail))

    for (source, route), names in sorted(unmapped.items()):
        names_listed = sorted(names)
        result.items.append(
            _item(
                ReviewKind.UNMAPPED,
                route,
                "(unmapped)",
                [],
                ctx,
                title=f"{len(names_listed)} {source} names for route {route} map to no known model",
                detail="\n".join(names_listed),
                source=source,
                identity=(source, names_listed),
            )
        )
    _anomalies(problems, ctx, result)
    _pixel_consistency(by_key, ctx, result)
    _same_price(by_key, ctx, result)
    _absences(by_key, listings, ctx, result)
    return result


def _listed_by_complete_official(
    fields: list[tuple[FieldId, list[Observation]]], ctx: Context
) -> bool:
    return any(
        ctx.official(o.source, o.route) and o.source in ctx.complete_sources
        for _, group in fields
        for o in group
    )


def _sources(group: Iterable[Observation], ctx: Context) -> list[SourceValue]:
    return [
        SourceValue(
            source=o.source,
            official=ctx.official(o.source, o.route),
            value=decimal_text(o.value),
            observed_at=o.observed_at,
            url=o.url,
            evidence=o.evidence,
            source_model=o.source_model,
        )
        for o in sorted(group, key=lambda o: o.source)
    ]


def _change(
    key: FieldId,
    current: Decimal | None,
    proposed: Decimal | None,
    group: list[Observation],
    ctx: Context,
) -> FieldChange:
    return FieldChange(
        kind=key.kind,
        component=key.component,
        unit=key.unit,
        dimensions=key.dims,
        current=None if current is None else decimal_text(current),
        proposed=None if proposed is None else decimal_text(proposed),
        pct_change=pct_change(current, proposed),
        sources=_sources(group, ctx),
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


def _title(kind: ReviewKind, route: str, model: str, changes: list[FieldChange]) -> str:
    if len(changes) == 1:
        c = changes[0]
        what = c.measure.text()
        if c.current is None and c.proposed is None and c.sources:
            return f"{kind.value}: {route}/{model} {what}: {titles.stated(c)} {c.unit.value}"
        return f"{kind.value}: {route}/{model} {what}: {c.current} → {c.proposed} {c.unit.value}"
    return f"{kind.value}: {route}/{model}: {len(changes)} fields"


def _proposal(group: list[Observation], ctx: Context) -> Decimal | None:
    """The value a new field would take: the official source's, else the one all agree on."""
    official = [o for o in group if ctx.official(o.source, o.route)]
    if official:
        return official[0].value
    values = {o.value for o in group}
    return values.pop() if len(values) == 1 else None


def _compare_current(
    key: FieldId, group: list[Observation], current: Current, ctx: Context, result: Comparison
) -> None:
    differing: list[Observation] = []
    held = ctx.held_sources
    for obs in group:
        if obs.value != current.value:
            differing.append(obs)
        elif obs.source not in held:
            official = ctx.official(obs.source, obs.route)
            result.stamps.append(Stamp(current.id, obs.source, official, obs.observed_at))
    if not differing:
        return
    official_diff = [o for o in differing if ctx.official(o.source, o.route)]
    official_agrees = any(ctx.official(o.source, o.route) for o in group if o not in differing)
    if official_diff:
        kind, proposed = ReviewKind.PRICE_CHANGE, official_diff[0].value
    else:
        # Secondary sources alone: a change to a value nobody official vouches for, else (an
        # official source states or once verified the value in force) a disagreement at most.
        authority = official_agrees or current.verified_by is not None
        kind = ReviewKind.DISAGREEMENT if authority else ReviewKind.PRICE_CHANGE
        proposed = _most_stated(differing)
    if (
        kind is ReviewKind.PRICE_CHANGE
        and key.kind is Kind.PRICE
        and _jumped(current.value, proposed)
    ):
        kind = ReviewKind.ANOMALY
    change = _change(key, current.value, proposed, group, ctx)
    result.items.append(_item(kind, key.route, key.model, [change], ctx))


def _most_stated(group: list[Observation]) -> Decimal:
    """The value most sources state (ties: the smallest), the same whichever order they came in."""
    counts = Counter(o.value for o in group)
    return min(counts, key=lambda value: (-counts[value], value))


def _jumped(current: Decimal, proposed: Decimal) -> bool:
    """More than a tenfold move either way (a unit slip, not a repricing), or to/from zero."""
    low, high = sorted((current, proposed))
    if low == 0:
        return high != 0 and current != 0
    return high / low > JUMP


def _accept_new(key: FieldId, group: list[Observation], ctx: Context, result: Comparison) -> None:
    """The explicit first-load policy: official values enter verified, secondary ones unverified.

    Held statements let nothing in, and where the held one is an official source's, no secondary
    value enters in its place either: the field waits for the official source to answer."""
    held = ctx.held_sources
    if any(o.source in held and ctx.official(o.source, o.route) for o in group):
        return
    group = [o for o in group if o.source not in held]
    if not group:
        return
    official = [o for o in group if ctx.official(o.source, o.route)]
    if official:
        chosen = official[0]
        verified_at, verified_by = chosen.observed_at, chosen.source
    else:
        chosen = min(group, key=lambda o: o.source)
        verified_at, verified_by = None, None
    agreeing = tuple(o for o in group if o.value == chosen.value)
    result.new_values.append(
        NewValue(
            field=key,
            value=chosen.value,
            valid_from=chosen.observed_at,
            accepted_source=chosen.source,
            verified_at=verified_at,
            verified_by=verified_by,
            confirmations=agreeing,
        )
    )
    disagreeing = [o for o in group if o.value != chosen.value]
    if disagreeing:
        change = _change(key, chosen.value, _most_stated(disagreeing), group, ctx)
        result.items.append(_item(ReviewKind.DISAGREEMENT, key.route, key.model, [change], ctx))


def _anomalies(problems: Iterable[Problem], ctx: Context, result: Comparison) -> None:
    """Values validation set aside: one anomaly item per (source, route, model) with the rules."""
    grouped: dict[tuple[str, str, str], list[Problem]] = defaultdict(list)
    for problem in problems:
        obs = problem.observation
        if obs is None:
            continue  # a record that never became an observation: reported, not reviewable
        grouped[(problem.source, obs.route, obs.model or obs.source_model)].append(problem)
    for (source, route, model), found in sorted(grouped.items()):
        lines = sorted({f"{p.rule}: {p.detail}" for p in found})
        result.items.append(
            _item(
                ReviewKind.ANOMALY,
                route,
                model,
                [],
                ctx,
                title=f"anomaly: {route}/{model} from {source}: {found[0].rule}"
                + (f" (+{len(lines) - 1} more)" if len(lines) > 1 else ""),
                detail="\n".join(lines),
                source=source,
                identity=(source, lines),
            )
        )


def _pixel_consistency(
    by_key: dict[FieldId, list[Observation]], ctx: Context, result: Comparison
) -> None:
    """Where a source gives both, its per-image price must be its per-pixel price × pixels."""
    per_image = {
        (o.source, _with_unit(k, Unit.PER_PIXEL)): o
        for k, group in by_key.items()
        if k.unit is Unit.PER_IMAGE
        for o in group
    }
    for key, group in by_key.items():
        if key.unit is not Unit.PER_PIXEL:
            continue
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
            result.items.append(
                _item(
                    ReviewKind.ANOMALY,
                    key.route,
                    key.model,
                    [change],
                    ctx,
                    title=f"anomaly: {key.route}/{key.model} {pixel.source}: "
                    f"per-pixel price × {size} "
                    f"= {decimal_text(implied)}, per-image price {decimal_text(image.value)}",
                    source=pixel.source,
                )
            )


def _with_unit(key: FieldId, unit: Unit) -> FieldId:
    m = key.measure
    return FieldId(key.route, key.model, Measure(m.kind, m.component, unit, m.dims))


def _same_price(by_key: dict[FieldId, list[Observation]], ctx: Context, result: Comparison) -> None:
    """A reseller's official price for a vendor's model must be the vendor's official price."""

    def official(key: FieldId) -> Observation | None:
        return next((o for o in by_key.get(key, []) if ctx.official(o.source, o.route)), None)

    vendors = [k for k in by_key if k.route in ctx.same_price and k.kind is Kind.PRICE]
    for key in sorted(vendors, key=field_order):
        vendor = official(key)
        if vendor is None:
            continue
        for reseller_route in ctx.same_price[key.route]:
            reseller_key = key.on(reseller_route)
            reseller = official(reseller_key)
            if reseller is None or reseller.value == vendor.value:
                continue
            change = _change(reseller_key, vendor.value, reseller.value, [vendor, reseller], ctx)
            result.items.append(
                _item(
                    ReviewKind.ANOMALY,
                    reseller_route,
                    key.model,
                    [change],
                    ctx,
                    title=f"anomaly: {reseller_route}/{key.model} {change.measure.text()}: "
                    f"{reseller.source} says {decimal_text(reseller.value)}, {key.route}'s own "
                    f"price is {decimal_text(vendor.value)} (routes that must match)",
                )
            )


def _absences(
    by_key: dict[FieldId, list[Observation]],
    listings: dict[ListingId, Listing],
    ctx: Context,
    result: Comparison,
) -> None:
    """Count models absent from complete listings; the third consecutive absence opens an item."""
    seen: set[ListingId] = set()
    for field_id, group in by_key.items():
        for obs in group:
            if obs.source in ctx.complete_sources:
                seen.add(ListingId(obs.source, field_id.route, field_id.model))
    for listed in seen:
        result.listings[listed] = Listing(last_seen_run=ctx.run_id, missing_runs=0)
    for key, listing in listings.items():
        source, route, model = key.source, key.route, key.model
        if key in seen or source not in ctx.complete_sources:
            continue
        missing = listing.missing_runs + 1
        result.listings[key] = Listing(last_seen_run=listing.last_seen_run, missing_runs=missing)
        if missing == MISSING_AFTER:
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
