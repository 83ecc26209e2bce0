"""The compare rules on observations made from recorded responses (no I/O, no Prefect)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from catalog.compare import (
    MISSING_AFTER,
    Comparison,
    Context,
    Current,
    Listing,
    _accept_alone,
    _accept_new,
    _field_ids,
    compare,
)
from catalog.identity import Identity
from catalog.normalize import learn_official_models, observations
from schemas.field import Dims, FieldId, ListingId, Measure
from schemas.records import FieldChange, Observation, Problem, ReviewKind, decimal_text
from schemas.sources import is_official, sources
from schemas.vocab import Component, Kind, Unit
from tests.observed import LITELLM, OPENROUTER_AUGUST, OPENROUTER_MAY, observe, world_drafts

NOW = datetime(2026, 9, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def may() -> list[Observation]:
    return observe(*OPENROUTER_MAY)


@pytest.fixture(scope="module")
def august() -> list[Observation]:
    return observe(*OPENROUTER_AUGUST)


def ctx(accept_new: bool = False, complete: frozenset[str] = frozenset({"openrouter"})) -> Context:
    return Context(
        run_id=2, now=NOW, accept_new=accept_new, official=is_official, complete_sources=complete
    )


def as_catalog(found: list[Observation]) -> dict[FieldId, Current]:
    return {o.field_id(): Current(i, o.value) for i, o in enumerate(found) if o.model}


def find(found: list[Observation], model: str, component: str) -> Observation:
    return next(
        o
        for o in found
        if o.model == model
        and o.component.value == component
        and o.dimensions == {}
        and o.unit.value == "usd_per_1m_tokens"
    )


def test_accept_new_enters_official_values_verified(may: list[Observation]) -> None:
    result = compare(may, {}, {}, [], ctx(accept_new=True))
    input_price = Measure(Kind.PRICE, Component.INPUT, Unit.PER_1M_TOKENS)
    gpt4o = next(
        n for n in result.new_values if n.field == FieldId("openrouter", "gpt-4o", input_price)
    )
    assert gpt4o.value == Decimal("2.5")
    assert gpt4o.verified_by == "openrouter"
    assert gpt4o.verified_at == datetime(2026, 5, 20, tzinfo=UTC)
    assert not result.items


def test_changed_official_price_is_a_review_item_not_an_overwrite(
    may: list[Observation], august: list[Observation]
) -> None:
    result = compare(august, as_catalog(may), {}, [], ctx())
    changes = {
        (i.model, i.changes[0].component.value): i
        for i in result.items
        if i.kind is ReviewKind.PRICE_CHANGE
    }
    item = changes[("deepseek-chat", "input")]
    change = item.changes[0]
    assert (change.current, change.proposed) == ("0.32", "0.2574")
    assert change.pct_change == Decimal("-19.56")  # -19.5625 to the hundredth, half-even
    assert change.sources[0].official and change.sources[0].observed_at.month == 8
    assert item.due_at == NOW + timedelta(hours=48)
    assert not result.new_values


def test_a_change_in_percent_is_a_decimal_to_the_hundredth(
    may: list[Observation], august: list[Observation]
) -> None:
    """Every recorded price change's percent is exact to the hundredth, and its JSON is that
    text: a binary float printed -33.333333333333336 for a third off (the API, `--json`)."""
    result = compare(august, as_catalog(may), {}, [], ctx())
    changes = [c for i in result.items for c in i.changes if c.pct_change is not None]
    assert len(changes) > 100
    for c in changes:
        exact = (Decimal(c.proposed or "") - Decimal(c.current or "")) / Decimal(c.current or "")
        assert c.pct_change == (exact * 100).quantize(Decimal("0.01"))
        assert c.model_dump(mode="json")["pct_change"] == str(c.pct_change)
    thirds = [c for c in changes if str(c.pct_change).endswith(".33")]
    assert thirds, "some recorded change is a third or so: the case a float printed long"
    # an item stored before (its float) reads at the hundredth too
    stored = {**thirds[0].model_dump(mode="json"), "pct_change": -33.333333333333336}
    assert FieldChange.model_validate(stored).pct_change == Decimal("-33.33")
    # beyond the default context's 28 digits at the hundredth: read, not an InvalidOperation
    assert FieldChange.model_validate({**stored, "pct_change": 1e32}).pct_change == Decimal(10**32)


def test_equal_values_are_stamped_again(august: list[Observation]) -> None:
    result = compare(august, as_catalog(august), {}, [], ctx())
    assert not [i for i in result.items if i.kind is not ReviewKind.UNMAPPED]
    assert len(result.stamps) == len([o for o in august if o.model])
    assert all(s.official for s in result.stamps)


def test_secondary_source_disagreeing_with_official_is_a_disagreement(
    august: list[Observation],
) -> None:
    official = find(august, "gpt-4o", "input")
    secondary = replace_value(official, source="litellm", value=Decimal("5"))
    result = compare([official, secondary], as_catalog([official]), {}, [], ctx())
    [item] = result.items
    assert item.kind is ReviewKind.DISAGREEMENT
    assert {(s.source, s.value, s.official) for s in item.changes[0].sources} == {
        ("openrouter", "2.5", True),
        ("litellm", "5", False),
    }
    assert [s.source for s in result.stamps] == ["openrouter"]


def test_new_secondary_value_enters_unverified_with_its_source(august: list[Observation]) -> None:
    secondary = replace_value(find(august, "gpt-4o", "input"), source="litellm")
    result = compare([secondary], {}, {}, [], ctx(accept_new=True))
    [new] = result.new_values
    assert (new.accepted_source, new.verified_by, new.verified_at) == ("litellm", None, None)


def test_a_secondary_proposes_nothing_where_the_official_statement_was_set_aside(
    august: list[Observation],
) -> None:
    """OpenRouter speaks for its route. Its gpt-4o input set aside this run (a problem holding
    its observation: stated twice, implausible) is still its statement of the field: LiteLLM's
    value of a field the catalog lacks proposes nothing there (authority does not lapse), and
    is proposed as usual where the official statement was simply not made."""
    official = find(august, "gpt-4o", "input")
    secondary = replace_value(official, source="litellm", value=Decimal("5"))
    others = [o for o in august if o is not official]
    set_aside = Problem(
        source="openrouter",
        record="openai/gpt-4o",
        rule="stated twice",
        detail="",
        observation=official,
    )

    def proposed(result: Comparison) -> list[str]:
        return [
            s.source
            for item in result.items
            for c in item.changes
            if item.model == "gpt-4o" and c.component is Component.INPUT and not c.dimensions
            for s in c.sources
        ]

    assert proposed(compare([*others, secondary], {}, {}, [], ctx())) == ["litellm"]
    assert proposed(compare([*others, secondary], {}, {}, [set_aside], ctx())) == []


def test_absence_from_complete_listings_opens_an_item_on_the_third(
    august: list[Observation],
) -> None:
    vanished = ListingId("openrouter", "openrouter", "vanished-model")
    listings = {vanished: Listing(1, MISSING_AFTER - 1)}
    held = as_catalog([replace(find(august, "gpt-4o", "input"), model="vanished-model")])
    result = compare(august, held, listings, [], ctx())
    [missing] = [i for i in result.items if i.kind is ReviewKind.MISSING]
    assert missing.model == "vanished-model"
    partial = compare(august, held, listings, [], ctx(complete=frozenset()))
    assert not [i for i in partial.items if i.kind is ReviewKind.MISSING]
    assert vanished not in partial.listings
    # fault round 35: a model the catalog holds no value of on the route is counted absent
    # and opens no item (approving it would close nothing)
    nothing = compare(august, {}, listings, [], ctx())
    assert nothing.listings[vanished].missing_runs == MISSING_AFTER
    assert not [i for i in nothing.items if i.kind is ReviewKind.MISSING]


def test_a_model_named_without_a_value_read_is_not_absent(august: list[Observation]) -> None:
    """A complete listing's model counts as listed when every value of it was set aside (a
    problem holding its observation) or its record named it and could not be read (`named`),
    and only for that source, and only when its listing is complete."""
    model = find(august, "gpt-4o", "input")
    others = [o for o in august if o.model != "gpt-4o"]
    listed = ListingId("openrouter", "openrouter", "gpt-4o")
    listings = {listed: Listing(1, MISSING_AFTER - 1)}
    set_aside = Problem(
        source="openrouter", record="openai/gpt-4o", rule="magnitude", detail="", observation=model
    )
    named = [("openrouter", "openrouter", "gpt-4o")]
    absent = compare(others, as_catalog([model]), listings, [], ctx())
    assert absent.listings[listed].missing_runs == MISSING_AFTER
    assert [i.model for i in absent.items if i.kind is ReviewKind.MISSING] == ["gpt-4o"]
    for problems, names in (([set_aside], []), ([], named)):
        found = compare(others, {}, listings, problems, ctx(), names)
        assert found.listings[listed] == Listing(last_seen_run=2, missing_runs=0)
        assert not [i for i in found.items if i.kind is ReviewKind.MISSING]
    # another source's statement, or an incomplete listing, vouches for nothing
    elsewhere = compare(others, {}, listings, [], ctx(), [("litellm", "openrouter", "gpt-4o")])
    assert elsewhere.listings[listed].missing_runs == MISSING_AFTER
    partial = compare(others, {}, listings, [set_aside], ctx(complete=frozenset()), named)
    assert listed not in partial.listings


def test_repeat_run_gives_the_same_fingerprints(
    may: list[Observation], august: list[Observation]
) -> None:
    first = compare(august, as_catalog(may), {}, [], ctx())
    second = compare(august, as_catalog(may), {}, [], ctx())
    assert [i.fingerprint for i in first.items] == [i.fingerprint for i in second.items]


def replace_value(obs: Observation, **changes: Any) -> Observation:
    return replace(obs, **changes)


def test_unmapped_names_are_grouped_per_source_and_route(august: list[Observation]) -> None:
    unknown = replace_value(find(august, "gpt-4o", "input"), model=None, source_model="x/unknown")
    result = compare([unknown], {}, {}, [], ctx())
    [item] = result.items
    assert item.kind is ReviewKind.UNMAPPED and "x/unknown" in item.detail


@pytest.fixture(scope="module")
def litellm() -> list[Observation]:
    return observe(
        *LITELLM,
        known=("gpt-image-1",),  # an official source lists it in a real refresh
    )


def test_per_pixel_times_pixels_must_equal_per_image(litellm: list[Observation]) -> None:
    consistent = compare(litellm, {}, {}, [], ctx(accept_new=True))
    assert not [i for i in consistent.items if "per-pixel" in i.title]
    pixel = next(
        o
        for o in litellm
        if o.unit.value == "usd_per_pixel"
        and o.route == "openai"
        and o.dimensions.get("size") == "1024x1024"
        and o.model == "gpt-image-1"
        and o.dimensions.get("quality") == "high"
    )
    broken = [replace_value(o, value=o.value * 10) if o is pixel else o for o in litellm]
    result = compare(broken, {}, {}, [], ctx(accept_new=True))
    [item] = [i for i in result.items if "per-pixel" in i.title]
    assert item.kind is ReviewKind.ANOMALY and item.model == "gpt-image-1"
    assert item.title.endswith("per-image price 0.167")
    change = item.changes[0]  # the per-image field: stated 0.167, implied by the pixel price 1.67
    assert (change.unit.value, change.current) == ("usd_per_image", "0.167")
    assert change.proposed is not None and change.proposed.startswith("1.67")


@pytest.mark.parametrize(
    ("factor", "kind", "proposed"),
    [
        ("1000", ReviewKind.ANOMALY, "2500"),
        ("10", ReviewKind.ANOMALY, "25"),  # exactly tenfold: a slipped decimal point
        ("0.1", ReviewKind.ANOMALY, "0.25"),
        ("0", ReviewKind.ANOMALY, "0"),
        ("9.6", ReviewKind.PRICE_CHANGE, "24"),
    ],
)
def test_tenfold_move_is_an_anomaly_not_a_price_change(
    august: list[Observation], factor: str, kind: ReviewKind, proposed: str
) -> None:
    official = find(august, "gpt-4o", "input")
    slipped = replace_value(official, value=official.value * Decimal(factor))
    [item] = compare([slipped], as_catalog([official]), {}, [], ctx()).items
    assert item.kind is kind
    assert (item.changes[0].current, item.changes[0].proposed) == ("2.5", proposed)


def test_new_official_model_names_the_similar_model_that_vanished(
    may: list[Observation], august: list[Observation]
) -> None:
    """A real rename: a model of May's listing is gone in August while a similar name is new."""
    result = compare(august, as_catalog(may), {}, [], ctx())
    renamed = [i for i in result.items if i.kind is ReviewKind.NEW_MODEL and i.detail]
    assert renamed
    for item in renamed:
        gone = item.detail.removeprefix("possibly renamed: no longer listed: ").split(", ")
        may_models = {o.model for o in may}
        august_models = {o.model for o in august}
        assert all(m in may_models and m not in august_models for m in gone)
        assert item.model not in may_models


