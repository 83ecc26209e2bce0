"""One capability vocabulary over the recorded sources (issue 9, build item 7)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from functools import cache

from catalog.identity import Identity
from catalog.normalize import learn_official_models, observations
from schemas.capabilities import (
    CATEGORY_OF_MODE,
    RAW,
    Category,
    Flag,
    Modality,
    Profile,
    Statement,
    profile,
)
from schemas.field import Dims
from schemas.records import Observation
from schemas.vocab import Component, Kind
from tests.observed import world_drafts

SOURCES = ("litellm", "openrouter", "vercel", "modelsdev", "openai-page", "azure")


@cache
def _observed() -> tuple[Observation, ...]:
    batches = [world_drafts(s) for s in SOURCES]
    identity = Identity.load()
    learn_official_models(identity, batches)
    return tuple(o for b in batches for o in observations(b, identity))


def _model(name: str) -> list[Observation]:
    return [o for o in _observed() if o.model == name]


def _raw(statements: list[Statement]) -> set[str]:
    return {s.raw for s in statements}


def test_every_raw_name_the_recorded_sources_state_is_in_the_vocabulary() -> None:
    """About 65 raw capability names and 15 modes across LiteLLM, OpenRouter, Vercel and
    models.dev: each maps to a flag, a modality or a category; none is left raw."""
    names = {
        o.dimensions["capability"]
        for o in _observed()
        if o.kind is Kind.CAPABILITY and o.component is Component.SUPPORTS
    }
    modes = {
        o.dimensions["mode"]
        for o in _observed()
        if o.kind is Kind.CAPABILITY and o.component is Component.MODE
    }
    assert len(names) >= 60 and len(modes) >= 10
    assert names - RAW.keys() == set()
    assert modes - CATEGORY_OF_MODE.keys() == set()
    assert {m.flag for meanings in RAW.values() for m in meanings} >= set(Flag)


def test_gpt_image_1_mini_answers_the_ten_flags_with_sources() -> None:
    found = profile(_model("gpt-image-1-mini"))
    assert set(found.flags) == set(Flag) and len(Flag) == 10
    vision = found.flags[Flag.VISION]
    assert vision.value is True and not vision.disputed
    assert {"openrouter", "modelsdev"} <= set(vision.sources)
    assert {"input_image", "vision"} <= _raw(vision.statements)
    assert found.flags[Flag.REASONING].value is False  # models.dev states reasoning=false
    assert found.flags[Flag.PDF_INPUT].value is None  # nobody states it: unknown, not false
    assert found.flags[Flag.PDF_INPUT].sources == []
    assert found.unmapped == []


def test_modes_fold_into_one_category_and_modalities_come_with_sources() -> None:
    found = profile(_model("gpt-image-1-mini"))
    assert found.category is Category.IMAGE_GENERATION
    assert {s.raw for s in found.categories[Category.IMAGE_GENERATION]} >= {"mode:image_generation"}
    assert "image_generation" not in found.other_flags  # a mode is never a flag row
    assert found.modalities_in[Modality.TEXT].value is True
    assert found.modalities_in[Modality.IMAGE].value is True
    image_out = found.modalities_out[Modality.IMAGE]
    assert image_out.value is True and "openai-page" in image_out.sources
    assert found.modalities_out[Modality.AUDIO].value is None


def test_a_flag_stated_both_ways_is_disputed_and_keeps_both_sides() -> None:
    """A variant of gpt-4o's real statements in which one source's vision flag says false."""
    real = _model("gpt-4o")
    target = next(
        o for o in real if o.kind is Kind.CAPABILITY and o.dimensions.get("capability") == "vision"
    )
    variant = [replace(o, value=Decimal(0)) if o is target else o for o in real]
    vision = profile(variant).flags[Flag.VISION]
    assert vision.value is True and vision.disputed
    assert {s.value for s in vision.statements} == {True, False}
    only_false = profile([replace(target, value=Decimal(0))]).flags[Flag.VISION]
    assert only_false.value is False and not only_false.disputed


def test_an_unknown_raw_name_is_kept_not_dropped() -> None:
    real = next(
        o
        for o in _model("gpt-4o")
        if o.kind is Kind.CAPABILITY and o.component is Component.SUPPORTS
    )
    renamed = replace(real, dimensions=Dims.of({"capability": "telepathy"}))
    found: Profile = profile([renamed])
    assert [s.raw for s in found.unmapped] == ["telepathy"]
    assert all(a.value is None for a in found.flags.values())
