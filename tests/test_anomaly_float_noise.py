"""The same values written with a double's noise in their last place find the anomaly items a
reviewer saw: the noise is read away from the values, and from the numbers an item quotes.

Fault round 56: LiteLLM's recorded map read after epoch-1, with every input and output price
written with a double's last-place noise (`3.000000000000001e-06` for `3e-06`: a price
recomputed in floating point), read the same values (spiders/parsing.py `without_float_noise`)
but superseded 17 open anomaly items about values it set aside and opened each again: their
fingerprints read the quoted numbers as written. The fingerprint now reads a number of more than
15 significant digits as the values are read (catalog/compare.py `anomaly_identity`).

LiteLLM's recorded epoch-2 map is loaded (accept-new), then served again with the noise, made
here from the recorded body: the anomaly items are the same items, open as before.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from catalog.compare import anomaly_identity
from tests.test_anomaly_written_anew import anomalies
from tests.worlds import epoch2_loaded, fault_world, recorded_text, replayed_run

pytestmark = pytest.mark.integration

LITELLM = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)
PRICES = ("input_cost_per_token", "output_cost_per_token")


def noisy(body: str) -> str:
    """Every input and output price of the map as the double one unit of its last place above
    it prints (`3e-06` as `3.000000000000001e-06`), where that double differs."""
    doc = json.loads(body)
    changed = 0
    for entry in doc.values():
        for key in PRICES if isinstance(entry, dict) else ():
            value = entry.get(key)
            if isinstance(value, float) and value > 0 and (up := value * (1 + 2.2e-16)) != value:
                entry[key] = up
                changed += 1
    assert changed > 100
    return json.dumps(doc, indent=4)


def test_a_number_with_a_doubles_noise_is_quoted_as_its_value() -> None:
    assert anomaly_identity("litellm", "input_cost_per_token=3.000000000000001e-06") == (
        anomaly_identity("litellm", "input_cost_per_token=3e-06")
    )
    # 15 significant digits or fewer, and integers, are numbers as written
    assert anomaly_identity("x", "0.208333333333333") != anomaly_identity("x", "0.208333333333334")
    assert anomaly_identity("x", "12345678901234567") != anomaly_identity("x", "12345678901234568")


def test_the_same_values_with_a_doubles_noise_find_their_anomaly_items(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", ["litellm"])
    before = anomalies(db)
    assert len(before) > 10
    body = recorded_text(LITELLM)
    assert re.search(r"e-0\d", body)
    replayed_run(db, fault_world(tmp_path, {LITELLM: {"body": noisy(body)}}), ["litellm"])
    assert anomalies(db) == before
