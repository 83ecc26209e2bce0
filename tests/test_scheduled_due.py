"""A body that schedules a price is read again, not confirmed unchanged, once the price is due.

Fault round 40: Azure's eastus2 listing with a Global meter's second row at 0.8 times its price
from 2026-08-16 (Azure lists a meter's old and new rows side by side for months), answered on
2026-08-14, then with the same bytes on 2026-08-20. The second day was confirmed unchanged: the
old price was stamped verified as of 2026-08-20, a day Azure's own rows say it no longer held,
and the new price was neither proposed nor shown any more. Azure alone, into a new catalog
(accept-new), then the same bytes dated after the new row's date (under review).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.tables import review_items
from tests.test_fault_worlds import urls
from tests.worlds import fault_world, recorded_text, replayed_run, reported, review_rows

pytestmark = pytest.mark.integration

SOURCES = ["azure"]


def test_a_scheduled_price_due_by_the_response_date_is_read_again(
    prefect_api: None, tmp_path: Path
) -> None:
    [url] = [u for u in urls("azure") if "eastus2" in u]
    listing = json.loads(recorded_text(url), parse_float=Decimal)
    meter = next(
        i
        for i in listing["Items"]
        if i["productName"].startswith("Azure OpenAI")
        and i["unitOfMeasure"] == "1M"
        and "Glbl" in i["skuName"]
    )
    later = {**meter, "effectiveStartDate": "2026-08-16T00:00:00Z"}
    later["retailPrice"] = later["unitPrice"] = meter["retailPrice"] * Decimal("0.8")
    listing["Items"].append(later)
    listing["Count"] = len(listing["Items"])
    body = json.dumps(listing, default=float)
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    first = {url: {"body": body, "date": "2026-08-14T00:00:00Z"}}
    replayed_run(db, fault_world(tmp_path, first), SOURCES, accept_new=True)
    due = {url: {"body": body, "date": "2026-08-20T00:00:00Z"}}
    run_id = replayed_run(db, fault_world(tmp_path, due), SOURCES)
    status, reason = reported(db, run_id)["azure"]
    # read, not confirmed: confirmed, the old price was stamped verified as of 2026-08-20
    assert status == "ok" and not reason.startswith("unchanged since"), reason
    r = review_items.c
    new_price = f"{later['retailPrice'].normalize():f}"
    proposed = review_rows(db, (r.title,), r.run_id == run_id, r.kind == "price_change")
    assert any(f"→ {new_price} " in row.title for row in proposed), (new_price, proposed)
