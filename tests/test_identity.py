"""Identity on the recorded sources: dated snapshots, name variants, unmapped records, and the
deployment scope of LiteLLM's bare Azure keys (issue 9, rows 6 and 8; build item 5)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from catalog.health import PriceKey
from catalog.identity import Identity, snapshot_base
from catalog.intake import off_official_scopes
from catalog.normalize import SourceDrafts, learn_official_models, observations
from catalog.store import _placed
from schemas.batch import validate
from schemas.field import Dims, FieldId
from schemas.records import Draft, Observation
from schemas.vocab import Component, Kind, Unit
from tests.observed import world_drafts


def _run(*names: str, identity: Identity | None = None) -> tuple[Identity, list[Observation]]:
    """Observations of these sources as one refresh makes them (identity learnt from all)."""
    batches = [world_drafts(n) for n in names]
    identity = identity or Identity.load()
    learn_official_models(identity, batches)
    return identity, [o for b in batches for o in observations(b, identity)]


def _stated(found: list[Observation], source: str, record: str) -> list[Observation]:
    return [o for o in found if o.source == source and o.record == record]


def test_snapshot_base_reads_dates_only() -> None:
    assert snapshot_base("claude-3-haiku-20240307") == "claude-3-haiku"
    assert snapshot_base("claude-3-haiku@20240307") == "claude-3-haiku"
    assert snapshot_base("gpt-4o-2024-08-06") == "gpt-4o"
    assert snapshot_base("gpt-4-0613") == "gpt-4"
    for not_dated in ("mistral-large-2411", "gpt-4o", "llama-3-8b-8192", "text-bison@001"):
        assert snapshot_base(not_dated) is None, not_dated


def test_row6_dated_litellm_id_resolves_and_its_cache_write_is_compared() -> None:
    """LiteLLM's `claude-3-haiku-20240307` is Anthropic's claude-3-haiku: its 1-hour cache write
    lands on the same field as Anthropic's own, where the 12x difference can be seen."""
    identity, found = _run("anthropic-page", "litellm")
    assert identity.model("claude-3-haiku-20240307") == "claude-3-haiku"

    def one_hour_write(source: str) -> Observation:
        (obs,) = [
            o
            for o in found
            if o.source == source
            and o.model == "claude-3-haiku"
            and o.route == "anthropic"
            and o.component is Component.CACHE_WRITE
            and o.dimensions == {"cache_ttl": "1h"}
        ]
        return obs

    ours, theirs = one_hour_write("litellm"), one_hour_write("anthropic-page")
    assert ours.source_model == "claude-3-haiku-20240307"
    assert ours.field_id() == theirs.field_id()
    assert ours.value == 12 * theirs.value == Decimal(6)


def test_other_forms_of_the_same_snapshot_resolve() -> None:
    identity, _ = _run("anthropic-page", "litellm")
    assert identity.model("vertex_ai/claude-3-haiku@20240307") == "claude-3-haiku"
    assert identity.model("anthropic.claude-3-haiku-20240307-v1:0") == "claude-3-haiku"
    assert identity.model("Claude-3-Haiku-20240307") == "claude-3-haiku"
    assert identity.model("ft:gpt-4o-2024-08-06") is None  # a fine-tune is not its base


def test_snapshot_the_vendor_prices_apart_stays_distinct_with_its_base_noted() -> None:
    """OpenAI's page prices gpt-4o-2024-05-13 at $5 beside gpt-4o's $2.50: a model of its own.
    gpt-5-2025-08-07, which the page does not list and LiteLLM prices like gpt-5, is gpt-5."""
    identity, found = _run("openai-page", "litellm")
    assert identity.model("gpt-4o-2024-05-13") == "gpt-4o-2024-05-13"
    assert identity.snapshot_of("gpt-4o-2024-05-13") == "gpt-4o"
    assert identity.model("gpt-5-2025-08-07") == "gpt-5"
    dated = _stated(found, "litellm", "gpt-4o-2024-05-13")
    assert {o.model for o in dated} == {"gpt-4o-2024-05-13"}


