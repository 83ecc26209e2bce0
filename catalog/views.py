"""The typed views `catalog.queries` returns: each built once from its database row, read by
attribute in the CLI and the web app, and turned into JSON with `model_dump(mode="json")` (the
keys and their order are the JSON the API and `--json` print).

Every view is frozen and forbids unknown fields. A field of the catalog is named by its `Kind`,
`Component`, `Unit` and `Dims` (`measure` gives the `schemas.field.Measure`). Times that the
JSON shows as ISO 8601 text (`schemas.records.time_text`, UTC) are kept as that text
(`IsoTime`); the catalog values, runs and stored changes are the records of `schemas.records`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from schemas import capabilities
from schemas.field import Dims, Measure
from schemas.records import (
    CatalogValue,
    FieldChange,
    ReviewKind,
    ReviewStatus,
    decimal_text,
    time_text,
)
from schemas.vocab import Component, Kind, Unit

IsoTime = str  # time_text() of a UTC time, as the JSON shows it
_EPOCH = datetime.min.replace(tzinfo=UTC)


class View(BaseModel):
    """A read-only view: frozen, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def as_json(self) -> dict[str, Any]:
        """The view as the JSON the API and `--json` print."""
        return self.model_dump(mode="json")


class Statement(View):
    """A source's latest statement of a field of a model (its value as text, as stated)."""

    source: str
    official: bool
    value: str
    observed_at: IsoTime | None
    url: str
    evidence: str
    source_model: str


class Confirmation(View):
    """A source that confirmed a catalog value, and when it last did."""

    source: str
    official: bool
    observed_at: IsoTime | None


class FieldView(CatalogValue):
    """A catalog value in force with who confirms it (sources whose latest statement of the field
    agrees) and who states something else (each disagreeing source's latest statement)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    corroborated_by: list[Confirmation]
    disagreeing: list[Statement]

    @property
    def measure(self) -> Measure:
        """The field's kind, component, unit and dimensions, without route and model."""
        return Measure(self.kind, self.component, self.unit, self.dimensions)


class UncataloguedStatement(View):
    """A source's statement of a field the catalog does not hold for the model."""

    kind: Kind
    component: Component
    unit: Unit
    dimensions: Dims
    source: str
    official: bool
    value: str
    observed_at: IsoTime | None
    url: str
    evidence: str
    source_model: str

    @property
    def measure(self) -> Measure:
        """The statement's kind, component, unit and dimensions, without route and model."""
        return Measure(self.kind, self.component, self.unit, self.dimensions)


class ScheduledStatement(UncataloguedStatement):
    """A source's latest statement of a price it gives from a later date than its response's
    (catalog/schedule.py): shown as scheduled until its date, compared with nothing till then."""

    effective_from: date


class ReviewRow(View):
    """A review item as the queue lists it (no changes or detail)."""

    id: int
    kind: ReviewKind
    route: str
    model: str
    title: str
    status: ReviewStatus
    sources: list[str]
    created_at: IsoTime
    due_at: IsoTime
    last_seen_at: IsoTime
    run_id: int | None
    decided_at: IsoTime | None
    reviewer: str | None
    reason: str | None
    priority: int | None
    set_id: str | None
    lead_source: str | None
    fields: int | None


class ReviewWithChanges(ReviewRow):
    """A review item with the field changes it proposes (a change set's table)."""

    changes: list[FieldChange]


class ReviewDetail(ReviewWithChanges):
    """One review item whole: its changes with every source's value, and its detail text."""

    detail: str


class CapabilitySource(View):
    """A source's statement behind a capability answer: its raw name (`price:<component>` when
    a price states a modality, `mode:<mode>` for a category), true or false, and when."""

    source: str
    raw: str
    value: bool
    observed_at: IsoTime | None
    evidence: str

    @classmethod
    def each(cls, statements: Iterable[capabilities.Statement]) -> list[CapabilitySource]:
        """One per source, raw name and value (a source states a mode once per priced image
        size, for example), the latest observed first; ordered by source and raw name."""
        latest: dict[tuple[str, str, bool], capabilities.Statement] = {}
        for s in statements:
            key = (s.source, s.raw, s.value)
            seen = latest.get(key)
            if seen is None or (s.observed_at or _EPOCH) > (seen.observed_at or _EPOCH):
                latest[key] = s
        return [
            cls(
                source=s.source,
                raw=s.raw,
                value=s.value,
                observed_at=time_text(s.observed_at) if s.observed_at else None,
                evidence=s.evidence,
            )
            for _, s in sorted(latest.items())
        ]

    def text(self) -> str:
        """For people: 'modelsdev vision=yes 2026-06-13'."""
        said = "yes" if self.value else "no"
        return f"{self.source} {self.raw}={said} {(self.observed_at or '')[:10]}".rstrip()


