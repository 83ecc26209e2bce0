"""A price in force and its scheduled twin of the same value are two statements, in storage too.

genai-prices states anthropic/claude-sonnet-5's web search at $10 per 1K in its current price
set and again in the set starting 2026-09-01. Observations are stored as intervals per
(source, URL, field, value); the interval a repeat extends was found without the effective
date, so a second reading extended one row for both, the scheduled one, and the statements the
source is held at while it is not read (answered unchanged, or failed) lost the current price:
the model's new-model item then flipped between 29 and 28 fields, its due date reset each time.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of
epoch-2 and a world made here from it (genai-prices' recorded body re-serialized: the same
statements in other bytes, so it is read again rather than confirmed unchanged).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from catalog import store
from tests.conftest import WORLDS
from tests.test_fault_kinds import bodies, urls
from tests.worlds import fault_world, replayed_run


def web_search_dates(db: str) -> list[date | None]:
    """The effective dates of what genai-prices is held at for claude-sonnet-5's web search."""
    with store.connect(db).connect() as conn:
        held = store.last_statements(conn, ["genai-prices"])
    return sorted(
        (
            o.effective_from
            for o in held
            if o.source_model == "claude-sonnet-5" and o.component.value == "web_search"
        ),
        key=lambda day: day or date.min,
    )


@pytest.mark.integration
def test_a_repeat_extends_the_current_price_and_its_scheduled_twin_apart(
    prefect_api: None, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    replayed_run(db, WORLDS / "epoch-2.json", ["genai-prices"], accept_new=True)
    assert web_search_dates(db) == [None, date(2026, 9, 1)]
    [url] = urls("genai-prices")
    again = json.dumps(json.loads(bodies("genai-prices")[url]), indent=1)
    replayed_run(db, fault_world(tmp_path, {url: {"body": again}}), ["genai-prices"])
    assert web_search_dates(db) == [None, date(2026, 9, 1)]