def test_whether_a_snapshot_is_apart_is_decided_by_the_official_prices() -> None:
    """Azure prices gpt-4o 2024-11-20 apart from 2024-05-13, so with Azure in the run it stays
    distinct; OpenRouter prices its dated gpt-4o-mini like gpt-4o-mini, and deepseek-r1-0528
    apart from deepseek-r1."""
    with_azure, _ = _run("openai-page", "azure", "litellm")
    assert with_azure.model("gpt-4o-2024-11-20") == "gpt-4o-2024-11-20"
    openrouter, _ = _run("openrouter")
    assert openrouter.model("openai/gpt-4o-mini-2024-07-18") == "gpt-4o-mini"
    assert openrouter.model("deepseek/deepseek-r1-0528") == "deepseek-r1-0528"
    assert openrouter.snapshot_of("deepseek-r1-0528") == "deepseek-r1"


def _priced_like_gpt_4o() -> SourceDrafts:
    """A variant of OpenAI's page in which gpt-4o-2024-05-13 costs what gpt-4o costs."""
    real = world_drafts("openai-page")
    base = {
        (d.kind, d.component, d.unit, tuple(d.dimensions.items())): d.value
        for _, d in real.drafts
        if d.source_model == "gpt-4o"
    }

    def repriced(draft: Draft) -> Draft:
        if draft.source_model != "gpt-4o-2024-05-13":
            return draft
        key = (draft.kind, draft.component, draft.unit, tuple(draft.dimensions.items()))
        return replace(draft, value=base.get(key, draft.value))

    return SourceDrafts(real.source, [(p, repriced(d)) for p, d in real.drafts], [])


def test_a_snapshot_priced_like_its_base_folds_into_it() -> None:
    identity = Identity.load()
    learn_official_models(identity, [_priced_like_gpt_4o()])
    assert identity.model("gpt-4o-2024-05-13") == "gpt-4o"
    assert identity.snapshot_of("gpt-4o-2024-05-13") is None


def test_a_snapshot_an_official_source_once_listed_folds_into_its_base_again() -> None:
    """The listings table remembers gpt-4o-2024-05-13 under its own name (a run that priced it
    apart); a run whose page prices it as gpt-4o maps it to gpt-4o, as the catalog's own models
    (`learn`) would not."""
    variant = _priced_like_gpt_4o()
    listed, held = Identity.load(), Identity.load()
    listed.learn_listed(["gpt-4o", "gpt-4o-2024-05-13"])
    held.learn(["gpt-4o", "gpt-4o-2024-05-13"])
    for identity in (listed, held):
        learn_official_models(identity, [variant])
    assert listed.model("gpt-4o-2024-05-13") == "gpt-4o"
    assert held.model("gpt-4o-2024-05-13") == "gpt-4o-2024-05-13"


def _with_snapshot(
    factor: str, base_factor: str = "1"
) -> tuple[SourceDrafts, dict[PriceKey, Decimal]]:
    """OpenAI's page with gpt-4.1's rows written again for gpt-4.1-2026-01-15 at `factor` times
    their prices, and gpt-4.1's own at `base_factor` times; and the catalog's prices in force
    of gpt-4.1 (the page as recorded), by catalog.health.PriceKey."""
    real = world_drafts("openai-page")
    rows = [d for _, d in real.drafts if d.source_model == "gpt-4.1"]
    page = next(p for p, d in real.drafts if d.source_model == "gpt-4.1")
    in_force = {
        ("openai", "gpt-4.1", d.component.value, d.unit.value, d.dimensions.key): d.value
        for d in rows
        if d.kind is Kind.PRICE
    }
    drafts = [
        (p, replace(d, value=d.value * Decimal(base_factor)) if d in rows else d)
        for p, d in real.drafts
    ]
    drafts += [
        (page, replace(d, source_model=SNAPSHOT, value=d.value * Decimal(factor))) for d in rows
    ]
    return SourceDrafts(real.source, drafts, []), in_force