def test_reseller_must_match_the_vendors_own_price(august: list[Observation]) -> None:
    """OpenRouter passes OpenAI's list prices through (the alias table says so): a difference
    between the two official statements is an anomaly on the reseller's route."""
    gateway = find(august, "gpt-4o", "input")
    vendor = replace_value(gateway, source="openai-page", route="openai", value=Decimal("2.5"))
    rules = Identity.load().same_price
    assert "openrouter" in rules["openai"]
    agree = Context(
        run_id=2,
        now=NOW,
        accept_new=True,
        official=is_official,
        complete_sources=frozenset(),
        same_price=rules,
    )
    assert not compare([vendor, gateway], {}, {}, [], agree).items
    dearer = replace_value(gateway, value=Decimal("3"))
    [item] = compare([vendor, dearer], {}, {}, [], agree).items
    assert (item.kind, item.route, item.model) == (ReviewKind.ANOMALY, "openrouter", "gpt-4o")
    assert (item.changes[0].current, item.changes[0].proposed) == ("2.5", "3")
    assert "routes that must match" in item.title


def _gpt_4o_on_vendor_and_reseller(
    august: list[Observation],
) -> tuple[Observation, Observation, Context]:
    """OpenRouter's recorded gpt-4o input, the same price stated by OpenAI's page on its own
    route, and a review run's context with the routes that must match (the alias table's)."""
    gateway = find(august, "gpt-4o", "input")
    vendor = replace_value(gateway, source="openai-page", route="openai", value=gateway.value)
    review = Context(
        run_id=2,
        now=NOW,
        accept_new=False,
        official=is_official,
        complete_sources=frozenset(),
        same_price=Identity.load().same_price,
    )
    return gateway, vendor, review


