"""`ratecard quarantine`: what a refresh set aside, listed whole (the run's report shows the
first of them), on the recorded epoch-2 catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from catalog import store
from catalog.tables import quarantine
from ratecard.cli import app
from tests.published import epoch2_catalog

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def db(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{epoch2_catalog(tmp_path_factory)}"


def listed(db: str, *options: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["quarantine", *options, "--json", "--db", db])
    assert result.exit_code == 0, result.output
    found: list[dict[str, object]] = json.loads(result.stdout)
    return found


def test_every_record_the_run_set_aside_is_listed_with_its_rule(db: str) -> None:
    with store.connect(db).connect() as conn:
        stored = conn.execute(select(func.count()).select_from(quarantine)).scalar_one()
    everything = listed(db, "--limit", "100000")
    assert len(everything) == stored > 1000
    assert {row["first_run"] for row in everything} == {32768}
    zero_route = listed(db, "--source", "modelsdev", "--rule", "ROUTE ZERO", "--limit", "100000")
    assert zero_route and {row["rule"] for row in zero_route} == {"every price of the route zero"}
    assert {row["value"] for row in zero_route} == {"0"}
    assert {"input", "output"} <= {row["field"] for row in zero_route}
    table = CliRunner().invoke(app, ["quarantine", "--limit", "3", "--db", db])
    assert table.exit_code == 0
    assert f"run 32768: {stored} quarantined records, the first 3" in table.output


def test_a_run_or_source_it_does_not_know_is_refused_in_one_line(db: str, tmp_path: Path) -> None:
    for options, code, words in (
        (["--run", "7"], 1, "no run 7 in this catalog"),
        (["--source", "nope"], 2, "'nope' is not one of"),
        (["--rule", " "], 2, "--rule"),
    ):
        result = CliRunner().invoke(app, ["quarantine", *options, "--db", db])
        assert result.exit_code == code and words in result.output, result.output
        assert "Traceback" not in result.output
    missing = tmp_path / "none.db"
    result = CliRunner().invoke(app, ["quarantine", "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 2 and not missing.exists()
