"""Raw records → observations: each source's normalizer, then identity and provenance. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from catalog.identity import Identity
from catalog.schedule import in_force
from schemas.fetch import FetchedPage, FieldProblem, Uninterpretable
from schemas.field import Dims
from schemas.records import Draft, Observation, Problem
from schemas.sources import Source
from schemas.vocab import Dim


@dataclass
class SourceDrafts:
    source: Source
    drafts: list[tuple[FetchedPage, Draft]]
    problems: list[Problem]


def draft_source(source: Source, pages: Sequence[FetchedPage]) -> SourceDrafts:
    """Run the source's normalizer over every record. Of prices with effective dates, those in
    force on the page's date and those scheduled after it are kept (catalog/schedule.py).

    A record nothing can be read from becomes one problem (its id, the rule); a record with some
    fields quarantined keeps its other drafts, and each quarantined field becomes a problem whose
    detail starts with the field's name (also in `field`).
    """
    normalize = source.parser.normalize
    drafts: list[tuple[FetchedPage, Draft]] = []
    problems: list[Problem] = []
    for page in pages:
        for record in page.records:
            try:
                found = normalize(record)
            except Uninterpretable as exc:
                problems.append(
                    Problem(source=source.id, record=exc.record, rule=exc.rule, detail=exc.detail)
                )
                continue
            drafts.extend((page, d) for d in found)
            problems.extend(field_problem(source.id, p) for p in found.problems)
    return SourceDrafts(source, in_force(drafts), problems)


def field_problem(source: str, problem: FieldProblem) -> Problem:
    """A quarantined field as a run problem: source, record, rule, and the field by name."""
    return Problem(
        source=source,
        record=problem.record,
        rule=problem.rule,
        detail=f"{problem.field}: {problem.detail}",
        field=problem.field,
    )


def learn_official_models(identity: Identity, batches: Iterable[SourceDrafts]) -> None:
    """A model an official source lists for its own route is a known model; what the sources
    state also decides dated ids and Azure scopes (catalog.identity)."""
    identity.learn_official(
        (
            batch.source.id,
            batch.source.is_official(route),
            route,
            d.source_model,
            d.measure,
            d.value,
        )
        for batch in batches
        for _, d in batch.drafts
        for route in (identity.route(d.route),)
    )


def _dimensions(
    identity: Identity, source: Source, route: str, model: str | None, draft: Draft
) -> Dims:
    """The draft's dimensions; a secondary's price that names no deployment scope gets the scope
    whose official price it equals (catalog.identity.OfficialScopes)."""
    if model is None or Dim.SCOPE in draft.dimensions or source.is_official(route):
        return draft.dimensions
    scope = identity.scopes.scope(route, model, draft.measure, draft.value)
    if scope is None:
        return draft.dimensions
    return Dims.of({**draft.dimensions, Dim.SCOPE.value: scope})


def observations(batch: SourceDrafts, identity: Identity) -> list[Observation]:
    """Drafts with identity and provenance; a value stated twice identically is kept once."""
    seen: set[tuple[object, ...]] = set()
    out: list[Observation] = []
    for page, draft in batch.drafts:
        route = identity.route(draft.route)
        model = identity.model(draft.source_model)
        dimensions = _dimensions(identity, batch.source, route, model, draft)
        key = (
            route,
            model or draft.source_model,
            draft.kind,
            draft.component,
            draft.unit,
            dimensions.key,
            draft.value,
            # a scheduled statement is not the current one, even at the same value
            draft.effective_from is not None and draft.effective_from > page.observed_at.date(),
        )
        if key in seen:
            continue
        seen.add(key)
        out.append(
            Observation(
                source=batch.source.id,
                route=route,
                model=model,
                source_model=draft.source_model,
                kind=draft.kind,
                component=draft.component,
                unit=draft.unit,
                dimensions=dimensions,
                value=draft.value,
                observed_at=page.observed_at,
                url=page.url,
                landing_url=page.landing_url,
                evidence=draft.evidence,
                record=draft.record,
                effective_from=draft.effective_from,
            )
        )
    return out
