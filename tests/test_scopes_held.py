"""An official price a record's problem hides still places the secondaries' prices in its scope.

A fault round (9) gave Azure's gpt-4o-2024-08-06 global input and output meters a second
volume tier (tierMinimumUnits 1000000 at 80% of the price): both meters were quarantined, as
they should be ("volume tier"), but LiteLLM's and Portkey's unscoped azure/gpt-4o-2024-08-06
output, which Azure's global price had placed in the global scope, fell back to no scope, and
the open new-value item on the model was replaced by one with a field more (6 fields to 7). A
field a record's problem hides stands as last stated, for identity too: the official scopes it
taught stay where they were, and nothing but the anomalies opens.

A later fault round (10) gave the same two meters a row each scheduled after the listing's date
(`effectiveStartDate` a month on, at 80% of the price: how Azure announces a price change).
The scheduled price was recorded and compared with nothing, as it should be, but beside the
current one it read to identity as one name's field at two values, so the field placed no
secondary's price in its scope, and the item was again replaced with a field more. A price
scheduled after its response's date teaches identity nothing of today.

Epoch-1 (accept-new) then epoch-2 of Azure, LiteLLM and Portkey through the real flow (Scrapy
over loopback HTTP, a real Prefect API, SQLite); then epoch-2 with the two meters tiered or
given a scheduled row (made here from the recorded listing).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import WORLDS, copy_catalog
from tests.test_withdrawn_statement import items, recorded
from tests.worlds import (
    epoch2_after_epoch1,
    fault_world,
    newest_run_id,
    quarantined,
    replayed_run,
)

pytestmark = pytest.mark.integration

SOURCES = ["azure", "litellm", "portkey"]
METERS = {"gpt-4o-0806-Inp-glbl Tokens", "gpt-4o-0806-Outp-glbl Tokens"}


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return epoch2_after_epoch1(tmp_path_factory, tmp_path_factory.mktemp("scopes"), SOURCES)


# each meter's second row: a volume tier, or a price scheduled a month after the listing's date
SECOND_ROWS = {
    "tiered": {"tierMinimumUnits": 1000000.0},
    "scheduled": {"effectiveStartDate": "2026-09-14T00:00:00Z"},
}


@pytest.mark.parametrize("second_row", sorted(SECOND_ROWS))
def test_official_meters_with_a_second_row_leave_the_secondaries_in_their_scope(
    epoch2: Path, tmp_path: Path, second_row: str
) -> None:
    db = copy_catalog(epoch2, tmp_path / f"{second_row}.db")
    before = items(db)
    on_model = [
        row for row in before.values() if row[2] == "gpt-4o-2024-08-06" and row[3] == "open"
    ]
    assert on_model  # items on the model, citing the secondaries' scoped prices
    listing = recorded("eastus2")
    document = json.loads((WORLDS / listing["file"]).read_text())
    meters = [i for i in document["Items"] if i["meterName"] in METERS]
    assert len(meters) == 2
    for item in meters:
        second = copy.deepcopy(item)
        second.update(SECOND_ROWS[second_row])
        second["retailPrice"] = second["unitPrice"] = item["retailPrice"] * 0.8
        document["Items"].append(second)
    document["Count"] = len(document["Items"])
    replayed_run(
        db, fault_world(tmp_path, {listing["url"]: {"body": json.dumps(document)}}), SOURCES
    )
    after = items(db)
    assert {i: after[i] for i in before if before[i][0] != "anomaly"} == {
        i: row for i, row in before.items() if row[0] != "anomaly"
    }
    assert {row[0] for i, row in after.items() if i not in before} <= {"anomaly"}
    if second_row == "scheduled":  # recorded, compared with nothing: no anomaly either
        assert after == before


# The global input meter of gpt-4o-mini, and what the day does to it: listed twice at two
# prices (a duplicate row at a tenth more), or relabelled per 1M tokens with its per-1K price.
SET_ASIDE = {
    "stated twice": lambda item: (
        {**item, "meterId": "0" + item["meterId"][1:]}
        | {"retailPrice": item["retailPrice"] * 1.1, "unitPrice": item["unitPrice"] * 1.1}
    ),
    "relabelled per 1M": lambda item: {**item, "unitOfMeasure": "1M"},
}


@pytest.mark.parametrize("fault", sorted(SET_ASIDE))
def test_an_official_meter_set_aside_for_a_day_proposes_no_unscoped_field(
    epoch2: Path, tmp_path: Path, fault: str
) -> None:
    """Fault round 35 (F3): Azure's global gpt-4o-mini input meter set aside for a day (a
    duplicate row at another price, or its unit relabelled 1K -> 1M with the price kept, a
    thousand times less) left Portkey's bare 0.15, which that meter places in the global
    scope, unplaced: an item proposed an unscoped field beside the global one, a field no meter
    states, which a reviewer approving it kept for good (here a price change of the unscoped
    0.165 LiteLLM's epoch-1 map left). That day opens the anomalies and nothing else; the
    relabelled meter, whose "... Tokens" name says per 1K, is quarantined as its unit ambiguous
    (spiders/azure.py) and opens nothing."""

    def change(document: dict[str, Any], meter: dict[str, Any]) -> None:
        changed = SET_ASIDE[fault](meter)
        if changed["meterId"] == meter["meterId"]:
            meter.update(changed)
        else:
            document["Items"].append(changed)
        document["Count"] = len(document["Items"])

    db, before = _global_input_changed(epoch2, tmp_path, change)
    after = items(db)
    opened = {row[:3] for i, row in after.items() if i not in before}
    if fault == "stated twice":
        assert ("anomaly", "azure", "gpt-4o-mini") in opened, opened
    else:
        unit = quarantined(db, newest_run_id(db), "unit")
        assert "gpt-4o-mini-0718-Inp-glbl Tokens [eastus2]" in unit, unit
    assert {kind for kind, _, _ in opened} <= {"anomaly"}, opened


@pytest.mark.parametrize("repricing", ["repriced", "scheduled only"])
def test_an_official_meter_moved_leaves_the_lagging_secondaries_in_its_scope(
    epoch2: Path, tmp_path: Path, repricing: str
) -> None:
    """Fault rounds 44 (F3) and 45 (F8): Azure cutting gpt-4o-mini's global input 0.15 -> 0.13
    (or listing only the new price, from a later date) while the secondaries still say 0.15,
    as they do for days after a repricing: their bare 0.15, equal to no meter this run, was
    proposed as a price change of azure's bare field (0.165 -> 0.15), two secondaries moving a
    field of the official route. Until a review moves it, the global price in force is 0.15,
    and the bare 0.15 is its statement: the day opens Azure's own change, or nothing."""

    def change(document: dict[str, Any], meter: dict[str, Any]) -> None:
        meter["retailPrice"] = meter["unitPrice"] = 0.00013
        if repricing == "scheduled only":
            meter["effectiveStartDate"] = "2027-01-01T00:00:00Z"

    db, before = _global_input_changed(epoch2, tmp_path, change)
    after = items(db)
    opened = [row for i, row in after.items() if i not in before]
    expected = [] if repricing == "scheduled only" else [("price_change", "azure", "gpt-4o-mini")]
    assert [row[:3] for row in opened] == expected, opened
    assert {i: after[i] for i in before} == before


def _global_input_changed(
    epoch2: Path, tmp_path: Path, change: Callable[[dict[str, Any], dict[str, Any]], None]
) -> tuple[str, dict[int, tuple[Any, ...]]]:
    """A copy of the epoch-2 catalog in `tmp_path` refreshed with eastus2's recorded listing
    `change`d (given the document and its gpt-4o-mini global input meter): the copy's URL and
    its review items before that refresh."""
    db = copy_catalog(epoch2, tmp_path / "catalog.db")
    before = items(db)
    listing = recorded("eastus2")
    document = json.loads((WORLDS / listing["file"]).read_text())
    (meter,) = [
        i for i in document["Items"] if i["meterName"] == "gpt-4o-mini-0718-Inp-glbl Tokens"
    ]
    change(document, meter)
    replayed_run(
        db, fault_world(tmp_path, {listing["url"]: {"body": json.dumps(document)}}), SOURCES
    )
    return db, before
