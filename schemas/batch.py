"""The Pandera (polars) schema for an observation batch, and the gate that applies it.

Failures are collected lazily; each failing row is quarantined with the rule it broke and never
disappears: it comes back as a Problem naming the source, the record and the rule.
"""

from __future__ import annotations

import operator
from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal
from itertools import groupby

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
# `scheduled` (a price a source states for a later date) is part of every key: a field's current
# and scheduled price are not one key stated twice, and each is checked against its own kind
# (a scheduled cache read against the scheduled input).
KEY = ["source", "scheduled", "route", "model_key", "kind", "component", "unit", "dims"]
_CONTEXT = f"{Dim.CONTEXT_ABOVE.value}="
_TTL = f"{Dim.CACHE_TTL.value}="
# a free variant among a key's dimensions (Dims.key: name=value pairs joined by ";")
_FREE_VARIANT = f"(^|;){Dim.VARIANT.value}=free(;|$)"
# The smallest context a long-context tier is priced above: a tier's threshold is thousands of
# tokens (the recorded world's smallest is 32000); one below this is a threshold read in
# another unit (thousands: 200 for 200000), never a tier of its own.
MIN_CONTEXT_TIER = 1024


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
    scheduled: bool  # a price the source states for a later date (Observation.scheduled)
    route: str = pa.Field(str_length={"min_value": 1})
    model_key: str = pa.Field(str_length={"min_value": 1, "max_value": 300})
    record: str  # the source's record that states the row (its id; else its name for the model)
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
        limit = _limit_expr()
        return data.lazyframe.select(limit.is_null() | (pl.col("value") <= limit))

    @pa.dataframe_check
    @classmethod
    def free_variant_at_zero(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A price of a free variant (`variant=free`: OpenRouter's `:free` twins) is 0: the
        label is the source's statement that the variant costs nothing, so a price above 0
        under it is no price of that variant but another's read into it (fault round 58:
        OpenRouter's `:free` twins listed at their paid model's prices entered a first load
        verified at them, glm-5.2:free input 0.476, and opened 10 price changes from 0 onto an
        epoch-1 catalog). The row is quarantined alone; the other prices of the twin stand."""
        free = pl.col("dims").str.contains(_FREE_VARIANT)
        priced = (pl.col("kind") == Kind.PRICE.value) & (pl.col("value") != 0)
        return data.lazyframe.select(~(free & priced))

    @pa.dataframe_check
    @classmethod
    def context_tier_in_tokens(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A context tier's threshold is at least MIN_CONTEXT_TIER tokens (fault round 59, from
        public reports of tier thresholds and context sizes written in thousands: Vercel's
        listing with every tier's `min` in thousands entered 99 prices verified on a first
        load priced above 199 tokens, which a cost estimate would apply to every prompt
        longer than that). The row is quarantined alone; the base prices stand."""
        above = pl.col("context_above")
        return data.lazyframe.select((above <= 0) | (above >= MIN_CONTEXT_TIER))

    @pa.dataframe_check
    @classmethod
    def cache_read_le_input(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A cache read costs no more than input for the same route, model, unit and dimensions
        (its own record's input; where its record states none, the cheapest input of the field
        its source states: `_dearer_cache_reads`). One verdict per row: the inputs are grouped
        on the explicit key before the join, so duplicates never multiply or shift rows. Only
        cache reads are joined with the inputs (a few percent of the rows); the verdict returns
        to every row by its row number."""
        frame = data.lazyframe
        return _passing(frame, _dearer_cache_reads(frame))

    @pa.dataframe_check
    @classmethod
    def cache_write_beside_dearer_read(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A cache write (of any cache lifetime) of the same route, model, unit and other
        dimensions as a cache read dearer than its input (`cache_read_le_input`) is as suspect
        as that read: a source that swapped its cache read and write prices shows the swap as a
        cache read above the input, and the write it put in the read's place as a cheap price
        no other check doubts (fault round 50, Vercel's swap of charmbracelet/catwalk#405:
        the reads were set aside, the writes proposed in new-model items). A write whose own
        record states a read of the key is judged by that read alone (another record naming the
        same model swaps nothing of this one's)."""
        frame = data.lazyframe
        own = [*_CACHE_KEY, "record"]
        reads = frame.filter(pl.col("component") == Component.CACHE_READ.value).select(own)
        dearer = _dearer_cache_reads(frame).select(own)
        writes = frame.filter(pl.col("component") == Component.CACHE_WRITE.value).with_columns(
            pl.col("dims").str.replace(f"{_TTL}[^;]*;?", "").str.strip_chars_end(";")
        )
        # beside its own record's read where the record states one, else beside any of the key
        beside_own = writes.join(dearer, on=own, how="semi")
        beside_any = writes.join(reads, on=own, how="anti").join(dearer, on=_CACHE_KEY, how="semi")
        return _passing(frame, pl.concat([beside_own, beside_any]))

    @pa.dataframe_check
    @classmethod
    def cache_lifetimes_ascending(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A cache write kept longer costs no less: of one route's, model's, unit's and other
        dimensions' cache writes, the 1-hour price is at least the 5-minute one (Anthropic's
        are 2x and 1.25x the input). A 1-hour price below a 5-minute one sets both aside, as
        which of them is wrong cannot be told (fault round 50: Anthropic's page with its "5m"
        and "1h" headings swapped made 20 official price changes; LiteLLM's recorded map
        states claude-3-opus's 1-hour write at $6 beside its 5-minute $18.75)."""
        key = [*_CACHE_KEY[:-1], "lifetimeless"]
        writes = (
            data.lazyframe.filter(pl.col("component") == Component.CACHE_WRITE.value)
            .with_columns(
                lifetime=pl.col("dims").str.extract(f"{_TTL}([^;]*)", 1),
                lifetimeless=pl.col("dims")
                .str.replace(f"{_TTL}[^;]*;?", "")
                .str.strip_chars_end(";"),
            )
            .filter(pl.col("lifetime").is_not_null())
        )
        shorter = (
            writes.filter(pl.col("lifetime") == "5m")
            .group_by(key)
            .agg(pl.col("value").max().alias("short"))
        )
        swapped = (
            writes.filter(pl.col("lifetime") == "1h")
            .group_by(key)
            .agg(pl.col("value").min().alias("long"))
            .join(shorter, on=key, how="inner")
            .filter(pl.col("long") < pl.col("short"))
        )
        return _passing(data.lazyframe, writes.join(swapped, on=key, how="semi"))

    @pa.dataframe_check
    @classmethod
    def tiers_ascending(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Context tiers of one price go up: the price above N tokens is at least every price of
        the tiers below it. Ties (two values stated for one tier) compare as a set, so the
        verdict does not depend on row order. Only prices with a tier other than the default
        can have two tiers: the running maximum runs over their groups alone, and the verdict
        returns to every row by its row number."""
        group = [
            *("source", "scheduled", "route", "model_key", "kind", "component", "unit"),
            "base_dims",
        ]
        tier = [*group, "context_above"]
        frame = data.lazyframe
        tiered = frame.filter(pl.col("context_above") != 0).select(group).unique()
        candidates = frame.join(tiered, on=group, how="semi")
        below = (
            candidates.group_by(tier)
            .agg(pl.col("value").max().alias("tier_max"))
            .sort(tier)
            .with_columns(pl.col("tier_max").cum_max().shift(1).over(group).alias("below"))
            .select(*tier, "below")
        )
        lower = (
            candidates.join(below, on=tier, how="inner")
            .filter(pl.col("kind") == Kind.PRICE.value)
            .filter(pl.col("value") < pl.col("below"))
        )
        return _passing(frame, lower)


_CACHE_KEY = ["source", "scheduled", "route", "model_key", "kind", "unit", "dims"]


def _dearer_cache_reads(frame: pl.LazyFrame) -> pl.LazyFrame:
    """The cache read rows of `frame` dearer than their own record's input of their key
    (_CACHE_KEY: source, scheduled, route, model, kind, unit and dimensions), or, where their
    record states none, than the cheapest input of the key. Two records can name one model
    (another vendor's `someorg/gpt-4o` beside `openai/gpt-4o` on OpenRouter, whose ids lose the
    vendor): one's cheaper input is no measure of the other's cache read. The inputs are
    grouped on the key before each join, so duplicates never multiply rows."""
    inputs = frame.filter(pl.col("component") == Component.INPUT.value)
    cheapest = inputs.group_by(_CACHE_KEY).agg(pl.col("value").min().alias("input_value"))
    own = inputs.group_by([*_CACHE_KEY, "record"]).agg(pl.col("value").min().alias("own_input"))
    return (
        frame.filter(pl.col("component") == Component.CACHE_READ.value)
        .join(cheapest, on=_CACHE_KEY, how="inner")
        .join(own, on=[*_CACHE_KEY, "record"], how="left")
        .filter(pl.col("value") > pl.coalesce("own_input", "input_value"))
    )


def _passing(frame: pl.LazyFrame, failing: pl.LazyFrame) -> pl.LazyFrame:
    """One verdict per row of `frame`, in its order: false for the rows (by row number) in
    `failing`."""
    failed = failing.select("row").unique().with_columns(failed=pl.lit(True))
    joined = frame.select("row").join(failed, on="row", how="left", maintain_order="left")
    return joined.select(pl.col("failed").is_null())


def frame_value(value: Decimal) -> Decimal | None:
    """`value` at the frame's scale (rounded where it needs more places: the row is then flagged
    inexact), or None where it cannot be held at all: not finite, or 10^18 or more. Bounded: no
    stated exponent or length makes this raise or build a large number."""
    if not value.is_finite() or value.adjusted() >= INTEGER_DIGITS:
        return None
    framed = value.quantize(QUANTUM, context=_FRAME_CONTEXT)
    return None if framed.adjusted() >= INTEGER_DIGITS else framed  # rounded up to 10^18


class _Framed(dict[Decimal, "Decimal | None"]):
    """`frame_value` of each value by value, worked out once per distinct value (a batch of
    ~10^5 states ~10^3). Equal values frame alike (the quantum, not the stated exponent, sets
    the result's); zero is framed each time: -0 equals 0 but keeps its sign."""

    def __missing__(self, value: Decimal) -> Decimal | None:
        framed = frame_value(value)
        if value:
            self[value] = framed
        return framed


class _FixedText(dict[Decimal, str]):
    """A framed value's fixed-point text (`format(value, "f")`) by value, formatted once per
    distinct value (all framed values share one exponent, so equal ones format alike); zero
    each time, for its sign."""

    def __missing__(self, value: Decimal) -> str:
        text = format(value, "f")
        if value:
            self[value] = text
        return text


def value_text(value: Decimal) -> str:
    """A stated value as text for a report, bounded in length whatever its exponent."""
    if value.is_finite() and -PRECISION <= value.adjusted() < INTEGER_DIGITS:
        return decimal_text(value)
    return str(value)


_COLUMNS = [
    operator.attrgetter(name)
    for name in (
        *("source", "scheduled", "route", "model", "source_model", "kind", "component", "unit"),
        *("dimensions.key", "value", "record"),
    )
]


def to_frame(observations: Sequence[Observation], values: Sequence[Decimal]) -> pl.DataFrame:
    """The batch as columns; the context tier is split from the dimensions by polars. `values`
    are the observations' values at the frame's scale (`frame_value`, none of them None:
    `validate` sets the others aside first)."""
    # Each column read in C (attrgetter over the records): a list built per column in Python
    # cost seconds at 10^6 observations.
    (
        sources,
        scheduled,
        routes,
        models,
        source_models,
        kinds,
        components,
        units,
        dims,
        stated,
        records,
    ) = (list(map(column, observations)) for column in _COLUMNS)
    known = pl.Series(models, dtype=pl.String)
    named = pl.Series(source_models, dtype=pl.String)
    frame = pl.DataFrame(
        {
            "source": sources,
            "record": records,
            "scheduled": scheduled,
            "route": routes,
            # the vocabulary's members are text (StrEnum): read as their values
            "kind": kinds,
            "component": components,
            "unit": units,
            "dims": dims,
            # as fixed-point text: polars reads it exactly and ~5x faster than Decimal objects
            "value": pl.Series(list(map(_FixedText().__getitem__, values)), dtype=pl.String).cast(
                DECIMAL
            ),
            "exact": list(map(operator.eq, values, stated)),
        },
        schema_overrides={
            **{
                name: pl.String
                for name in ("source", "record", "route", "kind", "component", "unit", "dims")
            },
            "scheduled": pl.Boolean,
        },
    ).with_columns(
        # a name no known model maps to (model None, or empty) is keyed by the source's own
        # name for it, marked '?'
        model_key=pl.when(pl.lit(known).fill_null("") == "")
        .then(pl.lit("?") + pl.lit(named))
        .otherwise(pl.lit(known)),
        # a record without an id of its own is named by the source's name for its model
        record=pl.when(pl.col("record") == "").then(pl.lit(named)).otherwise(pl.col("record")),
    )
    tier = pl.col("dims").str.extract(f"{_CONTEXT}([^;]*)", 1)
    return frame.with_row_index("row").with_columns(
        pl.col("row").cast(pl.Int64),
        base_dims=pl.col("dims").str.replace(f";?{_CONTEXT}[^;]*", "").str.strip_chars_start(";"),
        context_above=pl.when(tier.is_null())
        .then(0)
        .otherwise(tier.cast(pl.Int64, strict=False).fill_null(-1)),
    )


OUT_OF_RANGE = "out_of_range"  # the rule a value the frame cannot hold breaks


def validate(observations: Sequence[Observation]) -> tuple[list[Observation], list[Problem]]:
    """Split a batch into valid observations and problems (one per failing row, every rule).

    Never raises on what a source stated: a value the frame cannot hold (not finite, 10^18 or
    more) is the problem `out_of_range`; a check that rejects the frame as a whole (no row to
    blame) sets every row aside with that check's name. Scheduled prices (Observation.scheduled:
    a later price of a field the batch also states as current) are checked apart from the
    current ones (`scheduled` is part of every key), so a field's current and scheduled price
    are not one key stated twice.
    """
    valid, problems, _ = _validate(observations)
    return valid, problems


def validate_by_source(
    observations: Sequence[Observation],
) -> dict[str, tuple[list[Observation], list[Problem]]]:
    """Several sources' observations validated in one frame: for each source, the (valid,
    problems) `validate` of its own observations gives, in the same order. Every check keys on
    the source (uniqueness, the cache-read and tier checks group by it; the others judge one
    row), so a row's verdict does not depend on the other sources' rows; one frame saves the
    fixed cost of a Pandera pass per source.

    Where a check rejects the frame as a whole (no row to blame), no source is judged by the
    others' rows: each is validated on its own. An error validating the frame is raised (the
    caller validates each source apart, catalog/intake.py).
    """
    # the sources in order of first appearance, read in C
    sources = list(dict.fromkeys(map(_SOURCE, observations)))
    valid, problems, whole_frame = _validate(observations)
    if whole_frame and len(sources) > 1:
        by_source: dict[str, list[Observation]] = {s: [] for s in sources}
        for source, run in groupby(observations, _SOURCE):
            by_source[source].extend(run)
        return {source: validate(found) for source, found in by_source.items()}
    split: dict[str, tuple[list[Observation], list[Problem]]] = {s: ([], []) for s in sources}
    # a batch holds each source's rows together: a run of one source is moved in one step
    for source, run in groupby(valid, _SOURCE):
        split[source][0].extend(run)
    for problem in problems:
        split[problem.source][1].append(problem)
    return split


_SOURCE = operator.attrgetter("source")
_MODEL = operator.attrgetter("model")
_VALUE = operator.attrgetter("value")


def _validate(
    observations: Sequence[Observation],
) -> tuple[list[Observation], list[Problem], bool]:
    framed = list(map(_Framed().__getitem__, map(_VALUE, observations)))
    values = [q for q in framed if q is not None]
    fits: Sequence[Observation] = observations
    problems: list[Problem] = []
    if len(values) < len(framed):  # values the frame cannot hold (rare): set aside first
        fits = [o for o, q in zip(observations, framed, strict=True) if q is not None]
        problems = [
            _problem(o, [OUT_OF_RANGE])
            for o, q in zip(observations, framed, strict=True)
            if q is None
        ]
    if not fits:
        return [], problems, False
    try:
        ObservationBatch.validate(to_frame(fits, values), lazy=True)
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases
    else:
        return list(fits), problems, False
    rules, whole = _rules(failures, len(fits))
    if not whole:
        rules = _rejudged_without_own_failures(fits, values, rules)
    valid = [o for i, o in enumerate(fits) if i not in rules]
    twins = _stated_twice(fits, rules)
    problems += [
        _problem(fits[i], sorted(set(found)), twins.get(i, ""))
        for i, found in sorted(rules.items())
    ]
    return valid, problems, whole


# The checks that judge a row by the other rows of its source (a field stated twice, a cache
# read dearer than its input and the cache writes beside it, a 1-hour cache write below the
# 5-minute one, a context tier below the one beneath it). A row failing any
# other check fails on its own.
UNIQUENESS = "multiple_fields_uniqueness"  # Pandera's name for the check of `Config.unique`
ACROSS_ROWS = frozenset(
    {
        UNIQUENESS,
        "cache_read_le_input",
        "cache_write_beside_dearer_read",
        "cache_lifetimes_ascending",
        "tiers_ascending",
    }
)
# The rule a source breaks stating one field (KEY: its route, model, measure; current or
# scheduled) with two values, e.g. two of its ids that name one model (a dated id and its alias,
# a reseller's id beside the vendor's): which one it means cannot be told, so each statement is
# quarantined as the source's problem, naming every id and value, and none of them becomes a
# value, a stamp or a review item's evidence (its other fields and the other sources' statements
# of the field go on as usual). A value stated twice alike was kept once (catalog/normalize.py).
STATED_TWICE_RULE = "stated twice with different values"
TWINS_NAMED = 5  # statements of one field named in a problem's detail; the rest counted


def _rules(failures: pl.DataFrame, rows: int) -> tuple[dict[int, list[str]], bool]:
    """Each failing row's rules (by its place in the frame), and whether a check rejected the
    frame as a whole (no row to blame: every row gets its name)."""
    rules: dict[int, list[str]] = defaultdict(list)
    whole = False
    for case in failures.iter_rows(named=True):
        index = case["index"]
        whole = whole or index is None
        for row in range(rows) if index is None else [int(index)]:
            rules[row].append(str(case["check"]))
    return rules, whole


def _group(obs: Observation) -> tuple[object, ...]:
    """The rows a check across rows compares a row with lie within this group (every such
    check keys on these columns and more; `model_key` as to_frame makes it)."""
    model = obs.model or f"?{obs.source_model}"
    return (obs.source, obs.scheduled, obs.route, model, obs.kind, obs.unit)


def _rejudged_without_own_failures(
    fits: Sequence[Observation], values: Sequence[Decimal], rules: dict[int, list[str]]
) -> dict[int, list[str]]:
    """`rules` with the checks across rows judged again without the rows that fail a check of
    their own (a negative price, one beyond its unit's maximum): such a row is quarantined for
    its own rule, and is no value another row of its field is stated twice against or a cache
    read is dearer than. Only the groups (`_group`) of rows that failed a check across rows
    alone are judged again, every row of them (a field stated once, a tier below no dearer; a
    cache read whose own record's input is removed is judged against the key's cheapest input
    instead): no row outside them has a row removed beside it."""
    own = {i for i, found in rules.items() if not ACROSS_ROWS.issuperset(found)}
    across = {i for i, found in rules.items() if i not in own}
    if not own or not across:
        return rules
    groups = {_group(fits[i]) for i in across}
    if not groups & {_group(fits[i]) for i in own}:
        return rules
    # A row's group can be one of them only if its model key is (read in C; a row without a
    # model is keyed by its source's name for it, and judged in full)
    models = {group[3] for group in groups}
    again = [
        i
        for i, (o, model) in enumerate(zip(fits, map(_MODEL, fits), strict=True))
        if (model in models or not model) and i not in own and _group(o) in groups
    ]
    rejudged: dict[int, list[str]] = {}
    try:
        ObservationBatch.validate(
            to_frame([fits[i] for i in again], [values[i] for i in again]), lazy=True
        )
    except pa.errors.SchemaErrors as exc:
        found, whole = _rules(exc.failure_cases, len(again))
        if whole:
            return rules
        rejudged = {again[row]: checks for row, checks in found.items()}
    kept = {i: [r for r in found if r not in ACROSS_ROWS] for i, found in rules.items() if i in own}
    return {**kept, **rejudged}


def _field_key(obs: Observation) -> tuple[object, ...]:
    """The batch's key (KEY) of the field `obs` states, `model_key` as to_frame makes it."""
    model = obs.model or f"?{obs.source_model}"
    return (
        *(obs.source, obs.scheduled, obs.route, model, obs.kind, obs.component, obs.unit),
        obs.dimensions.key,
    )


def _stated_twice(fits: Sequence[Observation], rules: dict[int, list[str]]) -> dict[int, str]:
    """For each row quarantined as stated twice (its final rules hold UNIQUENESS), what its
    source states of that field: each statement's record (or source id) and value, sorted by
    value then record, e.g. 'modelsdev states it 2 times: alibaba-cn/deepseek-r1-0528 131072,
    alibaba-cn/siliconflow/deepseek-r1-0528 163840'. A record named twice is told apart by its
    evidence. Only the rows judged stated twice are named (a row set aside for a check of its
    own is no twin, `_rejudged_without_own_failures`)."""
    twins: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for i, found in rules.items():
        if UNIQUENESS in found:
            twins[_field_key(fits[i])].append(i)
    named: dict[int, str] = {}
    for rows in twins.values():
        stated = sorted(
            (fits[i].value, fits[i].record or fits[i].source_model, fits[i].evidence) for i in rows
        )
        names = Counter(name for _, name, _ in stated)
        parts = [
            f"{name} {value_text(value)}" + (f" ({evidence})" if names[name] > 1 else "")
            for value, name, evidence in stated[:TWINS_NAMED]
        ]
        if len(stated) > TWINS_NAMED:
            parts.append(f"and {len(stated) - TWINS_NAMED} more")
        text = f"{fits[rows[0]].source} states it {len(stated)} times: {', '.join(parts)}"
        named.update(dict.fromkeys(rows, text))
    return named


def _problem(obs: Observation, rules: list[str], twins: str = "") -> Problem:
    """A quarantined row as a problem: its rules (Pandera's uniqueness check read as
    STATED_TWICE_RULE), the value it states and, stated twice, `twins` (`_stated_twice`)."""
    dims = obs.dimensions.key
    named = sorted(STATED_TWICE_RULE if rule == UNIQUENESS else rule for rule in rules)
    return Problem(
        source=obs.source,
        record=obs.record or obs.source_model,
        rule=", ".join(named),
        detail=(
            f"{obs.kind.value} {obs.component.value}{f' [{dims}]' if dims else ''} = "
            f"{value_text(obs.value)} {obs.unit.value} ({obs.evidence})"
            + (f"; {twins}" if twins else "")
        ),
        observation=obs,
    )
