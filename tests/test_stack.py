"""The whole stack as a team runs it (deploy/stack.py): PostgreSQL, a Prefect server on it, two
process workers, the deployments of prefect.yaml and the web app; the refresh deployment is
triggered on a replay world and a worker runs it to Completed into the PostgreSQL catalog."""

from __future__ import annotations

import json
import urllib.request

import pytest
from sqlalchemy import create_engine, func, select

from catalog.tables import catalog_values, runs
from deploy.stack import running
from tests.conftest import WORLDS

pytestmark = pytest.mark.integration


def test_a_worker_runs_the_refresh_deployment_into_postgres() -> None:
    world = WORLDS / "epoch-2.json"
    with running(schedules=False) as stack:
        listed = stack.prefect("deployment", "ls")
        for name in ("refresh", "submissions", "sla-watch"):
            assert name in listed.stdout, listed.stdout + listed.stderr
        params = json.dumps({"replay": str(world), "accept_new": True})
        run = stack.prefect(
            "deployment",
            "run",
            "refresh/refresh",
            "--params",
            params,
            "--watch",
            "--watch-timeout",
            "600",
            timeout=660,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert "Completed" in run.stdout, run.stdout
        engine = create_engine(stack.catalog_url)
        with engine.connect() as conn:
            values = conn.execute(select(func.count()).select_from(catalog_values)).scalar()
            [(status, world_name)] = conn.execute(select(runs.c.status, runs.c.world)).all()
        engine.dispose()
        assert values and values > 10_000
        assert status == "ok" and world_name and world_name.endswith("epoch-2.json")
        with urllib.request.urlopen(f"{stack.web_url}/models/openai/gpt-4o", timeout=30) as page:
            assert page.status == 200 and "gpt-4o" in page.read().decode()
