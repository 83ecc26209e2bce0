"""Every recorded source in one refresh of epoch-2 (11 sources over 58 responses)."""

from __future__ import annotations

from typing import Any

import pytest

from catalog import queries, reports, store
from flows.refresh import refresh
from tests.conftest import WORLDS, run_flow

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def catalog_db(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> str:
    db = f"sqlite:///{tmp_path_factory.mktemp('all') / 'ratecard.db'}"
    state = run_flow(
        refresh(
            replay=str(WORLDS / "epoch-2.json"), database=db, accept_new=True, return_state=True
        )
    )
    assert state.is_completed(), state.message
    again = run_flow(refresh(replay=str(WORLDS / "epoch-2.json"), database=db, return_state=True))
    assert again.is_completed(), again.message
    return db


def view(db: str, route: str, model: str) -> dict[str, Any]:
    with store.connect(db).connect() as conn:
        return queries.model_view(conn, route, model).as_json()


def prices(found: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (f["component"], ",".join(f"{k}={v}" for k, v in f["dimensions"].items())): f
        for f in found["fields"]
        if f["kind"] == "price"
    }


def test_same_world_again_opens_nothing_and_stamps_again(catalog_db: str) -> None:
    with store.connect(catalog_db).connect() as conn:
        second, first = queries.list_runs(conn, limit=2)
    assert [s.review_items for s in second.sources] == [0] * 11
    assert sum(s.stamped for s in second.sources) > 0
    assert sum(s.review_items for s in first.sources) > 0


def test_every_source_reports_a_status(catalog_db: str) -> None:
    with store.connect(catalog_db).connect() as conn:
        [run] = queries.list_runs(conn, limit=1)
    assert len(run.sources) == 11
    assert sum(s.responses for s in run.sources) == 58
    assert {s.status for s in run.sources} == {"ok"}
    assert run.status == "ok"


def test_openai_gpt_image_1_mini_grid_and_tokens_verified_by_its_page(catalog_db: str) -> None:
    fields = prices(view(catalog_db, "openai", "gpt-image-1-mini"))
    grid = {
        ("low", "1024x1024"): "0.005", ("low", "1024x1536"): "0.006", ("low", "1536x1024"): "0.006",
        ("medium", "1024x1024"): "0.011", ("medium", "1024x1536"): "0.015",
        ("medium", "1536x1024"): "0.015",
        ("high", "1024x1024"): "0.036", ("high", "1024x1536"): "0.052",
        ("high", "1536x1024"): "0.052",
    }  # fmt: skip
    for (quality, size), value in grid.items():
        field = fields[("output", f"modality=image,quality={quality},size={size}")]
        assert (field["value"], field["unit"]) == (value, "usd_per_image")
        assert field["verified_by"] == "openai-page"
        assert field["verified_at"].startswith("2025-12-17")
    tokens = {
        ("input", ""): "2",
        ("cache_read", ""): "0.2",
        ("input", "modality=image"): "2.5",
        ("output", "modality=image"): "8",
    }
    for key, value in tokens.items():
        field = fields[key]
        assert (field["value"], field["unit"], field["verified_by"]) == (
            value,
            "usd_per_1m_tokens",
            "openai-page",
        )
        assert field["verified_at"].startswith("2025-12-17")


def test_vercel_gpt_image_1_mini_verified_by_vercel(catalog_db: str) -> None:
    fields = prices(view(catalog_db, "vercel", "gpt-image-1-mini"))
    stated = {("input", ""): "2", ("output", "modality=image"): "8", ("cache_read", ""): "0.2"}
    for key, value in stated.items():
        assert (fields[key]["value"], fields[key]["verified_by"]) == (value, "vercel")
        assert fields[key]["verified_at"].startswith("2026-04-02")
    with store.connect(catalog_db).connect() as conn:
        assert {"openai", "azure", "vercel"} <= set(queries.routes_of(conn, "gpt-image-1-mini"))


def test_portkey_cents_agree_with_openai_page(catalog_db: str) -> None:
    fields = prices(view(catalog_db, "openai", "gpt-4o"))
    for key, value in {("input", ""): "2.5", ("output", ""): "10"}.items():
        assert fields[key]["value"] == value
        assert fields[key]["verified_by"] == "openai-page"
        assert "portkey" in {s["source"] for s in fields[key]["corroborated_by"]}


def test_litellm_openrouter_disagreements_counted(catalog_db: str) -> None:
    with store.connect(catalog_db).connect() as conn:
        report = reports.disagreements(conn, "litellm")
        items = queries.list_reviews(
            conn, status="open", kind="disagreement", route="openrouter", source="litellm"
        )
    counts = report["by_route"]["openrouter"]
    assert 0 < counts["disagreeing"] < counts["comparable"]
    listed = [e for e in report["entries"] if e["route"] == "openrouter"]
    assert len(listed) == counts["disagreeing"]
    assert items  # each disagreement is also a review item listing every source's value