@pytest.mark.parametrize("slipped_route", ["openai", "openrouter"])
def test_a_slipped_official_price_accuses_no_other_route(
    august: list[Observation], slipped_route: str
) -> None:
    """A fault round: the vendor's page read as $0 (or the reseller's API) beside the other
    route's right price. The slip is one anomaly on its own route; it is not also set against
    the other route as "routes that must match" (which would say the right price is wrong)."""
    gateway, vendor, review = _gpt_4o_on_vendor_and_reseller(august)
    stated = [
        replace_value(o, value=Decimal(0)) if o.route == slipped_route else o
        for o in (vendor, gateway)
    ]
    [item] = compare(stated, as_catalog([vendor, gateway]), {}, [], review).items
    assert (item.kind, item.route) == (ReviewKind.ANOMALY, slipped_route)
    assert (item.changes[0].current, item.changes[0].proposed) == (decimal_text(gateway.value), "0")
    assert "routes that must match" not in item.title


def _world(world: str, *names: str) -> list[Observation]:
    """These sources' observations as one refresh of a recorded world makes them."""
    batches = [world_drafts(n, world) for n in names]
    identity = Identity.load()
    learn_official_models(identity, batches)
    return [o for b in batches for o in observations(b, identity)]


def test_azure_meters_first_read_after_a_missing_page_are_new_values_not_price_changes() -> None:
    """Epoch-1 (--accept-new) then epoch-2 over Azure Retail Prices and LiteLLM, as recorded.

    Azure's epoch-2 answer restates every meter of its epoch-1 page 1 at the same retailPrice
    and effectiveStartDate; what it adds are the meters of page 2, which epoch-1 never read
    (404). Among them are the Global meters of o1-mini ("o1 mini input glbl" 0.0011 per 1K,
    in force since 2025-04-01). LiteLLM's bare `azure/o1-mini` key states 1.21, the price of
    Azure's Regional meter ("o1 mini input regnl" 0.00121 per 1K, on page 1), so it is the
    Regional price: Azure's first word on the Global price is a new value, not a change of the
    Regional one. Read as Global (the rule before identity's scope reading), LiteLLM's value
    made four false Azure price changes (o1-mini input and cache read, gpt-4o-mini-2024-07-18,
    gpt-4o-mini-tts)."""
    first = compare(
        _world("epoch-1", "azure", "litellm"),
        {},
        {},
        [],
        Context(
            run_id=1,
            now=NOW,
            accept_new=True,
            official=is_official,
            complete_sources=frozenset(),
        ),
    )
    catalog = {n.field: Current(i, n.value, n.verified_by) for i, n in enumerate(first.new_values)}
    second = compare(
        _world("epoch-2", "azure", "litellm"),
        catalog,
        {},
        [],
        Context(
            run_id=2,
            now=NOW,
            accept_new=False,
            official=is_official,
            complete_sources=frozenset(),
        ),
    )
    azure_changes = [
        (i.model, ch.component.value, dict(ch.dimensions), ch.current, ch.proposed)
        for i in second.items
        if i.kind is ReviewKind.PRICE_CHANGE and i.route == "azure"
        for ch in i.changes
        if any(s.official for s in ch.sources)
    ]
    assert azure_changes == []
    verified = {k for k, c in catalog.items() if c.verified_by == "azure"}
    assert not [
        i
        for i in second.items
        for ch in i.changes
        if FieldId(i.route, i.model, ch.measure) in verified
    ]

    per_1m = Unit.PER_1M_TOKENS
    # LiteLLM's 1.21 is the eastus2 Regional meter's own field (placed in its one region), not
    # a regional field of no region beside it
    regional = FieldId(
        "azure",
        "o1-mini",
        Measure(
            Kind.PRICE,
            Component.INPUT,
            per_1m,
            Dims.of({"scope": "regional", "region": "eastus2"}),
        ),
    )
    assert (catalog[regional].value, catalog[regional].verified_by) == (Decimal("1.21"), "azure")
    assert not [f for f in catalog if f.dims.get("scope") == "regional" and "region" not in f.dims]
    [o1_mini] = [
        i
        for i in second.items
        if (i.kind, i.route, i.model) == (ReviewKind.NEW_VALUE, "azure", "o1-mini")
    ]
    proposed = {
        (ch.component.value, tuple(sorted(ch.dimensions.items()))): ch.proposed
        for ch in o1_mini.changes
        if ch.unit is per_1m
    }
    assert proposed[("input", (("scope", "global"),))] == "1.1"
    assert proposed[("cache_read", (("scope", "global"),))] == "0.55"


