"""Replay worlds made in a test from a recorded one: some URLs answer differently (a status, a
body made from the real recorded one, a delay, a redirect), everything else as recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import WORLDS


def fault_world(
    tmp_path: Path,
    broken: dict[str, dict[str, Any]],
    extra: list[dict[str, Any]] | None = None,
    base: str = "epoch-2",
) -> Path:
    """`base` with each URL in `broken` answering its override (a "body" replaces the recorded
    file) and the `extra` responses added (e.g. where a redirect leads)."""
    manifest = json.loads((WORLDS / f"{base}.json").read_text())
    for entry in manifest["responses"]:
        if "file" in entry:
            entry["file"] = str((WORLDS / entry["file"]).resolve())
        override = broken.get(entry["url"], {})
        if "body" in override:
            entry.pop("file", None)
        entry.update(override)
    manifest["responses"] += extra or []
    path = tmp_path / "world.json"
    path.write_text(json.dumps(manifest))
    return path
