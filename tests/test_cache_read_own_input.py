"""A cache read is judged against its own record's input.

Two of a source's ids can name one catalog model (OpenRouter's ids lose their vendor prefix:
another vendor's `someorg/gpt-4o` and `openai/gpt-4o` are both openrouter's gpt-4o). Their
inputs and outputs are then the source's stated-twice problem. Before, `cache_read_le_input`
judged `openai/gpt-4o`'s cache read ($1.25 per 1M, half its own $2.50 input) against the cheapest
input of the field, the other vendor's $0.50, and set it aside: one record's statement lost a
good field of another's (a fault probe). A record that states no input of the field is still
judged against the cheapest input its source states.

Made from the recorded OpenRouter listing of 2026-08-19, with one entry added in the test.
"""

from __future__ import annotations

import copy
import json

from schemas.batch import STATED_TWICE_RULE, validate
from schemas.records import Observation, Problem
from schemas.vocab import Kind
from tests.conftest import snapshot
from tests.observed import observe_body

URL = "https://openrouter.ai/api/v1/models"
RECORDED = "openrouter/models.2026-08-19.json"
CACHE_READ_RULE = "cache_read_le_input"
CACHE_WRITE_RULE = "cache_write_beside_dearer_read"
CHEAPER = {"prompt": "0.0000005", "completion": "0.0000015"}  # $0.50 and $1.50 per 1M


def _listing_with(
    vendor_id: str, twin_pricing: dict[str, str], *, drop: str = "", twin: str = ""
) -> bytes:
    """The recorded listing with another vendor's model of `vendor_id`'s name (or `twin`'s)
    added as `someorg/NAME`, priced `twin_pricing`, and `vendor_id`'s price `drop` left out."""
    listing = json.loads(snapshot(RECORDED))
    [entry] = [entry for entry in listing["data"] if entry["id"] == vendor_id]
    added = copy.deepcopy(entry)
    entry["pricing"].pop(drop, None)
    added["id"] = added["canonical_slug"] = "someorg/" + (twin or vendor_id.split("/", 1)[1])
    added["pricing"] = twin_pricing
    listing["data"].append(added)
    listing["total_count"] = len(listing["data"])
    return json.dumps(listing).encode()


def _validated(body: bytes) -> tuple[list[Observation], list[Problem]]:
    """The listing read, normalized and validated as a refresh does it."""
    return validate(observe_body("openrouter", body, "2026-08-19T00:00:00+00:00", URL))


def _prices(found: list[Observation] | list[Problem], record: str) -> dict[str, set[str]]:
    """What `found` holds of `record`'s prices below any context tier: each field
    ('component' or 'component [dimensions]') with its problems' rules (an empty set for a
    valid observation)."""
    held: dict[str, set[str]] = {}
    for item in found:
        obs = item.observation if isinstance(item, Problem) else item
        if obs is None or obs.kind is not Kind.PRICE or obs.record != record:
            continue
        if "context" in obs.dimensions.key:
            continue
        field = obs.component.value + (f" [{obs.dimensions.key}]" if obs.dimensions.key else "")
        rules = set(item.rule.split(", ")) if isinstance(item, Problem) else set()
        held.setdefault(field, set()).update(rules)
    return held


def test_a_cache_read_below_its_own_input_stands_beside_a_cheaper_twin() -> None:
    valid, problems = _validated(_listing_with("openai/gpt-4o", CHEAPER))
    assert _prices(valid, "openai/gpt-4o") == {"cache_read": set()}
    twice = {"input": {STATED_TWICE_RULE}, "output": {STATED_TWICE_RULE}}
    assert _prices(problems, "openai/gpt-4o") == twice
    assert _prices(problems, "someorg/gpt-4o") == twice


def test_a_cache_read_above_its_own_input_is_set_aside_below_a_dearer_twin() -> None:
    # the twin's cache read ($1) is above its own input ($0.50) and below openai's ($2.50),
    # which states no cache read here (so the read is stated once): still dearer than its input
    dearer_read = {**CHEAPER, "input_cache_read": "0.000001"}
    _, problems = _validated(_listing_with("openai/gpt-4o", dearer_read, drop="input_cache_read"))
    assert _prices(problems, "someorg/gpt-4o")["cache_read"] == {CACHE_READ_RULE}


def test_cache_writes_stand_beside_a_twin_whose_cache_read_is_dearer() -> None:
    # the twin's cache read ($1) is dearer than its own input ($0.50): its own read is suspect,
    # while Anthropic's cache writes sit beside Anthropic's own read, below its own input (the
    # twin is named as the catalog names Anthropic's model: claude-sonnet-4-6)
    dearer_read = {**CHEAPER, "input_cache_read": "0.000001"}
    body = _listing_with("anthropic/claude-sonnet-4.6", dearer_read, twin="claude-sonnet-4-6")
    valid, problems = _validated(body)
    kept = _prices(valid, "anthropic/claude-sonnet-4.6")
    assert {field for field in kept if field.startswith("cache_write")} == {
        "cache_write [cache_ttl=1h]",
        "cache_write [cache_ttl=5m]",
    }
    assert CACHE_WRITE_RULE not in set().union(
        *_prices(problems, "anthropic/claude-sonnet-4.6").values()
    )
    twin = _prices(problems, "someorg/claude-sonnet-4-6")
    assert twin["cache_read"] == {CACHE_READ_RULE, STATED_TWICE_RULE}
