"""One field a reader cannot use takes none of its record's other fields with it.

Fault round 61, found by changing each field of recorded records in turn (to a text, a list,
an object, a huge number...) and reading them through the real parsers: two changes made the
reader raise, so that the whole record became "record of an unexpected shape", where the house
rule quarantines the field alone and keeps the record's others.

- A price written `1e25` per token: inside the range `spiders/parsing.to_decimal` reads
  (10^30), but a price per 1M tokens of 10^31, whose 32 digits Decimal's default context (28)
  could not write out (`_drafts.plain`): InvalidOperation. The price is now out of its unit's
  range alone (schemas/batch.py), the entry's other prices, limits and flags read.
- OpenRouter's `architecture.output_modalities` written as objects (`[{"type": "text"}]`, the
  shape its input_modalities' reader already reports as "not a list of names"): the reader
  made a set of them (unhashable). Its per-token prices are now unit-ambiguous, as for any
  output_modalities that are no list of names, and its limits and capabilities are read: on a
  first load of OpenRouter the model had no value at all.

Both variants are made here from the recorded epoch-2 responses and run through the refresh.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.normalize import UNREADABLE_RULE
from catalog.tables import catalog_values
from schemas.sources import sources
from tests.worlds import fault_world, in_force, quarantined, recorded_text, replayed_run

pytestmark = pytest.mark.integration

LITELLM = sources()["litellm"].urls[0]
OPENROUTER = sources()["openrouter"].urls  # its two recorded listings
MODEL = "qwen/qwen3.8-27b"  # listed in both


def test_a_price_out_of_range_once_scaled_is_set_aside_alone(
    prefect_api: None, tmp_path: Path
) -> None:
    text = recorded_text(LITELLM)
    start = text.index('    "gpt-4.1": {\n')
    stated = '"input_cost_per_token": 2e-06,'
    at = text.index(stated, start)
    assert at < text.index("},", start)  # gpt-4.1's own input price
    body = text[:at] + '"input_cost_per_token": 1e25,' + text[at + len(stated) :]
    world = fault_world(tmp_path, {LITELLM: {"body": body}})
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    run = replayed_run(db, world, ["litellm"], accept_new=True)
    assert "gpt-4.1" not in quarantined(db, run, UNREADABLE_RULE)
    assert "gpt-4.1" in quarantined(db, run, "out_of_range")
    model = catalog_values.c.model == "gpt-4.1"
    assert max(in_force(db, "openai", "input", model).values()) < 1000  # another key's
    # the entry's other fields are read as stated
    assert in_force(db, "openai", "output", model)["gpt-4.1 "] == Decimal(8)
    assert in_force(db, "openai", "max_input_tokens", model)["gpt-4.1 "] == 1047576


def outputs_as_objects(body: str) -> str:
    """The listing with MODEL's output modalities written as objects (`{"type": "text"}`)."""
    doc = json.loads(body)
    [model] = [m for m in doc["data"] if m["id"] == MODEL]
    architecture = model["architecture"]
    architecture["output_modalities"] = [{"type": o} for o in architecture["output_modalities"]]
    return json.dumps(doc)


def test_output_modalities_of_objects_keep_the_models_limits(
    prefect_api: None, tmp_path: Path
) -> None:
    world = fault_world(
        tmp_path, {url: {"body": outputs_as_objects(recorded_text(url))} for url in OPENROUTER}
    )
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    run = replayed_run(db, world, ["openrouter"], accept_new=True)
    assert MODEL not in quarantined(db, run, UNREADABLE_RULE)
    assert quarantined(db, run, "unit-ambiguous").count(MODEL) >= 3  # its per-token prices
    model = catalog_values.c.model == "qwen3.8-27b"
    assert in_force(db, "openrouter", "input", model) == {}
    assert in_force(db, "openrouter", "context_window", model) == {"qwen3.8-27b ": 262144}
    assert in_force(db, "openrouter", "max_output_tokens", model) == {"qwen3.8-27b ": 131072}
