"""An official section whose prose names the wrong unit for a day: its prices are set aside, and
nothing that quotes them closes for it.

Fault round 39: the OpenAI page's "Audio tokens" section written "Prices per 1K tokens." (the
numbers unchanged) had its prices read per 1M tokens a thousandfold and set aside, rightly; but
the same day a cross-route anomaly quoting OpenAI's audio price closed as "opened while portkey
had failed; it states these values again" (the anomaly, proposed again from the held statements
of OpenRouter, confirmed unchanged, and of OpenAI, its price set aside, was taken for one no
longer proposed), and a dated snapshot's new-model item closed as "no longer stated by portkey"
(a price set aside taught identity nothing, so the snapshot, priced apart by the official base
price, was folded into its base). Both reopened the next clean day.

The OpenAI page, OpenRouter and Portkey: epoch-1 (accept-new; Portkey fails there), epoch-2
under review, then the page with its audio section so written, OpenRouter's listings the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.tables import review_items
from tests.test_hidden_while_held import OPENAI_PAGE
from tests.worlds import (
    epoch2_after_epoch1,
    fault_world,
    recorded_text,
    replayed_run,
    reported,
    review_rows,
)

pytestmark = pytest.mark.integration

SOURCES = ["openai-page", "openrouter", "portkey"]
AUDIO = "### Audio tokens\n\nPrices per 1M tokens.\n"


def test_prices_set_aside_for_their_unit_close_no_item_that_quotes_them(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = f"sqlite:///{epoch2_after_epoch1(tmp_path_factory, tmp_path, SOURCES)}"
    r = review_items.c
    before = {row.id: row.title for row in review_rows(db, (r.id, r.title), r.status == "open")}
    assert any("routes that must match" in title for title in before.values())
    assert any("gpt-4o-audio-preview-2024-10-01" in title for title in before.values())
    page = recorded_text(OPENAI_PAGE)
    assert page.count(AUDIO) == 1
    slipped = {OPENAI_PAGE: {"body": page.replace(AUDIO, AUDIO.replace("1M", "1K"))}}
    run_id = replayed_run(db, fault_world(tmp_path, slipped), SOURCES)
    reports = reported(db, run_id)
    assert reports["openai-page"][0] == "ok"
    assert reports["openrouter"][1].startswith("unchanged since")
    raised = review_rows(db, (r.title,), r.run_id == run_id, r.kind == "anomaly")
    assert any("magnitude" in row.title for row in raised)  # the slip is set aside
    # nothing closes by itself (an anomaly may be superseded by today's about the same field)
    closed = review_rows(db, (r.id, r.title, r.reason), r.id.in_(before), r.status != "open")
    assert [row for row in closed if row.reason.startswith("closed by itself")] == []