SNAPSHOT = "gpt-4.1-2026-01-15"


def test_a_snapshot_priced_tenfold_apart_is_a_model_of_its_own() -> None:
    """A price that moved tenfold from the catalog's teaches identity nothing, but a dated
    snapshot is not judged by its base's price: a fault round's snapshot at ten times gpt-4.1
    was folded into gpt-4.1, and both sides quarantined as stated twice, every day."""
    for factor in ("2", "10"):
        drafts, in_force = _with_snapshot(factor)
        identity = Identity.load()
        learn_official_models(identity, [drafts], in_force)
        assert identity.model(SNAPSHOT) == SNAPSHOT


def test_a_base_priced_at_zero_prices_its_snapshot_apart_from_nothing() -> None:
    """OpenRouter's gpt-4o-mini at $0 split its snapshot from it (tests/test_zero_price_snapshot
    through the flow); here gpt-4.1 at $0 beside a snapshot at its real prices."""
    drafts, in_force = _with_snapshot("1", base_factor="0")
    identity = Identity.load()
    learn_official_models(identity, [drafts], in_force)
    assert identity.model(SNAPSHOT) == "gpt-4.1"
    learn_official_models(unpriced := Identity.load(), [drafts])
    assert unpriced.model(SNAPSHOT) == SNAPSHOT  # without the catalog's prices: apart


def test_catalog_models_and_pinning_aliases_stay_as_they_are(tmp_path: Path) -> None:
    identity, _ = _run("anthropic-page", "litellm", identity=Identity.load())
    identity.learn(["claude-3-haiku-20240307"])  # the catalog already holds it as a model
    assert identity.model("claude-3-haiku-20240307") == "claude-3-haiku-20240307"
    (tmp_path / "pins.json").write_text(
        json.dumps({"models": {"claude-3-haiku-20240307": "claude-3-haiku-20240307"}})
    )
    pinned = Identity.load(tmp_path)
    _, found = _run("anthropic-page", "litellm", identity=pinned)
    assert {o.model for o in _stated(found, "litellm", "claude-3-haiku-20240307")} == {
        "claude-3-haiku-20240307"
    }


def test_separator_variants_match_only_one_known_model() -> None:
    identity = Identity.load()
    identity.learn(["claude-3-5-haiku", "gemini-2.5-flash"])
    assert identity.model("openrouter/anthropic/claude-3.5-haiku") == "claude-3-5-haiku"
    assert identity.model("gemini-2-5-flash") == "gemini-2.5-flash"
    identity.learn(["gemini-25-flash"])  # two known models with one squashed form: no match
    assert identity.model("gemini_2_5_flash") is None


def test_unmapped_records_pass_the_record_level_checks() -> None:
    """A name that maps to nothing is still validated: a variant of a real unmapped LiteLLM
    record stating a price 10^6 too high is quarantined by the batch gate, model None."""
    _, found = _run("litellm")
    unmapped = [o for o in found if o.model is None and o.kind is Kind.PRICE]
    assert unmapped
    real = unmapped[0]
    broken = replace(real, value=real.value * 10**6 + 10**6)
    assert validate([real]) == ([real], [])
    valid, problems = validate([broken])
    assert valid == []
    assert [p.observation.model if p.observation else "?" for p in problems] == [None]
    assert "magnitude" in problems[0].rule


def _azure_prices(found: list[Observation], record: str) -> dict[tuple[str, str | None], Decimal]:
    return {
        (o.component.value, o.dimensions.get("scope")): o.value
        for o in _stated(found, "litellm", record)
        if o.kind is Kind.PRICE
        and o.unit is Unit.PER_1M_TOKENS
        and o.route == "azure"
        and set(o.dimensions) <= {"scope", "region"}
    }


