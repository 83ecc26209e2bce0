"""Each source's records → its valid observations and its problems, under one boundary per source.

Whatever one source's bytes contain, only that source can fail: its normalizer, the identity of
its names and the validation of its batch (the Pandera gate and its set-based checks) run
inside `boundary`, which turns any exception into that source's failure with its reason, and
the other sources go on. Pure: no I/O.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache, partial
from itertools import chain
from operator import attrgetter
from typing import Protocol, TypeVar

from catalog.health import (
    AGREEING,
    COLLAPSE_RATIO,
    IN_FORCE,
    RESCALE_MODELS,
    RESCALE_PAIRS,
    PriceKey,
    Statements,
    agrees,
    power_of_ten,
    price_key,
    prices_by_field,
    reference_for,
    rescaled,
    validation_collapse,
)
from catalog.identity import Identity, OfficialScopes
from catalog.normalize import (
    UNREADABLE_RULE,
    SourceDrafts,
    draft_source,
    learn_official_models,
    named_models,
    observations,
)
from catalog.plausibility import LIMIT_JUMP, implausible, jumped, limit_jumped
from schemas.batch import validate, validate_by_source
from schemas.fetch import (
    HEADERLESS_RULE,
    MODEL_UNKNOWN_RULE,
    NO_MODEL_ID_RULE,
    NO_MODEL_NAMED_RULE,
    PAGES_SHIFTED_RULE,
    UNKNOWN_KEY_RULE,
    UNLISTED_GROUP_RULE,
    ZERO_RATES_RULE,
    FetchedPage,
    record_table,
)
from schemas.field import Dims, Measure
from schemas.records import Observation, Problem
from schemas.sources import Source, is_official
from schemas.vocab import DIMENSION_VALUES, Component, Dim, Kind, Unit

T = TypeVar("T")
CUT_ROWS_NAMED = 3  # rows without their header named in a listing's reason; the rest counted

# Members read once: on Python 3.11 `Kind.PRICE` is a metaclass lookup, ~10x a global's cost,
# and these are asked per observation.
_PRICE = Kind.PRICE


@dataclass
class SourceIntake:
    """What one source's records became. `failure` is '' unless the source failed: then
    nothing of it is applied, and `problems` are kept (quarantined) but open no review items.
    `named`: (route, model) of the known models its records read with a problem name
    (catalog/normalize.py `named_models`): listed this run, though no value of theirs may be;
    `unread`: those of them that records nothing could be read from name."""

    source: str
    valid: list[Observation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failure: str = ""
    named: set[tuple[str, str]] = field(default_factory=set)
    unread: set[tuple[str, str]] = field(default_factory=set)
    # Why its listing is not complete though its values apply ('' when it is): records that
    # stand for models it lists and ratecard cannot name (UNLISTED_GROUP_RULE, HEADERLESS_RULE),
    # responses refused whole (catalog/normalize.py `refused_responses`).
    incomplete: str = ""
    # The problems of its responses refused whole: quarantined, opening no review item each.
    rejected: list[Problem] = field(default_factory=list)


def boundary(stage: str, step: Callable[[], T]) -> tuple[T | None, str]:
    """Run one source's step; any exception becomes (None, '<stage> error: <type>: <message>')."""
    try:
        return step(), ""
    except Exception as exc:
        return None, f"{stage} error: {type(exc).__name__}: {exc}"


def normalize_each(
    pages: Mapping[str, Sequence[FetchedPage]],
    configured: Mapping[str, Source],
    in_part: Collection[str] = (),
) -> tuple[list[SourceDrafts], dict[str, str]]:
    """Each source's normalizer over its pages: the drafts of those that could be read, and a
    failure reason for each that could not. `in_part`: the sources some of whose responses gave
    no evidence this run (their statements stand: catalog/normalize.py `draft_source`)."""
    drafts: list[SourceDrafts] = []
    failures: dict[str, str] = {}
    for source, found in pages.items():
        read, failure = boundary(
            "normalize", partial(draft_source, configured[source], found, source in in_part)
        )
        if read is None:
            failures[source] = failure
        else:
            drafts.append(read)
    return drafts, failures


def validate_each(
    drafts: Sequence[SourceDrafts],
    identity: Identity,
    before: Mapping[str, Mapping[PriceKey, Decimal]] | None = None,
    unread: Sequence[SourceDrafts] = (),
    in_force: Mapping[PriceKey, Decimal] | None = None,
    standing: Mapping[str, Sequence[Observation]] | None = None,
    last_limits: Mapping[str, Mapping[PriceKey, Decimal]] | None = None,
    last_judged: Mapping[str, Sequence[Problem]] | None = None,
) -> list[SourceIntake]:
    """Identity and validation, source by source. First every official source's models become
    known (so secondary sources' names map to them), then each source's batch is validated on
    its own; a source most of whose statements are invalid has collapsed and fails, as does one
    most of whose prices moved by one power of ten from `before` (each source's prices in its
    last applied run, catalog.runlog.last_prices) or from `in_force` (the catalog's prices in
    force by field, catalog.runlog.prices_in_force) or, for fields the catalog does not price,
    from what most other sources state: a rescaled listing (catalog.health).

    `unread`: the drafts of sources not read this run (confirmed unchanged, or a failed
    source's last applied responses), not validated here: their statements teach identity
    beside the others', as on a run that reads every source, so that a source read alone maps
    its names as it would among them (dated ids a source prices apart in a statement it then
    quarantines are decided alike).

    `standing`: by partial source, its last applied statements through the URLs that gave no
    evidence this run (flows/refresh.py `standing_in`). Its collapse is judged over them beside
    what it read, as a run reading all of it would judge it: one listing of two failing left an
    Azure region's four meters, none a model's price, judged as the whole source.

    `last_limits`: the token limits each source stated in its last applied run, by source and
    field (catalog.runlog.last_limits), what a block of its limits moved onto another limit's
    value is judged against (`limits_at_another`).

    `last_judged`: by source, its prices its last applied run set aside by a rule judged in
    context (store.last_set_aside, RESTATED_RULES): one stated again alike is set aside again
    (`_set_aside_again`).
    """
    failures: dict[str, str] = {}
    learn = partial(learn_official_models, identity, prices_in_force=in_force)
    _, failure = boundary("identity", partial(learn, [*drafts, *unread]))
    if failure:
        # Learning is judged over every source's statements at once (catalog.identity); only
        # when that breaks is it retried source by source, to name the source that breaks it.
        for batch in [*drafts, *unread]:
            _, failure = boundary("identity", partial(learn, [batch]))
            if failure:
                failures[batch.source.id] = failure
    readable = [batch for batch in drafts if batch.source.id not in failures]
    found: dict[str, list[Observation]] = {}
    named: dict[str, tuple[set[tuple[str, str]], set[tuple[str, str]]]] = {}
    for batch in readable:
        mapped, failure = boundary("validate", partial(_mapped, batch, identity))
        if mapped is None:
            failures[batch.source.id] = failure
        else:
            found[batch.source.id], named_here, unread_here = mapped
            named[batch.source.id] = (named_here, unread_here)
    # One Pandera pass over every source's rows (each row's verdict keys on its source); if
    # that pass raises, each source is validated apart, so only the one that breaks it fails.
    verdicts, _ = boundary(
        "validate", partial(validate_by_source, [o for f in found.values() for o in f])
    )
    stated: list[Statements] = []  # built once

    def each_stated() -> Statements:
        if not stated:
            stated.append(Statements({s: prices_by_field(f) for s, f in found.items()}))
        return stated[0]

    limits: dict[str, Mapping[PriceKey, Decimal]] = {}

    def each_limit() -> Mapping[str, Mapping[PriceKey, Decimal]]:
        if not limits:
            limits.update((s, token_limits_by_field(f)) for s, f in found.items())
        return limits

    # The vendors' own prices judge a reseller's fields only once every vendor route's
    # official source is judged, and only those of the sources judged sound: a vendor's own
    # slip (its page rescaled) judges no reseller's right price.
    vendor_prices: list[Mapping[PriceKey, Decimal]] = []  # found once
    vendors_judged: dict[str, SourceIntake] = {}

    def vendors() -> Mapping[PriceKey, Decimal]:
        if not vendors_judged:
            return {}
        if not vendor_prices:
            sound = {
                s: p
                for s, p in each_stated().items()
                if s not in vendors_judged or not vendors_judged[s].failure
            }
            vendor_prices.append(prices_of_vendors(sound, identity.same_price))
        return vendor_prices[0]

    anywhere: list[Statements] = []  # built once

    def stated_anywhere() -> Statements:
        """What each source read states, and each source not read (`unread`: confirmed
        unchanged, its bytes those it last sent) as it last stated it."""
        if not anywhere:
            every = dict(each_stated())
            for batch in unread:
                if batch.source.id not in every:
                    held = observations(batch, identity)
                    every[batch.source.id] = prices_by_field(held)
            anywhere.append(Statements(every))
        return anywhere[0]

    def judged(batch: SourceDrafts, doubted: Set[DoubtedScope]) -> SourceIntake:
        if batch.source.id in failures:
            return SourceIntake(
                batch.source.id,
                problems=batch.problems + batch.refused_problems,
                failure=failures[batch.source.id],
            )
        return _judge_one(
            batch,
            found[batch.source.id],
            (before or {}).get(batch.source.id, {}),
            (standing or {}).get(batch.source.id, ()),
            verdicts.get(batch.source.id, ([], [])) if verdicts is not None else None,
            *named[batch.source.id],
            partial(rescaled_response, in_force=in_force, stated=each_stated, vendors=vendors),
            partial(slipped, in_force=in_force or {}, stated=stated_anywhere, vendors=vendors),
            partial(
                off_official_scopes,
                scopes=identity.scopes,
                official=batch.source.is_official,
                in_force=in_force or {},
                doubted=doubted,
            ),
            partial(
                _limits_set_aside,
                stated=each_limit,
                last=(last_limits or {}).get(batch.source.id, {}),
            ),
            partial(
                _set_aside_again,
                last=(last_judged or {}).get(batch.source.id, ()),
                in_force=in_force or {},
                stated=stated_anywhere,
            ),
        )

    # Official sources first: a deployment's price their own judgment sets aside judges no
    # secondary's price (off_official_scopes), the others after them; of them, those that
    # speak for a vendor route first (`vendors`).
    official = [b for b in drafts if b.source.official_for]
    speak = [b for b in official if b.source.official_for & identity.same_price.keys()]
    first = {b.source.id: judged(b, frozenset()) for b in speak}
    vendors_judged.update(first)
    first.update(
        (b.source.id, judged(b, frozenset())) for b in official if b.source.id not in first
    )
    doubted = doubted_scopes(first.values())
    return [first[b.source.id] if b.source.id in first else judged(b, doubted) for b in drafts]


def prices_of_vendors(
    stated: Mapping[str, Mapping[PriceKey, Decimal]], same_price: Mapping[str, Sequence[str]]
) -> dict[PriceKey, Decimal]:
    """By reseller field, the price its vendor's own source states: `stated` is each source's
    prices by field this run (PriceKey: route, model, component, unit, dimensions),
    `same_price` each vendor route's resellers (data/aliases/same_price.json: a reseller passes
    the vendor's list prices through). A field of a vendor route stated by the source official
    for that route, at a value another source states too, gives its value to the same field
    of each reseller route: the vendor's word alone judges no reseller (its own page slipped,
    with nothing to judge it by, would set aside the reseller's right prices)."""
    official: dict[PriceKey, Decimal] = {}
    seconded: set[tuple[PriceKey, Decimal]] = set()
    for source, prices in stated.items():
        for key, value in prices.items():
            if key[0] not in same_price:
                continue
            if is_official(source, key[0]):
                official.setdefault(key, value)
            else:
                seconded.add((key, value))
    return {
        (reseller, *key[1:]): value
        for key, value in official.items()
        if (key, value) in seconded
        for reseller in same_price[key[0]]
    }


def _mapped(
    batch: SourceDrafts, identity: Identity
) -> tuple[list[Observation], set[tuple[str, str]], set[tuple[str, str]]]:
    """The batch's observations, the known models its records read with a problem name, and
    those its records nothing could be read from name."""
    return (
        observations(batch, identity),
        named_models(batch, identity),
        named_models(batch, identity, unread=True),
    )


class _SlippedBy(Protocol):
    """`slipped` with the run's references bound (in force, what the other sources state)."""

    def __call__(
        self,
        valid: Sequence[Observation],
        before: Mapping[PriceKey, Decimal],
        *,
        set_aside: Sequence[Observation],
    ) -> list[Problem]: ...


def _judge_one(
    batch: SourceDrafts,
    found: list[Observation],
    before: Mapping[PriceKey, Decimal],
    standing: Sequence[Observation],
    verdict: tuple[list[Observation], list[Problem]] | None,
    named: set[tuple[str, str]],
    unread: set[tuple[str, str]],
    rescaled_by: Callable[[Sequence[Observation], Mapping[PriceKey, Decimal]], str],
    slipped_by: _SlippedBy,
    off_by: Callable[[Sequence[Observation]], list[Problem]],
    limits_by: Callable[[Sequence[Observation]], list[Problem]],
    again_by: Callable[[Sequence[Observation]], list[Problem]] = lambda _: [],
) -> SourceIntake:
    """One source's validated observations (`verdict`, or validated here when None) judged
    whole: a collapsed or rescaled listing (or response: `rescaled_by`, `rescaled_response`
    with the run's references), or one read with its input and output swapped
    (`swapped_listing`), fails the source. `named`: the models its records read with a
    problem name (`unread`: nothing could be read from them), kept if it does not. `standing`:
    what the source last stated through its URLs that gave no evidence, counted valid beside
    what it read in judging a collapse (`validate_each`). `again_by`: the prices set aside
    again as last judged (`_set_aside_again`), with the problem they were last set aside for
    where a rule of this run would set them aside too."""
    source = batch.source.id

    def step() -> SourceIntake:
        valid, problems = verdict if verdict is not None else validate(found)
        problems = batch.problems + problems
        zeroed = sum(p.rule == ZERO_RATES_RULE for p in batch.problems)
        # Unreadable records count too: a source whose format changed under the parser reads
        # as nothing valid, and must not pass for a complete listing of nothing.
        collapse = validation_collapse(
            _by_kind([*found, *standing]),
            _by_kind([*valid, *standing]),
            unreadable=len(batch.problems),
            zero_prices=sum(o.kind is _PRICE and o.value == 0 for o in [*valid, *standing])
            + zeroed,
            quarantined_fields=sum(
                p.field is not None and p.rule != UNKNOWN_KEY_RULE for p in batch.problems
            ),
        )
        # Every response read refused whole (some stood in part: `draft_source`): nothing read.
        refused = "; ".join(batch.refused.values()) if not batch.drafts else ""
        failure = refused or collapse or rescaled_by(valid, before) or swapped_listing(valid)
        if failure:
            return SourceIntake(source, problems=problems + batch.refused_problems, failure=failure)
        validated_aside = [p.observation for p in problems if p.observation is not None]
        slips = slipped_by(valid, before, set_aside=validated_aside) + off_by(valid)
        slips += limits_by(valid)
        # a price set aside again as last judged keeps the problem it was set aside for (the
        # anomaly reporting it stays as it was), whatever rule would judge it anew
        again = again_by(valid)
        judged_again = {id(p.observation) for p in again}
        if slips := [p for p in slips if id(p.observation) not in judged_again] + again:
            aside = {id(p.observation) for p in slips}
            valid = [o for o in valid if id(o) not in aside]
            problems = problems + slips
        # A value validation set aside is read but not usable: the source named its model, and
        # the field stands as last stated (flows/refresh.py `unstated`), not as withdrawn.
        set_aside = {
            (p.observation.route, p.observation.model)
            for p in problems
            if p.observation is not None and p.observation.model is not None
        }
        incomplete = "; ".join(filter(None, [unlisted(problems), *batch.refused.values()]))
        return SourceIntake(
            source,
            valid,
            problems,
            named=named | set_aside,
            unread=unread,
            incomplete=incomplete,
            rejected=batch.refused_problems,
        )

    intake, failure = boundary("validate", step)
    return (
        intake
        if intake is not None
        else SourceIntake(source, problems=batch.problems + batch.refused_problems, failure=failure)
    )


