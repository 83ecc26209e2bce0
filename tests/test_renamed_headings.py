"""A pricing page's section heading written otherwise prices its rows as before, and a section
that names no model leaves the page's listing incomplete.

A fault probe (h57) edited the recorded epoch-2 pages:
- OpenAI's "Fine-tuning" heading as "Fine tuning" or "Model optimization" read the fine-tuned
  models' prices as the base models' (gpt-4o-2024-08-06 input 2.5 -> 3.75 proposed, entered
  verified on a first load): a table with a Training column prices fine-tuning whatever its
  heading says;
- OpenAI's "Image tokens" as "🖼️ Image tokens" or "Tokens for image inputs" read the image
  tokens' prices as text prices (gpt-image-1 output 40 verified as its text output): the
  modality is the first modality word a heading names, wherever it stands ("Image tokens
  (text and image inputs)" is image tokens);
- a Gemini section's id line lost: its rows were set aside as naming no model while the page
  read as complete, so two anomalies quoting its prices closed as no longer raised, and on the
  third day the model was proposed missing. A row of no model (or an unknown one) leaves the
  listing incomplete, as a row cut from its header does.

Each body is the recorded one edited here, read as a refresh reads it (parse, normalize,
validate).
"""

from __future__ import annotations

import pytest

from tests.test_fault_kinds import Read, bodies, healthy, read


def _edited(source: str, old: str, new: str) -> Read:
    [(url, body)] = bodies(source).items()
    text = body.decode()
    assert old in text
    return read(source, {url: text.replace(old, new, 1).encode()})


def _stated(found: Read) -> set[tuple[str | None, str, str, object]]:
    return {(o.model, o.component.value, o.dimensions.key, o.value) for o in found.valid}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("### Fine-tuning", "### Fine tuning"),
        ("### Fine-tuning", "### Model optimization"),
        ("### Image tokens", "### 🖼️ Image tokens"),
        ("### Image tokens", "### Tokens for image inputs"),
        ("### Image tokens", "### Image tokens (text and image inputs)"),
    ],
)
def test_a_section_heading_written_otherwise_prices_as_before(old: str, new: str) -> None:
    found = _edited("openai-page", old, new)
    assert not found.failure, found.failure
    assert _stated(found) == _stated(healthy("openai-page"))


def test_a_section_of_no_model_leaves_the_listing_incomplete() -> None:
    assert not healthy("gemini-page").incomplete
    found = _edited("gemini-page", "*`gemini-2.5-flash`*\n", "\n")
    assert not found.failure, found.failure
    assert not [o for o in found.valid if o.model == "gemini-2.5-flash"]
    assert found.incomplete.startswith("listing incomplete: no model named: ")
