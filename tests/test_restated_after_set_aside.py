"""A price set aside as judged in context stays set aside while its source restates it alike
(catalog/intake.py `_set_aside_again`).

A fault probe: LiteLLM's recorded map states azure_ai's Llama-4-Maverick-17B-128E-Instruct-FP8
with its input and output exchanged (1.41 and 0.35, where Portkey states 0.35 and 1.41). A first
load sets both aside "at another field's price", judged by what the other sources state, and
keeps Portkey's. The same map re-serialized (the same content in other bytes, as any upstream
commit to the map sends it) is read again the next day; with the catalog's values as its only
reference no block of exchanged columns stood out, and two disagreements proposed the exchanged
values (0.35 -> 1.41, 1.41 -> 0.35) beside the anomaly, which was superseded.

Through the real flow, on the epoch-2 world's recorded LiteLLM and Portkey responses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.intake import FIELDS_SWAPPED_RULE
from catalog.tables import review_items
from tests.observed import LITELLM
from tests.worlds import (
    epoch2_loaded,
    fault_world,
    newest_run_id,
    quarantined,
    recorded_text,
    replayed_run,
    review_rows,
)

SOURCES = ["litellm", "portkey", "modelsdev"]
RECORD = "azure_ai/Llama-4-Maverick-17B-128E-Instruct-FP8"
MODEL = "llama-4-maverick-17b-128e-instruct-fp8"


def test_exchanged_prices_restated_in_other_bytes_stay_set_aside(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", SOURCES)
    first = newest_run_id(db)
    assert quarantined(db, first, FIELDS_SWAPPED_RULE).count(RECORD) == 2
    r = review_items.c
    columns = (r.id, r.kind, r.status, r.run_id)
    (anomaly,) = review_rows(db, columns, r.route == "azure_ai", r.model == MODEL)
    assert (anomaly.kind, anomaly.status) == ("anomaly", "open")

    map_url = LITELLM[3]
    body = json.dumps(json.loads(recorded_text(map_url)), indent=4)
    world = fault_world(tmp_path, {map_url: {"body": body}})
    second = replayed_run(db, world, SOURCES)

    assert quarantined(db, second, FIELDS_SWAPPED_RULE).count(RECORD) == 2
    items = review_rows(db, columns, r.route == "azure_ai", r.model == MODEL)
    assert [(i.id, i.status) for i in items] == [(anomaly.id, "open")]