_NAMELESS_RULES = frozenset(
    {NO_MODEL_ID_RULE, UNREADABLE_RULE, NO_MODEL_NAMED_RULE, MODEL_UNKNOWN_RULE}
)


def unlisted(problems: Sequence[Problem]) -> str:
    """Why a source's listing is incomplete ('' when it is not): the records that stand for
    models it lists and ratecard cannot name: groups of them (UNLISTED_GROUP_RULE, e.g. a
    models.dev provider whose `models` is of another shape), and pricing-page rows cut off from
    their header (HEADERLESS_RULE: a table split by a banner; the first CUT_ROWS_NAMED named,
    all counted), and records a paged listing gave twice (PAGES_SHIFTED_RULE: as many may have
    slipped past its pages; named and counted so), and a listing's model records without a
    readable id (NO_MODEL_ID_RULE) or of a shape no reader expects (UNREADABLE_RULE: an entry
    double-encoded as a JSON string, a null; a fault round's five OpenRouter entries so for
    three days proposed removing five models still listed), and pricing-page rows of no model
    or an unknown one (NO_MODEL_NAMED_RULE, MODEL_UNKNOWN_RULE: a Gemini section's id line
    lost closed two anomalies quoting its model's prices as no longer raised, and on the third
    day proposed the model missing); counted. Their models are not
    absent: counted absent, three such runs would propose removing every one of them. A row
    under a header without a Model column (a tool's price) names no model and leaves the
    listing complete."""
    groups = sorted({p.record for p in problems if p.rule == UNLISTED_GROUP_RULE})
    cut = sorted({p.record for p in problems if p.rule == HEADERLESS_RULE})
    shifted = sorted({p.record for p in problems if p.rule == PAGES_SHIFTED_RULE})
    nameless = Counter(p.rule for p in problems if p.rule in _NAMELESS_RULES)
    reasons = [f"{UNLISTED_GROUP_RULE}: {', '.join(groups)}"] if groups else []
    for rule, count in sorted(nameless.items()):
        reasons.append(f"{rule}: {count} record{'s' if count > 1 else ''}")
    if shifted:
        named = "; ".join(shifted[:CUT_ROWS_NAMED])
        named += "; ..." if len(shifted) > CUT_ROWS_NAMED else ""
        reasons.append(f"{PAGES_SHIFTED_RULE}: {len(shifted)} given on two pages ({named})")
    if cut:
        named = "; ".join(cut[:CUT_ROWS_NAMED]) + ("; ..." if len(cut) > CUT_ROWS_NAMED else "")
        reasons.append(f"{HEADERLESS_RULE}: {len(cut)} rows ({named})")
    return f"listing incomplete: {'; '.join(reasons)}" if reasons else ""


def _by_kind(observations: Sequence[Observation]) -> dict[str, int]:
    """How many statements of each kind (by its value: 'price', 'limit'...)."""
    counts = Counter(map(_KIND, observations))  # counted by member, in C
    return {kind.value: count for kind, count in counts.items()}


_KIND = attrgetter("kind")


SLIPPED_RULE = "moved by a power of ten"
LIMITS_RESCALED_RULE = "token limits rescaled"
_LIMIT = Kind.LIMIT
_TOKENS = Unit.TOKENS


def _limits_set_aside(
    valid: Sequence[Observation],
    stated: Callable[[], Mapping[str, Mapping[PriceKey, Decimal]]],
    last: Mapping[PriceKey, Decimal],
) -> list[Problem]:
    """A source's token limits set aside as a block: swapped windows and output limits
    (`limits_swapped`), then, of the others, those rescaled (`limits_rescaled`); then, one
    record at a time, a window far below its own record's output limit (`limits_below_output`:
    a block in thousands is the block rule's); then those moved from what it `last` stated
    onto another limit's value (`limits_at_another`)."""
    swapped = limits_swapped(valid)
    aside = {id(p.observation) for p in swapped}
    rescaled = limits_rescaled([o for o in valid if id(o) not in aside], stated)
    aside |= {id(p.observation) for p in rescaled}
    below = limits_below_output([o for o in valid if id(o) not in aside])
    aside |= {id(p.observation) for p in below}
    rest = [o for o in valid if id(o) not in aside]
    return swapped + rescaled + below + limits_at_another(rest, last)


LIMIT_BELOW_OUTPUT_RULE = "a window below its own output limit"


def limits_below_output(valid: Sequence[Observation]) -> list[Problem]:
    """A record's context window or most-input-token limit LIMIT_JUMP-fold or more below the
    most output tokens the same record states (one response, record, route, model and
    dimensions): the window is in thousands of tokens, since no model answers a hundred times
    more than it reads (a fault probe: OpenRouter's minimax-m3 `context_length` 1048 beside its
    `max_completion_tokens` 512000 entered verified on a first load and was proposed in a new
    model's item; the block rule, `limits_rescaled`, needs most of a route's limits so
    written). Set aside alone (LIMIT_BELOW_OUTPUT_RULE: an anomaly to review), the record's
    output limit and other fields kept. No recorded record states one so (the nearest,
    models.dev's, state the output limit above the window less than tenfold); a source's
    output limit a little above its window is `limits_swapped`'s to judge as a block."""
    stated: dict[tuple[str, str, str, str, str], dict[Component, Observation]] = defaultdict(dict)
    for obs in valid:
        if obs.kind is _LIMIT and obs.unit is _TOKENS and obs.component in _TOKEN_LIMITS:
            key = (obs.url, obs.record, obs.route, obs.source_model, obs.dimensions.key)
            stated[key][obs.component] = obs
    problems: list[Problem] = []
    for limits in stated.values():
        output = limits.get(_OUTPUT)
        if output is None:
            continue
        for component in (_WINDOW, Component.MAX_INPUT_TOKENS):
            window = limits.get(component)
            if window is not None and window.value and output.value >= window.value * LIMIT_JUMP:
                problems.append(
                    _set_aside(
                        window,
                        LIMIT_BELOW_OUTPUT_RULE,
                        f"{window.measure.text()} = {window.value} {window.unit.value}: "
                        f"{LIMIT_JUMP}-fold or more below the {output.value} most output "
                        "tokens its record states (a window in another unit, or a slip)",
                    )
                )
    return problems


LIMITS_AT_ANOTHER_RULE = "at another limit's value"
_TOKEN_LIMITS = (Component.CONTEXT_WINDOW, Component.MAX_INPUT_TOKENS, Component.MAX_OUTPUT_TOKENS)
_WINDOW = Component.CONTEXT_WINDOW
_WINDOW_TEXT = _WINDOW.value


def limits_at_another(
    valid: Sequence[Observation], last: Mapping[PriceKey, Decimal]
) -> list[Problem]:
    """A source's token limits of one component that moved from what the source itself last
    stated of the field (`last`, catalog.runlog.last_limits; a difference from another
    source's value in force is no move of this one's) to exactly the value of another token
    limit of the same model and dimensions, as it last stated it or states it now (a
    most-input-token limit to its model's most output tokens, a window to its input limit),
    across at least SWAP_BLOCK models and most of that component's moved limits in the whole
    response: one key's values copied over another's (a fault round from public
    reports: LiteLLM's map with every `max_input_tokens` at its `max_output_tokens` opened 592
    approvable limit changes onto an epoch-1 catalog, anthropic/claude-3-opus 200000 -> 4096,
    most of them fields no other source states, so that no majority could hold them; a key
    copied over another's is copied for every provider of the map, the small ones too). Limits
    alike are common in a real listing (every deepinfra model of LiteLLM's states its input
    and output limits as one), so only the move tells it: the prices' `_fields_swapped` for
    limits; and one route's limits moving onto another's value is a real change too (the
    recorded epochs: models.dev's five ovhcloud output limits raised to their windows), so
    the block is the response's, not a route's. Set aside (LIMITS_AT_ANOTHER_RULE: an anomaly
    to review); the fields stand as last stated. Judged against history, so not on a first
    load."""
    if not last:
        return []
    mine = [
        o
        for o in valid
        if o.kind is _LIMIT
        and o.unit is _TOKENS
        and o.model is not None
        and not o.scheduled
        and o.component in _TOKEN_LIMITS
    ]
    stated = {price_key(o): o.value for o in mine}
    moved: Counter[Component] = Counter()
    Moved = list[tuple[Observation, Component, Decimal]]
    found: dict[Component, Moved] = defaultdict(list)
    for o in mine:
        route, model, _, unit, dims = price_key(o)
        own = last.get((route, model, o.component.value, unit, dims))
        if own is None or own == o.value:
            continue
        moved[o.component] += 1
        other = next(
            (
                c
                for c in _TOKEN_LIMITS
                if c is not o.component
                and o.value
                in (
                    last.get(key := (route, model, c.value, unit, dims)),
                    stated.get(key),
                )
            ),
            None,
        )
        if other is not None:
            found[o.component].append((o, other, own))
    problems: list[Problem] = []
    for component, at in found.items():
        if len({o.model for o, _, _ in at}) < SWAP_BLOCK or 2 * len(at) <= moved[component]:
            continue
        why = (
            f"as {len(at)} of the {moved[component]} {component.value} limits it moved are "
            "another limit's (one key's values copied over another's)"
        )
        problems += [
            _set_aside(
                o,
                LIMITS_AT_ANOTHER_RULE,
                f"{o.measure.text()} = {o.value} {o.unit.value}: its {other.value}, "
                f"not its {own}, {why}",
            )
            for o, other, own in at
        ]
    return problems


def token_limits_by_field(observations: Sequence[Observation]) -> dict[PriceKey, Decimal]:
    """A source's token limits (context window, most input or output tokens) by field
    (PriceKey), as `limits_rescaled` compares them."""
    return {
        price_key(o): o.value
        for o in observations
        if o.kind is _LIMIT and o.unit is _TOKENS and o.model is not None
    }


def limits_rescaled(
    valid: Sequence[Observation],
    stated: Callable[[], Mapping[str, Mapping[PriceKey, Decimal]]],
) -> list[Problem]:
    """A source's token limits of one component on one route (a block: OpenRouter's context
    windows) most of which stand LIMIT_JUMP-fold or more off every other source's statement of
    the field (`stated()`: each source's token limits by field, asked only when the source
    states one), across at least RESCALE_MODELS models and against at least AGREEING other
    sources: the block is written in another unit (a fault round: OpenRouter's context lengths
    in thousands of tokens, 131 for 131072, entered verified on a first load, 493 of them, and
    proposed 279 changes after one). Every token limit of the block is set aside
    (LIMITS_RESCALED_RULE: an anomaly to review), those no other source states too (the same
    unit), and the fields stand as last stated. Needing two other sources, a source is never
    judged by one alone, which may be the one rescaled; a source stating the model's context
    window LIMIT_JUMP-fold off the limit, the same way, counts as one (a fault round: LiteLLM's
    OpenAI most-input and most-output limits in thousands, 8 for gpt-4's 8192, entered 96
    limits on a first load, as only models.dev states those two fields)."""
    mine = [o for o in valid if o.kind is _LIMIT and o.unit is _TOKENS and o.model is not None]
    if not mine:
        return []
    source = mine[0].source
    others = [p for s, p in stated().items() if s != source]
    compared: Counter[tuple[str, Component]] = Counter()
    off: dict[tuple[str, Component], list[Observation]] = defaultdict(list)
    against: dict[tuple[str, Component], set[int]] = defaultdict(set)
    for obs in mine:
        key = price_key(obs)
        theirs = [(i, p[key]) for i, p in enumerate(others) if key in p]
        if not theirs or obs.value == 0:
            continue
        block = (obs.route, obs.component)
        compared[block] += 1
        if all(limit_jumped(value, obs.value) for _, value in theirs):
            off[block].append(obs)
            against[block].update(i for i, _ in theirs)
            # a source stating the model's context window LIMIT_JUMP-fold off the same way
            # says so too (LiteLLM's and models.dev's are the only most-input-token limits)
            window = (*key[:2], _WINDOW_TEXT, *key[3:])
            below = theirs[0][1] > obs.value
            against[block].update(
                i
                for i, p in enumerate(others)
                if (theirs_window := p.get(window)) is not None
                and limit_jumped(theirs_window, obs.value)
                and (theirs_window > obs.value) == below
            )
    rescaled_blocks = {
        block
        for block, moved in off.items()
        if 2 * len(moved) > compared[block]
        and len({o.model for o in moved}) >= RESCALE_MODELS
        and len(against[block]) >= AGREEING
    }
    return [
        _set_aside(
            obs,
            LIMITS_RESCALED_RULE,
            f"{obs.measure.text()} = {obs.value} {obs.unit.value}: "
            f"{len(off[block])} of the {compared[block]} {block[1].value} limits of "
            f"{block[0]} other sources state are {LIMIT_JUMP}-fold or more off theirs",
        )
        for obs in mine
        if (block := (obs.route, obs.component)) in rescaled_blocks
    ]


LIMITS_SWAPPED_RULE = "most output limits above their context windows"
_OUTPUT = Component.MAX_OUTPUT_TOKENS


def limits_swapped(valid: Sequence[Observation]) -> list[Problem]:
    """A source's context windows and most-output-token limits of one route swapped (a fault
    round from public reports: a gateway's `context_window` and `max_tokens` exchanged, a
    models.dev provider's `limit.context` and `limit.output`; Vercel's official listing so
    entered 302 limits verified on a first load and proposed 194 changes after one). A
    response can state more output tokens than a model's context window for a few models (the
    recorded world: 78 of models.dev's 4,933 records stating both, 4 of OpenRouter's, 1 of
    Vercel's, never most of a route's), so one such record says nothing; but when of a route's
    records stating the two unlike, at least SWAP_BLOCK and most state the output limit above
    the window (less than LIMIT_JUMP-fold: more is a window in thousands of tokens, the
    rescale rules'), the block is swapped: every window and output limit of those records stating
    them unlike is set aside (LIMITS_SWAPPED_RULE, an anomaly to review), the records that
    look sane in it too (their values are each other's), and the fields stand as last
    stated. Judged within the response, so on a first load too."""
    pairs: dict[tuple[str, str, str, str, str], dict[Component, Observation]] = defaultdict(dict)
    for obs in valid:
        if obs.kind is _LIMIT and obs.component in (_WINDOW, _OUTPUT) and obs.model is not None:
            key = (obs.url, obs.record, obs.route, obs.model, str(obs.dimensions))
            pairs[key][obs.component] = obs
    unlike: dict[str, list[tuple[Observation, Observation]]] = defaultdict(list)
    for both in pairs.values():
        window, output = both.get(_WINDOW), both.get(_OUTPUT)
        if window is not None and output is not None and window.value != output.value:
            unlike[window.route].append((window, output))
    problems: list[Problem] = []
    for route, found in sorted(unlike.items()):
        # an output limit LIMIT_JUMP-fold above its window is a window in another unit (in
        # thousands of tokens: the rescale rules' `limits_rescaled`), not a swap
        above = sum(
            output.value > window.value and not limit_jumped(window.value, output.value)
            for window, output in found
        )
        if above < SWAP_BLOCK or 2 * above <= len(found):
            continue
        statement = (
            f"{above} of the {len(found)} records of {route} stating a context window and a"
            " most-output-token limit unlike state the output limit above the window"
        )
        problems.extend(
            _set_aside(
                obs,
                LIMITS_SWAPPED_RULE,
                f"{obs.measure.text()} = {obs.value} {obs.unit.value}: {statement}",
            )
            for pair in found
            for obs in pair
        )
    return problems


