"""The Pandera gate on real observation batches and on broken variants made from them."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import cast

import pytest
from pandera.errors import SchemaErrors

from schemas.batch import (
    ACROSS_ROWS,
    STATED_TWICE_RULE,
    UNIQUENESS,
    ObservationBatch,
    frame_value,
    to_frame,
    validate,
    validate_by_source,
)
from schemas.records import Observation, decimal_text
from tests.observed import LITELLM, OPENROUTER_AUGUST, observe


@pytest.fixture(scope="module")
def litellm() -> list[Observation]:
    return observe(
        *LITELLM,
        known=("gpt-4o", "gpt-oss-120b"),
    )


def pick(found: list[Observation], source_model: str, component: str, **dims: str) -> Observation:
    return next(
        o
        for o in found
        if o.source_model == source_model
        and o.component.value == component
        and o.dimensions == dims
        and o.unit.value == "usd_per_1m_tokens"
    )


def test_real_batch_quarantines_only_the_unit_slips(litellm: list[Observation]) -> None:
    valid, problems = validate(litellm)
    assert len(valid) + len(problems) == len(litellm)
    magnitude = [p for p in problems if "magnitude" in p.rule]
    quarantined = [p.observation for p in magnitude if p.observation is not None]
    wandb = {o.source_model for o in quarantined if o.route == "wandb"}
    assert "wandb/openai/gpt-oss-120b" in wandb and len(wandb) >= 10
    slip = next(o for o in quarantined if o.source_model == "wandb/openai/gpt-oss-120b")
    assert slip.source == "litellm" and slip.value in {Decimal(15000), Decimal(60000)}
    assert all("usd_per_1m_tokens" in p.detail for p in magnitude if p.observation is slip)
    assert not [p for p in problems if "greater_than_or_equal_to" in p.rule]


def test_negative_price_is_quarantined_with_its_rule(litellm: list[Observation]) -> None:
    target = pick(litellm, "gpt-4o", "input")
    broken = [replace(o, value=Decimal("-2.5")) if o is target else o for o in litellm]
    valid, problems = validate(broken)
    [problem] = [p for p in problems if p.record == target.record and "greater" in p.rule]
    assert problem.observation is not None and problem.observation.value == Decimal("-2.5")
    assert target not in valid and len(valid) + len(problems) == len(broken)


def test_cache_read_dearer_than_input_is_quarantined(litellm: list[Observation]) -> None:
    target = pick(litellm, "gpt-4o", "cache_read")
    broken = [replace(o, value=Decimal("99")) if o is target else o for o in litellm]
    _, problems = validate(broken)
    assert [p.rule for p in problems if p.record == target.record] == ["cache_read_le_input"]


def test_context_tiers_must_ascend(litellm: list[Observation]) -> None:
    tier = next(
        o
        for o in litellm
        if "context_above" in o.dimensions and o.component.value == "input" and o.model
    )
    broken = [replace(o, value=Decimal("0")) if o is tier else o for o in litellm]
    _, problems = validate(broken)
    [problem] = [
        p
        for p in problems
        if p.record == tier.record
        and p.observation is not None
        and p.observation.measure == tier.measure
    ]
    assert problem.rule == "tiers_ascending"


def test_one_source_stating_two_values_for_one_field_is_quarantined(
    litellm: list[Observation],
) -> None:
    target = pick(litellm, "gpt-4o", "output")
    twin = replace(target, value=Decimal("11"), record="copy of gpt-4o")
    _, problems = validate([*litellm, twin])
    unique = {p.record: p.detail for p in problems if STATED_TWICE_RULE in p.rule}
    assert {target.record, "copy of gpt-4o"} <= set(unique)
    # each names every statement of the field: both records and their values
    stated = f"{target.record} {decimal_text(target.value)}"
    for record in (target.record, "copy of gpt-4o"):
        assert stated in unique[record] and "copy of gpt-4o 11" in unique[record], unique[record]
    _, untouched = validate(litellm)
    assert target.record not in {p.record for p in untouched if STATED_TWICE_RULE in p.rule}


def test_value_finer_than_the_frame_holds_is_flagged_not_rounded(
    litellm: list[Observation],
) -> None:
    target = pick(litellm, "gpt-4o", "input")
    fine = replace(target, value=Decimal("2.5E-21"))
    _, problems = validate([fine])
    [problem] = problems
    assert "isin" in problem.rule and problem.observation == fine
    assert "0.0000000000000000000025" in problem.detail


@pytest.mark.parametrize("stated", ["1E+8", "1E+18", "1E+400", "1E+10000000", "NaN", "Infinity"])
def test_a_value_beyond_the_frame_is_a_problem_never_an_error(
    litellm: list[Observation], stated: str
) -> None:
    """OpenRouter stating 100 USD per token is 10^8 per 1M: the gate flags it, the rest pass."""
    target = pick(litellm, "gpt-4o", "input")
    absurd = replace(target, value=Decimal(stated))
    batch = [absurd if o is target else o for o in litellm]
    valid, problems = validate(batch)
    [problem] = [p for p in problems if p.observation == absurd]
    assert problem.rule in {"out_of_range", "magnitude"}
    assert len(problem.detail) < 500
    assert len(valid) == len(validate(litellm)[0]) - 1


def test_checks_join_on_explicit_keys_when_a_key_is_stated_twice(
    litellm: list[Observation],
) -> None:
    """Two records stating one key (a source listing a model twice) neither shift the
    cache-read verdicts onto other rows nor raise: each cache read is judged against its own
    record's input, and the right rows are named, once each."""
    inputs = pick(litellm, "gpt-4o", "input")
    cache = pick(litellm, "gpt-4o", "cache_read")
    cheaper = replace(inputs, value=cache.value / 2, record="gpt-4o again")
    dearer_read = replace(cache, value=cache.value * 3 / 4, record="gpt-4o again")
    valid, problems = validate([cheaper, dearer_read, *litellm])
    named = {(p.record, p.observation.value if p.observation else None) for p in problems}
    cache_rules = {
        (p.record, p.observation.value if p.observation else None)
        for p in problems
        if "cache_read_le_input" in p.rule
    }
    # above its own record's input (cache / 2), and below the first record's
    assert cache_rules == {("gpt-4o again", dearer_read.value)}
    assert {(inputs.record, inputs.value), ("gpt-4o again", cheaper.value)} <= named
    assert (cache.record, cache.value) in named  # stated twice, beside the other record's
    assert len(valid) + len(problems) == len(litellm) + 2