def test_a_field_one_source_states_enters_as_the_general_first_load_rule_lets_it(
    litellm: list[Observation], august: list[Observation]
) -> None:
    """A first load takes a shortcut for a field only one live source states: on real
    statements of official (OpenRouter for its route) and secondary (LiteLLM) sources, it must
    let in exactly what the general rule lets in."""
    context = replace(ctx(accept_new=True), official=cache(is_official))
    field_id = _field_ids()
    statements = [o for o in (*litellm, *august) if o.model]
    assert {is_official(o.source, o.route) for o in statements} == {True, False}
    general, shortcut = Comparison(), Comparison()
    for obs in statements:
        officials = [obs] if is_official(obs.source, obs.route) else []
        _accept_new([obs], officials, context, general, field_id)
        _accept_alone(obs, field_id(obs), context, shortcut)
    assert shortcut.new_values == general.new_values and not general.items
    assert len(shortcut.new_values) == len(statements)


def test_a_model_restated_in_another_unit_proposes_no_new_field_at_the_slip() -> None:
    """Azure's meters of one model read with a unitOfMeasure of 1M where 1K was, the prices not
    rescaled (a fault round's): each field the catalog holds moves 1000x down, an anomaly, and a
    field of that model the catalog lacks would have been proposed at the same thousandth.
    It is an anomaly too (approving one writes nothing), and no new value."""
    azure = [o for o in _world("epoch-2", "azure") if o.kind is Kind.PRICE and o.model]
    by_model = Counter(o.model for o in azure)
    model = next(m for m, n in sorted(by_model.items()) if n >= 4)
    mine = [o for o in azure if o.model == model]
    lacking = mine[0]
    catalog = as_catalog([o for o in azure if o is not lacking])
    slipped = [replace_value(o, value=o.value / 1000) for o in mine]
    result = compare([*[o for o in azure if o.model != model], *slipped], catalog, {}, [], ctx())
    on_model = [i for i in result.items if i.model == model]
    assert {i.kind for i in on_model} == {ReviewKind.ANOMALY}
    [new] = [i for i in on_model if i.changes[0].current is None]
    assert new.changes[0].proposed == decimal_text(lacking.value / 1000)
    assert "0.001 times a catalog price of the model" in new.title
    # the same field read at its own scale beside them is a new value as usual
    healthy = compare([*[o for o in azure if o.model != model], *mine], catalog, {}, [], ctx())
    assert [i.kind for i in healthy.items if i.model == model] == [ReviewKind.NEW_VALUE]


