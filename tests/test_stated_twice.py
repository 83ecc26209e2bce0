"""A source stating one field of one (route, model) with two values in one run.

Two of a source's ids can name one catalog model: models.dev lists alibaba-cn's
`deepseek-r1-0528` beside `siliconflow/deepseek-r1-0528` (context 131072 and 163840), LiteLLM
`moonshotai.kimi-k2.5` beside `bedrock/moonshotai.kimi-k2.5` (output $3 and $3.03 per 1M). Which
one the source means cannot be told: its statements of that field are its own problem
(STATED_TWICE_RULE, naming every id and value), not a disagreement between sources that a
reviewer could settle by choosing one; its other fields of the model are kept, and nothing is
proposed on the field from them. Read from the recorded epoch-2 responses.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

import pytest

from catalog import intake
from catalog.compare import Comparison, Context, compare
from catalog.identity import Identity
from catalog.intake import SourceIntake
from schemas.batch import STATED_TWICE_RULE
from schemas.records import Observation
from schemas.sources import sources
from schemas.vocab import Component, Kind
from tests.observed import world_drafts

NOW = datetime(2026, 8, 22, tzinfo=UTC)

# (source, route, model, kind, component): {the source's id: the value it states}
STATED_TWICE = {
    ("modelsdev", "alibaba-cn", "deepseek-r1-0528", Kind.LIMIT, Component.CONTEXT_WINDOW): {
        "alibaba-cn/deepseek-r1-0528": "131072",
        "alibaba-cn/siliconflow/deepseek-r1-0528": "163840",
    },
    ("litellm", "bedrock", "kimi-k2.5", Kind.PRICE, Component.OUTPUT): {
        "moonshotai.kimi-k2.5": "3",
        "bedrock/moonshotai.kimi-k2.5": "3.03",
    },
}


@cache
def intakes() -> dict[str, SourceIntake]:
    """models.dev and LiteLLM of epoch-2, read and validated together as a refresh does."""
    drafts = [world_drafts("modelsdev"), world_drafts("litellm")]
    return {found.source: found for found in intake.validate_each(drafts, Identity.load())}


@cache
def first_load() -> Comparison:
    """The two sources' valid statements compared with an empty catalog (accept-new)."""
    found = intakes().values()
    configured = sources()
    ctx = Context(
        run_id=1,
        now=NOW,
        accept_new=True,
        official=lambda source, route: configured[source].is_official(route),
        complete_sources=frozenset(),
    )
    return compare(
        [o for f in found for o in f.valid], {}, {}, [p for f in found for p in f.problems], ctx
    )


def _states(obs: Observation, source: str, route: str, model: str, kind: Kind, part: str) -> bool:
    """Whether `obs` is `source`'s statement of the field (no dimensions: LiteLLM's regional
    entries of the model, e.g. bedrock/us-east-1/moonshotai.kimi-k2.5, are other fields)."""
    stated = (obs.source, obs.route, obs.model, obs.kind, obs.component, obs.dimensions.key)
    return stated == (source, route, model, kind, part, "")


@pytest.mark.parametrize("case", sorted(STATED_TWICE), ids=lambda case: case[0])
def test_a_field_one_source_states_twice_differently_is_its_problem(
    case: tuple[str, str, str, Kind, Component],
) -> None:
    source, route, model, _, _ = case
    stated = STATED_TWICE[case]
    found = intakes()[source]
    twice = [p for p in found.problems if p.observation and _states(p.observation, *case)]
    assert {p.record for p in twice} == set(stated)
    for problem in twice:
        assert problem.rule == STATED_TWICE_RULE
        for record, value in stated.items():
            assert f"{record} {value}" in problem.detail, problem.detail
    assert not [o for o in found.valid if _states(o, *case)]
    # its other statements of the model stand
    assert [o for o in found.valid if (o.route, o.model) == (route, model)]
    anomaly = next(
        i
        for i in first_load().items
        if (i.kind.value, i.route, i.model, i.sources) == ("anomaly", route, model, [source])
    )
    assert STATED_TWICE_RULE in anomaly.title
    assert all(f"{record} {value}" in anomaly.detail for record, value in stated.items())


@pytest.mark.parametrize("case", sorted(STATED_TWICE), ids=lambda case: case[0])
def test_no_item_proposes_on_a_field_stated_twice(
    case: tuple[str, str, str, Kind, Component],
) -> None:
    source, route, model, kind, component = case
    result = first_load()
    for item in result.items:
        if (item.route, item.model) != (route, model):
            continue
        for change in item.changes:
            if (change.kind, change.component, change.dimensions.key) == (kind, component, ""):
                assert source not in {s.source for s in change.sources}, item.title
    assert not [
        n
        for n in result.new_values
        if (n.field.route, n.field.model, n.field.measure.kind, n.field.measure.component)
        == (route, model, kind, component)
        and not n.field.measure.dims.key
        and n.accepted_source == source
    ]


def test_no_change_cites_one_source_with_two_values() -> None:
    """Whatever field: a review item's change never cites one source with two values."""
    for item in first_load().items:
        for change in item.changes:
            values: dict[str, set[str]] = defaultdict(set)
            for cited in change.sources:
                values[cited.source].add(cited.value)
            assert all(len(v) == 1 for v in values.values()), item.title


def test_another_sources_statement_of_the_field_goes_on() -> None:
    """LiteLLM's bedrock/kimi-k2.5 output is ambiguous; models.dev states it once ($3): that
    value enters the first load as usual, models.dev's alone."""
    [entered] = [
        n
        for n in first_load().new_values
        if (n.field.route, n.field.model, n.field.measure.kind, n.field.measure.component)
        == ("bedrock", "kimi-k2.5", Kind.PRICE, Component.OUTPUT)
        and not n.field.measure.dims.key
    ]
    assert (entered.value, entered.accepted_source) == (Decimal(3), "modelsdev")
    assert {o.source for o in entered.confirmations} == {"modelsdev"}
