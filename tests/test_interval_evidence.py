"""An interval of observations shows the words of the response it ends at.

A statement repeated by a later response extends the interval the previous one ended (one row
per source, field and value). OpenAI's page renamed its sections between its recorded answers
("Pricing OpenAI > Audio tokens" became "Pricing > Audio tokens"), the values the same: the
extended rows kept the first answer's words, and an item re-formed from them quoted that text
as what the later answer says (a fault round). An interval extended by a statement written
otherwise takes the latest response's words.

OpenAI's page: epoch-1 (accept-new), then epoch-2, through the real flow (Scrapy over loopback
HTTP, a real Prefect API, SQLite); the epoch-2 page's own words read with its parser.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import interval_ends, observations, responses
from spiders import openai_page
from tests.conftest import WORLDS
from tests.test_pricing_pages import run
from tests.worlds import recorded_text, replayed_run

pytestmark = pytest.mark.integration

PAGE = "https://platform.openai.com/docs/pricing"


def test_an_extended_interval_shows_the_words_of_the_response_it_ends_at(
    prefect_api: None, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    replayed_run(db, WORLDS / "epoch-1.json", ["openai-page"], accept_new=True)
    run_id = replayed_run(db, WORLDS / "epoch-2.json", ["openai-page"])
    drafts, _ = run(openai_page, recorded_text(PAGE).encode(), PAGE)
    said = {d.evidence for d in drafts}
    o, e, r = observations.c, interval_ends.c, responses.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(o.evidence, o.response_id, r.run_id)
            .join(interval_ends, e.id == o.end_id)
            .join(responses, r.id == e.response_id)
            .where(o.source == "openai-page", r.run_id == run_id)
        ).all()
        started = dict(conn.execute(select(r.id, r.run_id)).all())
    extended = [row for row in rows if started[row.response_id] != run_id]
    assert extended and len(extended) < len(rows)  # some repeated, some new this run
    assert {row.evidence for row in rows} <= said
