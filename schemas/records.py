"""Pydantic records: drafts from sources, observations, catalog values, review items."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from schemas.vocab import DIMENSION_DEFAULTS, Component, Dim, Kind, Unit

_DIMENSIONS = frozenset(d.value for d in Dim)
_DEFAULTS = {d.value: v for d, v in DIMENSION_DEFAULTS.items()}


def canonical_dimensions(dims: dict[str, str]) -> dict[str, str]:
    """Drop dimensions at their default value and sort the rest, so equal things compare equal."""
    unknown = dims.keys() - _DIMENSIONS
    if unknown:
        raise ValueError(f"unknown dimensions {sorted(unknown)}; known: {sorted(_DIMENSIONS)}")
    out: dict[str, str] = {}
    for key in sorted(dims):
        value = str(dims[key]).strip().lower()
        if _DEFAULTS.get(key) != value:
            out[key] = value
    return out


def dimensions_key(dims: dict[str, str]) -> str:
    """A stable text key for a dimension set: 'k=v;k=v' in key order ('' for none)."""
    return ";".join(f"{k}={v}" for k, v in sorted(dims.items()))


def parse_dimensions_key(key: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in key.split(";") if part)


def decimal_text(value: Decimal) -> str:
    """Exact, plain text for a Decimal: no exponent, no trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


class Draft(BaseModel):
    """One value as a source's normalizer states it, before identity and provenance are added.

    `value` is already in the canonical `unit` (e.g. a per-token price times 10^6 for
    usd_per_1m_tokens), computed in Decimal. `source_model` is the source's own name for the
    model; `route` is who sells it. `evidence` is the text the value was read from (a JSON key
    and value, a table row, a meter name).
    """

    model_config = ConfigDict(frozen=True)

    route: str
    source_model: str
    kind: Kind = Kind.PRICE
    component: Component
    unit: Unit
    dimensions: dict[str, str] = Field(default_factory=dict)
    value: Decimal
    evidence: str = ""
    record: str = ""  # the source record's id (key, meter id, row), for error messages

    @field_validator("dimensions")
    @classmethod
    def _canonical(cls, dims: dict[str, str]) -> dict[str, str]:
        return canonical_dimensions(dims)


class Observation(BaseModel):
    """One value one source stated at one time. Raw and append-only."""

    model_config = ConfigDict(frozen=True)

    source: str
    route: str
    model: str | None  # canonical model; None when the name maps to no known model
    source_model: str
    kind: Kind
    component: Component
    unit: Unit
    dimensions: dict[str, str]
    value: Decimal
    observed_at: datetime
    url: str
    landing_url: str
    evidence: str
    record: str = ""

    @property
    def dims_key(self) -> str:
        return dimensions_key(self.dimensions)

    def field_key(self) -> tuple[str, str, str, str]:
        return (self.kind.value, self.component.value, self.unit.value, self.dims_key)


class Problem(BaseModel):
    """A record a source sent that could not be used, and why. Shown in the run report."""

    source: str
    record: str
    rule: str
    detail: str
    payload: dict[str, Any] = Field(default_factory=dict)


class SourceStatus(StrEnum):
    OK = "ok"
    PARTIAL = "partial"  # some pages failed: values applied, no absence counted
    BROKEN = "broken"  # parsed far fewer records than last time: nothing applied
    FAILED = "failed"  # network, status, unparsable body, validation collapse: nothing applied


class ReviewKind(StrEnum):
    PRICE_CHANGE = "price_change"
    NEW_MODEL = "new_model"
    NEW_VALUE = "new_value"
    MISSING = "missing"
    DISAGREEMENT = "disagreement"
    ANOMALY = "anomaly"
    UNMAPPED = "unmapped"
    SUBMISSION = "submission"


class ReviewStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class SourceValue(BaseModel):
    """What one source said about one field, as evidence on a review item."""

    source: str
    official: bool
    value: str
    observed_at: datetime
    url: str
    evidence: str
    source_model: str = ""


class FieldChange(BaseModel):
    """One field of a review item: its current and proposed values and every source's value."""

    kind: Kind
    component: Component
    unit: Unit
    dimensions: dict[str, str]
    current: str | None
    proposed: str | None
    pct_change: float | None = None
    sources: list[SourceValue] = Field(default_factory=list)


class ReviewItem(BaseModel):
    id: int | None = None
    kind: ReviewKind
    route: str
    model: str
    title: str
    changes: list[FieldChange] = Field(default_factory=list)
    detail: str = ""
    fingerprint: str  # what it proposes: a repeat run finds the same item open
    slot: str  # what it is about: a newer proposal about the same thing supersedes it
    status: ReviewStatus = ReviewStatus.OPEN
    created_at: datetime
    due_at: datetime
    run_id: int | None = None
    sources: list[str] = Field(default_factory=list)  # the sources whose statements it cites
    last_seen_at: datetime | None = None
    decided_at: datetime | None = None
    reviewer: str | None = None
    reason: str | None = None


class CatalogValue(BaseModel):
    """The accepted value of one field of (route, model), with its provenance: from when it
    holds (valid_from) and until when (valid_to, None while in force), who verified it, and
    which statement and policy or review let it in. Closed values are its history."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    route: str
    model: str
    kind: Kind
    component: Component
    unit: Unit
    dimensions: dict[str, str]
    value: Decimal
    valid_from: datetime
    valid_to: datetime | None = None
    verified_at: datetime | None = None
    verified_by: str | None = None
    accepted_by: str  # "policy:accept-new", "review:<id>"
    accepted_source: str  # the source whose statement let it in

    @field_validator("dimensions", mode="before")
    @classmethod
    def _from_key(cls, dims: dict[str, str] | str) -> dict[str, str]:
        return parse_dimensions_key(dims) if isinstance(dims, str) else dims

    @field_serializer("value")
    def _exact(self, value: Decimal) -> str:
        return decimal_text(value)


class SourceRun(BaseModel):
    """What one source did in one refresh."""

    model_config = ConfigDict(from_attributes=True)

    source: str
    status: SourceStatus
    reason: str = ""
    responses: int = 0
    records: int = 0
    observations: int = 0
    quarantined: int = 0
    stamped: int = 0
    review_items: int = 0
    observed_at: datetime | None = None  # the latest response's date


class Run(BaseModel):
    """One refresh: its policy, world (None when live), status and each source's part."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    started_at: datetime
    finished_at: datetime | None = None
    world: str | None = None
    policy: str
    status: str  # running, ok, degraded (a source failed), failed (the run broke off)
    flow_run_id: str | None = None
    sources: list[SourceRun] = Field(default_factory=list)
