"""A cache write kept an hour costs no less than one kept five minutes: a source stating the
1-hour price below the 5-minute one has them swapped, and which is which cannot be told, so
both are set aside (schemas/batch.py `cache_lifetimes_ascending`), the record's other prices
read as before.

Fault round 50: Anthropic's pricing page with its "5m Cache Writes" and "1h Cache Writes"
headings swapped (the cells left in place) was read as 20 official price changes of verified
prices (+60 % and -37.5 %). Made here from the recorded page, read through the real reading
path (parser, normalizer, identity, the Pandera gate).
"""

from __future__ import annotations

from collections.abc import Sequence

from schemas.records import Observation
from tests.test_fault_kinds import bodies, healthy, read, urls

HEADINGS = "| 5m Cache Writes | 1h Cache Writes |"


def test_a_page_with_its_cache_lifetimes_swapped_states_neither() -> None:
    [url] = urls("anthropic-page")
    page = bodies("anthropic-page")[url].decode()
    assert page.count(HEADINGS) == 1
    swapped = page.replace(HEADINGS, "| 1h Cache Writes | 5m Cache Writes |")
    found = read("anthropic-page", {url: swapped.encode()})
    before = healthy("anthropic-page")
    assert not found.failure, found.failure

    def writes(observations: Sequence[Observation]) -> set[tuple[str, str]]:
        return {
            (o.record, o.dimensions.key)
            for o in observations
            if o.component.value == "cache_write" and "cache_ttl" in o.dimensions
        }

    stated = writes(before.valid)
    assert len(stated) >= 20
    set_aside = [p for p in found.problems if p.rule == "cache_lifetimes_ascending"]
    assert {
        (p.observation.record, p.observation.dimensions.key) for p in set_aside if p.observation
    } == stated
    assert not writes(found.valid) & stated
    others = {(o.record, o.component, o.dimensions.key, o.value) for o in before.valid}
    kept = {(o.record, o.component, o.dimensions.key, o.value) for o in found.valid}
    assert others - kept == {
        (o.record, o.component, o.dimensions.key, o.value)
        for o in before.valid
        if (o.record, o.dimensions.key) in stated and o.component.value == "cache_write"
    }
