"""One record's drafts, collected by the one rule every parser follows: a field is stated once.

A field is (route, model, kind, component, unit, dimensions): one record may state several models
(a pricing-page row with a column per model). Sources often state one field in two places
(Portkey's `pay_as_you_go` and its `custom_pricing` copy, LiteLLM's two spellings of a cache read,
OpenRouter's `image_token` beside `image_output`, a pricing page's repeated row). The rule:

- the same value again is one draft, whose evidence names every place that stated it;
- a different value quarantines that field alone (rule "conflicting values", naming both
  places): the record contradicts itself and the parser does not pick one. The record's other
  fields are kept, and a later statement of the quarantined field is not read either.

"The same value" is exact Decimal equality: float noise is read away where numbers are read
(spiders/parsing.py `without_float_noise`), so `5.999999999999999e-05` is already `0.00006`.

The collector also applies these rules of the vocabulary to every source:
- a cache write stated without lifetime on a route with a documented default (schemas/vocab.py
  CACHE_TTL_DEFAULTS) is that lifetime's price; one stated beside the same field's 1-hour write
  (Portkey's `cache_write_1h` beside its cache write on Bedrock) is the 5-minute one, the other
  lifetime the vocabulary has. So one real price is one field;
- a limit (tokens, requests per minute) counts something: one that is no whole number
  (`context_length: 128000.5`) is quarantined (NOT_WHOLE_LIMIT), whichever source states it;
- a router pseudo-model (schemas/vocab.py ROUTER_MODELS: `openrouter/auto`, as OpenRouter itself,
  LiteLLM's `openrouter/openrouter/auto` or Portkey's `openrouter/auto`) has no price of its
  own: each price stated for it is quarantined ("router pseudo-model"), its limits and
  capabilities are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from schemas.fetch import UNKNOWN_KEY_RULE, FieldProblem, Normalized, Uninterpretable
from schemas.field import NO_DIMS, Dims
from schemas.records import Draft, make_draft
from schemas.vocab import CACHE_TTL_DEFAULTS, Component, Dim, Kind, Unit
from spiders.parsing import (
    NOT_WHOLE_LIMIT,
    is_router_pseudo_model,
    key_shown,
    unknown_value_keys,
    without_exponent,
)

ROUTER_RULE = "router pseudo-model"
EVIDENCE_JOIN = "; "  # between the places a record states one value of a field
# (route, source model, kind, component, unit, dimensions' text key, effective from): a price
# and the one a record schedules for a later date are two statements of one field. The
# dimensions by their canonical text (Dims.key), equal exactly when the Dims are: a key of
# text, members and None hashes in C, where a Dims' hash is a Python call (three per value).
FieldKey = tuple[str, str, Kind, Component, Unit, str, date | None]

# Members read once: on Python 3.11 `Kind.PRICE` is a metaclass lookup, ~10x a global's cost,
# and these are asked per observation.
_PRICE = Kind.PRICE
_LIMIT = Kind.LIMIT
_CACHE_WRITE = Component.CACHE_WRITE


def plain(value: Decimal) -> Decimal:
    """Without a positive exponent: `scaleb` turns 0.001 cents into 1E+1, stored as 10."""
    if type(value) is Decimal and "E+" not in str(value):
        # Decimal writes a positive exponent, and only that, as 'E+' (6x cheaper than as_tuple)
        return value
    return without_exponent(value)


def field_name(draft: Draft) -> str:
    """The field a draft states: `gpt-4o price input usd_per_1m_tokens [modality=audio]`."""
    dims = draft.dimensions.key
    return f"{draft.source_model} {draft.kind.value} {draft.component.value} {draft.unit.value}" + (
        f" [{dims}]" if dims else ""
    )


class DraftCollector:
    """The drafts of one record (`record` is its id in error messages), by the module's rule.

    `route` and `source_model` are the record's, used by `add`; `put` takes whole drafts.
    """

    def __init__(self, record: str, route: str = "", source_model: str = "") -> None:
        self.record = record
        self.route = route
        self.source_model = source_model
        self._drafts: dict[FieldKey, Draft] = {}
        self._conflicts: set[FieldKey] = set()
        self._problems: list[FieldProblem] = []

    def add(
        self,
        component: Component,
        unit: Unit,
        value: Decimal,
        evidence: str,
        dimensions: dict[str, str] | None = None,
        kind: Kind = Kind.PRICE,
        effective_from: date | None = None,
    ) -> None:
        """One value of this record's route and model, `value` already in `unit`, taking
        effect on `effective_from` when the source states such a day."""
        self.put(
            make_draft(  # Draft(route=..., ...) positionally: its keywords cost more than it
                self.route,
                self.source_model,
                kind,
                component,
                unit,
                NO_DIMS if dimensions is None else Dims.of(dimensions),
                plain(value),
                evidence,
                self.record,
                effective_from,
            )
        )

    def put(self, draft: Draft) -> None:
        """One draft, by the duplicate rule (module docstring)."""
        if draft.kind is _PRICE and _router(draft.route, draft.source_model):
            self.quarantine(
                field_name(draft),
                ROUTER_RULE,
                f"{draft.evidence}: a router bills the price of the model each call is routed to",
            )
            return
        if draft.kind is _LIMIT and draft.value != draft.value.to_integral_value():
            detail = f"{draft.evidence}: a count of tokens or requests is a whole number"
            self.quarantine(field_name(draft), NOT_WHOLE_LIMIT, detail)
            return
        if draft.component is _CACHE_WRITE:
            draft = _with_default_ttl(draft)
        key: FieldKey = (
            draft.route,
            draft.source_model,
            draft.kind,
            draft.component,
            draft.unit,
            draft.dimensions.key,  # canonical (sorted, defaults left out)
            draft.effective_from,
        )
        if self._conflicts and key in self._conflicts:
            return
        held = len(self._drafts)
        known = self._drafts.setdefault(key, draft)  # one lookup for the usual new field
        if len(self._drafts) > held:
            return
        if known.value == draft.value:
            # each place it is stated, once, in one order whatever order the source lists them
            evidence = EVIDENCE_JOIN.join(
                sorted({*known.evidence.split(EVIDENCE_JOIN), draft.evidence})
            )
            self._drafts[key] = replace(known, evidence=evidence)
        else:
            del self._drafts[key]
            self._conflicts.add(key)
            self.quarantine(
                field_name(draft), "conflicting values", f"{known.evidence} vs {draft.evidence}"
            )

    def quarantine(self, field: str, rule: str, detail: str) -> None:
        """Set one field of the record aside with the rule it broke; the rest is kept."""
        self._problems.append(FieldProblem(self.record, field, rule, detail))

    def quarantine_unknown_keys(
        self, record: dict[str, Any], known: frozenset[str], inner: frozenset[str]
    ) -> None:
        """Set aside, each by name (UNKNOWN_KEY_RULE), the keys of the raw `record` named as a
        price or a limit, or holding what a price or limit object holds (`inner`), that the
        parser does not read (`known`: spiders/parsing.py `unknown_value_keys`): a key renamed
        under the parser is reported, and the record counts as read with a problem."""
        for key in unknown_value_keys(record, known, inner):
            self.quarantine(key, UNKNOWN_KEY_RULE, key_shown(key, record[key]))

    def reading(self, field: str) -> _Reading:
        """`with out.reading(field):` reads one field: an Uninterpretable raised inside
        quarantines `field` alone and the record goes on."""
        return _Reading(self, field)

    def result(self) -> Normalized:
        """The record's drafts and quarantined fields. A cache write without lifetime beside the
        same field's 1-hour write is the other lifetime the vocabulary has, the 5-minute one."""
        split = [
            key
            for key, draft in self._drafts.items()
            if draft.component is _CACHE_WRITE
            and Dim.CACHE_TTL not in draft.dimensions
            and _with_ttl(key, draft.dimensions, "1h") in self._drafts
        ]
        for key in split:
            draft = self._drafts.pop(key)
            note = "a 1h cache write stated beside it: the 5m one"
            self.put(_relabel(draft, {**draft.dimensions, Dim.CACHE_TTL.value: "5m"}, note))
        return Normalized(self._drafts.values(), self._problems)