def test_a_vendors_price_under_review_accuses_no_reseller(august: list[Observation]) -> None:
    """Fault round 32: OpenAI's page with its Standard and Batch labels swapped halved or
    doubled every price, and each reseller's right price was raised as "routes that must
    match" against the unreviewed one (134 items). The vendor's price is compared only once
    in force: the change is one item on the vendor's route."""
    gateway, vendor, review = _gpt_4o_on_vendor_and_reseller(august)
    halved = replace_value(vendor, value=vendor.value / 2)
    [item] = compare([halved, gateway], as_catalog([vendor, gateway]), {}, [], review).items
    assert (item.kind, item.route) == (ReviewKind.PRICE_CHANGE, "openai")
    # a reseller's own change is still set against the vendor's price in force
    dearer = replace_value(gateway, value=gateway.value * 2)
    items = compare([vendor, dearer], as_catalog([vendor, gateway]), {}, [], review).items
    assert sorted(i.kind for i in items) == [ReviewKind.ANOMALY, ReviewKind.PRICE_CHANGE]
    assert all(i.route == "openrouter" for i in items)


@cache
def _azure_beside_secondaries() -> tuple[Observation, ...]:
    """Every source's epoch-2 answers, read as one refresh reads them."""
    batches = [world_drafts(s) for s in sources()]
    identity = Identity.load()
    learn_official_models(identity, batches)
    return tuple(o for b in batches for o in observations(b, identity))


