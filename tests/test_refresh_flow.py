"""The real refresh flow under a real Prefect API, fetching recorded worlds through Scrapy over
loopback HTTP into a real SQLite catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog import queries, reports, store
from catalog.tables import (
    catalog_values,
    listings,
    observations,
    quarantine,
    review_items,
    runs,
    stamps,
)
from flows.refresh import refresh
from tests.conftest import SNAPSHOTS, WORLDS, run_flow
from tests.worlds import epoch2_loaded, fault_world

pytestmark = pytest.mark.integration
SOURCES = ["litellm", "openrouter", "azure"]


def run(db: str, world: Path, *, accept_new: bool = False) -> Any:
    return run_flow(
        refresh(
            sources=SOURCES,
            replay=str(world),
            database=db,
            accept_new=accept_new,
            return_state=True,
        )
    )


def source_status(db: str) -> dict[str, dict[str, Any]]:
    with store.connect(db).connect() as conn:
        [run] = queries.list_runs(conn, limit=1)
    return {s["source"]: s for s in run.model_dump(mode="json")["sources"]}


@pytest.fixture(scope="module")
def two_epochs(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """epoch-1 on an empty catalog (accept-new), then epoch-2, then epoch-2 again."""
    db = f"sqlite:///{tmp_path_factory.mktemp('catalog') / 'ratecard.db'}"
    first = run(db, WORLDS / "epoch-1.json", accept_new=True)
    after_first = source_status(db)
    second = run(db, WORLDS / "epoch-2.json")
    after_second = source_status(db)
    engine = store.connect(db)
    with engine.connect() as conn:
        items_after_second = conn.execute(select(func.count()).select_from(review_items)).scalar()
        stamps_after_second = conn.execute(select(func.count()).select_from(stamps)).scalar()
        observations_after_second = conn.execute(
            select(func.count()).select_from(observations)
        ).scalar()
    third = run(db, WORLDS / "epoch-2.json")
    return {
        "db": db,
        "states": (first, second, third),
        "epoch1": after_first,
        "epoch2": after_second,
        "epoch2_again": source_status(db),
        "items_after_second": items_after_second,
        "stamps_after_second": stamps_after_second,
        "observations_after_second": observations_after_second,
    }


def test_both_epochs_complete(two_epochs: dict[str, Any]) -> None:
    assert all(state.is_completed() for state in two_epochs["states"])


def test_azure_partial_in_epoch1_complete_in_epoch2(two_epochs: dict[str, Any]) -> None:
    azure1, azure2 = two_epochs["epoch1"]["azure"], two_epochs["epoch2"]["azure"]
    assert azure1["status"] == "partial"
    assert "HTTP 404" in azure1["reason"] and "skip=1000" in azure1["reason"]
    assert azure2["status"] == "ok" and azure2["reason"] == ""
    assert azure2["responses"] == 2  # eastus2 (all pages merged) and mexicocentral


def test_epoch2_opens_recorded_litellm_and_openrouter_changes(two_epochs: dict[str, Any]) -> None:
    with store.connect(two_epochs["db"]).connect() as conn:
        items = []
        for kind in ("price_change", "anomaly"):
            for listed in queries.list_reviews(conn, status="open", kind=kind):
                detail = queries.get_review(conn, listed.id)
                assert detail is not None, listed.id
                items.append(detail.as_json())
    by_target = {
        (i["route"], i["model"], i["changes"][0]["component"]): i for i in items if i["changes"]
    }
    # 3.00 → 0.22 is a more than tenfold move: an anomaly item, with both values, not applied.
    assert by_target[("sambanova", "gpt-oss-120b", "input")]["kind"] == "anomaly"
    sambanova = by_target[("sambanova", "gpt-oss-120b", "input")]["changes"][0]
    assert (sambanova["current"], sambanova["proposed"]) == ("3", "0.22")
    assert sambanova["unit"] == "usd_per_1m_tokens"
    assert sambanova["sources"][0]["observed_at"].startswith("2026-07-18")
    openrouter = [
        i
        for i in items
        if i["kind"] == "price_change"
        and i["route"] == "openrouter"
        and "openrouter" in i["sources"]
    ]
    assert openrouter, "OpenRouter's own price changes between 2026-05-20 and 2026-08-19"
    for item in openrouter:
        official = [s for s in item["changes"][0]["sources"] if s["official"]]
        assert official and official[0]["observed_at"].startswith("2026-08-19")


def test_show_azure_gpt_image_1_mini(two_epochs: dict[str, Any]) -> None:
    with store.connect(two_epochs["db"]).connect() as conn:
        view = queries.model_view(conn, "azure", "gpt-image-1-mini").as_json()
    [text_input] = [
        f
        for f in view["fields"]
        if f["component"] == "input" and f["dimensions"] == {"scope": "global"}
    ]
    assert (text_input["value"], text_input["unit"]) == ("2", "usd_per_1m_tokens")
    assert text_input["verified_by"] == "azure"
    assert text_input["verified_at"].startswith("2026-08-14")
    # What LiteLLM says for the same route, beside Azure's own statement.
    assert "litellm" in {s["source"] for s in text_input["corroborated_by"]}
    # The meters Azure first lists in epoch-2 are open review items, not catalog values.
    [new] = [i for i in view["open_review_items"] if i["kind"] in ("new_model", "new_value")]
    # LiteLLM's bare-key prices join them once Azure's meters settle their deployment scope.
    assert new["sources"][0] == "azure" and set(new["sources"]) <= {"azure", "litellm"}
    assert {s["source"] for s in view["not_in_catalog"]} == set(new["sources"])


def test_wandb_prices_are_anomalies_not_values(two_epochs: dict[str, Any]) -> None:
    with store.connect(two_epochs["db"]).connect() as conn:
        anomalies = queries.list_reviews(conn, status="open", kind="anomaly", route="wandb")
        wandb_token_prices = (
            conn.execute(
                select(catalog_values.c.value).where(
                    catalog_values.c.route == "wandb", catalog_values.c.unit == "usd_per_1m_tokens"
                )
            )
            .scalars()
            .all()
        )
    assert len(anomalies) >= 10
    assert all("magnitude" in a.title for a in anomalies)
    assert "15000" not in wandb_token_prices  # wandb/openai/gpt-oss-120b input, 0.015 per token
    assert all(float(v) <= 1000 for v in wandb_token_prices)


def test_same_world_twice_opens_nothing_new_and_stamps_again(two_epochs: dict[str, Any]) -> None:
    """The repeat moves the last end of the intervals the second run started: no new rows."""
    engine = store.connect(two_epochs["db"])
    with engine.connect() as conn:
        items = conn.execute(select(func.count()).select_from(review_items)).scalar()
        stamped = conn.execute(select(func.count()).select_from(stamps)).scalar()
        stated = conn.execute(select(func.count()).select_from(observations)).scalar()
        last_runs: dict[int, int] = dict(
            conn.execute(
                select(stamps.c.last_run_id, func.count()).group_by(stamps.c.last_run_id)
            ).all()
        )
        third_run = conn.execute(select(func.max(runs.c.id))).scalar_one()
    assert items == two_epochs["items_after_second"]
    assert stamped == two_epochs["stamps_after_second"]
    assert stated == two_epochs["observations_after_second"]
    assert last_runs[third_run] > 10_000  # confirmed again by the third run
    assert all(s["review_items"] == 0 for s in two_epochs["epoch2_again"].values())
    assert two_epochs["epoch2_again"]["azure"]["stamped"] > 0


def test_failing_sources_change_nothing(prefect_api: None, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'faults.db'}"
    litellm_url = json.loads((WORLDS / "epoch-2.json").read_text())["responses"][0]["url"]
    truncated = (SNAPSHOTS / "litellm" / "model_prices_and_context_window.json").read_bytes()
    world = fault_world(
        tmp_path,
        {
            litellm_url: {"body": truncated[: len(truncated) // 2].decode()},
            "https://openrouter.ai/api/v1/models": {"status": 503},
            "https://openrouter.ai/api/v1/models?output_modalities=all": {"status": 503},
        },
    )
    state = run(db, world, accept_new=True)
    assert state.is_completed()  # azure was applied
    assert "2 of 3 sources failed" in state.message
    assert "litellm" in state.message and "openrouter" in state.message
    with store.connect(db).connect() as conn:
        assert queries.list_runs(conn, limit=1)[0].status == "degraded"
    status = source_status(db)
    assert status["litellm"]["status"] == "failed"
    assert "unparsable body" in status["litellm"]["reason"]
    assert (
        status["openrouter"]["status"] == "failed" and "HTTP 503" in status["openrouter"]["reason"]
    )
    assert status["azure"]["status"] == "ok"
    with store.connect(db).connect() as conn:
        routes = set(conn.execute(select(catalog_values.c.route).distinct()).scalars())
    assert routes == {"azure"}


def test_disagreement_report_names_litellm_openrouter_drift(two_epochs: dict[str, Any]) -> None:
    with store.connect(two_epochs["db"]).connect() as conn:
        report = reports.disagreements(conn, "litellm")
    openrouter = report["by_route"]["openrouter"]
    assert 0 < openrouter["disagreeing"] < openrouter["comparable"]
    entry = next(e for e in report["entries"] if e["route"] == "openrouter")
    field = entry["fields"][0]
    assert field["litellm"]["value"] != field["official"]["value"]
    assert field["official"]["source"] == "openrouter"
    assert field["official"]["observed_at"].startswith("2026-08-19")


def test_far_fewer_records_than_last_complete_run_is_a_broken_layout(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    # LiteLLM's epoch-2 loaded (a copy of the run's one such catalog: its build checks that
    # the refresh completed)
    db = epoch2_loaded(tmp_path_factory, tmp_path / "layout.db", ["litellm"])
    world = WORLDS / "epoch-2.json"
    entries = json.loads(
        (SNAPSHOTS / "litellm" / "model_prices_and_context_window.json").read_text()
    )
    # the real map, 80% of it gone (its first fifth in reverse order: the first fifth as it
    # stands is the map cut short, refused before its count is judged)
    kept = dict(reversed(list(entries.items())[: len(entries) // 5]))
    litellm_url = json.loads(world.read_text())["responses"][0]["url"]
    broken = fault_world(tmp_path, {litellm_url: {"body": json.dumps(kept)}})
    with store.connect(db).connect() as conn:
        values_before = conn.execute(select(func.count()).select_from(catalog_values)).scalar()
    state = run_flow(
        refresh(sources=["litellm"], replay=str(broken), database=db, return_state=True)
    )
    assert state.is_failed()  # the only source broke: nothing applied
    with store.connect(db).connect() as conn:
        assert queries.list_runs(conn, limit=1)[0].status == "failed"  # as the flow run
    status = source_status(db)["litellm"]
    assert status["status"] == "broken"
    assert "collapsed listing (592 records against its usual 2966)" in status["reason"]
    with store.connect(db).connect() as conn:
        values_after = conn.execute(select(func.count()).select_from(catalog_values)).scalar()
        missing = conn.execute(
            select(func.count()).select_from(listings).where(listings.c.missing_runs > 0)
        ).scalar()
    assert values_after == values_before
    assert missing == 0


def test_a_source_whose_records_all_became_unreadable_fails(
    prefect_api: None, tmp_path: Path
) -> None:
    """The real OpenRouter listings with their model id renamed, as if the API changed format.

    (A renamed price key no longer fails the source: that key is quarantined by name in every
    record and the records' other fields are kept; tests/test_openrouter_parser.py.)"""
    bodies = {}
    for url, name in (
        ("https://openrouter.ai/api/v1/models", "models.2026-08-19.json"),
        (
            "https://openrouter.ai/api/v1/models?output_modalities=all",
            "models-output_modalities-all.2026-08-19.json",
        ),
    ):
        listing = json.loads((SNAPSHOTS / "openrouter" / name).read_text())
        for model in listing["data"]:
            model["model_id"] = model.pop("id")
        bodies[url] = {"body": json.dumps(listing)}
    world = fault_world(tmp_path, bodies)
    db = f"sqlite:///{tmp_path / 'collapse.db'}"
    state = run_flow(
        refresh(
            sources=["openrouter"],
            replay=str(world),
            database=db,
            accept_new=True,
            return_state=True,
        )
    )
    assert state.is_failed()
    status = source_status(db)["openrouter"]
    assert status["status"] == "failed" and "validation collapse" in status["reason"]
    assert status["quarantined"] >= len(listing["data"])
    with store.connect(db).connect() as conn:
        assert conn.execute(select(func.count()).select_from(catalog_values)).scalar() == 0
        # every unreadable record is kept with its reason; none floods the queue as an item
        stated = sum(len(json.loads(b["body"])["data"]) for b in bodies.values())
        assert conn.execute(select(func.count()).select_from(quarantine)).scalar() == stated
        assert conn.execute(select(func.count()).select_from(review_items)).scalar() == 0


def test_a_run_that_breaks_midway_is_recorded_failed_and_applies_nothing(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError("database or disk is full")

    monkeypatch.setattr(store, "apply", disk_full)
    db = f"sqlite:///{tmp_path / 'broken.db'}"
    state = run_flow(
        refresh(
            sources=["azure"],
            replay=str(WORLDS / "epoch-2.json"),
            database=db,
            accept_new=True,
            return_state=True,
        )
    )
    assert state.is_failed()
    with store.connect(db).connect() as conn:
        [run] = queries.list_runs(conn, limit=1)
        values = conn.execute(select(func.count()).select_from(catalog_values)).scalar()
    assert run.status == "failed" and run.finished_at
    assert values == 0


def test_accept_new_on_a_catalog_that_holds_values_runs_under_review(catalog_db: str) -> None:
    """A deployment's run with the first-load policy on a catalog in use (OpenRouter's, with
    open items): LiteLLM's new values are not let in beside those items; the run says so and is
    recorded under the review policy, what is new opened as items."""
    said: list[str] = []
    with store.connect(catalog_db).connect() as conn:
        values_before = conn.execute(select(func.count()).select_from(catalog_values)).scalar()
    state = run_flow(
        refresh(
            sources=["litellm"],
            replay=str(WORLDS / "epoch-2.json"),
            database=catalog_db,
            accept_new=True,
            progress=lambda source, message: said.append(message),
            return_state=True,
        )
    )
    assert state.is_completed(), state.message
    assert any(m.startswith("accept-new loads an empty catalog only: this one holds") for m in said)
    with store.connect(catalog_db).connect() as conn:
        [run] = queries.list_runs(conn, limit=1)
        assert conn.execute(select(func.count()).select_from(catalog_values)).scalar() == (
            values_before
        )
        opened = conn.execute(
            select(func.count()).select_from(review_items).where(review_items.c.run_id == run.id)
        ).scalar()
    assert run.policy == "review" and opened
