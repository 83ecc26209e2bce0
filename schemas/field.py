"""Which field a value belongs to: the one type every stage names a field by.

A catalog field is (route, model, measure), where the measure is what the value is for:
(kind, component, unit, dimensions). `Dims` is the dimension set in canonical form (keys from
the dimension vocabulary, values lowercase, defaults left out, keys sorted), so two statements of
the same thing compare equal whichever source made them and in whatever order it wrote them.

All three types are immutable, hashable and ordered; the order is route, model, kind, component,
unit, then the dimensions' text key, which is the order the catalog lists fields in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from schemas.vocab import DIMENSION_DEFAULTS, Component, Dim, Kind, Unit

_DEPLOYMENT = frozenset({Dim.SCOPE.value, Dim.REGION.value})  # where a price is deployed

# A route's name, as every source's routes are written and every command and page takes one:
# lowercase letters and digits, then also '.', '_' and '-', at most 100 characters.
ROUTE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")

_DIMENSIONS = frozenset(d.value for d in Dim)
_DEFAULTS = {d.value: v for d, v in DIMENSION_DEFAULTS.items()}


class Dims(dict[str, str]):
    """A canonical, immutable dimension set, e.g. {"cache_ttl": "5m", "modality": "audio"}.

    Build one with `Dims.of(mapping)` (canonicalizes; raises ValueError naming an unknown
    dimension) or `Dims.parse(key)` (from the stored text key 'k=v;k=v'). `key` is that text
    key ('' for no dimensions). A read-only dict (so JSON and templates read it as one); hashes
    and orders by its key.
    """

    __slots__ = ("_hash", "_key")

    _key: str
    _hash: int

    def __init__(self, canonical: dict[str, str]) -> None:
        """Wrap an already canonical dict (sorted keys, no defaults): use `of` or `parse`."""
        super().__init__(canonical)
        self._key = ";".join(f"{k}={v}" for k, v in canonical.items())
        self._hash = hash(self._key)

    def _read_only(self, *_args: object, **_kwargs: object) -> None:
        raise TypeError("Dims is immutable: build a new one with Dims.of")

    __setitem__ = __delitem__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]
    __ior__ = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple[object, tuple[str]]:
        """Pickled (and deep-copied) as its text key."""
        return (Dims.parse, (self._key,))

    @classmethod
    def of(cls, dims: Mapping[str, object] | None = None) -> Dims:
        """The canonical form of a dimension mapping: values stripped and lowercased, dimensions
        at their default value (text modality, standard tier) left out, keys sorted."""
        if isinstance(dims, Dims):
            return dims
        if not dims:
            return NO_DIMS
        # Remembered by the stated pairs when every value is plain text (1, 1.0 and True would
        # be one key but three texts); a refresh states a few hundred distinct sets ~10^5 times.
        stated = tuple(dims.items())
        try:
            # a remembered set holds only text values, which no 1, 1.0 or True equals
            canonical = _CANONICAL.get(stated)
        except TypeError:  # an unhashable value: _canonical says what is wrong with it
            return cls._canonical(dims)
        if canonical is not None:
            return canonical
        if not all(type(value) is str for _, value in stated):
            return cls._canonical(dims)
        canonical = cls._canonical(dims)
        if len(_CANONICAL) < _REMEMBERED:
            _CANONICAL[stated] = canonical
        return canonical

    @classmethod
    def _canonical(cls, dims: Mapping[str, object]) -> Dims:
        unknown = dims.keys() - _DIMENSIONS
        if unknown:
            raise ValueError(f"unknown dimensions {sorted(unknown)}; known: {sorted(_DIMENSIONS)}")
        out: dict[str, str] = {}
        for key in sorted(dims):
            value = str(dims[key]).strip().lower()
            if _DEFAULTS.get(key) != value:
                out[key] = value
        return cls(out)

    @classmethod
    def parse(cls, key: str) -> Dims:
        """Dims from its text key ('k=v;k=v', as stored); '' is no dimensions."""
        if not key:
            return NO_DIMS
        return cls.of(dict(part.split("=", 1) for part in key.split(";") if part))

    @property
    def key(self) -> str:
        """The canonical text of the dimensions, `k=v;k=v` (sorted, defaults left out; '' for
        none): how they are stored and compared."""
        return self._key

    def __hash__(self) -> int:  # type: ignore[override]  # immutable, so hashable
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Dims):
            return self._key == other._key
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __lt__(self, other: Dims) -> bool:
        return self._key < other._key

    def __repr__(self) -> str:
        return f"Dims({dict(self)!r})"

    def without(self, name: str) -> Dims:
        """These dimensions but `name` (a Dim): a secondary's price placed in a deployment
        scope, `without(Dim.SCOPE)`, is the unscoped field it was stated as."""
        return Dims.of({d: v for d, v in self.items() if d != name})

    def without_deployment(self) -> Dims:
        """These dimensions but the deployment (scope and region): the field a secondary's
        price stated with no deployment is of, beside an official meter's."""
        return Dims.of({d: v for d, v in self.items() if d not in _DEPLOYMENT})

    def text(self) -> str:
        """For people: 'cache_ttl=5m, modality=audio' ('' for none)."""
        return ", ".join(f"{k}={v}" for k, v in self.items())

    @classmethod
    def __get_pydantic_core_schema__(
        cls, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """In records: validated from a mapping, a text key or a Dims; serialized as a dict."""

        def validate(value: object) -> Dims:
            if isinstance(value, Dims):
                return value
            if isinstance(value, str):
                return cls.parse(value)
            if isinstance(value, Mapping):
                return cls.of(value)
            raise ValueError(f"dimensions must be a mapping, got {type(value).__name__}")

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                dict, when_used="always"
            ),
        )


