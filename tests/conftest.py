from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT.parent / "shared" / "snapshots"
WORLDS = SNAPSHOTS / "worlds"


def snapshot(relative: str) -> bytes:
    """A recorded response from ../shared/snapshots (never copied into this repository)."""
    path = SNAPSHOTS / relative
    if not path.exists():
        pytest.fail(f"recorded snapshot missing: {path} (../shared must sit beside the repo)")
    return path.read_bytes()
