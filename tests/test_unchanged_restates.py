"""An item closes by itself beside sources that answered byte-identically.

A fault round swapped the "Base Input Tokens" and "Output Tokens" headers of Anthropic's pricing
table (the data rows as they were): every model's input and output were proposed swapped, as
price changes citing Anthropic's page and the secondaries that state the model. The next day
the page was right again and read in full, but Portkey answered byte for byte as before, so it
was confirmed unchanged, not read, and the items stayed open and approvable (approving one wrote
the swapped price as verified). A source confirmed unchanged states what it last stated: the
items close by themselves. (Since fault round 52 such a swap is set aside as a block, "at
another field's price"; the day's price changes here come from every input written 20 % high,
a misprint no rule sets aside.)

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of
epoch-2 and worlds made here from its recorded Anthropic page.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog import store
from catalog.tables import review_items, source_runs
from tests.conftest import WORLDS, copy_catalog
from tests.worlds import fault_world, recorded_text, replayed_run, review_rows

pytestmark = pytest.mark.integration

SOURCES = ["anthropic-page", "portkey"]
PAGE = "https://platform.claude.com/docs/en/about-claude/pricing.md"
HEADER = (
    "| Model             | Base Input Tokens | 5m Cache Writes | 1h Cache Writes |"
    " Cache Hits & Refreshes | Output Tokens |"
)


def misprinted(page: str) -> str:
    """`page` with every model's Base Input Tokens cell in the table under HEADER written 20 %
    high (the other cells as they were)."""
    lines = page.split("\n")
    k = lines.index(HEADER) + 2  # past the delimiter row
    while lines[k].startswith("|"):
        cells = lines[k].split("|")
        amount = cells[2].split("$")[1].split()[0]
        cells[2] = cells[2].replace(f"${amount}", f"${Decimal(amount) * 12 / 10}")
        lines[k] = "|".join(cells)
        k += 1
    return "\n".join(lines)


def recorded_page() -> str:
    text = recorded_text(PAGE)
    assert text.count(HEADER) == 1
    return text


def price_changes(db: str) -> list[Any]:
    ri = review_items.c
    columns = (ri.id, ri.status, ri.reason, ri.sources)
    return review_rows(db, columns, ri.kind == "price_change", ri.route == "anthropic")


@pytest.fixture(scope="module")
def swapped(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An epoch-2 catalog of Anthropic's page and Portkey, then a day of misprinted inputs."""
    folder = tmp_path_factory.mktemp("swapped")
    db = folder / "catalog.db"
    replayed_run(f"sqlite:///{db}", WORLDS / "epoch-2.json", SOURCES, accept_new=True)
    body = misprinted(recorded_page())
    replayed_run(f"sqlite:///{db}", fault_world(folder, {PAGE: {"body": body}}), SOURCES)
    opened = price_changes(f"sqlite:///{db}")
    assert len(opened) > 5 and {status for _, status, _, _ in opened} == {"open"}
    assert any("portkey" in sources for _, _, _, sources in opened)
    return db


def test_price_changes_close_beside_an_unchanged_source(swapped: Path, tmp_path: Path) -> None:
    db = copy_catalog(swapped, tmp_path / "corrected.db")
    corrected = recorded_page() + "\n"  # the page right again (read: its bytes differ)
    run_id = replayed_run(db, fault_world(tmp_path, {PAGE: {"body": corrected}}), SOURCES)
    with store.connect(db).connect() as conn:
        portkey = conn.execute(
            select(source_runs.c.reason).where(
                source_runs.c.run_id == run_id, source_runs.c.source == "portkey"
            )
        ).scalar_one()
    assert portkey.startswith("unchanged since run")
    after = price_changes(db)
    assert {status for _, status, _, _ in after} == {"superseded"}
    assert {reason for _, _, reason, _ in after} == {
        f"closed by itself: what it proposes is no longer stated by {', '.join(sources)} "
        f"(answered in full, run {run_id})"
        for _, _, _, sources in after
    }