def slipped(
    valid: Sequence[Observation],
    before: Mapping[PriceKey, Decimal],
    in_force: Mapping[PriceKey, Decimal],
    stated: Callable[[], Mapping[str, Mapping[PriceKey, Decimal]]],
    set_aside: Sequence[Observation] = (),
    vendors: Callable[[], Mapping[PriceKey, Decimal]] = dict,
) -> list[Problem]:
    """A source's prices that moved by a power of ten from its own last applied statement of
    the field (`before`), and not from the field's value in force (`in_force`), while another
    source still states that statement's value (`stated()`, asked only then: the sources read
    this run, and those confirmed unchanged as they last stated it): one provider block of a
    listing rescaled (a fault round: models.dev's DeepSeek prices x1000, proposed as
    disagreements beside the other sources' new-model items, which were narrowed without the
    prices; LiteLLM's 70 beside the others' 0.07 joined an open 0.05 -> 0.07 change as one more
    source). Set aside (SLIPPED_RULE: an anomaly to review); the fields stand as last stated. A
    move another source states too is a repricing, not a slip (three secondaries cutting a price
    tenfold while a fourth lags behind). A move from the value in force is the catalog's anomaly
    (catalog/compare.py), and a whole listing rescaled fails its source (`rescaled_response`).
    Where most of one route's prices the source states, or of its ids in one namespace, moved
    so, across at least RESCALE_MODELS models (`_rescaled_blocks`, counting the prices
    validation already set aside, `set_aside`: a block x1000 loses most of its prices to the
    magnitude check, fault round 51), each is set aside though no other source states its old
    value. A source that states a
    field at a power of ten from the others' all along (Portkey's minimax.json) did not move:
    that is its disagreement, reviewed as such. A price outside its unit's band is left to
    plausibility's rule (catalog/plausibility.py: "implausible for unit").

    A price of a field the source has no history of (a first load, a provider block new to
    it) is judged against the reference instead (`_rescaled_without_history`), a route's
    official price of 0 beside other sources' prices is set aside (`_zero_beside_others`), and
    so are a discounted table restating the standard prices (`_discounts_at_standard`) and two
    columns' headings swapped (`_fields_swapped`, judged on a first load by what the other
    sources state: `_known_or_stated`). Before all of these, the input and output token prices
    of a block (a route at one set of dimensions) most of whose models state the input above
    the output are set aside (`_inputs_above_outputs`: read swapped), and so are a model's
    prices a slip off its own prices the source states beside them (`_off_own_prices`: a batch
    price outside 1/15 to 3 times the standard one, a reasoning price tenfold off the output
    one), each once."""
    known = _known_prices(before, in_force)
    judged = _known_or_stated(valid, known, in_force, stated)
    problems = _inputs_above_outputs(valid)
    block = {id(p.observation) for p in problems}
    problems += [
        p for p in _inverted_beside_ordered(valid, judged) if id(p.observation) not in block
    ]
    block = {id(p.observation) for p in problems}
    problems += [
        p
        for p in _exchanged_beside_elsewhere(valid, known, judged, stated)
        if id(p.observation) not in block
    ]
    block = {id(p.observation) for p in problems}
    problems += [p for p in _exchanged_pairs(valid, judged) if id(p.observation) not in block]
    block = {id(p.observation) for p in problems}
    problems += [p for p in _rows_shifted(valid, judged) if id(p.observation) not in block]
    block = {id(p.observation) for p in problems}  # set aside already: they judge nothing
    problems += _off_own_prices([o for o in valid if id(o) not in block])
    unordered = {id(p.observation) for p in problems}
    without_history = _rescaled_without_history(valid, before, in_force, stated, vendors, set_aside)
    listed = {id(p.observation) for p in without_history}  # a route's block holds its tables
    problems += [
        p
        for p in (
            *without_history,
            *(
                p
                for p in _rescaled_tables(valid, before, in_force, stated, set_aside)
                if id(p.observation) not in listed
            ),
            *_zero_beside_others(valid, in_force, stated),
            *_cache_writes_at_reads(valid),
            *_discounts_at_standard(
                valid,
                known,
                lambda keys: reference_for(
                    valid[0].source, dict.fromkeys(keys, Decimal(0)), in_force, stated
                ),
            ),
        )
        if id(p.observation) not in unordered
    ]
    aside = {id(p.observation) for p in problems}
    tiers = _context_tiers(chain(before, in_force, map(price_key, valid)))
    problems += [p for p in _fields_swapped(valid, judged, tiers) if id(p.observation) not in aside]
    moved: list[tuple[Observation, PriceKey, Decimal]] = []
    for obs in valid:
        if obs.kind is not _PRICE or obs.value == 0 or obs.scheduled or id(obs) in unordered:
            continue
        if implausible(obs.value, obs.unit):  # outside its unit's band: plausibility's to say
            continue
        field = price_key(obs)
        last = before.get(field)
        if last and last != obs.value and power_of_ten(obs.value / last):
            current = in_force.get(field)
            if not current or not power_of_ten(obs.value / current):
                moved.append((obs, field, last))
    if not moved:
        return problems
    others = stated()
    blocks = _rescaled_blocks([*valid, *set_aside], before, in_force)
    for obs, field, last in moved:
        if any(s != obs.source and p.get(field) == obs.value for s, p in others.items()):
            continue  # another source states the new value too: a repricing, not one's slip
        still = sorted(
            s for s, prices in others.items() if s != obs.source and prices.get(field) == last
        )
        if still:
            why = f"which {', '.join(still)} still state"
        elif (obs.route, WHOLE_ROUTE, exponent := power_of_ten(obs.value / last)) in blocks:
            why = f"as most of its {obs.route} prices moved (one block of its listing rescaled)"
        elif (obs.route, namespace := _namespace(obs), exponent) in blocks:
            why = (
                f"as most of its {obs.route} prices of {namespace}/ ids moved (one block of its "
                "listing rescaled)"
            )
        else:
            continue
        problems.append(
            _set_aside(
                obs,
                SLIPPED_RULE,
                f"{obs.measure.text()} = {obs.value} {obs.unit.value}: "
                f"{obs.value / last:f} times its last statement, {last}, {why}",
            )
        )
    return problems


ZERO_BESIDE_RULE = "zero where other sources state a price"
_FREE = "free"  # the variant a source lists a paid model's free twin as (OpenRouter's `:free`)


def _zero_beside_others(
    valid: Sequence[Observation],
    in_force: Mapping[PriceKey, Decimal],
    stated: Callable[[], Mapping[str, Mapping[PriceKey, Decimal]]],
) -> list[Problem]:
    """A route's official price of 0 of a field the catalog holds no value of, where at least
    AGREEING other sources state a price of it and none states 0 (`stated()`, asked only then;
    they need not agree with each other to say it is not free): a paid model written as free (a
    bug report: models.dev#701; a fault round: OpenRouter's glm-5.2 at "0" like its :free twin,
    proposed as the new model's price while genai-prices and Portkey priced it). A deployment's
    price (a scope, a region) no other source states is judged by the bare price of the field
    they state, or by its own price of the field in another deployment of the model, where not
    0 (a deployment's premium is a tenth or so, never the whole price: a fault round, 29 of
    Azure's meters at 0 entered verified on a first load; Azure states no bare price, the
    others no deployment's). A price of 0 beside the source's own free variant of the field
    (`variant=free`: OpenRouter's `:free` twins) is set aside whatever the others state, short
    of 0: a model free as listed has no free twin (a fault round: every paid model with a
    `:free` twin priced 0 like it entered a first load verified at 0 where only models.dev
    priced it). Set aside (ZERO_BESIDE_RULE: an anomaly to review); a first load would
    otherwise take it in. One the catalog holds a value of is compare's anomaly (a move to
    zero)."""
    zeros = [
        o
        for o in valid
        if o.kind is _PRICE
        and o.value == 0
        and not o.scheduled
        and o.model is not None
        and is_official(o.source, o.route)
        and price_key(o) not in in_force
    ]
    if not zeros:
        return []
    others = stated()
    # the source's own prices of each bare field in another deployment, where not 0
    deployed: dict[PriceKey, Decimal] = {}
    # the fields of which the source states a free variant too (the field without it)
    twinned: set[PriceKey] = set()
    for o in valid:
        if o.kind is not _PRICE or o.scheduled:
            continue
        if o.dimensions.get(Dim.VARIANT) == _FREE:
            twinned.add((*price_key(o)[:4], o.dimensions.without(Dim.VARIANT).key))
        elif o.value != 0 and (field := price_key(o)) != (plain := _bare_key(field)):
            deployed.setdefault(plain, o.value)
    problems: list[Problem] = []
    for obs in zeros:
        key = price_key(obs)
        said = {s: p[key] for s, p in others.items() if s != obs.source and key in p}
        own = None
        if not said and (plain := _bare_key(key)) != key:
            # a deployment's price (Azure states no other) beside the bare prices others state,
            # or the source's own price of the field in another deployment of the model
            said = {s: p[plain] for s, p in others.items() if s != obs.source and plain in p}
            own = deployed.get(plain)
        twin = key in twinned
        if (len(said) < AGREEING and own is None and not twin) or 0 in said.values():
            continue
        stating = ", ".join(f"{s} {value}" for s, value in sorted(said.items()))
        if own is not None:
            stating = ", ".join(
                filter(None, [stating, f"{obs.source} {own} in another deployment"])
            )
        if twin:
            stating = ", ".join(filter(None, [stating, f"{obs.source} lists its free variant"]))
        problems.append(
            _set_aside(
                obs, ZERO_BESIDE_RULE, f"{obs.measure.text()} = 0 {obs.unit.value}: {stating}"
            )
        )
    return problems


DISCOUNT_AT_STANDARD_RULE = "a discounted tier's price at its standard price"
STANDARD_AT_DISCOUNT_RULE = "a standard price at its discounted tier's price"
DISCOUNTED_TIERS = frozenset({"batch", "flex"})  # service tiers sold below the standard price
PREMIUM_AT_STANDARD_RULE = "a premium tier's price at its standard price"
STANDARD_AT_PREMIUM_RULE = "a standard price at its premium tier's price"
PREMIUM_TIERS = frozenset({"priority"})  # service tiers sold above the standard price
DISCOUNT_BLOCK = 5  # such prices of one route, most of them at their standard price: a block


# A field's price as the source last stated it, else the catalog's in force (`_known_prices`).
KnownPrice = Callable[[PriceKey], Decimal | None]


def _known_prices(
    before: Mapping[PriceKey, Decimal], in_force: Mapping[PriceKey, Decimal]
) -> KnownPrice:
    """A field's known price (USD, in its unit): the source's own last applied statement of it
    (`before`), else the value in force (`in_force`), else None."""

    def known(key: PriceKey) -> Decimal | None:
        price = before.get(key)
        return in_force.get(key) if price is None else price

    return known


# What the other sources state alike of some fields (catalog.health `reference_for`), asked
# only where a block is set aside and the source's history knows nothing of a field it needs.
Reference = Callable[[Sequence[PriceKey]], Mapping[PriceKey, Decimal]]


def _discounts_at_standard(
    valid: Sequence[Observation], known: KnownPrice, reference: Reference | None = None
) -> list[Problem]:
    """A source's batch and flex token prices (input, output) not below its own standard price
    of the same field (stated this run, else as `known`: as it last stated it, else the
    catalog's price in force; a model the source names in no standard row today), where at
    least DISCOUNT_BLOCK of one route's and tier's are and they are most of them: the
    discounted table restating the standard prices (a copy slip; a fault round: Anthropic's
    and OpenAI's Batch tables with the standard rows opened 64 official +100 % price changes
    and set OpenRouter's right batch prices aside as off the official ones). Set aside
    (DISCOUNT_AT_STANDARD_RULE: an anomaly to review), with the cache read prices of that tier
    at their standard price of the same models (the same rows restated), and those models'
    standard prices at their known price of that tier (`_standards_at_discount`: the two
    tiers' tables swapped). A few such prices of a route are the source's statements, judged
    as any other (OpenAI's legacy gpt-3.5 rows state batch at the standard price: 6 of its
    109; no recorded route and tier has most; a cache read is not counted: the Gemini page
    states its batch cache reads at the standard price, 24 of its 69 batch token prices).
    A premium tier (priority) is judged the other way: its prices not above the standard ones
    (PREMIUM_AT_STANDARD_RULE), and the standard prices at their known priority price
    (STANDARD_AT_PREMIUM_RULE): OpenAI's Priority and Standard headings swapped (a fault
    round: 91 official price changes to the priority prices proposed after epoch-1)."""
    standard: dict[PriceKey, Decimal] = {}
    # the standard prices of each field's deployments, by the field without them (`_bare_key`)
    deployed: dict[PriceKey, list[Decimal]] = defaultdict(list)
    standards: list[Observation] = []
    discounted: list[Observation] = []
    for o in valid:
        if o.kind is not _PRICE or o.scheduled or o.unit is not Unit.PER_1M_TOKENS:
            continue
        if o.component not in _DISCOUNTED_COMPONENTS:
            continue
        tier = o.dimensions.get(Dim.SERVICE_TIER.value)
        if tier is None:
            standard[key := price_key(o)] = o.value
            if (bare := _bare_key(key)) != key:
                deployed[bare].append(o.value)
            standards.append(o)
        elif tier in DISCOUNTED_TIERS or tier in PREMIUM_TIERS:
            discounted.append(o)
    by_tier: dict[tuple[str, str], list[tuple[Observation, Decimal]]] = defaultdict(list)
    for o in discounted:
        plain = o.dimensions.without(Dim.SERVICE_TIER)
        key = (o.route, o.model or o.source_model, o.component.value, o.unit.value, plain.key)
        premium = o.dimensions[Dim.SERVICE_TIER.value] in PREMIUM_TIERS
        price = standard.get(key) or _deployments_standard(deployed.get(key), premium)
        if price := price or known(key):
            by_tier[(o.route, o.dimensions[Dim.SERVICE_TIER.value])].append((o, price))
    problems: list[Problem] = []
    aside: set[Observation | None] = set()  # standard prices set aside (one tier's swap is enough)
    # each route's and tier's prices not on their side of the standard price, and the models
    # of those that are a block (most of the tier's input and output prices, DISCOUNT_BLOCK)
    wrong_side: dict[tuple[str, str], list[tuple[Observation, Decimal]]] = {}
    blocks: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for (route, tier), paired in by_tier.items():
        premium = tier in PREMIUM_TIERS
        wrong_side[(route, tier)] = at_standard = [
            (o, price) for o, price in paired if (o.value <= price if premium else o.value >= price)
        ]
        counted = [(o, price) for o, price in at_standard if o.component is not _CACHE_READ]
        priced = sum(o.component is not _CACHE_READ for o, _ in paired)
        if len(counted) >= DISCOUNT_BLOCK and 2 * len(counted) > priced:
            blocks[route][tier] = {o.model or o.source_model for o, _ in counted}
    for (route, tier), paired in by_tier.items():
        premium, at_standard = tier in PREMIUM_TIERS, wrong_side[(route, tier)]
        if tier not in blocks[route]:
            problems += _beside_a_tier_block(at_standard, tier, blocks[route], premium)
            continue
        counted = [(o, price) for o, price in at_standard if o.component is not _CACHE_READ]
        priced = sum(o.component is not _CACHE_READ for o, _ in paired)
        restated = blocks[route][tier]
        block = f"as {len(counted)} of the {priced} {route} input and output prices of that tier"
        problems += [
            _set_aside(
                o,
                PREMIUM_AT_STANDARD_RULE if premium else DISCOUNT_AT_STANDARD_RULE,
                f"{o.measure.text()} = {o.value} {o.unit.value}: not "
                f"{'above' if premium else 'below'} its standard price {price}, {block} it "
                f"states (the {'premium' if premium else 'discounted'} table restating the "
                "standard prices)",
            )
            for o, price in at_standard
            if o.component is not _CACHE_READ or (o.model or o.source_model) in restated
        ]
        swapped = _standards_at_discount(
            [o for o in standards if o.route == route],
            tier,
            restated,
            known,
            block,
            premium,
            reference,
        )
        problems += [p for p in swapped if p.observation not in aside]
        aside.update(p.observation for p in swapped)
    return problems


def _beside_a_tier_block(
    at_standard: Sequence[tuple[Observation, Decimal]],
    tier: str,
    blocks: Mapping[str, set[str]],
    premium: bool,
) -> list[Problem]:
    """A tier's token prices on the wrong side of their standard price (`at_standard`, each with
    that price: not above it for a premium tier, not below it for a discounted one),
    of models whose prices of another tier of the route are a block so (`blocks`: the models by
    tier): the two tiers' tables exchanged, the other half too few to be a block of its own (a
    fault round: Vercel's priority and flex prices exchanged on the 8 models stating both, the
    flex half set aside as 8 of its 11 models, the priority half, 8 of 18, entered a first load
    verified at half the standard price). Set aside as `_discounts_at_standard` sets aside a
    block."""
    problems: list[Problem] = []
    for o, price in at_standard:
        model = o.model or o.source_model
        beside = sorted(other for other, models in blocks.items() if model in models)
        if not beside:
            continue
        problems.append(
            _set_aside(
                o,
                PREMIUM_AT_STANDARD_RULE if premium else DISCOUNT_AT_STANDARD_RULE,
                f"{o.measure.text()} = {o.value} {o.unit.value}: not "
                f"{'above' if premium else 'below'} its standard price {price}, beside a block "
                f"of {o.route} {' and '.join(beside)} prices at the standard ones (the {tier} "
                f"and {' and '.join(beside)} tables exchanged)",
            )
        )
    return problems


