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
from datetime import datetime

from catalog.identity import Identity
from catalog.normalize import draft_source, learn_official_models, observations
from schemas.batch import STATED_TWICE_RULE, validate
from schemas.fetch import FetchedPage
from schemas.records import Observation, Problem
from schemas.sources import sources
from schemas.vocab import Component, Kind
from tests.conftest import snapshot

URL = "https://openrouter.ai/api/v1/models"
RECORDED = "openrouter/models.2026-08-19.json"
CACHE_READ_RULE = "cache_read_le_input"


def _listing_with(twin_pricing: dict[str, str], *, own_cache_read: bool = True) -> bytes:
    """The recorded listing with another vendor's gpt-4o added (priced `twin_pricing`), and
    without openai/gpt-4o's cache read unless `own_cache_read`."""
    listing = json.loads(snapshot(RECORDED))
    [gpt4o] = [entry for entry in listing["data"] if entry["id"] == "openai/gpt-4o"]
    twin = copy.deepcopy(gpt4o)
    if not own_cache_read:
        del gpt4o["pricing"]["input_cache_read"]
    twin["id"] = twin["canonical_slug"] = "someorg/gpt-4o"
    twin["pricing"] = twin_pricing
    listing["data"].append(twin)
    listing["total_count"] = len(listing["data"])
    return json.dumps(listing).encode()


def _validated(body: bytes) -> tuple[list[Observation], list[Problem]]:
    """The listing read, normalized and validated as a refresh does it."""
    config = sources()["openrouter"]
    page = FetchedPage(
        url=URL,
        landing_url=URL,
        status=200,
        observed_at=datetime.fromisoformat("2026-08-19T00:00:00+00:00"),
        records=config.parser.parse(body, URL).records,
    )
    batch = draft_source(config, [page])
    identity = Identity.load()
    learn_official_models(identity, [batch])
    return validate(list(observations(batch, identity)))


def _gpt4o(found: list[Observation] | list[Problem], record: str) -> dict[Component, set[str]]:
    """What `found` holds of gpt-4o's base prices (no dimensions) from `record`: each
    component with its problems' rules (an empty set for a valid observation)."""
    held: dict[Component, set[str]] = {}
    for item in found:
        obs = item.observation if isinstance(item, Problem) else item
        if obs is None or (obs.model, obs.kind, obs.dimensions.key) != ("gpt-4o", Kind.PRICE, ""):
            continue
        if obs.record != record:
            continue
        rules = set(item.rule.split(", ")) if isinstance(item, Problem) else set()
        held.setdefault(obs.component, set()).update(rules)
    return held


def test_a_cache_read_below_its_own_input_stands_beside_a_cheaper_twin() -> None:
    valid, problems = _validated(_listing_with({"prompt": "0.0000005", "completion": "0.0000015"}))
    assert _gpt4o(valid, "openai/gpt-4o") == {Component.CACHE_READ: set()}
    assert _gpt4o(problems, "openai/gpt-4o") == {
        Component.INPUT: {STATED_TWICE_RULE},
        Component.OUTPUT: {STATED_TWICE_RULE},
    }
    assert _gpt4o(problems, "someorg/gpt-4o") == {
        Component.INPUT: {STATED_TWICE_RULE},
        Component.OUTPUT: {STATED_TWICE_RULE},
    }


def test_a_cache_read_above_its_own_input_is_set_aside_below_a_dearer_twin() -> None:
    # the twin's cache read ($1) is above its own input ($0.50) and below openai's ($2.50),
    # which states no cache read here (so the read is stated once): still dearer than its input
    _, problems = _validated(
        _listing_with(
            {"prompt": "0.0000005", "completion": "0.0000015", "input_cache_read": "0.000001"},
            own_cache_read=False,
        )
    )
    assert _gpt4o(problems, "someorg/gpt-4o")[Component.CACHE_READ] == {CACHE_READ_RULE}
