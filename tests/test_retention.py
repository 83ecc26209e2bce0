"""Retention (issue 12.3): raw bodies and quarantined rows go after each source's last N runs or
N days, whichever keeps more; a body that stated an accepted value stays; catalog history, review
items and the audit log are never touched; --dry-run changes nothing. On a catalog made from the
recorded worlds through the real refresh flow."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from catalog import retention, store
from catalog.tables import (
    audit_log,
    bodies,
    catalog_values,
    observations,
    quarantine,
    responses,
    review_items,
    stamps,
)
from ratecard.cli import app
from tests.conftest import SNAPSHOTS, copy_catalog, refresh_in_turn
from tests.worlds import fault_world, replayed_run

NOW = datetime(2026, 9, 1, tzinfo=UTC)


def _rows(start: int, end: int, source: str = "openrouter") -> list[retention.SourceRunRow]:
    return [
        retention.SourceRunRow(source, run, NOW - timedelta(days=end - run), applied=True)
        for run in range(start, end + 1)
    ]


def test_a_source_keeps_its_last_runs_or_its_recent_days_whichever_keeps_more() -> None:
    daily = _rows(1, 10)  # one run a day, the last today
    assert retention.kept_runs(retention.Policy(3, 2), daily, NOW) == {"openrouter": {7, 8, 9, 10}}
    assert retention.kept_runs(retention.Policy(0, 5), daily, NOW) == {
        "openrouter": {6, 7, 8, 9, 10}
    }
    # a source refreshed rarely keeps its last runs, however old
    rare = _rows(1, 2, "azure")
    assert retention.kept_runs(retention.Policy(0, 1), rare, NOW + timedelta(days=400)) == {
        "azure": {2}
    }


def test_a_source_failing_run_after_run_keeps_the_last_run_that_applied_it() -> None:
    """Its bodies are what a refresh reads what the failing source last stated from."""
    rows = [replace(row, applied=row.run_id <= 4) for row in _rows(1, 10)]
    assert retention.kept_runs(retention.Policy(0, 2), rows, NOW) == {"openrouter": {4, 9, 10}}
    never = [replace(row, applied=False) for row in _rows(1, 3)]
    assert retention.kept_runs(retention.Policy(0, 1), never, NOW) == {"openrouter": {3}}


def test_the_policy_file_is_checked(tmp_path: Path) -> None:
    assert retention.Policy.load().keep_runs >= 1
    bad = tmp_path / "retention.json"
    bad.write_text(json.dumps({"keep_days": 30, "keep_runs": 0}))
    with pytest.raises(retention.PolicyError, match="keep_runs must be a whole number >= 1"):
        retention.Policy.load(bad)


def _sha(relative: str) -> str:
    return hashlib.sha256((SNAPSHOTS / relative).read_bytes()).hexdigest()


VERCEL_OLD = _sha("vercel-ai-gateway/models.2025-11-18.json")
OPENROUTER_OLD = _sha("openrouter/models.2026-05-20.json")
OPENROUTER_NEW = _sha("openrouter/models.2026-08-19.json")
VERCEL_NEW = _sha("vercel-ai-gateway/models.2026-04.json")


@pytest.fixture(scope="module")
def catalog_path(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OpenRouter's epoch-1 accepted into an empty catalog; then OpenRouter and Vercel from
    epoch-1 (Vercel's values, a route the catalog lacks, only proposed), and epoch-2 twice."""
    path = tmp_path_factory.mktemp("retention") / "catalog.db"
    refresh_in_turn(
        path,
        [
            ("epoch-1", ["openrouter"], True),
            ("epoch-1", ["openrouter", "vercel"], False),
            ("epoch-2", ["openrouter", "vercel"], False),
            ("epoch-2", ["openrouter", "vercel"], False),
        ],
    )
    return path


def _dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    with store.connect(url).connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in (
                catalog_values,
                review_items,
                audit_log,
                observations,
                stamps,
                responses,
                bodies,
                quarantine,
            )
        }


