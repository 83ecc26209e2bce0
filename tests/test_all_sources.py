"""Every recorded source in one refresh of epoch-2 (11 sources over 58 responses)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog import queries, reports, store
from flows.refresh import refresh
from ratecard.cli import app
from schemas.capabilities import Flag, Modality
from tests.conftest import WORLDS, copy_catalog, run_flow
from tests.published import epoch2_catalog

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def catalog_db(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> str:
    """epoch-2 refreshed with accept-new onto an empty catalog (the session's copy of that first
    run: tests/published.py), then refreshed again with the review policy."""
    db = copy_catalog(epoch2_catalog(tmp_path_factory), tmp_path_factory.mktemp("all") / "r.db")
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


def _cells(output: str) -> dict[str, list[str]]:
    """The rows of `show`'s piped tables by their first cell: {first cell: the other cells}."""
    rows = (line.strip()[1:-1].split("│") for line in output.splitlines() if line.startswith("│"))
    return {cells[0].strip(): [c.strip() for c in cells[1:]] for cells in rows}


def test_show_answers_the_ten_flags_and_the_modalities_with_sources(catalog_db: str) -> None:
    """Issue 9: `show openai/gpt-image-1-mini` answers every capability flag of the catalog pages
    and every input and output modality from the sources' latest statements on the route, each
    with the sources (unknown where none states it), and lists no `mode` rows."""
    runner = CliRunner()
    shown = runner.invoke(app, ["show", "openai/gpt-image-1-mini", "--db", catalog_db])
    assert shown.exit_code == 0, shown.output
    rows = _cells(shown.output)
    assert not [name for name in rows if name.startswith(("mode", "supports"))]
    assert all(flag.value in rows for flag in Flag)
    assert rows["vision"][0] == "yes" and "modelsdev vision=yes" in rows["vision"][1]
    assert rows["function_calling"][0] == "no" and "modelsdev" in rows["function_calling"][1]
    assert rows["pdf_input"] == ["unknown", ""] and rows["streaming"] == ["unknown", ""]
    assert (
        rows["input image"][0] == "yes" and "openai-page price:input=yes" in rows["input image"][1]
    )
    assert (
        rows["output image"][0] == "yes" and "openai-page price:output" in rows["output image"][1]
    )
    assert rows["output audio"] == ["unknown", ""]
    assert "category: image_generation (litellm mode:image_generation=yes" in shown.output

    as_json = runner.invoke(app, ["show", "openai/gpt-image-1-mini", "--db", catalog_db, "--json"])
    assert as_json.exit_code == 0, as_json.output
    found = json.loads(as_json.output)["capabilities"]
    flags = {a["name"]: a for a in found["flags"]}
    assert list(flags) == [f.value for f in Flag]
    assert flags["vision"]["value"] is True and not flags["vision"]["disputed"]
    assert {(s["source"], s["raw"]) for s in flags["vision"]["sources"]} >= {
        ("modelsdev", "vision")
    }
    assert flags["reasoning"]["value"] is False
    assert (flags["pdf_input"]["value"], flags["pdf_input"]["sources"]) == (None, [])
    inputs = {a["name"]: a for a in found["input_modalities"]}
    outputs = {a["name"]: a for a in found["output_modalities"]}
    assert set(inputs) == set(outputs) == {m.value for m in Modality}
    assert inputs["text"]["value"] is True and inputs["image"]["value"] is True
    assert "openai-page" in {s["source"] for s in outputs["image"]["sources"]}
    assert (outputs["audio"]["value"], outputs["audio"]["sources"]) == (None, [])
    assert found["category"] == "image_generation"
    assert {s["raw"] for s in found["category_sources"]} == {"mode:image_generation"}