def _deployments_standard(prices: Sequence[Decimal] | None, premium: bool) -> Decimal | None:
    """The standard price a tier's price stated of no deployment is judged by where the source
    states the field's standard price only of deployments (`prices`): the cheapest for a
    discounted tier, the dearest for a premium one (a deployment's premium over another is a
    tenth or so, a tier's a half or more). Identity reads a secondary's bare Azure price as the
    scope whose official meter states its value (catalog/identity.py) and leaves its tier
    prices, which no meter states, without one: a fault round's LiteLLM map with its `_batches`
    and `_priority` keys exchanged opened 11 new-value items and 12 disagreements for Azure
    models whose batch stood at twice, or priority at half, their standard price. None for no
    such price."""
    if not prices:
        return None
    return max(prices) if premium else min(prices)


def _standards_at_discount(
    standards: Sequence[Observation],
    tier: str,
    restated: Set[str],
    known: KnownPrice,
    block: str,
    premium: bool = False,
    reference: Reference | None = None,
) -> list[Problem]:
    """Of a route's standard token prices (`standards`), those of the models whose `tier` prices
    were set aside as at their standard price (`restated`) that stand at the `known` price of
    that tier's field (as the source last stated it, else in force) and not at the known
    standard one: the other half of the two tiers' tables swapped (a fault round: the Gemini
    page's Standard and Batch headings swapped opened 30 official -50 % price changes beside
    the batch prices set aside). Set aside (STANDARD_AT_DISCOUNT_RULE; for a `premium` tier,
    STANDARD_AT_PREMIUM_RULE). A tier's price the source never stated and the catalog does not
    hold (a first load) is what the other sources state alike (`reference`), and so is then the
    standard price it is told apart from: OpenAI's Priority and Standard labels swapped on a
    first load entered every standard price verified at its priority price."""
    problems: list[Problem] = []
    pairs: list[tuple[Observation, PriceKey, PriceKey]] = []  # a standard price, its tier's key
    for o in standards:
        if (o.model or o.source_model) not in restated:
            continue
        tiered = Dims.of({**o.dimensions, Dim.SERVICE_TIER.value: tier})
        key = price_key(o)
        pairs.append((o, key, (*key[:4], tiered.key)))
    # a first load knows neither price of a pair: what the other sources state alike of both
    unknown = [k for _, key, at in pairs if known(at) is None for k in (key, at)]
    stated = reference(unknown) if unknown and reference is not None else {}
    for o, key, at in pairs:
        discount = known(at)
        standard = known(key)
        if discount is None:
            discount, standard = stated.get(at), stated.get(key)
        if discount is None or o.value != discount or standard == discount:
            continue
        problems.append(
            _set_aside(
                o,
                STANDARD_AT_PREMIUM_RULE if premium else STANDARD_AT_DISCOUNT_RULE,
                f"{o.measure.text()} = {o.value} {o.unit.value}: its {tier} price, "
                f"{block} stand at their standard price (the two tiers' tables swapped)",
            )
        )
    return problems


INPUT_ABOVE_OUTPUT_RULE = "input above output across a block"
# A block's models (one route's at one set of dimensions: a table, a tier) a source states both
# an input and an output token price of, at least, for the order of the two to say which is
# which.
ORDER_BLOCK = 10
# The block is read swapped where at least this share of them state the input above the output.
SWAPPED_SHARE = Decimal("0.75")
# A block: a route, the dimensions' text key, and the namespace of the source's ids in it
# (`_namespace`; WHOLE_ROUTE for every id of the route at those dimensions).
_Block = tuple[str, str, str]


def _token_price(o: Observation) -> bool:
    """An input or output token price (USD per 1M tokens) in force on its response's date."""
    return (
        o.kind is _PRICE
        and o.component in _IN_OUT
        and o.unit is Unit.PER_1M_TOKENS
        and not o.scheduled
    )


_IN_OUT = (Component.INPUT, Component.OUTPUT)


def _swapped_blocks(
    valid: Sequence[Observation], namespaces: bool = False
) -> tuple[Counter[_Block], Counter[_Block]]:
    """By block (route, dimensions, and with `namespaces` the namespace of the source's ids,
    else WHOLE_ROUTE): how many models the source states both an input and an
    output token price of, neither 0 (the pairs); and, for the blocks read swapped only, how
    many of those state the input above the output: at least SWAPPED_SHARE of at least
    ORDER_BLOCK. Output tokens cost at least what input tokens do for nearly every model
    priced: of the recorded worlds' blocks of ten or more, at most 17 % (2 of clarifai's 12 at
    models.dev) and once 45 % (LiteLLM's Vertex prices above 128k tokens, gemini-1.5-flash's
    input $1 and output $0.60 among them) state the input above; of their namespaces' blocks
    of ten or more, at most 10 % (Portkey's 21 DeepInfra `meta-llama/` ids); a table read
    swapped states nearly all so."""
    prices: dict[tuple[str, str, str, str], dict[Component, Decimal]] = defaultdict(dict)
    for o in valid:
        if _token_price(o):
            model = o.model or o.source_model
            namespace = _namespace(o) if namespaces else WHOLE_ROUTE
            prices[(o.route, o.dimensions.key, namespace, model)][o.component] = o.value
    pairs: Counter[_Block] = Counter()
    above: Counter[_Block] = Counter()
    for (route, dims, namespace, _), stated in prices.items():
        given, taken = stated.get(Component.INPUT), stated.get(Component.OUTPUT)
        if given and taken:
            pairs[route, dims, namespace] += 1
            above[route, dims, namespace] += given > taken
    swapped = Counter(
        {
            block: above[block]
            for block, n in pairs.items()
            if n >= ORDER_BLOCK and above[block] >= SWAPPED_SHARE * n
        }
    )
    return pairs, swapped


def swapped_listing(valid: Sequence[Observation]) -> str:
    """Why a source's listing reads its input and output swapped ('' when it does not): the
    blocks read swapped (`_swapped_blocks`) hold most of the models it states both token
    prices of. The whole listing is the source's fault, as a rescaled one is: the source
    fails, nothing of it applies, and it stands as last stated; on a first load nothing else
    could tell (fault round 55: Vercel's listing with `input` and `output` swapped on every
    model entered about 340 prices verified at the other field's price, as only LiteLLM and
    models.dev state Vercel's prices and seldom agree)."""
    pairs, swapped = _swapped_blocks(valid)
    held = sum(pairs[block] for block in swapped)
    if 2 * held <= sum(pairs.values()):
        return ""
    return (
        f"input and output read swapped: {sum(swapped.values())} of the {held} models it "
        "prices both of in those blocks state the input above the output "
        f"({', '.join(_block_text(block) for block in sorted(swapped))})"
    )


def _block_text(block: _Block) -> str:
    route, dims, namespace = block
    ids = "" if namespace == WHOLE_ROUTE else f" {namespace}/"
    return f"{route}{ids} [{dims}]" if dims else f"{route}{ids}"


def _inputs_above_outputs(valid: Sequence[Observation]) -> list[Problem]:
    """Every input and output token price of a block (one route's at one set of dimensions:
    an OpenAI Standard table, LiteLLM's models of one provider; or the route's ids of one
    namespace at those dimensions: a fault round, OpenRouter's 28 `anthropic/` ids with prompt
    and completion exchanged entered 56 prices verified on a first load, a tenth of its
    route) that reads swapped (`_swapped_blocks`: most of its models state the input above the
    output), whatever the catalog or the other sources hold. Set aside
    (INPUT_ABOVE_OUTPUT_RULE: an anomaly to review), the block's other fields and the source's
    other blocks kept; the fields stand as last stated. A listing most of whose models are in
    such blocks fails whole (`swapped_listing`)."""
    whole, swapped = _swapped_blocks(valid)
    by_namespace, swapped_namespaces = _swapped_blocks(valid, namespaces=True)
    if not swapped and not swapped_namespaces:
        return []
    problems: list[Problem] = []
    for o in valid:
        if not _token_price(o):
            continue
        if (block := (o.route, o.dimensions.key, WHOLE_ROUTE)) in swapped:
            pairs, above = whole[block], swapped[block]
        elif (block := (o.route, o.dimensions.key, _namespace(o))) in swapped_namespaces:
            pairs, above = by_namespace[block], swapped_namespaces[block]
        else:
            continue
        why = (
            f"{above} of the {pairs} {_block_text(block)} models it prices both of state "
            "input above output (its input and output read swapped)"
        )
        problems.append(
            _set_aside(
                o, INPUT_ABOVE_OUTPUT_RULE, f"{o.measure.text()} = {o.value} {o.unit.value}: {why}"
            )
        )
    return problems


