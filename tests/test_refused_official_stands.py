"""An official source refused in validation still states its thresholds to the rules across
sources, at what it last stated, as one that did not answer does.

Fault round 52: the Gemini page with the price rows of most sections turned into prose lines
(or with its Standard and Batch headings swapped, whose batch prices are then set aside) was
broken ("collapsed statements": far fewer valid statements than usual), so none of it applied.
But the rules across sources judged that run without its thresholds: a secondary's context tier
is quarantined where the route's official source states other thresholds, and with the page
neither read nor held, Portkey's 128k tiers of Gemini models passed, and their prices were
proposed (28 items rewritten with about 100 such values in the swapped case). A page answering
404 holds its last statements there; one refused after reading now stands the same way
(flows/refresh.py `_refused_officially`).

The Gemini page and Portkey, epoch-2 into an empty catalog under review, then epoch-2 with the
page broken so (made here from the recorded page) and Portkey's google.json re-indented, so that
Portkey is read again that day, as it is when its names map otherwise (it was, in the fault
round). Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import copy_catalog
from tests.test_withdrawn_statement import items
from tests.worlds import epoch2_under_review, fault_world, recorded_text, replayed, reported

pytestmark = pytest.mark.integration

SOURCES = ["gemini-page", "portkey"]
GEMINI = "https://ai.google.dev/gemini-api/docs/pricing"
PORTKEY_GOOGLE = "https://configs.portkey.ai/pricing/google.json"


def _prices_as_prose(page: str, kept: int) -> str:
    """The page with the price rows of every section after its first `kept` model headings
    written as lines of prose (their pipes gone): the page names its models, states few
    prices."""
    out, headings = [], 0
    for line in page.split("\n"):
        headings += line.startswith("## ")
        cells = line.split("|")
        if headings > kept and line.startswith("| ") and "price" in cells[1].lower():
            line = " ".join(cell.strip() for cell in cells if cell.strip())
        out.append(line)
    return "\n".join(out)


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("refused")
    epoch2_under_review(tmp_path_factory, folder, SOURCES)
    return folder / "catalog.db"


def test_a_page_refused_in_validation_still_states_its_thresholds(
    epoch2: Path, tmp_path: Path
) -> None:
    db = copy_catalog(epoch2, tmp_path / "refused.db")
    before = items(db)
    broken = {
        GEMINI: {"body": _prices_as_prose(recorded_text(GEMINI), kept=4)},
        PORTKEY_GOOGLE: {"body": json.dumps(json.loads(recorded_text(PORTKEY_GOOGLE)), indent=1)},
    }
    state = replayed(db, fault_world(tmp_path, broken), SOURCES)
    status, reason = reported(db, state.result())["gemini-page"]
    assert (status, reason.split(":")[0]) == ("broken", "collapsed statements")
    assert items(db) == before
