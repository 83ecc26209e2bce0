"""The Pandera (polars) schema for an observation batch, and the gate that applies it.

Failures are collected lazily; each failing row is quarantined with the rule it broke and never
disappears: it comes back as a Problem naming the source, the record and the rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any, cast

import pandera.polars as pa
import polars as pl
from pandera.engines.polars_engine import Decimal as PaDecimal

from schemas.records import Observation, Problem, decimal_text
from schemas.vocab import MAGNITUDE_LIMITS, Component, Dim, Kind, Unit

PRECISION = 38  # digits the frame holds
SCALE = 20  # decimal places the frame holds; a value needing more is flagged, never rounded
INTEGER_DIGITS = PRECISION - SCALE  # a value of 10^18 or more does not fit: flagged, never raised
QUANTUM = Decimal(1).scaleb(-SCALE)
_FRAME_CONTEXT = Context(prec=PRECISION + 2, rounding=ROUND_HALF_EVEN)
DECIMAL = pl.Decimal(PRECISION, SCALE)
KEY = ["source", "route", "model_key", "kind", "component", "unit", "dims"]
_CONTEXT = f"{Dim.CONTEXT_ABOVE.value}="


def _limit_expr() -> pl.Expr:
    expr = pl.lit(None, dtype=DECIMAL)
    for unit, limit in MAGNITUDE_LIMITS.items():
        expr = (
            pl.when(pl.col("unit") == unit.value).then(pl.lit(limit, dtype=DECIMAL)).otherwise(expr)
        )
    return expr


class ObservationBatch(pa.DataFrameModel):
    """One refresh's observations, one row each."""

    row: int = pa.Field(unique=True)
    source: str = pa.Field(str_length={"min_value": 1})
    route: str = pa.Field(str_length={"min_value": 1})
    model_key: str = pa.Field(str_length={"min_value": 1, "max_value": 300})
    kind: str = pa.Field(isin=[k.value for k in Kind])
    component: str = pa.Field(isin=[c.value for c in Component])
    unit: str = pa.Field(isin=[u.value for u in Unit])
    dims: str
    base_dims: str  # dims without the context tier
    context_above: int = pa.Field(ge=0)
    value: PaDecimal = pa.Field(ge=0, dtype_kwargs={"precision": 38, "scale": SCALE})
    exact: bool = pa.Field(isin=[True])  # the value fits the frame's scale without rounding

    class Config:
        strict = True
        unique = KEY

    @pa.dataframe_check
    @classmethod
    def magnitude(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A price above its unit's sane maximum (e.g. > $1,000 per 1M tokens) is an anomaly."""
        return _magnitude(data.lazyframe)

    @pa.dataframe_check
    @classmethod
    def cache_read_le_input(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A cache read costs no more than input for the same route, model, unit and dimensions
        (no more than the cheapest input, where a source states two). One verdict per row:
        the inputs are grouped on the explicit key before the join, so duplicates never
        multiply or shift rows."""
        return _cache_read_le_input(data.lazyframe)

    @pa.dataframe_check
    @classmethod
    def tiers_ascending(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Context tiers of one price go up: the price above N tokens is at least every price of
        the tiers below it. Ties (two values stated for one tier) compare as a set, so the
        verdict does not depend on row order."""
        return _tiers_ascending(data.lazyframe)


def _magnitude(frame: pl.LazyFrame) -> pl.LazyFrame:
    limit = _limit_expr()
    return frame.select(limit.is_null() | (pl.col("value") <= limit))


def _cache_read_le_input(frame: pl.LazyFrame) -> pl.LazyFrame:
    key = ["source", "route", "model_key", "kind", "unit", "dims"]
    inputs = (
        frame.filter(pl.col("component") == Component.INPUT.value)
        .group_by(key)
        .agg(pl.col("value").min().alias("input_value"))
    )
    joined = frame.join(inputs, on=key, how="left").sort("row")
    return joined.select(
        (pl.col("component") != Component.CACHE_READ.value)
        | pl.col("input_value").is_null()
        | (pl.col("value") <= pl.col("input_value"))
    )


def _tiers_ascending(frame: pl.LazyFrame) -> pl.LazyFrame:
    group = ["source", "route", "model_key", "kind", "component", "unit", "base_dims"]
    tier = [*group, "context_above"]
    # Nothing is below a group's only tier: only the groups stating two tiers (or a null one)
    # are sorted; every other row finds no tier below it, as it would among all of them.
    above = pl.col("context_above")
    tiered = frame.filter(
        (above.min().over(group) != above.max().over(group))
        | (above.count().over(group) != pl.len().over(group))
    )
    below = (
        tiered.group_by(tier)
        .agg(pl.col("value").max().alias("tier_max"))
        .sort(tier)
        .with_columns(pl.col("tier_max").cum_max().shift(1).over(group).alias("below"))
        .select(*tier, "below")
    )
    joined = frame.join(below, on=tier, how="left").sort("row")
    return joined.select(
        (pl.col("kind") != Kind.PRICE.value)
        | pl.col("below").is_null()
        | (pl.col("value") >= pl.col("below"))
    )


# The schema's rules across rows, by check name: the model's checks and the screen run the same
# queries. Each compares only rows of one (source, route, model_key), as does the key's
# uniqueness: the screen relies on it (`_screen`).
_FRAME_RULES: dict[str, Callable[[pl.LazyFrame], pl.LazyFrame]] = {
    "magnitude": _magnitude,
    "cache_read_le_input": _cache_read_le_input,
    "tiers_ascending": _tiers_ascending,
}
_GROUP = ["source", "route", "model_key"]


def _column_rule(column: str, check: pa.Check) -> pl.Expr:
    """A built-in column check of the schema as an expression (True: the row passes). Only the
    checks the schema uses are known; another raises ValueError, so a new rule cannot go
    unscreened."""
    stats: dict[str, Any] = check.statistics or {}
    col = pl.col(column)
    if check.name == "str_length" and stats.get("exact_value") is None:
        chars = col.str.len_chars()
        low, high = stats.get("min_value"), stats.get("max_value")
        return (pl.lit(True) if low is None else chars >= low) & (
            pl.lit(True) if high is None else chars <= high
        )
    if check.name == "isin":
        return col.is_in(list(stats["allowed_values"]))
    if check.name == "greater_than_or_equal_to":
        return col.ge(stats["min_value"])
    raise ValueError(f"{column}: check {check.name} has no screen in schemas/batch.py")


def _unique(column: str, dtype: pl.DataType) -> pl.Expr:
    """A unique column's rule: for integers (the row index), every row passes where the column
    is strictly increasing and has no null, else every row is suspect; a full uniqueness test
    for any other type."""
    col = pl.col(column)
    if dtype.is_integer():
        return col.is_not_null().all() & (col.diff().min() > 0)
    return col.is_unique()


def _screen_rules() -> tuple[list[pl.Expr], list[Callable[[pl.LazyFrame], pl.LazyFrame]]]:
    """ObservationBatch's rules as polars: per-row expressions (non-null, unique columns and
    key, column checks) and the rules across rows. Raises ValueError on a rule it cannot
    screen."""
    schema = ObservationBatch.to_schema()
    rows: list[pl.Expr] = []
    for name, column in schema.columns.items():
        if not column.nullable:
            rows.append(pl.col(name).is_not_null())
        if column.unique:
            rows.append(_unique(name, column.dtype.type))
        rows.extend(_column_rule(name, check) for check in column.checks)
    if schema.unique:
        rows.append(pl.len().over(schema.unique) == 1)
    frames = []
    for check in schema.checks:
        if check.name not in _FRAME_RULES:
            raise ValueError(f"check {check.name} has no screen in schemas/batch.py")
        frames.append(_FRAME_RULES[check.name])
    return rows, frames


def _screen(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of every (source, route, model_key) with a row that may break one of the
    schema's rules (a verdict of null counts as breaking): every row Pandera would flag is in
    a group returned, and a row's verdict depends only on its own group (the row index's
    uniqueness, the one rule across groups, holds in every part of a strictly increasing index
    and marks every row otherwise), so validating these groups alone finds exactly what
    validating the whole frame finds. One polars query."""
    rows, frames = _SCREEN
    lazy = frame.lazy()
    verdicts = [
        lazy.select(pl.all_horizontal([r.fill_null(False) for r in rows]).alias("rows")),
        *(
            rule(lazy).select(pl.first().fill_null(False).alias(f"rule{i}"))
            for i, rule in enumerate(frames)
        ),
    ]
    passed = pl.concat(verdicts, how="horizontal").select(
        pl.all_horizontal(pl.all()).alias("passed")
    )
    keep = (
        pl.concat([lazy.select(_GROUP), passed], how="horizontal")
        .select(~pl.col("passed").all().over(_GROUP))
        .collect()
        .to_series()
    )
    return frame.filter(keep)


def frame_value(value: Decimal) -> Decimal | None:
    """`value` at the frame's scale (rounded where it needs more places: the row is then flagged
    inexact), or None where it cannot be held at all: not finite, or 10^18 or more. Bounded: no
    stated exponent or length makes this raise or build a large number."""
    if not value.is_finite() or value.adjusted() >= INTEGER_DIGITS:
        return None
    framed = value.quantize(QUANTUM, context=_FRAME_CONTEXT)
    return None if framed.adjusted() >= INTEGER_DIGITS else framed  # rounded up to 10^18


def value_text(value: Decimal) -> str:
    """A stated value as text for a report, bounded in length whatever its exponent."""
    if value.is_finite() and -PRECISION <= value.adjusted() < INTEGER_DIGITS:
        return decimal_text(value)
    return str(value)


def to_frame(observations: Sequence[Observation], values: Sequence[Decimal]) -> pl.DataFrame:
    """The batch as columns; the context tier is split from the dimensions by polars. `values`
    are the observations' values at the frame's scale (`frame_value`, none of them None:
    `validate` sets the others aside first)."""
    # Kind, component and unit are StrEnums (str already): read as text by the String schema.
    # The values go in as fixed-point text, which polars reads exactly and far faster than
    # Decimal objects.
    frame = pl.DataFrame(
        {
            "source": [o.source for o in observations],
            "route": [o.route for o in observations],
            "model_key": [o.model or f"?{o.source_model}" for o in observations],
            "kind": [o.kind for o in observations],
            "component": [o.component for o in observations],
            "unit": [o.unit for o in observations],
            "dims": [o.dimensions.key for o in observations],
            "value": pl.Series([format(q, "f") for q in values], dtype=pl.String).cast(DECIMAL),
            "exact": [q == o.value for q, o in zip(values, observations, strict=True)],
        },
        schema_overrides={
            "kind": pl.String,
            "component": pl.String,
            "unit": pl.String,
            "dims": pl.String,
        },
    )
    tier = pl.col("dims").str.extract(f"{_CONTEXT}([^;]*)", 1)
    return frame.with_row_index("row").with_columns(
        pl.col("row").cast(pl.Int64),
        base_dims=pl.col("dims").str.replace(f";?{_CONTEXT}[^;]*", "").str.strip_chars_start(";"),
        context_above=pl.when(tier.is_null())
        .then(0)
        .otherwise(tier.cast(pl.Int64, strict=False).fill_null(-1)),
    )


_SCREEN = _screen_rules()
_DTYPES = {name: column.dtype.type for name, column in ObservationBatch.to_schema().columns.items()}
OUT_OF_RANGE = "out_of_range"  # the rule a value the frame cannot hold breaks


def validate(observations: Sequence[Observation]) -> tuple[list[Observation], list[Problem]]:
    """Split a batch into valid observations and problems (one per failing row, every rule).

    Never raises on what a source stated: a value the frame cannot hold (not finite, 10^18 or
    more) is the problem `out_of_range`; a check that rejects the frame as a whole (no row to
    blame) sets every row aside with that check's name. Scheduled prices (Observation.scheduled:
    a later price of a field the batch also states as current) are checked as a batch of their
    own, so a field's current and scheduled price are not one key stated twice.
    """
    scheduled = [o for o in observations if o.scheduled]
    if not scheduled:
        return _validate(observations)
    valid, problems = _validate([o for o in observations if not o.scheduled])
    later_valid, later_problems = _validate(scheduled)
    return valid + later_valid, problems + later_problems


def _validate(observations: Sequence[Observation]) -> tuple[list[Observation], list[Problem]]:
    framed = [frame_value(o.value) for o in observations]
    if None in framed:
        fits = [o for o, q in zip(observations, framed, strict=True) if q is not None]
        values = [q for q in framed if q is not None]
        problems = [
            _problem(o, [OUT_OF_RANGE])
            for o, q in zip(observations, framed, strict=True)
            if q is None
        ]
    else:  # as usual: every value fits
        fits, values, problems = list(observations), cast(list[Decimal], framed), []
    if not fits:
        return [], problems
    suspect = _screen(to_frame(fits, values))
    if suspect.is_empty() and dict(suspect.schema) == _DTYPES:
        return fits, problems  # what Pandera says of an empty frame of the declared types
    try:
        ObservationBatch.validate(suspect, lazy=True)
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases
    else:
        return fits, problems
    positions = suspect["row"].to_list()  # a row of `suspect` is the observation fits[row]
    rules: dict[int, list[str]] = defaultdict(list)
    for case in failures.iter_rows(named=True):
        index = case["index"]
        rows = range(len(fits)) if index is None else [positions[int(index)]]
        for row in rows:
            rules[row].append(str(case["check"]))
    valid = [o for i, o in enumerate(fits) if i not in rules]
    problems += [_problem(fits[i], sorted(set(found))) for i, found in sorted(rules.items())]
    return valid, problems


def _problem(obs: Observation, rules: list[str]) -> Problem:
    dims = obs.dimensions.key
    return Problem(
        source=obs.source,
        record=obs.record or obs.source_model,
        rule=", ".join(rules),
        detail=(
            f"{obs.kind.value} {obs.component.value}{f' [{dims}]' if dims else ''} = "
            f"{value_text(obs.value)} {obs.unit.value} ({obs.evidence})"
        ),
        observation=obs,
    )
