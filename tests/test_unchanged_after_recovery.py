"""A source whose bytes repeat is read again when a source that did not answer in full the day
it was last read answers in full now.

A fault round (18): LiteLLM failed on the day models.dev changed. The rules across sources
judged models.dev's statements without LiteLLM's: no source priced Whisper per second that
day, so models.dev's per-token prices of it were proposed, where read beside LiteLLM they are
unit-ambiguous (catalog/plausibility.py rule 2). The next day LiteLLM answered, models.dev's
bytes repeated, and its fault-day reading was confirmed unchanged: the proposals stayed and the
quarantine missed them for good.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of the
recorded worlds, LiteLLM's map answering 404 on the fault day.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog import store
from catalog.tables import quarantine
from tests.conftest import WORLDS
from tests.test_fault_kinds import urls
from tests.worlds import fault_world, replayed_run, reported

pytestmark = pytest.mark.integration

SOURCES = ["litellm", "modelsdev", "openrouter"]


def ambiguous(db: str, run_id: int) -> int:
    """models.dev's statements quarantined as unit-ambiguous, as run `run_id` left them."""
    q = quarantine.c
    with store.connect(db).connect() as conn:
        return conn.execute(
            select(func.count()).where(
                q.source == "modelsdev", q.rule == "unit-ambiguous", q.last_run_id == run_id
            )
        ).scalar_one()


def test_the_day_a_failed_source_answers_again_the_others_are_read_beside_it(
    prefect_api: None, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    replayed_run(db, WORLDS / "epoch-1.json", SOURCES, accept_new=True)
    down = fault_world(tmp_path, {urls("litellm")[0]: {"status": 404, "body": "Not Found"}})
    fault_day = replayed_run(db, down, SOURCES)
    assert reported(db, fault_day)["litellm"][0] == "failed"
    assert ambiguous(db, fault_day) == 0  # read without LiteLLM's per-second prices
    recovered = replayed_run(db, WORLDS / "epoch-2.json", SOURCES)
    status, reason = reported(db, recovered)["modelsdev"]
    assert status == "ok" and not reason.startswith("unchanged since"), reason
    read_beside = ambiguous(db, recovered)
    assert read_beside > 0
    again = replayed_run(db, WORLDS / "epoch-2.json", SOURCES)  # nothing new: confirmed
    assert reported(db, again)["modelsdev"][1].startswith("unchanged since run")
    assert ambiguous(db, again) == read_beside  # carried on


def test_a_source_failing_alike_every_day_has_no_other_read_again(
    prefect_api: None, tmp_path: Path
) -> None:
    """Fault round 19: epoch-1's Gemini page collapses in validation, every day alike, after
    answering in full at fetch: it read as a source back in full each day, and every other
    source was read again on every run. Its bodies repeat: Anthropic's page is confirmed."""
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    pages = ["gemini-page", "anthropic-page"]
    replayed_run(db, WORLDS / "epoch-1.json", pages, accept_new=True)
    for _ in range(2):
        run_id = replayed_run(db, WORLDS / "epoch-1.json", pages)
        found = reported(db, run_id)
        assert found["gemini-page"][0] == "failed", found
        assert found["anthropic-page"][1].startswith("unchanged since run"), found