def _inverted_beside_ordered(valid: Sequence[Observation], known: KnownPrice) -> list[Problem]:
    """A model's input and output token prices read the wrong way round at some deployments
    or tiers while the source states them in order at others: of one source's name of a model,
    its input above its output at one set of dimensions while, at dimensions differing from it
    only in the deployment and tier (scope, region, service tier; the same modality and context
    tier), the input is below the output. A provider's prices keep one order across its
    deployments and tiers (a batch price is the standard one halved), so the inverted pairs
    are a heading or a meter swap, judged within the source alone, on a first load too (a fault
    round: Azure's gpt-4o-2024-11-20 input meters exchanged with its output ones entered
    verified at 10 and 2.5 into an empty catalog, beside its own batch meters at 1.25 and 5).
    In the recorded world input above output is a modality's (audio, speech) and never beside
    an ordered pair of the same modality. Both prices of each inverted pair are set aside
    (FIELDS_SWAPPED_RULE, an anomaly to review); the fields stand as last stated. Where the
    `known` price of one half (its last statement, the value in force, or what the other
    sources state alike: `_known_or_stated`) is the one stated, and the other half moved from
    its own known price to the wrong side of it, that other half alone is set aside (as
    SLIPPED_RULE where it moved by a power of ten): one price slipped, not a swap (a fault
    round: OpenRouter's claude-sonnet-4.5 input x10, $30 above its $15 output, took the right
    output out of an empty catalog with it)."""
    pairs: dict[tuple[str, str, str, str], dict[str, dict[Component, Observation]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for o in valid:
        if _token_price(o):  # an input or an output
            dims = o.dimensions
            kind = dims.without_deployment().without(Dim.SERVICE_TIER.value).key
            pairs[(o.source, o.route, o.source_model, kind)][dims.key][o.component] = o
    problems: list[Problem] = []
    for by_dims in pairs.values():
        both = [  # a price of 0 is a free tier or its own rule's, no order
            (dims, found[Component.INPUT], found[Component.OUTPUT])
            for dims, found in by_dims.items()
            if len(found) == 2 and found[Component.INPUT].value and found[Component.OUTPUT].value
        ]
        ordered = [dims for dims, i, out in both if i.value < out.value]
        if not ordered:
            continue
        for _, i, out in both:
            if i.value <= out.value:
                continue
            slip = _one_half_slipped(i, out, known)
            if slip is not None:
                problems.append(slip)
                continue
            problems.extend(
                _set_aside(
                    o,
                    FIELDS_SWAPPED_RULE,
                    f"{o.measure.text()} = {o.value} {o.unit.value}: its input {i.value} "
                    f"above its output {out.value}, while the source states the two in "
                    f"order at {ordered[0] or 'no deployment'} (read swapped)",
                )
                for o in (i, out)
            )
    return problems


def _exchanged_beside_elsewhere(
    valid: Sequence[Observation],
    history: KnownPrice,
    known: KnownPrice,
    stated: Callable[[], Mapping[str, Mapping[PriceKey, Decimal]]],
) -> list[Problem]:
    """A model's input and output token prices read the wrong way round, one model at a time:
    its input above its output (both above 0), neither with a history, the two exactly
    exchanged from what is known of them (each field's price two other sources state alike on
    the route, `known`: `_known_or_stated`; a field with none, what the model costs on other
    routes, `_elsewhere`): the input at the output's, the output at the input's, neither at
    its own; or, neither at what is known of it, the model's input below its output wherever
    else it is known (h55: Vercel's llama-4-maverick alone exchanged entered verified). Both
    are set aside (FIELDS_SWAPPED_RULE, an anomaly to review); where one half stands at its
    one known price and the other moved past it, that other alone (`_one_half_slipped`: h55,
    OpenRouter's mistral-large input x10 above its output, no tier to order it). A fault round:
    Vercel's `anthropic/` ids with input and output exchanged, too few for a block of the
    route (`_inputs_above_outputs`) or of moved columns (`_fields_swapped`), entered
    claude-3-opus verified at input $75 and output $15 on a first load, beside $15 and $75 on
    the Anthropic route and every other. An exchange into order is read (a correction:
    `_inverted_beside_ordered`'s note). A pair with a history (the source's last statement or
    the value in force, `history`) is a change to review, not judged here: LiteLLM's recorded
    command-r7b-12-2024 went from input 0.15 and output 0.0375 to the two exchanged into order,
    and a day it answered its March map again was set aside one day and read the next, as the
    set-aside day left it no last statement to be judged by."""
    pairs: dict[tuple[str, str, str], dict[Component, Observation]] = defaultdict(dict)
    for o in valid:
        if _token_price(o):
            pairs[(o.route, o.source_model, o.dimensions.key)][o.component] = o
    inverted = [
        (i, out)
        for found in pairs.values()
        if len(found) == 2
        and (i := found[Component.INPUT]).value > (out := found[Component.OUTPUT]).value > 0
        and history(price_key(i)) is None
        and history(price_key(out)) is None
    ]
    if not inverted:
        return []
    references: dict[PriceKey, set[Decimal]] = {}
    unknown: list[PriceKey] = []
    for o in (o for pair in inverted for o in pair):
        key = price_key(o)
        if (price := known(key)) is None:
            unknown.append(key)
        else:
            references[key] = {price}
    if unknown:
        references.update(_elsewhere(valid[0].source, unknown, stated))
    problems: list[Problem] = []
    for i, out in inverted:
        inputs = references.get(price_key(i), set())
        outputs = references.get(price_key(out), set())
        if not inputs or not outputs or i.value in inputs or out.value in outputs:
            continue  # unjudged, or the input or the output stands where it is known
        exchanged = out.value in inputs and i.value in outputs
        if not exchanged and not max(inputs) < min(outputs):
            continue  # the model's input is not below its output everywhere else
        why = (
            "the two exchanged from the model's known input and output"
            if exchanged
            else "where the model's input is below its output on every other route"
        )
        problems.extend(
            _set_aside(
                o,
                FIELDS_SWAPPED_RULE,
                f"{o.measure.text()} = {o.value} {o.unit.value}: its input {i.value} above its "
                f"output {out.value}, {why} (read swapped)",
            )
            for o in (i, out)
        )
    for i, out in inverted:  # one half at its known price, the other moved past it
        inputs = references.get(price_key(i), set())
        outputs = references.get(price_key(out), set())
        if len(inputs) == 1 and len(outputs) == 1:
            [known_input], [known_output] = inputs, outputs
            slip = _one_half_slipped(
                i, out, {price_key(i): known_input, price_key(out): known_output}.get
            )
            if slip is not None:
                problems.append(slip)
    return problems


def _exchanged_pairs(valid: Sequence[Observation], known: KnownPrice) -> list[Problem]:
    """Two prices of one model in one unit, each now at what is known of the other and neither
    at its own (`known`: the source's last statement, else the value in force, else on a first
    load what the other sources state alike, `_known_or_stated`): two labels of one model's
    section exchanged (a fault probe: the Gemini page's "Standard" and "Batch" headings
    exchanged within 2.5 Pro's section alone, or its "Input price" and "Output price" rows,
    proposed eight changes each, batch at twice the standard price, and entered verified on a
    first load; one model is too few for the rules of blocks, `_fields_swapped` and
    `_discounts_at_standard`). Only an exchange out of the order the two fields keep
    (`_out_of_order`) is one: an exchange into it is a correction (LiteLLM's and models.dev's
    command-r7b-12-2024 input and output, inverted in epoch-1, exchanged into order in epoch-2).
    Both are set aside (FIELDS_SWAPPED_RULE, an anomaly to review), each pair once."""
    by_known: dict[tuple[str, str, Unit, Decimal], list[Observation]] = {}
    moved: list[tuple[Observation, Decimal]] = []
    for o in valid:
        if o.kind is not _PRICE or o.scheduled:
            continue
        was = known(price_key(o))
        if was is not None and was != o.value:
            moved.append((o, was))
            by_known.setdefault((o.route, o.source_model, o.unit, was), []).append(o)
    problems: list[Problem] = []
    taken: set[int] = set()
    for o, was in moved:
        if id(o) in taken:
            continue
        for other in by_known.get((o.route, o.source_model, o.unit, o.value), ()):
            if (
                other.value == was
                and id(other) not in taken
                and other is not o
                and _out_of_order(o, other)
            ):
                taken.update((id(o), id(other)))
                problems.extend(
                    _set_aside(
                        mine,
                        FIELDS_SWAPPED_RULE,
                        f"{mine.measure.text()} = {mine.value} {mine.unit.value}: the price known "
                        f"of its {theirs.measure.text()}, which is stated at {theirs.value}, the "
                        "price known of this one (the two exchanged)",
                    )
                    for mine, theirs in ((o, other), (other, o))
                )
                break
    return problems


def _out_of_order(a: Observation, b: Observation) -> bool:
    """Whether two prices of one model and unit break the order their fields keep: an input
    below its output, a cache read below its input, a batch or flex price below the standard
    one, a price for longer prompts not below the shorter prompts' (each at otherwise the same
    dimensions); False for fields that keep none."""
    pair = frozenset({a.component, b.component})
    if a.dimensions == b.dimensions and pair in _ORDERED_COMPONENTS:
        lower, higher = (a, b) if a.component is _ORDERED_COMPONENTS[pair] else (b, a)
        return lower.value > higher.value
    if a.component is not b.component or a.dimensions == b.dimensions:
        return False
    for dim in (_TIER, _ABOVE_DIM):
        if a.dimensions.without(dim) == b.dimensions.without(dim):
            a_lower, b_lower = _costs_less(a, dim), _costs_less(b, dim)
            if a_lower == b_lower:
                return False
            lower, higher = (a, b) if a_lower else (b, a)
            return lower.value > higher.value
    return False


def _costs_less(o: Observation, dim: str) -> bool:
    """Whether `o`'s value of `dim` is the one that costs less: a discounted service tier, or
    no prompt size (the base price below its longer prompts' tier)."""
    if dim == _TIER:
        return o.dimensions.get(_TIER) in DISCOUNTED_TIERS
    return dim not in o.dimensions


# Two components of a model's prices at the same dimensions, and the one that costs less.
_ORDERED_COMPONENTS = {
    frozenset({Component.INPUT, Component.OUTPUT}): Component.INPUT,
    frozenset({Component.CACHE_READ, Component.INPUT}): Component.CACHE_READ,
}
_ABOVE_DIM = Dim.CONTEXT_ABOVE.value


# A page's table whose rows state, for at least this many of its models, what is known of
# another of its models (and most of the rows that moved so) has its rows shifted (`_rows_shifted`).
SHIFTED_ROWS = 3

# A row's prices: (component, unit, dimensions) -> price
_Row = dict[tuple[Component, Unit, str], Decimal]


def _rows_shifted(valid: Sequence[Observation], known: KnownPrice) -> list[Problem]:
    """A page's table (`record_table`) most of whose rows that moved state exactly what is known
    of another model of the table (`known`, as `_exchanged_pairs` reads it), each at least two
    prices, across at least SHIFTED_ROWS models: its model names one row out of its prices (a
    fault probe, after robhunter/agentdeals#1362's prices read one row off: Anthropic's table
    with its model column shifted one row proposed 20 price changes, claude-opus-4-5 input 5 ->
    15; OpenAI's Standard table so, 61), where that other model states them no longer (it
    took another row's). The prices of every row of it that moved are set aside
    (FIELDS_SWAPPED_RULE, an anomaly to review: the model whose name left the table took its
    prices with it, so the row named after it states no other model's); a model repriced to
    another's prices alone, models repriced to a sibling's that the sibling still states, or a
    few among many moving otherwise, are changes to review."""
    tables: dict[tuple[str, str], dict[str, list[Observation]]] = {}
    for o in valid:
        if o.kind is _PRICE and not o.scheduled and (table := record_table(o.record)):
            rows = tables.setdefault((o.url, table), {})
            rows.setdefault(o.model or o.source_model, []).append(o)
    problems: list[Problem] = []
    for rows in tables.values():
        if len(rows) < SHIFTED_ROWS:
            continue
        route = next(iter(rows.values()))[0].route
        stated = {model: _row_of(found) for model, found in rows.items()}
        moved = [m for m, row in stated.items() if _row_moved(route, m, row, known)]
        shifted = {
            model: other
            for model in moved
            if (other := _known_row_of(route, model, stated[model], stated, known))
        }
        if len(shifted) < SHIFTED_ROWS or len(shifted) * 2 <= len(moved):
            continue
        for model in moved:
            whose = f"what is known of {shifted[model]}'s" if model in shifted else "other prices"
            problems.extend(
                _set_aside(
                    o,
                    FIELDS_SWAPPED_RULE,
                    f"{o.measure.text()} = {o.value} {o.unit.value}: its row states {whose}, as "
                    f"{len(shifted)} of its table's {len(rows)} rows state another model's (the "
                    "table's model names shifted from its prices)",
                )
                for o in rows[model]
            )
    return problems


def _row_of(found: Sequence[Observation]) -> _Row:
    return {(o.component, o.unit, o.dimensions.key): o.value for o in found}


def _row_moved(route: str, model: str, row: _Row, known: KnownPrice) -> bool:
    """Whether a model's row states a price other than what is known of it."""
    return any(
        (was := known((route, model, c.value, u.value, dims))) is not None and was != value
        for (c, u, dims), value in row.items()
    )


def _known_row_of(
    route: str, model: str, row: _Row, stated: Mapping[str, _Row], known: KnownPrice
) -> str:
    """Another model of the table (`stated`: each model's row this run) each of whose prices in
    `row`'s fields is known and is `row`'s, and that no longer states them ('' for none): at
    least two of them. A model repriced to a sibling's prices, which the sibling still states,
    is a repricing (three Claude Opus models cut to Opus 4.5's prices)."""
    if len(row) < 2:
        return ""
    for other, now in stated.items():
        if (
            other != model
            and any(now.get(field) != value for field, value in row.items())
            and all(
                known((route, other, c.value, u.value, dims)) == value
                for (c, u, dims), value in row.items()
            )
        ):
            return other
    return ""


def _one_half_slipped(i: Observation, out: Observation, known: KnownPrice) -> Problem | None:
    """Of an input `i` stated above its output `out`, the half that moved from its `known`
    price to the wrong side of the other, where the other half is stated at its own known
    price, set aside alone; None where neither is so (both are doubted: a swap)."""
    known_input, known_output = known(price_key(i)), known(price_key(out))
    if known_output == out.value and known_input is not None and known_input < out.value:
        moved, was, beside = i, known_input, "its output"
    elif known_input == i.value and known_output is not None and known_output > i.value:
        moved, was, beside = out, known_output, "its input"
    else:
        return None
    exponent = power_of_ten(moved.value / was)
    return _set_aside(
        moved,
        SLIPPED_RULE if exponent else FIELDS_SWAPPED_RULE,
        f"{moved.measure.text()} = {moved.value} {moved.unit.value}: "
        f"{moved.value / was:f} times its known price, {was}, on the wrong side of "
        f"{beside} {(out if moved is i else i).value}, which stands at its known price",
    )


DISCOUNT_OFF_STANDARD_RULE = "a discounted tier's price a slip off its standard price"
# A discounted tier's price over its standard one, outside this band (exclusive), is a slip of
# one of the two: the recorded worlds' 1,741 pairs lie from 1/12 (LiteLLM's legacy fine-tunes)
# to 1.47, and either price of a half-price pair tenfold off lands at 1/20 or 5.
DISCOUNT_BAND = (Decimal(1) / 15, Decimal(3))
REASONING_OFF_OUTPUT_RULE = "a reasoning price a power of ten off its output price"
_TIER = Dim.SERVICE_TIER.value


@cache
def _without_tier(dims: str) -> str:
    """A stored dimensions key without its service tier (`Dims.without`, on the text: a run's
    token prices state a few hundred keys, ~10^5 times)."""
    return ";".join(part for part in dims.split(";") if part and not part.startswith(_TIER_PART))


_TIER_PART = f"{_TIER}="


def _deployments_of(o: Observation) -> tuple[str, str, Component, str]:
    """The field of a source's price of a model at every deployment (scope and region) and
    service tier: (route, the source's name of the model, component, the other dimensions)."""
    return (
        o.route,
        o.source_model,
        o.component,
        o.dimensions.without_deployment().without(_TIER).key,
    )


def _off_own_prices(valid: Sequence[Observation]) -> list[Problem]:
    """A source's token prices a slip off the same model's other prices it states beside
    them, where the two are bound to be near (judged within the source, so on a first load
    too):
    - a standard input or output price and its batch or flex price (`DISCOUNTED_TIERS`) at the
      same deployment whose ratio is outside DISCOUNT_BAND: one of the two is in another unit
      or mistyped, and nothing in the source says which, so both are set aside
      (DISCOUNT_OFF_STANDARD_RULE). Fault round h51: Azure's six gpt-4o-2024-11-20 token
      meters relabelled "1M" at their per-1K prices entered verified at 0.0025 into an empty
      catalog, beside their own batch meters at 1.25, and set aside the secondaries' right
      prices as a power of ten off them; OpenAI's page with gpt-4o's standard output typed
      $100 beside its batch $5 entered verified, and so did Gemini's flash-lite output at $4
      beside its batch $0.20. On a route's official pricing page, whose tables' headings
      name the tiers (`_headed_tiers`), a discounted price above its standard one is such a
      slip too: one model's "Standard" and "Batch" headings exchanged on the Gemini page, read
      into an empty catalog, entered 2.5 Pro's input verified at its batch price (a listing
      names the tier in the model's id instead: OpenRouter's own glm-5.2:batch is dearer);
    - a reasoning-token price tenfold or more off the output price of the same model and
      dimensions (reasoning is billed as output: the recorded world's ratios are 0.38 to 5):
      the reasoning price is set aside (REASONING_OFF_OUTPUT_RULE; a fault round, LiteLLM's
      `output_cost_per_reasoning_token` x1000, entered gemini-2.5-flash-lite's at 400 beside
      its output's 0.4).
    A standard price of the same model at a deployment with no discounted price of its own, at
    about one of those set aside (within PREMIUM), goes with them: the meters relabelled for
    every deployment at once, the regional ones without a batch meter. A price outside its
    unit's band is plausibility's rule's (catalog/plausibility.py) and judges nothing here (its
    batch price, right, is kept). The fields stand as last stated; each is an anomaly to
    review."""
    standard: dict[tuple[str, str, Component, str], Observation] = {}
    discounted: list[tuple[tuple[str, str, Component, str], Observation]] = []
    outputs: dict[tuple[str, str, str], Observation] = {}
    reasoning: list[Observation] = []
    for o in valid:
        if o.kind is not _PRICE or o.scheduled or o.unit is not Unit.PER_1M_TOKENS or not o.value:
            continue
        if implausible(o.value, o.unit):  # outside its unit's band: plausibility's to say
            continue
        tier = o.dimensions.get(_TIER)
        if o.component in _IN_OUT:
            key = (o.route, o.source_model, o.component, _without_tier(o.dimensions.key))
            if tier is None:
                standard[key] = o
            elif tier in DISCOUNTED_TIERS:
                discounted.append((key, o))
        if o.component is Component.OUTPUT and tier is None:
            outputs[o.route, o.source_model, o.dimensions.key] = o
        elif o.component is Component.REASONING:
            reasoning.append(o)
    problems: list[Problem] = []
    seen: set[int] = set()
    doubted: dict[tuple[str, str, Component, str], list[Decimal]] = defaultdict(list)
    for key, cheaper in discounted:
        found = standard.get(key)
        if found is None:
            continue
        ratio = cheaper.value / found.value
        within = DISCOUNT_BAND[0] < ratio < DISCOUNT_BAND[1]
        if within and (ratio <= 1 or not _headed_tiers(found, cheaper)):
            continue
        why = (
            f"its {cheaper.dimensions.get(_TIER)} price {cheaper.value} is {ratio:f} times its "
            f"standard price {found.value} (one of the two in another unit, mistyped, or "
            "under the other's heading)"
            if within
            else f"its {cheaper.dimensions.get(_TIER)} price {cheaper.value} is "
            f"{ratio:f} times its standard price {found.value} (one of the two in another "
            "unit, or mistyped)"
        )
        doubted[_deployments_of(found)].append(found.value)
        for o in (found, cheaper):
            if id(o) not in seen:
                seen.add(id(o))
                problems.append(
                    _set_aside(
                        o,
                        DISCOUNT_OFF_STANDARD_RULE,
                        f"{o.measure.text()} = {o.value} {o.unit.value}: {why}",
                    )
                )
    # the same model's standard price at a deployment without a discounted price of its own,
    # where it is one of those doubted (within a deployment's premium): the same slip
    for o in standard.values() if doubted else ():
        if id(o) in seen:
            continue
        like = [
            v for v in doubted.get(_deployments_of(o), ()) if 1 / PREMIUM < o.value / v < PREMIUM
        ]
        if like:
            problems.append(
                _set_aside(
                    o,
                    DISCOUNT_OFF_STANDARD_RULE,
                    f"{o.measure.text()} = {o.value} {o.unit.value}: the model's standard price "
                    f"at its other deployments, {like[0]}, is a slip off their discounted "
                    "price (one of the two in another unit, or mistyped)",
                )
            )
    for o in reasoning:
        output = outputs.get((o.route, o.source_model, o.dimensions.key))
        if output is not None and jumped(output.value, o.value):
            problems.append(
                _set_aside(
                    o,
                    REASONING_OFF_OUTPUT_RULE,
                    f"{o.measure.text()} = {o.value} {o.unit.value}: {o.value / output.value:f} "
                    f"times the model's output price {output.value} (reasoning is billed as "
                    "output)",
                )
            )
    return problems


def _headed_tiers(standard: Observation, discounted: Observation) -> bool:
    """Whether both prices are an official pricing page's table rows (`record_table`), whose
    headings name their tiers."""
    return (
        bool(record_table(standard.record))
        and bool(record_table(discounted.record))
        and is_official(discounted.source, discounted.route)
    )


FIELDS_SWAPPED_RULE = "at another field's price"
SWAP_BLOCK = 5  # models of a route whose prices moved to another field's: a block
# The token prices a model's columns state, each a field another column's heading may be read as.
_SWAPPABLE = (Component.INPUT, Component.OUTPUT, Component.CACHE_READ, Component.CACHE_WRITE)


def _fields_swapped(
    valid: Sequence[Observation], known: KnownPrice, tiers: ContextTiers
) -> list[Problem]:
    """A source's token prices that moved from their field's `known` value (as the source last
    stated it, else the catalog's in force, else what the other sources state alike:
    `_known_or_stated`) to exactly the known value of another price field
    of the same model, unit and dimensions (its input to its output's, its output to its cache
    read's), or to exactly the known price of the field's own context tier (`tiers`: its input
    to its input above 200000 tokens, a tier's price read as the base price: a fault round,
    LiteLLM's map with every base price at its above-200k one, 40 price changes onto an
    epoch-1 catalog, vertex claude-sonnet-4-5 input 3 -> 6), where at least SWAP_BLOCK models
    of a route moved so and they are most of that route's moved token prices, or of its moved
    prices of that component (one column: a fault round, Vercel's cache writes at their input
    prices, 13 official price changes onto an epoch-1 catalog among the route's real
    repricings): two columns' headings swapped over their cells, or one column's prices copied
    over another's (a fault round:
    Anthropic's page with its Input and Output headings swapped opened 20 official price
    changes, every Claude input x5 and output /5; OpenAI's with Cached input and Output, 8
    output prices /8). Set aside (FIELDS_SWAPPED_RULE: an anomaly to review), with the prices
    of fields new to the source at another field's known price beside such a block (OpenAI's
    gpt-image-1 text output, a '-' under Output read as its cached input's $1.25: proposed as
    a new value, it stayed open once the page was right, a field left out being an absence);
    the fields stand as last stated."""
    # by route, and by route and component (one column): the token prices off their known
    # value, and those of them at another field's known price
    moved: dict[str | tuple[str, Component], int] = defaultdict(int)
    block: dict[str | tuple[str, Component], list[Observation]] = defaultdict(list)
    candidates: list[tuple[Observation, Decimal | None]] = []  # moved, or new to the source
    for o in valid:
        if o.kind is not _PRICE or o.scheduled or o.unit is not Unit.PER_1M_TOKENS:
            continue
        if o.component not in _SWAPPABLE:
            continue
        own = known(price_key(o))
        if own == o.value:
            continue
        candidates.append((o, own))
        if own is not None:
            at_another = _at_another_field(o, known, tiers) is not None
            # A column moved by a power of ten is the rescale rules' (`slipped`), not a copy:
            # a cache read x10 lands on its input's price wherever a read costs a tenth of it
            # (a fault round's LiteLLM azure block x10 read as copied columns, whose items
            # stayed open once the block was right again).
            rescaled = bool(own) and power_of_ten(o.value / own) != 0
            for scope in (o.route, (o.route, o.component)):
                moved[scope] += 1
                if at_another and not (rescaled and scope != o.route):
                    block[scope].append(o)
    swapped = {
        scope: found
        for scope, found in block.items()
        if len({o.model or o.source_model for o in found}) >= SWAP_BLOCK
        and 2 * len(found) > moved[scope]
    }
    # The blocks' prices at another field's (model, unit, dimensions, that field, their own):
    # that field moved to their known price is the exchange's other half.
    columns = {c.value for c in _SWAPPABLE}
    exchanged: set[tuple[str, str, str, str, str, str]] = set()
    for o, _own in candidates:
        if any(s in swapped for s in (o.route, (o.route, o.component))):
            other = _at_another_field(o, known, tiers)
            if other in columns:
                route, model, component, unit, dims = price_key(o)
                exchanged.add((route, model, unit, _without_lifetime(dims), str(other), component))
    # The source's moved prices of fields with a known context tier or of a tier, and those of
    # them at exactly their own tier's price or their base's (not by a power of ten): a block
    # is the whole response's, as a tier's key read for the base one, or the base's for a
    # tier's (a fault round, from public reports of long-context cache prices left at the
    # base's: LiteLLM's map so opened 17 price changes onto an epoch-1 catalog), is read so
    # for every provider of a map.
    tiered = [
        o
        for o, own in candidates
        if own is not None and (tiers.get(key := price_key(o)) or _CONTEXT_ABOVE in key[4])
    ]
    at_tier = [
        o
        for o in tiered
        if (other := _at_another_field(o, known, tiers)) is not None
        and other not in columns
        and power_of_ten(o.value / (known(price_key(o)) or o.value)) == 0
    ]
    tier_block = (
        {id(o) for o in at_tier}
        if len({o.model or o.source_model for o in at_tier}) >= SWAP_BLOCK
        and 2 * len(at_tier) > len(tiered)
        else set()
    )
    problems: list[Problem] = []
    for o, own in candidates:  # in the source's order; a new field only beside a block
        found_in = next((s for s in (o.route, (o.route, o.component)) if s in swapped), None)
        other = _at_another_field(o, known, tiers)
        if other is None:
            if own is not None and (mirror := _exchanged_onto(o, exchanged, columns)):
                # its new value no known field's, but a field exchanged with it moved onto
                # its known price: the exchange's other half says what it is
                problems.append(
                    _set_aside(
                        o,
                        FIELDS_SWAPPED_RULE,
                        f"{o.measure.text()} = {o.value} {o.unit.value}: not its {own}, "
                        f"while its {mirror} moved to its {own}, one of a block of "
                        f"{o.route} {mirror} prices at another field's (the two exchanged)",
                    )
                )
            continue
        if found_in is None and id(o) in tier_block:
            problems.append(
                _set_aside(
                    o,
                    FIELDS_SWAPPED_RULE,
                    f"{o.measure.text()} = {o.value} {o.unit.value}: its {other} price, not its "
                    f"{own}, as {len(at_tier)} of the {len(tiered)} prices of or with a context "
                    "tier it moved are their tier's or their base's (one read as the other)",
                )
            )
            continue
        if found_in is None:
            route, model, component, unit, dims = price_key(o)
            half = (route, model, unit, _without_lifetime(dims), component, other)
            if own is not None and half in exchanged:
                problems.append(
                    _set_aside(
                        o,
                        FIELDS_SWAPPED_RULE,
                        f"{o.measure.text()} = {o.value} {o.unit.value}: its {other} price, "
                        f"not its {own}, while its {other} moved to its {own}, one of a block "
                        f"of {route} {other} prices at another field's (the two exchanged)",
                    )
                )
            continue
        what = (
            f"{o.route} token prices" if found_in == o.route else f"{o.route} {o.component} prices"
        )
        why = (
            f"as {len(swapped[found_in])} of the {moved[found_in]} {what} it moved are another "
            "field's (two columns' headings swapped, or one column copied over another)"
        )
        problems.append(
            _set_aside(
                o,
                FIELDS_SWAPPED_RULE,
                f"{o.measure.text()} = {o.value} {o.unit.value}: its {other} price, "
                + (f"not its {own}, " if own is not None else "a field new to it, ")
                + why,
            )
        )
    return problems


def _exchanged_onto(o: Observation, exchanged: Set[tuple[str, ...]], columns: Set[str]) -> str:
    """The column (`columns`) of `o`'s model, unit and dimensions that moved onto `o`'s known
    price in a swapped block (`exchanged`: route, model, unit, dimensions without a cache
    lifetime, the field landed on, the field that moved); '' for none."""
    route, model, component, unit, dims = price_key(o)
    plain = _without_lifetime(dims)
    return next(
        (c for c in sorted(columns) if (route, model, unit, plain, component, c) in exchanged), ""
    )


CACHE_WRITE_AT_READ_RULE = "a cache write at its cache read's price"


def _cache_writes_at_reads(valid: Sequence[Observation]) -> list[Problem]:
    """A route's cache writes each at exactly its own cache read's price (the same model, unit
    and dimensions but the cache lifetime; neither 0), across at least SWAP_BLOCK models and
    most of the route's cache writes the source states beside a read: one column's prices
    copied over the other's, judged within the response alone, so on a first load too (a
    fault round: OpenRouter's listing with every cache write at its cache read's price entered
    49 cache writes verified at the read's, claude-haiku-latest 0.1 for 1.25; onto an epoch-1
    catalog it opened 18 price changes). A write costs more than a read wherever a provider
    prices both (the recorded world has such equal pairs for at most three models of a
    route, and never for most of one). Set aside (CACHE_WRITE_AT_READ_RULE: an anomaly to
    review); the fields stand as last stated."""
    reads: dict[PriceKey, Decimal] = {}
    for o in valid:
        if o.kind is _PRICE and not o.scheduled and o.component is _CACHE_READ and o.value:
            reads[price_key(o)] = o.value
    beside: dict[str, int] = defaultdict(int)  # by route: its cache writes beside a read
    at_read: dict[str, list[Observation]] = defaultdict(list)
    for o in valid:
        if o.kind is not _PRICE or o.scheduled or o.component is not _CACHE_WRITE or not o.value:
            continue
        route, model, _, unit, _ = price_key(o)
        read = reads.get((route, model, _CACHE_READ.value, unit, o.dimensions.without(_TTL).key))
        if read is None:
            continue
        beside[route] += 1
        if read == o.value:
            at_read[route].append(o)
    problems: list[Problem] = []
    for route, found in at_read.items():
        if len({o.model or o.source_model for o in found}) < SWAP_BLOCK:
            continue
        if 2 * len(found) <= beside[route]:
            continue
        why = (
            f"as {len(found)} of the {beside[route]} {route} cache writes it states beside a "
            "read are at theirs"
        )
        problems += [
            _set_aside(
                o,
                CACHE_WRITE_AT_READ_RULE,
                f"{o.measure.text()} = {o.value} {o.unit.value}: its cache read's price, {why}",
            )
            for o in found
        ]
    return problems


def _known_or_stated(
    valid: Sequence[Observation],
    known: KnownPrice,
    in_force: Mapping[PriceKey, Decimal],
    stated: Callable[[], Mapping[str, Mapping[PriceKey, Decimal]]],
) -> KnownPrice:
    """`known`, and for the token price fields (_SWAPPABLE, USD per 1M tokens) of the models
    whose prices `known` knows nothing of (a first load, models new to the catalog and to the
    source) what the other sources state alike this run (catalog.health `reference_for`: at
    least AGREEING of them; `stated()` asked only where at least SWAP_BLOCK models have such
    prices). Two columns' headings swapped on a first load are judged so (a fault round: OpenAI's
    page with its Standard table's Input and Output headings swapped, read into an empty
    catalog, entered gpt-4o's input verified at $10 and 90 prices so, while every other source
    stated $2.50)."""
    unknown = [
        price_key(o)
        for o in valid
        if o.kind is _PRICE
        and not o.scheduled
        and o.unit is Unit.PER_1M_TOKENS
        and o.component in _SWAPPABLE
        and known(price_key(o)) is None
    ]
    if len({key[1] for key in unknown}) < SWAP_BLOCK:
        return known
    wanted: dict[PriceKey, Decimal] = {}
    for own in unknown:  # the field and each field another heading may be read as
        for key in (own, *(key for _, key in _other_columns(own))):
            if known(key) is None:
                wanted[key] = Decimal(0)
    reference = reference_for(valid[0].source, wanted, in_force, stated)

    def known_or_stated(key: PriceKey) -> Decimal | None:
        price = known(key)
        return reference.get(key) if price is None else price

    return known_or_stated


def _at_another_field(o: Observation, known: KnownPrice, tiers: ContextTiers) -> str | None:
    """The other token price field of `o`'s model, unit and dimensions whose known price is
    exactly `o`'s value (the first of _SWAPPABLE), else the field's own context tier (of
    `tiers`) whose known price is (a tier's price read as the base price), named; else None."""
    route, model, component, unit, dims = key = price_key(o)
    for other, other_key in _other_columns(key):
        if known(other_key) == o.value:
            return other.value
    for tier in tiers.get(key, ()):
        if known((route, model, component, unit, tier)) == o.value:
            return f"{component} ({tier})"
    if _CONTEXT_ABOVE in dims:  # a tier's price read as the base price's (a fault round)
        base = Dims.parse(dims).without(Dim.CONTEXT_ABOVE).key
        if known((route, model, component, unit, base)) == o.value:
            return f"{component} ({base or 'no context tier'})"
    return None


# The context tiers (Dims.key) a field is known at, by the field without its tier.
ContextTiers = Mapping[PriceKey, Sequence[str]]
_CONTEXT_ABOVE = f"{Dim.CONTEXT_ABOVE.value}="
_CACHE_TTL = f"{Dim.CACHE_TTL.value}="
_LIFETIMES = sorted(DIMENSION_VALUES[Dim.CACHE_TTL])


def _other_columns(key: PriceKey) -> Iterator[tuple[Component, PriceKey]]:
    """The other token price fields (_SWAPPABLE) of `key`'s model and unit that the heading of
    its column may be read as, each with its key: every other such field at the same
    dimensions; and across the cache lifetime, which only a cache write states, the cache write
    at each lifetime for a field stating none, or the other fields without it for a cache write
    stating one (a fault round: Anthropic's page with its Output and 1h Cache Writes headings
    swapped entered 20 Claude outputs verified at their 1h write's price on a first load)."""
    route, model, component, unit, dims = key
    for other, text in _SWAPPABLE_TEXT:
        if text != component:
            yield other, (route, model, text, unit, dims)
    if component == _CACHE_WRITE_TEXT and _CACHE_TTL in dims:
        bare = _without_lifetime(dims)
        for other, text in _SWAPPABLE_TEXT:
            if other is not _CACHE_WRITE:
                yield other, (route, model, text, unit, bare)
    elif component != _CACHE_WRITE_TEXT and _CACHE_TTL not in dims:
        for lived in _with_lifetimes(dims):
            yield _CACHE_WRITE, (route, model, _CACHE_WRITE_TEXT, unit, lived)


@lru_cache(maxsize=4096)  # a run's prices share a few hundred dimension sets
def _with_lifetimes(dims: str) -> tuple[str, ...]:
    """The Dims.key `dims` at each cache lifetime of the vocabulary (_LIFETIMES), in order."""
    stated = Dims.parse(dims)
    return tuple(Dims.of({**stated, Dim.CACHE_TTL.value: lived}).key for lived in _LIFETIMES)


def _without_lifetime(dims: str) -> str:
    """A Dims.key without its cache lifetime: where two exchanged columns meet whose fields
    differ by it (`_other_columns`)."""
    return Dims.parse(dims).without(Dim.CACHE_TTL).key if _CACHE_TTL in dims else dims


def _context_tiers(keys: Iterable[PriceKey]) -> ContextTiers:
    """The context tiers among `keys` (a price above N tokens), each under its field without
    the tier: the prices a base price may be judged against as its own tier's."""
    tiers: dict[PriceKey, set[str]] = defaultdict(set)
    for key in keys:
        if _CONTEXT_ABOVE in key[4]:
            base = Dims.parse(key[4]).without(Dim.CONTEXT_ABOVE).key
            tiers[(*key[:4], base)].add(key[4])
    return {key: sorted(found) for key, found in tiers.items()}


_CACHE_READ = Component.CACHE_READ
_CACHE_WRITE = Component.CACHE_WRITE
_CACHE_WRITE_TEXT = _CACHE_WRITE.value
_SWAPPABLE_TEXT = tuple((c, c.value) for c in _SWAPPABLE)  # a member's .value is a descriptor call
_TTL = Dim.CACHE_TTL
_DISCOUNTED_COMPONENTS = frozenset({Component.INPUT, Component.OUTPUT, _CACHE_READ})


def _rescaled_without_history(
    valid: Sequence[Observation],
    before: Mapping[PriceKey, Decimal],
    in_force: Mapping[PriceKey, Decimal],
    stated: Callable[[], Mapping[str, Mapping[PriceKey, Decimal]]],
    vendors: Callable[[], Mapping[PriceKey, Decimal]] = dict,
    set_aside: Sequence[Observation] = (),
) -> list[Problem]:
    """A source's prices of fields it has no history of (none of its last applied statements,
    `before`: a first load, a provider block new to it, or one set aside the day before), in
    each block (a route, or one deployment of it: `_Moves`) where most of those a reference
    prices stand at one power of ten from it, across at least RESCALE_MODELS models: one
    provider block of its listing rescaled, read with nothing of its own to be judged by (a
    fault round: LiteLLM's every `bedrock/` price x1000 loaded into an empty catalog; its bare
    prices, which Portkey and models.dev state, were disagreements, but its regional and
    data-zone ones, which only it states, went in as 170 values at a thousand times). The
    reference is the catalog's value in force or what other sources state alike (catalog.health
    `reference_for`); for a deployment's price (a scope, a region) that has neither, the
    reference's value of the same model's bare price (`_bare_reference`), or else the source's
    own where its bare prices are no block, within a deployment's premium
    (`_about_a_power_of_ten`); a price none of these judge is judged by the same model's field
    on other routes (`_elsewhere`: equal to one of them, or exactly one power of ten from all
    of at least AGREEING), which lets a column (one field of one namespace's ids) be a block
    of its own. Each price of the block but those the reference confirms is set
    aside (SLIPPED_RULE): the ones no other source states are in the same block. A block set
    aside stays so while the source states it (a regression round: the next day's body,
    re-serialized, proposed it as new values). The prices validation already set aside
    (`set_aside`) are counted in their blocks, not set aside again: a block /1000 loses most
    of its prices to the magnitude check (a fault round: LiteLLM's `bedrock` prices /1000 on
    a first load lost 378 so, and the 46 left, a minority, entered at a thousandth)."""
    keyed = [(o, price_key(o)) for o in valid if o.kind is _PRICE and not o.scheduled]
    fresh = [(o, key) for o, key in keyed if o.value != 0 and key not in before]
    counted = [
        (o, key)
        for o in set_aside
        if o.kind is _PRICE
        and not o.scheduled
        and o.value != 0
        and (key := price_key(o)) not in before
    ]
    if not fresh or len(fresh) + len(counted) < RESCALE_PAIRS:
        return []
    prices = {key: o.value for o, key in (*counted, *fresh)}
    stating = {key: o.value for o, key in keyed}
    # the fresh prices and the bare fields of the same models beside them, which the source
    # may not state (Azure states every price for a deployment): the reference's bare value
    # judges a deployment's price the reference does not hold
    wanted = dict(prices)
    for key in prices:
        if (plain := _bare_key(key)) != key:
            wanted[plain] = stating.get(plain, _NOT_STATED)
    reference = reference_for(fresh[0][0].source, wanted, in_force, stated, vendors)
    beside = _bare_reference(prices, reference)
    moves = _Moves({key: _namespace(o) for o, key in (*counted, *fresh)})
    for key, value in prices.items():
        if known := reference.get(key):
            moves.add(key, power_of_ten(value / known) if value != known else 0, referenced=True)
        elif bare := beside.get(key):
            moves.add(key, _about_a_power_of_ten(value / bare))
    # A deployment's price no reference judges is judged by the source's own bare price of the
    # model, where its bare prices are no block: a provider's cross-region keys rescaled alone.
    blocks = moves.blocks()
    unjudged = {k: v for k, v in prices.items() if k not in reference and k not in beside}
    own = _bare_reference(unjudged, stating)
    for key, bare in own.items():
        if (key[0], "") not in blocks:
            moves.add(key, _about_a_power_of_ten(unjudged[key] / bare))
    # A price nothing above judges is judged by the same model's field on other routes, where
    # enough of them are to make a block: a column of a reseller's listing in another unit (a
    # fault probe: Vercel's web search per search, 0.01, where its listing and every other
    # route state 10 per 1K searches, entered 40 prices verified on a first load).
    lone = {k for k in unjudged if k not in own}
    elsewhere = (
        _elsewhere(fresh[0][0].source, lone, stated)
        if lone and (blocks or len(lone) >= RESCALE_PAIRS)
        else {}
    )
    # Judged so only at exactly one power of ten from every one of them, or equal to one: a
    # reseller's own prices differ from others' by any factor (models.dev's qihang-ai sells at
    # a seventh, which a deployment's premium, `_about_a_power_of_ten`, would take for a
    # tenth), and a price they do not judge so is no price of a block's either way.
    for key, found in elsewhere.items():
        exponents = {power_of_ten(unjudged[key] / price) for price in found}
        if unjudged[key] in found:
            moves.add(key, 0)
        elif len(exponents) == 1 and (exponent := exponents.pop()):
            moves.add(key, exponent)
    blocks = moves.blocks()
    if not blocks:
        return []
    problems: list[Problem] = []
    for obs, key in fresh:
        if implausible(obs.value, obs.unit):  # set aside by plausibility's rule; still counted
            continue
        if exponent := moves.moved(blocks, key):
            if reference.get(key) == obs.value:
                continue
            where = f"{obs.route} ({_deployment(key) or 'no deployment'})"
            why = (
                f"most of the {where} prices it states without a history of its own stand at "
                f"{Decimal(10) ** exponent:f} times what others state"
            )
        elif exponent := _off_elsewhere(key, obs.value, elsewhere.get(key), blocks):
            why = (
                f"no other source states it, and it stands at {Decimal(10) ** exponent:f} times "
                f"the model's price on every other route, as a block of its {obs.route} prices "
                "moved so"
            )
        else:
            continue
        problems.append(
            _set_aside(
                obs,
                SLIPPED_RULE,
                f"{obs.measure.text()} = {obs.value} {obs.unit.value}: {why} (one block of "
                "its listing rescaled)",
            )
        )
    return problems


# A power of ten no repricing moves a price by, only a unit read for another (per 1K for per
# 1M tokens): a page table so moved is rescaled however few models it prices.
UNIT_EXPONENT = 3


def _rescaled_tables(
    valid: Sequence[Observation],
    before: Mapping[PriceKey, Decimal],
    in_force: Mapping[PriceKey, Decimal],
    stated: Callable[[], Mapping[str, Mapping[PriceKey, Decimal]]],
    set_aside: Sequence[Observation] = (),
) -> list[Problem]:
    """The prices of a page's table (its rows' records, `record_table`: a page states its
    unit once per table or section) most of whose judged prices stand at one power of ten
    from what judges them, across at least RESCALE_PAIRS prices and RESCALE_MODELS models: the
    table read in another unit. Each price is judged by the source's own last applied
    statement of its field (`before`), else the catalog's value in force (`in_force`), else
    what the other sources state alike (`reference_for`, `stated()` asked only then); the
    prices validation already set aside (`set_aside`: the dearer ones fall to the magnitude
    check) are counted, not set aside again. Of such a table, each price neither its history
    nor a value in force judges is set aside (SLIPPED_RULE), the ones nothing else states
    too; those with a value in force are the catalog's anomaly to review (catalog/compare.py).
    A fault probe: OpenAI's "Prices per 1M tokens." read as per 1K rescaled its text-token
    tables, a third of the page's prices, too few for the page to read as rescaled
    (`rescaled_response`); the values in force were judged, but new models' prices
    (gpt-5.2-chat-latest's cache read 175, LiteLLM's 0.175 beside it) were proposed at a
    thousand times. The rest of the page applies: one table is a block of it, as a
    namespace is of a listing (`_rescaled_without_history`). A table of fewer models (the
    Gemini page's, one model's each) is one at a thousand times or more (UNIT_EXPONENT: a
    price per 1K read per 1M, never a repricing): a fault probe's 2.5 Pro section headed "per
    1K tokens" lost most of its prices to the magnitude check and entered the rest (cache read
    125, batch input 625) verified on a first load."""
    tables: dict[tuple[str, str], list[tuple[Observation, PriceKey]]] = defaultdict(list)
    for obs in chain(valid, set_aside):
        priced = obs.kind is _PRICE and obs.value != 0 and not obs.scheduled
        if priced and (table := record_table(obs.record)):
            tables[obs.url, table].append((obs, price_key(obs)))
    tables = {where: rows for where, rows in tables.items() if len(rows) >= RESCALE_PAIRS}
    if not tables:
        return []
    unjudged = {
        key: obs.value
        for rows in tables.values()
        for obs, key in rows
        if key not in before and key not in in_force
    }
    source = next(iter(tables.values()))[0][0].source
    reference = reference_for(source, unjudged, {}, stated) if unjudged else {}
    counted = {id(o) for o in set_aside}
    rescaled: dict[tuple[str, str], tuple[Decimal, str]] = {}  # (url, table) -> factor, why
    unjudged_tables: list[tuple[str, str]] = []
    for (url, table), rows in sorted(tables.items(), key=lambda item: item[0]):
        judged = 0
        moved: Counter[int] = Counter()
        models: dict[int, set[str]] = defaultdict(set)
        for obs, key in rows:
            known = before.get(key) or in_force.get(key) or reference.get(key)
            if not known:
                continue
            judged += 1
            confirmed = obs.value == known or obs.value == in_force.get(key)
            if not confirmed and (exponent := power_of_ten(obs.value / known)):
                moved[exponent] += 1
                models[exponent].add(key[1])
        found = [
            exponent
            for exponent, count in moved.items()
            if count > judged * COLLAPSE_RATIO
            and count >= RESCALE_PAIRS
            and (len(models[exponent]) >= RESCALE_MODELS or abs(exponent) >= UNIT_EXPONENT)
        ]
        if found:
            factor = Decimal(10) ** found[0]
            why = (
                f"most of the prices of its {table} that anything judges stand at {factor:f} "
                f"times what judges them (the table read in another unit; the response of {url})"
            )
            rescaled[url, table] = (factor, why)
        elif judged * 2 < len(rows):
            unjudged_tables.append((url, table))
    # A table nothing much judges, of the models of a table read in another unit on the same
    # page, is of their section (Gemini's Batch table beside its Standard one, both headed "per
    # 1K tokens"): read in that unit too.
    for url, table in unjudged_tables:
        its_models = {key[1] for _, key in tables[url, table]}
        for (other_url, other), (factor, _) in rescaled.items():
            if other_url == url and its_models <= {key[1] for _, key in tables[url, other]}:
                rescaled[url, table] = (
                    factor,
                    f"nothing much judges its {table}, and its models' {other} on the page "
                    f"stands at {factor:f} times what judges it (their section read in another "
                    f"unit; the response of {url})",
                )
                break
    problems: list[Problem] = []
    for (url, table), (_, why) in sorted(rescaled.items()):
        for obs, key in tables[url, table]:
            if (
                id(obs) in counted
                or key in before
                or key in in_force
                or reference.get(key) == obs.value
                or implausible(obs.value, obs.unit)
            ):
                continue
            problems.append(
                _set_aside(
                    obs, SLIPPED_RULE, f"{obs.measure.text()} = {obs.value} {obs.unit.value}: {why}"
                )
            )
    return problems


def _elsewhere(
    source: str,
    keys: Iterable[PriceKey],
    stated: Callable[[], Mapping[str, Mapping[PriceKey, Decimal]]],
) -> dict[PriceKey, set[Decimal]]:
    """For each of a source's fields `keys`, the prices the other sources state this run
    (`stated()`) of the same model's same field (component, unit, dimensions but scope and
    region) on other routes, where at least AGREEING of them state it: what the model costs
    elsewhere (one source alone may be the one wrong)."""
    wanted: dict[tuple[str, str, str, str], list[PriceKey]] = defaultdict(list)
    for key in keys:
        bare = _bare_key(key)
        wanted[bare[1], bare[2], bare[3], bare[4]].append(key)
    measures = {field[:3] for field in wanted}
    # each wanted field's statements by the others: (route, price, source)
    theirs_of: dict[tuple[str, str, str, str], list[tuple[str, Decimal, str]]] = defaultdict(list)
    everyone = Statements.of(stated())
    for other in everyone:
        if other == source:
            continue
        by_measure = everyone.by_measure(other)
        for key, value in chain.from_iterable(by_measure.get(m, ()) for m in measures):
            if value and (field := (key[1], key[2], key[3], _bare_dims(key[4]))) in wanted:
                theirs_of[field].append((key[0], value, other))
    found: dict[PriceKey, set[Decimal]] = {}
    for field, stating in theirs_of.items():
        for route in {mine[0] for mine in wanted[field]}:
            elsewhere = [(value, other) for at, value, other in stating if at != route]
            if len({other for _, other in elsewhere}) >= AGREEING:
                prices = {value for value, _ in elsewhere}
                found.update((mine, prices) for mine in wanted[field] if mine[0] == route)
    return found


def _off_elsewhere(
    key: PriceKey,
    value: Decimal,
    elsewhere: set[Decimal] | None,
    blocks: Mapping[tuple[str, str], int],
) -> int:
    """The power of ten a price no reference judges stands at from every price of the same
    model's field on other routes (`elsewhere`, each within a deployment's premium of it:
    `_about_a_power_of_ten`), where a block of the same route moved by that power (`blocks`);
    0 otherwise. A fault round: LiteLLM's `bedrock` prices /1000 on a first load, its entries
    of other Bedrock APIs right beside them in the same deployments, so most of those
    deployments' prices did not move; 46 prices only LiteLLM states entered at a thousandth,
    claude-3-7-sonnet's input at 0.0036 beside its 3 on every other route."""
    if not elsewhere:
        return 0
    moved = {exponent for (route, _), exponent in blocks.items() if route == key[0]}
    found = {_about_a_power_of_ten(value / price) for price in elsewhere}
    if len(found) == 1 and (exponent := found.pop()) in moved:
        return exponent
    return 0


WHOLE_ROUTE = "*"  # a `_Moves` block of every deployment of a route
_NAMESPACE = "ns:"  # a `_Moves` block of a route's ids in one namespace: "ns:anthropic"
_COLUMN = "column:"  # a `_Moves` block of one field of a namespace's ids: `_column`


def _column(key: PriceKey, namespace: str) -> str:
    """The `_Moves` block of a price's field across the models of the route's ids in one
    `namespace` (`_namespace`; WHOLE_ROUTE for ids without one): its component, unit and
    dimensions, a deployment's too (a deployment's prices are keys of their own in a map). One
    column of a listing, which a source states in one unit for every model; another namespace
    is another vendor's block (OpenRouter's `~anthropic/` aliases beside its `anthropic/`
    ids)."""
    return f"{_COLUMN}{namespace} {key[2]} {key[3]} {key[4]}"


_NOT_STATED = Decimal(0)  # a bare field's value in `wanted` the source does not state (unused)


class _Moves:
    """Of a source's prices judged against a reference, how many each block (route and
    deployment, `_deployment`; the route's ids of one namespace, `_namespace`; and each whole
    route, WHOLE_ROUTE) holds, and how many of them moved by each power of ten, of which
    models. `namespaces`: each field's namespace, as the source's id of its model names it."""

    def __init__(self, namespaces: Mapping[PriceKey, str]) -> None:
        self.namespaces = namespaces
        self.pairs: Counter[tuple[str, str]] = Counter()
        self.moves: Counter[tuple[str, str]] = Counter()
        self.counts: Counter[tuple[str, str, int]] = Counter()
        self.models: dict[tuple[str, str, int], set[str]] = {}
        self.referenced: set[PriceKey] = set()

    def add(self, key: PriceKey, exponent: int, referenced: bool = False) -> None:
        """One price of field `key`, `exponent` powers of ten from its reference (0: not);
        `referenced`: judged by the field's own reference (the value in force, the others'
        alike), so a column block does not take it (`moved`)."""
        if referenced:
            self.referenced.add(key)
        for block in ((key[0], _deployment(key)), *self._wider(key)):
            self.pairs[block] += 1
            if exponent:
                self.moves[block] += 1
                self.counts[*block, exponent] += 1
                self.models.setdefault((*block, exponent), set()).add(key[1])

    def _wider(self, key: PriceKey) -> tuple[tuple[str, str], ...]:
        """The blocks of field `key` wider than its deployment: its namespace's (where its id
        has one), its column's (`_column`), its whole route's."""
        namespace = self.namespaces.get(key, WHOLE_ROUTE)
        column = (key[0], _column(key, namespace))
        if namespace == WHOLE_ROUTE:
            return (column, (key[0], WHOLE_ROUTE))
        return ((key[0], _NAMESPACE + namespace), column, (key[0], WHOLE_ROUTE))

    def moved(self, blocks: Mapping[tuple[str, str], int], key: PriceKey) -> int:
        """The power of ten the block of field `key` moved by (0: none): its deployment's, its
        namespace's (one vendor's ids of a reseller's listing, every deployment and tier of
        them: a fault round, OpenRouter's 28 `anthropic/` ids x1000 on a first load entered
        their batch and 1-hour cache write prices, which no reference states, verified at a
        thousandfold), its column's (one field of one namespace's ids, deployment included:
        Vercel's `web_search` written per search for 40 models) where no reference judges the
        price itself (`referenced`), or its whole route's, unless at least RESCALE_PAIRS of that
        deployment's prices were judged and most did not move (a provider's bare prices right
        beside its cross-region keys rescaled)."""
        block = (key[0], _deployment(key))
        if block in blocks:
            return blocks[block]
        namespace = self.namespaces.get(key, WHOLE_ROUTE)
        if namespace != WHOLE_ROUTE and (found := blocks.get((key[0], _NAMESPACE + namespace))):
            return found
        # a column takes the prices nothing of their own field judges: one its reference
        # judges moved is that field's (at another field's price is a column copied over it,
        # `_fields_swapped`'s: Anthropic's cache reads at their inputs, a tenfold block)
        column = blocks.get((key[0], _column(key, namespace)))
        if column and key not in self.referenced:
            return column
        judged = self.pairs[block]
        if judged >= RESCALE_PAIRS and self.moves[block] <= judged * COLLAPSE_RATIO:
            return 0
        return blocks.get((key[0], WHOLE_ROUTE), 0)

    def blocks(self) -> dict[tuple[str, str], int]:
        """(route, deployment) -> the power of ten most of its prices moved by, across at least
        RESCALE_PAIRS prices and RESCALE_MODELS models."""
        return {
            (route, deployment): exponent
            for (route, deployment, exponent), count in self.counts.items()
            if count > self.pairs[route, deployment] * COLLAPSE_RATIO
            and count >= RESCALE_PAIRS
            and len(self.models[route, deployment, exponent]) >= RESCALE_MODELS
        }


def _deployment(key: PriceKey) -> str:
    """The deployment a price's field is of, as one block of a listing groups them: its scope,
    "region" for a region alone, "" for none (a provider's cross-region keys can be rescaled
    apart from its bare ones: a regression round)."""
    return _deployment_of(key[4])


@cache
def _deployment_of(dims: str) -> str:
    """`_deployment` of a stored dimensions key (a run's prices state a few hundred)."""
    found = ""
    for name, _, value in (part.partition("=") for part in dims.split(";") if part):
        if name == _SCOPE:
            return value
        if name == _REGION:
            found = "region"
    return found


def _bare_reference(
    prices: Mapping[PriceKey, Decimal], reference: Mapping[PriceKey, Decimal]
) -> dict[PriceKey, Decimal]:
    """For each of a source's deployment prices (a scope, a region) that `reference` does not
    price, the reference's value of the same model's bare price (the field without scope and
    region), where it has one."""
    beside: dict[PriceKey, Decimal] = {}
    for key in prices:
        if key in reference or not _deployment(key):
            continue
        if known := reference.get(_bare_key(key)):
            beside[key] = known
    return beside


def _bare_key(key: PriceKey) -> PriceKey:
    """The field `key` names without its deployment (scope and region); `key` itself if it
    names none."""
    bare = _bare_dims(key[4])
    return key if bare == key[4] else (*key[:4], bare)


@cache
def _bare_dims(dims: str) -> str:
    """A stored dimensions key without its deployment (scope and region): `dims` itself where
    it names none (a run's prices state a few hundred keys)."""
    if not _deployment_of(dims):
        return dims
    return ";".join(p for p in dims.split(";") if not p.startswith(_DEPLOYMENT_DIMS))


# A deployment's premium over its bare price, at most (Azure's data zones and regions, Bedrock's
# cross-region profiles: a tenth or so): a ratio within this factor of a power of ten is one.
PREMIUM = Decimal(2)


def _about_a_power_of_ten(ratio: Decimal) -> int:
    """The exponent of the power of ten `ratio` is within a factor PREMIUM of (3 for 1100, -3
    for 0.0009); 0 for one within that factor of 1, and for any other ratio."""
    if ratio <= 0:
        return 0
    exponent = int(ratio.log10().to_integral_value())
    scaled = ratio.scaleb(-exponent)
    return exponent if 1 / PREMIUM < scaled < PREMIUM else 0


def _namespace(obs: Observation) -> str:
    """The namespace a source's id of the model names, the part before its last "/"
    ("anthropic" of OpenRouter's "anthropic/claude-sonnet-4.5", "openrouter/anthropic" of
    LiteLLM's "openrouter/anthropic/claude-3.5-sonnet"); WHOLE_ROUTE for an id without one."""
    namespace, slash, _ = obs.source_model.rpartition("/")
    return namespace if slash else WHOLE_ROUTE


def _rescaled_blocks(
    valid: Sequence[Observation],
    before: Mapping[PriceKey, Decimal],
    in_force: Mapping[PriceKey, Decimal],
) -> set[tuple[str, str, int]]:
    """(route, block, power of ten) of each block of a source's prices with a history (its own
    last applied statement of the field) most of which moved by that one power of ten, across
    at least RESCALE_MODELS models: one provider block of its listing rescaled. A block is a
    whole route (WHOLE_ROUTE: a fault round, LiteLLM's every `bedrock/` price x1000 proposed as
    new models' prices, which no other source states, so no other source still stated the old
    ones), or the prices of a route whose ids share a namespace (`_namespace`: fault round 50,
    OpenRouter's `anthropic/` prices x1000, a small share of its route, whose batch prices no
    other source states passed into new-model items). A few models' prices moved so (a source
    correcting its own error) are no block, nor is a move back to the value in force
    (`in_force`: the source recovering from a rescaled block, read the day before)."""
    pairs: Counter[tuple[str, str]] = Counter()
    moves: dict[tuple[str, str, int], set[str]] = {}
    counts: Counter[tuple[str, str, int]] = Counter()
    for obs in valid:
        if obs.kind is not _PRICE or obs.value == 0 or obs.scheduled:
            continue
        field = price_key(obs)
        last = before.get(field)
        if not last:
            continue
        moved = last != obs.value and obs.value != in_force.get(field)
        exponent = power_of_ten(obs.value / last) if moved else 0
        for block in {WHOLE_ROUTE, _namespace(obs)}:
            pairs[obs.route, block] += 1
            if exponent:
                counts[obs.route, block, exponent] += 1
                moves.setdefault((obs.route, block, exponent), set()).add(field[1])
    return {
        (route, block, exponent)
        for (route, block, exponent), count in counts.items()
        if count > pairs[route, block] * COLLAPSE_RATIO
        and count >= RESCALE_PAIRS
        and len(moves[route, block, exponent]) >= RESCALE_MODELS
    }


OFF_OFFICIAL_RULE = "a power of ten off every official scope's price"
_SCOPE = Dim.SCOPE.value
_REGION = Dim.REGION.value
_DEPLOYMENT_DIMS = (f"{_SCOPE}=", f"{_REGION}=")  # a stored dimensions key's deployment parts


# An official deployment price set aside: (route, model, field without scope and region, value).
DoubtedScope = tuple[str, str, Measure, Decimal]


def doubted_scopes(intakes: Iterable[SourceIntake]) -> frozenset[DoubtedScope]:
    """The deployment prices (a scope, a region) the official sources' judgment set aside
    (`intakes`: theirs), each as DoubtedScope: in doubt, they judge no other source's price."""
    return frozenset(
        (
            o.route,
            o.model,
            Measure(o.kind, o.component, o.unit, o.dimensions.without_deployment()),
            o.value,
        )
        for intake in intakes
        for p in intake.problems
        if (o := p.observation) is not None
        and o.model is not None
        and (_SCOPE in o.dimensions or _REGION in o.dimensions)
    )


def off_official_scopes(
    valid: Sequence[Observation],
    scopes: OfficialScopes,
    official: Callable[[str], bool],
    in_force: Mapping[PriceKey, Decimal],
    doubted: Set[DoubtedScope] = frozenset(),
) -> list[Problem]:
    """A secondary's prices stated with no deployment (scope or region), of a field the route's
    official source prices by deployment (`scopes`, catalog.identity.OfficialScopes: Azure's
    meters, by scope, or by region alone), that are tenfold or more off every deployment's
    official price, or zero beside them
    (catalog.plausibility `jumped`), and off every scope's price the catalog holds in force
    (`in_force`, catalog.runlog.prices_in_force: what the official vouched for before, standing
    in for a meter of its own that moved this run and teaches no scope): no deployment of the
    model is priced so, and left without a scope the statement would be proposed as a field of
    its own (a fault round: LiteLLM's `azure/gpt-4.1-mini` stated per 1K tokens, 400 beside
    Azure's 0.4 per 1M, proposed as a new unscoped price). Set aside (OFF_OFFICIAL_RULE: an
    anomaly to review); the field stands as last stated. `official(route)`: whether the source
    speaks for the route (its prices are the scopes' own, never judged here). `doubted`: the
    official deployment prices their source's own judgment set aside this run (`doubted_scopes`),
    which judge nothing (a fault round: Azure's meters relabelled per 1M, set aside as moved by
    a power of ten on a first load, set aside 359 right unscoped prices of four secondaries)."""
    problems: list[Problem] = []
    held: dict[PriceKey, set[Decimal]] | None = None  # in force by field without scope, if asked
    for obs in valid:
        if obs.kind is not _PRICE or obs.model is None or obs.scheduled:
            continue
        if _SCOPE in obs.dimensions or _REGION in obs.dimensions or official(obs.route):
            continue
        by_scope = scopes.prices.get((obs.route, obs.model, obs.measure))
        if by_scope and doubted:
            by_scope = {
                scope: kept
                for scope, prices in by_scope.items()
                if (
                    kept := {
                        v for v in prices if (obs.route, obs.model, obs.measure, v) not in doubted
                    }
                )
            }
        if not by_scope or not all(
            jumped(price, obs.value) for prices in by_scope.values() for price in prices
        ):
            continue
        if held is None:
            held = _in_force_without_scope(in_force)
        field = (obs.route, obs.model, obs.component.value, obs.unit.value, obs.dimensions.key)
        if not all(jumped(price, obs.value) for price in held.get(field, ())):
            continue
        stated = "; ".join(
            f"{scope or 'by region alone'} {', '.join(str(p) for p in sorted(prices))}"
            for scope, prices in sorted(by_scope.items())
        )
        problems.append(
            _set_aside(
                obs,
                OFF_OFFICIAL_RULE,
                f"{obs.route}/{obs.model} {obs.measure.text()} = {obs.value} "
                f"{obs.unit.value} with no deployment scope: the route's official source "
                f"states {stated}",
            )
        )
    return problems


def _in_force_without_scope(in_force: Mapping[PriceKey, Decimal]) -> dict[PriceKey, set[Decimal]]:
    """The catalog's prices in force of fields stated with a deployment (a scope, a region or
    both), by the field without its scope and region."""
    out: dict[PriceKey, set[Decimal]] = {}
    for (route, model, component, unit, dims), value in in_force.items():
        if f"{_SCOPE}=" in dims or f"{_REGION}=" in dims:
            bare = Dims.parse(dims).without_deployment()
            out.setdefault((route, model, component, unit, bare.key), set()).add(value)
    return out


def rescaled_response(
    valid: Sequence[Observation],
    before: Mapping[PriceKey, Decimal],
    in_force: Mapping[PriceKey, Decimal] | None = None,
    stated: Callable[[], Mapping[str, Mapping[PriceKey, Decimal]]] = dict,
    vendors: Callable[[], Mapping[PriceKey, Decimal]] = dict,
) -> str:
    """Why a source's prices are rescaled ('' when they are not): judged over all of them, then
    over each response's (one file of Portkey's 46, one of OpenRouter's two listings), since
    one response in another unit is a small share of the source's prices but every price it
    states is wrong (`catalog.health.rescaled`). The reason names the response.

    All of them are judged against a reference (catalog.health.reference_for: `in_force`, the
    catalog's values in force by field, or what the other sources state, `stated()`), so that a
    source read for the first time is judged too; then all of them, and each response's,
    against `before` (its prices in its last applied run), unless they agree with the
    reference. A source whose prices all moved from its last applied run and agree with the
    reference is right again (that run was the rescaled one): its history judges none of its
    responses. One response with no history of its own (fewer than RESCALE_PAIRS of its fields
    priced in the source's last applied run) is judged against the reference, over the prices
    no other source states alike this run (a provider's real repricing, stated by the others
    too, is none), where those moved are of at least RESCALE_MODELS models: a source's own file
    can state a few models' prices in another unit than the other sources (Portkey's
    minimax.json, recorded, two models at a hundredth of everyone else's), which is that
    source's disagreement on those models, reviewed as such; one file of a source read for the
    first time with every price x100 (a fault round: Portkey's openai.json, 1,185 prices,
    proposed as new models' prices) has no history to be judged by but the other sources. A
    response with a history is judged by it: one unchanged since, behind a repricing the
    catalog took in, lags (its disagreement), and fails nothing (a regression round: Portkey's
    mistral-ai.json failed every Portkey file after a tenfold cut was approved)."""
    prices = prices_by_field(valid)
    source = valid[0].source if valid else ""
    reference = reference_for(source, prices, in_force or {}, stated, vendors)
    whole = rescaled(prices, reference, IN_FORCE)
    if whole:
        return whole
    if before:
        if agrees(prices, reference):
            if rescaled(prices, before):
                return ""  # right again after a rescaled run: that run's prices judge nothing
        else:
            whole = rescaled(prices, before)
            if whole:
                return whole
    by_url: dict[str, list[Observation]] = {}
    for obs in valid:
        by_url.setdefault(obs.url, []).append(obs)
    if len(by_url) < 2:
        return ""
    for url, at_url in sorted(by_url.items()):
        there = prices_by_field(at_url)
        if sum(1 for key in there if before.get(key)) < RESCALE_PAIRS:
            # no history of its own to judge it by: the reference, but for what another
            # source states alike (a provider's real repricing, stated by the others too)
            found = rescaled(
                _unconfirmed(there, source, stated), reference, IN_FORCE, RESCALE_MODELS
            )
        else:
            found = "" if agrees(there, reference) else rescaled(there, before)
        if found:
            return f"{found} (the response of {url})"
    return ""


def _unconfirmed(
    prices: Mapping[PriceKey, Decimal],
    source: str,
    stated: Callable[[], Mapping[str, Mapping[PriceKey, Decimal]]],
) -> dict[PriceKey, Decimal]:
    """Of a source's `prices`, those no other source states alike this run (`stated()`)."""
    others = [found for name, found in stated().items() if name != source]
    return {
        key: value
        for key, value in prices.items()
        if not any(found.get(key) == value for found in others)
    }


# The rules that judge a price by what other sources state where the source has no history of
# it (a first load, a field set aside before) and otherwise only in a block: the next reading
# of the same statements may not see the block, or the first load's references, again.
RESTATED_RULES = frozenset({SLIPPED_RULE, FIELDS_SWAPPED_RULE})


def _set_aside_again(
    valid: Sequence[Observation],
    last: Sequence[Problem],
    in_force: Mapping[PriceKey, Decimal],
    stated: Callable[[], Mapping[str, Mapping[PriceKey, Decimal]]],
) -> list[Problem]:
    """Of a source's prices (`valid`), those its last applied run set aside by a rule judged in
    context (`last`: RESTATED_RULES, store.last_set_aside) and
    that it states again at the same value, where the catalog's value in force is another and
    no other source states that value this run (`stated()`, asked only then): set aside again,
    by the same rule with the same detail, so the anomaly that reports it stays as it was. A
    response restated with the same content (re-serialized, another commit of a map) is read
    again, and a rule that judged a price by what the source stated beside it, or by the other
    sources on a first load, may not see the same again (a fault probe: LiteLLM's map
    re-indented, its azure_ai Llama-4-Maverick input and output exchanged were set aside on the
    first load "at another field's price", and the next day two disagreements proposed the
    exchanged values); an identical response is confirmed unchanged and stays so anyway. A
    value another source now states too, or the catalog holds (a reviewer took it), is judged
    anew. Each price once; a rule that would set one aside this run too gives way to this
    (`_judge_one`): the exchanged pair above is `_exchanged_pairs`' the next day, in words of
    its own that would supersede the anomaly."""
    if not last:
        return []
    held = {
        (price_key(o), o.value): p
        for p in last
        if (o := p.observation) is not None and o.kind is _PRICE and not o.scheduled
    }
    again: list[tuple[Observation, PriceKey, Problem]] = []
    for o in valid:
        if o.kind is _PRICE and not o.scheduled:
            key = price_key(o)
            if (found := held.get((key, o.value))) and in_force.get(key) != o.value:
                again.append((o, key, found))
    if not again:
        return []
    others = stated()
    return [
        Problem(
            source=o.source, record=o.record, rule=found.rule, detail=found.detail, observation=o
        )
        for o, key, found in again
        if not any(s != o.source and p.get(key) == o.value for s, p in others.items())
    ]


def _set_aside(obs: Observation, rule: str, statement: str) -> Problem:
    """The problem that sets `obs` aside for `rule` (its source's, quarantined with the value):
    the detail is `statement` (what was stated and why it is in doubt) and the evidence the
    source gave for it, in parentheses."""
    return Problem(
        source=obs.source,
        record=obs.record,
        rule=rule,
        detail=f"{statement} ({obs.evidence})",
        observation=obs,
    )