def test_row8_bare_azure_keys_take_the_scope_of_the_azure_meter_they_equal() -> None:
    """LiteLLM's bare azure/o1-mini states 1.21 / 4.84, Azure's Regional (and Data Zone) price,
    not the Global 1.1 / 4.4; bare azure/gpt-4o-mini is Regional beside its explicit
    global-standard key, so the two no longer collide; azure/gpt-4.1 is Global."""
    _, found = _run("azure", "litellm")
    assert _azure_prices(found, "azure/o1-mini") == {
        ("input", "regional"): Decimal("1.21"),
        ("output", "regional"): Decimal("4.84"),
        ("cache_read", "regional"): Decimal("0.605"),
    }
    mini = _azure_prices(found, "azure/gpt-4o-mini")
    assert mini[("input", "regional")] == Decimal("0.165")
    assert _azure_prices(found, "azure/global-standard/gpt-4o-mini") == {
        ("input", "global"): Decimal("0.15"),
        ("output", "global"): Decimal("0.6"),
    }
    assert _azure_prices(found, "azure/gpt-4.1")[("input", "global")] == Decimal(2)
    stated = [
        o
        for o in found
        if o.source == "litellm" and o.route == "azure" and o.model in ("o1-mini", "gpt-4o-mini")
    ]
    _, problems = validate(stated)
    assert problems == []
    # placed where the one meter stating the value is: Azure's eastus2 Regional field itself
    # (fault round 32: a regional field of no region was a field of its own, proposed as new)
    regional = [o for o in stated if o.dimensions.get("scope") == "regional"]
    assert regional and {o.dimensions.get("region") for o in regional} == {"eastus2"}
    meters = {o.field_id() for o in found if o.source == "azure" and o.model}
    assert {o.field_id() for o in regional} <= meters


def test_a_bare_price_two_regions_meters_state_makes_no_field_of_no_region() -> None:
    """Fault rounds 33 D5 and 34 D5: where Azure's regional meters of two regions state the
    value a secondary states bare, it was placed as a regional field of no region, then left
    unscoped: a field no meter states either way. Made from the recorded answer: o1-mini's
    eastus2 regional meters again for westus3. LiteLLM's bare azure/o1-mini confirms the first
    region's meter by name (eastus2's), never a field of its own."""
    identity, _ = _run("azure")
    azure = world_drafts("azure")
    regional = [
        (page, draft)
        for page, draft in azure.drafts
        if identity.model(draft.source_model) == "o1-mini"
        and draft.dimensions.get("scope") == "regional"
        and draft.dimensions.get("region") == "eastus2"
    ]
    assert regional
    azure.drafts.extend(
        (page, replace(draft, dimensions=Dims.of({**draft.dimensions, "region": "westus3"})))
        for page, draft in regional
    )
    batches = [azure, world_drafts("litellm")]
    identity = Identity.load()
    learn_official_models(identity, batches)
    found = [o for b in batches for o in observations(b, identity)]
    bare = [
        o
        for o in _stated(found, "litellm", "azure/o1-mini")
        if o.kind is Kind.PRICE and o.unit is Unit.PER_1M_TOKENS
    ]
    assert bare
    assert not [o for o in bare if "scope" in o.dimensions and "region" not in o.dimensions]
    assert {(o.dimensions.get("scope"), o.dimensions.get("region")) for o in bare} == {
        ("regional", "eastus2")
    }
    meters = {o.field_id() for o in found if o.source == "azure" and o.model}
    assert {o.field_id() for o in bare} <= meters


