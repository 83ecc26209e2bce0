"""A page that still names its models but states a fraction of its usual values is broken for
the day; a count that lasts becomes usual.

A fault round turned the main price table of Anthropic's page into bullet lines (a layout
change: "- **Claude Opus 4.5**: input $5 / MTok, ..."). Its other tables (batch, long context)
still name each model, so the page kept more than half its records, and it read as a complete
answer of 24 statements where it had stated 74: disagreement items lost the official side, new
model items narrowed. A source read whole that states fewer than half its usual count of valid
statements (the median of its last three counts read whole, catalog/runlog.usual_statements) is
`broken` now, and changes nothing; the same count on its third day is read (one odd day never
becomes usual, a count that lasts does).

Anthropic's page alone, epoch-2 into an empty catalog under review twice (its new-model items
stay open), then the bullet-line page (made here from the recorded one) three times, then
epoch-2.
Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import WORLDS
from tests.test_faults_kill import newest_run
from tests.test_withdrawn_statement import items
from tests.worlds import (
    epoch2_under_review,
    fault_world,
    recorded_text,
    replayed,
    replayed_run,
    reported,
)

pytestmark = pytest.mark.integration

SOURCES = ["anthropic-page"]
PAGE = "https://platform.claude.com/docs/en/about-claude/pricing.md"
ROW = re.compile(r"^\| (Claude [^|]+?)\s*\|" + r" ([^|]+?)\s*\|" * 5 + r"\s*$")


def bullets(page: str) -> str:
    """The page with each row of its main price table (a model and five prices per 1M tokens)
    written as a bullet line."""
    lines = []
    for line in page.splitlines():
        row = ROW.match(line)
        if row and "MTok" in line:
            name, *prices = row.groups()
            lines.append(
                f"- **{name}**: input {prices[0]}, 5m cache writes {prices[1]}, 1h cache writes "
                f"{prices[2]}, cache hits {prices[3]}, output {prices[4]}"
            )
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def test_a_page_stating_a_fraction_of_its_values_is_broken_until_it_lasts(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = epoch2_under_review(tmp_path_factory, tmp_path, SOURCES, days=2)
    before = items(db)
    page = recorded_text(PAGE)
    changed = bullets(page)
    assert changed.count("- **Claude") >= 10
    world = fault_world(tmp_path, {PAGE: {"body": changed}})

    for _ in range(2):  # against the median of [74], then of [24, 74]: the higher of two
        assert replayed(db, world, SOURCES).is_failed()  # its one source changed nothing
        assert reported(db, newest_run(db))["anthropic-page"] == (
            "broken",
            "collapsed statements: 24 valid statements against its usual 74",
        )
        assert items(db) == before

    lasting = replayed_run(db, world, SOURCES)
    assert reported(db, lasting)["anthropic-page"] == ("ok", "")
    assert items(db) != before  # read: what it no longer states narrows its new-model items

    recovered = replayed_run(db, WORLDS / "epoch-2.json", SOURCES)
    assert reported(db, recovered)["anthropic-page"] == ("ok", "")


def test_a_collapse_after_a_days_recovery_is_still_broken(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """A fault round: the bullet-line page two days, the recorded page a day, the bullet-line
    page again: the third collapse was read (the median of the last three counts, 24, 24 and
    74, was 24). A count the source recovered from is no usual one (catalog.health `Counts`)."""
    db = epoch2_under_review(tmp_path_factory, tmp_path, SOURCES, days=2)
    before = items(db)
    world = fault_world(tmp_path, {PAGE: {"body": bullets(recorded_text(PAGE))}})
    for day in (world, world, WORLDS / "epoch-2.json", world):
        replayed(db, day, SOURCES)
    assert reported(db, newest_run(db))["anthropic-page"] == (
        "broken",
        "collapsed statements: 24 valid statements against its usual 74",
    )
    assert items(db) == before


HALVED = re.compile(r"^\|\s*Claude (Opus 4\.1|Opus 4|Sonnet 4|Sonnet 3\.7|Opus 3|Haiku 3\.5)\b")


def test_a_page_that_really_halves_is_read_once_its_count_lasts(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """A fault round: Anthropic's page really dropping six of its ten models from every table
    stayed `broken` for good ("10 records against 22 in the last complete run": the last
    complete run never moved while the source was broken). The source's usual record count
    is the median of its last totals read whole now (catalog/runlog.usual_source_records): the
    page is refused while its count is odd, for records then for statements, and read once
    both counts last."""
    db = epoch2_under_review(tmp_path_factory, tmp_path, SOURCES, days=2)
    before = items(db)
    page = recorded_text(PAGE)
    halved = "\n".join(line for line in page.split("\n") if not HALVED.match(line))
    world = fault_world(tmp_path, {PAGE: {"body": halved}})
    statuses = []
    for _ in range(5):
        state = replayed(db, world, SOURCES)
        status, reason = reported(db, newest_run(db))["anthropic-page"]
        statuses.append(status)
        if status == "broken":
            assert state.is_failed() and items(db) == before, reason
    assert statuses == ["broken", "broken", "broken", "broken", "ok"]
    assert items(db) != before  # read: the models it dropped no longer widen its items