def test_tier_verdicts_do_not_depend_on_row_order(litellm: list[Observation]) -> None:
    """A tier stated twice (a tie): every order of the batch gives the same verdicts."""
    tier = next(
        o
        for o in litellm
        if "context_above" in o.dimensions and o.component.value == "input" and o.model
    )
    twin = replace(tier, value=Decimal("0"), record="tier twin")
    verdicts = set()
    for batch in ([twin, *litellm], [*litellm, twin], [*reversed(litellm), twin]):
        _, problems = validate(batch)
        verdicts.add(frozenset((p.record, p.rule) for p in problems))
    assert len(verdicts) == 1
    [found] = verdicts
    assert any(r == "tier twin" and "tiers_ascending" in rule for r, rule in found)


def test_sources_validated_together_get_the_verdicts_each_gets_alone(
    litellm: list[Observation],
) -> None:
    """One frame for two sources: each source's valid rows and problems, in order, are what
    validating it alone gives, with faults in both (a cache read above its input, a tier
    below the one beneath it, a value stated twice, one beyond the frame), and a row of one
    source that would break a check if keyed without the source (the same field as the other
    source's, at another value) judged on its own source's rows only."""
    openrouter = observe(*OPENROUTER_AUGUST)
    tier = next(o for o in litellm if "context_above" in o.dimensions and o.model)
    cache = pick(litellm, "gpt-4o", "cache_read")
    broken_litellm = [
        replace(o, value=Decimal("0"))
        if o is tier
        else replace(o, value=Decimal(99))
        if o is cache
        else o
        for o in litellm
    ] + [replace(litellm[0], value=Decimal("1E+400"), record="beyond")]
    twin = replace(openrouter[0], value=openrouter[0].value + 1, record="stated twice")
    mimic = replace(cache, source="openrouter", value=Decimal("0.01"), record="same field")
    broken_openrouter = [*openrouter, twin, mimic]
    together = validate_by_source([*broken_litellm, *broken_openrouter])
    assert together == {
        "litellm": validate(broken_litellm),
        "openrouter": validate(broken_openrouter),
    }
    rules = {p.record: p.rule for p in together["litellm"][1]}
    assert rules[cache.record] == "cache_read_le_input" and rules["beyond"] == "out_of_range"
    assert (
        STATED_TWICE_RULE in {p.record: p.rule for p in together["openrouter"][1]}["stated twice"]
    )


