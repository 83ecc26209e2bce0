"""A field a record's problem hides is not withdrawn: it stands as the source last stated it.

A fault round renamed LiteLLM's `input_cost_per_token` to `input_cost_per_token_v2` in every
entry. LiteLLM answered in full and each renamed key was quarantined alone ("unknown field"),
as it should be, but the run then superseded and reopened 112 new-model, 12 new-value and 2
disagreement items without LiteLLM's input prices, items other sources lead among them, and
the next healthy run reopened them all again under new ids. What a source sent and ratecard
could not read is not gone: now the fields a source read in full states nothing of, of a model
it named in a record read with a problem, stand as it last stated them (as a partial source's
do), and the items stay as they were; on every day the fault lasts, not only its first (the
day that held a field stated nothing of it, so the next day's last statements lacked it).

LiteLLM's and models.dev's epoch-1 answers are loaded (accept-new), then their epoch-2 answers
open new-model items citing both; then epoch-2 again with the key renamed in LiteLLM's map
(made here from the recorded body). Refreshes through the real flow (Scrapy over loopback HTTP,
a real Prefect API, SQLite).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import quarantine
from tests.conftest import WORLDS, copy_catalog
from tests.test_withdrawn_statement import SOURCES, items, recorded
from tests.worlds import epoch2_after_epoch1, fault_world, replayed_run

pytestmark = pytest.mark.integration

RENAMED = "input_cost_per_token"


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return epoch2_after_epoch1(tmp_path_factory, tmp_path_factory.mktemp("hidden"), SOURCES)


def renamed(document: dict[str, Any]) -> int:
    """Every entry's RENAMED key under a new name; how many entries had it."""
    count = 0
    for entry in document.values():
        if isinstance(entry, dict) and RENAMED in entry:
            entry[f"{RENAMED}_v2"] = entry.pop(RENAMED)
            count += 1
    return count


def test_a_renamed_key_keeps_the_items_that_cite_its_values(epoch2: Path, tmp_path: Path) -> None:
    db = copy_catalog(epoch2, tmp_path / "renamed.db")
    before = items(db)
    citing = {
        item_id
        for item_id, row in before.items()
        if row[3] == "open"
        and "litellm" in row[5]
        and any(s["source"] == "litellm" for c in row[6] for s in c["sources"])
        and any(c["component"] == "input" for c in row[6])
    }
    assert len(citing) > 50  # items that quote LiteLLM's input prices
    litellm = recorded("BerriAI")
    document = json.loads((WORLDS / litellm["file"]).read_text())
    assert renamed(document) > 1000
    replayed_run(
        db, fault_world(tmp_path, {litellm["url"]: {"body": json.dumps(document)}}), SOURCES
    )
    after = items(db)
    assert {i for i in citing if after[i][3] != "open"} == set()
    assert {i: after[i] for i in citing} == {i: before[i] for i in citing}
    # nor any other: the anomalies on values LiteLLM's last run set aside (an input price
    # 100,000 times too high) keep their lines while the key hides the field (a fault round:
    # fourteen lost their input line for the day)
    assert after == before


def test_a_key_renamed_for_days_keeps_them_every_day(epoch2: Path, tmp_path: Path) -> None:
    """The renamed key stays renamed the next day (LiteLLM's map changes every day: the body
    differs, here only in layout): the fields it hides stand as last stated again, not only on
    the first day of the fault, and the items stay as they were. What the days open besides
    (anomalies aside) is what the same days open with the key as recorded (a model three
    complete listings leave out is missing, whatever the fault)."""
    litellm = recorded("BerriAI")
    document = json.loads((WORLDS / litellm["file"]).read_text())
    opened: dict[str, list[tuple[Any, ...]]] = {}
    for case in ("recorded", "renamed"):
        db = copy_catalog(epoch2, tmp_path / f"{case}.db")
        before = items(db)
        if case == "renamed":
            renamed(document)
        for layout in (None, 1):
            body = json.dumps(document, indent=layout)
            (tmp_path / case).mkdir(exist_ok=True)
            world = fault_world(tmp_path / case, {litellm["url"]: {"body": body}})
            replayed_run(db, world, SOURCES)
            after = items(db)
            changed = {i for i in before if after[i] != before[i] and before[i][0] != "anomaly"}
            assert changed == set()
        opened[case] = sorted(row[:3] for i, row in after.items() if i not in before)
    assert [row for row in opened["renamed"] if row[0] != "anomaly"] == [
        row for row in opened["recorded"] if row[0] != "anomaly"
    ]


CACHE_READ = "cache_read_input_token_cost"
SET_ASIDE = {
    # validation's check across rows: a cache read dearer than its input
    "cache read dearer": (CACHE_READ, "cache_read_le_input", 10),
    # beyond the most a price in its unit can be (LiteLLM's known bug: prices 100,000 times too
    # high for months), which validation sets aside
    "input 100,000 times": (RENAMED, "magnitude", 100_000),
    # below the plausibility band, which the reading stage sets aside after validation
    "input a 100,000th": (RENAMED, "implausible for unit", 0.00001),
}


@pytest.mark.parametrize("fault", SET_ASIDE)
def test_values_set_aside_keep_the_items_that_cite_their_fields(
    epoch2: Path, tmp_path: Path, fault: str
) -> None:
    """A fault round made OpenRouter's cache read price of a model ten times its input price:
    validation set the value aside (a cache read dearer than its input), but the open item that
    quoted the field was superseded by one without it (24 fields to 23), and again with it when
    the source recovered: a reviewer's item replaced twice for a value the source did not
    withdraw. Here LiteLLM states 40 models' cache read prices at ten times their input price,
    or their input prices at 100,000 times or a 100,000th: each is quarantined alone, and every
    item stays as it was."""
    key, rule, factor = SET_ASIDE[fault]
    db = copy_catalog(epoch2, tmp_path / "set-aside.db")
    before = items(db)
    litellm = recorded("BerriAI")
    document = json.loads((WORLDS / litellm["file"]).read_text())
    changed = [
        name
        for name, entry in document.items()
        if isinstance(entry, dict)
        and entry.get(CACHE_READ)
        and entry.get(RENAMED)
        and entry.get("litellm_provider") == "openai"
    ][:40]
    component = "cache_read" if key == CACHE_READ else "input"
    citing = {
        item_id
        for item_id, row in before.items()
        if row[3] == "open"
        and any(
            c["component"] == component and any(s["source"] == "litellm" for s in c["sources"])
            for c in row[6]
        )
    }
    assert len(changed) == 40
    assert citing  # items that quote the LiteLLM prices changed
    for name in changed:
        document[name][key] = document[name][RENAMED] * factor
    run_id = replayed_run(
        db, fault_world(tmp_path, {litellm["url"]: {"body": json.dumps(document)}}), SOURCES
    )
    after = items(db)
    assert {i: after[i] for i in before if before[i][0] != "anomaly"} == {
        i: row for i, row in before.items() if row[0] != "anomaly"
    }
    opened = [row for i, row in after.items() if i not in before]
    assert opened and {row[0] for row in opened} == {"anomaly"}
    q = quarantine.c
    with store.connect(db).connect() as conn:
        set_aside = set(
            conn.execute(
                select(q.record).where(
                    q.source == "litellm", q.last_run_id == run_id, q.rule.contains(rule)
                )
            ).scalars()
        )
    # the entries' values are quarantined under the rule (some under a twin's name: a value two
    # records state alike is quoted by the first of them)
    assert len(set(changed) & set_aside) >= 30
