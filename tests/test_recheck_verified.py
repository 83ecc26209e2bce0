"""An independent re-check of every verified value against the official responses (issue 9).

The catalog comes from a real refresh of the recorded epoch-2 world (every source, accept-new);
benchmarks/recheck_verified.py re-reads the official responses with its own readers.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest

from benchmarks.recheck_verified import Report, recheck
from tests.conftest import WORLDS, copy_catalog
from tests.published import epoch2_catalog

pytestmark = pytest.mark.integration

WORLD = WORLDS / "epoch-2.json"
READ_SOURCES = (
    "openrouter",
    "vercel",
    "azure",
    "openai-page",
    "anthropic-page",
    "gemini-page",
    "deepseek-page",
)

# Measured on epoch-2: 10,820 verified values, 76 not located (0.7 %): Azure meters the reader
# does not split (fused names such as "gpt4omini-aud1217", "realtimePrvwAudInp", "BatchOutp",
# DALL-E's LowRes/HighRes, video seconds that do not say video, MAI image output: 44),
# OpenAI's data-sharing fine-tuning rows (15), Imagen and storage rows of Gemini's page (13),
# Anthropic's long-context prose (4). The bound leaves room for a few dozen more and no more: a
# reader that stops finding one source's records (Gemini's page alone is 1.8 % of the values, the
# others more) takes the share past it; the two smallest sources are held by the "agrees" check.
NOT_LOCATED_BOUND = Decimal("0.02")


@pytest.fixture(scope="module")
def catalog_path(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return epoch2_catalog(tmp_path_factory)


@pytest.fixture(scope="module")
def report(catalog_path: Path) -> Report:
    return recheck(f"sqlite:///{catalog_path}", WORLD)


def test_no_verified_value_contradicts_its_official_response(report: Report) -> None:
    contradictions = [v for v in report.verdicts if v.outcome == "contradicts"]
    assert not contradictions, "\n".join(
        f"{v.field}: catalog {v.value}, response {v.reason}" for v in contradictions[:20]
    )


def test_almost_every_verified_value_is_located(report: Report) -> None:
    total = len(report.verdicts)
    assert total > 5000  # every official source verified its values
    not_located = report.count("not_located")
    assert Decimal(not_located) / total < NOT_LOCATED_BOUND, (not_located, total)
    for source in READ_SOURCES:
        assert report.count("agrees", source) > 0, source


@pytest.mark.parametrize("source", READ_SOURCES)
def test_a_rescaled_value_is_a_contradiction(
    report: Report, catalog_path: Path, tmp_path: Path, source: str
) -> None:
    """The re-check can fail: one agreeing verified price of each source multiplied by 1000 in a
    copy of the catalog is reported as the one contradiction, with what the response states."""
    agreeing = next(
        v
        for v in report.verdicts
        if v.source == source and v.outcome == "agrees" and " price " in v.field
    )
    url = copy_catalog(catalog_path, tmp_path / "rescaled.db")
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as con, con:
        con.execute(
            "update catalog_values set value = ? where id = ?",
            (str(agreeing.value * 1000), agreeing.value_id),
        )
    contradictions = [v for v in recheck(url, WORLD).verdicts if v.outcome == "contradicts"]
    assert [v.field for v in contradictions] == [agreeing.field]
    assert f"{agreeing.value.normalize():f} at " in contradictions[0].reason


def test_a_free_price_reads_as_zero_not_as_unreadable() -> None:
    """The re-check's Vercel reader took a price of "0" for no number (Decimal 0 is false), so
    a verified free price would read as a contradiction: Vercel's recorded listing with one
    model's input made free reads 0 for it."""
    from benchmarks.recheck_verified import read_vercel
    from tests.worlds import recorded_text

    url = "https://ai-gateway.vercel.sh/v1/models"
    listing = json.loads(recorded_text(url))
    priced = next(m for m in listing["data"] if (m.get("pricing") or {}).get("input"))
    priced["pricing"]["input"] = "0"
    reading = read_vercel([(url, json.dumps(listing).encode())])
    [stated] = [
        s.value
        for (model, kind, component, _, d), found in reading.statements.items()
        for s in found
        if model == priced["id"] and kind == "price" and component == "input" and not d
    ]
    assert stated == 0
