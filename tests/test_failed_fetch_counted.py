"""A URL whose fetch failed is no response: the run's table counts what its progress line
counts. A live refresh without a network said 'deepseek-page: 0 responses, 1 failed' as it ran
and then '1' in the report's responses column: one failed fetch counted two ways."""

from __future__ import annotations

from pathlib import Path

from catalog import store
from flows.refresh import judge_sources
from spiders.results import CrawlResult, FetchFailure

PRICING = "https://api-docs.deepseek.com/quick_start/pricing"


def test_a_failed_fetch_is_reported_failed_and_no_response(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    store.open_catalog(url, create=True).dispose()
    failed = CrawlResult(
        "deepseek-page",
        failures=[FetchFailure(PRICING, PRICING, 0, "CannotResolveHostError: no such host")],
    )
    reports, evidence, _ = judge_sources.fn(url, [failed])
    report = reports["deepseek-page"]
    assert (report.status, report.responses, report.records) == ("failed", 0, 0)
    assert PRICING in (report.reason or "") and evidence["deepseek-page"] == []