NO_DIMS = Dims({})
# Dims.of's memory of canonical forms, by the stated (dimension, text) pairs; bounded, so that a
# source stating endless distinct values costs no more than canonicalizing each.
_CANONICAL: dict[tuple[tuple[str, object], ...], Dims] = {}
_REMEMBERED = 4096


class Measure(NamedTuple):
    """What a value is for, whoever sells which model: e.g. a price (kind) of cached input
    (component) in USD per 1M tokens (unit) for a 5-minute cache lifetime (dims).

    A named tuple, like FieldId: immutable, ordered by its fields, and built and hashed in C
    (a refresh builds and looks up ~10^5-10^6 of them).
    """

    kind: Kind
    component: Component
    unit: Unit
    dims: Dims = NO_DIMS

    def text(self) -> str:
        """For people: 'cache_write (cache_ttl=5m)'."""
        dims = self.dims.text()
        return f"{self.component.value}{f' ({dims})' if dims else ''}"


class FieldId(NamedTuple):
    """One field of the catalog: a measure of a model on a route (a named tuple, see Measure)."""

    route: str
    model: str
    measure: Measure

    @property
    def kind(self) -> Kind:
        """The field's kind: price, limit or capability."""
        return self.measure.kind

    @property
    def component(self) -> Component:
        """The field's component (input, output, cache_read...)."""
        return self.measure.component

    @property
    def unit(self) -> Unit:
        """The field's unit (usd_per_1m_tokens, tokens, flag...)."""
        return self.measure.unit

    @property
    def dims(self) -> Dims:
        """The field's dimensions."""
        return self.measure.dims

    def on(self, route: str) -> FieldId:
        """The same measure of the same model on another route."""
        return FieldId(route, self.model, self.measure)

    def stored(self) -> dict[str, str]:
        """The field as the database's columns hold it (route, model, kind, component, unit,
        dimensions: texts, by column name): what `from_row` reads back."""
        return {
            "route": self.route,
            "model": self.model,
            "kind": self.kind.value,
            "component": self.component.value,
            "unit": self.unit.value,
            "dimensions": self.dims.key,
        }

    @classmethod
    def from_row(cls, row: Any) -> FieldId:
        """From a database row with route, model, kind, component, unit and dimensions (text)."""
        return cls(
            row.route,
            row.model,
            Measure(
                Kind(row.kind), Component(row.component), Unit(row.unit), Dims.parse(row.dimensions)
            ),
        )


class ListingId(NamedTuple):
    """A model in one source's listing for a route."""

    source: str
    route: str
    model: str