def collect(record: str, drafts: Iterable[Draft]) -> Normalized:
    """Drafts a parser built as a list, through the one duplicate rule."""
    out = DraftCollector(record)
    for draft in drafts:
        out.put(draft)
    return out.result()


class _Reading:
    """The context of DraftCollector.reading (a class: cheaper than a generator per field)."""

    def __init__(self, out: DraftCollector, field: str) -> None:
        self.out = out
        self.field = field

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _: Any) -> bool:
        if isinstance(exc, Uninterpretable):
            self.out.quarantine(self.field, exc.rule, exc.detail)
            return True
        return False


@lru_cache(maxsize=4096)  # a record states many prices of one (route, model)
def _router(route: str, source_model: str) -> bool:
    """A router of the route, named as the gateway names it or with the route before it."""
    return is_router_pseudo_model(route, source_model) or is_router_pseudo_model(
        route, source_model.removeprefix(f"{route}/")
    )


def _with_ttl(key: FieldKey, dimensions: Dims, ttl: str) -> FieldKey:
    """The key of the same field (`key`, whose dimensions are `dimensions`) at lifetime `ttl`."""
    return (*key[:5], Dims.of({**dimensions, Dim.CACHE_TTL.value: ttl}).key, key[6])


def _relabel(draft: Draft, dimensions: dict[str, str], note: str) -> Draft:
    return replace(draft, dimensions=Dims.of(dimensions), evidence=f"{draft.evidence} ({note})")


def _with_default_ttl(draft: Draft) -> Draft:
    default_ttl = CACHE_TTL_DEFAULTS.get(draft.route)
    if default_ttl is None or Dim.CACHE_TTL in draft.dimensions:
        return draft
    dims = {**draft.dimensions, Dim.CACHE_TTL.value: default_ttl}
    note = f"no lifetime stated: {draft.route}'s default cache lifetime, {default_ttl}"
    return _relabel(draft, dims, note)
