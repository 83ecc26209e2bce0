"""The import graph: no cycle between layers, no import from a lower layer to a higher one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_imports_only_point_down() -> None:
    """import-linter reads the layer contract in pyproject.toml and checks every import."""
    lint = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "Contracts: 1 kept, 0 broken." in lint.stdout
