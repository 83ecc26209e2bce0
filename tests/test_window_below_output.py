"""A record's context window a hundredfold below its own output limit is set aside alone.

A fault probe: OpenRouter's listing with minimax/minimax-m3's `context_length` 1048576 written
1048 (in thousands of tokens) beside its `max_completion_tokens` 512000 entered the window
verified on a first load, and proposed it in the new model's item after epoch-1: the block rule
(`limits_rescaled`) needs most of a route's windows so written. No model answers a hundred
times more tokens than it reads, so the record says which of its limits is in another unit.

Read from OpenRouter's recorded listing of the epoch-2 world, as a refresh reads it.
"""

from __future__ import annotations

from decimal import Decimal

from catalog.intake import LIMIT_BELOW_OUTPUT_RULE, limits_below_output
from schemas.batch import validate
from schemas.records import Observation
from schemas.vocab import Component
from tests.observed import observe_body
from tests.worlds import recorded_text

LISTING = "https://openrouter.ai/api/v1/models"
MODEL = '"id": "minimax/minimax-m3"'
WINDOW = '"context_length": 1048576'


def _valid(body: str) -> list[Observation]:
    read = observe_body("openrouter", body.encode(), "2026-08-19T00:00:00+00:00", LISTING)
    valid, _ = validate(read)
    return valid


def test_a_window_in_thousands_beside_its_output_limit_is_set_aside() -> None:
    listing = recorded_text(LISTING)
    at = listing.index(WINDOW, listing.index(MODEL))
    broken = listing[:at] + '"context_length": 1048' + listing[at + len(WINDOW) :]
    valid = _valid(broken)
    problems = limits_below_output(valid)
    assert [
        (p.observation.source_model, p.observation.component, p.observation.value)
        for p in problems
        if p.observation is not None
    ] == [("minimax/minimax-m3", Component.CONTEXT_WINDOW, Decimal(1048))]
    assert problems[0].rule == LIMIT_BELOW_OUTPUT_RULE
    assert "512000 most output tokens" in problems[0].detail, problems[0].detail
    # the record's output limit and prices are kept
    kept = [o for o in valid if o.source_model == "minimax/minimax-m3" and o.source == "openrouter"]
    assert any(o.component is Component.MAX_OUTPUT_TOKENS for o in kept)
    assert limits_below_output(_valid(listing)) == []