@pytest.mark.integration
def test_old_bodies_go_unless_they_stated_an_accepted_value(
    catalog_path: Path, tmp_path: Path
) -> None:
    url = copy_catalog(catalog_path, tmp_path / "catalog.db")
    before = _dump(url)
    held = {row[0] for row in before["bodies"]}
    assert {VERCEL_OLD, OPENROUTER_OLD, OPENROUTER_NEW, VERCEL_NEW} <= held
    engine = store.connect(url)
    policy = retention.Policy(keep_days=0, keep_runs=1)  # only each source's last run
    dry = retention.run(engine, policy, datetime.now(UTC), dry_run=True)
    assert _dump(url) == before  # a dry run changes nothing
    assert VERCEL_OLD in dry.drop_bodies  # proposed only, and no longer in a kept run
    assert OPENROUTER_OLD not in dry.drop_bodies  # its values were accepted: kept always
    assert dry.kept_for_accepted >= 1

    done = retention.run(engine, policy, datetime.now(UTC), dry_run=False)
    assert done.drop_bodies == dry.drop_bodies
    after = _dump(url)
    for untouched in ("catalog_values", "review_items", "audit_log", "observations", "stamps"):
        assert after[untouched] == before[untouched], untouched
    assert after["responses"] == before["responses"]  # provenance: where and when, kept
    left = {row[0] for row in after["bodies"]}
    assert left == held - set(dry.drop_bodies)
    assert {OPENROUTER_OLD, OPENROUTER_NEW, VERCEL_NEW} <= left and VERCEL_OLD not in left
    last_run = max(row[1] for row in before["responses"])  # every source's last run
    kept_rows = [row for row in before["quarantine"] if row[2] == last_run]
    assert after["quarantine"] == kept_rows  # each source's last run: the rows it repeated


@pytest.mark.integration
def test_a_failed_sources_last_applied_bodies_stay(catalog_path: Path, tmp_path: Path) -> None:
    """Vercel's epoch-2 body stated no accepted value (its route is only proposed); after a run
    in which Vercel failed, keeping each source's last run alone would drop it."""
    url = copy_catalog(catalog_path, tmp_path / "catalog.db")
    failing = fault_world(tmp_path, {"https://ai-gateway.vercel.sh/v1/models": {"status": 503}})
    replayed_run(url, failing, ["openrouter", "vercel"])
    decided = retention.run(
        store.connect(url),
        retention.Policy(keep_days=0, keep_runs=1),
        datetime.now(UTC),
        dry_run=False,
    )
    assert VERCEL_OLD in decided.drop_bodies and VERCEL_NEW not in decided.drop_bodies
    with store.connect(url).connect() as conn:
        assert VERCEL_NEW in set(conn.execute(select(bodies.c.content_hash)).scalars())


@pytest.mark.integration
def test_days_keep_what_runs_alone_would_drop(catalog_path: Path, tmp_path: Path) -> None:
    url = copy_catalog(catalog_path, tmp_path / "catalog.db")
    decided = retention.run(
        store.connect(url),
        retention.Policy(keep_days=1, keep_runs=1),
        datetime.now(UTC),
        dry_run=True,
    )
    assert decided.drop_bodies == [] and decided.drop_quarantine == []


@pytest.mark.integration
def test_the_command_reports_per_source_and_its_dry_run_changes_nothing(
    catalog_path: Path, tmp_path: Path
) -> None:
    url = copy_catalog(catalog_path, tmp_path / "catalog.db")
    before = _dump(url)
    runner = CliRunner()
    shown = runner.invoke(app, ["retention", "--dry-run", "--db", url])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].startswith("policy: each source's last ")
    assert any(
        line.startswith("openrouter: 4 of 4 runs kept; would drop 0 bodies") for line in lines
    )
    assert lines[-1].startswith("total: would drop 0 bodies")
    as_json = runner.invoke(app, ["retention", "--dry-run", "--json", "--db", url])
    assert json.loads(as_json.output)["sources"]["vercel"]["runs"] == 3
    assert _dump(url) == before
    missing = runner.invoke(app, ["retention", "--db", f"sqlite:///{tmp_path / 'none.db'}"])
    assert missing.exit_code == 2 and "no catalog" in missing.output
    assert not (tmp_path / "none.db").exists()