class CapabilityAnswer(View):
    """A flag's or a modality's answer: true, false or unknown (None) when no source states it;
    `disputed` when sources state it both ways (the answer is then true)."""

    name: str
    value: bool | None
    disputed: bool
    sources: list[CapabilitySource]

    @classmethod
    def of(cls, name: str, answer: capabilities.Answer) -> CapabilityAnswer:
        """The view of capability `name`'s answer, with each source's statement of it."""
        return cls(
            name=name,
            value=answer.value,
            disputed=answer.disputed,
            sources=CapabilitySource.each(answer.statements),
        )

    @property
    def text(self) -> str:
        """For people: 'yes', 'no', 'unknown' or 'disputed (yes)'."""
        if self.value is None:
            return "unknown"
        said = "yes" if self.value else "no"
        return f"disputed ({said})" if self.disputed else said


class Capabilities(View):
    """A model's capabilities on a route from its sources' latest statements
    (schemas.capabilities.profile): the category, the ten flags in their order, every input and
    output modality, the other flags sources state, and raw names the vocabulary lacks."""

    category: str | None
    category_sources: list[CapabilitySource]
    flags: list[CapabilityAnswer]
    input_modalities: list[CapabilityAnswer]
    output_modalities: list[CapabilityAnswer]
    other_flags: list[CapabilityAnswer]
    unmapped: list[CapabilitySource]

    @classmethod
    def of(cls, found: capabilities.Profile) -> Capabilities:
        """The view of a capability profile (schemas.capabilities.profile): category with its
        sources, the flags in their order, the input and output modalities, other flags sorted by
        name, and unmapped raw names."""
        category = found.category
        return cls(
            category=category.value if category else None,
            category_sources=CapabilitySource.each(found.categories[category]) if category else [],
            flags=[CapabilityAnswer.of(f.value, a) for f, a in found.flags.items()],
            input_modalities=[
                CapabilityAnswer.of(m.value, a) for m, a in found.modalities_in.items()
            ],
            output_modalities=[
                CapabilityAnswer.of(m.value, a) for m, a in found.modalities_out.items()
            ],
            other_flags=[
                CapabilityAnswer.of(name, a) for name, a in sorted(found.other_flags.items())
            ],
            unmapped=CapabilitySource.each(found.unmapped),
        )


class ModelView(View):
    """Every field of (route, model): values in force with agreement, history, statements not
    in the catalog, open review items, and the capabilities its sources state."""

    route: str
    model: str
    fields: list[FieldView]
    history: list[CatalogValue]
    not_in_catalog: list[UncataloguedStatement]
    open_review_items: list[ReviewRow]
    capabilities: Capabilities
    scheduled: list[ScheduledStatement] = Field(default_factory=list)


class FieldVersion(View):
    """One value a field has had (newest first in `field_history`)."""

    id: int
    value: Decimal
    valid_from: IsoTime | None
    valid_to: IsoTime | None
    verified_at: IsoTime | None
    verified_by: str | None
    accepted_by: str
    accepted_source: str

    @field_serializer("value")
    def _exact(self, value: Decimal) -> str:
        return decimal_text(value)


class IndexEntry(View):
    """A (route, model) of the catalog with its count of fields in force and of verified ones."""

    route: str
    model: str
    fields: int
    verified: int


class AuditEntry(View):
    """One entry of the audit log: who did what to which target, with the state before and
    after."""

    id: int
    at: IsoTime
    actor: str
    channel: str
    action: str
    target: str
    reason: str | None
    before: dict[str, Any]
    after: dict[str, Any]


class QueuePage(View):
    """One page of the review queue and where it sits in the whole."""

    items: list[ReviewRow]
    total: int
    offset: int
    limit: int
    sort: str


class ChangeSet(View):
    """A change set among matching review items: its kind, route, lead source and run, its
    model when it has one, counts, earliest due time and most urgent priority. `items` and
    `fields` count the matching items (a source filter keeps only the items citing it);
    `set_items` and `set_fields` count every item of the set with the filter's status (what a
    decision on the set covers)."""

    id: str
    kind: ReviewKind
    route: str
    lead_source: str  # triage gives every item of a set its lead source
    run_id: int | None
    model: str | None
    models: int
    items: int
    fields: int
    set_items: int
    set_fields: int
    due_at: IsoTime | None
    priority: int | None


class QuarantinedRecord(View):
    """A record, field or value a refresh set aside: the source, the record as the source names
    it, the rule and why, the field or value set aside (when one was), and the runs that set it
    aside (a repeat extends the row: first and last run)."""

    id: int
    source: str
    record: str
    rule: str
    detail: str
    field: str | None = None
    value: str | None = None
    first_run: int
    last_run: int
