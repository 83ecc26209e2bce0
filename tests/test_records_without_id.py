"""A listing's model record that lost its id names no model: its listing is incomplete.

A fault round (h53): twelve OpenRouter records with `id` renamed `slug` (their prices and names
kept) were quarantined as "no model id" while the listing counted as complete, so their models
counted absent: three such days proposed removing five models still listed, and on the first an
open anomaly citing OpenRouter closed as "answered in full". genai-prices' record with a null id
superseded an open two-source disagreement by a one-source proposal. Which model a record without
an id stands for is unknown, so none of the source's models counts as absent that run and what
it states nothing of stands as last stated (a partial listing), its other records' values apply.

Each listing is the recorded epoch-2 body with ids taken out here, read as a refresh reads it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from schemas.fetch import NO_MODEL_ID_RULE
from tests.test_fault_kinds import bodies, healthy, read


def _without_ids(source: str, body: Any, records: int) -> Any:
    """`body` with the id of its first `records` model records taken out (renamed, or null)."""
    if source == "genai-prices":
        models = [m for provider in body for m in provider["models"]][:records]
        for model in models:
            model["id"] = None
    else:
        for entry in body["data"][:records]:
            entry["slug"] = entry.pop("id")
    return body


@pytest.mark.parametrize("source", ["openrouter", "vercel", "genai-prices"])
def test_records_without_an_id_make_the_listing_incomplete(source: str) -> None:
    recorded = healthy(source)
    assert not recorded.incomplete and not recorded.failure
    assert not [p for p in recorded.problems if p.rule == NO_MODEL_ID_RULE]
    answered = {
        url: json.dumps(_without_ids(source, json.loads(body), 3)).encode()
        for url, body in bodies(source).items()
    }
    found = read(source, answered)
    assert not found.failure, found.failure
    lost = [p for p in found.problems if p.rule == NO_MODEL_ID_RULE]
    assert len(lost) == 3 * len(answered)
    assert found.incomplete == f"listing incomplete: {NO_MODEL_ID_RULE}: {len(lost)} records"
    assert 0 < len(found.valid) < len(recorded.valid)  # the other records' values apply


@pytest.mark.parametrize("source", ["openrouter", "vercel"])
def test_entries_written_as_json_text_make_the_listing_incomplete(source: str) -> None:
    """A fault round (h55): five OpenRouter entries double-encoded (each a JSON string holding
    the object) were unreadable records naming nothing while the listing counted as complete;
    three such days proposed removing five models still listed."""
    answered = {}
    for url, body in bodies(source).items():
        document = json.loads(body)
        document["data"][:2] = [json.dumps(entry) for entry in document["data"][:2]]
        answered[url] = json.dumps(document).encode()
    found = read(source, answered)
    assert not found.failure, found.failure
    assert found.incomplete.startswith("listing incomplete: record of an unexpected shape: ")