def test_a_bare_price_a_region_only_meter_states_confirms_that_meter() -> None:
    """Fault round 34: Azure prices phi-3-medium-4k-instruct by its eastus2 meter alone (a
    region, no scope); models.dev's bare 0.17 / 0.68 stood beside it as an unscoped field no
    meter states, which `cost` quoted unverified. It is that region's field now, the meter's
    own."""
    _, found = _run("azure", "modelsdev")
    meters = {
        o.field_id(): o.value
        for o in found
        if o.source == "azure" and o.model == "phi-3-medium-4k-instruct" and o.kind is Kind.PRICE
    }
    assert meters and not [f for f in meters if "scope" in f.dims]
    stated = [
        o
        for o in found
        if o.source == "modelsdev"
        and o.route == "azure"
        and o.model == "phi-3-medium-4k-instruct"
        and o.kind is Kind.PRICE
    ]
    assert stated
    assert {o.dimensions.key for o in stated} == {"region=eastus2"}
    assert {o.field_id(): o.value for o in stated}.items() <= meters.items()
    # and an item proposing the unscoped field (a day Azure had no such meter) reads it as
    # placed, as it reads a scope's: no source proposes it on that field now
    for obs in stated:
        bare = FieldId(obs.route, obs.model or "", obs.measure._replace(dims=Dims.of({})))
        assert _placed(bare, [o.dimensions for o in stated if o.component is obs.component])


def test_a_bare_price_tenfold_off_a_region_only_meter_is_set_aside() -> None:
    """The region-only meters count in the tenfold set-aside as scoped ones do: models.dev's
    phi-3-medium-4k-instruct made per 1K tokens (1,000 times its recorded price) is no price of
    Azure's eastus2 meter, and no field of its own."""
    identity, _ = _run("azure", "modelsdev")
    modelsdev = world_drafts("modelsdev")
    slipped = SourceDrafts(
        modelsdev.source,
        [
            (page, replace(draft, value=draft.value * 1000))
            for page, draft in modelsdev.drafts
            if draft.record
            and draft.record.endswith("/phi-3-medium-4k-instruct")
            and identity.route(draft.route) == "azure"
            and draft.kind is Kind.PRICE
        ],
        [],
    )
    assert slipped.drafts
    found = observations(slipped, identity)
    assert {o.dimensions.key for o in found if o.kind is Kind.PRICE} == {""}
    problems = off_official_scopes(found, identity.scopes, lambda route: False, {})
    assert {p.observation for p in problems} == {o for o in found if o.kind is Kind.PRICE}
    assert all("by region alone" in p.detail for p in problems), problems


def test_bare_azure_key_states_no_scope_without_a_matching_official_meter() -> None:
    """LiteLLM alone (Azure out of the run), or a value no meter states: no scope is assumed."""
    _, alone = _run("litellm")
    assert _azure_prices(alone, "azure/o1-mini") == {
        ("input", None): Decimal("1.21"),
        ("output", None): Decimal("4.84"),
        ("cache_read", None): Decimal("0.605"),
    }
    real = world_drafts("litellm")
    page, draft = next(
        (p, d)
        for p, d in real.drafts
        if d.record == "azure/o1-mini" and d.component is Component.INPUT
    )
    rescaled = replace(draft, value=draft.value * Decimal("1.07"))
    identity, _ = _run("azure", "litellm")
    (obs,) = observations(SourceDrafts(real.source, [(page, rescaled)], []), identity)
    assert obs.model == "o1-mini" and obs.dimensions == {}


def test_a_bare_version_of_an_official_source_names_no_model_without_an_alias() -> None:
    """Azure's epoch-2 meters name "5.2 chat 0210" under "Azure OpenAI GPT5" and "32b" under
    "Qwen models": only the product said which model each meant, and no alias says it, so they
    stay unmapped (an item asks for the alias) instead of becoming models "5.2-chat-0210" and
    "32b". The bare versions the alias table names ("5.2" of the same product) map as before."""
    identity, found = _run("azure")
    assert identity.model("Qwen models/32b") is None
    assert identity.model("Azure OpenAI GPT5/5.2 chat 0210") is None
    assert not {"32b", "5.2-chat-0210"} & identity.known
    bare = [
        o for o in found if o.source_model in ("Qwen models/32b", "Azure OpenAI GPT5/5.2 chat 0210")
    ]
    assert bare and {o.model for o in bare} == {None}
    assert identity.model("Azure OpenAI GPT5/5.2") == "gpt-5.2"
    assert {o.model for o in found if o.source_model == "Azure OpenAI GPT5/5.2"} == {"gpt-5.2"}