def whole_frame_rules(found: list[Observation]) -> dict[int, set[str]]:
    """What Pandera alone finds over the whole batch as one frame: each failing observation's
    position with its rules."""
    values = [frame_value(o.value) for o in found]
    assert all(v is not None for v in values)
    try:
        ObservationBatch.validate(to_frame(found, cast(list[Decimal], values)), lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return {}
    rules: dict[int, set[str]] = {}
    for case in cases.iter_rows(named=True):
        rows = range(len(found)) if case["index"] is None else [int(case["index"])]
        for row in rows:
            rules.setdefault(row, set()).add(str(case["check"]))
    return rules


def test_validation_names_every_rule_pandera_finds_on_each_broken_row(
    litellm: list[Observation],
) -> None:
    """On a real batch broken in every way the schema names, validate flags exactly the
    observations, with exactly the rules, that Pandera's failure cases name over the whole
    frame, less the checks across rows on the rows failing a check of their own, and with
    the checks across rows judged over the frame without those rows (a negative input is no
    input a cache read is dearer than); it keeps every other observation in order."""
    gpt4o = {c: pick(litellm, "gpt-4o", c) for c in ("input", "output", "cache_read")}
    tier = next(
        o
        for o in litellm
        if "context_above" in o.dimensions and o.component.value == "input" and o.model
    )
    broken = {
        gpt4o["input"]: replace(gpt4o["input"], value=Decimal("-1")),
        gpt4o["cache_read"]: replace(gpt4o["cache_read"], value=Decimal("99")),
        tier: replace(tier, value=Decimal("0")),
    }
    batch = [broken.get(o, o) for o in litellm]
    batch += [
        replace(gpt4o["output"], value=Decimal("11"), record="twin"),
        replace(gpt4o["output"], model="", record="no model"),
        replace(gpt4o["output"], model="m" * 301, record="long model"),
        replace(gpt4o["output"], value=Decimal("2.5E-21"), record="too fine"),
    ]
    first = whole_frame_rules(batch)
    assert len(set().union(*first.values())) >= 7
    own = {i: rules - ACROSS_ROWS for i, rules in first.items() if rules - ACROSS_ROWS}
    rest = [i for i in range(len(batch)) if i not in own]
    checks = own | {rest[j]: r for j, r in whole_frame_rules([batch[i] for i in rest]).items()}
    # as a problem names them: Pandera's uniqueness check is the rule 'stated twice'
    expected = {
        i: ", ".join(sorted(STATED_TWICE_RULE if r == UNIQUENESS else r for r in rules))
        for i, rules in checks.items()
    }
    # the twin still conflicts with the output it is stated beside; the too-fine output is
    # quarantined for its own rule alone
    twin, too_fine = len(batch) - 4, len(batch) - 1
    assert STATED_TWICE_RULE in expected[twin]
    assert UNIQUENESS in first[too_fine] and expected[too_fine] == "isin([True])"
    valid, problems = validate(batch)
    position = {id(o): i for i, o in enumerate(batch)}
    found = {position[id(p.observation)]: p.rule for p in problems if p.observation}
    assert found == expected
    assert [position[id(o)] for o in valid] == [i for i in range(len(batch)) if i not in expected]


def test_a_value_rounding_up_to_the_frames_limit_is_a_problem_never_an_error(
    litellm: list[Observation],
) -> None:
    """Just under 10^18 with more places than the frame holds rounds to 10^18, which the frame
    cannot hold: out of range, like 10^18 itself, not a crash."""
    target = pick(litellm, "gpt-4o", "input")
    edge = replace(target, value=Decimal("999999999999999999.999999999999999999999"))
    valid, problems = validate([edge if o is target else o for o in litellm])
    [problem] = [p for p in problems if p.observation == edge]
    assert problem.rule == "out_of_range"
    assert len(valid) == len(validate(litellm)[0]) - 1
