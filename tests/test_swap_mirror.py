"""Two columns' headings swapped: a price whose own new value no other source settles is set
aside too, where its exchanged column moved onto its known price.

A fault probe: OpenAI's recorded page with the Standard text-token table's header written
`| Model | Output | Cached input | Input |` over unchanged cells, loaded into an empty catalog.
86 of the table's 87 moved prices were set aside as another field's (`_fields_swapped`), but
chatgpt-image-latest's input entered at 10, its output price: its input moved from the 5
LiteLLM and Portkey state, but no two other sources state its output alike, so the 10 stood at
no known field's price. Its output, read at 5, is at its input's known price: the exchange's
other half, which says what the 10 is.

Read from the recorded page, LiteLLM's map and Portkey's OpenAI prices of the epoch-2 world, as
a refresh reads them (parse, normalize, validate, then the slip rules on a first load).
"""

from __future__ import annotations

from decimal import Decimal

from catalog.health import prices_by_field
from catalog.intake import FIELDS_SWAPPED_RULE, slipped
from schemas.batch import validate
from schemas.records import Observation
from tests.observed import LITELLM, observe, observe_body
from tests.worlds import recorded_text

PAGE = "https://platform.openai.com/docs/pricing"
PORTKEY = (
    "portkey",
    "portkey/pricing/openai.json",
    "2026-08-21T00:00:00+00:00",
    "https://configs.portkey.ai/pricing/openai.json",
)
STANDARD = "Standard\n"
HEADER = "| Model | Input | Cached input | Output |"


def _set_aside(page: str) -> dict[tuple[str, str], Decimal]:
    """(model, component) -> value of the page's standard token prices the slip rules set
    aside as another field's on a first load, judged by what LiteLLM and Portkey state."""
    read = observe_body("openai-page", page.encode(), "2025-12-17T00:00:00+00:00", PAGE)
    valid, problems = validate(read)
    others = {spec[0]: prices_by_field(observe(*spec)) for spec in (LITELLM, PORTKEY)}
    aside = [o for p in problems if (o := p.observation) is not None]
    found: dict[tuple[str, str], Decimal] = {}
    for problem in slipped(valid, {}, {}, lambda: others, aside):
        obs: Observation | None = problem.observation
        if problem.rule == FIELDS_SWAPPED_RULE and obs is not None and not obs.dimensions:
            found[obs.model or "", obs.component.value] = obs.value
    return found


def test_the_exchanged_half_sets_aside_a_price_no_known_field_names() -> None:
    page = recorded_text(PAGE)
    at = page.index(STANDARD, page.index("### Text tokens") + 50)
    header = page.index(HEADER, at)
    swapped = (
        page[:header] + "| Model | Output | Cached input | Input |" + page[header + len(HEADER) :]
    )
    found = _set_aside(swapped)
    assert found[("chatgpt-image-latest", "input")] == Decimal(10)
    assert found[("chatgpt-image-latest", "output")] == Decimal(5)
    assert len(found) > 80
    assert _set_aside(page) == {}