def _cache_read_as_input(drafts: SourceDrafts, source_model: str) -> SourceDrafts:
    """`drafts` with `source_model`'s cache read (no dimensions) at its input price: LiteLLM's
    fault kind BerriAI/litellm#9833, made from the recorded drafts."""
    stated = {
        d.component: d.value
        for _, d in drafts.drafts
        if d.source_model == source_model and d.route == "openai" and not d.dimensions
    }
    assert stated[Component.CACHE_READ] < stated[Component.INPUT]

    def slipped(draft: Draft) -> Draft:
        if (draft.source_model, draft.route, draft.component) != (
            source_model,
            "openai",
            Component.CACHE_READ,
        ) or draft.dimensions:
            return draft
        return replace(draft, value=stated[Component.INPUT])

    return SourceDrafts(drafts.source, [(p, slipped(d)) for p, d in drafts.drafts], [])


def test_two_official_statements_of_a_base_side_with_a_snapshot_only_where_they_agree() -> None:
    """Two sources official for OpenAI's route (the page and a second reading of it under
    another id) and LiteLLM's gpt-4.1-mini cache read written as its input price: where both
    official sources state the true cache read, LiteLLM's dated key backs them and the dated id
    folds; where the second states the slip too, the official word is split, backs nothing, and
    LiteLLM's base and dated key stand apart as stated."""
    page = world_drafts("openai-page")
    second = replace(page.source, id="openai-second")
    litellm = _cache_read_as_input(world_drafts("litellm"), "gpt-4.1-mini")
    snapshot = "gpt-4.1-mini-2025-04-14"
    for also, folds in ((page, True), (_cache_read_as_input(page, "gpt-4.1-mini"), False)):
        identity = Identity.load()
        learn_official_models(identity, [page, SourceDrafts(second, also.drafts, []), litellm])
        assert (identity.model(snapshot) == "gpt-4.1-mini") is folds


def test_a_second_spelling_that_departs_from_the_base_is_the_one_left_unmapped() -> None:
    """LiteLLM's gpt-4.1-mini as recorded, and the same entry again as `gpt-41-mini` with its
    cache read at its input price: the second spelling is left unmapped, and the dated id, which
    states the base's values, still folds into gpt-4.1-mini for every source."""
    litellm = world_drafts("litellm")
    respelled = _cache_read_as_input(
        SourceDrafts(
            litellm.source,
            [
                (p, replace(d, source_model="gpt-41-mini"))
                for p, d in litellm.drafts
                if d.source_model == "gpt-4.1-mini"
            ],
            [],
        ),
        "gpt-41-mini",
    )
    both = SourceDrafts(litellm.source, litellm.drafts + respelled.drafts, [])
    identity = Identity.load()
    learn_official_models(identity, [world_drafts("openai-page"), both])
    assert identity.model("gpt-41-mini") is None
    assert identity.model("gpt-4.1-mini-2025-04-14") == "gpt-4.1-mini"


def test_a_stale_secondary_base_is_read_as_the_official_states_it() -> None:
    """Portkey's recorded gpt-4o-audio-preview is stale: audio at $100/$200 per 1M, the prices of
    its 2024-10-01 key, where OpenAI's page and Portkey's own 2024-12-17 key state $40/$80. The
    dated ids that state the official's price fold into the base (Azure's gpt-4o-aud-1217 and
    -0603 meters with them); the one priced as the stale base is apart."""
    identity = Identity.load()
    sources = ("openai-page", "azure", "portkey")
    learn_official_models(identity, [world_drafts(s) for s in sources])
    for dated in ("gpt-4o-audio-preview-2024-12-17", "Azure OpenAI/gpt-4o-aud-0603"):
        assert identity.model(dated) == "gpt-4o-audio-preview", dated
    old = "gpt-4o-audio-preview-2024-10-01"
    assert identity.model(old) == old
    assert identity.snapshot_of(old) == "gpt-4o-audio-preview"


