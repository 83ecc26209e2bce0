"""The two queue flows under a real Prefect API: sla-watch reports items due within 12 hours and
overdue (as artifacts and return value); process-submissions opens an item per submission."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort
from sqlalchemy import insert, update

from catalog import queries, store
from catalog.tables import review_items, submissions
from flows.retention import retention_flow
from flows.sla import sla_watch
from flows.submissions import process_submissions
from review import submissions as submitted

pytestmark = pytest.mark.integration


def latest_artifact(key: str) -> str:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    assert found, f"no artifact {key}"
    return str(found[0].data)


def test_sla_watch_reports_due_soon_and_overdue(catalog_db: str) -> None:
    engine = store.connect(catalog_db)
    now = datetime.now(UTC)
    with engine.connect() as conn:
        ids = [i.id for i in queries.list_reviews(conn, status="open", limit=5)]
    due_soon, overdue, later = ids[:2], ids[2:4], ids[4]
    with engine.begin() as conn:
        c = review_items.c
        conn.execute(
            update(review_items).where(c.id.in_(due_soon)).values(due_at=now + timedelta(hours=6))
        )
        conn.execute(
            update(review_items).where(c.id.in_(overdue)).values(due_at=now - timedelta(hours=3))
        )
        conn.execute(
            update(review_items).where(c.id == later).values(due_at=now + timedelta(hours=13))
        )
    waiting = submitted.submit(
        engine,
        route="openrouter",
        model="gpt-5",
        source_url="https://openrouter.ai/x",
        claims=[submitted.parse_claim_text("input 1")],
        now=now - timedelta(hours=42),
    )

    report = sla_watch(database=catalog_db)

    assert [i["id"] for i in report["due_soon"]] == due_soon
    assert [i["id"] for i in report["overdue"]] == overdue
    assert report["counts"]["due_soon"] == 2 and report["counts"]["overdue"] == 2
    assert later not in {i["id"] for i in report["due_soon"] + report["overdue"]}
    assert [s["id"] for s in report["pending_submissions"]] == [waiting["id"]]
    markdown = latest_artifact("sla-watch")
    assert "2 due within 12 h, 2 overdue" in markdown
    assert all(f"#{i} " in markdown for i in due_soon + overdue)
    table = latest_artifact("sla-watch-items")
    assert "overdue" in table and "due_soon" in table


def test_process_submissions_flow_opens_items(catalog_db: str) -> None:
    engine = store.connect(catalog_db)
    for url in ("http://169.254.169.254/latest/meta-data/", "http://0177.0.0.1/"):
        submitted.submit(
            engine,
            route="openrouter",
            model="gpt-5",
            source_url=url,
            claims=[submitted.parse_claim_text("input 1.25")],
        )

    now = datetime.now(UTC)
    with engine.begin() as conn:  # a row stored before claims were bounded
        conn.execute(
            insert(submissions).values(
                token="legacy",
                route="openrouter",
                model="gpt-5",
                source_url="https://openrouter.ai/x",
                claims=[{"component": "input", "unit": "usd_per_1m_tokens", "value": "1E+400"}],
                client_id="cli",
                submitted_at=now,
                due_at=now + timedelta(hours=48),
                status="pending",
                checks=[],
            )
        )

    results = process_submissions(database=catalog_db)

    assert [r["fetch"] for r in results] == ["refused", "refused", "error"]
    assert "cloud metadata" in results[0]["detail"] and "0177.0.0.1" in results[1]["detail"]
    assert "out of range" in results[2]["detail"] and results[2]["review_item"] is None
    with engine.connect() as conn:
        items = [queries.get_review(conn, r["review_item"]) for r in results[:2]]
    assert all(i is not None and i.kind == "submission" for i in items)
    assert submitted.pending(engine) == []
    report = latest_artifact("submissions-report")
    assert "| refused |" in report and "| error |" in report


@pytest.mark.parametrize("flow", ["sla-watch", "process-submissions", "retention"])
def test_a_deployed_flow_on_a_mistyped_catalog_fails_and_creates_nothing(
    prefect_api: None, tmp_path: Path, flow: str
) -> None:
    """The deployments run these flows with RATECARD_DB from the worker's environment: on a
    mistyped URL each made an empty catalog there (folders and all) and reported success on it,
    sla-watch saying nothing was due. Only a refresh makes a catalog."""
    mistyped = f"sqlite:///{tmp_path}/typo/catalog.db"
    runs: dict[str, Callable[[], object]] = {
        "sla-watch": lambda: sla_watch(database=mistyped),
        "process-submissions": lambda: process_submissions(database=mistyped),
        "retention": lambda: retention_flow(database=mistyped, dry_run=True),
    }
    with pytest.raises(store.CatalogUnavailable, match=r"no catalog at .*nothing was created"):
        runs[flow]()
    assert list(tmp_path.iterdir()) == []
