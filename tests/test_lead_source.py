"""One secondary's provider block rescaled for a day: its slip is no support for an open
proposal, and the anomalies it raises are led by it and filed in its change set.

Fault round 39: LiteLLM's fireworks prices written per 1K tokens into its per-token fields
(×1000). Where a field had an open price change (0.05 → 0.07, LiteLLM among the sources of 0.07),
its 70 joined the item as one more source, as a source moved by a power of ten from its own
last statement is set aside only on fields the catalog does not price; and anomalies "input: 0.9
→ 900" were filed under genai-prices, which still stated 0.9 as the day before, because the lead
of an item no official source speaks in was the first source it cites by name. LiteLLM's recorded
map with every fireworks entry's prices so rescaled, after LiteLLM's epoch-1 (accept-new) and
genai-prices' and LiteLLM's epoch-2 answers (the change of gpt-oss-20b's input stays open).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.tables import review_items
from tests.observed import LITELLM
from tests.worlds import epoch2_after_epoch1, fault_world, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

SOURCES = ["genai-prices", "litellm", "modelsdev"]
LITELLM_URL = LITELLM[3]


def test_a_secondarys_slip_supports_nothing_and_leads_its_anomalies(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = f"sqlite:///{epoch2_after_epoch1(tmp_path_factory, tmp_path, SOURCES)}"
    r = review_items.c
    [change] = review_rows(
        db,
        (r.id, r.changes),
        r.status == "open",
        r.kind == "price_change",
        r.model == "gpt-oss-20b",
        r.route == "fireworks",
        r.title.contains(" input: "),
    )
    stated = {s["source"]: s["value"] for c in change.changes for s in c["sources"]}
    assert stated["litellm"] == "0.07"
    document = json.loads(recorded_text(LITELLM_URL))
    for name, entry in document.items():
        if name.startswith("fireworks_ai/") and isinstance(entry, dict):
            for key, value in entry.items():
                if "cost_per_token" in key and isinstance(value, int | float):
                    entry[key] = value * 1000
    rescaled = fault_world(tmp_path, {LITELLM_URL: {"body": json.dumps(document)}})
    run_id = replayed_run(db, rescaled, SOURCES)
    [still] = review_rows(db, (r.changes, r.status), r.id == change.id)
    assert still.status == "open"
    stated = {s["source"]: s["value"] for c in still.changes for s in c["sources"]}
    assert stated["litellm"] == "0.07"  # as last stated: its 70 is set aside
    raised = review_rows(
        db,
        (r.id, r.title, r.sources, r.lead_source, r.set_id),
        r.run_id == run_id,
        r.kind == "anomaly",
        r.model.in_(["deepseek-v3-0324", "gpt-oss-20b"]),
    )
    assert raised and any("genai-prices" in row.sources for row in raised), raised
    for row in raised:
        assert row.lead_source == "litellm" and ":litellm:" in row.set_id, row


MODELSDEV_URL = "https://models.dev/api.json"
LITELLM_KEYS = ("fireworks_ai/accounts/fireworks/models/gpt-oss-20b", "fireworks_ai/gpt-oss-20b")


def test_a_tenfold_cut_two_sources_state_is_no_slip(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """Fault round 40: a real tenfold cut of gpt-oss-20b's output (0.3 to 0.03) stated by LiteLLM
    and models.dev while genai-prices still stated 0.3 was set aside as two slips, each mover
    judged against the lagging source alone, and the open change kept citing them at 0.3. A
    move another source states too is a repricing: proposed, not set aside."""
    db = f"sqlite:///{epoch2_after_epoch1(tmp_path_factory, tmp_path, SOURCES)}"
    litellm = json.loads(recorded_text(LITELLM_URL))
    for key in LITELLM_KEYS:
        litellm[key]["output_cost_per_token"] = litellm[key]["output_cost_per_token"] / 10
    modelsdev = json.loads(recorded_text(MODELSDEV_URL))
    cost = modelsdev["fireworks-ai"]["models"]["accounts/fireworks/models/gpt-oss-20b"]["cost"]
    assert cost["output"] == 0.3
    cost["output"] = 0.03
    cut = {
        LITELLM_URL: {"body": json.dumps(litellm)},
        MODELSDEV_URL: {"body": json.dumps(modelsdev)},
    }
    run_id = replayed_run(db, fault_world(tmp_path, cut), SOURCES)
    r = review_items.c
    raised = review_rows(
        db, (r.title, r.detail), r.run_id == run_id, r.model == "gpt-oss-20b", r.kind == "anomaly"
    )
    assert not [row for row in raised if "power of ten" in row.detail], raised
    open_now = review_rows(
        db, (r.changes,), r.status == "open", r.model == "gpt-oss-20b", r.route == "fireworks"
    )
    stated = {
        s["source"]: s["value"]
        for row in open_now
        for c in row.changes
        if c["component"] == "output"
        for s in c["sources"]
    }
    assert stated["litellm"] == stated["modelsdev"] == "0.03", stated