def test_a_secondary_base_left_at_an_old_snapshot_s_prices_remaps_nothing() -> None:
    """Portkey's gpt-4o-realtime-preview in its openai.json given its 2024-10-01 entry (an alias
    left at the old snapshot's prices after it moved): the same dated ids are models of their
    own as with Portkey's recorded entry."""
    portkey = world_drafts("portkey")
    old = "gpt-4o-realtime-preview-2024-10-01"
    base = "gpt-4o-realtime-preview"
    stale = [(p, d) for p, d in portkey.drafts if (d.source_model, d.route) != (base, "openai")]
    stale += [
        (p, replace(d, source_model=base))
        for p, d in portkey.drafts
        if (d.source_model, d.route) == (old, "openai")
    ]
    distinct = []
    for drafts in (portkey, SourceDrafts(portkey.source, stale, [])):
        identity = Identity.load()
        learn_official_models(identity, [world_drafts("openai-page"), drafts])
        distinct.append({m for m in identity.distinct if m.startswith(base)})
    assert distinct[0] == distinct[1], distinct


def test_one_secondary_s_slip_on_a_dated_key_is_outvoted() -> None:
    """LiteLLM's gpt-4.1-mini-2025-04-14 with its cache read at its input price
    (BerriAI/litellm#9833 on the dated key): Portkey states the dated id at its base's prices,
    so LiteLLM alone does not make it a model of its own; Portkey's recorded
    gpt-4o-mini-audio-preview-2024-12-17, its audio input and output swapped, is outvoted by
    LiteLLM the same way. Read alone beside the official page, a source's word stands."""
    page, portkey = world_drafts("openai-page"), world_drafts("portkey")
    litellm = _cache_read_as_input(world_drafts("litellm"), "gpt-4.1-mini-2025-04-14")
    dated = "gpt-4.1-mini-2025-04-14"
    swapped = "gpt-4o-mini-audio-preview-2024-12-17"
    identity = Identity.load()
    learn_official_models(identity, [page, litellm, portkey])
    assert identity.model(dated) == "gpt-4.1-mini"
    assert identity.model(swapped) == "gpt-4o-mini-audio-preview"
    alone = Identity.load()
    learn_official_models(alone, [page, litellm])
    assert alone.model(dated) == dated


def test_which_dated_ids_are_apart_does_not_depend_on_the_calls_they_came_in() -> None:
    """A run learns in several calls (statements held for an unread source, those behind a
    partial one, those read): Portkey's statements learned before or after OpenAI's page and
    Azure's, or with them, keep the same dated ids apart (Portkey's stale gpt-4o-audio-preview
    is read at the page's price only if the page's statement meets it)."""
    page, azure, portkey = (world_drafts(s) for s in ("openai-page", "azure", "portkey"))
    found = []
    for calls in ([[page, azure, portkey]], [[portkey], [page, azure]], [[page, azure], [portkey]]):
        identity = Identity.load()
        for batches in calls:
            learn_official_models(identity, batches)
        found.append(identity.distinct)
    assert found[0] == found[1] == found[2]
    assert "gpt-4o-audio-preview-2024-10-01" in found[0]


def test_a_source_stating_a_dated_id_as_its_base_outvotes_a_field_only_another_states() -> None:
    """Recorded: LiteLLM's o1-2024-12-17 states o1's prices but not its
    `supports_parallel_function_calling` flag as o1's, and no other source states that flag of
    both; Portkey states o1-2024-12-17 as o1 on every field it states of it, which says it is
    o1 on the flag too: the dated id folds. LiteLLM read alone beside the page keeps it apart."""
    dated = "o1-2024-12-17"
    sources = [world_drafts("openai-page"), world_drafts("litellm")]
    alone = Identity.load()
    learn_official_models(alone, sources)
    assert alone.model(dated) == dated
    identity = Identity.load()
    learn_official_models(identity, [*sources, world_drafts("portkey")])
    assert identity.model(dated) == "o1"
