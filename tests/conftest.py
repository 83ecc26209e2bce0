from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Prefect: a throwaway home (its own server DB), no telemetry, patience for a slow first start.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="ratecard-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT.parent / "shared" / "snapshots"
WORLDS = SNAPSHOTS / "worlds"


def snapshot(relative: str) -> bytes:
    """A recorded response from ../shared/snapshots (never copied into this repository)."""
    path = SNAPSHOTS / relative
    if not path.exists():
        pytest.fail(f"recorded snapshot missing: {path} (../shared must sit beside the repo)")
    return path.read_bytes()


@pytest.fixture(scope="session")
def prefect_api():
    """One Prefect test server for the whole session (its start costs 15-20 s here)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield
