"""Records: drafts from sources and observations (slotted dataclasses: ~10^5 per refresh), catalog
values and review items (pydantic)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation, localcontext
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from schemas.field import NO_DIMS, Dims, FieldId, Measure
from schemas.vocab import Component, Kind, Unit

FORBID = ConfigDict(extra="forbid")  # a misspelt field name is an error, never a silent default
# A measure or field id of a record's own (already typed) fields, built as the plain tuple it is:
# a NamedTuple's __new__ is a Python function (~4x the cost), asked ~10^5 times a refresh.
_MEASURE = _FIELD_ID = tuple.__new__


def time_text(moment: datetime) -> str:
    """A time as every JSON document and export of ratecard writes it: ISO 8601, a UTC time
    ending in 'Z' ('2026-08-14T00:00:00Z'), as pydantic writes the records' own times. Written
    with `isoformat()` ('+00:00') beside the records' 'Z', one document (`show --json`, an
    export, a review item) held the same instant in two spellings."""
    if moment.tzinfo is UTC:  # UTC times that are equal are spelt alike: each spelt once
        text = _TIME_TEXTS.get(moment)
        if text is None:
            text = f"{moment.isoformat()[:-6]}Z"
            if len(_TIME_TEXTS) < _REMEMBERED_TIMES:
                _TIME_TEXTS[moment] = text
        return text
    text = moment.isoformat()
    return f"{text[:-6]}Z" if text.endswith("+00:00") else text


# time_text's memory of the UTC times it spelt: an export of the catalog (~60k values) writes
# ~350k times, a few thousand of them distinct; bounded, so a stream of distinct times (a log)
# costs no more than spelling each.
_TIME_TEXTS: dict[datetime, str] = {}
_REMEMBERED_TIMES = 100_000


def clock_text(moment: datetime | str | None, *, seconds: bool = False) -> str:
    """A time as a person reads it in ratecard's human output (tables, lines, pages): UTC to the
    minute (or the second, for an event's own time such as an audit line) with the zone named,
    '2026-12-11 10:40 UTC'. The commands had three spellings: `submit` '2026-12-08 10:46 UTC',
    `review list` '2026-12-11T10:40' (no zone), the reviewer list a whole ISO 8601 time. A
    stored ISO text (as `time_text` writes it) is read first; JSON keeps `time_text`'s. No time
    is empty text."""
    if moment is None:
        return ""
    when = (
        datetime.fromisoformat(moment.replace("Z", "+00:00")) if isinstance(moment, str) else moment
    )
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return f"{when:%Y-%m-%d %H:%M:%S}"[: 19 if seconds else 16] + " UTC"


def decimal_text(value: Decimal) -> str:
    """Exact, plain text for a Decimal: no exponent, no trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


PERCENT_PLACES = Decimal("0.01")  # a change in percent is kept to the hundredth


def percent_change(current: Decimal | None, proposed: Decimal | None) -> Decimal | None:
    """The change from `current` to `proposed` in percent (100 for a doubling), in Decimal and
    rounded half-even to the hundredth (-33.33 for a third off): never a binary float, whose
    -33.333333333333336 the API and `--json` printed. None where either is missing or
    `current` is 0."""
    if current is None or proposed is None or current == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 80  # room for a ratio of any two values a frame holds, and its places
        return ((proposed - current) / current * 100).quantize(PERCENT_PLACES)


def _stored_percent(value: float) -> Decimal | None:
    """A change in percent stored as a binary float, at the hundredth (None for one no number
    can be: not finite)."""
    if not math.isfinite(value):
        return None
    with localcontext() as ctx:
        ctx.prec = 80
        return Decimal(repr(value)).quantize(PERCENT_PLACES)


@dataclass(frozen=True, slots=True, kw_only=True, init=False)
class Draft:
    """One value as a source's normalizer states it, before identity and provenance are added.

    `value` is already in the canonical `unit` (e.g. a per-token price times 10^6 for
    usd_per_1m_tokens), computed in Decimal. `source_model` is the source's own name for the
    model; `route` is who sells it. `evidence` is the text the value was read from (a JSON key
    and value, a table row, a meter name).

    A frozen slotted record checked at construction (a refresh builds ~10^5): unknown fields are
    a TypeError; a value that is not a finite Decimal (an int or numeric text is read as one; a
    float is refused: money is Decimal from the moment it is parsed), a vocabulary term that is
    not one, a dimension mapping `Dims.of` refuses, or a non-text name is a ValueError, which the
    parsers turn into that field's quarantine. Copy with `dataclasses.replace`.
    """

    route: str
    source_model: str
    kind: Kind = Kind.PRICE
    component: Component
    unit: Unit
    dimensions: Dims = NO_DIMS
    value: Decimal
    evidence: str = ""
    record: str = ""  # the source record's id (key, meter id, row), for error messages
    # The day the source says this price takes effect (genai-prices' `start_date`, Azure's
    # `effectiveStartDate`); None when it states none (in force since before anything it says).
    effective_from: date | None = None
    # The last day the source says this price is in force (Azure's `effectiveEndDate`); None
    # when it states none. A price that ended before its response's date is not a current one
    # (catalog/normalize.py draft_source reports it).
    effective_until: date | None = None

    def __init__(
        self,
        *,
        route: str,
        source_model: str,
        kind: Kind = Kind.PRICE,
        component: Component,
        unit: Unit,
        dimensions: Dims = NO_DIMS,
        value: Decimal,
        evidence: str = "",
        record: str = "",
        effective_from: date | None = None,
        effective_until: date | None = None,
    ) -> None:
        _fill(
            self,
            route,
            source_model,
            kind,
            component,
            unit,
            dimensions,
            value,
            evidence,
            record,
            effective_from,
            effective_until,
        )

    def __post_init__(self) -> None:
        if type(self.kind) is not Kind:
            object.__setattr__(self, "kind", Kind(self.kind))
        if type(self.component) is not Component:
            object.__setattr__(self, "component", Component(self.component))
        if type(self.unit) is not Unit:
            object.__setattr__(self, "unit", Unit(self.unit))
        if type(self.dimensions) is not Dims:
            object.__setattr__(self, "dimensions", _as_dims(self.dimensions))
        if type(self.value) is not Decimal:
            object.__setattr__(self, "value", _as_decimal(self.value))
        if not self.value.is_finite():
            raise ValueError(f"value: a finite number, not {self.value}")
        if not (
            type(self.route) is str
            and type(self.source_model) is str
            and type(self.evidence) is str
            and type(self.record) is str
        ):
            texts = (self.route, self.source_model, self.evidence, self.record)
            raise ValueError(f"route, source_model, evidence and record are text: {texts!r}")
        if self.effective_from is not None and type(self.effective_from) is not date:
            raise ValueError(f"effective_from: a date, not {self.effective_from!r}")
        if self.effective_until is not None and type(self.effective_until) is not date:
            raise ValueError(f"effective_until: a date, not {self.effective_until!r}")

    @property
    def measure(self) -> Measure:
        """The draft's kind, component, unit and dimensions, without route and model."""
        return _MEASURE(Measure, (self.kind, self.component, self.unit, self.dimensions))


# Each field's slot setter, in Draft.__init__'s order (the class's fields, so none is missed).
(
    _SET_ROUTE,
    _SET_SOURCE_MODEL,
    _SET_KIND,
    _SET_COMPONENT,
    _SET_UNIT,
    _SET_DIMENSIONS,
    _SET_VALUE,
    _SET_EVIDENCE,
    _SET_RECORD,
    _SET_EFFECTIVE_FROM,
    _SET_EFFECTIVE_UNTIL,
) = (Draft.__dict__[f.name].__set__ for f in fields(Draft))


def make_draft(
    route: str,
    source_model: str,
    kind: Kind,
    component: Component,
    unit: Unit,
    dimensions: Dims,
    value: Decimal,
    evidence: str,
    record: str,
    effective_from: date | None = None,
    effective_until: date | None = None,
) -> Draft:
    """The Draft of these fields, given positionally in the class's order, checked as
    `Draft(route=..., ...)` checks them: for the collector every parser's values go through
    (spiders/_drafts.py, ~10^5 a refresh). A class's keyword-only __init__ gets its keywords as
    a dict; matching eleven of them costs more than setting the fields."""
    new = _NEW(Draft)
    _fill(
        new,
        route,
        source_model,
        kind,
        component,
        unit,
        dimensions,
        value,
        evidence,
        record,
        effective_from,
        effective_until,
    )
    return new


def _fill(
    new: Draft,
    route: str,
    source_model: str,
    kind: Kind,
    component: Component,
    unit: Unit,
    dimensions: Dims,
    value: Decimal,
    evidence: str,
    record: str,
    effective_from: date | None,
    effective_until: date | None,
) -> None:
    """Set a new Draft's fields and check them (Draft's docstring)."""
    # The frozen dataclass's own __init__ sets each field through object.__setattr__; each
    # slot's descriptor sets it at less than half that cost (measured: 2.0 against 1.2 us
    # for ten fields), and the record stays as frozen (FrozenInstanceError on assignment).
    _SET_ROUTE(new, route)
    _SET_SOURCE_MODEL(new, source_model)
    _SET_KIND(new, kind)
    _SET_COMPONENT(new, component)
    _SET_UNIT(new, unit)
    _SET_DIMENSIONS(new, dimensions)
    _SET_VALUE(new, value)
    _SET_EVIDENCE(new, evidence)
    _SET_RECORD(new, record)
    _SET_EFFECTIVE_FROM(new, effective_from)
    _SET_EFFECTIVE_UNTIL(new, effective_until)
    if not (
        type(kind) is Kind
        and type(component) is Component
        and type(unit) is Unit
        and type(dimensions) is Dims
        and type(value) is Decimal
        and type(route) is str
        and type(source_model) is str
        and type(evidence) is str
        and type(record) is str
        and effective_from is None
        and effective_until is None
        and value.is_finite()
    ):  # nearly every draft is built of the right types already: nothing to check one by one
        new.__post_init__()


def _as_dims(value: object) -> Dims:
    """Dimensions given as a mapping or a stored text key (Dims' own rules)."""
    if isinstance(value, str):
        return Dims.parse(value)
    if isinstance(value, Mapping):
        return Dims.of(value)
    raise ValueError(f"dimensions must be a mapping, got {type(value).__name__}")


def _as_decimal(value: object) -> Decimal:
    """A Draft's value given as an int or numeric text; anything else (a float, a bool) is
    refused."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"value: a Decimal, an int or numeric text, not {type(value).__name__}")
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"value: not a number: {value!r}") from exc


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Observation:
    """One value one source stated at one time. Raw and append-only: never changed once built
    (make a changed copy with `dataclasses.replace`).

    A plain slotted record, not a pydantic model: a refresh builds ~10^5 of them from drafts
    that are already validated (schemas.records.Draft), and validating every field again, or
    freezing each attribute one call at a time, was most of what building them cost. Unknown
    fields are still an error (a TypeError at construction, an AttributeError after); it hashes
    and compares by its fields.
    """

    source: str
    route: str
    model: str | None  # canonical model; None when the name maps to no known model
    source_model: str
    kind: Kind
    component: Component
    unit: Unit
    dimensions: Dims
    value: Decimal
    observed_at: datetime
    url: str
    landing_url: str
    evidence: str
    record: str = ""
    # The day the price takes effect, as the source states it (Draft.effective_from). After the
    # response's date it is a scheduled price: recorded, not compared as current
    # (catalog/schedule.py).
    effective_from: date | None = None

    @property
    def measure(self) -> Measure:
        """The observation's kind, component, unit and dimensions, without route and model."""
        return _MEASURE(Measure, (self.kind, self.component, self.unit, self.dimensions))

    @property
    def scheduled(self) -> bool:
        """The price takes effect after the date of the response that stated it."""
        return self.effective_from is not None and self.effective_from > self.observed_at.date()

    @classmethod
    def from_row(cls, row: Any) -> Observation:
        """From a database row of the observations table with its response's url, landing_url
        and observed_at (catalog/tables.py `last_stated`)."""
        m = FieldId.from_row(row).measure
        return cls(
            source=row.source,
            route=row.route,
            model=row.model,
            source_model=row.source_model,
            kind=m.kind,
            component=m.component,
            unit=m.unit,
            dimensions=m.dims,
            value=Decimal(row.value),
            observed_at=row.observed_at,
            url=row.url,
            landing_url=row.landing_url,
            evidence=row.evidence,
            effective_from=row.effective_from,
        )

    def field_id(self) -> FieldId:
        """The catalog field this states; only for an observation whose model is known."""
        if self.model is None:
            raise ValueError(f"{self.source}: {self.source_model!r} maps to no known model")
        return _FIELD_ID(FieldId, (self.route, self.model, self.measure))


def make_observation(
    source: str,
    route: str,
    model: str | None,
    source_model: str,
    kind: Kind,
    component: Component,
    unit: Unit,
    dimensions: Dims,
    value: Decimal,
    observed_at: datetime,
    url: str,
    landing_url: str,
    evidence: str,
    record: str,
    effective_from: date | None,
) -> Observation:
    """The Observation of these fields, given positionally in the class's order: what
    `Observation(source=..., ...)` builds, for a stage that builds ~10^5 (catalog/normalize.py).
    Matching fifteen keywords to the class's keyword-only __init__ costs about three times
    what setting the fields does (measured: ~1.9 against ~0.45 us)."""
    obs = _NEW(Observation)
    obs.source = source
    obs.route = route
    obs.model = model
    obs.source_model = source_model
    obs.kind = kind
    obs.component = component
    obs.unit = unit
    obs.dimensions = dimensions
    obs.value = value
    obs.observed_at = observed_at
    obs.url = url
    obs.landing_url = landing_url
    obs.evidence = evidence
    obs.record = record
    obs.effective_from = effective_from
    return obs


_NEW = object.__new__
# Every field of Observation is a parameter of `make_observation`, in order: none can be left unset.
if [f.name for f in fields(Observation)] != list(
    make_observation.__code__.co_varnames[: make_observation.__code__.co_argcount]
):
    raise TypeError("schemas.records.make_observation must take Observation's fields in order")


class Problem(BaseModel):
    """A record a source sent that could not be used, and why. Shown in the run report."""

    model_config = FORBID

    source: str
    record: str
    rule: str
    detail: str
    observation: Observation | None = None  # the value set aside, when it was read as one
    field: str | None = None  # the field quarantined alone, as the source named it


class SourceStatus(StrEnum):
    """What a source's run came to: ok, partial (values applied, no absence counted), or broken,
    failed or stale (nothing applied)."""

    OK = "ok"
    PARTIAL = "partial"  # some pages failed: values applied, no absence counted
    BROKEN = "broken"  # parsed far fewer records than last time: nothing applied
    FAILED = "failed"  # network, status, unparsable body, validation collapse: nothing applied
    STALE = "stale"  # every answer older than what the source already said: nothing applied


class ReviewKind(StrEnum):
    """What a review item is about: a price change, a new model or value, a model missing from
    complete listings, sources disagreeing, an anomaly set aside, a name no alias maps, or a
    submitted source's claims."""

    PRICE_CHANGE = "price_change"
    NEW_MODEL = "new_model"
    NEW_VALUE = "new_value"
    MISSING = "missing"
    DISAGREEMENT = "disagreement"
    ANOMALY = "anomaly"
    UNMAPPED = "unmapped"
    SUBMISSION = "submission"


class ReviewStatus(StrEnum):
    """Where a review item stands: open, approved, rejected, or superseded by a newer proposal
    about the same thing."""

    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class SourceValue(BaseModel):
    """What one source said about one field, as evidence on a review item."""

    model_config = FORBID

    source: str
    official: bool
    value: str
    observed_at: datetime
    url: str
    evidence: str
    source_model: str = ""


class FieldChange(BaseModel):
    """One field of a review item: its current and proposed values and every source's value."""

    model_config = FORBID

    kind: Kind
    component: Component
    unit: Unit
    dimensions: Dims
    current: str | None
    proposed: str | None
    pct_change: Decimal | None = None  # percent_change: to the hundredth, text in JSON
    sources: list[SourceValue] = Field(default_factory=list)

    @field_validator("pct_change", mode="before")
    @classmethod
    def _stored_as_float(cls, value: object) -> object:
        """A change stored as a binary float (items opened before it was a Decimal) read at
        the hundredth, as it is made now."""
        if isinstance(value, float):
            return _stored_percent(value)
        return value

    @property
    def measure(self) -> Measure:
        """The change's kind, component, unit and dimensions, without route and model."""
        return Measure(self.kind, self.component, self.unit, self.dimensions)


class ReviewItem(BaseModel):
    """A proposal for a reviewer about (route, model): its kind, title and field changes with
    every source's value, its fingerprint (what it proposes) and slot (what it is about), its
    status, when it was opened and falls due, the sources it cites, and its decision once made."""

    model_config = FORBID

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

    model_config = ConfigDict(from_attributes=True, extra="forbid")

    id: int
    route: str
    model: str
    kind: Kind
    component: Component
    unit: Unit
    dimensions: Dims
    value: Decimal
    valid_from: datetime
    valid_to: datetime | None = None
    verified_at: datetime | None = None
    verified_by: str | None = None
    accepted_by: str  # "policy:accept-new", "review:<id>"
    accepted_source: str  # the source whose statement let it in

    @field_serializer("value")
    def _exact(self, value: Decimal) -> str:
        return decimal_text(value)


class SourceRun(BaseModel):
    """What one source did in one refresh."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")

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

    model_config = ConfigDict(from_attributes=True, extra="forbid")

    id: int
    started_at: datetime
    finished_at: datetime | None = None
    world: str | None = None
    policy: str
    status: str  # running, ok, degraded (a source failed), failed (the run broke off)
    flow_run_id: str | None = None
    sources: list[SourceRun] = Field(default_factory=list)
    # items the apply did not open again: decided before on the same evidence, or stale (their
    # premise gone, or decided while the run ran); and those it reopened (closed without a
    # decision, proposed again); from the run's summary
    decided_before: int = 0
    stale_items: int = 0
    reopened_items: int = 0