def _no_deployment_items(model: str, result: Comparison) -> dict[tuple[str, str], Any]:
    """The disagreements about `model` on Azure's route that say a price has no deployment:
    by (component, dimensions)."""
    return {
        (item.changes[0].component.value, Dims.of(item.changes[0].dimensions).key): item
        for item in result.items
        if item.kind is ReviewKind.DISAGREEMENT
        and item.route == "azure"
        and item.model == model
        and "with no deployment scope" in item.detail
    }


def test_secondaries_off_every_azure_deployment_propose_only_what_they_agree_on() -> None:
    """Fault round 34: LiteLLM states gpt-4o-mini-audio-preview's audio input at 40, Portkey
    at 20, with no deployment; Azure's meters 11 (data zone and regional). Neither is any
    deployment's price, and they disagree: the item proposes nothing (it proposed Portkey's 20
    as both sources' word). Azure prices phi-4-multimodal-instruct in its eastus2 meter alone,
    with no scope: genai-prices' bare output 0.1 beside that meter's 0.32 is raised too, not
    taken on a first load."""
    found = list(_azure_beside_secondaries())
    result = compare(found, {}, {}, [], ctx(accept_new=True, complete=frozenset()))
    audio = _no_deployment_items("gpt-4o-mini-audio-preview", result)[("input", "modality=audio")]
    assert audio.changes[0].proposed is None
    assert audio.detail.startswith("litellm: 40; portkey: 20 with no deployment scope"), audio
    phi = _no_deployment_items("phi-4-multimodal-instruct", result)
    assert phi[("output", "")].changes[0].proposed == "0.1", phi
    assert "region=eastus2 0.32" in phi[("output", "")].detail
    taken = {
        (n.field.route, n.field.model, n.field.measure.component.value, n.value)
        for n in result.new_values
        if n.accepted_source == "genai-prices"
    }
    assert ("azure", "phi-4-multimodal-instruct", "output", Decimal("0.1")) not in taken
